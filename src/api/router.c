/*
 * The route table and the life of a request: match the path, authenticate,
 * borrow a database connection, run the handler, give the connection back.
 * The same table drives the OpenAPI description, so it cannot drift.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api/internal.h"
#include "core/sessions.h"
#include "core/tokens.h"
#include "core/users.h"
#include "http/static.h"
#include "util/alloc.h"
#include "util/buf.h"

#define COMPANY &entity_companies
#define CONTACT &entity_contacts

const struct route api_routes[] = {
	{ "GET", "/healthz", h_health, NULL, R_PUBLIC, "Ready check", "system" },
	{ "GET", "/api/v1/openapi.json", h_openapi, NULL, R_PUBLIC,
	    "This description", "system" },
	{ "POST", "/api/v1/auth/login", h_login, NULL, R_PUBLIC | R_BODY,
	    "Sign in; sets the session cookie", "auth" },
	{ "POST", "/api/v1/auth/logout", h_logout, NULL, R_ANYSTATE,
	    "Sign out; ends the session", "auth" },
	{ "GET", "/api/v1/auth/me", h_me, NULL, 0, "The signed-in user, and the "
	    "session's CSRF token", "auth" },
	{ "POST", "/api/v1/auth/password", h_password_change, NULL, R_BODY,
	    "Change one's own password; ends one's other sessions", "auth" },
	{ "GET", "/api/v1/auth/sessions", h_sessions_list, NULL, 0,
	    "One's own sessions", "auth" },
	{ "DELETE", "/api/v1/auth/sessions/{id}", h_session_delete, NULL,
	    R_ANYSTATE, "End one of one's own sessions", "auth" },
	{ "POST", "/api/v1/auth/sessions/revoke-others", h_sessions_revoke_others,
	    NULL, R_ANYSTATE, "Sign out everywhere else", "auth" },
	{ "GET", "/api/v1/auth/tokens", h_tokens_list, NULL, 0,
	    "One's own API tokens", "auth" },
	{ "POST", "/api/v1/auth/tokens", h_token_create, NULL, R_BODY,
	    "Make an API token (the secret is answered once)", "auth" },
	{ "DELETE", "/api/v1/auth/tokens/{id}", h_token_delete, NULL, 0,
	    "Revoke an API token (one's own; an admin: anyone's)", "auth" },
	{ "POST", "/api/v1/auth/unlock", h_user_unlock, NULL, R_BODY,
	    "Lift an account's sign-in lockout (admin)", "auth" },
	{ "GET", "/api/v1/system/state", h_system_get, NULL, R_ANYSTATE,
	    "The system state: normal, read_only or locked", "system" },
	{ "PUT", "/api/v1/system/state", h_system_put, NULL, R_BODY | R_ANYSTATE,
	    "Set or lift the system state (admin)", "system" },
	{ "GET", "/api/v1/companies", h_rec_list, COMPANY, 0,
	    "List, filter, search and page companies", "companies" },
	{ "POST", "/api/v1/companies", h_rec_create, COMPANY, R_BODY,
	    "Create a company", "companies" },
	{ "GET", "/api/v1/companies/{id}", h_rec_get, COMPANY, 0,
	    "Read a company", "companies" },
	{ "PATCH", "/api/v1/companies/{id}", h_rec_update, COMPANY, R_BODY,
	    "Change fields of a company (If-Match)", "companies" },
	{ "DELETE", "/api/v1/companies/{id}", h_rec_delete, COMPANY, 0,
	    "Move a company to the trash", "companies" },
	{ "POST", "/api/v1/companies/{id}/restore", h_rec_restore, COMPANY, 0,
	    "Restore a company from the trash", "companies" },
	{ "GET", "/api/v1/contacts", h_rec_list, CONTACT, 0,
	    "List, filter, search and page contacts", "contacts" },
	{ "POST", "/api/v1/contacts", h_rec_create, CONTACT, R_BODY,
	    "Create a contact", "contacts" },
	{ "GET", "/api/v1/contacts/{id}", h_rec_get, CONTACT, 0,
	    "Read a contact", "contacts" },
	{ "PATCH", "/api/v1/contacts/{id}", h_rec_update, CONTACT, R_BODY,
	    "Change fields of a contact (If-Match)", "contacts" },
	{ "DELETE", "/api/v1/contacts/{id}", h_rec_delete, CONTACT, 0,
	    "Move a contact to the trash", "contacts" },
	{ "POST", "/api/v1/contacts/{id}/restore", h_rec_restore, CONTACT, 0,
	    "Restore a contact from the trash", "contacts" },
	{ "GET", "/api/v1/search", h_search, NULL, 0,
	    "Search companies and contacts", "search" },
	{ "GET", "/api/v1/custom-fields", h_cf_list, NULL, 0,
	    "Custom field definitions of an entity", "custom fields" },
	{ "POST", "/api/v1/custom-fields", h_cf_create, NULL, R_BODY,
	    "Define a custom field (admin)", "custom fields" },
	{ "PATCH", "/api/v1/custom-fields/{id}", h_cf_update, NULL, R_BODY,
	    "Change a custom field (admin)", "custom fields" },
	{ "DELETE", "/api/v1/custom-fields/{id}", h_cf_delete, NULL, 0,
	    "Delete a custom field (admin)", "custom fields" },
	{ "GET", "/api/v1/users", h_users, NULL, 0, "List users", "users" },
};
const size_t api_nroutes = sizeof(api_routes) / sizeof(api_routes[0]);

/*
 * Matches path against a template; "{id}" takes one segment. Returns 1 on
 * a match, with the raw id segment in *idseg (length *idlen).
 */
static int
match(const char *tmpl, const char *path, const char **idseg, size_t *idlen)
{
	while (*tmpl != '\0' && *path != '\0') {
		if (strncmp(tmpl, "{id}", 4) == 0) {
			size_t n = strcspn(path, "/");

			*idseg = path;
			*idlen = n;
			tmpl += 4;
			path += n;
			continue;
		}
		if (*tmpl != *path)
			return 0;
		tmpl++;
		path++;
	}
	return *tmpl == '\0' && *path == '\0';
}

/* A record id: 1..18 digits, greater than zero. */
static int
parse_id(const char *s, size_t n, int64_t *id)
{
	int64_t v = 0;

	if (n == 0 || n > 18)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	if (v <= 0)
		return -1;
	*id = v;
	return 0;
}

static int
authenticate(struct call *c)
{
	const char *h = http_header(c->req, "Authorization");
	const char *cookie = http_cookie(c->req, "crm_session");
	struct actor a;
	int rc;

	memset(&a, 0, sizeof(a));
	if (h != NULL) {
		if (strncmp(h, "Bearer ", 7) != 0)
			return core_fail(&c->cx, CRM_EUNAUTH, "Use Authorization: "
			    "Bearer TOKEN (make one with crm token create)");
		rc = apitoken_resolve(&c->cx, h + 7, &a, &c->read_only);
	} else if (cookie != NULL) {
		struct session_limits lim = { c->app->session_idle_ms,
		    c->app->session_max_ms };

		snprintf(c->session, sizeof(c->session), "%s", cookie);
		rc = session_resolve(&c->cx, cookie, &lim, &a, &c->session_id);
	} else {
		return core_fail(&c->cx, CRM_EUNAUTH, "Sign in, or send "
		    "Authorization: Bearer TOKEN");
	}
	if (rc == CRM_OK) {
		c->cx.actor = a;
		c->resp->user_id = a.user_id;
	}
	return rc;
}

static bool
is_unsafe(const char *method)
{
	return strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0 &&
	    strcmp(method, "OPTIONS") != 0;
}

/*
 * An Origin header, when a browser sends one, must name this server: the
 * scheme's host[:port] equal to Host. "null" (sandboxed frames, some
 * redirects) never matches.
 */
static bool
origin_ok(const struct call *c)
{
	const char *origin = http_header(c->req, "Origin");
	const char *host = http_header(c->req, "Host");
	const char *rest;

	if (origin == NULL)
		return true;
	if (strncmp(origin, "https://", 8) == 0)
		rest = origin + 8;
	else if (strncmp(origin, "http://", 7) == 0)
		rest = origin + 7;
	else
		return false;
	return host != NULL && strcasecmp(rest, host) == 0;
}

/*
 * What an authenticated call must pass before its handler: for a change
 * made with the session cookie, the Origin and the session's CSRF token
 * (X-CSRF-Token); for a read-only token, no change at all; and the system
 * state. Returns true when it replied.
 */
static bool
guard(struct call *c, const struct route *r)
{
	bool unsafe = is_unsafe(c->req->method);
	const char *given;

	if (unsafe && c->session_id > 0) {
		if (!origin_ok(c)) {
			reply_problem(c, 403, "Cross-site request refused", "The "
			    "request came from another site (its Origin is not this "
			    "server); nothing was changed");
			return true;
		}
		given = http_header(c->req, "X-CSRF-Token");
		if (given == NULL || !session_csrf_ok(c->session, given)) {
			reply_problem(c, 403, "CSRF token missing or wrong", "A change "
			    "made with the session cookie must carry the header "
			    "X-CSRF-Token with the csrf_token from sign-in or GET "
			    "/api/v1/auth/me; reload the page and try again");
			return true;
		}
	}
	if (unsafe && c->read_only) {
		reply_problem(c, 403, "Read-only token", "This API token is "
		    "read-only: it can read but not change anything. Make a token "
		    "without read_only for changes.");
		return true;
	}
	return system_refuses(c, unsafe, (r->flags & R_ANYSTATE) != 0);
}

static void
dispatch(struct call *c)
{
	const struct route *hit = NULL;
	const char *idseg = NULL;
	size_t idlen = 0;
	struct buf allow;
	db_t *db;
	int rc;

	buf_init(&allow, 256);
	for (size_t i = 0; i < api_nroutes; i++) {
		const struct route *r = &api_routes[i];
		const char *seg = NULL;
		size_t seglen = 0;

		/* The {id} of the route that is hit only ("/sessions/{id}" also
		 * matches "/sessions/revoke-others"). */
		if (!match(r->path, c->req->path, &seg, &seglen))
			continue;
		if (strcmp(r->method, c->req->method) == 0 ||
		    (strcmp(r->method, "GET") == 0 &&
		    strcmp(c->req->method, "HEAD") == 0)) {
			hit = r;
			idseg = seg;
			idlen = seglen;
			break;
		}
		buf_printf(&allow, "%s%s", allow.len ? ", " : "", r->method);
	}
	if (hit == NULL) {
		if (allow.len > 0) {
			reply_problem(c, 405, NULL, "%s is not allowed here; use %s",
			    c->req->method, allow.data);
			http_resp_header(c->resp, "Allow", allow.data);
		} else if ((strcmp(c->req->method, "GET") == 0 ||
		    strcmp(c->req->method, "HEAD") == 0) &&
		    strncmp(c->req->path, "/api/", 5) != 0 &&
		    http_static(c->req, c->resp)) {
			/* served from the embedded web UI */
		} else {
			reply_problem(c, 404, NULL, "There is nothing at %s",
			    strncmp(c->req->path, "/api/", 5) == 0 ? "this API path" :
			    "this address");
		}
		buf_free(&allow);
		return;
	}
	buf_free(&allow);
	if (idseg != NULL && parse_id(idseg, idlen, &c->id) != 0) {
		reply_problem(c, 400, NULL, "The id in the path must be a positive "
		    "whole number");
		return;
	}
	c->entity = hit->entity;
	db = db_pool_get(c->app->pool);
	core_ctx_init(&c->cx, db, NULL);
	rc = (hit->flags & R_PUBLIC) ? CRM_OK : authenticate(c);
	if (rc != CRM_OK) {
		reply_core(c, rc);
		http_resp_header(c->resp, "WWW-Authenticate", "Bearer");
	} else if ((hit->flags & R_PUBLIC) && is_unsafe(c->req->method) &&
	    !origin_ok(c)) {
		/* Login CSRF: another site signing the browser in as someone. */
		reply_problem(c, 403, "Cross-site request refused", "The request "
		    "came from another site (its Origin is not this server)");
	} else if ((hit->flags & R_PUBLIC) || !guard(c, hit)) {
		hit->fn(c);
	}
	db_pool_put(c->app->pool, db);
}

void
api_handle(void *arg, const struct http_req *req, struct http_resp *resp)
{
	/* Not zeroed: the error list is large and core_ctx_init resets it. */
	struct call *c = xmalloc(sizeof(*c));

	c->entity = NULL;
	c->id = 0;
	c->session[0] = '\0';
	c->session_id = 0;
	c->read_only = false;
	core_ctx_init(&c->cx, NULL, NULL);
	c->app = arg;
	c->req = req;
	c->resp = resp;
	dispatch(c);
	free(c);
}
