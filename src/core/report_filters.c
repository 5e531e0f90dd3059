/*
 * The library's filters (core/report_def.h, docs/reports.md "Filters"):
 * owner, department, pipeline, source and segment of a ready report's run.
 *
 * They are conditions inside the report's statement over the columns the
 * report names for them, each value bound: the department is the owner's
 * (a department or one below it, as the lists' department_id), the
 * segment the custom field "tier" of the company behind the row (the one
 * the SLA policies match, docs/api.md). The same names are the lists'
 * filters, so a drill-down carries them over unchanged.
 */
#include "core/report_def.h"

#include <stdio.h>
#include <string.h>

#include "core/record.h"

static const struct rd_filter_cols deal_cols = { "t.owner_id",
    "t.pipeline_id", "t.source", "t.company_id" };
static const struct rd_filter_cols company_cols = { "t.owner_id", NULL,
    "t.source", "t.id" };
static const struct rd_filter_cols contact_cols = { "t.owner_id", NULL,
    "t.source", "t.company_id" };
static const struct rd_filter_cols activity_cols = { "t.owner_id", NULL,
    NULL, "t.company_id" };
static const struct rd_filter_cols ticket_cols = { "t.owner_id", NULL,
    NULL, "t.company_id" };
static const struct rd_filter_cols none_cols = { NULL, NULL, NULL, NULL };

const struct rd_filter_cols *
rd_filter_cols_of(const struct entity *e)
{
	if (e == &entity_deals)
		return &deal_cols;
	if (e == &entity_companies)
		return &company_cols;
	if (e == &entity_contacts)
		return &contact_cols;
	if (e == &entity_activities)
		return &activity_cols;
	if (e == &entity_tickets)
		return &ticket_cols;
	return &none_cols;
}

void
rd_filters_sql(struct core_ctx *cx, const struct rd_filters *f,
    const struct rd_filter_cols *c, struct dbq *q)
{
	if (f == NULL)
		return;
	if (f->owner_id > 0 && c->owner != NULL) {
		dbq_sql(q, " AND %s = ?", c->owner);
		dbq_int(q, f->owner_id);
	}
	if (f->department_id > 0 && c->owner != NULL) {
		dbq_sql(q, " AND %s IN " DEPT_USERS_SQL, c->owner);
		dbq_int(q, f->department_id);
	}
	if (f->pipeline_id > 0 && c->pipeline != NULL) {
		dbq_sql(q, " AND %s = ?", c->pipeline);
		dbq_int(q, f->pipeline_id);
	}
	if (f->source != NULL && c->source != NULL) {
		dbq_sql(q, " AND %s = ?", c->source);
		dbq_text(q, f->source, strlen(f->source));
	}
	if (f->segment != NULL && c->company != NULL) {
		dbq_sql(q, " AND %s IN (SELECT sg.id FROM companies sg WHERE "
		    "sg.deleted_at IS NULL AND ", c->company);
		db_json_expr(cx->db, q, "sg.custom", "tier", NULL, false);
		dbq_sql(q, " = ?)");
		dbq_text(q, f->segment, strlen(f->segment));
	}
}

static void
drill_put(json_t *o, const char *key, const char *v)
{
	if (json_object_get(o, key) == NULL)
		json_object_set_new(o, key, json_string(v));
}

void
rd_filters_drill(json_t *res, const struct rd_filters *f,
    const struct rd_filter_cols *c)
{
	json_t *o;
	size_t i;
	char text[32];

	if (f == NULL)
		return;
	json_array_foreach(json_object_get(res, "drill"), i, o) {
		if (!json_is_object(o))
			continue;
		if (f->owner_id > 0 && c->owner != NULL) {
			snprintf(text, sizeof(text), "%lld",
			    (long long)f->owner_id);
			drill_put(o, "owner_id", text);
		}
		if (f->department_id > 0 && c->owner != NULL) {
			snprintf(text, sizeof(text), "%lld",
			    (long long)f->department_id);
			drill_put(o, "department_id", text);
		}
		if (f->pipeline_id > 0 && c->pipeline != NULL) {
			snprintf(text, sizeof(text), "%lld",
			    (long long)f->pipeline_id);
			drill_put(o, "pipeline_id", text);
		}
		if (f->source != NULL && c->source != NULL)
			drill_put(o, "source", f->source);
		if (f->segment != NULL && c->company != NULL)
			drill_put(o, "segment", f->segment);
	}
}
