/*
 * Connexion par mot de passe (voir auth.h) : limite d'essais, vérification
 * bcrypt en temps constant, journal des essais. À part de lib/auth.c pour
 * que seuls les programmes qui connectent (cbw-auth, l'outil
 * d'administration) chargent libcrypt.
 */
#include <stdio.h>
#include <string.h>

#include "auth.h"
#include "clock.h"
#include "db.h"
#include "password.h"
#include "valid.h"

/* Nombre d'échecs et plus ancien échec dans la fenêtre, pour une colonne. */
static enum cbw_err
fails_since(struct cbw_db *db, const char *sql, const char *v, time_t since,
    long long *count, long long *oldest)
{
	struct cbw_stmt	*s;
	enum cbw_err	 er;

	if ((er = cbw_db_prepare(db, sql, &s)) != CBW_OK)
		return er;
	cbw_db_bind(s, "si", v, (long long)since);
	*count = 0;
	*oldest = 0;
	if (cbw_db_step(s) == CBW_STEP_ROW) {
		*count = cbw_db_col_int(s, 0);
		*oldest = cbw_db_col_int(s, 1);
	} else
		er = CBW_EDB;
	cbw_db_done(s);
	return er;
}

/* Limite d'essais par compte et par IP (voir auth.h). */
enum cbw_err
cbw_auth_throttle(struct cbw_db *db, const char *email, const char *ip,
    long *retry_after)
{
	time_t		 now = cbw_now(), since = now - CBW_LOGIN_WINDOW;
	long long	 n1, o1, n2, o2, oldest;
	enum cbw_err	 er;

	*retry_after = 0;
	if ((er = fails_since(db, "SELECT count(*), min(attempted_at) FROM "
	    "login_attempts WHERE email = ? AND success = 0 AND attempted_at > ?",
	    email, since, &n1, &o1)) != CBW_OK ||
	    (er = fails_since(db, "SELECT count(*), min(attempted_at) FROM "
	    "login_attempts WHERE ip = ? AND success = 0 AND attempted_at > ?",
	    ip, since, &n2, &o2)) != CBW_OK)
		return er;
	if (n1 < CBW_LOGIN_MAX_FAILS && n2 < CBW_LOGIN_MAX_FAILS)
		return CBW_OK;
	oldest = n1 >= CBW_LOGIN_MAX_FAILS ? o1 : o2;
	if (n1 >= CBW_LOGIN_MAX_FAILS && n2 >= CBW_LOGIN_MAX_FAILS && o2 > o1)
		oldest = o2;
	*retry_after = (long)(oldest + CBW_LOGIN_WINDOW - now);
	if (*retry_after < 1)
		*retry_after = 1;
	return CBW_ELIMIT;
}

/* Hachage factice pour égaliser le temps quand le compte n'existe pas. */
static const char *
dummy_hash(void)
{
	static char	 h[CBW_HASH_MAX];

	if (h[0] == '\0' && cbw_password_hash("cbw-dummy-password", h,
	    sizeof(h)) != CBW_OK)
		h[0] = '\0';
	return h;
}

/* Note un essai ; un succès efface les échecs du compte. */
static void
record_attempt(struct cbw_db *db, const char *email, const char *ip, int ok)
{
	time_t	 now = cbw_now();

	cbw_db_exec(db, "INSERT INTO login_attempts(email, ip, success, "
	    "attempted_at) VALUES (?, ?, ?, ?)", "ssii", email, ip,
	    (long long)ok, (long long)now);
	if (ok)
		cbw_db_exec(db, "DELETE FROM login_attempts WHERE email = ? "
		    "AND success = 0", "s", email);
	cbw_db_exec(db, "DELETE FROM login_attempts WHERE email = ? AND "
	    "attempted_at < ?", "si", email, (long long)(now - 86400));
}

/* Connexion (voir auth.h). */
enum cbw_err
cbw_auth_login(struct cbw_db *db, const char *email, const char *password,
    const char *ip, struct cbw_user *u, long *retry_after)
{
	struct cbw_stmt	*s;
	char		 hash[CBW_HASH_MAX] = "";
	int		 found = 0, active = 0, ok;
	enum cbw_err	 er;

	if ((er = cbw_auth_throttle(db, email, ip, retry_after)) != CBW_OK)
		return er;
	if ((er = cbw_db_prepare(db, "SELECT id, email, role, password_hash, "
	    "is_active FROM users WHERE email = ?", &s)) != CBW_OK)
		return er;
	cbw_db_bind(s, "s", email);
	if (cbw_db_step(s) == CBW_STEP_ROW) {
		cbw_auth_user_row(s, u);
		snprintf(hash, sizeof(hash), "%s", cbw_db_col_text(s, 3));
		active = cbw_db_col_int(s, 4) == 1;
		found = 1;
	}
	cbw_db_done(s);
	/* bcrypt ignore les octets après 72 : un mot de passe plus long est faux. */
	ok = cbw_password_verify(password, found ? hash : dummy_hash());
	ok = ok && found && active && strlen(password) <= CBW_PASSWORD_MAX;
	record_attempt(db, email, ip, ok);
	explicit_bzero(hash, sizeof(hash));
	if (!ok) {
		memset(u, 0, sizeof(*u));
		return CBW_EAUTH;
	}
	return CBW_OK;
}
