/*
 * core/process_sched: the schedule trigger on a clock the test sets (the
 * program's time_now_ms is wrapped at link time, see the Makefile). A
 * schedule's job waits for the next occurrence in its zone, starts the
 * template on exactly the records its filter matches, runs once per
 * occurrence (a second turn of the runner in the same minute starts
 * nothing), and after a downtime over several occurrences runs once, not
 * once per occurrence missed. One occurrence starts at most
 * PSCHED_STARTS_MAX instances and says it was cut short.
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

#include <sodium.h>

#include "core/core.h"
#include "core/jobs.h"
#include "core/process_sched.h"
#include "core/processes.h"
#include "core/record.h"
#include "core/users.h"
#include "store/db.h"
#include "util/timeutil.h"

static db_t *db;
static struct core_ctx cx;
static struct actor me;
static char dir[64], path[96];
static int64_t fake_now;

/* The clock every core call reads (ld --wrap=time_now_ms). */
int64_t __wrap_time_now_ms(void);
int64_t
__wrap_time_now_ms(void)
{
	return fake_now;
}

static int64_t
at(const char *rfc3339)
{
	int64_t ms;

	assert_int_equal(time_parse_datetime(rfc3339, strlen(rfc3339), &ms), 0);
	return ms;
}

/* The job runner's one turn: everything due now, as the system. */
static int
run_jobs(void)
{
	struct core_ctx sys;
	int ran = 0;

	core_ctx_init(&sys, db, NULL);
	assert_int_equal(job_run_due(&sys, "test", 60000, 2000, &ran), CRM_OK);
	return ran;
}

static int64_t
template(const char *text)
{
	json_error_t e;
	json_t *def = json_loads(text, 0, &e), *out = NULL;
	int64_t id;

	if (def == NULL)
		fail_msg("bad JSON in test: %s", e.text);
	cx.errs.n = 0;
	if (proc_tpl_create(&cx, def, &out) != CRM_OK)
		fail_msg("template refused: %s %s", cx.errs.n ?
		    cx.errs.items[0].field : "", cx.errs.n ?
		    cx.errs.items[0].message : cx.detail);
	id = json_integer_value(json_object_get(out, "id"));
	json_decref(def);
	json_decref(out);
	return id;
}

static int64_t
deal(const char *title, int64_t amount)
{
	json_t *in = json_pack("{s:s,s:I}", "title", title, "amount",
	    (json_int_t)amount), *out = NULL;
	int64_t id;

	assert_int_equal(rec_create(&cx, &entity_deals, in, &out), CRM_OK);
	id = json_integer_value(json_object_get(out, "id"));
	json_decref(in);
	json_decref(out);
	return id;
}

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
	int64_t uid;
	char err[256];

	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/crm-psched-XXXXXX");
	if (sodium_init() < 0 || mkdtemp(dir) == NULL)
		return -1;
	snprintf(path, sizeof(path), "%s/crm.db", dir);
	/* Friday 27 November 2026, 16:00 UTC. */
	fake_now = 1795795200000LL;
	if (core_open_db(path, &db, err, sizeof(err)) != CRM_OK)
		return -1;
	core_ctx_init(&cx, db, NULL);
	if (user_add(&cx, "sam@example.com", "Sam Schedule", "correct horse "
	    "battery", true, &uid) != CRM_OK)
		return -1;
	me.user_id = uid;
	me.is_admin = true;
	snprintf(me.email, sizeof(me.email), "sam@example.com");
	core_ctx_init(&cx, db, &me);
	return 0;
}

static int
group_teardown(void **state)
{
	char p[128];

	(void)state;
	db_close(db);
	unlink(path);
	snprintf(p, sizeof(p), "%s-wal", path);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", path);
	unlink(p);
	rmdir(dir);
	return 0;
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
