/*
 * "My day": a user's open tasks and planned meetings in the buckets of
 * their own days (see activity_my_day in activities.h).
 *
 * The days are the user's: the bucket bounds are the instants their local
 * days begin in the zone asked for, so a task due at 23:30 in Berlin is
 * today there even though it is tomorrow in UTC. The four buckets are
 * one query: the candidates are ranges of three indexes (see candidates)
 * under the reader's rights, and a window counts each bucket and keeps its
 * first few (the limit).
 *
 * A bucket lists MYDAY_BUCKET_DEFAULT entries unless asked for more: what
 * the web's screen shows, with a link to the whole list. It was 200 each:
 * 800 full records and 600 KB for a busy manager, most of the time of the
 * answer, of which a person reads the first lines.
 */
#include "core/activities.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/access.h"
#include "core/process_run.h"
#include "core/watch.h"
#include "util/log.h"
#include "util/timeutil.h"
#include "util/tz.h"

#define TIME_MIN (-(1LL << 60))	/* before anything stored */

static int
db_fail(struct core_ctx *cx, const char *what)
{
	log_error("database: my day %s: %s", what, db_errmsg(cx->db));
	return core_fail(cx, CRM_EDB, "The database failed while reading the day");
}

/*
 * The bucket bounds. Tasks: [TIME_MIN, now), [now, t1), [t1, t2), [t2, tw)
 * by due_at; meetings: [TIME_MIN, t0), [t0, t1), [t1, t2), [t2, tw) by
 * start_at. Each kind's four ranges are contiguous, so a row in
 * [TIME_MIN, tw) is in exactly one bucket: the first whose upper bound it
 * is below.
 */
struct bounds {
	int64_t	task[3];	/* now, t1, t2: ends of buckets 0..2 */
	int64_t	meet[3];	/* t0, t1, t2 */
	int64_t	end;		/* tw: end of bucket 3 for both kinds */
};

/* The bucket (0..3) of a row of alias by its time col; ends: of buckets 0..2. */
static void
bucket_case(struct dbq *q, const char *alias, const char *col,
    const int64_t ends[3])
{
	dbq_sql(q, "CASE WHEN %s.%s < ? THEN 0 WHEN %s.%s < ? THEN 1 WHEN "
	    "%s.%s < ? THEN 2 ELSE 3 END", alias, col, alias, col, alias, col);
	for (int i = 0; i < 3; i++)
		dbq_int(q, ends[i]);
}

/*
 * The user's open tasks and planned meetings in [TIME_MIN, end), readable,
 * as "id, b (bucket 0..3), tm (the time sorted on)". Three parts, each a
 * range of one index that holds all that is read, under the reader's
 * rights each:
 * - open tasks they own: activities_open_tasks (migration 0019), so the
 *   thousands of a busy manager's open tasks are read from that index,
 *   not from their rows (half the time of the query at 3,000,000
 *   activities);
 * - planned meetings they own: activities_planned_meetings (0020), the
 *   same for meetings;
 * - what they take part in that is still open or planned: the status and
 *   day_at each participation carries (0020), two ranges of
 *   activity_participants_day ('open' is a task's status only, 'planned'
 *   a meeting's), so their tens of thousands of past meetings are not
 *   looked at (it was an index probe each: 15 to 25 ms).
 * UNION, not UNION ALL: a task they own and are named on is one row (the
 * same id gives the same b and tm). Written as "(owner_id = ? OR id IN
 * ...) AND (task range OR meeting range)" SQLite found no index for the
 * OR and read every activity: 45 s for a busy manager's day.
 */
static int
candidates(struct core_ctx *cx, int64_t uid, const struct bounds *r,
    struct dbq *q)
{
	bool own = uid == cx->actor.user_id;
	int rc;

	dbq_sql(q, "SELECT a.id AS id, ");
	bucket_case(q, "a", "due_at", r->task);
	dbq_sql(q, " AS b, a.due_at AS tm FROM activities a WHERE "
	    "a.deleted_at IS NULL AND a.owner_id = ? AND a.status = 'open' AND "
	    "a.kind = 'task' AND a.due_at >= ? AND a.due_at < ?");
	dbq_int(q, uid);
	dbq_int(q, TIME_MIN);
	dbq_int(q, r->end);
	rc = access_where(cx, &entity_activities, ACC_READ, "a", q);
	if (rc != CRM_OK)
		return rc;
	dbq_sql(q, " UNION SELECT m.id, ");
	bucket_case(q, "m", "start_at", r->meet);
	dbq_sql(q, ", m.start_at FROM activities m WHERE m.deleted_at IS NULL "
	    "AND m.owner_id = ? AND m.status = 'planned' AND m.kind = 'meeting' "
	    "AND m.start_at >= ? AND m.start_at < ?");
	dbq_int(q, uid);
	dbq_int(q, TIME_MIN);
	dbq_int(q, r->end);
	rc = access_where(cx, &entity_activities, ACC_READ, "m", q);
	if (rc != CRM_OK)
		return rc;
	dbq_sql(q, " UNION SELECT p.activity_id, CASE WHEN p.status = 'open' "
	    "THEN (");
	bucket_case(q, "p", "day_at", r->task);
	dbq_sql(q, ") ELSE (");
	bucket_case(q, "p", "day_at", r->meet);
	dbq_sql(q, ") END, p.day_at FROM activity_participants p WHERE "
	    "p.user_id = ? AND p.status IN ('open', 'planned') AND p.day_at >= ? "
	    "AND p.day_at < ?");
	dbq_int(q, uid);
	dbq_int(q, TIME_MIN);
	dbq_int(q, r->end);
	/*
	 * One's own participations need no check: participants may read the
	 * activity whatever their role's scope (activities.h, access.c's
	 * named_sql), and the predicate's list of the reader's participations
	 * (37,000 for a busy manager) was half the time of this part. Someone
	 * else's are checked on their activity's row.
	 */
	if (own)
		return CRM_OK;
	dbq_sql(q, " AND p.activity_id IN (SELECT l.id FROM activities l WHERE "
	    "l.id = p.activity_id");
	rc = access_where(cx, &entity_activities, ACC_READ, "l", q);
	dbq_sql(q, ")");
	return rc;
}

/*
 * The four buckets in one query: the candidates are gathered (and checked
 * against the reader's rights) once, and a window numbers each bucket's
 * rows in time order and counts them, so only the first limit of each
 * are read in full. It was a count and a list per bucket, 8
 * queries each probing all of a busy user's participations (37,000 at
 * 3,000,000 activities) and each list sorting all of its bucket.
 * out[i]: {"data": [...], "count", "more"} of bucket i, in time order.
 */
static int
buckets(struct core_ctx *cx, int64_t uid, const struct bounds *r,
    int limit, int64_t *shown, json_t *out[4])
{
	struct dbq q;
	db_stmt_t *st;
	json_t *data[4];
	int64_t count[4] = { 0, 0, 0, 0 };
	int rc, arc = CRM_OK, ncol = 0;

	dbq_init(&q);
	dbq_sql(&q, "SELECT ");
	rec_select_list(&entity_activities, &q);
	dbq_sql(&q, ", w.b, w.n FROM (SELECT c.id, c.b, ROW_NUMBER() OVER "
	    "(PARTITION BY c.b ORDER BY c.tm, c.id) AS rn, COUNT(*) OVER "
	    "(PARTITION BY c.b) AS n FROM (");
	rc = candidates(cx, uid, r, &q);
	dbq_sql(&q, ") c) w JOIN activities t ON t.id = w.id WHERE w.rn <= ? "
	    "ORDER BY w.b, w.rn");
	dbq_int(&q, limit);
	if (rc == CRM_OK && db_prepare_q(cx->db, &q, &st) != DB_OK)
		rc = db_fail(cx, "buckets");
	dbq_free(&q);
	if (rc != CRM_OK)
		return rc;
	for (int i = 0; i < 4; i++)
		data[i] = json_array();
	while (arc == CRM_OK && (rc = db_step(st)) == DB_ROW) {
		int64_t b;
		json_t *rec;

		/*
		 * b and n follow the record's columns, whatever their number;
		 * counted on a row, as PostgreSQL has no result before the step.
		 */
		if (ncol == 0)
			ncol = db_col_count(st);
		b = ncol >= 2 ? db_col_int(st, ncol - 2) : -1;
		if (b < 0 || b > 3) {	/* the CASE gives 0..3 only */
			arc = db_fail(cx, "bucket number");
			break;
		}
		count[b] = db_col_int(st, ncol - 1);
		rec = rec_row_to_json(&entity_activities, st);
		arc = access_redact(cx, &entity_activities, rec);
		json_array_append_new(data[b], rec);
	}
	db_done(st);
	if (arc == CRM_OK && rc != DB_DONE && rc != DB_ROW)
		arc = db_fail(cx, "buckets step");
	if (arc != CRM_OK) {
		for (int i = 0; i < 4; i++)
			json_decref(data[i]);
		return arc;
	}
	for (int i = 0; i < 4; i++) {
		int64_t n = (int64_t)json_array_size(data[i]);

		*shown += n;
		out[i] = json_pack("{s:o, s:I, s:I}", "data", data[i], "count",
		    (json_int_t)count[i], "more", (json_int_t)(count[i] - n));
	}
	return CRM_OK;
}

static int
user_active(struct core_ctx *cx, int64_t uid)
{
	db_stmt_t *st;
	int rc;

	if (db_prepare(cx->db, "SELECT 1 FROM users WHERE id = ? AND active = 1",
	    &st) != DB_OK)
		return db_fail(cx, "user");
	db_bind_int(st, 1, uid);
	rc = db_step(st);
	db_done(st);
	if (rc == DB_DONE)
		return core_fail(cx, CRM_ENOTFOUND, "No active user with id %lld",
		    (long long)uid);
	return rc == DB_ROW ? CRM_OK : db_fail(cx, "user step");
}

int
activity_my_day(struct core_ctx *cx, int64_t user_id, const char *tzname,
    const char *limit, int64_t now_ms, json_t **out)
{
	static const char *const names[] = { "overdue", "today", "tomorrow",
		"this_week" };
	int64_t uid = user_id > 0 ? user_id : cx->actor.user_id;
	int64_t today, t0, t1, t2, tw, shown = 0;
	struct bounds r;
	json_t *b[4] = { NULL, NULL, NULL, NULL };
	struct tz *z = NULL;
	char day[16];
	int y, m, d, iso, rc, per = MYDAY_BUCKET_DEFAULT;
	json_t *res;

	if (limit != NULL) {
		char *end;
		long v = strtol(limit, &end, 10);

		if (*limit == '\0' || *end != '\0' || v < 1 || v > MYDAY_BUCKET_MAX)
			return core_fail(cx, CRM_EBADQUERY, "limit: must be a whole "
			    "number from 1 to %d", MYDAY_BUCKET_MAX);
		per = (int)v;
	}

	if ((tzname != NULL && strlen(tzname) > TZ_NAME_MAX) ||
	    tz_load(tzname, &z) != 0)
		return core_fail(cx, CRM_EBADQUERY, "tz: not a known time zone "
		    "(an IANA name such as Europe/Berlin)");
	if (uid <= 0) {
		tz_free(z);
		return core_fail(cx, CRM_EBADQUERY, "user_id: whose day? name a "
		    "user");
	}
	today = tz_local_day(z, now_ms);
	t0 = tz_day_start(z, today);
	t1 = tz_day_start(z, today + 1);
	t2 = tz_day_start(z, today + 2);
	/* 1970-01-01 was a Thursday; the week ends with Sunday. */
	iso = (int)(((today % 7) + 7 + 3) % 7);	/* 0: Monday .. 6: Sunday */
	tw = tz_day_start(z, today + 7 - iso);
	tz_free(z);
	if (tw < t2)
		tw = t2;
	/* A task is overdue once its deadline passed; a meeting once its day did. */
	r = (struct bounds){ { now_ms, t1, t2 }, { t0, t1, t2 }, tw };
	rc = user_active(cx, uid);
	if (rc != CRM_OK)
		return rc;
	time_civil_from_days(today, &y, &m, &d);
	snprintf(day, sizeof(day), "%04d-%02d-%02d", y, m, d);
	res = json_pack("{s:I, s:s, s:o, s:s}", "user_id", (json_int_t)uid,
	    "tz", tzname != NULL ? tzname : "UTC", "now", activity_time_json(now_ms),
	    "date", day);
	rc = buckets(cx, uid, &r, per, &shown, b);
	for (int i = 0; i < 4 && rc == CRM_OK; i++)
		json_object_set_new(res, names[i], b[i]);
	/* The process steps waiting for the user; their tasks are above too. */
	if (rc == CRM_OK) {
		json_t *steps = NULL;

		rc = prun_waiting_for(cx, uid, &steps);
		if (rc == CRM_OK)
			json_object_set_new(res, "process_steps", steps);
	}
	if (rc == CRM_OK)
		rc = watch_reads(cx, &entity_activities, shown);
	if (rc != CRM_OK) {
		json_decref(res);
		return rc;
	}
	*out = res;
	return CRM_OK;
}
