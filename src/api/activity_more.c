/*
 * Routes around activities that are not records of their own: calls a
 * PBX posts, comments on an activity, and the iCalendar feed (its one
 * public route: the secret in the path is the credential). Each parses,
 * calls the core (core/activities.h) and renders.
 */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "api/internal.h"
#include "core/activities.h"
#include "core/calfeed.h"
#include "core/users.h"
#include "util/buf.h"
#include "util/timeutil.h"

void
h_call_post(struct call *c)
{
	json_t *in = body_object(c), *out = NULL;
	bool created = false;
	int rc;

	if (in == NULL)
		return;
	rc = activity_call_log(&c->cx, in, &out, &created);
	json_decref(in);
	if (rc == CRM_OK)
		etag_header(c, out);
	/* 200 for a retried post: the PBX learns the call was already logged. */
	reply_result(c, rc, created ? 201 : 200, out);
}

void
h_comment_list(struct call *c)
{
	json_t *out = NULL;
	int rc = activity_comment_list(&c->cx, c->id, &out);

	reply_result(c, rc, 200, out);
}

void
h_comment_add(struct call *c)
{
	json_t *in = body_object(c), *out = NULL;
	int rc;

	if (in == NULL)
		return;
	rc = activity_comment_add(&c->cx, c->id, in, &out);
	json_decref(in);
	reply_result(c, rc, 201, out);
}

void
h_comment_delete(struct call *c)
{
	reply_result(c, activity_comment_delete(&c->cx, c->id, c->sub), 204,
	    NULL);
}

/*
 * The feed's address: the configured origin (--origin), else this
 * request's Host with the scheme the cookies say the server is behind.
 */
void
h_calfeed_create(struct call *c)
{
	char secret[SECRET_LEN], url[1024], path[128];
	const char *host = http_header(c->req, "Host");
	int rc = calfeed_create(&c->cx, secret), n;

	if (rc != CRM_OK) {
		reply_core(c, rc);
		return;
	}
	if (c->app->rp.origin[0] != '\0')
		n = snprintf(url, sizeof(url), "%s/ical/%s.ics", c->app->rp.origin,
		    secret);
	else
		n = snprintf(url, sizeof(url), "%s://%s/ical/%s.ics",
		    c->app->secure_cookies ? "https" : "http",
		    host != NULL ? host : "localhost", secret);
	if (n < 0 || (size_t)n >= sizeof(url)) {
		reply_problem(c, 400, NULL, "The Host header is too long");
		return;
	}
	snprintf(path, sizeof(path), "/ical/%s.ics", secret);
	reply_json(c, 201, json_pack("{s:s, s:s}", "url", url, "path", path));
	sodium_memzero(secret, sizeof(secret));
}

void
h_calfeed_status(struct call *c)
{
	json_t *out = NULL;
	int rc = calfeed_status(&c->cx, &out);

	reply_result(c, rc, 200, out);
}

void
h_calfeed_delete(struct call *c)
{
	reply_result(c, calfeed_revoke(&c->cx), 204, NULL);
}

/* GET /ical/{secret}.ics: public, the secret is the credential. */
void
h_calfeed_get(struct call *c)
{
	const char *p = c->req->path + strlen("/ical/");
	size_t n = strlen(p);
	char secret[SECRET_LEN];
	struct buf out;
	int rc;

	if (n <= 4 || n - 4 >= sizeof(secret) || strcmp(p + n - 4, ".ics") != 0) {
		reply_problem(c, 404, NULL, "No such calendar feed");
		return;
	}
	memcpy(secret, p, n - 4);
	secret[n - 4] = '\0';
	buf_init(&out, CALFEED_BYTES_MAX);
	rc = calfeed_render(&c->cx, secret, time_now_ms(), &out);
	sodium_memzero(secret, sizeof(secret));
	if (rc != CRM_OK) {
		buf_free(&out);
		reply_core(c, rc);
		return;
	}
	c->resp->status = 200;
	c->resp->content_type = "text/calendar; charset=utf-8";
	c->resp->len = out.len;
	c->resp->body = buf_steal(&out);
	/* Calendar apps poll; a proxy must not keep one user's feed. */
	http_resp_header(c->resp, "Cache-Control", "private, no-store");
}
