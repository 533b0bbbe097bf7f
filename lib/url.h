/*
 * Adresses dans le texte des messages (propriété 13) : chaque adresse
 * trouvée dans un texte doit être une URL http ou https valide selon
 * l'analyseur de libcurl (curl_url).
 */
#ifndef CBW_URL_H
#define CBW_URL_H

#include <stddef.h>

#include "err.h"

/*
 * Vrai (1) si `url` (longueur `len`) est une URL absolue http(s) que
 * curl_url accepte, avec un hôte non vide ; 0 sinon.
 */
int		 cbw_url_valid(const char *url, size_t len);
/*
 * Cherche les adresses d'un texte : tout mot (suite sans espace) qui
 * commence par « http:// », « https:// » ou « www. » (sans tenir compte de
 * la casse), ponctuation finale « .,;:!?)»"' » retirée. Rend CBW_OK si
 * toutes sont valides ; sinon CBW_EINVAL et copie la première adresse
 * fautive dans bad (tronquée à badlen - 1 octets, terminée par NUL).
 * Un mot « www.… » est vérifié comme « http://www.… ».
 */
enum cbw_err	 cbw_url_check_text(const char *text, char *bad, size_t badlen);

#endif
