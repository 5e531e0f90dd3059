/* The request context shared by every core call, and opening the store. */
#include "core/core.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "util/alloc.h"
#include "util/log.h"
#include "util/timeutil.h"
#include "util/text.h"

void
verrs_add(struct verrs *e, const char *field, const char *fmt, ...)
{
	struct verr *v;
	va_list ap;

	if (e->n >= VERR_MAX) {
		e->dropped++;
		return;
	}
	v = &e->items[e->n++];
	snprintf(v->field, sizeof(v->field), "%s", field);
	va_start(ap, fmt);
	vsnprintf(v->message, sizeof(v->message), fmt, ap);
	va_end(ap);
}

void
core_ctx_init(struct core_ctx *cx, db_t *db, const struct actor *actor)
{
	cx->db = db;
	if (actor != NULL)
		cx->actor = *actor;
	else
		memset(&cx->actor, 0, sizeof(cx->actor));
	cx->errs.n = 0;
	cx->errs.dropped = 0;
	cx->detail[0] = '\0';
	cx->jobs_queued = false;
	cx->proc_depth = 0;
	cx->webhook_loopback = false;
	cx->session = NULL;
	cx->address = NULL;
	cx->agent = NULL;
	cx->audit_key = NULL;
	cx->watch = NULL;
	cx->mail = NULL;
	cx->rights.loaded = false;
	cx->rights.nseen = 0;
	cx->retry_after_s = 0;
}

int
core_invalid(struct core_ctx *cx)
{
	int n = cx->errs.n + cx->errs.dropped;

	return core_fail(cx, CRM_EINVAL, "%d field%s invalid", n,
	    n == 1 ? " is" : "s are");
}

int
core_admin_only(struct core_ctx *cx, const char *what)
{
	if (cx->actor.is_admin || cx->actor.user_id == 0)
		return CRM_OK;
	return core_fail(cx, CRM_EFORBIDDEN, "Only an administrator can %s", what);
}

void
core_bind_actor(struct core_ctx *cx, db_stmt_t *st, int idx)
{
	if (cx->actor.user_id > 0)
		db_bind_int(st, idx, cx->actor.user_id);
	else
		db_bind_null(st, idx);
}

int
core_txn_end(struct core_ctx *cx, int rc, json_t **out)
{
	if (rc == CRM_OK && db_commit(cx->db) != DB_OK) {
		log_error("database: commit: %s", db_errmsg(cx->db));
		rc = core_fail(cx, CRM_EDB, "The database failed; nothing was "
		    "changed");
	}
	if (rc != CRM_OK) {
		db_rollback(cx->db);
		if (out != NULL) {
			json_decref(*out);
			*out = NULL;
		}
	}
	return rc;
}

int
core_fail(struct core_ctx *cx, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cx->detail, sizeof(cx->detail), fmt, ap);
	va_end(ap);
	return code;
}

int
core_probe(struct core_ctx *cx, const char *what, const char *sql,
    const int64_t *v, int n, bool *found)
{
	db_stmt_t *st;
	int rc;

	*found = false;
	if (db_prepare(cx->db, sql, &st) != DB_OK) {
		log_error("database: %s: %s", what, db_errmsg(cx->db));
		return core_fail(cx, CRM_EDB, "The database failed");
	}
	for (int i = 0; i < n; i++)
		db_bind_int(st, i + 1, v[i]);
	rc = db_step(st);
	*found = rc == DB_ROW;
	db_done(st);
	if (rc == DB_ROW || rc == DB_DONE)
		return CRM_OK;
	log_error("database: %s: %s", what, db_errmsg(cx->db));
	return core_fail(cx, CRM_EDB, "The database failed");
}

int
core_ping(struct core_ctx *cx)
{
	db_stmt_t *st;
	int rc;

	if (db_prepare(cx->db, "SELECT 1", &st) != DB_OK)
		return core_fail(cx, CRM_EDB, "The database is unreachable");
	rc = db_step(st);
	db_done(st);
	return rc == DB_ROW ? CRM_OK :
	    core_fail(cx, CRM_EDB, "The database is unreachable");
}

static void
memo_free(void *p)
{
	struct core_memo *m = p;

	json_decref(m->defs.v);
	json_decref(m->starts.v);
	free(m);
}

struct core_memo *
core_memo(struct core_ctx *cx)
{
	struct core_memo *m = db_memo(cx->db);

	if (m == NULL) {
		m = xcalloc(1, sizeof(*m));
		db_set_memo(cx->db, m, memo_free);
	}
	return m;
}

/* This transaction's number, if it holds the audit lock (memo_list). */
static uint64_t
memo_txn(struct core_ctx *cx)
{
	return db_lock_held(cx->db, "audit_log") ? db_txn(cx->db) : 0;
}

json_t *
core_memo_get(struct core_ctx *cx, struct memo_list *l, const char *entity)
{
	uint64_t txn = memo_txn(cx);

	if (txn == 0 || l->txn != txn || strcmp(l->entity, entity) != 0)
		return NULL;
	return json_incref(l->v);
}

void
core_memo_put(struct core_ctx *cx, struct memo_list *l, const char *entity,
    json_t *v)
{
	uint64_t txn = memo_txn(cx);

	if (txn == 0 || strlen(entity) >= sizeof(l->entity))
		return;
	json_decref(l->v);
	l->v = json_incref(v);
	l->txn = txn;
	snprintf(l->entity, sizeof(l->entity), "%s", entity);
}

int
core_library_init(void)
{
	return db_library_init();
}

int
core_open_db(const char *path, db_t **out, char *err, size_t errlen)
{
	db_t *db;

	if (db_open(path, &db, err, errlen) != DB_OK)
		return CRM_EDB;
	if (db_migrate(db, err, errlen) != DB_OK) {
		db_close(db);
		return CRM_EDB;
	}
	*out = db;
	return CRM_OK;
}

bool
core_text_ok(const struct json_t *v, size_t max)
{
	const char *s = json_string_value(v);
	size_t len = json_string_length(v);

	return json_is_string(v) && len > 0 && text_utf8_valid(s, len) &&
	    text_is_printable(s, len) && text_utf8_count(s, len) <= max;
}

int
core_exec(struct core_ctx *cx, const char *sql, const char *fmt, ...)
{
	db_stmt_t *st;
	va_list ap;
	int rc, i = 1;

	if (db_prepare(cx->db, sql, &st) != DB_OK)
		goto fail;
	va_start(ap, fmt);
	for (const char *f = fmt; *f; f++, i++) {
		if (*f == 'i' || *f == 'n') {
			int64_t v = va_arg(ap, int64_t);

			if (*f == 'n' && v == 0)
				db_bind_null(st, i);
			else
				db_bind_int(st, i, v);
		} else {
			const char *s = va_arg(ap, const char *);

			if (s == NULL)
				db_bind_null(st, i);
			else
				db_bind_text(st, i, s, strlen(s));
		}
	}
	va_end(ap);
	rc = db_step(st);
	db_done(st);
	if (rc == DB_DONE || rc == DB_ROW)
		return CRM_OK;
fail:
	log_error("database: %s: %s", sql, db_errmsg(cx->db));
	return core_fail(cx, CRM_EDB, "The database failed");
}

json_t *
core_col_time(db_stmt_t *st, int col)
{
	char ts[TIME_RFC3339_LEN];

	if (db_col_null(st, col))
		return json_null();
	time_format(db_col_int(st, col), ts, sizeof(ts));
	return json_string(ts);
}
