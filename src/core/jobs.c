/*
 * The job table and its runner. See core/jobs.h for the guarantees; the
 * two-transaction claim/run protocol below is what provides them.
 */
#include "core/jobs.h"
#include "core/import.h"

#include "core/backup.h"
#include "core/deals.h"
#include "core/desk_mail.h"
#include "core/mail.h"
#include "core/notify.h"
#include "core/sla.h"
#include "core/process_run.h"
#include "core/process_sched.h"
#include "core/report_deliver.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/alloc.h"
#include "util/log.h"
#include "util/timeutil.h"

#define SESSION_CLEANUP_EVERY_MS (60LL * 60 * 1000)
#define ANALYZE_EVERY_MS (6LL * 60 * 60 * 1000)
#define CHECKPOINT_EVERY_MS (10LL * 60 * 1000)
#define ANALYZE_FIRST_MS (60LL * 1000)	/* after start, not in its first busy seconds */
#define RETRY_BASE_MS 10000LL
#define NOOP_MAX_MS 1000

struct job {
	int64_t	 id;
	int64_t	 run_id;
	char	 kind[64];
	char	 lock[JOB_LOCK_LEN];	/* worker#run: this claim's mark */
	json_t	*payload;
	int	 attempts;
	int	 max_attempts;
};

/*
 * A handler does its work with cx inside the run transaction. It returns
 * CRM_OK, optionally setting *again to when the job should run again
 * (recurring work), or an error with a message in err.
 */
typedef int (*job_fn)(struct core_ctx *cx, const struct job *j, int64_t *again,
    char *err, size_t errlen);

/* Does nothing for a while: checks that servers run background jobs. */
static int
run_noop(struct core_ctx *cx, const struct job *j, int64_t *again, char *err,
    size_t errlen)
{
	json_int_t ms = json_integer_value(json_object_get(j->payload, "ms"));
	struct timespec ts;

	(void)cx;
	(void)again;
	(void)err;
	(void)errlen;
	if (ms > NOOP_MAX_MS)
		ms = NOOP_MAX_MS;
	if (ms > 0) {
		ts.tv_sec = ms / 1000;
		ts.tv_nsec = (long)(ms % 1000) * 1000000;
		while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
			;
	}
	return CRM_OK;
}

static int
run_session_cleanup(struct core_ctx *cx, const struct job *j, int64_t *again,
    char *err, size_t errlen)
{
	db_stmt_t *st;
	int rc;

	(void)j;
	if (db_prepare(cx->db, "DELETE FROM sessions WHERE expires_at < ?", &st) != DB_OK) {
		snprintf(err, errlen, "%s", db_errmsg(cx->db));
		return CRM_EDB;
	}
	db_bind_int(st, 1, time_now_ms());
	rc = db_step(st);
	db_done(st);
	if (rc != DB_DONE) {
		snprintf(err, errlen, "%s", db_errmsg(cx->db));
		return CRM_EDB;
	}
	*again = time_now_ms() + SESSION_CLEANUP_EVERY_MS;
	return CRM_OK;
}

/* Fresh planner statistics as the data grows (see db_analyze). */
static int
run_analyze(struct core_ctx *cx, const struct job *j, int64_t *again,
    char *err, size_t errlen)
{
	(void)j;
	if (db_analyze(cx->db) != DB_OK) {
		snprintf(err, errlen, "%s", db_errmsg(cx->db));
		return CRM_EDB;
	}
	*again = time_now_ms() + ANALYZE_EVERY_MS;
	return CRM_OK;
}

/*
 * A backup reads the whole database and writes a file for seconds or
 * minutes: inside the run transaction it would hold SQLite's write lock all
 * that time and every write of the server would wait for it. So it runs
 * outside (own_txn below); its snapshot is a read transaction of its own.
 */
static int
run_backup(struct core_ctx *cx, const struct job *j, int64_t *again, char *err,
    size_t errlen)
{
	return backup_job_run(cx, j->payload, again, err, errlen);
}

/*
 * own_txn: the handler runs outside the run transaction (and opens its own
 * when it writes); the job is marked done in a transaction after it. Its
 * effects then happen at least once rather than exactly once: a worker
 * that dies between the work and the mark leaves the job to be run again.
 */
/*
 * Empties SQLite's write-ahead log, which under steady reading only grows
 * (see db_checkpoint); outside the run transaction, which would block it.
 * Readers that stay past the busy timeout: tried again at the next turn.
 */
static int
run_wal_checkpoint(struct core_ctx *cx, const struct job *j, int64_t *again,
    char *err, size_t errlen)
{
	int rc;

	(void)j;
	*again = time_now_ms() + CHECKPOINT_EVERY_MS;
	rc = db_checkpoint(cx->db);
	if (rc == DB_EBUSY)
		log_warn("jobs: the WAL checkpoint waited for readers in vain; "
		    "again in %lld minutes", (long long)(CHECKPOINT_EVERY_MS / 60000));
	else if (rc != DB_OK) {
		snprintf(err, errlen, "%s", db_errmsg(cx->db));
		return CRM_EDB;
	}
	return CRM_OK;
}

/* Deals' base-currency amounts after exchange rates changed. */
static int
run_deal_revalue(struct core_ctx *cx, const struct job *j, int64_t *again,
    char *err, size_t errlen)
{
	int rc = deal_revalue_run(cx, j->payload);

	(void)again;
	if (rc != CRM_OK)
		snprintf(err, errlen, "%s", cx->detail);
	return rc;
}

/* A reminder's notices and mails, in the run transaction: exactly once. */
static int
run_reminder(struct core_ctx *cx, const struct job *j, int64_t *again,
    char *err, size_t errlen)
{
	(void)again;
	return reminder_job_run(cx, j->payload, err, errlen);
}

/* A ticket's SLA warning or breach, in the run transaction: exactly once. */
static int
run_sla(struct core_ctx *cx, const struct job *j, int64_t *again, char *err,
    size_t errlen)
{
	(void)again;
	return sla_job_run(cx, j->payload, err, errlen);
}

/*
 * One outbox mail over SMTP: outside the run transaction (own_txn), so the
 * write lock is never held while a mail server answers, or fails to.
 */
static int
run_mail_send(struct core_ctx *cx, const struct job *j, int64_t *again,
    char *err, size_t errlen)
{
	return mail_job_run(cx, j->payload, again, err, errlen);
}

/*
 * A dry run or run of an import (core/import.h): outside the run
 * transaction, as it writes in chunks of its own so that other users'
 * writes wait for one chunk, not for the whole file.
 */
static int
run_import(struct core_ctx *cx, const struct job *j, int64_t *again,
    char *err, size_t errlen)
{
	return imp_job_run(cx, j->payload, again, err, errlen);
}

/*
 * A process's timer (the end of a wait, a deadline), in the run
 * transaction: the step moves on exactly once (core/process_run.h).
 */
static int
run_process_timer(struct core_ctx *cx, const struct job *j, int64_t *again,
    char *err, size_t errlen)
{
	(void)again;
	return prun_timer_run(cx, j->payload, err, errlen);
}

/*
 * A process's webhook: outside the run transaction (own_txn), so no lock
 * is held while the other side answers; its step moves on in a
 * transaction of its own, conditionally, so a second run changes nothing.
 */
static int
run_process_webhook(struct core_ctx *cx, const struct job *j, int64_t *again,
    char *err, size_t errlen)
{
	(void)again;
	return prun_webhook_run(cx, j->payload, j->attempts >= j->max_attempts,
	    err, errlen);
}

/*
 * A report subscription's occurrence (core/report_deliver.h): outside the
 * run transaction (own_txn), as it renders up to fifty files; its mails,
 * audit entry and next job then commit in one short transaction of its
 * own that first checks the occurrence is still armed, so a second run
 * (a crash before the job is marked done, another server) sends nothing.
 */
static int
run_report_deliver(struct core_ctx *cx, const struct job *j, int64_t *again,
    char *err, size_t errlen)
{
	(void)again;
	return rsub_job_run(cx, j->payload, err, errlen);
}

/* Processes that start some days before or after a record's date. */
static int
run_process_date_offset(struct core_ctx *cx, const struct job *j,
    int64_t *again, char *err, size_t errlen)
{
	(void)j;
	return prun_date_offset_run(cx, again, err, errlen);
}

/* A schedule trigger's occurrence (core/process_sched.h); re-arms itself. */
static int
run_process_schedule(struct core_ctx *cx, const struct job *j,
    int64_t *again, char *err, size_t errlen)
{
	return psched_run(cx, j->payload, again, err, errlen);
}

/*
 * The service desk's mailbox (core/desk_mail.h): outside the run
 * transaction (own_txn), so no lock is held while the IMAP server answers;
 * each mail is written in a transaction of its own.
 */
static int
run_desk_mail(struct core_ctx *cx, const struct job *j, int64_t *again,
    char *err, size_t errlen)
{
	(void)j;
	return desk_mail_job_run(cx, again, err, errlen);
}

static const struct {
	const char	*kind;
	job_fn		 fn;
	bool		 own_txn;
} handlers[] = {
	{ "noop", run_noop, false },
	{ "session_cleanup", run_session_cleanup, false },
	{ "analyze", run_analyze, false },
	{ "backup", run_backup, true },
	{ "wal_checkpoint", run_wal_checkpoint, true },
	{ "deal_revalue", run_deal_revalue, false },
	{ "reminder", run_reminder, false },
	{ "sla", run_sla, false },
	{ "mail_send", run_mail_send, true },
	{ "import", run_import, true },
	{ "process_timer", run_process_timer, false },
	{ "process_webhook", run_process_webhook, true },
	{ "process_date_offset", run_process_date_offset, false },
	{ "report_deliver", run_report_deliver, true },
	{ "process_schedule", run_process_schedule, false },
	{ "desk_mail", run_desk_mail, true },
};

static job_fn
handler_of(const char *kind)
{
	for (size_t i = 0; i < sizeof(handlers) / sizeof(*handlers); i++)
		if (strcmp(handlers[i].kind, kind) == 0)
			return handlers[i].fn;
	return NULL;
}

static bool
own_txn(const char *kind)
{
	for (size_t i = 0; i < sizeof(handlers) / sizeof(*handlers); i++)
		if (strcmp(handlers[i].kind, kind) == 0)
			return handlers[i].own_txn;
	return false;
}

static int
db_fail(struct core_ctx *cx, const char *what)
{
	log_error("database: jobs: %s: %s", what, db_errmsg(cx->db));
	return core_fail(cx, CRM_EDB, "The database failed");
}

int
job_drop_keyed(struct core_ctx *cx, const char *kind, const char *prefix,
    bool unclaimed_only)
{
	char hi[128];
	size_t n = strlen(prefix);
	db_stmt_t *st;
	int rc;

	/* [prefix, prefix with its last byte raised): the keys it starts. */
	if (n == 0 || n >= sizeof(hi))
		return core_fail(cx, CRM_EINVAL, "A job key prefix of 1 to %zu "
		    "bytes", sizeof(hi) - 1);
	memcpy(hi, prefix, n + 1);
	hi[n - 1]++;
	/*
	 * The runs of a job that ran before (and waits to retry, or runs now)
	 * go with it: job_runs refers to jobs. A run in progress then finds
	 * its lease gone and leaves the job alone. The jobs are locked first
	 * (PostgreSQL): else a runner could claim one and add its run between
	 * the two deletes, and the second would break job_runs' foreign key
	 * (seen as a 500 on a task's reminders). SQLite's BEGIN IMMEDIATE
	 * already keeps runners out.
	 */
	for (int pass = 0; pass < 3; pass++) {
		static const char *const head[] = { "SELECT id FROM jobs WHERE",
		    "DELETE FROM job_runs WHERE job_id IN (SELECT id FROM jobs "
		    "WHERE", "DELETE FROM jobs WHERE" };
		struct dbq q;

		dbq_init(&q);
		dbq_sql(&q, "%s unique_key >= ? AND unique_key < ? AND kind = ? "
		    "AND done_at IS NULL%s%s%s", head[pass], unclaimed_only ?
		    " AND locked_by IS NULL" : "", pass == 1 ? ")" : "",
		    pass == 0 ? db_sql_for_update(cx->db) : "");
		dbq_text(&q, prefix, n);
		dbq_text(&q, hi, n);
		dbq_text(&q, kind, strlen(kind));
		rc = db_prepare_q(cx->db, &q, &st);
		dbq_free(&q);
		if (rc != DB_OK) {
			log_error("database: jobs drop: %s", db_errmsg(cx->db));
			return core_fail(cx, CRM_EDB, "The database failed");
		}
		while ((rc = db_step(st)) == DB_ROW)
			;	/* the lock pass: its rows are only locked */
		db_done(st);
		if (rc != DB_DONE) {
			log_error("database: jobs drop step: %s", db_errmsg(cx->db));
			return core_fail(cx, CRM_EDB, "The database failed");
		}
	}
	return CRM_OK;
}

int
job_enqueue(struct core_ctx *cx, const char *kind, json_t *payload,
    int64_t run_at, const char *unique_key, int64_t *id)
{
	db_stmt_t *st;
	char *text;
	int rc;

	if (handler_of(kind) == NULL)
		return core_fail(cx, CRM_EINVAL, "No job kind '%.64s'", kind);
	/* ON CONFLICT DO NOTHING is the same in SQLite and PostgreSQL. */
	if (db_prepare(cx->db, "INSERT INTO jobs (kind, payload, unique_key, "
	    "run_at, created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (unique_key) "
	    "DO NOTHING RETURNING id", &st) != DB_OK)
		return db_fail(cx, "enqueue");
	text = payload != NULL ? json_dumps(payload, JSON_COMPACT) : NULL;
	db_bind_text(st, 1, kind, strlen(kind));
	db_bind_text(st, 2, text ? text : "{}", text ? strlen(text) : 2);
	free(text);
	if (unique_key != NULL)
		db_bind_text(st, 3, unique_key, strlen(unique_key));
	else
		db_bind_null(st, 3);
	db_bind_int(st, 4, run_at);
	db_bind_int(st, 5, time_now_ms());
	rc = db_step(st);
	*id = rc == DB_ROW ? db_col_int(st, 0) : 0;
	db_done(st);
	if (rc != DB_ROW && rc != DB_DONE)
		return db_fail(cx, "enqueue step");
	cx->jobs_queued = true;
	return CRM_OK;
}

int
job_ping(struct core_ctx *cx, int count, int ms)
{
	json_t *payload = json_pack("{s:i}", "ms", ms);
	int64_t id;
	int rc = CRM_OK;

	if (db_begin(cx->db) != DB_OK) {
		json_decref(payload);
		return db_fail(cx, "ping begin");
	}
	for (int k = 0; k < count && rc == CRM_OK; k++)
		rc = job_enqueue(cx, "noop", payload, time_now_ms(), NULL, &id);
	json_decref(payload);
	if (rc == CRM_OK && db_commit(cx->db) != DB_OK)
		rc = db_fail(cx, "ping commit");
	if (rc != CRM_OK)
		db_rollback(cx->db);
	return rc;
}

int
job_schedule_system(struct core_ctx *cx)
{
	int64_t id;

	int rc = job_enqueue(cx, "session_cleanup", NULL, time_now_ms(),
	    "session_cleanup", &id);

	if (rc == CRM_OK)
		rc = job_enqueue(cx, "analyze", NULL, time_now_ms() +
		    ANALYZE_FIRST_MS, "analyze", &id);
	if (rc == CRM_OK)
		rc = job_enqueue(cx, "wal_checkpoint", NULL, time_now_ms() +
		    CHECKPOINT_EVERY_MS, "wal_checkpoint", &id);
	if (rc == CRM_OK)
		rc = job_enqueue(cx, "process_date_offset", NULL, time_now_ms(),
		    "process_date_offset", &id);
	if (rc == CRM_OK)
		rc = psched_arm_all(cx);
	return rc;
}

/* First transaction: pick a due job nobody holds and take its lease. */
static int
claim(struct core_ctx *cx, const char *worker, int64_t lease_ms, struct job *j)
{
	struct dbq q;
	db_stmt_t *st;
	int64_t now = time_now_ms();
	const char *payload;
	size_t plen;
	int rc;

	if (db_begin(cx->db) != DB_OK)
		return db_fail(cx, "claim begin");
	dbq_init(&q);
	dbq_sql(&q, "SELECT id, kind, payload, attempts, max_attempts FROM jobs "
	    "WHERE done_at IS NULL AND run_at <= ? AND (locked_until IS NULL OR "
	    "locked_until < ?) ORDER BY run_at, id LIMIT 1%s",
	    db_sql_skip_locked(cx->db));
	dbq_int(&q, now);
	dbq_int(&q, now);
	rc = db_prepare_q(cx->db, &q, &st);
	dbq_free(&q);
	if (rc != DB_OK) {
		db_rollback(cx->db);
		return db_fail(cx, "claim");
	}
	rc = db_step(st);
	if (rc == DB_ROW) {
		j->id = db_col_int(st, 0);
		snprintf(j->kind, sizeof(j->kind), "%s", db_col_text(st, 1, NULL));
		payload = db_col_text(st, 2, &plen);
		j->payload = json_loadb(payload, plen, 0, NULL);
		j->attempts = (int)db_col_int(st, 3) + 1;
		j->max_attempts = (int)db_col_int(st, 4);
	}
	db_done(st);
	if (rc != DB_ROW) {
		db_rollback(cx->db);
		return rc == DB_DONE ? CRM_ENOTFOUND : db_fail(cx, "claim step");
	}
	if (db_prepare(cx->db, "INSERT INTO job_runs (job_id, worker, started_at) "
	    "VALUES (?, ?, ?) RETURNING id", &st) != DB_OK)
		goto fail;
	db_bind_int(st, 1, j->id);
	db_bind_text(st, 2, worker, strlen(worker));
	db_bind_int(st, 3, now);
	rc = db_step(st);
	j->run_id = rc == DB_ROW ? db_col_int(st, 0) : 0;
	db_done(st);
	if (rc != DB_ROW)
		goto fail;
	snprintf(j->lock, sizeof(j->lock), "%s#%lld", worker, (long long)j->run_id);
	if (core_exec(cx, "UPDATE jobs SET locked_by = ?, locked_until = ?, "
	    "attempts = attempts + 1 WHERE id = ?", "sii", j->lock, now + lease_ms,
	    j->id) != CRM_OK || db_commit(cx->db) != DB_OK)
		goto fail;
	return CRM_OK;
fail:
	db_rollback(cx->db);
	json_decref(j->payload);
	j->payload = NULL;
	return db_fail(cx, "claim write");
}

/* After a failed run: back off and try again, or give up. */
static void
record_failure(struct core_ctx *cx, struct job *j, const char *error)
{
	int64_t now = time_now_ms();
	bool last = j->attempts >= j->max_attempts;
	int64_t backoff = RETRY_BASE_MS << (j->attempts < 10 ? j->attempts : 10);
	int rc;

	log_warn("job %lld (%s) attempt %d failed: %s", (long long)j->id, j->kind,
	    j->attempts, error);
	if (db_begin(cx->db) != DB_OK)
		return;
	if (last)
		rc = core_exec(cx, "UPDATE jobs SET last_error = ?, locked_by = NULL, "
		    "locked_until = NULL, done_at = ? WHERE id = ? AND locked_by = ?",
		    "siis", error, now, j->id, j->lock);
	else
		rc = core_exec(cx, "UPDATE jobs SET last_error = ?, locked_by = NULL, "
		    "locked_until = NULL, run_at = ? WHERE id = ? AND locked_by = ?",
		    "siis", error, now + backoff, j->id, j->lock);
	if (rc == CRM_OK)
		rc = core_exec(cx, "UPDATE job_runs SET finished_at = ?, outcome = ? "
		    "WHERE id = ?", "isi", now, last ? "failed" : "retry", j->run_id);
	if (rc != CRM_OK || db_commit(cx->db) != DB_OK)
		db_rollback(cx->db);
}

/* Second transaction: the work and "done" together, if the lease holds. */
static void
run_one(struct core_ctx *cx, struct job *j)
{
	job_fn fn = handler_of(j->kind);
	char err[256] = "";
	int64_t again = 0, now;
	int rc;

	if (fn == NULL) {
		record_failure(cx, j, "no handler for this kind of job");
		return;
	}
	if (!own_txn(j->kind) && db_begin(cx->db) != DB_OK) {
		record_failure(cx, j, db_errmsg(cx->db));
		return;
	}
	rc = fn(cx, j, &again, err, sizeof(err));
	if (rc != CRM_OK) {
		db_rollback(cx->db);
		record_failure(cx, j, err[0] ? err : "failed");
		return;
	}
	if (own_txn(j->kind) && db_begin(cx->db) != DB_OK) {
		record_failure(cx, j, db_errmsg(cx->db));
		return;
	}
	now = time_now_ms();
	if (again > 0)
		rc = core_exec(cx, "UPDATE jobs SET run_at = ?, attempts = 0, "
		    "locked_by = NULL, locked_until = NULL, last_error = NULL "
		    "WHERE id = ? AND locked_by = ?", "iis", again, j->id, j->lock);
	else
		rc = core_exec(cx, "UPDATE jobs SET done_at = ?, locked_by = NULL, "
		    "locked_until = NULL WHERE id = ? AND locked_by = ?", "iis", now,
		    j->id, j->lock);
	if (rc == CRM_OK && db_changes(cx->db) != 1) {
		/* The lease ran out and another worker owns the job now. */
		log_warn("job %lld (%s): lease lost; left to its new worker",
		    (long long)j->id, j->kind);
		db_rollback(cx->db);
		return;
	}
	if (rc == CRM_OK)
		rc = core_exec(cx, "UPDATE job_runs SET finished_at = ?, outcome = "
		    "'done' WHERE id = ?", "ii", now, j->run_id);
	if (rc != CRM_OK || db_commit(cx->db) != DB_OK) {
		db_rollback(cx->db);
		record_failure(cx, j, db_errmsg(cx->db));
	}
}

int
job_run_due(struct core_ctx *cx, const char *worker, int64_t lease_ms, int max,
    int *ran)
{
	int rc = CRM_OK;

	*ran = 0;
	while (*ran < max) {
		struct job j;

		memset(&j, 0, sizeof(j));
		rc = claim(cx, worker, lease_ms, &j);
		if (rc == CRM_ENOTFOUND)
			return CRM_OK;
		if (rc != CRM_OK)
			return rc;
		run_one(cx, &j);
		json_decref(j.payload);
		(*ran)++;
	}
	return rc;
}

int
job_list(struct core_ctx *cx, bool pending_only, int limit, json_t **out)
{
	db_stmt_t *st;
	json_t *arr;
	char ts[TIME_RFC3339_LEN];
	int rc;

	if (db_prepare(cx->db, pending_only ?
	    "SELECT id, kind, run_at, attempts, locked_by, done_at, last_error "
	    "FROM jobs WHERE done_at IS NULL ORDER BY id DESC LIMIT ?" :
	    "SELECT id, kind, run_at, attempts, locked_by, done_at, last_error "
	    "FROM jobs ORDER BY id DESC LIMIT ?", &st) != DB_OK)
		return db_fail(cx, "list");
	db_bind_int(st, 1, limit);
	arr = json_array();
	while ((rc = db_step(st)) == DB_ROW) {
		json_t *o = json_object();

		json_object_set_new(o, "id", json_integer(db_col_int(st, 0)));
		json_object_set_new(o, "kind", json_string(db_col_text(st, 1, NULL)));
		time_format(db_col_int(st, 2), ts, sizeof(ts));
		json_object_set_new(o, "run_at", json_string(ts));
		json_object_set_new(o, "attempts", json_integer(db_col_int(st, 3)));
		json_object_set_new(o, "locked_by", db_col_null(st, 4) ? json_null() :
		    json_string(db_col_text(st, 4, NULL)));
		if (db_col_null(st, 5)) {
			json_object_set_new(o, "done_at", json_null());
		} else {
			time_format(db_col_int(st, 5), ts, sizeof(ts));
			json_object_set_new(o, "done_at", json_string(ts));
		}
		json_object_set_new(o, "last_error", db_col_null(st, 6) ? json_null() :
		    json_string(db_col_text(st, 6, NULL)));
		json_array_append_new(arr, o);
	}
	db_done(st);
	if (rc != DB_DONE) {
		json_decref(arr);
		return db_fail(cx, "list step");
	}
	*out = json_pack("{s:o}", "data", arr);
	return CRM_OK;
}

/* ---- the runner thread ---- */

struct jobs_runner {
	pthread_t	 th;
	pthread_mutex_t	 mu;
	pthread_cond_t	 cv;
	bool		 stop;
	bool		 poked;		/* work was queued since the last look */
	db_t		*db;
	char		 worker[JOB_WORKER_LEN];
	const struct mail_conf *mail;
	bool		 webhook_loopback;
	int64_t		 lease_ms;
	int		 poll_ms;
};

/*
 * How long the idle runner may sleep: until the next job is due (one
 * enqueued since by this process pokes it awake sooner), at most cap ms,
 * so jobs another server queued are seen within the cap. 0: due now.
 */
static int64_t
next_due_in(struct core_ctx *cx, int64_t cap)
{
	db_stmt_t *st;
	int64_t next = -1, now = time_now_ms();

	if (db_prepare(cx->db, "SELECT MIN(CASE WHEN locked_until IS NOT NULL "
	    "AND locked_until > run_at THEN locked_until ELSE run_at END) FROM "
	    "jobs WHERE done_at IS NULL", &st) != DB_OK)
		return cap;
	if (db_step(st) == DB_ROW && !db_col_null(st, 0))
		next = db_col_int(st, 0);
	db_done(st);
	if (next < 0 || next - now > cap)
		return cap;
	return next > now ? next - now : 0;
}

/*
 * Whether the worker named in a lock ("host:pid#run") ran on this host
 * (prefix "host:") in a process that is gone. A pid another process has
 * taken since counts as alive: that job then waits for its lease.
 */
static bool
worker_dead(const char *lock, const char *prefix, size_t plen)
{
	const char *p = lock + plen;
	char *end;
	long pid;

	if (strncmp(lock, prefix, plen) != 0)
		return false;
	errno = 0;
	pid = strtol(p, &end, 10);
	if (errno != 0 || end == p || *end != '#' || pid <= 0)
		return false;
	return kill((pid_t)pid, 0) != 0 && errno == ESRCH;
}

int
job_release_dead(struct core_ctx *cx, const char *worker, int *released)
{
	char prefix[JOB_WORKER_LEN + 2], (*locks)[JOB_LOCK_LEN] = NULL;
	const char *colon = strrchr(worker, ':');
	size_t plen, n = 0, cap = 0;
	db_stmt_t *st;
	int rc, step;

	*released = 0;
	if (colon == NULL)
		return CRM_OK;
	plen = (size_t)(colon - worker) + 1;
	snprintf(prefix, sizeof(prefix), "%.*s", (int)plen, worker);
	if (db_prepare(cx->db, "SELECT DISTINCT locked_by FROM jobs WHERE "
	    "done_at IS NULL AND locked_until >= ? AND substr(locked_by, 1, ?) "
	    "= ?", &st) != DB_OK)
		return db_fail(cx, "release dead");
	db_bind_int(st, 1, time_now_ms());
	db_bind_int(st, 2, (int64_t)plen);
	db_bind_text(st, 3, prefix, plen);
	while ((step = db_step(st)) == DB_ROW) {
		const char *lock = db_col_text(st, 0, NULL);

		if (lock == NULL || !worker_dead(lock, prefix, plen) ||
		    strlen(lock) >= JOB_LOCK_LEN)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 8;
			locks = xrealloc(locks, cap * sizeof(*locks));
		}
		snprintf(locks[n++], JOB_LOCK_LEN, "%s", lock);
	}
	db_done(st);
	rc = step == DB_DONE ? CRM_OK : db_fail(cx, "release dead step");
	for (size_t i = 0; rc == CRM_OK && i < n; i++) {
		/* Its run never finished: say so, and let the job run again now. */
		const char *hash = strrchr(locks[i], '#');

		if (db_begin(cx->db) != DB_OK) {
			rc = db_fail(cx, "release dead begin");
			break;
		}
		rc = core_exec(cx, "UPDATE jobs SET locked_by = NULL, locked_until = "
		    "NULL WHERE locked_by = ? AND done_at IS NULL", "s", locks[i]);
		if (rc == CRM_OK && hash != NULL)
			rc = core_exec(cx, "UPDATE job_runs SET finished_at = ? WHERE "
			    "id = ? AND finished_at IS NULL", "ii", time_now_ms(),
			    strtoll(hash + 1, NULL, 10));
		rc = core_txn_end(cx, rc, NULL);
		if (rc == CRM_OK) {
			(*released)++;
			log_info("jobs: released the jobs of %s, a server on this "
			    "host that is no longer running", locks[i]);
		}
	}
	free(locks);
	return rc;
}

static void *
runner_main(void *arg)
{
	struct jobs_runner *r = arg;
	struct core_ctx cx;

	core_ctx_init(&cx, r->db, NULL);
	cx.mail = r->mail;
	cx.webhook_loopback = r->webhook_loopback;
	pthread_mutex_lock(&r->mu);
	while (!r->stop) {
		struct timespec until;
		int64_t wait_ms;
		int ran = 0;

		pthread_mutex_unlock(&r->mu);
		cx.errs.n = 0;
		/* One job at a time, so a stop request waits for one job at most. */
		if (job_run_due(&cx, r->worker, r->lease_ms, 1, &ran) != CRM_OK)
			ran = 0;	/* logged; try again after the pause */
		wait_ms = ran > 0 ? 0 : next_due_in(&cx, r->poll_ms);
		pthread_mutex_lock(&r->mu);
		if (ran > 0 || r->stop || r->poked || wait_ms == 0) {
			r->poked = false;
			continue;
		}
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += (long)(wait_ms % 1000) * 1000000;
		until.tv_sec += (time_t)(wait_ms / 1000) + until.tv_nsec / 1000000000;
		until.tv_nsec %= 1000000000;
		while (!r->stop && !r->poked &&
		    pthread_cond_timedwait(&r->cv, &r->mu, &until) == 0)
			;
		r->poked = false;
	}
	pthread_mutex_unlock(&r->mu);
	return NULL;
}

int
jobs_runner_start(const char *address, const char *worker, int64_t lease_ms,
    int poll_ms, const struct mail_conf *mail, bool webhook_loopback,
    struct db_gate *gate, struct jobs_runner **out, char *err, size_t errlen)
{
	struct jobs_runner *r = xcalloc(1, sizeof(*r));
	struct core_ctx cx;
	int released;

	if (db_open(address, &r->db, err, errlen) != DB_OK) {
		free(r);
		return CRM_EDB;
	}
	db_set_gate(r->db, gate);
	core_ctx_init(&cx, r->db, NULL);
	if (job_release_dead(&cx, worker, &released) != CRM_OK)
		log_warn("jobs: %s", cx.detail);	/* their leases still end */
	if (job_schedule_system(&cx) != CRM_OK) {
		snprintf(err, errlen, "cannot schedule system jobs: %s", cx.detail);
		db_close(r->db);
		free(r);
		return CRM_EDB;
	}
	snprintf(r->worker, sizeof(r->worker), "%s", worker);
	r->mail = mail;
	r->webhook_loopback = webhook_loopback;
	r->lease_ms = lease_ms;
	r->poll_ms = poll_ms;
	pthread_mutex_init(&r->mu, NULL);
	pthread_cond_init(&r->cv, NULL);
	if (pthread_create(&r->th, NULL, runner_main, r) != 0) {
		snprintf(err, errlen, "cannot start the job runner thread");
		db_close(r->db);
		free(r);
		return CRM_EDB;
	}
	*out = r;
	return CRM_OK;
}

void
jobs_runner_poke(struct jobs_runner *r)
{
	if (r == NULL)
		return;
	pthread_mutex_lock(&r->mu);
	r->poked = true;
	pthread_cond_signal(&r->cv);
	pthread_mutex_unlock(&r->mu);
}

void
jobs_runner_stop(struct jobs_runner *r)
{
	if (r == NULL)
		return;
	pthread_mutex_lock(&r->mu);
	r->stop = true;
	pthread_cond_signal(&r->cv);
	pthread_mutex_unlock(&r->mu);
	pthread_join(r->th, NULL);
	pthread_mutex_destroy(&r->mu);
	pthread_cond_destroy(&r->cv);
	db_close(r->db);
	free(r);
}
