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
 * Recomputes furthest_stage_id (the funnel's "reached", core/funnel.h) of
 * every deal of the pipeline: for core/pipelines.c after its stages were
 * reordered, added, removed or changed kind. In the caller's transaction.
 */
int deal_furthest_refresh(struct core_ctx *cx, int64_t pipeline_id);

#endif
