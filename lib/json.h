/*
 * Aides json-c : lecture typée des champs d'un corps JSON, objets d'erreur
 * et de liste selon les conventions de l'API (DESIGN §4).
 */
#ifndef CBW_JSON_H
#define CBW_JSON_H

#include <stddef.h>

#include "err.h"

struct json_object;

/*
 * Lit le champ texte `key` de l'objet. Renvoie CBW_OK (*out emprunté),
 * CBW_ENOTFOUND s'il est absent ou null, CBW_EINVAL s'il n'est pas une
 * chaîne ou n'est pas de l'UTF-8 valide.
 */
enum cbw_err	cbw_json_get_str(struct json_object *, const char *key,
		    const char **out);
/* Booléen strict (true/false). Mêmes codes que cbw_json_get_str. */
enum cbw_err	cbw_json_get_bool(struct json_object *, const char *key, int *out);
/* Analyse un corps JSON ; CBW_EINVAL si invalide ou si ce n'est pas un objet. */
enum cbw_err	cbw_json_parse_object(const char *, size_t, struct json_object **);
/* { "error": code, "message": msg [, "fields": fields (pris)] } */
struct json_object *cbw_json_error(const char *code, const char *message,
		    struct json_object *fields);
/* { "items": items (pris), "total", "page", "per_page" } */
struct json_object *cbw_json_list(struct json_object *items, long long total,
		    long long page, long long per_page);
/* Ajoute field → message à l'objet *fields (créé au besoin). */
void		cbw_json_field(struct json_object **fields, const char *field,
		    const char *message);

#endif
