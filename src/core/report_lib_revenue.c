/*
 * The library's "revenue_by_product" and "revenue_by_segment"
 * (docs/reports.md): the won deals closed in the period that the actor
 * may read (report_won_where), by what they sold and by whom they sold it
 * to.
 *
 * A line's total is in its deal's currency; its share of the base
 * currency is total * amount_base / amount, integer arithmetic (rounded
 * down per line), so a deal's lines add up to its amount_base within a
 * few minor units and money never goes through floating point. A deal
 * without a rate (amount_base null) adds nothing to the money columns.
 * The segment is the company's custom field "tier" (the one the SLA
 * policies match), read as the segment filter and the lists' segment=
 * read it, so a drill-down finds the same deals: a deal without a company
 * is the null segment.
 */
#include "core/reports.h"

#include "core/access.h"

static bool
amounts_visible(struct core_ctx *cx)
{
	return access_field(cx, &entity_deals, "amount_base") != FIELD_HIDDEN;
}

int
report_lib_product(struct core_ctx *cx, const struct rd_env *env,
    int64_t from_ms, int64_t to_ms, json_t **out)
{
	static const enum rd_type types[] = { RT_ID, RT_TEXT, RT_INT, RT_NUMBER,
	    RT_INT };
	static const char *const cols[][3] = {
		{ "product_id", "Product id", "id" },
		{ "product.name", "Product", "text" },
		{ "deals", "Won deals", "integer" },
		{ "quantity", "Quantity", "number" },
		{ "revenue_base", "Revenue (base currency)", "integer" },
	};
	json_t *base;
	struct dbq q;
	int rc;

	*out = NULL;
	dbq_init(&q);
	/* 1000.0: quantities are thousandths of a unit (deal_items). */
	dbq_sql(&q, "SELECT i.product_id, p.name, COUNT(DISTINCT t.id), "
	    "ROUND(SUM(i.quantity) / 1000.0, 3), %s FROM deal_items i JOIN deals "
	    "t ON t.id = i.deal_id LEFT JOIN products p ON p.id = i.product_id "
	    "WHERE", amounts_visible(cx) ? "SUM(CASE WHEN t.amount > 0 THEN "
	    "i.total * t.amount_base / t.amount ELSE 0 END)" : "NULL");
	rc = report_won_where(cx, env, from_ms, to_ms, &q);
	dbq_sql(&q, " GROUP BY i.product_id, p.name ORDER BY 5 DESC NULLS LAST, "
	    "1 ASC NULLS LAST");
	if (rc != CRM_OK) {
		dbq_free(&q);
		return rc;
	}
	rc = report_run_sql(cx, &q, report_columns(cols, 5), types, 5,
	    RD_MAX_LIMIT, "bar", out);
	dbq_free(&q);
	if (rc != CRM_OK)
		return rc;
	base = report_won_drill(from_ms, to_ms);
	report_drill_col(*out, base, "product_id", 0);
	json_decref(base);
	return CRM_OK;
}

int
report_lib_segment(struct core_ctx *cx, const struct rd_env *env,
    int64_t from_ms, int64_t to_ms, json_t **out)
{
	static const enum rd_type types[] = { RT_TEXT, RT_INT, RT_INT };
	static const char *const cols[][3] = {
		{ "segment", "Segment (company tier)", "text" },
		{ "count", "Won deals", "integer" },
		{ "sum:amount_base", "Amount (base currency)", "integer" },
	};
	json_t *base;
	struct dbq q;
	int rc;

	*out = NULL;
	if (access_field(cx, &entity_companies, "custom.tier") == FIELD_HIDDEN)
		return core_fail(cx, CRM_EFORBIDDEN, "your role hides the "
		    "companies' tier, which this report groups by");
	dbq_init(&q);
	dbq_sql(&q, "SELECT ");
	db_json_expr(cx->db, &q, "c.custom", "tier", NULL, false);
	dbq_sql(&q, ", COUNT(*), %s FROM deals t LEFT JOIN companies c ON c.id = "
	    "t.company_id AND c.deleted_at IS NULL", amounts_visible(cx) ?
	    "SUM(t.amount_base)" : "NULL");
	dbq_sql(&q, " WHERE");
	rc = report_won_where(cx, env, from_ms, to_ms, &q);
	dbq_sql(&q, " GROUP BY 1 ORDER BY 3 DESC NULLS LAST, 1 ASC NULLS LAST");
	if (rc != CRM_OK) {
		dbq_free(&q);
		return rc;
	}
	rc = report_run_sql(cx, &q, report_columns(cols, 3), types, 3,
	    RD_MAX_LIMIT, "pie", out);
	dbq_free(&q);
	if (rc != CRM_OK)
		return rc;
	base = report_won_drill(from_ms, to_ms);
	report_drill_col(*out, base, "segment", 0);
	json_decref(base);
	return CRM_OK;
}
