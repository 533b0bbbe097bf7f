/*
 * Tampon d'octets extensible. Toute sortie (HTML, JSON, CSV) s'écrit dans
 * un struct cbw_buf avant d'être envoyée en une fois.
 */
#ifndef CBW_BUF_H
#define CBW_BUF_H

#include <stdarg.h>	/* va_list */
#include <stddef.h>	/* size_t */

#include "err.h"

struct cbw_buf {
	char	*data;	/* toujours terminé par NUL quand len > 0 ou cap > 0 */
	size_t	 len;
	size_t	 cap;
	int	 oom;	/* une allocation a échoué : le contenu est tronqué */
};

void		 cbw_buf_init(struct cbw_buf *);
void		 cbw_buf_free(struct cbw_buf *);
void		 cbw_buf_reset(struct cbw_buf *);
enum cbw_err	 cbw_buf_reserve(struct cbw_buf *, size_t);
enum cbw_err	 cbw_buf_put(struct cbw_buf *, const char *, size_t);
enum cbw_err	 cbw_buf_puts(struct cbw_buf *, const char *);
enum cbw_err	 cbw_buf_putc(struct cbw_buf *, char);
enum cbw_err	 cbw_buf_printf(struct cbw_buf *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
enum cbw_err	 cbw_buf_vprintf(struct cbw_buf *, const char *, va_list)
		    __attribute__((format(printf, 2, 0)));
/* Rend la chaîne (jamais NULL : "" si vide). */
const char	*cbw_buf_str(const struct cbw_buf *);

#endif
