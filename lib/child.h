/*
 * Processus fils éphémère pour un travail lourd (l'import CSV) : le tas
 * qu'il fait grandir disparaît avec lui, au lieu de rester, fragmenté,
 * dans le programme FastCGI qui vit longtemps (DESIGN §12 : 4 Mio au
 * repos). Aucune connexion SQLite ne doit être ouverte au moment du fork
 * (voir cbw_app_run_child, qui ferme puis rouvre celle du programme).
 */
#ifndef CBW_CHILD_H
#define CBW_CHILD_H

#include "buf.h"
#include "err.h"

/*
 * Travail du fils : écrit son résultat dans out et rend son code. Il
 * s'exécute dans une copie du programme, descripteurs hérités fermés.
 */
typedef enum cbw_err	(*cbw_child_fn)(void *arg, struct cbw_buf *out);

/*
 * Exécute fn(arg, out) dans un processus fils et attend sa fin. Le fils
 * meurt avec son père (SIGKILL si le programme est tué) : un travail ne
 * survit jamais à la requête qui l'a demandé. Rend le code de fn, son
 * résultat dans *out ; CBW_EIO si le fils n'a pas pu naître ou est mort
 * sans répondre (signal, plantage : journalisé, *out vide) ; CBW_ENOMEM.
 */
enum cbw_err	cbw_child_run(cbw_child_fn fn, void *arg, struct cbw_buf *out);

#endif
