/*
 * Graphiques SVG en ligne du tableau de bord, dessinés côté serveur (pas
 * de JavaScript) : courbes par jour et anneau de répartition. La sortie
 * est un seul élément <svg> bien formé (XML), adaptable à la largeur par
 * son viewBox, accessible (role="img", <title> et <desc> reliés par
 * aria-labelledby ; <desc> résume les chiffres en français). Tout texte
 * venu de l'appelant (titre, noms, étiquettes) passe par cbw_html_txt ;
 * couleurs, motifs de trait et identifiants sont vérifiés avant d'être
 * écrits tels quels.
 *
 * En cas d'erreur, `out` peut contenir une sortie partielle : l'appelant
 * la jette (cbw_buf_reset, ou retour à la longueur d'avant l'appel).
 * Un tampon déjà marqué oom à l'entrée donne CBW_ENOMEM.
 */
#ifndef CBW_CHART_H
#define CBW_CHART_H

#include <stddef.h>	/* size_t */

#include "err.h"

struct cbw_buf;

/* Bornes acceptées (au-delà : CBW_EINVAL). */
#define CBW_CHART_MAX_POINTS	400
#define CBW_CHART_MAX_SERIES	8
#define CBW_CHART_MAX_SLICES	12
#define CBW_CHART_MAX_ID	64	/* longueur d'un identifiant */
#define CBW_CHART_MAX_DASH	32	/* longueur d'un motif de trait */
/* Plus grande valeur d'un point ou d'une part (pas de débordement). */
#define CBW_CHART_MAX_VALUE	1000000000000000LL	/* 10^15 */

/*
 * Une courbe : nom affiché (légende), couleur CSS « #rrggbb », motif de
 * trait (NULL = plein, sinon valeur stroke-dasharray comme « 6 3 » :
 * chiffres, points, virgules et espaces seulement), npoints valeurs.
 */
struct cbw_chart_series {
	const char		*name;
	const char		*color;
	const char		*dash;
	const long long		*values;
};

/* Une part de l'anneau. */
struct cbw_chart_slice {
	const char		*label;
	const char		*color;
	long long		 value;
};

/*
 * Courbes sur npoints jours : xlabels[i] est l'étiquette de l'axe X du
 * point i (ex. « 05/12 »). `id` : préfixe d'identifiants [a-z0-9-]+ unique
 * dans la page (donne ID-title et ID-desc). Ajoute le <svg> à `out`.
 * Rend CBW_OK ; CBW_EINVAL si un argument est NULL (sauf series quand
 * nseries vaut 0, et dash), si npoints vaut 0 ou dépasse 400, nseries 8,
 * si id, une couleur ou un motif est mal formé, ou si une valeur est
 * négative ou dépasse CBW_CHART_MAX_VALUE ; CBW_ENOMEM si le tampon ne
 * peut grandir.
 */
enum cbw_err	cbw_chart_line(struct cbw_buf *out, const char *id,
		    const char *title, const char *const *xlabels,
		    size_t npoints, const struct cbw_chart_series *series,
		    size_t nseries);

/*
 * Anneau (donut) de la répartition, total au centre et légende (valeur
 * et pourcentage de chaque part). Parts nulles non dessinées ; tout à
 * zéro (ou n = 0) : anneau gris et « Aucune donnée ». Ajoute le <svg> à
 * `out`. Rend CBW_OK ; CBW_EINVAL si un argument est NULL (sauf slices
 * quand n vaut 0), si n dépasse 12, si id ou une couleur est mal formé,
 * ou si une valeur est négative ou dépasse CBW_CHART_MAX_VALUE ;
 * CBW_ENOMEM si le tampon ne peut grandir.
 */
enum cbw_err	cbw_chart_donut(struct cbw_buf *out, const char *id,
		    const char *title, const struct cbw_chart_slice *slices,
		    size_t n);

/*
 * Pourcentage de chaque part en dixièmes (tenths[i], 125 = 12,5 %), par la
 * méthode du plus fort reste comme la légende de l'anneau : la somme vaut
 * exactement 1000 si le total est positif, tout vaut 0 sinon. Les valeurs
 * doivent être valides (positives, bornées) ; n ≤ CBW_CHART_MAX_SLICES.
 */
void		cbw_chart_shares(const struct cbw_chart_slice *slices, size_t n,
		    int *tenths);

#endif
