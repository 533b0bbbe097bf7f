/*
 * Enveloppe de fuzz : read_form de fcgi/campaigns.c (voir inputs.h).
 */
#define main		cbw_fuzz_campaigns_main
#define cbw_app_main	cbw_fuzz_campaigns_app_main
#include "../../fcgi/campaigns.c"
#undef main
#undef cbw_app_main

#include "inputs.h"

int
cbw_fuzz_campaigns_app_main(const struct cbw_app *app)
{
	(void)app;
	return 0;
}

static const char *const campaign_fields[] = {
	"name", "category_ids", "category", "message_1", "message_2",
	"template_name", "template_language", "template_params", "launch", NULL
};

/*
 * Texte de message accepté : dans son tampon, saisie `key` dont chaque CR
 * suivi de LF est retiré (fins de ligne des navigateurs ; un CR isolé
 * reste, check_text le permet), UTF-8 valide, 1 à 4096 caractères, pas
 * que des blancs, et toujours accepté par cbw_campaign_check_text.
 */
static void
check_message(struct cbw_req *r, const char *key, const char *m,
    const char *buf)
{
	char		 msg[512];
	const char	*in = NULL;
	size_t		 n, i, o, chars = 0;

	if (m != buf || cbw_input_str(r, key, &in) != CBW_OK)
		abort();
	for (i = 0, o = 0; in[i] != '\0'; i++) {
		if (in[i] == '\r' && in[i + 1] == '\n')
			continue;
		if (m[o++] != in[i])
			abort();
	}
	n = strlen(m);
	if (n != o || m[strspn(m, " \t\r\n")] == '\0' || !cbw_valid_utf8(m, n))
		abort();
	for (i = 0; i < n; i++)
		if (((unsigned char)m[i] & 0xc0) != 0x80)
			chars++;
	if (chars > CBW_MSG_MAX ||
	    cbw_campaign_check_text(m, msg, sizeof(msg)) != CBW_OK)
		abort();
}

void
cbw_fuzz_campaign_input(struct cbw_req *r)
{
	static struct form	 form;	/* 33 Ko : pas de malloc à chaque entrée */
	struct form		*fm = &form;
	struct json_object	*f;
	size_t			 i;

	f = read_form(r, fm);
	cbw_fuzz_check_fields(f, campaign_fields);
	if (fm->send != 0 && fm->send != 1)
		abort();
	if (f == NULL) {
		if (fm->in.name != fm->name || !cbw_fuzz_name_ok(fm->name, 0))
			abort();
		if (fm->in.ncats == 0)
			abort();
		cbw_fuzz_check_ids(fm->in.cats, fm->in.ncats,
		    CBW_CAMPAIGN_CATS_MAX);
		if (fm->in.message_1 == NULL)
			abort();
		check_message(r, "message_1", fm->in.message_1, fm->m1);
		if (fm->in.message_2 != NULL)
			check_message(r, "message_2", fm->in.message_2, fm->m2);
		if (fm->in.template_name == NULL) {
			if (fm->in.template_language != NULL || fm->in.nparams != 0)
				abort();
		} else if (!cbw_campaign_template_ok(fm->in.template_name) ||
		    fm->in.template_language == NULL ||
		    !cbw_campaign_language_ok(fm->in.template_language))
			abort();
		if (fm->in.nparams > CBW_TEMPLATE_PARAMS_MAX)
			abort();
		for (i = 0; i < fm->in.nparams; i++)
			if (!cbw_campaign_param_ok(fm->in.params[i]))
				abort();
	}
	json_object_put(f);
}
