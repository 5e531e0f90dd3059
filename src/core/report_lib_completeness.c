/*
 * The library's "data_completeness" (docs/reports.md): per owner, of the
 * contacts the actor may read: how many, and the percent (1 decimal)
 * without a phone, without an email, without a source. A column the
 * actor's role hides answers null.
 *
 * The counts come from contact_tally (migration 0038, docs/reports.md
 * "Kept tallies"), kept per owner and source by triggers: a few thousand
 * rows instead of a million. The rights predicate is over the owner, so
 * it applies to the tally's rows as it does to the contacts', but for the
 * contacts read through a share or a mention, counted one by one beside
 * it. A segment filter joins the contact's company, which the tally does
 * not know: then the contacts themselves are counted.
 */
#include "core/reports.h"

#include <string.h>

#include "core/access.h"

#define EMPTY_LIST(c)	"CASE WHEN " c " IS NULL OR " c " IN ('', '[]') " \
	"THEN 1 ELSE 0 END"

static const struct rd_filter_cols tally_cols = { "k.owner_id", NULL,
    "k.source", NULL };

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

/* Of the rows of x, the percent of n that col counts, or NULL if hidden. */
static void
share(struct core_ctx *cx, struct dbq *q, const char *field, const char *col)
{
	if (access_field(cx, &entity_contacts, field) == FIELD_HIDDEN)
		dbq_sql(q, ", NULL");
	else
		dbq_sql(q, ", ROUND(100.0 * SUM(x.%s) / SUM(x.n), 1)", col);
}

/*
 * The same statement over the tally: its rows for the owners the actor
 * reaches, and the contacts read only through a share or a mention, each
 * reduced to the same (owner, n, no_phone, no_email, no_source).
 */
static int
tally_sql(struct core_ctx *cx, const struct rd_env *env, struct dbq *q)
{
	int rc;

	dbq_sql(q, "SELECT NULLIF(x.owner_id, 0), u.name, CAST(SUM(x.n) AS "
	    "BIGINT)");
	share(cx, q, "phones", "np");
	share(cx, q, "emails", "ne");
	share(cx, q, "source", "ns");
	dbq_sql(q, " FROM (SELECT k.owner_id, k.contacts AS n, k.no_phone AS "
	    "np, k.no_email AS ne, CASE WHEN k.source = '' THEN k.contacts "
	    "ELSE 0 END AS ns FROM contact_tally k WHERE k.contacts > 0");
	rc = access_owners_where(cx, &entity_contacts, ACC_READ, "k.owner_id",
	    q);
	if (rc == CRM_OK && env->export_scope)
		rc = access_owners_where(cx, &entity_contacts, ACC_EXPORT,
		    "k.owner_id", q);
	rd_filters_sql(cx, env->lib, &tally_cols, q);
	dbq_sql(q, " UNION ALL SELECT COALESCE(t.owner_id, 0), 1, "
	    EMPTY_LIST("t.phones") ", " EMPTY_LIST("t.emails") ", CASE WHEN "
	    "t.source IS NULL OR t.source = '' THEN 1 ELSE 0 END FROM contacts "
	    "t WHERE t.deleted_at IS NULL");
	if (rc == CRM_OK)
		rc = access_beyond_owners_where(cx, &entity_contacts, "t", q);
	if (rc == CRM_OK && env->export_scope)
		rc = access_owners_where(cx, &entity_contacts, ACC_EXPORT,
		    "t.owner_id", q);
	rd_filters_sql(cx, env->lib, rd_filter_cols_of(&entity_contacts), q);
	dbq_sql(q, ") x LEFT JOIN users u ON u.id = x.owner_id GROUP BY "
	    "x.owner_id, u.name ORDER BY 2 ASC, 1 ASC");
	return rc;
}

/* The contacts themselves: for a filter the tally cannot answer. */
static int
rows_sql(struct core_ctx *cx, const struct rd_env *env, struct dbq *q)
{
	int rc;

	dbq_sql(q, "SELECT t.owner_id, u.name, COUNT(*)");
	missing(cx, q, "phones", true);
	missing(cx, q, "emails", true);
	missing(cx, q, "source", false);
	dbq_sql(q, " FROM contacts t LEFT JOIN users u ON u.id = t.owner_id "
	    "WHERE t.deleted_at IS NULL");
	rc = report_scope_where(cx, &entity_contacts, env, "t", q);
	rd_filters_sql(cx, env->lib, rd_filter_cols_of(&entity_contacts), q);
	dbq_sql(q, " GROUP BY t.owner_id, u.name ORDER BY 2 ASC, 1 ASC");
	return rc;
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
	if (env->lib != NULL && env->lib->segment != NULL)
		rc = rows_sql(cx, env, &q);
	else
		rc = tally_sql(cx, env, &q);
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
