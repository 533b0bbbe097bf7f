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
