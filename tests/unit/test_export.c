/*
 * core/export: how one value becomes a cell, the text CSV shows and the
 * type XLSX keeps (numbers, dates and times as such).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/export.h"
#include "util/buf.h"

struct got {
	char			text[256];
	enum export_type	type;
	int64_t			num;
};

/* The cell of the JSON text js (NULL: no value) for a column of kind. */
static struct got
cell(enum export_kind kind, const char *js, int digits)
{
	json_t *v = js != NULL ? json_loads(js, JSON_DECODE_ANY, NULL) : NULL;
	struct got g;
	struct buf b;

	assert_true(js == NULL || v != NULL);
	buf_init(&b, 200);
	assert_int_equal(export_cell(kind, v, digits, &b, &g.type, &g.num), 0);
	snprintf(g.text, sizeof(g.text), "%s", b.data != NULL ? b.data : "");
	buf_free(&b);
	json_decref(v);
	return g;
}

static void
no_value_is_an_empty_cell(void **state)
{
	struct got g = cell(EXPORT_K_PLAIN, NULL, -1);

	(void)state;
	assert_int_equal(g.type, EXPORT_EMPTY);
	assert_string_equal(g.text, "");
	g = cell(EXPORT_K_PLAIN, "null", -1);
	assert_int_equal(g.type, EXPORT_EMPTY);
	g = cell(EXPORT_K_PLAIN, "[]", -1);
	assert_int_equal(g.type, EXPORT_EMPTY);
	g = cell(EXPORT_K_MONEY, "null", 2);
	assert_int_equal(g.type, EXPORT_EMPTY);
}

static void
text_and_whole_numbers_stay_what_they_are(void **state)
{
	struct got g = cell(EXPORT_K_PLAIN, "\"Müller, 山田\"", -1);

	(void)state;
	assert_int_equal(g.type, EXPORT_TEXT);
	assert_string_equal(g.text, "Müller, 山田");
	/* Quoting and defusing are the CSV writer's (util/csv.c), not here. */
	g = cell(EXPORT_K_PLAIN, "\"=1+2\"", -1);
	assert_string_equal(g.text, "=1+2");
	g = cell(EXPORT_K_PLAIN, "42", -1);
	assert_int_equal(g.type, EXPORT_INT);
	assert_int_equal(g.num, 42);
	assert_string_equal(g.text, "42");
	g = cell(EXPORT_K_PLAIN, "true", -1);
	assert_int_equal(g.type, EXPORT_BOOL);
	assert_int_equal(g.num, 1);
	assert_string_equal(g.text, "true");
}

static void
lists_are_joined_with_a_comma_and_a_space(void **state)
{
	struct got g = cell(EXPORT_K_PLAIN, "[\"a@example.com\", \"b@example.com\"]",
	    -1);

	(void)state;
	assert_int_equal(g.type, EXPORT_TEXT);
	assert_string_equal(g.text, "a@example.com, b@example.com");
	g = cell(EXPORT_K_PLAIN, "[3, 14]", -1);
	assert_string_equal(g.text, "3, 14");
	/* A checklist: each item as compact JSON. */
	g = cell(EXPORT_K_PLAIN, "[{\"text\": \"call\", \"done\": true}]", -1);
	assert_string_equal(g.text, "{\"text\":\"call\",\"done\":true}");
}

static void
money_is_written_in_major_units(void **state)
{
	struct got g = cell(EXPORT_K_MONEY, "125050", 2);

	(void)state;
	assert_int_equal(g.type, EXPORT_DECIMAL);
	assert_string_equal(g.text, "1250.50");
	g = cell(EXPORT_K_MONEY, "5", 2);
	assert_string_equal(g.text, "0.05");
	g = cell(EXPORT_K_MONEY, "0", 2);
	assert_string_equal(g.text, "0.00");
	g = cell(EXPORT_K_MONEY, "5000", 0);
	assert_string_equal(g.text, "5000");
	g = cell(EXPORT_K_MONEY, "1234567", 3);
	assert_string_equal(g.text, "1234.567");
	g = cell(EXPORT_K_MONEY, "1000000000000000", 2);
	assert_string_equal(g.text, "10000000000000.00");
	/* A custom money field carries its own currency. */
	g = cell(EXPORT_K_PLAIN, "{\"amount\": 990, \"currency\": \"EUR\"}", -1);
	assert_int_equal(g.type, EXPORT_TEXT);
	assert_string_equal(g.text, "9.90 EUR");
	g = cell(EXPORT_K_PLAIN, "{\"amount\": 990, \"currency\": \"JPY\"}", -1);
	assert_string_equal(g.text, "990 JPY");
	g = cell(EXPORT_K_PLAIN, "{\"amount\": 1500, \"currency\": \"KWD\"}", -1);
	assert_string_equal(g.text, "1.500 KWD");
}

static void
dates_and_times_keep_their_text_and_their_moment(void **state)
{
	struct got g = cell(EXPORT_K_DATE, "\"1980-02-29\"", -1);

	(void)state;
	assert_int_equal(g.type, EXPORT_DATE);
	assert_int_equal(g.num, 3711);	/* days since 1970-01-01 */
	assert_string_equal(g.text, "1980-02-29");
	g = cell(EXPORT_K_TIME, "\"2026-11-27T09:30:00.000Z\"", -1);
	assert_int_equal(g.type, EXPORT_TIME);
	assert_int_equal(g.num, 1795737600000LL + 9 * 3600000LL + 30 * 60000LL);
	assert_string_equal(g.text, "2026-11-27T09:30:00.000Z");
	/* Not a date after all: kept as text, not lost. */
	g = cell(EXPORT_K_DATE, "\"soon\"", -1);
	assert_int_equal(g.type, EXPORT_TEXT);
	assert_string_equal(g.text, "soon");
}

static void
a_cell_over_the_cap_fails_cleanly(void **state)
{
	json_t *v = json_string("0123456789");
	enum export_type type;
	int64_t num;
	struct buf b;

	(void)state;
	buf_init(&b, 4);
	assert_int_equal(export_cell(EXPORT_K_PLAIN, v, -1, &b, &type, &num), -1);
	buf_free(&b);
	json_decref(v);
}

static void
formats_are_named(void **state)
{
	(void)state;
	assert_int_equal(export_format_parse("csv"), EXPORT_CSV);
	assert_int_equal(export_format_parse("xlsx"), EXPORT_XLSX);
	assert_int_equal(export_format_parse("XLSX"), -1);
	assert_int_equal(export_format_parse(""), -1);
	assert_int_equal(export_format_parse(NULL), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(no_value_is_an_empty_cell),
		cmocka_unit_test(text_and_whole_numbers_stay_what_they_are),
		cmocka_unit_test(lists_are_joined_with_a_comma_and_a_space),
		cmocka_unit_test(money_is_written_in_major_units),
		cmocka_unit_test(dates_and_times_keep_their_text_and_their_moment),
		cmocka_unit_test(a_cell_over_the_cap_fails_cleanly),
		cmocka_unit_test(formats_are_named),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
