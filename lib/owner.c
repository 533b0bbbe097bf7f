/*
 * Contrôle de propriété (voir owner.h).
 */
#include "db.h"
#include "owner.h"

static const char *const checks[CBW_OWN__MAX] = {
	/* CBW_OWN_CATEGORY */
	"SELECT 1 FROM categories WHERE id = ? AND created_by = ?",
	/* CBW_OWN_CONTACT */
	"SELECT 1 FROM contacts WHERE id = ? AND created_by = ?",
	/* CBW_OWN_CAMPAIGN */
	"SELECT 1 FROM campaigns WHERE id = ? AND created_by = ?",
	/* CBW_OWN_MESSAGE */
	"SELECT 1 FROM messages WHERE id = ? AND owner_id = ?",
};

/* Vérifie la propriété ; CBW_ENOTFOUND pour l'absent comme pour l'étranger. */
enum cbw_err
cbw_owner_check(struct cbw_db *db, enum cbw_owned kind, long long owner,
    long long id)
{
	long long	 one;

	if (kind >= CBW_OWN__MAX)
		return CBW_EINVAL;
	return cbw_db_query_int(db, &one, checks[kind], "ii", id, owner);
}
