/*
 * Graphiques SVG en ligne du tableau de bord (voir chart.h).
 *
 * Les fonctions d'écriture ne testent pas chaque ajout : un échec
 * d'allocation marque le tampon (out->oom), vérifié une fois à la fin de
 * cbw_chart_line et cbw_chart_donut. Les coordonnées sont écrites en
 * dixièmes entiers (comme "%.1f" mais sans dépendre de la locale), jamais
 * NaN ni infinies. Pas de libm : sin/cos de l'anneau par série de Taylor.
 */
#include <math.h>	/* isfinite (macro, sans libm) */
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "chart.h"
#include "err.h"
#include "html.h"

#define NNBSP		"\xe2\x80\xaf"	/* U+202F, séparateur de milliers */
#define NBSP		"\xc2\xa0"	/* U+00A0, avant « % » et « : » */
#define ELLIPSIS	"\xe2\x80\xa6"	/* U+2026 « … » */
#define CHAR_W		7	/* largeur moyenne estimée d'un caractère */
#define PI		3.14159265358979323846

/* Courbes (unités du viewBox). */
#define L_W		640
#define L_LEFT		72	/* place des graduations Y */
#define L_RIGHT		24
#define L_TOP		12
#define L_PH		200	/* hauteur du tracé */
#define L_PW		(L_W - L_LEFT - L_RIGHT)
#define L_BASE		(L_TOP + L_PH)	/* axe X */
#define L_LEG		(L_BASE + 40)	/* milieu de la 1re ligne de légende */
#define L_ROW		20
#define L_MAXLAB	8	/* étiquettes X affichées au plus */
#define L_XLAB		10	/* caractères d'une étiquette X */
#define L_NAME		28	/* caractères d'un nom en légende */
#define L_MARK		31	/* marqueurs jusqu'à ce nombre de points */

/* Anneau. */
#define D_W		560
#define D_CX		130
#define D_R		92
#define D_STROKE	32
#define D_MINH		260
#define D_LEGX		270
#define D_LEGR		550	/* bord droit de la légende */
#define D_ROW		22
#define D_GREY		"#d0d5dd"

/* Position des entrées de la légende des courbes. */
struct legend {
	int	 x[CBW_CHART_MAX_SERIES];
	int	 row[CBW_CHART_MAX_SERIES];
	int	 rows;
};

/* Vrai (1) si `id` est non vide, court et fait de [a-z0-9-] ; 0 sinon. */
static int
valid_id(const char *id)
{
	size_t	 i;
	char	 c;

	if (id == NULL || id[0] == '\0')
		return 0;
	for (i = 0; (c = id[i]) != '\0'; i++)
		if (i >= CBW_CHART_MAX_ID || !((c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '-'))
			return 0;
	return 1;
}

/* Vrai (1) si `c` est un chiffre hexadécimal ; 0 sinon. */
static int
is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	    (c >= 'A' && c <= 'F');
}

/* Vrai (1) si `s` est exactement « #rrggbb » ; 0 sinon (NULL compris). */
static int
valid_color(const char *s)
{
	size_t	 i;

	if (s == NULL || s[0] != '#')
		return 0;
	for (i = 1; i < 7; i++)
		if (!is_hex(s[i]))
			return 0;
	return s[7] == '\0';
}

/*
 * Vrai (1) si `s` est NULL (trait plein) ou un motif stroke-dasharray
 * court fait de chiffres, points, virgules et espaces, avec au moins un
 * chiffre ; 0 sinon.
 */
static int
valid_dash(const char *s)
{
	size_t	 i;
	int	 digit = 0;

	if (s == NULL)
		return 1;
	for (i = 0; s[i] != '\0'; i++) {
		if (i >= CBW_CHART_MAX_DASH)
			return 0;
		if (s[i] >= '0' && s[i] <= '9')
			digit = 1;
		else if (s[i] != '.' && s[i] != ',' && s[i] != ' ')
			return 0;
	}
	return digit;
}

/* Vrai (1) si `v` est dans [0, CBW_CHART_MAX_VALUE] ; 0 sinon. */
static int
valid_value(long long v)
{
	return v >= 0 && v <= CBW_CHART_MAX_VALUE;
}

/* Nombre de caractères (points de code UTF-8) de `s`. */
static size_t
u8_len(const char *s)
{
	size_t	 i, n = 0;

	for (i = 0; s[i] != '\0'; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			n++;
	return n;
}

/* Le plus petit de `a` et `b`. */
static size_t
min_sz(size_t a, size_t b)
{
	return a < b ? a : b;
}

/*
 * Ajoute `s` échappé (cbw_html_txt), coupé à `max` caractères (≥ 1) dont
 * un « … » final s'il est trop long. Rend 1 si le texte a été coupé, 0
 * sinon ; une allocation ratée marque out->oom.
 */
static int
put_txt_max(struct cbw_buf *out, const char *s, size_t max)
{
	size_t	 i, cp = 0;

	if (max == 0)
		max = 1;
	if (u8_len(s) <= max) {
		cbw_html_txt(out, s);
		return 0;
	}
	for (i = 0; s[i] != '\0'; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80 && cp++ == max - 1)
			break;
	cbw_html_txtn(out, s, i);
	cbw_buf_puts(out, ELLIPSIS);
	return 1;
}

/* Ajoute l'entier `v` en chiffres (locale C). N'échoue pas (out->oom). */
static void
put_int(struct cbw_buf *out, long long v)
{
	char	 s[32];

	snprintf(s, sizeof(s), "%lld", v);
	cbw_buf_puts(out, s);
}

/* Nombre de chiffres de `v` (≥ 0). */
static size_t
ndigits(long long v)
{
	size_t	 n = 1;

	while (v >= 10) {
		v /= 10;
		n++;
	}
	return n;
}

/* Longueur en caractères de `v` écrit par put_grouped. */
static size_t
grouped_len(long long v)
{
	size_t	 d = ndigits(v);

	return d + (d - 1) / 3;
}

/*
 * Ajoute `v` (≥ 0) groupé par milliers avec U+202F (« 1 000 000 »).
 * N'échoue pas (out->oom).
 */
static void
put_grouped(struct cbw_buf *out, long long v)
{
	char	 s[32];
	int	 i, n;

	if ((n = snprintf(s, sizeof(s), "%lld", v)) < 0)
		return;
	for (i = 0; i < n && s[i] != '\0'; i++) {
		if (i > 0 && (n - i) % 3 == 0)
			cbw_buf_puts(out, NNBSP);
		cbw_buf_putc(out, s[i]);
	}
}

/*
 * Ajoute un pourcentage donné en dixièmes, à la française : « 12,5 % »
 * (U+00A0 avant %). N'échoue pas (out->oom).
 */
static void
put_pct(struct cbw_buf *out, int tenths)
{
	char	 s[32];

	snprintf(s, sizeof(s), "%d,%d" NBSP "%%", tenths / 10, tenths % 10);
	cbw_buf_puts(out, s);
}

/*
 * Écrit dans `s` la coordonnée `v` à une décimale (« 12.5 », point
 * décimal quelle que soit la locale). Une valeur non finie ou hors de
 * ±10^6 vaut 0 : jamais de NaN ni d'infini dans la sortie.
 */
static void
fmt_coord(char *s, size_t n, double v)
{
	long long	 t;

	if (!isfinite(v) || v < -1e6 || v > 1e6)
		v = 0;
	t = (long long)(v * 10 + (v < 0 ? -0.5 : 0.5));
	snprintf(s, n, "%s%lld.%lld", t < 0 ? "-" : "", (t < 0 ? -t : t) / 10,
	    (t < 0 ? -t : t) % 10);
}

/* Ajoute la coordonnée `v` (voir fmt_coord). N'échoue pas (out->oom). */
static void
put_coord(struct cbw_buf *out, double v)
{
	char	 s[32];

	fmt_coord(s, sizeof(s), v);
	cbw_buf_puts(out, s);
}

/* Ajoute l'attribut ` name="v"` (coordonnée). N'échoue pas (out->oom). */
static void
put_at(struct cbw_buf *out, const char *name, double v)
{
	cbw_buf_putc(out, ' ');
	cbw_buf_puts(out, name);
	cbw_buf_puts(out, "=\"");
	put_coord(out, v);
	cbw_buf_putc(out, '"');
}

/*
 * Ajoute les attributs x1, y1, x2, y2 d'un segment. N'échoue pas
 * (out->oom).
 */
static void
put_seg(struct cbw_buf *out, double x1, double y1, double x2, double y2)
{
	put_at(out, "x1", x1);
	put_at(out, "y1", y1);
	put_at(out, "x2", x2);
	put_at(out, "y2", y2);
}

/*
 * Ajoute ` stroke="#rrggbb"` puis ` stroke-dasharray="…"` si `dash` n'est
 * pas NULL (valeurs déjà vérifiées). N'échoue pas (out->oom).
 */
static void
put_stroke(struct cbw_buf *out, const char *color, const char *dash)
{
	cbw_buf_puts(out, " stroke=\"");
	cbw_buf_puts(out, color);
	cbw_buf_putc(out, '"');
	if (dash != NULL) {
		cbw_buf_puts(out, " stroke-dasharray=\"");
		cbw_buf_puts(out, dash);
		cbw_buf_putc(out, '"');
	}
}

/*
 * Ouvre le <svg> (viewBox 0 0 w h, role, aria-labelledby, classe
 * « chart `cls` »), écrit <title id="ID-title"> puis ouvre
 * <desc id="ID-desc"> que l'appelant remplit et ferme. N'échoue pas
 * (out->oom).
 */
static void
svg_open(struct cbw_buf *out, const char *id, const char *title,
    const char *cls, int w, int h)
{
	char	 vb[64];

	snprintf(vb, sizeof(vb), "0 0 %d %d", w, h);
	cbw_buf_puts(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" "
	    "viewBox=\"");
	cbw_buf_puts(out, vb);
	cbw_buf_puts(out, "\" role=\"img\" aria-labelledby=\"");
	cbw_buf_puts(out, id);
	cbw_buf_puts(out, "-title ");
	cbw_buf_puts(out, id);
	cbw_buf_puts(out, "-desc\" class=\"chart ");
	cbw_buf_puts(out, cls);
	cbw_buf_puts(out, "\" font-family=\"system-ui, sans-serif\" "
	    "font-size=\"12\"><title id=\"");
	cbw_buf_puts(out, id);
	cbw_buf_puts(out, "-title\">");
	cbw_html_txt(out, title);
	cbw_buf_puts(out, "</title><desc id=\"");
	cbw_buf_puts(out, id);
	cbw_buf_puts(out, "-desc\">");
}

/* --- courbes ------------------------------------------------------------ */

/*
 * Vérifie une courbe de npoints valeurs. Rend CBW_OK, ou CBW_EINVAL si
 * un pointeur requis est NULL, la couleur ou le motif mal formé, ou une
 * valeur hors bornes.
 */
static enum cbw_err
series_check(const struct cbw_chart_series *s, size_t npoints)
{
	size_t	 i;

	if (s->name == NULL || s->values == NULL || !valid_color(s->color) ||
	    !valid_dash(s->dash))
		return CBW_EINVAL;
	for (i = 0; i < npoints; i++)
		if (!valid_value(s->values[i]))
			return CBW_EINVAL;
	return CBW_OK;
}

/*
 * Vérifie tous les arguments de cbw_chart_line (sauf out). Rend CBW_OK
 * ou CBW_EINVAL.
 */
static enum cbw_err
line_check(const char *id, const char *title, const char *const *xlabels,
    size_t npoints, const struct cbw_chart_series *series, size_t nseries)
{
	size_t	 i;

	if (!valid_id(id) || title == NULL || xlabels == NULL ||
	    npoints == 0 || npoints > CBW_CHART_MAX_POINTS ||
	    nseries > CBW_CHART_MAX_SERIES || (series == NULL && nseries > 0))
		return CBW_EINVAL;
	for (i = 0; i < npoints; i++)
		if (xlabels[i] == NULL)
			return CBW_EINVAL;
	for (i = 0; i < nseries; i++)
		if (series_check(&series[i], npoints) != CBW_OK)
			return CBW_EINVAL;
	return CBW_OK;
}

/* Plus grande valeur de toutes les courbes (0 s'il n'y en a pas). */
static long long
series_max(const struct cbw_chart_series *series, size_t nseries,
    size_t npoints)
{
	long long	 max = 0;
	size_t		 i, j;

	for (i = 0; i < nseries; i++)
		for (j = 0; j < npoints; j++)
			if (series[i].values[j] > max)
				max = series[i].values[j];
	return max;
}

/*
 * Choisit l'échelle Y pour un maximum `max` (≥ 0) : le plus petit pas
 * « rond » (1, 2 ou 5 × 10^k, au moins 1) tel que 5 pas couvrent max,
 * puis le nombre d'intervalles (3 à 5 ; 4 quand le pas vaut 1, donc 0..4
 * si tout est nul). Rend le pas dans *step, les intervalles dans *nint.
 */
static void
nice_scale(long long max, long long *step, int *nint)
{
	static const long long	 mult[] = { 1, 2, 5 };
	long long		 p;
	size_t			 i;

	for (p = 1;; p *= 10)
		for (i = 0; i < sizeof(mult) / sizeof(mult[0]); i++)
			if (mult[i] * p * 5 >= max) {
				*step = mult[i] * p;
				*nint = (int)((max + *step - 1) / *step);
				if (*step == 1 && *nint < 4)
					*nint = 4;
				return;
			}
}

/*
 * Ajoute une graduation Y (multiple d'un pas de nice_scale) en forme
 * courte : « 750 », « 2 k », « 1,5 M », « 3 Md ». N'échoue pas (out->oom).
 */
static void
put_tick(struct cbw_buf *out, long long v)
{
	static const struct {
		long long	 unit;
		const char	*sfx;
	} u[] = {
		{ 1000000000LL, NBSP "Md" },
		{ 1000000LL, NBSP "M" },
		{ 1000LL, NBSP "k" },
	};
	long long	 q;
	size_t		 i;

	for (i = 0; i < sizeof(u) / sizeof(u[0]); i++) {
		if (v < u[i].unit)
			continue;
		q = v / (u[i].unit / 10);
		put_grouped(out, q / 10);
		if (q % 10 != 0) {
			cbw_buf_putc(out, ',');
			cbw_buf_putc(out, (char)('0' + q % 10));
		}
		cbw_buf_puts(out, u[i].sfx);
		return;
	}
	put_int(out, v);
}

/* Abscisse du point i sur n (un seul point : au milieu). */
static double
x_of(size_t i, size_t n)
{
	if (n <= 1)
		return L_LEFT + L_PW / 2.0;
	return L_LEFT + (double)L_PW * (double)i / (double)(n - 1);
}

/* Ordonnée de la valeur v pour un haut d'échelle top (> 0). */
static double
y_of(long long v, long long top)
{
	if (top <= 0)
		return L_BASE;
	return L_BASE - (double)L_PH * ((double)v / (double)top);
}

/*
 * Place les entrées de la légende des courbes (pastille + nom) en lignes
 * qui tiennent dans la largeur du tracé. N'échoue pas.
 */
static void
legend_layout(const struct cbw_chart_series *series, size_t nseries,
    struct legend *lg)
{
	size_t	 i;
	int	 x = L_LEFT, row = 0, w;

	for (i = 0; i < nseries; i++) {
		w = 28 + CHAR_W * (int)min_sz(u8_len(series[i].name), L_NAME);
		if (x > L_LEFT && x + w > L_W - L_RIGHT) {
			row++;
			x = L_LEFT;
		}
		lg->x[i] = x;
		lg->row[i] = row;
		x += w + 16;
	}
	lg->rows = nseries > 0 ? row + 1 : 0;
}

/*
 * Écrit le texte de <desc> des courbes : « Du 05/11 au 04/12 — Envoyés :
 * 120 ; Échecs : 3. » (total de chaque courbe sur la plage). N'échoue pas
 * (out->oom).
 */
static void
line_desc(struct cbw_buf *out, const char *const *xlabels, size_t npoints,
    const struct cbw_chart_series *series, size_t nseries)
{
	long long	 sum;
	size_t		 i, j;

	cbw_buf_puts(out, npoints > 1 ? "Du " : "Le ");
	cbw_html_txt(out, xlabels[0]);
	if (npoints > 1) {
		cbw_buf_puts(out, " au ");
		cbw_html_txt(out, xlabels[npoints - 1]);
	}
	cbw_buf_puts(out, " \xe2\x80\x94 ");
	if (nseries == 0)
		cbw_buf_puts(out, "aucune courbe");
	for (i = 0; i < nseries; i++) {
		for (sum = 0, j = 0; j < npoints; j++)
			sum += series[i].values[j];
		if (i > 0)
			cbw_buf_puts(out, " ; ");
		cbw_html_txt(out, series[i].name);
		cbw_buf_puts(out, NBSP ": ");
		put_grouped(out, sum);
	}
	cbw_buf_puts(out, ".</desc>");
}

/*
 * Écrit la grille (nint lignes horizontales), les axes et les graduations
 * Y de pas `step`. N'échoue pas (out->oom).
 */
static void
line_grid(struct cbw_buf *out, long long step, int nint)
{
	double	 y;
	int	 i;

	cbw_buf_puts(out, "<g class=\"chart-grid\" stroke=\"currentColor\" "
	    "stroke-opacity=\"0.15\">");
	for (i = 1; i <= nint; i++) {
		y = y_of(step * i, step * nint);
		cbw_buf_puts(out, "<line");
		put_seg(out, L_LEFT, y, L_W - L_RIGHT, y);
		cbw_buf_puts(out, "/>");
	}
	cbw_buf_puts(out, "</g><g class=\"chart-axis\" stroke=\"currentColor\" "
	    "stroke-opacity=\"0.5\"><line");
	put_seg(out, L_LEFT, L_TOP, L_LEFT, L_BASE);
	cbw_buf_puts(out, "/><line");
	put_seg(out, L_LEFT, L_BASE, L_W - L_RIGHT, L_BASE);
	cbw_buf_puts(out, "/></g><g class=\"chart-yticks\" "
	    "fill=\"currentColor\" text-anchor=\"end\">");
	for (i = 0; i <= nint; i++) {
		cbw_buf_puts(out, "<text");
		put_at(out, "x", L_LEFT - 8);
		put_at(out, "y", y_of(step * i, step * nint) + 4);
		cbw_buf_putc(out, '>');
		put_tick(out, step * i);
		cbw_buf_puts(out, "</text>");
	}
	cbw_buf_puts(out, "</g>");
}

/*
 * Vrai (1) si l'étiquette X du point i sur n est affichée : au plus
 * L_MAXLAB, la première et la dernière toujours, une sur `stride` entre
 * les deux sans toucher la dernière ; 0 sinon.
 */
static int
xlabel_shown(size_t i, size_t n)
{
	size_t	 stride;

	if (n <= L_MAXLAB || i == n - 1)
		return 1;
	stride = (n - 1 + L_MAXLAB - 2) / (L_MAXLAB - 1);
	return i % stride == 0 && n - 1 - i >= (stride + 1) / 2;
}

/* Écrit les étiquettes X retenues par xlabel_shown. N'échoue pas. */
static void
line_xlabels(struct cbw_buf *out, const char *const *xlabels, size_t n)
{
	size_t	 i;

	cbw_buf_puts(out, "<g class=\"chart-xticks\" fill=\"currentColor\" "
	    "text-anchor=\"middle\">");
	for (i = 0; i < n; i++) {
		if (!xlabel_shown(i, n))
			continue;
		cbw_buf_puts(out, "<text");
		put_at(out, "x", x_of(i, n));
		put_at(out, "y", L_BASE + 18);
		cbw_buf_putc(out, '>');
		put_txt_max(out, xlabels[i], L_XLAB);
		cbw_buf_puts(out, "</text>");
	}
	cbw_buf_puts(out, "</g>");
}

/*
 * Écrit les marqueurs d'une courbe (un cercle par point, avec en
 * infobulle « étiquette X — nom : valeur »). N'échoue pas (out->oom).
 */
static void
line_markers(struct cbw_buf *out, const struct cbw_chart_series *s,
    const char *const *xlabels, size_t n, long long top)
{
	size_t	 i;

	cbw_buf_puts(out, "<g class=\"chart-markers\" fill=\"");
	cbw_buf_puts(out, s->color);
	cbw_buf_puts(out, "\">");
	for (i = 0; i < n; i++) {
		cbw_buf_puts(out, "<circle");
		put_at(out, "cx", x_of(i, n));
		put_at(out, "cy", y_of(s->values[i], top));
		cbw_buf_puts(out, " r=\"3\"><title>");
		cbw_html_txt(out, xlabels[i]);
		cbw_buf_puts(out, " \xe2\x80\x94 ");
		cbw_html_txt(out, s->name);
		cbw_buf_puts(out, NBSP ": ");
		put_grouped(out, s->values[i]);
		cbw_buf_puts(out, "</title></circle>");
	}
	cbw_buf_puts(out, "</g>");
}

/*
 * Écrit une courbe : un <polyline> de n points, puis ses marqueurs si
 * n ≤ L_MARK. N'échoue pas (out->oom).
 */
static void
line_series(struct cbw_buf *out, const struct cbw_chart_series *s,
    const char *const *xlabels, size_t n, long long top)
{
	size_t	 i;

	cbw_buf_puts(out, "<polyline class=\"chart-series\" fill=\"none\" "
	    "stroke-width=\"2\" stroke-linejoin=\"round\" "
	    "stroke-linecap=\"round\"");
	put_stroke(out, s->color, s->dash);
	cbw_buf_puts(out, " points=\"");
	for (i = 0; i < n; i++) {
		if (i > 0)
			cbw_buf_putc(out, ' ');
		put_coord(out, x_of(i, n));
		cbw_buf_putc(out, ',');
		put_coord(out, y_of(s->values[i], top));
	}
	cbw_buf_puts(out, "\"/>");
	if (n <= L_MARK)
		line_markers(out, s, xlabels, n, top);
}

/*
 * Écrit la légende des courbes (trait à la couleur et au motif de la
 * courbe, puis le nom, coupé si trop long avec le nom entier en
 * infobulle). N'échoue pas (out->oom).
 */
static void
line_legend(struct cbw_buf *out, const struct cbw_chart_series *series,
    size_t nseries, const struct legend *lg)
{
	size_t	 i;
	double	 y;

	if (nseries == 0)
		return;
	cbw_buf_puts(out, "<g class=\"chart-legend\" fill=\"currentColor\">");
	for (i = 0; i < nseries; i++) {
		y = L_LEG + lg->row[i] * L_ROW;
		cbw_buf_puts(out, "<g><line");
		put_seg(out, lg->x[i], y, lg->x[i] + 22, y);
		cbw_buf_puts(out, " stroke-width=\"3\"");
		put_stroke(out, series[i].color, series[i].dash);
		cbw_buf_puts(out, "/><text");
		put_at(out, "x", lg->x[i] + 28);
		put_at(out, "y", y + 4);
		cbw_buf_putc(out, '>');
		if (put_txt_max(out, series[i].name, L_NAME)) {
			cbw_buf_puts(out, "<title>");
			cbw_html_txt(out, series[i].name);
			cbw_buf_puts(out, "</title>");
		}
		cbw_buf_puts(out, "</text></g>");
	}
	cbw_buf_puts(out, "</g>");
}

/*
 * Ajoute à `out` le graphique en courbes (voir chart.h). Rend CBW_OK ;
 * CBW_EINVAL pour un argument refusé (rien n'est alors écrit) ;
 * CBW_ENOMEM si le tampon n'a pu grandir (sortie partielle à jeter).
 */
enum cbw_err
cbw_chart_line(struct cbw_buf *out, const char *id, const char *title,
    const char *const *xlabels, size_t npoints,
    const struct cbw_chart_series *series, size_t nseries)
{
	struct legend	 lg;
	long long	 step;
	size_t		 i;
	int		 nint;

	if (out == NULL || line_check(id, title, xlabels, npoints, series,
	    nseries) != CBW_OK)
		return CBW_EINVAL;
	nice_scale(series_max(series, nseries, npoints), &step, &nint);
	legend_layout(series, nseries, &lg);
	svg_open(out, id, title, "chart-line", L_W,
	    L_BASE + 30 + lg.rows * L_ROW + 6);
	line_desc(out, xlabels, npoints, series, nseries);
	line_grid(out, step, nint);
	line_xlabels(out, xlabels, npoints);
	for (i = 0; i < nseries; i++)
		line_series(out, &series[i], xlabels, npoints, step * nint);
	line_legend(out, series, nseries, &lg);
	cbw_buf_puts(out, "</svg>");
	return out->oom ? CBW_ENOMEM : CBW_OK;
}

/* --- anneau ------------------------------------------------------------- */

/*
 * Vérifie tous les arguments de cbw_chart_donut (sauf out). Rend CBW_OK
 * ou CBW_EINVAL.
 */
static enum cbw_err
donut_check(const char *id, const char *title,
    const struct cbw_chart_slice *slices, size_t n)
{
	size_t	 i;

	if (!valid_id(id) || title == NULL || n > CBW_CHART_MAX_SLICES ||
	    (slices == NULL && n > 0))
		return CBW_EINVAL;
	for (i = 0; i < n; i++)
		if (slices[i].label == NULL || !valid_color(slices[i].color) ||
		    !valid_value(slices[i].value))
			return CBW_EINVAL;
	return CBW_OK;
}

/*
 * Calcule le pourcentage de chaque part en dixièmes (t[i], 0 à 1000) par
 * la méthode du plus fort reste : la somme fait exactement 1000 quand
 * total > 0, tout vaut 0 sinon. N'échoue pas.
 */
static void
pct_tenths(const struct cbw_chart_slice *s, size_t n, long long total,
    int *t)
{
	long long	 rem[CBW_CHART_MAX_SLICES];
	size_t		 i, best;
	int		 left = 1000;

	for (i = 0; i < n; i++) {
		t[i] = total > 0 ? (int)(s[i].value * 1000 / total) : 0;
		rem[i] = total > 0 ? s[i].value * 1000 % total : 0;
		left -= t[i];
	}
	while (total > 0 && left-- > 0) {
		for (best = 0, i = 1; i < n; i++)
			if (rem[i] > rem[best])
				best = i;
		rem[best] = -1;
		t[best]++;
	}
}

/* Parts en dixièmes de pour cent, somme 1000 (voir chart.h). */
void
cbw_chart_shares(const struct cbw_chart_slice *s, size_t n, int *tenths)
{
	long long	 total = 0;
	size_t		 i;

	if (n > CBW_CHART_MAX_SLICES)
		n = CBW_CHART_MAX_SLICES;
	for (i = 0; i < n; i++)
		total += s[i].value > 0 ? s[i].value : 0;
	pct_tenths(s, n, total, tenths);
}

/*
 * Ajoute la valeur d'une part et, si total > 0, son pourcentage :
 * « 1 234 (12,5 %) ». N'échoue pas (out->oom).
 */
static void
put_share(struct cbw_buf *out, long long v, int tenths, long long total)
{
	put_grouped(out, v);
	if (total <= 0)
		return;
	cbw_buf_puts(out, " (");
	put_pct(out, tenths);
	cbw_buf_putc(out, ')');
}

/*
 * Écrit le texte de <desc> de l'anneau : « Envoyé : 10 (50,0 %), … Total :
 * 20 messages. », ou « Aucune donnée. ». N'échoue pas (out->oom).
 */
static void
donut_desc(struct cbw_buf *out, const struct cbw_chart_slice *s, size_t n,
    long long total, const int *t)
{
	size_t	 i;

	if (total == 0) {
		cbw_buf_puts(out, "Aucune donn\xc3\xa9" "e.</desc>");
		return;
	}
	for (i = 0; i < n; i++) {
		if (i > 0)
			cbw_buf_puts(out, ", ");
		cbw_html_txt(out, s[i].label);
		cbw_buf_puts(out, NBSP ": ");
		put_share(out, s[i].value, t[i], total);
	}
	cbw_buf_puts(out, ". Total" NBSP ": ");
	put_grouped(out, total);
	cbw_buf_puts(out, " messages.</desc>");
}

/*
 * Point de l'anneau (centre D_CX, cy ; rayon D_R) à la fraction `f` d'un
 * tour, en partant du haut dans le sens horaire. sin et cos viennent
 * d'une série de Taylor en a = 2πf − π (|a| ≤ π, 30 termes : erreur
 * < 1e-15), pour ne pas lier libm. N'échoue pas.
 */
static void
ring_point(double f, double cy, double *x, double *y)
{
	double	 a, term = 1, s = 0, c = 0;
	int	 k;

	if (!isfinite(f) || f < 0)
		f = 0;
	if (f > 1)
		f = 1;
	a = (f - 0.5) * 2 * PI;
	for (k = 0; k < 30; k++) {
		if (k % 4 == 0)
			c += term;
		else if (k % 4 == 1)
			s += term;
		else if (k % 4 == 2)
			c -= term;
		else
			s -= term;
		term *= a / (k + 1);
	}
	/* sin(a + π) = −sin a, cos(a + π) = −cos a. */
	*x = D_CX - D_R * s;
	*y = cy + D_R * c;
}

/*
 * Ajoute « A r r 0 large 1 x y » (arc horaire jusqu'au point de la
 * fraction f). N'échoue pas (out->oom).
 */
static void
put_arc_to(struct cbw_buf *out, int large, double f, double cy)
{
	double	 x, y;

	ring_point(f, cy, &x, &y);
	cbw_buf_puts(out, " A ");
	put_int(out, D_R);
	cbw_buf_putc(out, ' ');
	put_int(out, D_R);
	cbw_buf_puts(out, large ? " 0 1 1 " : " 0 0 1 ");
	put_coord(out, x);
	cbw_buf_putc(out, ' ');
	put_coord(out, y);
}

/* Vrai (1) si deux points s'écrivent pareil une fois arrondis ; 0 sinon. */
static int
same_point(double x0, double y0, double x1, double y1)
{
	char	 a[32], b[32], c[32], d[32];

	fmt_coord(a, sizeof(a), x0);
	fmt_coord(b, sizeof(b), x1);
	fmt_coord(c, sizeof(c), y0);
	fmt_coord(d, sizeof(d), y1);
	return strcmp(a, b) == 0 && strcmp(c, d) == 0;
}

/*
 * Écrit le <path> d'une part allant des fractions f0 à f1 d'un tour
 * (drapeau large-arc si plus d'un demi-tour). Si les deux bouts tombent
 * au même point une fois arrondis : part minuscule omise, part presque
 * entière tracée en deux demi-arcs. N'échoue pas (out->oom).
 */
static void
donut_arc(struct cbw_buf *out, const struct cbw_chart_slice *s, double f0,
    double f1, double cy, int tenths, long long total)
{
	double	 x0, y0, x1, y1;
	int	 large = f1 - f0 > 0.5, same;

	ring_point(f0, cy, &x0, &y0);
	ring_point(f1, cy, &x1, &y1);
	if ((same = same_point(x0, y0, x1, y1)) && !large)
		return;
	cbw_buf_puts(out, "<path");
	put_stroke(out, s->color, NULL);
	cbw_buf_puts(out, " d=\"M ");
	put_coord(out, x0);
	cbw_buf_putc(out, ' ');
	put_coord(out, y0);
	if (same)
		put_arc_to(out, 0, (f0 + f1) / 2, cy);
	put_arc_to(out, large && !same, f1, cy);
	cbw_buf_puts(out, "\"><title>");
	cbw_html_txt(out, s->label);
	cbw_buf_puts(out, NBSP ": ");
	put_share(out, s->value, tenths, total);
	cbw_buf_puts(out, "</title></path>");
}

/*
 * Écrit un anneau plein (<circle>) de couleur `color`, avec en infobulle
 * la part `s` si elle n'est pas NULL. N'échoue pas (out->oom).
 */
static void
donut_ring(struct cbw_buf *out, const char *color,
    const struct cbw_chart_slice *s, double cy)
{
	cbw_buf_puts(out, "<circle");
	put_at(out, "cx", D_CX);
	put_at(out, "cy", cy);
	put_at(out, "r", D_R);
	put_stroke(out, color, NULL);
	cbw_buf_putc(out, '>');
	if (s != NULL) {
		cbw_buf_puts(out, "<title>");
		cbw_html_txt(out, s->label);
		cbw_buf_puts(out, NBSP ": ");
		put_share(out, s->value, 1000, s->value);
		cbw_buf_puts(out, "</title>");
	}
	cbw_buf_puts(out, "</circle>");
}

/* Ouvre le groupe des arcs (trait de D_STROKE). N'échoue pas (out->oom). */
static void
arcs_open(struct cbw_buf *out)
{
	cbw_buf_puts(out, "<g class=\"chart-arcs\" fill=\"none\" "
	    "stroke-width=\"");
	put_int(out, D_STROKE);
	cbw_buf_puts(out, "\">");
}

/*
 * Écrit les parts non nulles de l'anneau (total > 0) : un <path> par
 * part, ou un cercle entier pour une part de 100 %. N'échoue pas.
 */
static void
donut_arcs(struct cbw_buf *out, const struct cbw_chart_slice *s, size_t n,
    long long total, const int *t, double cy)
{
	long long	 cum = 0;
	size_t		 i;

	arcs_open(out);
	for (i = 0; i < n; i++) {
		if (s[i].value == 0)
			continue;
		if (s[i].value == total)
			donut_ring(out, s[i].color, &s[i], cy);
		else
			donut_arc(out, &s[i], (double)cum / (double)total,
			    (double)(cum + s[i].value) / (double)total, cy,
			    t[i], total);
		cum += s[i].value;
	}
	cbw_buf_puts(out, "</g>");
}

/*
 * Écrit le centre de l'anneau : le total groupé par milliers (taille de
 * police réduite pour les grands nombres) et « messages », ou « Aucune
 * donnée » si total vaut 0. N'échoue pas (out->oom).
 */
static void
donut_centre(struct cbw_buf *out, long long total, double cy)
{
	char	 fs[16];
	size_t	 size;

	cbw_buf_puts(out, "<g class=\"chart-total\" fill=\"currentColor\" "
	    "text-anchor=\"middle\"><text");
	put_at(out, "x", D_CX);
	if (total == 0) {
		put_at(out, "y", cy + 5);
		cbw_buf_puts(out, " font-size=\"14\">Aucune donn\xc3\xa9" "e"
		    "</text></g>");
		return;
	}
	size = 1300 / (6 * grouped_len(total));
	snprintf(fs, sizeof(fs), "%zu", size < 10 ? 10 : size > 24 ? 24 : size);
	put_at(out, "y", cy + 2);
	cbw_buf_puts(out, " font-size=\"");
	cbw_buf_puts(out, fs);
	cbw_buf_puts(out, "\" font-weight=\"600\">");
	put_grouped(out, total);
	cbw_buf_puts(out, "</text><text");
	put_at(out, "x", D_CX);
	put_at(out, "y", cy + 22);
	cbw_buf_puts(out, " fill-opacity=\"0.7\">messages</text></g>");
}

/*
 * Écrit la légende de l'anneau, une ligne par part (nulles comprises) :
 * pastille, libellé (coupé pour laisser la place au nombre) et, aligné à
 * droite, « valeur (pourcentage) ». N'échoue pas (out->oom).
 */
static void
donut_legend(struct cbw_buf *out, const struct cbw_chart_slice *s, size_t n,
    long long total, const int *t, int h)
{
	size_t	 i, vlen, room;
	double	 y;

	cbw_buf_puts(out, "<g class=\"chart-legend\" fill=\"currentColor\">");
	for (i = 0; i < n; i++) {
		y = (h - (double)n * D_ROW) / 2 + D_ROW / 2.0 + (double)i * D_ROW;
		cbw_buf_puts(out, "<g><rect");
		put_at(out, "x", D_LEGX);
		put_at(out, "y", y - 6);
		cbw_buf_puts(out, " width=\"12\" height=\"12\" rx=\"2\" fill=\"");
		cbw_buf_puts(out, s[i].color);
		cbw_buf_puts(out, "\"/><text");
		put_at(out, "x", D_LEGX + 20);
		put_at(out, "y", y + 4);
		cbw_buf_putc(out, '>');
		vlen = grouped_len(s[i].value) + (total > 0 ? 10 : 0);
		room = (D_LEGR - D_LEGX - 20 - 12) / CHAR_W;
		put_txt_max(out, s[i].label, room > vlen + 3 ? room - vlen : 3);
		cbw_buf_puts(out, "</text><text");
		put_at(out, "x", D_LEGR);
		put_at(out, "y", y + 4);
		cbw_buf_puts(out, " text-anchor=\"end\">");
		put_share(out, s[i].value, t[i], total);
		cbw_buf_puts(out, "</text></g>");
	}
	cbw_buf_puts(out, "</g>");
}

/*
 * Ajoute à `out` l'anneau de répartition (voir chart.h). Rend CBW_OK ;
 * CBW_EINVAL pour un argument refusé (rien n'est alors écrit) ;
 * CBW_ENOMEM si le tampon n'a pu grandir (sortie partielle à jeter).
 */
enum cbw_err
cbw_chart_donut(struct cbw_buf *out, const char *id, const char *title,
    const struct cbw_chart_slice *slices, size_t n)
{
	int		 t[CBW_CHART_MAX_SLICES];
	long long	 total = 0;
	size_t		 i;
	int		 h;

	if (out == NULL || donut_check(id, title, slices, n) != CBW_OK)
		return CBW_EINVAL;
	for (i = 0; i < n; i++)
		total += slices[i].value;
	pct_tenths(slices, n, total, t);
	h = (int)n * D_ROW + 40;
	if (h < D_MINH)
		h = D_MINH;
	svg_open(out, id, title, "chart-donut", D_W, h);
	donut_desc(out, slices, n, total, t);
	if (total == 0) {
		arcs_open(out);
		donut_ring(out, D_GREY, NULL, h / 2.0);
		cbw_buf_puts(out, "</g>");
	} else
		donut_arcs(out, slices, n, total, t, h / 2.0);
	donut_centre(out, total, h / 2.0);
	donut_legend(out, slices, n, total, t, h);
	cbw_buf_puts(out, "</svg>");
	return out->oom ? CBW_ENOMEM : CBW_OK;
}
