/*
 * KPI results (see kpi.h): the actuals of one person gathered in SQL (the
 * plan metrics through plans.c, the quality of work here), scored by the
 * pure rules of kpi.c, and frozen into kpi_results when a period closes.
 * A frozen row keeps the lines as they were explained (targets, rules and
 * actuals included), so neither new data nor a changed scorecard moves
 * a closed result.
 */
#include "core/kpi_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/audit.h"
#include "core/plans.h"
#include "util/log.h"
#include "util/timeutil.h"

#define NKPI 12		/* entries of kpi_metrics */
#define DAY_MS 86400000LL

static int
db_fail(struct core_ctx *cx, const char *what)
{
	log_error("database: kpi results %s: %s", what, db_errmsg(cx->db));
	return core_fail(cx, CRM_EDB, "The database failed; nothing was changed");
}

/*
 * Runs sql binding the n values of b in order and reads the first row's
 * ncol integers into v (NULL as 0).
 */
static int
one_row(struct core_ctx *cx, const char *sql, const int64_t *b, int n,
    int ncol, int64_t *v)
{
	db_stmt_t *st;
	int rc;

	if (db_prepare(cx->db, sql, &st) != DB_OK)
		return db_fail(cx, "actual");
	for (int i = 0; i < n; i++)
		db_bind_int(st, i + 1, b[i]);
	rc = db_step(st);
	for (int i = 0; i < ncol; i++)
		v[i] = rc == DB_ROW && !db_col_null(st, i) ? db_col_int(st, i) : 0;
	db_done(st);
	return rc == DB_ROW ? CRM_OK : db_fail(cx, "actual step");
}

/* part of whole in basis points; -1 ("no data") without a whole. */
static int64_t
share_bp(int64_t part, int64_t whole)
{
	return whole > 0 ? part * KPI_FULL_BP / whole : -1;
}

/*
 * The share done by the due time of the rows of rows_where (a constant
 * of this file: a table and a WHERE with one "?" for the person) due in
 * [b[1], b[2]): those due by now (b[3]) or done, so work not yet due and
 * not done counts neither way.
 */
static int
on_time(struct core_ctx *cx, const char *rows_where, const int64_t *b,
    int64_t *share)
{
	char sql[512];
	int64_t v[2];
	int rc;

	if ((size_t)snprintf(sql, sizeof(sql), "SELECT COUNT(*), SUM(CASE WHEN "
	    "status = 'done' AND done_at <= due_at THEN 1 ELSE 0 END) FROM %s "
	    "AND due_at >= ? AND due_at < ? AND (due_at <= ? OR status = "
	    "'done')", rows_where) >= sizeof(sql))
		return core_fail(cx, CRM_EDB, "The on-time query is too long");
	rc = one_row(cx, sql, b, 4, 2, v);
	*share = share_bp(v[1], v[0]);
	return rc;
}

/* The actuals of user uid in [from, to) as of now, in kpi_metrics order. */
static int
person_actuals(struct core_ctx *cx, int64_t uid, int64_t from, int64_t to,
    int64_t now, int64_t act[NKPI])
{
	int64_t v[2], b[5] = { uid, from, to, now, 0 };
	int rc = plan_actuals_user(cx, uid, from, to, act);

	/* An average of no deals is no data, not a zero. */
	if (rc == CRM_OK && act[1] == 0)
		act[2] = -1;
	if (rc == CRM_OK) {
		int64_t two[2] = { uid, uid };

		rc = one_row(cx, "SELECT COUNT(*), SUM(CASE WHEN x.phones NOT IN "
		    "('', '[]') AND x.emails NOT IN ('', '[]') AND x.source IS NOT "
		    "NULL AND x.source <> '' THEN 1 ELSE 0 END) FROM (SELECT "
		    "phones, emails, source FROM companies WHERE deleted_at IS NULL "
		    "AND owner_id = ? UNION ALL SELECT phones, emails, source FROM "
		    "contacts WHERE deleted_at IS NULL AND owner_id = ?) x", two, 2,
		    2, v);
		act[7] = share_bp(v[1], v[0]);
	}
	if (rc == CRM_OK)
		rc = one_row(cx, "SELECT COUNT(*) FROM activities WHERE deleted_at IS "
		    "NULL AND owner_id = ? AND kind <> 'task' AND created_at >= ? AND "
		    "created_at < ?", b, 3, 1, &act[8]);
	if (rc == CRM_OK)
		rc = on_time(cx, "activities WHERE deleted_at IS NULL AND owner_id = "
		    "? AND kind = 'task' AND status <> 'cancelled'", b, &act[9]);
	if (rc == CRM_OK)
		rc = on_time(cx, "process_steps WHERE assignee_id = ? AND status NOT "
		    "IN ('cancelled', 'skipped')", b, &act[10]);
	if (rc == CRM_OK)
		rc = one_row(cx, "SELECT COUNT(*) FROM activities WHERE deleted_at IS "
		    "NULL AND owner_id = ? AND kind = 'task' AND status <> "
		    "'cancelled' AND due_at >= ? AND due_at < ? AND due_at < ? AND "
		    "(done_at IS NULL OR done_at > due_at)", b, 4, 1, &act[11]);
	return rc;
}

static json_t *
num_or_null(int64_t v)
{
	return v < 0 ? json_null() : json_integer((json_int_t)v);
}

/* The explained result of one person, computed now: {total_bp, lines}. */
static int
explain(struct core_ctx *cx, const struct kpi_card *c, int64_t uid,
    int64_t from, int64_t to, int64_t now, int64_t *total, json_t **lines)
{
	int64_t act[NKPI], actual[KPI_LINES_MAX], score[KPI_LINES_MAX];
	int64_t contrib[KPI_LINES_MAX];
	int rc = person_actuals(cx, uid, from, to, now, act);

	*lines = NULL;
	if (rc != CRM_OK)
		return rc;
	for (int i = 0; i < c->nlines; i++)
		actual[i] = act[c->lines[i].metric];
	*total = kpi_total(c->lines, c->nlines, actual, score, contrib);
	*lines = json_array();
	for (int i = 0; i < c->nlines; i++) {
		json_t *l = kpi_line_json(&c->lines[i]);

		json_object_set_new(l, "actual", num_or_null(actual[i]));
		json_object_set_new(l, "no_data", json_boolean(actual[i] < 0));
		json_object_set_new(l, "score_bp", num_or_null(score[i]));
		json_object_set_new(l, "contribution_bp",
		    json_integer((json_int_t)contrib[i]));
		json_array_append_new(*lines, l);
	}
	return CRM_OK;
}

/* The frozen rows of a scorecard's period: {user_id (text): {..}}. */
static int
frozen_load(struct core_ctx *cx, int64_t card, const char *period,
    json_t **out)
{
	db_stmt_t *st;
	int rc;

	*out = json_object();
	if (db_prepare(cx->db, "SELECT user_id, total_bp, lines, closed_at FROM "
	    "kpi_results WHERE scorecard_id = ? AND period = ?", &st) != DB_OK) {
		json_decref(*out);
		*out = NULL;
		return db_fail(cx, "frozen");
	}
	db_bind_int(st, 1, card);
	db_bind_text(st, 2, period, strlen(period));
	while ((rc = db_step(st)) == DB_ROW) {
		json_t *lines = json_loads(db_col_text(st, 2, NULL), 0, NULL);
		char key[24], t[TIME_RFC3339_LEN];

		snprintf(key, sizeof(key), "%lld", (long long)db_col_int(st, 0));
		time_format(db_col_int(st, 3), t, sizeof(t));
		json_object_set_new(*out, key, json_pack("{s:o, s:o, s:s}",
		    "total_bp", db_col_null(st, 1) ? json_null() :
		    json_integer((json_int_t)db_col_int(st, 1)), "lines",
		    json_is_array(lines) ? lines : json_array(), "closed_at", t));
	}
	db_done(st);
	if (rc != DB_DONE) {
		json_decref(*out);
		*out = NULL;
		return db_fail(cx, "frozen step");
	}
	return CRM_OK;
}

static json_t *
frozen_of(json_t *frozen, int64_t uid)
{
	char key[24];

	snprintf(key, sizeof(key), "%lld", (long long)uid);
	return json_object_get(frozen, key);
}

/* The answer for card c, period [from, to) days; only uid when > 0. */
static int
answer(struct core_ctx *cx, const struct kpi_card *c, const char *period,
    int64_t from, int64_t to, int64_t uid, int64_t now, json_t **out)
{
	struct kpi_person *p = NULL;
	json_t *frozen = NULL, *people;
	int n = 0, shown = 0, y, m, d;
	char f[16], t[16];
	int rc = kpi_card_people(cx, c, &p, &n);

	*out = NULL;
	if (rc == CRM_OK)
		rc = frozen_load(cx, c->id, period, &frozen);
	people = json_array();
	for (int i = 0; i < n && rc == CRM_OK; i++) {
		json_t *row, *fz, *lines = NULL;
		int64_t total = -1;

		if (!p[i].visible || (uid > 0 && p[i].id != uid))
			continue;
		shown++;
		row = json_pack("{s:I, s:s, s:o}", "user_id", (json_int_t)p[i].id,
		    "name", p[i].name, "department_id", p[i].department_id > 0 ?
		    json_integer((json_int_t)p[i].department_id) : json_null());
		fz = frozen_of(frozen, p[i].id);
		if (fz != NULL) {
			json_object_set_new(row, "closed", json_true());
			json_object_set(row, "closed_at", json_object_get(fz,
			    "closed_at"));
			json_object_set(row, "total_bp", json_object_get(fz,
			    "total_bp"));
			json_object_set(row, "lines", json_object_get(fz, "lines"));
		} else {
			rc = explain(cx, c, p[i].id, from * DAY_MS, to * DAY_MS, now,
			    &total, &lines);
			json_object_set_new(row, "closed", json_false());
			json_object_set_new(row, "closed_at", json_null());
			json_object_set_new(row, "total_bp", num_or_null(total));
			json_object_set_new(row, "lines", lines != NULL ? lines :
			    json_array());
		}
		json_array_append_new(people, row);
	}
	free(p);
	json_decref(frozen);
	if (rc == CRM_OK && shown == 0)
		rc = uid > 0 ? core_fail(cx, CRM_ENOTFOUND, "No KPI results of user "
		    "%lld under this scorecard", (long long)uid) :
		    core_fail(cx, CRM_ENOTFOUND, "No scorecard with id %lld",
		    (long long)c->id);
	if (rc != CRM_OK) {
		json_decref(people);
		return rc;
	}
	time_civil_from_days(from, &y, &m, &d);
	snprintf(f, sizeof(f), "%04d-%02d-%02d", y, m, d);
	time_civil_from_days(to - 1, &y, &m, &d);
	snprintf(t, sizeof(t), "%04d-%02d-%02d", y, m, d);
	*out = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:o}", "scorecard_id",
	    (json_int_t)c->id, "name", c->name, "period", period, "period_kind",
	    c->period_kind, "from", f, "to", t, "people", people);
	return CRM_OK;
}

/* A positive whole number in text, or 0 with an error for field. */
static int64_t
id_arg(struct core_ctx *cx, const char *s, const char *field, bool optional)
{
	char *end;
	long long v;

	if (s == NULL && optional)
		return 0;
	v = s != NULL && *s != '\0' ? strtoll(s, &end, 10) : 0;
	if (s == NULL || *s == '\0' || *end != '\0' || v < 1) {
		verrs_add(&cx->errs, field, "must be a positive whole number");
		return 0;
	}
	return v;
}

static void
period_check(struct core_ctx *cx, const struct kpi_card *c,
    const char *period, int64_t *from, int64_t *to)
{
	if (!kpi_period_of_kind(c->period_kind, period, from, to))
		verrs_add(&cx->errs, "period", "must be a %s of the scorecard "
		    "(2026, 2026-Q4 or 2026-11 by its kind)", c->period_kind);
}

int
kpi_results(struct core_ctx *cx, const char *scorecard_id, const char *period,
    const char *user_id, int64_t now_ms, json_t **out)
{
	int64_t id = id_arg(cx, scorecard_id, "scorecard_id", false);
	int64_t uid = id_arg(cx, user_id, "user_id", true), from, to;
	struct kpi_card c;
	int rc;

	*out = NULL;
	if (cx->errs.n > 0)
		return core_invalid(cx);
	rc = kpi_card_load(cx, id, &c);
	if (rc != CRM_OK)
		return rc;
	period_check(cx, &c, period, &from, &to);
	rc = cx->errs.n > 0 ? core_invalid(cx) : answer(cx, &c, period, from, to,
	    uid, now_ms, out);
	kpi_card_free(&c);
	return rc;
}

/* Reads {scorecard_id, period} into a loaded card and its days. */
static int
period_in(struct core_ctx *cx, json_t *in, struct kpi_card *c,
    const char **period, int64_t *from, int64_t *to)
{
	static const char *const keys[] = { "scorecard_id", "period", NULL };
	json_t *iv = json_object_get(in, "scorecard_id");
	int rc;

	kpi_only_keys(in, keys, "", &cx->errs);

	*period = json_string_value(json_object_get(in, "period"));
	memset(c, 0, sizeof(*c));
	if (!json_is_integer(iv) || json_integer_value(iv) < 1)
		verrs_add(&cx->errs, "scorecard_id", "must name a scorecard");
	if (cx->errs.n > 0)
		return core_invalid(cx);
	rc = kpi_card_load(cx, json_integer_value(iv), c);
	if (rc != CRM_OK)
		return rc;
	period_check(cx, c, *period, from, to);
	return cx->errs.n > 0 ? core_invalid(cx) : CRM_OK;
}

/*
 * Freezes one person's explained result; a close that raced ahead of this
 * one has frozen it already, and its row stands.
 */
static int
freeze(struct core_ctx *cx, const struct kpi_card *c, const char *period,
    int64_t uid, int64_t total, json_t *lines, int64_t now)
{
	char *text = json_dumps(lines, JSON_COMPACT);
	db_stmt_t *st;
	int rc;

	if (text == NULL)
		return core_fail(cx, CRM_EDB, "Out of memory");
	if (db_prepare(cx->db, "INSERT INTO kpi_results (scorecard_id, period, "
	    "user_id, total_bp, lines, closed_at, closed_by) VALUES (?, ?, ?, ?, "
	    "?, ?, ?) ON CONFLICT (scorecard_id, period, user_id) DO NOTHING",
	    &st) != DB_OK) {
		free(text);
		return db_fail(cx, "freeze");
	}
	db_bind_int(st, 1, c->id);
	db_bind_text(st, 2, period, strlen(period));
	db_bind_int(st, 3, uid);
	if (total >= 0)
		db_bind_int(st, 4, total);
	else
		db_bind_null(st, 4);
	db_bind_text(st, 5, text, strlen(text));
	db_bind_int(st, 6, now);
	core_bind_actor(cx, st, 7);
	rc = db_step(st);
	db_done(st);
	free(text);
	return rc == DB_DONE ? CRM_OK : db_fail(cx, "freeze step");
}

int
kpi_close(struct core_ctx *cx, json_t *in, int64_t now_ms, json_t **out)
{
	struct kpi_person *p = NULL;
	json_t *frozen = NULL, *closed = json_array(), *done = json_array();
	const char *period;
	struct kpi_card c;
	int64_t from, to;
	int n = 0, may = 0;
	int rc = period_in(cx, in, &c, &period, &from, &to);

	*out = NULL;
	if (rc == CRM_OK && from * DAY_MS > now_ms) {
		verrs_add(&cx->errs, "period", "has not begun: nothing to close");
		rc = core_invalid(cx);
	}
	if (rc == CRM_OK)
		rc = kpi_card_people(cx, &c, &p, &n);
	if (rc == CRM_OK)
		rc = frozen_load(cx, c.id, period, &frozen);
	/* The results are explained first, then written in one transaction. */
	for (int i = 0; i < n && rc == CRM_OK; i++) {
		json_t *lines = NULL;
		int64_t total = -1;

		if (!p[i].headed)
			continue;
		may++;
		if (frozen_of(frozen, p[i].id) != NULL)
			continue;
		rc = explain(cx, &c, p[i].id, from * DAY_MS, to * DAY_MS, now_ms,
		    &total, &lines);
		if (rc == CRM_OK)
			json_array_append_new(closed, json_pack("{s:I, s:I, s:o}",
			    "user_id", (json_int_t)p[i].id, "total_bp",
			    (json_int_t)total, "lines", lines));
	}
	if (rc == CRM_OK && may == 0)
		rc = core_fail(cx, CRM_EFORBIDDEN, "Only an administrator, or the "
		    "head of the people a scorecard applies to, closes its period");
	if (rc == CRM_OK && db_begin(cx->db) != DB_OK)
		rc = db_fail(cx, "begin");
	else if (rc == CRM_OK) {
		size_t i;
		json_t *v;

		json_array_foreach(closed, i, v) {
			if (rc == CRM_OK)
				rc = freeze(cx, &c, period, json_integer_value(
				    json_object_get(v, "user_id")), json_integer_value(
				    json_object_get(v, "total_bp")), json_object_get(v,
				    "lines"), now_ms);
			json_array_append(done, json_object_get(v, "user_id"));
		}
		if (rc == CRM_OK) {
			json_t *detail = json_pack("{s:I, s:s, s:O}", "scorecard_id",
			    (json_int_t)c.id, "period", period, "user_ids", done);

			rc = audit_append(cx, "kpi.closed", "kpi_scorecards", c.id,
			    detail);
			json_decref(detail);
		}
		rc = core_txn_end(cx, rc, NULL);
	}
	free(p);
	json_decref(frozen);
	json_decref(closed);
	json_decref(done);
	if (rc == CRM_OK)
		rc = answer(cx, &c, period, from, to, 0, now_ms, out);
	kpi_card_free(&c);
	return rc;
}

int
kpi_reopen(struct core_ctx *cx, json_t *in, int64_t now_ms, json_t **out)
{
	const char *period;
	struct kpi_card c;
	int64_t from, to;
	int rc = core_admin_only(cx, "reopen a KPI period");

	*out = NULL;
	memset(&c, 0, sizeof(c));
	if (rc == CRM_OK)
		rc = period_in(cx, in, &c, &period, &from, &to);
	if (rc == CRM_OK && db_begin(cx->db) != DB_OK)
		rc = db_fail(cx, "begin");
	else if (rc == CRM_OK) {
		rc = core_exec(cx, "DELETE FROM kpi_results WHERE scorecard_id = ? "
		    "AND period = ?", "is", c.id, period);
		if (rc == CRM_OK) {
			json_t *detail = json_pack("{s:I, s:s, s:I}", "scorecard_id",
			    (json_int_t)c.id, "period", period, "people",
			    (json_int_t)db_changes(cx->db));

			rc = audit_append(cx, "kpi.reopened", "kpi_scorecards", c.id,
			    detail);
			json_decref(detail);
		}
		rc = core_txn_end(cx, rc, NULL);
	}
	if (rc == CRM_OK)
		rc = answer(cx, &c, period, from, to, 0, now_ms, out);
	kpi_card_free(&c);
	return rc;
}
