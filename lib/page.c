/*
 * Réponses (JSON, HTML, redirections, erreurs) et contexte commun des pages
 * (voir app.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "app.h"
#include "auth.h"
#include "crypto.h"
#include "db.h"
#include "json.h"
#include "log.h"
#include "tmpl.h"
#include "valid.h"

/* Réponse JSON ; l'objet est libéré. */
void
cbw_reply_json(struct cbw_req *r, int status, struct json_object *o)
{
	if (o == NULL) {
		cbw_buf_puts(&r->out, "{\"error\":\"internal\",\"message\":"
		    "\"Mémoire insuffisante.\"}");
		cbw_http_send(r, 500, "application/json; charset=utf-8");
		return;
	}
	cbw_buf_puts(&r->out, json_object_to_json_string_ext(o,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	cbw_http_send(r, status, "application/json; charset=utf-8");
}

/* Réponse sans corps. */
void
cbw_reply_empty(struct cbw_req *r, int status)
{
	cbw_buf_reset(&r->out);
	cbw_http_send(r, status, NULL);
}

/* Redirection 303 vers un chemin local (jamais une autre origine). */
void
cbw_reply_redirect(struct cbw_req *r, const char *location)
{
	if (location[0] != '/' || location[1] == '/' || location[1] == '\\')
		location = "/";
	cbw_buf_reset(&r->out);
	cbw_http_header(r, "Location", location);
	cbw_http_send(r, 303, "text/plain; charset=utf-8");
}

/* Titre français d'une page d'erreur selon le code. */
static const char *
error_title(int status)
{
	switch (status) {
	case 400: return "Requête invalide";
	case 401: return "Connexion requise";
	case 403: return "Accès refusé";
	case 404: return "Page introuvable";
	case 405: return "Méthode non autorisée";
	case 409: return "Conflit";
	case 413: return "Requête trop volumineuse";
	case 415: return "Type de contenu non pris en charge";
	case 422: return "Données invalides";
	case 429: return "Trop de requêtes";
	case 503: return "Service momentanément indisponible";
	case 507: return "Espace disque insuffisant";
	default: return "Erreur interne";
	}
}

/* Erreur en JSON (API) ou page HTML. */
void
cbw_reply_error(struct cbw_ctx *ctx, struct cbw_req *r, int status,
    const char *code, const char *message, struct json_object *fields)
{
	struct json_object	*d;

	if (r->is_api || ctx == NULL || ctx->tmpl == NULL) {
		cbw_reply_json(r, status, cbw_json_error(code, message, fields));
		return;
	}
	json_object_put(fields);
	if ((d = json_object_new_object()) == NULL) {
		cbw_reply_json(r, 500, NULL);
		return;
	}
	json_object_object_add(d, "title", json_object_new_string(error_title(status)));
	json_object_object_add(d, "status", json_object_new_int(status));
	json_object_object_add(d, "message", json_object_new_string(message));
	if (r->authed) {
		json_object_object_add(d, "user", json_object_new_object());
		json_object_object_add(json_object_object_get(d, "user"), "email",
		    json_object_new_string(r->user.email));
	}
	cbw_reply_html(ctx, r, status, "error", d);
}

/*
 * Erreur d'un service traduite en réponse : 404, 409, 503 + Retry-After
 * (base verrouillée), et pour une erreur de base due au stockage (voir
 * cbw_db_fault) 507 « espace disque insuffisant » ou 503 « base en lecture
 * seule », sinon 500. Dans ces deux cas la transaction a été annulée.
 */
void
cbw_reply_err(struct cbw_ctx *ctx, struct cbw_req *r, enum cbw_err er)
{
	enum cbw_db_fault	 fault = CBW_DB_FAULT_NONE;

	if (er == CBW_EDB && ctx != NULL)
		fault = cbw_db_fault(ctx->db);
	switch (er) {
	case CBW_ENOTFOUND:
		cbw_reply_error(ctx, r, 404, "not_found", "Élément introuvable.", NULL);
		break;
	case CBW_ECONFLICT:
		cbw_reply_error(ctx, r, 409, "conflict",
		    "Cet élément existe déjà.", NULL);
		break;
	case CBW_EBUSY:
		cbw_http_header(r, "Retry-After", "2");
		cbw_reply_error(ctx, r, 503, "busy", "Base de données occupée : "
		    "réessayez dans quelques secondes.", NULL);
		break;
	default:
		if (fault == CBW_DB_FAULT_FULL) {
			cbw_log(CBW_LOG_CRITICAL, __func__, r->user.id, "disque "
			    "plein : écriture refusée", cbw_err_name(er), NULL);
			cbw_reply_error(ctx, r, 507, "storage_full", "Espace disque "
			    "insuffisant sur le serveur : rien n'a été enregistré. "
			    "Libérez de la place puis réessayez.", NULL);
			break;
		}
		if (fault == CBW_DB_FAULT_READONLY) {
			cbw_log(CBW_LOG_CRITICAL, __func__, r->user.id, "base en "
			    "lecture seule : écriture refusée", cbw_err_name(er),
			    NULL);
			cbw_reply_error(ctx, r, 503, "read_only", "Base de données "
			    "en lecture seule (droits du fichier ou disque) : rien "
			    "n'a été enregistré. Prévenez l'administrateur du "
			    "serveur.", NULL);
			break;
		}
		cbw_log(CBW_LOG_ERROR, __func__, r->user.id, "erreur interne",
		    cbw_err_name(er), NULL);
		cbw_reply_error(ctx, r, 500, "internal", "Erreur interne.", NULL);
		break;
	}
}

/* Réponse sans corps, ou l'erreur du service. */
void
cbw_reply_done(struct cbw_ctx *ctx, struct cbw_req *r, enum cbw_err er,
    int status)
{
	if (er != CBW_OK)
		cbw_reply_err(ctx, r, er);
	else
		cbw_reply_empty(r, status);
}

/* Rend un gabarit ; une erreur de gabarit donne un 500 journalisé. */
void
cbw_reply_html(struct cbw_ctx *ctx, struct cbw_req *r, int status,
    const char *tmpl, struct json_object *data)
{
	char	 err[256] = "";

	cbw_buf_reset(&r->out);
	if (data == NULL || cbw_tmpl_render(ctx->tmpl, tmpl, data, &r->out, err,
	    sizeof(err)) != CBW_OK || r->out.oom) {
		cbw_log(CBW_LOG_ERROR, __func__, r->user.id, "rendu de gabarit "
		    "impossible", err[0] ? err : "mémoire", NULL);
		cbw_buf_reset(&r->out);
		cbw_buf_puts(&r->out, "<!doctype html><html lang=\"fr\"><meta "
		    "charset=\"utf-8\"><title>Erreur interne</title><h1>Erreur "
		    "interne</h1><p>La page n'a pas pu être affichée.</p></html>");
		status = 500;
	}
	json_object_put(data);
	cbw_http_send(r, status, "text/html; charset=utf-8");
}

/* Encode en hexadécimal (out : 2n+1). */
static void
to_hex(const char *s, size_t n, char *out)
{
	static const char	 d[] = "0123456789abcdef";
	size_t			 i;

	for (i = 0; i < n; i++) {
		out[2 * i] = d[(unsigned char)s[i] >> 4];
		out[2 * i + 1] = d[(unsigned char)s[i] & 0xf];
	}
	out[2 * n] = '\0';
}

/* Message flash : cookie « hex(kind \x1f message).hmac ». */
void
cbw_flash(struct cbw_ctx *ctx, struct cbw_req *r, const char *kind,
    const char *message)
{
	char	 raw[600], hexs[1201], mac[CBW_SHA256_HEX], val[1300];
	int	 n;

	n = snprintf(raw, sizeof(raw), "%s\x1f%s", kind, message);
	if (n < 0 || (size_t)n >= sizeof(raw))
		return;
	to_hex(raw, (size_t)n, hexs);
	if (cbw_crypto_hmac_hex(ctx->cfg.secret_key, strlen(ctx->cfg.secret_key),
	    hexs, strlen(hexs), mac) != CBW_OK)
		return;
	snprintf(val, sizeof(val), "%s.%.32s", hexs, mac);
	cbw_http_cookie(r, CBW_COOKIE_FLASH, val, 60);
}

/* Décode un hexadécimal en place ; 0 si invalide. */
static int
from_hex(char *s)
{
	size_t	 i, n = strlen(s);
	int	 h, l;

	if (n % 2)
		return 0;
	for (i = 0; i < n / 2; i++) {
		h = s[2 * i] <= '9' ? s[2 * i] - '0' : s[2 * i] - 'a' + 10;
		l = s[2 * i + 1] <= '9' ? s[2 * i + 1] - '0' : s[2 * i + 1] - 'a' + 10;
		if (h < 0 || h > 15 || l < 0 || l > 15)
			return 0;
		s[i] = (char)(h * 16 + l);
	}
	s[n / 2] = '\0';
	return 1;
}

/* Lit et efface le message flash ; l'ajoute au contexte s'il est authentique. */
void
cbw_page_flash(struct cbw_ctx *ctx, struct cbw_req *r, struct json_object *d)
{
	const char		*v = cbw_kv_get(&r->cookies, CBW_COOKIE_FLASH);
	char			 buf[1300], mac[CBW_SHA256_HEX], *dot, *sep;
	struct json_object	*f;

	if (v == NULL || strlen(v) >= sizeof(buf))
		return;
	cbw_http_cookie(r, CBW_COOKIE_FLASH, "", 0);
	memcpy(buf, v, strlen(v) + 1);
	if ((dot = strrchr(buf, '.')) == NULL)
		return;
	*dot++ = '\0';
	if (cbw_crypto_hmac_hex(ctx->cfg.secret_key, strlen(ctx->cfg.secret_key),
	    buf, strlen(buf), mac) != CBW_OK)
		return;
	mac[32] = '\0';
	if (!cbw_crypto_streq(dot, mac) || !from_hex(buf) ||
	    (sep = strchr(buf, '\x1f')) == NULL)
		return;
	*sep++ = '\0';
	if ((f = json_object_new_object()) == NULL)
		return;
	json_object_object_add(f, "kind", json_object_new_string(
	    strcmp(buf, "error") == 0 ? "error" : "success"));
	json_object_object_add(f, "message", json_object_new_string(sep));
	json_object_object_add(d, "flash", f);
}

/* Contexte commun d'une page connectée (voir app.h). */
struct json_object *
cbw_page_new(struct cbw_ctx *ctx, struct cbw_req *r, const char *page,
    const char *title)
{
	struct json_object	*d, *u;
	char			 csrf[CBW_TOKEN_HEX];

	if ((d = json_object_new_object()) == NULL ||
	    (u = json_object_new_object()) == NULL) {
		json_object_put(d);
		return NULL;
	}
	json_object_object_add(d, "title", json_object_new_string(title));
	json_object_object_add(d, "page", json_object_new_string(page));
	json_object_object_add(u, "id", json_object_new_int64(r->user.id));
	json_object_object_add(u, "email", json_object_new_string(r->user.email));
	json_object_object_add(u, "role", json_object_new_string(r->user.role));
	json_object_object_add(u, "role_label", json_object_new_string(
	    r->user.is_super ? "Super admin" : "Admin"));
	json_object_object_add(u, "is_super", json_object_new_boolean(r->user.is_super));
	json_object_object_add(d, "user", u);
	cbw_auth_csrf(&ctx->cfg, r->user.session_hash, csrf);
	json_object_object_add(d, "csrf", json_object_new_string(csrf));
	cbw_page_flash(ctx, r, d);
	return d;
}

/* Champs de pagination pour les gabarits. */
void
cbw_page_pagination(struct json_object *d, long long page, long long per_page,
    long long total)
{
	long long	 pages = total > 0 ? (total + per_page - 1) / per_page : 1;

	json_object_object_add(d, "page_num", json_object_new_int64(page));
	json_object_object_add(d, "pages", json_object_new_int64(pages));
	json_object_object_add(d, "total", json_object_new_int64(total));
	json_object_object_add(d, "prev_page", page > 1 ?
	    json_object_new_int64(page - 1) : NULL);
	json_object_object_add(d, "next_page", page < pages ?
	    json_object_new_int64(page + 1) : NULL);
}

/* Champ d'entrée texte, du JSON ou du formulaire selon la face. */
enum cbw_err
cbw_input_str(struct cbw_req *r, const char *key, const char **out)
{
	if (r->json != NULL)
		return cbw_json_get_str(r->json, key, out);
	if ((*out = cbw_kv_get(&r->form, key)) == NULL)
		return CBW_ENOTFOUND;
	if (!cbw_valid_utf8(*out, strlen(*out))) {
		*out = NULL;
		return CBW_EINVAL;
	}
	return CBW_OK;
}

/*
 * Identifiants d'un tableau JSON : de 1 à 2^53 comme cbw_valid_id (json-c
 * ramène à INT64_MAX tout entier plus grand : sans borne, deux valeurs
 * différentes donneraient le même identifiant).
 */
static enum cbw_err
ids_json(struct json_object *arr, long long *ids, size_t max, size_t *n)
{
	struct json_object	*v;
	size_t			 i, len;

	if (!json_object_is_type(arr, json_type_array) ||
	    (len = json_object_array_length(arr)) > max)
		return CBW_EINVAL;
	for (i = 0; i < len; i++) {
		v = json_object_array_get_idx(arr, i);
		if (!json_object_is_type(v, json_type_int) ||
		    (ids[i] = json_object_get_int64(v)) <= 0 ||
		    ids[i] > 9007199254740992LL)
			return CBW_EINVAL;
	}
	*n = len;
	return CBW_OK;
}

/* Liste d'identifiants (voir app.h). */
enum cbw_err
cbw_input_ids(struct cbw_req *r, const char *key, long long *ids, size_t max,
    size_t *n)
{
	struct json_object	*arr;
	size_t			 i;
	int			 found = 0;

	*n = 0;
	if (r->json != NULL) {
		if (!json_object_object_get_ex(r->json, key, &arr) || arr == NULL)
			return CBW_ENOTFOUND;
		return ids_json(arr, ids, max, n);
	}
	for (i = 0; i < r->form.n; i++) {
		if (strcmp(r->form.v[i].key, key) != 0)
			continue;
		found = 1;
		if (*r->form.v[i].val == '\0')
			continue;	/* case « aucune » */
		if (*n >= max || cbw_valid_id(r->form.v[i].val, &ids[*n]) != CBW_OK)
			return CBW_EINVAL;
		(*n)++;
	}
	return found ? CBW_OK : CBW_ENOTFOUND;
}

/* Vrai si `id` figure parmi les n identifiants (voir app.h). */
int
cbw_ids_has(const long long *ids, size_t n, long long id)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (ids[i] == id)
			return 1;
	return 0;
}

/* Pagination de la requête (voir app.h). */
int
cbw_input_page(struct cbw_ctx *ctx, struct cbw_req *r, long long *pg,
    long long *pp)
{
	struct json_object	*f = NULL;
	const char		*field, *msg;

	if (cbw_valid_page(cbw_kv_get(&r->query, "page"), cbw_kv_get(&r->query,
	    "per_page"), pg, pp, &field, &msg) == CBW_OK)
		return 1;
	if (!r->is_api) {		/* page : on revient au début */
		*pg = 1;
		*pp = CBW_PER_PAGE_DEFAULT;
		return 1;
	}
	cbw_json_field(&f, field, msg);
	cbw_reply_error(ctx, r, 422, "validation_error", msg, f);
	return 0;
}
