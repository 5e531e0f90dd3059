/*
 * SLA clocks of tickets: how many working minutes a ticket has used of its
 * first-response and resolution targets, when each falls due, and the
 * jobs that warn before and escalate after a breach.
 *
 * The clock is three values (struct sla_clock): the start of the stretch
 * it is running (started_at), the working minutes of the stretches before
 * it (used_min), and, while the ticket waits for the client, the moment it
 * was stopped (paused_at; 0 while it runs). Stopping adds the working
 * minutes of the running stretch to used_min; starting again begins a new
 * stretch, so the time spent waiting never counts. A target of T minutes
 * is due workcal_add(started_at, T - used_min) while running.
 *
 * Two halves, like core/workcal.h: pure functions on a clock and a loaded
 * calendar (no database, no clock of their own: the caller gives every
 * instant, so tests drive them with fixed ones), and the store half that
 * tickets.c calls in its write transaction (policy matching, due times,
 * the jobs) and the "sla" job that the job runner calls.
 */
#ifndef CORE_SLA_H
#define CORE_SLA_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/core.h"

struct workcal;

#define SLA_TARGET_MAX (60 * 24 * 365)	/* a year of working minutes */

struct sla_clock {
	int64_t	started_at;	/* ms: start of the running (or last) stretch */
	int64_t	used_min;	/* working minutes of the stretches before it */
	int64_t	paused_at;	/* ms while stopped, else 0 */
};

/* A clock that starts at start_ms. */
void sla_clock_start(struct sla_clock *c, int64_t start_ms);
/*
 * Stops a running clock at now (no change when stopped): used_min gains
 * the working minutes of [started_at, now). -1 when the calendar cannot
 * count that range (longer than WORKCAL_DAYS_MAX days).
 */
int sla_clock_pause(const struct workcal *cal, struct sla_clock *c,
    int64_t now);
/* Starts a stopped clock again at now (no change when running). */
void sla_clock_resume(struct sla_clock *c, int64_t now);
/* Working minutes used by now, stopped or running, into *out; -1 as pause. */
int sla_clock_used(const struct workcal *cal, const struct sla_clock *c,
    int64_t now, int64_t *out);
/*
 * When target_min working minutes are used up, into *due: for a running
 * clock workcal_add(started_at, max(0, target - used)). -1 for a stopped
 * clock (it has no due time) or when the calendar cannot reach it.
 */
int sla_clock_due(const struct workcal *cal, const struct sla_clock *c,
    int64_t target_min, int64_t *due);
/*
 * When to warn: due - warn_before_min (wall-clock minutes, since a warning
 * is about how soon someone must act), not before now; -1 (no warning)
 * when warn_before_min is 0 or the due time itself has passed.
 */
int sla_warn_at(int64_t due, int64_t warn_before_min, int64_t now,
    int64_t *at);

/* ---- through the store (tickets.c's write transaction) ---- */

/*
 * Settles the SLA fields of a ticket being written (merged; cur is the
 * stored ticket, NULL on a create): matches the policy when the ticket is
 * new or its priority, category or company changed, moves the clock with
 * the status (stopped while waiting, resolved or closed), and sets
 * sla_policy_id, sla_started_at, sla_used_min, sla_paused_at,
 * response_due_at and resolution_due_at. now is the write's moment.
 */
int sla_settle(struct core_ctx *cx, json_t *cur, json_t *merged, int64_t now);
/*
 * Replaces the pending SLA jobs of ticket id by those its due times call
 * for (after the row is written, in the same transaction).
 */
int sla_schedule(struct core_ctx *cx, int64_t id, json_t *merged);
/* Removes (trashed) or restores the pending jobs of a ticket. */
int sla_trash(struct core_ctx *cx, int64_t id, bool trashed);

/*
 * The "sla" job: {ticket_id, target: "response"|"resolution", phase:
 * "warn"|"breach", due_at}. Does nothing when the ticket moved on since
 * (another due time, answered, resolved, trashed); else warns the
 * assignee, or marks the breach and escalates (notify, reassign, raise
 * the priority) with an audit entry, all in the job's transaction.
 */
int sla_job_run(struct core_ctx *cx, json_t *payload, char *err,
    size_t errlen);

/*
 * The calendar policy policy_id counts in (0, or a policy without one: the
 * default), into *cal (free with workcal_free). The policies themselves are
 * the desk's admin table dtable_sla_policies (core/desk.h).
 */
int sla_calendar(struct core_ctx *cx, int64_t policy_id, struct workcal **cal);

#endif
