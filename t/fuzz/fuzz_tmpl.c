/*
 * Cible libFuzzer : rend des octets quelconques comme gabarit (sans jeu de
 * gabarits) contre un contexte json-c fixe, et vérifie quelques
 * invariants (message d'erreur posé, échappement des valeurs).
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Ilib lib/buf.c \
 *       lib/err.c lib/html.c lib/tmpl.c t/fuzz/fuzz_tmpl.c -ljson-c \
 *       -o /tmp/fuzz_tmpl && /tmp/fuzz_tmpl -max_total_time=60
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "buf.h"
#include "tmpl.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const char *ctx_json =
    "{"
    " \"name\": \"<script>alert('x')</script> & \\\"`\","
    " \"n\": 3, \"zero\": 0, \"pi\": 3.14159, \"big\": 1e300,"
    " \"u64\": 18446744073709551615, \"neg\": -9223372036854775808,"
    " \"t\": true, \"f\": false, \"nul\": null, \"empty\": \"\","
    " \"nulbyte\": \"a\\u0000<b\","
    " \"arr0\": [], \"obj0\": {}, \"s3\": \"3\","
    " \"user\": { \"email\": \"a@b.c\", \"raw\": \"<i>\","
    "   \"role\": { \"name\": \"<admin>\", \"n\": 3 } },"
    " \"items\": [ { \"id\": 1, \"label\": \"<un>\", \"tags\": [\"a\", \"b\"] },"
    "   { \"id\": 2, \"label\": \"deux\", \"tags\": [] }, null, 7, \"s\","
    "   [1, [2, [3]]] ],"
    " \"groups\": [ { \"gname\": \"G1\", \"members\": [ { \"name\": \"m1\" },"
    "   { \"name\": \"m2\" } ] }, { \"gname\": \"G2\", \"members\": [] } ]"
    "}";

static struct json_object	*ctx;

/*
 * Vérifie que la sortie ne contient aucun des caractères spéciaux HTML
 * absents de la source : seules les valeurs y mènent, et elles sont
 * échappées (sauf {{raw}}, exclu par l'appelant).
 */
static void
check_escaped(const uint8_t *src, size_t len, const struct cbw_buf *out)
{
	static const char	 specials[] = "<>\"'`";
	size_t			 i;

	for (i = 0; specials[i] != '\0'; i++)
		if (memchr(src, specials[i], len) == NULL &&
		    out->len > 0 && memchr(out->data, specials[i], out->len))
			abort();
}

/* Vrai si `src` contient la sous-chaîne `w`. */
static int
contains(const uint8_t *src, size_t len, const char *w)
{
	size_t	 i, n = strlen(w);

	for (i = 0; i + n <= len; i++)
		if (memcmp(src + i, w, n) == 0)
			return 1;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cbw_buf	 out;
	char		 err[256];
	enum cbw_err	 er;

	if (ctx == NULL && (ctx = json_tokener_parse(ctx_json)) == NULL)
		abort();
	cbw_buf_init(&out);
	memset(err, 'X', sizeof(err));
	er = cbw_tmpl_render_string(NULL, (const char *)data, size, ctx, &out,
	    err, sizeof(err));
	if (memchr(err, '\0', sizeof(err)) == NULL)
		abort();
	if (er == CBW_OK && err[0] != '\0')
		abort();
	if (er == CBW_ETMPL && err[0] == '\0')
		abort();
	if (er != CBW_OK && er != CBW_ETMPL && er != CBW_ENOMEM)
		abort();
	if (er == CBW_OK && !contains(data, size, "raw"))
		check_escaped(data, size, &out);
	cbw_buf_free(&out);
	return 0;
}
