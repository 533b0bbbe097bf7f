/*
 * Horloge unique de l'application. Tout ce qui dépend de l'heure la lit ici,
 * pour que les tests puissent la piloter (CBW_TEST_NOW, builds de test).
 */
#ifndef CBW_CLOCK_H
#define CBW_CLOCK_H

#include <stddef.h>
#include <time.h>

/* Secondes depuis l'époque Unix (UTC). */
time_t	cbw_now(void);
/* Millisecondes depuis l'époque Unix (CBW_TEST_NOW × 1000 si figée). */
long long	cbw_now_ms(void);
/* 1 si l'horloge est figée par CBW_TEST_NOW (build de test), 0 sinon. */
int	cbw_clock_frozen(void);
/* Écrit `t` en ISO 8601 UTC « 2026-11-24T06:00:00Z » dans out (≥ 21 octets). */
void	cbw_time_iso(time_t t, char *out, size_t len);
/*
 * Affiche une date ISO 8601 UTC dans le fuseau local du processus (TZ,
 * réglé au démarrage depuis TIME_ZONE) : « 24/11/2026 07:02 ». Une date
 * illisible est recopiée telle quelle.
 */
void	cbw_time_display(const char *iso, char *out, size_t len);
/* Lit une date ISO 8601 UTC écrite par cbw_time_iso ; -1 si invalide. */
time_t	cbw_time_parse(const char *s);

struct json_object;
/* Ajoute à `o` la clé dkey (date locale lisible) si la date ISO `key` existe. */
void	cbw_time_display_add(struct json_object *o, const char *key,
	    const char *dkey);

#endif
