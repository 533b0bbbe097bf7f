/*
 * Accès à SQLite. Tous les appels sqlite3_* du projet sont dans db.c :
 * ouverture (WAL, clés étrangères, attente sur verrou), requêtes préparées
 * gardées en cache, paramètres toujours liés, transactions courtes.
 *
 * Format des paramètres des fonctions variadiques : une lettre par
 * paramètre lié, dans l'ordre : 'i' long long, 's' const char * (NULL
 * donne NULL SQL), 'n' NULL SQL (pas d'argument), 'd' double.
 * Les colonnes dont le nom finit par « :bool » deviennent des booléens JSON
 * (le suffixe est retiré du nom).
 */
#ifndef CBW_DB_H
#define CBW_DB_H

#include <stddef.h>

#include "err.h"

struct cbw_db;
struct cbw_stmt;
struct json_object;

/* Attente d'un verrou par défaut (busy_timeout), en millisecondes. */
#define CBW_DB_BUSY_MS	5000

/* Panne de stockage vue sur la connexion (voir cbw_db_fault). */
enum cbw_db_fault {
	CBW_DB_FAULT_NONE,
	CBW_DB_FAULT_FULL,	/* SQLITE_FULL : disque plein (→ 507) */
	CBW_DB_FAULT_READONLY,	/* SQLITE_READONLY : non inscriptible (→ 503) */
	CBW_DB_FAULT__MAX
};

enum cbw_step {
	CBW_STEP_ROW,
	CBW_STEP_DONE,
	CBW_STEP_CONSTRAINT,	/* contrainte violée (UNIQUE...) */
	CBW_STEP_BUSY,		/* verrou toujours tenu après l'attente */
	CBW_STEP_ERROR
};

/* Ouvre la base (la crée si `create`). Message clair dans errbuf sinon. */
enum cbw_err	 cbw_db_open(struct cbw_db **, const char *path, int create,
		    char *errbuf, size_t errlen);
void		 cbw_db_close(struct cbw_db *);
/* Durée maximale d'attente d'un verrou, en millisecondes. */
void		 cbw_db_busy_ms(struct cbw_db *, int ms);

/* Requête préparée (gardée en cache par texte SQL). */
enum cbw_err	 cbw_db_prepare(struct cbw_db *, const char *sql, struct cbw_stmt **);
enum cbw_err	 cbw_db_bind(struct cbw_stmt *, const char *fmt, ...);
enum cbw_step	 cbw_db_step(struct cbw_stmt *);
/* Remet la requête à zéro (à appeler quand on a fini de la lire). */
void		 cbw_db_done(struct cbw_stmt *);
long long	 cbw_db_col_int(struct cbw_stmt *, int col);
double		 cbw_db_col_double(struct cbw_stmt *, int col);
const char	*cbw_db_col_text(struct cbw_stmt *, int col);	/* "" si NULL */
int		 cbw_db_col_isnull(struct cbw_stmt *, int col);
int		 cbw_db_col_count(struct cbw_stmt *);
/* Ligne courante en objet JSON (nouvelle référence) ; NULL si mémoire. */
struct json_object *cbw_db_row_json(struct cbw_stmt *);

/* Exécute jusqu'au bout ; CBW_ECONFLICT sur contrainte, CBW_EBUSY, CBW_EDB. */
enum cbw_err	 cbw_db_exec(struct cbw_db *, const char *sql, const char *fmt, ...);
/*
 * Relance une requête obtenue par cbw_db_prepare avec de nouveaux
 * paramètres, jusqu'au bout, puis la remet à zéro sans la rendre : mêmes
 * codes que cbw_db_exec, sans chercher le texte dans le cache à chaque
 * ligne d'un import. cbw_db_done la rend à la fin.
 */
enum cbw_err	 cbw_db_run(struct cbw_stmt *, const char *fmt, ...);
/* Toutes les lignes en tableau JSON d'objets (nouvelle référence). */
enum cbw_err	 cbw_db_query_json(struct cbw_db *, struct json_object **rows,
		    const char *sql, const char *fmt, ...);
/* Première ligne en objet JSON ; CBW_ENOTFOUND s'il n'y en a pas. */
enum cbw_err	 cbw_db_query_row(struct cbw_db *, struct json_object **row,
		    const char *sql, const char *fmt, ...);
/* Premier entier de la première ligne ; CBW_ENOTFOUND s'il n'y en a pas. */
enum cbw_err	 cbw_db_query_int(struct cbw_db *, long long *out,
		    const char *sql, const char *fmt, ...);
/* Première colonne texte de la première ligne, copiée (à libérer). */
enum cbw_err	 cbw_db_query_text(struct cbw_db *, char **out,
		    const char *sql, const char *fmt, ...);

long long	 cbw_db_last_id(struct cbw_db *);
int		 cbw_db_changes(struct cbw_db *);
/* BEGIN IMMEDIATE / COMMIT / ROLLBACK (pas d'imbrication). */
enum cbw_err	 cbw_db_begin(struct cbw_db *);
enum cbw_err	 cbw_db_commit(struct cbw_db *);
void		 cbw_db_rollback(struct cbw_db *);
/* Exécute un script SQL de plusieurs instructions (migrations). */
enum cbw_err	 cbw_db_script(struct cbw_db *, const char *sql, char *errbuf,
		    size_t errlen);
/*
 * Copie en ligne de la base vers `dest` (sûr pendant que l'appli tourne),
 * remise en journal classique : un fichier autonome. CBW_OK, CBW_EBUSY ou
 * CBW_EDB avec un message dans errbuf.
 */
enum cbw_err	 cbw_db_backup(struct cbw_db *, const char *dest, char *errbuf,
		    size_t errlen);
/*
 * Remplace tout le contenu de la base par celui de la sauvegarde `src`,
 * après avoir vérifié qu'elle est saine (integrity_check) et qu'elle vient
 * de l'application (table schema_migrations). CBW_EINVAL si le fichier est
 * refusé (base intacte), CBW_EBUSY ou CBW_EDB sinon ; message dans errbuf.
 */
enum cbw_err	 cbw_db_restore(struct cbw_db *, const char *src,
		    char *errbuf, size_t errlen);
/* Fermeture sans point de contrôle ni verrou exclusif (WAL gardé). */
void		 cbw_db_keep_wal_on_close(struct cbw_db *);
/* Point de contrôle du WAL remis après la réponse (gros import). */
void		 cbw_db_checkpoint_later(struct cbw_db *);
/* Travail de base remis après la réponse (point de contrôle). */
void		 cbw_db_after_response(struct cbw_db *);
/* Dernier message d'erreur SQLite (pour les journaux). */
const char	*cbw_db_errmsg(struct cbw_db *);
/*
 * Panne de stockage (disque plein, lecture seule) vue depuis le dernier
 * cbw_db_fault_clear : une erreur CBW_EDB peut alors être nommée.
 */
enum cbw_db_fault cbw_db_fault(const struct cbw_db *);
void		 cbw_db_fault_clear(struct cbw_db *);
/* Retient la panne `fault` vue par une autre connexion (hors bornes : rien). */
void		 cbw_db_fault_note(struct cbw_db *, int fault);
/* 1 si la connexion est en lecture seule (fichier non inscriptible). */
int		 cbw_db_readonly(struct cbw_db *);
/*
 * Builds de test seulement : CBW_TEST_DB_FULL nomme un fichier dont la
 * présence empêche la base de grandir (SQLITE_FULL) ; sans effet sinon.
 */
void		 cbw_db_test_limits(struct cbw_db *);

#endif
