/*
 * chatbot-whatsapp-admin seed : données réalistes (contacts, catégories,
 * campagnes, messages aux statuts variés, réponses, désabonnements) pour
 * les mesures et les démonstrations, en une transaction.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "campaign.h"
#include "clock.h"
#include "config.h"
#include "contact.h"
#include "db.h"
#include "log.h"
#include "phone.h"
#include "seed.h"
#include "user.h"
#include "valid.h"
#include "whatsapp.h"

/* Rappel de l'usage de la sous-commande seed sur stderr. */
static void
usage(void)
{
	fprintf(stderr, "usage : chatbot-whatsapp-admin seed --messages N "
	    "--admin E [--campaigns K] [--days D]\n");
}

/* --- seed : données réalistes pour les mesures et les démonstrations ----- */

#define SEED_MAX_MESSAGES	10000000LL
#define SEED_MAX_CAMPAIGNS	100000LL

static const char *const seed_first[] = { "Marie", "Jean", "Camille", "Lucas",
	"Léa", "Hugo", "Chloé", "Louis", "Manon", "Gabriel", "Inès", "Jules",
	"Sarah", "Arthur", "Zoé", "Raphaël", "Emma", "Théo", "Juliette", "Nathan",
	"Clémence", "Mathis", "Anaïs", "Étienne", "Océane", "François", "Maëlle",
	"Noé", "Héloïse", "Benoît" };
static const char *const seed_last[] = { "Martin", "Bernard", "Dubois",
	"Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau",
	"Simon", "Laurent", "Lefèvre", "Michel", "Garcia", "David", "Bertrand",
	"Roux", "Vincent", "Fournier", "Morel", "Girard", "André", "Lefebvre",
	"Mercier", "Dupont", "Lambert", "Bonnet", "François", "Martinez" };
static const char *const seed_cats[] = { "Clients fidèles", "Prospects",
	"Newsletter", "Salon Lyon 2026", "VIP", "Anciens clients" };
static const char *const seed_names[] = { "Soldes d'hiver", "Nouvelle "
	"collection", "Invitation au salon", "Relance panier", "Offre de "
	"bienvenue", "Journées portes ouvertes", "Fête des mères", "Rentrée",
	"Black Friday", "Vœux de fin d'année" };
static const char *const seed_replies[] = { "Oui, merci !", "Ça m'intéresse",
	"C'est combien ?", "Je passe samedi", "Merci pour l'info",
	"Pouvez-vous me rappeler ?", "Super, à bientôt" };
static const char *const seed_reactions[] = { "👍", "❤️", "😀" };
static const long long seed_codes[] = { 131026, 131026, 131026, 131047,
	131049, 131051, 131000, 131056 };

/* Générateur pseudo-aléatoire (splitmix64) à graine fixe : même jeu à
 * chaque appel. Rend un entier dans [0, n), 0 si n vaut 0. */
static unsigned long long seed_state = 0x5eed2026ULL;
static long long
seed_below(long long n)
{
	unsigned long long	 z;

	seed_state += 0x9e3779b97f4a7c15ULL;
	z = seed_state;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	z ^= z >> 31;
	return n > 0 ? (long long)(z % (unsigned long long)n) : 0;
}

#define SEED_PICK(a)	((a)[seed_below((long long)(sizeof(a) / sizeof((a)[0])))])

/* Lit un entier positif borné (strtoll, texte entier) ; rend 1 si valide. */
static int
seed_number(const char *s, long long min, long long max, long long *out)
{
	char		*end;
	long long	 v;

	if (s == NULL || *s == '\0')
		return 0;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return 0;
	*out = v;
	return 1;
}

/*
 * Déclencheurs d'ajout et index secondaires suspendus pendant le
 * remplissage : les agrégats sont refaits en bloc (seed_aggregates), les
 * index reconstruits une fois, triés, au lieu d'être tenus ligne à ligne
 * (trois fois plus rapide pour un million de messages).
 */
static const struct {
	const char	*type, *name, *drop;
} seed_suspended[] = {
	{ "trigger", "messages_counts_ai", "DROP TRIGGER messages_counts_ai" },
	{ "trigger", "msgstats_ai_status", "DROP TRIGGER msgstats_ai_status" },
	{ "trigger", "msgstats_ai_hourly", "DROP TRIGGER msgstats_ai_hourly" },
	{ "trigger", "msgstats_interaction_ai",
	    "DROP TRIGGER msgstats_interaction_ai" },
	{ "index", "idx_messages_campaign", "DROP INDEX idx_messages_campaign" },
	{ "index", "idx_messages_owner_status_day",
	    "DROP INDEX idx_messages_owner_status_day" },
	{ "index", "idx_messages_due", "DROP INDEX idx_messages_due" },
	{ "index", "idx_messages_sent_at", "DROP INDEX idx_messages_sent_at" },
	{ "index", "idx_messages_sending", "DROP INDEX idx_messages_sending" },
	{ "index", "idx_messages_retry", "DROP INDEX idx_messages_retry" },
	{ "index", "idx_messages_owner", "DROP INDEX idx_messages_owner" },
	{ "index", "idx_messages_owner_status",
	    "DROP INDEX idx_messages_owner_status" },
	{ "index", "idx_messages_owner_type", "DROP INDEX idx_messages_owner_type" },
	{ "index", "idx_messages_owner_day", "DROP INDEX idx_messages_owner_day" },
	{ "index", "idx_messages_contact", "DROP INDEX idx_messages_contact" },
	{ "index", "idx_interactions_campaign",
	    "DROP INDEX idx_interactions_campaign" },
	{ "index", "idx_interactions_contact", "DROP INDEX idx_interactions_contact" },
	{ "index", "idx_interactions_message", "DROP INDEX idx_interactions_message" },
};
#define SEED_NTRIG	(sizeof(seed_suspended) / sizeof(seed_suspended[0]))

/*
 * Dans la transaction : lit le texte des déclencheurs et index suspendus
 * (sql[i], à libérer ; NULL s'il n'existe pas) puis les supprime. Rend
 * CBW_OK ou l'erreur de base.
 */
static enum cbw_err
seed_drop_triggers(struct cbw_db *db, char **sql)
{
	size_t		 i;
	enum cbw_err	 er;

	for (i = 0; i < SEED_NTRIG; i++) {
		if ((er = cbw_db_query_text(db, &sql[i], "SELECT sql FROM "
		    "sqlite_master WHERE type = ? AND name = ?", "ss",
		    seed_suspended[i].type, seed_suspended[i].name)) ==
		    CBW_ENOTFOUND)
			continue;
		if (er != CBW_OK ||
		    (er = cbw_db_exec(db, seed_suspended[i].drop, "")) != CBW_OK)
			return er;
	}
	return CBW_OK;
}

/*
 * Fait en bloc, pour les campagnes [first, last], le travail des
 * déclencheurs suspendus : compteurs des campagnes, msg_status_counts,
 * msg_hourly (mêmes définitions que 0006_message_stats.sql). Rend CBW_OK
 * ou l'erreur de base.
 */
static enum cbw_err
seed_aggregates(struct cbw_db *db, long long first, long long last)
{
	enum cbw_err	 er;

	if ((er = cbw_db_exec(db, "UPDATE campaigns SET total_recipients = "
	    "c.m1, sent_count = c.done, success_count = c.ok, failed_count = "
	    "c.failed, interaction_count = c.replies FROM (SELECT m.campaign_id "
	    "AS id, sum(m.message_type = 'message_1') AS m1, sum(m.message_type "
	    "= 'message_1' AND m.status IN ('sent', 'delivered', 'read', "
	    "'failed')) AS done, sum(m.message_type = 'message_1' AND m.status "
	    "IN ('sent', 'delivered', 'read')) AS ok, sum(m.message_type = "
	    "'message_1' AND m.status = 'failed') AS failed, (SELECT count(*) "
	    "FROM interactions i WHERE i.campaign_id = m.campaign_id AND "
	    "i.interaction_type IN ('reply', 'reaction')) AS replies FROM "
	    "messages m WHERE m.campaign_id BETWEEN ?1 AND ?2 GROUP BY "
	    "m.campaign_id) c WHERE campaigns.id = c.id", "ii", first,
	    last)) != CBW_OK)
		return er;
	if ((er = cbw_db_exec(db, "INSERT INTO msg_status_counts(owner_id, "
	    "campaign_id, message_type, status, n) SELECT k.created_by, "
	    "m.campaign_id, m.message_type, m.status, count(*) FROM messages m "
	    "JOIN campaigns k ON k.id = m.campaign_id WHERE m.campaign_id "
	    "BETWEEN ?1 AND ?2 GROUP BY 1, 2, 3, 4 ON CONFLICT DO UPDATE SET "
	    "n = n + excluded.n", "ii", first, last)) != CBW_OK)
		return er;
	return cbw_db_exec(db, "INSERT INTO msg_hourly(owner_id, hour, "
	    "campaign_id, sent, delivered, read, failed, replies) SELECT "
	    "k.created_by, e.hour, e.campaign_id, sum(e.kind = 1), sum(e.kind = "
	    "2), sum(e.kind = 3), sum(e.kind = 4), sum(e.kind = 5) FROM ("
	    "SELECT campaign_id, substr(sent_at, 1, 13) AS hour, 1 AS kind FROM "
	    "messages WHERE campaign_id BETWEEN ?1 AND ?2 AND sent_at IS NOT NULL "
	    "UNION ALL SELECT campaign_id, substr(delivered_at, 1, 13), 2 FROM "
	    "messages WHERE campaign_id BETWEEN ?1 AND ?2 AND delivered_at IS NOT "
	    "NULL UNION ALL SELECT campaign_id, substr(read_at, 1, 13), 3 FROM "
	    "messages WHERE campaign_id BETWEEN ?1 AND ?2 AND read_at IS NOT NULL "
	    "UNION ALL SELECT campaign_id, substr(failed_at, 1, 13), 4 FROM "
	    "messages WHERE campaign_id BETWEEN ?1 AND ?2 AND status = 'failed' "
	    "AND failed_at IS NOT NULL UNION ALL SELECT campaign_id, "
	    "substr(received_at, 1, 13), 5 FROM interactions WHERE campaign_id "
	    "BETWEEN ?1 AND ?2 AND interaction_type IN ('reply', 'reaction')) e "
	    "JOIN campaigns k ON k.id = e.campaign_id WHERE true GROUP BY 1, 2, 3 "
	    "ON CONFLICT DO UPDATE SET sent = sent + excluded.sent, delivered = "
	    "delivered + excluded.delivered, read = read + excluded.read, failed "
	    "= failed + excluded.failed, replies = replies + excluded.replies",
	    "ii", first, last);
}

/* Paramètres et compteurs du remplissage. */
struct seed {
	struct cbw_db	*db;
	long long	 owner, messages, campaigns, days;
	time_t		 now;
	long long	 ncontacts, *contacts;	/* ids des contacts créés */
	const char	**first, **last;	/* prénom et nom de chacun */
	long long	 done, replies, optouts, failed;
	struct cbw_stmt	*msg, *inter;
	struct cbw_buf	 text;
};

/*
 * Crée les catégories (celles qui existent déjà sont reprises) et
 * s->ncontacts contacts au +33 6, noms français, 1 % désinscrits, chacun
 * dans une ou deux catégories. Rend CBW_OK ou l'erreur de base.
 */
static enum cbw_err
seed_contacts(struct seed *s, long long *cats)
{
	struct cbw_stmt		*ins = NULL, *link = NULL;
	struct cbw_phone	 ph;
	struct cbw_buf		 key;
	char			 num[32], now[32], opt[32];
	long long		 i, n = 0, base = seed_below(100000000LL), id;
	size_t			 c;
	enum cbw_err		 er = CBW_OK;

	cbw_buf_init(&key);
	cbw_time_iso(s->now, now, sizeof(now));
	for (c = 0; c < sizeof(seed_cats) / sizeof(seed_cats[0]); c++)
		if ((er = cbw_db_exec(s->db, "INSERT OR IGNORE INTO categories("
		    "name, color, created_by, created_at, updated_at) VALUES (?, "
		    "'#25d366', ?, ?, ?)", "siss", seed_cats[c], s->owner, now,
		    now)) != CBW_OK || (er = cbw_db_query_int(s->db, &cats[c],
		    "SELECT id FROM categories WHERE created_by = ? AND name = ?",
		    "is", s->owner, seed_cats[c])) != CBW_OK)
			goto out;
	if ((er = cbw_db_prepare(s->db, "INSERT OR IGNORE INTO contacts("
	    "phone_number, country_code, full_number, first_name, last_name, "
	    "search_key, opted_out_at, created_by, created_at, updated_at) "
	    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", &ins)) != CBW_OK ||
	    (er = cbw_db_prepare(s->db, "INSERT OR IGNORE INTO "
	    "category_contacts(category_id, contact_id, added_at) VALUES (?, ?, "
	    "?)", &link)) != CBW_OK)
		goto out;
	for (i = 0; i < s->ncontacts; i++) {
		/* 7919 premier avec 10^8 : numéros tous différents. */
		snprintf(num, sizeof(num), "+336%08lld",
		    (base + i * 7919) % 100000000LL);
		if (cbw_phone_parse(num, NULL, &ph, NULL) != CBW_OK)
			continue;
		s->first[n] = SEED_PICK(seed_first);
		s->last[n] = SEED_PICK(seed_last);
		cbw_buf_reset(&key);
		if ((er = cbw_contact_search_key(&key, s->first[n], s->last[n],
		    &ph)) != CBW_OK)
			goto out;
		opt[0] = '\0';
		if (seed_below(100) == 0) {
			cbw_time_iso(s->now - (time_t)seed_below(s->days * 86400),
			    opt, sizeof(opt));
			s->optouts++;
		}
		if ((er = cbw_db_run(ins, "sssssssiss", ph.national,
		    ph.country_code, ph.full, s->first[n], s->last[n],
		    cbw_buf_str(&key), opt[0] ? opt : NULL, s->owner, now,
		    now)) != CBW_OK)
			goto out;
		if (cbw_db_changes(s->db) == 0) {	/* numéro déjà chez lui */
			if (opt[0])
				s->optouts--;
			continue;
		}
		id = cbw_db_last_id(s->db);
		s->contacts[n++] = id;
		if ((er = cbw_db_run(link, "iis", cats[seed_below(6)], id,
		    now)) != CBW_OK || (seed_below(3) == 0 && (er = cbw_db_run(link,
		    "iis", cats[seed_below(6)], id, now)) != CBW_OK))
			goto out;
	}
	s->ncontacts = n;
out:
	if (ins != NULL)
		cbw_db_done(ins);
	if (link != NULL)
		cbw_db_done(link);
	cbw_buf_free(&key);
	return er;
}

/* Horodatage ISO d'un instant, jamais dans le futur. */
static void
seed_iso(const struct seed *s, time_t t, char *out, size_t len)
{
	cbw_time_iso(t > s->now ? s->now : t, out, len);
}

/*
 * Une réponse (ou réaction) au message `mid` du contact de rang ci, vu à
 * `seen` ; si la campagne a un Message 2 et que room > 0, ce Message 2,
 * distribué (*m2made à 1). Rend CBW_OK ou l'erreur de base.
 */
static enum cbw_err
seed_reply(struct seed *s, long long camp, long long ci, long long mid,
    time_t seen, const char *m2, long long room, int *m2made)
{
	char		 when[32], sent[32], dlv[32], wamid[64];
	int		 reaction = seed_below(100) < 15;
	time_t		 t = seen + 60 + (time_t)seed_below(7200);
	enum cbw_err	 er;

	*m2made = 0;
	if (t > s->now)
		return CBW_OK;
	seed_iso(s, t, when, sizeof(when));
	snprintf(wamid, sizeof(wamid), "wamid.seedin.%lld.%lld", camp, ci);
	if ((er = cbw_db_run(s->inter, "iiissss", camp, s->contacts[ci], mid,
	    reaction ? "reaction" : "reply", reaction ? SEED_PICK(seed_reactions) :
	    SEED_PICK(seed_replies), wamid, when)) != CBW_OK)
		return er;
	s->replies++;
	if (reaction || m2 == NULL || room <= 0)
		return CBW_OK;
	seed_iso(s, t + 2, sent, sizeof(sent));
	seed_iso(s, t + 4, dlv, sizeof(dlv));
	snprintf(wamid, sizeof(wamid), "wamid.seed2.%lld.%lld", camp, ci);
	cbw_buf_reset(&s->text);
	if ((er = cbw_campaign_render(&s->text, m2, s->first[ci],
	    s->last[ci])) != CBW_OK ||
	    (er = cbw_db_run(s->msg, "iissssnssiissssssi", camp,
	    s->contacts[ci], "message_2", cbw_buf_str(&s->text), "delivered",
	    wamid, NULL, NULL, 0LL, 0LL, NULL, sent, dlv, NULL, sent,
	    sent, s->owner)) != CBW_OK)
		return er;
	*m2made = 1;
	return CBW_OK;
}

/*
 * Une campagne terminée, numéro k : lancée dans la période, `count`
 * messages (Message 1 aux contacts à partir d'un rang tiré au hasard, plus
 * les Message 2 des réponses), envoyés au rythme de 80 par seconde ;
 * environ 90 % distribués ou lus, 6 % en échec avec un vrai code WhatsApp
 * et son texte français, 8 % de réponses. Rend CBW_OK ou l'erreur de base.
 */
static enum cbw_err
seed_campaign(struct seed *s, long long k, long long count,
    const long long *cats)
{
	static const char	 m1[] = "Bonjour {{first_name}}, profitez de "
				    "-20 % sur toute la boutique jusqu'à dimanche ! "
				    "Répondez STOP pour ne plus recevoir nos messages.";
	static const char	 m2t[] = "Merci {{first_name}} ! Un conseiller "
				    "vous répond très vite.";
	const char		*m2 = seed_below(10) < 7 ? m2t : NULL, *fr, *cls;
	char			 name[128], launch[32], fin[32], sent[32], dlv[32];
	char			 rd[32], wamid[64], err[512];
	long long		 camp, j, ci, start, made = 0, code, r;
	time_t			 l, ts, td, tr;
	enum cbw_wa_class	 wc;
	enum cbw_err		 er;
	int			 late, m2made;

	l = s->now - (time_t)(s->days * 86400) + (time_t)(k * s->days * 86400 /
	    s->campaigns) + (time_t)seed_below(3600);
	if (l > s->now - 7200)
		l = s->now - 7200;
	seed_iso(s, l, launch, sizeof(launch));
	seed_iso(s, l + (time_t)(count / 80) + 60, fin, sizeof(fin));
	snprintf(name, sizeof(name), "%s #%lld", SEED_PICK(seed_names), k + 1);
	if ((er = cbw_db_exec(s->db, "INSERT INTO campaigns(name, message_1, "
	    "message_2, status, created_by, launched_at, completed_at, "
	    "created_at, updated_at) VALUES (?, ?, ?, 'completed', ?, ?, ?, ?, "
	    "?)", "sssissss", name, m1, m2, s->owner, launch, fin, launch,
	    fin)) != CBW_OK)
		return er;
	camp = cbw_db_last_id(s->db);
	if ((er = cbw_db_exec(s->db, "INSERT INTO campaign_categories("
	    "campaign_id, category_id) VALUES (?, ?)", "ii", camp,
	    cats[seed_below(6)])) != CBW_OK)
		return er;
	start = seed_below(s->ncontacts);
	for (j = 0; made < count && j < s->ncontacts; j++) {
		ci = (start + j) % s->ncontacts;
		ts = l + (time_t)(j / 80);
		seed_iso(s, ts, sent, sizeof(sent));
		snprintf(wamid, sizeof(wamid), "wamid.seed.%lld.%lld", camp, ci);
		cbw_buf_reset(&s->text);
		if ((er = cbw_campaign_render(&s->text, m1, s->first[ci],
		    s->last[ci])) != CBW_OK)
			return er;
		made++;
		s->done++;
		if ((r = seed_below(1000)) < 60) {	/* échec, vrai code */
			code = SEED_PICK(seed_codes);
			wc = cbw_wa_classify(code, &fr);
			cls = wc == CBW_WA_RETRYABLE ? "retryable" :
			    wc == CBW_WA_STOP ? "stop" : "permanent";
			snprintf(err, sizeof(err), "%s (code %lld)", fr ? fr : "",
			    code);
			/* 131026 et 131047 : refusés après l'envoi (webhook). */
			late = code == 131026 || code == 131047;
			seed_iso(s, ts + (late ? 5 : 0), dlv, sizeof(dlv));
			s->failed++;
			if ((er = cbw_db_run(s->msg, "iissssissiissssssi", camp,
			    s->contacts[ci], "message_1", cbw_buf_str(&s->text),
			    "failed", late ? wamid : NULL, code, err, cls,
			    (long long)(wc == CBW_WA_RETRYABLE),
			    wc == CBW_WA_RETRYABLE ? 3LL : 0LL, dlv, late ? sent :
			    NULL, NULL, NULL, sent, sent, s->owner)) != CBW_OK)
				return er;
			continue;
		}
		td = ts + 1 + (time_t)seed_below(60);
		tr = td + 30 + (time_t)seed_below(8 * 3600);
		seed_iso(s, td, dlv, sizeof(dlv));
		seed_iso(s, tr, rd, sizeof(rd));
		if ((er = cbw_db_run(s->msg, "iissssnssiissssssi", camp,
		    s->contacts[ci], "message_1", cbw_buf_str(&s->text),
		    r < 100 ? "sent" : r < 500 ? "delivered" : "read", wamid,
		    NULL, NULL, 0LL, 0LL, NULL, sent, r < 100 ? NULL : dlv,
		    r < 500 ? NULL : rd, sent, sent, s->owner)) != CBW_OK)
			return er;
		if (r >= 100 && seed_below(100) < 8) {
			if ((er = seed_reply(s, camp, ci, cbw_db_last_id(s->db),
			    r < 500 ? td : tr, m2, count - made, &m2made)) != CBW_OK)
				return er;
			made += m2made;
			s->done += m2made;
		}
	}
	return CBW_OK;
}

/*
 * seed --messages N --admin E [--campaigns K] [--days D] : remplit la base
 * de données réalistes appartenant à l'admin E, en une transaction ; les
 * déclencheurs d'ajout de messages et d'interactions sont suspendus le
 * temps du remplissage et leur travail fait en bloc à la fin (invisible
 * des autres connexions : tout est dans la même transaction). Rend 0 si
 * tout va bien, 1 en cas d'échec, 2 si la commande est mal écrite.
 */
int
cbw_cli_seed(struct cbw_db *db, int argc, char **argv)
{
	static const struct option	 opts[] = {
		{ "messages", required_argument, NULL, 'm' },
		{ "campaigns", required_argument, NULL, 'c' },
		{ "admin", required_argument, NULL, 'a' },
		{ "days", required_argument, NULL, 'd' },
		{ NULL, 0, NULL, 0 }
	};
	struct seed			 s;
	struct timespec			 t0, t1;
	const char			*admin = NULL, *ms = NULL, *cs = NULL;
	const char			*ds = NULL;
	char				*trig[SEED_NTRIG] = { NULL };
	long long			 cats[6], per, k, first = 0, last = 0;
	size_t				 i;
	enum cbw_err			 er = CBW_OK;
	int				 c, rc = 1, tx = 0;

	memset(&s, 0, sizeof(s));
	s.db = db;
	cbw_buf_init(&s.text);
	optind = 1;
	while ((c = getopt_long(argc, argv, "m:c:a:d:", opts, NULL)) != -1) {
		if (c == 'm')
			ms = optarg;
		else if (c == 'c')
			cs = optarg;
		else if (c == 'a')
			admin = optarg;
		else if (c == 'd')
			ds = optarg;
		else {
			usage();
			rc = 2;
			goto out;
		}
	}
	s.days = 30;
	if (optind != argc || !seed_number(ms, 1, SEED_MAX_MESSAGES,
	    &s.messages) || (cs != NULL && !seed_number(cs, 1,
	    SEED_MAX_CAMPAIGNS, &s.campaigns)) || (ds != NULL &&
	    !seed_number(ds, 1, 366, &s.days))) {
		fprintf(stderr, "chatbot-whatsapp-admin : seed : --messages (1 à "
		    "%lld), --campaigns (1 à %lld) et --days (1 à 366) attendent "
		    "un nombre entier\n", SEED_MAX_MESSAGES, SEED_MAX_CAMPAIGNS);
		usage();
		rc = 2;
		goto out;
	}
	if (admin == NULL) {
		fprintf(stderr, "chatbot-whatsapp-admin : seed : --admin E est "
		    "obligatoire (les données appartiennent à ce compte)\n");
		rc = 2;
		goto out;
	}
	if ((er = cbw_db_query_int(db, &s.owner, "SELECT id FROM users WHERE "
	    "email = ?", "s", admin)) != CBW_OK) {
		if (er == CBW_ENOTFOUND) {
			fprintf(stderr, "chatbot-whatsapp-admin : aucun compte %s\n",
			    admin);
			er = CBW_OK;
		}
		goto out;
	}
	if (s.campaigns == 0)
		s.campaigns = s.messages / 1000 < 1 ? 1 : s.messages / 1000 > 1000 ?
		    1000 : s.messages / 1000;
	if (s.campaigns > s.messages)
		s.campaigns = s.messages;
	per = (s.messages + s.campaigns - 1) / s.campaigns;
	s.ncontacts = per + per / 4 + 50;
	if (s.ncontacts < s.messages / 20)
		s.ncontacts = s.messages / 20 > 100000 ? 100000 : s.messages / 20;
	if (s.ncontacts < per + per / 4 + 50)
		s.ncontacts = per + per / 4 + 50;
	if ((s.contacts = calloc((size_t)s.ncontacts, sizeof(*s.contacts))) ==
	    NULL || (s.first = calloc((size_t)s.ncontacts, sizeof(*s.first))) ==
	    NULL || (s.last = calloc((size_t)s.ncontacts, sizeof(*s.last))) ==
	    NULL) {
		fprintf(stderr, "chatbot-whatsapp-admin : mémoire insuffisante\n");
		goto out;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	s.now = cbw_now();
	if ((er = cbw_db_begin(db)) != CBW_OK)
		goto out;
	tx = 1;
	if ((er = seed_drop_triggers(db, trig)) != CBW_OK ||
	    (er = seed_contacts(&s, cats)) != CBW_OK)
		goto out;
	if (s.ncontacts < per) {
		fprintf(stderr, "chatbot-whatsapp-admin : seed : pas assez de "
		    "contacts nouveaux pour %lld messages par campagne\n", per);
		goto out;
	}
	if ((er = cbw_db_prepare(db, "INSERT INTO messages(campaign_id, "
	    "contact_id, message_type, content, status, whatsapp_message_id, "
	    "error_code, error_message, error_class, retryable, retry_count, "
	    "failed_at, sent_at, delivered_at, read_at, created_at, updated_at, "
	    "owner_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
	    "?)",
	    &s.msg)) != CBW_OK || (er = cbw_db_prepare(db, "INSERT INTO "
	    "interactions(campaign_id, contact_id, message_id, interaction_type, "
	    "content, whatsapp_message_id, received_at) VALUES (?, ?, ?, ?, ?, "
	    "?, ?)", &s.inter)) != CBW_OK)
		goto out;
	for (k = 0; k < s.campaigns && s.done < s.messages; k++) {
		per = (s.messages - s.done) / (s.campaigns - k);
		if ((er = seed_campaign(&s, k, per, cats)) != CBW_OK)
			goto out;
		/* Identifiants consécutifs : personne d'autre n'écrit. */
		if (k == 0 && (er = cbw_db_query_int(db, &first, "SELECT "
		    "max(id) FROM campaigns", "")) != CBW_OK)
			goto out;
	}
	cbw_db_done(s.msg);
	cbw_db_done(s.inter);
	s.msg = s.inter = NULL;
	/* Index d'abord (les agrégats s'en servent), déclencheurs ensuite. */
	for (i = 0; i < SEED_NTRIG; i++)
		if (trig[i] != NULL && *seed_suspended[i].type == 'i' &&
		    (er = cbw_db_exec(db, trig[i], "")) != CBW_OK)
			goto out;
	if ((er = cbw_db_query_int(db, &last, "SELECT max(id) FROM campaigns",
	    "")) != CBW_OK || (er = seed_aggregates(db, first, last)) != CBW_OK)
		goto out;
	for (i = 0; i < SEED_NTRIG; i++)
		if (trig[i] != NULL && *seed_suspended[i].type == 't' &&
		    (er = cbw_db_exec(db, trig[i], "")) != CBW_OK)
			goto out;
	if ((er = cbw_db_commit(db)) != CBW_OK)
		goto out;
	tx = 0;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("Données de démonstration pour %s : %lld messages, %lld "
	    "campagnes, %lld contacts, %lld échecs, %lld réponses, %lld "
	    "désinscriptions, en %.1f s.\n", admin, s.done, k, s.ncontacts,
	    s.failed, s.replies, s.optouts, (double)(t1.tv_sec - t0.tv_sec) +
	    (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	rc = 0;
out:
	if (s.msg != NULL)
		cbw_db_done(s.msg);
	if (s.inter != NULL)
		cbw_db_done(s.inter);
	if (tx)
		cbw_db_rollback(db);
	if (rc == 1 && er != CBW_OK)
		fprintf(stderr, "chatbot-whatsapp-admin : seed : échec (%s : %s)\n",
		    cbw_err_name(er), cbw_db_errmsg(db));
	for (i = 0; i < SEED_NTRIG; i++)
		free(trig[i]);
	free(s.contacts);
	free(s.first);
	free(s.last);
	cbw_buf_free(&s.text);
	return rc;
}
