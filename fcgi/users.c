/*
 * cbw-users : gestion des comptes réservée au super admin, en API JSON
 * (/api/users) et en pages (/admin-users).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "app.h"
#include "clock.h"
#include "json.h"
#include "user.h"
#include "valid.h"

enum route {
	ROUTE_API_LIST,
	ROUTE_API_CREATE,
	ROUTE_API_GET,
	ROUTE_API_UPDATE,
	ROUTE_API_DELETE,
	ROUTE_PAGE_LIST,
	ROUTE_PAGE_CREATE,
	ROUTE_PAGE_EDIT,
	ROUTE_PAGE_UPDATE,
	ROUTE_PAGE_CONFIRM,
	ROUTE_PAGE_DELETE,
	ROUTE__MAX
};

#define API	(CBW_R_API | CBW_R_AUTH | CBW_R_SUPER)
#define PAGE	(CBW_R_HTML | CBW_R_AUTH | CBW_R_SUPER)

static const struct cbw_route routes[ROUTE__MAX] = {
	{ ROUTE_API_LIST, CBW_GET, "/api/users", API },
	{ ROUTE_API_CREATE, CBW_POST, "/api/users", API | CBW_R_JSON },
	{ ROUTE_API_GET, CBW_GET, "/api/users/{id}", API },
	{ ROUTE_API_UPDATE, CBW_PUT, "/api/users/{id}", API | CBW_R_JSON },
	{ ROUTE_API_DELETE, CBW_DELETE, "/api/users/{id}", API },
	{ ROUTE_PAGE_LIST, CBW_GET, "/admin-users", PAGE },
	{ ROUTE_PAGE_CREATE, CBW_POST, "/admin-users", PAGE | CBW_R_FORM },
	{ ROUTE_PAGE_EDIT, CBW_GET, "/admin-users/{id}", PAGE },
	{ ROUTE_PAGE_UPDATE, CBW_POST, "/admin-users/{id}", PAGE | CBW_R_FORM },
	{ ROUTE_PAGE_CONFIRM, CBW_GET, "/admin-users/{id}/delete", PAGE },
	{ ROUTE_PAGE_DELETE, CBW_POST, "/admin-users/{id}/delete", PAGE | CBW_R_FORM },
};

/* Saisie validée d'un compte. */
struct uin {
	char			 email[CBW_EMAIL_MAX + 1];
	struct cbw_user_edit	 e;
};

/* Lit et valide un champ facultatif (ou obligatoire si `req`) e-mail. */
static void
in_email(struct cbw_req *r, int req, struct uin *in, struct json_object **f)
{
	const char	*v = NULL, *msg;
	enum cbw_err	 er = cbw_input_str(r, "email", &v);

	if (er == CBW_ENOTFOUND && !req)
		return;
	if (er != CBW_OK || cbw_valid_email(v, in->email, sizeof(in->email),
	    &msg) != CBW_OK)
		cbw_json_field(f, "email", er == CBW_ENOTFOUND ?
		    "L'adresse e-mail est obligatoire." : er == CBW_EINVAL ?
		    "L'adresse e-mail doit être une chaîne." : msg);
	else
		in->e.email = in->email;
}

/*
 * Valide la saisie d'un compte (JSON ou formulaire). `create` : e-mail et
 * mot de passe obligatoires. Rend NULL si tout est valide, sinon l'objet
 * des erreurs par champ.
 */
static struct json_object *
user_input(struct cbw_req *r, int create, struct uin *in)
{
	struct json_object	*f = NULL;
	const char		*v, *msg;
	enum cbw_err		 er;
	int			 b;

	memset(in, 0, sizeof(*in));
	in->e.is_active = create ? 1 : -1;
	in_email(r, create, in, &f);
	er = cbw_input_str(r, "password", &v);
	if (er == CBW_OK && !create && r->json == NULL && *v == '\0')
		er = CBW_ENOTFOUND;	/* formulaire : vide = inchangé */
	if ((er != CBW_ENOTFOUND || create) && (er != CBW_OK ||
	    cbw_valid_password(v, &msg) != CBW_OK))
		cbw_json_field(&f, "password", er == CBW_OK ? msg :
		    "Le mot de passe est obligatoire (8 caractères minimum).");
	else if (er == CBW_OK)
		in->e.password = v;
	if ((er = cbw_input_str(r, "role", &v)) == CBW_OK &&
	    cbw_valid_role(v, &msg) == CBW_OK)
		in->e.role = v;
	else if (er != CBW_ENOTFOUND)
		cbw_json_field(&f, "role", "Rôle invalide : « admin » ou « super_admin ».");
	else if (create)
		in->e.role = "admin";
	if (r->json != NULL) {
		if ((er = cbw_json_get_bool(r->json, "is_active", &b)) == CBW_OK)
			in->e.is_active = b;
		else if (er == CBW_EINVAL)
			cbw_json_field(&f, "is_active", "is_active doit être un booléen.");
	}
	return f;
}

/* Message d'une saisie refusée. */
#define INVALID_MSG	"Certains champs sont invalides."
#define EMAIL_TAKEN	"Un compte existe déjà avec cette adresse e-mail."
#define EDIT_TITLE	"Modifier un compte"

/* Réponse 409 pour un e-mail déjà pris. */
static void
reply_taken(struct cbw_ctx *ctx, struct cbw_req *r)
{
	struct json_object	*f = NULL;

	cbw_json_field(&f, "email", EMAIL_TAKEN);
	cbw_reply_error(ctx, r, 409, "conflict", EMAIL_TAKEN, f);
}

/* GET /api/users : 200 liste paginée ; 422 pagination invalide. */
static void
api_list(struct cbw_ctx *ctx, struct cbw_req *r)
{
	struct json_object	*items;
	long long		 pg, pp, total;
	enum cbw_err		 er;

	if (!cbw_input_page(ctx, r, &pg, &pp))
		return;
	if ((er = cbw_user_list(ctx->db, pg, pp, &items, &total)) != CBW_OK)
		cbw_reply_err(ctx, r, er);
	else
		cbw_reply_json(r, 200, cbw_json_list(items, total, pg, pp));
}

/* POST /api/users : 201 compte créé ; 409 e-mail pris ; 422 champs. */
static void
api_create(struct cbw_ctx *ctx, struct cbw_req *r)
{
	struct json_object	*f, *u = NULL;
	struct uin		 in;
	long long		 id;
	enum cbw_err		 er;

	if ((f = user_input(r, 1, &in)) != NULL) {
		cbw_reply_error(ctx, r, 422, "validation_error", INVALID_MSG, f);
		return;
	}
	er = cbw_user_create(ctx->db, &r->user, in.e.email, in.e.password,
	    in.e.role, in.e.is_active, r->remote_addr, &id);
	if (er == CBW_ECONFLICT)
		reply_taken(ctx, r);
	else if (er != CBW_OK || (er = cbw_user_get(ctx->db, id, &u)) != CBW_OK)
		cbw_reply_err(ctx, r, er);
	else
		cbw_reply_json(r, 201, u);
}

/* GET /api/users/{id} : 200 ou 404. */
static void
api_get(struct cbw_ctx *ctx, struct cbw_req *r)
{
	struct json_object	*u;
	enum cbw_err		 er;

	if ((er = cbw_user_get(ctx->db, r->ids[0], &u)) != CBW_OK)
		cbw_reply_err(ctx, r, er);
	else
		cbw_reply_json(r, 200, u);
}

/* PUT /api/users/{id} : 200 ; 403 règle de rôle ; 404 ; 409 ; 422. */
static void
api_update(struct cbw_ctx *ctx, struct cbw_req *r)
{
	struct json_object	*f, *u;
	struct uin		 in;
	const char		*msg;
	enum cbw_err		 er;

	if ((f = user_input(r, 0, &in)) != NULL) {
		cbw_reply_error(ctx, r, 422, "validation_error", INVALID_MSG, f);
		return;
	}
	er = cbw_user_update(ctx->db, &r->user, r->ids[0], &in.e,
	    r->remote_addr, &msg);
	if (er == CBW_EDENIED)
		cbw_reply_error(ctx, r, 403, "forbidden", msg, NULL);
	else if (er == CBW_ECONFLICT)
		reply_taken(ctx, r);
	else if (er != CBW_OK || (er = cbw_user_get(ctx->db, r->ids[0], &u)) != CBW_OK)
		cbw_reply_err(ctx, r, er);
	else
		cbw_reply_json(r, 200, u);
}

/* DELETE /api/users/{id} : 204 (données réattribuées) ; 403 ; 404. */
static void
api_delete(struct cbw_ctx *ctx, struct cbw_req *r)
{
	const char	*msg;
	enum cbw_err	 er;

	er = cbw_user_delete(ctx->db, &r->user, r->ids[0], r->remote_addr, &msg);
	if (er == CBW_EDENIED)
		cbw_reply_error(ctx, r, 403, "forbidden", msg, NULL);
	else if (er != CBW_OK)
		cbw_reply_err(ctx, r, er);
	else
		cbw_reply_empty(r, 204);
}

/* Ajoute à un compte sa date de création lisible (fuseau TIME_ZONE). */
static void
add_display_date(struct json_object *u)
{
	char	 d[64];

	cbw_time_display(json_object_get_string(json_object_object_get(u,
	    "created_at")), d, sizeof(d));
	json_object_object_add(u, "created_display", json_object_new_string(d));
}

/* Marque chaque compte « is_self », son libellé de rôle et sa date lisible. */
static void
decorate(struct json_object *items, long long self)
{
	struct json_object	*u;
	size_t			 i;

	for (i = 0; i < json_object_array_length(items); i++) {
		u = json_object_array_get_idx(items, i);
		add_display_date(u);
		json_object_object_add(u, "is_self", json_object_new_boolean(
		    json_object_get_int64(json_object_object_get(u, "id")) == self));
		json_object_object_add(u, "role_label", json_object_new_string(
		    strcmp(json_object_get_string(json_object_object_get(u,
		    "role")), "super_admin") == 0 ? "Super admin" : "Admin"));
	}
}

/*
 * Page /admin-users (statut donné) : liste paginée et formulaire de
 * création, rempli de `form`/`errors` après une saisie refusée.
 */
static void
list_page(struct cbw_ctx *ctx, struct cbw_req *r, int status,
    struct json_object *form, struct json_object *errors)
{
	struct json_object	*d, *items;
	long long		 pg = 1, total;
	enum cbw_err		 er;

	if (cbw_kv_get(&r->query, "page") != NULL &&
	    cbw_valid_int64(cbw_kv_get(&r->query, "page"), 1, 1000000, &pg) != CBW_OK)
		pg = 1;
	if ((er = cbw_user_list(ctx->db, pg, CBW_PER_PAGE_DEFAULT, &items,
	    &total)) != CBW_OK ||
	    (d = cbw_page_new(ctx, r, "admin-users", "Utilisateurs")) == NULL) {
		json_object_put(form);
		json_object_put(errors);
		cbw_reply_err(ctx, r, er != CBW_OK ? er : CBW_ENOMEM);
		return;
	}
	decorate(items, r->user.id);
	json_object_object_add(d, "users", items);
	cbw_page_pagination(d, pg, CBW_PER_PAGE_DEFAULT, total);
	json_object_object_add(d, "form", form);
	json_object_object_add(d, "errors", errors);
	json_object_object_add(d, "show_form", json_object_new_boolean(errors != NULL));
	cbw_reply_html(ctx, r, status, "admin_users", d);
}

/* POST /admin-users : 303 après création ; 409/422 : la page avec erreurs. */
static void
page_create(struct cbw_ctx *ctx, struct cbw_req *r)
{
	struct json_object	*f, *form;
	struct uin		 in;
	const char		*v;
	char			 msg[300];
	long long		 id;
	enum cbw_err		 er = CBW_EINVAL;

	f = user_input(r, 1, &in);
	if (f == NULL) {
		er = cbw_user_create(ctx->db, &r->user, in.e.email, in.e.password,
		    in.e.role, 1, r->remote_addr, &id);
		if (er == CBW_ECONFLICT)
			cbw_json_field(&f, "email", EMAIL_TAKEN);
		else if (er != CBW_OK) {
			cbw_reply_err(ctx, r, er);
			return;
		}
	}
	if (f == NULL) {
		snprintf(msg, sizeof(msg), "Compte %s créé.", in.e.email);
		cbw_flash(ctx, r, "success", msg);
		cbw_reply_redirect(r, "/admin-users");
		return;
	}
	form = json_object_new_object();
	json_object_object_add(form, "email", json_object_new_string(
	    cbw_input_str(r, "email", &v) == CBW_OK ? v : ""));
	json_object_object_add(form, "role", json_object_new_string(
	    cbw_input_str(r, "role", &v) == CBW_OK ? v : "admin"));
	list_page(ctx, r, er == CBW_ECONFLICT ? 409 : 422, form, f);
}

/* « 1 catégorie, 40 contacts et 2 campagnes » (accords français). */
static void
counts_summary(struct json_object *counts)
{
	static const char *const names[3][3] = {
		{ "categories", "catégorie", "catégories" },
		{ "contacts", "contact", "contacts" },
		{ "campaigns", "campagne", "campagnes" },
	};
	char		 s[160];
	long long	 n[3];
	int		 i;

	for (i = 0; i < 3; i++)
		n[i] = json_object_get_int64(json_object_object_get(counts,
		    names[i][0]));
	snprintf(s, sizeof(s), "%lld %s, %lld %s et %lld %s",
	    n[0], n[0] > 1 ? names[0][2] : names[0][1],
	    n[1], n[1] > 1 ? names[1][2] : names[1][1],
	    n[2], n[2] > 1 ? names[2][2] : names[2][1]);
	json_object_object_add(counts, "summary", json_object_new_string(s));
}

/*
 * Page d'édition ou de confirmation d'un compte (404 s'il n'existe pas).
 * Après une saisie refusée, `in` remet les valeurs tapées.
 */
static void
edit_page(struct cbw_ctx *ctx, struct cbw_req *r, int status,
    const char *tmpl, const char *title, struct json_object *errors,
    const struct uin *in)
{
	struct json_object	*d, *t, *counts = NULL;
	enum cbw_err		 er;

	if ((er = cbw_user_get(ctx->db, r->ids[0], &t)) != CBW_OK ||
	    (er = cbw_user_counts(ctx->db, r->ids[0], &counts)) != CBW_OK ||
	    (d = cbw_page_new(ctx, r, "admin-users", title)) == NULL) {
		json_object_put(errors);
		cbw_reply_err(ctx, r, er != CBW_OK ? er : CBW_ENOMEM);
		return;
	}
	json_object_object_add(t, "is_self", json_object_new_boolean(
	    r->ids[0] == r->user.id));
	if (in != NULL && in->e.email != NULL)
		json_object_object_add(t, "email", json_object_new_string(in->e.email));
	if (in != NULL && in->e.role != NULL)
		json_object_object_add(t, "role", json_object_new_string(in->e.role));
	if (in != NULL && in->e.is_active >= 0)
		json_object_object_add(t, "is_active",
		    json_object_new_boolean(in->e.is_active));
	add_display_date(t);
	counts_summary(counts);
	json_object_object_add(d, "target", t);
	json_object_object_add(d, "counts", counts);
	json_object_object_add(d, "errors", errors);
	cbw_reply_html(ctx, r, status, tmpl, d);
}

/* POST /admin-users/{id} : 303 après enregistrement ; sinon le formulaire. */
static void
page_update(struct cbw_ctx *ctx, struct cbw_req *r)
{
	struct json_object	*f;
	struct uin		 in;
	const char		*msg;
	enum cbw_err		 er;

	f = user_input(r, 0, &in);
	if (r->ids[0] == r->user.id) {
		in.e.role = NULL;	/* champs désactivés pour soi-même */
		in.e.is_active = -1;
	} else
		in.e.is_active = cbw_kv_get(&r->form, "is_active") != NULL;
	if (f != NULL) {
		edit_page(ctx, r, 422, "admin_user_edit", EDIT_TITLE, f, &in);
		return;
	}
	er = cbw_user_update(ctx->db, &r->user, r->ids[0], &in.e,
	    r->remote_addr, &msg);
	if (er == CBW_ECONFLICT || er == CBW_EDENIED) {
		cbw_json_field(&f, er == CBW_ECONFLICT ? "email" : "role",
		    er == CBW_ECONFLICT ? EMAIL_TAKEN : msg);
		edit_page(ctx, r, er == CBW_ECONFLICT ? 409 : 403,
		    "admin_user_edit", EDIT_TITLE, f, &in);
	} else if (er != CBW_OK)
		cbw_reply_err(ctx, r, er);
	else {
		cbw_flash(ctx, r, "success", "Compte enregistré.");
		cbw_reply_redirect(r, "/admin-users");
	}
}

/* POST /admin-users/{id}/delete : 303 vers la liste, message flash. */
static void
page_delete(struct cbw_ctx *ctx, struct cbw_req *r)
{
	const char	*msg;
	enum cbw_err	 er;

	er = cbw_user_delete(ctx->db, &r->user, r->ids[0], r->remote_addr, &msg);
	if (er == CBW_EDENIED) {
		cbw_flash(ctx, r, "error", msg);
		cbw_reply_redirect(r, "/admin-users");
	} else if (er != CBW_OK)
		cbw_reply_err(ctx, r, er);
	else {
		cbw_flash(ctx, r, "success", "Compte supprimé ; ses données vous "
		    "ont été réattribuées.");
		cbw_reply_redirect(r, "/admin-users");
	}
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
		api_get(ctx, r);
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
	case ROUTE_PAGE_EDIT:
		edit_page(ctx, r, 200, "admin_user_edit", EDIT_TITLE, NULL, NULL);
		break;
	case ROUTE_PAGE_UPDATE:
		page_update(ctx, r);
		break;
	case ROUTE_PAGE_CONFIRM:
		edit_page(ctx, r, 200, "admin_user_delete", "Supprimer un compte",
		    NULL, NULL);
		break;
	case ROUTE_PAGE_DELETE:
		page_delete(ctx, r);
		break;
	case ROUTE__MAX:
		abort();
	}
}

static const struct cbw_app app = {
	"cbw-users", routes, ROUTE__MAX, handle, NULL
};

int
main(void)
{
	return cbw_app_main(&app);
}
