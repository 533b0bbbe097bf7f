/*
 * Repli de texte pour la recherche (voir fold.h).
 */
#include <string.h>

#include "fold.h"

/*
 * Équivalents ASCII de U+00C0 à U+017F (Latin-1 et Latin étendu A), deux
 * caractères au plus par point de code ; "" : à ignorer.
 */
static const char *const latin[192] = {
	/* C0 */ "a", "a", "a", "a", "a", "a", "ae", "c",
	/* C8 */ "e", "e", "e", "e", "i", "i", "i", "i",
	/* D0 */ "d", "n", "o", "o", "o", "o", "o", " ",
	/* D8 */ "o", "u", "u", "u", "u", "y", "th", "ss",
	/* E0 */ "a", "a", "a", "a", "a", "a", "ae", "c",
	/* E8 */ "e", "e", "e", "e", "i", "i", "i", "i",
	/* F0 */ "d", "n", "o", "o", "o", "o", "o", " ",
	/* F8 */ "o", "u", "u", "u", "u", "y", "th", "y",
	/* 100 */ "a", "a", "a", "a", "a", "a", "c", "c",
	/* 108 */ "c", "c", "c", "c", "c", "c", "d", "d",
	/* 110 */ "d", "d", "e", "e", "e", "e", "e", "e",
	/* 118 */ "e", "e", "e", "e", "g", "g", "g", "g",
	/* 120 */ "g", "g", "g", "g", "h", "h", "h", "h",
	/* 128 */ "i", "i", "i", "i", "i", "i", "i", "i",
	/* 130 */ "i", "i", "ij", "ij", "j", "j", "k", "k",
	/* 138 */ "k", "l", "l", "l", "l", "l", "l", "l",
	/* 140 */ "l", "l", "l", "n", "n", "n", "n", "n",
	/* 148 */ "n", "n", "n", "n", "o", "o", "o", "o",
	/* 150 */ "o", "o", "oe", "oe", "r", "r", "r", "r",
	/* 158 */ "r", "r", "s", "s", "s", "s", "s", "s",
	/* 160 */ "s", "s", "t", "t", "t", "t", "t", "t",
	/* 168 */ "u", "u", "u", "u", "u", "u", "u", "u",
	/* 170 */ "u", "u", "u", "u", "w", "w", "y", "y",
	/* 178 */ "y", "z", "z", "z", "z", "z", "z", "s",
};

/* Décode un point de code UTF-8 ; rend sa longueur (1 si octet invalide). */
static size_t
decode(const unsigned char *s, unsigned int *cp)
{
	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if ((s[0] & 0xe0) == 0xc0 && (s[1] & 0xc0) == 0x80) {
		*cp = ((s[0] & 0x1fu) << 6) | (s[1] & 0x3fu);
		return 2;
	}
	if ((s[0] & 0xf0) == 0xe0 && (s[1] & 0xc0) == 0x80 && (s[2] & 0xc0) == 0x80) {
		*cp = ((s[0] & 0x0fu) << 12) | ((s[1] & 0x3fu) << 6) | (s[2] & 0x3fu);
		return 3;
	}
	if ((s[0] & 0xf8) == 0xf0 && (s[1] & 0xc0) == 0x80 &&
	    (s[2] & 0xc0) == 0x80 && (s[3] & 0xc0) == 0x80) {
		*cp = 0xfffd;
		return 4;
	}
	*cp = 0xfffd;
	return 1;
}

/* Repli d'un texte (voir fold.h). */
enum cbw_err
cbw_fold(struct cbw_buf *out, const char *str)
{
	const unsigned char	*s = (const unsigned char *)str;
	unsigned int		 cp;
	size_t			 n;

	while (s != NULL && *s != '\0') {
		n = decode(s, &cp);
		if (cp < 0x80) {
			if (cp >= 'A' && cp <= 'Z')
				cp += 'a' - 'A';
			cbw_buf_putc(out, (cp >= 'a' && cp <= 'z') ||
			    (cp >= '0' && cp <= '9') ? (char)cp : ' ');
		} else if (cp >= 0xc0 && cp <= 0x17f)
			cbw_buf_puts(out, latin[cp - 0xc0]);
		else if (cp >= 0x300 && cp <= 0x36f)
			;	/* accent combinant (forme décomposée, macOS) */
		else if (cp == 0xfffd || cp < 0xc0)
			cbw_buf_putc(out, ' ');
		else
			cbw_buf_put(out, (const char *)s, n);
		s += n;
	}
	return out->oom ? CBW_ENOMEM : CBW_OK;
}

/* Ne garde que les chiffres ASCII. */
enum cbw_err
cbw_fold_digits(struct cbw_buf *out, const char *s)
{
	for (; s != NULL && *s != '\0'; s++)
		if (*s >= '0' && *s <= '9')
			cbw_buf_putc(out, *s);
	return out->oom ? CBW_ENOMEM : CBW_OK;
}

/* Longueur en octets du caractère UTF-8 qui commence en s (1 au moins). */
static size_t
char_len(const char *s)
{
	size_t	 n = 1;

	while (s[n] != '\0' && ((unsigned char)s[n] & 0xc0) == 0x80)
		n++;
	return n;
}

/*
 * Ajoute à out le trigramme t (n octets) entre guillemets, guillemets
 * internes doublés, précédé de « AND » s'il n'est pas le premier.
 */
static void
put_trigram(struct cbw_buf *out, size_t from, const char *t, size_t n)
{
	size_t	 i;

	if (out->len > from)
		cbw_buf_puts(out, " AND ");
	cbw_buf_putc(out, '"');
	for (i = 0; i < n; i++) {
		if (t[i] == '"')
			cbw_buf_putc(out, '"');
		cbw_buf_putc(out, t[i]);
	}
	cbw_buf_putc(out, '"');
}

/* Rend 1 si le trigramme t (n octets) figure déjà parmi les `seen`. */
static int
trigram_seen(const char *const *seen, const size_t *len, size_t nseen,
    const char *t, size_t n)
{
	size_t	 i;

	for (i = 0; i < nseen; i++)
		if (len[i] == n && memcmp(seen[i], t, n) == 0)
			return 1;
	return 0;
}

/* Requête FTS5 des trigrammes de term (voir fold.h). */
enum cbw_err
cbw_fold_trigrams(struct cbw_buf *out, const char *term)
{
	const char	*seen[CBW_FOLD_TRIGRAMS_MAX];
	size_t		 len[CBW_FOLD_TRIGRAMS_MAX], nseen = 0, from = out->len;
	size_t		 a, b, c;
	const char	*s;

	for (s = term; s != NULL && *s != '\0' &&
	    nseen < CBW_FOLD_TRIGRAMS_MAX; s += a) {
		a = char_len(s);
		if (s[a] == '\0' || s[a + (b = char_len(s + a))] == '\0')
			break;
		c = char_len(s + a + b);
		if (trigram_seen(seen, len, nseen, s, a + b + c))
			continue;
		seen[nseen] = s;
		len[nseen++] = a + b + c;
		put_trigram(out, from, s, a + b + c);
	}
	if (out->len == from)
		return CBW_EINVAL;
	return out->oom ? CBW_ENOMEM : CBW_OK;
}
