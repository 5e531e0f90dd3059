/*
 * KPI scorecards (see kpi.h): an administrator's definitions, kept as a
 * row with the lines as JSON (checked by kpi_lines_parse on every write
 * and read back through it, so a row always holds what the rules accept),
 * and who each applies to, resolved against the organisation at the time
 * of asking.
 */
#include "core/kpi_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/activities.h"
#include "core/audit.h"
#include "core/org.h"
#include "util/log.h"
#include "util/timeutil.h"

#define CARD_COLS "id, name, applies, user_ids, department_id, role_id, " \
	"period_kind, lines, created_at, updated_at, version"

static int
db_fail(struct core_ctx *cx, const char *what)
{
	log_error("database: kpi %s: %s", what, db_errmsg(cx->db));
	return core_fail(cx, CRM_EDB, "The database failed; nothing was changed");
}

static void
text_col(db_stmt_t *st, int col, char *out, size_t len)
{
	const char *s = db_col_text(st, col, NULL);

	snprintf(out, len, "%s", s != NULL ? s : "");
}

static void
card_from_row(db_stmt_t *st, struct kpi_card *c)
{
	struct verrs errs;
	json_t *lines;

	memset(c, 0, sizeof(*c));
	memset(&errs, 0, sizeof(errs));
	c->id = db_col_int(st, 0);
	text_col(st, 1, c->name, sizeof(c->name));
	text_col(st, 2, c->applies, sizeof(c->applies));
	c->user_ids = json_loads(db_col_text(st, 3, NULL), 0, NULL);
	if (!json_is_array(c->user_ids)) {
		json_decref(c->user_ids);
		c->user_ids = json_array();
	}
	c->department_id = db_col_null(st, 4) ? 0 : db_col_int(st, 4);
	c->role_id = db_col_null(st, 5) ? 0 : db_col_int(st, 5);
	text_col(st, 6, c->period_kind, sizeof(c->period_kind));
	lines = json_loads(db_col_text(st, 7, NULL), 0, NULL);
	/* Written only after the same check: errors here cannot happen. */
	kpi_lines_parse(lines, c->lines, &c->nlines, &errs);
	json_decref(lines);
	if (errs.n > 0)
		c->nlines = 0;
	c->created_at = db_col_int(st, 8);
	c->updated_at = db_col_int(st, 9);
	c->version = db_col_int(st, 10);
}

void
kpi_card_free(struct kpi_card *c)
{
	json_decref(c->user_ids);
	c->user_ids = NULL;
}

int
kpi_card_load(struct core_ctx *cx, int64_t id, struct kpi_card *c)
{
	db_stmt_t *st;
	int rc;

	memset(c, 0, sizeof(*c));
	if (db_prepare(cx->db, "SELECT " CARD_COLS " FROM kpi_scorecards WHERE "
	    "id = ? AND deleted_at IS NULL", &st) != DB_OK)
		return db_fail(cx, "load");
	db_bind_int(st, 1, id);
	rc = db_step(st);
	if (rc == DB_ROW)
		card_from_row(st, c);
	db_done(st);
	if (rc == DB_DONE)
		return core_fail(cx, CRM_ENOTFOUND, "No scorecard with id %lld",
		    (long long)id);
	return rc == DB_ROW ? CRM_OK : db_fail(cx, "load step");
}

/* The departments the actor heads, and all below them, into v. */
static int
headed_load(struct core_ctx *cx, int64_t *v, int *n)
{
	db_stmt_t *st;
	int rc;

	*n = 0;
	if (cx->actor.user_id == 0)
		return CRM_OK;
	if (db_prepare(cx->db, ORG_HEADED_SQL "SELECT id FROM sub", &st) != DB_OK)
		return db_fail(cx, "headed");
	db_bind_int(st, 1, cx->actor.user_id);
	while ((rc = db_step(st)) == DB_ROW && *n < KPI_HEADED_MAX)
		v[(*n)++] = db_col_int(st, 0);
	db_done(st);
	return rc == DB_DONE || rc == DB_ROW ? CRM_OK : db_fail(cx, "headed step");
}

static bool
in_ids(const int64_t *v, int n, int64_t id)
{
	for (int i = 0; i < n; i++)
		if (v[i] == id)
			return true;
	return false;
}

static bool
listed(json_t *ids, int64_t id)
{
	json_t *v;
	size_t i;

	json_array_foreach(ids, i, v)
		if (json_integer_value(v) == id)
			return true;
	return false;
}

int
kpi_card_people(struct core_ctx *cx, const struct kpi_card *c,
    struct kpi_person **out, int *n)
{
	bool admin = cx->actor.is_admin || cx->actor.user_id == 0;
	int64_t *headed = calloc(KPI_HEADED_MAX, sizeof(*headed));
	struct kpi_person *v = calloc(KPI_PEOPLE_MAX, sizeof(*v));
	const char *sql;
	db_stmt_t *st;
	int rc, nheaded = 0, k = 0;

	*out = NULL;
	*n = 0;
	if (headed == NULL || v == NULL) {
		free(headed);
		free(v);
		return core_fail(cx, CRM_EDB, "Out of memory");
	}
	rc = headed_load(cx, headed, &nheaded);
	if (strcmp(c->applies, "department") == 0)
		sql = "WITH RECURSIVE sub(id) AS (SELECT id FROM departments WHERE "
		    "id = ? UNION SELECT d.id FROM "
		    "departments d JOIN sub ON d.parent_id = sub.id) SELECT u.id, "
		    "u.name, u.department_id FROM users u WHERE u.active = 1 AND "
		    "u.department_id IN (SELECT id FROM sub) ORDER BY u.name, u.id";
	else if (strcmp(c->applies, "role") == 0)
		sql = "SELECT u.id, u.name, u.department_id FROM users u WHERE "
		    "u.active = 1 AND u.role_id = ? ORDER BY u.name, u.id";
	else
		sql = "SELECT u.id, u.name, u.department_id FROM users u WHERE "
		    "u.active = 1 AND ? = 0 ORDER BY u.name, u.id";
	if (rc == CRM_OK && db_prepare(cx->db, sql, &st) != DB_OK)
		rc = db_fail(cx, "people");
	if (rc != CRM_OK) {
		free(headed);
		free(v);
		return rc;
	}
	db_bind_int(st, 1, strcmp(c->applies, "department") == 0 ?
	    c->department_id : strcmp(c->applies, "role") == 0 ? c->role_id : 0);
	while ((rc = db_step(st)) == DB_ROW && k < KPI_PEOPLE_MAX) {
		struct kpi_person *p = &v[k];

		p->id = db_col_int(st, 0);
		if (strcmp(c->applies, "users") == 0 && !listed(c->user_ids, p->id))
			continue;
		text_col(st, 1, p->name, sizeof(p->name));
		p->department_id = db_col_null(st, 2) ? 0 : db_col_int(st, 2);
		p->headed = admin || (p->department_id != 0 &&
		    in_ids(headed, nheaded, p->department_id));
		p->visible = p->headed || p->id == cx->actor.user_id;
		/* One does not close one's own period (an administrator does). */
		if (!admin && p->id == cx->actor.user_id)
			p->headed = false;
		k++;
	}
	db_done(st);
	free(headed);
	if (rc != DB_DONE && rc != DB_ROW) {
		free(v);
		return db_fail(cx, "people step");
	}
	*out = v;
	*n = k;
	return CRM_OK;
}

static json_t *
id_or_null(int64_t id)
{
	return id > 0 ? json_integer((json_int_t)id) : json_null();
}

/*
 * The JSON of c for the actor. Only an administrator (who edits scorecards)
 * reads who it applies to (applies, user_ids, department_id, role_id);
 * everyone else gets what reading their results takes, and nothing about
 * the other people it covers.
 */
static json_t *
card_json(struct core_ctx *cx, const struct kpi_card *c)
{
	json_t *lines = json_array(), *o;

	for (int i = 0; i < c->nlines; i++)
		json_array_append_new(lines, kpi_line_json(&c->lines[i]));
	o = json_pack("{s:I, s:s, s:s, s:o, s:o, s:o, s:I}", "id",
	    (json_int_t)c->id, "name", c->name, "period_kind", c->period_kind,
	    "lines", lines, "created_at", activity_time_json(c->created_at),
	    "updated_at", activity_time_json(c->updated_at), "version",
	    (json_int_t)c->version);
	if (o != NULL && (cx->actor.is_admin || cx->actor.user_id == 0))
		json_object_update_new(o, json_pack("{s:s, s:O, s:o, s:o}",
		    "applies", c->applies, "user_ids", c->user_ids,
		    "department_id", id_or_null(c->department_id), "role_id",
		    id_or_null(c->role_id)));
	return o;
}

/* Whether the actor may see anyone c applies to (an admin: always). */
static int
card_visible(struct core_ctx *cx, const struct kpi_card *c, bool *visible)
{
	struct kpi_person *p;
	int n, rc;

	*visible = cx->actor.is_admin || cx->actor.user_id == 0;
	if (*visible)
		return CRM_OK;
	rc = kpi_card_people(cx, c, &p, &n);
	for (int i = 0; rc == CRM_OK && i < n && !*visible; i++)
		*visible = p[i].visible;
	if (rc == CRM_OK)
		free(p);
	return rc;
}

#define KPI_CARDS_MAX 1000

int
kpi_card_list(struct core_ctx *cx, json_t **out)
{
	int64_t *ids = calloc(KPI_CARDS_MAX, sizeof(*ids));
	json_t *data = json_array();
	db_stmt_t *st;
	int rc = CRM_OK, step, n = 0;

	*out = NULL;
	if (ids == NULL || db_prepare(cx->db, "SELECT id FROM kpi_scorecards "
	    "WHERE deleted_at IS NULL ORDER BY name, id", &st) != DB_OK) {
		free(ids);
		json_decref(data);
		return ids == NULL ? core_fail(cx, CRM_EDB, "Out of memory") :
		    db_fail(cx, "list");
	}
	while ((step = db_step(st)) == DB_ROW && n < KPI_CARDS_MAX)
		ids[n++] = db_col_int(st, 0);
	db_done(st);
	if (step != DB_DONE && step != DB_ROW)
		rc = db_fail(cx, "list step");
	/* One by one after the list: reading who each applies to asks again. */
	for (int i = 0; i < n && rc == CRM_OK; i++) {
		struct kpi_card c;
		bool visible;

		rc = kpi_card_load(cx, ids[i], &c);
		if (rc == CRM_OK)
			rc = card_visible(cx, &c, &visible);
		if (rc == CRM_OK && visible)
			json_array_append_new(data, card_json(cx, &c));
		kpi_card_free(&c);
	}
	free(ids);
	if (rc != CRM_OK) {
		json_decref(data);
		return rc;
	}
	*out = json_pack("{s:o}", "data", data);
	return CRM_OK;
}

int
kpi_card_get(struct core_ctx *cx, int64_t id, json_t **out)
{
	struct kpi_card c;
	bool visible = false;
	int rc = kpi_card_load(cx, id, &c);

	*out = NULL;
	if (rc != CRM_OK)
		return rc;
	rc = card_visible(cx, &c, &visible);
	if (rc == CRM_OK && !visible)
		rc = core_fail(cx, CRM_ENOTFOUND, "No scorecard with id %lld",
		    (long long)id);
	if (rc == CRM_OK)
		*out = card_json(cx, &c);
	kpi_card_free(&c);
	return rc;
}

/* Whether a row of table (departments, roles, users) has this id. */
static int
exists(struct core_ctx *cx, const char *sql, int64_t id, bool *found)
{
	return core_probe(cx, "kpi reference", sql, &id, 1, found);
}

/* Checks the applies-to fields of in over c (in may leave them out). */
static int
check_applies(struct core_ctx *cx, json_t *in, struct kpi_card *c)
{
	const char *applies = json_string_value(json_object_get(in, "applies"));
	json_t *ids = json_object_get(in, "user_ids"), *v;
	json_t *dv = json_object_get(in, "department_id");
	json_t *rv = json_object_get(in, "role_id");
	bool found = true;
	size_t i;
	int rc = CRM_OK, before = cx->errs.n;

	/* Each is checked for its type even when applies leaves it unused. */
	if (dv != NULL && !json_is_null(dv) && !(json_is_integer(dv) &&
	    json_integer_value(dv) > 0))
		verrs_add(&cx->errs, "department_id", "must be a department's id "
		    "or null");
	if (rv != NULL && !json_is_null(rv) && !(json_is_integer(rv) &&
	    json_integer_value(rv) > 0))
		verrs_add(&cx->errs, "role_id", "must be a role's id or null");
	if (ids != NULL && (!json_is_array(ids) || json_array_size(ids) >
	    KPI_USERS_MAX)) {
		verrs_add(&cx->errs, "user_ids", "must be a list of up to %d user "
		    "ids", KPI_USERS_MAX);
		ids = NULL;
	}
	/* An id given names a real row, even one applies leaves unused. */
	if (json_is_integer(dv) && json_integer_value(dv) > 0 && cx->errs.n ==
	    before) {
		rc = exists(cx, "SELECT 1 FROM departments WHERE id = ?",
		    json_integer_value(dv), &found);
		if (rc == CRM_OK && !found)
			verrs_add(&cx->errs, "department_id", "must name a "
			    "department");
	}
	if (rc == CRM_OK && json_is_integer(rv) && json_integer_value(rv) > 0) {
		rc = exists(cx, "SELECT 1 FROM roles WHERE id = ?",
		    json_integer_value(rv), &found);
		if (rc == CRM_OK && !found)
			verrs_add(&cx->errs, "role_id", "must name a role");
	}
	if (rc != CRM_OK || cx->errs.n > before)
		return rc;
	if (json_object_get(in, "applies") != NULL) {
		if (applies == NULL || (strcmp(applies, "users") != 0 &&
		    strcmp(applies, "department") != 0 &&
		    strcmp(applies, "role") != 0)) {
			verrs_add(&cx->errs, "applies", "must be users, department "
			    "or role");
			return CRM_OK;
		}
		snprintf(c->applies, sizeof(c->applies), "%s", applies);
	}
	if (strcmp(c->applies, "users") == 0) {
		if (ids != NULL) {
			json_decref(c->user_ids);
			c->user_ids = json_array();
		}
		json_array_foreach(ids, i, v) {
			found = json_is_integer(v) && json_integer_value(v) > 0;
			if (found)
				rc = exists(cx, "SELECT 1 FROM users WHERE id = ?",
				    json_integer_value(v), &found);
			if (rc != CRM_OK)
				return rc;
			if (!found) {
				verrs_add(&cx->errs, "user_ids", "item %zu names "
				    "no such user", i);
				break;
			}
			if (!listed(c->user_ids, json_integer_value(v)))
				json_array_append(c->user_ids, v);
		}
		if (cx->errs.n == before && json_array_size(c->user_ids) == 0)
			verrs_add(&cx->errs, "user_ids", "must name at least one "
			    "person");
		c->department_id = c->role_id = 0;
		return CRM_OK;
	}
	json_decref(c->user_ids);
	c->user_ids = json_array();
	if (strcmp(c->applies, "department") == 0) {
		if (dv != NULL)
			c->department_id = json_is_integer(dv) ?
			    json_integer_value(dv) : -1;
		found = c->department_id > 0;
		if (found)
			rc = exists(cx, "SELECT 1 FROM departments WHERE id = ?",
			    c->department_id, &found);
		if (rc == CRM_OK && !found)
			verrs_add(&cx->errs, "department_id", "must name a "
			    "department");
		c->role_id = 0;
		return rc;
	}
	if (rv != NULL)
		c->role_id = json_is_integer(rv) ? json_integer_value(rv) : -1;
	found = c->role_id > 0;
	if (found)
		rc = exists(cx, "SELECT 1 FROM roles WHERE id = ?", c->role_id,
		    &found);
	if (rc == CRM_OK && !found)
		verrs_add(&cx->errs, "role_id", "must name a role");
	c->department_id = 0;
	return rc;
}

/* Checks in (every field when creating) over c; errors in cx->errs. */
static int
check_card(struct core_ctx *cx, json_t *in, struct kpi_card *c, bool create)
{
	json_t *name = json_object_get(in, "name");
	json_t *kind = json_object_get(in, "period_kind");
	const char *k = json_string_value(kind);
	static const char *const keys[] = { "name", "applies", "user_ids",
		"department_id", "role_id", "period_kind", "lines", NULL };
	int rc;

	kpi_only_keys(in, keys, "", &cx->errs);

	if (create || name != NULL) {
		if (!core_text_ok(name, KPI_NAME_MAX) ||
		    json_string_length(name) == 0)
			verrs_add(&cx->errs, "name", "must be a text of 1 to %d "
			    "characters", KPI_NAME_MAX);
		else
			snprintf(c->name, sizeof(c->name), "%s",
			    json_string_value(name));
	}
	if (create || kind != NULL) {
		if (k == NULL || (strcmp(k, "month") != 0 && strcmp(k, "quarter") !=
		    0 && strcmp(k, "year") != 0))
			verrs_add(&cx->errs, "period_kind", "must be month, quarter "
			    "or year");
		else
			snprintf(c->period_kind, sizeof(c->period_kind), "%s", k);
	}
	if (create && json_object_get(in, "applies") == NULL) {
		verrs_add(&cx->errs, "applies", "must be users, department or role");
	} else {
		rc = check_applies(cx, in, c);
		if (rc != CRM_OK)
			return rc;
	}
	if (create || json_object_get(in, "lines") != NULL)
		kpi_lines_parse(json_object_get(in, "lines"), c->lines, &c->nlines,
		    &cx->errs);
	return cx->errs.n > 0 ? core_invalid(cx) : CRM_OK;
}

/* Writes c (insert when c->id is 0) and its audit entry. */
static int
store_card(struct core_ctx *cx, struct kpi_card *c, const char *action)
{
	json_t *lines = json_array(), *detail;
	char *ltext = NULL, *utext = NULL;
	db_stmt_t *st;
	int rc = CRM_OK, step;
	int64_t now = time_now_ms();

	for (int i = 0; i < c->nlines; i++)
		json_array_append_new(lines, kpi_line_json(&c->lines[i]));
	ltext = json_dumps(lines, JSON_COMPACT);
	utext = json_dumps(c->user_ids, JSON_COMPACT);
	json_decref(lines);
	if (ltext == NULL || utext == NULL)
		rc = core_fail(cx, CRM_EDB, "Out of memory");
	if (rc == CRM_OK && db_begin(cx->db) != DB_OK)
		rc = db_fail(cx, "begin");
	else if (rc == CRM_OK) {
		if (db_prepare(cx->db, c->id == 0 ? "INSERT INTO kpi_scorecards "
		    "(name, applies, user_ids, department_id, role_id, "
		    "period_kind, lines, updated_at, updated_by, created_at, "
		    "created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
		    "RETURNING id" : "UPDATE kpi_scorecards SET name = ?, "
		    "applies = ?, user_ids = ?, department_id = ?, role_id = ?, "
		    "period_kind = ?, lines = ?, updated_at = ?, updated_by = ?, "
		    "version = version + 1 WHERE id = ? AND version = ? "
		    "RETURNING id", &st) !=
		    DB_OK)
			rc = db_fail(cx, "store");
		else {
			db_bind_text(st, 1, c->name, strlen(c->name));
			db_bind_text(st, 2, c->applies, strlen(c->applies));
			db_bind_text(st, 3, utext, strlen(utext));
			if (c->department_id > 0)
				db_bind_int(st, 4, c->department_id);
			else
				db_bind_null(st, 4);
			if (c->role_id > 0)
				db_bind_int(st, 5, c->role_id);
			else
				db_bind_null(st, 5);
			db_bind_text(st, 6, c->period_kind, strlen(c->period_kind));
			db_bind_text(st, 7, ltext, strlen(ltext));
			db_bind_int(st, 8, now);
			core_bind_actor(cx, st, 9);
			if (c->id == 0) {
				db_bind_int(st, 10, now);
				core_bind_actor(cx, st, 11);
			} else {
				db_bind_int(st, 10, c->id);
				db_bind_int(st, 11, c->version);
			}
			step = db_step(st);
			if (step == DB_ROW)
				c->id = db_col_int(st, 0);
			else if (step == DB_DONE && c->id > 0)
				rc = core_fail(cx, CRM_ECONFLICT, "The scorecard was "
				    "changed meanwhile; read it again");
			else
				rc = db_fail(cx, "store step");
			db_done(st);
		}
		if (rc == CRM_OK) {
			detail = json_pack("{s:s, s:s, s:s, s:s}", "name", c->name,
			    "applies", c->applies, "period_kind", c->period_kind,
			    "lines", ltext);
			rc = audit_append(cx, action, "kpi_scorecards", c->id, detail);
			json_decref(detail);
		}
		rc = core_txn_end(cx, rc, NULL);
	}
	free(ltext);
	free(utext);
	return rc;
}

int
kpi_card_create(struct core_ctx *cx, json_t *in, json_t **out)
{
	struct kpi_card c;
	int rc = core_admin_only(cx, "define KPI scorecards");

	*out = NULL;
	if (rc != CRM_OK)
		return rc;
	memset(&c, 0, sizeof(c));
	c.user_ids = json_array();
	rc = check_card(cx, in, &c, true);
	if (rc == CRM_OK)
		rc = store_card(cx, &c, "kpi.scorecard_created");
	kpi_card_free(&c);
	return rc == CRM_OK ? kpi_card_get(cx, c.id, out) : rc;
}

int
kpi_card_update(struct core_ctx *cx, int64_t id, int64_t if_version,
    json_t *in, json_t **out)
{
	struct kpi_card c;
	int rc = core_admin_only(cx, "change KPI scorecards");

	*out = NULL;
	if (rc != CRM_OK)
		return rc;
	rc = kpi_card_load(cx, id, &c);
	if (rc != CRM_OK)
		return rc;
	if (if_version >= 0 && if_version != c.version)
		rc = core_fail(cx, CRM_ECONFLICT, "The scorecard was changed "
		    "meanwhile (version %lld); read it again",
		    (long long)c.version);
	if (rc == CRM_OK)
		rc = check_card(cx, in, &c, false);
	if (rc == CRM_OK)
		rc = store_card(cx, &c, "kpi.scorecard_changed");
	kpi_card_free(&c);
	return rc == CRM_OK ? kpi_card_get(cx, id, out) : rc;
}

int
kpi_card_delete(struct core_ctx *cx, int64_t id)
{
	struct kpi_card c;
	int rc = core_admin_only(cx, "delete KPI scorecards");

	if (rc != CRM_OK)
		return rc;
	rc = kpi_card_load(cx, id, &c);
	if (rc != CRM_OK)
		return rc;
	kpi_card_free(&c);
	if (db_begin(cx->db) != DB_OK)
		return db_fail(cx, "begin");
	rc = core_exec(cx, "UPDATE kpi_scorecards SET deleted_at = ? WHERE id = ?",
	    "ii", time_now_ms(), id);
	if (rc == CRM_OK)
		rc = audit_append(cx, "kpi.scorecard_deleted", "kpi_scorecards", id,
		    NULL);
	return core_txn_end(cx, rc, NULL);
}
