/* Pipelines, their stages, and lost reasons (see pipelines.h). */
#include "core/pipelines.h"

#include <stdio.h>
#include <string.h>

#include "core/audit.h"
#include "core/deals.h"
#include "util/log.h"
#include "util/timeutil.h"

static const char *const kinds[] = { "open", "won", "lost" };

static int
db_fail(struct core_ctx *cx, const char *what)
{
	log_error("database: pipelines %s: %s", what, db_errmsg(cx->db));
	return core_fail(cx, CRM_EDB, "The database failed; nothing was changed");
}

/* An integer member in [lo, hi], or absent/null when optional. */
static bool
good_int(json_t *v, int64_t lo, int64_t hi, bool optional)
{
	if (v == NULL || json_is_null(v))
		return optional;
	return json_is_integer(v) && json_integer_value(v) >= lo &&
	    json_integer_value(v) <= hi;
}

/* ---- reading ---- */

int
pipeline_first_active(struct core_ctx *cx, int64_t *id)
{
	db_stmt_t *st;
	int rc;

	if (db_prepare(cx->db, "SELECT id FROM pipelines WHERE archived = 0 "
	    "ORDER BY position, id LIMIT 1", &st) != DB_OK)
		return db_fail(cx, "first active");
	rc = db_step(st);
	if (rc == DB_ROW)
		*id = db_col_int(st, 0);
	db_done(st);
	if (rc == DB_DONE)
		return core_fail(cx, CRM_ENOTFOUND, "There is no active pipeline; "
		    "an administrator creates one first");
	return rc == DB_ROW ? CRM_OK : db_fail(cx, "first active step");
}

static int
add_stages(struct core_ctx *cx, json_t *pipes)
{
	db_stmt_t *st;
	int rc;

	if (db_prepare(cx->db, "SELECT id, pipeline_id, name, position, "
	    "probability, time_limit_days, kind FROM pipeline_stages ORDER BY "
	    "pipeline_id, position, id", &st) != DB_OK)
		return db_fail(cx, "stages");
	while ((rc = db_step(st)) == DB_ROW) {
		size_t i;
		json_t *p;

		json_array_foreach(pipes, i, p) {
			if (json_integer_value(json_object_get(p, "id")) !=
			    db_col_int(st, 1))
				continue;
			json_array_append_new(json_object_get(p, "stages"), json_pack(
			    "{s:I, s:s, s:I, s:I, s:o, s:s}",
			    "id", (json_int_t)db_col_int(st, 0),
			    "name", db_col_text(st, 2, NULL),
			    "position", (json_int_t)db_col_int(st, 3),
			    "probability", (json_int_t)db_col_int(st, 4),
			    "time_limit_days", db_col_null(st, 5) ? json_null() :
			    json_integer(db_col_int(st, 5)),
			    "kind", db_col_text(st, 6, NULL)));
		}
	}
	db_done(st);
	return rc == DB_DONE ? CRM_OK : db_fail(cx, "stages step");
}

static int
query(struct core_ctx *cx, int64_t id, json_t **out)
{
	db_stmt_t *st;
	json_t *arr = json_array();
	int rc;

	if (db_prepare(cx->db, id > 0 ? "SELECT id, name, position, archived "
	    "FROM pipelines WHERE id = ?" : "SELECT id, name, position, archived "
	    "FROM pipelines ORDER BY archived, position, id", &st) != DB_OK) {
		json_decref(arr);
		return db_fail(cx, "list");
	}
	if (id > 0)
		db_bind_int(st, 1, id);
	while ((rc = db_step(st)) == DB_ROW)
		json_array_append_new(arr, json_pack("{s:I, s:s, s:I, s:b, s:[]}",
		    "id", (json_int_t)db_col_int(st, 0),
		    "name", db_col_text(st, 1, NULL),
		    "position", (json_int_t)db_col_int(st, 2),
		    "archived", (int)db_col_int(st, 3), "stages"));
	db_done(st);
	rc = rc == DB_DONE ? add_stages(cx, arr) : db_fail(cx, "list step");
	if (rc == CRM_OK && id > 0 && json_array_size(arr) == 0)
		rc = core_fail(cx, CRM_ENOTFOUND, "No pipeline with id %lld",
		    (long long)id);
	if (rc != CRM_OK) {
		json_decref(arr);
		return rc;
	}
	*out = id > 0 ? json_incref(json_array_get(arr, 0)) :
	    json_pack("{s:O}", "data", arr);
	json_decref(arr);
	return CRM_OK;
}

int
pipeline_list(struct core_ctx *cx, json_t **out)
{
	return query(cx, 0, out);
}

int
pipeline_get(struct core_ctx *cx, int64_t id, json_t **out)
{
	return query(cx, id, out);
}

/* ---- checking ---- */

static void
check_stages(struct core_ctx *cx, json_t *stages)
{
	int won = 0, lost = 0, open = 0, errs = cx->errs.n;
	char f[96];
	size_t i;
	json_t *s;

	if (!json_is_array(stages) || json_array_size(stages) < 3 ||
	    json_array_size(stages) > PIPELINE_STAGES_MAX) {
		verrs_add(&cx->errs, "stages", "must list 3 to %d stages: at least "
		    "one open, one won and one lost", PIPELINE_STAGES_MAX);
		return;
	}
	json_array_foreach(stages, i, s) {
		const char *kind = json_string_value(json_object_get(s, "kind"));
		bool known = kind == NULL;
		const char *key;
		json_t *v;

		snprintf(f, sizeof(f), "stages[%zu]", i);
		if (!json_is_object(s)) {
			verrs_add(&cx->errs, f, "must be an object");
			continue;
		}
		json_object_foreach(s, key, v)
			if (strcmp(key, "id") != 0 && strcmp(key, "name") != 0 &&
			    strcmp(key, "probability") != 0 &&
			    strcmp(key, "time_limit_days") != 0 &&
			    strcmp(key, "kind") != 0)
				verrs_add(&cx->errs, f, "%.40s is not a field of a stage",
				    key);
		for (size_t k = 0; kind != NULL && k < 3; k++)
			known |= strcmp(kind, kinds[k]) == 0;
		if (!core_text_ok(json_object_get(s, "name"), PIPELINE_NAME_MAX))
			verrs_add(&cx->errs, f, "needs a name of 1 to %d characters",
			    PIPELINE_NAME_MAX);
		else if (!known || (json_object_get(s, "kind") && kind == NULL))
			verrs_add(&cx->errs, f, "kind must be open, won or lost");
		else if (!good_int(json_object_get(s, "probability"), 0, 100, true))
			verrs_add(&cx->errs, f, "probability must be a whole percent "
			    "from 0 to 100");
		else if (!good_int(json_object_get(s, "time_limit_days"), 1, 3650,
		    true))
			verrs_add(&cx->errs, f, "time_limit_days must be 1 to 3650 or "
			    "null");
		else if (!good_int(json_object_get(s, "id"), 1, INT64_MAX, true))
			verrs_add(&cx->errs, f, "id must be a stage id");
		won += kind && strcmp(kind, "won") == 0;
		lost += kind && strcmp(kind, "lost") == 0;
		open += !kind || strcmp(kind, "open") == 0;
		for (size_t k = 0; k < i; k++)
			if (json_equal(json_object_get(s, "name"), json_object_get(
			    json_array_get(stages, k), "name")))
				verrs_add(&cx->errs, f, "repeats the name of stage %zu", k);
	}
	/* The shape of the whole, once each stage is well formed. */
	if (cx->errs.n == errs && (won != 1 || lost != 1 || open < 1))
		verrs_add(&cx->errs, "stages", "need exactly one won stage, one lost "
		    "stage and at least one open stage (now %d, %d and %d)", won,
		    lost, open);
}

static void
check_pipeline(struct core_ctx *cx, json_t *in, bool create)
{
	const char *key;
	json_t *v;

	json_object_foreach(in, key, v) {
		if (strcmp(key, "name") == 0) {
			if (!core_text_ok(v, PIPELINE_NAME_MAX))
				verrs_add(&cx->errs, key, "must be 1 to %d characters",
				    PIPELINE_NAME_MAX);
		} else if (strcmp(key, "position") == 0) {
			if (!good_int(v, 0, 1000000, false))
				verrs_add(&cx->errs, key, "must be 0 to 1000000");
		} else if (strcmp(key, "archived") == 0 && !create) {
			if (!json_is_boolean(v))
				verrs_add(&cx->errs, key, "must be true or false");
		} else if (strcmp(key, "stages") == 0) {
			check_stages(cx, v);
		} else {
			verrs_add(&cx->errs, key, "is not a field of a pipeline");
		}
	}
	if (create && json_object_get(in, "name") == NULL)
		verrs_add(&cx->errs, "name", "is required");
	if (create && json_object_get(in, "stages") == NULL)
		verrs_add(&cx->errs, "stages", "are required: at least one open, "
		    "one won and one lost");
}

/* ---- writing ---- */

static int
step_done(struct core_ctx *cx, db_stmt_t *st, const char *what)
{
	int rc = db_step(st);

	db_done(st);
	if (rc == DB_ECONSTRAINT)
		return core_fail(cx, CRM_EEXISTS, "The name is taken; choose "
		    "another");
	return rc == DB_DONE || rc == DB_ROW ? CRM_OK : db_fail(cx, what);
}

/* How many deals, live or in the trash, are in a stage or pipeline. */
static int
deals_in(struct core_ctx *cx, const char *col, int64_t id, int64_t *n)
{
	char sql[96];
	db_stmt_t *st;
	int rc;

	snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM deals WHERE %s = ?", col);
	if (db_prepare(cx->db, sql, &st) != DB_OK)
		return db_fail(cx, "count deals");
	db_bind_int(st, 1, id);
	rc = db_step(st);
	*n = rc == DB_ROW ? db_col_int(st, 0) : 0;
	db_done(st);
	return rc == DB_ROW ? CRM_OK : db_fail(cx, "count deals step");
}

static json_t *
stage_by_id(json_t *stages, json_t *id)
{
	size_t i;
	json_t *s;

	json_array_foreach(stages, i, s)
		if (id != NULL && json_equal(json_object_get(s, "id"), id))
			return s;
	return NULL;
}

/*
 * Stages that deals are in may be renamed and reordered but not removed,
 * and keep their kind (a deal's status follows it). Adds to cx->errs.
 */
static int
check_stages_in_use(struct core_ctx *cx, json_t *cur, json_t *stages)
{
	size_t i;
	json_t *c;
	int64_t n;
	int rc = CRM_OK;

	json_array_foreach(json_object_get(cur, "stages"), i, c) {
		json_t *next = stage_by_id(stages, json_object_get(c, "id"));
		const char *kind = json_string_value(json_object_get(next, "kind"));

		if (next != NULL && strcmp(kind ? kind : "open",
		    json_string_value(json_object_get(c, "kind"))) == 0)
			continue;
		rc = deals_in(cx, "stage_id", json_integer_value(json_object_get(c,
		    "id")), &n);
		if (rc != CRM_OK)
			return rc;
		if (n > 0)
			verrs_add(&cx->errs, "stages", "stage '%s' holds %lld deal%s: "
			    "move them to another stage before %s it",
			    json_string_value(json_object_get(c, "name")), (long long)n,
			    n == 1 ? "" : "s", next ? "changing the kind of" :
			    "removing");
	}
	return CRM_OK;
}

/* Runs sql with its parameters: n (1 or 2) ids, a then b. */
static int
exec_ids(struct core_ctx *cx, const char *sql, int n, int64_t a, int64_t b,
    const char *what)
{
	db_stmt_t *st;

	if (db_prepare(cx->db, sql, &st) != DB_OK)
		return db_fail(cx, what);
	db_bind_int(st, 1, a);
	if (n > 1)
		db_bind_int(st, 2, b);
	return step_done(cx, st, what);
}

/* A stage's time limit moved: the deals in it are due accordingly. */
static int
redue_deals(struct core_ctx *cx, int64_t sid, json_t *lim)
{
	if (!json_is_integer(lim))
		return exec_ids(cx, "UPDATE deals SET stage_due_at = NULL WHERE "
		    "stage_id = ?", 1, sid, 0, "due");
	return exec_ids(cx, "UPDATE deals SET stage_due_at = stage_entered_at + "
	    "? WHERE stage_id = ?", 2, json_integer_value(lim) * 86400000LL,
	    sid, "due");
}

/*
 * Writes the pipeline's stages as given, in place: a kept stage keeps its
 * id (deals and their history point at it), one left out is removed, one
 * without an id is added. cur is the pipeline as stored, NULL when new.
 */
static int
write_stages(struct core_ctx *cx, int64_t pid, json_t *cur, json_t *stages)
{
	int64_t now = time_now_ms();
	db_stmt_t *st;
	size_t i;
	json_t *s, *c;
	int rc = CRM_OK;

	json_array_foreach(json_object_get(cur, "stages"), i, c) {
		int64_t sid = json_integer_value(json_object_get(c, "id"));
		char parked[40];

		if (stage_by_id(stages, json_object_get(c, "id")) == NULL) {
			rc = exec_ids(cx, "DELETE FROM pipeline_stages WHERE id = ?",
			    1, sid, 0, "stage delete");
		} else if (db_prepare(cx->db, "UPDATE pipeline_stages SET name = ? "
		    "WHERE id = ?", &st) != DB_OK) {
			rc = db_fail(cx, "stage park");
		} else {
			/* A name no stage has, so two stages can swap names. */
			snprintf(parked, sizeof(parked), "\x01%lld", (long long)sid);
			db_bind_text(st, 1, parked, strlen(parked));
			db_bind_int(st, 2, sid);
			rc = step_done(cx, st, "stage park");
		}
		if (rc != CRM_OK)
			return rc;
	}
	json_array_foreach(stages, i, s) {
		json_t *id = json_object_get(s, "id"), *lim, *old;
		const char *kind = json_string_value(json_object_get(s, "kind"));
		int o = 0;

		/* A new stage's id is the database's (PostgreSQL: identity). */
		if (db_prepare(cx->db, json_is_integer(id) ? "UPDATE pipeline_stages "
		    "SET name = ?, position = ?, probability = ?, time_limit_days = "
		    "?, kind = ?, updated_at = ? WHERE id = ?" : "INSERT INTO "
		    "pipeline_stages (name, position, probability, time_limit_days, "
		    "kind, updated_at, pipeline_id, created_at) VALUES (?, ?, ?, ?, "
		    "?, ?, ?, ?)", &st) != DB_OK)
			return db_fail(cx, "stage write");
		db_bind_text(st, ++o, json_string_value(json_object_get(s, "name")),
		    json_string_length(json_object_get(s, "name")));
		db_bind_int(st, ++o, (int64_t)i);
		db_bind_int(st, ++o, json_integer_value(json_object_get(s,
		    "probability")));
		lim = json_object_get(s, "time_limit_days");
		if (json_is_integer(lim))
			db_bind_int(st, ++o, json_integer_value(lim));
		else
			db_bind_null(st, ++o);
		db_bind_text(st, ++o, kind ? kind : "open",
		    strlen(kind ? kind : "open"));
		db_bind_int(st, ++o, now);
		if (json_is_integer(id)) {
			db_bind_int(st, ++o, json_integer_value(id));
		} else {
			db_bind_int(st, ++o, pid);
			db_bind_int(st, ++o, now);
		}
		rc = step_done(cx, st, "stage write");
		old = stage_by_id(json_object_get(cur, "stages"), id);
		if (rc == CRM_OK && old != NULL && !json_equal(lim ? lim :
		    json_null(), json_object_get(old, "time_limit_days")))
			rc = redue_deals(cx, json_integer_value(id), lim);
		if (rc != CRM_OK)
			return rc;
	}
	return CRM_OK;
}

int
pipeline_create(struct core_ctx *cx, json_t *in, json_t **out)
{
	int64_t now = time_now_ms(), id = 0;
	db_stmt_t *st;
	size_t i;
	json_t *s;
	int rc = core_admin_only(cx, "define pipelines");

	*out = NULL;
	if (rc != CRM_OK)
		return rc;
	check_pipeline(cx, in, true);
	/* A new pipeline's stages are new: ids are the server's to give. */
	json_array_foreach(json_object_get(in, "stages"), i, s)
		if (json_object_get(s, "id") != NULL)
			verrs_add(&cx->errs, "stages", "of a new pipeline have no ids");
	if (cx->errs.n > 0 || cx->errs.dropped > 0)
		return core_invalid(cx);
	if (db_begin(cx->db) != DB_OK)
		return db_fail(cx, "begin");
	if (db_prepare(cx->db, "INSERT INTO pipelines (name, position, "
	    "created_at, updated_at) VALUES (?, ?, ?, ?) RETURNING id", &st) != DB_OK)
		return core_txn_end(cx, db_fail(cx, "create"), NULL);
	db_bind_text(st, 1, json_string_value(json_object_get(in, "name")),
	    json_string_length(json_object_get(in, "name")));
	db_bind_int(st, 2, json_integer_value(json_object_get(in, "position")));
	db_bind_int(st, 3, now);
	db_bind_int(st, 4, now);
	rc = db_step(st);
	if (rc == DB_ROW)
		id = db_col_int(st, 0);
	db_done(st);
	rc = rc == DB_ROW ? CRM_OK : rc == DB_ECONSTRAINT ?
	    core_fail(cx, CRM_EEXISTS, "A pipeline with this name exists") :
	    db_fail(cx, "create step");
	if (rc == CRM_OK)
		rc = write_stages(cx, id, NULL, json_object_get(in, "stages"));
	if (rc == CRM_OK)
		rc = audit_append(cx, "setting.pipeline_created", "pipelines", id, in);
	if (rc == CRM_OK)
		rc = query(cx, id, out);
	return core_txn_end(cx, rc, out);
}

int
pipeline_update(struct core_ctx *cx, int64_t id, json_t *in, json_t **out)
{
	json_t *cur = NULL, *stages = json_object_get(in, "stages"), *s;
	db_stmt_t *st;
	size_t i;
	int rc = core_admin_only(cx, "change pipelines");

	*out = NULL;
	if (rc != CRM_OK)
		return rc;
	check_pipeline(cx, in, false);
	if (cx->errs.n > 0 || cx->errs.dropped > 0)
		return core_invalid(cx);
	if (db_begin(cx->db) != DB_OK)
		return db_fail(cx, "begin");
	rc = query(cx, id, &cur);
	/* A kept stage must be one of this pipeline's. */
	json_array_foreach(stages, i, s) {
		json_t *sid = json_object_get(s, "id"), *c;
		bool mine = sid == NULL;
		size_t k;

		json_array_foreach(json_object_get(cur, "stages"), k, c)
			mine |= json_equal(sid, json_object_get(c, "id"));
		if (rc == CRM_OK && !mine)
			verrs_add(&cx->errs, "stages", "stage %lld is not one of this "
			    "pipeline's", (long long)json_integer_value(sid));
	}
	if (rc == CRM_OK && stages != NULL && cx->errs.n == 0)
		rc = check_stages_in_use(cx, cur, stages);
	if (rc == CRM_OK && (cx->errs.n > 0 || cx->errs.dropped > 0))
		rc = core_invalid(cx);
	if (rc == CRM_OK && db_prepare(cx->db, "UPDATE pipelines SET name = "
	    "COALESCE(?, name), position = COALESCE(?, position), archived = "
	    "COALESCE(?, archived), updated_at = ? WHERE id = ?", &st) != DB_OK)
		rc = db_fail(cx, "update");
	if (rc == CRM_OK) {
		json_t *n = json_object_get(in, "name"), *p = json_object_get(in,
		    "position"), *a = json_object_get(in, "archived");

		if (json_is_string(n))
			db_bind_text(st, 1, json_string_value(n), json_string_length(n));
		else
			db_bind_null(st, 1);
		if (json_is_integer(p))
			db_bind_int(st, 2, json_integer_value(p));
		else
			db_bind_null(st, 2);
		if (json_is_boolean(a))
			db_bind_int(st, 3, json_is_true(a));
		else
			db_bind_null(st, 3);
		db_bind_int(st, 4, time_now_ms());
		db_bind_int(st, 5, id);
		rc = step_done(cx, st, "update step");
	}
	if (rc == CRM_OK && stages != NULL)
		rc = write_stages(cx, id, cur, stages);
	/* A new order or kind moves what counts as furthest along the funnel. */
	if (rc == CRM_OK && stages != NULL)
		rc = deal_furthest_refresh(cx, id);
	if (rc == CRM_OK)
		rc = audit_append(cx, "setting.pipeline_changed", "pipelines", id, in);
	if (rc == CRM_OK)
		rc = query(cx, id, out);
	json_decref(cur);
	return core_txn_end(cx, rc, out);
}

int
pipeline_delete(struct core_ctx *cx, int64_t id)
{
	json_t *cur = NULL;
	int64_t n = 0;
	int rc = core_admin_only(cx, "delete pipelines");

	if (rc != CRM_OK)
		return rc;
	if (db_begin(cx->db) != DB_OK)
		return db_fail(cx, "begin");
	rc = query(cx, id, &cur);
	json_decref(cur);
	if (rc == CRM_OK)
		rc = deals_in(cx, "pipeline_id", id, &n);
	if (rc == CRM_OK && n > 0)
		rc = core_fail(cx, CRM_EINUSE, "The pipeline holds %lld deal%s "
		    "(counting the trash): archive it instead", (long long)n,
		    n == 1 ? "" : "s");
	if (rc == CRM_OK)
		rc = exec_ids(cx, "DELETE FROM pipeline_stages WHERE pipeline_id = ?",
		    1, id, 0, "delete stages");
	if (rc == CRM_OK)
		rc = exec_ids(cx, "DELETE FROM pipelines WHERE id = ?", 1, id,
		    0, "delete");
	if (rc == CRM_OK)
		rc = audit_append(cx, "setting.pipeline_deleted", "pipelines", id, NULL);
	return core_txn_end(cx, rc, NULL);
}

/* ---- lost reasons ---- */

static int
reasons(struct core_ctx *cx, int64_t id, json_t **out)
{
	db_stmt_t *st;
	json_t *arr = json_array();
	int rc;

	if (db_prepare(cx->db, id > 0 ? "SELECT id, name, active FROM "
	    "lost_reasons WHERE id = ?" : "SELECT id, name, active FROM "
	    "lost_reasons ORDER BY active DESC, name, id", &st) != DB_OK) {
		json_decref(arr);
		return db_fail(cx, "reasons");
	}
	if (id > 0)
		db_bind_int(st, 1, id);
	while ((rc = db_step(st)) == DB_ROW)
		json_array_append_new(arr, json_pack("{s:I, s:s, s:b}", "id",
		    (json_int_t)db_col_int(st, 0), "name", db_col_text(st, 1, NULL),
		    "active", (int)db_col_int(st, 2)));
	db_done(st);
	rc = rc == DB_DONE ? CRM_OK : db_fail(cx, "reasons step");
	if (rc == CRM_OK && id > 0 && json_array_size(arr) == 0)
		rc = core_fail(cx, CRM_ENOTFOUND, "No lost reason with id %lld",
		    (long long)id);
	if (rc != CRM_OK) {
		json_decref(arr);
		return rc;
	}
	*out = id > 0 ? json_incref(json_array_get(arr, 0)) :
	    json_pack("{s:O}", "data", arr);
	json_decref(arr);
	return CRM_OK;
}

int
lost_reason_list(struct core_ctx *cx, json_t **out)
{
	return reasons(cx, 0, out);
}

static void
check_reason(struct core_ctx *cx, json_t *in, bool create)
{
	const char *key;
	json_t *v;

	json_object_foreach(in, key, v) {
		if (strcmp(key, "name") == 0) {
			if (!core_text_ok(v, LOST_REASON_MAX))
				verrs_add(&cx->errs, key, "must be 1 to %d characters",
				    LOST_REASON_MAX);
		} else if (strcmp(key, "active") == 0) {
			if (!json_is_boolean(v))
				verrs_add(&cx->errs, key, "must be true or false");
		} else {
			verrs_add(&cx->errs, key, "is not a field of a lost reason");
		}
	}
	if (create && json_object_get(in, "name") == NULL)
		verrs_add(&cx->errs, "name", "is required");
}

/* Inserts (id 0) or changes a reason; *id is the reason's. */
static int
reason_write(struct core_ctx *cx, int64_t *id, json_t *in)
{
	json_t *n = json_object_get(in, "name"), *a = json_object_get(in, "active");
	int64_t now = time_now_ms();
	db_stmt_t *st;
	int rc;

	if (db_prepare(cx->db, *id == 0 ? "INSERT INTO lost_reasons (name, "
	    "active, created_at, updated_at) VALUES (?, COALESCE(?, 1), ?, ?) "
	    "RETURNING id" : "UPDATE lost_reasons SET name = COALESCE(?, name), "
	    "active = COALESCE(?, active), updated_at = ? WHERE id = ?",
	    &st) != DB_OK)
		return db_fail(cx, "reason write");
	if (json_is_string(n))
		db_bind_text(st, 1, json_string_value(n), json_string_length(n));
	else
		db_bind_null(st, 1);
	if (json_is_boolean(a))
		db_bind_int(st, 2, json_is_true(a));
	else
		db_bind_null(st, 2);
	db_bind_int(st, 3, now);
	db_bind_int(st, 4, *id == 0 ? now : *id);
	rc = db_step(st);
	if (*id == 0 && rc == DB_ROW)
		*id = db_col_int(st, 0);
	db_done(st);
	if (rc == DB_ECONSTRAINT)
		return core_fail(cx, CRM_EEXISTS, "This lost reason exists already");
	return rc == DB_ROW || rc == DB_DONE ? CRM_OK : db_fail(cx, "reason step");
}

int
lost_reason_create(struct core_ctx *cx, json_t *in, json_t **out)
{
	int64_t id = 0;
	int rc = core_admin_only(cx, "edit lost reasons");

	*out = NULL;
	if (rc != CRM_OK)
		return rc;
	check_reason(cx, in, true);
	if (cx->errs.n > 0 || cx->errs.dropped > 0)
		return core_invalid(cx);
	if (db_begin(cx->db) != DB_OK)
		return db_fail(cx, "begin");
	rc = reason_write(cx, &id, in);
	if (rc == CRM_OK)
		rc = audit_append(cx, "setting.lost_reason_created", "lost_reasons",
		    id, in);
	if (rc == CRM_OK)
		rc = reasons(cx, id, out);
	return core_txn_end(cx, rc, out);
}

int
lost_reason_update(struct core_ctx *cx, int64_t id, json_t *in, json_t **out)
{
	json_t *cur = NULL;
	int rc = core_admin_only(cx, "edit lost reasons");

	*out = NULL;
	if (rc != CRM_OK)
		return rc;
	check_reason(cx, in, false);
	if (cx->errs.n > 0 || cx->errs.dropped > 0)
		return core_invalid(cx);
	if (db_begin(cx->db) != DB_OK)
		return db_fail(cx, "begin");
	rc = reasons(cx, id, &cur);
	json_decref(cur);
	if (rc == CRM_OK)
		rc = reason_write(cx, &id, in);
	if (rc == CRM_OK)
		rc = audit_append(cx, "setting.lost_reason_changed", "lost_reasons",
		    id, in);
	if (rc == CRM_OK)
		rc = reasons(cx, id, out);
	return core_txn_end(cx, rc, out);
}

int
lost_reason_delete(struct core_ctx *cx, int64_t id)
{
	json_t *cur = NULL;
	int64_t n = 0;
	int rc = core_admin_only(cx, "edit lost reasons");

	if (rc != CRM_OK)
		return rc;
	if (db_begin(cx->db) != DB_OK)
		return db_fail(cx, "begin");
	rc = reasons(cx, id, &cur);
	json_decref(cur);
	if (rc == CRM_OK)
		rc = deals_in(cx, "lost_reason_id", id, &n);
	/* Reports count losses by reason: a used one is retired, not deleted. */
	if (rc == CRM_OK && n > 0)
		rc = core_fail(cx, CRM_EINUSE, "%lld deal%s %s lost for this "
		    "reason: retire it instead (active: false)", (long long)n,
		    n == 1 ? "" : "s", n == 1 ? "was" : "were");
	if (rc == CRM_OK)
		rc = exec_ids(cx, "DELETE FROM lost_reasons WHERE id = ?", 1,
		    id, 0, "reason delete");
	if (rc == CRM_OK)
		rc = audit_append(cx, "setting.lost_reason_deleted", "lost_reasons",
		    id, NULL);
	return core_txn_end(cx, rc, NULL);
}
