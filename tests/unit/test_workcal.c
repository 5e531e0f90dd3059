/*
 * core/workcal: deadlines N working minutes after a start, working minutes
 * between two instants, open or not, the next open moment; across nights,
 * weekends, holidays, lunch breaks, shortened days and the two daylight
 * saving changes of Europe/Berlin and America/New_York; bounded for any
 * duration; and the calendars that cannot be saved. Every expected instant
 * is worked out by hand in the comment beside it. Last, loading: the
 * default calendar, a department's own, a child's inherited one, a
 * person's through their department.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/org.h"
#include "core/workcal.h"
#include "util/timeutil.h"

static db_t *db;	/* for the loading tests: an in-memory database */

#define WEEKDAYS_9_18 "[[\"09:00-18:00\"],[\"09:00-18:00\"],[\"09:00-18:00\"]," \
	"[\"09:00-18:00\"],[\"09:00-18:00\"],[],[]]"
#define ALL_DAY "[[\"00:00-24:00\"],[\"00:00-24:00\"],[\"00:00-24:00\"]," \
	"[\"00:00-24:00\"],[\"00:00-24:00\"],[\"00:00-24:00\"],[\"00:00-24:00\"]]"
#define NIGHTS_1_4 "[[\"01:00-04:00\"],[\"01:00-04:00\"],[\"01:00-04:00\"]," \
	"[\"01:00-04:00\"],[\"01:00-04:00\"],[\"01:00-04:00\"],[\"01:00-04:00\"]]"

/* A calendar from JSON text (holidays may be NULL); fails the test if refused. */
static struct workcal *
cal_of(const char *tz, const char *week, const char *holidays)
{
	json_t *w = json_loads(week, 0, NULL);
	json_t *h = holidays ? json_loads(holidays, 0, NULL) : NULL;
	struct verrs errs;
	struct workcal *cal = NULL;

	memset(&errs, 0, sizeof(errs));
	assert_non_null(w);
	if (workcal_from_json(tz, w, h, &errs, &cal) != 0)
		fail_msg("calendar refused: %s: %s", errs.items[0].field,
		    errs.items[0].message);
	json_decref(w);
	json_decref(h);
	return cal;
}

static int64_t
at(const char *rfc3339)
{
	int64_t ms;

	if (time_parse_datetime(rfc3339, strlen(rfc3339), &ms) != 0)
		fail_msg("bad time in the test: %s", rfc3339);
	return ms;
}

/* Asserts that minutes of work from start are done at want. */
static void
due_is(const struct workcal *cal, const char *start, int64_t minutes,
    const char *want)
{
	char got[TIME_RFC3339_LEN];
	int64_t due = 0;

	assert_int_equal(workcal_add(cal, at(start), minutes, &due), 0);
	time_format(due, got, sizeof(got));
	if (due != at(want))
		fail_msg("%s + %lld working minutes: %s, expected %s", start,
		    (long long)minutes, got, want);
}

static int64_t
between(const struct workcal *cal, const char *a, const char *b)
{
	int64_t m = -1;

	assert_int_equal(workcal_between(cal, at(a), at(b), &m), 0);
	return m;
}

static void
a_deadline_skips_the_night_and_the_weekend(void **state)
{
	struct workcal *cal = cal_of("UTC", WEEKDAYS_9_18, NULL);

	(void)state;
	/* Fri 16:00 + 3 h: 2 h on Friday, 1 h on Monday. */
	due_is(cal, "2026-11-27T16:00:00Z", 180, "2026-11-30T10:00:00Z");
	/* Mon 17:00 + 2 h: 1 h Monday, 1 h Tuesday. */
	due_is(cal, "2026-11-30T17:00:00Z", 120, "2026-12-01T10:00:00Z");
	/* A whole day's work from the opening ends at the close, that day. */
	due_is(cal, "2026-11-30T09:00:00Z", 540, "2026-11-30T18:00:00Z");
	/* Five days' work from Monday morning ends Friday evening. */
	due_is(cal, "2026-11-30T09:00:00Z", 5 * 540, "2026-12-04T18:00:00Z");
	workcal_free(cal);
}

static void
a_holiday_is_closed(void **state)
{
	struct workcal *cal = cal_of("UTC", WEEKDAYS_9_18,
	    "[{\"date\": \"2026-11-30\", \"name\": \"Founders' day\"}]");

	(void)state;
	/* Fri 16:00 + 3 h: Monday is a holiday, so Tuesday 10:00. */
	due_is(cal, "2026-11-27T16:00:00Z", 180, "2026-12-01T10:00:00Z");
	assert_false(workcal_is_open(cal, at("2026-11-30T12:00:00Z")));
	assert_true(workcal_is_open(cal, at("2026-12-01T12:00:00Z")));
	workcal_free(cal);
}

static void
a_lunch_break_does_not_count(void **state)
{
	struct workcal *cal = cal_of("UTC", "[[\"14:00-18:00\", \"09:00-13:00\"],"
	    "[\"09:00-13:00\",\"14:00-18:00\"],[],[],[],[],[]]", NULL);

	(void)state;
	/* Mon 12:00 + 2 h: 12-13, lunch, 14-15. Intervals given out of order. */
	due_is(cal, "2026-11-30T12:00:00Z", 120, "2026-11-30T15:00:00Z");
	/* Ending exactly at the start of lunch is 13:00, not 14:00. */
	due_is(cal, "2026-11-30T12:00:00Z", 60, "2026-11-30T13:00:00Z");
	assert_false(workcal_is_open(cal, at("2026-11-30T13:30:00Z")));
	assert_int_equal(between(cal, "2026-11-30T12:30:00Z",
	    "2026-11-30T14:30:00Z"), 60);
	/* Monday and Tuesday only: Tue 17:00 + 2 h is next Monday 10:00. */
	due_is(cal, "2026-12-01T17:00:00Z", 120, "2026-12-07T10:00:00Z");
	workcal_free(cal);
}

static void
a_shortened_day_has_its_own_hours(void **state)
{
	struct workcal *cal = cal_of("UTC", WEEKDAYS_9_18,
	    "[{\"date\": \"2026-12-24\", \"name\": \"Christmas Eve\", "
	    "\"hours\": [\"09:00-13:00\"]}, {\"date\": \"2026-12-25\", "
	    "\"name\": \"Christmas\", \"hours\": []}]");

	(void)state;
	/* Thu 24th 12:00 + 2 h: 12-13 that day, the 25th closed, Mon 28th 09-10. */
	due_is(cal, "2026-12-24T12:00:00Z", 120, "2026-12-28T10:00:00Z");
	assert_false(workcal_is_open(cal, at("2026-12-24T14:00:00Z")));
	assert_int_equal(between(cal, "2026-12-24T00:00:00Z",
	    "2026-12-29T00:00:00Z"), 4 * 60 + 540);
	workcal_free(cal);
}

static void
berlin_spring_forward_day_has_23_hours(void **state)
{
	struct workcal *all = cal_of("Europe/Berlin", ALL_DAY, NULL);
	struct workcal *nights = cal_of("Europe/Berlin", NIGHTS_1_4, NULL);
	struct workcal *office = cal_of("Europe/Berlin", WEEKDAYS_9_18, NULL);

	(void)state;
	/* Sun 29 March 2026: midnight (CET, 23:00Z) to midnight (CEST, 22:00Z). */
	assert_int_equal(between(all, "2026-03-28T23:00:00Z",
	    "2026-03-29T22:00:00Z"), 23 * 60);
	/*
	 * 01:00-04:00 that night is 00:00Z-02:00Z: two real hours. From 01:00
	 * + 150 min: 120 that night, 30 the next (01:00 CEST = 23:00Z).
	 */
	assert_int_equal(between(nights, "2026-03-28T12:00:00Z",
	    "2026-03-29T12:00:00Z"), 120);
	due_is(nights, "2026-03-29T00:00:00Z", 150, "2026-03-29T23:30:00Z");
	/* Fri 17:00 CET (16:00Z) + 2 h: Mon 10:00 CEST, which is 08:00Z. */
	due_is(office, "2026-03-27T16:00:00Z", 120, "2026-03-30T08:00:00Z");
	workcal_free(all);
	workcal_free(nights);
	workcal_free(office);
}

static void
berlin_fall_back_day_has_25_hours(void **state)
{
	struct workcal *all = cal_of("Europe/Berlin", ALL_DAY, NULL);
	struct workcal *nights = cal_of("Europe/Berlin", NIGHTS_1_4, NULL);

	(void)state;
	/* Sun 25 October 2026: midnight CEST (22:00Z) to midnight CET (23:00Z). */
	assert_int_equal(between(all, "2026-10-24T22:00:00Z",
	    "2026-10-25T23:00:00Z"), 25 * 60);
	/* 01:00 CEST (23:00Z) to 04:00 CET (03:00Z): four real hours. */
	due_is(nights, "2026-10-24T23:00:00Z", 210, "2026-10-25T02:30:00Z");
	due_is(nights, "2026-10-24T23:00:00Z", 240, "2026-10-25T03:00:00Z");
	workcal_free(all);
	workcal_free(nights);
}

static void
new_york_daylight_saving_both_ways(void **state)
{
	struct workcal *all = cal_of("America/New_York", ALL_DAY, NULL);
	struct workcal *office = cal_of("America/New_York", WEEKDAYS_9_18, NULL);

	(void)state;
	/* Sun 8 March 2026: midnight EST (05:00Z) to midnight EDT (04:00Z). */
	assert_int_equal(between(all, "2026-03-08T05:00:00Z",
	    "2026-03-09T04:00:00Z"), 23 * 60);
	/* Sun 1 November 2026: midnight EDT (04:00Z) to midnight EST (05:00Z). */
	assert_int_equal(between(all, "2026-11-01T04:00:00Z",
	    "2026-11-02T05:00:00Z"), 25 * 60);
	/* Fri 6 March 17:00 EST (22:00Z) + 2 h: Mon 10:00 EDT = 14:00Z. */
	due_is(office, "2026-03-06T22:00:00Z", 120, "2026-03-09T14:00:00Z");
	/* Fri 30 October 17:00 EDT (21:00Z) + 2 h: Mon 10:00 EST = 15:00Z. */
	due_is(office, "2026-10-30T21:00:00Z", 120, "2026-11-02T15:00:00Z");
	/* 09:00 EST on Monday is 14:00Z: open at 14:00Z, closed at 13:59Z. */
	assert_true(workcal_is_open(office, at("2026-11-02T14:00:00Z")));
	assert_false(workcal_is_open(office, at("2026-11-02T13:59:00Z")));
	workcal_free(all);
	workcal_free(office);
}

static void
a_start_outside_working_hours_waits_for_the_opening(void **state)
{
	struct workcal *cal = cal_of("UTC", WEEKDAYS_9_18, NULL);

	(void)state;
	/* Saturday noon + 1 h: Monday 10:00. */
	due_is(cal, "2026-11-28T12:00:00Z", 60, "2026-11-30T10:00:00Z");
	/* Monday 07:00 + 1 h: 10:00. Monday 20:00 + 1 h: Tuesday 10:00. */
	due_is(cal, "2026-11-30T07:00:00Z", 60, "2026-11-30T10:00:00Z");
	due_is(cal, "2026-11-30T20:00:00Z", 60, "2026-12-01T10:00:00Z");
	workcal_free(cal);
}

static void
zero_minutes_is_the_next_open_moment(void **state)
{
	struct workcal *cal = cal_of("UTC", WEEKDAYS_9_18, NULL);
	int64_t t = 0;

	(void)state;
	/* Open: the start itself. */
	due_is(cal, "2026-11-30T11:11:00Z", 0, "2026-11-30T11:11:00Z");
	/* At Friday's close, and on Saturday: Monday's opening. */
	due_is(cal, "2026-11-27T18:00:00Z", 0, "2026-11-30T09:00:00Z");
	assert_int_equal(workcal_next_open(cal, at("2026-11-28T10:00:00Z"), &t), 0);
	assert_int_equal(t, at("2026-11-30T09:00:00Z"));
	assert_true(workcal_is_open(cal, at("2026-11-27T09:00:00Z")));
	assert_false(workcal_is_open(cal, at("2026-11-27T18:00:00Z")));
	workcal_free(cal);
}

static void
between_counts_several_weeks(void **state)
{
	struct workcal *cal = cal_of("UTC", WEEKDAYS_9_18,
	    "[{\"date\": \"2026-11-11\", \"name\": \"A day off\"}]");

	(void)state;
	/* Mon 2 to Mon 23 November: 15 working days less one holiday. */
	assert_int_equal(between(cal, "2026-11-02T00:00:00Z",
	    "2026-11-23T00:00:00Z"), 14 * 540);
	/* Fri 17:30 to Mon 09:30: 30 + 30 minutes. */
	assert_int_equal(between(cal, "2026-11-27T17:30:00Z",
	    "2026-11-30T09:30:00Z"), 60);
	/* Partial minutes round down; an empty or reversed range is 0. */
	assert_int_equal(between(cal, "2026-11-30T09:00:00Z",
	    "2026-11-30T09:00:59Z"), 0);
	assert_int_equal(between(cal, "2026-11-30T12:00:00Z",
	    "2026-11-30T10:00:00Z"), 0);
	/* between and add agree: what add reaches, between counts back. */
	/* Fri 6th 16:00: 2 h, Mon and Tue whole, Wed the 11th off, Thu 1 h. */
	assert_int_equal(between(cal, "2026-11-06T16:00:00Z",
	    "2026-11-12T10:00:00Z"), 120 + 2 * 540 + 60);
	due_is(cal, "2026-11-06T16:00:00Z", 120 + 2 * 540 + 60,
	    "2026-11-12T10:00:00Z");
	workcal_free(cal);
}

static void
huge_durations_are_refused_not_looped(void **state)
{
	struct workcal *cal = cal_of("UTC", WEEKDAYS_9_18, NULL);
	int64_t t = 0, m = 0;

	(void)state;
	/* 9 h a day, 5 days a week never reaches 10 years of round-the-clock work. */
	assert_int_equal(workcal_add(cal, at("2026-11-30T09:00:00Z"),
	    WORKCAL_MINUTES_MAX, &t), -1);
	assert_int_equal(workcal_add(cal, 0, WORKCAL_MINUTES_MAX + 1, &t), -1);
	assert_int_equal(workcal_add(cal, 0, INT64_MAX, &t), -1);
	assert_int_equal(workcal_add(cal, 0, -1, &t), -1);
	/* Twenty years in one range is beyond the bound. */
	assert_int_equal(workcal_between(cal, at("2020-01-01T00:00:00Z"),
	    at("2040-01-01T00:00:00Z"), &m), -1);
	/* A year's work is reached: 261 working days in 2027 make 140,940 min. */
	due_is(cal, "2027-01-01T00:00:00Z", 261 * 540, "2027-12-31T18:00:00Z");
	workcal_free(cal);
}

/* Asserts the calendar is refused with an error naming field. */
static void
refused(const char *tz, const char *week, const char *holidays,
    const char *field)
{
	json_t *w = json_loads(week, 0, NULL);
	json_t *h = holidays ? json_loads(holidays, 0, NULL) : NULL;
	struct verrs errs;
	struct workcal *cal = (struct workcal *)1;
	bool named = false;

	memset(&errs, 0, sizeof(errs));
	assert_int_equal(workcal_from_json(tz, w, h, &errs, &cal), -1);
	assert_null(cal);
	for (int i = 0; i < errs.n; i++)
		named |= strcmp(errs.items[i].field, field) == 0;
	if (!named)
		fail_msg("%s / %s: no error for %s (first: %s: %s)", week,
		    holidays ? holidays : "-", field, errs.n ? errs.items[0].field :
		    "none", errs.n ? errs.items[0].message : "");
	json_decref(w);
	json_decref(h);
}

static void
calendars_that_cannot_work_are_refused(void **state)
{
	char *many;
	size_t len = 0, cap = 1001 * 64 + 16;

	(void)state;
	refused("UTC", "[[\"18:00-09:00\"],[],[],[],[],[],[]]", NULL, "week[0]");
	refused("UTC", "[[],[\"09:00-13:00\",\"12:00-18:00\"],[],[],[],[],[]]",
	    NULL, "week[1]");
	refused("UTC", "[[\"09:00-25:00\"],[],[],[],[],[],[]]", NULL, "week[0]");
	refused("UTC", "[[\"9:00-18:00\"],[],[],[],[],[],[]]", NULL, "week[0]");
	refused("UTC", "[[\"24:00-24:00\"],[],[],[],[],[],[]]", NULL, "week[0]");
	refused("UTC", "[[\"09:00-18:00\"],[],[],[],[],[]]", NULL, "week");
	refused("UTC", "[[],[],[],[],[],[],[]]", NULL, "week");
	refused("Mars/Olympus_Mons", WEEKDAYS_9_18, NULL, "tz");
	refused("../../etc/passwd", WEEKDAYS_9_18, NULL, "tz");
	refused("UTC", WEEKDAYS_9_18, "[{\"date\": \"2026-02-30\", \"name\": "
	    "\"x\"}]", "holidays[0].date");
	refused("UTC", WEEKDAYS_9_18, "[{\"date\": \"2026-12-25\", \"name\": "
	    "\"\"}]", "holidays[0].name");
	refused("UTC", WEEKDAYS_9_18, "[{\"date\": \"2026-12-25\", \"name\": "
	    "\"x\", \"hours\": [\"13:00-09:00\"]}]", "holidays[0].hours");
	refused("UTC", WEEKDAYS_9_18, "[{\"date\": \"2026-12-25\", \"name\": "
	    "\"a\"}, {\"date\": \"2026-12-25\", \"name\": \"b\"}]", "holidays");
	/* More than WORKCAL_HOLIDAYS_MAX holidays. */
	many = malloc(cap);
	assert_non_null(many);
	len += (size_t)snprintf(many + len, cap - len, "[");
	for (int i = 0; i <= WORKCAL_HOLIDAYS_MAX; i++) {
		int y, m, d;

		time_civil_from_days(20000 + i, &y, &m, &d);
		len += (size_t)snprintf(many + len, cap - len, "%s{\"date\": "
		    "\"%04d-%02d-%02d\", \"name\": \"h\"}", i ? "," : "", y, m, d);
	}
	snprintf(many + len, cap - len, "]");
	refused("UTC", WEEKDAYS_9_18, many, "holidays");
	free(many);
}

static void
a_day_may_run_to_midnight_and_comes_back_sorted(void **state)
{
	struct workcal *cal = cal_of(NULL, "[[\"18:00-24:00\",\"00:00-06:00\"],"
	    "[],[],[],[],[],[]]", NULL);
	json_t *d = workcal_day_json(&cal->week[0]);
	char *s = json_dumps(d, JSON_COMPACT);

	(void)state;
	assert_string_equal(s, "[\"00:00-06:00\",\"18:00-24:00\"]");
	/* Mon 23:00 + 90 min: 23-24 Monday, then Tuesday is closed: next Mon. */
	due_is(cal, "2026-11-30T23:00:00Z", 90, "2026-12-07T00:30:00Z");
	free(s);
	json_decref(d);
	workcal_free(cal);
}

/* The id in a core answer (rc, *out), which the test then drops. */
static int64_t
id_of(struct core_ctx *cx, int rc, json_t **out)
{
	int64_t id;

	if (rc != CRM_OK)
		fail_msg("%d: %s (%s: %s)", rc, cx->detail, cx->errs.n ?
		    cx->errs.items[0].field : "", cx->errs.n ?
		    cx->errs.items[0].message : "");
	id = json_integer_value(json_object_get(*out, "id"));
	json_decref(*out);
	*out = NULL;
	return id;
}

static void
calendars_load_through_the_department_tree(void **state)
{
	struct core_ctx cx;
	struct workcal *cal = NULL;
	json_t *in, *out = NULL;
	int64_t berlin, branch, team, uid;
	char sql[256];

	(void)state;
	core_ctx_init(&cx, db, NULL);
	/* The default: Standard, Monday to Friday 09:00-18:00 UTC. */
	assert_int_equal(workcal_load(&cx, 0, &cal), CRM_OK);
	due_is(cal, "2026-11-27T16:00:00Z", 180, "2026-11-30T10:00:00Z");
	workcal_free(cal);

	in = json_loads("{\"name\": \"Berlin\", \"tz\": \"Europe/Berlin\", "
	    "\"week\": " WEEKDAYS_9_18 ", \"holidays\": [{\"date\": "
	    "\"2026-11-30\", \"name\": \"Closed\"}]}", 0, NULL);
	assert_non_null(in);
	berlin = id_of(&cx, workcal_create(&cx, in, &out), &out);
	json_decref(in);
	in = json_pack("{s:s, s:I, s:I}", "name", "Branch", "parent_id",
	    (json_int_t)1, "calendar_id", (json_int_t)berlin);
	branch = id_of(&cx, dept_create(&cx, in, &out), &out);
	json_decref(in);
	in = json_pack("{s:s, s:I}", "name", "Team", "parent_id",
	    (json_int_t)branch);
	team = id_of(&cx, dept_create(&cx, in, &out), &out);
	json_decref(in);

	/*
	 * The team has no calendar: the branch's. Fri 17:00 CET (16:00Z) + 2 h:
	 * 1 h Friday, Monday the 30th closed, Tuesday 09:00-10:00 CET = 09:00Z.
	 */
	assert_int_equal(workcal_for_department(&cx, team, &cal), CRM_OK);
	assert_int_equal(cal->id, berlin);
	due_is(cal, "2026-11-27T16:00:00Z", 120, "2026-12-01T09:00:00Z");
	workcal_free(cal);
	/* The top department has none: the default. */
	assert_int_equal(workcal_for_department(&cx, 1, &cal), CRM_OK);
	assert_int_not_equal(cal->id, berlin);
	workcal_free(cal);

	/* A person works by their department's calendar, the default without one. */
	snprintf(sql, sizeof(sql), "INSERT INTO users (email, name, "
	    "password_hash, created_at, updated_at, department_id) VALUES "
	    "('w@example.com', 'W', 'x', 0, 0, %lld)", (long long)team);
	assert_int_equal(db_exec(db, sql), DB_OK);
	assert_int_equal(db_exec(db, "INSERT INTO users (email, name, "
	    "password_hash, created_at, updated_at) VALUES ('n@example.com', "
	    "'N', 'x', 0, 0)"), DB_OK);
	uid = 0;
	{
		db_stmt_t *st;

		assert_int_equal(db_prepare(db, "SELECT id FROM users WHERE email "
		    "= 'w@example.com'", &st), DB_OK);
		assert_int_equal(db_step(st), DB_ROW);
		uid = db_col_int(st, 0);
		db_done(st);
	}
	assert_int_equal(workcal_for_user(&cx, uid, &cal), CRM_OK);
	assert_int_equal(cal->id, berlin);
	workcal_free(cal);
	assert_int_equal(workcal_for_user(&cx, uid + 1, &cal), CRM_OK);
	assert_int_not_equal(cal->id, berlin);
	workcal_free(cal);
	assert_int_equal(workcal_for_user(&cx, 999999, &cal), CRM_ENOTFOUND);
	assert_null(cal);
	assert_int_equal(workcal_for_department(&cx, 999999, &cal),
	    CRM_ENOTFOUND);
	assert_int_equal(workcal_load(&cx, 999999, &cal), CRM_ENOTFOUND);
}

static int
group_setup(void **state)
{
	char err[512];

	(void)state;
	if (core_open_db(":memory:", &db, err, sizeof(err)) != CRM_OK) {
		fprintf(stderr, "setup: %s\n", err);
		return -1;
	}
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
		cmocka_unit_test(a_deadline_skips_the_night_and_the_weekend),
		cmocka_unit_test(a_holiday_is_closed),
		cmocka_unit_test(a_lunch_break_does_not_count),
		cmocka_unit_test(a_shortened_day_has_its_own_hours),
		cmocka_unit_test(berlin_spring_forward_day_has_23_hours),
		cmocka_unit_test(berlin_fall_back_day_has_25_hours),
		cmocka_unit_test(new_york_daylight_saving_both_ways),
		cmocka_unit_test(a_start_outside_working_hours_waits_for_the_opening),
		cmocka_unit_test(zero_minutes_is_the_next_open_moment),
		cmocka_unit_test(between_counts_several_weeks),
		cmocka_unit_test(huge_durations_are_refused_not_looped),
		cmocka_unit_test(calendars_that_cannot_work_are_refused),
		cmocka_unit_test(a_day_may_run_to_midnight_and_comes_back_sorted),
		cmocka_unit_test(calendars_load_through_the_department_tree),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
