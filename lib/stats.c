/*
 * Statistiques (voir stats.h).
 */
#include "db.h"
#include "stats.h"

/*
 * Totaux du tableau de bord pour un propriétaire, lus dans les compteurs
 * tenus par déclencheurs (owner_counts, msg_status_counts : jamais la
 * table messages). CBW_OK ou l'erreur de base.
 */
enum cbw_err
cbw_stats_totals(struct cbw_db *db, long long owner, struct json_object **out)
{
	return cbw_db_query_row(db, out, "SELECT "
	    "coalesce((SELECT contacts FROM owner_counts WHERE user_id = ?1), 0) "
	    "AS contacts, coalesce((SELECT categories FROM owner_counts WHERE "
	    "user_id = ?1), 0) AS categories, "
	    "(SELECT count(*) FROM campaigns WHERE created_by = ?1) AS campaigns, "
	    "(SELECT coalesce(sum(n), 0) FROM msg_status_counts WHERE owner_id = "
	    "?1 AND status IN ('sent', 'delivered', 'read')) AS messages", "i",
	    owner);
}
