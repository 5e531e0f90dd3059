/*
 * The funnel report (issue 7): how the deals of one pipeline created in a
 * period went through its stages.
 *
 * The cohort: the live deals of the pipeline created within [from, to]
 * (whole UTC days, both inclusive) that the actor may read and that match
 * the filters (owner_id, department_id, source: as in the deal list).
 *
 * The steps of the funnel are the pipeline's open stages in order
 * (position, then id) followed by its won stage; lost is not a step. A
 * deal reached step S when its stage history has a row for S or for any
 * later step: skipping a stage counts as passing it. (With the usual shape,
 * open stages before won, "later" is "larger position".) A deal that went
 * back keeps what it reached.
 *
 * The answer:
 *   {"pipeline": {id, name}, "from", "to", "base_currency",
 *    "total": the cohort's size,
 *    "stages": [{"stage": {id, name, position, kind, probability},
 *                "reached", "moved_on" (reached the next step; null for won),
 *                "conversion" (moved_on / reached, 4 decimals; null when
 *                    reached is 0, and for won),
 *                "avg_ms" (mean of the completed stays, left_at -
 *                    entered_at, of cohort deals in the stage, rounded to
 *                    the ms; null if none),
 *                "value_base" (sum of amount_base of the deals that
 *                    reached it), "current" (cohort deals in it now)}],
 *    "won": {count, value_base}, "lost": {count, value_base,
 *        "reasons": [{id, name, count, value_base}] by count, most first},
 *    "end_to_end": won.count / total (4 decimals; null if total is 0),
 *    "unconverted": cohort deals without amount_base (no exchange rate),
 *        left out of every value_base,
 *    "drill": the query string of GET /api/v1/deals for the cohort}
 * won and lost count the deals whose status is won or lost now. Each
 * number is the count of the deal list at drill plus one filter:
 * reached_stage=<id>, stage_id=<id> (current), status=won, status=lost,
 * lost_reason_id=<id>. Values are integer minor units of the base
 * currency; null when the actor's role hides the amount (and reasons is
 * null when it hides lost_reason_id).
 */
#ifndef CORE_FUNNEL_H
#define CORE_FUNNEL_H

#include <jansson.h>

#include "core/record.h"

/* The longest period one report covers, in days. */
#define FUNNEL_MAX_DAYS 3660

/*
 * The funnel for the parameters in lq's filters: pipeline_id (default: the
 * first active pipeline by position, id), from and to (YYYY-MM-DD; to
 * defaults to today (UTC), from to 364 days before to, so the default is
 * the last 365 days), owner_id, department_id, source. Anything else in lq
 * (another key, q, sort, cursor, limit, deleted) is CRM_EBADQUERY naming
 * it, as are bad dates and from after to. An unknown pipeline is
 * CRM_ENOTFOUND. *out is a new reference.
 */
int funnel_report(struct core_ctx *cx, const struct list_query *lq,
    json_t **out);

#endif
