/*
 * The revenue forecast (issue 12): the revenue expected per calendar month
 * (UTC) for the current month and the months after it, three ways, and how
 * well the history method did on the past twelve months.
 *
 * Revenue is amount_base (minor units of the base currency) of won deals,
 * counted in the month of closed_at. Every figure is over the deals the
 * actor may read (the rights predicate inside the SQL) and the filters
 * pipeline_id, department_id and owner_id (as in the deal list).
 *
 * (a) Pipeline. Each open deal with an amount in the base currency counts
 *     amount_base * its stage's probability / 100 in the month of its
 *     expected close date. A deal whose expected date has passed counts in
 *     the current month (it is still open, so it is expected now, not
 *     lost); one without an expected date, or expected after the last
 *     month shown, counts in no month and is reported apart ("undated",
 *     "beyond"). The current month's pipeline also holds what was won in
 *     it so far ("won_to_date"): its figure is the month's whole expected
 *     revenue, as for every other month.
 *
 * (b) History. The forecast of month t made at the start of month o
 *     (o <= t, everything before o known) is
 *         history(t) = mean over k = 1..3 of A[t - 12k] * r^k
 *     where A[m] is the month's won revenue, over the years k whose month
 *     t - 12k is not before the first month with any revenue (the data's
 *     start: earlier months are "not yet using the CRM", not zeros), and r
 *     is the recent trend: the revenue of the twelve months before o
 *     divided by that of the twelve months before those, clamped to
 *     [0.5, 2], or 1 when those 24 months are not all after the data's
 *     start or the older twelve sum to 0. Scaling year k back by r^k makes
 *     a steady yearly growth vanish: a series that repeats a seasonal
 *     shape and grows by a fixed ratio a year is forecast exactly. No year
 *     available: no history figure (null). r is kept in basis points
 *     (10000 = 1) and the arithmetic is on integers.
 *
 * (c) Combined: max(pipeline, history). The history is what the month
 *     usually brings, deals not yet in sight included; the pipeline is
 *     what is already in sight (and, for the current month, won). When
 *     the pipeline exceeds the usual the month is expected to beat it;
 *     otherwise the usual stands, with the pipeline as its part already
 *     visible. Without a history figure, the pipeline.
 *
 * Range of the history: [low, high] = the smallest and largest of the
 *     yearly terms A[t - 12k] * r^k, widened to history * (1 -/+ MAPE)
 *     when that reaches further (MAPE of the backtest below), low at
 *     least 0. The combined range is [max(pipeline, low), max(pipeline,
 *     high)].
 *
 * Backtest: each of the twelve months p before the current one forecast
 *     by the history method as if it were the start of p (o = t = p),
 *     against its actual; error = |forecast - actual| / actual in basis
 *     points, for months with an actual above 0 and a forecast. MAPE: the
 *     mean of those errors (rounded), null when there are none.
 */
#ifndef CORE_FORECAST_H
#define CORE_FORECAST_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "core/record.h"

#define FORECAST_MONTHS_MIN 3
#define FORECAST_MONTHS_MAX 12
#define FORECAST_MONTHS_DEFAULT 6
#define FORECAST_YEARS 3		/* previous years a month looks at */
#define FORECAST_BACKTEST 12		/* past months backtested */
/* Months of actuals a forecast reads: the backtest's oldest origin needs
 * three years and two trend windows before it. */
#define FORECAST_HISTORY (FORECAST_BACKTEST + 12 * FORECAST_YEARS)
#define FORECAST_TREND_MIN_BP 5000
#define FORECAST_TREND_MAX_BP 20000

/* ---- the pure method (no database): unit-tested on its own ---- */

/*
 * The series: a[i] is month i's revenue (i = 0 the oldest), n months, and
 * start the index of the data's first month (n when there is none).
 */
struct fc_series {
	const int64_t	*a;
	int		 n;
	int		 start;
};

/* The index of the first month of s with a value above 0 (s->n if none). */
int fc_data_start(const int64_t *a, int n);

/*
 * The trend r at origin o (months before o known), in basis points, and
 * whether it came from data (false: no full 24 months, or a zero base;
 * then 10000).
 */
int64_t fc_trend_bp(const struct fc_series *s, int o, bool *from_data);

/*
 * The history forecast of month t (may be >= s->n: a future month) made at
 * origin o (o <= t; o <= s->n). *value, and *low and *high the smallest and
 * largest yearly term; *years how many years took part. Returns 0, or -1
 * when no year is available (the outputs are then 0).
 */
int fc_history(const struct fc_series *s, int o, int t, int64_t *value,
    int64_t *low, int64_t *high, int *years);

/*
 * The backtest of the months [from, s->n): forecast[i], error_bp[i] (-1:
 * none) for month from + i, and the MAPE in basis points (-1: none).
 * forecast[i] is -1 when the method had no year for that month.
 */
int64_t fc_backtest(const struct fc_series *s, int from, int64_t *forecast,
    int64_t *error_bp);

/* Widens [*low, *high] around value by mape_bp (>= 0); low stays >= 0. */
void fc_range(int64_t value, int64_t mape_bp, int64_t *low, int64_t *high);

/* ---- the report ---- */

/*
 * The forecast for lq's filters: months (3..12, default 6), pipeline_id,
 * department_id, owner_id; anything else (another key, q, sort, cursor,
 * limit, deleted) is CRM_EBADQUERY naming it, as are bad values. now_ms
 * fixes the current month. A role that hides deal amounts gets
 * CRM_EFORBIDDEN. *out (new reference):
 *   {"months", "as_of" (YYYY-MM-DD), "base_currency", "trend_bp" (null:
 *    none from data),
 *    "forecast": [{"month": "YYYY-MM", "pipeline", "pipeline_deals",
 *        "won_to_date" (the current month; else 0), "history" (null),
 *        "history_years", "low", "high" (null with history), "combined",
 *        "combined_low", "combined_high"}],
 *    "undated": {"count", "weighted"}, "beyond": {"count", "weighted"},
 *    "unconverted": open deals without amount_base (left out),
 *    "backtest": {"mape_bp", "months": [{"month", "actual", "forecast",
 *        "error_bp"}]}}
 */
int forecast_report(struct core_ctx *cx, const struct list_query *lq,
    int64_t now_ms, json_t **out);

#endif
