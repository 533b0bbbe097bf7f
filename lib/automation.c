/*
 * Application des événements du webhook (voir automation.h).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <json-c/json.h>

#include "automation.h"
#include "buf.h"
#include "campaign.h"
#include "clock.h"
#include "db.h"
#include "log.h"
#include "send.h"
#include "webhook.h"
#include "whatsapp.h"

/*
 * Contacts d'un numéro, chez tous les admins : l'index unique
 * (created_by, full_number) parcouru admin par admin (pas d'index sur le
 * numéro seul, voir 0009_drop_contacts_phone_index.sql). Tout contact a
 * un created_by dans users (clé étrangère) : rien n'est oublié.
 */
#define BY_NUMBER(p) "(" p "created_by IN (SELECT id FROM users) AND " p \
	"full_number = ?) "
/* Envois en attente de ces contacts : contacts d'abord, pas tous les envois. */
#define PENDING_OF_NUMBER "(SELECT m.id FROM contacts c CROSS JOIN messages " \
	"m ON m.contact_id = c.id WHERE " BY_NUMBER("c.") "AND m.status = " \
	"'pending')"

/* Ligne de message trouvée par son wamid ou par le numéro du contact. */
struct target {
	long long	 id;
	long long	 campaign_id;
	long long	 contact_id;
	char		*status;	/* à libérer */
};

/* Heure ISO d'un événement : son horodatage, sinon la réception. */
static void
event_time(const struct cbw_wh_event *e, long long now_ms, char *out,
    size_t len)
{
	cbw_time_iso(e->timestamp > 0 ? e->timestamp : (time_t)(now_ms / 1000),
	    out, len);
}

/*
 * Cherche le message sortant `wamid`. CBW_OK (t rempli), CBW_ENOTFOUND, ou
 * l'erreur de base.
 */
static enum cbw_err
find_wamid(struct cbw_db *db, const char *wamid, struct target *t)
{
	struct cbw_stmt	*s;
	enum cbw_step	 st;
	enum cbw_err	 er;

	memset(t, 0, sizeof(*t));
	if ((er = cbw_db_prepare(db, "SELECT id, campaign_id, contact_id, status "
	    "FROM messages WHERE whatsapp_message_id = ?", &s)) != CBW_OK)
		return er;
	if ((er = cbw_db_bind(s, "s", wamid)) != CBW_OK) {
		cbw_db_done(s);
		return er;
	}
	if ((st = cbw_db_step(s)) == CBW_STEP_ROW) {
		t->id = cbw_db_col_int(s, 0);
		t->campaign_id = cbw_db_col_int(s, 1);
		t->contact_id = cbw_db_col_int(s, 2);
		if ((t->status = strdup(cbw_db_col_text(s, 3))) == NULL)
			er = CBW_ENOMEM;
	} else
		er = st == CBW_STEP_DONE ? CBW_ENOTFOUND : CBW_EDB;
	cbw_db_done(s);
	return er;
}

/* Rang d'un statut de message : jamais de retour à un rang plus bas. */
static int
rank(const char *status)
{
	if (strcmp(status, "read") == 0)
		return 3;
	if (strcmp(status, "delivered") == 0)
		return 2;
	if (strcmp(status, "sent") == 0)
		return 1;
	return 0;
}

/*
 * Note l'interaction delivered/read d'un message (une seule fois : unique
 * (wamid, type)). Rend CBW_OK et *added à 1 si elle est nouvelle.
 */
static enum cbw_err
note_interaction(struct cbw_db *db, const struct target *t, const char *type,
    const char *wamid, const char *when, int *added)
{
	enum cbw_err	 er;

	er = cbw_db_exec(db, "INSERT OR IGNORE INTO interactions(campaign_id, "
	    "contact_id, message_id, interaction_type, whatsapp_message_id, "
	    "received_at) VALUES (?, ?, ?, ?, ?, ?)", "iiisss", t->campaign_id,
	    t->contact_id, t->id, type, wamid, when);
	*added = er == CBW_OK && cbw_db_changes(db) > 0;
	return er;
}

/*
 * Échec signalé par WhatsApp pour un message seulement envoyé (jamais
 * après distribué ou lu) : code, texte français, classe et reprise selon
 * la table de lib/whatsapp.c. *changed à 1 si la ligne a changé.
 */
static enum cbw_err
apply_failed(struct cbw_db *db, const struct cbw_wh_event *e,
    const struct target *t, const char *when, int *changed)
{
	enum cbw_wa_class	 cls;
	const char		*fr = NULL;
	char			 msg[512];
	enum cbw_err		 er;

	*changed = 0;
	if (strcmp(t->status, "sent") != 0)
		return CBW_OK;
	cls = cbw_wa_classify(e->error_code, &fr);
	snprintf(msg, sizeof(msg), "%s (code %lld)%s%s%s", fr ? fr : "",
	    e->error_code, e->error_text[0] ? " (" : "", e->error_text,
	    e->error_text[0] ? ")" : "");
	er = cbw_db_exec(db, "UPDATE messages SET status = 'failed', error_code = ?, "
	    "error_message = ?, error_class = ?, retryable = ?, failed_at = ?, "
	    "updated_at = ? WHERE id = ? AND status = 'sent'", "ississi",
	    e->error_code, msg, cls == CBW_WA_RETRYABLE ? "retryable" :
	    cls == CBW_WA_STOP ? "stop" : "permanent",
	    (long long)(cls == CBW_WA_RETRYABLE), when, when, t->id);
	*changed = er == CBW_OK && cbw_db_changes(db) > 0;
	return er;
}

/*
 * Statut sent/delivered/read/failed d'un message sortant (propriété 14) :
 * horodatage posé une seule fois, statut seulement vers le haut (lu ou
 * distribué l'emportent sur un échec), interaction notée une fois, statut
 * de la campagne recalculé dans la même transaction.
 */
static enum cbw_err
apply_status(struct cbw_db *db, const struct cbw_wh_event *e, long long now_ms,
    struct cbw_auto_report *rep)
{
	struct target	 t;
	const char	*name = cbw_wh_status_name(e->status);
	char		 when[32];
	int		 added = 0, changed = 0;
	enum cbw_err	 er;

	if ((er = find_wamid(db, e->wamid, &t)) == CBW_ENOTFOUND) {
		rep->unknown++;
		cbw_log(CBW_LOG_INFO, __func__, 0, "statut d'un wamid inconnu",
		    name, NULL);
		return CBW_OK;
	}
	if (er != CBW_OK)
		return er;
	event_time(e, now_ms, when, sizeof(when));
	switch (e->status) {
	case CBW_WH_DELIVERED:
	case CBW_WH_READ:
		er = cbw_db_exec(db, e->status == CBW_WH_READ ?
		    "UPDATE messages SET read_at = coalesce(read_at, ?1), "
		    "status = CASE WHEN status IN ('sending', 'sent', 'delivered', "
		    "'failed') THEN 'read' ELSE status END, updated_at = ?1 WHERE id = ?2" :
		    "UPDATE messages SET delivered_at = coalesce(delivered_at, ?1), "
		    "status = CASE WHEN status IN ('sending', 'sent', 'failed') "
		    "THEN 'delivered' ELSE status END, updated_at = ?1 WHERE id = ?2",
		    "si", when, t.id);
		changed = rank(t.status) < (e->status == CBW_WH_READ ? 3 : 2);
		if (er == CBW_OK)
			er = note_interaction(db, &t, name, e->wamid, when, &added);
		break;
	case CBW_WH_FAILED:
		er = apply_failed(db, e, &t, when, &changed);
		added = changed;
		break;
	default:	/* « sent » : l'envoi l'a déjà noté */
		break;
	}
	if (er == CBW_OK && changed)
		er = cbw_send_settle(db, t.campaign_id, now_ms);
	if (added || changed)
		rep->statuses++;
	else
		rep->duplicates++;
	free(t.status);
	return er;
}

/*
 * Message auquel répond un contact : celui nommé par context.id (s'il
 * s'agit bien d'un envoi à ce numéro), sinon son Message 1 envoyé le plus
 * récent, de moins de CBW_REPLY_WINDOW_DAYS jours. CBW_ENOTFOUND si aucun.
 */
static enum cbw_err
find_answered(struct cbw_db *db, const struct cbw_wh_event *e,
    const char *number, long long now_ms, struct target *t)
{
	struct json_object	*row = NULL;
	char			 cutoff[32];
	enum cbw_err		 er = CBW_ENOTFOUND;

	memset(t, 0, sizeof(*t));
	if (e->context_id[0] != '\0')
		er = cbw_db_query_int(db, &t->id, "SELECT m.id FROM messages m JOIN "
		    "contacts c ON c.id = m.contact_id WHERE m.whatsapp_message_id = ? "
		    "AND c.full_number = ?", "ss", e->context_id, number);
	if (er == CBW_ENOTFOUND) {
		cbw_time_iso((time_t)(now_ms / 1000) -
		    CBW_REPLY_WINDOW_DAYS * 86400, cutoff, sizeof(cutoff));
		er = cbw_db_query_int(db, &t->id, "SELECT m.id FROM contacts c "
		    "JOIN messages m ON m.contact_id = c.id WHERE " BY_NUMBER("c.")
		    "AND m.message_type = 'message_1' AND m.sent_at >= ? ORDER BY "
		    "m.sent_at DESC, m.id DESC LIMIT 1", "ss", number, cutoff);
	}
	if (er != CBW_OK)
		return er;
	if ((er = cbw_db_query_row(db, &row, "SELECT campaign_id, contact_id "
	    "FROM messages WHERE id = ?", "i", t->id)) != CBW_OK)
		return er;
	t->campaign_id = json_object_get_int64(json_object_object_get(row,
	    "campaign_id"));
	t->contact_id = json_object_get_int64(json_object_object_get(row,
	    "contact_id"));
	json_object_put(row);
	return CBW_OK;
}

/*
 * Met en file le Message 2 de la campagne pour ce contact, une seule fois
 * (UNIQUE), variables remplies, jamais pour un contact désabonné ni une
 * campagne annulée ou brouillon. *queued à 1 si une ligne a été créée.
 */
static enum cbw_err
queue_message2(struct cbw_db *db, const struct target *t, const char *now,
    int *queued)
{
	struct json_object	*k = NULL;
	struct cbw_buf		 text;
	const char		*m2;
	enum cbw_err		 er;

	*queued = 0;
	er = cbw_db_query_row(db, &k, "SELECT k.message_2, c.first_name, "
	    "c.last_name FROM campaigns k JOIN contacts c ON c.id = ? WHERE "
	    "k.id = ? AND k.message_2 IS NOT NULL AND k.status NOT IN "
	    "('cancelled', 'draft') AND c.opted_out_at IS NULL", "ii",
	    t->contact_id, t->campaign_id);
	if (er == CBW_ENOTFOUND)
		return CBW_OK;
	if (er != CBW_OK)
		return er;
	cbw_buf_init(&text);
	m2 = json_object_get_string(json_object_object_get(k, "message_2"));
	if ((er = cbw_campaign_render(&text, m2, json_object_get_string(
	    json_object_object_get(k, "first_name")), json_object_get_string(
	    json_object_object_get(k, "last_name")))) == CBW_OK &&
	    (er = cbw_db_exec(db, "INSERT OR IGNORE INTO messages(campaign_id, "
	    "contact_id, message_type, content, status, created_at, updated_at, "
	    "owner_id) SELECT ?1, ?2, 'message_2', ?3, 'pending', ?4, ?4, "
	    "created_by FROM campaigns WHERE id = ?1", "iiss",
	    t->campaign_id, t->contact_id, cbw_buf_str(&text), now)) == CBW_OK)
		*queued = cbw_db_changes(db) > 0;
	cbw_buf_free(&text);
	json_object_put(k);
	return er;
}

/*
 * Désabonne tous les contacts de ce numéro (chez chaque admin : la
 * personne ne veut plus rien de ce compte WhatsApp), annule leurs envois
 * en attente et recalcule le statut des campagnes touchées.
 */
static enum cbw_err
opt_out(struct cbw_db *db, const char *number, const char *now,
    long long now_ms, struct cbw_auto_report *rep)
{
	struct json_object	*camps = NULL;
	size_t			 i;
	enum cbw_err		 er;

	if ((er = cbw_db_exec(db, "UPDATE contacts SET opted_out_at = ?, "
	    "updated_at = ? WHERE " BY_NUMBER("") " AND opted_out_at IS NULL",
	    "sss", now, now, number)) != CBW_OK)
		return er;
	rep->optouts += cbw_db_changes(db);
	if ((er = cbw_db_query_json(db, &camps, "SELECT DISTINCT campaign_id "
	    "FROM messages WHERE id IN " PENDING_OF_NUMBER, "s",
	    number)) != CBW_OK ||
	    (er = cbw_db_exec(db, "UPDATE messages SET status = 'cancelled', "
	    "updated_at = ? WHERE id IN " PENDING_OF_NUMBER, "ss", now,
	    number)) != CBW_OK)
		goto out;
	for (i = 0; er == CBW_OK && i < json_object_array_length(camps); i++)
		er = cbw_send_settle(db, json_object_get_int64(json_object_object_get(
		    json_object_array_get_idx(camps, i), "campaign_id")), now_ms);
out:
	json_object_put(camps);
	return er;
}

/*
 * Message reçu d'un contact : désabonnement sur un mot d'arrêt, sinon
 * interaction (réponse ou réaction, une seule fois par wamid entrant ; une
 * réaction retirée n'est pas une réponse : ignorée)
 * liée au message auquel il répond, compteur de la campagne et Message 2
 * mis en file (propriété 5).
 */
static enum cbw_err
apply_message(struct cbw_db *db, const struct cbw_wh_event *e, long long now_ms,
    struct cbw_auto_report *rep)
{
	struct target	 t;
	const char	*type = e->msgtype == CBW_WH_REACTION ? "reaction" : "reply";
	char		 number[40], now[32], when[32];
	int		 queued = 0;
	enum cbw_err	 er;

	snprintf(number, sizeof(number), "+%s", e->from);
	cbw_time_iso((time_t)(now_ms / 1000), now, sizeof(now));
	event_time(e, now_ms, when, sizeof(when));
	if (e->msgtype != CBW_WH_REACTION && e->msgtype != CBW_WH_OTHER &&
	    cbw_wh_is_stop_word(e->text))
		return opt_out(db, number, now, now_ms, rep);
	if (e->msgtype == CBW_WH_REACTION && e->text[0] == '\0') {
		rep->ignored++;			/* réaction retirée : rien à noter */
		return CBW_OK;
	}
	if ((er = find_answered(db, e, number, now_ms, &t)) == CBW_ENOTFOUND) {
		rep->unmatched++;
		CBW_LOGI("message d'un numéro sans campagne récente");
		return CBW_OK;
	}
	if (er != CBW_OK)
		return er;
	if ((er = cbw_db_exec(db, "INSERT OR IGNORE INTO interactions(campaign_id, "
	    "contact_id, message_id, interaction_type, content, "
	    "whatsapp_message_id, received_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
	    "iiissss", t.campaign_id, t.contact_id, t.id, type, e->text,
	    e->message_id[0] ? e->message_id : NULL, when)) != CBW_OK)
		return er;
	if (cbw_db_changes(db) == 0) {		/* redélivrance de WhatsApp */
		rep->duplicates++;
		return CBW_OK;
	}
	rep->replies++;
	if ((er = cbw_db_exec(db, "UPDATE campaigns SET interaction_count = "
	    "interaction_count + 1 WHERE id = ?", "i", t.campaign_id)) != CBW_OK)
		return er;
	if ((er = queue_message2(db, &t, now, &queued)) == CBW_OK && queued)
		rep->queued++;
	return er;
}

/* Applique un lot en une transaction (voir automation.h). */
enum cbw_err
cbw_auto_apply(struct cbw_db *db, const struct cbw_wh_batch *b,
    const char *phone_id, long long now_ms, struct cbw_auto_report *rep)
{
	const struct cbw_wh_event	*e;
	char				 now[32];
	size_t				 i;
	enum cbw_err			 er;

	memset(rep, 0, sizeof(*rep));
	cbw_time_iso((time_t)(now_ms / 1000), now, sizeof(now));
	if ((er = cbw_db_begin(db)) != CBW_OK)
		return er;
	for (i = 0; er == CBW_OK && i < b->n; i++) {
		e = &b->ev[i];
		if (phone_id != NULL && phone_id[0] != '\0' &&
		    strcmp(e->phone_number_id, phone_id) != 0) {
			rep->ignored++;
			continue;
		}
		switch (e->kind) {
		case CBW_WH_STATUS:
			er = apply_status(db, e, now_ms, rep);
			break;
		case CBW_WH_MESSAGE:
			er = apply_message(db, e, now_ms, rep);
			break;
		case CBW_WH_OPTOUT:
			{
				char	 number[40];

				snprintf(number, sizeof(number), "+%s", e->from);
				er = opt_out(db, number, now, now_ms, rep);
			}
			break;
		default:
			rep->ignored++;
			break;
		}
	}
	if (er == CBW_OK && (er = cbw_db_commit(db)) == CBW_OK)
		return CBW_OK;
	cbw_db_rollback(db);
	memset(rep, 0, sizeof(*rep));
	return er;
}

/* Dossier de mise de côté : `<dbpath>.spool`. Rend 0 si trop long. */
static int
spool_dir(const char *dbpath, char *out, size_t len)
{
	int	 n = snprintf(out, len, "%s.spool", dbpath);

	return n > 0 && (size_t)n < len;
}

/* Met de côté un corps authentifié (voir automation.h). */
enum cbw_err
cbw_auto_spool(const char *dbpath, const char *body, size_t len)
{
	static unsigned long	 seq;
	char			 dir[4096], tmp[4200], dst[4200];
	long long		 ms = cbw_now_ms();
	int			 fd = -1;
	enum cbw_err		 er = CBW_EIO;

	if (!spool_dir(dbpath, dir, sizeof(dir)) ||
	    (mkdir(dir, 0700) != 0 && errno != EEXIST))
		return CBW_EIO;
	/* Milliseconde, processus et rang : deux corps n'ont jamais le même nom. */
	seq++;
	snprintf(tmp, sizeof(tmp), "%s/.%lld-%ld-%lu.tmp", dir, ms, (long)getpid(),
	    seq);
	snprintf(dst, sizeof(dst), "%s/%013lld-%010ld-%06lu.json", dir, ms,
	    (long)getpid(), seq);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL, 0600)) < 0)
		return CBW_EIO;
	if (write(fd, body, len) == (ssize_t)len && fsync(fd) == 0)
		er = CBW_OK;
	close(fd);
	if (er == CBW_OK && rename(tmp, dst) != 0)
		er = CBW_EIO;
	if (er != CBW_OK)
		unlink(tmp);
	return er;
}

/* Lit tout un fichier (à libérer) ; NULL si impossible. */
static char *
read_file(const char *path, size_t *len)
{
	struct cbw_buf	 b;
	char		 chunk[8192];
	ssize_t		 got;
	int		 fd;

	if ((fd = open(path, O_RDONLY)) < 0)
		return NULL;
	cbw_buf_init(&b);
	while ((got = read(fd, chunk, sizeof(chunk))) > 0)
		if (cbw_buf_put(&b, chunk, (size_t)got) != CBW_OK) {
			got = -1;
			break;
		}
	close(fd);
	if (got < 0) {
		cbw_buf_free(&b);
		return NULL;
	}
	*len = b.len;
	cbw_buf_putc(&b, '\0');
	return b.data;
}

/* Compare deux noms de fichiers pour scandir (ordre chronologique). */
static int
by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

/* Garde les fichiers « *.json » de la file. */
static int
is_spooled(const struct dirent *d)
{
	size_t	 n = strlen(d->d_name);

	return d->d_name[0] != '.' && n > 5 && strcmp(d->d_name + n - 5,
	    ".json") == 0;
}

/* Rejoue un fichier de la file ; le supprime ou le met à l'écart. */
static enum cbw_err
replay_one(struct cbw_db *db, const char *path, const char *phone_id)
{
	struct cbw_wh_batch	 b;
	struct cbw_auto_report	 rep;
	char			 bad[4500], *body;
	size_t			 len = 0;
	enum cbw_err		 er;

	if ((body = read_file(path, &len)) == NULL)
		return CBW_EIO;
	memset(&b, 0, sizeof(b));
	if ((er = cbw_wh_parse(body, len, &b)) == CBW_OK)
		er = cbw_auto_apply(db, &b, phone_id, cbw_now_ms(), &rep);
	cbw_wh_batch_free(&b);
	free(body);
	if (er == CBW_OK)
		unlink(path);
	else if (er == CBW_EINVAL) {
		snprintf(bad, sizeof(bad), "%s.bad", path);
		rename(path, bad);
		er = CBW_OK;
	}
	return er;
}

/* Rejoue les corps mis de côté (voir automation.h). */
enum cbw_err
cbw_auto_replay(struct cbw_db *db, const char *dbpath, const char *phone_id,
    long *n)
{
	struct dirent	**list = NULL;
	char		 dir[4096], path[4400];
	int		 k, i;
	enum cbw_err	 er = CBW_OK;

	*n = 0;
	if (!spool_dir(dbpath, dir, sizeof(dir)))
		return CBW_EIO;
	if ((k = scandir(dir, &list, is_spooled, by_name)) < 0)
		return errno == ENOENT ? CBW_OK : CBW_EIO;
	for (i = 0; i < k; i++) {
		if (er == CBW_OK) {
			snprintf(path, sizeof(path), "%s/%s", dir, list[i]->d_name);
			if ((er = replay_one(db, path, phone_id)) == CBW_OK)
				(*n)++;
		}
		free(list[i]);
	}
	free(list);
	return er;
}
