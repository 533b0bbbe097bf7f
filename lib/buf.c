/*
 * Tampon d'octets extensible (voir buf.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

/* Initialise un tampon vide ; n'alloue rien. */
void
cbw_buf_init(struct cbw_buf *b)
{
	b->data = NULL;
	b->len = b->cap = 0;
	b->oom = 0;
}

/* Libère la mémoire du tampon et le remet à vide. */
void
cbw_buf_free(struct cbw_buf *b)
{
	free(b->data);
	cbw_buf_init(b);
}

/* Vide le contenu sans libérer la mémoire (réutilisation entre requêtes). */
void
cbw_buf_reset(struct cbw_buf *b)
{
	b->len = 0;
	b->oom = 0;
	if (b->data != NULL)
		b->data[0] = '\0';
}

/*
 * Garantit la place pour `more` octets de plus et le NUL final.
 * Renvoie CBW_OK, ou CBW_ENOMEM (le tampon est alors marqué oom).
 */
enum cbw_err
cbw_buf_reserve(struct cbw_buf *b, size_t more)
{
	size_t	 need, ncap;
	char	*p;

	if (more > ((size_t)-1) / 2 - b->len - 1)
		goto oom;
	need = b->len + more + 1;
	if (need <= b->cap)
		return CBW_OK;
	ncap = b->cap ? b->cap : 256;
	while (ncap < need)
		ncap *= 2;
	if ((p = realloc(b->data, ncap)) == NULL)
		goto oom;
	b->data = p;
	b->cap = ncap;
	return CBW_OK;
oom:
	b->oom = 1;
	return CBW_ENOMEM;
}

/* Ajoute `n` octets. Renvoie CBW_OK ou CBW_ENOMEM. */
enum cbw_err
cbw_buf_put(struct cbw_buf *b, const char *s, size_t n)
{
	if (cbw_buf_reserve(b, n) != CBW_OK)
		return CBW_ENOMEM;
	if (n > 0)
		memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
	return CBW_OK;
}

/* Ajoute une chaîne terminée par NUL. */
enum cbw_err
cbw_buf_puts(struct cbw_buf *b, const char *s)
{
	return cbw_buf_put(b, s, strlen(s));
}

/* Ajoute un caractère. */
enum cbw_err
cbw_buf_putc(struct cbw_buf *b, char c)
{
	return cbw_buf_put(b, &c, 1);
}

/* Ajoute du texte formaté (printf). Renvoie CBW_OK ou CBW_ENOMEM. */
enum cbw_err
cbw_buf_vprintf(struct cbw_buf *b, const char *fmt, va_list ap)
{
	va_list	 cp;
	int	 n;

	va_copy(cp, ap);
	n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0)
		return CBW_EINVAL;
	if (cbw_buf_reserve(b, (size_t)n) != CBW_OK)
		return CBW_ENOMEM;
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return CBW_OK;
}

/* Variante variadique de cbw_buf_vprintf. */
enum cbw_err
cbw_buf_printf(struct cbw_buf *b, const char *fmt, ...)
{
	va_list		 ap;
	enum cbw_err	 er;

	va_start(ap, fmt);
	er = cbw_buf_vprintf(b, fmt, ap);
	va_end(ap);
	return er;
}

/* Rend le contenu comme chaîne C ; "" si le tampon est vide. */
const char *
cbw_buf_str(const struct cbw_buf *b)
{
	return b->data != NULL ? b->data : "";
}
