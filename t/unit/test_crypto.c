/*
 * Tests unitaires des primitives cryptographiques (lib/crypto.c).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "crypto.h"
#include "password.h"
#include "sha256.h"

static void
test_sha256(void **state)
{
	char			 out[CBW_SHA256_HEX], big[1000];
	const char		*d;
	struct cbw_sha256	 s;
	unsigned char		 md[32];
	int			 i;

	(void)state;
	cbw_crypto_sha256_hex("abc", 3, out);
	assert_string_equal(out,
	    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	cbw_crypto_sha256_hex("", 0, out);
	assert_string_equal(out,
	    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	cbw_crypto_sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
	    56, out);
	assert_string_equal(out,
	    "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	/* FIPS 180-4 : message de 896 bits (deux blocs de remplissage). */
	d = "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmn"
	    "hijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";
	cbw_crypto_sha256_hex(d, strlen(d), out);
	assert_string_equal(out,
	    "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
	/* Un million de « a », ajoutés par morceaux de 1000. */
	memset(big, 'a', sizeof(big));
	cbw_sha256_init(&s);
	for (i = 0; i < 1000; i++)
		cbw_sha256_update(&s, big, sizeof(big));
	cbw_sha256_final(&s, md);
	for (i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
	assert_string_equal(out,
	    "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	/* La longueur compte, pas le NUL. */
	cbw_crypto_sha256_hex("abc\0def", 3, out);
	assert_string_equal(out,
	    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	assert_int_equal(strlen(out), 64);
}

/* RFC 4231, cas 1, 2 et 6. */
static void
test_hmac(void **state)
{
	char		 out[CBW_SHA256_HEX];
	unsigned char	 raw[32], key[131];
	const char	*d;

	(void)state;
	assert_int_equal(cbw_crypto_hmac_hex("Jefe", 4,
	    "what do ya want for nothing?", 28, out), CBW_OK);
	assert_string_equal(out,
	    "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
	assert_int_equal(cbw_crypto_hmac("Jefe", 4, "what do ya want for nothing?",
	    28, raw), CBW_OK);
	assert_int_equal(raw[0], 0x5b);
	assert_int_equal(raw[31], 0x43);

	memset(key, 0x0b, 20);
	assert_int_equal(cbw_crypto_hmac_hex(key, 20, "Hi There", 8, out), CBW_OK);
	assert_string_equal(out,
	    "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");

	memset(key, 0xaa, 131);
	d = "Test Using Larger Than Block-Size Key - Hash Key First";
	assert_int_equal(cbw_crypto_hmac_hex(key, 131, d, strlen(d), out), CBW_OK);
	assert_string_equal(out,
	    "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

static int
is_lower_hex(const char *s)
{
	for (; *s != '\0'; s++)
		if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
			return 0;
	return 1;
}

static void
test_token_hex(void **state)
{
	char	 a[65], b[65], c[129];
	int	 i;

	(void)state;
	memset(a, 'Z', sizeof(a));
	assert_int_equal(cbw_crypto_token_hex(a, 32), CBW_OK);
	assert_int_equal(strlen(a), 64);
	assert_true(is_lower_hex(a));
	assert_int_equal(cbw_crypto_token_hex(b, 32), CBW_OK);
	assert_int_equal(strlen(b), 64);
	assert_string_not_equal(a, b);
	assert_int_equal(cbw_crypto_token_hex(a, 16), CBW_OK);
	assert_int_equal(strlen(a), 32);
	assert_true(is_lower_hex(a));
	assert_int_equal(cbw_crypto_token_hex(c, 64), CBW_OK);
	assert_int_equal(strlen(c), 128);
	assert_int_equal(cbw_crypto_token_hex(c, 65), CBW_EIO);
	assert_int_equal(cbw_crypto_token_hex(a, 0), CBW_OK);
	assert_string_equal(a, "");
	/* Sur 50 jetons de 4 octets, tous les chiffres hexadécimaux apparaissent. */
	memset(c, 0, sizeof(c));
	for (i = 0; i < 50; i++) {
		char	 t[9];
		const char *p;

		assert_int_equal(cbw_crypto_token_hex(t, 4), CBW_OK);
		for (p = t; *p; p++)
			c[(unsigned char)*p] = 1;
	}
	for (i = 0; i < 16; i++)
		assert_int_equal(c[(unsigned char)"0123456789abcdef"[i]], 1);
}

static void
test_random(void **state)
{
	unsigned char	 a[64], b[64];

	(void)state;
	memset(a, 0, sizeof(a));
	memset(b, 0, sizeof(b));
	assert_int_equal(cbw_crypto_random(a, sizeof(a)), CBW_OK);
	assert_int_equal(cbw_crypto_random(b, sizeof(b)), CBW_OK);
	assert_memory_not_equal(a, b, sizeof(a));
	assert_int_equal(cbw_crypto_random(a, 0), CBW_OK);
}

static void
test_streq(void **state)
{
	(void)state;
	assert_int_equal(cbw_crypto_streq("abc", "abc"), 1);
	assert_int_equal(cbw_crypto_streq("", ""), 1);
	assert_int_equal(cbw_crypto_streq("abc", "abd"), 0);
	assert_int_equal(cbw_crypto_streq("xbc", "abc"), 0);
	assert_int_equal(cbw_crypto_streq("ab", "abc"), 0);
	assert_int_equal(cbw_crypto_streq("abc", "ab"), 0);
	assert_int_equal(cbw_crypto_streq("", "a"), 0);
	assert_int_equal(cbw_crypto_streq("a", ""), 0);
	assert_int_equal(cbw_crypto_streq("abc", "abcabc"), 0);
	assert_int_equal(cbw_crypto_streq("aaaa", "aaa"), 0);
	assert_int_equal(cbw_crypto_streq("aaa", "aaaa"), 0);
	assert_int_equal(cbw_crypto_streq("\xc3\xa9t\xc3\xa9", "été"), 1);
}

/* bcrypt coût 12 : peu de hachages (≈ 0,2 s chacun). */
static void
test_password(void **state)
{
	char	 h1[CBW_HASH_MAX], h2[CBW_HASH_MAX], small[40];

	(void)state;
	assert_int_equal(cbw_password_hash("Motdepasse-été", h1, sizeof(h1)), CBW_OK);
	assert_int_equal(strncmp(h1, "$2b$12$", 7), 0);
	assert_int_equal(strlen(h1), 60);
	assert_int_equal(cbw_password_verify("Motdepasse-été", h1), 1);
	assert_int_equal(cbw_password_verify("Motdepasse-ete", h1), 0);
	assert_int_equal(cbw_password_verify("Motdepasse-été ", h1), 0);
	/* Sel aléatoire : deux hachages du même mot de passe diffèrent. */
	assert_int_equal(cbw_password_hash("Motdepasse-été", h2, sizeof(h2)), CBW_OK);
	assert_string_not_equal(h1, h2);
	assert_int_equal(strncmp(h1, h2, 7), 0);
	/* Hachages invalides ou d'un autre schéma. */
	assert_int_equal(cbw_password_verify("x", NULL), 0);
	assert_int_equal(cbw_password_verify("x", ""), 0);
	assert_int_equal(cbw_password_verify("x", "*0"), 0);
	assert_int_equal(cbw_password_verify("x", "$1$abc$def"), 0);
	assert_int_equal(cbw_password_verify("x", "$2b$12$tooshort"), 0);
	h2[0] = '\0';
	/* Tampon de sortie trop petit. */
	assert_int_equal(cbw_password_hash("Motdepasse", small, sizeof(small)),
	    CBW_EINVAL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sha256),
		cmocka_unit_test(test_hmac),
		cmocka_unit_test(test_token_hex),
		cmocka_unit_test(test_random),
		cmocka_unit_test(test_streq),
		cmocka_unit_test(test_password),
	};

	return cmocka_run_group_tests_name("crypto", tests, NULL, NULL);
}
