/*
 * Test de propriété 1 (numéros de téléphone) : un numéro valable de
 * n'importe quel pays de la table, écrit de n'importe quelle façon
 * admise (espaces, points, tirets, parenthèses, préfixe interurbain,
 * +indicatif, 00indicatif), donne toujours le même E.164 ; les saisies
 * fautives (lettres, ponctuation, trop de chiffres, mauvaise longueur)
 * sont refusées ; toute sortie acceptée est un E.164 bien formé.
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
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "testutil.h"
#include "phone.h"

#define NITER	2000	/* essais par sous-propriété (≥ 100) */
#define OUTMAX	256

static uint64_t	 seed;
static size_t	 ncountries;

/* Pays pris au hasard dans la table. */
static const struct cbw_country *
rnd_country(void)
{
	return cbw_phone_country(cbw_t_below(ncountries));
}

/* Chaîne de sortie bornée. */
struct out {
	char	 s[OUTMAX];
	size_t	 n;
};

static void
put(struct out *o, const char *s)
{
	size_t	 k = strlen(s);

	assert_true(o->n + k < OUTMAX);
	memcpy(o->s + o->n, s, k + 1);
	o->n += k;
}

static void
put_n(struct out *o, const char *s, size_t k)
{
	assert_true(o->n + k < OUTMAX);
	memcpy(o->s + o->n, s, k);
	o->n += k;
	o->s[o->n] = '\0';
}

/* Séparateur admis pris au hasard (parfois rien). */
static const char *
rnd_sep(void)
{
	static const char *const seps[] = { "", "", " ", " ", ".", "-", "  ",
		" - ", "\xc2\xa0", "\xe2\x80\xaf", "\t" };

	return seps[cbw_t_below(sizeof(seps) / sizeof(seps[0]))];
}

/*
 * Écrit les n chiffres de d par groupes de 1 à 4, séparés au hasard ; un
 * groupe est parfois mis entre parenthèses si parens le permet.
 */
static void
emit_digits(struct out *o, const char *d, size_t n, int parens)
{
	size_t	 i = 0, k;
	int	 wrapped = 0;

	while (i < n) {
		k = 1 + cbw_t_below(4);
		if (k > n - i)
			k = n - i;
		if (i > 0)
			put(o, rnd_sep());
		if (parens && !wrapped && cbw_t_below(5) == 0) {
			wrapped = 1;
			put(o, "(");
			put_n(o, d + i, k);
			put(o, ")");
		} else
			put_n(o, d + i, k);
		i += k;
	}
}

/*
 * Numéro national significatif valable pour c : longueur permise, premier
 * chiffre sans ambiguïté (ni 0, ni 8, ni le préfixe interurbain quand le
 * pays en a un — 8 est une variante en Lituanie et en Biélorussie —, 2 à 9
 * pour +1, jamais « 00 »). Rend sa longueur.
 */
static size_t
rnd_nsn(const struct cbw_country *c, char *d)
{
	size_t	 n, i;

	n = c->min_len + cbw_t_below((size_t)(c->max_len - c->min_len) + 1);
	for (i = 0; i < n; i++)
		d[i] = (char)('0' + cbw_t_below(10));
	d[n] = '\0';
	if (strcmp(c->code, "+1") == 0)
		d[0] = (char)('2' + cbw_t_below(8));
	else if (c->trunk[0] != '\0')
		while (d[0] == '0' || d[0] == '8' || d[0] == c->trunk[0])
			d[0] = (char)('1' + cbw_t_below(9));
	else if (d[0] == '0' && d[1] == '0')
		d[1] = (char)('1' + cbw_t_below(9));
	return n;
}

/* Indicatif du pays c écrit d'une des façons admises par le formulaire. */
static const char *
rnd_code_form(const struct cbw_country *c, char *buf, size_t len)
{
	switch (cbw_t_below(4)) {
	case 0:
		snprintf(buf, len, "%s", c->code + 1);
		break;
	case 1:
		snprintf(buf, len, "00%s", c->code + 1);
		break;
	case 2:
		snprintf(buf, len, " %s ", c->code);
		break;
	default:
		snprintf(buf, len, "%s", c->code);
		break;
	}
	return buf;
}

/* Vérifie les invariants d'une sortie acceptée. */
static void
check_sane(const char *in, const struct cbw_phone *p)
{
	struct cbw_phone	 again;
	size_t			 n, cl;

	n = strlen(p->full);
	cl = strlen(p->country_code);
	if (p->full[0] != '+' || n < 3 || n > 16 ||
	    strspn(p->full + 1, "0123456789") != n - 1 ||
	    strncmp(p->full, p->country_code, cl) != 0 ||
	    strcmp(p->full + cl, p->national) != 0 ||
	    !cbw_phone_is_e164(p->full) ||
	    cbw_phone_country_by_code(p->country_code) == NULL)
		fail_msg("seed=%llu : « %s » → sortie mal formée %s / %s / %s",
		    (unsigned long long)seed, in, p->full, p->country_code,
		    p->national);
	if (cbw_phone_parse(p->full, NULL, &again, NULL) != CBW_OK ||
	    strcmp(again.full, p->full) != 0)
		fail_msg("seed=%llu : %s ne se relit pas à l'identique",
		    (unsigned long long)seed, p->full);
}

/* Toute écriture admise d'un numéro valable donne le même E.164. */
static void
prop_formats(void **state)
{
	const struct cbw_country	*c, *other;
	struct cbw_phone		 p;
	struct cbw_phone_err		 err;
	struct out			 o;
	char				 nsn[20], want[32], cbuf[16];
	const char			*cc;
	size_t				 it, n, counts[6] = { 0 };
	unsigned			 form;

	(void)state;
	for (it = 0; it < NITER * 3; it++) {
		c = rnd_country();
		n = rnd_nsn(c, nsn);
		snprintf(want, sizeof(want), "%s%s", c->code, nsn);
		memset(&o, 0, sizeof(o));
		if (cbw_t_below(4) == 0)
			put(&o, cbw_t_below(2) ? " " : "\t");
		form = (unsigned)cbw_t_below(6);
		cc = rnd_code_form(c, cbuf, sizeof(cbuf));
		switch (form) {
		case 0:		/* national, sans préfixe interurbain */
			emit_digits(&o, nsn, n, 1);
			break;
		case 1:		/* national, avec préfixe (s'il existe) */
			if (c->trunk[0] != '\0') {
				if (cbw_t_below(3) == 0) {
					put(&o, "(");
					put(&o, c->trunk);
					put(&o, ")");
					put(&o, rnd_sep());
				} else
					put(&o, c->trunk);
			}
			emit_digits(&o, nsn, n, 0);
			break;
		case 2:		/* +indicatif */
		case 3:		/* 00indicatif */
			if (form == 2)
				put(&o, cbw_t_below(4) == 0 ? "+ " : "+");
			else
				put(&o, cbw_t_below(2) ? "00" : "00 ");
			emit_digits(&o, c->code + 1, strlen(c->code + 1), 0);
			put(&o, rnd_sep());
			emit_digits(&o, nsn, n, 1);
			/* L'indicatif du formulaire ne compte pas. */
			other = rnd_country();
			cc = cbw_t_below(3) == 0 ? NULL : cbw_t_below(2) ? "" : other->code;
			break;
		case 4:		/* +indicatif (préfixe) numéro : « +33 (0)6... » */
			put(&o, "+");
			put(&o, c->code + 1);
			put(&o, rnd_sep());
			if (c->trunk[0] != '\0') {
				put(&o, "(");
				put(&o, c->trunk);
				put(&o, ")");
			}
			put(&o, rnd_sep());
			emit_digits(&o, nsn, n, 0);
			cc = NULL;
			break;
		default:	/* indicatif sans « + » dans un numéro trop long
				   pour être national : « 33 6 12... » */
			if (strlen(c->code + 1) + n <= c->max_len)
				continue;
			emit_digits(&o, c->code + 1, strlen(c->code + 1), 0);
			put(&o, rnd_sep());
			emit_digits(&o, nsn, n, 0);
			break;
		}
		if (cbw_t_below(4) == 0)
			put(&o, " ");
		counts[form]++;
		if (cbw_phone_parse(o.s, cc, &p, &err) != CBW_OK)
			fail_msg("seed=%llu : « %s » (%s, %s) refusé : %s",
			    (unsigned long long)seed, o.s, cc ? cc : "NULL",
			    c->iso2, err.msg);
		if (strcmp(p.full, want) != 0)
			fail_msg("seed=%llu : « %s » (%s, %s) → %s, attendu %s",
			    (unsigned long long)seed, o.s, cc ? cc : "NULL",
			    c->iso2, p.full, want);
		if (strcmp(p.country_code, c->code) != 0 ||
		    strcmp(p.national, nsn) != 0)
			fail_msg("seed=%llu : « %s » : champs %s / %s",
			    (unsigned long long)seed, o.s, p.country_code,
			    p.national);
		check_sane(o.s, &p);
	}
	for (form = 0; form < 6; form++)
		assert_true(counts[form] >= 100);
}

/* Une lettre ou un signe interdit, où qu'il soit, fait refuser le numéro. */
static void
prop_garbage_rejected(void **state)
{
	static const char	 letters[] =
	    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
	static const char	 puncts[] = "_/,;:*#!?=&%$@[]{}<>|\\\"'`~^";
	static const char *const utf8[] = { "\xc3\xa9", "\xc3\x80",
		"\xe2\x82\xac", "\xf0\x9f\x93\x9e", "\xd0\xb0", "\xff" };
	const struct cbw_country	*c;
	struct cbw_phone		 p;
	struct cbw_phone_err		 err;
	struct out			 o, g;
	char				 nsn[20], ins[8];
	size_t				 it, n, at;
	unsigned			 kind;

	(void)state;
	for (it = 0; it < NITER; it++) {
		c = rnd_country();
		n = rnd_nsn(c, nsn);
		memset(&o, 0, sizeof(o));
		if (cbw_t_below(2))
			put(&o, c->code);
		emit_digits(&o, nsn, n, 0);
		kind = (unsigned)cbw_t_below(3);
		if (kind == 0) {
			ins[0] = letters[cbw_t_below(sizeof(letters) - 1)];
			ins[1] = '\0';
		} else if (kind == 1) {
			ins[0] = puncts[cbw_t_below(sizeof(puncts) - 1)];
			ins[1] = '\0';
		} else
			snprintf(ins, sizeof(ins), "%s",
			    utf8[cbw_t_below(sizeof(utf8) / sizeof(utf8[0]))]);
		at = cbw_t_below(o.n + 1);
		memset(&g, 0, sizeof(g));
		put_n(&g, o.s, at);
		put(&g, ins);
		put(&g, o.s + at);
		memset(&p, 'x', sizeof(p));
		if (cbw_phone_parse(g.s, c->code, &p, &err) != CBW_EINVAL)
			fail_msg("seed=%llu : « %s » accepté : %s",
			    (unsigned long long)seed, g.s, p.full);
		assert_string_equal(err.field, "phone_number");
		if (strstr(err.msg, "caractères non autorisés") == NULL ||
		    (kind != 1 && strstr(err.msg, "lettres") == NULL))
			fail_msg("seed=%llu : « %s » : message « %s »",
			    (unsigned long long)seed, g.s, err.msg);
		assert_string_equal(p.full, "");
	}
}

/* Bien trop de chiffres, ou une longueur hors de la plage du pays : refus. */
static void
prop_bad_length_rejected(void **state)
{
	const struct cbw_country	*c;
	struct cbw_phone		 p;
	struct cbw_phone_err		 err;
	struct out			 o;
	char				 d[40], nsn[20];
	size_t				 it, n, i;

	(void)state;
	for (it = 0; it < NITER; it++) {
		/* 18 à 30 chiffres après le « + » ou le « 00 » (16 ou 17 peuvent
		 * passer : « +49 (0)30... » perd son préfixe interurbain). */
		n = 18 + cbw_t_below(13);
		for (i = 0; i < n; i++)
			d[i] = (char)('0' + cbw_t_below(10));
		d[0] = (char)('1' + cbw_t_below(9));
		memset(&o, 0, sizeof(o));
		put(&o, cbw_t_below(2) ? "+" : "00");
		emit_digits(&o, d, n, 1);
		if (cbw_phone_parse(o.s, NULL, &p, &err) != CBW_EINVAL ||
		    strstr(err.msg, "15 chiffres au maximum") == NULL)
			fail_msg("seed=%llu : « %s » : %s", (unsigned long long)seed,
			    o.s, err.msg);

		/* National : 18 à 30 chiffres, quel que soit le pays. */
		c = rnd_country();
		memset(&o, 0, sizeof(o));
		emit_digits(&o, d, n, 0);
		if (cbw_phone_parse(o.s, c->code, &p, &err) != CBW_EINVAL ||
		    strstr(err.msg, "trop long") == NULL)
			fail_msg("seed=%llu : « %s » (%s) : %s",
			    (unsigned long long)seed, o.s, c->code, err.msg);

		/* Trop court ou trop long pour le pays, au format +indicatif. */
		c = rnd_country();
		rnd_nsn(c, nsn);
		if (cbw_t_below(2) || c->max_len >= 14 ||
		    strlen(c->code + 1) + c->max_len >= 15)
			n = 1 + cbw_t_below(c->min_len - 1);
		else
			n = c->max_len + 1 + cbw_t_below(15 - c->max_len -
			    strlen(c->code + 1));
		for (i = 1; i < n; i++)
			nsn[i] = (char)('0' + cbw_t_below(10));
		nsn[n] = '\0';
		memset(&o, 0, sizeof(o));
		put(&o, c->code);
		put(&o, rnd_sep());
		emit_digits(&o, nsn, n, 1);
		if (cbw_phone_parse(o.s, NULL, &p, &err) != CBW_EINVAL ||
		    (strstr(err.msg, n < c->min_len ? "trop court" : "trop long")
		    == NULL))
			fail_msg("seed=%llu : « %s » (%s, %zu chiffres) : %s",
			    (unsigned long long)seed, o.s, c->iso2, n, err.msg);
	}
}

/* 1 si la saisie est au format international (« + » ou « 00 » en tête). */
static int
intl(const char *s)
{
	char	 d[2];
	size_t	 n = 0;

	if (strchr(s, '+') != NULL)
		return 1;
	for (; *s != '\0' && n < 2; s++)
		if (*s >= '0' && *s <= '9')
			d[n++] = *s;
	return n == 2 && d[0] == '0' && d[1] == '0';
}

/* N'importe quelle saisie faite de chiffres et de signes admis : si elle
 * est acceptée, la sortie est un E.164 correct ; sinon un message. */
static void
prop_any_accepted_is_sane(void **state)
{
	static const char	 alpha[] = "0123456789012345678901234 +-.()";
	const struct cbw_country	*c;
	struct cbw_phone		 p;
	struct cbw_phone_err		 err;
	char				 s[40];
	const char			*cc;
	size_t				 it, n, i, ok = 0;

	(void)state;
	for (it = 0; it < NITER * 5; it++) {
		n = cbw_t_below(26);
		for (i = 0; i < n; i++)
			s[i] = alpha[cbw_t_below(sizeof(alpha) - 1)];
		s[n] = '\0';
		if (cbw_t_below(2))
			s[0] = '+';
		c = rnd_country();
		cc = cbw_t_below(5) == 0 ? NULL : c->code;
		if (cbw_phone_parse(s, cc, &p, &err) == CBW_OK) {
			ok++;
			check_sane(s, &p);
			if (cc != NULL && !intl(s) &&
			    strcmp(p.country_code, c->code) != 0)
				fail_msg("seed=%llu : « %s » national (%s) → %s",
				    (unsigned long long)seed, s, cc, p.full);
		} else if (err.field == NULL || err.msg[0] == '\0')
			fail_msg("seed=%llu : « %s » refusé sans message",
			    (unsigned long long)seed, s);
	}
	printf("saisies aléatoires acceptées : %zu / %d\n", ok, NITER * 5);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(prop_formats),
		cmocka_unit_test(prop_garbage_rejected),
		cmocka_unit_test(prop_bad_length_rejected),
		cmocka_unit_test(prop_any_accepted_is_sane),
	};

	seed = cbw_t_seed();
	while (cbw_phone_country(ncountries) != NULL)
		ncountries++;
	return cmocka_run_group_tests_name("prop_phone", tests, NULL, NULL);
}
