/*
 * Workload (see workload.h). A person's days are computed in three reads
 * whatever the range: their absences, their open tasks due in the range,
 * and their planned meetings overlapping it; each row is then placed in
 * its days by the bounds of the person's local days (their calendar's
 * time zone), so a task due at 23:30 in Berlin counts on that Berlin day.
 * The calendar answers the capacity of each day (workcal_between over the
 * day), which already knows weekends and holidays.
 */
#include "core/workload.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/activities.h"
#include "core/org.h"
#include "core/workcal.h"
#include "util/log.h"
#include "util/timeutil.h"
#include "util/tz.h"

#define ESTIMATE_MAX 100000	/* minutes one checked task may claim */

static int
db_fail(struct core_ctx *cx, const char *what)
{
	log_error("database: workload %s: %s", what, db_errmsg(cx->db));
	return core_fail(cx, CRM_EDB, "The database failed while reading the "
	    "workload");
}

/* One local day of one person. */
struct wl_day {
	int64_t	 start, end;	/* the day's bounds, ms UTC */
	int64_t	 capacity;	/* working minutes, 0 when absent */
	int64_t	 task_min, meeting_min;
	bool	 absent;
	json_t	*items;		/* owned: the work behind the day */
};

static void
days_free(struct wl_day *d, int n)
{
	for (int i = 0; i < n; i++)
		json_decref(d[i].items);
	free(d);
}

static void
day_text(int64_t day, char out[16])
{
	int y, m, dd;

	time_civil_from_days(day, &y, &m, &dd);
	snprintf(out, 16, "%04d-%02d-%02d", y, m, dd);
}

/* The index of the day holding instant t, or -1 outside the range. */
static int
day_of(const struct wl_day *d, int n, int64_t t)
{
	for (int i = 0; i < n; i++)
		if (t >= d[i].start && t < d[i].end)
			return i;
	return -1;
}

/* Marks the days of user uid's absences within the range as absent. */
static int
mark_absences(struct core_ctx *cx, int64_t uid, int64_t from_day, int n,
    struct wl_day *d)
{
	char a[16], b[16];
	db_stmt_t *st;
	int rc;

	day_text(from_day, a);
	day_text(from_day + n - 1, b);
	if (db_prepare(cx->db, "SELECT from_day, to_day FROM user_absences "
	    "WHERE user_id = ? AND to_day >= ? AND from_day <= ?", &st) != DB_OK)
		return db_fail(cx, "absences");
	db_bind_int(st, 1, uid);
	db_bind_text(st, 2, a, strlen(a));
	db_bind_text(st, 3, b, strlen(b));
	while ((rc = db_step(st)) == DB_ROW) {
		const char *f = db_col_text(st, 0, NULL);
		const char *t = db_col_text(st, 1, NULL);
		int64_t fd, td;

		/* The core wrote them checked; a bad one counts for nothing. */
		if (f == NULL || t == NULL || time_parse_date(f, strlen(f), &fd) ||
		    time_parse_date(t, strlen(t), &td))
			continue;
		for (int64_t k = fd; k <= td; k++)
			if (k >= from_day && k < from_day + n)
				d[k - from_day].absent = true;
	}
	db_done(st);
	return rc == DB_DONE ? CRM_OK : db_fail(cx, "absences step");
}

static json_t *
item_json(int64_t id, const char *kind, const char *subject, int64_t minutes,
    bool estimated, int64_t at)
{
	return json_pack("{s:I, s:s, s:s, s:I, s:b, s:o}", "id", (json_int_t)id,
	    "kind", kind, "subject", subject != NULL ? subject : "", "minutes",
	    (json_int_t)minutes, "estimated", estimated, "at",
	    activity_time_json(at));
}

/*
 * Adds the open tasks uid owns due in the range to their days; skip_id
 * (> 0) is left out (a task being edited, counted anew by the caller).
 */
static int
add_tasks(struct core_ctx *cx, int64_t uid, int64_t skip_id,
    struct wl_day *d, int n)
{
	db_stmt_t *st;
	int rc, count = 0;

	if (db_prepare(cx->db, "SELECT id, subject, due_at, estimate_min FROM "
	    "activities WHERE deleted_at IS NULL AND owner_id = ? AND status = "
	    "'open' AND kind = 'task' AND due_at >= ? AND due_at < ? AND id <> ? "
	    "ORDER BY due_at, id", &st) != DB_OK)
		return db_fail(cx, "tasks");
	db_bind_int(st, 1, uid);
	db_bind_int(st, 2, d[0].start);
	db_bind_int(st, 3, d[n - 1].end);
	db_bind_int(st, 4, skip_id);
	while ((rc = db_step(st)) == DB_ROW && count++ < WORKLOAD_ITEMS_MAX) {
		int64_t due = db_col_int(st, 2);
		bool est = !db_col_null(st, 3);
		int64_t min = est ? db_col_int(st, 3) : WORKLOAD_DEFAULT_EST;
		int i = day_of(d, n, due);

		if (i < 0)
			continue;
		if (min < 0)
			min = 0;
		d[i].task_min += min;
		json_array_append_new(d[i].items, item_json(db_col_int(st, 0),
		    "task", db_col_text(st, 1, NULL), min, est, due));
	}
	db_done(st);
	return rc == DB_DONE || rc == DB_ROW ? CRM_OK : db_fail(cx, "tasks step");
}

/*
 * Adds the planned meetings uid organises or takes part in to the days
 * they overlap, each day the minutes that fall within it. The two parts
 * are a UNION so each reads its own index (owner, or participations).
 */
static int
add_meetings(struct core_ctx *cx, int64_t uid, struct wl_day *d, int n)
{
	static const char sql[] = "SELECT a.id, a.subject, a.start_at, "
	    "a.end_at FROM activities a WHERE a.deleted_at IS NULL AND "
	    "a.kind = 'meeting' AND a.status = 'planned' AND a.start_at < ? AND "
	    "a.start_at >= ? AND a.id IN (SELECT x.id FROM activities x WHERE "
	    "x.owner_id = ? UNION SELECT p.activity_id FROM activity_participants "
	    "p WHERE p.user_id = ?) ORDER BY a.start_at, a.id";
	int64_t lo = d[0].start, hi = d[n - 1].end;
	db_stmt_t *st;
	int rc, count = 0;

	if (db_prepare(cx->db, sql, &st) != DB_OK)
		return db_fail(cx, "meetings");
	db_bind_int(st, 1, hi);
	/* A meeting may begin the day before and run into the range. */
	db_bind_int(st, 2, lo - 86400000LL * 2);
	db_bind_int(st, 3, uid);
	db_bind_int(st, 4, uid);
	while ((rc = db_step(st)) == DB_ROW && count++ < WORKLOAD_ITEMS_MAX) {
		int64_t s = db_col_int(st, 2);
		bool has_end = !db_col_null(st, 3);
		int64_t e = has_end ? db_col_int(st, 3) :
		    s + WORKLOAD_DEFAULT_MEETING * 60000LL;

		for (int i = 0; i < n; i++) {
			int64_t a = s > d[i].start ? s : d[i].start;
			int64_t b = e < d[i].end ? e : d[i].end;
			int64_t min;

			if (b <= a)
				continue;
			min = (b - a) / 60000;
			d[i].meeting_min += min;
			json_array_append_new(d[i].items, item_json(db_col_int(st,
			    0), "meeting", db_col_text(st, 1, NULL), min, has_end,
			    s));
		}
	}
	db_done(st);
	return rc == DB_DONE || rc == DB_ROW ? CRM_OK :
	    db_fail(cx, "meetings step");
}

/*
 * The n days of uid from local day from_day in calendar cal, into *out
 * (free with days_free).
 */
static int
person_days(struct core_ctx *cx, int64_t uid, const struct workcal *cal,
    int64_t from_day, int n, int64_t skip_id, struct wl_day **out)
{
	struct wl_day *d = calloc((size_t)n, sizeof(*d));
	int rc = CRM_OK;

	*out = NULL;
	if (d == NULL)
		return core_fail(cx, CRM_EDB, "Out of memory");
	for (int i = 0; i < n; i++) {
		d[i].start = tz_day_start(cal->tz, from_day + i);
		d[i].end = tz_day_start(cal->tz, from_day + i + 1);
		d[i].items = json_array();
	}
	rc = mark_absences(cx, uid, from_day, n, d);
	for (int i = 0; i < n && rc == CRM_OK; i++) {
		if (d[i].absent)
			continue;
		if (workcal_between(cal, d[i].start, d[i].end, &d[i].capacity))
			rc = core_fail(cx, CRM_EDB, "The calendar could not be read");
	}
	if (rc == CRM_OK)
		rc = add_tasks(cx, uid, skip_id, d, n);
	if (rc == CRM_OK)
		rc = add_meetings(cx, uid, d, n);
	if (rc != CRM_OK) {
		days_free(d, n);
		return rc;
	}
	*out = d;
	return CRM_OK;
}

/* Percent of capacity, rounded; null for work without capacity. */
static json_t *
load_json(int64_t planned, int64_t capacity)
{
	if (capacity <= 0)
		return planned > 0 ? json_null() : json_integer(0);
	return json_integer((json_int_t)((planned * 100 + capacity / 2) /
	    capacity));
}

static bool
sees_all(struct core_ctx *cx)
{
	return cx->actor.is_admin || cx->actor.user_id == 0;
}

/* May the actor see user uid's workload? CRM_ENOTFOUND for no such user. */
static int
may_see_user(struct core_ctx *cx, int64_t uid)
{
	bool found = false;
	int rc = core_probe(cx, "workload: user", "SELECT 1 FROM users WHERE "
	    "id = ?", &uid, 1, &found);

	if (rc != CRM_OK)
		return rc;
	if (!found)
		return core_fail(cx, CRM_ENOTFOUND, "No user with id %lld",
		    (long long)uid);
	if (sees_all(cx) || uid == cx->actor.user_id)
		return CRM_OK;
	rc = org_heads_user(cx, uid, &found);
	if (rc == CRM_OK && !found)
		rc = core_fail(cx, CRM_EFORBIDDEN, "Only the person, their heads "
		    "and an administrator see a person's workload");
	return rc;
}

/* May the actor see department dept's workload (they head it or above)? */
static int
may_see_dept(struct core_ctx *cx, int64_t dept)
{
	bool found = false;
	int rc = core_probe(cx, "workload: department", "SELECT 1 FROM "
	    "departments WHERE id = ?", &dept, 1, &found);

	if (rc != CRM_OK)
		return rc;
	if (!found)
		return core_fail(cx, CRM_ENOTFOUND, "No department with id %lld",
		    (long long)dept);
	if (sees_all(cx))
		return CRM_OK;
	rc = org_heads_dept(cx, dept, &found);
	if (rc == CRM_OK && !found)
		rc = core_fail(cx, CRM_EFORBIDDEN, "Only the department's heads "
		    "(and those above) and an administrator see its workload");
	return rc;
}

/* A person to show. */
struct wl_person {
	int64_t	id;
	int64_t	dept;		/* 0: none */
	char	name[256];
};

/*
 * The people asked for, by name, into a new array *out of *n (free()):
 * uid alone, everyone active in dept and below, or (neither) everyone
 * the actor may see.
 */
static int
people(struct core_ctx *cx, int64_t uid, int64_t dept, struct wl_person **out,
    int *n)
{
	struct dbq q;
	db_stmt_t *st;
	struct wl_person *p;
	int rc, k = 0;

	*out = NULL;
	*n = 0;
	p = calloc(WORKLOAD_PEOPLE_MAX, sizeof(*p));
	if (p == NULL)
		return core_fail(cx, CRM_EDB, "Out of memory");
	dbq_init(&q);
	if (uid > 0) {
		dbq_sql(&q, "SELECT id, name, department_id FROM users WHERE id = ?");
		dbq_int(&q, uid);
	} else if (dept > 0) {
		dbq_sql(&q, "WITH RECURSIVE sub(id) AS (SELECT id FROM departments "
		    "WHERE id = ? UNION SELECT d.id FROM departments d JOIN sub ON "
		    "d.parent_id = sub.id) SELECT id, name, department_id FROM users "
		    "WHERE active = 1 AND department_id IN (SELECT id FROM sub)");
		dbq_int(&q, dept);
	} else if (sees_all(cx)) {
		dbq_sql(&q, "SELECT id, name, department_id FROM users WHERE "
		    "active = 1");
	} else {
		dbq_sql(&q, ORG_HEADED_SQL "SELECT id, name, department_id FROM users "
		    "WHERE id = ? OR (active = 1 AND department_id IN (SELECT id "
		    "FROM sub))");
		dbq_int(&q, cx->actor.user_id);
		dbq_int(&q, cx->actor.user_id);
	}
	dbq_sql(&q, " ORDER BY name, id LIMIT %d", WORKLOAD_PEOPLE_MAX);
	rc = db_prepare_q(cx->db, &q, &st);
	dbq_free(&q);
	if (rc != DB_OK) {
		free(p);
		return db_fail(cx, "people");
	}
	while ((rc = db_step(st)) == DB_ROW && k < WORKLOAD_PEOPLE_MAX) {
		const char *name = db_col_text(st, 1, NULL);

		p[k].id = db_col_int(st, 0);
		p[k].dept = db_col_null(st, 2) ? 0 : db_col_int(st, 2);
		snprintf(p[k].name, sizeof(p[k].name), "%s", name ? name : "");
		k++;
	}
	db_done(st);
	if (rc != DB_DONE && rc != DB_ROW) {
		free(p);
		return db_fail(cx, "people step");
	}
	*out = p;
	*n = k;
	return CRM_OK;
}

/* The row of one person; NULL with the error in rc. */
static json_t *
person_json(struct core_ctx *cx, const struct wl_person *p, int64_t from_day,
    int n, int *rc)
{
	struct workcal *cal = NULL;
	struct wl_day *d = NULL;
	int64_t cap = 0, planned = 0;
	json_t *days, *row;

	*rc = workcal_for_user(cx, p->id, &cal);
	if (*rc == CRM_OK)
		*rc = person_days(cx, p->id, cal, from_day, n, 0, &d);
	workcal_free(cal);
	if (*rc != CRM_OK)
		return NULL;
	days = json_array();
	for (int i = 0; i < n; i++) {
		int64_t pl = d[i].task_min + d[i].meeting_min;
		char date[16];

		day_text(from_day + i, date);
		cap += d[i].capacity;
		planned += pl;
		json_array_append_new(days, json_pack("{s:s, s:I, s:b, s:I, s:I, "
		    "s:I, s:o, s:b, s:O}", "date", date, "capacity_min",
		    (json_int_t)d[i].capacity, "absent", d[i].absent, "task_min",
		    (json_int_t)d[i].task_min, "meeting_min",
		    (json_int_t)d[i].meeting_min, "planned_min", (json_int_t)pl,
		    "load_pct", load_json(pl, d[i].capacity), "overloaded",
		    pl > d[i].capacity, "items", d[i].items));
	}
	days_free(d, n);
	row = json_pack("{s:I, s:s, s:o, s:I, s:I, s:o, s:o}", "user_id",
	    (json_int_t)p->id, "name", p->name, "department_id", p->dept > 0 ?
	    json_integer((json_int_t)p->dept) : json_null(), "capacity_min",
	    (json_int_t)cap, "planned_min", (json_int_t)planned, "load_pct",
	    load_json(planned, cap), "days", days);
	return row;
}

/* A positive id in s into *v (0 when s is NULL); a field error when bad. */
static void
id_arg(struct core_ctx *cx, const char *s, const char *field, int64_t *v)
{
	char *end;
	long long x;

	*v = 0;
	if (s == NULL)
		return;
	x = strtoll(s, &end, 10);
	if (*s == '\0' || *end != '\0' || x < 1)
		verrs_add(&cx->errs, field, "must be a positive whole number");
	else
		*v = x;
}

int
workload_get(struct core_ctx *cx, const struct workload_query *wq,
    json_t **out)
{
	struct wl_person *p = NULL;
	int64_t uid, dept, from_day = 0;
	int n = WORKLOAD_DAYS_DEFAULT, np = 0, rc;
	json_t *rows, *res;
	char a[16], b[16];

	*out = NULL;
	id_arg(cx, wq->user_id, "user_id", &uid);
	id_arg(cx, wq->department_id, "department_id", &dept);
	if (wq->from == NULL)
		from_day = wq->now_ms / 86400000 - (wq->now_ms < 0 &&
		    wq->now_ms % 86400000 != 0);
	else if (strlen(wq->from) != 10 ||
	    time_parse_date(wq->from, 10, &from_day) != 0)
		verrs_add(&cx->errs, "from", "must be a date, YYYY-MM-DD");
	if (wq->days != NULL) {
		char *end;
		long v = strtol(wq->days, &end, 10);

		if (*wq->days == '\0' || *end != '\0' || v < 1 ||
		    v > WORKLOAD_DAYS_MAX)
			verrs_add(&cx->errs, "days", "must be a whole number from 1 "
			    "to %d", WORKLOAD_DAYS_MAX);
		else
			n = (int)v;
	}
	if (uid > 0 && dept > 0)
		verrs_add(&cx->errs, "user_id", "give user_id or department_id, "
		    "not both");
	if (cx->errs.n > 0)
		return core_invalid(cx);
	rc = uid > 0 ? may_see_user(cx, uid) : dept > 0 ? may_see_dept(cx, dept) :
	    CRM_OK;
	if (rc == CRM_OK)
		rc = people(cx, uid, dept, &p, &np);
	if (rc != CRM_OK)
		return rc;
	rows = json_array();
	for (int i = 0; i < np && rc == CRM_OK; i++) {
		json_t *row = person_json(cx, &p[i], from_day, n, &rc);

		if (row != NULL)
			json_array_append_new(rows, row);
	}
	free(p);
	if (rc != CRM_OK) {
		json_decref(rows);
		return rc;
	}
	day_text(from_day, a);
	day_text(from_day + n - 1, b);
	res = json_pack("{s:s, s:s, s:i, s:i, s:o}", "from", a, "to", b, "days",
	    n, "default_estimate_min", WORKLOAD_DEFAULT_EST, "people", rows);
	*out = res;
	return CRM_OK;
}

/* An optional whole number of in within [lo, hi], into *v. */
static void
int_field(struct core_ctx *cx, json_t *in, const char *key, bool required,
    int64_t lo, int64_t hi, int64_t *v)
{
	json_t *x = json_object_get(in, key);

	if (x == NULL || json_is_null(x)) {
		if (required)
			verrs_add(&cx->errs, key, "is required");
		return;
	}
	if (!json_is_integer(x) || json_integer_value(x) < lo ||
	    json_integer_value(x) > hi)
		verrs_add(&cx->errs, key, "must be a whole number from %lld to "
		    "%lld", (long long)lo, (long long)hi);
	else
		*v = json_integer_value(x);
}

int
workload_check(struct core_ctx *cx, json_t *in, json_t **out)
{
	struct workcal *cal = NULL;
	struct wl_day *d = NULL;
	int64_t uid = 0, est = WORKLOAD_DEFAULT_EST, skip = 0, due = 0, day;
	int64_t before, after;
	json_t *v = json_object_get(in, "due_at");
	char date[16];
	int rc;

	*out = NULL;
	int_field(cx, in, "user_id", true, 1, INT64_MAX, &uid);
	int_field(cx, in, "estimate_min", false, 0, ESTIMATE_MAX, &est);
	int_field(cx, in, "activity_id", false, 1, INT64_MAX, &skip);
	if (!json_is_string(v) || time_parse_datetime(json_string_value(v),
	    json_string_length(v), &due) != 0)
		verrs_add(&cx->errs, "due_at", "must be an RFC 3339 date-time");
	if (cx->errs.n > 0)
		return core_invalid(cx);
	rc = may_see_user(cx, uid);
	if (rc == CRM_OK)
		rc = workcal_for_user(cx, uid, &cal);
	if (rc != CRM_OK)
		return rc;
	day = tz_local_day(cal->tz, due);
	rc = person_days(cx, uid, cal, day, 1, skip, &d);
	workcal_free(cal);
	if (rc != CRM_OK)
		return rc;
	before = d[0].task_min + d[0].meeting_min;
	after = before + est;
	day_text(day, date);
	*out = json_pack("{s:I, s:s, s:I, s:I, s:I, s:o, s:o, s:b}", "user_id",
	    (json_int_t)uid, "day", date, "capacity_min",
	    (json_int_t)d[0].capacity, "planned_before_min", (json_int_t)before,
	    "planned_after_min", (json_int_t)after, "load_before",
	    load_json(before, d[0].capacity), "load_after",
	    load_json(after, d[0].capacity), "overloaded", after > d[0].capacity);
	days_free(d, 1);
	return CRM_OK;
}
