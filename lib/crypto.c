/*
 * Primitives cryptographiques (voir crypto.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "crypto.h"
#include "sha256.h"

/* Remplit buf d'aléa du noyau ; CBW_OK ou CBW_EIO. */
enum cbw_err
cbw_crypto_random(void *buf, size_t n)
{
	unsigned char	*p = buf;
	ssize_t		 r;

	while (n > 0) {
		r = getrandom(p, n, 0);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return CBW_EIO;
		}
		p += r;
		n -= (size_t)r;
	}
	return CBW_OK;
}

/* Écrit les n octets de `in` en hexadécimal minuscule (out : 2n+1). */
static void
hex(const unsigned char *in, size_t n, char *out)
{
	static const char	 digits[] = "0123456789abcdef";
	size_t			 i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 0xf];
	}
	out[2 * n] = '\0';
}

/* Jeton aléatoire hexadécimal ; nbytes ≤ 64. */
enum cbw_err
cbw_crypto_token_hex(char *out, size_t nbytes)
{
	unsigned char	 b[64];

	if (nbytes > sizeof(b) || cbw_crypto_random(b, nbytes) != CBW_OK)
		return CBW_EIO;
	hex(b, nbytes, out);
	return CBW_OK;
}

/* Empreinte SHA-256 en hexadécimal. */
void
cbw_crypto_sha256_hex(const void *data, size_t n, char out[CBW_SHA256_HEX])
{
	struct cbw_sha256	 ctx;
	unsigned char		 md[CBW_SHA256_LEN];

	cbw_sha256_init(&ctx);
	cbw_sha256_update(&ctx, data, n);
	cbw_sha256_final(&ctx, md);
	hex(md, sizeof(md), out);
}

/*
 * HMAC-SHA256 brut (RFC 2104, lib/sha256.c) : écrit 32 octets dans out.
 * Rend toujours CBW_OK (le type est gardé pour les appelants).
 */
enum cbw_err
cbw_crypto_hmac(const void *key, size_t keylen, const void *data, size_t n,
    unsigned char out[32])
{
	cbw_hmac_sha256(key, keylen, data, n, out);
	return CBW_OK;
}

/* HMAC-SHA256 en hexadécimal. */
enum cbw_err
cbw_crypto_hmac_hex(const void *key, size_t keylen, const void *data,
    size_t n, char out[CBW_SHA256_HEX])
{
	unsigned char	 md[32];

	if (cbw_crypto_hmac(key, keylen, data, n, md) != CBW_OK)
		return CBW_EIO;
	hex(md, 32, out);
	return CBW_OK;
}

/*
 * Compare deux chaînes sans fuite de temps sur le contenu : le temps ne
 * dépend que de la longueur de `b`. Rend 1 si égales.
 */
int
cbw_crypto_streq(const char *a, const char *b)
{
	size_t		 la = strlen(a), lb = strlen(b), i;
	unsigned char	 d = la != lb;

	for (i = 0; i < lb; i++)
		d |= (unsigned char)(a[i < la ? i : 0] ^ b[i]) | (i >= la);
	return d == 0;
}
