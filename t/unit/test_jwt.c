/*
 * Tests unitaires des jetons d'accès JWT HS256 (lib/jwt.c).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jwt.h>

#include "jwt.h"

#define SECRET	"0123456789abcdef0123456789abcdef-secret"
#define NOW	((time_t)1800000000)
#define SID	"0123456789abcdef0123456789abcdef"

/* Encode en base64url sans remplissage (résultat alloué). */
static char *
b64url(const char *in, size_t n)
{
	static const char	 a[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	char			*out = malloc(n * 4 / 3 + 4), *o = out;
	const unsigned char	*s = (const unsigned char *)in;
	size_t			 i;

	assert_non_null(out);
	for (i = 0; i + 2 < n; i += 3) {
		*o++ = a[s[i] >> 2];
		*o++ = a[((s[i] & 3) << 4) | (s[i + 1] >> 4)];
		*o++ = a[((s[i + 1] & 15) << 2) | (s[i + 2] >> 6)];
		*o++ = a[s[i + 2] & 63];
	}
	if (n - i == 1) {
		*o++ = a[s[i] >> 2];
		*o++ = a[(s[i] & 3) << 4];
	} else if (n - i == 2) {
		*o++ = a[s[i] >> 2];
		*o++ = a[((s[i] & 3) << 4) | (s[i + 1] >> 4)];
		*o++ = a[(s[i + 1] & 15) << 2];
	}
	*o = '\0';
	return out;
}

static void
claims(struct cbw_jwt_claims *c, long long sub, const char *role, time_t iat,
    time_t exp)
{
	memset(c, 0, sizeof(*c));
	c->sub = sub;
	snprintf(c->role, sizeof(c->role), "%s", role);
	snprintf(c->sid, sizeof(c->sid), "%s", SID);
	c->iat = iat;
	c->exp = exp;
}

/* Jeton signé par cbw_jwt_sign (alloué). */
static char *
sign(const char *secret, long long sub, const char *role, time_t iat, time_t exp)
{
	struct cbw_jwt_claims	 c;
	char			*tok = NULL;

	claims(&c, sub, role, iat, exp);
	assert_int_equal(cbw_jwt_sign(secret, &c, &tok), CBW_OK);
	assert_non_null(tok);
	return tok;
}

/* Jeton construit directement avec libjwt : algorithme et revendications libres. */
static char *
raw(jwt_alg_t alg, const char *secret, const char *grants)
{
	jwt_t	*j = NULL;
	char	*tok;

	assert_int_equal(jwt_new(&j), 0);
	assert_int_equal(jwt_add_grants_json(j, grants), 0);
	assert_int_equal(jwt_set_alg(j, alg, (const unsigned char *)secret,
	    (int)strlen(secret)), 0);
	tok = jwt_encode_str(j);
	assert_non_null(tok);
	jwt_free(j);
	return tok;
}

/* Vérifie un refus : CBW_EAUTH et revendications remises à zéro. */
static void
refused(const char *secret, const char *tok, time_t now)
{
	struct cbw_jwt_claims	 out;

	memset(&out, 0x5a, sizeof(out));
	if (cbw_jwt_verify(secret, tok, now, &out) != CBW_EAUTH)
		fail_msg("jeton accepté à tort : %s", tok ? tok : "(null)");
	assert_true(out.sub == 0);
	assert_string_equal(out.role, "");
	assert_string_equal(out.sid, "");
	assert_true(out.exp == 0);
}

static void
accepted(const char *secret, const char *tok, time_t now)
{
	struct cbw_jwt_claims	 out;

	if (cbw_jwt_verify(secret, tok, now, &out) != CBW_OK)
		fail_msg("jeton refusé à tort : %s", tok);
}

static void
test_roundtrip(void **state)
{
	struct cbw_jwt_claims	 c, out;
	char			*tok = NULL;

	(void)state;
	claims(&c, 42, "super_admin", NOW, NOW + CBW_JWT_TTL);
	assert_int_equal(cbw_jwt_sign(SECRET, &c, &tok), CBW_OK);
	assert_non_null(tok);
	assert_int_equal(strncmp(tok, "eyJ", 3), 0);
	memset(&out, 0, sizeof(out));
	assert_int_equal(cbw_jwt_verify(SECRET, tok, NOW, &out), CBW_OK);
	assert_true(out.sub == 42);
	assert_string_equal(out.role, "super_admin");
	assert_string_equal(out.sid, SID);
	assert_true(out.iat == NOW);
	assert_true(out.exp == NOW + CBW_JWT_TTL);
	/* Toujours valable juste avant exp. */
	assert_int_equal(cbw_jwt_verify(SECRET, tok, NOW + CBW_JWT_TTL - 1, &out),
	    CBW_OK);
	free(tok);

	/* Grand identifiant (2^53). */
	tok = sign(SECRET, 9007199254740992LL, "admin", NOW, NOW + 60);
	assert_int_equal(cbw_jwt_verify(SECRET, tok, NOW, &out), CBW_OK);
	assert_true(out.sub == 9007199254740992LL);
	assert_string_equal(out.role, "admin");
	free(tok);
}

static void
test_expired(void **state)
{
	char	*tok;

	(void)state;
	tok = sign(SECRET, 1, "admin", NOW, NOW + CBW_JWT_TTL);
	refused(SECRET, tok, NOW + CBW_JWT_TTL);		/* exp == now */
	refused(SECRET, tok, NOW + CBW_JWT_TTL + 1);
	refused(SECRET, tok, NOW + 86400);
	free(tok);
	/* exp déjà passé à la signature. */
	tok = sign(SECRET, 1, "admin", NOW - 3600, NOW - 1);
	refused(SECRET, tok, NOW);
	free(tok);
}

static void
test_iat(void **state)
{
	char	*tok;

	(void)state;
	/* iat dans le futur (au-delà de la tolérance de 60 s). */
	tok = sign(SECRET, 1, "admin", NOW + 3600, NOW + 3600 + CBW_JWT_TTL);
	refused(SECRET, tok, NOW);
	free(tok);
	tok = sign(SECRET, 1, "admin", NOW + 61, NOW + 61 + CBW_JWT_TTL);
	refused(SECRET, tok, NOW);
	free(tok);
	/* Tolérance d'horloge : 60 s. */
	tok = sign(SECRET, 1, "admin", NOW + 60, NOW + 60 + CBW_JWT_TTL);
	accepted(SECRET, tok, NOW);
	free(tok);
	/* iat nul ou négatif. */
	tok = sign(SECRET, 1, "admin", 0, NOW + 60);
	refused(SECRET, tok, NOW);
	free(tok);
	/* Durée de vie trop longue (exp - iat > TTL + 60). */
	tok = sign(SECRET, 1, "admin", NOW, NOW + CBW_JWT_TTL + 61);
	refused(SECRET, tok, NOW);
	free(tok);
	tok = sign(SECRET, 1, "admin", NOW, NOW + CBW_JWT_TTL + 60);
	accepted(SECRET, tok, NOW);
	free(tok);
}

static void
test_wrong_secret(void **state)
{
	char	*tok;

	(void)state;
	tok = sign(SECRET, 1, "admin", NOW, NOW + 60);
	refused("another-secret-another-secret-xx", tok, NOW);
	refused(SECRET "x", tok, NOW);
	refused("0123456789abcdef0123456789abcdef-secreT", tok, NOW);
	accepted(SECRET, tok, NOW);
	free(tok);
}

static void
test_tampered(void **state)
{
	char	*tok, *d1, *d2, *p64, *forged;
	size_t	 i;

	(void)state;
	tok = sign(SECRET, 7, "admin", NOW, NOW + 60);
	d1 = strchr(tok, '.');
	d2 = strchr(d1 + 1, '.');
	assert_non_null(d2);

	/* Charge utile remplacée (sub 1, super_admin), signature d'origine. */
	p64 = b64url("{\"sub\":\"1\",\"role\":\"super_admin\",\"sid\":\"" SID
	    "\",\"iat\":1800000000,\"exp\":1800000060}", strlen("{\"sub\":\"1\","
	    "\"role\":\"super_admin\",\"sid\":\"" SID "\",\"iat\":1800000000,"
	    "\"exp\":1800000060}"));
	assert_true(asprintf(&forged, "%.*s.%s%s", (int)(d1 - tok), tok, p64,
	    d2) > 0);
	refused(SECRET, forged, NOW);
	free(forged);
	free(p64);

	/* Chaque caractère de la charge utile et de la signature modifié. */
	for (i = (size_t)(d1 - tok) + 1; tok[i] != '\0'; i++) {
		if (tok[i] == '.')
			continue;
		forged = strdup(tok);
		forged[i] = forged[i] == 'A' ? 'B' : 'A';
		refused(SECRET, forged, NOW);
		free(forged);
	}
	/* Signature retirée, tronquée, allongée. */
	forged = strndup(tok, (size_t)(d2 - tok) + 1);
	refused(SECRET, forged, NOW);
	free(forged);
	forged = strndup(tok, strlen(tok) - 1);
	refused(SECRET, forged, NOW);
	free(forged);
	assert_true(asprintf(&forged, "%sA", tok) > 0);
	refused(SECRET, forged, NOW);
	free(forged);
	assert_true(asprintf(&forged, "%s.", tok) > 0);
	refused(SECRET, forged, NOW);
	free(forged);
	accepted(SECRET, tok, NOW);
	free(tok);
}

/* En-tête alg « none » fabriqué à la main. */
static void
test_alg_none(void **state)
{
	static const char *const heads[] = {
		"{\"alg\":\"none\",\"typ\":\"JWT\"}",
		"{\"alg\":\"None\",\"typ\":\"JWT\"}",
		"{\"alg\":\"NONE\"}",
		"{\"typ\":\"JWT\"}",
		"{\"alg\":null}",
		"{\"alg\":\"HS256 \"}",
		"{\"alg\":\"hs256\"}",
		"{\"alg\":[\"HS256\"]}",
		"[\"HS256\"]",
		"\"HS256\"",
	};
	const char	*pl = "{\"sub\":\"1\",\"role\":\"super_admin\",\"sid\":\""
	    SID "\",\"iat\":1800000000,\"exp\":1800000060}";
	char		*h64, *p64, *tok, *good, *sig;
	size_t		 i;

	(void)state;
	good = sign(SECRET, 1, "super_admin", NOW, NOW + 60);
	sig = strrchr(good, '.');
	p64 = b64url(pl, strlen(pl));
	for (i = 0; i < sizeof(heads) / sizeof(heads[0]); i++) {
		h64 = b64url(heads[i], strlen(heads[i]));
		/* Sans signature. */
		assert_true(asprintf(&tok, "%s.%s.", h64, p64) > 0);
		refused(SECRET, tok, NOW);
		free(tok);
		/* Avec la signature d'un vrai jeton. */
		assert_true(asprintf(&tok, "%s.%s%s", h64, p64, sig) > 0);
		refused(SECRET, tok, NOW);
		free(tok);
		free(h64);
	}
	free(p64);
	free(good);
}

/* Autres algorithmes HMAC avec le bon secret : refusés. */
static void
test_other_algs(void **state)
{
	const char	*grants = "{\"sub\":\"1\",\"role\":\"admin\",\"sid\":\""
	    SID "\",\"iat\":1800000000,\"exp\":1800000060}";
	char		*tok;

	(void)state;
	tok = raw(JWT_ALG_HS512, SECRET, grants);
	refused(SECRET, tok, NOW);
	free(tok);
	tok = raw(JWT_ALG_HS384, SECRET, grants);
	refused(SECRET, tok, NOW);
	free(tok);
	/* Le même jeton en HS256 est accepté : le refus vient bien de l'alg. */
	tok = raw(JWT_ALG_HS256, SECRET, grants);
	accepted(SECRET, tok, NOW);
	free(tok);
}

static void
test_missing_claims(void **state)
{
	static const char *const bad[] = {
		/* sub absent, vide, nul, non numérique, entier JSON, trop grand. */
		"{\"role\":\"admin\",\"sid\":\"" SID "\"",
		"{\"sub\":\"\",\"role\":\"admin\",\"sid\":\"" SID "\"",
		"{\"sub\":\"0\",\"role\":\"admin\",\"sid\":\"" SID "\"",
		"{\"sub\":\"-3\",\"role\":\"admin\",\"sid\":\"" SID "\"",
		"{\"sub\":\"abc\",\"role\":\"admin\",\"sid\":\"" SID "\"",
		"{\"sub\":\"1x\",\"role\":\"admin\",\"sid\":\"" SID "\"",
		"{\"sub\":1,\"role\":\"admin\",\"sid\":\"" SID "\"",
		"{\"sub\":\"9007199254740993\",\"role\":\"admin\",\"sid\":\"" SID "\"",
		/* role absent, vide, trop long (≥ 16). */
		"{\"sub\":\"1\",\"sid\":\"" SID "\"",
		"{\"sub\":\"1\",\"role\":\"\",\"sid\":\"" SID "\"",
		"{\"sub\":\"1\",\"role\":\"super_admin_xxxxx\",\"sid\":\"" SID "\"",
		"{\"sub\":\"1\",\"role\":true,\"sid\":\"" SID "\"",
		/* sid absent, vide, trop long (≥ 33). */
		"{\"sub\":\"1\",\"role\":\"admin\"",
		"{\"sub\":\"1\",\"role\":\"admin\",\"sid\":\"\"",
		"{\"sub\":\"1\",\"role\":\"admin\",\"sid\":\"" SID "0\"",
		"{\"sub\":\"1\",\"role\":\"admin\",\"sid\":7",
	};
	char	 grants[512], *tok;
	size_t	 i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(grants, sizeof(grants), "%s,\"iat\":1800000000,"
		    "\"exp\":1800000060}", bad[i]);
		tok = raw(JWT_ALG_HS256, SECRET, grants);
		refused(SECRET, tok, NOW);
		free(tok);
	}
	/* exp ou iat absents, ou de mauvais type. */
	tok = raw(JWT_ALG_HS256, SECRET, "{\"sub\":\"1\",\"role\":\"admin\","
	    "\"sid\":\"" SID "\",\"iat\":1800000000}");
	refused(SECRET, tok, NOW);
	free(tok);
	tok = raw(JWT_ALG_HS256, SECRET, "{\"sub\":\"1\",\"role\":\"admin\","
	    "\"sid\":\"" SID "\",\"exp\":1800000060}");
	refused(SECRET, tok, NOW);
	free(tok);
	tok = raw(JWT_ALG_HS256, SECRET, "{\"sub\":\"1\",\"role\":\"admin\","
	    "\"sid\":\"" SID "\",\"iat\":1800000000,\"exp\":\"1800000060\"}");
	refused(SECRET, tok, NOW);
	free(tok);
	/* Témoin : la forme complète est acceptée. */
	tok = raw(JWT_ALG_HS256, SECRET, "{\"sub\":\"1\",\"role\":\"admin\","
	    "\"sid\":\"" SID "\",\"iat\":1800000000,\"exp\":1800000060}");
	accepted(SECRET, tok, NOW);
	free(tok);
}

/* Jeton signé dont la longueur totale vaut exactement `len`. */
static char *
padded(size_t len)
{
	char	 grants[8400], pad[8192], *tok;
	size_t	 base, n;

	tok = raw(JWT_ALG_HS256, SECRET, "{\"sub\":\"1\",\"role\":\"admin\","
	    "\"sid\":\"" SID "\",\"iat\":1800000000,\"exp\":1800000060,"
	    "\"pad\":\"\"}");
	base = strlen(tok);
	free(tok);
	/* 3 octets de JSON = 4 caractères base64url : on ajuste par pas de 3. */
	for (n = 0; n < sizeof(pad) - 1; n++) {
		memset(pad, 'p', n);
		pad[n] = '\0';
		snprintf(grants, sizeof(grants), "{\"sub\":\"1\",\"role\":\"admin\","
		    "\"sid\":\"" SID "\",\"iat\":1800000000,\"exp\":1800000060,"
		    "\"pad\":\"%s\"}", pad);
		if (base + n * 4 / 3 + 8 < len)
			continue;
		tok = raw(JWT_ALG_HS256, SECRET, grants);
		if (strlen(tok) == len)
			return tok;
		if (strlen(tok) > len + 8) {
			free(tok);
			break;
		}
		free(tok);
	}
	fail_msg("impossible de fabriquer un jeton de %zu octets", len);
	return NULL;
}

static void
test_too_long(void **state)
{
	char	*tok;

	(void)state;
	tok = padded(CBW_JWT_MAX);
	accepted(SECRET, tok, NOW);
	free(tok);
	tok = padded(CBW_JWT_MAX + 1);
	refused(SECRET, tok, NOW);
	free(tok);
	tok = padded(CBW_JWT_MAX * 2);
	refused(SECRET, tok, NOW);
	free(tok);
}

static void
test_garbage(void **state)
{
	static const char *const bad[] = {
		"", ".", "..", "...", "a", "a.b", "a.b.c", "a.b.c.d",
		"Bearer abc", "eyJ", "eyJhbGciOiJIUzI1NiJ9",
		"eyJhbGciOiJIUzI1NiJ9.", "eyJhbGciOiJIUzI1NiJ9..",
		"eyJhbGciOiJIUzI1NiJ9.e30.", "eyJhbGciOiJIUzI1NiJ9.e30.AAAA",
		"eyJhbGciOiJIUzI1NiJ9.!!!!.AAAA", "\xff\xfe.\x80.\x01",
		"e.e.e", "=.=.=", "////.////.////",
	};
	char	 rnd[200];
	size_t	 i, j;
	unsigned int	 x = 12345;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		refused(SECRET, bad[i], NOW);
	refused(SECRET, NULL, NOW);
	/* Octets pseudo-aléatoires (graine fixe). */
	for (i = 0; i < 200; i++) {
		for (j = 0; j < sizeof(rnd) - 1; j++) {
			x = x * 1103515245u + 12345u;
			rnd[j] = (char)(1 + (x >> 16) % 255);
		}
		rnd[(x >> 8) % (sizeof(rnd) - 1)] = '\0';
		refused(SECRET, rnd, NOW);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_expired),
		cmocka_unit_test(test_iat),
		cmocka_unit_test(test_wrong_secret),
		cmocka_unit_test(test_tampered),
		cmocka_unit_test(test_alg_none),
		cmocka_unit_test(test_other_algs),
		cmocka_unit_test(test_missing_claims),
		cmocka_unit_test(test_too_long),
		cmocka_unit_test(test_garbage),
	};

	return cmocka_run_group_tests_name("jwt", tests, NULL, NULL);
}
