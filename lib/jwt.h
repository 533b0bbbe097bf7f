/*
 * Jetons d'accès JWT HS256 (RFC 7519), signés par HMAC-SHA256 (sha256.h).
 * Pas de libjwt dans les programmes : elle charge OpenSSL (3,4 Mio de
 * mémoire résidente par processus, budget DESIGN §12 de 4 Mio) ; les tests
 * la gardent comme référence indépendante (t/unit/test_jwt.c, prop_jwt.c).
 */
#ifndef CBW_JWT_H
#define CBW_JWT_H

#include <stddef.h>
#include <time.h>

#include "err.h"

#define CBW_JWT_TTL	(30 * 60)	/* 30 minutes */
#define CBW_JWT_MAX	4096		/* longueur maximale acceptée */

struct cbw_jwt_claims {
	long long	 sub;		/* identifiant de l'utilisateur */
	char		 role[16];
	char		 sid[33];	/* famille de session (révocable) */
	time_t		 iat;
	time_t		 exp;
};

/*
 * Signe un jeton pour `c` avec la clé `secret`. Renvoie CBW_OK et une chaîne
 * allouée dans *out (à libérer avec free), ou CBW_ENOMEM / CBW_EIO.
 */
enum cbw_err	cbw_jwt_sign(const char *secret, const struct cbw_jwt_claims *c,
		    char **out);
/*
 * Vérifie `token` : forme, en-tête alg exactement HS256, signature, exp dans
 * le futur par rapport à `now`, iat pas dans le futur, sub/role/sid
 * présents. Renvoie CBW_OK et les revendications, sinon CBW_EAUTH. La
 * signature est vérifiée en premier, en temps constant.
 */
enum cbw_err	cbw_jwt_verify(const char *secret, const char *token, time_t now,
		    struct cbw_jwt_claims *out);

#endif
