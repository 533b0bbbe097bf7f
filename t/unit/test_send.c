/*
 * Tests unitaires du cœur d'envoi (lib/send.c) sur une base temporaire
 * migrée : horloge virtuelle (l'attente avance le temps) et transport
 * factice qui rend des résultats écrits d'avance selon la fin du numéro
 * et garde les corps JSON reçus. Les vérifications portent sur les lignes
 * de la base (messages, campaigns, send_attempts).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "testutil.h"
#include "clock.h"
#include "db.h"
#include "log.h"
#include "migrate.h"
#include "send.h"
#include "whatsapp.h"

#define T0		1795000000000LL	/* 2026-11-18T11:06:40Z, en ms */
#define MAXCALLS	64

/* Résultat écrit d'avance pour les numéros finissant par `suffix`. */
struct script {
	const char		*suffix;
	enum cbw_wa_class	 cls;
	long long		 code;
	const char		*wamid;		/* NULL : wamid.<n> */
};

struct fx {
	char			 dir[64];
	char			 path[128];
	struct cbw_db		*db;
	long long		 now;		/* horloge virtuelle (ms) */
	long long		 latency;	/* durée d'un appel (ms) */
	char			*bodies[MAXCALLS];
	long long		 call_at[MAXCALLS];
	size_t			 ncalls;
	const struct script	*script;
	size_t			 nscript;
	long long		 seq;
	/* Message 2 ajouté pendant un passage, à l'instant inject_at. */
	long long		 inject_at;
	long long		 inject_campaign;
	long long		 inject_contact;
	long long		 injected_id;
	/* Pendant l'appel n° hook_call : autre processus qui marque les
	 * orphelines (reap) ou arrêt demandé (stop). */
	size_t			 hook_call;
	int			 hook_reap;
	int			 hook_stop;
	long			 hook_reaped;
};

/* ---- horloge, transport et base factices ------------------------------ */

/* Heure virtuelle (ms). */
static long long
fake_now(void *arg)
{
	return ((struct fx *)arg)->now;
}

/* Avance le temps ; ajoute le Message 2 prévu quand son heure est passée. */
static void
fake_sleep(void *arg, long long ms)
{
	struct fx	*f = arg;
	char		 iso[32];

	assert_true(ms > 0);
	f->now += ms;
	if (f->inject_at > 0 && f->injected_id == 0 && f->now >= f->inject_at) {
		cbw_time_iso((time_t)(f->now / 1000), iso, sizeof(iso));
		assert_int_equal(cbw_db_exec(f->db, "INSERT INTO messages "
		    "(campaign_id, contact_id, message_type, content, created_at, "
		    "updated_at) VALUES (?, ?, 'message_2', 'Merci !', ?, ?)",
		    "iiss", f->inject_campaign, f->inject_contact, iso, iso), CBW_OK);
		f->injected_id = cbw_db_last_id(f->db);
	}
}

/* Transport factice : garde le corps, rend le résultat prévu pour `to`. */
static void
fake_send(void *arg, const char *body, struct cbw_wa_result *res)
{
	struct fx		*f = arg;
	struct json_object	*o, *to;
	const char		*num = "";
	size_t			 i, n, k;

	assert_true(f->ncalls < MAXCALLS);
	f->call_at[f->ncalls] = f->now;
	assert_non_null(f->bodies[f->ncalls++] = strdup(body));
	o = json_tokener_parse(body);
	assert_non_null(o);
	if (json_object_object_get_ex(o, "to", &to))
		num = json_object_get_string(to);
	memset(res, 0, sizeof(*res));
	res->cls = CBW_WA_OK;
	res->http_status = 200;
	snprintf(res->wamid, sizeof(res->wamid), "wamid.%lld", ++f->seq);
	n = strlen(num);
	for (i = 0; i < f->nscript; i++) {
		k = strlen(f->script[i].suffix);
		if (k > n || strcmp(num + n - k, f->script[i].suffix) != 0)
			continue;
		res->cls = f->script[i].cls;
		res->code = f->script[i].code;
		if (res->cls == CBW_WA_OK) {
			if (f->script[i].wamid != NULL)
				snprintf(res->wamid, sizeof(res->wamid), "%s",
				    f->script[i].wamid);
		} else {
			res->wamid[0] = '\0';
			res->http_status = 400;
			snprintf(res->error, sizeof(res->error),
			    "Erreur factice %lld.", res->code);
		}
		break;
	}
	json_object_put(o);
	if (f->ncalls == f->hook_call && f->hook_reap)
		assert_int_equal(cbw_send_reap_stale(f->db, f->now + 120000, 60000,
		    &f->hook_reaped), CBW_OK);
	if (f->ncalls == f->hook_call && f->hook_stop)
		cbw_send_stop = 1;
	f->now += f->latency;
}

/* Base neuve migrée, un utilisateur, horloge à T0 ; 0 ou -1. */
static int
setup(void **state)
{
	struct fx	*f = calloc(1, sizeof(*f));
	char		 err[512] = "";

	if (f == NULL)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/cbw-send-XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	snprintf(f->path, sizeof(f->path), "%s/test.db", f->dir);
	if (cbw_db_open(&f->db, f->path, 1, err, sizeof(err)) != CBW_OK ||
	    cbw_migrate(f->db, cbw_t_migrations_dir(), NULL, err,
	    sizeof(err)) != CBW_OK) {
		fprintf(stderr, "setup : %s\n", err);
		return -1;
	}
	if (cbw_db_exec(f->db, "INSERT INTO users (id, email, password_hash, "
	    "role, created_at, updated_at) VALUES (1, 'a@exemple.fr', 'x', "
	    "'admin', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')",
	    NULL) != CBW_OK)
		return -1;
	f->now = T0;
	*state = f;
	return 0;
}

/* Libère les corps gardés, ferme et supprime la base. */
static int
teardown(void **state)
{
	struct fx	*f = *state;
	size_t		 i;

	for (i = 0; i < f->ncalls; i++)
		free(f->bodies[i]);
	cbw_db_close(f->db);
	cbw_t_rmtree(f->dir);
	free(f);
	return 0;
}

/* Contact +336000000<nn> ; rend son id. */
static long long
add_contact(struct fx *f, const char *nn, const char *first, const char *last,
    int opted_out)
{
	char	 full[32], phone[32];

	snprintf(full, sizeof(full), "+336000000%s", nn);
	snprintf(phone, sizeof(phone), "6000000%s", nn);
	assert_int_equal(cbw_db_exec(f->db, "INSERT INTO contacts (phone_number, "
	    "country_code, full_number, first_name, last_name, opted_out_at, "
	    "created_by, created_at, updated_at) VALUES (?, '+33', ?, ?, ?, ?, "
	    "1, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')", "sssss", phone,
	    full, first, last, opted_out ? "2026-02-01T00:00:00Z" : NULL), CBW_OK);
	return cbw_db_last_id(f->db);
}

/* Campagne 'sending' (ou `status`) ; rend son id. */
static long long
add_campaign(struct fx *f, const char *status, const char *tname,
    const char *tlang, const char *tparams)
{
	assert_int_equal(cbw_db_exec(f->db, "INSERT INTO campaigns (name, "
	    "message_1, message_2, template_name, template_language, "
	    "template_params, status, created_by, launched_at, created_at, "
	    "updated_at) VALUES ('Promo', 'Bonjour', 'Merci', ?, ?, ?, ?, 1, "
	    "'2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', "
	    "'2026-01-01T00:00:00Z')", "ssss", tname, tlang, tparams, status),
	    CBW_OK);
	return cbw_db_last_id(f->db);
}

/* Ligne messages 'pending' ; rend son id. */
static long long
add_msg(struct fx *f, long long camp, long long contact, const char *type,
    const char *content)
{
	assert_int_equal(cbw_db_exec(f->db, "INSERT INTO messages (campaign_id, "
	    "contact_id, message_type, content, created_at, updated_at) VALUES "
	    "(?, ?, ?, ?, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')",
	    "iiss", camp, contact, type, content), CBW_OK);
	return cbw_db_last_id(f->db);
}

/* Entier rendu par `sql` avec un paramètre entier. */
static long long
qi(struct fx *f, const char *sql, long long id)
{
	long long	 v = -999;

	assert_int_equal(cbw_db_query_int(f->db, &v, sql, "i", id), CBW_OK);
	return v;
}

/*
 * Vérifie le texte rendu par `sql` (NULL : NULL SQL attendu). La ligne est
 * lue en JSON : un NULL SQL y est absent ou null, sans réécrire le SQL.
 */
static void
qs_eq(struct fx *f, const char *sql, long long id, const char *want)
{
	struct json_object	*row = NULL, *val = NULL;
	const char		*got;

	assert_int_equal(cbw_db_query_row(f->db, &row, sql, "i", id), CBW_OK);
	json_object_object_foreach(row, key, v) {
		(void)key;
		val = v;
		break;
	}
	got = val != NULL ? json_object_get_string(val) : NULL;
	if (want == NULL && got != NULL)
		fail_msg("%s (%lld) : NULL attendu, « %s » lu", sql, id, got);
	if (want != NULL && (got == NULL || strcmp(got, want) != 0))
		fail_msg("%s (%lld) : « %s », attendu « %s »", sql, id,
		    got ? got : "NULL", want);
	json_object_put(row);
}

#define STATUS(f, id)	qs_status(f, id)
/* Statut d'un message (tampon statique). */
static const char *
qs_status(struct fx *f, long long id)
{
	static char	 buf[32];
	char		*v = NULL;

	assert_int_equal(cbw_db_query_text(f->db, &v, "SELECT status FROM "
	    "messages WHERE id = ?", "i", id), CBW_OK);
	snprintf(buf, sizeof(buf), "%s", v);
	free(v);
	return buf;
}

/* Statut d'une campagne (tampon statique). */
static const char *
camp_status(struct fx *f, long long id)
{
	static char	 buf[32];
	char		*v = NULL;

	assert_int_equal(cbw_db_query_text(f->db, &v, "SELECT status FROM "
	    "campaigns WHERE id = ?", "i", id), CBW_OK);
	snprintf(buf, sizeof(buf), "%s", v);
	free(v);
	return buf;
}

/* Expéditeur sur l'horloge et le transport factices. */
static void
sender(struct fx *f, struct cbw_sender *s, long rate, long long run_ms, int once)
{
	memset(s, 0, sizeof(*s));
	s->db = f->db;
	s->rate = rate;
	s->run_ms = run_ms;
	s->stale_ms = 60000;
	s->once = once;
	s->clock.now_ms = fake_now;
	s->clock.sleep_ms = fake_sleep;
	s->clock.arg = f;
	s->transport = fake_send;
	s->transport_arg = f;
}

/* Un passage complet de 59 s à 25/min. */
static struct cbw_send_report
run(struct fx *f)
{
	struct cbw_sender	 s;
	struct cbw_send_report	 rep;

	sender(f, &s, 25, 59000, 0);
	assert_int_equal(cbw_send_run(&s, &rep), CBW_OK);
	return rep;
}

/* Un passage « once » (rien n'attend). */
static struct cbw_send_report
run_once(struct fx *f)
{
	struct cbw_sender	 s;
	struct cbw_send_report	 rep;

	sender(f, &s, 25, 59000, 1);
	assert_int_equal(cbw_send_run(&s, &rep), CBW_OK);
	return rep;
}

/* Corps JSON de l'appel i (nouvelle référence). */
static struct json_object *
body(struct fx *f, size_t i)
{
	struct json_object	*o;

	assert_true(i < f->ncalls);
	assert_non_null(o = json_tokener_parse(f->bodies[i]));
	return o;
}

/* Chaîne au chemin « a.b.c » de o ("" si absente). */
static const char *
jpath(struct json_object *o, const char *path)
{
	char		 key[64];
	const char	*p = path, *dot;
	char		*end;
	long long	 idx;
	size_t		 n;

	while (o != NULL && *p != '\0') {
		dot = strchr(p, '.');
		n = dot ? (size_t)(dot - p) : strlen(p);
		snprintf(key, sizeof(key), "%.*s", (int)n, p);
		if (json_object_is_type(o, json_type_array)) {
			idx = strtoll(key, &end, 10);
			o = *end == '\0' && idx >= 0 ?
			    json_object_array_get_idx(o, (size_t)idx) : NULL;
		} else if (!json_object_object_get_ex(o, key, &o))
			o = NULL;
		p += n + (dot != NULL);
	}
	return o != NULL ? json_object_get_string(o) : "";
}

/* ---- tests ------------------------------------------------------------- */

/* Succès : sent, wamid, sent_at, compteurs, campagne terminée. */
static void
test_success(void **state)
{
	struct fx		*f = *state;
	struct cbw_send_report	 rep;
	struct json_object	*o;
	long long		 camp, a, b, m1, m2;

	camp = add_campaign(f, "sending", NULL, NULL, NULL);
	a = add_contact(f, "01", "Anne", "Durand", 0);
	b = add_contact(f, "02", NULL, NULL, 0);
	m1 = add_msg(f, camp, a, "message_1", "Bonjour Anne, voir https://exemple.fr");
	m2 = add_msg(f, camp, b, "message_1", "Bonjour");
	assert_int_equal(cbw_db_exec(f->db, "UPDATE campaigns SET "
	    "total_recipients = 2", NULL), CBW_OK);
	rep = run(f);
	assert_int_equal(rep.sent, 2);
	assert_int_equal(rep.failed + rep.retryable + rep.cancelled + rep.stale, 0);
	assert_int_equal(rep.stopped, 0);
	assert_int_equal(f->ncalls, 2);
	/* Cadence : 60000 / 25 = 2400 ms entre les deux appels. */
	assert_int_equal(f->call_at[0], T0);
	assert_int_equal(f->call_at[1], T0 + 2400);
	/* Le passage dure jusqu'au bout (attente des Messages 2). */
	assert_true(f->now >= T0 + 59000 && f->now <= T0 + 60000);
	assert_string_equal(STATUS(f, m1), "sent");
	assert_string_equal(STATUS(f, m2), "sent");
	qs_eq(f, "SELECT whatsapp_message_id FROM messages WHERE id = ?", m1,
	    "wamid.1");
	qs_eq(f, "SELECT whatsapp_message_id FROM messages WHERE id = ?", m2,
	    "wamid.2");
	qs_eq(f, "SELECT sent_at FROM messages WHERE id = ?", m1,
	    "2026-11-18T11:06:40Z");
	qs_eq(f, "SELECT sent_at FROM messages WHERE id = ?", m2,
	    "2026-11-18T11:06:42Z");
	qs_eq(f, "SELECT claimed_at FROM messages WHERE id = ?", m2,
	    "2026-11-18T11:06:42Z");
	qs_eq(f, "SELECT error_class FROM messages WHERE id = ?", m1, NULL);
	qs_eq(f, "SELECT error_code FROM messages WHERE id = ?", m1, NULL);
	assert_int_equal(qi(f, "SELECT count(*) FROM send_attempts WHERE "
	    "message_id = ?", m1), 1);
	assert_int_equal(qi(f, "SELECT at_ms FROM send_attempts WHERE "
	    "message_id = ?", m2), T0 + 2400);
	assert_int_equal(qi(f, "SELECT sent_count FROM campaigns WHERE id = ?",
	    camp), 2);
	assert_int_equal(qi(f, "SELECT success_count FROM campaigns WHERE id = ?",
	    camp), 2);
	assert_int_equal(qi(f, "SELECT failed_count FROM campaigns WHERE id = ?",
	    camp), 0);
	assert_string_equal(camp_status(f, camp), "completed");
	qs_eq(f, "SELECT completed_at FROM campaigns WHERE id = ?", camp,
	    "2026-11-18T11:06:42Z");
	/* Corps texte : numéro sans « + », texte tel quel. */
	o = body(f, 0);
	assert_string_equal(jpath(o, "to"), "33600000001");
	assert_string_equal(jpath(o, "type"), "text");
	assert_string_equal(jpath(o, "text.body"),
	    "Bonjour Anne, voir https://exemple.fr");
	assert_string_equal(jpath(o, "messaging_product"), "whatsapp");
	json_object_put(o);
}

/* Échec permanent : failed, non réessayable, campagne 'failed'. */
static void
test_permanent(void **state)
{
	static const struct script	 sc[] = {
		{ "01", CBW_WA_PERMANENT, 131026, NULL },
	};
	struct fx			*f = *state;
	struct cbw_send_report		 rep;
	long long			 camp, m;
	long				 n = -1;

	f->script = sc;
	f->nscript = 1;
	camp = add_campaign(f, "sending", NULL, NULL, NULL);
	m = add_msg(f, camp, add_contact(f, "01", "A", "B", 0), "message_1", "Salut");
	rep = run_once(f);
	assert_int_equal(rep.failed, 1);
	assert_int_equal(rep.sent + rep.retryable, 0);
	assert_int_equal(rep.stopped, 0);
	assert_string_equal(STATUS(f, m), "failed");
	assert_int_equal(qi(f, "SELECT retryable FROM messages WHERE id = ?", m), 0);
	assert_int_equal(qi(f, "SELECT error_code FROM messages WHERE id = ?", m),
	    131026);
	qs_eq(f, "SELECT error_class FROM messages WHERE id = ?", m, "permanent");
	qs_eq(f, "SELECT error_message FROM messages WHERE id = ?", m,
	    "Erreur factice 131026.");
	qs_eq(f, "SELECT failed_at FROM messages WHERE id = ?", m,
	    "2026-11-18T11:06:40Z");
	qs_eq(f, "SELECT whatsapp_message_id FROM messages WHERE id = ?", m, NULL);
	assert_int_equal(qi(f, "SELECT failed_count FROM campaigns WHERE id = ?",
	    camp), 1);
	assert_int_equal(qi(f, "SELECT sent_count FROM campaigns WHERE id = ?",
	    camp), 1);
	assert_int_equal(qi(f, "SELECT success_count FROM campaigns WHERE id = ?",
	    camp), 0);
	assert_string_equal(camp_status(f, camp), "failed");
	/* Jamais remis en file. */
	assert_int_equal(cbw_send_retry_due(f->db, f->now, &n), CBW_OK);
	assert_int_equal(n, 0);
	assert_string_equal(STATUS(f, m), "failed");
}

/* Échec réessayable : failed + retryable, la campagne attend la reprise. */
static void
test_retryable(void **state)
{
	static const struct script	 sc[] = {
		{ "01", CBW_WA_RETRYABLE, 131000, NULL },
	};
	struct fx			*f = *state;
	struct cbw_send_report		 rep;
	long long			 camp, m;

	f->script = sc;
	f->nscript = 1;
	camp = add_campaign(f, "sending", NULL, NULL, NULL);
	m = add_msg(f, camp, add_contact(f, "01", "A", "B", 0), "message_1", "Salut");
	rep = run(f);
	assert_int_equal(rep.retryable, 1);
	assert_int_equal(rep.failed + rep.sent, 0);
	assert_int_equal(rep.stopped, 0);
	assert_int_equal(f->ncalls, 1);
	assert_string_equal(STATUS(f, m), "failed");
	assert_int_equal(qi(f, "SELECT retryable FROM messages WHERE id = ?", m), 1);
	assert_int_equal(qi(f, "SELECT error_code FROM messages WHERE id = ?", m),
	    131000);
	qs_eq(f, "SELECT error_class FROM messages WHERE id = ?", m, "retryable");
	assert_int_equal(qi(f, "SELECT retry_count FROM messages WHERE id = ?", m), 0);
	assert_string_equal(camp_status(f, camp), "sending");
	qs_eq(f, "SELECT completed_at FROM campaigns WHERE id = ?", camp, NULL);
}

/* Code d'arrêt : ligne 'stop', campagne en pause, passage arrêté. */
static void
test_stop(void **state)
{
	static const struct script	 sc[] = {
		{ "01", CBW_WA_STOP, 190, NULL },
	};
	struct fx			*f = *state;
	struct cbw_send_report		 rep;
	long long			 camp, m, m2, other, m3;
	char				*reason = NULL;

	f->script = sc;
	f->nscript = 1;
	camp = add_campaign(f, "sending", NULL, NULL, NULL);
	m = add_msg(f, camp, add_contact(f, "01", "A", "B", 0), "message_1", "Salut");
	m2 = add_msg(f, camp, add_contact(f, "02", "C", "D", 0), "message_1", "Salut");
	other = add_campaign(f, "sending", NULL, NULL, NULL);
	m3 = add_msg(f, other, add_contact(f, "03", "E", "F", 0), "message_1", "Yo");
	rep = run(f);
	assert_int_equal(rep.stopped, 1);
	assert_non_null(strstr(rep.stop_reason, "190"));
	assert_int_equal(rep.failed, 1);
	assert_int_equal(rep.sent, 0);
	assert_int_equal(f->ncalls, 1);
	/* Le passage s'arrête tout de suite, sans attendre la fin. */
	assert_int_equal(f->now, T0);
	assert_string_equal(STATUS(f, m), "failed");
	qs_eq(f, "SELECT error_class FROM messages WHERE id = ?", m, "stop");
	assert_int_equal(qi(f, "SELECT retryable FROM messages WHERE id = ?", m), 0);
	assert_int_equal(qi(f, "SELECT error_code FROM messages WHERE id = ?", m), 190);
	assert_string_equal(STATUS(f, m2), "pending");
	assert_string_equal(STATUS(f, m3), "pending");
	assert_string_equal(camp_status(f, camp), "sending");
	assert_int_equal(cbw_db_query_text(f->db, &reason, "SELECT status_reason "
	    "FROM campaigns WHERE id = ?", "i", camp), CBW_OK);
	assert_non_null(strstr(reason, "190"));
	assert_non_null(strstr(reason, "Erreur factice 190."));
	free(reason);
	qs_eq(f, "SELECT status_reason FROM campaigns WHERE id = ?", other, NULL);
	/* Passage suivant : la campagne en pause est sautée, l'autre part. */
	rep = run(f);
	assert_int_equal(rep.sent, 1);
	assert_string_equal(STATUS(f, m2), "pending");
	assert_string_equal(STATUS(f, m3), "sent");
}

/* Codes de limite de débit : ligne réessayable et passage arrêté, quelle
 * que soit la classe rendue. */
static void
test_rate_limit(void **state)
{
	static const long long		 codes[] = { 4, 80007, 130429, 131048 };
	static const enum cbw_wa_class	 cls[] = { CBW_WA_PERMANENT,
		CBW_WA_RETRYABLE, CBW_WA_RETRYABLE, CBW_WA_STOP };
	struct script			 sc[4];
	struct fx			*f = *state;
	struct cbw_send_report		 rep;
	long long			 camp, m[4], next;
	char				 nn[8];
	size_t				 i;

	camp = add_campaign(f, "sending", NULL, NULL, NULL);
	for (i = 0; i < 4; i++) {
		snprintf(nn, sizeof(nn), "%02zu", i + 10);
		sc[i].suffix = i == 0 ? "10" : i == 1 ? "11" : i == 2 ? "12" : "13";
		sc[i].cls = cls[i];
		sc[i].code = codes[i];
		sc[i].wamid = NULL;
		m[i] = add_msg(f, camp, add_contact(f, nn, "A", "B", 0),
		    "message_1", "Salut");
	}
	f->script = sc;
	f->nscript = 4;
	for (i = 0; i < 4; i++) {
		rep = run(f);
		assert_int_equal(rep.stopped, 1);
		assert_non_null(strstr(rep.stop_reason, "limite"));
		assert_int_equal(rep.retryable, 1);
		assert_int_equal(rep.failed + rep.sent, 0);
		assert_int_equal(f->ncalls, i + 1);
		assert_string_equal(STATUS(f, m[i]), "failed");
		assert_int_equal(qi(f, "SELECT retryable FROM messages WHERE "
		    "id = ?", m[i]), 1);
		qs_eq(f, "SELECT error_class FROM messages WHERE id = ?", m[i],
		    "retryable");
		assert_int_equal(qi(f, "SELECT error_code FROM messages WHERE "
		    "id = ?", m[i]), codes[i]);
		if (i < 3)
			assert_string_equal(STATUS(f, m[i + 1]), "pending");
		/* Pas de pause de campagne pour une limite de débit. */
		qs_eq(f, "SELECT status_reason FROM campaigns WHERE id = ?", camp,
		    NULL);
		/* Le passage suivant respecte la cadence. */
		assert_true(cbw_send_room(f->db, 25, f->now, &next) >= 0);
		f->now = next;
	}
}

/* Message 2 avant Message 1 ; Message 2 d'une campagne terminée envoyé. */
static void
test_message2_first(void **state)
{
	struct fx		*f = *state;
	struct cbw_send_report	 rep;
	struct json_object	*o;
	long long		 camp, done, a, b, c, m1a, m1b, m2c, m2d;

	camp = add_campaign(f, "sending", "promo", "fr", NULL);
	a = add_contact(f, "01", "A", "A", 0);
	b = add_contact(f, "02", "B", "B", 0);
	c = add_contact(f, "03", "C", "C", 0);
	m1a = add_msg(f, camp, a, "message_1", "Bonjour");
	m1b = add_msg(f, camp, b, "message_1", "Bonjour");
	m2c = add_msg(f, camp, c, "message_2", "Merci C");
	done = add_campaign(f, "completed", NULL, NULL, NULL);
	m2d = add_msg(f, done, a, "message_2", "Merci A");
	rep = run(f);
	assert_int_equal(rep.sent, 4);
	assert_int_equal(f->ncalls, 4);
	o = body(f, 0);
	assert_string_equal(jpath(o, "type"), "text");
	assert_string_equal(jpath(o, "to"), "33600000003");
	assert_string_equal(jpath(o, "text.body"), "Merci C");
	json_object_put(o);
	o = body(f, 1);
	assert_string_equal(jpath(o, "text.body"), "Merci A");
	json_object_put(o);
	o = body(f, 2);
	assert_string_equal(jpath(o, "type"), "template");
	assert_string_equal(jpath(o, "to"), "33600000001");
	json_object_put(o);
	assert_true(qi(f, "SELECT at_ms FROM send_attempts WHERE message_id = ?",
	    m2c) < qi(f, "SELECT at_ms FROM send_attempts WHERE message_id = ?",
	    m1a));
	assert_string_equal(STATUS(f, m1b), "sent");
	assert_string_equal(STATUS(f, m2d), "sent");
	/* Le Message 2 ne compte pas dans les compteurs de la campagne. */
	assert_int_equal(qi(f, "SELECT sent_count FROM campaigns WHERE id = ?",
	    camp), 2);
	assert_int_equal(qi(f, "SELECT sent_count FROM campaigns WHERE id = ?",
	    done), 0);
	assert_string_equal(camp_status(f, done), "completed");
}

/* Contact désabonné : ligne annulée, jamais envoyée. */
static void
test_opted_out(void **state)
{
	struct fx		*f = *state;
	struct cbw_send_report	 rep;
	long long		 camp, m1, m2, solo, m3;

	camp = add_campaign(f, "sending", NULL, NULL, NULL);
	m1 = add_msg(f, camp, add_contact(f, "01", "A", "B", 1), "message_1", "X");
	m2 = add_msg(f, camp, add_contact(f, "02", "C", "D", 0), "message_1", "Y");
	solo = add_campaign(f, "sending", NULL, NULL, NULL);
	m3 = add_msg(f, solo, add_contact(f, "03", "E", "F", 1), "message_1", "Z");
	rep = run(f);
	assert_int_equal(rep.cancelled, 2);
	assert_int_equal(rep.sent, 1);
	assert_int_equal(f->ncalls, 1);
	assert_string_equal(STATUS(f, m1), "cancelled");
	assert_string_equal(STATUS(f, m3), "cancelled");
	assert_string_equal(STATUS(f, m2), "sent");
	assert_int_equal(qi(f, "SELECT count(*) FROM send_attempts WHERE "
	    "message_id = ?", m1), 0);
	assert_string_equal(camp_status(f, camp), "completed");
	/* Tout annulé : aucun succès, campagne 'failed'. */
	assert_string_equal(camp_status(f, solo), "failed");
	assert_int_equal(qi(f, "SELECT sent_count FROM campaigns WHERE id = ?",
	    solo), 0);
}

/* Réclamation orpheline : « résultat inconnu », jamais renvoyée. */
static void
test_stale(void **state)
{
	static const char	 msg[] = "Résultat inconnu : l'envoi a été "
	    "interrompu avant la réponse de WhatsApp. Ce message n'est pas "
	    "renvoyé automatiquement (un doublon serait pire qu'un manque) ; "
	    "utilisez « Réessayer les échecs » si besoin.";
	struct fx		*f = *state;
	struct cbw_send_report	 rep;
	long long		 camp, old, young;
	long			 n = -1;

	camp = add_campaign(f, "sending", NULL, NULL, NULL);
	old = add_msg(f, camp, add_contact(f, "01", "A", "B", 0), "message_1", "X");
	young = add_msg(f, camp, add_contact(f, "02", "C", "D", 0), "message_1", "Y");
	/* Réclamées il y a 61 s et 30 s (délai : 60 s). */
	assert_int_equal(cbw_db_exec(f->db, "UPDATE messages SET status = "
	    "'sending', claimed_at = '2026-11-18T11:05:39Z' WHERE id = ?", "i",
	    old), CBW_OK);
	assert_int_equal(cbw_db_exec(f->db, "UPDATE messages SET status = "
	    "'sending', claimed_at = '2026-11-18T11:06:10Z' WHERE id = ?", "i",
	    young), CBW_OK);
	rep = run_once(f);
	assert_int_equal(rep.stale, 1);
	assert_int_equal(f->ncalls, 0);
	assert_string_equal(STATUS(f, old), "failed");
	qs_eq(f, "SELECT error_class FROM messages WHERE id = ?", old, "unknown");
	qs_eq(f, "SELECT error_message FROM messages WHERE id = ?", old, msg);
	qs_eq(f, "SELECT error_code FROM messages WHERE id = ?", old, NULL);
	assert_int_equal(qi(f, "SELECT retryable FROM messages WHERE id = ?", old), 0);
	qs_eq(f, "SELECT failed_at FROM messages WHERE id = ?", old,
	    "2026-11-18T11:06:40Z");
	assert_string_equal(STATUS(f, young), "sending");
	assert_string_equal(camp_status(f, camp), "sending");
	/* Jamais remise en file automatiquement. */
	assert_int_equal(cbw_send_retry_due(f->db, f->now, &n), CBW_OK);
	assert_int_equal(n, 0);
	/* 31 s plus tard, la seconde l'est aussi : la campagne se règle. */
	f->now += 31000;
	rep = run_once(f);
	assert_int_equal(rep.stale, 1);
	assert_int_equal(f->ncalls, 0);
	assert_string_equal(STATUS(f, young), "failed");
	assert_string_equal(camp_status(f, camp), "failed");
	assert_int_equal(qi(f, "SELECT failed_count FROM campaigns WHERE id = ?",
	    camp), 2);
	/* Réclamée dans la seconde d'il y a 60 s : peut-être moins de 60 s,
	 * donc pas encore orpheline ; une seconde plus tôt, si. */
	camp = add_campaign(f, "sending", NULL, NULL, NULL);
	old = add_msg(f, camp, add_contact(f, "03", "E", "F", 0), "message_1", "Z");
	assert_int_equal(cbw_db_exec(f->db, "UPDATE messages SET status = "
	    "'sending', claimed_at = '2026-11-18T11:06:11Z' WHERE id = ?", "i",
	    old), CBW_OK);
	assert_int_equal(cbw_send_reap_stale(f->db, f->now, 60000, &n), CBW_OK);
	assert_int_equal(n, 0);
	assert_int_equal(cbw_send_reap_stale(f->db, f->now + 1000, 60000, &n),
	    CBW_OK);
	assert_int_equal(n, 1);
	assert_string_equal(STATUS(f, old), "failed");
	assert_string_equal(camp_status(f, camp), "failed");
}

/* next_attempt_at futur : pas envoyé avant l'heure, envoyé à l'heure. */
static void
test_not_due(void **state)
{
	struct fx		*f = *state;
	struct cbw_send_report	 rep;
	long long		 camp, m;

	camp = add_campaign(f, "sending", NULL, NULL, NULL);
	m = add_msg(f, camp, add_contact(f, "01", "A", "B", 0), "message_1", "X");
	assert_int_equal(cbw_db_exec(f->db, "UPDATE messages SET next_attempt_at "
	    "= '2026-11-18T11:08:40Z' WHERE id = ?", "i", m), CBW_OK);
	rep = run_once(f);
	assert_int_equal(rep.sent, 0);
	assert_string_equal(STATUS(f, m), "pending");
	f->now = T0 + 119999;
	rep = run_once(f);
	assert_int_equal(rep.sent, 0);
	assert_int_equal(f->ncalls, 0);
	/* Un passage normal l'envoie dès qu'elle devient due. */
	f->now = T0 + 100000;
	rep = run(f);
	assert_int_equal(rep.sent, 1);
	assert_int_equal(f->ncalls, 1);
	assert_int_equal(f->call_at[0], T0 + 120000);
	assert_string_equal(STATUS(f, m), "sent");
}

/* Campagne en pause, brouillon ou annulée : rien n'est envoyé. */
static void
test_paused(void **state)
{
	struct fx		*f = *state;
	struct cbw_send_report	 rep;
	long long		 paused, draft, cancelled, m1, m2, m3, m4, c;

	c = add_contact(f, "01", "A", "B", 0);
	paused = add_campaign(f, "sending", NULL, NULL, NULL);
	assert_int_equal(cbw_db_exec(f->db, "UPDATE campaigns SET status_reason "
	    "= 'Envoi suspendu' WHERE id = ?", "i", paused), CBW_OK);
	draft = add_campaign(f, "draft", NULL, NULL, NULL);
	cancelled = add_campaign(f, "cancelled", NULL, NULL, NULL);
	m1 = add_msg(f, paused, c, "message_1", "X");
	m2 = add_msg(f, paused, c, "message_2", "X");
	m3 = add_msg(f, draft, c, "message_1", "X");
	m4 = add_msg(f, cancelled, c, "message_2", "X");
	rep = run(f);
	assert_int_equal(rep.sent + rep.failed + rep.cancelled, 0);
	assert_int_equal(f->ncalls, 0);
	assert_string_equal(STATUS(f, m1), "pending");
	assert_string_equal(STATUS(f, m2), "pending");
	assert_string_equal(STATUS(f, m3), "pending");
	assert_string_equal(STATUS(f, m4), "pending");
	assert_string_equal(camp_status(f, paused), "sending");
	/* Reprise (status_reason effacé) : envoi. */
	assert_int_equal(cbw_db_exec(f->db, "UPDATE campaigns SET status_reason "
	    "= NULL WHERE id = ?", "i", paused), CBW_OK);
	rep = run(f);
	assert_int_equal(rep.sent, 2);
	assert_string_equal(STATUS(f, m1), "sent");
	assert_string_equal(camp_status(f, paused), "completed");
}

/* Modèle : nom, langue (« fr » par défaut), paramètres du contact. */
static void
test_template(void **state)
{
	struct fx		*f = *state;
	struct cbw_send_report	 rep;
	struct json_object	*o;
	long long		 camp, bare, en, bad, m1, m2, m3, m4, m5, m6, a, b;

	camp = add_campaign(f, "sending", "promo_noel", NULL,
	    "[\"first_name\", \"last_name\"]");
	bare = add_campaign(f, "sending", "rappel", "en_US", "[]");
	en = add_campaign(f, "sending", "bienvenue", "", NULL);
	bad = add_campaign(f, "sending", "promo", "fr", "[\"email\"]");
	a = add_contact(f, "01", "Anne", NULL, 0);
	b = add_contact(f, "02", "", "Martin", 0);
	m1 = add_msg(f, camp, a, "message_1", "ignoré");
	m2 = add_msg(f, camp, b, "message_1", "ignoré");
	m3 = add_msg(f, bare, a, "message_1", "ignoré");
	m4 = add_msg(f, en, a, "message_1", "ignoré");
	m5 = add_msg(f, bad, a, "message_1", "ignoré");
	m6 = add_msg(f, camp, a, "message_2", "Merci Anne");
	rep = run(f);
	assert_int_equal(rep.sent, 5);
	assert_int_equal(rep.failed, 1);
	assert_int_equal(f->ncalls, 5);
	/* Message 2 : texte, même pour une campagne à modèle. */
	o = body(f, 0);
	assert_string_equal(jpath(o, "type"), "text");
	assert_string_equal(jpath(o, "text.body"), "Merci Anne");
	json_object_put(o);
	o = body(f, 1);
	assert_string_equal(jpath(o, "type"), "template");
	assert_string_equal(jpath(o, "to"), "33600000001");
	assert_string_equal(jpath(o, "template.name"), "promo_noel");
	assert_string_equal(jpath(o, "template.language.code"), "fr");
	assert_string_equal(jpath(o, "template.components.0.type"), "body");
	assert_string_equal(jpath(o, "template.components.0.parameters.0.text"),
	    "Anne");
	assert_string_equal(jpath(o, "template.components.0.parameters.1.text"),
	    "client");
	assert_string_equal(jpath(o, "template.components.0.parameters.2.text"), "");
	json_object_put(o);
	o = body(f, 2);
	assert_string_equal(jpath(o, "to"), "33600000002");
	assert_string_equal(jpath(o, "template.components.0.parameters.0.text"),
	    "client");
	assert_string_equal(jpath(o, "template.components.0.parameters.1.text"),
	    "Martin");
	json_object_put(o);
	o = body(f, 3);
	assert_string_equal(jpath(o, "template.name"), "rappel");
	assert_string_equal(jpath(o, "template.language.code"), "en_US");
	assert_string_equal(jpath(o, "template.components"), "");
	json_object_put(o);
	o = body(f, 4);
	assert_string_equal(jpath(o, "template.name"), "bienvenue");
	assert_string_equal(jpath(o, "template.language.code"), "fr");
	json_object_put(o);
	assert_string_equal(STATUS(f, m1), "sent");
	assert_string_equal(STATUS(f, m2), "sent");
	assert_string_equal(STATUS(f, m3), "sent");
	assert_string_equal(STATUS(f, m4), "sent");
	assert_string_equal(STATUS(f, m6), "sent");
	/* Paramètre inconnu : échec permanent sans appel. */
	assert_string_equal(STATUS(f, m5), "failed");
	qs_eq(f, "SELECT error_class FROM messages WHERE id = ?", m5, "permanent");
	qs_eq(f, "SELECT error_code FROM messages WHERE id = ?", m5, NULL);
	assert_int_equal(qi(f, "SELECT retryable FROM messages WHERE id = ?", m5), 0);
	assert_int_equal(qi(f, "SELECT length(error_message) > 10 FROM messages "
	    "WHERE id = ?", m5), 1);
	assert_string_equal(camp_status(f, bad), "failed");
}

/* Numéro ou texte invalide : échec permanent sans appel à l'API. */
static void
test_invalid_body(void **state)
{
	struct fx		*f = *state;
	struct cbw_send_report	 rep;
	long long		 camp, c, m1, m2;

	camp = add_campaign(f, "sending", NULL, NULL, NULL);
	assert_int_equal(cbw_db_exec(f->db, "INSERT INTO contacts (phone_number, "
	    "country_code, full_number, created_by, created_at, updated_at) "
	    "VALUES ('12', '+33', '+3312', 1, '2026-01-01T00:00:00Z', "
	    "'2026-01-01T00:00:00Z')", NULL), CBW_OK);
	c = cbw_db_last_id(f->db);
	m1 = add_msg(f, camp, c, "message_1", "Bonjour");
	m2 = add_msg(f, camp, add_contact(f, "02", "A", "B", 0), "message_1", "");
	rep = run(f);
	assert_int_equal(rep.failed, 2);
	assert_int_equal(f->ncalls, 0);
	assert_string_equal(STATUS(f, m1), "failed");
	assert_string_equal(STATUS(f, m2), "failed");
	qs_eq(f, "SELECT error_class FROM messages WHERE id = ?", m1, "permanent");
	assert_int_equal(qi(f, "SELECT error_message LIKE '%invalide%' FROM "
	    "messages WHERE id = ?", m1), 1);
	assert_string_equal(camp_status(f, camp), "failed");
}

/* Identifiant WhatsApp en double : pas de plantage, « inconnu ». */
static void
test_duplicate_wamid(void **state)
{
	static const struct script	 sc[] = {
		{ "01", CBW_WA_OK, 0, "wamid.SAME" },
		{ "02", CBW_WA_OK, 0, "wamid.SAME" },
	};
	struct fx			*f = *state;
	struct cbw_send_report		 rep;
	long long			 camp, m1, m2;

	f->script = sc;
	f->nscript = 2;
	camp = add_campaign(f, "sending", NULL, NULL, NULL);
	m1 = add_msg(f, camp, add_contact(f, "01", "A", "B", 0), "message_1", "X");
	m2 = add_msg(f, camp, add_contact(f, "02", "C", "D", 0), "message_1", "Y");
	rep = run(f);
	assert_int_equal(rep.sent, 1);
	assert_int_equal(rep.failed, 1);
	assert_string_equal(STATUS(f, m1), "sent");
	assert_string_equal(STATUS(f, m2), "failed");
	qs_eq(f, "SELECT error_class FROM messages WHERE id = ?", m2, "unknown");
	qs_eq(f, "SELECT whatsapp_message_id FROM messages WHERE id = ?", m2, NULL);
	assert_int_equal(qi(f, "SELECT retryable FROM messages WHERE id = ?", m2), 0);
	assert_string_equal(camp_status(f, camp), "completed");
}

/* Un Message 2 mis en file pendant le passage part en une seconde environ. */
static void
test_midrun_poll(void **state)
{
	struct fx		*f = *state;
	struct cbw_send_report	 rep;
	long long		 camp, c;

	camp = add_campaign(f, "completed", NULL, NULL, NULL);
	c = add_contact(f, "01", "A", "B", 0);
	f->inject_at = T0 + 20500;
	f->inject_campaign = camp;
	f->inject_contact = c;
	rep = run(f);
	assert_int_equal(rep.sent, 1);
	assert_true(f->injected_id > 0);
	assert_int_equal(f->ncalls, 1);
	assert_true(f->call_at[0] >= T0 + 20500 && f->call_at[0] <= T0 + 21500);
	assert_string_equal(STATUS(f, f->injected_id), "sent");
	/* Et le passage ne dépasse pas sa durée. */
	assert_true(f->now <= T0 + 59000);
}

/* Ligne marquée « résultat inconnu » par un autre passage pendant l'appel,
 * puis acceptée : le vrai résultat l'emporte, campagne comprise. */
static void
test_reaped_then_answered(void **state)
{
	struct fx		*f = *state;
	struct cbw_send_report	 rep;
	long long		 camp, m;

	camp = add_campaign(f, "sending", NULL, NULL, NULL);
	m = add_msg(f, camp, add_contact(f, "01", "A", "B", 0), "message_1", "X");
	f->hook_call = 1;
	f->hook_reap = 1;
	rep = run_once(f);
	assert_int_equal(f->hook_reaped, 1);
	assert_int_equal(rep.sent, 1);
	assert_string_equal(STATUS(f, m), "sent");
	qs_eq(f, "SELECT whatsapp_message_id FROM messages WHERE id = ?", m,
	    "wamid.1");
	qs_eq(f, "SELECT error_class FROM messages WHERE id = ?", m, NULL);
	qs_eq(f, "SELECT error_message FROM messages WHERE id = ?", m, NULL);
	qs_eq(f, "SELECT failed_at FROM messages WHERE id = ?", m, NULL);
	assert_string_equal(camp_status(f, camp), "completed");
	assert_int_equal(qi(f, "SELECT failed_count FROM campaigns WHERE id = ?",
	    camp), 0);
	assert_int_equal(qi(f, "SELECT success_count FROM campaigns WHERE id = ?",
	    camp), 1);
}

/* Arrêt demandé (SIGTERM) pendant un appel : ce message est enregistré,
 * puis le passage rend la main. */
static void
test_stop_flag(void **state)
{
	struct fx		*f = *state;
	struct cbw_send_report	 rep;
	long long		 camp, m1, m2;

	camp = add_campaign(f, "sending", NULL, NULL, NULL);
	m1 = add_msg(f, camp, add_contact(f, "01", "A", "B", 0), "message_1", "X");
	m2 = add_msg(f, camp, add_contact(f, "02", "C", "D", 0), "message_1", "Y");
	f->hook_call = 1;
	f->hook_stop = 1;
	rep = run(f);
	cbw_send_stop = 0;
	assert_int_equal(rep.sent, 1);
	assert_int_equal(rep.stopped, 0);
	assert_int_equal(f->ncalls, 1);
	assert_int_equal(f->now, T0);
	assert_string_equal(STATUS(f, m1), "sent");
	assert_string_equal(STATUS(f, m2), "pending");
	rep = run(f);
	assert_int_equal(rep.sent, 1);
	assert_string_equal(STATUS(f, m2), "sent");
}

/* Reprises 1, 2, 4 minutes après l'échec, puis plus rien après la 3e. */
static void
test_retry_schedule(void **state)
{
	static const struct script	 sc[] = {
		{ "01", CBW_WA_RETRYABLE, 131000, NULL },
	};
	static const char *const	 due[] = { "2026-11-18T11:07:40Z",
		"2026-11-18T11:09:40Z", "2026-11-18T11:13:40Z" };
	struct fx			*f = *state;
	struct cbw_send_report		 rep;
	long long			 camp, m, ok, prev, mins[] = { 1, 2, 4 };
	long				 n;
	size_t				 i;

	f->script = sc;
	f->nscript = 1;
	camp = add_campaign(f, "sending", NULL, NULL, NULL);
	m = add_msg(f, camp, add_contact(f, "01", "A", "B", 0), "message_1", "X");
	ok = add_msg(f, camp, add_contact(f, "02", "C", "D", 0), "message_1", "Y");
	rep = run_once(f);
	assert_int_equal(rep.retryable, 1);
	prev = f->call_at[0];
	f->now += 2400;
	rep = run_once(f);
	assert_int_equal(rep.sent, 1);
	assert_string_equal(STATUS(f, ok), "sent");
	assert_string_equal(camp_status(f, camp), "sending");
	for (i = 0; i < 3; i++) {
		assert_int_equal(cbw_send_retry_due(f->db, f->now, &n), CBW_OK);
		assert_int_equal(n, 1);
		assert_string_equal(STATUS(f, m), "pending");
		assert_int_equal(qi(f, "SELECT retry_count FROM messages WHERE "
		    "id = ?", m), (long long)i + 1);
		qs_eq(f, "SELECT next_attempt_at FROM messages WHERE id = ?", m,
		    due[i]);
		/* L'erreur reste affichée jusqu'au prochain essai. */
		qs_eq(f, "SELECT error_class FROM messages WHERE id = ?", m,
		    "retryable");
		assert_int_equal(qi(f, "SELECT failed_count FROM campaigns WHERE "
		    "id = ?", camp), 0);
		/* Une seconde avant l'heure : rien. */
		f->now = (long long)cbw_time_parse(due[i]) * 1000 - 1000;
		rep = run_once(f);
		assert_int_equal(rep.retryable, 0);
		assert_string_equal(STATUS(f, m), "pending");
		/* À l'heure : nouvel essai, nouvel échec. */
		f->now += 1000;
		rep = run_once(f);
		assert_int_equal(rep.retryable, 1);
		assert_true(f->call_at[f->ncalls - 1] - prev >= mins[i] * 60000);
		prev = f->call_at[f->ncalls - 1];
		qs_eq(f, "SELECT failed_at FROM messages WHERE id = ?", m,
		    i == 0 ? "2026-11-18T11:07:40Z" : i == 1 ?
		    "2026-11-18T11:09:40Z" : "2026-11-18T11:13:40Z");
		if (i < 2)
			assert_string_equal(camp_status(f, camp), "sending");
	}
	/* Troisième reprise échouée : échec définitif, campagne réglée. */
	assert_int_equal(cbw_send_retry_due(f->db, f->now + 600000, &n), CBW_OK);
	assert_int_equal(n, 0);
	assert_string_equal(STATUS(f, m), "failed");
	assert_int_equal(qi(f, "SELECT retry_count FROM messages WHERE id = ?", m), 3);
	assert_int_equal(qi(f, "SELECT count(*) FROM send_attempts WHERE "
	    "message_id = ?", m), 4);
	assert_string_equal(camp_status(f, camp), "completed");
	assert_int_equal(qi(f, "SELECT failed_count FROM campaigns WHERE id = ?",
	    camp), 1);
	assert_int_equal(qi(f, "SELECT success_count FROM campaigns WHERE id = ?",
	    camp), 1);
}

/* cbw_send_retry_due : jamais un désabonné ni une campagne annulée. */
static void
test_retry_filters(void **state)
{
	struct fx	*f = *state;
	long long	 camp, gone, m1, m2, m3, m4, c1, c2;
	long		 n = -1;

	camp = add_campaign(f, "sending", NULL, NULL, NULL);
	gone = add_campaign(f, "sending", NULL, NULL, NULL);
	c1 = add_contact(f, "01", "A", "B", 0);
	c2 = add_contact(f, "02", "C", "D", 0);
	m1 = add_msg(f, camp, c1, "message_1", "X");
	m2 = add_msg(f, camp, c2, "message_1", "X");
	m3 = add_msg(f, gone, c1, "message_1", "X");
	m4 = add_msg(f, camp, c1, "message_2", "X");
	assert_int_equal(cbw_db_exec(f->db, "UPDATE messages SET status = "
	    "'failed', retryable = 1, error_class = 'retryable', failed_at = "
	    "'2026-11-18T11:00:00Z', retry_count = CASE WHEN id = ? THEN 2 "
	    "ELSE 0 END", "i", m4), CBW_OK);
	assert_int_equal(cbw_db_exec(f->db, "UPDATE contacts SET opted_out_at = "
	    "'2026-11-18T11:01:00Z' WHERE id = ?", "i", c2), CBW_OK);
	assert_int_equal(cbw_db_exec(f->db, "UPDATE campaigns SET status = "
	    "'cancelled' WHERE id = ?", "i", gone), CBW_OK);
	assert_int_equal(cbw_send_retry_due(f->db, f->now, &n), CBW_OK);
	assert_int_equal(n, 2);
	assert_string_equal(STATUS(f, m1), "pending");
	qs_eq(f, "SELECT next_attempt_at FROM messages WHERE id = ?", m1,
	    "2026-11-18T11:01:00Z");
	assert_string_equal(STATUS(f, m2), "failed");
	assert_string_equal(STATUS(f, m3), "failed");
	assert_string_equal(STATUS(f, m4), "pending");
	assert_int_equal(qi(f, "SELECT retry_count FROM messages WHERE id = ?", m4), 3);
	qs_eq(f, "SELECT next_attempt_at FROM messages WHERE id = ?", m4,
	    "2026-11-18T11:04:00Z");
}

/* Règles de fin de campagne. */
static void
test_settle(void **state)
{
	struct fx	*f = *state;
	long long	 camp, m1, m2, m3, c1, c2;
	long		 n;

	camp = add_campaign(f, "sending", NULL, NULL, NULL);
	c1 = add_contact(f, "01", "A", "B", 0);
	c2 = add_contact(f, "02", "C", "D", 0);
	m1 = add_msg(f, camp, c1, "message_1", "X");
	m2 = add_msg(f, camp, c2, "message_1", "X");
	m3 = add_msg(f, camp, c1, "message_2", "X");
	/* Lignes en attente : rien. */
	assert_int_equal(cbw_send_settle(f->db, camp, f->now), CBW_OK);
	assert_string_equal(camp_status(f, camp), "sending");
	/* Une en cours : rien. */
	assert_int_equal(cbw_db_exec(f->db, "UPDATE messages SET status = 'sent' "
	    "WHERE id = ?", "i", m1), CBW_OK);
	assert_int_equal(cbw_db_exec(f->db, "UPDATE messages SET status = "
	    "'sending' WHERE id = ?", "i", m2), CBW_OK);
	assert_int_equal(cbw_send_settle(f->db, camp, f->now), CBW_OK);
	assert_string_equal(camp_status(f, camp), "sending");
	/* Échec réessayable avec reprises restantes : on attend. */
	assert_int_equal(cbw_db_exec(f->db, "UPDATE messages SET status = "
	    "'failed', retryable = 1, retry_count = 2 WHERE id = ?", "i", m2),
	    CBW_OK);
	assert_int_equal(cbw_send_settle(f->db, camp, f->now), CBW_OK);
	assert_string_equal(camp_status(f, camp), "sending");
	/* Le contact se désabonne : plus de reprise possible → réglée par
	 * cbw-retry ; le Message 2 en attente ne bloque pas. */
	assert_int_equal(cbw_db_exec(f->db, "UPDATE contacts SET opted_out_at = "
	    "'2026-11-18T11:00:00Z' WHERE id = ?", "i", c2), CBW_OK);
	assert_int_equal(cbw_send_retry_due(f->db, f->now, &n), CBW_OK);
	assert_int_equal(n, 0);
	assert_string_equal(camp_status(f, camp), "completed");
	qs_eq(f, "SELECT completed_at FROM campaigns WHERE id = ?", camp,
	    "2026-11-18T11:06:40Z");
	assert_string_equal(STATUS(f, m3), "pending");
	/* Déjà terminée : inchangée. */
	assert_int_equal(cbw_db_exec(f->db, "UPDATE messages SET status = 'failed' "
	    "WHERE id = ?", "i", m1), CBW_OK);
	assert_int_equal(cbw_send_settle(f->db, camp, f->now + 5000), CBW_OK);
	assert_string_equal(camp_status(f, camp), "completed");
	qs_eq(f, "SELECT completed_at FROM campaigns WHERE id = ?", camp,
	    "2026-11-18T11:06:40Z");

	/* Tout en échec (réessais épuisés) : 'failed'. */
	camp = add_campaign(f, "sending", NULL, NULL, NULL);
	m1 = add_msg(f, camp, c1, "message_1", "X");
	assert_int_equal(cbw_db_exec(f->db, "UPDATE messages SET status = "
	    "'failed', retryable = 1, retry_count = 3 WHERE id = ?", "i", m1),
	    CBW_OK);
	assert_int_equal(cbw_send_settle(f->db, camp, f->now), CBW_OK);
	assert_string_equal(camp_status(f, camp), "failed");
}

/* Fenêtre de 60 s et cadence de cbw_send_room. */
static void
test_room(void **state)
{
	struct fx	*f = *state;
	long long	 next = 0, i;

	assert_int_equal(cbw_send_room(f->db, 3, T0, &next), 3);
	assert_int_equal(next, T0);
	/* Cadence : 60000 / 7 = 8571,4 → 8571 ms. */
	assert_int_equal(cbw_db_exec(f->db, "INSERT INTO send_attempts (at_ms) "
	    "VALUES (?)", "i", T0 - 100), CBW_OK);
	assert_int_equal(cbw_send_room(f->db, 7, T0, &next), 6);
	assert_int_equal(next, T0 - 100 + 8571);
	assert_int_equal(cbw_send_room(f->db, 1, T0, &next), 0);
	assert_int_equal(next, T0 - 100 + 60000);
	/* Fenêtre pleine : le plus ancien doit sortir. */
	assert_int_equal(cbw_db_exec(f->db, "DELETE FROM send_attempts", NULL),
	    CBW_OK);
	for (i = 0; i < 5; i++)
		assert_int_equal(cbw_db_exec(f->db, "INSERT INTO send_attempts "
		    "(at_ms) VALUES (?)", "i", T0 - 50000 + i * 1000), CBW_OK);
	assert_int_equal(cbw_send_room(f->db, 5, T0, &next), 0);
	assert_int_equal(next, T0 + 10000);
	assert_int_equal(cbw_send_room(f->db, 3, T0, &next), 0);
	assert_int_equal(next, T0 + 12000);
	assert_int_equal(cbw_send_room(f->db, 100, T0, &next), 95);
	assert_int_equal(next, T0);
	assert_int_equal(cbw_send_room(f->db, 100, T0 - 45500, &next), 95);
	assert_int_equal(next, T0 - 46000 + 600);
	/* Hors fenêtre : ne compte plus. */
	assert_int_equal(cbw_send_room(f->db, 5, T0 + 10001, &next), 1);
	assert_int_equal(next, T0 + 10001);
	/*
	 * Horloge qui recule : un appel noté 30 s « plus tard » compte encore
	 * (fenêtre et cadence) ; un appel noté une heure plus tard est ignoré.
	 */
	assert_int_equal(cbw_db_exec(f->db, "DELETE FROM send_attempts", NULL),
	    CBW_OK);
	assert_int_equal(cbw_db_exec(f->db, "INSERT INTO send_attempts (at_ms) "
	    "VALUES (?)", "i", T0 + 30000), CBW_OK);
	assert_int_equal(cbw_send_room(f->db, 2, T0, &next), 1);
	assert_int_equal(next, T0 + 60000);
	assert_int_equal(cbw_db_exec(f->db, "UPDATE send_attempts SET at_ms = ?",
	    "i", T0 + 3600000), CBW_OK);
	assert_int_equal(cbw_send_room(f->db, 2, T0, &next), 2);
	assert_int_equal(next, T0);
}

/* Lance les tests unitaires de l'envoi. */
int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_success, setup, teardown),
		cmocka_unit_test_setup_teardown(test_permanent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_retryable, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stop, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rate_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_message2_first, setup, teardown),
		cmocka_unit_test_setup_teardown(test_opted_out, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stale, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_due, setup, teardown),
		cmocka_unit_test_setup_teardown(test_paused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_template, setup, teardown),
		cmocka_unit_test_setup_teardown(test_invalid_body, setup, teardown),
		cmocka_unit_test_setup_teardown(test_duplicate_wamid, setup, teardown),
		cmocka_unit_test_setup_teardown(test_midrun_poll, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reaped_then_answered, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_stop_flag, setup, teardown),
		cmocka_unit_test_setup_teardown(test_retry_schedule, setup, teardown),
		cmocka_unit_test_setup_teardown(test_retry_filters, setup, teardown),
		cmocka_unit_test_setup_teardown(test_settle, setup, teardown),
		cmocka_unit_test_setup_teardown(test_room, setup, teardown),
	};

	cbw_log_init("test_send", CBW_LOG_CRITICAL);
	return cmocka_run_group_tests_name("send", tests, NULL, NULL);
}
