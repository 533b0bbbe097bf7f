/*
 * Import et export CSV des contacts (voir import.h).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "category.h"
#include "clock.h"
#include "contact.h"
#include "csv.h"
#include "db.h"
#include "import.h"
#include "log.h"
#include "owner.h"
#include "phone.h"

#define CELL_MAX	512
#define DETAIL_MAX	1000	/* lignes détaillées dans le bilan JSON */

/*
 * Numéros déjà rangés dans la table de transit (pour signaler les doublons
 * du fichier) : table à adressage ouvert des numéros E.164 codés en entier
 * (voir num_key), case vide = 0.
 */
struct numset {
	uint64_t	*slot;
	size_t		 cap, n;
};

/* État d'un import en cours. */
struct imp {
	struct cbw_db			*db;
	long long			 owner;
	const struct cbw_import_opts	*o;
	struct cbw_import_result	*res;
	int				 col[CBW_COL__MAX];	/* index ou -1 */
	struct json_object		*catmap;	/* nom de catégorie → id */
	struct cbw_stmt			*ins;		/* INSERT de transit, gardé */
	struct numset			 seen;		/* numéros déjà rangés */
	int				 has_cat;	/* une ligne a une catégorie */
	int				 had;		/* l'admin avait des contacts */
	char				 now[32];
};

#define STAGE_SQL "INSERT INTO import_stage(line, full_number, " \
	"phone_number, country_code, first_name, last_name, search_key, " \
	"category_id) VALUES (?, ?, ?, ?, ?, ?, ?, nullif(?, 0))"

/*
 * Code un numéro E.164 (« + » puis 1 à 15 chiffres, ce que rend
 * cbw_phone_parse) en entier : un 1 puis ses chiffres, sans perte (le 1 de
 * tête distingue « +0… » de « +… »). Rend 0 si `full` n'a pas cette forme.
 */
static uint64_t
num_key(const char *full)
{
	uint64_t	 v = 1;
	size_t		 n = 0;

	if (*full++ != '+')
		return 0;
	for (; *full != '\0'; full++, n++) {
		if (*full < '0' || *full > '9' || n == CBW_PHONE_MAX - 1)
			return 0;
		v = v * 10 + (uint64_t)(*full - '0');
	}
	return n > 0 ? v : 0;
}

/*
 * Place la clé `k` (non nulle) dans la table de `cap` cases (puissance de
 * 2). Rend 1 si elle y est mise, 0 si elle y était déjà.
 */
static int
num_put(uint64_t *slot, size_t cap, uint64_t k)
{
	size_t	 i = (size_t)((k * 0x9e3779b97f4a7c15u) >> 32) & (cap - 1);

	while (slot[i] != 0) {
		if (slot[i] == k)
			return 0;
		i = (i + 1) & (cap - 1);
	}
	slot[i] = k;
	return 1;
}

/*
 * Agrandit la table pour `want` numéros (jamais plus d'à moitié pleine).
 * Rend 0, ou -1 si la mémoire manque (la table reste alors intacte).
 */
static int
numset_grow(struct numset *ns, size_t want)
{
	uint64_t	*n;
	size_t		 cap = ns->cap ? ns->cap : 1024, i;

	while (cap / 2 < want)
		cap *= 2;
	if (cap == ns->cap)
		return 0;
	if ((n = calloc(cap, sizeof(*n))) == NULL)
		return -1;
	for (i = 0; i < ns->cap; i++)
		if (ns->slot[i] != 0)
			num_put(n, cap, ns->slot[i]);
	free(ns->slot);
	ns->slot = n;
	ns->cap = cap;
	return 0;
}

/*
 * Ajoute la clé `k` (non nulle) à l'ensemble. Rend 1 si elle est nouvelle,
 * 0 si elle y était déjà, -1 si la mémoire manque.
 */
static int
numset_add(struct numset *ns, uint64_t k)
{
	int	 added;

	if (numset_grow(ns, ns->n + 1) != 0)
		return -1;
	if ((added = num_put(ns->slot, ns->cap, k)) == 1)
		ns->n++;
	return added;
}

void
cbw_import_result_init(struct cbw_import_result *r)
{
	memset(r, 0, sizeof(*r));
	r->rejected = json_object_new_array();
	r->skipped_lines = json_object_new_array();
	r->headers = json_object_new_array();
	cbw_buf_init(&r->rejected_csv);
}

void
cbw_import_result_free(struct cbw_import_result *r)
{
	json_object_put(r->rejected);
	json_object_put(r->skipped_lines);
	json_object_put(r->headers);
	cbw_buf_free(&r->rejected_csv);
}

/*
 * Copie la cellule de la colonne `kind` (vide si absente), sans l'apostrophe
 * qu'Excel ou notre export mettent devant = + - @.
 */
static void
cell(const struct imp *im, const struct cbw_csv_field *f, size_t n, int kind,
    char *out)
{
	const char	*s;
	size_t		 len;
	int		 i = im->col[kind];

	out[0] = '\0';
	if (i < 0 || (size_t)i >= n)
		return;
	s = f[i].s;
	len = f[i].len;
	if (len >= 2 && s[0] == '\'' && strchr("=+-@", s[1]) != NULL)
		s++, len--;
	if (len >= CELL_MAX)
		len = CELL_MAX - 1;
	memcpy(out, s, len);
	out[len] = '\0';
}

/* Ligne brute (cellules jointes), pour le rapport. */
static void
raw_line(const struct cbw_csv_field *f, size_t n, char delim, struct cbw_buf *b)
{
	size_t	 i;

	for (i = 0; i < n; i++) {
		if (i > 0)
			cbw_buf_putc(b, delim);
		cbw_buf_put(b, f[i].s, f[i].len);
	}
}

/* Note une ligne rejetée : rapport JSON et CSV des rejets (+ motif). */
static void
reject(struct imp *im, size_t line, const struct cbw_csv_field *f, size_t n,
    const char *reason)
{
	struct json_object	*o;
	struct cbw_buf		 raw;
	size_t			 i;

	if (im->res->rejected_count++ < DETAIL_MAX) {
		cbw_buf_init(&raw);
		raw_line(f, n, im->res->delim, &raw);
		o = json_object_new_object();
		json_object_object_add(o, "line", json_object_new_int64((long long)line));
		json_object_object_add(o, "reason", json_object_new_string(reason));
		json_object_object_add(o, "raw", json_object_new_string(cbw_buf_str(&raw)));
		json_object_array_add(im->res->rejected, o);
		cbw_buf_free(&raw);
	}
	for (i = 0; i < n; i++) {
		if (i > 0)
			cbw_buf_putc(&im->res->rejected_csv, im->res->delim);
		cbw_csv_cell(&im->res->rejected_csv, f[i].s, im->res->delim);
	}
	cbw_buf_putc(&im->res->rejected_csv, im->res->delim);
	cbw_csv_cell(&im->res->rejected_csv, reason, im->res->delim);
	cbw_buf_puts(&im->res->rejected_csv, "\r\n");
}

/* Note une ligne ignorée (doublon). */
static void
skip(struct imp *im, size_t line, const char *reason)
{
	struct json_object	*o;

	if (im->res->skipped++ >= DETAIL_MAX)
		return;
	o = json_object_new_object();
	json_object_object_add(o, "line", json_object_new_int64((long long)line));
	json_object_object_add(o, "reason", json_object_new_string(reason));
	json_object_array_add(im->res->skipped_lines, o);
}

/*
 * Lit l'en-tête : range l'index de chaque colonne reconnue et commence le
 * CSV des rejets. Rend 1 si une colonne de téléphone existe.
 */
static int
header(struct imp *im, const struct cbw_csv_field *f, size_t n)
{
	size_t	 i;
	int	 k;

	for (k = 0; k < CBW_COL__MAX; k++)
		im->col[k] = -1;
	for (i = 0; i < n; i++) {
		json_object_array_add(im->res->headers,
		    json_object_new_string_len(f[i].s, (int)f[i].len));
		k = cbw_csv_header_kind(f[i].s, f[i].len);
		if (k >= 0 && im->col[k] < 0)
			im->col[k] = (int)i;
		if (i > 0)
			cbw_buf_putc(&im->res->rejected_csv, im->res->delim);
		cbw_csv_cell(&im->res->rejected_csv, f[i].s, im->res->delim);
	}
	cbw_buf_putc(&im->res->rejected_csv, im->res->delim);
	cbw_buf_puts(&im->res->rejected_csv, "motif\r\n");
	return im->col[CBW_COL_PHONE] >= 0;
}

/* Identifiant de la catégorie de la ligne (créée au besoin), 0 si aucune. */
static enum cbw_err
row_category(struct imp *im, const char *name, long long *id)
{
	struct json_object	*v;
	char			 norm[404];
	const char		*msg;
	enum cbw_err		 er;

	*id = 0;
	if (name[0] == '\0')
		return CBW_OK;
	if (cbw_valid_name(name, 0, norm, sizeof(norm), &msg) != CBW_OK)
		return CBW_EINVAL;
	if (json_object_object_get_ex(im->catmap, norm, &v)) {
		*id = json_object_get_int64(v);
		return CBW_OK;
	}
	if ((er = cbw_category_ensure(im->db, im->owner, norm, id)) == CBW_OK)
		json_object_object_add(im->catmap, norm, json_object_new_int64(*id));
	return er;
}

/* Noms d'une ligne : prénom et nom, ou nom complet coupé au premier espace. */
static void
row_names(const struct imp *im, const struct cbw_csv_field *f, size_t n,
    char *first, char *last)
{
	char	 full[CELL_MAX], *sp;

	cell(im, f, n, CBW_COL_FIRST, first);
	cell(im, f, n, CBW_COL_LAST, last);
	if (first[0] != '\0' || last[0] != '\0')
		return;
	cell(im, f, n, CBW_COL_FULLNAME, full);
	if ((sp = strchr(full, ' ')) != NULL) {
		*sp = '\0';
		snprintf(last, CELL_MAX, "%s", sp + 1);
	}
	snprintf(first, CELL_MAX, "%s", full);
}

/*
 * Met à jour les noms fournis d'un contact existant (un nom vide garde
 * l'ancien) et recalcule sa clé de recherche sur les noms finaux.
 */
static enum cbw_err
update_names(struct imp *im, long long id, const struct cbw_phone *p,
    const char *first, const char *last)
{
	struct json_object	*cur = NULL;
	struct cbw_buf		 key;
	const char		*f, *l;
	enum cbw_err		 er;

	if ((er = cbw_db_query_row(im->db, &cur, "SELECT coalesce(nullif(?, ''), "
	    "first_name, '') AS f, coalesce(nullif(?, ''), last_name, '') AS l "
	    "FROM contacts WHERE id = ?", "ssi", first, last, id)) != CBW_OK)
		return er;
	f = json_object_get_string(json_object_object_get(cur, "f"));
	l = json_object_get_string(json_object_object_get(cur, "l"));
	cbw_buf_init(&key);
	cbw_contact_search_key(&key, f, l, p);
	er = cbw_db_exec(im->db, "UPDATE contacts SET first_name = nullif(?, ''), "
	    "last_name = nullif(?, ''), search_key = ?, updated_at = ? WHERE id = ?",
	    "ssssi", f, l, cbw_buf_str(&key), im->now, id);
	cbw_buf_free(&key);
	json_object_put(cur);
	return er;
}

/*
 * Range une ligne valide dans la table de transit (une par numéro : un
 * numéro déjà vu plus haut dans le fichier est ignoré et signalé), par la
 * requête préparée une fois pour tout le fichier. Rend CBW_OK, CBW_ENOMEM,
 * CBW_EINVAL (numéro mal formé, impossible après cbw_phone_parse) ou une
 * erreur de base.
 */
static enum cbw_err
stage(struct imp *im, size_t line, const struct cbw_phone *p, const char *first,
    const char *last, long long cat)
{
	struct cbw_buf	 key;
	enum cbw_err	 er;
	uint64_t	 k;
	int		 added;

	if ((k = num_key(p->full)) == 0) {	/* contraire à cbw_phone_parse */
		cbw_log(CBW_LOG_ERROR, __func__, im->owner, "numéro non E.164",
		    p->full, NULL);
		return CBW_EINVAL;
	}
	if ((added = numset_add(&im->seen, k)) < 0)
		return CBW_ENOMEM;
	if (added == 0) {
		skip(im, line, "Doublon d'une ligne précédente du fichier.");
		return CBW_OK;
	}
	cbw_buf_init(&key);
	cbw_contact_search_key(&key, first, last, p);
	er = cbw_db_run(im->ins, "issssssi", (long long)line, p->full,
	    p->national, p->country_code, first, last, cbw_buf_str(&key), cat);
	cbw_buf_free(&key);
	if (cat != 0)
		im->has_cat = 1;
	return er;
}

/* Traite une ligne de données ; seule une erreur de base est fatale. */
static enum cbw_err
row(struct imp *im, size_t line, const struct cbw_csv_field *f, size_t n)
{
	struct cbw_phone	 p;
	struct cbw_phone_err	 pe;
	char			 num[CELL_MAX], cc[CELL_MAX], first[CELL_MAX],
				 last[CELL_MAX], catname[CELL_MAX],
				 nf[404], nl[404];
	const char		*msg;
	long long		 cat;
	enum cbw_err		 er;

	cell(im, f, n, CBW_COL_PHONE, num);
	cell(im, f, n, CBW_COL_COUNTRY, cc);
	cell(im, f, n, CBW_COL_CATEGORY, catname);
	row_names(im, f, n, first, last);
	if (num[0] == '\0') {
		reject(im, line, f, n, "Numéro de téléphone manquant.");
		return CBW_OK;
	}
	if (cbw_phone_parse(num, cc[0] ? cc : im->o->default_cc, &p, &pe) != CBW_OK) {
		reject(im, line, f, n, pe.msg);
		return CBW_OK;
	}
	if (cbw_valid_name(first, 1, nf, sizeof(nf), &msg) != CBW_OK ||
	    cbw_valid_name(last, 1, nl, sizeof(nl), &msg) != CBW_OK) {
		reject(im, line, f, n, msg);
		return CBW_OK;
	}
	if ((er = row_category(im, catname, &cat)) == CBW_EINVAL) {
		reject(im, line, f, n, "Nom de catégorie invalide.");
		return CBW_OK;
	}
	return er != CBW_OK ? er : stage(im, line, &p, nf, nl, cat);
}

/*
 * Contacts déjà présents : noms mis à jour (si demandé) ou ligne ignorée.
 * Peu nombreux en général : traités un par un.
 */
static enum cbw_err
existing_rows(struct imp *im)
{
	struct json_object	*rows, *o;
	struct cbw_phone	 p;
	size_t			 i;
	enum cbw_err		 er;

	if ((er = cbw_db_query_json(im->db, &rows, "SELECT s.line, c.id, "
	    "s.full_number, s.phone_number, s.country_code, s.first_name, "
	    "s.last_name FROM import_stage s JOIN contacts c ON c.created_by = ? "
	    "AND c.full_number = s.full_number ORDER BY s.line", "i",
	    im->owner)) != CBW_OK)
		return er;
	for (i = 0; er == CBW_OK && i < json_object_array_length(rows); i++) {
		o = json_object_array_get_idx(rows, i);
#define F(k) json_object_get_string(json_object_object_get(o, k))
		if (!im->o->update_names || (*F("first_name") == '\0' &&
		    *F("last_name") == '\0')) {
			skip(im, (size_t)json_object_get_int64(json_object_object_get(o,
			    "line")), "Déjà dans vos contacts.");
			continue;
		}
		memset(&p, 0, sizeof(p));
		snprintf(p.full, sizeof(p.full), "%s", F("full_number"));
		snprintf(p.national, sizeof(p.national), "%s", F("phone_number"));
		snprintf(p.country_code, sizeof(p.country_code), "%s", F("country_code"));
		er = update_names(im, json_object_get_int64(json_object_object_get(o,
		    "id")), &p, F("first_name"), F("last_name"));
		im->res->updated++;
#undef F
	}
	json_object_put(rows);
	return er;
}

/*
 * Nouveaux contacts, dans l'ordre alphabétique de la liste (nom, prénom
 * sans casse, puis ligne du fichier) : leurs identifiants suivent cet
 * ordre, si bien qu'une page de la liste tient dans une ou deux pages de
 * la table au lieu de vingt pages au hasard (moins de lectures hors du
 * cache SQLite), et l'index idx_contacts_owner_name se remplit par la fin.
 * Le tri ne porte que sur les clés (sous-requête ; LIMIT -1 garde son
 * ORDER BY). Si l'admin avait déjà des contacts, ceux de ses numéros sont
 * écartés ; sinon aucun ne peut l'être (table de transit sans doublon,
 * transaction d'écriture tenue) et l'instruction ne relit pas contacts.
 */
#define INSERT_NEW "INSERT INTO contacts(phone_number, country_code, " \
	"full_number, first_name, last_name, search_key, created_by, " \
	"created_at, updated_at) SELECT s.phone_number, s.country_code, " \
	"s.full_number, nullif(s.first_name, ''), nullif(s.last_name, ''), " \
	"s.search_key, ?1, ?2, ?2 FROM (SELECT line FROM import_stage " \
	"ORDER BY nullif(last_name, '') COLLATE NOCASE, nullif(first_name, " \
	"'') COLLATE NOCASE, line LIMIT -1) o CROSS JOIN import_stage s " \
	"ON s.line = o.line "
#define NOT_EXISTING "WHERE NOT EXISTS (SELECT 1 FROM contacts c WHERE " \
	"c.created_by = ?1 AND c.full_number = s.full_number) "

/*
 * Fusion automatique des segments FTS5 (réglage « automerge », gardé dans
 * contacts_fts_config). Coupée pendant le remplissage en bloc de l'index :
 * sinon chaque segment écrit en cours d'instruction refusionne ceux des
 * imports précédents (70 à 150 ms de plus pour 100 000 lignes quand la
 * base en tient déjà autant). Remise à la valeur par défaut de FTS5 (4)
 * dans la même transaction : les écritures suivantes reprennent la fusion
 * petit à petit (et au-delà de 16 segments d'un niveau, FTS5 fusionne de
 * toute façon). Une annulation remet l'ancien réglage avec le reste.
 */
#define FTS_AUTOMERGE "INSERT INTO contacts_fts(contacts_fts, rank) " \
	"VALUES ('automerge', ?)"
#define FTS_AUTOMERGE_DEFAULT 4LL

/*
 * Écrit en une seule instruction les nouveaux contacts, la ligne de
 * bulk_import posée (0005_bulk_import.sql) : les déclencheurs d'ajout ne
 * font rien ligne à ligne. L'index FTS5 est ensuite rempli d'un bloc, sans
 * fusion automatique (FTS_AUTOMERGE), par identifiants croissants (tous
 * plus grands que le plus grand d'avant), et owner_counts mis à jour une
 * fois (contacts + créés, contacts_version + 1). La ligne est retirée
 * juste après l'instruction (ou effacée avec la transaction en cas
 * d'échec) : elle n'est jamais validée. Rend CBW_OK, ou une erreur de base
 * (la transaction est alors annulée).
 */
static enum cbw_err
insert_new(struct imp *im)
{
	long long	 last = 0, fts;
	enum cbw_err	 er;

	if ((er = cbw_db_query_int(im->db, &last, "SELECT coalesce(max(id), 0) "
	    "FROM contacts", NULL)) != CBW_OK ||
	    (er = cbw_db_exec(im->db, "INSERT INTO bulk_import(id) VALUES (1)",
	    NULL)) != CBW_OK ||
	    (er = cbw_db_exec(im->db, im->had ? INSERT_NEW NOT_EXISTING :
	    INSERT_NEW, "is", im->owner, im->now)) != CBW_OK)
		return er;
	im->res->created = cbw_db_changes(im->db);
	if ((er = cbw_db_exec(im->db, "DELETE FROM bulk_import", NULL)) != CBW_OK ||
	    im->res->created == 0)
		return er;
	if ((er = cbw_db_exec(im->db, FTS_AUTOMERGE, "i", 0LL)) != CBW_OK ||
	    (er = cbw_db_exec(im->db, "INSERT INTO contacts_fts(rowid, "
	    "search_key) SELECT id, search_key FROM contacts WHERE id > ? "
	    "ORDER BY id", "i", last)) != CBW_OK)
		return er;
	fts = cbw_db_changes(im->db);
	if ((er = cbw_db_exec(im->db, FTS_AUTOMERGE, "i",
	    FTS_AUTOMERGE_DEFAULT)) != CBW_OK)
		return er;
	if (fts != im->res->created) {
		cbw_log(CBW_LOG_ERROR, __func__, im->owner, "index FTS5 incomplet",
		    NULL, NULL);
		return CBW_EDB;
	}
	return cbw_db_exec(im->db, "UPDATE owner_counts SET contacts = contacts "
	    "+ ?2, contacts_version = contacts_version + 1 WHERE user_id = ?1",
	    "ii", im->owner, im->res->created);
}

/*
 * Contacts déjà présents (mis à jour ou ignorés), nouveaux contacts, puis
 * appartenances aux catégories (cible du formulaire, et colonne
 * « catégorie » si une ligne en a une). CBW_OK ou erreur de base.
 */
static enum cbw_err
finish(struct imp *im)
{
	long long	 had = 0;
	enum cbw_err	 er;

	if ((er = cbw_db_query_int(im->db, &had, "SELECT EXISTS (SELECT 1 FROM "
	    "contacts WHERE created_by = ?)", "i", im->owner)) != CBW_OK)
		return er;
	im->had = had != 0;
	if ((im->had && (er = existing_rows(im)) != CBW_OK) ||
	    (er = insert_new(im)) != CBW_OK)
		return er;
	if (im->res->category_id != 0 && (er = cbw_db_exec(im->db, "INSERT OR "
	    "IGNORE INTO category_contacts(category_id, contact_id, added_at) "
	    "SELECT ?2, c.id, ?3 FROM import_stage s JOIN contacts c ON "
	    "c.created_by = ?1 AND c.full_number = s.full_number", "iis",
	    im->owner, im->res->category_id, im->now)) != CBW_OK)
		return er;
	if (!im->has_cat)
		return CBW_OK;
	return cbw_db_exec(im->db, "INSERT OR IGNORE INTO category_contacts"
	    "(category_id, contact_id, added_at) SELECT s.category_id, c.id, ?2 "
	    "FROM import_stage s JOIN contacts c ON c.created_by = ?1 AND "
	    "c.full_number = s.full_number WHERE s.category_id IS NOT NULL", "is",
	    im->owner, im->now);
}

/* Catégorie cible choisie sur le formulaire (existante ou nouvelle). */
static enum cbw_err
target_category(struct imp *im, const char **msg)
{
	char		 norm[404], *name;
	enum cbw_err	 er;

	if (im->o->category_id != 0) {
		if ((er = cbw_owner_check(im->db, CBW_OWN_CATEGORY, im->owner,
		    im->o->category_id)) != CBW_OK)
			return er;
		im->res->category_id = im->o->category_id;
	} else if (im->o->category_name != NULL && im->o->category_name[0] != '\0') {
		if (cbw_valid_name(im->o->category_name, 0, norm, sizeof(norm),
		    msg) != CBW_OK)
			return CBW_EINVAL;
		if ((er = cbw_category_ensure(im->db, im->owner, norm,
		    &im->res->category_id)) != CBW_OK)
			return er;
	}
	if (im->res->category_id != 0 && cbw_db_query_text(im->db, &name,
	    "SELECT name FROM categories WHERE id = ?", "i",
	    im->res->category_id) == CBW_OK) {
		snprintf(im->res->category_name, sizeof(im->res->category_name),
		    "%s", name);
		free(name);
	}
	return CBW_OK;
}

/* Boucle de lecture, dans la transaction. */
static enum cbw_err
import_rows(struct imp *im, struct cbw_csv *csv, const char **msg)
{
	const struct cbw_csv_field	*f;
	const char			*err;
	size_t				 n, line;
	int				 rc, seen_header = 0;
	enum cbw_err			 er;

	while ((rc = cbw_csv_next(csv, &f, &n, &line, &err)) != 0) {
		if (rc < 0) {
			if (seen_header) {
				struct cbw_csv_field none = { "", 0 };

				reject(im, line, &none, 1, err);
			}
			continue;
		}
		if (!seen_header) {
			seen_header = 1;
			if (!header(im, f, n)) {
				*msg = "Aucune colonne de téléphone trouvée.";
				return CBW_EINVAL;
			}
			continue;
		}
		if ((er = row(im, line, f, n)) != CBW_OK)
			return er;
	}
	if (!seen_header) {
		*msg = "Le fichier est vide.";
		return CBW_EINVAL;
	}
	return CBW_OK;
}

/* Ordre des lignes ignorées : par numéro de ligne. */
static int
by_line(const void *a, const void *b)
{
	long long	 x = json_object_get_int64(json_object_object_get(
			    *(struct json_object *const *)a, "line"));
	long long	 y = json_object_get_int64(json_object_object_get(
			    *(struct json_object *const *)b, "line"));

	return x < y ? -1 : x > y;
}

/*
 * Table de transit de l'import (temporaire, propre à la connexion), vidée.
 * Rangée par numéro de ligne, sans index : les lignes y arrivent dans
 * l'ordre du fichier, déjà sans doublon (struct numset), et les jointures
 * cherchent dans l'index (created_by, full_number) de contacts. Rend CBW_OK
 * ou CBW_EDB.
 */
static enum cbw_err
stage_table(struct cbw_db *db)
{
	char	 err[256];

	if (cbw_db_script(db, "CREATE TEMP TABLE IF NOT EXISTS import_stage ("
	    "line INTEGER PRIMARY KEY, full_number TEXT NOT NULL, phone_number "
	    "TEXT NOT NULL, country_code TEXT NOT NULL, first_name TEXT, "
	    "last_name TEXT, search_key TEXT, category_id INTEGER);"
	    "DELETE FROM temp.import_stage;", err, sizeof(err)) != CBW_OK) {
		cbw_log(CBW_LOG_ERROR, __func__, 0, "table de transit", err, NULL);
		return CBW_EDB;
	}
	return CBW_OK;
}

/* Nombre de sauts de ligne de `data` : une borne du nombre de lignes. */
static size_t
count_lines(const char *data, size_t len)
{
	const char	*p = data, *end = data + len;
	size_t		 n = 0;

	while (p < end && (p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		n++;
		p++;
	}
	return n;
}

/* Import complet (voir import.h). */
enum cbw_err
cbw_import_csv(struct cbw_db *db, long long owner, const char *data,
    size_t len, const struct cbw_import_opts *o, struct cbw_import_result *res,
    const char **msg)
{
	struct imp	 im;
	struct cbw_csv	*csv;
	enum cbw_err	 er;

	*msg = NULL;
	memset(&im, 0, sizeof(im));
	im.db = db, im.owner = owner, im.o = o, im.res = res;
	cbw_time_iso(cbw_now(), im.now, sizeof(im.now));
	if ((csv = cbw_csv_open(data, len, 0)) == NULL)
		return CBW_ENOMEM;
	res->encoding = cbw_csv_encoding(csv);
	res->delim = cbw_csv_delim(csv);
	im.catmap = json_object_new_object();
	if (numset_grow(&im.seen, count_lines(data, len) + 1) != 0) {
		er = CBW_ENOMEM;
		goto out;
	}
	if ((er = cbw_db_begin(db)) != CBW_OK)
		goto out;
	if ((er = stage_table(db)) != CBW_OK ||
	    (er = cbw_db_prepare(db, STAGE_SQL, &im.ins)) != CBW_OK ||
	    (er = target_category(&im, msg)) != CBW_OK ||
	    (er = import_rows(&im, csv, msg)) != CBW_OK ||
	    (er = finish(&im)) != CBW_OK) {
		cbw_db_rollback(db);
		goto out;
	}
	if (res->category_id != 0)
		cbw_db_exec(db, "UPDATE categories SET updated_at = ? WHERE id = ?",
		    "si", im.now, res->category_id);
	cbw_db_checkpoint_later(db);
	er = cbw_db_commit(db);
	json_object_array_sort(res->skipped_lines, by_line);
	cbw_db_exec(db, "DELETE FROM temp.import_stage", NULL);	/* rend la mémoire */
out:
	cbw_db_done(im.ins);
	free(im.seen.slot);
	json_object_put(im.catmap);
	cbw_csv_close(csv);
	return er;
}

/* Écrit une ligne d'export à partir de la ligne SQL courante. */
static void
export_row(struct cbw_stmt *s, char delim, struct cbw_buf *out)
{
	const char	*cells[7];
	int		 i;

	for (i = 0; i < 7; i++)
		cells[i] = cbw_db_col_text(s, i);
	cbw_csv_row(out, cells, 7, delim);
}

/* Export CSV (voir import.h). */
enum cbw_err
cbw_contact_export(struct cbw_db *db, long long owner, long long category_id,
    char delim, struct cbw_buf *out)
{
	static const char *const head[7] = { "Prénom", "Nom", "Indicatif",
	    "Téléphone", "Numéro complet", "Catégories", "Désinscrit le" };
	struct cbw_stmt	*s;
	enum cbw_step	 st;
	enum cbw_err	 er;

	if (category_id != 0 && (er = cbw_owner_check(db, CBW_OWN_CATEGORY,
	    owner, category_id)) != CBW_OK)
		return er;
	if ((er = cbw_db_prepare(db, "SELECT c.first_name, c.last_name, "
	    "c.country_code, c.phone_number, c.full_number, (SELECT "
	    "group_concat(k.name, ', ') FROM category_contacts cc JOIN categories "
	    "k ON k.id = cc.category_id WHERE cc.contact_id = c.id), "
	    "c.opted_out_at FROM contacts c WHERE c.created_by = ?1 AND (?2 = 0 "
	    "OR c.id IN (SELECT contact_id FROM category_contacts WHERE "
	    "category_id = ?2)) ORDER BY c.last_name COLLATE NOCASE, "
	    "c.first_name COLLATE NOCASE, c.id", &s)) != CBW_OK)
		return er;
	cbw_db_bind(s, "ii", owner, category_id);
	cbw_buf_puts(out, CBW_CSV_BOM);
	cbw_csv_row(out, head, 7, delim);
	while ((st = cbw_db_step(s)) == CBW_STEP_ROW)
		export_row(s, delim, out);
	cbw_db_done(s);
	if (st != CBW_STEP_DONE)
		return st == CBW_STEP_BUSY ? CBW_EBUSY : CBW_EDB;
	return out->oom ? CBW_ENOMEM : CBW_OK;
}
