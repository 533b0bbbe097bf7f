/*
 * Vue des statistiques de messages (voir statsview.h).
 */
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "buf.h"
#include "campaign.h"
#include "chart.h"
#include "statsview.h"

/* Courbes du graphique : clé de la série, nom, couleur, motif de trait. */
static const struct {
	const char	*key, *name, *color, *dash;
} lines[] = {
	{ "sent", "Envoyés", "#2563eb", NULL },
	{ "delivered", "Distribués", "#16a34a", "6 3" },
	{ "read", "Lus", "#7c3aed", "2 3" },
	{ "failed", "Échecs", "#dc2626", "8 3 2 3" },
	{ "replies", "Réponses", "#b45309", "12 4" },
};
#define NLINES	(sizeof(lines) / sizeof(lines[0]))

/* Parts de l'anneau : statuts additionnés, libellé, couleur. */
static const struct {
	const char	*key, *st1, *st2, *label, *color;
} parts[] = {
	{ "read", "read", NULL, "Lu", "#7c3aed" },
	{ "delivered", "delivered", NULL, "Distribué", "#16a34a" },
	{ "sent", "sent", NULL, "Envoyé", "#2563eb" },
	{ "failed", "failed", NULL, "Échec", "#dc2626" },
	{ "pending", "pending", "sending", "En attente", "#94a3b8" },
	{ "cancelled", "cancelled", NULL, "Annulé", "#475569" },
};
#define NPARTS	(sizeof(parts) / sizeof(parts[0]))

/* Plus grand nombre de jours dessinés (comme CBW_MSGSTATS_MAX_DAYS). */
#define MAXDAYS	366

/* Entier d'un champ JSON (0 s'il manque). */
static long long
get_int(struct json_object *o, const char *k)
{
	return json_object_get_int64(json_object_object_get(o, k));
}

/* « 2026-11-05 » → « 05/11/2026 » (voir statsview.h). */
void
cbw_statsview_day(const char *day, char *out, size_t len)
{
	if (day != NULL && strlen(day) == 10 && day[4] == '-' && day[7] == '-')
		snprintf(out, len, "%.2s/%.2s/%.4s", day + 8, day + 5, day);
	else
		snprintf(out, len, "%s", day != NULL ? day : "");
}

/*
 * Dessine les courbes de `series` (un objet par jour) dans out.
 * Rend CBW_OK, CBW_EINVAL (trop de jours) ou CBW_ENOMEM.
 */
static enum cbw_err
draw_line(struct json_object *series, const char *id, struct cbw_buf *out)
{
	static long long	 vals[NLINES][MAXDAYS];
	static char		 lab[MAXDAYS][8];
	const char		*xl[MAXDAYS];
	struct cbw_chart_series	 cs[NLINES];
	struct json_object	*d;
	const char		*day;
	char			 ident[64];
	size_t			 i, j, n = json_object_array_length(series);

	if (n == 0 || n > MAXDAYS)
		return CBW_EINVAL;
	for (i = 0; i < n; i++) {
		d = json_object_array_get_idx(series, i);
		day = json_object_get_string(json_object_object_get(d, "day"));
		/* Étiquette courte « JJ/MM ». */
		if (day != NULL && strlen(day) == 10)
			snprintf(lab[i], sizeof(lab[i]), "%.2s/%.2s", day + 8, day + 5);
		else
			lab[i][0] = '\0';
		xl[i] = lab[i];
		for (j = 0; j < NLINES; j++)
			vals[j][i] = get_int(d, lines[j].key);
	}
	for (j = 0; j < NLINES; j++) {
		cs[j].name = lines[j].name;
		cs[j].color = lines[j].color;
		cs[j].dash = lines[j].dash;
		cs[j].values = vals[j];
	}
	snprintf(ident, sizeof(ident), "%s-line", id);
	return cbw_chart_line(out, ident, "Activité par jour", xl, n, cs, NLINES);
}

/*
 * Dessine l'anneau de la répartition des statuts (totals) dans out et
 * ajoute à `stats` le tableau équivalent « split ». Rend CBW_OK ou
 * CBW_ENOMEM.
 */
static enum cbw_err
draw_donut(struct json_object *stats, const char *id, struct cbw_buf *out)
{
	struct json_object	*tot = json_object_object_get(stats, "totals");
	struct json_object	*split, *o;
	struct cbw_chart_slice	 sl[NPARTS];
	int			 t[NPARTS];
	char			 ident[64], pct[32];
	size_t			 i;

	for (i = 0; i < NPARTS; i++) {
		sl[i].label = parts[i].label;
		sl[i].color = parts[i].color;
		sl[i].value = get_int(tot, parts[i].st1) +
		    (parts[i].st2 != NULL ? get_int(tot, parts[i].st2) : 0);
	}
	cbw_chart_shares(sl, NPARTS, t);
	if ((split = json_object_new_array()) == NULL)
		return CBW_ENOMEM;
	for (i = 0; i < NPARTS; i++) {
		if ((o = json_object_new_object()) == NULL) {
			json_object_put(split);
			return CBW_ENOMEM;
		}
		snprintf(pct, sizeof(pct), "%d,%d\xc2\xa0%%", t[i] / 10, t[i] % 10);
		json_object_object_add(o, "key", json_object_new_string(parts[i].key));
		json_object_object_add(o, "label",
		    json_object_new_string(parts[i].label));
		json_object_object_add(o, "value", json_object_new_int64(sl[i].value));
		json_object_object_add(o, "percent_display",
		    json_object_new_string(pct));
		json_object_array_add(split, o);
	}
	json_object_object_add(stats, "split", split);
	snprintf(ident, sizeof(ident), "%s-donut", id);
	return cbw_chart_donut(out, ident, "Répartition des statuts", sl, NPARTS);
}

/* Ajoute day_display à chaque jour de la série. */
static void
days_display(struct json_object *series)
{
	struct json_object	*d;
	char			 txt[16];
	size_t			 i;

	for (i = 0; i < json_object_array_length(series); i++) {
		d = json_object_array_get_idx(series, i);
		cbw_statsview_day(json_object_get_string(json_object_object_get(d,
		    "day")), txt, sizeof(txt));
		json_object_object_add(d, "day_display", json_object_new_string(txt));
	}
}

/* Nombre groupé par milliers à la française (voir statsview.h). */
void
cbw_statsview_number(long long v, char *out, size_t len)
{
	char		 digits[32];
	size_t		 n, i, o = 0;
	const char	*sep = "\xe2\x80\xaf";	/* U+202F, espace fine insécable */

	snprintf(digits, sizeof(digits), "%lld", v);
	n = strlen(digits);
	for (i = 0; i < n && o + 4 < len; i++) {
		if (i > 0 && digits[i - 1] != '-' && (n - i) % 3 == 0) {
			memcpy(out + o, sep, 3);
			o += 3;
		}
		out[o++] = digits[i];
	}
	if (len > 0)
		out[o < len ? o : len - 1] = '\0';
}

/* Ajoute à `o` la clé k_display : l'entier `k` groupé par milliers. */
static void
put_grouped(struct json_object *o, const char *k)
{
	char	 key[64], txt[64];

	snprintf(key, sizeof(key), "%s_display", k);
	cbw_statsview_number(get_int(o, k), txt, sizeof(txt));
	json_object_object_add(o, key, json_object_new_string(txt));
}

/* Ajoute à `o` la chaîne `v` sous la clé `k`. */
static void
put_str(struct json_object *o, const char *k, const char *v)
{
	json_object_object_add(o, k, json_object_new_string(v));
}

/* Complète les statistiques pour un gabarit (voir statsview.h). */
enum cbw_err
cbw_statsview_fill(struct json_object *stats, const char *id)
{
	struct json_object	*series = json_object_object_get(stats, "series");
	struct cbw_buf		 line, donut;
	char			 txt[32];
	enum cbw_err		 er;

	if (series == NULL || !json_object_is_type(series, json_type_array) ||
	    json_object_object_get(stats, "totals") == NULL)
		return CBW_EINVAL;
	cbw_buf_init(&line);
	cbw_buf_init(&donut);
	if ((er = draw_line(series, id, &line)) != CBW_OK ||
	    (er = draw_donut(stats, id, &donut)) != CBW_OK)
		goto out;
	put_str(stats, "line_svg", cbw_buf_str(&line));
	put_str(stats, "donut_svg", cbw_buf_str(&donut));
	days_display(series);
	cbw_success_rate_text(get_int(stats, "success_count"),
	    get_int(stats, "total_recipients"), txt, sizeof(txt));
	put_str(stats, "success_rate_display", txt);
	put_grouped(stats, "total_recipients");
	put_grouped(stats, "success_count");
	put_grouped(stats, "failed_count");
	put_grouped(stats, "replies");
	cbw_statsview_day(json_object_get_string(json_object_object_get(stats,
	    "from")), txt, sizeof(txt));
	put_str(stats, "from_display", txt);
	cbw_statsview_day(json_object_get_string(json_object_object_get(stats,
	    "to")), txt, sizeof(txt));
	put_str(stats, "to_display", txt);
	json_object_object_add(stats, "has_data", json_object_new_boolean(
	    get_int(json_object_object_get(stats, "totals"), "total") > 0 ||
	    get_int(stats, "replies") > 0));
out:
	cbw_buf_free(&line);
	cbw_buf_free(&donut);
	return er;
}
