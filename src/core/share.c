/* Shares and owner transfers (see share.h). */
#include "core/share.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/access.h"
#include "core/audit.h"
#include "core/notify.h"
#include "core/record.h"
#include "core/twofactor.h"
#include "util/alloc.h"
#include "util/log.h"
#include "util/timeutil.h"

static int
db_fail(struct core_ctx *cx, const char *what)
{
	log_error("database: share %s: %s", what, db_errmsg(cx->db));
	return core_fail(cx, CRM_EDB, "The database failed; nothing was changed");
}

static int
query_shares(struct core_ctx *cx, const struct entity *e, int64_t id,
    json_t **out)
{
	db_stmt_t *st;
	json_t *arr = json_array();
	int rc;

	if (db_prepare(cx->db, "SELECT id, user_id, department_id, access, "
	    "created_at, created_by FROM record_shares WHERE entity = ? AND "
	    "record_id = ? ORDER BY id", &st) != DB_OK) {
		json_decref(arr);
		return db_fail(cx, "list");
	}
	db_bind_text(st, 1, e->name, strlen(e->name));
	db_bind_int(st, 2, id);
	while ((rc = db_step(st)) == DB_ROW) {
		char ts[TIME_RFC3339_LEN];

		time_format(db_col_int(st, 4), ts, sizeof(ts));
		json_array_append_new(arr, json_pack("{s:I, s:o, s:o, s:s, s:s, s:o}",
		    "id", (json_int_t)db_col_int(st, 0),
		    "user_id", db_col_null(st, 1) ? json_null() :
		    json_integer(db_col_int(st, 1)),
		    "department_id", db_col_null(st, 2) ? json_null() :
		    json_integer(db_col_int(st, 2)),
		    "access", db_col_text(st, 3, NULL),
		    "created_at", ts,
		    "created_by", db_col_null(st, 5) ? json_null() :
		    json_integer(db_col_int(st, 5))));
	}
	db_done(st);
	if (rc != DB_DONE) {
		json_decref(arr);
		return db_fail(cx, "list step");
	}
	*out = json_pack("{s:o}", "data", arr);
	return CRM_OK;
}

int
share_list(struct core_ctx *cx, const struct entity *e, int64_t id,
    json_t **out)
{
	int rc = access_check(cx, e, ACC_READ, id, false);

	return rc != CRM_OK ? rc : query_shares(cx, e, id, out);
}

/* Whether a row with this id exists in table (users must be active). */
static int
target_exists(struct core_ctx *cx, bool user, int64_t id, bool *yes)
{
	db_stmt_t *st;
	int rc;

	if (db_prepare(cx->db, user ? "SELECT 1 FROM users WHERE id = ? AND "
	    "active = 1" : "SELECT 1 FROM departments WHERE id = ?", &st) != DB_OK)
		return db_fail(cx, "target");
	db_bind_int(st, 1, id);
	rc = db_step(st);
	db_done(st);
	*yes = rc == DB_ROW;
	return rc == DB_ROW || rc == DB_DONE ? CRM_OK : db_fail(cx, "target step");
}

static int
check_share(struct core_ctx *cx, json_t *in)
{
	json_t *u = json_object_get(in, "user_id");
	json_t *d = json_object_get(in, "department_id");
	const char *access = json_string_value(json_object_get(in, "access"));
	const char *key;
	json_t *v;
	bool yes = false;
	int rc = CRM_OK;

	json_object_foreach(in, key, v)
		if (strcmp(key, "user_id") != 0 && strcmp(key, "department_id") != 0 &&
		    strcmp(key, "access") != 0)
			verrs_add(&cx->errs, key, "is not a field of a share");
	if ((u == NULL || json_is_null(u)) == (d == NULL || json_is_null(d)))
		verrs_add(&cx->errs, "user_id", "give either user_id or "
		    "department_id");
	else if (!json_is_integer(u ? u : d) ||
	    json_integer_value(u ? u : d) <= 0)
		verrs_add(&cx->errs, u ? "user_id" : "department_id", "must be an id");
	else {
		rc = target_exists(cx, u != NULL, json_integer_value(u ? u : d), &yes);
		if (rc == CRM_OK && !yes)
			verrs_add(&cx->errs, u ? "user_id" : "department_id",
			    u ? "no active user with this id" :
			    "no department with this id");
	}
	if (access == NULL || (strcmp(access, "read") != 0 &&
	    strcmp(access, "write") != 0))
		verrs_add(&cx->errs, "access", "must be read or write");
	return rc;
}

int
share_add(struct core_ctx *cx, const struct entity *e, int64_t id, json_t *in,
    json_t **out)
{
	json_t *u = json_object_get(in, "user_id");
	json_t *d = json_object_get(in, "department_id");
	const char *access;
	db_stmt_t *st;
	int64_t n = 0;
	int rc;

	*out = NULL;
	if (db_begin(cx->db) != DB_OK)
		return db_fail(cx, "begin");
	rc = access_check_owned(cx, e, id);
	if (rc == CRM_OK)
		rc = check_share(cx, in);
	if (rc == CRM_OK && (cx->errs.n > 0 || cx->errs.dropped > 0))
		rc = core_invalid(cx);
	if (rc != CRM_OK)
		goto out;
	access = json_string_value(json_object_get(in, "access"));
	/* One share per person or department: sharing again changes it. */
	if (db_prepare(cx->db, u != NULL && !json_is_null(u) ?
	    "DELETE FROM record_shares WHERE entity = ? AND record_id = ? AND "
	    "user_id = ?" : "DELETE FROM record_shares WHERE entity = ? AND "
	    "record_id = ? AND department_id = ?", &st) != DB_OK) {
		rc = db_fail(cx, "replace");
		goto out;
	}
	db_bind_text(st, 1, e->name, strlen(e->name));
	db_bind_int(st, 2, id);
	db_bind_int(st, 3, json_integer_value(u && !json_is_null(u) ? u : d));
	rc = db_step(st) == DB_DONE ? CRM_OK : db_fail(cx, "replace step");
	db_done(st);
	if (rc != CRM_OK)
		goto out;
	if (db_prepare(cx->db, "SELECT COUNT(*) FROM record_shares WHERE "
	    "entity = ? AND record_id = ?", &st) != DB_OK) {
		rc = db_fail(cx, "count");
		goto out;
	}
	db_bind_text(st, 1, e->name, strlen(e->name));
	db_bind_int(st, 2, id);
	if (db_step(st) == DB_ROW)
		n = db_col_int(st, 0);
	db_done(st);
	if (n >= SHARES_MAX) {
		rc = core_fail(cx, CRM_EINUSE, "A record can be shared at most "
		    "%d times; share with a department instead", SHARES_MAX);
		goto out;
	}
	if (db_prepare(cx->db, "INSERT INTO record_shares (entity, record_id, "
	    "user_id, department_id, access, created_at, created_by) VALUES "
	    "(?, ?, ?, ?, ?, ?, ?)", &st) != DB_OK) {
		rc = db_fail(cx, "insert");
		goto out;
	}
	db_bind_text(st, 1, e->name, strlen(e->name));
	db_bind_int(st, 2, id);
	if (u != NULL && !json_is_null(u)) {
		db_bind_int(st, 3, json_integer_value(u));
		db_bind_null(st, 4);
	} else {
		db_bind_null(st, 3);
		db_bind_int(st, 4, json_integer_value(d));
	}
	db_bind_text(st, 5, access, strlen(access));
	db_bind_int(st, 6, time_now_ms());
	if (cx->actor.user_id > 0)
		db_bind_int(st, 7, cx->actor.user_id);
	else
		db_bind_null(st, 7);
	rc = db_step(st) == DB_DONE ? CRM_OK : db_fail(cx, "insert step");
	db_done(st);
	if (rc == CRM_OK)
		rc = audit_append(cx, "record.share", e->name, id, in);
	if (rc == CRM_OK)
		rc = query_shares(cx, e, id, out);
out:
	return core_txn_end(cx, rc, out);
}

int
share_delete(struct core_ctx *cx, const struct entity *e, int64_t id,
    int64_t share_id)
{
	db_stmt_t *st;
	int rc;

	if (db_begin(cx->db) != DB_OK)
		return db_fail(cx, "begin");
	rc = access_check_owned(cx, e, id);
	if (rc == CRM_OK && db_prepare(cx->db, "DELETE FROM record_shares WHERE "
	    "id = ? AND entity = ? AND record_id = ?", &st) != DB_OK)
		rc = db_fail(cx, "delete");
	if (rc == CRM_OK) {
		db_bind_int(st, 1, share_id);
		db_bind_text(st, 2, e->name, strlen(e->name));
		db_bind_int(st, 3, id);
		rc = db_step(st) == DB_DONE ? CRM_OK : db_fail(cx, "delete step");
		db_done(st);
		if (rc == CRM_OK && db_changes(cx->db) != 1)
			rc = core_fail(cx, CRM_ENOTFOUND, "This %s has no share with "
			    "id %lld", e->singular, (long long)share_id);
	}
	if (rc == CRM_OK) {
		json_t *d = json_pack("{s:I}", "share_id", (json_int_t)share_id);

		rc = audit_append(cx, "record.unshare", e->name, id, d);
		json_decref(d);
	}
	rc = core_txn_end(cx, rc, NULL);
	return rc;
}

/* ---- transfers ---- */

struct idlist {
	int64_t	*v;
	size_t	 n;
	size_t	 cap;
};

static void
idlist_add(struct idlist *l, int64_t id)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 64;
		l->v = xrealloc(l->v, l->cap * sizeof(*l->v));
	}
	l->v[l->n++] = id;
}

/* Reads a JSON array of positive ids into l; errors name the field. */
static void
read_ids(struct core_ctx *cx, const char *key, json_t *arr, size_t max,
    struct idlist *l)
{
	size_t i;
	json_t *v;

	if (!json_is_array(arr) || json_array_size(arr) == 0 ||
	    json_array_size(arr) > max) {
		verrs_add(&cx->errs, key, "must be a list of 1 to %zu ids", max);
		return;
	}
	json_array_foreach(arr, i, v) {
		if (!json_is_integer(v) || json_integer_value(v) <= 0) {
			verrs_add(&cx->errs, key, "must hold only positive ids");
			return;
		}
		idlist_add(l, json_integer_value(v));
	}
}

/* The live records of owner from the actor may assign. */
static int
owned_ids(struct core_ctx *cx, const struct entity *e, int64_t owner,
    struct idlist *l)
{
	struct dbq q;
	db_stmt_t *st;
	int rc;

	dbq_init(&q);
	dbq_sql(&q, "SELECT t.id FROM %s t WHERE t.owner_id = ? AND "
	    "t.deleted_at IS NULL", e->name);
	dbq_int(&q, owner);
	rc = access_where(cx, e, ACC_ASSIGN, "t", &q);
	dbq_sql(&q, " ORDER BY t.id LIMIT ?");
	dbq_int(&q, TRANSFER_MAX + 1);
	if (rc == CRM_OK && db_prepare_q(cx->db, &q, &st) != DB_OK)
		rc = db_fail(cx, "owned");
	dbq_free(&q);
	if (rc != CRM_OK)
		return rc;
	while ((rc = db_step(st)) == DB_ROW)
		idlist_add(l, db_col_int(st, 0));
	db_done(st);
	if (rc != DB_DONE)
		return db_fail(cx, "owned step");
	if (l->n > TRANSFER_MAX)
		return core_fail(cx, CRM_EINVAL, "More than %d records: transfer "
		    "them in parts by ids", TRANSFER_MAX);
	return CRM_OK;
}

static int
set_owner(struct core_ctx *cx, const struct entity *e, int64_t id,
    int64_t owner)
{
	char sql[192];
	db_stmt_t *st;
	json_t *detail;
	int64_t old = 0;
	int rc;

	snprintf(sql, sizeof(sql), "SELECT owner_id FROM %s WHERE id = ?", e->name);
	if (db_prepare(cx->db, sql, &st) != DB_OK)
		return db_fail(cx, "owner before");
	db_bind_int(st, 1, id);
	if (db_step(st) == DB_ROW && !db_col_null(st, 0))
		old = db_col_int(st, 0);
	db_done(st);
	snprintf(sql, sizeof(sql), "UPDATE %s SET owner_id = ?, updated_at = ?, "
	    "updated_by = ?, version = version + 1 WHERE id = ? AND "
	    "deleted_at IS NULL", e->name);
	if (db_prepare(cx->db, sql, &st) != DB_OK)
		return db_fail(cx, "owner");
	db_bind_int(st, 1, owner);
	db_bind_int(st, 2, time_now_ms());
	if (cx->actor.user_id > 0)
		db_bind_int(st, 3, cx->actor.user_id);
	else
		db_bind_null(st, 3);
	db_bind_int(st, 4, id);
	rc = db_step(st);
	db_done(st);
	if (rc != DB_DONE)
		return db_fail(cx, "owner step");
	detail = json_pack("{s:{s:[oI]}}", "changes", "owner_id",
	    old > 0 ? json_integer(old) : json_null(), (json_int_t)owner);
	rc = audit_append(cx, "record.transfer", e->name, id, detail);
	json_decref(detail);
	/* Both people hear of it, as when one task is reassigned. */
	if (rc == CRM_OK && e == &entity_activities)
		rc = notify_owner_moved(cx, id, old, owner);
	return rc;
}

/*
 * A mass owner change from a browser session of a user with a second
 * factor needs that factor confirmed within STEPUP_MAX_AGE_MS. API tokens
 * are a second secret of their own and are not asked.
 */
static int
stepup_ok(struct core_ctx *cx)
{
	json_t *st = NULL;
	bool has, ok = false;
	int rc;

	if (cx->session == NULL || cx->session[0] == '\0')
		return CRM_OK;
	rc = twofa_status(cx, &st);
	if (rc != CRM_OK)
		return rc;
	has = json_is_true(json_object_get(st, "totp")) ||
	    json_array_size(json_object_get(st, "webauthn")) > 0;
	json_decref(st);
	if (!has)
		return CRM_OK;
	rc = twofa_recent_stepup(cx, cx->session, STEPUP_MAX_AGE_MS, &ok);
	if (rc == CRM_OK && !ok)
		rc = core_fail(cx, CRM_ESTEPUP, "Moving several records at once "
		    "needs your code or security key again: confirm it "
		    "(POST /api/v1/auth/step-up) and repeat the transfer");
	return rc;
}

int
transfer_records(struct core_ctx *cx, const struct entity *e, json_t *in,
    json_t **out)
{
	struct idlist ids = { 0 }, to = { 0 };
	json_t *from = json_object_get(in, "from_user_id"), *counts;
	json_t *one = json_object_get(in, "to_user_id");
	const char *key;
	json_t *v;
	int rc = CRM_OK;

	json_object_foreach(in, key, v)
		if (strcmp(key, "ids") != 0 && strcmp(key, "from_user_id") != 0 &&
		    strcmp(key, "to_user_id") != 0 && strcmp(key, "to_user_ids") != 0)
			verrs_add(&cx->errs, key, "is not a field of a transfer");
	if ((json_object_get(in, "ids") == NULL) == (from == NULL))
		verrs_add(&cx->errs, "ids", "give either ids or from_user_id");
	else if (from == NULL)
		read_ids(cx, "ids", json_object_get(in, "ids"), TRANSFER_MAX, &ids);
	else if (!json_is_integer(from) || json_integer_value(from) <= 0)
		verrs_add(&cx->errs, "from_user_id", "must be a user id");
	if ((one == NULL) == (json_object_get(in, "to_user_ids") == NULL))
		verrs_add(&cx->errs, "to_user_id", "give either to_user_id or "
		    "to_user_ids");
	else if (one != NULL && (!json_is_integer(one) ||
	    json_integer_value(one) <= 0))
		verrs_add(&cx->errs, "to_user_id", "must be a user id");
	else if (one != NULL)
		idlist_add(&to, json_integer_value(one));
	else
		read_ids(cx, "to_user_ids", json_object_get(in, "to_user_ids"), 100,
		    &to);
	if (cx->errs.n > 0 || cx->errs.dropped > 0) {
		free(ids.v);
		free(to.v);
		return core_invalid(cx);
	}
	if (db_begin(cx->db) != DB_OK) {
		free(ids.v);
		free(to.v);
		return db_fail(cx, "begin");
	}
	/* The records first: a hidden one answers 404 before anything else. */
	if (rc == CRM_OK && from != NULL)
		rc = owned_ids(cx, e, json_integer_value(from), &ids);
	for (size_t i = 0; i < ids.n && rc == CRM_OK && from == NULL; i++)
		rc = access_check(cx, e, ACC_ASSIGN, ids.v[i], false);
	if (rc == CRM_OK && ids.n > 1)
		rc = stepup_ok(cx);
	for (size_t i = 0; i < to.n && rc == CRM_OK; i++) {
		bool ok = false;

		rc = access_owner_ok(cx, e, ACC_ASSIGN, to.v[i], &ok);
		if (rc == CRM_OK && !ok)
			rc = core_fail(cx, CRM_EFORBIDDEN, "You may not give %s to "
			    "user %lld (inactive, or outside what your role may "
			    "assign)", e->name, (long long)to.v[i]);
	}
	counts = json_object();
	for (size_t i = 0; i < ids.n && rc == CRM_OK; i++) {
		int64_t owner = to.v[i % to.n];
		char k[24];

		rc = set_owner(cx, e, ids.v[i], owner);
		snprintf(k, sizeof(k), "%lld", (long long)owner);
		json_object_set_new(counts, k, json_integer(
		    json_integer_value(json_object_get(counts, k)) + 1));
	}
	if (rc == CRM_OK && ids.n > 1) {
		json_t *bulk = json_pack("{s:I, s:O}", "moved", (json_int_t)ids.n,
		    "owners", counts);

		rc = audit_append(cx, "bulk.transfer", e->name, 0, bulk);
		json_decref(bulk);
	}
	rc = core_txn_end(cx, rc, NULL);
	if (rc != CRM_OK) {
		json_decref(counts);
	} else {
		*out = json_pack("{s:I, s:o}", "moved", (json_int_t)ids.n,
		    "owners", counts);
	}
	free(ids.v);
	free(to.v);
	return rc;
}
