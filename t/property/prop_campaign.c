/*
 * Test de propriété 6 (taux de réussite) : pour toute campagne, le taux
 * vaut succès (sent + delivered + read) / total × 100, 0 pour une
 * campagne vide ; et les compteurs tenus par déclencheurs (sent_count,
 * success_count, failed_count) restent égaux à un recomptage de la table
 * messages après n'importe quelle suite de changements de statut, y
 * compris les retours en arrière (reprise) et les suppressions de
 * contacts. Même nombre dans l'API (cbw_campaign_get) et l'export CSV.
 *
 * Graine : CBW_SEED si donnée, sinon l'heure ; affichée au début
 * (« seed=<n> ») pour rejouer le même essai.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "testutil.h"
#include "buf.h"
#include "campaign.h"
#include "db.h"
#include "migrate.h"

#define NITER	150	/* campagnes aléatoires (≥ 100) */

static const char *const statuses[] = {
	"pending", "sending", "sent", "delivered", "read", "failed", "cancelled"
};

/* Entier de la première ligne d'une requête avec un identifiant. */
static long long
q1(struct cbw_db *db, const char *sql, long long id)
{
	long long	 v = -1;

	assert_int_equal(cbw_db_query_int(db, &v, sql, "i", id), CBW_OK);
	return v;
}

/* Recompte et compare aux compteurs de la campagne `id`. */
static void
check_counts(struct cbw_db *db, long long id)
{
	long long	 ok, failed, done;

	ok = q1(db, "SELECT count(*) FROM messages WHERE campaign_id = ? AND "
	    "message_type = 'message_1' AND status IN ('sent', 'delivered', "
	    "'read')", id);
	failed = q1(db, "SELECT count(*) FROM messages WHERE campaign_id = ? AND "
	    "message_type = 'message_1' AND status = 'failed'", id);
	done = ok + failed;
	assert_int_equal(q1(db, "SELECT success_count FROM campaigns WHERE id = ?",
	    id), ok);
	assert_int_equal(q1(db, "SELECT failed_count FROM campaigns WHERE id = ?",
	    id), failed);
	assert_int_equal(q1(db, "SELECT sent_count FROM campaigns WHERE id = ?",
	    id), done);
}

/* Taux attendu, calculé sans la fonction testée. */
static double
expected_rate(long long ok, long long total)
{
	if (total == 0)
		return 0.0;
	return floor((double)ok * 1000.0 / (double)total + 0.5) / 10.0;
}

/*
 * Une campagne aléatoire : n contacts (0 à 40), lancement, puis une suite
 * de changements de statut au hasard ; compteurs et taux vérifiés après
 * chaque étape, et le taux de l'API et de l'export à la fin.
 */
static void
one_campaign(struct cbw_db *db, int iter)
{
	struct cbw_campaign_in	 in;
	struct json_object	*k, *empty = NULL;
	struct cbw_buf		 csv;
	char			 now[64], want[32];
	long long		 id, n, cat, i, nc = (long long)cbw_t_below(41);
	long long		 ok, total;
	size_t			 step;

	snprintf(now, sizeof(now), "Cat %d", iter);
	assert_int_equal(cbw_db_exec(db, "INSERT INTO categories(name, color, "
	    "created_by, created_at, updated_at) VALUES (?, '#128c7e', 1, 'a', "
	    "'a')", "s", now), CBW_OK);
	cat = cbw_db_last_id(db);
	for (i = 0; i < nc; i++) {
		snprintf(now, sizeof(now), "+336%08d", iter * 100 + (int)i);
		assert_int_equal(cbw_db_exec(db, "INSERT INTO contacts(phone_number, "
		    "country_code, full_number, created_by, created_at, updated_at) "
		    "VALUES (substr(?1, 4), '+33', ?1, 1, 'a', 'a')", "s", now), CBW_OK);
		assert_int_equal(cbw_db_exec(db, "INSERT INTO category_contacts("
		    "category_id, contact_id, added_at) VALUES (?, ?, 'a')", "ii", cat,
		    cbw_db_last_id(db)), CBW_OK);
	}
	memset(&in, 0, sizeof(in));
	in.name = "P";
	in.cats[0] = cat;
	in.ncats = 1;
	in.message_1 = "Bonjour";
	assert_int_equal(cbw_campaign_create(db, 1, &in, &id), CBW_OK);
	if (nc > 0)
		assert_int_equal(cbw_campaign_launch(db, 1, id, &n, &empty), CBW_OK);
	else {
		assert_int_equal(cbw_campaign_launch(db, 1, id, &n, &empty), CBW_EINVAL);
		json_object_put(empty);
	}
	for (step = 0; nc > 0 && step < 30; step++) {
		if (cbw_t_below(20) == 0)	/* un contact supprimé */
			assert_int_equal(cbw_db_exec(db, "DELETE FROM contacts WHERE id = "
			    "(SELECT contact_id FROM messages WHERE campaign_id = ? "
			    "ORDER BY random() LIMIT 1)", "i", id), CBW_OK);
		else
			assert_int_equal(cbw_db_exec(db, "UPDATE messages SET status = ? "
			    "WHERE id = (SELECT id FROM messages WHERE campaign_id = ? "
			    "ORDER BY random() LIMIT 1)", "si",
			    statuses[cbw_t_below(7)], id), CBW_OK);
		check_counts(db, id);
	}
	ok = q1(db, "SELECT success_count FROM campaigns WHERE id = ?", id);
	total = q1(db, "SELECT total_recipients FROM campaigns WHERE id = ?", id);
	assert_true(fabs(cbw_success_rate(ok, total) - expected_rate(ok, total)) < 1e-9);
	assert_true(cbw_success_rate(ok, total) >= 0.0 &&
	    cbw_success_rate(ok, total) <= 100.0);
	assert_int_equal(cbw_campaign_get(db, 1, id, &k), CBW_OK);
	assert_true(fabs(json_object_get_double(json_object_object_get(k,
	    "success_rate")) - expected_rate(ok, total)) < 1e-9);
	json_object_put(k);
	cbw_buf_init(&csv);
	assert_int_equal(cbw_campaign_export(db, 1, id, &csv), CBW_OK);
	cbw_success_rate_text(ok, total, want, sizeof(want));
	if (nc > 0 && q1(db, "SELECT count(*) FROM messages WHERE campaign_id = ?",
	    id) > 0 && strstr(cbw_buf_str(&csv), want) == NULL)
		fail_msg("seed=%llu : « %s » absent de l'export",
		    (unsigned long long)cbw_t_seed(), want);
	cbw_buf_free(&csv);
}

/* Propriété 6 sur NITER campagnes aléatoires dans une base migrée. */
static void
test_property6(void **state)
{
	struct cbw_db	*db;
	char		 dir[64], path[128], err[512] = "";
	int		 n, i;

	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/cbw-p6-XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/t.db", dir);
	assert_int_equal(cbw_db_open(&db, path, 1, err, sizeof(err)), CBW_OK);
	assert_int_equal(cbw_migrate(db, cbw_t_migrations_dir(), &n, err,
	    sizeof(err)), CBW_OK);
	assert_int_equal(cbw_db_exec(db, "INSERT INTO users(id, email, "
	    "password_hash, role, created_at, updated_at) VALUES (1, 'a@t.fr', "
	    "'x', 'admin', 'a', 'a')", ""), CBW_OK);
	for (i = 0; i < NITER; i++)
		one_campaign(db, i);
	cbw_db_close(db);
	cbw_t_rmtree(dir);
}

/* Cas limites purs : vide, tout réussi, arrondis, succès > total borné. */
static void
test_rate_edges(void **state)
{
	long long	 t, s;
	int		 i;

	(void)state;
	assert_true(cbw_success_rate(0, 0) == 0.0);
	for (i = 0; i < 10000; i++) {
		t = (long long)cbw_t_below(1000000) + 1;
		s = (long long)cbw_t_below((size_t)t + 1);
		if (fabs(cbw_success_rate(s, t) - expected_rate(s, t)) > 1e-9)
			fail_msg("seed=%llu : %lld/%lld", (unsigned long long)cbw_t_seed(),
			    s, t);
	}
	assert_true(cbw_success_rate(7, 5) == 100.0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rate_edges),
		cmocka_unit_test(test_property6),
	};

	printf("seed=%llu\n", (unsigned long long)cbw_t_seed());
	return cmocka_run_group_tests(tests, NULL, NULL);
}
