/*
 * Client HTTP de l'API WhatsApp Cloud (voir whatsapp.h) : une poignée curl
 * réutilisée, délai borné, réponse bornée à RESP_MAX octets, jeton masqué
 * dans les erreurs. Fichier à part pour que seuls les programmes qui
 * envoient (cbw-sender) chargent libcurl et ses dépendances.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "buf.h"
#include "config.h"
#include "log.h"
#include "url.h"
#include "valid.h"
#include "whatsapp.h"

#define RESP_MAX	(64 * 1024)	/* corps de réponse lu au plus */
#define CONNECT_MAX_MS	5000L

struct cbw_wa_client {
	CURL			*curl;
	struct curl_slist	*hdr;
	char			*url;
	char			*token;		/* pour le masquer dans res->error */
	long			 timeout_ms;
	struct cbw_buf		 resp;
	int			 toobig;	/* corps au-delà de RESP_MAX */
	int			 global;	/* curl_global_init fait */
	char			 errbuf[CURL_ERROR_SIZE];
};


/*
 * Rappel d'écriture de curl : garde le corps de la réponse dans c->resp
 * jusqu'à RESP_MAX octets. Rend le nombre d'octets pris, ou 0 (transfert
 * interrompu) au-delà de la limite ou si la mémoire manque.
 */
static size_t
on_data(char *ptr, size_t size, size_t nmemb, void *arg)
{
	struct cbw_wa_client	*c = arg;
	size_t			 n = size * nmemb;

	if (n > RESP_MAX - c->resp.len || cbw_buf_put(&c->resp, ptr, n) != CBW_OK) {
		c->toobig = 1;
		return 0;
	}
	return n;
}

/*
 * Rend 1 si s est un segment de chemin sûr (1 à 64 caractères parmi
 * [A-Za-z0-9._-], ni « . » ni « .. »), 0 sinon.
 */
static int
segment_ok(const char *s)
{
	size_t	 n;

	if (s == NULL)
		return 0;
	n = strlen(s);
	return n >= 1 && n <= 64 && strcmp(s, ".") != 0 && strcmp(s, "..") != 0 &&
	    strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789._-") == n;
}

/* Rend 1 si le jeton est non vide et fait d'ASCII imprimable sans espace. */
static int
token_ok(const char *s)
{
	size_t	 i;

	if (s == NULL || s[0] == '\0')
		return 0;
	for (i = 0; s[i] != '\0'; i++)
		if ((unsigned char)s[i] < 0x21 || (unsigned char)s[i] > 0x7e)
			return 0;
	return 1;
}

/*
 * Prépare un client : URL {base}/{version}/{id}/messages, en-têtes Bearer
 * et JSON, délais, TLS vérifié, pas de redirection. Rend CBW_OK et *out ;
 * CBW_EINVAL (*out NULL) si le jeton, l'identifiant de numéro, la version
 * ou l'URL de base manque ou est invalide, ou si timeout_ms ≤ 0 ;
 * CBW_ENOMEM (ou CBW_EIO si curl refuse une option).
 */
enum cbw_err
cbw_wa_open(struct cbw_wa_client **out, const struct cbw_config *cfg,
    long timeout_ms)
{
	struct cbw_wa_client	*c = NULL;
	struct curl_slist	*h;
	struct cbw_buf		 b;
	enum cbw_err		 er = CBW_EINVAL;
	size_t			 blen;

	*out = NULL;
	cbw_buf_init(&b);
	if (cfg == NULL || timeout_ms <= 0 ||
	    !token_ok(cfg->whatsapp_access_token) ||
	    !segment_ok(cfg->whatsapp_phone_number_id) ||
	    !segment_ok(cfg->whatsapp_api_version) ||
	    cfg->graph_base_url == NULL)
		goto out;
	blen = strlen(cfg->graph_base_url);
	while (blen > 0 && cfg->graph_base_url[blen - 1] == '/')
		blen--;
	if (blen == 0 || !cbw_url_valid(cfg->graph_base_url, blen) ||
	    memchr(cfg->graph_base_url, '?', blen) != NULL ||
	    memchr(cfg->graph_base_url, '#', blen) != NULL)
		goto out;
	er = CBW_ENOMEM;
	if ((c = calloc(1, sizeof(*c))) == NULL)
		goto out;
	cbw_buf_init(&c->resp);
	c->timeout_ms = timeout_ms;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		er = CBW_EIO;
		goto out;
	}
	c->global = 1;
	if ((c->token = strdup(cfg->whatsapp_access_token)) == NULL ||
	    cbw_buf_put(&b, cfg->graph_base_url, blen) != CBW_OK ||
	    cbw_buf_printf(&b, "/%s/%s/messages", cfg->whatsapp_api_version,
	    cfg->whatsapp_phone_number_id) != CBW_OK ||
	    (c->url = strdup(cbw_buf_str(&b))) == NULL)
		goto out;
	cbw_buf_reset(&b);
	if (cbw_buf_printf(&b, "Authorization: Bearer %s", c->token) != CBW_OK ||
	    (h = curl_slist_append(NULL, cbw_buf_str(&b))) == NULL)
		goto out;
	c->hdr = h;
	if ((h = curl_slist_append(c->hdr, "Content-Type: application/json")) == NULL ||
	    (h = curl_slist_append(c->hdr, "Expect:")) == NULL ||
	    (c->curl = curl_easy_init()) == NULL)
		goto out;
	er = CBW_EIO;
	if (curl_easy_setopt(c->curl, CURLOPT_URL, c->url) != CURLE_OK ||
	    curl_easy_setopt(c->curl, CURLOPT_HTTPHEADER, c->hdr) != CURLE_OK ||
	    curl_easy_setopt(c->curl, CURLOPT_POST, 1L) != CURLE_OK ||
	    curl_easy_setopt(c->curl, CURLOPT_TIMEOUT_MS, timeout_ms) != CURLE_OK ||
	    curl_easy_setopt(c->curl, CURLOPT_CONNECTTIMEOUT_MS,
	    timeout_ms < CONNECT_MAX_MS ? timeout_ms : CONNECT_MAX_MS) != CURLE_OK ||
	    curl_easy_setopt(c->curl, CURLOPT_NOSIGNAL, 1L) != CURLE_OK ||
	    curl_easy_setopt(c->curl, CURLOPT_SSL_VERIFYPEER, 1L) != CURLE_OK ||
	    curl_easy_setopt(c->curl, CURLOPT_SSL_VERIFYHOST, 2L) != CURLE_OK ||
	    curl_easy_setopt(c->curl, CURLOPT_FOLLOWLOCATION, 0L) != CURLE_OK ||
	    curl_easy_setopt(c->curl, CURLOPT_PROTOCOLS_STR, "http,https") != CURLE_OK ||
	    curl_easy_setopt(c->curl, CURLOPT_USERAGENT, "chatbot-whatsapp") != CURLE_OK ||
	    curl_easy_setopt(c->curl, CURLOPT_WRITEFUNCTION, on_data) != CURLE_OK ||
	    curl_easy_setopt(c->curl, CURLOPT_WRITEDATA, c) != CURLE_OK ||
	    curl_easy_setopt(c->curl, CURLOPT_ERRORBUFFER, c->errbuf) != CURLE_OK)
		goto out;
	*out = c;
	c = NULL;
	er = CBW_OK;
out:
	if (er != CBW_OK && er != CBW_EINVAL)
		CBW_LOGE("préparation du client WhatsApp impossible", cbw_err_name(er));
	cbw_wa_close(c);
	if (b.data != NULL)
		explicit_bzero(b.data, b.cap);	/* contenait le jeton */
	cbw_buf_free(&b);
	return er;
}

/* Libère le client, sa poignée curl et sa copie du jeton. NULL : rien. */
void
cbw_wa_close(struct cbw_wa_client *c)
{
	if (c == NULL)
		return;
	curl_easy_cleanup(c->curl);
	curl_slist_free_all(c->hdr);
	if (c->token != NULL) {
		explicit_bzero(c->token, strlen(c->token));
		free(c->token);
	}
	free(c->url);
	cbw_buf_free(&c->resp);
	if (c->global)
		curl_global_cleanup();
	free(c);
}

/* Remplace par des « * » toute occurrence du jeton dans res->error. */
static void
scrub(const struct cbw_wa_client *c, struct cbw_wa_result *res)
{
	size_t	 n = strlen(c->token);
	char	*p;

	while ((p = strstr(res->error, c->token)) != NULL)
		memset(p, '*', n);
}

/*
 * Remplit res après un échec de curl : TIMEOUT (réessayable) si le délai
 * est dépassé, réponse trop longue traitée comme illisible, NETWORK
 * (réessayable) pour le reste (connexion, DNS, TLS, coupure).
 */
static void
curl_failed(struct cbw_wa_client *c, CURLcode cc, long st,
    struct cbw_wa_result *res)
{
	char	 ex[CURL_ERROR_SIZE + 48];

	if (cc == CURLE_WRITE_ERROR && c->toobig) {
		cbw_wa_parse_response(st, NULL, 0, res);
		cbw_wa_text_append(res->error, sizeof(res->error), " (réponse trop longue)");
		return;
	}
	memset(res, 0, sizeof(*res));
	res->http_status = st;
	if (cc == CURLE_OPERATION_TIMEDOUT) {
		snprintf(ex, sizeof(ex), " (délai de %ld ms dépassé)", c->timeout_ms);
		cbw_wa_result_set(res, CBW_WA_CODE_TIMEOUT, ex);
		return;
	}
	snprintf(ex, sizeof(ex), " (curl : %s)",
	    c->errbuf[0] != '\0' ? c->errbuf : curl_easy_strerror(cc));
	cbw_wa_result_set(res, CBW_WA_CODE_NETWORK, ex);
}

/*
 * Envoie un corps JSON en POST et remplit res (succès, erreur Graph
 * classée, délai, réseau...). Ne rend rien : tout est dans res. Le jeton
 * n'est jamais journalisé ni copié dans res->error ; un code d'erreur
 * absent de la table est journalisé (avertissement).
 */
void
cbw_wa_send(struct cbw_wa_client *c, const char *body, struct cbw_wa_result *res)
{
	CURLcode	 cc;
	long		 st = 0;

	memset(res, 0, sizeof(*res));
	if (c == NULL || body == NULL) {
		cbw_wa_result_set(res, CBW_WA_CODE_HTTP, " (appel invalide : client ou "
		    "corps absent)");
		goto out;
	}
	cbw_buf_reset(&c->resp);
	c->toobig = 0;
	c->errbuf[0] = '\0';
	if (curl_easy_setopt(c->curl, CURLOPT_POSTFIELDS, body) != CURLE_OK ||
	    curl_easy_setopt(c->curl, CURLOPT_POSTFIELDSIZE_LARGE,
	    (curl_off_t)strlen(body)) != CURLE_OK) {
		cbw_wa_result_set(res, CBW_WA_CODE_NETWORK, " (curl : option refusée)");
		goto out;
	}
	cc = curl_easy_perform(c->curl);
	if (curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &st) != CURLE_OK)
		st = 0;
	if (cc != CURLE_OK)
		curl_failed(c, cc, st, res);
	else
		cbw_wa_parse_response(st, c->resp.data, c->resp.len, res);
	scrub(c, res);
	if (res->cls != CBW_WA_OK && !cbw_wa_known(res->code))
		CBW_LOGW("code d'erreur WhatsApp non répertorié", res->error);
out:
	if (c != NULL)
		curl_easy_setopt(c->curl, CURLOPT_POSTFIELDS, NULL);
}
