/*
 * Contacts (voir contact.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "clock.h"
#include "contact.h"
#include "db.h"
#include "fold.h"
#include "owner.h"
#include "phone.h"

#define CONTACT_COLS "c.id, c.phone_number, c.country_code, c.full_number, " \
	"c.first_name, c.last_name, c.opted_out_at, c.created_at, " \
	"c.updated_at, (SELECT group_concat(category_id) FROM category_contacts " \
	"WHERE contact_id = c.id) AS category_ids"
/* Nom complet tel que saisi, pour la recherche littérale. */
#define CONTACT_NAME "coalesce(c.first_name, '') || ' ' || " \
	"coalesce(c.last_name, '')"

/*
 * Réduit à un seul blanc chaque suite de blancs de b à partir de l'octet
 * `from` (le repli change un emoji ou « . & » en blancs) : la clé se
 * compare alors au terme cherché, réduit de même. Ne rend rien.
 */
static void
squeeze_blanks(struct cbw_buf *b, size_t from)
{
	size_t	 i, j;

	if (b->data == NULL)
		return;
	for (i = j = from; i < b->len; i++)
		if (b->data[i] != ' ' || j == from || b->data[j - 1] != ' ')
			b->data[j++] = b->data[i];
	b->len = j;
	b->data[j] = '\0';
}

/* Clé de recherche (voir contact.h). */
enum cbw_err
cbw_contact_search_key(struct cbw_buf *b, const char *first, const char *last,
    const struct cbw_phone *p)
{
	const struct cbw_country	*c = cbw_phone_country_by_code(p->country_code);
	size_t				 from = b->len;

	cbw_fold(b, first);
	cbw_buf_putc(b, ' ');
	cbw_fold(b, last);
	cbw_buf_putc(b, ' ');
	squeeze_blanks(b, from);
	cbw_fold_digits(b, p->full);
	cbw_buf_putc(b, ' ');
	if (c != NULL && c->trunk != NULL)
		cbw_buf_puts(b, c->trunk);
	cbw_buf_puts(b, p->national);
	return b->oom ? CBW_ENOMEM : CBW_OK;
}

/* Rend 1 si q ne contient que des chiffres et des signes de numéro. */
static int
phone_like(const char *q)
{
	int	 digits = 0;

	for (; *q != '\0'; q++) {
		if (*q >= '0' && *q <= '9')
			digits++;
		else if (strchr(" +.-()/", *q) == NULL)
			return 0;
	}
	return digits > 0;
}

/* Terme de recherche (voir contact.h). */
int
cbw_contact_search_term(const char *q, struct cbw_buf *term)
{
	struct cbw_buf	 f;
	const char	*s;
	size_t		 n;

	cbw_buf_reset(term);
	if (q == NULL)
		return 0;
	if (phone_like(q))
		cbw_fold_digits(term, q);
	else {
		cbw_buf_init(&f);
		cbw_fold(&f, q);
		for (s = cbw_buf_str(&f); *s != '\0'; s++)	/* blancs réduits */
			if (*s != ' ' || (term->len > 0 && term->data[term->len - 1] != ' '))
				cbw_buf_putc(term, *s);
		cbw_buf_free(&f);
		while (term->len > 0 && term->data[term->len - 1] == ' ')
			term->data[--term->len] = '\0';
	}
	/* Caractères et non octets : l'index trigramme ne trouve rien sous 3. */
	for (n = 0, s = cbw_buf_str(term); *s != '\0'; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n == 0 ? 0 : n < 3 ? 1 : 2;
}

/* Remplace la colonne texte « category_ids » (« 3,7 ») par un tableau. */
static void
ids_to_array(struct json_object *o)
{
	struct json_object	*arr = json_object_new_array();
	const char		*s = json_object_get_string(
				    json_object_object_get(o, "category_ids"));
	char			*end;
	long long		 v;

	while (s != NULL && *s != '\0') {
		v = strtoll(s, &end, 10);
		if (end == s)
			break;
		json_object_array_add(arr, json_object_new_int64(v));
		s = *end == ',' ? end + 1 : end;
	}
	json_object_object_add(o, "category_ids", arr);
}

/*
 * Requêtes de la liste, une par forme de filtre, pour que SQLite parte du
 * plus sélectif : l'index trigramme (recherche : les clés qui ont tous
 * les trigrammes du terme, puis la sous-chaîne exacte), les membres de la
 * catégorie, ou l'index (propriétaire, nom). Paramètres communs : ?1
 * admin, ?2 catégorie (0 : toutes), ?3 terme, ?4 limite, ?5 décalage.
 */
#define CAT_FILTER "(?2 = 0 OR c.id IN (SELECT contact_id FROM " \
	"category_contacts WHERE category_id = ?2))"
#define ORDER " ORDER BY c.last_name COLLATE NOCASE, c.first_name COLLATE " \
	"NOCASE, c.id"

enum list_kind { LIST_PLAIN, LIST_CATEGORY, LIST_FTS, LIST_SHORT, LIST_LITERAL,
	LIST__MAX };

static const char *const list_from[LIST__MAX] = {
	/* LIST_PLAIN */
	"FROM contacts c WHERE c.created_by = ?1 AND ?2 = 0 AND ?3 IS NULL",
	/* LIST_CATEGORY */
	"FROM category_contacts cc CROSS JOIN contacts c ON c.id = "
	    "cc.contact_id WHERE cc.category_id = ?2 AND c.created_by = ?1 "
	    "AND ?3 IS NULL",
	/* LIST_FTS */
	"FROM contacts_fts f CROSS JOIN contacts c ON c.id = f.rowid WHERE "
	    "f.contacts_fts MATCH cbw_trigrams(?3) AND c.created_by = ?1 AND "
	    "instr(c.search_key, ?3) > 0 AND " CAT_FILTER,
	/* LIST_SHORT */
	"FROM contacts c WHERE c.created_by = ?1 AND instr(c.search_key, ?3) "
	    "> 0 AND " CAT_FILTER,
	/* LIST_LITERAL */
	"FROM contacts c WHERE c.created_by = ?1 AND instr(" CONTACT_NAME ", ?3) "
	    "> 0 AND " CAT_FILTER,
};

static const char *const list_count[LIST__MAX] = {
	"SELECT contacts FROM owner_counts WHERE user_id = ?1 AND ?2 = 0 AND "
	    "?3 IS NULL",
	"SELECT count(*) ", "SELECT count(*) ", "SELECT count(*) ",
	"SELECT count(*) ",
};

/* Terme de recherche lié (voir contact.h). */
int
cbw_contact_search_bind(const char *q, struct cbw_buf *term)
{
	struct cbw_buf	 t;
	const char	*s;
	int		 k;

	cbw_buf_init(&t);
	k = cbw_contact_search_term(q, &t);
	if (k == 1 || k == 2)
		cbw_buf_puts(term, cbw_buf_str(&t));
	else if (q != NULL) {
		/*
		 * Que de la ponctuation (« % », « _ », « \ ») : le repli ne
		 * laisse rien, ce qui listerait tout. Recherche littérale.
		 */
		q += strspn(q, " \t\r\n");
		for (s = q + strlen(q); s > q && strchr(" \t\r\n", s[-1]); s--)
			continue;
		if (s > q) {
			cbw_buf_put(term, q, (size_t)(s - q));
			k = 3;
		}
	}
	cbw_buf_free(&t);
	return k;
}

/*
 * Forme de la liste et terme lié : terme replié cherché par l'index
 * trigramme (≥ 3 caractères) ou en sous-chaîne (1 ou 2), texte littéral
 * (3), ou rien.
 */
static enum list_kind
list_kind(const char *q, long long cat, struct cbw_buf *term)
{
	int	 k = cbw_contact_search_bind(q, term);

	return k == 3 ? LIST_LITERAL : k == 2 ? LIST_FTS : k == 1 ? LIST_SHORT :
	    cat ? LIST_CATEGORY : LIST_PLAIN;
}

/*
 * Texte SQL complet d'une forme (construit une fois, gardé pour le cache) :
 * LIST_SQL_COUNT le total, LIST_SQL_PAGE une page, LIST_SQL_FILTERED une
 * page et le total d'un filtre en un seul passage (count(*) OVER () sur les
 * seuls identifiants triés ; colonnes et catégories lues pour la page
 * seulement), pour ne pas évaluer deux fois la recherche.
 */
enum list_sql { LIST_SQL_COUNT, LIST_SQL_PAGE, LIST_SQL_FILTERED,
	LIST_SQL__MAX };

static const char *
list_sql(enum list_kind k, enum list_sql m)
{
	static char	 sql[LIST_SQL__MAX][LIST__MAX][1536];
	char		*p = sql[m][k];

	if (*p != '\0')
		return p;
	switch (m) {
	case LIST_SQL_COUNT:
		snprintf(p, sizeof(sql[0][0]), "%s%s", list_count[k],
		    k == LIST_PLAIN ? "" : list_from[k]);
		break;
	case LIST_SQL_PAGE:
		snprintf(p, sizeof(sql[0][0]), "SELECT " CONTACT_COLS " %s"
		    ORDER " LIMIT ?4 OFFSET ?5", list_from[k]);
		break;
	default:
		snprintf(p, sizeof(sql[0][0]), "SELECT " CONTACT_COLS ", "
		    "t.total AS _total FROM (SELECT c.id AS id, count(*) OVER () "
		    "AS total %s" ORDER " LIMIT ?4 OFFSET ?5) t CROSS JOIN "
		    "contacts c ON c.id = t.id" ORDER, list_from[k]);
		break;
	}
	return p;
}

/*
 * Page filtrée et son total en un passage (voir list_sql). Une page vide
 * au-delà de la première ne dit pas le total : il est alors compté à part.
 * CBW_OK ou l'erreur de base.
 */
static enum cbw_err
list_filtered(struct cbw_db *db, enum list_kind k, long long owner,
    long long cat, const char *t, long long page, long long pp,
    struct json_object **items, long long *total)
{
	struct json_object	*row;
	size_t			 i, n;
	enum cbw_err		 er;

	if ((er = cbw_db_query_json(db, items, list_sql(k, LIST_SQL_FILTERED),
	    "iisii", owner, cat, t, pp, (page - 1) * pp)) != CBW_OK)
		return er;
	n = json_object_array_length(*items);
	*total = 0;
	for (i = 0; i < n; i++) {
		row = json_object_array_get_idx(*items, i);
		*total = json_object_get_int64(json_object_object_get(row,
		    "_total"));
		json_object_object_del(row, "_total");
	}
	if (n == 0 && page > 1 && (er = cbw_db_query_int(db, total,
	    list_sql(k, LIST_SQL_COUNT), "iis", owner, cat, t)) == CBW_ENOTFOUND)
		*total = 0, er = CBW_OK;
	return er;
}

/*
 * Ordre alphabétique des identifiants de contacts d'un admin, gardé par le
 * processus pour les pages lointaines : relu seulement quand la version de
 * sa liste (owner_counts.contacts_version, tenue par déclencheurs) change.
 */
#define DEEP_OFFSET	1000

static struct {
	long long	 owner, version;
	long long	*ids;
	size_t		 n, cap;
} order;

/* Relit l'ordre des identifiants de `owner`. CBW_OK ou erreur de base. */
static enum cbw_err
order_load(struct cbw_db *db, long long owner, long long version)
{
	struct cbw_stmt	*s;
	enum cbw_step	 st;
	long long	*p;
	enum cbw_err	 er;

	order.owner = 0;
	order.n = 0;
	if ((er = cbw_db_prepare(db, "SELECT id FROM contacts WHERE created_by = ? "
	    "ORDER BY last_name COLLATE NOCASE, first_name COLLATE NOCASE, id",
	    &s)) != CBW_OK)
		return er;
	cbw_db_bind(s, "i", owner);
	while ((st = cbw_db_step(s)) == CBW_STEP_ROW) {
		if (order.n == order.cap) {
			if ((p = reallocarray(order.ids, order.cap ? order.cap * 2 :
			    4096, sizeof(*p))) == NULL) {
				cbw_db_done(s);
				return CBW_ENOMEM;
			}
			order.ids = p;
			order.cap = order.cap ? order.cap * 2 : 4096;
		}
		order.ids[order.n++] = cbw_db_col_int(s, 0);
	}
	cbw_db_done(s);
	if (st != CBW_STEP_DONE)
		return st == CBW_STEP_BUSY ? CBW_EBUSY : CBW_EDB;
	order.owner = owner;
	order.version = version;
	return CBW_OK;
}

/*
 * Oublie l'ordre gardé (appelé au repos, lib/app.c) : 1 Mio pour 100 000
 * contacts, relu à la page lointaine suivante. Ne produit aucun statut.
 */
void
cbw_contact_order_release(void)
{
	free(order.ids);
	memset(&order, 0, sizeof(order));
}

/* Page lointaine sans filtre, par l'ordre gardé en mémoire. */
static enum cbw_err
list_deep(struct cbw_db *db, long long owner, long long page, long long pp,
    struct json_object **items, long long *total)
{
	struct json_object	*row;
	struct cbw_buf		 ids;
	size_t			 off, i, n;
	long long		 version;
	enum cbw_err		 er;

	if ((er = cbw_db_query_row(db, &row, "SELECT contacts, contacts_version "
	    "FROM owner_counts WHERE user_id = ?", "i", owner)) != CBW_OK)
		return er;
	*total = json_object_get_int64(json_object_object_get(row, "contacts"));
	version = json_object_get_int64(json_object_object_get(row,
	    "contacts_version"));
	json_object_put(row);
	if ((order.owner != owner || order.version != version) &&
	    (er = order_load(db, owner, version)) != CBW_OK)
		return er;
	off = (size_t)((page - 1) * pp);
	n = off < order.n ? order.n - off : 0;
	if (n > (size_t)pp)
		n = (size_t)pp;
	cbw_buf_init(&ids);
	cbw_buf_putc(&ids, '[');
	for (i = 0; i < n; i++)
		cbw_buf_printf(&ids, "%s%lld", i ? "," : "", order.ids[off + i]);
	cbw_buf_putc(&ids, ']');
	/* CROSS JOIN : partir des identifiants (accès par clé), jamais d'un
	 * parcours de l'index du propriétaire. */
	er = cbw_db_query_json(db, items, "SELECT " CONTACT_COLS " FROM "
	    "json_each(?2) j CROSS JOIN contacts c ON c.id = j.value WHERE "
	    "c.created_by = ?1 ORDER BY j.key", "is", owner, cbw_buf_str(&ids));
	cbw_buf_free(&ids);
	return er;
}

/* Liste paginée (voir contact.h). */
enum cbw_err
cbw_contact_list(struct cbw_db *db, long long owner, const char *q,
    long long cat, long long page, long long per_page,
    struct json_object **items, long long *total)
{
	struct cbw_buf	 term;
	enum list_kind	 k;
	const char	*t;
	enum cbw_err	 er;
	size_t		 i;

	*items = NULL;
	if (cat != 0 && (er = cbw_owner_check(db, CBW_OWN_CATEGORY, owner,
	    cat)) != CBW_OK)
		return er;
	cbw_buf_init(&term);
	k = list_kind(q, cat, &term);
	t = term.len ? cbw_buf_str(&term) : NULL;
	if (k == LIST_PLAIN && (page - 1) * per_page >= DEEP_OFFSET)
		er = list_deep(db, owner, page, per_page, items, total);
	else if (k != LIST_PLAIN)
		er = list_filtered(db, k, owner, cat, t, page, per_page, items,
		    total);
	else {
		if ((er = cbw_db_query_int(db, total, list_sql(k,
		    LIST_SQL_COUNT), "iis", owner, cat, t)) == CBW_ENOTFOUND)
			*total = 0, er = CBW_OK;
		if (er == CBW_OK)
			er = cbw_db_query_json(db, items, list_sql(k,
			    LIST_SQL_PAGE), "iisii", owner, cat, t, per_page,
			    (page - 1) * per_page);
	}
	if (er == CBW_OK)
		for (i = 0; i < json_object_array_length(*items); i++)
			ids_to_array(json_object_array_get_idx(*items, i));
	cbw_buf_free(&term);
	return er;
}

/* Fiche d'un contact (voir contact.h). */
enum cbw_err
cbw_contact_get(struct cbw_db *db, long long owner, long long id,
    struct json_object **out)
{
	struct json_object	*cats;
	enum cbw_err		 er;

	if ((er = cbw_db_query_row(db, out, "SELECT " CONTACT_COLS " FROM "
	    "contacts c WHERE c.id = ? AND c.created_by = ?", "ii", id,
	    owner)) != CBW_OK)
		return er;
	ids_to_array(*out);
	if ((er = cbw_db_query_json(db, &cats, "SELECT k.id, k.name, k.color "
	    "FROM category_contacts cc JOIN categories k ON k.id = cc.category_id "
	    "WHERE cc.contact_id = ? ORDER BY k.name COLLATE NOCASE", "i",
	    id)) != CBW_OK) {
		json_object_put(*out);
		*out = NULL;
		return er;
	}
	json_object_object_add(*out, "categories", cats);
	return CBW_OK;
}

/* Le contact qui a déjà ce numéro chez l'admin (pour le 409). */
static struct json_object *
existing_contact(struct cbw_db *db, long long owner, const char *full)
{
	struct json_object	*o = NULL;

	cbw_db_query_row(db, &o, "SELECT id, first_name, last_name, full_number "
	    "FROM contacts WHERE created_by = ? AND full_number = ?", "is",
	    owner, full);
	return o;
}

/* Remplace les catégories d'un contact (dans la transaction). */
static enum cbw_err
set_categories(struct cbw_db *db, long long owner, long long id,
    const struct cbw_contact_in *in, const char *now)
{
	enum cbw_err	 er;
	size_t		 i;

	if ((er = cbw_db_exec(db, "DELETE FROM category_contacts WHERE "
	    "contact_id = ?", "i", id)) != CBW_OK)
		return er;
	for (i = 0; i < in->ncat; i++) {
		if (cbw_owner_check(db, CBW_OWN_CATEGORY, owner,
		    in->category_ids[i]) != CBW_OK)
			return CBW_EDENIED;
		if ((er = cbw_db_exec(db, "INSERT OR IGNORE INTO category_contacts"
		    "(category_id, contact_id, added_at) VALUES (?, ?, ?)", "iis",
		    in->category_ids[i], id, now)) != CBW_OK ||
		    (er = cbw_db_exec(db, "UPDATE categories SET updated_at = ? "
		    "WHERE id = ?", "si", now, in->category_ids[i])) != CBW_OK)
			return er;
	}
	return CBW_OK;
}

/* Création (voir contact.h). */
enum cbw_err
cbw_contact_create(struct cbw_db *db, long long owner,
    const struct cbw_contact_in *in, long long *id, struct json_object **existing)
{
	struct cbw_buf	 key;
	char		 now[32];
	enum cbw_err	 er;

	*existing = NULL;
	cbw_buf_init(&key);
	cbw_time_iso(cbw_now(), now, sizeof(now));
	if (cbw_contact_search_key(&key, in->first_name, in->last_name,
	    in->phone) != CBW_OK) {
		cbw_buf_free(&key);
		return CBW_ENOMEM;
	}
	if ((er = cbw_db_begin(db)) != CBW_OK) {	/* CBW_EBUSY : 503 */
		cbw_buf_free(&key);
		return er;
	}
	er = cbw_db_exec(db, "INSERT INTO contacts(phone_number, country_code, "
	    "full_number, first_name, last_name, search_key, created_by, "
	    "created_at, updated_at) VALUES (?, ?, ?, nullif(?, ''), "
	    "nullif(?, ''), ?, ?, ?, ?)", "ssssssiss", in->phone->national,
	    in->phone->country_code, in->phone->full, in->first_name,
	    in->last_name, cbw_buf_str(&key), owner, now, now);
	cbw_buf_free(&key);
	if (er == CBW_ECONFLICT)
		*existing = existing_contact(db, owner, in->phone->full);
	if (er != CBW_OK)
		goto fail;
	*id = cbw_db_last_id(db);
	if ((er = set_categories(db, owner, *id, in, now)) != CBW_OK)
		goto fail;
	return cbw_db_commit(db);
fail:
	cbw_db_rollback(db);
	return er;
}

/* Champ texte d'un objet, ou "" (jamais NULL). */
static const char *
str(struct json_object *o, const char *k)
{
	const char	*s = json_object_get_string(json_object_object_get(o, k));

	return s != NULL ? s : "";
}

/* Écrit les champs fusionnés (dans la transaction). */
static enum cbw_err
update_row(struct cbw_db *db, long long owner, long long id,
    const struct cbw_phone *p, const char *first, const char *last,
    const char *now)
{
	struct cbw_buf	 key;
	enum cbw_err	 er;

	cbw_buf_init(&key);
	if (cbw_contact_search_key(&key, first, last, p) != CBW_OK) {
		cbw_buf_free(&key);
		return CBW_ENOMEM;
	}
	er = cbw_db_exec(db, "UPDATE contacts SET phone_number = ?, country_code "
	    "= ?, full_number = ?, first_name = nullif(?, ''), last_name = "
	    "nullif(?, ''), search_key = ?, updated_at = ? WHERE id = ? AND "
	    "created_by = ?", "sssssssii", p->national, p->country_code, p->full,
	    first, last, cbw_buf_str(&key), now, id, owner);
	cbw_buf_free(&key);
	return er;
}

/* Modification (voir contact.h). */
enum cbw_err
cbw_contact_update(struct cbw_db *db, long long owner, long long id,
    const struct cbw_contact_in *in, struct json_object **existing)
{
	struct json_object	*cur = NULL;
	struct cbw_phone	 p;
	struct cbw_phone_err	 pe;
	char			 now[32];
	enum cbw_err		 er;

	*existing = NULL;
	cbw_time_iso(cbw_now(), now, sizeof(now));
	if ((er = cbw_db_begin(db)) != CBW_OK)
		return er;
	if ((er = cbw_db_query_row(db, &cur, "SELECT full_number, first_name, "
	    "last_name FROM contacts WHERE id = ? AND created_by = ?", "ii", id,
	    owner)) != CBW_OK)
		goto fail;
	if (in->phone != NULL)
		p = *in->phone;
	else if (cbw_phone_parse(str(cur, "full_number"), NULL, &p, &pe) != CBW_OK) {
		er = CBW_EINVAL;
		goto fail;
	}
	er = update_row(db, owner, id, &p, in->first_name ? in->first_name :
	    str(cur, "first_name"), in->last_name ? in->last_name :
	    str(cur, "last_name"), now);
	if (er == CBW_ECONFLICT)
		*existing = existing_contact(db, owner, p.full);
	if (er != CBW_OK || (in->set_categories &&
	    (er = set_categories(db, owner, id, in, now)) != CBW_OK))
		goto fail;
	json_object_put(cur);
	return cbw_db_commit(db);
fail:
	json_object_put(cur);
	cbw_db_rollback(db);
	return er;
}

/* Suppression (voir contact.h). */
enum cbw_err
cbw_contact_delete(struct cbw_db *db, long long owner, long long id)
{
	enum cbw_err	 er;

	if ((er = cbw_db_exec(db, "DELETE FROM contacts WHERE id = ? AND "
	    "created_by = ?", "ii", id, owner)) != CBW_OK)
		return er;
	return cbw_db_changes(db) == 1 ? CBW_OK : CBW_ENOTFOUND;
}

/* Désinscription ou réinscription par l'admin. */
enum cbw_err
cbw_contact_optout(struct cbw_db *db, long long owner, long long id,
    int opted_out)
{
	char		 now[32];
	enum cbw_err	 er;

	cbw_time_iso(cbw_now(), now, sizeof(now));
	if ((er = cbw_db_exec(db, "UPDATE contacts SET opted_out_at = CASE WHEN "
	    "?1 THEN coalesce(opted_out_at, ?2) ELSE NULL END, updated_at = ?2 "
	    "WHERE id = ?3 AND created_by = ?4", "isii", (long long)opted_out,
	    now, id, owner)) != CBW_OK)
		return er;
	return cbw_db_changes(db) == 1 ? CBW_OK : CBW_ENOTFOUND;
}
