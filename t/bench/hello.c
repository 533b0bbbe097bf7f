/*
 * Référence de benchmark : le plus petit programme FastCGI possible, sous
 * le même lighttpd, pour comparer nos programmes à un plancher mesuré.
 */
#include <fcgiapp.h>

int
main(void)
{
	FCGX_Request	 r;

	if (FCGX_Init() != 0 || FCGX_InitRequest(&r, 0, 0) != 0)
		return 1;
	while (FCGX_Accept_r(&r) >= 0) {
		FCGX_PutS("Status: 200 OK\r\nContent-Type: application/json\r\n"
		    "Content-Length: 15\r\n\r\n{\"hello\":\"ok\"}\n", r.out);
		FCGX_Finish_r(&r);
	}
	return 0;
}
