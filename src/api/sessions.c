/*
 * One's own sessions and password: list, end one, end the others, change
 * the password (which ends the others too). A session id that is not the
 * caller's answers 404, like one that does not exist.
 */
#include <stdio.h>
#include <string.h>

#include "api/internal.h"
#include "core/sessions.h"

static void
limits(const struct call *c, struct session_limits *lim)
{
	lim->idle_ms = c->app->session_idle_ms;
	lim->max_ms = c->app->session_max_ms;
}

void
h_sessions_list(struct call *c)
{
	struct session_limits lim;
	json_t *out;
	int rc;

	limits(c, &lim);
	rc = session_list(&c->cx, c->cx.actor.user_id, c->session_id, &lim, &out);
	if (rc != CRM_OK) {
		reply_core(c, rc);
		return;
	}
	reply_json(c, 200, out);
	http_resp_header(c->resp, "Cache-Control", "no-store");
}

void
h_session_delete(struct call *c)
{
	int rc = session_end(&c->cx, c->cx.actor.user_id, c->id);

	if (rc != CRM_OK)
		reply_core(c, rc);
	else
		reply_empty(c, 204);
}

void
h_sessions_revoke_others(struct call *c)
{
	int64_t n = 0;
	int rc;

	rc = session_end_others(&c->cx, c->cx.actor.user_id, c->session_id, &n);
	if (rc != CRM_OK)
		reply_core(c, rc);
	else
		reply_json(c, 200, json_pack("{s:I}", "ended", (json_int_t)n));
}

void
h_password_change(struct call *c)
{
	json_t *in = body_object(c);
	json_t *cur, *nw;
	int rc;

	if (in == NULL)
		return;
	cur = json_object_get(in, "current_password");
	nw = json_object_get(in, "new_password");
	if (!json_is_string(cur))
		verrs_add(&c->cx.errs, "current_password", "is required");
	if (!json_is_string(nw))
		verrs_add(&c->cx.errs, "new_password", "is required");
	if (c->cx.errs.n > 0) {
		json_decref(in);
		reply_core(c, core_fail(&c->cx, CRM_EINVAL, "Send current_password "
		    "and new_password"));
		return;
	}
	rc = session_change_password(&c->cx, json_string_value(cur),
	    json_string_value(nw), c->session_id);
	json_decref(in);
	/* The policy names the field "password"; here it is new_password. */
	for (int i = 0; i < c->cx.errs.n; i++)
		if (strcmp(c->cx.errs.items[i].field, "password") == 0)
			snprintf(c->cx.errs.items[i].field,
			    sizeof(c->cx.errs.items[i].field), "new_password");
	if (rc != CRM_OK)
		reply_core(c, rc);
	else
		reply_empty(c, 204);
}
