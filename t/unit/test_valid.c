/*
 * Tests unitaires des validateurs (lib/valid.c).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "valid.h"

#define LL_MIN	(-9223372036854775807LL - 1)
#define LL_MAX	9223372036854775807LL

/* Valide s dans [min, max] et compare le résultat ; out intact si refus. */
static void
int_ok(const char *s, long long min, long long max, long long want)
{
	long long	 v = 12345;

	assert_int_equal(cbw_valid_int64(s, min, max, &v), CBW_OK);
	assert_true(v == want);
}

static void
int_bad(const char *s, long long min, long long max)
{
	long long	 v = 12345;

	assert_int_equal(cbw_valid_int64(s, min, max, &v), CBW_EINVAL);
	assert_true(v == 12345);
}

static void
test_int64(void **state)
{
	(void)state;
	int_ok("0", LL_MIN, LL_MAX, 0);
	int_ok("42", LL_MIN, LL_MAX, 42);
	int_ok("+5", LL_MIN, LL_MAX, 5);
	int_ok("-0", 0, 10, 0);
	int_ok("-17", LL_MIN, LL_MAX, -17);
	int_ok("007", 0, 10, 7);
	int_ok("9223372036854775807", LL_MIN, LL_MAX, LL_MAX);
	int_ok("-9223372036854775808", LL_MIN, LL_MAX, LL_MIN);
	int_bad(NULL, LL_MIN, LL_MAX);
	int_bad("", LL_MIN, LL_MAX);
	int_bad(" ", LL_MIN, LL_MAX);
	int_bad(" 5", LL_MIN, LL_MAX);
	int_bad("5 ", LL_MIN, LL_MAX);
	int_bad("\t5", LL_MIN, LL_MAX);
	int_bad("5\n", LL_MIN, LL_MAX);
	int_bad("+", LL_MIN, LL_MAX);
	int_bad("-", LL_MIN, LL_MAX);
	int_bad("+-5", LL_MIN, LL_MAX);
	int_bad("- 5", LL_MIN, LL_MAX);
	int_bad("12a", LL_MIN, LL_MAX);
	int_bad("a12", LL_MIN, LL_MAX);
	int_bad("1.5", LL_MIN, LL_MAX);
	int_bad("1e3", LL_MIN, LL_MAX);
	int_bad("0x10", LL_MIN, LL_MAX);
	int_bad("9223372036854775808", LL_MIN, LL_MAX);
	int_bad("-9223372036854775809", LL_MIN, LL_MAX);
	int_bad("99999999999999999999999", LL_MIN, LL_MAX);
}

static void
test_int64_bounds(void **state)
{
	(void)state;
	int_ok("1", 1, 50, 1);
	int_ok("50", 1, 50, 50);
	int_bad("0", 1, 50);
	int_bad("51", 1, 50);
	int_bad("-1", 0, 10);
	int_ok("-10", -10, -5, -10);
	int_ok("-5", -10, -5, -5);
	int_bad("-4", -10, -5);
	int_bad("-11", -10, -5);
	int_ok("7", 7, 7, 7);
	int_bad("8", 7, 7);
}

static void
test_id(void **state)
{
	long long	 v;

	(void)state;
	v = 0;
	assert_int_equal(cbw_valid_id("1", &v), CBW_OK);
	assert_true(v == 1);
	assert_int_equal(cbw_valid_id("123456", &v), CBW_OK);
	assert_true(v == 123456);
	assert_int_equal(cbw_valid_id("9007199254740992", &v), CBW_OK);
	assert_true(v == 9007199254740992LL);
	v = 99;
	assert_int_equal(cbw_valid_id("9007199254740993", &v), CBW_EINVAL);
	assert_int_equal(cbw_valid_id("0", &v), CBW_EINVAL);
	assert_int_equal(cbw_valid_id("-1", &v), CBW_EINVAL);
	assert_int_equal(cbw_valid_id("-0", &v), CBW_EINVAL);
	assert_int_equal(cbw_valid_id("+1", &v), CBW_EINVAL);
	assert_int_equal(cbw_valid_id("", &v), CBW_EINVAL);
	assert_int_equal(cbw_valid_id(NULL, &v), CBW_EINVAL);
	assert_int_equal(cbw_valid_id("1x", &v), CBW_EINVAL);
	assert_int_equal(cbw_valid_id(" 1", &v), CBW_EINVAL);
	assert_int_equal(cbw_valid_id("9223372036854775808", &v), CBW_EINVAL);
	assert_true(v == 99);
}

/* Raccourci : la chaîne littérale entière, NUL final exclu. */
#define U8(s)	cbw_valid_utf8((s), sizeof(s) - 1)

static void
test_utf8(void **state)
{
	(void)state;
	assert_int_equal(U8(""), 1);
	assert_int_equal(U8("abc"), 1);
	assert_int_equal(U8("\x7f"), 1);
	assert_int_equal(U8("é"), 1);			/* C3 A9 */
	assert_int_equal(U8("\xc2\x80"), 1);		/* U+0080 */
	assert_int_equal(U8("\xdf\xbf"), 1);		/* U+07FF */
	assert_int_equal(U8("\xe0\xa0\x80"), 1);	/* U+0800 */
	assert_int_equal(U8("€"), 1);			/* E2 82 AC */
	assert_int_equal(U8("\xed\x9f\xbf"), 1);	/* U+D7FF */
	assert_int_equal(U8("\xee\x80\x80"), 1);	/* U+E000 */
	assert_int_equal(U8("\xef\xbf\xbf"), 1);	/* U+FFFF */
	assert_int_equal(U8("😀"), 1);			/* F0 9F 98 80 */
	assert_int_equal(U8("\xf0\x90\x80\x80"), 1);	/* U+10000 */
	assert_int_equal(U8("\xf4\x8f\xbf\xbf"), 1);	/* U+10FFFF */
	assert_int_equal(U8("Élodie à l'été — 😀 日本"), 1);
	/* Formes trop longues. */
	assert_int_equal(U8("\xc0\x80"), 0);
	assert_int_equal(U8("\xc1\xbf"), 0);
	assert_int_equal(U8("\xe0\x80\x80"), 0);
	assert_int_equal(U8("\xe0\x9f\xbf"), 0);
	assert_int_equal(U8("\xf0\x80\x80\x80"), 0);
	assert_int_equal(U8("\xf0\x8f\xbf\xbf"), 0);
	/* Surrogates. */
	assert_int_equal(U8("\xed\xa0\x80"), 0);
	assert_int_equal(U8("\xed\xbf\xbf"), 0);
	/* Au-delà de U+10FFFF, octets interdits. */
	assert_int_equal(U8("\xf4\x90\x80\x80"), 0);
	assert_int_equal(U8("\xf5\x80\x80\x80"), 0);
	assert_int_equal(U8("\xf8\x88\x80\x80\x80"), 0);
	assert_int_equal(U8("\xff"), 0);
	assert_int_equal(U8("\xfe"), 0);
	/* Continuations seules, séquences tronquées ou interrompues. */
	assert_int_equal(U8("\x80"), 0);
	assert_int_equal(U8("a\xbf"), 0);
	assert_int_equal(U8("\xc3"), 0);
	assert_int_equal(U8("ab\xe2\x82"), 0);
	assert_int_equal(U8("\xf0\x9f\x98"), 0);
	assert_int_equal(U8("\xc3" "a"), 0);
	assert_int_equal(U8("\xe2\x82" "a"), 0);
	assert_int_equal(U8("\xf0\x9f\x98" "a"), 0);
	/* NUL interne ou final. */
	assert_int_equal(U8("a\0b"), 0);
	assert_int_equal(cbw_valid_utf8("abc", 4), 0);
	/* Longueur respectée : on ne lit que len octets. */
	assert_int_equal(cbw_valid_utf8("ab\xff", 2), 1);
	assert_int_equal(cbw_valid_utf8("\xc3\xa9", 1), 0);
}

static void
email_ok(const char *in, const char *want)
{
	char		 out[255];
	const char	*msg = "x";

	memset(out, 'Z', sizeof(out));
	assert_int_equal(cbw_valid_email(in, out, sizeof(out), &msg), CBW_OK);
	assert_null(msg);
	assert_string_equal(out, want);
}

static void
email_bad(const char *in)
{
	char		 out[255];
	const char	*msg = NULL;

	assert_int_equal(cbw_valid_email(in, out, sizeof(out), &msg), CBW_EINVAL);
	assert_non_null(msg);
	assert_string_equal(msg, "Adresse e-mail invalide (exemple : nom@domaine.fr).");
}

static void
test_email(void **state)
{
	char		 out[255], s[300];
	const char	*msg;

	(void)state;
	email_ok("a@b.fr", "a@b.fr");
	email_ok("Jean.Dupont@Exemple.FR", "jean.dupont@exemple.fr");
	email_ok("ADMIN+tag@SUB.Domaine.Co.UK", "admin+tag@sub.domaine.co.uk");
	email_ok("élodie@exemple.fr", "élodie@exemple.fr");
	email_ok("x_y-z'1@a-b.c", "x_y-z'1@a-b.c");
	email_bad("ab.fr");
	email_bad("a@b@c.fr");
	email_bad("@b.fr");
	email_bad("a@b");
	email_bad("a@bfr");
	email_bad("a@b.fr.");
	email_bad("a@.fr");
	email_bad("a@b..fr");
	email_bad("a b@c.fr");
	email_bad(" a@b.fr");
	email_bad("a@b.fr ");
	email_bad("a@b.f\tr");
	email_bad("a\n@b.fr");
	email_bad("a\x7f@b.fr");
	email_bad("<a@b.fr>");
	email_bad("a,b@c.fr");
	email_bad("a;b@c.fr");
	email_bad("\"a\"@b.fr");
	email_bad("a@[1.2.3.4]");
	email_bad("a\xff@b.fr");
	email_bad("a\xc0\x80@b.fr");

	msg = NULL;
	assert_int_equal(cbw_valid_email("", out, sizeof(out), &msg), CBW_EINVAL);
	assert_string_equal(msg, "L'adresse e-mail est obligatoire.");
	msg = NULL;
	assert_int_equal(cbw_valid_email(NULL, out, sizeof(out), &msg), CBW_EINVAL);
	assert_string_equal(msg, "L'adresse e-mail est obligatoire.");

	/* 254 octets : accepté ; 255 : refusé. */
	memset(s, 'a', sizeof(s));
	memcpy(s + 254 - 6, "@b.com", 7);		/* strlen(s) == 254 */
	assert_int_equal(strlen(s), 254);
	email_ok(s, s);
	memset(s, 'a', sizeof(s));
	memcpy(s + 255 - 6, "@b.com", 7);
	assert_int_equal(strlen(s), 255);
	email_bad(s);

	/* Tampon de sortie trop petit : refus sans débordement. */
	msg = NULL;
	assert_int_equal(cbw_valid_email("a@b.fr", out, 6, &msg), CBW_EINVAL);
	assert_int_equal(cbw_valid_email("a@b.fr", out, 7, &msg), CBW_OK);
	assert_string_equal(out, "a@b.fr");
}

/*
 * Une étiquette de domaine vide en tête (« a@.b.fr ») doit être refusée,
 * comme l'est déjà « a@.fr » et « a@b..fr ».
 */
static void
test_email_empty_label(void **state)
{
	(void)state;
	email_bad("a@.b.fr");
}

static void
pw_bad(const char *pw, const char *want_msg)
{
	const char	*msg = NULL;

	assert_int_equal(cbw_valid_password(pw, &msg), CBW_EINVAL);
	assert_non_null(msg);
	assert_string_equal(msg, want_msg);
}

static void
pw_ok(const char *pw)
{
	const char	*msg = "x";

	assert_int_equal(cbw_valid_password(pw, &msg), CBW_OK);
	assert_null(msg);
}

static void
test_password(void **state)
{
	char	 s[100];
	int	 i;

	(void)state;
	pw_bad("", "Le mot de passe est obligatoire.");
	pw_bad(NULL, "Le mot de passe est obligatoire.");
	pw_bad("1234567", "Le mot de passe doit contenir au moins 8 caractères.");
	pw_ok("12345678");
	memset(s, 'p', sizeof(s));
	s[72] = '\0';
	pw_ok(s);
	s[72] = 'p';
	s[73] = '\0';
	pw_bad(s, "Le mot de passe ne doit pas dépasser 72 octets.");
	pw_bad("abcdefgh\xff", "Le mot de passe contient des caractères invalides.");
	pw_bad("abcdefgh\xed\xa0\x80", "Le mot de passe contient des caractères invalides.");
	pw_bad("\xc3", "Le mot de passe contient des caractères invalides.");
	/* Les octets comptent, pas les caractères. */
	pw_ok("éééé");				/* 4 caractères, 8 octets */
	pw_bad("ééé", "Le mot de passe doit contenir au moins 8 caractères.");
	pw_bad("ééé1", "Le mot de passe doit contenir au moins 8 caractères.");
	pw_ok("😀😀");				/* 2 caractères, 8 octets */
	for (i = 0; i < 36; i++)
		memcpy(s + 2 * i, "é", 2);
	s[72] = '\0';
	assert_int_equal(strlen(s), 72);
	pw_ok(s);
	s[72] = 'a';
	s[73] = '\0';
	pw_bad(s, "Le mot de passe ne doit pas dépasser 72 octets.");
}

static void
test_role(void **state)
{
	const char	*msg;

	(void)state;
	msg = "x";
	assert_int_equal(cbw_valid_role("admin", &msg), CBW_OK);
	assert_null(msg);
	msg = "x";
	assert_int_equal(cbw_valid_role("super_admin", &msg), CBW_OK);
	assert_null(msg);
	msg = NULL;
	assert_int_equal(cbw_valid_role("Admin", &msg), CBW_EINVAL);
	assert_string_equal(msg,
	    "Rôle invalide : choisissez « admin » ou « super_admin ».");
	assert_int_equal(cbw_valid_role("", &msg), CBW_EINVAL);
	assert_int_equal(cbw_valid_role(NULL, &msg), CBW_EINVAL);
	assert_int_equal(cbw_valid_role("superadmin", &msg), CBW_EINVAL);
	assert_int_equal(cbw_valid_role("admin ", &msg), CBW_EINVAL);
	assert_int_equal(cbw_valid_role("root", &msg), CBW_EINVAL);
}

static void
page_bad(const char *page, const char *per, const char *want_field)
{
	long long	 pg = -7, pp = -7;
	const char	*field = NULL, *msg = NULL;

	assert_int_equal(cbw_valid_page(page, per, &pg, &pp, &field, &msg),
	    CBW_EINVAL);
	assert_non_null(field);
	assert_string_equal(field, want_field);
	assert_non_null(msg);
	if (strcmp(want_field, "page") == 0)
		assert_string_equal(msg,
		    "Le numéro de page doit être un entier positif.");
	else
		assert_string_equal(msg,
		    "per_page doit être un entier entre 1 et 50.");
}

static void
page_ok(const char *page, const char *per, long long wpg, long long wpp)
{
	long long	 pg = -7, pp = -7;
	const char	*field = NULL, *msg = NULL;

	assert_int_equal(cbw_valid_page(page, per, &pg, &pp, &field, &msg),
	    CBW_OK);
	assert_true(pg == wpg);
	assert_true(pp == wpp);
}

static void
test_page(void **state)
{
	(void)state;
	page_ok(NULL, NULL, 1, 20);
	page_ok("3", NULL, 3, 20);
	page_ok(NULL, "50", 1, 50);
	page_ok("1", "1", 1, 1);
	page_ok("1000000000", "7", 1000000000, 7);
	page_bad("0", NULL, "page");
	page_bad("-1", NULL, "page");
	page_bad("abc", NULL, "page");
	page_bad("", NULL, "page");
	page_bad("1x", "20", "page");
	page_bad("1000000001", NULL, "page");
	page_bad(NULL, "51", "per_page");
	page_bad(NULL, "0", "per_page");
	page_bad(NULL, "-1", "per_page");
	page_bad(NULL, "abc", "per_page");
	page_bad(NULL, "", "per_page");
	page_bad("2", "100", "per_page");
	page_bad("0", "100", "page");	/* page vérifiée d'abord */
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_int64),
		cmocka_unit_test(test_int64_bounds),
		cmocka_unit_test(test_id),
		cmocka_unit_test(test_utf8),
		cmocka_unit_test(test_email),
		cmocka_unit_test(test_email_empty_label),
		cmocka_unit_test(test_password),
		cmocka_unit_test(test_role),
		cmocka_unit_test(test_page),
	};

	return cmocka_run_group_tests_name("valid", tests, NULL, NULL);
}
