/* Signing in and out, and who am I. */
#include <stdio.h>
#include <string.h>

#include "api/internal.h"
#include "core/org.h"
#include "core/sessions.h"
#include "core/users.h"

void
h_login(struct call *c)
{
	json_t *in = body_object(c);
	json_t *email, *password, *body;
	char secret[SECRET_LEN], cookie[256], csrf[SESSION_CSRF_LEN];
	const char *agent;
	struct actor a;
	int rc;

	if (in == NULL)
		return;
	email = json_object_get(in, "email");
	password = json_object_get(in, "password");
	if (!json_is_string(email))
		verrs_add(&c->cx.errs, "email", "is required");
	if (!json_is_string(password))
		verrs_add(&c->cx.errs, "password", "is required");
	if (c->cx.errs.n > 0) {
		json_decref(in);
		reply_core(c, core_fail(&c->cx, CRM_EINVAL, "Enter your email and "
		    "password"));
		return;
	}
	agent = http_header(c->req, "User-Agent");
	rc = session_login(&c->cx, json_string_value(email),
	    json_string_value(password), c->req->remote, agent ? agent : "",
	    secret, &a);
	json_decref(in);
	if (rc == CRM_OK)
		rc = api_twofa_login(c, secret, &a, &body);
	if (rc != CRM_OK) {
		reply_core(c, rc);
		return;
	}
	c->resp->user_id = a.user_id;
	snprintf(cookie, sizeof(cookie), "crm_session=%s; Path=/; HttpOnly; "
	    "SameSite=Strict; Max-Age=%lld%s", secret,
	    (long long)(c->app->session_max_ms / 1000),
	    c->app->secure_cookies ? "; Secure" : "");
	/* Also for a session waiting for its second step: verifying is a POST. */
	session_csrf(secret, csrf);
	json_object_set_new(body, "csrf_token", json_string(csrf));
	reply_json(c, 200, body);
	http_resp_header(c->resp, "Set-Cookie", cookie);
	http_resp_header(c->resp, "Cache-Control", "no-store");
}

void
h_logout(struct call *c)
{
	int rc;

	if (c->session[0] != '\0') {
		rc = auth_logout(&c->cx, c->session);
		if (rc != CRM_OK) {
			reply_core(c, rc);
			return;
		}
	}
	reply_empty(c, 204);
	http_resp_header(c->resp, "Set-Cookie", c->app->secure_cookies ?
	    "crm_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0; Secure" :
	    "crm_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
}

/* Who is signed in, and what their role lets them do (for the UI). */
void
h_me(struct call *c)
{
	json_t *me = user_actor_json(&c->cx.actor), *rights = NULL;
	char csrf[SESSION_CSRF_LEN];
	int rc = access_describe(&c->cx, &rights);

	if (rc != CRM_OK) {
		json_decref(me);
		reply_core(c, rc);
		return;
	}
	json_object_update(me, rights);
	json_decref(rights);
	/* A browser reloading the page learns its session's CSRF token here. */
	if (c->session_id > 0) {
		session_csrf(c->session, csrf);
		json_object_set_new(me, "csrf_token", json_string(csrf));
	}
	reply_json(c, 200, me);
	http_resp_header(c->resp, "Cache-Control", "no-store");
}

/* Ready means the database answers too: a balancer then skips a server
 * that lost it. */
void
h_health(struct call *c)
{
	if (core_ping(&c->cx) != CRM_OK) {
		reply_problem(c, 503, NULL, "The database is unreachable");
		http_resp_header(c->resp, "Retry-After", "5");
	} else {
		reply_json(c, 200, json_pack("{s:s}", "status", "ok"));
	}
	http_resp_header(c->resp, "Cache-Control", "no-store");
}
