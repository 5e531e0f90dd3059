/*
 * core/workload: a person's days against their calendar. One person in
 * Berlin (09:00-17:00 local, Monday to Friday, Wednesday 9 December 2026 a
 * holiday, Friday the 11th away): capacity across the holiday, the
 * absence and the weekend; tasks by estimate (30 minutes without one) and
 * meetings, organised or attended, summed per local day (a task due at
 * 00:30 Berlin counts on that Berlin day, a meeting across midnight on
 * both); done and deleted work is no load; the check before a new task;
 * and who may look. Every expected number is worked out beside it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/workcal.h"
#include "core/workload.h"
#include "util/timeutil.h"

static db_t *db;
static int64_t anna, boris, hanna, pia;	/* users */

static void
exec(const char *sql)
{
	if (db_exec(db, sql) != DB_OK)
		fail_msg("%s: %s", sql, db_errmsg(db));
}

static int64_t
at(const char *rfc3339)
{
	int64_t ms;

	if (time_parse_datetime(rfc3339, strlen(rfc3339), &ms) != 0)
		fail_msg("bad time in the test: %s", rfc3339);
	return ms;
}

static int64_t
last_id(void)
{
	db_stmt_t *st;
	int64_t id;

	assert_int_equal(db_prepare(db, "SELECT last_insert_rowid()", &st),
	    DB_OK);
	assert_int_equal(db_step(st), DB_ROW);
	id = db_col_int(st, 0);
	db_done(st);
	return id;
}

static int64_t
user(const char *name, int64_t dept)
{
	char sql[256];

	snprintf(sql, sizeof(sql), "INSERT INTO users (email, name, "
	    "password_hash, created_at, updated_at, department_id) VALUES "
	    "('%s@example.com', '%s', 'x', 0, 0, %lld)", name, name,
	    (long long)dept);
	exec(sql);
	return last_id();
}

/* An activity; est < 0: no estimate; end NULL: none. */
static int64_t
activity(const char *kind, const char *status, const char *subject,
    int64_t owner, const char *due, const char *start, const char *end,
    int est)
{
	db_stmt_t *st;

	assert_int_equal(db_prepare(db, "INSERT INTO activities (kind, status, "
	    "subject, owner_id, due_at, start_at, end_at, estimate_min, "
	    "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, 0)",
	    &st), DB_OK);
	db_bind_text(st, 1, kind, strlen(kind));
	db_bind_text(st, 2, status, strlen(status));
	db_bind_text(st, 3, subject, strlen(subject));
	db_bind_int(st, 4, owner);
	if (due != NULL)
		db_bind_int(st, 5, at(due));
	else
		db_bind_null(st, 5);
	if (start != NULL)
		db_bind_int(st, 6, at(start));
	else
		db_bind_null(st, 6);
	if (end != NULL)
		db_bind_int(st, 7, at(end));
	else
		db_bind_null(st, 7);
	if (est >= 0)
		db_bind_int(st, 8, est);
	else
		db_bind_null(st, 8);
	assert_int_equal(db_step(st), DB_DONE);
	db_done(st);
	return last_id();
}

static json_t *
get(struct core_ctx *cx, const char *uid, const char *dept, const char *from,
    const char *days)
{
	struct workload_query wq = { dept, uid, from, days, 0 };
	json_t *out = NULL;
	int rc = workload_get(cx, &wq, &out);

	if (rc != CRM_OK)
		fail_msg("%d: %s", rc, cx->detail);
	return out;
}

static json_t *
day_of(json_t *res, size_t person, size_t day)
{
	json_t *p = json_array_get(json_object_get(res, "people"), person);

	return json_array_get(json_object_get(p, "days"), day);
}

static int64_t
num(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	if (!json_is_integer(v))
		fail_msg("%s is not a number", key);
	return json_integer_value(v);
}

static void
capacity_counts_the_calendar_the_holiday_the_absence_and_the_weekend(
    void **state)
{
	struct core_ctx cx;
	char uid[24];
	json_t *res;
	/* Tue 480 (8 h), Wed holiday, Thu 480, Fri away, Sat, Sun, Mon 480. */
	static const int64_t cap[] = { 480, 0, 480, 0, 0, 0, 480 };

	(void)state;
	core_ctx_init(&cx, db, NULL);
	snprintf(uid, sizeof(uid), "%lld", (long long)boris);
	res = get(&cx, uid, NULL, "2026-12-08", "7");
	for (size_t i = 0; i < 7; i++) {
		json_t *d = day_of(res, 0, i);

		assert_int_equal(num(d, "capacity_min"), cap[i]);
		assert_int_equal(json_is_true(json_object_get(d, "absent")),
		    i == 3);
	}
	assert_string_equal(json_string_value(json_object_get(res, "to")),
	    "2026-12-14");
	assert_int_equal(num(json_array_get(json_object_get(res, "people"), 0),
	    "capacity_min"), 1440);
	json_decref(res);
}

static void
tasks_and_meetings_sum_per_local_day(void **state)
{
	struct core_ctx cx;
	char uid[24];
	json_t *res, *d;

	(void)state;
	core_ctx_init(&cx, db, NULL);
	snprintf(uid, sizeof(uid), "%lld", (long long)anna);
	res = get(&cx, uid, NULL, "2026-12-08", "4");
	/*
	 * Tue 8th: 90 + 30 (no estimate) + the 09:00-10:00 Berlin stand-up
	 * Boris organises and Anna attends (60) = 180 of 480 = 37.5% -> 38.
	 * The done task (200) and the deleted one (300) are no load.
	 */
	d = day_of(res, 0, 0);
	assert_int_equal(num(d, "task_min"), 120);
	assert_int_equal(num(d, "meeting_min"), 60);
	assert_int_equal(num(d, "planned_min"), 180);
	assert_int_equal(num(d, "load_pct"), 38);
	assert_false(json_is_true(json_object_get(d, "overloaded")));
	assert_int_equal(json_array_size(json_object_get(d, "items")), 3);
	/*
	 * Wed 9th, a holiday: the task due 2026-12-08T23:30Z is 00:30 on
	 * Wednesday in Berlin; work without capacity: load null, overloaded.
	 */
	d = day_of(res, 0, 1);
	assert_int_equal(num(d, "task_min"), 45);
	assert_true(json_is_null(json_object_get(d, "load_pct")));
	assert_true(json_is_true(json_object_get(d, "overloaded")));
	/*
	 * Thu 10th: 600 minutes of task, and the meeting from 23:00 Berlin
	 * (22:00Z) to 01:00 Friday counts its first hour: 660 of 480 = 137.5%.
	 */
	d = day_of(res, 0, 2);
	assert_int_equal(num(d, "task_min"), 600);
	assert_int_equal(num(d, "meeting_min"), 60);
	assert_int_equal(num(d, "load_pct"), 138);
	assert_true(json_is_true(json_object_get(d, "overloaded")));
	/* Fri 11th: its second hour, on a day without capacity (absent). */
	d = day_of(res, 0, 3);
	assert_int_equal(num(d, "meeting_min"), 60);
	assert_int_equal(num(d, "capacity_min"), 0);
	json_decref(res);
}

static void
the_check_counts_one_more_task_on_its_local_day(void **state)
{
	struct core_ctx cx;
	json_t *in, *out = NULL;

	(void)state;
	core_ctx_init(&cx, db, NULL);
	/* Tue 8th at 17:30 Berlin: 180 planned, + 240 = 420 of 480: fits. */
	in = json_pack("{s:I, s:s, s:i}", "user_id", (json_int_t)anna, "due_at",
	    "2026-12-08T16:30:00Z", "estimate_min", 240);
	assert_int_equal(workload_check(&cx, in, &out), CRM_OK);
	assert_string_equal(json_string_value(json_object_get(out, "day")),
	    "2026-12-08");
	assert_int_equal(num(out, "planned_before_min"), 180);
	assert_int_equal(num(out, "planned_after_min"), 420);
	assert_int_equal(num(out, "load_before"), 38);
	assert_int_equal(num(out, "load_after"), 88);
	assert_false(json_is_true(json_object_get(out, "overloaded")));
	json_decref(out);
	json_decref(in);
	/* 301 more is 481 of 480: one minute over. */
	in = json_pack("{s:I, s:s, s:i}", "user_id", (json_int_t)anna, "due_at",
	    "2026-12-08T16:30:00Z", "estimate_min", 301);
	assert_int_equal(workload_check(&cx, in, &out), CRM_OK);
	assert_true(json_is_true(json_object_get(out, "overloaded")));
	json_decref(out);
	json_decref(in);
}

static void
only_the_person_their_heads_and_admins_may_look(void **state)
{
	struct actor a;
	struct core_ctx cx;
	struct workload_query wq = { NULL, NULL, "2026-12-08", "1", 0 };
	char uid[24];
	json_t *out = NULL;

	(void)state;
	memset(&a, 0, sizeof(a));
	snprintf(uid, sizeof(uid), "%lld", (long long)anna);
	wq.user_id = uid;
	a.user_id = pia;	/* in another department */
	core_ctx_init(&cx, db, &a);
	assert_int_equal(workload_get(&cx, &wq, &out), CRM_EFORBIDDEN);
	assert_null(out);
	a.user_id = boris;	/* a colleague, not the head */
	core_ctx_init(&cx, db, &a);
	assert_int_equal(workload_get(&cx, &wq, &out), CRM_EFORBIDDEN);
	a.user_id = hanna;	/* the head of the department above */
	core_ctx_init(&cx, db, &a);
	assert_int_equal(workload_get(&cx, &wq, &out), CRM_OK);
	json_decref(out);
	/* Anna herself, asking for nobody in particular: her own row only. */
	a.user_id = anna;
	wq.user_id = NULL;
	core_ctx_init(&cx, db, &a);
	assert_int_equal(workload_get(&cx, &wq, &out), CRM_OK);
	assert_int_equal(json_array_size(json_object_get(out, "people")), 1);
	json_decref(out);
	/* Bad days name the field. */
	wq.days = "63";
	core_ctx_init(&cx, db, &a);
	assert_int_equal(workload_get(&cx, &wq, &out), CRM_EINVAL);
	assert_string_equal(cx.errs.items[0].field, "days");
}

static int
group_setup(void **state)
{
	struct core_ctx cx;
	char err[512], sql[512];
	json_t *in, *out = NULL;
	int64_t cal, sales, team, other;

	(void)state;
	if (core_open_db(":memory:", &db, err, sizeof(err)) != CRM_OK) {
		fprintf(stderr, "setup: %s\n", err);
		return -1;
	}
	core_ctx_init(&cx, db, NULL);
	in = json_loads("{\"name\": \"Berlin\", \"tz\": \"Europe/Berlin\", "
	    "\"week\": [[\"09:00-17:00\"], [\"09:00-17:00\"], [\"09:00-17:00\"], "
	    "[\"09:00-17:00\"], [\"09:00-17:00\"], [], []], \"holidays\": "
	    "[{\"date\": \"2026-12-09\", \"name\": \"Closed\"}]}", 0, NULL);
	if (in == NULL || workcal_create(&cx, in, &out) != CRM_OK)
		return -1;
	cal = json_integer_value(json_object_get(out, "id"));
	json_decref(in);
	json_decref(out);
	snprintf(sql, sizeof(sql), "INSERT INTO departments (name, kind, "
	    "parent_id, calendar_id, created_at, updated_at) VALUES ('Sales', "
	    "'department', 1, %lld, 0, 0)", (long long)cal);
	exec(sql);
	sales = last_id();
	snprintf(sql, sizeof(sql), "INSERT INTO departments (name, kind, "
	    "parent_id, created_at, updated_at) VALUES ('Team', 'team', %lld, 0, "
	    "0)", (long long)sales);
	exec(sql);
	team = last_id();
	exec("INSERT INTO departments (name, kind, parent_id, created_at, "
	    "updated_at) VALUES ('Other', 'department', 1, 0, 0)");
	other = last_id();
	anna = user("anna", team);
	boris = user("boris", team);
	hanna = user("hanna", sales);
	pia = user("pia", other);
	snprintf(sql, sizeof(sql), "INSERT INTO department_heads (department_id, "
	    "user_id) VALUES (%lld, %lld)", (long long)sales, (long long)hanna);
	exec(sql);
	snprintf(sql, sizeof(sql), "INSERT INTO user_absences (user_id, "
	    "from_day, to_day, kind, created_at, updated_at) VALUES (%lld, "
	    "'2026-12-11', '2026-12-11', 'vacation', 0, 0), (%lld, "
	    "'2026-12-11', '2026-12-11', 'sick', 0, 0)", (long long)anna,
	    (long long)boris);
	exec(sql);
	activity("task", "open", "Estimated", anna, "2026-12-08T10:00:00Z", NULL,
	    NULL, 90);
	activity("task", "open", "No estimate", anna, "2026-12-08T12:00:00Z",
	    NULL, NULL, -1);
	activity("task", "done", "Done", anna, "2026-12-08T12:00:00Z", NULL,
	    NULL, 200);
	activity("task", "open", "Deleted", anna, "2026-12-08T12:00:00Z", NULL,
	    NULL, 300);
	exec("UPDATE activities SET deleted_at = 1 WHERE subject = 'Deleted'");
	activity("task", "open", "After midnight", anna, "2026-12-08T23:30:00Z",
	    NULL, NULL, 45);
	activity("task", "open", "Big", anna, "2026-12-10T12:00:00Z", NULL, NULL,
	    600);
	activity("meeting", "planned", "Late", anna, NULL, "2026-12-10T22:00:00Z",
	    "2026-12-11T00:00:00Z", -1);
	snprintf(sql, sizeof(sql), "INSERT INTO activity_participants "
	    "(activity_id, user_id, status) VALUES (%lld, %lld, 'planned')",
	    (long long)activity("meeting", "planned", "Stand-up", boris, NULL,
	    "2026-12-08T08:00:00Z", "2026-12-08T09:00:00Z", -1),
	    (long long)anna);
	exec(sql);
	return 0;
}

static int
group_teardown(void **state)
{
	(void)state;
	db_close(db);
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(capacity_counts_the_calendar_the_holiday_the_absence_and_the_weekend),
		cmocka_unit_test(tasks_and_meetings_sum_per_local_day),
		cmocka_unit_test(the_check_counts_one_more_task_on_its_local_day),
		cmocka_unit_test(only_the_person_their_heads_and_admins_may_look),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
