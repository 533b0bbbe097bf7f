/*
 * Tests unitaires de l'analyse des requêtes et de l'écriture des réponses
 * (lib/http.c).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "config.h"
#include "http.h"

/* ---- formulaires urlencoded -------------------------------------------- */

/* Analyse s (longueur n) ; rend le code, la liste dans *l. */
static enum cbw_err
urlenc(struct cbw_kvlist *l, const char *s, size_t n)
{
	memset(l, 0, sizeof(*l));
	return cbw_http_parse_urlencoded(l, s, n);
}

#define URLENC(l, s)	urlenc((l), (s), sizeof(s) - 1)

static void
kv_is(const struct cbw_kvlist *l, size_t i, const char *k, const char *v)
{
	assert_true(i < l->n);
	assert_string_equal(l->v[i].key, k);
	assert_string_equal(l->v[i].val, v);
}

static void
test_urlencoded_basic(void **state)
{
	struct cbw_kvlist	 l;

	(void)state;
	assert_int_equal(URLENC(&l, "a=1&b=%C3%A9"), CBW_OK);
	assert_int_equal(l.n, 2);
	kv_is(&l, 0, "a", "1");
	kv_is(&l, 1, "b", "é");
	assert_string_equal(cbw_kv_get(&l, "b"), "é");
	assert_null(cbw_kv_get(&l, "c"));
	cbw_kv_free(&l);
	assert_int_equal(l.n, 0);
	assert_null(l.v);

	assert_int_equal(URLENC(&l, "q=Bonjour+le+monde&x=%2B%26%3D%25"), CBW_OK);
	kv_is(&l, 0, "q", "Bonjour le monde");
	kv_is(&l, 1, "x", "+&=%");
	cbw_kv_free(&l);

	/* Clés encodées, « + » dans la clé, casse des chiffres hexadécimaux. */
	assert_int_equal(URLENC(&l, "first+name=Ana%c3%afs&e%2Dmail=a%40b.fr"),
	    CBW_OK);
	kv_is(&l, 0, "first name", "Anaïs");
	kv_is(&l, 1, "e-mail", "a@b.fr");
	cbw_kv_free(&l);
}

/*
 * Chaîne de requête : UTF-8 bien formé exigé dans les clés et les valeurs
 * décodées (octet Latin-1 seul, suite tronquée, forme trop longue,
 * demi-code UTF-16, au-delà de U+10FFFF) ; les paires d'avant restent.
 */
static void
test_query_utf8(void **state)
{
	static const char *const bad[] = { "q=%E9t%E9", "q=%C3", "q=%C0%AF",
	    "q=%E0%80%AF", "q=%ED%A0%80", "q=%F4%90%80%80", "q=%FF", "%E9=1",
	    "a=1&q=%80", "q=%C3%A9%C3" };
	struct cbw_kvlist	 l;
	size_t			 i;

	(void)state;
	memset(&l, 0, sizeof(l));
	assert_int_equal(cbw_http_parse_query(&l, "q=%C3%A9t%C3%A9&p=%E2%82%AC"
	    "&z=%F0%9F%98%80", 42), CBW_OK);
	kv_is(&l, 0, "q", "été");
	kv_is(&l, 1, "p", "€");
	kv_is(&l, 2, "z", "😀");
	cbw_kv_free(&l);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (cbw_http_parse_query(&l, bad[i], strlen(bad[i])) !=
		    CBW_EINVAL)
			fail_msg("accepté : %s", bad[i]);
		cbw_kv_free(&l);
	}
	assert_int_equal(cbw_http_parse_query(&l, "a=1&b=%zz", 9), CBW_EINVAL);
	assert_int_equal(l.n, 1);
	kv_is(&l, 0, "a", "1");
	cbw_kv_free(&l);
}

static void
test_urlencoded_empty(void **state)
{
	struct cbw_kvlist	 l;

	(void)state;
	assert_int_equal(URLENC(&l, "a=&b"), CBW_OK);
	assert_int_equal(l.n, 2);
	kv_is(&l, 0, "a", "");
	kv_is(&l, 1, "b", "");
	cbw_kv_free(&l);

	assert_int_equal(URLENC(&l, "&&"), CBW_OK);
	assert_int_equal(l.n, 0);
	cbw_kv_free(&l);

	assert_int_equal(URLENC(&l, ""), CBW_OK);
	assert_int_equal(l.n, 0);
	cbw_kv_free(&l);

	assert_int_equal(URLENC(&l, "&a=1&&b=2&"), CBW_OK);
	assert_int_equal(l.n, 2);
	kv_is(&l, 0, "a", "1");
	kv_is(&l, 1, "b", "2");
	cbw_kv_free(&l);

	/* Clé répétée : cbw_kv_get rend la première. */
	assert_int_equal(URLENC(&l, "a=1&a=2&c=x=y"), CBW_OK);
	assert_int_equal(l.n, 3);
	assert_string_equal(cbw_kv_get(&l, "a"), "1");
	kv_is(&l, 1, "a", "2");
	kv_is(&l, 2, "c", "x=y");
	cbw_kv_free(&l);
}

/* Seuls les n premiers octets sont lus. */
static void
test_urlencoded_length(void **state)
{
	struct cbw_kvlist	 l;

	(void)state;
	assert_int_equal(urlenc(&l, "a=12&b=3", 3), CBW_OK);
	assert_int_equal(l.n, 1);
	kv_is(&l, 0, "a", "1");
	cbw_kv_free(&l);
	assert_int_equal(urlenc(&l, "a=%41%42", 5), CBW_OK);
	kv_is(&l, 0, "a", "A");
	cbw_kv_free(&l);
	assert_int_equal(urlenc(&l, "a=%41%42", 6), CBW_EINVAL);
	cbw_kv_free(&l);
}

static void
test_urlencoded_bad(void **state)
{
	struct cbw_kvlist	 l;

	(void)state;
	assert_int_equal(URLENC(&l, "a=%GZ"), CBW_EINVAL);
	cbw_kv_free(&l);
	assert_int_equal(URLENC(&l, "a=%4"), CBW_EINVAL);
	cbw_kv_free(&l);
	assert_int_equal(URLENC(&l, "a=%"), CBW_EINVAL);
	cbw_kv_free(&l);
	assert_int_equal(URLENC(&l, "a=%4&b=1"), CBW_EINVAL);
	cbw_kv_free(&l);
	assert_int_equal(URLENC(&l, "a=%00"), CBW_EINVAL);
	cbw_kv_free(&l);
	assert_int_equal(URLENC(&l, "a%00b=1"), CBW_EINVAL);
	cbw_kv_free(&l);
	assert_int_equal(URLENC(&l, "%zz=1"), CBW_EINVAL);
	cbw_kv_free(&l);
	assert_int_equal(URLENC(&l, "a=1%"), CBW_EINVAL);
	cbw_kv_free(&l);
	assert_int_equal(URLENC(&l, "a=%%41"), CBW_EINVAL);
	cbw_kv_free(&l);
}

/*
 * Un corps de formulaire peut contenir un octet NUL brut (app.c passe
 * r->body et r->bodylen) : il doit être refusé sans lire hors du tampon.
 */
static void
test_urlencoded_raw_nul(void **state)
{
	struct cbw_kvlist	 l;

	(void)state;
	assert_int_equal(URLENC(&l, "a\0=b"), CBW_EINVAL);
	cbw_kv_free(&l);
	assert_int_equal(URLENC(&l, "x=1&a\0bcdefgh=ijklmnop"), CBW_EINVAL);
	cbw_kv_free(&l);
	assert_int_equal(URLENC(&l, "a=b\0c"), CBW_EINVAL);
	cbw_kv_free(&l);
}

/* ---- cookies ------------------------------------------------------------ */

static void
test_cookies(void **state)
{
	struct cbw_kvlist	 l;

	(void)state;
	memset(&l, 0, sizeof(l));
	assert_int_equal(cbw_http_parse_cookies(&l, "a=1; b=2"), CBW_OK);
	assert_int_equal(l.n, 2);
	kv_is(&l, 0, "a", "1");
	kv_is(&l, 1, "b", "2");
	cbw_kv_free(&l);

	assert_int_equal(cbw_http_parse_cookies(&l, "a=1;b=2;   c=3"), CBW_OK);
	assert_int_equal(l.n, 3);
	kv_is(&l, 0, "a", "1");
	kv_is(&l, 1, "b", "2");
	kv_is(&l, 2, "c", "3");
	cbw_kv_free(&l);

	/* Espaces en tête, point-virgule en trop, valeurs non décodées. */
	assert_int_equal(cbw_http_parse_cookies(&l,
	    "  ;; sid=ab%41cd=; e=; ;"), CBW_OK);
	assert_int_equal(l.n, 2);
	kv_is(&l, 0, "sid", "ab%41cd=");
	kv_is(&l, 1, "e", "");
	cbw_kv_free(&l);

	/* Élément sans « = » : ignoré. */
	assert_int_equal(cbw_http_parse_cookies(&l, "flag; a=1; other"), CBW_OK);
	assert_int_equal(l.n, 1);
	kv_is(&l, 0, "a", "1");
	cbw_kv_free(&l);

	/* Espaces avant « = » retirés de la clé. */
	assert_int_equal(cbw_http_parse_cookies(&l, "a =1"), CBW_OK);
	assert_int_equal(l.n, 1);
	kv_is(&l, 0, "a", "1");
	cbw_kv_free(&l);

	assert_int_equal(cbw_http_parse_cookies(&l, ""), CBW_OK);
	assert_int_equal(l.n, 0);
	assert_int_equal(cbw_http_parse_cookies(&l, NULL), CBW_OK);
	assert_int_equal(l.n, 0);
	cbw_kv_free(&l);
}

/* ---- types de contenu --------------------------------------------------- */

static void
test_ctype(void **state)
{
	(void)state;
	assert_int_equal(cbw_http_ctype_is("application/json", "application/json"), 1);
	assert_int_equal(cbw_http_ctype_is("application/json; charset=utf-8",
	    "application/json"), 1);
	assert_int_equal(cbw_http_ctype_is("application/json;charset=UTF-8",
	    "application/json"), 1);
	assert_int_equal(cbw_http_ctype_is("Application/JSON", "application/json"), 1);
	assert_int_equal(cbw_http_ctype_is(" application/json ; x=y",
	    "application/json"), 1);
	assert_int_equal(cbw_http_ctype_is("application/x-www-form-urlencoded",
	    "application/x-www-form-urlencoded"), 1);
	assert_int_equal(cbw_http_ctype_is("multipart/form-data; boundary=----x",
	    "multipart/form-data"), 1);
	assert_int_equal(cbw_http_ctype_is("application/jsonx", "application/json"), 0);
	assert_int_equal(cbw_http_ctype_is("application/json-patch+json",
	    "application/json"), 0);
	assert_int_equal(cbw_http_ctype_is("application/jso", "application/json"), 0);
	assert_int_equal(cbw_http_ctype_is("text/json", "application/json"), 0);
	assert_int_equal(cbw_http_ctype_is("text/plain, application/json",
	    "application/json"), 0);
	assert_int_equal(cbw_http_ctype_is("", "application/json"), 0);
	assert_int_equal(cbw_http_ctype_is(NULL, "application/json"), 0);
}

/* ---- en-têtes et cookies de réponse ------------------------------------- */

static void
test_header(void **state)
{
	struct cbw_req	 r;

	(void)state;
	cbw_req_init(&r);
	assert_int_equal(cbw_http_header(&r, "Location", "/login"), CBW_OK);
	assert_int_equal(cbw_http_header(&r, "X-A", ""), CBW_OK);
	assert_string_equal(cbw_buf_str(&r.hdrs), "Location: /login\r\nX-A: \r\n");
	assert_int_equal(cbw_http_header(&r, "Location", "/x\r\nSet-Cookie: a=b"),
	    CBW_EINVAL);
	assert_int_equal(cbw_http_header(&r, "Location", "/x\nX: y"), CBW_EINVAL);
	assert_int_equal(cbw_http_header(&r, "Location", "/x\r"), CBW_EINVAL);
	assert_int_equal(cbw_http_header(&r, "X-B\r\nX-C", "v"), CBW_EINVAL);
	assert_int_equal(cbw_http_header(&r, "X-B\n", "v"), CBW_EINVAL);
	assert_int_equal(cbw_http_header(&r, "X-B: evil", "v"), CBW_EINVAL);
	/* Rien n'a été ajouté par les refus. */
	assert_string_equal(cbw_buf_str(&r.hdrs), "Location: /login\r\nX-A: \r\n");
	cbw_req_free(&r);
}

static void
test_cookie_attrs(void **state)
{
	struct cbw_req		 r;
	struct cbw_config	 cfg;

	(void)state;
	cbw_req_init(&r);
	assert_int_equal(cbw_http_cookie(&r, "cbw_session", "abc123", -1), CBW_OK);
	assert_string_equal(cbw_buf_str(&r.hdrs), "Set-Cookie: cbw_session=abc123; "
	    "Path=/; HttpOnly; SameSite=Strict\r\n");
	cbw_buf_reset(&r.hdrs);
	assert_int_equal(cbw_http_cookie(&r, "cbw_session", "abc123", 3600), CBW_OK);
	assert_string_equal(cbw_buf_str(&r.hdrs), "Set-Cookie: cbw_session=abc123; "
	    "Path=/; HttpOnly; SameSite=Strict; Max-Age=3600\r\n");
	cbw_buf_reset(&r.hdrs);
	assert_int_equal(cbw_http_cookie(&r, "cbw_session", "", 0), CBW_OK);
	assert_string_equal(cbw_buf_str(&r.hdrs), "Set-Cookie: cbw_session=; "
	    "Path=/; HttpOnly; SameSite=Strict; Max-Age=0\r\n");
	cbw_buf_reset(&r.hdrs);

	/* HTTPS : Secure. */
	r.https = 1;
	assert_int_equal(cbw_http_cookie(&r, "s", "v", 60), CBW_OK);
	assert_string_equal(cbw_buf_str(&r.hdrs), "Set-Cookie: s=v; Path=/; "
	    "HttpOnly; SameSite=Strict; Max-Age=60; Secure\r\n");
	cbw_buf_reset(&r.hdrs);

	/* Pas d'HTTPS, configuration sans cookie_secure : pas de Secure. */
	r.https = 0;
	memset(&cfg, 0, sizeof(cfg));
	r.cfg = &cfg;
	assert_int_equal(cbw_http_cookie(&r, "s", "v", -1), CBW_OK);
	assert_null(strstr(cbw_buf_str(&r.hdrs), "Secure"));
	cbw_buf_reset(&r.hdrs);
	/* COOKIE_SECURE=1 : Secure même sans HTTPS vu. */
	cfg.cookie_secure = 1;
	assert_int_equal(cbw_http_cookie(&r, "s", "v", -1), CBW_OK);
	assert_string_equal(cbw_buf_str(&r.hdrs), "Set-Cookie: s=v; Path=/; "
	    "HttpOnly; SameSite=Strict; Secure\r\n");
	cbw_buf_reset(&r.hdrs);

	/* Valeurs interdites. */
	assert_int_equal(cbw_http_cookie(&r, "s", "a b", -1), CBW_EINVAL);
	assert_int_equal(cbw_http_cookie(&r, "s", "a;Domain=evil", -1), CBW_EINVAL);
	assert_int_equal(cbw_http_cookie(&r, "s", "a,b", -1), CBW_EINVAL);
	assert_int_equal(cbw_http_cookie(&r, "s", "\"a\"", -1), CBW_EINVAL);
	assert_int_equal(cbw_http_cookie(&r, "s", "a\\b", -1), CBW_EINVAL);
	assert_int_equal(cbw_http_cookie(&r, "s", "a\r\nX: y", -1), CBW_EINVAL);
	assert_int_equal(cbw_http_cookie(&r, "s", "a\x7f", -1), CBW_EINVAL);
	assert_int_equal(cbw_http_cookie(&r, "s", "a\x01", -1), CBW_EINVAL);
	assert_string_equal(cbw_buf_str(&r.hdrs), "");
	r.cfg = NULL;
	cbw_req_free(&r);
}

/* ---- cbw_http_send ------------------------------------------------------ */

static void
writer(void *arg, const char *s, size_t n)
{
	cbw_buf_put(arg, s, n);
}

struct resp {
	struct cbw_buf	 raw;
	char		*head;		/* en-têtes, chacun terminé par \r\n */
	const char	*body;
	size_t		 bodylen;
};

/* Prépare une requête qui écrit dans res->raw. */
static void
req_setup(struct cbw_req *r, struct resp *res)
{
	cbw_req_init(r);
	memset(res, 0, sizeof(*res));
	cbw_buf_init(&res->raw);
	r->write = writer;
	r->write_arg = &res->raw;
	r->method = CBW_GET;
}

/* Sépare en-têtes et corps (après le premier \r\n\r\n). */
static void
split(struct resp *res)
{
	const char	*s = cbw_buf_str(&res->raw), *sep;

	sep = strstr(s, "\r\n\r\n");
	assert_non_null(sep);
	res->head = strndup(s, (size_t)(sep - s) + 2);
	res->body = sep + 4;
	res->bodylen = res->raw.len - (size_t)(res->body - s);
}

/* Nombre de lignes d'en-tête qui commencent par `line` (« Nom: valeur »). */
static int
count_hdr(const struct resp *res, const char *line)
{
	const char	*p = res->head;
	size_t		 n = strlen(line);
	int		 c = 0;

	while (p != NULL && *p != '\0') {
		if (strncmp(p, line, n) == 0)
			c++;
		if ((p = strstr(p, "\r\n")) != NULL)
			p += 2;
	}
	return c;
}

/* Valeur de l'en-tête `name` (copie statique), ou NULL. */
static const char *
hdr(const struct resp *res, const char *name)
{
	static char	 v[1024];
	const char	*p = res->head, *e;
	size_t		 n = strlen(name);

	while (p != NULL && *p != '\0') {
		e = strstr(p, "\r\n");
		if (strncmp(p, name, n) == 0 && p[n] == ':' && p[n + 1] == ' ') {
			snprintf(v, sizeof(v), "%.*s", (int)(e - p - n - 2), p + n + 2);
			return v;
		}
		p = e ? e + 2 : NULL;
	}
	return NULL;
}

static void
resp_free(struct cbw_req *r, struct resp *res)
{
	free(res->head);
	cbw_buf_free(&res->raw);
	cbw_req_free(r);
}

/* En-têtes de sécurité communs à toutes les réponses. */
static void
security_headers(const struct resp *res)
{
	const char	*csp;

	assert_int_equal(count_hdr(res, "Content-Security-Policy: "), 1);
	csp = hdr(res, "Content-Security-Policy");
	assert_non_null(csp);
	assert_non_null(strstr(csp, "default-src 'self'"));
	assert_non_null(strstr(csp, "script-src 'self'"));
	assert_non_null(strstr(csp, "frame-ancestors 'none'"));
	assert_null(strstr(csp, "unsafe-inline"));
	assert_int_equal(count_hdr(res, "X-Content-Type-Options: nosniff\r\n"), 1);
	assert_int_equal(count_hdr(res, "X-Frame-Options: DENY\r\n"), 1);
	assert_int_equal(count_hdr(res, "Referrer-Policy: same-origin\r\n"), 1);
	assert_int_equal(count_hdr(res, "Cache-Control: no-store\r\n"), 1);
}

static void
test_send_404(void **state)
{
	struct cbw_req	 r;
	struct resp	 res;
	char		 cl[32];

	(void)state;
	req_setup(&r, &res);
	cbw_buf_puts(&r.out, "{\"error\":\"not_found\",\"message\":\"Page "
	    "introuvable — désolé\"}");
	cbw_http_send(&r, 404, "application/json; charset=utf-8");
	assert_int_equal(r.status, 404);
	split(&res);
	assert_int_equal(strncmp(res.head, "Status: 404 Not Found\r\n", 23), 0);
	assert_string_equal(hdr(&res, "Content-Type"),
	    "application/json; charset=utf-8");
	snprintf(cl, sizeof(cl), "%zu", r.out.len);
	assert_string_equal(hdr(&res, "Content-Length"), cl);
	assert_int_equal(res.bodylen, r.out.len);
	assert_memory_equal(res.body, r.out.data, r.out.len);
	security_headers(&res);
	assert_int_equal(count_hdr(&res, "Access-Control-"), 0);
	/* Chaque ligne se termine par CRLF, pas de LF nu. */
	assert_null(strstr(res.head, "\n\n"));
	resp_free(&r, &res);
}

/* Sortie exacte d'une réponse simple. */
static void
test_send_exact(void **state)
{
	struct cbw_req	 r;
	struct resp	 res;

	(void)state;
	req_setup(&r, &res);
	cbw_buf_puts(&r.out, "été");
	cbw_http_cookie(&r, "a", "b", -1);
	cbw_http_send(&r, 200, "text/plain; charset=utf-8");
	assert_string_equal(cbw_buf_str(&res.raw),
	    "Status: 200 OK\r\n"
	    "Content-Type: text/plain; charset=utf-8\r\n"
	    "Content-Length: 5\r\n"
	    "Content-Security-Policy: default-src 'self'; script-src 'self'; "
	    "style-src 'self'; img-src 'self' data:; form-action 'self'; "
	    "frame-ancestors 'none'; base-uri 'none'; object-src 'none'\r\n"
	    "X-Content-Type-Options: nosniff\r\n"
	    "X-Frame-Options: DENY\r\n"
	    "Referrer-Policy: same-origin\r\n"
	    "Cache-Control: no-store\r\n"
	    "Vary: Origin, Cookie, Authorization\r\n"
	    "Set-Cookie: a=b; Path=/; HttpOnly; SameSite=Strict\r\n"
	    "\r\n"
	    "été");
	resp_free(&r, &res);
}

static void
test_send_status_lines(void **state)
{
	static const struct { int code; const char *line; } t[] = {
		{ 200, "Status: 200 OK\r\n" },
		{ 201, "Status: 201 Created\r\n" },
		{ 303, "Status: 303 See Other\r\n" },
		{ 400, "Status: 400 Bad Request\r\n" },
		{ 401, "Status: 401 Unauthorized\r\n" },
		{ 403, "Status: 403 Forbidden\r\n" },
		{ 405, "Status: 405 Method Not Allowed\r\n" },
		{ 409, "Status: 409 Conflict\r\n" },
		{ 413, "Status: 413 Payload Too Large\r\n" },
		{ 415, "Status: 415 Unsupported Media Type\r\n" },
		{ 422, "Status: 422 Unprocessable Entity\r\n" },
		{ 429, "Status: 429 Too Many Requests\r\n" },
		{ 500, "Status: 500 Internal Server Error\r\n" },
		{ 503, "Status: 503 Service Unavailable\r\n" },
	};
	struct cbw_req	 r;
	struct resp	 res;
	size_t		 i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		req_setup(&r, &res);
		cbw_http_send(&r, t[i].code, "text/html; charset=utf-8");
		split(&res);
		assert_int_equal(strncmp(res.head, t[i].line, strlen(t[i].line)), 0);
		assert_string_equal(hdr(&res, "Content-Length"), "0");
		assert_int_equal(res.bodylen, 0);
		security_headers(&res);
		resp_free(&r, &res);
	}
}

static void
test_send_204(void **state)
{
	struct cbw_req	 r;
	struct resp	 res;

	(void)state;
	req_setup(&r, &res);
	r.method = CBW_DELETE;
	cbw_buf_puts(&r.out, "ne doit pas partir");
	cbw_http_send(&r, 204, "application/json");
	split(&res);
	assert_int_equal(strncmp(res.head, "Status: 204 No Content\r\n", 24), 0);
	assert_null(hdr(&res, "Content-Type"));
	assert_null(hdr(&res, "Content-Length"));
	assert_int_equal(res.bodylen, 0);
	security_headers(&res);
	resp_free(&r, &res);
}

static void
test_send_head(void **state)
{
	struct cbw_req	 r;
	struct resp	 res;

	(void)state;
	req_setup(&r, &res);
	r.method = CBW_HEAD;
	cbw_buf_puts(&r.out, "<p>corps</p>");
	cbw_http_send(&r, 200, "text/html; charset=utf-8");
	split(&res);
	assert_string_equal(hdr(&res, "Content-Length"), "12");
	assert_string_equal(hdr(&res, "Content-Type"), "text/html; charset=utf-8");
	assert_int_equal(res.bodylen, 0);
	security_headers(&res);
	resp_free(&r, &res);
}

/* Un second envoi n'écrit rien. */
static void
test_send_once(void **state)
{
	struct cbw_req	 r;
	struct resp	 res;
	size_t		 len;

	(void)state;
	req_setup(&r, &res);
	cbw_buf_puts(&r.out, "x");
	cbw_http_send(&r, 200, "text/plain");
	len = res.raw.len;
	assert_true(len > 0);
	cbw_http_send(&r, 500, "text/plain");
	assert_int_equal(res.raw.len, len);
	assert_int_equal(r.status, 200);
	resp_free(&r, &res);
}

static void
test_send_cors(void **state)
{
	struct cbw_req		 r;
	struct resp		 res;
	struct cbw_config	 cfg;

	(void)state;
	memset(&cfg, 0, sizeof(cfg));
	cfg.allowed_origins = "https://a.fr, https://b.fr";

	/* Origine autorisée. */
	req_setup(&r, &res);
	r.cfg = &cfg;
	r.origin = "https://b.fr";
	cbw_http_send(&r, 200, "application/json");
	split(&res);
	assert_string_equal(hdr(&res, "Access-Control-Allow-Origin"),
	    "https://b.fr");
	assert_int_equal(count_hdr(&res, "Access-Control-Allow-Origin: "), 1);
	assert_non_null(hdr(&res, "Access-Control-Allow-Methods"));
	assert_non_null(strstr(hdr(&res, "Access-Control-Allow-Headers"),
	    "Authorization"));
	assert_null(hdr(&res, "Access-Control-Allow-Credentials"));
	security_headers(&res);
	resp_free(&r, &res);

	/* Origine inconnue, préfixe, suffixe : rien. */
	static const char *const bad[] = { "https://evil.fr", "https://a.f",
	    "https://a.fr.evil.fr", "null", "", "*" };
	size_t i;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		req_setup(&r, &res);
		r.cfg = &cfg;
		r.origin = bad[i];
		cbw_http_send(&r, 200, "application/json");
		split(&res);
		assert_int_equal(count_hdr(&res, "Access-Control-"), 0);
		resp_free(&r, &res);
	}

	/* Sans configuration ou sans origine : rien. */
	req_setup(&r, &res);
	r.origin = "https://a.fr";
	cbw_http_send(&r, 200, "application/json");
	split(&res);
	assert_int_equal(count_hdr(&res, "Access-Control-"), 0);
	resp_free(&r, &res);
	req_setup(&r, &res);
	r.cfg = &cfg;
	cbw_http_send(&r, 200, "application/json");
	split(&res);
	assert_int_equal(count_hdr(&res, "Access-Control-"), 0);
	resp_free(&r, &res);
}

static void
test_methods(void **state)
{
	(void)state;
	assert_int_equal(cbw_http_method("GET"), CBW_GET);
	assert_int_equal(cbw_http_method("POST"), CBW_POST);
	assert_int_equal(cbw_http_method("DELETE"), CBW_DELETE);
	assert_int_equal(cbw_http_method("HEAD"), CBW_HEAD);
	assert_int_equal(cbw_http_method("OPTIONS"), CBW_OPTIONS);
	assert_int_equal(cbw_http_method("get"), CBW_METHOD__MAX);
	assert_int_equal(cbw_http_method("TRACE"), CBW_METHOD__MAX);
	assert_int_equal(cbw_http_method(NULL), CBW_METHOD__MAX);
	assert_string_equal(cbw_http_method_name(CBW_PUT), "PUT");
	assert_string_equal(cbw_http_method_name(CBW_METHOD__MAX), "?");
	assert_string_equal(cbw_http_reason(999), "Unknown");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_urlencoded_basic),
		cmocka_unit_test(test_urlencoded_empty),
		cmocka_unit_test(test_query_utf8),
		cmocka_unit_test(test_urlencoded_length),
		cmocka_unit_test(test_urlencoded_bad),
		cmocka_unit_test(test_urlencoded_raw_nul),
		cmocka_unit_test(test_cookies),
		cmocka_unit_test(test_ctype),
		cmocka_unit_test(test_header),
		cmocka_unit_test(test_cookie_attrs),
		cmocka_unit_test(test_send_404),
		cmocka_unit_test(test_send_exact),
		cmocka_unit_test(test_send_status_lines),
		cmocka_unit_test(test_send_204),
		cmocka_unit_test(test_send_head),
		cmocka_unit_test(test_send_once),
		cmocka_unit_test(test_send_cors),
		cmocka_unit_test(test_methods),
	};

	return cmocka_run_group_tests_name("http", tests, NULL, NULL);
}
