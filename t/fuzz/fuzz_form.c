/*
 * Cible libFuzzer : formulaires et chaînes de requête urlencoded
 * (cbw_http_parse_urlencoded), puis lus par les pages.
 *
 *  - le résultat est celui d'un décodeur écrit ici indépendamment (« + »,
 *    %XX, paires vides sautées, « = » absent : valeur vide, %00, NUL brut
 *    ou % mal formé : CBW_EINVAL), clés répétées gardées dans l'ordre ;
 *    en cas d'erreur, les paires déjà ajoutées sont les premières bonnes ;
 *  - aller-retour : les paires réencodées (espace en « + » ou « %20 »,
 *    hexadécimal en majuscules ou minuscules) se relisent à l'identique ;
 *  - cbw_http_parse_query (chaîne de requête) accepte exactement les
 *    entrées dont chaque clé et valeur décodée est de l'UTF-8 bien formé
 *    selon la table 3-7 d'Unicode, récrite ici ;
 *  - cbw_kv_get rend la première valeur d'une clé répétée ;
 *  - pagination (page, per_page) et identifiants répétés (« category »)
 *    conformes à un lecteur indépendant ;
 *  - les lecteurs de saisie des routes, face page (t/fuzz/in_*.c), ne
 *    rendent que des valeurs validées et des erreurs de champ connues.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "buf.h"
#include "http.h"
#include "inputs.h"
#include "valid.h"

#define IDS_MAX	100

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

struct pair {
	char	*k, *v;
	size_t	 kl, vl;
};

static int
hexv(uint8_t c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Décode s[0..n) dans out ; rend 0 si % mal formé, %00 ou NUL brut. */
static int
ref_decode(const uint8_t *s, size_t n, char *out, size_t *ol)
{
	size_t	 i, o = 0;
	int	 h, l;

	for (i = 0; i < n; i++) {
		if (s[i] == '%') {
			if (n - i < 3 || (h = hexv(s[i + 1])) < 0 ||
			    (l = hexv(s[i + 2])) < 0 || h * 16 + l == 0)
				return 0;
			out[o++] = (char)(h * 16 + l);
			i += 2;
		} else if (s[i] == '\0')
			return 0;
		else
			out[o++] = s[i] == '+' ? ' ' : (char)s[i];
	}
	out[o] = '\0';
	*ol = o;
	return 1;
}

/*
 * Lecture de référence. Rend 1 si tout est valide ; sinon 0, et *np paires
 * (les bonnes avant la première fautive). p a une place par segment.
 */
static int
ref_parse(const uint8_t *s, size_t n, struct pair *p, size_t *np)
{
	const uint8_t	*seg = s, *amp, *eq, *e = s + n;
	size_t		 sl;

	*np = 0;
	while (seg < e) {
		amp = memchr(seg, '&', (size_t)(e - seg));
		sl = (size_t)((amp ? amp : e) - seg);
		if (sl > 0) {
			eq = memchr(seg, '=', sl);
			p[*np].k = malloc(sl + 1);
			p[*np].v = malloc(sl + 1);
			if (p[*np].k == NULL || p[*np].v == NULL)
				abort();
			if (!ref_decode(seg, eq ? (size_t)(eq - seg) : sl, p[*np].k,
			    &p[*np].kl) || !ref_decode(eq ? eq + 1 : seg,
			    eq ? sl - (size_t)(eq - seg) - 1 : 0, p[*np].v,
			    &p[*np].vl)) {
				free(p[*np].k);
				free(p[*np].v);
				return 0;
			}
			(*np)++;
		}
		if (amp == NULL)
			break;
		seg = amp + 1;
	}
	return 1;
}

/*
 * UTF-8 bien formé, d'après la table 3-7 d'Unicode (plages d'octets
 * permises pour chaque premier octet). Rend 1 si s[0..n) l'est.
 */
static int
ref_utf8(const char *str, size_t n)
{
	const unsigned char	*s = (const unsigned char *)str;
	size_t			 i = 0, k, j;
	unsigned char		 lo, hi;

	while (i < n) {
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		lo = 0x80, hi = 0xbf;
		if (s[i] >= 0xc2 && s[i] <= 0xdf)
			k = 1;
		else if (s[i] >= 0xe0 && s[i] <= 0xef) {
			k = 2;
			if (s[i] == 0xe0)
				lo = 0xa0;
			if (s[i] == 0xed)
				hi = 0x9f;
		} else if (s[i] >= 0xf0 && s[i] <= 0xf4) {
			k = 3;
			if (s[i] == 0xf0)
				lo = 0x90;
			if (s[i] == 0xf4)
				hi = 0x8f;
		} else
			return 0;
		if (n - i - 1 < k || s[i + 1] < lo || s[i + 1] > hi)
			return 0;
		for (j = 2; j <= k; j++)
			if (s[i + j] < 0x80 || s[i + j] > 0xbf)
				return 0;
		i += k + 1;
	}
	return 1;
}

/* Rend 1 si la paire i de l vaut p. */
static int
same(const struct cbw_kvlist *l, size_t i, const struct pair *p)
{
	return strlen(l->v[i].key) == p->kl && strlen(l->v[i].val) == p->vl &&
	    memcmp(l->v[i].key, p->k, p->kl) == 0 &&
	    memcmp(l->v[i].val, p->v, p->vl) == 0;
}

/* Encode s en urlencoded dans b (mode : bit 0 « + », bit 1 minuscules). */
static void
encode(struct cbw_buf *b, const char *s, unsigned int mode)
{
	static const char	 up[] = "0123456789ABCDEF", lo[] = "0123456789abcdef";
	const char		*hex = (mode & 2) ? lo : up;
	unsigned char		 c;

	for (; *s != '\0'; s++) {
		c = (unsigned char)*s;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || strchr("-._~", c) != NULL)
			cbw_buf_putc(b, (char)c);
		else if (c == ' ' && (mode & 1))
			cbw_buf_putc(b, '+');
		else {
			cbw_buf_putc(b, '%');
			cbw_buf_putc(b, hex[c >> 4]);
			cbw_buf_putc(b, hex[c & 15]);
		}
	}
}

/*
 * Entier décimal de 1 à max écrit en chiffres (« + » initial permis si
 * `plus`, comme strtoll dans cbw_valid_int64 ; cbw_valid_id le refuse).
 */
static int
ref_int(const char *s, int plus, long long max, long long *out)
{
	long long	 v = 0;

	if (plus && *s == '+')
		s++;
	if (*s == '\0')
		return 0;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return 0;
		v = v * 10 + (*s - '0');
		if (v > max)
			return 0;
	}
	*out = v;
	return v >= 1;
}

/* Pagination : page 1..1e9, per_page 1..50, défauts 1 et 20. */
static void
check_page(const struct cbw_kvlist *l)
{
	const char	*pgs = cbw_kv_get(l, "page"), *pps = cbw_kv_get(l,
			    "per_page"), *field = NULL, *msg = NULL;
	long long	 pg, pp, want;
	int		 ok = 1;

	if (pgs != NULL)
		ok = ref_int(pgs, 1, 1000000000LL, &want);
	if (pps != NULL && ok)
		ok = ref_int(pps, 1, CBW_PER_PAGE_MAX, &want);
	if (cbw_valid_page(pgs, pps, &pg, &pp, &field, &msg) == CBW_OK) {
		if (!ok || pg < 1 || pg > 1000000000LL || pp < 1 ||
		    pp > CBW_PER_PAGE_MAX || (pgs == NULL && pg != 1) ||
		    (pps == NULL && pp != CBW_PER_PAGE_DEFAULT))
			abort();
	} else if (ok || field == NULL || msg == NULL || (strcmp(field, "page") &&
	    strcmp(field, "per_page")))
		abort();
}

/* Identifiants répétés « category » (cases à cocher des pages). */
static void
check_ids(struct cbw_req *r)
{
	long long	 ids[IDS_MAX], want[IDS_MAX];
	size_t		 n = 999, wn = 0, i;
	enum cbw_err	 er, exp = CBW_ENOTFOUND;

	for (i = 0; i < r->form.n; i++) {
		if (strcmp(r->form.v[i].key, "category") != 0)
			continue;
		if (exp == CBW_ENOTFOUND)
			exp = CBW_OK;
		if (r->form.v[i].val[0] == '\0')
			continue;
		if (wn == IDS_MAX || !ref_int(r->form.v[i].val, 0, CBW_FUZZ_ID_MAX,
		    &want[wn])) {
			exp = CBW_EINVAL;
			break;
		}
		wn++;
	}
	er = cbw_input_ids(r, "category", ids, IDS_MAX, &n);
	if (er != exp)
		abort();
	if (er == CBW_OK && (n != wn || memcmp(ids, want, n * sizeof(*ids)) != 0))
		abort();
	if (er == CBW_ENOTFOUND && n != 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cbw_kvlist	 l2;
	struct cbw_req		 r;
	struct cbw_buf		 b;
	struct pair		*p;
	size_t			 np = 0, i, j;
	enum cbw_err		 er;
	int			 ok;
	unsigned int		 mode;

	for (i = 0, j = 1; i < size; i++)	/* paires ≤ nombre de « & » + 1 */
		j += data[i] == '&';
	if ((p = calloc(j, sizeof(*p))) == NULL)
		return 0;
	ok = ref_parse(data, size, p, &np);
	cbw_req_init(&r);
	er = cbw_http_parse_urlencoded(&r.form, (const char *)data, size);
	if (er == CBW_ENOMEM)
		goto out;
	if ((er == CBW_OK) != ok || (er != CBW_OK && er != CBW_EINVAL))
		abort();
	if (ok ? r.form.n != np : r.form.n > np)
		abort();
	for (i = 0; i < r.form.n; i++)
		if (!same(&r.form, i, &p[i]))
			abort();
	/* Chaîne de requête : en plus, UTF-8 bien formé partout. */
	memset(&l2, 0, sizeof(l2));
	er = cbw_http_parse_query(&l2, (const char *)data, size);
	for (i = 0, j = ok; j && i < np; i++)
		j = ref_utf8(p[i].k, p[i].kl) && ref_utf8(p[i].v, p[i].vl);
	if (er != CBW_ENOMEM && (er == CBW_OK) != (j == 1))
		abort();
	cbw_kv_free(&l2);
	if (!ok)
		goto out;

	/* Première valeur d'une clé répétée. */
	for (i = 0; i < r.form.n; i++) {
		for (j = 0; strcmp(r.form.v[j].key, r.form.v[i].key) != 0; j++)
			continue;
		if (cbw_kv_get(&r.form, r.form.v[i].key) != r.form.v[j].val)
			abort();
	}

	/* Aller-retour. */
	mode = size > 0 ? data[0] & 3 : 0;
	cbw_buf_init(&b);
	for (i = 0; i < r.form.n; i++) {
		if (i > 0)
			cbw_buf_putc(&b, '&');
		encode(&b, r.form.v[i].key, mode);
		cbw_buf_putc(&b, '=');
		encode(&b, r.form.v[i].val, mode);
	}
	memset(&l2, 0, sizeof(l2));
	if (cbw_http_parse_urlencoded(&l2, b.len ? b.data : "", b.len) == CBW_OK) {
		if (l2.n != r.form.n)
			abort();
		for (i = 0; i < l2.n; i++)
			if (strcmp(l2.v[i].key, r.form.v[i].key) != 0 ||
			    strcmp(l2.v[i].val, r.form.v[i].val) != 0)
				abort();
	} else if (b.len > 0 || r.form.n > 0)
		abort();
	cbw_kv_free(&l2);
	cbw_buf_free(&b);

	/* Chaîne de requête et face page des routes. */
	check_page(&r.form);
	check_ids(&r);
	cbw_fuzz_inputs(&r);
out:
	for (i = 0; i < np; i++) {
		free(p[i].k);
		free(p[i].v);
	}
	free(p);
	cbw_req_free(&r);
	return 0;
}
