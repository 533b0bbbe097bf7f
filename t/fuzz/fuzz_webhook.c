/*
 * Cible libFuzzer : notification de webhook WhatsApp arbitraire. La lecture
 * (cbw_wh_parse) doit rendre CBW_OK avec des événements cohérents (chaînes
 * terminées dans leur tableau, UTF-8 valide, numéros en chiffres, énumérations
 * dans leurs bornes) ou CBW_EINVAL avec un lot vide. La signature doit être
 * refusée avec un en-tête fixe quelconque, acceptée avec le HMAC exact du
 * corps, et avec celui de sa forme \uXXXX quand le corps est de l'UTF-8
 * non ASCII. Les octets servent aussi d'en-tête et de jeton (sans plantage).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "valid.h"
#include "webhook.h"

#define SECRET	"fuzz_app_secret"
#define HEADER	"sha256=0329a06b62cd16b33eb6792be8c60b158d89a2ee3a876fce9a881ebb488c0914"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Rend 1 si le champ a son NUL dans ses cap octets et est de l'UTF-8 valide. */
static int
field_ok(const char *f, size_t cap)
{
	const char	*z = memchr(f, '\0', cap);

	return z != NULL && cbw_valid_utf8(f, (size_t)(z - f));
}

/* Rend 1 si s n'est fait que de chiffres ASCII (vide permis). */
static int
digits(const char *s)
{
	return strspn(s, "0123456789") == strlen(s);
}

/* Vérifie les invariants d'un lot lu avec succès ; abort() sinon. */
static void
check(const struct cbw_wh_batch *b)
{
	const struct cbw_wh_event	*e;
	size_t				 i;

	if (b->n > b->cap || (b->n > 0 && b->ev == NULL))
		abort();
	for (i = 0; i < b->n; i++) {
		e = &b->ev[i];
		if ((int)e->kind < 0 || e->kind >= CBW_WH_KIND__MAX ||
		    (int)e->status < 0 || e->status >= CBW_WH_STATUS__MAX ||
		    (int)e->msgtype < 0 || e->msgtype >= CBW_WH_MSGTYPE__MAX ||
		    e->timestamp < 0 || e->error_code < 0)
			abort();
		if (!field_ok(e->phone_number_id, sizeof(e->phone_number_id)) ||
		    !field_ok(e->wamid, sizeof(e->wamid)) ||
		    !field_ok(e->recipient, sizeof(e->recipient)) ||
		    !field_ok(e->error_text, sizeof(e->error_text)) ||
		    !field_ok(e->from, sizeof(e->from)) ||
		    !field_ok(e->message_id, sizeof(e->message_id)) ||
		    !field_ok(e->context_id, sizeof(e->context_id)) ||
		    !field_ok(e->text, sizeof(e->text)) ||
		    !field_ok(e->type_name, sizeof(e->type_name)))
			abort();
		if (e->kind == CBW_WH_STATUS &&
		    (e->wamid[0] == '\0' || !digits(e->recipient)))
			abort();
		if (e->kind == CBW_WH_MESSAGE && e->message_id[0] == '\0')
			abort();
		if ((e->kind == CBW_WH_MESSAGE || e->kind == CBW_WH_OPTIN ||
		    e->kind == CBW_WH_OPTOUT) &&
		    (e->from[0] == '\0' || !digits(e->from)))
			abort();
		(void)cbw_wh_is_stop_word(e->text);
		(void)cbw_wh_kind_name(e->kind);
		(void)cbw_wh_status_name(e->status);
		(void)cbw_wh_msgtype_name(e->msgtype);
	}
}

/*
 * Forme \uXXXX (minuscules, paires de substitution) de data, écrite
 * indépendamment de lib/webhook.c. Rend un tampon à libérer (longueur dans
 * *olen), ou NULL si data n'est pas de l'UTF-8 valide ou est tout ASCII.
 */
static char *
escape(const uint8_t *data, size_t n, size_t *olen)
{
	char		*out;
	size_t		 i = 0, o = 0, k, j;
	unsigned int	 cp;
	int		 high = 0, w;

	if ((out = malloc(n * 12 + 1)) == NULL)
		return NULL;
	while (i < n) {
		if (data[i] < 0x80) {
			out[o++] = (char)data[i++];
			continue;
		}
		high = 1;
		if ((k = cbw_utf8_seq(data + i, n - i)) < 2) {
			free(out);
			return NULL;
		}
		cp = data[i] & (0xffu >> (k + 1));
		for (j = 1; j < k; j++)
			cp = (cp << 6) | (data[i + j] & 0x3fu);
		i += k;
		if (cp >= 0x10000)
			w = snprintf(out + o, 13, "\\u%04x\\u%04x",
			    0xd800 | ((cp - 0x10000) >> 10),
			    0xdc00 | ((cp - 0x10000) & 0x3ff));
		else
			w = snprintf(out + o, 7, "\\u%04x", cp);
		if (w != (cp >= 0x10000 ? 12 : 6)) {
			free(out);
			return NULL;
		}
		o += (size_t)w;
	}
	out[o] = '\0';
	*olen = o;
	if (!high) {
		free(out);
		return NULL;
	}
	return out;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cbw_wh_batch	 b;
	char			 hex[CBW_SHA256_HEX], hdr[72], *s, *esc;
	size_t			 elen;
	enum cbw_err		 er;

	b.n = 1;
	er = cbw_wh_parse((const char *)data, size, &b);
	if (er == CBW_OK)
		check(&b);
	else if (er != CBW_EINVAL || b.ev != NULL || b.n != 0)
		abort();
	cbw_wh_batch_free(&b);

	/* Signature : en-tête fixe refusé, HMAC exact accepté. */
	if (cbw_wh_signature_ok((const char *)data, size, HEADER, SECRET) !=
	    CBW_EDENIED)
		abort();
	if (cbw_crypto_hmac_hex(SECRET, strlen(SECRET), data, size, hex) !=
	    CBW_OK || snprintf(hdr, sizeof(hdr), "sha256=%s", hex) != 71)
		abort();
	if (cbw_wh_signature_ok((const char *)data, size, hdr, SECRET) != CBW_OK)
		abort();
	if ((esc = escape(data, size, &elen)) != NULL) {
		if (cbw_crypto_hmac_hex(SECRET, strlen(SECRET), esc, elen, hex) !=
		    CBW_OK || snprintf(hdr, sizeof(hdr), "sha256=%s", hex) != 71 ||
		    cbw_wh_signature_ok((const char *)data, size, hdr, SECRET) !=
		    CBW_OK)
			abort();
		free(esc);
	}

	/* Les octets comme en-tête, jeton et challenge. */
	if ((s = malloc(size + 1)) == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (cbw_wh_signature_ok("{}", 2, s, SECRET) == CBW_OK &&
	    strncmp(s, "sha256=", 7) != 0)
		abort();
	if (cbw_wh_verify("subscribe", s, "1158201444", "jeton") == CBW_OK &&
	    strcmp(s, "jeton") != 0)
		abort();
	(void)cbw_wh_verify("subscribe", "jeton", s, "jeton");
	(void)cbw_wh_verify(s, "jeton", "1", "jeton");
	(void)cbw_wh_is_stop_word(s);
	free(s);
	return 0;
}
