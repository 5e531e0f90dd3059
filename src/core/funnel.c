/*
 * The funnel report (core/funnel.h has the definitions it keeps).
 *
 * Two queries count in the database, each grouped so that C adds up a few
 * rows per stage, and each reads one index range (migration 0011):
 *
 *   1. the cohort's deals (index deals_funnel: pipeline, the grouping
 *      columns, created_at and every column read) grouped by
 *      furthest_stage_id, stage_id, status and lost reason: counts, value
 *      sums and unconverted counts. Reached,
 *      value, current, won, lost and the reasons are sums over those
 *      groups. furthest_stage_id is the step the deal's history reached
 *      furthest, kept by core/deals.c, so no history is read here.
 *   2. the completed stays in each step of the cohort's deals (index
 *      deal_stage_history_cohort: pipeline, stage, the deal's created_at),
 *      read stage by stage, each kept when its deal is one of the cohort's
 *      (their ids from the first index; a check left out when the cohort
 *      is every deal created in the period): count and total time, for
 *      avg_ms.
 *
 * The reached_stage filter of the deal list (core/deals.c) states "this
 * step or a later one" over the history itself, so every number of the
 * report is the count of its drill-down list; the tests check that.
 */
#include "core/funnel.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/access.h"
#include "core/currency.h"
#include "core/pipelines.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/timeutil.h"

#define DAY_MS 86400000LL
#define DRILL_MAX 8192		/* the drill query string, bytes */

/* The parameters, checked. */
struct fparams {
	int64_t			 pid;		/* 0: the default pipeline */
	int64_t			 from_day;	/* days since the epoch */
	int64_t			 to_day;
	struct list_query	 fq;		/* owner_id, department_id, source */
};

/* One step of the funnel: an open stage, or the won stage (the last). */
struct step {
	int64_t	 id;
	json_t	*stage;		/* borrowed from the pipeline */
	int64_t	 reached, value, current;
	int64_t	 stays, stay_ms;
};

/* One group of query 1. */
struct group {
	int64_t	rank;		/* furthest step reached, 1-based; 0: none */
	int64_t	stage_id;
	int64_t	reason;		/* 0: none */
	char	status[8];
	int64_t	n, value, nulls;
};

static int
db_fail(struct core_ctx *cx, const char *what)
{
	log_error("database: funnel %s: %s", what, db_errmsg(cx->db));
	return core_fail(cx, CRM_EDB, "The database failed to build the funnel");
}

/* ---- parameters ---- */

static const char *const funnel_keys[] = { "pipeline_id", "from", "to",
    "owner_id", "department_id", "source" };

static bool
is_funnel_key(const char *key)
{
	for (size_t i = 0; i < sizeof(funnel_keys) / sizeof(*funnel_keys); i++)
		if (strcmp(key, funnel_keys[i]) == 0)
			return true;
	return false;
}

/* Names every parameter the funnel does not take; false when there are any. */
static bool
only_known(struct core_ctx *cx, const struct list_query *lq)
{
	static const char *const list_only[] = { "q", "sort", "cursor", "limit",
	    "deleted" };
	const char *given[] = { lq->q, lq->sort, lq->cursor, lq->limit,
	    lq->deleted ? "true" : NULL };
	struct buf names;
	bool ok;

	buf_init(&names, 160);
	for (size_t i = 0; i < sizeof(list_only) / sizeof(*list_only); i++)
		if (given[i] != NULL)
			(void)buf_printf(&names, "%s%s", names.len ? ", " : "",
			    list_only[i]);
	for (int i = 0; i < lq->nfilters; i++)
		if (!is_funnel_key(lq->filters[i].key))
			/* A cut list still names the first ones: enough to fix. */
			(void)buf_printf(&names, "%s%.40s", names.len ? ", " : "",
			    lq->filters[i].key);
	ok = names.len == 0;
	if (!ok)
		core_fail(cx, CRM_EBADQUERY, "unknown parameter: %s (the funnel "
		    "takes pipeline_id, from, to, owner_id, department_id, "
		    "source)", names.data);
	buf_free(&names);
	return ok;
}

static int
parse_day(struct core_ctx *cx, const char *name, const char *v, int64_t *day)
{
	if (time_parse_date(v, strlen(v), day) != 0)
		return core_fail(cx, CRM_EBADQUERY, "%s: must be a date "
		    "(YYYY-MM-DD)", name);
	return CRM_OK;
}

static int
parse_params(struct core_ctx *cx, const struct list_query *lq,
    struct fparams *p)
{
	const char *from = NULL, *to = NULL, *pid = NULL, *k, *v;
	char *end;
	int rc;

	memset(p, 0, sizeof(*p));
	if (!only_known(cx, lq))
		return CRM_EBADQUERY;
	for (int i = 0; i < lq->nfilters; i++) {
		const char **one = NULL;

		k = lq->filters[i].key;
		v = lq->filters[i].value;
		if (strcmp(k, "from") == 0)
			one = &from;
		else if (strcmp(k, "to") == 0)
			one = &to;
		else if (strcmp(k, "pipeline_id") == 0)
			one = &pid;
		if (one == NULL) {
			/* owner_id, department_id, source: the list's filters. */
			p->fq.filters[p->fq.nfilters].key = k;
			p->fq.filters[p->fq.nfilters].value = v;
			p->fq.nfilters++;
		} else if (*one != NULL) {
			return core_fail(cx, CRM_EBADQUERY, "%s: given twice", k);
		} else {
			*one = v;
		}
	}
	if (pid != NULL) {
		p->pid = strtoll(pid, &end, 10);
		if (*pid == '\0' || *end != '\0' || p->pid <= 0)
			return core_fail(cx, CRM_EBADQUERY, "pipeline_id: must be "
			    "an id");
	}
	p->to_day = time_now_ms() / DAY_MS;
	if (to != NULL && (rc = parse_day(cx, "to", to, &p->to_day)) != CRM_OK)
		return rc;
	p->from_day = p->to_day - 364;
	if (from != NULL &&
	    (rc = parse_day(cx, "from", from, &p->from_day)) != CRM_OK)
		return rc;
	if (p->from_day > p->to_day)
		return core_fail(cx, CRM_EBADQUERY, "from: is after to; the period "
		    "runs from the first day to the last, both included");
	if (p->to_day - p->from_day >= FUNNEL_MAX_DAYS)
		return core_fail(cx, CRM_EBADQUERY, "from: the period is at most "
		    "%d days", FUNNEL_MAX_DAYS);
	return CRM_OK;
}

/* ---- the queries ---- */

/*
 * " AND ..." of the cohort over alias t, after "WHERE t.deleted_at IS
 * NULL". The unary + keeps SQLite on deals_funnel (the pipeline's entries,
 * covering, in the order the report groups by) rather than the created_at
 * index, which would read each deal's row and sort them; a no-op on
 * PostgreSQL.
 */
static int
cohort_where(struct core_ctx *cx, const struct fparams *p, struct dbq *q)
{
	dbq_sql(q, " AND t.pipeline_id = ? AND +t.created_at >= ? AND "
	    "+t.created_at <= ?");
	dbq_int(q, p->pid);
	dbq_int(q, p->from_day * DAY_MS);
	dbq_int(q, p->to_day * DAY_MS + DAY_MS - 1);
	return rec_where(cx, &entity_deals, &p->fq, q);
}

/* Query 1 into *groups (caller frees). */
static int
count_groups(struct core_ctx *cx, const struct fparams *p,
    const struct step *steps, size_t nsteps, struct group **groups,
    size_t *ngroups)
{
	struct dbq q;
	db_stmt_t *st;
	size_t cap = 0;
	int rc;

	*groups = NULL;
	*ngroups = 0;
	dbq_init(&q);
	dbq_sql(&q, "SELECT t.furthest_stage_id, t.stage_id, t.status, "
	    "t.lost_reason_id, COUNT(*), SUM(t.amount_base), SUM(CASE WHEN "
	    "t.amount_base IS NULL THEN 1 ELSE 0 END) FROM deals t WHERE "
	    "t.deleted_at IS NULL");
	rc = cohort_where(cx, p, &q);
	dbq_sql(&q, " GROUP BY t.furthest_stage_id, t.stage_id, t.status, "
	    "t.lost_reason_id");
	if (rc == CRM_OK && db_prepare_q(cx->db, &q, &st) != DB_OK)
		rc = db_fail(cx, "counts");
	dbq_free(&q);
	if (rc != CRM_OK)
		return rc;
	while ((rc = db_step(st)) == DB_ROW) {
		struct group *g;
		size_t len;
		const char *s;

		if (*ngroups == cap) {
			cap = cap ? cap * 2 : 32;
			*groups = xrealloc(*groups, cap * sizeof(**groups));
		}
		g = &(*groups)[(*ngroups)++];
		/* The furthest step's rank; 0 for none (NULL, or not a step). */
		g->rank = 0;
		for (size_t i = 0; i < nsteps && !db_col_null(st, 0); i++)
			if (steps[i].id == db_col_int(st, 0))
				g->rank = (int64_t)i + 1;
		g->stage_id = db_col_int(st, 1);
		s = db_col_text(st, 2, &len);
		snprintf(g->status, sizeof(g->status), "%.*s", (int)len, s);
		g->reason = db_col_null(st, 3) ? 0 : db_col_int(st, 3);
		g->n = db_col_int(st, 4);
		g->value = db_col_null(st, 5) ? 0 : db_col_int(st, 5);
		g->nulls = db_col_int(st, 6);
	}
	db_done(st);
	if (rc != DB_DONE) {
		free(*groups);
		*groups = NULL;
		return db_fail(cx, "counts step");
	}
	return CRM_OK;
}

/*
 * Whether the cohort is every deal of the pipeline created in the period,
 * live or in the trash: then every stay the history's cohort index finds
 * is one of the cohort's, and query 2 needs no check against it (the
 * usual case for an administrator without filters, and the cheaper one).
 * total is the cohort's size, from query 1.
 */
static int
cohort_is_whole(struct core_ctx *cx, const struct fparams *p, int64_t total,
    bool *whole)
{
	static const char *const sql[] = {
		/* Live ones, from deals_funnel (+: see cohort_where). */
		"SELECT COUNT(*) FROM deals t WHERE t.deleted_at IS NULL AND "
		    "t.pipeline_id = ? AND +t.created_at >= ? AND "
		    "+t.created_at <= ?",
		/* Any in the trash, from deals_deleted. */
		"SELECT COUNT(*) FROM deals t WHERE t.deleted_at IS NOT NULL AND "
		    "t.pipeline_id = ? AND t.created_at >= ? AND t.created_at <= ?",
	};
	int64_t n[2] = { 0, 0 };
	db_stmt_t *st;
	int rc;

	for (int i = 0; i < 2; i++) {
		if (db_prepare(cx->db, sql[i], &st) != DB_OK)
			return db_fail(cx, "whole");
		db_bind_int(st, 1, p->pid);
		db_bind_int(st, 2, p->from_day * DAY_MS);
		db_bind_int(st, 3, p->to_day * DAY_MS + DAY_MS - 1);
		rc = db_step(st);
		if (rc == DB_ROW)
			n[i] = db_col_int(st, 0);
		db_done(st);
		if (rc != DB_ROW)
			return db_fail(cx, "whole step");
	}
	*whole = n[0] == total && n[1] == 0;
	return CRM_OK;
}

/* Query 2: completed stays per stage, into the steps. */
static int
count_stays(struct core_ctx *cx, const struct fparams *p, bool whole,
    struct step *steps, size_t nsteps)
{
	struct dbq q;
	db_stmt_t *st;
	int rc;

	if (nsteps == 0)
		return CRM_OK;
	dbq_init(&q);
	/*
	 * The stays come from the history's cohort index, stage by stage (so
	 * grouped without sorting); their deals are checked against the
	 * cohort's ids, gathered once from deals_funnel. The unary + keeps
	 * SQLite from seeking every cohort deal's history by deal_id instead
	 * (a no-op on PostgreSQL). No row of deals is read but for a filter on
	 * a column the index lacks (source).
	 */
	dbq_sql(&q, "SELECT h.stage_id, COUNT(*), SUM(h.left_at - h.entered_at) "
	    "FROM deal_stage_history h WHERE h.pipeline_id = ? AND h.stage_id IN (");
	dbq_int(&q, p->pid);
	for (size_t i = 0; i < nsteps; i++) {
		dbq_sql(&q, i > 0 ? ", ?" : "?");
		dbq_int(&q, steps[i].id);
	}
	dbq_sql(&q, ") AND h.deal_created_at >= ? AND h.deal_created_at <= ? AND "
	    "h.left_at IS NOT NULL");
	dbq_int(&q, p->from_day * DAY_MS);
	dbq_int(&q, p->to_day * DAY_MS + DAY_MS - 1);
	rc = CRM_OK;
	if (!whole) {
		dbq_sql(&q, " AND +h.deal_id IN (SELECT t.id FROM deals t WHERE "
		    "t.deleted_at IS NULL");
		rc = cohort_where(cx, p, &q);
		dbq_sql(&q, ")");
	}
	dbq_sql(&q, " GROUP BY h.stage_id");
	if (rc == CRM_OK && db_prepare_q(cx->db, &q, &st) != DB_OK)
		rc = db_fail(cx, "stays");
	dbq_free(&q);
	if (rc != CRM_OK)
		return rc;
	while ((rc = db_step(st)) == DB_ROW) {
		for (size_t i = 0; i < nsteps; i++) {
			if (steps[i].id != db_col_int(st, 0))
				continue;
			steps[i].stays = db_col_int(st, 1);
			steps[i].stay_ms = db_col_null(st, 2) ? 0 : db_col_int(st, 2);
		}
	}
	db_done(st);
	return rc == DB_DONE ? CRM_OK : db_fail(cx, "stays step");
}

/* ---- the answer ---- */

/* num / den rounded to 4 decimals; null when den is 0. */
static json_t *
ratio(int64_t num, int64_t den)
{
	if (den <= 0)
		return json_null();
	/* Integer rounding (half up) first, so 2/3 is exactly 0.6667. */
	return json_real((double)((num * 20000 + den) / (2 * den)) / 10000.0);
}

static json_t *
money(bool shown, int64_t v)
{
	return shown ? json_integer(v) : json_null();
}

static json_t *
day_json(int64_t day)
{
	char ts[TIME_RFC3339_LEN];

	time_format(day * DAY_MS, ts, sizeof(ts));
	ts[10] = '\0';
	return json_string(ts);
}

/* Appends key=value to a query string, percent-encoding both. */
static void
query_add(struct buf *b, bool *ok, const char *key, const char *value)
{
	static const char hex[] = "0123456789ABCDEF";
	const char *parts[2] = { key, value };

	if (b->len > 0 && buf_putc(b, '&') != 0)
		*ok = false;
	for (int i = 0; i < 2; i++) {
		if (i == 1 && buf_putc(b, '=') != 0)
			*ok = false;
		for (const unsigned char *s = (const unsigned char *)parts[i]; *s;
		    s++) {
			if ((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') ||
			    (*s >= '0' && *s <= '9') || strchr("-._~", *s) != NULL) {
				if (buf_putc(b, (char)*s) != 0)
					*ok = false;
			} else if (buf_putc(b, '%') != 0 ||
			    buf_putc(b, hex[*s >> 4]) != 0 ||
			    buf_putc(b, hex[*s & 15]) != 0) {
				*ok = false;
			}
		}
	}
}

/* The deal list's query string for the cohort; NULL when too long. */
static json_t *
drill_json(const struct fparams *p, json_t *from, json_t *to)
{
	struct buf b;
	char pid[24];
	bool ok = true;
	json_t *j;

	buf_init(&b, DRILL_MAX);
	snprintf(pid, sizeof(pid), "%lld", (long long)p->pid);
	query_add(&b, &ok, "pipeline_id", pid);
	query_add(&b, &ok, "created_at[gte]", json_string_value(from));
	query_add(&b, &ok, "created_at[lte]", json_string_value(to));
	for (int i = 0; i < p->fq.nfilters; i++)
		query_add(&b, &ok, p->fq.filters[i].key, p->fq.filters[i].value);
	j = ok ? json_string(b.data) : NULL;
	buf_free(&b);
	return j;
}

static int
by_count(const void *a, const void *b)
{
	json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
	int64_t nx = json_integer_value(json_object_get(x, "count"));
	int64_t ny = json_integer_value(json_object_get(y, "count"));
	int64_t ix = json_integer_value(json_object_get(x, "id"));
	int64_t iy = json_integer_value(json_object_get(y, "id"));

	if (nx != ny)
		return nx > ny ? -1 : 1;
	return ix < iy ? -1 : ix > iy;
}

/* The lost reasons of the lost groups, most frequent first. */
static json_t *
lost_reasons(const struct group *g, size_t ng, json_t *names, bool values)
{
	json_t **rows = xcalloc(ng > 0 ? ng : 1, sizeof(*rows));
	json_t *arr = json_array(), *r, *name;
	size_t nrows = 0, i, j, k;

	for (i = 0; i < ng; i++) {
		if (strcmp(g[i].status, "lost") != 0)
			continue;
		for (k = 0; k < nrows; k++)
			if (json_integer_value(json_object_get(rows[k], "id")) ==
			    g[i].reason)
				break;
		if (k == nrows) {
			name = NULL;
			json_array_foreach(json_object_get(names, "data"), j, r) {
				if (json_integer_value(json_object_get(r, "id")) ==
				    g[i].reason)
					name = json_object_get(r, "name");
			}
			rows[nrows++] = json_pack("{s:o, s:o, s:I, s:I}", "id",
			    g[i].reason > 0 ? json_integer(g[i].reason) :
			    json_null(), "name", name != NULL ? json_incref(name) :
			    json_null(), "count", (json_int_t)0,
			    "value_base", (json_int_t)0);
		}
		json_object_set_new(rows[k], "count", json_integer(
		    json_integer_value(json_object_get(rows[k], "count")) +
		    g[i].n));
		json_object_set_new(rows[k], "value_base", json_integer(
		    json_integer_value(json_object_get(rows[k], "value_base")) +
		    g[i].value));
	}
	qsort(rows, nrows, sizeof(*rows), by_count);
	for (k = 0; k < nrows; k++) {
		if (!values)
			json_object_set_new(rows[k], "value_base", json_null());
		json_array_append_new(arr, rows[k]);
	}
	free(rows);
	return arr;
}

int
funnel_report(struct core_ctx *cx, const struct list_query *lq, json_t **out)
{
	struct fparams p;
	struct step steps[PIPELINE_STAGES_MAX];
	struct group *g = NULL;
	size_t nsteps = 0, ng = 0, i, k;
	json_t *pipe = NULL, *names = NULL, *s, *stages, *from, *to, *drill;
	int64_t total = 0, unconverted = 0, won = 0, won_v = 0, lost = 0;
	int64_t lost_v = 0;
	char base[4];
	int rc;
	bool whole = false;
	bool values = access_field(cx, &entity_deals, "amount") != FIELD_HIDDEN;
	bool reasons = access_field(cx, &entity_deals, "lost_reason_id") !=
	    FIELD_HIDDEN;

	rc = parse_params(cx, lq, &p);
	if (rc == CRM_OK && p.pid == 0)
		rc = pipeline_first_active(cx, &p.pid);
	if (rc == CRM_OK)
		rc = pipeline_get(cx, p.pid, &pipe);
	if (rc == CRM_OK)
		rc = currency_base_get(cx, base);
	if (rc == CRM_OK && reasons)
		rc = lost_reason_list(cx, &names);
	if (rc != CRM_OK)
		goto out;
	/* The steps: open stages in the pipeline's order, then won. */
	for (int pass = 0; pass < 2; pass++)
		json_array_foreach(json_object_get(pipe, "stages"), i, s) {
			const char *kind = json_string_value(json_object_get(s,
			    "kind"));

			if (kind == NULL || strcmp(kind, pass == 0 ? "open" :
			    "won") != 0 || nsteps == PIPELINE_STAGES_MAX)
				continue;
			memset(&steps[nsteps], 0, sizeof(steps[nsteps]));
			steps[nsteps].id = json_integer_value(json_object_get(s,
			    "id"));
			steps[nsteps].stage = s;
			nsteps++;
		}
	rc = count_groups(cx, &p, steps, nsteps, &g, &ng);
	for (i = 0; i < ng; i++)
		total += g[i].n;
	if (rc == CRM_OK)
		rc = cohort_is_whole(cx, &p, total, &whole);
	if (rc == CRM_OK)
		rc = count_stays(cx, &p, whole, steps, nsteps);
	if (rc != CRM_OK)
		goto out;
	for (i = 0; i < ng; i++) {
		unconverted += g[i].nulls;
		for (k = 0; k < nsteps; k++) {
			/* Reached step k+1 and every one before it. */
			if (g[i].rank >= (int64_t)k + 1) {
				steps[k].reached += g[i].n;
				steps[k].value += g[i].value;
			}
			if (steps[k].id == g[i].stage_id)
				steps[k].current += g[i].n;
		}
		if (strcmp(g[i].status, "won") == 0) {
			won += g[i].n;
			won_v += g[i].value;
		} else if (strcmp(g[i].status, "lost") == 0) {
			lost += g[i].n;
			lost_v += g[i].value;
		}
	}
	stages = json_array();
	for (k = 0; k < nsteps; k++) {
		bool last = k + 1 == nsteps;
		json_t *st = steps[k].stage;

		json_array_append_new(stages, json_pack("{s:{s:O, s:O, s:O, s:O, "
		    "s:O}, s:I, s:o, s:o, s:o, s:o, s:I}", "stage", "id",
		    json_object_get(st, "id"), "name", json_object_get(st, "name"),
		    "position", json_object_get(st, "position"), "kind",
		    json_object_get(st, "kind"), "probability",
		    json_object_get(st, "probability"), "reached",
		    (json_int_t)steps[k].reached, "moved_on", last ? json_null() :
		    json_integer(steps[k + 1].reached), "conversion", last ?
		    json_null() : ratio(steps[k + 1].reached, steps[k].reached),
		    "avg_ms", steps[k].stays == 0 ? json_null() :
		    json_integer((steps[k].stay_ms + steps[k].stays / 2) /
		    steps[k].stays), "value_base", money(values, steps[k].value),
		    "current", (json_int_t)steps[k].current));
	}
	from = day_json(p.from_day);
	to = day_json(p.to_day);
	drill = drill_json(&p, from, to);
	if (drill == NULL) {
		json_decref(stages);
		json_decref(from);
		json_decref(to);
		rc = core_fail(cx, CRM_EBADQUERY, "the parameters are too long");
		goto out;
	}
	*out = json_pack("{s:{s:O, s:O}, s:o, s:o, s:s, s:I, s:o, s:{s:I, s:o}, "
	    "s:{s:I, s:o, s:o}, s:o, s:I, s:o}", "pipeline", "id",
	    json_object_get(pipe, "id"), "name", json_object_get(pipe, "name"),
	    "from", from, "to", to, "base_currency", base, "total",
	    (json_int_t)total, "stages", stages, "won", "count", (json_int_t)won,
	    "value_base", money(values, won_v), "lost", "count",
	    (json_int_t)lost, "value_base", money(values, lost_v), "reasons",
	    reasons ? lost_reasons(g, ng, names, values) : json_null(),
	    "end_to_end", ratio(won, total), "unconverted",
	    (json_int_t)unconverted, "drill", drill);
	if (*out == NULL)
		rc = core_fail(cx, CRM_EDB, "Could not build the funnel");
out:
	free(g);
	json_decref(pipe);
	json_decref(names);
	return rc;
}
