/*
 * Boucle FastCGI et contrôles de front (voir app.h).
 */
#include <errno.h>
#include <malloc.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <fcgiapp.h>
#include <json-c/json.h>

#include "app.h"
#include "auth.h"
#include "db.h"
#include "json.h"
#include "log.h"
#include "multipart.h"
#include "ratelimit.h"
#include "tmpl.h"
#include "valid.h"

/* Attente du compteur de la limite par IP quand la base est verrouillée. */
#define RATE_BUSY_MS	250
/* Sans requête pendant ce temps, le processus rend sa mémoire (au repos). */
#define IDLE_MS		1000

static volatile sig_atomic_t	 stopping;

/* SIGTERM : finir la requête en cours puis sortir proprement. */
static void
on_term(int sig)
{
	(void)sig;
	stopping = 1;
	FCGX_ShutdownPending();
}

/* 405 avec l'en-tête Allow. */
static void
reply_405(struct cbw_ctx *ctx, struct cbw_req *r, const char *allow)
{
	cbw_http_header(r, "Allow", allow);
	cbw_reply_error(ctx, r, 405, "method_not_allowed",
	    "Méthode non autorisée pour cette adresse.", NULL);
}

/* 429 avec Retry-After. */
static void
reply_429(struct cbw_ctx *ctx, struct cbw_req *r, long retry, const char *msg)
{
	char	 v[24];

	snprintf(v, sizeof(v), "%ld", retry);
	cbw_http_header(r, "Retry-After", v);
	cbw_reply_error(ctx, r, 429, "rate_limited", msg, NULL);
}

/*
 * Contrôle du corps : type de contenu attendu par la route (415) et
 * analyse (400). Renvoie 1 si la requête peut continuer.
 */
static int
check_body(struct cbw_ctx *ctx, struct cbw_req *r, unsigned int fl)
{
	if ((fl & CBW_R_JSON) && !cbw_http_ctype_is(r->content_type,
	    "application/json")) {
		cbw_reply_error(ctx, r, 415, "unsupported_media_type",
		    "Le corps doit être du JSON (Content-Type: application/json).",
		    NULL);
		return 0;
	}
	if ((fl & CBW_R_FORM) && !cbw_http_ctype_is(r->content_type,
	    "application/x-www-form-urlencoded")) {
		cbw_reply_error(ctx, r, 415, "unsupported_media_type",
		    "Formulaire attendu (application/x-www-form-urlencoded).", NULL);
		return 0;
	}
	if ((fl & CBW_R_MULTIPART) && !cbw_http_ctype_is(r->content_type,
	    "multipart/form-data")) {
		cbw_reply_error(ctx, r, 415, "unsupported_media_type",
		    "Envoi de fichier attendu (multipart/form-data).", NULL);
		return 0;
	}
	return 1;
}

/*
 * Range les parties d'un corps multipart : le fichier dans r->upload, les
 * autres champs (UTF-8 valide) dans r->form. Rend 1 si le corps est valide.
 */
static int
parse_multipart(struct cbw_req *r)
{
	struct cbw_part	 parts[CBW_MULTIPART_MAX];
	size_t		 n, i;

	if (cbw_multipart_parse(r->content_type, r->body ? r->body : "",
	    r->bodylen, parts, CBW_MULTIPART_MAX, &n) != CBW_OK)
		return 0;
	for (i = 0; i < n; i++) {
		if (parts[i].filename[0] != '\0' || strcmp(parts[i].name, "file") == 0) {
			if (r->upload != NULL)
				continue;
			r->upload = parts[i].data;
			r->uploadlen = parts[i].len;
			snprintf(r->upload_name, sizeof(r->upload_name), "%s",
			    parts[i].filename);
		} else if (parts[i].len < 4096 &&
		    cbw_kv_add(&r->form, parts[i].name, strlen(parts[i].name),
		    parts[i].data, parts[i].len) != CBW_OK)
			return 0;
	}
	return 1;
}

/* Analyse le corps JSON, urlencoded ou multipart ; 400 si invalide. Rend 1 si OK. */
static int
parse_body(struct cbw_ctx *ctx, struct cbw_req *r, unsigned int fl)
{
	if ((fl & CBW_R_MULTIPART) && !parse_multipart(r)) {
		cbw_reply_error(ctx, r, 400, "invalid_multipart",
		    "Envoi de fichier mal formé.", NULL);
		return 0;
	}
	if ((fl & CBW_R_JSON) && cbw_json_parse_object(r->body ? r->body : "",
	    r->bodylen, &r->json) != CBW_OK) {
		cbw_reply_error(ctx, r, 400, "invalid_json",
		    "Le corps de la requête n'est pas un objet JSON valide.", NULL);
		return 0;
	}
	if ((fl & CBW_R_FORM) && cbw_http_parse_urlencoded(&r->form,
	    r->body ? r->body : "", r->bodylen) != CBW_OK) {
		cbw_reply_error(ctx, r, 400, "invalid_form",
		    "Formulaire mal encodé.", NULL);
		return 0;
	}
	return 1;
}

/* Authentification selon la route : Bearer (API) ou cookie (HTML). */
static int
check_auth(struct cbw_ctx *ctx, struct cbw_req *r, unsigned int fl)
{
	const char	*tok;

	if (fl & CBW_R_API)
		r->authed = cbw_auth_bearer(ctx->db, &ctx->cfg, r->authorization,
		    &r->user) == CBW_OK;
	else if ((tok = cbw_kv_get(&r->cookies, CBW_COOKIE_SESSION)) != NULL)
		r->authed = cbw_auth_web(ctx->db, tok, &r->user) == CBW_OK;
	if (r->authed || !(fl & CBW_R_AUTH))
		return 1;
	if (fl & CBW_R_API) {
		cbw_http_header(r, "WWW-Authenticate", "Bearer");
		cbw_reply_error(ctx, r, 401, "unauthorized",
		    "Authentification requise : jeton absent, invalide ou expiré.",
		    NULL);
	} else
		cbw_reply_redirect(r, "/login");
	return 0;
}

/* CSRF des formulaires HTML (403). Rend 1 si valide ou sans objet. */
static int
check_csrf(struct cbw_ctx *ctx, struct cbw_req *r, unsigned int fl)
{
	const char	*binding, *pre;
	char		 b[80];

	if (!(fl & CBW_R_HTML) || !(fl & (CBW_R_FORM | CBW_R_MULTIPART)) ||
	    r->method == CBW_GET)
		return 1;
	if (fl & CBW_R_NOCSRF) {
		pre = cbw_kv_get(&r->cookies, CBW_COOKIE_PRE);
		snprintf(b, sizeof(b), "pre:%s", pre ? pre : "");
		binding = pre ? b : NULL;
	} else
		binding = r->authed ? r->user.session_hash : NULL;
	if (cbw_auth_csrf_ok(&ctx->cfg, binding, cbw_kv_get(&r->form, "csrf")))
		return 1;
	cbw_reply_error(ctx, r, 403, "csrf", "Formulaire expiré ou invalide "
	    "(jeton CSRF) : rechargez la page et réessayez.", NULL);
	return 0;
}

/*
 * Compte la requête dans la limite par IP (compteur en base). Si un long
 * écrivain tient la base, l'attente est courte (RATE_BUSY_MS) et la
 * requête passe sans être comptée : une lecture reste rapide (WAL) et une
 * écriture n'attend pas deux fois avant son 503. Rend 1 si la limite est
 * dépassée (*retry rempli, à répondre par 429), 0 sinon.
 */
static int
rate_limited(struct cbw_ctx *ctx, struct cbw_req *r, long *retry)
{
	enum cbw_err	 er;

	cbw_db_busy_ms(ctx->db, RATE_BUSY_MS);
	er = cbw_ratelimit_hit(ctx->db, r->remote_addr ? r->remote_addr : "?",
	    ctx->cfg.rate_limit_per_minute, retry);
	cbw_db_busy_ms(ctx->db, CBW_DB_BUSY_MS);
	return er == CBW_ELIMIT;
}

/* Répond à une requête OPTIONS (pré-vérification CORS). */
static void
preflight(struct cbw_ctx *ctx, const struct cbw_app *app, struct cbw_req *r)
{
	long long	 ids[4];
	size_t		 i;
	int		 n;

	for (i = 0; i < app->nroutes; i++)
		if (cbw_route_path(app->routes[i].pattern, r->path, ids, &n)) {
			cbw_reply_empty(r, 204);
			return;
		}
	cbw_reply_error(ctx, r, 404, "not_found", "Adresse inconnue.", NULL);
}

/* Contrôles de front puis gestionnaire (voir app.h). */
void
cbw_app_dispatch(struct cbw_ctx *ctx, const struct cbw_app *app,
    struct cbw_req *r)
{
	const struct cbw_route	*rt = NULL;
	char			 allow[64];
	long			 retry;
	size_t			 i;
	unsigned int		 fl;

	r->cfg = &ctx->cfg;
	if (ctx->db == NULL) {	/* rouverture ratée (voir before_request) */
		cbw_http_header(r, "Retry-After", "5");
		cbw_reply_error(ctx, r, 503, "unavailable", "Base de données "
		    "indisponible : réessayez dans quelques instants.", NULL);
		return;
	}
	if (r->method == CBW_OPTIONS && r->path != NULL) {
		preflight(ctx, app, r);
		return;
	}
	switch (cbw_route_match(app->routes, app->nroutes, r, allow, sizeof(allow))) {
	case CBW_ROUTE_NOPATH:
		cbw_reply_error(ctx, r, 404, "not_found", "Adresse inconnue.", NULL);
		return;
	case CBW_ROUTE_NOMETHOD:
		reply_405(ctx, r, allow);
		return;
	case CBW_ROUTE_OK:
		break;
	}
	for (i = 0; i < app->nroutes; i++)
		if (app->routes[i].id == r->route)
			rt = &app->routes[i];
	fl = rt->flags;
	if (r->content_length > (size_t)((fl & (CBW_R_MULTIPART | CBW_R_LARGE)) ?
	    ctx->cfg.max_upload_bytes : ctx->cfg.max_body_bytes)) {
		cbw_reply_error(ctx, r, 413, "payload_too_large", (fl &
		    CBW_R_MULTIPART) ? "Fichier trop volumineux : 10 Mo au "
		    "maximum." : "Requête trop volumineuse.", NULL);
		return;
	}
	if (!check_body(ctx, r, fl))
		return;
	if (r->query_bad) {
		cbw_reply_error(ctx, r, 400, "invalid_query", "Paramètres de "
		    "l'adresse mal encodés (UTF-8 attendu).", NULL);
		return;
	}
	if (!(fl & CBW_R_NORATE) && rate_limited(ctx, r, &retry)) {
		reply_429(ctx, r, retry, "Trop de requêtes : réessayez dans "
		    "une minute.");
		return;
	}
	if (!check_auth(ctx, r, fl) || !parse_body(ctx, r, fl) ||
	    !check_csrf(ctx, r, fl))
		return;
	if ((fl & CBW_R_SUPER) && !r->user.is_super) {
		cbw_reply_error(ctx, r, 403, "forbidden",
		    "Accès réservé au super administrateur.", NULL);
		return;
	}
	app->handle(ctx, r);
	if (r->status == 0)
		cbw_reply_error(ctx, r, 500, "internal", "Erreur interne.", NULL);
}

/* Rédacteur FastCGI. */
static void
fcgi_write(void *arg, const char *s, size_t n)
{
	FCGX_PutStr(s, (int)n, ((FCGX_Request *)arg)->out);
}

/* Lit le corps annoncé par CONTENT_LENGTH (s'il n'est pas trop gros). */
static void
read_body(struct cbw_ctx *ctx, struct cbw_req *r, FCGX_Request *fr)
{
	const char	*cl = FCGX_GetParam("CONTENT_LENGTH", fr->envp);
	long long	 n = 0;
	int		 got;

	if (cl == NULL || *cl == '\0' ||
	    cbw_valid_int64(cl, 0, 1LL << 40, &n) != CBW_OK || n == 0)
		return;
	r->content_length = (size_t)n;
	if ((n > ctx->cfg.max_body_bytes && n > ctx->cfg.max_upload_bytes) ||
	    (r->body = malloc((size_t)n + 1)) == NULL)
		return;
	while (r->bodylen < (size_t)n) {
		got = FCGX_GetStr(r->body + r->bodylen, (int)((size_t)n - r->bodylen),
		    fr->in);
		if (got <= 0)
			break;
		r->bodylen += (size_t)got;
	}
	r->body[r->bodylen] = '\0';
}

/* Remplit la requête depuis les paramètres FastCGI. */
static void
load_request(struct cbw_ctx *ctx, struct cbw_req *r, FCGX_Request *fr)
{
	const char	*h;

	r->method_str = FCGX_GetParam("REQUEST_METHOD", fr->envp);
	r->method = cbw_http_method(r->method_str);
	r->path = FCGX_GetParam("PATH_INFO", fr->envp);
	r->query_raw = FCGX_GetParam("QUERY_STRING", fr->envp);
	r->content_type = FCGX_GetParam("CONTENT_TYPE", fr->envp);
	r->cookie_hdr = FCGX_GetParam("HTTP_COOKIE", fr->envp);
	r->authorization = FCGX_GetParam("HTTP_AUTHORIZATION", fr->envp);
	r->origin = FCGX_GetParam("HTTP_ORIGIN", fr->envp);
	r->remote_addr = FCGX_GetParam("REMOTE_ADDR", fr->envp);
	r->user_agent = FCGX_GetParam("HTTP_USER_AGENT", fr->envp);
	r->hub_signature = FCGX_GetParam("HTTP_X_HUB_SIGNATURE_256", fr->envp);
	h = FCGX_GetParam("HTTPS", fr->envp);
	r->https = h != NULL && strcasecmp(h, "on") == 0;
	if (r->query_raw != NULL)
		r->query_bad = cbw_http_parse_query(&r->query, r->query_raw,
		    strlen(r->query_raw)) != CBW_OK;
	if (r->cookie_hdr != NULL)
		cbw_http_parse_cookies(&r->cookies, r->cookie_hdr);
	read_body(ctx, r, fr);
	r->write = fcgi_write;
	r->write_arg = fr;
}

/* Ouvre configuration, base et gabarits ; message clair sur stderr sinon. */
static int
startup(struct cbw_ctx *ctx, const struct cbw_app *app)
{
	char	 err[512];

	memset(ctx, 0, sizeof(*ctx));
	ctx->service = app->service;
	cbw_log_init(app->service, CBW_LOG_INFO);
	if (cbw_config_load(&ctx->cfg, err, sizeof(err)) != CBW_OK) {
		cbw_log(CBW_LOG_CRITICAL, __func__, 0, "démarrage impossible", err, NULL);
		fprintf(stderr, "%s: %s\n", app->service, err);
		return 0;
	}
	cbw_log_init(app->service, ctx->cfg.log_level);
	setenv("TZ", ctx->cfg.time_zone, 1);
	tzset();
	if (cbw_db_open(&ctx->db, ctx->cfg.database_path, 0, err, sizeof(err)) != CBW_OK) {
		cbw_log(CBW_LOG_CRITICAL, __func__, 0, "démarrage impossible", err, NULL);
		fprintf(stderr, "%s: %s\n", app->service, err);
		return 0;
	}
	cbw_db_keep_wal_on_close(ctx->db);
	if (cbw_db_readonly(ctx->db))
		cbw_log(CBW_LOG_CRITICAL, __func__, 0, "base de données en lecture "
		    "seule (droits du fichier ?) : les écritures répondront 503",
		    ctx->cfg.database_path, NULL);
	if (access(ctx->cfg.template_dir, R_OK) != 0 ||
	    (ctx->tmpl = cbw_tmpl_open(ctx->cfg.template_dir)) == NULL) {
		snprintf(err, sizeof(err), "TEMPLATE_DIR %s illisible",
		    ctx->cfg.template_dir);
		cbw_log(CBW_LOG_CRITICAL, __func__, 0, "démarrage impossible", err, NULL);
		fprintf(stderr, "%s: %s\n", app->service, err);
		return 0;
	}
	return 1;
}

/*
 * Avant chaque requête : si la précédente a trouvé la base en lecture
 * seule (fichier, -wal ou -shm non inscriptibles), la connexion est
 * refermée puis rouverte, pour reprendre les écritures dès que les droits
 * sont rétablis, sans redémarrer le programme (l'ancienne d'abord : sa
 * mémoire partagée -shm ouverte en lecture seule serait sinon reprise).
 * Une connexion fermée au repos (release_memory) ou pendant un import
 * (cbw_app_run_child) est rouverte de même. Une base qui ne s'ouvre plus
 * laisse ctx->db à NULL (503, nouvel essai à la requête suivante). Oublie
 * ensuite la panne de la requête précédente et applique les limites de
 * test (builds de test seulement, voir cbw_db_test_limits). Ne rend rien.
 */
static void
before_request(struct cbw_ctx *ctx)
{
	char	 err[512];

	if (ctx->db != NULL &&
	    cbw_db_fault(ctx->db) == CBW_DB_FAULT_READONLY) {
		cbw_db_close(ctx->db);
		ctx->db = NULL;
		ctx->db_readonly_seen = 1;
	}
	if (ctx->db == NULL) {
		if (cbw_db_open(&ctx->db, ctx->cfg.database_path, 0, err,
		    sizeof(err)) != CBW_OK) {
			cbw_log(CBW_LOG_CRITICAL, __func__, 0, "base de données "
			    "impossible à rouvrir", err, NULL);
			return;
		}
		cbw_db_keep_wal_on_close(ctx->db);
		if (ctx->db_readonly_seen && !cbw_db_readonly(ctx->db)) {
			CBW_LOGW("base rouverte en écriture",
			    ctx->cfg.database_path);
			ctx->db_readonly_seen = 0;
		}
	}
	cbw_db_fault_clear(ctx->db);
	cbw_db_test_limits(ctx->db);
}

/*
 * Travail lourd dans un processus fils (lib/child.c). Une connexion SQLite
 * ne doit pas traverser fork (le fils hériterait de l'état des verrous de
 * celle du père sans tenir ses verrous) : celle du programme est fermée
 * avant, le fils ouvre la sienne, et elle est rouverte après comme avant
 * une requête (ctx->db reste NULL si elle ne se rouvre pas : journalisé).
 * Rend le code du fils (voir cbw_child_run). Aucun statut HTTP ici.
 */
enum cbw_err
cbw_app_run_child(struct cbw_ctx *ctx, cbw_child_fn fn, void *arg,
    struct cbw_buf *out)
{
	enum cbw_err	 er;

	cbw_db_close(ctx->db);
	ctx->db = NULL;
	er = cbw_child_run(fn, arg, out);
	before_request(ctx);
	return er;
}

/* Libère les ressources du processus. */
static void
shutdown_ctx(struct cbw_ctx *ctx)
{
	cbw_tmpl_close(ctx->tmpl);
	cbw_db_close(ctx->db);
	cbw_config_free(&ctx->cfg);
}

/* Installe les signaux : SIGTERM/SIGINT arrêtent, SIGPIPE ignoré. */
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
	sigaction(SIGUSR1, &sa, NULL);
}

/*
 * Termine la requête FastCGI. Quand l'entrée a été lue jusqu'à sa fin
 * (FCGI_STDIN vide reçu), la connexion est fermée tout de suite au lieu de
 * l'attente de libfcgi (shutdown puis lecture jusqu'à ce que lighttpd ferme,
 * deux changements de contexte par requête) : rien ne reste à lire, donc
 * rien ne peut être perdu. Sinon (corps refusé sans être lu), fermeture
 * normale de libfcgi. Ne produit aucun statut HTTP.
 */
static void
finish(FCGX_Request *fr)
{
	if (FCGX_GetChar(fr->in) == EOF)
		FCGX_Detach(fr);
	FCGX_Finish_r(fr);
}

/*
 * Attend au plus IDLE_MS une connexion sur la socket d'écoute FastCGI
 * (descripteur 0, ouvert par lighttpd). Renvoie 1 si rien n'est arrivé
 * (processus au repos), 0 si une connexion attend ou si un signal a
 * interrompu l'attente. Ne produit aucun statut HTTP.
 */
static int
idle_for_a_while(void)
{
	struct pollfd	 pfd = { .fd = 0, .events = POLLIN };

	return poll(&pfd, 1, IDLE_MS) == 0;
}

/*
 * Rend la mémoire prise par les requêtes : ce que le programme garde
 * (app->release, ex. l'ordre des contacts), puis la connexion SQLite
 * entière, fermée (cache de pages, requêtes préparées, schéma, base
 * temporaire), et le tas de malloc. La requête suivante la rouvre (voir
 * before_request, environ une milliseconde) et relit ses pages depuis le
 * cache du noyau. Le cache par fil de glibc (tcache), qui garderait des
 * morceaux libres épars dans tout le tas, est coupé par lighttpd
 * (GLIBC_TUNABLES, etc/lighttpd-routes.conf). Ne produit aucun statut HTTP.
 */
static void
release_memory(struct cbw_ctx *ctx, const struct cbw_app *app)
{
	if (app->release != NULL)
		app->release();
	cbw_db_close(ctx->db);
	ctx->db = NULL;
	malloc_trim(0);
}

/* Programme FastCGI complet (voir app.h). */
int
cbw_app_main(const struct cbw_app *app)
{
	struct cbw_ctx	 ctx;
	FCGX_Request	 fr;
	struct cbw_req	 r;
	int		 big, used = 0;

	if (!startup(&ctx, app)) {
		shutdown_ctx(&ctx);
		return 1;
	}
	signals();
	if (FCGX_Init() != 0 || FCGX_InitRequest(&fr, 0, 0) != 0) {
		fprintf(stderr, "%s: initialisation FastCGI impossible\n", app->service);
		shutdown_ctx(&ctx);
		return 1;
	}
	for (;;) {
		/* Une seconde sans requête après du travail : tout rendre. */
		if (used && !stopping && idle_for_a_while()) {
			release_memory(&ctx, app);
			used = 0;
		}
		if (stopping || FCGX_Accept_r(&fr) < 0)
			break;
		cbw_req_init(&r);
		before_request(&ctx);
		load_request(&ctx, &r, &fr);
		cbw_app_dispatch(&ctx, app, &r);
		/* Gros import ou export : rendre la mémoire sans attendre. */
		big = r.bodylen > 1048576 || r.out.cap > 1048576;
		cbw_req_free(&r);
		finish(&fr);
		cbw_db_after_response(ctx.db);
		if (big)
			release_memory(&ctx, app);
		used = 1;
	}
	FCGX_Free(&fr, 1);
	shutdown_ctx(&ctx);
	return 0;
}
