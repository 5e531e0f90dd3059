/*
 * core/report_def: report descriptions are checked rule by rule, each
 * refusal naming its path; the statement compiled from an accepted one
 * carries no text of the description (names come from the descriptors,
 * values are bound parameters), whatever quotes or SQL the description
 * holds; a field the actor's role hides does not exist for them; and the
 * relative periods resolve to the days a person means.
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
#include "core/report_def.h"
#include "core/reports.h"
#include "util/timeutil.h"

static db_t *db;
static struct actor sys;	/* the system: every right */
static struct actor blind;	/* a role that hides deals' amount_base */
static struct core_ctx cx;

static struct core_ctx *
as(const struct actor *a)
{
	core_ctx_init(&cx, db, a);
	return &cx;
}

static json_t *
js(const char *text)
{
	json_error_t e;
	json_t *j = json_loads(text, 0, &e);

	if (j == NULL)
		fail_msg("bad JSON in the test: %s: %s", text, e.text);
	return j;
}

/* Parses text as actor a; CRM_OK or the code, with the parsed report. */
static int
parse(const struct actor *a, const char *text, struct report_def **d)
{
	json_t *j = js(text);
	int rc = report_def_parse(as(a), j, "", d);

	json_decref(j);
	return rc;
}

/* Whether cx->errs has an error at path whose message contains msg. */
static bool
has_error(const char *path, const char *msg)
{
	for (int i = 0; i < cx.errs.n; i++)
		if (strcmp(cx.errs.items[i].field, path) == 0 && (msg == NULL ||
		    strstr(cx.errs.items[i].message, msg) != NULL))
			return true;
	return false;
}

static int
group_setup(void **state)
{
	char err[256];
	db_stmt_t *st;

	(void)state;
	if (core_open_db(":memory:", &db, err, sizeof(err)) != CRM_OK) {
		fprintf(stderr, "core_open_db: %s\n", err);
		return -1;
	}
	if (db_exec(db, "INSERT INTO roles (name, perms, fields, created_at, "
	    "updated_at) VALUES ('Blind', '{\"*\":{\"read\":\"all\"}}', "
	    "'{\"deals\":{\"amount_base\":\"hidden\"}}', 0, 0); INSERT INTO users "
	    "(email, name, password_hash, is_admin, active, created_at, "
	    "updated_at, role_id) VALUES ('b@example.com', 'B', 'x', 0, 1, 0, 0, "
	    "(SELECT id FROM roles WHERE name = 'Blind'))") != DB_OK) {
		fprintf(stderr, "seed: %s\n", db_errmsg(db));
		return -1;
	}
	if (db_prepare(db, "SELECT id FROM users WHERE email = 'b@example.com'",
	    &st) != DB_OK || db_step(st) != DB_ROW)
		return -1;
	blind.user_id = db_col_int(st, 0);
	db_done(st);
	sys.user_id = 0;
	return 0;
}

static int
group_teardown(void **state)
{
	(void)state;
	db_close(db);
	return 0;
}

/* Each rule of docs/reports.md refuses with its own path and message. */
static void
each_rule_names_its_path(void **state)
{
	static const char *const cases[][3] = {
		{ "[]", "definition", "JSON object" },
		{ "{\"entity\": \"invoices\", \"aggregates\": [{\"fn\": "
		    "\"count\"}]}", "entity", "companies, contacts" },
		{ "{\"entity\": \"deals\"}", "aggregates", "columns" },
		{ "{\"entity\": \"deals\", \"columns\": [\"title\"], "
		    "\"aggregates\": [{\"fn\": \"count\"}]}", "columns", "not both" },
		{ "{\"entity\": \"deals\", \"colour\": 1, \"aggregates\": "
		    "[{\"fn\": \"count\"}]}", "colour", "not a key" },
		{ "{\"entity\": \"deals\", \"columns\": [\"nope\"]}", "columns[0]",
		    "no field 'nope'" },
		{ "{\"entity\": \"deals\", \"columns\": [\"title\", \"title\"]}",
		    "columns[1]", "twice" },
		{ "{\"entity\": \"deals\", \"columns\": [\"notes\"]}", "columns[0]",
		    "no field" },
		{ "{\"entity\": \"deals\", \"columns\": [\"company.name\"]}",
		    "columns[0]", "not one of the report's joins" },
		{ "{\"entity\": \"deals\", \"joins\": [\"contact\"], \"columns\": "
		    "[\"title\"]}", "joins[0]", "not a join of deals" },
		{ "{\"entity\": \"deals\", \"joins\": [\"owner\", \"owner\"], "
		    "\"columns\": [\"title\"]}", "joins[1]", "twice" },
		{ "{\"entity\": \"deals\", \"aggregates\": [{\"fn\": \"count\"}], "
		    "\"group_by\": [{\"field\": \"closed_at\", \"bucket\": "
		    "\"fortnight\"}]}", "group_by[0].bucket",
		    "must be day, week, month, quarter or year" },
		{ "{\"entity\": \"deals\", \"aggregates\": [{\"fn\": \"count\"}], "
		    "\"group_by\": [{\"field\": \"title\", \"bucket\": \"month\"}]}",
		    "group_by[0].bucket", "dates and times" },
		{ "{\"entity\": \"deals\", \"aggregates\": [{\"fn\": \"count\"}], "
		    "\"group_by\": [{\"field\": \"closed_at\"}]}",
		    "group_by[0].bucket", "a time is grouped by a bucket" },
		{ "{\"entity\": \"deals\", \"aggregates\": [{\"fn\": \"count\"}], "
		    "\"group_by\": [{\"field\": \"status\"}, {\"field\": \"source\"}, "
		    "{\"field\": \"title\"}, {\"field\": \"currency\"}]}", "group_by",
		    "at most 3" },
		{ "{\"entity\": \"deals\", \"aggregates\": [{\"fn\": \"median\"}]}",
		    "aggregates[0].fn", "count, count_distinct" },
		{ "{\"entity\": \"deals\", \"aggregates\": [{\"fn\": \"sum\"}]}",
		    "aggregates[0].field", "required" },
		{ "{\"entity\": \"deals\", \"aggregates\": [{\"fn\": \"sum\", "
		    "\"field\": \"title\"}]}", "aggregates[0].field", "number" },
		{ "{\"entity\": \"deals\", \"aggregates\": [{\"fn\": \"max\", "
		    "\"field\": \"source\"}]}", "aggregates[0].field",
		    "number, date or time" },
		{ "{\"entity\": \"deals\", \"aggregates\": [{\"fn\": \"count\"}, "
		    "{\"fn\": \"count\"}]}", "aggregates[1]", "twice" },
		{ "{\"entity\": \"deals\", \"aggregates\": [{\"fn\": \"count\"}], "
		    "\"filters\": [{\"field\": \"amount\", \"op\": \"like\", "
		    "\"value\": 1}]}", "filters[0].op", "eq, ne" },
		{ "{\"entity\": \"deals\", \"aggregates\": [{\"fn\": \"count\"}], "
		    "\"filters\": [{\"field\": \"amount\", \"op\": \"eq\", "
		    "\"value\": \"ten\"}]}", "filters[0].value", "integer" },
		{ "{\"entity\": \"deals\", \"aggregates\": [{\"fn\": \"count\"}], "
		    "\"filters\": [{\"field\": \"title\", \"op\": \"gt\", "
		    "\"value\": \"a\"}]}", "filters[0].value", "numbers, dates" },
		{ "{\"entity\": \"deals\", \"aggregates\": [{\"fn\": \"count\"}], "
		    "\"filters\": [{\"field\": \"closed_at\", \"op\": \"period\", "
		    "\"value\": {\"period\": \"last_n_days\"}}]}", "filters[0].value",
		    "last_n_days" },
		{ "{\"entity\": \"deals\", \"aggregates\": [{\"fn\": \"count\"}], "
		    "\"filters\": [{\"field\": \"title\", \"op\": \"period\", "
		    "\"value\": {\"period\": \"today\"}}]}", "filters[0].value",
		    "dates and times" },
		{ "{\"entity\": \"deals\", \"aggregates\": [{\"fn\": \"count\"}], "
		    "\"filters\": [{\"field\": \"source\", \"op\": \"in\", "
		    "\"value\": []}]}", "filters[0].value", "1 to 50" },
		{ "{\"entity\": \"deals\", \"aggregates\": [{\"fn\": \"count\"}], "
		    "\"filters\": [{\"field\": \"title\", \"op\": \"eq\", "
		    "\"value\": \"x\", \"or\": 1}]}", "filters[0]", "only field" },
		{ "{\"entity\": \"deals\", \"aggregates\": [{\"fn\": \"count\"}], "
		    "\"sort\": [{\"key\": \"sum:amount\"}]}", "sort[0].key",
		    "one of the report's columns" },
		{ "{\"entity\": \"deals\", \"aggregates\": [{\"fn\": \"count\"}], "
		    "\"sort\": [{\"key\": \"count\", \"dir\": \"up\"}]}",
		    "sort[0].dir", "asc or desc" },
		{ "{\"entity\": \"deals\", \"aggregates\": [{\"fn\": \"count\"}], "
		    "\"limit\": 10001}", "limit", "1 to 10000" },
		{ "{\"entity\": \"deals\", \"aggregates\": [{\"fn\": \"count\"}], "
		    "\"chart\": \"radar\"}", "chart", "bar, line" },
		{ "{\"entity\": \"deals\", \"aggregates\": [{\"fn\": \"count\"}], "
		    "\"joins\": [[[[[[[\"owner\"]]]]]]]}", "definition", "deep" },
		{ "{\"entity\": \"deals\", \"columns\": [\"custom.nope\"]}",
		    "columns[0]", "no field 'custom.nope'" },
	};
	struct report_def *d = NULL;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		assert_int_equal(parse(&sys, cases[i][0], &d), CRM_EINVAL);
		assert_null(d);
		if (!has_error(cases[i][1], cases[i][2]))
			fail_msg("case %zu: no error at %s saying \"%s\" (first: %s: "
			    "%s)", i, cases[i][1], cases[i][2], cx.errs.n ?
			    cx.errs.items[0].field : "-", cx.errs.n ?
			    cx.errs.items[0].message : "-");
	}
}

/* The paths carry the caller's prefix: the API's "definition". */
static void
paths_carry_the_prefix(void **state)
{
	json_t *j = js("{\"entity\": \"deals\", \"aggregates\": [{\"fn\": "
	    "\"sum\", \"field\": \"title\"}]}");
	struct report_def *d = NULL;

	(void)state;
	assert_int_equal(report_def_parse(as(&sys), j, "definition", &d),
	    CRM_EINVAL);
	assert_true(has_error("definition.aggregates[0].field", "number"));
	json_decref(j);
}

/* True when no string of the description occurs in the SQL text. */
static bool
sql_is_clean(const char *sql, const char *const *texts, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strstr(sql, texts[i]) != NULL)
			return false;
	return true;
}

static void
hostile_names_are_refused(void **state)
{
	static const char *const names[] = {
		"name; DROP TABLE x", "title) --", "t.title", "title'", "TITLE",
		"owner.name; DELETE FROM users", "custom.x') OR 1=1 --",
		"\"title\"", "title\n",
	};
	struct report_def *d = NULL;
	char text[256];

	(void)state;
	for (size_t i = 0; i < sizeof(names) / sizeof(*names); i++) {
		json_t *j = json_pack("{s:s, s:[{s:s}], s:[s], s:[{s:s}]}", "entity",
		    "deals", "aggregates", "fn", "count", "joins", "owner",
		    "group_by", "field", names[i]);

		assert_int_equal(report_def_parse(as(&sys), j, "", &d), CRM_EINVAL);
		snprintf(text, sizeof(text), "case %zu", i);
		if (!has_error("group_by[0].field", NULL))
			fail_msg("%s: %s not refused at its path", text, names[i]);
		json_decref(j);
	}
}

static void
hostile_values_are_bound(void **state)
{
	static const char *const values[] = {
		"x'; DROP TABLE deals; --", "' OR '1'='1", "\" OR \"\"=\"",
		"Robert'); DELETE FROM users;--",
	};
	struct rd_env env = { .tz = "Europe/Berlin", .now_ms = 1771113600000 };
	struct report_def *d = NULL;
	struct dbq q;
	json_t *j = json_pack("{s:s, s:[s, s], s:[{s:s}, {s:s, s:s}], "
	    "s:[{s:s, s:s, s:s}, {s:s, s:s, s:[s, s]}, {s:s, s:s, s:s}], "
	    "s:[{s:s, s:s}]}", "entity", "deals", "joins", "owner", "company",
	    "group_by", "field", "owner.name", "field", "closed_at", "bucket",
	    "month", "filters", "field", "title", "op", "eq", "value", values[0],
	    "field", "source", "op", "in", "value", values[1], values[2],
	    "field", "company.name", "op", "prefix", "value", values[3],
	    "aggregates", "fn", "sum", "field", "amount_base");
	bool found[4] = { false, false, false, false };

	(void)state;
	assert_int_equal(report_def_parse(as(&sys), j, "", &d), CRM_OK);
	assert_int_equal(report_def_compile(as(&sys), d, &env, false, &q),
	    CRM_OK);
	assert_true(sql_is_clean(q.sql, values, 4));
	assert_true(sql_is_clean(q.sql, (const char *const[]){ "Europe" }, 1));
	for (int i = 0; i < q.nparams; i++)
		for (size_t k = 0; k < 4; k++)
			if (q.params[i].is_text && strcmp(q.params[i].s, values[k]) == 0)
				found[k] = true;
	for (size_t k = 0; k < 4; k++)
		if (!found[k])
			fail_msg("value %zu is not a bound parameter", k);
	dbq_free(&q);
	/* The statement runs: the values match nothing, as values. */
	{
		db_stmt_t *st;

		assert_int_equal(report_def_compile(as(&sys), d, &env, false, &q),
		    CRM_OK);
		assert_int_equal(db_prepare_q(db, &q, &st), DB_OK);
		assert_int_equal(db_step(st), DB_DONE);
		db_done(st);
		dbq_free(&q);
	}
	report_def_free(d);
	json_decref(j);
}

static void
a_hidden_field_does_not_exist_for_the_role(void **state)
{
	static const char *const uses[] = {
		"{\"entity\": \"deals\", \"columns\": [\"amount_base\"]}",
		"{\"entity\": \"deals\", \"aggregates\": [{\"fn\": \"sum\", "
		    "\"field\": \"amount_base\"}]}",
		"{\"entity\": \"deals\", \"aggregates\": [{\"fn\": \"count\"}], "
		    "\"group_by\": [{\"field\": \"amount_base\"}]}",
		"{\"entity\": \"deals\", \"aggregates\": [{\"fn\": \"count\"}], "
		    "\"filters\": [{\"field\": \"amount_base\", \"op\": \"gt\", "
		    "\"value\": 1}]}",
		"{\"entity\": \"activities\", \"joins\": [\"deal\"], \"columns\": "
		    "[\"deal.amount_base\"]}",
	};
	struct report_def *d = NULL;

	(void)state;
	for (size_t i = 0; i < sizeof(uses) / sizeof(*uses); i++) {
		assert_int_equal(parse(&blind, uses[i], &d), CRM_EINVAL);
		assert_int_equal(cx.errs.n, 1);
		assert_non_null(strstr(cx.errs.items[0].message, "no field"));
		/* The same description is fine for a role that shows it. */
		assert_int_equal(parse(&sys, uses[i], &d), CRM_OK);
		report_def_free(d);
		d = NULL;
	}
}

static void
the_output_columns_are_named_and_typed(void **state)
{
	struct report_def *d = NULL;
	json_t *cols;
	char *text;

	(void)state;
	assert_int_equal(parse(&sys, "{\"entity\": \"deals\", \"joins\": "
	    "[\"owner\"], \"group_by\": [{\"field\": \"owner.name\"}, {\"field\": "
	    "\"closed_at\", \"bucket\": \"quarter\"}], \"aggregates\": [{\"fn\": "
	    "\"count\"}, {\"fn\": \"avg\", \"field\": \"amount_base\"}, {\"fn\": "
	    "\"max\", \"field\": \"closed_at\"}]}", &d), CRM_OK);
	cols = report_def_columns(d);
	text = json_dumps(cols, JSON_COMPACT);
	assert_string_equal(text, "[{\"key\":\"owner.name\",\"label\":\"Owner "
	    "name\",\"type\":\"text\"},{\"key\":\"closed_at:quarter\",\"label\":"
	    "\"Closed at (quarter)\",\"type\":\"date\"},{\"key\":\"count\","
	    "\"label\":\"Count\",\"type\":\"integer\"},{\"key\":"
	    "\"avg:amount_base\",\"label\":\"Average of amount base\",\"type\":"
	    "\"number\"},{\"key\":\"max:closed_at\",\"label\":\"Greatest closed "
	    "at\",\"type\":\"time\"}]");
	free(text);
	json_decref(cols);
	report_def_free(d);
}

static int64_t
day(const char *ymd)
{
	int64_t d;

	assert_int_equal(time_parse_date(ymd, strlen(ymd), &d), 0);
	return d;
}

/* Sunday 2026-02-15 is "today". */
static void
periods_resolve_to_the_days_meant(void **state)
{
	static const char *const cases[][3] = {
		{ "{\"period\": \"today\"}", "2026-02-15", "2026-02-15" },
		{ "{\"period\": \"yesterday\"}", "2026-02-14", "2026-02-14" },
		{ "{\"period\": \"this_week\"}", "2026-02-09", "2026-02-15" },
		{ "{\"period\": \"last_week\"}", "2026-02-02", "2026-02-08" },
		{ "{\"period\": \"this_month\"}", "2026-02-01", "2026-02-28" },
		{ "{\"period\": \"last_month\"}", "2026-01-01", "2026-01-31" },
		{ "{\"period\": \"this_quarter\"}", "2026-01-01", "2026-03-31" },
		{ "{\"period\": \"last_quarter\"}", "2025-10-01", "2025-12-31" },
		{ "{\"period\": \"this_year\"}", "2026-01-01", "2026-12-31" },
		{ "{\"period\": \"last_year\"}", "2025-01-01", "2025-12-31" },
		{ "{\"period\": \"last_n_days\", \"n\": 30}", "2026-01-17",
		    "2026-02-15" },
		{ "{\"period\": \"next_n_days\", \"n\": 7}", "2026-02-15",
		    "2026-02-21" },
	};
	static const char *const bad[] = {
		"{\"period\": \"last_n_days\"}", "{\"period\": \"last_n_days\", "
		"\"n\": 0}", "{\"period\": \"last_n_days\", \"n\": 3661}",
		"{\"period\": \"today\", \"n\": 1}", "{\"period\": \"soon\"}",
		"\"today\"", "{}",
	};
	int64_t first, last;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		json_t *v = js(cases[i][0]);

		assert_true(rd_period_days(v, day("2026-02-15"), &first, &last));
		if (first != day(cases[i][1]) || last != day(cases[i][2]))
			fail_msg("%s: got %lld..%lld", cases[i][0], (long long)first,
			    (long long)last);
		json_decref(v);
	}
	/* Last quarter from January reaches into the year before. */
	{
		json_t *v = js("{\"period\": \"last_quarter\"}");

		assert_true(rd_period_days(v, day("2026-01-05"), &first, &last));
		assert_int_equal(first, day("2025-10-01"));
		assert_int_equal(last, day("2025-12-31"));
		json_decref(v);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		json_t *v = json_loads(bad[i], JSON_DECODE_ANY, NULL);

		assert_false(rd_period_days(v, day("2026-02-15"), &first, &last));
		json_decref(v);
	}
}

/*
 * The store's deadline (db_set_deadline, what bounds a report run): a
 * statement running past it fails and says why; lifted, the same one runs
 * to its end. The statement counts to a million, far longer than the
 * one millisecond it is given.
 */
static void
a_statement_past_its_deadline_is_interrupted(void **state)
{
	static const char sql[] = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL "
	    "SELECT x + 1 FROM c WHERE x < 1000000) SELECT COUNT(*) FROM c";
	db_stmt_t *st;

	(void)state;
	assert_int_equal(db_set_deadline(db, 1), DB_OK);
	assert_int_equal(db_prepare(db, sql, &st), DB_OK);
	assert_int_equal(db_step(st), DB_ERR);
	assert_int_equal(db_fault(db), DB_FAULT_TIMEOUT);
	db_done(st);
	assert_int_equal(db_set_deadline(db, 0), DB_OK);
	assert_int_equal(db_prepare(db, sql, &st), DB_OK);
	assert_int_equal(db_step(st), DB_ROW);
	assert_int_equal(db_col_int(st, 0), 1000000);
	db_done(st);
}

/*
 * A designer report grouped by a date bucket cuts each row's local day and
 * the days into buckets after (db_day_expr, db_day_bucket_expr; on SQLite
 * the functions crm_day and crm_day_bucket): for every bucket and zone,
 * around summer-time changes, the turn of a year, in a 45-minute zone and
 * before 1970, that is the bucket crm_bucket gives for the time itself.
 */
static void
a_day_cut_into_buckets_is_the_time_cut_into_buckets(void **state)
{
	static const char *const zones[] = { "UTC", "Europe/Berlin",
	    "America/New_York", "Asia/Kolkata", "Pacific/Chatham" };
	static const char *const buckets[] = { "day", "week", "month",
	    "quarter", "year" };
	static const int64_t times[] = { 0, -1, -86400001, 1711846799999,
	    1711846800000, 1730595600000, 1735689599999, 1735689600000,
	    1767225599999, 1771113600000, 1736000000000 };
	int compared = 0;

	(void)state;
	for (size_t z = 0; z < sizeof(zones) / sizeof(*zones); z++)
		for (size_t b = 0; b < sizeof(buckets) / sizeof(*buckets); b++)
			for (size_t t = 0; t < sizeof(times) / sizeof(*times);
			    t++) {
				db_stmt_t *st;

				assert_int_equal(db_prepare(db, "SELECT "
				    "crm_bucket(?1, ?2, ?3), crm_day_bucket("
				    "crm_day(?1, ?3), ?2)", &st), DB_OK);
				db_bind_int(st, 1, times[t]);
				db_bind_text(st, 2, buckets[b],
				    strlen(buckets[b]));
				db_bind_text(st, 3, zones[z], strlen(zones[z]));
				assert_int_equal(db_step(st), DB_ROW);
				assert_non_null(db_col_text(st, 0, NULL));
				assert_string_equal(db_col_text(st, 1, NULL),
				    db_col_text(st, 0, NULL));
				db_done(st);
				compared++;
			}
	assert_int_equal(compared, 5 * 5 * 11);
}

/*
 * The library's filters (docs/reports.md "The library's filters") go into
 * a compiled description as bound values, beside the rights, and the
 * statement runs.
 */
static void
library_filters_are_bound(void **state)
{
	static const char *const values[] = { "web'); DROP TABLE deals; --",
	    "gold' OR '1'='1" };
	struct rd_filters f = { .owner_id = 7, .department_id = 3,
	    .pipeline_id = 2, .source = values[0], .segment = values[1] };
	struct rd_env env = { .tz = "UTC", .now_ms = 1771113600000, .lib = &f };
	struct report_def *d = NULL;
	bool found[2] = { false, false };
	db_stmt_t *st;
	struct dbq q;
	int owners = 0;

	(void)state;
	assert_int_equal(parse(&sys, "{\"entity\": \"deals\", \"aggregates\": "
	    "[{\"fn\": \"count\"}]}", &d), CRM_OK);
	assert_int_equal(report_def_compile(as(&sys), d, &env, false, &q),
	    CRM_OK);
	assert_true(sql_is_clean(q.sql, values, 2));
	assert_non_null(strstr(q.sql, "t.owner_id = ?"));
	assert_non_null(strstr(q.sql, "t.pipeline_id = ?"));
	assert_non_null(strstr(q.sql, "t.source = ?"));
	for (int i = 0; i < q.nparams; i++) {
		for (size_t k = 0; k < 2; k++)
			if (q.params[i].is_text && strcmp(q.params[i].s, values[k]) ==
			    0)
				found[k] = true;
		if (!q.params[i].is_text && q.params[i].i == 7)
			owners++;
	}
	assert_true(found[0] && found[1]);
	assert_int_equal(owners, 1);
	assert_int_equal(db_prepare_q(db, &q, &st), DB_OK);
	assert_int_equal(db_step(st), DB_ROW);
	assert_int_equal(db_col_int(st, 0), 0);
	db_done(st);
	dbq_free(&q);
	/* Where a filter does not apply (no pipeline on companies): nothing. */
	report_def_free(d);
	assert_int_equal(parse(&sys, "{\"entity\": \"companies\", "
	    "\"aggregates\": [{\"fn\": \"count\"}]}", &d), CRM_OK);
	assert_int_equal(report_def_compile(as(&sys), d, &env, false, &q),
	    CRM_OK);
	assert_null(strstr(q.sql, "pipeline_id"));
	assert_non_null(strstr(q.sql, "t.id IN (SELECT sg.id FROM companies sg"));
	dbq_free(&q);
	report_def_free(d);
}

/*
 * A library report's period becomes time filters of its description: a
 * period reaching past the years a time holds (1 to 9999) is the query's
 * fault (CRM_EBADQUERY naming from or to), not a description refused with
 * "definition.filters[1].value" (found by fuzz/fuzz_report_params.c).
 */
static void
a_period_past_the_years_of_a_time_is_a_bad_query(void **state)
{
	static const char *const cases[][3] = {
		{ NULL, "0001-02-01", "to:" },
		{ "0001-01-01", "0001-02-01", NULL },
		{ "9999-12-01", "9999-12-31", NULL },
	};
	db_stmt_t *st;
	int64_t id;

	(void)state;
	assert_int_equal(db_prepare(db, "SELECT id FROM reports WHERE builtin = "
	    "'revenue_by_month'", &st), DB_OK);
	assert_int_equal(db_step(st), DB_ROW);
	id = db_col_int(st, 0);
	db_done(st);
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		struct report_params p = { .from = cases[i][0], .to = cases[i][1] };
		json_t *out = NULL;
		int rc;

		core_ctx_init(&cx, db, &sys);
		rc = report_run_id(&cx, id, &p, &out);
		if (cases[i][2] == NULL) {
			if (rc != CRM_OK)
				fail_msg("%s..%s: %d %s", cases[i][0], cases[i][1], rc,
				    cx.detail);
		} else {
			assert_int_equal(rc, CRM_EBADQUERY);
			assert_true(strncmp(cx.detail, cases[i][2],
			    strlen(cases[i][2])) == 0);
		}
		json_decref(out);
	}
	/* In a zone ahead of UTC, the first day begins in the year 0. */
	{
		struct report_params p = { .tz = "Asia/Tokyo",
		    .from = "0001-01-01", .to = "0001-01-31" };
		json_t *out = NULL;

		core_ctx_init(&cx, db, &sys);
		assert_int_equal(report_run_id(&cx, id, &p, &out), CRM_EBADQUERY);
		assert_true(strncmp(cx.detail, "from:", 5) == 0);
		assert_null(out);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(each_rule_names_its_path),
		cmocka_unit_test(paths_carry_the_prefix),
		cmocka_unit_test(hostile_names_are_refused),
		cmocka_unit_test(hostile_values_are_bound),
		cmocka_unit_test(library_filters_are_bound),
		cmocka_unit_test(a_hidden_field_does_not_exist_for_the_role),
		cmocka_unit_test(the_output_columns_are_named_and_typed),
		cmocka_unit_test(periods_resolve_to_the_days_meant),
		cmocka_unit_test(a_statement_past_its_deadline_is_interrupted),
		cmocka_unit_test(a_period_past_the_years_of_a_time_is_a_bad_query),
		cmocka_unit_test(a_day_cut_into_buckets_is_the_time_cut_into_buckets),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
