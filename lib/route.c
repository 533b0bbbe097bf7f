/*
 * Routage par table (voir route.h).
 */
#include <string.h>

#include "route.h"
#include "valid.h"

/*
 * Compare `path` à `pattern` segment par segment. « {id} » doit être un
 * identifiant positif. Rend 1 si le chemin correspond, sinon 0.
 */
int
cbw_route_path(const char *pattern, const char *path, long long *ids, int *nids)
{
	const char	*p = pattern, *q = path, *pe, *qe;
	char		 seg[32];
	size_t		 n;

	*nids = 0;
	while (*p != '\0' && *q != '\0') {
		if (*p != '/' || *q != '/')
			return 0;
		p++, q++;
		pe = p + strcspn(p, "/");
		qe = q + strcspn(q, "/");
		n = (size_t)(qe - q);
		if ((size_t)(pe - p) == 4 && strncmp(p, "{id}", 4) == 0) {
			if (n == 0 || n >= sizeof(seg) || *nids >= 4)
				return 0;
			memcpy(seg, q, n);
			seg[n] = '\0';
			if (cbw_valid_id(seg, &ids[*nids]) != CBW_OK)
				return 0;
			(*nids)++;
		} else if ((size_t)(pe - p) != n || strncmp(p, q, n) != 0)
			return 0;
		p = pe, q = qe;
	}
	return *p == '\0' && *q == '\0';
}

/* Cherche la route ; voir route.h. */
enum cbw_route_res
cbw_route_match(const struct cbw_route *t, size_t n, struct cbw_req *r,
    char *allow, size_t allowlen)
{
	long long	 ids[4];
	size_t		 i, used = 0;
	int		 nids, found = 0;

	if (allowlen > 0)
		allow[0] = '\0';
	if (r->path == NULL || r->path[0] != '/')
		return CBW_ROUTE_NOPATH;
	for (i = 0; i < n; i++) {
		if (!cbw_route_path(t[i].pattern, r->path, ids, &nids))
			continue;
		found = 1;
		r->is_api = (t[i].flags & CBW_R_API) != 0;
		if (t[i].method == r->method ||
		    (r->method == CBW_HEAD && t[i].method == CBW_GET)) {
			r->route = t[i].id;
			memcpy(r->ids, ids, sizeof(ids));
			r->nids = nids;
			return CBW_ROUTE_OK;
		}
		if (used + 12 < allowlen && strstr(allow,
		    cbw_http_method_name(t[i].method)) == NULL) {
			if (used > 0) {
				memcpy(allow + used, ", ", 3);
				used += 2;
			}
			strncpy(allow + used, cbw_http_method_name(t[i].method),
			    allowlen - used - 1);
			used = strlen(allow);
		}
	}
	if (!found) {
		r->is_api = strncmp(r->path, "/api/", 5) == 0;
		return CBW_ROUTE_NOPATH;
	}
	return CBW_ROUTE_NOMETHOD;
}
