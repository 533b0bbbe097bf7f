/*
 * cbw-sender [--once] [--run-ms N] : lancé par cron chaque minute. Envoie
 * les messages dus (DESIGN §6) pendant au plus 59 s, au rythme
 * SEND_RATE_PER_MINUTE, sous un verrou flock pour que deux passages ne se
 * chevauchent jamais. --once (ou l'horloge figée des tests) : envoie ce
 * qui est permis tout de suite, sans attendre. Code de sortie : 0 si le
 * passage a eu lieu (ou si un autre passage tient le verrou), 1 sur une
 * erreur de configuration ou de base.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/file.h>

#include <json-c/json.h>

#include "clock.h"
#include "config.h"
#include "db.h"
#include "log.h"
#include "send.h"
#include "whatsapp.h"

#define SERVICE		"cbw-sender"
#define RUN_MS		59000LL
#define LOCK_WAIT_MS	15000L
#define LOCK_STEP_MS	100L

/* SIGTERM/SIGINT : finir le message en cours puis sortir. */
static void
on_term(int sig)
{
	(void)sig;
	cbw_send_stop = 1;
}

/* Installe les gestionnaires de signaux (SIGPIPE ignoré). */
static void
signals(void)
{
	struct sigaction	 sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_term;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
}

/* Rappelle l'usage sur la sortie d'erreur. */
static void
usage(void)
{
	fprintf(stderr, "usage : " SERVICE " [--once] [--run-ms N]\n");
}

/*
 * Lit les options. Rend 1 si elles sont valides (*once, *run_ms remplis),
 * 0 sinon.
 */
static int
parse_args(int argc, char **argv, int *once, long long *run_ms)
{
	static const struct option	 opts[] = {
		{ "once", no_argument, NULL, 'o' },
		{ "run-ms", required_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 }
	};
	char				*end;
	long long			 v;
	int				 c;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			*once = 1;
			break;
		case 'r':
			errno = 0;
			v = strtoll(optarg, &end, 10);
			if (errno != 0 || end == optarg || *end != '\0' || v <= 0 ||
			    v > 3600000LL)
				return 0;
			*run_ms = v;
			break;
		default:
			return 0;
		}
	}
	return optind == argc;
}

/*
 * Prend le verrou exclusif `path` : essaie toutes les 100 ms pendant au
 * plus 15 s. Rend le descripteur (à garder ouvert), -1 si un autre passage
 * le tient encore, -2 si le fichier ne peut pas être ouvert.
 */
static int
take_lock(const char *path)
{
	struct timespec	 step = { 0, LOCK_STEP_MS * 1000000L };
	long		 waited;
	int		 fd;

	if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0640)) == -1)
		return -2;
	for (waited = 0; ; waited += LOCK_STEP_MS) {
		if (flock(fd, LOCK_EX | LOCK_NB) == 0)
			return fd;
		if ((errno != EWOULDBLOCK && errno != EINTR) ||
		    waited >= LOCK_WAIT_MS || cbw_send_stop)
			break;
		nanosleep(&step, NULL);
	}
	close(fd);
	return -1;
}

/* Rend 1 si le passage n'a rien fait (ni envoi, ni échec, ni reprise). */
static int
idle(const struct cbw_send_report *rep)
{
	return rep->sent == 0 && rep->failed == 0 && rep->retryable == 0 &&
	    rep->cancelled == 0 && rep->stale == 0;
}

/*
 * Journalise le bilan du passage en une ligne JSON : niveau info, debug si
 * le passage n'a rien fait (le journal de cron ne grossit pas chaque
 * minute pour rien), warning si l'envoi a été arrêté, error sur une
 * erreur de base.
 */
static void
log_summary(const struct cbw_send_report *rep, enum cbw_err er, long rate)
{
	struct json_object	*cx = json_object_new_object();

	if (cx != NULL) {
		json_object_object_add(cx, "sent", json_object_new_int64(rep->sent));
		json_object_object_add(cx, "failed", json_object_new_int64(rep->failed));
		json_object_object_add(cx, "retryable",
		    json_object_new_int64(rep->retryable));
		json_object_object_add(cx, "cancelled",
		    json_object_new_int64(rep->cancelled));
		json_object_object_add(cx, "stale", json_object_new_int64(rep->stale));
		json_object_object_add(cx, "rate_per_minute",
		    json_object_new_int64(rate));
		json_object_object_add(cx, "stopped",
		    json_object_new_boolean(rep->stopped));
		json_object_object_add(cx, "stop_reason", rep->stopped ?
		    json_object_new_string(rep->stop_reason) : NULL);
		json_object_object_add(cx, "interrupted",
		    json_object_new_boolean(cbw_send_stop != 0));
	}
	cbw_log(er != CBW_OK ? CBW_LOG_ERROR : rep->stopped ? CBW_LOG_WARNING :
	    idle(rep) ? CBW_LOG_DEBUG : CBW_LOG_INFO, "main", 0, er == CBW_OK ? "passage d'envoi terminé" :
	    "passage d'envoi interrompu par une erreur de base",
	    er == CBW_OK ? NULL : cbw_err_name(er), cx);
	if (cx != NULL)
		json_object_put(cx);
}

/* Rend 1 si le jeton et l'identifiant du numéro WhatsApp sont donnés. */
static int
wa_configured(const struct cbw_config *cfg)
{
	return cfg->whatsapp_access_token[0] != '\0' &&
	    cfg->whatsapp_phone_number_id[0] != '\0';
}

/*
 * WhatsApp pas encore configuré (installation neuve) : sans message en
 * attente, rien à dire (journal de niveau debug, pour ne pas remplir le
 * journal de cron chaque minute) et rend 0 ; avec des messages en attente,
 * une erreur qui le dit, et rend 1.
 */
static int
unconfigured(struct cbw_db *db)
{
	struct json_object	*cx;
	long long		 waiting = 0;

	if (cbw_send_waiting(db, &waiting) == CBW_OK && waiting == 0) {
		cbw_log(CBW_LOG_DEBUG, "main", 0, "WhatsApp non configuré, aucun "
		    "message en attente : rien à envoyer", NULL, NULL);
		return 0;
	}
	if ((cx = json_object_new_object()) != NULL)
		json_object_object_add(cx, "waiting", json_object_new_int64(waiting));
	cbw_log(CBW_LOG_ERROR, "main", 0, "des messages attendent mais WhatsApp "
	    "n'est pas configuré (WHATSAPP_ACCESS_TOKEN, WHATSAPP_PHONE_NUMBER_ID)",
	    NULL, cx);
	if (cx != NULL)
		json_object_put(cx);
	fprintf(stderr, SERVICE ": %lld message(s) en attente mais WhatsApp "
	    "n'est pas configuré : renseignez WHATSAPP_ACCESS_TOKEN et "
	    "WHATSAPP_PHONE_NUMBER_ID\n", waiting);
	return 1;
}

/* Transport de production : cbw_wa_send sur le client ouvert. */
static void
wa_transport(void *arg, const char *body, struct cbw_wa_result *res)
{
	cbw_wa_send(arg, body, res);
}

/*
 * Programme cbw-sender. Rend 0 (passage fait, ou verrou tenu par un autre
 * passage), 1 sur une erreur de configuration, de base ou de client, 2 sur
 * une option invalide.
 */
int
main(int argc, char **argv)
{
	struct cbw_config	 cfg;
	struct cbw_db		*db = NULL;
	struct cbw_wa_client	*wa = NULL;
	struct cbw_sender	 s;
	struct cbw_send_report	 rep;
	char			 err[512], *lockpath = NULL;
	long long		 run_ms = RUN_MS;
	size_t			 len;
	enum cbw_err		 er;
	int			 once = 0, lockfd = -1, rc = 1, cfg_ok = 0;

	if (!parse_args(argc, argv, &once, &run_ms)) {
		usage();
		return 2;
	}
	cbw_log_init(SERVICE, CBW_LOG_INFO);
	if (cbw_config_load(&cfg, err, sizeof(err)) != CBW_OK) {
		cbw_log(CBW_LOG_CRITICAL, "main", 0, "démarrage impossible", err, NULL);
		fprintf(stderr, SERVICE ": %s\n", err);
		goto out;
	}
	cfg_ok = 1;
	cbw_log_init(SERVICE, cfg.log_level);
	setenv("TZ", cfg.time_zone, 1);
	tzset();
	signals();
	if (cbw_db_open(&db, cfg.database_path, 0, err, sizeof(err)) != CBW_OK) {
		cbw_log(CBW_LOG_CRITICAL, "main", 0, "démarrage impossible", err, NULL);
		fprintf(stderr, SERVICE ": %s\n", err);
		goto out;
	}
	cbw_db_busy_ms(db, 5000);
	len = strlen(cfg.database_path) + sizeof(".sender.lock");
	if ((lockpath = malloc(len)) == NULL)
		goto out;
	snprintf(lockpath, len, "%s.sender.lock", cfg.database_path);
	if ((lockfd = take_lock(lockpath)) == -2) {
		cbw_log(CBW_LOG_CRITICAL, "main", 0, "verrou d'envoi impossible à "
		    "ouvrir", strerror(errno), NULL);
		fprintf(stderr, SERVICE ": %s : %s\n", lockpath, strerror(errno));
		goto out;
	}
	if (lockfd == -1) {
		CBW_LOGI("un autre envoi est en cours : ce passage s'arrête");
		rc = 0;
		goto out;
	}
	if (!wa_configured(&cfg)) {
		rc = unconfigured(db);
		goto out;
	}
	if ((er = cbw_wa_open(&wa, &cfg, cfg.whatsapp_timeout_ms)) != CBW_OK) {
		cbw_log(CBW_LOG_CRITICAL, "main", 0, "client WhatsApp impossible à "
		    "préparer (WHATSAPP_ACCESS_TOKEN, WHATSAPP_PHONE_NUMBER_ID)",
		    cbw_err_name(er), NULL);
		fprintf(stderr, SERVICE ": client WhatsApp impossible à préparer "
		    "(%s) : vérifiez WHATSAPP_ACCESS_TOKEN et "
		    "WHATSAPP_PHONE_NUMBER_ID\n", cbw_err_name(er));
		goto out;
	}
	memset(&s, 0, sizeof(s));
	s.db = db;
	s.rate = cfg.send_rate_per_minute;
	s.run_ms = run_ms;
	s.stale_ms = 2LL * cfg.whatsapp_timeout_ms > 60000 ?
	    2LL * cfg.whatsapp_timeout_ms : 60000;
	s.once = once || cbw_clock_frozen();
	s.clock = cbw_send_real_clock;
	s.transport = wa_transport;
	s.transport_arg = wa;
	er = cbw_send_run(&s, &rep);
	log_summary(&rep, er, s.rate);
	rc = er == CBW_OK ? 0 : 1;
out:
	cbw_wa_close(wa);
	if (lockfd >= 0)
		close(lockfd);
	free(lockpath);
	cbw_db_close(db);
	if (cfg_ok)
		cbw_config_free(&cfg);
	return rc;
}
