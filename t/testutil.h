/*
 * Aides communes aux tests cmocka : générateur pseudo-aléatoire à graine
 * affichée (tests de propriétés), dossier des migrations, suppression
 * d'un dossier temporaire.
 */
#ifndef CBW_TESTUTIL_H
#define CBW_TESTUTIL_H

#include <stddef.h>
#include <stdint.h>

/* Graine : CBW_SEED si donnée, sinon l'heure ; affichée « seed=N ». */
uint64_t	 cbw_t_seed(void);
/* Nombre pseudo-aléatoire suivant (splitmix64). */
uint64_t	 cbw_t_rnd(void);
/* Entier uniforme dans [0, n) ; 0 si n vaut 0. */
size_t		 cbw_t_below(size_t n);
/* $CBW_SRCDIR/db/migrations, sinon le dossier du dépôt de ce fichier. */
const char	*cbw_t_migrations_dir(void);
/* Supprime un dossier et son contenu. */
void		 cbw_t_rmtree(const char *dir);

#endif
