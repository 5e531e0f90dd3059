/*
 * The library's operations reports (docs/reports.md): "tickets_sla" and
 * "process_bottlenecks".
 *
 * A ticket's SLA is decided once it is resolved or closed, or breached
 * (response or resolution) while still open; it is met when decided and
 * not breached: the support dashboard's rule (core/desk_report.c), so the
 * two agree. Merged duplicates are left out, as there.
 *
 * A process step counts when its instance runs on a record the actor may
 * read (a deal, company, contact or activity): the rights of the record
 * are the rights of its process, as on the record's card.
 */
#include "core/reports.h"

#include <stdio.h>
#include <string.h>

#include "core/access.h"

/* 1 for a ticket whose SLA is decided, 1 for one breached; else 0. */
#define BREACHED "(CASE WHEN t.sla_policy_id IS NOT NULL AND " \
	"(t.response_breached <> 0 OR t.resolution_breached <> 0) THEN 1 " \
	"ELSE 0 END)"
#define DECIDED "(CASE WHEN t.sla_policy_id IS NOT NULL AND (t.status IN " \
	"('resolved', 'closed') OR t.response_breached <> 0 OR " \
	"t.resolution_breached <> 0) THEN 1 ELSE 0 END)"

static const struct rd_filter_cols step_cols = { "s.assignee_id", NULL, NULL,
    NULL };

int
report_lib_tickets(struct core_ctx *cx, const struct rd_env *env,
    int64_t from_ms, int64_t to_ms, json_t **out)
{
	static const enum rd_type types[] = { RT_DATE, RT_ID, RT_TEXT, RT_TEXT,
	    RT_INT, RT_INT, RT_INT, RT_INT, RT_NUMBER };
	static const char *const cols[][3] = {
		{ "created_at:week", "Week", "date" },
		{ "queue_id", "Queue id", "id" },
		{ "queue.name", "Queue", "text" },
		{ "priority", "Priority", "text" },
		{ "tickets", "Tickets", "integer" },
		{ "sla_decided", "SLA decided", "integer" },
		{ "sla_met", "SLA met", "integer" },
		{ "sla_breached", "SLA breached", "integer" },
		{ "compliance_pct", "Compliance, %", "number" },
	};
	json_t *row, *o;
	struct dbq q;
	size_t i;
	int rc;

	*out = NULL;
	dbq_init(&q);
	dbq_sql(&q, "SELECT ");
	db_bucket_expr(cx->db, &q, "t.created_at", "week", false, env->tz);
	dbq_sql(&q, ", t.queue_id, qu.name, t.priority, COUNT(*), SUM(" DECIDED
	    "), SUM(" DECIDED " - " BREACHED "), SUM(" BREACHED "), ROUND(100.0 * "
	    "SUM(" DECIDED " - " BREACHED ") / NULLIF(SUM(" DECIDED "), 0), 1) "
	    "FROM tickets t LEFT JOIN queues qu ON qu.id = t.queue_id WHERE "
	    "t.deleted_at IS NULL AND t.merged_into_id IS NULL AND t.created_at "
	    ">= ? AND t.created_at <= ?");
	dbq_int(&q, from_ms);
	dbq_int(&q, to_ms);
	rd_filters_sql(cx, env->lib, rd_filter_cols_of(&entity_tickets), &q);
	rc = report_scope_where(cx, &entity_tickets, env, "t", &q);
	dbq_sql(&q, " GROUP BY 1, 2, 3, 4 ORDER BY 1 ASC, 3 ASC NULLS LAST, 4 "
	    "ASC");
	if (rc != CRM_OK) {
		dbq_free(&q);
		return rc;
	}
	rc = report_run_sql(cx, &q, report_columns(cols, 9), types, 9,
	    RD_MAX_LIMIT, "bar", out);
	dbq_free(&q);
	if (rc != CRM_OK)
		return rc;
	/* The week's tickets of the queue and priority; none without a queue. */
	report_drill_bucket(*out, NULL, 0, "created_at", "week", env->tz,
	    from_ms, to_ms);
	json_array_foreach(json_object_get(*out, "rows"), i, row) {
		json_t *queue = json_array_get(row, 1);
		char text[32];

		o = json_array_get(json_object_get(*out, "drill"), i);
		if (!json_is_object(o))
			continue;
		if (!json_is_integer(queue)) {
			json_array_set_new(json_object_get(*out, "drill"), i,
			    json_null());
			continue;
		}
		snprintf(text, sizeof(text), "%lld",
		    (long long)json_integer_value(queue));
		json_object_set_new(o, "queue_id", json_string(text));
		json_object_set(o, "priority", json_array_get(row, 3));
	}
	return CRM_OK;
}

/*
 * " AND (...)": instances (alias i) on records the actor may read, each a
 * probe of its record (a list of every readable record would be built per
 * statement: hundreds of thousands of activities for a manager); nothing
 * when they may read every record of every kind a process runs on.
 */
static int
instances_where(struct core_ctx *cx, struct dbq *q)
{
	static const struct entity *const es[] = { &entity_deals,
	    &entity_companies, &entity_contacts, &entity_activities };
	size_t n = sizeof(es) / sizeof(*es);
	bool all = true;
	int rc = CRM_OK;

	for (size_t k = 0; k < n && rc == CRM_OK; k++) {
		enum acc_scope sc = SCOPE_NONE;

		rc = access_scope(cx, es[k], ACC_READ, &sc);
		all = all && sc == SCOPE_ALL;
	}
	if (rc != CRM_OK || all)
		return rc;
	dbq_sql(q, " AND (");
	for (size_t k = 0; k < n && rc == CRM_OK; k++) {
		dbq_sql(q, "%s(i.entity = ? AND EXISTS (SELECT 1 FROM %s r WHERE "
		    "r.id = i.record_id AND r.deleted_at IS NULL", k > 0 ? " OR " :
		    "", es[k]->name);
		dbq_text(q, es[k]->name, strlen(es[k]->name));
		rc = access_where(cx, es[k], ACC_READ, "r", q);
		dbq_sql(q, "))");
	}
	dbq_sql(q, ")");
	return rc;
}

int
report_lib_process(struct core_ctx *cx, const struct rd_env *env,
    int64_t from_ms, int64_t to_ms, json_t **out)
{
	static const enum rd_type types[] = { RT_ID, RT_TEXT, RT_TEXT, RT_TEXT,
	    RT_INT, RT_NUMBER, RT_NUMBER, RT_INT, RT_INT };
	static const char *const cols[][3] = {
		{ "template_id", "Template id", "id" },
		{ "template.name", "Process", "text" },
		{ "step_id", "Step id", "text" },
		{ "step.name", "Step", "text" },
		{ "done", "Steps done", "integer" },
		{ "avg_hours", "Average hours", "number" },
		{ "max_hours", "Longest, hours", "number" },
		{ "waiting", "Waiting now", "integer" },
		{ "overdue", "Past deadline", "integer" },
	};
	struct dbq q;
	int rc;

	*out = NULL;
	dbq_init(&q);
	/* 3600000.0: hours as a fraction in both dialects. */
	dbq_sql(&q, "SELECT i.template_id, p.name, s.step_id, MAX(s.name), "
	    "SUM(CASE WHEN s.done_at IS NOT NULL THEN 1 ELSE 0 END), "
	    "ROUND(AVG((s.done_at - s.started_at) / 3600000.0), 1), "
	    "ROUND(MAX(s.done_at - s.started_at) / 3600000.0, 1), "
	    "SUM(CASE WHEN s.status = 'waiting' THEN 1 ELSE 0 END), "
	    "SUM(CASE WHEN s.overdue_at IS NOT NULL THEN 1 ELSE 0 END) FROM "
	    "process_steps s JOIN process_instances i ON i.id = s.instance_id "
	    "LEFT JOIN process_templates p ON p.id = i.template_id WHERE "
	    "s.started_at >= ? AND s.started_at <= ?");
	dbq_int(&q, from_ms);
	dbq_int(&q, to_ms);
	rd_filters_sql(cx, env->lib, &step_cols, &q);
	rc = instances_where(cx, &q);
	dbq_sql(&q, " GROUP BY i.template_id, p.name, s.step_id ORDER BY 6 DESC "
	    "NULLS LAST, 1 ASC, 3 ASC");
	if (rc != CRM_OK) {
		dbq_free(&q);
		return rc;
	}
	rc = report_run_sql(cx, &q, report_columns(cols, 9), types, 9,
	    RD_MAX_LIMIT, "bar", out);
	dbq_free(&q);
	return rc;
}
