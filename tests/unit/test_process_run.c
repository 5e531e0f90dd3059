/*
 * core/process_run: the engine, on a database file, with a clock the test
 * sets (process_fixture.h; the program's time_now_ms is wrapped at link
 * time, see the Makefile). Every step kind runs; a deadline in working
 * hours skips the weekend and a holiday and reminds once; an approval
 * branches on its answer; an instance keeps its version; a wait survives
 * closing and reopening the database and its timer fires once.
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
#include "core/process_run.h"
#include "core/processes.h"
#include "core/record.h"
#include "core/users.h"
#include "store/db.h"
#include "util/timeutil.h"

#include "process_fixture.h"

static int64_t stage_id;

static int64_t
sql_int(const char *text)
{
	db_stmt_t *st;
	int64_t v = -1;

	if (db_prepare(db, text, &st) != DB_OK)
		fail_msg("SQL %s: %s", text, db_errmsg(db));
	if (db_step(st) == DB_ROW)
		v = db_col_null(st, 0) ? -1 : db_col_int(st, 0);
	db_done(st);
	return v;
}

static void
open_db(void)
{
	char err[256];

	assert_int_equal(core_open_db(path, &db, err, sizeof(err)), CRM_OK);
	core_ctx_init(&cx, db, &me);
}

static json_t *
start(int64_t tid, int64_t deal_id)
{
	json_t *in = json_pack("{s:I,s:s,s:I}", "template_id", (json_int_t)tid,
	    "entity", "deals", "record_id", (json_int_t)deal_id), *out = NULL;

	cx.errs.n = 0;
	if (prun_start(&cx, in, &out) != CRM_OK)
		fail_msg("start: %s", cx.detail);
	json_decref(in);
	return out;
}

static json_t *
get(int64_t id)
{
	json_t *out = NULL;

	assert_int_equal(prun_get(&cx, id, &out), CRM_OK);
	return out;
}

static json_t *
waiting(json_t *inst)
{
	json_t *s;
	size_t i;

	json_array_foreach(json_object_get(inst, "steps"), i, s)
		if (strcmp(json_string_value(json_object_get(s, "status")),
		    "waiting") == 0)
			return s;
	return NULL;
}

static int
answer(json_t *inst, const char *outcome, const char *comment)
{
	json_t *in = json_object(), *out = NULL;
	int rc;

	if (outcome != NULL)
		json_object_set_new(in, "outcome", json_string(outcome));
	if (comment != NULL)
		json_object_set_new(in, "comment", json_string(comment));
	cx.errs.n = 0;
	rc = prun_step_complete(&cx, json_integer_value(json_object_get(
	    waiting(inst), "id")), in, &out);
	json_decref(in);
	json_decref(out);
	return rc;
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
	(void)state;
	if (fixture_open("/tmp/crm-prun-XXXXXX", "pat@example.com",
	    "Pat Process") != 0)
		return -1;
	/* Monday 30 November is a holiday. */
	if (db_exec(db, "INSERT INTO work_holidays (calendar_id, day, name) "
	    "SELECT id, '2026-11-30', 'Test holiday' FROM work_calendars WHERE "
	    "is_default = 1") != DB_OK)
		return -1;
	stage_id = sql_int("SELECT id FROM pipeline_stages WHERE name = "
	    "'Proposal'");
	return stage_id > 0 ? 0 : -1;
}

static void
test_fake_clock_is_friday_afternoon(void **state)
{
	(void)state;
	assert_int_equal(fake_now, at("2026-11-27T16:00:00Z"));
}

static void
test_deadline_in_working_hours_skips_weekend_and_holiday_and_reminds_once(
    void **state)
{
	int64_t tid, d;
	json_t *inst, *step;

	(void)state;
	fake_now = at("2026-11-27T16:00:00Z");
	tid = template("{\"key\": \"wh\", \"name\": \"Working hours\", "
	    "\"entity\": \"deals\", \"trigger\": {\"type\": \"manual\"}, "
	    "\"start\": \"call\", \"steps\": ["
	    "{\"id\": \"call\", \"kind\": \"task\", \"name\": \"Call\", "
	    "\"responsible\": \"record_owner\", \"deadline\": {\"amount\": 4, "
	    "\"unit\": \"work_hours\", \"on_overdue\": {\"action\": \"remind\"}}, "
	    "\"next\": \"done\"}, {\"id\": \"done\", \"kind\": \"end\", "
	    "\"name\": \"Done\"}]}");
	d = deal("Weekend deal", 10);
	inst = start(tid, d);
	step = waiting(inst);
	/* Fri 16-18 is two hours; Sat, Sun and the Monday holiday are off. */
	assert_string_equal(str(step, "due_at"), "2026-12-01T11:00:00.000Z");
	json_decref(inst);
	fake_now = at("2026-12-01T10:59:00Z");
	run_jobs();
	assert_int_equal(sql_int("SELECT COUNT(*) FROM notifications WHERE kind "
	    "= 'process_overdue'"), 0);
	fake_now = at("2026-12-01T11:00:00Z");
	assert_true(run_jobs() >= 1);
	/* A second turn finds the deadline handled: no second reminder. */
	fake_now = at("2026-12-01T12:00:00Z");
	run_jobs();
	assert_int_equal(sql_int("SELECT COUNT(*) FROM notifications WHERE kind "
	    "= 'process_overdue'"), 1);
	assert_int_equal(sql_int("SELECT COUNT(*) FROM process_steps WHERE "
	    "overdue_at IS NOT NULL"), 1);
}

static void
test_every_automatic_step_kind_runs_in_order(void **state)
{
	int64_t d, id;
	json_t *inst, *rec = NULL;
	char def[4096];

	(void)state;
	template("{\"key\": \"child\", \"name\": \"Child\", \"entity\": \"deals\", "
	    "\"trigger\": {\"type\": \"manual\"}, \"start\": \"done\", \"steps\": "
	    "[{\"id\": \"done\", \"kind\": \"end\", \"name\": \"Done\"}]}");
	snprintf(def, sizeof(def), "{\"key\": \"auto\", \"name\": \"Auto\", "
	    "\"entity\": \"deals\", \"trigger\": {\"type\": \"manual\"}, "
	    "\"start\": \"big\", \"steps\": ["
	    "{\"id\": \"big\", \"kind\": \"condition\", \"name\": \"Big?\", "
	    "\"condition\": {\"all\": [{\"field\": \"amount\", \"op\": \"gte\", "
	    "\"value\": 1000}, {\"field\": \"title\", \"op\": \"not_empty\"}]}, "
	    "\"branches\": {\"true\": \"name\", \"false\": \"done\"}},"
	    "{\"id\": \"name\", \"kind\": \"set_field\", \"name\": \"Name\", "
	    "\"field\": \"title\", \"value\": \"Big: {{record.title}}\", \"next\": "
	    "\"move\"},"
	    "{\"id\": \"move\", \"kind\": \"move_stage\", \"name\": \"Move\", "
	    "\"stage_id\": %lld, \"next\": \"tell\"},"
	    "{\"id\": \"tell\", \"kind\": \"notify\", \"name\": \"Tell\", \"to\": "
	    "[\"record_owner\"], \"text\": \"{{record.name}} moved\", \"next\": "
	    "\"mail\"},"
	    "{\"id\": \"mail\", \"kind\": \"email\", \"name\": \"Mail\", \"to\": "
	    "[\"record_owner\"], \"subject\": \"About {{record.name}}\", \"text\": "
	    "\"Hello {{user.name}}\", \"next\": \"make\"},"
	    "{\"id\": \"make\", \"kind\": \"create_record\", \"name\": \"Make\", "
	    "\"entity\": \"companies\", \"values\": {\"name\": \"Made by a "
	    "process\"}, \"next\": \"child\"},"
	    "{\"id\": \"child\", \"kind\": \"start_process\", \"name\": \"Child\", "
	    "\"template\": \"child\", \"next\": \"done\"},"
	    "{\"id\": \"done\", \"kind\": \"end\", \"name\": \"Done\"}]}",
	    (long long)stage_id);
	d = deal("Order", 5000);
	inst = start(template(def), d);
	assert_string_equal(str(inst, "status"), "completed");
	assert_int_equal(json_array_size(json_object_get(inst, "steps")), 8);
	id = json_integer_value(json_object_get(inst, "id"));
	json_decref(inst);
	assert_int_equal(rec_get(&cx, &entity_deals, d, false, &rec), CRM_OK);
	assert_string_equal(str(rec, "title"), "Big: Order");
	assert_int_equal(json_integer_value(json_object_get(rec, "stage_id")),
	    stage_id);
	json_decref(rec);
	assert_int_equal(sql_int("SELECT COUNT(*) FROM notifications WHERE kind "
	    "= 'process' AND body = 'Big: Order moved'"), 1);
	assert_int_equal(sql_int("SELECT COUNT(*) FROM mail_outbox WHERE "
	    "subject = 'About Big: Order'"), 1);
	assert_int_equal(sql_int("SELECT COUNT(*) FROM companies WHERE name = "
	    "'Made by a process'"), 1);
	{
		char q[160];

		snprintf(q, sizeof(q), "SELECT COUNT(*) FROM process_instances "
		    "WHERE parent_id = %lld AND status = 'completed'", (long long)id);
		assert_int_equal(sql_int(q), 1);
	}
	/* The false branch: a small deal goes straight to the end. */
	inst = start(sql_int("SELECT id FROM process_templates WHERE key = "
	    "'auto'"), deal("Small", 5));
	assert_string_equal(str(inst, "status"), "completed");
	assert_int_equal(json_array_size(json_object_get(inst, "steps")), 2);
	json_decref(inst);
}

static void
test_approval_branches_and_the_instance_keeps_its_version(void **state)
{
	int64_t tid;
	json_t *inst, *def, *out = NULL;
	json_error_t e;
	const char *v1 = "{\"key\": \"appr\", \"name\": \"Approve\", \"entity\": "
	    "\"deals\", \"trigger\": {\"type\": \"manual\"}, \"start\": \"ok\", "
	    "\"steps\": [{\"id\": \"ok\", \"kind\": \"approval\", \"name\": "
	    "\"OK?\", \"approver\": \"record_owner\", \"branches\": {\"approve\": "
	    "\"done\", \"reject\": \"fix\"}}, {\"id\": \"fix\", \"kind\": \"task\", "
	    "\"name\": \"Fix\", \"responsible\": \"record_owner\", \"next\": "
	    "\"ok\"}, {\"id\": \"done\", \"kind\": \"end\", \"name\": \"Done\"}]}";

	(void)state;
	tid = template(v1);
	inst = start(tid, deal("Approve me", 10));
	/* A rejection needs a comment; an unknown answer is refused. */
	assert_int_equal(answer(inst, "reject", NULL), CRM_EINVAL);
	assert_int_equal(answer(inst, "perhaps", NULL), CRM_EINVAL);
	/* The template changes: the running instance stays on version 1. */
	def = json_loads(v1, 0, &e);
	json_object_set_new(def, "description", json_string("Changed"));
	json_object_set_new(json_array_get(json_object_get(def, "steps"), 1),
	    "name", json_string("Fix it now"));
	cx.errs.n = 0;
	if (proc_tpl_update(&cx, tid, -1, def, &out) != CRM_OK)
		fail_msg("update: %s %s", cx.detail, cx.errs.n > 0 ?
		    cx.errs.items[0].message : "");
	json_decref(def);
	json_decref(out);
	assert_int_equal(answer(inst, "reject", "Too vague"), CRM_OK);
	json_decref(inst);
	inst = get(sql_int("SELECT MAX(id) FROM process_instances"));
	assert_int_equal(json_integer_value(json_object_get(inst, "version")), 1);
	assert_string_equal(str(waiting(inst), "name"), "Fix");
	assert_int_equal(answer(inst, NULL, NULL), CRM_OK);
	json_decref(inst);
	inst = get(sql_int("SELECT MAX(id) FROM process_instances"));
	assert_string_equal(str(waiting(inst), "step_id"), "ok");
	assert_int_equal(answer(inst, "approve", NULL), CRM_OK);
	json_decref(inst);
	inst = get(sql_int("SELECT MAX(id) FROM process_instances"));
	assert_string_equal(str(inst, "status"), "completed");
	json_decref(inst);
}

static void
test_a_wait_survives_a_restart_and_fires_once(void **state)
{
	int64_t tid, iid;
	json_t *inst;

	(void)state;
	fake_now = at("2026-12-02T09:00:00Z");
	tid = template("{\"key\": \"rest\", \"name\": \"Rest\", \"entity\": "
	    "\"deals\", \"trigger\": {\"type\": \"manual\"}, \"start\": \"pause\", "
	    "\"steps\": [{\"id\": \"pause\", \"kind\": \"wait\", \"name\": "
	    "\"Pause\", \"duration\": {\"amount\": 2, \"unit\": \"days\"}, "
	    "\"next\": \"done\"}, {\"id\": \"done\", \"kind\": \"end\", \"name\": "
	    "\"Done\"}]}");
	inst = start(tid, deal("Resting", 10));
	iid = json_integer_value(json_object_get(inst, "id"));
	assert_string_equal(str(waiting(inst), "wake_at"),
	    "2026-12-04T09:00:00.000Z");
	json_decref(inst);
	fake_now = at("2026-12-03T09:00:00Z");
	run_jobs();
	inst = get(iid);
	assert_string_equal(str(inst, "status"), "running");
	json_decref(inst);
	/* The server stops; it comes back after the wait was due. */
	db_close(db);
	fake_now = at("2026-12-05T08:00:00Z");
	open_db();
	assert_true(run_jobs() >= 1);
	run_jobs();
	inst = get(iid);
	assert_string_equal(str(inst, "status"), "completed");
	json_decref(inst);
	{
		char q[160];

		snprintf(q, sizeof(q), "SELECT COUNT(*) FROM process_steps WHERE "
		    "instance_id = %lld", (long long)iid);
		assert_int_equal(sql_int(q), 2);
	}
}

static void
test_escalations_reassign_notify_the_owner_and_branch(void **state)
{
	int64_t other, tid, d, task;
	json_t *inst, *t = NULL;
	char def[2048], q[200];

	(void)state;
	fake_now = at("2026-12-07T10:00:00Z");
	assert_int_equal(user_add(&cx, "kim@example.com", "Kim Cover", "correct "
	    "horse battery", false, &other), CRM_OK);
	snprintf(def, sizeof(def), "{\"key\": \"esc\", \"name\": \"Escalate\", "
	    "\"entity\": \"deals\", \"trigger\": {\"type\": \"manual\"}, "
	    "\"start\": \"a\", \"steps\": ["
	    "{\"id\": \"a\", \"kind\": \"task\", \"name\": \"A\", "
	    "\"responsible\": \"record_owner\", \"deadline\": {\"amount\": 1, "
	    "\"unit\": \"hours\", \"on_overdue\": {\"action\": \"reassign\", "
	    "\"to\": {\"user\": %lld}}}, \"next\": \"b\"},"
	    "{\"id\": \"b\", \"kind\": \"task\", \"name\": \"B\", "
	    "\"responsible\": \"record_owner\", \"deadline\": {\"amount\": 1, "
	    "\"unit\": \"hours\", \"on_overdue\": {\"action\": "
	    "\"notify_owner\"}}, \"next\": \"c\"},"
	    "{\"id\": \"c\", \"kind\": \"task\", \"name\": \"C\", "
	    "\"responsible\": \"record_owner\", \"deadline\": {\"amount\": 30, "
	    "\"unit\": \"minutes\", \"on_overdue\": {\"action\": \"branch\", "
	    "\"step\": \"late\"}}, \"next\": \"done\"},"
	    "{\"id\": \"late\", \"kind\": \"end\", \"name\": \"Late\"},"
	    "{\"id\": \"done\", \"kind\": \"end\", \"name\": \"Done\"}]}",
	    (long long)other);
	tid = template(def);
	d = deal("Escalated", 10);
	inst = start(tid, d);
	task = json_integer_value(json_object_get(waiting(inst), "task_id"));
	json_decref(inst);
	/* An hour later the step and its task go to Kim. */
	fake_now = at("2026-12-07T11:00:00Z");
	run_jobs();
	inst = get(sql_int("SELECT MAX(id) FROM process_instances"));
	assert_int_equal(json_integer_value(json_object_get(waiting(inst),
	    "assignee_id")), other);
	assert_non_null(json_object_get(waiting(inst), "overdue_at"));
	assert_int_equal(rec_get(&cx, &entity_activities, task, false, &t), CRM_OK);
	assert_int_equal(json_integer_value(json_object_get(t, "owner_id")), other);
	json_decref(t);
	/* Kim answers; B's deadline tells the process owner (who started it). */
	assert_int_equal(answer(inst, NULL, NULL), CRM_OK);
	json_decref(inst);
	fake_now = at("2026-12-07T12:00:00Z");
	run_jobs();
	snprintf(q, sizeof(q), "SELECT COUNT(*) FROM notifications WHERE kind = "
	    "'process_overdue' AND user_id = %lld AND record_id = %lld",
	    (long long)me.user_id, (long long)d);
	assert_int_equal(sql_int(q), 1);
	inst = get(sql_int("SELECT MAX(id) FROM process_instances"));
	assert_int_equal(answer(inst, NULL, NULL), CRM_OK);
	json_decref(inst);
	/* C is not answered in time: the process leaves it for 'late'. */
	fake_now = at("2026-12-07T12:30:00Z");
	run_jobs();
	inst = get(sql_int("SELECT MAX(id) FROM process_instances"));
	assert_string_equal(str(inst, "status"), "completed");
	snprintf(q, sizeof(q), "SELECT COUNT(*) FROM process_steps WHERE "
	    "instance_id = %lld AND ((step_id = 'c' AND status = 'skipped') OR "
	    "(step_id = 'late' AND status = 'done'))",
	    (long long)json_integer_value(json_object_get(inst, "id")));
	assert_int_equal(sql_int(q), 2);
	/* Its task was cancelled with it, and a late answer is refused. */
	snprintf(q, sizeof(q), "SELECT a.status = 'cancelled' FROM activities a "
	    "JOIN process_steps s ON s.task_id = a.id WHERE s.instance_id = %lld "
	    "AND s.step_id = 'c'",
	    (long long)json_integer_value(json_object_get(inst, "id")));
	assert_int_equal(sql_int(q), 1);
	{
		json_t *in = json_object(), *out = NULL;

		snprintf(q, sizeof(q), "SELECT id FROM process_steps WHERE "
		    "instance_id = %lld AND step_id = 'c'",
		    (long long)json_integer_value(json_object_get(inst, "id")));
		cx.errs.n = 0;
		assert_int_equal(prun_step_complete(&cx, sql_int(q), in, &out),
		    CRM_EINUSE);
		json_decref(in);
	}
	json_decref(inst);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fake_clock_is_friday_afternoon),
		cmocka_unit_test(
		    test_deadline_in_working_hours_skips_weekend_and_holiday_and_reminds_once),
		cmocka_unit_test(test_every_automatic_step_kind_runs_in_order),
		cmocka_unit_test(
		    test_approval_branches_and_the_instance_keeps_its_version),
		cmocka_unit_test(test_a_wait_survives_a_restart_and_fires_once),
		cmocka_unit_test(
		    test_escalations_reassign_notify_the_owner_and_branch),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
