/*
 * Corps multipart/form-data (envoi de fichier) : découpage en parties,
 * sans copie (les données pointent dans le corps).
 */
#ifndef CBW_MULTIPART_H
#define CBW_MULTIPART_H

#include <stddef.h>

#include "err.h"

#define CBW_MULTIPART_MAX	16

struct cbw_part {
	char		 name[64];
	char		 filename[256];
	char		 ctype[128];
	const char	*data;
	size_t		 len;
};

/*
 * Découpe `body` selon la frontière donnée par `content_type`. Renvoie
 * CBW_OK et le nombre de parties (≤ max), ou CBW_EINVAL si le corps ou
 * l'en-tête est mal formé (frontière absente, partie sans nom...).
 */
enum cbw_err	cbw_multipart_parse(const char *content_type, const char *body,
		    size_t len, struct cbw_part *parts, size_t max, size_t *n);

#endif
