/*
 * cbw-dashboard : redirection de « / », tableau de bord (/dashboard) et
 * statistiques (/statistics, export CSV). Chiffres lus dans les agrégats
 * de lib/msgstats.c, graphiques SVG dessinés ici (lib/statsview.c) ;
 * chaque requête est limitée aux données de l'administrateur connecté.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "app.h"
#include "buf.h"
#include "campaign.h"
#include "html.h"
#include "http.h"
#include "message.h"
#include "msgstats.h"
#include "owner.h"
#include "stats.h"
#include "statsview.h"
#include "valid.h"

enum route {
	ROUTE_ROOT,
	ROUTE_DASHBOARD,
	ROUTE_STATISTICS,
	ROUTE_EXPORT,
	ROUTE__MAX
};

#define PAGE	(CBW_R_HTML | CBW_R_AUTH)

static const struct cbw_route routes[ROUTE__MAX] = {
	{ ROUTE_ROOT, CBW_GET, "/", CBW_R_HTML | CBW_R_SESSION },
	{ ROUTE_DASHBOARD, CBW_GET, "/dashboard", PAGE },
	{ ROUTE_STATISTICS, CBW_GET, "/statistics", PAGE },
	{ ROUTE_EXPORT, CBW_GET, "/statistics/export", PAGE },
};

/* Lignes des listes courtes du tableau de bord. */
#define DASH_ROWS	10
/* Campagnes par page du tableau par campagne. */
#define CAMPAIGN_ROWS	20
/* Total exact des messages de la page jusqu'à ce nombre (« plus de … »). */
#define COUNT_MAX	10000
/* Lignes au plus d'un export CSV (mémoire bornée : tout est en tampon). */
#define EXPORT_MAX	20000

/* Filtres lus de la query string des statistiques. */
struct filters {
	char		 from[16], to[16];	/* jours locaux retenus */
	char		 lo[32], hi[32];	/* bornes UTC des messages */
	long long	 campaign_id;
	const char	*status, *message_type, *q;
	struct json_object *errors;	/* { champ: message } ou NULL */
};

/* GET / : 303 vers /dashboard si connecté, sinon vers /login. */
static void
root(struct cbw_req *r)
{
	cbw_reply_redirect(r, r->authed ? "/dashboard" : "/login");
}

/* Ajoute une erreur de champ (message français) aux filtres. */
static void
filter_error(struct filters *fl, const char *field, const char *msg)
{
	if (fl->errors == NULL)
		fl->errors = json_object_new_object();
	json_object_object_add(fl->errors, field, json_object_new_string(msg));
}

/* Valeur de query string, NULL si absente ou vide. */
static const char *
qget(struct cbw_req *r, const char *key)
{
	const char	*v = cbw_kv_get(&r->query, key);

	return v != NULL && *v != '\0' ? v : NULL;
}

/*
 * Lit et vérifie les filtres de /statistics. Une valeur invalide est
 * notée dans fl->errors et remplacée par la valeur par défaut (la page
 * s'affiche quand même, en 422). Rend 0 si la plage par défaut elle-même
 * est impossible (horloge), 1 sinon.
 */
static int
read_filters(struct cbw_req *r, struct filters *fl)
{
	const char	*field, *msg, *v;

	memset(fl, 0, sizeof(*fl));
	if (cbw_msgstats_range(qget(r, "from"), qget(r, "to"), fl->from, fl->to,
	    sizeof(fl->from), &field, &msg) != CBW_OK) {
		filter_error(fl, field, msg);
		if (cbw_msgstats_range(NULL, NULL, fl->from, fl->to,
		    sizeof(fl->from), &field, &msg) != CBW_OK)
			return 0;
	}
	if ((v = qget(r, "campaign_id")) != NULL &&
	    cbw_valid_id(v, &fl->campaign_id) != CBW_OK) {
		fl->campaign_id = 0;
		filter_error(fl, "campaign_id", "Campagne invalide.");
	}
	if ((fl->status = qget(r, "status")) != NULL &&
	    !cbw_message_status_ok(fl->status)) {
		fl->status = NULL;
		filter_error(fl, "status", "Statut inconnu.");
	}
	if ((fl->message_type = qget(r, "message_type")) != NULL &&
	    !cbw_message_type_ok(fl->message_type)) {
		fl->message_type = NULL;
		filter_error(fl, "message_type", "Type de message inconnu.");
	}
	fl->q = qget(r, "q");
	if (cbw_message_day_bound(fl->from, 0, fl->lo, sizeof(fl->lo)) != CBW_OK ||
	    cbw_message_day_bound(fl->to, 1, fl->hi, sizeof(fl->hi)) != CBW_OK)
		return 0;
	return 1;
}

/* Filtre de la liste des messages tiré des filtres de la page. */
static void
message_filter(const struct filters *fl, struct cbw_message_filter *mf)
{
	memset(mf, 0, sizeof(*mf));
	mf->campaign_id = fl->campaign_id;
	mf->status = fl->status;
	mf->message_type = fl->message_type;
	mf->q = fl->q;
	mf->from = fl->lo;
	mf->to = fl->hi;
}

/*
 * Query string des filtres, encodée (« &from=…&to=… »), pour les liens de
 * pagination et d'export. N'échoue pas (b->oom).
 */
static void
filters_query(const struct filters *fl, struct cbw_buf *b)
{
	cbw_buf_puts(b, "&from=");
	cbw_html_url_arg(b, fl->from);
	cbw_buf_puts(b, "&to=");
	cbw_html_url_arg(b, fl->to);
	if (fl->campaign_id > 0)
		cbw_buf_printf(b, "&campaign_id=%lld", fl->campaign_id);
	if (fl->status != NULL) {
		cbw_buf_puts(b, "&status=");
		cbw_html_url_arg(b, fl->status);
	}
	if (fl->message_type != NULL) {
		cbw_buf_puts(b, "&message_type=");
		cbw_html_url_arg(b, fl->message_type);
	}
	if (fl->q != NULL) {
		cbw_buf_puts(b, "&q=");
		cbw_html_url_arg(b, fl->q);
	}
}

/* Ajoute k_display (groupé par milliers) à chaque compteur de totals. */
static void
totals_display(struct json_object *totals)
{
	static const char *const keys[] = { "contacts", "categories",
	    "campaigns", "messages" };
	char	 key[32], txt[64];
	size_t	 i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		snprintf(key, sizeof(key), "%s_display", keys[i]);
		cbw_statsview_number(json_object_get_int64(json_object_object_get(
		    totals, keys[i])), txt, sizeof(txt));
		json_object_object_add(totals, key, json_object_new_string(txt));
	}
}

/* Décore chaque message d'une liste pour les pages. */
static void
decorate_messages(struct json_object *items)
{
	size_t	 i;

	for (i = 0; i < json_object_array_length(items); i++)
		cbw_message_decorate(json_object_array_get_idx(items, i));
}

/*
 * Campagnes en cours d'envoi de l'admin, avec progression et durée
 * restante estimée au débit configuré. CBW_OK ou l'erreur de base.
 */
static enum cbw_err
in_progress(struct cbw_ctx *ctx, long long owner, struct json_object **out)
{
	struct json_object	*k;
	long long		 total, left;
	char			 eta[64];
	size_t			 i;
	enum cbw_err		 er;

	if ((er = cbw_campaign_list(ctx->db, owner, "sending", 1, DASH_ROWS, out,
	    &total)) != CBW_OK)
		return er;
	for (i = 0; i < json_object_array_length(*out); i++) {
		k = json_object_array_get_idx(*out, i);
		cbw_campaign_decorate(k);
		left = json_object_get_int64(json_object_object_get(k,
		    "pending_count"));
		cbw_campaign_eta_text(cbw_campaign_eta_seconds(left,
		    ctx->cfg.send_rate_per_minute), eta, sizeof(eta));
		json_object_object_add(k, "eta_display", json_object_new_string(eta));
	}
	return CBW_OK;
}

/*
 * GET /dashboard : 200 avec les cartes, les graphiques des 30 derniers
 * jours, les campagnes en cours et les 10 derniers messages ; 500/503 si
 * la base échoue.
 */
static void
dashboard(struct cbw_ctx *ctx, struct cbw_req *r)
{
	struct cbw_message_filter	 none;
	struct json_object		*d = NULL, *totals = NULL, *stats = NULL;
	struct json_object		*running = NULL, *recent = NULL;
	char				 from[16], to[16];
	long long			 n;
	enum cbw_err			 er;

	memset(&none, 0, sizeof(none));
	if ((er = cbw_msgstats_last_days(CBW_MSGSTATS_DEFAULT_DAYS, from, to,
	    sizeof(from))) != CBW_OK ||
	    (er = cbw_stats_totals(ctx->db, r->user.id, &totals)) != CBW_OK ||
	    (er = cbw_msgstats_get(ctx->db, r->user.id, 0, from, to, &stats)) !=
	    CBW_OK)
		goto fail;
	json_object_object_add(stats, "from", json_object_new_string(from));
	json_object_object_add(stats, "to", json_object_new_string(to));
	if ((er = cbw_statsview_fill(stats, "dash")) != CBW_OK ||
	    (er = in_progress(ctx, r->user.id, &running)) != CBW_OK ||
	    (er = cbw_message_list(ctx->db, r->user.id, &none, 1, DASH_ROWS,
	    &recent, &n)) != CBW_OK)
		goto fail;
	decorate_messages(recent);
	totals_display(totals);
	if ((d = cbw_page_new(ctx, r, "dashboard", "Tableau de bord")) == NULL) {
		er = CBW_ENOMEM;
		goto fail;
	}
	json_object_object_add(d, "totals", totals);
	json_object_object_add(d, "stats", stats);
	json_object_object_add(d, "running", running);
	json_object_object_add(d, "rows", recent);
	json_object_object_add(d, "back", json_object_new_string("dashboard"));
	cbw_reply_html(ctx, r, 200, "dashboard", d);
	return;
fail:
	json_object_put(totals);
	json_object_put(stats);
	json_object_put(running);
	json_object_put(recent);
	cbw_reply_err(ctx, r, er);
}

/* Options d'un <select> : [{value, label, selected}], la première vide. */
static struct json_object *
options(const char *const (*v)[2], size_t n, const char *cur)
{
	struct json_object	*a = json_object_new_array(), *o;
	size_t			 i;

	for (i = 0; a != NULL && i < n; i++) {
		o = json_object_new_object();
		json_object_object_add(o, "value", json_object_new_string(v[i][0]));
		json_object_object_add(o, "label", json_object_new_string(v[i][1]));
		json_object_object_add(o, "selected", json_object_new_boolean(
		    strcmp(v[i][0], cur != NULL ? cur : "") == 0));
		json_object_array_add(a, o);
	}
	return a;
}

/* Options des filtres de statut et de type, valeurs courantes cochées. */
static void
add_options(struct json_object *d, const struct filters *fl)
{
	static const char *const st[][2] = { { "", "Tous" },
	    { "pending", "En attente" }, { "sending", "En cours d'envoi" },
	    { "sent", "Envoyé" }, { "delivered", "Distribué" }, { "read", "Lu" },
	    { "failed", "Échec" }, { "cancelled", "Annulé" } };
	static const char *const ty[][2] = { { "", "Tous" },
	    { "message_1", "Message 1" }, { "message_2", "Message 2" } };

	json_object_object_add(d, "status_options",
	    options(st, sizeof(st) / sizeof(st[0]), fl->status));
	json_object_object_add(d, "type_options",
	    options(ty, sizeof(ty) / sizeof(ty[0]), fl->message_type));
}

/* Marque « selected » la campagne filtrée dans la liste des noms. */
static void
mark_campaign(struct json_object *names, long long id)
{
	struct json_object	*o;
	size_t			 i;

	for (i = 0; i < json_object_array_length(names); i++) {
		o = json_object_array_get_idx(names, i);
		json_object_object_add(o, "selected", json_object_new_boolean(
		    json_object_get_int64(json_object_object_get(o, "id")) == id));
	}
}

/*
 * Tableau par campagne (page `cpage` de la query string) ajouté à d :
 * campaigns et sa pagination cpag (mêmes clés que cbw_page_pagination).
 */
static enum cbw_err
campaign_table(struct cbw_ctx *ctx, struct cbw_req *r,
    const struct filters *fl, struct json_object *d)
{
	struct json_object	*rows, *o, *pag;
	const char		*v = qget(r, "cpage");
	long long		 cp = 1, total;
	size_t			 i;
	char			 rate[32];
	enum cbw_err		 er;

	if (v != NULL && (cbw_valid_id(v, &cp) != CBW_OK || cp > 1000000))
		cp = 1;
	if ((er = cbw_msgstats_campaigns(ctx->db, r->user.id, fl->campaign_id, cp,
	    CAMPAIGN_ROWS, &rows, &total)) != CBW_OK)
		return er;
	for (i = 0; i < json_object_array_length(rows); i++) {
		o = json_object_array_get_idx(rows, i);
		cbw_success_rate_text(json_object_get_int64(json_object_object_get(
		    o, "success_count")), json_object_get_int64(
		    json_object_object_get(o, "total_recipients")), rate,
		    sizeof(rate));
		json_object_object_add(o, "success_rate_display",
		    json_object_new_string(rate));
		json_object_object_add(o, "status_label", json_object_new_string(
		    cbw_campaign_status_label(json_object_get_string(
		    json_object_object_get(o, "status")))));
	}
	if ((pag = json_object_new_object()) == NULL) {
		json_object_put(rows);
		return CBW_ENOMEM;
	}
	cbw_page_pagination(pag, cp, CAMPAIGN_ROWS, total);
	json_object_object_add(d, "campaigns", rows);
	json_object_object_add(d, "cpag", pag);
	return CBW_OK;
}

/* Valeurs des filtres renvoyées au formulaire. */
static struct json_object *
filters_json(const struct filters *fl)
{
	struct json_object	*o = json_object_new_object();

	json_object_object_add(o, "from", json_object_new_string(fl->from));
	json_object_object_add(o, "to", json_object_new_string(fl->to));
	json_object_object_add(o, "q", fl->q ? json_object_new_string(fl->q) :
	    NULL);
	json_object_object_add(o, "campaign_id", fl->campaign_id > 0 ?
	    json_object_new_int64(fl->campaign_id) : NULL);
	return o;
}

/*
 * GET /statistics : 200 graphiques de la plage et de la campagne
 * choisies, tableau par campagne, messages filtrés et paginés ; 422 (page
 * quand même affichée, avec les valeurs par défaut) si un filtre est
 * invalide ; 404 campagne d'un autre admin ; 500/503 base.
 */
static void
statistics(struct cbw_ctx *ctx, struct cbw_req *r)
{
	struct filters			 fl;
	struct cbw_message_filter	 mf;
	struct json_object		*d = NULL, *stats = NULL, *names = NULL;
	struct json_object		*msgs = NULL;
	struct cbw_buf			 pq;
	long long			 pg, pp, total;
	enum cbw_err			 er = CBW_EIO;

	cbw_buf_init(&pq);
	if (!read_filters(r, &fl) || !cbw_input_page(ctx, r, &pg, &pp))
		goto fail;
	message_filter(&fl, &mf);
	mf.count_max = COUNT_MAX;
	if ((er = cbw_msgstats_get(ctx->db, r->user.id, fl.campaign_id, fl.from,
	    fl.to, &stats)) != CBW_OK)
		goto fail;
	json_object_object_add(stats, "from", json_object_new_string(fl.from));
	json_object_object_add(stats, "to", json_object_new_string(fl.to));
	if ((er = cbw_statsview_fill(stats, "stats")) != CBW_OK ||
	    (er = cbw_campaign_names(ctx->db, r->user.id, &names)) != CBW_OK ||
	    (er = cbw_message_list(ctx->db, r->user.id, &mf, pg, pp, &msgs,
	    &total)) != CBW_OK)
		goto fail;
	decorate_messages(msgs);
	mark_campaign(names, fl.campaign_id);
	if ((d = cbw_page_new(ctx, r, "statistics", "Statistiques")) == NULL) {
		er = CBW_ENOMEM;
		goto fail;
	}
	filters_query(&fl, &pq);
	json_object_object_add(d, "stats", stats);
	json_object_object_add(d, "campaign_names", names);
	json_object_object_add(d, "rows", msgs);
	json_object_object_add(d, "back", json_object_new_string("statistics"));
	stats = names = msgs = NULL;
	json_object_object_add(d, "filters", filters_json(&fl));
	json_object_object_add(d, "errors", fl.errors);
	fl.errors = NULL;
	json_object_object_add(d, "page_query", json_object_new_string(
	    cbw_buf_str(&pq)));
	json_object_object_add(d, "export_max", json_object_new_int64(EXPORT_MAX));
	json_object_object_add(d, "total_more", json_object_new_boolean(
	    total > COUNT_MAX));
	json_object_object_add(d, "count_max", json_object_new_int64(COUNT_MAX));
	add_options(d, &fl);
	cbw_page_pagination(d, pg, pp, total);
	if ((er = campaign_table(ctx, r, &fl, d)) != CBW_OK) {
		json_object_put(d);
		goto fail;
	}
	cbw_reply_html(ctx, r, json_object_object_get(d, "errors") ? 422 : 200,
	    "statistics", d);
	cbw_buf_free(&pq);
	return;
fail:
	cbw_buf_free(&pq);
	json_object_put(fl.errors);
	json_object_put(stats);
	json_object_put(names);
	json_object_put(msgs);
	if (er != CBW_OK)
		cbw_reply_err(ctx, r, er);
}

/*
 * GET /statistics/export : 200 CSV des messages filtrés comme la page
 * (les 20 000 plus récents au plus) ; 422 filtre invalide ; 404 campagne
 * d'un autre admin ; 500/503 base.
 */
static void
export(struct cbw_ctx *ctx, struct cbw_req *r)
{
	struct filters			 fl;
	struct cbw_message_filter	 mf;
	char				 disp[96];
	enum cbw_err			 er;

	if (!read_filters(r, &fl)) {
		cbw_reply_err(ctx, r, CBW_EIO);
		return;
	}
	if (fl.errors != NULL) {
		json_object_put(fl.errors);
		cbw_reply_error(ctx, r, 422, "validation_error",
		    "Filtres invalides.", NULL);
		return;
	}
	if (fl.campaign_id > 0 && (er = cbw_owner_check(ctx->db, CBW_OWN_CAMPAIGN, r->user.id,
	    fl.campaign_id)) != CBW_OK) {
		cbw_reply_err(ctx, r, er);
		return;
	}
	message_filter(&fl, &mf);
	if ((er = cbw_message_export(ctx->db, r->user.id, &mf, EXPORT_MAX,
	    &r->out)) != CBW_OK) {
		cbw_buf_reset(&r->out);
		cbw_reply_err(ctx, r, er);
		return;
	}
	snprintf(disp, sizeof(disp), "attachment; filename=\"messages-%s-%s.csv\"",
	    fl.from, fl.to);
	cbw_http_header(r, "Content-Disposition", disp);
	cbw_http_send(r, 200, "text/csv; charset=utf-8");
}

/* Aiguillage des routes de ce programme. */
static void
handle(struct cbw_ctx *ctx, struct cbw_req *r)
{
	switch ((enum route)r->route) {
	case ROUTE_ROOT:
		root(r);
		break;
	case ROUTE_DASHBOARD:
		dashboard(ctx, r);
		break;
	case ROUTE_STATISTICS:
		statistics(ctx, r);
		break;
	case ROUTE_EXPORT:
		export(ctx, r);
		break;
	case ROUTE__MAX:
		abort();
	}
}

static const struct cbw_app app = {
	"cbw-dashboard", routes, ROUTE__MAX, handle, NULL
};

int
main(void)
{
	return cbw_app_main(&app);
}
