/*
 * Saved reports, shares, the library, runs and exports (core/reports.h).
 *
 * Who sees a saved report: everyone the library's (builtin set); the
 * owner their own; the users and departments (members and heads) it is
 * shared with; an administrator all. Only the owner or an administrator
 * changes or deletes one; the library's are read-only to all. Whoever
 * runs a report, their own rights apply (report_def_parse checks fields
 * against the runner's role, report_def_compile applies their scope), so
 * sharing a report shares a question, never data.
 *
 * The library's reports are rows (migration 0021) whose definitions live
 * here, keyed by builtin: descriptions filled with the run's parameters,
 * or core functions (report_lib_*.c) for what descriptions cannot say.
 */
#include "core/reports.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/access.h"
#include "core/audit.h"
#include "util/alloc.h"
#include "util/log.h"
#include "util/text.h"
#include "util/timeutil.h"
#include "util/tz.h"

#define DAY_MS 86400000LL
#define NO_CONTACT_DAYS 30
#define NO_CONTACT_MAX 3650

#define STUCK_DAYS 14

enum lib_fn {
	LIB_DESC, LIB_CYCLE, LIB_PIPELINE, LIB_ACTIVITY, LIB_NO_CONTACT,
	LIB_COMPLETENESS, LIB_PRODUCT, LIB_SEGMENT, LIB_ABC, LIB_RFM,
	LIB_REPEAT, LIB_STUCK, LIB_USAGE, LIB_TICKETS, LIB_PROCESS,
};

/* The library's filters a report takes (docs/reports.md "Filters"). */
#define TAKES_OWNER	0x01u
#define TAKES_DEPT	0x02u
#define TAKES_PIPELINE	0x04u
#define TAKES_SOURCE	0x08u
#define TAKES_SEGMENT	0x10u
#define TAKES_DAYS	0x20u
#define DEAL_FILTERS (TAKES_OWNER | TAKES_DEPT | TAKES_PIPELINE | \
	TAKES_SOURCE | TAKES_SEGMENT)
#define CLIENT_FILTERS (TAKES_OWNER | TAKES_DEPT | TAKES_SOURCE | \
	TAKES_SEGMENT)
#define PERSON_FILTERS (TAKES_OWNER | TAKES_DEPT)

struct builtin {
	const char	*key;
	const char	*explanation;
	const struct entity *base;	/* whose export right an export needs */
	enum lib_fn	 fn;
	const char	*desc;		/* LIB_DESC: the description */
	const char	*period;	/* the time field from/to bound, or NULL */
	bool		 overdue;	/* adds due_at < now */
	unsigned	 takes;		/* TAKES_*: its filters and days */
};

static const struct builtin builtins[] = {
	{ "revenue_by_month", "Won deals by the month they closed: count and "
	    "sum of amount_base.", &entity_deals, LIB_DESC,
	    "{\"entity\": \"deals\", \"filters\": [{\"field\": \"status\", "
	    "\"op\": \"eq\", \"value\": \"won\"}], \"group_by\": [{\"field\": "
	    "\"closed_at\", \"bucket\": \"month\"}], \"aggregates\": [{\"fn\": "
	    "\"count\"}, {\"fn\": \"sum\", \"field\": \"amount_base\"}], "
	    "\"chart\": \"bar\"}", "closed_at", false,
	    DEAL_FILTERS },
	{ "revenue_by_source", "Won deals by source: count and sum of "
	    "amount_base.", &entity_deals, LIB_DESC,
	    "{\"entity\": \"deals\", \"filters\": [{\"field\": \"status\", "
	    "\"op\": \"eq\", \"value\": \"won\"}], \"group_by\": [{\"field\": "
	    "\"source\"}], \"aggregates\": [{\"fn\": \"count\"}, {\"fn\": \"sum\", "
	    "\"field\": \"amount_base\"}], \"sort\": [{\"key\": "
	    "\"sum:amount_base\", \"dir\": \"desc\"}], \"chart\": \"pie\"}",
	    "closed_at", false,
	    DEAL_FILTERS },
	{ "revenue_by_manager", "Won deals by owner: count and sum of "
	    "amount_base.", &entity_deals, LIB_DESC,
	    "{\"entity\": \"deals\", \"joins\": [\"owner\"], \"filters\": "
	    "[{\"field\": \"status\", \"op\": \"eq\", \"value\": \"won\"}], "
	    "\"group_by\": [{\"field\": \"owner_id\"}, {\"field\": "
	    "\"owner.name\"}], \"aggregates\": [{\"fn\": \"count\"}, {\"fn\": "
	    "\"sum\", \"field\": \"amount_base\"}], \"sort\": [{\"key\": "
	    "\"sum:amount_base\", \"dir\": \"desc\"}], \"chart\": \"bar\"}",
	    "closed_at", false,
	    DEAL_FILTERS },
	{ "revenue_by_department", "Won deals by the owner's department: count "
	    "and sum of amount_base.", &entity_deals, LIB_DESC,
	    "{\"entity\": \"deals\", \"joins\": [\"owner\"], \"filters\": "
	    "[{\"field\": \"status\", \"op\": \"eq\", \"value\": \"won\"}], "
	    "\"group_by\": [{\"field\": \"owner.department_id\"}, {\"field\": "
	    "\"owner.department\"}], \"aggregates\": [{\"fn\": \"count\"}, "
	    "{\"fn\": \"sum\", \"field\": \"amount_base\"}], \"sort\": "
	    "[{\"key\": \"sum:amount_base\", \"dir\": \"desc\"}], \"chart\": "
	    "\"bar\"}", "closed_at", false,
	    DEAL_FILTERS },
	{ "won_lost_reasons", "Closed deals by status and lost reason: count "
	    "and sum of amount_base.", &entity_deals, LIB_DESC,
	    "{\"entity\": \"deals\", \"joins\": [\"lost_reason\"], \"filters\": "
	    "[{\"field\": \"status\", \"op\": \"in\", \"value\": [\"won\", "
	    "\"lost\"]}], \"group_by\": [{\"field\": \"status\"}, {\"field\": "
	    "\"lost_reason_id\"}, {\"field\": \"lost_reason.name\"}], "
	    "\"aggregates\": [{\"fn\": \"count\"}, {\"fn\": \"sum\", \"field\": "
	    "\"amount_base\"}], \"chart\": \"bar\"}", "closed_at", false,
	    DEAL_FILTERS },
	{ "deal_size_cycle", "Won deals by owner: count, average amount_base, "
	    "and average days from created to closed.", &entity_deals,
	    LIB_CYCLE, NULL, "closed_at", false,
	    DEAL_FILTERS },
	{ "pipeline_by_close_month", "Open deals by expected close month: "
	    "count, sum of amount_base, and that sum weighted by the stage's "
	    "probability.", &entity_deals, LIB_PIPELINE, NULL, NULL, false,
	    DEAL_FILTERS },
	{ "activity_by_manager", "Per owner, of activities created in the "
	    "period: calls, meetings, tasks done, and open tasks past their due "
	    "time now.", &entity_activities, LIB_ACTIVITY, NULL, "created_at",
	    false,
	    PERSON_FILTERS | TAKES_SEGMENT },
	{ "new_clients_by_source", "Companies created in the period, by "
	    "source.", &entity_companies, LIB_DESC,
	    "{\"entity\": \"companies\", \"group_by\": [{\"field\": "
	    "\"source\"}], \"aggregates\": [{\"fn\": \"count\"}], \"sort\": "
	    "[{\"key\": \"count\", \"dir\": \"desc\"}], \"chart\": \"pie\"}",
	    "created_at", false,
	    CLIENT_FILTERS },
	{ "clients_no_contact", "Companies whose last activity is older than N "
	    "days, or that have none, with the day of the last one.",
	    &entity_companies, LIB_NO_CONTACT, NULL, NULL, false,
	    CLIENT_FILTERS | TAKES_DAYS },
	{ "overdue_tasks_by_person", "Open tasks whose due time has passed, by "
	    "owner.", &entity_activities, LIB_DESC,
	    "{\"entity\": \"activities\", \"joins\": [\"owner\"], \"filters\": "
	    "[{\"field\": \"kind\", \"op\": \"eq\", \"value\": \"task\"}, "
	    "{\"field\": \"status\", \"op\": \"eq\", \"value\": \"open\"}], "
	    "\"group_by\": [{\"field\": \"owner_id\"}, {\"field\": "
	    "\"owner.name\"}], \"aggregates\": [{\"fn\": \"count\"}], \"sort\": "
	    "[{\"key\": \"count\", \"dir\": \"desc\"}], \"chart\": \"bar\"}",
	    NULL, true, PERSON_FILTERS | TAKES_SEGMENT },
	{ "data_completeness", "Per owner, of their contacts: how many, and the "
	    "percent missing a phone, an email, a source.", &entity_contacts,
	    LIB_COMPLETENESS, NULL, NULL, false, CLIENT_FILTERS },
	{ "revenue_by_product", "Won deals closed in the period, by the "
	    "product of their lines: deals, quantity, and the lines' totals in "
	    "the base currency (each at its deal's amount_base / amount, "
	    "rounded down).", &entity_deals, LIB_PRODUCT, NULL, "closed_at",
	    false, DEAL_FILTERS },
	{ "revenue_by_segment", "Won deals closed in the period, by their "
	    "company's segment (its custom field tier): count and sum of "
	    "amount_base.", &entity_deals, LIB_SEGMENT, NULL, "closed_at", false,
	    DEAL_FILTERS },
	{ "abc_clients", "Companies by revenue (won deals closed in the "
	    "period, amount_base), largest first: A while the revenue before "
	    "them is under 80 % of the total, B under 95 %, C the rest.",
	    &entity_deals, LIB_ABC, NULL, "closed_at", false, DEAL_FILTERS },
	{ "rfm_segments", "Companies with won deals closed in the period: "
	    "days since the last (R), how many (F), their amount_base (M), "
	    "each scored 1 to 3 by fixed bands, and a segment named from the "
	    "scores.", &entity_deals, LIB_RFM, NULL, "closed_at", false,
	    DEAL_FILTERS },
	{ "repeat_purchase_rate", "Per quarter of the period: companies with "
	    "at least one won deal closed in it, those with two or more, and "
	    "the rate (percent).", &entity_deals, LIB_REPEAT, NULL, "closed_at",
	    false, DEAL_FILTERS },
	{ "clients_stuck_first_contact", "Companies with no deal whose only "
	    "activity is one call, meeting or email, more than N days ago.",
	    &entity_companies, LIB_STUCK, NULL, NULL, false, CLIENT_FILTERS |
	    TAKES_DAYS },
	{ "crm_usage", "Per person whose records your role reaches: sign-ins, "
	    "records created and records changed in the period (the audit "
	    "log), and the last sign-in.", &entity_activities, LIB_USAGE, NULL,
	    "at", false, PERSON_FILTERS },
	{ "tickets_sla", "Tickets created in the period by week, queue and "
	    "priority: how many, those whose SLA is decided (closed, or "
	    "breached), met, breached, and compliance (met / decided, percent).",
	    &entity_tickets, LIB_TICKETS, NULL, "created_at", false,
	    PERSON_FILTERS | TAKES_SEGMENT },
	{ "process_bottlenecks", "Process steps started in the period, per "
	    "template and step: finished, average and longest hours from start "
	    "to done, waiting now, and those past their deadline.",
	    &entity_activities, LIB_PROCESS, NULL, "started_at", false,
	    PERSON_FILTERS },
};

static const struct builtin *
builtin_find(const char *key)
{
	for (size_t i = 0; key != NULL && i < sizeof(builtins) /
	    sizeof(*builtins); i++)
		if (strcmp(builtins[i].key, key) == 0)
			return &builtins[i];
	return NULL;
}

static json_t *params_json(const struct builtin *b);

static int
db_fail(struct core_ctx *cx, const char *what)
{
	log_error("database: reports %s: %s", what, db_errmsg(cx->db));
	return core_fail(cx, CRM_EDB, "The database failed; nothing was changed");
}

static bool
is_admin(struct core_ctx *cx)
{
	return cx->actor.user_id == 0 || cx->actor.is_admin;
}

/* " AND (...)": the reports the actor may see, over alias r. */
static void
visible_sql(struct core_ctx *cx, struct dbq *q)
{
	if (is_admin(cx))
		return;
	dbq_sql(q, " AND (r.builtin IS NOT NULL OR r.owner_id = ? OR r.id IN "
	    "(SELECT rs.report_id FROM report_shares rs WHERE rs.user_id = ? OR "
	    "rs.department_id IN (SELECT department_id FROM users WHERE id = ? "
	    "UNION SELECT department_id FROM department_heads WHERE user_id = "
	    "?)))");
	for (int i = 0; i < 4; i++)
		dbq_int(q, cx->actor.user_id);
}

#define REPORT_COLS "r.id, r.name, r.description, r.owner_id, r.builtin, " \
	"r.version, r.created_at, r.created_by, r.updated_at, r.updated_by, " \
	"r.definition"

static json_t *
opt_int(db_stmt_t *st, int c)
{
	return db_col_null(st, c) ? json_null() : json_integer(db_col_int(st, c));
}

static json_t *
time_json(int64_t ms)
{
	char ts[TIME_RFC3339_LEN];

	time_format(ms, ts, sizeof(ts));
	return json_string(ts);
}

/* A row read with REPORT_COLS; the definition only when full. */
static json_t *
row_json(struct core_ctx *cx, db_stmt_t *st, bool full)
{
	const char *bkey = db_col_null(st, 4) ? NULL : db_col_text(st, 4, NULL);
	const struct builtin *b = builtin_find(bkey);
	bool own = !db_col_null(st, 3) && db_col_int(st, 3) ==
	    cx->actor.user_id;
	json_t *o, *def = NULL;

	o = json_pack("{s:I, s:s, s:s, s:o, s:o, s:o, s:b, s:I, s:o, s:o, "
	    "s:o, s:o}", "id", (json_int_t)db_col_int(st, 0), "name",
	    db_col_text(st, 1, NULL), "description", db_col_text(st, 2, NULL),
	    "owner_id", opt_int(st, 3), "builtin", b ? json_string(b->key) :
	    json_null(), "explanation", b ? json_string(b->explanation) :
	    json_null(), "editable", b == NULL && (own || is_admin(cx)),
	    "version", (json_int_t)db_col_int(st, 5), "created_at",
	    time_json(db_col_int(st, 6)), "created_by", opt_int(st, 7),
	    "updated_at", time_json(db_col_int(st, 8)), "updated_by",
	    opt_int(st, 9));
	if (o == NULL)
		return NULL;
	json_object_set_new(o, "params", b ? params_json(b) : json_array());
	if (full) {
		if (b != NULL && b->desc != NULL)
			def = json_loads(b->desc, 0, NULL);
		else if (b == NULL)
			def = json_loads(db_col_text(st, 10, NULL), 0, NULL);
		json_object_set_new(o, "definition", def ? def : json_null());
	}
	return o;
}

static int
load_shares(struct core_ctx *cx, int64_t id, json_t *rep)
{
	json_t *arr = json_array();
	db_stmt_t *st;
	int rc;

	if (db_prepare(cx->db, "SELECT user_id, department_id FROM report_shares "
	    "WHERE report_id = ? ORDER BY id", &st) != DB_OK) {
		json_decref(arr);
		return db_fail(cx, "shares");
	}
	db_bind_int(st, 1, id);
	while ((rc = db_step(st)) == DB_ROW)
		json_array_append_new(arr, db_col_null(st, 0) ?
		    json_pack("{s:I}", "department_id", (json_int_t)db_col_int(st,
		    1)) : json_pack("{s:I}", "user_id", (json_int_t)db_col_int(st,
		    0)));
	db_done(st);
	json_object_set_new(rep, "shares", arr);
	return rc == DB_DONE ? CRM_OK : db_fail(cx, "shares step");
}

int
report_list(struct core_ctx *cx, json_t **out)
{
	json_t *arr = json_array(), *o;
	struct dbq q;
	db_stmt_t *st;
	int rc;

	*out = NULL;
	dbq_init(&q);
	dbq_sql(&q, "SELECT " REPORT_COLS " FROM reports r WHERE 1 = 1");
	visible_sql(cx, &q);
	dbq_sql(&q, " ORDER BY CASE WHEN r.builtin IS NULL THEN 1 ELSE 0 END, "
	    "r.id");
	rc = db_prepare_q(cx->db, &q, &st);
	dbq_free(&q);
	if (rc != DB_OK) {
		json_decref(arr);
		return db_fail(cx, "list");
	}
	while ((rc = db_step(st)) == DB_ROW) {
		o = row_json(cx, st, false);
		if (o != NULL)
			json_array_append_new(arr, o);
	}
	db_done(st);
	if (rc != DB_DONE) {
		json_decref(arr);
		return db_fail(cx, "list step");
	}
	*out = json_pack("{s:o}", "data", arr);
	return CRM_OK;
}

int
report_get(struct core_ctx *cx, int64_t id, json_t **out)
{
	struct dbq q;
	db_stmt_t *st;
	int rc;

	*out = NULL;
	dbq_init(&q);
	dbq_sql(&q, "SELECT " REPORT_COLS " FROM reports r WHERE r.id = ?");
	dbq_int(&q, id);
	visible_sql(cx, &q);
	rc = db_prepare_q(cx->db, &q, &st);
	dbq_free(&q);
	if (rc != DB_OK)
		return db_fail(cx, "get");
	rc = db_step(st);
	if (rc == DB_ROW)
		*out = row_json(cx, st, true);
	db_done(st);
	if (rc == DB_DONE)
		return core_fail(cx, CRM_ENOTFOUND, "No such report");
	if (rc != DB_ROW || *out == NULL)
		return db_fail(cx, "get step");
	rc = load_shares(cx, id, *out);
	if (rc != CRM_OK) {
		json_decref(*out);
		*out = NULL;
	}
	return rc;
}
int
report_visible(struct core_ctx *cx, int64_t id, bool *visible)
{
	struct dbq q;
	db_stmt_t *st;
	int rc;

	*visible = false;
	dbq_init(&q);
	dbq_sql(&q, "SELECT 1 FROM reports r WHERE r.id = ?");
	dbq_int(&q, id);
	visible_sql(cx, &q);
	rc = db_prepare_q(cx->db, &q, &st);
	dbq_free(&q);
	if (rc != DB_OK)
		return db_fail(cx, "visible");
	rc = db_step(st);
	db_done(st);
	*visible = rc == DB_ROW;
	return rc == DB_ROW || rc == DB_DONE ? CRM_OK : db_fail(cx,
	    "visible step");
}


/* ---- writing ---- */

/* Whether the row with id exists in table (users: active ones). */
static int
exists(struct core_ctx *cx, const char *sql, int64_t id, bool *found)
{
	db_stmt_t *st;
	int rc;

	if (db_prepare(cx->db, sql, &st) != DB_OK)
		return db_fail(cx, "exists");
	db_bind_int(st, 1, id);
	rc = db_step(st);
	db_done(st);
	*found = rc == DB_ROW;
	return rc == DB_ROW || rc == DB_DONE ? CRM_OK : db_fail(cx, "exists step");
}

static int
check_shares(struct core_ctx *cx, json_t *shares)
{
	size_t i;
	json_t *s;
	char path[32];
	int rc = CRM_OK;

	if (shares == NULL)
		return CRM_OK;
	if (!json_is_array(shares) || json_array_size(shares) >
	    REPORT_SHARES_MAX) {
		verrs_add(&cx->errs, "shares", "must be a list of at most %d "
		    "{user_id} or {department_id}", REPORT_SHARES_MAX);
		return CRM_OK;
	}
	json_array_foreach(shares, i, s) {
		json_t *u = json_object_get(s, "user_id");
		json_t *d = json_object_get(s, "department_id");
		bool found = false;

		snprintf(path, sizeof(path), "shares[%zu]", i);
		if (!json_is_object(s) || json_object_size(s) != 1 ||
		    (!json_is_integer(u) && !json_is_integer(d))) {
			verrs_add(&cx->errs, path, "must be {user_id} or "
			    "{department_id}");
			continue;
		}
		rc = exists(cx, u ? "SELECT 1 FROM users WHERE id = ? AND "
		    "active = 1" : "SELECT 1 FROM departments WHERE id = ?",
		    json_integer_value(u ? u : d), &found);
		if (rc != CRM_OK)
			return rc;
		if (!found)
			verrs_add(&cx->errs, path, "no such %s", u ? "active user" :
			    "department");
	}
	return CRM_OK;
}

/* Checks a create or replace body; the definition parses for the actor. */
static int
check_body(struct core_ctx *cx, json_t *in)
{
	static const char *const keys[] = { "name", "description", "definition",
	    "shares" };
	json_t *desc = json_object_get(in, "description"), *v;
	struct report_def *d = NULL;
	const char *k;
	int rc;

	json_object_foreach(in, k, v) {
		bool known = false;

		for (size_t i = 0; i < sizeof(keys) / sizeof(*keys); i++)
			known |= strcmp(k, keys[i]) == 0;
		if (!known)
			verrs_add(&cx->errs, k, "is not a field of a report");
	}
	if (!core_text_ok(json_object_get(in, "name"), REPORT_NAME_MAX))
		verrs_add(&cx->errs, "name", "must be a text of 1 to %d "
		    "characters", REPORT_NAME_MAX);
	if (desc != NULL && !(json_is_string(desc) &&
	    json_string_length(desc) == 0) && !core_text_ok(desc,
	    REPORT_DESC_MAX))
		verrs_add(&cx->errs, "description", "must be a text of up to %d "
		    "characters", REPORT_DESC_MAX);
	rc = check_shares(cx, json_object_get(in, "shares"));
	if (rc != CRM_OK)
		return rc;
	if (json_object_get(in, "definition") == NULL)
		verrs_add(&cx->errs, "definition", "is required");
	else if (report_def_parse(cx, json_object_get(in, "definition"),
	    "definition", &d) == CRM_OK)
		report_def_free(d);
	return cx->errs.n > 0 ? core_invalid(cx) : CRM_OK;
}

static int
write_shares(struct core_ctx *cx, int64_t id, json_t *shares)
{
	db_stmt_t *st;
	size_t i;
	json_t *s;
	int rc;

	if (db_prepare(cx->db, "DELETE FROM report_shares WHERE report_id = ?",
	    &st) != DB_OK)
		return db_fail(cx, "unshare");
	db_bind_int(st, 1, id);
	rc = db_step(st);
	db_done(st);
	if (rc != DB_DONE)
		return db_fail(cx, "unshare step");
	json_array_foreach(shares, i, s) {
		json_t *u = json_object_get(s, "user_id");

		if (db_prepare(cx->db, "INSERT INTO report_shares (report_id, "
		    "user_id, department_id) VALUES (?, ?, ?)", &st) != DB_OK)
			return db_fail(cx, "share");
		db_bind_int(st, 1, id);
		if (u != NULL) {
			db_bind_int(st, 2, json_integer_value(u));
			db_bind_null(st, 3);
		} else {
			db_bind_null(st, 2);
			db_bind_int(st, 3, json_integer_value(json_object_get(s,
			    "department_id")));
		}
		rc = db_step(st);
		db_done(st);
		if (rc != DB_DONE)
			return db_fail(cx, "share step");
	}
	return CRM_OK;
}

static char *
def_text(json_t *in)
{
	return json_dumps(json_object_get(in, "definition"), JSON_COMPACT |
	    JSON_SORT_KEYS);
}

static const char *
desc_of(json_t *in)
{
	const char *s = json_string_value(json_object_get(in, "description"));

	return s != NULL ? s : "";
}

int
report_create(struct core_ctx *cx, json_t *in, json_t **out)
{
	int64_t now = time_now_ms(), id = 0;
	char *def = NULL;
	db_stmt_t *st;
	int rc;

	*out = NULL;
	if (cx->actor.user_id == 0)
		return core_fail(cx, CRM_EFORBIDDEN, "reports are saved by people");
	rc = check_body(cx, in);
	if (rc != CRM_OK)
		return rc;
	if (db_begin(cx->db) != DB_OK)
		return db_fail(cx, "begin");
	def = def_text(in);
	if (db_prepare(cx->db, "INSERT INTO reports (name, description, "
	    "definition, owner_id, created_at, created_by, updated_at, "
	    "updated_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id", &st) !=
	    DB_OK) {
		rc = db_fail(cx, "insert");
		goto out;
	}
	db_bind_text(st, 1, json_string_value(json_object_get(in, "name")),
	    json_string_length(json_object_get(in, "name")));
	db_bind_text(st, 2, desc_of(in), strlen(desc_of(in)));
	db_bind_text(st, 3, def, strlen(def));
	db_bind_int(st, 4, cx->actor.user_id);
	db_bind_int(st, 5, now);
	core_bind_actor(cx, st, 6);
	db_bind_int(st, 7, now);
	core_bind_actor(cx, st, 8);
	rc = db_step(st);
	if (rc == DB_ROW)
		id = db_col_int(st, 0);
	db_done(st);
	rc = rc == DB_ROW ? CRM_OK : db_fail(cx, "insert step");
	if (rc == CRM_OK)
		rc = write_shares(cx, id, json_object_get(in, "shares"));
	if (rc == CRM_OK) {
		json_t *detail = json_pack("{s:O, s:O?}", "name",
		    json_object_get(in, "name"), "shares",
		    json_object_get(in, "shares"));

		rc = audit_append(cx, "report.create", "reports", id, detail);
		json_decref(detail);
	}
out:
	free(def);
	rc = core_txn_end(cx, rc, NULL);
	return rc == CRM_OK ? report_get(cx, id, out) : rc;
}

/*
 * In the open transaction: may the actor change report id? CRM_ENOTFOUND
 * when they cannot see it, CRM_EFORBIDDEN when they may only read it.
 */
static int
may_change(struct core_ctx *cx, int64_t id, int64_t if_version)
{
	struct dbq q;
	db_stmt_t *st;
	int rc;
	bool builtin = false, own = false;
	int64_t version = 0;

	dbq_init(&q);
	dbq_sql(&q, "SELECT r.builtin, r.owner_id, r.version FROM reports r "
	    "WHERE r.id = ?");
	dbq_int(&q, id);
	visible_sql(cx, &q);
	rc = db_prepare_q(cx->db, &q, &st);
	dbq_free(&q);
	if (rc != DB_OK)
		return db_fail(cx, "read");
	rc = db_step(st);
	if (rc == DB_ROW) {
		builtin = !db_col_null(st, 0);
		own = !db_col_null(st, 1) && db_col_int(st, 1) == cx->actor.user_id;
		version = db_col_int(st, 2);
	}
	db_done(st);
	if (rc == DB_DONE)
		return core_fail(cx, CRM_ENOTFOUND, "No such report");
	if (rc != DB_ROW)
		return db_fail(cx, "read step");
	if (builtin)
		return core_fail(cx, CRM_EFORBIDDEN, "the library's reports are "
		    "read-only; save a copy to change it");
	if (!own && !is_admin(cx))
		return core_fail(cx, CRM_EFORBIDDEN, "only its owner or an "
		    "administrator may change this report");
	if (if_version >= 0 && if_version != version)
		return core_fail(cx, CRM_ECONFLICT, "the report was changed "
		    "meanwhile (version %lld)", (long long)version);
	return CRM_OK;
}

int
report_update(struct core_ctx *cx, int64_t id, int64_t if_version,
    json_t *in, json_t **out)
{
	char *def = NULL;
	db_stmt_t *st;
	int rc;

	*out = NULL;
	if (db_begin(cx->db) != DB_OK)
		return db_fail(cx, "begin");
	rc = may_change(cx, id, if_version);
	if (rc == CRM_OK)
		rc = check_body(cx, in);
	if (rc != CRM_OK)
		goto out;
	def = def_text(in);
	if (db_prepare(cx->db, "UPDATE reports SET name = ?, description = ?, "
	    "definition = ?, version = version + 1, updated_at = ?, "
	    "updated_by = ? WHERE id = ?", &st) != DB_OK) {
		rc = db_fail(cx, "update");
		goto out;
	}
	db_bind_text(st, 1, json_string_value(json_object_get(in, "name")),
	    json_string_length(json_object_get(in, "name")));
	db_bind_text(st, 2, desc_of(in), strlen(desc_of(in)));
	db_bind_text(st, 3, def, strlen(def));
	db_bind_int(st, 4, time_now_ms());
	core_bind_actor(cx, st, 5);
	db_bind_int(st, 6, id);
	rc = db_step(st) == DB_DONE ? CRM_OK : db_fail(cx, "update step");
	db_done(st);
	if (rc == CRM_OK)
		rc = write_shares(cx, id, json_object_get(in, "shares"));
	if (rc == CRM_OK) {
		json_t *detail = json_pack("{s:O, s:O?}", "name",
		    json_object_get(in, "name"), "shares",
		    json_object_get(in, "shares"));

		rc = audit_append(cx, "report.update", "reports", id, detail);
		json_decref(detail);
	}
out:
	free(def);
	rc = core_txn_end(cx, rc, NULL);
	return rc == CRM_OK ? report_get(cx, id, out) : rc;
}

int
report_delete(struct core_ctx *cx, int64_t id)
{
	db_stmt_t *st;
	int rc;

	if (db_begin(cx->db) != DB_OK)
		return db_fail(cx, "begin");
	rc = may_change(cx, id, -1);
	if (rc == CRM_OK)
		rc = write_shares(cx, id, NULL);
	if (rc == CRM_OK) {
		if (db_prepare(cx->db, "DELETE FROM reports WHERE id = ?", &st) !=
		    DB_OK) {
			rc = db_fail(cx, "delete");
		} else {
			db_bind_int(st, 1, id);
			rc = db_step(st) == DB_DONE ? CRM_OK :
			    db_fail(cx, "delete step");
			db_done(st);
		}
	}
	if (rc == CRM_OK)
		rc = audit_append(cx, "report.delete", "reports", id, NULL);
	return core_txn_end(cx, rc, NULL);
}

/* ---- running ---- */

/* The body's definition, parsed for the actor (errors under "definition"). */
static int
body_def(struct core_ctx *cx, json_t *in, struct report_def **d)
{
	*d = NULL;
	if (json_object_get(in, "definition") == NULL) {
		verrs_add(&cx->errs, "definition", "is required");
		return core_invalid(cx);
	}
	return report_def_parse(cx, json_object_get(in, "definition"),
	    "definition", d);
}

int
report_validate(struct core_ctx *cx, json_t *in, json_t **out)
{
	struct report_def *d = NULL;
	int rc;

	*out = NULL;
	rc = body_def(cx, in, &d);
	if (rc != CRM_OK)
		return rc;
	*out = json_pack("{s:b, s:o}", "valid", true, "columns",
	    report_def_columns(d));
	report_def_free(d);
	return CRM_OK;
}

static int
audit_run(struct core_ctx *cx, const char *action, int64_t id,
    const char *builtin, const char *entity, const char *format,
    int64_t rows)
{
	json_t *detail = json_pack("{s:o, s:o, s:s, s:I}", "report_id", id > 0 ?
	    json_integer(id) : json_null(), "builtin", builtin ?
	    json_string(builtin) : json_null(), "entity", entity, "rows",
	    (json_int_t)rows);
	int rc;

	if (format != NULL)
		json_object_set_new(detail, "format", json_string(format));
	rc = audit_event(cx, action, "reports", id > 0 ? id : 0, detail);
	json_decref(detail);
	return rc;
}

static int64_t
rows_of(json_t *res)
{
	return (int64_t)json_array_size(json_object_get(res, "rows"));
}

int
report_preview(struct core_ctx *cx, json_t *in, json_t **out)
{
	static const char *const keys[] = { "definition", "tz" };
	struct report_def *d = NULL;
	struct rd_env env = { .now_ms = time_now_ms() };
	json_t *tz = json_object_get(in, "tz"), *v;
	const char *k;
	int rc;

	*out = NULL;
	json_object_foreach(in, k, v) {
		if (strcmp(k, keys[0]) != 0 && strcmp(k, keys[1]) != 0)
			verrs_add(&cx->errs, k, "is not a parameter of a run "
			    "(definition, tz)");
	}
	if (tz != NULL && !json_is_string(tz))
		verrs_add(&cx->errs, "tz", "must be a time zone name");
	if (cx->errs.n > 0)
		return core_invalid(cx);
	env.tz = json_string_value(tz);
	rc = report_tz_check(cx, env.tz);
	if (rc != CRM_OK)
		return rc;
	rc = body_def(cx, in, &d);
	if (rc == CRM_OK)
		rc = report_run(cx, d, &env, out);
	if (rc == CRM_OK)
		rc = audit_run(cx, "report.run", 0, NULL, d->e->name, NULL,
		    rows_of(*out));
	report_def_free(d);
	if (rc != CRM_OK) {
		json_decref(*out);
		*out = NULL;
	}
	return rc;
}

void
report_params_set(struct report_params *p, const char *key,
    const char *value)
{
	if (strcmp(key, "tz") == 0)
		p->tz = value;
	else if (strcmp(key, "from") == 0)
		p->from = value;
	else if (strcmp(key, "to") == 0)
		p->to = value;
	else if (strcmp(key, "days") == 0)
		p->days = value;
	else if (strcmp(key, "owner_id") == 0)
		p->owner_id = value;
	else if (strcmp(key, "department_id") == 0)
		p->department_id = value;
	else if (strcmp(key, "pipeline_id") == 0)
		p->pipeline_id = value;
	else if (strcmp(key, "source") == 0)
		p->source = value;
	else if (strcmp(key, "segment") == 0)
		p->segment = value;
	else if (strcmp(key, "format") != 0 && p->unknown == NULL)
		p->unknown = key;
}

/* The local days from..to of p as instants (default: the last 365 days). */
static int
period_ms(struct core_ctx *cx, const struct report_params *p,
    const struct rd_env *env, int64_t *from_ms, int64_t *to_ms)
{
	struct tz *z = NULL;
	int64_t from, to;

	if (tz_load(env->tz, &z) != 0)
		return core_fail(cx, CRM_EBADQUERY, "tz: not a known time zone");
	to = tz_local_day(z, env->now_ms);
	if (p->to != NULL && time_parse_date(p->to, strlen(p->to), &to) != 0) {
		tz_free(z);
		return core_fail(cx, CRM_EBADQUERY, "to: must be a date "
		    "(YYYY-MM-DD)");
	}
	from = to - 364;
	if (p->from != NULL && time_parse_date(p->from, strlen(p->from),
	    &from) != 0) {
		tz_free(z);
		return core_fail(cx, CRM_EBADQUERY, "from: must be a date "
		    "(YYYY-MM-DD)");
	}
	if (from > to || to - from >= 3660) {
		tz_free(z);
		return core_fail(cx, CRM_EBADQUERY, "from: must be on or before "
		    "to, at most 3660 days before it");
	}
	*from_ms = tz_day_start(z, from);
	*to_ms = tz_day_start(z, to + 1) - 1;
	tz_free(z);
	/*
	 * The period becomes time filters of the report's description, whose
	 * values are years 1 to 9999 (util/timeutil.h): a period reaching past
	 * them is the parameters' fault, not a bad description.
	 */
	if (*to_ms >= time_days_from_civil(10000, 1, 1) * DAY_MS)
		return core_fail(cx, CRM_EBADQUERY, "to: the period must end "
		    "within the year 9999");
	if (*from_ms < time_days_from_civil(1, 1, 1) * DAY_MS)
		return core_fail(cx, CRM_EBADQUERY, "%s: the period must begin "
		    "within the year 1 or later", p->from != NULL ? "from" : "to");
	return CRM_OK;
}

/* Adds {field, op, value: time} to the filters of desc. */
static void
add_time_filter(json_t *desc, const char *field, const char *op, int64_t ms)
{
	char ts[TIME_RFC3339_LEN];
	json_t *filters = json_object_get(desc, "filters");

	if (filters == NULL) {
		filters = json_array();
		json_object_set_new(desc, "filters", filters);
	}
	time_format(ms, ts, sizeof(ts));
	json_array_append_new(filters, json_pack("{s:s, s:s, s:s}", "field",
	    field, "op", op, "value", ts));
}

/* The run's parameters of a library report (docs/reports.md "Filters"). */
static const struct {
	const char	*name;
	unsigned	 flag;
} filter_params[] = {
	{ "owner_id", TAKES_OWNER }, { "department_id", TAKES_DEPT },
	{ "pipeline_id", TAKES_PIPELINE }, { "source", TAKES_SOURCE },
	{ "segment", TAKES_SEGMENT },
};

/* The names of the parameters b's run takes, for the list. */
static json_t *
params_json(const struct builtin *b)
{
	json_t *a = json_array();

	if (b->period != NULL) {
		json_array_append_new(a, json_string("from"));
		json_array_append_new(a, json_string("to"));
	}
	if (b->takes & TAKES_DAYS)
		json_array_append_new(a, json_string("days"));
	for (size_t i = 0; i < sizeof(filter_params) / sizeof(*filter_params);
	    i++)
		if (b->takes & filter_params[i].flag)
			json_array_append_new(a, json_string(filter_params[i].name));
	return a;
}

/* An id parameter: 0 when absent; CRM_EBADQUERY naming it when malformed. */
static int
id_param(struct core_ctx *cx, const char *name, const char *s, int64_t *out)
{
	char *end;

	*out = 0;
	if (s == NULL)
		return CRM_OK;
	*out = strtoll(s, &end, 10);
	if (*s == '\0' || *end != '\0' || *out <= 0)
		return core_fail(cx, CRM_EBADQUERY, "%s: must be an id", name);
	return CRM_OK;
}

static int
text_param(struct core_ctx *cx, const char *name, const char *s)
{
	if (s != NULL && (s[0] == '\0' || strlen(s) > REPORT_FILTER_TEXT_MAX ||
	    !text_utf8_valid(s, strlen(s))))
		return core_fail(cx, CRM_EBADQUERY, "%s: must be a text of 1 to %d "
		    "bytes", name, REPORT_FILTER_TEXT_MAX);
	return CRM_OK;
}

/* Checks p's filters against what b takes, into f. */
static int
lib_filters(struct core_ctx *cx, const struct builtin *b,
    const struct report_params *p, struct rd_filters *f)
{
	const char *given[] = { p->owner_id, p->department_id, p->pipeline_id,
	    p->source, p->segment };
	int rc;

	memset(f, 0, sizeof(*f));
	for (size_t i = 0; i < sizeof(filter_params) / sizeof(*filter_params);
	    i++)
		if (given[i] != NULL && !(b->takes & filter_params[i].flag))
			return core_fail(cx, CRM_EBADQUERY, "%s: this report takes "
			    "no such parameter", filter_params[i].name);
	rc = id_param(cx, "owner_id", p->owner_id, &f->owner_id);
	if (rc == CRM_OK)
		rc = id_param(cx, "department_id", p->department_id,
		    &f->department_id);
	if (rc == CRM_OK)
		rc = id_param(cx, "pipeline_id", p->pipeline_id, &f->pipeline_id);
	if (rc == CRM_OK)
		rc = text_param(cx, "source", p->source);
	if (rc == CRM_OK)
		rc = text_param(cx, "segment", p->segment);
	if (rc == CRM_OK && p->segment != NULL && access_field(cx,
	    &entity_companies, "custom.tier") == FIELD_HIDDEN)
		rc = core_fail(cx, CRM_EBADQUERY, "segment: your role hides the "
		    "companies' tier");
	f->source = p->source;
	f->segment = p->segment;
	return rc;
}

/* A function report of the library (report_lib_*.c). */
static int
run_fn(struct core_ctx *cx, const struct builtin *b, const struct rd_env *env,
    int64_t from_ms, int64_t to_ms, int64_t days, json_t **out)
{
	switch (b->fn) {
	case LIB_CYCLE:
		return report_lib_deal_cycle(cx, env, from_ms, to_ms, out);
	case LIB_PIPELINE:
		return report_lib_pipeline_months(cx, env, out);
	case LIB_ACTIVITY:
		return report_lib_activity(cx, env, from_ms, to_ms, out);
	case LIB_NO_CONTACT:
		return report_lib_no_contact(cx, env, days, out);
	case LIB_COMPLETENESS:
		return report_lib_completeness(cx, env, out);
	case LIB_PRODUCT:
		return report_lib_product(cx, env, from_ms, to_ms, out);
	case LIB_SEGMENT:
		return report_lib_segment(cx, env, from_ms, to_ms, out);
	case LIB_ABC:
		return report_lib_abc(cx, env, from_ms, to_ms, out);
	case LIB_RFM:
		return report_lib_rfm(cx, env, from_ms, to_ms, out);
	case LIB_REPEAT:
		return report_lib_repeat(cx, env, from_ms, to_ms, out);
	case LIB_STUCK:
		return report_lib_stuck(cx, env, days, out);
	case LIB_USAGE:
		return report_lib_usage(cx, env, from_ms, to_ms, out);
	case LIB_TICKETS:
		return report_lib_tickets(cx, env, from_ms, to_ms, out);
	case LIB_PROCESS:
		return report_lib_process(cx, env, from_ms, to_ms, out);
	case LIB_DESC:
		break;
	}
	return core_fail(cx, CRM_EDB, "a library report is broken");
}

/* A library report with the parameters p. */
static int
run_builtin(struct core_ctx *cx, const struct builtin *b,
    const struct report_params *p, struct rd_env *env, json_t **out)
{
	int64_t from_ms = 0, to_ms = 0;
	int64_t days = b->fn == LIB_STUCK ? STUCK_DAYS : NO_CONTACT_DAYS;
	struct report_def *d = NULL;
	struct rd_filters filters;
	json_t *desc;
	int rc;

	if (((p->from != NULL || p->to != NULL) && b->period == NULL) ||
	    (p->days != NULL && !(b->takes & TAKES_DAYS)))
		return core_fail(cx, CRM_EBADQUERY, "%s: this report takes no "
		    "such parameter", p->days != NULL ? "days" : p->from != NULL ?
		    "from" : "to");
	rc = lib_filters(cx, b, p, &filters);
	if (rc != CRM_OK)
		return rc;
	env->lib = &filters;
	if (b->period != NULL) {
		rc = period_ms(cx, p, env, &from_ms, &to_ms);
		if (rc != CRM_OK)
			return rc;
	}
	if (p->days != NULL) {
		char *end;

		days = strtoll(p->days, &end, 10);
		if (*p->days == '\0' || *end != '\0' || days < 1 ||
		    days > NO_CONTACT_MAX)
			return core_fail(cx, CRM_EBADQUERY, "days: must be a whole "
			    "number from 1 to %d", NO_CONTACT_MAX);
	}
	if (b->fn != LIB_DESC) {
		rc = run_fn(cx, b, env, from_ms, to_ms, days, out);
		goto drill;
	}
	desc = json_loads(b->desc, 0, NULL);
	if (desc == NULL)
		return core_fail(cx, CRM_EDB, "a library report is broken");
	if (b->period != NULL) {
		add_time_filter(desc, b->period, "gte", from_ms);
		add_time_filter(desc, b->period, "lte", to_ms);
	}
	if (b->overdue)
		add_time_filter(desc, "due_at", "lt", env->now_ms);
	rc = report_def_parse(cx, desc, "definition", &d);
	if (rc == CRM_OK)
		rc = report_run(cx, d, env, out);
	report_def_free(d);
	json_decref(desc);
drill:
	/* The drills open the base entity's list: the filters go along. */
	if (rc == CRM_OK)
		rd_filters_drill(*out, &filters, rd_filter_cols_of(b->base));
	return rc;
}

/*
 * Runs report id for the actor with p: *entity is the base entity's name
 * (static) for the audit.
 */
static int
run_id(struct core_ctx *cx, int64_t id, const struct report_params *p,
    bool export_scope, json_t **out, const char **builtin,
    const struct entity **base, char *name, size_t namelen)
{
	struct rd_env env = { .tz = p->tz, .now_ms = time_now_ms(),
	    .export_scope = export_scope };
	struct report_def *d = NULL;
	json_t *rep = NULL, *def;
	const struct builtin *b;
	int rc;

	*out = NULL;
	*builtin = NULL;
	*base = NULL;
	if (p->unknown != NULL)
		return core_fail(cx, CRM_EBADQUERY, "%.64s: unknown parameter (a "
		    "run takes tz, and the library's from, to, days and filters)",
		    p->unknown);
	rc = report_tz_check(cx, p->tz);
	if (rc == CRM_OK)
		rc = report_get(cx, id, &rep);
	if (rc != CRM_OK)
		return rc;
	if (name != NULL)
		snprintf(name, namelen, "%s", json_string_value(json_object_get(rep,
		    "name")));
	b = builtin_find(json_string_value(json_object_get(rep, "builtin")));
	if (b != NULL) {
		*builtin = b->key;
		*base = b->base;
		if (export_scope) {
			enum acc_scope sc = SCOPE_NONE;

			rc = access_scope(cx, b->base, ACC_EXPORT, &sc);
			if (rc == CRM_OK && sc == SCOPE_NONE)
				rc = core_fail(cx, CRM_EFORBIDDEN, "your role may not "
				    "export %s", b->base->name);
		}
		if (rc == CRM_OK)
			rc = run_builtin(cx, b, p, &env, out);
		json_decref(rep);
		return rc;
	}
	if (p->from != NULL || p->to != NULL || p->days != NULL ||
	    p->owner_id != NULL || p->department_id != NULL ||
	    p->pipeline_id != NULL || p->source != NULL || p->segment != NULL) {
		json_decref(rep);
		return core_fail(cx, CRM_EBADQUERY, "%s: a designed report takes "
		    "only tz (its filters are its own)", p->from ? "from" : p->to ?
		    "to" : p->days ? "days" : "filters");
	}
	def = json_object_get(rep, "definition");
	rc = report_def_parse(cx, def, "definition", &d);
	if (rc == CRM_OK) {
		*base = d->e;
		if (export_scope) {
			enum acc_scope sc = SCOPE_NONE;

			rc = access_scope(cx, d->e, ACC_EXPORT, &sc);
			if (rc == CRM_OK && sc == SCOPE_NONE)
				rc = core_fail(cx, CRM_EFORBIDDEN, "your role may not "
				    "export %s", d->e->name);
		}
	}
	if (rc == CRM_OK)
		rc = report_run(cx, d, &env, out);
	report_def_free(d);
	json_decref(rep);
	return rc;
}

int
report_run_id(struct core_ctx *cx, int64_t id, const struct report_params *p,
    json_t **out)
{
	const struct entity *base = NULL;
	const char *builtin = NULL;
	int rc = run_id(cx, id, p, false, out, &builtin, &base, NULL, 0);

	if (rc == CRM_OK)
		rc = audit_run(cx, "report.run", id, builtin, base->name, NULL,
		    rows_of(*out));
	if (rc != CRM_OK) {
		json_decref(*out);
		*out = NULL;
	}
	return rc;
}

int
report_export_run(struct core_ctx *cx, int64_t id,
    const struct report_params *p, json_t **out, char *name, size_t namelen,
    const struct entity **base)
{
	const char *builtin = NULL;

	return run_id(cx, id, p, true, out, &builtin, base, name, namelen);
}

int
report_deliver_run(struct core_ctx *cx, int64_t id,
    const struct report_params *p, json_t **out, char *name, size_t namelen)
{
	const struct entity *base = NULL;
	const char *builtin = NULL;

	return run_id(cx, id, p, false, out, &builtin, &base, name, namelen);
}

int
report_export_done(struct core_ctx *cx, int64_t id, const char *format,
    int64_t rows)
{
	json_t *rep = NULL;
	const char *builtin;
	const char *entity = "";
	struct report_def *d = NULL;
	int rc = report_get(cx, id, &rep);

	if (rc != CRM_OK)
		return rc;
	builtin = json_string_value(json_object_get(rep, "builtin"));
	if (builtin != NULL && builtin_find(builtin) != NULL)
		entity = builtin_find(builtin)->base->name;
	else if (report_def_parse(cx, json_object_get(rep, "definition"), "",
	    &d) == CRM_OK)
		entity = d->e->name;
	rc = audit_run(cx, "report.export", id, builtin, entity, format, rows);
	report_def_free(d);
	json_decref(rep);
	return rc;
}

/* "field op value" of one filter of a description into out. */
static void
filter_text(json_t *f, struct buf *out)
{
	json_t *v = json_object_get(f, "value");
	char *dump = NULL;

	if (json_is_string(v))
		(void)buf_printf(out, "%s %s %s", json_string_value(
		    json_object_get(f, "field")), json_string_value(
		    json_object_get(f, "op")), json_string_value(v));
	else {
		dump = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
		(void)buf_printf(out, "%s %s %s", json_string_value(
		    json_object_get(f, "field")), json_string_value(
		    json_object_get(f, "op")), dump != NULL ? dump : "");
		free(dump);
	}
}

int
report_params_text(struct core_ctx *cx, int64_t id,
    const struct report_params *p, struct buf *out)
{
	struct rd_env env = { .tz = p->tz, .now_ms = time_now_ms() };
	const struct builtin *b;
	json_t *rep = NULL, *def, *f;
	int64_t from_ms, to_ms;
	char from[TIME_RFC3339_LEN], to[TIME_RFC3339_LEN];
	size_t i;
	int rc = report_get(cx, id, &rep);

	if (rc != CRM_OK)
		return rc;
	b = builtin_find(json_string_value(json_object_get(rep, "builtin")));
	if (b != NULL && b->period != NULL) {
		rc = period_ms(cx, p, &env, &from_ms, &to_ms);
		if (rc != CRM_OK) {
			json_decref(rep);
			return rc;
		}
		/* The local days, as the run's parameters name them. */
		snprintf(from, sizeof(from), "%s", p->from != NULL ? p->from : "");
		snprintf(to, sizeof(to), "%s", p->to != NULL ? p->to : "");
		if (p->to == NULL || p->from == NULL) {
			struct tz *z = NULL;
			int y, m, d;

			if (tz_load(p->tz, &z) == 0) {
				time_civil_from_days(tz_local_day(z, from_ms), &y, &m,
				    &d);
				if (p->from == NULL)
					snprintf(from, sizeof(from), "%04d-%02d-%02d", y,
					    m, d);
				time_civil_from_days(tz_local_day(z, to_ms), &y, &m,
				    &d);
				if (p->to == NULL)
					snprintf(to, sizeof(to), "%04d-%02d-%02d", y, m,
					    d);
				tz_free(z);
			}
		}
		(void)buf_printf(out, "Period: %s to %s (%s)", from, to,
		    b->period);
	}
	if (b != NULL && b->fn == LIB_NO_CONTACT) {
		/* days was checked by the run this text describes. */
		if (p->days != NULL)
			(void)buf_printf(out, "No contact for %s days", p->days);
		else
			(void)buf_printf(out, "No contact for %d days",
			    NO_CONTACT_DAYS);
	}
	if (b != NULL && b->overdue)
		(void)buf_printf(out, "%sDue before now", out->len > 0 ? " · " :
		    "");
	def = json_object_get(rep, "definition");
	json_array_foreach(json_object_get(def, "filters"), i, f) {
		(void)buf_puts(out, out->len == 0 ? "Filters: " : i == 0 ?
		    " · Filters: " : "; ");
		filter_text(f, out);
	}
	(void)buf_printf(out, "%sTime zone: %s", out->len > 0 ? " · " : "",
	    p->tz != NULL ? p->tz : "UTC");
	json_decref(rep);
	return CRM_OK;
}
