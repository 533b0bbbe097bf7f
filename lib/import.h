/*
 * Import et export de contacts en CSV. L'import est tout ou rien : les
 * lignes valides sont écrites dans une seule transaction ; un échec ou un
 * plantage au milieu ne laisse rien à moitié importé.
 */
#ifndef CBW_IMPORT_H
#define CBW_IMPORT_H

#include <stddef.h>

#include "buf.h"
#include "err.h"

struct cbw_db;
struct json_object;

struct cbw_import_opts {
	const char	*default_cc;	/* « +33 » pour les numéros nationaux */
	long long	 category_id;	/* 0 : aucune */
	const char	*category_name;	/* créée au besoin ; NULL ou "" : aucune */
	int		 update_names;	/* doublon : 1 met à jour les noms, 0 ignore */
};

struct cbw_import_result {
	long long		 created, updated, skipped, rejected_count;
	struct json_object	*rejected;	/* [{line, reason, raw}], 1000 au plus */
	struct json_object	*skipped_lines;	/* [{line, reason}] */
	struct json_object	*headers;	/* en-têtes lus */
	struct cbw_buf		 rejected_csv;	/* lignes rejetées + colonne motif */
	long long		 category_id;
	char			 category_name[404];
	const char		*encoding;
	char			 delim;
};

void		cbw_import_result_init(struct cbw_import_result *);
void		cbw_import_result_free(struct cbw_import_result *);
/*
 * Importe le fichier `data`. Renvoie CBW_OK et le bilan ; CBW_EINVAL avec
 * un message français dans *msg (fichier vide, pas de colonne de
 * téléphone : le message cite les en-têtes lus, catégorie invalide) ;
 * CBW_ENOTFOUND si category_id n'est pas à l'admin ; une erreur de base
 * (rien n'est alors écrit).
 */
enum cbw_err	cbw_import_csv(struct cbw_db *, long long owner, const char *data,
		    size_t len, const struct cbw_import_opts *,
		    struct cbw_import_result *, const char **msg);
/*
 * Export CSV des contacts de l'admin (toute la liste, ou une catégorie) :
 * BOM UTF-8, séparateur `delim`, cellules protégées contre l'injection de
 * formules. CBW_ENOTFOUND si la catégorie n'est pas à l'admin.
 */
enum cbw_err	cbw_contact_export(struct cbw_db *, long long owner,
		    long long category_id, char delim, struct cbw_buf *out);

#endif
