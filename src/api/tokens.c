/*
 * One's own API tokens: list, make (the secret is answered once), revoke.
 * An administrator may revoke anyone's token; others' answer 404.
 */
#include <stdio.h>
#include <string.h>

#include "api/internal.h"
#include "core/tokens.h"
#include "util/timeutil.h"

void
h_tokens_list(struct call *c)
{
	json_t *out;
	int rc = apitoken_list(&c->cx, c->cx.actor.user_id, &out);

	if (rc != CRM_OK)
		reply_core(c, rc);
	else
		reply_json(c, 200, out);
}

void
h_token_create(struct call *c)
{
	json_t *in = body_object(c);
	json_t *name, *ro, *at, *days, *out;
	char token[SECRET_LEN];
	int64_t expires = 0, id;
	int rc;

	if (in == NULL)
		return;
	name = json_object_get(in, "name");
	ro = json_object_get(in, "read_only");
	at = json_object_get(in, "expires_at");
	days = json_object_get(in, "expires_in_days");
	if (!json_is_string(name))
		verrs_add(&c->cx.errs, "name", "is required");
	if (ro != NULL && !json_is_boolean(ro))
		verrs_add(&c->cx.errs, "read_only", "must be true or false");
	if (at != NULL && !json_is_null(at) && (!json_is_string(at) ||
	    time_parse_datetime(json_string_value(at),
	    strlen(json_string_value(at)), &expires) != 0))
		verrs_add(&c->cx.errs, "expires_at", "must be a date-time such as "
		    "2030-01-31T00:00:00Z");
	if (days != NULL && !json_is_null(days)) {
		if (!json_is_integer(days) || json_integer_value(days) < 1 ||
		    json_integer_value(days) > TOKEN_MAX_DAYS)
			verrs_add(&c->cx.errs, "expires_in_days", "must be a whole "
			    "number of days, 1 to %d", TOKEN_MAX_DAYS);
		else if (expires != 0)
			verrs_add(&c->cx.errs, "expires_in_days", "give either "
			    "expires_at or expires_in_days");
		else
			expires = time_now_ms() +
			    (int64_t)json_integer_value(days) * 86400000LL;
	}
	if (c->cx.errs.n > 0) {
		json_decref(in);
		reply_core(c, core_fail(&c->cx, CRM_EINVAL, "%s: %s",
		    c->cx.errs.items[0].field, c->cx.errs.items[0].message));
		return;
	}
	rc = apitoken_create(&c->cx, c->cx.actor.user_id, json_string_value(name),
	    json_is_true(ro), expires, token, &id);
	if (rc != CRM_OK) {
		json_decref(in);
		reply_core(c, rc);
		return;
	}
	out = json_pack("{s:I, s:O, s:b, s:o, s:s}", "id", (json_int_t)id,
	    "name", name, "read_only", json_is_true(ro), "expires_at",
	    json_null(), "token", token);
	json_decref(in);
	if (expires != 0) {
		char ts[TIME_RFC3339_LEN];

		time_format(expires, ts, sizeof(ts));
		json_object_set_new(out, "expires_at", json_string(ts));
	}
	reply_json(c, 201, out);
	http_resp_header(c->resp, "Cache-Control", "no-store");
}

void
h_token_delete(struct call *c)
{
	int rc = apitoken_revoke(&c->cx, c->id,
	    c->cx.actor.is_admin ? 0 : c->cx.actor.user_id);

	if (rc != CRM_OK)
		reply_core(c, rc);
	else
		reply_empty(c, 204);
}
