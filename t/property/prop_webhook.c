/*
 * Tests de propriétés du webhook appliqué à la base (lib/automation.c) :
 *  - propriété 14 : toute permutation, avec doublons, des événements de
 *    statut d'un message finit au statut le plus haut reçu (read >
 *    delivered > sent ; un échec seulement s'il n'a été ni distribué ni
 *    lu), chaque horodatage posé une fois (le premier reçu), une seule
 *    interaction par (wamid, type), et les compteurs de la campagne égaux
 *    à un recomptage ;
 *  - propriété 5 : toute suite de réponses, réactions, doublons et mots
 *    d'arrêt donne au plus un Message 2 par contact et par campagne, jamais
 *    à un contact désabonné, jamais pour une campagne annulée.
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

#include "testutil.h"
#include "automation.h"
#include "clock.h"
#include "db.h"
#include "migrate.h"
#include "webhook.h"

#define NITER	120	/* scénarios par propriété (≥ 100) */
#define T0	1795000000LL

static struct cbw_db	*db;
static char		 dir[64];

/* Entier d'une requête à un paramètre entier. */
static long long
q1(const char *sql, long long id)
{
	long long	 v = -1;

	assert_int_equal(cbw_db_query_int(db, &v, sql, "i", id), CBW_OK);
	return v;
}

/* Base migrée avec un admin. */
static int
setup(void **state)
{
	char	 path[128], err[512] = "";
	int	 n;

	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/cbw-pwh-XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(path, sizeof(path), "%s/t.db", dir);
	if (cbw_db_open(&db, path, 1, err, sizeof(err)) != CBW_OK ||
	    cbw_migrate(db, cbw_t_migrations_dir(), &n, err, sizeof(err)) != CBW_OK ||
	    cbw_db_exec(db, "PRAGMA synchronous = OFF", "") != CBW_OK ||
	    cbw_db_exec(db, "INSERT INTO users(id, email, password_hash, role, "
	    "created_at, updated_at) VALUES (1, 'a@t.fr', 'x', 'admin', 'a', 'a')",
	    "") != CBW_OK) {
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

/* Crée une campagne 'sending' (Message 2 si with_m2) ; rend son id. */
static long long
campaign(int with_m2, const char *status)
{
	assert_int_equal(cbw_db_exec(db, "INSERT INTO campaigns(name, message_1, "
	    "message_2, status, total_recipients, created_by, created_at, "
	    "updated_at) VALUES ('P', 'Bonjour', ?, ?, 0, 1, 'a', 'a')", "ss",
	    with_m2 ? "Merci {{first_name}}" : NULL, status), CBW_OK);
	return cbw_db_last_id(db);
}

/* Crée un contact au numéro +33600000000 + k ; rend son id. */
static long long
contact(long long k)
{
	char	 num[32];

	snprintf(num, sizeof(num), "+336%08lld", k);
	assert_int_equal(cbw_db_exec(db, "INSERT INTO contacts(phone_number, "
	    "country_code, full_number, first_name, created_by, created_at, "
	    "updated_at) VALUES (substr(?1, 4), '+33', ?1, 'Zoé', 1, 'a', 'a')",
	    "s", num), CBW_OK);
	return cbw_db_last_id(db);
}

/* Message 1 « sent » avec son wamid ; rend son id. */
static long long
sent_message(long long camp, long long ct, const char *wamid)
{
	assert_int_equal(cbw_db_exec(db, "INSERT INTO messages(campaign_id, "
	    "contact_id, message_type, content, status, whatsapp_message_id, "
	    "sent_at, created_at, updated_at) VALUES (?, ?, 'message_1', 'x', "
	    "'sent', ?, '2026-11-01T00:00:00Z', 'a', 'a')", "iis", camp, ct,
	    wamid), CBW_OK);
	assert_int_equal(cbw_db_exec(db, "UPDATE campaigns SET total_recipients = "
	    "total_recipients + 1 WHERE id = ?", "i", camp), CBW_OK);
	return cbw_db_last_id(db);
}

/* Applique un seul événement. */
static void
apply1(const struct cbw_wh_event *e)
{
	struct cbw_wh_batch	 b;
	struct cbw_auto_report	 rep;
	struct cbw_wh_event	 copy = *e;

	b.ev = &copy;
	b.n = b.cap = 1;
	assert_int_equal(cbw_auto_apply(db, &b, "", T0 * 1000 + 5000000, &rep),
	    CBW_OK);
}

/* Texte d'une colonne d'un message (copie statique), "" si NULL. */
static const char *
col(const char *c, long long id)
{
	/* Requêtes écrites en entier : jamais de SQL assemblé avec %s. */
	static const char *const q[][2] = {
		{ "status", "SELECT coalesce(status, '') FROM messages WHERE id = ?" },
		{ "delivered_at", "SELECT coalesce(delivered_at, '') FROM messages "
		    "WHERE id = ?" },
		{ "read_at", "SELECT coalesce(read_at, '') FROM messages WHERE id = ?" },
	};
	static char	 out[64];
	char		*v = NULL;
	size_t		 i;

	for (i = 0; i < sizeof(q) / sizeof(q[0]); i++)
		if (strcmp(q[i][0], c) == 0)
			break;
	assert_true(i < sizeof(q) / sizeof(q[0]));
	assert_int_equal(cbw_db_query_text(db, &v, q[i][1], "i", id), CBW_OK);
	snprintf(out, sizeof(out), "%s", v);
	free(v);
	return out;
}

/* Propriété 14 : statuts permutés et répétés. */
static void
test_status_permutations(void **state)
{
	static const enum cbw_wh_status all[] = { CBW_WH_SENT, CBW_WH_DELIVERED,
	    CBW_WH_READ, CBW_WH_FAILED };
	struct cbw_wh_event	 ev[12];
	char			 wamid[64], want_d[32], want_r[32];
	long long		 camp, ct, id, ts_d, ts_r;
	size_t			 n, i, j;
	int			 has[4], it;
	const char		*want;

	(void)state;
	for (it = 0; it < NITER; it++) {
		camp = campaign(0, "sending");
		ct = contact(it);
		snprintf(wamid, sizeof(wamid), "wamid.p14.%d", it);
		id = sent_message(camp, ct, wamid);
		memset(has, 0, sizeof(has));
		ts_d = ts_r = 0;
		n = 1 + cbw_t_below(10);
		for (i = 0; i < n; i++) {
			memset(&ev[i], 0, sizeof(ev[i]));
			ev[i].kind = CBW_WH_STATUS;
			ev[i].status = all[cbw_t_below(4)];
			snprintf(ev[i].wamid, sizeof(ev[i].wamid), "%s", wamid);
			ev[i].timestamp = (time_t)(T0 + (long long)cbw_t_below(1000));
			if (ev[i].status == CBW_WH_FAILED) {
				ev[i].error_code = cbw_t_below(2) ? 131026 : 131000;
				snprintf(ev[i].error_text, sizeof(ev[i].error_text), "x");
			}
		}
		for (i = 0; i < n; i++) {	/* ordre d'arrivée au hasard */
			j = cbw_t_below(n);
			struct cbw_wh_event t = ev[i];
			ev[i] = ev[j];
			ev[j] = t;
		}
		for (i = 0; i < n; i++) {
			/* Le statut final ne dépend que de l'ensemble reçu. */
			has[ev[i].status] = 1;
			if (ev[i].status == CBW_WH_DELIVERED && ts_d == 0)
				ts_d = ev[i].timestamp;
			if (ev[i].status == CBW_WH_READ && ts_r == 0)
				ts_r = ev[i].timestamp;
			apply1(&ev[i]);
		}
		want = has[CBW_WH_READ] ? "read" : has[CBW_WH_DELIVERED] ? "delivered" :
		    has[CBW_WH_FAILED] ? "failed" :
		    "sent";
		if (strcmp(col("status", id), want) != 0)
			fail_msg("seed=%llu tour %d : statut %s au lieu de %s",
			    (unsigned long long)cbw_t_seed(), it, col("status", id), want);
		cbw_time_iso((time_t)ts_d, want_d, sizeof(want_d));
		cbw_time_iso((time_t)ts_r, want_r, sizeof(want_r));
		assert_string_equal(col("delivered_at", id), ts_d ? want_d : "");
		assert_string_equal(col("read_at", id), ts_r ? want_r : "");
		assert_int_equal(q1("SELECT count(*) FROM interactions WHERE "
		    "message_id = ? AND interaction_type = 'delivered'", id), ts_d != 0);
		assert_int_equal(q1("SELECT count(*) FROM interactions WHERE "
		    "message_id = ? AND interaction_type = 'read'", id), ts_r != 0);
		assert_int_equal(q1("SELECT success_count FROM campaigns WHERE id = ?",
		    camp), strcmp(want, "failed") != 0);
		assert_int_equal(q1("SELECT failed_count FROM campaigns WHERE id = ?",
		    camp), strcmp(want, "failed") == 0);
	}
}

/* Propriété 5 : au plus un Message 2 par contact et par campagne. */
static void
test_message2_once(void **state)
{
	struct cbw_wh_event	 e;
	char			 wamid[64];
	long long		 camps[3], cts[4], k, base = 100000;
	size_t			 step, c, m;
	int			 it, cancelled, opted[4];

	(void)state;
	for (it = 0; it < NITER; it++) {
		cancelled = (int)cbw_t_below(3);	/* une campagne peut être annulée */
		for (c = 0; c < 3; c++)
			camps[c] = campaign(c != 2, c == (size_t)cancelled &&
			    cbw_t_below(2) ? "cancelled" : "completed");
		for (m = 0; m < 4; m++) {
			cts[m] = contact(base + it * 10 + (long long)m);
			opted[m] = 0;
			for (c = 0; c < 3; c++) {
				snprintf(wamid, sizeof(wamid), "wamid.p5.%d.%zu.%zu", it, m, c);
				sent_message(camps[c], cts[m], wamid);
			}
		}
		for (step = 0; step < 15; step++) {
			memset(&e, 0, sizeof(e));
			e.kind = CBW_WH_MESSAGE;
			m = cbw_t_below(4);
			snprintf(e.from, sizeof(e.from), "336%08lld", base + it * 10 +
			    (long long)m);
			/* Doublon de WhatsApp : même wamid entrant de temps en temps. */
			snprintf(e.message_id, sizeof(e.message_id), "wamid.in.%d.%zu",
			    it, cbw_t_below(6));
			if (cbw_t_below(2)) {
				c = cbw_t_below(3);
				snprintf(e.context_id, sizeof(e.context_id),
				    "wamid.p5.%d.%zu.%zu", it, m, c);
			}
			switch (cbw_t_below(6)) {
			case 0:
				e.msgtype = CBW_WH_REACTION;
				snprintf(e.text, sizeof(e.text), "%s", cbw_t_below(2) ?
				    "👍" : "");
				break;
			case 1:
				e.msgtype = CBW_WH_TEXT;
				snprintf(e.text, sizeof(e.text), " Stop ");
				opted[m] = 1;
				break;
			default:
				e.msgtype = CBW_WH_TEXT;
				snprintf(e.text, sizeof(e.text), "Merci !");
				break;
			}
			e.timestamp = (time_t)T0;
			apply1(&e);
		}
		for (m = 0; m < 4; m++)
			for (c = 0; c < 3; c++) {
				k = 0;
				assert_int_equal(cbw_db_query_int(db, &k, "SELECT count(*) "
				    "FROM messages WHERE campaign_id = ? AND contact_id = ? "
				    "AND message_type = 'message_2'", "ii", camps[c], cts[m]),
				    CBW_OK);
				assert_true(k <= 1);
				if (c == 2)
					assert_int_equal(k, 0);	/* sans Message 2 */
			}
		/* Jamais de Message 2 en attente pour un désabonné ni une campagne annulée. */
		for (m = 0; m < 4; m++)
			if (opted[m])
				assert_int_equal(q1("SELECT count(*) FROM messages WHERE "
				    "contact_id = ? AND status = 'pending'", cts[m]), 0);
		assert_int_equal(q1("SELECT count(*) FROM messages m JOIN campaigns k "
		    "ON k.id = m.campaign_id WHERE k.status = 'cancelled' AND "
		    "m.message_type = 'message_2' AND m.id > ?", 0), 0);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_status_permutations),
		cmocka_unit_test(test_message2_once),
	};

	printf("seed=%llu\n", (unsigned long long)cbw_t_seed());
	return cmocka_run_group_tests(tests, setup, teardown);
}
