/*
 * Limite globale de requêtes par IP et par minute, comptée dans SQLite pour
 * valoir à travers tous les programmes et après un redémarrage.
 */
#ifndef CBW_RATELIMIT_H
#define CBW_RATELIMIT_H

#include "err.h"

struct cbw_db;

/*
 * Compte une requête de `ip`. `limit` 0 : pas de limite. Renvoie CBW_OK,
 * CBW_ELIMIT (et *retry_after en secondes), ou une erreur de base (la
 * requête est alors laissée passer par l'appelant).
 */
enum cbw_err	cbw_ratelimit_hit(struct cbw_db *, const char *ip, long limit,
		    long *retry_after);

#endif
