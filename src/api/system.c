/*
 * The system state over HTTP: read it (anyone signed in, for the banner),
 * set it (administrators), and the refusal every request passes through.
 * The state is cached per server for SYSTEM_CACHE_MS, so every server on a
 * shared database follows a change within that time without a query per
 * request; a change made through this server applies here at once.
 * Also here: an administrator lifting a user's sign-in lockout.
 */
#include <stdio.h>
#include <string.h>

#include "api/internal.h"
#include "core/syslock.h"
#include "core/throttle.h"
#include "core/users.h"
#include "util/timeutil.h"

#define SYSTEM_CACHE_MS 1000

void
api_init(struct app *app)
{
	pthread_mutex_init(&app->state_mu, NULL);
	app->state_read_ms = 0;
	snprintf(app->state, sizeof(app->state), "normal");
	app->state_msg[0] = '\0';
}

void
api_fini(struct app *app)
{
	pthread_mutex_destroy(&app->state_mu);
}

static void
cache_put(struct app *app, const struct sysstate *s)
{
	pthread_mutex_lock(&app->state_mu);
	snprintf(app->state, sizeof(app->state), "%s", s->state);
	snprintf(app->state_msg, sizeof(app->state_msg), "%s", s->message);
	app->state_read_ms = time_mono_us() / 1000;
	if (app->state_read_ms == 0)
		app->state_read_ms = 1;
	pthread_mutex_unlock(&app->state_mu);
}

/* The current state into state/msg: cached, or read when stale. */
static int
current(struct call *c, char state[16], char msg[504])
{
	struct sysstate s;
	int64_t now = time_mono_us() / 1000;
	bool fresh;
	int rc;

	pthread_mutex_lock(&c->app->state_mu);
	fresh = c->app->state_read_ms != 0 &&
	    now - c->app->state_read_ms < SYSTEM_CACHE_MS;
	if (fresh) {
		memcpy(state, c->app->state, 16);
		memcpy(msg, c->app->state_msg, 504);
	}
	pthread_mutex_unlock(&c->app->state_mu);
	if (fresh)
		return CRM_OK;
	rc = syslock_get(&c->cx, &s);
	if (rc != CRM_OK)
		return rc;
	cache_put(c->app, &s);
	snprintf(state, 16, "%s", s.state);
	snprintf(msg, 504, "%s", s.message);
	return CRM_OK;
}

bool
system_refuses(struct call *c, bool write, bool exempt)
{
	char state[16], msg[504];
	int rc = current(c, state, msg);

	if (rc != CRM_OK) {
		reply_core(c, rc);
		return true;
	}
	if (strcmp(state, "locked") == 0 && !c->cx.actor.is_admin && !exempt) {
		reply_problem(c, 503, "System locked", "The system is locked by an "
		    "administrator%s%s. Only administrators can use it until the "
		    "lock is lifted; try again later.", msg[0] ? ": " : "", msg);
		return true;
	}
	if (strcmp(state, "read_only") == 0 && write && !exempt) {
		reply_problem(c, 503, "System read-only", "The system is read-only "
		    "for now%s%s. Nothing was changed; reading works, and changes "
		    "can be made again once an administrator lifts it.",
		    msg[0] ? ": " : "", msg);
		return true;
	}
	return false;
}

void
h_system_get(struct call *c)
{
	struct sysstate s;
	int rc = syslock_get(&c->cx, &s);

	if (rc != CRM_OK) {
		reply_core(c, rc);
		return;
	}
	cache_put(c->app, &s);
	reply_json(c, 200, syslock_json(&s));
	http_resp_header(c->resp, "Cache-Control", "no-store");
}

void
h_system_put(struct call *c)
{
	json_t *in, *state, *msg;
	struct sysstate s;
	int rc;

	/* Refused before the body is read; syslock_set refuses it too. */
	rc = core_admin_only(&c->cx, "change the system state");
	if (rc != CRM_OK) {
		reply_core(c, rc);
		return;
	}
	in = body_object(c);
	if (in == NULL)
		return;
	state = json_object_get(in, "state");
	msg = json_object_get(in, "message");
	if (!json_is_string(state) || (msg != NULL && !json_is_null(msg) &&
	    !json_is_string(msg))) {
		json_decref(in);
		verrs_add(&c->cx.errs, json_is_string(state) ? "message" : "state",
		    json_is_string(state) ? "must be text" : "is required: normal, "
		    "read_only or locked");
		reply_core(c, core_fail(&c->cx, CRM_EINVAL, "Send {\"state\": "
		    "\"normal\" | \"read_only\" | \"locked\", \"message\": TEXT}"));
		return;
	}
	rc = syslock_set(&c->cx, json_string_value(state),
	    json_is_string(msg) ? json_string_value(msg) : "");
	json_decref(in);
	if (rc == CRM_OK)
		rc = syslock_get(&c->cx, &s);
	if (rc != CRM_OK) {
		reply_core(c, rc);
		return;
	}
	cache_put(c->app, &s);
	reply_json(c, 200, syslock_json(&s));
}

void
h_user_unlock(struct call *c)
{
	json_t *in, *email;
	int rc;

	/* Refused before the body is read; throttle_unlock refuses it too. */
	rc = core_admin_only(&c->cx, "unlock an account");
	if (rc != CRM_OK) {
		reply_core(c, rc);
		return;
	}
	in = body_object(c);
	if (in == NULL)
		return;
	email = json_object_get(in, "email");
	if (!json_is_string(email)) {
		json_decref(in);
		verrs_add(&c->cx.errs, "email", "is required");
		reply_core(c, core_fail(&c->cx, CRM_EINVAL, "Send {\"email\": "
		    "\"the account's email\"}"));
		return;
	}
	rc = throttle_unlock(&c->cx, json_string_value(email));
	json_decref(in);
	if (rc != CRM_OK)
		reply_core(c, rc);
	else
		reply_empty(c, 204);
}
