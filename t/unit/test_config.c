/*
 * Tests unitaires du chargement de la configuration (lib/config.c).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "log.h"

#define SECRET32	"0123456789abcdef0123456789abcdef"	/* 32 octets */
#define SECRET31	"0123456789abcdef0123456789abcde"	/* 31 octets */

static const char *const keys[] = {
	"DATABASE_PATH", "SECRET_KEY", "WHATSAPP_ACCESS_TOKEN",
	"WHATSAPP_PHONE_NUMBER_ID", "WHATSAPP_VERIFY_TOKEN",
	"WHATSAPP_APP_SECRET", "WHATSAPP_API_VERSION", "GRAPH_BASE_URL",
	"SEND_RATE_PER_MINUTE", "RATE_LIMIT_PER_MINUTE", "ALLOWED_ORIGINS",
	"TIME_ZONE", "LOG_LEVEL", "TEMPLATE_DIR", "STATIC_DIR",
	"MIGRATIONS_DIR", "MAX_BODY_BYTES", "COOKIE_SECURE", "CBW_CONF",
};

static char	 path[64];

/* Aucune clé de configuration dans l'environnement avant chaque test. */
static int
clean_env(void **state)
{
	size_t	 i;

	(void)state;
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		unsetenv(keys[i]);
	path[0] = '\0';
	return 0;
}

static int
teardown(void **state)
{
	if (path[0] != '\0')
		unlink(path);
	return clean_env(state);
}

/* Écrit `text` dans un fichier temporaire ; rend son chemin (path). */
static const char *
conf(const char *text)
{
	int	 fd;
	size_t	 n = strlen(text);

	if (path[0] != '\0')
		unlink(path);
	snprintf(path, sizeof(path), "/tmp/cbw-conf-XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, n), (ssize_t)n);
	close(fd);
	return path;
}

/* Charge `text` ; attend un échec CBW_EINVAL dont le message contient les mots. */
static void
load_fail(const char *text, enum cbw_err want, const char *w1, const char *w2)
{
	struct cbw_config	 c;
	char			 err[512] = "";

	assert_int_equal(cbw_config_load_file(&c, conf(text), 1, err,
	    sizeof(err)), want);
	if (w1 != NULL && strstr(err, w1) == NULL)
		fail_msg("message « %s » sans « %s »", err, w1);
	if (w2 != NULL && strstr(err, w2) == NULL)
		fail_msg("message « %s » sans « %s »", err, w2);
	/* La configuration est libérée après un échec. */
	assert_null(c.secret_key);
	assert_null(c.database_path);
}

static void
test_defaults(void **state)
{
	struct cbw_config	 c;
	char			 err[256] = "";

	(void)state;
	setenv("SECRET_KEY", SECRET32, 1);
	assert_int_equal(cbw_config_load_file(&c, NULL, 0, err, sizeof(err)),
	    CBW_OK);
	assert_string_equal(c.secret_key, SECRET32);
	assert_string_equal(c.database_path,
	    "/var/lib/chatbot-whatsapp/chatbot-whatsapp.db");
	assert_string_equal(c.whatsapp_access_token, "");
	assert_string_equal(c.whatsapp_api_version, "v23.0");
	assert_string_equal(c.graph_base_url, "https://graph.facebook.com");
	assert_int_equal(c.send_rate_per_minute, 25);
	assert_int_equal(c.rate_limit_per_minute, 100);
	assert_string_equal(c.allowed_origins, "");
	assert_string_equal(c.time_zone, "Europe/Paris");
	assert_int_equal(c.log_level, CBW_LOG_INFO);
	assert_int_equal(c.max_body_bytes, 1048576);
	assert_int_equal(c.cookie_secure, 0);
	assert_non_null(strstr(c.template_dir, "/templates"));
	assert_non_null(strstr(c.migrations_dir, "/migrations"));
	cbw_config_free(&c);
	assert_null(c.secret_key);
	assert_null(c.database_path);
}

/* Fichier facultatif absent : défauts ; obligatoire absent : CBW_EIO. */
static void
test_missing_file(void **state)
{
	struct cbw_config	 c;
	char			 err[256] = "";

	(void)state;
	setenv("SECRET_KEY", SECRET32, 1);
	assert_int_equal(cbw_config_load_file(&c, "/nonexistent/cbw.conf", 0,
	    err, sizeof(err)), CBW_OK);
	assert_int_equal(c.send_rate_per_minute, 25);
	cbw_config_free(&c);
	assert_int_equal(cbw_config_load_file(&c, "/nonexistent/cbw.conf", 1,
	    err, sizeof(err)), CBW_EIO);
	assert_non_null(strstr(err, "/nonexistent/cbw.conf"));
}

static void
test_file_syntax(void **state)
{
	struct cbw_config	 c;
	char			 err[256] = "";

	(void)state;
	conf("# commentaire\n"
	    "\n"
	    "   \n"
	    "   # commentaire indenté\n"
	    "SECRET_KEY=\"" SECRET32 "\"\n"
	    "DATABASE_PATH = /tmp/x y.db  \n"
	    "\tSEND_RATE_PER_MINUTE=80\r\n"
	    "ALLOWED_ORIGINS=\"https://a.fr, https://b.fr\"\n"
	    "LOG_LEVEL=debug\n"
	    "COOKIE_SECURE=1\n"
	    "WHATSAPP_VERIFY_TOKEN=a=b=c\n"
	    "WHATSAPP_APP_SECRET=\"\n"
	    "WHATSAPP_ACCESS_TOKEN=\"\"\n"
	    "RATE_LIMIT_PER_MINUTE=0\n"
	    "MAX_BODY_BYTES=2048");	/* pas de saut de ligne final */
	assert_int_equal(cbw_config_load_file(&c, path, 1, err, sizeof(err)),
	    CBW_OK);
	assert_string_equal(c.secret_key, SECRET32);
	assert_string_equal(c.database_path, "/tmp/x y.db");
	assert_int_equal(c.send_rate_per_minute, 80);
	assert_string_equal(c.allowed_origins, "https://a.fr, https://b.fr");
	assert_int_equal(c.log_level, CBW_LOG_DEBUG);
	assert_int_equal(c.cookie_secure, 1);
	assert_string_equal(c.whatsapp_verify_token, "a=b=c");
	assert_string_equal(c.whatsapp_app_secret, "\"");
	assert_string_equal(c.whatsapp_access_token, "");
	assert_int_equal(c.rate_limit_per_minute, 0);
	assert_int_equal(c.max_body_bytes, 2048);
	/* Non donnés : défauts. */
	assert_string_equal(c.time_zone, "Europe/Paris");
	cbw_config_free(&c);
}

/* Une clé donnée deux fois : la dernière l'emporte. */
static void
test_file_last_wins(void **state)
{
	struct cbw_config	 c;
	char			 err[256] = "";

	(void)state;
	conf("SECRET_KEY=" SECRET32 "\nTIME_ZONE=UTC\nTIME_ZONE=Europe/Rome\n");
	assert_int_equal(cbw_config_load_file(&c, path, 1, err, sizeof(err)),
	    CBW_OK);
	assert_string_equal(c.time_zone, "Europe/Rome");
	cbw_config_free(&c);
}

static void
test_unknown_key(void **state)
{
	(void)state;
	load_fail("SECRET_KEY=" SECRET32 "\n# x\nTIMEZONE=UTC\n", CBW_EINVAL,
	    "TIMEZONE", ":3 ");
	load_fail("secret_key=" SECRET32 "\n", CBW_EINVAL, "secret_key", ":1 ");
	load_fail("=value\n", CBW_EINVAL, "clé inconnue", ":1 ");
}

static void
test_no_equal(void **state)
{
	(void)state;
	load_fail("SECRET_KEY=" SECRET32 "\n\nDATABASE_PATH /tmp/x.db\n",
	    CBW_EINVAL, ":3 ", "=");
}

static void
test_long_values(void **state)
{
	struct cbw_config	 c;
	char			 err[256] = "";

	(void)state;
	load_fail("SECRET_KEY=" SECRET32 "\nSEND_RATE_PER_MINUTE=0\n",
	    CBW_EINVAL, "SEND_RATE_PER_MINUTE", "« 0 »");
	load_fail("SECRET_KEY=" SECRET32 "\nSEND_RATE_PER_MINUTE=100001\n",
	    CBW_EINVAL, "SEND_RATE_PER_MINUTE", "100000");
	load_fail("SECRET_KEY=" SECRET32 "\nSEND_RATE_PER_MINUTE=vingt\n",
	    CBW_EINVAL, "SEND_RATE_PER_MINUTE", "vingt");
	load_fail("SECRET_KEY=" SECRET32 "\nSEND_RATE_PER_MINUTE=25 req\n",
	    CBW_EINVAL, "SEND_RATE_PER_MINUTE", NULL);
	load_fail("SECRET_KEY=" SECRET32 "\nSEND_RATE_PER_MINUTE=\n",
	    CBW_EINVAL, "SEND_RATE_PER_MINUTE", NULL);
	load_fail("SECRET_KEY=" SECRET32 "\nRATE_LIMIT_PER_MINUTE=-1\n",
	    CBW_EINVAL, "RATE_LIMIT_PER_MINUTE", NULL);
	load_fail("SECRET_KEY=" SECRET32 "\nMAX_BODY_BYTES=1023\n",
	    CBW_EINVAL, "MAX_BODY_BYTES", NULL);
	load_fail("SECRET_KEY=" SECRET32 "\nCOOKIE_SECURE=yes\n",
	    CBW_EINVAL, "COOKIE_SECURE", NULL);
	load_fail("SECRET_KEY=" SECRET32 "\nLOG_LEVEL=verbose\n",
	    CBW_EINVAL, "LOG_LEVEL", "verbose");
	/* Bornes acceptées. */
	conf("SECRET_KEY=" SECRET32 "\nSEND_RATE_PER_MINUTE=1\n");
	assert_int_equal(cbw_config_load_file(&c, path, 1, err, sizeof(err)),
	    CBW_OK);
	assert_int_equal(c.send_rate_per_minute, 1);
	cbw_config_free(&c);
	conf("SECRET_KEY=" SECRET32 "\nSEND_RATE_PER_MINUTE=100000\n");
	assert_int_equal(cbw_config_load_file(&c, path, 1, err, sizeof(err)),
	    CBW_OK);
	assert_int_equal(c.send_rate_per_minute, 100000);
	cbw_config_free(&c);
}

static void
test_secret(void **state)
{
	struct cbw_config	 c;
	char			 err[256] = "";

	(void)state;
	load_fail("DATABASE_PATH=/tmp/x.db\n", CBW_EINVAL, "SECRET_KEY", NULL);
	load_fail("SECRET_KEY=\n", CBW_EINVAL, "SECRET_KEY", NULL);
	load_fail("SECRET_KEY=\"\"\n", CBW_EINVAL, "SECRET_KEY", NULL);
	load_fail("SECRET_KEY=" SECRET31 "\n", CBW_EINVAL, "SECRET_KEY", "31");
	load_fail("SECRET_KEY=" SECRET32 "\nDATABASE_PATH=\n", CBW_EINVAL,
	    "DATABASE_PATH", NULL);
	/* 31 octets utiles entre guillemets : toujours trop court. */
	load_fail("SECRET_KEY=\"" SECRET31 "\"\n", CBW_EINVAL, "SECRET_KEY", "31");
	conf("SECRET_KEY=" SECRET32 "\n");
	assert_int_equal(cbw_config_load_file(&c, path, 1, err, sizeof(err)),
	    CBW_OK);
	cbw_config_free(&c);
}

static void
test_env_overrides(void **state)
{
	struct cbw_config	 c;
	char			 err[256] = "";

	(void)state;
	conf("SECRET_KEY=" SECRET31 "\nSEND_RATE_PER_MINUTE=10\n"
	    "TIME_ZONE=UTC\n");
	/* Fichier seul : clé trop courte. */
	assert_int_equal(cbw_config_load_file(&c, path, 1, err, sizeof(err)),
	    CBW_EINVAL);
	setenv("SECRET_KEY", SECRET32 "X", 1);
	setenv("SEND_RATE_PER_MINUTE", "99", 1);
	assert_int_equal(cbw_config_load_file(&c, path, 1, err, sizeof(err)),
	    CBW_OK);
	assert_string_equal(c.secret_key, SECRET32 "X");
	assert_int_equal(c.send_rate_per_minute, 99);
	assert_string_equal(c.time_zone, "UTC");
	cbw_config_free(&c);
	/* Une valeur fausse dans l'environnement est aussi refusée. */
	setenv("SEND_RATE_PER_MINUTE", "0", 1);
	err[0] = '\0';
	assert_int_equal(cbw_config_load_file(&c, path, 1, err, sizeof(err)),
	    CBW_EINVAL);
	assert_non_null(strstr(err, "SEND_RATE_PER_MINUTE"));
	unsetenv("SEND_RATE_PER_MINUTE");
	/* Variable vide : elle remplace quand même. */
	setenv("TIME_ZONE", "", 1);
	assert_int_equal(cbw_config_load_file(&c, path, 1, err, sizeof(err)),
	    CBW_OK);
	assert_string_equal(c.time_zone, "");
	assert_int_equal(c.send_rate_per_minute, 10);
	cbw_config_free(&c);
}

/* cbw_config_load suit CBW_CONF (obligatoire). */
static void
test_load_cbw_conf(void **state)
{
	struct cbw_config	 c;
	char			 err[256] = "";

	(void)state;
	conf("SECRET_KEY=" SECRET32 "\nTIME_ZONE=Asia/Tokyo\n");
	setenv("CBW_CONF", path, 1);
	assert_int_equal(cbw_config_load(&c, err, sizeof(err)), CBW_OK);
	assert_string_equal(c.time_zone, "Asia/Tokyo");
	cbw_config_free(&c);
	setenv("CBW_CONF", "/nonexistent/cbw.conf", 1);
	assert_int_equal(cbw_config_load(&c, err, sizeof(err)), CBW_EIO);
}

static void
test_origin_allowed(void **state)
{
	struct cbw_config	 c;

	(void)state;
	memset(&c, 0, sizeof(c));
	c.allowed_origins = "https://a.fr, https://b.fr";
	assert_int_equal(cbw_config_origin_allowed(&c, "https://a.fr"), 1);
	assert_int_equal(cbw_config_origin_allowed(&c, "https://b.fr"), 1);
	assert_int_equal(cbw_config_origin_allowed(&c, "https://c.fr"), 0);
	assert_int_equal(cbw_config_origin_allowed(&c, "https://a.f"), 0);
	assert_int_equal(cbw_config_origin_allowed(&c, "https://a.fr.evil.com"), 0);
	assert_int_equal(cbw_config_origin_allowed(&c, "https://a.fr/"), 0);
	assert_int_equal(cbw_config_origin_allowed(&c, "http://a.fr"), 0);
	assert_int_equal(cbw_config_origin_allowed(&c, "https://A.fr"), 0);
	assert_int_equal(cbw_config_origin_allowed(&c, "https"), 0);
	assert_int_equal(cbw_config_origin_allowed(&c, " https://a.fr"), 0);
	assert_int_equal(cbw_config_origin_allowed(&c, "https://a.fr, https://b.fr"), 0);
	assert_int_equal(cbw_config_origin_allowed(&c, ""), 0);
	assert_int_equal(cbw_config_origin_allowed(&c, NULL), 0);
	c.allowed_origins = "https://a.fr,https://b.fr,";
	assert_int_equal(cbw_config_origin_allowed(&c, "https://b.fr"), 1);
	assert_int_equal(cbw_config_origin_allowed(&c, ""), 0);
	c.allowed_origins = "  https://solo.fr  ";
	assert_int_equal(cbw_config_origin_allowed(&c, "https://solo.fr"), 1);
	c.allowed_origins = "";
	assert_int_equal(cbw_config_origin_allowed(&c, "https://a.fr"), 0);
	c.allowed_origins = NULL;
	assert_int_equal(cbw_config_origin_allowed(&c, "https://a.fr"), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_defaults, clean_env, teardown),
		cmocka_unit_test_setup_teardown(test_missing_file, clean_env, teardown),
		cmocka_unit_test_setup_teardown(test_file_syntax, clean_env, teardown),
		cmocka_unit_test_setup_teardown(test_file_last_wins, clean_env, teardown),
		cmocka_unit_test_setup_teardown(test_unknown_key, clean_env, teardown),
		cmocka_unit_test_setup_teardown(test_no_equal, clean_env, teardown),
		cmocka_unit_test_setup_teardown(test_long_values, clean_env, teardown),
		cmocka_unit_test_setup_teardown(test_secret, clean_env, teardown),
		cmocka_unit_test_setup_teardown(test_env_overrides, clean_env, teardown),
		cmocka_unit_test_setup_teardown(test_load_cbw_conf, clean_env, teardown),
		cmocka_unit_test(test_origin_allowed),
	};

	return cmocka_run_group_tests_name("config", tests, NULL, NULL);
}
