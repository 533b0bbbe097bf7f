/*
 * Référence de benchmark : le plus petit programme FastCGI possible, sous
 * le même lighttpd, pour comparer nos programmes à un plancher mesuré.
 * Avec CBW_HELLO_FAST=1 (route /__hello_fast), il ferme la connexion comme
 * nos programmes (sans l'attente de libfcgi) : référence plus exigeante.
 */
#include <stdio.h>
#include <stdlib.h>

#include <fcgiapp.h>

int
main(void)
{
	FCGX_Request	 r;
	const char	*fast = getenv("CBW_HELLO_FAST");

	if (FCGX_Init() != 0 || FCGX_InitRequest(&r, 0, 0) != 0)
		return 1;
	while (FCGX_Accept_r(&r) >= 0) {
		FCGX_PutS("Status: 200 OK\r\nContent-Type: application/json\r\n"
		    "Content-Length: 15\r\n\r\n{\"hello\":\"ok\"}\n", r.out);
		if (fast != NULL && FCGX_GetChar(r.in) == EOF)
			FCGX_Detach(&r);
		FCGX_Finish_r(&r);
	}
	return 0;
}
