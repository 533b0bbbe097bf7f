/*
 * Enveloppe de fuzz : contact_input de fcgi/contacts.c (voir inputs.h).
 * Le programme est inclus tel quel ; son main et cbw_app_main sont
 * renommés pour ne pas tirer FastCGI.
 */
#define main		cbw_fuzz_contacts_main
#define cbw_app_main	cbw_fuzz_contacts_app_main
#include "../../fcgi/contacts.c"
#undef main
#undef cbw_app_main

#include "inputs.h"

int
cbw_fuzz_contacts_app_main(const struct cbw_app *app)
{
	(void)app;
	return 0;
}

static const char *const contact_fields[] = {
	"phone_number", "phone", "country_code", "first_name", "last_name",
	"category_ids", "opted_out", NULL
};

/* Numéro accepté : E.164 propre, indicatif + numéro national. */
static void
check_phone(const struct cbw_phone *p)
{
	size_t	 cl = strlen(p->country_code);

	if (!cbw_phone_is_e164(p->full) || cl < 2 ||
	    strncmp(p->full, p->country_code, cl) != 0 ||
	    strcmp(p->full + cl, p->national) != 0)
		abort();
}

void
cbw_fuzz_contact_input(struct cbw_req *r, int create)
{
	static struct kin	 kin;
	struct kin		*k = &kin;
	struct json_object	*f;

	f = contact_input(r, create, k);
	cbw_fuzz_check_fields(f, contact_fields);
	if (r->json == NULL && k->opted_out != -1)
		abort();		/* opted_out n'existe qu'en JSON */
	if (k->opted_out < -1 || k->opted_out > 1)
		abort();
	if (f == NULL) {
		if (create && (k->in.phone == NULL || k->in.first_name == NULL ||
		    k->in.last_name == NULL))
			abort();
		if (k->in.phone != NULL) {
			if (k->in.phone != &k->phone)
				abort();
			check_phone(k->in.phone);
		}
		if ((k->in.first_name != NULL &&
		    !cbw_fuzz_name_ok(k->in.first_name, 1)) ||
		    (k->in.last_name != NULL &&
		    !cbw_fuzz_name_ok(k->in.last_name, 1)))
			abort();
		if (k->in.category_ids != k->cats)
			abort();
		cbw_fuzz_check_ids(k->cats, k->in.ncat, MAX_CATS);
		if (!k->in.set_categories && k->in.ncat != 0)
			abort();
	}
	json_object_put(f);
}
