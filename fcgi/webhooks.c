/*
 * cbw-webhooks : point d'entrée du webhook WhatsApp Cloud API
 * (/api/webhooks/whatsapp). Pas de jeton : c'est Meta qui appelle ; la
 * preuve est la signature X-Hub-Signature-256 du corps brut. Réponse
 * rapide (propriété 15) : aucune requête sortante ici, seulement des
 * écritures en base (ou la mise de côté du corps si la base reste
 * verrouillée).
 */
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "app.h"
#include "automation.h"
#include "clock.h"
#include "json.h"
#include "log.h"
#include "webhook.h"

enum route {
	ROUTE_VERIFY,
	ROUTE_NOTIFY,
	ROUTE__MAX
};

#define HOOK	(CBW_R_API | CBW_R_NORATE)

static const struct cbw_route routes[ROUTE__MAX] = {
	{ ROUTE_VERIFY, CBW_GET, "/api/webhooks/whatsapp", HOOK },
	{ ROUTE_NOTIFY, CBW_POST, "/api/webhooks/whatsapp", HOOK | CBW_R_LARGE },
};

/*
 * GET : poignée de main de Meta. 200 avec hub.challenge en texte brut si
 * hub.mode vaut subscribe et hub.verify_token est le bon jeton ; 403 sinon.
 */
static void
verify(struct cbw_ctx *ctx, struct cbw_req *r)
{
	const char	*challenge = cbw_kv_get(&r->query, "hub.challenge");

	if (cbw_wh_verify(cbw_kv_get(&r->query, "hub.mode"),
	    cbw_kv_get(&r->query, "hub.verify_token"), challenge,
	    ctx->cfg.whatsapp_verify_token) != CBW_OK || challenge == NULL) {
		cbw_reply_error(ctx, r, 403, "forbidden", "Jeton de vérification "
		    "du webhook invalide.", NULL);
		return;
	}
	cbw_buf_puts(&r->out, challenge);
	cbw_http_send(r, 200, "text/plain; charset=utf-8");
}

/* Compteurs d'un lot appliqué, pour le journal. */
static struct json_object *
report_json(const struct cbw_auto_report *rep, size_t events)
{
	struct json_object	*o = json_object_new_object();

	json_object_object_add(o, "events", json_object_new_int64((int64_t)events));
	json_object_object_add(o, "statuses", json_object_new_int64(rep->statuses));
	json_object_object_add(o, "duplicates", json_object_new_int64(rep->duplicates));
	json_object_object_add(o, "unknown", json_object_new_int64(rep->unknown));
	json_object_object_add(o, "replies", json_object_new_int64(rep->replies));
	json_object_object_add(o, "queued", json_object_new_int64(rep->queued));
	json_object_object_add(o, "optouts", json_object_new_int64(rep->optouts));
	json_object_object_add(o, "unmatched", json_object_new_int64(rep->unmatched));
	json_object_object_add(o, "ignored", json_object_new_int64(rep->ignored));
	return o;
}

/*
 * POST : notification. 403 si la signature manque ou est fausse (rien
 * n'est lu ni écrit) ; 400 si le corps n'est pas une notification WhatsApp
 * valide ; 200 une fois le lot appliqué, ou mis de côté si la base est
 * restée verrouillée (rejoué par cbw-retry) ; 503 seulement si même la mise
 * de côté échoue (WhatsApp réessaiera : rien n'est perdu).
 */
static void
notify(struct cbw_ctx *ctx, struct cbw_req *r)
{
	struct cbw_wh_batch	 b;
	struct cbw_auto_report	 rep;
	struct json_object	*o;
	enum cbw_err		 er;

	if (cbw_wh_signature_ok(r->body ? r->body : "", r->bodylen,
	    r->hub_signature, ctx->cfg.whatsapp_app_secret) != CBW_OK) {
		CBW_LOGW("webhook refusé : signature absente ou fausse", NULL);
		cbw_reply_error(ctx, r, 403, "forbidden", "Signature du webhook "
		    "absente ou invalide.", NULL);
		return;
	}
	memset(&b, 0, sizeof(b));
	if (cbw_wh_parse(r->body ? r->body : "", r->bodylen, &b) != CBW_OK) {
		cbw_wh_batch_free(&b);
		cbw_reply_error(ctx, r, 400, "invalid_payload", "Le corps n'est pas "
		    "une notification WhatsApp Business valide.", NULL);
		return;
	}
	er = cbw_auto_apply(ctx->db, &b, ctx->cfg.whatsapp_phone_number_id,
	    cbw_now_ms(), &rep);
	if (er == CBW_OK) {
		o = report_json(&rep, b.n);
		cbw_log(CBW_LOG_INFO, __func__, 0, "webhook appliqué", NULL, o);
		json_object_put(o);
	} else if (cbw_auto_spool(ctx->cfg.database_path, r->body,
	    r->bodylen) == CBW_OK) {
		CBW_LOGW("webhook mis de côté : base indisponible, rejoué par "
		    "cbw-retry", cbw_err_name(er));
		er = CBW_OK;
	} else
		CBW_LOGE("webhook perdu pour l'instant : base et file "
		    "indisponibles (WhatsApp réessaiera)", cbw_err_name(er));
	cbw_wh_batch_free(&b);
	if (er != CBW_OK) {
		cbw_http_header(r, "Retry-After", "60");
		cbw_reply_error(ctx, r, 503, "unavailable", "Service momentanément "
		    "indisponible.", NULL);
		return;
	}
	cbw_reply_json(r, 200, json_object_new_object());
}

/* Aiguillage des routes de ce programme. */
static void
handle(struct cbw_ctx *ctx, struct cbw_req *r)
{
	switch ((enum route)r->route) {
	case ROUTE_VERIFY:
		verify(ctx, r);
		break;
	case ROUTE_NOTIFY:
		notify(ctx, r);
		break;
	case ROUTE__MAX:
		abort();
	}
}

static const struct cbw_app app = {
	"cbw-webhooks", routes, ROUTE__MAX, handle, NULL
};

int
main(void)
{
	return cbw_app_main(&app);
}
