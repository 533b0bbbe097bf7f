/*
 * Enveloppe de fuzz : cat_input de fcgi/categories.c (voir inputs.h).
 */
#define main		cbw_fuzz_categories_main
#define cbw_app_main	cbw_fuzz_categories_app_main
#include "../../fcgi/categories.c"
#undef main
#undef cbw_app_main

#include "inputs.h"

int
cbw_fuzz_categories_app_main(const struct cbw_app *app)
{
	(void)app;
	return 0;
}

static const char *const category_fields[] = { "name", "color", NULL };

void
cbw_fuzz_category_input(struct cbw_req *r, int create)
{
	struct cin		 in;
	struct json_object	*f;
	size_t			 i;

	f = cat_input(r, create, &in);
	cbw_fuzz_check_fields(f, category_fields);
	if (f == NULL) {
		if (create && (in.namep == NULL || in.color == NULL))
			abort();
		if (in.namep != NULL && (in.namep != in.name ||
		    !cbw_fuzz_name_ok(in.namep, 0)))
			abort();
		if (in.color != NULL) {
			/* Une entrée de la palette, retrouvée par sa clé et son code. */
			for (i = 0; cbw_color_get(i) != NULL &&
			    cbw_color_get(i) != in.color; i++)
				continue;
			if (cbw_color_get(i) == NULL ||
			    cbw_color_find(in.color->hex) != in.color ||
			    cbw_color_find(in.color->key) != in.color)
				abort();
		}
	}
	json_object_put(f);
}
