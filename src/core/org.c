/*
 * Departments and roles (see org.h). Both are small tables read often and
 * changed rarely; every change runs in one transaction and is checked in
 * full before anything is written.
 */
#include "core/org.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/access.h"
#include "core/audit.h"
#include "core/record.h"
#include "util/log.h"
#include "util/timeutil.h"

static const char *const kinds[] = { "company", "branch", "department", "team" };

static int
db_fail(struct core_ctx *cx, const char *what)
{
	log_error("database: org %s: %s", what, db_errmsg(cx->db));
	return core_fail(cx, CRM_EDB, "The database failed; nothing was changed");
}

/* Runs sql with integer parameters (n of them); DB_DONE expected. */
static int
exec_ints(struct core_ctx *cx, const char *sql, const int64_t *v, int n)
{
	db_stmt_t *st;
	int rc;

	if (db_prepare(cx->db, sql, &st) != DB_OK)
		return db_fail(cx, "exec");
	for (int i = 0; i < n; i++)
		db_bind_int(st, i + 1, v[i]);
	rc = db_step(st);
	db_done(st);
	return rc == DB_DONE ? CRM_OK : db_fail(cx, "exec step");
}

/* The first column of the first row as an integer; *found says if any. */
static int
query_int(struct core_ctx *cx, const char *sql, const int64_t *v, int n,
    int64_t *out, bool *found)
{
	db_stmt_t *st;
	int rc;

	if (db_prepare(cx->db, sql, &st) != DB_OK)
		return db_fail(cx, "query");
	for (int i = 0; i < n; i++)
		db_bind_int(st, i + 1, v[i]);
	rc = db_step(st);
	*found = rc == DB_ROW;
	if (rc == DB_ROW)
		*out = db_col_null(st, 0) ? 0 : db_col_int(st, 0);
	db_done(st);
	return rc == DB_ROW || rc == DB_DONE ? CRM_OK : db_fail(cx, "query step");
}

static bool
check_name(struct core_ctx *cx, json_t *v, size_t max)
{
	if (!core_text_ok(v, max)) {
		verrs_add(&cx->errs, "name", "must be 1 to %zu characters of text",
		    max);
		return false;
	}
	return true;
}

/* ---- departments ---- */

static json_t *
dept_row(db_stmt_t *st)
{
	return json_pack("{s:I, s:s, s:s, s:o, s:[], s:I, s:o}",
	    "id", (json_int_t)db_col_int(st, 0),
	    "name", db_col_text(st, 1, NULL),
	    "kind", db_col_text(st, 2, NULL),
	    "parent_id", db_col_null(st, 3) ? json_null() :
	    json_integer(db_col_int(st, 3)),
	    "heads",
	    "members", (json_int_t)db_col_int(st, 4),
	    "calendar_id", db_col_null(st, 5) ? json_null() :
	    json_integer(db_col_int(st, 5)));
}

static int
add_heads(struct core_ctx *cx, json_t *depts)
{
	db_stmt_t *st;
	int rc;

	if (db_prepare(cx->db, "SELECT department_id, user_id FROM "
	    "department_heads ORDER BY department_id, user_id", &st) != DB_OK)
		return db_fail(cx, "heads");
	while ((rc = db_step(st)) == DB_ROW) {
		size_t i;
		json_t *d;

		json_array_foreach(depts, i, d)
			if (json_integer_value(json_object_get(d, "id")) ==
			    db_col_int(st, 0))
				json_array_append_new(json_object_get(d, "heads"),
				    json_integer(db_col_int(st, 1)));
	}
	db_done(st);
	return rc == DB_DONE ? CRM_OK : db_fail(cx, "heads step");
}

static int
dept_query(struct core_ctx *cx, int64_t id, json_t **out)
{
	db_stmt_t *st;
	json_t *arr = json_array();
	int rc;

	if (db_prepare(cx->db, id > 0 ?
	    "SELECT d.id, d.name, d.kind, d.parent_id, (SELECT COUNT(*) FROM users "
	    "u WHERE u.department_id = d.id AND u.active = 1), d.calendar_id "
	    "FROM departments d WHERE d.id = ?" :
	    "SELECT d.id, d.name, d.kind, d.parent_id, (SELECT COUNT(*) FROM users "
	    "u WHERE u.department_id = d.id AND u.active = 1), d.calendar_id "
	    "FROM departments d ORDER BY d.name, d.id", &st) != DB_OK) {
		json_decref(arr);
		return db_fail(cx, "departments");
	}
	if (id > 0)
		db_bind_int(st, 1, id);
	while ((rc = db_step(st)) == DB_ROW)
		json_array_append_new(arr, dept_row(st));
	db_done(st);
	if (rc != DB_DONE) {
		json_decref(arr);
		return db_fail(cx, "departments step");
	}
	rc = add_heads(cx, arr);
	if (rc != CRM_OK) {
		json_decref(arr);
		return rc;
	}
	if (id > 0) {
		if (json_array_size(arr) == 0) {
			json_decref(arr);
			return core_fail(cx, CRM_ENOTFOUND, "No department with id "
			    "%lld", (long long)id);
		}
		*out = json_incref(json_array_get(arr, 0));
		json_decref(arr);
		return CRM_OK;
	}
	*out = json_pack("{s:o}", "data", arr);
	return CRM_OK;
}

int
dept_list(struct core_ctx *cx, json_t **out)
{
	return dept_query(cx, 0, out);
}

/* Whether candidate lies in the subtree of id (or is id itself). */
static int
in_subtree(struct core_ctx *cx, int64_t id, int64_t candidate, bool *yes)
{
	int64_t v[2] = { id, candidate }, one;

	return query_int(cx, "WITH RECURSIVE sub(id) AS (SELECT CAST(? AS BIGINT) UNION SELECT "
	    "d.id FROM departments d JOIN sub ON d.parent_id = sub.id) "
	    "SELECT 1 FROM sub WHERE id = ?", v, 2, &one, yes);
}

/* Checks the writable keys of a department body; errors go to cx->errs. */
static int
dept_check(struct core_ctx *cx, int64_t id, json_t *in, bool create)
{
	const char *key;
	json_t *v;
	int rc = CRM_OK;

	if (create && json_object_get(in, "name") == NULL)
		verrs_add(&cx->errs, "name", "is required");
	json_object_foreach(in, key, v) {
		if (strcmp(key, "name") == 0) {
			check_name(cx, v, DEPT_NAME_MAX);
		} else if (strcmp(key, "kind") == 0) {
			bool ok = false;

			for (size_t i = 0; i < sizeof(kinds) / sizeof(*kinds); i++)
				ok |= json_is_string(v) &&
				    strcmp(json_string_value(v), kinds[i]) == 0;
			if (!ok)
				verrs_add(&cx->errs, key, "must be company, branch, "
				    "department or team");
		} else if (strcmp(key, "parent_id") == 0) {
			int64_t pid = json_integer_value(v), x;
			bool found = false, loop = false;

			if (json_is_null(v))
				continue;
			if (!json_is_integer(v) || pid <= 0) {
				verrs_add(&cx->errs, key, "must be a department id or null");
				continue;
			}
			rc = query_int(cx, "SELECT id FROM departments WHERE id = ?",
			    &pid, 1, &x, &found);
			if (rc == CRM_OK && !found)
				verrs_add(&cx->errs, key, "no department with id %lld",
				    (long long)pid);
			if (rc == CRM_OK && found && id > 0)
				rc = in_subtree(cx, id, pid, &loop);
			if (rc == CRM_OK && loop)
				verrs_add(&cx->errs, key, "cannot be the department "
				    "itself or one inside it");
		} else if (strcmp(key, "calendar_id") == 0) {
			int64_t cid = json_integer_value(v), x;
			bool found = false;

			/* null: the parent's calendar (core/workcal.h). */
			if (json_is_null(v))
				continue;
			if (!json_is_integer(v) || cid <= 0) {
				verrs_add(&cx->errs, key, "must be a work calendar id or "
				    "null (the parent's)");
				continue;
			}
			rc = query_int(cx, "SELECT id FROM work_calendars WHERE id = ?",
			    &cid, 1, &x, &found);
			if (rc == CRM_OK && !found)
				verrs_add(&cx->errs, key, "no work calendar with id %lld",
				    (long long)cid);
		} else if (strcmp(key, "heads") == 0 && !create) {
			size_t i;
			json_t *h;

			if (!json_is_array(v) || json_array_size(v) > 50) {
				verrs_add(&cx->errs, key, "must be a list of up to 50 "
				    "user ids");
				continue;
			}
			json_array_foreach(v, i, h) {
				int64_t uid = json_integer_value(h), x;
				bool found = false;

				if (!json_is_integer(h) || uid <= 0) {
					verrs_add(&cx->errs, key, "must be user ids");
					break;
				}
				rc = query_int(cx, "SELECT id FROM users WHERE id = ? "
				    "AND active = 1", &uid, 1, &x, &found);
				if (rc != CRM_OK)
					break;
				if (!found)
					verrs_add(&cx->errs, key, "no active user with id "
					    "%lld", (long long)uid);
			}
		} else {
			verrs_add(&cx->errs, key, "is not a field of a department");
		}
		if (rc != CRM_OK)
			return rc;
	}
	return CRM_OK;
}

static int
set_heads(struct core_ctx *cx, int64_t id, json_t *heads)
{
	size_t i;
	json_t *h;
	int rc = exec_ints(cx, "DELETE FROM department_heads WHERE "
	    "department_id = ?", &id, 1);

	json_array_foreach(heads, i, h) {
		int64_t v[2] = { id, json_integer_value(h) };
		int64_t x;
		bool dup = false;

		if (rc != CRM_OK)
			break;
		rc = query_int(cx, "SELECT 1 FROM department_heads WHERE "
		    "department_id = ? AND user_id = ?", v, 2, &x, &dup);
		if (rc == CRM_OK && !dup)
			rc = exec_ints(cx, "INSERT INTO department_heads "
			    "(department_id, user_id) VALUES (?, ?)", v, 2);
	}
	return rc;
}

static void
bind_opt_text(db_stmt_t *st, int idx, json_t *v, const char *dflt)
{
	const char *s = json_is_string(v) ? json_string_value(v) : dflt;

	db_bind_text(st, idx, s, strlen(s));
}

/* An id, or NULL for null or absent. */
static void
bind_opt_id(db_stmt_t *st, int idx, json_t *v)
{
	if (json_is_integer(v))
		db_bind_int(st, idx, json_integer_value(v));
	else
		db_bind_null(st, idx);
}

int
dept_create(struct core_ctx *cx, json_t *in, json_t **out)
{
	json_t *parent = json_object_get(in, "parent_id");
	db_stmt_t *st;
	int64_t id = 0, now = time_now_ms();
	int rc = core_admin_only(cx, "change departments and roles");

	*out = NULL;
	if (rc != CRM_OK)
		return rc;
	if (db_begin(cx->db) != DB_OK)
		return db_fail(cx, "begin");
	rc = dept_check(cx, 0, in, true);
	if (rc == CRM_OK && (cx->errs.n > 0 || cx->errs.dropped > 0))
		rc = core_invalid(cx);
	if (rc == CRM_OK && db_prepare(cx->db, "INSERT INTO departments (name, "
	    "kind, parent_id, created_at, updated_at, calendar_id) VALUES (?, ?, "
	    "?, ?, ?, ?) RETURNING id", &st) != DB_OK)
		rc = db_fail(cx, "create");
	if (rc == CRM_OK) {
		bind_opt_text(st, 1, json_object_get(in, "name"), "");
		bind_opt_text(st, 2, json_object_get(in, "kind"), "department");
		bind_opt_id(st, 3, parent);
		db_bind_int(st, 4, now);
		db_bind_int(st, 5, now);
		bind_opt_id(st, 6, json_object_get(in, "calendar_id"));
		if (db_step(st) == DB_ROW)
			id = db_col_int(st, 0);
		else
			rc = db_fail(cx, "create step");
		db_done(st);
	}
	if (rc == CRM_OK)
		rc = audit_append(cx, "department.create", "departments", id, in);
	if (rc == CRM_OK)
		rc = dept_query(cx, id, out);
	rc = core_txn_end(cx, rc, out);
	return rc;
}

int
dept_update(struct core_ctx *cx, int64_t id, json_t *in, json_t **out)
{
	json_t *cur = NULL, *v;
	db_stmt_t *st;
	int rc = core_admin_only(cx, "change departments and roles");

	*out = NULL;
	if (rc != CRM_OK)
		return rc;
	if (db_begin(cx->db) != DB_OK)
		return db_fail(cx, "begin");
	rc = dept_query(cx, id, &cur);
	if (rc == CRM_OK)
		rc = dept_check(cx, id, in, false);
	if (rc == CRM_OK && (cx->errs.n > 0 || cx->errs.dropped > 0))
		rc = core_invalid(cx);
	if (rc == CRM_OK && db_prepare(cx->db, "UPDATE departments SET name = ?, "
	    "kind = ?, parent_id = ?, updated_at = ?, calendar_id = ? WHERE id = ?",
	    &st) != DB_OK)
		rc = db_fail(cx, "update");
	if (rc == CRM_OK) {
		v = json_object_get(in, "name");
		bind_opt_text(st, 1, v ? v : json_object_get(cur, "name"), "");
		v = json_object_get(in, "kind");
		bind_opt_text(st, 2, v ? v : json_object_get(cur, "kind"), "department");
		v = json_object_get(in, "parent_id");
		if (v == NULL)
			v = json_object_get(cur, "parent_id");
		bind_opt_id(st, 3, v);
		db_bind_int(st, 4, time_now_ms());
		v = json_object_get(in, "calendar_id");
		bind_opt_id(st, 5, v ? v : json_object_get(cur, "calendar_id"));
		db_bind_int(st, 6, id);
		if (db_step(st) != DB_DONE)
			rc = db_fail(cx, "update step");
		db_done(st);
	}
	if (rc == CRM_OK && json_object_get(in, "heads") != NULL)
		rc = set_heads(cx, id, json_object_get(in, "heads"));
	if (rc == CRM_OK)
		rc = audit_append(cx, "department.update", "departments", id, in);
	if (rc == CRM_OK)
		rc = dept_query(cx, id, out);
	rc = core_txn_end(cx, rc, out);
	json_decref(cur);
	return rc;
}

int
dept_delete(struct core_ctx *cx, int64_t id)
{
	int64_t n = 0, v[2] = { id, id };
	bool found = false;
	json_t *cur = NULL;
	int rc = core_admin_only(cx, "change departments and roles");

	if (rc != CRM_OK)
		return rc;
	if (db_begin(cx->db) != DB_OK)
		return db_fail(cx, "begin");
	rc = dept_query(cx, id, &cur);
	if (rc == CRM_OK)
		rc = query_int(cx, "SELECT (SELECT COUNT(*) FROM users WHERE "
		    "department_id = ?) + (SELECT COUNT(*) FROM departments WHERE "
		    "parent_id = ?)", v, 2, &n, &found);
	if (rc == CRM_OK && n > 0)
		rc = core_fail(cx, CRM_EINUSE, "The department still has users "
		    "or sub-departments; move them first");
	if (rc == CRM_OK && json_is_null(json_object_get(cur, "parent_id"))) {
		rc = query_int(cx, "SELECT COUNT(*) FROM departments WHERE "
		    "parent_id IS NULL", NULL, 0, &n, &found);
		if (rc == CRM_OK && n <= 1)
			rc = core_fail(cx, CRM_EINUSE, "The top department "
			    "cannot be deleted");
	}
	if (rc == CRM_OK)
		rc = exec_ints(cx, "DELETE FROM department_heads WHERE "
		    "department_id = ?", v, 1);
	if (rc == CRM_OK)
		rc = exec_ints(cx, "DELETE FROM record_shares WHERE "
		    "department_id = ?", v, 1);
	if (rc == CRM_OK)
		rc = exec_ints(cx, "DELETE FROM departments WHERE id = ?", v, 1);
	if (rc == CRM_OK)
		rc = audit_append(cx, "department.delete", "departments", id, NULL);
	rc = core_txn_end(cx, rc, NULL);
	json_decref(cur);
	return rc;
}

/* ---- roles ---- */

static json_t *
json_col(db_stmt_t *st, int col)
{
	size_t len;
	const char *s = db_col_text(st, col, &len);
	json_t *v = json_loadb(s, len, 0, NULL);

	return v ? v : json_object();
}

/* The role's rights spelled out for every entity ("*" resolved). */
static json_t *
expand_perms(json_t *perms)
{
	json_t *out = json_object();

	for (size_t i = 0; i < entity_count(); i++) {
		const char *name = entity_at(i)->name;
		json_t *p = json_object_get(perms, name), *row = json_object();

		if (!json_is_object(p))
			p = json_object_get(perms, "*");
		for (int a = 0; acc_action_name(a) != NULL; a++) {
			json_t *s = json_object_get(p, acc_action_name(a));

			json_object_set_new(row, acc_action_name(a), json_string(
			    json_is_string(s) && acc_scope_parse(json_string_value(s)) >= 0 ?
			    json_string_value(s) : "none"));
		}
		json_object_set_new(out, name, row);
	}
	return out;
}

static json_t *
role_row(db_stmt_t *st)
{
	json_t *perms = json_col(st, 5);
	json_t *r = json_pack("{s:I, s:s, s:o, s:b, s:b, s:o, s:o, s:I}",
	    "id", (json_int_t)db_col_int(st, 0),
	    "name", db_col_text(st, 1, NULL),
	    "builtin", db_col_null(st, 2) ? json_null() :
	    json_string(db_col_text(st, 2, NULL)),
	    "is_admin", (int)db_col_int(st, 3),
	    "require_2fa", (int)db_col_int(st, 4),
	    "perms", expand_perms(perms),
	    "fields", json_col(st, 6),
	    "users", (json_int_t)db_col_int(st, 7));

	json_decref(perms);
	return r;
}

#define ROLE_COLS "SELECT r.id, r.name, r.builtin, r.is_admin, r.require_2fa, " \
	"r.perms, r.fields, (SELECT COUNT(*) FROM users u WHERE u.role_id = " \
	"r.id AND u.active = 1) FROM roles r "

static int
role_query(struct core_ctx *cx, int64_t id, json_t **out)
{
	db_stmt_t *st;
	json_t *arr = json_array(), *meta;
	int rc;

	if (db_prepare(cx->db, id > 0 ? ROLE_COLS "WHERE r.id = ?" :
	    ROLE_COLS "ORDER BY r.id", &st) != DB_OK) {
		json_decref(arr);
		return db_fail(cx, "roles");
	}
	if (id > 0)
		db_bind_int(st, 1, id);
	while ((rc = db_step(st)) == DB_ROW)
		json_array_append_new(arr, role_row(st));
	db_done(st);
	if (rc != DB_DONE) {
		json_decref(arr);
		return db_fail(cx, "roles step");
	}
	if (id > 0) {
		if (json_array_size(arr) == 0) {
			json_decref(arr);
			return core_fail(cx, CRM_ENOTFOUND, "No role with id %lld",
			    (long long)id);
		}
		*out = json_incref(json_array_get(arr, 0));
		json_decref(arr);
		return CRM_OK;
	}
	meta = json_pack("{s:o, s:[], s:[], s:[]}", "data", arr, "entities",
	    "actions", "scopes");
	for (size_t i = 0; i < entity_count(); i++)
		json_array_append_new(json_object_get(meta, "entities"),
		    json_string(entity_at(i)->name));
	for (int a = 0; acc_action_name(a) != NULL; a++)
		json_array_append_new(json_object_get(meta, "actions"),
		    json_string(acc_action_name(a)));
	for (int s = SCOPE_NONE; s <= SCOPE_ALL; s++)
		json_array_append_new(json_object_get(meta, "scopes"),
		    json_string(acc_scope_name(s)));
	*out = meta;
	return CRM_OK;
}

int
role_list(struct core_ctx *cx, json_t **out)
{
	int rc = core_admin_only(cx, "change departments and roles");

	return rc != CRM_OK ? rc : role_query(cx, 0, out);
}

int
role_get(struct core_ctx *cx, int64_t id, json_t **out)
{
	int rc = core_admin_only(cx, "change departments and roles");

	return rc != CRM_OK ? rc : role_query(cx, id, out);
}

/* perms: {entity|"*": {action: scope}}, every name known. */
static void
check_perms(struct core_ctx *cx, json_t *v)
{
	const char *ent, *act;
	json_t *row, *sc;
	char field[96];

	if (!json_is_object(v)) {
		verrs_add(&cx->errs, "perms", "must be an object of entities");
		return;
	}
	json_object_foreach(v, ent, row) {
		snprintf(field, sizeof(field), "perms.%.60s", ent);
		if (strcmp(ent, "*") != 0 && entity_find(ent) == NULL) {
			verrs_add(&cx->errs, field, "is not an entity");
			continue;
		}
		if (!json_is_object(row)) {
			verrs_add(&cx->errs, field, "must be an object of actions");
			continue;
		}
		json_object_foreach(row, act, sc) {
			snprintf(field, sizeof(field), "perms.%.40s.%.40s", ent, act);
			if (acc_action_parse(act) < 0)
				verrs_add(&cx->errs, field, "is not an action");
			else if (!json_is_string(sc) ||
			    acc_scope_parse(json_string_value(sc)) < 0)
				verrs_add(&cx->errs, field, "must be none, own, dept, "
				    "subtree or all");
		}
	}
}

/* fields: {entity: {field: "hidden"|"readonly"|"visible"}} */
static void
check_fields(struct core_ctx *cx, json_t *v)
{
	const char *ent, *f;
	json_t *row, *rule;
	char field[96];

	if (!json_is_object(v)) {
		verrs_add(&cx->errs, "fields", "must be an object of entities");
		return;
	}
	json_object_foreach(v, ent, row) {
		const struct entity *e = entity_find(ent);

		snprintf(field, sizeof(field), "fields.%.60s", ent);
		if (e == NULL || !json_is_object(row)) {
			verrs_add(&cx->errs, field, "must name an entity and map its "
			    "fields to rules");
			continue;
		}
		if (json_object_size(row) > RIGHTS_RULES / 2) {
			verrs_add(&cx->errs, field, "has too many rules");
			continue;
		}
		json_object_foreach(row, f, rule) {
			const char *r = json_string_value(rule);
			bool known = strncmp(f, "custom.", 7) == 0 && strlen(f) > 7 &&
			    strlen(f) < 64;

			for (size_t i = 0; i < e->nfields && !known; i++)
				known = strcmp(e->fields[i].name, f) == 0;
			known |= strcmp(f, "tags") == 0;
			snprintf(field, sizeof(field), "fields.%.40s.%.40s", ent, f);
			if (!known)
				verrs_add(&cx->errs, field, "is not a field of %s", ent);
			else if (r == NULL || (strcmp(r, "hidden") != 0 &&
			    strcmp(r, "readonly") != 0 && strcmp(r, "visible") != 0))
				verrs_add(&cx->errs, field, "must be hidden, readonly or "
				    "visible");
		}
	}
}

static void
role_check(struct core_ctx *cx, json_t *in, bool create)
{
	const char *key;
	json_t *v;

	if (create && json_object_get(in, "name") == NULL)
		verrs_add(&cx->errs, "name", "is required");
	json_object_foreach(in, key, v) {
		if (strcmp(key, "name") == 0)
			check_name(cx, v, ROLE_NAME_MAX);
		else if (strcmp(key, "perms") == 0)
			check_perms(cx, v);
		else if (strcmp(key, "fields") == 0)
			check_fields(cx, v);
		else if (strcmp(key, "require_2fa") == 0) {
			if (!json_is_boolean(v))
				verrs_add(&cx->errs, key, "must be true or false");
		} else
			verrs_add(&cx->errs, key, "is not a field of a role");
	}
}

/* Binds v as JSON text; absent is the empty object. */
static void
bind_json(db_stmt_t *st, int idx, json_t *v)
{
	char *s = v != NULL ? json_dumps(v, JSON_COMPACT) : NULL;

	db_bind_text(st, idx, s ? s : "{}", s ? strlen(s) : 2);
	free(s);
}

/* Writes a role (id 0: a new one) from the merged body m. */
static int
role_write(struct core_ctx *cx, int64_t id, json_t *m, int64_t *out_id)
{
	db_stmt_t *st;
	int64_t now = time_now_ms();
	int rc;

	if (db_prepare(cx->db, id == 0 ?
	    "INSERT INTO roles (name, perms, fields, require_2fa, updated_at, "
	    "created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id" :
	    "UPDATE roles SET name = ?, perms = ?, fields = ?, require_2fa = ?, "
	    "updated_at = ? WHERE id = ?", &st) != DB_OK)
		return db_fail(cx, "role write");
	bind_opt_text(st, 1, json_object_get(m, "name"), "");
	bind_json(st, 2, json_object_get(m, "perms"));
	bind_json(st, 3, json_object_get(m, "fields"));
	db_bind_int(st, 4, json_is_true(json_object_get(m, "require_2fa")));
	db_bind_int(st, 5, now);
	db_bind_int(st, 6, id == 0 ? now : id);
	rc = db_step(st);
	if (id == 0 && rc == DB_ROW)
		*out_id = db_col_int(st, 0);
	else
		*out_id = id;
	db_done(st);
	if (rc == DB_ECONSTRAINT)
		return core_fail(cx, CRM_EEXISTS, "A role with this name exists");
	if (rc != (id == 0 ? DB_ROW : DB_DONE))
		return db_fail(cx, "role write step");
	return CRM_OK;
}

int
role_create(struct core_ctx *cx, json_t *in, json_t **out)
{
	int64_t id = 0;
	int rc = core_admin_only(cx, "change departments and roles");

	*out = NULL;
	if (rc != CRM_OK)
		return rc;
	role_check(cx, in, true);
	if (cx->errs.n > 0 || cx->errs.dropped > 0)
		return core_invalid(cx);
	if (db_begin(cx->db) != DB_OK)
		return db_fail(cx, "begin");
	rc = role_write(cx, 0, in, &id);
	if (rc == CRM_OK)
		rc = audit_append(cx, "role.create", "roles", id, in);
	if (rc == CRM_OK)
		rc = role_query(cx, id, out);
	rc = core_txn_end(cx, rc, out);
	return rc;
}

int
role_update(struct core_ctx *cx, int64_t id, json_t *in, json_t **out)
{
	json_t *cur = NULL, *m;
	int rc = core_admin_only(cx, "change departments and roles");

	*out = NULL;
	if (rc != CRM_OK)
		return rc;
	role_check(cx, in, false);
	if (cx->errs.n > 0 || cx->errs.dropped > 0)
		return core_invalid(cx);
	if (db_begin(cx->db) != DB_OK)
		return db_fail(cx, "begin");
	rc = role_query(cx, id, &cur);
	if (rc == CRM_OK && json_is_true(json_object_get(cur, "is_admin")) &&
	    (json_object_get(in, "perms") || json_object_get(in, "fields")))
		rc = core_fail(cx, CRM_EFORBIDDEN, "The administrator role always "
		    "has every right; make a role of your own instead");
	if (rc == CRM_OK) {
		m = json_deep_copy(cur);
		json_object_update(m, in);
		rc = role_write(cx, id, m, &id);
		json_decref(m);
	}
	if (rc == CRM_OK)
		rc = audit_append(cx, "role.update", "roles", id, in);
	if (rc == CRM_OK)
		rc = role_query(cx, id, out);
	rc = core_txn_end(cx, rc, out);
	json_decref(cur);
	return rc;
}

int
role_delete(struct core_ctx *cx, int64_t id)
{
	json_t *cur = NULL;
	int64_t n = 0;
	bool found;
	int rc = core_admin_only(cx, "change departments and roles");

	if (rc != CRM_OK)
		return rc;
	if (db_begin(cx->db) != DB_OK)
		return db_fail(cx, "begin");
	rc = role_query(cx, id, &cur);
	if (rc == CRM_OK && !json_is_null(json_object_get(cur, "builtin")))
		rc = core_fail(cx, CRM_EINUSE, "A built-in role cannot be "
		    "deleted; change its rights instead");
	if (rc == CRM_OK)
		rc = query_int(cx, "SELECT COUNT(*) FROM users WHERE role_id = ?",
		    &id, 1, &n, &found);
	if (rc == CRM_OK && n > 0)
		rc = core_fail(cx, CRM_EINUSE, "%lld user%s still ha%s this role; "
		    "give them another first", (long long)n, n == 1 ? "" : "s",
		    n == 1 ? "s" : "ve");
	if (rc == CRM_OK)
		rc = exec_ints(cx, "DELETE FROM roles WHERE id = ?", &id, 1);
	if (rc == CRM_OK)
		rc = audit_append(cx, "role.delete", "roles", id, NULL);
	rc = core_txn_end(cx, rc, NULL);
	json_decref(cur);
	return rc;
}

int
access_describe(struct core_ctx *cx, json_t **out)
{
	db_stmt_t *st;
	json_t *rights = json_object(), *fields = json_object(), *role = json_null();
	int64_t dept = 0;
	int rc;

	for (size_t i = 0; i < entity_count(); i++) {
		const struct entity *e = entity_at(i);
		json_t *row = json_object(), *fr = json_object();

		for (int a = 0; acc_action_name(a) != NULL; a++) {
			enum acc_scope sc = SCOPE_NONE;

			if (access_scope(cx, e, (enum acc_action)a, &sc) != CRM_OK)
				break;
			json_object_set_new(row, acc_action_name(a),
			    json_string(acc_scope_name(sc)));
		}
		for (size_t f = 0; f < e->nfields; f++) {
			enum field_rule r = access_field(cx, e, e->fields[f].name);

			if (r != FIELD_VISIBLE)
				json_object_set_new(fr, e->fields[f].name, json_string(
				    r == FIELD_HIDDEN ? "hidden" : "readonly"));
		}
		json_object_set_new(rights, e->name, row);
		json_object_set_new(fields, e->name, fr);
	}
	if (db_prepare(cx->db, "SELECT u.department_id, r.id, r.name FROM users u "
	    "LEFT JOIN roles r ON r.id = u.role_id WHERE u.id = ?", &st) != DB_OK) {
		json_decref(rights);
		json_decref(fields);
		return db_fail(cx, "describe");
	}
	db_bind_int(st, 1, cx->actor.user_id);
	rc = db_step(st);
	if (rc == DB_ROW) {
		dept = db_col_null(st, 0) ? 0 : db_col_int(st, 0);
		if (!db_col_null(st, 1))
			role = json_pack("{s:I, s:s}", "id",
			    (json_int_t)db_col_int(st, 1), "name",
			    db_col_text(st, 2, NULL));
	}
	db_done(st);
	if (rc != DB_ROW && rc != DB_DONE) {
		json_decref(rights);
		json_decref(fields);
		json_decref(role);
		return db_fail(cx, "describe step");
	}
	*out = json_pack("{s:o, s:o, s:o, s:o}", "role", role ? role : json_null(),
	    "department_id", dept > 0 ? json_integer(dept) : json_null(),
	    "rights", rights, "fields", fields);
	return CRM_OK;
}

int
org_heads_user(struct core_ctx *cx, int64_t user_id, bool *heads)
{
	int64_t v[2] = { cx->actor.user_id, user_id };

	return core_probe(cx, "heads of a user", ORG_HEADED_SQL "SELECT 1 FROM "
	    "users u WHERE u.id = ? AND u.department_id IN (SELECT id FROM sub)",
	    v, 2, heads);
}

int
org_heads_dept(struct core_ctx *cx, int64_t dept_id, bool *heads)
{
	int64_t v[2] = { cx->actor.user_id, dept_id };

	return core_probe(cx, "heads of a department", ORG_HEADED_SQL
	    "SELECT 1 FROM sub WHERE id = ?", v, 2, heads);
}
