/*
 * Cible libFuzzer : analyse d'un numéro de téléphone saisi librement.
 * L'entrée est coupée au premier NUL ou saut de ligne : avant, l'indicatif
 * du formulaire ; après, le numéro (sans coupure : le tout est le numéro,
 * sans indicatif). Une sortie acceptée doit être un E.164 propre qui se
 * relit à l'identique ; un refus doit porter un message.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "phone.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Vérifie une sortie acceptée ; abort() si un invariant est faux. */
static void
check(const struct cbw_phone *p)
{
	struct cbw_phone	 again;
	struct cbw_phone_err	 err;
	size_t			 n, cl;

	n = strlen(p->full);
	cl = strlen(p->country_code);
	if (p->full[0] != '+' || n < 3 || n > 1 + 15 ||
	    strspn(p->full + 1, "0123456789") != n - 1)
		abort();
	if (cl < 2 || strncmp(p->full, p->country_code, cl) != 0 ||
	    strcmp(p->full + cl, p->national) != 0)
		abort();
	if (!cbw_phone_is_e164(p->full) ||
	    cbw_phone_country_by_code(p->country_code) == NULL)
		abort();
	if (cbw_phone_parse(p->full, NULL, &again, &err) != CBW_OK ||
	    strcmp(again.full, p->full) != 0 ||
	    strcmp(again.country_code, p->country_code) != 0 ||
	    strcmp(again.national, p->national) != 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cbw_phone	 p;
	struct cbw_phone_err	 err;
	char			*s, *num, *cc = NULL;
	size_t			 i;

	if ((s = malloc(size + 1)) == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	num = s;
	for (i = 0; i < size; i++)
		if (s[i] == '\0' || s[i] == '\n') {
			s[i] = '\0';
			cc = s;
			num = s + i + 1;
			break;
		}
	if (cbw_phone_parse(num, cc, &p, &err) == CBW_OK) {
		check(&p);
		if (err.field != NULL || err.msg[0] != '\0')
			abort();
	} else if (err.field == NULL || err.msg[0] == '\0' ||
	    p.full[0] != '\0')
		abort();
	/* is_e164 ne lit que la chaîne, jamais au-delà. */
	if (cbw_phone_is_e164(num) &&
	    (cbw_phone_parse(num, NULL, &p, &err) != CBW_OK ||
	    strcmp(p.full, num) != 0))
		abort();
	free(s);
	return 0;
}
