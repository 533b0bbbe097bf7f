/*
 * Échappement de la sortie HTML, une fonction par contexte de sortie.
 * Toute donnée venue de l'extérieur passe par cbw_html_txt (texte et
 * valeurs d'attribut entre guillemets) ou cbw_html_url_arg (argument de
 * query string). cbw_html_raw n'échappe rien : réservé au balisage
 * construit par le serveur (SVG, etc.).
 */
#ifndef CBW_HTML_H
#define CBW_HTML_H

#include <stddef.h>	/* size_t */

#include "buf.h"
#include "err.h"

enum cbw_err	 cbw_html_txt(struct cbw_buf *, const char *);
enum cbw_err	 cbw_html_txtn(struct cbw_buf *, const char *, size_t);
enum cbw_err	 cbw_html_url_arg(struct cbw_buf *, const char *);
enum cbw_err	 cbw_html_raw(struct cbw_buf *, const char *);

#endif
