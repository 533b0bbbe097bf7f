/*
 * Moteur de gabarits (voir tmpl.h).
 *
 * Chaque fichier est analysé une seule fois en arbre (struct node), gardé
 * dans le jeu (struct cbw_tmpl_set). Le rendu parcourt l'arbre avec une
 * pile de contextes json-c. Des bornes (sections imbriquées, inclusions,
 * nombre d'étapes, taille de sortie) garantissent que n'importe quelle
 * source se termine sans planter.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "buf.h"
#include "err.h"
#include "html.h"
#include "tmpl.h"

#define TMPL_MAX_PARTIAL	16	/* inclusions {{> x}} imbriquées */
#define TMPL_MAX_SECT		32	/* sections imbriquées dans un fichier */
#define TMPL_MAX_FRAMES		(TMPL_MAX_SECT * (TMPL_MAX_PARTIAL + 1) + 1)
#define TMPL_MAX_NAME		64	/* longueur d'un nom de gabarit */
#define TMPL_MAX_FILE		(1024 * 1024)
#define TMPL_MAX_STEPS		(1UL << 22)	/* nœuds visités par rendu */
#define TMPL_MAX_OUT		(32UL * 1024 * 1024)	/* octets par rendu */
#define TMPL_CLIP		60	/* longueur max d'un extrait cité */
#define TMPL_STRING_NAME	"(chaîne)"

enum node_kind {
	N_TEXT, N_VAR, N_RAW, N_PARTIAL,
	N_IF, N_UNLESS, N_EACH, N_WITH, N_EQ, N_NE
};

enum path_kind { P_KEYS, P_DOT, P_INDEX, P_NUMBER, P_FIRST, P_LAST };

struct path {
	enum path_kind	 kind;
	char		*keys;	/* P_KEYS : segments séparés par NUL */
	size_t		 nseg;
};

struct arg {
	int		 is_lit;
	char		*lit;	/* littéral déséchappé, terminé par NUL */
	size_t		 litlen;
	struct path	 path;
};

struct node;

struct block {
	struct node	**v;
	size_t		  n, cap;
};

struct node {
	enum node_kind	 kind;
	int		 line;
	const char	*text;	/* N_TEXT : pointe dans la source */
	size_t		 len;
	char		*name;	/* N_PARTIAL */
	struct path	 path;	/* N_VAR, N_RAW, sections */
	struct arg	 rhs;	/* N_EQ, N_NE */
	struct block	 body, alt;
};

struct tmpl {
	char		*name;
	char		*fname;	/* "name.html", pour les messages */
	char		*src;	/* source, référencée par les nœuds texte */
	size_t		 len;
	struct block	 root;
};

struct cbw_tmpl_set {
	char		 *dir;
	struct tmpl	**v;
	size_t		  n, cap;
};

static const struct kw {
	const char	*name;
	enum node_kind	 kind;
	int		 nargs;
} kws[] = {
	{ "if",		N_IF,		1 },
	{ "unless",	N_UNLESS,	1 },
	{ "each",	N_EACH,		1 },
	{ "with",	N_WITH,		1 },
	{ "eq",		N_EQ,		2 },
	{ "ne",		N_NE,		2 },
};

/* ---------------------------------------------------------------------
 * Outils communs
 */

/*
 * Écrit "fname:line: message" dans errbuf (sans préfixe si fname est NULL,
 * sans numéro si line vaut 0). Ne fait rien si errbuf est NULL ou vide.
 */
static void
verr(char *errbuf, size_t errlen, const char *fname, int line,
    const char *fmt, va_list ap)
{
	int	 n = 0;

	if (errbuf == NULL || errlen == 0)
		return;
	if (fname != NULL && line > 0)
		n = snprintf(errbuf, errlen, "%s:%d: ", fname, line);
	else if (fname != NULL)
		n = snprintf(errbuf, errlen, "%s: ", fname);
	if (n < 0) {
		errbuf[0] = '\0';
		return;
	}
	if ((size_t)n < errlen)
		vsnprintf(errbuf + n, errlen - (size_t)n, fmt, ap);
}

/* Pose un message d'erreur (voir verr) ; renvoie toujours CBW_ETMPL. */
static enum cbw_err __attribute__((format(printf, 5, 6)))
set_err(char *errbuf, size_t errlen, const char *fname, int line,
    const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	verr(errbuf, errlen, fname, line, fmt, ap);
	va_end(ap);
	return CBW_ETMPL;
}

/* Longueur d'un extrait cité dans un message, bornée à TMPL_CLIP. */
static int
clip(size_t n)
{
	return n > TMPL_CLIP ? TMPL_CLIP : (int)n;
}

/* Copie `n` octets dans une chaîne terminée par NUL ; NULL si ENOMEM. */
static char *
xmemdup(const char *s, size_t n)
{
	char	*p;

	if ((p = malloc(n + 1)) == NULL)
		return NULL;
	if (n > 0)
		memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

/* Vrai si `c` est un blanc (espace, tabulation, fin de ligne...). */
static int
is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' ||
	    c == '\v' || c == '\f';
}

/* Vrai si (s, n) est un nom de gabarit valide : [a-z0-9_-]{1,64}. */
static int
valid_name(const char *s, size_t n)
{
	size_t	 i;

	if (n == 0 || n > TMPL_MAX_NAME)
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '_' || s[i] == '-'))
			return 0;
	return 1;
}

/* Rend le mot-clé d'un type de section ("if"...), "?" sinon. */
static const char *
kind_name(enum node_kind k)
{
	size_t	 i;

	for (i = 0; i < sizeof(kws) / sizeof(kws[0]); i++)
		if (kws[i].kind == k)
			return kws[i].name;
	return "?";
}

/* Cherche le mot-clé (s, n) ; rend son entrée ou NULL s'il est inconnu. */
static const struct kw *
find_kw(const char *s, size_t n)
{
	size_t	 i;

	for (i = 0; i < sizeof(kws) / sizeof(kws[0]); i++)
		if (strlen(kws[i].name) == n && memcmp(kws[i].name, s, n) == 0)
			return &kws[i];
	return NULL;
}

/* ---------------------------------------------------------------------
 * Arbre
 */

static void	node_free(struct node *);

/* Libère les nœuds d'un bloc et remet le bloc à vide. */
static void
block_free(struct block *b)
{
	size_t	 i;

	for (i = 0; i < b->n; i++)
		node_free(b->v[i]);
	free(b->v);
	b->v = NULL;
	b->n = b->cap = 0;
}

/* Libère un nœud et ses sous-arbres (NULL accepté). */
static void
node_free(struct node *nd)
{
	if (nd == NULL)
		return;
	free(nd->name);
	free(nd->path.keys);
	free(nd->rhs.lit);
	free(nd->rhs.path.keys);
	block_free(&nd->body);
	block_free(&nd->alt);
	free(nd);
}

/* Libère un gabarit chargé (NULL accepté). */
static void
tmpl_free(struct tmpl *t)
{
	if (t == NULL)
		return;
	block_free(&t->root);
	free(t->name);
	free(t->fname);
	free(t->src);
	free(t);
}

/*
 * Ajoute `nd` à la fin du bloc. Renvoie CBW_OK, ou CBW_ENOMEM (le nœud
 * n'est alors pas ajouté, l'appelant le garde).
 */
static enum cbw_err
block_add(struct block *b, struct node *nd)
{
	struct node	**v;
	size_t		  ncap;

	if (b->n == b->cap) {
		ncap = b->cap ? b->cap * 2 : 8;
		if (ncap > ((size_t)-1) / sizeof(*v))
			return CBW_ENOMEM;
		if ((v = realloc(b->v, ncap * sizeof(*v))) == NULL)
			return CBW_ENOMEM;
		b->v = v;
		b->cap = ncap;
	}
	b->v[b->n++] = nd;
	return CBW_OK;
}

/* ---------------------------------------------------------------------
 * Analyse
 */

struct open_sect {
	struct node	*node;
	int		 in_alt;	/* après {{else}} */
};

struct parser {
	const char		*src;
	size_t			 len, pos;
	int			 line;
	const char		*fname;
	struct block		*root;
	struct open_sect	 stack[TMPL_MAX_SECT];
	size_t			 depth;
	char			*errbuf;
	size_t			 errlen;
};

struct tok {
	const char	*s;
	size_t		 n;
	int		 quoted;	/* "littéral" : s/n sans les guillemets */
};

/* Pose une erreur de syntaxe à la ligne `line` ; renvoie CBW_ETMPL. */
static enum cbw_err __attribute__((format(printf, 3, 4)))
perr(struct parser *p, int line, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	verr(p->errbuf, p->errlen, p->fname, line, fmt, ap);
	va_end(ap);
	return CBW_ETMPL;
}

/* Rend le bloc où ajouter les nœuds : corps ou else de la section ouverte. */
static struct block *
cur_block(struct parser *p)
{
	struct open_sect	*top;

	if (p->depth == 0)
		return p->root;
	top = &p->stack[p->depth - 1];
	return top->in_alt ? &top->node->alt : &top->node->body;
}

/* Alloue un nœud vide ; rend NULL si la mémoire manque. */
static struct node *
node_new(enum node_kind kind, int line)
{
	struct node	*nd;

	if ((nd = calloc(1, sizeof(*nd))) == NULL)
		return NULL;
	nd->kind = kind;
	nd->line = line;
	return nd;
}

/*
 * Ajoute `nd` au bloc courant. Renvoie CBW_OK ou CBW_ENOMEM ; en cas
 * d'échec le nœud est libéré.
 */
static enum cbw_err
add_node(struct parser *p, struct node *nd)
{
	if (block_add(cur_block(p), nd) != CBW_OK) {
		node_free(nd);
		return CBW_ENOMEM;
	}
	return CBW_OK;
}

/* Ajoute un nœud texte (s, n) commençant à la ligne courante. */
static enum cbw_err
add_text(struct parser *p, const char *s, size_t n)
{
	struct node	*nd;

	if ((nd = node_new(N_TEXT, p->line)) == NULL)
		return CBW_ENOMEM;
	nd->text = s;
	nd->len = n;
	return add_node(p, nd);
}

/*
 * Lit le jeton suivant entre *cur et end (mot sans blanc, ou "littéral"
 * avec \" et \\). Renvoie 1 (jeton dans t), 0 (fin de balise) ou -1
 * (chaîne littérale non fermée).
 */
static int
next_tok(const char **cur, const char *end, struct tok *t)
{
	const char	*p = *cur;

	while (p < end && is_ws(*p))
		p++;
	if ((*cur = p) == end)
		return 0;
	if ((t->quoted = (*p == '"'))) {
		t->s = ++p;
		while (p < end && *p != '"')
			p += (*p == '\\' && p + 1 < end) ? 2 : 1;
		if (p >= end)
			return -1;
		t->n = (size_t)(p - t->s);
		*cur = p + 1;
		return 1;
	}
	t->s = p;
	while (p < end && !is_ws(*p))
		p++;
	t->n = (size_t)(p - t->s);
	*cur = p;
	return 1;
}

/* Vrai si `c` peut figurer dans une clé de chemin : [A-Za-z0-9_-]. */
static int
key_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '_' || c == '-';
}

/*
 * Analyse la variable spéciale (s, n) commençant par '@' dans `pa`.
 * Renvoie CBW_OK ou CBW_ETMPL (variable inconnue).
 */
static enum cbw_err
parse_special(struct parser *p, int line, const char *s, size_t n,
    struct path *pa)
{
	static const struct {
		const char	*name;
		enum path_kind	 kind;
	} sp[] = {
		{ "@index", P_INDEX }, { "@number", P_NUMBER },
		{ "@first", P_FIRST }, { "@last", P_LAST },
	};
	size_t	 i;

	for (i = 0; i < sizeof(sp) / sizeof(sp[0]); i++)
		if (strlen(sp[i].name) == n && memcmp(sp[i].name, s, n) == 0) {
			pa->kind = sp[i].kind;
			return CBW_OK;
		}
	return perr(p, line, "variable spéciale inconnue « %.*s »",
	    clip(n), s);
}

/*
 * Analyse le chemin (s, n) : ".", "@index"..., ou clés séparées par des
 * points. Renvoie CBW_OK, CBW_ETMPL (chemin vide ou invalide) ou
 * CBW_ENOMEM.
 */
static enum cbw_err
parse_path(struct parser *p, int line, const char *s, size_t n,
    struct path *pa)
{
	size_t	 i;

	memset(pa, 0, sizeof(*pa));
	if (n == 0)
		return perr(p, line, "chemin vide");
	if (n == 1 && s[0] == '.') {
		pa->kind = P_DOT;
		return CBW_OK;
	}
	if (s[0] == '@')
		return parse_special(p, line, s, n, pa);
	for (i = 0; i < n; i++)
		if (!key_char(s[i]) && !(s[i] == '.' && i > 0 &&
		    i + 1 < n && s[i - 1] != '.'))
			return perr(p, line, "chemin invalide « %.*s »",
			    clip(n), s);
	if ((pa->keys = xmemdup(s, n)) == NULL)
		return CBW_ENOMEM;
	pa->kind = P_KEYS;
	pa->nseg = 1;
	for (i = 0; i < n; i++)
		if (pa->keys[i] == '.') {
			pa->keys[i] = '\0';
			pa->nseg++;
		}
	return CBW_OK;
}

/* Vrai si (s, n) est un entier décimal littéral : -?[0-9]+. */
static int
is_number(const char *s, size_t n)
{
	size_t	 i = 0;

	if (n > 0 && s[0] == '-')
		i++;
	if (i == n)
		return 0;
	for (; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

/*
 * Analyse le second opérande de {{#eq}}/{{#ne}} : "littéral", entier
 * littéral, ou chemin. Renvoie CBW_OK, CBW_ETMPL ou CBW_ENOMEM.
 */
static enum cbw_err
parse_arg(struct parser *p, int line, const struct tok *t, struct arg *a)
{
	size_t	 i, j;

	if (!t->quoted && !is_number(t->s, t->n))
		return parse_path(p, line, t->s, t->n, &a->path);
	a->is_lit = 1;
	if ((a->lit = malloc(t->n + 1)) == NULL)
		return CBW_ENOMEM;
	for (i = j = 0; i < t->n; i++) {
		if (t->quoted && t->s[i] == '\\' && i + 1 < t->n &&
		    (t->s[i + 1] == '"' || t->s[i + 1] == '\\'))
			i++;
		a->lit[j++] = t->s[i];
	}
	a->lit[j] = '\0';
	a->litlen = j;
	return CBW_OK;
}

/*
 * Analyse les arguments d'une section `k` (cur..end) dans `nd` : un chemin,
 * plus un opérande pour eq/ne, rien d'autre. Renvoie CBW_OK, CBW_ETMPL ou
 * CBW_ENOMEM.
 */
static enum cbw_err
parse_sect_args(struct parser *p, int line, const struct kw *k,
    const char *cur, const char *end, struct node *nd)
{
	struct tok	 t;
	enum cbw_err	 er;
	int		 r;

	if ((r = next_tok(&cur, end, &t)) < 0)
		return perr(p, line, "chaîne littérale non fermée");
	if (r == 0)
		return perr(p, line, "chemin vide dans {{#%s}}", k->name);
	if (t.quoted)
		return perr(p, line, "{{#%s}} attend un chemin, pas une chaîne",
		    k->name);
	if ((er = parse_path(p, line, t.s, t.n, &nd->path)) != CBW_OK)
		return er;
	if (k->nargs == 2) {
		if ((r = next_tok(&cur, end, &t)) < 0)
			return perr(p, line, "chaîne littérale non fermée");
		if (r == 0)
			return perr(p, line, "second opérande manquant dans "
			    "{{#%s}}", k->name);
		if ((er = parse_arg(p, line, &t, &nd->rhs)) != CBW_OK)
			return er;
	}
	if (next_tok(&cur, end, &t) != 0)
		return perr(p, line, "argument en trop dans {{#%s}}", k->name);
	return CBW_OK;
}

/*
 * Analyse une ouverture de section {{#kw ...}} (s, n sans le '#') et
 * l'empile. Renvoie CBW_OK, CBW_ETMPL ou CBW_ENOMEM.
 */
static enum cbw_err
parse_open(struct parser *p, const char *s, size_t n, int line)
{
	const char		*cur = s, *end = s + n;
	const struct kw		*k;
	struct node		*nd;
	struct tok		 kw;
	enum cbw_err		 er;

	if (next_tok(&cur, end, &kw) != 1 || kw.quoted)
		return perr(p, line, "mot-clé manquant après {{#");
	if ((k = find_kw(kw.s, kw.n)) == NULL)
		return perr(p, line, "mot-clé inconnu {{#%.*s}}",
		    clip(kw.n), kw.s);
	if (p->depth >= TMPL_MAX_SECT)
		return perr(p, line, "sections imbriquées trop profondément "
		    "(max %d)", TMPL_MAX_SECT);
	if ((nd = node_new(k->kind, line)) == NULL)
		return CBW_ENOMEM;
	if ((er = parse_sect_args(p, line, k, cur, end, nd)) != CBW_OK) {
		node_free(nd);
		return er;
	}
	if ((er = add_node(p, nd)) != CBW_OK)
		return er;
	p->stack[p->depth].node = nd;
	p->stack[p->depth].in_alt = 0;
	p->depth++;
	return CBW_OK;
}

/*
 * Analyse une fermeture {{/kw}} (s, n sans le '/') : elle doit fermer la
 * section ouverte la plus interne. Renvoie CBW_OK ou CBW_ETMPL.
 */
static enum cbw_err
parse_close(struct parser *p, const char *s, size_t n, int line)
{
	const char		*cur = s, *end = s + n, *name;
	struct open_sect	*top;
	struct tok		 kw, t;

	if (next_tok(&cur, end, &kw) != 1 || kw.quoted)
		return perr(p, line, "mot-clé manquant après {{/");
	if (next_tok(&cur, end, &t) != 0)
		return perr(p, line, "argument en trop dans {{/%.*s}}",
		    clip(kw.n), kw.s);
	if (p->depth == 0)
		return perr(p, line, "{{/%.*s}} sans section ouverte",
		    clip(kw.n), kw.s);
	top = &p->stack[p->depth - 1];
	name = kind_name(top->node->kind);
	if (strlen(name) != kw.n || memcmp(name, kw.s, kw.n) != 0)
		return perr(p, line, "{{/%.*s}} ne ferme pas {{#%s}} ouvert "
		    "ligne %d", clip(kw.n), kw.s, name, top->node->line);
	p->depth--;
	return CBW_OK;
}

/* Analyse {{else}} : bascule la section ouverte. CBW_OK ou CBW_ETMPL. */
static enum cbw_err
parse_else(struct parser *p, int line)
{
	struct open_sect	*top;

	if (p->depth == 0)
		return perr(p, line, "{{else}} hors d'une section");
	top = &p->stack[p->depth - 1];
	if (top->in_alt)
		return perr(p, line, "{{else}} en double dans {{#%s}} ouvert "
		    "ligne %d", kind_name(top->node->kind), top->node->line);
	top->in_alt = 1;
	return CBW_OK;
}

/*
 * Analyse un partiel {{> nom}} (s, n sans le '>'). Renvoie CBW_OK,
 * CBW_ETMPL (nom manquant ou invalide) ou CBW_ENOMEM.
 */
static enum cbw_err
parse_partial(struct parser *p, const char *s, size_t n, int line)
{
	const char	*cur = s, *end = s + n;
	struct node	*nd;
	struct tok	 t, extra;
	int		 r;

	if ((r = next_tok(&cur, end, &t)) == 0)
		return perr(p, line, "nom de gabarit partiel manquant");
	if (r < 0 || t.quoted || !valid_name(t.s, t.n)) {
		while (n > 0 && is_ws(*s)) {
			s++;
			n--;
		}
		return perr(p, line, "nom de gabarit partiel invalide « %.*s »",
		    clip(n), s);
	}
	if (next_tok(&cur, end, &extra) != 0)
		return perr(p, line, "argument en trop dans {{>%.*s}}",
		    clip(n), s);
	if ((nd = node_new(N_PARTIAL, line)) == NULL)
		return CBW_ENOMEM;
	if ((nd->name = xmemdup(t.s, t.n)) == NULL) {
		node_free(nd);
		return CBW_ENOMEM;
	}
	return add_node(p, nd);
}

/*
 * Analyse une sortie de valeur {{chemin}} ou {{raw chemin}} (kind).
 * Renvoie CBW_OK, CBW_ETMPL ou CBW_ENOMEM.
 */
static enum cbw_err
parse_var(struct parser *p, const char *s, size_t n, int line,
    enum node_kind kind)
{
	const char	*cur = s, *end = s + n;
	struct node	*nd;
	struct tok	 t, extra;
	enum cbw_err	 er;
	int		 r;

	if ((r = next_tok(&cur, end, &t)) == 0)
		return perr(p, line, "chemin vide");
	if (r < 0 || t.quoted)
		return perr(p, line, "chemin invalide « %.*s »", clip(n), s);
	if (next_tok(&cur, end, &extra) != 0)
		return perr(p, line, "expression invalide « %.*s »", clip(n), s);
	if ((nd = node_new(kind, line)) == NULL)
		return CBW_ENOMEM;
	if ((er = parse_path(p, line, t.s, t.n, &nd->path)) != CBW_OK) {
		node_free(nd);
		return er;
	}
	return add_node(p, nd);
}

/*
 * Analyse le contenu d'une balise (entre {{ et }}) et l'ajoute à l'arbre.
 * Renvoie CBW_OK, CBW_ETMPL ou CBW_ENOMEM.
 */
static enum cbw_err
parse_tag(struct parser *p, const char *s, size_t n, int line)
{
	while (n > 0 && is_ws(s[0])) {
		s++;
		n--;
	}
	while (n > 0 && is_ws(s[n - 1]))
		n--;
	if (n == 0)
		return perr(p, line, "chemin vide");
	switch (s[0]) {
	case '!':
		return CBW_OK;
	case '#':
		return parse_open(p, s + 1, n - 1, line);
	case '/':
		return parse_close(p, s + 1, n - 1, line);
	case '>':
		return parse_partial(p, s + 1, n - 1, line);
	default:
		break;
	}
	if (n == 4 && memcmp(s, "else", 4) == 0)
		return parse_else(p, line);
	if (n > 4 && memcmp(s, "raw", 3) == 0 && is_ws(s[3]))
		return parse_var(p, s + 4, n - 4, line, N_RAW);
	return parse_var(p, s, n, line, N_VAR);
}

/* Rend la position du premier « cc » dans (s, n), ou n s'il n'y en a pas. */
static size_t
find2(const char *s, size_t n, char c)
{
	const char	*q;
	size_t		 i = 0;

	while (i + 1 < n && (q = memchr(s + i, c, n - i - 1)) != NULL) {
		i = (size_t)(q - s);
		if (s[i + 1] == c)
			return i;
		i++;
	}
	return n;
}

/* Compte les fins de ligne dans (s, n), sans dépasser INT_MAX / 2. */
static int
count_nl(const char *s, size_t n, int line)
{
	const char	*q, *end = s + n;

	while (s < end && (q = memchr(s, '\n', (size_t)(end - s))) != NULL) {
		if (line < 0x3fffffff)
			line++;
		s = q + 1;
	}
	return line;
}

/*
 * Analyse l'étape suivante : un texte puis, s'il y en a une, une balise.
 * Renvoie CBW_OK, CBW_ETMPL ou CBW_ENOMEM.
 */
static enum cbw_err
parse_step(struct parser *p)
{
	const char	*s = p->src + p->pos;
	size_t		 rest = p->len - p->pos, open, close;
	enum cbw_err	 er;
	int		 line;

	open = find2(s, rest, '{');
	if (open > 0) {
		if ((er = add_text(p, s, open)) != CBW_OK)
			return er;
		p->line = count_nl(s, open, p->line);
	}
	if (open == rest) {
		p->pos = p->len;
		return CBW_OK;
	}
	close = find2(s + open + 2, rest - open - 2, '}');
	if (close == rest - open - 2)
		return perr(p, p->line, "balise « {{ » non fermée");
	line = p->line;
	if ((er = parse_tag(p, s + open + 2, close, line)) != CBW_OK)
		return er;
	p->line = count_nl(s + open, close + 2, p->line);
	p->pos += open + close + 4;
	return CBW_OK;
}

/*
 * Analyse la source (src, len) en arbre dans `root` ; fname sert aux
 * messages. Renvoie CBW_OK, ou CBW_ETMPL (message dans errbuf) ou
 * CBW_ENOMEM ; en cas d'échec `root` est vidé.
 */
static enum cbw_err
parse(const char *fname, const char *src, size_t len, struct block *root,
    char *errbuf, size_t errlen)
{
	struct parser	*p;
	struct node	*top;
	enum cbw_err	 er = CBW_OK;

	if ((p = calloc(1, sizeof(*p))) == NULL)
		return CBW_ENOMEM;
	p->src = src;
	p->len = len;
	p->line = 1;
	p->fname = fname;
	p->root = root;
	p->errbuf = errbuf;
	p->errlen = errlen;
	while (er == CBW_OK && p->pos < p->len)
		er = parse_step(p);
	if (er == CBW_OK && p->depth > 0) {
		top = p->stack[p->depth - 1].node;
		er = perr(p, top->line, "section {{#%s}} non fermée",
		    kind_name(top->kind));
	}
	if (er != CBW_OK)
		block_free(root);
	free(p);
	return er;
}

/* ---------------------------------------------------------------------
 * Jeu de gabarits
 */

/*
 * Lit tout le fichier `path` dans `b` (au plus TMPL_MAX_FILE octets).
 * Renvoie CBW_OK, CBW_ENOMEM, ou CBW_EIO avec la cause dans *errnum.
 */
static enum cbw_err
read_file(const char *path, struct cbw_buf *b, int *errnum)
{
	FILE		*fp;
	size_t		 n;
	enum cbw_err	 er = CBW_OK;

	if ((fp = fopen(path, "r")) == NULL) {
		*errnum = errno;
		return CBW_EIO;
	}
	for (;;) {
		if (cbw_buf_reserve(b, 4096) != CBW_OK) {
			er = CBW_ENOMEM;
			break;
		}
		n = fread(b->data + b->len, 1, 4096, fp);
		b->len += n;
		b->data[b->len] = '\0';
		if (n < 4096) {
			if (ferror(fp)) {
				*errnum = errno != 0 ? errno : EIO;
				er = CBW_EIO;
			}
			break;
		}
		if (b->len > TMPL_MAX_FILE) {
			*errnum = EFBIG;
			er = CBW_EIO;
			break;
		}
	}
	fclose(fp);
	return er;
}

/*
 * Lit et analyse dir/name.html. Renvoie CBW_OK (gabarit dans *out),
 * CBW_EIO (fichier illisible, cause dans *errnum), CBW_ETMPL (erreur de
 * syntaxe, message dans errbuf) ou CBW_ENOMEM.
 */
static enum cbw_err
tmpl_load(const struct cbw_tmpl_set *set, const char *name,
    struct tmpl **out, char *errbuf, size_t errlen, int *errnum)
{
	char		 path[4096];
	struct cbw_buf	 b;
	struct tmpl	*t;
	enum cbw_err	 er;
	int		 n;

	n = snprintf(path, sizeof(path), "%s/%s.html", set->dir, name);
	if (n < 0 || (size_t)n >= sizeof(path)) {
		*errnum = ENAMETOOLONG;
		return CBW_EIO;
	}
	cbw_buf_init(&b);
	if ((er = read_file(path, &b, errnum)) != CBW_OK) {
		cbw_buf_free(&b);
		return er;
	}
	if ((t = calloc(1, sizeof(*t))) == NULL) {
		cbw_buf_free(&b);
		return CBW_ENOMEM;
	}
	t->src = b.data;
	t->len = b.len;
	t->name = xmemdup(name, strlen(name));
	t->fname = malloc(strlen(name) + sizeof(".html"));
	if (t->name == NULL || t->fname == NULL) {
		tmpl_free(t);
		return CBW_ENOMEM;
	}
	snprintf(t->fname, strlen(name) + sizeof(".html"), "%s.html", name);
	er = parse(t->fname, t->src, t->len, &t->root, errbuf, errlen);
	if (er != CBW_OK) {
		tmpl_free(t);
		return er;
	}
	*out = t;
	return CBW_OK;
}

/*
 * Rend le gabarit `name` du jeu, en le chargeant au premier usage.
 * Renvoie CBW_OK (*out), CBW_EIO (*errnum), CBW_ETMPL ou CBW_ENOMEM.
 * Un gabarit en erreur n'est pas gardé : il sera relu la fois suivante.
 */
static enum cbw_err
set_get(struct cbw_tmpl_set *set, const char *name, struct tmpl **out,
    char *errbuf, size_t errlen, int *errnum)
{
	struct tmpl	**v;
	size_t		  i, ncap;
	enum cbw_err	  er;

	for (i = 0; i < set->n; i++)
		if (strcmp(set->v[i]->name, name) == 0) {
			*out = set->v[i];
			return CBW_OK;
		}
	if (set->n == set->cap) {
		ncap = set->cap ? set->cap * 2 : 16;
		if ((v = realloc(set->v, ncap * sizeof(*v))) == NULL)
			return CBW_ENOMEM;
		set->v = v;
		set->cap = ncap;
	}
	if ((er = tmpl_load(set, name, out, errbuf, errlen, errnum)) !=
	    CBW_OK)
		return er;
	set->v[set->n++] = *out;
	return CBW_OK;
}

/*
 * Crée un jeu de gabarits pour le répertoire `dir` ("." si NULL), sans
 * rien lire. Rend le jeu, ou NULL si la mémoire manque.
 */
struct cbw_tmpl_set *
cbw_tmpl_open(const char *dir)
{
	struct cbw_tmpl_set	*set;

	if (dir == NULL)
		dir = ".";
	if ((set = calloc(1, sizeof(*set))) == NULL)
		return NULL;
	if ((set->dir = xmemdup(dir, strlen(dir))) == NULL) {
		free(set);
		return NULL;
	}
	return set;
}

/* Libère le jeu et tous les gabarits en cache (NULL accepté). */
void
cbw_tmpl_close(struct cbw_tmpl_set *set)
{
	size_t	 i;

	if (set == NULL)
		return;
	for (i = 0; i < set->n; i++)
		tmpl_free(set->v[i]);
	free(set->v);
	free(set->dir);
	free(set);
}

/* ---------------------------------------------------------------------
 * Rendu
 */

struct frame {
	struct json_object	*obj;	/* NULL : null json ou absent */
	int			 each;	/* élément d'un {{#each}} */
	size_t			 idx, count;
};

struct rctx {
	struct cbw_tmpl_set	*set;
	struct cbw_buf		*out;
	size_t			 out0;	/* out->len au début du rendu */
	unsigned long		 steps;
	int			 depth;	/* inclusions en cours */
	const char		*fname;	/* fichier en cours, pour les messages */
	char			*errbuf;
	size_t			 errlen;
	size_t			 nframes;
	struct frame		 frames[TMPL_MAX_FRAMES];
};

enum val_kind { V_JSON, V_INT, V_BOOL };

struct val {
	enum val_kind		 kind;
	struct json_object	*j;	/* V_JSON ; NULL : absent ou null */
	long long		 i;	/* V_INT, V_BOOL */
};

/* Pose une erreur de rendu à la ligne `line` ; renvoie CBW_ETMPL. */
static enum cbw_err __attribute__((format(printf, 3, 4)))
rerr(struct rctx *r, int line, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	verr(r->errbuf, r->errlen, r->fname, line, fmt, ap);
	va_end(ap);
	return CBW_ETMPL;
}

static enum cbw_err	render_block(struct rctx *, const struct block *);

/*
 * Cherche un chemin à clés : le premier segment du contexte le plus
 * interne vers l'extérieur, les suivants comme clés d'objet. Rend la
 * valeur, ou NULL si elle manque (ou vaut null).
 */
static struct json_object *
lookup_keys(const struct rctx *r, const struct path *pa)
{
	struct json_object	*cur = NULL, *o;
	const char		*k = pa->keys;
	size_t			 f, i;
	int			 found = 0;

	for (f = r->nframes; f > 0 && !found; f--) {
		o = r->frames[f - 1].obj;
		if (json_object_is_type(o, json_type_object) &&
		    json_object_object_get_ex(o, k, &cur))
			found = 1;
	}
	if (!found)
		return NULL;
	for (i = 1; i < pa->nseg; i++) {
		k += strlen(k) + 1;
		if (!json_object_is_type(cur, json_type_object) ||
		    !json_object_object_get_ex(cur, k, &cur))
			return NULL;
	}
	return cur;
}

/* Rend le cadre {{#each}} le plus interne, ou NULL hors de tout each. */
static const struct frame *
each_frame(const struct rctx *r)
{
	size_t	 f;

	for (f = r->nframes; f > 0; f--)
		if (r->frames[f - 1].each)
			return &r->frames[f - 1];
	return NULL;
}

/* Évalue le chemin `pa` dans le contexte courant ; résultat dans *v. */
static void
resolve(const struct rctx *r, const struct path *pa, struct val *v)
{
	const struct frame	*f;

	memset(v, 0, sizeof(*v));
	v->kind = V_JSON;
	if (pa->kind == P_DOT) {
		v->j = r->frames[r->nframes - 1].obj;
		return;
	}
	if (pa->kind == P_KEYS) {
		v->j = lookup_keys(r, pa);
		return;
	}
	if ((f = each_frame(r)) == NULL)
		return;
	v->kind = (pa->kind == P_FIRST || pa->kind == P_LAST) ? V_BOOL : V_INT;
	if (pa->kind == P_INDEX)
		v->i = (long long)f->idx;
	else if (pa->kind == P_NUMBER)
		v->i = (long long)f->idx + 1;
	else if (pa->kind == P_FIRST)
		v->i = f->idx == 0;
	else
		v->i = f->idx + 1 == f->count;
}

/*
 * Formate un nombre json-c (entier ou double) dans tmp et rend sa
 * longueur. Un double entier s'écrit sans décimale, sinon avec "%.1f".
 */
static size_t
num_text(struct json_object *j, char *tmp, size_t tmplen)
{
	double	 d;
	int64_t	 i;
	int	 n;

	if (json_object_is_type(j, json_type_int)) {
		if ((i = json_object_get_int64(j)) == INT64_MAX)
			n = snprintf(tmp, tmplen, "%llu",
			    (unsigned long long)json_object_get_uint64(j));
		else
			n = snprintf(tmp, tmplen, "%lld", (long long)i);
	} else {
		d = json_object_get_double(j);
		if (isfinite(d) && (d >= 9007199254740992.0 ||
		    d <= -9007199254740992.0 || d == (double)(int64_t)d))
			n = snprintf(tmp, tmplen, "%.0f", d + 0.0);
		else
			n = snprintf(tmp, tmplen, "%.1f", d);
	}
	if (n < 0)
		return 0;
	return (size_t)n < tmplen ? (size_t)n : tmplen - 1;
}

/*
 * Forme imprimée de *v dans (*s, *n), terminée par NUL ; tmp sert de
 * stockage aux nombres. Vide pour absent, null, objet et tableau.
 */
static void
val_text(const struct val *v, char *tmp, size_t tmplen, const char **s,
    size_t *n)
{
	*s = "";
	*n = 0;
	if (v->kind == V_BOOL || (v->kind == V_JSON &&
	    json_object_is_type(v->j, json_type_boolean))) {
		*s = (v->kind == V_BOOL ? v->i : json_object_get_boolean(v->j))
		    ? "true" : "false";
		*n = strlen(*s);
	} else if (v->kind == V_INT) {
		*n = (size_t)snprintf(tmp, tmplen, "%lld", v->i);
		*s = tmp;
	} else if (json_object_is_type(v->j, json_type_string)) {
		*s = json_object_get_string(v->j);
		*n = (size_t)json_object_get_string_len(v->j);
	} else if (json_object_is_type(v->j, json_type_int) ||
	    json_object_is_type(v->j, json_type_double)) {
		*n = num_text(v->j, tmp, tmplen);
		*s = tmp;
	}
}

/*
 * Vrai si *v est « vraie » : présente et ni null, false, 0, "", tableau
 * vide ni objet vide.
 */
static int
val_truthy(const struct val *v)
{
	struct json_object	*j = v->j;

	if (v->kind != V_JSON)
		return v->i != 0;
	switch (json_object_get_type(j)) {
	case json_type_boolean:
		return json_object_get_boolean(j);
	case json_type_int:
		return json_object_get_int64(j) != 0;
	case json_type_double:
		return json_object_get_double(j) != 0.0;
	case json_type_string:
		return json_object_get_string_len(j) > 0;
	case json_type_array:
		return json_object_array_length(j) > 0;
	case json_type_object:
		return json_object_object_length(j) > 0;
	default:
		return 0;
	}
}

/*
 * Empile un contexte. Renvoie CBW_OK, ou CBW_ETMPL si la pile est pleine
 * (ne peut arriver qu'au-delà des bornes d'imbrication).
 */
static enum cbw_err
push_frame(struct rctx *r, int line, struct json_object *obj, int each,
    size_t idx, size_t count)
{
	struct frame	*f;

	if (r->nframes >= TMPL_MAX_FRAMES)
		return rerr(r, line, "contextes imbriqués trop profondément");
	f = &r->frames[r->nframes++];
	f->obj = obj;
	f->each = each;
	f->idx = idx;
	f->count = count;
	return CBW_OK;
}

/*
 * Sort la valeur d'un {{chemin}} (échappée) ou {{raw chemin}} (telle
 * quelle). Renvoie CBW_OK ou CBW_ENOMEM.
 */
static enum cbw_err
render_var(struct rctx *r, const struct node *nd)
{
	struct val	 v;
	char		 tmp[512];
	const char	*s;
	size_t		 n;

	resolve(r, &nd->path, &v);
	val_text(&v, tmp, sizeof(tmp), &s, &n);
	if (nd->kind == N_RAW)
		return cbw_html_raw(r->out, s);
	return cbw_html_txtn(r->out, s, n);
}

/*
 * Compare les formes imprimées des deux opérandes d'un {{#eq}}/{{#ne}}.
 * Rend 1 si elles sont égales, 0 sinon.
 */
static int
eq_test(const struct rctx *r, const struct node *nd)
{
	struct val	 v;
	char		 ta[512], tb[512];
	const char	*a, *b;
	size_t		 na, nb;

	resolve(r, &nd->path, &v);
	val_text(&v, ta, sizeof(ta), &a, &na);
	if (nd->rhs.is_lit) {
		b = nd->rhs.lit;
		nb = nd->rhs.litlen;
	} else {
		resolve(r, &nd->rhs.path, &v);
		val_text(&v, tb, sizeof(tb), &b, &nb);
	}
	return na == nb && memcmp(a, b, na) == 0;
}

/*
 * Rend le corps de {{#each}} pour chaque élément du tableau (qui devient
 * le contexte le plus interne), ou le bloc else si le tableau est vide
 * ou absent. Renvoie CBW_OK, CBW_ETMPL ou CBW_ENOMEM.
 */
static enum cbw_err
render_each(struct rctx *r, const struct node *nd)
{
	struct val	 v;
	size_t		 i, n;
	enum cbw_err	 er;

	resolve(r, &nd->path, &v);
	if (v.kind != V_JSON || !json_object_is_type(v.j, json_type_array) ||
	    (n = json_object_array_length(v.j)) == 0)
		return render_block(r, &nd->alt);
	for (i = 0; i < n; i++) {
		if (++r->steps > TMPL_MAX_STEPS)
			return rerr(r, nd->line, "rendu trop long");
		er = push_frame(r, nd->line,
		    json_object_array_get_idx(v.j, i), 1, i, n);
		if (er != CBW_OK)
			return er;
		er = render_block(r, &nd->body);
		r->nframes--;
		if (er != CBW_OK)
			return er;
	}
	return CBW_OK;
}

/*
 * Rend le corps de {{#with}} avec la valeur comme contexte le plus
 * interne, ou le bloc else si elle est absente ou null.
 */
static enum cbw_err
render_with(struct rctx *r, const struct node *nd)
{
	struct val	 v;
	enum cbw_err	 er;

	resolve(r, &nd->path, &v);
	if (v.kind != V_JSON || v.j == NULL)
		return render_block(r, &nd->alt);
	if ((er = push_frame(r, nd->line, v.j, 0, 0, 0)) != CBW_OK)
		return er;
	er = render_block(r, &nd->body);
	r->nframes--;
	return er;
}

/*
 * Rend le partiel {{> nom}} avec la pile de contextes courante.
 * Renvoie CBW_OK, CBW_ETMPL (pas de répertoire, partiel introuvable ou
 * invalide, inclusions trop profondes) ou CBW_ENOMEM.
 */
static enum cbw_err
render_partial(struct rctx *r, const struct node *nd)
{
	struct tmpl	*t;
	const char	*saved;
	enum cbw_err	 er;
	int		 errnum = 0;

	if (r->set == NULL)
		return rerr(r, nd->line, "gabarit partiel « %s » impossible : "
		    "aucun répertoire de gabarits", nd->name);
	if (r->depth >= TMPL_MAX_PARTIAL)
		return rerr(r, nd->line, "inclusions trop profondes (max %d) "
		    "en incluant « %s »", TMPL_MAX_PARTIAL, nd->name);
	er = set_get(r->set, nd->name, &t, r->errbuf, r->errlen, &errnum);
	if (er == CBW_EIO)
		return rerr(r, nd->line, "gabarit partiel « %s » introuvable "
		    "(%s)", nd->name, strerror(errnum));
	if (er != CBW_OK)
		return er;
	saved = r->fname;
	r->fname = t->fname;
	r->depth++;
	er = render_block(r, &t->root);
	r->depth--;
	r->fname = saved;
	return er;
}

/* Rend un nœud. Renvoie CBW_OK, CBW_ETMPL ou CBW_ENOMEM. */
static enum cbw_err
render_node(struct rctx *r, const struct node *nd)
{
	struct val	 v;
	int		 yes;

	switch (nd->kind) {
	case N_TEXT:
		return cbw_buf_put(r->out, nd->text, nd->len);
	case N_VAR:
	case N_RAW:
		return render_var(r, nd);
	case N_PARTIAL:
		return render_partial(r, nd);
	case N_EACH:
		return render_each(r, nd);
	case N_WITH:
		return render_with(r, nd);
	case N_IF:
	case N_UNLESS:
		resolve(r, &nd->path, &v);
		yes = val_truthy(&v) == (nd->kind == N_IF);
		break;
	case N_EQ:
	case N_NE:
		yes = eq_test(r, nd) == (nd->kind == N_EQ);
		break;
	default:
		return CBW_OK;
	}
	return render_block(r, yes ? &nd->body : &nd->alt);
}

/*
 * Rend les nœuds d'un bloc dans l'ordre, en tenant les compteurs de
 * bornes. Renvoie CBW_OK, CBW_ETMPL ou CBW_ENOMEM.
 */
static enum cbw_err
render_block(struct rctx *r, const struct block *b)
{
	enum cbw_err	 er;
	size_t		 i;

	for (i = 0; i < b->n; i++) {
		if (++r->steps > TMPL_MAX_STEPS)
			return rerr(r, b->v[i]->line, "rendu trop long");
		if (r->out->len - r->out0 > TMPL_MAX_OUT)
			return rerr(r, b->v[i]->line, "sortie trop volumineuse");
		if ((er = render_node(r, b->v[i])) != CBW_OK)
			return er;
	}
	return CBW_OK;
}

/*
 * Rend l'arbre `root` (fichier fname) avec le contexte racine ctx à la
 * suite de out. Renvoie CBW_OK, CBW_ETMPL ou CBW_ENOMEM.
 */
static enum cbw_err
render_tree(struct cbw_tmpl_set *set, const char *fname,
    const struct block *root, struct json_object *ctx, struct cbw_buf *out,
    char *errbuf, size_t errlen)
{
	struct rctx	*r;
	enum cbw_err	 er;

	if ((r = calloc(1, sizeof(*r))) == NULL)
		return CBW_ENOMEM;
	r->set = set;
	r->out = out;
	r->out0 = out->len;
	r->fname = fname;
	r->errbuf = errbuf;
	r->errlen = errlen;
	r->frames[0].obj = ctx;
	r->nframes = 1;
	er = render_block(r, root);
	free(r);
	return er;
}

/*
 * Rend le gabarit `name` du jeu (chargé et analysé au premier usage) avec
 * le contexte ctx, à la suite de out. Renvoie CBW_OK, CBW_ETMPL (message
 * dans errbuf) ou CBW_ENOMEM.
 */
enum cbw_err
cbw_tmpl_render(struct cbw_tmpl_set *set, const char *name,
    struct json_object *ctx, struct cbw_buf *out, char *errbuf, size_t errlen)
{
	struct tmpl	*t;
	enum cbw_err	 er;
	int		 errnum = 0;

	if (errbuf != NULL && errlen > 0)
		errbuf[0] = '\0';
	if (set == NULL || out == NULL)
		return set_err(errbuf, errlen, NULL, 0, "jeu de gabarits ou "
		    "tampon absent");
	if (name == NULL || !valid_name(name, strlen(name)))
		return set_err(errbuf, errlen, NULL, 0, "nom de gabarit "
		    "invalide « %.*s »", name ? clip(strlen(name)) : 0,
		    name ? name : "");
	er = set_get(set, name, &t, errbuf, errlen, &errnum);
	if (er == CBW_EIO)
		return set_err(errbuf, errlen, NULL, 0, "%s.html: gabarit "
		    "introuvable (%s)", name, strerror(errnum));
	if (er != CBW_OK)
		return er;
	return render_tree(set, t->fname, &t->root, ctx, out, errbuf, errlen);
}

/*
 * Analyse puis rend le gabarit (src, len) sans le garder ; les partiels
 * viennent du jeu `set` (NULL : tout partiel est une erreur). Renvoie
 * CBW_OK, CBW_ETMPL (message dans errbuf) ou CBW_ENOMEM.
 */
enum cbw_err
cbw_tmpl_render_string(struct cbw_tmpl_set *set, const char *src, size_t len,
    struct json_object *ctx, struct cbw_buf *out, char *errbuf, size_t errlen)
{
	struct block	 root;
	enum cbw_err	 er;

	if (errbuf != NULL && errlen > 0)
		errbuf[0] = '\0';
	if (out == NULL || (src == NULL && len > 0))
		return set_err(errbuf, errlen, NULL, 0, "source ou tampon "
		    "absent");
	memset(&root, 0, sizeof(root));
	er = parse(TMPL_STRING_NAME, src != NULL ? src : "", len, &root,
	    errbuf, errlen);
	if (er != CBW_OK)
		return er;
	er = render_tree(set, TMPL_STRING_NAME, &root, ctx, out, errbuf,
	    errlen);
	block_free(&root);
	return er;
}
