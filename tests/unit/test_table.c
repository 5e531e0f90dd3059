/*
 * util/table: the CSV and XLSX readers imports stand on. Every case writes
 * a small file to a temporary directory and reads it back; rows are
 * compared as text, "ROW:cell|cell", one line per row, where a cell of a
 * kind other than TC_TEXT is written "kind=value" (n= number, p= percent,
 * d= date, t= date-time, b= bool, e= error, empty cells as nothing) and a
 * formula result gets a leading '='.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "util/buf.h"
#include "util/table.h"

#define ERRLEN 256

struct got {
	struct buf	 b;
	size_t		 stop_at;	/* row to stop at (returning 7), or 0 */
};

static char tmpdir[] = "/tmp/crm-test-table.XXXXXX";

static int
setup(void **state)
{
	(void)state;
	return mkdtemp(tmpdir) == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	char cmd[256];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

/* A file named name in the temporary directory holding n bytes of p. */
static const char *
put(const char *name, const void *p, size_t n)
{
	static char path[512];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	fp = fopen(path, "wb");
	assert_non_null(fp);
	assert_int_equal(fwrite(p, 1, n, fp), n);
	assert_int_equal(fclose(fp), 0);
	return path;
}

static int
on_row(void *arg, size_t rowno, const struct table_cell *cells, size_t n)
{
	static const char kinds[] = " -npdtbe";	/* by enum table_cell_kind */
	struct got *g = arg;
	size_t i;

	assert_int_equal(buf_printf(&g->b, "%zu:", rowno), 0);
	for (i = 0; i < n; i++) {
		assert_int_equal(strlen(cells[i].s), cells[i].len);
		assert_true(cells[i].kind != TC_EMPTY || cells[i].len == 0);
		if (i > 0)
			assert_int_equal(buf_putc(&g->b, '|'), 0);
		if (cells[i].formula)
			assert_int_equal(buf_putc(&g->b, '='), 0);
		if (cells[i].kind > TC_TEXT)
			assert_int_equal(buf_printf(&g->b, "%c=",
			    kinds[cells[i].kind]), 0);
		assert_int_equal(buf_append(&g->b, cells[i].s, cells[i].len), 0);
	}
	assert_int_equal(buf_putc(&g->b, '\n'), 0);
	return g->stop_at == rowno ? 7 : 0;
}

/*
 * Reads path with o; returns table_read's value, the rows in *rows
 * (freed by the caller) and the message in err.
 */
static int
readf(const char *path, const struct table_opts *o, struct table_info *info,
    char **rows, char *err)
{
	struct got g;
	int rc;

	memset(&g, 0, sizeof(g));
	buf_init(&g.b, 64u << 20);
	err[0] = '\0';
	rc = table_read(path, o, info, on_row, &g, err, ERRLEN);
	*rows = buf_steal(&g.b);
	if (*rows == NULL)
		*rows = calloc(1, 1);
	return rc;
}

/* Reads a CSV of the given bytes with default options; expects success. */
#define CSV_OK(bytes, want) do {					\
	char err_[ERRLEN], *rows_;					\
	const char *p_ = put("t.csv", bytes, sizeof(bytes) - 1);	\
	assert_int_equal(readf(p_, NULL, NULL, &rows_, err_), 0);	\
	assert_string_equal(rows_, want);				\
	free(rows_);							\
} while (0)

/* ... expects failure with a message starting with msg. */
#define CSV_FAILS(bytes, msg) do {					\
	char err_[ERRLEN], *rows_;					\
	const char *p_ = put("t.csv", bytes, sizeof(bytes) - 1);	\
	assert_int_equal(readf(p_, NULL, NULL, &rows_, err_), -1);	\
	if (strncmp(err_, msg, strlen(msg)) != 0)			\
		fail_msg("got \"%s\", want \"%s...\"", err_, msg);	\
	free(rows_);							\
} while (0)

static void
csv_records_are_numbered_as_a_spreadsheet_shows_them(void **state)
{
	(void)state;
	CSV_OK("name,city\nAcme,Paris\n\"Line\none\",\"a, b\"\nlast,\"say \"\"hi\"\"\"",
	    "1:name|city\n2:Acme|Paris\n3:Line\none|a, b\n4:last|say \"hi\"\n");
	/* CRLF, CR only, and the last line without its line break. */
	CSV_OK("a,b\r\nc,d\r\n", "1:a|b\n2:c|d\n");
	CSV_OK("a,b\rc,d", "1:a|b\n2:c|d\n");
}

static void
csv_empty_lines_are_rows_without_cells(void **state)
{
	(void)state;
	CSV_OK("a,b\n\nc,d\n", "1:a|b\n2:\n3:c|d\n");
	CSV_OK("a,b\r\n\r\nc,d\r\n", "1:a|b\n2:\n3:c|d\n");
	/* Trailing empty cells are dropped; inner ones stay. */
	CSV_OK("a,,c,,\n,,\n,x\n", "1:a||c\n2:\n3:|x\n");
	CSV_OK("", "");
}

static void
csv_spaces_around_unquoted_cells_are_trimmed(void **state)
{
	(void)state;
	CSV_OK("  a , \" b \" ,c\n", "1:a| b |c\n");
}

static void
csv_the_delimiter_is_detected(void **state)
{
	char err[ERRLEN], *rows;
	struct table_info info;
	const char *p;

	(void)state;
	CSV_OK("name;city\n\"Acme, Inc\";Paris\nB;Lyon\n",
	    "1:name|city\n2:Acme, Inc|Paris\n3:B|Lyon\n");
	CSV_OK("a\tb\tc\n1\t2\t3\n", "1:a|b|c\n2:1|2|3\n");
	CSV_OK("a|b\n1|2\n", "1:a|b\n2:1|2\n");
	/* Commas inside the cells of a ';' file do not fool it. */
	CSV_OK("name;note\nA;x, y, z\nB;u, v\nC;w\n",
	    "1:name|note\n2:A|x, y, z\n3:B|u, v\n4:C|w\n");
	/* One column. */
	CSV_OK("name\nAcme\n", "1:name\n2:Acme\n");

	p = put("d.csv", "a;b\n1;2\n", 8);
	assert_int_equal(readf(p, NULL, &info, &rows, err), 0);
	assert_int_equal(info.delimiter, ';');
	assert_string_equal(info.encoding, "UTF-8");
	assert_int_equal(info.format, TABLE_CSV);
	assert_int_equal(info.rows, 2);
	free(rows);
	/* The caller's choice wins. */
	assert_int_equal(readf(p, &(struct table_opts){ .delimiter = ',' },
	    &info, &rows, err), 0);
	assert_string_equal(rows, "1:a;b\n2:1;2\n");
	free(rows);
}

static void
csv_byte_order_marks_decide_the_encoding_and_are_stripped(void **state)
{
	char err[ERRLEN], *rows;
	struct table_info info;
	const char *p;

	(void)state;
	CSV_OK("\xef\xbb\xbfname,city\nИван,Москва\n",
	    "1:name|city\n2:Иван|Москва\n");
	p = put("le.csv", "\xff\xfe" "a\0,\0\x16\x04\n\0", 10);
	assert_int_equal(readf(p, NULL, &info, &rows, err), 0);
	assert_string_equal(rows, "1:a|Ж\n");
	assert_string_equal(info.encoding, "UTF-16LE");
	free(rows);
	p = put("be.csv", "\xfe\xff\0a\0,\x04\x16\0\n", 10);
	assert_int_equal(readf(p, NULL, &info, &rows, err), 0);
	assert_string_equal(rows, "1:a|Ж\n");
	assert_string_equal(info.encoding, "UTF-16BE");
	free(rows);
	/* UTF-16 without a BOM: every other byte NUL. */
	p = put("nobom.csv", "a\0,\0b\0\n\0", 8);
	assert_int_equal(readf(p, NULL, &info, &rows, err), 0);
	assert_string_equal(rows, "1:a|b\n");
	assert_string_equal(info.encoding, "UTF-16LE");
	free(rows);
}

static void
csv_legacy_encodings_are_detected(void **state)
{
	/* "Имя;Город\nИван Петров;Москва\n" in WINDOWS-1251 */
	static const char cp1251[] = "\xc8\xec\xff;\xc3\xee\xf0\xee\xe4\n"
	    "\xc8\xe2\xe0\xed \xcf\xe5\xf2\xf0\xee\xe2;\xcc\xee\xf1\xea\xe2\xe0\n";
	/* "名前,都市\n山田太郎,東京\n" in SHIFT_JIS */
	static const char sjis[] = "\x96\xbc\x91\x4f,\x93\x73\x8e\x73\n"
	    "\x8e\x52\x93\x63\x91\xbe\x98\x59,\x93\x8c\x8b\x9e\n";
	char err[ERRLEN], *rows;
	struct table_info info;
	const char *p;

	(void)state;
	p = put("ru.csv", cp1251, sizeof(cp1251) - 1);
	assert_int_equal(readf(p, NULL, &info, &rows, err), 0);
	assert_string_equal(rows, "1:Имя|Город\n2:Иван Петров|Москва\n");
	assert_string_equal(info.encoding, "WINDOWS-1251");
	assert_int_equal(info.delimiter, ';');
	free(rows);
	p = put("ja.csv", sjis, sizeof(sjis) - 1);
	assert_int_equal(readf(p, NULL, &info, &rows, err), 0);
	assert_string_equal(rows, "1:名前|都市\n2:山田太郎|東京\n");
	assert_string_equal(info.encoding, "SHIFT_JIS");
	free(rows);
	/* The caller's choice wins over detection. */
	p = put("ru2.csv", "\xc0\xc1\n", 3);
	assert_int_equal(readf(p, &(struct table_opts){ .encoding = "KOI8-R" },
	    &info, &rows, err), 0);
	assert_string_equal(rows, "1:юа\n");
	free(rows);
	assert_int_equal(readf(p, &(struct table_opts){ .encoding = "NOPE-9" },
	    &info, &rows, err), -1);
	assert_string_equal(err, "unknown encoding \"NOPE-9\"");
	free(rows);
}

static void
csv_invalid_text_is_an_error_naming_its_row(void **state)
{
	char err[ERRLEN], *rows, *big;
	const char *p;
	size_t i, n;

	(void)state;
	p = put("bad.csv", "a,b\nc,d\ne,\xff\n", 11);
	assert_int_equal(readf(p, &(struct table_opts){ .encoding = "UTF-8" },
	    NULL, &rows, err), -1);
	assert_string_equal(rows, "1:a|b\n2:c|d\n");
	assert_string_equal(err, "row 3: bytes that are not valid UTF-8 text");
	free(rows);

	/* Past the first 64 KiB, where detection has already said UTF-8. */
	n = 100000;
	big = malloc(n);
	assert_non_null(big);
	for (i = 0; i < n; i += 10)
		memcpy(big + i, "abc,defgh\n", 10);
	big[80005] = '\xc3';
	p = put("bad2.csv", big, n);
	assert_int_equal(readf(p, NULL, NULL, &rows, err), -1);
	assert_string_equal(err, "row 8001: bytes that are not valid UTF-8 text");
	free(rows);

	/* A character cut by the end of a 64 KiB chunk is carried over. */
	for (i = 0; i < n; i += 10)
		memcpy(big + i, "abc,defgh\n", 10);
	memcpy(big + 65535, "\xc3\xa9", 2);	/* é across the boundary */
	p = put("cut.csv", big, n);
	assert_int_equal(readf(p, NULL, NULL, &rows, err), 0);
	assert_non_null(strstr(rows, "6554:abc|d\xc3\xa9gh\n"));
	free(rows);
	/* ... and one cut by the end of the file is an error. */
	p = put("end.csv", "a,b\nc,\xd0", 7);
	assert_int_equal(readf(p, &(struct table_opts){ .encoding = "UTF-8" },
	    NULL, &rows, err), -1);
	assert_string_equal(err, "row 2: the file ends inside a character "
	    "(not valid UTF-8 text)");
	free(rows);
	/* A NUL after the first 64 KiB (where it would be "binary"). */
	for (i = 0; i < n; i += 10)
		memcpy(big + i, "abc,defgh\n", 10);
	big[90001] = '\0';
	p = put("nul.csv", big, n);
	assert_int_equal(readf(p, NULL, NULL, &rows, err), -1);
	assert_string_equal(err, "row 9001: cell 1 holds a NUL byte");
	free(rows);
	free(big);
}

static void
csv_quotes_out_of_place_are_errors(void **state)
{
	(void)state;
	CSV_FAILS("a,b\nc,\"d\ne,f\n",
	    "row 2: a quoted cell is not closed before the end of the file");
	/* Quotes belong around a whole cell (RFC 4180). */
	CSV_FAILS("a,b\n5'11\",x\n", "row 2: cell 1 has a quote inside "
	    "it without being quoted, or text after its closing quote");
	CSV_FAILS("a,b\n\"x\"y,z\n", "row 2: cell 1 has a quote inside ");
}

static void
csv_limits_refuse_the_file(void **state)
{
	char err[ERRLEN], *rows, *big;
	const char *p;
	size_t n;

	(void)state;
	/* A cell of exactly TABLE_MAX_CELL bytes is read, one more is not. */
	n = TABLE_MAX_CELL + 8;
	big = malloc(n);
	assert_non_null(big);
	memcpy(big, "a,b\nx,", 6);
	memset(big + 6, 'y', TABLE_MAX_CELL);
	big[6 + TABLE_MAX_CELL] = '\n';
	p = put("max.csv", big, 7 + TABLE_MAX_CELL);
	assert_int_equal(readf(p, NULL, NULL, &rows, err), 0);
	assert_int_equal(strlen(rows), 6 + 4 + TABLE_MAX_CELL + 1);
	free(rows);
	big[6 + TABLE_MAX_CELL] = 'y';
	big[7 + TABLE_MAX_CELL] = '\n';
	p = put("over.csv", big, 8 + TABLE_MAX_CELL);
	assert_int_equal(readf(p, NULL, NULL, &rows, err), -1);
	assert_string_equal(err, "row 2: cell 2 is longer than 32767 bytes (a "
	    "quote left open?)");
	assert_string_equal(rows, "1:a|b\n");
	free(rows);
	free(big);

	/* TABLE_MAX_COLS cells, then one more. */
	n = 2 * (TABLE_MAX_COLS + 1);
	big = malloc(n);
	assert_non_null(big);
	memset(big, ',', n);
	for (size_t i = 0; i < n; i += 2)
		big[i] = 'x';
	big[n - 1] = '\n';
	p = put("cols.csv", big, n);
	assert_int_equal(readf(p, NULL, NULL, &rows, err), -1);
	assert_string_equal(err, "row 1: more than 1024 cells");
	free(rows);
	p = put("cols2.csv", big + 2, n - 2);
	assert_int_equal(readf(p, NULL, NULL, &rows, err), 0);
	free(rows);
	free(big);

	/* TABLE_MAX_ROWS rows, then one more (empty lines are rows). */
	n = TABLE_MAX_ROWS + 2;	/* "a" and its line break, then empty lines */
	big = malloc(n);
	assert_non_null(big);
	memset(big, '\n', n);
	big[0] = 'a';
	p = put("rows.csv", big, n);
	assert_int_equal(readf(p, NULL, NULL, &rows, err), -1);
	assert_string_equal(err, "row 5000001: more than 5000000 rows");
	free(rows);
	free(big);
}

static void
csv_the_callback_stops_the_read(void **state)
{
	char err[ERRLEN];
	struct got g;
	const char *p;

	(void)state;
	memset(&g, 0, sizeof(g));
	buf_init(&g.b, 1024);
	g.stop_at = 2;
	p = put("stop.csv", "a\nb\nc\n", 6);
	assert_int_equal(table_read(p, NULL, NULL, on_row, &g, err, ERRLEN), 7);
	assert_string_equal(g.b.data, "1:a\n2:b\n");
	buf_free(&g.b);
}

/* The file's content decides, never its name. */
static void
sniff_refuses_what_is_not_a_table(void **state)
{
	static const struct {
		const char	*bytes;
		size_t		 len;
		const char	*msg;
	} cases[] = {
		{ "%PDF-1.4\n%\xe2\xe3\n", 14, "the file is a PDF document, not a CSV or XLSX table" },
		{ "\x89PNG\r\n\x1a\n\0\0", 10, "the file is a PNG image, not a CSV or XLSX table" },
		{ "\xff\xd8\xff\xe0", 4, "the file is a JPEG image, not a CSV or XLSX table" },
		{ "GIF89a", 6, "the file is a GIF image, not a CSV or XLSX table" },
		{ "\x7f" "ELF\2\1\1", 7, "the file is a program (ELF executable), not a CSV or XLSX table" },
		{ "\x1f\x8b\x08\0", 4, "the file is a gzip-compressed file, not a CSV or XLSX table" },
		{ "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", 8, "the file is an old Excel .xls file (or a password-protected workbook): save it as .xlsx or CSV" },
		{ "PK\5\6\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 22, "the file is a zip archive, not an XLSX workbook" },
		{ "a,b\n\0\1\2\3c", 9, "the file is binary (it holds NUL bytes), not a CSV or XLSX table" },
	};
	enum table_format f;
	char err[ERRLEN], *rows;
	const char *p;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		p = put("x.csv", cases[i].bytes, cases[i].len);
		assert_int_equal(table_sniff(p, &f, err, sizeof(err)), -1);
		assert_string_equal(err, cases[i].msg);
		assert_int_equal(readf(p, NULL, NULL, &rows, err), -1);
		assert_string_equal(err, cases[i].msg);
		free(rows);
	}
	p = put("ok.xlsx", "a,b\n", 4);
	assert_int_equal(table_sniff(p, &f, err, sizeof(err)), 0);
	assert_int_equal(f, TABLE_CSV);
	assert_int_equal(table_sniff("/nonexistent/x.csv", &f, err, sizeof(err)), -1);
	assert_string_equal(err, "cannot open the file: No such file or directory");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(csv_records_are_numbered_as_a_spreadsheet_shows_them),
		cmocka_unit_test(csv_empty_lines_are_rows_without_cells),
		cmocka_unit_test(csv_spaces_around_unquoted_cells_are_trimmed),
		cmocka_unit_test(csv_the_delimiter_is_detected),
		cmocka_unit_test(csv_byte_order_marks_decide_the_encoding_and_are_stripped),
		cmocka_unit_test(csv_legacy_encodings_are_detected),
		cmocka_unit_test(csv_invalid_text_is_an_error_naming_its_row),
		cmocka_unit_test(csv_quotes_out_of_place_are_errors),
		cmocka_unit_test(csv_limits_refuse_the_file),
		cmocka_unit_test(csv_the_callback_stops_the_read),
		cmocka_unit_test(sniff_refuses_what_is_not_a_table),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
