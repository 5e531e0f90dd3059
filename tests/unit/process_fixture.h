/*
 * What the process tests share (test_process_run.c, test_process_sched.c):
 * a database file in a fresh directory with one administrator, a clock the
 * test sets (the program's time_now_ms is wrapped at link time for these
 * tests, see the Makefile), the job runner's turn, and makers of templates
 * and deals. Included once by each test program, after cmocka.h.
 */
#ifndef TESTS_UNIT_PROCESS_FIXTURE_H
#define TESTS_UNIT_PROCESS_FIXTURE_H

#include <sodium.h>

#include "core/core.h"
#include "core/jobs.h"
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

/*
 * Opens a database in a new directory made from tmpl ("/tmp/x-XXXXXX")
 * with the clock at Friday 27 November 2026, 16:00 UTC, and an
 * administrator (email, name) acting as cx. 0, or -1.
 */
static int
fixture_open(const char *tmpl, const char *email, const char *name)
{
	int64_t uid;
	char err[256];

	snprintf(dir, sizeof(dir), "%s", tmpl);
	if (sodium_init() < 0 || mkdtemp(dir) == NULL)
		return -1;
	snprintf(path, sizeof(path), "%s/crm.db", dir);
	fake_now = 1795795200000LL;
	if (core_open_db(path, &db, err, sizeof(err)) != CRM_OK)
		return -1;
	core_ctx_init(&cx, db, NULL);
	if (user_add(&cx, email, name, "correct horse battery", true, &uid) !=
	    CRM_OK)
		return -1;
	me.user_id = uid;
	me.is_admin = true;
	snprintf(me.email, sizeof(me.email), "%s", email);
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

#endif
