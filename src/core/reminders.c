/*
 * Reminders of tasks and meetings as jobs, and the notices of a change of
 * owner: what core/activities.c's after_write and trash hooks call. The
 * rules are in core/notify.h.
 *
 * A reminder job's key holds the activity and the instant it fires
 * ("reminder:42:1764230400000"), so replacing the pending ones is a range
 * delete on the unique index, and an instant that already fired (its job
 * done, its key kept) is never made again by a later save. The job checks
 * the activity again when it runs, so a job that outlived a change (one
 * claimed by another server at that moment) notifies nobody.
 */
#include "core/notify.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/jobs.h"
#include "util/log.h"
#include "util/timeutil.h"

#define RECIPIENTS_MAX 201	/* the owner and up to 200 participants */

static int
db_fail(struct core_ctx *cx, const char *what)
{
	log_error("database: reminders %s: %s", what, db_errmsg(cx->db));
	return core_fail(cx, CRM_EDB, "The database failed; nothing was changed");
}

/* ms from a stored integer or an RFC 3339 string; false for neither. */
static bool
time_of(json_t *v, int64_t *ms)
{
	if (json_is_integer(v)) {
		*ms = json_integer_value(v);
		return true;
	}
	return json_is_string(v) && time_parse_datetime(json_string_value(v),
	    json_string_length(v), ms) == 0;
}

void
reminder_check(struct core_ctx *cx, json_t *v)
{
	json_t *x;
	size_t i, j;

	if (v == NULL || json_is_null(v))
		return;
	if (!json_is_array(v) || json_array_size(v) > REMINDERS_MAX) {
		verrs_add(&cx->errs, "reminders", "must be an array of at most %d "
		    "numbers of minutes before the time, such as [15, 1440]",
		    REMINDERS_MAX);
		return;
	}
	json_array_foreach(v, i, x) {
		if (!json_is_integer(x) || json_integer_value(x) < 0 ||
		    json_integer_value(x) > REMINDER_MINUTES_MAX) {
			verrs_add(&cx->errs, "reminders", "each must be a whole "
			    "number of minutes from 0 to %d", REMINDER_MINUTES_MAX);
			return;
		}
		for (j = 0; j < i; j++)
			if (json_equal(json_array_get(v, j), x)) {
				verrs_add(&cx->errs, "reminders", "names %lld minutes "
				    "twice", (long long)json_integer_value(x));
				return;
			}
	}
}

/* The instant reminders count back from, for a kind in an active status. */
static bool
reminder_base(const char *kind, const char *status, json_t *due,
    json_t *start, int64_t *at)
{
	if (kind == NULL || status == NULL)
		return false;
	if (strcmp(kind, "task") == 0 && strcmp(status, "open") == 0)
		return time_of(due, at);
	if (strcmp(kind, "meeting") == 0 && strcmp(status, "planned") == 0)
		return time_of(start, at);
	return false;
}

/* The range of the activity's keys: [reminder:ID:, reminder:ID;). */
static void
key_range(int64_t id, char *lo, char *hi, size_t len)
{
	snprintf(lo, len, "reminder:%lld:", (long long)id);
	snprintf(hi, len, "reminder:%lld;", (long long)id);
}

static int
drop_pending(struct core_ctx *cx, int64_t id)
{
	char lo[64], hi[64];
	db_stmt_t *st;
	int rc;

	key_range(id, lo, hi, sizeof(lo));
	if (db_prepare(cx->db, "DELETE FROM jobs WHERE unique_key >= ? AND "
	    "unique_key < ? AND kind = 'reminder' AND done_at IS NULL",
	    &st) != DB_OK)
		return db_fail(cx, "drop");
	db_bind_text(st, 1, lo, strlen(lo));
	db_bind_text(st, 2, hi, strlen(hi));
	rc = db_step(st);
	db_done(st);
	return rc == DB_DONE ? CRM_OK : db_fail(cx, "drop step");
}

/* Replaces the pending jobs of activity id by those of the values given. */
static int
schedule(struct core_ctx *cx, int64_t id, const char *kind, const char *status,
    json_t *due, json_t *start, json_t *reminders)
{
	int64_t at, now = time_now_ms(), jid;
	json_t *m;
	size_t i;
	int rc = drop_pending(cx, id);

	if (rc != CRM_OK || !json_is_array(reminders) ||
	    !reminder_base(kind, status, due, start, &at) || at <= now)
		return rc;
	json_array_foreach(reminders, i, m) {
		int64_t minutes = json_integer_value(m);
		int64_t fire = at - minutes * 60000;
		char key[96];
		json_t *payload;

		snprintf(key, sizeof(key), "reminder:%lld:%lld", (long long)id,
		    (long long)fire);
		payload = json_pack("{s:I,s:I,s:I}", "activity_id", (json_int_t)id,
		    "at", (json_int_t)at, "minutes", (json_int_t)minutes);
		rc = job_enqueue(cx, "reminder", payload, fire > now ? fire : now,
		    key, &jid);
		json_decref(payload);
		if (rc != CRM_OK)
			return rc;
	}
	return CRM_OK;
}

static void
user_name(struct core_ctx *cx, int64_t id, char *out, size_t len)
{
	db_stmt_t *st;

	snprintf(out, len, "someone");
	if (id == 0 || db_prepare(cx->db, "SELECT name FROM users WHERE id = ?",
	    &st) != DB_OK)
		return;
	db_bind_int(st, 1, id);
	if (db_step(st) == DB_ROW)
		snprintf(out, len, "%s", db_col_text(st, 0, NULL));
	db_done(st);
}

/* The notices of a change of owner (or of a first owner not the author). */
static int
notify_owner_change(struct core_ctx *cx, int64_t id, int64_t before,
    int64_t after, json_t *merged)
{
	const char *kind = json_string_value(json_object_get(merged, "kind"));
	const char *subject = json_string_value(json_object_get(merged,
	    "subject"));
	char who[256], to[256], title[512], body[1024];
	bool sent = false;
	int rc = CRM_OK;

	if (kind == NULL)
		kind = "activity";
	if (subject == NULL || *subject == '\0')
		subject = kind;
	user_name(cx, cx->actor.user_id, who, sizeof(who));
	if (cx->actor.user_id == 0)
		snprintf(who, sizeof(who), "The system");
	if (after > 0 && after != cx->actor.user_id) {
		snprintf(title, sizeof(title), "Assigned to you: %s", subject);
		snprintf(body, sizeof(body), "%s made you responsible for the %s "
		    "\"%s\".", who, kind, subject);
		rc = notify_user(cx, after, "assigned", title, body,
		    &entity_activities, id, true, NULL);
	}
	if (rc != CRM_OK || before <= 0 || before == cx->actor.user_id)
		return rc;
	user_name(cx, after, to, sizeof(to));
	snprintf(title, sizeof(title), "Reassigned: %s", subject);
	snprintf(body, sizeof(body), "%s gave the %s \"%s\" to %s.", who, kind,
	    subject, to);
	rc = notify_user(cx, before, "unassigned", title, body, &entity_activities,
	    id, true, &sent);
	if (rc != CRM_OK || sent)
		return rc;
	/* No longer readable for them: that it left them, and nothing more. */
	snprintf(title, sizeof(title), "A %s of yours was given to someone else",
	    kind);
	snprintf(body, sizeof(body), "%s #%lld now has another owner.", kind,
	    (long long)id);
	return notify_user(cx, before, "unassigned", title, body, NULL, 0, true,
	    NULL);
}

int
notify_owner_moved(struct core_ctx *cx, int64_t id, int64_t before,
    int64_t after)
{
	db_stmt_t *st;
	json_t *rec;
	int rc;

	if (before == after)
		return CRM_OK;
	if (db_prepare(cx->db, "SELECT kind, subject FROM activities WHERE id = ?",
	    &st) != DB_OK) {
		log_error("database: owner notice: %s", db_errmsg(cx->db));
		return core_fail(cx, CRM_EDB, "The database failed; nothing was "
		    "changed");
	}
	db_bind_int(st, 1, id);
	rc = db_step(st);
	rec = rc == DB_ROW ? json_pack("{s:s?, s:s?}", "kind", db_col_text(st, 0,
	    NULL), "subject", db_col_text(st, 1, NULL)) : NULL;
	db_done(st);
	if (rc == DB_DONE)
		return CRM_OK;	/* gone: nothing to tell */
	if (rc != DB_ROW) {
		log_error("database: owner notice step: %s", db_errmsg(cx->db));
		return core_fail(cx, CRM_EDB, "The database failed; nothing was "
		    "changed");
	}
	rc = notify_owner_change(cx, id, before, after, rec);
	json_decref(rec);
	return rc;
}

static bool
changed(json_t *cur, json_t *merged, const char *key)
{
	int64_t a = 0, b = 0;
	json_t *x = json_object_get(cur, key), *y = json_object_get(merged, key);
	bool ta = time_of(x, &a), tb = time_of(y, &b);

	if (ta || tb)
		return ta != tb || a != b;
	if ((x == NULL || json_is_null(x)) && (y == NULL || json_is_null(y)))
		return false;
	return x == NULL || y == NULL || !json_equal(x, y);
}

int
reminder_sync(struct core_ctx *cx, int64_t id, json_t *cur, json_t *merged)
{
	json_int_t before = cur != NULL ? json_integer_value(json_object_get(cur,
	    "owner_id")) : 0;
	json_int_t after = json_integer_value(json_object_get(merged, "owner_id"));
	int rc = CRM_OK;

	if (cur == NULL || changed(cur, merged, "due_at") ||
	    changed(cur, merged, "start_at") || changed(cur, merged, "status") ||
	    changed(cur, merged, "reminders"))
		rc = schedule(cx, id,
		    json_string_value(json_object_get(merged, "kind")),
		    json_string_value(json_object_get(merged, "status")),
		    json_object_get(merged, "due_at"),
		    json_object_get(merged, "start_at"),
		    json_object_get(merged, "reminders"));
	if (rc == CRM_OK && before != after)
		rc = notify_owner_change(cx, id, before, after, merged);
	return rc;
}

int
reminder_trash(struct core_ctx *cx, int64_t id, bool trashed)
{
	db_stmt_t *st;
	json_t *due = NULL, *start = NULL, *rem = NULL;
	char kind[16] = "", status[16] = "";
	const char *text;
	size_t len;
	int rc;

	if (trashed)
		return drop_pending(cx, id);
	if (db_prepare(cx->db, "SELECT kind, status, due_at, start_at, reminders "
	    "FROM activities WHERE id = ?", &st) != DB_OK)
		return db_fail(cx, "restore");
	db_bind_int(st, 1, id);
	rc = db_step(st);
	if (rc == DB_ROW) {
		snprintf(kind, sizeof(kind), "%s", db_col_text(st, 0, NULL));
		snprintf(status, sizeof(status), "%s", db_col_text(st, 1, NULL));
		due = db_col_null(st, 2) ? NULL : json_integer(db_col_int(st, 2));
		start = db_col_null(st, 3) ? NULL : json_integer(db_col_int(st, 3));
		text = db_col_null(st, 4) ? NULL : db_col_text(st, 4, &len);
		rem = text != NULL ? json_loadb(text, len, 0, NULL) : NULL;
	}
	db_done(st);
	if (rc == DB_ROW)
		rc = schedule(cx, id, kind, status, due, start, rem);
	else
		rc = rc == DB_DONE ? CRM_OK : db_fail(cx, "restore step");
	json_decref(due);
	json_decref(start);
	json_decref(rem);
	return rc;
}

int
reminder_job_run(struct core_ctx *cx, json_t *payload, char *err,
    size_t errlen)
{
	json_int_t id = json_integer_value(json_object_get(payload, "activity_id"));
	json_int_t at = json_integer_value(json_object_get(payload, "at"));
	json_int_t minutes = json_integer_value(json_object_get(payload,
	    "minutes"));
	int64_t users[RECIPIENTS_MAX], base = 0;
	char kind[16] = "", subject[512] = "", title[600], body[700],
	    ts[TIME_RFC3339_LEN];
	json_t *due = NULL, *start = NULL;
	bool live = false;
	size_t n = 0;
	db_stmt_t *st;
	int rc;

	if (db_prepare(cx->db, "SELECT kind, subject, status, due_at, start_at, "
	    "owner_id, CASE WHEN deleted_at IS NULL THEN 1 ELSE 0 END FROM "
	    "activities WHERE id = ?", &st) !=
	    DB_OK)
		goto dbfail;
	db_bind_int(st, 1, id);
	rc = db_step(st);
	if (rc == DB_ROW) {
		snprintf(kind, sizeof(kind), "%s", db_col_text(st, 0, NULL));
		snprintf(subject, sizeof(subject), "%s", db_col_text(st, 1, NULL));
		due = db_col_null(st, 3) ? NULL : json_integer(db_col_int(st, 3));
		start = db_col_null(st, 4) ? NULL : json_integer(db_col_int(st, 4));
		live = db_col_int(st, 6) != 0 && reminder_base(kind,
		    db_col_text(st, 2, NULL), due, start, &base) && base == at;
		if (!db_col_null(st, 5))
			users[n++] = db_col_int(st, 5);
	}
	db_done(st);
	json_decref(due);
	json_decref(start);
	if (rc != DB_ROW && rc != DB_DONE)
		goto dbfail;
	if (!live)
		return CRM_OK;	/* changed, finished or trashed since: no reminder */
	if (db_prepare(cx->db, "SELECT user_id FROM activity_participants WHERE "
	    "activity_id = ? ORDER BY user_id", &st) != DB_OK)
		goto dbfail;
	db_bind_int(st, 1, id);
	while ((rc = db_step(st)) == DB_ROW && n < RECIPIENTS_MAX) {
		int64_t u = db_col_int(st, 0);

		if (n == 0 || users[0] != u)
			users[n++] = u;
	}
	db_done(st);
	if (rc != DB_ROW && rc != DB_DONE)
		goto dbfail;
	time_format(at, ts, sizeof(ts));
	snprintf(title, sizeof(title), "Reminder: %s", subject[0] ? subject : kind);
	snprintf(body, sizeof(body), "The %s \"%s\" %s at %s (reminder %lld "
	    "minutes before).", kind, subject, strcmp(kind, "meeting") == 0 ?
	    "starts" : "is due", ts, (long long)minutes);
	for (size_t i = 0; i < n; i++) {
		rc = notify_user(cx, users[i], "reminder", title, body,
		    &entity_activities, id, true, NULL);
		if (rc != CRM_OK) {
			snprintf(err, errlen, "%s", cx->detail);
			return rc;
		}
	}
	return CRM_OK;
dbfail:
	snprintf(err, errlen, "%s", db_errmsg(cx->db));
	return CRM_EDB;
}

int
reminder_pending(struct core_ctx *cx, int64_t id, json_t **out)
{
	char lo[64], hi[64];
	db_stmt_t *st;
	json_t *arr = json_array();
	int rc;

	key_range(id, lo, hi, sizeof(lo));
	if (db_prepare(cx->db, "SELECT run_at, payload FROM jobs WHERE "
	    "unique_key >= ? AND unique_key < ? AND kind = 'reminder' AND "
	    "done_at IS NULL ORDER BY run_at, id", &st) != DB_OK) {
		json_decref(arr);
		return db_fail(cx, "pending");
	}
	db_bind_text(st, 1, lo, strlen(lo));
	db_bind_text(st, 2, hi, strlen(hi));
	while ((rc = db_step(st)) == DB_ROW) {
		size_t len;
		const char *text = db_col_text(st, 1, &len);
		json_t *p = json_loadb(text, len, 0, NULL);

		json_array_append_new(arr, json_pack("{s:I,s:O}", "run_at",
		    (json_int_t)db_col_int(st, 0), "minutes",
		    json_object_get(p, "minutes") ? json_object_get(p, "minutes") :
		    json_null()));
		json_decref(p);
	}
	db_done(st);
	if (rc != DB_DONE) {
		json_decref(arr);
		return db_fail(cx, "pending step");
	}
	*out = json_pack("{s:o}", "data", arr);
	return CRM_OK;
}
