/*
 * Messages envoyés par les campagnes : liste filtrée et paginée, détail.
 * Un message appartient à l'administrateur de sa campagne ; celui d'un
 * autre est traité comme absent (404).
 */
#ifndef CBW_MESSAGE_H
#define CBW_MESSAGE_H

#include <stddef.h>

#include "err.h"

struct cbw_db;
struct json_object;

/* Filtres de la liste (0 ou NULL : pas de filtre). */
struct cbw_message_filter {
	long long	 campaign_id;
	long long	 contact_id;
	const char	*status;	/* pending, sending, sent, delivered, read, failed, cancelled */
	const char	*message_type;	/* message_1, message_2 */
	const char	*q;		/* nom ou chiffres du numéro du contact */
	const char	*from;		/* bornes UTC ISO (envoi, sinon création), incluses */
	const char	*to;
};

/* Vrai si `s` est un statut de message connu. */
int		cbw_message_status_ok(const char *s);
/* Libellé français d'un statut (« Envoyé »…) ; le statut lui-même s'il est inconnu. */
const char	*cbw_message_status_label(const char *s);
/* Vrai si `s` vaut message_1 ou message_2. */
int		cbw_message_type_ok(const char *s);
/* Page de messages de `owner` (les plus récents d'abord) et total. */
enum cbw_err	cbw_message_list(struct cbw_db *, long long owner,
		    const struct cbw_message_filter *, long long page,
		    long long per_page, struct json_object **items,
		    long long *total);
/*
 * Bornes UTC d'un jour local « AAAA-MM-JJ » (fuseau TZ du processus) :
 * début (00:00:00 local) ou fin (23:59:59 local) en ISO UTC dans out.
 * CBW_EINVAL si la date est mal écrite ou impossible.
 */
enum cbw_err	cbw_message_day_bound(const char *day, int end, char *out,
		    size_t len);
/*
 * Un message ; CBW_ENOTFOUND s'il est absent ou d'un autre admin. Avec sa
 * chronologie « timeline » : création, envoi, échec, distribution,
 * lecture, réponses et réactions, dans l'ordre du temps.
 */
enum cbw_err	cbw_message_get(struct cbw_db *, long long owner, long long id,
		    struct json_object **);

#endif
