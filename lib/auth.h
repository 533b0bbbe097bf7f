/*
 * Authentification : connexion (bcrypt, limitation des essais), sessions
 * (jetons de rafraîchissement API et cookies web, stockés hachés, rotation,
 * détection de réutilisation), jetons d'accès JWT, jetons CSRF.
 */
#ifndef CBW_AUTH_H
#define CBW_AUTH_H

#include <stddef.h>
#include <time.h>

#include "err.h"
#include "http.h"

struct cbw_db;
struct cbw_config;
struct cbw_stmt;

#define CBW_REFRESH_TTL		(7 * 24 * 3600)
#define CBW_LOGIN_WINDOW	(15 * 60)
#define CBW_LOGIN_MAX_FAILS	5
#define CBW_TOKEN_HEX		65	/* 32 octets aléatoires en hexadécimal */

/*
 * Vérifie la limite d'essais (5 échecs / 15 min par compte et par IP).
 * Renvoie CBW_OK, ou CBW_ELIMIT et le délai d'attente dans *retry_after.
 */
enum cbw_err	cbw_auth_throttle(struct cbw_db *, const char *email,
		    const char *ip, long *retry_after);
/*
 * Vérifie identifiants (temps constant, même si le compte n'existe pas) et
 * note l'essai. Renvoie CBW_OK et *u, CBW_EAUTH (identifiants faux ou
 * compte désactivé), CBW_ELIMIT (*retry_after), ou une erreur de base.
 */
enum cbw_err	cbw_auth_login(struct cbw_db *, const char *email,
		    const char *password, const char *ip, struct cbw_user *u,
		    long *retry_after);
/* Remplit u (id, email, role, is_super) depuis une ligne (id, email, role). */
void		cbw_auth_user_row(struct cbw_stmt *, struct cbw_user *u);
/* Ouvre une session (« api » ou « web ») : jeton brut et famille en sortie. */
enum cbw_err	cbw_auth_session_new(struct cbw_db *, long long user_id,
		    const char *kind, char token[CBW_TOKEN_HEX], char family[33]);
/* Jeton d'accès JWT (30 min) pour u (famille u->family) ; à libérer. */
enum cbw_err	cbw_auth_access(const struct cbw_config *, const struct cbw_user *u,
		    char **jwt);
/*
 * Rotation d'un jeton de rafraîchissement : l'ancien est marqué remplacé,
 * un nouveau est rendu dans newtok. Un jeton déjà remplacé ou révoqué
 * révoque toute la famille. Renvoie CBW_OK, CBW_EAUTH ou erreur de base.
 */
enum cbw_err	cbw_auth_refresh(struct cbw_db *, const char *token,
		    char newtok[CBW_TOKEN_HEX], struct cbw_user *u);
/* Vérifie « Authorization: Bearer <jwt> » : CBW_OK et *u, ou CBW_EAUTH. */
enum cbw_err	cbw_auth_bearer(struct cbw_db *, const struct cbw_config *,
		    const char *authorization, struct cbw_user *u);
/* Vérifie le jeton du cookie de session web : CBW_OK et *u, ou CBW_EAUTH. */
enum cbw_err	cbw_auth_web(struct cbw_db *, const char *token, struct cbw_user *u);
/* Révoque une famille de session (déconnexion). */
enum cbw_err	cbw_auth_revoke_family(struct cbw_db *, const char *family);
/* Révoque toutes les sessions d'un utilisateur (désactivation, mot de passe). */
enum cbw_err	cbw_auth_revoke_user(struct cbw_db *, long long user_id);
/* Jeton CSRF lié à `binding` (empreinte de session) : HMAC du secret. */
void		cbw_auth_csrf(const struct cbw_config *, const char *binding,
		    char out[CBW_TOKEN_HEX]);
/* Vérifie un jeton CSRF en temps constant ; 1 si valide. */
int		cbw_auth_csrf_ok(const struct cbw_config *, const char *binding,
		    const char *token);

#endif
