/*
 * Recherche par trigrammes (lib/fold.c, 0010_fts_detail_none.sql).
 *
 * Table : la requête FTS5 de cbw_fold_trigrams pour des termes choisis
 * (trigrammes distincts dans l'ordre, guillemets doublés, caractères
 * UTF-8 entiers, borne CBW_FOLD_TRIGRAMS_MAX, moins de trois caractères
 * refusé).
 *
 * Propriété : dans une vraie base SQLite (index trigramme sans positions,
 * comme contacts_fts), pour des clés et des termes tirés au hasard dans un
 * petit alphabet (lettres, accent, espace, chiffres, guillemet) qui force
 * les recouvrements, « MATCH cbw_trigrams(t) AND instr(k, t) > 0 » trouve
 * exactement les lignes de « instr(k, t) > 0 » (l'oracle, un parcours
 * complet), et MATCH seul en trouve un sur-ensemble.
 *
 * Graine : variable CBW_SEED si elle est donnée, sinon l'heure. La graine
 * est affichée au début (« seed=<n> ») : CBW_SEED=<n> rejoue le même essai.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "db.h"
#include "fold.h"
#include "testutil.h"

#define NITER	300	/* termes cherchés (≥ 100) */
#define NROWS	400	/* clés dans la table */

static uint64_t	 seed;

/* Requête de cbw_fold_trigrams pour `term`, comparée à `want`. */
static void
expect(const char *term, const char *want)
{
	struct cbw_buf	 b;

	cbw_buf_init(&b);
	cbw_buf_puts(&b, "x");	/* ajout à la fin d'un tampon non vide */
	assert_int_equal(cbw_fold_trigrams(&b, term), CBW_OK);
	if (strcmp(cbw_buf_str(&b) + 1, want) != 0)
		fail_msg("« %s » : « %s » au lieu de « %s »", term,
		    cbw_buf_str(&b) + 1, want);
	cbw_buf_free(&b);
}

/* Requêtes attendues pour des termes choisis. */
static void
test_table(void **state)
{
	struct cbw_buf	 b;

	(void)state;
	expect("dupont", "\"dup\" AND \"upo\" AND \"pon\" AND \"ont\"");
	expect("abc", "\"abc\"");
	expect("aaaaaa", "\"aaa\"");
	expect("abcabc", "\"abc\" AND \"bca\" AND \"cab\"");
	expect("jean d", "\"jea\" AND \"ean\" AND \"an \" AND \"n d\"");
	expect("a\"bc", "\"a\"\"b\" AND \"\"\"bc\"");
	expect("élo ïse", "\"élo\" AND \"lo \" AND \"o ï\" AND \" ïs\" AND "
	    "\"ïse\"");
	expect("0612", "\"061\" AND \"612\"");
	expect("日本語x", "\"日本語\" AND \"本語x\"");
	/* 26 lettres : 24 trigrammes, 16 gardés. */
	expect("abcdefghijklmnopqrstuvwxyz", "\"abc\" AND \"bcd\" AND \"cde\" "
	    "AND \"def\" AND \"efg\" AND \"fgh\" AND \"ghi\" AND \"hij\" AND "
	    "\"ijk\" AND \"jkl\" AND \"klm\" AND \"lmn\" AND \"mno\" AND \"nop\" "
	    "AND \"opq\" AND \"pqr\"");
	cbw_buf_init(&b);
	assert_int_equal(cbw_fold_trigrams(&b, "ab"), CBW_EINVAL);
	assert_int_equal(cbw_fold_trigrams(&b, "é"), CBW_EINVAL);
	assert_int_equal(cbw_fold_trigrams(&b, ""), CBW_EINVAL);
	assert_int_equal(cbw_fold_trigrams(&b, NULL), CBW_EINVAL);
	assert_int_equal(b.len, 0);
	cbw_buf_free(&b);
}

/* Ajoute à b n caractères tirés d'un petit alphabet (recouvrements fréquents). */
static void
rnd_text(struct cbw_buf *b, size_t n)
{
	static const char *const al[] = { "a", "b", "c", "é", " ", "0", "6",
	    "\"", "ab", "ba" };
	size_t	 i;

	for (i = 0; i < n; i++)
		cbw_buf_puts(b, al[cbw_t_below(sizeof(al) / sizeof(al[0]))]);
}

/* Identifiants rendus par `sql` (un paramètre texte lié deux fois). */
static void
ids(struct cbw_db *db, const char *sql, const char *term, char *hit)
{
	struct cbw_stmt	*s;
	enum cbw_step	 st;

	memset(hit, 0, NROWS + 1);
	assert_int_equal(cbw_db_prepare(db, sql, &s), CBW_OK);
	assert_int_equal(cbw_db_bind(s, "s", term), CBW_OK);
	while ((st = cbw_db_step(s)) == CBW_STEP_ROW)
		hit[cbw_db_col_int(s, 0)] = 1;
	assert_int_equal(st, CBW_STEP_DONE);
	cbw_db_done(s);
}

/* L'index sans positions + instr trouve exactement les sous-chaînes. */
static void
prop_search_exact(void **state)
{
	char		 dir[] = "/tmp/cbw-tri-XXXXXX", path[64], err[256];
	char		 got[NROWS + 1], want[NROWS + 1], pre[NROWS + 1];
	struct cbw_db	*db;
	struct cbw_buf	 k;
	size_t		 i, j, nonempty = 0;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/t.db", dir);
	assert_int_equal(cbw_db_open(&db, path, 1, err, sizeof(err)), CBW_OK);
	assert_int_equal(cbw_db_script(db, "CREATE TABLE c(id INTEGER PRIMARY "
	    "KEY, k TEXT); CREATE VIRTUAL TABLE f USING fts5(k, content = 'c', "
	    "content_rowid = 'id', tokenize = 'trigram', columnsize = 0, "
	    "detail = none);", err, sizeof(err)), CBW_OK);
	cbw_buf_init(&k);
	for (i = 1; i <= NROWS; i++) {
		cbw_buf_reset(&k);
		rnd_text(&k, 3 + cbw_t_below(20));
		assert_int_equal(cbw_db_exec(db, "INSERT INTO c(id, k) VALUES (?, ?)",
		    "is", (long long)i, cbw_buf_str(&k)), CBW_OK);
	}
	assert_int_equal(cbw_db_exec(db, "INSERT INTO f(f) VALUES ('rebuild')",
	    NULL), CBW_OK);
	for (i = 0; i < NITER; i++) {
		cbw_buf_reset(&k);
		rnd_text(&k, 3 + cbw_t_below(5));
		ids(db, "SELECT id FROM c WHERE instr(k, ?1) > 0", cbw_buf_str(&k),
		    want);
		ids(db, "SELECT f.rowid FROM f CROSS JOIN c ON c.id = f.rowid "
		    "WHERE f MATCH cbw_trigrams(?1) AND instr(c.k, ?1) > 0",
		    cbw_buf_str(&k), got);
		ids(db, "SELECT rowid FROM f WHERE f MATCH cbw_trigrams(?1)",
		    cbw_buf_str(&k), pre);
		for (j = 1; j <= NROWS; j++) {
			if (got[j] != want[j])
				fail_msg("seed=%llu terme « %s » ligne %zu : %d au "
				    "lieu de %d", (unsigned long long)seed,
				    cbw_buf_str(&k), j, got[j], want[j]);
			if (want[j] && !pre[j])
				fail_msg("seed=%llu terme « %s » : MATCH manque la "
				    "ligne %zu", (unsigned long long)seed,
				    cbw_buf_str(&k), j);
			nonempty += want[j];
		}
	}
	/* Le tirage doit trouver quelque chose, sinon la propriété est vide. */
	assert_true(nonempty > NITER);
	cbw_buf_free(&k);
	cbw_db_close(db);
	cbw_t_rmtree(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(prop_search_exact),
	};

	seed = cbw_t_seed();
	return cmocka_run_group_tests_name("prop_trigrams", tests, NULL, NULL);
}
