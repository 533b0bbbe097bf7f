/*
 * Tests unitaires des aides JSON (lib/json.c).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include <json-c/json.h>

#include "app.h"
#include "http.h"
#include "json.h"

/* Analyse la chaîne littérale entière (NUL final exclu). */
#define PARSE(s, o)	cbw_json_parse_object((s), sizeof(s) - 1, (o))

static void
parse_bad(const char *s, size_t n)
{
	struct json_object	*o = (struct json_object *)&o;

	if (cbw_json_parse_object(s, n, &o) != CBW_EINVAL) {
		json_object_put(o);
		fail_msg("accepté à tort : « %.*s »", (int)n, s);
	}
	assert_null(o);
}

#define BAD(s)	parse_bad((s), sizeof(s) - 1)

static void
test_parse_valid(void **state)
{
	struct json_object	*o = NULL;
	const char		*s;

	(void)state;
	assert_int_equal(PARSE("{\"a\":\"x\",\"n\":3}", &o), CBW_OK);
	assert_non_null(o);
	assert_true(json_object_is_type(o, json_type_object));
	assert_int_equal(cbw_json_get_str(o, "a", &s), CBW_OK);
	assert_string_equal(s, "x");
	json_object_put(o);

	assert_int_equal(PARSE("{}", &o), CBW_OK);
	assert_int_equal(json_object_object_length(o), 0);
	json_object_put(o);

	/* Blancs autour. */
	assert_int_equal(PARSE("{\"a\":\"1\"} \t\r\n", &o), CBW_OK);
	json_object_put(o);
	assert_int_equal(PARSE("\n  {\"a\":\"1\"}", &o), CBW_OK);
	json_object_put(o);

	/* Seuls les n premiers octets comptent. */
	assert_int_equal(cbw_json_parse_object("{\"a\":1}garbage", 7, &o), CBW_OK);
	json_object_put(o);

	/* Objets imbriqués, échappements. */
	assert_int_equal(PARSE("{\"o\":{\"l\":[1,2,{\"x\":null}]},"
	    "\"e\":\"\\u00e9\\n\\\"\"}", &o), CBW_OK);
	assert_int_equal(cbw_json_get_str(o, "e", &s), CBW_OK);
	assert_string_equal(s, "é\n\"");
	json_object_put(o);

	/* Clé répétée : la dernière l'emporte. */
	assert_int_equal(PARSE("{\"a\":\"1\",\"a\":\"2\"}", &o), CBW_OK);
	assert_int_equal(cbw_json_get_str(o, "a", &s), CBW_OK);
	assert_string_equal(s, "2");
	json_object_put(o);
}

static void
test_parse_invalid(void **state)
{
	(void)state;
	BAD("");
	BAD("   ");
	BAD("{");
	BAD("{\"a\":");
	BAD("{\"a\":1");
	BAD("{\"a\":1} x");
	BAD("{\"a\":1}{}");
	BAD("{\"a\":1}}");
	BAD("{\"a\":1},");
	BAD("{\"a\":1}\0");
	BAD("{\"a\":1}\0 ");
	BAD("{\"a\":1,}");
	BAD("{\"a\":01}");
	BAD("{a:1}");
	BAD("[]");
	BAD("[{\"a\":1}]");
	BAD("null");
	BAD("true");
	BAD("1");
	BAD("\"str\"");
	BAD("x{\"a\":1}");
	BAD("\xef\xbb\xbf{}");	/* BOM */
}

/*
 * JSON_TOKENER_STRICT de json-c 0.16 laisse passer des formes qui ne sont
 * pas du JSON (RFC 8259) : guillemets simples, NaN, Infinity, caractère de
 * contrôle brut dans une chaîne. cbw_json_parse_object promet CBW_EINVAL
 * pour un corps invalide.
 */
static void
test_parse_not_json(void **state)
{
	(void)state;
	BAD("{'a':1}");
	BAD("{\"a\":'x'}");
	BAD("{\"a\":NaN}");
	BAD("{\"a\":Infinity}");
	BAD("{\"a\":\"x\ty\"}");
	BAD("{\"a\":\"x\ny\"}");
}

/* UTF-8 invalide : l'analyse l'accepte, la lecture du champ le refuse. */
static void
test_utf8(void **state)
{
	struct json_object	*o = NULL;
	const char		*s = "x";

	(void)state;
	assert_int_equal(PARSE("{\"a\":\"\xff\",\"b\":\"\xed\xa0\x80\","
	    "\"c\":\"\xc0\x80\",\"d\":\"x\\u0000y\",\"e\":\"\\ud83d\\ude00\","
	    "\"f\":\"\\ud800\",\"g\":\"\xf0\x9f\x98\x80\"}", &o), CBW_OK);
	assert_int_equal(cbw_json_get_str(o, "a", &s), CBW_EINVAL);
	assert_null(s);
	assert_int_equal(cbw_json_get_str(o, "b", &s), CBW_EINVAL);
	assert_int_equal(cbw_json_get_str(o, "c", &s), CBW_EINVAL);
	/* \u0000 : NUL interne refusé. */
	assert_int_equal(cbw_json_get_str(o, "d", &s), CBW_EINVAL);
	assert_null(s);
	/* Paire de surrogates échappée : U+1F600 en UTF-8. */
	assert_int_equal(cbw_json_get_str(o, "e", &s), CBW_OK);
	assert_string_equal(s, "\xf0\x9f\x98\x80");
	/* Surrogate isolé échappé : remplacé par U+FFFD, donc valide. */
	assert_int_equal(cbw_json_get_str(o, "f", &s), CBW_OK);
	assert_string_equal(s, "\xef\xbf\xbd");
	assert_int_equal(cbw_json_get_str(o, "g", &s), CBW_OK);
	assert_string_equal(s, "😀");
	json_object_put(o);
}

static void
test_get_str(void **state)
{
	struct json_object	*o = NULL;
	const char		*s;

	(void)state;
	assert_int_equal(PARSE("{\"s\":\"texte\",\"e\":\"\",\"n\":1,\"b\":true,"
	    "\"z\":null,\"o\":{},\"l\":[\"x\"]}", &o), CBW_OK);
	s = NULL;
	assert_int_equal(cbw_json_get_str(o, "s", &s), CBW_OK);
	assert_string_equal(s, "texte");
	assert_int_equal(cbw_json_get_str(o, "e", &s), CBW_OK);
	assert_string_equal(s, "");
	s = "x";
	assert_int_equal(cbw_json_get_str(o, "n", &s), CBW_EINVAL);
	assert_null(s);
	assert_int_equal(cbw_json_get_str(o, "b", &s), CBW_EINVAL);
	assert_int_equal(cbw_json_get_str(o, "o", &s), CBW_EINVAL);
	assert_int_equal(cbw_json_get_str(o, "l", &s), CBW_EINVAL);
	s = "x";
	assert_int_equal(cbw_json_get_str(o, "z", &s), CBW_ENOTFOUND);
	assert_null(s);
	assert_int_equal(cbw_json_get_str(o, "absent", &s), CBW_ENOTFOUND);
	assert_int_equal(cbw_json_get_str(o, "S", &s), CBW_ENOTFOUND);
	assert_int_equal(cbw_json_get_str(NULL, "s", &s), CBW_ENOTFOUND);
	json_object_put(o);
}

static void
test_get_bool(void **state)
{
	struct json_object	*o = NULL;
	int			 b;

	(void)state;
	assert_int_equal(PARSE("{\"t\":true,\"f\":false,\"one\":1,\"zero\":0,"
	    "\"str\":\"true\",\"z\":null}", &o), CBW_OK);
	b = -1;
	assert_int_equal(cbw_json_get_bool(o, "t", &b), CBW_OK);
	assert_int_equal(b, 1);
	assert_int_equal(cbw_json_get_bool(o, "f", &b), CBW_OK);
	assert_int_equal(b, 0);
	b = -1;
	assert_int_equal(cbw_json_get_bool(o, "one", &b), CBW_EINVAL);
	assert_int_equal(cbw_json_get_bool(o, "zero", &b), CBW_EINVAL);
	assert_int_equal(cbw_json_get_bool(o, "str", &b), CBW_EINVAL);
	assert_int_equal(b, -1);
	assert_int_equal(cbw_json_get_bool(o, "z", &b), CBW_ENOTFOUND);
	assert_int_equal(cbw_json_get_bool(o, "absent", &b), CBW_ENOTFOUND);
	assert_int_equal(cbw_json_get_bool(NULL, "t", &b), CBW_ENOTFOUND);
	assert_int_equal(b, -1);
	json_object_put(o);
}

static const char *
plain(struct json_object *o)
{
	return json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
}

static void
test_error_envelope(void **state)
{
	struct json_object	*o, *fields = NULL;

	(void)state;
	o = cbw_json_error("not_found", "Ressource introuvable.", NULL);
	assert_non_null(o);
	assert_string_equal(plain(o),
	    "{\"error\":\"not_found\",\"message\":\"Ressource introuvable.\"}");
	json_object_put(o);

	cbw_json_field(&fields, "email", "Adresse e-mail invalide.");
	assert_non_null(fields);
	cbw_json_field(&fields, "password", "Trop court « 8 ».");
	o = cbw_json_error("validation_error", "Données invalides.", fields);
	assert_string_equal(plain(o),
	    "{\"error\":\"validation_error\",\"message\":\"Données invalides.\","
	    "\"fields\":{\"email\":\"Adresse e-mail invalide.\","
	    "\"password\":\"Trop court « 8 ».\"}}");
	json_object_put(o);	/* libère aussi fields */

	/* Caractères à échapper. */
	o = cbw_json_error("x", "a\"b\\c\n</script>", NULL);
	assert_string_equal(plain(o),
	    "{\"error\":\"x\",\"message\":\"a\\\"b\\\\c\\n<\\/script>\"}");
	json_object_put(o);
}

static void
test_list_envelope(void **state)
{
	struct json_object	*items, *it, *o;

	(void)state;
	items = json_object_new_array();
	it = json_object_new_object();
	json_object_object_add(it, "id", json_object_new_int64(1));
	json_object_object_add(it, "email", json_object_new_string("a@b.fr"));
	json_object_array_add(items, it);
	o = cbw_json_list(items, 41, 3, 20);
	assert_non_null(o);
	assert_string_equal(plain(o),
	    "{\"items\":[{\"id\":1,\"email\":\"a@b.fr\"}],\"total\":41,"
	    "\"page\":3,\"per_page\":20}");
	json_object_put(o);

	o = cbw_json_list(json_object_new_array(), 0, 1, 50);
	assert_string_equal(plain(o),
	    "{\"items\":[],\"total\":0,\"page\":1,\"per_page\":50}");
	json_object_put(o);

	o = cbw_json_list(json_object_new_array(), 9007199254740992LL, 1, 1);
	assert_string_equal(plain(o), "{\"items\":[],\"total\":9007199254740992,"
	    "\"page\":1,\"per_page\":1}");
	json_object_put(o);
}

/* Rend ce que cbw_input_ids lit sous « ids » dans le corps JSON `body`. */
static enum cbw_err
ids_of(const char *body, long long *ids, size_t max, size_t *n)
{
	struct cbw_req	 r;
	enum cbw_err	 er;

	cbw_req_init(&r);
	r.is_api = 1;
	assert_int_equal(cbw_json_parse_object(body, strlen(body), &r.json),
	    CBW_OK);
	er = cbw_input_ids(&r, "ids", ids, max, n);
	cbw_req_free(&r);
	return er;
}

/*
 * Identifiants d'un corps JSON : de 1 à 2^53 comme ceux des formulaires et
 * des chemins (cbw_valid_id). json-c ramène tout entier trop grand à
 * INT64_MAX : avant la borne, [99999999999999999999] et
 * [9223372036854775807] donnaient le même identifiant (trouvé par
 * t/fuzz/fuzz_json).
 */
static void
test_input_ids(void **state)
{
	struct cbw_req	 r;
	long long	 ids[4];
	size_t		 n;

	(void)state;
	assert_int_equal(ids_of("{\"ids\":[1,9007199254740992]}", ids, 4, &n),
	    CBW_OK);
	assert_int_equal(n, 2);
	assert_true(ids[0] == 1 && ids[1] == 9007199254740992LL);
	assert_int_equal(ids_of("{\"ids\":[]}", ids, 4, &n), CBW_OK);
	assert_int_equal(n, 0);
	assert_int_equal(ids_of("{\"ids\":null}", ids, 4, &n), CBW_ENOTFOUND);
	assert_int_equal(ids_of("{\"ids\":[9007199254740993]}", ids, 4, &n),
	    CBW_EINVAL);
	assert_int_equal(ids_of("{\"ids\":[9223372036854775807]}", ids, 4, &n),
	    CBW_EINVAL);
	assert_int_equal(ids_of("{\"ids\":[99999999999999999999]}", ids, 4, &n),
	    CBW_EINVAL);
	assert_int_equal(ids_of("{\"ids\":[0]}", ids, 4, &n), CBW_EINVAL);
	assert_int_equal(ids_of("{\"ids\":[-3]}", ids, 4, &n), CBW_EINVAL);
	assert_int_equal(ids_of("{\"ids\":[1.0]}", ids, 4, &n), CBW_EINVAL);
	assert_int_equal(ids_of("{\"ids\":[\"1\"]}", ids, 4, &n), CBW_EINVAL);
	assert_int_equal(ids_of("{\"ids\":[1,2,3,4,5]}", ids, 4, &n), CBW_EINVAL);

	/* Même borne pour les cases répétées d'un formulaire. */
	cbw_req_init(&r);
	assert_int_equal(cbw_http_parse_urlencoded(&r.form,
	    "ids=9007199254740992&ids=&ids=7", 31), CBW_OK);
	assert_int_equal(cbw_input_ids(&r, "ids", ids, 4, &n), CBW_OK);
	assert_int_equal(n, 2);
	assert_true(ids[0] == 9007199254740992LL && ids[1] == 7);
	cbw_req_free(&r);
	cbw_req_init(&r);
	assert_int_equal(cbw_http_parse_urlencoded(&r.form,
	    "ids=9007199254740993", 20), CBW_OK);
	assert_int_equal(cbw_input_ids(&r, "ids", ids, 4, &n), CBW_EINVAL);
	cbw_req_free(&r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_valid),
		cmocka_unit_test(test_parse_invalid),
		cmocka_unit_test(test_parse_not_json),
		cmocka_unit_test(test_utf8),
		cmocka_unit_test(test_get_str),
		cmocka_unit_test(test_get_bool),
		cmocka_unit_test(test_error_envelope),
		cmocka_unit_test(test_list_envelope),
		cmocka_unit_test(test_input_ids),
	};

	return cmocka_run_group_tests_name("json", tests, NULL, NULL);
}
