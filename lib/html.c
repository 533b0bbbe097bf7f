/*
 * Échappement de la sortie HTML (voir html.h).
 */
#include <string.h>

#include "buf.h"
#include "err.h"
#include "html.h"

/*
 * Rend le remplacement d'un octet en contexte texte/attribut HTML :
 * NULL si l'octet est recopié tel quel, "" s'il est supprimé (caractère
 * de contrôle autre que \t, \n, \r), sinon l'entité à écrire.
 */
static const char *
txt_subst(unsigned char c)
{
	switch (c) {
	case '&':
		return "&amp;";
	case '<':
		return "&lt;";
	case '>':
		return "&gt;";
	case '"':
		return "&quot;";
	case '\'':
		return "&#39;";
	case '`':
		return "&#96;";
	case '\t':
	case '\n':
	case '\r':
		return NULL;
	default:
		break;
	}
	if (c < 0x20 || c == 0x7f)
		return "";
	return NULL;
}

/*
 * Ajoute les `n` octets de `s` échappés pour du texte HTML ou une valeur
 * d'attribut entre guillemets. Les octets >= 0x80 (UTF-8) passent tels
 * quels. Renvoie CBW_OK ou CBW_ENOMEM.
 */
enum cbw_err
cbw_html_txtn(struct cbw_buf *b, const char *s, size_t n)
{
	const char	*rep;
	size_t		 i, start;

	if (s == NULL)
		return CBW_OK;
	for (i = start = 0; i < n; i++) {
		if ((rep = txt_subst((unsigned char)s[i])) == NULL)
			continue;
		if (cbw_buf_put(b, s + start, i - start) != CBW_OK ||
		    cbw_buf_puts(b, rep) != CBW_OK)
			return CBW_ENOMEM;
		start = i + 1;
	}
	return cbw_buf_put(b, s + start, n - start);
}

/*
 * Comme cbw_html_txtn pour une chaîne terminée par NUL (NULL vaut "").
 * Renvoie CBW_OK ou CBW_ENOMEM.
 */
enum cbw_err
cbw_html_txt(struct cbw_buf *b, const char *s)
{
	if (s == NULL)
		return CBW_OK;
	return cbw_html_txtn(b, s, strlen(s));
}

/* Vrai si `c` fait partie des caractères non réservés de la RFC 3986. */
static int
url_unreserved(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' ||
	    c == '~';
}

/*
 * Ajoute `s` encodé pour un argument de query string : caractères non
 * réservés gardés, tout le reste en %XX majuscule (espace compris).
 * Renvoie CBW_OK ou CBW_ENOMEM.
 */
enum cbw_err
cbw_html_url_arg(struct cbw_buf *b, const char *s)
{
	static const char	 hex[] = "0123456789ABCDEF";
	char			 pct[3];
	size_t			 i, start;
	unsigned char		 c;

	if (s == NULL)
		return CBW_OK;
	for (i = start = 0; s[i] != '\0'; i++) {
		c = (unsigned char)s[i];
		if (url_unreserved(c))
			continue;
		pct[0] = '%';
		pct[1] = hex[c >> 4];
		pct[2] = hex[c & 0x0f];
		if (cbw_buf_put(b, s + start, i - start) != CBW_OK ||
		    cbw_buf_put(b, pct, sizeof(pct)) != CBW_OK)
			return CBW_ENOMEM;
		start = i + 1;
	}
	return cbw_buf_put(b, s + start, i - start);
}

/*
 * Ajoute `s` SANS aucun échappement (NULL vaut ""). À n'utiliser que pour
 * du balisage construit par le serveur. Renvoie CBW_OK ou CBW_ENOMEM.
 */
enum cbw_err
cbw_html_raw(struct cbw_buf *b, const char *s)
{
	if (s == NULL)
		return CBW_OK;
	return cbw_buf_puts(b, s);
}
