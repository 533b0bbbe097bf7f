/*
 * JWT HS256 (voir jwt.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <jwt.h>

#include "jwt.h"
#include "valid.h"

/* Signe les revendications avec HS256. */
enum cbw_err
cbw_jwt_sign(const char *secret, const struct cbw_jwt_claims *c, char **out)
{
	jwt_t		*j = NULL;
	char		 sub[32];
	enum cbw_err	 er = CBW_EIO;

	*out = NULL;
	if (jwt_new(&j) != 0)
		return CBW_ENOMEM;
	snprintf(sub, sizeof(sub), "%lld", c->sub);
	if (jwt_add_grant(j, "sub", sub) != 0 ||
	    jwt_add_grant(j, "role", c->role) != 0 ||
	    jwt_add_grant(j, "sid", c->sid) != 0 ||
	    jwt_add_grant_int(j, "iat", (long)c->iat) != 0 ||
	    jwt_add_grant_int(j, "exp", (long)c->exp) != 0 ||
	    jwt_set_alg(j, JWT_ALG_HS256, (const unsigned char *)secret,
	    (int)strlen(secret)) != 0)
		goto out;
	if ((*out = jwt_encode_str(j)) != NULL)
		er = CBW_OK;
out:
	jwt_free(j);
	return er;
}

/* Décode une chaîne base64url (sans remplissage) ; NULL si invalide. */
static char *
b64url_decode(const char *s, size_t n)
{
	static const char	 a[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	const char		*p;
	char			*out;
	size_t			 i, o = 0;
	unsigned int		 acc = 0, bits = 0;

	if (n % 4 == 1 || (out = malloc(n * 3 / 4 + 2)) == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		if (s[i] == '\0' || (p = strchr(a, s[i])) == NULL) {
			free(out);
			return NULL;
		}
		acc = (acc << 6) | (unsigned int)(p - a);
		if ((bits += 6) >= 8) {
			bits -= 8;
			out[o++] = (char)((acc >> bits) & 0xff);
		}
	}
	out[o] = '\0';
	return out;
}

/*
 * Vérifie que l'en-tête (premier segment) est un objet JSON dont « alg »
 * vaut exactement « HS256 ». Rend 1 si oui.
 */
static int
header_ok(const char *token)
{
	const char		*dot = strchr(token, '.');
	struct json_object	*h, *alg;
	char			*raw;
	int			 ok = 0;

	if (dot == NULL || (raw = b64url_decode(token, (size_t)(dot - token))) == NULL)
		return 0;
	if ((h = json_tokener_parse(raw)) != NULL &&
	    json_object_is_type(h, json_type_object) &&
	    json_object_object_get_ex(h, "alg", &alg) &&
	    json_object_is_type(alg, json_type_string) &&
	    strcmp(json_object_get_string(alg), "HS256") == 0)
		ok = 1;
	json_object_put(h);
	free(raw);
	return ok;
}

/* Copie la revendication texte `name` dans out ; 0 si absente ou trop longue. */
static int
grant_str(jwt_t *j, const char *name, char *out, size_t len)
{
	const char	*v = jwt_get_grant(j, name);

	if (v == NULL || *v == '\0' || strlen(v) >= len)
		return 0;
	memcpy(out, v, strlen(v) + 1);
	return 1;
}

/* Vérifie complètement un jeton (voir jwt.h). */
enum cbw_err
cbw_jwt_verify(const char *secret, const char *token, time_t now,
    struct cbw_jwt_claims *out)
{
	jwt_t		*j = NULL;
	char		 sub[32];
	enum cbw_err	 er = CBW_EAUTH;

	memset(out, 0, sizeof(*out));
	if (token == NULL || strlen(token) > CBW_JWT_MAX || !header_ok(token))
		return CBW_EAUTH;
	if (jwt_decode(&j, token, (const unsigned char *)secret,
	    (int)strlen(secret)) != 0 || j == NULL)
		return CBW_EAUTH;
	if (jwt_get_alg(j) != JWT_ALG_HS256)
		goto out;
	out->exp = (time_t)jwt_get_grant_int(j, "exp");
	out->iat = (time_t)jwt_get_grant_int(j, "iat");
	if (out->exp <= now || out->iat <= 0 || out->iat > now + 60 ||
	    out->exp - out->iat > CBW_JWT_TTL + 60)
		goto out;
	if (!grant_str(j, "sub", sub, sizeof(sub)) ||
	    cbw_valid_id(sub, &out->sub) != CBW_OK ||
	    !grant_str(j, "role", out->role, sizeof(out->role)) ||
	    !grant_str(j, "sid", out->sid, sizeof(out->sid)))
		goto out;
	er = CBW_OK;
out:
	jwt_free(j);
	if (er != CBW_OK)
		memset(out, 0, sizeof(*out));
	return er;
}
