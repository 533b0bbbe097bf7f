/*
 * Journal : un objet JSON par ligne sur stderr (journal d'erreurs de
 * lighttpd, courrier de cron), avec les champs de la spécification :
 * timestamp, level, service, function, user_id, message, error, context.
 * Jamais de mot de passe, de jeton ni de corps de message complet.
 */
#ifndef CBW_LOG_H
#define CBW_LOG_H

struct json_object;

enum cbw_log_level {
	CBW_LOG_DEBUG,
	CBW_LOG_INFO,
	CBW_LOG_WARNING,
	CBW_LOG_ERROR,
	CBW_LOG_CRITICAL,
	CBW_LOG__MAX
};

/* Nom du service (programme) et niveau minimal ; à appeler au démarrage. */
void	cbw_log_init(const char *service, int level);
/* Rend le niveau correspondant au nom, ou -1. */
int	cbw_log_level_parse(const char *);
/*
 * Écrit une ligne. `user_id` ≤ 0 : null. `error` peut être NULL. `context`
 * (objet JSON, peut être NULL) est emprunté, pas libéré.
 */
void	cbw_log(enum cbw_log_level, const char *function, long long user_id,
	    const char *message, const char *error, struct json_object *context);

#define CBW_LOGE(msg, err)	cbw_log(CBW_LOG_ERROR, __func__, 0, (msg), (err), NULL)
#define CBW_LOGW(msg, err)	cbw_log(CBW_LOG_WARNING, __func__, 0, (msg), (err), NULL)
#define CBW_LOGI(msg)		cbw_log(CBW_LOG_INFO, __func__, 0, (msg), NULL, NULL)

#endif
