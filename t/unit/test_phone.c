/*
 * Tests unitaires des numéros de téléphone (lib/phone.c) : exemples réels
 * de nombreux pays, refus avec champ et message, cohérence de la table.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "phone.h"
#include "valid.h"

struct ok_case {
	const char	*input;
	const char	*cc;		/* indicatif choisi dans le formulaire */
	const char	*want;		/* E.164 attendu */
};

static const struct ok_case oks[] = {
	/* France : toutes les écritures courantes. */
	{ "06 12 34 56 78", "+33", "+33612345678" },
	{ "06.12.34.56.78", "+33", "+33612345678" },
	{ "06-12-34-56-78", "33", "+33612345678" },
	{ "0612345678", "0033", "+33612345678" },
	{ "+33 6 12 34 56 78", NULL, "+33612345678" },
	{ "+33612345678", "", "+33612345678" },
	{ "0033612345678", NULL, "+33612345678" },
	{ "00 33 6 12 34 56 78", "+33", "+33612345678" },
	{ "(0)6 12 34 56 78", "+33", "+33612345678" },
	{ "+33 (0)6 12 34 56 78", NULL, "+33612345678" },
	{ "+33 06 12 34 56 78", NULL, "+33612345678" },
	{ "(+33) 6 12 34 56 78", NULL, "+33612345678" },
	{ "+ 33 6 12 34 56 78", NULL, "+33612345678" },
	{ "612345678", "+33", "+33612345678" },
	{ "33612345678", "+33", "+33612345678" },
	{ "33 0612345678", "+33", "+33612345678" },
	{ " \t06 12 34 56 78\t ", "+33", "+33612345678" },
	{ "06\xc2\xa0" "12\xc2\xa0" "34\xc2\xa0" "56\xc2\xa0" "78", "+33",
	    "+33612345678" },				/* espaces insécables */
	{ "06\xe2\x80\xaf" "12\xe2\x80\xaf" "34 56 78", "+33",
	    "+33612345678" },				/* espace fine insécable */
	{ "06\xe2\x80\x93" "12\xe2\x80\x93" "34 56 78", "+33",
	    "+33612345678" },				/* tiret demi-cadratin */
	{ "\xef\xbc\x90\xef\xbc\x96\xef\xbc\x91\xef\xbc\x92\xef\xbc\x93"
	    "\xef\xbc\x94\xef\xbc\x95\xef\xbc\x96\xef\xbc\x97\xef\xbc\x98",
	    "+33", "+33612345678" },			/* chiffres pleine chasse */
	{ "01 42 68 53 00", "+33", "+33142685300" },
	{ "+33 1 42 68 53 00", NULL, "+33142685300" },
	{ "09 70 12 34 56", "+33", "+33970123456" },
	/* Indicatif de la saisie prioritaire sur celui du formulaire. */
	{ "+44 7911 123456", "+33", "+447911123456" },
	{ "0041 79 123 45 67", "+33", "+41791234567" },
	/* Outre-mer et voisins. */
	{ "0690 12 34 56", "+590", "+590690123456" },
	{ "0692 12 34 56", "+262", "+262692123456" },
	{ "0696 12 34 56", "+596", "+596696123456" },
	{ "87 12 34 56", "+689", "+68987123456" },
	{ "75.12.34", "+687", "+687751234" },
	{ "06 12 34 56 78", "+377", "+377612345678" },
	/* Royaume-Uni et dépendances. */
	{ "07911 123456", "+44", "+447911123456" },
	{ "+44 (0)20 7946 0958", NULL, "+442079460958" },
	{ "020 7946 0958", "44", "+442079460958" },
	{ "01534 123456", "+44", "+441534123456" },
	/* Allemagne, Autriche, Suisse, Benelux. */
	{ "0151 23456789", "+49", "+4915123456789" },
	{ "030 123456", "+49", "+4930123456" },
	{ "+49 (0)30 1234567", NULL, "+49301234567" },
	{ "+49 (0)30 12345678901", NULL, "+493012345678901" },	/* 15 chiffres */
	{ "0664 1234567", "+43", "+436641234567" },
	{ "079 123 45 67", "+41", "+41791234567" },
	{ "+41 44 668 18 00", NULL, "+41446681800" },
	{ "0470 12 34 56", "+32", "+32470123456" },
	{ "02 123 45 67", "+32", "+3221234567" },
	{ "06 12345678", "+31", "+31612345678" },
	{ "621 123 456", "+352", "+352621123456" },
	/* Amérique du Nord (+1, 10 chiffres, pas de préfixe). */
	{ "(415) 555-2671", "+1", "+14155552671" },
	{ "1 (415) 555-2671", "+1", "+14155552671" },
	{ "+1 415-555-2671", NULL, "+14155552671" },
	{ "415.555.2671", "1", "+14155552671" },
	{ "(604) 555-1234", "+1", "+16045551234" },
	{ "+1 (876) 555-1234", NULL, "+18765551234" },
	/* Italie : le 0 des fixes fait partie du numéro. */
	{ "06 6982 0000", "+39", "+390669820000" },
	{ "+39 06 6982 0000", NULL, "+390669820000" },
	{ "347 123 4567", "+39", "+393471234567" },
	{ "393 123 4567", "+39", "+393931234567" },
	{ "+39 393 123 4567", NULL, "+393931234567" },
	{ "0549 123456", "+378", "+3780549123456" },
	/* Europe du Sud, du Nord et de l'Est. */
	{ "612 34 56 78", "+34", "+34612345678" },
	{ "91 123 45 67", "+34", "+34911234567" },
	{ "912 345 678", "+351", "+351912345678" },
	{ "691 234 5678", "+30", "+306912345678" },
	{ "512 345 678", "+48", "+48512345678" },
	{ "070-123 45 67", "+46", "+46701234567" },
	{ "412 34 567", "+47", "+4741234567" },
	{ "20 12 34 56", "+45", "+4520123456" },
	{ "085 123 4567", "+353", "+353851234567" },
	{ "06 30 123 4567", "+36", "+36301234567" },
	{ "8 029 123-45-67", "+375", "+375291234567" },
	{ "029 123 45 67", "+375", "+375291234567" },
	{ "8 612 34567", "+370", "+37061234567" },
	{ "0612 34567", "+370", "+37061234567" },
	{ "0532 123 45 67", "+90", "+905321234567" },
	/* Russie, Kazakhstan : préfixe 8. */
	{ "8 (912) 345-67-89", "+7", "+79123456789" },
	{ "+7 912 345-67-89", NULL, "+79123456789" },
	{ "+7 8 912 345 67 89", NULL, "+79123456789" },
	{ "8 812 123-45-67", "+7", "+78121234567" },
	{ "812 123 45 67", "+7", "+78121234567" },
	{ "8 701 234 5678", "+7", "+77012345678" },
	/* Maghreb et Afrique. */
	{ "06 12 34 56 78", "+212", "+212612345678" },
	{ "+212 6 61 23 45 67", NULL, "+212661234567" },
	{ "\xd9\xa0\xd9\xa6\xd9\xa1\xd9\xa2\xd9\xa3\xd9\xa4\xd9\xa5\xd9\xa6"
	    "\xd9\xa7\xd9\xa8", "+212", "+212612345678" },	/* chiffres arabes */
	{ "0551 23 45 67", "+213", "+213551234567" },
	{ "021 12 34 56", "+213", "+21321123456" },
	{ "20 123 456", "+216", "+21620123456" },
	{ "77 123 45 67", "+221", "+221771234567" },
	{ "07 07 12 34 56", "+225", "+2250707123456" },
	{ "6 71 23 45 67", "+237", "+237671234567" },
	{ "06 12 34 56", "+241", "+24106123456" },
	{ "06 612 3456", "+242", "+242066123456" },
	{ "01 97 12 34 56", "+229", "+2290197123456" },
	{ "0802 123 4567", "+234", "+2348021234567" },
	{ "082 123 4567", "+27", "+27821234567" },
	{ "010 1234 5678", "+20", "+201012345678" },
	{ "0712 345678", "+254", "+254712345678" },
	/* Amérique latine. */
	{ "(11) 98765-4321", "+55", "+5511987654321" },
	{ "011 98765-4321", "+55", "+5511987654321" },
	{ "55 1234 5678", "+52", "+525512345678" },
	{ "011 1234-5678", "+54", "+541112345678" },
	/* Asie, Moyen-Orient, Océanie. */
	{ "098765 43210", "+91", "+919876543210" },
	{ "+91 98765 43210", NULL, "+919876543210" },
	{ "138 0013 8000", "+86", "+8613800138000" },
	{ "090-1234-5678", "+81", "+819012345678" },
	{ "010-1234-5678", "+82", "+821012345678" },
	{ "050 123 4567", "+966", "+966501234567" },
	{ "050 123 4567", "+971", "+971501234567" },
	{ "0412 345 678", "+61", "+61412345678" },
	{ "(02) 9876 5432", "+61", "+61298765432" },
	{ "021 123 4567", "+64", "+64211234567" },
};

struct bad_case {
	const char	*input;
	const char	*cc;
	const char	*field;
	const char	*msg;		/* sous-chaîne attendue */
};

static const struct bad_case bads[] = {
	{ "06 12 AB 56 78", "+33", "phone_number", "(lettres ?)" },
	{ "06 12 34 56 78 poste 5", "+33", "phone_number", "(lettres ?)" },
	{ "06 12 34 56 78\xc3\xa9", "+33", "phone_number", "(lettres ?)" },
	{ "\xff\xfe", "+33", "phone_number", "(lettres ?)" },
	{ "06_12_34_56_78", "+33", "phone_number", "caractères non autorisés" },
	{ "06/12/34/56/78", "+33", "phone_number", "caractères non autorisés" },
	{ "06 12 34 56 78\n", "+33", "phone_number", "caractères non autorisés" },
	{ "06,12,34,56,78", "+33", "phone_number", "caractères non autorisés" },
	{ "06 12 34 56 7", "+33", "phone_number",
	    "Numéro trop court pour la France (+33) : 9 chiffres attendus "
	    "après l'indicatif." },
	{ "+33 6 12 34 56 7", NULL, "phone_number",
	    "Numéro trop court pour la France (+33)" },
	{ "06 12 34 56 789", "+33", "phone_number",
	    "Numéro trop long pour la France (+33) : 9 chiffres attendus" },
	{ "+33", NULL, "phone_number", "trop court pour la France" },
	{ "+33 0 0 12 34 56 78", NULL, "phone_number", "France" },
	{ "0412 345 67", "+61", "phone_number",
	    "trop court pour l'indicatif +61" },
	{ "07911 1234", "+44", "phone_number", "de 9 à 10 chiffres" },
	{ "+999 123 456 789", NULL, "phone_number",
	    "Indicatif pays inconnu : +999." },
	{ "+3", NULL, "phone_number", "incomplet" },
	{ "+", NULL, "phone_number", "préfixe international" },
	{ "+0612345678", "+33", "phone_number", "pas par 0" },
	{ "0612345678", "+999", "country_code",
	    "Indicatif pays inconnu : +999." },
	{ "0612345678", "999", "country_code", "inconnu : +999." },
	{ "0612345678", NULL, "country_code", "Indicatif pays manquant" },
	{ "0612345678", "  ", "country_code", "Indicatif pays manquant" },
	{ "0612345678", "France", "country_code", "Indicatif pays invalide" },
	{ "0612345678", "+3333", "country_code", "Indicatif pays invalide" },
	{ "0612345678", "+033", "country_code", "Indicatif pays invalide" },
	{ "+1234567890123456", NULL, "phone_number",
	    "Numéro trop long : 15 chiffres au maximum (norme E.164)." },
	{ "+33 6 12 34 56 78 90 12 34", NULL, "phone_number",
	    "15 chiffres au maximum" },
	{ "1234567890123456", "+33", "phone_number",
	    "15 chiffres au maximum" },
	{ "0612345678901234567890123456789012345678901234567890123456789012345",
	    "+33", "phone_number", "15 chiffres au maximum" },
	{ "", "+33", "phone_number", "obligatoire" },
	{ NULL, "+33", "phone_number", "obligatoire" },
	{ " \t ", "+33", "phone_number", "obligatoire" },
	{ "--- ...", "+33", "phone_number", "aucun chiffre" },
	{ "()", "+33", "phone_number", "Parenthèses" },
	{ "++33612345678", NULL, "phone_number", "« + »" },
	{ "+33 6 12+34 56 78", NULL, "phone_number", "« + »" },
	{ "06 12 34 56 78+", "+33", "phone_number", "« + »" },
	{ "+33 6 12 (34 56 78", NULL, "phone_number", "Parenthèses" },
	{ "+33 6 12) 34 56 78", NULL, "phone_number", "Parenthèses" },
	{ "((06)) 12 34 56 78", "+33", "phone_number", "Parenthèses" },
	{ "(015) 555-2671", "+1", "phone_number", "0 ou 1" },
	{ "(115) 555-2671", "+1", "phone_number", "0 ou 1" },
	{ "555-2671", "+1", "phone_number", "trop court pour l'indicatif +1" },
	{ "8 (912) 345-67", "+7", "phone_number", "trop court" },
	{ "030 1", "+49", "phone_number", "trop court pour l'Allemagne (+49)" },
	{ "0 1234", "+39", "phone_number", "trop court pour l'indicatif +39" },
};

/* Vérifie une saisie acceptée, champs de la sortie compris. */
static void
check_ok(const struct ok_case *c)
{
	struct cbw_phone	 p, again;
	struct cbw_phone_err	 err;
	size_t			 cl;

	if (cbw_phone_parse(c->input, c->cc, &p, &err) != CBW_OK)
		fail_msg("« %s » (%s) refusé : %s", c->input,
		    c->cc ? c->cc : "NULL", err.msg);
	if (strcmp(p.full, c->want) != 0)
		fail_msg("« %s » (%s) → %s, attendu %s", c->input,
		    c->cc ? c->cc : "NULL", p.full, c->want);
	assert_null(err.field);
	assert_string_equal(err.msg, "");
	cl = strlen(p.country_code);
	assert_true(cl >= 2 && cl <= 4);
	assert_memory_equal(p.full, p.country_code, cl);
	assert_string_equal(p.full + cl, p.national);
	assert_true(cbw_phone_is_e164(p.full));
	assert_non_null(cbw_phone_country_by_code(p.country_code));
	/* La forme normalisée se relit à l'identique, sans indicatif. */
	assert_int_equal(cbw_phone_parse(p.full, NULL, &again, NULL), CBW_OK);
	assert_string_equal(again.full, p.full);
	assert_string_equal(again.national, p.national);
	assert_string_equal(again.country_code, p.country_code);
}

static void
test_examples(void **state)
{
	size_t	 i;

	(void)state;
	assert_true(sizeof(oks) / sizeof(oks[0]) >= 60);
	for (i = 0; i < sizeof(oks) / sizeof(oks[0]); i++)
		check_ok(&oks[i]);
}

/* Le détail des champs pour un cas simple. */
static void
test_fields(void **state)
{
	struct cbw_phone	 p;
	struct cbw_phone_err	 err;

	(void)state;
	assert_int_equal(cbw_phone_parse("06 12 34 56 78", "+33", &p, &err),
	    CBW_OK);
	assert_string_equal(p.country_code, "+33");
	assert_string_equal(p.national, "612345678");
	assert_string_equal(p.full, "+33612345678");
	assert_int_equal(cbw_phone_parse("06 6982 0000", "+39", &p, NULL),
	    CBW_OK);
	assert_string_equal(p.country_code, "+39");
	assert_string_equal(p.national, "0669820000");
	assert_int_equal(cbw_phone_parse("(415) 555-2671", "+1", &p, NULL),
	    CBW_OK);
	assert_string_equal(p.country_code, "+1");
	assert_string_equal(p.national, "4155552671");
	assert_int_equal(cbw_phone_parse("8 (912) 345-67-89", "+7", &p, NULL),
	    CBW_OK);
	assert_string_equal(p.country_code, "+7");
	assert_string_equal(p.national, "9123456789");
}

static void
test_rejects(void **state)
{
	struct cbw_phone	 p;
	struct cbw_phone_err	 err;
	const struct bad_case	*c;
	size_t			 i;

	(void)state;
	for (i = 0; i < sizeof(bads) / sizeof(bads[0]); i++) {
		c = &bads[i];
		memset(&p, 'x', sizeof(p));
		if (cbw_phone_parse(c->input, c->cc, &p, &err) != CBW_EINVAL)
			fail_msg("« %s » (%s) accepté : %s", c->input ? c->input :
			    "NULL", c->cc ? c->cc : "NULL", p.full);
		assert_non_null(err.field);
		if (strcmp(err.field, c->field) != 0 ||
		    strstr(err.msg, c->msg) == NULL)
			fail_msg("« %s » (%s) : %s / « %s », attendu %s / « %s »",
			    c->input ? c->input : "NULL", c->cc ? c->cc : "NULL",
			    err.field, err.msg, c->field, c->msg);
		assert_true(cbw_valid_utf8(err.msg, strlen(err.msg)));
		/* Rien de la saisie refusée ne reste dans la sortie. */
		assert_string_equal(p.full, "");
		assert_string_equal(p.national, "");
		assert_string_equal(p.country_code, "");
	}
	/* err facultatif. */
	assert_int_equal(cbw_phone_parse("abc", "+33", &p, NULL), CBW_EINVAL);
}

static void
test_is_e164(void **state)
{
	static const char *const good[] = { "+33612345678", "+14155552671",
		"+390669820000", "+79123456789", "+4915123456789",
		"+2250707123456", "+447911123456", "+3780549123456",
		"+68987123456", "+29012345" };
	static const char *const bad[] = { "", "+", "+3", "33612345678",
		"+33 612345678", "+33-612345678", "+330612345678",
		"+3361234567", "+336123456789", "+999123456", "+0612345678",
		"+1234567890123456", "+10155552671", "+33612345678\n",
		" +33612345678", "++33612345678", "+33６12345678",
		"+4400000000000" };
	size_t	 i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		if (!cbw_phone_is_e164(good[i]))
			fail_msg("%s refusé", good[i]);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (cbw_phone_is_e164(bad[i]))
			fail_msg("« %s » accepté", bad[i]);
	assert_false(cbw_phone_is_e164(NULL));
}

/*
 * Clé de tri française d'un nom UTF-8 : minuscules sans accents, toute
 * ponctuation devenue une espace (tri mot à mot).
 */
static void
fold(const char *s, char *out, size_t len)
{
	static const char	 latin[] =	/* U+00C0 à U+00FF */
	    "aaaaaaaceeeeiiiidnooooo*ouuuuyts"
	    "aaaaaaaceeeeiiiidnooooo/ouuuuyty";
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 o = 0;
	char			 ch;

	while (*p != '\0' && o + 1 < len) {
		if (p[0] == 0xc3 && p[1] >= 0x80 && p[1] <= 0xbf) {
			ch = latin[p[1] - 0x80];
			p += 2;
		} else if (*p >= 0x80) {
			fail_msg("caractère inattendu dans « %s »", s);
			return;
		} else if (*p >= 'A' && *p <= 'Z') {
			ch = (char)(*p++ - 'A' + 'a');
		} else if (*p >= 'a' && *p <= 'z') {
			ch = (char)*p++;
		} else {
			ch = ' ';
			p++;
		}
		out[o++] = ch;
	}
	out[o] = '\0';
}

static void
test_table(void **state)
{
	const struct cbw_country	*c, *d, *p;
	char				 ka[128], kb[128];
	size_t				 j, n, ncodes = 0;

	(void)state;
	c = cbw_phone_country(0);
	assert_non_null(c);
	assert_string_equal(c->iso2, "FR");
	assert_string_equal(c->code, "+33");
	assert_string_equal(c->name_fr, "France");
	assert_string_equal(c->trunk, "0");
	for (n = 0; cbw_phone_country(n) != NULL; n++) {
		c = cbw_phone_country(n);
		assert_non_null(c->code);
		assert_int_equal(c->code[0], '+');
		assert_true(strlen(c->code) >= 2 && strlen(c->code) <= 4);
		assert_true(strspn(c->code + 1, "0123456789") ==
		    strlen(c->code + 1));
		assert_true(c->code[1] != '0');
		assert_non_null(c->name_fr);
		assert_true(c->name_fr[0] != '\0');
		assert_true(cbw_valid_utf8(c->name_fr, strlen(c->name_fr)));
		assert_non_null(c->iso2);
		assert_int_equal(strlen(c->iso2), 2);
		assert_true(c->iso2[0] >= 'A' && c->iso2[0] <= 'Z');
		assert_true(c->iso2[1] >= 'A' && c->iso2[1] <= 'Z');
		assert_non_null(c->trunk);
		assert_true(strspn(c->trunk, "0123456789") == strlen(c->trunk));
		assert_true(c->min_len >= 4);
		assert_true(c->min_len <= c->max_len);
		assert_true(c->max_len <= 14);
		assert_true(strlen(c->code + 1) + c->max_len <= 15);
		/* Le pays principal de l'indicatif existe et l'a bien. */
		p = cbw_phone_country_by_code(c->code);
		assert_non_null(p);
		assert_string_equal(p->code, c->code);
		assert_ptr_equal(cbw_phone_country_by_code(c->code + 1), p);
		for (j = 0; j < n; j++) {
			d = cbw_phone_country(j);
			if (strcmp(c->iso2, d->iso2) == 0)
				fail_msg("iso2 en double : %s", c->iso2);
			if (strcmp(c->name_fr, d->name_fr) == 0)
				fail_msg("nom en double : %s", c->name_fr);
			/* Même indicatif : mêmes règles. */
			if (strcmp(c->code, d->code) == 0 &&
			    (c->min_len != d->min_len || c->max_len != d->max_len ||
			    strcmp(c->trunk, d->trunk) != 0))
				fail_msg("%s et %s (%s) diffèrent", c->iso2,
				    d->iso2, c->code);
		}
		if (p == c)
			ncodes++;
		/* Ordre alphabétique français après la France. */
		if (n >= 2) {
			fold(cbw_phone_country(n - 1)->name_fr, ka, sizeof(ka));
			fold(c->name_fr, kb, sizeof(kb));
			if (strcmp(ka, kb) >= 0)
				fail_msg("ordre : « %s » avant « %s »",
				    cbw_phone_country(n - 1)->name_fr, c->name_fr);
		}
	}
	printf("pays : %zu, indicatifs : %zu\n", n, ncodes);
	assert_true(n >= 200);
	assert_true(ncodes >= 200);
	assert_null(cbw_phone_country(n));
	assert_null(cbw_phone_country(n + 1000));

	/* Recherche par indicatif. */
	assert_string_equal(cbw_phone_country_by_code("+33")->iso2, "FR");
	assert_string_equal(cbw_phone_country_by_code("33")->iso2, "FR");
	assert_string_equal(cbw_phone_country_by_code("0033")->iso2, "FR");
	assert_string_equal(cbw_phone_country_by_code("+1")->iso2, "US");
	assert_string_equal(cbw_phone_country_by_code("+7")->iso2, "RU");
	assert_string_equal(cbw_phone_country_by_code("+44")->iso2, "GB");
	assert_string_equal(cbw_phone_country_by_code("+39")->iso2, "IT");
	assert_string_equal(cbw_phone_country_by_code("+61")->iso2, "AU");
	assert_string_equal(cbw_phone_country_by_code("+212")->iso2, "MA");
	assert_string_equal(cbw_phone_country_by_code("+262")->iso2, "RE");
	assert_string_equal(cbw_phone_country_by_code("+590")->iso2, "GP");
	assert_string_equal(cbw_phone_country_by_code("+225")->name_fr,
	    "Côte d'Ivoire");
	assert_string_equal(cbw_phone_country_by_code("+221")->name_fr,
	    "Sénégal");
	assert_string_equal(cbw_phone_country_by_code("+213")->name_fr,
	    "Algérie");
	assert_string_equal(cbw_phone_country_by_code("+44")->name_fr,
	    "Royaume-Uni");
	assert_string_equal(cbw_phone_country_by_code("+1")->name_fr,
	    "États-Unis");
	assert_string_equal(cbw_phone_country_by_code("+39")->trunk, "");
	assert_string_equal(cbw_phone_country_by_code("+7")->trunk, "8");
	assert_null(cbw_phone_country_by_code("+999"));
	assert_null(cbw_phone_country_by_code("+0"));
	assert_null(cbw_phone_country_by_code(""));
	assert_null(cbw_phone_country_by_code(NULL));
	assert_null(cbw_phone_country_by_code("+"));
	assert_null(cbw_phone_country_by_code("+3333"));
	assert_null(cbw_phone_country_by_code("FR"));
}

/* Chaque pays de la table accepte un numéro de chaque longueur permise. */
static void
test_every_country(void **state)
{
	const struct cbw_country	*c;
	struct cbw_phone		 p;
	struct cbw_phone_err		 err;
	char				 in[64], want[96];
	size_t				 i, len, k;

	(void)state;
	for (i = 0; (c = cbw_phone_country(i)) != NULL; i++) {
		for (len = c->min_len; len <= c->max_len; len++) {
			for (k = 0; k < len; k++)
				in[k] = (char)('2' + k % 7);
			in[len] = '\0';
			snprintf(want, sizeof(want), "%s%s", c->code, in);
			if (cbw_phone_parse(in, c->code, &p, &err) != CBW_OK)
				fail_msg("%s, %zu chiffres : %s", c->iso2, len,
				    err.msg);
			assert_string_equal(p.full, want);
		}
		in[c->min_len - 1] = '\0';
		assert_int_equal(cbw_phone_parse(in, c->code, &p, &err),
		    CBW_EINVAL);
		assert_string_equal(err.field, "phone_number");
		assert_non_null(strstr(err.msg, "trop court"));
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_examples),
		cmocka_unit_test(test_fields),
		cmocka_unit_test(test_rejects),
		cmocka_unit_test(test_is_e164),
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_every_country),
	};

	return cmocka_run_group_tests_name("phone", tests, NULL, NULL);
}
