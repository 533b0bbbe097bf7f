/*
 * Noms des codes d'erreur (voir err.h).
 */
#include "err.h"

static const char *const names[CBW_ERR__MAX] = {
	"ok",		/* CBW_OK */
	"nomem",	/* CBW_ENOMEM */
	"invalid",	/* CBW_EINVAL */
	"not_found",	/* CBW_ENOTFOUND */
	"conflict",	/* CBW_ECONFLICT */
	"denied",	/* CBW_EDENIED */
	"auth",		/* CBW_EAUTH */
	"limit",	/* CBW_ELIMIT */
	"busy",		/* CBW_EBUSY */
	"db",		/* CBW_EDB */
	"io",		/* CBW_EIO */
	"template",	/* CBW_ETMPL */
};

/* Rend le nom d'un code ; "unknown" pour une valeur hors bornes. */
const char *
cbw_err_name(enum cbw_err e)
{
	if ((int)e < 0 || e >= CBW_ERR__MAX)
		return "unknown";
	return names[e];
}
