/*
 * cbw-dashboard : redirection de « / » et page /dashboard (totaux réels de
 * l'administrateur connecté).
 */
#include <stdlib.h>

#include <json-c/json.h>

#include "app.h"
#include "stats.h"

enum route {
	ROUTE_ROOT,
	ROUTE_DASHBOARD,
	ROUTE__MAX
};

static const struct cbw_route routes[ROUTE__MAX] = {
	{ ROUTE_ROOT, CBW_GET, "/", CBW_R_HTML | CBW_R_SESSION },
	{ ROUTE_DASHBOARD, CBW_GET, "/dashboard", CBW_R_HTML | CBW_R_AUTH },
};

/* GET / : 303 vers /dashboard si connecté, sinon vers /login. */
static void
root(struct cbw_req *r)
{
	cbw_reply_redirect(r, r->authed ? "/dashboard" : "/login");
}

/* GET /dashboard : 200 avec les totaux ; 500/503 si la base échoue. */
static void
dashboard(struct cbw_ctx *ctx, struct cbw_req *r)
{
	struct json_object	*d, *totals;
	enum cbw_err		 er;

	if ((er = cbw_stats_totals(ctx->db, r->user.id, &totals)) != CBW_OK) {
		cbw_reply_err(ctx, r, er);
		return;
	}
	if ((d = cbw_page_new(ctx, r, "dashboard", "Tableau de bord")) == NULL) {
		json_object_put(totals);
		cbw_reply_err(ctx, r, CBW_ENOMEM);
		return;
	}
	json_object_object_add(d, "totals", totals);
	cbw_reply_html(ctx, r, 200, "dashboard", d);
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
	case ROUTE__MAX:
		abort();
	}
}

static const struct cbw_app app = {
	"cbw-dashboard", routes, ROUTE__MAX, handle
};

int
main(void)
{
	return cbw_app_main(&app);
}
