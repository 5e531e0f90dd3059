/*
 * core/money: quantities and percentages as exact decimals, a line's net,
 * tax and total rounded half away from zero to the minor unit, sums, and
 * overflow reported instead of wrapped. Every expected figure is worked
 * out by hand in the comment beside it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "core/money.h"

static int64_t
qty(const char *s, bool whole)
{
	char why[MONEY_WHY];
	int64_t q = -1;

	if (money_qty_parse(s, strlen(s), whole, &q, why, sizeof(why)) != 0)
		fail_msg("quantity %s refused: %s", s, why);
	return q;
}

static void
qty_refused(const char *s, bool whole, const char *reason)
{
	char why[MONEY_WHY] = "";
	int64_t q = 7;

	assert_int_equal(money_qty_parse(s, strlen(s), whole, &q, why,
	    sizeof(why)), -1);
	assert_int_equal(q, 0);
	if (strstr(why, reason) == NULL)
		fail_msg("quantity \"%s\": reason \"%s\" lacks \"%s\"", s, why,
		    reason);
}

static int
bp(const char *s)
{
	char why[MONEY_WHY];
	int v = -1;

	if (money_bp_parse(s, strlen(s), &v, why, sizeof(why)) != 0)
		fail_msg("percentage %s refused: %s", s, why);
	return v;
}

static void
quantities_are_exact_thousandths(void **state)
{
	(void)state;
	assert_int_equal(qty("2", true), 2000);
	assert_int_equal(qty("2.0", true), 2000);	/* no fraction: whole */
	assert_int_equal(qty("0.5", false), 500);
	assert_int_equal(qty("256.76", false), 256760);
	assert_int_equal(qty("0.001", false), 1);
	assert_int_equal(qty("1000000000", true), 1000000000000LL);
}

static void
a_whole_unit_refuses_a_fraction(void **state)
{
	(void)state;
	qty_refused("256.76", true, "whole number");
	qty_refused("0.5", true, "whole number");
}

static void
bad_quantity_text_is_refused(void **state)
{
	(void)state;
	qty_refused("1e3", false, "plain decimal");
	qty_refused("-1", false, "plain decimal");
	qty_refused("+1", false, "plain decimal");
	qty_refused("1.2345", false, "more than 3 digits");
	qty_refused("", false, "empty");
	qty_refused(" 1", false, "plain decimal");
	qty_refused("1 ", false, "plain decimal");
	qty_refused("1,5", false, "plain decimal");
	qty_refused(".5", false, "plain decimal");
	qty_refused("1.", false, "after the point");
	qty_refused("0", false, "more than 0");
	qty_refused("0.000", false, "more than 0");
	qty_refused("1000000000.001", false, "1000000000");
	qty_refused("99999999999999999999", false, "too large");
}

static void
quantities_format_back_to_their_shortest_text(void **state)
{
	char out[MONEY_QTY_TEXT];

	(void)state;
	money_qty_format(256760, out);
	assert_string_equal(out, "256.76");
	money_qty_format(2000, out);
	assert_string_equal(out, "2");
	money_qty_format(1, out);
	assert_string_equal(out, "0.001");
	money_qty_format(1000000000000LL, out);
	assert_string_equal(out, "1000000000");
}

static void
percentages_are_basis_points(void **state)
{
	char out[MONEY_BP_TEXT], why[MONEY_WHY];
	int v;

	(void)state;
	assert_int_equal(bp("0"), 0);
	assert_int_equal(bp("12.5"), 1250);
	assert_int_equal(bp("0.05"), 5);
	assert_int_equal(bp("20"), 2000);
	assert_int_equal(bp("100"), 10000);
	assert_int_equal(bp("100.00"), 10000);
	assert_int_equal(money_bp_parse("100.01", 6, &v, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "0 to 100"));
	assert_int_equal(money_bp_parse("12.345", 6, &v, why, sizeof(why)), -1);
	assert_int_equal(money_bp_parse("-5", 2, &v, why, sizeof(why)), -1);
	assert_int_equal(money_bp_parse("", 0, &v, why, sizeof(why)), -1);
	money_bp_format(1250, out);
	assert_string_equal(out, "12.5");
	money_bp_format(10000, out);
	assert_string_equal(out, "100");
	money_bp_format(5, out);
	assert_string_equal(out, "0.05");
	money_bp_format(0, out);
	assert_string_equal(out, "0");
}

static void
rounding_is_half_away_from_zero(void **state)
{
	int64_t q;

	(void)state;
	assert_int_equal(money_div_round(5, 10, &q), 0);	/* 0.5 -> 1 */
	assert_int_equal(q, 1);
	assert_int_equal(money_div_round(-5, 10, &q), 0);	/* -0.5 -> -1 */
	assert_int_equal(q, -1);
	assert_int_equal(money_div_round(49, 100, &q), 0);	/* 0.49 -> 0 */
	assert_int_equal(q, 0);
	assert_int_equal(money_div_round(-49, 100, &q), 0);	/* -0.49 -> 0 */
	assert_int_equal(q, 0);
	assert_int_equal(money_div_round(151, 100, &q), 0);	/* 1.51 -> 2 */
	assert_int_equal(q, 2);
	assert_int_equal(money_div_round(25, 10, &q), 0);	/* 2.5 -> 3, not even */
	assert_int_equal(q, 3);
	assert_int_equal(money_div_round(-25, 10, &q), 0);
	assert_int_equal(q, -3);
	assert_int_equal(money_div_round(7, -2, &q), 0);	/* -3.5 -> -4 */
	assert_int_equal(q, -4);
	assert_int_equal(money_div_round(1, 0, &q), -1);
}

static void
a_line_rounds_net_and_tax_each_to_the_minor_unit(void **state)
{
	struct money_line l;

	(void)state;
	/* 2 x 10.00 = 20.00; no discount; 20 % tax = 4.00; 24.00. */
	assert_int_equal(money_line(2000, 1000, 0, 2000, &l), 0);
	assert_int_equal(l.net, 2000);
	assert_int_equal(l.tax, 400);
	assert_int_equal(l.total, 2400);
	/* 0.5 h x 0.01 = 0.005 -> 0.01 (half rounds up). */
	assert_int_equal(money_line(500, 1, 0, 0, &l), 0);
	assert_int_equal(l.net, 1);
	/* 0.499 h x 0.01 = 0.00499 -> 0.00. */
	assert_int_equal(money_line(499, 1, 0, 0, &l), 0);
	assert_int_equal(l.net, 0);
	/* A credit line: 0.5 x -0.01 = -0.005 -> -0.01 (away from zero). */
	assert_int_equal(money_line(500, -1, 0, 0, &l), 0);
	assert_int_equal(l.net, -1);
	/* 256.76 kg x 3.33 = 855.0108 -> 855.01; 7 % tax 59.8507 -> 59.85. */
	assert_int_equal(money_line(256760, 333, 0, 700, &l), 0);
	assert_int_equal(l.net, 85501);
	assert_int_equal(l.tax, 5985);
	assert_int_equal(l.total, 91486);
	/* Tax on the rounded net: 0.05 x 10 % = 0.005 -> 0.01. */
	assert_int_equal(money_line(1000, 5, 0, 1000, &l), 0);
	assert_int_equal(l.tax, 1);
}

static void
discounts_of_none_a_fraction_and_all(void **state)
{
	struct money_line l;

	(void)state;
	/* 3 x 19.99 = 59.97. */
	assert_int_equal(money_line(3000, 1999, 0, 0, &l), 0);
	assert_int_equal(l.net, 5997);
	/* Less 12.5 %: 59.97 x 0.875 = 52.47375 -> 52.47; 20 %: 10.494 -> 10.49. */
	assert_int_equal(money_line(3000, 1999, 1250, 2000, &l), 0);
	assert_int_equal(l.net, 5247);
	assert_int_equal(l.tax, 1049);
	assert_int_equal(l.total, 6296);
	/* 100 %: given away, no tax either. */
	assert_int_equal(money_line(3000, 1999, 10000, 2000, &l), 0);
	assert_int_equal(l.net, 0);
	assert_int_equal(l.tax, 0);
	assert_int_equal(l.total, 0);
	/* 1 x 0.01 less 50 % = 0.005 -> 0.01: the half rounds away from 0. */
	assert_int_equal(money_line(1000, 1, 5000, 0, &l), 0);
	assert_int_equal(l.net, 1);
}

static void
amounts_in_any_currency_stay_integers(void **state)
{
	struct money_line l;

	(void)state;
	/* JPY has no minor unit: 3 x 333 yen less 10 % = 899.1 -> 899. */
	assert_int_equal(money_line(3000, 333, 1000, 1000, &l), 0);
	assert_int_equal(l.net, 899);
	assert_int_equal(l.tax, 90);	/* 89.9 -> 90 */
	/* KWD has three: 1.5 x 1.235 = 1.8525 -> 1.853 (in fils, 1852.5). */
	assert_int_equal(money_line(1500, 1235, 0, 0, &l), 0);
	assert_int_equal(l.net, 1853);
}

static void
overflow_is_reported_never_wrapped(void **state)
{
	struct money_line l, sum, big[2];

	(void)state;
	/* 10^9 units x 10^15 minor units does not fit in int64_t. */
	assert_int_equal(money_line(1000000000000LL, MONEY_PRICE_MAX, 0, 0, &l),
	    -1);
	assert_int_equal(l.net, 0);
	assert_int_equal(l.total, 0);
	/* The net fits, the net plus tax does not. */
	assert_int_equal(money_line(1000, INT64_MAX, 0, 10000, &l), -1);
	/* Out of range arguments. */
	assert_int_equal(money_line(0, 100, 0, 0, &l), -1);
	assert_int_equal(money_line(1000, 100, 10001, 0, &l), -1);
	assert_int_equal(money_line(1000, 100, 0, -1, &l), -1);
	/* Two lines each near the limit: their sum is refused. */
	big[0] = (struct money_line){ INT64_MAX - 5, 0, INT64_MAX - 5 };
	big[1] = (struct money_line){ 10, 0, 10 };
	assert_int_equal(money_sum(big, 2, &sum), -1);
	assert_int_equal(sum.total, 0);
}

static void
lines_sum_to_their_rounded_figures(void **state)
{
	struct money_line l[3], sum;

	(void)state;
	/* 1 x 0.05 at 10 % three times: each tax 0.005 -> 0.01, total 0.03. */
	for (int i = 0; i < 3; i++)
		assert_int_equal(money_line(1000, 5, 0, 1000, &l[i]), 0);
	assert_int_equal(money_sum(l, 3, &sum), 0);
	assert_int_equal(sum.net, 15);
	assert_int_equal(sum.tax, 3);
	assert_int_equal(sum.total, 18);
	assert_int_equal(money_sum(l, 0, &sum), 0);
	assert_int_equal(sum.total, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(quantities_are_exact_thousandths),
		cmocka_unit_test(a_whole_unit_refuses_a_fraction),
		cmocka_unit_test(bad_quantity_text_is_refused),
		cmocka_unit_test(quantities_format_back_to_their_shortest_text),
		cmocka_unit_test(percentages_are_basis_points),
		cmocka_unit_test(rounding_is_half_away_from_zero),
		cmocka_unit_test(a_line_rounds_net_and_tax_each_to_the_minor_unit),
		cmocka_unit_test(discounts_of_none_a_fraction_and_all),
		cmocka_unit_test(amounts_in_any_currency_stay_integers),
		cmocka_unit_test(overflow_is_reported_never_wrapped),
		cmocka_unit_test(lines_sum_to_their_rounded_figures),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
