/*
 * core/report_pdf and core/chart_draw: a report's answer as a PDF, its
 * chart drawn for every kind the web has, its numbers read as the web
 * reads them. Each PDF is checked with poppler's pdftotext: it must open,
 * and its text must hold the title and the exact numbers.
 *
 * CRM_PDF_KEEP=DIR keeps each PDF there (kind.pdf) to look at.
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

#include "core/chart_draw.h"
#include "core/core.h"
#include "core/reports.h"
#include "util/buf.h"

/* Won deals by month: money in cents of the base currency. */
static const char answer_json[] =
    "{\"columns\": [{\"key\": \"closed_at:month\", \"label\": \"Closed at "
    "(month)\", \"type\": \"date\"}, {\"key\": \"count\", \"label\": "
    "\"Count\", \"type\": \"integer\"}, {\"key\": \"sum:amount_base\", "
    "\"label\": \"Sum of amount (base currency)\", \"type\": \"integer\"}], "
    "\"rows\": [[\"2026-01-01\", 3, 125000], [\"2026-02-01\", 5, 98000050], "
    "[\"2026-03-01\", 1, 4200]], \"totals\": [null, 9, 98127250], "
    "\"truncated\": false, \"chart\": \"bar\", \"row_count\": 3}";

static const struct report_pdf_meta meta = { .title = "Revenue by month",
    .params = "Period: 2026-01-01 to 2026-03-31 (closed_at)",
    .viewer = "Ann Admin", .run_ms = 1790000000000LL, .tz = "Europe/Berlin",
    .currency = "EUR", .digits = 2 };

/* The PDF's text by pdftotext (the caller frees), after checking it opens. */
static char *
pdf_text(const struct buf *pdf, const char *keep)
{
	char path[] = "/tmp/test-report-pdf-XXXXXX";
	char cmd[256];
	struct buf text;
	FILE *f, *p;
	char chunk[4096];
	size_t n;
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	f = fdopen(fd, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(pdf->data, 1, pdf->len, f), pdf->len);
	assert_int_equal(fclose(f), 0);
	assert_true(pdf->len > 5 && memcmp(pdf->data, "%PDF-", 5) == 0);
	snprintf(cmd, sizeof(cmd), "pdftotext -q %s -", path);
	p = popen(cmd, "r");
	assert_non_null(p);
	buf_init(&text, 1 << 22);
	while ((n = fread(chunk, 1, sizeof(chunk), p)) > 0)
		assert_int_equal(buf_append(&text, chunk, n), 0);
	assert_int_equal(pclose(p), 0);
	if (keep != NULL && getenv("CRM_PDF_KEEP") != NULL) {
		snprintf(cmd, sizeof(cmd), "cp %s %s/%s.pdf", path,
		    getenv("CRM_PDF_KEEP"), keep);
		assert_int_equal(system(cmd), 0);
	}
	unlink(path);
	return buf_steal(&text);
}

/* Each of the NULL-ended texts after t is found in t. */
static void
assert_has(const char *t, ...)
{
	const char *want;
	va_list ap;

	va_start(ap, t);
	while ((want = va_arg(ap, const char *)) != NULL) {
		if (strstr(t, want) == NULL)
			fail_msg("not in the PDF's text: %s", want);
	}
	va_end(ap);
}

/* An answer with its chart kind set (NULL: as it is), as a PDF's text. */
static char *
render(const char *json, const char *kind, const struct report_pdf_meta *m,
    const char *keep)
{
	json_t *a = json_loads(json, 0, NULL);
	struct buf pdf;
	char *text;

	assert_non_null(a);
	if (kind != NULL)
		json_object_set_new(a, "chart", json_string(kind));
	buf_init(&pdf, 64 * 1024 * 1024);
	assert_int_equal(report_pdf_write(a, m, &pdf), 0);
	text = pdf_text(&pdf, keep);
	buf_free(&pdf);
	json_decref(a);
	return text;
}

static void
every_chart_kind_makes_a_pdf_with_the_title_and_exact_numbers(void **state)
{
	static const char *const kinds[] = { "bar", "line", "area", "pie",
	    "funnel", "number", "heatmap", "table" };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		char *t = render(answer_json, kinds[i], &meta, kinds[i]);

		assert_has(t, "Revenue by month", "Period: 2026-01-01 to 2026-03-31",
		    "Ann Admin", NULL);
		/* 1790000000000 ms is 2026-09-21 14:13 UTC, 16:13 in Berlin. */
		assert_non_null(strstr(t, "2026-09-21 16:13 (Europe/Berlin)"));
		/* Money in major units with the currency; months named. */
		assert_has(t, "1,250.00 EUR", "980,000.50 EUR", "42.00 EUR",
		    "981,272.50 EUR", "Feb 2026", "Total", NULL);
		free(t);
	}
}

static void
cyrillic_and_japanese_labels_come_out_as_text(void **state)
{
	static const char json[] =
	    "{\"columns\": [{\"key\": \"owner.name\", \"label\": \"Менеджер\", "
	    "\"type\": \"text\"}, {\"key\": \"count\", \"label\": \"件数\", "
	    "\"type\": \"integer\"}], \"rows\": [[\"Анна Петрова\", 12], "
	    "[\"山田太郎\", 7]], \"totals\": [null, 19], \"truncated\": false, "
	    "\"chart\": \"pie\", \"row_count\": 2}";
	struct report_pdf_meta m = meta;
	char *t;

	(void)state;
	m.title = "Выручка · 売上";
	t = render(json, NULL, &m, "scripts");
	assert_has(t, "Выручка", "売上", "Анна Петрова", "山田太郎", "Менеджер",
	    "件数", "19", NULL);
	free(t);
}

static void
hostile_labels_are_drawn_as_plain_text(void **state)
{
	json_t *a = json_loads(answer_json, 0, NULL);
	json_t *rows = json_object_get(a, "rows");
	struct report_pdf_meta m = meta;
	struct buf pdf, longs;
	char *t, *dump;
	int i;

	(void)state;
	buf_init(&longs, 1 << 20);
	for (i = 0; i < 20000; i++)
		assert_int_equal(buf_puts(&longs, "x"), 0);
	json_array_append_new(rows, json_pack("[s, i, i]", "<b>bold</b> & "
	    "<span foreground='red'>", 1, 1));
	json_array_append_new(rows, json_pack("[s, i, i]", "tab\there\x01\x1f"
	    "bell\x07", 2, 2));
	json_array_append_new(rows, json_pack("[s, i, i]", longs.data, 3, 3));
	m.title = "<i>Not italic</i>";
	m.params = longs.data;
	dump = json_dumps(a, 0);
	t = render(dump, "bar", &m, "hostile");
	assert_has(t, "<i>Not italic</i>", "<b>bold</b> &", "bell", NULL);
	/* A 20,000-character label is cut, never drawn whole. */
	assert_null(strstr(t, longs.data + 19000));
	free(t);
	free(dump);
	buf_free(&longs);
	/* A cap too small for the document fails cleanly. */
	buf_init(&pdf, 1000);
	assert_int_equal(report_pdf_write(a, &meta, &pdf), -1);
	buf_free(&pdf);
	json_decref(a);
}

static void
a_heat_map_draws_two_group_levels_as_a_grid(void **state)
{
	static const char json[] =
	    "{\"columns\": [{\"key\": \"owner.name\", \"label\": \"Owner\", "
	    "\"type\": \"text\"}, {\"key\": \"created_at:quarter\", "
	    "\"label\": \"Created (quarter)\", \"type\": \"date\"}, {\"key\": "
	    "\"count\", \"label\": \"Count\", \"type\": \"integer\"}], "
	    "\"rows\": [[\"Ann\", \"2026-01-01\", 4], [\"Ann\", \"2026-04-01\", "
	    "1234], [\"Bob\", \"2026-01-01\", 2], [\"Bob\", \"2026-07-01\", 9]], "
	    "\"totals\": [null, null, 1249], \"truncated\": false, \"chart\": "
	    "\"heatmap\", \"row_count\": 4}";
	char *t;

	(void)state;
	t = render(json, NULL, &meta, "heatmap2");
	assert_has(t, "Q1 2026", "Q2 2026", "Q3 2026", "1,234", "1,249", NULL);
	assert_null(strstr(t, "needs two group levels"));
	free(t);
}

static void
a_long_table_runs_across_pages_and_is_cut_at_the_cap(void **state)
{
	json_t *a = json_loads(answer_json, 0, NULL);
	json_t *rows = json_array();
	char label[32], *t, *dump;
	int i, pages = 0;
	const char *p;

	(void)state;
	for (i = 0; i < REPORT_PDF_MAX_ROWS + 10; i++) {
		snprintf(label, sizeof(label), "row-%05d", i);
		json_array_append_new(rows, json_pack("[s, i, i]", label, i, i *
		    100));
	}
	json_object_set_new(a, "rows", rows);
	json_object_set_new(a, "chart", json_string("table"));
	dump = json_dumps(a, 0);
	t = render(dump, NULL, &meta, "long");
	assert_has(t, "row-00000", "row-04999", NULL);
	assert_null(strstr(t, "row-05000"));
	assert_non_null(strstr(t, "The table is cut at 5000 of 5010 rows"));
	/* The header is repeated on every page (form feeds split them). */
	for (p = t; (p = strchr(p, '\f')) != NULL; p++)
		pages++;
	assert_true(pages > 50);
	for (i = 0, p = t; (p = strstr(p, "Closed at (month)")) != NULL; p++)
		i++;
	assert_true(i >= pages - 1);
	free(t);
	free(dump);
	json_decref(a);
}

static void
cells_read_as_in_the_web(void **state)
{
	struct chart_fmt f = { .currency = "JPY", .digits = 0, .max_chars = 20 };
	json_t *money = json_pack("{s:s, s:s}", "key", "avg:amount_base", "type",
	    "number");
	json_t *pct = json_pack("{s:s, s:s}", "key", "no_phone_pct", "type",
	    "number");
	json_t *q = json_pack("{s:s, s:s}", "key", "closed_at:quarter", "type",
	    "date");
	json_t *txt = json_pack("{s:s, s:s}", "key", "name", "type", "text");
	json_t *v;
	char out[CHART_TEXT_MAX];

	(void)state;
	v = json_real(1234567.5);
	chart_cell_text(money, v, &f, out);
	assert_string_equal(out, "1,234,568 JPY");
	json_decref(v);
	v = json_real(12.5);
	chart_cell_text(pct, v, &f, out);
	assert_string_equal(out, "12.5 %");
	json_decref(v);
	v = json_string("2026-04-01");
	chart_cell_text(q, v, &f, out);
	assert_string_equal(out, "Q2 2026");
	json_decref(v);
	chart_cell_text(txt, NULL, &f, out);
	assert_string_equal(out, "\xe2\x80\x94");
	v = json_string("abcdefghijklmnopqrstuvwxyz");
	chart_cell_text(txt, v, &f, out);
	assert_string_equal(out, "abcdefghijklmnopqrst\xe2\x80\xa6");
	json_decref(v);
	json_decref(money);
	json_decref(pct);
	json_decref(q);
	json_decref(txt);
}

/* The library's report key as its id in db. */
static int64_t
library_id(db_t *db, const char *key)
{
	db_stmt_t *st;
	int64_t id;

	assert_int_equal(db_prepare(db, "SELECT id FROM reports WHERE builtin = "
	    "?", &st), DB_OK);
	db_bind_text(st, 1, key, strlen(key));
	assert_int_equal(db_step(st), DB_ROW);
	id = db_col_int(st, 0);
	db_done(st);
	return id;
}

static void
render_gives_each_format_in_memory_under_the_export_right(void **state)
{
	static const enum export_format fmts[] = { EXPORT_CSV, EXPORT_XLSX,
	    EXPORT_PDF };
	static const char *const magic[] = { "\xef\xbb\xbf", "PK", "%PDF-" };
	struct report_params p = { .tz = "Europe/Berlin" };
	struct actor sys = { 0 }, reader = { 0 };
	struct core_ctx cx;
	char err[256], name[REPORT_FILENAME_MAX], want[64];
	struct buf out;
	db_t *db;
	db_stmt_t *st;
	int64_t id;
	size_t i;

	(void)state;
	assert_int_equal(core_open_db(":memory:", &db, err, sizeof(err)), CRM_OK);
	id = library_id(db, "revenue_by_source");
	buf_init(&out, REPORT_RENDER_MAX);
	for (i = 0; i < 3; i++) {
		core_ctx_init(&cx, db, &sys);
		assert_int_equal(report_render(&cx, id, &p, fmts[i], NULL, &out,
		    name), CRM_OK);
		assert_true(out.len > strlen(magic[i]));
		assert_memory_equal(out.data, magic[i], strlen(magic[i]));
		snprintf(want, sizeof(want), "report-%lld-", (long long)id);
		assert_memory_equal(name, want, strlen(want));
		assert_string_equal(name + strlen(want) + 10,
		    i == 0 ? ".csv" : i == 1 ? ".xlsx" : ".pdf");
	}
	/* Each is an export in the audit log, with its format. */
	assert_int_equal(db_prepare(db, "SELECT count(*) FROM audit_log WHERE "
	    "action = 'report.export' AND record_id = ?", &st), DB_OK);
	db_bind_int(st, 1, id);
	assert_int_equal(db_step(st), DB_ROW);
	assert_int_equal(db_col_int(st, 0), 3);
	db_done(st);
	/* A role that reads everything but exports nothing gets no file. */
	assert_int_equal(db_exec(db, "INSERT INTO roles (name, perms, fields, "
	    "created_at, updated_at) VALUES ('Reader', "
	    "'{\"*\":{\"read\":\"all\"}}', '{}', 0, 0); INSERT INTO users "
	    "(email, name, password_hash, is_admin, active, created_at, "
	    "updated_at, role_id) VALUES ('r@example.com', 'R', 'x', 0, 1, 0, 0, "
	    "(SELECT id FROM roles WHERE name = 'Reader'))"), DB_OK);
	assert_int_equal(db_prepare(db, "SELECT id FROM users WHERE email = "
	    "'r@example.com'", &st), DB_OK);
	assert_int_equal(db_step(st), DB_ROW);
	reader.user_id = db_col_int(st, 0);
	db_done(st);
	core_ctx_init(&cx, db, &reader);
	assert_int_equal(report_render(&cx, id, &p, EXPORT_PDF, NULL, &out,
	    name), CRM_EFORBIDDEN);
	assert_int_equal(out.len, 0);
	buf_free(&out);
	db_close(db);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_chart_kind_makes_a_pdf_with_the_title_and_exact_numbers),
		cmocka_unit_test(cyrillic_and_japanese_labels_come_out_as_text),
		cmocka_unit_test(hostile_labels_are_drawn_as_plain_text),
		cmocka_unit_test(a_heat_map_draws_two_group_levels_as_a_grid),
		cmocka_unit_test(a_long_table_runs_across_pages_and_is_cut_at_the_cap),
		cmocka_unit_test(cells_read_as_in_the_web),
		cmocka_unit_test(render_gives_each_format_in_memory_under_the_export_right),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
