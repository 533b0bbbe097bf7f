/*
 * Gestion des comptes (voir user.h).
 */
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "audit.h"
#include "auth.h"
#include "clock.h"
#include "crypto.h"
#include "password.h"
#include "db.h"
#include "http.h"
#include "user.h"

#define USER_COLS "id, email, role, is_active AS \"is_active:bool\", " \
	"created_at, updated_at"

/* Liste paginée des comptes. */
enum cbw_err
cbw_user_list(struct cbw_db *db, long long page, long long per_page,
    struct json_object **items, long long *total)
{
	enum cbw_err	 er;

	*items = NULL;
	if ((er = cbw_db_query_int(db, total, "SELECT count(*) FROM users",
	    NULL)) != CBW_OK)
		return er;
	return cbw_db_query_json(db, items, "SELECT " USER_COLS " FROM users "
	    "ORDER BY id LIMIT ? OFFSET ?", "ii", per_page,
	    (page - 1) * per_page);
}

/* Un compte par identifiant. */
enum cbw_err
cbw_user_get(struct cbw_db *db, long long id, struct json_object **out)
{
	return cbw_db_query_row(db, out, "SELECT " USER_COLS " FROM users "
	    "WHERE id = ?", "i", id);
}

/* Petit objet JSON de détails d'audit. */
static struct json_object *
details(const char *k1, const char *v1, const char *k2, const char *v2)
{
	struct json_object	*o = json_object_new_object();

	if (o != NULL && k1 != NULL)
		json_object_object_add(o, k1, json_object_new_string(v1));
	if (o != NULL && k2 != NULL)
		json_object_object_add(o, k2, json_object_new_string(v2));
	return o;
}

/* Création d'un compte (voir user.h). */
enum cbw_err
cbw_user_create(struct cbw_db *db, const struct cbw_user *actor,
    const char *email, const char *password, const char *role, int is_active,
    const char *ip, long long *id)
{
	char			 hash[CBW_HASH_MAX], now[32];
	struct json_object	*d;
	enum cbw_err		 er;

	if ((er = cbw_password_hash(password, hash, sizeof(hash))) != CBW_OK)
		return er;
	cbw_time_iso(cbw_now(), now, sizeof(now));
	if ((er = cbw_db_begin(db)) != CBW_OK)
		return er;
	if ((er = cbw_db_exec(db, "INSERT INTO users(email, password_hash, role, "
	    "is_active, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
	    "sssiss", email, hash, role, (long long)(is_active != 0), now,
	    now)) != CBW_OK)
		goto fail;
	*id = cbw_db_last_id(db);
	d = details("email", email, "role", role);
	er = cbw_audit(db, actor, "user.create", "user", *id, d, ip);
	json_object_put(d);
	if (er != CBW_OK)
		goto fail;
	return cbw_db_commit(db);
fail:
	cbw_db_rollback(db);
	return er;
}

/* Nombre de super admins actifs autres que `id`. */
static long long
other_supers(struct cbw_db *db, long long id)
{
	long long	 n = 0;

	cbw_db_query_int(db, &n, "SELECT count(*) FROM users WHERE role = "
	    "'super_admin' AND is_active = 1 AND id <> ?", "i", id);
	return n;
}

/* Vérifie les règles de rôle et d'activité d'une modification. */
static enum cbw_err
update_rules(struct cbw_db *db, const struct cbw_user *actor, long long id,
    const struct cbw_user_edit *e, const char **msg)
{
	struct json_object	*cur;
	int			 was_super, loses;
	enum cbw_err		 er;

	if ((er = cbw_user_get(db, id, &cur)) != CBW_OK)
		return er;
	was_super = strcmp(json_object_get_string(json_object_object_get(cur,
	    "role")), "super_admin") == 0 && json_object_get_boolean(
	    json_object_object_get(cur, "is_active"));
	json_object_put(cur);
	loses = (e->role != NULL && strcmp(e->role, "super_admin") != 0) ||
	    e->is_active == 0;
	if (actor != NULL && actor->id == id && loses) {
		*msg = "Vous ne pouvez pas retirer vos propres droits ni "
		    "désactiver votre propre compte.";
		return CBW_EDENIED;
	}
	if (was_super && loses && other_supers(db, id) == 0) {
		*msg = "Impossible : c'est le dernier super administrateur actif.";
		return CBW_EDENIED;
	}
	return CBW_OK;
}

/* Applique les champs modifiés (dans la transaction). */
static enum cbw_err
update_apply(struct cbw_db *db, long long id, const struct cbw_user_edit *e,
    const char *hash)
{
	char		 now[32];
	enum cbw_err	 er;

	cbw_time_iso(cbw_now(), now, sizeof(now));
	if ((er = cbw_db_exec(db, "UPDATE users SET email = coalesce(?, email), "
	    "role = coalesce(?, role), is_active = CASE WHEN ?3 < 0 THEN "
	    "is_active ELSE ?3 END, password_hash = coalesce(?, password_hash), "
	    "updated_at = ? WHERE id = ?", "ssissi", e->email, e->role,
	    (long long)e->is_active, hash, now, id)) != CBW_OK)
		return er;
	if (cbw_db_changes(db) == 0)
		return CBW_ENOTFOUND;
	if (hash != NULL || e->is_active == 0)
		return cbw_auth_revoke_user(db, id);
	return CBW_OK;
}

/* Détails d'audit d'une modification (sans le mot de passe). */
static struct json_object *
update_details(const struct cbw_user_edit *e)
{
	struct json_object	*d = json_object_new_object();

	if (d == NULL)
		return NULL;
	if (e->email != NULL)
		json_object_object_add(d, "email", json_object_new_string(e->email));
	if (e->role != NULL)
		json_object_object_add(d, "role", json_object_new_string(e->role));
	if (e->is_active >= 0)
		json_object_object_add(d, "is_active",
		    json_object_new_boolean(e->is_active));
	if (e->password != NULL)
		json_object_object_add(d, "password_changed",
		    json_object_new_boolean(1));
	return d;
}

/* Modification d'un compte (voir user.h). */
enum cbw_err
cbw_user_update(struct cbw_db *db, const struct cbw_user *actor, long long id,
    const struct cbw_user_edit *e, const char *ip, const char **msg)
{
	char			 hash[CBW_HASH_MAX];
	struct json_object	*d;
	enum cbw_err		 er;

	*msg = NULL;
	if (e->password != NULL &&
	    (er = cbw_password_hash(e->password, hash, sizeof(hash))) != CBW_OK)
		return er;
	if ((er = cbw_db_begin(db)) != CBW_OK)
		return er;
	if ((er = update_rules(db, actor, id, e, msg)) != CBW_OK ||
	    (er = update_apply(db, id, e, e->password ? hash : NULL)) != CBW_OK)
		goto fail;
	d = update_details(e);
	er = cbw_audit(db, actor, "user.update", "user", id, d, ip);
	json_object_put(d);
	if (er != CBW_OK)
		goto fail;
	return cbw_db_commit(db);
fail:
	cbw_db_rollback(db);
	return er;
}

/*
 * Réattribue les données de `from` à `to` (dans la transaction) : noms de
 * catégories en conflit suffixés de l'e-mail (et de l'id si besoin),
 * contacts de même numéro fusionnés (désinscription et noms conservés).
 */
static enum cbw_err
reassign(struct cbw_db *db, long long to, long long from, const char *email)
{
	enum cbw_err	 er;

	if ((er = cbw_db_exec(db, "UPDATE categories SET name = name || ' (' || "
	    "?1 || ')' WHERE created_by = ?3 AND name IN (SELECT name FROM "
	    "categories WHERE created_by = ?2) AND name || ' (' || ?1 || ')' NOT "
	    "IN (SELECT name FROM categories WHERE created_by IN (?2, ?3))",
	    "sii", email, to, from)) ||
	    (er = cbw_db_exec(db, "UPDATE categories SET name = name || ' (' || "
	    "?1 || ' #' || id || ')' WHERE created_by = ?3 AND name IN (SELECT "
	    "name FROM categories WHERE created_by = ?2)", "sii", email, to,
	    from)) ||
	    (er = cbw_db_exec(db, "UPDATE contacts AS a SET opted_out_at = "
	    "coalesce(a.opted_out_at, v.opted_out_at), first_name = "
	    "coalesce(a.first_name, v.first_name), last_name = "
	    "coalesce(a.last_name, v.last_name) FROM contacts AS v WHERE "
	    "a.created_by = ?1 AND v.created_by = ?2 AND v.full_number = "
	    "a.full_number", "ii", to, from)) ||
	    (er = cbw_db_exec(db, "UPDATE categories SET created_by = ?1 WHERE "
	    "created_by = ?2", "ii", to, from)) ||
	    (er = cbw_db_exec(db, "INSERT OR IGNORE INTO category_contacts"
	    "(category_id, contact_id, added_at) SELECT cc.category_id, a.id, "
	    "cc.added_at FROM category_contacts cc JOIN contacts v ON v.id = "
	    "cc.contact_id JOIN contacts a ON a.full_number = v.full_number AND "
	    "a.created_by = ?1 WHERE v.created_by = ?2", "ii", to, from)) ||
	    (er = cbw_db_exec(db, "UPDATE messages SET contact_id = (SELECT a.id "
	    "FROM contacts v JOIN contacts a ON a.full_number = v.full_number AND "
	    "a.created_by = ?1 WHERE v.id = messages.contact_id) WHERE contact_id "
	    "IN (SELECT v.id FROM contacts v JOIN contacts a ON a.full_number = "
	    "v.full_number AND a.created_by = ?1 WHERE v.created_by = ?2)",
	    "ii", to, from)) ||
	    (er = cbw_db_exec(db, "UPDATE interactions SET contact_id = (SELECT "
	    "a.id FROM contacts v JOIN contacts a ON a.full_number = v.full_number "
	    "AND a.created_by = ?1 WHERE v.id = interactions.contact_id) WHERE "
	    "contact_id IN (SELECT v.id FROM contacts v JOIN contacts a ON "
	    "a.full_number = v.full_number AND a.created_by = ?1 WHERE "
	    "v.created_by = ?2)", "ii", to, from)) ||
	    (er = cbw_db_exec(db, "DELETE FROM contacts WHERE created_by = ?2 AND "
	    "full_number IN (SELECT full_number FROM contacts WHERE created_by = "
	    "?1)", "ii", to, from)) ||
	    (er = cbw_db_exec(db, "UPDATE contacts SET created_by = ?1 WHERE "
	    "created_by = ?2", "ii", to, from)))
		return er;
	return cbw_db_exec(db, "UPDATE campaigns SET created_by = ?1 WHERE "
	    "created_by = ?2", "ii", to, from);
}

/* Vérifie qu'on peut supprimer `id` ; rend son e-mail dans email. */
static enum cbw_err
delete_rules(struct cbw_db *db, const struct cbw_user *actor, long long id,
    char *email, size_t len, const char **msg)
{
	struct json_object	*cur;
	int			 super_active;
	enum cbw_err		 er;

	if (actor->id == id) {
		*msg = "Vous ne pouvez pas supprimer votre propre compte.";
		return CBW_EDENIED;
	}
	if ((er = cbw_user_get(db, id, &cur)) != CBW_OK)
		return er;
	snprintf(email, len, "%s", json_object_get_string(
	    json_object_object_get(cur, "email")));
	super_active = strcmp(json_object_get_string(json_object_object_get(cur,
	    "role")), "super_admin") == 0 && json_object_get_boolean(
	    json_object_object_get(cur, "is_active"));
	json_object_put(cur);
	if (super_active && other_supers(db, id) == 0) {
		*msg = "Impossible : c'est le dernier super administrateur actif.";
		return CBW_EDENIED;
	}
	return CBW_OK;
}

/* Suppression d'un compte (voir user.h). */
enum cbw_err
cbw_user_delete(struct cbw_db *db, const struct cbw_user *actor, long long id,
    const char *ip, const char **msg)
{
	struct json_object	*counts = NULL;
	char			 email[256];
	enum cbw_err		 er;

	*msg = NULL;
	if ((er = cbw_db_begin(db)) != CBW_OK)
		return er;
	if ((er = delete_rules(db, actor, id, email, sizeof(email), msg)) != CBW_OK ||
	    (er = cbw_user_counts(db, id, &counts)) != CBW_OK ||
	    (er = reassign(db, actor->id, id, email)) != CBW_OK ||
	    (er = cbw_db_exec(db, "DELETE FROM users WHERE id = ?", "i", id)) != CBW_OK)
		goto fail;
	json_object_object_add(counts, "email", json_object_new_string(email));
	json_object_object_add(counts, "reassigned_to", json_object_new_int64(actor->id));
	if ((er = cbw_audit(db, actor, "user.delete", "user", id, counts, ip)) != CBW_OK)
		goto fail;
	json_object_put(counts);
	return cbw_db_commit(db);
fail:
	json_object_put(counts);
	cbw_db_rollback(db);
	return er;
}

/* Compte les données d'un utilisateur. */
enum cbw_err
cbw_user_counts(struct cbw_db *db, long long id, struct json_object **out)
{
	return cbw_db_query_row(db, out, "SELECT "
	    "(SELECT count(*) FROM categories WHERE created_by = ?1) AS categories, "
	    "(SELECT count(*) FROM contacts WHERE created_by = ?1) AS contacts, "
	    "(SELECT count(*) FROM campaigns WHERE created_by = ?1) AS campaigns",
	    "i", id);
}

/* Nouveau mot de passe (CLI) ; ferme les sessions du compte. */
enum cbw_err
cbw_user_set_password(struct cbw_db *db, const char *email, const char *password)
{
	char		 hash[CBW_HASH_MAX], now[32];
	long long	 id;
	enum cbw_err	 er;

	if ((er = cbw_password_hash(password, hash, sizeof(hash))) != CBW_OK)
		return er;
	cbw_time_iso(cbw_now(), now, sizeof(now));
	if ((er = cbw_db_query_int(db, &id, "SELECT id FROM users WHERE email = ?",
	    "s", email)) != CBW_OK)
		return er;
	if ((er = cbw_db_begin(db)) != CBW_OK)
		return er;
	if ((er = cbw_db_exec(db, "UPDATE users SET password_hash = ?, "
	    "updated_at = ? WHERE id = ?", "ssi", hash, now, id)) != CBW_OK ||
	    (er = cbw_auth_revoke_user(db, id)) != CBW_OK ||
	    (er = cbw_audit(db, NULL, "user.reset_password", "user", id, NULL,
	    NULL)) != CBW_OK) {
		cbw_db_rollback(db);
		return er;
	}
	return cbw_db_commit(db);
}
