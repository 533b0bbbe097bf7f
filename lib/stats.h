/*
 * Statistiques : totaux et agrégats, toujours limités au propriétaire.
 */
#ifndef CBW_STATS_H
#define CBW_STATS_H

#include "err.h"

struct cbw_db;
struct json_object;

/*
 * Totaux d'un administrateur : contacts, categories, campaigns, messages
 * (messages envoyés : sent, delivered ou read). Rend un objet JSON.
 */
enum cbw_err	cbw_stats_totals(struct cbw_db *, long long owner,
		    struct json_object **out);

#endif
