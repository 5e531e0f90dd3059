/*
 * Exchange rates from outside (core/currency.h): a rate as a decimal text,
 * and a whole CSV import body as an administrator sends it.
 *
 * The first byte picks what the rest is fed to:
 *   0  currency_rate_parse on an exact-size buffer (no terminator, so
 *      AddressSanitizer sees a read past the length). An accepted rate is
 *      positive and within the bound, and formats and parses back to
 *      itself.
 *   1  currency_scale on 8 bytes of amount, 8 of rate and two digit
 *      counts: a success keeps the amount's sign (or gives 0), and a rate
 *      of exactly 1 between equal digits gives the amount back.
 *   else  currency_rates_import on the rest: it succeeds only with rates
 *      that are then stored, fails with at least one named error, and a
 *      failure writes nothing. The rates are removed after each input.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "core/currency.h"
#include "util/alloc.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static db_t *db;
static struct actor admin;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	db = fz_open(":memory:", &admin);
	return 0;
}

static int64_t
rates_stored(void)
{
	db_stmt_t *st;
	int64_t n = -1;

	if (db_prepare(db, "SELECT COUNT(*) FROM exchange_rates", &st) != DB_OK)
		fz_fail("count: %s", db_errmsg(db));
	if (db_step(st) == DB_ROW)
		n = db_col_int(st, 0);
	db_done(st);
	return n;
}

static void
fuzz_rate(const uint8_t *data, size_t size)
{
	char *buf = xmalloc(size > 0 ? size : 1), why[128], text[CURRENCY_RATE_TEXT];
	int64_t r, again;

	memcpy(buf, data, size);
	if (currency_rate_parse(buf, size, &r, why, sizeof(why)) == 0) {
		if (r <= 0 || r > CURRENCY_RATE_MAX_UNITS * CURRENCY_RATE_SCALE)
			fz_fail("rate %lld accepted out of bounds", (long long)r);
		currency_rate_format(r, text);
		if (currency_rate_parse(text, strlen(text), &again, why,
		    sizeof(why)) != 0 || again != r)
			fz_fail("rate %lld formats as \"%s\", which does not parse "
			    "back", (long long)r, text);
	}
	free(buf);
}

static void
fuzz_scale(const uint8_t *data, size_t size)
{
	int64_t amount, rate, out;
	int from, to;

	if (size < 18)
		return;
	memcpy(&amount, data, 8);
	memcpy(&rate, data + 8, 8);
	from = data[16] % 4;
	to = data[17] % 4;
	if (currency_scale(amount, from, rate, to, &out) == 0) {
		if (rate <= 0)
			fz_fail("rate %lld accepted", (long long)rate);
		if ((amount > 0 && out < 0) || (amount < 0 && out > 0) ||
		    (amount == 0 && out != 0))
			fz_fail("%lld scaled to %lld: the sign changed",
			    (long long)amount, (long long)out);
	}
	if (from == to && amount != INT64_MIN &&
	    (currency_scale(amount, from, CURRENCY_RATE_SCALE, to, &out) != 0 ||
	    out != amount))
		fz_fail("%lld at a rate of 1 is not itself", (long long)amount);
}

static void
fuzz_import(const uint8_t *data, size_t size)
{
	struct core_ctx cx;
	json_t *out = NULL;
	int rc;

	core_ctx_init(&cx, db, &admin);
	rc = currency_rates_import(&cx, (const char *)data, size, &out);
	if (rc == CRM_OK) {
		json_int_t rows = json_integer_value(json_object_get(out, "rows"));

		if (rows <= 0 || rows != rates_stored())
			fz_fail("import said %lld rows, %lld stored", (long long)rows,
			    (long long)rates_stored());
	} else {
		if (out != NULL)
			fz_fail("a failed import answered a result");
		if (rc == CRM_EINVAL && cx.errs.n == 0)
			fz_fail("a refused import named no line");
		if (rates_stored() != 0)
			fz_fail("a refused import wrote %lld rates",
			    (long long)rates_stored());
	}
	json_decref(out);
	if (db_exec(db, "DELETE FROM exchange_rates") != DB_OK)
		fz_fail("reset: %s", db_errmsg(db));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	if (data[0] == 0)
		fuzz_rate(data + 1, size - 1);
	else if (data[0] == 1)
		fuzz_scale(data + 1, size - 1);
	else
		fuzz_import(data + 1, size - 1);
	return 0;
}
