/*
 * Tests unitaires des campagnes (lib/campaign.c) : vérification des
 * textes (longueur, variables, adresses), rendu des variables, noms de
 * modèle et langues, taux de réussite ; puis, sur une base temporaire
 * migrée, brouillon, lancement (une ligne par contact joignable distinct),
 * annulation et reprise manuelle.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "testutil.h"
#include "buf.h"
#include "campaign.h"
#include "valid.h"
#include "db.h"
#include "migrate.h"

struct fx {
	char		 dir[64];
	char		 path[128];
	struct cbw_db	*db;
};

/* Vérifie un texte ; rend le code et copie le message dans msg. */
static enum cbw_err
check(const char *t, char *msg, size_t len)
{
	msg[0] = '\0';
	return cbw_campaign_check_text(t, msg, len);
}

/* Textes acceptés et refusés, avec le morceau attendu dans le message. */
static void
test_check_text(void **state)
{
	static const struct { const char *text; const char *needle; } bad[] = {
		{ "", "obligatoire" },
		{ "Bonjour {{prenom}}", "{{prenom}}" },
		{ "Bonjour {{first_name", "mal fermée" },
		{ "Voir http:// maintenant", "http://" },
		{ "Voir https://exemple.fr:99999/x", "https://exemple.fr:99999/x" },
		{ "Voir http://[::1 ici", "http://[::1" },
		{ "Ctrl \x01 ici", "caractère invalide" },
		{ "Latin \xe9 seul", "caractère invalide" },
	};
	static const char *const good[] = {
		"Bonjour {{first_name}} {{last_name}} !",
		"Promo : https://exemple.fr/soldes?x=1.",
		"Ligne 1\nLigne 2\ttabulée",
		"Émoji 😀 et accents éàü",
		"www.exemple.fr",
	};
	char	 msg[512];
	size_t	 i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		if (check(good[i], msg, sizeof(msg)) != CBW_OK)
			fail_msg("« %s » refusé : %s", good[i], msg);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (check(bad[i].text, msg, sizeof(msg)) != CBW_EINVAL)
			fail_msg("« %s » accepté", bad[i].text);
		if (strstr(msg, bad[i].needle) == NULL)
			fail_msg("« %s » : message « %s » sans « %s »", bad[i].text,
			    msg, bad[i].needle);
	}
}

/*
 * Le nom de variable cité dans le message (40 octets au plus) n'est jamais
 * coupé au milieu d'un caractère : le message reste de l'UTF-8 valide (il
 * part dans le JSON des erreurs et dans la page). Trouvé par
 * t/fuzz/fuzz_form.
 */
static void
test_check_text_quote_utf8(void **state)
{
	static const char *const texts[] = {
		/* « é » à cheval sur le 40e octet cité. */
		"Bonjour {{prénom_du_client_très_très_très_long}} !",
		"Bonjour {{first_namq=d=Soltemplate_language=des\xda\x9c tail",
		"{{éééééééééééééééééééééééééééééééééééééééééé}}",
		"{{😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀",
		"{{a😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀}}",
	};
	char	 msg[512];
	size_t	 i;

	(void)state;
	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		assert_int_equal(check(texts[i], msg, sizeof(msg)), CBW_EINVAL);
		if (!cbw_valid_utf8(msg, strlen(msg)))
			fail_msg("« %s » : message coupé « %s »", texts[i], msg);
		assert_non_null(strstr(msg, "{{"));
	}
	/* Court : cité en entier. */
	assert_int_equal(check("Salut {{prénom}}", msg, sizeof(msg)), CBW_EINVAL);
	assert_non_null(strstr(msg, "« {{prénom}} »"));
}

/* 4096 caractères (multi-octets) passent, 4097 non : on compte des caractères. */
static void
test_length(void **state)
{
	struct cbw_buf	 b;
	char		 msg[512];
	size_t		 i;

	(void)state;
	cbw_buf_init(&b);
	for (i = 0; i < CBW_MSG_MAX; i++)
		cbw_buf_puts(&b, i % 2 ? "é" : "😀");
	assert_int_equal(check(cbw_buf_str(&b), msg, sizeof(msg)), CBW_OK);
	cbw_buf_puts(&b, "x");
	assert_int_equal(check(cbw_buf_str(&b), msg, sizeof(msg)), CBW_EINVAL);
	assert_non_null(strstr(msg, "4097"));
	cbw_buf_free(&b);
}

/* Rendu des variables, champs absents vides, texte sans variable intact. */
static void
test_render(void **state)
{
	struct cbw_buf	 b;

	(void)state;
	cbw_buf_init(&b);
	assert_int_equal(cbw_campaign_render(&b, "Bonjour {{first_name}} "
	    "{{last_name}}, {{first_name}} !", "Zoé", "Lefèvre"), CBW_OK);
	assert_string_equal(cbw_buf_str(&b), "Bonjour Zoé Lefèvre, Zoé !");
	cbw_buf_reset(&b);
	assert_int_equal(cbw_campaign_render(&b, "Salut {{first_name}}.", NULL,
	    NULL), CBW_OK);
	assert_string_equal(cbw_buf_str(&b), "Salut .");
	cbw_buf_reset(&b);
	assert_int_equal(cbw_campaign_render(&b, "{{ first_name }} {x}", "A", "B"),
	    CBW_OK);
	assert_string_equal(cbw_buf_str(&b), "{{ first_name }} {x}");
	cbw_buf_free(&b);
}

/* Noms de modèle, langues et paramètres permis. */
static void
test_template_fields(void **state)
{
	(void)state;
	assert_true(cbw_campaign_template_ok("promo_noel_2026"));
	assert_false(cbw_campaign_template_ok("Promo"));
	assert_false(cbw_campaign_template_ok("promo-noel"));
	assert_false(cbw_campaign_template_ok(""));
	assert_true(cbw_campaign_language_ok("fr"));
	assert_true(cbw_campaign_language_ok("en_US"));
	assert_true(cbw_campaign_language_ok("fil"));
	assert_false(cbw_campaign_language_ok("french"));
	assert_false(cbw_campaign_language_ok("en_us"));
	assert_false(cbw_campaign_language_ok("f"));
	assert_false(cbw_campaign_language_ok("en_USA"));
	assert_true(cbw_campaign_param_ok("first_name"));
	assert_true(cbw_campaign_param_ok("last_name"));
	assert_false(cbw_campaign_param_ok("phone"));
	assert_false(cbw_campaign_param_ok(NULL));
}

/* Taux de réussite : table de cas, arrondi au dixième, texte français. */
static void
test_success_rate(void **state)
{
	char	 s[32];

	(void)state;
	assert_true(cbw_success_rate(0, 0) == 0.0);
	assert_true(cbw_success_rate(5, 0) == 0.0);
	assert_true(cbw_success_rate(2, 3) == 66.7);
	assert_true(cbw_success_rate(1, 3) == 33.3);
	assert_true(cbw_success_rate(3, 3) == 100.0);
	assert_true(cbw_success_rate(1, 8) == 12.5);
	cbw_success_rate_text(2, 3, s, sizeof(s));
	assert_string_equal(s, "66,7 %");
	cbw_success_rate_text(0, 0, s, sizeof(s));
	assert_string_equal(s, "0,0 %");
	assert_true(cbw_campaign_status_ok("draft"));
	assert_false(cbw_campaign_status_ok("scheduled"));
}

/* Base neuve migrée, deux admins, catégories et contacts. */
static int
setup(void **state)
{
	struct fx	*f = calloc(1, sizeof(*f));
	char		 err[512] = "";
	int		 n = -1;

	if (f == NULL)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/cbw-camp-XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	snprintf(f->path, sizeof(f->path), "%s/test.db", f->dir);
	if (cbw_db_open(&f->db, f->path, 1, err, sizeof(err)) != CBW_OK ||
	    cbw_migrate(f->db, cbw_t_migrations_dir(), &n, err, sizeof(err)) != CBW_OK) {
		fprintf(stderr, "setup : %s\n", err);
		return -1;
	}
	if (cbw_db_script(f->db,
	    "INSERT INTO users(id, email, password_hash, role, created_at, updated_at) VALUES"
	    " (1, 'a@t.fr', 'x', 'admin', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),"
	    " (2, 'b@t.fr', 'x', 'admin', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z');"
	    "INSERT INTO categories(id, name, color, created_by, created_at, updated_at) VALUES"
	    " (1, 'Clients', '#128c7e', 1, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),"
	    " (2, 'Amis', '#128c7e', 1, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),"
	    " (3, 'Vide', '#128c7e', 1, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),"
	    " (4, 'Chez B', '#128c7e', 2, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z');"
	    "INSERT INTO contacts(id, phone_number, country_code, full_number, first_name,"
	    " last_name, opted_out_at, created_by, created_at, updated_at) VALUES"
	    " (1, '612000001', '+33', '+33612000001', 'Anne', 'A', NULL, 1, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),"
	    " (2, '612000002', '+33', '+33612000002', 'Bob', NULL, NULL, 1, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),"
	    " (3, '612000003', '+33', '+33612000003', 'Cléo', NULL, '2026-01-02T00:00:00Z', 1, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),"
	    " (4, '612000004', '+33', '+33612000004', 'Dan', NULL, NULL, 2, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z');"
	    "INSERT INTO category_contacts(category_id, contact_id, added_at) VALUES"
	    " (1, 1, 'a'), (1, 2, 'a'), (2, 2, 'a'), (2, 3, 'a'), (4, 4, 'a');",
	    err, sizeof(err)) != CBW_OK) {
		fprintf(stderr, "setup : %s\n", err);
		return -1;
	}
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx	*f = *state;

	cbw_db_close(f->db);
	cbw_t_rmtree(f->dir);
	free(f);
	return 0;
}

/* Entier de la première ligne d'une requête sans paramètre. */
static long long
q(struct fx *f, const char *sql)
{
	long long	 v = -1;

	assert_int_equal(cbw_db_query_int(f->db, &v, sql, ""), CBW_OK);
	return v;
}

/* Saisie d'une campagne sur les catégories données. */
static void
input(struct cbw_campaign_in *in, const long long *cats, size_t n)
{
	memset(in, 0, sizeof(*in));
	in->name = "Promo";
	memcpy(in->cats, cats, n * sizeof(*cats));
	in->ncats = n;
	in->message_1 = "Bonjour {{first_name}}";
}

/*
 * Lancement : une ligne par contact joignable distinct (Bob est dans deux
 * catégories, Cléo est désabonnée), texte rendu, compteurs et statut.
 */
static void
test_launch(void **state)
{
	struct fx		*f = *state;
	struct cbw_campaign_in	 in;
	struct json_object	*empty = NULL, *k;
	const long long		 cats[] = { 1, 2 };
	long long		 id, n;
	char			*txt = NULL;

	input(&in, cats, 2);
	assert_int_equal(cbw_campaign_create(f->db, 1, &in, &id), CBW_OK);
	assert_int_equal(cbw_campaign_recipients(f->db, 1, cats, 2, &n, NULL), CBW_OK);
	assert_int_equal(n, 2);
	assert_int_equal(cbw_campaign_launch(f->db, 1, id, &n, &empty), CBW_OK);
	assert_null(empty);
	assert_int_equal(n, 2);
	assert_int_equal(q(f, "SELECT count(*) FROM messages"), 2);
	assert_int_equal(q(f, "SELECT count(*) FROM messages WHERE contact_id = 3"), 0);
	assert_int_equal(cbw_db_query_text(f->db, &txt, "SELECT content FROM messages "
	    "WHERE contact_id = 2", ""), CBW_OK);
	assert_string_equal(txt, "Bonjour Bob");
	free(txt);
	assert_int_equal(cbw_campaign_get(f->db, 1, id, &k), CBW_OK);
	assert_string_equal(json_object_get_string(json_object_object_get(k,
	    "status")), "sending");
	assert_int_equal(json_object_get_int64(json_object_object_get(k,
	    "total_recipients")), 2);
	json_object_put(k);
	/* Relancer, modifier : refusé ; l'autre admin ne la voit pas. */
	assert_int_equal(cbw_campaign_launch(f->db, 1, id, &n, &empty), CBW_ECONFLICT);
	assert_int_equal(cbw_campaign_update(f->db, 1, id, &in), CBW_ECONFLICT);
	assert_int_equal(cbw_campaign_delete(f->db, 1, id), CBW_ECONFLICT);
	assert_int_equal(cbw_campaign_get(f->db, 2, id, &k), CBW_ENOTFOUND);
	assert_int_equal(cbw_campaign_launch(f->db, 2, id, &n, &empty), CBW_ENOTFOUND);
	/* La contrainte d'unicité existe vraiment. */
	assert_int_equal(cbw_db_exec(f->db, "INSERT INTO messages(campaign_id, "
	    "contact_id, message_type, content, created_at, updated_at) VALUES "
	    "(?, 1, 'message_1', 'x', 'a', 'a')", "i", id), CBW_ECONFLICT);
}

/* Catégorie d'un autre : refusée ; catégories vides : nommées, rien créé. */
static void
test_launch_refused(void **state)
{
	struct fx		*f = *state;
	struct cbw_campaign_in	 in;
	struct json_object	*empty = NULL;
	const long long		 other[] = { 1, 4 }, vide[] = { 3 };
	long long		 id, n;

	input(&in, other, 2);
	assert_int_equal(cbw_campaign_create(f->db, 1, &in, &id), CBW_ENOTFOUND);
	assert_int_equal(q(f, "SELECT count(*) FROM campaigns"), 0);
	input(&in, vide, 1);
	assert_int_equal(cbw_campaign_create(f->db, 1, &in, &id), CBW_OK);
	assert_int_equal(cbw_campaign_launch(f->db, 1, id, &n, &empty), CBW_EINVAL);
	assert_non_null(empty);
	assert_int_equal(json_object_array_length(empty), 1);
	assert_string_equal(json_object_get_string(json_object_array_get_idx(empty,
	    0)), "Vide");
	json_object_put(empty);
	assert_int_equal(q(f, "SELECT count(*) FROM messages"), 0);
	assert_int_equal(q(f, "SELECT count(*) FROM campaigns WHERE status = 'draft'"), 1);
}

/*
 * Annulation : les lignes en attente s'arrêtent, les envoyées restent ;
 * puis reprise manuelle : seuls les échecs qu'un essai peut corriger.
 */
static void
test_cancel_and_retry(void **state)
{
	struct fx		*f = *state;
	struct cbw_campaign_in	 in;
	struct json_object	*empty = NULL, *res;
	const long long		 cats[] = { 1 };
	long long		 id, n;

	input(&in, cats, 1);
	assert_int_equal(cbw_campaign_create(f->db, 1, &in, &id), CBW_OK);
	assert_int_equal(cbw_campaign_launch(f->db, 1, id, &n, &empty), CBW_OK);
	assert_int_equal(cbw_db_exec(f->db, "UPDATE messages SET status = 'sent' "
	    "WHERE contact_id = 1", ""), CBW_OK);
	assert_int_equal(q(f, "SELECT success_count FROM campaigns"), 1);
	assert_int_equal(cbw_campaign_cancel(f->db, 1, id, &n), CBW_OK);
	assert_int_equal(n, 1);
	assert_int_equal(q(f, "SELECT count(*) FROM messages WHERE status = 'sent'"), 1);
	assert_int_equal(q(f, "SELECT count(*) FROM messages WHERE status = 'cancelled'"), 1);
	assert_int_equal(cbw_campaign_cancel(f->db, 1, id, &n), CBW_ECONFLICT);
	assert_int_equal(cbw_campaign_retry(f->db, 1, id, &res), CBW_ECONFLICT);

	/* Nouvelle campagne : un échec « arrêt » et un permanent. */
	assert_int_equal(cbw_campaign_create(f->db, 1, &in, &id), CBW_OK);
	assert_int_equal(cbw_campaign_launch(f->db, 1, id, &n, &empty), CBW_OK);
	assert_int_equal(cbw_db_exec(f->db, "UPDATE messages SET status = 'failed', "
	    "error_class = CASE contact_id WHEN 1 THEN 'stop' ELSE 'permanent' END "
	    "WHERE campaign_id = ?", "i", id), CBW_OK);
	assert_int_equal(q(f, "SELECT failed_count FROM campaigns ORDER BY id DESC"), 2);
	assert_int_equal(cbw_campaign_retry(f->db, 1, id, &res), CBW_OK);
	assert_int_equal(json_object_get_int64(json_object_object_get(res,
	    "requeued")), 1);
	assert_int_equal(json_object_get_int64(json_object_object_get(
	    json_object_object_get(res, "skipped"), "permanent")), 1);
	json_object_put(res);
	assert_int_equal(q(f, "SELECT count(*) FROM messages WHERE status = "
	    "'pending' AND retry_count = 3 AND contact_id = 1"), 1);
	assert_int_equal(q(f, "SELECT failed_count FROM campaigns ORDER BY id DESC"), 1);
	assert_int_equal(cbw_campaign_retry(f->db, 2, id, &res), CBW_ENOTFOUND);
}

/* Export : BOM, en-tête, cellules sans formule, même taux qu'ailleurs. */
static void
test_export(void **state)
{
	struct fx		*f = *state;
	struct cbw_campaign_in	 in;
	struct json_object	*empty = NULL;
	struct cbw_buf		 b;
	const long long		 cats[] = { 1, 2 };
	long long		 id, n;

	assert_int_equal(cbw_db_exec(f->db, "UPDATE contacts SET first_name = "
	    "'=HYPERLINK(1)' WHERE id = 1", ""), CBW_OK);
	input(&in, cats, 2);
	assert_int_equal(cbw_campaign_create(f->db, 1, &in, &id), CBW_OK);
	assert_int_equal(cbw_campaign_launch(f->db, 1, id, &n, &empty), CBW_OK);
	assert_int_equal(cbw_db_exec(f->db, "UPDATE messages SET status = 'read' "
	    "WHERE contact_id = 1", ""), CBW_OK);
	cbw_buf_init(&b);
	assert_int_equal(cbw_campaign_export(f->db, 1, id, &b), CBW_OK);
	assert_memory_equal(cbw_buf_str(&b), "\xef\xbb\xbfPrénom;Nom;", 14);
	assert_non_null(strstr(cbw_buf_str(&b), "\"'=HYPERLINK(1)\""));
	assert_non_null(strstr(cbw_buf_str(&b), ";Lu;"));
	assert_non_null(strstr(cbw_buf_str(&b), "50,0 %"));
	cbw_buf_reset(&b);
	assert_int_equal(cbw_campaign_export(f->db, 2, id, &b), CBW_ENOTFOUND);
	cbw_buf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_check_text),
		cmocka_unit_test(test_check_text_quote_utf8),
		cmocka_unit_test(test_length),
		cmocka_unit_test(test_render),
		cmocka_unit_test(test_template_fields),
		cmocka_unit_test(test_success_rate),
		cmocka_unit_test_setup_teardown(test_launch, setup, teardown),
		cmocka_unit_test_setup_teardown(test_launch_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cancel_and_retry, setup, teardown),
		cmocka_unit_test_setup_teardown(test_export, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
