/*
 * Catégories : liste paginée avec recherche, création, modification,
 * suppression (les contacts restent), appartenance des contacts. Toutes
 * les requêtes portent la condition de propriétaire.
 */
#ifndef CBW_CATEGORY_H
#define CBW_CATEGORY_H

#include <stddef.h>

#include "err.h"

struct cbw_db;
struct json_object;

#define CBW_NAME_MAX	100	/* caractères d'un nom */

/* Palette fixe des couleurs de catégories. */
struct cbw_color {
	const char	*key;	/* « vert » : classe CSS cat-vert */
	const char	*label;	/* « Vert » */
	const char	*hex;	/* « #128c7e » */
};

/* i-ème couleur de la palette, NULL après la dernière. */
const struct cbw_color	*cbw_color_get(size_t i);
/* Couleur par clé (« vert ») ou hexadécimal (« #128C7E ») ; NULL si hors palette. */
const struct cbw_color	*cbw_color_find(const char *);
/* Couleur tirée au hasard (gradient « aléatoire » du seed). */
const struct cbw_color	*cbw_color_random(void);

/*
 * Vérifie et normalise un nom (catégorie ou personne) : UTF-8 valide, sans
 * caractère de contrôle, blancs de bord retirés, 1 à CBW_NAME_MAX
 * caractères (0 permis si `optional`). Écrit dans out (≥ 4 × CBW_NAME_MAX + 1).
 * Renvoie CBW_OK ou CBW_EINVAL avec un message français.
 */
enum cbw_err	cbw_valid_name(const char *, int optional, char *out, size_t len,
		    const char **msg);

/* Page de catégories (recherche `q` facultative sur le nom) et total. */
enum cbw_err	cbw_category_list(struct cbw_db *, long long owner, const char *q,
		    long long page, long long per_page, struct json_object **items,
		    long long *total);
/* Toutes les catégories (id, name, color, color_key), pour les listes. */
enum cbw_err	cbw_category_all(struct cbw_db *, long long owner,
		    struct json_object **items);
/* Une catégorie ; CBW_ENOTFOUND si absente ou d'un autre admin. */
enum cbw_err	cbw_category_get(struct cbw_db *, long long owner, long long id,
		    struct json_object **);
/* Création ; CBW_ECONFLICT si le nom existe déjà (casse ignorée). */
enum cbw_err	cbw_category_create(struct cbw_db *, long long owner,
		    const char *name, const char *hex, long long *id);
/* Modification (NULL : inchangé) ; CBW_ENOTFOUND, CBW_ECONFLICT. */
enum cbw_err	cbw_category_update(struct cbw_db *, long long owner, long long id,
		    const char *name, const char *hex);
/* Suppression : ses liens disparaissent, jamais ses contacts. */
enum cbw_err	cbw_category_delete(struct cbw_db *, long long owner, long long id);
/*
 * Ajoute des contacts (seulement ceux du même admin) ; rend
 * {"added":[…], "already":[…], "rejected":[…]}. CBW_ENOTFOUND si la
 * catégorie n'est pas à lui.
 */
enum cbw_err	cbw_category_add_contacts(struct cbw_db *, long long owner,
		    long long id, const long long *ids, size_t n,
		    struct json_object **result);
/* Retire un contact ; CBW_ENOTFOUND s'il n'y était pas. */
enum cbw_err	cbw_category_remove_contact(struct cbw_db *, long long owner,
		    long long id, long long contact_id);
/* Catégorie créée ou utilisée le plus récemment ; CBW_ENOTFOUND si aucune. */
enum cbw_err	cbw_category_recent(struct cbw_db *, long long owner, long long *id);
/* Cherche par nom (casse ignorée) ou crée ; rend l'identifiant. */
enum cbw_err	cbw_category_ensure(struct cbw_db *, long long owner,
		    const char *name, long long *id);

#endif
