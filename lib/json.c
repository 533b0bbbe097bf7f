/*
 * Aides json-c (voir json.h).
 */
#include <stdint.h>
#include <string.h>

#include <json-c/json.h>

#include "json.h"
#include "valid.h"

/* Lit un champ texte. */
enum cbw_err
cbw_json_get_str(struct json_object *o, const char *key, const char **out)
{
	struct json_object	*v;

	*out = NULL;
	if (o == NULL || !json_object_object_get_ex(o, key, &v) || v == NULL)
		return CBW_ENOTFOUND;
	if (!json_object_is_type(v, json_type_string))
		return CBW_EINVAL;
	*out = json_object_get_string(v);
	if (!cbw_valid_utf8(*out, (size_t)json_object_get_string_len(v))) {
		*out = NULL;
		return CBW_EINVAL;
	}
	return CBW_OK;
}

/* Lit un champ booléen strict. */
enum cbw_err
cbw_json_get_bool(struct json_object *o, const char *key, int *out)
{
	struct json_object	*v;

	if (o == NULL || !json_object_object_get_ex(o, key, &v) || v == NULL)
		return CBW_ENOTFOUND;
	if (!json_object_is_type(v, json_type_boolean))
		return CBW_EINVAL;
	*out = json_object_get_boolean(v);
	return CBW_OK;
}

/* Analyse un objet JSON complet (rien après). */
enum cbw_err
cbw_json_parse_object(const char *s, size_t n, struct json_object **out)
{
	struct json_tokener	*tok;
	struct json_object	*o;
	enum cbw_err		 er = CBW_EINVAL;
	size_t			 end;

	*out = NULL;
	if (n > (size_t)INT32_MAX || (tok = json_tokener_new_ex(64)) == NULL)
		return CBW_ENOMEM;
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	o = json_tokener_parse_ex(tok, s, (int)n);
	end = json_tokener_get_parse_end(tok);
	while (end < n && strchr(" \t\r\n", s[end]) != NULL && s[end] != '\0')
		end++;
	if (o != NULL && json_tokener_get_error(tok) == json_tokener_success &&
	    end == n && json_object_is_type(o, json_type_object)) {
		*out = o;
		er = CBW_OK;
	} else
		json_object_put(o);
	json_tokener_free(tok);
	return er;
}

/* Objet d'erreur de l'API. */
struct json_object *
cbw_json_error(const char *code, const char *message, struct json_object *fields)
{
	struct json_object	*o = json_object_new_object();

	if (o == NULL) {
		json_object_put(fields);
		return NULL;
	}
	json_object_object_add(o, "error", json_object_new_string(code));
	json_object_object_add(o, "message", json_object_new_string(message));
	if (fields != NULL)
		json_object_object_add(o, "fields", fields);
	return o;
}

/* Enveloppe de liste paginée. */
struct json_object *
cbw_json_list(struct json_object *items, long long total, long long page,
    long long per_page)
{
	struct json_object	*o = json_object_new_object();

	if (o == NULL) {
		json_object_put(items);
		return NULL;
	}
	json_object_object_add(o, "items", items);
	json_object_object_add(o, "total", json_object_new_int64(total));
	json_object_object_add(o, "page", json_object_new_int64(page));
	json_object_object_add(o, "per_page", json_object_new_int64(per_page));
	return o;
}

/* Ajoute une erreur de champ. */
void
cbw_json_field(struct json_object **fields, const char *field,
    const char *message)
{
	if (*fields == NULL && (*fields = json_object_new_object()) == NULL)
		return;
	json_object_object_add(*fields, field, json_object_new_string(message));
}
