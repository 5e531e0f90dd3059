/*
 * Two-factor routes: the second step of signing in, step-up, TOTP
 * enrolment, recovery codes and security keys. Parsing and rendering only;
 * the rules live in core/twofactor.c and core/webauthn.c.
 */
#include <string.h>

#include "api/internal.h"
#include "core/twofactor.h"
#include "core/users.h"

#define KEY_NAME_MAX 100

/* A string member of in, or NULL; a present non-string is a field error. */
static const char *
opt_string(struct call *c, json_t *in, const char *key, size_t max)
{
	json_t *v = json_object_get(in, key);

	if (v == NULL || json_is_null(v))
		return NULL;
	if (!json_is_string(v) || json_string_length(v) > max) {
		verrs_add(&c->cx.errs, key, "must be a string of at most %zu "
		    "characters", max);
		return NULL;
	}
	return json_string_value(v);
}

static void
reply_out(struct call *c, int rc, int status, json_t *out)
{
	if (rc != CRM_OK) {
		reply_core(c, rc);
		return;
	}
	reply_json(c, status, out);
	http_resp_header(c->resp, "Cache-Control", "no-store");
}

int
api_twofa_login(struct call *c, const char *secret, const struct actor *a,
    json_t **body)
{
	json_t *methods = NULL;
	int state = TWOFA_FULL;
	int rc = twofa_after_password(&c->cx, secret, a->user_id, &state,
	    &methods);

	if (rc != CRM_OK)
		return rc;
	if (state == TWOFA_PENDING)
		*body = json_pack("{s:b, s:o}", "mfa_required", 1, "methods",
		    methods);
	else if (state == TWOFA_ENROL)
		*body = json_pack("{s:b, s:o, s:o}", "mfa_enrol_required", 1,
		    "methods", methods, "user", user_actor_json(a));
	else
		*body = json_pack("{s:o}", "user", user_actor_json(a));
	return CRM_OK;
}

/* Reads {code | recovery_code | assertion} into p; 400 replied on error. */
static int
read_proof(struct call *c, json_t *in, struct twofa_proof *p)
{
	json_t *as = json_object_get(in, "assertion");

	memset(p, 0, sizeof(*p));
	p->rp = &c->app->rp;
	p->code = opt_string(c, in, "code", 16);
	p->recovery = opt_string(c, in, "recovery_code", 32);
	if (as != NULL && !json_is_null(as)) {
		if (!json_is_object(as))
			verrs_add(&c->cx.errs, "assertion", "must be the object "
			    "navigator.credentials.get() answered");
		else
			p->assertion = as;
	}
	if (c->cx.errs.n > 0) {
		reply_core(c, core_fail(&c->cx, CRM_EINVAL, "Check the fields "
		    "listed"));
		return -1;
	}
	return 0;
}

void
h_2fa_verify(struct call *c)
{
	struct twofa_proof p;
	json_t *in = body_object(c);
	int rc;

	if (in == NULL)
		return;
	if (read_proof(c, in, &p) != 0) {
		json_decref(in);
		return;
	}
	rc = twofa_verify(&c->cx, c->session, &p);
	json_decref(in);
	if (rc == CRM_EUNAUTH && strncmp(c->cx.detail, TWOFA_ENDED_DETAIL,
	    strlen(TWOFA_ENDED_DETAIL)) == 0)	/* the pending session ended */
		http_resp_header(c->resp, "Set-Cookie", "crm_session=; Path=/; "
		    "HttpOnly; SameSite=Strict; Max-Age=0");
	reply_out(c, rc, 200, rc == CRM_OK ? json_pack("{s:o}", "user",
	    user_actor_json(&c->cx.actor)) : NULL);
}

void
h_2fa_stepup(struct call *c)
{
	struct twofa_proof p;
	json_t *in = body_object(c);
	int rc;

	if (in == NULL)
		return;
	if (read_proof(c, in, &p) != 0) {
		json_decref(in);
		return;
	}
	rc = twofa_stepup(&c->cx, c->session, &p);
	json_decref(in);
	reply_out(c, rc, 200, rc == CRM_OK ? json_pack("{s:b}", "stepped_up", 1) :
	    NULL);
}

void
h_2fa_status(struct call *c)
{
	json_t *out = NULL;
	int rc = twofa_status(&c->cx, &out);

	reply_out(c, rc, 200, out);
}

void
h_totp_begin(struct call *c)
{
	json_t *out = NULL;
	int rc = twofa_totp_begin(&c->cx, &out);

	reply_out(c, rc, 201, out);
}

void
h_totp_confirm(struct call *c)
{
	json_t *in = body_object(c), *out = NULL;
	const char *code;
	int rc;

	if (in == NULL)
		return;
	code = opt_string(c, in, "code", 16);
	if (code == NULL && c->cx.errs.n == 0)
		verrs_add(&c->cx.errs, "code", "is required: the 6 digits your "
		    "authenticator app shows");
	if (c->cx.errs.n > 0) {
		json_decref(in);
		reply_core(c, core_fail(&c->cx, CRM_EINVAL, "Enter the code"));
		return;
	}
	rc = twofa_totp_confirm(&c->cx, c->session, code, &out);
	json_decref(in);
	reply_out(c, rc, 200, out);
}

void
h_totp_disable(struct call *c)
{
	json_t *in = body_object(c);
	const char *password, *code;
	int rc;

	if (in == NULL)
		return;
	password = opt_string(c, in, "password", USER_PASSWORD_MAX);
	code = opt_string(c, in, "code", 16);
	if (c->cx.errs.n > 0) {
		json_decref(in);
		reply_core(c, core_fail(&c->cx, CRM_EINVAL, "Check the fields "
		    "listed"));
		return;
	}
	rc = twofa_totp_disable(&c->cx, password, code);
	json_decref(in);
	if (rc != CRM_OK)
		reply_core(c, rc);
	else
		reply_empty(c, 204);
}

void
h_recovery_regenerate(struct call *c)
{
	json_t *in = body_object(c), *out = NULL;
	const char *code;
	int rc;

	if (in == NULL)
		return;
	code = opt_string(c, in, "code", 16);
	if (code == NULL && c->cx.errs.n == 0)
		verrs_add(&c->cx.errs, "code", "is required: the 6 digits your "
		    "authenticator app shows");
	if (c->cx.errs.n > 0) {
		json_decref(in);
		reply_core(c, core_fail(&c->cx, CRM_EINVAL, "Enter the code"));
		return;
	}
	rc = twofa_recovery_regenerate(&c->cx, code, &out);
	json_decref(in);
	reply_out(c, rc, 200, out);
}

void
h_wa_register_options(struct call *c)
{
	json_t *out = NULL;
	int rc = twofa_webauthn_register_options(&c->cx, &c->app->rp, &out);

	reply_out(c, rc, 200, out);
}

void
h_wa_register_finish(struct call *c)
{
	json_t *in = body_object(c), *out = NULL, *cred;
	const char *name;
	int rc;

	if (in == NULL)
		return;
	name = opt_string(c, in, "name", KEY_NAME_MAX);
	cred = json_object_get(in, "credential");
	if (!json_is_object(cred))
		verrs_add(&c->cx.errs, "credential", "is required: the object "
		    "navigator.credentials.create() answered");
	if (c->cx.errs.n > 0) {
		json_decref(in);
		reply_core(c, core_fail(&c->cx, CRM_EINVAL, "Check the fields "
		    "listed"));
		return;
	}
	rc = twofa_webauthn_register_finish(&c->cx, &c->app->rp, c->session,
	    cred, name ? name : "Security key", &out);
	json_decref(in);
	reply_out(c, rc, 201, out);
}

void
h_wa_login_options(struct call *c)
{
	json_t *out = NULL;
	int rc = twofa_webauthn_assert_options(&c->cx, &c->app->rp, &out);

	reply_out(c, rc, 200, out);
}

void
h_wa_credentials(struct call *c)
{
	json_t *out = NULL;
	int rc = twofa_status(&c->cx, &out);

	if (rc == CRM_OK) {
		json_t *keys = json_incref(json_object_get(out, "webauthn"));

		json_decref(out);
		out = json_pack("{s:o}", "data", keys);
	}
	reply_out(c, rc, 200, out);
}

void
h_wa_credential_rename(struct call *c)
{
	json_t *in = body_object(c), *out = NULL;
	const char *name;
	int rc;

	if (in == NULL)
		return;
	name = opt_string(c, in, "name", KEY_NAME_MAX);
	if (name == NULL && c->cx.errs.n == 0)
		verrs_add(&c->cx.errs, "name", "is required");
	if (c->cx.errs.n > 0) {
		json_decref(in);
		reply_core(c, core_fail(&c->cx, CRM_EINVAL, "Give the key a name "
		    "of 1 to %d characters", KEY_NAME_MAX));
		return;
	}
	rc = twofa_webauthn_rename(&c->cx, c->id, name, &out);
	json_decref(in);
	reply_out(c, rc, 200, out);
}

void
h_wa_credential_delete(struct call *c)
{
	int rc = twofa_webauthn_delete(&c->cx, c->id);

	if (rc != CRM_OK)
		reply_core(c, rc);
	else
		reply_empty(c, 204);
}
