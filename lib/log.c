/*
 * Journal JSON ligne par ligne (voir log.h).
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>
#include <time.h>

#include <json-c/json.h>

#include "log.h"

static const char *const level_names[CBW_LOG__MAX] = {
	"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL",
};

static char	 service[64] = "chatbot-whatsapp";
static int	 min_level = CBW_LOG_INFO;

/* Mémorise le nom du programme et le niveau minimal à écrire. */
void
cbw_log_init(const char *svc, int level)
{
	snprintf(service, sizeof(service), "%s", svc);
	if (level >= 0 && level < CBW_LOG__MAX)
		min_level = level;
}

/* Rend le niveau pour « debug », « INFO »... (casse indifférente), ou -1. */
int
cbw_log_level_parse(const char *s)
{
	int	 i;

	for (i = 0; i < CBW_LOG__MAX; i++)
		if (strcasecmp(s, level_names[i]) == 0)
			return i;
	if (strcasecmp(s, "warn") == 0)
		return CBW_LOG_WARNING;
	return -1;
}

/*
 * Écrit une ligne JSON sur stderr si le niveau est suffisant. N'échoue
 * jamais bruyamment : en cas de manque de mémoire, la ligne est perdue.
 */
void
cbw_log(enum cbw_log_level lvl, const char *function, long long user_id,
    const char *message, const char *error, struct json_object *context)
{
	struct json_object	*o;
	struct timeval		 tv;
	struct tm		 tm;
	char			 ts[96];

	if ((int)lvl < min_level || lvl >= CBW_LOG__MAX)
		return;
	gettimeofday(&tv, NULL);
	gmtime_r(&tv.tv_sec, &tm);
	snprintf(ts, sizeof(ts), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec, (int)(tv.tv_usec / 1000));
	if ((o = json_object_new_object()) == NULL)
		return;
	json_object_object_add(o, "timestamp", json_object_new_string(ts));
	json_object_object_add(o, "level", json_object_new_string(level_names[lvl]));
	json_object_object_add(o, "service", json_object_new_string(service));
	json_object_object_add(o, "function",
	    json_object_new_string(function ? function : ""));
	json_object_object_add(o, "user_id",
	    user_id > 0 ? json_object_new_int64(user_id) : NULL);
	json_object_object_add(o, "message",
	    json_object_new_string(message ? message : ""));
	json_object_object_add(o, "error",
	    error ? json_object_new_string(error) : NULL);
	json_object_object_add(o, "context",
	    context ? json_object_get(context) : json_object_new_object());
	fprintf(stderr, "%s\n",
	    json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	fflush(stderr);
	json_object_put(o);
}
