/*
 * Enveloppe SQLite (voir db.h). Seul fichier qui appelle sqlite3_*.
 */
#include "autoconfig.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>
#include <sqlite3.h>

#include "buf.h"
#include "db.h"
#include "fold.h"
#include "log.h"

struct cbw_stmt {
	sqlite3_stmt	*st;
	struct cbw_db	*db;
	char		*sql;		/* copie, clé du cache */
	uint32_t	 hash;
	int		 in_use;	/* lue en ce moment */
	int		 cached;	/* 0 : finalisée par cbw_db_done */
};

struct cbw_db {
	sqlite3		 *h;
	struct cbw_stmt **cache;
	size_t		  ncache, capcache;
	int		  in_tx;
	enum cbw_db_fault fault;	/* dernière panne de stockage vue */
	long long	  max_pages;	/* max_page_count d'origine (tests) */
	int		  ckpt_later;	/* point de contrôle après la réponse */
};

/* Hachage FNV-1a du texte SQL (clé du cache). */
static uint32_t
sql_hash(const char *s)
{
	uint32_t	 h = 2166136261u;

	while (*s != '\0')
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h;
}

/*
 * Fonction SQL cbw_fold(texte) : la forme repliée de fold.c (minuscules,
 * sans accents), pour comparer et chercher des noms. Utilisée seulement
 * dans les requêtes du programme, jamais dans le schéma (le client
 * sqlite3 doit pouvoir écrire dans la base).
 */
static void
sql_fold(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
	struct cbw_buf	 b;

	(void)argc;
	if (sqlite3_value_type(argv[0]) == SQLITE_NULL) {
		sqlite3_result_null(cx);
		return;
	}
	cbw_buf_init(&b);
	if (cbw_fold(&b, (const char *)sqlite3_value_text(argv[0])) != CBW_OK)
		sqlite3_result_error_nomem(cx);
	else
		sqlite3_result_text(cx, cbw_buf_str(&b), (int)b.len, SQLITE_TRANSIENT);
	cbw_buf_free(&b);
}

/*
 * Fonction SQL cbw_trigrams(terme) : la requête FTS5 de cbw_fold_trigrams
 * (chaque trigramme du terme, pour l'index sans positions) ; NULL si le
 * terme a moins de trois caractères, ce qui ne trouve rien.
 */
static void
sql_trigrams(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
	struct cbw_buf	 b;
	enum cbw_err	 er;

	(void)argc;
	cbw_buf_init(&b);
	er = cbw_fold_trigrams(&b, (const char *)sqlite3_value_text(argv[0]));
	if (er == CBW_ENOMEM)
		sqlite3_result_error_nomem(cx);
	else if (er != CBW_OK)
		sqlite3_result_null(cx);
	else
		sqlite3_result_text(cx, cbw_buf_str(&b), (int)b.len, SQLITE_TRANSIENT);
	cbw_buf_free(&b);
}

/* Applique les réglages de connexion ; CBW_OK ou CBW_EDB. */
static enum cbw_err
db_pragmas(struct cbw_db *db, char *errbuf, size_t errlen)
{
	static const char *const pragmas =
	    "PRAGMA journal_mode=WAL;"
	    "PRAGMA synchronous=NORMAL;"
	    "PRAGMA foreign_keys=ON;"
	    "PRAGMA temp_store=MEMORY;";

	sqlite3_busy_timeout(db->h, CBW_DB_BUSY_MS);
	if (sqlite3_create_function(db->h, "cbw_fold", 1, SQLITE_UTF8 |
	    SQLITE_DETERMINISTIC, NULL, sql_fold, NULL, NULL) != SQLITE_OK) {
		snprintf(errbuf, errlen, "cbw_fold : %s", sqlite3_errmsg(db->h));
		return CBW_EDB;
	}
	if (sqlite3_create_function(db->h, "cbw_trigrams", 1, SQLITE_UTF8 |
	    SQLITE_DETERMINISTIC, NULL, sql_trigrams, NULL, NULL) != SQLITE_OK) {
		snprintf(errbuf, errlen, "cbw_trigrams : %s", sqlite3_errmsg(db->h));
		return CBW_EDB;
	}
	return cbw_db_script(db, pragmas, errbuf, errlen);
}

/*
 * Ouvre la base `path` (créée si `create`). Renvoie CBW_OK, ou CBW_EDB avec
 * un message dans errbuf (fichier absent, illisible, pas une base...).
 */
enum cbw_err
cbw_db_open(struct cbw_db **out, const char *path, int create,
    char *errbuf, size_t errlen)
{
	struct cbw_db	*db;
	int		 flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;

	*out = NULL;
	if (create)
		flags |= SQLITE_OPEN_CREATE;
	if ((db = calloc(1, sizeof(*db))) == NULL)
		return CBW_ENOMEM;
	if (sqlite3_open_v2(path, &db->h, flags, NULL) != SQLITE_OK) {
		snprintf(errbuf, errlen, "base de données %s : %s", path,
		    db->h ? sqlite3_errmsg(db->h) : "mémoire insuffisante");
		goto fail;
	}
	sqlite3_extended_result_codes(db->h, 0);
	if (db_pragmas(db, errbuf, errlen) != CBW_OK)
		goto fail;
	*out = db;
	return CBW_OK;
fail:
	cbw_db_close(db);
	return CBW_EDB;
}

/*
 * Fermeture sans point de contrôle : quand cette connexion est la dernière
 * ouverte sur la base, SQLite prend sinon un verrou exclusif pour recopier
 * le WAL et le supprimer, et tout autre processus sans attente (outil
 * sqlite3, sauvegarde) voit « database is locked » pendant ce temps. Les
 * programmes FastCGI ferment leur connexion à chaque repos (lib/app.c) :
 * le WAL reste alors en place, recyclé par les points de contrôle
 * automatiques et ceux d'après réponse. Ne rend rien.
 */
void
cbw_db_keep_wal_on_close(struct cbw_db *db)
{
	if (db != NULL)
		sqlite3_db_config(db->h, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL);
}

/* Finalise les requêtes en cache et ferme la connexion. */
void
cbw_db_close(struct cbw_db *db)
{
	size_t	 i;

	if (db == NULL)
		return;
	cbw_db_after_response(db);
	for (i = 0; i < db->ncache; i++) {
		sqlite3_finalize(db->cache[i]->st);
		free(db->cache[i]->sql);
		free(db->cache[i]);
	}
	free(db->cache);
	sqlite3_close(db->h);
	free(db);
}

/* Règle l'attente maximale sur un verrou. */
void
cbw_db_busy_ms(struct cbw_db *db, int ms)
{
	sqlite3_busy_timeout(db->h, ms);
}

/* Ajoute une requête au cache ; CBW_ENOMEM si impossible. */
static enum cbw_err
cache_add(struct cbw_db *db, struct cbw_stmt *s)
{
	struct cbw_stmt	**n;
	size_t		  ncap;

	if (db->ncache == db->capcache) {
		ncap = db->capcache ? db->capcache * 2 : 32;
		if ((n = reallocarray(db->cache, ncap, sizeof(*n))) == NULL)
			return CBW_ENOMEM;
		db->cache = n;
		db->capcache = ncap;
	}
	db->cache[db->ncache++] = s;
	s->cached = 1;
	return CBW_OK;
}

/*
 * Rend une requête préparée pour `sql`, depuis le cache si possible. Si la
 * requête du cache est déjà en cours de lecture (appel imbriqué), une
 * requête temporaire est préparée. Renvoie CBW_OK, CBW_ENOMEM ou CBW_EDB.
 */
enum cbw_err
cbw_db_prepare(struct cbw_db *db, const char *sql, struct cbw_stmt **out)
{
	struct cbw_stmt	*s;
	uint32_t	 h = sql_hash(sql);
	size_t		 i;
	int		 busy = 0;

	for (i = 0; i < db->ncache; i++) {
		s = db->cache[i];
		if (s->hash == h && strcmp(s->sql, sql) == 0) {
			if (!s->in_use) {
				s->in_use = 1;
				*out = s;
				return CBW_OK;
			}
			busy = 1;
			break;
		}
	}
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return CBW_ENOMEM;
	if (sqlite3_prepare_v2(db->h, sql, -1, &s->st, NULL) != SQLITE_OK) {
		cbw_log(CBW_LOG_ERROR, __func__, 0, "préparation SQL impossible",
		    sqlite3_errmsg(db->h), NULL);
		free(s);
		return CBW_EDB;
	}
	s->db = db;
	s->hash = h;
	s->in_use = 1;
	if ((s->sql = strdup(sql)) == NULL || (!busy && cache_add(db, s) != CBW_OK)) {
		sqlite3_finalize(s->st);
		free(s->sql);
		free(s);
		return CBW_ENOMEM;
	}
	*out = s;
	return CBW_OK;
}

/*
 * Lie les paramètres selon `fmt` (voir db.h) ; les textes sont copiés, ou
 * seulement pointés si `keep` (l'appelant les garde jusqu'à la remise à
 * zéro de la requête). CBW_OK, CBW_ENOMEM, ou CBW_EINVAL si fmt est faux.
 */
static enum cbw_err
bind_va(struct cbw_stmt *s, int keep, const char *fmt, va_list ap)
{
	const char	*str;
	int		 i, rc = SQLITE_OK;

	/*
	 * Jamais plus de lettres que de paramètres dans le SQL : une erreur de
	 * format est signalée ici au lieu de lire des arguments qui n'existent
	 * pas (comportement indéfini). Moins de lettres : les derniers
	 * paramètres valent NULL.
	 */
	if ((int)(fmt != NULL ? strlen(fmt) : 0) >
	    sqlite3_bind_parameter_count(s->st)) {
		CBW_LOGE("format de paramètres SQL faux", fmt != NULL ? fmt : "");
		return CBW_EINVAL;
	}
	for (i = 1; fmt != NULL && fmt[i - 1] != '\0'; i++) {
		switch (fmt[i - 1]) {
		case 'i':
			rc = sqlite3_bind_int64(s->st, i, va_arg(ap, long long));
			break;
		case 'd':
			rc = sqlite3_bind_double(s->st, i, va_arg(ap, double));
			break;
		case 's':
			str = va_arg(ap, const char *);
			rc = str == NULL ? sqlite3_bind_null(s->st, i) :
			    sqlite3_bind_text(s->st, i, str, -1, keep ?
			    SQLITE_STATIC : SQLITE_TRANSIENT);
			break;
		case 'n':
			rc = sqlite3_bind_null(s->st, i);
			break;
		default:
			return CBW_EINVAL;
		}
		if (rc != SQLITE_OK)
			return rc == SQLITE_NOMEM ? CBW_ENOMEM : CBW_EINVAL;
	}
	return CBW_OK;
}

/* Lie des paramètres à une requête préparée. */
enum cbw_err
cbw_db_bind(struct cbw_stmt *s, const char *fmt, ...)
{
	va_list		 ap;
	enum cbw_err	 er;

	va_start(ap, fmt);
	er = bind_va(s, 0, fmt, ap);
	va_end(ap);
	return er;
}

/*
 * Retient une panne de stockage (disque plein, base en lecture seule) vue
 * sur la connexion, pour que la réponse HTTP la nomme (voir
 * cbw_db_fault). Les autres codes ne changent rien.
 */
static void
note_fault(struct cbw_db *db, int rc)
{
	if (rc == SQLITE_FULL)
		db->fault = CBW_DB_FAULT_FULL;
	else if (rc == SQLITE_READONLY)
		db->fault = CBW_DB_FAULT_READONLY;
}

/* Avance d'une ligne ; journalise les vraies erreurs avec le texte SQL. */
enum cbw_step
cbw_db_step(struct cbw_stmt *s)
{
	int	 rc = sqlite3_step(s->st);

	switch (rc) {
	case SQLITE_ROW:
		return CBW_STEP_ROW;
	case SQLITE_DONE:
		return CBW_STEP_DONE;
	case SQLITE_CONSTRAINT:
		return CBW_STEP_CONSTRAINT;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		cbw_log(CBW_LOG_WARNING, __func__, 0, "base verrouillée",
		    s->sql, NULL);
		return CBW_STEP_BUSY;
	default:
		note_fault(s->db, rc);
		cbw_log(CBW_LOG_ERROR, __func__, 0, sqlite3_errmsg(s->db->h),
		    s->sql, NULL);
		return CBW_STEP_ERROR;
	}
}

/* Remet la requête à zéro et la rend au cache (ou la finalise). */
void
cbw_db_done(struct cbw_stmt *s)
{
	if (s == NULL)
		return;
	sqlite3_reset(s->st);
	sqlite3_clear_bindings(s->st);
	s->in_use = 0;
	if (!s->cached) {
		sqlite3_finalize(s->st);
		free(s->sql);
		free(s);
	}
}

long long
cbw_db_col_int(struct cbw_stmt *s, int col)
{
	return sqlite3_column_int64(s->st, col);
}

double
cbw_db_col_double(struct cbw_stmt *s, int col)
{
	return sqlite3_column_double(s->st, col);
}

/* Texte de la colonne ; "" pour NULL (jamais NULL). */
const char *
cbw_db_col_text(struct cbw_stmt *s, int col)
{
	const unsigned char	*t = sqlite3_column_text(s->st, col);

	return t != NULL ? (const char *)t : "";
}

int
cbw_db_col_isnull(struct cbw_stmt *s, int col)
{
	return sqlite3_column_type(s->st, col) == SQLITE_NULL;
}

int
cbw_db_col_count(struct cbw_stmt *s)
{
	return sqlite3_column_count(s->st);
}

/* Valeur JSON d'une colonne selon son type SQLite (et le suffixe :bool). */
static struct json_object *
col_json(struct cbw_stmt *s, int i, int is_bool)
{
	switch (sqlite3_column_type(s->st, i)) {
	case SQLITE_NULL:
		return NULL;
	case SQLITE_INTEGER:
		if (is_bool)
			return json_object_new_boolean(sqlite3_column_int64(s->st, i) != 0);
		return json_object_new_int64(sqlite3_column_int64(s->st, i));
	case SQLITE_FLOAT:
		return json_object_new_double(sqlite3_column_double(s->st, i));
	default:
		return json_object_new_string_len(
		    (const char *)sqlite3_column_text(s->st, i),
		    sqlite3_column_bytes(s->st, i));
	}
}

/* Construit l'objet JSON de la ligne courante ; NULL si mémoire. */
struct json_object *
cbw_db_row_json(struct cbw_stmt *s)
{
	struct json_object	*o;
	const char		*name;
	char			 key[128];
	size_t			 n;
	int			 i, is_bool;

	if ((o = json_object_new_object()) == NULL)
		return NULL;
	for (i = 0; i < sqlite3_column_count(s->st); i++) {
		name = sqlite3_column_name(s->st, i);
		n = strlen(name);
		is_bool = n > 5 && strcmp(name + n - 5, ":bool") == 0;
		if (is_bool)
			n -= 5;
		if (n >= sizeof(key))
			n = sizeof(key) - 1;
		memcpy(key, name, n);
		key[n] = '\0';
		json_object_object_add(o, key, col_json(s, i, is_bool));
	}
	return o;
}

/* Traduit le résultat final d'un pas en code d'erreur. */
static enum cbw_err
step_err(enum cbw_step st)
{
	switch (st) {
	case CBW_STEP_ROW:
	case CBW_STEP_DONE:
		return CBW_OK;
	case CBW_STEP_CONSTRAINT:
		return CBW_ECONFLICT;
	case CBW_STEP_BUSY:
		return CBW_EBUSY;
	default:
		return CBW_EDB;
	}
}

/* Prépare et lie ; rend la requête prête à être lue. */
static enum cbw_err
prep_va(struct cbw_db *db, const char *sql, struct cbw_stmt **s,
    const char *fmt, va_list ap)
{
	enum cbw_err	 er;

	if ((er = cbw_db_prepare(db, sql, s)) != CBW_OK)
		return er;
	if ((er = bind_va(*s, 0, fmt, ap)) != CBW_OK) {
		cbw_db_done(*s);
		*s = NULL;
	}
	return er;
}

/* Exécute une requête jusqu'au bout (INSERT/UPDATE/DELETE). */
enum cbw_err
cbw_db_exec(struct cbw_db *db, const char *sql, const char *fmt, ...)
{
	struct cbw_stmt	*s;
	enum cbw_step	 st;
	enum cbw_err	 er;
	va_list		 ap;

	va_start(ap, fmt);
	er = prep_va(db, sql, &s, fmt, ap);
	va_end(ap);
	if (er != CBW_OK)
		return er;
	while ((st = cbw_db_step(s)) == CBW_STEP_ROW)
		continue;
	cbw_db_done(s);
	return step_err(st);
}

/*
 * Lie `fmt`, exécute jusqu'au bout une requête gardée par l'appelant, puis
 * la remet à zéro (liaisons effacées) sans la rendre au cache. Les textes
 * ne sont pas copiés : ils ne servent que pendant l'appel. Rend CBW_OK, ou
 * comme cbw_db_exec CBW_EINVAL, CBW_ENOMEM, CBW_ECONFLICT, CBW_EBUSY,
 * CBW_EDB.
 */
enum cbw_err
cbw_db_run(struct cbw_stmt *s, const char *fmt, ...)
{
	enum cbw_step	 st;
	enum cbw_err	 er;
	va_list		 ap;

	va_start(ap, fmt);
	er = bind_va(s, 1, fmt, ap);
	va_end(ap);
	if (er == CBW_OK) {
		while ((st = cbw_db_step(s)) == CBW_STEP_ROW)
			continue;
		er = step_err(st);
	}
	sqlite3_reset(s->st);
	sqlite3_clear_bindings(s->st);
	return er;
}

/* Lit toutes les lignes dans un tableau JSON. */
enum cbw_err
cbw_db_query_json(struct cbw_db *db, struct json_object **rows,
    const char *sql, const char *fmt, ...)
{
	struct cbw_stmt		*s;
	struct json_object	*arr, *o;
	enum cbw_step		 st;
	enum cbw_err		 er;
	va_list			 ap;

	*rows = NULL;
	va_start(ap, fmt);
	er = prep_va(db, sql, &s, fmt, ap);
	va_end(ap);
	if (er != CBW_OK)
		return er;
	if ((arr = json_object_new_array()) == NULL) {
		cbw_db_done(s);
		return CBW_ENOMEM;
	}
	while ((st = cbw_db_step(s)) == CBW_STEP_ROW) {
		if ((o = cbw_db_row_json(s)) == NULL) {
			st = CBW_STEP_ERROR;
			break;
		}
		json_object_array_add(arr, o);
	}
	cbw_db_done(s);
	if ((er = step_err(st)) != CBW_OK) {
		json_object_put(arr);
		return er;
	}
	*rows = arr;
	return CBW_OK;
}

/* Lit la première ligne ; CBW_ENOTFOUND si aucune. */
enum cbw_err
cbw_db_query_row(struct cbw_db *db, struct json_object **row,
    const char *sql, const char *fmt, ...)
{
	struct cbw_stmt	*s;
	enum cbw_step	 st;
	enum cbw_err	 er;
	va_list		 ap;

	*row = NULL;
	va_start(ap, fmt);
	er = prep_va(db, sql, &s, fmt, ap);
	va_end(ap);
	if (er != CBW_OK)
		return er;
	st = cbw_db_step(s);
	if (st == CBW_STEP_ROW)
		er = (*row = cbw_db_row_json(s)) ? CBW_OK : CBW_ENOMEM;
	else
		er = st == CBW_STEP_DONE ? CBW_ENOTFOUND : step_err(st);
	cbw_db_done(s);
	return er;
}

/* Lit un entier ; CBW_ENOTFOUND si aucune ligne. */
enum cbw_err
cbw_db_query_int(struct cbw_db *db, long long *out, const char *sql,
    const char *fmt, ...)
{
	struct cbw_stmt	*s;
	enum cbw_step	 st;
	enum cbw_err	 er;
	va_list		 ap;

	va_start(ap, fmt);
	er = prep_va(db, sql, &s, fmt, ap);
	va_end(ap);
	if (er != CBW_OK)
		return er;
	st = cbw_db_step(s);
	if (st == CBW_STEP_ROW)
		*out = cbw_db_col_int(s, 0);
	er = st == CBW_STEP_ROW ? CBW_OK :
	    st == CBW_STEP_DONE ? CBW_ENOTFOUND : step_err(st);
	cbw_db_done(s);
	return er;
}

/* Lit un texte (copie à libérer) ; CBW_ENOTFOUND si aucune ligne. */
enum cbw_err
cbw_db_query_text(struct cbw_db *db, char **out, const char *sql,
    const char *fmt, ...)
{
	struct cbw_stmt	*s;
	enum cbw_step	 st;
	enum cbw_err	 er;
	va_list		 ap;

	*out = NULL;
	va_start(ap, fmt);
	er = prep_va(db, sql, &s, fmt, ap);
	va_end(ap);
	if (er != CBW_OK)
		return er;
	st = cbw_db_step(s);
	if (st == CBW_STEP_ROW)
		er = (*out = strdup(cbw_db_col_text(s, 0))) ? CBW_OK : CBW_ENOMEM;
	else
		er = st == CBW_STEP_DONE ? CBW_ENOTFOUND : step_err(st);
	cbw_db_done(s);
	return er;
}

long long
cbw_db_last_id(struct cbw_db *db)
{
	return sqlite3_last_insert_rowid(db->h);
}

int
cbw_db_changes(struct cbw_db *db)
{
	return sqlite3_changes(db->h);
}

/* Ouvre une transaction d'écriture (BEGIN IMMEDIATE). */
enum cbw_err
cbw_db_begin(struct cbw_db *db)
{
	enum cbw_err	 er;

	if (db->in_tx)
		return CBW_EINVAL;
	if ((er = cbw_db_exec(db, "BEGIN IMMEDIATE", NULL)) == CBW_OK)
		db->in_tx = 1;
	return er;
}

/* Valide la transaction ; en cas d'échec elle est annulée. */
enum cbw_err
cbw_db_commit(struct cbw_db *db)
{
	enum cbw_err	 er;

	if ((er = cbw_db_exec(db, "COMMIT", NULL)) != CBW_OK) {
		cbw_db_rollback(db);
		return er;
	}
	db->in_tx = 0;
	return CBW_OK;
}

/* Annule la transaction en cours (sans effet s'il n'y en a pas). */
void
cbw_db_rollback(struct cbw_db *db)
{
	if (sqlite3_get_autocommit(db->h) == 0)
		sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL);
	db->in_tx = 0;
}

/* Exécute un script ; message SQLite dans errbuf en cas d'échec. */
enum cbw_err
cbw_db_script(struct cbw_db *db, const char *sql, char *errbuf, size_t errlen)
{
	char	*msg = NULL;
	int	 rc;

	rc = sqlite3_exec(db->h, sql, NULL, NULL, &msg);
	if (rc == SQLITE_OK)
		return CBW_OK;
	note_fault(db, rc);
	snprintf(errbuf, errlen, "%s", msg ? msg : sqlite3_errstr(rc));
	sqlite3_free(msg);
	return rc == SQLITE_BUSY ? CBW_EBUSY : CBW_EDB;
}

/*
 * Copie toute la base `from` dans la base `to` (API backup de SQLite), par
 * étapes de `pages` pages (-1 : en une fois), en réessayant tant qu'un
 * verrou est tenu, au plus une dizaine de secondes. Renvoie CBW_OK, ou
 * CBW_EBUSY / CBW_EDB avec le message de SQLite dans errbuf.
 */
static enum cbw_err
db_copy(sqlite3 *to, sqlite3 *from, int pages, char *errbuf, size_t errlen)
{
	sqlite3_backup	*b;
	enum cbw_err	 er = CBW_EDB;
	int		 rc, waits = 0;

	if ((b = sqlite3_backup_init(to, "main", from, "main")) == NULL) {
		snprintf(errbuf, errlen, "%s", sqlite3_errmsg(to));
		goto out;
	}
	do {
		rc = sqlite3_backup_step(b, pages);
		if ((rc == SQLITE_BUSY || rc == SQLITE_LOCKED) && waits++ < 500)
			sqlite3_sleep(20);
		else if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
			break;
	} while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
	sqlite3_backup_finish(b);
	if (rc == SQLITE_DONE)
		er = CBW_OK;
	else {
		snprintf(errbuf, errlen, "%s", rc == SQLITE_BUSY || rc == SQLITE_LOCKED ?
		    "base verrouillée trop longtemps" : sqlite3_errstr(rc));
		if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
			er = CBW_EBUSY;
	}
out:
	return er;
}

/*
 * Sauvegarde en ligne (API backup de SQLite) vers `dest`, en une seule
 * étape : la copie se fait dans une seule transaction de lecture, donc
 * d'un seul instant de la base, et en WAL elle ne bloque pas les
 * écrivains. (Par étapes, chaque écriture d'un autre processus entre deux
 * étapes fait recommencer la copie : sous un flot d'écritures continu, la
 * sauvegarde ne finissait jamais.) La copie est ensuite remise en journal
 * classique (DELETE) : un seul fichier, lisible sans -wal ni -shm.
 * Renvoie CBW_OK ou CBW_EDB / CBW_EBUSY avec un message dans errbuf.
 */
enum cbw_err
cbw_db_backup(struct cbw_db *db, const char *dest, char *errbuf, size_t errlen)
{
	sqlite3		*to = NULL;
	char		*msg = NULL;
	enum cbw_err	 er = CBW_EDB;

	if (sqlite3_open_v2(dest, &to, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
		snprintf(errbuf, errlen, "%s : %s", dest,
		    to ? sqlite3_errmsg(to) : "mémoire insuffisante");
		goto out;
	}
	if ((er = db_copy(to, db->h, -1, errbuf, errlen)) != CBW_OK)
		goto out;
	if (sqlite3_exec(to, "PRAGMA journal_mode=DELETE", NULL, NULL,
	    &msg) != SQLITE_OK) {
		snprintf(errbuf, errlen, "%s : %s", dest, msg ? msg :
		    sqlite3_errmsg(to));
		er = CBW_EDB;
		goto out;
	}
	er = CBW_OK;
out:
	sqlite3_free(msg);
	if (sqlite3_close(to) != SQLITE_OK && er == CBW_OK) {
		snprintf(errbuf, errlen, "%s : fermeture impossible", dest);
		er = CBW_EDB;
	}
	return er;
}

/*
 * Vérifie que la base ouverte `h` est une sauvegarde utilisable : PRAGMA
 * integrity_check rend « ok » et la table schema_migrations existe.
 * Renvoie CBW_OK, ou CBW_EINVAL avec un message français dans errbuf.
 */
static enum cbw_err
db_check_backup(sqlite3 *h, const char *path, char *errbuf, size_t errlen)
{
	sqlite3_stmt	*st = NULL;
	const char	*txt;
	enum cbw_err	 er = CBW_EINVAL;
	int		 rc;

	if (sqlite3_prepare_v2(h, "PRAGMA integrity_check", -1, &st,
	    NULL) != SQLITE_OK) {
		snprintf(errbuf, errlen, "%s n'est pas une base SQLite lisible "
		    "(%s)", path, sqlite3_errmsg(h));
		goto out;
	}
	if ((rc = sqlite3_step(st)) != SQLITE_ROW) {
		snprintf(errbuf, errlen, "%s n'est pas une base SQLite lisible "
		    "(%s)", path, sqlite3_errmsg(h));
		goto out;
	}
	txt = (const char *)sqlite3_column_text(st, 0);
	if (txt == NULL || strcmp(txt, "ok") != 0 ||
	    sqlite3_step(st) != SQLITE_DONE) {
		snprintf(errbuf, errlen, "%s est endommagée (integrity_check : "
		    "%s)", path, txt != NULL ? txt : "?");
		goto out;
	}
	sqlite3_finalize(st);
	st = NULL;
	if (sqlite3_prepare_v2(h, "SELECT count(*) FROM sqlite_master WHERE "
	    "type = 'table' AND name = 'schema_migrations'", -1, &st,
	    NULL) != SQLITE_OK || sqlite3_step(st) != SQLITE_ROW) {
		snprintf(errbuf, errlen, "%s n'est pas une base SQLite lisible "
		    "(%s)", path, sqlite3_errmsg(h));
		goto out;
	}
	if (sqlite3_column_int64(st, 0) != 1) {
		snprintf(errbuf, errlen, "%s n'est pas une sauvegarde de "
		    "chatbot-whatsapp (table schema_migrations absente)", path);
		goto out;
	}
	er = CBW_OK;
out:
	sqlite3_finalize(st);
	return er;
}

/*
 * Restauration : ouvre `src` en lecture seule, vérifie que c'est une
 * sauvegarde saine (voir db_check_backup), puis la copie d'un bloc dans
 * la base vivante par l'API backup (source `src`, destination « main »).
 * Rien n'est écrit si la vérification échoue. Renvoie CBW_OK, CBW_EINVAL
 * (fichier refusé), CBW_EBUSY ou CBW_EDB, avec un message dans errbuf.
 */
enum cbw_err
cbw_db_restore(struct cbw_db *db, const char *src, char *errbuf,
    size_t errlen)
{
	sqlite3		*from = NULL;
	enum cbw_err	 er = CBW_EINVAL;

	if (sqlite3_open_v2(src, &from, SQLITE_OPEN_READONLY, NULL) !=
	    SQLITE_OK) {
		snprintf(errbuf, errlen, "%s : ouverture impossible (%s)", src,
		    from ? sqlite3_errmsg(from) : "mémoire insuffisante");
		goto out;
	}
	if ((er = db_check_backup(from, src, errbuf, errlen)) != CBW_OK)
		goto out;
	er = db_copy(db->h, from, -1, errbuf, errlen);
out:
	sqlite3_close(from);
	return er;
}

const char *
cbw_db_errmsg(struct cbw_db *db)
{
	return sqlite3_errmsg(db->h);
}

/*
 * Gros lot d'écriture (import) : le point de contrôle automatique du WAL
 * (recopie des pages dans la base, ~10 % d'un import de 100 000 lignes)
 * n'a pas lieu au COMMIT mais dans cbw_db_after_response, une fois la
 * réponse partie. Aucun statut HTTP.
 */
void
cbw_db_checkpoint_later(struct cbw_db *db)
{
	if (db == NULL)
		return;
	sqlite3_wal_autocheckpoint(db->h, 0);
	db->ckpt_later = 1;
}

/*
 * Après la réponse : point de contrôle passif demandé par
 * cbw_db_checkpoint_later (il n'attend personne ; un lecteur en cours le
 * laisse au prochain COMMIT), puis le réglage automatique d'origine
 * (1000 pages) revient. Aucun statut HTTP.
 */
void
cbw_db_after_response(struct cbw_db *db)
{
	if (db == NULL || !db->ckpt_later)
		return;
	db->ckpt_later = 0;
	sqlite3_wal_checkpoint_v2(db->h, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL,
	    NULL);
	sqlite3_wal_autocheckpoint(db->h, 1000);	/* défaut de SQLite */
}

/*
 * Panne de stockage (disque plein, base en lecture seule) vue par une
 * requête depuis le dernier cbw_db_fault_clear, ou CBW_DB_FAULT_NONE.
 * Sert à choisir le statut HTTP d'une erreur de base (507, 503).
 */
enum cbw_db_fault
cbw_db_fault(const struct cbw_db *db)
{
	return db != NULL ? db->fault : CBW_DB_FAULT_NONE;
}

/* Oublie la panne retenue (au début de chaque requête). */
void
cbw_db_fault_clear(struct cbw_db *db)
{
	if (db != NULL)
		db->fault = CBW_DB_FAULT_NONE;
}

/*
 * Retient une panne vue par une autre connexion de la même requête (le
 * processus fils d'un import), pour que la réponse la nomme comme si elle
 * avait été vue ici. Une valeur hors de l'énumération est ignorée.
 */
void
cbw_db_fault_note(struct cbw_db *db, int fault)
{
	if (db != NULL && fault > CBW_DB_FAULT_NONE && fault < CBW_DB_FAULT__MAX)
		db->fault = (enum cbw_db_fault)fault;
}

/*
 * Rend 1 si la connexion est en lecture seule (SQLite l'ouvre ainsi quand
 * le fichier n'est pas inscriptible par le processus), 0 sinon.
 */
int
cbw_db_readonly(struct cbw_db *db)
{
	return db != NULL && sqlite3_db_readonly(db->h, "main") == 1;
}

/*
 * Builds de test seulement (--enable-test-clock, comme CBW_TEST_NOW) : si
 * la variable CBW_TEST_DB_FULL nomme un fichier qui existe, la base ne
 * peut plus grandir sur cette connexion (max_page_count ramené à sa taille
 * actuelle : toute page de plus donne SQLITE_FULL, comme un disque plein) ;
 * si le fichier n'existe pas, la limite d'origine est rendue. Sans effet
 * dans un build normal ou sans la variable. Ne rend rien.
 */
void
cbw_db_test_limits(struct cbw_db *db)
{
#ifdef CBW_TEST_CLOCK
	const char	*flag = getenv("CBW_TEST_DB_FULL");
	sqlite3_stmt	*st = NULL;
	char		 sql[64];

	if (db == NULL || flag == NULL || *flag == '\0')
		return;
	if (db->max_pages == 0) {
		if (sqlite3_prepare_v2(db->h, "PRAGMA max_page_count", -1, &st,
		    NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
			db->max_pages = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
		if (db->max_pages <= 0)
			return;
	}
	snprintf(sql, sizeof(sql), "PRAGMA max_page_count = %lld",
	    access(flag, F_OK) == 0 ? 1LL : db->max_pages);
	sqlite3_exec(db->h, sql, NULL, NULL, NULL);
#else
	(void)db;
#endif
}
