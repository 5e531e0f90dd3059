/*
 * The service desk's admin tables (SLA policies, queues, canned responses)
 * on one small engine: a table is its typed columns (struct dtable), so
 * reading, checking, writing and auditing are written once. Rows carry
 * id, version, created_at and updated_at besides their columns; the name
 * column of each is unique (a taken name answers CRM_EEXISTS).
 */
#include "core/desk.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/audit.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/timeutil.h"

#define ROWS_MAX 1000	/* a list answers at most this many rows */

static int
db_fail(struct core_ctx *cx, const char *what)
{
	log_error("database: desk %s: %s", what, db_errmsg(cx->db));
	return core_fail(cx, CRM_EDB, "The database failed; nothing was changed");
}

static void
select_cols(const struct dtable *t, struct dbq *q)
{
	dbq_sql(q, "SELECT id, version, created_at, updated_at");
	for (size_t i = 0; i < t->ncols; i++)
		dbq_sql(q, ", %s", t->cols[i].type == DC_SIDE ? "NULL" :
		    t->cols[i].name);
	dbq_sql(q, " FROM %s", t->table);
}

static json_t *
row_json(const struct dtable *t, db_stmt_t *st)
{
	json_t *o = json_object();
	char ts[TIME_RFC3339_LEN];

	json_object_set_new(o, "id", json_integer(db_col_int(st, 0)));
	json_object_set_new(o, "version", json_integer(db_col_int(st, 1)));
	time_format(db_col_int(st, 2), ts, sizeof(ts));
	json_object_set_new(o, "created_at", json_string(ts));
	time_format(db_col_int(st, 3), ts, sizeof(ts));
	json_object_set_new(o, "updated_at", json_string(ts));
	for (size_t i = 0; i < t->ncols; i++) {
		const struct dcol *c = &t->cols[i];
		int col = (int)i + 4;
		size_t len;
		const char *s;
		json_t *v;

		if (c->type == DC_SIDE)
			continue;	/* the table's decorate adds it */
		if (db_col_null(st, col)) {
			json_object_set_new(o, c->name, json_null());
			continue;
		}
		switch (c->type) {
		case DC_INT:
			v = json_integer(db_col_int(st, col));
			break;
		case DC_BOOL:
			v = json_boolean(db_col_int(st, col) != 0);
			break;
		case DC_JSON:
			s = db_col_text(st, col, &len);
			v = json_loadb(s, len, 0, NULL);
			if (v == NULL)
				v = json_null();
			break;
		default:
			s = db_col_text(st, col, &len);
			v = json_stringn(s, len);
			break;
		}
		json_object_set_new(o, c->name, v);
	}
	return o;
}

int
dtable_read(struct core_ctx *cx, const struct dtable *t, int64_t id,
    json_t **out)
{
	struct dbq q;
	db_stmt_t *st;
	int rc;

	*out = NULL;
	dbq_init(&q);
	select_cols(t, &q);
	dbq_sql(&q, " WHERE id = ?");
	dbq_int(&q, id);
	if (db_prepare_q(cx->db, &q, &st) != DB_OK) {
		dbq_free(&q);
		return db_fail(cx, "read");
	}
	dbq_free(&q);
	rc = db_step(st);
	if (rc == DB_ROW)
		*out = row_json(t, st);
	db_done(st);
	if (rc != DB_ROW && rc != DB_DONE)
		return db_fail(cx, "read step");
	if (*out == NULL)
		return core_fail(cx, CRM_ENOTFOUND, "No such %s", t->singular);
	if (t->decorate != NULL && (rc = t->decorate(cx, *out)) != CRM_OK) {
		json_decref(*out);
		*out = NULL;
		return rc;
	}
	return CRM_OK;
}

int
dtable_list(struct core_ctx *cx, const struct dtable *t, json_t **out)
{
	json_t *data = json_array();
	struct dbq q;
	db_stmt_t *st;
	int rc;

	*out = NULL;
	rc = t->admin_read ? core_admin_only(cx, t->table) : CRM_OK;
	if (rc != CRM_OK) {
		json_decref(data);
		return rc;
	}
	dbq_init(&q);
	select_cols(t, &q);
	dbq_sql(&q, " ORDER BY %s LIMIT %d", t->order_by, ROWS_MAX);
	if (db_prepare_q(cx->db, &q, &st) != DB_OK) {
		dbq_free(&q);
		json_decref(data);
		return db_fail(cx, "list");
	}
	dbq_free(&q);
	while ((rc = db_step(st)) == DB_ROW)
		json_array_append_new(data, row_json(t, st));
	db_done(st);
	if (rc != DB_DONE) {
		json_decref(data);
		return db_fail(cx, "list step");
	}
	if (t->decorate != NULL) {
		size_t i;
		json_t *row;

		json_array_foreach(data, i, row) {
			rc = t->decorate(cx, row);
			if (rc != CRM_OK) {
				json_decref(data);
				return rc;
			}
		}
	}
	*out = json_pack("{s:o}", "data", data);
	return CRM_OK;
}

int
dtable_get(struct core_ctx *cx, const struct dtable *t, int64_t id,
    json_t **out)
{
	int rc = t->admin_read ? core_admin_only(cx, t->table) : CRM_OK;

	*out = NULL;
	return rc == CRM_OK ? dtable_read(cx, t, id, out) : rc;
}

static const struct dcol *
col_of(const struct dtable *t, const char *name)
{
	for (size_t i = 0; i < t->ncols; i++)
		if (strcmp(t->cols[i].name, name) == 0)
			return &t->cols[i];
	return NULL;
}

/* The shape of each key of in; unknown and read-only keys are refused. */
static void
check_keys(struct core_ctx *cx, const struct dtable *t, json_t *in)
{
	const char *key;
	json_t *v;

	json_object_foreach(in, key, v) {
		const struct dcol *c = col_of(t, key);

		if (c == NULL || (t->readonly != NULL &&
		    strcmp(t->readonly, key) == 0)) {
			verrs_add(&cx->errs, key, "is not a field one may write "
			    "(%s)", t->singular);
			continue;
		}
		if (json_is_null(v)) {
			if (c->required)
				verrs_add(&cx->errs, key, "is required");
			continue;
		}
		switch (c->type) {
		case DC_INT:
			if (!json_is_integer(v) || json_integer_value(v) < 0)
				verrs_add(&cx->errs, key, "must be a whole number "
				    "of 0 or more");
			break;
		case DC_BOOL:
			if (!json_is_boolean(v))
				verrs_add(&cx->errs, key, "must be true or false");
			break;
		case DC_SIDE:
			if (!json_is_array(v))
				verrs_add(&cx->errs, key, "must be an array");
			break;
		case DC_JSON:
			if (!json_is_array(v) && !json_is_object(v))
				verrs_add(&cx->errs, key, "must be an array or an "
				    "object");
			break;
		default:
			if (!core_text_ok(v, c->maxlen))
				verrs_add(&cx->errs, key, "must be text of 1 to %zu "
				    "characters", c->maxlen);
			break;
		}
	}
}

static void
check_required(struct core_ctx *cx, const struct dtable *t, json_t *merged)
{
	for (size_t i = 0; i < t->ncols; i++) {
		json_t *v = json_object_get(merged, t->cols[i].name);

		if (t->cols[i].required && (v == NULL || json_is_null(v)))
			verrs_add(&cx->errs, t->cols[i].name, "is required");
	}
}

static void
bind_col(db_stmt_t *st, int idx, const struct dcol *c, json_t *v)
{
	char *s;

	if (v == NULL || json_is_null(v)) {
		db_bind_null(st, idx);
		return;
	}
	switch (c->type) {
	case DC_INT:
		db_bind_int(st, idx, json_integer_value(v));
		break;
	case DC_BOOL:
		db_bind_int(st, idx, json_is_true(v) ? 1 : 0);
		break;
	case DC_JSON:
		s = json_dumps(v, JSON_COMPACT);
		db_bind_text(st, idx, s != NULL ? s : "null",
		    s != NULL ? strlen(s) : 4);
		free(s);
		break;
	default:
		db_bind_text(st, idx, json_string_value(v), json_string_length(v));
		break;
	}
}

/* Writes merged as row id (0: a new row, *id set), bumping the version. */
static int
write_row(struct core_ctx *cx, const struct dtable *t, json_t *merged,
    int64_t *id)
{
	struct buf sql;
	db_stmt_t *st;
	int64_t now = time_now_ms();
	int rc, idx = 1;

	buf_init(&sql, 4096);
	if (*id == 0) {
		buf_printf(&sql, "INSERT INTO %s (created_at, updated_at", t->table);
		for (size_t i = 0; i < t->ncols; i++)
			if (t->cols[i].type != DC_SIDE)
				buf_printf(&sql, ", %s", t->cols[i].name);
		buf_printf(&sql, ") VALUES (?, ?");
		for (size_t i = 0; i < t->ncols; i++)
			if (t->cols[i].type != DC_SIDE)
				buf_printf(&sql, ", ?");
		buf_printf(&sql, ") RETURNING id");
	} else {
		buf_printf(&sql, "UPDATE %s SET version = version + 1, "
		    "updated_at = ?", t->table);
		for (size_t i = 0; i < t->ncols; i++)
			if (t->cols[i].type != DC_SIDE)
				buf_printf(&sql, ", %s = ?", t->cols[i].name);
		buf_printf(&sql, " WHERE id = ?");
	}
	if (db_prepare(cx->db, sql.data, &st) != DB_OK) {
		buf_free(&sql);
		return db_fail(cx, "write");
	}
	buf_free(&sql);
	if (*id == 0)
		db_bind_int(st, idx++, now);
	db_bind_int(st, idx++, now);
	for (size_t i = 0; i < t->ncols; i++)
		if (t->cols[i].type != DC_SIDE)
			bind_col(st, idx++, &t->cols[i], json_object_get(merged,
			    t->cols[i].name));
	if (*id != 0)
		db_bind_int(st, idx, *id);
	rc = db_step(st);
	if (rc == DB_ROW && *id == 0)
		*id = db_col_int(st, 0);
	db_done(st);
	if (rc == DB_ECONSTRAINT)
		return core_fail(cx, CRM_EEXISTS, "A %s with this name already "
		    "exists", t->singular);
	if (rc != DB_ROW && rc != DB_DONE)
		return db_fail(cx, "write step");
	return CRM_OK;
}

/* The write both create and update share, in one transaction. */
static int
save(struct core_ctx *cx, const struct dtable *t, int64_t id, json_t *in,
    json_t **out)
{
	json_t *cur = NULL, *merged;
	const char *key;
	json_t *v;
	int rc;

	*out = NULL;
	rc = core_admin_only(cx, t->table);
	if (rc != CRM_OK)
		return rc;
	check_keys(cx, t, in);
	if (cx->errs.n > 0)
		return core_invalid(cx);
	if (db_begin(cx->db) != DB_OK)
		return db_fail(cx, "begin");
	if (id != 0) {
		rc = dtable_read(cx, t, id, &cur);
		if (rc != CRM_OK)
			return core_txn_end(cx, rc, NULL);
		merged = json_deep_copy(cur);
	} else {
		merged = json_object();
	}
	json_object_foreach(in, key, v)
		json_object_set(merged, key, v);
	check_required(cx, t, merged);
	rc = cx->errs.n == 0 ? t->check(cx, merged) : CRM_OK;
	if (rc == CRM_OK && cx->errs.n > 0)
		rc = core_invalid(cx);
	if (rc == CRM_OK)
		rc = write_row(cx, t, merged, &id);
	if (rc == CRM_OK && t->after_write != NULL)
		rc = t->after_write(cx, id, merged);
	if (rc == CRM_OK) {
		char action[64];
		json_t *detail = cur != NULL ? audit_diff(cur, merged) :
		    json_incref(merged);

		snprintf(action, sizeof(action), "%s.%s", t->table,
		    cur != NULL ? "update" : "create");
		rc = audit_append(cx, action, t->table, id, detail);
		json_decref(detail);
	}
	if (rc == CRM_OK)
		rc = dtable_read(cx, t, id, out);
	json_decref(cur);
	json_decref(merged);
	return core_txn_end(cx, rc, out);
}

int
dtable_create(struct core_ctx *cx, const struct dtable *t, json_t *in,
    json_t **out)
{
	return save(cx, t, 0, in, out);
}

int
dtable_update(struct core_ctx *cx, const struct dtable *t, int64_t id,
    json_t *in, json_t **out)
{
	return save(cx, t, id, in, out);
}

int
desk_exec(struct core_ctx *cx, const char *sql, int64_t a, int64_t b,
    int64_t *first)
{
	db_stmt_t *st;
	int rc;

	if (db_prepare(cx->db, sql, &st) != DB_OK)
		return db_fail(cx, "exec");
	db_bind_int(st, 1, a);
	if (b > 0)
		db_bind_int(st, 2, b);
	rc = db_step(st);
	if (rc == DB_ROW && first != NULL)
		*first = db_col_null(st, 0) ? 0 : db_col_int(st, 0);
	db_done(st);
	return rc == DB_ROW || rc == DB_DONE ? CRM_OK : db_fail(cx, "exec step");
}

int
dtable_delete(struct core_ctx *cx, const struct dtable *t, int64_t id)
{
	json_t *cur = NULL;
	int64_t used = 0;
	char sql[128], action[64];
	int rc = core_admin_only(cx, t->table);

	if (rc != CRM_OK)
		return rc;
	if (db_begin(cx->db) != DB_OK)
		return db_fail(cx, "begin");
	rc = dtable_read(cx, t, id, &cur);
	if (rc == CRM_OK && t->in_use_sql != NULL)
		rc = desk_exec(cx, t->in_use_sql, id, 0, &used);
	if (rc == CRM_OK && used > 0)
		rc = core_fail(cx, CRM_EINUSE, "The %s is in use (%lld records name "
		    "it); change those first", t->singular,
		    (long long)used);
	if (rc == CRM_OK && t->before_delete_sql != NULL)
		rc = desk_exec(cx, t->before_delete_sql, id, 0, NULL);
	snprintf(sql, sizeof(sql), "DELETE FROM %s WHERE id = ?", t->table);
	if (rc == CRM_OK)
		rc = desk_exec(cx, sql, id, 0, NULL);
	snprintf(action, sizeof(action), "%s.delete", t->table);
	if (rc == CRM_OK)
		rc = audit_append(cx, action, t->table, id, cur);
	json_decref(cur);
	return core_txn_end(cx, rc, NULL);
}
