/*
 * Envoi des messages en attente (voir send.h). Chaque appel à l'API est
 * encadré par deux transactions courtes : la réclamation (contrôle de la
 * fenêtre et de la cadence, ligne 'sending', ligne send_attempts) puis
 * l'enregistrement du résultat ; l'appel lui-même a lieu hors transaction.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "buf.h"
#include "clock.h"
#include "db.h"
#include "log.h"
#include "send.h"
#include "whatsapp.h"

#define WINDOW_MS	60000LL		/* fenêtre glissante */
#define PRUNE_MS	3600000LL	/* âge des send_attempts supprimées */
#define POLL_MS		1000LL		/* attente quand rien n'est dû */
#define MAX_RETRIES	3		/* reprises automatiques */
#define MAX_PARAMS	16		/* paramètres d'un modèle */
#define RECORD_TRIES	3		/* essais d'enregistrement (base occupée) */
#define ISO_LEN		32

volatile sig_atomic_t	 cbw_send_stop;

static const char	 stale_msg[] = "Résultat inconnu : l'envoi a été "
    "interrompu avant la réponse de WhatsApp. Ce message n'est pas renvoyé "
    "automatiquement (un doublon serait pire qu'un manque) ; utilisez "
    "« Réessayer les échecs » si besoin.";
static const char	 dup_msg[] = "Résultat inconnu : WhatsApp a répondu avec "
    "un identifiant de message déjà attribué à un autre envoi. Ce message "
    "n'est pas renvoyé automatiquement ; vérifiez-le avant de le réessayer.";
static const char	 nowamid_msg[] = "Résultat inconnu : WhatsApp a accepté "
    "l'envoi sans rendre d'identifiant de message. Ce message n'est pas "
    "renvoyé automatiquement.";

/* Ligne réclamée, copiée hors de la requête (chaînes à libérer). */
struct claim {
	long long	 id;
	long long	 campaign_id;
	int		 is_m2;
	char		*content;
	char		*number;
	char		*first_name;
	char		*last_name;
	char		*tname;		/* NULL : message texte */
	char		*tlang;
	char		*tparams;
};

/* Issue d'une réclamation. */
enum claim_rc {
	CLAIM_OK,	/* une ligne réclamée */
	CLAIM_WAIT,	/* fenêtre ou cadence : attendre next_ms */
	CLAIM_NONE	/* rien de dû */
};

/* Date ISO 8601 UTC de la seconde contenant `ms` (arrondi vers le bas). */
static void
iso_floor(long long ms, char *out)
{
	cbw_time_iso((time_t)(ms / 1000), out, ISO_LEN);
}

/*
 * Date ISO 8601 UTC de `ms` arrondie à la seconde supérieure : un échec
 * noté ainsi donne des reprises (failed_at + 1, 2, 4 min) jamais plus
 * tôt que le vrai délai compté en millisecondes.
 */
static void
iso_ceil(long long ms, char *out)
{
	cbw_time_iso((time_t)((ms + 999) / 1000), out, ISO_LEN);
}

/* Copie la colonne texte `col` (NULL si NULL SQL) ; rend 0 si mémoire. */
static int
col_dup(struct cbw_stmt *st, int col, char **out)
{
	*out = NULL;
	if (cbw_db_col_isnull(st, col))
		return 1;
	return (*out = strdup(cbw_db_col_text(st, col))) != NULL;
}

/* Libère les chaînes d'une réclamation et la remet à zéro. */
static void
claim_free(struct claim *c)
{
	free(c->content);
	free(c->number);
	free(c->first_name);
	free(c->last_name);
	free(c->tname);
	free(c->tlang);
	free(c->tparams);
	memset(c, 0, sizeof(*c));
}

/*
 * Appels permis dans la fenêtre de 60 s à now_ms et instant du prochain
 * appel permis (fenêtre, et cadence de 60000/rate ms arrondie au-dessous :
 * un appel en retard de quelques ms sur la cadence ne fait pas perdre de
 * débit, et la fenêtre borne de toute façon le total à `rate` par 60 s).
 * Les appels notés jusqu'à 60 s « dans le futur » comptent (petit recul de
 * l'horloge : prudence) ; au-delà, c'est une horloge qui a reculé de plus
 * d'une minute (ou un test à horloge figée) : ils sont ignorés, sinon
 * l'envoi resterait bloqué jusqu'à ce que l'horloge les rattrape.
 * Rend le nombre d'appels encore permis (≥ 0), ou -1 en cas d'erreur de
 * base.
 */
long
cbw_send_room(struct cbw_db *db, long rate, long long now_ms, long long *next_ms)
{
	long long	 count = 0, last = 0, oldest = 0, interval;
	enum cbw_err	 er;

	*next_ms = now_ms;
	if (rate < 1)
		rate = 1;
	interval = WINDOW_MS / rate;
	if (cbw_db_query_int(db, &count, "SELECT COUNT(*) FROM send_attempts "
	    "WHERE at_ms > ? AND at_ms <= ?", "ii", now_ms - WINDOW_MS,
	    now_ms + WINDOW_MS) != CBW_OK)
		return -1;
	if (count >= rate) {
		/* La (count - rate + 1)-ième plus ancienne doit sortir. */
		if (cbw_db_query_int(db, &oldest, "SELECT at_ms FROM send_attempts "
		    "WHERE at_ms > ? AND at_ms <= ? ORDER BY at_ms LIMIT 1 OFFSET ?",
		    "iii", now_ms - WINDOW_MS, now_ms + WINDOW_MS,
		    count - rate) != CBW_OK)
			return -1;
		if (oldest + WINDOW_MS > *next_ms)
			*next_ms = oldest + WINDOW_MS;
	}
	er = cbw_db_query_int(db, &last, "SELECT at_ms FROM send_attempts "
	    "WHERE at_ms <= ? ORDER BY at_ms DESC LIMIT 1", "i",
	    now_ms + WINDOW_MS);
	if (er == CBW_OK) {
		if (last + interval > *next_ms)
			*next_ms = last + interval;
	} else if (er != CBW_ENOTFOUND)
		return -1;
	return count >= rate ? 0 : (long)(rate - count);
}

/*
 * Lit la première colonne entière de toutes les lignes de `sql` (un
 * paramètre texte `arg` lié s'il n'est pas NULL) dans un tableau alloué
 * (*ids, à libérer, *n éléments). Rend CBW_OK, CBW_ENOMEM ou l'erreur de
 * base (*ids vaut alors NULL).
 */
static enum cbw_err
ids_of(struct cbw_db *db, const char *sql, const char *arg, long long **ids,
    size_t *n)
{
	struct cbw_stmt	*st;
	long long	*grown;
	size_t		 cap = 0;
	enum cbw_step	 step;
	enum cbw_err	 er;

	*ids = NULL;
	*n = 0;
	if ((er = cbw_db_prepare(db, sql, &st)) != CBW_OK)
		return er;
	if (arg != NULL && (er = cbw_db_bind(st, "s", arg)) != CBW_OK)
		goto out;
	while ((step = cbw_db_step(st)) == CBW_STEP_ROW) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 8;
			if ((grown = reallocarray(*ids, cap, sizeof(**ids))) == NULL) {
				er = CBW_ENOMEM;
				goto out;
			}
			*ids = grown;
		}
		(*ids)[(*n)++] = cbw_db_col_int(st, 0);
	}
	if (step != CBW_STEP_DONE)
		er = step == CBW_STEP_BUSY ? CBW_EBUSY : CBW_EDB;
out:
	cbw_db_done(st);
	if (er != CBW_OK) {
		free(*ids);
		*ids = NULL;
		*n = 0;
	}
	return er;
}

/*
 * Statut final d'une campagne 'sending' quand plus aucune ligne Message 1
 * n'est en attente, en cours ou promise à une reprise automatique (échec
 * réessayable, moins de 3 reprises, contact non désabonné) : 'completed'
 * s'il y a au moins un succès, sinon 'failed', avec completed_at. Rend
 * CBW_OK (y compris si rien ne change) ou l'erreur de base.
 */
enum cbw_err
cbw_send_settle(struct cbw_db *db, long long campaign_id, long long now_ms)
{
	char	 now[ISO_LEN];

	iso_floor(now_ms, now);
	return cbw_db_exec(db, "UPDATE campaigns SET status = CASE WHEN "
	    "success_count > 0 THEN 'completed' ELSE 'failed' END, "
	    "completed_at = ?, updated_at = ? WHERE id = ? AND status = 'sending' "
	    "AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.campaign_id = "
	    "campaigns.id AND m.message_type = 'message_1' AND m.status IN "
	    "('pending', 'sending')) "
	    "AND NOT EXISTS (SELECT 1 FROM messages m JOIN contacts c ON c.id = "
	    "m.contact_id WHERE m.campaign_id = campaigns.id AND m.message_type = "
	    "'message_1' AND m.status = 'failed' AND m.retryable = 1 AND "
	    "m.retry_count < ? AND c.opted_out_at IS NULL)", "ssii", now, now,
	    campaign_id, (long long)MAX_RETRIES);
}

/*
 * Marque « résultat inconnu » les lignes 'sending' réclamées depuis plus de
 * stale_ms (claimed_at est à la seconde : seules les lignes dont la seconde
 * de réclamation est entièrement passée avant now - stale_ms sont prises),
 * puis règle le statut de leurs campagnes, dans une transaction. *n reçoit
 * le nombre de lignes marquées. CBW_OK, ou l'erreur de base.
 */
enum cbw_err
cbw_send_reap_stale(struct cbw_db *db, long long now_ms, long long stale_ms,
    long *n)
{
	long long	*ids = NULL, count = 0;
	size_t		 nids = 0, i;
	char		 cutoff[ISO_LEN], now[ISO_LEN];
	enum cbw_err	 er;
	int		 tx = 0;

	*n = 0;
	iso_floor(now_ms - stale_ms, cutoff);
	iso_floor(now_ms, now);
	if ((er = cbw_db_query_int(db, &count, "SELECT COUNT(*) FROM messages "
	    "WHERE status = 'sending' AND claimed_at < ?", "s", cutoff)) != CBW_OK ||
	    count == 0)
		goto out;
	if ((er = cbw_db_begin(db)) != CBW_OK)
		goto out;
	tx = 1;
	if ((er = ids_of(db, "SELECT DISTINCT campaign_id FROM messages WHERE "
	    "status = 'sending' AND claimed_at < ?", cutoff, &ids, &nids)) != CBW_OK)
		goto out;
	if ((er = cbw_db_exec(db, "UPDATE messages SET status = 'failed', "
	    "error_class = 'unknown', retryable = 0, error_code = NULL, "
	    "error_message = ?, failed_at = ?, updated_at = ? WHERE status = "
	    "'sending' AND claimed_at < ?", "ssss", stale_msg, now, now,
	    cutoff)) != CBW_OK)
		goto out;
	*n = cbw_db_changes(db);
	for (i = 0; i < nids; i++)
		if ((er = cbw_send_settle(db, ids[i], now_ms)) != CBW_OK)
			goto out;
	er = cbw_db_commit(db);
	tx = 0;
	if (er == CBW_OK && *n > 0)
		cbw_log(CBW_LOG_WARNING, __func__, 0, "envois interrompus marqués "
		    "« résultat inconnu »", NULL, NULL);
out:
	if (tx)
		cbw_db_rollback(db);
	if (er != CBW_OK)
		*n = 0;
	free(ids);
	return er;
}

/*
 * cbw-retry : remet en file les échecs réessayables (moins de 3 reprises,
 * contact non désabonné, campagne ni annulée ni brouillon) avec
 * next_attempt_at = failed_at + 1, 2 puis 4 minutes, puis règle le statut
 * des campagnes 'sending' (un contact désabonné après un échec ne doit pas
 * les bloquer), dans une transaction. *n reçoit le nombre de lignes remises
 * en file. CBW_OK, ou l'erreur de base.
 */
enum cbw_err
cbw_send_retry_due(struct cbw_db *db, long long now_ms, long *n)
{
	long long	*ids = NULL;
	size_t		 nids = 0, i;
	char		 now[ISO_LEN];
	enum cbw_err	 er;
	int		 tx = 0;

	*n = 0;
	iso_floor(now_ms, now);
	if ((er = cbw_db_begin(db)) != CBW_OK)
		goto out;
	tx = 1;
	if ((er = cbw_db_exec(db, "UPDATE messages SET status = 'pending', "
	    "next_attempt_at = strftime('%Y-%m-%dT%H:%M:%SZ', "
	    "COALESCE(failed_at, ?), '+' || (1 << retry_count) || ' minutes'), "
	    "retry_count = retry_count + 1, claimed_at = NULL, updated_at = ? "
	    "WHERE status = 'failed' AND retryable = 1 AND retry_count < ? "
	    "AND contact_id IN (SELECT id FROM contacts WHERE opted_out_at IS NULL) "
	    "AND campaign_id IN (SELECT id FROM campaigns WHERE status IN "
	    "('sending', 'completed', 'failed'))", "ssi", now, now,
	    (long long)MAX_RETRIES)) != CBW_OK)
		goto out;
	*n = cbw_db_changes(db);
	if ((er = ids_of(db, "SELECT id FROM campaigns WHERE status = 'sending'",
	    NULL, &ids, &nids)) != CBW_OK)
		goto out;
	for (i = 0; i < nids; i++)
		if ((er = cbw_send_settle(db, ids[i], now_ms)) != CBW_OK)
			goto out;
	er = cbw_db_commit(db);
	tx = 0;
out:
	if (tx)
		cbw_db_rollback(db);
	if (er != CBW_OK)
		*n = 0;
	free(ids);
	return er;
}

/* Supprime les send_attempts de plus d'une heure (erreur seulement journalisée). */
static void
prune_attempts(struct cbw_db *db, long long now_ms)
{
	if (cbw_db_exec(db, "DELETE FROM send_attempts WHERE at_ms < ?", "i",
	    now_ms - PRUNE_MS) != CBW_OK)
		CBW_LOGW("nettoyage de send_attempts impossible", cbw_db_errmsg(db));
}

/* Conditions communes du choix de la prochaine ligne due. */
#define DUE_FROM	"SELECT m.id FROM messages m JOIN campaigns k ON " \
	"k.id = m.campaign_id WHERE m.status = 'pending' AND m.message_type = ? " \
	"AND k.status_reason IS NULL AND (k.status = 'sending' OR " \
	"(m.message_type = 'message_2' AND k.status IN ('completed', 'failed'))) "

/*
 * Plus petit id dû parmi les lignes 'pending' de type `type` : Message 1
 * d'une campagne 'sending', Message 2 d'une campagne 'sending',
 * 'completed' ou 'failed' (la réponse du contact arrive souvent après la
 * fin de la campagne), jamais d'une campagne en pause (status_reason).
 * Deux requêtes qui suivent l'index idx_messages_due sans tri : lignes
 * jamais reportées (next_attempt_at NULL), puis reprises échues. *id
 * reçoit 0 s'il n'y en a pas. Rend CBW_OK ou l'erreur de base.
 */
static enum cbw_err
first_due(struct cbw_db *db, const char *type, const char *now, long long *id)
{
	long long	 a = 0, b = 0;
	enum cbw_err	 er;

	*id = 0;
	er = cbw_db_query_int(db, &a, DUE_FROM "AND m.next_attempt_at IS NULL "
	    "ORDER BY m.id LIMIT 1", "s", type);
	if (er != CBW_OK && er != CBW_ENOTFOUND)
		return er;
	er = cbw_db_query_int(db, &b, DUE_FROM "AND m.next_attempt_at <= ? "
	    "ORDER BY m.id LIMIT 1", "ss", type, now);
	if (er != CBW_OK && er != CBW_ENOTFOUND)
		return er;
	*id = a > 0 && (b <= 0 || a < b) ? a : b;
	return CBW_OK;
}

/*
 * Lit la prochaine ligne due (Message 2 d'abord, puis par id) dans la
 * transaction ouverte, avec son contact et sa campagne. Rend CBW_OK avec
 * *found et *opted_out (et *c rempli), ou l'erreur de base, ou CBW_ENOMEM.
 */
static enum cbw_err
next_due(struct cbw_db *db, const char *now, struct claim *c, int *found,
    int *opted_out)
{
	struct cbw_stmt	*st;
	enum cbw_step	 step;
	enum cbw_err	 er;
	long long	 id;

	*found = 0;
	*opted_out = 0;
	if ((er = first_due(db, "message_2", now, &id)) != CBW_OK)
		return er;
	if (id == 0 && (er = first_due(db, "message_1", now, &id)) != CBW_OK)
		return er;
	if (id == 0)
		return CBW_OK;
	if ((er = cbw_db_prepare(db, "SELECT m.id, m.campaign_id, "
	    "m.message_type = 'message_2', m.content, c.full_number, "
	    "c.first_name, c.last_name, c.opted_out_at IS NOT NULL, "
	    "k.template_name, k.template_language, k.template_params "
	    "FROM messages m JOIN campaigns k ON k.id = m.campaign_id "
	    "JOIN contacts c ON c.id = m.contact_id WHERE m.id = ?", &st)) != CBW_OK)
		return er;
	if ((er = cbw_db_bind(st, "i", id)) != CBW_OK)
		goto out;
	step = cbw_db_step(st);
	if (step != CBW_STEP_ROW) {
		er = step == CBW_STEP_BUSY ? CBW_EBUSY : CBW_EDB;
		goto out;
	}
	c->id = cbw_db_col_int(st, 0);
	c->campaign_id = cbw_db_col_int(st, 1);
	c->is_m2 = cbw_db_col_int(st, 2) != 0;
	*opted_out = cbw_db_col_int(st, 7) != 0;
	if (!col_dup(st, 3, &c->content) || !col_dup(st, 4, &c->number) ||
	    !col_dup(st, 5, &c->first_name) || !col_dup(st, 6, &c->last_name) ||
	    !col_dup(st, 8, &c->tname) || !col_dup(st, 9, &c->tlang) ||
	    !col_dup(st, 10, &c->tparams)) {
		er = CBW_ENOMEM;
		goto out;
	}
	*found = 1;
out:
	cbw_db_done(st);
	return er;
}

/*
 * Réclame la prochaine ligne due dans une transaction courte : contrôle de
 * la fenêtre et de la cadence (CLAIM_WAIT et *next_ms sinon), lignes de
 * contacts désabonnés passées 'cancelled', puis la ligne choisie passe
 * 'sending' avec claimed_at et une ligne send_attempts. Rend CBW_OK avec
 * *rc (et *c rempli si CLAIM_OK), ou l'erreur de base.
 */
static enum cbw_err
claim_next(struct cbw_sender *s, long long now_ms, struct claim *c,
    enum claim_rc *rc, long long *next_ms, struct cbw_send_report *rep)
{
	char		 now[ISO_LEN];
	enum cbw_err	 er;
	long		 cancelled = 0;
	int		 found, opted_out, tx = 0;

	*rc = CLAIM_NONE;
	*next_ms = now_ms;
	iso_floor(now_ms, now);
	if ((er = cbw_db_begin(s->db)) != CBW_OK)
		goto out;
	tx = 1;
	if (cbw_send_room(s->db, s->rate, now_ms, next_ms) < 0) {
		er = CBW_EDB;
		goto out;
	}
	if (*next_ms > now_ms) {
		*rc = CLAIM_WAIT;
		goto out;
	}
	for (;;) {
		claim_free(c);
		if ((er = next_due(s->db, now, c, &found, &opted_out)) != CBW_OK)
			goto out;
		if (!found)
			break;
		if (!opted_out)
			break;
		if ((er = cbw_db_exec(s->db, "UPDATE messages SET status = "
		    "'cancelled', updated_at = ? WHERE id = ?", "si", now,
		    c->id)) != CBW_OK ||
		    (er = cbw_send_settle(s->db, c->campaign_id, now_ms)) != CBW_OK)
			goto out;
		cancelled++;
	}
	if (found) {
		if ((er = cbw_db_exec(s->db, "UPDATE messages SET status = "
		    "'sending', claimed_at = ?, updated_at = ? WHERE id = ? AND "
		    "status = 'pending'", "ssi", now, now, c->id)) != CBW_OK ||
		    (er = cbw_db_exec(s->db, "INSERT INTO send_attempts (at_ms, "
		    "message_id) VALUES (?, ?)", "ii", now_ms, c->id)) != CBW_OK)
			goto out;
	}
	er = cbw_db_commit(s->db);
	tx = 0;
	if (er == CBW_OK) {
		rep->cancelled += cancelled;
		*rc = found ? CLAIM_OK : CLAIM_NONE;
	}
out:
	if (tx)
		cbw_db_rollback(s->db);
	if (er != CBW_OK || *rc != CLAIM_OK)
		claim_free(c);
	return er;
}

/*
 * Paramètres d'un modèle : template_params est un tableau JSON de noms de
 * champs du contact ("first_name", "last_name") ; NULL ou [] : aucun. Un
 * champ vide devient « client ». Les valeurs pointent dans `c`. Rend CBW_OK
 * avec *np, ou CBW_EINVAL (JSON ou nom invalide) avec un message français.
 */
static enum cbw_err
template_params(const struct claim *c, const char **params, size_t *np,
    char *why, size_t whylen)
{
	struct json_object	*arr = NULL, *it;
	const char		*name, *v;
	enum cbw_err		 er = CBW_OK;
	size_t			 i, n;

	*np = 0;
	if (c->tparams == NULL || c->tparams[0] == '\0')
		goto out;
	if ((arr = json_tokener_parse(c->tparams)) == NULL ||
	    !json_object_is_type(arr, json_type_array) ||
	    (n = json_object_array_length(arr)) > MAX_PARAMS) {
		snprintf(why, whylen, "Paramètres du modèle illisibles : un "
		    "tableau JSON de champs du contact est attendu.");
		er = CBW_EINVAL;
		goto out;
	}
	for (i = 0; i < n; i++) {
		it = json_object_array_get_idx(arr, i);
		name = json_object_is_type(it, json_type_string) ?
		    json_object_get_string(it) : "";
		if (strcmp(name, "first_name") == 0)
			v = c->first_name;
		else if (strcmp(name, "last_name") == 0)
			v = c->last_name;
		else {
			snprintf(why, whylen, "Paramètre du modèle inconnu : "
			    "seuls first_name et last_name sont permis.");
			er = CBW_EINVAL;
			goto out;
		}
		params[i] = v != NULL && v[0] != '\0' ? v : "client";
	}
	*np = n;
out:
	if (arr != NULL)
		json_object_put(arr);
	return er;
}

/*
 * Corps JSON de la ligne réclamée : modèle pour un Message 1 de campagne à
 * modèle, texte sinon ; `to` est le numéro sans « + ». Rend CBW_OK, ou
 * CBW_EINVAL avec un message français dans why, ou CBW_ENOMEM.
 */
static enum cbw_err
build_body(const struct claim *c, struct cbw_buf *b, char *why, size_t whylen)
{
	const char	*params[MAX_PARAMS], *to;
	enum cbw_err	 er;
	size_t		 np;

	to = c->number != NULL ? c->number : "";
	if (*to == '+')
		to++;
	if (c->is_m2 || c->tname == NULL || c->tname[0] == '\0') {
		er = cbw_wa_text_body(b, to, c->content != NULL ? c->content : "");
		if (er == CBW_EINVAL)
			snprintf(why, whylen, "Message non envoyé : numéro de "
			    "téléphone ou texte invalide pour WhatsApp.");
		return er;
	}
	if ((er = template_params(c, params, &np, why, whylen)) != CBW_OK)
		return er;
	er = cbw_wa_template_body(b, to, c->tname, c->tlang != NULL &&
	    c->tlang[0] != '\0' ? c->tlang : "fr", params, np);
	if (er == CBW_EINVAL)
		snprintf(why, whylen, "Message non envoyé : numéro de téléphone "
		    "ou modèle invalide pour WhatsApp.");
	return er;
}

/* 1 si `code` est un code de limite de débit WhatsApp (arrêt du passage). */
static int
is_rate_limit(long long code)
{
	return code == 4 || code == 80007 || code == 130429 || code == 131048;
}

/* Journalise l'issue d'un envoi (sans corps ni jeton). */
static void
log_outcome(enum cbw_log_level lvl, const struct claim *c, const char *what,
    const char *cls, long long code, const char *err)
{
	struct json_object	*cx = json_object_new_object();

	if (cx != NULL) {
		json_object_object_add(cx, "message_id", json_object_new_int64(c->id));
		json_object_object_add(cx, "campaign_id",
		    json_object_new_int64(c->campaign_id));
		json_object_object_add(cx, "class", json_object_new_string(cls));
		json_object_object_add(cx, "code", json_object_new_int64(code));
	}
	cbw_log(lvl, "cbw_send_run", 0, what, err, cx);
	if (cx != NULL)
		json_object_put(cx);
}

/*
 * Note un échec sur la ligne (si elle est encore 'sending', ou marquée
 * « résultat inconnu » entre-temps). has_code : 0 pour error_code NULL.
 * Rend CBW_OK ou l'erreur de base.
 */
static enum cbw_err
mark_failed(struct cbw_db *db, long long id, int has_code, long long code,
    const char *msg, const char *cls, int retryable, const char *failed_at,
    const char *now)
{
	return cbw_db_exec(db, "UPDATE messages SET status = 'failed', "
	    "error_code = CASE WHEN ? = 1 THEN ? END, error_message = ?, "
	    "error_class = ?, retryable = ?, failed_at = ?, updated_at = ? "
	    "WHERE id = ? AND (status = 'sending' OR (status = 'failed' AND "
	    "error_class = 'unknown'))", "iississi", (long long)has_code, code,
	    msg, cls, (long long)retryable, failed_at, now, id);
}

/*
 * Enregistre le résultat d'un envoi dans une transaction courte, avec le
 * statut de la campagne (et sa mise en pause sur un code d'arrêt). built :
 * 0 si le corps n'a pas pu être construit (why donne la raison). Met à
 * jour le compte rendu. Rend CBW_OK ou l'erreur de base.
 */
static enum cbw_err
record(struct cbw_sender *s, const struct claim *c, int built, const char *why,
    const struct cbw_wa_result *res, struct cbw_send_report *rep)
{
	char		 now[ISO_LEN], failed_at[ISO_LEN], reason[768];
	long long	 now_ms = s->clock.now_ms(s->clock.arg);
	enum cbw_err	 er;
	const char	*cls;
	int		 retryable = 0, stop = 0, limit = 0, unknown = 0;

	iso_floor(now_ms, now);
	iso_ceil(now_ms, failed_at);
	if ((er = cbw_db_begin(s->db)) != CBW_OK)
		return er;
	if (!built) {
		cls = "permanent";
		er = mark_failed(s->db, c->id, 0, 0, why, cls, 0, failed_at, now);
	} else if (res->cls == CBW_WA_OK && res->wamid[0] != '\0') {
		cls = "ok";
		er = cbw_db_exec(s->db, "UPDATE messages SET status = 'sent', "
		    "whatsapp_message_id = ?, sent_at = ?, error_code = NULL, "
		    "error_message = NULL, error_class = NULL, retryable = 0, "
		    "failed_at = NULL, next_attempt_at = NULL, updated_at = ? "
		    "WHERE id = ? AND (status = 'sending' OR (status = 'failed' "
		    "AND error_class = 'unknown'))", "sssi", res->wamid, now, now,
		    c->id);
		if (er == CBW_ECONFLICT) {
			log_outcome(CBW_LOG_ERROR, c, "identifiant WhatsApp déjà "
			    "connu", "unknown", 0, res->wamid);
			unknown = 1;
			er = mark_failed(s->db, c->id, 0, 0, dup_msg, "unknown", 0,
			    failed_at, now);
		}
	} else if (res->cls == CBW_WA_OK) {
		unknown = 1;
		cls = "unknown";
		er = mark_failed(s->db, c->id, 0, 0, nowamid_msg, cls, 0,
		    failed_at, now);
	} else {
		if (is_rate_limit(res->code) || res->cls == CBW_WA_RETRYABLE) {
			cls = "retryable";
			retryable = 1;
			limit = is_rate_limit(res->code);
		} else if (res->cls == CBW_WA_STOP) {
			cls = "stop";
			stop = 1;
		} else
			cls = "permanent";
		er = mark_failed(s->db, c->id, 1, res->code, res->error, cls,
		    retryable, failed_at, now);
	}
	if (er == CBW_OK && cbw_db_changes(s->db) == 0)
		log_outcome(CBW_LOG_WARNING, c, "ligne modifiée pendant l'envoi : "
		    "résultat non enregistré", cls, built ? res->code : 0, NULL);
	if (er == CBW_OK && stop) {
		snprintf(reason, sizeof(reason), "Envoi suspendu : WhatsApp refuse "
		    "les envois (code %lld). %s Corrigez le compte ou le jeton "
		    "WhatsApp, puis reprenez la campagne.", res->code, res->error);
		er = cbw_db_exec(s->db, "UPDATE campaigns SET status_reason = ?, "
		    "updated_at = ? WHERE id = ?", "ssi", reason, now,
		    c->campaign_id);
	}
	if (er == CBW_OK)
		er = cbw_send_settle(s->db, c->campaign_id, now_ms);
	/* Réponse arrivée après le marquage « résultat inconnu » qui avait
	 * réglé la campagne en 'failed' : elle a finalement un succès. */
	if (er == CBW_OK && !unknown && built && res->cls == CBW_WA_OK)
		er = cbw_db_exec(s->db, "UPDATE campaigns SET status = 'completed', "
		    "updated_at = ? WHERE id = ? AND status = 'failed' AND "
		    "success_count > 0", "si", now, c->campaign_id);
	if (er == CBW_OK)
		er = cbw_db_commit(s->db);
	else
		cbw_db_rollback(s->db);
	if (er != CBW_OK)
		return er;
	if (!built || unknown || res->cls != CBW_WA_OK) {
		if (retryable)
			rep->retryable++;
		else
			rep->failed++;
		log_outcome(CBW_LOG_WARNING, c, "échec d'envoi", cls,
		    built && !unknown ? res->code : 0, built ? res->error : why);
	} else {
		rep->sent++;
		log_outcome(CBW_LOG_DEBUG, c, "message envoyé", cls, 0, NULL);
	}
	if (stop || limit) {
		rep->stopped = 1;
		if (stop)
			snprintf(rep->stop_reason, sizeof(rep->stop_reason),
			    "code d'arrêt WhatsApp %lld (campagne %lld en pause)",
			    res->code, c->campaign_id);
		else
			snprintf(rep->stop_reason, sizeof(rep->stop_reason),
			    "limite de débit WhatsApp atteinte (code %lld)",
			    res->code);
	}
	return CBW_OK;
}

/*
 * Construit le corps, appelle le transport hors transaction, puis
 * enregistre le résultat (réessayé si la base est occupée). Rend CBW_OK ou
 * l'erreur de base (la ligne reste alors 'sending' et sera marquée
 * « résultat inconnu » plus tard).
 */
static enum cbw_err
send_one(struct cbw_sender *s, const struct claim *c, struct cbw_send_report *rep)
{
	struct cbw_wa_result	 res;
	struct cbw_buf		 body;
	char			 why[256] = "";
	enum cbw_err		 er;
	int			 built, i;

	memset(&res, 0, sizeof(res));
	cbw_buf_init(&body);
	er = build_body(c, &body, why, sizeof(why));
	if (er == CBW_ENOMEM || (er == CBW_OK && body.oom))
		goto out;
	built = er == CBW_OK;
	if (!built && why[0] == '\0')
		snprintf(why, sizeof(why), "Message non envoyé : corps du "
		    "message impossible à construire (%s).", cbw_err_name(er));
	if (built)
		s->transport(s->transport_arg, cbw_buf_str(&body), &res);
	for (i = 0; i < RECORD_TRIES; i++) {
		if ((er = record(s, c, built, why, &res, rep)) != CBW_EBUSY)
			break;
		s->clock.sleep_ms(s->clock.arg, 200);
	}
	if (er != CBW_OK)
		log_outcome(CBW_LOG_ERROR, c, "résultat d'envoi non enregistré",
		    built ? cbw_wa_class_name(res.cls) : "permanent",
		    res.code, cbw_err_name(er));
out:
	if (er == CBW_ENOMEM || body.oom)
		er = CBW_ENOMEM;
	cbw_buf_free(&body);
	return er;
}

/*
 * Un passage (voir send.h) : réclamations orphelines, puis envois dus au
 * rythme permis jusqu'à run_ms (ou dès qu'il faudrait attendre si once),
 * en revenant chercher chaque seconde les lignes mises en file pendant le
 * passage ; s'arrête sur un code d'arrêt ou de limite, ou sur
 * cbw_send_stop après le message en cours. Rend CBW_OK, ou l'erreur de
 * base (CBW_EBUSY, CBW_EDB, CBW_ENOMEM).
 */
enum cbw_err
cbw_send_run(struct cbw_sender *s, struct cbw_send_report *rep)
{
	struct claim	 c;
	enum claim_rc	 rc;
	long long	 start, end, now, next, wake;
	long		 n;
	enum cbw_err	 er;

	memset(rep, 0, sizeof(*rep));
	memset(&c, 0, sizeof(c));
	start = s->clock.now_ms(s->clock.arg);
	end = start + s->run_ms;
	prune_attempts(s->db, start);
	for (;;) {
		if (cbw_send_stop)
			break;
		now = s->clock.now_ms(s->clock.arg);
		if (now >= end)
			break;
		if ((er = cbw_send_reap_stale(s->db, now, s->stale_ms, &n)) != CBW_OK)
			goto out;
		rep->stale += n;
		/* Lecture sans verrou d'abord ; la réclamation revérifie. */
		if (cbw_send_room(s->db, s->rate, now, &next) < 0) {
			er = CBW_EDB;
			goto out;
		}
		if (next > now)
			rc = CLAIM_WAIT;
		else if ((er = claim_next(s, now, &c, &rc, &next, rep)) != CBW_OK)
			goto out;
		if (rc == CLAIM_WAIT || rc == CLAIM_NONE) {
			if (s->once)
				break;
			wake = rc == CLAIM_WAIT ? next : now + POLL_MS;
			if (wake > end)
				wake = end;
			s->clock.sleep_ms(s->clock.arg, wake - now);
			continue;
		}
		er = send_one(s, &c, rep);
		claim_free(&c);
		if (er != CBW_OK)
			goto out;
		if (rep->stopped)
			break;
	}
	er = CBW_OK;
out:
	claim_free(&c);
	return er;
}

/* Heure réelle en millisecondes (argument inutilisé). */
static long long
real_now(void *arg)
{
	(void)arg;
	return cbw_now_ms();
}

/*
 * Attend `ms` millisecondes avec nanosleep, en reprenant après un signal,
 * sauf si l'arrêt a été demandé (cbw_send_stop).
 */
static void
real_sleep(void *arg, long long ms)
{
	struct timespec	 ts, rem;

	(void)arg;
	if (ms <= 0)
		return;
	ts.tv_sec = (time_t)(ms / 1000);
	ts.tv_nsec = (long)(ms % 1000) * 1000000L;
	while (nanosleep(&ts, &rem) != 0 && errno == EINTR && !cbw_send_stop)
		ts = rem;
}

const struct cbw_send_clock cbw_send_real_clock = { real_now, real_sleep, NULL };

/*
 * Compte les messages au statut pending dans msg_status_counts (tenu par
 * les déclencheurs de la migration 0006). Rend CBW_OK avec *n, ou CBW_EDB.
 */
enum cbw_err
cbw_send_waiting(struct cbw_db *db, long long *n)
{
	return cbw_db_query_int(db, n, "SELECT coalesce(sum(n), 0) FROM "
	    "msg_status_counts WHERE status = 'pending'", "");
}
