/*
 * Tests unitaires de l'enveloppe SQLite et des migrations (lib/db.c,
 * lib/migrate.c), sur une base temporaire.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <ftw.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

#include <json-c/json.h>

#include "testutil.h"
#include "buf.h"
#include "db.h"
#include "import.h"
#include "migrate.h"

struct fx {
	char		 dir[64];
	char		 path[128];
	struct cbw_db	*db;
};

/* Nombre de fichiers de migration du dépôt (NNNN_nom.sql). */
static int
count_migrations(void)
{
	glob_t	 g;
	char	 pat[4200];
	int	 n;

	snprintf(pat, sizeof(pat), "%s/[0-9][0-9][0-9][0-9]_*.sql",
	    cbw_t_migrations_dir());
	if (glob(pat, 0, NULL, &g) != 0)
		return 0;
	n = (int)g.gl_pathc;
	globfree(&g);
	return n;
}

static void
rm_rf(const char *dir)
{
	cbw_t_rmtree(dir);
}

/* Base neuve migrée dans un dossier temporaire. */
static int
setup(void **state)
{
	struct fx	*f = calloc(1, sizeof(*f));
	char		 err[512] = "";
	int		 n = -1;

	if (f == NULL)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/cbw-db-XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	snprintf(f->path, sizeof(f->path), "%s/test.db", f->dir);
	if (cbw_db_open(&f->db, f->path, 1, err, sizeof(err)) != CBW_OK ||
	    cbw_migrate(f->db, cbw_t_migrations_dir(), &n, err, sizeof(err)) != CBW_OK) {
		fprintf(stderr, "setup : %s\n", err);
		return -1;
	}
	if (cbw_db_exec(f->db, "CREATE TABLE t (id INTEGER PRIMARY KEY, "
	    "i INTEGER, s TEXT, d REAL, x, u TEXT UNIQUE, nn TEXT NOT NULL "
	    "DEFAULT '', c INTEGER CHECK (c IS NULL OR c >= 0))", NULL) != CBW_OK)
		return -1;
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx	*f = *state;

	cbw_db_close(f->db);
	rm_rf(f->dir);
	free(f);
	return 0;
}

static long long
count(struct cbw_db *db, const char *sql)
{
	long long	 n = -1;

	assert_int_equal(cbw_db_query_int(db, &n, sql, NULL), CBW_OK);
	return n;
}

/* ---- ouverture et migrations ------------------------------------------- */

static void
test_migrate(void **state)
{
	static const char *const tables[] = { "users", "categories", "contacts",
	    "category_contacts", "campaigns", "campaign_categories", "messages",
	    "interactions", "refresh_tokens", "login_attempts", "rate_limits",
	    "audit_log", "schema_migrations", "bulk_import" };
	struct fx	*f = *state;
	struct cbw_db	*db;
	char		 err[512] = "", path[160];
	long long	 n;
	size_t		 i;
	int		 applied = -1;

	/* Base neuve : une migration appliquée, puis aucune. */
	snprintf(path, sizeof(path), "%s/fresh.db", f->dir);
	assert_int_equal(cbw_db_open(&db, path, 1, err, sizeof(err)), CBW_OK);
	assert_int_equal(cbw_migrate(db, cbw_t_migrations_dir(), &applied, err,
	    sizeof(err)), CBW_OK);
	assert_int_equal(applied, count_migrations());
	applied = -1;
	assert_int_equal(cbw_migrate(db, cbw_t_migrations_dir(), &applied, err,
	    sizeof(err)), CBW_OK);
	assert_int_equal(applied, 0);
	assert_int_equal(cbw_migrate(db, cbw_t_migrations_dir(), NULL, err,
	    sizeof(err)), CBW_OK);
	for (i = 0; i < sizeof(tables) / sizeof(tables[0]); i++) {
		n = -1;
		assert_int_equal(cbw_db_query_int(db, &n, "SELECT count(*) FROM "
		    "sqlite_master WHERE type = 'table' AND name = ?", "s",
		    tables[i]), CBW_OK);
		if (n != 1)
			fail_msg("table %s absente", tables[i]);
	}
	assert_int_equal(count(db, "SELECT count(*) FROM schema_migrations "
	    "WHERE version = '0001_initial.sql' AND applied_at LIKE '____-__-__T__:__:__Z'"), 1);
	assert_int_equal(count(db, "SELECT count(*) FROM schema_migrations"),
	    count_migrations());
	cbw_db_close(db);
}

/* Écrit un fichier texte. */
static void
put_file(const char *dir, const char *name, const char *text)
{
	char	 p[512];
	FILE	*fp;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	assert_non_null(fp = fopen(p, "w"));
	fputs(text, fp);
	fclose(fp);
}

/* Migration fautive : annulée, nommée dans le message ; les précédentes restent. */
static void
test_migrate_errors(void **state)
{
	struct fx	*f = *state;
	struct cbw_db	*db;
	char		 err[512] = "", mdir[160], path[160];
	int		 applied = -1;

	snprintf(mdir, sizeof(mdir), "%s/mig", f->dir);
	assert_int_equal(mkdir(mdir, 0700), 0);
	put_file(mdir, "0001_first.sql", "CREATE TABLE a (x INTEGER);\n");
	put_file(mdir, "0002_broken.sql", "CREATE TABLE b (x INTEGER);\n"
	    "INSERT INTO nowhere VALUES (1);\n");
	put_file(mdir, "0003_after.sql", "CREATE TABLE c (x INTEGER);\n");
	put_file(mdir, "README.md", "pas une migration");
	put_file(mdir, "0009-bad-name.sql", "CREATE TABLE z1 (x);");
	put_file(mdir, "0010_Upper.sql", "CREATE TABLE z2 (x);");
	put_file(mdir, "011_short.sql", "CREATE TABLE z3 (x);");
	snprintf(path, sizeof(path), "%s/mig.db", f->dir);
	assert_int_equal(cbw_db_open(&db, path, 1, err, sizeof(err)), CBW_OK);
	assert_int_equal(cbw_migrate(db, mdir, &applied, err, sizeof(err)), CBW_EDB);
	assert_non_null(strstr(err, "0002_broken.sql"));
	assert_non_null(strstr(err, "nowhere"));
	assert_int_equal(applied, 1);
	assert_int_equal(count(db, "SELECT count(*) FROM sqlite_master WHERE "
	    "name = 'a'"), 1);
	assert_int_equal(count(db, "SELECT count(*) FROM sqlite_master WHERE "
	    "name IN ('b', 'c', 'z1', 'z2', 'z3')"), 0);
	assert_int_equal(count(db, "SELECT count(*) FROM schema_migrations"), 1);

	/* Corrigée : la suite passe, la première n'est pas rejouée. */
	put_file(mdir, "0002_broken.sql", "CREATE TABLE b (x INTEGER);\n");
	assert_int_equal(cbw_migrate(db, mdir, &applied, err, sizeof(err)), CBW_OK);
	assert_int_equal(applied, 2);
	assert_int_equal(count(db, "SELECT count(*) FROM sqlite_master WHERE "
	    "name IN ('a', 'b', 'c')"), 3);
	assert_int_equal(count(db, "SELECT count(*) FROM sqlite_master WHERE "
	    "name IN ('z1', 'z2', 'z3')"), 0);

	/* Dossier absent. */
	assert_int_equal(cbw_migrate(db, "/nonexistent/migrations", &applied, err,
	    sizeof(err)), CBW_EIO);
	assert_non_null(strstr(err, "/nonexistent/migrations"));
	cbw_db_close(db);
}

static void
test_open_errors(void **state)
{
	struct fx	*f = *state;
	struct cbw_db	*db = (struct cbw_db *)&db;
	char		 err[512] = "", path[160];

	snprintf(path, sizeof(path), "%s/absent.db", f->dir);
	assert_int_equal(cbw_db_open(&db, path, 0, err, sizeof(err)), CBW_EDB);
	assert_null(db);
	assert_non_null(strstr(err, path));
	assert_int_not_equal(access(path, F_OK), 0);

	/* Fichier qui n'est pas une base. */
	put_file(f->dir, "notadb.db", "ceci n'est pas une base SQLite, "
	    "mais un texte assez long pour remplir l'en-tête de cent octets "
	    "que SQLite lit au début du fichier.\n");
	snprintf(path, sizeof(path), "%s/notadb.db", f->dir);
	err[0] = '\0';
	assert_int_equal(cbw_db_open(&db, path, 0, err, sizeof(err)), CBW_EDB);
	assert_null(db);
	assert_true(err[0] != '\0');
	cbw_db_close(NULL);
}

static void
test_pragmas(void **state)
{
	struct fx	*f = *state;
	char		*mode = NULL;
	long long	 fk = -1;

	assert_int_equal(cbw_db_query_int(f->db, &fk, "PRAGMA foreign_keys",
	    NULL), CBW_OK);
	assert_true(fk == 1);
	assert_int_equal(cbw_db_query_text(f->db, &mode, "PRAGMA journal_mode",
	    NULL), CBW_OK);
	assert_string_equal(mode, "wal");
	free(mode);
	/* Les clés étrangères sont vraiment appliquées. */
	assert_int_equal(cbw_db_exec(f->db, "INSERT INTO categories(name, "
	    "created_by, created_at, updated_at) VALUES ('x', 999, 'a', 'a')",
	    NULL), CBW_ECONFLICT);
	assert_int_equal(count(f->db, "SELECT count(*) FROM categories"), 0);
}

/* ---- paramètres et types ------------------------------------------------- */

static void
test_bind_types(void **state)
{
	struct fx		*f = *state;
	struct json_object	*row = NULL;
	char			*txt = NULL;
	long long		 id;

	assert_int_equal(cbw_db_exec(f->db, "INSERT INTO t(i, s, d, x) VALUES "
	    "(?, ?, ?, ?)", "isdn", 9223372036854775807LL, "été 😀", -2.5), CBW_OK);
	id = cbw_db_last_id(f->db);
	assert_true(id == 1);
	assert_int_equal(cbw_db_changes(f->db), 1);
	assert_int_equal(cbw_db_query_row(f->db, &row, "SELECT typeof(i) AS ti, "
	    "i, typeof(s) AS ts, s, typeof(d) AS td, d, typeof(x) AS tx, x "
	    "FROM t WHERE id = ?", "i", id), CBW_OK);
	assert_string_equal(json_object_to_json_string_ext(row,
	    JSON_C_TO_STRING_PLAIN), "{\"ti\":\"integer\",\"i\":9223372036854775807,"
	    "\"ts\":\"text\",\"s\":\"été 😀\",\"td\":\"real\",\"d\":-2.5,"
	    "\"tx\":\"null\",\"x\":null}");
	json_object_put(row);

	/* 's' avec NULL : NULL SQL. */
	assert_int_equal(cbw_db_exec(f->db, "INSERT INTO t(s) VALUES (?)", "s",
	    (const char *)NULL), CBW_OK);
	assert_int_equal(cbw_db_query_text(f->db, &txt, "SELECT typeof(s) FROM t "
	    "WHERE id = ?", "i", cbw_db_last_id(f->db)), CBW_OK);
	assert_string_equal(txt, "null");
	free(txt);
	/* query_text rend "" pour NULL. */
	assert_int_equal(cbw_db_query_text(f->db, &txt, "SELECT s FROM t "
	    "WHERE id = 2", NULL), CBW_OK);
	assert_string_equal(txt, "");
	free(txt);

	/* Paramètres numérotés réutilisés. */
	assert_int_equal(cbw_db_query_int(f->db, &id, "SELECT ?1 + ?1 * ?2",
	    "ii", 3LL, 4LL), CBW_OK);
	assert_true(id == 15);

	/* Texte avec quote et injection : lié, jamais interprété. */
	assert_int_equal(cbw_db_exec(f->db, "INSERT INTO t(s) VALUES (?)", "s",
	    "x'); DROP TABLE t; --"), CBW_OK);
	assert_int_equal(count(f->db, "SELECT count(*) FROM t WHERE s = "
	    "'x''); DROP TABLE t; --'"), 1);

	/* Format inconnu. */
	assert_int_equal(cbw_db_exec(f->db, "INSERT INTO t(i) VALUES (?)", "q",
	    1LL), CBW_EINVAL);
	/* Trop de paramètres pour la requête. */
	assert_int_equal(cbw_db_exec(f->db, "INSERT INTO t(i) VALUES (?)", "ii",
	    1LL, 2LL), CBW_EINVAL);
	assert_int_equal(count(f->db, "SELECT count(*) FROM t"), 3);
	/* SQL faux. */
	assert_int_equal(cbw_db_exec(f->db, "INSERT INTO nowhere VALUES (1)",
	    NULL), CBW_EDB);
	assert_int_equal(cbw_db_exec(f->db, "SELEKT 1", NULL), CBW_EDB);
}

static void
test_constraints(void **state)
{
	struct fx	*f = *state;

	assert_int_equal(cbw_db_exec(f->db, "INSERT INTO t(u) VALUES (?)", "s",
	    "unique"), CBW_OK);
	assert_int_equal(cbw_db_exec(f->db, "INSERT INTO t(u) VALUES (?)", "s",
	    "unique"), CBW_ECONFLICT);
	assert_int_equal(cbw_db_exec(f->db, "INSERT INTO t(nn) VALUES (?)", "n"),
	    CBW_ECONFLICT);
	assert_int_equal(cbw_db_exec(f->db, "INSERT INTO t(c) VALUES (?)", "i",
	    -1LL), CBW_ECONFLICT);
	assert_int_equal(count(f->db, "SELECT count(*) FROM t"), 1);
	/* La requête en cache reste utilisable après une violation. */
	assert_int_equal(cbw_db_exec(f->db, "INSERT INTO t(u) VALUES (?)", "s",
	    "other"), CBW_OK);
	/* Unicité NOCASE de users.email. */
	assert_int_equal(cbw_db_exec(f->db, "INSERT INTO users(email, "
	    "password_hash, role, created_at, updated_at) VALUES (?, 'h', "
	    "'admin', 'a', 'a')", "s", "Ana@Ex.fr"), CBW_OK);
	assert_int_equal(cbw_db_exec(f->db, "INSERT INTO users(email, "
	    "password_hash, role, created_at, updated_at) VALUES (?, 'h', "
	    "'admin', 'a', 'a')", "s", "ana@ex.FR"), CBW_ECONFLICT);
	assert_int_equal(cbw_db_exec(f->db, "INSERT INTO users(email, "
	    "password_hash, role, created_at, updated_at) VALUES (?, 'h', "
	    "'root', 'a', 'a')", "s", "b@ex.fr"), CBW_ECONFLICT);
}

static void
test_query_json(void **state)
{
	struct fx		*f = *state;
	struct json_object	*rows = NULL, *row = (struct json_object *)&row;
	long long		 n = 77;
	char			*txt = (char *)&txt;

	assert_int_equal(cbw_db_query_json(f->db, &rows, "SELECT 1 AS i, 2.5 AS d, "
	    "'x' AS s, NULL AS n, 1 AS \"b:bool\", 0 AS \"f:bool\", 7 AS \"g:bool\", "
	    "NULL AS \"nb:bool\", 'oui' AS \"sb:bool\", 1 AS \":bool\", "
	    "1 AS \"a:boolx\"", NULL), CBW_OK);
	assert_non_null(rows);
	assert_string_equal(json_object_to_json_string_ext(rows,
	    JSON_C_TO_STRING_PLAIN), "[{\"i\":1,\"d\":2.5,\"s\":\"x\",\"n\":null,"
	    "\"b\":true,\"f\":false,\"g\":true,\"nb\":null,\"sb\":\"oui\","
	    "\":bool\":1,\"a:boolx\":1}]");
	json_object_put(rows);

	/* Plusieurs lignes, dans l'ordre. */
	assert_int_equal(cbw_db_exec(f->db, "INSERT INTO t(i, s) VALUES (1, 'un'), "
	    "(2, 'deux'), (3, NULL)", NULL), CBW_OK);
	assert_int_equal(cbw_db_query_json(f->db, &rows, "SELECT i, s, i > 1 AS "
	    "\"big:bool\" FROM t WHERE i >= ? ORDER BY i", "i", 1LL), CBW_OK);
	assert_string_equal(json_object_to_json_string_ext(rows,
	    JSON_C_TO_STRING_PLAIN), "[{\"i\":1,\"s\":\"un\",\"big\":false},"
	    "{\"i\":2,\"s\":\"deux\",\"big\":true},{\"i\":3,\"s\":null,\"big\":true}]");
	json_object_put(rows);

	/* Aucune ligne : tableau vide. */
	assert_int_equal(cbw_db_query_json(f->db, &rows, "SELECT * FROM t WHERE "
	    "i > 100", NULL), CBW_OK);
	assert_string_equal(json_object_to_json_string_ext(rows,
	    JSON_C_TO_STRING_PLAIN), "[]");
	json_object_put(rows);

	/* Absences. */
	assert_int_equal(cbw_db_query_row(f->db, &row, "SELECT * FROM t WHERE "
	    "i = ?", "i", 99LL), CBW_ENOTFOUND);
	assert_null(row);
	assert_int_equal(cbw_db_query_int(f->db, &n, "SELECT i FROM t WHERE "
	    "i = ?", "i", 99LL), CBW_ENOTFOUND);
	assert_true(n == 77);
	assert_int_equal(cbw_db_query_text(f->db, &txt, "SELECT s FROM t WHERE "
	    "i = ?", "i", 99LL), CBW_ENOTFOUND);
	assert_null(txt);

	/* Première ligne seulement. */
	assert_int_equal(cbw_db_query_row(f->db, &row, "SELECT i, s FROM t "
	    "ORDER BY i DESC", NULL), CBW_OK);
	assert_string_equal(json_object_to_json_string_ext(row,
	    JSON_C_TO_STRING_PLAIN), "{\"i\":3,\"s\":null}");
	json_object_put(row);

	/* Erreur SQL. */
	rows = (struct json_object *)&rows;
	assert_int_equal(cbw_db_query_json(f->db, &rows, "SELECT nope FROM t",
	    NULL), CBW_EDB);
	assert_null(rows);
}

/* ---- cache des requêtes --------------------------------------------------- */

#define CSQL	"SELECT i FROM t WHERE i >= ? ORDER BY i"

static void
test_stmt_cache(void **state)
{
	struct fx	*f = *state;
	struct cbw_stmt	*s1, *s2;

	assert_int_equal(cbw_db_exec(f->db, "INSERT INTO t(i) VALUES (10), (20), "
	    "(30)", NULL), CBW_OK);
	/* Même texte, l'une après l'autre : même requête en cache. */
	assert_int_equal(cbw_db_prepare(f->db, CSQL, &s1), CBW_OK);
	assert_int_equal(cbw_db_bind(s1, "i", 20LL), CBW_OK);
	assert_int_equal(cbw_db_step(s1), CBW_STEP_ROW);
	assert_true(cbw_db_col_int(s1, 0) == 20);
	cbw_db_done(s1);
	assert_int_equal(cbw_db_prepare(f->db, CSQL, &s2), CBW_OK);
	assert_ptr_equal(s1, s2);
	/* Les liaisons ont été effacées par cbw_db_done : ? vaut NULL. */
	assert_int_equal(cbw_db_step(s2), CBW_STEP_DONE);
	cbw_db_done(s2);

	/* Texte différent : autre requête. */
	assert_int_equal(cbw_db_prepare(f->db, CSQL " ", &s2), CBW_OK);
	assert_ptr_not_equal(s1, s2);
	cbw_db_done(s2);
}

/* Même SQL réutilisé pendant qu'une lecture est en cours. */
static void
test_stmt_nested(void **state)
{
	struct fx	*f = *state;
	struct cbw_stmt	*outer, *inner, *again;
	long long	 seen[8], v, total = 0;
	int		 n = 0;

	assert_int_equal(cbw_db_exec(f->db, "INSERT INTO t(i) VALUES (1), (2), "
	    "(3), (4)", NULL), CBW_OK);
	assert_int_equal(cbw_db_prepare(f->db, CSQL, &outer), CBW_OK);
	assert_int_equal(cbw_db_bind(outer, "i", 1LL), CBW_OK);
	while (cbw_db_step(outer) == CBW_STEP_ROW) {
		assert_true(n < 8);
		seen[n] = cbw_db_col_int(outer, 0);
		/* Appel imbriqué du même texte par les aides. */
		v = -1;
		if (seen[n] < 4) {
			assert_int_equal(cbw_db_query_int(f->db, &v, CSQL, "i",
			    seen[n] + 1), CBW_OK);
			assert_true(v == seen[n] + 1);
		} else
			assert_int_equal(cbw_db_query_int(f->db, &v, CSQL, "i",
			    seen[n] + 1), CBW_ENOTFOUND);
		total += v;
		/* Et directement. */
		assert_int_equal(cbw_db_prepare(f->db, CSQL, &inner), CBW_OK);
		assert_ptr_not_equal(inner, outer);
		assert_int_equal(cbw_db_bind(inner, "i", 3LL), CBW_OK);
		assert_int_equal(cbw_db_step(inner), CBW_STEP_ROW);
		assert_true(cbw_db_col_int(inner, 0) == 3);
		cbw_db_done(inner);
		/* L'extérieure n'a pas bougé. */
		assert_true(cbw_db_col_int(outer, 0) == seen[n]);
		n++;
	}
	cbw_db_done(outer);
	assert_int_equal(n, 4);
	assert_true(seen[0] == 1 && seen[1] == 2 && seen[2] == 3 && seen[3] == 4);
	/* 2 + 3 + 4 et ENOTFOUND pour la dernière (v reste -1). */
	assert_true(total == 2 + 3 + 4 - 1);
	/* Le cache rend de nouveau la requête d'origine. */
	assert_int_equal(cbw_db_prepare(f->db, CSQL, &again), CBW_OK);
	assert_ptr_equal(again, outer);
	cbw_db_done(again);
}

/* ---- transactions ----------------------------------------------------------- */

static void
test_transactions(void **state)
{
	struct fx	*f = *state;

	assert_int_equal(cbw_db_begin(f->db), CBW_OK);
	assert_int_equal(cbw_db_begin(f->db), CBW_EINVAL);	/* pas d'imbrication */
	assert_int_equal(cbw_db_exec(f->db, "INSERT INTO t(s) VALUES ('rb1')",
	    NULL), CBW_OK);
	assert_int_equal(cbw_db_exec(f->db, "INSERT INTO t(s) VALUES ('rb2')",
	    NULL), CBW_OK);
	assert_int_equal(count(f->db, "SELECT count(*) FROM t"), 2);
	cbw_db_rollback(f->db);
	assert_int_equal(count(f->db, "SELECT count(*) FROM t"), 0);
	cbw_db_rollback(f->db);		/* sans effet */

	assert_int_equal(cbw_db_begin(f->db), CBW_OK);
	assert_int_equal(cbw_db_exec(f->db, "INSERT INTO t(s) VALUES ('ok')",
	    NULL), CBW_OK);
	assert_int_equal(cbw_db_commit(f->db), CBW_OK);
	assert_int_equal(count(f->db, "SELECT count(*) FROM t WHERE s = 'ok'"), 1);

	/* COMMIT sans transaction : erreur. */
	assert_int_not_equal(cbw_db_commit(f->db), CBW_OK);
	/* Une nouvelle transaction reste possible. */
	assert_int_equal(cbw_db_begin(f->db), CBW_OK);
	assert_int_equal(cbw_db_exec(f->db, "INSERT INTO t(u) VALUES ('a')",
	    NULL), CBW_OK);
	assert_int_equal(cbw_db_exec(f->db, "INSERT INTO t(u) VALUES ('a')",
	    NULL), CBW_ECONFLICT);
	cbw_db_rollback(f->db);
	assert_int_equal(count(f->db, "SELECT count(*) FROM t WHERE u = 'a'"), 0);

	/* Script de plusieurs instructions ; message en cas d'erreur. */
	char	 err[256] = "";
	assert_int_equal(cbw_db_script(f->db, "INSERT INTO t(s) VALUES ('s1'); "
	    "INSERT INTO t(s) VALUES ('s2');", err, sizeof(err)), CBW_OK);
	assert_int_equal(count(f->db, "SELECT count(*) FROM t WHERE s IN "
	    "('s1', 's2')"), 2);
	assert_int_equal(cbw_db_script(f->db, "INSERT INTO nowhere VALUES (1);",
	    err, sizeof(err)), CBW_EDB);
	assert_non_null(strstr(err, "nowhere"));
}

/* ---- sauvegarde ---------------------------------------------------------- */

static void
test_backup(void **state)
{
	struct fx	*f = *state;
	struct cbw_db	*b;
	char		 err[512] = "", path[160];
	long long	 n = -1;

	assert_int_equal(cbw_db_exec(f->db, "INSERT INTO t(s) VALUES ('a'), ('b'), "
	    "('c')", NULL), CBW_OK);
	assert_int_equal(cbw_db_exec(f->db, "INSERT INTO users(email, "
	    "password_hash, role, created_at, updated_at) VALUES ('x@y.fr', 'h', "
	    "'admin', 'a', 'a')", NULL), CBW_OK);
	snprintf(path, sizeof(path), "%s/backup.db", f->dir);
	assert_int_equal(cbw_db_backup(f->db, path, err, sizeof(err)), CBW_OK);
	/* Écrit après la copie : absent de la copie. */
	assert_int_equal(cbw_db_exec(f->db, "INSERT INTO t(s) VALUES ('d')", NULL),
	    CBW_OK);
	assert_int_equal(cbw_db_open(&b, path, 0, err, sizeof(err)), CBW_OK);
	assert_int_equal(cbw_db_query_int(b, &n, "SELECT count(*) FROM t", NULL),
	    CBW_OK);
	assert_true(n == 3);
	assert_int_equal(cbw_db_query_int(b, &n, "SELECT count(*) FROM users "
	    "WHERE email = 'x@y.fr'", NULL), CBW_OK);
	assert_true(n == 1);
	assert_int_equal(cbw_db_query_int(b, &n, "SELECT count(*) FROM "
	    "schema_migrations", NULL), CBW_OK);
	assert_true(n == count_migrations());
	cbw_db_close(b);

	/* Destination impossible. */
	err[0] = '\0';
	assert_int_equal(cbw_db_backup(f->db, "/nonexistent/dir/b.db", err,
	    sizeof(err)), CBW_EDB);
	assert_true(err[0] != '\0');
}

/* ---- verrous ---------------------------------------------------------------- */

static double
mono(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
test_busy(void **state)
{
	struct fx	*f = *state;
	struct cbw_db	*db2;
	char		 err[512] = "";
	double		 t0, dt;

	assert_int_equal(cbw_db_open(&db2, f->path, 0, err, sizeof(err)), CBW_OK);
	assert_int_equal(cbw_db_begin(db2), CBW_OK);
	assert_int_equal(cbw_db_exec(db2, "INSERT INTO t(s) VALUES ('db2')", NULL),
	    CBW_OK);
	cbw_db_busy_ms(f->db, 50);
	t0 = mono();
	assert_int_equal(cbw_db_exec(f->db, "INSERT INTO t(s) VALUES ('db1')",
	    NULL), CBW_EBUSY);
	dt = mono() - t0;
	assert_true(dt >= 0.04);
	assert_true(dt < 2.0);
	assert_int_equal(cbw_db_begin(f->db), CBW_EBUSY);
	/* La lecture reste possible (WAL) et ne voit pas l'écriture en cours. */
	assert_int_equal(count(f->db, "SELECT count(*) FROM t"), 0);
	/* Le verrou relâché, l'écriture passe. */
	assert_int_equal(cbw_db_commit(db2), CBW_OK);
	assert_int_equal(cbw_db_exec(f->db, "INSERT INTO t(s) VALUES ('db1')",
	    NULL), CBW_OK);
	assert_int_equal(cbw_db_begin(f->db), CBW_OK);
	cbw_db_rollback(f->db);
	assert_int_equal(count(f->db, "SELECT count(*) FROM t"), 2);
	cbw_db_close(db2);
}

/* ---- requête relancée ligne après ligne ------------------------------------ */

/* cbw_db_run : mêmes codes que cbw_db_exec, liaisons effacées entre deux. */
static void
test_run(void **state)
{
	struct fx	*f = *state;
	struct cbw_stmt	*s;
	char		 text[16];
	int		 i;

	assert_int_equal(cbw_db_prepare(f->db, "INSERT INTO t(i, u) VALUES "
	    "(?, ?)", &s), CBW_OK);
	for (i = 0; i < 5; i++) {
		/* Tampon réécrit à chaque tour : le texte lié n'est pas gardé. */
		snprintf(text, sizeof(text), "u%d", i);
		assert_int_equal(cbw_db_run(s, "is", (long long)i, text), CBW_OK);
		assert_int_equal(cbw_db_changes(f->db), 1);
	}
	assert_int_equal(cbw_db_run(s, "is", 9LL, "u2"), CBW_ECONFLICT);
	assert_int_equal(cbw_db_run(s, "x", 1LL), CBW_EINVAL);
	/* Sans liaison, les paramètres valent NULL (liaisons effacées). */
	assert_int_equal(cbw_db_run(s, NULL), CBW_OK);
	cbw_db_done(s);
	assert_int_equal(count(f->db, "SELECT count(*) FROM t WHERE u IN ('u0', "
	    "'u1', 'u2', 'u3', 'u4') AND i = CAST(substr(u, 2) AS INTEGER)"), 5);
	assert_int_equal(count(f->db, "SELECT count(*) FROM t WHERE i IS NULL "
	    "AND u IS NULL"), 1);
}

/*
 * Plus de lettres de format que de paramètres dans le SQL : refusé avant de
 * lire le moindre argument (CBW_EINVAL), rien n'est exécuté.
 */
static void
test_bind_count(void **state)
{
	struct fx	*f = *state;
	long long	 v = -1;

	assert_int_equal(cbw_db_query_int(f->db, &v, "SELECT ?", "ii", 1LL, 2LL),
	    CBW_EINVAL);
	assert_int_equal(cbw_db_exec(f->db, "INSERT INTO t(i, u) VALUES (?, ?)",
	    "isi", 1LL, "x", 3LL), CBW_EINVAL);
	assert_int_equal(count(f->db, "SELECT count(*) FROM t"), 0);
	assert_int_equal(cbw_db_query_int(f->db, &v, "SELECT ?", "i", 7LL), CBW_OK);
	assert_int_equal(v, 7);
}

/* ---- import en bloc (0005_bulk_import.sql) ------------------------------- */

/* Crée un admin ; rend son identifiant. */
static long long
add_admin(struct cbw_db *db, const char *email)
{
	assert_int_equal(cbw_db_exec(db, "INSERT INTO users(email, "
	    "password_hash, role, created_at, updated_at) VALUES (?, 'x', "
	    "'admin', '2024-01-01T00:00:00Z', '2024-01-01T00:00:00Z')", "s",
	    email), CBW_OK);
	return cbw_db_last_id(db);
}

#define ADD_SQL "INSERT INTO contacts(phone_number, country_code, " \
	"full_number, first_name, search_key, created_by, created_at, " \
	"updated_at) VALUES (substr(?1, 4), '+33', ?1, ?2, ?3, ?4, " \
	"'2024-01-01T00:00:00Z', '2024-01-01T00:00:00Z')"

/* Ajoute un contact par une écriture ordinaire (déclencheurs). */
static enum cbw_err
add_contact(struct cbw_db *db, long long owner, const char *full,
    const char *first, const char *key)
{
	return cbw_db_exec(db, ADD_SQL, "sssi", full, first, key, owner);
}

/* owner_counts.contacts et contacts_version de l'admin. */
static void
owner_state(struct cbw_db *db, long long owner, long long *contacts,
    long long *version)
{
	assert_int_equal(cbw_db_query_int(db, contacts, "SELECT contacts FROM "
	    "owner_counts WHERE user_id = ?", "i", owner), CBW_OK);
	assert_int_equal(cbw_db_query_int(db, version, "SELECT contacts_version "
	    "FROM owner_counts WHERE user_id = ?", "i", owner), CBW_OK);
}

/* Vrai nombre de contacts de l'admin. */
static long long
real_count(struct cbw_db *db, long long owner)
{
	long long	 n = -1;

	assert_int_equal(cbw_db_query_int(db, &n, "SELECT count(*) FROM "
	    "contacts WHERE created_by = ?", "i", owner), CBW_OK);
	return n;
}

/*
 * Contacts de l'admin trouvés par l'index FTS5 pour le terme `q` (ses
 * trigrammes, puis la sous-chaîne, comme lib/contact.c).
 */
static long long
fts_hits(struct cbw_db *db, long long owner, const char *q)
{
	long long	 n = -1;

	assert_int_equal(cbw_db_query_int(db, &n, "SELECT count(*) FROM "
	    "contacts_fts f CROSS JOIN contacts c ON c.id = f.rowid WHERE "
	    "f.contacts_fts MATCH cbw_trigrams(?1) AND instr(c.search_key, ?1) "
	    "> 0 AND c.created_by = ?2", "si", q, owner),
	    CBW_OK);
	return n;
}

/*
 * L'index FTS5 correspond exactement à la table contacts (contrôle
 * d'intégrité de SQLite, contenu externe compris) ; bulk_import est vide ;
 * la fusion automatique des segments, coupée pendant un import, est revenue
 * à la valeur par défaut de FTS5 (4, ou réglage absent).
 */
static void
fts_exact(struct cbw_db *db)
{
	assert_int_equal(cbw_db_exec(db, "INSERT INTO contacts_fts(contacts_fts, "
	    "rank) VALUES ('integrity-check', 1)", NULL), CBW_OK);
	assert_int_equal(count(db, "SELECT count(*) FROM bulk_import"), 0);
	assert_int_equal(count(db, "SELECT coalesce((SELECT v FROM "
	    "contacts_fts_config WHERE k = 'automerge'), 4)"), 4);
}

/*
 * Déclencheurs d'ajout de contact : muets seulement tant que bulk_import a
 * une ligne (dans la transaction de l'import), actifs sinon.
 */
static void
test_bulk_flag(void **state)
{
	struct fx	*f = *state;
	long long	 owner = add_admin(f->db, "flag@test.com"), n, v;

	assert_int_equal(add_contact(f->db, owner, "+33600000001", "Alpha",
	    "alpha  33600000001 0600000001"), CBW_OK);
	owner_state(f->db, owner, &n, &v);
	assert_true(n == 1 && v == 1);
	assert_true(fts_hits(f->db, owner, "alpha") == 1);

	assert_int_equal(cbw_db_begin(f->db), CBW_OK);
	assert_int_equal(cbw_db_exec(f->db, "INSERT INTO bulk_import(id) "
	    "VALUES (1)", NULL), CBW_OK);
	assert_int_equal(add_contact(f->db, owner, "+33600000002", "Beta",
	    "beta  33600000002 0600000002"), CBW_OK);
	owner_state(f->db, owner, &n, &v);
	assert_true(n == 1 && v == 1);
	assert_true(fts_hits(f->db, owner, "beta") == 0);
	assert_int_equal(cbw_db_exec(f->db, "DELETE FROM bulk_import", NULL),
	    CBW_OK);
	assert_int_equal(add_contact(f->db, owner, "+33600000003", "Gamma",
	    "gamma  33600000003 0600000003"), CBW_OK);
	owner_state(f->db, owner, &n, &v);
	assert_true(n == 2 && v == 2);
	assert_true(fts_hits(f->db, owner, "gamma") == 1);
	cbw_db_rollback(f->db);

	owner_state(f->db, owner, &n, &v);
	assert_true(n == 1 && v == 1 && real_count(f->db, owner) == 1);
	fts_exact(f->db);
	/* Une seule ligne possible. */
	assert_int_equal(cbw_db_exec(f->db, "INSERT INTO bulk_import(id) "
	    "VALUES (2)", NULL), CBW_ECONFLICT);
}

/* Importe `csv` pour l'admin ; vérifie créés, ignorés et rejetés. */
static void
import_csv(struct cbw_db *db, long long owner, const char *csv,
    long long created, long long skipped, long long rejected)
{
	struct cbw_import_opts		 o = { "+33", 0, NULL, 0 };
	struct cbw_import_result	 res;
	const char			*msg = NULL;

	cbw_import_result_init(&res);
	assert_int_equal(cbw_import_csv(db, owner, csv, strlen(csv), &o, &res,
	    &msg), CBW_OK);
	if (res.created != created || res.skipped != skipped ||
	    res.rejected_count != rejected)
		fail_msg("créés %lld, ignorés %lld, rejetés %lld (attendus %lld, "
		    "%lld, %lld)", res.created, res.skipped, res.rejected_count,
		    created, skipped, rejected);
	cbw_import_result_free(&res);
}

/*
 * Import de 300 lignes : compteurs, version et recherche exacts ; réimport
 * du même fichier sans effet ; admin qui a déjà des contacts ; autre admin.
 */
static void
test_import_bulk(void **state)
{
	struct fx	*f = *state;
	struct cbw_buf	 csv;
	long long	 a = add_admin(f->db, "bulk-a@test.com"), b, c, n, v, v1;
	int		 i;

	cbw_buf_init(&csv);
	cbw_buf_puts(&csv, "Prénom;Nom;Téléphone\n");
	for (i = 0; i < 300; i++)
		cbw_buf_printf(&csv, "%s;Nom%d;06%08d\n", i % 5 == 0 ? "Hélène" :
		    "Jean", i, 10000000 + i * 13);
	cbw_buf_puts(&csv, "Doublon;Fichier;0610000000\nMauvais;Numéro;abc\n");

	import_csv(f->db, a, cbw_buf_str(&csv), 300, 1, 1);
	owner_state(f->db, a, &n, &v1);
	assert_true(n == 300 && real_count(f->db, a) == 300);
	assert_true(v1 == 1);			/* une seule hausse par import */
	assert_true(fts_hits(f->db, a, "helene") == 60);
	assert_true(fts_hits(f->db, a, "nom123") == 1);
	assert_true(fts_hits(f->db, a, "0610001599") == 1);	/* i = 123 */
	assert_true(fts_hits(f->db, a, "33610003887") == 1);	/* i = 299 */
	fts_exact(f->db);

	/* Même fichier : rien de créé, rien ne bouge. */
	import_csv(f->db, a, cbw_buf_str(&csv), 0, 301, 1);
	owner_state(f->db, a, &n, &v);
	assert_true(n == 300 && v == v1 && real_count(f->db, a) == 300);
	fts_exact(f->db);

	/* L'admin a déjà des contacts : seuls les nouveaux numéros entrent. */
	import_csv(f->db, a, "Prénom;Nom;Téléphone\nZoé;Neuve;0699000001\n"
	    "Jean;Nom0;0610000000\n", 1, 1, 0);
	owner_state(f->db, a, &n, &v);
	assert_true(n == 301 && v == v1 + 1 && real_count(f->db, a) == 301);
	assert_true(fts_hits(f->db, a, "zoe") == 1);
	fts_exact(f->db);

	/* Un autre admin importe le même fichier dans la base déjà remplie. */
	b = add_admin(f->db, "bulk-b@test.com");
	import_csv(f->db, b, cbw_buf_str(&csv), 300, 1, 1);
	owner_state(f->db, b, &n, &v);
	assert_true(n == 300 && v == 1 && real_count(f->db, b) == 300);
	assert_true(fts_hits(f->db, b, "helene") == 60);
	owner_state(f->db, a, &n, &v);
	assert_true(n == 301 && real_count(f->db, a) == 301);
	fts_exact(f->db);

	/*
	 * Fin de ligne « \r » seule : aucun « \n » pour estimer le nombre de
	 * lignes, l'ensemble des numéros vus grandit en route et repère encore
	 * les doublons (premier et dernier numéros répétés en fin de fichier).
	 */
	cbw_buf_reset(&csv);
	cbw_buf_puts(&csv, "Téléphone\r");
	for (i = 0; i < 1500; i++)
		cbw_buf_printf(&csv, "07%08d\r", 20000000 + i * 7);
	cbw_buf_puts(&csv, "0720000000\r0720010493\r");
	c = add_admin(f->db, "bulk-cr@test.com");
	import_csv(f->db, c, cbw_buf_str(&csv), 1500, 2, 0);
	owner_state(f->db, c, &n, &v);
	assert_true(n == 1500 && v == 1 && real_count(f->db, c) == 1500);
	assert_true(fts_hits(f->db, c, "0720010493") == 1);
	fts_exact(f->db);

	/* Après l'import, une écriture ordinaire passe par les déclencheurs. */
	assert_int_equal(add_contact(f->db, b, "+33699000002", "Yves",
	    "yves  33699000002 0699000002"), CBW_OK);
	owner_state(f->db, b, &n, &v);
	assert_true(n == 301 && v == 2 && fts_hits(f->db, b, "yves") == 1);
	fts_exact(f->db);
	cbw_buf_free(&csv);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_migrate, setup, teardown),
		cmocka_unit_test_setup_teardown(test_migrate_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pragmas, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bind_types, setup, teardown),
		cmocka_unit_test_setup_teardown(test_constraints, setup, teardown),
		cmocka_unit_test_setup_teardown(test_query_json, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stmt_cache, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stmt_nested, setup, teardown),
		cmocka_unit_test_setup_teardown(test_transactions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_backup, setup, teardown),
		cmocka_unit_test_setup_teardown(test_busy, setup, teardown),
		cmocka_unit_test_setup_teardown(test_run, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bind_count, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bulk_flag, setup, teardown),
		cmocka_unit_test_setup_teardown(test_import_bulk, setup, teardown),
	};

	return cmocka_run_group_tests_name("db", tests, NULL, NULL);
}
