/*
 * Cible libFuzzer : corps JSON des requêtes de l'API, comme app.c les
 * traite (cbw_json_parse_object), puis lus par les routes.
 *
 *  - l'analyse rend un objet ou rien (jamais un autre type, jamais un objet
 *    avec une erreur) ; le tampon n'a pas de NUL final (ASan voit toute
 *    lecture au-delà) ;
 *  - aller-retour : l'objet réécrit par json-c se relit, et se réécrit à
 *    l'identique ;
 *  - pour chaque clé, cbw_json_get_str, cbw_json_get_bool et cbw_input_ids
 *    rendent ce qu'un lecteur écrit ici indépendamment attend (chaîne UTF-8
 *    sans NUL, booléen strict, tableau d'au plus 200 identifiants dans
 *    [1, 2^53]) ;
 *  - les lecteurs de saisie des routes (contacts, campagnes, comptes,
 *    catégories ; t/fuzz/in_*.c) ne rendent que des valeurs validées et des
 *    erreurs de champ connues, en UTF-8.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "app.h"
#include "http.h"
#include "inputs.h"
#include "json.h"
#include "valid.h"

#define IDS_MAX	200

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Ce que cbw_input_ids doit rendre pour la valeur v (non NULL). */
static enum cbw_err
ids_expected(struct json_object *v)
{
	struct json_object	*e;
	size_t			 i, n;
	int64_t			 x;

	if (!json_object_is_type(v, json_type_array) ||
	    (n = json_object_array_length(v)) > IDS_MAX)
		return CBW_EINVAL;
	for (i = 0; i < n; i++) {
		e = json_object_array_get_idx(v, i);
		if (!json_object_is_type(e, json_type_int))
			return CBW_EINVAL;
		x = json_object_get_int64(e);
		if (x < 1 || x > CBW_FUZZ_ID_MAX)
			return CBW_EINVAL;
		/* Au-delà d'int64 json-c sature : la valeur n'est plus celle écrite. */
		if (json_object_get_uint64(e) != (uint64_t)x)
			return CBW_EINVAL;
	}
	return CBW_OK;
}

/* Vérifie les lecteurs typés sur la clé k de o ; abort() sinon. */
static void
check_key(struct cbw_req *r, struct json_object *o, const char *k)
{
	struct json_object	*v = NULL;
	const char		*s;
	long long		 ids[IDS_MAX];
	size_t			 n = 12345, len, i;
	enum cbw_err		 es, eb, ei;
	int			 b = -7;

	if (!json_object_object_get_ex(o, k, &v))
		abort();		/* clé rendue par l'itération */
	es = cbw_json_get_str(o, k, &s);
	eb = cbw_json_get_bool(o, k, &b);
	ei = cbw_input_ids(r, k, ids, IDS_MAX, &n);
	if (v == NULL) {
		if (es != CBW_ENOTFOUND || s != NULL || eb != CBW_ENOTFOUND ||
		    ei != CBW_ENOTFOUND || n != 0)
			abort();
		return;
	}
	if (json_object_is_type(v, json_type_string)) {
		len = (size_t)json_object_get_string_len(v);
		if (memchr(json_object_get_string(v), '\0', len) == NULL &&
		    cbw_valid_utf8(json_object_get_string(v), len)) {
			if (es != CBW_OK || s != json_object_get_string(v) ||
			    strlen(s) != len)
				abort();
		} else if (es != CBW_EINVAL || s != NULL)
			abort();
	} else if (es != CBW_EINVAL || s != NULL)
		abort();
	if (json_object_is_type(v, json_type_boolean)) {
		if (eb != CBW_OK || b != json_object_get_boolean(v))
			abort();
	} else if (eb != CBW_EINVAL || b != -7)
		abort();
	if (ei != ids_expected(v))
		abort();
	if (ei == CBW_OK) {
		if (n != json_object_array_length(v))
			abort();
		cbw_fuzz_check_ids(ids, n, IDS_MAX);
		for (i = 0; i < n; i++)
			if (ids[i] != json_object_get_int64(
			    json_object_array_get_idx(v, i)))
				abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct json_object		*o = NULL, *o2 = NULL;
	struct json_object_iterator	 it, end;
	struct cbw_req			 r;
	char				*buf, *s1;
	enum cbw_err			 er;

	/* Tampon exact, sans NUL final. */
	if ((buf = malloc(size ? size : 1)) == NULL)
		return 0;
	memcpy(buf, data, size);
	er = cbw_json_parse_object(buf, size, &o);
	free(buf);
	if (er != CBW_OK) {
		if (o != NULL || (er != CBW_EINVAL && er != CBW_ENOMEM))
			abort();
		return 0;
	}
	if (o == NULL || !json_object_is_type(o, json_type_object))
		abort();

	/* Aller-retour par la sérialisation de json-c. */
	if ((s1 = strdup(json_object_to_json_string_ext(o,
	    JSON_C_TO_STRING_PLAIN))) == NULL)
		abort();
	if (cbw_json_parse_object(s1, strlen(s1), &o2) != CBW_OK ||
	    strcmp(s1, json_object_to_json_string_ext(o2,
	    JSON_C_TO_STRING_PLAIN)) != 0)
		abort();
	json_object_put(o2);
	free(s1);

	cbw_req_init(&r);
	r.is_api = 1;
	r.json = o;
	it = json_object_iter_begin(o);
	end = json_object_iter_end(o);
	for (; !json_object_iter_equal(&it, &end); json_object_iter_next(&it))
		check_key(&r, o, json_object_iter_peek_name(&it));
	cbw_fuzz_inputs(&r);
	cbw_req_free(&r);		/* libère aussi o */
	return 0;
}
