/*
 * Lecteurs de saisie des programmes FastCGI (fonctions statiques des
 * fichiers fcgi/ : contact_input, read_form, user_input, cat_input), exposés aux
 * cibles libFuzzer par les enveloppes t/fuzz/in_*.c. Chaque enveloppe lit
 * la requête (r->json pour l'API, r->form pour les pages), puis vérifie les
 * invariants de la saisie et des erreurs par champ ; abort() sinon.
 */
#ifndef CBW_FUZZ_INPUTS_H
#define CBW_FUZZ_INPUTS_H

#include <stddef.h>

struct cbw_req;
struct json_object;

#define CBW_FUZZ_ID_MAX	9007199254740992LL	/* 2^53, comme cbw_valid_id */

void	cbw_fuzz_contact_input(struct cbw_req *, int create);
void	cbw_fuzz_campaign_input(struct cbw_req *);
void	cbw_fuzz_user_input(struct cbw_req *, int create);
void	cbw_fuzz_category_input(struct cbw_req *, int create);
/* Tous les lecteurs ci-dessus, en création et en modification. */
void	cbw_fuzz_inputs(struct cbw_req *);

/*
 * Erreurs par champ : NULL, ou un objet non vide dont chaque clé figure
 * dans `allowed` (terminé par NULL) et chaque valeur est un message non
 * vide en UTF-8 valide. abort() sinon.
 */
void	cbw_fuzz_check_fields(struct json_object *, const char *const *allowed);
/*
 * Nom normalisé (écrit indépendamment de cbw_valid_name) : UTF-8 valide,
 * sans caractère de contrôle ni blanc de bord, 1 à 100 caractères (0
 * permis si `optional`). Rend 1 si oui.
 */
int	cbw_fuzz_name_ok(const char *, int optional);
/* n ≤ max identifiants, chacun dans [1, 2^53] ; abort() sinon. */
void	cbw_fuzz_check_ids(const long long *, size_t n, size_t max);
/* Rend 1 si s contient la sous-chaîne t. */
int	cbw_fuzz_has(const char *s, const char *t);

#endif
