/*
 * The library's "activity_by_manager" (docs/reports.md): per owner, of
 * the activities created in the period that the actor may read: calls,
 * meetings, tasks done, and open tasks whose due time has passed now.
 * Counting several kinds side by side in one row needs conditional sums,
 * which descriptions do not have.
 *
 * The whole UTC days inside the period come from activity_tally
 * (migration 0038, docs/reports.md "Kept tallies"), kept per owner and day
 * by triggers; the rows of the partial days at either end, the ones read
 * only through a share or a participation, and the open tasks past their
 * due time (which depends on now) are counted one by one. That is the same
 * count as over the activities themselves, in any zone, with a few
 * thousand rows read instead of a million. A segment filter joins the
 * activity's company, which the tally does not know: then the activities
 * themselves are counted.
 */
#include "core/reports.h"

#include "core/access.h"
#include "util/timeutil.h"

#define DAY_MS		86400000LL
#define COUNTS_SQL	"CASE WHEN t.kind = 'call' THEN 1 ELSE 0 END, CASE " \
	"WHEN t.kind = 'meeting' THEN 1 ELSE 0 END, CASE WHEN t.kind = " \
	"'task' AND t.status = 'done' THEN 1 ELSE 0 END, 0"

static const struct rd_filter_cols tally_cols = { "k.owner_id", NULL, NULL,
    NULL };

/* The export scope on top, when the run is an export. */
static int
export_owners(struct core_ctx *cx, const struct rd_env *env, const char *col,
    struct dbq *q)
{
	if (!env->export_scope)
		return CRM_OK;
	return access_owners_where(cx, &entity_activities, ACC_EXPORT, col, q);
}

/*
 * A part of the union counted row by row: the activities created in
 * [lo, hi] of the owners the tally counts, or (beyond) those read only
 * through a share or a participation. One plain range each, so that it is
 * a range of the created_at index (an OR of two ranges scans it all).
 */
static int
rows_part(struct core_ctx *cx, const struct rd_env *env, int64_t lo,
    int64_t hi, bool beyond, int rc, struct dbq *q)
{
	dbq_sql(q, " UNION ALL SELECT COALESCE(t.owner_id, 0), 1, " COUNTS_SQL
	    " FROM activities t WHERE t.deleted_at IS NULL AND t.created_at >= "
	    "? AND t.created_at <= ?");
	dbq_int(q, lo);
	dbq_int(q, hi);
	if (rc == CRM_OK)
		rc = beyond ? access_beyond_owners_where(cx, &entity_activities,
		    "t", q) : access_owners_where(cx, &entity_activities,
		    ACC_READ, "t.owner_id", q);
	if (rc == CRM_OK)
		rc = export_owners(cx, env, "t.owner_id", q);
	rd_filters_sql(cx, env->lib, rd_filter_cols_of(&entity_activities), q);
	return rc;
}

/*
 * The statement over the tally: whole days [d0, d1) from it and the rest
 * of [from_ms, to_ms] from the rows, each part reduced to (owner, n,
 * calls, meetings, done, overdue); n keeps an owner whose activities are
 * none of those, as the plain count does.
 */
static int
tally_sql(struct core_ctx *cx, const struct rd_env *env, int64_t from_ms,
    int64_t to_ms, struct dbq *q)
{
	int64_t d0 = (from_ms + DAY_MS - 1) / DAY_MS, d1 = (to_ms + 1) / DAY_MS;
	int rc;

	if (d1 < d0)
		d1 = d0;
	dbq_sql(q, "SELECT NULLIF(x.owner_id, 0), u.name, CAST(SUM(x.calls) AS "
	    "BIGINT), CAST(SUM(x.meetings) AS BIGINT), CAST(SUM(x.done) AS "
	    "BIGINT), CAST(SUM(x.overdue) AS BIGINT) FROM (SELECT k.owner_id, "
	    "k.activities AS n, k.calls, k.meetings, k.tasks_done AS done, 0 "
	    "AS overdue FROM activity_tally k WHERE k.activities > 0 AND k.day "
	    ">= ? AND k.day < ?");
	dbq_int(q, d0);
	dbq_int(q, d1);
	rc = access_owners_where(cx, &entity_activities, ACC_READ, "k.owner_id",
	    q);
	if (rc == CRM_OK)
		rc = export_owners(cx, env, "k.owner_id", q);
	rd_filters_sql(cx, env->lib, &tally_cols, q);
	/* The partial days at the ends (empty when d0 == d1: then all). */
	if (d0 == d1) {
		rc = rows_part(cx, env, from_ms, to_ms, false, rc, q);
	} else {
		rc = rows_part(cx, env, from_ms, d0 * DAY_MS - 1, false, rc, q);
		rc = rows_part(cx, env, d1 * DAY_MS, to_ms, false, rc, q);
	}
	rc = rows_part(cx, env, from_ms, to_ms, true, rc, q);
	/* Overdue depends on now: the open tasks past due, counted as rows. */
	dbq_sql(q, " UNION ALL SELECT COALESCE(t.owner_id, 0), 0, 0, 0, 0, 1 "
	    "FROM activities t WHERE t.deleted_at IS NULL AND t.kind = 'task' "
	    "AND t.status = 'open' AND t.due_at < ? AND t.created_at >= ? AND "
	    "t.created_at <= ?");
	dbq_int(q, env->now_ms);
	dbq_int(q, from_ms);
	dbq_int(q, to_ms);
	if (rc == CRM_OK)
		rc = report_scope_where(cx, &entity_activities, env, "t", q);
	rd_filters_sql(cx, env->lib, rd_filter_cols_of(&entity_activities), q);
	dbq_sql(q, ") x LEFT JOIN users u ON u.id = x.owner_id GROUP BY "
	    "x.owner_id, u.name HAVING SUM(x.n) > 0 ORDER BY 2 ASC, 1 ASC");
	return rc;
}

/* The activities themselves: for a filter the tally cannot answer. */
static int
rows_sql(struct core_ctx *cx, const struct rd_env *env, int64_t from_ms,
    int64_t to_ms, struct dbq *q)
{
	int rc;

	dbq_sql(q, "SELECT t.owner_id, u.name, "
	    "SUM(CASE WHEN t.kind = 'call' THEN 1 ELSE 0 END), "
	    "SUM(CASE WHEN t.kind = 'meeting' THEN 1 ELSE 0 END), "
	    "SUM(CASE WHEN t.kind = 'task' AND t.status = 'done' THEN 1 ELSE 0 "
	    "END), SUM(CASE WHEN t.kind = 'task' AND t.status = 'open' AND "
	    "t.due_at < ? THEN 1 ELSE 0 END) FROM activities t LEFT JOIN users u "
	    "ON u.id = t.owner_id WHERE t.deleted_at IS NULL AND t.created_at >= "
	    "? AND t.created_at <= ?");
	dbq_int(q, env->now_ms);
	dbq_int(q, from_ms);
	dbq_int(q, to_ms);
	rc = report_scope_where(cx, &entity_activities, env, "t", q);
	rd_filters_sql(cx, env->lib,
	    rd_filter_cols_of(&entity_activities), q);
	dbq_sql(q, " GROUP BY t.owner_id, u.name ORDER BY 2 ASC, 1 ASC");
	return rc;
}

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
	/* Negative times would fall in the wrong day of the tally's division. */
	if ((env->lib != NULL && env->lib->segment != NULL) || from_ms < 0)
		rc = rows_sql(cx, env, from_ms, to_ms, &q);
	else
		rc = tally_sql(cx, env, from_ms, to_ms, &q);
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
