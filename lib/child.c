/*
 * Processus fils éphémère (voir child.h). Le fils écrit dans un tube son
 * code (int32) puis son résultat ; le père lit jusqu'à la fin du tube et
 * récolte le fils. Le fils se termine par _exit : rien du père ne s'y
 * exécute deux fois (atexit, tampons stdio, fermeture FastCGI).
 */
#include <sys/prctl.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "child.h"
#include "log.h"

#ifdef CBW_COVERAGE
void	__gcov_dump(void);
#endif

/* Descripteur du tube dans le fils, une fois les autres fermés. */
#define CHILD_FD	3

/*
 * Termine le fils sans rien exécuter du père ; les builds de couverture
 * écrivent d'abord leurs compteurs (sinon perdus avec _exit).
 */
static void __attribute__((noreturn))
child_exit(int code)
{
#ifdef CBW_COVERAGE
	__gcov_dump();
#endif
	_exit(code);
}

/* Écrit les n octets de p dans fd. Rend 0, ou -1 (tube fermé, erreur). */
static int
write_all(int fd, const void *p, size_t n)
{
	const char	*c = p;
	ssize_t		 w;

	while (n > 0) {
		if ((w = write(fd, c, n)) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		c += w;
		n -= (size_t)w;
	}
	return 0;
}

/*
 * Lit fd jusqu'à la fin dans out. Rend CBW_OK, CBW_ENOMEM, ou CBW_EIO
 * (erreur de lecture, journalisée).
 */
static enum cbw_err
read_all(int fd, struct cbw_buf *out)
{
	ssize_t	 n;

	for (;;) {
		if (cbw_buf_reserve(out, 16384) != CBW_OK)
			return CBW_ENOMEM;
		n = read(fd, out->data + out->len, out->cap - out->len - 1);
		if (n == 0)
			return CBW_OK;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			CBW_LOGE("lecture du processus fils", strerror(errno));
			return CBW_EIO;
		}
		out->len += (size_t)n;
		out->data[out->len] = '\0';
	}
}

/*
 * Vie du fils : mourir avec le père, ne garder que le tube (en CHILD_FD)
 * et stdout/stderr (journal), /dev/null en entrée à la place de la
 * socket FastCGI, puis fn et l'envoi de son code et de son résultat. Ne
 * revient pas.
 */
static void __attribute__((noreturn))
child_main(int wfd, pid_t parent, cbw_child_fn fn, void *arg)
{
	struct cbw_buf	 out;
	int32_t		 code;
	int		 nul;

	if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent)
		child_exit(1);
	if (wfd != CHILD_FD && dup2(wfd, CHILD_FD) < 0)
		child_exit(1);
	closefrom(CHILD_FD + 1);
	if ((nul = open("/dev/null", O_RDONLY)) < 0 || dup2(nul, 0) < 0)
		child_exit(1);
	close(nul);
	cbw_buf_init(&out);
	code = (int32_t)fn(arg, &out);
	if (out.oom)
		code = CBW_ENOMEM;
	if (write_all(CHILD_FD, &code, sizeof(code)) != 0 ||
	    write_all(CHILD_FD, out.data, out.len) != 0)
		child_exit(1);
	child_exit(0);
}

/* Attend la fin du fils pid. Rend son statut (waitpid), ou -1. */
static int
reap(pid_t pid)
{
	int	 status;

	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return status;
}

/* Travail dans un fils (voir child.h). */
enum cbw_err
cbw_child_run(cbw_child_fn fn, void *arg, struct cbw_buf *out)
{
	char		 why[64];
	int		 fds[2], status;
	int32_t		 code;
	pid_t		 pid, self = getpid();
	enum cbw_err	 er;

	cbw_buf_reset(out);
	if (pipe(fds) != 0) {
		CBW_LOGE("tube vers le processus fils", strerror(errno));
		return CBW_EIO;
	}
	fflush(NULL);
	if ((pid = fork()) < 0) {
		CBW_LOGE("processus fils impossible", strerror(errno));
		close(fds[0]);
		close(fds[1]);
		return CBW_EIO;
	}
	if (pid == 0) {
		close(fds[0]);
		child_main(fds[1], self, fn, arg);
	}
	close(fds[1]);
	er = read_all(fds[0], out);
	close(fds[0]);
	status = reap(pid);
	if (er == CBW_OK && (status == -1 || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0 || out->len < sizeof(code))) {
		if (status != -1 && WIFSIGNALED(status))
			snprintf(why, sizeof(why), "signal %d", WTERMSIG(status));
		else
			snprintf(why, sizeof(why), "statut %d, %zu octets",
			    status == -1 ? -1 : WEXITSTATUS(status), out->len);
		CBW_LOGE("processus fils mort sans répondre", why);
		er = CBW_EIO;
	}
	if (er != CBW_OK) {
		cbw_buf_reset(out);
		return er;
	}
	memcpy(&code, out->data, sizeof(code));
	out->len -= sizeof(code);
	memmove(out->data, out->data + sizeof(code), out->len + 1);
	return code >= CBW_OK && code < CBW_ERR__MAX ? (enum cbw_err)code : CBW_EIO;
}
