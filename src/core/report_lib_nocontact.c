/*
 * The library's "clients_no_contact" (docs/reports.md): the companies the
 * actor may read whose last activity is older than N days, or that have
 * none, oldest first. An activity's moment is its start_at when it has
 * one (a call, a meeting), else its created_at, and only moments up to
 * now count (a meeting planned for next week is no contact yet). Only
 * activities the actor may read count, so the report says nothing about
 * contact they could not see.
 */
#include "core/reports.h"

#include "core/access.h"

#define DAY_MS 86400000LL

int
report_lib_no_contact(struct core_ctx *cx, const struct rd_env *env,
    int64_t days, json_t **out)
{
	static const enum rd_type types[] = { RT_ID, RT_TEXT, RT_ID, RT_TIME };
	json_t *cols;
	struct dbq q;
	int rc;

	*out = NULL;
	dbq_init(&q);
	/*
	 * Per company its latest moment, newest first in the index
	 * activities_company_moment (migrations 0035 and 0039): one probe
	 * each, where a GROUP BY over every activity read them all. The
	 * probes run once into x: as a plain subquery the planner would copy
	 * "last" into the filter and the order and probe three times.
	 */
	dbq_sql(&q, "WITH x AS MATERIALIZED (SELECT t.id "
	    "AS id, t.name AS name, t.owner_id AS owner_id, (SELECT "
	    "COALESCE(a.start_at, a.created_at) FROM activities a WHERE "
	    "a.company_id = t.id AND a.deleted_at IS NULL AND "
	    "COALESCE(a.start_at, a.created_at) <= ?");
	dbq_int(&q, env->now_ms);
	rc = access_where(cx, &entity_activities, ACC_READ, "a", &q);
	dbq_sql(&q, " ORDER BY COALESCE(a.start_at, a.created_at) DESC LIMIT 1) "
	    "AS last FROM companies t WHERE t.deleted_at IS NULL");
	if (rc == CRM_OK)
		rc = report_scope_where(cx, &entity_companies, env, "t", &q);
	rd_filters_sql(cx, env->lib,
	    rd_filter_cols_of(&entity_companies), &q);
	dbq_sql(&q, ") SELECT x.id, x.name, x.owner_id, x.last FROM x WHERE "
	    "x.last IS NULL OR x.last < ?");
	dbq_int(&q, env->now_ms - days * DAY_MS);
	dbq_sql(&q, " ORDER BY 4 ASC NULLS FIRST, 1 ASC LIMIT ?");
	dbq_int(&q, RD_MAX_LIMIT + 1);
	if (rc != CRM_OK) {
		dbq_free(&q);
		return rc;
	}
	cols = json_pack("[{s:s, s:s, s:s}, {s:s, s:s, s:s}, {s:s, s:s, s:s}, "
	    "{s:s, s:s, s:s}]",
	    "key", "id", "label", "Company id", "type", "id",
	    "key", "name", "label", "Company", "type", "text",
	    "key", "owner_id", "label", "Owner id", "type", "id",
	    "key", "last_activity", "label", "Last activity", "type", "time");
	rc = report_run_sql(cx, &q, cols, types, 4, RD_MAX_LIMIT, "table", out);
	dbq_free(&q);
	return rc;
}
