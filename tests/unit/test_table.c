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
#include <zip.h>

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

/* Reads path with default options; expects the rows want. */
static void
expect_rows(const char *path, const char *want)
{
	char err[ERRLEN], *rows;

	if (readf(path, NULL, NULL, &rows, err) != 0)
		fail_msg("%s", err);
	assert_string_equal(rows, want);
	free(rows);
}

/* ... expects failure with a message starting with msg. */
static void
expect_error(const char *path, const char *msg)
{
	char err[ERRLEN], *rows;

	assert_int_equal(readf(path, NULL, NULL, &rows, err), -1);
	if (strncmp(err, msg, strlen(msg)) != 0)
		fail_msg("got \"%s\", want \"%s...\"", err, msg);
	free(rows);
}

/* A CSV of the bytes of a string literal. */
#define CSV_OK(bytes, want) \
	expect_rows(put("t.csv", bytes, sizeof(bytes) - 1), want)
#define CSV_FAILS(bytes, msg) \
	expect_error(put("t.csv", bytes, sizeof(bytes) - 1), msg)

/* Counts rows and keeps the last one's first and third cells. */
struct tally {
	size_t	rows;
	size_t	last;
	char	first[64];
	char	third[64];
};

static int
count_row(void *arg, size_t rowno, const struct table_cell *cells, size_t n)
{
	struct tally *t = arg;

	t->rows++;
	t->last = rowno;
	snprintf(t->first, sizeof(t->first), "%s", n > 0 ? cells[0].s : "");
	snprintf(t->third, sizeof(t->third), "%s", n > 2 ? cells[2].s : "");
	return 0;
}

/*
 * A million rows (the issue's own example of a big file) stream through in
 * memory for one row: every row reported, numbered, the last one intact.
 */
static void
csv_a_million_rows_stream_through(void **state)
{
	char path[512], err[ERRLEN];
	struct tally t;
	FILE *fp;

	(void)state;
	snprintf(path, sizeof(path), "%s/million.csv", tmpdir);
	fp = fopen(path, "wb");
	assert_non_null(fp);
	fputs("name;email;phone;city\r\n", fp);
	for (int i = 1; i <= 1000000; i++)
		fprintf(fp, "\"Person %d\";p%d@example.com;+49 30 %07d;\"Berlin; Mitte\"\r\n",
		    i, i, i);
	assert_int_equal(fclose(fp), 0);
	memset(&t, 0, sizeof(t));
	if (table_read(path, NULL, NULL, count_row, &t, err, ERRLEN) != 0)
		fail_msg("%s", err);
	assert_int_equal(t.rows, 1000001);
	assert_int_equal(t.last, 1000001);
	assert_string_equal(t.first, "Person 1000000");
	assert_string_equal(t.third, "+49 30 1000000");
	assert_int_equal(unlink(path), 0);
}

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
	/* Line breaks and delimiters inside quotes do not count. */
	CSV_OK("\"a;\nb\",c\n\"d;e\",f\n", "1:a;\nb|c\n2:d;e|f\n");
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
	/* A BOM beats the caller's choice. */
	p = put("bom.csv", "\xef\xbb\xbfЖ\n", 6);
	assert_int_equal(readf(p, &(struct table_opts){ .encoding = "WINDOWS-1251" },
	    &info, &rows, err), 0);
	assert_string_equal(rows, "1:Ж\n");
	assert_string_equal(info.encoding, "UTF-8");
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

	/* Past U+10FFFF, a surrogate, an overlong: after a BOM, still UTF-8. */
	CSV_FAILS("\xef\xbb\xbf" "a,b\n\xf5\x82\xb0\x82\n",
	    "row 2: bytes that are not valid UTF-8 text");
	CSV_FAILS("\xef\xbb\xbf" "a,b\nc,\xed\xa0\x80\n",
	    "row 2: bytes that are not valid UTF-8 text");
	CSV_FAILS("\xef\xbb\xbf" "a,\xc0\xaf\n",
	    "row 1: bytes that are not valid UTF-8 text");

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

/* ---- XLSX: tiny workbooks written here with libzip ---- */

struct part {
	const char	*name;
	const char	*data;
	size_t		 len;	/* 0: strlen(data) */
};

/* A zip named name holding the parts (copied; data may be freed after). */
static const char *
zipf(const char *name, const struct part *parts, size_t n)
{
	static char path[512];
	zip_source_t *src;
	zip_t *z;
	size_t i;
	int ze;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	z = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &ze);
	assert_non_null(z);
	for (i = 0; i < n; i++) {
		size_t len = parts[i].len != 0 ? parts[i].len :
		    strlen(parts[i].data);
		void *copy = len > 0 ? malloc(len) : NULL;

		if (len > 0) {
			assert_non_null(copy);
			memcpy(copy, parts[i].data, len);
		}
		src = zip_source_buffer(z, copy, len, len > 0);
		assert_non_null(src);
		assert_true(zip_file_add(z, parts[i].name, src, 0) >= 0);
	}
	assert_int_equal(zip_close(z), 0);
	return path;
}

#define NS "xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" " \
	"xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\""
#define RELTYPE "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"

static const char wb_xml[] = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<workbook " NS "><workbookPr/><sheets>"
    "<sheet name=\"Contacts\" sheetId=\"1\" r:id=\"rId1\"/>"
    "<sheet name=\"Deals &amp; more\" sheetId=\"2\" r:id=\"rId2\"/>"
    "</sheets></workbook>";
static const char wb1904_xml[] = "<workbook " NS "><workbookPr date1904=\"1\"/>"
    "<sheets><sheet name=\"S\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>";
/* The first sheet's target is relative to xl/, the second's absolute. */
static const char rels_xml[] = "<Relationships xmlns=\"http://schemas."
    "openxmlformats.org/package/2006/relationships\">"
    "<Relationship Id=\"rId1\" Type=\"" RELTYPE "worksheet\" Target=\"worksheets/sheet1.xml\"/>"
    "<Relationship Id=\"rId2\" Type=\"" RELTYPE "worksheet\" Target=\"/xl/worksheets/sheet2.xml\"/>"
    "<Relationship Id=\"rId3\" Type=\"" RELTYPE "sharedStrings\" Target=\"sharedStrings.xml\"/>"
    "<Relationship Id=\"rId4\" Type=\"" RELTYPE "styles\" Target=\"styles.xml\"/>"
    "</Relationships>";
/* Rich text runs are joined; the phonetic reading (rPh) is not text. */
static const char sst_xml[] = "<sst " NS " count=\"4\" uniqueCount=\"4\">"
    "<si><t>Name</t></si>"
    "<si><r><rPr><b/></rPr><t>Ив</t></r><r><t xml:space=\"preserve\">ан </t></r></si>"
    "<si><t>山田</t><rPh sb=\"0\" eb=\"2\"><t>ヤマダ</t></rPh></si>"
    "<si><t/></si></sst>";
/*
 * cellXfs by index: 0 general, 1 date (14), 2 dd/mm/yyyy, 3 date-time,
 * 4 percent (9), 5 0.0%, 6 a number with "d" only in quotes, 7 [Red]
 * 0.00, 8 built-in date-time (22), 9 [h]:mm elapsed, 10 mmm-yy.
 */
static const char styles_xml[] = "<styleSheet " NS "><numFmts count=\"6\">"
    "<numFmt numFmtId=\"164\" formatCode=\"dd/mm/yyyy\"/>"
    "<numFmt numFmtId=\"165\" formatCode=\"yyyy\\-mm\\-dd\\ hh:mm\"/>"
    "<numFmt numFmtId=\"166\" formatCode=\"0.0%\"/>"
    "<numFmt numFmtId=\"167\" formatCode=\"&quot;day &quot;0\"/>"
    "<numFmt numFmtId=\"168\" formatCode=\"[Red]0.00\"/>"
    "<numFmt numFmtId=\"169\" formatCode=\"[h]:mm\"/>"
    "<numFmt numFmtId=\"170\" formatCode=\"mmm\\-yy\"/>"
    "</numFmts><cellStyleXfs count=\"1\"><xf numFmtId=\"14\"/></cellStyleXfs>"
    "<cellXfs count=\"11\"><xf numFmtId=\"0\"/><xf numFmtId=\"14\"/>"
    "<xf numFmtId=\"164\"/><xf numFmtId=\"165\"/><xf numFmtId=\"9\"/>"
    "<xf numFmtId=\"166\"/><xf numFmtId=\"167\"/><xf numFmtId=\"168\"/>"
    "<xf numFmtId=\"22\"/><xf numFmtId=\"169\"/><xf numFmtId=\"170\"/>"
    "</cellXfs></styleSheet>";

#define SHEET(rows) "<?xml version=\"1.0\"?>\n<worksheet " NS ">\n<sheetData>" \
	rows "</sheetData></worksheet>"

/* A workbook of the parts above with sheet1 (and sheet2) as given. */
static const char *
book(const char *sheet1, const char *sheet2)
{
	const struct part parts[] = {
		{ "[Content_Types].xml", "<Types/>", 0 },
		{ "xl/workbook.xml", wb_xml, 0 },
		{ "xl/_rels/workbook.xml.rels", rels_xml, 0 },
		{ "xl/sharedStrings.xml", sst_xml, 0 },
		{ "xl/styles.xml", styles_xml, 0 },
		{ "xl/worksheets/sheet1.xml", sheet1, 0 },
		{ "xl/worksheets/sheet2.xml", sheet2 != NULL ? sheet2 : SHEET(""), 0 },
	};

	return zipf("t.xlsx", parts, sizeof(parts) / sizeof(parts[0]));
}

/* A workbook whose first sheet has the rows given (or is the XML given). */
#define XLSX_OK(rows, want) expect_rows(book(SHEET(rows), NULL), want)
#define XLSX_FAILS(sheet, msg) expect_error(book(sheet, NULL), msg)

static void
xlsx_strings_shared_inline_and_rich(void **state)
{
	(void)state;
	XLSX_OK("<row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c><c r=\"B1\" t=\"s\"><v>1</v></c>"
	    "<c r=\"C1\" t=\"s\"><v>2</v></c><c r=\"D1\" t=\"s\"><v>3</v></c></row>"
	    "<row r=\"2\"><c r=\"A2\" t=\"inlineStr\"><is><t>inline &amp; &lt;ok&gt;</t></is></c>"
	    "<c r=\"B2\" t=\"inlineStr\"><is><r><t>a</t></r><r><t>b</t></r></is></c></row>",
	    "1:Name|Иван |山田\n2:inline & <ok>|ab\n");
	/* OOXML's escapes for what XML cannot carry: Excel's line breaks. */
	XLSX_OK("<row r=\"1\"><c t=\"inlineStr\"><is><t>one_x000D_\ntwo</t></is></c>"
	    "<c t=\"inlineStr\"><is><t>a_x005F_x0041_b _x0041_ _x0000_ _xD800_ _x12_ _x00e9_</t></is></c>"
	    "<c t=\"str\"><f>A1</f><v>_x0009_</v></c></row>",
	    "1:one\r\ntwo|a_x0041_b A _x0000_ _xD800_ _x12_ é|=\t\n");
}

static void
xlsx_numbers_are_shortest_round_trip_decimals(void **state)
{
	(void)state;
	XLSX_OK("<row r=\"1\"><c r=\"A1\"><v>79161234567</v></c><c r=\"B1\"><v>0.15</v></c>"
	    "<c r=\"C1\"><v>7.9161234567E10</v></c><c r=\"D1\" t=\"n\"><v>-42</v></c>"
	    "<c r=\"E1\"><v>0.30000000000000004</v></c><c r=\"F1\"><v>1.5E+20</v></c>"
	    "<c r=\"G1\"><v>-0</v></c><c r=\"H1\" s=\"7\"><v>3.14159</v></c>"
	    "<c r=\"I1\" s=\"6\"><v>12</v></c></row>",
	    "1:n=79161234567|n=0.15|n=79161234567|n=-42|n=0.30000000000000004"
	    "|n=1.5e+20|n=0|n=3.14159|n=12\n");
	XLSX_FAILS(SHEET("<row r=\"1\"><c r=\"A1\"><v>12abc</v></c></row>"),
	    "xlsx: xl/worksheets/sheet1.xml line 3: cell A1: \"12abc\" is not a number");
	XLSX_FAILS(SHEET("<row r=\"1\"><c r=\"A1\"><v>inf</v></c></row>"),
	    "xlsx: xl/worksheets/sheet1.xml line 3: cell A1: \"inf\" is not a number");
}

static void
xlsx_booleans_errors_and_formulas(void **state)
{
	(void)state;
	XLSX_OK("<row r=\"1\"><c r=\"A1\" t=\"b\"><v>1</v></c><c r=\"B1\" t=\"b\"><v>0</v></c>"
	    "<c r=\"C1\" t=\"e\"><f>1/0</f><v>#DIV/0!</v></c>"
	    "<c r=\"D1\"><f>SUM(A2:A3)</f><v>30</v></c>"
	    "<c r=\"E1\" t=\"str\"><f>A3&amp;\"x\"</f><v>20x</v></c>"
	    "<c r=\"F1\" t=\"b\"><f>A2&gt;5</f><v>1</v></c>"
	    "<c r=\"G1\"><f>A2*2</f></c></row>",
	    "1:b=TRUE|b=FALSE|=e=#DIV/0!|=n=30|=20x|=b=TRUE\n");
	XLSX_FAILS(SHEET("<row r=\"3\"><c r=\"A3\" t=\"b\"><v>yes</v></c></row>"),
	    "xlsx: xl/worksheets/sheet1.xml line 3: cell A3: \"yes\" is not a boolean");
	XLSX_FAILS(SHEET("<row r=\"1\"><c r=\"A1\" t=\"zz\"><v>1</v></c></row>"),
	    "xlsx: xl/worksheets/sheet1.xml line 3: cell A1 has an unknown type \"zz\"");
}

static void
xlsx_date_serials_become_iso_dates(void **state)
{
	char err[ERRLEN], *rows;
	const char *p;

	(void)state;
	XLSX_OK("<row r=\"1\"><c r=\"A1\" s=\"1\"><v>45366</v></c>"
	    "<c r=\"B1\" s=\"2\"><v>1</v></c><c r=\"C1\" s=\"2\"><v>59</v></c>"
	    "<c r=\"D1\" s=\"2\"><v>61</v></c><c r=\"E1\" s=\"3\"><v>45366.75</v></c>"
	    "<c r=\"F1\" s=\"8\"><v>45366.5000001</v></c><c r=\"G1\" s=\"9\"><v>0.5</v></c>"
	    "<c r=\"H1\" s=\"10\"><v>45366</v></c><c r=\"I1\" s=\"1\"><v>45366.99</v></c>"
	    "<c r=\"J1\" s=\"2\"><v>2958465</v></c></row>"
	    /* Before 1900 or past 9999 no calendar shows it: it stays a number. */
	    "<row r=\"2\"><c r=\"A2\" s=\"1\"><v>-1</v></c><c r=\"B2\" s=\"1\"><v>2958466</v></c>"
	    "<c r=\"C2\" t=\"d\"><v>2024-03-15T00:00:00Z</v></c>"
	    "<c r=\"D2\" t=\"d\" s=\"3\"><v>2024-03-15</v></c>"
	    "<c r=\"E2\" t=\"d\"><v>2024-03-15T13:45:30.000</v></c></row>",
	    "1:d=2024-03-15|d=1900-01-01|d=1900-02-28|d=1900-03-01"
	    "|t=2024-03-15T18:00:00|t=2024-03-15T12:00:00|t=1899-12-31T12:00:00"
	    "|d=2024-03-15|d=2024-03-15|d=9999-12-31\n"
	    "2:n=-1|n=2958466|d=2024-03-15|t=2024-03-15T00:00:00|t=2024-03-15T13:45:30\n");
	XLSX_FAILS(SHEET("<row r=\"1\"><c r=\"A1\" t=\"d\"><v>15/03/2024</v></c></row>"),
	    "xlsx: xl/worksheets/sheet1.xml line 3: cell A1: \"15/03/2024\" is not an ISO date");

	/* The 1904 system: serial 0 is 1904-01-01. */
	{
		const struct part parts[] = {
			{ "xl/workbook.xml", wb1904_xml, 0 },
			{ "xl/_rels/workbook.xml.rels", rels_xml, 0 },
			{ "xl/styles.xml", styles_xml, 0 },
			{ "xl/worksheets/sheet1.xml", SHEET("<row><c s=\"1\"><v>0</v></c>"
			    "<c s=\"1\"><v>43904</v></c></row>"), 0 },
		};

		p = zipf("1904.xlsx", parts, 4);
		assert_int_equal(readf(p, NULL, NULL, &rows, err), 0);
		assert_string_equal(rows, "1:d=1904-01-01|d=2024-03-15\n");
		free(rows);
	}
}

static void
xlsx_percent_formats_give_the_fraction(void **state)
{
	(void)state;
	XLSX_OK("<row r=\"1\"><c r=\"A1\" s=\"4\"><v>0.15</v></c><c r=\"B1\" s=\"5\"><v>1.255</v></c>"
	    "<c r=\"C1\" s=\"4\"><v>1</v></c></row>",
	    "1:p=0.15|p=1.255|p=1\n");
}

static void
xlsx_cells_are_placed_by_reference(void **state)
{
	(void)state;
	/* Gaps between cells are empty cells; skipped rows are not reported;
	 * a cell or row without r follows the one before. */
	XLSX_OK("<row r=\"2\"><c r=\"C2\"><v>3</v></c><c><v>4</v></c></row>"
	    "<row><c r=\"A3\"><v>1</v></c><c r=\"E3\" s=\"0\"/></row>"
	    "<row r=\"7\"/>"
	    "<row r=\"9\"><c r=\"B9\" t=\"s\"><v>3</v></c></row>",
	    "2:||n=3|n=4\n3:n=1\n7:\n9:\n");
	XLSX_FAILS(SHEET("<row r=\"1\"><c r=\"AMK1\"><v>1</v></c></row>"),
	    "xlsx: xl/worksheets/sheet1.xml line 3: cell \"AMK1\" is beyond the last column read (1024)");
	XLSX_FAILS(SHEET("<row r=\"1\"><c r=\"1A\"><v>1</v></c></row>"),
	    "xlsx: xl/worksheets/sheet1.xml line 3: cell \"1A\" is not a cell reference like B7");
	XLSX_FAILS(SHEET("<row r=\"5000001\"><c><v>1</v></c></row>"),
	    "xlsx: xl/worksheets/sheet1.xml line 3: row 5000001 is beyond the last row read (5000000)");
	XLSX_FAILS(SHEET("<row r=\"3\"/><row r=\"2\"/>"),
	    "xlsx: xl/worksheets/sheet1.xml line 3: row 2 comes after row 3");
	XLSX_FAILS(SHEET("<row r=\"1\"><c r=\"A1\" t=\"s\"><v>4</v></c></row>"),
	    "xlsx: xl/worksheets/sheet1.xml line 3: cell A1 refers to shared string \"4\"; the workbook has 4");
}

static void
xlsx_merged_cells_repeat_their_top_left_value(void **state)
{
	(void)state;
	/* A header merged over B1:C1, a label merged down A2:A3, and a
	 * block B3:C4 whose top-left is empty. */
	XLSX_OK("<row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c><c r=\"B1\" t=\"inlineStr\"><is><t>Phone</t></is></c>"
	    "<c r=\"C1\"/><c r=\"D1\" t=\"inlineStr\"><is><t>Email</t></is></c></row>"
	    "<row r=\"2\"><c r=\"A2\" s=\"1\"><v>45366</v></c><c r=\"B2\"><v>1</v></c><c r=\"C2\"><v>2</v></c></row>"
	    "<row r=\"3\"><c r=\"A3\"/><c r=\"D3\"><v>9</v></c></row>"
	    "</sheetData><mergeCells count=\"3\"><mergeCell ref=\"B1:C1\"/>"
	    "<mergeCell ref=\"A2:A3\"/><mergeCell ref=\"B3:C4\"/></mergeCells><sheetData>",
	    "1:Name|Phone|Phone|Email\n2:d=2024-03-15|n=1|n=2\n3:d=2024-03-15|||n=9\n");
	/* Text that reads like a tag merges nothing; prefixes and single
	 * quotes are still tags. */
	XLSX_OK("<row r=\"1\"><c t=\"inlineStr\"><is><t>x mergeCell ref=\"A1:C1\" &lt;mergeCell ref=\"A1:C1\"/&gt;</t></is></c></row>",
	    "1:x mergeCell ref=\"A1:C1\" <mergeCell ref=\"A1:C1\"/>\n");
	expect_rows(book("<x:worksheet xmlns:x=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">"
	    "<x:sheetData><x:row r=\"2\"><x:c r=\"B2\"><x:v>5</x:v></x:c></x:row></x:sheetData>"
	    "<x:mergeCells><x:mergeCell\n ref = 'B2:C2' /></x:mergeCells></x:worksheet>", NULL),
	    "2:|n=5|n=5\n");
	XLSX_FAILS(SHEET("</sheetData><mergeCells><mergeCell ref=\"C1:A1\"/></mergeCells><sheetData>"),
	    "xlsx: xl/worksheets/sheet1.xml: merged range C1:A1 ends before it starts");
}

/* A <mergeCell> tag cut anywhere by the end of a 64 KiB chunk is found. */
static void
xlsx_merged_cells_across_chunks(void **state)
{
	static const char head[] = "<worksheet><sheetData><row r=\"1\"><c r=\"A1\" "
	    "t=\"inlineStr\"><is><t>Name</t></is></c></row></sheetData>";
	static const char tag[] = "<mergeCells><mergeCell ref=\"A1:B1\"/>"
	    "</mergeCells></worksheet>";
	struct buf b;
	size_t at;

	(void)state;
	for (at = 65536 - 40; at <= 65536 + 2; at++) {
		buf_init(&b, 1 << 20);
		assert_int_equal(buf_puts(&b, head), 0);
		while (b.len < at - 12)		/* "<mergeCells>" */
			assert_int_equal(buf_putc(&b, ' '), 0);
		assert_int_equal(buf_puts(&b, tag), 0);
		expect_rows(book(b.data, NULL), "1:Name|Name\n");
		buf_free(&b);
	}
}

static void
xlsx_limits_refuse_the_workbook(void **state)
{
	struct buf b;
	char *big;
	int i;

	(void)state;
	/* A cell of TABLE_MAX_CELL bytes is read, one more is not. */
	big = malloc(TABLE_MAX_CELL + 2);
	assert_non_null(big);
	memset(big, 'y', TABLE_MAX_CELL + 1);
	big[TABLE_MAX_CELL + 1] = '\0';
	buf_init(&b, 1 << 20);
	assert_int_equal(buf_printf(&b, SHEET("<row r=\"1\"><c t=\"inlineStr\"><is><t>%s</t></is></c></row>"),
	    big + 1), 0);
	{
		char err[ERRLEN], *rows;

		assert_int_equal(readf(book(b.data, NULL), NULL, NULL, &rows, err), 0);
		assert_int_equal(strlen(rows), 2 + TABLE_MAX_CELL + 1);
		free(rows);
	}
	buf_reset(&b);
	assert_int_equal(buf_printf(&b, SHEET("<row r=\"1\"><c t=\"inlineStr\"><is><t>%s</t></is></c></row>"),
	    big), 0);
	expect_error(book(b.data, NULL), "xlsx: xl/worksheets/sheet1.xml line 3: "
	    "a value is longer than 32767 bytes");
	free(big);

	/* 65 sheets. */
	buf_reset(&b);
	assert_int_equal(buf_puts(&b, "<workbook " NS "><sheets>"), 0);
	for (i = 1; i <= TABLE_MAX_SHEETS + 1; i++)
		assert_int_equal(buf_printf(&b, "<sheet name=\"S%d\" sheetId=\"%d\" "
		    "r:id=\"rId%d\"/>", i, i, i), 0);
	assert_int_equal(buf_puts(&b, "</sheets></workbook>"), 0);
	{
		const struct part parts[] = {
			{ "xl/workbook.xml", b.data, 0 },
			{ "xl/_rels/workbook.xml.rels", rels_xml, 0 },
		};

		expect_error(zipf("many.xlsx", parts, 2),
		    "xlsx: xl/workbook.xml line 1: more than 64 sheets");
	}
	buf_free(&b);
}

static void
xlsx_sheets_are_chosen_by_name(void **state)
{
	char err[ERRLEN], *rows;
	struct table_info info;
	const char *p;

	(void)state;
	p = book(SHEET("<row r=\"1\"><c t=\"inlineStr\"><is><t>first</t></is></c></row>"),
	    SHEET("<row r=\"4\"><c t=\"inlineStr\"><is><t>second</t></is></c></row>"));
	assert_int_equal(readf(p, NULL, &info, &rows, err), 0);
	assert_string_equal(rows, "1:first\n");
	assert_int_equal(info.format, TABLE_XLSX);
	assert_int_equal(info.nsheets, 2);
	assert_string_equal(info.sheets[0], "Contacts");
	assert_string_equal(info.sheets[1], "Deals & more");
	assert_string_equal(info.sheet, "Contacts");
	assert_int_equal(info.rows, 1);
	free(rows);
	assert_int_equal(readf(p, &(struct table_opts){ .sheet = "deals & MORE" },
	    &info, &rows, err), 0);
	assert_string_equal(rows, "4:second\n");
	assert_string_equal(info.sheet, "Deals & more");
	free(rows);
	assert_int_equal(readf(p, &(struct table_opts){ .sheet = "Nope" },
	    &info, &rows, err), -1);
	assert_string_equal(err, "xlsx: the workbook has no sheet named \"Nope\"");
	assert_int_equal(info.nsheets, 2);
	free(rows);
}

static void
xlsx_malformed_xml_names_the_part_and_line(void **state)
{
	(void)state;
	XLSX_FAILS(SHEET("<row r=\"1\"><c r=\"A1\"><v>1</c></row>"),
	    "xlsx: xl/worksheets/sheet1.xml line 3: mismatched tag");
	XLSX_FAILS("", "xlsx: xl/worksheets/sheet1.xml line 1: no element found");
}

static void
xlsx_doctypes_and_entities_are_refused(void **state)
{
	(void)state;
	XLSX_FAILS("<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n"
	    "<!ENTITY lol \"lol\">\n"
	    "<!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n"
	    "<!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">\n"
	    "<!ENTITY lol9 \"&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;\">\n"
	    "]>\n<worksheet><sheetData><row><c t=\"inlineStr\"><is><t>&lol9;</t></is></c></row></sheetData></worksheet>",
	    "xlsx: xl/worksheets/sheet1.xml line 2: a DOCTYPE (document type "
	    "declarations and entities are not allowed in a workbook)");
	XLSX_FAILS("<!DOCTYPE x SYSTEM \"file:///etc/passwd\"><worksheet/>",
	    "xlsx: xl/worksheets/sheet1.xml line 1: a DOCTYPE");
}

static void
xlsx_zip_bombs_are_refused(void **state)
{
	char err[ERRLEN], *rows;
	const char *p;
	size_t n = 50u << 20;
	char *big;

	(void)state;
	big = malloc(n);
	assert_non_null(big);
	memset(big, ' ', n);
	memcpy(big, "<worksheet><sheetData>", 22);
	{
		const struct part parts[] = {
			{ "xl/workbook.xml", wb_xml, 0 },
			{ "xl/_rels/workbook.xml.rels", rels_xml, 0 },
			{ "xl/worksheets/sheet1.xml", big, n },
		};

		p = zipf("bomb.xlsx", parts, 3);
	}
	free(big);
	assert_int_equal(readf(p, NULL, NULL, &rows, err), -1);
	assert_non_null(strstr(err, "xlsx: xl/worksheets/sheet1.xml inflates to more than"));
	assert_non_null(strstr(err, "looks like a zip bomb"));
	free(rows);
}

static void
xlsx_a_zip_that_is_not_a_workbook_is_refused(void **state)
{
	const struct part parts[] = {
		{ "word/document.xml", "<w:document/>", 0 },
	};
	const struct part nosheet[] = {
		{ "xl/workbook.xml", wb_xml, 0 },
		{ "xl/_rels/workbook.xml.rels", "<Relationships/>", 0 },
	};
	char err[ERRLEN], *rows;
	enum table_format f;
	const char *p;

	(void)state;
	p = zipf("doc.xlsx", parts, 1);
	assert_int_equal(table_sniff(p, &f, err, sizeof(err)), -1);
	assert_string_equal(err, "the file is a zip archive, not an XLSX workbook (it has no xl/workbook.xml)");
	assert_int_equal(readf(p, NULL, NULL, &rows, err), -1);
	assert_string_equal(err, "the file is a zip archive, not an XLSX workbook (it has no xl/workbook.xml)");
	free(rows);
	p = zipf("nosheet.xlsx", nosheet, 2);
	assert_int_equal(table_sniff(p, &f, err, sizeof(err)), 0);
	assert_int_equal(f, TABLE_XLSX);
	assert_int_equal(readf(p, NULL, NULL, &rows, err), -1);
	assert_string_equal(err, "xlsx: xl/_rels/workbook.xml.rels has no part for sheet \"Contacts\"");
	free(rows);
	/* A cut archive. */
	p = put("cut.xlsx", "PK\3\4\x14\0\0\0\x08\0", 10);
	assert_int_equal(readf(p, NULL, NULL, &rows, err), -1);
	assert_non_null(strstr(err, "the file is a damaged zip archive"));
	free(rows);
}

static void
the_callback_stops_the_read(void **state)
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
	/* A fault after the stop does not turn it into a failure (found by
	 * fuzz_csv: the bad byte below is in the same chunk). */
	buf_reset(&g.b);
	p = put("stop2.csv", "a\nb\n\xff\n", 6);
	assert_int_equal(table_read(p, &(struct table_opts){ .encoding = "UTF-8" },
	    NULL, on_row, &g, err, ERRLEN), 7);
	assert_string_equal(g.b.data, "1:a\n2:b\n");
	/* The same in a workbook. */
	buf_reset(&g.b);
	p = book(SHEET("<row r=\"1\"><c><v>1</v></c></row><row r=\"2\"><c><v>2</v></c></row>"
	    "<row r=\"3\"><c t=\"b\"><v>x</v></c></row>"), NULL);
	assert_int_equal(table_read(p, NULL, NULL, on_row, &g, err, ERRLEN), 7);
	assert_string_equal(g.b.data, "1:n=1\n2:n=2\n");
	buf_free(&g.b);
}

/* ---- files written by LibreOffice (tests/fixtures/import/make.sh) ---- */

/* The unit tests run from the repository's root (make check does). */
#define FIXTURE(name) "tests/fixtures/import/" name

static void
fixture_xlsx_from_libreoffice(void **state)
{
	char err[ERRLEN], *rows;
	struct table_info info;

	(void)state;
	/* The merged "Name" header names both columns; the phone shown in
	 * scientific notation is its full number; dates are ISO; the
	 * formula column and the total row are cached results. */
	assert_int_equal(readf(FIXTURE("contacts.xlsx"), NULL, &info, &rows,
	    err), 0);
	assert_string_equal(rows,
	    "1:Name|Name|Company|Phone|Discount|Since|Active|Revenue|With VAT\n"
	    "2:Anna|Smith|Acme, \"Inc\"|n=79161234567|p=0.15|d=2024-03-15|b=TRUE|n=1200.5|=n=1440.6\n"
	    "3:Иван|Петров|ООО Ромашка|n=74951234567|p=0.075|d=2023-12-01|b=FALSE|n=980|=n=1176\n"
	    "4:山田|太郎||n=81312345678|p=0|d=1999-01-31|b=TRUE|n=0.1|=n=0.12\n"
	    "5:Total|||||||=n=2180.6|=n=2616.72\n");
	assert_int_equal(info.nsheets, 2);
	assert_string_equal(info.sheets[0], "Contacts");
	assert_string_equal(info.sheets[1], "Notes");
	assert_int_equal(info.rows, 5);
	free(rows);
	assert_int_equal(readf(FIXTURE("contacts.xlsx"),
	    &(struct table_opts){ .sheet = "Notes" }, &info, &rows, err), 0);
	assert_string_equal(rows, "1:Note|Count\n2:Imported from the old CRM|n=3\n");
	free(rows);
}

static void
fixture_csv_from_libreoffice(void **state)
{
	char err[ERRLEN], *rows;
	struct table_info info;

	(void)state;
	/* CSV holds what the sheet showed: the phone is cut to 7.92E+10. */
	assert_int_equal(readf(FIXTURE("contacts.csv"), NULL, &info, &rows,
	    err), 0);
	assert_string_equal(rows,
	    "1:Name||Company|Phone|Discount|Since|Active|Revenue|With VAT\n"
	    "2:Anna|Smith|Acme, \"Inc\"|7.92E+10|15.0%|15.03.2024|TRUE|1200.50|1440.60\n"
	    "3:Иван|Петров|ООО Ромашка|7.50E+10|7.5%|01.12.2023|FALSE|980.00|1176.00\n"
	    "4:山田|太郎||8.13E+10|0.0%|31.01.1999|TRUE|0.10|0.12\n"
	    "5:Total|||||||2180.60|2616.72\n");
	assert_string_equal(info.encoding, "UTF-8");
	assert_int_equal(info.delimiter, ',');
	free(rows);

	assert_int_equal(readf(FIXTURE("contacts-1251.csv"), NULL, &info,
	    &rows, err), 0);
	assert_string_equal(rows,
	    "1:Имя|Фамилия|Компания|Город\n"
	    "2:Иван|Петров|ООО «Ромашка»|Москва\n"
	    "3:Ольга|Сидорова|ИП Сидорова; опт|Санкт-Петербург\n"
	    "4:Пётр|Ёжиков||Тверь\n");
	assert_string_equal(info.encoding, "WINDOWS-1251");
	assert_int_equal(info.delimiter, ';');
	free(rows);

	assert_int_equal(readf(FIXTURE("contacts-sjis.csv"), NULL, &info,
	    &rows, err), 0);
	assert_string_equal(rows,
	    "1:名前|会社|都市\n"
	    "2:山田 太郎|株式会社テスト|東京\n"
	    "3:佐藤 花子|サンプル商事|大阪\n"
	    "4:鈴木 一郎||札幌\n");
	assert_string_equal(info.encoding, "SHIFT_JIS");
	assert_int_equal(info.delimiter, '\t');
	free(rows);

	assert_int_equal(readf(FIXTURE("empty.csv"), NULL, &info, &rows, err), 0);
	assert_string_equal(rows, "");
	assert_int_equal(info.rows, 0);
	free(rows);
}

static void
fixture_bad_files_are_refused(void **state)
{
	(void)state;
	expect_error(FIXTURE("not-a-csv.csv"),
	    "the file is a PDF document, not a CSV or XLSX table");
	expect_error(FIXTURE("malformed.xlsx"),
	    "xlsx: xl/worksheets/sheet1.xml line 2: mismatched tag");
	expect_error(FIXTURE("bomb.xlsx"),
	    "xlsx: xl/worksheets/sheet1.xml inflates to more than ");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(csv_records_are_numbered_as_a_spreadsheet_shows_them),
		cmocka_unit_test(csv_a_million_rows_stream_through),
		cmocka_unit_test(csv_empty_lines_are_rows_without_cells),
		cmocka_unit_test(csv_spaces_around_unquoted_cells_are_trimmed),
		cmocka_unit_test(csv_the_delimiter_is_detected),
		cmocka_unit_test(csv_byte_order_marks_decide_the_encoding_and_are_stripped),
		cmocka_unit_test(csv_legacy_encodings_are_detected),
		cmocka_unit_test(csv_invalid_text_is_an_error_naming_its_row),
		cmocka_unit_test(csv_quotes_out_of_place_are_errors),
		cmocka_unit_test(csv_limits_refuse_the_file),
		cmocka_unit_test(sniff_refuses_what_is_not_a_table),
		cmocka_unit_test(xlsx_strings_shared_inline_and_rich),
		cmocka_unit_test(xlsx_numbers_are_shortest_round_trip_decimals),
		cmocka_unit_test(xlsx_booleans_errors_and_formulas),
		cmocka_unit_test(xlsx_date_serials_become_iso_dates),
		cmocka_unit_test(xlsx_percent_formats_give_the_fraction),
		cmocka_unit_test(xlsx_cells_are_placed_by_reference),
		cmocka_unit_test(xlsx_merged_cells_repeat_their_top_left_value),
		cmocka_unit_test(xlsx_merged_cells_across_chunks),
		cmocka_unit_test(xlsx_limits_refuse_the_workbook),
		cmocka_unit_test(xlsx_sheets_are_chosen_by_name),
		cmocka_unit_test(xlsx_malformed_xml_names_the_part_and_line),
		cmocka_unit_test(xlsx_doctypes_and_entities_are_refused),
		cmocka_unit_test(xlsx_zip_bombs_are_refused),
		cmocka_unit_test(xlsx_a_zip_that_is_not_a_workbook_is_refused),
		cmocka_unit_test(the_callback_stops_the_read),
		cmocka_unit_test(fixture_xlsx_from_libreoffice),
		cmocka_unit_test(fixture_csv_from_libreoffice),
		cmocka_unit_test(fixture_bad_files_are_refused),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
