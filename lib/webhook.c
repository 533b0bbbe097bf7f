/*
 * Webhook WhatsApp (voir webhook.h).
 *
 * Référence : shared/reference/whatsapp-cloud-api.md, §3 (poignée de
 * main, signature du corps brut et repli sur la forme \uXXXX), §4 (formes
 * des notifications), §5.4 (désabonnement) et §5.6 (ordre des statuts).
 *
 * Choix :
 * - « played » (première écoute d'un message vocal) compte comme READ : il
 *   vient toujours après la remise et le rang d'un statut ne recule
 *   jamais ; type_name garde « played ». Tout autre statut (« deleted »,
 *   inconnu) donne un événement IGNORED.
 * - type_name contient le nom d'origine : type du message, statut brut,
 *   valeur de la préférence (« stop »), et pour un IGNORED le nom de ce qui
 *   est ignoré (champ, type, statut ; vide s'il manque) ; le texte d'un
 *   IGNORED est la raison, en français, pour le journal.
 * - Numéros (from, recipient_id, wa_id) : 1 à 20 chiffres ASCII et rien
 *   d'autre, sinon IGNORED. Un statut sans recipient_id est gardé
 *   (recipient vide) : sa clé est le wamid.
 * - Identifiants (wamid, phone_number_id, context.id) : ASCII imprimable
 *   sans espace, jamais tronqués ; un identifiant trop long ou incorrect
 *   rend l'événement IGNORED (context.id et phone_number_id restent vides).
 * - Dans un changement, l'ordre des événements est : statuts, messages,
 *   puis value.errors[].
 * - Limites : corps de 4 Mio au plus et 10 000 événements au plus par
 *   notification (Meta annonce 3 Mo et 1 000 mises à jour) ; au-delà,
 *   CBW_EINVAL.
 */
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>

#include "buf.h"
#include "crypto.h"
#include "fold.h"
#include "json.h"
#include "valid.h"
#include "webhook.h"

#define BODY_MAX	((size_t)4 << 20)	/* octets d'une notification */
#define EVENTS_MAX	10000		/* événements d'une notification */
#define PHONE_MAX	20		/* chiffres d'un numéro */
#define TS_MAX		253402300799LL	/* 9999-12-31T23:59:59Z */
#define CHALLENGE_MAX	256		/* octets de hub.challenge */
#define SIG_PREFIX	"sha256="
#define SIG_HEXLEN	64

/* Lecture d'un changement : lot rempli et numéro de l'entreprise. */
struct wh_ctx {
	struct cbw_wh_batch	*b;
	char			 pnid[64];	/* metadata.phone_number_id */
};

/* Libellé français d'un type de message sans texte propre. */
struct wh_label {
	const char	*type;
	const char	*label;
};

static const struct wh_label labels[] = {
	{ "image", "[image reçue]" },
	{ "video", "[vidéo reçue]" },
	{ "audio", "[message vocal reçu]" },
	{ "document", "[document reçu]" },
	{ "sticker", "[autocollant reçu]" },
	{ "location", "[position reçue]" },
	{ "contacts", "[contact reçu]" },
	{ "order", "[commande reçue]" },
	{ "unsupported", "[message non pris en charge]" },
	{ "unknown", "[message non pris en charge]" },
};

/*
 * Poignée de main GET : mode « subscribe », jeton égal au jeton configuré
 * non vide (temps constant), challenge de 1 à 256 caractères ASCII
 * imprimables sans espace (il est renvoyé tel quel). Rend CBW_OK, sinon
 * CBW_EDENIED.
 */
enum cbw_err
cbw_wh_verify(const char *mode, const char *token, const char *challenge,
    const char *configured)
{
	size_t	 i, n;

	if (mode == NULL || token == NULL || challenge == NULL ||
	    configured == NULL || configured[0] == '\0' ||
	    strcmp(mode, "subscribe") != 0)
		return CBW_EDENIED;
	n = strlen(challenge);
	if (n == 0 || n > CHALLENGE_MAX)
		return CBW_EDENIED;
	for (i = 0; i < n; i++)
		if ((unsigned char)challenge[i] < 0x21 ||
		    (unsigned char)challenge[i] > 0x7e)
			return CBW_EDENIED;
	return cbw_crypto_streq(configured, token) ? CBW_OK : CBW_EDENIED;
}

/*
 * Écrit dans un tampon neuf la forme de body où chaque caractère non ASCII
 * devient \uXXXX (hexadécimal minuscule, paire de substitution au-delà de
 * U+FFFF), comme la « version unicode échappée » que Meta signe. Rend le
 * tampon (à libérer, longueur dans *olen), ou NULL si body n'est pas de
 * l'UTF-8 valide ou si la mémoire manque.
 */
static char *
escape_unicode(const char *body, size_t len, size_t *olen)
{
	static const char	 hex[] = "0123456789abcdef";
	const unsigned char	*p = (const unsigned char *)body;
	unsigned int		 cp, u[2];
	size_t			 i = 0, o = 0, k, j, nu;
	char			*out;

	/* 2 octets → 6, 3 → 6, 4 → 12 : jamais plus de 3 fois la taille. */
	if (len > (SIZE_MAX - 1) / 3 || (out = malloc(len * 3 + 1)) == NULL)
		return NULL;
	while (i < len) {
		if (p[i] < 0x80) {
			out[o++] = (char)p[i++];
			continue;
		}
		if ((k = cbw_utf8_seq(p + i, len - i)) == 0) {
			free(out);
			return NULL;
		}
		cp = p[i] & (k == 2 ? 0x1fu : k == 3 ? 0x0fu : 0x07u);
		for (j = 1; j < k; j++)
			cp = (cp << 6) | (p[i + j] & 0x3fu);
		i += k;
		nu = 1;
		u[0] = cp;
		if (cp >= 0x10000) {
			cp -= 0x10000;
			u[0] = 0xd800 | (cp >> 10);
			u[1] = 0xdc00 | (cp & 0x3ff);
			nu = 2;
		}
		for (j = 0; j < nu; j++) {
			out[o++] = '\\';
			out[o++] = 'u';
			out[o++] = hex[(u[j] >> 12) & 0xf];
			out[o++] = hex[(u[j] >> 8) & 0xf];
			out[o++] = hex[(u[j] >> 4) & 0xf];
			out[o++] = hex[u[j] & 0xf];
		}
	}
	out[o] = '\0';
	*olen = o;
	return out;
}

/*
 * Signature X-Hub-Signature-256 : « sha256= » suivi de 64 chiffres
 * hexadécimaux (casse libre), égale (temps constant) au HMAC-SHA256 du
 * corps brut, ou, si le corps contient des octets ≥ 0x80, de sa forme
 * \uXXXX. Rend CBW_OK, ou CBW_EDENIED (en-tête absent ou mal formé, secret
 * vide, corps différent, mémoire manquante).
 */
enum cbw_err
cbw_wh_signature_ok(const char *body, size_t len, const char *header,
    const char *secret)
{
	char		 want[CBW_SHA256_HEX], got[CBW_SHA256_HEX];
	char		*esc = NULL;
	size_t		 i, elen, plen = sizeof(SIG_PREFIX) - 1;
	enum cbw_err	 er = CBW_EDENIED;
	int		 high = 0;

	if (header == NULL || secret == NULL || secret[0] == '\0' ||
	    (body == NULL && len > 0) ||
	    strncmp(header, SIG_PREFIX, plen) != 0 ||
	    strlen(header + plen) != SIG_HEXLEN)
		goto out;
	for (i = 0; i < SIG_HEXLEN; i++) {
		if (!isxdigit((unsigned char)header[plen + i]))
			goto out;
		want[i] = (char)tolower((unsigned char)header[plen + i]);
	}
	want[SIG_HEXLEN] = '\0';
	if (body == NULL)
		body = "";
	if (cbw_crypto_hmac_hex(secret, strlen(secret), body, len, got) !=
	    CBW_OK)
		goto out;
	if (cbw_crypto_streq(got, want)) {
		er = CBW_OK;
		goto out;
	}
	for (i = 0; i < len && !high; i++)
		high = (unsigned char)body[i] >= 0x80;
	if (!high || (esc = escape_unicode(body, len, &elen)) == NULL)
		goto out;
	if (cbw_crypto_hmac_hex(secret, strlen(secret), esc, elen, got) ==
	    CBW_OK && cbw_crypto_streq(got, want))
		er = CBW_OK;
out:
	free(esc);
	return er;
}

/*
 * Ajoute les n octets de s au texte dst (taille cap, terminé par NUL) sans
 * couper de séquence UTF-8 : octet invalide → « ? », caractère de contrôle
 * (NUL compris) → espace, sauf saut de ligne et tabulation si `lines`.
 * Rend 1 si tout a tenu, 0 si le texte a été tronqué.
 */
static int
put_text(char *dst, size_t cap, const char *s, size_t n, int lines)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 len = strlen(dst), k;
	char			 sub;

	while (n > 0) {
		k = cbw_utf8_seq(p, n);
		sub = 0;
		if (k == 0)
			sub = '?';
		else if (k == 1 && (*p < 0x20 || *p == 0x7f) &&
		    !(lines && (*p == '\n' || *p == '\t')))
			sub = ' ';
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

/* Variante de put_text pour une chaîne terminée par NUL. Même retour. */
static int
put_cstr(char *dst, size_t cap, const char *s)
{
	return put_text(dst, cap, s, strlen(s), 0);
}

/*
 * Copie un identifiant (1 à cap - 1 octets ASCII imprimables sans espace)
 * dans dst. Rend 1 s'il a été copié en entier, 0 sinon (dst vaut "").
 */
static int
copy_id(char *dst, size_t cap, const char *s, size_t n)
{
	size_t	 i;

	dst[0] = '\0';
	if (s == NULL || n == 0 || n >= cap)
		return 0;
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x21 || (unsigned char)s[i] > 0x7e)
			return 0;
	memcpy(dst, s, n);
	dst[n] = '\0';
	return 1;
}

/*
 * Copie un numéro (1 à PHONE_MAX chiffres ASCII, rien d'autre) dans dst.
 * Rend 1 s'il a été copié, 0 sinon (dst vaut "").
 */
static int
copy_phone(char *dst, size_t cap, const char *s, size_t n)
{
	size_t	 i;

	dst[0] = '\0';
	if (s == NULL || n == 0 || n > PHONE_MAX || n >= cap)
		return 0;
	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	memcpy(dst, s, n);
	dst[n] = '\0';
	return 1;
}

/*
 * Cherche le champ key de o (qui doit être un objet). Rend 1 et la valeur
 * dans *v s'il existe, 0 sinon.
 */
static int
field(struct json_object *o, const char *key, struct json_object **v)
{
	*v = NULL;
	return o != NULL && json_object_is_type(o, json_type_object) &&
	    json_object_object_get_ex(o, key, v);
}

/*
 * Rend le texte du champ key de o s'il est une chaîne JSON (longueur dans
 * *len si len n'est pas NULL), NULL sinon (absent, null, autre type).
 */
static const char *
get_str(struct json_object *o, const char *key, size_t *len)
{
	struct json_object	*v;

	if (!field(o, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	if (len != NULL)
		*len = (size_t)json_object_get_string_len(v);
	return json_object_get_string(v);
}

/*
 * Rend le nom (champ, type, statut...) du champ key de o : une chaîne JSON
 * sans NUL intérieur ; NULL sinon.
 */
static const char *
get_name(struct json_object *o, const char *key)
{
	const char	*s;
	size_t		 n = 0;

	if ((s = get_str(o, key, &n)) == NULL || strlen(s) != n)
		return NULL;
	return s;
}

/* Rend le champ key de o s'il est un objet JSON, NULL sinon. */
static struct json_object *
get_obj(struct json_object *o, const char *key)
{
	struct json_object	*v;

	return field(o, key, &v) && json_object_is_type(v, json_type_object) ?
	    v : NULL;
}

/*
 * Lit un entier positif ou nul, donné en nombre JSON entier ou en chaîne
 * de chiffres (strtoll, chaîne entière). Rend sa valeur si elle est dans
 * [0, max], -1 sinon (absent, négatif, décimal, trop grand, autre chose).
 */
static long long
get_num(struct json_object *o, const char *key, long long max)
{
	struct json_object	*v;
	const char		*s;
	char			*end;
	long long		 x;
	size_t			 n = 0;

	if (!field(o, key, &v) || v == NULL)
		return -1;
	if (json_object_is_type(v, json_type_int)) {
		x = json_object_get_int64(v);
		return x >= 0 && x <= max ? x : -1;
	}
	if (!json_object_is_type(v, json_type_string))
		return -1;
	s = json_object_get_string(v);
	n = (size_t)json_object_get_string_len(v);
	if (n == 0 || s[0] < '0' || s[0] > '9')
		return -1;
	errno = 0;
	x = strtoll(s, &end, 10);
	if (errno != 0 || end != s + n || x < 0 || x > max)
		return -1;
	return x;
}

/* Horodatage Unix du champ « timestamp » ; 0 s'il manque ou est incorrect. */
static time_t
get_time(struct json_object *o)
{
	long long	 x = get_num(o, "timestamp", TS_MAX);

	if (x < 0 || (long long)(time_t)x != x)
		return 0;
	return (time_t)x;
}

/*
 * Remplit error_code et error_text d'après un objet d'erreur Graph : code,
 * title (sinon message), puis error_data.details (ou details, forme
 * ancienne) entre parenthèses s'il diffère du titre. Ne rend rien.
 */
static void
read_error(struct cbw_wh_event *ev, struct json_object *e)
{
	const char	*title, *det;
	long long	 code;

	if (e == NULL || !json_object_is_type(e, json_type_object))
		return;
	code = get_num(e, "code", INT64_MAX);
	ev->error_code = code > 0 ? code : 0;
	ev->error_text[0] = '\0';
	if ((title = get_str(e, "title", NULL)) == NULL || title[0] == '\0')
		title = get_str(e, "message", NULL);
	det = get_str(get_obj(e, "error_data"), "details", NULL);
	if (det == NULL || det[0] == '\0')
		det = get_str(e, "details", NULL);
	if (title != NULL && title[0] != '\0')
		put_cstr(ev->error_text, sizeof(ev->error_text), title);
	if (det == NULL || det[0] == '\0' ||
	    (title != NULL && strcasecmp(title, det) == 0))
		return;
	if (ev->error_text[0] == '\0')
		put_cstr(ev->error_text, sizeof(ev->error_text), det);
	else if (put_cstr(ev->error_text, sizeof(ev->error_text), " (") &&
	    put_cstr(ev->error_text, sizeof(ev->error_text), det))
		put_cstr(ev->error_text, sizeof(ev->error_text), ")");
}

/* Lit errors[0] de o (s'il existe) dans l'événement. Ne rend rien. */
static void
read_errors(struct cbw_wh_event *ev, struct json_object *o)
{
	struct json_object	*a;

	if (field(o, "errors", &a) && json_object_is_type(a, json_type_array) &&
	    json_object_array_length(a) > 0)
		read_error(ev, json_object_array_get_idx(a, 0));
}

/*
 * Ajoute un événement vide (avec le phone_number_id du changement) au lot
 * et le rend dans *out. Rend CBW_OK, CBW_ENOMEM, ou CBW_EINVAL au-delà de
 * EVENTS_MAX événements.
 */
static enum cbw_err
push(struct wh_ctx *c, struct cbw_wh_event **out)
{
	struct cbw_wh_batch	*b = c->b;
	struct cbw_wh_event	*ev;
	size_t			 cap;

	*out = NULL;
	if (b->n >= EVENTS_MAX)
		return CBW_EINVAL;
	if (b->n == b->cap) {
		cap = b->cap == 0 ? 16 : b->cap * 2;
		if (cap > EVENTS_MAX)
			cap = EVENTS_MAX;
		if ((ev = realloc(b->ev, cap * sizeof(*ev))) == NULL)
			return CBW_ENOMEM;
		b->ev = ev;
		b->cap = cap;
	}
	ev = &b->ev[b->n++];
	memset(ev, 0, sizeof(*ev));
	memcpy(ev->phone_number_id, c->pnid, sizeof(ev->phone_number_id));
	*out = ev;
	return CBW_OK;
}

/* Fait de l'événement un IGNORED, avec la raison dans text. Ne rend rien. */
static void
ignore(struct cbw_wh_event *ev, const char *reason)
{
	ev->kind = CBW_WH_IGNORED;
	ev->text[0] = '\0';
	put_cstr(ev->text, sizeof(ev->text), reason);
}

/*
 * Ajoute un événement IGNORED nommé name (peut être NULL) pour la raison
 * donnée. Rend CBW_OK, ou l'erreur de push.
 */
static enum cbw_err
push_ignored(struct wh_ctx *c, const char *name, const char *reason)
{
	struct cbw_wh_event	*ev;
	enum cbw_err		 er;

	if ((er = push(c, &ev)) != CBW_OK)
		return er;
	if (name != NULL)
		put_cstr(ev->type_name, sizeof(ev->type_name), name);
	ignore(ev, reason);
	return CBW_OK;
}

/*
 * Lit un élément de value.statuses[] en un événement STATUS (IGNORED s'il
 * est mal formé ou d'un statut non géré). Rend CBW_OK ou l'erreur de push.
 */
static enum cbw_err
read_status(struct wh_ctx *c, struct json_object *st)
{
	static const struct {
		const char		*name;
		enum cbw_wh_status	 st;
	} map[] = {
		{ "sent", CBW_WH_SENT },
		{ "delivered", CBW_WH_DELIVERED },
		{ "read", CBW_WH_READ },
		{ "played", CBW_WH_READ },
		{ "failed", CBW_WH_FAILED },
	};
	struct cbw_wh_event	*ev;
	struct json_object	*v;
	const char		*s, *name;
	enum cbw_err		 er;
	size_t			 n = 0, i;

	if ((er = push(c, &ev)) != CBW_OK)
		return er;
	ev->kind = CBW_WH_STATUS;
	if (!json_object_is_type(st, json_type_object)) {
		ignore(ev, "statut mal formé");
		return CBW_OK;
	}
	if ((name = get_name(st, "status")) != NULL)
		put_cstr(ev->type_name, sizeof(ev->type_name), name);
	ev->timestamp = get_time(st);
	read_errors(ev, st);
	s = get_str(st, "id", &n);
	if (!copy_id(ev->wamid, sizeof(ev->wamid), s, n)) {
		ignore(ev, "statut sans identifiant de message valide");
		return CBW_OK;
	}
	s = get_str(st, "recipient_id", &n);
	if ((s != NULL || (field(st, "recipient_id", &v) && v != NULL)) &&
	    !copy_phone(ev->recipient, sizeof(ev->recipient), s, n)) {
		ignore(ev, "statut dont le destinataire n'est pas un numéro");
		return CBW_OK;
	}
	for (i = 0; name != NULL && i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(name, map[i].name) == 0) {
			ev->status = map[i].st;
			return CBW_OK;
		}
	ignore(ev, "statut non géré");
	return CBW_OK;
}

/*
 * Remplit text (et msgtype) d'un message selon son type. Rend 1 si le
 * type est connu et son contenu lisible, 0 sinon (*why : raison).
 */
static int
read_content(struct cbw_wh_event *ev, struct json_object *m, const char *type,
    const char **why)
{
	struct json_object	*o, *sub;
	const char		*s;
	size_t			 n = 0, i;

	*why = "contenu du message absent ou mal formé";
	if (strcmp(type, "text") == 0) {
		ev->msgtype = CBW_WH_TEXT;
		if ((s = get_str(get_obj(m, "text"), "body", &n)) == NULL)
			return 0;
		put_text(ev->text, sizeof(ev->text), s, n, 1);
		return 1;
	}
	if (strcmp(type, "reaction") == 0) {
		ev->msgtype = CBW_WH_REACTION;
		if ((o = get_obj(m, "reaction")) == NULL)
			return 0;
		/* emoji absent ou vide : réaction retirée, texte vide. */
		if ((s = get_str(o, "emoji", &n)) != NULL)
			put_text(ev->text, sizeof(ev->text), s, n, 0);
		if ((s = get_str(o, "message_id", &n)) != NULL)
			copy_id(ev->context_id, sizeof(ev->context_id), s, n);
		return 1;
	}
	if (strcmp(type, "button") == 0) {
		ev->msgtype = CBW_WH_BUTTON;
		o = get_obj(m, "button");
		if (((s = get_str(o, "text", &n)) == NULL || n == 0) &&
		    ((s = get_str(o, "payload", &n)) == NULL || n == 0))
			return 0;
		put_text(ev->text, sizeof(ev->text), s, n, 0);
		return 1;
	}
	if (strcmp(type, "interactive") == 0) {
		ev->msgtype = CBW_WH_INTERACTIVE;
		if ((o = get_obj(m, "interactive")) == NULL)
			return 0;
		if ((sub = get_obj(o, "button_reply")) == NULL)
			sub = get_obj(o, "list_reply");
		if (sub == NULL) {	/* nfm_reply (formulaire) et autres */
			put_cstr(ev->text, sizeof(ev->text),
			    "[réponse interactive reçue]");
			return 1;
		}
		if (((s = get_str(sub, "title", &n)) == NULL || n == 0) &&
		    ((s = get_str(sub, "id", &n)) == NULL || n == 0))
			return 0;
		put_text(ev->text, sizeof(ev->text), s, n, 0);
		return 1;
	}
	for (i = 0; i < sizeof(labels) / sizeof(labels[0]); i++)
		if (strcmp(type, labels[i].type) == 0) {
			ev->msgtype = CBW_WH_OTHER;
			put_cstr(ev->text, sizeof(ev->text), labels[i].label);
			return 1;
		}
	*why = "type de message non géré";
	return 0;
}

/*
 * Lit un élément de value.messages[] en un événement MESSAGE (IGNORED s'il
 * est mal formé ou d'un type non géré). `contact` est le wa_id de l'unique
 * élément de contacts[] (NULL sinon), pris si « from » manque. Rend
 * CBW_OK ou l'erreur de push.
 */
static enum cbw_err
read_message(struct wh_ctx *c, struct json_object *m, const char *contact,
    size_t clen)
{
	struct cbw_wh_event	*ev;
	struct json_object	*v;
	const char		*s, *type, *why;
	enum cbw_err		 er;
	size_t			 n = 0;

	if ((er = push(c, &ev)) != CBW_OK)
		return er;
	ev->kind = CBW_WH_MESSAGE;
	if (!json_object_is_type(m, json_type_object)) {
		ignore(ev, "message mal formé");
		return CBW_OK;
	}
	if ((type = get_name(m, "type")) != NULL)
		put_cstr(ev->type_name, sizeof(ev->type_name), type);
	ev->timestamp = get_time(m);
	read_errors(ev, m);
	s = get_str(get_obj(m, "context"), "id", &n);
	copy_id(ev->context_id, sizeof(ev->context_id), s, n);
	s = get_str(m, "id", &n);
	if (!copy_id(ev->message_id, sizeof(ev->message_id), s, n)) {
		ignore(ev, "message sans identifiant valide");
		return CBW_OK;
	}
	if ((s = get_str(m, "from", &n)) == NULL &&
	    !(field(m, "from", &v) && v != NULL)) {
		s = contact;
		n = clen;
	}
	if (!copy_phone(ev->from, sizeof(ev->from), s, n)) {
		ignore(ev, "message sans numéro d'expéditeur valide");
		return CBW_OK;
	}
	if (type == NULL) {
		ignore(ev, "message sans type");
		return CBW_OK;
	}
	if (!read_content(ev, m, type, &why))
		ignore(ev, why);
	return CBW_OK;
}

/*
 * Lit un élément de value.user_preferences[] : « stop » → OPTOUT,
 * « resume » → OPTIN (catégorie marketing_messages ou absente), sinon
 * IGNORED. Rend CBW_OK ou l'erreur de push.
 */
static enum cbw_err
read_pref(struct wh_ctx *c, struct json_object *p)
{
	struct cbw_wh_event	*ev;
	const char		*s, *val, *cat;
	enum cbw_err		 er;
	size_t			 n = 0;

	if ((er = push(c, &ev)) != CBW_OK)
		return er;
	ev->kind = CBW_WH_OPTOUT;
	if (!json_object_is_type(p, json_type_object)) {
		ignore(ev, "préférence mal formée");
		return CBW_OK;
	}
	if ((val = get_name(p, "value")) != NULL)
		put_cstr(ev->type_name, sizeof(ev->type_name), val);
	ev->timestamp = get_time(p);
	if ((s = get_str(p, "detail", &n)) != NULL)
		put_text(ev->text, sizeof(ev->text), s, n, 0);
	s = get_str(p, "wa_id", &n);
	if (!copy_phone(ev->from, sizeof(ev->from), s, n)) {
		ignore(ev, "préférence sans numéro valide");
		return CBW_OK;
	}
	cat = get_name(p, "category");
	if (cat != NULL && strcmp(cat, "marketing_messages") != 0) {
		ignore(ev, "catégorie de préférence non gérée");
		return CBW_OK;
	}
	if (val != NULL && strcmp(val, "stop") == 0)
		ev->kind = CBW_WH_OPTOUT;
	else if (val != NULL && strcmp(val, "resume") == 0)
		ev->kind = CBW_WH_OPTIN;
	else
		ignore(ev, "préférence non gérée");
	return CBW_OK;
}

/*
 * Parcourt le tableau value[key] avec fn (un événement par élément) ; un
 * champ présent qui n'est pas un tableau donne un IGNORED. Rend CBW_OK ou
 * la première erreur de fn.
 */
static enum cbw_err
each(struct wh_ctx *c, struct json_object *value, const char *key,
    enum cbw_err (*fn)(struct wh_ctx *, struct json_object *))
{
	struct json_object	*a;
	enum cbw_err		 er = CBW_OK;
	size_t			 i, n;

	if (!field(value, key, &a) || a == NULL)
		return CBW_OK;
	if (!json_object_is_type(a, json_type_array))
		return push_ignored(c, key, "liste mal formée");
	n = json_object_array_length(a);
	for (i = 0; i < n && er == CBW_OK; i++)
		er = fn(c, json_object_array_get_idx(a, i));
	return er;
}

/*
 * Lit un élément de value.errors[] (erreur système, sans message) en un
 * événement IGNORED portant le code et le texte. Rend CBW_OK ou l'erreur
 * de push.
 */
static enum cbw_err
read_sys_error(struct wh_ctx *c, struct json_object *e)
{
	struct cbw_wh_event	*ev;
	enum cbw_err		 er;

	if ((er = push(c, &ev)) != CBW_OK)
		return er;
	put_cstr(ev->type_name, sizeof(ev->type_name), "errors");
	read_error(ev, e);
	ignore(ev, "erreur signalée par WhatsApp");
	return CBW_OK;
}

/*
 * Lit la valeur d'un changement « messages » : statuses[], messages[]
 * (avec contacts[] pour le wa_id) et errors[]. Rend CBW_OK ou la première
 * erreur.
 */
static enum cbw_err
read_messages(struct wh_ctx *c, struct json_object *value)
{
	struct json_object	*a, *m;
	const char		*contact = NULL;
	enum cbw_err		 er;
	size_t			 i, n, clen = 0;

	if ((er = each(c, value, "statuses", read_status)) != CBW_OK)
		return er;
	if (field(value, "contacts", &a) &&
	    json_object_is_type(a, json_type_array) &&
	    json_object_array_length(a) == 1)
		contact = get_str(json_object_array_get_idx(a, 0), "wa_id",
		    &clen);
	if (field(value, "messages", &a) && a != NULL) {
		if (!json_object_is_type(a, json_type_array)) {
			if ((er = push_ignored(c, "messages",
			    "liste mal formée")) != CBW_OK)
				return er;
		} else {
			n = json_object_array_length(a);
			for (i = 0; i < n; i++) {
				m = json_object_array_get_idx(a, i);
				er = read_message(c, m, contact, clen);
				if (er != CBW_OK)
					return er;
			}
		}
	}
	return each(c, value, "errors", read_sys_error);
}

/*
 * Lit un élément de entry[].changes[] selon son champ : « messages »,
 * « user_preferences », tout autre → IGNORED. Rend CBW_OK ou la première
 * erreur.
 */
static enum cbw_err
read_change(struct wh_ctx *c, struct json_object *ch)
{
	struct json_object	*value;
	const char		*fld, *s;
	size_t			 n = 0;

	c->pnid[0] = '\0';
	if (!json_object_is_type(ch, json_type_object))
		return push_ignored(c, NULL, "changement mal formé");
	value = get_obj(ch, "value");
	s = get_str(get_obj(value, "metadata"), "phone_number_id", &n);
	copy_id(c->pnid, sizeof(c->pnid), s, n);
	if ((fld = get_name(ch, "field")) == NULL)
		return push_ignored(c, NULL, "changement sans champ");
	if (strcmp(fld, "messages") != 0 &&
	    strcmp(fld, "user_preferences") != 0)
		return push_ignored(c, fld, "champ de notification non géré");
	if (value == NULL)
		return push_ignored(c, fld, "changement sans valeur");
	if (strcmp(fld, "messages") == 0)
		return read_messages(c, value);
	return each(c, value, "user_preferences", read_pref);
}

/* Lit un élément de entry[] et ses changes[] ; CBW_OK ou la 1re erreur. */
static enum cbw_err
read_entry(struct wh_ctx *c, struct json_object *e)
{
	struct json_object	*a;
	enum cbw_err		 er = CBW_OK;
	size_t			 i, n;

	c->pnid[0] = '\0';
	if (!field(e, "changes", &a) ||
	    !json_object_is_type(a, json_type_array))
		return push_ignored(c, NULL, "entrée sans liste changes");
	n = json_object_array_length(a);
	for (i = 0; i < n && er == CBW_OK; i++)
		er = read_change(c, json_object_array_get_idx(a, i));
	return er;
}

/*
 * Lit une notification en un lot d'événements (voir webhook.h et les
 * choix en tête de fichier). Rend CBW_OK ; CBW_EINVAL si le corps dépasse
 * BODY_MAX octets, n'est pas un objet JSON strict « whatsapp_business_account »
 * avec un tableau entry[], ou donne plus de EVENTS_MAX événements ;
 * CBW_ENOMEM. En cas d'échec le lot est vide.
 */
enum cbw_err
cbw_wh_parse(const char *body, size_t len, struct cbw_wh_batch *b)
{
	struct json_object	*root = NULL, *a;
	struct wh_ctx		 c;
	const char		*obj;
	enum cbw_err		 er = CBW_EINVAL;
	size_t			 i, n;

	memset(b, 0, sizeof(*b));
	memset(&c, 0, sizeof(c));
	c.b = b;
	if (body == NULL || len > BODY_MAX)
		goto out;
	if ((er = cbw_json_parse_object(body, len, &root)) != CBW_OK)
		goto out;
	er = CBW_EINVAL;
	if ((obj = get_name(root, "object")) == NULL ||
	    strcmp(obj, "whatsapp_business_account") != 0 ||
	    !field(root, "entry", &a) ||
	    !json_object_is_type(a, json_type_array))
		goto out;
	er = CBW_OK;
	n = json_object_array_length(a);
	for (i = 0; i < n && er == CBW_OK; i++)
		er = read_entry(&c, json_object_array_get_idx(a, i));
out:
	if (er != CBW_OK)
		cbw_wh_batch_free(b);
	json_object_put(root);
	return er;
}

/* Libère les événements d'un lot et le remet à vide. Ne rend rien. */
void
cbw_wh_batch_free(struct cbw_wh_batch *b)
{
	if (b == NULL)
		return;
	free(b->ev);
	b->ev = NULL;
	b->n = b->cap = 0;
}

/* Nom anglais d'un statut (« sent »...), « ? » hors de l'énumération. */
const char *
cbw_wh_status_name(enum cbw_wh_status s)
{
	static const char *const names[CBW_WH_STATUS__MAX] = {
		"sent", "delivered", "read", "failed"
	};

	if ((int)s < 0 || s >= CBW_WH_STATUS__MAX)
		return "?";
	return names[s];
}

/* Nom d'une nature d'événement (« status »...), « ? » hors de l'énumération. */
const char *
cbw_wh_kind_name(enum cbw_wh_kind k)
{
	static const char *const names[CBW_WH_KIND__MAX] = {
		"status", "message", "optout", "optin", "ignored"
	};

	if ((int)k < 0 || k >= CBW_WH_KIND__MAX)
		return "?";
	return names[k];
}

/* Nom d'un type de message (« text »...), « ? » hors de l'énumération. */
const char *
cbw_wh_msgtype_name(enum cbw_wh_msgtype t)
{
	static const char *const names[CBW_WH_MSGTYPE__MAX] = {
		"text", "reaction", "button", "interactive", "other"
	};

	if ((int)t < 0 || t >= CBW_WH_MSGTYPE__MAX)
		return "?";
	return names[t];
}

/*
 * Rend la longueur d'un blanc au début de s (n octets) : blanc ASCII,
 * espace insécable U+00A0 ou fine insécable U+202F ; 0 sinon.
 */
static size_t
blank_at(const unsigned char *s, size_t n)
{
	if (n >= 1 && (s[0] == ' ' || (s[0] >= '\t' && s[0] <= '\r')))
		return 1;
	if (n >= 2 && s[0] == 0xc2 && s[1] == 0xa0)
		return 2;
	if (n >= 3 && s[0] == 0xe2 && s[1] == 0x80 && s[2] == 0xaf)
		return 3;
	return 0;
}

/*
 * Rend la longueur d'un blanc à la fin de s (n octets), mêmes blancs que
 * blank_at ; 0 sinon.
 */
static size_t
blank_end(const unsigned char *s, size_t n)
{
	if (n >= 3 && blank_at(s + n - 3, 3) == 3)
		return 3;
	if (n >= 2 && blank_at(s + n - 2, 2) == 2)
		return 2;
	if (n >= 1 && blank_at(s + n - 1, 1) == 1)
		return 1;
	return 0;
}

/*
 * Vrai (1) si le texte, blancs de bord retirés, n'est fait que de lettres
 * et vaut STOP, ARRET, DESABONNER ou UNSUBSCRIBE aux accents et à la casse
 * près (« ARRÊT », « Désabonner ») ; 0 sinon (« stop please », « STOP! »,
 * NULL, mémoire manquante).
 */
int
cbw_wh_is_stop_word(const char *text)
{
	static const char *const words[] = {
		"stop", "arret", "desabonner", "unsubscribe"
	};
	const unsigned char	*s = (const unsigned char *)text;
	struct cbw_buf		 f;
	char			 core[48];
	size_t			 n, k, i;
	int			 ok = 0;

	cbw_buf_init(&f);
	if (text == NULL)
		goto out;
	n = strlen(text);
	while ((k = blank_at(s, n)) > 0) {
		s += k;
		n -= k;
	}
	while ((k = blank_end(s, n)) > 0)
		n -= k;
	if (n == 0 || n >= sizeof(core))
		goto out;
	for (i = 0; i < n; i++)
		if (s[i] < 0x80 && !((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= 'A' && s[i] <= 'Z')))
			goto out;
	memcpy(core, s, n);
	core[n] = '\0';
	if (cbw_fold(&f, core) != CBW_OK)
		goto out;
	for (i = 0; i < sizeof(words) / sizeof(words[0]) && !ok; i++)
		ok = strcmp(cbw_buf_str(&f), words[i]) == 0;
out:
	cbw_buf_free(&f);
	return ok;
}
