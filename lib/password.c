/*
 * Mots de passe : bcrypt $2b$ coût 12 par libxcrypt (voir password.h).
 */
#include <crypt.h>
#include <stdlib.h>
#include <string.h>

#include "password.h"

/*
 * Compare n octets sans fuite de temps sur le contenu. Rend 1 si égaux.
 */
static int
memeq(const void *a, const void *b, size_t n)
{
	const volatile unsigned char	*x = a, *y = b;
	unsigned char			 d = 0;
	size_t				 i;

	for (i = 0; i < n; i++)
		d |= x[i] ^ y[i];
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
		ok = memeq(h, hash, strlen(hash));
	explicit_bzero(cd, sizeof(*cd));
	free(cd);
	return ok;
}
