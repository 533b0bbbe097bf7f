/*
 * Repli de texte pour la recherche : minuscules, accents latins retirés
 * (« Hélène » → « helene », « Œuvre » → « oeuvre »), ponctuation → espace.
 */
#ifndef CBW_FOLD_H
#define CBW_FOLD_H

#include "buf.h"
#include "err.h"

/* Ajoute à out la forme repliée de s (UTF-8). CBW_OK ou CBW_ENOMEM. */
enum cbw_err	cbw_fold(struct cbw_buf *out, const char *s);
/* Ajoute à out les seuls chiffres de s. */
enum cbw_err	cbw_fold_digits(struct cbw_buf *out, const char *s);

#endif
