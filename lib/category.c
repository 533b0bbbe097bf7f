/*
 * Catégories (voir category.h).
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>

#include "category.h"
#include "clock.h"
#include "crypto.h"
#include "db.h"
#include "owner.h"
#include "valid.h"

static const struct cbw_color palette[] = {
	{ "vert", "Vert", "#128c7e" },
	{ "emeraude", "Émeraude", "#1fa855" },
	{ "bleu", "Bleu", "#1e88e5" },
	{ "indigo", "Indigo", "#3949ab" },
	{ "violet", "Violet", "#8e24aa" },
	{ "rose", "Rose", "#d81b60" },
	{ "rouge", "Rouge", "#e53935" },
	{ "orange", "Orange", "#f57c00" },
	{ "jaune", "Jaune", "#f9a825" },
	{ "gris", "Gris", "#546e7a" },
};
#define NCOLORS	(sizeof(palette) / sizeof(palette[0]))

const struct cbw_color *
cbw_color_get(size_t i)
{
	return i < NCOLORS ? &palette[i] : NULL;
}

/* Couleur par clé ou hexadécimal (casse ignorée). */
const struct cbw_color *
cbw_color_find(const char *s)
{
	size_t	 i;

	for (i = 0; s != NULL && i < NCOLORS; i++)
		if (strcasecmp(s, palette[i].key) == 0 ||
		    strcasecmp(s, palette[i].hex) == 0)
			return &palette[i];
	return NULL;
}

/* Couleur au hasard (repli sur la première si l'aléa manque). */
const struct cbw_color *
cbw_color_random(void)
{
	unsigned char	 b = 0;

	cbw_crypto_random(&b, 1);
	return &palette[b % NCOLORS];
}

/* Nombre de points de code UTF-8 (la chaîne est supposée valide). */
static size_t
utf8_chars(const char *s)
{
	size_t	 n = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

/* Valide et normalise un nom (voir category.h). */
enum cbw_err
cbw_valid_name(const char *s, int optional, char *out, size_t len,
    const char **msg)
{
	const char	*b, *e;
	size_t		 n;

	*msg = NULL;
	if (s == NULL)
		s = "";
	for (b = s; *b == ' ' || *b == '\t'; b++)
		continue;
	for (e = b + strlen(b); e > b && (e[-1] == ' ' || e[-1] == '\t'); e--)
		continue;
	n = (size_t)(e - b);
	if (n == 0 && !optional) {
		*msg = "Le nom est obligatoire.";
		return CBW_EINVAL;
	}
	if (n >= len || !cbw_valid_utf8(b, n)) {
		*msg = n >= len ? "Nom trop long (100 caractères au maximum)." :
		    "Le nom contient des caractères invalides.";
		return CBW_EINVAL;
	}
	memcpy(out, b, n);
	out[n] = '\0';
	for (b = out; *b != '\0'; b++)
		if ((unsigned char)*b < 0x20 || *b == 0x7f) {
			*msg = "Le nom contient des caractères de contrôle.";
			return CBW_EINVAL;
		}
	if (utf8_chars(out) > CBW_NAME_MAX) {
		*msg = "Nom trop long (100 caractères au maximum).";
		return CBW_EINVAL;
	}
	return CBW_OK;
}

/* Colonnes publiques d'une catégorie. */
#define CAT_COLS "c.id, c.name, c.color, " \
	"(SELECT count(*) FROM category_contacts WHERE category_id = c.id) " \
	"AS contact_count, (SELECT max(k.launched_at) FROM campaign_categories " \
	"cc JOIN campaigns k ON k.id = cc.campaign_id WHERE cc.category_id = " \
	"c.id) AS last_sent_at, c.created_at, c.updated_at"

/* Ajoute color_key (classe CSS) à chaque catégorie d'un tableau. */
static void
add_color_keys(struct json_object *items)
{
	struct json_object		*o;
	const struct cbw_color		*c;
	size_t				 i;

	for (i = 0; i < json_object_array_length(items); i++) {
		o = json_object_array_get_idx(items, i);
		c = cbw_color_find(json_object_get_string(
		    json_object_object_get(o, "color")));
		json_object_object_add(o, "color_key",
		    json_object_new_string(c ? c->key : palette[0].key));
	}
}

/*
 * Recherche ?2 dans le nom replié (casse, accents et ponctuation ignorés) ;
 * une recherche faite de seule ponctuation (« % », « _ ») ne laisse rien
 * une fois repliée et trouverait tout : elle est cherchée telle quelle.
 */
#define CAT_MATCH "(?2 IS NULL OR (CASE WHEN trim(cbw_fold(?2)) = '' THEN " \
	"instr(c.name, trim(?2)) ELSE instr(cbw_fold(c.name), cbw_fold(?2)) " \
	"END) > 0)"

/* Liste paginée (voir category.h). */
enum cbw_err
cbw_category_list(struct cbw_db *db, long long owner, const char *q,
    long long page, long long per_page, struct json_object **items,
    long long *total)
{
	enum cbw_err	 er;

	*items = NULL;
	if (q != NULL && *q == '\0')
		q = NULL;
	if ((er = cbw_db_query_int(db, total, "SELECT count(*) FROM categories c "
	    "WHERE c.created_by = ?1 AND " CAT_MATCH, "is", owner, q)) != CBW_OK)
		return er;
	if ((er = cbw_db_query_json(db, items, "SELECT " CAT_COLS " FROM "
	    "categories c WHERE c.created_by = ?1 AND " CAT_MATCH " ORDER BY "
	    "cbw_fold(c.name), c.id LIMIT ?3 OFFSET ?4", "isii", owner, q, per_page,
	    (page - 1) * per_page)) == CBW_OK)
		add_color_keys(*items);
	return er;
}

/* Toutes les catégories de l'admin, par nom. */
enum cbw_err
cbw_category_all(struct cbw_db *db, long long owner, struct json_object **items)
{
	enum cbw_err	 er;

	if ((er = cbw_db_query_json(db, items, "SELECT id, name, color FROM "
	    "categories WHERE created_by = ? ORDER BY cbw_fold(name), id",
	    "i", owner)) == CBW_OK)
		add_color_keys(*items);
	return er;
}

/* Une catégorie de l'admin. */
enum cbw_err
cbw_category_get(struct cbw_db *db, long long owner, long long id,
    struct json_object **out)
{
	struct json_object	*arr;
	enum cbw_err		 er;

	*out = NULL;
	if ((er = cbw_db_query_json(db, &arr, "SELECT " CAT_COLS " FROM "
	    "categories c WHERE c.id = ? AND c.created_by = ?", "ii", id,
	    owner)) != CBW_OK)
		return er;
	add_color_keys(arr);
	if (json_object_array_length(arr) == 1)
		*out = json_object_get(json_object_array_get_idx(arr, 0));
	json_object_put(arr);
	return *out != NULL ? CBW_OK : CBW_ENOTFOUND;
}

/* Un autre nom identique (casse ignorée) existe-t-il chez l'admin ? */
static int
name_taken(struct cbw_db *db, long long owner, const char *name, long long except)
{
	long long	 one;

	return cbw_db_query_int(db, &one, "SELECT 1 FROM categories WHERE "
	    "created_by = ? AND cbw_fold(name) = cbw_fold(?) AND id <> ?", "isi",
	    owner, name, except) == CBW_OK;
}

/* Création (voir category.h). */
enum cbw_err
cbw_category_create(struct cbw_db *db, long long owner, const char *name,
    const char *hex, long long *id)
{
	char		 now[32];
	enum cbw_err	 er;

	cbw_time_iso(cbw_now(), now, sizeof(now));
	if ((er = cbw_db_begin(db)) != CBW_OK)
		return er;
	if (name_taken(db, owner, name, 0)) {
		cbw_db_rollback(db);
		return CBW_ECONFLICT;
	}
	if ((er = cbw_db_exec(db, "INSERT INTO categories(name, color, "
	    "created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
	    "ssiss", name, hex, owner, now, now)) != CBW_OK) {
		cbw_db_rollback(db);
		return er;
	}
	*id = cbw_db_last_id(db);
	return cbw_db_commit(db);
}

/* Modification (voir category.h). */
enum cbw_err
cbw_category_update(struct cbw_db *db, long long owner, long long id,
    const char *name, const char *hex)
{
	char		 now[32];
	enum cbw_err	 er;

	cbw_time_iso(cbw_now(), now, sizeof(now));
	if ((er = cbw_db_begin(db)) != CBW_OK)
		return er;
	if ((er = cbw_owner_check(db, CBW_OWN_CATEGORY, owner, id)) != CBW_OK)
		goto fail;
	if (name != NULL && name_taken(db, owner, name, id)) {
		er = CBW_ECONFLICT;
		goto fail;
	}
	if ((er = cbw_db_exec(db, "UPDATE categories SET name = coalesce(?, name), "
	    "color = coalesce(?, color), updated_at = ? WHERE id = ? AND "
	    "created_by = ?", "sssii", name, hex, now, id, owner)) != CBW_OK)
		goto fail;
	return cbw_db_commit(db);
fail:
	cbw_db_rollback(db);
	return er;
}

/* Suppression : les liens partent en cascade, les contacts restent. */
enum cbw_err
cbw_category_delete(struct cbw_db *db, long long owner, long long id)
{
	enum cbw_err	 er;

	if ((er = cbw_db_exec(db, "DELETE FROM categories WHERE id = ? AND "
	    "created_by = ?", "ii", id, owner)) != CBW_OK)
		return er;
	return cbw_db_changes(db) == 1 ? CBW_OK : CBW_ENOTFOUND;
}

/* Ajoute un contact (dans la transaction) ; rend la liste où le ranger. */
static const char *
add_one(struct cbw_db *db, long long owner, long long id, long long cid,
    const char *now)
{
	if (cbw_owner_check(db, CBW_OWN_CONTACT, owner, cid) != CBW_OK)
		return "rejected";
	if (cbw_db_exec(db, "INSERT OR IGNORE INTO category_contacts(category_id, "
	    "contact_id, added_at) VALUES (?, ?, ?)", "iis", id, cid, now) != CBW_OK)
		return NULL;
	return cbw_db_changes(db) == 1 ? "added" : "already";
}

/* Ajout de contacts (voir category.h). */
enum cbw_err
cbw_category_add_contacts(struct cbw_db *db, long long owner, long long id,
    const long long *ids, size_t n, struct json_object **result)
{
	struct json_object	*res;
	const char		*where;
	char			 now[32];
	enum cbw_err		 er;
	size_t			 i;

	*result = NULL;
	cbw_time_iso(cbw_now(), now, sizeof(now));
	if ((res = json_object_new_object()) == NULL)
		return CBW_ENOMEM;
	json_object_object_add(res, "added", json_object_new_array());
	json_object_object_add(res, "already", json_object_new_array());
	json_object_object_add(res, "rejected", json_object_new_array());
	if ((er = cbw_db_begin(db)) != CBW_OK)
		goto out;
	if ((er = cbw_owner_check(db, CBW_OWN_CATEGORY, owner, id)) != CBW_OK)
		goto fail;
	for (i = 0; i < n; i++) {
		if ((where = add_one(db, owner, id, ids[i], now)) == NULL) {
			er = CBW_EDB;
			goto fail;
		}
		json_object_array_add(json_object_object_get(res, where),
		    json_object_new_int64(ids[i]));
	}
	if ((er = cbw_db_exec(db, "UPDATE categories SET updated_at = ? WHERE "
	    "id = ?", "si", now, id)) != CBW_OK || (er = cbw_db_commit(db)) != CBW_OK)
		goto fail;
	*result = res;
	return CBW_OK;
fail:
	cbw_db_rollback(db);
out:
	json_object_put(res);
	return er;
}

/* Retrait d'un contact (voir category.h). */
enum cbw_err
cbw_category_remove_contact(struct cbw_db *db, long long owner, long long id,
    long long contact_id)
{
	enum cbw_err	 er;

	if ((er = cbw_db_exec(db, "DELETE FROM category_contacts WHERE "
	    "category_id = ? AND contact_id = ? AND category_id IN (SELECT id "
	    "FROM categories WHERE created_by = ?)", "iii", id, contact_id,
	    owner)) != CBW_OK)
		return er;
	return cbw_db_changes(db) == 1 ? CBW_OK : CBW_ENOTFOUND;
}

/* Catégorie la plus récemment créée ou utilisée. */
enum cbw_err
cbw_category_recent(struct cbw_db *db, long long owner, long long *id)
{
	return cbw_db_query_int(db, id, "SELECT id FROM categories WHERE "
	    "created_by = ? ORDER BY updated_at DESC, id DESC LIMIT 1", "i", owner);
}

/* Cherche par nom ou crée (couleur au hasard). */
enum cbw_err
cbw_category_ensure(struct cbw_db *db, long long owner, const char *name,
    long long *id)
{
	char		 now[32];
	enum cbw_err	 er;

	if ((er = cbw_db_query_int(db, id, "SELECT id FROM categories WHERE "
	    "created_by = ? AND cbw_fold(name) = cbw_fold(?)", "is", owner,
	    name)) != CBW_ENOTFOUND)
		return er;
	cbw_time_iso(cbw_now(), now, sizeof(now));
	if ((er = cbw_db_exec(db, "INSERT INTO categories(name, color, created_by, "
	    "created_at, updated_at) VALUES (?, ?, ?, ?, ?)", "ssiss", name,
	    cbw_color_random()->hex, owner, now, now)) != CBW_OK)
		return er;
	*id = cbw_db_last_id(db);
	return CBW_OK;
}
