/*
 * Cible libFuzzer : analyse des entrées HTTP non fiables (chaîne de
 * requête / formulaire urlencoded, en-tête Cookie, corps JSON) et
 * vérification d'un JWT arbitraire.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "http.h"
#include "json.h"
#include "jwt.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cbw_kvlist	 l;
	struct cbw_jwt_claims	 c;
	struct json_object	*o = NULL;
	char			*s;
	size_t			 i;

	memset(&l, 0, sizeof(l));
	cbw_http_parse_urlencoded(&l, (const char *)data, size);
	for (i = 0; i < l.n; i++)
		if (strlen(l.v[i].key) > size || strlen(l.v[i].val) > size)
			abort();
	cbw_kv_free(&l);
	if ((s = malloc(size + 1)) == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	cbw_http_parse_cookies(&l, s);
	cbw_kv_free(&l);
	if (cbw_json_parse_object(s, size, &o) == CBW_OK &&
	    !json_object_is_type(o, json_type_object))
		abort();
	json_object_put(o);
	if (cbw_jwt_verify("0123456789abcdef0123456789abcdef", s, 1700000000,
	    &c) == CBW_OK && c.sub <= 0)
		abort();
	free(s);
	return 0;
}
