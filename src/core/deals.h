/*
 * Deals: the record engine's entity_deals (fields, checks, stage history)
 * and what only deals have: moving between stages, the stage history with
 * the time spent in each stage, and the Kanban board of a pipeline.
 *
 * A deal is always in one stage of one pipeline. Any change of stage, by
 * POST /deals/{id}/move or by a PATCH of stage_id, closes the deal's open
 * history row and opens one for the new stage in the same transaction; so
 * does creating a deal. A deal's pipeline is fixed at creation. Entering a
 * lost stage needs a lost reason (an active one from the list); leaving it
 * clears the reason. Entering won or lost sets closed_at; reopening clears
 * it.
 *
 * Rights are the record engine's: moving is an update of the deal.
 *
 * For the funnel report (core/funnel.h) each history row carries its
 * deal's created_at, and each deal its furthest_stage_id: the stage of its
 * history furthest along the funnel, set on every stage change and
 * recomputed by deal_furthest_refresh() when its pipeline is restaged.
 *
 * JSON in, JSON out; *out is a new reference for the caller.
 */
#ifndef CORE_DEALS_H
#define CORE_DEALS_H

#include <jansson.h>

#include "core/record.h"

#define BOARD_CARDS_DEFAULT 20	/* cards per column on the board */
#define BOARD_CARDS_MAX 100

/*
 * Moves deal id to the stage in {stage_id, lost_reason_id?,
 * lost_comment?}. if_version as rec_update. CRM_EINVAL with cx->errs for
 * a stage of another pipeline, an unknown stage, or lost without a reason.
 */
int deal_move(struct core_ctx *cx, int64_t id, int64_t if_version, json_t *in,
    json_t **out);

/*
 * The stages deal id went through, oldest first, and the time spent per
 * stage: {"data": [{stage_id, stage_name, entered_at, entered_by,
 * left_at, duration_ms}], "by_stage": [{stage_id, stage_name, visits,
 * duration_ms}]}. The current stay counts up to now.
 */
int deal_history(struct core_ctx *cx, int64_t id, json_t **out);

/*
 * The Kanban board of the pipeline named by lq's pipeline_id filter (else
 * the first active pipeline): {"pipeline": {...}, "base_currency",
 * "columns": [{stage: {...}, count, amount_base, unconverted, stuck,
 * cards: [deal...], more}]}. lq carries the list filters (owner_id,
 * department_id, source, created_at[gte], expected_close[lte], ...; the
 * same as the deal list) and limit, the cards per column. count and
 * amount_base cover every deal of the column the actor may read;
 * unconverted counts those without an exchange rate, left out of the sum.
 */
int deal_board(struct core_ctx *cx, const struct list_query *lq, json_t **out);

/*
 * The deal's line items and their totals: {currency, price_list_id,
 * items: [{product_id, name, quantity, unit_id, unit, whole, price,
 * discount, tax, net, tax_amount, total}], net, tax_amount, total}. Lines
 * are written with the deal: "items" in a create or PATCH body (the whole
 * list; [] removes them), priced by catalog_lines; while there are lines
 * the amount is their total. CRM_EFORBIDDEN when the role hides amounts.
 */
int deal_items_get(struct core_ctx *cx, int64_t id, json_t **out);
/* For deals.c's hooks: the lines of a write, checked and priced; stored. */
int deal_items_prepare(struct core_ctx *cx, json_t *cur, json_t *in,
    json_t *merged);
int deal_items_write(struct core_ctx *cx, int64_t id, json_t *merged);

/*
 * Exchange rates of currency changed (NULL: any, or the base currency):
 * queues a background job that brings amount_base of the deals in it up
 * to date, in batches. Call in the transaction of the change.
 */
int deal_revalue_enqueue(struct core_ctx *cx, const char *currency);
/*
 * The job: one batch of deals of payload's currency after payload's
 * after_id (queuing the next batch), or, with no currency, a job per
 * currency deals are in. The rate day of a deal is as at writing: the day
 * it closed, else today.
 */
int deal_revalue_run(struct core_ctx *cx, json_t *payload);

/*
 * Recomputes furthest_stage_id (the funnel's "reached", core/funnel.h) of
 * every deal of the pipeline: for core/pipelines.c after its stages were
 * reordered, added, removed or changed kind. In the caller's transaction.
 */
int deal_furthest_refresh(struct core_ctx *cx, int64_t pipeline_id);

#endif
