/*
 * core/plans: periods (years, quarters, months, and what is none of
 * them); the plan-fact arithmetic on hand-computed numbers (percent,
 * projection at the current pace, the pace still needed, behind, an
 * average that does not scale); and plan-fact end to end on a fixed
 * clock: November 2026 on the default calendar (Monday to Friday) has 21
 * working days, and on Tuesday the 10th seven of them have begun.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/plans.h"
#include "util/timeutil.h"

static db_t *db;

static void
exec(const char *sql)
{
	if (db_exec(db, sql) != DB_OK)
		fail_msg("%s: %s", sql, db_errmsg(db));
}

static void
periods_are_years_quarters_and_months(void **state)
{
	int64_t a, b;

	(void)state;
	assert_int_equal(plan_period_parse("2026", &a, &b), 0);
	assert_int_equal(a, time_days_from_civil(2026, 1, 1));
	assert_int_equal(b, time_days_from_civil(2027, 1, 1));
	assert_int_equal(plan_period_parse("2026-Q4", &a, &b), 0);
	assert_int_equal(a, time_days_from_civil(2026, 10, 1));
	assert_int_equal(b, time_days_from_civil(2027, 1, 1));
	assert_int_equal(plan_period_parse("2026-Q1", &a, &b), 0);
	assert_int_equal(b - a, 90);	/* 31 + 28 + 31 */
	assert_int_equal(plan_period_parse("2028-02", &a, &b), 0);
	assert_int_equal(b - a, 29);	/* a leap year */
	assert_int_equal(plan_period_parse("2026-12", &a, &b), 0);
	assert_int_equal(b, time_days_from_civil(2027, 1, 1));
	assert_int_equal(plan_period_parse("2026-Q5", &a, &b), -1);
	assert_int_equal(plan_period_parse("2026-13", &a, &b), -1);
	assert_int_equal(plan_period_parse("2026-00", &a, &b), -1);
	assert_int_equal(plan_period_parse("26", &a, &b), -1);
	assert_int_equal(plan_period_parse("0999", &a, &b), -1);
	assert_int_equal(plan_period_parse("2026-q4", &a, &b), -1);
	assert_int_equal(plan_period_parse(NULL, &a, &b), -1);
}

static void
the_arithmetic_of_plan_fact(void **state)
{
	struct plan_fact f;

	(void)state;
	/*
	 * 7000 of 30000 after 7 of 21 working days: 23.3% -> 23; at this pace
	 * 7000 * 21 / 7 = 21000 by the end, behind; 23000 still to go over 14
	 * days is 1642.9 -> 1643 a day.
	 */
	plan_fact_compute(30000, 7000, false, 21, 7, &f);
	assert_int_equal(f.percent, 23);
	assert_int_equal(f.projection, 21000);
	assert_int_equal(f.pace, 1643);
	assert_true(f.behind);
	/*
	 * Ahead: 12000 after 7 of 21 projects 36000; the 18000 still to go
	 * over 14 days is 1285.7 -> 1286 a day, below the 1714 of so far.
	 */
	plan_fact_compute(30000, 12000, false, 21, 7, &f);
	assert_int_equal(f.projection, 36000);
	assert_int_equal(f.pace, 1286);
	assert_false(f.behind);
	/* Reached already: nothing more is needed. */
	plan_fact_compute(30000, 31000, false, 21, 7, &f);
	assert_int_equal(f.pace, 0);
	assert_int_equal(f.percent, 103);
	/* Nothing elapsed yet: no projection, not behind; pace over all 21. */
	plan_fact_compute(21, 0, false, 21, 0, &f);
	assert_int_equal(f.projection, -1);
	assert_int_equal(f.pace, 1);
	assert_false(f.behind);
	/* The period is over: no pace; a zero plan has no percent. */
	plan_fact_compute(0, 5, false, 21, 21, &f);
	assert_int_equal(f.percent, -1);
	assert_int_equal(f.pace, -1);
	assert_int_equal(f.projection, 5);
	/* No plan: numbers without judgement. */
	plan_fact_compute(-1, 5, false, 21, 7, &f);
	assert_int_equal(f.percent, -1);
	assert_int_equal(f.pace, -1);
	assert_false(f.behind);
	/* An average stays what it is; below its plan it is behind. */
	plan_fact_compute(4000, 3500, true, 21, 7, &f);
	assert_int_equal(f.projection, 3500);
	assert_int_equal(f.percent, 88);	/* 87.5 */
	assert_int_equal(f.pace, -1);
	assert_true(f.behind);
}

static json_t *
metric(json_t *res, const char *scope, const char *name)
{
	json_t *rows = json_object_get(res, "rows"), *r;
	size_t i;

	json_array_foreach(rows, i, r)
		if (strcmp(json_string_value(json_object_get(r, "scope")), scope) ==
		    0)
			return json_object_get(json_object_get(r, "metrics"), name);
	fail_msg("no %s row", scope);
	return NULL;
}

static void
plan_fact_on_a_fixed_clock(void **state)
{
	struct core_ctx cx;
	json_t *res = NULL, *m;
	int64_t now;

	(void)state;
	core_ctx_init(&cx, db, NULL);
	assert_int_equal(time_parse_datetime("2026-11-10T12:00:00Z", 20, &now), 0);
	assert_int_equal(plan_fact(&cx, "2026-11", NULL, now, &res), CRM_OK);
	assert_int_equal(json_integer_value(json_object_get(res, "working_days")),
	    21);
	assert_int_equal(json_integer_value(json_object_get(res, "elapsed_days")),
	    7);
	m = metric(res, "user", "revenue_won");
	assert_int_equal(json_integer_value(json_object_get(m, "plan")), 30000);
	/* The deal won in October does not count; the one in November does. */
	assert_int_equal(json_integer_value(json_object_get(m, "actual")), 7000);
	assert_int_equal(json_integer_value(json_object_get(m, "projection")),
	    21000);
	assert_int_equal(json_integer_value(json_object_get(m, "pace_needed")),
	    1643);
	assert_true(json_is_true(json_object_get(m, "behind")));
	/*
	 * The company has no plan of its own: its top departments', here the
	 * top department's only member's 30000.
	 */
	m = metric(res, "company", "revenue_won");
	assert_int_equal(json_integer_value(json_object_get(m, "plan")), 30000);
	assert_int_equal(json_integer_value(json_object_get(m, "actual")), 7000);
	json_decref(res);
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
	exec("INSERT INTO users (email, name, password_hash, created_at, "
	    "updated_at, department_id) VALUES ('p@example.com', 'P', 'x', 0, 0, "
	    "1)");
	/* 2026-11-05T10:00Z and 2026-10-30T10:00Z. */
	exec("INSERT INTO deals (title, pipeline_id, stage_id, status, amount, "
	    "amount_base, currency, stage_entered_at, created_at, updated_at, "
	    "closed_at, owner_id) SELECT 'Nov', p.id, s.id, 'won', 7000, 7000, "
	    "'EUR', 0, 0, 0, 1793872800000, (SELECT MAX(id) FROM users) FROM "
	    "pipelines p JOIN pipeline_stages s ON s.pipeline_id = p.id LIMIT 1");
	exec("INSERT INTO deals (title, pipeline_id, stage_id, status, amount, "
	    "amount_base, currency, stage_entered_at, created_at, updated_at, "
	    "closed_at, owner_id) SELECT 'Oct', p.id, s.id, 'won', 500, 500, "
	    "'EUR', 0, 0, 0, 1793354400000, (SELECT MAX(id) FROM users) FROM "
	    "pipelines p JOIN pipeline_stages s ON s.pipeline_id = p.id LIMIT 1");
	exec("INSERT INTO plans (period, scope, scope_id, metric, target, "
	    "updated_at) SELECT '2026-11', 'user', MAX(id), 'revenue_won', "
	    "30000, 0 FROM users");
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
report_metrics_are_named_by_id(void **state)
{
	int64_t id;

	(void)state;
	assert_int_equal(plan_report_id("report:12", &id), 0);
	assert_int_equal(id, 12);
	assert_int_equal(plan_report_id("report:999999999999999", &id), 0);
	assert_int_equal(plan_report_id("report:0", &id), -1);
	assert_int_equal(plan_report_id("report:012", &id), -1);
	assert_int_equal(plan_report_id("report:-1", &id), -1);
	assert_int_equal(plan_report_id("report:12x", &id), -1);
	assert_int_equal(plan_report_id("report:", &id), -1);
	assert_int_equal(plan_report_id("report:1234567890123456", &id), -1);
	assert_int_equal(plan_report_id("Report:1", &id), -1);
	assert_int_equal(plan_report_id("revenue_won", &id), -1);
	assert_int_equal(plan_report_id(NULL, &id), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(periods_are_years_quarters_and_months),
		cmocka_unit_test(the_arithmetic_of_plan_fact),
		cmocka_unit_test(plan_fact_on_a_fixed_clock),
		cmocka_unit_test(report_metrics_are_named_by_id),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
