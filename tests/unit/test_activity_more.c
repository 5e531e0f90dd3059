/*
 * core/activities, more: which phone numbers name the same line when a
 * PBX posts a call, and the dates a recurring task comes back on.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/activities.h"
#include "util/timeutil.h"

static void
phones_compare_their_last_ten_digits(void **state)
{
	(void)state;
	assert_true(activity_phone_same("+49 30 1234 5678", "030 12345678"));
	assert_true(activity_phone_same("+1 (212) 555-0199", "212 555 0199"));
	assert_true(activity_phone_same("0049 30 12345678", "+49-30-1234-5678"));
	assert_false(activity_phone_same("+49 30 1234 5678", "+49 30 1234 5679"));
	/* A country code against a trunk 0: the last ten differ, no match. */
	assert_false(activity_phone_same("+33 1 23 45 67 89", "01 23 45 67 89"));
}

static void
short_numbers_match_only_exactly(void **state)
{
	(void)state;
	assert_true(activity_phone_same("2231", "22-31"));
	assert_false(activity_phone_same("2231", "+1 555 000 2231"));
	assert_false(activity_phone_same("123456789", "0123456789"));
	assert_true(activity_phone_same("0123456789", "(012) 345-6789"));
}

static void
no_digits_never_match(void **state)
{
	(void)state;
	assert_false(activity_phone_same("", ""));
	assert_false(activity_phone_same("+", "()"));
	assert_false(activity_phone_same(NULL, "123"));
	assert_false(activity_phone_same("123", NULL));
}

/* ms of an RFC 3339 time, for readable expectations. */
static int64_t
T(const char *s)
{
	int64_t ms = 0;

	assert_int_equal(time_parse_datetime(s, strlen(s), &ms), 0);
	return ms;
}

static struct recur_rule
rule(enum recur_freq f, int interval)
{
	struct recur_rule r = { f, interval, 0, 0 };

	return r;
}

static void
days_and_weeks_step_in_utc(void **state)
{
	struct recur_rule d = rule(RECUR_DAILY, 1), w = rule(RECUR_WEEKLY, 2);

	(void)state;
	assert_true(recur_at(&d, T("2024-02-28T09:30:00Z"), 1) ==
	    T("2024-02-29T09:30:00Z"));
	assert_true(recur_at(&d, T("2024-02-28T09:30:00Z"), 2) ==
	    T("2024-03-01T09:30:00Z"));
	assert_true(recur_at(&d, T("2023-12-31T23:00:00Z"), 1) ==
	    T("2024-01-01T23:00:00Z"));
	assert_true(recur_at(&w, T("2026-10-20T08:00:00Z"), 1) ==
	    T("2026-11-03T08:00:00Z"));
	assert_true(recur_at(&w, T("1969-12-25T08:00:00Z"), 1) ==
	    T("1970-01-08T08:00:00Z"));
}

static void
month_ends_are_clamped_and_the_day_comes_back(void **state)
{
	struct recur_rule m = rule(RECUR_MONTHLY, 1), q = rule(RECUR_MONTHLY, 3);
	int64_t jan31 = T("2023-01-31T17:00:00Z");

	(void)state;
	assert_true(recur_at(&m, jan31, 1) == T("2023-02-28T17:00:00Z"));
	assert_true(recur_at(&m, jan31, 2) == T("2023-03-31T17:00:00Z"));
	assert_true(recur_at(&m, jan31, 3) == T("2023-04-30T17:00:00Z"));
	assert_true(recur_at(&m, jan31, 13) == T("2024-02-29T17:00:00Z"));
	assert_true(recur_at(&m, T("2026-12-15T00:00:00Z"), 1) ==
	    T("2027-01-15T00:00:00Z"));
	assert_true(recur_at(&q, T("2026-11-30T10:00:00Z"), 1) ==
	    T("2027-02-28T10:00:00Z"));
	assert_true(recur_at(&q, T("2026-11-30T10:00:00Z"), 2) ==
	    T("2027-05-30T10:00:00Z"));
}

static void
leap_days_recur_on_the_28th_between_leap_years(void **state)
{
	struct recur_rule y = rule(RECUR_YEARLY, 1), c = rule(RECUR_YEARLY, 100);
	int64_t leap = T("2024-02-29T12:00:00Z");

	(void)state;
	assert_true(recur_at(&y, leap, 1) == T("2025-02-28T12:00:00Z"));
	assert_true(recur_at(&y, leap, 3) == T("2027-02-28T12:00:00Z"));
	assert_true(recur_at(&y, leap, 4) == T("2028-02-29T12:00:00Z"));
	/* 2100 is not a leap year, 2400 is. */
	assert_true(recur_at(&c, T("2000-02-29T12:00:00Z"), 1) ==
	    T("2100-02-28T12:00:00Z"));
	assert_true(recur_at(&c, T("2000-02-29T12:00:00Z"), 4) ==
	    T("2400-02-29T12:00:00Z"));
	assert_true(recur_at(&c, T("2000-02-29T12:00:00Z"), 81) == -1);
}

static void
until_and_count_end_a_series(void **state)
{
	struct recur_rule r = rule(RECUR_WEEKLY, 1);
	int64_t first = T("2026-01-05T09:00:00Z"), next = 0;

	(void)state;
	r.count = 3;
	assert_true(recur_next(&r, first, 1, &next));
	assert_true(next == T("2026-01-12T09:00:00Z"));
	assert_true(recur_next(&r, first, 2, &next));
	assert_true(next == T("2026-01-19T09:00:00Z"));
	assert_false(recur_next(&r, first, 3, &next));
	r.count = 0;
	r.until = T("2026-01-19T09:00:00Z");	/* inclusive */
	assert_true(recur_next(&r, first, 2, &next));
	assert_false(recur_next(&r, first, 3, &next));
	r.until = T("2026-01-19T08:59:59Z");
	assert_false(recur_next(&r, first, 2, &next));
	assert_false(recur_next(&r, first, 0, &next));
}

static void
rules_are_checked(void **state)
{
	struct recur_rule r;
	char why[128];
	static const char *const bad[] = {
		"[]", "{}", "{\"freq\": \"hourly\"}",
		"{\"freq\": \"daily\", \"interval\": 0}",
		"{\"freq\": \"daily\", \"interval\": 366}",
		"{\"freq\": \"daily\", \"interval\": \"2\"}",
		"{\"freq\": \"daily\", \"count\": 0}",
		"{\"freq\": \"daily\", \"count\": 1001}",
		"{\"freq\": \"daily\", \"until\": \"2030-01-01\"}",
		"{\"freq\": \"daily\", \"byday\": \"MO\"}",
		NULL,
	};
	json_t *v;

	(void)state;
	for (int i = 0; bad[i] != NULL; i++) {
		v = json_loads(bad[i], 0, NULL);
		assert_non_null(v);
		assert_int_equal(recur_parse(v, &r, why, sizeof(why)), -1);
		assert_true(why[0] != '\0');
		json_decref(v);
	}
	v = json_loads("{\"freq\": \"monthly\", \"interval\": 365, "
	    "\"until\": \"2030-01-01T00:00:00Z\", \"count\": 1000}", 0, NULL);
	assert_int_equal(recur_parse(v, &r, why, sizeof(why)), 0);
	assert_int_equal(r.freq, RECUR_MONTHLY);
	assert_int_equal(r.interval, 365);
	assert_int_equal(r.count, 1000);
	assert_true(r.until == T("2030-01-01T00:00:00Z"));
	json_decref(v);
	v = json_loads("{\"freq\": \"daily\"}", 0, NULL);
	assert_int_equal(recur_parse(v, &r, why, sizeof(why)), 0);
	assert_int_equal(r.interval, 1);
	json_decref(v);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(phones_compare_their_last_ten_digits),
		cmocka_unit_test(short_numbers_match_only_exactly),
		cmocka_unit_test(no_digits_never_match),
		cmocka_unit_test(days_and_weeks_step_in_utc),
		cmocka_unit_test(month_ends_are_clamped_and_the_day_comes_back),
		cmocka_unit_test(leap_days_recur_on_the_28th_between_leap_years),
		cmocka_unit_test(until_and_count_end_a_series),
		cmocka_unit_test(rules_are_checked),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
