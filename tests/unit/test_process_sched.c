/*
 * core/process_sched: the schedule trigger on a clock the test sets (the
 * program's time_now_ms is wrapped at link time, see the Makefile). A
 * schedule's job waits for the next occurrence in its zone, starts the
 * template on exactly the records its filter matches, runs once per
 * occurrence (a second turn of the runner in the same minute starts
 * nothing), and after a downtime over several occurrences runs once, not
 * once per occurrence missed. One occurrence starts at most
 * PSCHED_STARTS_MAX instances and says it was cut short. A schedule
 * whose job is missing gets it back when the job runner starts.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "core/process_sched.h"

#include "process_fixture.h"

#define INSTANCES "SELECT COUNT(*) FROM process_instances WHERE template_id = ?"
#define RUNS "SELECT COUNT(*) FROM audit_log WHERE action = " \
	"'process.schedule_run' AND record_id = ?"
#define ON_RECORD "SELECT COUNT(*) FROM process_instances WHERE record_id = ?"
#define RUN_AT "SELECT j.run_at FROM jobs j JOIN process_templates t ON " \
	"j.unique_key = 'process_schedule:' || t.id || ':' || " \
	"t.current_version WHERE t.id = ?"

static int
group_setup(void **state)
{
	(void)state;
	return fixture_open("/tmp/crm-psched-XXXXXX", "sam@example.com",
	    "Sam Schedule");
}

/* A template on deals started by a schedule (cron in tz) with filter. */
static int64_t
schedule(const char *key, const char *cron, const char *tz,
    const char *filter)
{
	char text[2048];

	snprintf(text, sizeof(text), "{\"key\": \"%s\", \"name\": \"%s\", "
	    "\"entity\": \"deals\", \"trigger\": {\"type\": \"schedule\", "
	    "\"cron\": \"%s\", \"tz\": \"%s\", \"filter\": %s}, \"start\": "
	    "\"done\", \"steps\": [{\"id\": \"done\", \"kind\": \"end\", "
	    "\"name\": \"Done\"}]}", key, key, cron, tz, filter);
	return template(text);
}

static void
test_weekday_schedule_starts_the_matching_deals_once_per_occurrence(
    void **state)
{
	int64_t tid, big, small, bigger;

	(void)state;
	fake_now = at("2026-11-27T16:00:00Z");
	big = deal("Big", 5000);
	small = deal("Small", 10);
	bigger = deal("Bigger", 9000);
	/* 09:00 on weekdays in Berlin (UTC+1 in winter): 08:00 UTC. */
	tid = schedule("weekday", "0 9 * * 1-5", "Europe/Berlin", "{\"field\": "
	    "\"amount\", \"op\": \"gte\", \"value\": 1000}");
	/* Armed for Monday: the weekend does not fire. */
	assert_int_equal(count(RUN_AT, tid), at("2026-11-30T08:00:00Z"));
	fake_now = at("2026-11-30T07:59:00Z");
	run_jobs();
	assert_int_equal(count(INSTANCES, tid), 0);
	fake_now = at("2026-11-30T08:00:00Z");
	run_jobs();
	assert_int_equal(count(INSTANCES, tid), 2);
	assert_int_equal(count("SELECT COUNT(*) FROM process_instances WHERE "
	    "record_id = ?", big), 1);
	assert_int_equal(count("SELECT COUNT(*) FROM process_instances WHERE "
	    "record_id = ?", bigger), 1);
	assert_int_equal(count("SELECT COUNT(*) FROM process_instances WHERE "
	    "record_id = ?", small), 0);
	assert_int_equal(count(RUNS, tid), 1);
	/* Re-armed for Tuesday; a second turn in the same minute runs nothing. */
	assert_int_equal(count(RUN_AT, tid), at("2026-12-01T08:00:00Z"));
	fake_now = at("2026-11-30T08:00:30Z");
	run_jobs();
	assert_int_equal(count(RUNS, tid), 1);
	assert_int_equal(count(INSTANCES, tid), 2);

	/* Down from Monday to Thursday noon: one run, then Friday. */
	fake_now = at("2026-12-03T12:00:00Z");
	run_jobs();
	assert_int_equal(count(RUNS, tid), 2);
	assert_int_equal(count(INSTANCES, tid), 4);
	assert_int_equal(count(RUN_AT, tid), at("2026-12-04T08:00:00Z"));
	run_jobs();
	assert_int_equal(count(RUNS, tid), 2);

	/* A lost job (a schedule saved before jobs existed) comes back at start. */
	assert_int_equal(db_exec(db, "DELETE FROM job_runs WHERE job_id IN "
	    "(SELECT id FROM jobs WHERE kind = 'process_schedule')"), DB_OK);
	assert_int_equal(db_exec(db, "DELETE FROM jobs WHERE kind = "
	    "'process_schedule'"), DB_OK);
	assert_int_equal(job_schedule_system(&cx), CRM_OK);
	assert_int_equal(count(RUN_AT, tid), at("2026-12-04T08:00:00Z"));
	assert_int_equal(job_schedule_system(&cx), CRM_OK);
	assert_int_equal(count("SELECT COUNT(*) FROM jobs WHERE kind = "
	    "'process_schedule' AND payload LIKE '%' || ? || '%'", tid), 1);
}

static void
test_one_occurrence_starts_at_most_the_cap_and_says_so(void **state)
{
	int64_t tid;
	char title[32];

	(void)state;
	fake_now = at("2026-12-07T10:00:00Z");
	for (int k = 0; k < PSCHED_STARTS_MAX + 5; k++) {
		snprintf(title, sizeof(title), "Bulk %d", k);
		deal(title, 77);
	}
	tid = schedule("bulk", "*/10 * * * *", "UTC", "{\"field\": \"amount\", "
	    "\"op\": \"eq\", \"value\": 77}");
	assert_int_equal(count(RUN_AT, tid), at("2026-12-07T10:10:00Z"));
	fake_now = at("2026-12-07T10:10:00Z");
	run_jobs();
	assert_int_equal(count(INSTANCES, tid), PSCHED_STARTS_MAX);
	assert_int_equal(count("SELECT COUNT(*) FROM audit_log WHERE action = "
	    "'process.schedule_run' AND record_id = ? AND detail LIKE "
	    "'%\"capped\":true%'", tid), 1);
}

/* A JSON list of n whole numbers from first, then last: "[first, ..., last]". */
static void
int_list(char *out, size_t len, int64_t first, int n, int64_t last)
{
	size_t k = (size_t)snprintf(out, len, "[");

	for (int i = 0; i < n && k < len; i++)
		k += (size_t)snprintf(out + k, len - k, "%lld, ",
		    (long long)(first + i));
	if (k < len)
		snprintf(out + k, len - k, "%lld]", (long long)last);
}

static void
test_a_filter_part_sql_cannot_say_still_decides(void **state)
{
	int64_t alpha_early, beta, alpha, tid, wide;
	char big[600], filter[1400];

	(void)state;
	fake_now = at("2026-12-14T10:00:00Z");
	alpha_early = deal("Alpha", 500);
	fake_now = at("2026-12-14T10:05:00Z");
	beta = deal("Beta", 700);
	alpha = deal("Alpha", 900);
	/*
	 * The amounts, the time and id are said in SQL; the "any" holds a
	 * title, which only the engine compares, so it is left to the engine.
	 */
	tid = schedule("mixed", "*/10 * * * *", "UTC", "{\"all\": [{\"field\": "
	    "\"amount\", \"op\": \"in\", \"value\": [500, 700, 900]}, "
	    "{\"field\": \"created_at\", \"op\": \"gte\", \"value\": "
	    "\"2026-12-14T10:01:00Z\"}, {\"field\": \"id\", \"op\": "
	    "\"not_empty\"}, {\"any\": [{\"field\": \"title\", \"op\": \"eq\", "
	    "\"value\": \"Alpha\"}, {\"field\": \"amount\", \"op\": \"lt\", "
	    "\"value\": 600}]}]}");
	/* More values than one statement binds: the parts that fit are said. */
	int_list(big, sizeof(big), 100000, 45, 700);
	snprintf(filter, sizeof(filter), "{\"all\": [{\"field\": \"amount\", "
	    "\"op\": \"in\", \"value\": %s}, {\"field\": \"amount\", \"op\": "
	    "\"in\", \"value\": %s}, {\"field\": \"title\", \"op\": \"eq\", "
	    "\"value\": \"Beta\"}]}", big, big);
	wide = schedule("wide", "*/10 * * * *", "UTC", filter);
	fake_now = at("2026-12-14T10:10:00Z");
	run_jobs();
	/* Only the later Alpha is of "mixed", only Beta of "wide". */
	assert_int_equal(count(INSTANCES, tid), 1);
	assert_int_equal(count(INSTANCES, wide), 1);
	assert_int_equal(count(ON_RECORD, alpha), 1);
	assert_int_equal(count(ON_RECORD, beta), 1);
	assert_int_equal(count(ON_RECORD, alpha_early), 0);
}

static void
test_the_prefilter_says_in_sql_only_what_columns_decide(void **state)
{
	static const char *const cases[][2] = {
		{ "{\"field\": \"amount\", \"op\": \"gte\", \"value\": 1000}",
		    " AND amount >= ?" },
		{ "{\"field\": \"title\", \"op\": \"eq\", \"value\": \"x\"}", "" },
		{ "{\"all\": [{\"field\": \"title\", \"op\": \"eq\", \"value\": "
		    "\"x\"}, {\"field\": \"owner_id\", \"op\": \"in\", \"value\": "
		    "[1, 2]}]}", " AND (owner_id IN (?, ?))" },
		/* An "any" with a part SQL cannot say says nothing. */
		{ "{\"any\": [{\"field\": \"title\", \"op\": \"eq\", \"value\": "
		    "\"x\"}, {\"field\": \"amount\", \"op\": \"lt\", \"value\": "
		    "5}]}", "" },
		{ "{\"any\": [{\"field\": \"created_at\", \"op\": \"lt\", "
		    "\"value\": \"2026-01-01T00:00:00Z\"}, {\"field\": \"id\", "
		    "\"op\": \"not_empty\"}]}",
		    " AND (created_at < ? OR id IS NOT NULL)" },
		{ "{\"field\": \"amount\", \"op\": \"ne\", \"value\": 3}", "" },
		{ "{\"field\": \"amount\", \"op\": \"empty\"}", "" },
		{ "{\"field\": \"amount\", \"op\": \"eq\", \"value\": \"3\"}", "" },
		{ "{\"field\": \"created_at\", \"op\": \"eq\", \"value\": "
		    "\"2026-01-01\"}", "" },
		{ "{\"field\": \"custom.level\", \"op\": \"eq\", \"value\": 3}",
		    "" },
	};
	char big[600], text[1400];
	struct dbq q;
	json_t *f;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		f = json_loads(cases[i][0], 0, NULL);
		assert_non_null(f);
		dbq_init(&q);
		psched_prefilter(&entity_deals, f, &q);
		assert_string_equal(q.sql, cases[i][1]);
		assert_false(q.broken);
		if (i == 4)
			assert_int_equal(q.params[0].i, at("2026-01-01T00:00:00Z"));
		dbq_free(&q);
		json_decref(f);
	}
	/* Two lists of 45 values: one fits the statement, the other is left. */
	int_list(big, sizeof(big), 1, 44, 99);
	snprintf(text, sizeof(text), "{\"all\": [{\"field\": \"amount\", "
	    "\"op\": \"in\", \"value\": %s}, {\"field\": \"stage_id\", "
	    "\"op\": \"in\", \"value\": %s}]}", big, big);
	f = json_loads(text, 0, NULL);
	assert_non_null(f);
	dbq_init(&q);
	psched_prefilter(&entity_deals, f, &q);
	assert_int_equal(q.nparams, 45);
	assert_non_null(strstr(q.sql, " AND amount IN (?, "));
	assert_null(strstr(q.sql, "stage_id"));
	assert_false(q.broken);
	dbq_free(&q);
	json_decref(f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
		    test_weekday_schedule_starts_the_matching_deals_once_per_occurrence),
		cmocka_unit_test(test_one_occurrence_starts_at_most_the_cap_and_says_so),
		cmocka_unit_test(test_a_filter_part_sql_cannot_say_still_decides),
		cmocka_unit_test(
		    test_the_prefilter_says_in_sql_only_what_columns_decide),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
