/*
 * Campagnes : brouillon, validation des messages (longueur, variables,
 * adresses), lancement (une ligne « messages » par contact joignable, en
 * une transaction), annulation, reprise manuelle des échecs, statistiques,
 * export CSV. Toutes les requêtes portent la condition de propriétaire.
 */
#ifndef CBW_CAMPAIGN_H
#define CBW_CAMPAIGN_H

#include <stddef.h>

#include "err.h"

struct cbw_buf;
struct cbw_db;
struct json_object;

#define CBW_MSG_MAX		4096	/* caractères d'un message WhatsApp */
#define CBW_CAMPAIGN_CATS_MAX	100	/* catégories d'une campagne */
#define CBW_TEMPLATE_PARAMS_MAX	10

/* Saisie validée d'une campagne (chaînes empruntées). */
struct cbw_campaign_in {
	const char	*name;
	long long	 cats[CBW_CAMPAIGN_CATS_MAX];
	size_t		 ncats;
	const char	*message_1;
	const char	*message_2;		/* NULL : pas de Message 2 */
	const char	*template_name;		/* NULL : Message 1 en texte */
	const char	*template_language;
	const char	*params[CBW_TEMPLATE_PARAMS_MAX];	/* champs du contact */
	size_t		 nparams;
};

/*
 * Vérifie un texte de message : 1 à 4096 caractères UTF-8 sans caractère
 * de contrôle (hors saut de ligne et tabulation), variables connues
 * seulement ({{first_name}}, {{last_name}}), adresses http(s) valides
 * (propriété 13). CBW_OK, ou CBW_EINVAL et un message français dans msg
 * (qui nomme la variable ou l'adresse fautive).
 */
enum cbw_err	cbw_campaign_check_text(const char *text, char *msg, size_t len);
/* Remplace les variables par les champs du contact (NULL : vide). */
enum cbw_err	cbw_campaign_render(struct cbw_buf *, const char *text,
		    const char *first_name, const char *last_name);
/* Vrai si `field` est un champ de contact permis en paramètre de modèle. */
int		cbw_campaign_param_ok(const char *field);
/* Nom de modèle WhatsApp : [a-z0-9_], 1 à 512 ; langue « fr », « en_US ». */
int		cbw_campaign_template_ok(const char *name);
int		cbw_campaign_language_ok(const char *code);

/*
 * Taux de réussite (propriété 6) : succès / total × 100, 0 si total vaut
 * 0, arrondi au dixième. Même fonction pour l'API, les pages et l'export.
 */
double		cbw_success_rate(long long success, long long total);
/* Le même taux écrit à la française, « 66,7 % » (out ≥ 16 octets). */
void		cbw_success_rate_text(long long success, long long total,
		    char *out, size_t len);

/*
 * Destinataires joignables (contacts distincts, non désabonnés) des
 * catégories données ; *empty reçoit (si non NULL) le tableau JSON des noms
 * des catégories sans destinataire joignable. CBW_ENOTFOUND si une
 * catégorie n'est pas à `owner`.
 */
enum cbw_err	cbw_campaign_recipients(struct cbw_db *, long long owner,
		    const long long *cats, size_t n, long long *count,
		    struct json_object **empty);

/* Crée un brouillon ; CBW_ENOTFOUND si une catégorie n'est pas à lui. */
enum cbw_err	cbw_campaign_create(struct cbw_db *, long long owner,
		    const struct cbw_campaign_in *, long long *id);
/* Remplace un brouillon ; CBW_ENOTFOUND ; CBW_ECONFLICT s'il est lancé. */
enum cbw_err	cbw_campaign_update(struct cbw_db *, long long owner, long long id,
		    const struct cbw_campaign_in *);
/*
 * Supprime une campagne qui n'envoie pas (brouillon, terminée, annulée) ;
 * CBW_ECONFLICT si elle est en cours d'envoi.
 */
enum cbw_err	cbw_campaign_delete(struct cbw_db *, long long owner, long long id);
/*
 * Lance un brouillon en une transaction : statut 'sending', une ligne
 * message_1 'pending' par contact joignable distinct, total_recipients.
 * CBW_ECONFLICT s'il n'est plus brouillon ; CBW_EINVAL s'il n'y a aucun
 * destinataire joignable (*empty : noms des catégories vides).
 */
enum cbw_err	cbw_campaign_launch(struct cbw_db *, long long owner, long long id,
		    long long *recipients, struct json_object **empty);
/*
 * Annule une campagne en cours : ses lignes en attente passent
 * 'cancelled', les envoyées restent. *n : lignes arrêtées.
 * CBW_ECONFLICT si elle n'est pas en cours d'envoi.
 */
enum cbw_err	cbw_campaign_cancel(struct cbw_db *, long long owner, long long id,
		    long long *n);
/*
 * Reprise manuelle : remet en file (une tentative chacun) les échecs qui
 * peuvent réussir en réessayant (réessayables épuisés, résultat inconnu,
 * arrêt du compte) ; jamais un numéro invalide ni un contact désabonné.
 * Rend {"requeued": n, "skipped": {"permanent": n, "opted_out": n}}.
 */
enum cbw_err	cbw_campaign_retry(struct cbw_db *, long long owner, long long id,
		    struct json_object **result);

/* Une campagne avec ses catégories, compteurs et taux ; CBW_ENOTFOUND. */
enum cbw_err	cbw_campaign_get(struct cbw_db *, long long owner, long long id,
		    struct json_object **);
/* Page de campagnes (filtre de statut facultatif, NULL : toutes). */
enum cbw_err	cbw_campaign_list(struct cbw_db *, long long owner,
		    const char *status, long long page, long long per_page,
		    struct json_object **items, long long *total);
/*
 * Statistiques : effectifs par statut, réponses, taux de réussite, reste à
 * envoyer et durée estimée au débit `rate`, lignes par contact paginées.
 */
enum cbw_err	cbw_campaign_stats(struct cbw_db *, long long owner, long long id,
		    long rate, long long page, long long per_page,
		    struct json_object **);
/* Résultats par contact en CSV (« ; », BOM, cellules sans formule). */
enum cbw_err	cbw_campaign_export(struct cbw_db *, long long owner, long long id,
		    struct cbw_buf *out);
/* [{category_id, n}] : contacts joignables de chaque catégorie de `owner`. */
enum cbw_err	cbw_campaign_reachable(struct cbw_db *, long long owner,
		    struct json_object **rows);
/* {first_name, last_name} d'un contact nommé, pour l'aperçu ; CBW_ENOTFOUND. */
enum cbw_err	cbw_campaign_sample(struct cbw_db *, long long owner,
		    struct json_object **row);
/* Les `limit` dernières réponses et réactions reçues (contact, contenu, date). */
enum cbw_err	cbw_campaign_replies(struct cbw_db *, long long owner, long long id,
		    long long limit, struct json_object **rows);
/* Secondes pour envoyer n messages à `rate` par minute (0 si rate ≤ 0). */
long long	cbw_campaign_eta_seconds(long long n, long rate);
/* Durée estimée en français : « moins d'une minute », « environ 4 min ». */
void		cbw_campaign_eta_text(long long seconds, char *out, size_t len);
/* [{id, name}] : campagnes de `owner`, la plus récente d'abord (filtres). */
enum cbw_err	cbw_campaign_names(struct cbw_db *, long long owner,
		    struct json_object **);
/* Libellé français d'un statut de campagne (« Terminée »…). */
const char	*cbw_campaign_status_label(const char *status);
/*
 * Ajoute à une campagne ses libellés de page : status_label,
 * success_rate_display, launched_display, completed_display,
 * created_display.
 */
void		cbw_campaign_decorate(struct json_object *);
/* Vrai si `status` est un statut de campagne connu. */
int		cbw_campaign_status_ok(const char *status);

#endif
