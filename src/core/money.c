/*
 * Line arithmetic (see money.h). Every product is formed in __int128, whose
 * range (about 1.7e38) holds the largest one exactly: 10^12 thousandths x
 * 9.2e18 minor units x 10^4 basis points is about 9.2e34. Only the final
 * quotients are narrowed to int64_t, and each narrowing is checked.
 */
#include "core/money.h"

#include <stdio.h>
#include <string.h>

/* Copies a reason into why, truncating; returns -1 for one-line exits. */
static int
refuse(char *why, size_t whylen, const char *text)
{
	if (why != NULL && whylen > 0)
		snprintf(why, whylen, "%s", text);
	return -1;
}

/*
 * The shared decimal reader: digits, an optional point and 1..frac digits.
 * *units is the whole part, *fraction the digits after the point scaled to
 * frac places (so "0.5" with frac 3 gives 500). At most 12 digits before
 * the point, which keeps both parts far from overflowing.
 */
static int
decimal_parse(const char *s, size_t len, int frac, int64_t *units,
    int64_t *fraction, char *why, size_t whylen)
{
	size_t i = 0, intdigits = 0;
	int fdigits = 0;

	*units = 0;
	*fraction = 0;
	if (len == 0)
		return refuse(why, whylen, "is empty: write a number such as 2 "
		    "or 0.5");
	for (; i < len && s[i] >= '0' && s[i] <= '9'; i++, intdigits++) {
		if (intdigits >= 12)
			return refuse(why, whylen, "is too large");
		*units = *units * 10 + (s[i] - '0');
	}
	if (intdigits == 0)
		return refuse(why, whylen, "must be a plain decimal number such "
		    "as 2 or 0.5, without sign, spaces or exponent");
	if (i < len && s[i] == '.') {
		for (i++; i < len && s[i] >= '0' && s[i] <= '9'; i++) {
			if (++fdigits > frac)
				return refuse(why, whylen, frac == 3 ?
				    "has more than 3 digits after the point" :
				    "has more than 2 digits after the point");
			*fraction = *fraction * 10 + (s[i] - '0');
		}
		if (fdigits == 0)
			return refuse(why, whylen, "needs digits after the point");
	}
	if (i != len)
		return refuse(why, whylen, "must be a plain decimal number such "
		    "as 2 or 0.5, without sign, spaces or exponent");
	for (; fdigits < frac; fdigits++)
		*fraction *= 10;
	return 0;
}

int
money_qty_parse(const char *s, size_t len, bool whole, int64_t *out,
    char *why, size_t whylen)
{
	int64_t units, fraction;

	*out = 0;
	if (decimal_parse(s, len, MONEY_QTY_FRAC, &units, &fraction, why,
	    whylen) != 0)
		return -1;
	if (units > MONEY_QTY_MAX_UNITS || (units == MONEY_QTY_MAX_UNITS &&
	    fraction > 0))
		return refuse(why, whylen, "is more than 1000000000 units");
	if (units == 0 && fraction == 0)
		return refuse(why, whylen, "must be more than 0");
	if (whole && fraction != 0)
		return refuse(why, whylen, "must be a whole number: this unit is "
		    "counted in whole pieces");
	*out = units * MONEY_QTY_SCALE + fraction;
	return 0;
}

/* Writes v / scale with frac decimals, trailing zeros (and point) dropped. */
static void
decimal_format(int64_t v, int64_t scale, int frac, char *out, size_t outlen)
{
	char digits[8];
	int n;

	n = snprintf(digits, sizeof(digits), "%0*lld", frac,
	    (long long)(v % scale));
	while (n > 0 && digits[n - 1] == '0')
		digits[--n] = '\0';
	/* The callers' buffers hold any value they pass; "-" if not. */
	if (n > 0)
		n = snprintf(out, outlen, "%lld.%s", (long long)(v / scale),
		    digits);
	else
		n = snprintf(out, outlen, "%lld", (long long)(v / scale));
	if (n < 0 || (size_t)n >= outlen)
		snprintf(out, outlen, "-");
}

void
money_qty_format(int64_t qty, char out[MONEY_QTY_TEXT])
{
	if (qty < 0)	/* not a quantity this module makes; say so plainly */
		snprintf(out, MONEY_QTY_TEXT, "-");
	else
		decimal_format(qty, MONEY_QTY_SCALE, MONEY_QTY_FRAC, out,
		    MONEY_QTY_TEXT);
}

int
money_bp_parse(const char *s, size_t len, int *out, char *why, size_t whylen)
{
	int64_t units, fraction;

	*out = 0;
	if (decimal_parse(s, len, 2, &units, &fraction, why, whylen) != 0)
		return -1;
	if (units > 100 || (units == 100 && fraction > 0))
		return refuse(why, whylen, "must be a percentage from 0 to 100");
	*out = (int)(units * 100 + fraction);
	return 0;
}

void
money_bp_format(int bp, char out[MONEY_BP_TEXT])
{
	if (bp < 0 || bp > MONEY_BP_MAX)
		snprintf(out, MONEY_BP_TEXT, "-");
	else
		decimal_format(bp, 100, 2, out, MONEY_BP_TEXT);
}

int
money_div_round(__int128 n, __int128 d, int64_t *out)
{
	__int128 q, r, twice;

	*out = 0;
	if (d == 0)
		return -1;
	if (d < 0) {
		n = -n;
		d = -d;
	}
	q = n / d;		/* C truncates toward zero */
	r = n % d;		/* with the sign of n */
	twice = (r < 0 ? -r : r) * 2;
	if (twice >= d)		/* half or more: away from zero */
		q += n < 0 ? -1 : 1;
	if (q > INT64_MAX || q < INT64_MIN)
		return -1;
	*out = (int64_t)q;
	return 0;
}

int
money_line(int64_t qty, int64_t price, int discount_bp, int tax_bp,
    struct money_line *out)
{
	__int128 n;

	memset(out, 0, sizeof(*out));
	if (qty <= 0 || qty > MONEY_QTY_MAX_UNITS * MONEY_QTY_SCALE ||
	    discount_bp < 0 || discount_bp > MONEY_BP_MAX || tax_bp < 0 ||
	    tax_bp > MONEY_BP_MAX)
		return -1;
	n = (__int128)qty * price * (MONEY_BP_MAX - discount_bp);
	if (money_div_round(n, (__int128)MONEY_QTY_SCALE * MONEY_BP_MAX,
	    &out->net) != 0)
		goto overflow;
	if (money_div_round((__int128)out->net * tax_bp, MONEY_BP_MAX,
	    &out->tax) != 0)
		goto overflow;
	if (__builtin_add_overflow(out->net, out->tax, &out->total))
		goto overflow;
	return 0;
overflow:
	memset(out, 0, sizeof(*out));
	return -1;
}

int
money_sum(const struct money_line *lines, size_t n, struct money_line *out)
{
	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < n; i++) {
		if (__builtin_add_overflow(out->net, lines[i].net, &out->net) ||
		    __builtin_add_overflow(out->tax, lines[i].tax, &out->tax) ||
		    __builtin_add_overflow(out->total, lines[i].total,
		    &out->total)) {
			memset(out, 0, sizeof(*out));
			return -1;
		}
	}
	return 0;
}
