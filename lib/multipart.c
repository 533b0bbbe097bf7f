/*
 * Analyse multipart/form-data (voir multipart.h), RFC 7578.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "multipart.h"

/* Copie la valeur du paramètre `key` (="..." ou jeton) d'un en-tête. */
static int
header_param(const char *h, size_t hl, const char *key, char *out, size_t len)
{
	const char	*p = h, *e = h + hl, *v;
	size_t		 kl = strlen(key), n;

	for (; p + kl + 1 < e; p++) {
		if ((p == h || p[-1] == ';' || p[-1] == ' ') &&
		    strncasecmp(p, key, kl) == 0 && p[kl] == '=') {
			v = p + kl + 1;
			if (v < e && *v == '"') {
				for (n = 1; v + n < e && v[n] != '"'; n++)
					continue;
				if (v + n >= e)
					return 0;
				v++, n--;
			} else
				for (n = 0; v + n < e && v[n] != ';' && v[n] != ' ' &&
				    v[n] != '\r'; n++)
					continue;
			if (n >= len)
				return 0;
			memcpy(out, v, n);
			out[n] = '\0';
			return 1;
		}
	}
	return 0;
}

/* Analyse les en-têtes d'une partie (jusqu'à la ligne vide). */
static int
part_headers(const char *h, size_t hl, struct cbw_part *p)
{
	const char	*line = h, *eol, *e = h + hl;
	size_t		 n;

	memset(p, 0, sizeof(*p));
	while (line < e) {
		if ((eol = memmem(line, (size_t)(e - line), "\r\n", 2)) == NULL)
			eol = e;
		n = (size_t)(eol - line);
		if (n > 20 && strncasecmp(line, "Content-Disposition:", 20) == 0) {
			if (!header_param(line, n, "name", p->name, sizeof(p->name)))
				return 0;
			header_param(line, n, "filename", p->filename,
			    sizeof(p->filename));
		} else if (n > 13 && strncasecmp(line, "Content-Type:", 13) == 0) {
			line += 13, n -= 13;
			while (n > 0 && *line == ' ')
				line++, n--;
			snprintf(p->ctype, sizeof(p->ctype), "%.*s", (int)n, line);
		}
		line = eol + 2;
	}
	return p->name[0] != '\0';
}

/* Découpage complet (voir multipart.h). */
enum cbw_err
cbw_multipart_parse(const char *ctype, const char *body, size_t len,
    struct cbw_part *parts, size_t max, size_t *n)
{
	char		 b[80], delim[84];
	const char	*p, *e = body + len, *hend, *next;
	size_t		 dl;

	*n = 0;
	if (ctype == NULL || !header_param(ctype, strlen(ctype), "boundary",
	    b + 0, sizeof(b)) || b[0] == '\0' || strlen(b) > 70)
		return CBW_EINVAL;
	dl = (size_t)snprintf(delim, sizeof(delim), "\r\n--%s", b);
	/* La première frontière n'est pas précédée de CRLF. */
	if (len < dl - 2 || memcmp(body, delim + 2, dl - 2) != 0)
		return CBW_EINVAL;
	p = body + dl - 2;
	for (;;) {
		if (e - p >= 2 && p[0] == '-' && p[1] == '-')
			return CBW_OK;		/* frontière finale */
		if (e - p < 2 || p[0] != '\r' || p[1] != '\n' || *n >= max)
			return CBW_EINVAL;
		p += 2;
		if ((hend = memmem(p, (size_t)(e - p), "\r\n\r\n", 4)) == NULL ||
		    !part_headers(p, (size_t)(hend - p), &parts[*n]))
			return CBW_EINVAL;
		p = hend + 4;
		if ((next = memmem(p, (size_t)(e - p), delim, dl)) == NULL)
			return CBW_EINVAL;
		parts[*n].data = p;
		parts[*n].len = (size_t)(next - p);
		(*n)++;
		p = next + dl;
	}
}
