/*
 * Sous-commande « seed » de chatbot-whatsapp-admin (voir seed.c).
 */
#ifndef CBW_CLI_SEED_H
#define CBW_CLI_SEED_H

struct cbw_db;

/*
 * seed --messages N --admin EMAIL [--campaigns K] [--days D] : remplit la
 * base. Rend le code de sortie (0 succès, 1 erreur de base, 2 usage).
 */
int	cbw_cli_seed(struct cbw_db *, int argc, char **argv);

#endif
