/*
 * Statistiques des messages (ticket 7) lues dans les agrégats tenus par
 * déclencheurs (db/migrations/0006_message_stats.sql : msg_hourly,
 * msg_status_counts), jamais dans la table messages : coût proportionnel
 * au nombre d'heures × campagnes de la plage, pas au nombre de messages.
 */
#ifndef CBW_MSGSTATS_H
#define CBW_MSGSTATS_H

#include "err.h"

struct cbw_db;
struct json_object;

/* Plage la plus longue acceptée, en jours (bornes comprises). */
#define CBW_MSGSTATS_MAX_DAYS	366
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
 * Lit un jour « AAAA-MM-JJ » strict (date existante) ; rend le numéro du
 * jour depuis le 1970-01-01 dans *days. CBW_EINVAL sinon.
 */
enum cbw_err	cbw_msgstats_day(const char *s, long long *days);

#endif
