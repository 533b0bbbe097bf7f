/*
 * Limite de requêtes par IP (voir ratelimit.h). Fenêtre fixe d'une minute.
 */
#include "clock.h"
#include "db.h"
#include "ratelimit.h"

/* Compte la requête et dit si la limite est dépassée. */
enum cbw_err
cbw_ratelimit_hit(struct cbw_db *db, const char *ip, long limit,
    long *retry_after)
{
	time_t		 now = cbw_now();
	long long	 minute = (long long)now / 60, hits = 0;
	enum cbw_err	 er;

	*retry_after = 0;
	if (limit <= 0)
		return CBW_OK;
	if ((er = cbw_db_query_int(db, &hits, "INSERT INTO rate_limits(ip, "
	    "minute, hits) VALUES (?, ?, 1) ON CONFLICT(ip, minute) DO UPDATE "
	    "SET hits = hits + 1 RETURNING hits", "si", ip, minute)) != CBW_OK)
		return er;
	if (hits == 1)
		cbw_db_exec(db, "DELETE FROM rate_limits WHERE minute < ?", "i",
		    minute - 1);
	if (hits <= limit)
		return CBW_OK;
	*retry_after = 60 - (long)(now % 60);
	return CBW_ELIMIT;
}
