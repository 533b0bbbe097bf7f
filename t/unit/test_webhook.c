/*
 * Tests unitaires du webhook WhatsApp (lib/webhook.c) : poignée de main,
 * signature X-Hub-Signature-256 (corps brut et forme \uXXXX), lecture des
 * notifications de t/fixtures/webhooks/, cas mal formés, lot de 1 000
 * statuts, mots de désabonnement, et propriétés sur des mutations
 * aléatoires (graine affichée).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "crypto.h"
#include "testutil.h"
#include "valid.h"
#include "webhook.h"

#define PNID	"100000000000001"
#define C1	"33612345678"
#define C2	"33698765432"
#define C3	"33611223344"
#define OUT1	"wamid.HBgLMzM2MTIzNDU2NzgVAgARGBJGMEUxRDJDM0I0QTU5Njg3NzgA"
#define OUT2	"wamid.HBgLMzM2OTg3NjU0MzIVAgARGBI3QTZCNUM0RDNFMkYxMDlBOEIA"
#define OUT3	"wamid.HBgLMzM2MTEyMjMzNDQVAgARGBI5QzhEN0U2RjVBNEIzQzJEMUUA"
#define OUT4	"wamid.HBgLMzM2MTIzNDU2NzgVAgARGBJCMkE0QzZFOEYwMTIzNDU2NzgA"
#define IN(n)	"wamid.HBgLMzM2MTIzNDU2NzgVAgASGBQzRUIw" n "Qzc2RjFBMkIzQzRENUU2RgA="

/* Notification « messages » minimale autour du contenu v de value. */
#define ENV(v)	"{\"object\":\"whatsapp_business_account\",\"entry\":[{\"id\":" \
	"\"200000000000001\",\"changes\":[{\"field\":\"messages\",\"value\":" \
	"{\"metadata\":{\"phone_number_id\":\"" PNID "\"}," v "}}]}]}"
/* Un message de C1 (champs id, from, timestamp) suivi de m. */
#define MSG(m)	ENV("\"messages\":[{\"from\":\"" C1 "\",\"id\":\"" IN("0100") \
	"\",\"timestamp\":\"1767225600\"," m "}]")

#define SECRET	"test_app_secret"
#define CAFE_ESC "{\"text\":{\"body\":\"caf\\u00e9\"}}"
#define CAFE_RAW "{\"text\":{\"body\":\"caf\xc3\xa9\"}}"
#define CAFE_ESC_SIG \
	"sha256=d36eb0f4e8ed7a1458654758c875f8906c154262156b732bbdf52856281cd3fb"
#define CAFE_RAW_SIG \
	"sha256=d0c411924f46299702b190bbe4b5da59c4bb5641ea114e4e11535ad85929c4f0"

static const char *const fixtures[] = {
	"text.json", "text_with_context.json", "reaction.json",
	"reaction_removed.json", "button.json", "interactive_button_reply.json",
	"interactive_list_reply.json", "image.json", "unsupported.json",
	"status_sent.json", "status_delivered.json", "status_read.json",
	"status_failed.json", "statuses_batch.json", "mixed.json",
	"user_preferences_stop.json", "user_preferences_resume.json",
	"unknown_field.json", "unknown_message_type.json", "not_waba.json",
	"stop_text.json", "arret_accent.json", "non_ascii.json",
};
#define NFIXTURES	(sizeof(fixtures) / sizeof(fixtures[0]))

/* Lit t/fixtures/webhooks/name (dossier pris dans CBW_SRCDIR, sinon __FILE__). */
static char *
load(const char *name, size_t *len)
{
	const char	*src = getenv("CBW_SRCDIR"), *f = __FILE__, *p;
	char		 path[4096], *buf;
	FILE		*fp;
	long		 n;
	int		 w;

	if (src != NULL && *src != '\0')
		w = snprintf(path, sizeof(path), "%s/t/fixtures/webhooks/%s",
		    src, name);
	else if ((p = strstr(f, "t/unit/test_webhook.c")) != NULL)
		w = snprintf(path, sizeof(path), "%.*st/fixtures/webhooks/%s",
		    (int)(p - f), f, name);
	else
		w = snprintf(path, sizeof(path), "t/fixtures/webhooks/%s", name);
	assert_true(w > 0 && (size_t)w < sizeof(path));
	fp = fopen(path, "rb");
	if (fp == NULL)
		fail_msg("fixture introuvable : %s", path);
	assert_int_equal(fseek(fp, 0, SEEK_END), 0);
	n = ftell(fp);
	assert_true(n > 0);
	rewind(fp);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, fp), (size_t)n);
	buf[n] = '\0';
	fclose(fp);
	*len = (size_t)n;
	return buf;
}

/* Lit une fixture qui doit donner CBW_OK et n événements. */
static void
parse_fixture(const char *name, struct cbw_wh_batch *b, size_t n)
{
	size_t	 len;
	char	*s = load(name, &len);

	assert_int_equal(cbw_wh_parse(s, len, b), CBW_OK);
	free(s);
	assert_int_equal(b->n, n);
}

/* Lit une chaîne littérale qui doit donner CBW_OK et n événements. */
static void
parse_str(const char *s, struct cbw_wh_batch *b, size_t n)
{
	assert_int_equal(cbw_wh_parse(s, strlen(s), b), CBW_OK);
	assert_int_equal(b->n, n);
}

/* Vérifie un événement MESSAGE (ctx : context_id attendu). */
static void
expect_msg(const struct cbw_wh_event *e, enum cbw_wh_msgtype t,
    const char *from, const char *id, const char *ctx, time_t ts,
    const char *text, const char *type_name)
{
	assert_string_equal(cbw_wh_kind_name(e->kind), "message");
	assert_int_equal(e->msgtype, t);
	assert_string_equal(e->phone_number_id, PNID);
	assert_string_equal(e->from, from);
	assert_string_equal(e->message_id, id);
	assert_string_equal(e->context_id, ctx);
	assert_int_equal(e->timestamp, ts);
	assert_string_equal(e->text, text);
	assert_string_equal(e->type_name, type_name);
}

/* Vérifie un événement STATUS d'un changement sans metadata (pnid : ""). */
static void
expect_status_pn(const struct cbw_wh_event *e, const char *pnid,
    enum cbw_wh_status st, const char *wamid, const char *rcpt, time_t ts,
    const char *type_name)
{
	assert_string_equal(cbw_wh_kind_name(e->kind), "status");
	assert_int_equal(e->status, st);
	assert_string_equal(e->phone_number_id, pnid);
	assert_string_equal(e->wamid, wamid);
	assert_string_equal(e->recipient, rcpt);
	assert_int_equal(e->timestamp, ts);
	assert_string_equal(e->type_name, type_name);
}

/* Vérifie un événement STATUS (phone_number_id des fixtures). */
static void
expect_status(const struct cbw_wh_event *e, enum cbw_wh_status st,
    const char *wamid, const char *rcpt, time_t ts, const char *type_name)
{
	expect_status_pn(e, PNID, st, wamid, rcpt, ts, type_name);
}

/* Vérifie un événement IGNORED et le nom de ce qui est ignoré. */
static void
expect_ignored(const struct cbw_wh_event *e, const char *type_name)
{
	assert_string_equal(cbw_wh_kind_name(e->kind), "ignored");
	assert_string_equal(e->type_name, type_name);
	assert_true(e->text[0] != '\0');	/* la raison */
}

/* Texte : corps, contexte absent. */
static void
test_text(void **state)
{
	struct cbw_wh_batch	 b;

	(void)state;
	parse_fixture("text.json", &b, 1);
	expect_msg(&b.ev[0], CBW_WH_TEXT, C1, IN("0001"), "", 1767225600,
	    "Bonjour, quels sont vos horaires ?", "text");
	assert_int_equal(b.ev[0].error_code, 0);
	assert_string_equal(b.ev[0].error_text, "");
	assert_string_equal(cbw_wh_msgtype_name(b.ev[0].msgtype), "text");
	assert_false(cbw_wh_is_stop_word(b.ev[0].text));
	cbw_wh_batch_free(&b);
	assert_null(b.ev);
	assert_int_equal(b.n, 0);
	cbw_wh_batch_free(&b);	/* deux fois : sans effet */
}

/* Réponse citant un de nos messages : context.id. */
static void
test_text_with_context(void **state)
{
	struct cbw_wh_batch	 b;

	(void)state;
	parse_fixture("text_with_context.json", &b, 1);
	expect_msg(&b.ev[0], CBW_WH_TEXT, C1, IN("0002"), OUT1, 1767225700,
	    "Oui, je suis int\xc3\xa9ress\xc3\xa9" "e", "text");
	cbw_wh_batch_free(&b);
}

/* Réaction : emoji, message visé dans context_id ; retrait sans emoji. */
static void
test_reaction(void **state)
{
	struct cbw_wh_batch	 b;

	(void)state;
	parse_fixture("reaction.json", &b, 1);
	expect_msg(&b.ev[0], CBW_WH_REACTION, C1, IN("0003"), OUT1, 1767225800,
	    "\xf0\x9f\x91\x8d", "reaction");
	assert_string_equal(cbw_wh_msgtype_name(b.ev[0].msgtype), "reaction");
	cbw_wh_batch_free(&b);
	parse_fixture("reaction_removed.json", &b, 1);
	expect_msg(&b.ev[0], CBW_WH_REACTION, C1, IN("0004"), OUT1, 1767225900,
	    "", "reaction");
	cbw_wh_batch_free(&b);
	/* Ancienne forme : emoji vide. */
	parse_str(MSG("\"type\":\"reaction\",\"reaction\":{\"message_id\":\""
	    OUT2 "\",\"emoji\":\"\"}"), &b, 1);
	expect_msg(&b.ev[0], CBW_WH_REACTION, C1, IN("0100"), OUT2, 1767225600,
	    "", "reaction");
	cbw_wh_batch_free(&b);
}

/* Bouton de réponse rapide : text, sinon payload. */
static void
test_button(void **state)
{
	struct cbw_wh_batch	 b;

	(void)state;
	parse_fixture("button.json", &b, 1);
	expect_msg(&b.ev[0], CBW_WH_BUTTON, C1, IN("0005"), OUT1, 1767226000,
	    "Oui, je veux en savoir plus", "button");
	assert_string_equal(cbw_wh_msgtype_name(b.ev[0].msgtype), "button");
	cbw_wh_batch_free(&b);
	parse_str(MSG("\"type\":\"button\",\"button\":{\"payload\":\"STOP_PROMOS\"}"),
	    &b, 1);
	expect_msg(&b.ev[0], CBW_WH_BUTTON, C1, IN("0100"), "", 1767225600,
	    "STOP_PROMOS", "button");
	cbw_wh_batch_free(&b);
	parse_str(MSG("\"type\":\"button\",\"button\":{\"payload\":\"P\",\"text\":\"\"}"),
	    &b, 1);
	assert_string_equal(b.ev[0].text, "P");
	cbw_wh_batch_free(&b);
	/* Ni texte ni payload : mal formé. */
	parse_str(MSG("\"type\":\"button\",\"button\":{}"), &b, 1);
	expect_ignored(&b.ev[0], "button");
	cbw_wh_batch_free(&b);
}

/* Réponses interactives : title, sinon id ; autres sous-types : libellé. */
static void
test_interactive(void **state)
{
	struct cbw_wh_batch	 b;

	(void)state;
	parse_fixture("interactive_button_reply.json", &b, 1);
	expect_msg(&b.ev[0], CBW_WH_INTERACTIVE, C2, IN("0006"), OUT2, 1767226100,
	    "Confirmer", "interactive");
	assert_string_equal(cbw_wh_msgtype_name(b.ev[0].msgtype), "interactive");
	cbw_wh_batch_free(&b);
	parse_fixture("interactive_list_reply.json", &b, 1);
	expect_msg(&b.ev[0], CBW_WH_INTERACTIVE, C2, IN("0007"), OUT2, 1767226200,
	    "19:30", "interactive");
	cbw_wh_batch_free(&b);
	parse_str(MSG("\"type\":\"interactive\",\"interactive\":{\"type\":"
	    "\"list_reply\",\"list_reply\":{\"id\":\"slot-7\"}}"), &b, 1);
	expect_msg(&b.ev[0], CBW_WH_INTERACTIVE, C1, IN("0100"), "", 1767225600,
	    "slot-7", "interactive");
	cbw_wh_batch_free(&b);
	parse_str(MSG("\"type\":\"interactive\",\"interactive\":{\"type\":"
	    "\"nfm_reply\",\"nfm_reply\":{\"response_json\":\"{}\"}}"), &b, 1);
	expect_msg(&b.ev[0], CBW_WH_INTERACTIVE, C1, IN("0100"), "", 1767225600,
	    "[r\xc3\xa9ponse interactive re\xc3\xa7ue]", "interactive");
	cbw_wh_batch_free(&b);
	parse_str(MSG("\"type\":\"interactive\",\"interactive\":{\"type\":"
	    "\"button_reply\",\"button_reply\":{\"title\":\"\"}}"), &b, 1);
	expect_ignored(&b.ev[0], "interactive");
	cbw_wh_batch_free(&b);
	parse_str(MSG("\"type\":\"interactive\",\"interactive\":\"oui\""), &b, 1);
	expect_ignored(&b.ev[0], "interactive");
	cbw_wh_batch_free(&b);
}

/* Médias et autres types : libellé français, type d'origine gardé. */
static void
test_other_kinds(void **state)
{
	static const struct {
		const char	*json, *type, *label;
	} k[] = {
		{ MSG("\"type\":\"audio\",\"audio\":{\"id\":\"1\",\"voice\":true}"),
		    "audio", "[message vocal re\xc3\xa7u]" },
		{ MSG("\"type\":\"video\",\"video\":{\"id\":\"1\"}"),
		    "video", "[vid\xc3\xa9o re\xc3\xa7ue]" },
		{ MSG("\"type\":\"document\",\"document\":{\"id\":\"1\","
		    "\"filename\":\"devis.pdf\"}"),
		    "document", "[document re\xc3\xa7u]" },
		{ MSG("\"type\":\"sticker\",\"sticker\":{\"id\":\"1\","
		    "\"animated\":false}"),
		    "sticker", "[autocollant re\xc3\xa7u]" },
		{ MSG("\"type\":\"location\",\"location\":{\"latitude\":48.85,"
		    "\"longitude\":2.35}"),
		    "location", "[position re\xc3\xa7ue]" },
		{ MSG("\"type\":\"contacts\",\"contacts\":[{\"name\":"
		    "{\"formatted_name\":\"A\"}}]"),
		    "contacts", "[contact re\xc3\xa7u]" },
		{ MSG("\"type\":\"unknown\",\"errors\":[{\"code\":130501,"
		    "\"details\":\"Message type is not currently supported\","
		    "\"title\":\"Unsupported message type\"}]"),
		    "unknown", "[message non pris en charge]" },
	};
	struct cbw_wh_batch	 b;
	size_t			 i;

	(void)state;
	parse_fixture("image.json", &b, 1);
	expect_msg(&b.ev[0], CBW_WH_OTHER, C1, IN("0008"), "", 1767226300,
	    "[image re\xc3\xa7ue]", "image");
	assert_string_equal(cbw_wh_msgtype_name(b.ev[0].msgtype), "other");
	cbw_wh_batch_free(&b);
	parse_fixture("unsupported.json", &b, 1);
	expect_msg(&b.ev[0], CBW_WH_OTHER, C1, IN("0009"), "", 1767226400,
	    "[message non pris en charge]", "unsupported");
	assert_int_equal(b.ev[0].error_code, 131051);
	assert_string_equal(b.ev[0].error_text, "Message type unknown "
	    "(Message type is currently not supported.)");
	cbw_wh_batch_free(&b);
	for (i = 0; i < sizeof(k) / sizeof(k[0]); i++) {
		parse_str(k[i].json, &b, 1);
		expect_msg(&b.ev[0], CBW_WH_OTHER, C1, IN("0100"), "", 1767225600,
		    k[i].label, k[i].type);
		cbw_wh_batch_free(&b);
	}
	parse_str(k[6].json, &b, 1);
	assert_int_equal(b.ev[0].error_code, 130501);
	assert_string_equal(b.ev[0].error_text, "Unsupported message type "
	    "(Message type is not currently supported)");
	cbw_wh_batch_free(&b);
}

/* Type inconnu : IGNORED, mais numéro, identifiant et type gardés pour le journal. */
static void
test_unknown_message_type(void **state)
{
	struct cbw_wh_batch	 b;

	(void)state;
	parse_fixture("unknown_message_type.json", &b, 1);
	expect_ignored(&b.ev[0], "hologram");
	assert_string_equal(b.ev[0].phone_number_id, PNID);
	assert_string_equal(b.ev[0].from, C1);
	assert_string_equal(b.ev[0].message_id, IN("0011"));
	assert_int_equal(b.ev[0].timestamp, 1767226800);
	cbw_wh_batch_free(&b);
	parse_str(MSG("\"type\":\"system\",\"system\":{\"body\":\"x\"}"), &b, 1);
	expect_ignored(&b.ev[0], "system");
	cbw_wh_batch_free(&b);
}

/* Statuts envoyé, remis, lu. */
static void
test_status_simple(void **state)
{
	struct cbw_wh_batch	 b;

	(void)state;
	parse_fixture("status_sent.json", &b, 1);
	expect_status(&b.ev[0], CBW_WH_SENT, OUT1, C1, 1767225000, "sent");
	assert_int_equal(b.ev[0].error_code, 0);
	assert_string_equal(b.ev[0].error_text, "");
	assert_string_equal(cbw_wh_status_name(b.ev[0].status), "sent");
	cbw_wh_batch_free(&b);
	parse_fixture("status_delivered.json", &b, 1);
	expect_status(&b.ev[0], CBW_WH_DELIVERED, OUT1, C1, 1767225004,
	    "delivered");
	assert_string_equal(cbw_wh_status_name(b.ev[0].status), "delivered");
	cbw_wh_batch_free(&b);
	parse_fixture("status_read.json", &b, 1);
	expect_status(&b.ev[0], CBW_WH_READ, OUT1, C1, 1767225600, "read");
	assert_string_equal(cbw_wh_status_name(b.ev[0].status), "read");
	cbw_wh_batch_free(&b);
}

/* Échec : code et texte de errors[0]. */
static void
test_status_failed(void **state)
{
	struct cbw_wh_batch	 b;

	(void)state;
	parse_fixture("status_failed.json", &b, 1);
	expect_status(&b.ev[0], CBW_WH_FAILED, OUT2, C2, 1767225010, "failed");
	assert_string_equal(cbw_wh_status_name(b.ev[0].status), "failed");
	assert_int_equal(b.ev[0].error_code, 131026);
	assert_string_equal(b.ev[0].error_text, "Message undeliverable (Message "
	    "failed to send because the recipient is not on WhatsApp or cannot "
	    "receive it.)");
	cbw_wh_batch_free(&b);
	/* Détail égal au titre : une seule fois ; sans titre : message. */
	parse_str(ENV("\"statuses\":[{\"id\":\"w1\",\"status\":\"failed\","
	    "\"recipient_id\":\"" C1 "\",\"errors\":[{\"code\":\"131049\","
	    "\"message\":\"Healthy ecosystem\",\"error_data\":{\"details\":"
	    "\"healthy ECOSYSTEM\"}}]}]"), &b, 1);
	assert_int_equal(b.ev[0].error_code, 131049);
	assert_string_equal(b.ev[0].error_text, "Healthy ecosystem");
	cbw_wh_batch_free(&b);
	/* Code négatif ou décimal : 0 ; errors qui n'est pas un tableau : ignoré. */
	parse_str(ENV("\"statuses\":[{\"id\":\"w1\",\"status\":\"failed\","
	    "\"errors\":[{\"code\":-4,\"error_data\":{\"details\":\"D\"}}]},"
	    "{\"id\":\"w2\",\"status\":\"failed\",\"errors\":[{\"code\":1.5}]},"
	    "{\"id\":\"w3\",\"status\":\"failed\",\"errors\":{\"code\":1}}]"),
	    &b, 3);
	expect_status(&b.ev[0], CBW_WH_FAILED, "w1", "", 0, "failed");
	assert_int_equal(b.ev[0].error_code, 0);
	assert_string_equal(b.ev[0].error_text, "D");
	assert_int_equal(b.ev[1].error_code, 0);
	assert_int_equal(b.ev[2].error_code, 0);
	assert_string_equal(b.ev[2].error_text, "");
	cbw_wh_batch_free(&b);
}

/* Lot : deux entrées, trois changements, played → READ, horodatage entier. */
static void
test_statuses_batch(void **state)
{
	struct cbw_wh_batch	 b;

	(void)state;
	parse_fixture("statuses_batch.json", &b, 6);
	expect_status(&b.ev[0], CBW_WH_SENT, OUT1, C1, 1767225000, "sent");
	expect_status(&b.ev[1], CBW_WH_SENT, OUT2, C2, 1767225001, "sent");
	expect_status(&b.ev[2], CBW_WH_DELIVERED, OUT1, C1, 1767225005,
	    "delivered");
	expect_status(&b.ev[3], CBW_WH_READ, OUT1, C1, 1767225060, "read");
	expect_status(&b.ev[4], CBW_WH_DELIVERED, OUT3, C3, 1767225007,
	    "delivered");
	expect_status(&b.ev[5], CBW_WH_READ, OUT4, C1, 1767225090, "played");
	cbw_wh_batch_free(&b);
}

/* Statuts et message dans un même changement : statuts d'abord. */
static void
test_mixed(void **state)
{
	struct cbw_wh_batch	 b;

	(void)state;
	parse_fixture("mixed.json", &b, 3);
	expect_status(&b.ev[0], CBW_WH_DELIVERED, OUT2, C2, 1767225100,
	    "delivered");
	expect_status(&b.ev[1], CBW_WH_READ, OUT2, C2, 1767225120, "read");
	expect_msg(&b.ev[2], CBW_WH_TEXT, C2, IN("0010"), OUT2, 1767225130,
	    "Merci pour l'info", "text");
	cbw_wh_batch_free(&b);
}

/* Préférences marketing : stop → OPTOUT, resume → OPTIN. */
static void
test_user_preferences(void **state)
{
	struct cbw_wh_batch	 b;
	const struct cbw_wh_event *e;

	(void)state;
	parse_fixture("user_preferences_stop.json", &b, 1);
	e = &b.ev[0];
	assert_string_equal(cbw_wh_kind_name(e->kind), "optout");
	assert_string_equal(e->phone_number_id, PNID);
	assert_string_equal(e->from, C1);
	assert_int_equal(e->timestamp, 1767226500);
	assert_string_equal(e->type_name, "stop");
	assert_string_equal(e->text, "User requested to stop marketing messages");
	cbw_wh_batch_free(&b);
	parse_fixture("user_preferences_resume.json", &b, 1);
	e = &b.ev[0];
	assert_string_equal(cbw_wh_kind_name(e->kind), "optin");
	assert_string_equal(e->from, C1);
	assert_int_equal(e->timestamp, 1767226600);
	assert_string_equal(e->type_name, "resume");
	cbw_wh_batch_free(&b);
	/* signup, autre catégorie, numéro invalide : ignorés. */
	parse_str("{\"object\":\"whatsapp_business_account\",\"entry\":[{"
	    "\"changes\":[{\"field\":\"user_preferences\",\"value\":{"
	    "\"user_preferences\":[{\"wa_id\":\"" C1 "\",\"value\":\"signup\"},"
	    "{\"wa_id\":\"" C1 "\",\"value\":\"stop\",\"category\":\"other\"},"
	    "{\"wa_id\":\"+" C1 "\",\"value\":\"stop\"},"
	    "{\"wa_id\":\"" C2 "\",\"value\":\"stop\"}, 7]}}]}]}", &b, 5);
	expect_ignored(&b.ev[0], "signup");
	expect_ignored(&b.ev[1], "stop");
	expect_ignored(&b.ev[2], "stop");
	assert_string_equal(cbw_wh_kind_name(b.ev[3].kind), "optout");
	assert_string_equal(b.ev[3].from, C2);
	assert_string_equal(b.ev[3].phone_number_id, "");
	expect_ignored(&b.ev[4], "");
	cbw_wh_batch_free(&b);
}

/* Champ inconnu : un IGNORED portant le nom du champ ; champs inconnus partout. */
static void
test_unknown_field(void **state)
{
	struct cbw_wh_batch	 b;

	(void)state;
	parse_fixture("unknown_field.json", &b, 1);
	expect_ignored(&b.ev[0], "account_update");
	cbw_wh_batch_free(&b);
	parse_str("{\"object\":\"whatsapp_business_account\",\"x\":[1,{}],"
	    "\"entry\":[{\"y\":null,\"changes\":[{\"field\":\"messages\",\"z\":1,"
	    "\"value\":{\"w\":{\"a\":[]},\"statuses\":[{\"id\":\"w1\",\"status\":"
	    "\"read\",\"new\":{\"deep\":[true,false,null]}}]}}]}]}", &b, 1);
	expect_status_pn(&b.ev[0], "", CBW_WH_READ, "w1", "", 0, "read");
	cbw_wh_batch_free(&b);
}

/* Objet autre que « whatsapp_business_account » : CBW_EINVAL, lot vide. */
static void
test_not_waba(void **state)
{
	struct cbw_wh_batch	 b;
	size_t			 len;
	char			*s = load("not_waba.json", &len);

	(void)state;
	assert_int_equal(cbw_wh_parse(s, len, &b), CBW_EINVAL);
	assert_null(b.ev);
	assert_int_equal(b.n, 0);
	free(s);
	cbw_wh_batch_free(&b);
}

/* « STOP » et « ARRÊT » reçus : messages texte gardés tels quels, mots reconnus. */
static void
test_stop_fixtures(void **state)
{
	struct cbw_wh_batch	 b;

	(void)state;
	parse_fixture("stop_text.json", &b, 1);
	expect_msg(&b.ev[0], CBW_WH_TEXT, C1, IN("0012"), "", 1767227000,
	    "  Stop  ", "text");
	assert_true(cbw_wh_is_stop_word(b.ev[0].text));
	cbw_wh_batch_free(&b);
	parse_fixture("arret_accent.json", &b, 1);
	expect_msg(&b.ev[0], CBW_WH_TEXT, C2, IN("0013"), "", 1767227100,
	    "ARR\xc3\x8aT", "text");
	assert_true(cbw_wh_is_stop_word(b.ev[0].text));
	cbw_wh_batch_free(&b);
}

/*
 * Remplace chaque \uXXXX non ASCII (paires comprises) de s par son UTF-8 :
 * forme « brute » du même corps. Rend un tampon à libérer.
 */
static char *
unescape(const char *s, size_t *olen)
{
	size_t		 n = strlen(s), i = 0, o = 0;
	char		*out = malloc(n + 1);
	unsigned long	 cp, lo;

	assert_non_null(out);
	while (i < n) {
		if (s[i] == '\\' && s[i + 1] == 'u' &&
		    (cp = strtoul((char[5]){ s[i + 2], s[i + 3], s[i + 4], s[i + 5],
		    0 }, NULL, 16)) >= 0x80) {
			i += 6;
			if (cp >= 0xd800 && cp <= 0xdbff) {
				assert_true(s[i] == '\\' && s[i + 1] == 'u');
				lo = strtoul((char[5]){ s[i + 2], s[i + 3], s[i + 4],
				    s[i + 5], 0 }, NULL, 16);
				i += 6;
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
			}
			if (cp < 0x800) {
				out[o++] = (char)(0xc0 | (cp >> 6));
			} else if (cp < 0x10000) {
				out[o++] = (char)(0xe0 | (cp >> 12));
				out[o++] = (char)(0x80 | ((cp >> 6) & 0x3f));
			} else {
				out[o++] = (char)(0xf0 | (cp >> 18));
				out[o++] = (char)(0x80 | ((cp >> 12) & 0x3f));
				out[o++] = (char)(0x80 | ((cp >> 6) & 0x3f));
			}
			out[o++] = (char)(0x80 | (cp & 0x3f));
			continue;
		}
		out[o++] = s[i++];
	}
	out[o] = '\0';
	*olen = o;
	return out;
}

/* Texte non ASCII écrit en \uXXXX (comme Meta) et le même en UTF-8 brut. */
static void
test_non_ascii(void **state)
{
	static const char want[] = "Tr\xc3\xa8s int\xc3\xa9ress\xc3\xa9" "e "
	    "\xf0\x9f\x98\x8a, \xc3\xa0 bient\xc3\xb4t !";
	struct cbw_wh_batch	 b;
	size_t			 len, rlen;
	char			*s = load("non_ascii.json", &len), *raw;

	(void)state;
	parse_fixture("non_ascii.json", &b, 1);
	expect_msg(&b.ev[0], CBW_WH_TEXT, C3, IN("0014"), "", 1767227200, want,
	    "text");
	cbw_wh_batch_free(&b);
	raw = unescape(s, &rlen);
	assert_true(rlen < len);
	assert_non_null(strstr(raw, "In\xc3\xa8s"));
	assert_int_equal(cbw_wh_parse(raw, rlen, &b), CBW_OK);
	assert_int_equal(b.n, 1);
	assert_string_equal(b.ev[0].text, want);
	cbw_wh_batch_free(&b);
	free(raw);
	free(s);
}

/* Poignée de main GET. */
static void
test_verify(void **state)
{
	char	 big[300];

	(void)state;
	assert_int_equal(cbw_wh_verify("subscribe", "jeton-42", "1158201444",
	    "jeton-42"), CBW_OK);
	assert_int_equal(cbw_wh_verify("subscribe", "jeton-42", "abc_DEF-9.x",
	    "jeton-42"), CBW_OK);
	/* Mode. */
	assert_int_equal(cbw_wh_verify("unsubscribe", "jeton-42", "1", "jeton-42"),
	    CBW_EDENIED);
	assert_int_equal(cbw_wh_verify("Subscribe", "jeton-42", "1", "jeton-42"),
	    CBW_EDENIED);
	assert_int_equal(cbw_wh_verify("", "jeton-42", "1", "jeton-42"),
	    CBW_EDENIED);
	assert_int_equal(cbw_wh_verify(NULL, "jeton-42", "1", "jeton-42"),
	    CBW_EDENIED);
	/* Jeton. */
	assert_int_equal(cbw_wh_verify("subscribe", "jeton-43", "1", "jeton-42"),
	    CBW_EDENIED);
	assert_int_equal(cbw_wh_verify("subscribe", "jeton-4", "1", "jeton-42"),
	    CBW_EDENIED);
	assert_int_equal(cbw_wh_verify("subscribe", "jeton-420", "1", "jeton-42"),
	    CBW_EDENIED);
	assert_int_equal(cbw_wh_verify("subscribe", "JETON-42", "1", "jeton-42"),
	    CBW_EDENIED);
	assert_int_equal(cbw_wh_verify("subscribe", "", "1", "jeton-42"),
	    CBW_EDENIED);
	assert_int_equal(cbw_wh_verify("subscribe", NULL, "1", "jeton-42"),
	    CBW_EDENIED);
	/* Jeton configuré vide ou absent : toujours refusé. */
	assert_int_equal(cbw_wh_verify("subscribe", "", "1", ""), CBW_EDENIED);
	assert_int_equal(cbw_wh_verify("subscribe", "x", "1", ""), CBW_EDENIED);
	assert_int_equal(cbw_wh_verify("subscribe", "", "1", NULL), CBW_EDENIED);
	/* Challenge absent, vide, avec espace ou trop long. */
	assert_int_equal(cbw_wh_verify("subscribe", "t", NULL, "t"), CBW_EDENIED);
	assert_int_equal(cbw_wh_verify("subscribe", "t", "", "t"), CBW_EDENIED);
	assert_int_equal(cbw_wh_verify("subscribe", "t", "a b", "t"), CBW_EDENIED);
	assert_int_equal(cbw_wh_verify("subscribe", "t", "<x>\n", "t"),
	    CBW_EDENIED);
	memset(big, '7', sizeof(big));
	big[256] = '\0';
	assert_int_equal(cbw_wh_verify("subscribe", "t", big, "t"), CBW_OK);
	big[256] = '7';
	big[257] = '\0';
	assert_int_equal(cbw_wh_verify("subscribe", "t", big, "t"), CBW_EDENIED);
}

/* Rend « sha256= » + HMAC-SHA256(secret, s) dans out (72 octets). */
static void
sign(const char *secret, const char *s, size_t n, char out[72])
{
	char	 hex[CBW_SHA256_HEX];

	assert_int_equal(cbw_crypto_hmac_hex(secret, strlen(secret), s, n, hex),
	    CBW_OK);
	assert_int_equal(snprintf(out, 72, "sha256=%s", hex), 71);
}

/* En-tête X-Hub-Signature-256 : forme, casse, longueur, valeur. */
static void
test_signature_header(void **state)
{
	static const char body[] = "{\"object\":\"whatsapp_business_account\","
	    "\"entry\":[]}";
	static const char good[] = "sha256=dec6a680679a968e7e0319355b23599cbfc5"
	    "4502c0784668e9618baa0c633756";
	char	 h[160], s[72];
	size_t	 n = sizeof(body) - 1, i;

	(void)state;
	/* Vecteurs de la référence (§3.2). */
	assert_int_equal(cbw_wh_signature_ok("test", 4, "sha256=0329a06b62cd16b3"
	    "3eb6792be8c60b158d89a2ee3a876fce9a881ebb488c0914", "secret"), CBW_OK);
	assert_int_equal(cbw_wh_signature_ok(body, n, good, SECRET), CBW_OK);
	/* Hexadécimal majuscule (ou mêlé) accepté. */
	memcpy(h, good, sizeof(good));
	for (i = 7; h[i] != '\0'; i++)
		h[i] = (char)(h[i] >= 'a' && h[i] <= 'f' ? h[i] - 32 : h[i]);
	assert_int_equal(cbw_wh_signature_ok(body, n, h, SECRET), CBW_OK);
	h[8] = 'e';
	assert_int_equal(cbw_wh_signature_ok(body, n, h, SECRET), CBW_OK);
	/* Mauvaise valeur : un chiffre changé, autre secret, autre corps. */
	memcpy(h, good, sizeof(good));
	h[70] = h[70] == '6' ? '7' : '6';
	assert_int_equal(cbw_wh_signature_ok(body, n, h, SECRET), CBW_EDENIED);
	assert_int_equal(cbw_wh_signature_ok(body, n, good, "test_app_secreT"),
	    CBW_EDENIED);
	assert_int_equal(cbw_wh_signature_ok(body, n - 1, good, SECRET),
	    CBW_EDENIED);
	/* Absente, vide, secret vide ou absent, corps NULL. */
	assert_int_equal(cbw_wh_signature_ok(body, n, NULL, SECRET), CBW_EDENIED);
	assert_int_equal(cbw_wh_signature_ok(body, n, "", SECRET), CBW_EDENIED);
	assert_int_equal(cbw_wh_signature_ok(body, n, good, ""), CBW_EDENIED);
	assert_int_equal(cbw_wh_signature_ok(body, n, good, NULL), CBW_EDENIED);
	assert_int_equal(cbw_wh_signature_ok(NULL, n, good, SECRET), CBW_EDENIED);
	sign(SECRET, "", 0, s);
	assert_int_equal(cbw_wh_signature_ok(NULL, 0, s, SECRET), CBW_OK);
	assert_int_equal(cbw_wh_signature_ok("", 0, s, SECRET), CBW_OK);
	/* Préfixe absent, autre, en majuscules, précédé d'un blanc. */
	assert_int_equal(cbw_wh_signature_ok(body, n, good + 7, SECRET),
	    CBW_EDENIED);
	assert_int_equal(snprintf(h, sizeof(h), "sha1=%s", good + 7), 69);
	assert_int_equal(cbw_wh_signature_ok(body, n, h, SECRET), CBW_EDENIED);
	assert_int_equal(snprintf(h, sizeof(h), "SHA256=%s", good + 7), 71);
	assert_int_equal(cbw_wh_signature_ok(body, n, h, SECRET), CBW_EDENIED);
	assert_int_equal(snprintf(h, sizeof(h), " %s", good), 72);
	assert_int_equal(cbw_wh_signature_ok(body, n, h, SECRET), CBW_EDENIED);
	assert_int_equal(cbw_wh_signature_ok(body, n, "sha256=", SECRET),
	    CBW_EDENIED);
	/* Longueur : 63, 65 chiffres, blanc ou saut de ligne final. */
	assert_int_equal(snprintf(h, sizeof(h), "%.70s", good), 70);
	assert_int_equal(cbw_wh_signature_ok(body, n, h, SECRET), CBW_EDENIED);
	assert_int_equal(snprintf(h, sizeof(h), "%s0", good), 72);
	assert_int_equal(cbw_wh_signature_ok(body, n, h, SECRET), CBW_EDENIED);
	assert_int_equal(snprintf(h, sizeof(h), "%s ", good), 72);
	assert_int_equal(cbw_wh_signature_ok(body, n, h, SECRET), CBW_EDENIED);
	assert_int_equal(snprintf(h, sizeof(h), "%s\n", good), 72);
	assert_int_equal(cbw_wh_signature_ok(body, n, h, SECRET), CBW_EDENIED);
	/* Caractère non hexadécimal. */
	memcpy(h, good, sizeof(good));
	h[20] = 'g';
	assert_int_equal(cbw_wh_signature_ok(body, n, h, SECRET), CBW_EDENIED);
	/* Deux signatures concaténées (en-tête répété). */
	assert_int_equal(snprintf(h, sizeof(h), "%s,%s", good, good), 143);
	assert_int_equal(cbw_wh_signature_ok(body, n, h, SECRET), CBW_EDENIED);
}

/* Corps non ASCII : brut, échappé, et repli sur la forme échappée. */
static void
test_signature_unicode(void **state)
{
	static const char emoji_raw[] = "{\"b\":\"a\xf0\x9f\x98\x8a\xc3\xa9\xe2"
	    "\x82\xac\"}";
	static const char emoji_esc[] = "{\"b\":\"a\\ud83d\\ude0a\\u00e9\\u20ac\"}";
	static const char emoji_up[] = "{\"b\":\"a\\uD83D\\uDE0A\\u00E9\\u20AC\"}";
	char		 s[72], *fix, *raw;
	size_t		 flen, rlen;

	(void)state;
	/* Vecteurs de la référence (§3.2). */
	assert_int_equal(cbw_wh_signature_ok(CAFE_ESC, strlen(CAFE_ESC),
	    CAFE_ESC_SIG, SECRET), CBW_OK);
	assert_int_equal(cbw_wh_signature_ok(CAFE_RAW, strlen(CAFE_RAW),
	    CAFE_RAW_SIG, SECRET), CBW_OK);
	/* Corps brut signé sous sa forme échappée : repli accepté. */
	assert_int_equal(cbw_wh_signature_ok(CAFE_RAW, strlen(CAFE_RAW),
	    CAFE_ESC_SIG, SECRET), CBW_OK);
	/* Corps ASCII : pas de repli vers une forme « dés-échappée ». */
	assert_int_equal(cbw_wh_signature_ok(CAFE_ESC, strlen(CAFE_ESC),
	    CAFE_RAW_SIG, SECRET), CBW_EDENIED);
	/* Paires de substitution, hexadécimal minuscule seulement. */
	sign(SECRET, emoji_esc, strlen(emoji_esc), s);
	assert_int_equal(cbw_wh_signature_ok(emoji_raw, strlen(emoji_raw), s,
	    SECRET), CBW_OK);
	assert_int_equal(cbw_wh_signature_ok(emoji_esc, strlen(emoji_esc), s,
	    SECRET), CBW_OK);
	sign(SECRET, emoji_up, strlen(emoji_up), s);
	assert_int_equal(cbw_wh_signature_ok(emoji_raw, strlen(emoji_raw), s,
	    SECRET), CBW_EDENIED);
	sign(SECRET, emoji_raw, strlen(emoji_raw), s);
	assert_int_equal(cbw_wh_signature_ok(emoji_raw, strlen(emoji_raw), s,
	    SECRET), CBW_OK);
	/* UTF-8 invalide : seule la signature brute peut convenir. */
	sign(SECRET, "{\"b\":\"\xff\"}", 9, s);
	assert_int_equal(cbw_wh_signature_ok("{\"b\":\"\xff\"}", 9, s, SECRET),
	    CBW_OK);
	sign(SECRET, "{\"b\":\"\\u00ff\"}", 14, s);
	assert_int_equal(cbw_wh_signature_ok("{\"b\":\"\xff\"}", 9, s, SECRET),
	    CBW_EDENIED);
	/* Une vraie notification : signée échappée, reçue brute ou échappée. */
	fix = load("non_ascii.json", &flen);
	raw = unescape(fix, &rlen);
	sign(SECRET, fix, flen, s);
	assert_int_equal(cbw_wh_signature_ok(fix, flen, s, SECRET), CBW_OK);
	assert_int_equal(cbw_wh_signature_ok(raw, rlen, s, SECRET), CBW_OK);
	assert_int_equal(cbw_wh_signature_ok(raw, rlen, s, "autre"), CBW_EDENIED);
	sign(SECRET, raw, rlen, s);
	assert_int_equal(cbw_wh_signature_ok(raw, rlen, s, SECRET), CBW_OK);
	assert_int_equal(cbw_wh_signature_ok(fix, flen, s, SECRET), CBW_EDENIED);
	free(raw);
	free(fix);
}

/* JSON invalide ou mauvaise forme de tête : CBW_EINVAL, lot vide. */
static void
test_invalid(void **state)
{
	static const char *const bad[] = {
		"",
		" ",
		"{",
		"null",
		"[]",
		"123",
		"\"whatsapp_business_account\"",
		"{\"object\":\"whatsapp_business_account\",\"entry\":[]}x",
		"{\"object\":\"whatsapp_business_account\",\"entry\":[]}}",
		"{\"object\":\"whatsapp_business_account\",\"entry\":[]}{}",
		"{\"object\":\"whatsapp_business_account\",\"entry\":[{\"changes\":[",
		"{\"object\":\"whatsapp_business_account\",\"entry\":[{\"chan",
		"{\"object\":\"whatsapp_business_account\",\"entry\":[],}",
		"{\"object\":\"whatsapp_business_account\",\"entry\":[1,]}",
		"{'object':'whatsapp_business_account','entry':[]}",
		"{\"object\":\"whatsapp_business_account\",\"entry\":[NaN]}",
		"{\"object\":\"whatsapp_business_account\",\"entry\":[01]}",
		"{\"object\":\"whatsapp_business_account\",\"entry\":[\"\\x\"]}",
		"{\"object\":\"whatsapp_business_account\",\"entry\":[\"\t\"]}",
		"{\"object\":\"whatsapp_business_account\",\"entry\":[]/**/}",
		"{\"object\":\"whatsapp_business_account\"}",
		"{\"object\":\"whatsapp_business_account\",\"entry\":{}}",
		"{\"object\":\"whatsapp_business_account\",\"entry\":\"[]\"}",
		"{\"object\":\"whatsapp_business_account\",\"entry\":\"1\"}",
		"{\"object\":\"whatsapp_business_account\",\"entry\":123}",
		"{\"object\":\"whatsapp_business_account\",\"entry\":null}",
		"{\"entry\":[]}",
		"{\"object\":123,\"entry\":[]}",
		"{\"object\":\"WHATSAPP_BUSINESS_ACCOUNT\",\"entry\":[]}",
		"{\"object\":\"whatsapp_business_account \",\"entry\":[]}",
		"{\"object\":[\"whatsapp_business_account\"],\"entry\":[]}",
	};
	static const char nul[] = "{\"object\":\"whatsapp_business_account\","
	    "\"entry\":[]}\0";
	struct cbw_wh_batch	 b;
	struct cbw_buf		 deep;
	size_t			 i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		b.n = 99;
		if (cbw_wh_parse(bad[i], strlen(bad[i]), &b) != CBW_EINVAL)
			fail_msg("accepté à tort : %s", bad[i]);
		assert_null(b.ev);
		assert_int_equal(b.n, 0);
	}
	assert_int_equal(cbw_wh_parse(nul, sizeof(nul) - 1, &b), CBW_EINVAL);
	assert_int_equal(cbw_wh_parse(NULL, 0, &b), CBW_EINVAL);
	/* Imbrication excessive. */
	cbw_buf_init(&deep);
	cbw_buf_puts(&deep, "{\"object\":\"whatsapp_business_account\",\"entry\":[");
	for (i = 0; i < 200; i++)
		cbw_buf_putc(&deep, '[');
	for (i = 0; i < 200; i++)
		cbw_buf_putc(&deep, ']');
	cbw_buf_puts(&deep, "]}");
	assert_false(deep.oom);
	assert_int_equal(cbw_wh_parse(deep.data, deep.len, &b), CBW_EINVAL);
	cbw_buf_free(&deep);
	/* Le minimum valide : aucun événement. */
	parse_str("{\"object\":\"whatsapp_business_account\",\"entry\":[]}", &b, 0);
	cbw_wh_batch_free(&b);
	parse_str(" \n{\"entry\":[],\"object\":\"whatsapp_business_account\"}\r\n",
	    &b, 0);
	cbw_wh_batch_free(&b);
}

/* Éléments mal formés sous entry[] : IGNORED, le reste est lu. */
static void
test_malformed_elements(void **state)
{
	struct cbw_wh_batch	 b;

	(void)state;
	parse_str("{\"object\":\"whatsapp_business_account\",\"entry\":[\"1\",{},"
	    "{\"changes\":{}},{\"changes\":[1,{},{\"field\":\"messages\"},"
	    "{\"field\":7,\"value\":{}},{\"field\":\"messages\",\"value\":"
	    "{\"statuses\":{},\"messages\":\"x\",\"errors\":[{\"code\":130429,"
	    "\"title\":\"Rate limit hit\"}]}},{\"field\":\"messages\",\"value\":"
	    "{\"statuses\":[{\"id\":\"ok\",\"status\":\"sent\",\"recipient_id\":\""
	    C1 "\"}]}}]}]}", &b, 11);
	expect_ignored(&b.ev[0], "");		/* "1" */
	expect_ignored(&b.ev[1], "");		/* {} sans changes */
	expect_ignored(&b.ev[2], "");		/* changes n'est pas un tableau */
	expect_ignored(&b.ev[3], "");		/* 1 */
	expect_ignored(&b.ev[4], "");		/* {} sans field */
	expect_ignored(&b.ev[5], "messages");	/* sans value */
	expect_ignored(&b.ev[6], "");		/* field non textuel */
	expect_ignored(&b.ev[7], "statuses");
	expect_ignored(&b.ev[8], "messages");
	expect_ignored(&b.ev[9], "errors");
	assert_int_equal(b.ev[9].error_code, 130429);
	assert_string_equal(b.ev[9].error_text, "Rate limit hit");
	expect_status_pn(&b.ev[10], "", CBW_WH_SENT, "ok", C1, 0, "sent");
	cbw_wh_batch_free(&b);
}

/* Statuts mal formés ou inconnus ; numéros ; horodatages. */
static void
test_status_edge(void **state)
{
	struct cbw_wh_batch	 b;

	(void)state;
	parse_str(ENV("\"statuses\":["
	    "{\"id\":\"w1\",\"status\":\"deleted\",\"recipient_id\":\"" C1 "\"},"
	    "{\"status\":\"read\",\"recipient_id\":\"" C1 "\"},"
	    "{\"id\":\"\",\"status\":\"read\"},"
	    "{\"id\":\"w a\",\"status\":\"read\"},"
	    "{\"id\":17,\"status\":\"read\"},"
	    "{\"id\":\"w2\",\"status\":\"read\",\"recipient_id\":\"+" C1 "\"},"
	    "{\"id\":\"w3\",\"status\":\"read\",\"recipient_id\":\"33 612\"},"
	    "{\"id\":\"w4\",\"status\":\"read\",\"recipient_id\":33612345678},"
	    "{\"id\":\"w5\",\"status\":\"read\",\"recipient_id\":\"\"},"
	    "{\"id\":\"w6\",\"status\":\"read\",\"recipient_id\":"
	    "\"123456789012345678901\"},"
	    "{\"id\":\"w7\",\"status\":\"READ\"},"
	    "{\"id\":\"w8\"},"
	    "{\"id\":\"w9\",\"status\":\"read\",\"recipient_id\":null},"
	    "[]"
	    "]"), &b, 14);
	expect_ignored(&b.ev[0], "deleted");
	assert_string_equal(b.ev[0].wamid, "w1");
	expect_ignored(&b.ev[1], "read");
	expect_ignored(&b.ev[2], "read");
	expect_ignored(&b.ev[3], "read");
	expect_ignored(&b.ev[4], "read");
	expect_ignored(&b.ev[5], "read");
	expect_ignored(&b.ev[6], "read");
	expect_ignored(&b.ev[7], "read");
	expect_ignored(&b.ev[8], "read");
	expect_ignored(&b.ev[9], "read");
	expect_ignored(&b.ev[10], "READ");
	expect_ignored(&b.ev[11], "");
	expect_status(&b.ev[12], CBW_WH_READ, "w9", "", 0, "read");
	expect_ignored(&b.ev[13], "");
	cbw_wh_batch_free(&b);
	/* Horodatages : chaîne ou entier ; négatif, décimal ou autre → 0. */
	parse_str(ENV("\"statuses\":["
	    "{\"id\":\"t1\",\"status\":\"sent\",\"timestamp\":1767225000},"
	    "{\"id\":\"t2\",\"status\":\"sent\",\"timestamp\":\"0001767225000\"},"
	    "{\"id\":\"t3\",\"status\":\"sent\",\"timestamp\":\"-5\"},"
	    "{\"id\":\"t4\",\"status\":\"sent\",\"timestamp\":-5},"
	    "{\"id\":\"t5\",\"status\":\"sent\",\"timestamp\":\"12x\"},"
	    "{\"id\":\"t6\",\"status\":\"sent\",\"timestamp\":1.5e9},"
	    "{\"id\":\"t7\",\"status\":\"sent\",\"timestamp\":\" 12\"},"
	    "{\"id\":\"t8\",\"status\":\"sent\",\"timestamp\":\"+12\"},"
	    "{\"id\":\"t9\",\"status\":\"sent\",\"timestamp\":\"\"},"
	    "{\"id\":\"t10\",\"status\":\"sent\",\"timestamp\":"
	    "\"99999999999999999999999\"},"
	    "{\"id\":\"t11\",\"status\":\"sent\",\"timestamp\":"
	    "99999999999999999999999},"
	    "{\"id\":\"t12\",\"status\":\"sent\",\"timestamp\":\"253402300800\"},"
	    "{\"id\":\"t13\",\"status\":\"sent\",\"timestamp\":true},"
	    "{\"id\":\"t14\",\"status\":\"sent\",\"timestamp\":\"12\\u0000\"},"
	    "{\"id\":\"t15\",\"status\":\"sent\",\"timestamp\":\"0\"}"
	    "]"), &b, 15);
	assert_int_equal(b.ev[0].timestamp, 1767225000);
	assert_int_equal(b.ev[1].timestamp, 1767225000);
	assert_int_equal(b.ev[2].timestamp, 0);
	assert_int_equal(b.ev[3].timestamp, 0);
	assert_int_equal(b.ev[4].timestamp, 0);
	assert_int_equal(b.ev[5].timestamp, 0);
	assert_int_equal(b.ev[6].timestamp, 0);
	assert_int_equal(b.ev[7].timestamp, 0);
	assert_int_equal(b.ev[8].timestamp, 0);
	assert_int_equal(b.ev[9].timestamp, 0);
	assert_int_equal(b.ev[10].timestamp, 0);
	assert_int_equal(b.ev[11].timestamp, 0);
	assert_int_equal(b.ev[12].timestamp, 0);
	assert_int_equal(b.ev[13].timestamp, 0);
	assert_int_equal(b.ev[14].timestamp, 0);
	cbw_wh_batch_free(&b);
}

/* Messages mal formés : from, id, type, contacts[]. */
static void
test_message_edge(void **state)
{
	struct cbw_wh_batch	 b;

	(void)state;
	parse_str(ENV("\"contacts\":[{\"wa_id\":\"" C2 "\"}],\"messages\":["
	    "{\"id\":\"m1\",\"type\":\"text\",\"text\":{\"body\":\"sans from\"}},"
	    "{\"from\":\"33a\",\"id\":\"m2\",\"type\":\"text\",\"text\":{\"body\":\"x\"}},"
	    "{\"from\":33612345678,\"id\":\"m3\",\"type\":\"text\",\"text\":{\"body\":\"x\"}},"
	    "{\"from\":\"" C1 "\",\"type\":\"text\",\"text\":{\"body\":\"x\"}},"
	    "{\"from\":\"" C1 "\",\"id\":\"m5\",\"text\":{\"body\":\"x\"}},"
	    "{\"from\":\"" C1 "\",\"id\":\"m6\",\"type\":\"text\"},"
	    "{\"from\":\"" C1 "\",\"id\":\"m7\",\"type\":\"text\",\"text\":{\"body\":5}},"
	    "{\"from\":\"" C1 "\",\"id\":\"m8\",\"type\":\"reaction\"},"
	    "{\"from\":\"" C1 "\",\"id\":\"m9\",\"type\":\"text\",\"text\":{\"body\":\"\"},"
	    "\"context\":{\"id\":\"bad id\"}},"
	    "null"
	    "]"), &b, 10);
	expect_msg(&b.ev[0], CBW_WH_TEXT, C2, "m1", "", 0, "sans from", "text");
	expect_ignored(&b.ev[1], "text");
	expect_ignored(&b.ev[2], "text");
	expect_ignored(&b.ev[3], "text");
	expect_ignored(&b.ev[4], "");
	expect_ignored(&b.ev[5], "text");
	expect_ignored(&b.ev[6], "text");
	expect_ignored(&b.ev[7], "reaction");
	expect_msg(&b.ev[8], CBW_WH_TEXT, C1, "m9", "", 0, "", "text");
	expect_ignored(&b.ev[9], "");
	cbw_wh_batch_free(&b);
	/* Plusieurs contacts : pas de repli pour « from ». */
	parse_str(ENV("\"contacts\":[{\"wa_id\":\"" C1 "\"},{\"wa_id\":\"" C2 "\"}],"
	    "\"messages\":[{\"id\":\"m1\",\"type\":\"text\",\"text\":{\"body\":\"x\"}}]"),
	    &b, 1);
	expect_ignored(&b.ev[0], "text");
	cbw_wh_batch_free(&b);
}

/* NUL intérieur (\u0000) : refusé dans un nom, remplacé par un espace dans un texte. */
static void
test_embedded_nul(void **state)
{
	static const char root[] = "{\"object\":\"whatsapp_business_account"
	    "\\u0000\",\"entry\":[]}";
	struct cbw_wh_batch	 b;

	(void)state;
	assert_int_equal(cbw_wh_parse(root, strlen(root), &b), CBW_EINVAL);
	parse_str(ENV("\"statuses\":[{\"id\":\"w1\",\"status\":\"read\\u0000x\"},"
	    "{\"id\":\"w\\u00002\",\"status\":\"read\"}]"), &b, 2);
	expect_ignored(&b.ev[0], "");
	expect_ignored(&b.ev[1], "read");
	cbw_wh_batch_free(&b);
	parse_str(MSG("\"type\":\"text\\u0000\",\"text\":{\"body\":\"a\"}"),
	    &b, 1);
	expect_ignored(&b.ev[0], "");
	cbw_wh_batch_free(&b);
	parse_str(MSG("\"type\":\"text\",\"text\":{\"body\":\"a\\u0000b\"}"),
	    &b, 1);
	expect_msg(&b.ev[0], CBW_WH_TEXT, C1, IN("0100"), "", 1767225600, "a b",
	    "text");
	cbw_wh_batch_free(&b);
	parse_str("{\"object\":\"whatsapp_business_account\",\"entry\":[{"
	    "\"changes\":[{\"field\":\"messages\\u0000\",\"value\":{}}]}]}",
	    &b, 1);
	expect_ignored(&b.ev[0], "");
	cbw_wh_batch_free(&b);
}

/*
 * Copies bornées : texte long tronqué sans couper de caractère, contrôles
 * remplacés, identifiant trop long refusé, type_name tronqué.
 */
static void
test_bounds(void **state)
{
	struct cbw_wh_batch	 b;
	struct cbw_buf		 s;
	size_t			 i;

	(void)state;
	cbw_buf_init(&s);
	cbw_buf_puts(&s, "{\"object\":\"whatsapp_business_account\",\"entry\":[{"
	    "\"changes\":[{\"field\":\"messages\",\"value\":{\"messages\":[{\"from\":"
	    "\"" C1 "\",\"id\":\"m1\",\"type\":\"text\",\"text\":{\"body\":\"a");
	for (i = 0; i < 300; i++)
		cbw_buf_puts(&s, "\\ud83d\\ude0a");
	cbw_buf_puts(&s, "\"}},{\"from\":\"" C1 "\",\"id\":\"m2\",\"type\":\"text\","
	    "\"text\":{\"body\":\"");
	for (i = 0; i < 600; i++)
		cbw_buf_puts(&s, "\xc3\xa9");
	cbw_buf_puts(&s, "\"}},{\"from\":\"" C1 "\",\"id\":\"m3\",\"type\":\"text\","
	    "\"text\":{\"body\":\"l1\\nl2\\tx\\r\\u0000y\\u0007\x7f\xff\"}},"
	    "{\"from\":\"" C1 "\",\"id\":\"");
	for (i = 0; i < 160; i++)
		cbw_buf_putc(&s, 'w');
	cbw_buf_puts(&s, "\",\"type\":\"text\",\"text\":{\"body\":\"x\"}},"
	    "{\"from\":\"" C1 "\",\"id\":\"");
	for (i = 0; i < 159; i++)
		cbw_buf_putc(&s, 'w');
	cbw_buf_puts(&s, "\",\"type\":\"a_very_long_message_type_name_from_the_future\"}"
	    "]}}]}]}");
	assert_false(s.oom);
	parse_str(s.data, &b, 5);
	assert_int_equal(strlen(b.ev[0].text), 1 + 4 * 255);
	assert_true(cbw_valid_utf8(b.ev[0].text, strlen(b.ev[0].text)));
	assert_int_equal(strlen(b.ev[1].text), 2 * 511);
	assert_true(cbw_valid_utf8(b.ev[1].text, strlen(b.ev[1].text)));
	assert_string_equal(b.ev[2].text, "l1\nl2\tx  y  ?");
	expect_ignored(&b.ev[3], "text");
	expect_ignored(&b.ev[4], "a_very_long_message_type_name_f");
	assert_int_equal(strlen(b.ev[4].message_id), 159);
	cbw_wh_batch_free(&b);
	cbw_buf_free(&s);
}

/* Construit une notification de n statuts (horodatages chaîne et entier alternés). */
static void
build_statuses(struct cbw_buf *s, size_t n)
{
	static const char *const st[] = { "sent", "delivered", "read", "failed" };
	size_t	 i;

	cbw_buf_reset(s);
	cbw_buf_puts(s, "{\"object\":\"whatsapp_business_account\",\"entry\":[{"
	    "\"id\":\"200000000000001\",\"changes\":[{\"field\":\"messages\","
	    "\"value\":{\"messaging_product\":\"whatsapp\",\"metadata\":{"
	    "\"display_phone_number\":\"15550000001\",\"phone_number_id\":\""
	    PNID "\"},\"statuses\":[");
	for (i = 0; i < n; i++)
		cbw_buf_printf(s, "%s{\"id\":\"wamid.BATCH%05zu\",\"status\":\"%s\","
		    "\"timestamp\":%s%zu%s,\"recipient_id\":\"336%08zu\"}",
		    i == 0 ? "" : ",", i, st[i % 4], i % 2 ? "\"" : "",
		    (size_t)1767225000 + i, i % 2 ? "\"" : "", i);
	cbw_buf_puts(s, "]}}]}]}");
	assert_false(s->oom);
}

/* 1 000 statuts dans une notification ; limite de 10 000 événements. */
static void
test_batch_1000(void **state)
{
	struct cbw_wh_batch	 b;
	struct cbw_buf		 s;
	char			 w[32], r[32];
	size_t			 i;

	(void)state;
	cbw_buf_init(&s);
	build_statuses(&s, 1000);
	parse_str(s.data, &b, 1000);
	for (i = 0; i < 1000; i++) {
		assert_int_equal(snprintf(w, sizeof(w), "wamid.BATCH%05zu", i), 16);
		assert_int_equal(snprintf(r, sizeof(r), "336%08zu", i), 11);
		expect_status(&b.ev[i], (enum cbw_wh_status)(i % 4), w, r,
		    (time_t)(1767225000 + i), cbw_wh_status_name(i % 4));
	}
	cbw_wh_batch_free(&b);
	build_statuses(&s, 10000);
	parse_str(s.data, &b, 10000);
	cbw_wh_batch_free(&b);
	build_statuses(&s, 10001);
	assert_int_equal(cbw_wh_parse(s.data, s.len, &b), CBW_EINVAL);
	assert_null(b.ev);
	assert_int_equal(b.n, 0);
	cbw_buf_free(&s);
}

/* Taille : 3 Mo (maximum annoncé par Meta) accepté, 5 Mio refusés. */
static void
test_body_size(void **state)
{
	struct cbw_wh_batch	 b;
	struct cbw_buf		 s;
	size_t			 i;

	(void)state;
	cbw_buf_init(&s);
	cbw_buf_puts(&s, "{\"object\":\"whatsapp_business_account\",\"entry\":"
	    "[{\"changes\":[{\"field\":\"messages\",\"value\":{\"messages\":[{"
	    "\"from\":\"" C1 "\",\"id\":\"m1\",\"type\":\"text\",\"text\":{"
	    "\"body\":\"");
	for (i = 0; i < 3000000; i++)
		cbw_buf_putc(&s, (char)('a' + i % 26));
	cbw_buf_puts(&s, "\"}}]}}]}]}");
	assert_false(s.oom);
	parse_str(s.data, &b, 1);
	assert_int_equal(strlen(b.ev[0].text), 1023);
	assert_memory_equal(b.ev[0].text, "abcdefghijklmnopqrstuvwxyzabc", 29);
	cbw_wh_batch_free(&b);
	while (s.len < 5 * 1024 * 1024)
		cbw_buf_putc(&s, ' ');
	assert_false(s.oom);
	assert_int_equal(cbw_wh_parse(s.data, s.len, &b), CBW_EINVAL);
	cbw_buf_free(&s);
}

/* Mots de désabonnement : table de cas positifs et négatifs. */
static void
test_stop_words(void **state)
{
	static const char *const yes[] = {
		"STOP", "stop", "Stop", "sToP", "  Stop  ", "\tSTOP\r\n",
		"ARRET", "arret", "ARR\xc3\x8aT", "arr\xc3\xaat", " arr\xc3\xaat ",
		"Arr\xc3\xaat\n", "ARRE\xcc\x82T", "DESABONNER", "desabonner",
		"D\xc3\x89SABONNER", "D\xc3\xa9sabonner", "d\xc3\xa9sabonner",
		"UNSUBSCRIBE", "unsubscribe", "Unsubscribe",
		"\xc2\xa0stop\xc2\xa0", "\xe2\x80\xafSTOP\xe2\x80\xaf",
	};
	static const char *const no[] = {
		"", " ", "\t\n", "stop please", "STOP!", "stop.", "!stop", "STOP ?",
		"s t o p", "st op", "stopp", "sto", "arr\xc3\xaate", "arreter",
		"d\xc3\xa9sabonnement", "unsubscribe me", "STOP STOP", "non",
		"\xf0\x9f\x98\x8a", "stop\xf0\x9f\x98\x8a", "st\xc2\xa0op",
		"stop\xff", "\xff", "0stop", "stop1", "stop-", "'stop'",
		"\"STOP\"", "STOP_PROMOS", "halt", "quit", "fin",
		"STOP\xc3\x97", "d\xc3\xa9sinscrire",
	};
	size_t	 i;

	(void)state;
	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		if (!cbw_wh_is_stop_word(yes[i]))
			fail_msg("mot d'arrêt non reconnu : « %s »", yes[i]);
	for (i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		if (cbw_wh_is_stop_word(no[i]))
			fail_msg("reconnu à tort : « %s »", no[i]);
	assert_false(cbw_wh_is_stop_word(NULL));
}

/* Noms stables, « ? » hors de l'énumération. */
static void
test_names(void **state)
{
	(void)state;
	assert_string_equal(cbw_wh_kind_name(CBW_WH_STATUS), "status");
	assert_string_equal(cbw_wh_kind_name(CBW_WH_MESSAGE), "message");
	assert_string_equal(cbw_wh_kind_name(CBW_WH_OPTOUT), "optout");
	assert_string_equal(cbw_wh_kind_name(CBW_WH_OPTIN), "optin");
	assert_string_equal(cbw_wh_kind_name(CBW_WH_IGNORED), "ignored");
	assert_string_equal(cbw_wh_kind_name(CBW_WH_KIND__MAX), "?");
	assert_string_equal(cbw_wh_kind_name((enum cbw_wh_kind)-1), "?");
	assert_string_equal(cbw_wh_status_name(CBW_WH_STATUS__MAX), "?");
	assert_string_equal(cbw_wh_status_name((enum cbw_wh_status)-1), "?");
	assert_string_equal(cbw_wh_msgtype_name(CBW_WH_MSGTYPE__MAX), "?");
	assert_string_equal(cbw_wh_msgtype_name((enum cbw_wh_msgtype)-1), "?");
}

/* Rend 1 si le champ tient dans son tableau (NUL présent) et est de l'UTF-8 valide. */
static int
field_ok(const char *f, size_t cap)
{
	const char	*z = memchr(f, '\0', cap);

	return z != NULL && cbw_valid_utf8(f, (size_t)(z - f));
}

/* Invariants d'un lot lu avec succès. */
static void
check_batch(const struct cbw_wh_batch *b)
{
	const struct cbw_wh_event	*e;
	size_t				 i;

	assert_true(b->n <= b->cap);
	assert_true(b->n == 0 || b->ev != NULL);
	for (i = 0; i < b->n; i++) {
		e = &b->ev[i];
		assert_true((int)e->kind >= 0 && e->kind < CBW_WH_KIND__MAX);
		assert_true(field_ok(e->phone_number_id, sizeof(e->phone_number_id)));
		assert_true(field_ok(e->wamid, sizeof(e->wamid)));
		assert_true(field_ok(e->recipient, sizeof(e->recipient)));
		assert_true(field_ok(e->error_text, sizeof(e->error_text)));
		assert_true(field_ok(e->from, sizeof(e->from)));
		assert_true(field_ok(e->message_id, sizeof(e->message_id)));
		assert_true(field_ok(e->context_id, sizeof(e->context_id)));
		assert_true(field_ok(e->text, sizeof(e->text)));
		assert_true(field_ok(e->type_name, sizeof(e->type_name)));
		assert_true(e->timestamp >= 0);
		assert_true(e->error_code >= 0);
		if (e->kind == CBW_WH_STATUS) {
			assert_true((int)e->status >= 0 &&
			    e->status < CBW_WH_STATUS__MAX);
			assert_true(e->wamid[0] != '\0');
			assert_int_equal(strspn(e->recipient, "0123456789"),
			    strlen(e->recipient));
		}
		if (e->kind == CBW_WH_MESSAGE) {
			assert_true((int)e->msgtype >= 0 &&
			    e->msgtype < CBW_WH_MSGTYPE__MAX);
			assert_true(e->message_id[0] != '\0');
		}
		if (e->kind == CBW_WH_MESSAGE || e->kind == CBW_WH_OPTIN ||
		    e->kind == CBW_WH_OPTOUT) {
			assert_true(e->from[0] != '\0');
			assert_int_equal(strspn(e->from, "0123456789"),
			    strlen(e->from));
		}
		(void)cbw_wh_is_stop_word(e->text);
	}
}

/*
 * Propriété : un corps signé dont un octet change ne vérifie plus (403),
 * que la signature porte sur le corps brut ou sur sa forme échappée ; un
 * chiffre changé de la signature non plus.
 */
static void
test_prop_signature(void **state)
{
	char		*body, *raw, *m, s[72], h[72];
	size_t		 len, rlen, it, pos, k;
	const char	*secret;
	unsigned char	 c;

	(void)state;
	cbw_t_seed();
	for (it = 0; it < 300; it++) {
		body = load(fixtures[cbw_t_below(NFIXTURES)], &len);
		raw = unescape(body, &rlen);
		secret = it % 3 == 0 ? "s" : "un secret d'application assez long";
		/* Signé sur la forme échappée (Meta), reçu brut ou échappé. */
		sign(secret, body, len, s);
		m = it % 2 ? raw : body;
		k = it % 2 ? rlen : len;
		assert_int_equal(cbw_wh_signature_ok(m, k, s, secret), CBW_OK);
		pos = cbw_t_below(k);
		c = (unsigned char)m[pos];
		m[pos] = (char)(c ^ (1 + cbw_t_below(255)));
		if (cbw_wh_signature_ok(m, k, s, secret) != CBW_EDENIED)
			fail_msg("octet %zu muté accepté (itération %zu)", pos, it);
		m[pos] = (char)c;
		/* Octet retiré ou ajouté. */
		assert_int_equal(cbw_wh_signature_ok(m, k - 1, s, secret),
		    CBW_EDENIED);
		/* Un chiffre de la signature changé (autre valeur, pas la casse). */
		memcpy(h, s, sizeof(h));
		pos = 7 + cbw_t_below(64);
		h[pos] = h[pos] == '0' ? '1' + (char)cbw_t_below(9) : '0';
		assert_int_equal(cbw_wh_signature_ok(m, k, h, secret), CBW_EDENIED);
		free(raw);
		free(body);
	}
}

/*
 * Remplace la première valeur scalaire (chaîne ou nombre) qui suit un
 * « ": » à partir de pos par une valeur JSON d'un autre genre tirée au
 * hasard, si m (n octets, capacité cap) a la place. Rend la nouvelle
 * longueur.
 */
static size_t
swap_scalar(char *m, size_t n, size_t cap, size_t pos)
{
	static const char *const vals[] = {
		"null", "0", "-1", "1.5", "true", "{}", "[]", "\"\"", "\"x\"",
		"[1,\"a\"]", "{\"a\":1}", "\"-12\"", "\"33612345678\"",
		"99999999999999999999", "\"\\u0000\"", "\"\\ud83d\"",
	};
	const char	*k, *v;
	size_t		 q, e, vl;

	if ((k = memmem(m + pos, n - pos, "\":", 2)) == NULL)
		return n;
	q = (size_t)(k - m) + 2;
	while (q < n && m[q] == ' ')
		q++;
	if (q >= n)
		return n;
	e = q + 1;
	if (m[q] == '"') {
		while (e < n && m[e] != '"')
			e += m[e] == '\\' ? 2 : 1;
		if (e >= n)
			return n;
		e++;
	} else if (m[q] == '-' || (m[q] >= '0' && m[q] <= '9')) {
		while (e < n && strchr("0123456789.eE+-", m[e]) != NULL)
			e++;
	} else
		return n;
	v = vals[cbw_t_below(sizeof(vals) / sizeof(vals[0]))];
	vl = strlen(v);
	if (n - (e - q) + vl > cap)
		return n;
	memmove(m + q + vl, m + e, n - e);
	memcpy(m + q, v, vl);
	return n - (e - q) + vl;
}

/*
 * Propriété : le JSON d'une notification valide, muté au hasard (octets
 * remplacés, retirés, insérés, tranche dupliquée, valeur remplacée par
 * une autre d'un autre type), donne CBW_OK (avec des
 * événements cohérents) ou CBW_EINVAL, jamais autre chose ni un plantage.
 */
static void
test_prop_mutations(void **state)
{
	static const char alphabet[] = "{}[]\":,0123456789-.eEtrufalsn \\u"
	    "abcdef\xc3\xa9\xf0\x9f\xff";
	struct cbw_wh_batch	 b;
	char			*body, *m;
	size_t			 len, n, it, j, nmut, pos, a, l;
	enum cbw_err		 er;
	size_t			 ok = 0, inval = 0;

	(void)state;
	cbw_t_seed();
	for (it = 0; it < 1000; it++) {
		body = load(fixtures[cbw_t_below(NFIXTURES)], &len);
		m = malloc(2 * len + 16);
		assert_non_null(m);
		memcpy(m, body, len);
		n = len;
		nmut = 1 + cbw_t_below(4);
		for (j = 0; j < nmut && n > 0; j++) {
			pos = cbw_t_below(n);
			switch (it % 3 == 0 ? 4 : cbw_t_below(6)) {
			case 0:
				m[pos] = (char)cbw_t_below(256);
				break;
			case 1:
				m[pos] = alphabet[cbw_t_below(sizeof(alphabet) - 1)];
				break;
			case 2:
				memmove(m + pos, m + pos + 1, n - pos - 1);
				n--;
				break;
			case 3:
				if (n + 1 > 2 * len + 16)
					break;
				memmove(m + pos + 1, m + pos, n - pos);
				m[pos] = alphabet[cbw_t_below(sizeof(alphabet) - 1)];
				n++;
				break;
			case 4:
				n = swap_scalar(m, n, 2 * len + 16, pos);
				break;
			default:
				a = cbw_t_below(n);
				l = cbw_t_below(n - a < 64 ? n - a : 64) + 1;
				if (n + l > 2 * len + 16)
					break;
				memmove(m + pos + l, m + pos, n - pos);
				memmove(m + pos, m + (a >= pos ? a + l : a), l);
				n += l;
				break;
			}
		}
		b.n = 12345;
		er = cbw_wh_parse(m, n, &b);
		if (er == CBW_OK) {
			check_batch(&b);
			ok++;
		} else {
			if (er != CBW_EINVAL)
				fail_msg("code %d inattendu (itération %zu)", er, it);
			assert_null(b.ev);
			assert_int_equal(b.n, 0);
			inval++;
		}
		cbw_wh_batch_free(&b);
		free(m);
		free(body);
	}
	printf("mutations : %zu lues, %zu refusées\n", ok, inval);
	assert_true(ok > 0 && inval > 0);
}

/* Toutes les fixtures : lues sans erreur (sauf not_waba) et cohérentes. */
static void
test_all_fixtures(void **state)
{
	struct cbw_wh_batch	 b;
	size_t			 i, len;
	char			*s;

	(void)state;
	for (i = 0; i < NFIXTURES; i++) {
		s = load(fixtures[i], &len);
		if (strcmp(fixtures[i], "not_waba.json") == 0)
			assert_int_equal(cbw_wh_parse(s, len, &b), CBW_EINVAL);
		else {
			assert_int_equal(cbw_wh_parse(s, len, &b), CBW_OK);
			assert_true(b.n >= 1);
			check_batch(&b);
		}
		cbw_wh_batch_free(&b);
		free(s);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_text_with_context),
		cmocka_unit_test(test_reaction),
		cmocka_unit_test(test_button),
		cmocka_unit_test(test_interactive),
		cmocka_unit_test(test_other_kinds),
		cmocka_unit_test(test_unknown_message_type),
		cmocka_unit_test(test_status_simple),
		cmocka_unit_test(test_status_failed),
		cmocka_unit_test(test_statuses_batch),
		cmocka_unit_test(test_mixed),
		cmocka_unit_test(test_user_preferences),
		cmocka_unit_test(test_unknown_field),
		cmocka_unit_test(test_not_waba),
		cmocka_unit_test(test_stop_fixtures),
		cmocka_unit_test(test_non_ascii),
		cmocka_unit_test(test_all_fixtures),
		cmocka_unit_test(test_verify),
		cmocka_unit_test(test_signature_header),
		cmocka_unit_test(test_signature_unicode),
		cmocka_unit_test(test_invalid),
		cmocka_unit_test(test_malformed_elements),
		cmocka_unit_test(test_status_edge),
		cmocka_unit_test(test_message_edge),
		cmocka_unit_test(test_embedded_nul),
		cmocka_unit_test(test_bounds),
		cmocka_unit_test(test_batch_1000),
		cmocka_unit_test(test_body_size),
		cmocka_unit_test(test_stop_words),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_prop_signature),
		cmocka_unit_test(test_prop_mutations),
	};

	return cmocka_run_group_tests_name("webhook", tests, NULL, NULL);
}
