/*
 * Cible libFuzzer : réponses de l'API WhatsApp et adresses des messages.
 * Le premier octet choisit un statut HTTP, le reste est le corps donné à
 * cbw_wa_parse_response ; le résultat doit être cohérent (chaînes
 * terminées, texte d'erreur en UTF-8, succès seulement en 2xx avec un
 * wamid imprimable, classe conforme à la table). Les mêmes octets servent
 * de texte à cbw_url_check_text (l'adresse fautive doit figurer dans le
 * texte) et à cbw_wa_text_body (le JSON produit doit se relire à
 * l'identique).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "buf.h"
#include "json.h"
#include "url.h"
#include "valid.h"
#include "whatsapp.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Vérifie la cohérence d'un résultat pour le statut st. */
static void
check_result(long st, const struct cbw_wa_result *r)
{
	size_t	 i, n;

	if (memchr(r->wamid, '\0', sizeof(r->wamid)) == NULL ||
	    memchr(r->error, '\0', sizeof(r->error)) == NULL ||
	    memchr(r->fbtrace_id, '\0', sizeof(r->fbtrace_id)) == NULL)
		abort();
	if (r->http_status != st || !cbw_valid_utf8(r->error, strlen(r->error)))
		abort();
	if (r->cls == CBW_WA_OK) {
		n = strlen(r->wamid);
		if (st < 200 || st > 299 || r->code != 0 || n == 0 ||
		    r->error[0] != '\0')
			abort();
		for (i = 0; i < n; i++)
			if (r->wamid[i] < 0x21 || r->wamid[i] > 0x7e)
				abort();
		return;
	}
	if (r->wamid[0] != '\0' || r->error[0] == '\0')
		abort();
	if (st >= 200 && st <= 299) {
		if (r->code != CBW_WA_CODE_GARBAGE || r->cls != CBW_WA_PERMANENT)
			abort();
	} else if (r->code == CBW_WA_CODE_HTTP) {
		if (r->cls != ((st >= 500 && st <= 599) || st == 429 ?
		    CBW_WA_RETRYABLE : CBW_WA_PERMANENT))
			abort();
	} else if (r->code < 0 || r->cls != cbw_wa_classify(r->code, NULL))
		abort();
}

/* Le corps texte produit, s'il est accepté, se relit à l'identique. */
static void
check_text_body(const char *text)
{
	struct json_object	*o = NULL, *t, *b;
	struct cbw_buf		 buf;

	cbw_buf_init(&buf);
	if (cbw_wa_text_body(&buf, "33612345678", text) == CBW_OK) {
		if (cbw_json_parse_object(buf.data, buf.len, &o) != CBW_OK ||
		    !json_object_object_get_ex(o, "text", &t) ||
		    !json_object_object_get_ex(t, "body", &b) ||
		    strcmp(json_object_get_string(b), text) != 0)
			abort();
		json_object_put(o);
	} else if (text[0] != '\0' && cbw_valid_utf8(text, strlen(text)) &&
	    strlen(text) <= 4096)
		abort();		/* refus d'un texte court et valide */
	cbw_buf_free(&buf);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const long	 statuses[] = { 200, 201, 204, 400, 401, 403, 404,
		429, 500, 502, 503, 302, 0, 100, 599, 600 };
	struct cbw_wa_result	 r;
	char			*text, bad[64];
	size_t			 badlen;
	long			 st;

	if (size == 0)
		return 0;
	st = statuses[data[0] % (sizeof(statuses) / sizeof(statuses[0]))];
	cbw_wa_parse_response(st, (const char *)data + 1, size - 1, &r);
	check_result(st, &r);

	(void)cbw_url_valid((const char *)data + 1, size - 1);
	if ((text = malloc(size)) == NULL)
		return 0;
	memcpy(text, data + 1, size - 1);
	text[size - 1] = '\0';
	badlen = 1 + data[0] % sizeof(bad);
	memset(bad, 'z', sizeof(bad));
	if (cbw_url_check_text(text, bad, badlen) == CBW_OK) {
		if (bad[0] != '\0')
			abort();
	} else if (strlen(bad) >= badlen || strstr(text, bad) == NULL)
		abort();
	check_text_body(text);
	free(text);
	return 0;
}
