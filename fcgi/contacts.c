/*
 * cbw-contacts : contacts, en API JSON (/api/contacts) et en pages
 * (/contacts) : liste, fiche, création, modification, suppression, import
 * et export CSV. Chaque requête est limitée aux contacts de
 * l'administrateur connecté (un autre : 404).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "app.h"
#include "category.h"
#include "clock.h"
#include "contact.h"
#include "csv.h"
#include "db.h"
#include "html.h"
#include "import.h"
#include "json.h"
#include "log.h"
#include "phone.h"
#include "valid.h"

enum route {
	ROUTE_API_LIST,
	ROUTE_API_CREATE,
	ROUTE_API_IMPORT,
	ROUTE_API_EXPORT,
	ROUTE_API_GET,
	ROUTE_API_UPDATE,
	ROUTE_API_DELETE,
	ROUTE_PAGE_LIST,
	ROUTE_PAGE_CREATE,
	ROUTE_PAGE_IMPORT_FORM,
	ROUTE_PAGE_IMPORT,
	ROUTE_PAGE_REJECTED,
	ROUTE_PAGE_EXPORT,
	ROUTE_PAGE_SHOW,
	ROUTE_PAGE_UPDATE,
	ROUTE_PAGE_CONFIRM,
	ROUTE_PAGE_DELETE,
	ROUTE_PAGE_RESUBSCRIBE,
	ROUTE__MAX
};

#define API	(CBW_R_API | CBW_R_AUTH)
#define PAGE	(CBW_R_HTML | CBW_R_AUTH)

static const struct cbw_route routes[ROUTE__MAX] = {
	{ ROUTE_API_LIST, CBW_GET, "/api/contacts", API },
	{ ROUTE_API_CREATE, CBW_POST, "/api/contacts", API | CBW_R_JSON },
	{ ROUTE_API_IMPORT, CBW_POST, "/api/contacts/import", API | CBW_R_MULTIPART },
	{ ROUTE_API_EXPORT, CBW_GET, "/api/contacts/export", API },
	{ ROUTE_API_GET, CBW_GET, "/api/contacts/{id}", API },
	{ ROUTE_API_UPDATE, CBW_PUT, "/api/contacts/{id}", API | CBW_R_JSON },
	{ ROUTE_API_DELETE, CBW_DELETE, "/api/contacts/{id}", API },
	{ ROUTE_PAGE_LIST, CBW_GET, "/contacts", PAGE },
	{ ROUTE_PAGE_CREATE, CBW_POST, "/contacts", PAGE | CBW_R_FORM },
	{ ROUTE_PAGE_IMPORT_FORM, CBW_GET, "/contacts/import", PAGE },
	{ ROUTE_PAGE_IMPORT, CBW_POST, "/contacts/import", PAGE | CBW_R_MULTIPART },
	{ ROUTE_PAGE_REJECTED, CBW_POST, "/contacts/import/rejected",
	    PAGE | CBW_R_FORM | CBW_R_LARGE },
	{ ROUTE_PAGE_EXPORT, CBW_GET, "/contacts/export", PAGE },
	{ ROUTE_PAGE_SHOW, CBW_GET, "/contacts/{id}", PAGE },
	{ ROUTE_PAGE_UPDATE, CBW_POST, "/contacts/{id}", PAGE | CBW_R_FORM },
	{ ROUTE_PAGE_CONFIRM, CBW_GET, "/contacts/{id}/delete", PAGE },
	{ ROUTE_PAGE_DELETE, CBW_POST, "/contacts/{id}/delete", PAGE | CBW_R_FORM },
	{ ROUTE_PAGE_RESUBSCRIBE, CBW_POST, "/contacts/{id}/resubscribe",
	    PAGE | CBW_R_FORM },
};

#define INVALID_MSG	"Certains champs sont invalides."
#define MAX_CATS	200
#define DEFAULT_CC	"+33"

/* Saisie validée d'un contact. */
struct kin {
	struct cbw_phone	 phone;
	char			 first[4 * CBW_NAME_MAX + 4];
	char			 last[4 * CBW_NAME_MAX + 4];
	long long		 cats[MAX_CATS];
	struct cbw_contact_in	 in;
	int			 opted_out;	/* -1 : inchangé */
};

/* Nom du champ de numéro selon la face (API : phone_number, page : phone). */
static const char *
phone_field(const struct cbw_req *r, const char *f)
{
	if (!r->is_api && strcmp(f, "phone_number") == 0)
		return "phone";
	return f;
}

/* Lit et valide le numéro ; `required` en création. */
static void
in_phone(struct cbw_req *r, int required, struct kin *k, struct json_object **f)
{
	struct cbw_phone_err	 pe;
	const char		*num = NULL, *cc = NULL;
	enum cbw_err		 e1, e2;

	if ((e1 = cbw_input_str(r, "phone_number", &num)) == CBW_ENOTFOUND)
		e1 = cbw_input_str(r, "phone", &num);
	e2 = cbw_input_str(r, "country_code", &cc);
	if (e1 == CBW_ENOTFOUND && e2 == CBW_ENOTFOUND && !required)
		return;
	if (e1 == CBW_EINVAL || e2 == CBW_EINVAL) {
		cbw_json_field(f, phone_field(r, e1 == CBW_EINVAL ? "phone_number" :
		    "country_code"), "Ce champ doit être une chaîne.");
		return;
	}
	if (num == NULL || *num == '\0') {
		cbw_json_field(f, phone_field(r, "phone_number"),
		    "Le numéro de téléphone est obligatoire.");
		return;
	}
	if (cbw_phone_parse(num, cc, &k->phone, &pe) != CBW_OK)
		cbw_json_field(f, phone_field(r, pe.field), pe.msg);
	else
		k->in.phone = &k->phone;
}

/* Lit un nom facultatif (absent : inchangé ; "" : effacé). */
static void
in_name(struct cbw_req *r, const char *key, char *out, size_t len,
    const char **dst, struct json_object **f)
{
	const char	*v, *msg;
	enum cbw_err	 er = cbw_input_str(r, key, &v);

	if (er == CBW_ENOTFOUND)
		return;
	if (er != CBW_OK)
		cbw_json_field(f, key, "Ce champ doit être une chaîne.");
	else if (cbw_valid_name(v, 1, out, len, &msg) != CBW_OK)
		cbw_json_field(f, key, msg);
	else
		*dst = out;
}

/*
 * Valide la saisie d'un contact (JSON ou formulaire). `create` : numéro
 * obligatoire. Rend NULL si tout est valide, sinon les erreurs par champ.
 */
static struct json_object *
contact_input(struct cbw_req *r, int create, struct kin *k)
{
	struct json_object	*f = NULL;
	enum cbw_err		 er;
	int			 b;

	memset(k, 0, sizeof(*k));
	k->opted_out = -1;
	in_phone(r, create, k, &f);
	in_name(r, "first_name", k->first, sizeof(k->first), &k->in.first_name, &f);
	in_name(r, "last_name", k->last, sizeof(k->last), &k->in.last_name, &f);
	if (create && k->in.first_name == NULL)
		k->in.first_name = "";
	if (create && k->in.last_name == NULL)
		k->in.last_name = "";
	er = cbw_input_ids(r, "category_ids", k->cats, MAX_CATS, &k->in.ncat);
	if (er == CBW_EINVAL)
		cbw_json_field(&f, "category_ids", "category_ids doit être une "
		    "liste d'identifiants de catégories.");
	k->in.category_ids = k->cats;
	k->in.set_categories = er == CBW_OK || (!r->is_api && !create);
	if (r->json != NULL &&
	    (er = cbw_json_get_bool(r->json, "opted_out", &b)) != CBW_ENOTFOUND) {
		if (er != CBW_OK)
			cbw_json_field(&f, "opted_out", "opted_out doit être un booléen.");
		else
			k->opted_out = b;
	}
	return f;
}

/* Message du 409 : le contact qui a déjà ce numéro. */
static void
taken_msg(struct json_object *ex, char *buf, size_t len)
{
	const char	*fn = json_object_get_string(json_object_object_get(ex,
			    "first_name"));
	const char	*ln = json_object_get_string(json_object_object_get(ex,
			    "last_name"));

	snprintf(buf, len, "Ce numéro est déjà enregistré pour %s%s%s (contact "
	    "n° %lld).", fn ? fn : "", fn && ln ? " " : "", ln ? ln :
	    (fn ? "" : "un autre contact"), (long long)json_object_get_int64(
	    json_object_object_get(ex, "id")));
}

/* Réponse d'erreur d'un service de contact (409, 422 catégorie, 404...). */
static void
reply_contact_err(struct cbw_ctx *ctx, struct cbw_req *r, enum cbw_err er,
    struct json_object *existing)
{
	struct json_object	*f = NULL, *o;
	char			 msg[400];

	if (er == CBW_ECONFLICT && existing != NULL) {
		taken_msg(existing, msg, sizeof(msg));
		cbw_json_field(&f, "phone_number", msg);
		o = cbw_json_error("conflict", msg, f);
		json_object_object_add(o, "existing", existing);
		cbw_reply_json(r, 409, o);
		return;
	}
	json_object_put(existing);
	if (er == CBW_EDENIED) {
		cbw_json_field(&f, "category_ids", "Catégorie inconnue.");
		cbw_reply_error(ctx, r, 422, "validation_error", INVALID_MSG, f);
	} else
		cbw_reply_err(ctx, r, er);
}

/* Filtre category_id de la requête (0 : aucun) ; -1 si invalide. */
static long long
category_filter(struct cbw_req *r)
{
	const char	*v = cbw_kv_get(&r->query, "category_id");
	long long	 id;

	if (v == NULL || *v == '\0')
		return 0;
	return cbw_valid_id(v, &id) == CBW_OK ? id : -1;
}

/* GET /api/contacts : 200 liste ; 404 catégorie d'un autre ; 422. */
static void
api_list(struct cbw_ctx *ctx, struct cbw_req *r)
{
	struct json_object	*items, *f = NULL;
	long long		 pg, pp, total, cat = category_filter(r);
	enum cbw_err		 er;

	if (!cbw_input_page(ctx, r, &pg, &pp))
		return;
	if (cat < 0) {
		cbw_json_field(&f, "category_id", "Identifiant de catégorie invalide.");
		cbw_reply_error(ctx, r, 422, "validation_error", INVALID_MSG, f);
		return;
	}
	if ((er = cbw_contact_list(ctx->db, r->user.id, cbw_kv_get(&r->query, "q"),
	    cat, pg, pp, &items, &total)) != CBW_OK)
		cbw_reply_err(ctx, r, er);
	else
		cbw_reply_json(r, 200, cbw_json_list(items, total, pg, pp));
}

/* Répond la fiche du contact `id`. */
static void
reply_contact(struct cbw_ctx *ctx, struct cbw_req *r, int status, long long id)
{
	struct json_object	*o;
	enum cbw_err		 er;

	if ((er = cbw_contact_get(ctx->db, r->user.id, id, &o)) != CBW_OK)
		cbw_reply_err(ctx, r, er);
	else
		cbw_reply_json(r, status, o);
}

/* POST /api/contacts : 201 ; 409 numéro déjà présent ; 422. */
static void
api_create(struct cbw_ctx *ctx, struct cbw_req *r)
{
	struct json_object	*f, *ex = NULL;
	struct kin		 k;
	long long		 id;
	enum cbw_err		 er;

	if ((f = contact_input(r, 1, &k)) != NULL) {
		cbw_reply_error(ctx, r, 422, "validation_error", INVALID_MSG, f);
		return;
	}
	if ((er = cbw_contact_create(ctx->db, r->user.id, &k.in, &id, &ex)) != CBW_OK)
		reply_contact_err(ctx, r, er, ex);
	else
		reply_contact(ctx, r, 201, id);
}

/* PUT /api/contacts/{id} : 200 ; 404 ; 409 ; 422. */
static void
api_update(struct cbw_ctx *ctx, struct cbw_req *r)
{
	struct json_object	*f, *ex = NULL;
	struct kin		 k;
	enum cbw_err		 er;

	if ((f = contact_input(r, 0, &k)) != NULL) {
		cbw_reply_error(ctx, r, 422, "validation_error", INVALID_MSG, f);
		return;
	}
	if ((er = cbw_contact_update(ctx->db, r->user.id, r->ids[0], &k.in,
	    &ex)) != CBW_OK ||
	    (k.opted_out >= 0 && (er = cbw_contact_optout(ctx->db, r->user.id,
	    r->ids[0], k.opted_out)) != CBW_OK))
		reply_contact_err(ctx, r, er, ex);
	else
		reply_contact(ctx, r, 200, r->ids[0]);
}

/* DELETE /api/contacts/{id} : 204 ; 404. */
static void
api_delete(struct cbw_ctx *ctx, struct cbw_req *r)
{
	cbw_reply_done(ctx, r, cbw_contact_delete(ctx->db, r->user.id,
	    r->ids[0]), 204);
}

/*
 * GET …/contacts/export : 200 fichier CSV (séparateur « , » ou « ; » avec
 * sep=semicolon) ; 404 catégorie d'un autre ; 422 paramètre invalide.
 */
static void
export(struct cbw_ctx *ctx, struct cbw_req *r)
{
	const char	*sep = cbw_kv_get(&r->query, "sep");
	long long	 cat = category_filter(r);
	char		 delim = ',';
	enum cbw_err	 er;

	if (sep != NULL && (strcmp(sep, "semicolon") == 0 || strcmp(sep, ";") == 0))
		delim = ';';
	else if (sep != NULL && *sep != '\0' && strcmp(sep, "comma") != 0 &&
	    strcmp(sep, ",") != 0)
		cat = -1;
	if (cat < 0) {
		cbw_reply_error(ctx, r, 422, "validation_error", "Paramètres "
		    "d'export invalides (sep=comma|semicolon, category_id).", NULL);
		return;
	}
	if ((er = cbw_contact_export(ctx->db, r->user.id, cat, delim, &r->out)) != CBW_OK) {
		cbw_buf_reset(&r->out);
		cbw_reply_err(ctx, r, er);
		return;
	}
	cbw_http_header(r, "Content-Disposition", "attachment; filename=\"contacts.csv\"");
	cbw_http_send(r, 200, "text/csv; charset=utf-8");
}

/*
 * Lit les options d'import du formulaire multipart. Rend NULL si elles
 * sont valides, sinon les erreurs par champ.
 */
static struct json_object *
import_opts(struct cbw_req *r, struct cbw_import_opts *o, char *name,
    size_t len)
{
	struct json_object	*f = NULL;
	const char		*v, *msg;

	memset(o, 0, sizeof(*o));
	o->default_cc = DEFAULT_CC;
	if (r->upload == NULL || r->uploadlen == 0)
		cbw_json_field(&f, "file", "Choisissez un fichier CSV non vide.");
	if (cbw_input_str(r, "default_country_code", &v) == CBW_OK && *v != '\0') {
		if (cbw_phone_country_by_code(v) == NULL)
			cbw_json_field(&f, "default_country_code",
			    "Indicatif par défaut inconnu.");
		else
			o->default_cc = v;
	}
	if (cbw_input_str(r, "category_id", &v) == CBW_OK && *v != '\0' &&
	    cbw_valid_id(v, &o->category_id) != CBW_OK)
		cbw_json_field(&f, "category_id", "Catégorie invalide.");
	if (cbw_input_str(r, "category_name", &v) == CBW_OK && *v != '\0') {
		if (cbw_valid_name(v, 0, name, len, &msg) != CBW_OK)
			cbw_json_field(&f, "category_name", msg);
		else
			o->category_name = name;
	}
	if (cbw_input_str(r, "on_duplicate", &v) == CBW_OK && *v != '\0') {
		if (strcmp(v, "update") != 0 && strcmp(v, "skip") != 0)
			cbw_json_field(&f, "on_duplicate", "Choix invalide : "
			    "« skip » (ignorer) ou « update » (mettre à jour les noms).");
		o->update_names = strcmp(v, "update") == 0;
	}
	return f;
}

/* Message « pas de colonne de téléphone » avec les en-têtes lus. */
static void
headers_msg(const char *msg, struct json_object *headers, char *buf, size_t len)
{
	struct cbw_buf	 b;
	size_t		 i;

	cbw_buf_init(&b);
	cbw_buf_puts(&b, msg);
	if (json_object_is_type(headers, json_type_array) &&
	    json_object_array_length(headers) > 0) {
		cbw_buf_puts(&b, " En-têtes lus : ");
		for (i = 0; i < json_object_array_length(headers) && i < 20; i++)
			cbw_buf_printf(&b, "%s« %s »", i ? ", " : "",
			    json_object_get_string(json_object_array_get_idx(headers, i)));
		cbw_buf_puts(&b, ". Il faut une colonne téléphone (ou phone, "
		    "numéro, mobile).");
	}
	snprintf(buf, len, "%s", cbw_buf_str(&b));
	cbw_buf_free(&b);
}

/* Bilan d'import en JSON. */
static struct json_object *
import_json(struct cbw_import_result *res)
{
	struct json_object	*o = json_object_new_object(), *c = NULL;
	char			 d[2] = { res->delim, '\0' };

	json_object_object_add(o, "created", json_object_new_int64(res->created));
	json_object_object_add(o, "updated", json_object_new_int64(res->updated));
	json_object_object_add(o, "skipped", json_object_new_int64(res->skipped));
	json_object_object_add(o, "rejected_count", json_object_new_int64(
	    res->rejected_count));
	json_object_object_add(o, "rejected", json_object_get(res->rejected));
	json_object_object_add(o, "skipped_lines", json_object_get(res->skipped_lines));
	json_object_object_add(o, "headers", json_object_get(res->headers));
	json_object_object_add(o, "headers_found", json_object_new_boolean(1));
	json_object_object_add(o, "rejected_csv", json_object_new_string(
	    res->rejected_count ? cbw_buf_str(&res->rejected_csv) : ""));
	if (res->category_id != 0) {
		c = json_object_new_object();
		json_object_object_add(c, "id", json_object_new_int64(res->category_id));
		json_object_object_add(c, "name", json_object_new_string(
		    res->category_name));
	}
	json_object_object_add(o, "category", c);
	json_object_object_add(o, "encoding", json_object_new_string(
	    res->encoding ? res->encoding : ""));
	json_object_object_add(o, "delimiter", json_object_new_string(d));
	json_object_object_add(o, "delimiter_label", json_object_new_string(
	    res->delim == ';' ? "point-virgule" : res->delim == '\t' ?
	    "tabulation" : res->delim == '|' ? "barre verticale" : "virgule"));
	return o;
}

/* Ce que le processus fils d'import reçoit (voir import_child). */
struct import_job {
	const char			*dbpath;
	long long			 owner;
	const char			*data;
	size_t				 len;
	const struct cbw_import_opts	*o;
};

/*
 * Import dans le processus fils (cbw_app_run_child) : sa propre
 * connexion, l'import, puis le bilan en JSON dans out : {"result"} si
 * CBW_OK ; {"message", "headers"} si CBW_EINVAL ; {"fault"} (panne de
 * stockage vue, voir cbw_db_fault) sinon. Le fils n'a pas à rendre sa
 * mémoire ni à fermer sa connexion : il se termine juste après. Rend le
 * code de cbw_import_csv, ou CBW_EDB si la base ne s'ouvre pas.
 */
static enum cbw_err
import_child(void *arg, struct cbw_buf *out)
{
	const struct import_job		*j = arg;
	struct cbw_import_result	 res;
	struct cbw_db			*db;
	struct json_object		*o;
	const char			*msg = NULL;
	char				 err[512];
	enum cbw_err			 er;

	if (cbw_db_open(&db, j->dbpath, 0, err, sizeof(err)) != CBW_OK) {
		CBW_LOGE("base de données impossible à ouvrir pour l'import", err);
		return CBW_EDB;
	}
	cbw_db_test_limits(db);
	cbw_import_result_init(&res);
	er = cbw_import_csv(db, j->owner, j->data, j->len, j->o, &res, &msg);
	o = json_object_new_object();
	if (er == CBW_OK)
		json_object_object_add(o, "result", import_json(&res));
	else if (er == CBW_EINVAL) {
		json_object_object_add(o, "message", json_object_new_string(
		    msg ? msg : "Fichier illisible."));
		json_object_object_add(o, "headers", json_object_get(res.headers));
	} else
		json_object_object_add(o, "fault", json_object_new_int(
		    (int)cbw_db_fault(db)));
	cbw_buf_puts(out, json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	return er;
}

/*
 * Exécute l'import dans un processus fils (son tas, qui grandit de
 * plusieurs Mio pour 100 000 lignes, disparaît avec lui). Rend le statut :
 * 200 (bilan dans *out), 404 (catégorie), 422 (*errors), ou 0 si une
 * réponse d'erreur est déjà partie (507 disque plein, 503, 500 : fils
 * mort sans répondre, rien n'a été écrit).
 */
static int
run_import(struct cbw_ctx *ctx, struct cbw_req *r, struct json_object **out,
    struct json_object **errors)
{
	struct cbw_import_opts	 o;
	struct import_job	 job;
	struct cbw_buf		 b;
	struct json_object	*back = NULL, *v;
	char			 buf[1200], name[4 * CBW_NAME_MAX + 4];
	enum cbw_err		 er;

	*out = NULL;
	if ((*errors = import_opts(r, &o, name, sizeof(name))) != NULL)
		return 422;
	job = (struct import_job){ ctx->cfg.database_path, r->user.id,
	    r->upload, r->uploadlen, &o };
	cbw_buf_init(&b);
	er = cbw_app_run_child(ctx, import_child, &job, &b);
	if (er != CBW_EIO && (back = json_tokener_parse(cbw_buf_str(&b))) == NULL)
		er = CBW_ENOMEM;
	cbw_buf_free(&b);
	if (er == CBW_OK && json_object_object_get_ex(back, "result", &v))
		*out = json_object_get(v);
	else if (er == CBW_EINVAL) {
		headers_msg(json_object_get_string(json_object_object_get(back,
		    "message")), json_object_object_get(back, "headers"), buf,
		    sizeof(buf));
		cbw_json_field(errors, "file", buf);
	} else if (er != CBW_ENOTFOUND) {
		cbw_db_fault_note(ctx->db, json_object_get_int(
		    json_object_object_get(back, "fault")));
		cbw_reply_err(ctx, r, er == CBW_OK ? CBW_EIO : er);
		er = CBW_EIO;
	}
	json_object_put(back);
	if (er == CBW_OK)
		cbw_db_checkpoint_later(ctx->db);
	return er == CBW_OK ? 200 : er == CBW_EINVAL ? 422 :
	    er == CBW_ENOTFOUND ? 404 : 0;
}

/* POST /api/contacts/import : 200 bilan ; 404 ; 413 ; 422. */
static void
api_import(struct cbw_ctx *ctx, struct cbw_req *r)
{
	struct json_object	*res, *errors;
	int			 st = run_import(ctx, r, &res, &errors);

	if (st == 200)
		cbw_reply_json(r, 200, res);
	else if (st == 422)
		cbw_reply_error(ctx, r, 422, "validation_error", json_object_get_string(
		    json_object_object_get(errors, "file")) ? json_object_get_string(
		    json_object_object_get(errors, "file")) : INVALID_MSG, errors);
	else if (st == 404)
		cbw_reply_err(ctx, r, CBW_ENOTFOUND);
}

/* Liste des pays pour le sélecteur, `code` choisi. */
static struct json_object *
countries_json(const char *code)
{
	const struct cbw_country	*c;
	struct json_object		*arr = json_object_new_array(), *o;
	size_t				 i;
	int				 done = 0;

	for (i = 0; (c = cbw_phone_country(i)) != NULL; i++) {
		o = json_object_new_object();
		json_object_object_add(o, "code", json_object_new_string(c->code));
		json_object_object_add(o, "name", json_object_new_string(c->name_fr));
		if (!done && code != NULL && strcmp(code, c->code) == 0) {
			json_object_object_add(o, "selected", json_object_new_boolean(1));
			done = 1;
		}
		json_object_array_add(arr, o);
	}
	return arr;
}

/*
 * Catégories de l'admin : `key` (« selected » ou « checked ») vaut vrai
 * pour les identifiants donnés.
 */
static struct json_object *
categories_json(struct cbw_ctx *ctx, struct cbw_req *r, const char *key,
    const long long *ids, size_t n)
{
	struct json_object	*all = NULL, *c;
	size_t			 i;

	if (ctx->db == NULL || cbw_category_all(ctx->db, r->user.id, &all) !=
	    CBW_OK)		/* connexion pas rouverte après un import */
		return json_object_new_array();
	for (i = 0; i < json_object_array_length(all); i++) {
		c = json_object_array_get_idx(all, i);
		json_object_object_add(c, key, json_object_new_boolean(
		    cbw_ids_has(ids, n, json_object_get_int64(
		    json_object_object_get(c, "id")))));
	}
	return all;
}

/* GET/POST /contacts/import : formulaire, puis bilan (200, 404, 413, 422). */
static void
import_page(struct cbw_ctx *ctx, struct cbw_req *r, int post)
{
	struct json_object	*d, *res = NULL, *errors = NULL, *form;
	const char		*cc = DEFAULT_CC, *v;
	long long		 cat = 0;
	int			 st = 200;

	if (post && (st = run_import(ctx, r, &res, &errors)) == 0)
		return;
	if (post && st == 404) {
		cbw_reply_err(ctx, r, CBW_ENOTFOUND);
		return;
	}
	if ((d = cbw_page_new(ctx, r, "contacts", "Importer des contacts")) == NULL) {
		json_object_put(res);
		json_object_put(errors);
		cbw_reply_err(ctx, r, CBW_ENOMEM);
		return;
	}
	if (cbw_input_str(r, "default_country_code", &v) == CBW_OK && *v != '\0')
		cc = v;
	if (cbw_input_str(r, "category_id", &v) == CBW_OK)
		cbw_valid_id(v, &cat);
	form = json_object_new_object();
	json_object_object_add(form, "default_country_code", json_object_new_string(cc));
	json_object_object_add(form, "category_name", json_object_new_string(
	    cbw_input_str(r, "category_name", &v) == CBW_OK ? v : ""));
	json_object_object_add(form, "on_duplicate", json_object_new_string(
	    cbw_input_str(r, "on_duplicate", &v) == CBW_OK ? v : "skip"));
	json_object_object_add(d, "form", form);
	json_object_object_add(d, "countries", countries_json(cc));
	json_object_object_add(d, "categories_all", categories_json(ctx, r,
	    "selected", &cat, 1));
	json_object_object_add(d, "errors", errors);
	json_object_object_add(d, "result", res);
	cbw_reply_html(ctx, r, st, "contacts_import", d);
}

/* POST /contacts/import/rejected : renvoie les lignes rejetées en fichier. */
static void
page_rejected(struct cbw_ctx *ctx, struct cbw_req *r)
{
	const char	*csv;

	if (cbw_input_str(r, "csv", &csv) != CBW_OK || *csv == '\0') {
		cbw_reply_error(ctx, r, 422, "validation_error",
		    "Aucune ligne rejetée à télécharger.", NULL);
		return;
	}
	cbw_buf_puts(&r->out, CBW_CSV_BOM);
	cbw_buf_puts(&r->out, csv);
	cbw_http_header(r, "Content-Disposition",
	    "attachment; filename=\"lignes-rejetees.csv\"");
	cbw_http_send(r, 200, "text/csv; charset=utf-8");
}

/* « Prénom Nom » d'un contact ("" s'il n'a pas de nom). */
static void
display_name(struct json_object *c)
{
	const char	*fn = json_object_get_string(json_object_object_get(c,
			    "first_name"));
	const char	*ln = json_object_get_string(json_object_object_get(c,
			    "last_name"));
	char		 s[900];

	snprintf(s, sizeof(s), "%s%s%s", fn ? fn : "", fn && ln ? " " : "",
	    ln ? ln : "");
	json_object_object_add(c, "display_name", json_object_new_string(s));
	json_object_object_add(c, "opted_out", json_object_new_boolean(
	    json_object_object_get(c, "opted_out_at") != NULL));
}

/* Ajoute à chaque contact ses catégories {id, name, color_key}. */
static void
decorate(struct json_object *items, struct json_object *all)
{
	struct json_object	*c, *ids, *cats, *k;
	size_t			 i, j, m;

	for (i = 0; i < json_object_array_length(items); i++) {
		c = json_object_array_get_idx(items, i);
		display_name(c);
		ids = json_object_object_get(c, "category_ids");
		cats = json_object_new_array();
		for (j = 0; j < json_object_array_length(ids); j++)
			for (m = 0; m < json_object_array_length(all); m++) {
				k = json_object_array_get_idx(all, m);
				if (json_object_get_int64(json_object_object_get(k, "id")) ==
				    json_object_get_int64(json_object_array_get_idx(ids, j)))
					json_object_array_add(cats, json_object_get(k));
			}
		json_object_object_add(c, "categories", cats);
	}
}

/* « &q=…&category_id=… » pour les liens de pagination. */
static struct json_object *
query_suffix(const char *q, long long cat)
{
	struct cbw_buf		 b;
	struct json_object	*o;

	cbw_buf_init(&b);
	if (q != NULL && *q != '\0') {
		cbw_buf_puts(&b, "&q=");
		cbw_html_url_arg(&b, q);
	}
	if (cat > 0)
		cbw_buf_printf(&b, "&category_id=%lld", cat);
	o = json_object_new_string(cbw_buf_str(&b));
	cbw_buf_free(&b);
	return o;
}

/* Objet « form » d'un contact à partir de la saisie (ou de valeurs par défaut). */
static struct json_object *
typed_form(struct cbw_req *r, const char *cc)
{
	struct json_object	*o = json_object_new_object();
	const char		*v;
	static const char *const keys[] = { "phone", "first_name", "last_name" };
	size_t			 i;

	if (cbw_input_str(r, "country_code", &v) == CBW_OK && *v != '\0')
		cc = v;
	json_object_object_add(o, "country_code", json_object_new_string(cc));
	for (i = 0; i < 3; i++)
		json_object_object_add(o, keys[i], json_object_new_string(
		    cbw_input_str(r, keys[i], &v) == CBW_OK ? v : ""));
	return o;
}

/* Ajoute les choix du formulaire de contact : pays et catégories cochées. */
static void
form_choices(struct cbw_ctx *ctx, struct cbw_req *r, struct json_object *d,
    struct json_object *form, const long long *cats, size_t ncat)
{
	json_object_object_add(d, "countries", countries_json(json_object_get_string(
	    json_object_object_get(form, "country_code"))));
	json_object_object_add(d, "category_choices", categories_json(ctx, r,
	    "checked", cats, ncat));
	json_object_object_add(d, "form", form);
}

/*
 * Page /contacts (statut donné) : recherche, filtre, tableau paginé et
 * formulaire « Nouveau contact » (catégorie récente cochée d'office, ou
 * la saisie refusée avec ses erreurs).
 */
static void
list_page(struct cbw_ctx *ctx, struct cbw_req *r, int status,
    struct json_object *errors, const struct kin *k)
{
	struct json_object	*d, *items, *all = NULL;
	const char		*q = cbw_kv_get(&r->query, "q");
	long long		 pg, pp, total, cat = category_filter(r), recent = 0;
	enum cbw_err		 er;

	cbw_input_page(ctx, r, &pg, &pp);
	if (cat < 0)
		cat = 0;
	if ((er = cbw_contact_list(ctx->db, r->user.id, q, cat, pg, pp, &items,
	    &total)) == CBW_ENOTFOUND)
		er = cbw_contact_list(ctx->db, r->user.id, q, cat = 0, pg, pp,
		    &items, &total);
	if (er != CBW_OK || (er = cbw_category_all(ctx->db, r->user.id,
	    &all)) != CBW_OK || (d = cbw_page_new(ctx, r, "contacts",
	    "Contacts")) == NULL) {
		json_object_put(errors);
		json_object_put(all);
		cbw_reply_err(ctx, r, er != CBW_OK ? er : CBW_ENOMEM);
		return;
	}
	decorate(items, all);
	json_object_put(all);
	json_object_object_add(d, "contacts", items);
	cbw_page_pagination(d, pg, pp, total);
	json_object_object_add(d, "page_query", query_suffix(q, cat));
	json_object_object_add(d, "q", json_object_new_string(q ? q : ""));
	json_object_object_add(d, "category_id", cat ? json_object_new_int64(cat) :
	    json_object_new_string(""));
	json_object_object_add(d, "categories_all", categories_json(ctx, r,
	    "selected", &cat, 1));
	if (k == NULL && cbw_category_recent(ctx->db, r->user.id, &recent) != CBW_OK)
		recent = 0;
	form_choices(ctx, r, d, typed_form(r, DEFAULT_CC), k ? k->cats : &recent,
	    k ? k->in.ncat : (recent ? 1 : 0));
	json_object_object_add(d, "errors", errors);
	json_object_object_add(d, "show_form", json_object_new_boolean(errors != NULL));
	cbw_reply_html(ctx, r, status, "contacts", d);
}

/*
 * Traduit l'échec d'une écriture de formulaire en erreur de champ (numéro
 * déjà pris, catégorie inconnue) dans *f ; `ex` est libéré. Une autre
 * erreur part en réponse (404, 503, 500) : rend alors 0.
 */
static int
form_error(struct cbw_ctx *ctx, struct cbw_req *r, enum cbw_err er,
    struct json_object *ex, struct json_object **f)
{
	char	 msg[400];

	if (er == CBW_ECONFLICT && ex != NULL) {
		taken_msg(ex, msg, sizeof(msg));
		cbw_json_field(f, "phone", msg);
	} else if (er == CBW_EDENIED)
		cbw_json_field(f, "category_ids", "Catégorie inconnue.");
	else if (er != CBW_OK) {
		json_object_put(ex);
		cbw_reply_err(ctx, r, er);
		return 0;
	}
	json_object_put(ex);
	return 1;
}

/* POST /contacts : 303 vers la liste ; 409/422 : la page avec erreurs. */
static void
page_create(struct cbw_ctx *ctx, struct cbw_req *r)
{
	struct json_object	*f, *ex = NULL;
	struct kin		 k;
	char			 msg[400];
	long long		 id;
	enum cbw_err		 er = CBW_EINVAL;

	if ((f = contact_input(r, 1, &k)) == NULL) {
		er = cbw_contact_create(ctx->db, r->user.id, &k.in, &id, &ex);
		if (!form_error(ctx, r, er, ex, &f))
			return;
	}
	if (f != NULL) {
		list_page(ctx, r, er == CBW_ECONFLICT ? 409 : 422, f, &k);
		return;
	}
	snprintf(msg, sizeof(msg), "Contact %s enregistré.", k.phone.full);
	cbw_flash(ctx, r, "success", msg);
	cbw_reply_redirect(r, "/contacts");
}

/* Fiche d'un contact (édition ou confirmation de suppression). */
static void
show_page(struct cbw_ctx *ctx, struct cbw_req *r, int status, const char *tmpl,
    struct json_object *errors, const struct kin *k)
{
	struct json_object	*d, *c, *form, *ids;
	long long		 cats[MAX_CATS];
	size_t			 n = 0, i;
	char			 s[64];
	enum cbw_err		 er;

	if ((er = cbw_contact_get(ctx->db, r->user.id, r->ids[0], &c)) != CBW_OK ||
	    (d = cbw_page_new(ctx, r, "contacts", "Modifier un contact")) == NULL) {
		json_object_put(errors);
		cbw_reply_err(ctx, r, er != CBW_OK ? er : CBW_ENOMEM);
		return;
	}
	display_name(c);
	cbw_time_display(json_object_get_string(json_object_object_get(c,
	    "created_at")), s, sizeof(s));
	json_object_object_add(c, "created_display", json_object_new_string(s));
	cbw_time_display(json_object_get_string(json_object_object_get(c,
	    "opted_out_at")), s, sizeof(s));
	json_object_object_add(c, "opted_out_display", json_object_new_string(s));
	ids = json_object_object_get(c, "category_ids");
	for (i = 0; i < json_object_array_length(ids) && n < MAX_CATS; i++)
		cats[n++] = json_object_get_int64(json_object_array_get_idx(ids, i));
	if (k != NULL)
		form = typed_form(r, DEFAULT_CC);
	else {
		form = json_object_new_object();
		json_object_object_add(form, "country_code", json_object_get(
		    json_object_object_get(c, "country_code")));
		json_object_object_add(form, "phone", json_object_get(
		    json_object_object_get(c, "phone_number")));
		json_object_object_add(form, "first_name", json_object_get(
		    json_object_object_get(c, "first_name")));
		json_object_object_add(form, "last_name", json_object_get(
		    json_object_object_get(c, "last_name")));
	}
	json_object_object_add(d, "contact", c);
	form_choices(ctx, r, d, form, k ? k->cats : cats, k ? k->in.ncat : n);
	json_object_object_add(d, "errors", errors);
	cbw_reply_html(ctx, r, status, tmpl, d);
}

/* POST /contacts/{id} : 303 ; 404 ; 409/422 : la fiche avec erreurs. */
static void
page_update(struct cbw_ctx *ctx, struct cbw_req *r)
{
	struct json_object	*f, *ex = NULL;
	struct kin		 k;
	enum cbw_err		 er = CBW_EINVAL;

	if ((f = contact_input(r, 0, &k)) == NULL) {
		er = cbw_contact_update(ctx->db, r->user.id, r->ids[0], &k.in, &ex);
		if (!form_error(ctx, r, er, ex, &f))
			return;
	}
	if (f != NULL) {
		show_page(ctx, r, er == CBW_ECONFLICT ? 409 : 422, "contact_edit", f, &k);
		return;
	}
	cbw_flash(ctx, r, "success", "Contact enregistré.");
	cbw_reply_redirect(r, "/contacts");
}

/* POST /contacts/{id}/delete : 303 vers la liste ; 404. */
static void
page_delete(struct cbw_ctx *ctx, struct cbw_req *r)
{
	enum cbw_err	 er;

	if ((er = cbw_contact_delete(ctx->db, r->user.id, r->ids[0])) != CBW_OK) {
		cbw_reply_err(ctx, r, er);
		return;
	}
	cbw_flash(ctx, r, "success", "Contact supprimé.");
	cbw_reply_redirect(r, "/contacts");
}

/* POST /contacts/{id}/resubscribe : l'admin réactive les envois ; 303 ; 404. */
static void
page_resubscribe(struct cbw_ctx *ctx, struct cbw_req *r)
{
	char		 loc[64];
	enum cbw_err	 er;

	if ((er = cbw_contact_optout(ctx->db, r->user.id, r->ids[0], 0)) != CBW_OK) {
		cbw_reply_err(ctx, r, er);
		return;
	}
	cbw_flash(ctx, r, "success", "Envois réactivés pour ce contact.");
	snprintf(loc, sizeof(loc), "/contacts/%lld", r->ids[0]);
	cbw_reply_redirect(r, loc);
}

/* Aiguillage des routes de ce programme. */
static void
handle(struct cbw_ctx *ctx, struct cbw_req *r)
{
	switch ((enum route)r->route) {
	case ROUTE_API_LIST:
		api_list(ctx, r);
		break;
	case ROUTE_API_CREATE:
		api_create(ctx, r);
		break;
	case ROUTE_API_IMPORT:
		api_import(ctx, r);
		break;
	case ROUTE_API_EXPORT:
	case ROUTE_PAGE_EXPORT:
		export(ctx, r);
		break;
	case ROUTE_API_GET:
		reply_contact(ctx, r, 200, r->ids[0]);
		break;
	case ROUTE_API_UPDATE:
		api_update(ctx, r);
		break;
	case ROUTE_API_DELETE:
		api_delete(ctx, r);
		break;
	case ROUTE_PAGE_LIST:
		list_page(ctx, r, 200, NULL, NULL);
		break;
	case ROUTE_PAGE_CREATE:
		page_create(ctx, r);
		break;
	case ROUTE_PAGE_IMPORT_FORM:
		import_page(ctx, r, 0);
		break;
	case ROUTE_PAGE_IMPORT:
		import_page(ctx, r, 1);
		break;
	case ROUTE_PAGE_REJECTED:
		page_rejected(ctx, r);
		break;
	case ROUTE_PAGE_SHOW:
		show_page(ctx, r, 200, "contact_edit", NULL, NULL);
		break;
	case ROUTE_PAGE_UPDATE:
		page_update(ctx, r);
		break;
	case ROUTE_PAGE_CONFIRM:
		show_page(ctx, r, 200, "contact_delete", NULL, NULL);
		break;
	case ROUTE_PAGE_DELETE:
		page_delete(ctx, r);
		break;
	case ROUTE_PAGE_RESUBSCRIBE:
		page_resubscribe(ctx, r);
		break;
	case ROUTE__MAX:
		abort();
	}
}

static const struct cbw_app app = {
	"cbw-contacts", routes, ROUTE__MAX, handle, cbw_contact_order_release
};

int
main(void)
{
	return cbw_app_main(&app);
}
