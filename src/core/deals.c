/* Deals: the entity, its stage rules and history, and the board. */
#include "core/deals.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/access.h"
#include "core/currency.h"
#include "core/jobs.h"
#include "core/pipelines.h"
#include "core/watch.h"
#include "util/alloc.h"
#include "util/log.h"
#include "util/timeutil.h"

#define DAY_MS 86400000LL

static const struct field deal_fields[] = {
	{ "title", FK_TEXT, F_REQUIRED | F_SORT | F_FILTER | F_SEARCH | F_EMPTY,
	    200, NULL },
	{ "pipeline_id", FK_REF, F_FILTER | F_FIXED, 0, NULL },
	{ "stage_id", FK_REF, F_FILTER, 0, NULL },
	{ "status", FK_TEXT, F_FILTER | F_READONLY, 10, NULL },
	{ "amount", FK_INT, F_SORT | F_FILTER, 0, NULL },
	{ "currency", FK_CURRENCY, F_FILTER, 3, NULL },
	{ "amount_base", FK_INT, F_READONLY, 0, NULL },
	{ "company_id", FK_COMPANY, F_FILTER, 0, NULL },
	{ "contact_ids", FK_CONTACTS, 0, 0, NULL },
	{ "expected_close", FK_DATE, F_SORT | F_FILTER | F_EMPTY, 10, NULL },
	{ "source", FK_TEXT, F_FILTER | F_SEARCH, 100, NULL },
	{ "lost_reason_id", FK_REF, F_FILTER, 0, NULL },
	{ "lost_comment", FK_TEXT, 0, 1000, NULL },
	{ "closed_at", FK_TIME, F_FILTER | F_READONLY, 0, NULL },
	{ "stage_entered_at", FK_TIME, F_READONLY, 0, NULL },
	{ "stage_due_at", FK_TIME, F_READONLY, 0, NULL },
	{ "items_count", FK_INT, F_READONLY, 0, NULL },
	{ "price_list_id", FK_REF, F_FILTER, 0, NULL },
	{ "items", FK_SIDE, 0, 0, NULL },
	{ "notes", FK_LONGTEXT, 0, 100000, NULL },
	{ "company_name", FK_DERIVED, 0, 0,
	    "SELECT c.name FROM companies c WHERE c.id = t.company_id" },
	{ "stage_name", FK_DERIVED, 0, 0,
	    "SELECT s.name FROM pipeline_stages s WHERE s.id = t.stage_id" },
};

static int
db_fail(struct core_ctx *cx, const char *what)
{
	log_error("database: deals %s: %s", what, db_errmsg(cx->db));
	return core_fail(cx, CRM_EDB, "The database failed; nothing was changed");
}

/* ---- reading a stage, a pipeline, a reason ---- */

struct stage {
	int64_t	id;
	int64_t	pipeline_id;
	char	kind[8];	/* open, won, lost */
	int64_t	limit_days;	/* 0: none */
	bool	archived;	/* its pipeline is */
};

/* *found says whether the row was there; the return is about the database. */
static int
one_int(struct core_ctx *cx, const char *sql, int64_t arg, int64_t *v,
    bool *found)
{
	db_stmt_t *st;
	int rc;

	if (db_prepare(cx->db, sql, &st) != DB_OK)
		return db_fail(cx, "lookup");
	if (arg != 0)
		db_bind_int(st, 1, arg);
	rc = db_step(st);
	*found = rc == DB_ROW;
	if (*found)
		*v = db_col_int(st, 0);
	db_done(st);
	return rc == DB_ROW || rc == DB_DONE ? CRM_OK : db_fail(cx, "lookup step");
}

static int
load_stage(struct core_ctx *cx, int64_t id, struct stage *s, bool *found)
{
	db_stmt_t *st;
	size_t len;
	const char *k;
	int rc;

	if (db_prepare(cx->db, "SELECT s.pipeline_id, s.kind, s.time_limit_days, "
	    "p.archived FROM pipeline_stages s JOIN pipelines p ON p.id = "
	    "s.pipeline_id WHERE s.id = ?", &st) != DB_OK)
		return db_fail(cx, "stage");
	db_bind_int(st, 1, id);
	rc = db_step(st);
	*found = rc == DB_ROW;
	if (*found) {
		s->id = id;
		s->pipeline_id = db_col_int(st, 0);
		k = db_col_text(st, 1, &len);
		snprintf(s->kind, sizeof(s->kind), "%.*s", (int)len, k);
		s->limit_days = db_col_null(st, 2) ? 0 : db_col_int(st, 2);
		s->archived = db_col_int(st, 3) != 0;
	}
	db_done(st);
	return rc == DB_ROW || rc == DB_DONE ? CRM_OK : db_fail(cx, "stage step");
}

/* ms since the epoch from an integer or RFC 3339 text; 0 when neither. */
static int64_t
time_of(json_t *v)
{
	int64_t ms;

	if (json_is_integer(v))
		return json_integer_value(v);
	if (json_is_string(v) && time_parse_datetime(json_string_value(v),
	    json_string_length(v), &ms) == 0)
		return ms;
	return 0;
}

/* ---- the entity's hooks ---- */

/* The pipeline and stage of the deal, defaulted and checked. */
static int
settle_stage(struct core_ctx *cx, json_t *cur, json_t *merged, struct stage *s,
    bool *ok)
{
	json_t *pv = json_object_get(merged, "pipeline_id");
	json_t *sv = json_object_get(merged, "stage_id");
	int64_t pid = json_integer_value(pv), sid = json_integer_value(sv);
	bool found = false;
	int rc;

	*ok = false;
	if (!json_is_integer(pv)) {
		rc = one_int(cx, "SELECT id FROM pipelines WHERE archived = 0 ORDER "
		    "BY position, id LIMIT 1", 0, &pid, &found);
		if (rc != CRM_OK)
			return rc;
		if (!found) {
			verrs_add(&cx->errs, "pipeline_id", "there is no active "
			    "pipeline: an administrator creates one first");
			return CRM_OK;
		}
		json_object_set_new(merged, "pipeline_id", json_integer(pid));
	}
	if (!json_is_integer(sv)) {
		if (cur != NULL) {
			verrs_add(&cx->errs, "stage_id", "a deal is always in a "
			    "stage: name the one to move it to");
			return CRM_OK;
		}
		/* The pipeline's first open stage: where new deals start. */
		rc = one_int(cx, "SELECT id FROM pipeline_stages WHERE pipeline_id "
		    "= ? ORDER BY CASE WHEN kind = 'open' THEN 0 ELSE 1 END, "
		    "position, id LIMIT 1", pid, &sid, &found);
		if (rc != CRM_OK)
			return rc;
		if (!found) {
			verrs_add(&cx->errs, "pipeline_id", "no pipeline with id %lld",
			    (long long)pid);
			return CRM_OK;
		}
		json_object_set_new(merged, "stage_id", json_integer(sid));
	}
	rc = load_stage(cx, sid, s, &found);
	if (rc != CRM_OK)
		return rc;
	if (!found) {
		verrs_add(&cx->errs, "stage_id", "no stage with id %lld",
		    (long long)sid);
	} else if (s->pipeline_id != pid) {
		verrs_add(&cx->errs, "stage_id", "stage %lld is a stage of another "
		    "pipeline; a deal stays in its pipeline (%lld)", (long long)sid,
		    (long long)pid);
	} else if (cur == NULL && s->archived) {
		verrs_add(&cx->errs, "pipeline_id", "pipeline %lld is archived: "
		    "new deals go to an active pipeline", (long long)pid);
	} else {
		*ok = true;
	}
	return CRM_OK;
}

/* A lost deal has an active reason; any other has none. */
static int
settle_lost(struct core_ctx *cx, json_t *in, json_t *merged,
    const struct stage *s, bool entered)
{
	json_t *reason = json_object_get(merged, "lost_reason_id");
	json_t *comment = json_object_get(in, "lost_comment");
	int64_t active = 0;
	bool found = false;
	int rc;

	if (strcmp(s->kind, "lost") != 0) {
		if (json_is_integer(json_object_get(in, "lost_reason_id")) ||
		    (json_string_length(comment) > 0))
			verrs_add(&cx->errs, json_is_integer(json_object_get(in,
			    "lost_reason_id")) ? "lost_reason_id" : "lost_comment",
			    "only a lost deal has a lost reason");
		json_object_set_new(merged, "lost_reason_id", json_null());
		json_object_set_new(merged, "lost_comment", json_null());
		return CRM_OK;
	}
	if (!json_is_integer(reason)) {
		verrs_add(&cx->errs, "lost_reason_id", "a lost deal needs a reason: "
		    "pick one from the list of lost reasons");
		return CRM_OK;
	}
	/* A retired reason stays on deals lost before; new losses need a live one. */
	if (!entered && json_object_get(in, "lost_reason_id") == NULL)
		return CRM_OK;
	rc = one_int(cx, "SELECT active FROM lost_reasons WHERE id = ?",
	    json_integer_value(reason), &active, &found);
	if (rc == CRM_OK && !found)
		verrs_add(&cx->errs, "lost_reason_id", "no lost reason with id %lld",
		    (long long)json_integer_value(reason));
	else if (rc == CRM_OK && !active)
		verrs_add(&cx->errs, "lost_reason_id", "this reason is retired; "
		    "choose an active one");
	return rc;
}

/* The amount in the base currency, at the day the deal closed or today. */
static int
settle_base(struct core_ctx *cx, json_t *merged)
{
	int64_t closed = time_of(json_object_get(merged, "closed_at")), base = 0;
	char day[TIME_RFC3339_LEN];
	int rc;

	time_format(closed > 0 ? closed : time_now_ms(), day, sizeof(day));
	day[10] = '\0';
	rc = currency_convert(cx, json_integer_value(json_object_get(merged,
	    "amount")), json_string_value(json_object_get(merged, "currency")),
	    day, &base);
	if (rc == CRM_OK) {
		json_object_set_new(merged, "amount_base", json_integer(base));
	} else if (rc == CRM_ENOTFOUND) {
		/* No rate yet: the deal counts once one is entered. */
		json_object_set_new(merged, "amount_base", json_null());
	} else if (rc == CRM_EINVAL) {
		verrs_add(&cx->errs, "amount", "cannot be converted to the base "
		    "currency: %s", cx->detail);
	} else {
		return rc;
	}
	cx->detail[0] = '\0';
	return CRM_OK;
}

static int
deal_prepare(struct core_ctx *cx, json_t *cur, json_t *in, json_t *merged)
{
	struct stage s;
	bool ok, entered;
	int64_t now = time_now_ms();
	char base[4];
	int rc;

	rc = settle_stage(cx, cur, merged, &s, &ok);
	if (rc != CRM_OK || !ok)
		return rc;
	entered = cur == NULL || !json_equal(json_object_get(cur, "stage_id"),
	    json_object_get(merged, "stage_id"));
	rc = settle_lost(cx, in, merged, &s, entered);
	if (rc != CRM_OK)
		return rc;
	if (!json_is_string(json_object_get(merged, "currency"))) {
		rc = currency_base_get(cx, base);
		if (rc != CRM_OK)
			return rc;
		json_object_set_new(merged, "currency", json_string(base));
	}
	if (!json_is_integer(json_object_get(merged, "amount")))
		json_object_set_new(merged, "amount", json_integer(0));
	rc = deal_items_prepare(cx, cur, in, merged);
	if (rc != CRM_OK)
		return rc;
	json_object_set_new(merged, "status", json_string(s.kind));
	if (entered) {
		json_object_set_new(merged, "stage_entered_at", json_integer(now));
		json_object_set_new(merged, "stage_due_at", s.limit_days > 0 ?
		    json_integer(now + s.limit_days * DAY_MS) : json_null());
		json_object_set_new(merged, "closed_at",
		    strcmp(s.kind, "open") != 0 ? json_integer(now) : json_null());
	}
	return settle_base(cx, merged);
}

/*
 * Sets furthest_stage_id of the deals whose column col ("id" or
 * "pipeline_id", from code) is v: the stage of each one's history that is
 * furthest along the funnel (core/funnel.h: open stages by position, then
 * id, then won; lost is no step). The same order as reached_filter below.
 */
static int
furthest_update(struct core_ctx *cx, const char *col, int64_t v)
{
	struct dbq q;
	db_stmt_t *st;
	int rc;

	dbq_init(&q);
	dbq_sql(&q, "UPDATE deals SET furthest_stage_id = (SELECT fh.stage_id FROM "
	    "deal_stage_history fh JOIN pipeline_stages fx ON fx.id = fh.stage_id "
	    "WHERE fh.deal_id = deals.id AND fx.kind <> 'lost' ORDER BY CASE WHEN "
	    "fx.kind = 'won' THEN 1 ELSE 0 END DESC, fx.position DESC, fx.id DESC "
	    "LIMIT 1) WHERE %s = ?", col);
	dbq_int(&q, v);
	rc = db_prepare_q(cx->db, &q, &st);
	dbq_free(&q);
	if (rc != DB_OK)
		return db_fail(cx, "furthest");
	rc = db_step(st);
	db_done(st);
	return rc == DB_DONE ? CRM_OK : db_fail(cx, "furthest step");
}

int
deal_furthest_refresh(struct core_ctx *cx, int64_t pipeline_id)
{
	return furthest_update(cx, "pipeline_id", pipeline_id);
}

/*
 * The lines, when the change gave them; and on a new stage, the open
 * history row closes and the new one opens.
 */
static int
deal_after_write(struct core_ctx *cx, int64_t id, json_t *cur, json_t *merged)
{
	int64_t at = time_of(json_object_get(merged, "stage_entered_at"));
	db_stmt_t *st;
	int rc = deal_items_write(cx, id, merged);

	if (rc != CRM_OK || (cur != NULL && json_equal(json_object_get(cur,
	    "stage_id"), json_object_get(merged, "stage_id"))))
		return rc;
	if (db_prepare(cx->db, "UPDATE deal_stage_history SET left_at = ? WHERE "
	    "deal_id = ? AND left_at IS NULL", &st) != DB_OK)
		return db_fail(cx, "history close");
	db_bind_int(st, 1, at);
	db_bind_int(st, 2, id);
	rc = db_step(st);
	db_done(st);
	if (rc != DB_DONE)
		return db_fail(cx, "history close step");
	if (db_prepare(cx->db, "INSERT INTO deal_stage_history (deal_id, "
	    "pipeline_id, stage_id, entered_at, entered_by, deal_created_at) "
	    "VALUES (?, ?, ?, ?, ?, (SELECT created_at FROM deals WHERE id = ?))",
	    &st) != DB_OK)
		return db_fail(cx, "history add");
	db_bind_int(st, 1, id);
	db_bind_int(st, 2, json_integer_value(json_object_get(merged,
	    "pipeline_id")));
	db_bind_int(st, 3, json_integer_value(json_object_get(merged, "stage_id")));
	db_bind_int(st, 4, at);
	if (cx->actor.user_id > 0)
		db_bind_int(st, 5, cx->actor.user_id);
	else
		db_bind_null(st, 5);
	db_bind_int(st, 6, id);
	rc = db_step(st);
	db_done(st);
	if (rc != DB_DONE)
		return db_fail(cx, "history add step");
	return furthest_update(cx, "id", id);
}

/* Stuck: open and past the time limit of its stage. */
static void
deal_decorate(json_t *rec)
{
	int64_t due = time_of(json_object_get(rec, "stage_due_at"));
	const char *status = json_string_value(json_object_get(rec, "status"));

	json_object_set_new(rec, "stuck", json_boolean(due > 0 && status != NULL &&
	    strcmp(status, "open") == 0 && due < time_now_ms()));
}

/*
 * reached_stage=S: deals whose history has a row for S or a later step of
 * the funnel (core/funnel.h): open stages by (position, id), then won. A
 * lost stage is not a step and matches none.
 */
static int
reached_filter(struct core_ctx *cx, struct dbq *q, const char *value)
{
	char *end;
	long long id = strtoll(value, &end, 10);

	if (*value == '\0' || *end != '\0' || id <= 0)
		return core_fail(cx, CRM_EBADQUERY, "reached_stage: must be a "
		    "stage id");
	dbq_sql(q, " AND EXISTS (SELECT 1 FROM deal_stage_history rh JOIN "
	    "pipeline_stages rx ON rx.id = rh.stage_id JOIN pipeline_stages rs "
	    "ON rs.id = ? WHERE rh.deal_id = t.id AND rx.pipeline_id = "
	    "rs.pipeline_id AND rs.kind <> 'lost' AND (rx.kind = 'won' OR "
	    "(rs.kind = 'open' AND rx.kind = 'open' AND (rx.position > "
	    "rs.position OR (rx.position = rs.position AND rx.id >= rs.id)))))");
	dbq_int(q, id);
	return CRM_OK;
}

/* product_id=P: deals with a line of product P (the ready report's drill). */
static int
product_filter(struct core_ctx *cx, struct dbq *q, const char *value)
{
	char *end;
	long long id = strtoll(value, &end, 10);

	if (*value == '\0' || *end != '\0' || id <= 0)
		return core_fail(cx, CRM_EBADQUERY, "product_id: must be a "
		    "product id");
	dbq_sql(q, " AND t.id IN (SELECT pi.deal_id FROM deal_items pi WHERE "
	    "pi.product_id = ?)");
	dbq_int(q, id);
	return CRM_OK;
}

static int
deal_filter(struct core_ctx *cx, struct dbq *q, const char *key,
    const char *value)
{
	if (strcmp(key, "reached_stage") == 0)
		return reached_filter(cx, q, value);
	if (strcmp(key, "product_id") == 0)
		return product_filter(cx, q, value);
	if (strcmp(key, "stuck") != 0)
		return CRM_ENOTFOUND;
	if (strcmp(value, "true") == 0)
		dbq_sql(q, " AND t.status = 'open' AND t.stage_due_at < ?");
	else if (strcmp(value, "false") == 0)
		dbq_sql(q, " AND NOT (t.status = 'open' AND t.stage_due_at IS NOT "
		    "NULL AND t.stage_due_at < ?)");
	else
		return core_fail(cx, CRM_EBADQUERY, "stuck: must be true or false");
	dbq_int(q, time_now_ms());
	return CRM_OK;
}

const struct entity entity_deals = {
	.name = "deals",
	.singular = "deal",
	.fields = deal_fields,
	.nfields = sizeof(deal_fields) / sizeof(deal_fields[0]),
	.prepare = deal_prepare,
	.after_write = deal_after_write,
	.decorate = deal_decorate,
	.filter = deal_filter,
};

/* ---- moving ---- */

int
deal_move(struct core_ctx *cx, int64_t id, int64_t if_version, json_t *in,
    json_t **out)
{
	const char *key;
	json_t *v;

	json_object_foreach(in, key, v)
		if (strcmp(key, "stage_id") != 0 &&
		    strcmp(key, "lost_reason_id") != 0 &&
		    strcmp(key, "lost_comment") != 0)
			verrs_add(&cx->errs, key, "is not part of a move (stage_id, "
			    "lost_reason_id, lost_comment); change it with PATCH");
	if (!json_is_integer(json_object_get(in, "stage_id")))
		verrs_add(&cx->errs, "stage_id", "is required: the stage to move "
		    "the deal to");
	if (cx->errs.n > 0 || cx->errs.dropped > 0)
		return core_invalid(cx);
	return rec_update(cx, &entity_deals, id, if_version, in, out);
}

/* ---- history ---- */

static json_t *
time_json(int64_t ms)
{
	char ts[TIME_RFC3339_LEN];

	time_format(ms, ts, sizeof(ts));
	return json_string(ts);
}

/* Adds a stay's duration to its stage's line in by_stage. */
static void
add_to_stage(json_t *by, int64_t sid, json_t *name, int64_t ms)
{
	size_t i;
	json_t *b;

	json_array_foreach(by, i, b) {
		if (json_integer_value(json_object_get(b, "stage_id")) != sid)
			continue;
		json_object_set_new(b, "visits", json_integer(json_integer_value(
		    json_object_get(b, "visits")) + 1));
		json_object_set_new(b, "duration_ms", json_integer(
		    json_integer_value(json_object_get(b, "duration_ms")) + ms));
		return;
	}
	json_array_append_new(by, json_pack("{s:I, s:O, s:i, s:I}", "stage_id",
	    (json_int_t)sid, "stage_name", name, "visits", 1, "duration_ms",
	    (json_int_t)ms));
}

int
deal_history(struct core_ctx *cx, int64_t id, json_t **out)
{
	int64_t now = time_now_ms();
	db_stmt_t *st;
	json_t *data, *by;
	int rc = access_check(cx, &entity_deals, ACC_READ, id, false);

	if (rc != CRM_OK)
		return rc;
	if (db_prepare(cx->db, "SELECT h.stage_id, s.name, h.entered_at, "
	    "h.entered_by, u.name, h.left_at FROM deal_stage_history h LEFT JOIN "
	    "pipeline_stages s ON s.id = h.stage_id LEFT JOIN users u ON u.id = "
	    "h.entered_by WHERE h.deal_id = ? ORDER BY h.entered_at, h.id",
	    &st) != DB_OK)
		return db_fail(cx, "history");
	db_bind_int(st, 1, id);
	data = json_array();
	by = json_array();
	while ((rc = db_step(st)) == DB_ROW) {
		int64_t sid = db_col_int(st, 0), in_at = db_col_int(st, 2);
		int64_t left = db_col_null(st, 5) ? 0 : db_col_int(st, 5);
		int64_t ms = (left > 0 ? left : now) - in_at;
		/* A removed stage keeps its place in the history, unnamed. */
		json_t *name = db_col_null(st, 1) ? json_null() :
		    json_string(db_col_text(st, 1, NULL));

		json_array_append_new(data, json_pack("{s:I, s:O, s:o, s:o, s:o, "
		    "s:o, s:I}", "stage_id", (json_int_t)sid, "stage_name", name,
		    "entered_at", time_json(in_at), "entered_by", db_col_null(st, 3) ?
		    json_null() : json_integer(db_col_int(st, 3)), "entered_by_name",
		    db_col_null(st, 4) ? json_null() :
		    json_string(db_col_text(st, 4, NULL)), "left_at", left > 0 ?
		    time_json(left) : json_null(), "duration_ms", (json_int_t)ms));
		add_to_stage(by, sid, name, ms);
		json_decref(name);
	}
	db_done(st);
	if (rc != DB_DONE) {
		json_decref(data);
		json_decref(by);
		return db_fail(cx, "history step");
	}
	*out = json_pack("{s:o, s:o}", "data", data, "by_stage", by);
	return CRM_OK;
}

/* ---- the board ---- */

static int
board_limit(struct core_ctx *cx, const char *s, int *limit)
{
	char *end;
	long v;

	*limit = BOARD_CARDS_DEFAULT;
	if (s == NULL)
		return CRM_OK;
	v = strtol(s, &end, 10);
	if (*s == '\0' || *end != '\0' || v < 1 || v > BOARD_CARDS_MAX)
		return core_fail(cx, CRM_EBADQUERY, "limit: cards per column, a "
		    "whole number from 1 to %d", BOARD_CARDS_MAX);
	*limit = (int)v;
	return CRM_OK;
}

/* The pipeline named by the pipeline_id filter, else the first active one. */
static int
board_pipeline(struct core_ctx *cx, const struct list_query *lq, int64_t *pid)
{
	char *end;

	for (int i = 0; i < lq->nfilters; i++) {
		if (strcmp(lq->filters[i].key, "pipeline_id") != 0)
			continue;
		*pid = strtoll(lq->filters[i].value, &end, 10);
		if (*lq->filters[i].value == '\0' || *end != '\0' || *pid <= 0)
			return core_fail(cx, CRM_EBADQUERY, "pipeline_id: must be "
			    "an id");
		return CRM_OK;
	}
	return pipeline_first_active(cx, pid);
}

/* count, amount_base, unconverted and stuck per stage, into the columns. */
static int
board_totals(struct core_ctx *cx, int64_t pid, const struct list_query *lq,
    json_t *cols, bool amounts)
{
	struct dbq q;
	db_stmt_t *st;
	size_t i;
	json_t *col;
	int rc;

	dbq_init(&q);
	dbq_sql(&q, "SELECT t.stage_id, COUNT(*), SUM(t.amount_base), SUM(CASE "
	    "WHEN t.amount_base IS NULL THEN 1 ELSE 0 END), SUM(CASE WHEN "
	    "t.status = 'open' AND t.stage_due_at < ? THEN 1 ELSE 0 END) FROM "
	    "deals t WHERE t.deleted_at IS NULL AND t.pipeline_id = ?");
	dbq_int(&q, time_now_ms());
	dbq_int(&q, pid);
	rc = rec_where(cx, &entity_deals, lq, &q);
	dbq_sql(&q, " GROUP BY t.stage_id");
	if (rc == CRM_OK && db_prepare_q(cx->db, &q, &st) != DB_OK)
		rc = db_fail(cx, "board totals");
	dbq_free(&q);
	if (rc != CRM_OK)
		return rc;
	while ((rc = db_step(st)) == DB_ROW) {
		json_array_foreach(cols, i, col) {
			if (json_integer_value(json_object_get(json_object_get(col,
			    "stage"), "id")) != db_col_int(st, 0))
				continue;
			json_object_set_new(col, "count", json_integer(
			    db_col_int(st, 1)));
			json_object_set_new(col, "amount_base", !amounts ? json_null() :
			    json_integer(db_col_null(st, 2) ? 0 : db_col_int(st, 2)));
			json_object_set_new(col, "unconverted", json_integer(
			    db_col_int(st, 3)));
			json_object_set_new(col, "stuck", json_integer(
			    db_col_int(st, 4)));
		}
	}
	db_done(st);
	return rc == DB_DONE ? CRM_OK : db_fail(cx, "board totals step");
}

/* The newest cards of one column. */
static int
board_cards(struct core_ctx *cx, int64_t pid, const struct list_query *lq,
    json_t *col, int limit, int64_t *shown)
{
	struct dbq q;
	db_stmt_t *st;
	json_t *cards = json_array();
	int rc, arc = CRM_OK, n = 0;

	dbq_init(&q);
	dbq_sql(&q, "SELECT ");
	rec_select_list(&entity_deals, &q);
	dbq_sql(&q, " FROM deals t WHERE t.deleted_at IS NULL AND t.pipeline_id = "
	    "? AND t.stage_id = ?");
	dbq_int(&q, pid);
	dbq_int(&q, json_integer_value(json_object_get(json_object_get(col,
	    "stage"), "id")));
	rc = rec_where(cx, &entity_deals, lq, &q);
	dbq_sql(&q, " ORDER BY t.id DESC LIMIT ?");
	dbq_int(&q, limit + 1);
	if (rc == CRM_OK && db_prepare_q(cx->db, &q, &st) != DB_OK)
		rc = db_fail(cx, "board cards");
	dbq_free(&q);
	if (rc != CRM_OK) {
		json_decref(cards);
		return rc;
	}
	while (arc == CRM_OK && (rc = db_step(st)) == DB_ROW && ++n <= limit) {
		json_t *rec = rec_row_to_json(&entity_deals, st);

		arc = access_redact(cx, &entity_deals, rec);
		if (arc == CRM_OK)
			json_array_append_new(cards, rec);
		else
			json_decref(rec);
	}
	db_done(st);
	if (arc != CRM_OK || (rc != DB_DONE && rc != DB_ROW)) {
		json_decref(cards);
		return arc != CRM_OK ? arc : db_fail(cx, "board cards step");
	}
	*shown += (int64_t)json_array_size(cards);
	json_object_set_new(col, "cards", cards);
	json_object_set_new(col, "more", json_boolean(n > limit));
	return CRM_OK;
}

int
deal_board(struct core_ctx *cx, const struct list_query *lq, json_t **out)
{
	json_t *pipe = NULL, *cols, *s, *col;
	int64_t pid = 0, shown = 0;
	char base[4];
	size_t i;
	int limit, rc;
	bool amounts = access_field(cx, &entity_deals, "amount") != FIELD_HIDDEN;

	/* The board shows every stage at once: no order, paging or trash. */
	if (lq->q != NULL || lq->sort != NULL || lq->cursor != NULL ||
	    lq->deleted)
		return core_fail(cx, CRM_EBADQUERY, "%s: the board takes filters "
		    "and limit only; use the deal list to search, sort or page",
		    lq->q ? "q" : lq->sort ? "sort" : lq->cursor ? "cursor" :
		    "deleted");
	rc = board_limit(cx, lq->limit, &limit);
	if (rc == CRM_OK)
		rc = board_pipeline(cx, lq, &pid);
	if (rc == CRM_OK)
		rc = pipeline_get(cx, pid, &pipe);
	if (rc == CRM_OK)
		rc = currency_base_get(cx, base);
	if (rc != CRM_OK) {
		json_decref(pipe);
		return rc;
	}
	cols = json_array();
	json_array_foreach(json_object_get(pipe, "stages"), i, s)
		json_array_append_new(cols, json_pack("{s:O, s:i, s:o, s:i, s:i}",
		    "stage", s, "count", 0, "amount_base", amounts ?
		    json_integer(0) : json_null(), "unconverted", 0, "stuck", 0));
	rc = board_totals(cx, pid, lq, cols, amounts);
	json_array_foreach(cols, i, col)
		if (rc == CRM_OK)
			rc = board_cards(cx, pid, lq, col, limit, &shown);
	if (rc == CRM_OK)
		rc = watch_reads(cx, &entity_deals, shown);
	if (rc != CRM_OK) {
		json_decref(pipe);
		json_decref(cols);
		return rc;
	}
	json_object_del(pipe, "stages");
	*out = json_pack("{s:o, s:s, s:o}", "pipeline", pipe, "base_currency",
	    base, "columns", cols);
	return CRM_OK;
}

/* ---- revaluing after exchange rates change ---- */

#define REVALUE_BATCH 2000
#define REVALUE_RATES_MAX 20000	/* rates of one currency held at once */

int
deal_revalue_enqueue(struct core_ctx *cx, const char *currency)
{
	json_t *payload = currency != NULL ? json_pack("{s:s, s:I}", "currency",
	    currency, "after_id", (json_int_t)0) : json_pack("{s:I}", "after_id",
	    (json_int_t)0);
	int64_t id;
	int rc = job_enqueue(cx, "deal_revalue", payload, time_now_ms(), NULL, &id);

	json_decref(payload);
	return rc;
}

struct rate_day {
	int64_t	day;
	int64_t	rate;
};

/* The rates of one currency, oldest first, into *out (caller frees). */
static int
load_rates(struct core_ctx *cx, const char *currency, struct rate_day **out,
    size_t *n)
{
	db_stmt_t *st;
	size_t cap = 64;
	int rc;

	*n = 0;
	*out = xcalloc(cap, sizeof(**out));
	if (db_prepare(cx->db, "SELECT day, rate FROM exchange_rates WHERE "
	    "currency = ? ORDER BY day LIMIT ?", &st) != DB_OK)
		return db_fail(cx, "rates");
	db_bind_text(st, 1, currency, strlen(currency));
	db_bind_int(st, 2, REVALUE_RATES_MAX);
	while ((rc = db_step(st)) == DB_ROW) {
		if (*n == cap) {
			cap *= 2;
			*out = xrealloc(*out, cap * sizeof(**out));
		}
		(*out)[*n].day = db_col_int(st, 0);
		(*out)[(*n)++].rate = db_col_int(st, 1);
	}
	db_done(st);
	return rc == DB_DONE ? CRM_OK : db_fail(cx, "rates step");
}

/* The rate of the day or the latest before it; 0 when there is none. */
static int64_t
rate_on(const struct rate_day *r, size_t n, int64_t day)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (r[mid].day <= day)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo > 0 ? r[lo - 1].rate : 0;
}

/* One deal's amount_base; *has is false when no rate applies. */
static void
revalue_one(const char *base, const struct currency *cur,
    const struct currency *bc, const struct rate_day *rates, size_t nrates,
    int64_t amount, int64_t closed, int64_t *out, bool *has)
{
	int64_t day = (closed > 0 ? closed : time_now_ms()) / DAY_MS;
	int64_t rate;

	*has = false;
	if (cur == NULL || bc == NULL)
		return;
	if (strcmp(cur->code, base) == 0) {
		*out = amount;
		*has = true;
		return;
	}
	rate = rate_on(rates, nrates, day);
	*has = rate > 0 && currency_scale(amount, cur->digits, rate, bc->digits,
	    out) == 0;
}

/* Every currency deals are in gets a job of its own. */
static int
revalue_fan_out(struct core_ctx *cx)
{
	db_stmt_t *st;
	int rc;

	if (db_prepare(cx->db, "SELECT DISTINCT currency FROM deals", &st) != DB_OK)
		return db_fail(cx, "revalue currencies");
	while ((rc = db_step(st)) == DB_ROW) {
		const char *code = db_col_text(st, 0, NULL);

		if (currency_find(code) != NULL &&
		    deal_revalue_enqueue(cx, code) != CRM_OK)
			break;
	}
	db_done(st);
	return rc == DB_DONE ? CRM_OK : db_fail(cx, "revalue currencies step");
}

static int
set_base(struct core_ctx *cx, int64_t id, bool has, int64_t v)
{
	db_stmt_t *st;
	int rc;

	if (db_prepare(cx->db, "UPDATE deals SET amount_base = ? WHERE id = ?",
	    &st) != DB_OK)
		return db_fail(cx, "revalue write");
	if (has)
		db_bind_int(st, 1, v);
	else
		db_bind_null(st, 1);
	db_bind_int(st, 2, id);
	rc = db_step(st);
	db_done(st);
	return rc == DB_DONE ? CRM_OK : db_fail(cx, "revalue write step");
}

int
deal_revalue_run(struct core_ctx *cx, json_t *payload)
{
	const char *code = json_string_value(json_object_get(payload, "currency"));
	int64_t after = json_integer_value(json_object_get(payload, "after_id"));
	const struct currency *cur = code ? currency_find(code) : NULL, *bc;
	struct rate_day *rates = NULL;
	size_t nrates = 0, done = 0;
	db_stmt_t *st;
	char base[4];
	int rc;

	if (code == NULL)
		return revalue_fan_out(cx);
	if (cur == NULL)
		return CRM_OK;	/* nothing is stored in a currency we do not know */
	rc = currency_base_get(cx, base);
	bc = currency_find(base);
	if (rc == CRM_OK)
		rc = load_rates(cx, code, &rates, &nrates);
	if (rc != CRM_OK) {
		free(rates);
		return rc;
	}
	if (db_prepare(cx->db, "SELECT id, amount, closed_at, amount_base FROM "
	    "deals WHERE currency = ? AND id > ? ORDER BY id LIMIT ?", &st) != DB_OK) {
		free(rates);
		return db_fail(cx, "revalue");
	}
	db_bind_text(st, 1, code, strlen(code));
	db_bind_int(st, 2, after);
	db_bind_int(st, 3, REVALUE_BATCH);
	/* Written as read: the update changes no column the select orders by. */
	while ((rc = db_step(st)) == DB_ROW) {
		int64_t v = 0;
		bool has;

		after = db_col_int(st, 0);
		done++;
		revalue_one(base, cur, bc, rates, nrates, db_col_int(st, 1),
		    db_col_null(st, 2) ? 0 : db_col_int(st, 2), &v, &has);
		if (has == !db_col_null(st, 3) && (!has || v == db_col_int(st, 3)))
			continue;
		if (set_base(cx, after, has, v) != CRM_OK)
			break;
	}
	db_done(st);
	free(rates);
	if (rc != DB_DONE)
		return rc == DB_ROW ? CRM_EDB : db_fail(cx, "revalue step");
	/* The rest in a job of its own, so that one transaction stays short. */
	if (done == REVALUE_BATCH) {
		json_t *next = json_pack("{s:s, s:I}", "currency", code, "after_id",
		    (json_int_t)after);
		int64_t id;

		rc = job_enqueue(cx, "deal_revalue", next, time_now_ms(), NULL, &id);
		json_decref(next);
		return rc;
	}
	return CRM_OK;
}
