/*
 * Tests de propriétés de l'envoi (lib/send.c), sur horloge virtuelle et
 * transport factice, avec une vraie base SQLite partagée par deux
 * connexions (deux expéditeurs qui se chevauchent) :
 *  - propriété 4 : jamais plus de `rate` appels dans une fenêtre de 60 s,
 *    quels que soient le débit, l'arriéré, les passages (débuts, durées,
 *    chevauchements), la latence et les échecs ; et avec un arriéré
 *    constant et des passages de 59 s chaque minute, au moins 96 % du
 *    débit permis est utilisé ;
 *  - propriété 7 : au plus 3 reprises automatiques (4 appels en tout) ;
 *  - propriété 8 : reprises à failed_at + 1, 2 puis 4 minutes exactement,
 *    et jamais moins de 1, 2, 4 minutes entre deux appels ;
 *  - propriété 14 (côté envoi) : tout message accepté finit 'sent' avec le
 *    wamid rendu, tout message essayé finit dans un seul état final ou en
 *    attente, et aucun message n'est envoyé deux fois sans remise en file.
 *
 * Graine : variable CBW_SEED si elle est donnée, sinon l'heure. La graine
 * est affichée au début (« seed=<n> ») : CBW_SEED=<n> rejoue le même essai.
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
#define NITER		120		/* essais par propriété (≥ 100) */
#define NITER_USE	100		/* essais de l'utilisation (les plus longs) */
#define MAXMSG		1000
#define MAXTRY		8

static uint64_t	 seed;
static char	 tmpdir[64];
static double	 worst_window = 0;	/* max (fenêtre / débit) observé */
static double	 worst_use = 10;	/* utilisation minimale observée */

/* Un message de la simulation et ce que le transport en a vu. */
struct msg {
	long long	 id;
	long		 calls;
	long long	 at[MAXTRY];
	int		 last_ok;
	long long	 last_code;
	char		 wamid[160];
};

/* Un appel au transport. */
struct call {
	long long	 at;
	int		 who;
};

struct sim {
	struct cbw_db	*db[2];
	long long	 now;
	long		 rate;
	struct call	*calls;
	size_t		 ncalls;
	size_t		 capcalls;
	struct msg	 msgs[MAXMSG];
	size_t		 nmsgs;
	/* réglages */
	int		 interleave;	/* B tourne pendant les attentes de A */
	int		 in_b;
	long long	 max_latency;
	int		 pct_ok;	/* le reste : réessayable, permanent, limite */
	int		 pct_retry;
	int		 pct_perm;
	long long	 seq;
	long		 b_runs;
};

/* Transport : quel expéditeur appelle. */
struct who {
	struct sim	*sim;
	int		 who;
};

static struct sim	 S;
static struct who	 WA = { &S, 0 }, WB = { &S, 1 };

/* ---- horloge et transport virtuels ------------------------------------- */

/* Heure virtuelle commune aux deux expéditeurs. */
static long long
v_now(void *arg)
{
	return ((struct who *)arg)->sim->now;
}

static void	 run_b(struct sim *);

/*
 * Fait passer `ms` ; pendant les attentes de A (si interleave), B fait de
 * temps en temps un passage : deux expéditeurs sur la même base.
 */
static void
advance(struct sim *s, int who, long long ms)
{
	long long	 c;

	if (!s->interleave || s->in_b || who != 0) {
		s->now += ms;
		return;
	}
	while (ms > 0) {
		c = 1 + (long long)cbw_t_below(2500);
		if (c > ms)
			c = ms;
		s->now += c;
		ms -= c;
		if (cbw_t_below(3) == 0)
			run_b(s);
	}
}

/* Attente d'un expéditeur : le temps virtuel avance (voir advance). */
static void
v_sleep(void *arg, long long ms)
{
	struct who	*w = arg;

	assert_true(ms > 0);
	advance(w->sim, w->who, ms);
}

/* Indice du message d'après le texte « k<i> » du corps. */
static size_t
msg_index(const char *body)
{
	struct json_object	*o, *t, *b;
	const char		*txt;
	char			*end;
	long long		 i;

	assert_non_null(o = json_tokener_parse(body));
	assert_true(json_object_object_get_ex(o, "text", &t));
	assert_true(json_object_object_get_ex(t, "body", &b));
	txt = json_object_get_string(b);
	assert_true(txt[0] == 'k');
	i = strtoll(txt + 1, &end, 10);
	assert_true(*end == '\0' && i >= 0 && (size_t)i < S.nmsgs);
	json_object_put(o);
	return (size_t)i;
}

/* Transport factice : résultat tiré au hasard selon les réglages. */
static void
v_send(void *arg, const char *body, struct cbw_wa_result *res)
{
	struct who	*w = arg;
	struct sim	*s = w->sim;
	struct msg	*m;
	struct call	*grown;
	int		 r;

	m = &s->msgs[msg_index(body)];
	if (m->calls > 100)
		fail_msg("seed=%llu : message %lld envoyé plus de 100 fois",
		    (unsigned long long)seed, m->id);
	if (s->ncalls == s->capcalls) {
		s->capcalls = s->capcalls ? s->capcalls * 2 : 1024;
		assert_non_null(grown = realloc(s->calls, s->capcalls *
		    sizeof(*grown)));
		s->calls = grown;
	}
	s->calls[s->ncalls].at = s->now;
	s->calls[s->ncalls++].who = w->who;
	if (m->calls < MAXTRY)
		m->at[m->calls] = s->now;
	m->calls++;
	memset(res, 0, sizeof(*res));
	r = (int)cbw_t_below(100);
	if (r < s->pct_ok) {
		res->cls = CBW_WA_OK;
		snprintf(res->wamid, sizeof(res->wamid), "wamid.P%lld", ++s->seq);
	} else if (r < s->pct_ok + s->pct_retry) {
		res->cls = CBW_WA_RETRYABLE;
		res->code = 131000;
	} else if (r < s->pct_ok + s->pct_retry + s->pct_perm) {
		res->cls = CBW_WA_PERMANENT;
		res->code = 131026;
	} else {
		res->cls = CBW_WA_RETRYABLE;
		res->code = 130429;
	}
	if (res->cls != CBW_WA_OK)
		snprintf(res->error, sizeof(res->error), "Erreur %lld.", res->code);
	m->last_ok = res->cls == CBW_WA_OK;
	m->last_code = res->code;
	snprintf(m->wamid, sizeof(m->wamid), "%s", res->wamid);
	advance(s, w->who, (long long)cbw_t_below((size_t)s->max_latency + 1));
}

/* Expéditeur `w` sur la connexion de son indice. */
static void
mk_sender(struct sim *s, struct cbw_sender *snd, struct who *w, long long run_ms,
    int once)
{
	memset(snd, 0, sizeof(*snd));
	snd->db = s->db[w->who];
	snd->rate = s->rate;
	snd->run_ms = run_ms;
	snd->stale_ms = 60000;
	snd->once = once;
	snd->clock.now_ms = v_now;
	snd->clock.sleep_ms = v_sleep;
	snd->clock.arg = w;
	snd->transport = v_send;
	snd->transport_arg = w;
}

/* Passage de B (autre connexion), court ou « once », sans imbrication. */
static void
run_b(struct sim *s)
{
	struct cbw_sender	 b;
	struct cbw_send_report	 rep;

	s->in_b = 1;
	mk_sender(s, &b, &WB, 1 + (long long)cbw_t_below(5000),
	    cbw_t_below(2) == 0);
	if (cbw_send_run(&b, &rep) != CBW_OK)
		fail_msg("seed=%llu : passage de B en erreur", (unsigned long long)seed);
	s->b_runs++;
	s->in_b = 0;
}

/* Passage de A. */
static void
run_a(struct sim *s, long long run_ms, int once)
{
	struct cbw_sender	 a;
	struct cbw_send_report	 rep;

	mk_sender(s, &a, &WA, run_ms, once);
	if (cbw_send_run(&a, &rep) != CBW_OK)
		fail_msg("seed=%llu : passage de A en erreur", (unsigned long long)seed);
}

/* ---- base -------------------------------------------------------------- */

/*
 * Ouvre (crée) la base `path`, migrée, avec l'utilisateur 1 ; écritures
 * sans fsync (base jetable). Rend la connexion ou NULL.
 */
static struct cbw_db *
open_db(const char *path)
{
	struct cbw_db	*db = NULL;
	char		 err[512] = "";

	if (cbw_db_open(&db, path, 1, err, sizeof(err)) != CBW_OK ||
	    cbw_db_script(db, "PRAGMA synchronous=OFF", err, sizeof(err)) != CBW_OK ||
	    cbw_migrate(db, cbw_t_migrations_dir(), NULL, err, sizeof(err)) != CBW_OK ||
	    cbw_db_exec(db, "INSERT OR IGNORE INTO users (id, email, "
	    "password_hash, role, created_at, updated_at) VALUES (1, "
	    "'a@exemple.fr', 'x', 'admin', '2026-01-01T00:00:00Z', "
	    "'2026-01-01T00:00:00Z')", NULL) != CBW_OK) {
		fprintf(stderr, "%s : %s\n", path, err);
		cbw_db_close(db);
		return NULL;
	}
	return db;
}

/* Une base dans un dossier temporaire (en mémoire si possible), deux connexions. */
static int
group_setup(void **state)
{
	char	 path[128];

	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "%s/cbw-psend-XXXXXX",
	    access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
	if (mkdtemp(tmpdir) == NULL)
		return -1;
	snprintf(path, sizeof(path), "%s/test.db", tmpdir);
	if ((S.db[0] = open_db(path)) == NULL || (S.db[1] = open_db(path)) == NULL)
		return -1;
	return 0;
}

/* Ferme les bases, supprime le dossier et affiche les pires mesures. */
static int
group_teardown(void **state)
{
	(void)state;
	cbw_db_close(S.db[0]);
	cbw_db_close(S.db[1]);
	free(S.calls);
	cbw_t_rmtree(tmpdir);
	printf("fenêtre de 60 s maximale / débit : %.3f ; utilisation "
	    "minimale : %.4f\n", worst_window, worst_use);
	return 0;
}

/*
 * Remet la simulation à zéro et crée `n` messages (Message 1, parfois
 * Message 2 pour le même contact) répartis sur 1 à 3 campagnes 'sending'.
 */
static void
populate(struct sim *s, size_t n, int with_m2)
{
	char		 err[256], num[32], txt[32];
	long long	 camps[3], contact;
	size_t		 i, ncamp = 1 + cbw_t_below(3);
	struct call	*calls = s->calls;
	size_t		 cap = s->capcalls;
	struct cbw_db	*db0 = s->db[0], *db1 = s->db[1];

	memset(s, 0, sizeof(*s));
	s->calls = calls;
	s->capcalls = cap;
	s->db[0] = db0;
	s->db[1] = db1;
	assert_int_equal(cbw_db_script(db0, "DELETE FROM send_attempts; "
	    "DELETE FROM messages; DELETE FROM campaigns; DELETE FROM contacts;",
	    err, sizeof(err)), CBW_OK);
	assert_int_equal(cbw_db_begin(db0), CBW_OK);
	for (i = 0; i < ncamp; i++) {
		assert_int_equal(cbw_db_exec(db0, "INSERT INTO campaigns (name, "
		    "message_1, status, created_by, created_at, updated_at) VALUES "
		    "('P', 'x', 'sending', 1, '2026-01-01T00:00:00Z', "
		    "'2026-01-01T00:00:00Z')", NULL), CBW_OK);
		camps[i] = cbw_db_last_id(db0);
	}
	assert_true(n <= MAXMSG);
	for (i = 0; i < n; i++) {
		snprintf(num, sizeof(num), "+3361%07zu", i);
		assert_int_equal(cbw_db_exec(db0, "INSERT INTO contacts "
		    "(phone_number, country_code, full_number, created_by, "
		    "created_at, updated_at) VALUES (?, '+33', ?, 1, "
		    "'2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')", "ss",
		    num + 3, num), CBW_OK);
		contact = cbw_db_last_id(db0);
		snprintf(txt, sizeof(txt), "k%zu", i);
		assert_int_equal(cbw_db_exec(db0, "INSERT INTO messages "
		    "(campaign_id, contact_id, message_type, content, created_at, "
		    "updated_at) VALUES (?, ?, ?, ?, '2026-01-01T00:00:00Z', "
		    "'2026-01-01T00:00:00Z')", "iiss", camps[cbw_t_below(ncamp)],
		    contact, with_m2 && cbw_t_below(5) == 0 ? "message_2" :
		    "message_1", txt), CBW_OK);
		s->msgs[i].id = cbw_db_last_id(db0);
	}
	s->nmsgs = n;
	assert_int_equal(cbw_db_commit(db0), CBW_OK);
}

/* Ordre des appels par instant (qsort). */
static int
cmp_call(const void *a, const void *b)
{
	const struct call	*x = a, *y = b;

	return x->at < y->at ? -1 : x->at > y->at;
}

/*
 * Plus grand nombre d'appels dans une fenêtre de 60 s (]t - 60 s, t] pour
 * chaque instant d'appel t).
 */
static long
max_window(struct sim *s)
{
	size_t	 i, j = 0;
	long	 best = 0;

	qsort(s->calls, s->ncalls, sizeof(*s->calls), cmp_call);
	for (i = 0; i < s->ncalls; i++) {
		while (s->calls[j].at <= s->calls[i].at - 60000)
			j++;
		if ((long)(i - j + 1) > best)
			best = (long)(i - j + 1);
	}
	return best;
}

/* Vérifie la fenêtre de 60 s et garde le pire rapport. */
static void
check_window(struct sim *s, const char *what)
{
	long	 w = max_window(s);
	double	 r = (double)w / (double)s->rate;

	if (r > worst_window)
		worst_window = r;
	if (w > s->rate)
		fail_msg("seed=%llu : %s : %ld appels dans 60 s pour un débit de "
		    "%ld/min", (unsigned long long)seed, what, w, s->rate);
}

/*
 * Propriété 14 (côté envoi) et cohérence du journal : chaque appel a sa
 * ligne send_attempts ; un message accepté finit 'sent' avec son wamid et
 * sent_at ; un message essayé n'est jamais laissé 'sending' ; nombre
 * d'appels = reprises + 1 (0 s'il attend encore sa reprise ou a été
 * annulé) ; un échec porte le code du dernier appel. full_log : 0 si la
 * simulation a duré plus d'une heure (send_attempts élaguée).
 */
static void
check_outcomes(struct sim *s, int full_log)
{
	struct cbw_stmt	*st;
	struct msg	*m;
	const char	*status;
	long long	 n = -1, rc, code;
	size_t		 i, seen = 0;
	int		 waiting;

	assert_int_equal(cbw_db_query_int(s->db[0], &n, "SELECT count(*) FROM "
	    "send_attempts", NULL), CBW_OK);
	if (full_log && n != (long long)s->ncalls)
		fail_msg("seed=%llu : %lld send_attempts pour %zu appels",
		    (unsigned long long)seed, n, s->ncalls);
	assert_int_equal(cbw_db_prepare(s->db[0], "SELECT id, status, "
	    "retry_count, coalesce(whatsapp_message_id, ''), sent_at IS NOT NULL, "
	    "coalesce(error_code, 0), (SELECT count(*) FROM send_attempts a "
	    "WHERE a.message_id = messages.id) FROM messages ORDER BY id", &st),
	    CBW_OK);
	while (cbw_db_step(st) == CBW_STEP_ROW) {
		for (i = 0; i < s->nmsgs && s->msgs[i].id != cbw_db_col_int(st, 0); i++)
			continue;
		assert_true(i < s->nmsgs);
		m = &s->msgs[i];
		seen++;
		status = cbw_db_col_text(st, 1);
		rc = cbw_db_col_int(st, 2);
		code = cbw_db_col_int(st, 5);
		if (full_log && cbw_db_col_int(st, 6) != m->calls)
			fail_msg("seed=%llu : message %lld : %lld send_attempts, "
			    "%ld appels", (unsigned long long)seed, m->id,
			    cbw_db_col_int(st, 6), m->calls);
		if (m->calls == 0) {
			if (strcmp(status, "pending") != 0 &&
			    strcmp(status, "cancelled") != 0)
				fail_msg("seed=%llu : message %lld jamais essayé mais "
				    "« %s »", (unsigned long long)seed, m->id, status);
			continue;
		}
		if (strcmp(status, "sending") == 0)
			fail_msg("seed=%llu : message %lld resté 'sending'",
			    (unsigned long long)seed, m->id);
		waiting = strcmp(status, "pending") == 0 ||
		    strcmp(status, "cancelled") == 0;
		if (m->calls != rc + (waiting ? 0 : 1))
			fail_msg("seed=%llu : message %lld : %ld appels pour %lld "
			    "reprise(s), « %s »", (unsigned long long)seed, m->id,
			    m->calls, rc, status);
		if (m->last_ok && !waiting && (strcmp(status, "sent") != 0 ||
		    strcmp(cbw_db_col_text(st, 3), m->wamid) != 0 ||
		    cbw_db_col_int(st, 4) != 1))
			fail_msg("seed=%llu : message %lld accepté (%s) mais « %s » "
			    "« %s »", (unsigned long long)seed, m->id, m->wamid,
			    status, cbw_db_col_text(st, 3));
		if (m->last_ok && waiting)
			fail_msg("seed=%llu : message %lld accepté puis remis en file",
			    (unsigned long long)seed, m->id);
		if (!m->last_ok && !waiting && (strcmp(status, "failed") != 0 ||
		    code != m->last_code))
			fail_msg("seed=%llu : message %lld : échec %lld attendu, "
			    "« %s » %lld", (unsigned long long)seed, m->id,
			    m->last_code, status, code);
		if (!m->last_ok && strcmp(status, "sent") == 0)
			fail_msg("seed=%llu : message %lld 'sent' sans acceptation",
			    (unsigned long long)seed, m->id);
	}
	cbw_db_done(st);
	assert_int_equal(seen, s->nmsgs);
}

/* Désabonne quelques contacts au hasard. */
static void
opt_out_some(struct sim *s)
{
	size_t	 k = cbw_t_below(3), i;

	for (i = 0; i < k && s->nmsgs > 0; i++)
		assert_int_equal(cbw_db_exec(s->db[0], "UPDATE contacts SET "
		    "opted_out_at = '2026-01-02T00:00:00Z' WHERE id = (SELECT "
		    "contact_id FROM messages WHERE id = ?)", "i",
		    s->msgs[cbw_t_below(s->nmsgs)].id), CBW_OK);
}

/* Affiche la durée d'une propriété (pour la garder courte). */
static void
timing(const char *name, size_t n, const struct timespec *t0)
{
	struct timespec	 t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("%s : %zu essais, %.2f s\n", name, n,
	    (double)(t1.tv_sec - t0->tv_sec) +
	    (double)(t1.tv_nsec - t0->tv_nsec) / 1e9);
}

/* ---- propriétés -------------------------------------------------------- */

/*
 * Propriété 4 (et 14) : débit, arriéré, passages, chevauchements, latence
 * et échecs au hasard ; la fenêtre de 60 s n'excède jamais le débit.
 */
static void
prop_window(void **state)
{
	struct timespec	 t0;
	struct sim	*s = &S;
	size_t		 it, r, nruns, n;
	long		 rate;
	long		 retried;

	(void)state;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (it = 0; it < NITER; it++) {
		rate = 1 + (long)cbw_t_below(200);
		n = 1 + cbw_t_below((size_t)rate * 2 + 20);
		if (n > MAXMSG)
			n = MAXMSG;
		populate(s, n, 1);
		s->rate = rate;
		s->now = T0 + (long long)cbw_t_below(86400000);
		s->interleave = cbw_t_below(4) != 0;
		s->max_latency = cbw_t_below(3) == 0 ? 0 :
		    (long long)cbw_t_below(5000);
		s->pct_ok = 40 + (int)cbw_t_below(61);
		s->pct_retry = (100 - s->pct_ok) / 2;
		s->pct_perm = (100 - s->pct_ok - s->pct_retry) / 2;
		nruns = 1 + cbw_t_below(6);
		for (r = 0; r < nruns; r++) {
			if (cbw_t_below(3) != 0)
				s->now += (long long)cbw_t_below(90000);
			run_a(s, 1000 + (long long)cbw_t_below(120000),
			    cbw_t_below(6) == 0);
			if (cbw_t_below(2) == 0)
				assert_int_equal(cbw_send_retry_due(s->db[0], s->now,
				    &retried), CBW_OK);
			if (cbw_t_below(4) == 0)
				opt_out_some(s);
		}
		check_window(s, "passages au hasard");
		check_outcomes(s, 1);
	}
	timing("prop_window", NITER, &t0);
}

/*
 * Propriété 4, utilisation : arriéré constant, passages de 59 s au début
 * de chaque minute ; au moins 96 % de rate × minutes appels.
 */
static void
prop_utilisation(void **state)
{
	struct timespec	 t0;
	struct sim	*s = &S;
	struct cbw_db	*file_db = S.db[0];
	size_t		 it, m, minutes;
	long long	 start, interval;
	long		 rate;
	double		 use;

	(void)state;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	/* Un seul expéditeur : base en mémoire, bien plus rapide. */
	S.db[0] = open_db(":memory:");
	for (it = 0; it < NITER_USE; it++) {
		rate = 1 + (long)cbw_t_below(200);
		minutes = 2 + (cbw_t_below(4) == 0);
		populate(s, (size_t)rate * minutes + 5, 0);
		s->rate = rate;
		interval = (60000 + s->rate - 1) / s->rate;
		s->pct_ok = 100;
		s->max_latency = interval / 2;
		start = T0 + (long long)cbw_t_below(86400000);
		for (m = 0; m < minutes; m++) {
			assert_true(s->now <= start + (long long)m * 60000);
			s->now = start + (long long)m * 60000;
			run_a(s, 59000, 0);
		}
		use = (double)s->ncalls / ((double)s->rate * (double)minutes);
		if (use < worst_use)
			worst_use = use;
		if (use < 0.96)
			fail_msg("seed=%llu : %zu appels en %zu min à %ld/min "
			    "(%.3f)", (unsigned long long)seed, s->ncalls, minutes,
			    s->rate, use);
		check_window(s, "arriéré constant");
		check_outcomes(s, 1);
	}
	cbw_db_close(S.db[0]);
	S.db[0] = file_db;
	timing("prop_utilisation", NITER_USE, &t0);
}

/* Nombre de messages pas encore en échec définitif après 3 reprises. */
static long long
not_done(struct sim *s)
{
	long long	 n = -1;

	assert_int_equal(cbw_db_query_int(s->db[0], &n, "SELECT count(*) FROM "
	    "messages WHERE NOT (status = 'failed' AND retry_count = 3)", NULL),
	    CBW_OK);
	return n;
}

/*
 * Propriété 8 (planification) : toute ligne remise en file a
 * next_attempt_at = failed_at + 1, 2 ou 4 min selon sa reprise.
 */
static void
check_schedule(struct sim *s)
{
	struct cbw_stmt	*st;
	char		 want[32];
	time_t		 failed;
	long long	 rc;

	assert_int_equal(cbw_db_prepare(s->db[0], "SELECT id, failed_at, "
	    "retry_count, next_attempt_at FROM messages WHERE status = 'pending' "
	    "AND retry_count > 0", &st), CBW_OK);
	while (cbw_db_step(st) == CBW_STEP_ROW) {
		rc = cbw_db_col_int(st, 2);
		failed = cbw_time_parse(cbw_db_col_text(st, 1));
		assert_true(failed > 0 && rc >= 1 && rc <= 3);
		cbw_time_iso(failed + 60 * ((time_t)1 << (rc - 1)), want,
		    sizeof(want));
		if (strcmp(cbw_db_col_text(st, 3), want) != 0)
			fail_msg("seed=%llu : message %lld reprise %lld : %s, "
			    "attendu %s (échec %s)", (unsigned long long)seed,
			    cbw_db_col_int(st, 0), rc, cbw_db_col_text(st, 3), want,
			    cbw_db_col_text(st, 1));
	}
	cbw_db_done(st);
}

/*
 * Propriétés 7 et 8 : échecs toujours réessayables, passages d'envoi et de
 * reprise alternés au hasard ; 4 appels exactement par message, espacés
 * d'au moins 1, 2 puis 4 minutes, puis plus rien.
 */
static void
prop_retries(void **state)
{
	struct timespec	 t0;
	static const long long	 gap[] = { 60000, 120000, 240000 };
	struct sim		*s = &S;
	struct msg		*m;
	struct cbw_db		*file_db = S.db[0];
	size_t			 it, step, i, k, before;
	long			 n;

	(void)state;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	/* Un seul expéditeur : base en mémoire, bien plus rapide. */
	S.db[0] = open_db(":memory:");
	for (it = 0; it < NITER; it++) {
		populate(s, 1 + cbw_t_below(4), cbw_t_below(2));
		s->rate = 1 + (long)cbw_t_below(200);
		s->now = T0 + (long long)cbw_t_below(86400000);
		s->pct_retry = 100;
		s->max_latency = cbw_t_below(2) ? 0 : (long long)cbw_t_below(5000);
		for (step = 0; step < 400 && not_done(s) > 0; step++) {
			s->now += 1 + (long long)cbw_t_below(150000);
			if (cbw_t_below(2) == 0)
				run_a(s, 1000 + (long long)cbw_t_below(59000),
				    cbw_t_below(3) == 0);
			else {
				assert_int_equal(cbw_send_retry_due(s->db[0], s->now,
				    &n), CBW_OK);
				check_schedule(s);
			}
		}
		if (not_done(s) != 0)
			fail_msg("seed=%llu : reprises jamais terminées",
			    (unsigned long long)seed);
		/* Plus rien ne part, même après d'autres passages. */
		before = s->ncalls;
		for (k = 0; k < 3; k++) {
			s->now += 600000;
			assert_int_equal(cbw_send_retry_due(s->db[0], s->now, &n),
			    CBW_OK);
			assert_int_equal(n, 0);
			run_a(s, 59000, 0);
		}
		assert_int_equal(s->ncalls, before);
		for (i = 0; i < s->nmsgs; i++) {
			m = &s->msgs[i];
			if (m->calls != 4)
				fail_msg("seed=%llu : message %lld essayé %ld fois",
				    (unsigned long long)seed, m->id, m->calls);
			for (k = 0; k < 3; k++)
				if (m->at[k + 1] - m->at[k] < gap[k])
					fail_msg("seed=%llu : message %lld : reprise %zu "
					    "après %lld ms", (unsigned long long)seed,
					    m->id, k + 1, m->at[k + 1] - m->at[k]);
		}
		check_outcomes(s, 0);
		check_window(s, "reprises");
	}
	cbw_db_close(S.db[0]);
	S.db[0] = file_db;
	timing("prop_retries", NITER, &t0);
}

/*
 * Propriété 14 : échecs mêlés, chevauchements, reprises et désabonnements,
 * puis vidage complet ; l'état final de chaque ligne suit ses appels.
 */
static void
prop_outcomes(void **state)
{
	struct timespec	 t0;
	struct sim	*s = &S;
	size_t		 it, r, nruns;
	long		 n;

	(void)state;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (it = 0; it < NITER; it++) {
		populate(s, 1 + cbw_t_below(40), 1);
		s->rate = 30 + (long)cbw_t_below(171);
		s->now = T0 + (long long)cbw_t_below(86400000);
		s->interleave = cbw_t_below(2);
		s->max_latency = (long long)cbw_t_below(3000);
		s->pct_ok = (int)cbw_t_below(101);
		s->pct_retry = (int)cbw_t_below((size_t)(101 - s->pct_ok));
		s->pct_perm = (int)cbw_t_below((size_t)(101 - s->pct_ok -
		    s->pct_retry));
		nruns = 2 + cbw_t_below(10);
		for (r = 0; r < nruns; r++) {
			s->now += (long long)cbw_t_below(200000);
			if (cbw_t_below(3) == 0)
				assert_int_equal(cbw_send_retry_due(s->db[0], s->now,
				    &n), CBW_OK);
			else
				run_a(s, 1000 + (long long)cbw_t_below(59000),
				    cbw_t_below(4) == 0);
			if (cbw_t_below(5) == 0)
				opt_out_some(s);
		}
		check_outcomes(s, 1);
		check_window(s, "issues");
	}
	timing("prop_outcomes", NITER, &t0);
}

/* Affiche la graine et lance les propriétés. */
int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(prop_window),
		cmocka_unit_test(prop_utilisation),
		cmocka_unit_test(prop_retries),
		cmocka_unit_test(prop_outcomes),
	};

	seed = cbw_t_seed();
	cbw_log_init("prop_send", CBW_LOG_CRITICAL);
	return cmocka_run_group_tests_name("prop_send", tests, group_setup,
	    group_teardown);
}
