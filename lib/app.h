/*
 * Cadre commun des programmes FastCGI : boucle FCGX_Accept_r, contrôles de
 * front (chemin, méthode, taille, type, débit, authentification, CSRF,
 * rôle), puis appel du gestionnaire du programme ; et les fonctions de
 * réponse (JSON, HTML par gabarit, redirection, erreurs, messages flash).
 */
#ifndef CBW_APP_H
#define CBW_APP_H

#include <stddef.h>

#include "child.h"
#include "config.h"
#include "err.h"
#include "http.h"
#include "route.h"

struct cbw_db;
struct cbw_tmpl_set;
struct json_object;

struct cbw_ctx {
	struct cbw_config	 cfg;
	struct cbw_db		*db;
	struct cbw_tmpl_set	*tmpl;
	const char		*service;
	int			 db_readonly_seen; /* rouverte ensuite : le dire */
};

/* Gestionnaire d'un programme : un switch sur r->route. */
typedef void	(*cbw_handler)(struct cbw_ctx *, struct cbw_req *);

struct cbw_app {
	const char		*service;	/* nom pour les journaux */
	const struct cbw_route	*routes;
	size_t			 nroutes;
	cbw_handler		 handle;
	/* Rend au repos la mémoire que le programme garde entre requêtes (ou NULL). */
	void			(*release)(void);
};

#define CBW_COOKIE_SESSION	"cbw_session"
#define CBW_COOKIE_PRE		"cbw_pre"	/* avant connexion : lie le CSRF */
#define CBW_COOKIE_FLASH	"cbw_flash"

/*
 * Démarre le programme : configuration, base, gabarits (échec immédiat avec
 * un message clair), puis boucle de requêtes jusqu'à SIGTERM. Rend le code
 * de sortie du processus.
 */
int		 cbw_app_main(const struct cbw_app *);
/* Applique les contrôles de front puis le gestionnaire (testable sans FastCGI). */
void		 cbw_app_dispatch(struct cbw_ctx *, const struct cbw_app *,
		    struct cbw_req *);

/*
 * Exécute fn(arg, out) dans un processus fils qui ouvre sa propre
 * connexion (ctx->cfg.database_path) : la connexion du programme est
 * fermée pendant ce temps puis rouverte. Rend le code de fn ; CBW_EIO si
 * le fils est mort sans répondre (voir lib/child.h).
 */
enum cbw_err	 cbw_app_run_child(struct cbw_ctx *, cbw_child_fn, void *arg,
		    struct cbw_buf *out);
/* Réponse JSON (l'objet est pris et libéré). */
void		 cbw_reply_json(struct cbw_req *, int status, struct json_object *);
/* Réponse sans corps (204). */
void		 cbw_reply_empty(struct cbw_req *, int status);
/*
 * Erreur : JSON {error, message, fields} pour l'API, page error.html pour
 * le HTML. `fields` est pris.
 */
void		 cbw_reply_error(struct cbw_ctx *, struct cbw_req *, int status,
		    const char *code, const char *message, struct json_object *fields);
/* Erreur venant d'une fonction de service : 404, 409, 503 (Retry-After), 500. */
void		 cbw_reply_err(struct cbw_ctx *, struct cbw_req *, enum cbw_err);
/* Fin d'un service sans corps : `status` (204) si er vaut CBW_OK, sinon l'erreur. */
void		 cbw_reply_done(struct cbw_ctx *, struct cbw_req *, enum cbw_err,
		    int status);
/* Page HTML rendue par gabarit ; `data` est pris. Erreur de gabarit : 500 journalisé. */
void		 cbw_reply_html(struct cbw_ctx *, struct cbw_req *, int status,
		    const char *tmpl, struct json_object *data);
/* Redirection 303 (POST-redirect-GET) vers un chemin local. */
void		 cbw_reply_redirect(struct cbw_req *, const char *location);
/* Message flash signé pour la page suivante (« success » ou « error »). */
void		 cbw_flash(struct cbw_ctx *, struct cbw_req *, const char *kind,
		    const char *message);

/*
 * Contexte de base d'une page connectée : title, page, user, csrf et flash
 * (lu puis effacé). Rend un nouvel objet, ou NULL si la mémoire manque.
 */
struct json_object *cbw_page_new(struct cbw_ctx *, struct cbw_req *,
		    const char *page, const char *title);
/* Ajoute au contexte le message flash (lu puis effacé), s'il est authentique. */
void		 cbw_page_flash(struct cbw_ctx *, struct cbw_req *, struct json_object *);
/*
 * Champ texte d'entrée : corps JSON pour l'API, formulaire pour le HTML.
 * CBW_OK (*out emprunté), CBW_ENOTFOUND (absent), CBW_EINVAL (pas une
 * chaîne, ou UTF-8 invalide).
 */
enum cbw_err	 cbw_input_str(struct cbw_req *, const char *key, const char **out);
/*
 * Liste d'identifiants `key` : tableau JSON d'entiers positifs pour l'API,
 * valeurs répétées du formulaire pour le HTML. Rend CBW_OK (*n, peut être
 * 0), CBW_ENOTFOUND (absent), CBW_EINVAL (pas un tableau d'identifiants,
 * ou plus de `max`).
 */
enum cbw_err	 cbw_input_ids(struct cbw_req *, const char *key, long long *ids,
		    size_t max, size_t *n);
/* Vrai (1) si `id` figure parmi les n identifiants lus par cbw_input_ids. */
int		 cbw_ids_has(const long long *ids, size_t n, long long id);
/*
 * Pagination de la chaîne de requête (page ≥ 1, per_page 1..50). Valeur
 * fausse : 422 pour l'API (rend 0, réponse partie), retour à la première
 * page pour le HTML (rend 1).
 */
int		 cbw_input_page(struct cbw_ctx *, struct cbw_req *, long long *pg,
		    long long *pp);
/* Ajoute page_num, pages, prev_page, next_page, total au contexte. */
void		 cbw_page_pagination(struct json_object *, long long page,
		    long long per_page, long long total);

#endif
