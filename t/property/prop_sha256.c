/*
 * SHA-256 et HMAC-SHA256 de lib/sha256.c comparés à Nettle, référence
 * indépendante, sur des entrées au hasard : longueurs de 0 à 1 200 octets
 * (tous les cas de remplissage autour de 55, 56, 63 et 64), données
 * ajoutées en morceaux de tailles quelconques, clés de 0 à 200 octets
 * (au-delà de 64, la clé est hachée d'abord).
 *
 * Graine : CBW_SEED si elle est donnée, sinon l'heure ; affichée au début
 * (« seed=<n> ») : CBW_SEED=<n> rejoue le même essai.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include <nettle/hmac.h>
#include <nettle/sha2.h>

#include "sha256.h"
#include "testutil.h"

#define NITER	400

static uint64_t	 seed;

/* Remplit buf de n octets au hasard. */
static void
rnd_bytes(unsigned char *buf, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		buf[i] = (unsigned char)cbw_t_rnd();
}

/* Empreinte de data par cbw_sha256 en morceaux de tailles au hasard. */
static void
ours_chunked(const unsigned char *data, size_t n, unsigned char out[32])
{
	struct cbw_sha256	 s;
	size_t			 off = 0, k;

	cbw_sha256_init(&s);
	while (off < n) {
		k = cbw_t_below(n - off + 1);
		cbw_sha256_update(&s, data + off, k);
		off += k;
	}
	cbw_sha256_update(&s, data, 0);
	cbw_sha256_final(&s, out);
}

/* Même empreinte que Nettle, d'un coup ou en morceaux. */
static void
prop_sha256_matches_nettle(void **state)
{
	static unsigned char	 data[1200];
	unsigned char		 want[32], got[32];
	struct sha256_ctx	 ctx;
	size_t			 i, n;

	(void)state;
	for (i = 0; i < NITER; i++) {
		n = i < 130 ? i : cbw_t_below(sizeof(data) + 1);
		rnd_bytes(data, n);
		sha256_init(&ctx);
		sha256_update(&ctx, n, data);
		sha256_digest(&ctx, sizeof(want), want);
		ours_chunked(data, n, got);
		if (memcmp(want, got, 32) != 0)
			fail_msg("seed=%llu : SHA-256 différent pour %zu octets",
			    (unsigned long long)seed, n);
	}
}

/* Même HMAC que Nettle pour des clés et messages au hasard. */
static void
prop_hmac_matches_nettle(void **state)
{
	static unsigned char	 data[1200];
	unsigned char		 key[200], want[32], got[32];
	struct hmac_sha256_ctx	 ctx;
	size_t			 i, n, kn;

	(void)state;
	for (i = 0; i < NITER; i++) {
		kn = i < 140 ? i : cbw_t_below(sizeof(key) + 1);
		n = cbw_t_below(sizeof(data) + 1);
		rnd_bytes(key, kn);
		rnd_bytes(data, n);
		hmac_sha256_set_key(&ctx, kn, key);
		hmac_sha256_update(&ctx, n, data);
		hmac_sha256_digest(&ctx, sizeof(want), want);
		cbw_hmac_sha256(key, kn, data, n, got);
		if (memcmp(want, got, 32) != 0)
			fail_msg("seed=%llu : HMAC différent (clé %zu, message %zu "
			    "octets)", (unsigned long long)seed, kn, n);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(prop_sha256_matches_nettle),
		cmocka_unit_test(prop_hmac_matches_nettle),
	};

	seed = cbw_t_seed();
	return cmocka_run_group_tests_name("prop_sha256", tests, NULL, NULL);
}
