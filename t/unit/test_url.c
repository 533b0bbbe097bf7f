/*
 * Tests unitaires des adresses dans les messages (lib/url.c) : validité
 * d'une URL selon curl_url, repérage des mots-adresses d'un texte,
 * ponctuation finale, copie tronquée de l'adresse fautive.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "url.h"

/* cbw_url_valid sur une chaîne entière. */
static int
valid(const char *s)
{
	return cbw_url_valid(s, strlen(s));
}

/* URL valides et invalides (cbw_url_valid). */
static void
test_valid_table(void **state)
{
	static const char *const good[] = {
		"http://exemple.fr", "https://exemple.fr/", "HTTPS://EXEMPLE.FR",
		"HtTp://Exemple.Fr/Promo", "https://exemple.fr/promo?x=1",
		"https://exemple.fr/a/b/c?x=1&y=%C3%A9#frag", "http://127.0.0.1:8080/",
		"http://[::1]/", "http://[2001:db8::1]:443/x", "https://exa",
		"https://sous.domaine.exemple.fr:8443/chemin/é",
		"http://user@exemple.fr/", "https://café.fr/", "http://localhost",
		"https://exemple.fr/a(b)c", "http://exemple.fr/?q=\"x\"",
	};
	static const char *const bad[] = {
		"", "http://", "https://", "http:///exemple.fr", "http:/exemple.fr",
		"http:exemple.fr", "http://[::1", "http://[::1]x", "http://[zz::1]/",
		"ftp://exemple.fr", "file:///etc/passwd", "javascript:alert(1)",
		"exemple.fr", "www.exemple.fr", "//exemple.fr", "https://exa mple.fr",
		"https://exemple.fr/a b", "https://exemple.fr/\x01", "https://ex\x7f.fr",
		"https://exemple.fr\t", "http://exemple.fr:99999/", "http://:80/",
		"http://@/", "http://a<b.fr", "http://a\\b.fr", "https://\xff.fr",
		"https://exemple.fr/\xc3", "http://exemple.fr:abc/", "mailto:a@b.fr",
	};
	size_t	 i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		if (!valid(good[i]))
			fail_msg("refusée à tort : « %s »", good[i]);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (valid(bad[i]))
			fail_msg("acceptée à tort : « %s »", bad[i]);
	/* Seuls les len premiers octets comptent ; un NUL interne est refusé. */
	assert_true(cbw_url_valid("https://exemple.fr garbage", 18));
	assert_false(cbw_url_valid("https://exemple.fr\0x", 20));
	assert_false(cbw_url_valid(NULL, 0));
	assert_false(cbw_url_valid("https://exemple.fr", 0));
}

struct tcase {
	const char	*text;
	const char	*bad;	/* NULL : texte accepté */
};

/* Textes et première adresse fautive attendue (cbw_url_check_text). */
static void
test_check_text_table(void **state)
{
	static const struct tcase cases[] = {
		{ "", NULL },
		{ "Bonjour Anna, à bientôt !", NULL },
		{ "Voir https://exemple.fr/promo?x=1.", NULL },
		{ "Voir https://exemple.fr/promo?x=1...!?", NULL },
		{ "(voir https://exemple.fr/a)", NULL },
		{ "« https://exemple.fr »", NULL },
		{ "Lien : https://exemple.fr\xc2\xa0!", NULL },	/* espace insécable */
		{ "Lien\xe2\x80\xafhttps://exemple.fr\xe2\x80\xaf;", NULL },
		{ "www.exemple.fr", NULL },
		{ "Rendez-vous sur WWW.EXEMPLE.FR/Promo, vite", NULL },
		{ "HTTPS://EXEMPLE.FR", NULL },
		{ "ftp://x", NULL },		/* pas un mot-adresse */
		{ "xhttp://", NULL },
		{ "mailto:a@b.fr", NULL },
		{ "Rendez-vous sur www.", NULL },	/* « www » seul : pas d'adresse */
		/*
		 * Décision : un mot s'arrête à l'espace ; « https://exa » est une
		 * URL valide pour curl (hôte « exa »), « mple.fr » un mot ordinaire.
		 */
		{ "https://exa mple.fr", NULL },
		{ "deux liens https://a.fr et http://b.fr/c", NULL },
		{ "http://", "http://" },
		{ "Voir http://.", "http://" },
		{ "Voir https:// maintenant", "https://" },
		{ "http://[::1", "http://[::1" },
		{ "ok https://a.fr puis http://[::1 et http://", "http://[::1" },
		{ "Voir https://exemple.fr:99999/promo.", "https://exemple.fr:99999/promo" },
		{ "https://ex\x01mple.fr", "https://ex\x01mple.fr" },
		{ "www.a<b.fr", "www.a<b.fr" },
		{ "Voir www.exemple.fr:abc !", "www.exemple.fr:abc" },
		{ "HTTP://[ZZ::1]/", "HTTP://[ZZ::1]/" },
		{ "https:///triple", "https:///triple" },
		{ "Voir « https://a\\b.fr »", "https://a\\b.fr" },
		{ "https://exemple.fr/\xff", "https://exemple.fr/\xff" },
	};
	char	 bad[256];
	size_t	 i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(bad, 'z', sizeof(bad));
		if (cases[i].bad == NULL) {
			if (cbw_url_check_text(cases[i].text, bad, sizeof(bad)) !=
			    CBW_OK)
				fail_msg("« %s » refusé (« %s »)", cases[i].text, bad);
			assert_string_equal(bad, "");
		} else {
			if (cbw_url_check_text(cases[i].text, bad, sizeof(bad)) !=
			    CBW_EINVAL)
				fail_msg("« %s » accepté", cases[i].text);
			assert_string_equal(bad, cases[i].bad);
		}
	}
	assert_int_equal(cbw_url_check_text(NULL, bad, sizeof(bad)), CBW_OK);
	assert_int_equal(cbw_url_check_text("http://", NULL, 0), CBW_EINVAL);
	assert_int_equal(cbw_url_check_text("https://a.fr", NULL, 0), CBW_OK);
}

/* L'adresse fautive est tronquée à badlen - 1 octets, sans couper l'UTF-8. */
static void
test_bad_truncated(void **state)
{
	char	 bad[16];

	(void)state;
	memset(bad, 'z', sizeof(bad));
	assert_int_equal(cbw_url_check_text("Voir http://[::1]/abcdefghijkl "
	    "puis http://", bad, sizeof(bad)), CBW_EINVAL);
	assert_string_equal(bad, "http://");

	memset(bad, 'z', sizeof(bad));
	assert_int_equal(cbw_url_check_text("http://[::1/abcdefghijklmnop", bad,
	    sizeof(bad)), CBW_EINVAL);
	assert_int_equal(strlen(bad), sizeof(bad) - 1);
	assert_string_equal(bad, "http://[::1/abc");

	/* « é » (2 octets) à cheval sur la limite : il n'est pas coupé. */
	memset(bad, 'z', sizeof(bad));
	assert_int_equal(cbw_url_check_text("http://[::1/abé", bad,
	    sizeof(bad)), CBW_EINVAL);
	assert_string_equal(bad, "http://[::1/ab");
	memset(bad, 'z', sizeof(bad));
	assert_int_equal(cbw_url_check_text("http://[::1/aé", bad,
	    sizeof(bad)), CBW_EINVAL);
	assert_string_equal(bad, "http://[::1/aé");

	memset(bad, 'z', sizeof(bad));
	assert_int_equal(cbw_url_check_text("http://", bad, 1), CBW_EINVAL);
	assert_int_equal(bad[0], '\0');
	assert_int_equal(bad[1], 'z');
	assert_int_equal(cbw_url_check_text("http://", bad, 4), CBW_EINVAL);
	assert_string_equal(bad, "htt");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_table),
		cmocka_unit_test(test_check_text_table),
		cmocka_unit_test(test_bad_truncated),
	};

	return cmocka_run_group_tests_name("url", tests, NULL, NULL);
}
