/*
 * Table de routage : chaque programme FastCGI déclare un enum de routes
 * terminé par __MAX et une table parallèle de struct cbw_route. Le motif
 * « {id} » accepte un identifiant positif (valid.c).
 */
#ifndef CBW_ROUTE_H
#define CBW_ROUTE_H

#include <stddef.h>

#include "http.h"

/* Drapeaux d'une route : politique appliquée par les contrôles de front. */
#define CBW_R_API	0x0001	/* erreurs en JSON, authentification Bearer */
#define CBW_R_HTML	0x0002	/* erreurs en HTML, session par cookie */
#define CBW_R_AUTH	0x0004	/* authentification obligatoire (401 / redirection) */
#define CBW_R_SUPER	0x0008	/* réservé au super admin (403) */
#define CBW_R_JSON	0x0010	/* corps application/json obligatoire (415) */
#define CBW_R_FORM	0x0020	/* corps urlencoded (415) ; CSRF vérifié (403) */
#define CBW_R_MULTIPART	0x0040	/* corps multipart/form-data (415) */
#define CBW_R_NORATE	0x0080	/* exemptée de la limite par IP (webhook) */
#define CBW_R_NOCSRF	0x0100	/* formulaire sans session (connexion) */
#define CBW_R_SESSION	0x0200	/* session facultative : chargée si présente */
#define CBW_R_LARGE	0x0400	/* corps jusqu'à MAX_UPLOAD_BYTES (413 au-delà) */

struct cbw_route {
	int		 id;		/* valeur de l'enum du programme */
	enum cbw_method	 method;
	const char	*pattern;	/* « /api/users/{id} » */
	unsigned int	 flags;
};

enum cbw_route_res {
	CBW_ROUTE_OK,
	CBW_ROUTE_NOPATH,	/* → 404 */
	CBW_ROUTE_NOMETHOD	/* → 405, `allow` rempli */
};

/*
 * Cherche la route de (méthode, chemin). Remplit r->route, r->ids, r->nids
 * et r->is_api. Pour CBW_ROUTE_NOMETHOD, écrit les méthodes permises dans
 * allow (« GET, POST »).
 */
enum cbw_route_res cbw_route_match(const struct cbw_route *, size_t n,
		    struct cbw_req *r, char *allow, size_t allowlen);
/* Rend 1 si `path` suit `pattern` ; les {id} sont rangés dans ids. */
int		 cbw_route_path(const char *pattern, const char *path,
		    long long *ids, int *nids);

#endif
