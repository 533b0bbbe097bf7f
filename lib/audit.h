/*
 * Journal d'audit : qui a fait quoi (actions des administrateurs).
 */
#ifndef CBW_AUDIT_H
#define CBW_AUDIT_H

#include "err.h"

struct cbw_db;
struct cbw_user;
struct json_object;

/*
 * Note une action de `actor` (peut être NULL pour l'outil en ligne de
 * commande) sur une cible. `details` (objet JSON, emprunté) ne doit
 * contenir aucun secret. Renvoie CBW_OK ou l'erreur de base.
 */
enum cbw_err	cbw_audit(struct cbw_db *, const struct cbw_user *actor,
		    const char *action, const char *target_type,
		    long long target_id, struct json_object *details,
		    const char *ip);

#endif
