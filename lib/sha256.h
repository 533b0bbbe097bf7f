/*
 * SHA-256 (FIPS 180-4) et HMAC-SHA256 (RFC 2104), sans dépendance : les
 * programmes FastCGI n'ont besoin que de ces deux fonctions (jetons JWT
 * HS256, signatures des webhooks, empreintes des jetons de session), et une
 * bibliothèque cryptographique partagée coûtait de 0,3 Mio (Nettle) à
 * 3,4 Mio (OpenSSL) de mémoire résidente par processus (DESIGN §12 : 4 Mio).
 * Vérifié contre les vecteurs de FIPS 180-4 / RFC 4231 et contre Nettle sur
 * des entrées au hasard (t/unit/test_crypto.c, t/property/prop_sha256.c).
 */
#ifndef CBW_SHA256_H
#define CBW_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define CBW_SHA256_LEN	32

struct cbw_sha256 {
	uint32_t	 h[8];
	unsigned long long len;		/* octets déjà ajoutés */
	unsigned char	 buf[64];
	size_t		 fill;		/* octets en attente dans buf */
};

/* Prépare un calcul. */
void	cbw_sha256_init(struct cbw_sha256 *);
/* Ajoute n octets (n peut être 0). */
void	cbw_sha256_update(struct cbw_sha256 *, const void *, size_t n);
/* Écrit l'empreinte (32 octets) et efface l'état. */
void	cbw_sha256_final(struct cbw_sha256 *, unsigned char out[CBW_SHA256_LEN]);
/* HMAC-SHA256 de data (n octets) sous la clé key (keylen octets, 0 permis). */
void	cbw_hmac_sha256(const void *key, size_t keylen, const void *data,
	    size_t n, unsigned char out[CBW_SHA256_LEN]);

#endif
