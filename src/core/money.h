/*
 * The arithmetic of priced lines: quantity times price, less a discount,
 * plus tax. Pure functions: no database, no allocation, no floating point.
 *
 * Units of every number here:
 * - money: int64_t minor units of one currency (cents, fils, yen); which
 *   currency is the caller's business, all amounts of one call share it;
 * - quantities: int64_t thousandths of a unit ("2" is 2000, "0.5" is 500,
 *   "256.76" is 256760), so up to three digits after the point are exact;
 * - discounts and tax rates: int basis points, 0..10000 ("12.5" % is 1250,
 *   "100" % is 10000).
 *
 * Rounding: each of a line's net and tax is rounded to the minor unit half
 * away from zero (commercial rounding, as invoices do: 0.5 cent becomes 1
 * cent, -0.5 becomes -1), and the line's total is the sum of the rounded
 * net and tax, so the figures printed on a line always add up. Totals of
 * several lines are sums of the rounded line figures. Intermediate
 * products are exact (128-bit); a result that does not fit in int64_t is
 * reported, never wrapped.
 */
#ifndef CORE_MONEY_H
#define CORE_MONEY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MONEY_QTY_SCALE 1000		/* thousandths of a unit */
#define MONEY_QTY_FRAC 3		/* digits after the point */
#define MONEY_QTY_MAX_UNITS 1000000000LL	/* at most 10^9 units */
#define MONEY_BP_MAX 10000		/* 100 % in basis points */
#define MONEY_PRICE_MAX 1000000000000000LL	/* 10^15 minor units */
#define MONEY_QTY_TEXT 24		/* a quantity as text, with NUL */
#define MONEY_BP_TEXT 8			/* "100", "12.5", "0.05", with NUL */
#define MONEY_WHY 128			/* room for a reason, with NUL */

/* One line's figures, in minor units. */
struct money_line {
	int64_t	net;	/* quantity x price x (1 - discount), rounded */
	int64_t	tax;	/* net x tax rate, rounded */
	int64_t	total;	/* net + tax */
};

/*
 * Parses a quantity written as a decimal: digits, and optionally a point
 * followed by 1..MONEY_QTY_FRAC digits ("2", "0.5", "256.76"). No sign,
 * exponent, spaces or grouping. It must be above 0 and at most
 * MONEY_QTY_MAX_UNITS; when whole is true (a unit counted in pieces) it
 * must also have no fraction ("2.0" is 2, "256.76" is refused).
 * Reads s[0..len) (need not be NUL-terminated). 0 and the quantity in
 * thousandths in *out, or -1 with a phrase for an error message (such as
 * "must be a whole number of pieces") in why, truncated to whylen.
 */
int money_qty_parse(const char *s, size_t len, bool whole, int64_t *out,
    char *why, size_t whylen);
/* Writes a quantity in thousandths as its shortest decimal ("256.76"). */
void money_qty_format(int64_t qty, char out[MONEY_QTY_TEXT]);

/*
 * Parses a percentage written as a decimal with up to 2 digits after the
 * point ("20", "12.5", "0.05", "100"), from 0 to 100, into basis points.
 * The same text rules and result convention as money_qty_parse.
 */
int money_bp_parse(const char *s, size_t len, int *out, char *why,
    size_t whylen);
/* Writes basis points (0..10000) as a percentage ("12.5", "100", "0"). */
void money_bp_format(int bp, char out[MONEY_BP_TEXT]);

/*
 * n / d rounded half away from zero (d != 0); the building block of the
 * line arithmetic, exported for the tests and for callers that split an
 * amount. 0 and *out, or -1 when the result does not fit in int64_t.
 */
int money_div_round(__int128 n, __int128 d, int64_t *out);

/*
 * One line: qty thousandths (> 0) at price minor units each, less
 * discount_bp, plus tax_bp (both 0..MONEY_BP_MAX). price may be negative
 * (a credit line) as far as the arithmetic goes; whether it is allowed is
 * the caller's rule. 0 and *out, or -1 when an argument is out of range or
 * a figure does not fit in int64_t (*out is then zeroed).
 */
int money_line(int64_t qty, int64_t price, int discount_bp, int tax_bp,
    struct money_line *out);

/*
 * The sums of n lines' net, tax and total. 0 and *out, or -1 (and *out
 * zeroed) when a sum does not fit in int64_t.
 */
int money_sum(const struct money_line *lines, size_t n,
    struct money_line *out);

#endif
