/*
 * core/currency: the ISO table, exact rates, conversion between minor
 * units with half-to-even rounding, the latest rate on or before a day,
 * and the administrator-only, audited, all-or-nothing changes.
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
#include "core/currency.h"
#include "core/users.h"
#include "store/db.h"
#include "memdb_fixture.h"

static struct actor member;

static struct core_ctx *
as(const struct actor *a)
{
	core_ctx_init(&cx, db, a);
	return &cx;
}


static int64_t
audits(const char *action)
{
	db_stmt_t *st;
	int64_t n = -1;

	if (db_prepare(db, "SELECT COUNT(*) FROM audit_log WHERE action = ?",
	    &st) != DB_OK)
		fail_msg("prepare: %s", db_errmsg(db));
	db_bind_text(st, 1, action, strlen(action));
	if (db_step(st) == DB_ROW)
		n = db_col_int(st, 0);
	db_done(st);
	return n;
}

static void
set_rate(const char *code, const char *day, const char *rate)
{
	json_t *out = NULL;
	int rc = currency_rate_set(as(&admin), code, day, rate, &out);

	if (rc != CRM_OK)
		fail_msg("rate %s %s %s: %d %s", code, day, rate, rc, cx.detail);
	json_decref(out);
}

static int64_t
scale(int64_t amount, int from, const char *rate, int to)
{
	char why[128];
	int64_t r, out = 0;

	if (currency_rate_parse(rate, strlen(rate), &r, why, sizeof(why)) != 0)
		fail_msg("rate %s: %s", rate, why);
	if (currency_scale(amount, from, r, to, &out) != 0)
		fail_msg("%lld at %s refused", (long long)amount, rate);
	return out;
}

static void
the_table_knows_minor_units(void **state)
{
	(void)state;
	assert_int_equal(currency_find("JPY")->digits, 0);
	assert_int_equal(currency_find("KRW")->digits, 0);
	assert_int_equal(currency_find("CLP")->digits, 0);
	assert_int_equal(currency_find("USD")->digits, 2);
	assert_int_equal(currency_find("RUB")->digits, 2);
	assert_int_equal(currency_find("KZT")->digits, 2);
	assert_int_equal(currency_find("BHD")->digits, 3);
	assert_int_equal(currency_find("KWD")->digits, 3);
	assert_int_equal(currency_find("TND")->digits, 3);
	assert_null(currency_find("usd"));
	assert_null(currency_find("XXX"));
	assert_null(currency_find("US"));
	assert_null(currency_find("USDX"));
	assert_null(currency_find(""));
	assert_null(currency_find(NULL));
	{
		size_t n;
		const struct currency *all = currency_all(&n);

		assert_true(n >= 40);
		for (size_t i = 1; i < n; i++)
			assert_true(strcmp(all[i - 1].code, all[i].code) < 0);
		for (size_t i = 0; i < n; i++)
			assert_ptr_equal(currency_find(all[i].code), &all[i]);
	}
}

static void
rates_are_exact_decimals_within_bounds(void **state)
{
	static const char *const bad[] = { "0", "0.0", "0.00000000000", "-1",
	    "+1", "1.", ".5", "1e3", "abc", "", " 1", "1 ", "1,5",
	    "1.12345678901", "100000000.0000000001", "100000001",
	    "99999999999999999999999", "1.2.3", "0x10" };
	char why[128], text[CURRENCY_RATE_TEXT];
	int64_t r;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (currency_rate_parse(bad[i], strlen(bad[i]), &r, why,
		    sizeof(why)) == 0)
			fail_msg("rate \"%s\" was accepted", bad[i]);
	assert_int_equal(currency_rate_parse("92.4512", 7, &r, why, sizeof(why)),
	    0);
	assert_int_equal(r, 924512000000LL);
	currency_rate_format(r, text);
	assert_string_equal(text, "92.4512");
	assert_int_equal(currency_rate_parse("0.0000000001", 12, &r, why,
	    sizeof(why)), 0);
	assert_int_equal(r, 1);
	currency_rate_format(r, text);
	assert_string_equal(text, "0.0000000001");
	assert_int_equal(currency_rate_parse("100000000", 9, &r, why,
	    sizeof(why)), 0);
	currency_rate_format(r, text);
	assert_string_equal(text, "100000000");
	assert_int_equal(currency_rate_parse("1.5000", 6, &r, why, sizeof(why)),
	    0);
	currency_rate_format(r, text);
	assert_string_equal(text, "1.5");
}

static void
yen_and_dollars_convert_across_minor_units(void **state)
{
	(void)state;
	/* 1000 JPY at 0.0067 USD = 6.70 USD = 670 cents. */
	assert_int_equal(scale(1000, 0, "0.0067", 2), 670);
	/* 12.34 USD at 149.25 JPY = 1841.745 JPY: 1842. */
	assert_int_equal(scale(1234, 2, "149.25", 0), 1842);
	/* 1 JPY at 0.0067 USD = 0.67 cent: 1 cent. */
	assert_int_equal(scale(1, 0, "0.0067", 2), 1);
	assert_int_equal(scale(0, 0, "0.0067", 2), 0);
	assert_int_equal(scale(-1000, 0, "0.0067", 2), -670);
}

static void
exact_halves_round_to_even(void **state)
{
	(void)state;
	/* USD cents to JPY at 150: 1 cent = 1.5 yen, 3 = 4.5, 5 = 7.5. */
	assert_int_equal(scale(1, 2, "150", 0), 2);
	assert_int_equal(scale(3, 2, "150", 0), 4);
	assert_int_equal(scale(5, 2, "150", 0), 8);
	assert_int_equal(scale(7, 2, "150", 0), 10);	/* 10.5 */
	assert_int_equal(scale(-3, 2, "150", 0), -4);	/* symmetric */
	assert_int_equal(scale(-5, 2, "150", 0), -8);
	/* Just above and below a half go to the nearer. */
	assert_int_equal(scale(3, 2, "150.0000000001", 0), 5);
	assert_int_equal(scale(3, 2, "149.9999999999", 0), 4);
	/* The smallest rate step: 10^-10 of a unit. */
	assert_int_equal(scale(5000000000LL, 0, "0.0000000001", 0), 0); /* .5 */
	assert_int_equal(scale(15000000000LL, 0, "0.0000000001", 0), 2); /* 1.5 */
}

static void
three_digit_currencies_keep_their_fils(void **state)
{
	(void)state;
	/* 100.00 EUR at 0.3312 KWD = 33.120 KWD = 33120 fils. */
	assert_int_equal(scale(10000, 2, "0.3312", 3), 33120);
	/* 1.234 KWD at 3.0195 EUR = 3.7260630 EUR: 373 cents. */
	assert_int_equal(scale(1234, 3, "3.0195", 2), 373);
	/* Halves from fils to cents at 1: 5 fils = 0.5 cent. */
	assert_int_equal(scale(5, 3, "1", 2), 0);
	assert_int_equal(scale(15, 3, "1", 2), 2);
	assert_int_equal(scale(25, 3, "1", 2), 2);
	assert_int_equal(scale(35, 3, "1", 2), 4);
	/* 1 BHD at 2.4390 USD = 2.439 USD: 244 cents. */
	assert_int_equal(scale(1000, 3, "2.439", 2), 244);
}

static void
amounts_past_the_int64_bound_are_refused(void **state)
{
	int64_t out = 0, two = 2 * CURRENCY_RATE_SCALE, one = CURRENCY_RATE_SCALE;

	(void)state;
	assert_int_equal(currency_scale(INT64_MAX, 2, one, 2, &out), 0);
	assert_int_equal(out, INT64_MAX);
	assert_int_equal(currency_scale(INT64_MAX / 2, 2, two, 2, &out), 0);
	assert_int_equal(out, INT64_MAX - 1);
	assert_int_equal(currency_scale(INT64_MAX / 2 + 1, 2, two, 2, &out), -1);
	assert_int_equal(currency_scale(INT64_MAX, 2, two, 2, &out), -1);
	assert_int_equal(currency_scale(-INT64_MAX, 2, one, 2, &out), 0);
	assert_int_equal(out, -INT64_MAX);
	assert_int_equal(currency_scale(INT64_MIN, 2, one, 2, &out), -1);
	/* The largest rate and amount, 0 to 3 digits: far past, refused. */
	assert_int_equal(currency_scale(INT64_MAX, 0, CURRENCY_RATE_MAX_UNITS *
	    CURRENCY_RATE_SCALE, 3, &out), -1);
	/* Yen to fils multiplies by 1000: the bound is a thousandth. */
	assert_int_equal(currency_scale(INT64_MAX / 1000, 0, one, 3, &out), 0);
	assert_int_equal(out, INT64_MAX / 1000 * 1000);
	assert_int_equal(currency_scale(INT64_MAX / 1000 + 1, 0, one, 3, &out),
	    -1);
}

static void
conversion_uses_the_latest_rate_on_or_before_the_day(void **state)
{
	int64_t out = -1;

	(void)state;
	set_rate("USD", "2026-01-01", "0.9");
	set_rate("USD", "2026-01-10", "0.95");
	set_rate("JPY", "2026-01-01", "0.0061");
	assert_int_equal(currency_convert(as(&member), 10000, "USD", "2026-01-05",
	    &out), CRM_OK);
	assert_int_equal(out, 9000);
	assert_int_equal(currency_convert(as(&member), 10000, "USD", "2026-01-10",
	    &out), CRM_OK);
	assert_int_equal(out, 9500);
	assert_int_equal(currency_convert(as(&member), 10000, "USD", "2027-06-01",
	    &out), CRM_OK);
	assert_int_equal(out, 9500);
	assert_int_equal(currency_convert(as(&member), 10000, "USD", "2026-01-09",
	    &out), CRM_OK);
	assert_int_equal(out, 9000);
	/* 1000 JPY at 0.0061 EUR = 6.10 EUR. */
	assert_int_equal(currency_convert(as(&member), 1000, "JPY", "2026-03-01",
	    &out), CRM_OK);
	assert_int_equal(out, 610);
	/* Before the first rate: not found, naming currency and day. */
	assert_int_equal(currency_convert(as(&member), 10000, "USD", "2025-12-31",
	    &out), CRM_ENOTFOUND);
	assert_non_null(strstr(cx.detail, "USD"));
	assert_non_null(strstr(cx.detail, "2025-12-31"));
	assert_int_equal(currency_convert(as(&member), 1, "GBP", "2026-01-05",
	    &out), CRM_ENOTFOUND);
	/* Base to base is the amount, with or without rates. */
	assert_int_equal(currency_convert(as(&member), 12345, "EUR", "1999-01-01",
	    &out), CRM_OK);
	assert_int_equal(out, 12345);
	assert_int_equal(currency_convert(as(&member), 1, "XXX", "2026-01-05",
	    &out), CRM_EINVAL);
	assert_int_equal(currency_convert(as(&member), 1, "USD", "2026-02-30",
	    &out), CRM_EINVAL);
	assert_int_equal(currency_convert(as(&member), INT64_MAX, "USD",
	    "2026-01-05", &out), CRM_OK);	/* 0.9: fits */
	set_rate("GBP", "2026-01-01", "1.2");
	assert_int_equal(currency_convert(as(&member), INT64_MAX, "GBP",
	    "2026-01-05", &out), CRM_EINVAL);
}

static void
setting_a_rate_twice_replaces_it_and_is_audited(void **state)
{
	json_t *out = NULL;

	(void)state;
	assert_int_equal(currency_rate_set(as(&admin), "USD", "2026-01-01", "0.9",
	    &out), CRM_OK);
	assert_true(json_is_true(json_object_get(out, "created")));
	json_decref(out);
	assert_int_equal(currency_rate_set(as(&admin), "USD", "2026-01-01",
	    "0.91", &out), CRM_OK);
	assert_true(json_is_false(json_object_get(out, "created")));
	assert_string_equal(json_string_value(json_object_get(out, "rate")),
	    "0.91");
	assert_string_equal(json_string_value(json_object_get(out, "date")),
	    "2026-01-01");
	assert_int_equal(currency_rate_delete(as(&admin),
	    json_integer_value(json_object_get(out, "id"))), CRM_OK);
	json_decref(out);
	assert_int_equal(memdb_int("SELECT COUNT(*) FROM exchange_rates"), 0);
	assert_int_equal(audits("setting.rate_set"), 2);
	assert_int_equal(audits("setting.rate_delete"), 1);
	assert_int_equal(currency_rate_delete(as(&admin), 999), CRM_ENOTFOUND);
}

static void
only_an_admin_changes_rates_or_the_base(void **state)
{
	json_t *out = NULL;

	(void)state;
	assert_int_equal(currency_rate_set(as(&member), "USD", "2026-01-01", "1",
	    &out), CRM_EFORBIDDEN);
	assert_int_equal(currency_base_set(as(&member), "USD"), CRM_EFORBIDDEN);
	assert_int_equal(currency_rates_import(as(&member), "USD,2026-01-01,1\n",
	    17, &out), CRM_EFORBIDDEN);
	assert_null(out);
	assert_int_equal(memdb_int("SELECT COUNT(*) FROM exchange_rates"), 0);
	assert_int_equal(memdb_int("SELECT COUNT(*) FROM audit_log"), 0);
}

static void
the_base_changes_only_while_no_rates_are_stored(void **state)
{
	char base[4];

	(void)state;
	assert_int_equal(currency_base_get(as(&member), base), CRM_OK);
	assert_string_equal(base, "EUR");
	assert_int_equal(currency_base_set(as(&admin), "RUB"), CRM_OK);
	assert_int_equal(currency_base_get(as(&member), base), CRM_OK);
	assert_string_equal(base, "RUB");
	assert_int_equal(currency_base_set(as(&admin), "rub"), CRM_EINVAL);
	set_rate("USD", "2026-01-01", "92.4512");
	assert_int_equal(currency_base_set(as(&admin), "USD"), CRM_EINUSE);
	assert_int_equal(currency_base_set(as(&admin), "RUB"), CRM_OK);
	/* The base's own rate is 1 by definition. */
	{
		json_t *out = NULL;

		assert_int_equal(currency_rate_set(as(&admin), "RUB", "2026-01-01",
		    "1", &out), CRM_EINVAL);
	}
	assert_int_equal(audits("setting.base_currency"), 2);
	assert_int_equal(db_exec(db, "DELETE FROM currency_settings"), DB_OK);
}

static void
an_import_with_bad_lines_writes_nothing_and_names_each(void **state)
{
	static const char csv[] =
	    "currency,date,rate\n"
	    "USD,2026-01-01,0.9\n"
	    "XYZ,2026-01-01,1\n"		/* 3 */
	    "USD,2026-13-01,1\n"		/* 4 */
	    "\n"
	    "GBP,2026-01-01,0\n"		/* 6 */
	    "GBP,2026-01-02\n"			/* 7 */
	    "JPY,2026-01-01,-1\r\n"		/* 8 */
	    "CHF,2026-01-01,1.12345678901\n";	/* 9 */
	json_t *out = NULL;
	const char *want[] = { "line 3: currency", "line 4: date",
	    "line 6: rate", "line 7", "line 8: rate", "line 9: rate" };

	(void)state;
	assert_int_equal(currency_rates_import(as(&admin), csv, sizeof(csv) - 1,
	    &out), CRM_EINVAL);
	assert_null(out);
	assert_int_equal(cx.errs.n, 6);
	for (int i = 0; i < 6; i++)
		assert_string_equal(cx.errs.items[i].field, want[i]);
	assert_int_equal(memdb_int("SELECT COUNT(*) FROM exchange_rates"), 0);
	assert_int_equal(audits("setting.rate_import"), 0);
}

static void
a_good_import_writes_every_line_once_audited(void **state)
{
	static const char csv[] =
	    "USD,2026-01-01,0.9\n"
	    " USD , 2026-01-02 , \"0.91\" \r\n"
	    "KWD,2026-01-01,3.0195\n";
	static const char dup[] = "USD,2026-01-01,0.9\nGBP,2026-01-01,1\n"
	    "USD,2026-01-01,0.8\nUSD,2026-01-02,0.8\nUSD,2026-01-01,0.7\n";
	json_t *out = NULL;

	(void)state;
	set_rate("USD", "2026-01-01", "0.5");
	assert_int_equal(currency_rates_import(as(&admin), csv, sizeof(csv) - 1,
	    &out), CRM_OK);
	assert_int_equal(json_integer_value(json_object_get(out, "rows")), 3);
	assert_int_equal(json_integer_value(json_object_get(out, "created")), 2);
	assert_int_equal(json_integer_value(json_object_get(out, "updated")), 1);
	json_decref(out);
	assert_int_equal(memdb_int("SELECT COUNT(*) FROM exchange_rates"), 3);
	assert_int_equal(memdb_int("SELECT rate FROM exchange_rates WHERE currency = "
	    "'USD' AND day = (SELECT MIN(day) FROM exchange_rates)"),
	    9000000000LL);
	assert_int_equal(audits("setting.rate_import"), 1);
	assert_int_equal(currency_rates_import(as(&admin), dup, sizeof(dup) - 1,
	    &out), CRM_EINVAL);
	assert_int_equal(cx.errs.n, 2);
	assert_string_equal(cx.errs.items[0].field, "line 3");
	assert_string_equal(cx.errs.items[0].message, "repeats the currency and "
	    "date of line 1");
	assert_string_equal(cx.errs.items[1].field, "line 5");
	assert_string_equal(cx.errs.items[1].message, "repeats the currency and "
	    "date of line 1");
	assert_int_equal(currency_rates_import(as(&admin), "\n\n", 2, &out),
	    CRM_EINVAL);
	assert_int_equal(audits("setting.rate_import"), 1);
}

static void
rates_list_newest_first_with_filters(void **state)
{
	struct rate_query q;
	json_t *out = NULL, *data;

	(void)state;
	set_rate("USD", "2026-01-01", "0.9");
	set_rate("USD", "2026-01-10", "0.95");
	set_rate("GBP", "2026-01-05", "1.2");
	memset(&q, 0, sizeof(q));
	assert_int_equal(currency_rates_list(as(&member), &q, &out), CRM_OK);
	data = json_object_get(out, "data");
	assert_int_equal(json_array_size(data), 3);
	assert_string_equal(json_string_value(json_object_get(json_array_get(
	    data, 0), "date")), "2026-01-10");
	json_decref(out);
	q.currency = "USD";
	q.from = "2026-01-02";
	assert_int_equal(currency_rates_list(as(&member), &q, &out), CRM_OK);
	assert_int_equal(json_array_size(json_object_get(out, "data")), 1);
	json_decref(out);
	memset(&q, 0, sizeof(q));
	q.limit = 2;
	assert_int_equal(currency_rates_list(as(&member), &q, &out), CRM_OK);
	assert_int_equal(json_array_size(json_object_get(out, "data")), 2);
	q.cursor = json_string_value(json_object_get(out, "next_cursor"));
	assert_non_null(q.cursor);
	{
		json_t *next = NULL;

		assert_int_equal(currency_rates_list(as(&member), &q, &next),
		    CRM_OK);
		assert_int_equal(json_array_size(json_object_get(next, "data")), 1);
		assert_true(json_is_null(json_object_get(next, "next_cursor")));
		assert_string_equal(json_string_value(json_object_get(
		    json_array_get(json_object_get(next, "data"), 0), "date")),
		    "2026-01-01");
		json_decref(next);
	}
	json_decref(out);
	memset(&q, 0, sizeof(q));
	q.currency = "ABC";
	assert_int_equal(currency_rates_list(as(&member), &q, &out),
	    CRM_EBADQUERY);
	q.currency = NULL;
	q.from = "2026-1-1";
	assert_int_equal(currency_rates_list(as(&member), &q, &out),
	    CRM_EBADQUERY);
}

static int
empty_tables(void **state)
{
	(void)state;
	return db_exec(db, "DELETE FROM exchange_rates; DELETE FROM "
	    "currency_settings; DELETE FROM audit_log; DELETE FROM "
	    "audit_checkpoints") == DB_OK ? 0 : -1;
}

static int
group_setup(void **state)
{
	(void)state;
	return memdb_open() == 0 && memdb_add_member(&member) == 0 ? 0 : -1;
}

int
main(void)
{
#define T(f) cmocka_unit_test_setup(f, empty_tables)
	const struct CMUnitTest tests[] = {
		T(the_table_knows_minor_units),
		T(rates_are_exact_decimals_within_bounds),
		T(yen_and_dollars_convert_across_minor_units),
		T(exact_halves_round_to_even),
		T(three_digit_currencies_keep_their_fils),
		T(amounts_past_the_int64_bound_are_refused),
		T(conversion_uses_the_latest_rate_on_or_before_the_day),
		T(setting_a_rate_twice_replaces_it_and_is_audited),
		T(only_an_admin_changes_rates_or_the_base),
		T(the_base_changes_only_while_no_rates_are_stored),
		T(an_import_with_bad_lines_writes_nothing_and_names_each),
		T(a_good_import_writes_every_line_once_audited),
		T(rates_list_newest_first_with_filters),
	};
#undef T

	return cmocka_run_group_tests(tests, group_setup, memdb_close);
}
