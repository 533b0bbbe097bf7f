/*
 * cbw-auth : connexion, rafraîchissement, profil et déconnexion (API JSON
 * /api/auth/...) et pages /login, /logout.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "app.h"
#include "auth.h"
#include "crypto.h"
#include "db.h"
#include "jwt.h"
#include "json.h"
#include "log.h"
#include "user.h"
#include "valid.h"

enum route {
	ROUTE_API_LOGIN,
	ROUTE_API_REFRESH,
	ROUTE_API_ME,
	ROUTE_API_LOGOUT,
	ROUTE_LOGIN_PAGE,
	ROUTE_LOGIN_POST,
	ROUTE_LOGOUT_POST,
	ROUTE__MAX
};

static const struct cbw_route routes[ROUTE__MAX] = {
	{ ROUTE_API_LOGIN, CBW_POST, "/api/auth/login", CBW_R_API | CBW_R_JSON },
	{ ROUTE_API_REFRESH, CBW_POST, "/api/auth/refresh", CBW_R_API | CBW_R_JSON },
	{ ROUTE_API_ME, CBW_GET, "/api/auth/me", CBW_R_API | CBW_R_AUTH },
	{ ROUTE_API_LOGOUT, CBW_POST, "/api/auth/logout", CBW_R_API | CBW_R_AUTH },
	{ ROUTE_LOGIN_PAGE, CBW_GET, "/login", CBW_R_HTML | CBW_R_SESSION },
	{ ROUTE_LOGIN_POST, CBW_POST, "/login",
	    CBW_R_HTML | CBW_R_FORM | CBW_R_NOCSRF },
	{ ROUTE_LOGOUT_POST, CBW_POST, "/logout",
	    CBW_R_HTML | CBW_R_FORM | CBW_R_AUTH },
};

/* Objet « user » public (jamais le hachage). */
static struct json_object *
user_json(struct cbw_ctx *ctx, long long id)
{
	struct json_object	*u = NULL;

	cbw_user_get(ctx->db, id, &u);
	return u;
}

/*
 * Répond aux connexions et rafraîchissements réussis : jeton d'accès,
 * jeton de rafraîchissement, type, durée et utilisateur. 200 ou 500.
 */
static void
reply_tokens(struct cbw_ctx *ctx, struct cbw_req *r, const struct cbw_user *u,
    const char *refresh)
{
	struct json_object	*o;
	char			*jwt = NULL;

	if (cbw_auth_access(&ctx->cfg, u, &jwt) != CBW_OK ||
	    (o = json_object_new_object()) == NULL) {
		free(jwt);
		cbw_reply_err(ctx, r, CBW_EIO);
		return;
	}
	json_object_object_add(o, "access_token", json_object_new_string(jwt));
	json_object_object_add(o, "refresh_token", json_object_new_string(refresh));
	json_object_object_add(o, "token_type", json_object_new_string("bearer"));
	json_object_object_add(o, "expires_in", json_object_new_int(CBW_JWT_TTL));
	json_object_object_add(o, "user", user_json(ctx, u->id));
	free(jwt);
	cbw_reply_json(r, 200, o);
}

/*
 * Lit et valide e-mail et mot de passe d'une connexion. Rend 1 si valides
 * (email normalisé dans out), sinon répond 422 avec les champs fautifs.
 */
static int
login_input(struct cbw_ctx *ctx, struct cbw_req *r, char *out, size_t len,
    const char **pw)
{
	struct json_object	*fields = NULL;
	const char		*email = NULL, *msg;
	enum cbw_err		 er;

	if ((er = cbw_input_str(r, "email", &email)) != CBW_OK ||
	    cbw_valid_email(email, out, len, &msg) != CBW_OK)
		cbw_json_field(&fields, "email", er == CBW_ENOTFOUND ?
		    "L'adresse e-mail est obligatoire." : er == CBW_EINVAL ?
		    "L'adresse e-mail doit être une chaîne de caractères." : msg);
	if (cbw_input_str(r, "password", pw) != CBW_OK || **pw == '\0')
		cbw_json_field(&fields, "password", "Le mot de passe est obligatoire.");
	if (fields == NULL)
		return 1;
	cbw_reply_error(ctx, r, 422, "validation_error",
	    "Adresse e-mail et mot de passe requis.", fields);
	return 0;
}

/* Message français d'attente après trop d'échecs. */
static void
throttle_msg(char *buf, size_t len, long retry)
{
	long	 min = (retry + 59) / 60;

	snprintf(buf, len, "Trop de tentatives de connexion. Réessayez dans "
	    "%ld minute%s.", min, min > 1 ? "s" : "");
}

/*
 * POST /api/auth/login : 200 avec les jetons, 401 identifiants faux, 422
 * champs manquants, 429 trop d'échecs (Retry-After).
 */
static void
api_login(struct cbw_ctx *ctx, struct cbw_req *r)
{
	struct cbw_user	 u;
	const char	*pw;
	char		 email[CBW_EMAIL_MAX + 1], tok[CBW_TOKEN_HEX], msg[128], ra[24];
	long		 retry = 0;
	enum cbw_err	 er;

	if (!login_input(ctx, r, email, sizeof(email), &pw))
		return;
	er = cbw_auth_login(ctx->db, email, pw, r->remote_addr, &u, &retry);
	if (er == CBW_ELIMIT) {
		throttle_msg(msg, sizeof(msg), retry);
		snprintf(ra, sizeof(ra), "%ld", retry);
		cbw_http_header(r, "Retry-After", ra);
		cbw_reply_error(ctx, r, 429, "too_many_attempts", msg, NULL);
	} else if (er == CBW_EAUTH)
		cbw_reply_error(ctx, r, 401, "invalid_credentials",
		    "E-mail ou mot de passe incorrect.", NULL);
	else if (er != CBW_OK)
		cbw_reply_err(ctx, r, er);
	else if ((er = cbw_auth_session_new(ctx->db, u.id, "api", tok,
	    u.family)) != CBW_OK)
		cbw_reply_err(ctx, r, er);
	else
		reply_tokens(ctx, r, &u, tok);
}

/* POST /api/auth/refresh : 200 nouveaux jetons, 401 jeton invalide/réutilisé. */
static void
api_refresh(struct cbw_ctx *ctx, struct cbw_req *r)
{
	struct cbw_user	 u;
	const char	*tok = NULL;
	char		 newtok[CBW_TOKEN_HEX];
	enum cbw_err	 er;

	if (cbw_json_get_str(r->json, "refresh_token", &tok) != CBW_OK) {
		struct json_object *f = NULL;

		cbw_json_field(&f, "refresh_token", "Jeton de rafraîchissement requis.");
		cbw_reply_error(ctx, r, 422, "validation_error",
		    "Jeton de rafraîchissement requis.", f);
		return;
	}
	if ((er = cbw_auth_refresh(ctx->db, tok, newtok, &u)) == CBW_EAUTH)
		cbw_reply_error(ctx, r, 401, "invalid_refresh_token",
		    "Jeton de rafraîchissement invalide, expiré ou déjà utilisé.", NULL);
	else if (er != CBW_OK)
		cbw_reply_err(ctx, r, er);
	else
		reply_tokens(ctx, r, &u, newtok);
}

/* GET /api/auth/me : 200 avec l'utilisateur courant. */
static void
api_me(struct cbw_ctx *ctx, struct cbw_req *r)
{
	struct json_object	*u = user_json(ctx, r->user.id);

	if (u == NULL)
		cbw_reply_err(ctx, r, CBW_EDB);
	else
		cbw_reply_json(r, 200, u);
}

/* POST /api/auth/logout : révoque la session du jeton ; 204. */
static void
api_logout(struct cbw_ctx *ctx, struct cbw_req *r)
{
	cbw_reply_done(ctx, r, cbw_auth_revoke_family(ctx->db, r->user.family),
	    204);
}

/*
 * Rend la page de connexion (statut donné) avec un jeton CSRF lié au cookie
 * « pré-session », créé au besoin.
 */
static void
login_page(struct cbw_ctx *ctx, struct cbw_req *r, int status,
    const char *email, const char *error)
{
	struct json_object	*d;
	const char		*pre = cbw_kv_get(&r->cookies, CBW_COOKIE_PRE);
	char			 fresh[CBW_TOKEN_HEX], b[80], csrf[CBW_TOKEN_HEX];

	if (pre == NULL || strlen(pre) != CBW_TOKEN_HEX - 1) {
		if (cbw_crypto_token_hex(fresh, 32) != CBW_OK) {
			cbw_reply_err(ctx, r, CBW_EIO);
			return;
		}
		cbw_http_cookie(r, CBW_COOKIE_PRE, fresh, -1);
		pre = fresh;
	}
	snprintf(b, sizeof(b), "pre:%s", pre);
	cbw_auth_csrf(&ctx->cfg, b, csrf);
	if ((d = json_object_new_object()) == NULL) {
		cbw_reply_err(ctx, r, CBW_ENOMEM);
		return;
	}
	json_object_object_add(d, "title", json_object_new_string("Connexion"));
	json_object_object_add(d, "csrf", json_object_new_string(csrf));
	json_object_object_add(d, "email", json_object_new_string(email ? email : ""));
	if (error != NULL)
		json_object_object_add(d, "error", json_object_new_string(error));
	cbw_page_flash(ctx, r, d);
	cbw_reply_html(ctx, r, status, "login", d);
}

/* GET /login : la page, ou redirection vers le tableau de bord si connecté. */
static void
html_login_page(struct cbw_ctx *ctx, struct cbw_req *r)
{
	if (r->authed)
		cbw_reply_redirect(r, "/dashboard");
	else
		login_page(ctx, r, 200, NULL, NULL);
}

/*
 * POST /login : 303 vers /dashboard avec cookie de session ; sinon la page
 * avec l'erreur (401 identifiants, 422 champs, 429 limite).
 */
static void
html_login_post(struct cbw_ctx *ctx, struct cbw_req *r)
{
	struct cbw_user	 u;
	const char	*email = NULL, *pw = NULL, *m;
	char		 norm[CBW_EMAIL_MAX + 1], tok[CBW_TOKEN_HEX], msg[128], ra[24];
	long		 retry = 0;
	enum cbw_err	 er;

	cbw_input_str(r, "email", &email);
	if (cbw_valid_email(email, norm, sizeof(norm), &m) != CBW_OK ||
	    cbw_input_str(r, "password", &pw) != CBW_OK || *pw == '\0') {
		login_page(ctx, r, 422, email, "Saisissez une adresse e-mail "
		    "valide et votre mot de passe.");
		return;
	}
	er = cbw_auth_login(ctx->db, norm, pw, r->remote_addr, &u, &retry);
	if (er == CBW_ELIMIT) {
		throttle_msg(msg, sizeof(msg), retry);
		snprintf(ra, sizeof(ra), "%ld", retry);
		cbw_http_header(r, "Retry-After", ra);
		login_page(ctx, r, 429, email, msg);
	} else if (er == CBW_EAUTH)
		login_page(ctx, r, 401, email, "E-mail ou mot de passe incorrect.");
	else if (er != CBW_OK ||
	    (er = cbw_auth_session_new(ctx->db, u.id, "web", tok, u.family)) != CBW_OK)
		cbw_reply_err(ctx, r, er);
	else {
		cbw_http_cookie(r, CBW_COOKIE_SESSION, tok, CBW_REFRESH_TTL);
		cbw_http_cookie(r, CBW_COOKIE_PRE, "", 0);
		cbw_reply_redirect(r, "/dashboard");
	}
}

/* POST /logout : ferme la session web, efface le cookie ; 303 vers /login. */
static void
html_logout(struct cbw_ctx *ctx, struct cbw_req *r)
{
	enum cbw_err	 er;

	if ((er = cbw_auth_revoke_family(ctx->db, r->user.family)) != CBW_OK) {
		cbw_reply_err(ctx, r, er);
		return;
	}
	cbw_http_cookie(r, CBW_COOKIE_SESSION, "", 0);
	cbw_flash(ctx, r, "success", "Vous êtes déconnecté.");
	cbw_reply_redirect(r, "/login");
}

/* Aiguillage des routes de ce programme. */
static void
handle(struct cbw_ctx *ctx, struct cbw_req *r)
{
	switch ((enum route)r->route) {
	case ROUTE_API_LOGIN:
		api_login(ctx, r);
		break;
	case ROUTE_API_REFRESH:
		api_refresh(ctx, r);
		break;
	case ROUTE_API_ME:
		api_me(ctx, r);
		break;
	case ROUTE_API_LOGOUT:
		api_logout(ctx, r);
		break;
	case ROUTE_LOGIN_PAGE:
		html_login_page(ctx, r);
		break;
	case ROUTE_LOGIN_POST:
		html_login_post(ctx, r);
		break;
	case ROUTE_LOGOUT_POST:
		html_logout(ctx, r);
		break;
	case ROUTE__MAX:
		abort();
	}
}

static const struct cbw_app app = {
	"cbw-auth", routes, ROUTE__MAX, handle, NULL
};

int
main(void)
{
	return cbw_app_main(&app);
}
