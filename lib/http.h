/*
 * Requête et réponse HTTP, indépendantes de FastCGI : analyse de la chaîne
 * de requête, des formulaires urlencoded, des cookies et des corps JSON ;
 * une seule fonction (cbw_http_send) écrit l'état et TOUS les en-têtes.
 */
#ifndef CBW_HTTP_H
#define CBW_HTTP_H

#include <stddef.h>

#include "buf.h"
#include "err.h"

struct json_object;
struct cbw_config;

enum cbw_method {
	CBW_GET,
	CBW_POST,
	CBW_PUT,
	CBW_DELETE,
	CBW_PATCH,
	CBW_HEAD,
	CBW_OPTIONS,
	CBW_METHOD__MAX
};

struct cbw_kv {
	char	*key;
	char	*val;
};

struct cbw_kvlist {
	struct cbw_kv	*v;
	size_t		 n, cap;
};

/* Utilisateur authentifié (rempli par les contrôles de front). */
struct cbw_user {
	long long	 id;
	char		 email[256];
	char		 role[16];
	int		 is_super;
	char		 family[33];	/* famille de session */
	char		 session_hash[65];	/* session web : empreinte du cookie */
};

typedef void	(*cbw_writer)(void *arg, const char *, size_t);

struct cbw_req {
	/* Entrée (chaînes empruntées à l'environnement FastCGI). */
	enum cbw_method		 method;
	const char		*method_str;
	const char		*path;		/* PATH_INFO complet, décodé par lighttpd */
	const char		*query_raw;
	int			 query_bad;	/* query_raw illisible (cbw_http_parse_query) */
	const char		*content_type;
	const char		*cookie_hdr;
	const char		*authorization;
	const char		*origin;
	const char		*remote_addr;
	const char		*user_agent;
	int			 https;
	const char		*hub_signature;	/* X-Hub-Signature-256 */
	size_t			 content_length;
	char			*body;		/* corps brut, terminé par NUL */
	size_t			 bodylen;
	struct cbw_kvlist	 query;
	struct cbw_kvlist	 form;
	struct cbw_kvlist	 cookies;
	struct json_object	*json;		/* corps JSON analysé */
	const char		*upload;	/* fichier envoyé (multipart), dans body */
	size_t			 uploadlen;
	char			 upload_name[256];
	/* Routage. */
	int			 route;
	long long		 ids[4];
	int			 nids;
	int			 is_api;	/* réponses d'erreur en JSON */
	/* Authentification. */
	struct cbw_user		 user;
	int			 authed;
	/* Réponse. */
	struct cbw_buf		 out;		/* corps */
	struct cbw_buf		 hdrs;		/* en-têtes en plus (Location, Set-Cookie) */
	int			 status;	/* 0 tant que rien n'est envoyé */
	const struct cbw_config	*cfg;
	cbw_writer		 write;
	void			*write_arg;
};

void		 cbw_req_init(struct cbw_req *);
/* Libère ce que la requête a alloué (listes, corps, JSON, tampons). */
void		 cbw_req_free(struct cbw_req *);
enum cbw_method	 cbw_http_method(const char *);
const char	*cbw_http_method_name(enum cbw_method);
const char	*cbw_http_reason(int status);

/* Ajoute les paires d'une chaîne urlencoded (a=1&b=%C3%A9) ; CBW_EINVAL si %00 ou % mal formé. */
enum cbw_err	 cbw_http_parse_urlencoded(struct cbw_kvlist *, const char *, size_t);
/*
 * Chaîne de requête (QUERY_STRING) : comme cbw_http_parse_urlencoded, et
 * CBW_EINVAL aussi si une clé ou une valeur décodée n'est pas de l'UTF-8
 * bien formé. Les paires lues avant l'erreur restent dans la liste.
 */
enum cbw_err	 cbw_http_parse_query(struct cbw_kvlist *, const char *, size_t);
/* Ajoute les cookies de l'en-tête Cookie. */
enum cbw_err	 cbw_http_parse_cookies(struct cbw_kvlist *, const char *);
/* Première valeur de `key`, ou NULL. */
const char	*cbw_kv_get(const struct cbw_kvlist *, const char *key);
enum cbw_err	 cbw_kv_add(struct cbw_kvlist *, const char *k, size_t kl,
		    const char *v, size_t vl);
void		 cbw_kv_free(struct cbw_kvlist *);
/* Vrai si le type de contenu (sans paramètres, casse ignorée) vaut `want`. */
int		 cbw_http_ctype_is(const char *ctype, const char *want);

/* Ajoute un en-tête de réponse ; CBW_EINVAL si CR/LF dans le nom ou la valeur. */
enum cbw_err	 cbw_http_header(struct cbw_req *, const char *name, const char *val);
/*
 * Ajoute Set-Cookie. `max_age` < 0 : cookie de session ; 0 : effacement.
 * Toujours HttpOnly, SameSite=Strict, Path=/ ; Secure en HTTPS (ou config).
 */
enum cbw_err	 cbw_http_cookie(struct cbw_req *, const char *name,
		    const char *val, long max_age);
/*
 * Écrit l'état, les en-têtes de sécurité (CSP, nosniff, DENY, Referrer-
 * Policy, no-store), CORS si l'origine est autorisée, les en-têtes ajoutés,
 * puis le corps req->out. Seule fonction qui écrit des en-têtes.
 */
void		 cbw_http_send(struct cbw_req *, int status, const char *ctype);

#endif
