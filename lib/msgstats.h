/*
 * Statistiques des messages (ticket 7) lues dans les agrégats tenus par
 * déclencheurs (db/migrations/0006_message_stats.sql : msg_hourly,
 * msg_status_counts), jamais dans la table messages : coût proportionnel
 * au nombre d'heures × campagnes de la plage, pas au nombre de messages.
 */
#ifndef CBW_MSGSTATS_H
#define CBW_MSGSTATS_H

#include <stddef.h>

#include "err.h"

struct cbw_db;
struct json_object;

/* Plage la plus longue acceptée, en jours (bornes comprises). */
#define CBW_MSGSTATS_MAX_DAYS	366
/* Plage par défaut : les 30 derniers jours, aujourd'hui compris. */
#define CBW_MSGSTATS_DEFAULT_DAYS	30
/* Nombre de campagnes de top_campaigns. */
#define CBW_MSGSTATS_TOP	5

/*
 * Statistiques de `owner` (0 : toute la plateforme, pour le super admin),
 * d'une campagne (`campaign_id` > 0) ou de toutes (0), du jour local
 * from_day au jour local to_day (« AAAA-MM-JJ », bornes comprises, dans
 * le fuseau du processus : TZ réglé depuis TIME_ZONE). Rend dans *out
 * (nouvelle référence) :
 *
 *  totals        { pending, sending, sent, delivered, read, failed,
 *                  cancelled, total } : nombre *actuel* de messages par
 *                  statut, Message 1 et Message 2, toutes dates (un statut
 *                  n'a pas de date ; la plage ne s'y applique pas) ;
 *  success_count, total_recipients, success_rate : propriété 6, même
 *                  formule que le success_rate des campagnes (succès =
 *                  Message 1 sent + delivered + read ; total = toutes les
 *                  lignes Message 1, en attente et annulées comprises, comme
 *                  total_recipients), via cbw_success_rate, toutes dates ;
 *  failed_count  Message 1 actuellement en échec (carte « Échoués » :
 *                  total_recipients, success_count et failed_count sont
 *                  les trois chiffres du taux, sur les mêmes lignes) ;
 *  replies       réponses et réactions reçues dans la plage ;
 *  opt_outs      contacts du propriétaire désinscrits dans la plage (le
 *                  filtre de campagne ne s'y applique pas : une
 *                  désinscription est celle d'un contact, pas d'une
 *                  campagne ; owner 0 : tous les contacts) ;
 *  series        un objet par jour local de la plage, jours vides compris :
 *                  { day, sent, delivered, read, failed, replies }, chaque
 *                  événement compté au jour de son horodatage (failed :
 *                  messages actuellement en échec, au jour de failed_at) ;
 *  top_campaigns les 5 campagnes les plus répondues dans la plage (parmi
 *                  celles qui ont eu un envoi ou une réponse) : { id, name,
 *                  replies, sent }, par réponses puis envois décroissants,
 *                  puis id.
 *
 * CBW_EINVAL : jour mal écrit ou inexistant, from_day > to_day, plage de
 * plus de 366 jours. CBW_ENOTFOUND : campagne absente ou pas à `owner`
 * (si owner > 0). CBW_EDB / CBW_ENOMEM sinon ; *out vaut alors NULL.
 */
enum cbw_err	cbw_msgstats_get(struct cbw_db *, long long owner,
		    long long campaign_id, const char *from_day,
		    const char *to_day, struct json_object **out);

/*
 * Répartition par admin pour le super admin : un objet par compte
 * (admins et super admins, actifs ou non, par e-mail) { user_id, email,
 * role, is_active, campaigns, total, failed, total_recipients,
 * success_count, success_rate (propriété 6, toutes dates), sent_in_range,
 * replies, opt_outs (dans la plage de jours locaux) }. Agrégats
 * seulement : jamais un contact ni un message. CBW_EINVAL si la plage est
 * invalide (comme cbw_msgstats_get) ; CBW_EDB / CBW_ENOMEM sinon.
 */
enum cbw_err	cbw_msgstats_by_owner(struct cbw_db *, const char *from_day,
		    const char *to_day, struct json_object **out);

/*
 * Les `days` derniers jours locaux, aujourd'hui compris : from et to en
 * « AAAA-MM-JJ » (len ≥ 11). CBW_EINVAL si days sort de [1, 366].
 */
enum cbw_err	cbw_msgstats_last_days(int days, char *from, char *to,
		    size_t len);

/*
 * Plage demandée par un formulaire ou une query string : from et to
 * (« AAAA-MM-JJ », vides ou NULL : absents). Les deux absents : les 30
 * derniers jours ; fin seule : les 30 jours qui y mènent ; début seul :
 * jusqu'à aujourd'hui. Écrit les jours retenus dans from_out et to_out
 * (len ≥ 11). CBW_EINVAL avec *field (« from » ou « to ») et *msg (en
 * français) si un jour est invalide, si la fin précède le début ou si la
 * plage dépasse 366 jours (réponse 422 de l'appelant).
 */
enum cbw_err	cbw_msgstats_range(const char *from, const char *to,
		    char *from_out, char *to_out, size_t len,
		    const char **field, const char **msg);

/*
 * Tableau par campagne de la page Statistiques : une page des campagnes
 * de `owner` (ou la seule `campaign_id` si > 0), de la plus récente à la
 * plus ancienne : { id, name, status, launched_at, total_recipients,
 * sent, delivered, read, failed, pending (statuts actuels des Message 1),
 * replies (toutes dates), success_count (sent + delivered + read),
 * success_rate (propriété 6) } et le nombre de
 * campagnes dans *total. CBW_EDB / CBW_ENOMEM sinon.
 */
enum cbw_err	cbw_msgstats_campaigns(struct cbw_db *, long long owner,
		    long long campaign_id, long long page, long long per_page,
		    struct json_object **items, long long *total);

/*
 * Lit un jour « AAAA-MM-JJ » strict (date existante) ; rend le numéro du
 * jour depuis le 1970-01-01 dans *days. CBW_EINVAL sinon.
 */
enum cbw_err	cbw_msgstats_day(const char *s, long long *days);

#endif
