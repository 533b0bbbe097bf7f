/*
 * Tests unitaires du processus fils éphémère (lib/child.c) : code et
 * résultat transmis tels quels (même gros), fils tué ou sorti sans
 * répondre → CBW_EIO et résultat vide, code hors de l'énumération refusé,
 * descripteurs hérités fermés et entrée sur /dev/null dans le fils, tas du
 * père intact.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "child.h"

/* Écrit « bonjour » et rend le code passé en argument. */
static enum cbw_err
say_hello(void *arg, struct cbw_buf *out)
{
	cbw_buf_puts(out, "bonjour");
	return *(enum cbw_err *)arg;
}

/* Code et résultat arrivent tels quels, pour chaque code. */
static void
test_code_and_output(void **state)
{
	struct cbw_buf	 out;
	enum cbw_err	 er;

	(void)state;
	cbw_buf_init(&out);
	for (er = CBW_OK; er < CBW_ERR__MAX; er++) {
		assert_int_equal(cbw_child_run(say_hello, &er, &out), er);
		assert_string_equal(cbw_buf_str(&out), "bonjour");
		assert_int_equal(out.len, 7);
	}
	cbw_buf_free(&out);
}

/* 3 Mio de résultat (plus que le tube ne tient) : tout arrive, dans l'ordre. */
static enum cbw_err
big(void *arg, struct cbw_buf *out)
{
	size_t	 i;

	(void)arg;
	for (i = 0; i < 3 * 1024 * 1024; i++)
		cbw_buf_putc(out, (char)('a' + i % 26));
	return CBW_OK;
}

static void
test_big_output(void **state)
{
	struct cbw_buf	 out;
	size_t		 i;

	(void)state;
	cbw_buf_init(&out);
	cbw_buf_puts(&out, "ancien contenu");
	assert_int_equal(cbw_child_run(big, NULL, &out), CBW_OK);
	assert_int_equal(out.len, 3 * 1024 * 1024);
	for (i = 0; i < out.len; i++)
		if (out.data[i] != (char)('a' + i % 26))
			fail_msg("octet %zu faux", i);
	cbw_buf_free(&out);
}

/* Le fils meurt au milieu (signal) après avoir écrit dans son tampon. */
static enum cbw_err
killed(void *arg, struct cbw_buf *out)
{
	(void)arg;
	cbw_buf_puts(out, "partiel");
	raise(SIGKILL);
	return CBW_OK;
}

/* Le fils sort sans répondre. */
static enum cbw_err
leaves(void *arg, struct cbw_buf *out)
{
	(void)arg;
	(void)out;
	_exit(3);
}

/* Le fils rend un code qui n'existe pas. */
static enum cbw_err
bad_code(void *arg, struct cbw_buf *out)
{
	(void)arg;
	cbw_buf_puts(out, "x");
	return (enum cbw_err)99;
}

static void
test_child_dies(void **state)
{
	struct cbw_buf	 out;

	(void)state;
	cbw_buf_init(&out);
	assert_int_equal(cbw_child_run(killed, NULL, &out), CBW_EIO);
	assert_int_equal(out.len, 0);
	assert_int_equal(cbw_child_run(leaves, NULL, &out), CBW_EIO);
	assert_int_equal(out.len, 0);
	assert_int_equal(cbw_child_run(bad_code, NULL, &out), CBW_EIO);
	/* Aucun fils laissé derrière (tous récoltés). */
	assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
	assert_int_equal(errno, ECHILD);
	cbw_buf_free(&out);
}

/*
 * Dans le fils : le descripteur `*arg` hérité du père est fermé, l'entrée
 * standard lit /dev/null, et le tas du père est bien une copie (écrire
 * dans `probe` ne change rien chez le père).
 */
static char	probe[16] = "père";

static enum cbw_err
inspect(void *arg, struct cbw_buf *out)
{
	struct stat	 st, nul;
	char		 c;

	cbw_buf_printf(out, "%s", fcntl(*(int *)arg, F_GETFD) == -1 &&
	    errno == EBADF ? "fermé" : "ouvert");
	cbw_buf_printf(out, " %s", fstat(0, &st) == 0 && stat("/dev/null",
	    &nul) == 0 && st.st_rdev == nul.st_rdev && read(0, &c, 1) == 0 ?
	    "null" : "autre");
	snprintf(probe, sizeof(probe), "fils");
	return CBW_OK;
}

static void
test_child_isolated(void **state)
{
	struct cbw_buf	 out;
	int		 fd, tmp;

	(void)state;
	/* Au-dessus du descripteur du tube dans le fils (3). */
	assert_true((tmp = open("/dev/zero", O_RDONLY)) >= 0);
	assert_int_equal((fd = dup2(tmp, 20)), 20);
	close(tmp);
	cbw_buf_init(&out);
	assert_int_equal(cbw_child_run(inspect, &fd, &out), CBW_OK);
	assert_string_equal(cbw_buf_str(&out), "fermé null");
	assert_string_equal(probe, "père");
	/* Chez le père, le descripteur est toujours là. */
	assert_int_not_equal(fcntl(fd, F_GETFD), -1);
	close(fd);
	cbw_buf_free(&out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_code_and_output),
		cmocka_unit_test(test_big_output),
		cmocka_unit_test(test_child_dies),
		cmocka_unit_test(test_child_isolated),
	};

	return cmocka_run_group_tests_name("child", tests, NULL, NULL);
}
