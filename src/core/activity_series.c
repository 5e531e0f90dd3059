/*
 * Recurring tasks: completing the latest task of a series creates the next
 * one in the completion's transaction, through the record engine
 * (rec_create_txn), so it is checked, audited and searchable like any
 * task, and a failure undoes the completion too: a series never loses an
 * occurrence. The dates come from recurrence.c.
 *
 * A series is its first task and the tasks made from it, every one of them
 * with series_id = the first's id: the first is marked when it gets its
 * rule (activity_series_mark), so a filter on series_id lists the whole
 * series, the first included. Occurrence k is due k steps after the
 * first's due_at; the count of occurrences so far is the number of tasks
 * in the series, trashed ones included (they happened, or were dropped on
 * purpose). Only the newest task continues the series, so reopening and
 * completing an older one makes no second copy.
 */
#include "core/activities.h"

#include <string.h>

#include "util/log.h"
#include "util/timeutil.h"

static int
db_fail(struct core_ctx *cx, const char *what)
{
	log_error("database: task series: %s: %s", what, db_errmsg(cx->db));
	return core_fail(cx, CRM_EDB, "The database failed; nothing was changed");
}

/* One integer from sql with up to two id parameters; *found false: no row. */
static int
one_int(struct core_ctx *cx, const char *sql, int64_t a, int64_t b,
    int64_t *v, bool *found)
{
	db_stmt_t *st;
	int rc;

	if (db_prepare(cx->db, sql, &st) != DB_OK)
		return db_fail(cx, "query");
	db_bind_int(st, 1, a);
	if (b != 0)
		db_bind_int(st, 2, b);
	rc = db_step(st);
	*found = rc == DB_ROW && !db_col_null(st, 0);
	*v = *found ? db_col_int(st, 0) : 0;
	db_done(st);
	return rc == DB_ROW || rc == DB_DONE ? CRM_OK : db_fail(cx, "step");
}

/* series_id is read-only to clients: the engine's insert leaves it out. */
static int
link_series(struct core_ctx *cx, int64_t id, int64_t series)
{
	db_stmt_t *st;
	int rc;

	if (db_prepare(cx->db, "UPDATE activities SET series_id = ? WHERE id = ?",
	    &st) != DB_OK)
		return db_fail(cx, "link");
	db_bind_int(st, 1, series);
	db_bind_int(st, 2, id);
	rc = db_step(st);
	db_done(st);
	return rc == DB_DONE ? CRM_OK : db_fail(cx, "link step");
}

int
activity_series_mark(struct core_ctx *cx, int64_t id, json_t *merged)
{
	const char *kind = json_string_value(json_object_get(merged, "kind"));

	if (kind == NULL || strcmp(kind, "task") != 0 ||
	    !json_is_object(json_object_get(merged, "recurrence")) ||
	    json_is_integer(json_object_get(merged, "series_id")))
		return CRM_OK;
	return link_series(cx, id, id);
}

/* A stored time in ms, -1 for none. */
static int64_t
ms_of(json_t *v)
{
	bool ok;
	int64_t ms = activity_time_of(v, &ok);

	return ok ? ms : -1;
}

static bool
done_now(json_t *cur, json_t *merged)
{
	const char *kind = json_string_value(json_object_get(merged, "kind"));
	const char *now = json_string_value(json_object_get(merged, "status"));
	const char *was = json_string_value(json_object_get(cur, "status"));

	return kind != NULL && strcmp(kind, "task") == 0 && now != NULL &&
	    strcmp(now, "done") == 0 && (was == NULL || strcmp(was, "done") != 0);
}

/* The new task's body: what carries over, the checklist unticked. */
static json_t *
next_task(json_t *merged, int64_t due, int64_t shift)
{
	static const char *const keep[] = { "subject", "body", "priority",
		"owner_id", "company_id", "contact_id", "deal_id", "participants",
		"estimate_min", "recurrence", "tags", "custom", NULL };
	json_t *in = json_pack("{s:s, s:o}", "kind", "task", "due_at",
	    activity_time_json(due)), *list, *item;
	int64_t start = ms_of(json_object_get(merged, "start_at"));
	size_t i;

	for (i = 0; keep[i] != NULL; i++) {
		json_t *v = json_object_get(merged, keep[i]);

		if (v != NULL && !json_is_null(v))
			json_object_set(in, keep[i], v);
	}
	if (start >= 0)
		json_object_set_new(in, "start_at", activity_time_json(start +
		    shift));
	list = json_object_get(merged, "checklist");
	if (json_is_array(list) && json_array_size(list) > 0) {
		json_t *fresh = json_array();

		json_array_foreach(list, i, item)
			json_array_append_new(fresh, json_pack("{s:O, s:b}", "text",
			    json_object_get(item, "text"), "done", 0));
		json_object_set_new(in, "checklist", fresh);
	}
	return in;
}

int
activity_recur_after(struct core_ctx *cx, int64_t id, json_t *cur,
    json_t *merged)
{
	struct recur_rule r;
	json_t *in, *out = NULL;
	int64_t series, first, due, next, newer, n;
	bool found;
	char why[128];
	int rc;

	if (cur == NULL || !done_now(cur, merged) ||
	    !json_is_object(json_object_get(merged, "recurrence")) ||
	    recur_parse(json_object_get(merged, "recurrence"), &r, why,
	    sizeof(why)) != 0)
		return CRM_OK;
	due = ms_of(json_object_get(merged, "due_at"));
	if (due < 0)
		return CRM_OK;
	series = json_is_integer(json_object_get(merged, "series_id")) ?
	    json_integer_value(json_object_get(merged, "series_id")) : id;
	rc = one_int(cx, "SELECT MAX(id) FROM activities WHERE series_id = ? "
	    "AND id > ?", series, id, &newer, &found);
	if (rc != CRM_OK || found)
		return rc;	/* a later occurrence already continues it */
	rc = one_int(cx, "SELECT due_at FROM activities WHERE id = ?", series, 0,
	    &first, &found);
	if (rc != CRM_OK)
		return rc;
	if (!found)
		first = due;	/* the first lost its deadline: go on from here */
	/* The occurrences after the first (marked or, made before 0020, not). */
	rc = one_int(cx, "SELECT COUNT(*) FROM activities WHERE series_id = ? "
	    "AND id <> ?", series, series, &n, &found);
	if (rc != CRM_OK || n + 1 > RECUR_COUNT_MAX ||
	    !recur_next(&r, first, (int)n + 1, &next))
		return rc;
	in = next_task(merged, next, next - due);
	rc = rec_create_txn(cx, &entity_activities, in, &out);
	json_decref(in);
	/* Its errors name the new task's fields (say, an owner one may not give). */
	if (rc == CRM_EINVAL)
		return core_fail(cx, CRM_EINVAL, "The next occurrence of this "
		    "recurring task could not be created");
	if (rc != CRM_OK)
		return rc;
	rc = link_series(cx, json_integer_value(json_object_get(out, "id")),
	    series);
	json_decref(out);
	return rc;
}
