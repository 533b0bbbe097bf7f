/*
 * Cible libFuzzer : recherche de contacts (repli du texte, terme cherché,
 * requête de trigrammes) jusqu'à la liste des contacts de lib/contact.c
 * sur une base en mémoire migrée avec db/migrations (contacts_fts :
 * trigrammes sans positions, 0010_fts_detail_none.sql).
 *
 * L'entrée est coupée aux deux premiers sauts de ligne : prénom, nom, puis
 * le texte tapé dans la recherche (chacun coupé à son premier NUL).
 *
 *  - cbw_fold ne rend que [a-z0-9 ] et des octets ≥ 0x80, et replier deux
 *    fois ne change plus rien ;
 *  - cbw_contact_search_term rend 0, 1 ou 2 selon le nombre de caractères
 *    du terme, sans blanc au début, à la fin ni doublé ; search_bind rend
 *    3 (texte littéral) exactement quand le repli ne laisse rien d'un
 *    texte non blanc ;
 *  - cbw_fold_trigrams : des trigrammes entre guillemets joints par « AND »,
 *    distincts, 16 au plus, chacun trois caractères consécutifs du terme,
 *    dans l'ordre où ils y paraissent ;
 *  - avec des entrées que les contrôles de front et cbw_valid_name
 *    laissent passer (UTF-8 bien formé), le contact créé par
 *    cbw_contact_create est trouvé par cbw_contact_list exactement quand
 *    le terme est une sous-chaîne de sa clé de recherche (ou, texte
 *    littéral, de « prénom nom ») ; la liste ne doit jamais échouer.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "buf.h"
#include "category.h"
#include "contact.h"
#include "db.h"
#include "fold.h"
#include "migrate.h"
#include "phone.h"
#include "valid.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static struct cbw_db	*db;
static long long	 owner, last_id;

/*
 * Base en mémoire migrée (db/migrations, trouvé depuis __FILE__ : run.sh
 * compile avec des chemins absolus) et un admin.
 */
static void
open_db(void)
{
	char		 dir[4096], err[512], *p;
	int		 applied;

	if (snprintf(dir, sizeof(dir) - 32, "%s", __FILE__) >=
	    (int)sizeof(dir) - 32 || (p = strstr(dir, "/t/fuzz/")) == NULL)
		abort();
	memcpy(p, "/db/migrations", sizeof("/db/migrations"));
	if (cbw_db_open(&db, ":memory:", 1, err, sizeof(err)) != CBW_OK ||
	    cbw_migrate(db, dir, &applied, err, sizeof(err)) != CBW_OK ||
	    cbw_db_exec(db, "INSERT INTO users(email, password_hash, role, "
	    "created_at, updated_at) VALUES ('fuzz@test.com', 'x', 'admin', "
	    "'2024-01-01T00:00:00Z', '2024-01-01T00:00:00Z')", NULL) != CBW_OK)
		abort();
	owner = cbw_db_last_id(db);
}

/* Nombre de caractères UTF-8 (octets qui ne sont pas de continuation). */
static size_t
nchars(const char *s, size_t n)
{
	size_t	 i, c = 0;

	for (i = 0; i < n; i++)
		c += ((unsigned char)s[i] & 0xc0) != 0x80;
	return c;
}

/* Repli : jeu de caractères et idempotence. */
static void
check_fold(const char *s)
{
	struct cbw_buf	 a, b;
	size_t		 i;
	unsigned char	 c;

	cbw_buf_init(&a);
	cbw_buf_init(&b);
	if (cbw_fold(&a, s) != CBW_OK || cbw_fold(&b, cbw_buf_str(&a)) != CBW_OK)
		abort();
	for (i = 0; i < a.len; i++) {
		c = (unsigned char)a.data[i];
		if (c < 0x80 && c != ' ' && !(c >= 'a' && c <= 'z') &&
		    !(c >= '0' && c <= '9'))
			abort();
	}
	if (a.len != b.len || memcmp(cbw_buf_str(&a), cbw_buf_str(&b), a.len))
		abort();
	cbw_buf_free(&a);
	cbw_buf_free(&b);
}

/*
 * Longueur du caractère qui commence en s (octets de continuation suivis).
 * Récrite exprès (comme char_len de lib/fold.c) : l'oracle ne doit pas
 * reprendre le code qu'il vérifie.
 */
static size_t
clen(const char *s)
{
	size_t	 n = 1;

	while (s[n] != '\0' && ((unsigned char)s[n] & 0xc0) == 0x80)
		n++;
	return n;
}

/*
 * Relit la requête q de cbw_fold_trigrams pour le terme t et la compare à
 * la liste attendue : chaque suite de trois caractères de t, dans l'ordre,
 * sans doublon, les 16 premières. Rend leur nombre ; abort() sinon.
 */
static size_t
check_trigrams(const char *t, const char *q)
{
	char		 want[CBW_FOLD_TRIGRAMS_MAX][16], got[16];
	size_t		 nw = 0, n = 0, l, i, a, b, c;
	const char	*p;
	int		 dup;

	for (p = t; *p != '\0' && nw < CBW_FOLD_TRIGRAMS_MAX; p += a) {
		a = clen(p);
		if (p[a] == '\0' || p[a + (b = clen(p + a))] == '\0')
			break;
		c = clen(p + a + b);
		if (a + b + c >= sizeof(want[0]))
			abort();
		memcpy(want[nw], p, a + b + c);
		want[nw][a + b + c] = '\0';
		for (i = 0, dup = 0; i < nw; i++)
			dup |= strcmp(want[i], want[nw]) == 0;
		nw += !dup;
	}
	while (*q != '\0') {
		if (n > 0 && strncmp(q, " AND ", 5) != 0)
			abort();
		q += n > 0 ? 5 : 0;
		if (*q++ != '"' || n == nw)
			abort();
		for (l = 0; !(q[0] == '"' && q[1] != '"'); q++) {
			if (*q == '\0' || l + 1 >= sizeof(got))
				abort();
			if (*q == '"')
				q++;	/* guillemet doublé */
			got[l++] = *q;
		}
		got[l] = '\0';
		q++;
		if (strcmp(got, want[n++]) != 0)
			abort();
	}
	if (n != nw)
		abort();
	return n;
}

/* Terme cherché : forme, classe, et requête de trigrammes. */
static int
check_term(const char *q, struct cbw_buf *term)
{
	struct cbw_buf	 bound, tq;
	size_t		 c;
	int		 k, kb;

	cbw_buf_init(&bound);
	k = cbw_contact_search_term(q, term);
	kb = cbw_contact_search_bind(q, &bound);
	c = nchars(cbw_buf_str(term), term->len);
	if (k != (c == 0 ? 0 : c < 3 ? 1 : 2))
		abort();
	if (term->len > 0 && (term->data[0] == ' ' ||
	    term->data[term->len - 1] == ' ' || strstr(term->data, "  ")))
		abort();
	if (k != 0 ? kb != k || strcmp(cbw_buf_str(&bound), cbw_buf_str(term)) :
	    kb != (q[strspn(q, " \t\r\n")] != '\0' ? 3 : 0))
		abort();
	cbw_buf_init(&tq);
	if (k == 2) {
		if (cbw_fold_trigrams(&tq, cbw_buf_str(term)) != CBW_OK ||
		    check_trigrams(cbw_buf_str(term), cbw_buf_str(&tq)) == 0)
			abort();
	} else if (cbw_fold_trigrams(&tq, cbw_buf_str(term)) != CBW_EINVAL)
		abort();
	cbw_buf_free(&tq);
	cbw_buf_free(&bound);
	return k;
}

/*
 * Le contact (prénom, nom normalisés) remplace le précédent ; la liste
 * filtrée par q doit le trouver exactement selon l'oracle (voir en tête).
 */
static void
check_list(const char *nf, const char *nl, const char *q)
{
	struct cbw_contact_in	 in;
	struct cbw_phone	 ph;
	struct cbw_phone_err	 perr;
	struct cbw_buf		 key, term, name;
	struct json_object	*items = NULL, *existing = NULL;
	const char		*lit, *end;
	long long		 total = -1, want;
	int			 k;

	memset(&in, 0, sizeof(in));
	if (cbw_phone_parse("+33612345678", NULL, &ph, &perr) != CBW_OK)
		abort();
	in.phone = &ph;
	in.first_name = nf;
	in.last_name = nl;
	if ((last_id != 0 && cbw_contact_delete(db, owner, last_id) != CBW_OK) ||
	    cbw_contact_create(db, owner, &in, &last_id, &existing) != CBW_OK)
		abort();
	cbw_buf_init(&key);
	cbw_buf_init(&term);
	cbw_buf_init(&name);
	if (cbw_contact_search_key(&key, nf, nl, &ph) != CBW_OK)
		abort();
	k = cbw_contact_search_bind(q, &term);
	if (k == 0)
		want = 1;
	else if (k != 3)
		want = strstr(cbw_buf_str(&key), cbw_buf_str(&term)) != NULL;
	else {
		cbw_buf_printf(&name, "%s %s", nf, nl);
		lit = q + strspn(q, " \t\r\n");
		for (end = lit + strlen(lit); end > lit &&
		    strchr(" \t\r\n", end[-1]) != NULL; end--)
			continue;
		want = memmem(cbw_buf_str(&name), name.len, lit,
		    (size_t)(end - lit)) != NULL;
	}
	if (cbw_contact_list(db, owner, q, 0, 1, 20, &items, &total) != CBW_OK ||
	    total != want || (size_t)want != json_object_array_length(items))
		abort();
	json_object_put(items);
	cbw_buf_free(&name);
	cbw_buf_free(&term);
	cbw_buf_free(&key);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cbw_buf		 term;
	char			*s, *first, *last, *q, *nl;
	char			 nf[4 * CBW_NAME_MAX + 4], nn[4 * CBW_NAME_MAX + 4];
	const char		*msg;

	if (db == NULL)
		open_db();
	if ((s = malloc(size + 1)) == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	first = s;
	last = q = s + strlen(s);
	if ((nl = strchr(first, '\n')) != NULL) {
		*nl = '\0';
		last = nl + 1;
		q = last + strlen(last);
		if ((nl = strchr(last, '\n')) != NULL) {
			*nl = '\0';
			q = nl + 1;
		}
	}
	check_fold(first);
	check_fold(q);
	cbw_buf_init(&term);
	check_term(q, &term);
	cbw_buf_free(&term);
	/* Ce que les contrôles de front et le formulaire laissent passer. */
	if (cbw_valid_utf8(q, strlen(q)) && cbw_valid_name(first, 1, nf,
	    sizeof(nf), &msg) == CBW_OK && cbw_valid_name(last, 1, nn,
	    sizeof(nn), &msg) == CBW_OK)
		check_list(nf, nn, q);
	free(s);
	return 0;
}
