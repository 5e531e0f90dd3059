/*
 * Calls a PBX posts (POST /api/v1/calls): one call event becomes one
 * activity of kind call through rec_create, so the rights, the checks of
 * every field, the company taken from the contact and the audit are those
 * of any activity. What is added here: the body's own shape, the contact
 * found by the phone's digits, and idempotency on the PBX's call id, since
 * a PBX retries a post whose answer it did not see.
 */
#include "core/activities.h"

#include <stdio.h>
#include <string.h>

#include "util/log.h"
#include "util/text.h"
#include "util/timeutil.h"

#define CALL_DURATION_MAX 604800	/* seconds: a week, as activities.c */
#define CALL_RESULT_MAX 1000
#define CALL_CANDIDATES "200"	/* contacts sharing the digits, newest first */

bool
activity_phone_same(const char *a, const char *b)
{
	char da[64], db[64];
	size_t na, nb;

	if (a == NULL || b == NULL)
		return false;
	na = text_digits(a, strlen(a), da, sizeof(da));
	nb = text_digits(b, strlen(b), db, sizeof(db));
	if (na == 0 || nb == 0)
		return false;
	if (na >= CALL_PHONE_DIGITS && nb >= CALL_PHONE_DIGITS)
		return memcmp(da + na - CALL_PHONE_DIGITS, db + nb -
		    CALL_PHONE_DIGITS, CALL_PHONE_DIGITS) == 0;
	return na == nb && memcmp(da, db, na) == 0;
}

/* The body's keys and values; errors name the body's own keys. */
static void
check_call(struct core_ctx *cx, json_t *in)
{
	static const char *const keys[] = { "direction", "phone", "started_at",
		"duration_s", "result", "external_id", NULL };
	const char *key, *s;
	json_t *v;
	int64_t ms;

	json_object_foreach(in, key, v) {
		size_t i;

		for (i = 0; keys[i] != NULL && strcmp(keys[i], key) != 0; i++)
			;
		if (keys[i] == NULL)
			verrs_add(&cx->errs, key, "is not a field of a call event "
			    "(direction, phone, started_at, duration_s, result, "
			    "external_id)");
	}
	s = json_string_value(json_object_get(in, "direction"));
	if (s == NULL || (strcmp(s, "in") != 0 && strcmp(s, "out") != 0))
		verrs_add(&cx->errs, "direction", "must be in or out");
	v = json_object_get(in, "phone");
	if (!json_is_string(v) || json_string_length(v) == 0 ||
	    json_string_length(v) > 50 ||
	    !text_is_phone(json_string_value(v), json_string_length(v)))
		verrs_add(&cx->errs, "phone", "must be a phone number (digits, "
		    "spaces, dashes, brackets, a leading +)");
	v = json_object_get(in, "started_at");
	if (!json_is_string(v) || time_parse_datetime(json_string_value(v),
	    json_string_length(v), &ms) != 0)
		verrs_add(&cx->errs, "started_at", "must be an RFC 3339 date-time");
	v = json_object_get(in, "duration_s");
	if (!json_is_integer(v) || json_integer_value(v) < 0 ||
	    json_integer_value(v) > CALL_DURATION_MAX)
		verrs_add(&cx->errs, "duration_s", "must be whole seconds, 0 to %d",
		    CALL_DURATION_MAX);
	v = json_object_get(in, "result");
	if (v != NULL && !json_is_null(v) && !core_text_ok(v, CALL_RESULT_MAX))
		verrs_add(&cx->errs, "result", "must be text of 1 to %d "
		    "characters", CALL_RESULT_MAX);
	v = json_object_get(in, "external_id");
	if (v != NULL && !json_is_null(v) &&
	    (!core_text_ok(v, CALL_EXTERNAL_ID_MAX) ||
	    json_string_length(v) > CALL_EXTERNAL_ID_MAX))
		verrs_add(&cx->errs, "external_id", "must be text of 1 to %d "
		    "bytes", CALL_EXTERNAL_ID_MAX);
}

/*
 * The activity already made for external_id: CRM_OK with *out, or
 * CRM_ENOTFOUND when there is none. One the actor may not read (another
 * user's call under the same id) is a conflict, not a second call.
 */
static int
find_external(struct core_ctx *cx, const char *xid, json_t **out)
{
	db_stmt_t *st;
	int64_t id = 0;
	bool trashed = false;
	int rc;

	if (db_prepare(cx->db, "SELECT id, deleted_at FROM activities WHERE "
	    "external_id = ?", &st) != DB_OK)
		goto dbfail;
	db_bind_text(st, 1, xid, strlen(xid));
	rc = db_step(st);
	if (rc == DB_ROW) {
		id = db_col_int(st, 0);
		trashed = !db_col_null(st, 1);
	}
	db_done(st);
	if (rc == DB_DONE)
		return CRM_ENOTFOUND;
	if (rc != DB_ROW)
		goto dbfail;
	rc = rec_get(cx, &entity_activities, id, trashed, out);
	if (rc == CRM_ENOTFOUND)
		return core_fail(cx, CRM_EEXISTS, "external_id: another user's "
		    "call already has this id");
	return rc;
dbfail:
	log_error("database: calls: external id: %s", db_errmsg(cx->db));
	return core_fail(cx, CRM_EDB, "The database failed; nothing was changed");
}

int
activity_contact_by_phone(struct core_ctx *cx, const char *phone,
    int64_t *contact_id)
{
	struct list_query lq;
	char digits[64];
	json_t *res = NULL, *c;
	size_t n = text_digits(phone, strlen(phone), digits, sizeof(digits)), i;
	int rc;

	*contact_id = 0;
	if (n < 3)
		return CRM_OK;	/* too short for the search to narrow it */
	memset(&lq, 0, sizeof(lq));
	lq.q = n > CALL_PHONE_DIGITS ? digits + n - CALL_PHONE_DIGITS : digits;
	lq.sort = "-updated_at";
	lq.limit = CALL_CANDIDATES;
	rc = rec_list(cx, &entity_contacts, &lq, &res);
	if (rc != CRM_OK)
		return rc;
	json_array_foreach(json_object_get(res, "data"), i, c) {
		json_t *p;
		size_t k;

		json_array_foreach(json_object_get(c, "phones"), k, p)
			if (activity_phone_same(phone, json_string_value(p)))
				break;
		if (k < json_array_size(json_object_get(c, "phones"))) {
			*contact_id = json_integer_value(json_object_get(c, "id"));
			break;
		}
	}
	json_decref(res);
	return CRM_OK;
}

int
activity_call_log(struct core_ctx *cx, json_t *in, json_t **out,
    bool *created)
{
	const char *dir, *phone, *xid;
	json_t *act;
	int64_t contact = 0;
	char subject[96];
	int rc;

	*created = false;
	*out = NULL;
	if (!json_is_object(in))
		return core_fail(cx, CRM_EINVAL, "The body must be a JSON object");
	check_call(cx, in);
	if (cx->errs.n > 0)
		return core_invalid(cx);
	dir = json_string_value(json_object_get(in, "direction"));
	phone = json_string_value(json_object_get(in, "phone"));
	xid = json_string_value(json_object_get(in, "external_id"));
	if (xid != NULL) {
		rc = find_external(cx, xid, out);
		if (rc != CRM_ENOTFOUND)
			return rc;
	}
	rc = activity_contact_by_phone(cx, phone, &contact);
	if (rc != CRM_OK)
		return rc;
	snprintf(subject, sizeof(subject), "%s call %s %.50s",
	    strcmp(dir, "in") == 0 ? "Incoming" : "Outgoing",
	    strcmp(dir, "in") == 0 ? "from" : "to", phone);
	act = json_pack("{s:s, s:s, s:s, s:s, s:O, s:O}", "kind", "call",
	    "subject", subject, "direction", dir, "phone", phone,
	    "start_at", json_object_get(in, "started_at"),
	    "duration_s", json_object_get(in, "duration_s"));
	if (act == NULL)
		return core_fail(cx, CRM_EINVAL, "The call event could not be read");
	if (json_is_string(json_object_get(in, "result")))
		json_object_set(act, "result", json_object_get(in, "result"));
	if (xid != NULL)
		json_object_set(act, "external_id", json_object_get(in,
		    "external_id"));
	if (contact > 0)
		json_object_set_new(act, "contact_id", json_integer(contact));
	rc = rec_create(cx, &entity_activities, act, out);
	json_decref(act);
	/* A retry racing the first post lost the unique index: answer that one. */
	if (rc == CRM_EDB && xid != NULL && find_external(cx, xid, out) == CRM_OK) {
		cx->detail[0] = '\0';
		return CRM_OK;
	}
	*created = rc == CRM_OK;
	return rc;
}
