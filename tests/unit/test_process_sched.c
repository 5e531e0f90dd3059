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

/* One number from text, whose one ? is id. */
static int64_t
count(const char *text, int64_t id)
{
	db_stmt_t *st;
	int64_t v = -1;

	if (db_prepare(db, text, &st) != DB_OK)
		fail_msg("SQL %s: %s", text, db_errmsg(db));
	db_bind_int(st, 1, id);
	if (db_step(st) == DB_ROW)
		v = db_col_null(st, 0) ? -1 : db_col_int(st, 0);
	db_done(st);
	return v;
}

#define INSTANCES "SELECT COUNT(*) FROM process_instances WHERE template_id = ?"
#define RUNS "SELECT COUNT(*) FROM audit_log WHERE action = " \
	"'process.schedule_run' AND record_id = ?"
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
	tid = template("{\"key\": \"weekday\", \"name\": \"Weekday check\", "
	    "\"entity\": \"deals\", \"trigger\": {\"type\": \"schedule\", "
	    "\"cron\": \"0 9 * * 1-5\", \"tz\": \"Europe/Berlin\", \"filter\": "
	    "{\"field\": \"amount\", \"op\": \"gte\", \"value\": 1000}}, "
	    "\"start\": \"done\", \"steps\": [{\"id\": \"done\", \"kind\": "
	    "\"end\", \"name\": \"Done\"}]}");
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
	tid = template("{\"key\": \"bulk\", \"name\": \"Bulk\", "
	    "\"entity\": \"deals\", \"trigger\": {\"type\": \"schedule\", "
	    "\"cron\": \"*/10 * * * *\", \"tz\": \"UTC\", \"filter\": "
	    "{\"field\": \"amount\", \"op\": \"eq\", \"value\": 77}}, "
	    "\"start\": \"done\", \"steps\": [{\"id\": \"done\", \"kind\": "
	    "\"end\", \"name\": \"Done\"}]}");
	assert_int_equal(count(RUN_AT, tid), at("2026-12-07T10:10:00Z"));
	fake_now = at("2026-12-07T10:10:00Z");
	run_jobs();
	assert_int_equal(count(INSTANCES, tid), PSCHED_STARTS_MAX);
	assert_int_equal(count("SELECT COUNT(*) FROM audit_log WHERE action = "
	    "'process.schedule_run' AND record_id = ? AND detail LIKE "
	    "'%\"capped\":true%'", tid), 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
		    test_weekday_schedule_starts_the_matching_deals_once_per_occurrence),
		cmocka_unit_test(test_one_occurrence_starts_at_most_the_cap_and_says_so),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
