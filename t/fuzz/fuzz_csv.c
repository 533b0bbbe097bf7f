/*
 * Cible libFuzzer : lecture CSV d'un fichier arbitraire. Le premier octet
 * impose le séparateur (0 : détection). Chaque champ doit être de l'UTF-8
 * valide, dans le texte décodé et terminé par NUL ; le nombre
 * d'enregistrements (erreurs comprises) est borné par le nombre de fins de
 * ligne + 1 ; chaque ligne réécrite par cbw_csv_row doit se relire à
 * l'identique (apostrophe de neutralisation mise à part).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "csv.h"
#include "valid.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Nombre de CR et de LF du texte décodé. */
static size_t
breaks(const char *s, size_t n)
{
	size_t	 i, k = 0;

	for (i = 0; i < n; i++)
		k += s[i] == '\r' || s[i] == '\n';
	return k;
}

/* Rend 1 si la cellule écrite a reçu l'apostrophe anti-formule. */
static int
neutralised(const char *s)
{
	return s[0] != '\0' && memchr("=+-@\t\r", s[0], 6) != NULL;
}

/*
 * Relit la ligne écrite (après un en-tête d'une lettre qui n'est pas le
 * séparateur) et compare les champs.
 */
static void
reread(const struct cbw_buf *b, const struct cbw_csv_field *f, size_t n,
    char delim)
{
	const struct cbw_csv_field	*g;
	struct cbw_csv			*c;
	size_t				 m, i, line;
	int				 rc, empty = 1;

	if ((c = cbw_csv_open(b->data, b->len, delim)) == NULL)
		return;
	if (cbw_csv_next(c, &g, &m, &line, NULL) != 1 || m != 1 ||
	    g[0].len != 1 || g[0].s[0] != (delim == 'h' ? 'k' : 'h'))
		abort();
	for (i = 0; i < n; i++)
		empty &= f[i].len == 0;
	rc = cbw_csv_next(c, &g, &m, &line, NULL);
	if (rc != (empty ? 0 : 1) || (rc == 1 && (m != n || line != 2)))
		abort();
	for (i = 0; rc == 1 && i < n; i++) {
		if (neutralised(f[i].s)) {
			if (g[i].len != f[i].len + 1 || g[i].s[0] != '\'' ||
			    memcmp(g[i].s + 1, f[i].s, f[i].len) != 0)
				abort();
		} else if (g[i].len != f[i].len ||
		    memcmp(g[i].s, f[i].s, f[i].len) != 0)
			abort();
	}
	if (rc == 1 && cbw_csv_next(c, &g, &m, &line, NULL) != 0)
		abort();
	cbw_csv_close(c);
}

/* Vérifie un enregistrement lu puis le réécrit et le relit. */
static void
check(const struct cbw_csv *c, const struct cbw_csv_field *f, size_t n)
{
	const char	*cells[CBW_CSV_MAX_FIELDS], *text;
	struct cbw_buf	 b;
	size_t		 i, tlen;

	text = cbw_csv_text(c, &tlen);
	if (n == 0 || n > CBW_CSV_MAX_FIELDS)
		abort();
	for (i = 0; i < n; i++) {
		if (f[i].s < text || f[i].s + f[i].len > text + tlen ||
		    f[i].s[f[i].len] != '\0' || !cbw_valid_utf8(f[i].s, f[i].len))
			abort();
		cells[i] = f[i].s;
	}
	cbw_buf_init(&b);
	if (cbw_buf_puts(&b, cbw_csv_delim(c) == 'h' ? "k\r\n" : "h\r\n") ==
	    CBW_OK &&
	    cbw_csv_row(&b, cells, n, cbw_csv_delim(c)) == CBW_OK)
		reread(&b, f, n, cbw_csv_delim(c));
	cbw_buf_free(&b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct cbw_csv_field	*f;
	struct cbw_csv			*c;
	const char			*msg, *text;
	size_t				 n, line, last = 0, recs = 0, tlen, nbr;
	int				 rc;

	if (size == 0)
		return 0;
	if ((c = cbw_csv_open((const char *)data + 1, size - 1,
	    (char)data[0])) == NULL)
		return 0;
	text = cbw_csv_text(c, &tlen);
	if (text[tlen] != '\0')
		abort();
	nbr = breaks(text, tlen);	/* avant que la lecture n'écrive des NUL */
	while ((rc = cbw_csv_next(c, &f, &n, &line, &msg)) != 0) {
		if (++recs > nbr + 1 || line < 1 || line < last)
			abort();
		last = line;
		if (rc == -1 && (msg == NULL || n != 0))
			abort();
		if (rc == 1)
			check(c, f, n);
	}
	cbw_csv_close(c);
	return 0;
}
