/*
 * API WhatsApp Cloud, partie sans réseau (voir whatsapp.h) : table de
 * classement des codes d'erreur, corps des messages, lecture des réponses.
 * Le client HTTP (curl) est dans waclient.c, lié au seul cbw-sender.
 *
 * Référence : shared/reference/whatsapp-cloud-api.md, §1 (corps des
 * messages, réponse de succès) et §2 (enveloppe d'erreur Graph, table de
 * classement). Le classement se fait sur error.code, jamais sur le statut
 * HTTP seul ; le statut ne sert que quand la réponse n'a pas de corps Graph
 * lisible.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>

#include "buf.h"
#include "config.h"
#include "json.h"
#include "log.h"
#include "url.h"
#include "valid.h"
#include "whatsapp.h"

#define TEXT_MAX	4096		/* points de code d'un message texte */
#define TO_MIN		7		/* chiffres d'un numéro destinataire */
#define TO_MAX		15
#define TMPL_NAME_MAX	512		/* octets d'un nom de modèle */
#define LANG_MAX	15		/* « en_US », « es_419 »... */

/* Une ligne de la table : codes lo..hi (souvent égaux), classe, texte. */
struct wa_code {
	long long		 lo, hi;
	enum cbw_wa_class	 cls;
	const char		*fr;
};

/*
 * Table de classement unique (référence §2.2). Les codes internes négatifs
 * y figurent aussi ; CBW_WA_CODE_HTTP y est permanent, mais
 * cbw_wa_parse_response le rend réessayable pour un statut 5xx ou 429.
 */
static const struct wa_code codes[] = {
	/* Réessayables. */
	{ 4, 4, CBW_WA_RETRYABLE, "Trop d'appels à l'API WhatsApp pour cette "
	    "application : nouvel essai dans quelques minutes." },
	{ 80007, 80007, CBW_WA_RETRYABLE, "Limite d'appels du compte WhatsApp "
	    "Business atteinte : nouvel essai plus tard." },
	{ 130429, 130429, CBW_WA_RETRYABLE, "Limite de débit de WhatsApp "
	    "atteinte : nouvel essai plus tard." },
	{ 131056, 131056, CBW_WA_RETRYABLE, "Trop de messages envoyés à ce "
	    "contact en peu de temps : nouvel essai plus tard." },
	{ 131048, 131048, CBW_WA_RETRYABLE, "Limite anti-spam atteinte : "
	    "WhatsApp restreint ce numéro ; mettez la campagne en pause et "
	    "vérifiez la note de qualité du numéro." },
	{ 131049, 131049, CBW_WA_RETRYABLE, "WhatsApp a retenu ce message pour "
	    "ne pas lasser le contact (trop de messages marketing) : pas de "
	    "nouvel essai avant 24 h." },
	{ 131000, 131000, CBW_WA_RETRYABLE, "Erreur inconnue chez WhatsApp : "
	    "nouvel essai plus tard." },
	{ 1, 1, CBW_WA_RETRYABLE, "Erreur inconnue de l'API WhatsApp : nouvel "
	    "essai plus tard (si elle se répète, la requête est peut-être mal "
	    "formée)." },
	{ 2, 2, CBW_WA_RETRYABLE, "Service WhatsApp momentanément indisponible "
	    "ou surchargé : nouvel essai plus tard." },
	{ 131016, 131016, CBW_WA_RETRYABLE, "Service WhatsApp indisponible : "
	    "nouvel essai plus tard." },
	{ 131057, 131057, CBW_WA_RETRYABLE, "Compte WhatsApp Business en "
	    "maintenance : nouvel essai dans quelques minutes." },
	{ 133004, 133004, CBW_WA_RETRYABLE, "Serveur WhatsApp momentanément "
	    "indisponible : nouvel essai plus tard." },
	{ CBW_WA_CODE_NETWORK, CBW_WA_CODE_NETWORK, CBW_WA_RETRYABLE,
	    "Impossible de joindre WhatsApp (réseau, DNS ou TLS) : nouvel essai "
	    "plus tard." },
	{ CBW_WA_CODE_TIMEOUT, CBW_WA_CODE_TIMEOUT, CBW_WA_RETRYABLE,
	    "WhatsApp n'a pas répondu à temps : nouvel essai plus tard (le "
	    "message a pu être reçu malgré tout)." },

	/* Permanents pour ce destinataire ou ce message. */
	{ 131026, 131026, CBW_WA_PERMANENT, "Message non distribuable : ce "
	    "numéro n'est pas sur WhatsApp ou ne peut pas recevoir ce message." },
	{ 131030, 131030, CBW_WA_PERMANENT, "Numéro absent de la liste des "
	    "destinataires autorisés (numéro de test) : ajoutez-le dans le "
	    "gestionnaire WhatsApp." },
	{ 131047, 131047, CBW_WA_PERMANENT, "Plus de 24 h depuis le dernier "
	    "message du contact : WhatsApp exige un modèle approuvé pour "
	    "reprendre contact." },
	{ 131050, 131050, CBW_WA_PERMANENT, "Ce contact a choisi de ne plus "
	    "recevoir vos messages marketing." },
	{ 131051, 131051, CBW_WA_PERMANENT, "Type de message non pris en charge "
	    "par WhatsApp." },
	{ 131052, 131052, CBW_WA_PERMANENT, "Le média envoyé par le contact n'a "
	    "pas pu être téléchargé." },
	{ 131053, 131053, CBW_WA_PERMANENT, "Le média joint n'a pas pu être "
	    "envoyé : vérifiez son format et sa taille." },
	{ 131021, 131021, CBW_WA_PERMANENT, "Le destinataire est le numéro "
	    "expéditeur lui-même." },
	{ 131008, 131008, CBW_WA_PERMANENT, "Paramètre obligatoire manquant "
	    "dans la requête envoyée à WhatsApp." },
	{ 131009, 131009, CBW_WA_PERMANENT, "Valeur de paramètre refusée par "
	    "WhatsApp." },
	{ 100, 100, CBW_WA_PERMANENT, "Paramètre refusé par WhatsApp (par "
	    "exemple un WHATSAPP_PHONE_NUMBER_ID erroné)." },
	{ 130472, 130472, CBW_WA_PERMANENT, "Ce numéro fait partie d'une "
	    "expérience marketing de WhatsApp : message non distribué." },
	{ 135000, 135000, CBW_WA_PERMANENT, "Requête refusée par WhatsApp "
	    "(paramètres incorrects)." },
	{ 132000, 132000, CBW_WA_PERMANENT, "Nombre de paramètres différent de "
	    "celui du modèle approuvé." },
	{ 132001, 132001, CBW_WA_PERMANENT, "Modèle introuvable dans cette "
	    "langue ou pas encore approuvé : vérifiez son nom et sa langue dans "
	    "le gestionnaire WhatsApp." },
	{ 132005, 132005, CBW_WA_PERMANENT, "Texte du modèle trop long une fois "
	    "les paramètres remplis." },
	{ 132007, 132007, CBW_WA_PERMANENT, "Contenu du modèle contraire aux "
	    "règles de WhatsApp." },
	{ 132008, 132008, CBW_WA_PERMANENT, "Valeur d'un paramètre du modèle "
	    "refusée par WhatsApp." },
	{ 132012, 132012, CBW_WA_PERMANENT, "Format des paramètres différent de "
	    "celui du modèle approuvé." },
	{ 132015, 132015, CBW_WA_PERMANENT, "Modèle mis en pause par WhatsApp "
	    "(qualité faible) : message non envoyé." },
	{ 132016, 132016, CBW_WA_PERMANENT, "Modèle désactivé définitivement "
	    "par WhatsApp (qualité faible) : créez-en un autre." },
	{ CBW_WA_CODE_HTTP, CBW_WA_CODE_HTTP, CBW_WA_PERMANENT, "WhatsApp a "
	    "répondu par une erreur HTTP sans explication lisible." },
	{ CBW_WA_CODE_GARBAGE, CBW_WA_CODE_GARBAGE, CBW_WA_PERMANENT,
	    "Réponse de WhatsApp illisible : le message a peut-être été envoyé, "
	    "ou peut-être pas ; pas de nouvel essai pour éviter un doublon." },

	/* Compte ou jeton : arrêter d'envoyer. */
	{ 0, 0, CBW_WA_STOP, "Authentification WhatsApp refusée (jeton expiré "
	    "ou révoqué) : mettez à jour WHATSAPP_ACCESS_TOKEN." },
	{ 190, 190, CBW_WA_STOP, "Jeton d'accès WhatsApp expiré ou invalide : "
	    "mettez à jour WHATSAPP_ACCESS_TOKEN." },
	{ 3, 3, CBW_WA_STOP, "L'application WhatsApp n'a pas le droit "
	    "d'utiliser cette fonction : vérifiez ses autorisations." },
	{ 10, 10, CBW_WA_STOP, "Permission refusée par WhatsApp : vérifiez les "
	    "autorisations du jeton d'accès." },
	{ 200, 299, CBW_WA_STOP, "Permission refusée ou non accordée par "
	    "WhatsApp : vérifiez les autorisations du jeton d'accès." },
	{ 368, 368, CBW_WA_STOP, "Compte temporairement bloqué par WhatsApp "
	    "pour non-respect de ses règles." },
	{ 131031, 131031, CBW_WA_STOP, "Compte WhatsApp Business verrouillé : "
	    "consultez le gestionnaire WhatsApp." },
	{ 131005, 131005, CBW_WA_STOP, "Accès refusé par WhatsApp : vérifiez "
	    "les autorisations du jeton d'accès." },
	{ 131042, 131042, CBW_WA_STOP, "Problème d'éligibilité ou de paiement "
	    "du compte WhatsApp Business : vérifiez le moyen de paiement." },
	{ 131045, 131045, CBW_WA_STOP, "Certificat du numéro incorrect : "
	    "enregistrez à nouveau le numéro WhatsApp Business." },
	{ 133010, 133010, CBW_WA_STOP, "Numéro WhatsApp Business non enregistré "
	    "auprès de l'API Cloud." },
	{ 131064, 131064, CBW_WA_STOP, "Limite de messages atteinte à cause de "
	    "modèles mal classés : revoyez la catégorie de vos modèles." },
	{ 130497, 130497, CBW_WA_STOP, "Le compte n'a pas le droit d'envoyer des "
	    "messages aux contacts de ce pays." },
};

static const char unknown_fr[] = "Erreur WhatsApp non répertoriée : message "
    "non envoyé (voir le code et le détail).";

/* Rend 1 si `code` est dans la table de classement, 0 sinon. */
int
cbw_wa_known(long long code)
{
	const char	*fr;

	cbw_wa_classify(code, &fr);
	return fr != unknown_fr;
}

/*
 * Cherche un code dans la table. Rend sa classe et met son explication
 * dans *french (si french n'est pas NULL) ; code inconnu : permanent et
 * texte générique.
 */
enum cbw_wa_class
cbw_wa_classify(long long code, const char **french)
{
	size_t	 i;

	for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
		if (code >= codes[i].lo && code <= codes[i].hi) {
			if (french != NULL)
				*french = codes[i].fr;
			return codes[i].cls;
		}
	if (french != NULL)
		*french = unknown_fr;
	return CBW_WA_PERMANENT;
}

/* Rend le nom court d'une classe, ou "?" pour une valeur hors de l'énumération. */
const char *
cbw_wa_class_name(enum cbw_wa_class c)
{
	static const char *const names[CBW_WA_CLASS__MAX] = {
		"ok", "retryable", "permanent", "stop"
	};

	if ((int)c < 0 || c >= CBW_WA_CLASS__MAX)
		return "?";
	return names[c];
}

/*
 * Ajoute s à la chaîne dst (taille cap, terminée par NUL) sans couper de
 * séquence UTF-8 ; octet invalide → « ? », caractère de contrôle → espace.
 * Rend 1 si tout a tenu, 0 si le texte a été tronqué.
 */
int
cbw_wa_text_append(char *dst, size_t cap, const char *s)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 len = strlen(dst), n = strlen(s), k;
	char			 sub;

	while (n > 0) {
		k = cbw_utf8_seq(p, n);
		sub = k == 0 ? '?' : (k == 1 && (*p < 0x20 || *p == 0x7f)) ? ' ' : 0;
		if (sub != 0)
			k = 1;
		if (len + k >= cap) {
			dst[len] = '\0';
			return 0;
		}
		if (sub != 0)
			dst[len] = sub;
		else
			memcpy(dst + len, p, k);
		len += k;
		p += k;
		n -= k;
	}
	dst[len] = '\0';
	return 1;
}

/*
 * Copie une chaîne courte (identifiant) dans dst (taille cap) si elle
 * tient entière et ne contient que de l'ASCII imprimable. Rend 1 si elle
 * a été copiée, 0 sinon (dst vaut alors "").
 */
static int
copy_id(char *dst, size_t cap, const char *s)
{
	size_t	 i, n = strlen(s);

	dst[0] = '\0';
	if (n == 0 || n >= cap)
		return 0;
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x21 || (unsigned char)s[i] > 0x7e)
			return 0;
	memcpy(dst, s, n + 1);
	return 1;
}

/*
 * Remplit res pour un code (classe et texte de la table) suivi de `extra`
 * (peut être NULL), déjà mis en forme. Ne rend rien.
 */
void
cbw_wa_result_set(struct cbw_wa_result *res, long long code, const char *extra)
{
	const char	*fr;

	res->cls = cbw_wa_classify(code, &fr);
	res->code = code;
	res->error[0] = '\0';
	cbw_wa_text_append(res->error, sizeof(res->error), fr);
	if (extra != NULL)
		cbw_wa_text_append(res->error, sizeof(res->error), extra);
}

/* Réponse illisible : GARBAGE après 2xx, HTTP sinon (réessayable si 5xx ou 429). */
static void
unreadable(long st, struct cbw_wa_result *res)
{
	char	 ex[32];

	snprintf(ex, sizeof(ex), " (HTTP %ld)", st);
	if (st >= 200 && st <= 299) {
		cbw_wa_result_set(res, CBW_WA_CODE_GARBAGE, ex);
		return;
	}
	cbw_wa_result_set(res, CBW_WA_CODE_HTTP, ex);
	if ((st >= 500 && st <= 599) || st == 429)
		res->cls = CBW_WA_RETRYABLE;
}

/*
 * Lit l'identifiant messages[0].id d'une réponse 2xx. Rend 1 s'il est
 * présent, non vide, sans caractère de contrôle et tient dans res->wamid
 * (copié), 0 sinon.
 */
static int
read_wamid(struct json_object *o, struct cbw_wa_result *res)
{
	struct json_object	*msgs, *m0;
	const char		*id;

	if (!json_object_object_get_ex(o, "messages", &msgs) ||
	    !json_object_is_type(msgs, json_type_array) ||
	    json_object_array_length(msgs) < 1 ||
	    (m0 = json_object_array_get_idx(msgs, 0)) == NULL ||
	    !json_object_is_type(m0, json_type_object) ||
	    cbw_json_get_str(m0, "id", &id) != CBW_OK)
		return 0;
	return copy_id(res->wamid, sizeof(res->wamid), id);
}

/*
 * Lit l'objet « error » d'une réponse Graph et remplit res (code classé,
 * texte, fbtrace_id). Rend 1 si error.code est un entier de 0 à 2^31 - 1,
 * 0 sinon (res n'est alors pas touché).
 */
static int
read_graph_error(struct json_object *o, struct cbw_wa_result *res)
{
	struct json_object	*e, *v, *data;
	const char		*s = NULL;
	long long		 code, sub = -1;
	char			 ex[64];

	if (!json_object_object_get_ex(o, "error", &e) ||
	    !json_object_is_type(e, json_type_object) ||
	    !json_object_object_get_ex(e, "code", &v) ||
	    !json_object_is_type(v, json_type_int))
		return 0;
	code = json_object_get_int64(v);
	if (code < 0 || code > INT32_MAX)
		return 0;
	if (json_object_object_get_ex(e, "error_subcode", &v) &&
	    json_object_is_type(v, json_type_int) &&
	    json_object_get_int64(v) >= 0 && json_object_get_int64(v) <= INT32_MAX)
		sub = json_object_get_int64(v);
	if (sub >= 0)
		snprintf(ex, sizeof(ex), " (code %lld, sous-code %lld)", code, sub);
	else
		snprintf(ex, sizeof(ex), " (code %lld)", code);
	cbw_wa_result_set(res, code, ex);
	if (!json_object_object_get_ex(e, "error_data", &data) ||
	    cbw_json_get_str(data, "details", &s) != CBW_OK || s[0] == '\0')
		if (cbw_json_get_str(e, "message", &s) != CBW_OK)
			s = NULL;
	if (s != NULL && s[0] != '\0' &&
	    cbw_wa_text_append(res->error, sizeof(res->error), " (") &&
	    cbw_wa_text_append(res->error, sizeof(res->error), s))
		cbw_wa_text_append(res->error, sizeof(res->error), ")");
	if (cbw_json_get_str(e, "fbtrace_id", &s) == CBW_OK)
		copy_id(res->fbtrace_id, sizeof(res->fbtrace_id), s);
	return 1;
}

/*
 * Lit une réponse de /messages et remplit res : succès (wamid) si 2xx avec
 * messages[0].id ; erreur Graph classée sur error.code ; sinon
 * CBW_WA_CODE_GARBAGE (2xx, permanent : un nouvel essai risque un doublon)
 * ou CBW_WA_CODE_HTTP (réessayable pour 5xx et 429). Ne journalise rien.
 */
void
cbw_wa_parse_response(long http_status, const char *body, size_t len,
    struct cbw_wa_result *res)
{
	struct json_object	*o = NULL;

	memset(res, 0, sizeof(*res));
	res->http_status = http_status;
	if (body == NULL || len == 0 ||
	    cbw_json_parse_object(body, len, &o) != CBW_OK)
		o = NULL;
	if (http_status >= 200 && http_status <= 299) {
		if (o != NULL && read_wamid(o, res)) {
			res->cls = CBW_WA_OK;
			res->code = 0;
		} else {
			res->wamid[0] = '\0';
			unreadable(http_status, res);
		}
		goto out;
	}
	if (o == NULL || !read_graph_error(o, res))
		unreadable(http_status, res);
out:
	json_object_put(o);
}

/* Rend 1 si `to` compte de TO_MIN à TO_MAX chiffres ASCII et rien d'autre. */
static int
to_ok(const char *to)
{
	size_t	 n;

	if (to == NULL)
		return 0;
	n = strlen(to);
	return n >= TO_MIN && n <= TO_MAX && strspn(to, "0123456789") == n;
}

/*
 * Rend 1 si s est de l'UTF-8 valide de 1 à max points de code (max = 0 :
 * pas de limite), 0 sinon.
 */
static int
text_ok(const char *s, size_t max)
{
	size_t	 n, i, cps = 0;

	if (s == NULL || (n = strlen(s)) == 0 || !cbw_valid_utf8(s, n))
		return 0;
	for (i = 0; i < n; i++)
		cps += ((unsigned char)s[i] & 0xc0) != 0x80;
	return max == 0 || cps <= max;
}

/* Rend 1 si le texte contient « http:// » ou « https:// » (casse ignorée). */
static int
has_link(const char *s)
{
	for (; *s != '\0'; s++)
		if (strncasecmp(s, "http://", 7) == 0 ||
		    strncasecmp(s, "https://", 8) == 0)
			return 1;
	return 0;
}

/*
 * Crée l'enveloppe commune { messaging_product, recipient_type, to, type }.
 * Rend l'objet, ou NULL si la mémoire manque.
 */
static struct json_object *
envelope(const char *to, const char *type)
{
	struct json_object	*o;

	if ((o = json_object_new_object()) == NULL)
		return NULL;
	if (json_object_object_add(o, "messaging_product",
	    json_object_new_string("whatsapp")) != 0 ||
	    json_object_object_add(o, "recipient_type",
	    json_object_new_string("individual")) != 0 ||
	    json_object_object_add(o, "to", json_object_new_string(to)) != 0 ||
	    json_object_object_add(o, "type", json_object_new_string(type)) != 0) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

/*
 * Sérialise o (compact, « / » non échappé) à la suite de b. Rend CBW_OK ou
 * CBW_ENOMEM. Ne libère pas o.
 */
static enum cbw_err
emit(struct cbw_buf *b, struct json_object *o)
{
	const char	*s;

	s = json_object_to_json_string_ext(o,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	if (s == NULL)
		return CBW_ENOMEM;
	return cbw_buf_puts(b, s);
}

/*
 * Écrit à la suite de b le corps JSON d'un message texte. Rend CBW_OK ;
 * CBW_EINVAL si `to` n'a pas 7 à 15 chiffres ou si le texte est vide, trop
 * long (plus de 4096 points de code) ou n'est pas de l'UTF-8 valide ;
 * CBW_ENOMEM.
 */
enum cbw_err
cbw_wa_text_body(struct cbw_buf *b, const char *to, const char *text)
{
	struct json_object	*o = NULL, *t = NULL;
	enum cbw_err		 er = CBW_EINVAL;

	if (!to_ok(to) || !text_ok(text, TEXT_MAX))
		goto out;
	er = CBW_ENOMEM;
	if ((o = envelope(to, "text")) == NULL ||
	    (t = json_object_new_object()) == NULL)
		goto out;
	if (json_object_object_add(t, "preview_url",
	    json_object_new_boolean(has_link(text))) != 0 ||
	    json_object_object_add(t, "body", json_object_new_string(text)) != 0)
		goto out;
	if (json_object_object_add(o, "text", t) != 0)
		goto out;
	t = NULL;
	er = emit(b, o);
out:
	json_object_put(t);
	json_object_put(o);
	return er;
}

/* Rend 1 si le nom de modèle est acceptable (1 à 512 octets UTF-8, sans contrôle). */
static int
name_ok(const char *s)
{
	size_t	 i, n;

	if (s == NULL || (n = strlen(s)) == 0 || n > TMPL_NAME_MAX ||
	    !cbw_valid_utf8(s, n))
		return 0;
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return 0;
	return 1;
}

/* Rend 1 si le code de langue a 2 à 15 caractères parmi [A-Za-z0-9_-]. */
static int
lang_ok(const char *s)
{
	size_t	 n;

	if (s == NULL)
		return 0;
	n = strlen(s);
	return n >= 2 && n <= LANG_MAX && strspn(s, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") == n;
}

/*
 * Crée le composant { type: "body", parameters: [{type: "text", text}...] }.
 * Rend l'objet, ou NULL si la mémoire manque.
 */
static struct json_object *
body_component(const char *const *params, size_t nparams)
{
	struct json_object	*c = NULL, *arr = NULL, *p = NULL, *ret = NULL;
	size_t			 i;

	if ((c = json_object_new_object()) == NULL ||
	    json_object_object_add(c, "type", json_object_new_string("body")) != 0 ||
	    (arr = json_object_new_array()) == NULL)
		goto out;
	for (i = 0; i < nparams; i++) {
		if ((p = json_object_new_object()) == NULL ||
		    json_object_object_add(p, "type",
		    json_object_new_string("text")) != 0 ||
		    json_object_object_add(p, "text",
		    json_object_new_string(params[i])) != 0 ||
		    json_object_array_add(arr, p) != 0)
			goto out;
		p = NULL;
	}
	if (json_object_object_add(c, "parameters", arr) != 0)
		goto out;
	arr = NULL;
	ret = c;
	c = NULL;
out:
	json_object_put(p);
	json_object_put(arr);
	json_object_put(c);
	return ret;
}

/*
 * Écrit à la suite de b le corps JSON d'un message modèle (composant
 * « body » seulement si nparams > 0). Rend CBW_OK ; CBW_EINVAL si `to`, le
 * nom, la langue ou un paramètre (vide, UTF-8 invalide, plus de 4096
 * points de code) est invalide ; CBW_ENOMEM.
 */
enum cbw_err
cbw_wa_template_body(struct cbw_buf *b, const char *to, const char *name,
    const char *lang, const char *const *params, size_t nparams)
{
	struct json_object	*o = NULL, *t = NULL, *l = NULL, *comps = NULL,
				*c = NULL;
	enum cbw_err		 er = CBW_EINVAL;
	size_t			 i;

	if (!to_ok(to) || !name_ok(name) || !lang_ok(lang) ||
	    (nparams > 0 && params == NULL))
		goto out;
	for (i = 0; i < nparams; i++)
		if (!text_ok(params[i], TEXT_MAX))
			goto out;
	er = CBW_ENOMEM;
	if ((o = envelope(to, "template")) == NULL ||
	    (t = json_object_new_object()) == NULL ||
	    (l = json_object_new_object()) == NULL)
		goto out;
	if (json_object_object_add(t, "name", json_object_new_string(name)) != 0 ||
	    json_object_object_add(l, "code", json_object_new_string(lang)) != 0 ||
	    json_object_object_add(t, "language", l) != 0)
		goto out;
	l = NULL;
	if (nparams > 0) {
		if ((comps = json_object_new_array()) == NULL ||
		    (c = body_component(params, nparams)) == NULL ||
		    json_object_array_add(comps, c) != 0)
			goto out;
		c = NULL;
		if (json_object_object_add(t, "components", comps) != 0)
			goto out;
		comps = NULL;
	}
	if (json_object_object_add(o, "template", t) != 0)
		goto out;
	t = NULL;
	er = emit(b, o);
out:
	json_object_put(c);
	json_object_put(comps);
	json_object_put(l);
	json_object_put(t);
	json_object_put(o);
	return er;
}
