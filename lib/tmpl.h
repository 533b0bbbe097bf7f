/*
 * Moteur de gabarits HTML (syntaxe proche de Mustache, mots-clés
 * explicites). Les données viennent d'objets json-c.
 *
 *   {{chemin}}             valeur échappée (cbw_html_txt)
 *   {{raw chemin}}         valeur NON échappée (balisage serveur de confiance)
 *   {{#if c}}…{{else}}…{{/if}}, {{#unless c}}…{{/unless}}
 *   {{#each c}}…{{else}}…{{/each}}   (@index, @number, @first, @last)
 *   {{#with c}}…{{/with}}
 *   {{#eq c "lit"}}…{{/eq}}, {{#eq c autre.chemin}}, {{#ne …}}…{{/ne}}
 *   {{> nom}}              gabarit partiel dir/nom.html
 *   {{! commentaire }}
 *
 * Un chemin est pointé (user.email) ; « . » est l'élément courant. Le
 * premier segment est cherché du contexte le plus interne vers l'extérieur.
 */
#ifndef CBW_TMPL_H
#define CBW_TMPL_H

#include <stddef.h>	/* size_t */

#include "err.h"

struct cbw_buf;
struct json_object;

/* Gabarits d'un répertoire, analysés une fois puis gardés en cache. */
struct cbw_tmpl_set;

/* NULL seulement si la mémoire manque ; les fichiers sont lus à la demande. */
struct cbw_tmpl_set	*cbw_tmpl_open(const char *);
void			 cbw_tmpl_close(struct cbw_tmpl_set *);

/*
 * Produit le gabarit `name` (fichier dir/name.html, name de la forme
 * [a-z0-9_-]+) avec le contexte `ctx`, à la suite de `out`.
 * Renvoie CBW_OK, CBW_ETMPL (gabarit inconnu, erreur de syntaxe, partiel
 * inconnu, inclusions trop profondes ; message dans errbuf, par ex.
 * "contacts.html:12: section {{#each}} non fermée") ou CBW_ENOMEM.
 * En cas d'erreur `out` peut contenir une sortie partielle à jeter.
 */
enum cbw_err	 cbw_tmpl_render(struct cbw_tmpl_set *, const char *,
		    struct json_object *, struct cbw_buf *, char *, size_t);

/*
 * Comme cbw_tmpl_render pour un gabarit en mémoire (src, len), sans cache.
 * Les partiels viennent du répertoire du jeu ; set peut être NULL (tout
 * partiel est alors une erreur).
 */
enum cbw_err	 cbw_tmpl_render_string(struct cbw_tmpl_set *, const char *,
		    size_t, struct json_object *, struct cbw_buf *, char *,
		    size_t);

#endif
