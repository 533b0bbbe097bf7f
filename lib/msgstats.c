/*
 * Statistiques des messages lues dans les agrégats msg_hourly et
 * msg_status_counts (voir msgstats.h et 0006_message_stats.sql).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "campaign.h"
#include "clock.h"
#include "db.h"
#include "msgstats.h"

/* Un jour de la série. */
struct day {
	long long	 sent, delivered, read, failed, replies;
};

/* Statuts d'un message, dans l'ordre de « totals ». */
static const char *const statuses[] = { "pending", "sending", "sent",
	"delivered", "read", "failed", "cancelled" };
#define NSTATUS	(sizeof(statuses) / sizeof(statuses[0]))

/*
 * Lit un jour « AAAA-MM-JJ » strict : dix caractères, chiffres et tirets à
 * leur place, date existante (pas de 31 avril). Rend CBW_OK et le numéro
 * du jour depuis l'époque dans *days, CBW_EINVAL sinon.
 */
enum cbw_err
cbw_msgstats_day(const char *s, long long *days)
{
	static const char	 shape[] = "dddd-dd-dd";
	char			 iso[32];
	time_t			 t;
	size_t			 i;

	if (s == NULL || strlen(s) != sizeof(shape) - 1)
		return CBW_EINVAL;
	for (i = 0; i < sizeof(shape) - 1; i++)
		if (shape[i] == 'd' ? (s[i] < '0' || s[i] > '9') : s[i] != shape[i])
			return CBW_EINVAL;
	snprintf(iso, sizeof(iso), "%sT00:00:00Z", s);
	if ((t = cbw_time_parse(iso)) == -1)
		return CBW_EINVAL;
	*days = (long long)(t / 86400);
	return CBW_OK;
}

/*
 * Instant UTC de minuit, heure locale, du jour numéro `days` (mktime avec
 * l'heure d'été décidée par le fuseau). Rend -1 si impossible.
 */
static time_t
local_midnight(long long days)
{
	time_t		 t = (time_t)(days * 86400);
	struct tm	 tm;

	if (gmtime_r(&t, &tm) == NULL)
		return -1;
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	tm.tm_isdst = -1;
	return mktime(&tm);
}

/*
 * Heure UTC « AAAA-MM-JJTHH » de la première heure pleine commençant à
 * `t` ou après (arrondi à l'heure supérieure). out ≥ 14 octets.
 */
static void
hour_ceil(time_t t, char *out, size_t len)
{
	char	 iso[32];

	if (t % 3600 != 0)
		t += 3600 - t % 3600;
	cbw_time_iso(t, iso, sizeof(iso));
	snprintf(out, len, "%.13s", iso);
}

/*
 * Jour local (numéro depuis l'époque) du début d'une heure UTC
 * « AAAA-MM-JJTHH ». Les fuseaux à décalage d'une demi-heure (Inde...)
 * sont approchés à l'heure : toute l'heure UTC va au jour local de son
 * début. Rend CBW_OK, ou CBW_EINVAL si l'heure est illisible.
 */
static enum cbw_err
hour_local_day(const char *hour, long long *days)
{
	char		 iso[32];
	struct tm	 tm;
	time_t		 t;

	if (strlen(hour) != 13)
		return CBW_EINVAL;
	snprintf(iso, sizeof(iso), "%s:00:00Z", hour);
	if ((t = cbw_time_parse(iso)) == -1 || localtime_r(&t, &tm) == NULL)
		return CBW_EINVAL;
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	tm.tm_isdst = 0;
	*days = (long long)(timegm(&tm) / 86400);
	return CBW_OK;
}

/* Écrit le jour numéro `k` (depuis l'époque) en « AAAA-MM-JJ » dans out. */
static void
day_text(long long k, char *out, size_t len)
{
	struct tm	 tm;
	time_t		 t = (time_t)(k * 86400);

	/* %04d et non %Y : l'an 1 s'écrit « 0001 », comme il est lu. */
	if (gmtime_r(&t, &tm) == NULL)
		snprintf(out, len, "%s", "");
	else
		snprintf(out, len, "%04d-%02d-%02d", tm.tm_year + 1900,
		    tm.tm_mon + 1, tm.tm_mday);
}

/* Plage de jours locaux traduite en heures et instants UTC. */
struct range {
	long long	 first, ndays;	/* premier jour (depuis l'époque), nombre */
	char		 lo_h[16], hi_h[16];	/* heures UTC [lo_h, hi_h) */
	char		 lo_iso[32], hi_iso[32];	/* instants UTC [lo, hi) */
};

/*
 * Lit la plage [from_day, to_day] de jours locaux et la traduit en heures
 * de msg_hourly (celles dont le début tombe dans la plage) et en instants
 * UTC. Rend CBW_OK ; CBW_EINVAL si un jour est mal écrit, from > to ou
 * plus de CBW_MSGSTATS_MAX_DAYS jours.
 */
static enum cbw_err
range_read(const char *from_day, const char *to_day, struct range *r)
{
	long long	 last;
	time_t		 lo_t, hi_t;

	if (cbw_msgstats_day(from_day, &r->first) != CBW_OK ||
	    cbw_msgstats_day(to_day, &last) != CBW_OK || r->first > last ||
	    last - r->first + 1 > CBW_MSGSTATS_MAX_DAYS)
		return CBW_EINVAL;
	r->ndays = last - r->first + 1;
	if ((lo_t = local_midnight(r->first)) == -1 ||
	    (hi_t = local_midnight(last + 1)) == -1)
		return CBW_EINVAL;
	hour_ceil(lo_t, r->lo_h, sizeof(r->lo_h));
	hour_ceil(hi_t, r->hi_h, sizeof(r->hi_h));
	cbw_time_iso(lo_t, r->lo_iso, sizeof(r->lo_iso));
	cbw_time_iso(hi_t, r->hi_iso, sizeof(r->hi_iso));
	return CBW_OK;
}

/* Ajoute un entier à un objet JSON. */
static void
put_int(struct json_object *o, const char *key, long long v)
{
	json_object_object_add(o, key, json_object_new_int64(v));
}

/*
 * Totaux par statut et taux de réussite (propriété 6) depuis
 * msg_status_counts, ajoutés à `res`. Rend CBW_OK ou l'erreur de base.
 */
static enum cbw_err
add_totals(struct cbw_db *db, long long owner, long long campaign,
    struct json_object *res)
{
	struct cbw_stmt		*st = NULL;
	struct json_object	*tot;
	long long		 n[NSTATUS] = { 0 }, all = 0, m1 = 0, ok1 = 0, ko1 = 0;
	long long		 v;
	const char		*s, *type;
	size_t			 i;
	enum cbw_step		 rc;
	enum cbw_err		 er;
	double			 rate;
	char			 txt[32];

	if (campaign > 0)
		er = cbw_db_prepare(db, "SELECT message_type, status, sum(n) FROM "
		    "msg_status_counts WHERE owner_id = ? AND campaign_id = ? "
		    "GROUP BY message_type, status", &st);
	else if (owner > 0)
		er = cbw_db_prepare(db, "SELECT message_type, status, sum(n) FROM "
		    "msg_status_counts WHERE owner_id = ? GROUP BY message_type, "
		    "status", &st);
	else
		er = cbw_db_prepare(db, "SELECT message_type, status, sum(n) FROM "
		    "msg_status_counts GROUP BY message_type, status", &st);
	if (er != CBW_OK)
		goto out;
	if (campaign > 0)
		er = cbw_db_bind(st, "ii", owner, campaign);
	else if (owner > 0)
		er = cbw_db_bind(st, "i", owner);
	if (er != CBW_OK)
		goto out;
	while ((rc = cbw_db_step(st)) == CBW_STEP_ROW) {
		type = cbw_db_col_text(st, 0);
		s = cbw_db_col_text(st, 1);
		v = cbw_db_col_int(st, 2);
		for (i = 0; i < NSTATUS; i++)
			if (strcmp(s, statuses[i]) == 0)
				n[i] += v;
		all += v;
		if (strcmp(type, "message_1") == 0) {
			m1 += v;
			if (strcmp(s, "sent") == 0 || strcmp(s, "delivered") == 0 ||
			    strcmp(s, "read") == 0)
				ok1 += v;
			if (strcmp(s, "failed") == 0)
				ko1 += v;
		}
	}
	if (rc != CBW_STEP_DONE) {
		er = rc == CBW_STEP_BUSY ? CBW_EBUSY : CBW_EDB;
		goto out;
	}
	if ((tot = json_object_new_object()) == NULL) {
		er = CBW_ENOMEM;
		goto out;
	}
	for (i = 0; i < NSTATUS; i++)
		put_int(tot, statuses[i], n[i]);
	put_int(tot, "total", all);
	json_object_object_add(res, "totals", tot);
	put_int(res, "success_count", ok1);
	put_int(res, "failed_count", ko1);
	put_int(res, "total_recipients", m1);
	/* Écrit au dixième, comme le success_rate des campagnes. */
	rate = cbw_success_rate(ok1, m1);
	snprintf(txt, sizeof(txt), "%.1f", rate);
	json_object_object_add(res, "success_rate",
	    json_object_new_double_s(rate, txt));
out:
	if (st != NULL)
		cbw_db_done(st);
	return er;
}

/*
 * Remplit days[0..ndays) depuis msg_hourly (heures UTC [lo, hi)), chaque
 * heure versée au jour local de son début (first = numéro du premier jour).
 * Rend CBW_OK ou l'erreur de base.
 */
static enum cbw_err
fill_series(struct cbw_db *db, long long owner, long long campaign,
    const char *lo, const char *hi, long long first, struct day *days,
    long long ndays)
{
	struct cbw_stmt	*st = NULL;
	struct day	*d;
	long long	 k;
	enum cbw_step	 rc;
	enum cbw_err	 er;

	if (campaign > 0)
		er = cbw_db_prepare(db, "SELECT hour, sum(sent), sum(delivered), "
		    "sum(read), sum(failed), sum(replies) FROM msg_hourly WHERE "
		    "campaign_id = ?1 AND owner_id = ?2 AND hour >= ?3 AND "
		    "hour < ?4 GROUP BY hour", &st);
	else if (owner > 0)
		er = cbw_db_prepare(db, "SELECT hour, sum(sent), sum(delivered), "
		    "sum(read), sum(failed), sum(replies) FROM msg_hourly WHERE "
		    "owner_id = ?2 AND hour >= ?3 AND hour < ?4 GROUP BY hour", &st);
	else
		er = cbw_db_prepare(db, "SELECT hour, sum(sent), sum(delivered), "
		    "sum(read), sum(failed), sum(replies) FROM msg_hourly WHERE "
		    "hour >= ?3 AND hour < ?4 GROUP BY hour", &st);
	if (er != CBW_OK || (er = cbw_db_bind(st, "iiss", campaign, owner, lo,
	    hi)) != CBW_OK)
		goto out;
	while ((rc = cbw_db_step(st)) == CBW_STEP_ROW) {
		if (hour_local_day(cbw_db_col_text(st, 0), &k) != CBW_OK ||
		    k < first || k >= first + ndays)
			continue;
		d = &days[k - first];
		d->sent += cbw_db_col_int(st, 1);
		d->delivered += cbw_db_col_int(st, 2);
		d->read += cbw_db_col_int(st, 3);
		d->failed += cbw_db_col_int(st, 4);
		d->replies += cbw_db_col_int(st, 5);
	}
	if (rc != CBW_STEP_DONE)
		er = rc == CBW_STEP_BUSY ? CBW_EBUSY : CBW_EDB;
out:
	if (st != NULL)
		cbw_db_done(st);
	return er;
}

/*
 * Les CBW_MSGSTATS_TOP campagnes les plus répondues sur les heures UTC
 * [lo, hi), en tableau JSON dans *out. Rend CBW_OK ou l'erreur de base.
 */
static enum cbw_err
top_campaigns(struct cbw_db *db, long long owner, long long campaign,
    const char *lo, const char *hi, struct json_object **out)
{
	const char	*sql;

#define TOP_SELECT "SELECT h.campaign_id AS id, k.name, sum(h.replies) AS " \
	"replies, sum(h.sent) AS sent FROM msg_hourly h JOIN campaigns k ON " \
	"k.id = h.campaign_id WHERE "
#define TOP_END " GROUP BY h.campaign_id HAVING sum(h.replies) > 0 OR " \
	"sum(h.sent) > 0 ORDER BY replies DESC, sent DESC, h.campaign_id " \
	"LIMIT ?5"
	if (campaign > 0)
		sql = TOP_SELECT "h.campaign_id = ?1 AND h.owner_id = ?2 AND "
		    "h.hour >= ?3 AND h.hour < ?4" TOP_END;
	else if (owner > 0)
		sql = TOP_SELECT "h.owner_id = ?2 AND h.hour >= ?3 AND "
		    "h.hour < ?4" TOP_END;
	else
		sql = TOP_SELECT "h.hour >= ?3 AND h.hour < ?4" TOP_END;
#undef TOP_SELECT
#undef TOP_END
	return cbw_db_query_json(db, out, sql, "iissi", campaign, owner, lo, hi,
	    (long long)CBW_MSGSTATS_TOP);
}

/*
 * Désinscriptions de la plage (instants UTC [lo, hi)) : contacts de
 * `owner`, ou de tous si owner vaut 0. Rend CBW_OK ou l'erreur de base.
 */
static enum cbw_err
count_opt_outs(struct cbw_db *db, long long owner, const char *lo,
    const char *hi, long long *n)
{
	if (owner > 0)
		return cbw_db_query_int(db, n, "SELECT count(*) FROM contacts "
		    "WHERE created_by = ? AND opted_out_at IS NOT NULL AND "
		    "opted_out_at >= ? AND opted_out_at < ?", "iss", owner, lo, hi);
	return cbw_db_query_int(db, n, "SELECT count(*) FROM contacts WHERE "
	    "opted_out_at IS NOT NULL AND opted_out_at >= ? AND opted_out_at < ?",
	    "ss", lo, hi);
}

/*
 * Statistiques d'un admin ou de la plateforme sur une plage de jours
 * locaux (voir msgstats.h). Rend CBW_OK et un objet JSON dans *out ;
 * CBW_EINVAL, CBW_ENOTFOUND, CBW_EDB ou CBW_ENOMEM sinon (*out à NULL).
 */
enum cbw_err
cbw_msgstats_get(struct cbw_db *db, long long owner, long long campaign_id,
    const char *from_day, const char *to_day, struct json_object **out)
{
	struct json_object	*res = NULL, *series, *o, *top = NULL;
	struct day		*days = NULL;
	struct range		 rg;
	long long		 first, ndays, i, k, replies = 0, optouts = 0;
	long long		 camp_owner;
	char			 day[16];
	enum cbw_err		 er;

	*out = NULL;
	if (owner < 0 || campaign_id < 0 ||
	    range_read(from_day, to_day, &rg) != CBW_OK)
		return CBW_EINVAL;
	first = rg.first;
	ndays = rg.ndays;
	/* Une campagne : ses lignes sont sous son propriétaire actuel. */
	if (campaign_id > 0) {
		if ((er = cbw_db_query_int(db, &camp_owner, "SELECT created_by "
		    "FROM campaigns WHERE id = ?", "i", campaign_id)) != CBW_OK)
			return er;
		if (owner > 0 && camp_owner != owner)
			return CBW_ENOTFOUND;
		owner = camp_owner;
	}

	if ((days = calloc((size_t)ndays, sizeof(*days))) == NULL ||
	    (res = json_object_new_object()) == NULL ||
	    (series = json_object_new_array()) == NULL) {
		er = CBW_ENOMEM;
		goto out;
	}
	json_object_object_add(res, "series", series);
	if ((er = add_totals(db, owner, campaign_id, res)) != CBW_OK ||
	    (er = fill_series(db, owner, campaign_id, rg.lo_h, rg.hi_h, first,
	    days, ndays)) != CBW_OK ||
	    (er = top_campaigns(db, owner, campaign_id, rg.lo_h, rg.hi_h,
	    &top)) != CBW_OK ||
	    (er = count_opt_outs(db, owner, rg.lo_iso, rg.hi_iso, &optouts)) !=
	    CBW_OK)
		goto out;
	for (i = 0; i < ndays; i++) {
		k = first + i;
		day_text(k, day, sizeof(day));
		if ((o = json_object_new_object()) == NULL) {
			er = CBW_ENOMEM;
			goto out;
		}
		json_object_object_add(o, "day", json_object_new_string(day));
		put_int(o, "sent", days[i].sent);
		put_int(o, "delivered", days[i].delivered);
		put_int(o, "read", days[i].read);
		put_int(o, "failed", days[i].failed);
		put_int(o, "replies", days[i].replies);
		json_object_array_add(series, o);
		replies += days[i].replies;
	}
	put_int(res, "replies", replies);
	put_int(res, "opt_outs", optouts);
	json_object_object_add(res, "top_campaigns", top);
	top = NULL;
	*out = res;
	res = NULL;
out:
	json_object_put(top);
	json_object_put(res);
	free(days);
	return er;
}

/*
 * Un admin par ligne (voir msgstats.h) : agrégats seulement, lus dans
 * msg_status_counts, msg_hourly et contacts. Rend CBW_OK et un tableau
 * dans *out ; CBW_EINVAL (plage), CBW_EDB ou CBW_ENOMEM sinon.
 */
enum cbw_err
cbw_msgstats_by_owner(struct cbw_db *db, const char *from_day,
    const char *to_day, struct json_object **out)
{
	struct json_object	*o;
	struct range		 rg;
	size_t			 i;
	double			 rate;
	char			 txt[32];
	enum cbw_err		 er;

	*out = NULL;
	if (range_read(from_day, to_day, &rg) != CBW_OK)
		return CBW_EINVAL;
	if ((er = cbw_db_query_json(db, out, "SELECT u.id AS user_id, u.email, "
	    "u.role, u.is_active, (SELECT count(*) FROM campaigns WHERE "
	    "created_by = u.id) AS campaigns, (SELECT coalesce(sum(n), 0) FROM "
	    "msg_status_counts WHERE owner_id = u.id) AS total, (SELECT "
	    "coalesce(sum(n), 0) FROM msg_status_counts WHERE owner_id = u.id "
	    "AND status = 'failed') AS failed, (SELECT coalesce(sum(n), 0) FROM "
	    "msg_status_counts WHERE owner_id = u.id AND message_type = "
	    "'message_1') AS total_recipients, (SELECT coalesce(sum(n), 0) FROM "
	    "msg_status_counts WHERE owner_id = u.id AND message_type = "
	    "'message_1' AND status IN ('sent', 'delivered', 'read')) AS "
	    "success_count, (SELECT coalesce(sum(sent), 0) FROM msg_hourly "
	    "WHERE owner_id = u.id AND hour >= ?1 AND hour < ?2) AS sent_in_range, "
	    "(SELECT coalesce(sum(replies), 0) FROM msg_hourly WHERE owner_id = "
	    "u.id AND hour >= ?1 AND hour < ?2) AS replies, (SELECT count(*) "
	    "FROM contacts WHERE created_by = u.id AND opted_out_at >= ?3 AND "
	    "opted_out_at < ?4) AS opt_outs FROM users u ORDER BY u.email",
	    "ssss", rg.lo_h, rg.hi_h, rg.lo_iso, rg.hi_iso)) != CBW_OK)
		return er;
	for (i = 0; i < json_object_array_length(*out); i++) {
		o = json_object_array_get_idx(*out, i);
		rate = cbw_success_rate(json_object_get_int64(
		    json_object_object_get(o, "success_count")),
		    json_object_get_int64(json_object_object_get(o,
		    "total_recipients")));
		snprintf(txt, sizeof(txt), "%.1f", rate);
		json_object_object_add(o, "success_rate",
		    json_object_new_double_s(rate, txt));
	}
	return CBW_OK;
}

/*
 * Les `days` derniers jours locaux jusqu'à aujourd'hui (fuseau TZ du
 * processus), en « AAAA-MM-JJ » dans from et to (11 octets au moins).
 * Rend CBW_OK, ou CBW_EINVAL si days sort de [1, CBW_MSGSTATS_MAX_DAYS].
 */
enum cbw_err
cbw_msgstats_last_days(int days, char *from, char *to, size_t len)
{
	struct tm	 tm;
	time_t		 now = cbw_now();

	if (days < 1 || days > CBW_MSGSTATS_MAX_DAYS ||
	    localtime_r(&now, &tm) == NULL ||
	    strftime(to, len, "%Y-%m-%d", &tm) == 0)
		return CBW_EINVAL;
	/* Midi local : le recul de jours entiers ne saute pas un jour d'été. */
	tm.tm_hour = 12;
	tm.tm_min = tm.tm_sec = 0;
	tm.tm_mday -= days - 1;
	tm.tm_isdst = -1;
	if ((now = mktime(&tm)) == (time_t)-1 || localtime_r(&now, &tm) == NULL ||
	    strftime(from, len, "%Y-%m-%d", &tm) == 0)
		return CBW_EINVAL;
	return CBW_OK;
}

/*
 * Plage demandée (voir msgstats.h) : jours absents remplacés par défaut,
 * puis vérifiés. Rend CBW_OK ; CBW_EINVAL avec le champ fautif et un
 * message français dans *field et *msg.
 */
enum cbw_err
cbw_msgstats_range(const char *from, const char *to, char *from_out,
    char *to_out, size_t len, const char **field, const char **msg)
{
	char		 dfrom[16], dto[16];
	long long	 a, b;

	*field = *msg = NULL;
	if (cbw_msgstats_last_days(CBW_MSGSTATS_DEFAULT_DAYS, dfrom, dto,
	    sizeof(dfrom)) != CBW_OK)
		return CBW_EINVAL;
	if (from == NULL || *from == '\0')
		from = NULL;
	if (to == NULL || *to == '\0')
		to = NULL;
	if (to != NULL && cbw_msgstats_day(to, &b) != CBW_OK) {
		*field = "to";
		*msg = "Date invalide (format AAAA-MM-JJ).";
		return CBW_EINVAL;
	}
	if (from != NULL && cbw_msgstats_day(from, &a) != CBW_OK) {
		*field = "from";
		*msg = "Date invalide (format AAAA-MM-JJ).";
		return CBW_EINVAL;
	}
	snprintf(to_out, len, "%s", to != NULL ? to : dto);
	if (from == NULL) {
		/* Seule la fin est donnée : les 30 jours qui y mènent. */
		cbw_msgstats_day(to_out, &b);
		a = b - (CBW_MSGSTATS_DEFAULT_DAYS - 1);
		day_text(a, from_out, len);
	} else
		snprintf(from_out, len, "%s", from);
	cbw_msgstats_day(from_out, &a);
	cbw_msgstats_day(to_out, &b);
	if (a > b) {
		*field = "to";
		*msg = "La date de fin précède la date de début.";
		return CBW_EINVAL;
	}
	if (b - a + 1 > CBW_MSGSTATS_MAX_DAYS) {
		*field = "from";
		*msg = "Plage trop longue (366 jours au plus).";
		return CBW_EINVAL;
	}
	return CBW_OK;
}

/*
 * Tableau par campagne (voir msgstats.h) : une page de campagnes de
 * `owner` (la plus récente d'abord), chiffres lus dans msg_status_counts
 * et msg_hourly. Rend CBW_OK, ou l'erreur de base.
 */
enum cbw_err
cbw_msgstats_campaigns(struct cbw_db *db, long long owner, long long campaign_id,
    long long page, long long per_page, struct json_object **items,
    long long *total)
{
	struct json_object	*o;
	size_t			 i;
	long long		 ok;
	double			 rate;
	char			 txt[32];
	enum cbw_err		 er;

#define MSC(st) "(SELECT coalesce(sum(n), 0) FROM msg_status_counts WHERE " 	"owner_id = k.created_by AND campaign_id = k.id AND message_type = " 	"'message_1'" st ")"
	*items = NULL;
	if ((er = cbw_db_query_int(db, total, "SELECT count(*) FROM campaigns "
	    "WHERE created_by = ?1 AND (?2 = 0 OR id = ?2)", "ii", owner,
	    campaign_id)) != CBW_OK ||
	    (er = cbw_db_query_json(db, items, "SELECT k.id, k.name, k.status, "
	    "k.launched_at, " MSC("") " AS total_recipients, "
	    MSC(" AND status = 'sent'") " AS sent, "
	    MSC(" AND status = 'delivered'") " AS delivered, "
	    MSC(" AND status = 'read'") " AS read, "
	    MSC(" AND status = 'failed'") " AS failed, "
	    MSC(" AND status IN ('pending', 'sending')") " AS pending, "
	    "(SELECT coalesce(sum(replies), 0) FROM msg_hourly WHERE "
	    "campaign_id = k.id) AS replies FROM campaigns k WHERE "
	    "k.created_by = ?1 AND (?2 = 0 OR k.id = ?2) ORDER BY k.id DESC "
	    "LIMIT ?3 OFFSET ?4", "iiii", owner, campaign_id, per_page,
	    (page - 1) * per_page)) != CBW_OK)
		return er;
#undef MSC
	for (i = 0; i < json_object_array_length(*items); i++) {
		o = json_object_array_get_idx(*items, i);
		ok = json_object_get_int64(json_object_object_get(o, "sent")) +
		    json_object_get_int64(json_object_object_get(o, "delivered")) +
		    json_object_get_int64(json_object_object_get(o, "read"));
		json_object_object_add(o, "success_count", json_object_new_int64(ok));
		rate = cbw_success_rate(ok, json_object_get_int64(
		    json_object_object_get(o, "total_recipients")));
		snprintf(txt, sizeof(txt), "%.1f", rate);
		json_object_object_add(o, "success_rate",
		    json_object_new_double_s(rate, txt));
	}
	return CBW_OK;
}
