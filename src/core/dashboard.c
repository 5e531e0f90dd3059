/*
 * Users' dashboards (core/dashboard.h): one row per user in dashboards,
 * report_ids a JSON array and layout a JSON object, both as text. The ids
 * are checked against what the user may see when written, and again when
 * read (reports come and go, shares change), so the answer never names a
 * report its reader could not open.
 */
#include "core/dashboard.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/audit.h"
#include "core/reports.h"
#include "util/log.h"
#include "util/timeutil.h"

static int
db_fail(struct core_ctx *cx, const char *what)
{
	log_error("database: dashboard %s: %s", what, db_errmsg(cx->db));
	return core_fail(cx, CRM_EDB, "The database failed; nothing was changed");
}

/* The stored ids the actor may still see, in order: a new array. */
static int
visible_ids(struct core_ctx *cx, json_t *stored, json_t **out)
{
	json_t *ids = json_array(), *v;
	size_t i;
	int rc;

	json_array_foreach(stored, i, v) {
		bool seen = false;

		if (!json_is_integer(v))
			continue;
		rc = report_visible(cx, json_integer_value(v), &seen);
		if (rc != CRM_OK) {
			json_decref(ids);
			return rc;
		}
		if (seen)
			json_array_append(ids, v);
	}
	*out = ids;
	return CRM_OK;
}

/* Where a dashboard is read from: one's own, or a role's default. */
static const char *const load_sql[] = {
	"SELECT report_ids, layout, updated_at FROM dashboards WHERE user_id = ?",
	"SELECT report_ids, layout, updated_at FROM role_dashboards WHERE "
	    "role_id = ?",
	"SELECT report_ids, layout, updated_at FROM role_dashboards WHERE "
	    "role_id = (SELECT role_id FROM users WHERE id = ?)",
};
enum { FROM_OWN, FROM_ROLE, FROM_MY_ROLE };

/*
 * The stored row of key read by load_sql[from]: *ids and *layout new
 * (empty without a row), *at or -1.
 */
static int
load(struct core_ctx *cx, int from, int64_t key, json_t **ids,
    json_t **layout, int64_t *at)
{
	db_stmt_t *st;
	int rc;

	*ids = NULL;
	*layout = NULL;
	*at = -1;
	if (db_prepare(cx->db, load_sql[from], &st) != DB_OK)
		return db_fail(cx, "read");
	db_bind_int(st, 1, key);
	rc = db_step(st);
	if (rc == DB_ROW) {
		*ids = json_loads(db_col_text(st, 0, NULL), 0, NULL);
		*layout = json_loads(db_col_text(st, 1, NULL), 0, NULL);
		*at = db_col_int(st, 2);
	}
	db_done(st);
	if (rc != DB_ROW && rc != DB_DONE)
		return db_fail(cx, "read step");
	/* A row the core did not write (or an older shape) reads as empty. */
	if (!json_is_array(*ids)) {
		json_decref(*ids);
		*ids = json_array();
	}
	if (!json_is_object(*layout)) {
		json_decref(*layout);
		*layout = json_object();
	}
	return CRM_OK;
}

int
dashboard_get(struct core_ctx *cx, json_t **out)
{
	json_t *stored = NULL, *layout = NULL, *ids = NULL;
	const char *source = "own";
	char ts[TIME_RFC3339_LEN];
	int64_t at;
	int rc;

	*out = NULL;
	rc = load(cx, FROM_OWN, cx->actor.user_id, &stored, &layout, &at);
	/* Not customised: the role's default, while it has one. */
	if (rc == CRM_OK && at < 0) {
		json_decref(stored);
		json_decref(layout);
		rc = load(cx, FROM_MY_ROLE, cx->actor.user_id, &stored, &layout,
		    &at);
		source = at >= 0 ? "role" : "none";
	}
	if (rc == CRM_OK)
		rc = visible_ids(cx, stored, &ids);
	json_decref(stored);
	if (rc != CRM_OK) {
		json_decref(layout);
		return rc;
	}
	if (at >= 0)
		time_format(at, ts, sizeof(ts));
	*out = json_pack("{s:o, s:o, s:o, s:s}", "report_ids", ids, "layout",
	    layout, "updated_at", at >= 0 ? json_string(ts) : json_null(),
	    "source", source);
	return *out != NULL ? CRM_OK : core_fail(cx, CRM_EDB, "out of memory");
}

/* Checks {report_ids, layout?}; the ids must name reports the actor sees. */
static int
check_body(struct core_ctx *cx, json_t *in)
{
	json_t *ids = json_object_get(in, "report_ids");
	json_t *layout = json_object_get(in, "layout"), *v;
	const char *k;
	char path[40];
	size_t i;
	int rc;

	json_object_foreach(in, k, v) {
		if (strcmp(k, "report_ids") != 0 && strcmp(k, "layout") != 0)
			verrs_add(&cx->errs, k, "is not a field of a dashboard");
	}
	if (layout != NULL) {
		char *text = json_is_object(layout) ? json_dumps(layout,
		    JSON_COMPACT) : NULL;

		if (text == NULL || strlen(text) > DASHBOARD_LAYOUT_MAX)
			verrs_add(&cx->errs, "layout", "must be an object of at "
			    "most %d bytes of JSON", DASHBOARD_LAYOUT_MAX);
		free(text);
	}
	if (!json_is_array(ids) || json_array_size(ids) >
	    DASHBOARD_REPORTS_MAX) {
		verrs_add(&cx->errs, "report_ids", "must be a list of at most %d "
		    "report ids", DASHBOARD_REPORTS_MAX);
		return core_invalid(cx);
	}
	json_array_foreach(ids, i, v) {
		bool seen = false;

		snprintf(path, sizeof(path), "report_ids[%zu]", i);
		if (!json_is_integer(v) || json_integer_value(v) <= 0) {
			verrs_add(&cx->errs, path, "must be a report id");
			continue;
		}
		for (size_t j = 0; j < i; j++)
			if (json_integer_value(json_array_get(ids, j)) ==
			    json_integer_value(v))
				seen = true;
		if (seen) {
			verrs_add(&cx->errs, path, "is already on the dashboard");
			continue;
		}
		rc = report_visible(cx, json_integer_value(v), &seen);
		if (rc != CRM_OK)
			return rc;
		if (!seen)
			verrs_add(&cx->errs, path, "no such report");
	}
	return cx->errs.n > 0 ? core_invalid(cx) : CRM_OK;
}

/*
 * Writes in (checked) as the dashboard of user key, or of role key when
 * role, inside the caller's transaction, and audits it.
 */
static int
write_dashboard(struct core_ctx *cx, bool role, int64_t key, json_t *in)
{
	json_t *layout = json_object_get(in, "layout"), *detail;
	char *ids = NULL, *lay = NULL;
	db_stmt_t *st;
	int rc;

	rc = check_body(cx, in);
	if (rc != CRM_OK)
		goto out;
	ids = json_dumps(json_object_get(in, "report_ids"), JSON_COMPACT);
	lay = layout != NULL ? json_dumps(layout, JSON_COMPACT) : NULL;
	if (ids == NULL || (layout != NULL && lay == NULL)) {
		rc = core_fail(cx, CRM_EDB, "out of memory");
		goto out;
	}
	/* Without a layout, an existing row keeps its own. */
	if (db_prepare(cx->db, role ? (lay != NULL ? "INSERT INTO "
	    "role_dashboards (role_id, report_ids, layout, updated_at) VALUES (?, "
	    "?, ?, ?) ON CONFLICT (role_id) DO UPDATE SET report_ids = "
	    "excluded.report_ids, layout = excluded.layout, updated_at = "
	    "excluded.updated_at" : "INSERT INTO role_dashboards (role_id, "
	    "report_ids, layout, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT "
	    "(role_id) DO UPDATE SET report_ids = excluded.report_ids, "
	    "updated_at = excluded.updated_at") : lay != NULL ? "INSERT INTO "
	    "dashboards (user_id, "
	    "report_ids, layout, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT "
	    "(user_id) DO UPDATE SET report_ids = excluded.report_ids, layout = "
	    "excluded.layout, updated_at = excluded.updated_at" : "INSERT INTO "
	    "dashboards (user_id, report_ids, layout, updated_at) VALUES (?, ?, "
	    "?, ?) ON CONFLICT (user_id) DO UPDATE SET report_ids = "
	    "excluded.report_ids, updated_at = excluded.updated_at", &st) !=
	    DB_OK) {
		rc = db_fail(cx, "write");
		goto out;
	}
	db_bind_int(st, 1, key);
	db_bind_text(st, 2, ids, strlen(ids));
	db_bind_text(st, 3, lay != NULL ? lay : "{}", lay != NULL ? strlen(lay) :
	    2);
	db_bind_int(st, 4, time_now_ms());
	rc = db_step(st) == DB_DONE ? CRM_OK : db_fail(cx, "write step");
	db_done(st);
	if (rc == CRM_OK) {
		detail = json_pack("{s:O}", "report_ids", json_object_get(in,
		    "report_ids"));
		rc = audit_append(cx, role ? "dashboard.role_default" :
		    "dashboard.update", role ? "roles" : "users", key, detail);
		json_decref(detail);
	}
out:
	free(ids);
	free(lay);
	return rc;
}

int
dashboard_put(struct core_ctx *cx, json_t *in, json_t **out)
{
	int rc;

	*out = NULL;
	if (cx->actor.user_id == 0)
		return core_fail(cx, CRM_EFORBIDDEN, "dashboards belong to people");
	if (db_begin(cx->db) != DB_OK)
		return db_fail(cx, "begin");
	rc = write_dashboard(cx, false, cx->actor.user_id, in);
	rc = core_txn_end(cx, rc, NULL);
	return rc == CRM_OK ? dashboard_get(cx, out) : rc;
}

int
dashboard_reset(struct core_ctx *cx, json_t **out)
{
	int rc;

	*out = NULL;
	if (cx->actor.user_id == 0)
		return core_fail(cx, CRM_EFORBIDDEN, "dashboards belong to people");
	if (db_begin(cx->db) != DB_OK)
		return db_fail(cx, "begin");
	rc = core_exec(cx, "DELETE FROM dashboards WHERE user_id = ?", "i",
	    cx->actor.user_id);
	if (rc == CRM_OK)
		rc = audit_append(cx, "dashboard.reset", "users",
		    cx->actor.user_id, NULL);
	rc = core_txn_end(cx, rc, NULL);
	return rc == CRM_OK ? dashboard_get(cx, out) : rc;
}

/* CRM_OK when the actor is an admin and role_id names a role. */
static int
role_check(struct core_ctx *cx, int64_t role_id)
{
	bool found = false;
	int rc = core_admin_only(cx, "the default dashboards of roles");

	if (rc == CRM_OK)
		rc = core_probe(cx, "role", "SELECT 1 FROM roles WHERE id = ?",
		    &role_id, 1, &found);
	if (rc == CRM_OK && !found)
		rc = core_fail(cx, CRM_ENOTFOUND, "No such role");
	return rc;
}

int
dashboard_role_get(struct core_ctx *cx, int64_t role_id, json_t **out)
{
	json_t *ids = NULL, *layout = NULL;
	char ts[TIME_RFC3339_LEN];
	int64_t at;
	int rc;

	*out = NULL;
	rc = role_check(cx, role_id);
	if (rc == CRM_OK)
		rc = load(cx, FROM_ROLE, role_id, &ids, &layout, &at);
	if (rc != CRM_OK)
		return rc;
	if (at >= 0)
		time_format(at, ts, sizeof(ts));
	*out = json_pack("{s:I, s:o, s:o, s:o}", "role_id", (json_int_t)role_id,
	    "report_ids", ids, "layout", layout, "updated_at", at >= 0 ?
	    json_string(ts) : json_null());
	return *out != NULL ? CRM_OK : core_fail(cx, CRM_EDB, "out of memory");
}

int
dashboard_role_put(struct core_ctx *cx, int64_t role_id, json_t *in,
    json_t **out)
{
	int rc;

	*out = NULL;
	rc = role_check(cx, role_id);
	if (rc != CRM_OK)
		return rc;
	if (db_begin(cx->db) != DB_OK)
		return db_fail(cx, "begin");
	rc = write_dashboard(cx, true, role_id, in);
	rc = core_txn_end(cx, rc, NULL);
	return rc == CRM_OK ? dashboard_role_get(cx, role_id, out) : rc;
}
