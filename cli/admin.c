/*
 * chatbot-whatsapp-admin : migrations, création de compte, nouveau mot de
 * passe, sauvegarde en ligne, données de démonstration (seed). Les mots de
 * passe arrivent par l'entrée standard ou une invite sans écho, jamais par
 * la ligne de commande.
 */
#include <errno.h>
#include <getopt.h>
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
	    "        chatbot-whatsapp-admin seed --messages N --admin E "
	    "[--campaigns K] [--days D]\n"
	    "Le mot de passe est lu sur l'entrée standard (ou demandé).\n");
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

/* backup FICHIER ; 0 si tout va bien. */
static int
cmd_backup(struct cbw_db *db, int argc, char **argv)
{
	char	 err[512];

	if (argc != 2) {
		usage();
		return 2;
	}
	if (cbw_db_backup(db, argv[1], err, sizeof(err)) != CBW_OK) {
		fprintf(stderr, "chatbot-whatsapp-admin : sauvegarde : %s\n", err);
		return 1;
	}
	printf("Sauvegarde écrite dans %s.\n", argv[1]);
	return 0;
}


int
main(int argc, char **argv)
{
	struct cbw_config	 cfg;
	struct cbw_db		*db = NULL;
	char			 err[512];
	int			 rc = 2;

	if (argc < 2) {
		usage();
		return 2;
	}
	cbw_log_init("chatbot-whatsapp-admin", CBW_LOG_WARNING);
	if (cbw_config_load(&cfg, err, sizeof(err)) != CBW_OK) {
		fprintf(stderr, "chatbot-whatsapp-admin : %s\n", err);
		return 1;
	}
	if (cbw_db_open(&db, cfg.database_path, 1, err, sizeof(err)) != CBW_OK) {
		fprintf(stderr, "chatbot-whatsapp-admin : %s\n", err);
		cbw_config_free(&cfg);
		return 1;
	}
	if (strcmp(argv[1], "migrate") == 0)
		rc = cmd_migrate(db, &cfg);
	else if (strcmp(argv[1], "create-user") == 0)
		rc = cmd_user(db, argc - 1, argv + 1, 1);
	else if (strcmp(argv[1], "reset-password") == 0)
		rc = cmd_user(db, argc - 1, argv + 1, 0);
	else if (strcmp(argv[1], "backup") == 0)
		rc = cmd_backup(db, argc - 1, argv + 1);
	else if (strcmp(argv[1], "seed") == 0)
		rc = cbw_cli_seed(db, argc - 1, argv + 1);
	else
		usage();
	cbw_db_close(db);
	cbw_config_free(&cfg);
	return rc;
}
