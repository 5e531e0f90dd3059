/*
 * Currencies, the company's base currency and exchange rates by date.
 *
 * Money in this product is an integer number of minor units (cents,
 * kopecks, fils) plus an ISO 4217 code; the number of minor-unit digits
 * comes from the built-in table (currency_find). No floating point is used
 * anywhere here.
 *
 * The base currency is one setting (EUR until an administrator sets it).
 * A rate says how many units of the base currency one unit of another
 * currency is worth on a day: "92.4512" for RUB when the base is RUB and
 * the currency USD. Rates are exact decimals with up to
 * CURRENCY_RATE_FRAC digits after the point, stored as integers scaled by
 * CURRENCY_RATE_SCALE, positive and at most CURRENCY_RATE_MAX_UNITS. A rate
 * holds from its day until the next rate of that currency. Because every
 * rate is relative to the base, the base cannot be changed while rates are
 * stored (CRM_EINUSE): delete them first.
 *
 * Conversion rounds half to even (banker's rounding) when the exact result
 * falls between two minor units, and refuses results that do not fit an
 * int64_t of minor units.
 *
 * Changes need an administrator (core_admin_only) and each one appends an
 * audit entry in its own transaction: "setting.base_currency",
 * "setting.rate_set", "setting.rate_delete", "setting.rate_import".
 */
#ifndef CORE_CURRENCY_H
#define CORE_CURRENCY_H

#include <jansson.h>
#include <stdint.h>

#include "core/core.h"

#define CURRENCY_RATE_FRAC 10			/* digits after the point */
#define CURRENCY_RATE_SCALE 10000000000LL	/* 10^CURRENCY_RATE_FRAC */
#define CURRENCY_RATE_MAX_UNITS 100000000LL	/* a rate is at most 10^8 */
#define CURRENCY_RATE_TEXT 32			/* rate as text, with NUL */
#define CURRENCY_DEFAULT_BASE "EUR"
#define CURRENCY_IMPORT_MAX_ROWS 20000		/* lines of one CSV import */
#define CURRENCY_LIST_MAX 1000			/* rates in one page */

/* One ISO 4217 currency of the built-in table. */
struct currency {
	const char	*code;		/* "USD" */
	int		 digits;	/* minor-unit digits: 0, 2 or 3 */
	const char	*name;		/* "US dollar" */
};

/*
 * The currency with this code (three upper-case letters, exact), or NULL
 * when the code is not in the table. The result is static.
 */
const struct currency *currency_find(const char *code);
/* The whole table, in code order: *n entries. */
const struct currency *currency_all(size_t *n);

/*
 * Parses a rate written as a decimal ("92.4512", "0.0000000001", "100"):
 * digits, an optional point and 1..10 more digits, no sign, no exponent,
 * greater than 0 and at most CURRENCY_RATE_MAX_UNITS. 0 and the rate
 * scaled by CURRENCY_RATE_SCALE in *out, or -1 with why in why (a phrase
 * for an error message, at least 96 bytes).
 */
int currency_rate_parse(const char *s, size_t len, int64_t *out, char *why,
    size_t whylen);
/* Writes a scaled rate as its shortest decimal ("92.4512", "1") to out. */
void currency_rate_format(int64_t rate, char out[CURRENCY_RATE_TEXT]);

/*
 * amount_minor, in minor units of `from`, converted to minor units of the
 * base currency at `day` ("YYYY-MM-DD"): with the rate of that day or else
 * the latest one before it. Base to base is the amount itself. Rounds half
 * to even. CRM_EINVAL for an unknown currency or a bad day, CRM_ENOTFOUND
 * naming the currency and day when no rate applies, CRM_EINVAL when the
 * result does not fit in int64_t; the reason is in cx->detail. Reads only;
 * needs no rights beyond being the core's caller.
 */
int currency_convert(struct core_ctx *cx, int64_t amount_minor,
    const char *from, const char *day, int64_t *out_base_minor);

/*
 * The arithmetic of currency_convert on its own: amount in minor units of
 * a currency with from_digits, times rate (scaled by CURRENCY_RATE_SCALE),
 * to minor units of a currency with to_digits, rounded half to even.
 * 0, or -1 when the result does not fit in int64_t.
 */
int currency_scale(int64_t amount, int from_digits, int64_t rate,
    int to_digits, int64_t *out);

/* The base currency's code into out (4 bytes). */
int currency_base_get(struct core_ctx *cx, char out[4]);
/*
 * {"currency", "digits", "name", "updated_at"} of the base currency (new
 * reference in *out).
 */
int currency_base_json(struct core_ctx *cx, json_t **out);
/*
 * Sets the base currency (admin). CRM_EINVAL for an unknown code,
 * CRM_EINUSE while any exchange rate is stored (unless it is unchanged).
 */
int currency_base_set(struct core_ctx *cx, const char *code);

/* Filters of currency_rates_list; NULL/0: no filter. */
struct rate_query {
	const char	*currency;	/* one code */
	const char	*from;		/* "YYYY-MM-DD", inclusive */
	const char	*to;		/* "YYYY-MM-DD", inclusive */
	int		 limit;		/* 1..CURRENCY_LIST_MAX; 0: 100 */
	const char	*cursor;	/* next_cursor of the previous page */
};

/*
 * Rates, newest day first, as {"data": [...], "next_cursor": text|null}
 * (new reference in *out). Each rate is {"id", "currency", "date", "rate",
 * "updated_at"}. CRM_EBADQUERY for a bad filter.
 */
int currency_rates_list(struct core_ctx *cx, const struct rate_query *q,
    json_t **out);
/*
 * Sets the rate of currency on day (admin), replacing one already set for
 * that day. *out (new reference): the stored rate, with "created": bool.
 */
int currency_rate_set(struct core_ctx *cx, const char *currency,
    const char *day, const char *rate, json_t **out);
/* Deletes one rate by id (admin). CRM_ENOTFOUND when there is none. */
int currency_rate_delete(struct core_ctx *cx, int64_t id);
/*
 * Imports rates from CSV text: lines "currency,date,rate", an optional
 * first line "currency,date,rate" as a header, blank lines skipped. All or
 * nothing: any bad line gives CRM_EINVAL with one cx->errs entry per bad
 * line ("line N") and nothing written. *out (new reference):
 * {"rows", "created", "updated"}.
 */
int currency_rates_import(struct core_ctx *cx, const char *text, size_t len,
    json_t **out);

#endif
