/*
 * Campagnes (voir campaign.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "buf.h"
#include "campaign.h"
#include "clock.h"
#include "csv.h"
#include "db.h"
#include "json.h"
#include "message.h"
#include "owner.h"
#include "url.h"
#include "valid.h"

/* Statuts d'une campagne, dans l'ordre du schéma. */
static const char *const statuses[] = {
	"draft", "sending", "completed", "failed", "cancelled"
};

/* Vrai si `status` est un statut de campagne connu. */
int
cbw_campaign_status_ok(const char *status)
{
	size_t	 i;

	for (i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++)
		if (status != NULL && strcmp(status, statuses[i]) == 0)
			return 1;
	return 0;
}

/* Taux de réussite (propriété 6), arrondi au dixième ; 0 si total nul. */
double
cbw_success_rate(long long success, long long total)
{
	long long	 tenths;

	if (total <= 0 || success <= 0)
		return 0.0;
	if (success > total)
		success = total;
	tenths = (success * 1000 + total / 2) / total;
	return (double)tenths / 10.0;
}

/* Taux de réussite écrit à la française : « 66,7 % » (voir campaign.h). */
void
cbw_success_rate_text(long long success, long long total, char *out,
    size_t len)
{
	char	*dot;

	snprintf(out, len, "%.1f %%", cbw_success_rate(success, total));
	if ((dot = strchr(out, '.')) != NULL)
		*dot = ',';
}

/* Variables permises dans un message, avec le champ du contact. */
static const char *const variables[] = { "first_name", "last_name" };

/* Vrai si `field` est un champ de contact permis en paramètre de modèle. */
int
cbw_campaign_param_ok(const char *field)
{
	size_t	 i;

	for (i = 0; i < sizeof(variables) / sizeof(variables[0]); i++)
		if (field != NULL && strcmp(field, variables[i]) == 0)
			return 1;
	return 0;
}

/* Nom de modèle : minuscules, chiffres et « _ », 1 à 512 caractères. */
int
cbw_campaign_template_ok(const char *name)
{
	size_t	 i;

	if (name == NULL || *name == '\0' || strlen(name) > 512)
		return 0;
	for (i = 0; name[i] != '\0'; i++)
		if (!((name[i] >= 'a' && name[i] <= 'z') ||
		    (name[i] >= '0' && name[i] <= '9') || name[i] == '_'))
			return 0;
	return 1;
}

/* Code de langue : 2 ou 3 minuscules, puis éventuellement « _ » et 2 majuscules. */
int
cbw_campaign_language_ok(const char *c)
{
	size_t	 n = 0;

	if (c == NULL)
		return 0;
	while (c[n] >= 'a' && c[n] <= 'z')
		n++;
	if (n < 2 || n > 3)
		return 0;
	if (c[n] == '\0')
		return 1;
	return c[n] == '_' && c[n + 1] >= 'A' && c[n + 1] <= 'Z' &&
	    c[n + 2] >= 'A' && c[n + 2] <= 'Z' && c[n + 3] == '\0';
}

/*
 * Nombre d'octets à citer de s (n octets d'UTF-8 valide) : au plus 40, sans
 * couper une séquence, pour que le message reste de l'UTF-8 valide.
 */
static int
quote_len(const char *s, size_t n)
{
	if (n > 40) {
		n = 40;
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
	}
	return (int)n;
}

/*
 * Vérifie les variables « {{…}} » d'un texte. CBW_OK, ou CBW_EINVAL avec
 * un message qui nomme la première variable inconnue ou mal fermée.
 */
static enum cbw_err
check_variables(const char *text, char *msg, size_t len)
{
	const char	*p = text, *end;
	size_t		 i, n;

	while ((p = strstr(p, "{{")) != NULL) {
		if ((end = strstr(p + 2, "}}")) == NULL) {
			snprintf(msg, len, "Variable mal fermée : « %.*s ». Écrivez "
			    "{{first_name}} ou {{last_name}}.",
			    quote_len(p, strnlen(p, 41)), p);
			return CBW_EINVAL;
		}
		n = (size_t)(end - p - 2);
		for (i = 0; i < sizeof(variables) / sizeof(variables[0]); i++)
			if (strlen(variables[i]) == n &&
			    strncmp(p + 2, variables[i], n) == 0)
				break;
		if (i == sizeof(variables) / sizeof(variables[0])) {
			snprintf(msg, len, "Variable inconnue « {{%.*s}} » : seules "
			    "{{first_name}} et {{last_name}} sont permises.",
			    quote_len(p + 2, n), p + 2);
			return CBW_EINVAL;
		}
		p = end + 2;
	}
	return CBW_OK;
}

/* Vérifie un texte de message (voir campaign.h). */
enum cbw_err
cbw_campaign_check_text(const char *text, char *msg, size_t len)
{
	const unsigned char	*s = (const unsigned char *)text;
	char			 bad[200];
	size_t			 i = 0, n = 0, k, tl;

	if (text == NULL || *text == '\0') {
		snprintf(msg, len, "Le message est obligatoire.");
		return CBW_EINVAL;
	}
	tl = strlen(text);
	while (i < tl) {
		if ((k = cbw_utf8_seq(s + i, tl - i)) == 0 ||
		    (s[i] < 0x20 && s[i] != '\n' && s[i] != '\r' && s[i] != '\t') ||
		    s[i] == 0x7f) {
			snprintf(msg, len, "Le message contient un caractère "
			    "invalide (texte UTF-8 sans caractère de contrôle).");
			return CBW_EINVAL;
		}
		i += k;
		n++;
	}
	if (n > CBW_MSG_MAX) {
		snprintf(msg, len, "Message trop long : %zu caractères, WhatsApp "
		    "en accepte %d au plus.", n, CBW_MSG_MAX);
		return CBW_EINVAL;
	}
	if (check_variables(text, msg, len) != CBW_OK)
		return CBW_EINVAL;
	if (cbw_url_check_text(text, bad, sizeof(bad)) != CBW_OK) {
		snprintf(msg, len, "Adresse invalide : « %s ». Utilisez une adresse "
		    "complète en http:// ou https://.", bad);
		return CBW_EINVAL;
	}
	return CBW_OK;
}

/* Remplace les variables par les champs du contact. */
enum cbw_err
cbw_campaign_render(struct cbw_buf *b, const char *text, const char *first,
    const char *last)
{
	const char	*p = text, *v;
	enum cbw_err	 er = CBW_OK;

	while (er == CBW_OK && *p != '\0') {
		if (strncmp(p, "{{first_name}}", 14) == 0) {
			v = first;
			p += 14;
		} else if (strncmp(p, "{{last_name}}", 13) == 0) {
			v = last;
			p += 13;
		} else {
			er = cbw_buf_putc(b, *p++);
			continue;
		}
		er = cbw_buf_puts(b, v != NULL ? v : "");
	}
	return er;
}

/* Écrit les identifiants en tableau JSON texte « [1,2] » dans b. */
static enum cbw_err
ids_json(struct cbw_buf *b, const long long *ids, size_t n)
{
	size_t		 i;
	enum cbw_err	 er = cbw_buf_putc(b, '[');

	for (i = 0; er == CBW_OK && i < n; i++)
		er = cbw_buf_printf(b, "%s%lld", i ? "," : "", ids[i]);
	return er == CBW_OK ? cbw_buf_putc(b, ']') : er;
}

/* Recopie le tableau des paramètres de modèle en JSON texte (NULL si vide). */
static enum cbw_err
params_json(struct cbw_buf *b, const struct cbw_campaign_in *in)
{
	size_t		 i;
	enum cbw_err	 er = CBW_OK;

	if (in->nparams == 0)
		return CBW_OK;
	er = cbw_buf_putc(b, '[');
	for (i = 0; er == CBW_OK && i < in->nparams; i++)
		er = cbw_buf_printf(b, "%s\"%s\"", i ? "," : "", in->params[i]);
	return er == CBW_OK ? cbw_buf_putc(b, ']') : er;
}

/*
 * Vérifie que toutes les catégories sont à `owner` (dans la transaction
 * en cours) ; CBW_ENOTFOUND sinon.
 */
static enum cbw_err
cats_owned(struct cbw_db *db, long long owner, const char *ids)
{
	long long	 n;
	enum cbw_err	 er;

	if ((er = cbw_db_query_int(db, &n, "SELECT count(*) FROM json_each(?) j "
	    "LEFT JOIN categories c ON c.id = j.value AND c.created_by = ? "
	    "WHERE c.id IS NULL", "si", ids, owner)) != CBW_OK)
		return er;
	return n == 0 ? CBW_OK : CBW_ENOTFOUND;
}

/* Écrit les champs et les catégories d'un brouillon (dans une transaction). */
static enum cbw_err
store(struct cbw_db *db, long long owner, long long *id,
    const struct cbw_campaign_in *in, int create)
{
	struct cbw_buf	 ids, params;
	char		 now[32];
	enum cbw_err	 er;

	cbw_buf_init(&ids);
	cbw_buf_init(&params);
	cbw_time_iso(cbw_now(), now, sizeof(now));
	if ((er = ids_json(&ids, in->cats, in->ncats)) != CBW_OK ||
	    (er = params_json(&params, in)) != CBW_OK ||
	    (er = cats_owned(db, owner, cbw_buf_str(&ids))) != CBW_OK)
		goto out;
	if (create) {
		er = cbw_db_exec(db, "INSERT INTO campaigns(name, message_1, "
		    "message_2, template_name, template_language, template_params, "
		    "created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, "
		    "?, ?, ?)", "ssssssiss", in->name, in->message_1, in->message_2,
		    in->template_name, in->template_language, params.len ?
		    cbw_buf_str(&params) : NULL, owner, now, now);
		*id = cbw_db_last_id(db);
	} else
		er = cbw_db_exec(db, "UPDATE campaigns SET name = ?, message_1 = ?, "
		    "message_2 = ?, template_name = ?, template_language = ?, "
		    "template_params = ?, updated_at = ? WHERE id = ?", "sssssssi",
		    in->name, in->message_1, in->message_2, in->template_name,
		    in->template_language, params.len ? cbw_buf_str(&params) : NULL,
		    now, *id);
	if (er != CBW_OK ||
	    (er = cbw_db_exec(db, "DELETE FROM campaign_categories WHERE "
	    "campaign_id = ?", "i", *id)) != CBW_OK)
		goto out;
	er = cbw_db_exec(db, "INSERT OR IGNORE INTO campaign_categories("
	    "campaign_id, category_id) SELECT ?, value FROM json_each(?)", "is",
	    *id, cbw_buf_str(&ids));
out:
	cbw_buf_free(&ids);
	cbw_buf_free(&params);
	return er;
}

/* Statut d'une campagne de `owner` ; CBW_ENOTFOUND. Copie dans st. */
static enum cbw_err
status_of(struct cbw_db *db, long long owner, long long id, char *st,
    size_t len)
{
	char		*s = NULL;
	enum cbw_err	 er;

	if ((er = cbw_db_query_text(db, &s, "SELECT status FROM campaigns WHERE "
	    "id = ? AND created_by = ?", "ii", id, owner)) != CBW_OK)
		return er;
	snprintf(st, len, "%s", s);
	free(s);
	return CBW_OK;
}

/* Crée un brouillon (voir campaign.h). */
enum cbw_err
cbw_campaign_create(struct cbw_db *db, long long owner,
    const struct cbw_campaign_in *in, long long *id)
{
	enum cbw_err	 er;

	if ((er = cbw_db_begin(db)) != CBW_OK)
		return er;
	if ((er = store(db, owner, id, in, 1)) != CBW_OK ||
	    (er = cbw_db_commit(db)) != CBW_OK)
		cbw_db_rollback(db);
	return er;
}

/* Remplace un brouillon (voir campaign.h). */
enum cbw_err
cbw_campaign_update(struct cbw_db *db, long long owner, long long id,
    const struct cbw_campaign_in *in)
{
	char		 st[16];
	enum cbw_err	 er;

	if ((er = cbw_db_begin(db)) != CBW_OK)
		return er;
	if ((er = status_of(db, owner, id, st, sizeof(st))) == CBW_OK &&
	    strcmp(st, "draft") != 0)
		er = CBW_ECONFLICT;
	if (er != CBW_OK || (er = store(db, owner, &id, in, 0)) != CBW_OK ||
	    (er = cbw_db_commit(db)) != CBW_OK)
		cbw_db_rollback(db);
	return er;
}

/* Supprime une campagne qui n'envoie pas (voir campaign.h). */
enum cbw_err
cbw_campaign_delete(struct cbw_db *db, long long owner, long long id)
{
	char		 st[16];
	enum cbw_err	 er;

	if ((er = cbw_db_begin(db)) != CBW_OK)
		return er;
	if ((er = status_of(db, owner, id, st, sizeof(st))) == CBW_OK &&
	    strcmp(st, "sending") == 0)
		er = CBW_ECONFLICT;
	if (er != CBW_OK || (er = cbw_db_exec(db, "DELETE FROM campaigns WHERE "
	    "id = ? AND created_by = ?", "ii", id, owner)) != CBW_OK ||
	    (er = cbw_db_commit(db)) != CBW_OK)
		cbw_db_rollback(db);
	return er;
}

/* Contacts joignables des catégories (JSON d'ids) de `owner`. */
#define REACHABLE "SELECT DISTINCT c.id FROM json_each(?1) j " \
	"JOIN categories g ON g.id = j.value AND g.created_by = ?2 " \
	"JOIN category_contacts cc ON cc.category_id = g.id " \
	"JOIN contacts c ON c.id = cc.contact_id AND c.opted_out_at IS NULL"

/* Noms des catégories (JSON d'ids) sans destinataire joignable. */
static enum cbw_err
empty_cats(struct cbw_db *db, long long owner, const char *ids,
    struct json_object **empty)
{
	struct json_object	*rows;
	size_t			 i;
	enum cbw_err		 er;

	*empty = NULL;
	if ((er = cbw_db_query_json(db, &rows, "SELECT g.name FROM json_each(?1) j "
	    "JOIN categories g ON g.id = j.value AND g.created_by = ?2 WHERE NOT "
	    "EXISTS (SELECT 1 FROM category_contacts cc JOIN contacts c ON c.id = "
	    "cc.contact_id AND c.opted_out_at IS NULL WHERE cc.category_id = g.id) "
	    "ORDER BY g.name", "si", ids, owner)) != CBW_OK)
		return er;
	if ((*empty = json_object_new_array()) == NULL) {
		json_object_put(rows);
		return CBW_ENOMEM;
	}
	for (i = 0; i < json_object_array_length(rows); i++)
		json_object_array_add(*empty, json_object_get(json_object_object_get(
		    json_object_array_get_idx(rows, i), "name")));
	json_object_put(rows);
	return CBW_OK;
}

/* Destinataires joignables (voir campaign.h). */
enum cbw_err
cbw_campaign_recipients(struct cbw_db *db, long long owner,
    const long long *cats, size_t n, long long *count,
    struct json_object **empty)
{
	struct cbw_buf	 ids;
	enum cbw_err	 er;

	*count = 0;
	if (empty != NULL)
		*empty = NULL;
	cbw_buf_init(&ids);
	if ((er = ids_json(&ids, cats, n)) != CBW_OK ||
	    (er = cats_owned(db, owner, cbw_buf_str(&ids))) != CBW_OK ||
	    (er = cbw_db_query_int(db, count, "SELECT count(*) FROM (" REACHABLE
	    ")", "si", cbw_buf_str(&ids), owner)) != CBW_OK)
		goto out;
	if (empty != NULL)
		er = empty_cats(db, owner, cbw_buf_str(&ids), empty);
out:
	cbw_buf_free(&ids);
	return er;
}

/* Catégories d'une campagne en tableau JSON texte d'identifiants (à libérer). */
static enum cbw_err
campaign_cats(struct cbw_db *db, long long id, char **ids)
{
	return cbw_db_query_text(db, ids, "SELECT json_group_array(category_id) "
	    "FROM campaign_categories WHERE campaign_id = ?", "i", id);
}

/* Lance un brouillon (voir campaign.h). */
enum cbw_err
cbw_campaign_launch(struct cbw_db *db, long long owner, long long id,
    long long *recipients, struct json_object **empty)
{
	char		 st[16], now[32], *ids = NULL;
	enum cbw_err	 er;

	*recipients = 0;
	*empty = NULL;
	cbw_time_iso(cbw_now(), now, sizeof(now));
	if ((er = cbw_db_begin(db)) != CBW_OK)
		return er;
	if ((er = status_of(db, owner, id, st, sizeof(st))) == CBW_OK &&
	    strcmp(st, "draft") != 0)
		er = CBW_ECONFLICT;
	if (er != CBW_OK || (er = campaign_cats(db, id, &ids)) != CBW_OK)
		goto fail;
	/*
	 * Variables remplacées en une passe, comme cbw_campaign_render : le
	 * nom passe par char(1) (absent des messages et des noms) pour qu'un
	 * prénom qui contient « {{last_name}} » reste tel quel.
	 */
	if ((er = cbw_db_exec(db, "INSERT OR IGNORE INTO messages(campaign_id, "
	    "contact_id, message_type, content, status, created_at, updated_at, "
	    "owner_id) SELECT ?3, c.id, 'message_1', replace(replace(replace(k.message_1, "
	    "'{{last_name}}', char(1)), '{{first_name}}', coalesce(c.first_name, "
	    "'')), char(1), coalesce(c.last_name, '')), 'pending', ?4, ?4, ?2 FROM ("
	    REACHABLE
	    ") r JOIN contacts c ON c.id = r.id JOIN campaigns k ON k.id = ?3 "
	    "ORDER BY c.id", "siis", ids, owner, id, now)) != CBW_OK)
		goto fail;
	if ((*recipients = cbw_db_changes(db)) == 0) {
		if ((er = empty_cats(db, owner, ids, empty)) == CBW_OK)
			er = CBW_EINVAL;
		goto fail;
	}
	if ((er = cbw_db_exec(db, "UPDATE campaigns SET status = 'sending', "
	    "status_reason = NULL, total_recipients = ?, launched_at = ?, "
	    "updated_at = ? WHERE id = ?", "issi", *recipients, now, now,
	    id)) != CBW_OK || (er = cbw_db_commit(db)) != CBW_OK)
		goto fail;
	free(ids);
	return CBW_OK;
fail:
	cbw_db_rollback(db);
	free(ids);
	return er;
}

/* Annule une campagne en cours (voir campaign.h). */
enum cbw_err
cbw_campaign_cancel(struct cbw_db *db, long long owner, long long id,
    long long *n)
{
	char		 st[16], now[32];
	enum cbw_err	 er;

	*n = 0;
	cbw_time_iso(cbw_now(), now, sizeof(now));
	if ((er = cbw_db_begin(db)) != CBW_OK)
		return er;
	if ((er = status_of(db, owner, id, st, sizeof(st))) == CBW_OK &&
	    strcmp(st, "sending") != 0)
		er = CBW_ECONFLICT;
	if (er != CBW_OK || (er = cbw_db_exec(db, "UPDATE messages SET status = "
	    "'cancelled', updated_at = ? WHERE campaign_id = ? AND status = "
	    "'pending'", "si", now, id)) != CBW_OK)
		goto fail;
	*n = cbw_db_changes(db);
	if ((er = cbw_db_exec(db, "UPDATE campaigns SET status = 'cancelled', "
	    "completed_at = ?, updated_at = ? WHERE id = ?", "ssi", now, now,
	    id)) != CBW_OK || (er = cbw_db_commit(db)) != CBW_OK)
		goto fail;
	return CBW_OK;
fail:
	cbw_db_rollback(db);
	return er;
}

/* Échecs qu'un nouvel essai peut faire réussir (reprise manuelle). */
#define RETRY_OK "m.status = 'failed' AND coalesce(m.error_class, " \
	"'retryable') IN ('retryable', 'unknown', 'stop')"

/* Reprise manuelle des échecs (voir campaign.h). */
enum cbw_err
cbw_campaign_retry(struct cbw_db *db, long long owner, long long id,
    struct json_object **result)
{
	struct json_object	*skipped;
	long long		 permanent = 0, opted = 0, n;
	char			 st[16], now[32];
	enum cbw_err		 er;

	*result = NULL;
	cbw_time_iso(cbw_now(), now, sizeof(now));
	if ((er = cbw_db_begin(db)) != CBW_OK)
		return er;
	if ((er = status_of(db, owner, id, st, sizeof(st))) != CBW_OK)
		goto fail;
	if (strcmp(st, "draft") == 0 || strcmp(st, "cancelled") == 0) {
		er = CBW_ECONFLICT;
		goto fail;
	}
	if ((er = cbw_db_query_int(db, &permanent, "SELECT count(*) FROM messages "
	    "m WHERE m.campaign_id = ? AND m.status = 'failed' AND NOT (" RETRY_OK
	    ")", "i", id)) != CBW_OK ||
	    (er = cbw_db_query_int(db, &opted, "SELECT count(*) FROM messages m "
	    "JOIN contacts c ON c.id = m.contact_id WHERE m.campaign_id = ? AND "
	    RETRY_OK " AND c.opted_out_at IS NOT NULL", "i", id)) != CBW_OK ||
	    (er = cbw_db_exec(db, "UPDATE messages AS m SET status = 'pending', "
	    "retry_count = 3, next_attempt_at = NULL, claimed_at = NULL, "
	    "updated_at = ?1 WHERE m.campaign_id = ?2 AND " RETRY_OK " AND "
	    "m.contact_id IN (SELECT id FROM contacts WHERE opted_out_at IS NULL)",
	    "si", now, id)) != CBW_OK)
		goto fail;
	n = cbw_db_changes(db);
	if (n > 0 && (er = cbw_db_exec(db, "UPDATE campaigns SET status = "
	    "'sending', status_reason = NULL, completed_at = NULL, updated_at = ? "
	    "WHERE id = ?", "si", now, id)) != CBW_OK)
		goto fail;
	if ((er = cbw_db_commit(db)) != CBW_OK)
		goto fail;
	if ((*result = json_object_new_object()) == NULL ||
	    (skipped = json_object_new_object()) == NULL) {
		json_object_put(*result);
		*result = NULL;
		return CBW_ENOMEM;
	}
	json_object_object_add(*result, "requeued", json_object_new_int64(n));
	json_object_object_add(skipped, "permanent", json_object_new_int64(permanent));
	json_object_object_add(skipped, "opted_out", json_object_new_int64(opted));
	json_object_object_add(*result, "skipped", skipped);
	return CBW_OK;
fail:
	cbw_db_rollback(db);
	return er;
}

/* Colonnes publiques d'une campagne. */
#define CAMPAIGN_COLS "k.id, k.name, k.message_1, k.message_2, " \
	"k.template_name, k.template_language, k.template_params, k.status, " \
	"k.status_reason, k.total_recipients, k.sent_count, k.success_count, " \
	"k.failed_count, k.interaction_count, k.launched_at, k.completed_at, " \
	"k.created_at, k.updated_at, (SELECT count(*) FROM messages m WHERE " \
	"m.campaign_id = k.id AND m.message_type = 'message_1' AND m.status IN " \
	"('pending', 'sending')) AS pending_count"

/* Durée estimée en français (voir campaign.h). */
void
cbw_campaign_eta_text(long long seconds, char *out, size_t len)
{
	long long	 min = (seconds + 59) / 60;

	if (seconds < 60)
		snprintf(out, len, "moins d'une minute");
	else if (min < 60)
		snprintf(out, len, "environ %lld min", min);
	else
		snprintf(out, len, "environ %lld h %02lld", min / 60, min % 60);
}

/* Secondes pour envoyer n messages à `rate` par minute (voir campaign.h). */
long long
cbw_campaign_eta_seconds(long long n, long rate)
{
	return rate > 0 ? (n * 60 + rate - 1) / rate : 0;
}

/* Ajoute success_rate et progress (pourcentage traité) à une campagne. */
static void
add_rates(struct json_object *k)
{
	long long	 total, success, done;
	double		 rate;
	char		 txt[32];

	total = json_object_get_int64(json_object_object_get(k, "total_recipients"));
	success = json_object_get_int64(json_object_object_get(k, "success_count"));
	done = json_object_get_int64(json_object_object_get(k, "sent_count"));
	/* Écrit au dixième (66.7, pas 66.700000000000003), comme page et export. */
	rate = cbw_success_rate(success, total);
	snprintf(txt, sizeof(txt), "%.1f", rate);
	json_object_object_add(k, "success_rate", json_object_new_double_s(rate,
	    txt));
	json_object_object_add(k, "progress", json_object_new_int64(total > 0 ?
	    (done >= total ? 100 : done * 100 / total) : 0));
}

/* Remplace template_params (texte JSON) par un vrai tableau. */
static void
parse_params(struct json_object *k)
{
	const char		*t = json_object_get_string(json_object_object_get(k,
				    "template_params"));
	struct json_object	*a = t != NULL ? json_tokener_parse(t) : NULL;

	if (a == NULL || !json_object_is_type(a, json_type_array)) {
		json_object_put(a);
		a = json_object_new_array();
	}
	json_object_object_add(k, "template_params", a);
}

/* Une campagne avec catégories, compteurs et taux (voir campaign.h). */
enum cbw_err
cbw_campaign_get(struct cbw_db *db, long long owner, long long id,
    struct json_object **out)
{
	struct json_object	*k, *cats;
	enum cbw_err		 er;

	*out = NULL;
	if ((er = cbw_db_query_row(db, &k, "SELECT " CAMPAIGN_COLS " FROM "
	    "campaigns k WHERE k.id = ? AND k.created_by = ?", "ii", id,
	    owner)) != CBW_OK)
		return er;
	if ((er = cbw_db_query_json(db, &cats, "SELECT g.id, g.name, g.color FROM "
	    "campaign_categories cc JOIN categories g ON g.id = cc.category_id "
	    "WHERE cc.campaign_id = ? ORDER BY g.name", "i", id)) != CBW_OK) {
		json_object_put(k);
		return er;
	}
	json_object_object_add(k, "categories", cats);
	parse_params(k);
	add_rates(k);
	*out = k;
	return CBW_OK;
}

/* Page de campagnes (voir campaign.h). */
enum cbw_err
cbw_campaign_list(struct cbw_db *db, long long owner, const char *status,
    long long page, long long per_page, struct json_object **items,
    long long *total)
{
	size_t		 i;
	enum cbw_err	 er;

	*items = NULL;
	if (status != NULL && *status == '\0')
		status = NULL;
	if ((er = cbw_db_query_int(db, total, "SELECT count(*) FROM campaigns "
	    "WHERE created_by = ?1 AND (?2 IS NULL OR status = ?2)", "is", owner,
	    status)) != CBW_OK)
		return er;
	if ((er = cbw_db_query_json(db, items, "SELECT " CAMPAIGN_COLS " FROM "
	    "campaigns k WHERE k.created_by = ?1 AND (?2 IS NULL OR k.status = ?2) "
	    "ORDER BY k.id DESC LIMIT ?3 OFFSET ?4", "isii", owner, status,
	    per_page, (page - 1) * per_page)) != CBW_OK)
		return er;
	for (i = 0; i < json_object_array_length(*items); i++) {
		parse_params(json_object_array_get_idx(*items, i));
		add_rates(json_object_array_get_idx(*items, i));
	}
	return CBW_OK;
}

/* Statuts d'un message, pour les effectifs. */
static const char *const msg_statuses[] = {
	"pending", "sending", "sent", "delivered", "read", "failed", "cancelled"
};

/* Effectifs par statut d'un type de message (toutes les clés présentes). */
static enum cbw_err
counts(struct cbw_db *db, long long id, const char *type,
    struct json_object **out)
{
	struct json_object	*rows, *o, *row;
	size_t			 i;
	enum cbw_err		 er;

	if ((er = cbw_db_query_json(db, &rows, "SELECT status, count(*) AS n FROM "
	    "messages WHERE campaign_id = ? AND message_type = ? GROUP BY status",
	    "is", id, type)) != CBW_OK)
		return er;
	o = json_object_new_object();
	for (i = 0; i < sizeof(msg_statuses) / sizeof(msg_statuses[0]); i++)
		json_object_object_add(o, msg_statuses[i], json_object_new_int64(0));
	for (i = 0; i < json_object_array_length(rows); i++) {
		row = json_object_array_get_idx(rows, i);
		json_object_object_add(o, json_object_get_string(
		    json_object_object_get(row, "status")), json_object_get(
		    json_object_object_get(row, "n")));
	}
	json_object_put(rows);
	*out = o;
	return CBW_OK;
}

/* Colonnes d'une ligne par contact des statistiques et de l'export. */
#define ROW_COLS "m.id, m.contact_id, c.first_name, c.last_name, " \
	"c.full_number, m.message_type, m.status, m.error_code, " \
	"m.error_message, m.error_class, m.retry_count, m.next_attempt_at, " \
	"m.sent_at, m.delivered_at, m.read_at, m.failed_at, m.whatsapp_message_id"

/* Statistiques d'une campagne (voir campaign.h). */
enum cbw_err
cbw_campaign_stats(struct cbw_db *db, long long owner, long long id,
    long rate, long long page, long long per_page, struct json_object **out)
{
	struct json_object	*k = NULL, *c1 = NULL, *c2 = NULL, *rows = NULL, *cnt;
	long long		 replies = 0, remaining, total;
	enum cbw_err		 er;

	*out = NULL;
	if ((er = cbw_campaign_get(db, owner, id, &k)) != CBW_OK ||
	    (er = counts(db, id, "message_1", &c1)) != CBW_OK ||
	    (er = counts(db, id, "message_2", &c2)) != CBW_OK ||
	    (er = cbw_db_query_int(db, &replies, "SELECT count(*) FROM "
	    "interactions WHERE campaign_id = ? AND interaction_type IN ('reply', "
	    "'reaction')", "i", id)) != CBW_OK ||
	    (er = cbw_db_query_int(db, &total, "SELECT count(*) FROM messages "
	    "WHERE campaign_id = ?", "i", id)) != CBW_OK ||
	    (er = cbw_db_query_json(db, &rows, "SELECT " ROW_COLS " FROM messages "
	    "m JOIN contacts c ON c.id = m.contact_id WHERE m.campaign_id = ? "
	    "ORDER BY m.message_type, m.id LIMIT ? OFFSET ?", "iii", id, per_page,
	    (page - 1) * per_page)) != CBW_OK)
		goto fail;
	remaining = json_object_get_int64(json_object_object_get(c1, "pending")) +
	    json_object_get_int64(json_object_object_get(c1, "sending")) +
	    json_object_get_int64(json_object_object_get(c2, "pending")) +
	    json_object_get_int64(json_object_object_get(c2, "sending"));
	cnt = json_object_new_object();
	json_object_object_add(cnt, "message_1", c1);
	json_object_object_add(cnt, "message_2", c2);
	json_object_object_add(k, "counts", cnt);
	json_object_object_add(k, "replies", json_object_new_int64(replies));
	json_object_object_add(k, "remaining", json_object_new_int64(remaining));
	json_object_object_add(k, "rate_per_minute", json_object_new_int64(rate));
	json_object_object_add(k, "eta_seconds", json_object_new_int64(
	    cbw_campaign_eta_seconds(remaining, rate)));
	json_object_object_add(k, "rows", cbw_json_list(rows, total, page,
	    per_page));
	*out = k;
	return CBW_OK;
fail:
	json_object_put(k);
	json_object_put(c1);
	json_object_put(c2);
	return er;
}

/* Résultats par contact en CSV (voir campaign.h). */
enum cbw_err
cbw_campaign_export(struct cbw_db *db, long long owner, long long id,
    struct cbw_buf *out)
{
	static const char *const head[] = { "Prénom", "Nom", "Numéro", "Message",
	    "Statut", "Envoyé le", "Distribué le", "Lu le", "Erreur",
	    "Reprises", "Taux de réussite de la campagne" };
	struct cbw_stmt	*s;
	const char	*cells[11];
	char		 rate[32], tries[24];
	long long	 total, success;
	enum cbw_step	 st = CBW_STEP_DONE;
	enum cbw_err	 er;

	if ((er = cbw_owner_check(db, CBW_OWN_CAMPAIGN, owner, id)) != CBW_OK ||
	    (er = cbw_db_query_int(db, &total, "SELECT total_recipients FROM "
	    "campaigns WHERE id = ?", "i", id)) != CBW_OK ||
	    (er = cbw_db_query_int(db, &success, "SELECT success_count FROM "
	    "campaigns WHERE id = ?", "i", id)) != CBW_OK)
		return er;
	cbw_success_rate_text(success, total, rate, sizeof(rate));
	if ((er = cbw_buf_puts(out, "\xef\xbb\xbf")) != CBW_OK ||
	    (er = cbw_csv_row(out, head, 11, ';')) != CBW_OK ||
	    (er = cbw_db_prepare(db, "SELECT c.first_name, c.last_name, "
	    "c.full_number, m.message_type, m.status, m.sent_at, m.delivered_at, "
	    "m.read_at, m.error_message, m.retry_count FROM messages m JOIN "
	    "contacts c ON c.id = m.contact_id WHERE m.campaign_id = ? ORDER BY "
	    "m.message_type, m.id", &s)) != CBW_OK)
		return er;
	if ((er = cbw_db_bind(s, "i", id)) != CBW_OK) {
		cbw_db_done(s);
		return er;
	}
	while (er == CBW_OK && (st = cbw_db_step(s)) == CBW_STEP_ROW) {
		cells[0] = cbw_db_col_text(s, 0);
		cells[1] = cbw_db_col_text(s, 1);
		cells[2] = cbw_db_col_text(s, 2);
		cells[3] = strcmp(cbw_db_col_text(s, 3), "message_2") == 0 ?
		    "Message 2" : "Message 1";
		cells[4] = cbw_message_status_label(cbw_db_col_text(s, 4));
		cells[5] = cbw_db_col_text(s, 5);
		cells[6] = cbw_db_col_text(s, 6);
		cells[7] = cbw_db_col_text(s, 7);
		cells[8] = cbw_db_col_text(s, 8);
		snprintf(tries, sizeof(tries), "%lld", cbw_db_col_int(s, 9));
		cells[9] = tries;
		cells[10] = rate;
		er = cbw_csv_row(out, cells, 11, ';');
	}
	cbw_db_done(s);
	if (er == CBW_OK && st != CBW_STEP_DONE)
		er = CBW_EDB;
	return er;
}

/* Nombre de contacts joignables par catégorie de `owner` (voir campaign.h). */
enum cbw_err
cbw_campaign_reachable(struct cbw_db *db, long long owner,
    struct json_object **rows)
{
	return cbw_db_query_json(db, rows, "SELECT g.id AS category_id, "
	    "count(c.id) AS n FROM categories g LEFT JOIN category_contacts cc ON "
	    "cc.category_id = g.id LEFT JOIN contacts c ON c.id = cc.contact_id "
	    "AND c.opted_out_at IS NULL WHERE g.created_by = ? GROUP BY g.id",
	    "i", owner);
}

/* Un contact nommé de `owner` pour l'aperçu (voir campaign.h). */
enum cbw_err
cbw_campaign_sample(struct cbw_db *db, long long owner, struct json_object **row)
{
	return cbw_db_query_row(db, row, "SELECT first_name, last_name FROM "
	    "contacts WHERE created_by = ? AND first_name IS NOT NULL ORDER BY id "
	    "LIMIT 1", "i", owner);
}

/* Dernières réponses et réactions d'une campagne (voir campaign.h). */
enum cbw_err
cbw_campaign_replies(struct cbw_db *db, long long owner, long long id,
    long long limit, struct json_object **rows)
{
	enum cbw_err	 er;

	*rows = NULL;
	if ((er = cbw_owner_check(db, CBW_OWN_CAMPAIGN, owner, id)) != CBW_OK)
		return er;
	return cbw_db_query_json(db, rows, "SELECT i.id, i.interaction_type, "
	    "i.content, i.received_at, c.id AS contact_id, c.first_name, "
	    "c.last_name, c.full_number FROM interactions i JOIN contacts c ON "
	    "c.id = i.contact_id WHERE i.campaign_id = ? AND i.interaction_type IN "
	    "('reply', 'reaction') ORDER BY i.received_at DESC, i.id DESC LIMIT ?",
	    "ii", id, limit);
}

/* Libellé français d'un statut de campagne (voir campaign.h). */
const char *
cbw_campaign_status_label(const char *s)
{
	static const char *const labels[][2] = {
		{ "draft", "Brouillon" }, { "sending", "En cours d'envoi" },
		{ "completed", "Terminée" }, { "failed", "Échouée" },
		{ "cancelled", "Annulée" },
	};
	size_t	 i;

	for (i = 0; s != NULL && i < sizeof(labels) / sizeof(labels[0]); i++)
		if (strcmp(s, labels[i][0]) == 0)
			return labels[i][1];
	return s ? s : "";
}

/* Libellés d'une campagne pour les pages (voir campaign.h). */
void
cbw_campaign_decorate(struct json_object *k)
{
	char	 rate[32];

	json_object_object_add(k, "status_label", json_object_new_string(
	    cbw_campaign_status_label(json_object_get_string(json_object_object_get(k,
	    "status")))));
	cbw_success_rate_text(json_object_get_int64(json_object_object_get(k,
	    "success_count")), json_object_get_int64(json_object_object_get(k,
	    "total_recipients")), rate, sizeof(rate));
	json_object_object_add(k, "success_rate_display",
	    json_object_new_string(rate));
	cbw_time_display_add(k, "launched_at", "launched_display");
	cbw_time_display_add(k, "completed_at", "completed_display");
	cbw_time_display_add(k, "created_at", "created_display");
}

/* Noms des campagnes d'un admin pour un filtre (voir campaign.h). */
enum cbw_err
cbw_campaign_names(struct cbw_db *db, long long owner, struct json_object **out)
{
	return cbw_db_query_json(db, out, "SELECT id, name FROM campaigns WHERE "
	    "created_by = ? ORDER BY id DESC", "i", owner);
}
