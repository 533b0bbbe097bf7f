/*
 * Validateurs purs (voir valid.h).
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "valid.h"

/*
 * Convertit une chaîne décimale complète en entier borné. Refuse la chaîne
 * vide, les blancs, les suffixes et le dépassement. Renvoie CBW_OK ou
 * CBW_EINVAL.
 */
enum cbw_err
cbw_valid_int64(const char *s, long long min, long long max, long long *out)
{
	char		*end;
	long long	 v;

	if (s == NULL || *s == '\0' || isspace((unsigned char)*s))
		return CBW_EINVAL;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return CBW_EINVAL;
	*out = v;
	return CBW_OK;
}

/* Identifiant positif (1 .. 2^53, représentable en JSON). */
enum cbw_err
cbw_valid_id(const char *s, long long *out)
{
	if (s != NULL && s[0] == '+')
		return CBW_EINVAL;
	return cbw_valid_int64(s, 1, 9007199254740992LL, out);
}

/*
 * Longueur de la séquence UTF-8 bien formée qui commence en s (n ≥ 1
 * octets restants ; NUL compte comme un caractère). Rend 0 si invalide
 * (forme trop longue, surrogate, au-delà de U+10FFFF, tronquée).
 */
size_t
cbw_utf8_seq(const unsigned char *s, size_t n)
{
	unsigned int	 cp;
	size_t		 len, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return len;
}

/* Rend 1 si les len octets sont de l'UTF-8 bien formé sans NUL, sinon 0. */
int
cbw_valid_utf8(const char *str, size_t len)
{
	const unsigned char	*s = (const unsigned char *)str;
	size_t			 i = 0, k;

	while (i < len) {
		if (s[i] == '\0' || (k = cbw_utf8_seq(s + i, len - i)) == 0)
			return 0;
		i += k;
	}
	return 1;
}

/*
 * Valide une adresse e-mail et la met en minuscules dans out. Renvoie
 * CBW_OK, ou CBW_EINVAL avec un message français dans *msg.
 */
enum cbw_err
cbw_valid_email(const char *s, char *out, size_t outlen, const char **msg)
{
	const char	*at, *dot;
	size_t		 n, i;

	*msg = "Adresse e-mail invalide (exemple : nom@domaine.fr).";
	if (s == NULL || (n = strlen(s)) == 0) {
		*msg = "L'adresse e-mail est obligatoire.";
		return CBW_EINVAL;
	}
	if (n > CBW_EMAIL_MAX || n + 1 > outlen)
		return CBW_EINVAL;
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] <= 0x20 || s[i] == 0x7f ||
		    strchr("<>()[]\\,;:\"", s[i]) != NULL)
			return CBW_EINVAL;
	if (!cbw_valid_utf8(s, n))
		return CBW_EINVAL;
	if ((at = strchr(s, '@')) == NULL || at == s || strchr(at + 1, '@'))
		return CBW_EINVAL;
	if ((dot = strrchr(at, '.')) == NULL || at[1] == '.' ||
	    dot[1] == '\0' || strstr(at, "..") != NULL)
		return CBW_EINVAL;
	for (i = 0; i <= n; i++)
		out[i] = (char)tolower((unsigned char)s[i]);
	*msg = NULL;
	return CBW_OK;
}

/* Vérifie la longueur et l'encodage d'un mot de passe. */
enum cbw_err
cbw_valid_password(const char *s, const char **msg)
{
	size_t	 n;

	if (s == NULL || (n = strlen(s)) == 0) {
		*msg = "Le mot de passe est obligatoire.";
		return CBW_EINVAL;
	}
	if (!cbw_valid_utf8(s, n)) {
		*msg = "Le mot de passe contient des caractères invalides.";
		return CBW_EINVAL;
	}
	if (n < CBW_PASSWORD_MIN) {
		*msg = "Le mot de passe doit contenir au moins 8 caractères.";
		return CBW_EINVAL;
	}
	if (n > CBW_PASSWORD_MAX) {
		*msg = "Le mot de passe ne doit pas dépasser 72 octets.";
		return CBW_EINVAL;
	}
	*msg = NULL;
	return CBW_OK;
}

/* Accepte seulement les deux rôles connus. */
enum cbw_err
cbw_valid_role(const char *s, const char **msg)
{
	if (s != NULL && (strcmp(s, "admin") == 0 || strcmp(s, "super_admin") == 0)) {
		*msg = NULL;
		return CBW_OK;
	}
	*msg = "Rôle invalide : choisissez « admin » ou « super_admin ».";
	return CBW_EINVAL;
}

/* Valide page/per_page (propriété 12 : au plus 50 éléments par page). */
enum cbw_err
cbw_valid_page(const char *page, const char *per_page, long long *pg,
    long long *pp, const char **field, const char **msg)
{
	*pg = 1;
	*pp = CBW_PER_PAGE_DEFAULT;
	if (page != NULL && cbw_valid_int64(page, 1, 1000000000LL, pg) != CBW_OK) {
		*field = "page";
		*msg = "Le numéro de page doit être un entier positif.";
		return CBW_EINVAL;
	}
	if (per_page != NULL &&
	    cbw_valid_int64(per_page, 1, CBW_PER_PAGE_MAX, pp) != CBW_OK) {
		*field = "per_page";
		*msg = "per_page doit être un entier entre 1 et 50.";
		return CBW_EINVAL;
	}
	return CBW_OK;
}

/* Valeur d'un chiffre hexadécimal (0 à 15), ou -1 si c n'en est pas un. */
int
cbw_valid_hexdigit(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}
