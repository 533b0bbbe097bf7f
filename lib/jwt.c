/*
 * JWT HS256 (RFC 7519 / RFC 7515, voir jwt.h) : base64url sans remplissage,
 * JSON par json-c, HMAC-SHA256 de lib/sha256.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "crypto.h"
#include "jwt.h"
#include "valid.h"

#define B64URL \
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

/* En-tête fixe de nos jetons : {"alg":"HS256","typ":"JWT"} en base64url. */
static const char HEADER64[] = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9";

/* Longueur base64url (sans remplissage) de n octets. */
static size_t
b64url_len(size_t n)
{
	return n / 3 * 4 + (n % 3 == 0 ? 0 : n % 3 + 1);
}

/*
 * Écrit les n octets de `in` en base64url sans remplissage dans out (qui
 * doit tenir b64url_len(n) + 1 octets) ; termine par NUL.
 */
static void
b64url_encode(const unsigned char *in, size_t n, char *out)
{
	size_t		 i, o = 0;
	unsigned int	 acc = 0, bits = 0;

	for (i = 0; i < n; i++) {
		acc = (acc << 8) | in[i];
		bits += 8;
		while (bits >= 6) {
			bits -= 6;
			out[o++] = B64URL[(acc >> bits) & 0x3f];
		}
	}
	if (bits > 0)
		out[o++] = B64URL[(acc << (6 - bits)) & 0x3f];
	out[o] = '\0';
}

/*
 * Décode n caractères base64url (sans remplissage). Rend une chaîne
 * allouée terminée par NUL, ou NULL si un caractère est hors alphabet, si
 * la longueur est impossible ou si les bits de fin ne sont pas nuls
 * (encodage non canonique).
 */
static char *
b64url_decode(const char *s, size_t n)
{
	const char	*p;
	char		*out;
	size_t		 i, o = 0;
	unsigned int	 acc = 0, bits = 0;

	if (n % 4 == 1 || (out = malloc(n * 3 / 4 + 2)) == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		if (s[i] == '\0' || (p = strchr(B64URL, s[i])) == NULL)
			goto bad;
		acc = (acc << 6) | (unsigned int)(p - B64URL);
		if ((bits += 6) >= 8) {
			bits -= 8;
			out[o++] = (char)((acc >> bits) & 0xff);
		}
	}
	if ((acc & ((1u << bits) - 1)) != 0)
		goto bad;
	out[o] = '\0';
	return out;
bad:
	free(out);
	return NULL;
}

/*
 * Signature base64url (43 caractères + NUL) de `signing` (en-tête.charge)
 * avec la clé `secret`.
 */
static void
signature(const char *secret, const char *signing, size_t n, char out[44])
{
	unsigned char	 mac[32];

	cbw_crypto_hmac(secret, strlen(secret), signing, n, mac);
	b64url_encode(mac, sizeof(mac), out);
	explicit_bzero(mac, sizeof(mac));
}

/*
 * Signe les revendications avec HS256. Rend CBW_OK et le jeton alloué dans
 * *out ; CBW_ENOMEM si une allocation échoue.
 */
enum cbw_err
cbw_jwt_sign(const char *secret, const struct cbw_jwt_claims *c, char **out)
{
	struct json_object	*o;
	const char		*js;
	char			 sub[32], sig[44], *tok = NULL;
	size_t			 jn, hn = sizeof(HEADER64) - 1, pn;
	enum cbw_err		 er = CBW_ENOMEM;

	*out = NULL;
	if ((o = json_object_new_object()) == NULL)
		return CBW_ENOMEM;
	snprintf(sub, sizeof(sub), "%lld", c->sub);
	if (json_object_object_add(o, "sub", json_object_new_string(sub)) ||
	    json_object_object_add(o, "role", json_object_new_string(c->role)) ||
	    json_object_object_add(o, "sid", json_object_new_string(c->sid)) ||
	    json_object_object_add(o, "iat", json_object_new_int64(c->iat)) ||
	    json_object_object_add(o, "exp", json_object_new_int64(c->exp)) ||
	    (js = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN)) ==
	    NULL)
		goto out;
	jn = strlen(js);
	pn = b64url_len(jn);
	if ((tok = malloc(hn + 1 + pn + 1 + 43 + 1)) == NULL)
		goto out;
	memcpy(tok, HEADER64, hn);
	tok[hn] = '.';
	b64url_encode((const unsigned char *)js, jn, tok + hn + 1);
	signature(secret, tok, hn + 1 + pn, sig);
	tok[hn + 1 + pn] = '.';
	memcpy(tok + hn + 1 + pn + 1, sig, sizeof(sig));
	*out = tok;
	er = CBW_OK;
out:
	json_object_put(o);
	return er;
}

/*
 * Décode le segment base64url [s, s+n) et l'analyse comme un objet JSON.
 * Rend l'objet (à libérer par json_object_put) ou NULL.
 */
static struct json_object *
segment_object(const char *s, size_t n)
{
	struct json_object	*o;
	char			*raw;

	if ((raw = b64url_decode(s, n)) == NULL)
		return NULL;
	o = json_tokener_parse(raw);
	free(raw);
	if (o != NULL && !json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		o = NULL;
	}
	return o;
}

/*
 * Vérifie l'en-tête : « alg » vaut exactement « HS256 » et « typ », s'il
 * est là, vaut « JWT ». Rend 1 si oui.
 */
static int
header_ok(struct json_object *h)
{
	struct json_object	*v;

	if (!json_object_object_get_ex(h, "alg", &v) ||
	    !json_object_is_type(v, json_type_string) ||
	    strcmp(json_object_get_string(v), "HS256") != 0)
		return 0;
	if (json_object_object_get_ex(h, "typ", &v) &&
	    (!json_object_is_type(v, json_type_string) ||
	    strcmp(json_object_get_string(v), "JWT") != 0))
		return 0;
	return 1;
}

/* Copie la revendication texte `name` dans out ; 0 si absente, vide ou trop longue. */
static int
grant_str(struct json_object *p, const char *name, char *out, size_t len)
{
	struct json_object	*v;
	const char		*s;

	if (!json_object_object_get_ex(p, name, &v) ||
	    !json_object_is_type(v, json_type_string))
		return 0;
	s = json_object_get_string(v);
	if (*s == '\0' || strlen(s) >= len)
		return 0;
	memcpy(out, s, strlen(s) + 1);
	return 1;
}

/* Lit la revendication entière `name` dans *out ; 0 si absente ou pas entière. */
static int
grant_int(struct json_object *p, const char *name, time_t *out)
{
	struct json_object	*v;

	if (!json_object_object_get_ex(p, name, &v) ||
	    !json_object_is_type(v, json_type_int))
		return 0;
	*out = (time_t)json_object_get_int64(v);
	return 1;
}

/*
 * Lit et contrôle les revendications de la charge : iat/exp entiers
 * cohérents avec `now`, sub identifiant valide, role et sid présents.
 * Rend CBW_OK ou CBW_EAUTH.
 */
static enum cbw_err
claims_read(struct json_object *p, time_t now, struct cbw_jwt_claims *out)
{
	char	 sub[32];

	if (!grant_int(p, "exp", &out->exp) || !grant_int(p, "iat", &out->iat))
		return CBW_EAUTH;
	if (out->exp <= now || out->iat <= 0 || out->iat > now + 60 ||
	    out->exp - out->iat > CBW_JWT_TTL + 60)
		return CBW_EAUTH;
	if (!grant_str(p, "sub", sub, sizeof(sub)) ||
	    cbw_valid_id(sub, &out->sub) != CBW_OK ||
	    !grant_str(p, "role", out->role, sizeof(out->role)) ||
	    !grant_str(p, "sid", out->sid, sizeof(out->sid)))
		return CBW_EAUTH;
	return CBW_OK;
}

/*
 * Vérifie complètement un jeton (voir jwt.h) : la signature d'abord (en
 * temps constant, sur le texte signé tel quel), puis l'en-tête et les
 * revendications. Rend CBW_OK et les revendications, sinon CBW_EAUTH.
 */
enum cbw_err
cbw_jwt_verify(const char *secret, const char *token, time_t now,
    struct cbw_jwt_claims *out)
{
	struct json_object	*h = NULL, *p = NULL;
	const char		*d1, *d2;
	char			 want[44];
	enum cbw_err		 er = CBW_EAUTH;

	memset(out, 0, sizeof(*out));
	if (token == NULL || strlen(token) > CBW_JWT_MAX ||
	    (d1 = strchr(token, '.')) == NULL ||
	    (d2 = strchr(d1 + 1, '.')) == NULL || strchr(d2 + 1, '.') != NULL)
		return CBW_EAUTH;
	signature(secret, token, (size_t)(d2 - token), want);
	if (!cbw_crypto_streq(d2 + 1, want))
		return CBW_EAUTH;
	if ((h = segment_object(token, (size_t)(d1 - token))) == NULL ||
	    !header_ok(h) ||
	    (p = segment_object(d1 + 1, (size_t)(d2 - d1 - 1))) == NULL)
		goto out;
	er = claims_read(p, now, out);
out:
	json_object_put(h);
	json_object_put(p);
	if (er != CBW_OK)
		memset(out, 0, sizeof(*out));
	return er;
}
