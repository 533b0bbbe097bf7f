/*
 * Messages envoyés par les campagnes : liste filtrée et paginée, détail.
 * Un message appartient à l'administrateur de sa campagne ; celui d'un
 * autre est traité comme absent (404).
 */
#ifndef CBW_MESSAGE_H
#define CBW_MESSAGE_H

#include "err.h"

struct cbw_db;
struct json_object;

/* Filtres de la liste (0 ou NULL : pas de filtre). */
struct cbw_message_filter {
	long long	 campaign_id;
	long long	 contact_id;
	const char	*status;	/* pending, sending, sent, delivered, read, failed, cancelled */
	const char	*message_type;	/* message_1, message_2 */
};

/* Vrai si `s` est un statut de message connu. */
int		cbw_message_status_ok(const char *s);
/* Vrai si `s` vaut message_1 ou message_2. */
int		cbw_message_type_ok(const char *s);
/* Page de messages de `owner` (les plus récents d'abord) et total. */
enum cbw_err	cbw_message_list(struct cbw_db *, long long owner,
		    const struct cbw_message_filter *, long long page,
		    long long per_page, struct json_object **items,
		    long long *total);
/* Un message ; CBW_ENOTFOUND s'il est absent ou d'un autre admin. */
enum cbw_err	cbw_message_get(struct cbw_db *, long long owner, long long id,
		    struct json_object **);

#endif
