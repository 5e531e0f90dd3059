/* Rendering outcomes: JSON bodies and RFC 9457 problem details. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "api/internal.h"
#include "util/alloc.h"

void
reply_json(struct call *c, int status, json_t *j)
{
	/* 15 digits: a ratio rounded to 0.6667 prints as that, not 0.66669999... */
	char *s = json_dumps(j, JSON_COMPACT | JSON_REAL_PRECISION(15));

	json_decref(j);
	c->resp->status = status;
	c->resp->content_type = "application/json";
	c->resp->body = s;
	c->resp->len = s ? strlen(s) : 0;
}

void
reply_empty(struct call *c, int status)
{
	c->resp->status = status;
	c->resp->content_type = NULL;
	c->resp->body = NULL;
	c->resp->len = 0;
}

static const char *
title_of(int status)
{
	switch (status) {
	case 400: return "Bad request";
	case 401: return "Not signed in";
	case 403: return "Not allowed";
	case 404: return "Not found";
	case 405: return "Method not allowed";
	case 409: return "Conflict";
	case 412: return "Precondition failed";
	case 413: return "Body too large";
	case 415: return "Unsupported media type";
	case 422: return "Invalid input";
	case 429: return "Too many requests";
	case 503: return "Service unavailable";
	case 507: return "Insufficient storage";
	default: return "Server error";
	}
}

static void
problem(struct call *c, int status, const char *title, const char *detail,
    json_t *errors)
{
	json_t *p = json_pack("{s:s, s:s, s:i, s:s}", "type", "about:blank",
	    "title", title ? title : title_of(status), "status", status,
	    "detail", detail);

	if (p == NULL)	/* detail was not UTF-8: never echo such bytes */
		p = json_pack("{s:s, s:s, s:i, s:s}", "type", "about:blank",
		    "title", title_of(status), "status", status, "detail",
		    title_of(status));
	if (errors != NULL)
		json_object_set_new(p, "errors", errors);
	reply_json(c, status, p);
	c->resp->content_type = "application/problem+json";
}

void
reply_problem(struct call *c, int status, const char *title, const char *fmt,
    ...)
{
	char detail[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	problem(c, status, title, detail, NULL);
}

void
reply_core(struct call *c, int rc)
{
	json_t *errors = NULL;
	int status;

	switch (rc) {
	case CRM_ENOTFOUND: status = 404; break;
	case CRM_EINVAL: status = 422; break;
	case CRM_ECONFLICT: status = 412; break;
	case CRM_EFORBIDDEN: status = 403; break;
	case CRM_EUNAUTH: status = 401; break;
	case CRM_EEXISTS: status = 409; break;
	case CRM_EINUSE: status = 409; break;
	case CRM_ESTEPUP: status = 403; break;
	case CRM_EBADQUERY: status = 400; break;
	case CRM_ETHROTTLED: status = 429; break;
	case CRM_EUNAVAIL: status = 503; break;
	default: status = 500; break;
	}
	if (rc == CRM_EINVAL) {
		errors = json_array();
		for (int i = 0; i < c->cx.errs.n; i++) {
			json_t *e = json_pack("{s:s, s:s}", "field",
			    c->cx.errs.items[i].field, "message",
			    c->cx.errs.items[i].message);

			if (e != NULL)
				json_array_append_new(errors, e);
		}
	}
	if (rc == CRM_EDB && c->cx.db != NULL && db_is_down(c->cx.db)) {
		/* The database server is away: tell clients and balancers to retry. */
		problem(c, 503, NULL, "The database is unreachable; try again in a "
		    "few seconds", NULL);
		http_resp_header(c->resp, "Retry-After", "5");
		return;
	}
	if (rc == CRM_EDB && c->cx.db != NULL) {
		switch (db_fault(c->cx.db)) {
		case DB_FAULT_FULL:
			problem(c, 507, "Insufficient storage", "The disk holding the "
			    "database is full; nothing was changed. Reading still "
			    "works; an administrator must free space on the server.",
			    NULL);
			return;
		case DB_FAULT_READONLY:
			problem(c, 503, NULL, "The database cannot be written: its "
			    "disk is read-only or failing; nothing was changed. "
			    "Reading still works; an administrator must check the "
			    "disk.", NULL);
			return;
		case DB_FAULT_BUSY:
			problem(c, 503, NULL, "The database stayed locked by another "
			    "program (a backup, a maintenance tool); nothing was "
			    "changed. Try again in a few seconds.", NULL);
			http_resp_header(c->resp, "Retry-After", "5");
			return;
		case DB_FAULT_TIMEOUT:	/* the core said what ran too long */
		case DB_FAULT_NONE:
			break;
		}
	}
	/* The UI knows by the title to ask for the code or key, then retry. */
	problem(c, status, rc == CRM_ESTEPUP ? "Step-up required" : NULL,
	    c->cx.detail[0] ? c->cx.detail : title_of(status), errors);
	if (c->cx.retry_after_s > 0) {
		char ra[24];

		snprintf(ra, sizeof(ra), "%lld", (long long)c->cx.retry_after_s);
		http_resp_header(c->resp, "Retry-After", ra);
	}
}

void
reply_result(struct call *c, int rc, int status, json_t *out)
{
	if (rc != CRM_OK)
		reply_core(c, rc);
	else if (status == 204)
		reply_empty(c, 204);
	else
		reply_json(c, status, out);
}

void
call_with_body(struct call *c, body_fn fn, int status)
{
	json_t *in = body_object(c), *out = NULL;
	int rc;

	if (in == NULL)
		return;
	rc = fn(&c->cx, in, &out);
	json_decref(in);
	reply_result(c, rc, status, out);
}

void
call_with_id_body(struct call *c, id_body_fn fn)
{
	json_t *in = body_object(c), *out = NULL;
	int rc;

	if (in == NULL)
		return;
	rc = fn(&c->cx, c->id, in, &out);
	json_decref(in);
	reply_result(c, rc, 200, out);
}

json_t *
body_object(struct call *c)
{
	const char *ct = http_header(c->req, "Content-Type");
	json_error_t err;
	json_t *j;

	if (ct == NULL || strncmp(ct, "application/json", 16) != 0) {
		reply_problem(c, 415, NULL, "Send the body as JSON with "
		    "Content-Type: application/json");
		return NULL;
	}
	j = json_loadb(c->req->body, c->req->body_len, JSON_REJECT_DUPLICATES, &err);
	if (j == NULL) {
		reply_problem(c, 400, "Malformed JSON", "The body is not valid "
		    "JSON: %s at line %d, column %d", err.text, err.line, err.column);
		return NULL;
	}
	if (!json_is_object(j)) {
		json_decref(j);
		reply_problem(c, 400, NULL, "The body must be a JSON object");
		return NULL;
	}
	return j;
}
