/*
 * Application des événements du webhook WhatsApp (DESIGN §7) : statuts des
 * messages envoyés (jamais en arrière, doublons sans effet), réponses des
 * contacts enregistrées et Message 2 mis en file une seule fois par
 * contact et par campagne, désabonnements. Tout un lot en une transaction.
 * Si la base reste verrouillée, le corps (déjà authentifié) est mis de côté
 * dans un dossier « spool » et rejoué par cbw-retry : rien n'est perdu et
 * WhatsApp reçoit quand même sa réponse 200.
 */
#ifndef CBW_AUTOMATION_H
#define CBW_AUTOMATION_H

#include <stddef.h>

#include "err.h"

struct cbw_db;
struct cbw_wh_batch;

/* Délai pendant lequel une réponse compte pour le dernier Message 1 reçu. */
#define CBW_REPLY_WINDOW_DAYS	30

struct cbw_auto_report {
	long	 statuses;	/* statuts appliqués */
	long	 duplicates;	/* statuts déjà connus, en arrière ou redélivrés */
	long	 unknown;	/* wamid inconnu */
	long	 replies;	/* réponses et réactions enregistrées */
	long	 queued;	/* Message 2 mis en file */
	long	 optouts;	/* contacts désabonnés */
	long	 unmatched;	/* message d'un numéro sans campagne */
	long	 ignored;	/* autre numéro d'envoi, événement non géré */
};

/*
 * Applique un lot d'événements en une transaction (BEGIN IMMEDIATE).
 * `phone_id` : si non vide, les événements d'un autre phone_number_id sont
 * ignorés. `now_ms` : heure de réception. CBW_OK ; CBW_EBUSY si la base
 * est restée verrouillée (rien n'est écrit) ; CBW_EDB, CBW_ENOMEM.
 */
enum cbw_err	 cbw_auto_apply(struct cbw_db *, const struct cbw_wh_batch *,
		    const char *phone_id, long long now_ms,
		    struct cbw_auto_report *);

/*
 * Met de côté un corps de webhook authentifié dans `<dbpath>.spool/`
 * (fichier écrit puis renommé : jamais à moitié). CBW_OK ou CBW_EIO.
 */
enum cbw_err	 cbw_auto_spool(const char *dbpath, const char *body, size_t len);

/*
 * Rejoue les corps mis de côté, du plus ancien au plus récent, et efface
 * chacun une fois appliqué (un corps illisible est renommé « .bad »).
 * *n reçoit le nombre de corps appliqués. S'arrête sur CBW_EBUSY.
 */
enum cbw_err	 cbw_auto_replay(struct cbw_db *, const char *dbpath,
		    const char *phone_id, long *n);

#endif
