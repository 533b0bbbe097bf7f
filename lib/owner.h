/*
 * Propriété des lignes (remplace le RLS de Supabase) : chaque catégorie,
 * contact et campagne appartient à son created_by ; messages et
 * interactions à la campagne. Une ligne d'un autre administrateur est
 * traitée comme absente (404) : on ne révèle pas qu'elle existe.
 */
#ifndef CBW_OWNER_H
#define CBW_OWNER_H

#include "err.h"

struct cbw_db;

enum cbw_owned {
	CBW_OWN_CATEGORY,
	CBW_OWN_CONTACT,
	CBW_OWN_CAMPAIGN,
	CBW_OWN_MESSAGE,
	CBW_OWN__MAX
};

/* CBW_OK si la ligne `id` appartient à `owner`, sinon CBW_ENOTFOUND. */
enum cbw_err	cbw_owner_check(struct cbw_db *, enum cbw_owned, long long owner,
		    long long id);

#endif
