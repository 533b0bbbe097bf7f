/*
 * Vue des statistiques de messages pour les pages /dashboard et
 * /statistics : à partir de l'objet de cbw_msgstats_get, les deux
 * graphiques SVG (lib/chart.c) et les textes affichés (dates et taux à la
 * française). Une seule fonction pour les deux pages : mêmes couleurs,
 * mêmes libellés, mêmes chiffres que l'API.
 */
#ifndef CBW_STATSVIEW_H
#define CBW_STATSVIEW_H

#include "err.h"

struct json_object;

/*
 * Complète `stats` (objet de cbw_msgstats_get, modifié sur place) pour un
 * gabarit :
 *   line_svg, donut_svg    graphiques SVG (balisage serveur, à écrire avec
 *                          {{raw …}}), identifiants préfixés par `id` ;
 *   success_rate_display   « 66,7 % » ;
 *   from_display, to_display « 05/11/2026 » ;
 *   series[i].day_display  « 05/11/2026 » (tableau équivalent des courbes) ;
 *   split[]                { key, label, value, percent_display } : la
 *                          répartition de l'anneau, en tableau ;
 *   has_data               vrai s'il y a au moins un message ou une réponse.
 * Rend CBW_OK, CBW_EINVAL (stats mal formé) ou CBW_ENOMEM.
 */
enum cbw_err	cbw_statsview_fill(struct json_object *stats, const char *id);

/* « 2026-11-05 » → « 05/11/2026 » dans out (len ≥ 11) ; copie sinon. */
void		cbw_statsview_day(const char *day, char *out, size_t len);

#endif
