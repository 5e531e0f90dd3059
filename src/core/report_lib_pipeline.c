/*
 * The library's "pipeline_by_close_month" (docs/reports.md): the open
 * deals by the month of expected_close (a date; none: the last row), with
 * their count, sum of amount_base, and that sum weighted by the
 * probability of the stage each is in (percent; the weighted sum is
 * rounded down to a whole minor unit). The weight comes from another
 * table, which a description's aggregates cannot multiply by.
 */
#include "core/reports.h"

#include "core/access.h"

int
report_lib_pipeline_months(struct core_ctx *cx, const struct rd_env *env,
    json_t **out)
{
	static const enum rd_type types[] = { RT_DATE, RT_INT, RT_INT, RT_INT };
	bool amounts = access_field(cx, &entity_deals, "amount_base") !=
	    FIELD_HIDDEN;
	json_t *cols;
	struct dbq q;
	int rc;

	*out = NULL;
	dbq_init(&q);
	dbq_sql(&q, "SELECT ");
	db_bucket_expr(cx->db, &q, "t.expected_close", "month", true, NULL);
	dbq_sql(&q, ", COUNT(*), %s FROM deals t LEFT JOIN pipeline_stages s ON "
	    "s.id = t.stage_id WHERE t.deleted_at IS NULL AND t.status = 'open'",
	    amounts ? "SUM(t.amount_base), SUM(t.amount_base * s.probability) / "
	    "100" : "NULL, NULL");
	rc = report_scope_where(cx, &entity_deals, env, "t", &q);
	rd_filters_sql(cx, env->lib,
	    rd_filter_cols_of(&entity_deals), &q);
	dbq_sql(&q, " GROUP BY 1 ORDER BY 1 ASC NULLS LAST");
	if (rc != CRM_OK) {
		dbq_free(&q);
		return rc;
	}
	cols = json_pack("[{s:s, s:s, s:s}, {s:s, s:s, s:s}, {s:s, s:s, s:s}, "
	    "{s:s, s:s, s:s}]",
	    "key", "expected_close:month", "label", "Expected close (month)",
	    "type", "date",
	    "key", "count", "label", "Open deals", "type", "integer",
	    "key", "sum:amount_base", "label", "Amount (base currency)", "type",
	    "integer",
	    "key", "weighted", "label", "Weighted by stage probability", "type",
	    "integer");
	rc = report_run_sql(cx, &q, cols, types, 4, RD_MAX_LIMIT, "bar", out);
	dbq_free(&q);
	return rc;
}
