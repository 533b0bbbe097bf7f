/*
 * Test de propriété 9 (niveau bibliothèque) : tout jeton JWT modifié, de
 * quelque façon que ce soit, est refusé par cbw_jwt_verify (CBW_EAUTH) ;
 * le jeton d'origine est accepté.
 *
 * Graine : variable CBW_SEED si elle est donnée, sinon l'heure. La graine
 * est affichée au début (« seed=<n> ») : CBW_SEED=<n> rejoue le même essai.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jwt.h>

#include "testutil.h"
#include "jwt.h"

#define NTOKENS		25	/* jetons d'origine */
#define NMUT		120	/* mutations par jeton (≥ 200 au total) */
#define NOW		((time_t)1800000000)

static uint64_t	 seed;

static const char	 b64a[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static char *
b64url(const char *in, size_t n)
{
	char			*out = malloc(n * 4 / 3 + 4), *o = out;
	const unsigned char	*s = (const unsigned char *)in;
	size_t			 i;

	assert_non_null(out);
	for (i = 0; i + 2 < n; i += 3) {
		*o++ = b64a[s[i] >> 2];
		*o++ = b64a[((s[i] & 3) << 4) | (s[i + 1] >> 4)];
		*o++ = b64a[((s[i + 1] & 15) << 2) | (s[i + 2] >> 6)];
		*o++ = b64a[s[i + 2] & 63];
	}
	if (n - i == 1) {
		*o++ = b64a[s[i] >> 2];
		*o++ = b64a[(s[i] & 3) << 4];
	} else if (n - i == 2) {
		*o++ = b64a[s[i] >> 2];
		*o++ = b64a[((s[i] & 3) << 4) | (s[i + 1] >> 4)];
		*o++ = b64a[(s[i + 1] & 15) << 2];
	}
	*o = '\0';
	return out;
}

/* Chaîne aléatoire de n caractères pris dans `alpha`. */
static void
rnd_str(char *out, size_t n, const char *alpha)
{
	size_t	 i, k = strlen(alpha);

	for (i = 0; i < n; i++)
		out[i] = alpha[cbw_t_below(k)];
	out[n] = '\0';
}

struct base {
	char			 secret[80];
	struct cbw_jwt_claims	 c;
	char			*tok;
	char			*seg[3];	/* copies des trois segments */
};

/* Jeton valide aux revendications aléatoires. */
static void
base_new(struct base *b)
{
	size_t	 i;
	char	*p, *q;

	memset(b, 0, sizeof(*b));
	rnd_str(b->secret, 32 + cbw_t_below(40),
	    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+/=-_!");
	b->c.sub = 1 + (long long)(cbw_t_rnd() % 9007199254740992ULL);
	snprintf(b->c.role, sizeof(b->c.role), "%s",
	    cbw_t_below(2) ? "admin" : "super_admin");
	rnd_str(b->c.sid, 32, "0123456789abcdef");
	b->c.iat = NOW - (time_t)cbw_t_below(60);
	b->c.exp = b->c.iat + CBW_JWT_TTL;
	assert_int_equal(cbw_jwt_sign(b->secret, &b->c, &b->tok), CBW_OK);
	p = b->tok;
	for (i = 0; i < 3; i++) {
		q = i < 2 ? strchr(p, '.') : p + strlen(p);
		assert_non_null(q);
		b->seg[i] = strndup(p, (size_t)(q - p));
		p = q + 1;
	}
}

static void
base_free(struct base *b)
{
	size_t	 i;

	free(b->tok);
	for (i = 0; i < 3; i++)
		free(b->seg[i]);
}

static char *
join(const char *a, const char *b, const char *c)
{
	char	*s;

	assert_true(asprintf(&s, "%s.%s.%s", a, b, c) > 0);
	return s;
}

/* Jeton signé par libjwt avec l'algorithme `alg` (mêmes revendications). */
static char *
sign_alg(const struct base *b, jwt_alg_t alg, const char *secret)
{
	jwt_t	*j = NULL;
	char	 sub[32], *tok;

	snprintf(sub, sizeof(sub), "%lld", b->c.sub);
	assert_int_equal(jwt_new(&j), 0);
	jwt_add_grant(j, "sub", sub);
	jwt_add_grant(j, "role", b->c.role);
	jwt_add_grant(j, "sid", b->c.sid);
	jwt_add_grant_int(j, "iat", (long)b->c.iat);
	jwt_add_grant_int(j, "exp", (long)b->c.exp);
	assert_int_equal(jwt_set_alg(j, alg, (const unsigned char *)secret,
	    (int)strlen(secret)), 0);
	tok = jwt_encode_str(j);
	assert_non_null(tok);
	jwt_free(j);
	return tok;
}

static const char *const bad_heads[] = {
	"{\"alg\":\"none\",\"typ\":\"JWT\"}",
	"{\"alg\":\"none\"}",
	"{\"alg\":\"None\",\"typ\":\"JWT\"}",
	"{\"alg\":\"NONE\",\"typ\":\"JWT\"}",
	"{\"alg\":\"HS384\",\"typ\":\"JWT\"}",
	"{\"alg\":\"HS512\",\"typ\":\"JWT\"}",
	"{\"alg\":\"RS256\",\"typ\":\"JWT\"}",
	"{\"alg\":\"ES256\",\"typ\":\"JWT\"}",
	"{\"alg\":\"hs256\",\"typ\":\"JWT\"}",
	"{\"alg\":\"HS256 \",\"typ\":\"JWT\"}",
	"{\"typ\":\"JWT\"}",
	"{\"alg\":null}",
	"{\"alg\":\"\"}",
	"{}",
	"[]",
	/* HS256, mais en-tête différent : la signature ne correspond plus. */
	"{\"typ\":\"JWT\",\"alg\":\"HS256\"}",
	"{\"alg\":\"HS256\"}",
	"{\"alg\":\"HS256\",\"typ\":\"JWT\",\"kid\":\"x\"}",
	"{\"alg\":\"none\",\"alg\":\"HS256\"}",
};

enum mut { M_BITFLIP, M_CHAR, M_TRUNC, M_INSERT, M_DELETE, M_SWAP, M_DUP,
	M_HEADER, M_GARBAGE, M_EXPIRED, M_FUTURE_IAT, M_OTHER_SECRET,
	M_OTHER_ALG, M_DROP_SIG, M_PAYLOAD, M_SPLICE, M__MAX };

static const char *const mut_names[M__MAX] = { "bitflip", "char", "trunc",
	"insert", "delete", "swap", "dup", "header", "garbage", "expired",
	"future_iat", "other_secret", "other_alg", "drop_sig", "payload",
	"splice" };

/* Produit une mutation du jeton de `b` (chaîne allouée). */
static char *
mutate(const struct base *b, const struct base *other, enum mut m)
{
	struct cbw_jwt_claims	 c;
	char			*s, *h, buf[600], sec[80];
	size_t			 n = strlen(b->tok), i, k;
	int			 bit;

	switch (m) {
	case M_BITFLIP:
		s = strdup(b->tok);
		i = cbw_t_below(n);
		do
			bit = (int)cbw_t_below(8);
		while ((char)(s[i] ^ (1 << bit)) == '\0');
		s[i] = (char)(s[i] ^ (1 << bit));
		return s;
	case M_CHAR:		/* un caractère base64url remplacé par un autre */
		s = strdup(b->tok);
		i = cbw_t_below(n);
		s[i] = b64a[cbw_t_below(64)];
		return s;
	case M_TRUNC:
		return strndup(b->tok, cbw_t_below(n));
	case M_INSERT:
		s = malloc(n + 2);
		i = cbw_t_below(n + 1);
		memcpy(s, b->tok, i);
		s[i] = cbw_t_below(4) == 0 ? '.' : b64a[cbw_t_below(64)];
		memcpy(s + i + 1, b->tok + i, n - i + 1);
		return s;
	case M_DELETE:
		s = strdup(b->tok);
		i = cbw_t_below(n);
		memmove(s + i, s + i + 1, n - i);
		return s;
	case M_SWAP:
		switch (cbw_t_below(5)) {
		case 0: return join(b->seg[1], b->seg[0], b->seg[2]);
		case 1: return join(b->seg[0], b->seg[2], b->seg[1]);
		case 2: return join(b->seg[2], b->seg[1], b->seg[0]);
		case 3: return join(b->seg[1], b->seg[2], b->seg[0]);
		default: return join(b->seg[2], b->seg[0], b->seg[1]);
		}
	case M_DUP:
		k = cbw_t_below(3);
		switch (cbw_t_below(4)) {
		case 0:		/* segment répété en plus : quatre segments */
			if (k == 0)
				assert_true(asprintf(&s, "%s.%s.%s.%s", b->seg[0],
				    b->seg[0], b->seg[1], b->seg[2]) > 0);
			else if (k == 1)
				assert_true(asprintf(&s, "%s.%s.%s.%s", b->seg[0],
				    b->seg[1], b->seg[1], b->seg[2]) > 0);
			else
				assert_true(asprintf(&s, "%s.%s.%s.%s", b->seg[0],
				    b->seg[1], b->seg[2], b->seg[2]) > 0);
			return s;
		case 1:
			return join(b->seg[0], b->seg[0], b->seg[2]);
		case 2:
			return join(b->seg[0], b->seg[1], b->seg[1]);
		default:
			return join(b->seg[1], b->seg[1], b->seg[2]);
		}
	case M_HEADER:
		k = cbw_t_below(sizeof(bad_heads) / sizeof(bad_heads[0]));
		h = b64url(bad_heads[k], strlen(bad_heads[k]));
		switch (cbw_t_below(3)) {
		case 0:
			s = join(h, b->seg[1], "");
			break;
		case 1:
			s = join(h, b->seg[1], b->seg[2]);
			break;
		default:
			rnd_str(buf, 43, b64a);
			s = join(h, b->seg[1], buf);
			break;
		}
		free(h);
		return s;
	case M_GARBAGE:
		k = cbw_t_below(400);
		rnd_str(buf, k, b64a);
		for (i = cbw_t_below(4); i > 0 && k > 0; i--)
			buf[cbw_t_below(k)] = '.';
		return strdup(buf);
	case M_EXPIRED:		/* bien signé, mais expiré */
		c = b->c;
		c.exp = NOW - (time_t)cbw_t_below(100000);
		c.iat = c.exp - CBW_JWT_TTL;
		assert_int_equal(cbw_jwt_sign(b->secret, &c, &s), CBW_OK);
		return s;
	case M_FUTURE_IAT:	/* bien signé, émis dans le futur */
		c = b->c;
		c.iat = NOW + 61 + (time_t)cbw_t_below(100000);
		c.exp = c.iat + CBW_JWT_TTL;
		assert_int_equal(cbw_jwt_sign(b->secret, &c, &s), CBW_OK);
		return s;
	case M_OTHER_SECRET:	/* mêmes revendications, autre clé de 32 octets */
		do
			rnd_str(sec, 32, b64a);
		while (strcmp(sec, b->secret) == 0);
		assert_int_equal(cbw_jwt_sign(sec, &b->c, &s), CBW_OK);
		return s;
	case M_OTHER_ALG:	/* bonne clé, autre algorithme HMAC */
		return sign_alg(b, cbw_t_below(2) ? JWT_ALG_HS384 : JWT_ALG_HS512,
		    b->secret);
	case M_DROP_SIG:
		return cbw_t_below(2) ? join(b->seg[0], b->seg[1], "") :
		    strdup(b->seg[0]);
	case M_PAYLOAD:		/* charge utile d'un autre jeton, signature gardée */
		return join(b->seg[0], other->seg[1], b->seg[2]);
	case M_SPLICE:		/* signature d'un autre jeton */
		return join(b->seg[0], b->seg[1], other->seg[2]);
	default:
		break;
	}
	return strdup(b->tok);
}

static void
prop_mutations_refused(void **state)
{
	struct base		 b[2];
	struct cbw_jwt_claims	 out;
	size_t			 t, i, tested = 0, counts[M__MAX];
	enum mut		 m;
	char			*s;

	(void)state;
	memset(counts, 0, sizeof(counts));
	for (t = 0; t < NTOKENS; t++) {
		base_new(&b[0]);
		base_new(&b[1]);
		/* L'original est accepté, avec ses revendications. */
		if (cbw_jwt_verify(b[0].secret, b[0].tok, NOW, &out) != CBW_OK)
			fail_msg("seed=%llu : jeton d'origine refusé : %s",
			    (unsigned long long)seed, b[0].tok);
		assert_true(out.sub == b[0].c.sub);
		assert_string_equal(out.role, b[0].c.role);
		assert_string_equal(out.sid, b[0].c.sid);
		for (i = 0; i < NMUT; i++) {
			m = (enum mut)cbw_t_below(M__MAX);
			s = mutate(&b[0], &b[1], m);
			assert_non_null(s);
			if (strcmp(s, b[0].tok) == 0) {
				free(s);
				continue;
			}
			counts[m]++;
			tested++;
			if (cbw_jwt_verify(b[0].secret, s, NOW, &out) != CBW_EAUTH)
				fail_msg("seed=%llu : mutation « %s » acceptée :\n"
				    "  origine : %s\n  mutant  : %s",
				    (unsigned long long)seed, mut_names[m],
				    b[0].tok, s);
			assert_true(out.sub == 0);
			free(s);
		}
		/* Toujours accepté après tout cela. */
		assert_int_equal(cbw_jwt_verify(b[0].secret, b[0].tok, NOW, &out),
		    CBW_OK);
		base_free(&b[0]);
		base_free(&b[1]);
	}
	printf("mutations testées : %zu (", tested);
	for (i = 0; i < M__MAX; i++)
		printf("%s%s=%zu", i ? ", " : "", mut_names[i], counts[i]);
	printf(")\n");
	assert_true(tested >= 200);
	for (i = 0; i < M__MAX; i++)
		assert_true(counts[i] > 0);
}

/* L'original reste valable jusqu'à exp exclu, quelle que soit la graine. */
static void
prop_original_window(void **state)
{
	struct base		 b;
	struct cbw_jwt_claims	 out;
	time_t			 now;
	size_t			 i;

	(void)state;
	for (i = 0; i < 100; i++) {
		base_new(&b);
		now = b.c.iat + (time_t)cbw_t_below(CBW_JWT_TTL);
		if (cbw_jwt_verify(b.secret, b.tok, now, &out) != CBW_OK)
			fail_msg("seed=%llu : refusé à t=%lld : %s",
			    (unsigned long long)seed, (long long)now, b.tok);
		now = b.c.exp + (time_t)cbw_t_below(100000);
		if (cbw_jwt_verify(b.secret, b.tok, now, &out) != CBW_EAUTH)
			fail_msg("seed=%llu : accepté après exp à t=%lld : %s",
			    (unsigned long long)seed, (long long)now, b.tok);
		base_free(&b);
	}
}

/* Vérifie que le jeton décodé par libjwt porte les revendications de b. */
static void
libjwt_same_claims(const struct base *b, jwt_t *j)
{
	char	 sub[32];

	snprintf(sub, sizeof(sub), "%lld", b->c.sub);
	assert_int_equal(jwt_get_alg(j), JWT_ALG_HS256);
	assert_string_equal(jwt_get_grant(j, "sub"), sub);
	assert_string_equal(jwt_get_grant(j, "role"), b->c.role);
	assert_string_equal(jwt_get_grant(j, "sid"), b->c.sid);
	assert_int_equal(jwt_get_grant_int(j, "iat"), (long)b->c.iat);
	assert_int_equal(jwt_get_grant_int(j, "exp"), (long)b->c.exp);
}

/*
 * libjwt, référence indépendante : chacun de nos jetons se décode chez elle
 * avec la même clé et les mêmes revendications (et pas avec une autre
 * clé) ; chacun des siens en HS256 est accepté par cbw_jwt_verify avec les
 * mêmes revendications.
 */
static void
prop_libjwt_agrees(void **state)
{
	struct base		 b;
	struct cbw_jwt_claims	 out;
	jwt_t			*j;
	char			*tok, other[96];
	size_t			 i;

	(void)state;
	for (i = 0; i < 150; i++) {
		base_new(&b);
		j = NULL;
		if (jwt_decode(&j, b.tok, (const unsigned char *)b.secret,
		    (int)strlen(b.secret)) != 0 || j == NULL)
			fail_msg("seed=%llu : libjwt refuse notre jeton %s",
			    (unsigned long long)seed, b.tok);
		libjwt_same_claims(&b, j);
		jwt_free(j);
		snprintf(other, sizeof(other), "%sx", b.secret);
		j = NULL;
		assert_int_not_equal(jwt_decode(&j, b.tok,
		    (const unsigned char *)other, (int)strlen(other)), 0);
		jwt_free(j);
		tok = sign_alg(&b, JWT_ALG_HS256, b.secret);
		if (cbw_jwt_verify(b.secret, tok, NOW, &out) != CBW_OK)
			fail_msg("seed=%llu : jeton libjwt refusé : %s",
			    (unsigned long long)seed, tok);
		assert_int_equal(out.sub, b.c.sub);
		assert_string_equal(out.role, b.c.role);
		assert_string_equal(out.sid, b.c.sid);
		assert_int_equal(out.iat, b.c.iat);
		assert_int_equal(out.exp, b.c.exp);
		free(tok);
		base_free(&b);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(prop_mutations_refused),
		cmocka_unit_test(prop_original_window),
		cmocka_unit_test(prop_libjwt_agrees),
	};

	seed = cbw_t_seed();
	return cmocka_run_group_tests_name("prop_jwt", tests, NULL, NULL);
}
