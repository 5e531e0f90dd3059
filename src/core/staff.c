/*
 * The administrator's side of users: who is in which department with
 * which role, and who is active (see org.h). Credentials stay in users.c.
 * A user's administrator flag follows their role, so the two cannot
 * disagree; the last active administrator cannot be demoted or disabled.
 */
#include "core/org.h"

#include <stdio.h>
#include <string.h>

#include "core/audit.h"
#include "core/users.h"
#include "util/log.h"
#include "util/text.h"
#include "util/timeutil.h"

#define STAFF_COLS "SELECT id, email, name, is_admin, active, department_id, " \
	"role_id FROM users "

static int
db_fail(struct core_ctx *cx, const char *what)
{
	log_error("database: staff %s: %s", what, db_errmsg(cx->db));
	return core_fail(cx, CRM_EDB, "The database failed; nothing was changed");
}

static json_t *
int_or_null(db_stmt_t *st, int col)
{
	return db_col_null(st, col) ? json_null() : json_integer(db_col_int(st, col));
}

static int
staff_query(struct core_ctx *cx, int64_t id, json_t **out)
{
	db_stmt_t *st;
	json_t *arr = json_array();
	int rc;

	if (db_prepare(cx->db, id > 0 ? STAFF_COLS "WHERE id = ?" :
	    STAFF_COLS "ORDER BY name, id", &st) != DB_OK) {
		json_decref(arr);
		return db_fail(cx, "list");
	}
	if (id > 0)
		db_bind_int(st, 1, id);
	while ((rc = db_step(st)) == DB_ROW)
		json_array_append_new(arr, json_pack("{s:I, s:s, s:s, s:b, s:b, "
		    "s:o, s:o}", "id", (json_int_t)db_col_int(st, 0),
		    "email", db_col_text(st, 1, NULL),
		    "name", db_col_text(st, 2, NULL),
		    "is_admin", (int)db_col_int(st, 3),
		    "active", (int)db_col_int(st, 4),
		    "department_id", int_or_null(st, 5),
		    "role_id", int_or_null(st, 6)));
	db_done(st);
	if (rc != DB_DONE) {
		json_decref(arr);
		return db_fail(cx, "list step");
	}
	if (id == 0) {
		*out = json_pack("{s:o}", "data", arr);
		return CRM_OK;
	}
	if (json_array_size(arr) == 0) {
		json_decref(arr);
		return core_fail(cx, CRM_ENOTFOUND, "No user with id %lld",
		    (long long)id);
	}
	*out = json_incref(json_array_get(arr, 0));
	json_decref(arr);
	return CRM_OK;
}

int
staff_list(struct core_ctx *cx, json_t **out)
{
	return staff_query(cx, 0, out);
}

int
staff_get(struct core_ctx *cx, int64_t id, json_t **out)
{
	return staff_query(cx, id, out);
}

/* Whether id names a row of table ("departments" or "roles"). */
static int
row_exists(struct core_ctx *cx, const char *table, int64_t id, bool *yes,
    bool *is_admin)
{
	char sql[128];
	db_stmt_t *st;
	int rc;

	snprintf(sql, sizeof(sql), "SELECT %s FROM %s WHERE id = ?",
	    strcmp(table, "roles") == 0 ? "is_admin" : "0", table);
	if (db_prepare(cx->db, sql, &st) != DB_OK)
		return db_fail(cx, "exists");
	db_bind_int(st, 1, id);
	rc = db_step(st);
	*yes = rc == DB_ROW;
	if (rc == DB_ROW && is_admin != NULL)
		*is_admin = db_col_int(st, 0) != 0;
	db_done(st);
	return rc == DB_ROW || rc == DB_DONE ? CRM_OK : db_fail(cx, "exists step");
}

/* Checks department_id / role_id of a body; *admin_role tells the role's kind. */
static int
check_links(struct core_ctx *cx, json_t *in, bool *admin_role)
{
	static const char *const keys[] = { "department_id", "role_id" };
	static const char *const tables[] = { "departments", "roles" };
	int rc = CRM_OK;

	for (int i = 0; i < 2 && rc == CRM_OK; i++) {
		json_t *v = json_object_get(in, keys[i]);
		bool yes = false;

		if (v == NULL)
			continue;
		if (!json_is_integer(v) || json_integer_value(v) <= 0) {
			verrs_add(&cx->errs, keys[i], "must be an id");
			continue;
		}
		rc = row_exists(cx, tables[i], json_integer_value(v), &yes,
		    i == 1 ? admin_role : NULL);
		if (rc == CRM_OK && !yes)
			verrs_add(&cx->errs, keys[i], "no %s with id %lld",
			    i == 0 ? "department" : "role",
			    (long long)json_integer_value(v));
	}
	return rc;
}

static int
other_admins(struct core_ctx *cx, int64_t id, int64_t *n)
{
	db_stmt_t *st;
	int rc;

	if (db_prepare(cx->db, "SELECT COUNT(*) FROM users WHERE is_admin = 1 AND "
	    "active = 1 AND id <> ?", &st) != DB_OK)
		return db_fail(cx, "admins");
	db_bind_int(st, 1, id);
	rc = db_step(st);
	if (rc == DB_ROW)
		*n = db_col_int(st, 0);
	db_done(st);
	return rc == DB_ROW ? CRM_OK : db_fail(cx, "admins step");
}

/* Applies name, department, role (and the admin flag with it). */
static int
write_links(struct core_ctx *cx, int64_t id, json_t *in, bool admin_role)
{
	json_t *name = json_object_get(in, "name");
	json_t *dept = json_object_get(in, "department_id");
	json_t *role = json_object_get(in, "role_id");
	db_stmt_t *st;
	int rc;

	if (db_prepare(cx->db, "UPDATE users SET name = COALESCE(?, name), "
	    "department_id = COALESCE(?, department_id), role_id = COALESCE(?, "
	    "role_id), is_admin = CASE WHEN ? = 1 THEN ? ELSE is_admin END, "
	    "updated_at = ? WHERE id = ?", &st) != DB_OK)
		return db_fail(cx, "update");
	if (json_is_string(name))
		db_bind_text(st, 1, json_string_value(name), json_string_length(name));
	else
		db_bind_null(st, 1);
	if (json_is_integer(dept))
		db_bind_int(st, 2, json_integer_value(dept));
	else
		db_bind_null(st, 2);
	if (json_is_integer(role))
		db_bind_int(st, 3, json_integer_value(role));
	else
		db_bind_null(st, 3);
	db_bind_int(st, 4, json_is_integer(role));
	db_bind_int(st, 5, admin_role);
	db_bind_int(st, 6, time_now_ms());
	db_bind_int(st, 7, id);
	rc = db_step(st);
	db_done(st);
	return rc == DB_DONE ? CRM_OK : db_fail(cx, "update step");
}

int
staff_create(struct core_ctx *cx, json_t *in, json_t **out)
{
	const char *key;
	json_t *v;
	bool admin_role = false;
	int64_t id = 0;
	int rc = core_admin_only(cx, "add or change users");

	*out = NULL;
	if (rc != CRM_OK)
		return rc;
	json_object_foreach(in, key, v) {
		if (strcmp(key, "email") != 0 && strcmp(key, "name") != 0 &&
		    strcmp(key, "password") != 0 && strcmp(key, "department_id") != 0 &&
		    strcmp(key, "role_id") != 0)
			verrs_add(&cx->errs, key, "is not a field of a user");
		else if ((strcmp(key, "email") == 0 || strcmp(key, "name") == 0 ||
		    strcmp(key, "password") == 0) && !json_is_string(v))
			verrs_add(&cx->errs, key, "must be a string");
	}
	if (db_begin(cx->db) != DB_OK)
		return db_fail(cx, "begin");
	rc = check_links(cx, in, &admin_role);
	if (rc == CRM_OK && (cx->errs.n > 0 || cx->errs.dropped > 0))
		rc = core_invalid(cx);
	if (rc == CRM_OK)
		rc = user_add(cx, json_string_value(json_object_get(in, "email")) ?
		    json_string_value(json_object_get(in, "email")) : "",
		    json_string_value(json_object_get(in, "name")) ?
		    json_string_value(json_object_get(in, "name")) : "",
		    json_string_value(json_object_get(in, "password")) ?
		    json_string_value(json_object_get(in, "password")) : "",
		    admin_role, &id);
	if (rc == CRM_OK)
		rc = write_links(cx, id, in, admin_role);
	if (rc == CRM_OK) {
		/* What changed, never the password. */
		json_t *d = json_deep_copy(in);

		json_object_del(d, "password");
		rc = audit_append(cx, "user.update", "users", id, d);
		json_decref(d);
	}
	if (rc == CRM_OK)
		rc = staff_query(cx, id, out);
	rc = core_txn_end(cx, rc, out);
	return rc;
}

int
staff_update(struct core_ctx *cx, int64_t id, json_t *in, json_t **out)
{
	json_t *cur = NULL, *v, *active = json_object_get(in, "active");
	const char *key;
	bool admin_role = false;
	int64_t others = 0;
	int rc = core_admin_only(cx, "add or change users");

	*out = NULL;
	if (rc != CRM_OK)
		return rc;
	json_object_foreach(in, key, v) {
		if (strcmp(key, "name") == 0) {
			if (!json_is_string(v) || json_string_length(v) == 0 ||
			    json_string_length(v) > 200 ||
			    !text_utf8_valid(json_string_value(v), json_string_length(v)))
				verrs_add(&cx->errs, key, "must be 1 to 200 characters");
		} else if (strcmp(key, "active") == 0) {
			if (!json_is_boolean(v))
				verrs_add(&cx->errs, key, "must be true or false");
		} else if (strcmp(key, "department_id") != 0 &&
		    strcmp(key, "role_id") != 0) {
			verrs_add(&cx->errs, key, "is not a field you can change here");
		}
	}
	if (db_begin(cx->db) != DB_OK)
		return db_fail(cx, "begin");
	rc = staff_query(cx, id, &cur);
	if (rc == CRM_OK)
		rc = check_links(cx, in, &admin_role);
	if (rc == CRM_OK && (cx->errs.n > 0 || cx->errs.dropped > 0))
		rc = core_invalid(cx);
	if (rc == CRM_OK && json_is_true(json_object_get(cur, "is_admin")) &&
	    ((json_object_get(in, "role_id") && !admin_role) ||
	    json_is_false(active))) {
		rc = other_admins(cx, id, &others);
		if (rc == CRM_OK && others == 0)
			rc = core_fail(cx, CRM_EINUSE, "This is the last active "
			    "administrator; make someone else an administrator first");
	}
	if (rc == CRM_OK)
		rc = write_links(cx, id, in, admin_role);
	if (rc == CRM_OK && json_is_boolean(active))
		rc = user_set_active(cx, json_string_value(json_object_get(cur,
		    "email")), json_is_true(active));
	if (rc == CRM_OK) {
		/* What changed, never the password. */
		json_t *d = json_deep_copy(in);

		json_object_del(d, "password");
		rc = audit_append(cx, "user.update", "users", id, d);
		json_decref(d);
	}
	if (rc == CRM_OK)
		rc = staff_query(cx, id, out);
	rc = core_txn_end(cx, rc, out);
	json_decref(cur);
	return rc;
}
