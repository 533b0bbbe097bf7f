/*
 * Client de l'API WhatsApp Cloud (Graph API) par libcurl : corps JSON des
 * messages texte et modèle tels que Meta les documente, envoi avec jeton
 * Bearer et délais, lecture de la réponse (wamid ou erreur Graph) et
 * classement des erreurs par code WhatsApp (jamais par statut HTTP seul) en
 * une seule table, avec une explication française par code connu.
 */
#ifndef CBW_WHATSAPP_H
#define CBW_WHATSAPP_H

#include <stddef.h>

#include "err.h"

struct cbw_buf;
struct cbw_config;

/* Classe d'un résultat d'envoi. */
enum cbw_wa_class {
	CBW_WA_OK,		/* accepté : wamid reçu */
	CBW_WA_RETRYABLE,	/* réessayer plus tard (limites, panne passagère, réseau) */
	CBW_WA_PERMANENT,	/* inutile de réessayer ce message (numéro, modèle...) */
	CBW_WA_STOP,		/* problème du compte ou du jeton : arrêter d'envoyer */
	CBW_WA_CLASS__MAX
};

/* Codes internes (négatifs) pour ce qui n'est pas une erreur Graph. */
#define CBW_WA_CODE_NETWORK	(-1)	/* connexion impossible, DNS, TLS */
#define CBW_WA_CODE_TIMEOUT	(-2)	/* délai dépassé */
#define CBW_WA_CODE_HTTP	(-3)	/* statut HTTP d'erreur sans corps Graph lisible */
#define CBW_WA_CODE_GARBAGE	(-4)	/* réponse 2xx illisible ou sans wamid */

struct cbw_wa_result {
	enum cbw_wa_class	 cls;
	long long		 code;		/* code WhatsApp, ou CBW_WA_CODE_*, 0 si OK */
	long			 http_status;	/* 0 si aucune réponse */
	char			 wamid[160];	/* messages[0].id si OK */
	char			 error[512];	/* explication française (jamais le jeton) */
	char			 fbtrace_id[64];
};

/*
 * Table de classement : classe et explication française d'un code
 * WhatsApp (ou CBW_WA_CODE_*). Un code inconnu est permanent, avec un texte
 * générique. `french` peut être NULL.
 */
enum cbw_wa_class cbw_wa_classify(long long code, const char **french);
/* Nom court d'une classe : "ok", "retryable", "permanent", "stop". */
const char	*cbw_wa_class_name(enum cbw_wa_class);

/*
 * Corps JSON d'un message texte (`to` : chiffres seulement, sans « + »).
 * preview_url vaut vrai si le texte contient une adresse http(s).
 * CBW_EINVAL si `to` ou `text` est invalide, CBW_ENOMEM.
 */
enum cbw_err	 cbw_wa_text_body(struct cbw_buf *, const char *to, const char *text);
/*
 * Corps JSON d'un message modèle : nom, code de langue, paramètres texte du
 * corps (composant « body » omis si nparams vaut 0).
 */
enum cbw_err	 cbw_wa_template_body(struct cbw_buf *, const char *to,
		    const char *name, const char *lang, const char *const *params,
		    size_t nparams);

/*
 * Lit une réponse HTTP de /messages (fonction pure, sans réseau) et remplit
 * `res` : succès si 2xx avec messages[0].id, sinon l'erreur Graph
 * (error.code, error_subcode, message, error_data.details, fbtrace_id)
 * classée par cbw_wa_classify ; réponse illisible : CBW_WA_CODE_HTTP (non
 * 2xx, réessayable si 5xx ou 429, permanent sinon) ou CBW_WA_CODE_GARBAGE.
 */
void		 cbw_wa_parse_response(long http_status, const char *body,
		    size_t len, struct cbw_wa_result *res);

/* Rend 1 si le code d'erreur est dans la table de classement, 0 sinon. */
int		 cbw_wa_known(long long code);
/*
 * Remplit `res` pour un code : classe et texte français de la table, suivis
 * de `extra` (peut être NULL).
 */
void		 cbw_wa_result_set(struct cbw_wa_result *res, long long code,
		    const char *extra);
/*
 * Ajoute s à dst (taille cap) sans couper de séquence UTF-8 ni garder de
 * caractère de contrôle. Rend 1 si tout a tenu, 0 si tronqué.
 */
int		 cbw_wa_text_append(char *dst, size_t cap, const char *s);

/* Client HTTP (lib/waclient.c, seul fichier qui dépend de libcurl). */
struct cbw_wa_client;
/*
 * Prépare un client (poignée curl réutilisée, connexion gardée) pour
 * POST {GRAPH_BASE_URL}/{WHATSAPP_API_VERSION}/{WHATSAPP_PHONE_NUMBER_ID}/messages.
 * timeout_ms : délai total d'un appel (connexion : le plus petit de 5 s et
 * de timeout_ms). Vérification TLS active. CBW_EINVAL si la configuration
 * est incomplète (jeton ou identifiant de numéro vide), CBW_ENOMEM.
 */
enum cbw_err	 cbw_wa_open(struct cbw_wa_client **, const struct cbw_config *,
		    long timeout_ms);
void		 cbw_wa_close(struct cbw_wa_client *);
/* Envoie un corps JSON et remplit `res` (ne journalise jamais le jeton). */
void		 cbw_wa_send(struct cbw_wa_client *, const char *body,
		    struct cbw_wa_result *res);

#endif
