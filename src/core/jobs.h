/*
 * Background jobs: work that must happen later or regularly (expired
 * sessions, reminders ("reminder", core/notify.h), mail ("mail_send",
 * core/mail.h), scheduled backups, SLA warnings and breaches ("sla", core/sla.h)), kept in the jobs
 * table so that nothing is lost across restarts and nothing runs twice
 * when several servers share one database.
 *
 * A worker claims a due job by taking a lease (locked_by, locked_until) in
 * a committed transaction, then runs the job's handler in a second
 * transaction that also marks the job done, but only if the lease is still
 * its own. If the worker dies, its transaction never commits and the lease
 * runs out; another worker then claims the job. So a job's effects on the
 * database happen exactly once; effects outside it (mail) at least once.
 *
 * The exception is long work that must not hold the write lock: a backup
 * (kind "backup", core/backup.h) runs outside the run transaction and
 * writes its own record; the job is marked done afterwards. A backup longer
 * than the lease may then be claimed by a second server sharing the
 * database and made twice; with one server its one runner thread is busy
 * and nothing else claims it.
 */
#ifndef CORE_JOBS_H
#define CORE_JOBS_H

#include <jansson.h>
#include <stdbool.h>

#include "core/core.h"

#define JOB_WORKER_LEN 96
#define JOB_LOCK_LEN (JOB_WORKER_LEN + 24)	/* "worker#run", a claim's mark */
#define JOBS_POLL_CAP_MS 2000	/* the idle runner looks at least this often */

/*
 * Adds a job of kind (a registered handler) to run at run_at (epoch ms).
 * With unique_key, at most one job ever has that key (recurring jobs
 * reschedule themselves instead of finishing): a second enqueue changes
 * nothing and sets *id to 0.
 */
int job_enqueue(struct core_ctx *cx, const char *kind, json_t *payload,
    int64_t run_at, const char *unique_key, int64_t *id);

/*
 * Removes the jobs of kind not yet done whose unique_key starts with
 * prefix ("reminder:42:"), inside the caller's transaction: the pending
 * work of one record, about to be replaced. With unclaimed_only, a job a
 * worker has claimed stays (its handler must then find it stale).
 */
int job_drop_keyed(struct core_ctx *cx, const char *kind, const char *prefix,
    bool unclaimed_only);

/*
 * Claims and runs at most max due jobs as worker, each with a lease of
 * lease_ms. *ran is the number run (succeeded or not). Uses cx->db.
 */
int job_run_due(struct core_ctx *cx, const char *worker, int64_t lease_ms,
    int max, int *ran);

/*
 * Lets the jobs that a killed server on this host was running run again
 * at once, instead of after their lease: worker is this server's own name
 * ("host:pid"); locks of other "host:" workers whose process is gone are
 * cleared (a pid taken by another process since counts as alive). Workers
 * on other hosts are left to their leases. *released counts the workers.
 * The job runner does this when it starts.
 */
int job_release_dead(struct core_ctx *cx, const char *worker, int *released);

/*
 * Queues count jobs that do nothing for ms milliseconds (at most 1000), in
 * one transaction: a check that the servers run background work.
 */
int job_ping(struct core_ctx *cx, int count, int ms);

/*
 * Schedules the system's own recurring jobs and the process schedules
 * (core/process_sched.h) (idempotent).
 */
int job_schedule_system(struct core_ctx *cx);

/* *out = {"data": [jobs, newest first]}; pending_only limits to undone. */
int job_list(struct core_ctx *cx, bool pending_only, int limit, json_t **out);

/*
 * A thread that runs due jobs on its own connection to address until
 * jobs_runner_stop(). While idle it sleeps until the next job is due, at
 * most poll_ms (the bound on how late it sees a job another server
 * queued), and wakes at once when poked. mail (borrowed, may be NULL) is
 * the SMTP settings the "mail_send" jobs use; webhook_loopback (tests
 * only) lets process webhooks call loopback addresses; gate (borrowed,
 * may be NULL) is the server's write gate (store/gate.h), so that a long
 * job such as an import hands the write lock over to waiting requests.
 */
struct jobs_runner;
struct mail_conf;
struct db_gate;
int jobs_runner_start(const char *address, const char *worker,
    int64_t lease_ms, int poll_ms, const struct mail_conf *mail,
    bool webhook_loopback, struct db_gate *gate, struct jobs_runner **out,
    char *err, size_t errlen);
void jobs_runner_stop(struct jobs_runner *r);
/*
 * Wakes the runner to look for due jobs now: a call queued one
 * (cx->jobs_queued) and its transaction is over. r may be NULL.
 */
void jobs_runner_poke(struct jobs_runner *r);

#endif
