/*
 * The REST API face: routes /api/v1/..., /healthz and the web UI's files
 * onto the core. It parses and checks what arrives, calls the core with the
 * authenticated actor, and renders the outcome as JSON or problem+json.
 * It never writes SQL.
 */
#ifndef API_API_H
#define API_API_H

#include <stdbool.h>

#include "core/twofactor.h"
#include "http/http.h"
#include "store/pool.h"

struct app {
	struct db_pool	*pool;
	const char	*version;
	bool		 secure_cookies;	/* add Secure (behind HTTPS) */
	struct twofa_rp	 rp;		/* WebAuthn origin and rp id (--origin) */
};

/* The http_handler of the server; arg is a struct app. */
void api_handle(void *arg, const struct http_req *req, struct http_resp *resp);

#endif
