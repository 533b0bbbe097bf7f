/*
 * Primitives cryptographiques (OpenSSL libcrypto, getrandom) : aléa,
 * SHA-256, HMAC-SHA256, comparaisons en temps constant, bcrypt (libxcrypt).
 */
#ifndef CBW_CRYPTO_H
#define CBW_CRYPTO_H

#include <stddef.h>

#include "err.h"

#define CBW_SHA256_HEX	65	/* 64 chiffres hexadécimaux + NUL */
#define CBW_BCRYPT_COST	12
#define CBW_HASH_MAX	128

/* Remplit buf d'octets aléatoires (getrandom) ; CBW_EIO si impossible. */
enum cbw_err	cbw_crypto_random(void *buf, size_t n);
/* Jeton aléatoire de nbytes octets écrit en hexadécimal dans out (2n+1). */
enum cbw_err	cbw_crypto_token_hex(char *out, size_t nbytes);
/* SHA-256 de data en hexadécimal minuscule. */
void		cbw_crypto_sha256_hex(const void *data, size_t n,
		    char out[CBW_SHA256_HEX]);
/* HMAC-SHA256 brut (32 octets) ; CBW_EIO si OpenSSL échoue. */
enum cbw_err	cbw_crypto_hmac(const void *key, size_t keylen, const void *data,
		    size_t n, unsigned char out[32]);
/* HMAC-SHA256 en hexadécimal minuscule. */
enum cbw_err	cbw_crypto_hmac_hex(const void *key, size_t keylen,
		    const void *data, size_t n, char out[CBW_SHA256_HEX]);
/* Égalité de deux chaînes en temps constant (longueurs comprises). */
int		cbw_crypto_streq(const char *a, const char *b);
/* Hache un mot de passe en bcrypt coût 12 ($2b$12$...) dans out. */
enum cbw_err	cbw_password_hash(const char *pw, char *out, size_t outlen);
/* Vérifie un mot de passe contre un hachage bcrypt ; 1 si correct. */
int		cbw_password_verify(const char *pw, const char *hash);

#endif
