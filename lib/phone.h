/*
 * Numéros de téléphone : analyse de ce qu'une personne a saisi et
 * normalisation au format E.164 (« +33612345678 »), avec la table des
 * indicatifs pays (UIT-T E.164) pour la liste déroulante du formulaire.
 * Fonctions pures, sans allocation.
 */
#ifndef CBW_PHONE_H
#define CBW_PHONE_H

#include <stddef.h>

#include "err.h"

#define CBW_PHONE_MAX	16	/* « + » et 15 chiffres (norme E.164) */
#define CBW_PHONE_BUF	20	/* tampon pour full, NUL compris */

struct cbw_phone {
	char	 country_code[6];	/* « +33 » */
	char	 national[16];		/* numéro national significatif, chiffres
					   seuls, sans préfixe interurbain : « 612345678 » */
	char	 full[CBW_PHONE_BUF];	/* E.164 : « +33612345678 » */
};

struct cbw_phone_err {
	const char	*field;		/* « country_code » ou « phone_number » */
	char		 msg[200];	/* phrase française, jamais vide en cas d'échec */
};

/*
 * Un pays de la table. Plusieurs pays peuvent partager un indicatif (+1,
 * +7, +44...) : ils ont alors les mêmes longueurs et le même préfixe.
 */
struct cbw_country {
	const char	*code;		/* « +33 » */
	const char	*name_fr;	/* « France » */
	const char	*iso2;		/* « FR » */
	unsigned char	 min_len;	/* longueur du numéro national significatif */
	unsigned char	 max_len;
	const char	*trunk;		/* préfixe interurbain national (« 0 », « 8 »,
					   « 06 ») ou « » s'il n'y en a pas */
};

/*
 * Analyse un numéro saisi. country_code (« +33 », « 33 » ou « 0033 ») sert
 * aux numéros nationaux ; il peut être NULL ou « » si le numéro est écrit
 * au format international (« + » ou « 00 »), dont l'indicatif l'emporte
 * toujours. Espaces, points, tirets et parenthèses sont ignorés ; le
 * préfixe interurbain (« 0 » en France, « 8 » en Russie...) est retiré.
 * Renvoie CBW_OK et remplit out, ou CBW_EINVAL et remplit err (champ fautif
 * et message français). err peut être NULL.
 */
enum cbw_err	cbw_phone_parse(const char *input, const char *country_code,
		    struct cbw_phone *out, struct cbw_phone_err *err);
/* 1 si full est un numéro E.164 déjà normalisé et valable pour son pays. */
int		cbw_phone_is_e164(const char *full);
/*
 * Entrée i de la table (France d'abord, puis ordre alphabétique des noms
 * français) ; NULL après la dernière.
 */
const struct cbw_country	*cbw_phone_country(size_t i);
/*
 * Pays principal d'un indicatif (« +33 » ou « 33 ») ; NULL s'il est
 * inconnu. Indicatif partagé : le pays principal (+1 → US, +7 → RU...).
 */
const struct cbw_country	*cbw_phone_country_by_code(const char *code);

#endif
