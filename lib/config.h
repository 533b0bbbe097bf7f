/*
 * Configuration : un fichier KEY=VALUE (CBW_CONF, sinon le chemin système),
 * puis l'environnement, qui l'emporte. Une valeur absente ou fausse est une
 * erreur claire qui nomme la clé, au démarrage.
 */
#ifndef CBW_CONFIG_H
#define CBW_CONFIG_H

#include <stddef.h>

#include "err.h"

#define CBW_SECRET_MIN	32

struct cbw_config {
	char	*database_path;
	char	*secret_key;
	char	*whatsapp_access_token;
	char	*whatsapp_phone_number_id;
	char	*whatsapp_verify_token;
	char	*whatsapp_app_secret;
	char	*whatsapp_api_version;
	char	*graph_base_url;
	long	 send_rate_per_minute;
	long	 whatsapp_timeout_ms;	/* délai total d'un appel à l'API */
	long	 rate_limit_per_minute;
	char	*allowed_origins;	/* liste séparée par des virgules */
	char	*time_zone;
	int	 log_level;		/* enum cbw_log_level */
	char	*template_dir;
	char	*static_dir;
	char	*migrations_dir;
	long	 max_body_bytes;
	long	 max_upload_bytes;	/* corps multipart (import CSV) */
	int	 cookie_secure;		/* 1 : cookies « Secure » même sans HTTPS vu */
};

/*
 * Charge la configuration. Renvoie CBW_OK, ou CBW_EINVAL avec un message
 * français nommant la clé fautive dans errbuf. Ne quitte jamais.
 */
enum cbw_err	 cbw_config_load(struct cbw_config *, char *errbuf, size_t errlen);
/* Charge depuis un fichier précis (NULL : aucun fichier) puis l'environnement. */
enum cbw_err	 cbw_config_load_file(struct cbw_config *, const char *path,
		    int file_required, char *errbuf, size_t errlen);
void		 cbw_config_free(struct cbw_config *);
/* Vrai si `origin` figure exactement dans ALLOWED_ORIGINS. */
int		 cbw_config_origin_allowed(const struct cbw_config *, const char *origin);

#endif
