/*
 * Process templates: storage, versions, rights and audit (processes.h).
 * The definitions themselves are checked by core/process_def.c; this file
 * never looks inside one beyond its key, name and entity.
 */
#include "core/processes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/audit.h"
#include "core/process_def.h"
#include "core/process_sched.h"
#include "util/log.h"
#include "util/timeutil.h"

#define TPL_COLUMNS "id, key, name, entity, status, builtin, current_version, " \
	"created_at, created_by, updated_at, updated_by"
#define WIZARD_STEPS_MAX 50
#define WIZARD_HOURS_MAX 8760	/* a year */

static int
db_fail(struct core_ctx *cx, const char *what)
{
	log_error("database: process templates %s: %s", what,
	    db_errmsg(cx->db));
	return core_fail(cx, CRM_EDB, "The database failed; nothing was changed");
}

int
proc_may(struct core_ctx *cx, bool write)
{
	/* Reading needs only a signed-in actor, which every face ensures. */
	return write ? core_admin_only(cx, "change process templates") : CRM_OK;
}

static json_t *
time_json(int64_t ms)
{
	char ts[TIME_RFC3339_LEN];

	time_format(ms, ts, sizeof(ts));
	return json_string(ts);
}

static json_t *
user_json(db_stmt_t *st, int col)
{
	return db_col_null(st, col) ? json_null() :
	    json_integer(db_col_int(st, col));
}

/* A row read with TPL_COLUMNS. */
static json_t *
row_json(db_stmt_t *st)
{
	return json_pack("{s:I, s:s, s:s, s:s, s:s, s:b, s:I, s:o, s:o, s:o, "
	    "s:o}", "id", (json_int_t)db_col_int(st, 0),
	    "key", db_col_text(st, 1, NULL), "name", db_col_text(st, 2, NULL),
	    "entity", db_col_text(st, 3, NULL), "status", db_col_text(st, 4, NULL),
	    "builtin", db_col_int(st, 5) != 0,
	    "version", (json_int_t)db_col_int(st, 6),
	    "created_at", time_json(db_col_int(st, 7)),
	    "created_by", user_json(st, 8),
	    "updated_at", time_json(db_col_int(st, 9)),
	    "updated_by", user_json(st, 10));
}

/*
 * Version v of template id: {template_id, version, definition, created_at,
 * created_by} (*out: new reference).
 */
static int
load_version(struct core_ctx *cx, int64_t id, int64_t v, json_t **out)
{
	json_t *def = NULL;
	db_stmt_t *st;
	int rc;

	*out = NULL;
	if (db_prepare(cx->db, "SELECT definition, created_at, created_by FROM "
	    "process_template_versions WHERE template_id = ? AND version = ?",
	    &st) != DB_OK)
		return db_fail(cx, "version");
	db_bind_int(st, 1, id);
	db_bind_int(st, 2, v);
	rc = db_step(st);
	if (rc == DB_ROW) {
		def = json_loads(db_col_text(st, 0, NULL), 0, NULL);
		if (def != NULL)
			*out = json_pack("{s:I, s:I, s:o, s:o, s:o}", "template_id",
			    (json_int_t)id, "version", (json_int_t)v, "definition",
			    def, "created_at", time_json(db_col_int(st, 1)),
			    "created_by", user_json(st, 2));
	}
	db_done(st);
	if (rc == DB_DONE)
		return core_fail(cx, CRM_ENOTFOUND, "No version %lld of process "
		    "template %lld", (long long)v, (long long)id);
	if (rc != DB_ROW)
		return db_fail(cx, "version step");
	if (def == NULL) {
		log_error("process template %lld version %lld: stored definition "
		    "is not JSON", (long long)id, (long long)v);
		return core_fail(cx, CRM_EDB, "A stored definition is damaged");
	}
	return CRM_OK;
}

/* The definition of version v of template id (*def: new reference). */
static int
load_def(struct core_ctx *cx, int64_t id, int64_t v, json_t **def)
{
	json_t *ver = NULL;
	int rc = load_version(cx, id, v, &ver);

	*def = rc == CRM_OK ? json_incref(json_object_get(ver, "definition")) :
	    NULL;
	json_decref(ver);
	return rc;
}

/*
 * Checks def and moves the problems it has into *errors (new reference,
 * [{field, message}]), leaving cx->errs as it was.
 */
static int
check_into(struct core_ctx *cx, json_t *def, json_t **errors)
{
	int n0 = cx->errs.n, d0 = cx->errs.dropped;
	int rc = procdef_check(cx, def);

	*errors = json_array();
	for (int i = n0; i < cx->errs.n; i++)
		json_array_append_new(*errors, json_pack("{s:s, s:s}", "field",
		    cx->errs.items[i].field, "message", cx->errs.items[i].message));
	if (cx->errs.dropped > d0)
		json_array_append_new(*errors, json_pack("{s:s, s:s}", "field",
		    "steps", "message", "more problems than are listed; fix "
		    "these first"));
	cx->errs.n = n0;
	cx->errs.dropped = d0;
	return rc;
}

/* ---- reading ---- */

int
proc_tpl_list(struct core_ctx *cx, const char *status, json_t **out)
{
	db_stmt_t *st;
	json_t *data;
	size_t i;
	json_t *t;
	int rc = proc_may(cx, false);

	*out = NULL;
	if (rc != CRM_OK)
		return rc;
	if (status == NULL)
		status = "active";
	if (strcmp(status, "active") != 0 && strcmp(status, "archived") != 0)
		return core_fail(cx, CRM_EBADQUERY, "status must be active or "
		    "archived");
	if (db_prepare(cx->db, "SELECT " TPL_COLUMNS " FROM process_templates "
	    "WHERE status = ? ORDER BY name, id LIMIT 1000", &st) != DB_OK)
		return db_fail(cx, "list");
	db_bind_text(st, 1, status, strlen(status));
	data = json_array();
	while ((rc = db_step(st)) == DB_ROW)
		json_array_append_new(data, row_json(st));
	db_done(st);
	if (rc != DB_DONE) {
		json_decref(data);
		return db_fail(cx, "list step");
	}
	rc = CRM_OK;
	/* Whether each still passes today (users and stages come and go). */
	json_array_foreach(data, i, t) {
		json_t *def = NULL, *errors = NULL;

		rc = load_def(cx, json_integer_value(json_object_get(t, "id")),
		    json_integer_value(json_object_get(t, "version")), &def);
		if (rc == CRM_OK)
			rc = check_into(cx, def, &errors);
		json_decref(def);
		if (rc != CRM_OK) {
			json_decref(errors);
			break;
		}
		json_object_set_new(t, "valid", json_boolean(json_array_size(
		    errors) == 0));
		json_decref(errors);
	}
	if (rc != CRM_OK) {
		json_decref(data);
		return rc;
	}
	*out = json_pack("{s:o, s:n}", "data", data, "next_cursor");
	return CRM_OK;
}

/* The template row (*out: new reference), or CRM_ENOTFOUND. */
static int
read_row(struct core_ctx *cx, int64_t id, json_t **out)
{
	db_stmt_t *st;
	int rc;

	*out = NULL;
	if (db_prepare(cx->db, "SELECT " TPL_COLUMNS " FROM process_templates "
	    "WHERE id = ?", &st) != DB_OK)
		return db_fail(cx, "read");
	db_bind_int(st, 1, id);
	rc = db_step(st);
	if (rc == DB_ROW)
		*out = row_json(st);
	db_done(st);
	if (rc == DB_DONE)
		return core_fail(cx, CRM_ENOTFOUND, "No process template with id "
		    "%lld", (long long)id);
	return rc == DB_ROW ? CRM_OK : db_fail(cx, "read step");
}

static int
add_versions(struct core_ctx *cx, int64_t id, json_t *tpl)
{
	json_t *list = json_array();
	db_stmt_t *st;
	int rc;

	if (db_prepare(cx->db, "SELECT version, created_at, created_by FROM "
	    "process_template_versions WHERE template_id = ? ORDER BY version "
	    "DESC", &st) != DB_OK) {
		json_decref(list);
		return db_fail(cx, "versions");
	}
	db_bind_int(st, 1, id);
	while ((rc = db_step(st)) == DB_ROW)
		json_array_append_new(list, json_pack("{s:I, s:o, s:o}", "version",
		    (json_int_t)db_col_int(st, 0), "created_at",
		    time_json(db_col_int(st, 1)), "created_by", user_json(st, 2)));
	db_done(st);
	json_object_set_new(tpl, "versions", list);
	return rc == DB_DONE ? CRM_OK : db_fail(cx, "versions step");
}

int
proc_tpl_get(struct core_ctx *cx, int64_t id, json_t **out)
{
	json_t *tpl = NULL, *def = NULL, *errors = NULL;
	int rc = proc_may(cx, false);

	*out = NULL;
	if (rc == CRM_OK)
		rc = read_row(cx, id, &tpl);
	if (rc == CRM_OK)
		rc = load_def(cx, id, json_integer_value(json_object_get(tpl,
		    "version")), &def);
	if (rc == CRM_OK)
		rc = check_into(cx, def, &errors);
	if (rc == CRM_OK)
		rc = add_versions(cx, id, tpl);
	if (rc == CRM_OK)
		rc = psched_next_run(cx, id, json_integer_value(json_object_get(tpl,
		    "version")), tpl);
	if (rc != CRM_OK) {
		json_decref(tpl);
		json_decref(def);
		json_decref(errors);
		return rc;
	}
	json_object_set_new(tpl, "definition", def);
	json_object_set_new(tpl, "valid", json_boolean(json_array_size(errors) ==
	    0));
	json_object_set_new(tpl, "errors", errors);
	*out = tpl;
	return CRM_OK;
}

int
proc_tpl_version(struct core_ctx *cx, int64_t id, int64_t version,
    json_t **out)
{
	int rc = proc_may(cx, false);

	*out = NULL;
	return rc == CRM_OK ? load_version(cx, id, version, out) : rc;
}

/* ---- writing ---- */

/* The definition as stored: compact JSON, capped. *text: free() it. */
static int
dump(struct core_ctx *cx, json_t *def, char **text)
{
	*text = json_dumps(def, JSON_COMPACT);
	if (*text == NULL)
		return core_fail(cx, CRM_EDB, "Could not write the definition");
	if (strlen(*text) > PROC_DEF_BYTES_MAX) {
		free(*text);
		*text = NULL;
		verrs_add(&cx->errs, "steps", "the definition is larger than %d "
		    "KiB", PROC_DEF_BYTES_MAX / 1024);
		return core_invalid(cx);
	}
	return CRM_OK;
}

static void
bind_actor(struct core_ctx *cx, db_stmt_t *st, int idx)
{
	if (cx->actor.user_id > 0)
		db_bind_int(st, idx, cx->actor.user_id);
	else
		db_bind_null(st, idx);
}

/* A write's start: the right to write, then the transaction. */
static int
write_begin(struct core_ctx *cx)
{
	int rc = proc_may(cx, true);

	if (rc != CRM_OK)
		return rc;
	if (db_begin(cx->db) != DB_OK)
		return db_fail(cx, "begin");
	/* What writes start (process_run.c) may change here. */
	core_memo(cx)->starts.txn = 0;
	return CRM_OK;
}

static int
insert_version(struct core_ctx *cx, int64_t id, int64_t version,
    const char *text, int64_t now)
{
	db_stmt_t *st;
	int rc;

	if (db_prepare(cx->db, "INSERT INTO process_template_versions "
	    "(template_id, version, definition, created_by, created_at) VALUES "
	    "(?, ?, ?, ?, ?)", &st) != DB_OK)
		return db_fail(cx, "version insert");
	db_bind_int(st, 1, id);
	db_bind_int(st, 2, version);
	db_bind_text(st, 3, text, strlen(text));
	bind_actor(cx, st, 4);
	db_bind_int(st, 5, now);
	rc = db_step(st);
	db_done(st);
	/* Two saves of the same version at once: the second one lost. */
	if (rc == DB_ECONSTRAINT)
		return core_fail(cx, CRM_ECONFLICT, "Version %lld was saved by "
		    "someone else meanwhile; reload the template", (long long)version);
	return rc == DB_DONE ? CRM_OK : db_fail(cx, "version insert step");
}

static int
audit(struct core_ctx *cx, const char *action, int64_t id, json_t *def,
    int64_t version)
{
	json_t *detail = json_pack("{s:O?, s:O?, s:I}", "key",
	    json_object_get(def, "key"), "name", json_object_get(def, "name"),
	    "version", (json_int_t)version);
	int rc = audit_append(cx, action, "process_templates", id, detail);

	json_decref(detail);
	return rc;
}

int
proc_tpl_create(struct core_ctx *cx, json_t *def, json_t **out)
{
	int64_t now = time_now_ms(), id = 0;
	char *text = NULL;
	db_stmt_t *st;
	int rc = write_begin(cx);

	*out = NULL;
	if (rc != CRM_OK)
		return rc;
	rc = procdef_check(cx, def);
	if (rc == CRM_OK && (cx->errs.n > 0 || cx->errs.dropped > 0))
		rc = core_invalid(cx);
	if (rc == CRM_OK)
		rc = dump(cx, def, &text);
	if (rc == CRM_OK && db_prepare(cx->db, "INSERT INTO process_templates "
	    "(key, name, entity, status, builtin, current_version, created_at, "
	    "created_by, updated_at, updated_by) VALUES (?, ?, ?, 'active', 0, "
	    "1, ?, ?, ?, ?) RETURNING id", &st) != DB_OK)
		rc = db_fail(cx, "create");
	if (rc == CRM_OK) {
		const char *k = json_string_value(json_object_get(def, "key"));
		const char *n = json_string_value(json_object_get(def, "name"));
		const char *e = json_string_value(json_object_get(def, "entity"));

		db_bind_text(st, 1, k, strlen(k));
		db_bind_text(st, 2, n, strlen(n));
		db_bind_text(st, 3, e, strlen(e));
		db_bind_int(st, 4, now);
		bind_actor(cx, st, 5);
		db_bind_int(st, 6, now);
		bind_actor(cx, st, 7);
		rc = db_step(st);
		if (rc == DB_ROW)
			id = db_col_int(st, 0);
		db_done(st);
		rc = rc == DB_ROW ? CRM_OK : rc == DB_ECONSTRAINT ?
		    core_fail(cx, CRM_EEXISTS, "A process template with key '%s' "
		    "exists (archived ones too)", k) : db_fail(cx, "create step");
	}
	if (rc == CRM_OK)
		rc = insert_version(cx, id, 1, text, now);
	if (rc == CRM_OK)
		rc = audit(cx, "process.template_created", id, def, 1);
	if (rc == CRM_OK)
		rc = psched_arm(cx, id, 1, def);
	if (rc == CRM_OK)
		rc = proc_tpl_get(cx, id, out);
	free(text);
	return core_txn_end(cx, rc, out);
}

int
proc_tpl_update(struct core_ctx *cx, int64_t id, int64_t if_version,
    json_t *def, json_t **out)
{
	json_t *cur = NULL, *old = NULL;
	int64_t now = time_now_ms(), version = 0;
	char *text = NULL;
	db_stmt_t *st;
	int rc = write_begin(cx);

	*out = NULL;
	if (rc != CRM_OK)
		return rc;
	rc = read_row(cx, id, &cur);
	if (rc == CRM_OK) {
		version = json_integer_value(json_object_get(cur, "version"));
		if (if_version >= 0 && if_version != version)
			rc = core_fail(cx, CRM_ECONFLICT, "The template has changed "
			    "since version %lld (now %lld); reload it",
			    (long long)if_version, (long long)version);
	}
	if (rc == CRM_OK)
		rc = procdef_check(cx, def);
	if (rc == CRM_OK && json_is_object(def) && !json_equal(json_object_get(
	    def, "key"), json_object_get(cur, "key")))
		verrs_add(&cx->errs, "key", "cannot change: it is '%s'",
		    json_string_value(json_object_get(cur, "key")));
	if (rc == CRM_OK && (cx->errs.n > 0 || cx->errs.dropped > 0))
		rc = core_invalid(cx);
	if (rc == CRM_OK)
		rc = load_def(cx, id, version, &old);
	/* The same definition again is no new version. */
	if (rc == CRM_OK && json_equal(old, def)) {
		json_decref(cur);
		json_decref(old);
		rc = proc_tpl_get(cx, id, out);
		return core_txn_end(cx, rc, out);
	}
	if (rc == CRM_OK)
		rc = dump(cx, def, &text);
	if (rc == CRM_OK)
		rc = insert_version(cx, id, version + 1, text, now);
	if (rc == CRM_OK && db_prepare(cx->db, "UPDATE process_templates SET "
	    "name = ?, entity = ?, current_version = ?, updated_at = ?, "
	    "updated_by = ? WHERE id = ?", &st) != DB_OK)
		rc = db_fail(cx, "update");
	if (rc == CRM_OK) {
		const char *n = json_string_value(json_object_get(def, "name"));
		const char *e = json_string_value(json_object_get(def, "entity"));

		db_bind_text(st, 1, n, strlen(n));
		db_bind_text(st, 2, e, strlen(e));
		db_bind_int(st, 3, version + 1);
		db_bind_int(st, 4, now);
		bind_actor(cx, st, 5);
		db_bind_int(st, 6, id);
		rc = db_step(st);
		db_done(st);
		rc = rc == DB_DONE ? CRM_OK : db_fail(cx, "update step");
	}
	if (rc == CRM_OK)
		rc = audit(cx, "process.template_versioned", id, def, version + 1);
	if (rc == CRM_OK)
		rc = psched_arm(cx, id, version + 1, def);
	if (rc == CRM_OK)
		rc = proc_tpl_get(cx, id, out);
	free(text);
	json_decref(cur);
	json_decref(old);
	return core_txn_end(cx, rc, out);
}

int
proc_tpl_set_archived(struct core_ctx *cx, int64_t id, bool archived,
    json_t **out)
{
	const char *to = archived ? "archived" : "active";
	json_t *cur = NULL;
	db_stmt_t *st;
	int rc = write_begin(cx);

	*out = NULL;
	if (rc != CRM_OK)
		return rc;
	rc = read_row(cx, id, &cur);
	/* Already so: nothing to change or to record. */
	if (rc == CRM_OK && strcmp(json_string_value(json_object_get(cur,
	    "status")), to) == 0) {
		json_decref(cur);
		rc = proc_tpl_get(cx, id, out);
		return core_txn_end(cx, rc, out);
	}
	if (rc == CRM_OK && db_prepare(cx->db, "UPDATE process_templates SET "
	    "status = ?, updated_at = ?, updated_by = ? WHERE id = ?", &st) !=
	    DB_OK)
		rc = db_fail(cx, "archive");
	if (rc == CRM_OK) {
		db_bind_text(st, 1, to, strlen(to));
		db_bind_int(st, 2, time_now_ms());
		bind_actor(cx, st, 3);
		db_bind_int(st, 4, id);
		rc = db_step(st);
		db_done(st);
		rc = rc == DB_DONE ? CRM_OK : db_fail(cx, "archive step");
	}
	if (rc == CRM_OK)
		rc = audit(cx, archived ? "process.template_archived" :
		    "process.template_restored", id, cur, json_integer_value(
		    json_object_get(cur, "version")));
	if (rc == CRM_OK)
		rc = proc_tpl_get(cx, id, out);
	json_decref(cur);
	return core_txn_end(cx, rc, out);
}

int
proc_tpl_validate(struct core_ctx *cx, json_t *def, json_t **out)
{
	int rc = proc_may(cx, false);

	*out = NULL;
	if (rc == CRM_OK)
		rc = procdef_check(cx, def);
	if (rc == CRM_OK && (cx->errs.n > 0 || cx->errs.dropped > 0))
		rc = core_invalid(cx);
	if (rc == CRM_OK)
		*out = json_pack("{s:b, s:[]}", "valid", true, "errors");
	return rc;
}

/* ---- the wizard ---- */

/* A template key from a name: lower-case ASCII words joined by '_'. */
static void
key_from(const char *name, char *out, size_t cap)
{
	size_t n = 0;
	bool gap = false;

	for (const char *p = name; p != NULL && *p != '\0' && n + 2 < cap; p++) {
		char ch = *p >= 'A' && *p <= 'Z' ? (char)(*p - 'A' + 'a') : *p;

		if ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9' && n > 0)) {
			if (gap && n > 0)
				out[n++] = '_';
			out[n++] = ch;
			gap = false;
		} else {
			gap = true;
		}
	}
	out[n] = '\0';
	if (n == 0)
		snprintf(out, cap, "process");
}

static void
wizard_check(struct core_ctx *cx, json_t *in, int *rc)
{
	static const char *const keys[] = { "name", "description", "entity",
	    "trigger", "steps" };
	/* The description is copied as given: the definition's check judges it. */
	static const char *const step_keys[] = { "who", "what", "hours",
	    "approval" };
	json_t *steps = json_object_get(in, "steps"), *s, *v;
	const char *key;
	char f[96];
	size_t i;

	json_object_foreach(in, key, v) {
		bool known = false;

		for (size_t k = 0; k < 5; k++)
			known |= strcmp(key, keys[k]) == 0;
		if (!known)
			verrs_add(&cx->errs, key, "is not a question of the wizard");
	}
	if (!core_text_ok(json_object_get(in, "name"), PROCDEF_NAME_MAX))
		verrs_add(&cx->errs, "name", "must be 1 to %d characters",
		    PROCDEF_NAME_MAX);
	if (procdef_entity(json_string_value(json_object_get(in, "entity"))) ==
	    NULL)
		verrs_add(&cx->errs, "entity", "must be deals, companies, contacts "
		    "or activities");
	if (!json_is_array(steps) || json_array_size(steps) == 0 ||
	    json_array_size(steps) > WIZARD_STEPS_MAX) {
		verrs_add(&cx->errs, "steps", "must list 1 to %d steps: {who, what, "
		    "hours, approval?}", WIZARD_STEPS_MAX);
		return;
	}
	json_array_foreach(steps, i, s) {
		json_object_foreach(s, key, v) {
			bool known = false;

			for (size_t k = 0; k < 4; k++)
				known |= strcmp(key, step_keys[k]) == 0;
			snprintf(f, sizeof(f), "steps[%zu].%.40s", i, key);
			if (!known)
				verrs_add(&cx->errs, f, "is not a question of the wizard");
		}
		snprintf(f, sizeof(f), "steps[%zu].who", i);
		if (*rc == CRM_OK)
			*rc = procdef_check_who(cx, f, json_object_get(s, "who"));
		snprintf(f, sizeof(f), "steps[%zu].what", i);
		if (!core_text_ok(json_object_get(s, "what"), PROCDEF_NAME_MAX))
			verrs_add(&cx->errs, f, "must say what to do in 1 to %d "
			    "characters", PROCDEF_NAME_MAX);
		v = json_object_get(s, "hours");
		snprintf(f, sizeof(f), "steps[%zu].hours", i);
		if (!json_is_integer(v) || json_integer_value(v) < 1 ||
		    json_integer_value(v) > WIZARD_HOURS_MAX)
			verrs_add(&cx->errs, f, "must be whole hours from 1 to %d",
			    WIZARD_HOURS_MAX);
		v = json_object_get(s, "approval");
		snprintf(f, sizeof(f), "steps[%zu].approval", i);
		if (v != NULL && !json_is_boolean(v))
			verrs_add(&cx->errs, f, "must be true or false");
	}
}

int
proc_wizard(struct core_ctx *cx, json_t *in, json_t **out)
{
	json_t *steps = json_object_get(in, "steps"), *s, *def, *list;
	json_t *trig = json_object_get(in, "trigger"), *desc;
	bool rejects = false;
	char key[PROCDEF_KEY_MAX + 1];
	size_t i, n;
	int rc = proc_may(cx, false);

	*out = NULL;
	if (rc != CRM_OK)
		return rc;
	wizard_check(cx, in, &rc);
	if (rc != CRM_OK)
		return rc;
	if (cx->errs.n > 0 || cx->errs.dropped > 0)
		return core_invalid(cx);
	key_from(json_string_value(json_object_get(in, "name")), key,
	    sizeof(key));
	n = json_array_size(steps);
	list = json_array();
	json_array_foreach(steps, i, s) {
		bool approval = json_is_true(json_object_get(s, "approval"));
		char id[32], next[32];
		json_t *step;

		snprintf(id, sizeof(id), "step_%zu", i + 1);
		if (i + 1 < n)
			snprintf(next, sizeof(next), "step_%zu", i + 2);
		else
			snprintf(next, sizeof(next), "done");
		step = json_pack("{s:s, s:s, s:O, s:{s:i, s:I}, s:O, s:{s:O, s:s, "
		    "s:{s:s}}}", "id", id, "kind", approval ? "approval" : "task",
		    "name", json_object_get(s, "what"), "position", "x", 0, "y",
		    (json_int_t)(i * 120), approval ? "approver" : "responsible",
		    json_object_get(s, "who"), "deadline", "amount",
		    json_object_get(s, "hours"), "unit", "hours", "on_overdue",
		    "action", "remind");
		if (approval)
			json_object_set_new(step, "branches", json_pack("{s:s, s:s}",
			    "approve", next, "reject", "rejected"));
		else
			json_object_set_new(step, "next", json_string(next));
		rejects |= approval;
		json_array_append_new(list, step);
	}
	json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:{s:i, s:I}}",
	    "id", "done", "kind", "end", "name", "Done", "position", "x", 0, "y",
	    (json_int_t)(n * 120)));
	if (rejects)
		json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:{s:i, "
		    "s:I}}", "id", "rejected", "kind", "end", "name", "Rejected",
		    "position", "x", 240, "y", (json_int_t)(n * 120)));
	desc = json_object_get(in, "description");
	def = json_pack("{s:s, s:O, s:o, s:O, s:o, s:s, s:o}", "key", key,
	    "name", json_object_get(in, "name"), "description", desc ?
	    json_incref(desc) : json_string(""), "entity", json_object_get(in,
	    "entity"), "trigger", trig ? json_incref(trig) : json_pack("{s:s}",
	    "type", "manual"), "start", "step_1", "steps", list);
	/* What it made must pass like anything saved (a bad trigger shows here). */
	rc = procdef_check(cx, def);
	if (rc == CRM_OK && (cx->errs.n > 0 || cx->errs.dropped > 0))
		rc = core_invalid(cx);
	if (rc != CRM_OK) {
		json_decref(def);
		return rc;
	}
	*out = def;
	return CRM_OK;
}
