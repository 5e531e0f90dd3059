/*
 * The library's "activity_by_manager" (docs/reports.md): per owner, of
 * the activities created in the period that the actor may read: calls,
 * meetings, tasks done, and open tasks whose due time has passed now.
 * Counting several kinds side by side in one row needs conditional sums,
 * which descriptions do not have.
 */
#include "core/reports.h"

#include "util/timeutil.h"

int
report_lib_activity(struct core_ctx *cx, const struct rd_env *env,
    int64_t from_ms, int64_t to_ms, json_t **out)
{
	static const enum rd_type types[] = { RT_ID, RT_TEXT, RT_INT, RT_INT,
	    RT_INT, RT_INT };
	char from[TIME_RFC3339_LEN], to[TIME_RFC3339_LEN];
	json_t *cols, *base;
	struct dbq q;
	int rc;

	*out = NULL;
	dbq_init(&q);
	dbq_sql(&q, "SELECT t.owner_id, u.name, "
	    "SUM(CASE WHEN t.kind = 'call' THEN 1 ELSE 0 END), "
	    "SUM(CASE WHEN t.kind = 'meeting' THEN 1 ELSE 0 END), "
	    "SUM(CASE WHEN t.kind = 'task' AND t.status = 'done' THEN 1 ELSE 0 "
	    "END), SUM(CASE WHEN t.kind = 'task' AND t.status = 'open' AND "
	    "t.due_at < ? THEN 1 ELSE 0 END) FROM activities t LEFT JOIN users u "
	    "ON u.id = t.owner_id WHERE t.deleted_at IS NULL AND t.created_at >= "
	    "? AND t.created_at <= ?");
	dbq_int(&q, env->now_ms);
	dbq_int(&q, from_ms);
	dbq_int(&q, to_ms);
	rc = report_scope_where(cx, &entity_activities, env, "t", &q);
	rd_filters_sql(cx, env->lib,
	    rd_filter_cols_of(&entity_activities), &q);
	dbq_sql(&q, " GROUP BY t.owner_id, u.name ORDER BY 2 ASC, 1 ASC");
	if (rc != CRM_OK) {
		dbq_free(&q);
		return rc;
	}
	cols = json_pack("[{s:s, s:s, s:s}, {s:s, s:s, s:s}, {s:s, s:s, s:s}, "
	    "{s:s, s:s, s:s}, {s:s, s:s, s:s}, {s:s, s:s, s:s}]",
	    "key", "owner_id", "label", "Owner id", "type", "id",
	    "key", "owner.name", "label", "Owner", "type", "text",
	    "key", "calls", "label", "Calls", "type", "integer",
	    "key", "meetings", "label", "Meetings", "type", "integer",
	    "key", "tasks_done", "label", "Tasks done", "type", "integer",
	    "key", "tasks_overdue", "label", "Tasks overdue", "type", "integer");
	rc = report_run_sql(cx, &q, cols, types, 6, RD_MAX_LIMIT, "bar", out);
	dbq_free(&q);
	if (rc != CRM_OK)
		return rc;
	time_format(from_ms, from, sizeof(from));
	time_format(to_ms, to, sizeof(to));
	base = json_pack("{s:s, s:s}", "created_at[gte]", from,
	    "created_at[lte]", to);
	report_drill_owner(*out, base);
	json_decref(base);
	return CRM_OK;
}
