/*
 * core/report_deliver: a delivery renders its files outside any write
 * transaction and writes them in one short transaction of its own. The
 * renderer (report_write_file) is wrapped at link time (see the Makefile),
 * as is the clock (tests/unit/process_fixture.h), so that each test acts
 * in the middle of a render, deterministically: a writer on a second
 * connection (another request, another server) gets through at once; a
 * second server delivering the same occurrence meanwhile leaves this one
 * nothing to send; a change or a pause meanwhile drops the files.
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

#include "core/report_deliver.h"
#include "core/reports.h"

#include "process_fixture.h"

/* What the wrapped renderer does before it renders. */
enum during {
	DURING_NOTHING,
	DURING_WRITE,		/* a deal created on the second connection */
	DURING_DELIVER,		/* the occurrence run by a "second server" */
	DURING_PAUSE,		/* the subscription paused by its owner */
	DURING_CHANGE,		/* its recipients changed (same schedule) */
};

static db_t *db2;		/* the second connection: another server */
static enum during during;
static int renders, writes_ok;
static int64_t sub_id, sub_at;

int __real_report_write_file(struct core_ctx *rcx, int64_t id,
    const struct report_params *p, json_t *res, const char *name,
    enum export_format format, const char *tmp, int *fd);
int __wrap_report_write_file(struct core_ctx *rcx, int64_t id,
    const struct report_params *p, json_t *res, const char *name,
    enum export_format format, const char *tmp, int *fd);

int
__wrap_report_write_file(struct core_ctx *rcx, int64_t id,
    const struct report_params *p, json_t *res, const char *name,
    enum export_format format, const char *tmp, int *fd)
{
	enum during now = during;
	struct core_ctx other;
	json_t *in, *out = NULL;
	char err[256];

	renders++;
	during = DURING_NOTHING;	/* once, not for the nested run's render */
	/* The render's connection holds no transaction... */
	assert_false(db_in_txn(rcx->db));
	core_ctx_init(&other, db2, &me);
	switch (now) {
	case DURING_WRITE:
		/* ...so a writer elsewhere is not made to wait (nor refused). */
		in = json_pack("{s:s, s:I}", "title", "Written meanwhile", "amount",
		    (json_int_t)5);
		assert_int_equal(rec_create(&other, &entity_deals, in, &out),
		    CRM_OK);
		json_decref(in);
		json_decref(out);
		writes_ok++;
		break;
	case DURING_DELIVER:
		core_ctx_init(&other, db2, NULL);
		in = json_pack("{s:I, s:I}", "subscription_id", (json_int_t)sub_id,
		    "at", (json_int_t)sub_at);
		assert_int_equal(rsub_job_run(&other, in, err, sizeof(err)),
		    CRM_OK);
		json_decref(in);
		break;
	case DURING_PAUSE:
		in = json_pack("{s:b}", "active", 0);
		assert_int_equal(rsub_update(&other, sub_id, -1, in, &out), CRM_OK);
		json_decref(in);
		json_decref(out);
		break;
	case DURING_CHANGE:
		in = json_pack("{s:[I]}", "recipients", (json_int_t)me.user_id);
		assert_int_equal(rsub_update(&other, sub_id, -1, in, &out), CRM_OK);
		json_decref(in);
		json_decref(out);
		break;
	case DURING_NOTHING:
		break;
	}
	return __real_report_write_file(rcx, id, p, res, name, format, tmp, fd);
}

#define MAILS "SELECT COUNT(*) FROM mail_outbox WHERE ? > 0"
#define DELIVERIES "SELECT COUNT(*) FROM audit_log WHERE action = " \
	"'report.deliver' AND record_id = ?"
#define NEXT_AT "SELECT next_at FROM report_subscriptions WHERE id = ?"
#define ROWS "SELECT COUNT(*) FROM report_deliveries WHERE subscription_id = ?"

/* A weekly CSV subscription of a count of deals to me: sets sub_id, sub_at. */
static void
subscribe(void)
{
	json_t *rep = NULL, *in, *out = NULL;

	deal("Counted", 10);
	in = json_pack("{s:s, s:{s:s, s:[{s:s}]}}", "name", "Deal count",
	    "definition", "entity", "deals", "aggregates", "fn", "count");
	assert_int_equal(report_create(&cx, in, &rep), CRM_OK);
	json_decref(in);
	in = json_pack("{s:O, s:s, s:{s:s, s:i, s:s}, s:s, s:[I]}",
	    "report_id", json_object_get(rep, "id"), "format", "csv",
	    "schedule", "kind", "weekly", "weekday", 1, "time", "08:00", "tz",
	    "UTC", "recipients", (json_int_t)me.user_id);
	fake_now = at("2026-11-27T16:00:00Z");
	cx.errs.n = 0;
	if (rsub_create(&cx, in, &out) != CRM_OK)
		fail_msg("subscription refused: %s %s", cx.errs.n ?
		    cx.errs.items[0].field : "", cx.errs.n ?
		    cx.errs.items[0].message : cx.detail);
	sub_id = json_integer_value(json_object_get(out, "id"));
	sub_at = count(NEXT_AT, sub_id);
	json_decref(in);
	json_decref(out);
	json_decref(rep);
}

static int
group_setup(void **state)
{
	char err[256];

	(void)state;
	if (fixture_open("/tmp/crm-rdeliver-XXXXXX", "rita@example.com",
	    "Rita Reports") != 0)
		return -1;
	return core_open_db(path, &db2, err, sizeof(err)) == CRM_OK ? 0 : -1;
}

static int
group_done(void **state)
{
	db_close(db2);
	return group_teardown(state);
}

static void
test_a_writer_elsewhere_goes_through_while_a_delivery_renders(void **state)
{
	int64_t mails = count(MAILS, 1);

	(void)state;
	subscribe();
	during = DURING_WRITE;
	renders = writes_ok = 0;
	fake_now = sub_at;
	run_jobs();
	assert_int_equal(renders, 1);
	assert_int_equal(writes_ok, 1);
	/* And the delivery then commits: mail, audit, its row, the next job. */
	assert_int_equal(count(MAILS, 1), mails + 1);
	assert_int_equal(count(DELIVERIES, sub_id), 1);
	assert_int_equal(count(ROWS, sub_id), 1);
	assert_int_equal(count(NEXT_AT, sub_id), sub_at + 7 * 86400000LL);
}

static void
test_an_occurrence_delivered_meanwhile_by_another_server_is_sent_once(
    void **state)
{
	int64_t mails = count(MAILS, 1), before;

	(void)state;
	subscribe();
	before = count(DELIVERIES, sub_id);
	during = DURING_DELIVER;
	renders = 0;
	fake_now = sub_at;
	run_jobs();
	/* Both rendered; only the first to commit mailed. */
	assert_int_equal(renders, 2);
	assert_int_equal(count(MAILS, 1), mails + 1);
	assert_int_equal(count(DELIVERIES, sub_id), before + 1);
	assert_int_equal(count(NEXT_AT, sub_id), sub_at + 7 * 86400000LL);
	/* The job ran again (a crash before it was marked done): nothing. */
	assert_int_equal(db_exec(db, "UPDATE jobs SET done_at = NULL WHERE kind "
	    "= 'report_deliver' AND done_at IS NOT NULL"), DB_OK);
	run_jobs();
	assert_int_equal(count(MAILS, 1), mails + 1);
	assert_int_equal(count(DELIVERIES, sub_id), before + 1);
}

static void
test_a_subscription_paused_while_it_renders_sends_nothing(void **state)
{
	int64_t mails = count(MAILS, 1);

	(void)state;
	subscribe();
	during = DURING_PAUSE;
	renders = 0;
	fake_now = sub_at;
	run_jobs();
	assert_int_equal(renders, 1);
	assert_int_equal(count(MAILS, 1), mails);
	assert_int_equal(count(DELIVERIES, sub_id), 0);
	assert_int_equal(count(NEXT_AT, sub_id), -1);
}

static void
test_send_now_changed_while_it_renders_sends_nothing(void **state)
{
	int64_t mails = count(MAILS, 1);
	json_t *out = NULL;

	(void)state;
	subscribe();
	during = DURING_CHANGE;
	assert_int_equal(rsub_send_now(&cx, sub_id, &out), CRM_EINUSE);
	assert_null(out);
	assert_false(db_in_txn(db));
	assert_int_equal(count(MAILS, 1), mails);
	assert_int_equal(count(DELIVERIES, sub_id), 0);
	/* Unchanged, it goes. */
	assert_int_equal(rsub_send_now(&cx, sub_id, &out), CRM_OK);
	assert_int_equal(json_array_size(json_object_get(out, "delivered")), 1);
	json_decref(out);
	assert_int_equal(count(MAILS, 1), mails + 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
		    test_a_writer_elsewhere_goes_through_while_a_delivery_renders),
		cmocka_unit_test(
		    test_an_occurrence_delivered_meanwhile_by_another_server_is_sent_once),
		cmocka_unit_test(
		    test_a_subscription_paused_while_it_renders_sends_nothing),
		cmocka_unit_test(
		    test_send_now_changed_while_it_renders_sends_nothing),
	};

	(void)template;	/* the fixture's, for the process tests */
	return cmocka_run_group_tests(tests, group_setup, group_done);
}
