/*
 * Analyse des requêtes et écriture des réponses (voir http.h).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>

#include "config.h"
#include "http.h"
#include "valid.h"

static const char *const methods[CBW_METHOD__MAX] = {
	"GET",		/* CBW_GET */
	"POST",		/* CBW_POST */
	"PUT",		/* CBW_PUT */
	"DELETE",	/* CBW_DELETE */
	"PATCH",	/* CBW_PATCH */
	"HEAD",		/* CBW_HEAD */
	"OPTIONS",	/* CBW_OPTIONS */
};

/* Politique de sécurité du contenu : pas de script ni de style en ligne. */
#define CSP "default-src 'self'; script-src 'self'; style-src 'self'; " \
	"img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; " \
	"base-uri 'none'; object-src 'none'"

/* Prépare une requête vide. */
void
cbw_req_init(struct cbw_req *r)
{
	memset(r, 0, sizeof(*r));
	r->method = CBW_METHOD__MAX;
	r->route = -1;
	cbw_buf_init(&r->out);
	cbw_buf_init(&r->hdrs);
}

/* Libère tout ce que la requête possède. */
void
cbw_req_free(struct cbw_req *r)
{
	cbw_kv_free(&r->query);
	cbw_kv_free(&r->form);
	cbw_kv_free(&r->cookies);
	json_object_put(r->json);
	free(r->body);
	cbw_buf_free(&r->out);
	cbw_buf_free(&r->hdrs);
	explicit_bzero(&r->user, sizeof(r->user));
}

/* Rend la méthode connue, ou CBW_METHOD__MAX. */
enum cbw_method
cbw_http_method(const char *s)
{
	int	 i;

	for (i = 0; s != NULL && i < CBW_METHOD__MAX; i++)
		if (strcmp(s, methods[i]) == 0)
			return (enum cbw_method)i;
	return CBW_METHOD__MAX;
}

const char *
cbw_http_method_name(enum cbw_method m)
{
	return m < CBW_METHOD__MAX ? methods[m] : "?";
}

/* Texte standard d'un code d'état. */
const char *
cbw_http_reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 201: return "Created";
	case 204: return "No Content";
	case 302: return "Found";
	case 303: return "See Other";
	case 304: return "Not Modified";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 409: return "Conflict";
	case 413: return "Payload Too Large";
	case 415: return "Unsupported Media Type";
	case 422: return "Unprocessable Entity";
	case 429: return "Too Many Requests";
	case 500: return "Internal Server Error";
	case 503: return "Service Unavailable";
	case 507: return "Insufficient Storage";
	default: return "Unknown";
	}
}

/* Ajoute une paire (copies) ; CBW_ENOMEM si impossible. */
enum cbw_err
cbw_kv_add(struct cbw_kvlist *l, const char *k, size_t kl, const char *v,
    size_t vl)
{
	struct cbw_kv	*n;
	size_t		 ncap;

	if (l->n == l->cap) {
		ncap = l->cap ? l->cap * 2 : 8;
		if ((n = reallocarray(l->v, ncap, sizeof(*n))) == NULL)
			return CBW_ENOMEM;
		l->v = n;
		l->cap = ncap;
	}
	if ((l->v[l->n].key = strndup(k, kl)) == NULL)
		return CBW_ENOMEM;
	if ((l->v[l->n].val = strndup(v, vl)) == NULL) {
		free(l->v[l->n].key);
		return CBW_ENOMEM;
	}
	l->n++;
	return CBW_OK;
}

void
cbw_kv_free(struct cbw_kvlist *l)
{
	size_t	 i;

	for (i = 0; i < l->n; i++) {
		free(l->v[i].key);
		free(l->v[i].val);
	}
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/* Première valeur de `key` ; NULL si absente. */
const char *
cbw_kv_get(const struct cbw_kvlist *l, const char *key)
{
	size_t	 i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->v[i].key, key) == 0)
			return l->v[i].val;
	return NULL;
}

/*
 * Décode en place n octets urlencoded (« + » = espace). Rend la nouvelle
 * longueur, ou -1 si un % est mal formé ou donne un octet NUL.
 */
static long
urldecode(char *s, size_t n)
{
	size_t	 i, o = 0;
	int	 h, l;

	for (i = 0; i < n; i++) {
		if (s[i] == '+')
			s[o++] = ' ';
		else if (s[i] == '%') {
			if (i + 2 >= n)
				return -1;
			if ((h = cbw_valid_hexdigit(s[i + 1])) < 0 || (l = cbw_valid_hexdigit(s[i + 2])) < 0)
				return -1;
			if ((s[o++] = (char)(h * 16 + l)) == '\0')
				return -1;
			i += 2;
		} else if (s[i] == '\0')
			return -1;
		else
			s[o++] = s[i];
	}
	return (long)o;
}

/* Décode et ajoute une paire « clé=valeur » (valeur vide si pas de =). */
static enum cbw_err
add_pair(struct cbw_kvlist *l, const char *p, size_t n)
{
	char		*tmp, *eq;
	long		 kl, vl;
	enum cbw_err	 er;

	if ((tmp = malloc(n + 1)) == NULL)
		return CBW_ENOMEM;
	memcpy(tmp, p, n);	/* peut contenir des NUL : urldecode les refuse */
	tmp[n] = '\0';
	eq = memchr(tmp, '=', n);
	kl = urldecode(tmp, eq ? (size_t)(eq - tmp) : n);
	vl = eq ? urldecode(eq + 1, n - (size_t)(eq - tmp) - 1) : 0;
	if (kl < 0 || vl < 0)
		er = CBW_EINVAL;
	else
		er = cbw_kv_add(l, tmp, (size_t)kl, eq ? eq + 1 : "", (size_t)vl);
	free(tmp);
	return er;
}

/* Analyse une chaîne urlencoded complète. */
enum cbw_err
cbw_http_parse_urlencoded(struct cbw_kvlist *l, const char *s, size_t n)
{
	const char	*p = s, *end = s + n, *amp;
	enum cbw_err	 er;

	while (p < end) {
		if ((amp = memchr(p, '&', (size_t)(end - p))) == NULL)
			amp = end;
		if (amp > p && (er = add_pair(l, p, (size_t)(amp - p))) != CBW_OK)
			return er;
		p = amp + 1;
	}
	return CBW_OK;
}

/* Chaîne de requête : urlencoded et UTF-8 bien formé (voir http.h). */
enum cbw_err
cbw_http_parse_query(struct cbw_kvlist *l, const char *s, size_t n)
{
	enum cbw_err	 er = cbw_http_parse_urlencoded(l, s, n);
	size_t		 i;

	for (i = 0; er == CBW_OK && i < l->n; i++)
		if (!cbw_valid_utf8(l->v[i].key, strlen(l->v[i].key)) ||
		    !cbw_valid_utf8(l->v[i].val, strlen(l->v[i].val)))
			er = CBW_EINVAL;
	return er;
}

/* Analyse l'en-tête Cookie (« a=1; b=2 ») ; les valeurs ne sont pas décodées. */
enum cbw_err
cbw_http_parse_cookies(struct cbw_kvlist *l, const char *h)
{
	const char	*p = h, *semi, *eq, *k, *ke;
	enum cbw_err	 er;

	while (p != NULL && *p != '\0') {
		while (*p == ' ' || *p == ';')
			p++;
		if (*p == '\0')
			break;
		if ((semi = strchr(p, ';')) == NULL)
			semi = p + strlen(p);
		eq = memchr(p, '=', (size_t)(semi - p));
		if (eq != NULL) {
			k = p;
			ke = eq;
			while (ke > k && ke[-1] == ' ')
				ke--;
			if ((er = cbw_kv_add(l, k, (size_t)(ke - k), eq + 1,
			    (size_t)(semi - eq - 1))) != CBW_OK)
				return er;
		}
		p = semi;
	}
	return CBW_OK;
}

/* Compare le type MIME (avant « ; ») sans tenir compte de la casse. */
int
cbw_http_ctype_is(const char *ctype, const char *want)
{
	size_t	 n = strlen(want);

	if (ctype == NULL)
		return 0;
	while (*ctype == ' ')
		ctype++;
	if (strncasecmp(ctype, want, n) != 0)
		return 0;
	ctype += n;
	while (*ctype == ' ')
		ctype++;
	return *ctype == '\0' || *ctype == ';';
}

/* Rend 1 si la chaîne contient un retour chariot, un saut de ligne ou NUL. */
static int
has_crlf(const char *s)
{
	return strpbrk(s, "\r\n") != NULL;
}

/* Ajoute un en-tête de réponse (refuse l'injection CR/LF). */
enum cbw_err
cbw_http_header(struct cbw_req *r, const char *name, const char *val)
{
	if (has_crlf(name) || has_crlf(val) || strchr(name, ':') != NULL)
		return CBW_EINVAL;
	return cbw_buf_printf(&r->hdrs, "%s: %s\r\n", name, val);
}

/* Ajoute un cookie avec les attributs de sécurité. */
enum cbw_err
cbw_http_cookie(struct cbw_req *r, const char *name, const char *val,
    long max_age)
{
	struct cbw_buf	 b;
	enum cbw_err	 er;
	size_t		 i;

	for (i = 0; val[i] != '\0'; i++)
		if (val[i] <= ' ' || val[i] == ';' || val[i] == ',' ||
		    val[i] == '"' || val[i] == '\\' || val[i] == 0x7f)
			return CBW_EINVAL;
	cbw_buf_init(&b);
	cbw_buf_printf(&b, "%s=%s; Path=/; HttpOnly; SameSite=Strict", name, val);
	if (max_age >= 0)
		cbw_buf_printf(&b, "; Max-Age=%ld", max_age);
	if (r->https || (r->cfg != NULL && r->cfg->cookie_secure))
		cbw_buf_puts(&b, "; Secure");
	er = b.oom ? CBW_ENOMEM : cbw_http_header(r, "Set-Cookie", cbw_buf_str(&b));
	cbw_buf_free(&b);
	return er;
}

/* Écrit une chaîne par le rédacteur de la requête. */
static void
emit(struct cbw_req *r, const char *s)
{
	r->write(r->write_arg, s, strlen(s));
}

/* En-têtes CORS si l'origine de la requête est autorisée. */
static void
emit_cors(struct cbw_req *r, struct cbw_buf *h)
{
	if (r->origin == NULL || r->cfg == NULL || has_crlf(r->origin) ||
	    !cbw_config_origin_allowed(r->cfg, r->origin))
		return;
	cbw_buf_printf(h, "Access-Control-Allow-Origin: %s\r\n"
	    "Access-Control-Allow-Methods: GET, POST, PUT, DELETE, OPTIONS\r\n"
	    "Access-Control-Allow-Headers: Authorization, Content-Type\r\n"
	    "Access-Control-Max-Age: 600\r\n", r->origin);
}

/* Écrit état, en-têtes (sécurité incluse) et corps. Voir http.h. */
void
cbw_http_send(struct cbw_req *r, int status, const char *ctype)
{
	struct cbw_buf	 h;

	if (r->status != 0)
		return;
	r->status = status;
	cbw_buf_init(&h);
	cbw_buf_printf(&h, "Status: %d %s\r\n", status, cbw_http_reason(status));
	if (ctype != NULL && status != 204)
		cbw_buf_printf(&h, "Content-Type: %s\r\n", ctype);
	if (status != 204)
		cbw_buf_printf(&h, "Content-Length: %zu\r\n", r->out.len);
	cbw_buf_puts(&h, "Content-Security-Policy: " CSP "\r\n"
	    "X-Content-Type-Options: nosniff\r\n"
	    "X-Frame-Options: DENY\r\n"
	    "Referrer-Policy: same-origin\r\n"
	    "Cache-Control: no-store\r\n"
	    "Vary: Origin, Cookie, Authorization\r\n");
	emit_cors(r, &h);
	cbw_buf_put(&h, r->hdrs.data ? r->hdrs.data : "", r->hdrs.len);
	cbw_buf_puts(&h, "\r\n");
	emit(r, cbw_buf_str(&h));
	if (status != 204 && r->method != CBW_HEAD && r->out.len > 0)
		r->write(r->write_arg, r->out.data, r->out.len);
	cbw_buf_free(&h);
}
