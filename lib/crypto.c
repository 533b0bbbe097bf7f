/*
 * Primitives cryptographiques (voir crypto.h).
 */
#include <crypt.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "crypto.h"

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
	unsigned char	 md[32];
	unsigned int	 len = 0;

	EVP_Digest(data, n, md, &len, EVP_sha256(), NULL);
	hex(md, 32, out);
}

/* HMAC-SHA256 brut. */
enum cbw_err
cbw_crypto_hmac(const void *key, size_t keylen, const void *data, size_t n,
    unsigned char out[32])
{
	unsigned int	 len = 0;

	if (HMAC(EVP_sha256(), key, (int)keylen, data, n, out, &len) == NULL ||
	    len != 32)
		return CBW_EIO;
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

/*
 * Hache `pw` en bcrypt ($2b$, coût 12) avec un sel aléatoire. Renvoie CBW_OK,
 * CBW_EIO si libxcrypt échoue, CBW_EINVAL si out est trop petit.
 */
enum cbw_err
cbw_password_hash(const char *pw, char *out, size_t outlen)
{
	struct crypt_data	*cd;
	char			*salt, *h;
	enum cbw_err		 er = CBW_EIO;

	if ((cd = calloc(1, sizeof(*cd))) == NULL)
		return CBW_ENOMEM;
	salt = crypt_gensalt_rn("$2b$", CBW_BCRYPT_COST, NULL, 0,
	    cd->setting, sizeof(cd->setting));
	if (salt == NULL)
		goto out;
	h = crypt_r(pw, salt, cd);
	if (h == NULL || h[0] == '*')
		goto out;
	if (strlen(h) + 1 > outlen) {
		er = CBW_EINVAL;
		goto out;
	}
	memcpy(out, h, strlen(h) + 1);
	er = CBW_OK;
out:
	explicit_bzero(cd, sizeof(*cd));
	free(cd);
	return er;
}

/* Vérifie `pw` contre `hash` (comparaison en temps constant). */
int
cbw_password_verify(const char *pw, const char *hash)
{
	struct crypt_data	*cd;
	const char		*h;
	int			 ok = 0;

	if (hash == NULL || strncmp(hash, "$2b$", 4) != 0)
		return 0;
	if ((cd = calloc(1, sizeof(*cd))) == NULL)
		return 0;
	h = crypt_r(pw, hash, cd);
	if (h != NULL && h[0] != '*' && strlen(h) == strlen(hash))
		ok = CRYPTO_memcmp(h, hash, strlen(hash)) == 0;
	explicit_bzero(cd, sizeof(*cd));
	free(cd);
	return ok;
}
