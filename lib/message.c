/*
 * Messages (voir message.h).
 */
#include <string.h>

#include <json-c/json.h>

#include "db.h"
#include "message.h"

/* Rend 1 si `s` figure dans la liste `list` de n chaînes. */
static int
in_list(const char *s, const char *const *list, size_t n)
{
	size_t	 i;

	for (i = 0; s != NULL && i < n; i++)
		if (strcmp(s, list[i]) == 0)
			return 1;
	return 0;
}

/* Vrai si `s` est un statut de message connu. */
int
cbw_message_status_ok(const char *s)
{
	static const char *const st[] = { "pending", "sending", "sent",
	    "delivered", "read", "failed", "cancelled" };

	return in_list(s, st, sizeof(st) / sizeof(st[0]));
}

/* Vrai si `s` vaut message_1 ou message_2. */
int
cbw_message_type_ok(const char *s)
{
	static const char *const ty[] = { "message_1", "message_2" };

	return in_list(s, ty, sizeof(ty) / sizeof(ty[0]));
}

/* Colonnes publiques d'un message. */
#define MSG_COLS "m.id, m.campaign_id, k.name AS campaign_name, m.contact_id, " \
	"c.first_name, c.last_name, c.full_number, m.message_type, m.content, " \
	"m.status, m.whatsapp_message_id, m.error_code, m.error_message, " \
	"m.error_class, m.retry_count, m.next_attempt_at, m.sent_at, " \
	"m.delivered_at, m.read_at, m.failed_at, m.created_at, m.updated_at"

/* Condition commune : propriétaire puis filtres facultatifs (?1 à ?5). */
#define MSG_WHERE "FROM messages m JOIN campaigns k ON k.id = m.campaign_id " \
	"JOIN contacts c ON c.id = m.contact_id WHERE k.created_by = ?1 AND " \
	"(?2 = 0 OR m.campaign_id = ?2) AND (?3 = 0 OR m.contact_id = ?3) AND " \
	"(?4 IS NULL OR m.status = ?4) AND (?5 IS NULL OR m.message_type = ?5)"

/* Page de messages (voir message.h). */
enum cbw_err
cbw_message_list(struct cbw_db *db, long long owner,
    const struct cbw_message_filter *f, long long page, long long per_page,
    struct json_object **items, long long *total)
{
	enum cbw_err	 er;

	*items = NULL;
	if ((er = cbw_db_query_int(db, total, "SELECT count(*) " MSG_WHERE,
	    "iiiss", owner, f->campaign_id, f->contact_id, f->status,
	    f->message_type)) != CBW_OK)
		return er;
	return cbw_db_query_json(db, items, "SELECT " MSG_COLS " " MSG_WHERE
	    " ORDER BY m.id DESC LIMIT ?6 OFFSET ?7", "iiissii", owner,
	    f->campaign_id, f->contact_id, f->status, f->message_type, per_page,
	    (page - 1) * per_page);
}

/* Un message (voir message.h). */
enum cbw_err
cbw_message_get(struct cbw_db *db, long long owner, long long id,
    struct json_object **out)
{
	return cbw_db_query_row(db, out, "SELECT " MSG_COLS " FROM messages m "
	    "JOIN campaigns k ON k.id = m.campaign_id JOIN contacts c ON c.id = "
	    "m.contact_id WHERE m.id = ? AND k.created_by = ?", "ii", id, owner);
}
