/*
 * Migrations : les fichiers db/migrations/NNNN_nom.sql sont appliqués dans
 * l'ordre, chacun dans une transaction, et notés dans schema_migrations.
 */
#ifndef CBW_MIGRATE_H
#define CBW_MIGRATE_H

#include <stddef.h>

#include "err.h"

struct cbw_db;

/*
 * Applique les migrations de `dir` pas encore faites. Renvoie CBW_OK (et le
 * nombre appliqué dans *applied si non NULL), ou une erreur avec un message
 * nommant le fichier dans errbuf ; la migration fautive est annulée.
 */
enum cbw_err	cbw_migrate(struct cbw_db *, const char *dir, int *applied,
		    char *errbuf, size_t errlen);

#endif
