/*
 * cbw-categories : catégories de contacts, en API JSON (/api/categories)
 * et en pages (/categories). Chaque requête est limitée aux catégories de
 * l'administrateur connecté (une autre : 404).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "app.h"
#include "category.h"
#include "clock.h"
#include "contact.h"
#include "html.h"
#include "json.h"
#include "valid.h"

enum route {
	ROUTE_API_LIST,
	ROUTE_API_CREATE,
	ROUTE_API_GET,
	ROUTE_API_UPDATE,
	ROUTE_API_DELETE,
	ROUTE_API_ADD,
	ROUTE_API_REMOVE,
	ROUTE_PAGE_LIST,
	ROUTE_PAGE_CREATE,
	ROUTE_PAGE_SHOW,
	ROUTE_PAGE_UPDATE,
	ROUTE_PAGE_CONFIRM,
	ROUTE_PAGE_DELETE,
	ROUTE_PAGE_ADD,
	ROUTE_PAGE_REMOVE,
	ROUTE__MAX
};

#define API	(CBW_R_API | CBW_R_AUTH)
#define PAGE	(CBW_R_HTML | CBW_R_AUTH)

static const struct cbw_route routes[ROUTE__MAX] = {
	{ ROUTE_API_LIST, CBW_GET, "/api/categories", API },
	{ ROUTE_API_CREATE, CBW_POST, "/api/categories", API | CBW_R_JSON },
	{ ROUTE_API_GET, CBW_GET, "/api/categories/{id}", API },
	{ ROUTE_API_UPDATE, CBW_PUT, "/api/categories/{id}", API | CBW_R_JSON },
	{ ROUTE_API_DELETE, CBW_DELETE, "/api/categories/{id}", API },
	{ ROUTE_API_ADD, CBW_POST, "/api/categories/{id}/contacts", API | CBW_R_JSON },
	{ ROUTE_API_REMOVE, CBW_DELETE, "/api/categories/{id}/contacts/{id}", API },
	{ ROUTE_PAGE_LIST, CBW_GET, "/categories", PAGE },
	{ ROUTE_PAGE_CREATE, CBW_POST, "/categories", PAGE | CBW_R_FORM },
	{ ROUTE_PAGE_SHOW, CBW_GET, "/categories/{id}", PAGE },
	{ ROUTE_PAGE_UPDATE, CBW_POST, "/categories/{id}", PAGE | CBW_R_FORM },
	{ ROUTE_PAGE_CONFIRM, CBW_GET, "/categories/{id}/delete", PAGE },
	{ ROUTE_PAGE_DELETE, CBW_POST, "/categories/{id}/delete", PAGE | CBW_R_FORM },
	{ ROUTE_PAGE_ADD, CBW_POST, "/categories/{id}/contacts", PAGE | CBW_R_FORM },
	{ ROUTE_PAGE_REMOVE, CBW_POST, "/categories/{id}/contacts/{id}/remove",
	    PAGE | CBW_R_FORM },
};

#define NAME_TAKEN	"Vous avez déjà une catégorie de ce nom."
#define INVALID_MSG	"Certains champs sont invalides."
#define MAX_IDS		1000

/* Saisie validée d'une catégorie. */
struct cin {
	char			 name[4 * CBW_NAME_MAX + 4];
	const char		*namep;		/* NULL : inchangé */
	const struct cbw_color	*color;		/* NULL : inchangée */
};

/*
 * Valide nom et couleur (JSON ou formulaire). `create` : nom obligatoire.
 * Rend NULL si tout est valide, sinon les erreurs par champ.
 */
static struct json_object *
cat_input(struct cbw_req *r, int create, struct cin *in)
{
	struct json_object	*f = NULL;
	const char		*v = NULL, *msg;
	enum cbw_err		 er;

	memset(in, 0, sizeof(*in));
	er = cbw_input_str(r, "name", &v);
	if (er == CBW_OK || create) {
		if (er == CBW_EINVAL)
			cbw_json_field(&f, "name", "Le nom doit être une chaîne.");
		else if (cbw_valid_name(v, 0, in->name, sizeof(in->name), &msg) != CBW_OK)
			cbw_json_field(&f, "name", msg);
		else
			in->namep = in->name;
	} else if (er == CBW_EINVAL)
		cbw_json_field(&f, "name", "Le nom doit être une chaîne.");
	er = cbw_input_str(r, "color", &v);
	if (er == CBW_OK && *v != '\0' && (in->color = cbw_color_find(v)) == NULL)
		cbw_json_field(&f, "color", "Couleur invalide : choisissez une "
		    "couleur de la palette.");
	else if (er == CBW_EINVAL)
		cbw_json_field(&f, "color", "La couleur doit être une chaîne.");
	if (create && in->color == NULL)
		in->color = cbw_color_random();
	return f;
}

/* GET /api/categories : 200 liste paginée ; 422 pagination invalide. */
static void
api_list(struct cbw_ctx *ctx, struct cbw_req *r)
{
	struct json_object	*items;
	long long		 pg, pp, total;
	enum cbw_err		 er;

	if (!cbw_input_page(ctx, r, &pg, &pp))
		return;
	if ((er = cbw_category_list(ctx->db, r->user.id, cbw_kv_get(&r->query,
	    "q"), pg, pp, &items, &total)) != CBW_OK)
		cbw_reply_err(ctx, r, er);
	else
		cbw_reply_json(r, 200, cbw_json_list(items, total, pg, pp));
}

/* Répond l'objet catégorie `id` avec le statut donné. */
static void
reply_category(struct cbw_ctx *ctx, struct cbw_req *r, int status, long long id)
{
	struct json_object	*o;
	enum cbw_err		 er;

	if ((er = cbw_category_get(ctx->db, r->user.id, id, &o)) != CBW_OK)
		cbw_reply_err(ctx, r, er);
	else
		cbw_reply_json(r, status, o);
}

/* Réponse 409 : nom déjà pris. */
static void
reply_taken(struct cbw_ctx *ctx, struct cbw_req *r)
{
	struct json_object	*f = NULL;

	cbw_json_field(&f, "name", NAME_TAKEN);
	cbw_reply_error(ctx, r, 409, "conflict", NAME_TAKEN, f);
}

/* POST /api/categories : 201 ; 409 nom pris ; 422 champs. */
static void
api_create(struct cbw_ctx *ctx, struct cbw_req *r)
{
	struct json_object	*f;
	struct cin		 in;
	long long		 id;
	enum cbw_err		 er;

	if ((f = cat_input(r, 1, &in)) != NULL) {
		cbw_reply_error(ctx, r, 422, "validation_error", INVALID_MSG, f);
		return;
	}
	er = cbw_category_create(ctx->db, r->user.id, in.namep, in.color->hex, &id);
	if (er == CBW_ECONFLICT)
		reply_taken(ctx, r);
	else if (er != CBW_OK)
		cbw_reply_err(ctx, r, er);
	else
		reply_category(ctx, r, 201, id);
}

/* PUT /api/categories/{id} : 200 ; 404 ; 409 ; 422. */
static void
api_update(struct cbw_ctx *ctx, struct cbw_req *r)
{
	struct json_object	*f;
	struct cin		 in;
	enum cbw_err		 er;

	if ((f = cat_input(r, 0, &in)) != NULL) {
		cbw_reply_error(ctx, r, 422, "validation_error", INVALID_MSG, f);
		return;
	}
	er = cbw_category_update(ctx->db, r->user.id, r->ids[0], in.namep,
	    in.color ? in.color->hex : NULL);
	if (er == CBW_ECONFLICT)
		reply_taken(ctx, r);
	else if (er != CBW_OK)
		cbw_reply_err(ctx, r, er);
	else
		reply_category(ctx, r, 200, r->ids[0]);
}

/* DELETE /api/categories/{id} : 204 (les contacts restent) ; 404. */
static void
api_delete(struct cbw_ctx *ctx, struct cbw_req *r)
{
	cbw_reply_done(ctx, r, cbw_category_delete(ctx->db, r->user.id,
	    r->ids[0]), 204);
}

/*
 * POST /api/categories/{id}/contacts : 200 {added, already, rejected} ;
 * 404 catégorie ; 422 contact_ids absent ou mal formé.
 */
static void
api_add(struct cbw_ctx *ctx, struct cbw_req *r)
{
	struct json_object	*f = NULL, *res;
	long long		 ids[MAX_IDS];
	size_t			 n;
	enum cbw_err		 er;

	if (cbw_input_ids(r, "contact_ids", ids, MAX_IDS, &n) != CBW_OK) {
		cbw_json_field(&f, "contact_ids", "contact_ids doit être une liste "
		    "d'identifiants de contacts (1000 au plus).");
		cbw_reply_error(ctx, r, 422, "validation_error", INVALID_MSG, f);
		return;
	}
	if ((er = cbw_category_add_contacts(ctx->db, r->user.id, r->ids[0], ids,
	    n, &res)) != CBW_OK)
		cbw_reply_err(ctx, r, er);
	else
		cbw_reply_json(r, 200, res);
}

/* DELETE /api/categories/{id}/contacts/{contact_id} : 204 ; 404. */
static void
api_remove(struct cbw_ctx *ctx, struct cbw_req *r)
{
	cbw_reply_done(ctx, r, cbw_category_remove_contact(ctx->db, r->user.id,
	    r->ids[0], r->ids[1]), 204);
}

/* Palette pour les boutons radio, `key` cochée. */
static struct json_object *
palette_json(const char *key)
{
	struct json_object		*arr = json_object_new_array(), *o;
	const struct cbw_color		*c;
	size_t				 i;

	for (i = 0; (c = cbw_color_get(i)) != NULL; i++) {
		o = json_object_new_object();
		json_object_object_add(o, "key", json_object_new_string(c->key));
		json_object_object_add(o, "label", json_object_new_string(c->label));
		json_object_object_add(o, "hex", json_object_new_string(c->hex));
		json_object_object_add(o, "checked", json_object_new_boolean(
		    key != NULL && strcmp(key, c->key) == 0));
		json_object_array_add(arr, o);
	}
	return arr;
}

/* Ajoute à une catégorie ses libellés : « 3 contacts », dernier envoi. */
static void
decorate(struct json_object *c)
{
	long long	 n = json_object_get_int64(json_object_object_get(c,
			    "contact_count"));
	const char	*last = json_object_get_string(json_object_object_get(c,
			    "last_sent_at"));
	char		 s[64];

	snprintf(s, sizeof(s), "%lld contact%s", n, n > 1 ? "s" : "");
	json_object_object_add(c, "contact_label", json_object_new_string(s));
	if (last != NULL) {
		cbw_time_display(last, s, sizeof(s));
		json_object_object_add(c, "last_sent_display", json_object_new_string(s));
	}
}

/* « &q=… » pour garder la recherche dans les liens de pagination. */
static struct json_object *
query_suffix(const char *q)
{
	struct cbw_buf		 b;
	struct json_object	*o;

	cbw_buf_init(&b);
	if (q != NULL && *q != '\0') {
		cbw_buf_puts(&b, "&q=");
		cbw_html_url_arg(&b, q);
	}
	o = json_object_new_string(cbw_buf_str(&b));
	cbw_buf_free(&b);
	return o;
}

/* Page /categories (statut donné), formulaire rempli après une erreur. */
static void
list_page(struct cbw_ctx *ctx, struct cbw_req *r, int status,
    struct json_object *form, struct json_object *errors, const char *color)
{
	struct json_object	*d, *items;
	const char		*q = cbw_kv_get(&r->query, "q");
	long long		 pg, pp, total;
	size_t			 i;
	enum cbw_err		 er;

	cbw_input_page(ctx, r, &pg, &pp);
	if ((er = cbw_category_list(ctx->db, r->user.id, q, pg, pp, &items,
	    &total)) != CBW_OK ||
	    (d = cbw_page_new(ctx, r, "categories", "Catégories")) == NULL) {
		json_object_put(form);
		json_object_put(errors);
		cbw_reply_err(ctx, r, er != CBW_OK ? er : CBW_ENOMEM);
		return;
	}
	for (i = 0; i < json_object_array_length(items); i++)
		decorate(json_object_array_get_idx(items, i));
	json_object_object_add(d, "categories", items);
	cbw_page_pagination(d, pg, pp, total);
	json_object_object_add(d, "page_query", query_suffix(q));
	json_object_object_add(d, "q", json_object_new_string(q ? q : ""));
	json_object_object_add(d, "form", form);
	json_object_object_add(d, "errors", errors);
	json_object_object_add(d, "show_form", json_object_new_boolean(errors != NULL));
	json_object_object_add(d, "palette", palette_json(color ? color :
	    cbw_color_get(0)->key));
	cbw_reply_html(ctx, r, status, "categories", d);
}

/* Objet « form » : le nom tel qu'il a été tapé. */
static struct json_object *
typed_form(struct cbw_req *r)
{
	struct json_object	*o = json_object_new_object();
	const char		*v;

	json_object_object_add(o, "name", json_object_new_string(
	    cbw_input_str(r, "name", &v) == CBW_OK ? v : ""));
	return o;
}

/* POST /categories : 303 vers la catégorie ; 409/422 : la page avec erreurs. */
static void
page_create(struct cbw_ctx *ctx, struct cbw_req *r)
{
	struct json_object	*f;
	struct cin		 in;
	char			 loc[64], msg[512];
	long long		 id;
	enum cbw_err		 er = CBW_EINVAL;

	if ((f = cat_input(r, 1, &in)) == NULL) {
		er = cbw_category_create(ctx->db, r->user.id, in.namep,
		    in.color->hex, &id);
		if (er == CBW_ECONFLICT)
			cbw_json_field(&f, "name", NAME_TAKEN);
		else if (er != CBW_OK) {
			cbw_reply_err(ctx, r, er);
			return;
		}
	}
	if (f != NULL) {
		list_page(ctx, r, er == CBW_ECONFLICT ? 409 : 422, typed_form(r), f,
		    in.color ? in.color->key : NULL);
		return;
	}
	snprintf(msg, sizeof(msg), "Catégorie « %s » créée.", in.namep);
	cbw_flash(ctx, r, "success", msg);
	snprintf(loc, sizeof(loc), "/categories/%lld", id);
	cbw_reply_redirect(r, loc);
}

/* Rend 1 si le tableau JSON d'identifiants contient `id`. */
static int
id_in(struct json_object *arr, long long id)
{
	size_t	 i;

	for (i = 0; i < json_object_array_length(arr); i++)
		if (json_object_get_int64(json_object_array_get_idx(arr, i)) == id)
			return 1;
	return 0;
}

/* Contacts de la recherche `q` qui ne sont pas encore dans la catégorie. */
static struct json_object *
candidates(struct cbw_ctx *ctx, struct cbw_req *r, const char *q)
{
	struct json_object	*items = NULL, *out = json_object_new_array(), *c;
	long long		 total;
	size_t			 i;

	if (q == NULL || *q == '\0' || cbw_contact_list(ctx->db, r->user.id, q,
	    0, 1, CBW_PER_PAGE_MAX, &items, &total) != CBW_OK)
		return out;
	for (i = 0; i < json_object_array_length(items); i++) {
		c = json_object_array_get_idx(items, i);
		if (!id_in(json_object_object_get(c, "category_ids"), r->ids[0]))
			json_object_array_add(out, json_object_get(c));
	}
	json_object_put(items);
	return out;
}

/* Ajoute « opted_out » (booléen) à chaque contact. */
static void
mark_optout(struct json_object *items)
{
	struct json_object	*c;
	size_t			 i;

	for (i = 0; i < json_object_array_length(items); i++) {
		c = json_object_array_get_idx(items, i);
		json_object_object_add(c, "opted_out", json_object_new_boolean(
		    json_object_object_get(c, "opted_out_at") != NULL));
	}
}

/*
 * Page d'une catégorie (statut donné) ou sa confirmation de suppression :
 * contacts paginés, recherche de contacts à ajouter, formulaire.
 */
static void
show_page(struct cbw_ctx *ctx, struct cbw_req *r, int status,
    const char *tmpl, struct json_object *errors, const struct cin *in)
{
	struct json_object	*d, *cat, *items = NULL, *form;
	const char		*q = cbw_kv_get(&r->query, "q");
	long long		 pg, pp, total;
	enum cbw_err		 er;

	cbw_input_page(ctx, r, &pg, &pp);
	if ((er = cbw_category_get(ctx->db, r->user.id, r->ids[0], &cat)) != CBW_OK ||
	    (er = cbw_contact_list(ctx->db, r->user.id, NULL, r->ids[0], pg, pp,
	    &items, &total)) != CBW_OK ||
	    (d = cbw_page_new(ctx, r, "categories", json_object_get_string(
	    json_object_object_get(cat, "name")))) == NULL) {
		json_object_put(errors);
		json_object_put(items);
		cbw_reply_err(ctx, r, er != CBW_OK ? er : CBW_ENOMEM);
		return;
	}
	decorate(cat);
	mark_optout(items);
	form = json_object_new_object();
	json_object_object_add(form, "name", json_object_new_string(in && in->namep ?
	    in->namep : json_object_get_string(json_object_object_get(cat, "name"))));
	json_object_object_add(d, "palette", palette_json(in && in->color ?
	    in->color->key : json_object_get_string(json_object_object_get(cat,
	    "color_key"))));
	json_object_object_add(d, "category", cat);
	json_object_object_add(d, "contacts", items);
	cbw_page_pagination(d, pg, pp, total);
	json_object_object_add(d, "page_query", json_object_new_string(""));
	json_object_object_add(d, "q", json_object_new_string(q ? q : ""));
	json_object_object_add(d, "candidates", candidates(ctx, r, q));
	json_object_object_add(d, "form", form);
	json_object_object_add(d, "errors", errors);
	cbw_reply_html(ctx, r, status, tmpl, d);
}

/* Redirige vers la page de la catégorie courante. */
static void
back_to_category(struct cbw_req *r)
{
	char	 loc[64];

	snprintf(loc, sizeof(loc), "/categories/%lld", r->ids[0]);
	cbw_reply_redirect(r, loc);
}

/* POST /categories/{id} : 303 ; 404 ; 409/422 : la page avec erreurs. */
static void
page_update(struct cbw_ctx *ctx, struct cbw_req *r)
{
	struct json_object	*f;
	struct cin		 in;
	enum cbw_err		 er = CBW_EINVAL;

	if ((f = cat_input(r, 0, &in)) == NULL) {
		er = cbw_category_update(ctx->db, r->user.id, r->ids[0], in.namep,
		    in.color ? in.color->hex : NULL);
		if (er == CBW_ECONFLICT)
			cbw_json_field(&f, "name", NAME_TAKEN);
		else if (er != CBW_OK) {
			cbw_reply_err(ctx, r, er);
			return;
		}
	}
	if (f != NULL) {
		show_page(ctx, r, er == CBW_ECONFLICT ? 409 : 422, "category", f, &in);
		return;
	}
	cbw_flash(ctx, r, "success", "Catégorie enregistrée.");
	back_to_category(r);
}

/* POST /categories/{id}/delete : 303 vers la liste ; 404. */
static void
page_delete(struct cbw_ctx *ctx, struct cbw_req *r)
{
	enum cbw_err	 er;

	if ((er = cbw_category_delete(ctx->db, r->user.id, r->ids[0])) != CBW_OK) {
		cbw_reply_err(ctx, r, er);
		return;
	}
	cbw_flash(ctx, r, "success", "Catégorie supprimée ; ses contacts sont "
	    "conservés.");
	cbw_reply_redirect(r, "/categories");
}

/* POST /categories/{id}/contacts : 303 avec le bilan ; 404 ; 422. */
static void
page_add(struct cbw_ctx *ctx, struct cbw_req *r)
{
	struct json_object	*res;
	long long		 ids[MAX_IDS];
	size_t			 n = 0, added;
	char			 msg[160];
	enum cbw_err		 er;

	if (cbw_input_ids(r, "contact_ids", ids, MAX_IDS, &n) == CBW_EINVAL) {
		cbw_reply_error(ctx, r, 422, "validation_error",
		    "Sélection de contacts invalide.", NULL);
		return;
	}
	if ((er = cbw_category_add_contacts(ctx->db, r->user.id, r->ids[0], ids,
	    n, &res)) != CBW_OK) {
		cbw_reply_err(ctx, r, er);
		return;
	}
	added = json_object_array_length(json_object_object_get(res, "added"));
	snprintf(msg, sizeof(msg), n == 0 ? "Aucun contact sélectionné." :
	    "%zu contact%s ajouté%s.", added, added > 1 ? "s" : "",
	    added > 1 ? "s" : "");
	json_object_put(res);
	cbw_flash(ctx, r, n == 0 ? "error" : "success", msg);
	back_to_category(r);
}

/* POST /categories/{id}/contacts/{cid}/remove : 303 ; 404. */
static void
page_remove(struct cbw_ctx *ctx, struct cbw_req *r)
{
	enum cbw_err	 er;

	if ((er = cbw_category_remove_contact(ctx->db, r->user.id, r->ids[0],
	    r->ids[1])) != CBW_OK) {
		cbw_reply_err(ctx, r, er);
		return;
	}
	cbw_flash(ctx, r, "success", "Contact retiré de la catégorie (il reste "
	    "dans vos contacts).");
	back_to_category(r);
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
	case ROUTE_API_GET:
		reply_category(ctx, r, 200, r->ids[0]);
		break;
	case ROUTE_API_UPDATE:
		api_update(ctx, r);
		break;
	case ROUTE_API_DELETE:
		api_delete(ctx, r);
		break;
	case ROUTE_API_ADD:
		api_add(ctx, r);
		break;
	case ROUTE_API_REMOVE:
		api_remove(ctx, r);
		break;
	case ROUTE_PAGE_LIST:
		list_page(ctx, r, 200, NULL, NULL, NULL);
		break;
	case ROUTE_PAGE_CREATE:
		page_create(ctx, r);
		break;
	case ROUTE_PAGE_SHOW:
		show_page(ctx, r, 200, "category", NULL, NULL);
		break;
	case ROUTE_PAGE_UPDATE:
		page_update(ctx, r);
		break;
	case ROUTE_PAGE_CONFIRM:
		show_page(ctx, r, 200, "category_delete", NULL, NULL);
		break;
	case ROUTE_PAGE_DELETE:
		page_delete(ctx, r);
		break;
	case ROUTE_PAGE_ADD:
		page_add(ctx, r);
		break;
	case ROUTE_PAGE_REMOVE:
		page_remove(ctx, r);
		break;
	case ROUTE__MAX:
		abort();
	}
}

static const struct cbw_app app = {
	"cbw-categories", routes, ROUTE__MAX, handle, NULL
};

int
main(void)
{
	return cbw_app_main(&app);
}
