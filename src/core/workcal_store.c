/*
 * Working-hours calendars in the database (see workcal.h): loading one for
 * a computation, finding the one a department or a person works by, and
 * the administrator's editing. A calendar's week is stored as the JSON
 * text of workcal.h, normalised (intervals sorted, as workcal_day_json
 * writes them); holidays are rows of work_holidays. Every write checks the
 * whole calendar with workcal_from_json before anything is written, so a
 * stored calendar always loads.
 */
#include "core/workcal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/audit.h"
#include "util/log.h"
#include "util/timeutil.h"

/* How far up the department tree a walk goes (far more than DEPT_DEPTH_MAX). */
#define WALK_MAX 64

static int
db_fail(struct core_ctx *cx, const char *what)
{
	log_error("database: work calendars %s: %s", what, db_errmsg(cx->db));
	return core_fail(cx, CRM_EDB, "The database failed; nothing was changed");
}

static json_t *
time_json(int64_t ms)
{
	char t[TIME_RFC3339_LEN];

	time_format(ms, t, sizeof(t));
	return json_string(t);
}

static json_t *
opt_int(db_stmt_t *st, int col)
{
	return db_col_null(st, col) ? json_null() : json_integer(db_col_int(st,
	    col));
}

/* ---- reading ---- */

/* The holidays of calendar id as the JSON list of workcal.h, by date. */
static int
holidays_json(struct core_ctx *cx, int64_t id, json_t **out)
{
	db_stmt_t *st;
	json_t *arr = json_array();
	int rc;

	*out = NULL;
	if (db_prepare(cx->db, "SELECT day, name, hours FROM work_holidays "
	    "WHERE calendar_id = ? ORDER BY day", &st) != DB_OK) {
		json_decref(arr);
		return db_fail(cx, "holidays");
	}
	db_bind_int(st, 1, id);
	while ((rc = db_step(st)) == DB_ROW) {
		json_t *hours = db_col_null(st, 2) ? json_null() :
		    json_loads(db_col_text(st, 2, NULL), 0, NULL);

		json_array_append_new(arr, json_pack("{s:s, s:s, s:o}", "date",
		    db_col_text(st, 0, NULL), "name", db_col_text(st, 1, NULL),
		    "hours", hours ? hours : json_null()));
	}
	db_done(st);
	if (rc != DB_DONE) {
		json_decref(arr);
		return db_fail(cx, "holidays step");
	}
	*out = arr;
	return CRM_OK;
}

/* Adds "departments": [ids using it] to each calendar of cals. */
static int
add_departments(struct core_ctx *cx, json_t *cals)
{
	db_stmt_t *st;
	int rc;

	if (db_prepare(cx->db, "SELECT id, calendar_id FROM departments WHERE "
	    "calendar_id IS NOT NULL ORDER BY id", &st) != DB_OK)
		return db_fail(cx, "departments");
	while ((rc = db_step(st)) == DB_ROW) {
		size_t i;
		json_t *c;

		json_array_foreach(cals, i, c)
			if (json_integer_value(json_object_get(c, "id")) ==
			    db_col_int(st, 1))
				json_array_append_new(json_object_get(c,
				    "departments"), json_integer(db_col_int(st, 0)));
	}
	db_done(st);
	return rc == DB_DONE ? CRM_OK : db_fail(cx, "departments step");
}

/*
 * Calendars as JSON: one (id > 0; 0 takes the default) with its holidays,
 * or all (id < 0) as {"data": [...]} without them.
 */
static int
query(struct core_ctx *cx, int64_t id, json_t **out)
{
	db_stmt_t *st;
	json_t *arr = json_array(), *hol = NULL;
	int rc;

	*out = NULL;
	if (db_prepare(cx->db, id > 0 ? "SELECT id, name, tz, week, is_default, "
	    "version, created_at, created_by, updated_at, updated_by FROM "
	    "work_calendars WHERE id = ?" : id == 0 ? "SELECT id, name, tz, "
	    "week, is_default, version, created_at, created_by, updated_at, "
	    "updated_by FROM work_calendars WHERE is_default = 1" : "SELECT id, "
	    "name, tz, week, is_default, version, created_at, created_by, "
	    "updated_at, updated_by FROM work_calendars ORDER BY is_default "
	    "DESC, name, id", &st) != DB_OK) {
		json_decref(arr);
		return db_fail(cx, "list");
	}
	if (id > 0)
		db_bind_int(st, 1, id);
	while ((rc = db_step(st)) == DB_ROW) {
		json_t *week = json_loads(db_col_text(st, 3, NULL), 0, NULL);

		json_array_append_new(arr, json_pack("{s:I, s:s, s:s, s:o, s:b, "
		    "s:I, s:[], s:o, s:o, s:o, s:o}",
		    "id", (json_int_t)db_col_int(st, 0),
		    "name", db_col_text(st, 1, NULL),
		    "tz", db_col_text(st, 2, NULL),
		    "week", week ? week : json_array(),
		    "is_default", (int)db_col_int(st, 4),
		    "version", (json_int_t)db_col_int(st, 5),
		    "departments",
		    "created_at", time_json(db_col_int(st, 6)),
		    "created_by", opt_int(st, 7),
		    "updated_at", time_json(db_col_int(st, 8)),
		    "updated_by", opt_int(st, 9)));
	}
	db_done(st);
	rc = rc == DB_DONE ? add_departments(cx, arr) : db_fail(cx, "list step");
	if (rc == CRM_OK && id >= 0 && json_array_size(arr) == 0)
		rc = core_fail(cx, CRM_ENOTFOUND, "No work calendar with id %lld",
		    (long long)id);
	if (rc == CRM_OK && id >= 0)
		rc = holidays_json(cx, json_integer_value(json_object_get(
		    json_array_get(arr, 0), "id")), &hol);
	if (rc != CRM_OK) {
		json_decref(arr);
		return rc;
	}
	if (id >= 0) {
		*out = json_incref(json_array_get(arr, 0));
		json_object_set_new(*out, "holidays", hol);
	} else {
		*out = json_pack("{s:O}", "data", arr);
	}
	json_decref(arr);
	return CRM_OK;
}

int
workcal_list(struct core_ctx *cx, json_t **out)
{
	return query(cx, -1, out);
}

int
workcal_get(struct core_ctx *cx, int64_t id, json_t **out)
{
	if (id <= 0)
		return core_fail(cx, CRM_ENOTFOUND, "No work calendar with id %lld",
		    (long long)id);
	return query(cx, id, out);
}

int
workcal_load(struct core_ctx *cx, int64_t calendar_id, struct workcal **cal)
{
	struct verrs errs;
	json_t *j = NULL;
	int rc = query(cx, calendar_id > 0 ? calendar_id : 0, &j);

	*cal = NULL;
	if (rc != CRM_OK)
		return rc;
	memset(&errs, 0, sizeof(errs));
	if (workcal_from_json(json_string_value(json_object_get(j, "tz")),
	    json_object_get(j, "week"), json_object_get(j, "holidays"), &errs,
	    cal) != 0) {
		/* Writes are checked whole: this is a damaged row. */
		log_error("work calendar %lld does not load: %s: %s",
		    (long long)json_integer_value(json_object_get(j, "id")),
		    errs.items[0].field, errs.items[0].message);
		json_decref(j);
		return core_fail(cx, CRM_EDB, "The stored work calendar is damaged");
	}
	(*cal)->id = json_integer_value(json_object_get(j, "id"));
	json_decref(j);
	return CRM_OK;
}

int
workcal_resolve_department(struct core_ctx *cx, int64_t dept_id,
    int64_t *calendar_id, int64_t *from_dept)
{
	int64_t cur = dept_id;

	*calendar_id = 0;
	*from_dept = 0;
	for (int step = 0; step < WALK_MAX && cur > 0; step++) {
		db_stmt_t *st;
		int64_t cal = 0, parent = 0;
		int rc;

		if (db_prepare(cx->db, "SELECT calendar_id, parent_id FROM "
		    "departments WHERE id = ?", &st) != DB_OK)
			return db_fail(cx, "walk");
		db_bind_int(st, 1, cur);
		rc = db_step(st);
		if (rc == DB_ROW) {
			cal = db_col_null(st, 0) ? 0 : db_col_int(st, 0);
			parent = db_col_null(st, 1) ? 0 : db_col_int(st, 1);
		}
		db_done(st);
		if (rc == DB_DONE && step == 0)
			return core_fail(cx, CRM_ENOTFOUND, "No department with id "
			    "%lld", (long long)dept_id);
		if (rc != DB_ROW && rc != DB_DONE)
			return db_fail(cx, "walk step");
		if (cal > 0) {
			*calendar_id = cal;
			*from_dept = cur;
			return CRM_OK;
		}
		cur = parent;
	}
	return CRM_OK;
}

int
workcal_for_department(struct core_ctx *cx, int64_t dept_id,
    struct workcal **cal)
{
	int64_t id, from;
	int rc = workcal_resolve_department(cx, dept_id, &id, &from);

	*cal = NULL;
	return rc == CRM_OK ? workcal_load(cx, id, cal) : rc;
}

/* The department of user_id into *dept (0: none). */
static int
user_department(struct core_ctx *cx, int64_t user_id, int64_t *dept)
{
	db_stmt_t *st;
	int rc;

	*dept = 0;
	if (db_prepare(cx->db, "SELECT department_id FROM users WHERE id = ?",
	    &st) != DB_OK)
		return db_fail(cx, "user");
	db_bind_int(st, 1, user_id);
	rc = db_step(st);
	if (rc == DB_ROW && !db_col_null(st, 0))
		*dept = db_col_int(st, 0);
	db_done(st);
	if (rc == DB_DONE)
		return core_fail(cx, CRM_ENOTFOUND, "No user with id %lld",
		    (long long)user_id);
	return rc == DB_ROW ? CRM_OK : db_fail(cx, "user step");
}

int
workcal_for_user(struct core_ctx *cx, int64_t user_id, struct workcal **cal)
{
	int64_t dept;
	int rc = user_department(cx, user_id, &dept);

	*cal = NULL;
	if (rc != CRM_OK)
		return rc;
	return dept > 0 ? workcal_for_department(cx, dept, cal) :
	    workcal_load(cx, 0, cal);
}

int
workcal_effective(struct core_ctx *cx, int64_t dept_id, int64_t user_id,
    json_t **out)
{
	int64_t dept = dept_id, cal = 0, from = 0;
	json_t *c = NULL;
	int rc = CRM_OK;

	*out = NULL;
	if (user_id > 0)
		rc = user_department(cx, user_id, &dept);
	if (rc == CRM_OK && dept > 0)
		rc = workcal_resolve_department(cx, dept, &cal, &from);
	if (rc == CRM_OK)
		rc = query(cx, cal, &c);
	if (rc != CRM_OK)
		return rc;
	*out = json_pack("{s:o, s:o, s:o}", "calendar", c, "department_id",
	    dept > 0 ? json_integer(dept) : json_null(), "set_on_department_id",
	    from > 0 ? json_integer(from) : json_null());
	return CRM_OK;
}

/* ---- writing ---- */

/*
 * The start of a change to calendar id: an administrator, a transaction
 * begun, the calendar as stored in *cur. On failure nothing is open.
 */
static int
begin_change(struct core_ctx *cx, int64_t id, const char *what, json_t **cur)
{
	int rc = core_admin_only(cx, what);

	*cur = NULL;
	if (rc != CRM_OK)
		return rc;
	if (id <= 0)
		return core_fail(cx, CRM_ENOTFOUND, "No work calendar with id %lld",
		    (long long)id);
	if (db_begin(cx->db) != DB_OK)
		return db_fail(cx, "begin");
	rc = query(cx, id, cur);
	return rc == CRM_OK ? rc : core_txn_end(cx, rc, NULL);
}

/*
 * Checks a calendar body: its own keys here, the week, zone and holidays
 * by building the calendar (cur holds what is not given). *cal is the
 * built calendar when all is well.
 */
static void
check_body(struct core_ctx *cx, json_t *in, json_t *cur, struct workcal **cal)
{
	json_t *v, *tz, *week, *hol;
	const char *key;

	*cal = NULL;
	json_object_foreach(in, key, v) {
		if (strcmp(key, "name") == 0) {
			if (!core_text_ok(v, WORKCAL_NAME_MAX))
				verrs_add(&cx->errs, key, "must be 1 to %d characters",
				    WORKCAL_NAME_MAX);
		} else if (strcmp(key, "tz") == 0) {
			if (!json_is_string(v) || json_string_length(v) == 0)
				verrs_add(&cx->errs, key, "must be a time zone name such "
				    "as Europe/Berlin");
		} else if (strcmp(key, "week") != 0 && strcmp(key, "holidays") != 0) {
			verrs_add(&cx->errs, key, "is not a field of a work calendar");
		}
	}
	if (cur == NULL && json_object_get(in, "name") == NULL)
		verrs_add(&cx->errs, "name", "is required");
	if (cur == NULL && json_object_get(in, "week") == NULL)
		verrs_add(&cx->errs, "week", "is required: seven lists of intervals, "
		    "Monday to Sunday");
	tz = json_object_get(in, "tz");
	if (tz == NULL)
		tz = json_object_get(cur, "tz");
	week = json_object_get(in, "week");
	if (week == NULL)
		week = json_object_get(cur, "week");
	hol = json_object_get(in, "holidays");
	if (hol == NULL)
		hol = json_object_get(cur, "holidays");
	if (tz != NULL && !json_is_string(tz))
		return;
	if (week == NULL)
		return;
	workcal_from_json(tz ? json_string_value(tz) : NULL, week, hol,
	    &cx->errs, cal);
}

/* The normalised week of cal as JSON text (caller frees). */
static char *
week_text(const struct workcal *cal)
{
	json_t *w = json_array();
	char *s;

	for (int i = 0; i < 7; i++)
		json_array_append_new(w, workcal_day_json(&cal->week[i]));
	s = json_dumps(w, JSON_COMPACT);
	json_decref(w);
	return s;
}

static int
exec_id(struct core_ctx *cx, const char *sql, int64_t id, const char *what)
{
	db_stmt_t *st;
	int rc;

	if (db_prepare(cx->db, sql, &st) != DB_OK)
		return db_fail(cx, what);
	db_bind_int(st, 1, id);
	rc = db_step(st);
	db_done(st);
	return rc == DB_DONE ? CRM_OK : db_fail(cx, what);
}

/* Replaces the holidays of calendar id with hs (checked) as cal holds them. */
static int
write_holidays(struct core_ctx *cx, int64_t id, json_t *hs,
    const struct workcal *cal)
{
	size_t i;
	json_t *h;
	int rc = exec_id(cx, "DELETE FROM work_holidays WHERE calendar_id = ?",
	    id, "holidays clear");

	json_array_foreach(hs, i, h) {
		json_t *name = json_object_get(h, "name");
		json_t *date = json_object_get(h, "date");
		json_t *hours = json_object_get(h, "hours");
		struct workcal_day d;
		db_stmt_t *st;
		char *text = NULL;

		if (rc != CRM_OK)
			return rc;
		/* Normalised like the week: sorted; [] is closed (NULL). */
		if (json_array_size(hours) > 0) {
			json_t *norm;
			int64_t day;

			time_parse_date(json_string_value(date),
			    json_string_length(date), &day);
			memset(&d, 0, sizeof(d));
			for (size_t k = 0; k < cal->nholidays; k++)
				if (cal->holidays[k].day == day)
					d = cal->holidays[k].hours;
			norm = workcal_day_json(&d);
			text = json_dumps(norm, JSON_COMPACT);
			json_decref(norm);
		}
		if (db_prepare(cx->db, "INSERT INTO work_holidays (calendar_id, "
		    "day, name, hours) VALUES (?, ?, ?, ?)", &st) != DB_OK) {
			free(text);
			return db_fail(cx, "holiday");
		}
		db_bind_int(st, 1, id);
		db_bind_text(st, 2, json_string_value(date), json_string_length(date));
		db_bind_text(st, 3, json_string_value(name), json_string_length(name));
		if (text != NULL)
			db_bind_text(st, 4, text, strlen(text));
		else
			db_bind_null(st, 4);
		rc = db_step(st) == DB_DONE ? CRM_OK : db_fail(cx, "holiday step");
		db_done(st);
		free(text);
	}
	return rc;
}

int
workcal_create(struct core_ctx *cx, json_t *in, json_t **out)
{
	struct workcal *cal = NULL;
	json_t *tz = json_object_get(in, "tz");
	int64_t now = time_now_ms(), id = 0;
	db_stmt_t *st;
	char *week = NULL;
	int rc = core_admin_only(cx, "define work calendars");

	*out = NULL;
	if (rc != CRM_OK)
		return rc;
	check_body(cx, in, NULL, &cal);
	if (cx->errs.n > 0 || cx->errs.dropped > 0) {
		workcal_free(cal);
		return core_invalid(cx);
	}
	week = week_text(cal);
	if (db_begin(cx->db) != DB_OK) {
		rc = db_fail(cx, "begin");
		goto out;
	}
	if (db_prepare(cx->db, "INSERT INTO work_calendars (name, tz, week, "
	    "created_at, created_by, updated_at, updated_by) VALUES (?, ?, ?, ?, "
	    "?, ?, ?) RETURNING id", &st) != DB_OK) {
		rc = core_txn_end(cx, db_fail(cx, "create"), NULL);
		goto out;
	}
	db_bind_text(st, 1, json_string_value(json_object_get(in, "name")),
	    json_string_length(json_object_get(in, "name")));
	db_bind_text(st, 2, tz ? json_string_value(tz) : "UTC",
	    tz ? json_string_length(tz) : 3);
	db_bind_text(st, 3, week, strlen(week));
	db_bind_int(st, 4, now);
	core_bind_actor(cx, st, 5);
	db_bind_int(st, 6, now);
	core_bind_actor(cx, st, 7);
	rc = db_step(st);
	if (rc == DB_ROW)
		id = db_col_int(st, 0);
	db_done(st);
	rc = rc == DB_ROW ? CRM_OK : rc == DB_ECONSTRAINT ?
	    core_fail(cx, CRM_EEXISTS, "A work calendar with this name exists") :
	    db_fail(cx, "create step");
	if (rc == CRM_OK && json_object_get(in, "holidays") != NULL)
		rc = write_holidays(cx, id, json_object_get(in, "holidays"), cal);
	if (rc == CRM_OK)
		rc = audit_append(cx, "setting.workcal_created", "work_calendars",
		    id, in);
	if (rc == CRM_OK)
		rc = query(cx, id, out);
	rc = core_txn_end(cx, rc, out);
out:
	free(week);
	workcal_free(cal);
	return rc;
}

int
workcal_update(struct core_ctx *cx, int64_t id, int64_t version, json_t *in,
    json_t **out)
{
	struct workcal *cal = NULL;
	json_t *cur = NULL, *name, *tz;
	db_stmt_t *st;
	char *week = NULL;
	int rc = begin_change(cx, id, "change work calendars", &cur);

	*out = NULL;
	if (rc != CRM_OK)
		return rc;
	if (version == -2)
		rc = core_fail(cx, CRM_ECONFLICT, "If-Match must be the ETag of the "
		    "calendar, such as \"3\"");
	if (rc == CRM_OK && version >= 0 && version !=
	    json_integer_value(json_object_get(cur, "version")))
		rc = core_fail(cx, CRM_ECONFLICT, "The calendar was changed by "
		    "someone else (now version %lld); reload it and try again",
		    (long long)json_integer_value(json_object_get(cur, "version")));
	if (rc == CRM_OK) {
		check_body(cx, in, cur, &cal);
		if (cx->errs.n > 0 || cx->errs.dropped > 0)
			rc = core_invalid(cx);
	}
	if (rc == CRM_OK && db_prepare(cx->db, "UPDATE work_calendars SET name = "
	    "?, tz = ?, week = ?, version = version + 1, updated_at = ?, "
	    "updated_by = ? WHERE id = ?", &st) != DB_OK)
		rc = db_fail(cx, "update");
	if (rc == CRM_OK) {
		name = json_object_get(in, "name");
		if (name == NULL)
			name = json_object_get(cur, "name");
		tz = json_object_get(in, "tz");
		if (tz == NULL)
			tz = json_object_get(cur, "tz");
		week = week_text(cal);
		db_bind_text(st, 1, json_string_value(name), json_string_length(name));
		db_bind_text(st, 2, json_string_value(tz), json_string_length(tz));
		db_bind_text(st, 3, week, strlen(week));
		db_bind_int(st, 4, time_now_ms());
		core_bind_actor(cx, st, 5);
		db_bind_int(st, 6, id);
		rc = db_step(st);
		db_done(st);
		rc = rc == DB_DONE ? CRM_OK : rc == DB_ECONSTRAINT ?
		    core_fail(cx, CRM_EEXISTS, "A work calendar with this name "
		    "exists") : db_fail(cx, "update step");
	}
	if (rc == CRM_OK && json_object_get(in, "holidays") != NULL)
		rc = write_holidays(cx, id, json_object_get(in, "holidays"), cal);
	if (rc == CRM_OK)
		rc = audit_append(cx, "setting.workcal_changed", "work_calendars",
		    id, in);
	if (rc == CRM_OK)
		rc = query(cx, id, out);
	rc = core_txn_end(cx, rc, out);
	free(week);
	workcal_free(cal);
	json_decref(cur);
	return rc;
}

/* The names of the departments using calendar id, "A, B" (up to 5). */
static int
users_of(struct core_ctx *cx, int64_t id, char *names, size_t len, int *n)
{
	db_stmt_t *st;
	size_t used = 0;
	int rc;

	*n = 0;
	names[0] = '\0';
	if (db_prepare(cx->db, "SELECT name FROM departments WHERE calendar_id = "
	    "? ORDER BY name, id", &st) != DB_OK)
		return db_fail(cx, "in use");
	db_bind_int(st, 1, id);
	while ((rc = db_step(st)) == DB_ROW) {
		int w;

		if (*n < 5 && used < len) {
			w = snprintf(names + used, len - used, "%s%s", *n ? ", " : "",
			    db_col_text(st, 0, NULL));
			/* A cut name still reads; the count says the rest. */
			used = w < 0 || (size_t)w >= len - used ? len : used + (size_t)w;
		}
		(*n)++;
	}
	db_done(st);
	return rc == DB_DONE ? CRM_OK : db_fail(cx, "in use step");
}

int
workcal_delete(struct core_ctx *cx, int64_t id)
{
	json_t *cur = NULL;
	char names[160];
	int n = 0;
	int rc = begin_change(cx, id, "delete work calendars", &cur);

	if (rc != CRM_OK)
		return rc;
	if (json_is_true(json_object_get(cur, "is_default")))
		rc = core_fail(cx, CRM_EINUSE, "'%s' is the default calendar, which "
		    "departments without one of their own use; it cannot be "
		    "deleted", json_string_value(json_object_get(cur, "name")));
	if (rc == CRM_OK)
		rc = users_of(cx, id, names, sizeof(names), &n);
	if (rc == CRM_OK && n > 0)
		rc = core_fail(cx, CRM_EINUSE, "In use by %d department%s (%s%s): "
		    "give %s another calendar first", n, n == 1 ? "" : "s", names,
		    n > 5 ? ", ..." : "", n == 1 ? "it" : "them");
	if (rc == CRM_OK)
		rc = exec_id(cx, "DELETE FROM work_holidays WHERE calendar_id = ?",
		    id, "delete holidays");
	if (rc == CRM_OK)
		rc = exec_id(cx, "DELETE FROM work_calendars WHERE id = ?", id,
		    "delete");
	if (rc == CRM_OK)
		rc = audit_append(cx, "setting.workcal_deleted", "work_calendars",
		    id, NULL);
	json_decref(cur);
	return core_txn_end(cx, rc, NULL);
}
