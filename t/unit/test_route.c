/*
 * Tests unitaires du routage (lib/route.c).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "http.h"
#include "route.h"

/* Chemin accepté ; compare les identifiants extraits. */
static void
path_ok(const char *pattern, const char *path, int nwant, long long w0,
    long long w1)
{
	long long	 ids[4] = { -1, -1, -1, -1 };
	int		 nids = -1;

	if (!cbw_route_path(pattern, path, ids, &nids))
		fail_msg("« %s » devrait suivre « %s »", path, pattern);
	assert_int_equal(nids, nwant);
	if (nwant > 0)
		assert_true(ids[0] == w0);
	if (nwant > 1)
		assert_true(ids[1] == w1);
}

static void
path_bad(const char *pattern, const char *path)
{
	long long	 ids[4];
	int		 nids = -1;

	if (cbw_route_path(pattern, path, ids, &nids))
		fail_msg("« %s » ne devrait pas suivre « %s »", path, pattern);
}

static void
test_path_static(void **state)
{
	(void)state;
	path_ok("/", "/", 0, 0, 0);
	path_ok("/api/users", "/api/users", 0, 0, 0);
	path_ok("/login", "/login", 0, 0, 0);
	path_bad("/api/users", "/api/usersX");
	path_bad("/api/users", "/api/user");
	path_bad("/api/users", "/api/users/");
	path_bad("/api/users", "/api//users");
	path_bad("/api/users", "/api/users/1");
	path_bad("/api/users", "/API/users");
	path_bad("/api/users", "api/users");
	path_bad("/api/users", "");
	path_bad("/api/users", "/");
	path_bad("/", "/x");
	path_bad("/", "//");
	path_bad("/login", "/login?x=1");
}

static void
test_path_id(void **state)
{
	(void)state;
	path_ok("/api/users/{id}", "/api/users/1", 1, 1, 0);
	path_ok("/api/users/{id}", "/api/users/42", 1, 42, 0);
	path_ok("/api/users/{id}", "/api/users/9007199254740992", 1,
	    9007199254740992LL, 0);
	path_ok("/api/users/{id}/edit", "/api/users/7/edit", 1, 7, 0);
	path_ok("/api/campaigns/{id}/contacts/{id}",
	    "/api/campaigns/3/contacts/99", 2, 3, 99);
	path_bad("/api/users/{id}", "/api/users/0");
	path_bad("/api/users/{id}", "/api/users/-1");
	path_bad("/api/users/{id}", "/api/users/+1");
	path_bad("/api/users/{id}", "/api/users/1x");
	path_bad("/api/users/{id}", "/api/users/x");
	path_bad("/api/users/{id}", "/api/users/1.0");
	path_bad("/api/users/{id}", "/api/users/%31");
	path_bad("/api/users/{id}", "/api/users/ 1");
	path_bad("/api/users/{id}", "/api/users/9007199254740993");
	path_bad("/api/users/{id}", "/api/users/99999999999999999999999999999999999");
	path_bad("/api/users/{id}", "/api/users/");	/* segment vide */
	path_bad("/api/users/{id}", "/api/users");
	path_bad("/api/users/{id}", "/api/users//");
	path_bad("/api/users/{id}", "/api/users/1/");	/* barre finale */
	path_bad("/api/users/{id}", "/api/users/1/edit");	/* segment en trop */
	path_bad("/api/users/{id}", "/api/users/1//");
	path_bad("/api/users/{id}/edit", "/api/users/1");
	path_bad("/api/users/{id}/edit", "/api/users/1/editX");
	path_bad("/api/users/{id}", "/api/usersX/1");
}

/* « 01 » : forme non canonique, acceptée comme 1 (comportement actuel). */
static void
test_path_leading_zero(void **state)
{
	(void)state;
	path_ok("/api/users/{id}", "/api/users/01", 1, 1, 0);
}

/* Au plus 4 identifiants (taille de r->ids). */
static void
test_path_max_ids(void **state)
{
	(void)state;
	path_ok("/{id}/{id}/{id}/{id}", "/1/2/3/4", 4, 1, 2);
	path_bad("/{id}/{id}/{id}/{id}/{id}", "/1/2/3/4/5");
}

enum { R_USERS_LIST, R_USERS_CREATE, R_USER_GET, R_USER_PUT, R_USER_DEL,
	R_LOGIN_FORM, R_LOGIN_POST, R_HOME, R__MAX };

static const struct cbw_route table[R__MAX] = {
	{ R_USERS_LIST, CBW_GET, "/api/users", CBW_R_API | CBW_R_AUTH },
	{ R_USERS_CREATE, CBW_POST, "/api/users", CBW_R_API | CBW_R_JSON },
	{ R_USER_GET, CBW_GET, "/api/users/{id}", CBW_R_API },
	{ R_USER_PUT, CBW_PUT, "/api/users/{id}", CBW_R_API },
	{ R_USER_DEL, CBW_DELETE, "/api/users/{id}", CBW_R_API },
	{ R_LOGIN_FORM, CBW_GET, "/login", CBW_R_HTML },
	{ R_LOGIN_POST, CBW_POST, "/login", CBW_R_HTML | CBW_R_FORM },
	{ R_HOME, CBW_GET, "/", CBW_R_HTML },
};

static enum cbw_route_res
match(enum cbw_method m, const char *path, struct cbw_req *r, char *allow,
    size_t allowlen)
{
	cbw_req_init(r);
	r->method = m;
	r->path = path;
	r->is_api = -1;
	memset(allow, 'Z', allowlen);
	return cbw_route_match(table, R__MAX, r, allow, allowlen);
}

static void
test_match_ok(void **state)
{
	struct cbw_req	 r;
	char		 allow[64];

	(void)state;
	assert_int_equal(match(CBW_GET, "/api/users", &r, allow, sizeof(allow)),
	    CBW_ROUTE_OK);
	assert_int_equal(r.route, R_USERS_LIST);
	assert_int_equal(r.is_api, 1);
	assert_int_equal(r.nids, 0);
	assert_string_equal(allow, "");

	assert_int_equal(match(CBW_POST, "/api/users", &r, allow, sizeof(allow)),
	    CBW_ROUTE_OK);
	assert_int_equal(r.route, R_USERS_CREATE);

	assert_int_equal(match(CBW_DELETE, "/api/users/12", &r, allow,
	    sizeof(allow)), CBW_ROUTE_OK);
	assert_int_equal(r.route, R_USER_DEL);
	assert_int_equal(r.nids, 1);
	assert_true(r.ids[0] == 12);

	assert_int_equal(match(CBW_POST, "/login", &r, allow, sizeof(allow)),
	    CBW_ROUTE_OK);
	assert_int_equal(r.route, R_LOGIN_POST);
	assert_int_equal(r.is_api, 0);

	assert_int_equal(match(CBW_GET, "/", &r, allow, sizeof(allow)),
	    CBW_ROUTE_OK);
	assert_int_equal(r.route, R_HOME);
	assert_int_equal(r.is_api, 0);
}

static void
test_match_head(void **state)
{
	struct cbw_req	 r;
	char		 allow[64];

	(void)state;
	assert_int_equal(match(CBW_HEAD, "/api/users/5", &r, allow,
	    sizeof(allow)), CBW_ROUTE_OK);
	assert_int_equal(r.route, R_USER_GET);
	assert_true(r.ids[0] == 5);
	assert_int_equal(match(CBW_HEAD, "/login", &r, allow, sizeof(allow)),
	    CBW_ROUTE_OK);
	assert_int_equal(r.route, R_LOGIN_FORM);
}

static void
test_match_nopath(void **state)
{
	struct cbw_req	 r;
	char		 allow[64];

	(void)state;
	assert_int_equal(match(CBW_GET, "/api/nothing", &r, allow, sizeof(allow)),
	    CBW_ROUTE_NOPATH);
	assert_int_equal(r.is_api, 1);
	assert_int_equal(r.route, -1);
	assert_string_equal(allow, "");
	assert_int_equal(match(CBW_GET, "/api/users/0", &r, allow, sizeof(allow)),
	    CBW_ROUTE_NOPATH);
	assert_int_equal(r.is_api, 1);
	assert_int_equal(match(CBW_GET, "/api/usersX", &r, allow, sizeof(allow)),
	    CBW_ROUTE_NOPATH);
	assert_int_equal(r.is_api, 1);
	assert_int_equal(match(CBW_GET, "/nothing", &r, allow, sizeof(allow)),
	    CBW_ROUTE_NOPATH);
	assert_int_equal(r.is_api, 0);
	assert_int_equal(match(CBW_GET, "/apix/users", &r, allow, sizeof(allow)),
	    CBW_ROUTE_NOPATH);
	assert_int_equal(r.is_api, 0);
	assert_int_equal(match(CBW_GET, "api/users", &r, allow, sizeof(allow)),
	    CBW_ROUTE_NOPATH);
	assert_int_equal(match(CBW_GET, NULL, &r, allow, sizeof(allow)),
	    CBW_ROUTE_NOPATH);
	assert_int_equal(match(CBW_GET, "", &r, allow, sizeof(allow)),
	    CBW_ROUTE_NOPATH);
}

static void
test_match_nomethod(void **state)
{
	struct cbw_req	 r;
	char		 allow[64];

	(void)state;
	assert_int_equal(match(CBW_DELETE, "/api/users", &r, allow,
	    sizeof(allow)), CBW_ROUTE_NOMETHOD);
	assert_string_equal(allow, "GET, POST");
	assert_int_equal(r.is_api, 1);
	assert_int_equal(r.route, -1);

	assert_int_equal(match(CBW_POST, "/api/users/3", &r, allow,
	    sizeof(allow)), CBW_ROUTE_NOMETHOD);
	assert_string_equal(allow, "GET, PUT, DELETE");

	assert_int_equal(match(CBW_PUT, "/login", &r, allow, sizeof(allow)),
	    CBW_ROUTE_NOMETHOD);
	assert_string_equal(allow, "GET, POST");
	assert_int_equal(r.is_api, 0);

	assert_int_equal(match(CBW_POST, "/", &r, allow, sizeof(allow)),
	    CBW_ROUTE_NOMETHOD);
	assert_string_equal(allow, "GET");

	assert_int_equal(match(CBW_OPTIONS, "/api/users", &r, allow,
	    sizeof(allow)), CBW_ROUTE_NOMETHOD);
	assert_string_equal(allow, "GET, POST");

	/* Méthode inconnue. */
	assert_int_equal(match(CBW_METHOD__MAX, "/api/users", &r, allow,
	    sizeof(allow)), CBW_ROUTE_NOMETHOD);
	assert_string_equal(allow, "GET, POST");
}

/* Tampon « allow » trop petit : jamais de débordement, chaîne terminée. */
static void
test_match_small_allow(void **state)
{
	struct cbw_req	 r;
	char		 allow[32];

	(void)state;
	memset(allow, 'Z', sizeof(allow));
	cbw_req_init(&r);
	r.method = CBW_POST;
	r.path = "/api/users/3";
	assert_int_equal(cbw_route_match(table, R__MAX, &r, allow, 20),
	    CBW_ROUTE_NOMETHOD);
	assert_string_equal(allow, "GET, PUT");
	assert_int_equal(allow[20], 'Z');
	assert_int_equal(cbw_route_match(table, R__MAX, &r, allow, 10),
	    CBW_ROUTE_NOMETHOD);
	assert_true(strlen(allow) < 10);
	memset(allow, 'Z', sizeof(allow));
	assert_int_equal(cbw_route_match(table, R__MAX, &r, allow, 0),
	    CBW_ROUTE_NOMETHOD);
	assert_int_equal(allow[0], 'Z');
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_path_static),
		cmocka_unit_test(test_path_id),
		cmocka_unit_test(test_path_leading_zero),
		cmocka_unit_test(test_path_max_ids),
		cmocka_unit_test(test_match_ok),
		cmocka_unit_test(test_match_head),
		cmocka_unit_test(test_match_nopath),
		cmocka_unit_test(test_match_nomethod),
		cmocka_unit_test(test_match_small_allow),
	};

	return cmocka_run_group_tests_name("route", tests, NULL, NULL);
}
