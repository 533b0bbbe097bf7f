/*
 * Validateurs : fonctions pures qui vérifient ET convertissent. Les
 * gestionnaires ne voient que des valeurs déjà validées. Jamais d'atoi.
 */
#ifndef CBW_VALID_H
#define CBW_VALID_H

#include <stddef.h>

#include "err.h"

#define CBW_PASSWORD_MIN	8
#define CBW_PASSWORD_MAX	72	/* bcrypt n'utilise que 72 octets */
#define CBW_EMAIL_MAX		254
#define CBW_PER_PAGE_DEFAULT	20
#define CBW_PER_PAGE_MAX	50

/* Entier décimal complet (signe permis, pas de blancs) dans [min, max]. */
enum cbw_err	cbw_valid_int64(const char *, long long min, long long max,
		    long long *out);
/* Identifiant de ligne : entier de 1 à 2^53. */
enum cbw_err	cbw_valid_id(const char *, long long *out);
/* Longueur de la séquence UTF-8 en s (NUL compte pour 1) ; 0 si invalide. */
size_t		cbw_utf8_seq(const unsigned char *s, size_t n);
/* UTF-8 bien formé (pas de surrogates ni de formes trop longues), sans NUL. */
int		cbw_valid_utf8(const char *, size_t len);
/*
 * Adresse e-mail raisonnable (local@domaine.tld, ≤ 254 octets, pas
 * d'espace ni de caractère de contrôle). Écrit la forme en minuscules dans
 * out (taille ≥ 255). Renvoie CBW_OK ou CBW_EINVAL avec un message.
 */
enum cbw_err	cbw_valid_email(const char *, char *out, size_t outlen,
		    const char **msg);
/* Mot de passe : UTF-8 valide, 8 à 72 octets. Message français si refusé. */
enum cbw_err	cbw_valid_password(const char *, const char **msg);
/* Rôle : « admin » ou « super_admin ». */
enum cbw_err	cbw_valid_role(const char *, const char **msg);
/*
 * Pagination : page (≥ 1, défaut 1) et per_page (1..50, défaut 20). Une
 * valeur absente (NULL) prend le défaut ; une valeur fausse donne
 * CBW_EINVAL et le message français dans *msg, le champ dans *field.
 */
enum cbw_err	cbw_valid_page(const char *page, const char *per_page,
		    long long *pg, long long *pp, const char **field,
		    const char **msg);

/* Valeur d'un chiffre hexadécimal (0 à 15), ou -1. */
int		 cbw_valid_hexdigit(int c);

#endif
