/*
 * The process engine (issue 10, second slice): running instances of the
 * process templates of core/processes.h on records, step by step.
 *
 * An instance runs one version of a template (the current one when it
 * started) on one record. Its steps are rows of process_steps, added as
 * the instance enters them. Automatic steps (condition, set_field,
 * move_stage, notify, email, create_record, start_process, end) run and
 * finish in the transaction that enters them; a task or an approval
 * creates an activity task for the responsible person and waits for it
 * (or for an answer through prun_step_complete); a wait waits for its
 * timer. Timers (a deadline, the end of a wait) are jobs of kind
 * "process_timer" (core/jobs.h), so they survive restarts and fire once.
 *
 * Exactly once: every transition of a step is a conditional UPDATE
 * (WHERE status = 'waiting') in the transaction that performs the step's
 * action and enters the next step, so of two runners (two servers on one
 * PostgreSQL, a timer racing a user's answer) only one moves the instance
 * on; the other sees no row changed and does nothing.
 *
 * The actions of a process are the system's, on behalf of the process:
 * records it writes, tasks it creates and notices it sends are audited
 * with no user, as the CLI's maintenance is.
 *
 * Rights: starting needs read access to the record (CRM_ENOTFOUND
 * otherwise, as for the record itself). An instance is shown to whoever
 * may read its record. Cancelling: the one who started it, the process
 * owner, or an administrator. Answering a step: its assignee or an
 * administrator.
 *
 * Triggers: by hand (prun_start), "created" and "field_changed" (the
 * record engine calls prun_on_write in the write's transaction). A
 * webhook step waits for its "process_webhook" job, which calls outside
 * any transaction (prun_webhook_run). "date_offset" runs from a daily
 * job (prun_date_offset_run); a wait until_changed ends in the write
 * that changes the field (prun_on_write). Not in this slice: the
 * "schedule" trigger (a schedule names no record to run on).
 *
 * JSON in, JSON out; *out is a new reference for the caller.
 */
#ifndef CORE_PROCESS_RUN_H
#define CORE_PROCESS_RUN_H

#include <jansson.h>
#include <stdbool.h>

#include "core/core.h"

#define PRUN_AUTO_STEPS_MAX 200	/* automatic steps in one go: a loop guard */
#define PRUN_DEPTH_MAX 5		/* start_process nesting */
#define PRUN_LIST_MAX 200
#define PRUN_COMMENT_MAX 2000
#define PRUN_WORK_DAY_MIN (8 * 60)	/* a work day: 8 working hours */
#define PRUN_TRIGGERED_MAX 32		/* processes one write starts */
#define PRUN_DATE_OFFSET_MAX 1000	/* records per template and day */
#define PRUN_DATE_OFFSET_AT_MS (5 * 60 * 1000)	/* 00:05 UTC daily */
#define PRUN_DATE_OFFSET_GAP_MS (20LL * 60 * 60 * 1000)	/* once a day */

/*
 * Starts template in.template_id (its current version) on the record
 * in.entity / in.record_id, owned by the actor, and runs it up to its
 * first waiting step. CRM_EINVAL naming the bad member (another entity
 * than the template's, an archived template, a definition that no
 * longer validates); CRM_ENOTFOUND when the record is not readable.
 * *out as prun_get.
 */
int prun_start(struct core_ctx *cx, json_t *in, json_t **out);

/*
 * Instances the actor may see, newest first, at most PRUN_LIST_MAX:
 * {"data": [{id, template_id, template_name, version, entity, record_id,
 * record_name, status, current_step, current_step_name, assignee_id, waiting_since,
 * due_at, overdue, started_at, finished_at}], "next_cursor": null}.
 * status (running|completed|cancelled|failed|overdue; NULL: all),
 * template_id (0: all) and record ("deals:12"; NULL: all) filter.
 * CRM_EBADQUERY for a bad filter.
 */
int prun_list(struct core_ctx *cx, const char *status, int64_t template_id,
    const char *record, json_t **out);

/*
 * One instance: the list's members, started_by, owner_id, error, and
 * steps: [{id, step_id, kind, name, status, assignee_id, assignee_name,
 * task_id, started_at, due_at, wake_at, overdue_at, done_at, outcome,
 * comment, done_by}], oldest first.
 */
int prun_get(struct core_ctx *cx, int64_t id, json_t **out);

/*
 * Cancels a running instance; its open tasks are cancelled. CRM_EINUSE
 * when it is not running.
 */
int prun_cancel(struct core_ctx *cx, int64_t id, json_t **out);

/*
 * Answers waiting step id (a process_steps row) of kind task or
 * approval: {outcome: "approve"|"reject" (approvals), comment?}; a
 * rejection needs a comment. Closes the step's task and moves the
 * instance on. CRM_EINUSE when the step is no longer waiting (or is not
 * one that is answered);
 * CRM_EFORBIDDEN for someone else than the assignee (or an
 * administrator). *out as prun_get.
 */
int prun_step_complete(struct core_ctx *cx, int64_t id, json_t *in,
    json_t **out);

/*
 * Called by core/activities.c inside the write that completed task_id:
 * the step waiting on that task is done (an approval: approved) and the
 * instance moves on in the same transaction. Nothing when no step waits
 * on the task.
 */
int prun_task_done(struct core_ctx *cx, int64_t task_id);

/*
 * The "process_timer" job ({step, what: "wake"|"deadline"}) inside the
 * job's run transaction: ends a wait, or applies a deadline's on_overdue
 * (remind, notify_owner, reassign, branch). A step no longer waiting is
 * left alone.
 */
int prun_timer_run(struct core_ctx *cx, json_t *payload, char *err,
    size_t errlen);

/*
 * The "process_webhook" job ({step}), outside any transaction: calls the
 * webhook of a waiting step (core/webhook.h; cx->webhook_loopback lets
 * loopback through, for tests), then, in a transaction, leaves the step
 * with the answer's status as its outcome. A failed call answers an
 * error (err says why) so the job runner tries again with its backoff;
 * on the last attempt (last) the step and its instance fail instead.
 */
int prun_webhook_run(struct core_ctx *cx, json_t *payload, bool last,
    char *err, size_t errlen);

/*
 * The daily "process_date_offset" job (a system job, run at 00:05 UTC):
 * starts each active "date_offset" template on the records whose date
 * field (a date, a time, a custom date or time) falls on today (UTC)
 * minus its days, at most PRUN_DATE_OFFSET_MAX a day, and not on a
 * record it started on within the last 20 hours (a rerun of the day
 * starts nothing twice). *again is the next run.
 */
int prun_date_offset_run(struct core_ctx *cx, int64_t *again, char *err,
    size_t errlen);

/*
 * Per step of template id, over every finished step of its instances:
 * {"template_id", "data": [{step_id, name, count, avg_ms, max_ms,
 * waiting, overdue}]}, slowest average first. CRM_ENOTFOUND for no such
 * template.
 */
int prun_stats(struct core_ctx *cx, int64_t id, json_t **out);

/*
 * Called by the record engine (core/record.c) inside every create (cur
 * NULL) and update of a record of e, after the row, its side tables and
 * its audit entry are written: ends the waits until_changed on the
 * record whose field this write changed, and starts the active templates
 * on e whose
 * trigger is "created" (a create) or "field_changed" (the field's value
 * differs between cur and merged and, with "to", is now that value),
 * owned by nobody (the record's owner answers for it), as far as the
 * loop guard allows: a write made by a process PRUN_DEPTH_MAX deep
 * (cx->proc_depth) starts nothing. A shipped template (builtin) triggers
 * only once an administrator saved a version of it (version 2 on).
 */
struct entity;
int prun_on_write(struct core_ctx *cx, const struct entity *e, int64_t id,
    json_t *cur, json_t *merged);

/*
 * Starts template_id (its current version) on record_id of e as a trigger
 * does (owned by nobody, started by nobody), inside the caller's
 * transaction, and audits process.started with {"by": by}. The caller
 * has checked that the template is active and on e. *id is the instance.
 */
int prun_start_by(struct core_ctx *cx, int64_t template_id,
    const struct entity *e, int64_t record_id, const char *by, int64_t *id);

/*
 * Whether the structured condition cond (docs/processes.md, checked by
 * procdef_check) holds for the record rec as rec_get gives it. "changed"
 * never holds: no write is looked at.
 */
bool prun_cond_holds(json_t *cond, json_t *rec);

/*
 * The steps waiting for user_id ("my day"), on records the actor may
 * read, by deadline: [{id, instance_id, step_id, kind, name, task_id,
 * entity, record_id, record_name, started_at, due_at, overdue}] (new reference), at
 * most PRUN_LIST_MAX.
 */
int prun_waiting_for(struct core_ctx *cx, int64_t user_id, json_t **out);

#endif
