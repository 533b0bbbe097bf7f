/*
 * Aides json-c (voir json.h).
 */
#include <ctype.h>
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


/* Lecteur de syntaxe JSON (RFC 8259) : position courante et fin. */
struct jscan {
	const char	*p, *e;
	int		 depth;
};

static int	js_value(struct jscan *);

/* Saute les blancs permis par JSON. */
static void
js_ws(struct jscan *j)
{
	while (j->p < j->e && (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' ||
	    *j->p == '\r'))
		j->p++;
}

/* Chaîne : pas de caractère de contrôle brut, échappements valides. */
static int
js_string(struct jscan *j)
{
	int	 i;

	for (j->p++; j->p < j->e; j->p++) {
		if (*j->p == '"') {
			j->p++;
			return 1;
		}
		if ((unsigned char)*j->p < 0x20)
			return 0;
		if (*j->p != '\\')
			continue;
		if (++j->p >= j->e)
			return 0;
		if (*j->p == 'u') {
			for (i = 1; i <= 4; i++)
				if (j->p + i >= j->e || !isxdigit((unsigned char)j->p[i]))
					return 0;
			j->p += 4;
		} else if (strchr("\"\\/bfnrt", *j->p) == NULL || *j->p == '\0')
			return 0;
	}
	return 0;
}

/* Suite de chiffres (au moins un). */
static int
js_digits(struct jscan *j)
{
	const char	*b = j->p;

	while (j->p < j->e && isdigit((unsigned char)*j->p))
		j->p++;
	return j->p > b;
}

/* Nombre : -?(0|[1-9]d*)(.d+)?([eE][+-]?d+)? ; pas de NaN ni d'Infinity. */
static int
js_number(struct jscan *j)
{
	if (*j->p == '-')
		j->p++;
	if (j->p < j->e && *j->p == '0')
		j->p++;
	else if (!js_digits(j))
		return 0;
	if (j->p < j->e && *j->p == '.') {
		j->p++;
		if (!js_digits(j))
			return 0;
	}
	if (j->p < j->e && (*j->p == 'e' || *j->p == 'E')) {
		j->p++;
		if (j->p < j->e && (*j->p == '+' || *j->p == '-'))
			j->p++;
		if (!js_digits(j))
			return 0;
	}
	return 1;
}

/* Mot-clé littéral (true, false, null). */
static int
js_word(struct jscan *j, const char *w)
{
	size_t	 n = strlen(w);

	if ((size_t)(j->e - j->p) < n || strncmp(j->p, w, n) != 0)
		return 0;
	j->p += n;
	return 1;
}

/* Objet ou tableau (`close` : '}' ou ']'), profondeur bornée. */
static int
js_container(struct jscan *j, char close)
{
	if (++j->depth > 64)
		return 0;
	j->p++;
	js_ws(j);
	if (j->p < j->e && *j->p == close) {
		j->p++;
		j->depth--;
		return 1;
	}
	for (;;) {
		js_ws(j);
		if (close == '}') {
			if (j->p >= j->e || *j->p != '"' || !js_string(j))
				return 0;
			js_ws(j);
			if (j->p >= j->e || *j->p++ != ':')
				return 0;
		}
		if (!js_value(j))
			return 0;
		js_ws(j);
		if (j->p < j->e && *j->p == ',') {
			j->p++;
			continue;
		}
		if (j->p < j->e && *j->p == close) {
			j->p++;
			j->depth--;
			return 1;
		}
		return 0;
	}
}

/* Une valeur JSON quelconque. */
static int
js_value(struct jscan *j)
{
	js_ws(j);
	if (j->p >= j->e)
		return 0;
	switch (*j->p) {
	case '{':
		return js_container(j, '}');
	case '[':
		return js_container(j, ']');
	case '"':
		return js_string(j);
	case 't':
		return js_word(j, "true");
	case 'f':
		return js_word(j, "false");
	case 'n':
		return js_word(j, "null");
	default:
		return (*j->p == '-' || isdigit((unsigned char)*j->p)) && js_number(j);
	}
}

/*
 * Vérifie que s[0..n) est exactement un texte JSON conforme (json-c, même
 * strict, accepte NaN, les apostrophes et les contrôles bruts). Rend 1 si oui.
 */
static int
json_syntax_ok(const char *s, size_t n)
{
	struct jscan	 j = { s, s + n, 0 };

	if (!js_value(&j))
		return 0;
	js_ws(&j);
	return j.p == j.e;
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
	if (n > (size_t)INT32_MAX || !json_syntax_ok(s, n))
		return CBW_EINVAL;
	if ((tok = json_tokener_new_ex(64)) == NULL)
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
