/*
 * Notifications: writing one for a user (after asking core/access.c
 * whether that user may read the record it is about), and the actor's own
 * list, count and marks. core/notify.h is the contract.
 */
#include "core/notify.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/access.h"
#include "core/mail.h"
#include "core/users.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/text.h"
#include "util/timeutil.h"

static int
db_fail(struct core_ctx *cx, const char *what)
{
	log_error("database: notifications %s: %s", what, db_errmsg(cx->db));
	return core_fail(cx, CRM_EDB, "The database failed; nothing was changed");
}

/* A copy of s cut to max characters (s is valid UTF-8 from the store). */
static char *
cut(const char *s, size_t max)
{
	size_t n = 0, i;
	char *out = xstrdup(s != NULL ? s : "");

	for (i = 0; out[i] != '\0'; i++)
		if (((unsigned char)out[i] & 0xc0) != 0x80 && n++ == max)
			break;
	out[i] = '\0';
	return out;
}

/*
 * Whether a (not the actor) may read record id of e: the one rule of
 * core/access.c, asked in a context of a's own on the same connection and
 * transaction. CRM_OK, CRM_ENOTFOUND (may not), or a failure.
 */
static int
may_read(struct core_ctx *cx, const struct actor *a, const struct entity *e,
    int64_t id)
{
	struct core_ctx *sub = xmalloc(sizeof(*sub));
	int rc;

	core_ctx_init(sub, cx->db, a);
	rc = access_check(sub, e, ACC_READ, id, false);
	if (rc == CRM_EDB)
		(void)core_fail(cx, CRM_EDB, "%s", sub->detail);
	free(sub);
	return rc == CRM_EFORBIDDEN ? CRM_OK : rc;
}

int
notify_user(struct core_ctx *cx, int64_t user_id, const char *kind,
    const char *title, const char *body, const struct entity *e,
    int64_t record_id, bool mail, bool *sent)
{
	struct actor a;
	db_stmt_t *st;
	char *t, *b;
	int rc;

	if (sent != NULL)
		*sent = false;
	rc = user_load_actor(cx, user_id, &a);
	if (rc == CRM_ENOTFOUND)
		return CRM_OK;		/* gone or deactivated: nobody to tell */
	if (rc == CRM_OK && e != NULL)
		rc = may_read(cx, &a, e, record_id);
	if (rc == CRM_ENOTFOUND)
		return CRM_OK;
	if (rc != CRM_OK)
		return rc;
	if (db_prepare(cx->db, "INSERT INTO notifications (user_id, kind, title, "
	    "body, entity, record_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
	    &st) != DB_OK)
		return db_fail(cx, "insert");
	t = cut(title, NOTIFY_TITLE_MAX);
	b = cut(body, NOTIFY_BODY_MAX);
	db_bind_int(st, 1, user_id);
	db_bind_text(st, 2, kind, strlen(kind));
	db_bind_text(st, 3, t, strlen(t));
	db_bind_text(st, 4, b, strlen(b));
	if (e != NULL) {
		db_bind_text(st, 5, e->name, strlen(e->name));
		db_bind_int(st, 6, record_id);
	} else {
		db_bind_null(st, 5);
		db_bind_null(st, 6);
	}
	db_bind_int(st, 7, time_now_ms());
	rc = db_step(st);
	db_done(st);
	if (rc != DB_DONE) {
		free(t);
		free(b);
		return db_fail(cx, "insert step");
	}
	rc = CRM_OK;
	/* An address the store accepted once but mail would refuse: no mail. */
	if (mail && mail_enabled(cx->mail) &&
	    text_is_email(a.email, strlen(a.email))) {
		struct buf text;

		buf_init(&text, NOTIFY_BODY_MAX * 4 + 1024);
		buf_printf(&text, "Hello %s,\n\n%s\n\n%s\n", a.name, t, b);
		if (e != NULL)
			buf_printf(&text, "\n(%s #%lld)\n", e->singular,
			    (long long)record_id);
		rc = mail_queue(cx, a.email, t, text.data != NULL ? text.data : "",
		    NULL);
		buf_free(&text);
	}
	free(t);
	free(b);
	if (rc == CRM_OK && sent != NULL)
		*sent = true;
	return rc;
}

/* ---- the actor's own ---- */

/* "u<id>" or "r<id>": the group (unread, read) and id of the last row. */
static int
parse_cursor(const char *s, bool *unread, int64_t *id)
{
	char *end;
	long long v;

	if (s == NULL || (s[0] != 'u' && s[0] != 'r') || s[1] < '1' || s[1] > '9')
		return -1;
	v = strtoll(s + 1, &end, 10);
	if (*end != '\0' || v <= 0)
		return -1;
	*unread = s[0] == 'u';
	*id = v;
	return 0;
}

int
notify_list(struct core_ctx *cx, bool unread_only, const char *cursor,
    const char *limit, json_t **out)
{
	struct dbq q;
	db_stmt_t *st;
	json_t *arr;
	bool cu = false, last_unread = false;
	int64_t cid = 0, last_id = 0;
	long lim = NOTIFY_PAGE_DEFAULT;
	char *end, next[32];
	int rc, n = 0;

	if (limit != NULL) {
		lim = strtol(limit, &end, 10);
		if (*limit == '\0' || *end != '\0' || lim < 1 || lim > NOTIFY_PAGE_MAX)
			return core_fail(cx, CRM_EBADQUERY, "limit: must be 1 to %d",
			    NOTIFY_PAGE_MAX);
	}
	if (cursor != NULL && parse_cursor(cursor, &cu, &cid) != 0)
		return core_fail(cx, CRM_EBADQUERY, "cursor: not one this list "
		    "gave");
	dbq_init(&q);
	dbq_sql(&q, "SELECT id, kind, title, body, entity, record_id, created_at, "
	    "read_at FROM notifications WHERE user_id = ?");
	dbq_int(&q, cx->actor.user_id);
	if (unread_only)
		dbq_sql(&q, " AND read_at IS NULL");
	/* Unread before read; within each, newest (highest id) first. */
	if (cursor != NULL && cu) {
		dbq_sql(&q, " AND ((read_at IS NULL AND id < ?) OR read_at IS NOT "
		    "NULL)");
		dbq_int(&q, cid);
	} else if (cursor != NULL) {
		dbq_sql(&q, " AND read_at IS NOT NULL AND id < ?");
		dbq_int(&q, cid);
	}
	dbq_sql(&q, " ORDER BY CASE WHEN read_at IS NULL THEN 0 ELSE 1 END, id "
	    "DESC LIMIT ?");
	dbq_int(&q, lim + 1);
	rc = db_prepare_q(cx->db, &q, &st);
	dbq_free(&q);
	if (rc != DB_OK)
		return db_fail(cx, "list");
	arr = json_array();
	while ((rc = db_step(st)) == DB_ROW) {
		json_t *o;

		if (++n > lim)
			break;
		o = json_object();
		last_id = db_col_int(st, 0);
		last_unread = db_col_null(st, 7);
		json_object_set_new(o, "id", json_integer(last_id));
		json_object_set_new(o, "kind", json_string(db_col_text(st, 1, NULL)));
		json_object_set_new(o, "title", json_string(db_col_text(st, 2, NULL)));
		json_object_set_new(o, "body", json_string(db_col_text(st, 3, NULL)));
		json_object_set_new(o, "entity", db_col_null(st, 4) ? json_null() :
		    json_string(db_col_text(st, 4, NULL)));
		json_object_set_new(o, "record_id", db_col_null(st, 5) ?
		    json_null() : json_integer(db_col_int(st, 5)));
		json_object_set_new(o, "created_at", core_col_time(st, 6));
		json_object_set_new(o, "read_at", core_col_time(st, 7));
		json_object_set_new(o, "read", json_boolean(!last_unread));
		json_array_append_new(arr, o);
	}
	db_done(st);
	if (rc != DB_ROW && rc != DB_DONE) {
		json_decref(arr);
		return db_fail(cx, "list step");
	}
	snprintf(next, sizeof(next), "%c%lld", last_unread ? 'u' : 'r',
	    (long long)last_id);
	*out = json_pack("{s:o,s:o}", "data", arr, "next_cursor", n > lim ?
	    json_string(next) : json_null());
	return CRM_OK;
}

int
notify_unread(struct core_ctx *cx, int64_t *count)
{
	db_stmt_t *st;
	int rc;

	if (db_prepare(cx->db, "SELECT COUNT(*) FROM notifications WHERE "
	    "user_id = ? AND read_at IS NULL", &st) != DB_OK)
		return db_fail(cx, "count");
	db_bind_int(st, 1, cx->actor.user_id);
	rc = db_step(st);
	*count = rc == DB_ROW ? db_col_int(st, 0) : 0;
	db_done(st);
	return rc == DB_ROW ? CRM_OK : db_fail(cx, "count step");
}

int
notify_mark_read(struct core_ctx *cx, int64_t id, json_t **out)
{
	db_stmt_t *st;
	int64_t n = 0;
	int rc;

	if (db_begin(cx->db) != DB_OK)
		return db_fail(cx, "read begin");
	if (id > 0) {
		/* Already read is fine; someone else's is not found. */
		rc = db_prepare(cx->db, "SELECT 1 FROM notifications WHERE id = ? "
		    "AND user_id = ?", &st);
		if (rc != DB_OK) {
			db_rollback(cx->db);
			return db_fail(cx, "read find");
		}
		db_bind_int(st, 1, id);
		db_bind_int(st, 2, cx->actor.user_id);
		rc = db_step(st);
		db_done(st);
		if (rc != DB_ROW) {
			db_rollback(cx->db);
			return rc == DB_DONE ? core_fail(cx, CRM_ENOTFOUND, "You have "
			    "no notification %lld", (long long)id) :
			    db_fail(cx, "read find step");
		}
	}
	rc = db_prepare(cx->db, id > 0 ?
	    "UPDATE notifications SET read_at = ? WHERE user_id = ? AND "
	    "read_at IS NULL AND id = ?" :
	    "UPDATE notifications SET read_at = ? WHERE user_id = ? AND "
	    "read_at IS NULL", &st);
	if (rc != DB_OK) {
		db_rollback(cx->db);
		return db_fail(cx, "read");
	}
	db_bind_int(st, 1, time_now_ms());
	db_bind_int(st, 2, cx->actor.user_id);
	if (id > 0)
		db_bind_int(st, 3, id);
	rc = db_step(st);
	db_done(st);
	if (rc != DB_DONE) {
		db_rollback(cx->db);
		return db_fail(cx, "read step");
	}
	rc = notify_unread(cx, &n);
	*out = rc == CRM_OK ? json_pack("{s:I}", "unread", (json_int_t)n) : NULL;
	return core_txn_end(cx, rc, out);
}
