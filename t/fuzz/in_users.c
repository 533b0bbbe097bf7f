/*
 * Enveloppe de fuzz : user_input de fcgi/users.c (voir inputs.h).
 */
#define main		cbw_fuzz_users_main
#define cbw_app_main	cbw_fuzz_users_app_main
#include "../../fcgi/users.c"
#undef main
#undef cbw_app_main

#include "inputs.h"

int
cbw_fuzz_users_app_main(const struct cbw_app *app)
{
	(void)app;
	return 0;
}

static const char *const user_fields[] = {
	"email", "password", "role", "is_active", NULL
};

/* Adresse acceptée : en minuscules, un seul @, et relue à l'identique. */
static void
check_email(const char *e)
{
	char		 again[CBW_EMAIL_MAX + 1];
	const char	*msg, *at;
	size_t		 n = strlen(e), i;

	if (n == 0 || n > CBW_EMAIL_MAX || (at = strchr(e, '@')) == NULL ||
	    at == e || strchr(at + 1, '@') != NULL || strchr(at, '.') == NULL)
		abort();
	for (i = 0; i < n; i++)
		if ((e[i] >= 'A' && e[i] <= 'Z') || (unsigned char)e[i] <= 0x20 ||
		    e[i] == 0x7f)
			abort();
	if (cbw_valid_email(e, again, sizeof(again), &msg) != CBW_OK ||
	    strcmp(again, e) != 0)
		abort();
}

void
cbw_fuzz_user_input(struct cbw_req *r, int create)
{
	struct uin		 in;
	struct json_object	*f;
	size_t			 n;

	f = user_input(r, create, &in);
	cbw_fuzz_check_fields(f, user_fields);
	if (in.e.is_active < -1 || in.e.is_active > 1 ||
	    (r->json == NULL && in.e.is_active != (create ? 1 : -1)))
		abort();
	if (f == NULL) {
		if (create && (in.e.email == NULL || in.e.password == NULL ||
		    in.e.role == NULL || in.e.is_active == -1))
			abort();
		if (in.e.email != NULL) {
			if (in.e.email != in.email)
				abort();
			check_email(in.e.email);
		}
		if (in.e.password != NULL && ((n = strlen(in.e.password)) <
		    CBW_PASSWORD_MIN || n > CBW_PASSWORD_MAX ||
		    !cbw_valid_utf8(in.e.password, n)))
			abort();
		if (in.e.role != NULL && strcmp(in.e.role, "admin") != 0 &&
		    strcmp(in.e.role, "super_admin") != 0)
			abort();
	}
	json_object_put(f);
}
