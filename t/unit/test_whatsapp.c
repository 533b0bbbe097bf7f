/*
 * Tests unitaires du client WhatsApp Cloud (lib/whatsapp.c) : corps JSON
 * des messages, table de classement, lecture des réponses, et envois réels
 * par libcurl vers un petit serveur HTTP lancé dans un fil du processus de
 * test (127.0.0.1, port choisi par le système).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "buf.h"
#include "config.h"
#include "json.h"
#include "valid.h"
#include "whatsapp.h"

#define TOKEN		"EAAtestTOKEN0123456789abcdef"
#define PHONE_ID	"106540352242922"
#define TO		"33612345678"

/* ------------------------------------------------------------------ */
/* Aides JSON                                                          */
/* ------------------------------------------------------------------ */

/* Analyse le tampon avec le lecteur strict du projet ; échoue sinon. */
static struct json_object *
parse_ok(const struct cbw_buf *b)
{
	struct json_object	*o = NULL;

	if (cbw_json_parse_object(b->data, b->len, &o) != CBW_OK)
		fail_msg("JSON invalide : %s", cbw_buf_str(b));
	return o;
}

/* Membre `key` de o, qui doit exister et être du type t. */
static struct json_object *
member(struct json_object *o, const char *key, json_type t)
{
	struct json_object	*v = NULL;

	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, t))
		fail_msg("champ « %s » absent ou de mauvais type", key);
	return v;
}

/* Chaîne du membre `key`. */
static const char *
str(struct json_object *o, const char *key)
{
	return json_object_get_string(member(o, key, json_type_string));
}

/* Vérifie l'enveloppe commune (exactement cinq champs). */
static void
check_envelope(struct json_object *o, const char *to, const char *type)
{
	assert_int_equal(json_object_object_length(o), 5);
	assert_string_equal(str(o, "messaging_product"), "whatsapp");
	assert_string_equal(str(o, "recipient_type"), "individual");
	assert_string_equal(str(o, "to"), to);
	assert_string_equal(str(o, "type"), type);
}

/* Construit un corps texte, vérifie tous ses champs ; rend preview_url. */
static int
text_roundtrip(const char *to, const char *text)
{
	struct json_object	*o, *t;
	struct cbw_buf		 b;
	int			 preview;

	cbw_buf_init(&b);
	assert_int_equal(cbw_wa_text_body(&b, to, text), CBW_OK);
	o = parse_ok(&b);
	check_envelope(o, to, "text");
	t = member(o, "text", json_type_object);
	assert_int_equal(json_object_object_length(t), 2);
	preview = json_object_get_boolean(member(t, "preview_url",
	    json_type_boolean));
	assert_string_equal(str(t, "body"), text);
	assert_int_equal(json_object_get_string_len(member(t, "body",
	    json_type_string)), strlen(text));
	json_object_put(o);
	cbw_buf_free(&b);
	return preview;
}

/* Le corps texte est refusé (CBW_EINVAL) et rien n'est écrit. */
static void
text_bad(const char *to, const char *text)
{
	struct cbw_buf	 b;

	cbw_buf_init(&b);
	if (cbw_wa_text_body(&b, to, text) != CBW_EINVAL)
		fail_msg("accepté à tort : to=%s", to ? to : "NULL");
	assert_int_equal(b.len, 0);
	cbw_buf_free(&b);
}

/* n copies de l'unité u dans une chaîne allouée. */
static char *
repeat(const char *u, size_t n)
{
	size_t	 k = strlen(u), i;
	char	*s = malloc(k * n + 1);

	assert_non_null(s);
	for (i = 0; i < n; i++)
		memcpy(s + i * k, u, k);
	s[k * n] = '\0';
	return s;
}

/* ------------------------------------------------------------------ */
/* Corps des messages                                                  */
/* ------------------------------------------------------------------ */

/* Forme exacte d'un message texte simple. */
static void
test_text_body_exact(void **state)
{
	struct cbw_buf	 b;

	(void)state;
	cbw_buf_init(&b);
	assert_int_equal(cbw_wa_text_body(&b, TO, "Bonjour Anna"), CBW_OK);
	assert_string_equal(cbw_buf_str(&b), "{\"messaging_product\":\"whatsapp\","
	    "\"recipient_type\":\"individual\",\"to\":\"33612345678\","
	    "\"type\":\"text\",\"text\":{\"preview_url\":false,"
	    "\"body\":\"Bonjour Anna\"}}");
	cbw_buf_free(&b);
	assert_false(text_roundtrip(TO, "Bonjour Anna"));
}

/* preview_url vaut vrai si le texte contient une adresse http(s). */
static void
test_text_preview(void **state)
{
	(void)state;
	assert_true(text_roundtrip(TO, "Voir https://exemple.fr/promo?x=1."));
	assert_true(text_roundtrip(TO, "Voir HTTP://EXEMPLE.FR"));
	assert_true(text_roundtrip(TO, "http://a.fr"));
	assert_false(text_roundtrip(TO, "Voir www.exemple.fr"));
	assert_false(text_roundtrip(TO, "Voir ftp://exemple.fr ou https:/x"));
}

/* Texte hostile : guillemets, barres, contrôles, emoji... JSON toujours valide. */
static void
test_text_escaping(void **state)
{
	static const char *const hostile[] = {
		"\"", "\\", "\\\"", "a\"b\\c/d</script>",
		"ligne 1\nligne 2\r\n\ttab", "\x01\x02\x1f\x7f",
		"\"},\"to\":\"33600000000\",\"x\":{\"",
		"\\u0000 \\ud800 \\n", "Prix : 10 € 🎉 — « promo » 日本語",
		"\xf0\x9f\x91\xa9\xe2\x80\x8d\xf0\x9f\x92\xbb", "'; DROP TABLE x; --",
		"\xe2\x80\xa8\xe2\x80\xa9 séparateurs", "{{1}} %s %n",
	};
	size_t	 i;

	(void)state;
	for (i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++)
		text_roundtrip(TO, hostile[i]);
}

/* Destinataire : 7 à 15 chiffres ASCII, rien d'autre. */
static void
test_text_bad_to(void **state)
{
	static const char *const bad[] = { "", "123456", "1234567890123456",
		"+33612345678", "3361234567a", "33 612345678", "33-612345678",
		"٣٣٦١٢٣٤٥٦٧٨", "33612345678\n", "0x1234567",
	};
	size_t	 i;

	(void)state;
	text_bad(NULL, "x");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		text_bad(bad[i], "x");
	text_roundtrip("1234567", "x");
	text_roundtrip("123456789012345", "x");
}

/* Texte : non vide, UTF-8 valide, au plus 4096 points de code. */
static void
test_text_length(void **state)
{
	static const char *const units[] = { "a", "é", "€", "😀" };
	char	*s;
	size_t	 i;

	(void)state;
	text_bad(TO, NULL);
	text_bad(TO, "");
	text_bad(TO, "\xff");
	text_bad(TO, "ok \xc3");
	text_bad(TO, "\xc0\xaf");		/* forme trop longue */
	text_bad(TO, "\xed\xa0\x80");		/* surrogate */
	text_bad(TO, "\xf4\x90\x80\x80");	/* au-delà de U+10FFFF */
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		s = repeat(units[i], 4096);
		text_roundtrip(TO, s);
		free(s);
		s = repeat(units[i], 4097);
		text_bad(TO, s);
		free(s);
	}
}

/* Le corps s'écrit à la suite du contenu du tampon. */
static void
test_text_appends(void **state)
{
	struct cbw_buf	 b;

	(void)state;
	cbw_buf_init(&b);
	assert_int_equal(cbw_buf_puts(&b, "X"), CBW_OK);
	assert_int_equal(cbw_wa_text_body(&b, TO, "a"), CBW_OK);
	assert_int_equal(b.data[0], 'X');
	assert_int_equal(b.data[1], '{');
	cbw_buf_free(&b);
}

/* Modèle sans paramètre : pas de « components ». */
static void
test_template_no_params(void **state)
{
	struct json_object	*o, *t, *l;
	struct cbw_buf		 b;

	(void)state;
	cbw_buf_init(&b);
	assert_int_equal(cbw_wa_template_body(&b, TO, "hello_world", "fr", NULL,
	    0), CBW_OK);
	assert_string_equal(cbw_buf_str(&b), "{\"messaging_product\":\"whatsapp\","
	    "\"recipient_type\":\"individual\",\"to\":\"33612345678\","
	    "\"type\":\"template\",\"template\":{\"name\":\"hello_world\","
	    "\"language\":{\"code\":\"fr\"}}}");
	o = parse_ok(&b);
	check_envelope(o, TO, "template");
	t = member(o, "template", json_type_object);
	assert_int_equal(json_object_object_length(t), 2);
	assert_string_equal(str(t, "name"), "hello_world");
	l = member(t, "language", json_type_object);
	assert_int_equal(json_object_object_length(l), 1);
	assert_string_equal(str(l, "code"), "fr");
	assert_false(json_object_object_get_ex(t, "components", NULL));
	json_object_put(o);
	cbw_buf_free(&b);
}

/* Modèle à deux paramètres : un composant « body », paramètres texte. */
static void
test_template_two_params(void **state)
{
	const char *const	 params[] = { "Anna", "#4711 \"\\ 🎉\n" };
	struct json_object	*o, *t, *comps, *c, *ps, *p;
	struct cbw_buf		 b;
	size_t			 i;

	(void)state;
	cbw_buf_init(&b);
	assert_int_equal(cbw_wa_template_body(&b, TO, "order_shipped", "en_US",
	    params, 2), CBW_OK);
	o = parse_ok(&b);
	check_envelope(o, TO, "template");
	t = member(o, "template", json_type_object);
	assert_int_equal(json_object_object_length(t), 3);
	assert_string_equal(str(t, "name"), "order_shipped");
	assert_string_equal(str(member(t, "language", json_type_object), "code"),
	    "en_US");
	comps = member(t, "components", json_type_array);
	assert_int_equal(json_object_array_length(comps), 1);
	c = json_object_array_get_idx(comps, 0);
	assert_true(json_object_is_type(c, json_type_object));
	assert_int_equal(json_object_object_length(c), 2);
	assert_string_equal(str(c, "type"), "body");
	ps = member(c, "parameters", json_type_array);
	assert_int_equal(json_object_array_length(ps), 2);
	for (i = 0; i < 2; i++) {
		p = json_object_array_get_idx(ps, i);
		assert_int_equal(json_object_object_length(p), 2);
		assert_string_equal(str(p, "type"), "text");
		assert_string_equal(str(p, "text"), params[i]);
	}
	json_object_put(o);
	cbw_buf_free(&b);
}

/* Modèle : nom, langue, paramètres et destinataire vérifiés. */
static void
test_template_bad(void **state)
{
	const char *const	 ok[] = { "Anna" };
	const char *const	 empty[] = { "Anna", "" };
	const char *const	 badutf[] = { "\xff" };
	const char *const	 withnull[] = { "Anna", NULL };
	struct cbw_buf		 b;
	char			*s;

	(void)state;
	cbw_buf_init(&b);
	assert_int_equal(cbw_wa_template_body(&b, "123", "n", "fr", ok, 1),
	    CBW_EINVAL);
	assert_int_equal(cbw_wa_template_body(&b, TO, "", "fr", ok, 1), CBW_EINVAL);
	assert_int_equal(cbw_wa_template_body(&b, TO, NULL, "fr", ok, 1),
	    CBW_EINVAL);
	assert_int_equal(cbw_wa_template_body(&b, TO, "a\nb", "fr", ok, 1),
	    CBW_EINVAL);
	assert_int_equal(cbw_wa_template_body(&b, TO, "n", "", ok, 1), CBW_EINVAL);
	assert_int_equal(cbw_wa_template_body(&b, TO, "n", NULL, ok, 1),
	    CBW_EINVAL);
	assert_int_equal(cbw_wa_template_body(&b, TO, "n", "fr FR", ok, 1),
	    CBW_EINVAL);
	assert_int_equal(cbw_wa_template_body(&b, TO, "n", "f", ok, 1), CBW_EINVAL);
	assert_int_equal(cbw_wa_template_body(&b, TO, "n", "fr", NULL, 2),
	    CBW_EINVAL);
	assert_int_equal(cbw_wa_template_body(&b, TO, "n", "fr", empty, 2),
	    CBW_EINVAL);
	assert_int_equal(cbw_wa_template_body(&b, TO, "n", "fr", withnull, 2),
	    CBW_EINVAL);
	assert_int_equal(cbw_wa_template_body(&b, TO, "n", "fr", badutf, 1),
	    CBW_EINVAL);
	s = repeat("x", 4097);
	{
		const char *const long1[] = { s };

		assert_int_equal(cbw_wa_template_body(&b, TO, "n", "fr", long1, 1),
		    CBW_EINVAL);
	}
	free(s);
	s = repeat("n", 513);
	assert_int_equal(cbw_wa_template_body(&b, TO, s, "fr", NULL, 0),
	    CBW_EINVAL);
	free(s);
	assert_int_equal(b.len, 0);
	assert_int_equal(cbw_wa_template_body(&b, TO, "promo_été", "pt_BR", ok, 1),
	    CBW_OK);
	cbw_buf_free(&b);
}

/* ------------------------------------------------------------------ */
/* Classement                                                          */
/* ------------------------------------------------------------------ */

struct want_class {
	long long		 code;
	enum cbw_wa_class	 cls;
};

/* Tous les codes de la table (référence §2.2) et leur classe. */
static const struct want_class table[] = {
	{ 4, CBW_WA_RETRYABLE }, { 80007, CBW_WA_RETRYABLE },
	{ 130429, CBW_WA_RETRYABLE }, { 131056, CBW_WA_RETRYABLE },
	{ 131048, CBW_WA_RETRYABLE }, { 131049, CBW_WA_RETRYABLE },
	{ 131000, CBW_WA_RETRYABLE }, { 1, CBW_WA_RETRYABLE },
	{ 2, CBW_WA_RETRYABLE }, { 131016, CBW_WA_RETRYABLE },
	{ 131057, CBW_WA_RETRYABLE }, { 133004, CBW_WA_RETRYABLE },
	{ CBW_WA_CODE_NETWORK, CBW_WA_RETRYABLE },
	{ CBW_WA_CODE_TIMEOUT, CBW_WA_RETRYABLE },

	{ 131026, CBW_WA_PERMANENT }, { 131030, CBW_WA_PERMANENT },
	{ 131047, CBW_WA_PERMANENT }, { 131050, CBW_WA_PERMANENT },
	{ 131051, CBW_WA_PERMANENT }, { 131052, CBW_WA_PERMANENT },
	{ 131053, CBW_WA_PERMANENT }, { 131021, CBW_WA_PERMANENT },
	{ 131008, CBW_WA_PERMANENT }, { 131009, CBW_WA_PERMANENT },
	{ 100, CBW_WA_PERMANENT }, { 130472, CBW_WA_PERMANENT },
	{ 135000, CBW_WA_PERMANENT }, { 132000, CBW_WA_PERMANENT },
	{ 132001, CBW_WA_PERMANENT }, { 132005, CBW_WA_PERMANENT },
	{ 132007, CBW_WA_PERMANENT }, { 132008, CBW_WA_PERMANENT },
	{ 132012, CBW_WA_PERMANENT }, { 132015, CBW_WA_PERMANENT },
	{ 132016, CBW_WA_PERMANENT }, { CBW_WA_CODE_HTTP, CBW_WA_PERMANENT },
	{ CBW_WA_CODE_GARBAGE, CBW_WA_PERMANENT },

	{ 0, CBW_WA_STOP }, { 190, CBW_WA_STOP }, { 3, CBW_WA_STOP },
	{ 10, CBW_WA_STOP }, { 200, CBW_WA_STOP }, { 201, CBW_WA_STOP },
	{ 250, CBW_WA_STOP }, { 299, CBW_WA_STOP }, { 368, CBW_WA_STOP },
	{ 131031, CBW_WA_STOP }, { 131005, CBW_WA_STOP }, { 131042, CBW_WA_STOP },
	{ 131045, CBW_WA_STOP }, { 133010, CBW_WA_STOP }, { 131064, CBW_WA_STOP },
	{ 130497, CBW_WA_STOP },
};

/* Chaque code connu a sa classe et un texte français propre (UTF-8). */
static void
test_classify_table(void **state)
{
	const char	*generic, *fr;
	size_t		 i;

	(void)state;
	assert_int_equal(cbw_wa_classify(987654321, &generic), CBW_WA_PERMANENT);
	assert_non_null(generic);
	for (i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		fr = NULL;
		if (cbw_wa_classify(table[i].code, &fr) != table[i].cls)
			fail_msg("code %lld : classe %s", table[i].code,
			    cbw_wa_class_name(cbw_wa_classify(table[i].code, NULL)));
		assert_non_null(fr);
		if (fr == generic || strlen(fr) < 20 ||
		    !cbw_valid_utf8(fr, strlen(fr)))
			fail_msg("code %lld : texte « %s »", table[i].code, fr);
		assert_int_equal(cbw_wa_classify(table[i].code, NULL), table[i].cls);
	}
	cbw_wa_classify(131026, &fr);
	assert_string_equal(fr, "Message non distribuable : ce numéro n'est pas "
	    "sur WhatsApp ou ne peut pas recevoir ce message.");
	cbw_wa_classify(131047, &fr);
	assert_string_equal(fr, "Plus de 24 h depuis le dernier message du "
	    "contact : WhatsApp exige un modèle approuvé pour reprendre contact.");
	cbw_wa_classify(130429, &fr);
	assert_string_equal(fr, "Limite de débit de WhatsApp atteinte : nouvel "
	    "essai plus tard.");
	cbw_wa_classify(190, &fr);
	assert_string_equal(fr, "Jeton d'accès WhatsApp expiré ou invalide : "
	    "mettez à jour WHATSAPP_ACCESS_TOKEN.");
	cbw_wa_classify(CBW_WA_CODE_GARBAGE, &fr);
	assert_non_null(strstr(fr, "peut-être"));
}

/* Codes inconnus : permanents, texte générique. */
static void
test_classify_unknown(void **state)
{
	static const long long unknown[] = { 5, 99, 101, 199, 300, 367, 369,
		131001, 131027, 999999, -5, -100, INT64_MAX, INT64_MIN };
	const char	*generic, *fr;
	size_t		 i;

	(void)state;
	cbw_wa_classify(987654321, &generic);
	assert_non_null(strstr(generic, "non répertoriée"));
	for (i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++) {
		fr = NULL;
		assert_int_equal(cbw_wa_classify(unknown[i], &fr), CBW_WA_PERMANENT);
		assert_ptr_equal(fr, generic);
	}
	assert_string_equal(cbw_wa_class_name(CBW_WA_OK), "ok");
	assert_string_equal(cbw_wa_class_name(CBW_WA_RETRYABLE), "retryable");
	assert_string_equal(cbw_wa_class_name(CBW_WA_PERMANENT), "permanent");
	assert_string_equal(cbw_wa_class_name(CBW_WA_STOP), "stop");
	assert_string_equal(cbw_wa_class_name(CBW_WA_CLASS__MAX), "?");
}

/* ------------------------------------------------------------------ */
/* Lecture des réponses                                                */
/* ------------------------------------------------------------------ */

#define PARSE(st, lit, r)	cbw_wa_parse_response((st), (lit), sizeof(lit) - 1, (r))

/* Invariants de tout résultat : chaînes terminées, UTF-8, pas de wamid en erreur. */
static void
check_res(const struct cbw_wa_result *r)
{
	assert_non_null(memchr(r->wamid, '\0', sizeof(r->wamid)));
	assert_non_null(memchr(r->error, '\0', sizeof(r->error)));
	assert_non_null(memchr(r->fbtrace_id, '\0', sizeof(r->fbtrace_id)));
	assert_true(cbw_valid_utf8(r->error, strlen(r->error)));
	if (r->cls == CBW_WA_OK) {
		assert_int_equal(r->code, 0);
		assert_true(r->wamid[0] != '\0');
		assert_string_equal(r->error, "");
	} else {
		assert_string_equal(r->wamid, "");
		assert_true(r->error[0] != '\0');
	}
}

/* Réponse de succès (référence §1.5), avec ou sans message_status. */
static void
test_parse_success(void **state)
{
	struct cbw_wa_result	 r;

	(void)state;
	memset(&r, 'x', sizeof(r));
	PARSE(200, "{\n  \"messaging_product\": \"whatsapp\",\n"
	    "  \"contacts\": [ { \"input\": \"4915112345678\", \"wa_id\": "
	    "\"4915112345678\" } ],\n  \"messages\": [ { \"id\": "
	    "\"wamid.HBgNNDkxNTExMjM0NTY3OBUCABEYEjk5QTFDQjJFRkY0N0Q0NkYA\", "
	    "\"message_status\": \"accepted\" } ]\n}\n", &r);
	check_res(&r);
	assert_int_equal(r.cls, CBW_WA_OK);
	assert_int_equal(r.http_status, 200);
	assert_string_equal(r.wamid,
	    "wamid.HBgNNDkxNTExMjM0NTY3OBUCABEYEjk5QTFDQjJFRkY0N0Q0NkYA");
	assert_string_equal(r.fbtrace_id, "");

	PARSE(200, "{\"messaging_product\":\"whatsapp\",\"contacts\":[{\"input\":"
	    "\"33612345678\",\"wa_id\":\"33612345678\"}],\"messages\":[{\"id\":"
	    "\"wamid.ABC=\"}]}", &r);
	check_res(&r);
	assert_int_equal(r.cls, CBW_WA_OK);
	assert_string_equal(r.wamid, "wamid.ABC=");

	/* Barres échappées « \/ » comme Graph les écrit. */
	PARSE(201, "{\"messages\":[{\"id\":\"wamid.HB\\/gN+x\\/y==\"}]}", &r);
	check_res(&r);
	assert_int_equal(r.cls, CBW_WA_OK);
	assert_int_equal(r.http_status, 201);
	assert_string_equal(r.wamid, "wamid.HB/gN+x/y==");
}

/* Un objet d'erreur Graph (forme de la référence §2.1). */
#define GRAPH(code, extra)	"{\"error\":{\"message\":\"(#" #code ") Titre\"," \
	"\"type\":\"OAuthException\",\"code\":" #code extra "}}"

/* Erreurs Graph classées sur error.code. */
static void
test_parse_graph_errors(void **state)
{
	const char		*fr;
	struct cbw_wa_result	 r;

	(void)state;
	PARSE(400, "{\"error\":{\"message\":\"(#131026) Message undeliverable\","
	    "\"type\":\"OAuthException\",\"code\":131026,\"error_data\":{"
	    "\"messaging_product\":\"whatsapp\",\"details\":\"Message "
	    "Undeliverable.\"},\"fbtrace_id\":\"AbCdEf123456789xyz\"}}", &r);
	check_res(&r);
	assert_int_equal(r.cls, CBW_WA_PERMANENT);
	assert_int_equal(r.code, 131026);
	assert_int_equal(r.http_status, 400);
	assert_string_equal(r.fbtrace_id, "AbCdEf123456789xyz");
	assert_string_equal(r.error, "Message non distribuable : ce numéro n'est "
	    "pas sur WhatsApp ou ne peut pas recevoir ce message. (code 131026) "
	    "(Message Undeliverable.)");

	PARSE(400, GRAPH(130429, ""), &r);
	check_res(&r);
	assert_int_equal(r.cls, CBW_WA_RETRYABLE);
	assert_int_equal(r.code, 130429);
	/* Sans error_data.details : le message de Graph sert de détail. */
	assert_string_equal(r.error, "Limite de débit de WhatsApp atteinte : "
	    "nouvel essai plus tard. (code 130429) ((#130429) Titre)");
	PARSE(429, GRAPH(130429, ""), &r);
	assert_int_equal(r.cls, CBW_WA_RETRYABLE);
	assert_int_equal(r.http_status, 429);

	PARSE(401, "{\"error\":{\"message\":\"Error validating access token: "
	    "Session has expired\",\"type\":\"OAuthException\",\"code\":190,"
	    "\"error_subcode\":463,\"fbtrace_id\":\"A1b2\"}}", &r);
	check_res(&r);
	assert_int_equal(r.cls, CBW_WA_STOP);
	assert_int_equal(r.code, 190);
	assert_int_equal(r.http_status, 401);
	assert_string_equal(r.fbtrace_id, "A1b2");
	assert_non_null(strstr(r.error, "WHATSAPP_ACCESS_TOKEN"));
	assert_non_null(strstr(r.error, "(code 190, sous-code 463)"));

	PARSE(400, "{\"error\":{\"message\":\"(#131030) Recipient phone number "
	    "not in allowed list\",\"type\":\"OAuthException\",\"code\":131030,"
	    "\"error_subcode\":2655007,\"error_data\":{\"messaging_product\":"
	    "\"whatsapp\",\"details\":\"Recipient phone number not in allowed "
	    "list: Add recipient phone number to recipient list and try again."
	    "\"},\"fbtrace_id\":\"AbCdEf123456789xyz\"}}", &r);
	check_res(&r);
	assert_int_equal(r.cls, CBW_WA_PERMANENT);
	assert_int_equal(r.code, 131030);
	cbw_wa_classify(131030, &fr);
	assert_memory_equal(r.error, fr, strlen(fr));
	assert_string_equal(r.error + strlen(fr), " (code 131030, sous-code "
	    "2655007) (Recipient phone number not in allowed list: Add recipient "
	    "phone number to recipient list and try again.)");

	PARSE(404, GRAPH(132001, ",\"error_data\":{\"details\":\"template name "
	    "(promo) does not exist in fr\"}"), &r);
	check_res(&r);
	assert_int_equal(r.cls, CBW_WA_PERMANENT);
	assert_int_equal(r.code, 132001);
	assert_int_equal(r.http_status, 404);
	assert_non_null(strstr(r.error, "(template name (promo) does not exist "
	    "in fr)"));

	/* 131000 avec 500 : réessayable ; 2 avec 503 aussi. */
	PARSE(500, GRAPH(131000, ""), &r);
	assert_int_equal(r.cls, CBW_WA_RETRYABLE);
	PARSE(503, GRAPH(2, ""), &r);
	assert_int_equal(r.cls, CBW_WA_RETRYABLE);
	/* 0 (AuthException) et la plage 200-299. */
	PARSE(401, GRAPH(0, ""), &r);
	assert_int_equal(r.cls, CBW_WA_STOP);
	assert_int_equal(r.code, 0);
	PARSE(403, GRAPH(299, ""), &r);
	assert_int_equal(r.cls, CBW_WA_STOP);

	/* Échappements de Graph : « \/ » et \u00e9 dans les détails. */
	PARSE(400, GRAPH(131053, ",\"error_data\":{\"details\":\"Voir https:\\/"
	    "\\/developers.facebook.com\\/docs caf\\u00e9\"}"), &r);
	check_res(&r);
	assert_non_null(strstr(r.error, "(Voir https://developers.facebook.com/"
	    "docs café)"));
}

/* Code inconnu : permanent, texte générique suivi du code. */
static void
test_parse_unknown_code(void **state)
{
	struct cbw_wa_result	 r;

	(void)state;
	PARSE(400, GRAPH(987654, ",\"error_data\":{\"details\":\"new thing\"}"),
	    &r);
	check_res(&r);
	assert_int_equal(r.cls, CBW_WA_PERMANENT);
	assert_int_equal(r.code, 987654);
	assert_non_null(strstr(r.error, "non répertoriée"));
	assert_non_null(strstr(r.error, "(code 987654) (new thing)"));
}

/* Corps non Graph sur un statut d'erreur : CBW_WA_CODE_HTTP. */
static void
test_parse_http(void **state)
{
	struct cbw_wa_result	 r;

	(void)state;
	PARSE(503, "<html><body><h1>503 Service Unavailable</h1></body></html>",
	    &r);
	check_res(&r);
	assert_int_equal(r.cls, CBW_WA_RETRYABLE);
	assert_int_equal(r.code, CBW_WA_CODE_HTTP);
	assert_int_equal(r.http_status, 503);
	assert_non_null(strstr(r.error, "(HTTP 503)"));

	cbw_wa_parse_response(429, NULL, 0, &r);
	check_res(&r);
	assert_int_equal(r.cls, CBW_WA_RETRYABLE);
	assert_int_equal(r.code, CBW_WA_CODE_HTTP);
	assert_int_equal(r.http_status, 429);

	cbw_wa_parse_response(400, "", 0, &r);
	assert_int_equal(r.cls, CBW_WA_PERMANENT);
	assert_int_equal(r.code, CBW_WA_CODE_HTTP);
	PARSE(404, "<html>Not Found</html>", &r);
	assert_int_equal(r.cls, CBW_WA_PERMANENT);
	PARSE(302, "", &r);
	assert_int_equal(r.cls, CBW_WA_PERMANENT);
	assert_int_equal(r.code, CBW_WA_CODE_HTTP);
	PARSE(500, "{\"error\":\"boom\"}", &r);
	assert_int_equal(r.cls, CBW_WA_RETRYABLE);
	assert_int_equal(r.code, CBW_WA_CODE_HTTP);

	/* error.code qui n'est pas un entier de 0 à 2^31 - 1. */
	PARSE(400, "{\"error\":{\"code\":\"131026\"}}", &r);
	assert_int_equal(r.code, CBW_WA_CODE_HTTP);
	assert_int_equal(r.cls, CBW_WA_PERMANENT);
	PARSE(400, "{\"error\":{\"code\":131026.0}}", &r);
	assert_int_equal(r.code, CBW_WA_CODE_HTTP);
	PARSE(400, "{\"error\":{\"code\":1.31026e5}}", &r);
	assert_int_equal(r.code, CBW_WA_CODE_HTTP);
	PARSE(400, "{\"error\":{\"code\":-1}}", &r);
	assert_int_equal(r.code, CBW_WA_CODE_HTTP);
	PARSE(400, "{\"error\":{\"code\":99999999999999999999999}}", &r);
	assert_int_equal(r.code, CBW_WA_CODE_HTTP);
	PARSE(400, "{\"error\":{\"code\":null}}", &r);
	assert_int_equal(r.code, CBW_WA_CODE_HTTP);
	PARSE(400, "{\"error\":{\"message\":\"x\"}}", &r);
	assert_int_equal(r.code, CBW_WA_CODE_HTTP);
	PARSE(502, "{\"error\":{\"code\":true}}", &r);
	assert_int_equal(r.code, CBW_WA_CODE_HTTP);
	assert_int_equal(r.cls, CBW_WA_RETRYABLE);
	/* JSON non strict (NaN, texte après l'objet) : illisible. */
	PARSE(400, "{\"error\":{\"code\":131026}} x", &r);
	assert_int_equal(r.code, CBW_WA_CODE_HTTP);
	PARSE(400, "{\"error\":{\"code\":NaN}}", &r);
	assert_int_equal(r.code, CBW_WA_CODE_HTTP);
}

/* 2xx illisible ou sans wamid : GARBAGE, permanent (risque de doublon). */
static void
test_parse_garbage(void **state)
{
	static const char *const bodies[] = {
		"garbage", "", "{}", "[]", "null", "{\"messages\":[]}",
		"{\"messages\":{}}", "{\"messages\":[{}]}",
		"{\"messages\":[{\"id\":\"\"}]}", "{\"messages\":[{\"id\":42}]}",
		"{\"messages\":[{\"id\":null}]}", "{\"messages\":[\"wamid.x\"]}",
		"{\"messages\":[{\"id\":\"wamid.\\u0001x\"}]}",
		"{\"messages\":[{\"id\":\"wamid. x\"}]}",
		"{\"messages\":[{\"id\":\"wamid.\\n\"}]}",
		"{\"messages\":[{\"id\":\"wamid.\\u00e9\"}]}",
		"{\"messaging_product\":\"whatsapp\"}",
		"{\"messages\":[{\"id\":\"wamid.x\"}]",
		"{\"error\":{\"code\":131026}}",
		"\xef\xbb\xbf{\"messages\":[{\"id\":\"wamid.x\"}]}",
	};
	struct cbw_wa_result	 r;
	char			 big[256];
	size_t			 i;

	(void)state;
	for (i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
		cbw_wa_parse_response(200, bodies[i], strlen(bodies[i]), &r);
		check_res(&r);
		if (r.cls != CBW_WA_PERMANENT || r.code != CBW_WA_CODE_GARBAGE)
			fail_msg("« %s » : %s %lld", bodies[i],
			    cbw_wa_class_name(r.cls), r.code);
		assert_int_equal(r.http_status, 200);
		assert_non_null(strstr(r.error, "peut-être"));
	}
	/* wamid trop long pour le tampon (159 octets tiennent, 160 non). */
	for (i = 159; i <= 160; i++) {
		snprintf(big, sizeof(big), "{\"messages\":[{\"id\":\"%.*s\"}]}",
		    (int)i, "wamid.xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
		    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
		    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
		cbw_wa_parse_response(200, big, strlen(big), &r);
		check_res(&r);
		assert_int_equal(r.code, i == 159 ? 0 : CBW_WA_CODE_GARBAGE);
		if (i == 159)
			assert_int_equal(strlen(r.wamid), 159);
	}
	/* Octet NUL dans le corps. */
	cbw_wa_parse_response(200, "{\"messages\":[{\"id\":\"w\0\"}]}", 26, &r);
	assert_int_equal(r.code, CBW_WA_CODE_GARBAGE);
}

/* Texte d'erreur tronqué sans couper l'UTF-8 ; contrôles remplacés. */
static void
test_parse_truncation(void **state)
{
	struct cbw_buf		 b;
	struct cbw_wa_result	 r;
	size_t			 i, pad;

	(void)state;
	for (pad = 0; pad < 4; pad++) {
		cbw_buf_init(&b);
		assert_int_equal(cbw_buf_printf(&b, "{\"error\":{\"code\":131026,"
		    "\"error_data\":{\"details\":\"%.*s", (int)pad, "xxx"), CBW_OK);
		for (i = 0; i < 300; i++)
			assert_int_equal(cbw_buf_puts(&b, "é😀\\n\\u0001"), CBW_OK);
		assert_int_equal(cbw_buf_puts(&b, "\"},\"fbtrace_id\":\""
		    "0123456789012345678901234567890123456789012345678901234567890"
		    "123456789\"}}"), CBW_OK);
		cbw_wa_parse_response(400, b.data, b.len, &r);
		check_res(&r);
		assert_int_equal(r.code, 131026);
		assert_true(strlen(r.error) > 400);
		assert_null(strchr(r.error, '\n'));
		assert_null(strchr(r.error, '\x01'));
		/* fbtrace_id trop long : ignoré plutôt que tronqué. */
		assert_string_equal(r.fbtrace_id, "");
		cbw_buf_free(&b);
	}
}

/* ------------------------------------------------------------------ */
/* Envois réels vers un serveur HTTP local                             */
/* ------------------------------------------------------------------ */

#define SRV_MAX		4
#define REQ_MAX		(32 * 1024)

struct srv {
	int		 lfd;
	int		 port;
	pthread_t	 th;
	const char	*resp[SRV_MAX];	/* NULL : ne pas répondre */
	size_t		 resplen[SRV_MAX];
	size_t		 nresp;
	char		 req[SRV_MAX][REQ_MAX];
	size_t		 reqlen[SRV_MAX];
	size_t		 nreq;
	int		 naccept;
};

/* Attend que fd soit lisible (ms) ; rend 1 si oui. */
static int
readable(int fd, int ms)
{
	struct pollfd	 p = { fd, POLLIN, 0 };

	return poll(&p, 1, ms) == 1;
}

/* Longueur annoncée par Content-Length dans les en-têtes h[0..n), 0 sinon. */
static size_t
content_length(const char *h, size_t n)
{
	const char	*p;
	size_t		 v = 0;

	for (p = h; p + 16 < h + n; p++)
		if (strncasecmp(p, "\r\ncontent-length:", 17) == 0) {
			for (p += 17; *p == ' '; p++)
				;
			while (*p >= '0' && *p <= '9')
				v = v * 10 + (size_t)(*p++ - '0');
			return v;
		}
	return 0;
}

/*
 * Lit une requête complète (en-têtes et corps annoncé) dans buf. Rend 0,
 * 1 si la connexion s'est fermée avant le premier octet, -1 sinon.
 */
static int
read_request(int fd, char *buf, size_t cap, size_t *len)
{
	const char	*end;
	ssize_t		 k;
	size_t		 n = 0;

	for (;;) {
		buf[n] = '\0';
		if ((end = strstr(buf, "\r\n\r\n")) != NULL &&
		    n >= (size_t)(end + 4 - buf) + content_length(buf, (size_t)(end - buf) + 2))
			break;
		if (n + 1 >= cap || !readable(fd, 5000))
			return -1;
		if ((k = recv(fd, buf + n, cap - 1 - n, 0)) <= 0)
			return n == 0 && k == 0 ? 1 : -1;
		n += (size_t)k;
	}
	*len = n;
	return 0;
}

/* Fil du serveur : une réponse par requête reçue, connexion gardée. */
static void *
srv_main(void *arg)
{
	struct srv	*s = arg;
	size_t		 i, off;
	ssize_t		 k;
	int		 fd = -1, rc, tries = 0;
	char		 sink[512];

	for (i = 0; i < s->nresp && tries < 8; tries++) {
		if (fd == -1) {
			if (!readable(s->lfd, 5000) ||
			    (fd = accept(s->lfd, NULL, NULL)) == -1)
				break;
			s->naccept++;
		}
		rc = read_request(fd, s->req[i], REQ_MAX, &s->reqlen[i]);
		if (rc != 0) {
			close(fd);
			fd = -1;
			if (rc == 1)
				continue;	/* connexion fermée : en attendre une autre */
			break;
		}
		s->nreq = i + 1;
		if (s->resp[i] == NULL) {
			/* Ne pas répondre : attendre que le client abandonne. */
			while (readable(fd, 5000) && recv(fd, sink, sizeof(sink), 0) > 0)
				;
			close(fd);
			fd = -1;
		} else {
			for (off = 0; off < s->resplen[i]; off += (size_t)k)
				if ((k = send(fd, s->resp[i] + off, s->resplen[i] - off,
				    MSG_NOSIGNAL)) <= 0)
					break;
			if (strstr(s->resp[i], "Connection: close") != NULL) {
				close(fd);
				fd = -1;
			}
		}
		i++;
	}
	if (fd != -1)
		close(fd);
	return NULL;
}

/* Ouvre une socket d'écoute sur 127.0.0.1, port libre ; rend le port. */
static int
listen_any(int *lfd)
{
	struct sockaddr_in	 a;
	socklen_t		 al = sizeof(a);

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_true((*lfd = socket(AF_INET, SOCK_STREAM, 0)) != -1);
	assert_int_equal(bind(*lfd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(getsockname(*lfd, (struct sockaddr *)&a, &al), 0);
	return ntohs(a.sin_port);
}

/* Démarre le serveur avec n réponses toutes faites. */
static struct srv *
srv_start(size_t n, const char *const *resp)
{
	struct srv	*s = calloc(1, sizeof(*s));
	size_t		 i;

	assert_non_null(s);
	s->port = listen_any(&s->lfd);
	assert_int_equal(listen(s->lfd, 8), 0);
	s->nresp = n;
	for (i = 0; i < n; i++) {
		s->resp[i] = resp[i];
		s->resplen[i] = resp[i] != NULL ? strlen(resp[i]) : 0;
	}
	assert_int_equal(pthread_create(&s->th, NULL, srv_main, s), 0);
	return s;
}

/* Attend la fin du fil du serveur et ferme sa socket d'écoute. */
static void
srv_join(struct srv *s)
{
	assert_int_equal(pthread_join(s->th, NULL), 0);
	close(s->lfd);
}

/* Configuration minimale vers base (sans copie). */
static void
cfg_init(struct cbw_config *cfg, char *base, char *token, char *phone,
    char *version)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->graph_base_url = base;
	cfg->whatsapp_access_token = token;
	cfg->whatsapp_phone_number_id = phone;
	cfg->whatsapp_api_version = version;
}

/* Ouvre un client vers le port local, avec ou sans barre finale. */
static struct cbw_wa_client *
client(int port, long timeout_ms, int slash)
{
	static char		 base[64], token[] = TOKEN, phone[] = PHONE_ID,
				 version[] = "v23.0";
	struct cbw_config	 cfg;
	struct cbw_wa_client	*c = NULL;

	snprintf(base, sizeof(base), "http://127.0.0.1:%d%s", port,
	    slash ? "/" : "");
	cfg_init(&cfg, base, token, phone, version);
	assert_int_equal(cbw_wa_open(&c, &cfg, timeout_ms), CBW_OK);
	assert_non_null(c);
	return c;
}

/* Vérifie la requête reçue : ligne, en-têtes, corps identique à l'envoyé. */
static void
check_request(const char *req, size_t len, const char *body)
{
	const char	*sep;

	assert_int_equal(strncmp(req, "POST /v23.0/" PHONE_ID "/messages "
	    "HTTP/1.1\r\n", strlen("POST /v23.0/" PHONE_ID "/messages "
	    "HTTP/1.1\r\n")), 0);
	assert_non_null(strstr(req, "\r\nAuthorization: Bearer " TOKEN "\r\n"));
	assert_non_null(strstr(req, "\r\nContent-Type: application/json\r\n"));
	assert_null(strcasestr(req, "\r\nExpect:"));
	assert_non_null(sep = strstr(req, "\r\n\r\n"));
	assert_int_equal(len - (size_t)(sep + 4 - req), strlen(body));
	assert_memory_equal(sep + 4, body, strlen(body));
}

/* Réponse HTTP complète (statut, corps JSON) dans un tampon statique i. */
static const char *
http_resp(int i, const char *status, const char *body)
{
	static char	 r[SRV_MAX][2048];

	snprintf(r[i], sizeof(r[i]), "HTTP/1.1 %s\r\nContent-Type: "
	    "application/json; charset=UTF-8\r\nx-fb-trace-id: T1\r\n"
	    "Content-Length: %zu\r\n\r\n%s", status, strlen(body), body);
	return r[i];
}

/* Succès, deux envois sur une même connexion (keep-alive). */
static void
test_send_success(void **state)
{
	const char		*resp[2];
	struct cbw_wa_client	*c;
	struct cbw_wa_result	 r;
	struct cbw_buf		 b1, b2;
	struct srv		*s;

	(void)state;
	resp[0] = http_resp(0, "200 OK", "{\"messaging_product\":\"whatsapp\","
	    "\"contacts\":[{\"input\":\"" TO "\",\"wa_id\":\"" TO "\"}],"
	    "\"messages\":[{\"id\":\"wamid.HBgL\\/MzM2MTIzNDU2NzgV\","
	    "\"message_status\":\"accepted\"}]}");
	resp[1] = http_resp(1, "200 OK", "{\"messages\":[{\"id\":\"wamid.2\"}]}");
	s = srv_start(2, resp);
	c = client(s->port, 5000, 1);
	cbw_buf_init(&b1);
	cbw_buf_init(&b2);
	assert_int_equal(cbw_wa_text_body(&b1, TO, "Bonjour \"Anna\" \\ é 😀\n"
	    "https://exemple.fr/promo"), CBW_OK);
	{
		char	*big = repeat("é", 3000);

		assert_int_equal(cbw_wa_text_body(&b2, TO, big), CBW_OK);
		free(big);
	}

	cbw_wa_send(c, cbw_buf_str(&b1), &r);
	check_res(&r);
	assert_int_equal(r.cls, CBW_WA_OK);
	assert_int_equal(r.http_status, 200);
	assert_string_equal(r.wamid, "wamid.HBgL/MzM2MTIzNDU2NzgV");

	/* Corps de plus de 1024 octets : pas d'« Expect: 100-continue ». */
	cbw_wa_send(c, cbw_buf_str(&b2), &r);
	check_res(&r);
	assert_int_equal(r.cls, CBW_WA_OK);
	assert_string_equal(r.wamid, "wamid.2");

	srv_join(s);
	assert_int_equal(s->nreq, 2);
	assert_int_equal(s->naccept, 1);
	check_request(s->req[0], s->reqlen[0], cbw_buf_str(&b1));
	check_request(s->req[1], s->reqlen[1], cbw_buf_str(&b2));
	cbw_wa_close(c);
	cbw_buf_free(&b1);
	cbw_buf_free(&b2);
	free(s);
}

/* Erreur Graph par le réseau ; le jeton renvoyé par le serveur est masqué. */
static void
test_send_graph_error(void **state)
{
	const char		*resp[2];
	struct cbw_wa_client	*c;
	struct cbw_wa_result	 r;
	struct cbw_buf		 b;
	struct srv		*s;

	(void)state;
	resp[0] = http_resp(0, "400 Bad Request", "{\"error\":{\"message\":"
	    "\"(#131026) Message undeliverable\",\"type\":\"OAuthException\","
	    "\"code\":131026,\"error_data\":{\"messaging_product\":\"whatsapp\","
	    "\"details\":\"Message Undeliverable.\"},\"fbtrace_id\":\"Fb1\"}}");
	resp[1] = http_resp(1, "401 Unauthorized", "{\"error\":{\"message\":"
	    "\"Invalid OAuth access token - " TOKEN "\",\"type\":"
	    "\"OAuthException\",\"code\":190,\"fbtrace_id\":\"Fb2\"}}");
	s = srv_start(2, resp);
	c = client(s->port, 5000, 0);
	cbw_buf_init(&b);
	assert_int_equal(cbw_wa_template_body(&b, TO, "promo", "fr", NULL, 0),
	    CBW_OK);
	cbw_wa_send(c, cbw_buf_str(&b), &r);
	check_res(&r);
	assert_int_equal(r.cls, CBW_WA_PERMANENT);
	assert_int_equal(r.code, 131026);
	assert_int_equal(r.http_status, 400);
	assert_string_equal(r.fbtrace_id, "Fb1");

	cbw_wa_send(c, cbw_buf_str(&b), &r);
	check_res(&r);
	assert_int_equal(r.cls, CBW_WA_STOP);
	assert_int_equal(r.code, 190);
	assert_int_equal(r.http_status, 401);
	assert_null(strstr(r.error, TOKEN));
	assert_null(strstr(r.error, "EAAtest"));
	assert_non_null(strstr(r.error, "Invalid OAuth access token - ****"));

	srv_join(s);
	assert_int_equal(s->nreq, 2);
	check_request(s->req[0], s->reqlen[0], cbw_buf_str(&b));
	cbw_wa_close(c);
	cbw_buf_free(&b);
	free(s);
}

/* 503 HTML, redirection non suivie, réponse trop longue. */
static void
test_send_http_errors(void **state)
{
	static char		 big[80 * 1024];
	const char		*resp[3];
	struct cbw_wa_client	*c;
	struct cbw_wa_result	 r;
	struct srv		*s;
	int			 n;

	(void)state;
	resp[0] = "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/html\r\n"
	    "Content-Length: 19\r\n\r\n<html>Panne</html>\n";
	resp[1] = "HTTP/1.1 302 Found\r\nLocation: /ailleurs\r\n"
	    "Content-Length: 0\r\n\r\n";
	n = snprintf(big, sizeof(big), "HTTP/1.1 200 OK\r\nContent-Length: %d\r\n"
	    "Connection: close\r\n\r\n{\"messages\":[{\"id\":\"wamid.x\"}],"
	    "\"pad\":\"", 70000);
	memset(big + n, 'x', sizeof(big) - (size_t)n - 1);
	resp[2] = big;
	s = srv_start(3, resp);
	c = client(s->port, 5000, 0);

	cbw_wa_send(c, "{}", &r);
	check_res(&r);
	assert_int_equal(r.cls, CBW_WA_RETRYABLE);
	assert_int_equal(r.code, CBW_WA_CODE_HTTP);
	assert_int_equal(r.http_status, 503);

	cbw_wa_send(c, "{}", &r);
	check_res(&r);
	assert_int_equal(r.cls, CBW_WA_PERMANENT);
	assert_int_equal(r.code, CBW_WA_CODE_HTTP);
	assert_int_equal(r.http_status, 302);

	cbw_wa_send(c, "{}", &r);
	check_res(&r);
	assert_int_equal(r.cls, CBW_WA_PERMANENT);
	assert_int_equal(r.code, CBW_WA_CODE_GARBAGE);
	assert_int_equal(r.http_status, 200);
	assert_non_null(strstr(r.error, "trop longue"));

	srv_join(s);
	assert_int_equal(s->nreq, 3);	/* la redirection n'a pas été suivie */
	cbw_wa_close(c);
	free(s);
}

/* Serveur muet au-delà de 200 ms : TIMEOUT, réessayable. */
static void
test_send_timeout(void **state)
{
	const char		*resp[1] = { NULL };
	struct cbw_wa_client	*c;
	struct cbw_wa_result	 r;
	struct timespec		 t0, t1;
	struct srv		*s;
	long			 ms;

	(void)state;
	s = srv_start(1, resp);
	c = client(s->port, 200, 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	cbw_wa_send(c, "{\"a\":1}", &r);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
	check_res(&r);
	assert_int_equal(r.cls, CBW_WA_RETRYABLE);
	assert_int_equal(r.code, CBW_WA_CODE_TIMEOUT);
	assert_int_equal(r.http_status, 0);
	assert_non_null(strstr(r.error, "200 ms"));
	assert_true(ms >= 150 && ms < 3000);
	cbw_wa_close(c);
	srv_join(s);
	assert_int_equal(s->nreq, 1);
	check_request(s->req[0], s->reqlen[0], "{\"a\":1}");
	free(s);
}

/* Port fermé : connexion refusée → NETWORK, réessayable. */
static void
test_send_refused(void **state)
{
	struct cbw_wa_client	*c;
	struct cbw_wa_result	 r;
	int			 fd, port;

	(void)state;
	port = listen_any(&fd);
	close(fd);			/* lié puis fermé, jamais à l'écoute */
	c = client(port, 2000, 0);
	cbw_wa_send(c, "{}", &r);
	check_res(&r);
	assert_int_equal(r.cls, CBW_WA_RETRYABLE);
	assert_int_equal(r.code, CBW_WA_CODE_NETWORK);
	assert_int_equal(r.http_status, 0);
	assert_non_null(strstr(r.error, "curl"));
	assert_null(strstr(r.error, TOKEN));
	cbw_wa_close(c);

	/* Appel sans client ni corps : pas de plantage. */
	cbw_wa_send(NULL, "{}", &r);
	check_res(&r);
	assert_int_not_equal(r.cls, CBW_WA_OK);
	cbw_wa_close(NULL);
}

/* Configuration incomplète ou dangereuse : CBW_EINVAL, rien d'alloué. */
static void
test_open_invalid(void **state)
{
	static const struct bad {
		const char	*base, *token, *phone, *version;
		long		 timeout;
	} bad[] = {
		{ "https://graph.facebook.com", "", PHONE_ID, "v23.0", 1000 },
		{ "https://graph.facebook.com", NULL, PHONE_ID, "v23.0", 1000 },
		{ "https://graph.facebook.com", "a b", PHONE_ID, "v23.0", 1000 },
		{ "https://graph.facebook.com", "tok\r\nX: y", PHONE_ID, "v23.0", 1000 },
		{ "https://graph.facebook.com", TOKEN, "", "v23.0", 1000 },
		{ "https://graph.facebook.com", TOKEN, NULL, "v23.0", 1000 },
		{ "https://graph.facebook.com", TOKEN, "12/34", "v23.0", 1000 },
		{ "https://graph.facebook.com", TOKEN, "..", "v23.0", 1000 },
		{ "https://graph.facebook.com", TOKEN, PHONE_ID, "", 1000 },
		{ "https://graph.facebook.com", TOKEN, PHONE_ID, "v23.0?x", 1000 },
		{ "", TOKEN, PHONE_ID, "v23.0", 1000 },
		{ NULL, TOKEN, PHONE_ID, "v23.0", 1000 },
		{ "/", TOKEN, PHONE_ID, "v23.0", 1000 },
		{ "graph.facebook.com", TOKEN, PHONE_ID, "v23.0", 1000 },
		{ "ftp://graph.facebook.com", TOKEN, PHONE_ID, "v23.0", 1000 },
		{ "https://graph.facebook.com?x=1", TOKEN, PHONE_ID, "v23.0", 1000 },
		{ "https://graph.facebook.com", TOKEN, PHONE_ID, "v23.0", 0 },
		{ "https://graph.facebook.com", TOKEN, PHONE_ID, "v23.0", -1 },
	};
	struct cbw_config	 cfg;
	struct cbw_wa_client	*c;
	size_t			 i;

	(void)state;
	c = (struct cbw_wa_client *)&c;
	assert_int_equal(cbw_wa_open(&c, NULL, 1000), CBW_EINVAL);
	assert_null(c);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cfg_init(&cfg, (char *)bad[i].base, (char *)bad[i].token,
		    (char *)bad[i].phone, (char *)bad[i].version);
		c = (struct cbw_wa_client *)&c;
		if (cbw_wa_open(&c, &cfg, bad[i].timeout) != CBW_EINVAL)
			fail_msg("cas %zu accepté", i);
		assert_null(c);
	}
	cfg_init(&cfg, "https://graph.facebook.com/", TOKEN, PHONE_ID, "v23.0");
	assert_int_equal(cbw_wa_open(&c, &cfg, 10000), CBW_OK);
	cbw_wa_close(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text_body_exact),
		cmocka_unit_test(test_text_preview),
		cmocka_unit_test(test_text_escaping),
		cmocka_unit_test(test_text_bad_to),
		cmocka_unit_test(test_text_length),
		cmocka_unit_test(test_text_appends),
		cmocka_unit_test(test_template_no_params),
		cmocka_unit_test(test_template_two_params),
		cmocka_unit_test(test_template_bad),
		cmocka_unit_test(test_classify_table),
		cmocka_unit_test(test_classify_unknown),
		cmocka_unit_test(test_parse_success),
		cmocka_unit_test(test_parse_graph_errors),
		cmocka_unit_test(test_parse_unknown_code),
		cmocka_unit_test(test_parse_http),
		cmocka_unit_test(test_parse_garbage),
		cmocka_unit_test(test_parse_truncation),
		cmocka_unit_test(test_send_success),
		cmocka_unit_test(test_send_graph_error),
		cmocka_unit_test(test_send_http_errors),
		cmocka_unit_test(test_send_timeout),
		cmocka_unit_test(test_send_refused),
		cmocka_unit_test(test_open_invalid),
	};

	/* Pas de mandataire pour 127.0.0.1, quel que soit l'environnement. */
	unsetenv("http_proxy");
	unsetenv("HTTP_PROXY");
	unsetenv("https_proxy");
	unsetenv("HTTPS_PROXY");
	unsetenv("all_proxy");
	unsetenv("ALL_PROXY");
	return cmocka_run_group_tests_name("whatsapp", tests, NULL, NULL);
}
