/*
 * The library's "data_completeness" (docs/reports.md): per owner, of the
 * contacts the actor may read: how many, and the percent (1 decimal)
 * without a phone, without an email, without a source. A column the
 * actor's role hides answers null.
 */
#include "core/reports.h"

#include "core/access.h"

/* The percent of rows where col is empty, or NULL when it is hidden. */
static void
missing(struct core_ctx *cx, struct dbq *q, const char *col, bool list)
{
	if (access_field(cx, &entity_contacts, col) == FIELD_HIDDEN) {
		dbq_sql(q, ", NULL");
		return;
	}
	/* 100.0: a fraction in both dialects (numeric on PostgreSQL). */
	dbq_sql(q, ", ROUND(100.0 * SUM(CASE WHEN t.%s IS NULL OR t.%s IN (''%s) "
	    "THEN 1 ELSE 0 END) / COUNT(*), 1)", col, col, list ? ", '[]'" : "");
}

int
report_lib_completeness(struct core_ctx *cx, const struct rd_env *env,
    json_t **out)
{
	static const enum rd_type types[] = { RT_ID, RT_TEXT, RT_INT, RT_NUMBER,
	    RT_NUMBER, RT_NUMBER };
	json_t *cols;
	struct dbq q;
	int rc;

	*out = NULL;
	dbq_init(&q);
	dbq_sql(&q, "SELECT t.owner_id, u.name, COUNT(*)");
	missing(cx, &q, "phones", true);
	missing(cx, &q, "emails", true);
	missing(cx, &q, "source", false);
	dbq_sql(&q, " FROM contacts t LEFT JOIN users u ON u.id = t.owner_id "
	    "WHERE t.deleted_at IS NULL");
	rc = report_scope_where(cx, &entity_contacts, env, "t", &q);
	rd_filters_sql(cx, env->lib,
	    rd_filter_cols_of(&entity_contacts), &q);
	dbq_sql(&q, " GROUP BY t.owner_id, u.name ORDER BY 2 ASC, 1 ASC");
	if (rc != CRM_OK) {
		dbq_free(&q);
		return rc;
	}
	cols = json_pack("[{s:s, s:s, s:s}, {s:s, s:s, s:s}, {s:s, s:s, s:s}, "
	    "{s:s, s:s, s:s}, {s:s, s:s, s:s}, {s:s, s:s, s:s}]",
	    "key", "owner_id", "label", "Owner id", "type", "id",
	    "key", "owner.name", "label", "Owner", "type", "text",
	    "key", "contacts", "label", "Contacts", "type", "integer",
	    "key", "no_phone_pct", "label", "Without phone, %", "type", "number",
	    "key", "no_email_pct", "label", "Without email, %", "type", "number",
	    "key", "no_source_pct", "label", "Without source, %", "type",
	    "number");
	rc = report_run_sql(cx, &q, cols, types, 6, RD_MAX_LIMIT, "table", out);
	dbq_free(&q);
	if (rc == CRM_OK)
		report_drill_owner(*out, NULL);
	return rc;
}
