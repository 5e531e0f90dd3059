/*
 * Workload: each person's next days, day by day, measured against the
 * hours they are there (issue 12). For a head: who is overloaded, who is
 * free, and the work behind each day, so it can be handed to someone else.
 *
 * A day's capacity is the working minutes of that local day in the
 * person's calendar (their department's, core/workcal.h: 0 on weekends
 * and holidays, a shortened holiday counts its own hours), and 0 on a day
 * of an absence (core/absences.h). Against it:
 * - open tasks the person owns (the assignee) due that day, each its
 *   estimate_min; a task without an estimate counts WORKLOAD_DEFAULT_EST
 *   minutes and is flagged "estimated": false, so the head sees the guess;
 * - planned meetings they organise or take part in, the minutes of each
 *   that fall within that day (one without end_at counts
 *   WORKLOAD_DEFAULT_MEETING minutes from its start, flagged);
 * - process steps due that day come in as tasks: a task or approval step
 *   makes a task owned by the person who holds it, due at the step's
 *   deadline (core/process_run.h), so it counts like any other task.
 * load_pct is planned * 100 / capacity, rounded to the nearest whole; a
 * day with work and no capacity has load_pct null and is overloaded.
 *
 * Rights: one sees one's own workload; a head that of every person in the
 * departments they head and below; an administrator everyone's. Asking
 * for anyone else's is CRM_EFORBIDDEN (the person exists in the
 * directory anyway). Those allowed see the subjects of the work behind
 * each day, whatever their role's scope on activities: a head plans the
 * work of their people, and the days are no use without it.
 *
 * JSON out; *out is a new reference for the caller.
 */
#ifndef CORE_WORKLOAD_H
#define CORE_WORKLOAD_H

#include <jansson.h>

#include "core/core.h"

#define WORKLOAD_DAYS_DEFAULT 21	/* three weeks */
#define WORKLOAD_DAYS_MAX 62		/* two months: the longest view */
#define WORKLOAD_PEOPLE_MAX 500		/* people in one answer */
#define WORKLOAD_ITEMS_MAX 2000		/* tasks and meetings of one person */
#define WORKLOAD_DEFAULT_EST 30		/* minutes of a task without estimate */
#define WORKLOAD_DEFAULT_MEETING 60	/* minutes of a meeting without end */

/* What is asked for; strings as the client sent them, NULL: not given. */
struct workload_query {
	const char	*department_id;	/* everyone in it and below */
	const char	*user_id;	/* one person */
	const char	*from;		/* YYYY-MM-DD; default: today, UTC */
	const char	*days;		/* 1..WORKLOAD_DAYS_MAX, default 21 */
	int64_t		 now_ms;	/* the clock, for the default from */
};

/*
 * The workload of the people asked for: user_id alone; everyone active in
 * department_id and below; neither: an administrator everyone, a head
 * their people and themself, anyone else themself. Answers
 *   {"from", "to" (the last day), "days", "default_estimate_min",
 *    "people": [{"user_id", "name", "department_id",
 *      "capacity_min", "planned_min", "load_pct" (the whole range),
 *      "days": [{"date", "capacity_min", "absent", "task_min",
 *        "meeting_min", "planned_min", "load_pct", "overloaded",
 *        "items": [{"id", "kind", "subject", "minutes", "estimated",
 *                   "at"}]}]}]}
 * by name. CRM_EINVAL with cx->errs naming "from", "days", "user_id" or
 * "department_id" for bad values; CRM_ENOTFOUND for no such user or
 * department; CRM_EFORBIDDEN for someone the actor may not see.
 */
int workload_get(struct core_ctx *cx, const struct workload_query *wq,
    json_t **out);

/*
 * Would one more task overload a person? in is {user_id, due_at (RFC
 * 3339), estimate_min? (default WORKLOAD_DEFAULT_EST), activity_id? (a
 * task being edited: its own minutes are not counted twice)}. Answers
 * {"user_id", "day" (the person's local day of due_at), "capacity_min",
 * "planned_before_min", "planned_after_min", "load_before", "load_after"
 * (percent, null without capacity), "overloaded" (after > capacity)}.
 * Same rights and errors as workload_get.
 */
int workload_check(struct core_ctx *cx, json_t *in, json_t **out);

#endif
