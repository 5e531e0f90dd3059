/*
 * core/kpi: the scoring rules on hand-computed numbers (scores in basis
 * points, 10000 = 100 points). Linear up to its cap, with a zero target
 * and an actual too large for naive arithmetic; threshold, plain and in
 * bands; inverse between its target and its worst value; "no data" lines
 * whose weight goes to the others; weights that do not add up to 100;
 * and the checking of a scorecard's lines, each problem (an unknown key
 * too) named by field.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/kpi.h"

static struct kpi_line
line(enum kpi_rule rule, int64_t target, int64_t weight)
{
	struct kpi_line l;

	memset(&l, 0, sizeof(l));
	l.metric = kpi_metric_index("deals_won");
	l.rule = rule;
	l.target = target;
	l.weight = weight;
	l.cap = 100;
	return l;
}

static void
linear_scores_the_ratio_up_to_its_cap(void **state)
{
	struct kpi_line l = line(KPI_LINEAR, 10, 1);

	(void)state;
	assert_int_equal(kpi_line_score(&l, 0), 0);
	assert_int_equal(kpi_line_score(&l, 5), 5000);
	assert_int_equal(kpi_line_score(&l, 10), 10000);
	assert_int_equal(kpi_line_score(&l, 15), 10000);	/* cap 100% */
	l.cap = 120;
	assert_int_equal(kpi_line_score(&l, 11), 11000);
	assert_int_equal(kpi_line_score(&l, 15), 12000);
	/* 2/3 of the target rounds down. */
	l.target = 3;
	assert_int_equal(kpi_line_score(&l, 2), 6666);
	/* Far beyond int64 when multiplied naively: still the cap. */
	l.target = 1;
	assert_int_equal(kpi_line_score(&l, INT64_MAX / 2), 12000);
	l.target = KPI_TARGET_MAX;
	assert_int_equal(kpi_line_score(&l, KPI_TARGET_MAX - 1), 9999);
}

static void
a_zero_target_is_met_by_any_actual(void **state)
{
	struct kpi_line lin = line(KPI_LINEAR, 0, 1);
	struct kpi_line thr = line(KPI_THRESHOLD, 0, 1);

	(void)state;
	lin.cap = 150;
	assert_int_equal(kpi_line_score(&lin, 0), 10000);
	assert_int_equal(kpi_line_score(&lin, 7), 10000);
	assert_int_equal(kpi_line_score(&thr, 0), 10000);
}

static void
threshold_is_all_or_nothing_or_stepped_in_bands(void **state)
{
	struct kpi_line l = line(KPI_THRESHOLD, 10, 1);

	(void)state;
	assert_int_equal(kpi_line_score(&l, 9), 0);
	assert_int_equal(kpi_line_score(&l, 10), 10000);
	assert_int_equal(kpi_line_score(&l, 99), 10000);
	l.bands[0] = (struct kpi_band){ 5, 50 };
	l.bands[1] = (struct kpi_band){ 10, 100 };
	l.bands[2] = (struct kpi_band){ 20, 120 };
	l.nbands = 3;
	assert_int_equal(kpi_line_score(&l, 4), 0);
	assert_int_equal(kpi_line_score(&l, 5), 5000);
	assert_int_equal(kpi_line_score(&l, 19), 10000);
	assert_int_equal(kpi_line_score(&l, 25), 12000);
}

static void
inverse_falls_from_the_target_to_the_worst_value(void **state)
{
	struct kpi_line l = line(KPI_INVERSE, 2, 1);

	(void)state;
	l.worst = 10;
	assert_int_equal(kpi_line_score(&l, 0), 10000);
	assert_int_equal(kpi_line_score(&l, 2), 10000);
	assert_int_equal(kpi_line_score(&l, 6), 5000);
	assert_int_equal(kpi_line_score(&l, 9), 1250);
	assert_int_equal(kpi_line_score(&l, 10), 0);
	assert_int_equal(kpi_line_score(&l, 50), 0);
	/* Zero overdue tasks as the target. */
	l.target = 0;
	l.worst = 4;
	assert_int_equal(kpi_line_score(&l, 0), 10000);
	assert_int_equal(kpi_line_score(&l, 1), 7500);
}

static void
no_data_scores_nothing_and_gives_its_weight_to_the_others(void **state)
{
	struct kpi_line l[3] = { line(KPI_LINEAR, 10, 30),
		line(KPI_THRESHOLD, 1, 70), line(KPI_LINEAR, 4, 50) };
	int64_t actual[3] = { 10, -1, 2 }, score[3], contrib[3];

	(void)state;
	assert_int_equal(kpi_line_score(&l[0], -1), -1);
	/* 10000 * 30/80 + 5000 * 50/80 = 3750 + 3125. */
	assert_int_equal(kpi_total(l, 3, actual, score, contrib), 6875);
	assert_int_equal(score[1], -1);
	assert_int_equal(contrib[0], 3750);
	assert_int_equal(contrib[1], 0);
	assert_int_equal(contrib[2], 3125);
	actual[0] = actual[2] = -1;
	assert_int_equal(kpi_total(l, 3, actual, score, contrib), -1);
	assert_int_equal(contrib[0], 0);
}

static void
weights_are_relative_and_need_not_add_up_to_100(void **state)
{
	struct kpi_line l[2] = { line(KPI_LINEAR, 10, 1),
		line(KPI_LINEAR, 10, 3) };
	int64_t actual[2] = { 10, 5 }, score[2], contrib[2];

	(void)state;
	assert_int_equal(kpi_total(l, 2, actual, score, contrib), 6250);
	assert_int_equal(contrib[0], 2500);
	assert_int_equal(contrib[1], 3750);
	/* A total is the exact sum, the parts are each rounded down. */
	l[0].weight = l[1].weight = 1;
	l[1].target = 3;
	actual[0] = 1;
	actual[1] = 1;
	assert_int_equal(kpi_total(l, 2, actual, score, contrib), 2166);
	assert_int_equal(contrib[0], 500);
	assert_int_equal(contrib[1], 1666);
}

/* Parses text as lines; returns the fields named, comma-separated. */
static void
parse(const char *text, struct kpi_line *l, int *n, char *fields, size_t len)
{
	json_t *j = json_loads(text, 0, NULL);
	struct verrs errs;
	size_t at = 0;

	assert_non_null(j);
	memset(&errs, 0, sizeof(errs));
	kpi_lines_parse(j, l, n, &errs);
	json_decref(j);
	fields[0] = '\0';
	for (int i = 0; i < errs.n && at < len; i++)
		at += (size_t)snprintf(fields + at, len - at, "%s%s", i ? "," : "",
		    errs.items[i].field);
}

static void
bad_lines_are_refused_naming_each_field(void **state)
{
	struct kpi_line l[KPI_LINES_MAX];
	char f[512];
	int n;

	(void)state;
	parse("[]", l, &n, f, sizeof(f));
	assert_string_equal(f, "lines");
	parse("[{\"metric\": \"luck\", \"target\": -1, \"weight\": 0, \"rule\": "
	    "\"linear\", \"cap\": 50}, {\"metric\": \"overdue_tasks\", "
	    "\"target\": 5, \"weight\": 1, \"rule\": \"inverse\", \"worst\": 5}, "
	    "{\"metric\": \"calls\", \"target\": 5, \"weight\": 1, \"rule\": "
	    "\"best\", \"colour\": 1}, {\"metric\": \"calls\", \"target\": 5, \"weight\": 1, "
	    "\"rule\": \"threshold\", \"bands\": [{\"min\": 5, \"score\": 50}, "
	    "{\"min\": 5, \"score\": 2000}]}, 7]", l, &n, f, sizeof(f));
	assert_string_equal(f, "lines[0].metric,lines[0].target,lines[0].weight,"
	    "lines[0].cap,lines[1].worst,lines[2].colour,lines[2].rule,lines[3].bands[1].min,"
	    "lines[3].bands[1].score,lines[4]");
}

static void
good_lines_read_back_as_written(void **state)
{
	static const char *text = "[{\"metric\":\"revenue_won\",\"target\":100000,"
	    "\"weight\":50,\"rule\":\"linear\",\"cap\":120},{\"metric\":"
	    "\"overdue_tasks\",\"target\":0,\"weight\":20,\"rule\":\"inverse\","
	    "\"worst\":5},{\"metric\":\"tasks_on_time\",\"target\":9000,"
	    "\"weight\":30,\"rule\":\"threshold\",\"bands\":[{\"min\":8000,"
	    "\"score\":50},{\"min\":9000,\"score\":100}]}]";
	struct kpi_line l[KPI_LINES_MAX];
	json_t *in = json_loads(text, 0, NULL), *out = json_array();
	char f[64];
	int n;

	(void)state;
	parse(text, l, &n, f, sizeof(f));
	assert_string_equal(f, "");
	assert_int_equal(n, 3);
	for (int i = 0; i < n; i++)
		json_array_append_new(out, kpi_line_json(&l[i]));
	assert_true(json_equal(in, out));
	assert_true(kpi_metric_is_share(l[2].metric));
	assert_false(kpi_metric_is_share(l[0].metric));
	json_decref(in);
	json_decref(out);
}

static void
periods_must_be_of_the_scorecards_kind(void **state)
{
	int64_t a, b;

	(void)state;
	assert_true(kpi_period_of_kind("month", "2026-11", &a, &b));
	assert_int_equal(b - a, 30);
	assert_false(kpi_period_of_kind("month", "2026-Q4", &a, &b));
	assert_false(kpi_period_of_kind("month", "2026", &a, &b));
	assert_true(kpi_period_of_kind("quarter", "2026-Q4", &a, &b));
	assert_false(kpi_period_of_kind("quarter", "2026-10", &a, &b));
	assert_true(kpi_period_of_kind("year", "2026", &a, &b));
	assert_false(kpi_period_of_kind("year", "2026-13", &a, &b));
	assert_false(kpi_period_of_kind("month", NULL, &a, &b));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(linear_scores_the_ratio_up_to_its_cap),
		cmocka_unit_test(a_zero_target_is_met_by_any_actual),
		cmocka_unit_test(threshold_is_all_or_nothing_or_stepped_in_bands),
		cmocka_unit_test(inverse_falls_from_the_target_to_the_worst_value),
		cmocka_unit_test(no_data_scores_nothing_and_gives_its_weight_to_the_others),
		cmocka_unit_test(weights_are_relative_and_need_not_add_up_to_100),
		cmocka_unit_test(bad_lines_are_refused_naming_each_field),
		cmocka_unit_test(good_lines_read_back_as_written),
		cmocka_unit_test(periods_must_be_of_the_scorecards_kind),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
