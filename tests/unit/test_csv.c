/* util/csv: cells that spreadsheets read back exactly and never run. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "util/buf.h"
#include "util/csv.h"

/* The cell for s, in a fresh buffer (freed by the caller). */
static char *
cell(const char *s)
{
	struct buf b;

	buf_init(&b, 1024);
	assert_int_equal(csv_cell(&b, s), 0);
	return buf_steal(&b);
}

#define EXPECT(in, out) do {			\
	char *got_ = cell(in);			\
	assert_string_equal(got_, out);		\
	free(got_);				\
} while (0)

static void
plain_text_is_written_as_is(void **state)
{
	(void)state;
	EXPECT("record.update", "record.update");
	EXPECT("Müller Иван 山田", "Müller Иван 山田");
	EXPECT("", "");
	EXPECT(NULL, "");
}

static void
commas_quotes_and_line_breaks_are_quoted(void **state)
{
	(void)state;
	EXPECT("Acme, Inc", "\"Acme, Inc\"");
	EXPECT("say \"hi\"", "\"say \"\"hi\"\"\"");
	EXPECT("\"", "\"\"\"\"");
	EXPECT("line one\nline two", "\"line one\nline two\"");
	EXPECT("a\r\nb", "\"a\r\nb\"");
	EXPECT("{\"a\":\"b,c\"}", "\"{\"\"a\"\":\"\"b,c\"\"}\"");
}

static void
formulas_are_defused(void **state)
{
	(void)state;
	EXPECT("=1+2", "'=1+2");
	EXPECT("+7 495", "'+7 495");
	EXPECT("-2", "'-2");
	EXPECT("@SUM(A1)", "'@SUM(A1)");
	EXPECT("\tx", "'\tx");
	EXPECT("=HYPERLINK(\"http://x\",\"y\")",
	    "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"");
	/* Only the first character counts. */
	EXPECT("a=b", "a=b");
}

static void
a_full_buffer_fails_cleanly(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 8);
	assert_int_equal(csv_cell(&b, "short"), 0);
	assert_int_equal(csv_cell(&b, "much too long"), -1);
	assert_true(b.len <= 8);
	buf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(plain_text_is_written_as_is),
		cmocka_unit_test(commas_quotes_and_line_breaks_are_quoted),
		cmocka_unit_test(formulas_are_defused),
		cmocka_unit_test(a_full_buffer_fails_cleanly),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
