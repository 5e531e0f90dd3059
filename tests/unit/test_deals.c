/*
 * core/deals: the stage rules and history a sales team relies on, and the
 * base-currency amounts that boards and reports sum: stays recorded on
 * every change of stage with exact durations, lost only with a reason,
 * closed deals valued at the rate of the day they closed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <sodium.h>

#include "core/core.h"
#include "core/deals.h"
#include "core/users.h"
#include "store/db.h"

#define DAY 86400000LL

static db_t *db;
static struct actor me;
static struct core_ctx cx;
static int64_t stage[5];	/* Lead, Offer, Contract, Won, Lost of "Test" */
static int64_t reason;

static struct core_ctx *
ctx(void)
{
	core_ctx_init(&cx, db, &me);
	return &cx;
}

static json_t *
J(const char *text)
{
	json_error_t e;
	json_t *v = json_loads(text, JSON_DECODE_ANY, &e);

	if (v == NULL)
		fail_msg("bad JSON in test: %s: %s", text, e.text);
	return v;
}

static void
sql(const char *text)
{
	if (db_exec(db, text) != DB_OK)
		fail_msg("SQL %s: %s", text, db_errmsg(db));
}

static int64_t
sql_int(const char *text)
{
	db_stmt_t *st;
	int64_t v = -1;

	if (db_prepare(db, text, &st) != DB_OK)
		fail_msg("SQL %s: %s", text, db_errmsg(db));
	if (db_step(st) == DB_ROW)
		v = db_col_null(st, 0) ? -1 : db_col_int(st, 0);
	db_done(st);
	return v;
}

/* A deal in the test pipeline; returns its id. */
static int64_t
deal(const char *fields)
{
	char text[512];
	json_t *in, *out = NULL;
	int64_t id;

	snprintf(text, sizeof(text), "{\"title\": \"Deal\", \"pipeline_id\": "
	    "%lld%s%s}", (long long)sql_int("SELECT id FROM pipelines WHERE "
	    "name = 'Test'"), fields[0] ? ", " : "", fields);
	in = J(text);
	if (rec_create(ctx(), &entity_deals, in, &out) != CRM_OK)
		fail_msg("create %s: %s; %s: %s", text, cx.detail,
		    cx.errs.n ? cx.errs.items[0].field : "-",
		    cx.errs.n ? cx.errs.items[0].message : "-");
	json_decref(in);
	id = json_integer_value(json_object_get(out, "id"));
	json_decref(out);
	return id;
}

static int
move(int64_t id, int64_t to, int64_t why, json_t **out)
{
	json_t *in = why > 0 ? json_pack("{s:I, s:I}", "stage_id", (json_int_t)to,
	    "lost_reason_id", (json_int_t)why) : json_pack("{s:I}", "stage_id",
	    (json_int_t)to);
	json_t *res = NULL;
	int rc = deal_move(ctx(), id, -1, in, &res);

	json_decref(in);
	if (out != NULL)
		*out = res;
	else
		json_decref(res);
	return rc;
}

static int
group_setup(void **state)
{
	char err[256];
	db_stmt_t *st;
	int64_t id, pid;

	(void)state;
	if (sodium_init() < 0 || core_open_db(":memory:", &db, err,
	    sizeof(err)) != CRM_OK)
		return -1;
	core_ctx_init(&cx, db, NULL);
	if (user_add(&cx, "dina@example.com", "Dina Deals", "correct horse battery",
	    false, &id) != CRM_OK)
		return -1;
	if (db_exec(db, "UPDATE users SET role_id = (SELECT id FROM roles WHERE "
	    "builtin = 'director')") != DB_OK)
		return -1;
	me.user_id = id;
	snprintf(me.email, sizeof(me.email), "dina@example.com");
	if (db_exec(db, "INSERT INTO pipelines (name, position, created_at, "
	    "updated_at) VALUES ('Test', 5, 1, 1); INSERT INTO lost_reasons "
	    "(name, created_at, updated_at) VALUES ('Price', 1, 1)") != DB_OK)
		return -1;
	pid = sql_int("SELECT id FROM pipelines WHERE name = 'Test'");
	reason = sql_int("SELECT id FROM lost_reasons WHERE name = 'Price'");
	for (int i = 0; i < 5; i++) {
		static const char *const names[] = { "Lead", "Offer", "Contract",
		    "Won", "Lost" };
		static const char *const kinds[] = { "open", "open", "open", "won",
		    "lost" };

		if (db_prepare(db, "INSERT INTO pipeline_stages (pipeline_id, name, "
		    "position, time_limit_days, kind, created_at, updated_at) VALUES "
		    "(?, ?, ?, ?, ?, 1, 1) RETURNING id", &st) != DB_OK)
			return -1;
		db_bind_int(st, 1, pid);
		db_bind_text(st, 2, names[i], strlen(names[i]));
		db_bind_int(st, 3, i);
		if (i == 0)
			db_bind_int(st, 4, 2);
		else
			db_bind_null(st, 4);
		db_bind_text(st, 5, kinds[i], strlen(kinds[i]));
		if (db_step(st) != DB_ROW)
			return -1;
		stage[i] = db_col_int(st, 0);
		db_done(st);
	}
	return 0;
}

static int
group_teardown(void **state)
{
	(void)state;
	db_close(db);
	return 0;
}

static void
every_change_of_stage_is_a_stay_with_exact_times(void **state)
{
	int64_t id = deal("");
	char q[256];
	json_t *h = NULL, *rows, *by;

	(void)state;
	assert_int_equal(move(id, stage[1], 0, NULL), CRM_OK);
	assert_int_equal(move(id, stage[0], 0, NULL), CRM_OK);
	assert_int_equal(move(id, stage[2], 0, NULL), CRM_OK);
	/* Moving to the stage it is in is no new stay. */
	assert_int_equal(move(id, stage[2], 0, NULL), CRM_OK);
	/* Give the stays known lengths: 1 h in Lead, 2 h in Offer, 3 h back in Lead. */
	snprintf(q, sizeof(q), "UPDATE deal_stage_history SET entered_at = "
	    "CASE stage_id WHEN %lld THEN CASE WHEN id = (SELECT MIN(id) FROM "
	    "deal_stage_history WHERE deal_id = %lld) THEN 0 ELSE 10800000 END "
	    "WHEN %lld THEN 3600000 ELSE 21600000 END WHERE deal_id = %lld",
	    (long long)stage[0], (long long)id, (long long)stage[1],
	    (long long)id);
	sql(q);
	snprintf(q, sizeof(q), "UPDATE deal_stage_history SET left_at = (SELECT "
	    "MIN(n.entered_at) FROM deal_stage_history n WHERE n.deal_id = "
	    "deal_stage_history.deal_id AND n.id > deal_stage_history.id) WHERE "
	    "deal_id = %lld AND left_at IS NOT NULL", (long long)id);
	sql(q);
	assert_int_equal(deal_history(ctx(), id, &h), CRM_OK);
	rows = json_object_get(h, "data");
	assert_int_equal(json_array_size(rows), 4);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(rows,
	    0), "duration_ms")), 3600000);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(rows,
	    1), "duration_ms")), 7200000);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(rows,
	    2), "duration_ms")), 10800000);
	assert_true(json_is_null(json_object_get(json_array_get(rows, 3),
	    "left_at")));
	by = json_array_get(json_object_get(h, "by_stage"), 0);
	assert_int_equal(json_integer_value(json_object_get(by, "stage_id")),
	    stage[0]);
	assert_int_equal(json_integer_value(json_object_get(by, "visits")), 2);
	assert_int_equal(json_integer_value(json_object_get(by, "duration_ms")),
	    3600000 + 10800000);
	json_decref(h);
}

static void
lost_needs_a_reason_and_reopening_clears_it(void **state)
{
	int64_t id = deal("");
	json_t *d = NULL;

	(void)state;
	assert_int_equal(move(id, stage[4], 0, NULL), CRM_EINVAL);
	assert_string_equal(cx.errs.items[0].field, "lost_reason_id");
	assert_int_equal(sql_int("SELECT COUNT(*) FROM deal_stage_history WHERE "
	    "deal_id = (SELECT MAX(id) FROM deals)"), 1);
	assert_int_equal(move(id, stage[4], reason, &d), CRM_OK);
	assert_string_equal(json_string_value(json_object_get(d, "status")), "lost");
	assert_true(json_is_string(json_object_get(d, "closed_at")));
	json_decref(d);
	assert_int_equal(move(id, stage[1], 0, &d), CRM_OK);
	assert_string_equal(json_string_value(json_object_get(d, "status")), "open");
	assert_true(json_is_null(json_object_get(d, "lost_reason_id")));
	assert_true(json_is_null(json_object_get(d, "closed_at")));
	json_decref(d);
}

static void
a_stage_of_another_pipeline_is_refused(void **state)
{
	int64_t id = deal("");
	int64_t foreign = sql_int("SELECT MIN(id) FROM pipeline_stages WHERE "
	    "pipeline_id <> (SELECT id FROM pipelines WHERE name = 'Test')");

	(void)state;
	assert_int_equal(move(id, foreign, 0, NULL), CRM_EINVAL);
	assert_string_equal(cx.errs.items[0].field, "stage_id");
	assert_int_equal(move(id, 987654, 0, NULL), CRM_EINVAL);
}

/* Revalues every deal of currency at once, as the background job does. */
static void
revalue(const char *currency)
{
	json_t *p = json_pack("{s:s, s:i}", "currency", currency, "after_id", 0);

	assert_int_equal(deal_revalue_run(ctx(), p), CRM_OK);
	json_decref(p);
}

static void
closed_deals_are_valued_at_the_rate_of_their_day_open_ones_at_today(void **state)
{
	int64_t open_id = deal("\"amount\": 10000, \"currency\": \"USD\"");
	int64_t won_id = deal("\"amount\": 10000, \"currency\": \"USD\"");
	int64_t now = sql_int("SELECT MAX(created_at) FROM deals");
	char q[256];

	(void)state;
	assert_int_equal(sql_int("SELECT COUNT(*) FROM deals WHERE currency = "
	    "'USD' AND amount_base IS NULL"), 2);
	assert_int_equal(move(won_id, stage[3], 0, NULL), CRM_OK);
	/* Won 40 days ago; the dollar was 0.9 then and is 0.8 from 30 days ago. */
	snprintf(q, sizeof(q), "UPDATE deals SET closed_at = %lld WHERE id = %lld",
	    (long long)(now - 40 * DAY), (long long)won_id);
	sql(q);
	snprintf(q, sizeof(q), "INSERT INTO exchange_rates (currency, day, rate, "
	    "created_at, updated_at) VALUES ('USD', %lld, 9000000000, 0, 0), "
	    "('USD', %lld, 8000000000, 0, 0)", (long long)(now / DAY - 50),
	    (long long)(now / DAY - 30));
	sql(q);
	revalue("USD");
	snprintf(q, sizeof(q), "SELECT amount_base FROM deals WHERE id = %lld",
	    (long long)won_id);
	assert_int_equal(sql_int(q), 9000);
	snprintf(q, sizeof(q), "SELECT amount_base FROM deals WHERE id = %lld",
	    (long long)open_id);
	assert_int_equal(sql_int(q), 8000);
	/* With the rates gone, the amounts are unknown again, not stale. */
	sql("DELETE FROM exchange_rates WHERE currency = 'USD'");
	revalue("USD");
	assert_int_equal(sql_int("SELECT COUNT(*) FROM deals WHERE currency = "
	    "'USD' AND amount_base IS NULL"), 2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_change_of_stage_is_a_stay_with_exact_times),
		cmocka_unit_test(lost_needs_a_reason_and_reopening_clears_it),
		cmocka_unit_test(a_stage_of_another_pipeline_is_refused),
		cmocka_unit_test(closed_deals_are_valued_at_the_rate_of_their_day_open_ones_at_today),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
