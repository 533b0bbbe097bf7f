/*
 * Vue des statistiques de messages pour les pages /dashboard et
 * /statistics : à partir de l'objet de cbw_msgstats_get, les deux
 * graphiques SVG (lib/chart.c) et les textes affichés (dates et taux à la
 * française). Une seule fonction pour les deux pages : mêmes couleurs,
 * mêmes libellés, mêmes chiffres que l'API.
 */
#ifndef CBW_STATSVIEW_H
#define CBW_STATSVIEW_H

#include <stddef.h>

#include "err.h"

struct json_object;

/*
 * Complète `stats` (objet de cbw_msgstats_get, modifié sur place) pour un
 * gabarit :
 *   line_svg, donut_svg    graphiques SVG (balisage serveur, à écrire avec
 *                          {{raw …}}), identifiants préfixés par `id` ;
 *   success_rate_display   « 66,7 % » ;
 *   total_recipients_display, success_count_display, failed_count_display,
 *   replies_display        les cartes, groupées par milliers ;
 *   from_display, to_display « 05/11/2026 » ;
 *   series[i].day_display  « 05/11/2026 » (tableau équivalent des courbes) ;
 *   split[]                { key, label, value, percent_display } : la
 *                          répartition de l'anneau, en tableau ;
 *   has_data               vrai s'il y a au moins un message ou une réponse.
 * Rend CBW_OK, CBW_EINVAL (stats mal formé) ou CBW_ENOMEM.
 */
enum cbw_err	cbw_statsview_fill(struct json_object *stats, const char *id);

/*
 * Entier groupé par milliers à la française, « 191 720 » (espace fine
 * insécable U+202F) dans out (len ≥ 40 pour tout long long).
 */
void		cbw_statsview_number(long long v, char *out, size_t len);

/* « 2026-11-05 » → « 05/11/2026 » dans out (len ≥ 11) ; copie sinon. */
void		cbw_statsview_day(const char *day, char *out, size_t len);

#endif
