/*
 * Adresses dans le texte des messages (voir url.h).
 *
 * Un mot est une suite d'octets sans espace : blancs ASCII, mais aussi
 * les espaces Unicode de la typographie française (U+00A0 avant « ; : ! ? »
 * et dans les guillemets, U+202F, U+2000 à U+200B, U+205F, U+3000).
 * Un mot est une adresse s'il commence (ponctuation finale retirée) par
 * « http:// », « https:// » ou « www. », sans tenir compte de la casse.
 * La validité est celle de curl_url, plus : schéma http ou https écrit
 * avec exactement deux barres (curl accepte « http:/x »), hôte non vide,
 * UTF-8 bien formé, aucun caractère de contrôle.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "url.h"
#include "valid.h"

/*
 * Longueur du préfixe « http:// » ou « https:// » (casse ignorée) en tête
 * de s[0..n) ; 0 si aucun des deux.
 */
static size_t
scheme_len(const char *s, size_t n)
{
	if (n >= 7 && strncasecmp(s, "http://", 7) == 0)
		return 7;
	if (n >= 8 && strncasecmp(s, "https://", 8) == 0)
		return 8;
	return 0;
}

/*
 * Vérifie une adresse avec curl_url. Rend 1 si `url` (longueur len) est
 * une URL absolue http(s) acceptée par libcurl avec un hôte non vide, 0
 * sinon (y compris si la mémoire manque).
 */
int
cbw_url_valid(const char *url, size_t len)
{
	CURLU		*h = NULL;
	char		*copy = NULL, *scheme = NULL, *host = NULL;
	size_t		 i, sl;
	int		 ok = 0;

	if (url == NULL || len == 0 || !cbw_valid_utf8(url, len))
		goto out;
	for (i = 0; i < len; i++)
		if ((unsigned char)url[i] <= 0x20 || url[i] == 0x7f)
			goto out;
	if ((sl = scheme_len(url, len)) == 0 || sl == len || url[sl] == '/')
		goto out;
	if ((copy = malloc(len + 1)) == NULL)
		goto out;
	memcpy(copy, url, len);
	copy[len] = '\0';
	if ((h = curl_url()) == NULL ||
	    curl_url_set(h, CURLUPART_URL, copy, 0) != CURLUE_OK ||
	    curl_url_get(h, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(h, CURLUPART_HOST, &host, 0) != CURLUE_OK)
		goto out;
	if (strcmp(scheme, "http") != 0 && strcmp(scheme, "https") != 0)
		goto out;
	ok = host[0] != '\0';
out:
	curl_free(scheme);
	curl_free(host);
	curl_url_cleanup(h);
	free(copy);
	return ok;
}

/*
 * Longueur de l'espace qui commence en s (reste n > 0 octets) : 1 pour un
 * blanc ASCII, 2 ou 3 pour une espace Unicode, 0 si ce n'est pas une espace.
 */
static size_t
space_len(const unsigned char *s, size_t n)
{
	if (s[0] == ' ' || (s[0] >= '\t' && s[0] <= '\r'))
		return 1;
	if (n >= 2 && s[0] == 0xc2 && s[1] == 0xa0)
		return 2;				/* U+00A0 */
	if (n >= 3 && s[0] == 0xe2 && s[1] == 0x80 &&
	    (s[2] <= 0x8b || s[2] == 0xaf))
		return 3;				/* U+2000..U+200B, U+202F */
	if (n >= 3 && s[0] == 0xe2 && s[1] == 0x81 && s[2] == 0x9f)
		return 3;				/* U+205F */
	if (n >= 3 && s[0] == 0xe3 && s[1] == 0x80 && s[2] == 0x80)
		return 3;				/* U+3000 */
	return 0;
}

/*
 * Longueur du mot s[0..n) une fois retirée sa ponctuation finale
 * « .,;:!?)»"' » (autant de fois qu'elle se répète). Rend 0 si tout y passe.
 */
static size_t
strip_tail(const char *s, size_t n)
{
	for (;;) {
		if (n > 0 && strchr(".,;:!?)\"'", s[n - 1]) != NULL &&
		    s[n - 1] != '\0')
			n--;
		else if (n >= 2 && (unsigned char)s[n - 2] == 0xc2 &&
		    (unsigned char)s[n - 1] == 0xbb)
			n -= 2;				/* « » » */
		else
			return n;
	}
}

/*
 * Vérifie un mot déjà débarrassé de sa ponctuation finale. Rend 1 si ce
 * n'est pas une adresse ou si c'est une adresse valide, 0 sinon.
 */
static int
word_ok(const char *w, size_t n)
{
	char	*tmp;
	int	 ok;

	if (scheme_len(w, n) > 0)
		return cbw_url_valid(w, n);
	if (n < 4 || strncasecmp(w, "www.", 4) != 0)
		return 1;
	if ((tmp = malloc(n + 8)) == NULL)
		return 0;
	memcpy(tmp, "http://", 7);
	memcpy(tmp + 7, w, n);
	ok = cbw_url_valid(tmp, n + 7);
	free(tmp);
	return ok;
}

/*
 * Copie w[0..n) dans bad (badlen octets), tronquée sans couper une
 * séquence UTF-8 et terminée par NUL. Ne fait rien si bad est NULL ou
 * badlen nul.
 */
static void
copy_bad(char *bad, size_t badlen, const char *w, size_t n)
{
	if (bad == NULL || badlen == 0)
		return;
	if (n > badlen - 1) {
		n = badlen - 1;
		while (n > 0 && ((unsigned char)w[n] & 0xc0) == 0x80)
			n--;
	}
	memcpy(bad, w, n);
	bad[n] = '\0';
}

/*
 * Parcourt les mots du texte et vérifie chaque adresse. Rend CBW_OK si
 * toutes sont valides (bad vaut alors ""), sinon CBW_EINVAL et la
 * première adresse fautive, telle qu'écrite, dans bad. Un texte NULL ne
 * contient aucune adresse.
 */
enum cbw_err
cbw_url_check_text(const char *text, char *bad, size_t badlen)
{
	const unsigned char	*s = (const unsigned char *)text;
	size_t			 n, i = 0, b, k, wl;

	if (bad != NULL && badlen > 0)
		bad[0] = '\0';
	if (text == NULL)
		return CBW_OK;
	n = strlen(text);
	while (i < n) {
		while (i < n && (k = space_len(s + i, n - i)) > 0)
			i += k;
		b = i;
		while (i < n && space_len(s + i, n - i) == 0)
			i++;
		if (i == b)
			continue;
		wl = strip_tail(text + b, i - b);
		if (!word_ok(text + b, wl)) {
			copy_bad(bad, badlen, text + b, wl);
			return CBW_EINVAL;
		}
	}
	return CBW_OK;
}
