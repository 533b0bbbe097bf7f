/*
 * Tests unitaires des échappeurs HTML (lib/html.c).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "buf.h"
#include "html.h"

/* Applique `fn` à `in` dans un tampon neuf et compare à `want`. */
static void
check(enum cbw_err (*fn)(struct cbw_buf *, const char *), const char *in,
    const char *want)
{
	struct cbw_buf	 b;

	cbw_buf_init(&b);
	assert_int_equal(fn(&b, in), CBW_OK);
	assert_string_equal(cbw_buf_str(&b), want);
	assert_int_equal(b.len, strlen(want));
	cbw_buf_free(&b);
}

static void
test_txt_specials(void **state)
{
	(void)state;
	check(cbw_html_txt, "<script>alert(\"x\")</script>",
	    "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;");
	check(cbw_html_txt, "a & b", "a &amp; b");
	check(cbw_html_txt, "it's", "it&#39;s");
	check(cbw_html_txt, "`cmd`", "&#96;cmd&#96;");
	check(cbw_html_txt, "&amp;", "&amp;amp;");
	check(cbw_html_txt, "<>\"'&`", "&lt;&gt;&quot;&#39;&amp;&#96;");
}

static void
test_txt_plain(void **state)
{
	(void)state;
	check(cbw_html_txt, "", "");
	check(cbw_html_txt, NULL, "");
	check(cbw_html_txt, "Bonjour le monde", "Bonjour le monde");
	check(cbw_html_txt, "= + / ; : ? # % {}", "= + / ; : ? # % {}");
}

static void
test_txt_utf8(void **state)
{
	(void)state;
	check(cbw_html_txt, "Élodie à l'été — 😀",
	    "Élodie à l&#39;été — 😀");
	check(cbw_html_txt, "\xff\xfe\x80", "\xff\xfe\x80");
}

static void
test_txt_controls(void **state)
{
	(void)state;
	check(cbw_html_txt, "a\tb\nc\rd", "a\tb\nc\rd");
	check(cbw_html_txt, "a\x01\x02" "b\x1b[0m\x7f" "c\x0b\x0c", "ab[0mc");
}

static void
test_txtn(void **state)
{
	struct cbw_buf	 b;
	const char	 in[] = "a<\0b>c";

	(void)state;
	cbw_buf_init(&b);
	assert_int_equal(cbw_html_txtn(&b, in, sizeof(in) - 1), CBW_OK);
	assert_int_equal(b.len, strlen("a&lt;b&gt;c"));
	assert_string_equal(cbw_buf_str(&b), "a&lt;b&gt;c");
	cbw_buf_reset(&b);
	assert_int_equal(cbw_html_txtn(&b, "<<<", 2), CBW_OK);
	assert_string_equal(cbw_buf_str(&b), "&lt;&lt;");
	cbw_buf_reset(&b);
	assert_int_equal(cbw_html_txtn(&b, "xyz", 0), CBW_OK);
	assert_string_equal(cbw_buf_str(&b), "");
	cbw_buf_free(&b);
}

static void
test_append(void **state)
{
	struct cbw_buf	 b;

	(void)state;
	cbw_buf_init(&b);
	assert_int_equal(cbw_buf_puts(&b, "<p>"), CBW_OK);
	assert_int_equal(cbw_html_txt(&b, "<b>"), CBW_OK);
	assert_int_equal(cbw_html_raw(&b, "</p>"), CBW_OK);
	assert_string_equal(cbw_buf_str(&b), "<p>&lt;b&gt;</p>");
	cbw_buf_free(&b);
}

static void
test_url_arg(void **state)
{
	(void)state;
	check(cbw_html_url_arg, "", "");
	check(cbw_html_url_arg, NULL, "");
	check(cbw_html_url_arg, "AZaz09-_.~", "AZaz09-_.~");
	check(cbw_html_url_arg, "a b", "a%20b");
	check(cbw_html_url_arg, "a+b=c&d", "a%2Bb%3Dc%26d");
	check(cbw_html_url_arg, "/?#[]@!$'()*,;%",
	    "%2F%3F%23%5B%5D%40%21%24%27%28%29%2A%2C%3B%25");
	check(cbw_html_url_arg, "<\"`>", "%3C%22%60%3E");
	check(cbw_html_url_arg, "é", "%C3%A9");
	check(cbw_html_url_arg, "\x01\x7f\xff", "%01%7F%FF");
	check(cbw_html_url_arg, "+33 6 12", "%2B33%206%2012");
}

static void
test_raw(void **state)
{
	(void)state;
	check(cbw_html_raw, "<svg><path d=\"M0 0\"/></svg>",
	    "<svg><path d=\"M0 0\"/></svg>");
	check(cbw_html_raw, "", "");
	check(cbw_html_raw, NULL, "");
	check(cbw_html_raw, "&amp;\x01", "&amp;\x01");
}

static void
test_long(void **state)
{
	struct cbw_buf	 b;
	size_t		 i;

	(void)state;
	cbw_buf_init(&b);
	for (i = 0; i < 10000; i++)
		assert_int_equal(cbw_html_txt(&b, "<&>"), CBW_OK);
	assert_int_equal(b.len, 10000 * strlen("&lt;&amp;&gt;"));
	assert_memory_equal(b.data + b.len - 13, "&lt;&amp;&gt;", 13);
	cbw_buf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_txt_specials),
		cmocka_unit_test(test_txt_plain),
		cmocka_unit_test(test_txt_utf8),
		cmocka_unit_test(test_txt_controls),
		cmocka_unit_test(test_txtn),
		cmocka_unit_test(test_append),
		cmocka_unit_test(test_url_arg),
		cmocka_unit_test(test_raw),
		cmocka_unit_test(test_long),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
