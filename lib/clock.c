/*
 * Horloge pilotable (voir clock.h).
 */
#include "autoconfig.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "clock.h"

/*
 * Rend l'heure courante. Dans un build de test (--enable-test-clock), la
 * variable CBW_TEST_NOW (secondes Unix) la remplace si elle est valide.
 */
time_t
cbw_now(void)
{
#ifdef CBW_TEST_CLOCK
	const char	*s;
	char		*end;
	long long	 v;

	if ((s = getenv("CBW_TEST_NOW")) != NULL && *s != '\0') {
		v = strtoll(s, &end, 10);
		if (*end == '\0' && v > 0)
			return (time_t)v;
	}
#endif
	return time(NULL);
}

/*
 * Rend l'heure courante en millisecondes. Dans un build de test, si
 * CBW_TEST_NOW est valide, rend cette seconde × 1000 (horloge figée).
 */
long long
cbw_now_ms(void)
{
	struct timespec	 ts;

#ifdef CBW_TEST_CLOCK
	const char	*s = getenv("CBW_TEST_NOW");

	if (s != NULL && *s != '\0')
		return (long long)cbw_now() * 1000;
#endif
	if (clock_gettime(CLOCK_REALTIME, &ts) != 0)
		return (long long)time(NULL) * 1000;
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Vrai si l'horloge est figée par CBW_TEST_NOW (build de test seulement). */
int
cbw_clock_frozen(void)
{
#ifdef CBW_TEST_CLOCK
	const char	*s = getenv("CBW_TEST_NOW");

	return s != NULL && *s != '\0';
#else
	return 0;
#endif
}

/* Formate `t` en ISO 8601 UTC ; chaîne vide si la conversion échoue. */
void
cbw_time_iso(time_t t, char *out, size_t len)
{
	struct tm	 tm;

	if (len == 0)
		return;
	out[0] = '\0';
	if (gmtime_r(&t, &tm) == NULL)
		return;
	strftime(out, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/*
 * Analyse exactement « AAAA-MM-JJTHH:MM:SSZ » ; renvoie -1 si la forme est
 * fausse ou la date impossible (30 février...).
 */
time_t
cbw_time_parse(const char *s)
{
	static const char	 shape[] = "dddd-dd-ddTdd:dd:ddZ";
	struct tm		 tm, back;
	const char		*end;
	time_t			 t;
	size_t			 i;

	if (s == NULL || strlen(s) != sizeof(shape) - 1)
		return -1;
	for (i = 0; i < sizeof(shape) - 1; i++)
		if (shape[i] == 'd' ? (s[i] < '0' || s[i] > '9') : s[i] != shape[i])
			return -1;
	memset(&tm, 0, sizeof(tm));
	end = strptime(s, "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (end == NULL || *end != '\0')
		return -1;
	back = tm;
	t = timegm(&tm);
	if (gmtime_r(&t, &tm) == NULL || tm.tm_year != back.tm_year ||
	    tm.tm_mon != back.tm_mon || tm.tm_mday != back.tm_mday ||
	    tm.tm_hour != back.tm_hour || tm.tm_min != back.tm_min ||
	    tm.tm_sec != back.tm_sec)
		return -1;
	return t;
}

/* Date lisible dans le fuseau local (voir clock.h). */
void
cbw_time_display(const char *iso, char *out, size_t len)
{
	struct tm	 tm;
	time_t		 t;

	if (len == 0)
		return;
	if ((t = cbw_time_parse(iso)) < 0 || localtime_r(&t, &tm) == NULL ||
	    strftime(out, len, "%d/%m/%Y %H:%M", &tm) == 0)
		snprintf(out, len, "%s", iso != NULL ? iso : "");
}

/* Ajoute dkey (date locale lisible) si la date ISO `key` existe (voir clock.h). */
void
cbw_time_display_add(struct json_object *o, const char *key, const char *dkey)
{
	const char	*v = json_object_get_string(json_object_object_get(o, key));
	char		 s[64];

	if (v == NULL || *v == '\0')
		return;
	cbw_time_display(v, s, sizeof(s));
	json_object_object_add(o, dkey, json_object_new_string(s));
}
