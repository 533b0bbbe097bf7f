/*
 * Cible libFuzzer : vérification des jetons JWT (lib/jwt.c). Premier octet
 * pair : le reste est le jeton tel quel (forme, signature). Impair : le
 * reste est le texte signé « en-tête.charge », que la cible signe avec la
 * bonne clé avant de vérifier, pour atteindre le décodage base64url, le
 * JSON et les revendications. Un jeton accepté doit porter des
 * revendications cohérentes, et les signer de nouveau doit redonner
 * exactement les mêmes ; abort() sinon.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "jwt.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define SECRET	"fuzz-secret-fuzz-secret-fuzz-secret!"
#define NOW	((time_t)1800000000)

/* Écrit la signature base64url de s (n octets) après s + '.'. */
static char *
signed_token(const char *s, size_t n)
{
	static const char	 a[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	unsigned char		 mac[32];
	char			*t;
	size_t			 i, o;
	unsigned int		 acc = 0, bits = 0;

	if ((t = malloc(n + 1 + 44)) == NULL)
		return NULL;
	memcpy(t, s, n);
	t[n] = '.';
	o = n + 1;
	cbw_crypto_hmac(SECRET, strlen(SECRET), s, n, mac);
	for (i = 0; i < 32; i++) {
		acc = (acc << 8) | mac[i];
		for (bits += 8; bits >= 6; bits -= 6)
			t[o++] = a[(acc >> (bits - 6)) & 0x3f];
	}
	t[o++] = a[(acc << (6 - bits)) & 0x3f];
	t[o] = '\0';
	return t;
}

/* Invariants d'un jeton accepté. */
static void
check(const struct cbw_jwt_claims *c)
{
	struct cbw_jwt_claims	 again;
	char			*tok;

	if (c->sub <= 0 || c->role[0] == '\0' || c->sid[0] == '\0' ||
	    c->exp <= NOW || c->iat <= 0 || c->iat > NOW + 60 ||
	    c->exp - c->iat > CBW_JWT_TTL + 60)
		abort();
	if (cbw_jwt_sign(SECRET, c, &tok) != CBW_OK)
		abort();
	if (cbw_jwt_verify(SECRET, tok, NOW, &again) != CBW_OK ||
	    memcmp(c, &again, sizeof(again)) != 0)
		abort();
	free(tok);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cbw_jwt_claims	 c;
	char			*s, *tok;

	if (size < 1 || size > 8192)
		return 0;
	if ((s = malloc(size)) == NULL)
		return 0;
	memcpy(s, data + 1, size - 1);
	s[size - 1] = '\0';
	tok = (data[0] & 1) ? signed_token(s, strlen(s)) : strdup(s);
	if (tok != NULL && cbw_jwt_verify(SECRET, tok, NOW, &c) == CBW_OK)
		check(&c);
	else if (tok != NULL && (c.sub != 0 || c.role[0] != '\0'))
		abort();	/* un refus ne laisse rien */
	free(tok);
	free(s);
	return 0;
}
