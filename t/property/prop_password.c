/*
 * Test de propriété 10 : tout mot de passe UTF-8 valide de 8 à 72 octets
 * est accepté par cbw_valid_password, haché en bcrypt « $2b$12$ » (60
 * caractères), vérifié par cbw_password_verify, et une modification d'un
 * seul octet fait échouer la vérification. Les entrées invalides (vide,
 * 1 à 7 octets, plus de 72 octets, UTF-8 mal formé) sont refusées.
 *
 * Le hachage (≈ 0,2 s par opération) tourne sur deux fils d'exécution.
 * Graine : CBW_SEED si donnée, sinon l'heure ; affichée « seed=<n> ».
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "testutil.h"
#include "crypto.h"
#include "password.h"
#include "valid.h"

#define NPW		100	/* mots de passe hachés */
#define NTHREADS	2
#define NINVALID	2000	/* entrées invalides (sans hachage) */

static uint64_t	 seed;

/* Écrit le point de code cp en UTF-8 ; rend le nombre d'octets. */
static size_t
put_cp(unsigned char *o, unsigned int cp)
{
	if (cp < 0x80) {
		o[0] = (unsigned char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (unsigned char)(0xc0 | (cp >> 6));
		o[1] = (unsigned char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (unsigned char)(0xe0 | (cp >> 12));
		o[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
		o[2] = (unsigned char)(0x80 | (cp & 0x3f));
		return 3;
	}
	o[0] = (unsigned char)(0xf0 | (cp >> 18));
	o[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3f));
	o[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
	o[3] = (unsigned char)(0x80 | (cp & 0x3f));
	return 4;
}

/* Point de code aléatoire dont l'encodage fait au plus `room` octets. */
static unsigned int
rnd_cp(size_t room)
{
	static const unsigned int accents[] = { 0xe0, 0xe2, 0xe7, 0xe8, 0xe9,
	    0xea, 0xeb, 0xee, 0xef, 0xf4, 0xf9, 0xfb, 0xfc, 0xc0, 0xc9, 0xc7,
	    0x153, 0x152, 0xdf, 0xf1 };
	static const unsigned int emoji[] = { 0x1f600, 0x1f602, 0x1f60d,
	    0x1f680, 0x1f44d, 0x1f389, 0x1f525, 0x1f4a9, 0x1f9d1, 0x10348,
	    0x10ffff, 0x10000 };
	unsigned int	 cp;

	for (;;) {
		switch (cbw_t_below(6)) {
		case 0:
		case 1:		/* ASCII imprimable (et quelques contrôles) */
			cp = cbw_t_below(10) == 0 ? 1 + cbw_t_below(31) : 0x20 + cbw_t_below(0x5f);
			return cp;
		case 2:		/* accents */
			if (room < 2)
				continue;
			return accents[cbw_t_below(sizeof(accents) / sizeof(accents[0]))];
		case 3:		/* deux octets quelconques */
			if (room < 2)
				continue;
			return 0x80 + cbw_t_below(0x800 - 0x80);
		case 4:		/* trois octets, hors surrogates */
			if (room < 3)
				continue;
			do
				cp = 0x800 + cbw_t_below(0x10000 - 0x800);
			while (cp >= 0xd800 && cp <= 0xdfff);
			return cp;
		default:	/* quatre octets : émojis et bornes */
			if (room < 4)
				continue;
			if (cbw_t_below(2))
				return emoji[cbw_t_below(sizeof(emoji) / sizeof(emoji[0]))];
			return 0x10000 + cbw_t_below(0x110000 - 0x10000);
		}
	}
}

/* Mot de passe UTF-8 valide d'exactement `len` octets (out : len + 1). */
static void
rnd_utf8(char *out, size_t len)
{
	unsigned char	*o = (unsigned char *)out;
	size_t		 n = 0;

	while (n < len)
		n += put_cp(o + n, rnd_cp(len - n));
	out[len] = '\0';
}

struct job {
	char	 pw[CBW_PASSWORD_MAX + 1];
	char	 bad[CBW_PASSWORD_MAX + 1];	/* un octet changé */
	char	 hash[CBW_HASH_MAX];
	int	 er, ok_good, ok_bad;
};

static struct job	 jobs[NPW];

static void *
worker(void *arg)
{
	size_t		 t = (size_t)(uintptr_t)arg, i;
	struct job	*j;

	for (i = t; i < NPW; i += NTHREADS) {
		j = &jobs[i];
		j->er = cbw_password_hash(j->pw, j->hash, sizeof(j->hash));
		if (j->er != CBW_OK)
			continue;
		j->ok_good = cbw_password_verify(j->pw, j->hash);
		j->ok_bad = cbw_password_verify(j->bad, j->hash);
	}
	return NULL;
}

static void
print_hex(const char *label, const char *s)
{
	const unsigned char	*p;

	fprintf(stderr, "%s (%zu octets) :", label, strlen(s));
	for (p = (const unsigned char *)s; *p; p++)
		fprintf(stderr, " %02x", *p);
	fprintf(stderr, "\n");
}

static void
prop_valid_hashed(void **state)
{
	pthread_t	 th[NTHREADS];
	const char	*msg;
	size_t		 i, len, pos, multi = 0;
	unsigned char	 c;

	(void)state;
	/* Génération (fil principal : reproductible par la graine). */
	for (i = 0; i < NPW; i++) {
		struct job	*j = &jobs[i];

		/* Bornes comprises : 8 et 72 octets apparaissent à coup sûr. */
		len = i == 0 ? CBW_PASSWORD_MIN : i == 1 ? CBW_PASSWORD_MAX :
		    CBW_PASSWORD_MIN + cbw_t_below(CBW_PASSWORD_MAX - CBW_PASSWORD_MIN + 1);
		rnd_utf8(j->pw, len);
		assert_int_equal(strlen(j->pw), len);
		if (!cbw_valid_utf8(j->pw, len)) {
			print_hex("généré", j->pw);
			fail_msg("seed=%llu : générateur : UTF-8 invalide",
			    (unsigned long long)seed);
		}
		msg = "x";
		if (cbw_valid_password(j->pw, &msg) != CBW_OK) {
			print_hex("refusé", j->pw);
			fail_msg("seed=%llu : mot de passe valide refusé (%s)",
			    (unsigned long long)seed, msg);
		}
		assert_null(msg);
		for (pos = 0; pos < len; pos++)
			if ((unsigned char)j->pw[pos] >= 0x80) {
				multi++;
				break;
			}
		/* Un octet changé (jamais NUL, toujours différent). */
		memcpy(j->bad, j->pw, len + 1);
		pos = cbw_t_below((unsigned int)len);
		do
			c = (unsigned char)(1 + cbw_t_below(255));
		while (c == (unsigned char)j->pw[pos]);
		j->bad[pos] = (char)c;
	}
	assert_true(multi > NPW / 2);	/* surtout des mots de passe non ASCII */

	for (i = 0; i < NTHREADS; i++)
		assert_int_equal(pthread_create(&th[i], NULL, worker,
		    (void *)(uintptr_t)i), 0);
	for (i = 0; i < NTHREADS; i++)
		assert_int_equal(pthread_join(th[i], NULL), 0);

	for (i = 0; i < NPW; i++) {
		struct job	*j = &jobs[i];

		if (j->er != CBW_OK || strncmp(j->hash, "$2b$12$", 7) != 0 ||
		    strlen(j->hash) != 60 || j->ok_good != 1 || j->ok_bad != 0) {
			print_hex("mot de passe", j->pw);
			print_hex("modifié", j->bad);
			fail_msg("seed=%llu : n°%zu : er=%d hash=%s verify(pw)=%d "
			    "verify(modifié)=%d", (unsigned long long)seed, i, j->er,
			    j->er == CBW_OK ? j->hash : "-", j->ok_good, j->ok_bad);
		}
	}
	/* Sels différents : pas deux hachages identiques. */
	for (i = 1; i < NPW; i++)
		assert_string_not_equal(jobs[i].hash, jobs[0].hash);
}

/* Séquences UTF-8 mal formées à glisser dans un mot de passe. */
static const char *const broken[] = {
	"\x80", "\xbf", "\xc0\x80", "\xc1\xbf", "\xc2", "\xe0\x80\x80",
	"\xe0\x9f\xbf", "\xed\xa0\x80", "\xed\xbf\xbf", "\xf0\x80\x80\x80",
	"\xf0\x8f\xbf\xbf", "\xf4\x90\x80\x80", "\xf5\x80\x80\x80", "\xf8",
	"\xfe", "\xff", "\xe2\x82", "\xf0\x9f\x98", "\xc3\x28", "\xe2\x28\xa1",
};

static void
prop_invalid_refused(void **state)
{
	char		 s[300];
	const char	*msg, *b;
	size_t		 i, len, pos, bl, counts[4] = { 0, 0, 0, 0 };
	unsigned int	 kind;

	(void)state;
	msg = NULL;
	assert_int_equal(cbw_valid_password("", &msg), CBW_EINVAL);
	assert_string_equal(msg, "Le mot de passe est obligatoire.");
	counts[0]++;
	for (i = 0; i < NINVALID; i++) {
		kind = cbw_t_below(3);
		switch (kind) {
		case 0:		/* 1 à 7 octets, UTF-8 valide */
			len = 1 + cbw_t_below(CBW_PASSWORD_MIN - 1);
			rnd_utf8(s, len);
			break;
		case 1:		/* plus de 72 octets, UTF-8 valide */
			len = CBW_PASSWORD_MAX + 1 + cbw_t_below(200);
			rnd_utf8(s, len);
			break;
		default:	/* 8 à 72 octets avec une séquence cassée */
			b = broken[cbw_t_below(sizeof(broken) / sizeof(broken[0]))];
			bl = strlen(b);
			len = CBW_PASSWORD_MIN + cbw_t_below(CBW_PASSWORD_MAX -
			    CBW_PASSWORD_MIN + 1);
			/* Préfixe ASCII, séquence cassée, suffixe valide. */
			pos = cbw_t_below((unsigned int)(len - bl + 1));
			memset(s, 'a', pos);
			memcpy(s + pos, b, bl);
			/* Un caractère valide ne commence jamais par un octet de
			 * continuation : la séquence cassée le reste. */
			rnd_utf8(s + pos + bl, len - pos - bl);
			break;
		}
		msg = NULL;
		if (cbw_valid_password(s, &msg) != CBW_EINVAL || msg == NULL) {
			print_hex("accepté", s);
			fail_msg("seed=%llu : entrée invalide acceptée (genre %u)",
			    (unsigned long long)seed, kind);
		}
		if (kind == 0)
			assert_string_equal(msg, "Le mot de passe doit contenir "
			    "au moins 8 caractères.");
		else if (kind == 1)
			assert_string_equal(msg, "Le mot de passe ne doit pas "
			    "dépasser 72 octets.");
		else
			assert_string_equal(msg, "Le mot de passe contient des "
			    "caractères invalides.");
		counts[kind + 1]++;
	}
	printf("entrées invalides refusées : vide=%zu court=%zu long=%zu "
	    "utf8=%zu\n", counts[0], counts[1], counts[2], counts[3]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(prop_invalid_refused),
		cmocka_unit_test(prop_valid_hashed),
	};

	seed = cbw_t_seed();
	return cmocka_run_group_tests_name("prop_password", tests, NULL, NULL);
}
