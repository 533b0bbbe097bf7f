/*
 * Messages (voir message.h).
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "buf.h"
#include "clock.h"
#include "contact.h"
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

/* Libellé français d'un statut de message (voir message.h). */
const char *
cbw_message_status_label(const char *s)
{
	static const char *const labels[][2] = {
		{ "pending", "En attente" }, { "sending", "En cours d'envoi" },
		{ "sent", "Envoyé" }, { "delivered", "Distribué" }, { "read", "Lu" },
		{ "failed", "Échec" }, { "cancelled", "Annulé" },
	};
	size_t	 i;

	for (i = 0; s != NULL && i < sizeof(labels) / sizeof(labels[0]); i++)
		if (strcmp(s, labels[i][0]) == 0)
			return labels[i][1];
	return s != NULL ? s : "";
}

/* Colonnes publiques d'un message. */
#define MSG_COLS "m.id, m.campaign_id, k.name AS campaign_name, m.contact_id, " \
	"c.first_name, c.last_name, c.full_number, m.message_type, m.content, " \
	"m.status, m.whatsapp_message_id, m.error_code, m.error_message, " \
	"m.error_class, m.retry_count, m.next_attempt_at, m.sent_at, " \
	"m.delivered_at, m.read_at, m.failed_at, m.created_at, m.updated_at"

/* Condition commune : propriétaire puis filtres facultatifs (?1 à ?8). */
#define MSG_WHERE "FROM messages m JOIN campaigns k ON k.id = m.campaign_id " \
	"JOIN contacts c ON c.id = m.contact_id WHERE k.created_by = ?1 AND " \
	"(?2 = 0 OR m.campaign_id = ?2) AND (?3 = 0 OR m.contact_id = ?3) AND " \
	"(?4 IS NULL OR m.status = ?4) AND (?5 IS NULL OR m.message_type = ?5) " \
	"AND (?6 IS NULL OR instr(c.search_key, ?6) > 0) AND (?7 IS NULL OR " \
	"coalesce(m.sent_at, m.created_at) >= ?7) AND (?8 IS NULL OR " \
	"coalesce(m.sent_at, m.created_at) <= ?8)"

/* Bornes UTC d'un jour local (voir message.h). */
enum cbw_err
cbw_message_day_bound(const char *day, int end, char *out, size_t len)
{
	char		 iso[32];
	struct tm	 tm, back;
	time_t		 t;

	if (day == NULL || strlen(day) != 10)
		return CBW_EINVAL;
	snprintf(iso, sizeof(iso), "%sT00:00:00Z", day);
	if ((t = cbw_time_parse(iso)) == (time_t)-1 || gmtime_r(&t, &back) == NULL)
		return CBW_EINVAL;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = back.tm_year;
	tm.tm_mon = back.tm_mon;
	tm.tm_mday = back.tm_mday;
	tm.tm_hour = end ? 23 : 0;
	tm.tm_min = end ? 59 : 0;
	tm.tm_sec = end ? 59 : 0;
	tm.tm_isdst = -1;
	if ((t = mktime(&tm)) == (time_t)-1)
		return CBW_EINVAL;
	cbw_time_iso(t, out, len);
	return CBW_OK;
}

/* Page de messages (voir message.h). */
enum cbw_err
cbw_message_list(struct cbw_db *db, long long owner,
    const struct cbw_message_filter *f, long long page, long long per_page,
    struct json_object **items, long long *total)
{
	struct cbw_buf	 term;
	const char	*t;
	enum cbw_err	 er;

	*items = NULL;
	cbw_buf_init(&term);
	t = cbw_contact_search_term(f->q, &term) > 0 ? cbw_buf_str(&term) : NULL;
	if ((er = cbw_db_query_int(db, total, "SELECT count(*) " MSG_WHERE,
	    "iiisssss", owner, f->campaign_id, f->contact_id, f->status,
	    f->message_type, t, f->from, f->to)) == CBW_OK)
		er = cbw_db_query_json(db, items, "SELECT " MSG_COLS " " MSG_WHERE
		    " ORDER BY m.id DESC LIMIT ?9 OFFSET ?10", "iiisssssii", owner,
		    f->campaign_id, f->contact_id, f->status, f->message_type, t,
		    f->from, f->to, per_page, (page - 1) * per_page);
	cbw_buf_free(&term);
	return er;
}

/* Ajoute un événement {type, label, at, content} à la chronologie. */
static void
event(struct json_object *tl, const char *type, const char *label,
    const char *at, const char *content)
{
	struct json_object	*o;

	if (at == NULL || *at == '\0' || (o = json_object_new_object()) == NULL)
		return;
	json_object_object_add(o, "type", json_object_new_string(type));
	json_object_object_add(o, "label", json_object_new_string(label));
	json_object_object_add(o, "at", json_object_new_string(at));
	json_object_object_add(o, "content", content ?
	    json_object_new_string(content) : NULL);
	json_object_array_add(tl, o);
}

/* Rang d'un type d'événement, pour départager deux dates égales. */
static int
type_rank(const char *t)
{
	static const char *const order[] = { "created", "sent", "failed",
	    "delivered", "read", "reaction", "reply" };
	size_t	 i;

	for (i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		if (strcmp(t, order[i]) == 0)
			return (int)i;
	return (int)i;
}

/* Trie la chronologie par date (ISO : ordre du texte), puis par type. */
static int
by_time(const void *a, const void *b)
{
	struct json_object	*x = *(struct json_object *const *)a;
	struct json_object	*y = *(struct json_object *const *)b;
	int			 c;

	if ((c = strcmp(json_object_get_string(json_object_object_get(x, "at")),
	    json_object_get_string(json_object_object_get(y, "at")))) != 0)
		return c;
	return type_rank(json_object_get_string(json_object_object_get(x,
	    "type"))) - type_rank(json_object_get_string(json_object_object_get(y,
	    "type")));
}

/* Texte d'un champ JSON (NULL si absent). */
static const char *
str(struct json_object *o, const char *k)
{
	return json_object_get_string(json_object_object_get(o, k));
}

/*
 * Chronologie d'un message : ses dates et ses interactions (distribué,
 * lu, réponses, réactions). CBW_OK ou l'erreur de base.
 */
static enum cbw_err
timeline(struct cbw_db *db, struct json_object *m)
{
	struct json_object	*tl, *rows = NULL, *r;
	const char		*type;
	size_t			 i;
	enum cbw_err		 er;

	if ((tl = json_object_new_array()) == NULL)
		return CBW_ENOMEM;
	event(tl, "created", "Mis en file", str(m, "created_at"), NULL);
	event(tl, "sent", "Envoyé à WhatsApp", str(m, "sent_at"), NULL);
	if (strcmp(str(m, "status"), "failed") == 0)
		event(tl, "failed", "Échec", str(m, "failed_at"),
		    str(m, "error_message"));
	if ((er = cbw_db_query_json(db, &rows, "SELECT interaction_type, "
	    "content, received_at FROM interactions WHERE message_id = ? "
	    "ORDER BY received_at, id", "i", json_object_get_int64(
	    json_object_object_get(m, "id")))) != CBW_OK) {
		json_object_put(tl);
		return er;
	}
	for (i = 0; i < json_object_array_length(rows); i++) {
		r = json_object_array_get_idx(rows, i);
		type = str(r, "interaction_type");
		event(tl, type, strcmp(type, "delivered") == 0 ? "Distribué" :
		    strcmp(type, "read") == 0 ? "Lu" : strcmp(type, "reaction") == 0 ?
		    "Réaction du contact" : "Réponse du contact",
		    str(r, "received_at"), str(r, "content"));
	}
	json_object_put(rows);
	json_object_array_sort(tl, by_time);
	json_object_object_add(m, "timeline", tl);
	return CBW_OK;
}

/* Un message avec sa chronologie (voir message.h). */
enum cbw_err
cbw_message_get(struct cbw_db *db, long long owner, long long id,
    struct json_object **out)
{
	enum cbw_err	 er;

	if ((er = cbw_db_query_row(db, out, "SELECT " MSG_COLS " FROM messages m "
	    "JOIN campaigns k ON k.id = m.campaign_id JOIN contacts c ON c.id = "
	    "m.contact_id WHERE m.id = ? AND k.created_by = ?", "ii", id,
	    owner)) != CBW_OK)
		return er;
	if ((er = timeline(db, *out)) != CBW_OK) {
		json_object_put(*out);
		*out = NULL;
	}
	return er;
}
