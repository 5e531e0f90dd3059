/*
 * Plans and plan-fact (issue 12): targets per person, department or the
 * whole company, per month ("2026-11"), quarter ("2026-Q4") or year
 * ("2026"), for a metric, and how the period is going against them.
 *
 * Metrics, each counted for the records the row's people own (a person:
 * theirs; a department: everyone's in it and below; the company: all)
 * within the period (UTC days):
 *   revenue_won    sum of amount_base of deals won (closed_at in period),
 *                  minor units of the base currency
 *   deals_won      number of those deals
 *   avg_deal_size  revenue_won / deals_won (rounded down; 0 without any)
 *   new_clients    companies created
 *   calls          calls logged (done_at, else created_at)
 *   meetings       meetings held (done_at)
 *   tasks_done     tasks completed (done_at)
 *
 * Rights: an administrator reads and writes every row; a head reads and
 * writes the departments they head and those below, and their people;
 * anyone else reads their own row only and writes nothing
 * (CRM_EFORBIDDEN). Every write is audited ("plan.changed",
 * "plan.split") in the same transaction.
 *
 * JSON in, JSON out; *out is a new reference for the caller.
 */
#ifndef CORE_PLANS_H
#define CORE_PLANS_H

#include <jansson.h>

#include "core/core.h"

#define PLAN_CELLS_MAX 2000		/* cells in one write */
#define PLAN_TARGET_MAX 1000000000000000LL	/* 10^15: any real target */
#define PLAN_ROWS_MAX 2000		/* people and departments in one answer */

/* The metric names, NULL-terminated, in the order answers list them. */
extern const char *const plan_metrics[];
#define PLAN_NMETRICS 7

/*
 * Parses a period into its first day and the day after its last (days
 * since 1970-01-01, UTC). -1 when it is none of YYYY, YYYY-MM, YYYY-Qn.
 */
int plan_period_parse(const char *s, int64_t *from_day, int64_t *to_day);

/*
 * The plan-fact numbers of one metric (pure: the caller gives everything).
 * total and elapsed are working days of the period and those gone by
 * (today included). plan < 0: none.
 */
struct plan_fact {
	int64_t	plan;		/* -1: none */
	int64_t	actual;
	int64_t	percent;	/* actual * 100 / plan, rounded; -1: no plan or 0 */
	int64_t	projection;	/* actual / elapsed fraction; -1: nothing elapsed */
	int64_t	pace;		/* per remaining working day to reach the plan; -1: none left or no plan */
	bool	behind;		/* projection below plan */
};
void plan_fact_compute(int64_t plan, int64_t actual, bool average,
    int64_t total, int64_t elapsed, struct plan_fact *f);

/*
 * The grid of period: {"period", "metrics": [...], "rows": [{"scope":
 * "company"|"department"|"user", "id" (null for the company), "name",
 * "parent_id" (departments) | "department_id" (people), "plan": {metric:
 * target}}]}: the rows the actor may read (company, departments by name,
 * people by name). CRM_EINVAL naming "period" when bad.
 */
int plan_grid(struct core_ctx *cx, const char *period, json_t **out);

/*
 * Writes {period, cells: [{scope, id (null for the company), metric,
 * target: a whole number >= 0, or null to clear}]} all or nothing,
 * audited once as "plan.changed"; *out is the grid after. CRM_EINVAL
 * naming "period" or "cells[i].field"; CRM_EFORBIDDEN for a row the actor
 * may not plan.
 */
int plan_put(struct core_ctx *cx, json_t *in, json_t **out);

/*
 * {department_id, metric, period, mode: "equal"}: the department's plan
 * for that metric and period shared among its active direct members by
 * name, equally, the remainder one each to the first, so the shares add
 * up to the plan; audited as "plan.split". *out: {department_id, metric,
 * period, target, people: [{user_id, name, target}]}. CRM_EINVAL when the
 * department has no such plan or no people.
 */
int plan_split(struct core_ctx *cx, json_t *in, json_t **out);

/*
 * Plan-fact of period at now_ms: {"period", "from", "to", "working_days",
 * "elapsed_days", "rows": [{scope, id, name, parent_id | department_id,
 * "metrics": {metric: {plan, actual, percent, projection, pace_needed,
 * behind}}}]}; null for what has no value. Rows: department_id (NULL:
 * what the actor may read) and every department and person below it. A
 * department's plan is its own, else the sum of its sub-departments' and
 * direct members' (not for avg_deal_size); the company's its own, else
 * the sum of the top departments'. Working days are the default
 * calendar's.
 */
int plan_fact(struct core_ctx *cx, const char *period,
    const char *department_id, int64_t now_ms, json_t **out);

/*
 * The actuals of one person's records in [from_ms, to_ms), in
 * plan_metrics order: what plan_fact counts for their row (core/kpi.h
 * scores them). No rights check: the caller decides who may see them.
 */
int plan_actuals_user(struct core_ctx *cx, int64_t user_id, int64_t from_ms,
    int64_t to_ms, int64_t act[PLAN_NMETRICS]);

#endif
