/*
 * Webhook WhatsApp (DESIGN §7) : vérification de la poignée de main GET,
 * de la signature X-Hub-Signature-256 du corps brut, et lecture d'une
 * notification « whatsapp_business_account » en une liste d'événements à
 * appliquer (statuts, messages reçus, préférences marketing). Fonctions
 * pures : aucune écriture en base ici (voir automation.h).
 */
#ifndef CBW_WEBHOOK_H
#define CBW_WEBHOOK_H

#include <stddef.h>
#include <time.h>

#include "err.h"

/* Nature d'un événement lu dans une notification. */
enum cbw_wh_kind {
	CBW_WH_STATUS,		/* value.statuses[] */
	CBW_WH_MESSAGE,		/* value.messages[] (réponse d'un contact) */
	CBW_WH_OPTOUT,		/* user_preferences : marketing « stop » */
	CBW_WH_OPTIN,		/* user_preferences : marketing « resume » */
	CBW_WH_IGNORED,		/* champ ou type non géré : accepté, journalisé */
	CBW_WH_KIND__MAX
};

/* Statut d'un message sortant, dans l'ordre où il ne recule jamais. */
enum cbw_wh_status {
	CBW_WH_SENT,
	CBW_WH_DELIVERED,
	CBW_WH_READ,
	CBW_WH_FAILED,
	CBW_WH_STATUS__MAX
};

/* Type d'un message reçu. */
enum cbw_wh_msgtype {
	CBW_WH_TEXT,		/* text.body */
	CBW_WH_REACTION,	/* reaction.emoji (vide : réaction retirée) */
	CBW_WH_BUTTON,		/* button.text / payload (réponse rapide d'un modèle) */
	CBW_WH_INTERACTIVE,	/* interactive.button_reply / list_reply : title */
	CBW_WH_OTHER,		/* image, audio, document, sticker, location... */
	CBW_WH_MSGTYPE__MAX
};

/* Un événement (chaînes copiées, terminées par NUL, tronquées sans couper un caractère). */
struct cbw_wh_event {
	enum cbw_wh_kind	 kind;
	char			 phone_number_id[64];	/* value.metadata */
	/* CBW_WH_STATUS */
	enum cbw_wh_status	 status;
	char			 wamid[160];		/* statuses[].id */
	char			 recipient[32];		/* recipient_id (chiffres) */
	time_t			 timestamp;		/* chaîne ou entier ; 0 si absent */
	long long		 error_code;		/* errors[0].code, 0 sinon */
	char			 error_text[256];	/* errors[0] title / details */
	/* CBW_WH_MESSAGE, CBW_WH_OPTOUT, CBW_WH_OPTIN */
	char			 from[32];		/* chiffres de l'expéditeur (wa_id) */
	char			 message_id[160];	/* messages[].id (wamid entrant) */
	char			 context_id[160];	/* context.id : wamid auquel il répond */
	enum cbw_wh_msgtype	 msgtype;
	char			 text[1024];		/* contenu lisible (texte, emoji, titre...) */
	char			 type_name[32];		/* type d'origine (« image »...) */
};

/* Notification lue : tableau d'événements. */
struct cbw_wh_batch {
	struct cbw_wh_event	*ev;
	size_t			 n, cap;
};

/*
 * Poignée de main GET : CBW_OK si mode vaut « subscribe » et `token` est
 * égal (comparaison en temps constant) au jeton configuré non vide ;
 * CBW_EDENIED sinon (→ 403). Le corps de la réponse est `challenge`.
 */
enum cbw_err	 cbw_wh_verify(const char *mode, const char *token,
		    const char *challenge, const char *configured);

/*
 * Signature : `header` doit valoir « sha256=<64 hex minuscules ou
 * majuscules> » et égaler HMAC-SHA256(secret, corps brut), comparée en
 * temps constant ; si elle diffère et que le corps contient des octets
 * ≥ 0x80, elle est aussi essayée sur la forme où chaque caractère non ASCII
 * est écrit \uXXXX (minuscules, paires de substitution). CBW_OK, ou
 * CBW_EDENIED (→ 403) si l'en-tête manque, est mal formé, ou ne correspond
 * pas, ou si le secret est vide.
 */
enum cbw_err	 cbw_wh_signature_ok(const char *body, size_t len,
		    const char *header, const char *secret);

/*
 * Lit une notification : JSON strict, objet avec object ==
 * "whatsapp_business_account" et un tableau entry[] (sinon CBW_EINVAL →
 * 400). Chaque entry[].changes[] de champ « messages » donne ses statuses[]
 * et messages[] (contacts[] pour le wa_id) ; « user_preferences » donne les
 * désabonnements marketing ; tout autre champ ou type inconnu donne un
 * événement CBW_WH_IGNORED. Un élément mal formé (statut inconnu, id
 * manquant) devient CBW_WH_IGNORED sans faire échouer le reste.
 * CBW_ENOMEM possible. Libérer avec cbw_wh_batch_free.
 */
enum cbw_err	 cbw_wh_parse(const char *body, size_t len, struct cbw_wh_batch *);
void		 cbw_wh_batch_free(struct cbw_wh_batch *);

/* Nom du statut (« sent »...), du type (« text »...) et de la nature. */
const char	*cbw_wh_status_name(enum cbw_wh_status);
const char	*cbw_wh_kind_name(enum cbw_wh_kind);
/* Vrai si le texte (blancs de bord ignorés, casse et accents ignorés) est un mot de désabonnement. */
int		 cbw_wh_is_stop_word(const char *text);
/* Ajout : nom d'un type de message (« text », « reaction », « button », « interactive », « other »). */
const char	*cbw_wh_msgtype_name(enum cbw_wh_msgtype);

#endif
