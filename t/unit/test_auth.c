/*
 * Tests unitaires de l'authentification, de la limite de requêtes et des
 * règles de gestion des comptes (lib/auth.c, lib/ratelimit.c, lib/user.c,
 * lib/audit.c), sur une base temporaire migrée. L'horloge est pilotée par
 * CBW_TEST_NOW (build --enable-test-clock).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "testutil.h"
#include "auth.h"
#include "clock.h"
#include "config.h"
#include "crypto.h"
#include "db.h"
#include "http.h"
#include "jwt.h"
#include "migrate.h"
#include "ratelimit.h"
#include "user.h"

#define SECRET	"test-secret-0123456789abcdef-0123456789"
#define T0	1800000020LL		/* T0 % 60 == 20 */
#define PW_SUPER	"Super-motdepasse-1"
#define PW_ADMIN	"Admin-motdepasse-2"
#define PW_LIMIT	"Limite-motdepasse-3"

static struct {
	char			 dir[64];
	struct cbw_db		*db;
	struct cbw_config	 cfg;
	long long		 super1, admin1, inactive, limit;
} g;

/* Déplace l'horloge de l'application. */
static void
set_now(long long t)
{
	char	 s[32];

	snprintf(s, sizeof(s), "%lld", t);
	setenv("CBW_TEST_NOW", s, 1);
	assert_true((long long)cbw_now() == t);
}

/* Insère un compte sans bcrypt (mot de passe inutilisable). */
static long long
quick_user(const char *email, const char *role, int active)
{
	assert_int_equal(cbw_db_exec(g.db, "INSERT INTO users(email, "
	    "password_hash, role, is_active, created_at, updated_at) VALUES "
	    "(?, 'x', ?, ?, '2027-01-01T00:00:00Z', '2027-01-01T00:00:00Z')",
	    "ssi", email, role, (long long)active), CBW_OK);
	return cbw_db_last_id(g.db);
}

/* Premier entier d'une requête (paramètres comme cbw_db_query_int). */
static long long	 cnt_v;
#define count(...)	(assert_int_equal(cbw_db_query_int(g.db, &cnt_v, \
			    __VA_ARGS__), CBW_OK), cnt_v)

static int
group_setup(void **state)
{
	char	 err[512] = "";

	(void)state;
	memset(&g, 0, sizeof(g));
	set_now(T0);
	snprintf(g.dir, sizeof(g.dir), "/tmp/cbw-auth-XXXXXX");
	if (mkdtemp(g.dir) == NULL)
		return -1;
	{
		char	 path[128];

		snprintf(path, sizeof(path), "%s/auth.db", g.dir);
		if (cbw_db_open(&g.db, path, 1, err, sizeof(err)) != CBW_OK ||
		    cbw_migrate(g.db, cbw_t_migrations_dir(), NULL, err,
		    sizeof(err)) != CBW_OK) {
			fprintf(stderr, "setup : %s\n", err);
			return -1;
		}
	}
	g.cfg.secret_key = SECRET;
	g.cfg.rate_limit_per_minute = 100;
	if (cbw_user_create(g.db, NULL, "super1@ex.fr", PW_SUPER, "super_admin",
	    1, "127.0.0.1", &g.super1) != CBW_OK ||
	    cbw_user_create(g.db, NULL, "admin1@ex.fr", PW_ADMIN, "admin", 1,
	    "127.0.0.1", &g.admin1) != CBW_OK ||
	    cbw_user_create(g.db, NULL, "inactive@ex.fr", PW_ADMIN, "admin", 0,
	    "127.0.0.1", &g.inactive) != CBW_OK ||
	    cbw_user_create(g.db, NULL, "limit@ex.fr", PW_LIMIT, "admin", 1,
	    "127.0.0.1", &g.limit) != CBW_OK)
		return -1;
	return 0;
}

static int
group_teardown(void **state)
{
	(void)state;
	cbw_db_close(g.db);
	cbw_t_rmtree(g.dir);
	unsetenv("CBW_TEST_NOW");
	return 0;
}

/* ---- création et audit ----------------------------------------------------- */

static void
test_user_create(void **state)
{
	struct json_object	*row = NULL;
	long long		 id = -1;

	(void)state;
	set_now(T0);
	assert_true(g.super1 > 0 && g.admin1 > g.super1);
	assert_int_equal(cbw_user_get(g.db, g.admin1, &row), CBW_OK);
	assert_string_equal(json_object_to_json_string_ext(row,
	    JSON_C_TO_STRING_PLAIN), "{\"id\":2,\"email\":\"admin1@ex.fr\","
	    "\"role\":\"admin\",\"is_active\":true,"
	    "\"created_at\":\"2027-01-15T08:00:20Z\","
	    "\"updated_at\":\"2027-01-15T08:00:20Z\"}");
	json_object_put(row);
	/* Hachage bcrypt coût 12 stocké, jamais le mot de passe. */
	assert_true(count("SELECT count(*) FROM users WHERE id = ? AND "
	    "password_hash LIKE '$2b$12$%' AND length(password_hash) = 60",
	    "i", g.admin1) == 1);
	assert_true(count("SELECT count(*) FROM users WHERE password_hash "
	    "LIKE '%motdepasse%'", NULL) == 0);
	/* Audit de la création par l'outil en ligne de commande. */
	assert_int_equal(cbw_db_query_row(g.db, &row, "SELECT user_id, "
	    "actor_email, action, target_type, target_id, details, ip, created_at "
	    "FROM audit_log WHERE action = 'user.create' AND target_id = ?", "i",
	    g.admin1), CBW_OK);
	assert_string_equal(json_object_to_json_string_ext(row,
	    JSON_C_TO_STRING_PLAIN), "{\"user_id\":null,"
	    "\"actor_email\":\"chatbot-whatsapp-admin\",\"action\":\"user.create\","
	    "\"target_type\":\"user\",\"target_id\":2,"
	    "\"details\":\"{\\\"email\\\":\\\"admin1@ex.fr\\\",\\\"role\\\":\\\"admin\\\"}\","
	    "\"ip\":\"127.0.0.1\",\"created_at\":\"2027-01-15T08:00:20Z\"}");
	json_object_put(row);
	/* Adresse déjà prise (casse ignorée) : conflit, rien d'écrit. */
	assert_int_equal(cbw_user_create(g.db, NULL, "ADMIN1@ex.fr", PW_ADMIN,
	    "admin", 1, NULL, &id), CBW_ECONFLICT);
	assert_true(count("SELECT count(*) FROM users", NULL) == 4);
	assert_true(count("SELECT count(*) FROM audit_log WHERE action = "
	    "'user.create'", NULL) == 4);
}

/* ---- connexion ------------------------------------------------------------- */

static void
test_login_ok(void **state)
{
	struct cbw_user	 u;
	long		 ra = -1;

	(void)state;
	set_now(T0);
	memset(&u, 0x5a, sizeof(u));
	assert_int_equal(cbw_auth_login(g.db, "admin1@ex.fr", PW_ADMIN,
	    "10.0.0.1", &u, &ra), CBW_OK);
	assert_true(u.id == g.admin1);
	assert_string_equal(u.email, "admin1@ex.fr");
	assert_string_equal(u.role, "admin");
	assert_int_equal(u.is_super, 0);
	assert_int_equal(ra, 0);
	assert_true(count("SELECT count(*) FROM login_attempts WHERE email = "
	    "'admin1@ex.fr' AND ip = '10.0.0.1' AND success = 1 AND "
	    "attempted_at = ?", "i", T0) == 1);
	assert_int_equal(cbw_auth_login(g.db, "super1@ex.fr", PW_SUPER,
	    "10.0.0.1", &u, &ra), CBW_OK);
	assert_true(u.id == g.super1);
	assert_int_equal(u.is_super, 1);
	assert_string_equal(u.role, "super_admin");
}

static void
test_login_wrong_password(void **state)
{
	struct cbw_user	 u;
	long		 ra = -1;

	(void)state;
	set_now(T0);
	memset(&u, 0x5a, sizeof(u));
	assert_int_equal(cbw_auth_login(g.db, "admin1@ex.fr", "Admin-motdepasse-3",
	    "10.0.0.2", &u, &ra), CBW_EAUTH);
	assert_true(u.id == 0);
	assert_string_equal(u.email, "");
	assert_true(count("SELECT count(*) FROM login_attempts WHERE email = "
	    "'admin1@ex.fr' AND ip = '10.0.0.2' AND success = 0", NULL) == 1);
}

static void
test_login_unknown(void **state)
{
	struct cbw_user	 u;
	long		 ra = -1;

	(void)state;
	set_now(T0);
	assert_int_equal(cbw_auth_login(g.db, "nobody@ex.fr", PW_ADMIN,
	    "10.0.0.3", &u, &ra), CBW_EAUTH);
	assert_true(u.id == 0);
	assert_true(count("SELECT count(*) FROM login_attempts WHERE email = "
	    "'nobody@ex.fr' AND success = 0", NULL) == 1);
}

static void
test_login_inactive(void **state)
{
	struct cbw_user	 u;
	long		 ra = -1;

	(void)state;
	set_now(T0);
	/* Bon mot de passe, compte désactivé. */
	assert_int_equal(cbw_auth_login(g.db, "inactive@ex.fr", PW_ADMIN,
	    "10.0.0.4", &u, &ra), CBW_EAUTH);
	assert_true(u.id == 0);
	assert_string_equal(u.role, "");
}

/* 5 échecs par compte, puis blocage même avec le bon mot de passe. */
static void
test_login_throttle_account(void **state)
{
	struct cbw_user	 u;
	long		 ra;
	int		 i;

	(void)state;
	for (i = 0; i < CBW_LOGIN_MAX_FAILS; i++) {
		set_now(T0 + i);
		ra = -1;
		assert_int_equal(cbw_auth_login(g.db, "limit@ex.fr", "mauvais-mdp",
		    "10.0.1.1", &u, &ra), CBW_EAUTH);
		assert_int_equal(ra, 0);
	}
	set_now(T0 + 10);
	ra = -1;
	assert_int_equal(cbw_auth_login(g.db, "limit@ex.fr", PW_LIMIT,
	    "10.0.1.2", &u, &ra), CBW_ELIMIT);
	assert_true(ra > 0 && ra <= CBW_LOGIN_WINDOW);
	assert_int_equal(ra, T0 + CBW_LOGIN_WINDOW - (T0 + 10));	/* 890 */
	/* Le blocage n'est pas un essai de plus. */
	assert_true(count("SELECT count(*) FROM login_attempts WHERE email = "
	    "'limit@ex.fr'", NULL) == 5);
	/* cbw_auth_throttle seul donne le même délai. */
	ra = -1;
	assert_int_equal(cbw_auth_throttle(g.db, "limit@ex.fr", "10.9.9.9", &ra),
	    CBW_ELIMIT);
	assert_int_equal(ra, 890);
	/* Juste avant la fin de la fenêtre : toujours bloqué (1 s). */
	set_now(T0 + CBW_LOGIN_WINDOW - 1);
	assert_int_equal(cbw_auth_throttle(g.db, "limit@ex.fr", "10.9.9.9", &ra),
	    CBW_ELIMIT);
	assert_int_equal(ra, 1);
	/* 16 minutes plus tard : la connexion passe et efface les échecs. */
	set_now(T0 + 16 * 60);
	ra = -1;
	assert_int_equal(cbw_auth_login(g.db, "limit@ex.fr", PW_LIMIT,
	    "10.0.1.2", &u, &ra), CBW_OK);
	assert_true(u.id == g.limit);
	assert_int_equal(ra, 0);
	assert_true(count("SELECT count(*) FROM login_attempts WHERE email = "
	    "'limit@ex.fr' AND success = 0", NULL) == 0);
}

/* 5 échecs depuis une même IP (comptes divers) bloquent cette IP. */
static void
test_login_throttle_ip(void **state)
{
	struct cbw_user	 u;
	char		 email[64];
	long		 ra;
	int		 i;

	(void)state;
	for (i = 0; i < CBW_LOGIN_MAX_FAILS; i++) {
		set_now(T0 + 100 + i);
		snprintf(email, sizeof(email), "ghost%d@ex.fr", i);
		assert_int_equal(cbw_auth_login(g.db, email, "peu-importe",
		    "10.0.2.1", &u, &ra), CBW_EAUTH);
	}
	set_now(T0 + 200);
	ra = -1;
	assert_int_equal(cbw_auth_login(g.db, "admin1@ex.fr", PW_ADMIN,
	    "10.0.2.1", &u, &ra), CBW_ELIMIT);
	assert_int_equal(ra, T0 + 100 + CBW_LOGIN_WINDOW - (T0 + 200));
	/* Une autre IP n'est pas touchée (sans essai bcrypt : throttle seul). */
	assert_int_equal(cbw_auth_throttle(g.db, "admin1@ex.fr", "10.0.2.2", &ra),
	    CBW_OK);
	assert_int_equal(ra, 0);
}

/* ---- sessions web ------------------------------------------------------------ */

static void
test_web_session(void **state)
{
	char		 tok[CBW_TOKEN_HEX], fam[33], hash[CBW_SHA256_HEX];
	char		 tok2[CBW_TOKEN_HEX], fam2[33];
	struct cbw_user	 u;

	(void)state;
	set_now(T0);
	assert_int_equal(cbw_auth_session_new(g.db, g.admin1, "web", tok, fam),
	    CBW_OK);
	assert_int_equal(strlen(tok), 64);
	assert_int_equal(strlen(fam), 32);
	/* Seule l'empreinte est stockée. */
	cbw_crypto_sha256_hex(tok, strlen(tok), hash);
	assert_true(count("SELECT count(*) FROM refresh_tokens WHERE token_hash "
	    "= ? AND family_id = ? AND kind = 'web' AND expires_at = "
	    "'2027-01-22T08:00:20Z'", "ss", hash, fam) == 1);
	assert_true(count("SELECT count(*) FROM refresh_tokens WHERE token_hash "
	    "= ?", "s", tok) == 0);

	memset(&u, 0, sizeof(u));
	assert_int_equal(cbw_auth_web(g.db, tok, &u), CBW_OK);
	assert_true(u.id == g.admin1);
	assert_string_equal(u.email, "admin1@ex.fr");
	assert_string_equal(u.family, fam);
	assert_string_equal(u.session_hash, hash);

	/* Jetons faux. */
	assert_int_equal(cbw_auth_web(g.db, NULL, &u), CBW_EAUTH);
	assert_int_equal(cbw_auth_web(g.db, "", &u), CBW_EAUTH);
	assert_int_equal(cbw_auth_web(g.db, hash, &u), CBW_EAUTH);
	tok2[0] = '\0';
	snprintf(tok2, sizeof(tok2), "%.63s", tok);
	assert_int_equal(cbw_auth_web(g.db, tok2, &u), CBW_EAUTH);
	assert_true(u.id == 0);
	/* Un jeton « api » n'ouvre pas de session web. */
	assert_int_equal(cbw_auth_session_new(g.db, g.admin1, "api", tok2, fam2),
	    CBW_OK);
	assert_int_equal(cbw_auth_web(g.db, tok2, &u), CBW_EAUTH);

	/* Expiration après 7 jours. */
	set_now(T0 + CBW_REFRESH_TTL - 1);
	assert_int_equal(cbw_auth_web(g.db, tok, &u), CBW_OK);
	set_now(T0 + CBW_REFRESH_TTL);
	assert_int_equal(cbw_auth_web(g.db, tok, &u), CBW_EAUTH);
	set_now(T0);

	/* Déconnexion : la famille est révoquée. */
	assert_int_equal(cbw_auth_revoke_family(g.db, fam), CBW_OK);
	assert_int_equal(cbw_auth_web(g.db, tok, &u), CBW_EAUTH);
	assert_true(u.id == 0);
}

/* ---- rotation des jetons de rafraîchissement ---------------------------------- */

static void
test_refresh_rotation(void **state)
{
	char		 t0[CBW_TOKEN_HEX], t1[CBW_TOKEN_HEX], t2[CBW_TOKEN_HEX];
	char		 t3[CBW_TOKEN_HEX], fam[33], *jwt = NULL, authz[4200];
	struct cbw_user	 u, b;

	(void)state;
	set_now(T0);
	assert_int_equal(cbw_auth_session_new(g.db, g.admin1, "api", t0, fam),
	    CBW_OK);
	memset(&u, 0, sizeof(u));
	set_now(T0 + 60);
	assert_int_equal(cbw_auth_refresh(g.db, t0, t1, &u), CBW_OK);
	assert_int_equal(strlen(t1), 64);
	assert_string_not_equal(t0, t1);
	assert_true(u.id == g.admin1);
	assert_string_equal(u.family, fam);
	assert_string_equal(u.role, "admin");
	/* Le nouveau jeton marche, et donne un jeton d'accès valable. */
	set_now(T0 + 120);
	assert_int_equal(cbw_auth_refresh(g.db, t1, t2, &u), CBW_OK);
	assert_int_equal(cbw_auth_access(&g.cfg, &u, &jwt), CBW_OK);
	snprintf(authz, sizeof(authz), "Bearer %s", jwt);
	assert_int_equal(cbw_auth_bearer(g.db, &g.cfg, authz, &b), CBW_OK);
	assert_true(b.id == g.admin1);
	assert_true(count("SELECT count(*) FROM refresh_tokens WHERE family_id "
	    "= ? AND replaced_at IS NOT NULL", "s", fam) == 2);

	/* Réutilisation de l'ancien t0 : refus ET famille entière révoquée. */
	set_now(T0 + 180);
	assert_int_equal(cbw_auth_refresh(g.db, t0, t3, &u), CBW_EAUTH);
	assert_true(count("SELECT count(*) FROM refresh_tokens WHERE family_id "
	    "= ? AND revoked_at IS NULL", "s", fam) == 0);
	assert_true(count("SELECT count(*) FROM refresh_tokens WHERE family_id "
	    "= ?", "s", fam) == 3);
	/* Le dernier jeton émis (t2) est mort lui aussi, et le JWT de la famille. */
	assert_int_equal(cbw_auth_refresh(g.db, t2, t3, &u), CBW_EAUTH);
	assert_int_equal(cbw_auth_refresh(g.db, t1, t3, &u), CBW_EAUTH);
	assert_int_equal(cbw_auth_bearer(g.db, &g.cfg, authz, &b), CBW_EAUTH);
	assert_true(b.id == 0);
	/* Aucune transaction laissée ouverte. */
	assert_int_equal(cbw_db_begin(g.db), CBW_OK);
	cbw_db_rollback(g.db);
	free(jwt);
}

static void
test_refresh_bad(void **state)
{
	char		 t0[CBW_TOKEN_HEX], t1[CBW_TOKEN_HEX], fam[33];
	struct cbw_user	 u;

	(void)state;
	set_now(T0);
	assert_int_equal(cbw_auth_refresh(g.db, NULL, t1, &u), CBW_EAUTH);
	assert_int_equal(cbw_auth_refresh(g.db, "", t1, &u), CBW_EAUTH);
	assert_int_equal(cbw_auth_refresh(g.db, "abc", t1, &u), CBW_EAUTH);
	assert_int_equal(cbw_auth_refresh(g.db, "00000000000000000000000000000000"
	    "00000000000000000000000000000000", t1, &u), CBW_EAUTH);
	/* Un jeton de session web ne se fait pas tourner. */
	assert_int_equal(cbw_auth_session_new(g.db, g.admin1, "web", t0, fam),
	    CBW_OK);
	assert_int_equal(cbw_auth_refresh(g.db, t0, t1, &u), CBW_EAUTH);
	assert_int_equal(cbw_auth_web(g.db, t0, &u), CBW_OK);
	/* Jeton expiré. */
	assert_int_equal(cbw_auth_session_new(g.db, g.admin1, "api", t0, fam),
	    CBW_OK);
	set_now(T0 + CBW_REFRESH_TTL + 1);
	assert_int_equal(cbw_auth_refresh(g.db, t0, t1, &u), CBW_EAUTH);
	set_now(T0);
	/* Compte désactivé : refus (la désactivation révoque déjà tout). */
	assert_int_equal(cbw_auth_session_new(g.db, g.inactive, "api", t0, fam),
	    CBW_OK);
	assert_int_equal(cbw_auth_refresh(g.db, t0, t1, &u), CBW_EAUTH);
	assert_int_equal(cbw_db_begin(g.db), CBW_OK);
	cbw_db_rollback(g.db);
}

/* ---- jetons d'accès Bearer ------------------------------------------------------ */

static void
test_bearer(void **state)
{
	char			 tok[CBW_TOKEN_HEX], fam[33], authz[4200], *jwt = NULL;
	struct cbw_user		 u, b;
	struct cbw_user_edit	 e = { NULL, NULL, NULL, 0 };
	struct cbw_user		 actor;
	const char		*msg;
	long long		 id;

	(void)state;
	set_now(T0);
	id = quick_user("bearer@ex.fr", "admin", 1);
	assert_int_equal(cbw_auth_session_new(g.db, id, "api", tok, fam), CBW_OK);
	memset(&u, 0, sizeof(u));
	u.id = id;
	snprintf(u.role, sizeof(u.role), "admin");
	snprintf(u.family, sizeof(u.family), "%s", fam);
	assert_int_equal(cbw_auth_access(&g.cfg, &u, &jwt), CBW_OK);
	snprintf(authz, sizeof(authz), "Bearer %s", jwt);
	memset(&b, 0x5a, sizeof(b));
	assert_int_equal(cbw_auth_bearer(g.db, &g.cfg, authz, &b), CBW_OK);
	assert_true(b.id == id);
	assert_string_equal(b.email, "bearer@ex.fr");
	assert_string_equal(b.role, "admin");
	assert_string_equal(b.family, fam);
	assert_int_equal(b.is_super, 0);
	snprintf(authz, sizeof(authz), "bearer %s", jwt);
	assert_int_equal(cbw_auth_bearer(g.db, &g.cfg, authz, &b), CBW_OK);

	/* En-têtes faux. */
	assert_int_equal(cbw_auth_bearer(g.db, &g.cfg, NULL, &b), CBW_EAUTH);
	assert_int_equal(cbw_auth_bearer(g.db, &g.cfg, jwt, &b), CBW_EAUTH);
	snprintf(authz, sizeof(authz), "Basic %s", jwt);
	assert_int_equal(cbw_auth_bearer(g.db, &g.cfg, authz, &b), CBW_EAUTH);
	snprintf(authz, sizeof(authz), "Bearer  %s", jwt);
	assert_int_equal(cbw_auth_bearer(g.db, &g.cfg, authz, &b), CBW_EAUTH);
	assert_int_equal(cbw_auth_bearer(g.db, &g.cfg, "Bearer ", &b), CBW_EAUTH);
	assert_true(b.id == 0);

	/* Jeton expiré au bout de 30 minutes. */
	snprintf(authz, sizeof(authz), "Bearer %s", jwt);
	set_now(T0 + CBW_JWT_TTL - 1);
	assert_int_equal(cbw_auth_bearer(g.db, &g.cfg, authz, &b), CBW_OK);
	set_now(T0 + CBW_JWT_TTL);
	assert_int_equal(cbw_auth_bearer(g.db, &g.cfg, authz, &b), CBW_EAUTH);
	set_now(T0);

	/* Famille révoquée : refus. */
	assert_int_equal(cbw_auth_revoke_family(g.db, fam), CBW_OK);
	assert_int_equal(cbw_auth_bearer(g.db, &g.cfg, authz, &b), CBW_EAUTH);
	free(jwt);

	/* Nouvelle session, puis compte désactivé par un super admin. */
	assert_int_equal(cbw_auth_session_new(g.db, id, "api", tok, fam), CBW_OK);
	snprintf(u.family, sizeof(u.family), "%s", fam);
	assert_int_equal(cbw_auth_access(&g.cfg, &u, &jwt), CBW_OK);
	snprintf(authz, sizeof(authz), "Bearer %s", jwt);
	assert_int_equal(cbw_auth_bearer(g.db, &g.cfg, authz, &b), CBW_OK);
	memset(&actor, 0, sizeof(actor));
	actor.id = g.super1;
	snprintf(actor.email, sizeof(actor.email), "super1@ex.fr");
	snprintf(actor.role, sizeof(actor.role), "super_admin");
	actor.is_super = 1;
	e.is_active = 0;
	assert_int_equal(cbw_user_update(g.db, &actor, id, &e, "10.0.0.9", &msg),
	    CBW_OK);
	assert_null(msg);
	assert_int_equal(cbw_auth_bearer(g.db, &g.cfg, authz, &b), CBW_EAUTH);
	/* Sessions fermées par la désactivation. */
	assert_true(count("SELECT count(*) FROM refresh_tokens WHERE user_id = ? "
	    "AND revoked_at IS NULL", "i", id) == 0);
	free(jwt);

	/* Jeton signé avec une autre clé. */
	{
		struct cbw_config	 other = g.cfg;

		other.secret_key = "another-secret-another-secret-0000";
		assert_int_equal(cbw_auth_session_new(g.db, g.admin1, "api", tok,
		    fam), CBW_OK);
		memset(&u, 0, sizeof(u));
		u.id = g.admin1;
		snprintf(u.role, sizeof(u.role), "admin");
		snprintf(u.family, sizeof(u.family), "%s", fam);
		assert_int_equal(cbw_auth_access(&other, &u, &jwt), CBW_OK);
		snprintf(authz, sizeof(authz), "Bearer %s", jwt);
		assert_int_equal(cbw_auth_bearer(g.db, &g.cfg, authz, &b), CBW_EAUTH);
		assert_int_equal(cbw_auth_bearer(g.db, &other, authz, &b), CBW_OK);
		free(jwt);
	}
}

/* ---- CSRF -------------------------------------------------------------------------- */

static void
test_csrf(void **state)
{
	char	 t1[CBW_TOKEN_HEX], t2[CBW_TOKEN_HEX], want[CBW_SHA256_HEX];
	char	 bad[CBW_TOKEN_HEX];

	(void)state;
	cbw_auth_csrf(&g.cfg, "binding-1", t1);
	assert_int_equal(strlen(t1), 64);
	assert_int_equal(cbw_crypto_hmac_hex(SECRET, strlen(SECRET),
	    "csrf:binding-1", strlen("csrf:binding-1"), want), CBW_OK);
	assert_string_equal(t1, want);
	cbw_auth_csrf(&g.cfg, "binding-2", t2);
	assert_string_not_equal(t1, t2);
	assert_int_equal(cbw_auth_csrf_ok(&g.cfg, "binding-1", t1), 1);
	assert_int_equal(cbw_auth_csrf_ok(&g.cfg, "binding-2", t2), 1);
	assert_int_equal(cbw_auth_csrf_ok(&g.cfg, "binding-2", t1), 0);
	assert_int_equal(cbw_auth_csrf_ok(&g.cfg, "binding-1", t2), 0);
	memcpy(bad, t1, sizeof(bad));
	bad[10] = bad[10] == 'a' ? 'b' : 'a';
	assert_int_equal(cbw_auth_csrf_ok(&g.cfg, "binding-1", bad), 0);
	bad[10] = t1[10];
	bad[63] = '\0';
	assert_int_equal(cbw_auth_csrf_ok(&g.cfg, "binding-1", bad), 0);
	assert_int_equal(cbw_auth_csrf_ok(&g.cfg, "binding-1", ""), 0);
	assert_int_equal(cbw_auth_csrf_ok(&g.cfg, "binding-1", NULL), 0);
	/* Liaison vide ou absente : toujours refusé. */
	cbw_auth_csrf(&g.cfg, "", t2);
	assert_int_equal(cbw_auth_csrf_ok(&g.cfg, "", t2), 0);
	assert_int_equal(cbw_auth_csrf_ok(&g.cfg, NULL, t2), 0);
}

/* ---- limite de requêtes par IP --------------------------------------------------------- */

static void
test_ratelimit(void **state)
{
	long	 ra;
	int	 i;

	(void)state;
	set_now(T0);		/* 20 s après le début de la minute */
	for (i = 1; i <= 3; i++) {
		ra = -1;
		assert_int_equal(cbw_ratelimit_hit(g.db, "192.0.2.1", 3, &ra), CBW_OK);
		assert_int_equal(ra, 0);
	}
	ra = -1;
	assert_int_equal(cbw_ratelimit_hit(g.db, "192.0.2.1", 3, &ra), CBW_ELIMIT);
	assert_true(ra >= 1 && ra <= 60);
	assert_int_equal(ra, 40);
	set_now(T0 + 39);
	assert_int_equal(cbw_ratelimit_hit(g.db, "192.0.2.1", 3, &ra), CBW_ELIMIT);
	assert_int_equal(ra, 1);
	/* Une autre IP n'est pas touchée. */
	assert_int_equal(cbw_ratelimit_hit(g.db, "192.0.2.2", 3, &ra), CBW_OK);
	/* Limite 0 : jamais de limite, rien de compté. */
	for (i = 0; i < 20; i++)
		assert_int_equal(cbw_ratelimit_hit(g.db, "192.0.2.3", 0, &ra), CBW_OK);
	assert_int_equal(ra, 0);
	assert_true(count("SELECT count(*) FROM rate_limits WHERE ip = "
	    "'192.0.2.3'", NULL) == 0);
	/* Minute suivante : remis à zéro. */
	set_now(T0 + 40);
	for (i = 1; i <= 3; i++)
		assert_int_equal(cbw_ratelimit_hit(g.db, "192.0.2.1", 3, &ra), CBW_OK);
	assert_int_equal(cbw_ratelimit_hit(g.db, "192.0.2.1", 3, &ra), CBW_ELIMIT);
	assert_int_equal(ra, 60);
	/* Les minutes anciennes sont purgées. */
	set_now(T0 + 40 + 120);
	assert_int_equal(cbw_ratelimit_hit(g.db, "192.0.2.9", 3, &ra), CBW_OK);
	assert_true(count("SELECT count(*) FROM rate_limits WHERE minute < ?",
	    "i", (T0 + 160) / 60 - 1) == 0);
}

/* ---- règles de modification des comptes ------------------------------------------------ */

static void
actor_of(struct cbw_user *a, long long id, const char *email, const char *role)
{
	memset(a, 0, sizeof(*a));
	a->id = id;
	snprintf(a->email, sizeof(a->email), "%s", email);
	snprintf(a->role, sizeof(a->role), "%s", role);
	a->is_super = strcmp(role, "super_admin") == 0;
}

static void
test_user_update_rules(void **state)
{
	struct cbw_user		 su;
	struct cbw_user_edit	 e;
	const char		*msg;
	long long		 s2, audits;

	(void)state;
	set_now(T0);
	actor_of(&su, g.super1, "super1@ex.fr", "super_admin");
	audits = count("SELECT count(*) FROM audit_log WHERE action = "
	    "'user.update'", NULL);

	/* Se rétrograder soi-même. */
	e = (struct cbw_user_edit){ NULL, NULL, "admin", -1 };
	msg = NULL;
	assert_int_equal(cbw_user_update(g.db, &su, g.super1, &e, NULL, &msg),
	    CBW_EDENIED);
	assert_non_null(msg);
	assert_string_equal(msg, "Vous ne pouvez pas retirer vos propres droits "
	    "ni désactiver votre propre compte.");
	/* Se désactiver soi-même. */
	e = (struct cbw_user_edit){ NULL, NULL, NULL, 0 };
	msg = NULL;
	assert_int_equal(cbw_user_update(g.db, &su, g.super1, &e, NULL, &msg),
	    CBW_EDENIED);
	assert_non_null(msg);
	/* Le dernier super admin actif ne peut pas être retiré (outil CLI). */
	e = (struct cbw_user_edit){ NULL, NULL, "admin", -1 };
	msg = NULL;
	assert_int_equal(cbw_user_update(g.db, NULL, g.super1, &e, NULL, &msg),
	    CBW_EDENIED);
	assert_string_equal(msg, "Impossible : c'est le dernier super "
	    "administrateur actif.");
	e = (struct cbw_user_edit){ NULL, NULL, NULL, 0 };
	assert_int_equal(cbw_user_update(g.db, NULL, g.super1, &e, NULL, &msg),
	    CBW_EDENIED);
	/* Rien n'a changé, rien n'est audité. */
	assert_true(count("SELECT count(*) FROM users WHERE id = ? AND role = "
	    "'super_admin' AND is_active = 1", "i", g.super1) == 1);
	assert_true(count("SELECT count(*) FROM audit_log WHERE action = "
	    "'user.update'", NULL) == audits);

	/* Se modifier sans perdre de droits : permis. */
	e = (struct cbw_user_edit){ NULL, NULL, "super_admin", 1 };
	assert_int_equal(cbw_user_update(g.db, &su, g.super1, &e, "10.1.1.1", &msg),
	    CBW_OK);
	assert_null(msg);

	/* Avec un second super admin actif, on peut retirer l'autre. */
	s2 = quick_user("super2@ex.fr", "super_admin", 1);
	e = (struct cbw_user_edit){ NULL, NULL, "admin", -1 };
	assert_int_equal(cbw_user_update(g.db, &su, s2, &e, "10.1.1.1", &msg),
	    CBW_OK);
	assert_true(count("SELECT count(*) FROM users WHERE id = ? AND role = "
	    "'admin'", "i", s2) == 1);
	/* Un super admin désactivé ne compte pas comme « autre super admin ». */
	e = (struct cbw_user_edit){ NULL, NULL, "super_admin", 0 };
	assert_int_equal(cbw_user_update(g.db, &su, s2, &e, NULL, &msg), CBW_OK);
	e = (struct cbw_user_edit){ NULL, NULL, "admin", -1 };
	assert_int_equal(cbw_user_update(g.db, NULL, g.super1, &e, NULL, &msg),
	    CBW_EDENIED);
	assert_string_equal(msg, "Impossible : c'est le dernier super "
	    "administrateur actif.");

	/* E-mail déjà pris ; compte absent. */
	e = (struct cbw_user_edit){ "admin1@ex.fr", NULL, NULL, -1 };
	assert_int_equal(cbw_user_update(g.db, &su, s2, &e, NULL, &msg),
	    CBW_ECONFLICT);
	e = (struct cbw_user_edit){ NULL, NULL, "admin", -1 };
	assert_int_equal(cbw_user_update(g.db, &su, 999999LL, &e, NULL, &msg),
	    CBW_ENOTFOUND);

	/* Audit : trois modifications réussies, avec leurs détails. */
	assert_true(count("SELECT count(*) FROM audit_log WHERE action = "
	    "'user.update'", NULL) == audits + 3);
	assert_true(count("SELECT count(*) FROM audit_log WHERE action = "
	    "'user.update' AND user_id = ? AND actor_email = 'super1@ex.fr' AND "
	    "target_id = ? AND details = '{\"role\":\"admin\"}' AND "
	    "ip = '10.1.1.1'", "ii", g.super1, s2) == 1);
	assert_true(count("SELECT count(*) FROM audit_log WHERE action = "
	    "'user.update' AND target_id = ? AND details = "
	    "'{\"role\":\"super_admin\",\"is_active\":false}'", "i", s2) == 1);
	/* Aucune transaction laissée ouverte. */
	assert_int_equal(cbw_db_begin(g.db), CBW_OK);
	cbw_db_rollback(g.db);
}

/* ---- suppression avec réattribution ------------------------------------------------------ */

/* Insère une ligne (deux paramètres) ; rend son identifiant. */
static long long
ins_is(const char *sql, long long a, const char *b)
{
	assert_int_equal(cbw_db_exec(g.db, sql, "is", a, b), CBW_OK);
	return cbw_db_last_id(g.db);
}

static long long
ins_ii(const char *sql, long long a, long long b)
{
	assert_int_equal(cbw_db_exec(g.db, sql, "ii", a, b), CBW_OK);
	return cbw_db_last_id(g.db);
}

#define CAT	"INSERT INTO categories(created_by, name, created_at, updated_at) " \
	"VALUES (?, ?, 'd', 'd')"
#define CON	"INSERT INTO contacts(created_by, full_number, phone_number, " \
	"country_code, first_name, created_at, updated_at) VALUES (?, ?, 'p', " \
	"'33', 'n', 'd', 'd')"
#define CC	"INSERT INTO category_contacts(category_id, contact_id, added_at) " \
	"VALUES (?, ?, 'd')"

static void
test_user_delete(void **state)
{
	struct cbw_user		 su, ad;
	struct json_object	*rows = NULL;
	const char		*msg;
	long long		 v, a_cat, v_cat1, v_cat2, a_con, v_con1, v_con2;
	long long		 v_camp, msg_id;
	char			*txt = NULL;

	(void)state;
	set_now(T0);
	actor_of(&su, g.super1, "super1@ex.fr", "super_admin");
	v = quick_user("victime@ex.fr", "admin", 1);

	a_cat = ins_is(CAT, g.super1, "Clients");
	v_cat1 = ins_is(CAT, v, "Clients");		/* nom en conflit */
	v_cat2 = ins_is(CAT, v, "Prospects");
	a_con = ins_is(CON, g.super1, "+33611111111");
	v_con1 = ins_is(CON, v, "+33611111111");	/* même numéro */
	v_con2 = ins_is(CON, v, "+33622222222");
	ins_ii(CC, a_cat, a_con);
	ins_ii(CC, v_cat1, v_con1);
	ins_ii(CC, v_cat1, v_con2);
	ins_ii(CC, v_cat2, v_con1);
	v_camp = ins_is("INSERT INTO campaigns(created_by, name, message_1, "
	    "created_at, updated_at) VALUES (?, ?, 'Bonjour', 'd', 'd')", v,
	    "Promo");
	assert_int_equal(cbw_db_exec(g.db, "INSERT INTO campaign_categories("
	    "campaign_id, category_id) VALUES (?, ?)", "ii", v_camp, v_cat1), CBW_OK);
	msg_id = ins_ii("INSERT INTO messages(campaign_id, contact_id, "
	    "message_type, content, created_at, updated_at) VALUES (?, ?, "
	    "'message_1', 'Bonjour', 'd', 'd')", v_camp, v_con1);
	assert_int_equal(cbw_db_exec(g.db, "INSERT INTO interactions(campaign_id, "
	    "contact_id, message_id, interaction_type, content, received_at) "
	    "VALUES (?, ?, ?, 'reply', 'Oui', 'd')", "iii", v_camp, v_con1, msg_id),
	    CBW_OK);

	/* Refus : soi-même ; compte absent. */
	assert_int_equal(cbw_user_delete(g.db, &su, g.super1, NULL, &msg),
	    CBW_EDENIED);
	assert_string_equal(msg, "Vous ne pouvez pas supprimer votre propre compte.");
	assert_int_equal(cbw_user_delete(g.db, &su, 999999LL, NULL, &msg),
	    CBW_ENOTFOUND);
	/* Le dernier super admin actif (par un autre acteur). */
	actor_of(&ad, g.admin1, "admin1@ex.fr", "admin");
	assert_int_equal(cbw_user_delete(g.db, &ad, g.super1, NULL, &msg),
	    CBW_EDENIED);
	assert_string_equal(msg, "Impossible : c'est le dernier super "
	    "administrateur actif.");

	/* Suppression de la victime. */
	msg = "x";
	assert_int_equal(cbw_user_delete(g.db, &su, v, "10.2.2.2", &msg), CBW_OK);
	assert_null(msg);
	assert_true(count("SELECT count(*) FROM users WHERE id = ?", "i", v) == 0);
	assert_true(count("SELECT count(*) FROM categories WHERE created_by = ?",
	    "i", v) == 0);
	assert_true(count("SELECT count(*) FROM contacts WHERE created_by = ?",
	    "i", v) == 0);

	/* Catégories : celle en conflit est renommée, toutes à l'acteur. */
	assert_int_equal(cbw_db_query_json(g.db, &rows, "SELECT id, name FROM "
	    "categories WHERE created_by = ? ORDER BY id", "i", g.super1), CBW_OK);
	{
		char	 want[512];

		snprintf(want, sizeof(want), "[{\"id\":%lld,\"name\":\"Clients\"},"
		    "{\"id\":%lld,\"name\":\"Clients (victime@ex.fr)\"},"
		    "{\"id\":%lld,\"name\":\"Prospects\"}]", a_cat, v_cat1, v_cat2);
		assert_string_equal(json_object_to_json_string_ext(rows,
		    JSON_C_TO_STRING_PLAIN), want);
	}
	json_object_put(rows);

	/* Contacts : le doublon est fusionné dans celui de l'acteur. */
	assert_true(count("SELECT count(*) FROM contacts WHERE id = ?", "i",
	    v_con1) == 0);
	assert_true(count("SELECT count(*) FROM contacts WHERE created_by = ? AND "
	    "id IN (?, ?)", "iii", g.super1, a_con, v_con2) == 2);
	/* Appartenances conservées, reportées sur le contact fusionné. */
	assert_int_equal(cbw_db_query_json(g.db, &rows, "SELECT category_id AS c, "
	    "contact_id AS k FROM category_contacts ORDER BY category_id, "
	    "contact_id", NULL), CBW_OK);
	{
		char	 want[512];

		snprintf(want, sizeof(want), "[{\"c\":%lld,\"k\":%lld},"
		    "{\"c\":%lld,\"k\":%lld},{\"c\":%lld,\"k\":%lld},"
		    "{\"c\":%lld,\"k\":%lld}]", a_cat, a_con, v_cat1, a_con,
		    v_cat1, v_con2, v_cat2, a_con);
		assert_string_equal(json_object_to_json_string_ext(rows,
		    JSON_C_TO_STRING_PLAIN), want);
	}
	json_object_put(rows);

	/* Campagne, messages et interactions conservés. */
	assert_true(count("SELECT count(*) FROM campaigns WHERE id = ? AND "
	    "created_by = ?", "ii", v_camp, g.super1) == 1);
	assert_true(count("SELECT count(*) FROM campaign_categories WHERE "
	    "campaign_id = ? AND category_id = ?", "ii", v_camp, v_cat1) == 1);
	assert_true(count("SELECT count(*) FROM messages WHERE id = ? AND "
	    "contact_id = ?", "ii", msg_id, a_con) == 1);
	assert_true(count("SELECT count(*) FROM interactions WHERE contact_id = ? "
	    "AND message_id = ?", "ii", a_con, msg_id) == 1);

	/* Audit. */
	assert_int_equal(cbw_db_query_text(g.db, &txt, "SELECT details FROM "
	    "audit_log WHERE action = 'user.delete' AND target_id = ? AND "
	    "user_id = ? AND actor_email = 'super1@ex.fr' AND ip = '10.2.2.2'",
	    "ii", v, g.super1), CBW_OK);
	{
		char	 want[256];

		snprintf(want, sizeof(want), "{\"categories\":2,\"contacts\":2,"
		    "\"campaigns\":1,\"email\":\"victime@ex.fr\","
		    "\"reassigned_to\":%lld}", g.super1);
		assert_string_equal(txt, want);
	}
	free(txt);
	assert_int_equal(cbw_db_begin(g.db), CBW_OK);
	cbw_db_rollback(g.db);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_user_create),
		cmocka_unit_test(test_login_ok),
		cmocka_unit_test(test_login_wrong_password),
		cmocka_unit_test(test_login_unknown),
		cmocka_unit_test(test_login_inactive),
		cmocka_unit_test(test_login_throttle_account),
		cmocka_unit_test(test_login_throttle_ip),
		cmocka_unit_test(test_web_session),
		cmocka_unit_test(test_refresh_rotation),
		cmocka_unit_test(test_refresh_bad),
		cmocka_unit_test(test_bearer),
		cmocka_unit_test(test_csrf),
		cmocka_unit_test(test_ratelimit),
		cmocka_unit_test(test_user_update_rules),
		cmocka_unit_test(test_user_delete),
	};

	/* Sans --enable-test-clock, l'heure ne se pilote pas : test ignoré (77). */
	setenv("CBW_TEST_NOW", "1800000000", 1);
	if (cbw_now() != 1800000000) {
		fprintf(stderr, "horloge non pilotable (build sans "
		    "--enable-test-clock) : test ignoré\n");
		return 77;
	}
	unsetenv("CBW_TEST_NOW");

	return cmocka_run_group_tests_name("auth", tests, group_setup,
	    group_teardown);
}
