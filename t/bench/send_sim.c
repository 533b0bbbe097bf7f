/*
 * cbw-send-sim <débit> <minutes> <arriéré> [migrations] [latence_ms] :
 * exactitude du débit de l'envoi pour ./dev bench (ticket 5). Le vrai
 * cœur d'envoi (cbw_send_run, lib/send.c) tourne sur une vraie base
 * SQLite (fichier dans un dossier temporaire), avec une horloge virtuelle
 * et un transport factice qui accepte tout ; un passage « cron » commence
 * toutes les 60 s de temps virtuel et dure 59 s (run_ms = 59000), pendant
 * `minutes` minutes, avec un arriéré de `arriéré` messages en attente.
 *
 * Sortie : une ligne JSON (lue par t/bench/bench.mjs) avec le nombre
 * d'appels, la plus grande fenêtre de 60 s, l'utilisation (appels / (débit
 * × minutes)), les doublons, les contrôles en base, et le temps réel (mur
 * et processeur) par appel du cœur. Code de sortie : 0 si la simulation a
 * pu tourner (le respect des budgets se lit dans la sortie), 1 sinon, 2 sur
 * un argument invalide.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "db.h"
#include "log.h"
#include "migrate.h"
#include "send.h"
#include "whatsapp.h"

#define T0		1795000000000LL	/* 2026-11-18T11:06:40Z, en ms */
#define WINDOW_MS	60000LL
#define RUN_EVERY_MS	60000LL		/* un passage cron par minute */
#define RUN_MS		59000LL		/* durée d'un passage (cbw-sender) */
#define STALE_MS	60000LL
#define MAX_BACKLOG	2000000LL
#define MAX_MINUTES	600LL

/* État de la simulation : horloge virtuelle et appels vus par le transport. */
struct sim {
	long long	 now;		/* heure virtuelle (ms) */
	long long	 latency;	/* durée virtuelle d'un appel (ms) */
	long long	*calls;		/* instants des appels */
	size_t		 ncalls;
	size_t		 capcalls;
	unsigned char	*seen;		/* messages déjà envoyés (par indice) */
	size_t		 nmsgs;
	long		 duplicates;	/* messages envoyés plus d'une fois */
	long		 unreadable;	/* corps illisibles */
	long long	 seq;		/* numéro du prochain wamid */
	int		 oom;
};

/*
 * Heure virtuelle de la simulation `arg`. Rend les millisecondes depuis
 * l'époque Unix.
 */
static long long
v_now(void *arg)
{
	return ((struct sim *)arg)->now;
}

/* Attente du cœur : le temps virtuel avance de `ms`. Ne rend rien. */
static void
v_sleep(void *arg, long long ms)
{
	if (ms > 0)
		((struct sim *)arg)->now += ms;
}

/*
 * Indice du message d'après le texte « k<i> » du corps JSON envoyé. Rend
 * l'indice, ou -1 si le corps est illisible ou l'indice hors de l'arriéré.
 */
static long long
msg_index(const char *body, size_t nmsgs)
{
	struct json_object	*o, *t, *b;
	const char		*txt;
	char			*end;
	long long		 i = -1;

	if ((o = json_tokener_parse(body)) == NULL)
		return -1;
	if (json_object_object_get_ex(o, "text", &t) &&
	    json_object_object_get_ex(t, "body", &b) &&
	    (txt = json_object_get_string(b)) != NULL && txt[0] == 'k') {
		errno = 0;
		i = strtoll(txt + 1, &end, 10);
		if (errno != 0 || end == txt + 1 || *end != '\0' || i < 0 ||
		    (size_t)i >= nmsgs)
			i = -1;
	}
	json_object_put(o);
	return i;
}

/*
 * Transport factice : note l'instant de l'appel et le message (doublons),
 * accepte toujours avec un wamid neuf, puis fait passer la latence
 * virtuelle. Ne rend rien (le résultat est dans `res`).
 */
static void
v_send(void *arg, const char *body, struct cbw_wa_result *res)
{
	struct sim	*s = arg;
	long long	*grown, i;
	size_t		 cap;

	if (s->ncalls == s->capcalls) {
		cap = s->capcalls ? s->capcalls * 2 : 4096;
		if ((grown = realloc(s->calls, cap * sizeof(*grown))) == NULL)
			s->oom = 1;
		else {
			s->calls = grown;
			s->capcalls = cap;
		}
	}
	if (s->ncalls < s->capcalls)
		s->calls[s->ncalls++] = s->now;
	if ((i = msg_index(body, s->nmsgs)) < 0)
		s->unreadable++;
	else if (s->seen[i]++ > 0)
		s->duplicates++;
	memset(res, 0, sizeof(*res));
	res->cls = CBW_WA_OK;
	res->http_status = 200;
	snprintf(res->wamid, sizeof(res->wamid), "wamid.SIM%lld", ++s->seq);
	s->now += s->latency;
}

/*
 * Lit un entier décimal de `arg` entre lo et hi (strtoll, fin vérifiée).
 * Rend 1 et *out si la valeur est valide, 0 sinon.
 */
static int
parse_ll(const char *arg, long long lo, long long hi, long long *out)
{
	char		*end;
	long long	 v;

	errno = 0;
	v = strtoll(arg, &end, 10);
	if (errno != 0 || end == arg || *end != '\0' || v < lo || v > hi)
		return 0;
	*out = v;
	return 1;
}

/*
 * Ouvre (crée) la base `path`, la migre avec les fichiers de `migdir` et
 * ajoute l'utilisateur 1 (propriétaire de la campagne). Réglages de
 * production (WAL, synchronous=NORMAL) : c'est le coût réel du cœur qui
 * est mesuré. Rend la connexion, ou NULL (message sur stderr).
 */
static struct cbw_db *
open_db(const char *path, const char *migdir)
{
	struct cbw_db	*db = NULL;
	char		 err[512] = "";

	if (cbw_db_open(&db, path, 1, err, sizeof(err)) != CBW_OK ||
	    cbw_migrate(db, migdir, NULL, err, sizeof(err)) != CBW_OK ||
	    cbw_db_exec(db, "INSERT INTO users (id, email, password_hash, role, "
	    "created_at, updated_at) VALUES (1, 'bench@exemple.fr', 'x', "
	    "'admin', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')",
	    NULL) != CBW_OK) {
		fprintf(stderr, "cbw-send-sim : %s : %s\n", path,
		    err[0] != '\0' ? err : (db != NULL ? cbw_db_errmsg(db) :
		    "ouverture impossible"));
		cbw_db_close(db);
		return NULL;
	}
	return db;
}

/*
 * Crée l'arriéré : une campagne 'sending' et `n` contacts avec chacun un
 * Message 1 'pending' de texte « k<i> », dans une transaction. Rend CBW_OK
 * ou l'erreur de base.
 */
static enum cbw_err
populate(struct cbw_db *db, size_t n)
{
	struct cbw_stmt	*ic = NULL, *im = NULL;
	char		 num[32], txt[32];
	long long	 camp, contact;
	size_t		 i;
	enum cbw_err	 er;

	if ((er = cbw_db_begin(db)) != CBW_OK)
		return er;
	if ((er = cbw_db_exec(db, "INSERT INTO campaigns (name, message_1, "
	    "status, total_recipients, created_by, launched_at, created_at, "
	    "updated_at) VALUES ('Simulation', 'k', 'sending', ?, 1, "
	    "'2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', "
	    "'2026-01-01T00:00:00Z')", "i", (long long)n)) != CBW_OK)
		goto out;
	camp = cbw_db_last_id(db);
	if ((er = cbw_db_prepare(db, "INSERT INTO contacts (phone_number, "
	    "country_code, full_number, created_by, created_at, updated_at) "
	    "VALUES (?, '+33', ?, 1, '2026-01-01T00:00:00Z', "
	    "'2026-01-01T00:00:00Z')", &ic)) != CBW_OK ||
	    (er = cbw_db_prepare(db, "INSERT INTO messages (campaign_id, "
	    "contact_id, message_type, content, created_at, updated_at) VALUES "
	    "(?, ?, 'message_1', ?, '2026-01-01T00:00:00Z', "
	    "'2026-01-01T00:00:00Z')", &im)) != CBW_OK)
		goto out;
	for (i = 0; i < n; i++) {
		snprintf(num, sizeof(num), "+336%08zu", i + 10000000);
		if ((er = cbw_db_run(ic, "ss", num + 3, num)) != CBW_OK)
			goto out;
		contact = cbw_db_last_id(db);
		snprintf(txt, sizeof(txt), "k%zu", i);
		if ((er = cbw_db_run(im, "iis", camp, contact, txt)) != CBW_OK)
			goto out;
	}
	er = cbw_db_commit(db);
out:
	if (ic != NULL)
		cbw_db_done(ic);
	if (im != NULL)
		cbw_db_done(im);
	if (er != CBW_OK)
		cbw_db_rollback(db);
	return er;
}

/* Ordre croissant de deux instants (qsort). Rend -1, 0 ou 1. */
static int
cmp_ll(const void *a, const void *b)
{
	long long	 x = *(const long long *)a, y = *(const long long *)b;

	return x < y ? -1 : x > y;
}

/*
 * Plus grand nombre d'appels dans une fenêtre glissante de 60 s
 * (]t - 60 s, t] pour chaque instant d'appel t). Trie les instants. Rend
 * ce nombre (0 sans appel).
 */
static long
max_window(long long *at, size_t n)
{
	size_t	 i, j = 0;
	long	 best = 0;

	qsort(at, n, sizeof(*at), cmp_ll);
	for (i = 0; i < n; i++) {
		while (at[j] <= at[i] - WINDOW_MS)
			j++;
		if ((long)(i - j + 1) > best)
			best = (long)(i - j + 1);
	}
	return best;
}

/* Secondes écoulées sur l'horloge `id` depuis `t0`. Rend ces secondes. */
static double
since(clockid_t id, const struct timespec *t0)
{
	struct timespec	 t1;

	clock_gettime(id, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) +
	    (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

/* Rappelle l'usage sur la sortie d'erreur. Ne rend rien. */
static void
usage(void)
{
	fprintf(stderr, "usage : cbw-send-sim <débit/min> <minutes> <arriéré> "
	    "[dossier des migrations] [latence virtuelle en ms]\n");
}

/*
 * Programme : prépare la base et l'arriéré, fait `minutes` passages de
 * 59 s (un par minute virtuelle), puis écrit la ligne JSON de mesures.
 * Rend 0 si la simulation a tourné, 1 sur une erreur, 2 sur un argument
 * invalide.
 */
int
main(int argc, char **argv)
{
	struct sim		 s;
	struct cbw_sender	 snd;
	struct cbw_send_report	 rep;
	struct timespec		 w0, c0;
	struct cbw_db		*db = NULL;
	const char		*migdir = "db/migrations", *tmp;
	char			 dir[256], path[300];
	long long		 rate, minutes, backlog, latency = -1, start, m;
	long long		 sent_db = -1, attempts_db = -1, pending_db = -1;
	long long		 interval, overruns = 0, stopped = 0;
	double			 wall, cpu, use;
	long			 win;
	int			 rc = 1, made = 0;

	if (argc < 4 || argc > 6 ||
	    !parse_ll(argv[1], 1, 100000, &rate) ||
	    !parse_ll(argv[2], 1, MAX_MINUTES, &minutes) ||
	    !parse_ll(argv[3], 1, MAX_BACKLOG, &backlog) ||
	    (argc > 5 && !parse_ll(argv[5], 0, 59000, &latency))) {
		usage();
		return 2;
	}
	if (argc > 4)
		migdir = argv[4];
	cbw_log_init("cbw-send-sim", CBW_LOG_ERROR);
	memset(&s, 0, sizeof(s));
	interval = WINDOW_MS / rate;
	/* Par défaut, un appel dure la moitié de l'intervalle de cadence. */
	s.latency = latency >= 0 ? latency : interval / 2;
	s.nmsgs = (size_t)backlog;
	if ((s.seen = calloc(s.nmsgs, 1)) == NULL)
		goto out;
	tmp = getenv("TMPDIR");
	snprintf(dir, sizeof(dir), "%s/cbw-send-sim-XXXXXX",
	    tmp != NULL && tmp[0] != '\0' ? tmp : "/tmp");
	if (mkdtemp(dir) == NULL) {
		fprintf(stderr, "cbw-send-sim : %s : %s\n", dir, strerror(errno));
		goto out;
	}
	made = 1;
	snprintf(path, sizeof(path), "%s/sim.db", dir);
	if ((db = open_db(path, migdir)) == NULL)
		goto out;
	if (populate(db, s.nmsgs) != CBW_OK) {
		fprintf(stderr, "cbw-send-sim : arriéré : %s\n", cbw_db_errmsg(db));
		goto out;
	}

	memset(&snd, 0, sizeof(snd));
	snd.db = db;
	snd.rate = (long)rate;
	snd.run_ms = RUN_MS;
	snd.stale_ms = STALE_MS;
	snd.once = 0;
	snd.clock.now_ms = v_now;
	snd.clock.sleep_ms = v_sleep;
	snd.clock.arg = &s;
	snd.transport = v_send;
	snd.transport_arg = &s;

	start = T0;
	clock_gettime(CLOCK_MONOTONIC, &w0);
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c0);
	for (m = 0; m < minutes; m++) {
		/* Passage cron de la minute m ; le précédent l'a-t-il dépassée ? */
		if (s.now > start + m * RUN_EVERY_MS)
			overruns++;
		else
			s.now = start + m * RUN_EVERY_MS;
		if (cbw_send_run(&snd, &rep) != CBW_OK) {
			fprintf(stderr, "cbw-send-sim : passage %lld : %s\n", m,
			    cbw_db_errmsg(db));
			goto out;
		}
		stopped += rep.stopped;
	}
	wall = since(CLOCK_MONOTONIC, &w0);
	cpu = since(CLOCK_PROCESS_CPUTIME_ID, &c0);
	if (s.oom) {
		fprintf(stderr, "cbw-send-sim : mémoire épuisée\n");
		goto out;
	}

	if (cbw_db_query_int(db, &sent_db, "SELECT count(*) FROM messages "
	    "WHERE status = 'sent' AND whatsapp_message_id IS NOT NULL AND "
	    "sent_at IS NOT NULL", NULL) != CBW_OK ||
	    cbw_db_query_int(db, &attempts_db, "SELECT count(*) FROM "
	    "send_attempts", NULL) != CBW_OK ||
	    cbw_db_query_int(db, &pending_db, "SELECT count(*) FROM messages "
	    "WHERE status = 'pending'", NULL) != CBW_OK) {
		fprintf(stderr, "cbw-send-sim : contrôle : %s\n", cbw_db_errmsg(db));
		goto out;
	}
	win = max_window(s.calls, s.ncalls);
	use = (double)s.ncalls / ((double)rate * (double)minutes);
	printf("{\"rate\":%lld,\"minutes\":%lld,\"backlog\":%lld,"
	    "\"run_ms\":%lld,\"interval_ms\":%lld,\"latency_ms\":%lld,"
	    "\"calls\":%zu,\"max_window\":%ld,\"utilisation\":%.6f,"
	    "\"window_ok\":%s,\"utilisation_ok\":%s,\"duplicates\":%ld,"
	    "\"unreadable\":%ld,\"sent_db\":%lld,\"attempts_db\":%lld,"
	    "\"pending_db\":%lld,\"overruns\":%lld,\"stopped\":%lld,"
	    "\"wall_ms\":%.3f,\"cpu_ms\":%.3f,\"wall_us_per_call\":%.3f,"
	    "\"cpu_us_per_call\":%.3f}\n",
	    rate, minutes, backlog, RUN_MS, interval, s.latency, s.ncalls, win,
	    use, win <= rate ? "true" : "false", use >= 0.96 ? "true" : "false",
	    s.duplicates, s.unreadable, sent_db, attempts_db, pending_db,
	    overruns, stopped, wall * 1e3, cpu * 1e3,
	    s.ncalls ? wall * 1e6 / (double)s.ncalls : 0.0,
	    s.ncalls ? cpu * 1e6 / (double)s.ncalls : 0.0);
	rc = fflush(stdout) == 0 ? 0 : 1;
out:
	cbw_db_close(db);
	if (made) {
		unlink(path);
		snprintf(path, sizeof(path), "%s/sim.db-wal", dir);
		unlink(path);
		snprintf(path, sizeof(path), "%s/sim.db-shm", dir);
		unlink(path);
		rmdir(dir);
	}
	free(s.calls);
	free(s.seen);
	return rc;
}
