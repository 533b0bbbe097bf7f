/*
 * cbw-retry : lancé par cron chaque minute. Remet en file les échecs
 * réessayables (au plus 3 reprises, à failed_at + 1, 2 puis 4 minutes) ;
 * cbw-sender les enverra quand ils seront dus (DESIGN §6), puis rejoue les
 * webhooks mis de côté quand la base était verrouillée. Code de sortie :
 * 0 si tout va bien, 1 sur une erreur de configuration ou de base.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "automation.h"
#include "clock.h"
#include "config.h"
#include "db.h"
#include "log.h"
#include "send.h"

#define SERVICE	"cbw-retry"

/* SIGTERM/SIGINT : noté ; la transaction en cours se termine normalement. */
static void
on_term(int sig)
{
	(void)sig;
	cbw_send_stop = 1;
}

/* Installe les gestionnaires de signaux. */
static void
signals(void)
{
	struct sigaction	 sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_term;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
}

/*
 * Programme cbw-retry. Rend 0 si les échecs dus ont été remis en file (ou
 * s'il n'y en avait pas), 1 sur une erreur de configuration ou de base,
 * 2 sur un argument inattendu.
 */
int
main(int argc, char **argv)
{
	struct cbw_config	 cfg;
	struct cbw_db		*db = NULL;
	struct json_object	*cx;
	char			 err[512];
	long			 n = 0, replayed = 0;
	enum cbw_err		 er;
	int			 rc = 1, cfg_ok = 0;

	(void)argv;
	if (argc > 1) {
		fprintf(stderr, "usage : " SERVICE "\n");
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
	if ((er = cbw_send_retry_due(db, cbw_now_ms(), &n)) != CBW_OK) {
		cbw_log(CBW_LOG_ERROR, "main", 0, "remise en file impossible",
		    cbw_err_name(er), NULL);
		fprintf(stderr, SERVICE ": remise en file impossible (%s)\n",
		    cbw_err_name(er));
		goto out;
	}
	/* Webhooks mis de côté pendant un verrou de la base : rejoués ici. */
	if ((er = cbw_auto_replay(db, cfg.database_path,
	    cfg.whatsapp_phone_number_id, &replayed)) != CBW_OK)
		cbw_log(CBW_LOG_WARNING, "main", 0, "rejeu des webhooks mis de "
		    "côté interrompu (réessayé à la prochaine minute)",
		    cbw_err_name(er), NULL);
	if ((cx = json_object_new_object()) != NULL) {
		json_object_object_add(cx, "requeued", json_object_new_int64(n));
		json_object_object_add(cx, "webhooks_replayed",
		    json_object_new_int64(replayed));
	}
	cbw_log(n > 0 || replayed > 0 ? CBW_LOG_INFO : CBW_LOG_DEBUG, "main", 0,
	    "échecs réessayables remis en file", NULL, cx);
	if (cx != NULL)
		json_object_put(cx);
	rc = 0;
out:
	cbw_db_close(db);
	if (cfg_ok)
		cbw_config_free(&cfg);
	return rc;
}
