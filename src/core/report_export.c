/*
 * A report's answer as a CSV or XLSX file (core/reports.h, report_export).
 *
 * The run is report_export_run's: the base entity's export right and
 * scope on top of the read scope. A report has at most RD_MAX_LIMIT rows,
 * so the rows are rendered from the answer in memory; the file itself is
 * an unnamed temporary one, as the list exports' (core/export.c), whose
 * cell rules it shares through export_cell: a CSV starts with a BOM, ends
 * lines with CRLF and quotes per RFC 4180 with formula-like text
 * prefixed (util/csv.h); an XLSX has a bold header row, numbers, dates and
 * times as such, and text always as text. The audit entry is written once
 * the file is complete, before it is handed over. A PDF is drawn by
 * report_pdf.c from the same answer, with the report's name, its
 * parameters and filters (report_params_text), the viewer and the base
 * currency for money columns.
 */
#include "core/reports.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include "core/currency.h"
#include "util/buf.h"
#include "util/csv.h"
#include "util/log.h"
#include "util/timeutil.h"
#include "util/tz.h"

#define REPORT_FILE_MAX REPORT_RENDER_MAX	/* bytes of a CSV in memory */
#define XLSX_EPOCH_DAYS 25569			/* 1970-01-01, Excel's serial */

static int
file_fail(struct core_ctx *cx, const char *what)
{
	log_error("report export: %s: %s", what, strerror(errno));
	return core_fail(cx, CRM_EDB, "The export file could not be written");
}

static enum export_kind
kind_of(const char *type)
{
	if (strcmp(type, "date") == 0)
		return EXPORT_K_DATE;
	if (strcmp(type, "time") == 0)
		return EXPORT_K_TIME;
	return EXPORT_K_PLAIN;
}

static int
write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* b's bytes in an unnamed file in dir, read from its start: *fdp. */
static int
buf_to_file(struct core_ctx *cx, const struct buf *b, const char *dir,
    const char *what, int *fdp)
{
	int fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);

	*fdp = -1;
	if (fd < 0 || write_all(fd, b->data, b->len) != 0 ||
	    lseek(fd, 0, SEEK_SET) != 0) {
		int rc = file_fail(cx, what);

		if (fd >= 0)
			close(fd);
		return rc;
	}
	*fdp = fd;
	return CRM_OK;
}

static int
write_csv(struct core_ctx *cx, json_t *res, const char *dir, int *fdp)
{
	json_t *cols = json_object_get(res, "columns"), *row, *col;
	struct buf out, cell;
	enum export_type type;
	int64_t num;
	size_t i, c;
	int rc;
	bool ok;

	buf_init(&out, REPORT_FILE_MAX);
	buf_init(&cell, REPORT_FILE_MAX);
	ok = buf_puts(&out, "\xef\xbb\xbf") == 0;

	json_array_foreach(cols, c, col)
		ok = ok && (c == 0 || buf_putc(&out, ',') == 0) && csv_cell(&out,
		    json_string_value(json_object_get(col, "label"))) == 0;
	ok = ok && buf_puts(&out, "\r\n") == 0;
	json_array_foreach(json_object_get(res, "rows"), i, row) {
		json_array_foreach(cols, c, col) {
			ok = ok && export_cell(kind_of(json_string_value(
			    json_object_get(col, "type"))), json_array_get(row, c), -1,
			    &cell, &type, &num) == 0 && (c == 0 ||
			    buf_putc(&out, ',') == 0) && csv_cell(&out, cell.data ?
			    cell.data : "") == 0;
		}
		ok = ok && buf_puts(&out, "\r\n") == 0;
	}
	buf_free(&cell);
	if (!ok) {
		buf_free(&out);
		return core_fail(cx, CRM_EBADQUERY, "The export would be too "
		    "large: narrow the report");
	}
	rc = buf_to_file(cx, &out, dir, "csv", fdp);
	buf_free(&out);
	return rc;
}

static lxw_error
xlsx_value(lxw_worksheet *ws, lxw_row_t r, lxw_col_t c, const char *ctype,
    json_t *v, struct buf *cell, lxw_format *date, lxw_format *time)
{
	enum export_type type;
	int64_t num;

	if (export_cell(kind_of(ctype), v, -1, cell, &type, &num) != 0)
		return LXW_ERROR_MEMORY_MALLOC_FAILED;
	switch (type) {
	case EXPORT_EMPTY:
		return LXW_NO_ERROR;
	case EXPORT_INT:
		return worksheet_write_number(ws, r, c, (double)num, NULL);
	case EXPORT_DATE:
		return worksheet_write_number(ws, r, c, (double)(num +
		    XLSX_EPOCH_DAYS), date);
	case EXPORT_TIME:
		return worksheet_write_number(ws, r, c, (double)num / 86400000.0 +
		    XLSX_EPOCH_DAYS, time);
	default:
		if (json_is_real(v))
			return worksheet_write_number(ws, r, c, json_real_value(v),
			    NULL);
		/* Always a string cell: text starting with = is no formula. */
		return worksheet_write_string(ws, r, c, cell->data ? cell->data :
		    "", NULL);
	}
}

static int
write_xlsx(struct core_ctx *cx, json_t *res, const char *dir, int *fdp)
{
	lxw_workbook_options o = { .constant_memory = 1, .tmpdir = (char *)dir,
	    .use_zip64 = 1 };
	json_t *cols = json_object_get(res, "columns"), *row, *col;
	char path[4200];
	lxw_workbook *wb;
	lxw_worksheet *ws;
	lxw_format *bold, *date, *time;
	lxw_error e = LXW_NO_ERROR;
	struct buf cell;
	size_t i, c;
	int fd;

	*fdp = -1;
	if ((size_t)snprintf(path, sizeof(path), "%s/.report-XXXXXX.xlsx", dir) >=
	    sizeof(path))
		return core_fail(cx, CRM_EDB, "The export folder's name is too long");
	fd = mkostemps(path, 5, O_CLOEXEC);
	if (fd < 0)
		return file_fail(cx, "xlsx");
	close(fd);
	wb = workbook_new_opt(path, &o);
	ws = wb != NULL ? workbook_add_worksheet(wb, NULL) : NULL;
	if (ws == NULL) {
		if (wb != NULL)
			workbook_close(wb);
		unlink(path);
		return core_fail(cx, CRM_EDB, "The workbook could not be started");
	}
	bold = workbook_add_format(wb);
	format_set_bold(bold);
	date = workbook_add_format(wb);
	format_set_num_format(date, "yyyy-mm-dd");
	time = workbook_add_format(wb);
	format_set_num_format(time, "yyyy-mm-dd hh:mm:ss");
	worksheet_freeze_panes(ws, 1, 0);
	buf_init(&cell, REPORT_FILE_MAX);
	json_array_foreach(cols, c, col) {
		if (e == LXW_NO_ERROR)
			e = worksheet_write_string(ws, 0, (lxw_col_t)c,
			    json_string_value(json_object_get(col, "label")), bold);
		worksheet_set_column(ws, (lxw_col_t)c, (lxw_col_t)c, 18, NULL);
	}
	json_array_foreach(json_object_get(res, "rows"), i, row) {
		json_array_foreach(cols, c, col) {
			if (e == LXW_NO_ERROR)
				e = xlsx_value(ws, (lxw_row_t)(i + 1), (lxw_col_t)c,
				    json_string_value(json_object_get(col, "type")),
				    json_array_get(row, c), &cell, date, time);
		}
	}
	buf_free(&cell);
	if (workbook_close(wb) != LXW_NO_ERROR || e != LXW_NO_ERROR) {
		unlink(path);
		return core_fail(cx, CRM_EDB, "The workbook could not be written");
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	unlink(path);
	if (fd < 0)
		return file_fail(cx, "open workbook");
	*fdp = fd;
	return CRM_OK;
}

/*
 * The formats a report is written in: the one table that names them, for
 * the export's answer and a delivery's attachment alike, so both say the
 * same media type.
 */
static const struct {
	const char		*name;	/* also the file name extension */
	const char		*mime;
	enum export_format	 format;
} report_formats[] = {
	{ "csv", "text/csv; charset=utf-8", EXPORT_CSV },
	{ "xlsx", "application/vnd.openxmlformats-officedocument."
	    "spreadsheetml.sheet", EXPORT_XLSX },
	{ "pdf", "application/pdf", EXPORT_PDF },
};
#define NFORMATS (sizeof(report_formats) / sizeof(*report_formats))

int
report_format_parse(const char *s)
{
	for (size_t i = 0; s != NULL && i < NFORMATS; i++)
		if (strcmp(report_formats[i].name, s) == 0)
			return (int)report_formats[i].format;
	return -1;
}

const char *
report_format_ext(enum export_format format)
{
	for (size_t i = 0; i < NFORMATS; i++)
		if (report_formats[i].format == format)
			return report_formats[i].name;
	return report_formats[0].name;
}

const char *
report_format_mime(enum export_format format)
{
	for (size_t i = 0; i < NFORMATS; i++)
		if (report_formats[i].format == format)
			return report_formats[i].mime;
	return report_formats[0].mime;
}

int
report_filename(struct core_ctx *cx, const struct report_params *p,
    int64_t id, enum export_format format, char out[REPORT_FILENAME_MAX])
{
	struct tz *z = NULL;
	int64_t day;
	int y, mo, d;

	if (tz_load(p->tz, &z) != 0)
		return core_fail(cx, CRM_EBADQUERY, "tz: not a known time zone");
	day = tz_local_day(z, time_now_ms());
	tz_free(z);
	time_civil_from_days(day, &y, &mo, &d);
	if ((size_t)snprintf(out, REPORT_FILENAME_MAX, "report-%lld-%04d-%02d-"
	    "%02d.%s", (long long)id, y, mo, d, report_format_ext(format)) >=
	    REPORT_FILENAME_MAX)
		return core_fail(cx, CRM_EDB, "The file could not be named");
	return CRM_OK;
}

/* The PDF of an answer, in an unnamed file in dir. */
static int
write_pdf(struct core_ctx *cx, int64_t id, const struct report_params *p,
    json_t *res, const char *name, const char *dir, int *fdp)
{
	struct report_pdf_meta m = { .title = name, .viewer = cx->actor.name,
	    .run_ms = time_now_ms(), .tz = p->tz };
	char cur[4] = "";
	const struct currency *c;
	struct buf params, out;
	int rc;

	*fdp = -1;
	rc = currency_base_get(cx, cur);
	if (rc != CRM_OK)
		return rc;
	c = currency_find(cur);
	m.currency = cur;
	m.digits = c != NULL ? c->digits : 2;
	buf_init(&params, 4096);
	rc = report_params_text(cx, id, p, &params);
	if (rc != CRM_OK) {
		buf_free(&params);
		return rc;
	}
	m.params = params.data;
	buf_init(&out, REPORT_RENDER_MAX);
	if (report_pdf_write(res, &m, &out) != 0) {
		buf_free(&params);
		buf_free(&out);
		return core_fail(cx, CRM_EBADQUERY, "The PDF could not be drawn "
		    "(too large?): narrow the report");
	}
	buf_free(&params);
	rc = buf_to_file(cx, &out, dir, "pdf", fdp);
	buf_free(&out);
	return rc;
}

int
report_write_file(struct core_ctx *cx, int64_t id,
    const struct report_params *p, json_t *res, const char *name,
    enum export_format format, const char *dir, int *fd)
{
	*fd = -1;
	if (format == EXPORT_PDF)
		return write_pdf(cx, id, p, res, name, dir, fd);
	return format == EXPORT_XLSX ? write_xlsx(cx, res, dir, fd) :
	    write_csv(cx, res, dir, fd);
}

int
report_export(struct core_ctx *cx, int64_t id, const struct report_params *p,
    enum export_format format, const char *dir, struct export_result *out)
{
	const struct entity *base = NULL;
	char name[REPORT_NAME_MAX * 4 + 1] = "";
	json_t *res = NULL;
	struct stat sb;
	int rc, fd = -1;

	out->fd = -1;
	rc = report_export_run(cx, id, p, &res, name, sizeof(name), &base);
	if (rc == CRM_OK)
		rc = report_write_file(cx, id, p, res, name, format, dir, &fd);
	if (rc == CRM_OK && fstat(fd, &sb) != 0)
		rc = file_fail(cx, "stat");
	if (rc == CRM_OK) {
		out->rows = (int64_t)json_array_size(json_object_get(res, "rows"));
		out->size = (uint64_t)sb.st_size;
		rc = report_export_done(cx, id, report_format_ext(format),
		    out->rows);
	}
	json_decref(res);
	if (rc != CRM_OK) {
		if (fd >= 0)
			close(fd);
		return rc;
	}
	out->fd = fd;
	return CRM_OK;
}

int
report_render(struct core_ctx *cx, int64_t id, const struct report_params *p,
    enum export_format format, const char *dir, struct buf *out,
    char filename[REPORT_FILENAME_MAX])
{
	struct export_result res;
	char chunk[65536];
	int rc;

	buf_reset(out);
	filename[0] = '\0';
	rc = report_export(cx, id, p, format, dir != NULL ? dir : "/tmp", &res);
	if (rc != CRM_OK)
		return rc;
	for (;;) {
		ssize_t n = read(res.fd, chunk, sizeof(chunk));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = file_fail(cx, "read");
			break;
		}
		if (n == 0)
			break;
		if (buf_append(out, chunk, (size_t)n) != 0) {
			rc = core_fail(cx, CRM_EBADQUERY, "The file would be too "
			    "large: narrow the report");
			break;
		}
	}
	close(res.fd);
	if (rc == CRM_OK)
		rc = report_filename(cx, p, id, format, filename);
	if (rc != CRM_OK)
		buf_reset(out);
	return rc;
}
