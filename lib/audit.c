/*
 * Journal d'audit (voir audit.h).
 */
#include <json-c/json.h>

#include "audit.h"
#include "clock.h"
#include "db.h"
#include "http.h"

#define AUDIT_SQL "INSERT INTO audit_log(user_id, actor_email, action, " \
	"target_type, target_id, details, ip, created_at) VALUES " \
	"(?, ?, ?, ?, ?, ?, ?, ?)"

/* Ajoute une ligne au journal d'audit (acteur NULL : outil en ligne de commande). */
enum cbw_err
cbw_audit(struct cbw_db *db, const struct cbw_user *actor, const char *action,
    const char *target_type, long long target_id, struct json_object *details,
    const char *ip)
{
	const char	*d = NULL;
	char		 now[32];

	cbw_time_iso(cbw_now(), now, sizeof(now));
	if (details != NULL)
		d = json_object_to_json_string_ext(details, JSON_C_TO_STRING_PLAIN);
	if (actor == NULL)
		return cbw_db_exec(db, AUDIT_SQL, "nsssisss",
		    "chatbot-whatsapp-admin", action, target_type, target_id,
		    d, ip, now);
	return cbw_db_exec(db, AUDIT_SQL, "isssisss", actor->id, actor->email,
	    action, target_type, target_id, d, ip, now);
}
