/*
 * Tests unitaires et de propriétés des graphiques SVG (lib/chart.c) :
 *  - la sortie des deux graphiques est du XML bien formé, vérifié par un
 *    petit contrôleur strict écrit ici (pile des balises, attributs entre
 *    guillemets et uniques, seules entités &amp; &lt; &gt; &quot; &#39;
 *    &#NNN;, ni < ni & ni > bruts dans le texte), lui-même testé sur des
 *    chaînes mal formées ;
 *  - les noms hostiles (<script>, &, ", ') n'apparaissent qu'échappés ;
 *  - arguments refusés : CBW_EINVAL, rien d'écrit ;
 *  - propriété (≥ 100 tirages) : bien formé, un <polyline> de npoints
 *    points par courbe, coordonnées dans le viewBox, pourcentages de
 *    l'anneau dont la somme fait 100,0 %.
 *
 * Graine : CBW_SEED si donnée, sinon l'heure ; affichée (« seed=<n> »).
 * CBW_CHART_DUMP=1 affiche les SVG des cas fixes.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "buf.h"
#include "chart.h"
#include "statsview.h"

#define NNBSP		"\xe2\x80\xaf"
#define NBSP		"\xc2\xa0"
#define EVIL		"<script>alert(\"x&y\")</script>'"
#define EVIL_ESC	"&lt;script&gt;alert(&quot;x&amp;y&quot;)" \
			"&lt;/script&gt;&#39;"
#define WF_DEPTH	64
#define WF_NAME		32
#define WF_ATTRS	32
#define NITER		150	/* tirages par graphique (≥ 100) */

/* --- contrôleur XML strict -------------------------------------------- */

/* Longueur du nom XML (ASCII) au début de s ; 0 s'il n'y en a pas. */
static size_t
xml_name(const char *s)
{
	size_t	 n = 0;

	if (!isalpha((unsigned char)s[0]) && s[0] != '_')
		return 0;
	while (isalnum((unsigned char)s[n]) || s[n] == '-' || s[n] == '_' ||
	    s[n] == ':' || s[n] == '.')
		n++;
	return n;
}

/* Longueur de la référence d'entité admise au début de s ; 0 sinon. */
static size_t
xml_entity(const char *s)
{
	static const char *const ok[] = { "&amp;", "&lt;", "&gt;", "&quot;",
		"&#39;" };
	size_t	 i, n;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		if (strncmp(s, ok[i], strlen(ok[i])) == 0)
			return strlen(ok[i]);
	if (s[1] != '#')
		return 0;
	for (n = 2; isdigit((unsigned char)s[n]) && n < 9; n++)
		continue;
	return n > 2 && s[n] == ';' ? n + 1 : 0;
}

/*
 * Parcourt des caractères jusqu'à `stop` (ou NUL) : entités admises
 * seulement, ni < ni > bruts. Rend la position de l'arrêt, NULL si faute.
 */
static const char *
xml_chars(const char *s, char stop)
{
	size_t	 n;

	while (*s != '\0' && *s != stop) {
		if (*s == '&') {
			if ((n = xml_entity(s)) == 0)
				return NULL;
			s += n;
			continue;
		}
		if (*s == '<' || *s == '>')
			return NULL;
		s++;
	}
	return s;
}

/* Saute les blancs XML. */
static const char *
xml_ws(const char *s)
{
	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
		s++;
	return s;
}

/*
 * Lit un attribut name="valeur" (ou '…') en s, nom unique parmi seen[].
 * Rend la position qui suit, NULL si faute.
 */
static const char *
xml_attr(const char *s, char seen[][WF_NAME], int *nseen)
{
	size_t	 n = xml_name(s);
	int	 i;
	char	 q;

	if (n == 0 || n >= WF_NAME || *nseen >= WF_ATTRS)
		return NULL;
	for (i = 0; i < *nseen; i++)
		if (strlen(seen[i]) == n && strncmp(seen[i], s, n) == 0)
			return NULL;
	memcpy(seen[*nseen], s, n);
	seen[(*nseen)++][n] = '\0';
	s = xml_ws(s + n);
	if (*s != '=')
		return NULL;
	s = xml_ws(s + 1);
	if ((q = *s) != '"' && q != '\'')
		return NULL;
	if ((s = xml_chars(s + 1, q)) == NULL || *s != q)
		return NULL;
	return s + 1;
}

/*
 * Lit une balise ouvrante (s suit le « < ») et empile son nom si elle
 * n'est pas vide (« /> »). Rend la position qui suit, NULL si faute.
 */
static const char *
xml_open(const char *s, char stack[][WF_NAME], int *depth)
{
	char		 seen[WF_ATTRS][WF_NAME];
	const char	*name = s, *p;
	size_t		 n = xml_name(s);
	int		 nseen = 0;

	if (n == 0 || n >= WF_NAME)
		return NULL;
	for (s += n;;) {
		p = xml_ws(s);
		if (p[0] == '/')
			return p[1] == '>' ? p + 2 : NULL;
		if (p[0] == '>') {
			if (*depth >= WF_DEPTH)
				return NULL;
			memcpy(stack[*depth], name, n);
			stack[(*depth)++][n] = '\0';
			return p + 1;
		}
		if (p == s || (s = xml_attr(p, seen, &nseen)) == NULL)
			return NULL;
	}
}

/*
 * Lit une balise fermante (s suit le « </ ») qui doit fermer le sommet
 * de la pile. Rend la position qui suit, NULL si faute.
 */
static const char *
xml_close(const char *s, char stack[][WF_NAME], int *depth)
{
	size_t	 n = xml_name(s);

	if (n == 0 || *depth == 0 || strlen(stack[*depth - 1]) != n ||
	    strncmp(stack[*depth - 1], s, n) != 0)
		return NULL;
	s = xml_ws(s + n);
	if (*s != '>')
		return NULL;
	(*depth)--;
	return s + 1;
}

/*
 * Vrai (1) si `s` est un document XML bien formé à un seul élément racine
 * (sans prologue, commentaire ni CDATA) ; 0 sinon.
 */
static int
xml_wf(const char *s)
{
	char	 stack[WF_DEPTH][WF_NAME];
	int	 depth = 0, done = 0;

	for (s = xml_ws(s); *s != '\0';) {
		if (*s == '<' && done)
			return 0;
		if (*s == '<' && s[1] == '/')
			s = xml_close(s + 2, stack, &depth);
		else if (*s == '<')
			s = xml_open(s + 1, stack, &depth);
		else if (depth == 0)
			s = xml_ws(s) == s ? NULL : xml_ws(s);
		else
			s = xml_chars(s, '<');
		if (s == NULL)
			return 0;
		if (depth == 0)
			done = 1;
	}
	return done && depth == 0;
}

/* --- lecture de la sortie ---------------------------------------------- */

/*
 * Lit une coordonnée écrite « -?[0-9]+\.[0-9] » en *s ; avance *s. Rend
 * 1, ou 0 si le format diffère (NaN, inf, exposant…).
 */
static int
coord(const char **s, double *v)
{
	const char	*p = *s;
	char		*end;

	if (*p == '-')
		p++;
	if (!isdigit((unsigned char)*p))
		return 0;
	while (isdigit((unsigned char)*p))
		p++;
	if (p[0] != '.' || !isdigit((unsigned char)p[1]) ||
	    isdigit((unsigned char)p[2]))
		return 0;
	*v = strtod(*s, &end);
	if (end != p + 2)
		return 0;
	*s = end;
	return 1;
}

/* Nombre d'occurrences de `needle` dans `s`. */
static size_t
count(const char *s, const char *needle)
{
	size_t	 n = 0;

	while ((s = strstr(s, needle)) != NULL) {
		n++;
		s += strlen(needle);
	}
	return n;
}

/* Largeur et hauteur du viewBox « 0 0 w h » de la racine. */
static void
viewbox(const char *svg, double *w, double *h)
{
	const char	*p = strstr(svg, "viewBox=\"0 0 ");

	assert_non_null(p);
	assert_int_equal(sscanf(p + 13, "%lf %lf", w, h), 2);
	assert_true(*w > 0 && *h > 0);
}

/* Vérifie que v est dans [0, max]. */
static void
in_range(double v, double max)
{
	if (v < 0 || v > max)
		fail_msg("coordonnée %.1f hors de [0, %.1f]", v, max);
}

/*
 * Vérifie toutes les valeurs des attributs `name` (coordonnées bien
 * écrites, dans [0, max]). Rend leur nombre.
 */
static size_t
check_attr(const char *svg, const char *name, double max)
{
	char		 pat[16];
	const char	*p = svg;
	double		 v;
	size_t		 n = 0;

	snprintf(pat, sizeof(pat), " %s=\"", name);
	while ((p = strstr(p, pat)) != NULL) {
		p += strlen(pat);
		assert_true(coord(&p, &v));
		assert_int_equal(*p, '"');
		in_range(v, max);
		n++;
	}
	return n;
}

/*
 * Vérifie chaque <polyline> : points « x,y » bien écrits, dans le viewBox,
 * exactement npoints. Rend le nombre de <polyline>.
 */
static size_t
check_polylines(const char *svg, size_t npoints, double w, double h)
{
	const char	*p = svg;
	double		 x, y;
	size_t		 n = 0, k;

	while ((p = strstr(p, "<polyline")) != NULL) {
		p = strstr(p, " points=\"");
		assert_non_null(p);
		p += 9;
		for (k = 0; *p != '"'; k++) {
			if (k > 0)
				assert_int_equal(*p++, ' ');
			assert_true(coord(&p, &x));
			assert_int_equal(*p++, ',');
			assert_true(coord(&p, &y));
			in_range(x, w);
			in_range(y, h);
		}
		assert_int_equal(k, npoints);
		n++;
	}
	return n;
}

/*
 * Vérifie le d de chaque <path> : « M x y » puis des « A r r 0 L 1 x y »
 * dont le bout diffère du point de départ, dans le viewBox. Rend le
 * nombre de <path>.
 */
static size_t
check_paths(const char *svg, double w, double h)
{
	const char	*p = svg;
	double		 x, y, px, py;
	size_t		 n = 0;
	int		 large, sweep, used;

	while ((p = strstr(p, "<path")) != NULL) {
		p = strstr(p, " d=\"M ");
		assert_non_null(p);
		p += 6;
		assert_true(coord(&p, &px));
		assert_int_equal(*p++, ' ');
		assert_true(coord(&p, &py));
		in_range(px, w);
		in_range(py, h);
		while (*p == ' ') {
			assert_int_equal(sscanf(p, " A 92 92 0 %d %d %n", &large,
			    &sweep, &used), 2);
			assert_true(large == 0 || large == 1);
			assert_int_equal(sweep, 1);
			p += used;
			assert_true(coord(&p, &x));
			assert_int_equal(*p++, ' ');
			assert_true(coord(&p, &y));
			in_range(x, w);
			in_range(y, h);
			assert_true(x != px || y != py);
			px = x;
			py = y;
		}
		assert_int_equal(*p, '"');
		n++;
	}
	return n;
}

/*
 * Vérifications communes : bien formé, racine <svg> attendue (sans
 * largeur fixe), title/desc reliés, coordonnées dans le viewBox.
 */
static void
check_common(const char *svg, const char *id, const char *cls, double *w,
    double *h)
{
	static const char	 start[] = "<svg xmlns=\"http://www.w3.org/"
	    "2000/svg\" viewBox=\"0 0 ";
	char			 want[256];
	const char		*end;

	if (!xml_wf(svg))
		fail_msg("XML mal formé : %s", svg);
	assert_int_equal(strncmp(svg, start, strlen(start)), 0);
	end = strchr(svg, '>');
	assert_non_null(end);
	snprintf(want, sizeof(want), "role=\"img\" aria-labelledby=\"%s-title "
	    "%s-desc\" class=\"chart %s\"", id, id, cls);
	assert_non_null(strstr(svg, want));
	assert_true(strstr(svg, want) < end);
	assert_true(strstr(svg, " width=") == NULL ||
	    strstr(svg, " width=") > end);
	assert_true(strstr(svg, " height=") == NULL ||
	    strstr(svg, " height=") > end);
	assert_non_null(strstr(svg, "font-size=\"12\""));
	snprintf(want, sizeof(want), "<title id=\"%s-title\">", id);
	assert_int_equal(count(svg, want), 1);
	snprintf(want, sizeof(want), "<desc id=\"%s-desc\">", id);
	assert_int_equal(count(svg, want), 1);
	assert_int_equal(strcmp(svg + strlen(svg) - 6, "</svg>"), 0);
	viewbox(svg, w, h);
	check_attr(svg, "x", *w);
	check_attr(svg, "x1", *w);
	check_attr(svg, "x2", *w);
	check_attr(svg, "cx", *w);
	check_attr(svg, "y", *h);
	check_attr(svg, "y1", *h);
	check_attr(svg, "y2", *h);
	check_attr(svg, "cy", *h);
}

/* Nombre de <text> du groupe de classe `cls`. */
static size_t
group_texts(const char *svg, const char *cls)
{
	char		 pat[64];
	const char	*g, *end;
	size_t		 n = 0;

	snprintf(pat, sizeof(pat), "<g class=\"%s\"", cls);
	if ((g = strstr(svg, pat)) == NULL)
		return 0;
	end = strstr(g, "</g>");
	assert_non_null(end);
	while ((g = strstr(g + 1, "<text")) != NULL && g < end)
		n++;
	return n;
}

/* Affiche le SVG si CBW_CHART_DUMP est donné. */
static void
dump(const char *svg)
{
	if (getenv("CBW_CHART_DUMP") != NULL)
		printf("%s\n\n", svg);
}

/*
 * Dessine des courbes, exige CBW_OK et vérifie la sortie : commun, un
 * <polyline> de npoints points par courbe, marqueurs si npoints ≤ 31,
 * au plus 8 étiquettes X. Rend la sortie (à libérer par l'appelant).
 */
static char *
line_ok(const char *title, const char *const *xl, size_t np,
    const struct cbw_chart_series *s, size_t ns)
{
	struct cbw_buf	 b;
	double		 w, h;

	cbw_buf_init(&b);
	assert_int_equal(cbw_chart_line(&b, "c-1", title, xl, np, s, ns),
	    CBW_OK);
	check_common(cbw_buf_str(&b), "c-1", "chart-line", &w, &h);
	assert_int_equal(check_polylines(b.data, np, w, h), ns);
	assert_int_equal(count(b.data, "<circle"), np <= 31 ? np * ns : 0);
	assert_int_equal(count(b.data, "<path"), 0);
	assert_true(group_texts(b.data, "chart-xticks") <= 8);
	assert_true(group_texts(b.data, "chart-xticks") >= (np > 1 ? 2 : 1));
	assert_true(group_texts(b.data, "chart-yticks") >= 4);
	assert_true(group_texts(b.data, "chart-yticks") <= 6);
	return b.data;
}

/* Somme des pourcentages « (d,d %) » du <desc>, en dixièmes. */
static int
desc_pct_sum(const char *svg)
{
	const char	*d = strstr(svg, "<desc"), *end, *p, *q;
	int		 sum = 0, v, mul;

	assert_non_null(d);
	end = strstr(d, "</desc>");
	assert_non_null(end);
	for (p = d; (p = strstr(p, NBSP "%)")) != NULL && p < end; p += 3) {
		if (!isdigit((unsigned char)p[-1]) || p[-2] != ',')
			continue;	/* « %) » venu d'un libellé */
		v = p[-1] - '0';
		for (q = p - 3, mul = 10; isdigit((unsigned char)*q); q--) {
			v += (*q - '0') * mul;
			mul *= 10;
		}
		if (*q != '(')
			continue;
		assert_true(v >= 0 && v <= 1000);
		sum += v;
	}
	return sum;
}

/*
 * Dessine un anneau, exige CBW_OK et vérifie la sortie : commun, arcs
 * bien formés, un arc par part non nulle (hors parts minuscules), somme
 * des pourcentages à 100,0 %. Rend la sortie (à libérer).
 */
static char *
donut_ok(const char *title, const struct cbw_chart_slice *s, size_t n)
{
	struct cbw_buf	 b;
	long long	 total = 0;
	size_t		 i, nz = 0, tiny = 0, arcs;
	double		 w, h;

	for (i = 0; i < n; i++) {
		total += s[i].value;
		nz += s[i].value > 0;
	}
	for (i = 0; i < n; i++)
		tiny += s[i].value > 0 && s[i].value * 1000 < total;
	cbw_buf_init(&b);
	assert_int_equal(cbw_chart_donut(&b, "d-1", title, s, n), CBW_OK);
	check_common(cbw_buf_str(&b), "d-1", "chart-donut", &w, &h);
	arcs = check_paths(b.data, w, h) + count(b.data, "<circle");
	assert_int_equal(count(b.data, "<polyline"), 0);
	if (total == 0) {
		assert_int_equal(arcs, 1);
		assert_int_equal(count(b.data, "Aucune donn\xc3\xa9" "e"), 2);
		assert_int_equal(desc_pct_sum(b.data), 0);
	} else {
		assert_true(arcs <= nz && arcs + tiny >= nz);
		assert_int_equal(desc_pct_sum(b.data), 1000);
		assert_non_null(strstr(b.data, ">messages</text>"));
	}
	assert_int_equal(count(b.data, "<rect"), n);
	return b.data;
}

/* --- tests --------------------------------------------------------------- */

/* Le contrôleur accepte du XML correct et refuse le XML mal formé. */
static void
test_wf_checker(void **state)
{
	static const char *const good[] = {
		"<svg/>",
		"<svg a=\"1\" b='2'><g><t>x &amp; y &#39; &#8239;</t></g></svg>",
		"  <svg>\n<g />\n</svg>\n",
		"<a b = \"c\">&lt;&gt;&quot;</a>",
	};
	static const char *const bad[] = {
		"", "   ", "texte", "<svg>", "<svg><g></svg>",
		"<svg></g>", "<svg a=b/>", "<svg a=\"1/>", "<svg a=\"1\"b=\"2\"/>",
		"<svg a=\"1\" a=\"2\"/>", "<svg>&foo;</svg>", "<svg>&amp</svg>",
		"<svg>a & b</svg>", "<svg>a < b</svg>", "<svg>a > b</svg>",
		"<svg a=\"<\"/>", "<svg a=\"&\"/>", "<svg/><svg/>",
		"<svg></svg>x", "<!-- c --><svg/>", "<?xml?><svg/>", "<1a/>",
		"<svg><script>" EVIL "</script></svg>", "<svg>&#;</svg>",
		"<svg>&#x41;</svg>", "<svg a='1\"/>", "<svg></svg >x",
	};
	size_t	 i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		if (!xml_wf(good[i]))
			fail_msg("refusé à tort : %s", good[i]);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (xml_wf(bad[i]))
			fail_msg("accepté à tort : %s", bad[i]);
}

/* Courbes usuelles : 30 jours, deux courbes, l'une pointillée. */
static void
test_line_basic(void **state)
{
	static const long long	 sent[] = { 0, 5, 12, 120, 7 };
	static const long long	 fail[] = { 1, 0, 2, 0, 0 };
	const char *const	 xl[] = { "01/12", "02/12", "03/12", "04/12",
		"05/12" };
	struct cbw_chart_series	 s[] = {
		{ "Envoyés", "#25d366", NULL, sent },
		{ "Échecs", "#E5484D", "6 3", fail },
	};
	char			*svg;

	(void)state;
	svg = line_ok("Messages par jour", xl, 5, s, 2);
	dump(svg);
	assert_non_null(strstr(svg, "<desc id=\"c-1-desc\">Du 01/12 au 05/12 "
	    "\xe2\x80\x94 Envoyés" NBSP ": 144 ; Échecs" NBSP ": 3.</desc>"));
	assert_non_null(strstr(svg, "stroke-dasharray=\"6 3\""));
	assert_int_equal(count(svg, "stroke-dasharray"), 2);	/* + légende */
	/* max 120 : pas de 50, graduations 0 à 150. */
	assert_non_null(strstr(svg, ">150</text>"));
	assert_null(strstr(svg, ">200</text>"));
	assert_non_null(strstr(svg, "class=\"chart-legend\""));
	free(svg);
}

/* Un seul point, tout à zéro, aucune courbe. */
static void
test_line_edges(void **state)
{
	static const long long	 zero[] = { 0 }, one[] = { 42 };
	const char *const	 xl[] = { "05/12" };
	struct cbw_chart_series	 s[] = {
		{ "A", "#000000", NULL, zero },
		{ "B", "#ffffff", "2", one },
	};
	char			*svg;

	(void)state;
	svg = line_ok("Un point", xl, 1, s, 2);
	dump(svg);
	assert_non_null(strstr(svg, ">Le 05/12 \xe2\x80\x94 A" NBSP ": 0 ; B"
	    NBSP ": 42.</desc>"));
	free(svg);
	svg = line_ok("Zéro", xl, 1, s, 1);
	/* Tout à zéro : échelle 0..4, courbe sur l'axe. */
	assert_non_null(strstr(svg, ">4</text>"));
	assert_non_null(strstr(svg, "points=\"344.0,212.0\""));
	free(svg);
	svg = line_ok("Rien", xl, 1, NULL, 0);
	assert_non_null(strstr(svg, "aucune courbe"));
	assert_null(strstr(svg, "chart-legend"));
	free(svg);
}

/* 365 jours : pas de marqueurs, au plus 8 étiquettes X dont les bouts. */
static void
test_line_365(void **state)
{
	static long long	 v[365];
	static char		 lab[365][8];
	const char		*xl[365];
	struct cbw_chart_series	 s[] = { { "S", "#123abc", NULL, v } };
	char			*svg;
	size_t			 i;

	(void)state;
	for (i = 0; i < 365; i++) {
		v[i] = (long long)(i * 7 % 101);
		snprintf(lab[i], sizeof(lab[i]), "L%zu", i);
		xl[i] = lab[i];
	}
	svg = line_ok("Un an", xl, 365, s, 1);
	assert_non_null(strstr(svg, ">L0</text>"));
	assert_non_null(strstr(svg, ">L364</text>"));
	assert_int_equal(count(svg, "<circle"), 0);
	free(svg);
}

/* Étiquettes X : pour 1 à 400 points, ≤ 8, bouts présents, espacées. */
static void
test_line_xlabels(void **state)
{
	static long long	 v[CBW_CHART_MAX_POINTS];
	static char		 lab[CBW_CHART_MAX_POINTS][8];
	const char		*xl[CBW_CHART_MAX_POINTS], *p, *end;
	struct cbw_chart_series	 s[] = { { "S", "#123abc", NULL, v } };
	char			 want[32], *svg;
	double			 x, prev;
	size_t			 i, n;

	(void)state;
	for (i = 0; i < CBW_CHART_MAX_POINTS; i++) {
		snprintf(lab[i], sizeof(lab[i]), "%02zu/12", i % 100);
		xl[i] = lab[i];
	}
	for (n = 1; n <= CBW_CHART_MAX_POINTS; n++) {
		svg = line_ok("X", xl, n, s, 1);
		p = strstr(svg, "class=\"chart-xticks\"");
		end = strstr(p, "</g>");
		snprintf(want, sizeof(want), ">%s</text>", xl[0]);
		assert_true(strstr(p, want) != NULL && strstr(p, want) < end);
		snprintf(want, sizeof(want), ">%s</text></g>", xl[n - 1]);
		assert_true(strstr(p, want) != NULL && strstr(p, want) < end);
		for (prev = -100; (p = strstr(p, "<text x=\"")) != NULL &&
		    p < end; prev = x) {
			p += 9;
			assert_true(coord(&p, &x));
			assert_true(x - prev >= 35);
		}
		free(svg);
	}
}

/* Grandes valeurs : graduations courtes, totaux groupés par milliers. */
static void
test_line_huge(void **state)
{
	static const long long	 a[] = { 1000000000000LL, 3, 999999999999LL };
	static const long long	 b[] = { 1400000, 0, 1 };
	static const long long	 m[] = { CBW_CHART_MAX_VALUE, 0, 0 };
	const char *const	 xl[] = { "a", "b", "c" };
	struct cbw_chart_series	 s[] = {
		{ "Beaucoup", "#25d366", NULL, a },
		{ "Moins", "#25d366", NULL, b },
		{ "Max", "#25d366", NULL, m },
	};
	char			*svg;

	(void)state;
	svg = line_ok("Gros", xl, 3, s, 2);
	dump(svg);
	assert_non_null(strstr(svg, ">1" NNBSP "000" NBSP "Md</text>"));
	assert_non_null(strstr(svg, ">200" NBSP "Md</text>"));
	assert_non_null(strstr(svg, NBSP ": 2" NNBSP "000" NNBSP "000" NNBSP
	    "000" NNBSP "002 ; "));
	free(svg);
	svg = line_ok("Moins", xl, 3, s + 1, 1);
	assert_non_null(strstr(svg, ">1,5" NBSP "M</text>"));
	assert_non_null(strstr(svg, ">500" NBSP "k</text>"));
	free(svg);
	svg = line_ok("Max", xl, 3, s, 3);
	free(svg);
}

/* Huit courbes aux noms longs : légende sur plusieurs lignes. */
static void
test_line_legend(void **state)
{
	static const long long	 v[] = { 1, 2 };
	const char *const	 xl[] = { "a", "b" };
	struct cbw_chart_series	 s[CBW_CHART_MAX_SERIES];
	char			*svg;
	size_t			 i;

	(void)state;
	for (i = 0; i < CBW_CHART_MAX_SERIES; i++) {
		s[i].name = "Une campagne au nom vraiment très très long "
		    "pour la légende";
		s[i].color = "#abcdef";
		s[i].dash = i % 2 ? "4,2 1.5" : NULL;
		s[i].values = v;
	}
	svg = line_ok("Légende", xl, 2, s, CBW_CHART_MAX_SERIES);
	/* Nom coupé à l'écran, entier en infobulle et dans desc. */
	assert_non_null(strstr(svg, "\xe2\x80\xa6<title>Une campagne"));
	assert_int_equal(count(svg, "pour la légende"),
	    CBW_CHART_MAX_SERIES * 4);
	free(svg);
}

/* Noms hostiles : jamais bruts, toujours échappés. */
static void
test_escape(void **state)
{
	static const long long	 v[] = { 1, 2 };
	const char *const	 xl[] = { EVIL, EVIL };
	struct cbw_chart_series	 s[] = { { EVIL, "#000000", NULL, v } };
	struct cbw_chart_slice	 d[] = { { EVIL, "#000000", 3 },
		{ "b", "#111111", 1 } };
	char			*svg;

	(void)state;
	svg = line_ok(EVIL, xl, 2, s, 1);
	assert_null(strstr(svg, "<script"));
	assert_null(strstr(svg, EVIL));
	/*
	 * Entier : titre, desc ×3, infobulles des marqueurs ×4, infobulle de
	 * la légende ; coupé à l'écran (étiquettes X, légende).
	 */
	assert_int_equal(count(svg, EVIL_ESC), 9);
	assert_int_equal(count(svg, ">&lt;script&gt;a\xe2\x80\xa6</text>"), 2);
	assert_int_equal(count(svg, "&lt;/scrip\xe2\x80\xa6<title>"), 1);
	free(svg);
	svg = donut_ok(EVIL, d, 2);
	dump(svg);
	assert_null(strstr(svg, "<script"));
	assert_null(strstr(svg, EVIL));
	/* titre, desc, infobulle de l'arc ; légende coupée plus loin. */
	assert_int_equal(count(svg, EVIL_ESC), 3);
	assert_non_null(strstr(svg, "&lt;script&gt;"));
	free(svg);
}

/* Anneau usuel : arcs, drapeau large-arc, centre, légende. */
static void
test_donut_basic(void **state)
{
	struct cbw_chart_slice	 d[] = {
		{ "Envoyé", "#25d366", 3 },
		{ "Échec", "#e5484d", 0 },
		{ "Lu", "#3b82f6", 1 },
	};
	char			*svg;

	(void)state;
	svg = donut_ok("Répartition", d, 3);
	dump(svg);
	assert_non_null(strstr(svg, "<desc id=\"d-1-desc\">Envoyé" NBSP ": 3 "
	    "(75,0" NBSP "%), Échec" NBSP ": 0 (0,0" NBSP "%), Lu" NBSP ": 1 "
	    "(25,0" NBSP "%). Total" NBSP ": 4 messages.</desc>"));
	assert_int_equal(count(svg, "<path"), 2);
	assert_int_equal(count(svg, " A 92 92 0 1 1 "), 1);	/* 75 % */
	assert_int_equal(count(svg, " A 92 92 0 0 1 "), 1);	/* 25 % */
	assert_non_null(strstr(svg, " font-weight=\"600\">4</text>"));
	free(svg);
	/* Exactement 50 % : pas de grand arc. */
	d[0].value = 1;
	svg = donut_ok("Moitié", d, 3);
	assert_int_equal(count(svg, " A 92 92 0 0 1 "), 2);
	free(svg);
}

/* Une seule part (100 %), tout à zéro, aucune part. */
static void
test_donut_edges(void **state)
{
	struct cbw_chart_slice	 d[] = {
		{ "Envoyé", "#25d366", 0 },
		{ "Lu", "#3b82f6", 1000000 },
	};
	char			*svg;

	(void)state;
	svg = donut_ok("Tout", d, 2);
	assert_int_equal(count(svg, "<circle"), 1);
	assert_int_equal(count(svg, "<path"), 0);
	assert_non_null(strstr(svg, "(100,0" NBSP "%)"));
	assert_non_null(strstr(svg, ">1" NNBSP "000" NNBSP "000</text>"));
	free(svg);
	d[1].value = 0;
	svg = donut_ok("Zéro", d, 2);
	dump(svg);
	assert_non_null(strstr(svg, "stroke=\"#d0d5dd\""));
	assert_non_null(strstr(svg, ">Aucune donn\xc3\xa9" "e.</desc>"));
	free(svg);
	svg = donut_ok("Vide", NULL, 0);
	free(svg);
}

/* Grandes valeurs et part presque entière (deux demi-arcs). */
static void
test_donut_huge(void **state)
{
	struct cbw_chart_slice	 d[CBW_CHART_MAX_SLICES];
	char			*svg;
	size_t			 i;

	(void)state;
	d[0] = (struct cbw_chart_slice){ "Gros", "#25d366",
	    1000000000000LL };
	d[1] = (struct cbw_chart_slice){ "Petit", "#3b82f6", 1 };
	svg = donut_ok("Presque tout", d, 2);
	dump(svg);
	assert_int_equal(count(svg, "<path"), 1);
	assert_int_equal(count(svg, " A 92 92 0 0 1 "), 2);
	assert_non_null(strstr(svg, ">1" NNBSP "000" NNBSP "000" NNBSP "000"
	    NNBSP "001</text>"));
	free(svg);
	for (i = 0; i < CBW_CHART_MAX_SLICES; i++) {
		d[i].label = "Part";
		d[i].color = "#010203";
		d[i].value = CBW_CHART_MAX_VALUE - (long long)i;
	}
	svg = donut_ok("Maximum", d, CBW_CHART_MAX_SLICES);
	free(svg);
	/* Trois tiers : 33,4 + 33,3 + 33,3. */
	for (i = 0; i < 3; i++)
		d[i].value = 1;
	svg = donut_ok("Tiers", d, 3);
	/* desc, infobulle de l'arc, légende. */
	assert_int_equal(count(svg, "(33,4" NBSP "%)"), 3);
	assert_int_equal(count(svg, "(33,3" NBSP "%)"), 6);
	free(svg);
}

/* Appelle cbw_chart_line et exige CBW_EINVAL sans rien écrire. */
static void
line_einval(struct cbw_buf *b, const char *id, const char *title,
    const char *const *xl, size_t np, const struct cbw_chart_series *s,
    size_t ns)
{
	cbw_buf_reset(b);
	assert_int_equal(cbw_chart_line(b, id, title, xl, np, s, ns),
	    CBW_EINVAL);
	assert_int_equal(b->len, 0);
}

/* Arguments refusés par cbw_chart_line. */
static void
test_line_einval(void **state)
{
	static long long	 v[CBW_CHART_MAX_POINTS + 1];
	static const char	*xl[CBW_CHART_MAX_POINTS + 1];
	static const char *const bad_col[] = { NULL, "", "#", "#12345",
		"#1234567", "red", "#12345g", "123456", " #123456", "#12 456" };
	static const char *const bad_dash[] = { "", " ", "6;3", "url(x)",
		"6 3\"", "1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1" };
	static const char *const bad_id[] = { NULL, "", "A", "a b", "a_b",
		"a\"", "é", "0123456789012345678901234567890123456789"
		"012345678901234567890123456789" };
	struct cbw_chart_series	 s[CBW_CHART_MAX_SERIES + 1];
	struct cbw_buf		 b;
	size_t			 i;

	(void)state;
	for (i = 0; i <= CBW_CHART_MAX_POINTS; i++)
		xl[i] = "x";
	for (i = 0; i <= CBW_CHART_MAX_SERIES; i++)
		s[i] = (struct cbw_chart_series){ "n", "#aBcDeF", "1", v };
	cbw_buf_init(&b);
	assert_int_equal(cbw_chart_line(NULL, "a", "t", xl, 1, s, 1),
	    CBW_EINVAL);
	for (i = 0; i < sizeof(bad_id) / sizeof(bad_id[0]); i++)
		line_einval(&b, bad_id[i], "t", xl, 1, s, 1);
	line_einval(&b, "a", NULL, xl, 1, s, 1);
	line_einval(&b, "a", "t", NULL, 1, s, 1);
	line_einval(&b, "a", "t", xl, 0, s, 1);
	line_einval(&b, "a", "t", xl, CBW_CHART_MAX_POINTS + 1, s, 1);
	line_einval(&b, "a", "t", xl, 2, s, CBW_CHART_MAX_SERIES + 1);
	line_einval(&b, "a", "t", xl, 2, NULL, 1);
	for (i = 0; i < sizeof(bad_col) / sizeof(bad_col[0]); i++) {
		s[1].color = bad_col[i];
		line_einval(&b, "a", "t", xl, 2, s, 2);
	}
	s[1].color = "#000000";
	for (i = 0; i < sizeof(bad_dash) / sizeof(bad_dash[0]); i++) {
		s[1].dash = bad_dash[i];
		line_einval(&b, "a", "t", xl, 2, s, 2);
	}
	s[1].dash = NULL;
	s[1].name = NULL;
	line_einval(&b, "a", "t", xl, 2, s, 2);
	s[1].name = "n";
	s[1].values = NULL;
	line_einval(&b, "a", "t", xl, 2, s, 2);
	s[1].values = v;
	v[CBW_CHART_MAX_POINTS - 1] = -1;
	line_einval(&b, "a", "t", xl, CBW_CHART_MAX_POINTS, s, 2);
	v[CBW_CHART_MAX_POINTS - 1] = CBW_CHART_MAX_VALUE + 1;
	line_einval(&b, "a", "t", xl, CBW_CHART_MAX_POINTS, s, 2);
	v[CBW_CHART_MAX_POINTS - 1] = 0;
	xl[CBW_CHART_MAX_POINTS - 1] = NULL;
	line_einval(&b, "a", "t", xl, CBW_CHART_MAX_POINTS, s, 2);
	xl[CBW_CHART_MAX_POINTS - 1] = "x";
	/* Les bornes elles-mêmes passent. */
	assert_int_equal(cbw_chart_line(&b, "a-0", "", xl,
	    CBW_CHART_MAX_POINTS, s, CBW_CHART_MAX_SERIES), CBW_OK);
	assert_true(xml_wf(cbw_buf_str(&b)));
	/* Tampon déjà en échec d'allocation : CBW_ENOMEM. */
	cbw_buf_reset(&b);
	b.oom = 1;
	assert_int_equal(cbw_chart_line(&b, "a", "t", xl, 2, s, 1),
	    CBW_ENOMEM);
	cbw_buf_free(&b);
}

/* Appelle cbw_chart_donut et exige CBW_EINVAL sans rien écrire. */
static void
donut_einval(struct cbw_buf *b, const char *id, const char *title,
    const struct cbw_chart_slice *d, size_t n)
{
	cbw_buf_reset(b);
	assert_int_equal(cbw_chart_donut(b, id, title, d, n), CBW_EINVAL);
	assert_int_equal(b->len, 0);
}

/* Arguments refusés par cbw_chart_donut. */
static void
test_donut_einval(void **state)
{
	struct cbw_chart_slice	 d[CBW_CHART_MAX_SLICES + 1];
	struct cbw_buf		 b;
	size_t			 i;

	(void)state;
	for (i = 0; i <= CBW_CHART_MAX_SLICES; i++)
		d[i] = (struct cbw_chart_slice){ "l", "#000000", 1 };
	cbw_buf_init(&b);
	assert_int_equal(cbw_chart_donut(NULL, "a", "t", d, 1), CBW_EINVAL);
	donut_einval(&b, NULL, "t", d, 1);
	donut_einval(&b, "A", "t", d, 1);
	donut_einval(&b, "a", NULL, d, 1);
	donut_einval(&b, "a", "t", NULL, 1);
	donut_einval(&b, "a", "t", d, CBW_CHART_MAX_SLICES + 1);
	d[2].value = -1;
	donut_einval(&b, "a", "t", d, 3);
	d[2].value = CBW_CHART_MAX_VALUE + 1;
	donut_einval(&b, "a", "t", d, 3);
	d[2].value = 1;
	d[2].color = "#00000";
	donut_einval(&b, "a", "t", d, 3);
	d[2].color = "rgb(0,0,0)";
	donut_einval(&b, "a", "t", d, 3);
	d[2].color = "#000000";
	d[2].label = NULL;
	donut_einval(&b, "a", "t", d, 3);
	d[2].label = "l";
	assert_int_equal(cbw_chart_donut(&b, "a", "t", d,
	    CBW_CHART_MAX_SLICES), CBW_OK);
	cbw_buf_reset(&b);
	b.oom = 1;
	assert_int_equal(cbw_chart_donut(&b, "a", "t", d, 2), CBW_ENOMEM);
	cbw_buf_free(&b);
}

/* Nom tiré au hasard, avec caractères spéciaux et UTF-8, dans buf. */
static const char *
rnd_name(char *buf, size_t len)
{
	static const char *const tok[] = { "a", "Z", "0", " ", "<", ">", "&",
		"\"", "'", "`", "%", ";", "é", "😀", "\t", "\x01", "&amp;",
		"<script>", "]]>", "\xc2\xa0", "-->" };
	const char	*t;
	size_t		 n = cbw_t_below(30), i, used = 0;

	for (i = 0; i < n; i++) {
		t = tok[cbw_t_below(sizeof(tok) / sizeof(tok[0]))];
		if (used + strlen(t) < len) {
			memcpy(buf + used, t, strlen(t));
			used += strlen(t);
		}
	}
	buf[used] = '\0';
	return buf;
}

/* Valeur tirée au hasard : souvent 0 ou petite, parfois énorme. */
static long long
rnd_value(void)
{
	switch (cbw_t_below(6)) {
	case 0:
		return 0;
	case 1:
		return (long long)cbw_t_below(10);
	case 2:
		return (long long)cbw_t_below(100000);
	case 3:
		return (long long)(cbw_t_rnd() % 1000000000001ULL);
	case 4:
		return CBW_CHART_MAX_VALUE - (long long)cbw_t_below(3);
	default:
		return (long long)cbw_t_below(1000);
	}
}

/* Propriété : courbes tirées au hasard, toujours bien formées et justes. */
static void
test_prop_line(void **state)
{
	static long long	 v[CBW_CHART_MAX_SERIES][CBW_CHART_MAX_POINTS];
	static char		 lab[CBW_CHART_MAX_POINTS][48];
	static const char *const dashes[] = { NULL, "6 3", "2,2", "1.5 3" };
	const char		*xl[CBW_CHART_MAX_POINTS];
	struct cbw_chart_series	 s[CBW_CHART_MAX_SERIES];
	char			 names[CBW_CHART_MAX_SERIES][64], col[8][8];
	char			 title[64], *svg;
	size_t			 it, i, j, np, ns;
	int			 scale;

	(void)state;
	for (it = 0; it < NITER; it++) {
		np = cbw_t_below(4) == 0 ? 1 + cbw_t_below(31) :
		    1 + cbw_t_below(CBW_CHART_MAX_POINTS);
		ns = cbw_t_below(CBW_CHART_MAX_SERIES + 1);
		scale = (int)cbw_t_below(3);
		for (j = 0; j < np; j++)
			xl[j] = rnd_name(lab[j], sizeof(lab[j]));
		for (i = 0; i < ns; i++) {
			snprintf(col[i], sizeof(col[i]), "#%06x",
			    (unsigned)(cbw_t_rnd() & 0xffffff));
			s[i].name = rnd_name(names[i], sizeof(names[i]));
			s[i].color = col[i];
			s[i].dash = dashes[cbw_t_below(4)];
			s[i].values = v[i];
			for (j = 0; j < np; j++)
				v[i][j] = scale == 0 ? 0 : rnd_value();
		}
		svg = line_ok(rnd_name(title, sizeof(title)), xl, np, s, ns);
		free(svg);
	}
}

/* Propriété : anneaux tirés au hasard, bien formés, 100,0 % en tout. */
static void
test_prop_donut(void **state)
{
	struct cbw_chart_slice	 d[CBW_CHART_MAX_SLICES];
	char			 names[CBW_CHART_MAX_SLICES][64], title[64];
	char			 col[CBW_CHART_MAX_SLICES][8], *svg;
	size_t			 it, i, n;
	int			 zero;

	(void)state;
	for (it = 0; it < NITER; it++) {
		n = cbw_t_below(CBW_CHART_MAX_SLICES + 1);
		zero = cbw_t_below(5) == 0;
		for (i = 0; i < n; i++) {
			snprintf(col[i], sizeof(col[i]), "#%06X",
			    (unsigned)(cbw_t_rnd() & 0xffffff));
			d[i].label = rnd_name(names[i], sizeof(names[i]));
			d[i].color = col[i];
			d[i].value = zero ? 0 : rnd_value();
		}
		svg = donut_ok(rnd_name(title, sizeof(title)), d, n);
		free(svg);
	}
}

/*
 * cbw_statsview_number : groupes de trois chiffres séparés par U+202F, signe
 * gardé, plus grand et plus petit long long, et tampon trop court tronqué
 * sans débordement (toujours terminé par NUL).
 */
static void
test_number_grouping(void **state)
{
	static const struct { long long v; const char *want; } cases[] = {
		{ 0, "0" }, { 7, "7" }, { 999, "999" },
		{ 1000, "1\xe2\x80\xaf" "000" },
		{ 191720, "191\xe2\x80\xaf" "720" },
		{ 1000000, "1\xe2\x80\xaf" "000\xe2\x80\xaf" "000" },
		{ -1234, "-1\xe2\x80\xaf" "234" },
		{ -123, "-123" },
		{ 9223372036854775807LL, "9\xe2\x80\xaf" "223\xe2\x80\xaf"
		    "372\xe2\x80\xaf" "036\xe2\x80\xaf" "854\xe2\x80\xaf"
		    "775\xe2\x80\xaf" "807" },
	};
	char	 out[64], small[6];
	size_t	 i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cbw_statsview_number(cases[i].v, out, sizeof(out));
		assert_string_equal(out, cases[i].want);
	}
	cbw_statsview_number(-9223372036854775807LL - 1, out, sizeof(out));
	assert_int_equal(strlen(out), 38);
	memset(small, 'x', sizeof(small));
	cbw_statsview_number(1234567, small, sizeof(small));
	assert_true(memchr(small, '\0', sizeof(small)) != NULL);
	assert_true(strncmp(small, "1", 1) == 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wf_checker),
		cmocka_unit_test(test_line_basic),
		cmocka_unit_test(test_line_edges),
		cmocka_unit_test(test_line_365),
		cmocka_unit_test(test_line_xlabels),
		cmocka_unit_test(test_line_huge),
		cmocka_unit_test(test_line_legend),
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_donut_basic),
		cmocka_unit_test(test_donut_edges),
		cmocka_unit_test(test_donut_huge),
		cmocka_unit_test(test_line_einval),
		cmocka_unit_test(test_donut_einval),
		cmocka_unit_test(test_prop_line),
		cmocka_unit_test(test_prop_donut),
		cmocka_unit_test(test_number_grouping),
	};

	cbw_t_seed();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
