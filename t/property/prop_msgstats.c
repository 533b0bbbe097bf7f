/*
 * Tests de propriétés des statistiques des messages (ticket 7,
 * lib/msgstats.c, db/migrations/0006_message_stats.sql) :
 *  - pour des jeux de données aléatoires (plusieurs admins, campagnes,
 *    contacts, messages aux statuts et horodatages tirés au hasard sur
 *    quelques jours, beaucoup autour de minuit à Paris et au passage à
 *    l'heure d'été, puis changements de statut, reprises failed → pending
 *    → sent, suppressions de contacts et de campagnes, campagnes données à
 *    un autre admin, interactions ajoutées et retirées), cbw_msgstats_get
 *    sur des plages au hasard (un seul jour, plage vide sans donnée)
 *    rend exactement un recomptage brut fait ici depuis les tables
 *    messages, interactions et contacts (SQL + jour local calculé en C) ;
 *  - les tables d'agrégats (msg_hourly, msg_status_counts) restent égales
 *    à un recalcul complet après toutes ces opérations ;
 *  - jours invalides, plage à l'envers ou trop longue : CBW_EINVAL ;
 *    campagne d'un autre admin : CBW_ENOTFOUND.
 *
 * Graine : CBW_SEED si donnée, sinon l'heure ; affichée (« seed=<n> »).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "testutil.h"
#include "campaign.h"
#include "clock.h"
#include "db.h"
#include "migrate.h"
#include "msgstats.h"

#define NITER		120	/* jeux de données (≥ 100) */
#define NOWNER		3
#define NQUERY		12	/* requêtes comparées par jeu */
#define MAXCAMP		64
/* 2026-03-27T12:00:00Z : le passage à l'heure d'été (29 mars) est dedans. */
#define T0		1774612800LL
#define SPAN_DAYS	4

static struct cbw_db	*db;
static char		 dir[64];

static const char *const statuses[] = { "pending", "sending", "sent",
	"delivered", "read", "failed", "cancelled" };
#define NSTATUS	7

/* Un jour du recomptage. */
struct bday {
	long long	 sent, delivered, read, failed, replies;
};

/* Une campagne du recomptage (top_campaigns). */
struct bcamp {
	long long	 id, replies, sent;
};

/* Entier d'une requête à un paramètre entier. */
static long long
q1(const char *sql, long long id)
{
	long long	 v = -1;

	assert_int_equal(cbw_db_query_int(db, &v, sql, "i", id), CBW_OK);
	return v;
}

/* Exécute une instruction sans paramètre. */
static void
x(const char *sql)
{
	assert_int_equal(cbw_db_exec(db, sql, ""), CBW_OK);
}

/* Base migrée avec trois admins, fuseau Europe/Paris. */
static int
setup(void **state)
{
	char	 path[128], err[512] = "";
	int	 n;

	(void)state;
	setenv("TZ", "Europe/Paris", 1);
	tzset();
	snprintf(dir, sizeof(dir), "/tmp/cbw-pms-XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(path, sizeof(path), "%s/t.db", dir);
	if (cbw_db_open(&db, path, 1, err, sizeof(err)) != CBW_OK ||
	    cbw_migrate(db, cbw_t_migrations_dir(), &n, err, sizeof(err)) != CBW_OK ||
	    cbw_db_exec(db, "PRAGMA synchronous = OFF", "") != CBW_OK ||
	    cbw_db_exec(db, "INSERT INTO users(id, email, password_hash, role, "
	    "created_at, updated_at) VALUES (1, 'a@t.fr', 'x', 'super_admin', "
	    "'a', 'a'), (2, 'b@t.fr', 'x', 'admin', 'a', 'a'), (3, 'c@t.fr', "
	    "'x', 'admin', 'a', 'a')", "") != CBW_OK) {
		fprintf(stderr, "setup : %s\n", err);
		return -1;
	}
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	cbw_db_close(db);
	cbw_t_rmtree(dir);
	return 0;
}

/*
 * Instant au hasard dans la période : une fois sur deux à moins d'une
 * heure et demie d'un minuit local, sinon n'importe quand.
 */
static time_t
rnd_time(void)
{
	time_t		 t;
	struct tm	 tm;
	long long	 day = (long long)cbw_t_below(SPAN_DAYS + 1);

	if (cbw_t_below(2) == 0)
		return (time_t)(T0 - 86400 + day * 86400 +
		    (long long)cbw_t_below(86400));
	t = (time_t)(T0 + day * 86400);
	localtime_r(&t, &tm);
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	tm.tm_isdst = -1;
	t = mktime(&tm);
	return t - 5400 + (time_t)cbw_t_below(10800);
}

/* Horodatage ISO au hasard dans out (ou NULL une fois sur `null_in`). */
static const char *
rnd_iso(char *out, size_t len, size_t null_in)
{
	if (null_in > 0 && cbw_t_below(null_in) == 0)
		return NULL;
	cbw_time_iso(rnd_time(), out, len);
	return out;
}

/* Jour local (numéro depuis l'époque) d'un horodatage ISO ; -1 si NULL. */
static long long
local_day(const char *iso)
{
	struct tm	 tm;
	time_t		 t;

	if (iso == NULL || *iso == '\0' || (t = cbw_time_parse(iso)) == -1)
		return -1;
	localtime_r(&t, &tm);
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	tm.tm_isdst = 0;
	return (long long)(timegm(&tm) / 86400);
}

/* Numéro de jour → « AAAA-MM-JJ ». */
static void
day_text(long long d, char *out, size_t len)
{
	time_t		 t = (time_t)(d * 86400);
	struct tm	 tm;

	gmtime_r(&t, &tm);
	strftime(out, len, "%Y-%m-%d", &tm);
}

/*
 * Identifiant au hasard d'une table (tiré par le générateur à graine, pas
 * par random() de SQLite, pour rejouer un essai) ; 0 si elle est vide.
 */
static long long
pick(const char *table)
{
	/* Requêtes écrites en entier : jamais de SQL assemblé avec %s. */
	static const char *const q[][3] = {
		{ "campaigns", "SELECT count(*) FROM campaigns",
		    "SELECT id FROM campaigns ORDER BY id LIMIT 1 OFFSET ?" },
		{ "contacts", "SELECT count(*) FROM contacts",
		    "SELECT id FROM contacts ORDER BY id LIMIT 1 OFFSET ?" },
		{ "messages", "SELECT count(*) FROM messages",
		    "SELECT id FROM messages ORDER BY id LIMIT 1 OFFSET ?" },
		{ "interactions", "SELECT count(*) FROM interactions",
		    "SELECT id FROM interactions ORDER BY id LIMIT 1 OFFSET ?" },
	};
	long long	 n = 0, v = 0;
	size_t		 i;

	for (i = 0; i < sizeof(q) / sizeof(q[0]); i++)
		if (strcmp(q[i][0], table) == 0)
			break;
	assert_true(i < sizeof(q) / sizeof(q[0]));
	assert_int_equal(cbw_db_query_int(db, &n, q[i][1], ""), CBW_OK);
	if (n == 0)
		return 0;
	assert_int_equal(cbw_db_query_int(db, &v, q[i][2], "i",
	    (long long)cbw_t_below((size_t)n)), CBW_OK);
	return v;
}

/*
 * Ajoute un message au hasard : statut et horodatages tirés librement
 * (tirages faits dans l'ordre, pour rejouer une graine).
 */
static void
add_message(long long camp, long long ct, const char *type)
{
	char		 s[32], d[32], r[32], f[32];
	const char	*st = statuses[cbw_t_below(NSTATUS)], *ps, *pd, *pr, *pf;
	int		 out = strcmp(st, "pending") != 0 &&
			    strcmp(st, "sending") != 0 &&
			    strcmp(st, "cancelled") != 0;
	int		 dr = strcmp(st, "delivered") == 0 ||
			    strcmp(st, "read") == 0;

	ps = out ? rnd_iso(s, sizeof(s), 5) : NULL;
	pd = rnd_iso(d, sizeof(d), dr ? 4 : 2);
	pr = strcmp(st, "read") == 0 ? rnd_iso(r, sizeof(r), 4) : NULL;
	pf = strcmp(st, "failed") == 0 ? rnd_iso(f, sizeof(f), 6) :
	    cbw_t_below(5) == 0 ? rnd_iso(f, sizeof(f), 0) : NULL;
	assert_int_equal(cbw_db_exec(db, "INSERT OR IGNORE INTO messages("
	    "campaign_id, contact_id, message_type, content, status, sent_at, "
	    "delivered_at, read_at, failed_at, created_at, updated_at) VALUES "
	    "(?, ?, ?, 'x', ?, ?, ?, ?, ?, 'a', 'a')", "iissssss", camp, ct,
	    type, st, ps, pd, pr, pf), CBW_OK);
}

/* Ajoute une interaction au hasard (campagne parfois NULL). */
static void
add_interaction(void)
{
	static const char *const types[] = { "reply", "reaction", "delivered",
		"read" };
	long long	 camp = pick("campaigns");
	long long	 ct = pick("contacts");
	char		 w[32];

	if (ct == 0)
		return;
	cbw_time_iso(rnd_time(), w, sizeof(w));
	if (camp == 0 || cbw_t_below(8) == 0)
		assert_int_equal(cbw_db_exec(db, "INSERT INTO interactions("
		    "contact_id, interaction_type, content, received_at) VALUES (?, ?, "
		    "'Oui', ?)", "iss", ct, types[cbw_t_below(4)], w), CBW_OK);
	else
		assert_int_equal(cbw_db_exec(db, "INSERT INTO interactions("
		    "campaign_id, contact_id, interaction_type, content, received_at) "
		    "VALUES (?, ?, ?, 'Oui', ?)", "iiss", camp, ct,
		    types[cbw_t_below(4)], w), CBW_OK);
}

/* Jeu de données initial : contacts, campagnes, messages, interactions. */
static void
populate(void)
{
	long long	 o, c, k, ncamp, nct, camps[MAXCAMP], owner[MAXCAMP];
	char		 num[32], when[32];
	size_t		 i, j;

	for (o = 1; o <= NOWNER; o++) {
		nct = 1 + (long long)cbw_t_below(10);
		for (c = 0; c < nct; c++) {
			snprintf(num, sizeof(num), "+336%08lld", c);
			assert_int_equal(cbw_db_exec(db, "INSERT INTO contacts("
			    "phone_number, country_code, full_number, created_by, "
			    "opted_out_at, created_at, updated_at) VALUES (substr(?1, "
			    "4), '+33', ?1, ?2, ?3, 'a', 'a')", "sis", num, o,
			    cbw_t_below(4) == 0 ? rnd_iso(when, sizeof(when), 0) :
			    NULL), CBW_OK);
		}
	}
	ncamp = 1 + (long long)cbw_t_below(6);
	for (k = 0; k < ncamp; k++) {
		owner[k] = 1 + (long long)cbw_t_below(NOWNER);
		assert_int_equal(cbw_db_exec(db, "INSERT INTO campaigns(name, "
		    "message_1, status, created_by, created_at, updated_at) VALUES "
		    "('Campagne ' || ?1, 'Bonjour', 'sending', ?2, 'a', 'a')",
		    "ii", k, owner[k]), CBW_OK);
		camps[k] = cbw_db_last_id(db);
		/* Lancement d'un seul INSERT … SELECT, une fois sur deux. */
		if (cbw_t_below(2) == 0)
			assert_int_equal(cbw_db_exec(db, "INSERT INTO messages("
			    "campaign_id, contact_id, message_type, content, "
			    "created_at, updated_at) SELECT ?, id, 'message_1', 'x', "
			    "'a', 'a' FROM contacts WHERE created_by = ? AND "
			    "(id + ?) % 3 <> 0", "iii", camps[k], owner[k],
			    (long long)cbw_t_below(3)), CBW_OK);
	}
	for (i = 0; i < (size_t)ncamp; i++) {
		nct = (long long)cbw_t_below(12);
		for (j = 0; j < (size_t)nct; j++) {
			c = pick("contacts");
			add_message(camps[i], c, cbw_t_below(3) == 0 ? "message_2" :
			    "message_1");
		}
	}
	for (i = cbw_t_below(10); i > 0; i--)
		add_interaction();
}

/* Une opération au hasard sur les données (chemins d'écriture du programme). */
static void
random_op(void)
{
	long long	 m, c, k, o;
	char		 w[32], w2[32];

	m = pick("messages");
	cbw_time_iso(rnd_time(), w, sizeof(w));
	cbw_time_iso(rnd_time(), w2, sizeof(w2));
	switch (cbw_t_below(12)) {
	case 0:		/* statut quelconque */
		if (m > 0)
			assert_int_equal(cbw_db_exec(db, "UPDATE messages SET status "
			    "= ? WHERE id = ?", "si", statuses[cbw_t_below(NSTATUS)],
			    m), CBW_OK);
		break;
	case 1:		/* envoi (lib/send.c) : sending puis sent */
		if (m > 0) {
			assert_int_equal(cbw_db_exec(db, "UPDATE messages SET status "
			    "= 'sending', claimed_at = ?1 WHERE id = ?2", "si", w, m),
			    CBW_OK);
			assert_int_equal(cbw_db_exec(db, "UPDATE messages SET status "
			    "= 'sent', sent_at = ?1, failed_at = NULL, updated_at = ?1 "
			    "WHERE id = ?2", "si", w, m), CBW_OK);
		}
		break;
	case 2:		/* échec (envoi ou webhook) */
		if (m > 0)
			assert_int_equal(cbw_db_exec(db, "UPDATE messages SET status "
			    "= 'failed', error_code = 131026, failed_at = ? WHERE id = ?",
			    "si", w, m), CBW_OK);
		break;
	case 3:		/* reprise : failed → pending → sent */
		assert_int_equal(cbw_db_exec(db, "UPDATE messages SET status = "
		    "'pending', retry_count = retry_count + 1 WHERE status = "
		    "'failed' AND (id + ?) % 2 = 0", "i", (long long)cbw_t_below(2)),
		    CBW_OK);
		assert_int_equal(cbw_db_exec(db, "UPDATE messages SET status = "
		    "'sent', sent_at = ?, failed_at = NULL WHERE status = 'pending' "
		    "AND (id + ?) % 2 = 0", "si", w, (long long)cbw_t_below(2)),
		    CBW_OK);
		break;
	case 4:		/* webhook : distribué / lu (lib/automation.c) */
		if (m > 0)
			assert_int_equal(cbw_db_exec(db, cbw_t_below(2) ?
			    "UPDATE messages SET read_at = coalesce(read_at, ?1), "
			    "status = CASE WHEN status IN ('sending', 'sent', "
			    "'delivered', 'failed') THEN 'read' ELSE status END, "
			    "updated_at = ?1 WHERE id = ?2" :
			    "UPDATE messages SET delivered_at = coalesce(delivered_at, "
			    "?1), status = CASE WHEN status IN ('sending', 'sent', "
			    "'failed') THEN 'delivered' ELSE status END, updated_at = "
			    "?1 WHERE id = ?2", "si", w, m), CBW_OK);
		break;
	case 5:		/* suppression d'un contact (cascade) */
		c = pick("contacts");
		assert_int_equal(cbw_db_exec(db, "DELETE FROM contacts WHERE id = ?",
		    "i", c), CBW_OK);
		break;
	case 6:		/* suppression d'une campagne (cascade) */
		if (cbw_t_below(3) == 0) {
			k = pick("campaigns");
			assert_int_equal(cbw_db_exec(db, "DELETE FROM campaigns WHERE "
			    "id = ?", "i", k), CBW_OK);
		}
		break;
	case 7:		/* une campagne donnée à un autre admin */
		k = pick("campaigns");
		o = 1 + (long long)cbw_t_below(NOWNER);
		assert_int_equal(cbw_db_exec(db, "UPDATE campaigns SET created_by = "
		    "? WHERE id = ?", "ii", o, k), CBW_OK);
		break;
	case 8:		/* suppression d'un admin : tout passe à un autre */
		o = 1 + (long long)cbw_t_below(NOWNER);
		assert_int_equal(cbw_db_exec(db, "UPDATE campaigns SET created_by = "
		    "? WHERE created_by = ?", "ii", 1 + o % NOWNER, o), CBW_OK);
		break;
	case 9:		/* interactions ajoutées ou retirées */
		if (cbw_t_below(3) == 0)
			assert_int_equal(cbw_db_exec(db, "DELETE FROM interactions "
			    "WHERE id = ?", "i", pick("interactions")), CBW_OK);
		else
			add_interaction();
		break;
	case 10:	/* annulation (lib/campaign.c) */
		k = pick("campaigns");
		assert_int_equal(cbw_db_exec(db, "UPDATE messages SET status = "
		    "'cancelled' WHERE campaign_id = ? AND status = 'pending'", "i",
		    k), CBW_OK);
		break;
	default:	/* horodatages déplacés, campagne ou type changés */
		if (m > 0 && cbw_t_below(2) == 0)
			assert_int_equal(cbw_db_exec(db, "UPDATE messages SET sent_at "
			    "= ?, delivered_at = ?, failed_at = NULL WHERE id = ?",
			    "ssi", w, w2, m), CBW_OK);
		else if (m > 0) {
			k = pick("campaigns");
			o = (long long)cbw_t_below(2);
			assert_int_equal(cbw_db_exec(db, "UPDATE OR IGNORE messages "
			    "SET campaign_id = ?, message_type = CASE WHEN ? = 0 THEN "
			    "'message_2' ELSE message_type END, status = ? WHERE "
			    "id = ?", "iisi", k, o, statuses[cbw_t_below(NSTATUS)], m),
			    CBW_OK);
		}
		break;
	}
}

/* Recalcul complet de msg_hourly (lignes non nulles), en SQL. */
#define RECOMPUTE_HOURLY \
	"SELECT k.created_by, e.hour, e.campaign_id, sum(e.kind = 1), " \
	"sum(e.kind = 2), sum(e.kind = 3), sum(e.kind = 4), sum(e.kind = 5) " \
	"FROM (SELECT campaign_id, substr(sent_at, 1, 13) AS hour, 1 AS kind " \
	"FROM messages WHERE sent_at IS NOT NULL UNION ALL SELECT campaign_id, " \
	"substr(delivered_at, 1, 13), 2 FROM messages WHERE delivered_at IS " \
	"NOT NULL UNION ALL SELECT campaign_id, substr(read_at, 1, 13), 3 FROM " \
	"messages WHERE read_at IS NOT NULL UNION ALL SELECT campaign_id, " \
	"substr(failed_at, 1, 13), 4 FROM messages WHERE status = 'failed' AND " \
	"failed_at IS NOT NULL UNION ALL SELECT campaign_id, substr(received_at, " \
	"1, 13), 5 FROM interactions WHERE interaction_type IN ('reply', " \
	"'reaction') AND campaign_id IS NOT NULL) e JOIN campaigns k ON k.id = " \
	"e.campaign_id GROUP BY 1, 2, 3"
#define STORED_HOURLY \
	"SELECT owner_id, hour, campaign_id, sent, delivered, read, failed, " \
	"replies FROM msg_hourly WHERE sent <> 0 OR delivered <> 0 OR read <> 0 " \
	"OR failed <> 0 OR replies <> 0"
#define RECOMPUTE_STATUS \
	"SELECT k.created_by, m.campaign_id, m.message_type, m.status, " \
	"count(*) FROM messages m JOIN campaigns k ON k.id = m.campaign_id " \
	"GROUP BY 1, 2, 3, 4"
#define STORED_STATUS \
	"SELECT owner_id, campaign_id, message_type, status, n FROM " \
	"msg_status_counts WHERE n <> 0"

/* Les tables d'agrégats égalent un recalcul complet (et aucune négative). */
static void
check_aggregates(void)
{
	assert_int_equal(q1("SELECT count(*) FROM (" STORED_HOURLY " EXCEPT "
	    RECOMPUTE_HOURLY ") WHERE ? = 0", 0), 0);
	assert_int_equal(q1("SELECT count(*) FROM (" RECOMPUTE_HOURLY " EXCEPT "
	    STORED_HOURLY ") WHERE ? = 0", 0), 0);
	assert_int_equal(q1("SELECT count(*) FROM (" STORED_STATUS " EXCEPT "
	    RECOMPUTE_STATUS ") WHERE ? = 0", 0), 0);
	assert_int_equal(q1("SELECT count(*) FROM (" RECOMPUTE_STATUS " EXCEPT "
	    STORED_STATUS ") WHERE ? = 0", 0), 0);
	assert_int_equal(q1("SELECT count(*) FROM msg_hourly WHERE sent < ? OR "
	    "delivered < 0 OR read < 0 OR failed < 0 OR replies < 0", 0), 0);
	assert_int_equal(q1("SELECT count(*) FROM msg_status_counts WHERE n < ?",
	    0), 0);
}

/* Ajoute un horodatage au jour du recomptage s'il est dans la plage. */
static void
count_at(const char *iso, long long first, long long ndays, struct bday *days,
    size_t field)
{
	long long	 d = local_day(iso);
	long long	*v;

	if (d < first || d >= first + ndays)
		return;
	v = field == 0 ? &days[d - first].sent : field == 1 ?
	    &days[d - first].delivered : field == 2 ? &days[d - first].read :
	    field == 3 ? &days[d - first].failed : &days[d - first].replies;
	(*v)++;
}

/* Cumule les réponses ou envois d'une campagne du recomptage. */
static void
camp_add(struct bcamp *c, size_t *nc, long long id, int reply)
{
	size_t	 i;

	for (i = 0; i < *nc && c[i].id != id; i++)
		;
	if (i == *nc) {
		assert_true(*nc < MAXCAMP * 4);
		c[i].id = id;
		c[i].replies = c[i].sent = 0;
		(*nc)++;
	}
	if (reply)
		c[i].replies++;
	else
		c[i].sent++;
}

/* Ordre de top_campaigns : réponses, envois décroissants, puis id. */
static int
camp_cmp(const void *a, const void *b)
{
	const struct bcamp	*x1 = a, *y1 = b;

	if (x1->replies != y1->replies)
		return x1->replies > y1->replies ? -1 : 1;
	if (x1->sent != y1->sent)
		return x1->sent > y1->sent ? -1 : 1;
	return x1->id < y1->id ? -1 : x1->id > y1->id;
}

/* Entier d'un champ JSON. */
static long long
jint(struct json_object *o, const char *k)
{
	struct json_object	*v;

	assert_true(json_object_object_get_ex(o, k, &v));
	return json_object_get_int64(v);
}

/*
 * Compare cbw_msgstats_get(owner, camp, first..first+ndays-1) à un
 * recomptage brut depuis messages, interactions et contacts.
 */
static void
compare(long long owner, long long camp, long long first, long long ndays)
{
	struct json_object	*got, *tot, *series, *day, *top, *t;
	struct cbw_stmt		*st;
	struct bday		 days[16];
	struct bcamp		 camps[MAXCAMP * 4];
	long long		 n[NSTATUS] = { 0 }, all = 0, m1 = 0, ok1 = 0;
	long long		 replies = 0, optouts = 0, eff = owner, i;
	size_t			 nc = 0, s, j;
	char			 from[16], to[16], txt[16];
	const char		*status;
	char			*name;
	enum cbw_err		 er;

	assert_true(ndays <= 16);
	memset(days, 0, sizeof(days));
	day_text(first, from, sizeof(from));
	day_text(first + ndays - 1, to, sizeof(to));
	if (camp > 0)
		eff = q1("SELECT created_by FROM campaigns WHERE id = ?", camp);
	er = cbw_msgstats_get(db, owner, camp, from, to, &got);
	if (camp > 0 && owner > 0 && eff != owner) {
		assert_int_equal(er, CBW_ENOTFOUND);
		assert_null(got);
		return;
	}
	assert_int_equal(er, CBW_OK);

	/* Messages : statuts (toutes dates) et événements datés. */
	assert_int_equal(cbw_db_prepare(db, "SELECT m.status, m.message_type, "
	    "m.sent_at, m.delivered_at, m.read_at, m.failed_at FROM messages m "
	    "JOIN campaigns k ON k.id = m.campaign_id WHERE (?1 = 0 OR "
	    "k.created_by = ?1) AND (?2 = 0 OR m.campaign_id = ?2)", &st), CBW_OK);
	assert_int_equal(cbw_db_bind(st, "ii", eff, camp), CBW_OK);
	while (cbw_db_step(st) == CBW_STEP_ROW) {
		status = cbw_db_col_text(st, 0);
		for (s = 0; s < NSTATUS; s++)
			if (strcmp(status, statuses[s]) == 0)
				n[s]++;
		all++;
		if (strcmp(cbw_db_col_text(st, 1), "message_1") == 0) {
			m1++;
			ok1 += strcmp(status, "sent") == 0 ||
			    strcmp(status, "delivered") == 0 ||
			    strcmp(status, "read") == 0;
		}
		count_at(cbw_db_col_text(st, 2), first, ndays, days, 0);
		count_at(cbw_db_col_text(st, 3), first, ndays, days, 1);
		count_at(cbw_db_col_text(st, 4), first, ndays, days, 2);
		if (strcmp(status, "failed") == 0)
			count_at(cbw_db_col_text(st, 5), first, ndays, days, 3);
	}
	cbw_db_done(st);
	/* Envois par campagne dans la plage. */
	assert_int_equal(cbw_db_prepare(db, "SELECT m.campaign_id, m.sent_at "
	    "FROM messages m JOIN campaigns k ON k.id = m.campaign_id WHERE "
	    "(?1 = 0 OR k.created_by = ?1) AND (?2 = 0 OR m.campaign_id = ?2) "
	    "AND m.sent_at IS NOT NULL", &st), CBW_OK);
	assert_int_equal(cbw_db_bind(st, "ii", eff, camp), CBW_OK);
	while (cbw_db_step(st) == CBW_STEP_ROW) {
		i = local_day(cbw_db_col_text(st, 1));
		if (i >= first && i < first + ndays)
			camp_add(camps, &nc, cbw_db_col_int(st, 0), 0);
	}
	cbw_db_done(st);
	/* Réponses et réactions. */
	assert_int_equal(cbw_db_prepare(db, "SELECT i.campaign_id, i.received_at "
	    "FROM interactions i JOIN campaigns k ON k.id = i.campaign_id WHERE "
	    "(?1 = 0 OR k.created_by = ?1) AND (?2 = 0 OR i.campaign_id = ?2) "
	    "AND i.interaction_type IN ('reply', 'reaction')", &st), CBW_OK);
	assert_int_equal(cbw_db_bind(st, "ii", eff, camp), CBW_OK);
	while (cbw_db_step(st) == CBW_STEP_ROW) {
		i = local_day(cbw_db_col_text(st, 1));
		if (i >= first && i < first + ndays) {
			days[i - first].replies++;
			replies++;
			camp_add(camps, &nc, cbw_db_col_int(st, 0), 1);
		}
	}
	cbw_db_done(st);
	/* Désinscriptions des contacts du propriétaire. */
	assert_int_equal(cbw_db_prepare(db, "SELECT opted_out_at FROM contacts "
	    "WHERE (?1 = 0 OR created_by = ?1) AND opted_out_at IS NOT NULL",
	    &st), CBW_OK);
	assert_int_equal(cbw_db_bind(st, "i", eff), CBW_OK);
	while (cbw_db_step(st) == CBW_STEP_ROW) {
		i = local_day(cbw_db_col_text(st, 0));
		optouts += i >= first && i < first + ndays;
	}
	cbw_db_done(st);

	/* Comparaison. */
	assert_true(json_object_object_get_ex(got, "totals", &tot));
	for (s = 0; s < NSTATUS; s++)
		assert_int_equal(jint(tot, statuses[s]), n[s]);
	assert_int_equal(jint(tot, "total"), all);
	assert_int_equal(jint(got, "success_count"), ok1);
	assert_int_equal(jint(got, "total_recipients"), m1);
	snprintf(txt, sizeof(txt), "%.1f", cbw_success_rate(ok1, m1));
	assert_string_equal(json_object_to_json_string(json_object_object_get(got,
	    "success_rate")), txt);
	assert_int_equal(jint(got, "replies"), replies);
	assert_int_equal(jint(got, "opt_outs"), optouts);
	assert_true(json_object_object_get_ex(got, "series", &series));
	assert_int_equal(json_object_array_length(series), ndays);
	for (i = 0; i < ndays; i++) {
		day = json_object_array_get_idx(series, (size_t)i);
		day_text(first + i, txt, sizeof(txt));
		assert_string_equal(json_object_get_string(json_object_object_get(day,
		    "day")), txt);
		assert_int_equal(jint(day, "sent"), days[i].sent);
		assert_int_equal(jint(day, "delivered"), days[i].delivered);
		assert_int_equal(jint(day, "read"), days[i].read);
		assert_int_equal(jint(day, "failed"), days[i].failed);
		assert_int_equal(jint(day, "replies"), days[i].replies);
	}
	qsort(camps, nc, sizeof(camps[0]), camp_cmp);
	if (nc > CBW_MSGSTATS_TOP)
		nc = CBW_MSGSTATS_TOP;
	assert_true(json_object_object_get_ex(got, "top_campaigns", &top));
	assert_int_equal(json_object_array_length(top), nc);
	for (j = 0; j < nc; j++) {
		t = json_object_array_get_idx(top, j);
		assert_int_equal(jint(t, "id"), camps[j].id);
		assert_int_equal(jint(t, "replies"), camps[j].replies);
		assert_int_equal(jint(t, "sent"), camps[j].sent);
		assert_int_equal(cbw_db_query_text(db, &name, "SELECT name FROM "
		    "campaigns WHERE id = ?", "i", camps[j].id), CBW_OK);
		assert_string_equal(json_object_get_string(json_object_object_get(t,
		    "name")), name);
		free(name);
	}
	json_object_put(got);
}

/* Premier jour local de la période (numéro depuis l'époque). */
static long long
first_day(void)
{
	char	 iso[32];

	cbw_time_iso((time_t)T0, iso, sizeof(iso));
	return local_day(iso);
}

/* Jeux de données aléatoires : statistiques = recomptage brut. */
static void
test_stats_equal_recount(void **state)
{
	long long	 d0 = first_day(), owner, camp, first, ndays;
	int		 it, q, ops;

	(void)state;
	for (it = 0; it < NITER; it++) {
		x("DELETE FROM campaigns");
		x("DELETE FROM contacts");
		/* Tout effacé : plus aucune ligne d'agrégat non nulle. */
		assert_int_equal(q1("SELECT count(*) FROM (" STORED_HOURLY
		    ") WHERE ? = 0", 0), 0);
		assert_int_equal(q1("SELECT count(*) FROM (" STORED_STATUS
		    ") WHERE ? = 0", 0), 0);
		populate();
		for (ops = (int)cbw_t_below(25); ops > 0; ops--)
			random_op();
		check_aggregates();
		for (q = 0; q < NQUERY; q++) {
			owner = (long long)cbw_t_below(NOWNER + 1);
			camp = cbw_t_below(3) == 0 ? pick("campaigns") : 0;
			if (q == 0) {		/* plage vide, sans donnée */
				first = d0 - 400;
				ndays = 1 + (long long)cbw_t_below(16);
			} else if (q == 1) {	/* un seul jour */
				first = d0 - 1 + (long long)cbw_t_below(SPAN_DAYS + 3);
				ndays = 1;
			} else {
				first = d0 - 2 + (long long)cbw_t_below(SPAN_DAYS + 2);
				ndays = 1 + (long long)cbw_t_below(8);
			}
			compare(owner, camp, first, ndays);
		}
	}
}

/* Entrées refusées : CBW_EINVAL ou CBW_ENOTFOUND, *out à NULL. */
static void
test_invalid(void **state)
{
	static const char *const bad[][2] = {
		{ "2026-02-30", "2026-03-01" }, { "2026-1-01", "2026-01-02" },
		{ "2026-01-02", "2026-01-01" }, { "2025-01-01", "2026-01-02" },
		{ "2026-01-01 ", "2026-01-02" }, { "2026/01/01", "2026-01-02" },
		{ "", "2026-01-02" }, { "2026-13-01", "2026-13-02" },
		{ "+026-01-01", "2026-01-02" },
	};
	struct json_object	*o = NULL;
	long long		 k, other;
	size_t			 i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(cbw_msgstats_get(db, 1, 0, bad[i][0], bad[i][1],
		    &o), CBW_EINVAL);
		assert_null(o);
	}
	assert_int_equal(cbw_msgstats_get(db, 1, 0, NULL, "2026-01-01", &o),
	    CBW_EINVAL);
	/* 366 jours : accepté (2024 est bissextile) ; 367 : refusé. */
	assert_int_equal(cbw_msgstats_get(db, 1, 0, "2024-01-01", "2024-12-31",
	    &o), CBW_OK);
	assert_int_equal(json_object_array_length(json_object_object_get(o,
	    "series")), 366);
	json_object_put(o);
	assert_int_equal(cbw_msgstats_get(db, 1, 0, "2024-01-01", "2025-01-01",
	    &o), CBW_EINVAL);
	/* Campagne inconnue ou d'un autre admin. */
	assert_int_equal(cbw_msgstats_get(db, 0, 999999, "2026-01-01",
	    "2026-01-01", &o), CBW_ENOTFOUND);
	x("INSERT INTO campaigns(name, message_1, created_by, created_at, "
	    "updated_at) VALUES ('Autre', 'x', 2, 'a', 'a')");
	k = cbw_db_last_id(db);
	other = 3;
	assert_int_equal(cbw_msgstats_get(db, other, k, "2026-01-01",
	    "2026-01-01", &o), CBW_ENOTFOUND);
	assert_null(o);
	assert_int_equal(cbw_msgstats_get(db, 2, k, "2026-01-01", "2026-01-01",
	    &o), CBW_OK);
	json_object_put(o);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stats_equal_recount),
		cmocka_unit_test(test_invalid),
	};

	printf("seed=%llu\n", (unsigned long long)cbw_t_seed());
	return cmocka_run_group_tests(tests, setup, teardown);
}
