/*
 * Plans and plan-fact (see plans.h). The organisation (departments and
 * active people) is read once per call into arrays, so the tree is walked
 * in memory: who the actor may plan for, a department's subtree, and the
 * roll-up of plans. Actuals are one aggregate query per row and source
 * (deals, companies, activities), each over the owners of that row.
 */
#include "core/plans.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/audit.h"
#include "core/org.h"
#include "core/workcal.h"
#include "util/log.h"
#include "util/timeutil.h"

const char *const plan_metrics[] = { "revenue_won", "deals_won",
	"avg_deal_size", "new_clients", "calls", "meetings", "tasks_done",
	NULL };
#define NMETRICS PLAN_NMETRICS
#define M_AVG 2		/* avg_deal_size: an average, not summed */

enum { S_COMPANY = PLAN_COMPANY, S_DEPT = PLAN_DEPARTMENT, S_USER = PLAN_USER };
/* Metrics: plan_metrics[0..NMETRICS), then a period's report metrics. */
#define NALL (NMETRICS + PLAN_REPORTS_MAX)
static const char *const scopes[] = { "company", "department", "user" };

static int
db_fail(struct core_ctx *cx, const char *what)
{
	log_error("database: plans %s: %s", what, db_errmsg(cx->db));
	return core_fail(cx, CRM_EDB, "The database failed; nothing was changed");
}

static int
metric_index(const char *name)
{
	for (int i = 0; name != NULL && plan_metrics[i] != NULL; i++)
		if (strcmp(plan_metrics[i], name) == 0)
			return i;
	return -1;
}

int
plan_period_parse(const char *s, int64_t *from_day, int64_t *to_day)
{
	size_t n = s != NULL ? strlen(s) : 0;
	int y, m1, m2;

	if (n < 4 || s[0] < '1' || s[0] > '9')
		return -1;
	for (int i = 0; i < 4; i++)
		if (s[i] < '0' || s[i] > '9')
			return -1;
	y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 +
	    (s[3] - '0');
	if (n == 4) {
		m1 = 1;
		m2 = 13;
	} else if (n == 7 && s[4] == '-' && s[5] == 'Q' && s[6] >= '1' &&
	    s[6] <= '4') {
		m1 = (s[6] - '1') * 3 + 1;
		m2 = m1 + 3;
	} else if (n == 7 && s[4] == '-' && s[5] >= '0' && s[5] <= '1' &&
	    s[6] >= '0' && s[6] <= '9') {
		m1 = (s[5] - '0') * 10 + (s[6] - '0');
		if (m1 < 1 || m1 > 12)
			return -1;
		m2 = m1 + 1;
	} else {
		return -1;
	}
	*from_day = time_days_from_civil(y, m1, 1);
	*to_day = m2 > 12 ? time_days_from_civil(y + 1, m2 - 12, 1) :
	    time_days_from_civil(y, m2, 1);
	return 0;
}

void
plan_fact_compute(int64_t plan, int64_t actual, bool average, int64_t total,
    int64_t elapsed, struct plan_fact *f)
{
	int64_t left = total - elapsed;

	f->plan = plan;
	f->actual = actual;
	f->percent = plan > 0 ? (actual * 100 + plan / 2) / plan : -1;
	/* An average does not grow with time: its pace is what it is now. */
	if (average)
		f->projection = actual;
	else
		f->projection = elapsed > 0 ? actual * total / elapsed : -1;
	f->pace = -1;
	if (plan >= 0 && left > 0 && !average)
		f->pace = plan > actual ? (plan - actual + left - 1) / left : 0;
	f->behind = plan >= 0 && f->projection >= 0 && f->projection < plan;
}

/* ---- the organisation in memory ---- */

struct node {
	int64_t	id;
	int64_t	parent;		/* departments: parent; people: department; 0: none */
	char	name[256];
	bool	visible;	/* the actor may read (and plan) it */
};

struct org {
	struct node	*dept;
	int		 ndept;
	struct node	*user;
	int		 nuser;
	bool		 all;	/* an administrator: the company row too */
};

static void
org_free(struct org *o)
{
	free(o->dept);
	free(o->user);
}

static int
load_nodes(struct core_ctx *cx, const char *sql, struct node **out, int *n)
{
	struct node *v = calloc(PLAN_ROWS_MAX, sizeof(*v));
	db_stmt_t *st;
	int rc, k = 0;

	*out = NULL;
	*n = 0;
	if (v == NULL)
		return core_fail(cx, CRM_EDB, "Out of memory");
	if (db_prepare(cx->db, sql, &st) != DB_OK) {
		free(v);
		return db_fail(cx, "organisation");
	}
	while ((rc = db_step(st)) == DB_ROW && k < PLAN_ROWS_MAX) {
		const char *name = db_col_text(st, 1, NULL);

		v[k].id = db_col_int(st, 0);
		snprintf(v[k].name, sizeof(v[k].name), "%s", name ? name : "");
		v[k].parent = db_col_null(st, 2) ? 0 : db_col_int(st, 2);
		k++;
	}
	db_done(st);
	if (rc != DB_DONE && rc != DB_ROW) {
		free(v);
		return db_fail(cx, "organisation step");
	}
	*out = v;
	*n = k;
	return CRM_OK;
}

static struct node *
find(struct node *v, int n, int64_t id)
{
	for (int i = 0; i < n; i++)
		if (v[i].id == id)
			return &v[i];
	return NULL;
}

/* Whether department d is root or below it (bounded by the tree's size). */
static bool
under(const struct org *o, int64_t d, int64_t root)
{
	for (int steps = 0; d != 0 && steps <= o->ndept; steps++) {
		const struct node *x;

		if (d == root)
			return true;
		x = find(o->dept, o->ndept, d);
		if (x == NULL)
			return false;
		d = x->parent;
	}
	return false;
}

/* Loads the organisation and marks what the actor may read and plan. */
static int
org_load(struct core_ctx *cx, struct org *o)
{
	db_stmt_t *st;
	int rc;

	memset(o, 0, sizeof(*o));
	o->all = cx->actor.is_admin || cx->actor.user_id == 0;
	rc = load_nodes(cx, "SELECT id, name, parent_id FROM departments ORDER BY "
	    "name, id", &o->dept, &o->ndept);
	if (rc == CRM_OK)
		rc = load_nodes(cx, "SELECT id, name, department_id FROM users WHERE "
		    "active = 1 ORDER BY name, id", &o->user, &o->nuser);
	if (rc != CRM_OK) {
		org_free(o);
		return rc;
	}
	if (o->all) {
		for (int i = 0; i < o->ndept; i++)
			o->dept[i].visible = true;
		for (int i = 0; i < o->nuser; i++)
			o->user[i].visible = true;
		return CRM_OK;
	}
	if (db_prepare(cx->db, "SELECT department_id FROM department_heads WHERE "
	    "user_id = ?", &st) != DB_OK) {
		org_free(o);
		return db_fail(cx, "heads");
	}
	db_bind_int(st, 1, cx->actor.user_id);
	while ((rc = db_step(st)) == DB_ROW) {
		int64_t head_of = db_col_int(st, 0);

		for (int i = 0; i < o->ndept; i++)
			if (under(o, o->dept[i].id, head_of))
				o->dept[i].visible = true;
	}
	db_done(st);
	if (rc != DB_DONE) {
		org_free(o);
		return db_fail(cx, "heads step");
	}
	for (int i = 0; i < o->nuser; i++) {
		struct node *d = find(o->dept, o->ndept, o->user[i].parent);

		o->user[i].visible = (d != NULL && d->visible);
	}
	return CRM_OK;
}

/* ---- stored plans ---- */

struct cell {
	int	scope;
	int64_t	id;
	int	metric;
	int64_t	target;
	char	mname[PLAN_METRIC_MAX];	/* a write's metric, checked */
};

struct plans {
	struct cell	*c;
	int		 n;
	int64_t		 reports[PLAN_REPORTS_MAX];	/* report metric ids */
	int		 nreports;
};

/* The index of a metric in p: built in, else a report's (added when new). */
static int
metric_in(struct plans *p, const char *name)
{
	int64_t id;
	int m = metric_index(name);

	if (m >= 0 || plan_report_id(name, &id) != 0)
		return m;
	for (int j = 0; j < p->nreports; j++)
		if (p->reports[j] == id)
			return NMETRICS + j;
	if (p->nreports == PLAN_REPORTS_MAX)
		return -1;
	p->reports[p->nreports] = id;
	return NMETRICS + p->nreports++;
}

/* The name of metric m of p into buf. */
static const char *
metric_name(const struct plans *p, int m, char *buf, size_t len)
{
	if (m < NMETRICS)
		return plan_metrics[m];
	snprintf(buf, len, "report:%lld", (long long)p->reports[m - NMETRICS]);
	return buf;
}

static int
plans_load(struct core_ctx *cx, const char *period, struct plans *p)
{
	db_stmt_t *st;
	int rc, cap = 0;

	memset(p, 0, sizeof(*p));
	if (db_prepare(cx->db, "SELECT scope, scope_id, metric, target FROM plans "
	    "WHERE period = ?", &st) != DB_OK)
		return db_fail(cx, "load");
	db_bind_text(st, 1, period, strlen(period));
	while ((rc = db_step(st)) == DB_ROW) {
		const char *sc = db_col_text(st, 0, NULL);
		int m = metric_in(p, db_col_text(st, 2, NULL));
		int s = -1;

		for (int i = 0; i < 3 && sc != NULL; i++)
			if (strcmp(sc, scopes[i]) == 0)
				s = i;
		if (s < 0 || m < 0)
			continue;	/* a metric this version does not know */
		if (p->n == cap) {
			int ncap = cap ? cap * 2 : 64;
			struct cell *nc = realloc(p->c, (size_t)ncap * sizeof(*nc));

			if (nc == NULL)
				break;
			p->c = nc;
			cap = ncap;
		}
		p->c[p->n++] = (struct cell){ s, db_col_int(st, 1), m,
			db_col_int(st, 3), "" };
	}
	db_done(st);
	if (rc != DB_DONE) {
		free(p->c);
		p->c = NULL;
		return rc == DB_ROW ? core_fail(cx, CRM_EDB, "Out of memory") :
		    db_fail(cx, "load step");
	}
	return CRM_OK;
}

/* The stored target of a row and metric, -1 when none. */
static int64_t
plan_of(const struct plans *p, int scope, int64_t id, int metric)
{
	for (int i = 0; i < p->n; i++)
		if (p->c[i].scope == scope && p->c[i].id == id &&
		    p->c[i].metric == metric)
			return p->c[i].target;
	return -1;
}

/* A department's plan: its own, else its parts' summed (-1: none at all). */
static int64_t
rolled(const struct org *o, const struct plans *p, int64_t dept, int metric,
    int depth)
{
	int64_t own = plan_of(p, S_DEPT, dept, metric), sum = -1;

	if (own >= 0 || metric == M_AVG || depth > DEPT_DEPTH_MAX)
		return own;
	for (int i = 0; i < o->ndept; i++)
		if (o->dept[i].parent == dept) {
			int64_t v = rolled(o, p, o->dept[i].id, metric, depth + 1);

			if (v >= 0)
				sum = (sum < 0 ? 0 : sum) + v;
		}
	for (int i = 0; i < o->nuser; i++)
		if (o->user[i].parent == dept) {
			int64_t v = plan_of(p, S_USER, o->user[i].id, metric);

			if (v >= 0)
				sum = (sum < 0 ? 0 : sum) + v;
		}
	return sum;
}

static int64_t
company_plan(const struct org *o, const struct plans *p, int metric)
{
	int64_t own = plan_of(p, S_COMPANY, 0, metric), sum = -1;

	if (own >= 0 || metric == M_AVG)
		return own;
	for (int i = 0; i < o->ndept; i++)
		if (o->dept[i].parent == 0) {
			int64_t v = rolled(o, p, o->dept[i].id, metric, 0);

			if (v >= 0)
				sum = (sum < 0 ? 0 : sum) + v;
		}
	return sum;
}

/* ---- rows ---- */

static json_t *
row_head(int scope, const struct node *n)
{
	json_t *r;

	if (scope == S_COMPANY)
		return json_pack("{s:s, s:n, s:s}", "scope", "company", "id",
		    "name", "Company");
	r = json_pack("{s:s, s:I, s:s}", "scope", scopes[scope], "id",
	    (json_int_t)n->id, "name", n->name);
	json_object_set_new(r, scope == S_DEPT ? "parent_id" : "department_id",
	    n->parent ? json_integer((json_int_t)n->parent) : json_null());
	return r;
}

/* Parses period into [*a, *b) days; a field error for "period" when bad. */
static void
period_check(struct core_ctx *cx, const char *period, int64_t *a, int64_t *b)
{
	if (plan_period_parse(period, a, b) != 0)
		verrs_add(&cx->errs, "period", "must be a year (2026), a quarter "
		    "(2026-Q4) or a month (2026-11)");
}

static int
period_arg(struct core_ctx *cx, const char *period, int64_t *a, int64_t *b)
{
	period_check(cx, period, a, b);
	return cx->errs.n > 0 ? core_invalid(cx) : CRM_OK;
}

int
plan_grid(struct core_ctx *cx, const char *period, json_t **out)
{
	struct org o;
	struct plans p;
	int64_t a, b;
	json_t *rows, *metrics;
	int rc = period_arg(cx, period, &a, &b);

	*out = NULL;
	if (rc != CRM_OK)
		return rc;
	rc = org_load(cx, &o);
	if (rc != CRM_OK)
		return rc;
	rc = plans_load(cx, period, &p);
	if (rc != CRM_OK) {
		org_free(&o);
		return rc;
	}
	rows = json_array();
	metrics = json_array();
	for (int m = 0; m < NMETRICS + p.nreports; m++) {
		char mb[PLAN_METRIC_MAX];

		json_array_append_new(metrics, json_string(metric_name(&p, m, mb,
		    sizeof(mb))));
	}
	for (int s = 0; s < 3; s++) {
		struct node *v = s == S_DEPT ? o.dept : o.user;
		int n = s == S_COMPANY ? (o.all ? 1 : 0) :
		    s == S_DEPT ? o.ndept : o.nuser;

		for (int i = 0; i < n; i++) {
			int64_t id = s == S_COMPANY ? 0 : v[i].id;
			json_t *r, *plan;

			if (s != S_COMPANY && !v[i].visible &&
			    !(s == S_USER && id == cx->actor.user_id))
				continue;
			r = row_head(s, s == S_COMPANY ? NULL : &v[i]);
			plan = json_object();
			for (int m = 0; m < NMETRICS + p.nreports; m++) {
				int64_t t = plan_of(&p, s, id, m);
				char mb[PLAN_METRIC_MAX];

				if (t >= 0)
					json_object_set_new(plan, metric_name(&p, m, mb,
					    sizeof(mb)), json_integer((json_int_t)t));
			}
			json_object_set_new(r, "plan", plan);
			json_array_append_new(rows, r);
		}
	}
	free(p.c);
	org_free(&o);
	*out = json_pack("{s:s, s:o, s:o}", "period", period, "metrics", metrics,
	    "rows", rows);
	return CRM_OK;
}

/* May the actor plan for this row? */
static bool
may_plan(const struct org *o, int scope, int64_t id)
{
	struct node *n;

	if (o->all)
		return true;
	if (scope == S_COMPANY)
		return false;
	n = find(scope == S_DEPT ? o->dept : o->user,
	    scope == S_DEPT ? o->ndept : o->nuser, id);
	return n != NULL && n->visible;
}

/* Replaces (target >= 0) or clears (-1) one stored target. */
static int
store_cell(struct core_ctx *cx, const char *period, int scope, int64_t id,
    const char *metric, int64_t target)
{
	db_stmt_t *st;
	int rc;

	if (db_prepare(cx->db, "DELETE FROM plans WHERE period = ? AND scope = ? "
	    "AND scope_id = ? AND metric = ?", &st) != DB_OK)
		return db_fail(cx, "clear");
	db_bind_text(st, 1, period, strlen(period));
	db_bind_text(st, 2, scopes[scope], strlen(scopes[scope]));
	db_bind_int(st, 3, id);
	db_bind_text(st, 4, metric, strlen(metric));
	rc = db_step(st);
	db_done(st);
	if (rc != DB_DONE)
		return db_fail(cx, "clear step");
	if (target < 0)
		return CRM_OK;
	if (db_prepare(cx->db, "INSERT INTO plans (period, scope, scope_id, "
	    "metric, target, updated_at, updated_by) VALUES (?, ?, ?, ?, ?, ?, ?)",
	    &st) != DB_OK)
		return db_fail(cx, "store");
	db_bind_text(st, 1, period, strlen(period));
	db_bind_text(st, 2, scopes[scope], strlen(scopes[scope]));
	db_bind_int(st, 3, id);
	db_bind_text(st, 4, metric, strlen(metric));
	db_bind_int(st, 5, target);
	db_bind_int(st, 6, time_now_ms());
	core_bind_actor(cx, st, 7);
	rc = db_step(st);
	db_done(st);
	return rc == DB_DONE ? CRM_OK : db_fail(cx, "store step");
}

int
plan_metric_check(struct core_ctx *cx, const char *name, char *why,
    size_t whylen)
{
	int64_t id;

	if (metric_index(name) >= 0)
		return CRM_OK;
	if (plan_report_id(name, &id) == 0)
		return plan_report_check(cx, id, why, whylen);
	snprintf(why, whylen, "is not a metric (revenue_won, deals_won, "
	    "avg_deal_size, new_clients, calls, meetings, tasks_done, or "
	    "report:<id> of a designer report)");
	return CRM_EINVAL;
}

/*
 * After writing a report metric of period: do the period's report metrics
 * still fit PLAN_REPORTS_MAX? (Past it a plan would be stored but never
 * shown.) CRM_EINVAL naming field when not.
 */
static int
reports_fit(struct core_ctx *cx, const char *period, const char *metric,
    const char *field)
{
	db_stmt_t *st;
	int64_t id, n;
	int rc;

	if (plan_report_id(metric, &id) != 0)
		return CRM_OK;
	if (db_prepare(cx->db, "SELECT COUNT(DISTINCT metric) FROM plans WHERE "
	    "period = ? AND metric LIKE 'report:%'", &st) != DB_OK)
		return db_fail(cx, "report metrics");
	db_bind_text(st, 1, period, strlen(period));
	rc = db_step(st);
	n = rc == DB_ROW ? db_col_int(st, 0) : 0;
	db_done(st);
	if (rc != DB_ROW)
		return db_fail(cx, "report metrics step");
	if (n <= PLAN_REPORTS_MAX)
		return CRM_OK;
	verrs_add(&cx->errs, field, "%s already plans %d reports, the most a "
	    "period holds", period, PLAN_REPORTS_MAX);
	return core_invalid(cx);
}

/* Checks cell i of a write into *c; errors go to cx->errs. */
static int
parse_cell(struct core_ctx *cx, const struct org *o, json_t *v, size_t i,
    struct cell *c)
{
	const char *sc = json_string_value(json_object_get(v, "scope"));
	json_t *id = json_object_get(v, "id"), *t = json_object_get(v, "target");
	const char *m;
	char f[48], why[160];
	int rc;

	c->scope = -1;
	for (int k = 0; k < 3 && sc != NULL; k++)
		if (strcmp(sc, scopes[k]) == 0)
			c->scope = k;
	snprintf(f, sizeof(f), "cells[%zu].scope", i);
	if (c->scope < 0) {
		verrs_add(&cx->errs, f, "must be user, department or company");
		return CRM_OK;
	}
	c->id = json_is_integer(id) ? json_integer_value(id) : 0;
	snprintf(f, sizeof(f), "cells[%zu].id", i);
	if (c->scope != S_COMPANY && (c->id < 1 || find(c->scope == S_DEPT ?
	    o->dept : o->user, c->scope == S_DEPT ? o->ndept : o->nuser,
	    c->id) == NULL))
		verrs_add(&cx->errs, f, "names no such %s", scopes[c->scope]);
	snprintf(f, sizeof(f), "cells[%zu].metric", i);
	m = json_string_value(json_object_get(v, "metric"));
	rc = m != NULL && strlen(m) < sizeof(c->mname) ?
	    plan_metric_check(cx, m, why, sizeof(why)) : CRM_EINVAL;
	if (m == NULL || strlen(m) >= sizeof(c->mname))
		snprintf(why, sizeof(why), "must name a metric");
	if (rc == CRM_EINVAL)
		verrs_add(&cx->errs, f, "%s", why);
	else if (rc != CRM_OK)
		return rc;
	else
		snprintf(c->mname, sizeof(c->mname), "%s", m);
	snprintf(f, sizeof(f), "cells[%zu].target", i);
	if (t == NULL || json_is_null(t))
		c->target = -1;
	else if (!json_is_integer(t) || json_integer_value(t) < 0 ||
	    json_integer_value(t) > PLAN_TARGET_MAX)
		verrs_add(&cx->errs, f, "must be a whole number from 0, or null "
		    "to clear");
	else
		c->target = json_integer_value(t);
	return CRM_OK;
}

int
plan_put(struct core_ctx *cx, json_t *in, json_t **out)
{
	const char *period = json_string_value(json_object_get(in, "period"));
	json_t *cells = json_object_get(in, "cells"), *v;
	struct cell *c = NULL;
	struct org o;
	int64_t a, b;
	size_t n, i;
	int rc;

	*out = NULL;
	period_check(cx, period, &a, &b);
	n = json_array_size(cells);
	if (!json_is_array(cells) || n == 0 || n > PLAN_CELLS_MAX)
		verrs_add(&cx->errs, "cells", "must be a list of 1 to %d cells",
		    PLAN_CELLS_MAX);
	if (cx->errs.n > 0)
		return core_invalid(cx);
	rc = org_load(cx, &o);
	if (rc != CRM_OK)
		return rc;
	c = calloc(n, sizeof(*c));
	if (c == NULL) {
		org_free(&o);
		return core_fail(cx, CRM_EDB, "Out of memory");
	}
	json_array_foreach(cells, i, v)
		if (rc == CRM_OK)
			rc = parse_cell(cx, &o, v, i, &c[i]);
	if (rc == CRM_OK && cx->errs.n > 0)
		rc = core_invalid(cx);
	for (i = 0; i < n && rc == CRM_OK; i++)
		if (!may_plan(&o, c[i].scope, c[i].id))
			rc = core_fail(cx, CRM_EFORBIDDEN, "Only an administrator "
			    "plans for the company, and a head for their "
			    "departments and people (cells[%zu])", i);
	org_free(&o);
	if (rc == CRM_OK && db_begin(cx->db) != DB_OK)
		rc = db_fail(cx, "begin");
	else if (rc == CRM_OK) {
		for (i = 0; i < n && rc == CRM_OK; i++) {
			char f[48];

			snprintf(f, sizeof(f), "cells[%zu].metric", i);
			rc = store_cell(cx, period, c[i].scope, c[i].id, c[i].mname,
			    c[i].target);
			if (rc == CRM_OK)
				rc = reports_fit(cx, period, c[i].mname, f);
		}
		if (rc == CRM_OK) {
			json_t *detail = json_pack("{s:s, s:O}", "period", period,
			    "cells", cells);

			rc = audit_append(cx, "plan.changed", "plans", 0, detail);
			json_decref(detail);
		}
		rc = core_txn_end(cx, rc, NULL);
	}
	free(c);
	return rc == CRM_OK ? plan_grid(cx, period, out) : rc;
}

int
plan_split(struct core_ctx *cx, json_t *in, json_t **out)
{
	const char *period = json_string_value(json_object_get(in, "period"));
	const char *mode = json_string_value(json_object_get(in, "mode"));
	json_t *dv = json_object_get(in, "department_id"), *people;
	const char *metric = json_string_value(json_object_get(in, "metric"));
	int64_t rid, a, b, dept = json_is_integer(dv) ? json_integer_value(dv) : 0;
	int64_t target = -1, share, rest;
	struct plans p;
	struct org o;
	int rc, members = 0;

	*out = NULL;
	period_check(cx, period, &a, &b);
	if (metric == NULL || strlen(metric) >= PLAN_METRIC_MAX ||
	    (metric_index(metric) < 0 && plan_report_id(metric, &rid) != 0))
		verrs_add(&cx->errs, "metric", "is not a metric");
	if (mode == NULL || strcmp(mode, "equal") != 0)
		verrs_add(&cx->errs, "mode", "must be equal");
	if (dept < 1)
		verrs_add(&cx->errs, "department_id", "must name a department");
	if (cx->errs.n > 0)
		return core_invalid(cx);
	rc = org_load(cx, &o);
	if (rc != CRM_OK)
		return rc;
	if (find(o.dept, o.ndept, dept) == NULL) {
		org_free(&o);
		verrs_add(&cx->errs, "department_id", "names no such department");
		return core_invalid(cx);
	}
	if (!may_plan(&o, S_DEPT, dept)) {
		org_free(&o);
		return core_fail(cx, CRM_EFORBIDDEN, "Only the department's heads "
		    "and an administrator split its plan");
	}
	rc = plans_load(cx, period, &p);
	if (rc == CRM_OK) {
		int m = metric_in(&p, metric);

		target = m >= 0 ? plan_of(&p, S_DEPT, dept, m) : -1;
		free(p.c);
	}
	for (int i = 0; i < o.nuser; i++)
		members += o.user[i].parent == dept;
	if (rc == CRM_OK && target < 0)
		verrs_add(&cx->errs, "metric", "the department has no plan for it "
		    "in %s", period);
	if (rc == CRM_OK && members == 0)
		verrs_add(&cx->errs, "department_id", "has no people to share among");
	if (rc == CRM_OK && cx->errs.n > 0)
		rc = core_invalid(cx);
	if (rc == CRM_OK && db_begin(cx->db) != DB_OK)
		rc = db_fail(cx, "begin");
	else if (rc == CRM_OK) {
		share = target / members;
		rest = target % members;
		people = json_array();
		for (int i = 0; i < o.nuser && rc == CRM_OK; i++) {
			int64_t t;

			if (o.user[i].parent != dept)
				continue;
			t = share + (rest > 0 ? 1 : 0);
			rest -= rest > 0;
			rc = store_cell(cx, period, S_USER, o.user[i].id, metric, t);
			json_array_append_new(people, json_pack("{s:I, s:s, s:I}",
			    "user_id", (json_int_t)o.user[i].id, "name",
			    o.user[i].name, "target", (json_int_t)t));
		}
		*out = json_pack("{s:I, s:s, s:s, s:I, s:o}", "department_id",
		    (json_int_t)dept, "metric", metric, "period",
		    period, "target", (json_int_t)target, "people", people);
		if (rc == CRM_OK)
			rc = audit_append(cx, "plan.split", "plans", 0, *out);
		rc = core_txn_end(cx, rc, out);
	}
	org_free(&o);
	return rc;
}

/* ---- plan-fact ---- */

/*
 * Appends the owner filter of a row: one person, the people of a
 * department and below (by the loaded tree), or none for the company.
 */
static void
owner_filter(const struct org *o, int scope, int64_t id, struct dbq *q)
{
	bool any = false;

	if (scope == S_USER) {
		dbq_sql(q, " AND x.owner_id = ?");
		dbq_int(q, id);
		return;
	}
	if (scope == S_COMPANY)
		return;
	dbq_sql(q, " AND x.owner_id IN (SELECT u.id FROM users u WHERE "
	    "u.department_id IN (");
	for (int i = 0; i < o->ndept; i++)
		if (under(o, o->dept[i].id, id)) {
			dbq_sql(q, any ? ", ?" : "?");
			dbq_int(q, o->dept[i].id);
			any = true;
		}
	dbq_sql(q, "))");
}

/* Runs one aggregate (ncol integer columns) for a row into v. */
static int
aggregate(struct core_ctx *cx, const struct org *o, int scope, int64_t id,
    const char *sql, int64_t from, int64_t to, int ncol, int64_t *v)
{
	struct dbq q;
	db_stmt_t *st;
	int rc;

	dbq_init(&q);
	dbq_sql(&q, "%s", sql);
	dbq_int(&q, from);
	dbq_int(&q, to);
	owner_filter(o, scope, id, &q);
	rc = db_prepare_q(cx->db, &q, &st);
	dbq_free(&q);
	if (rc != DB_OK)
		return db_fail(cx, "actual");
	rc = db_step(st);
	for (int i = 0; i < ncol; i++)
		v[i] = rc == DB_ROW && !db_col_null(st, i) ? db_col_int(st, i) : 0;
	db_done(st);
	return rc == DB_ROW ? CRM_OK : db_fail(cx, "actual step");
}

/* The actuals of one row, in plan_metrics order. */
static int
actuals(struct core_ctx *cx, const struct org *o, int scope, int64_t id,
    int64_t from, int64_t to, int64_t act[NMETRICS])
{
	int64_t deals[2];
	int rc = aggregate(cx, o, scope, id, "SELECT COALESCE(SUM(x.amount_base), "
	    "0), COUNT(*) FROM deals x WHERE x.deleted_at IS NULL AND x.status = "
	    "'won' AND x.closed_at >= ? AND x.closed_at < ?", from, to, 2, deals);

	act[0] = deals[0];
	act[1] = deals[1];
	act[M_AVG] = deals[1] > 0 ? deals[0] / deals[1] : 0;
	if (rc == CRM_OK)
		rc = aggregate(cx, o, scope, id, "SELECT COUNT(*) FROM companies x "
		    "WHERE x.deleted_at IS NULL AND x.created_at >= ? AND "
		    "x.created_at < ?", from, to, 1, &act[3]);
	if (rc == CRM_OK)
		rc = aggregate(cx, o, scope, id, "SELECT COUNT(*) FROM activities x "
		    "WHERE x.deleted_at IS NULL AND x.kind = 'call' AND "
		    "COALESCE(x.done_at, x.created_at) >= ? AND "
		    "COALESCE(x.done_at, x.created_at) < ?", from, to, 1, &act[4]);
	if (rc == CRM_OK)
		rc = aggregate(cx, o, scope, id, "SELECT COUNT(*) FROM activities x "
		    "WHERE x.deleted_at IS NULL AND x.kind = 'meeting' AND x.status = "
		    "'held' AND x.done_at >= ? AND x.done_at < ?", from, to, 1,
		    &act[5]);
	if (rc == CRM_OK)
		rc = aggregate(cx, o, scope, id, "SELECT COUNT(*) FROM activities x "
		    "WHERE x.deleted_at IS NULL AND x.kind = 'task' AND x.status = "
		    "'done' AND x.done_at >= ? AND x.done_at < ?", from, to, 1,
		    &act[6]);
	return rc;
}

/*
 * The actuals of the period's report metrics for one row into act[j]
 * (-1: none); depts is room for every department.
 */
static int
report_actuals(struct core_ctx *cx, const struct org *o,
    const struct plans *p, int scope, int64_t id, int64_t from_day,
    int64_t to_day, int64_t now_ms, int64_t *depts, int64_t *act)
{
	struct plan_people who = { 0, depts, 0 };
	int rc = CRM_OK;

	if (scope == S_USER)
		who.user_id = id;
	for (int i = 0; scope == S_DEPT && i < o->ndept; i++)
		if (under(o, o->dept[i].id, id))
			depts[who.ndepts++] = o->dept[i].id;
	for (int j = 0; j < p->nreports && rc == CRM_OK; j++)
		rc = plan_report_actual(cx, p->reports[j], &who, from_day, to_day,
		    now_ms, &act[j]);
	return rc;
}

int
plan_actuals_user(struct core_ctx *cx, int64_t user_id, int64_t from_ms,
    int64_t to_ms, int64_t act[PLAN_NMETRICS])
{
	struct org none;

	/* A person's filter is their id alone: no tree needed. */
	memset(&none, 0, sizeof(none));
	return actuals(cx, &none, S_USER, user_id, from_ms, to_ms, act);
}

static json_t *
num_or_null(int64_t v)
{
	return v < 0 ? json_null() : json_integer((json_int_t)v);
}

/* Working days of [a, b) and of them those up to today (day `today`). */
static int
working_days(struct core_ctx *cx, int64_t a, int64_t b, int64_t today,
    int64_t *total, int64_t *elapsed)
{
	struct workcal *cal = NULL;
	int rc = workcal_load(cx, 0, &cal);

	*total = *elapsed = 0;
	if (rc != CRM_OK)
		return rc;
	for (int64_t d = a; d < b; d++) {
		int64_t min = 0;

		if (workcal_between(cal, d * 86400000LL, (d + 1) * 86400000LL,
		    &min) == 0 && min > 0) {
			(*total)++;
			*elapsed += d <= today;
		}
	}
	workcal_free(cal);
	return CRM_OK;
}

int
plan_fact(struct core_ctx *cx, const char *period, const char *department_id,
    int64_t now_ms, json_t **out)
{
	struct org o;
	struct plans p;
	int64_t a, b, dept = 0, total, elapsed, *depts = NULL;
	json_t *rows;
	int rc = period_arg(cx, period, &a, &b);
	char f[16], t[16];
	int y, m, d;

	*out = NULL;
	if (rc != CRM_OK)
		return rc;
	if (department_id != NULL) {
		char *end;

		dept = strtoll(department_id, &end, 10);
		if (*department_id == '\0' || *end != '\0' || dept < 1) {
			verrs_add(&cx->errs, "department_id", "must be a positive "
			    "whole number");
			return core_invalid(cx);
		}
	}
	rc = org_load(cx, &o);
	if (rc != CRM_OK)
		return rc;
	if (dept > 0 && find(o.dept, o.ndept, dept) == NULL)
		rc = core_fail(cx, CRM_ENOTFOUND, "No department with id %lld",
		    (long long)dept);
	else if (dept > 0 && !may_plan(&o, S_DEPT, dept))
		rc = core_fail(cx, CRM_EFORBIDDEN, "Only the department's heads and "
		    "an administrator see its plan-fact");
	if (rc == CRM_OK)
		rc = plans_load(cx, period, &p);
	if (rc != CRM_OK) {
		org_free(&o);
		return rc;
	}
	rc = working_days(cx, a, b, now_ms / 86400000, &total, &elapsed);
	depts = calloc((size_t)o.ndept + 1, sizeof(*depts));
	if (rc == CRM_OK && depts == NULL)
		rc = core_fail(cx, CRM_EDB, "Out of memory");
	rows = json_array();
	for (int s = 0; s < 3 && rc == CRM_OK; s++) {
		struct node *v = s == S_DEPT ? o.dept : o.user;
		int n = s == S_COMPANY ? (o.all && dept == 0 ? 1 : 0) :
		    s == S_DEPT ? o.ndept : o.nuser;

		for (int i = 0; i < n && rc == CRM_OK; i++) {
			int64_t id = s == S_COMPANY ? 0 : v[i].id;
			int64_t act[NALL];
			json_t *r, *ms;

			if (s == S_DEPT && (!v[i].visible || (dept > 0 &&
			    !under(&o, id, dept))))
				continue;
			if (s == S_USER && !(v[i].visible && (dept == 0 ||
			    under(&o, v[i].parent, dept))) && !(dept == 0 &&
			    id == cx->actor.user_id))
				continue;
			rc = actuals(cx, &o, s, id, a * 86400000LL, b * 86400000LL,
			    act);
			if (rc == CRM_OK)
				rc = report_actuals(cx, &o, &p, s, id, a, b, now_ms,
				    depts, act + NMETRICS);
			if (rc != CRM_OK)
				break;
			r = row_head(s, s == S_COMPANY ? NULL : &v[i]);
			ms = json_object();
			for (int k = 0; k < NMETRICS + p.nreports; k++) {
				struct plan_fact pf;
				char mb[PLAN_METRIC_MAX];
				int64_t plan = s == S_COMPANY ? company_plan(&o, &p, k) :
				    s == S_DEPT ? rolled(&o, &p, id, k, 0) :
				    plan_of(&p, S_USER, id, k);

				plan_fact_compute(plan, act[k] < 0 ? 0 : act[k], k == M_AVG,
				    total, elapsed, &pf);
				if (act[k] < 0) {
					/* A report unfit now: nothing to compare. */
					pf.actual = pf.percent = pf.projection = -1;
					pf.behind = false;
				}
				json_object_set_new(ms, metric_name(&p, k, mb, sizeof(mb)),
				    json_pack("{s:o, s:o, s:o, s:o, s:o, s:b}", "plan",
				    num_or_null(pf.plan), "actual", num_or_null(pf.actual),
				    "percent",
				    num_or_null(pf.percent), "projection",
				    num_or_null(pf.projection), "pace_needed",
				    num_or_null(pf.pace), "behind", pf.behind));
			}
			json_object_set_new(r, "metrics", ms);
			json_array_append_new(rows, r);
		}
	}
	free(depts);
	free(p.c);
	org_free(&o);
	if (rc != CRM_OK) {
		json_decref(rows);
		return rc;
	}
	time_civil_from_days(a, &y, &m, &d);
	snprintf(f, sizeof(f), "%04d-%02d-%02d", y, m, d);
	time_civil_from_days(b - 1, &y, &m, &d);
	snprintf(t, sizeof(t), "%04d-%02d-%02d", y, m, d);
	*out = json_pack("{s:s, s:s, s:s, s:I, s:I, s:o}", "period", period,
	    "from", f, "to", t, "working_days", (json_int_t)total, "elapsed_days",
	    (json_int_t)elapsed, "rows", rows);
	return CRM_OK;
}

/* ---- writing targets of several periods (plans.h; the import) ---- */

int
plan_may_write(struct core_ctx *cx, const struct plan_cell *c, size_t n,
    bool *ok)
{
	struct org o;
	int rc = org_load(cx, &o);

	if (rc != CRM_OK)
		return rc;
	for (size_t i = 0; i < n; i++)
		ok[i] = may_plan(&o, (int)c[i].scope, c[i].id);
	org_free(&o);
	return CRM_OK;
}

int
plan_write(struct core_ctx *cx, const struct plan_cell *c, size_t n,
    const char *action, json_t *detail)
{
	int rc = CRM_OK;

	if (db_begin(cx->db) != DB_OK)
		return db_fail(cx, "begin");
	for (size_t i = 0; i < n && rc == CRM_OK; i++) {
		rc = store_cell(cx, c[i].period, (int)c[i].scope, c[i].id,
		    c[i].metric, c[i].target);
		if (rc == CRM_OK)
			rc = reports_fit(cx, c[i].period, c[i].metric, "file");
	}
	if (rc == CRM_OK)
		rc = audit_append(cx, action, "plans", 0, detail);
	return core_txn_end(cx, rc, NULL);
}
