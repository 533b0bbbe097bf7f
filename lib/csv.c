/*
 * Lecture et écriture CSV (voir csv.h).
 *
 * Le lecteur travaille sur une copie décodée en UTF-8 du fichier, terminée
 * par un NUL sentinelle : les boucles de découpage s'arrêtent sur une
 * table de classes d'octets sans tester la fin à chaque octet. Un champ
 * n'est recopié (déguillemetage sur place) que s'il contient "" ou du
 * texte après son guillemet fermant.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "valid.h"

/* Classes d'octets pour le découpage. */
#define C_DELIM		0x01
#define C_CR		0x02
#define C_LF		0x04
#define C_NUL		0x08
#define C_QUOTE		0x10
#define C_SPACE		0x20
#define STOP_PLAIN	(C_DELIM | C_CR | C_LF | C_NUL)
#define STOP_QUOTED	(C_QUOTE | C_CR | C_LF | C_NUL)

#define SNIFF_LINES	20	/* lignes examinées pour deviner le séparateur */
#define HDR_MAX		48	/* longueur maximale d'un en-tête réduit */

#define MSG_NUL		"Caractère nul (octet 0) dans la ligne : fichier " \
			"binaire ou mal enregistré ?"
#define MSG_COLS	"Trop de colonnes (256 au maximum)."
#define MSG_QUOTE	"Guillemet ouvrant sans guillemet fermant."

struct cbw_csv {
	char			*buf;	/* texte UTF-8, buf[len] == NUL */
	size_t			 len;
	size_t			 pos;	/* début du prochain enregistrement */
	size_t			 line;	/* ligne physique de pos (1 = première) */
	char			 delim;
	const char		*enc;
	unsigned char		 cls[256];
	struct cbw_csv_field	 f[CBW_CSV_MAX_FIELDS];
};

/* Enregistrement en cours d'analyse. */
struct rec {
	char	*p;	/* position de lecture */
	size_t	 nf;	/* champs vus, même au-delà du maximum */
	int	 nul;	/* un octet NUL a été rencontré */
};

/* Windows-1252, octets 0x80 à 0x9F (0xFFFD : octet non défini). */
static const unsigned short cp1252[32] = {
	0x20ac, 0xfffd, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021,
	0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0xfffd, 0x017d, 0xfffd,
	0xfffd, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014,
	0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0xfffd, 0x017e, 0x0178,
};

/* Séparateurs candidats, par ordre de préférence en cas d'égalité. */
static const char cands[] = ";,\t|";

/* Rend 1 si les n octets sont de l'UTF-8 bien formé (NUL permis), sinon 0. */
static int
u8_valid(const unsigned char *s, size_t n)
{
	uint64_t	 w;
	size_t		 i = 0, k;

	while (i < n) {
		if (n - i >= 8) {
			memcpy(&w, s + i, 8);
			if ((w & 0x8080808080808080ULL) == 0) {
				i += 8;
				continue;
			}
		}
		if ((k = cbw_utf8_seq(s + i, n - i)) == 0)
			return 0;
		i += k;
	}
	return 1;
}

/* Écrit le point de code cp en UTF-8 dans o ; rend le nombre d'octets. */
static size_t
u8_put(char *o, unsigned int cp)
{
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (char)(0xc0 | (cp >> 6));
		o[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (char)(0xe0 | (cp >> 12));
		o[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		o[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	o[0] = (char)(0xf0 | (cp >> 18));
	o[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	o[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	o[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/*
 * Alloue c->buf pour au plus mult * n + 4 octets de texte décodé et le
 * NUL final. Rend 0, ou -1 si la mémoire manque.
 */
static int
buf_alloc(struct cbw_csv *c, size_t n, size_t mult)
{
	if (n > (SIZE_MAX - 8) / mult)
		return -1;
	if ((c->buf = malloc(n * mult + 5)) == NULL)
		return -1;
	return 0;
}

/* Clôt le texte décodé de o octets et note son encodage. Rend 0. */
static int
buf_done(struct cbw_csv *c, size_t o, const char *enc)
{
	c->buf[o] = '\0';
	c->len = o;
	c->enc = enc;
	return 0;
}

/* Unité UTF-16 (petit- ou gros-boutiste) en d. */
static unsigned int
u16(const unsigned char *d, int be)
{
	return be ? (unsigned int)d[0] << 8 | d[1] :
	    (unsigned int)d[1] << 8 | d[0];
}

/*
 * Convertit n octets d'UTF-16 en UTF-8 ; surrogates orphelins et octet
 * final impair deviennent U+FFFD. Rend 0, ou -1 si la mémoire manque.
 */
static int
from_utf16(struct cbw_csv *c, const unsigned char *d, size_t n, int be,
    const char *enc)
{
	unsigned int	 u, u2, cp;
	size_t		 i, o = 0;

	if (buf_alloc(c, n, 2) == -1)
		return -1;
	for (i = 0; i + 1 < n; i += 2) {
		cp = u = u16(d + i, be);
		if (u >= 0xd800 && u <= 0xdfff) {
			cp = 0xfffd;
			if (u <= 0xdbff && i + 3 < n &&
			    (u2 = u16(d + i + 2, be)) >= 0xdc00 && u2 <= 0xdfff) {
				cp = 0x10000 + ((u - 0xd800) << 10) + (u2 - 0xdc00);
				i += 2;
			}
		}
		o += u8_put(c->buf + o, cp);
	}
	if (n % 2 != 0)
		o += u8_put(c->buf + o, 0xfffd);
	return buf_done(c, o, enc);
}

/* Convertit n octets de Windows-1252 en UTF-8. Rend 0, ou -1 (mémoire). */
static int
from_cp1252(struct cbw_csv *c, const unsigned char *d, size_t n)
{
	size_t	 i, o = 0;

	if (buf_alloc(c, n, 3) == -1)
		return -1;
	for (i = 0; i < n; i++) {
		if (d[i] < 0x80)
			c->buf[o++] = (char)d[i];
		else if (d[i] < 0xa0)
			o += u8_put(c->buf + o, cp1252[d[i] - 0x80]);
		else
			o += u8_put(c->buf + o, d[i]);
	}
	return buf_done(c, o, "windows-1252");
}

/* Copie n octets d'UTF-8 déjà validé. Rend 0, ou -1 si la mémoire manque. */
static int
copy_utf8(struct cbw_csv *c, const unsigned char *d, size_t n,
    const char *enc)
{
	if (buf_alloc(c, n, 1) == -1)
		return -1;
	if (n > 0)
		memcpy(c->buf, d, n);
	return buf_done(c, n, enc);
}

/*
 * Copie n octets d'UTF-8 ; les séquences invalides deviennent U+FFFD.
 * Rend 0, ou -1 si la mémoire manque.
 */
static int
from_utf8(struct cbw_csv *c, const unsigned char *d, size_t n,
    const char *enc)
{
	size_t	 i, k, o = 0;

	if (u8_valid(d, n))
		return copy_utf8(c, d, n, enc);
	if (buf_alloc(c, n, 3) == -1)
		return -1;
	for (i = 0; i < n; i += k) {
		if ((k = cbw_utf8_seq(d + i, n - i)) == 0) {
			o += u8_put(c->buf + o, 0xfffd);
			k = 1;
			continue;
		}
		memcpy(c->buf + o, d + i, k);
		o += k;
	}
	return buf_done(c, o, enc);
}

/*
 * Devine de l'UTF-16 sans BOM : les premières unités (au moins deux) sont
 * des caractères Latin-1 non nuls, donc d'octet de poids fort nul. Rend 0
 * (petit-boutiste), 1 (gros-boutiste) ou -1 (pas de l'UTF-16).
 */
static int
utf16_guess(const unsigned char *d, size_t n)
{
	size_t	 i, k = n / 2 < 8 ? n / 2 : 8;
	int	 le = 1, be = 1;

	if (k < 2)
		return -1;
	for (i = 0; i < k; i++) {
		le &= d[2 * i] != 0 && d[2 * i + 1] == 0;
		be &= d[2 * i] == 0 && d[2 * i + 1] != 0;
	}
	return le ? 0 : be ? 1 : -1;
}

/*
 * Décode le fichier en UTF-8 dans c->buf selon son BOM, sa validité UTF-8
 * ou, à défaut, comme du Windows-1252. Rend 0, ou -1 si la mémoire manque.
 */
static int
decode(struct cbw_csv *c, const unsigned char *d, size_t n)
{
	int	 be;

	if (n >= 2 && d[0] == 0xff && d[1] == 0xfe)
		return from_utf16(c, d + 2, n - 2, 0, "utf-16le");
	if (n >= 2 && d[0] == 0xfe && d[1] == 0xff)
		return from_utf16(c, d + 2, n - 2, 1, "utf-16be");
	if (n >= 3 && d[0] == 0xef && d[1] == 0xbb && d[2] == 0xbf)
		return from_utf8(c, d + 3, n - 3, "utf-8-bom");
	if ((be = utf16_guess(d, n)) != -1)
		return from_utf16(c, d, n, be, be ? "utf-16be" : "utf-16le");
	if (u8_valid(d, n))
		return copy_utf8(c, d, n, "utf-8");
	return from_cp1252(c, d, n);
}

/* Rend 1 si ch peut servir de séparateur, sinon 0. */
static int
delim_ok(char ch)
{
	unsigned char	 u = (unsigned char)ch;

	return u == '\t' || (u > ' ' && u < 0x7f && u != '"');
}

/*
 * Saute une première ligne « sep=X » (directive d'Excel) et retient X
 * comme séparateur. Ne fait rien si la ligne n'a pas cette forme.
 */
static void
sep_line(struct cbw_csv *c)
{
	const char	*b = c->buf;
	size_t		 n = c->len;

	if (n < 5 || memcmp(b, "sep=", 4) != 0 || !delim_ok(b[4]) ||
	    (n > 5 && b[5] != '\r' && b[5] != '\n'))
		return;
	c->delim = b[4];
	c->pos = 5;
	if (n > 5) {
		c->pos = b[5] == '\r' && b[6] == '\n' ? 7 : 6;
		c->line = 2;
	}
}

/*
 * Compte les séparateurs candidats hors guillemets d'un enregistrement
 * (un guillemet n'ouvre un champ qu'en début de champ). *content vaut 1
 * si la ligne n'est pas blanche. Rend le début de l'enregistrement suivant.
 */
static const char *
sniff_line(const char *p, const char *end, size_t cnt[4], int *content)
{
	const char	*k;
	int		 start = 1, inq = 0;

	memset(cnt, 0, 4 * sizeof(cnt[0]));
	*content = 0;
	for (; p < end; p++) {
		if (inq) {
			if (*p == '"' && p[1] == '"')
				p++;
			else if (*p == '"')
				inq = 0;
			continue;
		}
		if (*p == '\r' || *p == '\n')
			return p + (*p == '\r' && p[1] == '\n' ? 2 : 1);
		if (*p == ' ')
			continue;
		*content = 1;
		if (*p != '\0' && (k = memchr(cands, *p, 4)) != NULL) {
			cnt[k - cands]++;
			start = 1;
			continue;
		}
		if (*p == '"' && start)
			inq = 1;
		start = 0;
	}
	return p;
}

/*
 * Choisit parmi les candidats celui dont le nombre par ligne (non nul) est
 * le plus souvent le même, puis le plus fréquent. Rend ',' si aucun
 * candidat n'apparaît.
 */
static char
sniff_best(size_t cnt[][4], size_t nl)
{
	size_t	 i, j, k, v, agree, best_agree = 0, best_v = 0;
	char	 best = ',';

	for (j = 0; j < 4; j++) {
		for (i = 0; i < nl; i++) {
			if ((v = cnt[i][j]) == 0)
				continue;
			for (agree = 0, k = 0; k < nl; k++)
				agree += cnt[k][j] == v;
			if (agree > best_agree ||
			    (agree == best_agree && v > best_v)) {
				best_agree = agree;
				best_v = v;
				best = cands[j];
			}
		}
	}
	return best;
}

/* Devine le séparateur d'après les premières lignes non blanches. */
static char
sniff(const char *p, const char *end)
{
	size_t	 cnt[SNIFF_LINES][4], nl = 0;
	int	 content;

	while (p < end && nl < SNIFF_LINES) {
		p = sniff_line(p, end, cnt[nl], &content);
		if (content)
			nl++;
	}
	return sniff_best(cnt, nl);
}

/* Remplit la table des classes d'octets pour le séparateur choisi. */
static void
classes(struct cbw_csv *c)
{
	memset(c->cls, 0, sizeof(c->cls));
	c->cls[' '] = C_SPACE;
	c->cls['\t'] = C_SPACE;
	c->cls['\r'] = C_CR;
	c->cls['\n'] = C_LF;
	c->cls['\0'] = C_NUL;
	c->cls['"'] = C_QUOTE;
	c->cls[(unsigned char)c->delim] = C_DELIM;
}

/*
 * Décode le fichier, saute une ligne « sep= », choisit le séparateur.
 * Rend le lecteur, ou NULL si la mémoire manque.
 */
struct cbw_csv *
cbw_csv_open(const char *data, size_t len, char forced_delim)
{
	struct cbw_csv	*c;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	if (data == NULL)
		data = "", len = 0;
	if (decode(c, (const unsigned char *)data, len) == -1)
		goto fail;
	c->line = 1;
	sep_line(c);
	if (delim_ok(forced_delim))
		c->delim = forced_delim;
	else if (c->delim == 0)
		c->delim = sniff(c->buf + c->pos, c->buf + c->len);
	classes(c);
	return c;
fail:
	cbw_csv_close(c);
	return NULL;
}

/* Libère le lecteur et le texte décodé (NULL permis). */
void
cbw_csv_close(struct cbw_csv *c)
{
	if (c == NULL)
		return;
	free(c->buf);
	free(c);
}

/* Rend le séparateur retenu. */
char
cbw_csv_delim(const struct cbw_csv *c)
{
	return c->delim;
}

/* Rend le nom de l'encodage détecté. */
const char *
cbw_csv_encoding(const struct cbw_csv *c)
{
	return c->enc;
}

/* Rend le texte décodé ; sa longueur dans *len si len n'est pas NULL. */
const char *
cbw_csv_text(const struct cbw_csv *c, size_t *len)
{
	if (len != NULL)
		*len = c->len;
	return c->buf;
}

/*
 * Replie sur place les "" du contenu [s, e) d'un champ entre guillemets
 * (il en contient au moins un). Rend la nouvelle fin du contenu.
 */
static char *
unescape(char *s, char *e)
{
	char	*w, *r;

	w = r = memchr(s, '"', (size_t)(e - s));
	while (r < e) {
		if (*r == '"')
			r++;
		*w++ = *r++;
	}
	return w;
}

/*
 * Parcourt un champ entre guillemets dont le contenu commence en s :
 * compte les fins de ligne, note les NUL, replie les "". Rend la position
 * qui suit le guillemet fermant (fin du contenu dans *wp), ou NULL si le
 * guillemet n'est jamais fermé ; rien n'est alors modifié.
 */
static char *
quoted(struct cbw_csv *c, struct rec *r, char *s, char **wp)
{
	const char	*end = c->buf + c->len;
	char		*q;
	size_t		 lines = 0, pairs = 0;
	int		 nul = 0;

	for (q = s;; q++) {
		if ((c->cls[(unsigned char)*q] & STOP_QUOTED) == 0)
			continue;
		if (*q == '"') {
			if (q[1] != '"')
				break;
			pairs++;
			q++;
		} else if (*q == '\n')
			lines++;
		else if (*q == '\r')
			lines += q[1] != '\n';
		else if (q == end)
			return NULL;
		else
			nul = 1;
	}
	c->line += lines;
	r->nul |= nul;
	*wp = pairs > 0 ? unescape(s, q) : q;
	return q + 1;
}

/*
 * Recopie en *wp (si l'écriture est en retard) la partie sans guillemets
 * d'un champ, de p jusqu'au séparateur, à la fin de ligne ou à la fin du
 * texte ; un '"' y est un caractère comme un autre, un NUL est gardé et
 * signalé. Rend la position du caractère terminal et avance *wp.
 */
static char *
plain(struct cbw_csv *c, struct rec *r, char *p, char **wp)
{
	const char	*end = c->buf + c->len;
	char		*q;

	for (q = p;; q++) {
		if ((c->cls[(unsigned char)*q] & STOP_PLAIN) == 0)
			continue;
		if (*q != '\0' || q == end)
			break;
		r->nul = 1;
	}
	if (*wp != p)
		memmove(*wp, p, (size_t)(q - p));
	*wp += q - p;
	return q;
}

/*
 * Lit le champ qui commence en r->p, sans les blancs qui l'entourent hors
 * guillemets, le range dans c->f et le termine par NUL. Rend l'octet qui
 * le termine (séparateur, '\r', '\n', ou 0 en fin de texte) avec r->p
 * dessus, ou -1 si un guillemet n'est pas fermé (r->p sur ce guillemet).
 */
static int
field(struct cbw_csv *c, struct rec *r)
{
	char	*p = r->p, *s, *w, *q;
	size_t	 keep = 0;
	int	 term;

	while (c->cls[(unsigned char)*p] & C_SPACE)
		p++;
	s = w = p;
	if (*p == '"') {
		s = p + 1;
		if ((q = quoted(c, r, s, &w)) == NULL) {
			r->p = p;
			return -1;
		}
		keep = (size_t)(w - s);
		p = q;
	}
	p = plain(c, r, p, &w);
	while ((size_t)(w - s) > keep && (c->cls[(unsigned char)w[-1]] & C_SPACE))
		w--;
	term = (unsigned char)*p;
	if (r->nf < CBW_CSV_MAX_FIELDS) {
		c->f[r->nf].s = s;
		c->f[r->nf].len = (size_t)(w - s);
	}
	r->nf++;
	*w = '\0';
	r->p = p;
	return term;
}

/*
 * Après un guillemet non fermé en q, reprend la lecture au début de la
 * ligne physique suivante (ou à la fin du texte).
 */
static void
resync(struct cbw_csv *c, const char *q)
{
	const char	*end = c->buf + c->len;

	while (q < end && *q != '\r' && *q != '\n')
		q++;
	if (q < end) {
		q += *q == '\r' && q[1] == '\n' ? 2 : 1;
		c->line++;
	}
	c->pos = (size_t)(q - c->buf);
}

/*
 * Lit l'enregistrement qui commence en c->pos, fin de ligne comprise.
 * Rend 1 (champs dans c->f, leur nombre dans *nf), 0 s'il ne contient que
 * des champs vides (à sauter), -1 s'il est malformé (message dans *msg).
 */
static int
record(struct cbw_csv *c, size_t *nf, const char **msg)
{
	struct rec	 r;
	size_t		 i;
	int		 t;

	r.p = c->buf + c->pos;
	r.nf = 0;
	r.nul = 0;
	while ((t = field(c, &r)) == (unsigned char)c->delim)
		r.p++;
	if (t == -1) {
		resync(c, r.p);
		*msg = MSG_QUOTE;
		return -1;
	}
	if (t != '\0') {
		r.p += t == '\r' && r.p[1] == '\n' ? 2 : 1;
		c->line++;
	}
	c->pos = (size_t)(r.p - c->buf);
	*nf = r.nf;
	if (r.nul) {
		*msg = MSG_NUL;
		return -1;
	}
	if (r.nf > CBW_CSV_MAX_FIELDS) {
		*msg = MSG_COLS;
		return -1;
	}
	for (i = 0; i < r.nf; i++)
		if (c->f[i].len > 0)
			return 1;
	return 0;
}

/*
 * Lit l'enregistrement non vide suivant. Rend 1 (champs et nombre dans
 * *fields et *nfields), 0 en fin de fichier, -1 si l'enregistrement est
 * malformé (*errmsg ; la lecture peut continuer).
 */
int
cbw_csv_next(struct cbw_csv *c, const struct cbw_csv_field **fields,
    size_t *nfields, size_t *line, const char **errmsg)
{
	const char	*msg = NULL;
	size_t		 n = 0, start = c->line;
	int		 rc = 0;

	while (c->pos < c->len) {
		start = c->line;
		if ((rc = record(c, &n, &msg)) != 0)
			break;
	}
	if (fields != NULL)
		*fields = c->f;
	if (nfields != NULL)
		*nfields = rc == 1 ? n : 0;
	if (line != NULL)
		*line = start;
	if (errmsg != NULL)
		*errmsg = rc == -1 ? msg : NULL;
	return rc;
}

/* Rend 1 si la cellule de n octets doit être mise entre guillemets. */
static int
needs_quotes(const char *s, size_t n, char delim)
{
	size_t	 i;

	if (n == 0)
		return 0;
	if (s[0] == ' ' || s[0] == '\t' || s[n - 1] == ' ' || s[n - 1] == '\t')
		return 1;
	for (i = 0; i < n; i++)
		if (s[i] == delim || s[i] == '"' || s[i] == '\r' || s[i] == '\n')
			return 1;
	return 0;
}

/*
 * Ajoute une cellule, entre guillemets si besoin et neutralisée si elle
 * ressemble à une formule. Rend CBW_OK ou CBW_ENOMEM.
 */
enum cbw_err
cbw_csv_cell(struct cbw_buf *out, const char *s, char delim)
{
	size_t	 n, i;
	char	*w;
	int	 formula;

	if (s == NULL)
		s = "";
	if (delim == '\0')
		delim = ',';
	n = strlen(s);
	formula = n > 0 && memchr("=+-@\t\r", s[0], 6) != NULL;
	if (!formula && !needs_quotes(s, n, delim))
		return cbw_buf_put(out, s, n);
	if (n > (SIZE_MAX - 8) / 2 || cbw_buf_reserve(out, 2 * n + 3) != CBW_OK) {
		out->oom = 1;
		return CBW_ENOMEM;
	}
	w = out->data + out->len;
	*w++ = '"';
	if (formula)
		*w++ = '\'';
	for (i = 0; i < n; i++) {
		if (s[i] == '"')
			*w++ = '"';
		*w++ = s[i];
	}
	*w++ = '"';
	*w = '\0';
	out->len = (size_t)(w - out->data);
	return CBW_OK;
}

/* Ajoute une ligne de n cellules terminée par CRLF. Rend CBW_OK ou CBW_ENOMEM. */
enum cbw_err
cbw_csv_row(struct cbw_buf *out, const char *const *cells, size_t n,
    char delim)
{
	size_t	 i;

	if (delim == '\0')
		delim = ',';
	for (i = 0; i < n; i++) {
		if (i > 0 && cbw_buf_putc(out, delim) != CBW_OK)
			return CBW_ENOMEM;
		if (cbw_csv_cell(out, cells[i], delim) != CBW_OK)
			return CBW_ENOMEM;
	}
	return cbw_buf_put(out, "\r\n", 2);
}

/* Lettres ASCII des caractères U+00C0 à U+00FF ('?' : sans équivalent). */
static const char fold_latin1[] =
    "aaaaaa?ceeeeiiii?nooooo?ouuuuy??"
    "aaaaaa?ceeeeiiii?nooooo?ouuuuy?y";

/* En-têtes connus, sous leur forme réduite (voir hdr_fold). */
static const struct {
	const char	*name;
	int		 kind;
} headers[] = {
	{ "telephone", CBW_COL_PHONE },
	{ "tel", CBW_COL_PHONE },
	{ "phone", CBW_COL_PHONE },
	{ "phonenumber", CBW_COL_PHONE },
	{ "numero", CBW_COL_PHONE },
	{ "num", CBW_COL_PHONE },
	{ "mobile", CBW_COL_PHONE },
	{ "portable", CBW_COL_PHONE },
	{ "gsm", CBW_COL_PHONE },
	{ "cellulaire", CBW_COL_PHONE },
	{ "whatsapp", CBW_COL_PHONE },
	{ "fullnumber", CBW_COL_PHONE },
	{ "msisdn", CBW_COL_PHONE },
	{ "numerodetelephone", CBW_COL_PHONE },
	{ "numerotelephone", CBW_COL_PHONE },
	{ "numerodeportable", CBW_COL_PHONE },
	{ "numeromobile", CBW_COL_PHONE },
	{ "numerowhatsapp", CBW_COL_PHONE },
	{ "telephoneportable", CBW_COL_PHONE },
	{ "telephonemobile", CBW_COL_PHONE },
	{ "telportable", CBW_COL_PHONE },
	{ "telmobile", CBW_COL_PHONE },
	{ "mobilephone", CBW_COL_PHONE },
	{ "mobilenumber", CBW_COL_PHONE },
	{ "cellphone", CBW_COL_PHONE },
	{ "phone1value", CBW_COL_PHONE },
	{ "indicatif", CBW_COL_COUNTRY },
	{ "indicatifpays", CBW_COL_COUNTRY },
	{ "indicatifdupays", CBW_COL_COUNTRY },
	{ "countrycode", CBW_COL_COUNTRY },
	{ "codepays", CBW_COL_COUNTRY },
	{ "prefix", CBW_COL_COUNTRY },
	{ "prefixe", CBW_COL_COUNTRY },
	{ "dialcode", CBW_COL_COUNTRY },
	{ "callingcode", CBW_COL_COUNTRY },
	{ "prenom", CBW_COL_FIRST },
	{ "firstname", CBW_COL_FIRST },
	{ "givenname", CBW_COL_FIRST },
	{ "nom", CBW_COL_LAST },
	{ "nomdefamille", CBW_COL_LAST },
	{ "lastname", CBW_COL_LAST },
	{ "surname", CBW_COL_LAST },
	{ "familyname", CBW_COL_LAST },
	{ "nomcomplet", CBW_COL_FULLNAME },
	{ "fullname", CBW_COL_FULLNAME },
	{ "name", CBW_COL_FULLNAME },
	{ "contact", CBW_COL_FULLNAME },
	{ "displayname", CBW_COL_FULLNAME },
	{ "prenomnom", CBW_COL_FULLNAME },
	{ "prenometnom", CBW_COL_FULLNAME },
	{ "categorie", CBW_COL_CATEGORY },
	{ "categories", CBW_COL_CATEGORY },
	{ "category", CBW_COL_CATEGORY },
	{ "groupe", CBW_COL_CATEGORY },
	{ "groupes", CBW_COL_CATEGORY },
	{ "group", CBW_COL_CATEGORY },
	{ "liste", CBW_COL_CATEGORY },
	{ "list", CBW_COL_CATEGORY },
	{ "tag", CBW_COL_CATEGORY },
	{ "tags", CBW_COL_CATEGORY },
	{ "etiquette", CBW_COL_CATEGORY },
};

/*
 * Réduit un en-tête dans out (HDR_MAX octets) : minuscules ASCII, accents
 * latins ôtés (précomposés ou combinants, comme sur macOS), œ → oe,
 * espaces (y compris insécables), '_', '-', '.', ':' et '*' supprimés ;
 * tout autre octet devient '?'. Rend 0, ou -1 si le résultat est trop long.
 */
static int
hdr_fold(const unsigned char *s, size_t len, char *out)
{
	static const char	 skip[] = " \t_-.:*";
	size_t			 i, o = 0;
	char			 a, b;

	for (i = 0; i < len; i++) {
		a = '?', b = 0;
		if (s[i] != 0 && memchr(skip, s[i], sizeof(skip) - 1) != NULL)
			continue;
		if (s[i] >= 'A' && s[i] <= 'Z')
			a = (char)(s[i] - 'A' + 'a');
		else if (s[i] < 0x80 && s[i] != 0)
			a = (char)s[i];
		else if (s[i] == 0xc3 && i + 1 < len && s[i + 1] >= 0x80 &&
		    s[i + 1] <= 0xbf)
			a = fold_latin1[s[++i] - 0x80];
		else if (s[i] == 0xc5 && i + 1 < len &&
		    (s[i + 1] == 0x92 || s[i + 1] == 0x93))
			a = 'o', b = 'e', i++;
		else if (s[i] == 0xc2 && i + 1 < len && s[i + 1] == 0xa0) {
			i++;
			continue;
		} else if (s[i] == 0xe2 && i + 2 < len && s[i + 1] == 0x80 &&
		    s[i + 2] == 0xaf) {
			i += 2;
			continue;
		} else if (i + 1 < len && s[i + 1] >= 0x80 &&
		    ((s[i] == 0xcc && s[i + 1] <= 0xbf) ||
		    (s[i] == 0xcd && s[i + 1] <= 0xaf))) {
			i++;	/* accent combinant (U+0300 à U+036F) */
			continue;
		}
		if (o + 2 >= HDR_MAX)
			return -1;
		out[o++] = a;
		if (b != 0)
			out[o++] = b;
	}
	out[o] = '\0';
	return 0;
}

/* Reconnaît un en-tête de colonne ; rend un enum cbw_csv_col ou -1. */
int
cbw_csv_header_kind(const char *s, size_t len)
{
	char	 key[HDR_MAX];
	size_t	 i;

	if (s == NULL || hdr_fold((const unsigned char *)s, len, key) == -1)
		return -1;
	for (i = 0; i < sizeof(headers) / sizeof(headers[0]); i++)
		if (strcmp(key, headers[i].name) == 0)
			return headers[i].kind;
	return -1;
}
