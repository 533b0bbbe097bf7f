/*
 * Authentification (voir auth.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "auth.h"
#include "clock.h"
#include "config.h"
#include "crypto.h"
#include "db.h"
#include "jwt.h"
#include "log.h"
#include "valid.h"

/* Remplit u depuis une ligne (id, email, role) déjà lue (voir auth.h). */
void
cbw_auth_user_row(struct cbw_stmt *s, struct cbw_user *u)
{
	memset(u, 0, sizeof(*u));
	u->id = cbw_db_col_int(s, 0);
	snprintf(u->email, sizeof(u->email), "%s", cbw_db_col_text(s, 1));
	snprintf(u->role, sizeof(u->role), "%s", cbw_db_col_text(s, 2));
	u->is_super = strcmp(u->role, "super_admin") == 0;
}

/* Insère un jeton (empreinte) dans la famille donnée. */
static enum cbw_err
token_insert(struct cbw_db *db, long long uid, const char *family,
    const char *kind, char token[CBW_TOKEN_HEX])
{
	char	 hash[CBW_SHA256_HEX], now[32], exp[32];
	time_t	 t = cbw_now();

	if (cbw_crypto_token_hex(token, 32) != CBW_OK)
		return CBW_EIO;
	cbw_crypto_sha256_hex(token, strlen(token), hash);
	cbw_time_iso(t, now, sizeof(now));
	cbw_time_iso(t + CBW_REFRESH_TTL, exp, sizeof(exp));
	return cbw_db_exec(db, "INSERT INTO refresh_tokens(user_id, family_id, "
	    "kind, token_hash, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)",
	    "isssss", uid, family, kind, hash, now, exp);
}

/* Nouvelle session (voir auth.h). */
enum cbw_err
cbw_auth_session_new(struct cbw_db *db, long long user_id, const char *kind,
    char token[CBW_TOKEN_HEX], char family[33])
{
	if (cbw_crypto_token_hex(family, 16) != CBW_OK)
		return CBW_EIO;
	return token_insert(db, user_id, family, kind, token);
}

/* Jeton d'accès (voir auth.h). */
enum cbw_err
cbw_auth_access(const struct cbw_config *cfg, const struct cbw_user *u,
    char **jwt)
{
	struct cbw_jwt_claims	 c;

	memset(&c, 0, sizeof(c));
	c.sub = u->id;
	snprintf(c.role, sizeof(c.role), "%s", u->role);
	snprintf(c.sid, sizeof(c.sid), "%s", u->family);
	c.iat = cbw_now();
	c.exp = c.iat + CBW_JWT_TTL;
	return cbw_jwt_sign(cfg->secret_key, &c, jwt);
}

/* Révoque une famille entière. */
enum cbw_err
cbw_auth_revoke_family(struct cbw_db *db, const char *family)
{
	char	 now[32];

	cbw_time_iso(cbw_now(), now, sizeof(now));
	return cbw_db_exec(db, "UPDATE refresh_tokens SET revoked_at = ? WHERE "
	    "family_id = ? AND revoked_at IS NULL", "ss", now, family);
}

/* Révoque toutes les sessions d'un utilisateur. */
enum cbw_err
cbw_auth_revoke_user(struct cbw_db *db, long long user_id)
{
	char	 now[32];

	cbw_time_iso(cbw_now(), now, sizeof(now));
	return cbw_db_exec(db, "UPDATE refresh_tokens SET revoked_at = ? WHERE "
	    "user_id = ? AND revoked_at IS NULL", "si", now, user_id);
}

struct tokrow {
	long long	 id, uid;
	char		 family[33], kind[8], expires[32];
	int		 spent;		/* remplacé ou révoqué */
};

/* Lit la ligne du jeton d'empreinte `hash` ; CBW_ENOTFOUND si absente. */
static enum cbw_err
token_find(struct cbw_db *db, const char *hash, struct tokrow *t)
{
	struct cbw_stmt	*s;
	enum cbw_err	 er;

	if ((er = cbw_db_prepare(db, "SELECT id, user_id, family_id, kind, "
	    "expires_at, replaced_at IS NOT NULL OR revoked_at IS NOT NULL "
	    "FROM refresh_tokens WHERE token_hash = ?", &s)) != CBW_OK)
		return er;
	cbw_db_bind(s, "s", hash);
	if (cbw_db_step(s) == CBW_STEP_ROW) {
		t->id = cbw_db_col_int(s, 0);
		t->uid = cbw_db_col_int(s, 1);
		snprintf(t->family, sizeof(t->family), "%s", cbw_db_col_text(s, 2));
		snprintf(t->kind, sizeof(t->kind), "%s", cbw_db_col_text(s, 3));
		snprintf(t->expires, sizeof(t->expires), "%s", cbw_db_col_text(s, 4));
		t->spent = cbw_db_col_int(s, 5) != 0;
	} else
		er = CBW_ENOTFOUND;
	cbw_db_done(s);
	return er;
}

/* Charge un utilisateur actif par identifiant ; CBW_EAUTH sinon. */
static enum cbw_err
active_user(struct cbw_db *db, long long id, struct cbw_user *u)
{
	struct cbw_stmt	*s;
	enum cbw_err	 er;

	if ((er = cbw_db_prepare(db, "SELECT id, email, role FROM users "
	    "WHERE id = ? AND is_active = 1", &s)) != CBW_OK)
		return er;
	cbw_db_bind(s, "i", id);
	er = CBW_EAUTH;
	if (cbw_db_step(s) == CBW_STEP_ROW) {
		cbw_auth_user_row(s, u);
		er = CBW_OK;
	}
	cbw_db_done(s);
	return er;
}

/* Corps de la rotation, dans une transaction ouverte par l'appelant. */
static enum cbw_err
refresh_tx(struct cbw_db *db, const char *hash, char newtok[CBW_TOKEN_HEX],
    struct cbw_user *u)
{
	struct tokrow	 t;
	char		 now[32];
	enum cbw_err	 er;

	if ((er = token_find(db, hash, &t)) != CBW_OK)
		return er == CBW_ENOTFOUND ? CBW_EAUTH : er;
	cbw_time_iso(cbw_now(), now, sizeof(now));
	if (strcmp(t.kind, "api") != 0)
		return CBW_EAUTH;
	if (t.spent) {
		cbw_log(CBW_LOG_WARNING, __func__, t.uid, "réutilisation d'un "
		    "jeton de rafraîchissement : famille révoquée", NULL, NULL);
		return cbw_auth_revoke_family(db, t.family) == CBW_OK ?
		    CBW_EDENIED : CBW_EDB;
	}
	if (strcmp(t.expires, now) <= 0)
		return CBW_EAUTH;
	if ((er = active_user(db, t.uid, u)) != CBW_OK)
		return er;
	snprintf(u->family, sizeof(u->family), "%s", t.family);
	if ((er = cbw_db_exec(db, "UPDATE refresh_tokens SET replaced_at = ? "
	    "WHERE id = ?", "si", now, t.id)) != CBW_OK)
		return er;
	return token_insert(db, t.uid, t.family, "api", newtok);
}

/* Rotation (voir auth.h). */
enum cbw_err
cbw_auth_refresh(struct cbw_db *db, const char *token,
    char newtok[CBW_TOKEN_HEX], struct cbw_user *u)
{
	char		 hash[CBW_SHA256_HEX];
	enum cbw_err	 er;

	if (token == NULL || strlen(token) != CBW_TOKEN_HEX - 1)
		return CBW_EAUTH;
	cbw_crypto_sha256_hex(token, strlen(token), hash);
	if ((er = cbw_db_begin(db)) != CBW_OK)
		return er;
	er = refresh_tx(db, hash, newtok, u);
	if (er == CBW_OK || er == CBW_EDENIED) {
		if (cbw_db_commit(db) != CBW_OK)
			return CBW_EDB;
		return er == CBW_EDENIED ? CBW_EAUTH : CBW_OK;
	}
	cbw_db_rollback(db);
	return er;
}

/*
 * Dernier jeton d'accès vérifié par ce processus : un client envoie le même
 * jeton à chaque requête ; sa signature n'est recalculée que s'il change.
 * La session et l'utilisateur sont toujours revérifiés en base.
 */
static struct {
	char			 token[CBW_JWT_MAX + 1];
	struct cbw_jwt_claims	 claims;
} last;

/* Vérifie le JWT, ou reprend le dernier vérifié s'il est identique et valide. */
static enum cbw_err
verify_cached(const struct cbw_config *cfg, const char *token,
    struct cbw_jwt_claims *c)
{
	time_t	 now = cbw_now();

	if (last.token[0] != '\0' && last.claims.exp > now &&
	    cbw_crypto_streq(token, last.token)) {
		*c = last.claims;
		return CBW_OK;
	}
	if (cbw_jwt_verify(cfg->secret_key, token, now, c) != CBW_OK)
		return CBW_EAUTH;
	if (strlen(token) <= CBW_JWT_MAX) {
		memcpy(last.token, token, strlen(token) + 1);
		last.claims = *c;
	}
	return CBW_OK;
}

/* Vérifie un en-tête Bearer (voir auth.h). */
enum cbw_err
cbw_auth_bearer(struct cbw_db *db, const struct cbw_config *cfg,
    const char *authz, struct cbw_user *u)
{
	struct cbw_jwt_claims	 c;
	struct cbw_stmt		*s;
	char			 now[32];
	enum cbw_err		 er;

	memset(u, 0, sizeof(*u));
	if (authz == NULL || strncasecmp(authz, "Bearer ", 7) != 0)
		return CBW_EAUTH;
	if (verify_cached(cfg, authz + 7, &c) != CBW_OK)
		return CBW_EAUTH;
	cbw_time_iso(cbw_now(), now, sizeof(now));
	if ((er = cbw_db_prepare(db, "SELECT u.id, u.email, u.role FROM users u "
	    "WHERE u.id = ? AND u.is_active = 1 AND EXISTS (SELECT 1 FROM "
	    "refresh_tokens t WHERE t.family_id = ? AND t.user_id = u.id AND "
	    "t.kind = 'api' AND t.revoked_at IS NULL AND t.expires_at > ?)",
	    &s)) != CBW_OK)
		return er;
	cbw_db_bind(s, "iss", c.sub, c.sid, now);
	er = CBW_EAUTH;
	if (cbw_db_step(s) == CBW_STEP_ROW) {
		cbw_auth_user_row(s, u);
		snprintf(u->family, sizeof(u->family), "%s", c.sid);
		er = CBW_OK;
	}
	cbw_db_done(s);
	return er;
}

/* Vérifie le cookie de session web (voir auth.h). */
enum cbw_err
cbw_auth_web(struct cbw_db *db, const char *token, struct cbw_user *u)
{
	struct cbw_stmt	*s;
	char		 hash[CBW_SHA256_HEX], now[32];
	enum cbw_err	 er;

	memset(u, 0, sizeof(*u));
	if (token == NULL || strlen(token) != CBW_TOKEN_HEX - 1)
		return CBW_EAUTH;
	cbw_crypto_sha256_hex(token, strlen(token), hash);
	cbw_time_iso(cbw_now(), now, sizeof(now));
	if ((er = cbw_db_prepare(db, "SELECT u.id, u.email, u.role, t.family_id "
	    "FROM refresh_tokens t JOIN users u ON u.id = t.user_id WHERE "
	    "t.token_hash = ? AND t.kind = 'web' AND t.revoked_at IS NULL AND "
	    "t.expires_at > ? AND u.is_active = 1", &s)) != CBW_OK)
		return er;
	cbw_db_bind(s, "ss", hash, now);
	er = CBW_EAUTH;
	if (cbw_db_step(s) == CBW_STEP_ROW) {
		cbw_auth_user_row(s, u);
		snprintf(u->family, sizeof(u->family), "%s", cbw_db_col_text(s, 3));
		snprintf(u->session_hash, sizeof(u->session_hash), "%s", hash);
		er = CBW_OK;
	}
	cbw_db_done(s);
	return er;
}

/* Jeton CSRF : HMAC-SHA256(SECRET_KEY, « csrf: » + binding). */
void
cbw_auth_csrf(const struct cbw_config *cfg, const char *binding,
    char out[CBW_TOKEN_HEX])
{
	char	 msg[160];

	snprintf(msg, sizeof(msg), "csrf:%s", binding);
	if (cbw_crypto_hmac_hex(cfg->secret_key, strlen(cfg->secret_key), msg,
	    strlen(msg), out) != CBW_OK)
		out[0] = '\0';
}

/* Vérifie un jeton CSRF. */
int
cbw_auth_csrf_ok(const struct cbw_config *cfg, const char *binding,
    const char *token)
{
	char	 want[CBW_TOKEN_HEX];

	if (token == NULL || binding == NULL || *binding == '\0')
		return 0;
	cbw_auth_csrf(cfg, binding, want);
	return want[0] != '\0' && cbw_crypto_streq(token, want);
}
