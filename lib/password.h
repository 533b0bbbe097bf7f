/*
 * Mots de passe : bcrypt ($2b$, coût 12) par libxcrypt, vérification en
 * temps constant. Seuls cbw-auth, cbw-users et l'outil d'administration en
 * ont besoin (et chargent donc libcrypt).
 */
#ifndef CBW_PASSWORD_H
#define CBW_PASSWORD_H

#include <stddef.h>

#include "err.h"

#define CBW_BCRYPT_COST	12
#define CBW_HASH_MAX	128

/* Hache un mot de passe en bcrypt coût 12 ($2b$12$...) dans out. */
enum cbw_err	cbw_password_hash(const char *pw, char *out, size_t outlen);
/* Vérifie un mot de passe contre un hachage bcrypt ; 1 si correct. */
int		cbw_password_verify(const char *pw, const char *hash);

#endif
