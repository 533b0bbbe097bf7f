/*
 * Contacts : liste paginée (recherche par nom ou numéro, filtre par
 * catégorie), fiche avec ses catégories, création, modification,
 * suppression, désinscription. Toutes les requêtes portent la condition de
 * propriétaire ; un même numéro n'existe qu'une fois par admin.
 */
#ifndef CBW_CONTACT_H
#define CBW_CONTACT_H

#include <stddef.h>

#include "buf.h"
#include "err.h"

struct cbw_db;
struct cbw_phone;
struct json_object;

/* Saisie validée d'un contact ; NULL / set_categories 0 : inchangé. */
struct cbw_contact_in {
	const struct cbw_phone	*phone;
	const char		*first_name;	/* "" : effacer */
	const char		*last_name;
	const long long		*category_ids;
	size_t			 ncat;
	int			 set_categories;
};

/*
 * Page de contacts triée par nom. `q` : nom (accents ignorés) ou chiffres
 * du numéro ; `category_id` 0 : toutes. CBW_ENOTFOUND si la catégorie
 * n'est pas à l'admin.
 */
enum cbw_err	cbw_contact_list(struct cbw_db *, long long owner, const char *q,
		    long long category_id, long long page, long long per_page,
		    struct json_object **items, long long *total);
/*
 * Libère l'ordre alphabétique des identifiants gardé pour les pages
 * lointaines (relu à la demande). Pour le retour au repos du programme.
 */
void		cbw_contact_order_release(void);
/* Fiche avec « categories » [{id, name, color}] et « category_ids ». */
enum cbw_err	cbw_contact_get(struct cbw_db *, long long owner, long long id,
		    struct json_object **);
/*
 * Création. CBW_ECONFLICT (*existing : {id, first_name, last_name,
 * full_number} du contact qui a déjà ce numéro), CBW_EDENIED si une
 * catégorie n'est pas à l'admin.
 */
enum cbw_err	cbw_contact_create(struct cbw_db *, long long owner,
		    const struct cbw_contact_in *, long long *id,
		    struct json_object **existing);
/* Modification ; mêmes codes, plus CBW_ENOTFOUND. */
enum cbw_err	cbw_contact_update(struct cbw_db *, long long owner, long long id,
		    const struct cbw_contact_in *, struct json_object **existing);
/* Suppression (liens et messages suivent en cascade). */
enum cbw_err	cbw_contact_delete(struct cbw_db *, long long owner, long long id);
/* Désinscription (1) ou réinscription (0) par l'admin. */
enum cbw_err	cbw_contact_optout(struct cbw_db *, long long owner, long long id,
		    int opted_out);
/*
 * Clé de recherche : prénom et nom repliés, numéro international sans
 * « + » et numéro national avec son préfixe interurbain.
 */
enum cbw_err	cbw_contact_search_key(struct cbw_buf *, const char *first,
		    const char *last, const struct cbw_phone *);
/*
 * Terme de recherche tiré de `q` : chiffres seuls si `q` ressemble à un
 * numéro, sinon texte replié. Rend 0 (vide), 1 (court : recherche
 * linéaire) ou 2 (≥ 3 caractères : index trigramme).
 */
int		cbw_contact_search_term(const char *q, struct cbw_buf *term);
/*
 * Terme à lier dans une requête : le terme replié, pour « contacts_fts
 * MATCH cbw_trigrams(?) AND instr(search_key, ?) > 0 » (2) ou pour
 * « instr(search_key, ?) » seul (1). Rend 0, 1 ou 2 comme
 * cbw_contact_search_term, ou 3 si `q` n'est fait que de ponctuation (le
 * repli ne laisse rien) : `q` sans blancs autour, à chercher tel quel
 * dans le prénom et le nom.
 */
int		cbw_contact_search_bind(const char *q, struct cbw_buf *term);

#endif
