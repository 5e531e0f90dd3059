/*
 * KPI scorecards (issue 12): what a person's work in a period is worth,
 * line by line, against targets an administrator sets.
 *
 * A scorecard has a name, the people it applies to ("users": a list;
 * "department": everyone in it and below; "role": everyone with it), a
 * period kind (month "2026-11", quarter "2026-Q4", year "2026") and 1 to
 * KPI_LINES_MAX lines: a metric, a target, a weight and a scoring rule.
 *
 * Metrics, per person (the records they own, the steps assigned to them)
 * within the period (UTC days), "now" bounding what has fallen due:
 *   the plan metrics (core/plans.h): revenue_won, deals_won,
 *     avg_deal_size (no data without a won deal), new_clients, calls,
 *     meetings, tasks_done
 *   data_completeness  of the companies and contacts they own now, the
 *                      share with a phone, an email and a source, in basis
 *                      points (10000 = 100%); no data without any
 *   activities_logged  calls, meetings, emails, notes and chats created
 *   tasks_on_time      of the tasks due in the period (and due by now, or
 *                      done), the share done by their due time, basis
 *                      points; no data without any; cancelled ones left out
 *   steps_on_time      the same for process steps with a deadline
 *   overdue_tasks      tasks due in the period, due by now, not done by
 *                      their due time (for the inverse rule)
 *
 * Scores are basis points of a point (10000 = 100 points); integers all
 * the way, rounded down. Rules:
 *   linear     min(actual / target, cap / 100) * 100; cap a percent,
 *              100 to 1000 (default 100). A zero target is met by any
 *              actual: 100 points (there is no ratio to exceed it by).
 *   threshold  100 when actual >= target, else 0; with bands [{min,
 *              score}] (min ascending): the score of the highest band whose
 *              min the actual reaches, else 0 (the target is then only
 *              shown).
 *   inverse    "fewer is better": 100 at or below target, falling linearly
 *              to 0 at worst (worst > target), 0 beyond.
 * Weights (1 to 1000) are relative: a line contributes score * weight /
 * (the sum of the weights of the lines with data), so weights need not
 * add up to 100. A line without data ("no data": a share of nothing, an
 * average of nothing) scores nothing and its weight goes to the others;
 * when no line has data the total is null.
 *
 * Rights: scorecards are written by an administrator only
 * (CRM_EFORBIDDEN), audited ("kpi.scorecard_created", "_changed",
 * "_deleted"). Results: a person sees their own, a head those of the people
 * in the departments they head and below, an administrator everyone's;
 * a scorecard with nobody the actor may see is CRM_ENOTFOUND to them.
 * Closing a period (an administrator: everyone; a head: the people they
 * head, not themselves) freezes each person's explained result into
 * kpi_results ("kpi.closed"); it never changes after. Reopening is an
 * administrator's ("kpi.reopened") and drops the frozen rows.
 *
 * JSON in, JSON out; *out is a new reference for the caller.
 */
#ifndef CORE_KPI_H
#define CORE_KPI_H

#include <jansson.h>

#include "core/core.h"

#define KPI_NAME_MAX 200
#define KPI_LINES_MAX 20
#define KPI_BANDS_MAX 10
#define KPI_USERS_MAX 500		/* people listed on one scorecard */
#define KPI_TARGET_MAX 100000000000000LL	/* 10^14: keeps the arithmetic in int64 */
#define KPI_WEIGHT_MAX 1000
#define KPI_CAP_MAX 1000		/* linear: at most 10 times the target */
#define KPI_BAND_SCORE_MAX 1000
#define KPI_FULL_BP 10000		/* 100 points */

/* The metric names, NULL-terminated; the first PLAN_NMETRICS are plans'. */
extern const char *const kpi_metrics[];
/* The index of name in kpi_metrics, -1 when none. */
int kpi_metric_index(const char *name);
/* Whether a metric's actual is in basis points (a share). */
bool kpi_metric_is_share(int metric);

enum kpi_rule { KPI_LINEAR, KPI_THRESHOLD, KPI_INVERSE };

struct kpi_band {
	int64_t	min;		/* the actual from which it applies */
	int64_t	score;		/* points, 0..KPI_BAND_SCORE_MAX */
};

struct kpi_line {
	int		metric;
	int64_t		target;
	int64_t		weight;
	enum kpi_rule	rule;
	int64_t		cap;	/* linear: percent of the target, 100..1000 */
	int64_t		worst;	/* inverse: the actual that scores 0 */
	struct kpi_band	bands[KPI_BANDS_MAX];
	int		nbands;	/* threshold: 0 for plain */
};

/*
 * One line's score in basis points for actual (>= 0); -1 for actual < 0,
 * which means "no data". Pure.
 */
int64_t kpi_line_score(const struct kpi_line *l, int64_t actual);

/*
 * Scores n lines for their actuals (-1: no data) into score[i] (-1: no
 * data) and contribution[i] (basis points of the total; 0 without data).
 * Returns the total in basis points, -1 when no line has data. Pure.
 */
int64_t kpi_total(const struct kpi_line *lines, int n, const int64_t *actual,
    int64_t *score, int64_t *contribution);

/*
 * Checks the JSON lines of a scorecard into l (room for KPI_LINES_MAX);
 * each problem goes to errs as "lines[i].field". *n: how many. Pure.
 */
void kpi_lines_parse(json_t *lines, struct kpi_line *l, int *n,
    struct verrs *errs);
/*
 * Adds "is not a field" to errs for each key of o not in names
 * (NULL-terminated), named prefix + key ("lines[0].colour"). Pure.
 */
void kpi_only_keys(json_t *o, const char *const *names, const char *prefix,
    struct verrs *errs);
/* The JSON of one line: {metric, target, weight, rule, cap|worst|bands}. */
json_t *kpi_line_json(const struct kpi_line *l);

/*
 * Whether period names one period of kind ("month", "quarter", "year"),
 * with its first day and the day after its last (days since 1970-01-01).
 */
bool kpi_period_of_kind(const char *kind, const char *period, int64_t *from,
    int64_t *to);

/* ---- scorecards (core/kpi_cards.c) ---- */

/*
 * {"data": [{id, name, applies, user_ids, department_id, role_id,
 * period_kind, lines, created_at, updated_at, version}]}: all of them for
 * an administrator, else those applying to someone the actor may see.
 * Who a scorecard applies to (applies, user_ids, department_id, role_id)
 * is in an administrator's answers only, here and in kpi_card_get.
 */
int kpi_card_list(struct core_ctx *cx, json_t **out);
int kpi_card_get(struct core_ctx *cx, int64_t id, json_t **out);
/*
 * {name, applies, user_ids | department_id | role_id, period_kind, lines}:
 * CRM_EINVAL naming each bad field ("lines[2].worst").
 */
int kpi_card_create(struct core_ctx *cx, json_t *in, json_t **out);
/*
 * The same fields, each optional; the whole is checked again. if_version
 * < 0: no precondition; otherwise CRM_ECONFLICT unless it is the stored
 * version. A change committed between this call's read and its write is
 * CRM_ECONFLICT too, never overwritten.
 */
int kpi_card_update(struct core_ctx *cx, int64_t id, int64_t if_version,
    json_t *in, json_t **out);
/* Gone from lists and reads; results frozen under it stay in the table. */
int kpi_card_delete(struct core_ctx *cx, int64_t id);

/* ---- results (core/kpi_results.c) ---- */

/*
 * The results of a scorecard for period at now_ms: {scorecard_id, name,
 * period, from, to, people: [{user_id, name, department_id, closed,
 * closed_at, total_bp, lines: [{metric, target, weight, rule, cap|worst|
 * bands, actual, no_data, score_bp, contribution_bp}]}]}, by name: each
 * person the actor may see (only user_id when given, CRM_ENOTFOUND when
 * that one is not to be seen); frozen rows for closed people, computed
 * for the others. Query text in: CRM_EINVAL naming "scorecard_id",
 * "period" (of the scorecard's kind) or "user_id".
 */
int kpi_results(struct core_ctx *cx, const char *scorecard_id,
    const char *period, const char *user_id, int64_t now_ms, json_t **out);

/*
 * {scorecard_id, period}: freezes the results of the people the actor may
 * close (not yet closed) as of now_ms; a period not begun is refused. *out:
 * the results after. CRM_EFORBIDDEN when the actor may close nobody.
 */
int kpi_close(struct core_ctx *cx, json_t *in, int64_t now_ms, json_t **out);

/* {scorecard_id, period}: an administrator drops the frozen rows. */
int kpi_reopen(struct core_ctx *cx, json_t *in, int64_t now_ms, json_t **out);

#endif
