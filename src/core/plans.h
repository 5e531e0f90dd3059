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
 *   report:<id>    the number a saved designer report answers (one count,
 *                  count_distinct or sum, no group_by) for the period and
 *                  the row's people, run under the reader's rights
 *                  (plan_report.c says how it is narrowed); at most
 *                  PLAN_REPORTS_MAX of them in a period. A report the
 *                  writer may not read, or that is no single number, is
 *                  refused as a metric; one that became unfit later has
 *                  no actual (null).
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
#include "util/table.h"

#define PLAN_CELLS_MAX 2000		/* cells in one write */
#define PLAN_TARGET_MAX 1000000000000000LL	/* 10^15: any real target */
#define PLAN_ROWS_MAX 2000		/* people and departments in one answer */
#define PLAN_REPORTS_MAX 20		/* report metrics planned in one period */
#define PLAN_METRIC_MAX 32		/* bytes of a metric's name, NUL included */
#define PLAN_IMPORT_ROWS_MAX 5000	/* targets in one imported file */

enum plan_scope { PLAN_COMPANY, PLAN_DEPARTMENT, PLAN_USER };

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
 * Whose records a row counts: user_id > 0 one person; else the departments
 * depts[0..ndepts) (a department and those below it); neither: everyone.
 */
struct plan_people {
	int64_t		 user_id;
	const int64_t	*depts;
	int		 ndepts;
};

/* ---- plan_report.c: designer reports as metrics ---- */

/* The report id of a metric "report:<id>": 0, or -1 when it is not one. */
int plan_report_id(const char *metric, int64_t *id);
/*
 * May report id be a metric for the actor? CRM_OK; CRM_EINVAL with why (a
 * sentence for a field error) when they may not read it or it is no
 * single number; another code when the database failed.
 */
int plan_report_check(struct core_ctx *cx, int64_t id, char *why,
    size_t whylen);
/*
 * The actual of report id for the days [from_day, to_day) and who: *actual,
 * or -1 when the report is unfit now or too large once narrowed.
 */
int plan_report_actual(struct core_ctx *cx, int64_t id,
    const struct plan_people *who, int64_t from_day, int64_t to_day,
    int64_t now_ms, int64_t *actual);

/* ---- writing targets of several periods (the import) ---- */

struct plan_cell {
	char		period[8];		/* checked: plan_period_parse */
	enum plan_scope	scope;
	int64_t		id;			/* 0 for the company */
	char		metric[PLAN_METRIC_MAX];	/* checked: plan_metric_check */
	int64_t		target;			/* >= 0; -1 clears */
};

/*
 * Is name a metric the actor may plan? CRM_OK, CRM_EINVAL with why, or a
 * database failure.
 */
int plan_metric_check(struct core_ctx *cx, const char *name, char *why,
    size_t whylen);
/* ok[i]: may the actor plan for cell i's row (see the rights above)? */
int plan_may_write(struct core_ctx *cx, const struct plan_cell *c, size_t n,
    bool *ok);
/*
 * Writes the cells all or nothing in one transaction, audited once as
 * action with detail (borrowed). The caller has checked them all.
 */
int plan_write(struct core_ctx *cx, const struct plan_cell *c, size_t n,
    const char *action, json_t *detail);

/* ---- plan_import.c ---- */

/*
 * Reads targets from the CSV or XLSX file at path (o: encoding, delimiter,
 * sheet; may be NULL). The first row names the columns, in any order and
 * case: "who" (a person's email, a department's name, or "company"),
 * "metric", "period", "target" (a whole number from 0; empty clears).
 * Every bad cell is reported; nothing is written unless every row is good
 * and dry_run is false, then all rows in one transaction, audited as
 * "plan.imported". *out: {"dry_run", "rows", "written" (0 in a dry run or
 * with errors), "errors": [{"row", "column", "value", "reason"}]};
 * CRM_EINVAL (with *out set) when there are errors, so a caller answers
 * 422 with the list. A file that cannot be read is CRM_EINVAL naming
 * "file".
 */
int plan_import(struct core_ctx *cx, const char *path,
    const struct table_opts *o, bool dry_run, json_t **out);

/*
 * The actuals of one person's records in [from_ms, to_ms), in
 * plan_metrics order: what plan_fact counts for their row (core/kpi.h
 * scores them). No rights check: the caller decides who may see them.
 */
int plan_actuals_user(struct core_ctx *cx, int64_t user_id, int64_t from_ms,
    int64_t to_ms, int64_t act[PLAN_NMETRICS]);

#endif
