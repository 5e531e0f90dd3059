/*
 * Comments on an activity: a side table keyed by the activity, read and
 * written by whoever may read the activity (its owner, those its owner's
 * scope covers, shares and participants: a co-worker on a task comments
 * without being able to change it). Removing is for the author or an
 * administrator. Every write is audited on the activity, so its history
 * says who said and removed what.
 */
#include "core/activities.h"

#include <string.h>

#include "core/access.h"
#include "core/audit.h"
#include "util/log.h"
#include "util/timeutil.h"

#define COMMENT_COLUMNS "c.id, c.activity_id, c.user_id, u.name, c.body, " \
	"c.created_at"

static int
db_fail(struct core_ctx *cx, const char *what)
{
	log_error("database: activity comments: %s: %s", what, db_errmsg(cx->db));
	return core_fail(cx, CRM_EDB, "The database failed; nothing was changed");
}

static json_t *
comment_json(db_stmt_t *st)
{
	return json_pack("{s:I, s:I, s:o, s:o, s:s, s:o}",
	    "id", (json_int_t)db_col_int(st, 0),
	    "activity_id", (json_int_t)db_col_int(st, 1),
	    "user_id", db_col_null(st, 2) ? json_null() :
	    json_integer(db_col_int(st, 2)),
	    "user_name", db_col_null(st, 3) ? json_null() :
	    json_string(db_col_text(st, 3, NULL)),
	    "body", db_col_text(st, 4, NULL),
	    "created_at", activity_time_json(db_col_int(st, 5)));
}

/*
 * Appends the live comments of activity id (or only comment_id when it is
 * positive) to data.
 */
static int
read_comments(struct core_ctx *cx, int64_t id, int64_t comment_id,
    json_t *data)
{
	db_stmt_t *st;
	int rc;

	if (db_prepare(cx->db, "SELECT " COMMENT_COLUMNS " FROM "
	    "activity_comments c LEFT JOIN users u ON u.id = c.user_id WHERE "
	    "c.activity_id = ? AND c.deleted_at IS NULL AND (? = 0 OR c.id = ?) "
	    "ORDER BY c.id LIMIT ?", &st) != DB_OK)
		return db_fail(cx, "list");
	db_bind_int(st, 1, id);
	db_bind_int(st, 2, comment_id);
	db_bind_int(st, 3, comment_id);
	db_bind_int(st, 4, COMMENTS_MAX);
	while ((rc = db_step(st)) == DB_ROW)
		json_array_append_new(data, comment_json(st));
	db_done(st);
	return rc == DB_DONE ? CRM_OK : db_fail(cx, "list step");
}

int
activity_comment_list(struct core_ctx *cx, int64_t id, json_t **out)
{
	json_t *data;
	int rc = access_check(cx, &entity_activities, ACC_READ, id, false);

	*out = NULL;
	if (rc != CRM_OK)
		return rc;
	data = json_array();
	rc = read_comments(cx, id, 0, data);
	if (rc != CRM_OK) {
		json_decref(data);
		return rc;
	}
	*out = json_pack("{s:o}", "data", data);
	return CRM_OK;
}

/* Live comments on activity id, for the cap. */
static int
count_comments(struct core_ctx *cx, int64_t id, int64_t *n)
{
	db_stmt_t *st;
	int rc;

	if (db_prepare(cx->db, "SELECT COUNT(*) FROM activity_comments WHERE "
	    "activity_id = ? AND deleted_at IS NULL", &st) != DB_OK)
		return db_fail(cx, "count");
	db_bind_int(st, 1, id);
	rc = db_step(st);
	*n = rc == DB_ROW ? db_col_int(st, 0) : 0;
	db_done(st);
	return rc == DB_ROW ? CRM_OK : db_fail(cx, "count step");
}

int
activity_comment_add(struct core_ctx *cx, int64_t id, json_t *in,
    json_t **out)
{
	json_t *body = json_object_get(in, "body"), *data = NULL, *v;
	const char *key;
	db_stmt_t *st;
	int64_t n = 0, cid = 0;
	int rc;

	*out = NULL;
	json_object_foreach(in, key, v)
		if (strcmp(key, "body") != 0)
			verrs_add(&cx->errs, key, "is not a field of a comment "
			    "(only body)");
	if (!core_text_ok(body, COMMENT_BODY_MAX))
		verrs_add(&cx->errs, "body", "must be text of 1 to %d characters",
		    COMMENT_BODY_MAX);
	if (db_begin(cx->db) != DB_OK)
		return db_fail(cx, "begin");
	/* Rights first: a hidden activity is 404 whatever the body says. */
	rc = access_check(cx, &entity_activities, ACC_READ, id, false);
	if (rc == CRM_OK && cx->errs.n > 0)
		rc = core_invalid(cx);
	if (rc == CRM_OK)
		rc = count_comments(cx, id, &n);
	if (rc == CRM_OK && n >= COMMENTS_MAX)
		rc = core_fail(cx, CRM_EINUSE, "This activity has %d comments, "
		    "the most it takes; remove some first", COMMENTS_MAX);
	if (rc != CRM_OK)
		return core_txn_end(cx, rc, NULL);
	if (db_prepare(cx->db, "INSERT INTO activity_comments (activity_id, "
	    "user_id, body, created_at) VALUES (?, ?, ?, ?) RETURNING id",
	    &st) != DB_OK)
		return core_txn_end(cx, db_fail(cx, "insert"), NULL);
	db_bind_int(st, 1, id);
	if (cx->actor.user_id > 0)
		db_bind_int(st, 2, cx->actor.user_id);
	else
		db_bind_null(st, 2);
	db_bind_text(st, 3, json_string_value(body), json_string_length(body));
	db_bind_int(st, 4, time_now_ms());
	rc = db_step(st);
	if (rc == DB_ROW)
		cid = db_col_int(st, 0);
	db_done(st);
	if (rc != DB_ROW)
		return core_txn_end(cx, db_fail(cx, "insert step"), NULL);
	v = json_pack("{s:I, s:O}", "comment_id", (json_int_t)cid, "body", body);
	rc = audit_append(cx, "comment.create", entity_activities.name, id, v);
	json_decref(v);
	if (rc == CRM_OK) {
		data = json_array();
		rc = read_comments(cx, id, cid, data);
	}
	if (rc == CRM_OK)
		*out = json_incref(json_array_get(data, 0));
	json_decref(data);
	return core_txn_end(cx, rc, out);
}

int
activity_comment_delete(struct core_ctx *cx, int64_t id, int64_t comment_id)
{
	db_stmt_t *st;
	int64_t author = 0;
	json_t *detail;
	int rc;

	if (db_begin(cx->db) != DB_OK)
		return db_fail(cx, "begin");
	rc = access_check(cx, &entity_activities, ACC_READ, id, false);
	if (rc != CRM_OK)
		return core_txn_end(cx, rc, NULL);
	if (db_prepare(cx->db, "SELECT COALESCE(user_id, 0) FROM "
	    "activity_comments WHERE id = ? AND activity_id = ? AND deleted_at "
	    "IS NULL", &st) != DB_OK)
		return core_txn_end(cx, db_fail(cx, "find"), NULL);
	db_bind_int(st, 1, comment_id);
	db_bind_int(st, 2, id);
	rc = db_step(st);
	if (rc == DB_ROW)
		author = db_col_int(st, 0);
	db_done(st);
	if (rc == DB_DONE)
		return core_txn_end(cx, core_fail(cx, CRM_ENOTFOUND, "This "
		    "activity has no such comment"), NULL);
	if (rc != DB_ROW)
		return core_txn_end(cx, db_fail(cx, "find step"), NULL);
	if (author != cx->actor.user_id && !cx->actor.is_admin &&
	    cx->actor.user_id != 0)
		return core_txn_end(cx, core_fail(cx, CRM_EFORBIDDEN, "Only its "
		    "author or an administrator removes a comment"), NULL);
	if (db_prepare(cx->db, "UPDATE activity_comments SET deleted_at = ? "
	    "WHERE id = ?", &st) != DB_OK)
		return core_txn_end(cx, db_fail(cx, "delete"), NULL);
	db_bind_int(st, 1, time_now_ms());
	db_bind_int(st, 2, comment_id);
	rc = db_step(st);
	db_done(st);
	if (rc != DB_DONE)
		return core_txn_end(cx, db_fail(cx, "delete step"), NULL);
	detail = json_pack("{s:I}", "comment_id", (json_int_t)comment_id);
	rc = audit_append(cx, "comment.delete", entity_activities.name, id,
	    detail);
	json_decref(detail);
	return core_txn_end(cx, rc, NULL);
}
