/*
 * Gestion des comptes (super admin) : liste, création, modification,
 * suppression avec réattribution des données. Chaque changement est noté
 * dans audit_log. Les messages d'erreur sont en français pour l'interface.
 */
#ifndef CBW_USER_H
#define CBW_USER_H

#include "err.h"

struct cbw_db;
struct cbw_user;
struct json_object;

/* Champs d'une modification ; NULL / -1 : inchangé. */
struct cbw_user_edit {
	const char	*email;		/* déjà validé et en minuscules */
	const char	*password;	/* déjà validé */
	const char	*role;		/* déjà validé */
	int		 is_active;	/* 0, 1, ou -1 */
};

/* Page de comptes (ordre par identifiant) et total. */
enum cbw_err	cbw_user_list(struct cbw_db *, long long page, long long per_page,
		    struct json_object **items, long long *total);
/* Un compte (sans le hachage) ; CBW_ENOTFOUND s'il n'existe pas. */
enum cbw_err	cbw_user_get(struct cbw_db *, long long id, struct json_object **);
/*
 * Crée un compte (bcrypt coût 12). Renvoie CBW_OK et *id, CBW_ECONFLICT si
 * l'e-mail existe déjà, ou une erreur interne. `actor` NULL : outil CLI.
 */
enum cbw_err	cbw_user_create(struct cbw_db *, const struct cbw_user *actor,
		    const char *email, const char *password, const char *role,
		    int is_active, const char *ip, long long *id);
/*
 * Modifie un compte. Refuse (CBW_EDENIED, *msg) de se rétrograder ou se
 * désactiver soi-même et de retirer le dernier super admin actif ;
 * CBW_ECONFLICT si l'e-mail est pris ; CBW_ENOTFOUND si absent. Un
 * changement de mot de passe ou une désactivation ferme les sessions.
 */
enum cbw_err	cbw_user_update(struct cbw_db *, const struct cbw_user *actor,
		    long long id, const struct cbw_user_edit *, const char *ip,
		    const char **msg);
/*
 * Supprime un compte : ses catégories, contacts et campagnes sont
 * réattribués à `actor` (fusion des contacts de même numéro), le tout dans
 * une transaction. CBW_EDENIED (*msg) pour soi-même ou le dernier super
 * admin actif ; CBW_ENOTFOUND si absent.
 */
enum cbw_err	cbw_user_delete(struct cbw_db *, const struct cbw_user *actor,
		    long long id, const char *ip, const char **msg);
/* Nombre de catégories, contacts et campagnes d'un compte. */
enum cbw_err	cbw_user_counts(struct cbw_db *, long long id,
		    struct json_object **counts);
/* Réinitialise un mot de passe (outil CLI) ; CBW_ENOTFOUND si absent. */
enum cbw_err	cbw_user_set_password(struct cbw_db *, const char *email,
		    const char *password);

#endif
