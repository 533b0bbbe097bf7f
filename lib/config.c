/*
 * Chargement de la configuration (voir config.h). Les clés sont décrites
 * par une table : nom, type, bornes, valeur par défaut.
 */
#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config.h"
#include "log.h"
#include "valid.h"

#ifndef CBW_SYSCONFDIR
#define CBW_SYSCONFDIR "/etc/chatbot-whatsapp"
#endif
#ifndef CBW_DATADIR
#define CBW_DATADIR "/usr/share/chatbot-whatsapp"
#endif

enum keytype { KT_STR, KT_LONG, KT_LEVEL, KT_BOOL };

struct key {
	const char	*name;
	enum keytype	 type;
	size_t		 off;
	const char	*def;		/* NULL : pas de défaut */
	long		 min, max;	/* pour KT_LONG */
};

#define S(f)	offsetof(struct cbw_config, f)
static const struct key keys[] = {
	{ "DATABASE_PATH", KT_STR, S(database_path),
	    "/var/lib/chatbot-whatsapp/chatbot-whatsapp.db", 0, 0 },
	{ "SECRET_KEY", KT_STR, S(secret_key), NULL, 0, 0 },
	{ "WHATSAPP_ACCESS_TOKEN", KT_STR, S(whatsapp_access_token), "", 0, 0 },
	{ "WHATSAPP_PHONE_NUMBER_ID", KT_STR, S(whatsapp_phone_number_id), "", 0, 0 },
	{ "WHATSAPP_VERIFY_TOKEN", KT_STR, S(whatsapp_verify_token), "", 0, 0 },
	{ "WHATSAPP_APP_SECRET", KT_STR, S(whatsapp_app_secret), "", 0, 0 },
	{ "WHATSAPP_API_VERSION", KT_STR, S(whatsapp_api_version), "v23.0", 0, 0 },
	{ "GRAPH_BASE_URL", KT_STR, S(graph_base_url),
	    "https://graph.facebook.com", 0, 0 },
	{ "SEND_RATE_PER_MINUTE", KT_LONG, S(send_rate_per_minute), "25", 1, 100000 },
	{ "WHATSAPP_TIMEOUT_MS", KT_LONG, S(whatsapp_timeout_ms), "15000", 100, 120000 },
	{ "RATE_LIMIT_PER_MINUTE", KT_LONG, S(rate_limit_per_minute), "100", 0, 1000000 },
	{ "ALLOWED_ORIGINS", KT_STR, S(allowed_origins), "", 0, 0 },
	{ "TIME_ZONE", KT_STR, S(time_zone), "Europe/Paris", 0, 0 },
	{ "LOG_LEVEL", KT_LEVEL, S(log_level), "info", 0, 0 },
	{ "TEMPLATE_DIR", KT_STR, S(template_dir), CBW_DATADIR "/templates", 0, 0 },
	{ "STATIC_DIR", KT_STR, S(static_dir), CBW_DATADIR "/static", 0, 0 },
	{ "MIGRATIONS_DIR", KT_STR, S(migrations_dir), CBW_DATADIR "/migrations", 0, 0 },
	{ "MAX_BODY_BYTES", KT_LONG, S(max_body_bytes), "1048576", 1024, 104857600 },
	{ "MAX_UPLOAD_BYTES", KT_LONG, S(max_upload_bytes), "10551296", 1024, 104857600 },
	{ "COOKIE_SECURE", KT_BOOL, S(cookie_secure), "0", 0, 0 },
};
#undef S
#define NKEYS	(sizeof(keys) / sizeof(keys[0]))

/* Rend l'index de la clé `name` (longueur n), ou -1 si elle est inconnue. */
static int
key_find(const char *name, size_t n)
{
	size_t	 i;

	for (i = 0; i < NKEYS; i++)
		if (strlen(keys[i].name) == n && strncmp(keys[i].name, name, n) == 0)
			return (int)i;
	return -1;
}

/*
 * Convertit et range la valeur `v` de la clé `k`. Renvoie CBW_OK, ou
 * CBW_EINVAL avec un message nommant la clé, ou CBW_ENOMEM.
 */
static enum cbw_err
key_set(struct cbw_config *c, const struct key *k, const char *v,
    char *errbuf, size_t errlen)
{
	char		*base = (char *)c, *dup;
	long long	 n;
	int		 lvl;

	switch (k->type) {
	case KT_STR:
		if ((dup = strdup(v)) == NULL)
			return CBW_ENOMEM;
		free(*(char **)(base + k->off));
		*(char **)(base + k->off) = dup;
		return CBW_OK;
	case KT_LONG:
		if (cbw_valid_int64(v, k->min, k->max, &n) != CBW_OK) {
			snprintf(errbuf, errlen, "configuration : %s doit être un "
			    "entier entre %ld et %ld (reçu « %s »)",
			    k->name, k->min, k->max, v);
			return CBW_EINVAL;
		}
		*(long *)(base + k->off) = (long)n;
		return CBW_OK;
	case KT_BOOL:
		if (strcmp(v, "0") && strcmp(v, "1")) {
			snprintf(errbuf, errlen, "configuration : %s doit valoir "
			    "0 ou 1 (reçu « %s »)", k->name, v);
			return CBW_EINVAL;
		}
		*(int *)(base + k->off) = v[0] == '1';
		return CBW_OK;
	case KT_LEVEL:
		if ((lvl = cbw_log_level_parse(v)) < 0) {
			snprintf(errbuf, errlen, "configuration : %s doit être "
			    "debug, info, warning, error ou critical (reçu « %s »)",
			    k->name, v);
			return CBW_EINVAL;
		}
		*(int *)(base + k->off) = lvl;
		return CBW_OK;
	}
	return CBW_EINVAL;
}

/* Enlève les blancs en tête et en fin, en place ; rend le début. */
static char *
trim(char *s)
{
	char	*e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

/*
 * Analyse une ligne « KEY=VALUE » du fichier (commentaires # et lignes vides
 * ignorés ; guillemets doubles autour de la valeur retirés). Renvoie CBW_OK
 * ou CBW_EINVAL avec le numéro de ligne et la clé dans errbuf.
 */
static enum cbw_err
file_line(struct cbw_config *c, const char *path, int lineno, char *line,
    char *errbuf, size_t errlen)
{
	char	*eq, *k, *v;
	size_t	 vl;
	int	 idx;

	k = trim(line);
	if (*k == '\0' || *k == '#')
		return CBW_OK;
	if ((eq = strchr(k, '=')) == NULL) {
		snprintf(errbuf, errlen, "configuration : %s:%d : ligne sans "
		    "« = » (attendu CLÉ=VALEUR)", path, lineno);
		return CBW_EINVAL;
	}
	*eq = '\0';
	k = trim(k);
	v = trim(eq + 1);
	vl = strlen(v);
	if (vl >= 2 && v[0] == '"' && v[vl - 1] == '"') {
		v[vl - 1] = '\0';
		v++;
	}
	if ((idx = key_find(k, strlen(k))) < 0) {
		snprintf(errbuf, errlen, "configuration : %s:%d : clé inconnue "
		    "« %s »", path, lineno, k);
		return CBW_EINVAL;
	}
	return key_set(c, &keys[idx], v, errbuf, errlen);
}

/*
 * Lit le fichier `path`. Absent : CBW_OK si !required, sinon CBW_EIO.
 * Renvoie CBW_EINVAL pour une ligne fausse (message dans errbuf).
 */
static enum cbw_err
file_load(struct cbw_config *c, const char *path, int required,
    char *errbuf, size_t errlen)
{
	FILE		*f;
	char		*line = NULL;
	size_t		 cap = 0;
	int		 lineno = 0;
	enum cbw_err	 er = CBW_OK;

	if ((f = fopen(path, "r")) == NULL) {
		if (!required && errno == ENOENT)
			return CBW_OK;
		snprintf(errbuf, errlen, "configuration : impossible de lire "
		    "%s : %s", path, strerror(errno));
		return CBW_EIO;
	}
	while (getline(&line, &cap, f) != -1) {
		lineno++;
		if ((er = file_line(c, path, lineno, line, errbuf, errlen)) != CBW_OK)
			break;
	}
	free(line);
	fclose(f);
	return er;
}

/* Vérifie les contraintes entre clés (SECRET_KEY présente et assez longue). */
static enum cbw_err
check(const struct cbw_config *c, char *errbuf, size_t errlen)
{
	if (c->secret_key == NULL || *c->secret_key == '\0') {
		snprintf(errbuf, errlen, "configuration : SECRET_KEY manquante "
		    "(au moins %d octets aléatoires)", CBW_SECRET_MIN);
		return CBW_EINVAL;
	}
	if (strlen(c->secret_key) < CBW_SECRET_MIN) {
		snprintf(errbuf, errlen, "configuration : SECRET_KEY trop courte "
		    "(%zu octets, au moins %d requis)", strlen(c->secret_key),
		    CBW_SECRET_MIN);
		return CBW_EINVAL;
	}
	if (*c->database_path == '\0') {
		snprintf(errbuf, errlen, "configuration : DATABASE_PATH vide");
		return CBW_EINVAL;
	}
	return CBW_OK;
}

/*
 * Charge défauts, puis le fichier `path` (s'il est donné), puis
 * l'environnement. Renvoie CBW_OK ou une erreur avec message dans errbuf.
 */
enum cbw_err
cbw_config_load_file(struct cbw_config *c, const char *path, int required,
    char *errbuf, size_t errlen)
{
	enum cbw_err	 er;
	const char	*v;
	size_t		 i;

	memset(c, 0, sizeof(*c));
	for (i = 0; i < NKEYS; i++)
		if (keys[i].def != NULL &&
		    (er = key_set(c, &keys[i], keys[i].def, errbuf, errlen)) != CBW_OK)
			goto fail;
	if (path != NULL &&
	    (er = file_load(c, path, required, errbuf, errlen)) != CBW_OK)
		goto fail;
	for (i = 0; i < NKEYS; i++)
		if ((v = getenv(keys[i].name)) != NULL &&
		    (er = key_set(c, &keys[i], v, errbuf, errlen)) != CBW_OK)
			goto fail;
	if ((er = check(c, errbuf, errlen)) != CBW_OK)
		goto fail;
	return CBW_OK;
fail:
	cbw_config_free(c);
	return er;
}

/*
 * Charge la configuration du fichier CBW_CONF (obligatoire s'il est donné)
 * ou du fichier système (facultatif), puis de l'environnement.
 */
enum cbw_err
cbw_config_load(struct cbw_config *c, char *errbuf, size_t errlen)
{
	const char	*p;

	if ((p = getenv("CBW_CONF")) != NULL && *p != '\0')
		return cbw_config_load_file(c, p, 1, errbuf, errlen);
	return cbw_config_load_file(c, CBW_SYSCONFDIR "/chatbot-whatsapp.conf",
	    0, errbuf, errlen);
}

/* Libère toutes les chaînes de la configuration. */
void
cbw_config_free(struct cbw_config *c)
{
	size_t	 i;

	for (i = 0; i < NKEYS; i++)
		if (keys[i].type == KT_STR) {
			free(*(char **)((char *)c + keys[i].off));
			*(char **)((char *)c + keys[i].off) = NULL;
		}
}

/* Rend 1 si `origin` est exactement l'une des origines autorisées. */
int
cbw_config_origin_allowed(const struct cbw_config *c, const char *origin)
{
	const char	*p, *comma, *b, *e;
	size_t		 n;

	if (origin == NULL || *origin == '\0' || c->allowed_origins == NULL)
		return 0;
	n = strlen(origin);
	for (p = c->allowed_origins; p != NULL; p = comma ? comma + 1 : NULL) {
		comma = strchr(p, ',');
		e = comma ? comma : p + strlen(p);
		for (b = p; b < e && *b == ' '; b++)
			continue;
		while (e > b && e[-1] == ' ')
			e--;
		if ((size_t)(e - b) == n && strncmp(b, origin, n) == 0)
			return 1;
	}
	return 0;
}
