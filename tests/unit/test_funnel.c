/*
 * core/funnel: the funnel report on a data set computed by hand. Eight
 * deals of the viewer in the "Sales" pipeline (New, Qualified, Proposal,
 * Negotiation, Won; Lost) with stage histories at chosen times: some skip
 * stages, one goes back, two are won, three lost for two reasons, one has
 * no exchange rate. Three more must not count: one created before the
 * period, one in the trash, one owned by a colleague the viewer (a
 * manager: own records only) cannot read. Every number is asserted, and
 * each is the count of the deal list behind it (reached_stage and the
 * others), as the report promises.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/core.h"
#include "core/deals.h"
#include "core/funnel.h"
#include "core/record.h"
#include "store/db.h"
#include "util/timeutil.h"

#define H 3600000LL	/* an hour in ms */

static db_t *db;
static struct actor viewer;	/* Boris, a manager: reads his own deals */
static struct actor director;	/* Anna: reads every deal */
static int64_t vera;		/* a colleague whose deal Boris cannot read */
static int64_t t0;		/* 2026-01-10 00:00 UTC, in ms */
static int64_t price, timing;	/* lost reasons */
static struct core_ctx cx;

static int64_t
one(const char *sql, const char *arg)
{
	db_stmt_t *st;
	int64_t v = -1;

	if (db_prepare(db, sql, &st) != DB_OK)
		fail_msg("prepare %s: %s", sql, db_errmsg(db));
	if (arg != NULL)
		db_bind_text(st, 1, arg, strlen(arg));
	if (db_step(st) == DB_ROW)
		v = db_col_int(st, 0);
	db_done(st);
	if (v < 0)
		fail_msg("no row for %s (%s)", sql, arg ? arg : "-");
	return v;
}

static int64_t
stage(const char *name)
{
	return one("SELECT s.id FROM pipeline_stages s JOIN pipelines p ON p.id "
	    "= s.pipeline_id WHERE p.name = 'Sales' AND s.name = ?", name);
}

static int64_t
add_user(const char *email, const char *role)
{
	db_stmt_t *st;

	if (db_prepare(db, "INSERT INTO users (email, name, password_hash, "
	    "is_admin, active, created_at, updated_at, department_id, role_id) "
	    "VALUES (?, ?, 'x', 0, 1, 0, 0, (SELECT MIN(id) FROM departments "
	    "WHERE parent_id IS NULL), (SELECT id FROM roles WHERE builtin = ?))",
	    &st) != DB_OK)
		fail_msg("prepare user: %s", db_errmsg(db));
	db_bind_text(st, 1, email, strlen(email));
	db_bind_text(st, 2, email, strlen(email));
	db_bind_text(st, 3, role, strlen(role));
	assert_int_equal(db_step(st), DB_DONE);
	db_done(st);
	return one("SELECT id FROM users WHERE email = ?", email);
}

static int64_t
add_reason(const char *name)
{
	db_stmt_t *st;

	if (db_prepare(db, "INSERT INTO lost_reasons (name, active, created_at, "
	    "updated_at) VALUES (?, 1, 0, 0)", &st) != DB_OK)
		fail_msg("prepare reason: %s", db_errmsg(db));
	db_bind_text(st, 1, name, strlen(name));
	assert_int_equal(db_step(st), DB_DONE);
	db_done(st);
	return one("SELECT id FROM lost_reasons WHERE name = ?", name);
}

/*
 * A deal created at t0 + day days with amount_base base (-1: none, no
 * exchange rate), passing through the n stages of path at the hours after
 * its creation given: path[i] entered at hours[i] and left at hours[i +
 * 1]; the last stay is open, in the stage the deal is in now.
 */
static void
add_deal(const char *title, int64_t owner, int64_t day, int64_t base,
    int64_t reason, bool trashed, const int64_t *hours,
    const char *const *path, int n)
{
	const char *now = path[n - 1];
	const char *status = strcmp(now, "Won") == 0 ? "won" :
	    strcmp(now, "Lost") == 0 ? "lost" : "open";
	int64_t created = t0 + day * 24 * H, id;
	db_stmt_t *st;

	if (db_prepare(db, "INSERT INTO deals (title, pipeline_id, stage_id, "
	    "status, amount, currency, amount_base, lost_reason_id, "
	    "stage_entered_at, owner_id, created_at, updated_at, deleted_at) "
	    "VALUES (?, (SELECT id FROM pipelines WHERE name = 'Sales'), ?, ?, "
	    "?, ?, ?, ?, ?, ?, ?, ?, ?)", &st) != DB_OK)
		fail_msg("prepare deal: %s", db_errmsg(db));
	db_bind_text(st, 1, title, strlen(title));
	db_bind_int(st, 2, stage(now));
	db_bind_text(st, 3, status, strlen(status));
	db_bind_int(st, 4, base >= 0 ? base : 500);
	db_bind_text(st, 5, base >= 0 ? "EUR" : "USD", 3);
	if (base >= 0)
		db_bind_int(st, 6, base);
	else
		db_bind_null(st, 6);
	if (reason > 0)
		db_bind_int(st, 7, reason);
	else
		db_bind_null(st, 7);
	db_bind_int(st, 8, created + hours[n - 1] * H);
	db_bind_int(st, 9, owner);
	db_bind_int(st, 10, created);
	db_bind_int(st, 11, created);
	if (trashed)
		db_bind_int(st, 12, created + 1000 * H);
	else
		db_bind_null(st, 12);
	assert_int_equal(db_step(st), DB_DONE);
	db_done(st);
	id = one("SELECT id FROM deals WHERE title = ?", title);
	for (int i = 0; i < n; i++) {
		if (db_prepare(db, "INSERT INTO deal_stage_history (deal_id, "
		    "pipeline_id, stage_id, entered_at, left_at, deal_created_at) "
		    "VALUES (?, (SELECT id FROM pipelines WHERE name = 'Sales'), ?, "
		    "?, ?, ?)", &st) != DB_OK)
			fail_msg("prepare stay: %s", db_errmsg(db));
		db_bind_int(st, 1, id);
		db_bind_int(st, 2, stage(path[i]));
		db_bind_int(st, 3, created + hours[i] * H);
		if (i + 1 < n)
			db_bind_int(st, 4, created + hours[i + 1] * H);
		else
			db_bind_null(st, 4);
		db_bind_int(st, 5, created);
		assert_int_equal(db_step(st), DB_DONE);
		db_done(st);
	}
}

/* The hours and the stages of a path, for add_deal. */
#define HOURS(...) (const int64_t[]){ __VA_ARGS__ }
#define PATH(...) (const char *const[]){ __VA_ARGS__ }, \
	(int)(sizeof((const char *const[]){ __VA_ARGS__ }) / sizeof(char *))

static int
group_setup(void **state)
{
	char err[256];
	int64_t days;

	(void)state;
	if (core_open_db(":memory:", &db, err, sizeof(err)) != CRM_OK) {
		fprintf(stderr, "core_open_db: %s\n", err);
		return -1;
	}
	if (time_parse_date("2026-01-10", 10, &days) != 0)
		return -1;
	t0 = days * 24 * H;
	viewer.user_id = add_user("boris@example.com", "manager");
	director.user_id = add_user("anna@example.com", "director");
	vera = add_user("vera@example.com", "manager");
	price = add_reason("Price");
	timing = add_reason("Timing");
	add_deal("d1 stays new", viewer.user_id, 0, 1000, 0, false, HOURS(0),
	    PATH("New"));
	add_deal("d2 qualified", viewer.user_id, 1, 2000, 0, false,
	    HOURS(0, 10), PATH("New", "Qualified"));
	add_deal("d3 skips qualified", viewer.user_id, 2, 3000, 0, false,
	    HOURS(0, 20), PATH("New", "Proposal"));
	add_deal("d4 all the way", viewer.user_id, 3, 4000, 0, false,
	    HOURS(0, 4, 10, 30, 40), PATH("New", "Qualified", "Proposal",
	    "Negotiation", "Won"));
	add_deal("d5 won at once, no rate", viewer.user_id, 4, -1, 0, false,
	    HOURS(0, 6), PATH("New", "Won"));
	add_deal("d6 lost on price", viewer.user_id, 5, 600, price, false,
	    HOURS(0, 8, 12), PATH("New", "Qualified", "Lost"));
	add_deal("d7 lost on timing", viewer.user_id, 6, 700, timing, false,
	    HOURS(0, 2), PATH("New", "Lost"));
	add_deal("d8 lost on timing too", viewer.user_id, 7, 800, timing, false,
	    HOURS(0, 1), PATH("New", "Lost"));
	/* Not counted: before the period, in the trash, not readable. */
	add_deal("x1 last year", viewer.user_id, -300, 9000, 0, false,
	    HOURS(0, 100), PATH("New", "Won"));
	add_deal("x2 in the trash", viewer.user_id, 8, 9000, 0, true,
	    HOURS(0, 100), PATH("New", "Won"));
	add_deal("x3 vera's", vera, 9, 9000, 0, false, HOURS(0, 100),
	    PATH("New", "Won"));
	/* The history was written here, not by deals.c: its summary too. */
	core_ctx_init(&cx, db, NULL);
	if (deal_furthest_refresh(&cx, one("SELECT id FROM pipelines WHERE name "
	    "= 'Sales'", NULL)) != CRM_OK)
		return -1;
	return 0;
}

static int
group_teardown(void **state)
{
	(void)state;
	db_close(db);
	return 0;
}

static struct core_ctx *
as(const struct actor *a)
{
	core_ctx_init(&cx, db, a);
	return &cx;
}

static void
lq_add(struct list_query *lq, const char *key, const char *value)
{
	lq->filters[lq->nfilters].key = key;
	lq->filters[lq->nfilters].value = value;
	lq->nfilters++;
}

/* The funnel of the first quarter of 2026 for actor a. */
static json_t *
quarter(const struct actor *a)
{
	struct list_query lq;
	json_t *out = NULL;
	int rc;

	memset(&lq, 0, sizeof(lq));
	lq_add(&lq, "from", "2026-01-01");
	lq_add(&lq, "to", "2026-03-31");
	rc = funnel_report(as(a), &lq, &out);
	if (rc != CRM_OK)
		fail_msg("funnel: %d (%s)", rc, cx.detail);
	return out;
}

static int64_t
num(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	if (!json_is_integer(v))
		fail_msg("%s is not an integer", key);
	return json_integer_value(v);
}

static json_t *
step(json_t *f, size_t i)
{
	return json_array_get(json_object_get(f, "stages"), i);
}

static void
assert_real(json_t *v, double want)
{
	if (!json_is_real(v) || json_real_value(v) != want)
		fail_msg("want %.4f, got %s", want, json_is_real(v) ? "another "
		    "number" : "not a number");
}

static void
every_number_of_the_funnel_is_the_hand_computed_one(void **state)
{
	static const char *const names[] = { "New", "Qualified", "Proposal",
	    "Negotiation", "Won" };
	static const int64_t reached[] = { 8, 5, 3, 2, 2 };
	static const int64_t current[] = { 1, 1, 1, 0, 2 };
	static const int64_t value[] = { 12100, 9600, 7000, 4000, 4000 };
	static const double conv[] = { 0.625, 0.6, 0.6667, 1.0 };
	/* New: 10+20+4+6+8+2+1 hours over 7 stays; rounded to the ms. */
	static const int64_t avg[] = { 26228571, 5 * H, 20 * H, 10 * H, -1 };
	json_t *f = quarter(&viewer), *s, *r;

	(void)state;
	assert_string_equal(json_string_value(json_object_get(f, "from")),
	    "2026-01-01");
	assert_string_equal(json_string_value(json_object_get(f, "to")),
	    "2026-03-31");
	assert_string_equal(json_string_value(json_object_get(json_object_get(f,
	    "pipeline"), "name")), "Sales");
	assert_int_equal(num(f, "total"), 8);
	assert_int_equal(json_array_size(json_object_get(f, "stages")), 5);
	for (size_t i = 0; i < 5; i++) {
		s = step(f, i);
		assert_string_equal(json_string_value(json_object_get(
		    json_object_get(s, "stage"), "name")), names[i]);
		assert_int_equal(num(s, "reached"), reached[i]);
		assert_int_equal(num(s, "current"), current[i]);
		assert_int_equal(num(s, "value_base"), value[i]);
		if (i < 4) {
			assert_int_equal(num(s, "moved_on"), reached[i + 1]);
			assert_real(json_object_get(s, "conversion"), conv[i]);
		} else {
			assert_true(json_is_null(json_object_get(s, "moved_on")));
			assert_true(json_is_null(json_object_get(s, "conversion")));
		}
		if (avg[i] < 0)
			assert_true(json_is_null(json_object_get(s, "avg_ms")));
		else
			assert_int_equal(num(s, "avg_ms"), avg[i]);
	}
	assert_int_equal(num(json_object_get(f, "won"), "count"), 2);
	assert_int_equal(num(json_object_get(f, "won"), "value_base"), 4000);
	assert_int_equal(num(json_object_get(f, "lost"), "count"), 3);
	assert_int_equal(num(json_object_get(f, "lost"), "value_base"), 2100);
	r = json_object_get(json_object_get(f, "lost"), "reasons");
	assert_int_equal(json_array_size(r), 2);
	assert_int_equal(num(json_array_get(r, 0), "id"), timing);
	assert_string_equal(json_string_value(json_object_get(json_array_get(r,
	    0), "name")), "Timing");
	assert_int_equal(num(json_array_get(r, 0), "count"), 2);
	assert_int_equal(num(json_array_get(r, 0), "value_base"), 1500);
	assert_int_equal(num(json_array_get(r, 1), "id"), price);
	assert_int_equal(num(json_array_get(r, 1), "count"), 1);
	assert_int_equal(num(json_array_get(r, 1), "value_base"), 600);
	assert_real(json_object_get(f, "end_to_end"), 0.25);
	assert_int_equal(num(f, "unconverted"), 1);
	json_decref(f);
}

static void
a_director_also_counts_the_colleagues_deal(void **state)
{
	json_t *f = quarter(&director);

	(void)state;
	assert_int_equal(num(f, "total"), 9);
	assert_int_equal(num(step(f, 4), "reached"), 3);
	/* Vera's 100 hours in New join the seven stays of the viewer's deals. */
	assert_int_equal(num(step(f, 0), "avg_ms"), (51 * H + 100 * H + 4) / 8);
	assert_real(json_object_get(f, "end_to_end"), 0.3333);
	json_decref(f);
}

/*
 * A week with neither the trash nor the colleague's deal in it: the
 * cohort is every deal of the period, which the report counts without
 * checking each stay against it. Same numbers either way.
 */
static void
a_period_that_is_all_cohort_counts_the_same(void **state)
{
	const struct actor *who[] = { &director, &viewer };
	struct list_query lq;
	json_t *f;

	(void)state;
	for (size_t i = 0; i < 2; i++) {
		memset(&lq, 0, sizeof(lq));
		lq_add(&lq, "from", "2026-01-10");
		lq_add(&lq, "to", "2026-01-16");
		f = NULL;
		if (funnel_report(as(who[i]), &lq, &f) != CRM_OK)
			fail_msg("funnel: %s", cx.detail);
		assert_int_equal(num(f, "total"), 7);
		/* New: 10+20+4+6+8+2 hours over the six stays that ended. */
		assert_int_equal(num(step(f, 0), "avg_ms"), 50 * H / 6);
		assert_int_equal(num(step(f, 1), "avg_ms"), 5 * H);
		json_decref(f);
	}
}

/* The deal list at drill plus one filter counts what the funnel says. */
static int64_t
drill_count(const char *key, const char *value)
{
	struct list_query lq;
	json_t *out = NULL;
	int rc;

	memset(&lq, 0, sizeof(lq));
	lq.limit = "200";
	lq_add(&lq, "pipeline_id", "1");
	lq_add(&lq, "created_at[gte]", "2026-01-01");
	lq_add(&lq, "created_at[lte]", "2026-03-31");
	lq_add(&lq, key, value);
	rc = rec_list(as(&viewer), &entity_deals, &lq, &out);
	if (rc != CRM_OK)
		fail_msg("list %s=%s: %d (%s)", key, value, rc, cx.detail);
	rc = (int)json_array_size(json_object_get(out, "data"));
	json_decref(out);
	return rc;
}

static void
the_drill_down_lists_count_the_same(void **state)
{
	json_t *f = quarter(&viewer), *s;
	char id[24];
	size_t i;

	(void)state;
	assert_string_equal(json_string_value(json_object_get(f, "drill")),
	    "pipeline_id=1&created_at%5Bgte%5D=2026-01-01&"
	    "created_at%5Blte%5D=2026-03-31");
	json_array_foreach(json_object_get(f, "stages"), i, s) {
		snprintf(id, sizeof(id), "%lld", (long long)num(json_object_get(s,
		    "stage"), "id"));
		assert_int_equal(drill_count("reached_stage", id), num(s,
		    "reached"));
		assert_int_equal(drill_count("stage_id", id), num(s, "current"));
	}
	assert_int_equal(drill_count("status", "won"), 2);
	assert_int_equal(drill_count("status", "lost"), 3);
	snprintf(id, sizeof(id), "%lld", (long long)timing);
	assert_int_equal(drill_count("lost_reason_id", id), 2);
	snprintf(id, sizeof(id), "%lld", (long long)stage("Lost"));
	assert_int_equal(drill_count("reached_stage", id), 0);
	json_decref(f);
}

static void
bad_parameters_are_refused_by_name(void **state)
{
	static const char *const bad[][4] = {
		{ "from", "2026-03-01", "to", "2026-02-28" },
		{ "from", "2026-02-30", NULL, NULL },
		{ "to", "soon", NULL, NULL },
		{ "pipeline_id", "0", NULL, NULL },
		{ "stage_id", "1", NULL, NULL },
		{ "from", "2026-01-01", "from", "2026-01-02" },
	};
	struct list_query lq;
	json_t *out = NULL;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		memset(&lq, 0, sizeof(lq));
		lq_add(&lq, bad[i][0], bad[i][1]);
		if (bad[i][2] != NULL)
			lq_add(&lq, bad[i][2], bad[i][3]);
		assert_int_equal(funnel_report(as(&viewer), &lq, &out),
		    CRM_EBADQUERY);
		assert_null(out);
		if (strstr(cx.detail, bad[i][0]) == NULL)
			fail_msg("case %zu: \"%s\" does not name %s", i, cx.detail,
			    bad[i][0]);
	}
	memset(&lq, 0, sizeof(lq));
	lq_add(&lq, "pipeline_id", "999");
	assert_int_equal(funnel_report(as(&viewer), &lq, &out), CRM_ENOTFOUND);
	memset(&lq, 0, sizeof(lq));
	lq.sort = "title";
	assert_int_equal(funnel_report(as(&viewer), &lq, &out), CRM_EBADQUERY);
	assert_non_null(strstr(cx.detail, "sort"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_number_of_the_funnel_is_the_hand_computed_one),
		cmocka_unit_test(a_director_also_counts_the_colleagues_deal),
		cmocka_unit_test(a_period_that_is_all_cohort_counts_the_same),
		cmocka_unit_test(the_drill_down_lists_count_the_same),
		cmocka_unit_test(bad_parameters_are_refused_by_name),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
