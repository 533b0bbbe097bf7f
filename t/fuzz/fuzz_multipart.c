/*
 * Cible libFuzzer : corps multipart/form-data (envoi de fichier,
 * cbw_multipart_parse). Le premier octet choisit le mode.
 *
 *  - octet pair : brut. Jusqu'au premier saut de ligne, l'en-tête
 *    Content-Type ; le reste, le corps (tampon exact, sans NUL final).
 *    Un succès doit rendre au plus `max` parties, chacune dans le corps,
 *    dans l'ordre et sans chevauchement, avec un nom non vide, des chaînes
 *    terminées dans leurs tableaux, et des données qui ne contiennent pas
 *    la frontière. Un échec ne rend aucune partie au-delà de `max`.
 *  - octet impair : aller-retour. Les octets décrivent une frontière (1 à
 *    70 caractères permis par la RFC 2046, entre guillemets ou non) et
 *    jusqu'à 16 parties (nom, nom de fichier, type, en-têtes en plus,
 *    données quelconques) ; le corps construit ici, épilogue compris, doit
 *    se relire en exactement ces parties.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "http.h"
#include "multipart.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Lecteur d'octets de fuzz : 0 une fois épuisé. */
struct rd {
	const uint8_t	*p;
	size_t		 n;
};

static uint8_t
byte(struct rd *r)
{
	if (r->n == 0)
		return 0;
	r->n--;
	return *r->p++;
}

/* Chaîne de 0 à max caractères pris dans `set`. */
static void
str(struct rd *r, const char *set, size_t max, char *out)
{
	size_t	 n = max ? byte(r) % (max + 1) : 0, i, sl = strlen(set);

	for (i = 0; i < n; i++)
		out[i] = set[byte(r) % sl];
	out[n] = '\0';
}

/* Vrai si la chaîne s est terminée dans ses cap octets. */
static int
term(const char *s, size_t cap)
{
	return memchr(s, '\0', cap) != NULL;
}

/*
 * Délimiteur « CRLF--frontière » du paramètre boundary de l'en-tête : premier
 * « boundary= » (casse ignorée) en tête ou après « ; » ou une espace ;
 * valeur entre guillemets, ou jusqu'à « ; », espace ou CR. Rend 0 si aucun.
 */
static int
boundary(const char *ct, char *out, size_t len)
{
	const char	*p, *v, *q;
	size_t		 n;

	for (p = ct; *p != '\0'; p++) {
		if ((p != ct && p[-1] != ';' && p[-1] != ' ') ||
		    strncasecmp(p, "boundary=", 9) != 0)
			continue;
		v = p + 9;
		if (*v == '"') {
			if ((q = strchr(v + 1, '"')) == NULL)
				return 0;
			v++;
			n = (size_t)(q - v);
		} else
			n = strcspn(v, "; \r");
		if (n == 0 || n > 70)
			return 0;
		snprintf(out, len, "\r\n--%.*s", (int)n, v);
		return 1;
	}
	return 0;
}

static void
raw(const uint8_t *data, size_t size)
{
	struct cbw_part	 parts[CBW_MULTIPART_MAX];
	const uint8_t	*nl = memchr(data, '\n', size);
	char		*ctype, *body, delim[90];
	size_t		 hl = nl ? (size_t)(nl - data) : size, bl, n = 999, i;
	enum cbw_err	 er;

	if ((ctype = strndup((const char *)data, hl)) == NULL)
		return;
	bl = nl ? size - hl - 1 : 0;
	if ((body = malloc(bl ? bl : 1)) == NULL) {
		free(ctype);
		return;
	}
	memcpy(body, nl ? nl + 1 : data, bl);
	er = cbw_multipart_parse(ctype, body, bl, parts, CBW_MULTIPART_MAX, &n);
	if (n > CBW_MULTIPART_MAX)
		abort();
	if (er == CBW_OK) {
		if (!boundary(ctype, delim, sizeof(delim)))
			abort();	/* succès sans frontière lisible */
		for (i = 0; i < n; i++) {
			if (!term(parts[i].name, sizeof(parts[i].name)) ||
			    !term(parts[i].filename, sizeof(parts[i].filename)) ||
			    !term(parts[i].ctype, sizeof(parts[i].ctype)) ||
			    parts[i].name[0] == '\0')
				abort();
			if (parts[i].data < body || parts[i].len > bl ||
			    parts[i].data + parts[i].len > body + bl)
				abort();
			if (i > 0 && parts[i].data < parts[i - 1].data +
			    parts[i - 1].len)
				abort();
			if (memmem(parts[i].data, parts[i].len, delim,
			    strlen(delim)) != NULL)
				abort();
		}
	}
	free(body);
	free(ctype);
}

#define BCHARS	"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'()+_,-./:=?"
#define NCHARS	"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_-.[]"
#define FCHARS	"abcdefghijklmnopqrstuvwxyz0123456789 ._-();,=+'&%\xc3\xa9"
#define TCHARS	"abcdefghijklmnopqrstuvwxyz0123456789/+-.; =\""

static void
roundtrip(const uint8_t *data, size_t size)
{
	struct rd	 r = { data, size };
	struct cbw_part	 want[CBW_MULTIPART_MAX], got[CBW_MULTIPART_MAX];
	struct cbw_buf	 body;
	char		 b[71], ctype[200], extra[40], delim[80];
	size_t		 np, n = 999, i, dl;
	uint8_t		 flags;
	int		 bad = 0;

	str(&r, BCHARS, 70, b);
	if (b[0] == '\0')
		memcpy(b, "x", 2);
	flags = byte(&r);
	snprintf(ctype, sizeof(ctype), "%smultipart/form-data%s; boundary=%s%s%s%s",
	    (flags & 1) ? " " : "", (flags & 2) ? "; charset=utf-8" : "",
	    (flags & 4) ? "\"" : "", b, (flags & 4) ? "\"" : "",
	    (flags & 8) ? "; foo=bar" : "");
	snprintf(delim, sizeof(delim), "\r\n--%s", b);
	dl = strlen(delim);
	np = byte(&r) % (CBW_MULTIPART_MAX + 1);
	cbw_buf_init(&body);
	cbw_buf_puts(&body, delim + 2);
	for (i = 0; i < np; i++) {
		memset(&want[i], 0, sizeof(want[i]));
		str(&r, NCHARS, 63, want[i].name);
		if (want[i].name[0] == '\0')
			snprintf(want[i].name, sizeof(want[i].name), "%s", "file");
		flags = byte(&r);
		if (flags & 1)
			str(&r, FCHARS, 255, want[i].filename);
		if (flags & 2) {
			str(&r, TCHARS, 127, want[i].ctype);
			if (want[i].ctype[0] == ' ')
				want[i].ctype[0] = 'x';
		}
		str(&r, "abcXYZ: -", 30, extra);
		want[i].len = byte(&r);
		want[i].len = want[i].len > r.n ? r.n : want[i].len;
		want[i].data = (const char *)r.p;
		r.p += want[i].len;
		r.n -= want[i].len;
		if (memmem(want[i].data, want[i].len, delim, dl) != NULL)
			bad = 1;	/* la frontière ne doit pas figurer dans les données */
		cbw_buf_puts(&body, "\r\n");
		if ((flags & 4) && extra[0] != '\0' && strchr(extra, ':') == NULL)
			cbw_buf_printf(&body, "X-%s: 1\r\n", extra);
		cbw_buf_printf(&body, "%s: form-data; name=%s%s%s",
		    (flags & 8) ? "content-disposition" : "Content-Disposition",
		    (flags & 16) ? "" : "\"", want[i].name, (flags & 16) ? "" : "\"");
		if (flags & 1)
			cbw_buf_printf(&body, "; filename=\"%s\"", want[i].filename);
		if (flags & 2)
			cbw_buf_printf(&body, "\r\n%s: %s", (flags & 32) ?
			    "content-type" : "Content-Type", want[i].ctype);
		cbw_buf_puts(&body, "\r\n\r\n");
		cbw_buf_put(&body, want[i].data, want[i].len);
		cbw_buf_puts(&body, delim);
	}
	cbw_buf_puts(&body, "--");
	cbw_buf_put(&body, (const char *)r.p, r.n);	/* épilogue */
	if (body.oom || bad) {
		cbw_buf_free(&body);
		return;
	}
	if (!cbw_http_ctype_is(ctype, "multipart/form-data"))
		abort();
	if (cbw_multipart_parse(ctype, body.data, body.len, got,
	    CBW_MULTIPART_MAX, &n) != CBW_OK || n != np)
		abort();
	for (i = 0; i < n; i++)
		if (strcmp(got[i].name, want[i].name) != 0 ||
		    strcmp(got[i].filename, want[i].filename) != 0 ||
		    strcmp(got[i].ctype, want[i].ctype) != 0 ||
		    got[i].len != want[i].len ||
		    memcmp(got[i].data, want[i].data, got[i].len) != 0 ||
		    got[i].data < body.data || got[i].data + got[i].len >
		    body.data + body.len)
			abort();
	cbw_buf_free(&body);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	if (data[0] & 1)
		roundtrip(data + 1, size - 1);
	else
		raw(data + 1, size - 1);
	return 0;
}
