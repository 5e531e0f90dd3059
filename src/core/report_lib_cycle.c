/*
 * The library's "deal_size_cycle" (docs/reports.md): won deals closed in
 * the period, by owner: how many, their average amount_base, and the
 * average days from created_at to closed_at (1 decimal). A description
 * cannot say "closed_at - created_at", so it is a statement of its own,
 * under the same rights (report_scope_where).
 */
#include "core/reports.h"

#include "core/access.h"
#include "util/timeutil.h"

int
report_lib_deal_cycle(struct core_ctx *cx, const struct rd_env *env,
    int64_t from_ms, int64_t to_ms, json_t **out)
{
	static const enum rd_type types[] = { RT_ID, RT_TEXT, RT_INT, RT_NUMBER,
	    RT_NUMBER };
	bool amounts = access_field(cx, &entity_deals, "amount_base") !=
	    FIELD_HIDDEN;
	char from[TIME_RFC3339_LEN], to[TIME_RFC3339_LEN];
	json_t *cols, *base;
	struct dbq q;
	int rc;

	*out = NULL;
	dbq_init(&q);
	/* 86400000.0: a fraction in both dialects (numeric on PostgreSQL). */
	dbq_sql(&q, "SELECT t.owner_id, u.name, COUNT(*), %s, "
	    "ROUND(AVG((t.closed_at - t.created_at) / 86400000.0), 1) FROM deals "
	    "t LEFT JOIN users u ON u.id = t.owner_id WHERE t.deleted_at IS NULL "
	    "AND t.status = 'won' AND t.closed_at >= ? AND t.closed_at <= ?",
	    amounts ? "ROUND(AVG(t.amount_base), 4)" : "NULL");
	dbq_int(&q, from_ms);
	dbq_int(&q, to_ms);
	rc = report_scope_where(cx, &entity_deals, env, "t", &q);
	rd_filters_sql(cx, env->lib,
	    rd_filter_cols_of(&entity_deals), &q);
	dbq_sql(&q, " GROUP BY t.owner_id, u.name ORDER BY 3 DESC, 1 ASC");
	if (rc != CRM_OK) {
		dbq_free(&q);
		return rc;
	}
	cols = json_pack("[{s:s, s:s, s:s}, {s:s, s:s, s:s}, {s:s, s:s, s:s}, "
	    "{s:s, s:s, s:s}, {s:s, s:s, s:s}]",
	    "key", "owner_id", "label", "Owner id", "type", "id",
	    "key", "owner.name", "label", "Owner", "type", "text",
	    "key", "count", "label", "Won deals", "type", "integer",
	    "key", "avg:amount_base", "label", "Average amount (base currency)",
	    "type", "number",
	    "key", "avg_cycle_days", "label", "Average days to close", "type",
	    "number");
	rc = report_run_sql(cx, &q, cols, types, 5, RD_MAX_LIMIT, "bar", out);
	dbq_free(&q);
	if (rc != CRM_OK)
		return rc;
	time_format(from_ms, from, sizeof(from));
	time_format(to_ms, to, sizeof(to));
	base = json_pack("{s:s, s:s, s:s}", "status", "won", "closed_at[gte]",
	    from, "closed_at[lte]", to);
	report_drill_owner(*out, base);
	json_decref(base);
	return CRM_OK;
}
