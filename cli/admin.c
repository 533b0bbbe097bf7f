/*
 * chatbot-whatsapp-admin : migrations, création de compte, nouveau mot de
 * passe, sauvegarde en ligne (fichier ou dossier tournant), restauration,
 * données de démonstration (seed). Les mots de passe arrivent par l'entrée
 * standard ou une invite sans écho, jamais par la ligne de commande.
 * Lancé par root, l'outil prend l'identité du propriétaire du dossier de
 * la base (www-data dans le paquet) avant de l'ouvrir.
 */
#include <sys/stat.h>
#include <sys/types.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <libgen.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "campaign.h"
#include "clock.h"
#include "config.h"
#include "contact.h"
#include "db.h"
#include "log.h"
#include "migrate.h"
#include "phone.h"
#include "seed.h"
#include "user.h"
#include "valid.h"
#include "whatsapp.h"

static void
usage(void)
{
	fprintf(stderr,
	    "usage : chatbot-whatsapp-admin migrate\n"
	    "        chatbot-whatsapp-admin create-user --email E "
	    "[--role super_admin|admin]\n"
	    "        chatbot-whatsapp-admin reset-password --email E\n"
	    "        chatbot-whatsapp-admin backup FICHIER\n"
	    "        chatbot-whatsapp-admin backup --dir DOSSIER [--keep N]\n"
	    "        chatbot-whatsapp-admin restore FICHIER --yes\n"
	    "        chatbot-whatsapp-admin seed --messages N --admin E "
	    "[--campaigns K] [--days D]\n"
	    "Le mot de passe est lu sur l'entrée standard (ou demandé).\n"
	    "Lancé par root, l'outil agit sous l'identité du propriétaire du "
	    "dossier de la base.\n"
	    "Voir chatbot-whatsapp-admin(8).\n");
}

/*
 * Lit le mot de passe : invite sans écho si l'entrée est un terminal (deux
 * fois, pour confirmer), sinon une ligne. Rend 1 si lu.
 */
static int
read_password(char *buf, size_t len)
{
	struct termios	 old, noecho;
	char		 again[256];
	int		 tty = isatty(STDIN_FILENO), ok;
	size_t		 n;

	if (tty) {
		fprintf(stderr, "Mot de passe : ");
		tcgetattr(STDIN_FILENO, &old);
		noecho = old;
		noecho.c_lflag &= ~(tcflag_t)ECHO;
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &noecho);
	}
	ok = fgets(buf, (int)len, stdin) != NULL;
	if (ok && tty) {
		fprintf(stderr, "\nConfirmation : ");
		ok = fgets(again, sizeof(again), stdin) != NULL &&
		    strcmp(again, buf) == 0;
		if (!ok)
			fprintf(stderr, "\nLes deux saisies diffèrent.");
		explicit_bzero(again, sizeof(again));
	}
	if (tty) {
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
		fprintf(stderr, "\n");
	}
	if (!ok)
		return 0;
	n = strcspn(buf, "\r\n");
	buf[n] = '\0';
	return 1;
}

/* Applique les migrations ; 0 si tout va bien. */
static int
cmd_migrate(struct cbw_db *db, const struct cbw_config *cfg)
{
	char	 err[512];
	int	 n = 0;

	if (cbw_migrate(db, cfg->migrations_dir, &n, err, sizeof(err)) != CBW_OK) {
		fprintf(stderr, "chatbot-whatsapp-admin : %s\n", err);
		return 1;
	}
	printf("%d migration(s) appliquée(s).\n", n);
	return 0;
}

/* Lit --email et --role ; rend 1 si l'e-mail est valide. */
static int
parse_user_opts(int argc, char **argv, char *email, size_t len,
    const char **role)
{
	static const struct option	 opts[] = {
		{ "email", required_argument, NULL, 'e' },
		{ "role", required_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 }
	};
	const char			*raw = NULL, *msg;
	int				 c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "e:r:", opts, NULL)) != -1) {
		if (c == 'e')
			raw = optarg;
		else if (c == 'r')
			*role = optarg;
		else
			return 0;
	}
	if (cbw_valid_email(raw, email, len, &msg) != CBW_OK) {
		fprintf(stderr, "chatbot-whatsapp-admin : %s\n", msg);
		return 0;
	}
	if (cbw_valid_role(*role, &msg) != CBW_OK) {
		fprintf(stderr, "chatbot-whatsapp-admin : %s\n", msg);
		return 0;
	}
	return 1;
}

/* Lit et valide un mot de passe ; rend 1 si valide. */
static int
get_password(char *pw, size_t len)
{
	const char	*msg;

	if (!read_password(pw, len)) {
		fprintf(stderr, "chatbot-whatsapp-admin : mot de passe non lu\n");
		return 0;
	}
	if (cbw_valid_password(pw, &msg) != CBW_OK) {
		fprintf(stderr, "chatbot-whatsapp-admin : %s\n", msg);
		return 0;
	}
	return 1;
}

/* create-user / reset-password ; 0 si tout va bien. */
static int
cmd_user(struct cbw_db *db, int argc, char **argv, int create)
{
	char		 email[CBW_EMAIL_MAX + 1], pw[256];
	const char	*role = "admin";
	long long	 id;
	enum cbw_err	 er;
	int		 rc = 1;

	if (!parse_user_opts(argc, argv, email, sizeof(email), &role)) {
		usage();
		return 2;
	}
	if (!get_password(pw, sizeof(pw)))
		goto out;
	er = create ? cbw_user_create(db, NULL, email, pw, role, 1, NULL, &id) :
	    cbw_user_set_password(db, email, pw);
	if (er == CBW_ECONFLICT)
		fprintf(stderr, "chatbot-whatsapp-admin : un compte %s existe "
		    "déjà\n", email);
	else if (er == CBW_ENOTFOUND)
		fprintf(stderr, "chatbot-whatsapp-admin : aucun compte %s\n", email);
	else if (er != CBW_OK)
		fprintf(stderr, "chatbot-whatsapp-admin : échec (%s)\n",
		    cbw_err_name(er));
	else {
		printf(create ? "Compte %s créé (%s).\n" :
		    "Mot de passe de %s changé.\n", email, role);
		rc = 0;
	}
out:
	explicit_bzero(pw, sizeof(pw));
	return rc;
}

/*
 * Lancé par root : prend l'identité du propriétaire du dossier qui contient
 * DATABASE_PATH (www-data dans le paquet) et de son groupe principal, pour
 * que la base et ses fichiers -wal/-shm ne soient jamais créés par root.
 * Si le dossier appartient à root (usage de développement), rien ne change.
 * Vérifie que root ne peut plus être repris. Renvoie CBW_OK, ou CBW_EIO
 * (dossier absent ou illisible) / CBW_EDENIED (changement d'identité
 * impossible) avec un message français dans err.
 */
static enum cbw_err
become_data_owner(const char *dbpath, char *err, size_t errlen)
{
	struct stat	 st;
	struct passwd	*pw;
	char		*copy = NULL, *dir;
	uid_t		 uid;
	gid_t		 gid;
	enum cbw_err	 er = CBW_EIO;

	if (geteuid() != 0)
		return CBW_OK;
	if ((copy = strdup(dbpath)) == NULL) {
		snprintf(err, errlen, "mémoire insuffisante");
		er = CBW_ENOMEM;
		goto out;
	}
	dir = dirname(copy);
	if (stat(dir, &st) != 0) {
		if (errno == ENOENT)
			snprintf(err, errlen, "le dossier de la base de données "
			    "%s (DATABASE_PATH) n'existe pas", dir);
		else
			snprintf(err, errlen, "dossier de la base de données "
			    "%s : %s", dir, strerror(errno));
		goto out;
	}
	if (!S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "%s (dossier de DATABASE_PATH) n'est pas "
		    "un dossier", dir);
		goto out;
	}
	if (st.st_uid == 0) {
		er = CBW_OK;
		goto out;
	}
	er = CBW_EDENIED;
	uid = st.st_uid;
	pw = getpwuid(uid);
	gid = pw != NULL ? pw->pw_gid : st.st_gid;
	if (pw != NULL ? initgroups(pw->pw_name, gid) != 0 :
	    setgroups(1, &gid) != 0) {
		snprintf(err, errlen, "groupes de l'utilisateur %lu : %s",
		    (unsigned long)uid, strerror(errno));
		goto out;
	}
	if (setgid(gid) != 0 || setuid(uid) != 0) {
		snprintf(err, errlen, "impossible de prendre l'identité %lu:%lu "
		    "du propriétaire de %s : %s", (unsigned long)uid,
		    (unsigned long)gid, dir, strerror(errno));
		goto out;
	}
	if (setuid(0) != -1 || seteuid(0) != -1 ||
	    (gid != 0 && (setgid(0) != -1 || setegid(0) != -1)) ||
	    getuid() != uid || geteuid() != uid || getgid() != gid ||
	    getegid() != gid) {
		snprintf(err, errlen, "les droits de root n'ont pas pu être "
		    "abandonnés");
		goto out;
	}
	er = CBW_OK;
out:
	free(copy);
	return er;
}

#define BACKUP_PREFIX		"chatbot-whatsapp-"
#define BACKUP_STAMP_LEN	15	/* AAAAMMJJ-HHMMSS */
#define BACKUP_KEEP_DEFAULT	7
#define BACKUP_KEEP_MAX		365
#define BACKUP_COUNTER_MAX	999
#define BACKUP_NAME_MAX		64

/* Efface un fichier temporaire de sauvegarde et les journaux SQLite voisins. */
static void
remove_temp(const char *tmp)
{
	static const char *const	 ext[] = { "", "-journal", "-wal", "-shm" };
	char				 p[4096];
	size_t				 i;

	for (i = 0; i < sizeof(ext) / sizeof(ext[0]); i++)
		if ((size_t)snprintf(p, sizeof(p), "%s%s", tmp, ext[i]) <
		    sizeof(p))
			unlink(p);
}

/*
 * Rend durable sur disque le contenu du dossier `dir` (après un rename ou
 * un link). Renvoie CBW_OK, ou CBW_EIO avec un message dans err.
 */
static enum cbw_err
sync_dir(const char *dir, char *err, size_t errlen)
{
	enum cbw_err	 er = CBW_EIO;
	int		 fd;

	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		snprintf(err, errlen, "%s : %s", dir, strerror(errno));
		goto out;
	}
	if (fsync(fd) != 0) {
		snprintf(err, errlen, "%s : %s", dir, strerror(errno));
		goto out;
	}
	er = CBW_OK;
out:
	if (fd >= 0)
		close(fd);
	return er;
}

/*
 * Écrit une sauvegarde complète dans un fichier temporaire caché du dossier
 * `dir` (mode 0640, données écrites sur disque par fsync) et rend son
 * chemin dans tmp. Renvoie CBW_OK, ou une erreur avec message dans err ;
 * dans ce cas le fichier temporaire est effacé et tmp est vide.
 */
static enum cbw_err
backup_to_temp(struct cbw_db *db, const char *dir, char *tmp, size_t tmplen,
    char *err, size_t errlen)
{
	enum cbw_err	 er = CBW_EIO;
	int		 fd = -1;

	if ((size_t)snprintf(tmp, tmplen, "%s/.chatbot-whatsapp-XXXXXX", dir) >=
	    tmplen) {
		snprintf(err, errlen, "%s : chemin trop long", dir);
		tmp[0] = '\0';
		goto out;
	}
	if ((fd = mkstemp(tmp)) < 0) {
		snprintf(err, errlen, "%s : %s", dir, strerror(errno));
		tmp[0] = '\0';
		goto out;
	}
	if (fchmod(fd, 0640) != 0) {
		snprintf(err, errlen, "%s : %s", tmp, strerror(errno));
		goto out;
	}
	if ((er = cbw_db_backup(db, tmp, err, errlen)) != CBW_OK)
		goto out;
	if (fsync(fd) != 0) {
		snprintf(err, errlen, "%s : %s", tmp, strerror(errno));
		er = CBW_EIO;
		goto out;
	}
	er = CBW_OK;
out:
	if (fd >= 0 && close(fd) != 0 && er == CBW_OK) {
		snprintf(err, errlen, "%s : %s", tmp, strerror(errno));
		er = CBW_EIO;
	}
	if (er != CBW_OK && tmp[0] != '\0') {
		remove_temp(tmp);
		tmp[0] = '\0';
	}
	return er;
}

/*
 * backup FICHIER : écrit la sauvegarde à côté de FICHIER puis la renomme
 * en FICHIER (jamais de fichier à moitié écrit sous ce nom). Renvoie
 * CBW_OK, ou une erreur avec un message dans err.
 */
static enum cbw_err
backup_file(struct cbw_db *db, const char *file, char *err, size_t errlen)
{
	char		 tmp[4096];
	char		*copy = NULL, *dir;
	enum cbw_err	 er = CBW_ENOMEM;

	tmp[0] = '\0';
	if ((copy = strdup(file)) == NULL) {
		snprintf(err, errlen, "mémoire insuffisante");
		goto out;
	}
	dir = dirname(copy);
	if ((er = backup_to_temp(db, dir, tmp, sizeof(tmp), err, errlen)) !=
	    CBW_OK)
		goto out;
	if (rename(tmp, file) != 0) {
		snprintf(err, errlen, "%s : %s", file, strerror(errno));
		er = CBW_EIO;
		goto out;
	}
	tmp[0] = '\0';
	er = sync_dir(dir, err, errlen);
out:
	if (tmp[0] != '\0')
		remove_temp(tmp);
	free(copy);
	return er;
}

/*
 * Reconnaît exactement « chatbot-whatsapp-AAAAMMJJ-HHMMSS.db » ou
 * « chatbot-whatsapp-AAAAMMJJ-HHMMSS-K.db » (K de 2 à 999, sans zéro en
 * tête). Écrit l'horodatage dans stamp et K dans *counter (1 sans
 * suffixe). Rend 1 si le nom correspond, 0 sinon.
 */
static int
backup_match(const char *name, char stamp[BACKUP_STAMP_LEN + 1], int *counter)
{
	const char	*p;
	size_t		 i;
	int		 k = 1;

	if (strncmp(name, BACKUP_PREFIX, strlen(BACKUP_PREFIX)) != 0)
		return 0;
	p = name + strlen(BACKUP_PREFIX);
	for (i = 0; i < BACKUP_STAMP_LEN; i++)
		if (i == 8 ? p[i] != '-' : (p[i] < '0' || p[i] > '9'))
			return 0;
	memcpy(stamp, p, BACKUP_STAMP_LEN);
	stamp[BACKUP_STAMP_LEN] = '\0';
	p += BACKUP_STAMP_LEN;
	if (*p == '-') {
		p++;
		if (*p < '1' || *p > '9')
			return 0;
		for (k = 0, i = 0; i < 3 && p[i] >= '0' && p[i] <= '9'; i++)
			k = k * 10 + (p[i] - '0');
		p += i;
		if (k < 2)
			return 0;
	}
	if (strcmp(p, ".db") != 0)
		return 0;
	*counter = k;
	return 1;
}

struct backup_entry {
	char	 name[BACKUP_NAME_MAX];
	char	 stamp[BACKUP_STAMP_LEN + 1];
	int	 counter;
};

/* Ordre chronologique : horodatage, puis numéro dans la même seconde. */
static int
backup_cmp(const void *a, const void *b)
{
	const struct backup_entry	*x = a, *y = b;
	int				 c = strcmp(x->stamp, y->stamp);

	if (c != 0)
		return c;
	return (x->counter > y->counter) - (x->counter < y->counter);
}

/*
 * Ne garde dans `dir` que les `keep` sauvegardes les plus récentes, dont
 * `written` (celle qui vient d'être écrite, jamais effacée) : efface les
 * plus anciennes parmi les fichiers ordinaires au nom exact de
 * backup_match. Aucun autre fichier n'est touché. Renvoie CBW_OK, ou
 * CBW_ENOMEM / CBW_EIO avec un message dans err.
 */
static enum cbw_err
backup_rotate(const char *dir, const char *written, long long keep,
    char *err, size_t errlen)
{
	struct backup_entry	*v = NULL, *nv;
	struct dirent		*de;
	struct stat		 st;
	DIR			*d = NULL;
	char			 stamp[BACKUP_STAMP_LEN + 1];
	size_t			 n = 0, cap = 0, i, drop;
	enum cbw_err		 er = CBW_EIO;
	int			 counter;

	if ((d = opendir(dir)) == NULL) {
		snprintf(err, errlen, "%s : %s", dir, strerror(errno));
		goto out;
	}
	for (;;) {
		errno = 0;
		if ((de = readdir(d)) == NULL)
			break;
		if (strcmp(de->d_name, written) == 0 ||
		    strlen(de->d_name) >= BACKUP_NAME_MAX ||
		    !backup_match(de->d_name, stamp, &counter) ||
		    fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
		    !S_ISREG(st.st_mode))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			if ((nv = reallocarray(v, cap, sizeof(*v))) == NULL) {
				snprintf(err, errlen, "mémoire insuffisante");
				er = CBW_ENOMEM;
				goto out;
			}
			v = nv;
		}
		memcpy(v[n].name, de->d_name, strlen(de->d_name) + 1);
		memcpy(v[n].stamp, stamp, sizeof(stamp));
		v[n].counter = counter;
		n++;
	}
	if (errno != 0) {
		snprintf(err, errlen, "%s : %s", dir, strerror(errno));
		goto out;
	}
	if (n > 0)
		qsort(v, n, sizeof(*v), backup_cmp);
	drop = n > (size_t)(keep - 1) ? n - (size_t)(keep - 1) : 0;
	for (i = 0; i < drop; i++)
		if (unlinkat(dirfd(d), v[i].name, 0) != 0) {
			snprintf(err, errlen, "%s/%s : %s", dir, v[i].name,
			    strerror(errno));
			goto out;
		}
	er = CBW_OK;
out:
	free(v);
	if (d != NULL)
		closedir(d);
	return er;
}

/*
 * Premier numéro libre pour l'horodatage `stamp` dans `dir` : un de plus
 * que le plus grand numéro déjà présent (1 s'il n'y en a aucun), pour que
 * l'ordre des noms suive toujours l'ordre d'écriture, même après la
 * rotation. Renvoie CBW_OK, ou CBW_EIO avec un message dans err.
 */
static enum cbw_err
backup_next_counter(const char *dir, const char *stamp, int *next,
    char *err, size_t errlen)
{
	struct dirent	*de;
	DIR		*d;
	char		 s[BACKUP_STAMP_LEN + 1];
	enum cbw_err	 er = CBW_EIO;
	int		 k, max = 0;

	if ((d = opendir(dir)) == NULL) {
		snprintf(err, errlen, "%s : %s", dir, strerror(errno));
		goto out;
	}
	for (;;) {
		errno = 0;
		if ((de = readdir(d)) == NULL)
			break;
		if (backup_match(de->d_name, s, &k) && strcmp(s, stamp) == 0 &&
		    k > max)
			max = k;
	}
	if (errno != 0) {
		snprintf(err, errlen, "%s : %s", dir, strerror(errno));
		goto out;
	}
	*next = max + 1;
	er = CBW_OK;
out:
	if (d != NULL)
		closedir(d);
	return er;
}

/*
 * backup --dir DOSSIER : crée DOSSIER (0750) s'il manque, écrit
 * DOSSIER/chatbot-whatsapp-AAAAMMJJ-HHMMSS.db (heure locale de
 * TIME_ZONE ; suffixe -2, -3... après le plus grand déjà pris dans la même
 * seconde ; jamais d'écrasement), affiche le chemin,
 * puis ne garde que les `keep` plus récentes. Renvoie CBW_OK, ou une
 * erreur avec un message dans err.
 */
static enum cbw_err
backup_dir(struct cbw_db *db, const char *dirarg, long long keep, char *err,
    size_t errlen)
{
	char		 tmp[4096], path[4096], name[BACKUP_NAME_MAX];
	char		 stamp[BACKUP_STAMP_LEN + 1];
	char		*dir = NULL;
	struct tm	 tm;
	time_t		 now = cbw_now();
	size_t		 len;
	enum cbw_err	 er = CBW_ENOMEM;
	int		 k;

	tmp[0] = '\0';
	if ((dir = strdup(dirarg)) == NULL) {
		snprintf(err, errlen, "mémoire insuffisante");
		goto out;
	}
	for (len = strlen(dir); len > 1 && dir[len - 1] == '/'; len--)
		dir[len - 1] = '\0';
	er = CBW_EIO;
	if (mkdir(dir, 0750) != 0 && errno != EEXIST) {
		snprintf(err, errlen, "dossier %s : %s", dir, strerror(errno));
		goto out;
	}
	if (localtime_r(&now, &tm) == NULL ||
	    strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm) !=
	    BACKUP_STAMP_LEN) {
		snprintf(err, errlen, "heure locale illisible");
		goto out;
	}
	if ((er = backup_to_temp(db, dir, tmp, sizeof(tmp), err, errlen)) !=
	    CBW_OK)
		goto out;
	if ((er = backup_next_counter(dir, stamp, &k, err, errlen)) != CBW_OK)
		goto out;
	er = CBW_EIO;
	for (; k <= BACKUP_COUNTER_MAX; k++) {
		if (k == 1)
			snprintf(name, sizeof(name), BACKUP_PREFIX "%s.db", stamp);
		else
			snprintf(name, sizeof(name), BACKUP_PREFIX "%s-%d.db",
			    stamp, k);
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >=
		    sizeof(path)) {
			snprintf(err, errlen, "%s : chemin trop long", dir);
			goto out;
		}
		if (link(tmp, path) == 0)
			break;
		if (errno != EEXIST) {
			snprintf(err, errlen, "%s/%s : %s", dir, name,
			    strerror(errno));
			goto out;
		}
	}
	if (k > BACKUP_COUNTER_MAX) {
		snprintf(err, errlen, "%s : trop de sauvegardes dans la même "
		    "seconde", dir);
		goto out;
	}
	if (unlink(tmp) != 0) {
		snprintf(err, errlen, "%s : %s", tmp, strerror(errno));
		goto out;
	}
	tmp[0] = '\0';
	if ((er = sync_dir(dir, err, errlen)) != CBW_OK)
		goto out;
	printf("Sauvegarde écrite dans %s.\n", path);
	er = backup_rotate(dir, name, keep, err, errlen);
out:
	if (tmp[0] != '\0')
		remove_temp(tmp);
	free(dir);
	return er;
}

/*
 * backup FICHIER | backup --dir DOSSIER [--keep N] : rend le code de
 * sortie (0 écrit, 1 échec, 2 ligne de commande fausse).
 */
static int
cmd_backup(struct cbw_db *db, int argc, char **argv)
{
	static const struct option	 opts[] = {
		{ "dir", required_argument, NULL, 'd' },
		{ "keep", required_argument, NULL, 'k' },
		{ NULL, 0, NULL, 0 }
	};
	const char			*dir = NULL, *keep_s = NULL;
	char				 err[512];
	long long			 keep = BACKUP_KEEP_DEFAULT;
	enum cbw_err			 er;
	int				 c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'd')
			dir = optarg;
		else if (c == 'k')
			keep_s = optarg;
		else {
			usage();
			return 2;
		}
	}
	if (dir == NULL ? (keep_s != NULL || optind != argc - 1) :
	    optind != argc) {
		usage();
		return 2;
	}
	if (keep_s != NULL && cbw_valid_int64(keep_s, 1, BACKUP_KEEP_MAX,
	    &keep) != CBW_OK) {
		fprintf(stderr, "chatbot-whatsapp-admin : --keep doit être un "
		    "nombre entier de 1 à %d\n", BACKUP_KEEP_MAX);
		return 2;
	}
	er = dir == NULL ? backup_file(db, argv[optind], err, sizeof(err)) :
	    backup_dir(db, dir, keep, err, sizeof(err));
	if (er != CBW_OK) {
		fprintf(stderr, "chatbot-whatsapp-admin : sauvegarde : %s\n", err);
		return 1;
	}
	if (dir == NULL)
		printf("Sauvegarde écrite dans %s.\n", argv[optind]);
	return 0;
}

/*
 * restore FICHIER --yes : remplace toute la base par la sauvegarde
 * FICHIER (vérifiée d'abord), puis applique les migrations en attente.
 * Rend le code de sortie (0 restaurée, 1 échec ou fichier refusé, base
 * intacte, 2 ligne de commande fausse ou --yes absent).
 */
static int
cmd_restore(struct cbw_db *db, const struct cbw_config *cfg, int argc,
    char **argv)
{
	static const struct option	 opts[] = {
		{ "yes", no_argument, NULL, 'y' },
		{ NULL, 0, NULL, 0 }
	};
	struct stat			 a, b;
	const char			*file;
	char				 err[512];
	int				 c, yes = 0, n = 0;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'y')
			yes = 1;
		else {
			usage();
			return 2;
		}
	}
	if (optind != argc - 1) {
		usage();
		return 2;
	}
	file = argv[optind];
	if (!yes) {
		fprintf(stderr, "chatbot-whatsapp-admin : restore remplace toutes "
		    "les données de la base %s (comptes, contacts, campagnes, "
		    "messages, statistiques) par celles de %s ; ce qui a été fait "
		    "depuis cette sauvegarde sera perdu. Ajoutez --yes pour "
		    "confirmer.\n", cfg->database_path, file);
		return 2;
	}
	if (stat(file, &a) == 0 && stat(cfg->database_path, &b) == 0 &&
	    a.st_dev == b.st_dev && a.st_ino == b.st_ino) {
		fprintf(stderr, "chatbot-whatsapp-admin : restauration : %s est "
		    "la base en service\n", file);
		return 1;
	}
	if (cbw_db_restore(db, file, err, sizeof(err)) != CBW_OK) {
		fprintf(stderr, "chatbot-whatsapp-admin : restauration refusée "
		    "ou impossible, base inchangée : %s\n", err);
		return 1;
	}
	if (cbw_migrate(db, cfg->migrations_dir, &n, err, sizeof(err)) !=
	    CBW_OK) {
		fprintf(stderr, "chatbot-whatsapp-admin : base restaurée, mais "
		    "migrations en échec : %s\n", err);
		return 1;
	}
	printf("Base restaurée depuis %s ; %d migration(s) appliquée(s).\n",
	    file, n);
	return 0;
}

/*
 * Point d'entrée : charge la configuration (en root si lancé par sudo),
 * règle le fuseau (TIME_ZONE), prend l'identité du propriétaire des
 * données, ouvre la base et lance la commande. Rend 0 si tout va bien,
 * 1 en cas d'échec, 2 si la ligne de commande est fausse.
 */
int
main(int argc, char **argv)
{
	struct cbw_config	 cfg;
	struct cbw_db		*db = NULL;
	char			 err[512];
	int			 rc = 2, loaded = 0;

	if (argc < 2) {
		usage();
		goto out;
	}
	cbw_log_init("chatbot-whatsapp-admin", CBW_LOG_WARNING);
	rc = 1;
	if (cbw_config_load(&cfg, err, sizeof(err)) != CBW_OK) {
		fprintf(stderr, "chatbot-whatsapp-admin : %s\n", err);
		goto out;
	}
	loaded = 1;
	if (setenv("TZ", cfg.time_zone, 1) != 0) {
		fprintf(stderr, "chatbot-whatsapp-admin : TIME_ZONE : %s\n",
		    strerror(errno));
		goto out;
	}
	tzset();
	if (become_data_owner(cfg.database_path, err, sizeof(err)) != CBW_OK) {
		fprintf(stderr, "chatbot-whatsapp-admin : %s\n", err);
		goto out;
	}
	if (cbw_db_open(&db, cfg.database_path, 1, err, sizeof(err)) != CBW_OK) {
		fprintf(stderr, "chatbot-whatsapp-admin : %s\n", err);
		goto out;
	}
	rc = 2;
	if (strcmp(argv[1], "migrate") == 0)
		rc = cmd_migrate(db, &cfg);
	else if (strcmp(argv[1], "create-user") == 0)
		rc = cmd_user(db, argc - 1, argv + 1, 1);
	else if (strcmp(argv[1], "reset-password") == 0)
		rc = cmd_user(db, argc - 1, argv + 1, 0);
	else if (strcmp(argv[1], "backup") == 0)
		rc = cmd_backup(db, argc - 1, argv + 1);
	else if (strcmp(argv[1], "restore") == 0)
		rc = cmd_restore(db, &cfg, argc - 1, argv + 1);
	else if (strcmp(argv[1], "seed") == 0)
		rc = cbw_cli_seed(db, argc - 1, argv + 1);
	else
		usage();
out:
	cbw_db_close(db);
	if (loaded)
		cbw_config_free(&cfg);
	return rc;
}
