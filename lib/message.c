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
#include "csv.h"
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

/*
 * Filtres de la liste, chacun un fragment SQL constant (jamais de texte de
 * l'utilisateur : ses valeurs sont liées en ?1 à ?7, le propriétaire en
 * ?8). Seuls les filtres présents entrent dans la requête, pour que SQLite
 * lise le bon index de 0007 dans l'ordre voulu au lieu de filtrer tous
 * les messages du propriétaire. La recherche (?5) passe par hit, les
 * contacts trouvés (msg_hit).
 */
enum msg_cond { MC_CAMPAIGN, MC_CONTACT, MC_STATUS, MC_TYPE, MC_Q, MC_FROM,
	MC_TO, MC__MAX };

static const char *const msg_conds[MC__MAX] = {
	" AND m.campaign_id = ?1", " AND m.contact_id = ?2",
	" AND m.status = ?3", " AND m.message_type = ?4", "",
	" AND coalesce(m.sent_at, m.created_at) >= ?6",
	" AND coalesce(m.sent_at, m.created_at) <= ?7",
};

/*
 * Contacts trouvés par la recherche : index trigramme (2), sous-chaîne (1)
 * ou nom littéral (3, recherche faite de seule ponctuation).
 */
static const char *const msg_hit[4] = { "",
	"WITH hit(id) AS (SELECT id FROM contacts WHERE created_by = ?8 AND "
	    "instr(search_key, ?5) > 0) ",
	"WITH hit(id) AS (SELECT f.rowid FROM contacts_fts f CROSS JOIN "
	    "contacts c ON c.id = f.rowid WHERE f.contacts_fts MATCH "
	    "cbw_trigrams(?5) AND c.created_by = ?8 AND instr(c.search_key, ?5) "
	    "> 0) ",
	"WITH hit(id) AS (SELECT id FROM contacts WHERE created_by = ?8 AND "
	    "instr(coalesce(first_name, '') || ' ' || coalesce(last_name, ''), "
	    "?5) > 0) ",
};

/* Filtres présents et forme de la recherche (0 : aucune, 1, 2, 3). */
struct msg_plan {
	int	 on[MC__MAX];
	int	 search;
};

/*
 * Écrit dans sql « [WITH hit…] (si with) SELECT <what> FROM <source> WHERE
 * m.owner_id = ?8 » suivi des filtres présents : avec une recherche, les
 * messages sont lus contact par contact (index idx_messages_contact, qui
 * couvre propriétaire, statut et type). Rend CBW_OK ou CBW_ENOMEM.
 */
static enum cbw_err
msg_select(struct cbw_buf *sql, const struct msg_plan *p, const char *what,
    int with)
{
	size_t	 i;

	if (with)
		cbw_buf_puts(sql, msg_hit[p->search]);
	/* Fragments constants du programme, assemblés bout à bout. */
	cbw_buf_puts(sql, "SELECT ");
	cbw_buf_puts(sql, what);
	cbw_buf_puts(sql, p->search ? " FROM hit CROSS JOIN messages m INDEXED BY "
	    "idx_messages_contact ON m.contact_id = hit.id" : " FROM messages m");
	cbw_buf_puts(sql, " WHERE m.owner_id = ?8");
	for (i = 0; i < MC__MAX; i++)
		if (p->on[i])
			cbw_buf_puts(sql, msg_conds[i]);
	return sql->oom ? CBW_ENOMEM : CBW_OK;
}

/*
 * Nombre de messages du filtre. Sans filtre de contact, de recherche ni
 * de date, il se lit dans msg_status_counts (quelques lignes par
 * campagne) ; sinon il est compté dans un index, jusqu'à count_max + 1
 * si count_max > 0 (la borne est un entier du programme, écrit dans le
 * SQL ; une requête en cache par borne). CBW_OK ou erreur de base.
 */
static enum cbw_err
msg_count(struct cbw_db *db, long long owner, const struct cbw_message_filter *f,
    const char *t, const struct msg_plan *p, long long *total)
{
	struct cbw_buf	 sql;
	enum cbw_err	 er;

	cbw_buf_init(&sql);
	if (!p->on[MC_CONTACT] && !p->on[MC_Q] && !p->on[MC_FROM] &&
	    !p->on[MC_TO]) {
		/* Agrégats : seuls les filtres présents, pour lire l'index. */
		cbw_buf_puts(&sql, "SELECT coalesce(sum(n), 0) FROM "
		    "msg_status_counts WHERE owner_id = ?8");
		if (p->on[MC_STATUS])
			cbw_buf_puts(&sql, " AND status = ?3");
		if (p->on[MC_TYPE])
			cbw_buf_puts(&sql, " AND message_type = ?4");
		if (p->on[MC_CAMPAIGN])
			cbw_buf_puts(&sql, " AND campaign_id = ?1");
		er = sql.oom ? CBW_ENOMEM : CBW_OK;
	} else if (f->count_max > 0) {
		/* Compte borné : la sous-requête s'arrête à count_max + 1 lignes. */
		cbw_buf_puts(&sql, msg_hit[p->search]);
		cbw_buf_puts(&sql, "SELECT count(*) FROM (");
		er = msg_select(&sql, p, "1", 0);
		cbw_buf_printf(&sql, " LIMIT %lld)", f->count_max + 1);
		er = sql.oom ? CBW_ENOMEM : er;
	} else
		er = msg_select(&sql, p, "count(*)", 1);
	if (er == CBW_OK)
		er = cbw_db_query_int(db, total, cbw_buf_str(&sql), "iisssssi",
		    f->campaign_id, f->contact_id, f->status, f->message_type, t,
		    f->from, f->to, owner);
	cbw_buf_free(&sql);
	return er;
}

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

/*
 * Prépare la recherche : forme (p), terme lié (term, *t NULL sans
 * recherche). N'échoue pas (un terme trop long devient tronqué par oom,
 * vérifié par l'appelant au moment de construire le SQL).
 */
static void
msg_plan(const struct cbw_message_filter *f, struct msg_plan *p,
    struct cbw_buf *term, const char **t)
{
	memset(p, 0, sizeof(*p));
	p->search = cbw_contact_search_bind(f->q, term);
	*t = p->search > 0 ? cbw_buf_str(term) : NULL;
	p->on[MC_CAMPAIGN] = f->campaign_id > 0;
	p->on[MC_CONTACT] = f->contact_id > 0;
	p->on[MC_STATUS] = f->status != NULL;
	p->on[MC_TYPE] = f->message_type != NULL;
	p->on[MC_Q] = *t != NULL;
	p->on[MC_FROM] = f->from != NULL;
	p->on[MC_TO] = f->to != NULL;
}

/*
 * Écrit dans sql la requête d'une page : les id choisis dans les index
 * seuls (sous-requête p, ?9 lignes après ?10), puis seules ces lignes
 * jointes aux campagnes et aux contacts. Une page profonde ne lit donc
 * pas les lignes qu'elle saute. Ordre : id décroissant, ou date
 * décroissante avec un filtre de dates. CBW_OK ou CBW_ENOMEM.
 */
static enum cbw_err
msg_page_sql(struct cbw_buf *sql, const struct msg_plan *p)
{
	/*
	 * Avec des dates, l'ordre est celui de la date (envoi, sinon mise en
	 * file), lu à rebours dans idx_messages_owner_day : une page ne trie
	 * pas toute la plage.
	 */
	const char	*order = p->on[MC_FROM] || p->on[MC_TO] ?
	    " ORDER BY coalesce(m.sent_at, m.created_at) DESC, m.id DESC" :
	    " ORDER BY m.id DESC";

	cbw_buf_puts(sql, msg_hit[p->search]);
	cbw_buf_puts(sql, "SELECT " MSG_COLS " FROM (");
	msg_select(sql, p, "m.id, coalesce(m.sent_at, m.created_at) AS at", 0);
	cbw_buf_puts(sql, order);
	cbw_buf_puts(sql, " LIMIT ?9 OFFSET ?10) p CROSS JOIN messages m ON "
	    "m.id = p.id JOIN campaigns k ON k.id = m.campaign_id JOIN contacts c "
	    "ON c.id = m.contact_id");
	cbw_buf_puts(sql, order);
	return sql->oom ? CBW_ENOMEM : CBW_OK;
}

/* Page de messages (voir message.h). */
enum cbw_err
cbw_message_list(struct cbw_db *db, long long owner,
    const struct cbw_message_filter *f, long long page, long long per_page,
    struct json_object **items, long long *total)
{
	struct cbw_buf	 term, sql;
	struct msg_plan	 p;
	const char	*t;
	enum cbw_err	 er;

	*items = NULL;
	cbw_buf_init(&term);
	cbw_buf_init(&sql);
	msg_plan(f, &p, &term, &t);
	if ((er = msg_count(db, owner, f, t, &p, total)) == CBW_OK &&
	    (er = msg_page_sql(&sql, &p)) == CBW_OK)
		er = cbw_db_query_json(db, items, cbw_buf_str(&sql), "iisssssiii",
		    f->campaign_id, f->contact_id, f->status, f->message_type, t,
		    f->from, f->to, owner, per_page, (page - 1) * per_page);
	cbw_buf_free(&sql);
	cbw_buf_free(&term);
	return er;
}

/*
 * Écrit une ligne CSV du message courant de `s` (colonnes MSG_COLS) dans
 * out. Rend CBW_OK ou CBW_ENOMEM.
 */
static enum cbw_err
export_row(struct cbw_stmt *s, struct cbw_buf *out)
{
	const char	*cells[12];
	char		 at[4][64];
	const char	*type = cbw_db_col_text(s, 7);
	int		 i;
	static const int dates[4] = { 16, 17, 18, 19 };	/* envoi, distrib., lu, échec */

	for (i = 0; i < 4; i++)
		cbw_time_display(cbw_db_col_text(s, dates[i]), at[i], sizeof(at[i]));
	cells[0] = cbw_db_col_text(s, 0);
	cells[1] = cbw_db_col_text(s, 2);
	cells[2] = cbw_db_col_text(s, 4);
	cells[3] = cbw_db_col_text(s, 5);
	cells[4] = cbw_db_col_text(s, 6);
	cells[5] = strcmp(type, "message_2") == 0 ? "Message 2" : "Message 1";
	cells[6] = cbw_message_status_label(cbw_db_col_text(s, 9));
	cells[7] = at[0];
	cells[8] = at[1];
	cells[9] = at[2];
	cells[10] = at[3];
	cells[11] = cbw_db_col_text(s, 12);
	return cbw_csv_row(out, cells, 12, ';');
}

/* Export CSV des messages du filtre (voir message.h). */
enum cbw_err
cbw_message_export(struct cbw_db *db, long long owner,
    const struct cbw_message_filter *f, long long max, struct cbw_buf *out)
{
	static const char *const head[] = { "Identifiant", "Campagne", "Prénom",
	    "Nom", "Numéro", "Message", "Statut", "Envoyé le", "Distribué le",
	    "Lu le", "Échec le", "Erreur" };
	struct cbw_buf	 term, sql;
	struct cbw_stmt	*s = NULL;
	struct msg_plan	 p;
	const char	*t;
	enum cbw_step	 st = CBW_STEP_DONE;
	enum cbw_err	 er;

	cbw_buf_init(&term);
	cbw_buf_init(&sql);
	msg_plan(f, &p, &term, &t);
	if ((er = msg_page_sql(&sql, &p)) != CBW_OK ||
	    (er = cbw_buf_puts(out, "\xef\xbb\xbf")) != CBW_OK ||
	    (er = cbw_csv_row(out, head, 12, ';')) != CBW_OK ||
	    (er = cbw_db_prepare(db, cbw_buf_str(&sql), &s)) != CBW_OK ||
	    (er = cbw_db_bind(s, "iisssssiii", f->campaign_id, f->contact_id,
	    f->status, f->message_type, t, f->from, f->to, owner, max,
	    0LL)) != CBW_OK)
		goto out;
	while (er == CBW_OK && (st = cbw_db_step(s)) == CBW_STEP_ROW)
		er = export_row(s, out);
	if (er == CBW_OK && st != CBW_STEP_DONE)
		er = st == CBW_STEP_BUSY ? CBW_EBUSY : CBW_EDB;
out:
	if (s != NULL)
		cbw_db_done(s);
	cbw_buf_free(&sql);
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
	int			 seen_dlv = 0, seen_read = 0;
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
		seen_dlv |= strcmp(type, "delivered") == 0;
		seen_read |= strcmp(type, "read") == 0;
		event(tl, type, strcmp(type, "delivered") == 0 ? "Distribué" :
		    strcmp(type, "read") == 0 ? "Lu" : strcmp(type, "reaction") == 0 ?
		    "Réaction du contact" : "Réponse du contact",
		    str(r, "received_at"), str(r, "content"));
	}
	json_object_put(rows);
	/*
	 * Sans accusé gardé (données importées, webhook antérieur au journal
	 * des interactions), les dates du message suffisent.
	 */
	if (!seen_dlv)
		event(tl, "delivered", "Distribué", str(m, "delivered_at"), NULL);
	if (!seen_read)
		event(tl, "read", "Lu", str(m, "read_at"), NULL);
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
	    "m.contact_id WHERE m.id = ? AND m.owner_id = ?", "ii", id,
	    owner)) != CBW_OK)
		return er;
	if ((er = timeline(db, *out)) != CBW_OK) {
		json_object_put(*out);
		*out = NULL;
	}
	return er;
}

/*
 * Ajoute contact_name : « Prénom Nom », ou le numéro si le contact n'a
 * pas de nom.
 */
static void
contact_name(struct json_object *m)
{
	const char	*f = json_object_get_string(json_object_object_get(m,
			    "first_name"));
	const char	*l = json_object_get_string(json_object_object_get(m,
			    "last_name"));
	const char	*n = json_object_get_string(json_object_object_get(m,
			    "full_number"));
	char		 s[512];

	f = f != NULL ? f : "";
	l = l != NULL ? l : "";
	if (*f == '\0' && *l == '\0')
		snprintf(s, sizeof(s), "%s", n != NULL ? n : "");
	else
		snprintf(s, sizeof(s), "%s%s%s", f, *f && *l ? " " : "", l);
	json_object_object_add(m, "contact_name", json_object_new_string(s));
}

/* Libellés d'un message pour les pages (voir message.h). */
void
cbw_message_decorate(struct json_object *m)
{
	const char	*type = json_object_get_string(json_object_object_get(m,
			    "message_type"));
	long long	 tries = json_object_get_int64(json_object_object_get(m,
			    "retry_count"));
	char		 s[32];

	json_object_object_add(m, "status_label", json_object_new_string(
	    cbw_message_status_label(json_object_get_string(
	    json_object_object_get(m, "status")))));
	json_object_object_add(m, "message_type_label", json_object_new_string(
	    type && strcmp(type, "message_2") == 0 ? "Message 2" : "Message 1"));
	snprintf(s, sizeof(s), "%lld / 3", tries);
	json_object_object_add(m, "retry_label", json_object_new_string(tries > 0 ?
	    s : ""));
	if (strcmp(json_object_get_string(json_object_object_get(m, "status")),
	    "pending") == 0)
		cbw_time_display_add(m, "next_attempt_at", "next_attempt_display");
	cbw_time_display_add(m, "sent_at", "sent_display");
	cbw_time_display_add(m, "delivered_at", "delivered_display");
	cbw_time_display_add(m, "read_at", "read_display");
	cbw_time_display_add(m, "failed_at", "failed_display");
	cbw_time_display_add(m, "created_at", "created_display");
	/* Date de la liste : envoi, sinon mise en file. */
	cbw_time_display_add(m, json_object_object_get(m, "sent_at") != NULL &&
	    json_object_get_string(json_object_object_get(m, "sent_at")) != NULL ?
	    "sent_at" : "created_at", "at_display");
	contact_name(m);
}
