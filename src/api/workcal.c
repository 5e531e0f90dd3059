/*
 * Working-hours calendars over HTTP (core/workcal.h says what they mean):
 * read by anyone signed in, changed by an administrator (the core refuses
 * others and audits). Holidays travel inside the calendar's body. The due
 * preview answers the two questions the core computes: when N working
 * minutes after a moment are done, and how many working minutes lie
 * between two moments.
 */
#include <stdlib.h>
#include <string.h>

#include "api/internal.h"
#include "core/workcal.h"
#include "util/timeutil.h"

void
h_workcal_list(struct call *c)
{
	json_t *out = NULL;
	int rc = workcal_list(&c->cx, &out);

	reply_result(c, rc, 200, out);
}

/* A calendar answer with its version as the ETag. */
static void
reply_calendar(struct call *c, int rc, int status, json_t *out)
{
	if (rc == CRM_OK)
		etag_header(c, out);
	reply_result(c, rc, status, out);
}

void
h_workcal_get(struct call *c)
{
	json_t *out = NULL;
	int rc = workcal_get(&c->cx, c->id, &out);

	reply_calendar(c, rc, 200, out);
}

void
h_workcal_create(struct call *c)
{
	json_t *in = body_object(c), *out = NULL;
	int rc;

	if (in == NULL)
		return;
	rc = workcal_create(&c->cx, in, &out);
	json_decref(in);
	reply_calendar(c, rc, 201, out);
}

void
h_workcal_update(struct call *c)
{
	int64_t version = if_match(c);
	json_t *in = body_object(c), *out = NULL;
	int rc;

	if (in == NULL)
		return;
	rc = workcal_update(&c->cx, c->id, version, in, &out);
	json_decref(in);
	reply_calendar(c, rc, 200, out);
}

void
h_workcal_delete(struct call *c)
{
	reply_result(c, workcal_delete(&c->cx, c->id), 204, NULL);
}

/* A time parameter (RFC 3339) into *ms; a field error when bad or absent. */
static bool
time_arg(struct call *c, const char *name, bool required, int64_t *ms)
{
	const char *s = http_query(c->req, name);

	if (s == NULL && !required)
		return false;
	if (s == NULL || time_parse_datetime(s, strlen(s), ms) != 0) {
		verrs_add(&c->cx.errs, name, "must be a date and time, RFC 3339 "
		    "(2026-11-27T09:00:00Z)");
		return false;
	}
	return true;
}

/* A whole number parameter in [lo, hi] into *v; a field error when bad. */
static bool
int_arg(struct call *c, const char *name, int64_t lo, int64_t hi, int64_t *v)
{
	const char *s = http_query(c->req, name);
	char *end;

	if (s == NULL)
		return false;
	*v = strtoll(s, &end, 10);
	if (*s == '\0' || *end != '\0' || *v < lo || *v > hi) {
		verrs_add(&c->cx.errs, name, "must be a whole number from %lld to "
		    "%lld", (long long)lo, (long long)hi);
		return false;
	}
	return true;
}

void
h_workcal_due(struct call *c)
{
	struct workcal *cal = NULL;
	char from_s[TIME_RFC3339_LEN], t[TIME_RFC3339_LEN];
	int64_t from = 0, to = 0, minutes = 0, due = 0;
	bool has_from, has_to, has_min;
	int rc;

	has_from = time_arg(c, "from", true, &from);
	has_to = time_arg(c, "to", false, &to);
	has_min = int_arg(c, "minutes", 0, WORKCAL_MINUTES_MAX, &minutes);
	if (c->cx.errs.n == 0 && has_to == has_min)
		verrs_add(&c->cx.errs, "minutes", "give either minutes (when is it "
		    "due?) or to (how much working time between?)");
	if (c->cx.errs.n > 0 || !has_from) {
		reply_core(c, core_invalid(&c->cx));
		return;
	}
	rc = workcal_load(&c->cx, c->id, &cal);
	if (rc != CRM_OK) {
		reply_core(c, rc);
		return;
	}
	time_format(from, from_s, sizeof(from_s));
	if (has_min && workcal_add(cal, from, minutes, &due) != 0) {
		verrs_add(&c->cx.errs, "minutes", "so much working time is not "
		    "reached within %d days", WORKCAL_DAYS_MAX);
	} else if (has_min && due >= time_days_from_civil(10000, 1, 1) *
	    86400000LL) {
		/* RFC 3339 has four-digit years. */
		verrs_add(&c->cx.errs, "minutes", "the deadline falls after the "
		    "year 9999");
	} else if (has_min) {
		time_format(due, t, sizeof(t));
		reply_json(c, 200, json_pack("{s:I, s:s, s:I, s:s}", "calendar_id",
		    (json_int_t)cal->id, "from", from_s, "minutes",
		    (json_int_t)minutes, "due_at", t));
	} else if (workcal_between(cal, from, to, &minutes) != 0) {
		verrs_add(&c->cx.errs, "to", "is more than %d days after from",
		    WORKCAL_DAYS_MAX);
	} else {
		time_format(to, t, sizeof(t));
		reply_json(c, 200, json_pack("{s:I, s:s, s:s, s:I}", "calendar_id",
		    (json_int_t)cal->id, "from", from_s, "to", t, "minutes",
		    (json_int_t)minutes));
	}
	workcal_free(cal);
	if (c->cx.errs.n > 0)
		reply_core(c, core_invalid(&c->cx));
}

void
h_workcal_effective(struct call *c)
{
	int64_t dept = 0, user = 0;
	json_t *out = NULL;
	int rc;

	int_arg(c, "department_id", 1, INT64_MAX, &dept);
	int_arg(c, "user_id", 1, INT64_MAX, &user);
	if (c->cx.errs.n == 0 && dept > 0 && user > 0)
		verrs_add(&c->cx.errs, "user_id", "give department_id or user_id, "
		    "not both");
	if (c->cx.errs.n > 0) {
		reply_core(c, core_invalid(&c->cx));
		return;
	}
	rc = workcal_effective(&c->cx, dept, user, &out);
	reply_result(c, rc, 200, out);
}
