/*
 * cbw-messages : messages envoyés par les campagnes, en API JSON
 * (/api/messages, /api/messages/stats) et page de détail
 * (/messages/{id}). Chaque requête est limitée aux messages des
 * campagnes de l'administrateur connecté (un autre : 404).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "app.h"
#include "clock.h"
#include "json.h"
#include "message.h"
#include "msgstats.h"
#include "valid.h"

enum route {
	ROUTE_API_LIST,
	ROUTE_API_STATS,
	ROUTE_API_GET,
	ROUTE_PAGE_GET,
	ROUTE__MAX
};

#define API	(CBW_R_API | CBW_R_AUTH)

static const struct cbw_route routes[ROUTE__MAX] = {
	{ ROUTE_API_LIST, CBW_GET, "/api/messages", API },
	{ ROUTE_API_STATS, CBW_GET, "/api/messages/stats", API },
	{ ROUTE_API_GET, CBW_GET, "/api/messages/{id}", API },
	{ ROUTE_PAGE_GET, CBW_GET, "/messages/{id}", CBW_R_HTML | CBW_R_AUTH },
};

/*
 * Lit un identifiant facultatif de la chaîne de requête dans *out (0 si
 * absent). Rend 0 et ajoute une erreur de champ s'il est invalide.
 */
static int
query_id(struct cbw_req *r, const char *key, long long *out,
    struct json_object **f)
{
	const char	*v = cbw_kv_get(&r->query, key);

	*out = 0;
	if (v == NULL || *v == '\0')
		return 1;
	if (cbw_valid_id(v, out) == CBW_OK)
		return 1;
	cbw_json_field(f, key, "Identifiant invalide (entier positif attendu).");
	return 0;
}

/*
 * Lit un jour local facultatif « AAAA-MM-JJ » de la chaîne de requête et
 * le change en borne UTC (début ou fin du jour) dans buf ; *out pointe sur
 * buf, ou NULL si absent. Ajoute une erreur de champ s'il est invalide.
 */
static void
read_day(struct cbw_req *r, const char *key, int end, char *buf, size_t len,
    const char **out, struct json_object **f)
{
	const char	*v = cbw_kv_get(&r->query, key);

	*out = NULL;
	if (v == NULL || *v == '\0')
		return;
	if (cbw_message_day_bound(v, end, buf, len) != CBW_OK) {
		cbw_json_field(f, key, "Date invalide (format AAAA-MM-JJ).");
		return;
	}
	*out = buf;
}

/*
 * GET /api/messages : 200 page filtrée (campaign_id, contact_id, status,
 * message_type, q sur le nom ou le numéro du contact, from et to : jours
 * locaux inclus) ; 422 filtre ou pagination invalide.
 */
static void
api_list(struct cbw_ctx *ctx, struct cbw_req *r)
{
	struct cbw_message_filter	 flt;
	struct json_object		*f = NULL, *items;
	char				 from[32], to[32];
	long long			 pg, pp, total;
	enum cbw_err			 er;

	if (!cbw_input_page(ctx, r, &pg, &pp))
		return;
	memset(&flt, 0, sizeof(flt));
	query_id(r, "campaign_id", &flt.campaign_id, &f);
	query_id(r, "contact_id", &flt.contact_id, &f);
	flt.status = cbw_kv_get(&r->query, "status");
	flt.message_type = cbw_kv_get(&r->query, "message_type");
	if (flt.status != NULL && *flt.status == '\0')
		flt.status = NULL;
	if (flt.message_type != NULL && *flt.message_type == '\0')
		flt.message_type = NULL;
	if (flt.status != NULL && !cbw_message_status_ok(flt.status))
		cbw_json_field(&f, "status", "Statut inconnu (pending, sending, "
		    "sent, delivered, read, failed, cancelled).");
	if (flt.message_type != NULL && !cbw_message_type_ok(flt.message_type))
		cbw_json_field(&f, "message_type", "Type inconnu (message_1 ou "
		    "message_2).");
	flt.q = cbw_kv_get(&r->query, "q");
	read_day(r, "from", 0, from, sizeof(from), &flt.from, &f);
	read_day(r, "to", 1, to, sizeof(to), &flt.to, &f);
	if (flt.from != NULL && flt.to != NULL && strcmp(flt.from, flt.to) > 0)
		cbw_json_field(&f, "to", "La date de fin précède la date de début.");
	if (f != NULL) {
		cbw_reply_error(ctx, r, 422, "validation_error", "Filtres invalides.", f);
		return;
	}
	if ((er = cbw_message_list(ctx->db, r->user.id, &flt, pg, pp, &items,
	    &total)) != CBW_OK)
		cbw_reply_err(ctx, r, er);
	else
		cbw_reply_json(r, 200, cbw_json_list(items, total, pg, pp));
}

/*
 * GET /api/messages/stats : 200 statistiques de l'appelant sur la plage
 * from..to (jours locaux, défaut : 30 derniers jours) et une campagne
 * facultative (campaign_id) ; un super admin reçoit en plus « platform »
 * (toute la plateforme) et « admins » (un agrégat par compte). 422 plage
 * ou campagne invalide ; 404 campagne d'un autre admin.
 */
static void
api_stats(struct cbw_ctx *ctx, struct cbw_req *r)
{
	struct json_object	*f = NULL, *o = NULL, *plat = NULL, *adm = NULL;
	const char		*field, *msg;
	char			 from[16], to[16];
	long long		 camp;
	enum cbw_err		 er;

	query_id(r, "campaign_id", &camp, &f);
	if (cbw_msgstats_range(cbw_kv_get(&r->query, "from"),
	    cbw_kv_get(&r->query, "to"), from, to, sizeof(from), &field,
	    &msg) != CBW_OK)
		cbw_json_field(&f, field, msg);
	if (f != NULL) {
		cbw_reply_error(ctx, r, 422, "validation_error", "Filtres invalides.", f);
		return;
	}
	if ((er = cbw_msgstats_get(ctx->db, r->user.id, camp, from, to, &o)) ==
	    CBW_OK && r->user.is_super &&
	    (er = cbw_msgstats_get(ctx->db, 0, 0, from, to, &plat)) == CBW_OK)
		er = cbw_msgstats_by_owner(ctx->db, from, to, &adm);
	if (er != CBW_OK) {
		json_object_put(o);
		json_object_put(plat);
		cbw_reply_err(ctx, r, er);
		return;
	}
	json_object_object_add(o, "from", json_object_new_string(from));
	json_object_object_add(o, "to", json_object_new_string(to));
	json_object_object_add(o, "campaign_id", camp > 0 ?
	    json_object_new_int64(camp) : NULL);
	if (r->user.is_super) {
		json_object_object_add(o, "platform", plat);
		json_object_object_add(o, "admins", adm);
	}
	cbw_reply_json(r, 200, o);
}

/* GET /api/messages/{id} : 200 ; 404 absent ou d'un autre admin. */
static void
api_get(struct cbw_ctx *ctx, struct cbw_req *r)
{
	struct json_object	*o;
	enum cbw_err		 er;

	if ((er = cbw_message_get(ctx->db, r->user.id, r->ids[0], &o)) != CBW_OK)
		cbw_reply_err(ctx, r, er);
	else
		cbw_reply_json(r, 200, o);
}

/* Ajoute at_display à chaque événement de la chronologie. */
static void
timeline_display(struct json_object *m)
{
	struct json_object	*tl = json_object_object_get(m, "timeline");
	size_t			 i;

	for (i = 0; tl != NULL && i < json_object_array_length(tl); i++)
		cbw_time_display_add(json_object_array_get_idx(tl, i), "at",
		    "at_display");
}

/*
 * GET /messages/{id} : 200 page du message et de sa chronologie ; lien de
 * retour vers la page d'origine (?from=dashboard ou statistics) ; 404
 * absent ou d'un autre admin.
 */
static void
page_get(struct cbw_ctx *ctx, struct cbw_req *r)
{
	struct json_object	*o, *d;
	const char		*from = cbw_kv_get(&r->query, "from");
	char			 title[64];
	enum cbw_err		 er;

	if ((er = cbw_message_get(ctx->db, r->user.id, r->ids[0], &o)) != CBW_OK) {
		cbw_reply_err(ctx, r, er);
		return;
	}
	cbw_message_decorate(o);
	timeline_display(o);
	snprintf(title, sizeof(title), "Message n° %lld", r->ids[0]);
	if ((d = cbw_page_new(ctx, r, "statistics", title)) == NULL) {
		json_object_put(o);
		cbw_reply_err(ctx, r, CBW_ENOMEM);
		return;
	}
	json_object_object_add(d, "message", o);
	json_object_object_add(d, "back_dashboard", json_object_new_boolean(
	    from != NULL && strcmp(from, "dashboard") == 0));
	cbw_reply_html(ctx, r, 200, "message", d);
}

/* Aiguillage des routes de ce programme. */
static void
handle(struct cbw_ctx *ctx, struct cbw_req *r)
{
	switch ((enum route)r->route) {
	case ROUTE_API_LIST:
		api_list(ctx, r);
		break;
	case ROUTE_API_STATS:
		api_stats(ctx, r);
		break;
	case ROUTE_API_GET:
		api_get(ctx, r);
		break;
	case ROUTE_PAGE_GET:
		page_get(ctx, r);
		break;
	case ROUTE__MAX:
		abort();
	}
}

static const struct cbw_app app = {
	"cbw-messages", routes, ROUTE__MAX, handle, NULL
};

int
main(void)
{
	return cbw_app_main(&app);
}
