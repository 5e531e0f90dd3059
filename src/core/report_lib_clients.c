/*
 * The library's client reports (docs/reports.md): "abc_clients",
 * "rfm_segments", "repeat_purchase_rate" over the won deals closed in the
 * period that the actor may read (report_won_where), each company being
 * the deals' company_id (deals without one are left out), and
 * "clients_stuck_first_contact" over the companies and their activities.
 *
 * The ABC classes and the RFM bands are fixed here and documented there,
 * so a figure can be checked by hand: both are computed in the statement
 * (window sums, CASE bands), in integers where they are money. A company
 * the actor may not read keeps its id and rows; its name is null, as a
 * joined record is in the designer.
 */
#include "core/reports.h"

#include "core/access.h"

#define DAY_MS 86400000LL

/* RFM bands: recency in days, frequency in deals, monetary in minor units. */
#define RFM_R3_DAYS 30
#define RFM_R2_DAYS 90
#define RFM_F3 3
#define RFM_F2 2
#define RFM_M3 1000000
#define RFM_M2 100000

static int
amounts_needed(struct core_ctx *cx)
{
	if (access_field(cx, &entity_deals, "amount_base") == FIELD_HIDDEN)
		return core_fail(cx, CRM_EFORBIDDEN, "your role hides the deals' "
		    "amount_base, which this report ranks by");
	return CRM_OK;
}

/* " LEFT JOIN companies c ON ... = col": readable companies' names. */
static int
company_join(struct core_ctx *cx, const char *col, struct dbq *q)
{
	dbq_sql(q, " LEFT JOIN companies c ON c.id = %s AND c.deleted_at IS NULL",
	    col);
	return access_where(cx, &entity_companies, ACC_READ, "c", q);
}

/*
 * Starts q (initialised here) with "WITH r AS (SELECT t.company_id AS cid,
 * agg FROM deals t WHERE" the won deals of a company the report counts.
 */
static int
companies_begin(struct core_ctx *cx, const struct rd_env *env,
    int64_t from_ms, int64_t to_ms, const char *agg, struct dbq *q)
{
	int rc = amounts_needed(cx);

	dbq_init(q);
	if (rc != CRM_OK)
		return rc;
	dbq_sql(q, "WITH r AS (SELECT t.company_id AS cid, %s FROM deals t "
	    "WHERE", agg);
	rc = report_won_where(cx, env, from_ms, to_ms, q);
	dbq_sql(q, " AND t.company_id IS NOT NULL");
	return rc;
}

/*
 * Ends q (rc: how building it went) with the companies' names over col,
 * the order (column order_col, largest first) and the cap, runs it into
 * *out and sets each row's drill: its company's won deals.
 */
static int
run_companies(struct core_ctx *cx, struct dbq *q, int rc, const char *col,
    int order_col, json_t *cols, const enum rd_type *types, int ncols,
    const char *chart, int64_t from_ms, int64_t to_ms, json_t **out)
{
	json_t *base;

	if (rc == CRM_OK)
		rc = company_join(cx, col, q);
	dbq_sql(q, " ORDER BY %d DESC, 1 ASC LIMIT ?", order_col);
	dbq_int(q, RD_MAX_LIMIT + 1);
	if (rc == CRM_OK)
		rc = report_run_sql(cx, q, cols, types, ncols, RD_MAX_LIMIT, chart,
		    out);
	else
		json_decref(cols);
	dbq_free(q);
	if (rc != CRM_OK)
		return rc;
	base = report_won_drill(from_ms, to_ms);
	report_drill_col(*out, base, "company_id", 0);
	json_decref(base);
	return CRM_OK;
}

int
report_lib_abc(struct core_ctx *cx, const struct rd_env *env,
    int64_t from_ms, int64_t to_ms, json_t **out)
{
	static const enum rd_type types[] = { RT_ID, RT_TEXT, RT_INT, RT_NUMBER,
	    RT_NUMBER, RT_TEXT };
	static const char *const cols[][3] = {
		{ "company_id", "Company id", "id" },
		{ "company.name", "Company", "text" },
		{ "revenue", "Revenue (base currency)", "integer" },
		{ "share_pct", "Share, %", "number" },
		{ "cumulative_pct", "Cumulative, %", "number" },
		{ "class", "Class", "text" },
	};
	struct dbq q;
	int rc;

	*out = NULL;
	/*
	 * prior: the revenue of the companies ranked before this one (by
	 * revenue, then id). A while prior < 80 % of the total (so the company
	 * that crosses 80 % is still A), B while prior < 95 %, C after.
	 */
	rc = companies_begin(cx, env, from_ms, to_ms, "SUM(t.amount_base) AS rev",
	    &q);
	dbq_sql(&q, " AND t.amount_base IS NOT NULL GROUP BY t.company_id), w AS "
	    "(SELECT cid, rev, COALESCE(SUM(rev) OVER (ORDER BY rev DESC, cid ROWS "
	    "BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS prior, SUM(rev) "
	    "OVER () AS total FROM r) SELECT w.cid, c.name, w.rev, ROUND(100.0 * "
	    "w.rev / NULLIF(w.total, 0), 1), ROUND(100.0 * (w.prior + w.rev) / "
	    "NULLIF(w.total, 0), 1), CASE WHEN w.prior * 100 < w.total * 80 THEN "
	    "'A' WHEN w.prior * 100 < w.total * 95 THEN 'B' ELSE 'C' END FROM w");
	return run_companies(cx, &q, rc, "w.cid", 3, report_columns(cols, 6),
	    types, 6, "bar", from_ms, to_ms, out);
}

int
report_lib_rfm(struct core_ctx *cx, const struct rd_env *env,
    int64_t from_ms, int64_t to_ms, json_t **out)
{
	static const enum rd_type types[] = { RT_ID, RT_TEXT, RT_TIME, RT_INT,
	    RT_INT, RT_INT, RT_INT, RT_INT, RT_INT, RT_TEXT };
	static const char *const cols[][3] = {
		{ "company_id", "Company id", "id" },
		{ "company.name", "Company", "text" },
		{ "last_won_at", "Last won deal", "time" },
		{ "recency_days", "Days since (R)", "integer" },
		{ "frequency", "Won deals (F)", "integer" },
		{ "monetary", "Amount, base currency (M)", "integer" },
		{ "r", "R score", "integer" },
		{ "f", "F score", "integer" },
		{ "m", "M score", "integer" },
		{ "segment", "Segment", "text" },
	};
	struct dbq q;
	int rc;

	*out = NULL;
	rc = companies_begin(cx, env, from_ms, to_ms, "MAX(t.closed_at) AS last, "
	    "COUNT(*) AS f, COALESCE(SUM(t.amount_base), 0) AS m", &q);
	/* Recency counts whole days back from the period's end. */
	dbq_sql(&q, " GROUP BY t.company_id), "
	    "s AS (SELECT cid, last, (? - last) / %lld AS days, f, m FROM r), "
	    "b AS (SELECT cid, last, days, f, m, CASE WHEN days <= %d THEN 3 WHEN "
	    "days <= %d THEN 2 ELSE 1 END AS rs, CASE WHEN f >= %d THEN 3 WHEN "
	    "f >= %d THEN 2 ELSE 1 END AS fs, CASE WHEN m >= %d THEN 3 WHEN m >= "
	    "%d THEN 2 ELSE 1 END AS ms FROM s) SELECT b.cid, c.name, b.last, "
	    "b.days, b.f, b.m, b.rs, b.fs, b.ms, CASE WHEN b.rs = 3 AND b.fs >= 2 "
	    "AND b.ms >= 2 THEN 'champions' WHEN b.fs = 3 THEN 'loyal' WHEN "
	    "b.rs = 3 AND b.fs = 1 THEN 'new' WHEN b.rs = 1 AND b.fs >= 2 THEN "
	    "'at_risk' WHEN b.rs = 1 THEN 'lost' ELSE 'needs_attention' END FROM "
	    "b", DAY_MS, RFM_R3_DAYS, RFM_R2_DAYS, RFM_F3, RFM_F2, RFM_M3, RFM_M2);
	dbq_int(&q, to_ms);
	return run_companies(cx, &q, rc, "b.cid", 6, report_columns(cols, 10),
	    types, 10, "table", from_ms, to_ms, out);
}

/* Buyers and repeat buyers of the won deals, per quarter or (!by) in all. */
static void
repeat_sql(struct core_ctx *cx, const struct rd_env *env, bool by,
    struct dbq *q)
{
	dbq_sql(q, "SELECT %sCOUNT(*), SUM(CASE WHEN n >= 2 THEN 1 ELSE 0 END), "
	    "ROUND(100.0 * SUM(CASE WHEN n >= 2 THEN 1 ELSE 0 END) / COUNT(*), 1) "
	    "FROM (SELECT ", by ? "b, " : "");
	if (by) {
		db_bucket_expr(cx->db, q, "t.closed_at", "quarter", false, env->tz);
		dbq_sql(q, " AS b, ");
	}
	dbq_sql(q, "t.company_id AS cid, COUNT(*) AS n FROM deals t WHERE");
}

int
report_lib_repeat(struct core_ctx *cx, const struct rd_env *env,
    int64_t from_ms, int64_t to_ms, json_t **out)
{
	static const enum rd_type types[] = { RT_DATE, RT_INT, RT_INT,
	    RT_NUMBER };
	static const char *const cols[][3] = {
		{ "closed_at:quarter", "Quarter", "date" },
		{ "buyers", "Companies with a won deal", "integer" },
		{ "repeat_buyers", "With two or more", "integer" },
		{ "repeat_pct", "Repeat purchase rate, %", "number" },
	};
	json_t *all = NULL, *totals, *base;
	struct dbq q;
	int rc;

	*out = NULL;
	for (int pass = 0; pass < 2; pass++) {
		bool by = pass == 0;

		dbq_init(&q);
		repeat_sql(cx, env, by, &q);
		rc = report_won_where(cx, env, from_ms, to_ms, &q);
		dbq_sql(&q, " AND t.company_id IS NOT NULL GROUP BY %s) x%s",
		    by ? "1, 2" : "t.company_id", by ? " GROUP BY b ORDER BY b" :
		    "");
		if (rc == CRM_OK)
			rc = report_run_sql(cx, &q, by ? report_columns(cols, 4) :
			    json_array(), by ? types : types + 1, by ? 4 : 3,
			    RD_MAX_LIMIT, "bar", by ? out : &all);
		dbq_free(&q);
		if (rc != CRM_OK) {
			json_decref(*out);
			*out = NULL;
			return rc;
		}
	}
	/* The whole period's companies: not the sum of its quarters'. */
	totals = json_array();
	json_array_append_new(totals, json_null());
	json_array_extend(totals, json_array_get(json_object_get(all, "rows"),
	    0));
	json_object_set_new(*out, "totals", totals);
	json_decref(all);
	base = json_pack("{s:s}", "status", "won");
	report_drill_bucket(*out, base, 0, "closed_at", "quarter", env->tz,
	    from_ms, to_ms);
	json_decref(base);
	return CRM_OK;
}

int
report_lib_stuck(struct core_ctx *cx, const struct rd_env *env, int64_t days,
    json_t **out)
{
	static const enum rd_type types[] = { RT_ID, RT_TEXT, RT_ID, RT_TIME,
	    RT_TEXT };
	static const char *const cols[][3] = {
		{ "id", "Company id", "id" },
		{ "name", "Company", "text" },
		{ "owner_id", "Owner id", "id" },
		{ "first_contact_at", "First contact", "time" },
		{ "kind", "Kind", "text" },
	};
	struct dbq q;
	int rc;

	*out = NULL;
	dbq_init(&q);
	/*
	 * The company's first readable activity (activities_company is in
	 * that order), and no second one: each an index probe of activities
	 * by company, so companies with a long history cost no more than the
	 * others.
	 */
	dbq_sql(&q, "SELECT t.id, t.name, t.owner_id, COALESCE(f.start_at, "
	    "f.created_at), f.kind FROM companies t JOIN activities f ON f.id = "
	    "(SELECT a.id FROM activities a WHERE a.company_id = t.id AND "
	    "a.deleted_at IS NULL");
	rc = access_where(cx, &entity_activities, ACC_READ, "a", &q);
	dbq_sql(&q, " ORDER BY a.created_at, a.id LIMIT 1) WHERE t.deleted_at IS NULL AND "
	    "f.kind IN ('call', 'meeting', 'email') AND COALESCE(f.start_at, "
	    "f.created_at) < ? AND NOT EXISTS (SELECT 1 FROM activities a2 WHERE "
	    "a2.company_id = t.id AND a2.deleted_at IS NULL AND a2.id <> f.id");
	dbq_int(&q, env->now_ms - days * DAY_MS);
	if (rc == CRM_OK)
		rc = access_where(cx, &entity_activities, ACC_READ, "a2", &q);
	dbq_sql(&q, ") AND NOT EXISTS (SELECT 1 FROM deals d WHERE d.company_id = "
	    "t.id AND d.deleted_at IS NULL");
	if (rc == CRM_OK)
		rc = access_where(cx, &entity_deals, ACC_READ, "d", &q);
	dbq_sql(&q, ")");
	rd_filters_sql(cx, env->lib, rd_filter_cols_of(&entity_companies), &q);
	if (rc == CRM_OK)
		rc = report_scope_where(cx, &entity_companies, env, "t", &q);
	dbq_sql(&q, " ORDER BY 4 ASC, 1 ASC LIMIT ?");
	dbq_int(&q, RD_MAX_LIMIT + 1);
	if (rc != CRM_OK) {
		dbq_free(&q);
		return rc;
	}
	rc = report_run_sql(cx, &q, report_columns(cols, 5), types, 5,
	    RD_MAX_LIMIT, "table", out);
	dbq_free(&q);
	return rc;
}
