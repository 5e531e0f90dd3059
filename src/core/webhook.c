/*
 * One webhook request (core/webhook.h): resolve, check every address,
 * pin the checked one, call with a timeout, read at most a bounded answer.
 */
#include "core/webhook.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <jansson.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

/* Whether a is an address a webhook may not reach; *loop: it is loopback. */
static bool
forbidden4(const unsigned char *b, bool *loop)
{
	*loop = b[0] == 127;
	return b[0] == 0 || b[0] == 10 || b[0] == 127 ||
	    (b[0] == 169 && b[1] == 254) ||
	    (b[0] == 172 && (b[1] & 0xf0) == 16) ||
	    (b[0] == 192 && b[1] == 168) ||
	    (b[0] == 100 && (b[1] & 0xc0) == 64) ||
	    (b[0] == 192 && b[1] == 0 && b[2] == 0) ||
	    b[0] >= 224;
}

static bool
forbidden6(const unsigned char *b, bool *loop)
{
	static const unsigned char zero[16];
	static const unsigned char mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	    0xff, 0xff };

	*loop = memcmp(b, zero, 15) == 0 && b[15] == 1;
	if (memcmp(b, mapped, 12) == 0)
		return forbidden4(b + 12, loop);
	return memcmp(b, zero, 15) == 0 ||	/* :: and ::1 */
	    (b[0] & 0xfe) == 0xfc ||		/* unique local fc00::/7 */
	    (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) ||	/* link-local */
	    b[0] == 0xff;			/* multicast */
}

static size_t
sink(char *p, size_t size, size_t n, void *arg)
{
	size_t *got = arg;

	(void)p;
	*got += size * n;
	return *got > WEBHOOK_ANSWER_MAX ? 0 : size * n;
}

/* The host's first address after checking all of them, as text. */
static int
resolve_checked(const char *host, bool allow_loopback, char *addr,
    size_t addrlen, bool *loop, char *err, size_t errlen)
{
	struct addrinfo hints, *res = NULL, *ai;
	int rc;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	rc = getaddrinfo(host, NULL, &hints, &res);
	if (rc != 0) {
		snprintf(err, errlen, "cannot resolve %.100s: %s", host,
		    gai_strerror(rc));
		return -1;
	}
	addr[0] = '\0';
	*loop = false;
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		bool bad, l;
		char text[INET6_ADDRSTRLEN];

		if (ai->ai_family == AF_INET) {
			struct sockaddr_in *s4 = (struct sockaddr_in *)ai->ai_addr;

			bad = forbidden4((const unsigned char *)&s4->sin_addr, &l);
			inet_ntop(AF_INET, &s4->sin_addr, text, sizeof(text));
		} else if (ai->ai_family == AF_INET6) {
			struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ai->ai_addr;

			bad = forbidden6(s6->sin6_addr.s6_addr, &l);
			inet_ntop(AF_INET6, &s6->sin6_addr, text, sizeof(text));
		} else {
			continue;
		}
		if (bad && !(l && allow_loopback)) {
			snprintf(err, errlen, "%.100s leads to %s, an address of "
			    "the server's own network: refused", host, text);
			freeaddrinfo(res);
			return -1;
		}
		if (addr[0] == '\0') {
			if ((size_t)snprintf(addr, addrlen, ai->ai_family == AF_INET6 ?
			    "[%s]" : "%s", text) >= addrlen) {
				freeaddrinfo(res);
				snprintf(err, errlen, "address too long");
				return -1;
			}
			*loop = l;
		}
	}
	freeaddrinfo(res);
	if (addr[0] == '\0') {
		snprintf(err, errlen, "%.100s has no address", host);
		return -1;
	}
	return 0;
}

int
webhook_call(const char *url, const char *method, const char *body,
    long timeout_s, bool allow_loopback, long *status, char *err,
    size_t errlen)
{
	char ebuf[CURL_ERROR_SIZE] = "", addr[INET6_ADDRSTRLEN + 2], pin[512];
	char *scheme = NULL, *host = NULL, *port = NULL;
	struct curl_slist *resolve = NULL, *headers = NULL;
	const char *h;
	size_t got = 0, hlen;
	json_t *js;
	bool loop = false;
	CURLU *u = curl_url();
	CURL *c = NULL;
	CURLcode cc;
	int rc = -1;

	*status = 0;
	if (u == NULL || curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) !=
	    CURLUE_OK) {
		snprintf(err, errlen, "not a usable address");
		goto out;
	}
	if (strcmp(scheme, "https") != 0) {
		snprintf(err, errlen, "only https:// addresses are called");
		goto out;
	}
	/* An IPv6 literal comes in brackets; getaddrinfo wants it bare. */
	h = host;
	hlen = strlen(host);
	if (hlen > 2 && host[0] == '[' && host[hlen - 1] == ']') {
		host[hlen - 1] = '\0';
		h = host + 1;
	}
	if (resolve_checked(h, allow_loopback, addr, sizeof(addr), &loop, err,
	    errlen) != 0)
		goto out;
	if (h != host)
		host[hlen - 1] = ']';
	if ((size_t)snprintf(pin, sizeof(pin), "%s:%s:%s", host, port, addr) >=
	    sizeof(pin)) {
		snprintf(err, errlen, "host name too long");
		goto out;
	}
	resolve = curl_slist_append(NULL, pin);
	js = body != NULL ? json_loads(body, JSON_DECODE_ANY, NULL) : NULL;
	headers = curl_slist_append(NULL, js != NULL ?
	    "Content-Type: application/json" : "Content-Type: text/plain; "
	    "charset=utf-8");
	json_decref(js);
	c = curl_easy_init();
	if (c == NULL || resolve == NULL || headers == NULL) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "https");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_RESOLVE, resolve);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	if (strcmp(method, "GET") == 0)
		curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
	else if (body != NULL)
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, timeout_s);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, timeout_s);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "crm-webhook/1");
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, sink);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &got);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, ebuf);
	if (loop && allow_loopback) {
		/* Tests only: a loopback test server's own certificate. */
		curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
	}
	cc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
	if (cc != CURLE_OK && !(cc == CURLE_WRITE_ERROR && *status > 0)) {
		snprintf(err, errlen, "%s", ebuf[0] ? ebuf : curl_easy_strerror(cc));
		goto out;
	}
	if (*status < 200 || *status > 299) {
		snprintf(err, errlen, "answered HTTP %ld", *status);
		goto out;
	}
	rc = 0;
out:
	curl_easy_cleanup(c);
	curl_slist_free_all(resolve);
	curl_slist_free_all(headers);
	curl_free(scheme);
	curl_free(host);
	curl_free(port);
	curl_url_cleanup(u);
	return rc;
}
