/*
 * Webhook calls of process steps (core/process_run.h): one HTTPS request
 * to an address a template names, refused when the name leads into the
 * server's own network.
 *
 * The host is resolved here and every address it has is checked: none may
 * be loopback, private (RFC 1918, unique local), link-local, carrier-grade
 * NAT, multicast, unspecified or reserved. The request then goes to the
 * checked address only (libcurl's resolve list), so a second lookup cannot
 * answer differently (DNS rebinding). Redirects are not followed.
 */
#ifndef CORE_WEBHOOK_H
#define CORE_WEBHOOK_H

#include <stdbool.h>
#include <stddef.h>

#define WEBHOOK_ANSWER_MAX (64 * 1024)	/* bytes of an answer read, then cut */

/*
 * Calls url (https only) with method ("POST", "PUT", "PATCH", "GET",
 * "DELETE") and body (NULL or text; sent as application/json when it is
 * JSON, else text/plain), within timeout_s seconds. *status is the
 * answer's HTTP status, 0 when there was none. Returns 0 for a 2xx
 * answer, -1 otherwise with why in err. allow_loopback (tests only, crm
 * serve --webhook-test-loopback) lets loopback addresses through and does
 * not check their certificate.
 */
int webhook_call(const char *url, const char *method, const char *body,
    long timeout_s, bool allow_loopback, long *status, char *err,
    size_t errlen);

#endif
