/*
 * The support dashboard (desk_report in desk.h; the shape in docs/api.md):
 * one pass over the tickets the actor may read, under the tickets' read
 * predicate, so the numbers never count what the list would not show.
 * Working minutes are counted with each ticket's SLA calendar, loaded once
 * per policy.
 */
#include "core/desk.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/access.h"
#include "core/record.h"
#include "core/sla.h"
#include "core/workcal.h"
#include "util/alloc.h"
#include "util/log.h"
#include "util/timeutil.h"

#define CALS_MAX 32	/* calendars kept during one report */
#define DAY_MS 86400000LL

struct cal_cache {
	int64_t		 policy[CALS_MAX];
	struct workcal	*cal[CALS_MAX];
	size_t		 n;
};

struct series {
	int64_t	*v;
	size_t	 n, cap;
};

static void
series_add(struct series *s, int64_t v)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 256;
		s->v = xrealloc(s->v, s->cap * sizeof(*s->v));
	}
	s->v[s->n++] = v;
}

static int
cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

int64_t
desk_median(const int64_t *sorted, size_t n)
{
	return sorted[(n - 1) / 2];
}

static json_t *
series_json(struct series *s)
{
	if (s->n > 0)
		qsort(s->v, s->n, sizeof(*s->v), cmp_i64);
	return json_pack("{s:I, s:o}", "count", (json_int_t)s->n, "median",
	    s->n > 0 ? json_integer(desk_median(s->v, s->n)) : json_null());
}

static int
calendar(struct core_ctx *cx, struct cal_cache *c, int64_t policy,
    struct workcal **out)
{
	int rc;

	for (size_t i = 0; i < c->n; i++)
		if (c->policy[i] == policy) {
			*out = c->cal[i];
			return CRM_OK;
		}
	if (c->n == CALS_MAX) {
		workcal_free(c->cal[--c->n]);
	}
	rc = sla_calendar(cx, policy, &c->cal[c->n]);
	if (rc != CRM_OK)
		return rc;
	c->policy[c->n] = policy;
	*out = c->cal[c->n++];
	return CRM_OK;
}

/* Counts of one agent or queue, kept in an object keyed by its id. */
static void
bump(json_t *group, int64_t id, const char *what)
{
	char key[32];
	json_t *g;

	snprintf(key, sizeof(key), "%lld", (long long)id);
	g = json_object_get(group, key);
	if (g == NULL) {
		g = json_pack("{s:I, s:i, s:i, s:i}", "id", (json_int_t)id, "open",
		    0, "resolved", 0, "breached", 0);
		json_object_set_new(group, key, g);
	}
	if (what != NULL)
		json_object_set_new(g, what, json_integer(json_integer_value(
		    json_object_get(g, what)) + 1));
}

/* The groups as an array by id, each with its name from sql (one "?"). */
static int
groups_json(struct core_ctx *cx, json_t *group, const char *idkey,
    const char *sql, json_t **out)
{
	json_t *arr = json_array(), *g;
	const char *key;
	size_t n = json_object_size(group), i = 0;
	int64_t *ids = xcalloc(n > 0 ? n : 1, sizeof(*ids));
	int rc = CRM_OK;

	json_object_foreach(group, key, g)
		ids[i++] = json_integer_value(json_object_get(g, "id"));
	if (n > 0)
		qsort(ids, n, sizeof(*ids), cmp_i64);
	for (i = 0; i < n && rc == CRM_OK; i++) {
		char k[32];
		db_stmt_t *st;
		json_t *name = json_null();

		snprintf(k, sizeof(k), "%lld", (long long)ids[i]);
		g = json_deep_copy(json_object_get(group, k));
		json_object_del(g, "id");
		json_object_set_new(g, idkey, json_integer(ids[i]));
		if (db_prepare(cx->db, sql, &st) != DB_OK) {
			json_decref(g);
			rc = core_fail(cx, CRM_EDB, "The database failed");
			break;
		}
		db_bind_int(st, 1, ids[i]);
		if (db_step(st) == DB_ROW)
			name = json_string(db_col_text(st, 0, NULL));
		db_done(st);
		json_object_set_new(g, "name", name);
		json_array_append_new(arr, g);
	}
	free(ids);
	*out = arr;
	return rc;
}

struct tally {
	int64_t		 total, with_policy, met, breached, sat_n, sat_sum;
	json_t		*by_status, *by_age, *agents, *queues;
	struct series	 first, resolution;
};

static const char *
age_bucket(int64_t age_ms)
{
	return age_ms < DAY_MS ? "lt_1d" : age_ms < 3 * DAY_MS ? "1d_3d" :
	    age_ms < 7 * DAY_MS ? "3d_7d" : "gt_7d";
}

static void
incr(json_t *obj, const char *key)
{
	json_object_set_new(obj, key, json_integer(json_integer_value(
	    json_object_get(obj, key)) + 1));
}

/* One ticket row into the tally. */
static int
count_row(struct core_ctx *cx, struct cal_cache *cc, struct tally *t,
    db_stmt_t *st, int64_t now)
{
	const char *status = db_col_text(st, 0, NULL);
	int64_t received = db_col_int(st, 1);
	int64_t policy = db_col_null(st, 5) ? 0 : db_col_int(st, 5);
	bool open = strcmp(status, "resolved") != 0 && strcmp(status, "closed") != 0;
	bool breached = db_col_int(st, 6) != 0 || db_col_int(st, 7) != 0;
	int64_t owner = db_col_null(st, 8) ? 0 : db_col_int(st, 8);
	int64_t queue = db_col_null(st, 9) ? 0 : db_col_int(st, 9);
	struct workcal *cal = NULL;
	int64_t min;
	int rc = CRM_OK;

	if (open) {
		t->total++;
		incr(t->by_status, status);
		incr(t->by_age, age_bucket(now - received));
	}
	if (policy > 0 && (!open || breached)) {
		t->with_policy++;
		if (breached)
			t->breached++;
		else
			t->met++;
	}
	if (!db_col_null(st, 4)) {
		t->sat_n++;
		t->sat_sum += db_col_int(st, 4);
	}
	if (!db_col_null(st, 2) || !db_col_null(st, 3))
		rc = calendar(cx, cc, policy, &cal);
	if (rc == CRM_OK && !db_col_null(st, 2) &&
	    workcal_between(cal, received, db_col_int(st, 2), &min) == 0)
		series_add(&t->first, min);
	if (rc == CRM_OK && !db_col_null(st, 3) &&
	    workcal_between(cal, received, db_col_int(st, 3), &min) == 0)
		series_add(&t->resolution, min);
	if (owner > 0)
		bump(t->agents, owner, open ? "open" : "resolved");
	if (queue > 0)
		bump(t->queues, queue, open ? "open" : "resolved");
	if (owner > 0 && breached)
		bump(t->agents, owner, "breached");
	if (queue > 0 && breached)
		bump(t->queues, queue, "breached");
	return rc;
}

static int
day_arg(struct core_ctx *cx, const char *name, const char *s, int64_t *ms)
{
	int64_t days;

	if (s == NULL)
		return CRM_OK;
	if (time_parse_date(s, strlen(s), &days) != 0)
		return core_fail(cx, CRM_EBADQUERY, "%s: must be a date "
		    "(YYYY-MM-DD)", name);
	*ms = days * DAY_MS;
	return CRM_OK;
}

int
desk_report(struct core_ctx *cx, const char *from_day, const char *to_day,
    json_t **out)
{
	struct tally t;
	struct cal_cache cc;
	struct dbq q;
	db_stmt_t *st = NULL;
	int64_t from = 0, to = 0, now = time_now_ms();
	json_t *agents = NULL, *queues = NULL;
	int rc;

	*out = NULL;
	memset(&t, 0, sizeof(t));
	memset(&cc, 0, sizeof(cc));
	rc = day_arg(cx, "from", from_day, &from);
	if (rc == CRM_OK)
		rc = day_arg(cx, "to", to_day, &to);
	if (rc != CRM_OK)
		return rc;
	t.by_status = json_pack("{s:i, s:i, s:i, s:i}", "new", 0, "open", 0,
	    "waiting", 0, "reopened", 0);
	t.by_age = json_pack("{s:i, s:i, s:i, s:i}", "lt_1d", 0, "1d_3d", 0,
	    "3d_7d", 0, "gt_7d", 0);
	t.agents = json_object();
	t.queues = json_object();
	dbq_init(&q);
	dbq_sql(&q, "SELECT t.status, t.received_at, t.first_response_at, "
	    "t.resolved_at, t.satisfaction, t.sla_policy_id, t.response_breached, "
	    "t.resolution_breached, t.owner_id, t.queue_id FROM tickets t WHERE "
	    "t.deleted_at IS NULL AND t.merged_into_id IS NULL");
	if (from_day != NULL) {
		dbq_sql(&q, " AND t.created_at >= ?");
		dbq_int(&q, from);
	}
	if (to_day != NULL) {
		dbq_sql(&q, " AND t.created_at < ?");
		dbq_int(&q, to + DAY_MS);
	}
	rc = access_where(cx, &entity_tickets, ACC_READ, "t", &q);
	if (rc == CRM_OK && db_prepare_q(cx->db, &q, &st) != DB_OK) {
		log_error("database: support report: %s", db_errmsg(cx->db));
		rc = core_fail(cx, CRM_EDB, "The database failed");
	}
	dbq_free(&q);
	while (rc == CRM_OK) {
		int step = db_step(st);

		if (step == DB_DONE)
			break;
		if (step != DB_ROW) {
			log_error("database: support report step: %s",
			    db_errmsg(cx->db));
			rc = core_fail(cx, CRM_EDB, "The database failed");
			break;
		}
		rc = count_row(cx, &cc, &t, st, now);
	}
	if (st != NULL)
		db_done(st);
	if (rc == CRM_OK)
		rc = groups_json(cx, t.agents, "user_id", "SELECT name FROM users "
		    "WHERE id = ?", &agents);
	if (rc == CRM_OK)
		rc = groups_json(cx, t.queues, "queue_id", "SELECT name FROM queues "
		    "WHERE id = ?", &queues);
	if (rc == CRM_OK)
		*out = json_pack("{s:{s:I, s:O, s:O}, s:{s:I, s:I, s:I, s:o}, s:o, "
		    "s:o, s:{s:I, s:o}, s:O, s:O}",
		    "open", "total", (json_int_t)t.total, "by_status", t.by_status,
		    "by_age", t.by_age,
		    "sla", "with_policy", (json_int_t)t.with_policy, "met",
		    (json_int_t)t.met, "breached", (json_int_t)t.breached,
		    "compliance_pct", t.with_policy > 0 ? json_real(
		    (double)(t.met * 1000 / t.with_policy) / 10.0) : json_null(),
		    "first_response_min", series_json(&t.first),
		    "resolution_min", series_json(&t.resolution),
		    "satisfaction", "count", (json_int_t)t.sat_n, "average",
		    t.sat_n > 0 ? json_real((double)(t.sat_sum * 100 / t.sat_n) /
		    100.0) : json_null(),
		    "agents", agents, "queues", queues);
	json_decref(agents);
	json_decref(queues);
	json_decref(t.by_status);
	json_decref(t.by_age);
	json_decref(t.agents);
	json_decref(t.queues);
	free(t.first.v);
	free(t.resolution.v);
	for (size_t i = 0; i < cc.n; i++)
		workcal_free(cc.cal[i]);
	return rc;
}
