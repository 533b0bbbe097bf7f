/*
 * Tests unitaires de l'horloge (lib/clock.c). Le build de test
 * (--enable-test-clock) laisse CBW_TEST_NOW remplacer l'heure.
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

#include "autoconfig.h"
#include "clock.h"

/* Vrai si t est l'heure réelle (à quelques secondes près). */
static int
is_real_now(time_t t)
{
	time_t	 r = time(NULL);

	return t >= r - 5 && t <= r + 5;
}

static void
test_now(void **state)
{
	(void)state;
	unsetenv("CBW_TEST_NOW");
	assert_true(is_real_now(cbw_now()));
#ifdef CBW_TEST_CLOCK
	setenv("CBW_TEST_NOW", "1800000020", 1);
	assert_true(cbw_now() == (time_t)1800000020);
	setenv("CBW_TEST_NOW", "1", 1);
	assert_true(cbw_now() == (time_t)1);
	/* Valeurs invalides : ignorées. */
	setenv("CBW_TEST_NOW", "", 1);
	assert_true(is_real_now(cbw_now()));
	setenv("CBW_TEST_NOW", "abc", 1);
	assert_true(is_real_now(cbw_now()));
	setenv("CBW_TEST_NOW", "12x", 1);
	assert_true(is_real_now(cbw_now()));
	setenv("CBW_TEST_NOW", "0", 1);
	assert_true(is_real_now(cbw_now()));
	setenv("CBW_TEST_NOW", "-5", 1);
	assert_true(is_real_now(cbw_now()));
#else
	skip();
#endif
	unsetenv("CBW_TEST_NOW");
}

static void
test_iso(void **state)
{
	char	 b[32];

	(void)state;
	cbw_time_iso(0, b, sizeof(b));
	assert_string_equal(b, "1970-01-01T00:00:00Z");
	cbw_time_iso(1800000020, b, sizeof(b));
	assert_string_equal(b, "2027-01-15T08:00:20Z");
	cbw_time_iso(1709164800, b, sizeof(b));
	assert_string_equal(b, "2024-02-29T00:00:00Z");
	cbw_time_iso(253402300799LL, b, sizeof(b));
	assert_string_equal(b, "9999-12-31T23:59:59Z");
	/* 21 octets suffisent (20 caractères et le NUL). */
	memset(b, 'X', sizeof(b));
	cbw_time_iso(1800000020, b, 21);
	assert_string_equal(b, "2027-01-15T08:00:20Z");
	/* len 0 : rien n'est écrit. */
	memset(b, 'X', sizeof(b));
	cbw_time_iso(0, b, 0);
	assert_int_equal(b[0], 'X');
}

/* Heure impossible à convertir (année hors de portée) : chaîne vide. */
static void
test_iso_overflow(void **state)
{
	char	 b[32];

	(void)state;
	memset(b, 'X', sizeof(b));
	cbw_time_iso((time_t)9223372036854775807LL, b, sizeof(b));
	assert_string_equal(b, "");
}

static void
test_parse(void **state)
{
	char	 b[32];
	time_t	 t;

	(void)state;
	assert_true(cbw_time_parse("1970-01-01T00:00:00Z") == 0);
	assert_true(cbw_time_parse("2027-01-15T08:00:20Z") == 1800000020);
	assert_true(cbw_time_parse("2024-02-29T00:00:00Z") == 1709164800);
	assert_true(cbw_time_parse("2026-12-31T23:59:59Z") == 1798761599);
	/* Aller-retour. */
	for (t = 0; t < 4000000000LL; t += 86399 * 97 + 13) {
		cbw_time_iso(t, b, sizeof(b));
		assert_true(cbw_time_parse(b) == t);
	}
	/* Formes refusées. */
	assert_true(cbw_time_parse(NULL) == -1);
	assert_true(cbw_time_parse("") == -1);
	assert_true(cbw_time_parse("2026-11-24T06:00:00") == -1);
	assert_true(cbw_time_parse("2026-11-24 06:00:00Z") == -1);
	assert_true(cbw_time_parse("2026-11-24T06:00:00Zx") == -1);
	assert_true(cbw_time_parse("2026-11-24T06:00:00+01:00") == -1);
	assert_true(cbw_time_parse("2026-13-01T00:00:00Z") == -1);
	assert_true(cbw_time_parse("2026-00-01T00:00:00Z") == -1);
	assert_true(cbw_time_parse("2026-11-00T00:00:00Z") == -1);
	assert_true(cbw_time_parse("2026-11-32T00:00:00Z") == -1);
	assert_true(cbw_time_parse("2026-11-24T24:00:00Z") == -1);
	assert_true(cbw_time_parse("2026-11-24T06:60:00Z") == -1);
	assert_true(cbw_time_parse("2026-11-24") == -1);
	assert_true(cbw_time_parse("hier") == -1);
}

/* Dates impossibles : -1 attendu, pas une date normalisée. */
static void
test_parse_impossible_dates(void **state)
{
	(void)state;
	assert_true(cbw_time_parse("2026-02-30T00:00:00Z") == -1);
	assert_true(cbw_time_parse("2026-02-29T00:00:00Z") == -1);	/* non bissextile */
	assert_true(cbw_time_parse("2026-11-31T00:00:00Z") == -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_now),
		cmocka_unit_test(test_iso),
		cmocka_unit_test(test_iso_overflow),
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_parse_impossible_dates),
	};

	/* Sans --enable-test-clock, l'heure ne se pilote pas : test ignoré (77). */
	setenv("CBW_TEST_NOW", "1800000000", 1);
	if (cbw_now() != 1800000000) {
		fprintf(stderr, "horloge non pilotable (build sans "
		    "--enable-test-clock) : test ignoré\n");
		return 77;
	}
	unsetenv("CBW_TEST_NOW");

	return cmocka_run_group_tests_name("clock", tests, NULL, NULL);
}
