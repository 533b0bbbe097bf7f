/*
 * cbw-campaigns : campagnes, en API JSON (/api/campaigns) et en pages
 * (/campaigns) : brouillon, lancement, annulation, reprise des échecs,
 * statistiques et export. Chaque requête est limitée aux campagnes de
 * l'administrateur connecté (une autre : 404).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "app.h"
#include "audit.h"
#include "buf.h"
#include "campaign.h"
#include "category.h"
#include "clock.h"
#include "html.h"
#include "json.h"
#include "message.h"
#include "owner.h"
#include "valid.h"

enum route {
	ROUTE_API_LIST,
	ROUTE_API_CREATE,
	ROUTE_API_RECIPIENTS,
	ROUTE_API_GET,
	ROUTE_API_UPDATE,
	ROUTE_API_DELETE,
	ROUTE_API_STATS,
	ROUTE_API_RETRY,
	ROUTE_API_LAUNCH,
	ROUTE_API_CANCEL,
	ROUTE_API_EXPORT,
	ROUTE_PAGE_LIST,
	ROUTE_PAGE_NEW,
	ROUTE_PAGE_CREATE,
	ROUTE_PAGE_RECIPIENTS,
	ROUTE_PAGE_SHOW,
	ROUTE_PAGE_EDIT,
	ROUTE_PAGE_UPDATE,
	ROUTE_PAGE_LAUNCH,
	ROUTE_PAGE_CANCEL_CONFIRM,
	ROUTE_PAGE_CANCEL,
	ROUTE_PAGE_DELETE_CONFIRM,
	ROUTE_PAGE_DELETE,
	ROUTE_PAGE_RETRY,
	ROUTE_PAGE_EXPORT,
	ROUTE__MAX
};

#define API	(CBW_R_API | CBW_R_AUTH)
#define PAGE	(CBW_R_HTML | CBW_R_AUTH)

static const struct cbw_route routes[ROUTE__MAX] = {
	{ ROUTE_API_LIST, CBW_GET, "/api/campaigns", API },
	{ ROUTE_API_CREATE, CBW_POST, "/api/campaigns", API | CBW_R_JSON },
	{ ROUTE_API_RECIPIENTS, CBW_GET, "/api/campaigns/recipients", API },
	{ ROUTE_API_GET, CBW_GET, "/api/campaigns/{id}", API },
	{ ROUTE_API_UPDATE, CBW_PUT, "/api/campaigns/{id}", API | CBW_R_JSON },
	{ ROUTE_API_DELETE, CBW_DELETE, "/api/campaigns/{id}", API },
	{ ROUTE_API_STATS, CBW_GET, "/api/campaigns/{id}/stats", API },
	{ ROUTE_API_RETRY, CBW_POST, "/api/campaigns/{id}/retry", API },
	{ ROUTE_API_LAUNCH, CBW_POST, "/api/campaigns/{id}/launch", API },
	{ ROUTE_API_CANCEL, CBW_POST, "/api/campaigns/{id}/cancel", API },
	{ ROUTE_API_EXPORT, CBW_GET, "/api/campaigns/{id}/export", API },
	{ ROUTE_PAGE_LIST, CBW_GET, "/campaigns", PAGE },
	{ ROUTE_PAGE_NEW, CBW_GET, "/campaigns/new", PAGE },
	{ ROUTE_PAGE_CREATE, CBW_POST, "/campaigns", PAGE | CBW_R_FORM },
	{ ROUTE_PAGE_RECIPIENTS, CBW_GET, "/campaigns/recipients", PAGE },
	{ ROUTE_PAGE_SHOW, CBW_GET, "/campaigns/{id}", PAGE },
	{ ROUTE_PAGE_EDIT, CBW_GET, "/campaigns/{id}/edit", PAGE },
	{ ROUTE_PAGE_UPDATE, CBW_POST, "/campaigns/{id}", PAGE | CBW_R_FORM },
	{ ROUTE_PAGE_LAUNCH, CBW_POST, "/campaigns/{id}/launch", PAGE | CBW_R_FORM },
	{ ROUTE_PAGE_CANCEL_CONFIRM, CBW_GET, "/campaigns/{id}/cancel", PAGE },
	{ ROUTE_PAGE_CANCEL, CBW_POST, "/campaigns/{id}/cancel", PAGE | CBW_R_FORM },
	{ ROUTE_PAGE_DELETE_CONFIRM, CBW_GET, "/campaigns/{id}/delete", PAGE },
	{ ROUTE_PAGE_DELETE, CBW_POST, "/campaigns/{id}/delete", PAGE | CBW_R_FORM },
	{ ROUTE_PAGE_RETRY, CBW_POST, "/campaigns/{id}/retry", PAGE | CBW_R_FORM },
	{ ROUTE_PAGE_EXPORT, CBW_GET, "/campaigns/{id}/export", PAGE },
};

#define INVALID_MSG	"Certains champs sont invalides."
#define NOT_DRAFT	"Cette campagne est déjà lancée : elle ne peut plus être modifiée."
#define CAT_UNKNOWN	"Catégorie introuvable : choisissez parmi vos catégories."

/* Saisie validée d'une campagne, avec ses tampons. */
struct form {
	struct cbw_campaign_in	 in;
	char			 name[4 * CBW_NAME_MAX + 4];
	char			 m1[4 * CBW_MSG_MAX + 8];	/* sauts de ligne normalisés */
	char			 m2[4 * CBW_MSG_MAX + 8];
	int			 send;		/* bouton « Envoyer » / launch: true */
};

/* Nom du champ des catégories : category_ids (API) ou category (page). */
static const char *
cat_key(const struct cbw_req *r)
{
	return r->is_api ? "category_ids" : "category";
}

/* Lit un texte facultatif : NULL si absent ou vide ; *bad si pas une chaîne. */
static const char *
opt_str(struct cbw_req *r, const char *key, int *bad)
{
	const char	*v = NULL;
	enum cbw_err	 er = cbw_input_str(r, key, &v);

	if (er == CBW_EINVAL)
		*bad = 1;
	return er == CBW_OK && *v != '\0' ? v : NULL;
}

/*
 * Paramètres de modèle : tableau JSON de chaînes (API) ou cases répétées
 * (page). Ajoute une erreur de champ si un nom n'est pas permis.
 */
static void
read_params(struct cbw_req *r, struct form *fm, struct json_object **f)
{
	struct json_object	*a = NULL, *e;
	const char		*v;
	size_t			 i, n;

	fm->in.nparams = 0;
	if (r->json != NULL) {
		if (!json_object_object_get_ex(r->json, "template_params", &a) ||
		    a == NULL)
			return;
		/* Pas un tableau : erreur de champ (json-c abandonne sinon). */
		n = json_object_is_type(a, json_type_array) ?
		    json_object_array_length(a) : CBW_TEMPLATE_PARAMS_MAX + 1;
		for (i = 0; json_object_is_type(a, json_type_array) && i < n &&
		    i <= CBW_TEMPLATE_PARAMS_MAX; i++) {
			e = json_object_array_get_idx(a, i);
			v = json_object_is_type(e, json_type_string) ?
			    json_object_get_string(e) : NULL;
			if (i == CBW_TEMPLATE_PARAMS_MAX || !cbw_campaign_param_ok(v))
				break;
			fm->in.params[fm->in.nparams++] = v;
		}
		if (fm->in.nparams != n)
			cbw_json_field(f, "template_params", "Paramètres du modèle : "
			    "liste de champs parmi first_name et last_name.");
		return;
	}
	for (i = 0; i < r->form.n; i++) {
		if (strcmp(r->form.v[i].key, "template_params") != 0)
			continue;
		if (!cbw_campaign_param_ok(r->form.v[i].val) ||
		    fm->in.nparams == CBW_TEMPLATE_PARAMS_MAX) {
			cbw_json_field(f, "template_params", "Paramètre de modèle "
			    "inconnu : choisissez Prénom ou Nom.");
			return;
		}
		fm->in.params[fm->in.nparams++] = r->form.v[i].val;
	}
}

/* Valide le modèle WhatsApp facultatif (nom, langue, paramètres). */
static void
read_template(struct cbw_req *r, struct form *fm, struct json_object **f)
{
	int	 bad = 0;

	fm->in.template_name = opt_str(r, "template_name", &bad);
	fm->in.template_language = opt_str(r, "template_language", &bad);
	if (bad)
		cbw_json_field(f, "template_name", "Champs du modèle : chaînes attendues.");
	read_params(r, fm, f);
	if (fm->in.template_name == NULL) {
		fm->in.template_language = NULL;
		fm->in.nparams = 0;
		return;
	}
	if (!cbw_campaign_template_ok(fm->in.template_name))
		cbw_json_field(f, "template_name", "Nom de modèle invalide : "
		    "lettres minuscules, chiffres et « _ » seulement, comme dans "
		    "le gestionnaire WhatsApp.");
	if (fm->in.template_language == NULL)
		fm->in.template_language = "fr";
	else if (!cbw_campaign_language_ok(fm->in.template_language))
		cbw_json_field(f, "template_language", "Code de langue invalide "
		    "(exemples : fr, en_US).");
}

/*
 * Recopie `in` dans out (len octets) en changeant les fins de ligne CRLF
 * des navigateurs en LF, pour compter et enregistrer les caractères comme
 * WhatsApp les affiche. Rend 0 si le texte ne tient pas (trop long de
 * toute façon), 1 sinon.
 */
static int
normalize_lines(const char *in, char *out, size_t len)
{
	size_t	 i, o = 0;

	for (i = 0; in[i] != '\0'; i++) {
		if (in[i] == '\r' && in[i + 1] == '\n')
			continue;
		if (o + 1 >= len)
			return 0;
		out[o++] = in[i];
	}
	out[o] = '\0';
	return 1;
}

/*
 * Valide un texte de message `key` (obligatoire ou non) ; *out pointe sur
 * sa copie normalisée dans buf (NULL si absent ou vide).
 */
static void
read_message(struct cbw_req *r, const char *key, int required,
    const char **out, char *buf, size_t len, struct json_object **f)
{
	const char	*v;
	char		 msg[512];
	int		 bad = 0;

	*out = NULL;
	v = opt_str(r, key, &bad);
	/* Que des blancs : WhatsApp refuserait ce texte vide, comme absent. */
	if (v != NULL && v[strspn(v, " \t\r\n")] == '\0')
		v = NULL;
	if (bad)
		cbw_json_field(f, key, "Le message doit être une chaîne.");
	else if (v == NULL && required)
		cbw_json_field(f, key, "Le message 1 est obligatoire.");
	else if (v != NULL && !normalize_lines(v, buf, len)) {
		snprintf(msg, sizeof(msg), "Message trop long : WhatsApp en "
		    "accepte %d caractères au plus.", CBW_MSG_MAX);
		cbw_json_field(f, key, msg);
	} else if (v != NULL) {
		*out = buf;
		if (cbw_campaign_check_text(buf, msg, sizeof(msg)) != CBW_OK)
			cbw_json_field(f, key, msg);
	}
}

/*
 * Lit et valide toute la saisie d'une campagne (JSON ou formulaire).
 * Rend NULL si elle est valide, sinon les erreurs par champ.
 */
static struct json_object *
read_form(struct cbw_req *r, struct form *fm)
{
	struct json_object	*f = NULL;
	const char		*v = NULL, *msg, *action;
	enum cbw_err		 er;

	memset(fm, 0, sizeof(*fm));
	if ((er = cbw_input_str(r, "name", &v)) == CBW_EINVAL)
		cbw_json_field(&f, "name", "Le nom doit être une chaîne.");
	else if (cbw_valid_name(er == CBW_OK ? v : "", 0, fm->name,
	    sizeof(fm->name), &msg) != CBW_OK)
		cbw_json_field(&f, "name", msg);
	fm->in.name = fm->name;
	er = cbw_input_ids(r, cat_key(r), fm->in.cats, CBW_CAMPAIGN_CATS_MAX,
	    &fm->in.ncats);
	if (er == CBW_EINVAL)
		cbw_json_field(&f, cat_key(r), "Liste de catégories invalide "
		    "(100 au plus).");
	else if (fm->in.ncats == 0)
		cbw_json_field(&f, cat_key(r), "Choisissez au moins une catégorie.");
	read_message(r, "message_1", 1, &fm->in.message_1, fm->m1,
	    sizeof(fm->m1), &f);
	read_message(r, "message_2", 0, &fm->in.message_2, fm->m2,
	    sizeof(fm->m2), &f);
	read_template(r, fm, &f);
	if (r->json != NULL) {
		/* « launch »: "true" ne doit pas créer un brouillon en silence. */
		if (cbw_json_get_bool(r->json, "launch", &fm->send) == CBW_EINVAL)
			cbw_json_field(&f, "launch", "launch doit être un booléen.");
	} else if (cbw_input_str(r, "action", &action) == CBW_OK)
		fm->send = strcmp(action, "send") == 0;
	return f;
}

/* Secondes pour envoyer n messages au débit configuré. */
static long long
eta_seconds(const struct cbw_ctx *ctx, long long n)
{
	return cbw_campaign_eta_seconds(n, ctx->cfg.send_rate_per_minute);
}

/* Texte « Aucun destinataire joignable… » nommant les catégories vides. */
static void
no_recipient_msg(struct json_object *empty, char *out, size_t len)
{
	struct cbw_buf	 b;
	size_t		 i, n = empty ? json_object_array_length(empty) : 0;

	cbw_buf_init(&b);
	cbw_buf_puts(&b, "Aucun destinataire joignable");
	for (i = 0; i < n; i++)
		cbw_buf_printf(&b, "%s« %s »", i == 0 ? (n > 1 ?
		    " : les catégories " : " : la catégorie ") : ", ",
		    json_object_get_string(json_object_array_get_idx(empty, i)));
	cbw_buf_puts(&b, n > 1 ? " sont vides ou leurs contacts se sont "
	    "désabonnés." : n == 1 ? " est vide ou ses contacts se sont "
	    "désabonnés." : ".");
	snprintf(out, len, "%s", cbw_buf_str(&b));
	cbw_buf_free(&b);
}

/* Réponse JSON de la campagne `id` avec le statut donné. */
static void
reply_campaign(struct cbw_ctx *ctx, struct cbw_req *r, int status, long long id)
{
	struct json_object	*o;
	enum cbw_err		 er;

	if ((er = cbw_campaign_get(ctx->db, r->user.id, id, &o)) != CBW_OK)
		cbw_reply_err(ctx, r, er);
	else
		cbw_reply_json(r, status, o);
}

/* Note une action sur une campagne dans le journal d'audit. */
static void
audit(struct cbw_ctx *ctx, struct cbw_req *r, const char *action, long long id,
    struct json_object *details)
{
	cbw_audit(ctx->db, &r->user, action, "campaign", id, details,
	    r->remote_addr);
	json_object_put(details);
}

/* Objet {"recipients": n} pour le journal d'audit. */
static struct json_object *
count_details(const char *key, long long n)
{
	struct json_object	*o = json_object_new_object();

	json_object_object_add(o, key, json_object_new_int64(n));
	return o;
}

/*
 * Réponse d'erreur JSON « aucun destinataire » : 422 avec le champ des
 * catégories et la liste empty_categories (prise).
 */
static void
reply_no_recipient(struct cbw_req *r, struct json_object *empty)
{
	struct json_object	*f = NULL, *e;
	char			 msg[1024];

	no_recipient_msg(empty, msg, sizeof(msg));
	cbw_json_field(&f, "category_ids", msg);
	e = cbw_json_error("no_recipient", msg, f);
	json_object_object_add(e, "empty_categories", empty ? empty :
	    json_object_new_array());
	cbw_reply_json(r, 422, e);
}

/* GET /api/campaigns : 200 page (filtre status) ; 422. */
static void
api_list(struct cbw_ctx *ctx, struct cbw_req *r)
{
	struct json_object	*items, *f = NULL;
	const char		*st = cbw_kv_get(&r->query, "status");
	long long		 pg, pp, total;
	enum cbw_err		 er;

	if (!cbw_input_page(ctx, r, &pg, &pp))
		return;
	if (st != NULL && *st != '\0' && !cbw_campaign_status_ok(st)) {
		cbw_json_field(&f, "status", "Statut inconnu (draft, sending, "
		    "completed, failed, cancelled).");
		cbw_reply_error(ctx, r, 422, "validation_error", INVALID_MSG, f);
		return;
	}
	if ((er = cbw_campaign_list(ctx->db, r->user.id, st, pg, pp, &items,
	    &total)) != CBW_OK)
		cbw_reply_err(ctx, r, er);
	else
		cbw_reply_json(r, 200, cbw_json_list(items, total, pg, pp));
}

/*
 * Vérifie qu'il y a au moins un destinataire joignable. Rend 1 si oui ;
 * sinon répond (422 sans destinataire, ou l'erreur) et rend 0.
 */
static int
api_check_recipients(struct cbw_ctx *ctx, struct cbw_req *r,
    const struct form *fm)
{
	struct json_object	*empty = NULL, *f = NULL;
	long long		 n;
	enum cbw_err		 er;

	er = cbw_campaign_recipients(ctx->db, r->user.id, fm->in.cats,
	    fm->in.ncats, &n, &empty);
	if (er == CBW_ENOTFOUND) {
		cbw_json_field(&f, "category_ids", CAT_UNKNOWN);
		cbw_reply_error(ctx, r, 422, "validation_error", CAT_UNKNOWN, f);
		return 0;
	}
	if (er != CBW_OK) {
		cbw_reply_err(ctx, r, er);
		return 0;
	}
	if (n == 0) {
		reply_no_recipient(r, empty);
		return 0;
	}
	json_object_put(empty);
	return 1;
}

/*
 * Lance la campagne `id` et répond (statut `status` avec la campagne) ;
 * 409 si elle n'est plus brouillon ; 422 sans destinataire.
 */
static void
api_launch_id(struct cbw_ctx *ctx, struct cbw_req *r, long long id, int status)
{
	struct json_object	*empty = NULL;
	long long		 n;
	enum cbw_err		 er;

	er = cbw_campaign_launch(ctx->db, r->user.id, id, &n, &empty);
	if (er == CBW_EINVAL) {
		reply_no_recipient(r, empty);
		return;
	}
	if (er == CBW_ECONFLICT) {
		cbw_reply_error(ctx, r, 409, "conflict", NOT_DRAFT, NULL);
		return;
	}
	if (er != CBW_OK) {
		cbw_reply_err(ctx, r, er);
		return;
	}
	audit(ctx, r, "campaign.launch", id, count_details("recipients", n));
	reply_campaign(ctx, r, status, id);
}

/*
 * POST /api/campaigns : 201 brouillon, ou lancée si launch vaut true ;
 * 422 champs, catégorie d'un autre ou aucun destinataire joignable.
 */
static void
api_create(struct cbw_ctx *ctx, struct cbw_req *r)
{
	struct json_object	*f;
	struct form		 fm;
	long long		 id;
	enum cbw_err		 er;

	if ((f = read_form(r, &fm)) != NULL) {
		cbw_reply_error(ctx, r, 422, "validation_error", INVALID_MSG, f);
		return;
	}
	if (fm.send && !api_check_recipients(ctx, r, &fm))
		return;
	er = cbw_campaign_create(ctx->db, r->user.id, &fm.in, &id);
	if (er == CBW_ENOTFOUND) {
		cbw_json_field(&f, "category_ids", CAT_UNKNOWN);
		cbw_reply_error(ctx, r, 422, "validation_error", CAT_UNKNOWN, f);
	} else if (er != CBW_OK)
		cbw_reply_err(ctx, r, er);
	else if (fm.send)
		api_launch_id(ctx, r, id, 201);
	else
		reply_campaign(ctx, r, 201, id);
}

/* PUT /api/campaigns/{id} : 200 ; 404 ; 409 déjà lancée ; 422. */
static void
api_update(struct cbw_ctx *ctx, struct cbw_req *r)
{
	struct json_object	*f;
	struct form		 fm;
	enum cbw_err		 er;

	if ((f = read_form(r, &fm)) != NULL) {
		cbw_reply_error(ctx, r, 422, "validation_error", INVALID_MSG, f);
		return;
	}
	er = cbw_campaign_update(ctx->db, r->user.id, r->ids[0], &fm.in);
	if (er == CBW_ECONFLICT)
		cbw_reply_error(ctx, r, 409, "conflict", NOT_DRAFT, NULL);
	else if (er == CBW_ENOTFOUND && cbw_campaign_get(ctx->db, r->user.id,
	    r->ids[0], &f) == CBW_OK) {
		json_object_put(f);
		f = NULL;
		cbw_json_field(&f, "category_ids", CAT_UNKNOWN);
		cbw_reply_error(ctx, r, 422, "validation_error", CAT_UNKNOWN, f);
	} else if (er != CBW_OK)
		cbw_reply_err(ctx, r, er);
	else if (fm.send)
		api_launch_id(ctx, r, r->ids[0], 200);
	else
		reply_campaign(ctx, r, 200, r->ids[0]);
}

/* DELETE /api/campaigns/{id} : 204 ; 404 ; 409 en cours d'envoi. */
static void
api_delete(struct cbw_ctx *ctx, struct cbw_req *r)
{
	enum cbw_err	 er = cbw_campaign_delete(ctx->db, r->user.id, r->ids[0]);

	if (er == CBW_ECONFLICT) {
		cbw_reply_error(ctx, r, 409, "conflict", "Campagne en cours "
		    "d'envoi : annulez-la avant de la supprimer.", NULL);
		return;
	}
	if (er == CBW_OK)
		audit(ctx, r, "campaign.delete", r->ids[0], NULL);
	cbw_reply_done(ctx, r, er, 204);
}

/*
 * Identifiants de catégories de la chaîne de requête : clé répétée
 * (category=1&category=2) ou liste à virgules (category_ids=1,2). Rend 0
 * si l'un est invalide ou s'il y en a trop.
 */
static int
query_ids(struct cbw_req *r, long long *ids, size_t max, size_t *n)
{
	char		 one[32];
	const char	*v, *p, *comma;
	size_t		 i, len;

	*n = 0;
	for (i = 0; i < r->query.n; i++) {
		if (strcmp(r->query.v[i].key, "category") != 0 &&
		    strcmp(r->query.v[i].key, "category_ids") != 0)
			continue;
		for (v = r->query.v[i].val, p = v; *p != '\0'; p = comma + 1) {
			comma = strchr(p, ',');
			len = comma ? (size_t)(comma - p) : strlen(p);
			if (len > 0) {
				if (len >= sizeof(one) || *n >= max)
					return 0;
				memcpy(one, p, len);
				one[len] = '\0';
				if (cbw_valid_id(one, &ids[*n]) != CBW_OK)
					return 0;
				(*n)++;
			}
			if (comma == NULL)
				break;
		}
	}
	return 1;
}

/*
 * GET …/campaigns/recipients?category=… : 200 {count, rate, eta_seconds,
 * eta_display, empty_categories} ; 404 catégorie d'un autre ; 422.
 */
static void
recipients(struct cbw_ctx *ctx, struct cbw_req *r)
{
	struct json_object	*o, *empty = NULL;
	long long		 ids[CBW_CAMPAIGN_CATS_MAX], n = 0;
	size_t			 k;
	char			 eta[64];
	enum cbw_err		 er;

	if (!query_ids(r, ids, CBW_CAMPAIGN_CATS_MAX, &k)) {
		cbw_reply_error(ctx, r, 422, "validation_error", "Liste de "
		    "catégories invalide.", NULL);
		return;
	}
	if (k > 0 && (er = cbw_campaign_recipients(ctx->db, r->user.id, ids, k,
	    &n, &empty)) != CBW_OK) {
		cbw_reply_err(ctx, r, er);
		return;
	}
	cbw_campaign_eta_text(eta_seconds(ctx, n), eta, sizeof(eta));
	o = json_object_new_object();
	json_object_object_add(o, "count", json_object_new_int64(n));
	json_object_object_add(o, "rate", json_object_new_int64(
	    ctx->cfg.send_rate_per_minute));
	json_object_object_add(o, "eta_seconds", json_object_new_int64(
	    eta_seconds(ctx, n)));
	json_object_object_add(o, "eta_display", json_object_new_string(eta));
	json_object_object_add(o, "empty_categories", empty ? empty :
	    json_object_new_array());
	cbw_reply_json(r, 200, o);
}

/* GET /api/campaigns/{id}/stats : 200 ; 404 ; 422 pagination. */
static void
api_stats(struct cbw_ctx *ctx, struct cbw_req *r)
{
	struct json_object	*o;
	long long		 pg, pp;
	enum cbw_err		 er;

	if (!cbw_input_page(ctx, r, &pg, &pp))
		return;
	if ((er = cbw_campaign_stats(ctx->db, r->user.id, r->ids[0],
	    ctx->cfg.send_rate_per_minute, pg, pp, &o)) != CBW_OK)
		cbw_reply_err(ctx, r, er);
	else
		cbw_reply_json(r, 200, o);
}

/*
 * Reprise manuelle des échecs de la campagne courante, notée au journal
 * d'audit. Rend l'erreur ; *res reçoit le bilan.
 */
static enum cbw_err
do_retry(struct cbw_ctx *ctx, struct cbw_req *r, struct json_object **res)
{
	enum cbw_err	 er;

	if ((er = cbw_campaign_retry(ctx->db, r->user.id, r->ids[0], res)) == CBW_OK)
		audit(ctx, r, "campaign.retry", r->ids[0], json_object_get(*res));
	return er;
}

/* POST /api/campaigns/{id}/retry : 200 bilan ; 404 ; 409 brouillon/annulée. */
static void
api_retry(struct cbw_ctx *ctx, struct cbw_req *r)
{
	struct json_object	*res;
	enum cbw_err		 er = do_retry(ctx, r, &res);

	if (er == CBW_ECONFLICT)
		cbw_reply_error(ctx, r, 409, "conflict", "Rien à réessayer : la "
		    "campagne est un brouillon ou a été annulée.", NULL);
	else if (er != CBW_OK)
		cbw_reply_err(ctx, r, er);
	else
		cbw_reply_json(r, 200, res);
}

/* Annule la campagne courante (audit compris) ; rend l'erreur et *n. */
static enum cbw_err
do_cancel(struct cbw_ctx *ctx, struct cbw_req *r, long long *n)
{
	enum cbw_err	 er;

	if ((er = cbw_campaign_cancel(ctx->db, r->user.id, r->ids[0], n)) == CBW_OK)
		audit(ctx, r, "campaign.cancel", r->ids[0],
		    count_details("stopped", *n));
	return er;
}

/* POST /api/campaigns/{id}/cancel : 200 ; 404 ; 409 pas en cours d'envoi. */
static void
api_cancel(struct cbw_ctx *ctx, struct cbw_req *r)
{
	long long	 n;
	enum cbw_err	 er = do_cancel(ctx, r, &n);

	if (er == CBW_ECONFLICT)
		cbw_reply_error(ctx, r, 409, "conflict", "Cette campagne n'est pas "
		    "en cours d'envoi.", NULL);
	else if (er != CBW_OK)
		cbw_reply_err(ctx, r, er);
	else
		reply_campaign(ctx, r, 200, r->ids[0]);
}

/* GET …/campaigns/{id}/export : 200 fichier CSV ; 404. */
static void
export(struct cbw_ctx *ctx, struct cbw_req *r)
{
	char		 disp[96];
	enum cbw_err	 er;

	if ((er = cbw_campaign_export(ctx->db, r->user.id, r->ids[0],
	    &r->out)) != CBW_OK) {
		cbw_buf_reset(&r->out);
		cbw_reply_err(ctx, r, er);
		return;
	}
	snprintf(disp, sizeof(disp), "attachment; filename=\"campagne-%lld.csv\"",
	    r->ids[0]);
	cbw_http_header(r, "Content-Disposition", disp);
	cbw_http_send(r, 200, "text/csv; charset=utf-8");
}

/* ---- pages ------------------------------------------------------------ */

/* Liste des statuts pour le filtre, `cur` sélectionné. */
static struct json_object *
status_options(const char *cur)
{
	static const char *const v[] = { "", "draft", "sending", "completed",
	    "failed", "cancelled" };
	struct json_object	*a = json_object_new_array(), *o;
	size_t			 i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		o = json_object_new_object();
		json_object_object_add(o, "value", json_object_new_string(v[i]));
		json_object_object_add(o, "label", json_object_new_string(i == 0 ?
		    "Toutes" : cbw_campaign_status_label(v[i])));
		json_object_object_add(o, "selected", json_object_new_boolean(
		    strcmp(v[i], cur) == 0));
		json_object_array_add(a, o);
	}
	return a;
}

/* GET /campaigns : liste paginée avec filtre de statut. */
static void
list_page(struct cbw_ctx *ctx, struct cbw_req *r)
{
	struct json_object	*d, *items;
	const char		*st = cbw_kv_get(&r->query, "status");
	char			 pq[64];
	long long		 pg, pp, total;
	size_t			 i;
	enum cbw_err		 er;

	if (st == NULL || !cbw_campaign_status_ok(st))
		st = "";
	cbw_input_page(ctx, r, &pg, &pp);
	if ((er = cbw_campaign_list(ctx->db, r->user.id, st, pg, pp, &items,
	    &total)) != CBW_OK ||
	    (d = cbw_page_new(ctx, r, "campaigns", "Campagnes")) == NULL) {
		cbw_reply_err(ctx, r, er != CBW_OK ? er : CBW_ENOMEM);
		return;
	}
	for (i = 0; i < json_object_array_length(items); i++)
		cbw_campaign_decorate(json_object_array_get_idx(items, i));
	snprintf(pq, sizeof(pq), "%s%s", *st ? "&status=" : "", st);
	json_object_object_add(d, "campaigns", items);
	json_object_object_add(d, "status", json_object_new_string(st));
	json_object_object_add(d, "statuses", status_options(st));
	cbw_page_pagination(d, pg, pp, total);
	json_object_object_add(d, "page_query", json_object_new_string(pq));
	cbw_reply_html(ctx, r, 200, "campaigns", d);
}

/*
 * Catégories pour le sélecteur : id, name, color_key, reachable, selected
 * (parmi ids). *count reçoit les destinataires joignables de la sélection.
 */
static struct json_object *
category_choices(struct cbw_ctx *ctx, struct cbw_req *r, const long long *ids,
    size_t n, long long *count)
{
	struct json_object	*all = NULL, *reach = NULL, *c, *row;
	long long		 id;
	size_t			 i, j;

	*count = 0;
	if (cbw_category_all(ctx->db, r->user.id, &all) != CBW_OK ||
	    cbw_campaign_reachable(ctx->db, r->user.id, &reach) != CBW_OK) {
		json_object_put(reach);
		return all ? all : json_object_new_array();
	}
	for (i = 0; i < json_object_array_length(all); i++) {
		c = json_object_array_get_idx(all, i);
		id = json_object_get_int64(json_object_object_get(c, "id"));
		json_object_object_add(c, "selected", json_object_new_boolean(
		    cbw_ids_has(ids, n, id)));
		json_object_object_add(c, "reachable", json_object_new_int64(0));
		for (j = 0; j < json_object_array_length(reach); j++) {
			row = json_object_array_get_idx(reach, j);
			if (json_object_get_int64(json_object_object_get(row,
			    "category_id")) == id)
				json_object_object_add(c, "reachable", json_object_get(
				    json_object_object_get(row, "n")));
		}
	}
	json_object_put(reach);
	if (n > 0)
		cbw_campaign_recipients(ctx->db, r->user.id, ids, n, count, NULL);
	return all;
}

/* Objet « form » de la page depuis une saisie (tapée ou enregistrée). */
static struct json_object *
form_json(const char *name, const char *m1, const char *m2, const char *tn,
    const char *tl, int first, int last)
{
	struct json_object	*o = json_object_new_object();

	json_object_object_add(o, "name", json_object_new_string(name ? name : ""));
	json_object_object_add(o, "message_1", json_object_new_string(m1 ? m1 : ""));
	json_object_object_add(o, "message_2", json_object_new_string(m2 ? m2 : ""));
	json_object_object_add(o, "template_name", json_object_new_string(tn ? tn : ""));
	json_object_object_add(o, "template_language", json_object_new_string(
	    tl ? tl : ""));
	json_object_object_add(o, "param_first_name", json_object_new_boolean(first));
	json_object_object_add(o, "param_last_name", json_object_new_boolean(last));
	return o;
}

/* Rend 1 si le champ `field` figure parmi les paramètres saisis. */
static int
has_param(const struct form *fm, const char *field)
{
	size_t	 i;

	for (i = 0; i < fm->in.nparams; i++)
		if (strcmp(fm->in.params[i], field) == 0)
			return 1;
	return 0;
}

/* Saisie tapée (même invalide) pour réafficher le formulaire. */
static struct json_object *
typed_form(struct cbw_req *r, const struct form *fm)
{
	const char	*v[5] = { NULL, NULL, NULL, NULL, NULL };
	static const char *const keys[5] = { "name", "message_1", "message_2",
	    "template_name", "template_language" };
	size_t		 i;

	for (i = 0; i < 5; i++)
		if (cbw_input_str(r, keys[i], &v[i]) != CBW_OK)
			v[i] = NULL;
	return form_json(v[0], v[1], v[2], v[3], v[4], has_param(fm, "first_name"),
	    has_param(fm, "last_name"));
}

/* Prénom et nom d'un contact de l'admin, pour l'aperçu du message. */
static void
sample_contact(struct cbw_ctx *ctx, struct cbw_req *r, struct json_object *d)
{
	struct json_object	*row = NULL;
	const char		*f = "Marie", *l = "Dupont";

	if (cbw_campaign_sample(ctx->db, r->user.id, &row) == CBW_OK) {
		f = json_object_get_string(json_object_object_get(row, "first_name"));
		l = json_object_get_string(json_object_object_get(row, "last_name"));
	}
	json_object_object_add(d, "sample_first_name", json_object_new_string(
	    f ? f : ""));
	json_object_object_add(d, "sample_last_name", json_object_new_string(
	    l ? l : ""));
	json_object_put(row);
}

/*
 * Page du formulaire (nouvelle campagne ou brouillon `k`), statut donné,
 * avec la saisie `form` (prise), les catégories choisies et les erreurs.
 */
static void
form_page(struct cbw_ctx *ctx, struct cbw_req *r, int status,
    struct json_object *k, struct json_object *form, const long long *ids,
    size_t n, struct json_object *errors)
{
	struct json_object	*d;
	long long		 count;
	char			 eta[64], url[64];

	if ((d = cbw_page_new(ctx, r, "campaigns", k ? "Modifier la campagne" :
	    "Nouvelle campagne")) == NULL) {
		json_object_put(k);
		json_object_put(form);
		json_object_put(errors);
		cbw_reply_err(ctx, r, CBW_ENOMEM);
		return;
	}
	json_object_object_add(d, "categories", category_choices(ctx, r, ids, n,
	    &count));
	cbw_campaign_eta_text(eta_seconds(ctx, count), eta, sizeof(eta));
	if (k != NULL)
		snprintf(url, sizeof(url), "/campaigns/%lld", (long long)
		    json_object_get_int64(json_object_object_get(k, "id")));
	else
		snprintf(url, sizeof(url), "/campaigns");
	json_object_object_add(d, "campaign", k);
	json_object_object_add(d, "action_url", json_object_new_string(url));
	json_object_object_add(d, "form", form);
	json_object_object_add(d, "errors", errors);
	json_object_object_add(d, "rate", json_object_new_int64(
	    ctx->cfg.send_rate_per_minute));
	json_object_object_add(d, "recipients", json_object_new_int64(count));
	json_object_object_add(d, "eta_display", json_object_new_string(eta));
	sample_contact(ctx, r, d);
	cbw_reply_html(ctx, r, status, "campaign_form", d);
}

/* GET /campaigns/new : formulaire vide (catégorie ?category=… présélectionnée). */
static void
new_page(struct cbw_ctx *ctx, struct cbw_req *r)
{
	long long	 ids[CBW_CAMPAIGN_CATS_MAX];
	size_t		 n = 0;

	if (!query_ids(r, ids, CBW_CAMPAIGN_CATS_MAX, &n))
		n = 0;
	form_page(ctx, r, 200, NULL, form_json(NULL, NULL, NULL, NULL, NULL, 0, 0),
	    ids, n, NULL);
}

/* Rend 1 si le tableau JSON de chaînes `a` contient `s`. */
static int
json_has_str(struct json_object *a, const char *s)
{
	size_t	 i;

	for (i = 0; i < json_object_array_length(a); i++)
		if (strcmp(json_object_get_string(json_object_array_get_idx(a, i)),
		    s) == 0)
			return 1;
	return 0;
}

/* Renvoie vers la page de la campagne courante avec un message flash. */
static void
back(struct cbw_ctx *ctx, struct cbw_req *r, long long id, const char *kind,
    const char *msg)
{
	char	 loc[64];

	if (msg != NULL)
		cbw_flash(ctx, r, kind, msg);
	snprintf(loc, sizeof(loc), "/campaigns/%lld", id);
	cbw_reply_redirect(r, loc);
}

/* GET /campaigns/{id}/edit : formulaire du brouillon ; 404 ; lancée : retour. */
static void
edit_page(struct cbw_ctx *ctx, struct cbw_req *r)
{
	struct json_object	*k, *cats, *params, *form, *small;
	long long		 ids[CBW_CAMPAIGN_CATS_MAX];
	size_t			 i, n;
	enum cbw_err		 er;

	if ((er = cbw_campaign_get(ctx->db, r->user.id, r->ids[0], &k)) != CBW_OK) {
		cbw_reply_err(ctx, r, er);
		return;
	}
	if (strcmp(json_object_get_string(json_object_object_get(k, "status")),
	    "draft") != 0) {
		json_object_put(k);
		back(ctx, r, r->ids[0], "error", NOT_DRAFT);
		return;
	}
	cats = json_object_object_get(k, "categories");
	params = json_object_object_get(k, "template_params");
	for (i = n = 0; i < json_object_array_length(cats) && n < CBW_CAMPAIGN_CATS_MAX; i++)
		ids[n++] = json_object_get_int64(json_object_object_get(
		    json_object_array_get_idx(cats, i), "id"));
#define KS(key) json_object_get_string(json_object_object_get(k, key))
	form = form_json(KS("name"), KS("message_1"), KS("message_2"),
	    KS("template_name"), KS("template_language"),
	    json_has_str(params, "first_name"), json_has_str(params, "last_name"));
	small = json_object_new_object();
	json_object_object_add(small, "id", json_object_new_int64(r->ids[0]));
	json_object_object_add(small, "name", json_object_new_string(KS("name")));
#undef KS
	json_object_put(k);
	form_page(ctx, r, 200, small, form, ids, n, NULL);
}

/*
 * Après une saisie valide : lance si demandé, puis renvoie vers la page
 * de la campagne avec « Campagne envoyée » ou « Brouillon enregistré ».
 * Sans destinataire : reste brouillon, avec le message qui nomme les
 * catégories vides.
 */
static void
after_save(struct cbw_ctx *ctx, struct cbw_req *r, long long id, int send)
{
	struct json_object	*empty = NULL;
	long long		 n;
	char			 msg[1024], eta[64];
	enum cbw_err		 er;

	if (!send) {
		back(ctx, r, id, "success", "Brouillon enregistré.");
		return;
	}
	er = cbw_campaign_launch(ctx->db, r->user.id, id, &n, &empty);
	if (er == CBW_EINVAL) {
		no_recipient_msg(empty, msg, sizeof(msg));
		json_object_put(empty);
		back(ctx, r, id, "error", msg);
		return;
	}
	if (er == CBW_ECONFLICT) {
		back(ctx, r, id, "error", NOT_DRAFT);
		return;
	}
	if (er != CBW_OK) {
		cbw_reply_err(ctx, r, er);
		return;
	}
	audit(ctx, r, "campaign.launch", id, count_details("recipients", n));
	cbw_campaign_eta_text(eta_seconds(ctx, n), eta, sizeof(eta));
	snprintf(msg, sizeof(msg), "Campagne envoyée : %lld destinataire%s, durée "
	    "estimée %s.", n, n > 1 ? "s" : "", eta);
	back(ctx, r, id, "success", msg);
}

/*
 * Vérifie avant « Envoyer » qu'il y a au moins un destinataire joignable ;
 * sinon ajoute l'erreur « recipients » (nommant les catégories vides).
 */
static void
page_check_recipients(struct cbw_ctx *ctx, struct cbw_req *r,
    const struct form *fm, struct json_object **f)
{
	struct json_object	*empty = NULL;
	long long		 n;
	char			 msg[1024];
	enum cbw_err		 er;

	er = cbw_campaign_recipients(ctx->db, r->user.id, fm->in.cats,
	    fm->in.ncats, &n, &empty);
	if (er == CBW_ENOTFOUND)
		cbw_json_field(f, "category", CAT_UNKNOWN);
	else if (er == CBW_OK && n == 0) {
		no_recipient_msg(empty, msg, sizeof(msg));
		cbw_json_field(f, "recipients", msg);
	}
	json_object_put(empty);
}

/*
 * POST /campaigns et POST /campaigns/{id} : 303 vers la campagne ; 422 le
 * formulaire avec erreurs et saisie ; 404 ; brouillon déjà lancé : retour.
 */
static void
page_save(struct cbw_ctx *ctx, struct cbw_req *r, int create)
{
	struct json_object	*f, *small = NULL;
	struct form		 fm;
	long long		 id = create ? 0 : r->ids[0];
	enum cbw_err		 er = CBW_OK;

	if ((f = read_form(r, &fm)) == NULL && fm.send)
		page_check_recipients(ctx, r, &fm, &f);
	if (f == NULL) {
		er = create ? cbw_campaign_create(ctx->db, r->user.id, &fm.in, &id) :
		    cbw_campaign_update(ctx->db, r->user.id, id, &fm.in);
		if (er == CBW_ECONFLICT) {
			back(ctx, r, id, "error", NOT_DRAFT);
			return;
		}
		if (er == CBW_ENOTFOUND && (create || cbw_owner_check(ctx->db,
		    CBW_OWN_CAMPAIGN, r->user.id, id) == CBW_OK))
			cbw_json_field(&f, "category", CAT_UNKNOWN);
		else if (er != CBW_OK) {
			cbw_reply_err(ctx, r, er);
			return;
		}
	}
	if (f == NULL) {
		after_save(ctx, r, id, fm.send);
		return;
	}
	if (!create) {
		small = json_object_new_object();
		json_object_object_add(small, "id", json_object_new_int64(id));
		json_object_object_add(small, "name", json_object_new_string(fm.name));
	}
	form_page(ctx, r, 422, small, typed_form(r, &fm), fm.in.cats, fm.in.ncats, f);
}

/* Statistiques d'une campagne pour la page (compteurs, reste, durée). */
static struct json_object *
page_stats(struct cbw_ctx *ctx, struct json_object *st)
{
	struct json_object	*o = json_object_new_object(), *m2;
	long long		 remaining;
	char			 eta[64];

	remaining = json_object_get_int64(json_object_object_get(st, "remaining"));
	m2 = json_object_object_get(json_object_object_get(st, "counts"),
	    "message_2");
	cbw_campaign_eta_text(eta_seconds(ctx, remaining), eta, sizeof(eta));
	json_object_object_add(o, "replies", json_object_get(
	    json_object_object_get(st, "replies")));
	json_object_object_add(o, "remaining", json_object_new_int64(remaining));
	json_object_object_add(o, "eta_display", json_object_new_string(eta));
	json_object_object_add(o, "m2_sent", json_object_new_int64(
	    json_object_get_int64(json_object_object_get(m2, "sent")) +
	    json_object_get_int64(json_object_object_get(m2, "delivered")) +
	    json_object_get_int64(json_object_object_get(m2, "read"))));
	json_object_object_add(o, "m2_pending", json_object_new_int64(
	    json_object_get_int64(json_object_object_get(m2, "pending")) +
	    json_object_get_int64(json_object_object_get(m2, "sending"))));
	return o;
}

/*
 * Les 20 dernières réponses et réactions de la campagne courante, avec
 * `type_label` (« Réponse », « Réaction ») et `received_display`. Tableau
 * vide si la lecture échoue (la page reste utile).
 */
static struct json_object *
replies_json(struct cbw_ctx *ctx, struct cbw_req *r)
{
	struct json_object	*rows = NULL, *o;
	size_t			 i;

	if (cbw_campaign_replies(ctx->db, r->user.id, r->ids[0], 20, &rows) !=
	    CBW_OK)
		return json_object_new_array();
	for (i = 0; i < json_object_array_length(rows); i++) {
		o = json_object_array_get_idx(rows, i);
		json_object_object_add(o, "type_label", json_object_new_string(
		    strcmp(json_object_get_string(json_object_object_get(o,
		    "interaction_type")), "reaction") == 0 ? "Réaction" : "Réponse"));
		cbw_time_display_add(o, "received_at", "received_display");
	}
	return rows;
}

/*
 * Page d'une campagne (statistiques, lignes par contact) ou sa page de
 * confirmation (`what` : "delete" ou "cancel") ; 404.
 */
static void
show_page(struct cbw_ctx *ctx, struct cbw_req *r, const char *what)
{
	struct json_object	*d, *st, *rows, *items;
	const char		*status;
	long long		 pg, pp, total, failed;
	size_t			 i;
	enum cbw_err		 er;

	cbw_input_page(ctx, r, &pg, &pp);
	if ((er = cbw_campaign_stats(ctx->db, r->user.id, r->ids[0],
	    ctx->cfg.send_rate_per_minute, pg, pp, &st)) != CBW_OK) {
		cbw_reply_err(ctx, r, er);
		return;
	}
	if ((d = cbw_page_new(ctx, r, "campaigns", json_object_get_string(
	    json_object_object_get(st, "name")))) == NULL) {
		json_object_put(st);
		cbw_reply_err(ctx, r, CBW_ENOMEM);
		return;
	}
	cbw_campaign_decorate(st);
	status = json_object_get_string(json_object_object_get(st, "status"));
	failed = json_object_get_int64(json_object_object_get(st, "failed_count"));
	rows = json_object_object_get(st, "rows");
	items = json_object_get(json_object_object_get(rows, "items"));
	total = json_object_get_int64(json_object_object_get(rows, "total"));
	for (i = 0; i < json_object_array_length(items); i++)
		cbw_message_decorate(json_object_array_get_idx(items, i));
	json_object_object_add(d, "stats", page_stats(ctx, st));
	json_object_object_add(d, "rows", items);
	cbw_page_pagination(d, pg, pp, total);
	json_object_object_add(d, "page_query", json_object_new_string(""));
	json_object_object_add(d, "refresh", json_object_new_boolean(what == NULL &&
	    strcmp(status, "sending") == 0));
	json_object_object_add(d, "is_draft", json_object_new_boolean(
	    strcmp(status, "draft") == 0));
	json_object_object_add(d, "is_sending", json_object_new_boolean(
	    strcmp(status, "sending") == 0));
	json_object_object_add(d, "can_retry", json_object_new_boolean(failed > 0 &&
	    strcmp(status, "draft") != 0 && strcmp(status, "cancelled") != 0));
	json_object_object_add(d, "can_delete", json_object_new_boolean(
	    strcmp(status, "sending") != 0));
	json_object_object_del(st, "rows");
	json_object_object_add(d, "campaign", st);
	json_object_object_add(d, "replies", replies_json(ctx, r));
	if (what != NULL)
		json_object_object_add(d, "what", json_object_new_string(what));
	cbw_reply_html(ctx, r, 200, what ? "campaign_confirm" : "campaign", d);
}

/* POST /campaigns/{id}/launch : 303 avec « Campagne envoyée » ou l'erreur ; 404. */
static void
page_launch(struct cbw_ctx *ctx, struct cbw_req *r)
{
	if (cbw_owner_check(ctx->db, CBW_OWN_CAMPAIGN, r->user.id,
	    r->ids[0]) != CBW_OK) {
		cbw_reply_err(ctx, r, CBW_ENOTFOUND);
		return;
	}
	after_save(ctx, r, r->ids[0], 1);
}

/* POST /campaigns/{id}/cancel : 303 ; 404. */
static void
page_cancel(struct cbw_ctx *ctx, struct cbw_req *r)
{
	long long	 n;
	char		 msg[160];
	enum cbw_err	 er = do_cancel(ctx, r, &n);

	if (er == CBW_ECONFLICT) {
		back(ctx, r, r->ids[0], "error", "Cette campagne n'est pas en "
		    "cours d'envoi.");
		return;
	}
	if (er != CBW_OK) {
		cbw_reply_err(ctx, r, er);
		return;
	}
	snprintf(msg, sizeof(msg), "Envoi annulé : %lld message%s en attente "
	    "arrêté%s ; les messages déjà envoyés restent.", n, n > 1 ? "s" : "",
	    n > 1 ? "s" : "");
	back(ctx, r, r->ids[0], "success", msg);
}

/* POST /campaigns/{id}/delete : 303 vers la liste ; 404 ; en cours : retour. */
static void
page_delete(struct cbw_ctx *ctx, struct cbw_req *r)
{
	enum cbw_err	 er = cbw_campaign_delete(ctx->db, r->user.id, r->ids[0]);

	if (er == CBW_ECONFLICT) {
		back(ctx, r, r->ids[0], "error", "Campagne en cours d'envoi : "
		    "annulez-la avant de la supprimer.");
		return;
	}
	if (er != CBW_OK) {
		cbw_reply_err(ctx, r, er);
		return;
	}
	audit(ctx, r, "campaign.delete", r->ids[0], NULL);
	cbw_flash(ctx, r, "success", "Campagne supprimée.");
	cbw_reply_redirect(r, "/campaigns");
}

/* POST /campaigns/{id}/retry : 303 avec le bilan ; 404. */
static void
page_retry(struct cbw_ctx *ctx, struct cbw_req *r)
{
	struct json_object	*res, *sk;
	long long		 n, perm, opted;
	char			 msg[512];
	enum cbw_err		 er = do_retry(ctx, r, &res);

	if (er == CBW_ECONFLICT) {
		back(ctx, r, r->ids[0], "error", "Rien à réessayer : la campagne "
		    "est un brouillon ou a été annulée.");
		return;
	}
	if (er != CBW_OK) {
		cbw_reply_err(ctx, r, er);
		return;
	}
	n = json_object_get_int64(json_object_object_get(res, "requeued"));
	sk = json_object_object_get(res, "skipped");
	perm = json_object_get_int64(json_object_object_get(sk, "permanent"));
	opted = json_object_get_int64(json_object_object_get(sk, "opted_out"));
	json_object_put(res);
	snprintf(msg, sizeof(msg), "%lld message%s remis en file.%s%s", n,
	    n > 1 ? "s" : "", perm > 0 ? " Non repris : les numéros invalides "
	    "ou absents de WhatsApp (un nouvel essai échouerait de même)." : "",
	    opted > 0 ? " Non repris : les contacts désabonnés." : "");
	back(ctx, r, r->ids[0], n > 0 ? "success" : "error", msg);
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
	case ROUTE_API_RECIPIENTS:
	case ROUTE_PAGE_RECIPIENTS:
		recipients(ctx, r);
		break;
	case ROUTE_API_GET:
		reply_campaign(ctx, r, 200, r->ids[0]);
		break;
	case ROUTE_API_UPDATE:
		api_update(ctx, r);
		break;
	case ROUTE_API_DELETE:
		api_delete(ctx, r);
		break;
	case ROUTE_API_STATS:
		api_stats(ctx, r);
		break;
	case ROUTE_API_RETRY:
		api_retry(ctx, r);
		break;
	case ROUTE_API_LAUNCH:
		api_launch_id(ctx, r, r->ids[0], 200);
		break;
	case ROUTE_API_CANCEL:
		api_cancel(ctx, r);
		break;
	case ROUTE_API_EXPORT:
	case ROUTE_PAGE_EXPORT:
		export(ctx, r);
		break;
	case ROUTE_PAGE_LIST:
		list_page(ctx, r);
		break;
	case ROUTE_PAGE_NEW:
		new_page(ctx, r);
		break;
	case ROUTE_PAGE_CREATE:
		page_save(ctx, r, 1);
		break;
	case ROUTE_PAGE_SHOW:
		show_page(ctx, r, NULL);
		break;
	case ROUTE_PAGE_EDIT:
		edit_page(ctx, r);
		break;
	case ROUTE_PAGE_UPDATE:
		page_save(ctx, r, 0);
		break;
	case ROUTE_PAGE_LAUNCH:
		page_launch(ctx, r);
		break;
	case ROUTE_PAGE_CANCEL_CONFIRM:
		show_page(ctx, r, "cancel");
		break;
	case ROUTE_PAGE_CANCEL:
		page_cancel(ctx, r);
		break;
	case ROUTE_PAGE_DELETE_CONFIRM:
		show_page(ctx, r, "delete");
		break;
	case ROUTE_PAGE_DELETE:
		page_delete(ctx, r);
		break;
	case ROUTE_PAGE_RETRY:
		page_retry(ctx, r);
		break;
	case ROUTE__MAX:
		abort();
	}
}

static const struct cbw_app app = {
	"cbw-campaigns", routes, ROUTE__MAX, handle, NULL
};

int
main(void)
{
	return cbw_app_main(&app);
}
