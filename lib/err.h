/*
 * Codes d'erreur communs à toute la bibliothèque libcbw.
 * Chaque fonction qui peut échouer renvoie un enum cbw_err.
 */
#ifndef CBW_ERR_H
#define CBW_ERR_H

enum cbw_err {
	CBW_OK = 0,
	CBW_ENOMEM,	/* allocation impossible */
	CBW_EINVAL,	/* entrée invalide (→ 400/422) */
	CBW_ENOTFOUND,	/* ligne absente ou d'un autre admin (→ 404) */
	CBW_ECONFLICT,	/* contrainte d'unicité (→ 409) */
	CBW_EDENIED,	/* interdit (→ 403) */
	CBW_EAUTH,	/* non authentifié (→ 401) */
	CBW_ELIMIT,	/* trop de requêtes (→ 429) */
	CBW_EBUSY,	/* base verrouillée trop longtemps (→ 503) */
	CBW_EDB,	/* autre erreur SQLite (→ 500) */
	CBW_EIO,	/* fichier, réseau (→ 500) */
	CBW_ETMPL,	/* erreur de gabarit (→ 500) */
	CBW_ERR__MAX
};

/* Nom court et stable d'un code d'erreur, pour les journaux. */
const char	*cbw_err_name(enum cbw_err);

#endif
