/*
 * The OpenAPI 3.1 description, built from the route table and the entity
 * descriptors at request time, so it is always the API the code serves.
 */
#include <stdio.h>
#include <string.h>

#include "api/internal.h"
#include "core/absences.h"
#include "core/desk.h"
#include "core/webform.h"
#include "core/kpi.h"
#include "core/desk_mail.h"
#include "core/workcal.h"

static json_t *
field_kind_schema(const struct field *f)
{
	switch (f->kind) {
	case FK_EMAILS:	/* null on input clears the list */
		return json_pack("{s:[s,s], s:{s:s, s:s}}", "type", "array", "null",
		    "items", "type", "string", "format", "email");
	case FK_PHONES:
		return json_pack("{s:[s,s], s:{s:s}}", "type", "array", "null",
		    "items", "type", "string");
	case FK_URL:
		return json_pack("{s:[s,s], s:s}", "type", "string", "null",
		    "format", "uri");
	case FK_DATE:
		return json_pack("{s:[s,s], s:s}", "type", "string", "null",
		    "format", "date");
	case FK_COMPANY:
	case FK_CONTACT:
	case FK_DEAL:
	case FK_USER:
		return json_pack("{s:[s,s]}", "type", "integer", "null");
	case FK_DERIVED:
		return json_pack("{s:[s,s], s:b}", "type", "string", "null",
		    "readOnly", 1);
	case FK_INT:
		return json_pack("{s:[s,s], s:i, s:I}", "type", "integer", "null",
		    "minimum", 0, "maximum", (json_int_t)FIELD_INT_MAX);
	case FK_REF:
		return json_pack("{s:[s,s], s:i}", "type", "integer", "null",
		    "minimum", 1);
	case FK_CURRENCY:
		return json_pack("{s:[s,s], s:s, s:s}", "type", "string", "null",
		    "pattern", "^[A-Z]{3}$", "description", "ISO 4217 code; "
		    "amounts are integers of its minor unit");
	case FK_CONTACTS:
	case FK_USERS:
		return json_pack("{s:[s,s], s:{s:s}}", "type", "array", "null",
		    "items", "type", "integer");
	case FK_JSON:	/* a list (a checklist) or a rule (a recurrence) */
		return json_pack("{s:[s,s,s]}", "type", "array", "object", "null");
	case FK_TIME:
		return json_pack("{s:[s,s], s:s}", "type", "string", "null",
		    "format", "date-time");
	case FK_SIDE:
		return json_pack("{s:[s,s], s:{s:s}, s:s, s:b}", "type", "array",
		    "null", "items", "type", "object", "description", "the whole "
		    "list of line items, each {product_id?, name?, quantity, "
		    "unit_id?, price?, discount?, tax?}; [] removes them; read "
		    "them with GET /api/v1/deals/{id}/items", "writeOnly", 1);
	default:
		return json_pack("{s:[s,s], s:I}", "type", "string", "null",
		    "maxLength", (json_int_t)f->maxlen);
	}
}

static json_t *
field_schema(const struct field *f)
{
	json_t *sc = field_kind_schema(f);

	if (f->flags & F_READONLY)
		json_object_set_new(sc, "readOnly", json_true());
	return sc;
}

static json_t *
entity_schema(const struct entity *e)
{
	json_t *props = json_object(), *req = json_array();

	for (size_t i = 0; i < e->nfields; i++) {
		json_object_set_new(props, e->fields[i].name,
		    field_schema(&e->fields[i]));
		if (e->fields[i].flags & F_REQUIRED)
			json_array_append_new(req, json_string(e->fields[i].name));
	}
	json_object_set_new(props, "id", json_pack("{s:s, s:b}", "type",
	    "integer", "readOnly", 1));
	json_object_set_new(props, "version", json_pack("{s:s, s:b}", "type",
	    "integer", "readOnly", 1));
	json_object_set_new(props, "owner_id", json_pack("{s:[s,s]}", "type",
	    "integer", "null"));
	json_object_set_new(props, "tags", json_pack("{s:[s,s], s:{s:s}}", "type",
	    "array", "null", "items", "type", "string"));
	json_object_set_new(props, "custom", json_pack("{s:[s,s], s:s}", "type",
	    "object", "null", "description", "Custom field values by name; null "
	    "clears all, a key set to null removes that value"));
	json_object_set_new(props, "created_by", json_pack("{s:[s,s], s:b}",
	    "type", "integer", "null", "readOnly", 1));
	json_object_set_new(props, "updated_by", json_pack("{s:[s,s], s:b}",
	    "type", "integer", "null", "readOnly", 1));
	json_object_set_new(props, "created_at", json_pack("{s:s, s:s, s:b}",
	    "type", "string", "format", "date-time", "readOnly", 1));
	json_object_set_new(props, "updated_at", json_pack("{s:s, s:s, s:b}",
	    "type", "string", "format", "date-time", "readOnly", 1));
	json_object_set_new(props, "deleted_at", json_pack("{s:[s,s], s:s, s:b}",
	    "type", "string", "null", "format", "date-time", "readOnly", 1));
	if (e == &entity_deals)
		json_object_set_new(props, "stuck", json_pack("{s:s, s:b, s:s}",
		    "type", "boolean", "readOnly", 1, "description", "open and "
		    "past its stage's time limit"));
	if (e == &entity_activities)
		json_object_set_new(props, "overdue", json_pack("{s:s, s:b, s:s}",
		    "type", "boolean", "readOnly", 1, "description", "an open task "
		    "past its due_at"));
	return json_pack("{s:s, s:o, s:o, s:b}", "type", "object", "properties",
	    props, "required", req, "additionalProperties", 0);
}

static const char *
schema_name(const struct entity *e)
{
	return e == &entity_companies ? "Company" : e == &entity_contacts ?
	    "Contact" : e == &entity_activities ? "Activity" :
	    e == &entity_tickets ? "Ticket" : "Deal";
}

static json_t *
ref(const char *name)
{
	char r[128];

	snprintf(r, sizeof(r), "#/components/schemas/%s", name);
	return json_pack("{s:s}", "$ref", r);
}

static json_t *
json_content(json_t *schema)
{
	return json_pack("{s:{s:o}}", "application/json", "schema", schema);
}

/* Filters every list (and the deal board) takes besides the fields. */
static void
list_common_filters(const struct entity *e, json_t *params)
{
	static const char *const names[] = { "owner_id", "department_id",
	    "tag", "created_at", "updated_at" };
	static const char *const what[] = { "a user id", "owners in this "
	    "department or one below it", "one of the record's tags", "a date "
	    "or date-time; created_at[gte]=..., created_at[lte]=... for a range",
	    "the same, for the last change" };

	for (size_t i = 0; i < sizeof(names) / sizeof(*names); i++)
		json_array_append_new(params, json_pack("{s:s, s:s, s:s, s:{s:s}}",
		    "name", names[i], "in", "query", "description", what[i],
		    "schema", "type", "string"));
	if (e == &entity_deals)
		json_array_append_new(params, json_pack("{s:s, s:s, s:s, s:{s:s}}",
		    "name", "stuck", "in", "query", "description", "true: open "
		    "deals past their stage's time limit; false: the others",
		    "schema", "type", "boolean"));
	if (e == &entity_activities) {
		static const char *const an[] = { "participant_id", "involves",
		    "involves_department" };
		static const char *const aw[] = { "the activities this user takes "
		    "part in", "the activities this user owns or takes part in (a "
		    "person's calendar)", "the activities someone of this department "
		    "or one below it owns or takes part in (a team's calendar)" };

		for (size_t i = 0; i < sizeof(an) / sizeof(*an); i++)
			json_array_append_new(params, json_pack("{s:s, s:s, s:s, "
			    "s:{s:s}}", "name", an[i], "in", "query", "description",
			    aw[i], "schema", "type", "integer"));
	}
}

/* Query parameters of routes with their own: name, description, type. */
static void
own_params(json_t *params, const char *const (*p)[3], size_t n)
{
	for (size_t i = 0; i < n; i++)
		json_array_append_new(params, json_pack("{s:s, s:s, s:s, s:{s:s}}",
		    "name", p[i][0], "in", "query", "description", p[i][1],
		    "schema", "type", p[i][2]));
}

/* A service desk admin table's row (core/desk.h) from its columns. */
static json_t *
desk_schema(const struct dtable *t)
{
	json_t *props = json_pack("{s:{s:s, s:b}, s:{s:s, s:b}}", "id", "type",
	    "integer", "readOnly", 1, "version", "type", "integer", "readOnly", 1);

	for (size_t i = 0; i < t->ncols; i++) {
		const struct dcol *c = &t->cols[i];

		json_object_set_new(props, c->name, c->type == DC_TEXT ?
		    json_pack("{s:[s,s], s:I}", "type", "string", "null",
		    "maxLength", (json_int_t)c->maxlen) : c->type == DC_INT ?
		    json_pack("{s:[s,s], s:i}", "type", "integer", "null",
		    "minimum", 0) : c->type == DC_BOOL ? json_pack("{s:s}",
		    "type", "boolean") : c->type == DC_SIDE ? json_pack("{s:s, "
		    "s:{s:s}}", "type", "array", "items", "type", "integer") :
		    json_pack("{s:[s,s]}", "type", "object", "array"));
		if (t->readonly != NULL && strcmp(t->readonly, c->name) == 0)
			json_object_set_new(json_object_get(props, c->name),
			    "readOnly", json_true());
	}
	return json_pack("{s:s, s:o}", "type", "object", "properties", props);
}

/* The schema name of a desk admin route's table, else NULL. */
static const char *
desk_name(const struct route *r)
{
	if (r->fn != h_desk_list && r->fn != h_desk_get && r->fn != h_desk_create &&
	    r->fn != h_desk_update && r->fn != h_desk_delete)
		return NULL;
	return strstr(r->path, "/sla-policies") != NULL ? "SLAPolicy" :
	    strstr(r->path, "/queues") != NULL ? "Queue" :
	    strstr(r->path, "/desk/forms") != NULL ? "WebForm" :
	    "CannedResponse";
}

/* A working-hours calendar (core/workcal.h), as read and as written. */
static json_t *
workcal_schema(void)
{
	json_t *day = json_pack("{s:s, s:i, s:{s:s, s:s}}", "type", "array",
	    "maxItems", WORKCAL_SPANS_MAX, "items", "type", "string", "pattern",
	    "^([01][0-9]|2[0-4]):[0-5][0-9]-([01][0-9]|2[0-4]):[0-5][0-9]$");
	json_t *sc = json_pack("{s:s, s:{s:{s:s, s:b}, s:{s:s, s:I}, s:{s:s, s:s}, "
	    "s:{s:s, s:i, s:i, s:O, s:s}, s:{s:s, s:i, s:{s:s, s:{s:{s:s, s:s}, "
	    "s:{s:s}, s:{s:[s,s], s:O}}, s:[s,s]}}, s:{s:s, s:b}, s:{s:s, s:b}, "
	    "s:{s:s, s:b, s:{s:s}}}, s:[s,s]}",
	    "type", "object", "properties",
	    "id", "type", "integer", "readOnly", 1,
	    "name", "type", "string", "maxLength", (json_int_t)WORKCAL_NAME_MAX,
	    "tz", "type", "string", "description", "IANA time zone (default UTC)",
	    "week", "type", "array", "minItems", 7, "maxItems", 7, "items", day,
	    "description", "Monday to Sunday, each a list of intervals "
	    "HH:MM-HH:MM in local time, sorted, not overlapping; [] closed",
	    "holidays", "type", "array", "maxItems", WORKCAL_HOLIDAYS_MAX,
	    "items", "type", "object", "properties", "date", "type", "string",
	    "format", "date", "name", "type", "string", "hours", "type", "array",
	    "null", "items", json_object_get(day, "items"), "required", "date",
	    "name",
	    "is_default", "type", "boolean", "readOnly", 1,
	    "version", "type", "integer", "readOnly", 1,
	    "departments", "type", "array", "readOnly", 1, "items", "type",
	    "integer",
	    "required", "name", "week");

	json_decref(day);
	return sc;
}

/* A report subscription's fields (core/report_deliver.h). */
static json_t *
rsub_schema(void)
{
	return json_pack("{s:s, s:{s:{s:s}, s:{s:s, s:[s,s,s]}, s:{s:s, s:s}, "
	    "s:{s:s}, s:{s:s, s:{s:s}, s:i}, s:{s:s}, s:{s:s}}, s:b}", "type",
	    "object", "properties", "report_id", "type", "integer", "format",
	    "type", "string", "enum", "xlsx", "csv", "pdf", "schedule", "type",
	    "object", "description", "{kind: weekly, weekday: 1-7, time: "
	    "HH:MM} | {kind: monthly, day: 1-28, time} | {kind: cron, expr}",
	    "tz", "type", "string", "recipients", "type", "array", "items",
	    "type", "integer", "maxItems", 50, "params", "type", "object",
	    "active", "type", "boolean", "additionalProperties", 0);
}

/* The subscriptions' and the roles' default dashboards' answers. */
static bool
rsub_responses(const struct route *r, json_t *resp)
{
	const char *d;

	if (r->fn == h_rsub_delete) {
		json_object_set_new(resp, "204", json_pack("{s:s}", "description",
		    "Deleted, its pending delivery dropped"));
		return true;
	}
	d = r->fn == h_rsub_list ? "{data: [subscription]}" :
	    r->fn == h_rsub_get || r->fn == h_rsub_create ||
	    r->fn == h_rsub_update ? "The subscription {id, owner_id, "
	    "report_id, report_name, format, schedule, cron, tz, recipients, "
	    "params, active, next_at, last_sent_at, created_at, updated_at, "
	    "version} (ETag: its version)" : r->fn == h_rsub_send_now ?
	    "{id, delivered: [{user_id, rows}], skipped: [{user_id, reason}]}" :
	    r->fn == h_dashboard_role_get || r->fn == h_dashboard_role_put ?
	    "{role_id, report_ids, layout, updated_at}" :
	    r->fn == h_dashboard_reset ? "One's dashboard as GET /dashboard "
	    "answers it (source: role or none)" : NULL;
	if (d == NULL)
		return false;
	json_object_set_new(resp, r->fn == h_rsub_create ? "201" : "200",
	    json_pack("{s:s, s:o}", "description", d, "content",
	    json_content(json_pack("{s:s}", "type", "object"))));
	if (r->fn == h_rsub_send_now) {
		json_object_set_new(resp, "429", json_pack("{s:s, s:o}",
		    "description", "Sent now 5 times within the hour already "
		    "(Retry-After: seconds)", "content", json_pack("{s:{s:o}}",
		    "application/problem+json", "schema", ref("Problem"))));
		json_object_set_new(resp, "409", json_pack("{s:s, s:o}",
		    "description", "Changed meanwhile; nothing was sent",
		    "content", json_pack("{s:{s:o}}", "application/problem+json",
		    "schema", ref("Problem"))));
	}
	return true;
}

/*
 * The responses and query parameters of the working-hours calendar and
 * absence routes; false for any other route.
 */
static bool
workcal_responses(const struct route *r, json_t *resp, json_t *params)
{
	static const char *const due[][3] = {
		{ "from", "the start, RFC 3339 (required)", "string" },
		{ "minutes", "working minutes after from: answers {due_at}",
		    "integer" },
		{ "to", "the end, RFC 3339, instead of minutes: answers "
		    "{minutes} of working time in [from, to)", "string" },
	};
	static const char *const abs[][3] = {
		{ "from", "only absences ending on or after this day, YYYY-MM-DD",
		    "string" },
		{ "to", "only absences starting on or before this day", "string" },
	};
	static const char *const eff[][3] = {
		{ "department_id", "this department's calendar", "integer" },
		{ "user_id", "the calendar of this user's department", "integer" },
	};

	if (r->fn == h_workcal_due) {
		own_params(params, due, 3);
		json_object_set_new(resp, "200", json_pack("{s:s, s:o}",
		    "description", "{calendar_id, from, minutes, due_at} or "
		    "{calendar_id, from, to, minutes}; 422 naming the parameter "
		    "when bad or beyond ten years", "content", json_content(
		    json_pack("{s:s}", "type", "object"))));
	} else if (r->fn == h_workcal_effective) {
		own_params(params, eff, 2);
		json_object_set_new(resp, "200", json_pack("{s:s, s:o}",
		    "description", "{calendar, department_id, "
		    "set_on_department_id (null: the default)}", "content",
		    json_content(json_pack("{s:s}", "type", "object"))));
	} else if (r->fn == h_workcal_list) {
		json_object_set_new(resp, "200", json_pack("{s:s, s:o}",
		    "description", "{data: [calendar without holidays]}", "content",
		    json_content(json_pack("{s:s, s:{s:{s:s, s:o}}}", "type",
		    "object", "properties", "data", "type", "array", "items",
		    ref("WorkCalendar")))));
	} else if (r->fn == h_workcal_get || r->fn == h_workcal_create ||
	    r->fn == h_workcal_update) {
		json_object_set_new(resp, r->fn == h_workcal_create ? "201" : "200",
		    json_pack("{s:s, s:o}", "description", "The calendar with its "
		    "holidays (ETag header: its version)", "content",
		    json_content(ref("WorkCalendar"))));
	} else if (r->fn == h_workcal_delete) {
		json_object_set_new(resp, "204", json_pack("{s:s}", "description",
		    "Deleted; 409 for the default calendar or one in use"));
	} else if (r->fn == h_absence_list) {
		own_params(params, abs, 2);
		json_object_set_new(resp, "200", json_pack("{s:s, s:o}",
		    "description", "{data: [absence]}, by from", "content",
		    json_content(json_pack("{s:s, s:{s:{s:s, s:o}}}", "type",
		    "object", "properties", "data", "type", "array", "items",
		    ref("Absence")))));
	} else if (r->fn == h_absence_create || r->fn == h_absence_update) {
		json_object_set_new(resp, r->fn == h_absence_create ? "201" : "200",
		    json_pack("{s:s, s:o}", "description", "The absence",
		    "content", json_content(ref("Absence"))));
	} else if (r->fn == h_absence_delete) {
		json_object_set_new(resp, "204", json_pack("{s:s}", "description",
		    "Deleted"));
	} else {
		return false;
	}
	return true;
}

/*
 * The responses and query parameters of the workload and plan routes;
 * false for any other route.
 */
static bool
workload_responses(const struct route *r, json_t *resp, json_t *params)
{
	static const char *const wl[][3] = {
		{ "department_id", "everyone active in this department and below "
		    "(its heads and those above, admin)", "integer" },
		{ "user_id", "one person (themself, their heads, admin)",
		    "integer" },
		{ "from", "the first day, YYYY-MM-DD (default: today, UTC)",
		    "string" },
		{ "days", "how many days, 1 to 62 (default 21)", "integer" },
	};

	static const char *const pl[][3] = {
		{ "period", "a year (2026), a quarter (2026-Q4) or a month (2026-11); "
		    "required", "string" },
		{ "department_id", "this department and everything below it "
		    "(default: all the caller may read)", "integer" },
	};

	if (r->fn == h_plan_grid || r->fn == h_plan_fact) {
		own_params(params, pl, r->fn == h_plan_fact ? 2 : 1);
		json_object_set_new(resp, "200", json_pack("{s:s, s:o}",
		    "description", r->fn == h_plan_grid ? "{period, metrics, rows: "
		    "[{scope, id, name, parent_id | department_id, plan: {metric: "
		    "target}}]}" : "{period, from, to, working_days, elapsed_days, "
		    "rows: [{scope, id, name, metrics: {metric: {plan, actual, "
		    "percent, projection, pace_needed, behind}}}]}", "content",
		    json_content(json_pack("{s:s}", "type", "object"))));
	} else if (r->fn == h_forecast) {
		static const char *const fc[][3] = {
			{ "months", "how many months from the current one, 3 to 12 "
			    "(default 6)", "integer" },
			{ "pipeline_id", "deals of this pipeline", "integer" },
			{ "department_id", "deals owned in this department or one "
			    "below it", "integer" },
			{ "owner_id", "deals of this owner", "integer" },
		};

		own_params(params, fc, 4);
		json_object_set_new(resp, "200", json_pack("{s:s, s:o}",
		    "description", "{months, as_of, base_currency, trend_bp, "
		    "forecast: [{month, pipeline, pipeline_deals, won_to_date, "
		    "history, history_years, low, high, combined, combined_low, "
		    "combined_high}], undated, beyond, unconverted, backtest: "
		    "{mape_bp, months: [{month, actual, forecast, error_bp}]}} "
		    "(docs/api.md)", "content", json_content(json_pack("{s:s}",
		    "type", "object"))));
	} else if (r->fn == h_plan_import) {
		static const char *const pi[][3] = {
			{ "dry_run", "true: check every cell, write nothing "
			    "(default false)", "boolean" },
			{ "encoding", "CSV: an iconv name; default detected",
			    "string" },
			{ "delimiter", "CSV: , ; | or a tab; default detected",
			    "string" },
			{ "sheet", "XLSX: the sheet; default the first", "string" },
		};

		own_params(params, pi, 4);
		json_object_set_new(resp, "200", json_pack("{s:s, s:o}",
		    "description", "{dry_run, rows, written, error_count, errors: "
		    "[{row, column, value, reason}]}; 422 with the same errors "
		    "when a run finds any (nothing written)", "content",
		    json_content(json_pack("{s:s}", "type", "object"))));
	} else if (r->fn == h_plan_put || r->fn == h_plan_split) {
		json_object_set_new(resp, "200", json_pack("{s:s, s:o}",
		    "description", r->fn == h_plan_put ? "The grid after the write" :
		    "{department_id, metric, period, target, people: [{user_id, "
		    "name, target}]}", "content", json_content(json_pack("{s:s}",
		    "type", "object"))));
	} else if (r->fn == h_workload) {
		own_params(params, wl, 4);
		json_object_set_new(resp, "200", json_pack("{s:s, s:o}",
		    "description", "{from, to, days, default_estimate_min, people: "
		    "[{user_id, name, department_id, capacity_min, planned_min, "
		    "load_pct, days: [{date, capacity_min, absent, task_min, "
		    "meeting_min, planned_min, load_pct (null: work on a day "
		    "without capacity), overloaded, items: [{id, kind, subject, "
		    "minutes, estimated, at}]}]}]}; 422 naming a bad parameter, "
		    "403 for someone else's", "content", json_content(json_pack(
		    "{s:s}", "type", "object"))));
	} else if (r->fn == h_workload_check) {
		json_object_set_new(resp, "200", json_pack("{s:s, s:o}",
		    "description", "{user_id, day, capacity_min, "
		    "planned_before_min, planned_after_min, load_before, "
		    "load_after, overloaded}", "content", json_content(json_pack(
		    "{s:s}", "type", "object"))));
	} else {
		return false;
	}
	return true;
}

/* A KPI scorecard (core/kpi.h) and the body naming one's period. */
static json_t *
kpi_schema(void)
{
	json_t *line = json_pack("{s:s, s:{s:{s:s}, s:{s:s, s:i, s:I}, s:{s:s, "
	    "s:i, s:i}, s:{s:s, s:[s,s,s]}, s:{s:s, s:i, s:i}, s:{s:s, s:i}, "
	    "s:{s:s, s:i, s:{s:s, s:{s:{s:s}, s:{s:s}}}}}, s:[s,s,s,s]}",
	    "type", "object", "properties",
	    "metric", "type", "string",
	    "target", "type", "integer", "minimum", 0, "maximum",
	    (json_int_t)KPI_TARGET_MAX,
	    "weight", "type", "integer", "minimum", 1, "maximum", KPI_WEIGHT_MAX,
	    "rule", "type", "string", "enum", "linear", "threshold", "inverse",
	    "cap", "type", "integer", "minimum", 100, "maximum", KPI_CAP_MAX,
	    "worst", "type", "integer", "minimum", 1,
	    "bands", "type", "array", "maxItems", KPI_BANDS_MAX, "items", "type",
	    "object", "properties", "min", "type", "integer", "score", "type",
	    "integer",
	    "required", "metric", "target", "weight", "rule");

	/*
	 * applies is required on create, but only an administrator reads it
	 * (and the targeting ids) back, so the shared schema leaves it optional.
	 */
	return json_pack("{s:s, s:{s:{s:s, s:b}, s:{s:s, s:i}, s:{s:s, s:s, "
	    "s:[s,s,s]}, s:{s:s, s:{s:s}}, s:{s:[s,s]}, s:{s:[s,s]}, s:{s:s, "
	    "s:[s,s,s]}, s:{s:s, s:i, s:o}, s:{s:s, s:b}}, s:[s,s,s]}",
	    "type", "object", "properties",
	    "id", "type", "integer", "readOnly", 1,
	    "name", "type", "string", "maxLength", KPI_NAME_MAX,
	    "applies", "type", "string", "description", "required on create; "
	    "with user_ids, department_id and role_id, in an administrator's "
	    "answers only", "enum", "users", "department", "role",
	    "user_ids", "type", "array", "items", "type", "integer",
	    "department_id", "type", "integer", "null",
	    "role_id", "type", "integer", "null",
	    "period_kind", "type", "string", "enum", "month", "quarter", "year",
	    "lines", "type", "array", "maxItems", KPI_LINES_MAX, "items", line,
	    "version", "type", "integer", "readOnly", 1,
	    "required", "name", "period_kind", "lines");
}

/*
 * The responses and query parameters of the KPI routes (core/kpi.h);
 * false for any other route.
 */
static bool
kpi_responses(const struct route *r, json_t *resp, json_t *params)
{
	static const char *const kq[][3] = {
		{ "scorecard_id", "the scorecard; required", "integer" },
		{ "period", "a period of the scorecard's kind: 2026-11, 2026-Q4 or "
		    "2026; required", "string" },
		{ "user_id", "one person only (404 when not one the caller may "
		    "see)", "integer" },
	};
	const char *what;

	if (r->fn == h_kpi_card_delete) {
		json_object_set_new(resp, "204", json_pack("{s:s}", "description",
		    "Deleted"));
		return true;
	}
	if (r->fn == h_kpi_card_list)
		what = "{data: [scorecard]}; who each applies to (applies, "
		    "user_ids, department_id, role_id) for an administrator only";
	else if (r->fn == h_kpi_card_get || r->fn == h_kpi_card_create ||
	    r->fn == h_kpi_card_update)
		what = "{id, name, applies, user_ids, department_id, role_id, "
		    "period_kind, lines: [{metric, target, weight, rule, cap | "
		    "worst | bands}], created_at, updated_at, version} (ETag: "
		    "its version); applies, user_ids, department_id and role_id "
		    "for an administrator only";
	else if (r->fn == h_kpi_results || r->fn == h_kpi_close ||
	    r->fn == h_kpi_reopen)
		what = "{scorecard_id, name, period, period_kind, from, to, people: "
		    "[{user_id, name, department_id, closed, closed_at, total_bp, "
		    "lines: [{metric, target, weight, rule, ..., actual, no_data, "
		    "score_bp, contribution_bp}]}]}; scores in basis points "
		    "(10000 = 100 points)";
	else
		return false;
	if (r->fn == h_kpi_results)
		own_params(params, kq, 3);
	json_object_set_new(resp, r->fn == h_kpi_card_create ? "201" : "200",
	    json_pack("{s:s, s:o}", "description", what, "content",
	    json_content(r->fn == h_kpi_card_get || r->fn == h_kpi_card_create ||
	    r->fn == h_kpi_card_update ? ref("KpiScorecard") : json_pack("{s:s}",
	    "type", "object"))));
	return true;
}

static json_t *
operation(const struct route *r)
{
	json_t *op = json_pack("{s:s, s:[s], s:o}", "summary", r->summary,
	    "tags", r->tag, "responses", json_object());
	json_t *resp = json_object_get(op, "responses");
	json_t *params = json_array();
	const char *sname = r->entity ? schema_name(r->entity) : NULL;

	for (int i = 0; i < 2; i++)
		if (strstr(r->path, i == 0 ? "{id}" : "{sub}") != NULL)
			json_array_append_new(params, json_pack("{s:s, s:s, s:b, "
			    "s:{s:s, s:i}}", "name", i == 0 ? "id" : "sub", "in",
			    "path", "required", 1, "schema", "type", "integer",
			    "minimum", 1));
	if (r->flags & R_SECRET)
		json_array_append_new(params, json_pack("{s:s, s:s, s:b, s:s, "
		    "s:{s:s}}", "name", strstr(r->path, "{key}") != NULL ? "key" :
		    strstr(r->path, "{token}") != NULL ? "token" : "secret", "in",
		    "path", "required", 1, "description",
		    strstr(r->path, "{key}") != NULL ? "the web form's public_key" :
		    strstr(r->path, "{token}") != NULL ? "the secret of the link in "
		    "the satisfaction mail" : "the feed's secret followed by .ics",
		    "schema", "type", "string"));
	if (r->fn == h_webform_submit || r->fn == h_csat_answer) {
		const char *body = r->fn == h_webform_submit ?
		    "WebFormSubmission" : "SatisfactionAnswer";

		/* JSON from a script, or a plain HTML form's post (either enctype). */
		json_object_set_new(op, "requestBody", json_pack("{s:b, s:{s:{s:o}, "
		    "s:{s:o}, s:{s:o}}}", "required", 1, "content",
		    "application/json", "schema", ref(body),
		    "application/x-www-form-urlencoded", "schema", ref(body),
		    "multipart/form-data", "schema", ref(body)));
	}
	if (r->fn == h_webform_page || r->fn == h_csat_page)
		json_object_set_new(resp, "200", json_pack("{s:s, s:{s:{s:{s:s}}}}",
		    "description", "A self-contained page with its own "
		    "Content-Security-Policy", "content", "text/html", "schema",
		    "type", "string"));
	if (r->fn == h_rec_list || r->fn == h_rec_export) {
		static const char *const q[] = { "q", "sort", "deleted", "cursor",
		    "limit" };

		/* An export takes the list's parameters but its paging. */
		for (size_t i = 0; i < (r->fn == h_rec_list ? 5 : 3); i++)
			json_array_append_new(params, json_pack("{s:s, s:s, "
			    "s:{s:s}}", "name", q[i], "in", "query", "schema",
			    "type", i == 4 ? "integer" : i == 2 ? "boolean" : "string"));
		for (size_t i = 0; i < r->entity->nfields; i++)
			if (r->entity->fields[i].flags & F_FILTER)
				json_array_append_new(params, json_pack("{s:s, s:s, "
				    "s:s, s:{s:s}}", "name", r->entity->fields[i].name,
				    "in", "query", "description", "exact match; "
				    "NAME[prefix]=... for a prefix of text, "
				    "NAME[gte]=... and NAME[lte]=... for a range of "
				    "numbers, dates and times", "schema", "type",
				    "string"));
		list_common_filters(r->entity, params);
	}
	if (r->fn == h_rec_export) {
		static const char *const p[][3] = {
			{ "format", "csv (default; UTF-8 with a BOM) or xlsx",
			    "string" },
			{ "columns", "field names separated by commas, as the API "
			    "names them (name,phones,owner_id,custom.segment); "
			    "default: every field the caller may see", "string" },
		};

		own_params(params, p, 2);
		json_object_set_new(resp, "200", json_pack("{s:s, s:{s:{s:{s:s, "
		    "s:s}}, s:{s:{s:s, s:s}}}}", "description", "The file as an "
		    "attachment (contacts-2026-11-27.csv); X-Export-Rows: the "
		    "records in it. At most 1,000,000 rows and 256 MiB; the "
		    "export is recorded in the audit log", "content", "text/csv",
		    "schema", "type", "string", "format", "binary",
		    "application/vnd.openxmlformats-officedocument.spreadsheetml."
		    "sheet", "schema", "type", "string", "format", "binary"));
	} else if (r->fn == h_rec_list) {
		json_object_set_new(resp, "200", json_pack("{s:s, s:o}",
		    "description", "A page", "content", json_content(json_pack(
		    "{s:s, s:{s:{s:s, s:o}, s:{s:[s,s]}}}", "type", "object",
		    "properties", "data", "type", "array", "items", ref(sname),
		    "next_cursor", "type", "string", "null"))));
	} else if (r->fn == h_deal_move) {
		json_object_set_new(resp, "200", json_pack("{s:s, s:o}",
		    "description", "The deal in its new stage (ETag: its version)",
		    "content", json_content(ref("Deal"))));
	} else if (r->fn == h_activity_complete || r->fn == h_activity_reopen) {
		json_object_set_new(resp, "200", json_pack("{s:s, s:o}",
		    "description", "The task, done or open (ETag: its version)",
		    "content", json_content(ref("Activity"))));
	} else if (r->fn == h_activity_my_day) {
		static const char *const p[][3] = {
			{ "tz", "the user's time zone, an IANA name (default UTC); "
			    "days and the week (to Sunday) are theirs", "string" },
			{ "user_id", "whose day (default: one's own); only what the "
			    "caller may read is shown", "integer" },
			{ "limit", "entries listed per bucket, 1 to 200 (default 20); "
			    "count stays the bucket's whole count", "integer" },
		};

		own_params(params, p, 3);
		json_object_set_new(resp, "200", json_pack("{s:s, s:o}",
		    "description", "{user_id, tz, now, date, overdue, today, "
		    "tomorrow, this_week, process_steps}: each bucket {data: "
		    "[activity], count, more}; open tasks by due_at, planned "
		    "meetings by start_at; process_steps: the process steps "
		    "waiting for the user [{id, instance_id, step_id, kind, name, "
		    "task_id, entity, record_id, started_at, due_at, overdue}]",
		    "content", json_content(json_pack("{s:s}", "type", "object"))));
	} else if (r->fn == h_timeline) {
		static const char *const p[][3] = {
			{ "type", "activity, change, stage (deals) or document",
			    "string" },
			{ "kind", "activities of this kind only (task, call, meeting, "
			    "email, note)", "string" },
			{ "user_id", "entries of this person (the activity's owner, "
			    "the change's author, who moved the deal)", "integer" },
			{ "cursor", "next_cursor of the previous page", "string" },
			{ "limit", "1 to 200 (default 50)", "integer" },
		};

		own_params(params, p, 5);
		json_object_set_new(resp, "200", json_pack("{s:s, s:o}",
		    "description", "{data: [{type, at, user_id, id, ...}], "
		    "next_cursor}, newest first", "content", json_content(
		    json_pack("{s:s}", "type", "object"))));
	} else if (r->fn == h_deal_board) {
		json_array_append_new(params, json_pack("{s:s, s:s, s:s, s:{s:s}}",
		    "name", "pipeline_id", "in", "query", "description", "the "
		    "pipeline (default: the first active one)", "schema", "type",
		    "integer"));
		json_array_append_new(params, json_pack("{s:s, s:s, s:s, s:{s:s}}",
		    "name", "limit", "in", "query", "description", "cards per "
		    "column, 1 to 100 (default 20)", "schema", "type", "integer"));
		list_common_filters(&entity_deals, params);
		json_object_set_new(resp, "200", json_pack("{s:s, s:o}",
		    "description", "{pipeline, base_currency, columns: [{stage, "
		    "count, amount_base, unconverted, stuck, cards, more}]}",
		    "content", json_content(json_pack("{s:s}", "type", "object"))));
	} else if (r->fn == h_report_support) {
		static const char *const sp[][3] = {
			{ "from", "first day of creation, YYYY-MM-DD, inclusive",
			    "string" },
			{ "to", "last day of creation, inclusive", "string" },
		};

		own_params(params, sp, 2);
		json_object_set_new(resp, "200", json_pack("{s:s, s:o}",
		    "description", "{open, sla, first_response_min, "
		    "resolution_min, satisfaction, agents, queues} (docs/api.md)",
		    "content", json_content(json_pack("{s:s}", "type", "object"))));
	} else if (desk_name(r) != NULL && r->fn != h_desk_delete) {
		json_object_set_new(resp, r->fn == h_desk_create ? "201" : "200",
		    json_pack("{s:s, s:o}", "description", r->fn == h_desk_list ?
		    "{data: [row]}" : "The row", "content", json_content(
		    r->fn == h_desk_list ? json_pack("{s:s, s:{s:{s:s, s:o}}}",
		    "type", "object", "properties", "data", "type", "array",
		    "items", ref(desk_name(r))) : ref(desk_name(r)))));
	} else if (r->fn == h_report_funnel) {
		static const char *const fq[] = { "pipeline_id", "from", "to",
		    "owner_id", "department_id", "source" };
		static const char *const fd[] = { "the pipeline (default: the "
		    "first active one)", "first day of creation, YYYY-MM-DD, "
		    "inclusive (default: 364 days before to)", "last day, "
		    "inclusive (default: today, UTC)", "owner's user id",
		    "owners in this department or one below it", "the deal's "
		    "source, exact" };

		for (size_t i = 0; i < sizeof(fq) / sizeof(*fq); i++)
			json_array_append_new(params, json_pack("{s:s, s:s, s:s, "
			    "s:{s:s}}", "name", fq[i], "in", "query", "description",
			    fd[i], "schema", "type", i == 0 || i == 3 || i == 4 ?
			    "integer" : "string"));
		json_object_set_new(resp, "200", json_pack("{s:s, s:o}",
		    "description", "{pipeline, from, to, base_currency, total, "
		    "stages: [{stage, reached, moved_on, conversion, avg_ms, "
		    "value_base, current}], won, lost: {count, value_base, "
		    "reasons}, end_to_end, unconverted, drill} (docs/api.md)",
		    "content", json_content(json_pack("{s:s}", "type", "object"))));
	} else if (r->fn == h_prun_list) {
		static const char *const p[][3] = {
			{ "status", "running, completed, cancelled, failed, or "
			    "overdue (running with an overdue step)", "string" },
			{ "template_id", "instances of this template", "integer" },
			{ "record", "instances on one record: entity:id, like "
			    "deals:12", "string" },
		};

		own_params(params, p, 3);
		json_object_set_new(resp, "200", json_pack("{s:s, s:o}",
		    "description", "{data: [{id, template_id, template_name, "
		    "version, entity, record_id, status, current_step, "
		    "current_step_name, waiting_step, assignee_id, waiting_since, "
		    "due_at, overdue, started_at, finished_at, started_by, "
		    "owner_id, error}], next_cursor: null}, newest first, at most "
		    "200", "content", json_content(json_pack("{s:s}", "type",
		    "object"))));
	} else if (r->fn == h_prun_start || r->fn == h_prun_get ||
	    r->fn == h_prun_cancel || r->fn == h_prun_step_complete) {
		json_object_set_new(resp, r->fn == h_prun_start ? "201" : "200",
		    json_pack("{s:s, s:o}", "description", "The instance: the "
		    "list's members and steps [{id, step_id, kind, name, status, "
		    "assignee_id, assignee_name, task_id, started_at, due_at, "
		    "wake_at, overdue_at, done_at, outcome, comment, done_by}]",
		    "content", json_content(json_pack("{s:s}", "type", "object"))));
	} else if (r->fn == h_prun_stats) {
		json_object_set_new(resp, "200", json_pack("{s:s, s:o}",
		    "description", "{template_id, data: [{step_id, name, count, "
		    "avg_ms, max_ms, waiting, overdue}]}, slowest average first",
		    "content", json_content(json_pack("{s:s}", "type", "object"))));
	} else if (r->fn == h_proc_list) {
		static const char *const p[][3] = {
			{ "status", "active (default) or archived", "string" },
		};

		own_params(params, p, 1);
		json_object_set_new(resp, "200", json_pack("{s:s, s:o}",
		    "description", "{data: [{id, key, name, entity, status, "
		    "builtin, version, valid, created_at, created_by, updated_at, "
		    "updated_by}], next_cursor: null}, by name", "content",
		    json_content(json_pack("{s:s}", "type", "object"))));
	} else if (r->fn == h_proc_create || r->fn == h_proc_get ||
	    r->fn == h_proc_update || r->fn == h_proc_archive ||
	    r->fn == h_proc_restore) {
		json_object_set_new(resp, r->fn == h_proc_create ? "201" : "200",
		    json_pack("{s:s, s:o}", "description", "The template: the list's "
		    "members, definition (the current version's), valid, errors, "
		    "versions [{version, created_at, created_by}] (ETag: the "
		    "version)", "content", json_content(json_pack("{s:s}", "type",
		    "object"))));
	} else if (r->fn == h_proc_validate) {
		json_object_set_new(resp, "200", json_pack("{s:s, s:o}",
		    "description", "{valid: true, errors: []} (a definition that cannot "
		    "run answers 422 with its errors)", "content",
		    json_content(json_pack("{s:s, s:{s:{s:s}, s:{s:s}}}", "type",
		    "object", "properties", "valid", "type", "boolean", "errors",
		    "type", "array"))));
	} else if (r->fn == h_doc_list) {
		json_array_append_new(params, json_pack("{s:s, s:s, s:s, s:{s:s}}",
		    "name", "deleted", "in", "query", "description", "true: the "
		    "record's trash, the latest deleted first", "schema", "type",
		    "boolean"));
		json_object_set_new(resp, "200", json_pack("{s:s, s:o}",
		    "description", "{data: [document]}: {id, entity, record_id, "
		    "name, mime, size, sha256, created_at, created_by}",
		    "content", json_content(json_pack("{s:s}", "type", "object"))));
	} else if (r->fn == h_doc_get || r->fn == h_doc_restore) {
		json_object_set_new(resp, "200", json_pack("{s:s, s:o}",
		    "description", "The document: {id, entity, record_id, name, "
		    "mime, size, sha256, created_at, created_by}", "content",
		    json_content(json_pack("{s:s}", "type", "object"))));
	} else if (r->fn == h_report_run || r->fn == h_report_export) {
		static const char *const rq[] = { "tz", "from", "to", "days",
		    "owner_id", "department_id", "pipeline_id", "source",
		    "segment", "format" };
		static const char *const rd[] = { "IANA time zone for relative "
		    "periods and date buckets (default UTC)", "the library's: "
		    "first day, YYYY-MM-DD", "the library's: last day, YYYY-MM-DD",
		    "clients_no_contact (default 30) and "
		    "clients_stuck_first_contact (default 14): days",
		    "the library's filters, each where the report's params "
		    "list it: the owner (a user id)", "owners in this "
		    "department or one below it", "deals of this pipeline",
		    "records of this source", "the company's custom field tier",
		    "csv (default), xlsx, or pdf (the chart drawn by the server, "
		    "then the table)" };
		size_t n = r->fn == h_report_export ? 10 : 9;

		for (size_t i = 0; i < n; i++)
			json_array_append_new(params, json_pack("{s:s, s:s, s:s, "
			    "s:{s:s}}", "name", rq[i], "in", "query", "description",
			    rd[i], "schema", "type", i >= 3 && i <= 6 ? "integer" :
			    "string"));
		if (r->fn == h_report_run)
			json_object_set_new(resp, "200", json_pack("{s:s, s:o}",
			    "description", "{columns: [{key, label, type}], rows, "
			    "totals, drill, truncated, chart, row_count} "
			    "(docs/reports.md)", "content", json_content(json_pack(
			    "{s:s}", "type", "object"))));
		else
			json_object_set_new(resp, "200", json_pack("{s:s, s:{s:{s:{s:s}}, "
			    "s:{s:{s:s, s:s}}, s:{s:{s:s, s:s}}}}", "description",
			    "The file, report-<id>-<YYYY-MM-DD>.<format> "
			    "(X-Export-Rows: its rows)", "content",
			    "text/csv", "schema", "type", "string",
			    "application/vnd.openxmlformats-officedocument."
			    "spreadsheetml.sheet", "schema", "type", "string", "format",
			    "binary", "application/pdf", "schema", "type", "string",
			    "format", "binary"));
	} else if (r->fn == h_dashboard_get || r->fn == h_dashboard_put) {
		json_object_set_new(resp, "200", json_pack("{s:s, s:o}",
		    "description", "{report_ids: [id], layout: {...}, updated_at: "
		    "time | null, source: own | role | none}: only the reports one "
		    "may see now", "content",
		    json_content(json_pack("{s:s, s:{s:{s:s, s:{s:s}}, s:{s:s}, "
		    "s:{s:s}}}", "type", "object", "properties", "report_ids",
		    "type", "array", "items", "type", "integer", "layout", "type",
		    "object", "updated_at", "type", "string"))));
	} else if (r->fn == h_report_preview) {
		json_object_set_new(resp, "200", json_pack("{s:s, s:o}",
		    "description", "{columns, rows, totals, drill, truncated, "
		    "chart, row_count} (docs/reports.md)", "content", json_content(
		    json_pack("{s:s}", "type", "object"))));
	} else if (sname != NULL && r->fn != h_rec_delete) {
		json_object_set_new(resp, r->fn == h_rec_create ? "201" : "200",
		    json_pack("{s:s, s:o}", "description", "The record (ETag "
		    "header: its version)", "content", json_content(ref(sname))));
	} else if (r->fn == h_rec_delete || r->fn == h_cf_delete ||
	    r->fn == h_report_delete ||
	    r->fn == h_logout || r->fn == h_currency_rate_delete) {
		json_object_set_new(resp, "204", json_pack("{s:s}", "description",
		    "Done"));
	} else if (r->fn == h_audit_export) {
		json_object_set_new(resp, "200", json_pack("{s:s, s:{s:{s:{s:s}}}}",
		    "description", "CSV (RFC 4180): id, at, actor_email, action, "
		    "entity, record_id, address, agent, detail (JSON); at most "
		    "50,000 rows, newest first", "content", "text/csv",
		    "schema", "type", "string"));
	} else if (workcal_responses(r, resp, params) ||
	    workload_responses(r, resp, params) ||
	    kpi_responses(r, resp, params) || rsub_responses(r, resp)) {
		/* the working-hours calendars' own (below) */
	} else if (r->fn == h_cf_create || r->fn == h_cf_update) {
		json_object_set_new(resp, r->fn == h_cf_create ? "201" : "200",
		    json_pack("{s:s, s:o}", "description", "The definition",
		    "content", json_content(ref("CustomField"))));
	} else {
		json_object_set_new(resp, "200", json_pack("{s:s, s:o}",
		    "description", "OK", "content", json_content(json_pack("{s:s}",
		    "type", "object"))));
	}
	if (r->fn == h_search || r->fn == h_cf_list) {
		json_array_append_new(params, json_pack("{s:s, s:s, s:b, s:{s:s}}",
		    "name", r->fn == h_search ? "q" : "entity", "in", "query",
		    "required", 1, "schema", "type", "string"));
	}
	if (r->fn == h_audit_list || r->fn == h_audit_export ||
	    r->fn == h_rec_history) {
		static const char *const aq[] = { "actor_id", "action", "entity",
		    "record_id", "address", "from", "to", "cursor", "limit" };
		static const char *const ad[] = { "a user id", "exact, or a family "
		    "ending in '.' (record.)", "companies, contacts, users, ...",
		    "a record id", "the client's address", "a date (2026-11-26) or "
		    "an RFC 3339 time, inclusive", "the same, exclusive",
		    "next_cursor of the previous page", "1 to 500 (default 50)" };
		/* The history fixes entity and record; the export takes no paging. */
		size_t n = r->fn == h_audit_export ? 7 : 9;

		for (size_t i = 0; i < n; i++) {
			if (r->fn == h_rec_history && (i == 2 || i == 3))
				continue;
			json_array_append_new(params, json_pack("{s:s, s:s, s:s, "
			    "s:{s:s}}", "name", aq[i], "in", "query", "description",
			    ad[i], "schema", "type", i == 0 || i == 3 || i == 8 ?
			    "integer" : "string"));
		}
	}
	if (r->fn == h_currency_rates_list) {
		static const char *const cq[] = { "currency", "from", "to",
		    "cursor", "limit" };
		static const char *const cd[] = { "an ISO 4217 code (USD)",
		    "a date YYYY-MM-DD, inclusive", "a date YYYY-MM-DD, inclusive",
		    "next_cursor of the previous page", "1 to 1000 (default 100)" };

		for (size_t i = 0; i < 5; i++)
			json_array_append_new(params, json_pack("{s:s, s:s, s:s, "
			    "s:{s:s}}", "name", cq[i], "in", "query", "description",
			    cd[i], "schema", "type", i == 4 ? "integer" : "string"));
	}
	if (r->fn == h_currency_rates_import)
		json_object_set_new(op, "requestBody", json_pack("{s:b, s:{s:{s:{s:s, "
		    "s:s}}}}", "required", 1, "content", "text/csv", "schema",
		    "type", "string", "description", "lines currency,date,rate "
		    "(USD,2026-11-26,92.4512); an optional header line"));
	if (r->fn == h_currency_rate_put)
		json_object_set_new(op, "requestBody", json_pack("{s:b, s:o}",
		    "required", 1, "content", json_content(json_pack("{s:s, "
		    "s:{s:{s:s}, s:{s:s, s:s}, s:{s:s, s:s}}, s:[s,s,s]}", "type",
		    "object", "properties", "currency", "type", "string", "date",
		    "type", "string", "format", "date", "rate", "type", "string",
		    "pattern", "^[0-9]+(\\.[0-9]{1,10})?$", "required", "currency",
		    "date", "rate"))));
	else if (r->fn == h_currency_base_put)
		json_object_set_new(op, "requestBody", json_pack("{s:b, s:o}",
		    "required", 1, "content", json_content(json_pack("{s:s, "
		    "s:{s:{s:s}}, s:[s]}", "type", "object", "properties",
		    "currency", "type", "string", "required", "currency"))));
	else if (r->fn == h_desk_mailbox_put)
		json_object_set_new(op, "requestBody", json_pack("{s:b, s:o}",
		    "required", 1, "content", json_content(json_pack("{s:s, "
		    "s:{s:{s:[s,s], s:s}, s:{s:[s,s]}, s:{s:[s,s], s:s}, "
		    "s:{s:s}, s:{s:s, s:i, s:i}, s:{s:[s,s]}, s:{s:[s,s]}, "
		    "s:{s:s}, s:{s:s, s:s}}, s:b}", "type", "object",
		    "properties", "imap_url", "type", "string", "null",
		    "description", "imaps://host[:port]; imap:// only to a "
		    "loopback host with allow_plain", "username", "type", "string",
		    "null", "password", "type", "string", "null", "description",
		    "stored, never returned (password_set)", "folder", "type",
		    "string", "poll_seconds", "type", "integer", "minimum",
		    DESK_MAIL_POLL_MIN, "maximum", DESK_MAIL_POLL_MAX, "queue_id",
		    "type", "integer", "null", "category", "type", "string", "null",
		    "enabled", "type", "boolean", "allow_plain", "type", "boolean",
		    "description", "tests: plain IMAP to a loopback server",
		    "additionalProperties", 0))));
	else if (r->fn == h_deal_move)
		json_object_set_new(op, "requestBody", json_pack("{s:b, s:o}",
		    "required", 1, "content", json_content(json_pack("{s:s, "
		    "s:{s:{s:s}, s:{s:s}, s:{s:s}}, s:[s], s:b}", "type", "object",
		    "properties", "stage_id", "type", "integer", "lost_reason_id",
		    "type", "integer", "lost_comment", "type", "string", "required",
		    "stage_id", "additionalProperties", 0))));
	else if (r->fn == h_import_upload)
		json_object_set_new(op, "requestBody", json_pack("{s:b, s:{s:{s:{s:s, "
		    "s:{s:{s:s, s:s, s:s}, s:{s:s, s:[s,s,s,s]}, s:{s:s, s:s}, "
		    "s:{s:s, s:s}, s:{s:s, s:s}}, s:[s,s]}}}}", "required", 1,
		    "content", "multipart/form-data", "schema", "type", "object",
		    "properties",
		    "file", "type", "string", "format", "binary", "description",
		    "the CSV or XLSX file (--max-upload)",
		    "entity", "type", "string", "enum", "companies", "contacts",
		    "deals", "activities",
		    "encoding", "type", "string", "description", "CSV: an iconv "
		    "name (UTF-8, WINDOWS-1251, SHIFT_JIS); default detected",
		    "delimiter", "type", "string", "description", "CSV: , ; | or a "
		    "tab; default detected",
		    "sheet", "type", "string", "description", "XLSX: the sheet; "
		    "default the first",
		    "required", "file", "entity"));
	else if (r->flags & R_UPLOAD)
		json_object_set_new(op, "requestBody", json_pack("{s:b, s:{s:{s:{s:s, "
		    "s:{s:{s:s, s:s, s:s}}, s:[s]}}}}", "required", 1, "content",
		    "multipart/form-data", "schema", "type", "object", "properties",
		    "file", "type", "string", "format", "binary", "description",
		    r->fn == h_plan_import ? "one part named file: a CSV or XLSX "
		    "whose first row names who, metric, period, target "
		    "(docs/api.md)" : "one part named file with a filename; PDF, "
		    "PNG, JPEG, GIF, WebP, text, CSV, Office or OpenDocument, as its "
		    "bytes and name say (--max-upload, default 25 MiB)", "required",
		    "file"));
	else if (r->flags & R_BODY)
		json_object_set_new(op, "requestBody", json_pack("{s:b, s:o}",
		    "required", 1, "content", json_content(sname ? ref(sname) :
		    desk_name(r) != NULL ? ref(desk_name(r)) :
		    r->fn == h_login ? ref("Login") : r->fn == h_cf_create ||
		    r->fn == h_cf_update ? ref("CustomField") : r->fn ==
		    h_workcal_create || r->fn == h_workcal_update ?
		    ref("WorkCalendar") : r->fn == h_absence_create || r->fn ==
		    h_absence_update ? ref("Absence") : r->fn == h_kpi_card_create ||
		    r->fn == h_kpi_card_update ? ref("KpiScorecard") : r->fn ==
		    h_kpi_close || r->fn == h_kpi_reopen ? ref("KpiPeriod") :
		    r->fn == h_rsub_create ||
		    r->fn == h_rsub_update ? ref("ReportSubscription") :
		    json_pack("{s:s, "
		    "s:s}", "type", "object", "description", "see docs/api.md"))));
	if (r->fn == h_doc_content) {
		json_array_append_new(params, json_pack("{s:s, s:s, s:s, s:{s:s}}",
		    "name", "inline", "in", "query", "description", "1: "
		    "Content-Disposition inline, for previews of images and PDF "
		    "(other types answer 400)", "schema", "type", "string"));
		json_object_set_new(resp, "200", json_pack("{s:s, s:{s:{s:{s:s, "
		    "s:s}}}}", "description", "The file's bytes, with its sniffed "
		    "Content-Type and Content-Disposition (RFC 6266 and 5987 names)",
		    "content", "application/octet-stream", "schema", "type",
		    "string", "format", "binary"));
	}
	if (r->fn == h_rec_update || r->fn == h_deal_move || r->fn == h_proc_update ||
	    r->fn == h_activity_complete || r->fn == h_activity_reopen ||
	    r->fn == h_workcal_update || r->fn == h_kpi_card_update)
		json_array_append_new(params, json_pack("{s:s, s:s, s:s, s:{s:s}}",
		    "name", "If-Match", "in", "header", "description", "the ETag "
		    "you read; a stale one answers 412", "schema", "type", "string"));
	if (!(r->flags & R_PUBLIC))
		json_object_set_new(resp, "401", json_pack("{s:s, s:o}",
		    "description", "Not signed in", "content", json_pack("{s:{s:o}}",
		    "application/problem+json", "schema", ref("Problem"))));
	json_object_set_new(resp, "default", json_pack("{s:s, s:o}",
	    "description", "An error", "content", json_pack("{s:{s:o}}",
	    "application/problem+json", "schema", ref("Problem"))));
	if (json_array_size(params) > 0)
		json_object_set_new(op, "parameters", params);
	else
		json_decref(params);
	if (r->flags & R_PUBLIC)
		json_object_set_new(op, "security", json_array());
	return op;
}

void
h_openapi(struct call *c)
{
	json_t *paths = json_object(), *doc;

	for (size_t i = 0; i < api_nroutes; i++) {
		const struct route *r = &api_routes[i];
		json_t *item = json_object_get(paths, r->path);
		char method[16];
		size_t k;

		if (item == NULL) {
			item = json_object();
			json_object_set_new(paths, r->path, item);
		}
		for (k = 0; r->method[k] && k + 1 < sizeof(method); k++)
			method[k] = (char)(r->method[k] | 0x20);
		method[k] = '\0';
		json_object_set_new(item, method, operation(r));
	}
	doc = json_pack("{s:s, s:{s:s, s:s, s:s}, s:o, s:{s:{s:o, s:o, s:o, "
	    "s:o, s:o, s:o}, s:{s:{s:s, s:s}, s:{s:s, s:s, s:s}}}, s:[{s:[]}, {s:[]}]}",
	    "openapi", "3.1.0",
	    "info", "title", "crm", "version", c->app->version, "description",
	    "The CRM's REST API. Errors are application/problem+json.",
	    "paths", paths,
	    "components", "schemas",
	    "Company", entity_schema(&entity_companies),
	    "Contact", entity_schema(&entity_contacts),
	    "Deal", entity_schema(&entity_deals),
	    "Problem", json_pack("{s:s, s:{s:{s:s}, s:{s:s}, s:{s:s}, s:{s:s}, "
	    "s:{s:s, s:{s:s, s:{s:{s:s}, s:{s:s}}}}}}", "type", "object",
	    "properties", "type", "type", "string", "title", "type", "string",
	    "status", "type", "integer", "detail", "type", "string", "errors",
	    "type", "array", "items", "type", "object", "properties", "field",
	    "type", "string", "message", "type", "string"),
	    "CustomField", json_pack("{s:s, s:{s:{s:s}, s:{s:s}, s:{s:s}, s:{s:s}, "
	    "s:{s:s}, s:{s:s}, s:{s:s}, s:{s:s}}}", "type", "object", "properties",
	    "id", "type", "integer", "entity", "type", "string", "name", "type",
	    "string", "label", "type", "string", "type", "type", "string",
	    "required", "type", "boolean", "options", "type", "array", "position",
	    "type", "integer"),
	    "Login", json_pack("{s:s, s:{s:{s:s}, s:{s:s}}, s:[s,s]}", "type",
	    "object", "properties", "email", "type", "string", "password", "type",
	    "string", "required", "email", "password"),
	    "securitySchemes",
	    "bearer", "type", "http", "scheme", "bearer",
	    "session", "type", "apiKey", "in", "cookie", "name", "crm_session",
	    "security", "bearer", "session");
	if (doc == NULL) {
		reply_problem(c, 500, NULL, "Could not build the description");
		return;
	}
	json_object_set_new(json_object_get(json_object_get(doc, "components"),
	    "schemas"), "Activity", entity_schema(&entity_activities));
	json_object_set_new(json_object_get(json_object_get(doc, "components"),
	    "schemas"), "WorkCalendar", workcal_schema());
	json_object_set_new(json_object_get(json_object_get(doc, "components"),
	    "schemas"), "Ticket", entity_schema(&entity_tickets));
	json_object_set_new(json_object_get(json_object_get(doc, "components"),
	    "schemas"), "SLAPolicy", desk_schema(&dtable_sla_policies));
	json_object_set_new(json_object_get(json_object_get(doc, "components"),
	    "schemas"), "Queue", desk_schema(&dtable_queues));
	json_object_set_new(json_object_get(json_object_get(doc, "components"),
	    "schemas"), "CannedResponse", desk_schema(&dtable_canned));
	json_object_set_new(json_object_get(json_object_get(doc, "components"),
	    "schemas"), "WebForm", desk_schema(&dtable_web_forms));
	json_object_set_new(json_object_get(json_object_get(doc, "components"),
	    "schemas"), "WebFormSubmission", json_pack("{s:s, s:{s:{s:s, s:i}, "
	    "s:{s:s, s:i}, s:{s:s, s:i}, s:{s:s, s:i}, s:{s:s, s:i}, s:{s:s, "
	    "s:s}}, s:[s]}", "type", "object", "properties",
	    "name", "type", "string", "maxLength", WEBFORM_NAME_MAX,
	    "email", "type", "string", "maxLength", WEBFORM_EMAIL_MAX,
	    "phone", "type", "string", "maxLength", WEBFORM_PHONE_MAX,
	    "subject", "type", "string", "maxLength", WEBFORM_SUBJECT_MAX,
	    "message", "type", "string", "maxLength", WEBFORM_MESSAGE_MAX,
	    WEBFORM_HONEYPOT, "type", "string", "description", "must stay "
	    "empty (robots fill it)", "required", "message"));
	json_object_set_new(json_object_get(json_object_get(doc, "components"),
	    "schemas"), "SatisfactionAnswer", json_pack("{s:s, s:{s:{s:s, s:i, "
	    "s:i}, s:{s:s, s:i}}, s:[s]}", "type", "object", "properties",
	    "rating", "type", "integer", "minimum", 1, "maximum", 5,
	    "comment", "type", "string", "maxLength", WEBFORM_CSAT_COMMENT_MAX,
	    "required", "rating"));
	json_object_set_new(json_object_get(json_object_get(doc, "components"),
	    "schemas"), "Absence", json_pack("{s:s, s:{s:{s:s, s:b}, s:{s:s, "
	    "s:s}, s:{s:s, s:s}, s:{s:s, s:[s,s,s]}, s:{s:[s,s], s:i}}, s:[s,s,s]}",
	    "type", "object", "properties", "id", "type", "integer", "readOnly", 1,
	    "from", "type", "string", "format", "date", "to", "type", "string",
	    "format", "date", "kind", "type", "string", "enum", "vacation", "sick",
	    "other", "note", "type", "string", "null", "maxLength",
	    ABSENCE_NOTE_MAX, "required", "from", "to", "kind"));
	json_object_set_new(json_object_get(json_object_get(doc, "components"),
	    "schemas"), "KpiScorecard", kpi_schema());
	json_object_set_new(json_object_get(json_object_get(doc, "components"),
	    "schemas"), "KpiPeriod", json_pack("{s:s, s:{s:{s:s, s:i}, s:{s:s}}, "
	    "s:[s,s]}", "type", "object", "properties", "scorecard_id", "type",
	    "integer", "minimum", 1, "period", "type", "string", "required",
	    "scorecard_id", "period"));
	json_object_set_new(json_object_get(json_object_get(doc, "components"),
	    "schemas"), "ReportSubscription", rsub_schema());
	reply_json(c, 200, doc);
}
