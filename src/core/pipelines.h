/*
 * Sales pipelines and the reasons deals are lost (issue 7's first slice).
 * A pipeline is an ordered list of stages; each has a win probability
 * (percent), an optional time limit in days, and a kind: open, or one of
 * the final states won and lost, of which a pipeline has exactly one each.
 * Everyone signed in reads them (boards and forms need them); changes need
 * an administrator and are audited.
 *
 * JSON in, JSON out; *out is a new reference for the caller.
 */
#ifndef CORE_PIPELINES_H
#define CORE_PIPELINES_H

#include <jansson.h>

#include "core/core.h"

#define PIPELINE_NAME_MAX 120
#define PIPELINE_STAGES_MAX 30
#define LOST_REASON_MAX 200

/* {"data": [{id, name, position, archived, stages: [{id, name, position,
 * probability, time_limit_days, kind}]}]} */
int pipeline_list(struct core_ctx *cx, json_t **out);
int pipeline_get(struct core_ctx *cx, int64_t id, json_t **out);
/*
 * The id of the first active pipeline by position, id: the one boards and
 * reports show when none is named. CRM_ENOTFOUND when there is none.
 */
int pipeline_first_active(struct core_ctx *cx, int64_t *id);
/*
 * {name, position?, stages: [{name, probability?, time_limit_days?,
 * kind?}]}: the stages in order; open ones first is the usual shape.
 */
int pipeline_create(struct core_ctx *cx, json_t *in, json_t **out);
/*
 * {name?, position?, archived?, stages?}: stages, when given, are the
 * whole new list; an entry with "id" keeps (and changes) that stage,
 * one without is new, and stages left out are removed.
 */
int pipeline_update(struct core_ctx *cx, int64_t id, json_t *in, json_t **out);
int pipeline_delete(struct core_ctx *cx, int64_t id);

/* {"data": [{id, name, active}]} */
int lost_reason_list(struct core_ctx *cx, json_t **out);
int lost_reason_create(struct core_ctx *cx, json_t *in, json_t **out);
/* {name?, active?}: a reason in use is retired (active false), not deleted. */
int lost_reason_update(struct core_ctx *cx, int64_t id, json_t *in,
    json_t **out);
int lost_reason_delete(struct core_ctx *cx, int64_t id);

#endif
