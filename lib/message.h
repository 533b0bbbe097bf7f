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
	/*
	 * > 0 : le total compté dans les index s'arrête à count_max + 1
	 * (« plus de count_max », pour une page HTML) ; 0 : total exact.
	 */
	long long	 count_max;
};

/* Vrai si `s` est un statut de message connu. */
int		cbw_message_status_ok(const char *s);
/* Libellé français d'un statut (« Envoyé »…) ; le statut lui-même s'il est inconnu. */
const char	*cbw_message_status_label(const char *s);
/* Vrai si `s` vaut message_1 ou message_2. */
int		cbw_message_type_ok(const char *s);
/*
 * Page de messages de `owner` et total : les plus récents d'abord (id
 * décroissant ; avec from ou to, date d'envoi — sinon de mise en file —
 * décroissante, puis id).
 */
enum cbw_err	cbw_message_list(struct cbw_db *, long long owner,
		    const struct cbw_message_filter *, long long page,
		    long long per_page, struct json_object **items,
		    long long *total);
/*
 * Les `max` messages les plus récents du filtre en CSV dans out : BOM,
 * séparateur « ; », en-tête français, dates locales, cellules sans
 * formule (cbw_csv_cell). CBW_OK, ou CBW_EDB / CBW_EBUSY / CBW_ENOMEM
 * (out contient alors une sortie partielle à jeter).
 */
enum cbw_err	cbw_message_export(struct cbw_db *, long long owner,
		    const struct cbw_message_filter *, long long max,
		    struct cbw_buf *out);
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

/*
 * Ajoute à un message ses libellés de page : status_label,
 * message_type_label, retry_label, next_attempt_display (s'il attend),
 * sent_display, delivered_display, read_display, failed_display,
 * created_display, at_display (envoi, sinon mise en file), contact_name
 * (« Prénom Nom », sinon le numéro).
 */
void		cbw_message_decorate(struct json_object *);

#endif
