/*
 * Primitives cryptographiques (lib/sha256.c, getrandom) : aléa,
 * SHA-256, HMAC-SHA256, comparaison en temps constant. Les mots de passe
 * (bcrypt) sont dans password.h.
 */
#ifndef CBW_CRYPTO_H
#define CBW_CRYPTO_H

#include <stddef.h>

#include "err.h"

#define CBW_SHA256_HEX	65	/* 64 chiffres hexadécimaux + NUL */

/* Remplit buf d'octets aléatoires (getrandom) ; CBW_EIO si impossible. */
enum cbw_err	cbw_crypto_random(void *buf, size_t n);
/* Jeton aléatoire de nbytes octets écrit en hexadécimal dans out (2n+1). */
enum cbw_err	cbw_crypto_token_hex(char *out, size_t nbytes);
/* SHA-256 de data en hexadécimal minuscule. */
void		cbw_crypto_sha256_hex(const void *data, size_t n,
		    char out[CBW_SHA256_HEX]);
/* HMAC-SHA256 brut (32 octets) ; toujours CBW_OK. */
enum cbw_err	cbw_crypto_hmac(const void *key, size_t keylen, const void *data,
		    size_t n, unsigned char out[32]);
/* HMAC-SHA256 en hexadécimal minuscule. */
enum cbw_err	cbw_crypto_hmac_hex(const void *key, size_t keylen,
		    const void *data, size_t n, char out[CBW_SHA256_HEX]);
/* Égalité de deux chaînes en temps constant (longueurs comprises). */
int		cbw_crypto_streq(const char *a, const char *b);

#endif
