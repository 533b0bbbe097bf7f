/*
 * Tests unitaires de l'application des événements du webhook
 * (lib/automation.c) sur une base temporaire : statuts (échec classé,
 * wamid inconnu), réponses liées par context.id ou au dernier Message 1
 * (fenêtre de 30 jours), Message 2 en file avec variables, réaction
 * retirée, mot d'arrêt (désabonnement, envois annulés, campagne terminée),
 * filtre du numéro d'envoi, mise de côté et rejeu.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "testutil.h"
#include "automation.h"
#include "clock.h"
#include "db.h"
#include "migrate.h"
#include "webhook.h"

#define NOW_MS	(1795000000LL * 1000)

struct fx {
	char		 dir[64];
	char		 path[128];
	struct cbw_db	*db;
};

/* Base migrée : une campagne avec Message 2, deux contacts, deux envois. */
static int
setup(void **state)
{
	struct fx	*f = calloc(1, sizeof(*f));
	char		 err[512] = "";
	int		 n;

	if (f == NULL)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/cbw-auto-XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	snprintf(f->path, sizeof(f->path), "%s/t.db", f->dir);
	if (cbw_db_open(&f->db, f->path, 1, err, sizeof(err)) != CBW_OK ||
	    cbw_migrate(f->db, cbw_t_migrations_dir(), &n, err, sizeof(err)) != CBW_OK ||
	    cbw_db_script(f->db,
	    "INSERT INTO users(id, email, password_hash, role, created_at, updated_at)"
	    " VALUES (1, 'a@t.fr', 'x', 'admin', 'a', 'a');"
	    "INSERT INTO campaigns(id, name, message_1, message_2, status,"
	    " total_recipients, created_by, created_at, updated_at) VALUES"
	    " (1, 'P', 'Bonjour', 'Merci {{first_name}} {{last_name}} !', 'sending', 2, 1, 'a', 'a'),"
	    " (2, 'Q', 'Salut', NULL, 'completed', 1, 1, 'a', 'a');"
	    "INSERT INTO contacts(id, phone_number, country_code, full_number,"
	    " first_name, last_name, created_by, created_at, updated_at) VALUES"
	    " (1, '612000001', '+33', '+33612000001', 'Anne', 'Roy', 1, 'a', 'a'),"
	    " (2, '612000002', '+33', '+33612000002', 'Bob', NULL, 1, 'a', 'a');"
	    "INSERT INTO messages(id, campaign_id, contact_id, message_type, content,"
	    " status, whatsapp_message_id, sent_at, created_at, updated_at) VALUES"
	    " (1, 1, 1, 'message_1', 'Bonjour', 'sent', 'wamid.A1', '2026-11-20T10:00:00Z', 'a', 'a'),"
	    " (2, 1, 2, 'message_1', 'Bonjour', 'pending', NULL, NULL, 'a', 'a'),"
	    " (3, 2, 1, 'message_1', 'Salut', 'sent', 'wamid.A2', '2026-11-21T10:00:00Z', 'a', 'a');",
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

/* Entier d'une requête sans paramètre. */
static long long
q(struct fx *f, const char *sql)
{
	long long	 v = -1;

	assert_int_equal(cbw_db_query_int(f->db, &v, sql, ""), CBW_OK);
	return v;
}

/* Applique un événement, avec le filtre de numéro d'envoi donné. */
static struct cbw_auto_report
apply(struct fx *f, const struct cbw_wh_event *e, const char *phone_id)
{
	struct cbw_wh_batch	 b;
	struct cbw_auto_report	 rep;
	struct cbw_wh_event	 copy = *e;

	b.ev = &copy;
	b.n = b.cap = 1;
	assert_int_equal(cbw_auto_apply(f->db, &b, phone_id, NOW_MS, &rep), CBW_OK);
	return rep;
}

/* Message texte reçu de `from` (chiffres), en réponse à `ctx` (ou ""). */
static struct cbw_wh_event
reply(const char *from, const char *id, const char *ctx, const char *text)
{
	struct cbw_wh_event	 e;

	memset(&e, 0, sizeof(e));
	e.kind = CBW_WH_MESSAGE;
	e.msgtype = CBW_WH_TEXT;
	snprintf(e.phone_number_id, sizeof(e.phone_number_id), "100000000000001");
	snprintf(e.from, sizeof(e.from), "%s", from);
	snprintf(e.message_id, sizeof(e.message_id), "%s", id);
	snprintf(e.context_id, sizeof(e.context_id), "%s", ctx);
	snprintf(e.text, sizeof(e.text), "%s", text);
	e.timestamp = (time_t)(NOW_MS / 1000);
	return e;
}

/* Réponse avec context.id : interaction, compteur, Message 2 rendu, une fois. */
static void
test_reply_context(void **state)
{
	struct fx		*f = *state;
	struct cbw_wh_event	 e = reply("33612000001", "wamid.in1", "wamid.A1", "Oui !");
	struct cbw_auto_report	 rep = apply(f, &e, "");
	char			*txt = NULL;

	assert_int_equal(rep.replies, 1);
	assert_int_equal(rep.queued, 1);
	assert_int_equal(q(f, "SELECT count(*) FROM interactions WHERE "
	    "interaction_type = 'reply' AND campaign_id = 1 AND message_id = 1 AND "
	    "content = 'Oui !'"), 1);
	assert_int_equal(q(f, "SELECT interaction_count FROM campaigns WHERE id = 1"), 1);
	assert_int_equal(cbw_db_query_text(f->db, &txt, "SELECT content FROM messages "
	    "WHERE message_type = 'message_2' AND status = 'pending'", ""), CBW_OK);
	assert_string_equal(txt, "Merci Anne Roy !");
	free(txt);
	/* Redélivrance et nouvelle réponse : jamais de second Message 2. */
	rep = apply(f, &e, "");
	assert_int_equal(rep.duplicates, 1);
	e = reply("33612000001", "wamid.in2", "wamid.A1", "Encore");
	rep = apply(f, &e, "");
	assert_int_equal(rep.replies, 1);
	assert_int_equal(rep.queued, 0);
	assert_int_equal(q(f, "SELECT count(*) FROM messages WHERE message_type = "
	    "'message_2'"), 1);
}

/* Sans context.id : dernier Message 1 envoyé (campagne 2, sans Message 2). */
static void
test_reply_latest(void **state)
{
	struct fx		*f = *state;
	struct cbw_wh_event	 e = reply("33612000001", "wamid.in3", "", "Bonjour");
	struct cbw_auto_report	 rep = apply(f, &e, "");

	assert_int_equal(rep.replies, 1);
	assert_int_equal(rep.queued, 0);
	assert_int_equal(q(f, "SELECT campaign_id FROM interactions"), 2);
	/* Numéro sans envoi : rien d'écrit. */
	e = reply("33699999999", "wamid.in4", "", "Qui ?");
	rep = apply(f, &e, "");
	assert_int_equal(rep.unmatched, 1);
	assert_int_equal(q(f, "SELECT count(*) FROM interactions"), 1);
	/* Envoi de plus de 30 jours : ne compte plus. */
	assert_int_equal(cbw_db_exec(f->db, "UPDATE messages SET sent_at = "
	    "'2026-09-01T00:00:00Z'", ""), CBW_OK);
	e = reply("33612000001", "wamid.in5", "", "Tard");
	rep = apply(f, &e, "");
	assert_int_equal(rep.unmatched, 1);
}

/* Réaction retirée : ignorée (pas une réponse) ; réaction : Message 2. */
static void
test_reaction(void **state)
{
	struct fx		*f = *state;
	struct cbw_wh_event	 e = reply("33612000001", "wamid.r1", "wamid.A1", "");
	struct cbw_auto_report	 rep;

	e.msgtype = CBW_WH_REACTION;
	rep = apply(f, &e, "");
	assert_int_equal(rep.replies, 0);
	assert_int_equal(rep.ignored, 1);
	assert_int_equal(q(f, "SELECT interaction_count FROM campaigns WHERE id = 1"), 0);
	e = reply("33612000001", "wamid.r2", "wamid.A1", "❤️");
	e.msgtype = CBW_WH_REACTION;
	rep = apply(f, &e, "");
	assert_int_equal(rep.queued, 1);
	assert_int_equal(q(f, "SELECT count(*) FROM interactions WHERE "
	    "interaction_type = 'reaction'"), 1);
}

/* « STOP » : désabonné, envois en attente annulés, pas d'interaction. */
static void
test_stop(void **state)
{
	struct fx		*f = *state;
	struct cbw_wh_event	 e = reply("33612000002", "wamid.s1", "", "  stop ");
	struct cbw_auto_report	 rep = apply(f, &e, "");

	assert_int_equal(rep.optouts, 1);
	assert_int_equal(q(f, "SELECT opted_out_at IS NOT NULL FROM contacts WHERE id = 2"), 1);
	assert_int_equal(q(f, "SELECT count(*) FROM messages WHERE id = 2 AND "
	    "status = 'cancelled'"), 1);
	assert_int_equal(q(f, "SELECT count(*) FROM interactions"), 0);
	/* Plus rien en attente dans la campagne 1 : elle est terminée. */
	assert_int_equal(q(f, "SELECT status = 'completed' FROM campaigns WHERE id = 1"), 1);
}

/* Statuts : distribué puis échec ignoré ; échec classé ; wamid inconnu. */
static void
test_statuses(void **state)
{
	struct fx		*f = *state;
	struct cbw_wh_event	 e;
	struct cbw_auto_report	 rep;

	memset(&e, 0, sizeof(e));
	e.kind = CBW_WH_STATUS;
	e.status = CBW_WH_FAILED;
	e.error_code = 131000;
	snprintf(e.error_text, sizeof(e.error_text), "Something went wrong");
	snprintf(e.wamid, sizeof(e.wamid), "wamid.A1");
	e.timestamp = (time_t)(NOW_MS / 1000);
	rep = apply(f, &e, "");
	assert_int_equal(rep.statuses, 1);
	assert_int_equal(q(f, "SELECT count(*) FROM messages WHERE id = 1 AND "
	    "status = 'failed' AND retryable = 1 AND error_class = 'retryable' AND "
	    "error_code = 131000 AND error_message LIKE '%131000%'"), 1);
	e.error_code = 131026;
	snprintf(e.wamid, sizeof(e.wamid), "wamid.A2");
	e.status = CBW_WH_DELIVERED;
	apply(f, &e, "");
	e.status = CBW_WH_FAILED;
	rep = apply(f, &e, "");
	assert_int_equal(rep.duplicates, 1);
	assert_int_equal(q(f, "SELECT count(*) FROM messages WHERE id = 3 AND "
	    "status = 'delivered'"), 1);
	snprintf(e.wamid, sizeof(e.wamid), "wamid.inconnu");
	rep = apply(f, &e, "");
	assert_int_equal(rep.unknown, 1);
	/* Autre numéro d'envoi : ignoré. */
	e = reply("33612000001", "wamid.x", "wamid.A1", "Oui");
	snprintf(e.phone_number_id, sizeof(e.phone_number_id), "999");
	rep = apply(f, &e, "100000000000001");
	assert_int_equal(rep.ignored, 1);
	assert_int_equal(q(f, "SELECT count(*) FROM interactions WHERE "
	    "interaction_type = 'reply'"), 0);
}

/* Mise de côté puis rejeu : appliqué une fois, fichier effacé ; illisible mis à l'écart. */
static void
test_spool_replay(void **state)
{
	struct fx	*f = *state;
	const char	*body = "{\"object\":\"whatsapp_business_account\",\"entry\":"
			    "[{\"id\":\"1\",\"changes\":[{\"field\":\"messages\",\"value\":"
			    "{\"messaging_product\":\"whatsapp\",\"metadata\":{"
			    "\"display_phone_number\":\"15550000001\",\"phone_number_id\":"
			    "\"100000000000001\"},\"statuses\":[{\"id\":\"wamid.A1\","
			    "\"status\":\"read\",\"timestamp\":\"1795000000\","
			    "\"recipient_id\":\"33612000001\"}]}}]}]}";
	char		 spool[200], bad[260];
	long		 n = -1;
	struct stat	 sb;
	glob_t		 g;

	assert_int_equal(cbw_auto_spool(f->path, body, strlen(body)), CBW_OK);
	assert_int_equal(cbw_auto_spool(f->path, "pas du json", 11), CBW_OK);
	assert_int_equal(cbw_auto_replay(f->db, f->path, "", &n), CBW_OK);
	assert_int_equal(n, 2);
	assert_int_equal(q(f, "SELECT count(*) FROM messages WHERE id = 1 AND "
	    "status = 'read'"), 1);
	snprintf(spool, sizeof(spool), "%s.spool", f->path);
	assert_int_equal(stat(spool, &sb), 0);
	assert_int_equal(cbw_auto_replay(f->db, f->path, "", &n), CBW_OK);
	assert_int_equal(n, 0);
	/* Le corps illisible est mis à l'écart (« .bad »), pas effacé. */
	snprintf(bad, sizeof(bad), "%s/*.bad", spool);
	assert_int_equal(glob(bad, 0, NULL, &g), 0);
	assert_int_equal(g.gl_pathc, 1);
	globfree(&g);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_reply_context, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reply_latest, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reaction, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stop, setup, teardown),
		cmocka_unit_test_setup_teardown(test_statuses, setup, teardown),
		cmocka_unit_test_setup_teardown(test_spool_replay, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
