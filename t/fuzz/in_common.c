/*
 * Vérifications communes aux enveloppes des lecteurs de saisie (inputs.h).
 */
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "inputs.h"
#include "valid.h"

void
cbw_fuzz_check_fields(struct json_object *f, const char *const *allowed)
{
	struct json_object_iterator	 it, end;
	const char			*k, *m;
	size_t				 i, n = 0;

	if (f == NULL)
		return;
	if (!json_object_is_type(f, json_type_object))
		abort();
	it = json_object_iter_begin(f);
	end = json_object_iter_end(f);
	for (; !json_object_iter_equal(&it, &end); json_object_iter_next(&it)) {
		k = json_object_iter_peek_name(&it);
		for (i = 0; allowed[i] != NULL && strcmp(allowed[i], k) != 0; i++)
			continue;
		if (allowed[i] == NULL)
			abort();		/* champ inconnu de la route */
		if (!json_object_is_type(json_object_iter_peek_value(&it),
		    json_type_string))
			abort();
		m = json_object_get_string(json_object_iter_peek_value(&it));
		if (*m == '\0' || !cbw_valid_utf8(m, strlen(m)))
			abort();		/* message vide ou coupé */
		n++;
	}
	if (n == 0)
		abort();
}

int
cbw_fuzz_name_ok(const char *s, int optional)
{
	size_t	 n, i, chars = 0;

	if (s == NULL)
		return 0;
	n = strlen(s);
	if (!cbw_valid_utf8(s, n))
		return 0;
	if (n == 0)
		return optional;
	if (s[0] == ' ' || s[0] == '\t' || s[n - 1] == ' ' || s[n - 1] == '\t')
		return 0;
	for (i = 0; i < n; i++) {
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return 0;
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			chars++;
	}
	return chars <= 100;
}

void
cbw_fuzz_check_ids(const long long *ids, size_t n, size_t max)
{
	size_t	 i;

	if (n > max)
		abort();
	for (i = 0; i < n; i++)
		if (ids[i] < 1 || ids[i] > CBW_FUZZ_ID_MAX)
			abort();
}

int
cbw_fuzz_has(const char *s, const char *t)
{
	return s != NULL && strstr(s, t) != NULL;
}

void
cbw_fuzz_inputs(struct cbw_req *r)
{
	int	 create;

	for (create = 0; create <= 1; create++) {
		cbw_fuzz_contact_input(r, create);
		cbw_fuzz_user_input(r, create);
		cbw_fuzz_category_input(r, create);
	}
	cbw_fuzz_campaign_input(r);
}
