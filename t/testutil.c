/*
 * Aides communes aux tests (voir testutil.h).
 */
#define _XOPEN_SOURCE 700
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "testutil.h"

static uint64_t	 rng;

/* Fixe et affiche la graine ; rend sa valeur. */
uint64_t
cbw_t_seed(void)
{
	const char	*s = getenv("CBW_SEED");
	uint64_t	 seed;

	seed = s != NULL && *s != '\0' ? strtoull(s, NULL, 10) :
	    (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
	rng = seed;
	printf("seed=%llu\n", (unsigned long long)seed);
	fflush(stdout);
	return seed;
}

/* splitmix64 : petit générateur reproductible. */
uint64_t
cbw_t_rnd(void)
{
	uint64_t	 z = (rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Entier uniforme dans [0, n). */
size_t
cbw_t_below(size_t n)
{
	return n == 0 ? 0 : (size_t)(cbw_t_rnd() % n);
}

/* Dossier des migrations du dépôt. */
const char *
cbw_t_migrations_dir(void)
{
	static char	 buf[4096];
	const char	*src = getenv("CBW_SRCDIR");
	const char	*f = __FILE__, *p;

	if (src != NULL && *src != '\0')
		snprintf(buf, sizeof(buf), "%s/db/migrations", src);
	else if ((p = strstr(f, "t/testutil.c")) != NULL)
		snprintf(buf, sizeof(buf), "%.*sdb/migrations", (int)(p - f), f);
	else
		snprintf(buf, sizeof(buf), "db/migrations");
	return buf;
}

static int
rm_one(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(p);
}

/* Supprime un dossier temporaire de test. */
void
cbw_t_rmtree(const char *dir)
{
	nftw(dir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
}
