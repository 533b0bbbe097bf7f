/*
 * Statistiques (voir stats.h).
 */
#include "db.h"
#include "stats.h"

/* Totaux du tableau de bord pour un propriétaire. */
enum cbw_err
cbw_stats_totals(struct cbw_db *db, long long owner, struct json_object **out)
{
	return cbw_db_query_row(db, out, "SELECT "
	    "coalesce((SELECT contacts FROM owner_counts WHERE user_id = ?1), 0) "
	    "AS contacts, coalesce((SELECT categories FROM owner_counts WHERE "
	    "user_id = ?1), 0) AS categories, "
	    "(SELECT count(*) FROM campaigns WHERE created_by = ?1) AS campaigns, "
	    "(SELECT count(*) FROM messages m JOIN campaigns c ON c.id = "
	    "m.campaign_id WHERE c.created_by = ?1 AND m.status IN ('sent', "
	    "'delivered', 'read')) AS messages", "i", owner);
}
