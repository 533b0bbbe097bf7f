/*
 * Tests unitaires du tampon extensible (lib/buf.c).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "buf.h"

/* Un tampon neuf n'alloue rien et se lit comme "". */
static void
test_empty(void **state)
{
	struct cbw_buf	 b;

	(void)state;
	cbw_buf_init(&b);
	assert_null(b.data);
	assert_int_equal(b.len, 0);
	assert_int_equal(b.cap, 0);
	assert_int_equal(b.oom, 0);
	assert_non_null(cbw_buf_str(&b));
	assert_string_equal(cbw_buf_str(&b), "");
	cbw_buf_free(&b);
	assert_null(b.data);
	assert_string_equal(cbw_buf_str(&b), "");
}

/* put : octets bruts (y compris NUL), terminaison, longueur exacte. */
static void
test_put(void **state)
{
	struct cbw_buf	 b;

	(void)state;
	cbw_buf_init(&b);
	assert_int_equal(cbw_buf_put(&b, "abc", 3), CBW_OK);
	assert_int_equal(b.len, 3);
	assert_string_equal(cbw_buf_str(&b), "abc");
	assert_int_equal(cbw_buf_put(&b, "de\0f", 4), CBW_OK);
	assert_int_equal(b.len, 7);
	assert_memory_equal(b.data, "abcde\0f", 8);	/* NUL final compris */
	assert_int_equal(cbw_buf_put(&b, "zzz", 0), CBW_OK);
	assert_int_equal(b.len, 7);
	assert_int_equal(b.data[7], '\0');
	cbw_buf_free(&b);
}

/* put de longueur 0 sur un tampon vide : chaîne vide terminée. */
static void
test_put_zero_on_empty(void **state)
{
	struct cbw_buf	 b;

	(void)state;
	cbw_buf_init(&b);
	assert_int_equal(cbw_buf_put(&b, "", 0), CBW_OK);
	assert_int_equal(b.len, 0);
	assert_non_null(b.data);
	assert_string_equal(cbw_buf_str(&b), "");
	cbw_buf_free(&b);
}

/* puts et putc. */
static void
test_puts_putc(void **state)
{
	struct cbw_buf	 b;

	(void)state;
	cbw_buf_init(&b);
	assert_int_equal(cbw_buf_puts(&b, "Bonjour"), CBW_OK);
	assert_int_equal(cbw_buf_putc(&b, ' '), CBW_OK);
	assert_int_equal(cbw_buf_puts(&b, "été"), CBW_OK);
	assert_int_equal(cbw_buf_puts(&b, ""), CBW_OK);
	assert_string_equal(cbw_buf_str(&b), "Bonjour été");
	assert_int_equal(b.len, strlen("Bonjour été"));
	cbw_buf_free(&b);
}

/* Croissance bien au-delà de la capacité initiale, contenu intact. */
static void
test_growth(void **state)
{
	struct cbw_buf	 b;
	char		 want[100001];
	size_t		 i;

	(void)state;
	cbw_buf_init(&b);
	for (i = 0; i < 100000; i++) {
		want[i] = (char)('a' + i % 26);
		assert_int_equal(cbw_buf_putc(&b, want[i]), CBW_OK);
		assert_true(b.cap > b.len);
	}
	want[100000] = '\0';
	assert_int_equal(b.len, 100000);
	assert_string_equal(cbw_buf_str(&b), want);
	assert_int_equal(b.oom, 0);
	cbw_buf_free(&b);

	/* Un seul gros ajout. */
	cbw_buf_init(&b);
	assert_int_equal(cbw_buf_puts(&b, "x"), CBW_OK);
	assert_int_equal(cbw_buf_put(&b, want, 100000), CBW_OK);
	assert_int_equal(b.len, 100001);
	assert_int_equal(b.data[0], 'x');
	assert_memory_equal(b.data + 1, want, 100000);
	assert_int_equal(b.data[100001], '\0');
	cbw_buf_free(&b);
}

/* printf : formats divers, ajout en fin, résultats plus grands que la capacité. */
static void
test_printf(void **state)
{
	struct cbw_buf	 b;
	char		 big[1000];
	size_t		 i;

	(void)state;
	cbw_buf_init(&b);
	assert_int_equal(cbw_buf_printf(&b, "%d-%s-%05.1f", 42, "x", 3.14159),
	    CBW_OK);
	assert_string_equal(cbw_buf_str(&b), "42-x-003.1");
	assert_int_equal(cbw_buf_printf(&b, "|%lld|%zu|", -9223372036854775807LL - 1,
	    (size_t)7), CBW_OK);
	assert_string_equal(cbw_buf_str(&b),
	    "42-x-003.1|-9223372036854775808|7|");
	assert_int_equal(b.len, strlen(cbw_buf_str(&b)));
	/* Résultat vide. */
	assert_int_equal(cbw_buf_printf(&b, "%s", ""), CBW_OK);
	assert_int_equal(b.len, strlen("42-x-003.1|-9223372036854775808|7|"));
	/* Plus grand que la capacité courante (256 puis croissance). */
	memset(big, 'y', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	cbw_buf_reset(&b);
	for (i = 0; i < 5; i++)
		assert_int_equal(cbw_buf_printf(&b, "%s%zu", big, i), CBW_OK);
	assert_int_equal(b.len, 5 * 1000);
	assert_int_equal(b.data[999], '0');
	assert_int_equal(b.data[4999], '4');
	assert_int_equal(b.data[5000], '\0');
	assert_int_equal(b.data[1000], 'y');
	cbw_buf_free(&b);
}

/* reset : vide sans libérer, réutilisable. */
static void
test_reset(void **state)
{
	struct cbw_buf	 b;
	char		*data;
	size_t		 cap;

	(void)state;
	cbw_buf_init(&b);
	cbw_buf_reset(&b);	/* sur un tampon jamais alloué */
	assert_string_equal(cbw_buf_str(&b), "");
	assert_int_equal(cbw_buf_puts(&b, "contenu"), CBW_OK);
	data = b.data;
	cap = b.cap;
	b.oom = 1;
	cbw_buf_reset(&b);
	assert_int_equal(b.len, 0);
	assert_int_equal(b.oom, 0);
	assert_ptr_equal(b.data, data);
	assert_int_equal(b.cap, cap);
	assert_string_equal(cbw_buf_str(&b), "");
	assert_int_equal(cbw_buf_puts(&b, "neuf"), CBW_OK);
	assert_string_equal(cbw_buf_str(&b), "neuf");
	cbw_buf_free(&b);
	assert_null(b.data);
	assert_int_equal(b.len, 0);
	assert_int_equal(b.cap, 0);
}

/* reserve : garantit la place sans changer la longueur ; refuse l'absurde. */
static void
test_reserve(void **state)
{
	struct cbw_buf	 b;

	(void)state;
	cbw_buf_init(&b);
	assert_int_equal(cbw_buf_reserve(&b, 1000), CBW_OK);
	assert_true(b.cap >= 1001);
	assert_int_equal(b.len, 0);
	assert_int_equal(cbw_buf_reserve(&b, (size_t)-1), CBW_ENOMEM);
	assert_int_equal(b.oom, 1);
	assert_int_equal(cbw_buf_put(&b, "a", (size_t)-1 / 2), CBW_ENOMEM);
	cbw_buf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_put),
		cmocka_unit_test(test_put_zero_on_empty),
		cmocka_unit_test(test_puts_putc),
		cmocka_unit_test(test_growth),
		cmocka_unit_test(test_printf),
		cmocka_unit_test(test_reset),
		cmocka_unit_test(test_reserve),
	};

	return cmocka_run_group_tests_name("buf", tests, NULL, NULL);
}
