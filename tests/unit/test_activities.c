/*
 * core/activities: the rules a team relies on when it plans its work:
 * each kind with its statuses, done_at that follows completion, times in
 * order, links only to what the author may read, bounded checklists, and
 * "my day" cut at the user's own midnight (with a fixed now), which needs
 * the time zone reader to know daylight saving time on both hemispheres.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <sodium.h>

#include "core/activities.h"
#include "core/core.h"
#include "core/users.h"
#include "store/db.h"
#include "util/timeutil.h"
#include "util/tz.h"

static db_t *db;
static struct actor ann;	/* a director: sees everything */
static struct actor max;	/* a manager: own records only */
static struct core_ctx cx;

static struct core_ctx *
as(struct actor *a)
{
	core_ctx_init(&cx, db, a);
	return &cx;
}

static json_t *
J(const char *text)
{
	json_error_t e;
	json_t *v = json_loads(text, JSON_DECODE_ANY, &e);

	if (v == NULL)
		fail_msg("bad JSON in test: %s: %s", text, e.text);
	return v;
}

/* Creates an activity as a; *out (may be NULL) gets it. */
static int
create(struct actor *a, const char *text, json_t **out)
{
	json_t *in = J(text), *res = NULL;
	int rc = rec_create(as(a), &entity_activities, in, &res);

	json_decref(in);
	if (out != NULL)
		*out = res;
	else
		json_decref(res);
	return rc;
}

static int64_t
create_ok(const char *text)
{
	json_t *out = NULL;
	int64_t id;

	if (create(&ann, text, &out) != CRM_OK)
		fail_msg("create %s: %s; %s: %s", text, cx.detail,
		    cx.errs.n ? cx.errs.items[0].field : "-",
		    cx.errs.n ? cx.errs.items[0].message : "-");
	id = json_integer_value(json_object_get(out, "id"));
	json_decref(out);
	return id;
}

/* The refusal names exactly this one field. */
static void
refused(struct actor *a, const char *text, const char *field)
{
	assert_int_equal(create(a, text, NULL), CRM_EINVAL);
	if (cx.errs.n != 1 || strncmp(cx.errs.items[0].field, field,
	    strlen(field)) != 0)
		fail_msg("%s: expected one error on %s, got %d (%s: %s)", text,
		    field, cx.errs.n, cx.errs.n ? cx.errs.items[0].field : "-",
		    cx.errs.n ? cx.errs.items[0].message : "-");
}

static const char *
str(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s != NULL ? s : "(null)";
}

static int
group_setup(void **state)
{
	char err[256];
	int64_t id;

	(void)state;
	if (sodium_init() < 0 || core_open_db(":memory:", &db, err,
	    sizeof(err)) != CRM_OK)
		return -1;
	core_ctx_init(&cx, db, NULL);
	if (user_add(&cx, "ann@example.com", "Ann Plan", "correct horse battery",
	    false, &id) != CRM_OK)
		return -1;
	ann.user_id = id;
	if (user_add(&cx, "max@example.com", "Max Own", "correct horse battery",
	    false, &id) != CRM_OK)
		return -1;
	max.user_id = id;
	if (db_exec(db, "UPDATE users SET role_id = (SELECT id FROM roles WHERE "
	    "builtin = CASE WHEN email = 'ann@example.com' THEN 'director' ELSE "
	    "'manager' END)") != DB_OK)
		return -1;
	return 0;
}

static int
group_teardown(void **state)
{
	(void)state;
	db_close(db);
	return 0;
}

static void
each_kind_has_its_statuses_and_defaults(void **state)
{
	json_t *t = NULL, *m = NULL, *c = NULL;

	(void)state;
	assert_int_equal(create(&ann, "{\"kind\": \"task\", \"subject\": \"T\"}",
	    &t), CRM_OK);
	assert_string_equal(str(t, "status"), "open");
	assert_string_equal(str(t, "priority"), "normal");
	assert_true(json_is_null(json_object_get(t, "done_at")));
	assert_int_equal(create(&ann, "{\"kind\": \"meeting\", \"subject\": \"M\", "
	    "\"start_at\": \"2030-01-01T10:00:00Z\"}", &m), CRM_OK);
	assert_string_equal(str(m, "status"), "planned");
	assert_true(json_is_null(json_object_get(m, "priority")));
	assert_int_equal(create(&ann, "{\"kind\": \"call\", \"subject\": \"C\", "
	    "\"direction\": \"in\"}", &c), CRM_OK);
	assert_string_equal(str(c, "status"), "done");
	assert_true(json_is_string(json_object_get(c, "done_at")));
	json_decref(t);
	json_decref(m);
	json_decref(c);
	refused(&ann, "{\"kind\": \"meeting\", \"subject\": \"M\", \"start_at\": "
	    "\"2030-01-01T10:00:00Z\", \"status\": \"open\"}", "status");
	refused(&ann, "{\"kind\": \"call\", \"subject\": \"C\", \"direction\": "
	    "\"in\", \"status\": \"planned\"}", "status");
	refused(&ann, "{\"kind\": \"visit\", \"subject\": \"V\"}", "kind");
	refused(&ann, "{\"kind\": \"email\", \"subject\": \"E\", \"priority\": "
	    "\"high\"}", "priority");
	refused(&ann, "{\"kind\": \"note\", \"subject\": \"\"}", "body");
}

static void
done_at_follows_completion(void **state)
{
	int64_t id = create_ok("{\"kind\": \"task\", \"subject\": \"Do it\"}");
	json_t *out = NULL, *patch;
	char at[64];

	(void)state;
	assert_int_equal(activity_set_status(as(&ann), id, -1, "done", &out),
	    CRM_OK);
	snprintf(at, sizeof(at), "%s", str(out, "done_at"));
	assert_string_not_equal(at, "(null)");
	json_decref(out);
	/* Another change keeps the moment it was done. */
	patch = J("{\"subject\": \"Did it\"}");
	assert_int_equal(rec_update(as(&ann), &entity_activities, id, -1, patch,
	    &out), CRM_OK);
	json_decref(patch);
	assert_string_equal(str(out, "done_at"), at);
	json_decref(out);
	assert_int_equal(activity_set_status(as(&ann), id, 3, "open", &out),
	    CRM_OK);
	assert_true(json_is_null(json_object_get(out, "done_at")));
	json_decref(out);
	/* A stale version changes nothing. */
	assert_int_equal(activity_set_status(as(&ann), id, 1, "done", &out),
	    CRM_ECONFLICT);
	/* A kind is fixed. */
	patch = J("{\"kind\": \"note\"}");
	assert_int_equal(rec_update(as(&ann), &entity_activities, id, -1, patch,
	    &out), CRM_EINVAL);
	assert_string_equal(cx.errs.items[0].field, "kind");
	json_decref(patch);
}

static void
times_come_in_order(void **state)
{
	(void)state;
	refused(&ann, "{\"kind\": \"task\", \"subject\": \"T\", \"start_at\": "
	    "\"2030-01-02T00:00:00Z\", \"due_at\": \"2030-01-01T23:59:59Z\"}",
	    "due_at");
	refused(&ann, "{\"kind\": \"meeting\", \"subject\": \"M\", \"start_at\": "
	    "\"2030-01-02T10:00:00+02:00\", \"end_at\": \"2030-01-02T07:59:00Z\"}",
	    "end_at");
	/* Equal is fine: a reminder-like meeting of no length. */
	create_ok("{\"kind\": \"meeting\", \"subject\": \"M\", \"start_at\": "
	    "\"2030-01-02T10:00:00+02:00\", \"end_at\": \"2030-01-02T08:00:00Z\"}");
	refused(&ann, "{\"kind\": \"meeting\", \"subject\": \"M\"}", "start_at");
	refused(&ann, "{\"kind\": \"task\", \"subject\": \"T\", \"due_at\": "
	    "\"2030-13-01T00:00:00Z\"}", "due_at");
}

static void
links_must_be_readable_by_the_author(void **state)
{
	json_t *in = J("{\"name\": \"Ann's client\"}"), *co = NULL;
	char text[256];
	int64_t cid;

	(void)state;
	assert_int_equal(rec_create(as(&ann), &entity_companies, in, &co), CRM_OK);
	cid = json_integer_value(json_object_get(co, "id"));
	json_decref(in);
	json_decref(co);
	snprintf(text, sizeof(text), "{\"kind\": \"task\", \"subject\": \"T\", "
	    "\"company_id\": %lld}", (long long)cid);
	refused(&max, text, "company_id");
	assert_int_equal(create(&ann, text, NULL), CRM_OK);
	refused(&max, "{\"kind\": \"task\", \"subject\": \"T\", \"deal_id\": 424242}",
	    "deal_id");
	refused(&max, "{\"kind\": \"task\", \"subject\": \"T\", \"participants\": "
	    "[424242]}", "participants");
	/* Giving a task to someone else is the assign right. */
	snprintf(text, sizeof(text), "{\"kind\": \"task\", \"subject\": \"T\", "
	    "\"owner_id\": %lld}", (long long)ann.user_id);
	refused(&max, text, "owner_id");
}

static void
checklists_are_bounded(void **state)
{
	char *text = malloc(20000), item[700], longtext[600];
	size_t n;

	(void)state;
	memset(longtext, 'a', 501);
	longtext[501] = '\0';
	for (int count = 100; count <= 101; count++) {
		n = (size_t)snprintf(text, 20000, "{\"kind\": \"task\", \"subject\": "
		    "\"T\", \"checklist\": [");
		for (int i = 0; i < count; i++)
			n += (size_t)snprintf(text + n, 20000 - n, "%s{\"text\": "
			    "\"step %d\", \"done\": false}", i ? ", " : "", i);
		snprintf(text + n, 20000 - n, "]}");
		if (count == 100)
			create_ok(text);
		else
			refused(&ann, text, "checklist");
	}
	snprintf(item, sizeof(item), "{\"kind\": \"task\", \"subject\": \"T\", "
	    "\"checklist\": [{\"text\": \"%.500s\"}]}", longtext);
	create_ok(item);
	snprintf(item, sizeof(item), "{\"kind\": \"task\", \"subject\": \"T\", "
	    "\"checklist\": [{\"text\": \"%s\"}]}", longtext);
	refused(&ann, item, "checklist[0].text");
	refused(&ann, "{\"kind\": \"task\", \"subject\": \"T\", \"checklist\": "
	    "[{\"text\": \"\"}]}", "checklist[0].text");
	refused(&ann, "{\"kind\": \"task\", \"subject\": \"T\", \"checklist\": "
	    "[{\"text\": \"x\", \"when\": 1}]}", "checklist[0]");
	refused(&ann, "{\"kind\": \"task\", \"subject\": \"T\", \"checklist\": "
	    "{\"text\": \"x\"}}", "checklist");
	free(text);
}

static void
zones_know_their_daylight_saving_time(void **state)
{
	struct tz *z = NULL;
	int64_t ms;

	(void)state;
	assert_int_equal(tz_load("Europe/Berlin", &z), 0);
	assert_int_equal(time_parse_datetime("2026-07-01T12:00:00Z", 20, &ms), 0);
	assert_int_equal(tz_offset_s(z, ms), 7200);
	assert_int_equal(time_parse_datetime("2026-11-26T12:00:00Z", 20, &ms), 0);
	assert_int_equal(tz_offset_s(z, ms), 3600);
	/* The change itself: 2026-03-29 01:00 UTC. */
	assert_int_equal(time_parse_datetime("2026-03-29T00:59:59Z", 20, &ms), 0);
	assert_int_equal(tz_offset_s(z, ms), 3600);
	assert_int_equal(tz_offset_s(z, ms + 1000), 7200);
	tz_free(z);
	/* The southern hemisphere: summer spans the new year. */
	assert_int_equal(tz_load("Pacific/Auckland", &z), 0);
	assert_int_equal(time_parse_datetime("2027-01-15T00:00:00Z", 20, &ms), 0);
	assert_int_equal(tz_offset_s(z, ms), 13 * 3600);
	assert_int_equal(time_parse_datetime("2027-07-15T00:00:00Z", 20, &ms), 0);
	assert_int_equal(tz_offset_s(z, ms), 12 * 3600);
	tz_free(z);
	assert_int_equal(tz_load("UTC", &z), 0);
	assert_int_equal(tz_offset_s(z, ms), 0);
	tz_free(z);
	assert_int_equal(tz_load("../../etc/passwd", &z), -1);
	assert_int_equal(tz_load("Europe/../../etc/passwd", &z), -1);
	assert_int_equal(tz_load("Mars/Olympus", &z), -1);
	assert_int_equal(tz_load("", &z), -1);
}

/* The ids of a bucket of a my-day answer, as "1,2,3". */
static void
bucket_ids(json_t *day, const char *bucket, char *out, size_t len)
{
	json_t *rec;
	size_t i, n = 0;

	out[0] = '\0';
	json_array_foreach(json_object_get(json_object_get(day, bucket), "data"),
	    i, rec)
		n += (size_t)snprintf(out + n, len - n, "%s%lld", i ? "," : "",
		    (long long)json_integer_value(json_object_get(rec, "id")));
}

static void
my_day_is_cut_at_the_users_midnight(void **state)
{
	static const char *const dues[] = {
		"2026-11-26T20:00:00Z",	/* overdue everywhere */
		"2026-11-26T22:45:00Z",	/* later today everywhere */
		"2026-11-26T23:30:00Z",	/* Fri 00:30 in Berlin, Thu in UTC */
		"2026-11-28T23:30:00Z",	/* Sun 00:30 in Berlin, Sat in UTC */
		"2026-11-29T23:30:00Z",	/* Mon in Berlin, Sun in UTC */
	};
	int64_t id[5], meet, now;
	char text[512], ids[256], want[256];
	json_t *day = NULL;

	(void)state;
	/* Max's own day: a fresh user, so only these rows count. */
	for (int i = 0; i < 5; i++) {
		snprintf(text, sizeof(text), "{\"kind\": \"task\", \"subject\": "
		    "\"Due %d\", \"due_at\": \"%s\", \"owner_id\": %lld}", i, dues[i],
		    (long long)max.user_id);
		id[i] = create_ok(text);
	}
	/* Ann's meeting Max takes part in, at 09:00 Berlin on Friday. */
	snprintf(text, sizeof(text), "{\"kind\": \"meeting\", \"subject\": "
	    "\"Joint\", \"start_at\": \"2026-11-27T08:00:00Z\", \"participants\": "
	    "[%lld]}", (long long)max.user_id);
	meet = create_ok(text);
	create_ok("{\"kind\": \"task\", \"subject\": \"Ann's own\", \"due_at\": "
	    "\"2026-11-26T22:50:00Z\"}");
	/* Thursday 2026-11-26, 23:30 in Berlin. */
	assert_int_equal(time_parse_datetime("2026-11-26T22:30:00Z", 20, &now), 0);

	assert_int_equal(activity_my_day(as(&max), 0, "Europe/Berlin", NULL, now, &day),
	    CRM_OK);
	assert_string_equal(str(day, "date"), "2026-11-26");
	bucket_ids(day, "overdue", ids, sizeof(ids));
	snprintf(want, sizeof(want), "%lld", (long long)id[0]);
	assert_string_equal(ids, want);
	bucket_ids(day, "today", ids, sizeof(ids));
	snprintf(want, sizeof(want), "%lld", (long long)id[1]);
	assert_string_equal(ids, want);
	bucket_ids(day, "tomorrow", ids, sizeof(ids));
	snprintf(want, sizeof(want), "%lld,%lld", (long long)id[2],
	    (long long)meet);
	assert_string_equal(ids, want);
	bucket_ids(day, "this_week", ids, sizeof(ids));
	snprintf(want, sizeof(want), "%lld", (long long)id[3]);
	assert_string_equal(ids, want);
	json_decref(day);

	/* The same moment in UTC: 22:30 on Thursday. */
	assert_int_equal(activity_my_day(as(&max), 0, NULL, NULL, now, &day), CRM_OK);
	bucket_ids(day, "today", ids, sizeof(ids));
	snprintf(want, sizeof(want), "%lld,%lld", (long long)id[1],
	    (long long)id[2]);
	assert_string_equal(ids, want);
	bucket_ids(day, "tomorrow", ids, sizeof(ids));
	snprintf(want, sizeof(want), "%lld", (long long)meet);
	assert_string_equal(ids, want);
	bucket_ids(day, "this_week", ids, sizeof(ids));
	snprintf(want, sizeof(want), "%lld,%lld", (long long)id[3],
	    (long long)id[4]);
	assert_string_equal(ids, want);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(day,
	    "this_week"), "count")), 2);
	json_decref(day);

	/* Ann looks at Max's day and sees the same; Max at Ann's sees nothing of hers. */
	assert_int_equal(activity_my_day(as(&ann), max.user_id, NULL, NULL, now, &day),
	    CRM_OK);
	bucket_ids(day, "this_week", ids, sizeof(ids));
	assert_string_equal(ids, want);
	json_decref(day);
	assert_int_equal(activity_my_day(as(&max), ann.user_id, NULL, NULL, now, &day),
	    CRM_OK);
	bucket_ids(day, "today", ids, sizeof(ids));
	assert_string_equal(ids, "");
	json_decref(day);
	assert_int_equal(activity_my_day(as(&max), 0, "Nowhere/Land", NULL, now, &day),
	    CRM_EBADQUERY);
	assert_int_equal(activity_my_day(as(&max), 999999, NULL, NULL, now, &day),
	    CRM_ENOTFOUND);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(each_kind_has_its_statuses_and_defaults),
		cmocka_unit_test(done_at_follows_completion),
		cmocka_unit_test(times_come_in_order),
		cmocka_unit_test(links_must_be_readable_by_the_author),
		cmocka_unit_test(checklists_are_bounded),
		cmocka_unit_test(zones_know_their_daylight_saving_time),
		cmocka_unit_test(my_day_is_cut_at_the_users_midnight),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
