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
/*
 * Nombre de trigrammes au plus dans une requête de cbw_fold_trigrams : la
 * sous-chaîne exacte est de toute façon vérifiée ensuite (instr).
 */
#define CBW_FOLD_TRIGRAMS_MAX	16
/*
 * Ajoute à out la requête FTS5 qui demande chaque trigramme distinct du
 * terme replié `term` (« "dup" AND "upo" AND "pon" »), pour l'index
 * trigramme sans positions (0010_fts_detail_none.sql) : elle trouve un
 * sur-ensemble des clés qui contiennent `term`. CBW_OK ; CBW_EINVAL si
 * term a moins de trois caractères ; CBW_ENOMEM.
 */
enum cbw_err	cbw_fold_trigrams(struct cbw_buf *out, const char *term);

#endif
