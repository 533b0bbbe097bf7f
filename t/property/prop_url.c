/*
 * Test de propriété 13 (adresses dans les messages) : un texte fait de
 * mots quelconques et d'adresses http(s) ou « www. » valides tirées au
 * hasard (hôtes, ports, chemins, requêtes, ponctuation finale, espaces
 * insécables) passe cbw_url_check_text ; y glisser une seule adresse
 * abîmée (hôte vide, caractère de contrôle ou interdit dans l'hôte, IPv6
 * mal formée, port impossible, trois barres, UTF-8 invalide) donne
 * CBW_EINVAL et `bad` vaut exactement cette adresse (ponctuation finale
 * retirée), ou son début sans séquence UTF-8 coupée si `bad` est court.
 * Enfin cbw_url_valid, écrite sans libcurl, répond comme curl_url sur des
 * adresses tirées près des frontières (oracle : la libcurl du système).
 *
 * Graine : variable CBW_SEED si elle est donnée, sinon l'heure. La graine
 * est affichée au début (« seed=<n> ») : CBW_SEED=<n> rejoue le même essai.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "testutil.h"
#include "url.h"
#include "valid.h"

#define NITER	1000	/* essais par sous-propriété (≥ 100) */
#define OUTMAX	8192

static uint64_t	 seed;

/* Chaîne de sortie bornée. */
struct out {
	char	 s[OUTMAX];
	size_t	 n;
};

/* Ajoute n octets de s. */
static void
put_n(struct out *o, const char *s, size_t n)
{
	assert_true(o->n + n < OUTMAX);
	memcpy(o->s + o->n, s, n);
	o->n += n;
	o->s[o->n] = '\0';
}

/* Ajoute une chaîne. */
static void
put(struct out *o, const char *s)
{
	put_n(o, s, strlen(s));
}

/* Ajoute un octet. */
static void
putc_(struct out *o, char c)
{
	put_n(o, &c, 1);
}

/* Élément pris au hasard dans un tableau de chaînes. */
#define PICK(a)	((a)[cbw_t_below(sizeof(a) / sizeof((a)[0]))])

/* Étiquette d'hôte : lettres et chiffres, tirets internes, parfois accents. */
static void
rnd_label(struct out *o)
{
	static const char	 al[] = "abcdefghijklmnopqrstuvwxyz0123456789";
	static const char *const uni[] = { "é", "è", "ç", "ü", "ß" };
	size_t			 n = 1 + cbw_t_below(12), i;

	for (i = 0; i < n; i++) {
		if (i > 0 && i + 1 < n && cbw_t_below(10) == 0)
			putc_(o, '-');
		else if (cbw_t_below(40) == 0)
			put(o, PICK(uni));
		else
			putc_(o, al[cbw_t_below(sizeof(al) - 1)]);
	}
}

/* Nom d'hôte : 1 à 3 étiquettes puis un domaine de premier niveau. */
static void
rnd_hostname(struct out *o)
{
	static const char *const tld[] = { "fr", "com", "org", "net", "io",
		"paris", "co.uk", "FR", "Com" };
	size_t	 n = 1 + cbw_t_below(3), i;

	for (i = 0; i < n; i++) {
		rnd_label(o);
		putc_(o, '.');
	}
	put(o, PICK(tld));
}

/* Hôte : nom, IPv4 ou IPv6 entre crochets. */
static void
rnd_host(struct out *o)
{
	char	 b[64];

	switch (cbw_t_below(8)) {
	case 0:
		snprintf(b, sizeof(b), "%zu.%zu.%zu.%zu", cbw_t_below(256),
		    cbw_t_below(256), cbw_t_below(256), cbw_t_below(256));
		put(o, b);
		break;
	case 1:
		snprintf(b, sizeof(b), "[2001:db8:%zx::%zx]", cbw_t_below(0x10000),
		    cbw_t_below(0x10000));
		put(o, b);
		break;
	default:
		rnd_hostname(o);
		break;
	}
}

/* Suite de caractères de chemin ou de requête (jamais vide). */
static void
rnd_chars(struct out *o)
{
	static const char	 al[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789-._~";
	static const char *const esc[] = { "%20", "%C3%A9", "%2F", "é", "€",
		"+", "(x)", "!", "*", "'", "$", ";", ",", "@", ":" };
	size_t			 n = 1 + cbw_t_below(10), i;

	for (i = 0; i < n; i++)
		if (cbw_t_below(8) == 0)
			put(o, PICK(esc));
		else
			putc_(o, al[cbw_t_below(sizeof(al) - 1)]);
}

/* Port, chemin, requête et fragment facultatifs. */
static void
rnd_tail(struct out *o)
{
	char	 b[16];
	size_t	 i, n;

	if (cbw_t_below(5) == 0) {
		snprintf(b, sizeof(b), ":%zu", 1 + cbw_t_below(65535));
		put(o, b);
	}
	n = cbw_t_below(4);
	for (i = 0; i < n; i++) {
		putc_(o, '/');
		if (cbw_t_below(6) != 0)
			rnd_chars(o);
	}
	if (cbw_t_below(3) == 0) {
		putc_(o, '?');
		n = 1 + cbw_t_below(3);
		for (i = 0; i < n; i++) {
			if (i > 0)
				putc_(o, '&');
			rnd_chars(o);
			putc_(o, '=');
			rnd_chars(o);
		}
	}
	if (cbw_t_below(6) == 0) {
		putc_(o, '#');
		rnd_chars(o);
	}
}

/* Adresse valide : schéma http(s) en casse variable ou « www. ». */
static void
rnd_valid_url(struct out *o)
{
	static const char *const schemes[] = { "http://", "https://", "HTTP://",
		"HTTPS://", "Https://", "hTTp://" };

	if (cbw_t_below(5) == 0) {
		put(o, cbw_t_below(2) ? "www." : "WWW.");
		rnd_hostname(o);
	} else {
		put(o, PICK(schemes));
		rnd_host(o);
	}
	rnd_tail(o);
}

/* Caractère de contrôle qui n'est pas un blanc (les blancs coupent le mot). */
static char
rnd_ctl(void)
{
	static const char	 ctl[] = "\x01\x02\x03\x04\x05\x06\x07\x08\x0e"
	    "\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e"
	    "\x1f\x7f";

	return ctl[cbw_t_below(sizeof(ctl) - 1)];
}

/*
 * Adresse abîmée d'une des façons de la propriété ; ne finit jamais par
 * une ponctuation retirée par le repérage. Rend le numéro de la façon.
 */
static unsigned
rnd_corrupt_url(struct out *o)
{
	static const char *const schemes[] = { "http://", "https://", "HTTPS://" };
	static const char	 illegal[] = "<>\\{}^`*=$+&(\";,!')[]";
	static const char *const empties[] = { "", "/promo", ":8080/x", "@",
		"@/x", "?x=1", "#frag" };
	static const char *const v6[] = { "[::1", "[2001:db8::1", "[::1]x",
		"[zz::1]", "[1:2:3:4:5:6:7:8:9]", "[::g]", "[:::]", "[12345::1]",
		"[]", "[", "[::1]:99999" };
	struct out		 h;
	unsigned		 kind = (unsigned)cbw_t_below(7);
	size_t			 at;

	put(o, PICK(schemes));
	switch (kind) {
	case 0:		/* hôte vide */
		put(o, PICK(empties));
		break;
	case 1:		/* « exa mple » : contrôle (non blanc) dans l'hôte */
	case 2:		/* caractère interdit dans l'hôte */
		memset(&h, 0, sizeof(h));
		do {
			h.n = 0;
			rnd_hostname(&h);
		} while (h.n < 2);
		at = 1 + cbw_t_below(h.n - 1);
		while (((unsigned char)h.s[at] & 0xc0) == 0x80)
			at--;
		put_n(o, h.s, at);
		putc_(o, kind == 1 ? rnd_ctl() :
		    illegal[cbw_t_below(sizeof(illegal) - 1)]);
		put(o, h.s + at);
		if (cbw_t_below(2))
			rnd_tail(o);
		break;
	case 3:		/* IPv6 mal formée */
		put(o, PICK(v6));
		if (cbw_t_below(2))
			put(o, "/x");
		break;
	case 4:		/* port impossible */
		rnd_hostname(o);
		put(o, PICK(((const char *const []){ ":99999", ":65536", ":abc",
		    ":-1", ":8o" })));
		put(o, "/p");
		break;
	case 5:		/* trois barres */
		putc_(o, '/');
		rnd_hostname(o);
		break;
	default:	/* octet qui n'est pas de l'UTF-8 */
		rnd_hostname(o);
		put(o, PICK(((const char *const []){ "/\xff", "/\xc3x",
		    "/\xed\xa0\x80", "\xc0\xaf" })));
		put(o, "/z");
		break;
	}
	/* Finale retirée par le repérage : un « z » la protège. */
	if (strchr(".,;:!?)\"'", o->s[o->n - 1]) != NULL ||
	    (o->n >= 2 && strcmp(o->s + o->n - 2, "\xc2\xbb") == 0))
		putc_(o, 'z');
	return kind;
}

/* Mot ordinaire (jamais une adresse). */
static void
rnd_word(struct out *o)
{
	static const char *const words[] = { "Bonjour", "Anna", "promo", "à",
		"demain", "-20 %", "10€", "«", "»", "!", "?", "(voir", "ici)",
		"l'été", "🎉", "日本", "wwwx", "http", "https:", "ftp://x.fr",
		"mailto:a@b.fr", "xhttp://", "www", "http:/x", "//x.fr" };
	static const char	 al[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789.,;:!?()[]{}<>/\\'\"@#$%^&*-_=+|~`";
	struct out		 w;
	size_t			 n, i;

	if (cbw_t_below(2)) {
		put(o, PICK(words));
		return;
	}
	do {
		memset(&w, 0, sizeof(w));
		n = 1 + cbw_t_below(12);
		for (i = 0; i < n; i++)
			putc_(&w, al[cbw_t_below(sizeof(al) - 1)]);
	} while (strncasecmp(w.s, "http://", 7) == 0 ||
	    strncasecmp(w.s, "https://", 8) == 0 ||
	    strncasecmp(w.s, "www.", 4) == 0);
	put(o, w.s);
}

/* Séparateur : blancs ASCII ou espaces Unicode. */
static void
rnd_sep(struct out *o)
{
	static const char *const seps[] = { " ", " ", " ", "  ", "\n", "\r\n",
		"\t", "\xc2\xa0", "\xe2\x80\xaf", "\xe2\x80\x89", " \xc2\xa0" };

	put(o, PICK(seps));
}

/* Ponctuation finale facultative (retirée par le repérage). */
static void
rnd_trail(struct out *o)
{
	static const char *const trail[] = { ".", ",", ";", ":", "!", "?", ")",
		"»", "\"", "'", "...", ").", "!?", "\xc2\xbb." };

	if (cbw_t_below(3) == 0)
		put(o, PICK(trail));
}

/* Texte fait de mots et d'adresses valides. */
static void
rnd_text(struct out *o, size_t ntok)
{
	size_t	 i;

	for (i = 0; i < ntok; i++) {
		if (i > 0 || cbw_t_below(4) == 0)
			rnd_sep(o);
		if (cbw_t_below(3) == 0) {
			rnd_valid_url(o);
			rnd_trail(o);
		} else
			rnd_word(o);
	}
}

/* Toute adresse valide générée est valide seule et dans un texte. */
static void
prop_valid_texts_pass(void **state)
{
	struct out	 t, u, w;
	char		 bad[OUTMAX];
	size_t		 it;

	(void)state;
	for (it = 0; it < NITER; it++) {
		memset(&u, 0, sizeof(u));
		rnd_valid_url(&u);
		memset(&w, 0, sizeof(w));
		if (strncasecmp(u.s, "www.", 4) == 0)
			put(&w, "http://");
		put(&w, u.s);
		if (!cbw_url_valid(w.s, w.n))
			fail_msg("seed=%llu : « %s » refusée", (unsigned long long)seed,
			    w.s);

		memset(&t, 0, sizeof(t));
		rnd_text(&t, 1 + cbw_t_below(15));
		rnd_sep(&t);
		put(&t, u.s);
		rnd_trail(&t);
		rnd_sep(&t);
		rnd_text(&t, cbw_t_below(5));
		memset(bad, 'z', 8);
		if (cbw_url_check_text(t.s, bad, sizeof(bad)) != CBW_OK)
			fail_msg("seed=%llu : texte « %s » refusé à cause de « %s »",
			    (unsigned long long)seed, t.s, bad);
		assert_string_equal(bad, "");
	}
}

/* Une adresse abîmée dans un texte valide : CBW_EINVAL, bad = l'adresse. */
static void
prop_corrupt_url_found(void **state)
{
	struct out	 t, u, w;
	char		 bad[OUTMAX];
	size_t		 it, counts[7] = { 0 }, k;
	unsigned	 kind;

	(void)state;
	for (it = 0; it < NITER * 2; it++) {
		memset(&u, 0, sizeof(u));
		kind = rnd_corrupt_url(&u);
		counts[kind]++;
		if (cbw_url_valid(u.s, u.n))
			fail_msg("seed=%llu : « %s » acceptée", (unsigned long long)seed,
			    u.s);
		memset(&t, 0, sizeof(t));
		rnd_text(&t, cbw_t_below(10));
		if (t.n > 0)
			rnd_sep(&t);
		put(&t, u.s);
		rnd_trail(&t);
		rnd_sep(&t);
		rnd_text(&t, cbw_t_below(10));
		if (cbw_t_below(2))
			rnd_sep(&t);
		memset(bad, 'z', sizeof(bad));
		if (cbw_url_check_text(t.s, bad, sizeof(bad)) != CBW_EINVAL)
			fail_msg("seed=%llu : texte « %s » accepté (adresse « %s »)",
			    (unsigned long long)seed, t.s, u.s);
		if (strcmp(bad, u.s) != 0)
			fail_msg("seed=%llu : texte « %s » : bad « %s », attendu « %s »",
			    (unsigned long long)seed, t.s, bad, u.s);

		/* bad court : début de l'adresse, sans séquence UTF-8 coupée. */
		k = 1 + cbw_t_below(u.n + 4);
		memset(bad, 'z', sizeof(bad));
		assert_int_equal(cbw_url_check_text(t.s, bad, k), CBW_EINVAL);
		memset(&w, 0, sizeof(w));
		put(&w, bad);
		if (w.n > k - 1 || strncmp(u.s, bad, w.n) != 0 ||
		    (w.n < u.n && w.n + 4 <= k - 1) ||
		    (w.n < u.n && ((unsigned char)u.s[w.n] & 0xc0) == 0x80))
			fail_msg("seed=%llu : « %s » tronquée à %zu : « %s »",
			    (unsigned long long)seed, u.s, k, bad);
		assert_int_equal(bad[k], 'z');
	}
	for (kind = 0; kind < 7; kind++)
		assert_true(counts[kind] >= 100);
}

/* Des mots ordinaires seuls ne contiennent jamais d'adresse. */
static void
prop_plain_words_pass(void **state)
{
	struct out	 t;
	size_t		 it, i, n;
	char		 bad[64];

	(void)state;
	for (it = 0; it < NITER; it++) {
		memset(&t, 0, sizeof(t));
		n = 1 + cbw_t_below(30);
		for (i = 0; i < n; i++) {
			if (i > 0)
				rnd_sep(&t);
			rnd_word(&t);
		}
		if (cbw_url_check_text(t.s, bad, sizeof(bad)) != CBW_OK)
			fail_msg("seed=%llu : « %s » refusé (« %s »)",
			    (unsigned long long)seed, t.s, bad);
	}
}

/*
 * Oracle : l'ancienne validation par curl_url (libcurl du système), avec
 * les mêmes règles en plus (UTF-8, pas de contrôle, deux barres). Rend 1
 * si curl accepte `u` comme URL http(s) à hôte non vide.
 */
static int
curl_valid(const char *u)
{
	CURLU	*h;
	char	*scheme = NULL, *host = NULL;
	size_t	 i, n = strlen(u), sl;
	int	 ok = 0;

	if (n == 0 || !cbw_valid_utf8(u, n))
		return 0;
	for (i = 0; i < n; i++)
		if ((unsigned char)u[i] <= 0x20 || u[i] == 0x7f)
			return 0;
	sl = strncasecmp(u, "http://", 7) == 0 ? 7 :
	    strncasecmp(u, "https://", 8) == 0 ? 8 : 0;
	if (sl == 0 || sl == n || u[sl] == '/')
		return 0;
	if ((h = curl_url()) == NULL)
		return 0;
	if (curl_url_set(h, CURLUPART_URL, u, 0) == CURLUE_OK &&
	    curl_url_get(h, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
	    curl_url_get(h, CURLUPART_HOST, &host, 0) == CURLUE_OK)
		ok = (strcmp(scheme, "http") == 0 || strcmp(scheme, "https") == 0) &&
		    host[0] != '\0';
	curl_free(scheme);
	curl_free(host);
	curl_url_cleanup(h);
	return ok;
}

/* Morceau d'autorité tiré au hasard, souvent à la limite de la validité. */
static void
rnd_authority(struct out *o)
{
	static const char *const user[] = { "", "", "", "u@", "u:p@", "@",
	    "a@b@", "é@" };
	static const char *const v6[] = { "[::1]", "[2001:db8::1]", "[::]",
	    "[zz::1]", "[::1", "[]", "[1:2:3:4:5:6:7:8]", "[1:2:3:4:5:6:7:8:9]",
	    "[::ffff:1.2.3.4]", "[::1]x", "[:::1]", "[12345::1]" };
	static const char *const port[] = { "", "", "", ":", ":80", ":0",
	    ":65535", ":65536", ":99999", ":8a", ":-1", ":+80", "::80",
	    ":0080", ":123456789012345678901" };
	static const char	 hc[] = "abcz09-._~|" " /:#?!@{}[]\\$'\"^`*<>=;,+&()%";
	size_t			 n, i;

	put(o, PICK(user));
	if (cbw_t_below(5) == 0) {
		put(o, PICK(v6));
	} else {
		n = cbw_t_below(8);
		for (i = 0; i < n; i++) {
			if (cbw_t_below(6) == 0)
				putc_(o, hc[cbw_t_below(sizeof(hc) - 1)]);
			else if (cbw_t_below(30) == 0)
				put(o, "é");
			else
				putc_(o, "abcdefxyz0123."[cbw_t_below(14)]);
		}
	}
	put(o, PICK(port));
}

/*
 * Propriété : cbw_url_valid (écrite sans libcurl) rend la même réponse que
 * curl_url sur des adresses tirées au hasard près des frontières (hôtes avec
 * caractères interdits, IPv6 bonnes et mauvaises, ports limites,
 * identifiants, chemins, requêtes, fragments).
 */
static void
prop_valid_matches_curl(void **state)
{
	static const char *const scheme[] = { "http://", "https://", "HTTP://",
	    "hTtPs://" };
	static const char *const tail[] = { "", "/", "/a/b", "?q=1", "#f",
	    "/é?x=%C3%A9#y", "/a:b@c", "?@:[]", "#/?" };
	struct out	 u;
	int		 i, got, want, agree_bad = 0;

	(void)state;
	for (i = 0; i < NITER * 5; i++) {
		u.n = 0;
		u.s[0] = '\0';
		put(&u, PICK(scheme));
		rnd_authority(&u);
		put(&u, PICK(tail));
		got = cbw_url_valid(u.s, u.n);
		want = curl_valid(u.s);
		if (got != want)
			fail_msg("seed=%llu : « %s » : cbw_url_valid=%d, curl_url=%d",
			    (unsigned long long)seed, u.s, got, want);
		agree_bad += !want;
	}
	/* Le tirage doit produire des deux sortes d'adresses. */
	assert_true(agree_bad > NITER / 2 && agree_bad < NITER * 5 - NITER / 2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(prop_valid_texts_pass),
		cmocka_unit_test(prop_corrupt_url_found),
		cmocka_unit_test(prop_plain_words_pass),
		cmocka_unit_test(prop_valid_matches_curl),
	};

	seed = cbw_t_seed();
	return cmocka_run_group_tests_name("prop_url", tests, NULL, NULL);
}
