/*
 * The "schedule" trigger of process templates (issue 10): a template
 * whose trigger is {"type": "schedule", "cron", "tz", "filter"?} starts
 * one instance per record of its entity that matches filter (every
 * record without one) at each occurrence of its cron schedule
 * (core/cron.h), at most PSCHED_STARTS_MAX records an occurrence.
 *
 * One job per template version (kind "process_schedule", unique key
 * "process_schedule:<template>:<version>", core/jobs.h) waits for the
 * next occurrence. The job claim makes one server of several run it, and
 * its run re-arms it at the occurrence after the moment it runs: a
 * server that was down over one or several occurrences runs the schedule
 * once when it comes back, not once per missed occurrence. A job whose
 * version is no longer the current one ends (the new version has its
 * own); an archived template's job keeps its rhythm and starts nothing,
 * so restoring the template needs no new job.
 *
 * The actions are the system's, as for the other triggers: instances are
 * owned by nobody (the record's owner answers for them), and each run is
 * audited as process.schedule_run on the template, with how many records
 * matched, how many instances started and whether the cap cut it short.
 */
#ifndef CORE_PROCESS_SCHED_H
#define CORE_PROCESS_SCHED_H

#include <jansson.h>

#include "core/core.h"
#include "core/record.h"

#define PSCHED_STARTS_MAX 1000	/* instances one occurrence starts */
#define PSCHED_PREVIEW_MAX 10	/* occurrences the preview lists */

/*
 * Inside the transaction that saved version of template id with
 * definition def: when def's trigger is a schedule, queues the version's
 * job at its next occurrence (nothing when it is queued already).
 */
int psched_arm(struct core_ctx *cx, int64_t id, int64_t version, json_t *def);

/*
 * psched_arm for the current version of every template (at most
 * PSCHED_ARM_ALL_MAX): the job runner does this when it starts, so a
 * schedule saved before the jobs existed, or whose job was lost, runs.
 * Jobs already queued stay as they are.
 */
#define PSCHED_ARM_ALL_MAX 1000
int psched_arm_all(struct core_ctx *cx);

/*
 * The "process_schedule" job ({template_id, version}) inside its run
 * transaction: starts the instances of this occurrence and sets *again to
 * the next one (0: the job ends, its version is no longer current).
 */
int psched_run(struct core_ctx *cx, json_t *payload, int64_t *again,
    char *err, size_t errlen);

/*
 * What of a schedule's filter (may be NULL) plain columns decide, added to
 * q as " AND (...)" over e's table, so that psched_run reads only the
 * records it lets through and judges those with prun_cond_holds: whole
 * numbers and ids (e's integer and link fields, id, owner_id, created_by,
 * updated_by) and times as instants (e's time fields, created_at,
 * updated_at) compared by eq, in, gt, gte, lt, lte or not_empty with
 * values of their type. Any other part counts as true (an "any" holding
 * one then says nothing), so every record the filter matches passes.
 * Binds at most PSCHED_PREFILTER_PARAMS values: past that, the parts of a
 * top "all" that fit. Adds nothing when nothing can be said.
 */
#define PSCHED_PREFILTER_PARAMS 48	/* of DBQ_MAX_PARAMS */
void psched_prefilter(const struct entity *e, json_t *filter,
    struct dbq *q);

/*
 * Sets "next_run_at" in tpl: when version's schedule job runs next
 * (RFC 3339), or null when the version has no schedule waiting.
 */
int psched_next_run(struct core_ctx *cx, int64_t id, int64_t version,
    json_t *tpl);

/*
 * {cron, tz, count?} (count 1..PSCHED_PREVIEW_MAX, default 3): *out is
 * {"next": [RFC 3339 UTC], "local": ["YYYY-MM-DD HH:MM" in tz]}, the
 * next occurrences after now. CRM_EINVAL naming cron, tz or count.
 */
int psched_preview(struct core_ctx *cx, json_t *in, json_t **out);

#endif
