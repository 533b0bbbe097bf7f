/*
 * Application des migrations SQL (voir migrate.h).
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "db.h"
#include "log.h"
#include "migrate.h"

/* Rend 1 si le nom est de la forme NNNN_nom.sql (a-z, 0-9, _). */
static int
is_migration(const char *n)
{
	size_t	 i, len = strlen(n);

	if (len < 10 || strcmp(n + len - 4, ".sql") != 0 || n[4] != '_')
		return 0;
	for (i = 0; i < 4; i++)
		if (n[i] < '0' || n[i] > '9')
			return 0;
	for (i = 5; i < len - 4; i++)
		if (!((n[i] >= 'a' && n[i] <= 'z') || (n[i] >= '0' && n[i] <= '9') ||
		    n[i] == '_'))
			return 0;
	return 1;
}

static int
filter(const struct dirent *d)
{
	return is_migration(d->d_name);
}

/* Lit tout le fichier `path` dans une chaîne allouée ; NULL si échec. */
static char *
slurp(const char *path)
{
	FILE	*f;
	char	*s = NULL;
	long	 n;

	if ((f = fopen(path, "rb")) == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
	    fseek(f, 0, SEEK_SET) == 0 && (s = malloc((size_t)n + 1)) != NULL) {
		if (fread(s, 1, (size_t)n, f) != (size_t)n) {
			free(s);
			s = NULL;
		} else
			s[n] = '\0';
	}
	fclose(f);
	return s;
}

/*
 * Applique une migration dans une transaction et la note. Renvoie CBW_OK,
 * ou une erreur (la transaction est annulée) avec message dans errbuf.
 */
static enum cbw_err
apply_one(struct cbw_db *db, const char *dir, const char *name,
    char *errbuf, size_t errlen)
{
	char		 path[4096], ts[32], msg[512];
	char		*sql;
	enum cbw_err	 er;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((sql = slurp(path)) == NULL) {
		snprintf(errbuf, errlen, "migration %s illisible", path);
		return CBW_EIO;
	}
	cbw_time_iso(cbw_now(), ts, sizeof(ts));
	if ((er = cbw_db_begin(db)) != CBW_OK) {
		snprintf(errbuf, errlen, "migration %s : base verrouillée", name);
		goto out;
	}
	if ((er = cbw_db_script(db, sql, msg, sizeof(msg))) != CBW_OK) {
		snprintf(errbuf, errlen, "migration %s : %s", name, msg);
		cbw_db_rollback(db);
		goto out;
	}
	if ((er = cbw_db_exec(db, "INSERT INTO schema_migrations"
	    "(version, applied_at) VALUES (?, ?)", "ss", name, ts)) != CBW_OK ||
	    (er = cbw_db_commit(db)) != CBW_OK) {
		snprintf(errbuf, errlen, "migration %s : %s", name,
		    cbw_db_errmsg(db));
		cbw_db_rollback(db);
	}
out:
	free(sql);
	return er;
}

/* Applique dans l'ordre les migrations pas encore notées. */
enum cbw_err
cbw_migrate(struct cbw_db *db, const char *dir, int *applied,
    char *errbuf, size_t errlen)
{
	struct dirent	**list = NULL;
	long long	  done;
	enum cbw_err	  er = CBW_OK;
	int		  n, i, count = 0;

	if ((er = cbw_db_exec(db, "CREATE TABLE IF NOT EXISTS schema_migrations ("
	    "version TEXT PRIMARY KEY, applied_at TEXT NOT NULL)", NULL)) != CBW_OK) {
		snprintf(errbuf, errlen, "schema_migrations : %s", cbw_db_errmsg(db));
		return er;
	}
	if ((n = scandir(dir, &list, filter, alphasort)) < 0) {
		snprintf(errbuf, errlen, "dossier des migrations %s illisible", dir);
		return CBW_EIO;
	}
	for (i = 0; i < n; i++) {
		if (er == CBW_OK && (er = cbw_db_query_int(db, &done,
		    "SELECT count(*) FROM schema_migrations WHERE version = ?",
		    "s", list[i]->d_name)) == CBW_OK && done == 0) {
			if ((er = apply_one(db, dir, list[i]->d_name, errbuf,
			    errlen)) == CBW_OK)
				count++;
		}
		free(list[i]);
	}
	free(list);
	if (applied != NULL)
		*applied = count;
	return er;
}
