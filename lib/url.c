/*
 * Adresses dans le texte des messages (voir url.h).
 *
 * Un mot est une suite d'octets sans espace : blancs ASCII, mais aussi
 * les espaces Unicode de la typographie française (U+00A0 avant « ; : ! ? »
 * et dans les guillemets, U+202F, U+2000 à U+200B, U+205F, U+3000).
 * Un mot est une adresse s'il commence (ponctuation finale retirée) par
 * « http:// », « https:// » ou « www. », sans tenir compte de la casse.
 * La validité suit les règles de curl_url (hôte, IPv6, port), plus :
 * schéma http ou https écrit avec exactement deux barres (curl accepte
 * « http:/x »), hôte non vide, UTF-8 bien formé, aucun caractère de
 * contrôle. Elle est écrite ici, sans libcurl, pour que les programmes
 * FastCGI ne chargent pas curl et ses dépendances ; t/property/prop_url
 * la compare à curl_url.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <arpa/inet.h>
#include <netinet/in.h>

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

/* Caractères refusés dans un nom d'hôte décodé (hors crochets IPv6). */
static const char host_bad[] = " \r\n\t/:#?!@{}[]\\$'\"^`*<>=;,+&()";

/*
 * Vérifie un nom d'hôte h[0..n) comme curl_url : chaque « %XX » valide est
 * d'abord décodé (un « % » seul reste tel quel), puis aucun octet décodé
 * ne doit être un caractère de contrôle ou de host_bad. Les octets UTF-8
 * (noms internationalisés) sont permis. Rend 1 si valide, 0 sinon.
 */
static int
host_ok(const char *h, size_t n)
{
	size_t	 i;
	int	 c, hi, lo;

	if (n == 0)
		return 0;
	for (i = 0; i < n; i++) {
		c = (unsigned char)h[i];
		if (c == '%' && i + 2 < n && (hi = cbw_valid_hexdigit(h[i + 1])) >= 0 &&
		    (lo = cbw_valid_hexdigit(h[i + 2])) >= 0) {
			c = hi * 16 + lo;
			i += 2;
		}
		if (c < 0x20 || (c < 0x80 && strchr(host_bad, c) != NULL))
			return 0;
	}
	return 1;
}

/*
 * Vérifie un port : chiffres seulement, au plus 65535 ; vide accepté
 * (« http://a.fr:/ »). Rend 1 si valide, 0 sinon.
 */
static int
port_ok(const char *p, size_t n)
{
	long	 v = 0;
	size_t	 i;

	for (i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return 0;
		v = v * 10 + (p[i] - '0');
		if (v > 65535)
			return 0;
	}
	return 1;
}

/*
 * Vérifie un hôte IPv6 entre crochets h[0..n) (h[0] == '[') suivi
 * éventuellement de « :port ». Rend 1 si valide, 0 sinon.
 */
static int
ipv6_ok(const char *h, size_t n)
{
	const char	*close = memchr(h, ']', n);
	char		 addr[INET6_ADDRSTRLEN + 1];
	unsigned char	 bin[sizeof(struct in6_addr)];
	size_t		 alen, rest;

	if (close == NULL || (alen = (size_t)(close - h) - 1) == 0 ||
	    alen >= sizeof(addr))
		return 0;
	memcpy(addr, h + 1, alen);
	addr[alen] = '\0';
	if (inet_pton(AF_INET6, addr, bin) != 1)
		return 0;
	rest = n - (size_t)(close - h) - 1;
	if (rest == 0)
		return 1;
	return close[1] == ':' && port_ok(close + 2, rest - 1);
}

/*
 * Vérifie l'autorité a[0..n) d'une URL (« user@hôte:port ») selon les
 * règles de curl_url : identifiant quelconque avant le premier « @ »,
 * hôte non vide accepté par host_ok, ou IPv6 entre crochets (sans
 * identifiant de zone) ; port décimal d'au plus 65535. Rend 1 si valide,
 * 0 sinon.
 */
static int
authority_ok(const char *a, size_t n)
{
	const char	*at = memchr(a, '@', n), *colon;
	size_t		 hlen;

	if (at != NULL) {
		n -= (size_t)(at - a) + 1;
		a = at + 1;
	}
	if (n > 0 && a[0] == '[')
		return ipv6_ok(a, n);
	colon = memchr(a, ':', n);
	hlen = colon != NULL ? (size_t)(colon - a) : n;
	if (!host_ok(a, hlen))
		return 0;
	return colon == NULL || port_ok(colon + 1, n - hlen - 1);
}

/*
 * Vérifie une adresse. Rend 1 si `url` (longueur len) est une URL absolue
 * http(s) bien formée au sens de curl_url (voir authority_ok) avec un hôte
 * non vide, 0 sinon. Sans réseau ni allocation : n'importe quel programme
 * peut l'appeler sans charger libcurl.
 */
int
cbw_url_valid(const char *url, size_t len)
{
	size_t	 i, sl, alen;

	if (url == NULL || len == 0 || !cbw_valid_utf8(url, len))
		return 0;
	for (i = 0; i < len; i++)
		if ((unsigned char)url[i] <= 0x20 || url[i] == 0x7f)
			return 0;
	if ((sl = scheme_len(url, len)) == 0 || sl == len || url[sl] == '/')
		return 0;
	for (alen = 0; sl + alen < len; alen++)
		if (strchr("/?#", url[sl + alen]) != NULL)
			break;
	return authority_ok(url + sl, alen);
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
