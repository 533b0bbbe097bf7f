/*
 * Cible libFuzzer : analyse des entrées HTTP non fiables (chaîne de
 * requête / formulaire urlencoded, en-tête Cookie, corps JSON) et
 * vérification d'un JWT arbitraire. Les mêmes octets servent de valeur
 * d'en-tête et de cookie de réponse : refusés s'ils contiennent CR ou LF
 * (ou, pour le cookie, un blanc, « ; », « , », guillemet, barre inverse),
 * et la réponse écrite par cbw_http_send a exactement une ligne d'en-tête
 * de plus par en-tête accepté (pas d'injection). Détails des formulaires :
 * fuzz_form ; des corps JSON : fuzz_json.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "buf.h"
#include "http.h"
#include "json.h"
#include "jwt.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Rédacteur de réponse : ajoute au tampon. */
static void
sink(void *arg, const char *s, size_t n)
{
	cbw_buf_put(arg, s, n);
}

/* Lignes de l'en-tête d'une réponse (jusqu'à la ligne vide). */
static size_t
header_lines(const struct cbw_buf *b)
{
	const char	*end = b->data ? strstr(b->data, "\r\n\r\n") : NULL;
	const char	*p;
	size_t		 n = 1;

	if (end == NULL)
		abort();
	for (p = b->data; p < end; p++) {
		if (*p == '\r' && p[1] == '\n') {
			n++;
			p++;
		} else if (*p == '\r' || *p == '\n')
			abort();	/* CR ou LF seul dans l'en-tête */
	}
	return n;
}

/* Une réponse avec l'en-tête et le cookie s ; vérifie les lignes. */
static void
response(const char *s)
{
	struct cbw_req	 r;
	struct cbw_buf	 out, base;
	size_t		 added = 0, i;
	int		 hok, cok;

	cbw_buf_init(&base);
	cbw_req_init(&r);
	r.write = sink;
	r.write_arg = &base;
	cbw_http_send(&r, 200, "text/plain");
	cbw_req_free(&r);

	cbw_buf_init(&out);
	cbw_req_init(&r);
	r.write = sink;
	r.write_arg = &out;
	hok = cbw_http_header(&r, "X-Fuzz", s) == CBW_OK;
	if (hok != (strpbrk(s, "\r\n") == NULL))
		abort();
	added += (size_t)hok;
	cok = cbw_http_cookie(&r, "cbw_flash", s, 0) == CBW_OK;
	for (i = 0; s[i] != '\0'; i++)
		if ((unsigned char)s[i] <= ' ' || (unsigned char)s[i] >= 0x7f ||
		    strchr(";,\"\\", s[i]) != NULL)
			break;
	if (cok != (s[i] == '\0'))
		abort();
	added += (size_t)cok;
	cbw_http_send(&r, 200, "text/plain");
	if (header_lines(&out) != header_lines(&base) + added)
		abort();
	cbw_req_free(&r);
	cbw_buf_free(&out);
	cbw_buf_free(&base);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cbw_kvlist	 l;
	struct cbw_jwt_claims	 c;
	struct json_object	*o = NULL;
	char			*s;
	size_t			 i;

	memset(&l, 0, sizeof(l));
	cbw_http_parse_urlencoded(&l, (const char *)data, size);
	for (i = 0; i < l.n; i++)
		if (strlen(l.v[i].key) > size || strlen(l.v[i].val) > size)
			abort();
	cbw_kv_free(&l);
	if ((s = malloc(size + 1)) == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	cbw_http_parse_cookies(&l, s);
	for (i = 0; i < l.n; i++)
		if (strlen(l.v[i].key) + strlen(l.v[i].val) >= size + 1 ||
		    strchr(l.v[i].key, ';') != NULL || strchr(l.v[i].val, ';') != NULL ||
		    l.v[i].key[0] == ' ')
			abort();
	cbw_kv_free(&l);
	response(s);
	if (cbw_json_parse_object(s, size, &o) == CBW_OK &&
	    !json_object_is_type(o, json_type_object))
		abort();
	json_object_put(o);
	if (cbw_jwt_verify("0123456789abcdef0123456789abcdef", s, 1700000000,
	    &c) == CBW_OK && c.sub <= 0)
		abort();
	free(s);
	return 0;
}
