/*
 * A report's answer as a PDF (core/reports.h, report_pdf_write).
 *
 * cairo's PDF surface writes the document into the caller's buffer as it
 * goes (a stream, capped by the buffer); pango lays the text out with
 * fontconfig's fonts: DejaVu Sans for Latin, Greek and Cyrillic,
 * IPAGothic for Japanese (the family list falls back character by
 * character). Every piece of text is set with pango_layout_set_text, never
 * as markup, after chart_tidy: a report's name, a label or a value is only
 * ever drawn, never interpreted.
 *
 * The first page carries the title, the run's parameters and filters, who
 * ran it and when, and the chart (core/chart_draw.c); the table follows
 * across as many pages as it takes, its header repeated at the top of
 * each, measures right-aligned, the totals last. A4, portrait up to six
 * columns, landscape beyond. At most REPORT_PDF_MAX_ROWS rows are drawn:
 * past that a note says the table is cut (the CSV and XLSX have them all).
 *
 * Fonts come from a font map of our own, freed with the document, so no
 * per-thread default map outlives a request.
 */
#include "core/reports.h"

#include <cairo-pdf.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/chart_draw.h"
#include "util/alloc.h"
#include "util/timeutil.h"
#include "util/tz.h"

#define A4_W 595.28
#define A4_H 841.89
#define MARGIN 36.0
#define FOOTER 18.0
#define ROW_H 13.0
#define CHART_H 230.0
#define PORTRAIT_COLS 6		/* more columns turn the page */
#define MEASURE_ROWS 200	/* rows measured for the columns' widths */
#define COL_MIN 28.0
#define COL_MAX 220.0
#define TOTAL_LABEL "Total"
#define MAX_COLS 40		/* a description has at most 30 */

struct doc {
	struct buf		*out;
	bool			 overflow;	/* out's cap was reached */
	cairo_surface_t		*surface;
	cairo_t			*cr;
	PangoFontMap		*fonts;
	PangoContext		*pango;
	PangoLayout		*layout;
	double			 w, h;		/* the page */
	double			 y;		/* where the next thing goes */
	int			 page;
	char			 title[CHART_TEXT_MAX];
	/* The table. */
	json_t			*cols;
	size_t			 ncols;
	double			*colw;
	bool			*right;
	struct chart_fmt	 fmt;
};

static cairo_status_t
write_out(void *closure, const unsigned char *data, unsigned int len)
{
	struct doc *d = closure;

	if (buf_append(d->out, data, len) != 0) {
		d->overflow = true;
		return CAIRO_STATUS_WRITE_ERROR;
	}
	return CAIRO_STATUS_SUCCESS;
}

static void
grey(struct doc *d, double g)
{
	cairo_set_source_rgb(d->cr, g, g, g);
}

/*
 * A paragraph of plain text at d->y across the page, wrapped, at most
 * lines lines (the last ellipsized); moves d->y past it.
 */
static void
para(struct doc *d, const char *s, double size, bool bold, int lines)
{
	int ph;

	chart_font(d->layout, size, bold);
	pango_layout_set_text(d->layout, s, -1);
	pango_layout_set_alignment(d->layout, PANGO_ALIGN_LEFT);
	pango_layout_set_width(d->layout, (int)((d->w - 2 * MARGIN) *
	    PANGO_SCALE));
	pango_layout_set_wrap(d->layout, PANGO_WRAP_WORD_CHAR);
	pango_layout_set_ellipsize(d->layout, PANGO_ELLIPSIZE_END);
	pango_layout_set_height(d->layout, -lines);
	cairo_move_to(d->cr, MARGIN, d->y);
	pango_cairo_update_layout(d->cr, d->layout);
	pango_cairo_show_layout(d->cr, d->layout);
	pango_layout_get_size(d->layout, NULL, &ph);
	/* Back to one line for the cells and the chart. */
	pango_layout_set_height(d->layout, -1);
	d->y += (double)ph / PANGO_SCALE + 3;
}

/* Ends the page (when one is open) and starts the next, its footer drawn. */
static void
next_page(struct doc *d)
{
	char foot[CHART_TEXT_MAX + 32];

	if (d->page > 0)
		cairo_show_page(d->cr);
	d->page++;
	d->y = MARGIN;
	snprintf(foot, sizeof(foot), "%s \xe2\x80\x94 %d", d->title, d->page);
	grey(d, 0.45);
	chart_font(d->layout, 7, false);
	chart_text(d->cr, d->layout, foot, MARGIN, d->h - MARGIN + 4, d->w - 2 *
	    MARGIN, PANGO_ALIGN_RIGHT);
}

/* The local time of ms in tz: "2026-11-27 09:30 (Europe/Berlin)". */
static void
local_time(int64_t ms, const char *tzname, char *out, size_t n)
{
	struct tz *z = NULL;
	int64_t local = ms, day, mins;
	int y, mo, dd;

	if (tz_load(tzname, &z) == 0) {
		local = ms + tz_offset_s(z, ms) * 1000;
		tz_free(z);
	} else
		tzname = NULL;
	day = local >= 0 ? local / 86400000 : (local - 86399999) / 86400000;
	mins = (local - day * 86400000) / 60000;
	time_civil_from_days(day, &y, &mo, &dd);
	snprintf(out, n, "%04d-%02d-%02d %02d:%02d (%s)", y, mo, dd,
	    (int)(mins / 60), (int)(mins % 60), tzname != NULL ? tzname : "UTC");
}

static void
header(struct doc *d, json_t *answer, const struct report_pdf_meta *m)
{
	char *s = xmalloc(CHART_TEXT_MAX * 4);
	char when[96], who[CHART_TEXT_MAX];
	size_t rows = json_array_size(json_object_get(answer, "rows"));

	grey(d, 0.1);
	para(d, d->title, 16, true, 2);
	d->y += 2;
	grey(d, 0.3);
	if (m->params != NULL && m->params[0] != '\0') {
		snprintf(s, CHART_TEXT_MAX * 4, "%s", m->params);
		chart_tidy(s, CHART_TEXT_MAX * 4, 1000);
		para(d, s, 8.5, false, 4);
	}
	local_time(m->run_ms, m->tz, when, sizeof(when));
	snprintf(who, sizeof(who), "%s", m->viewer != NULL ? m->viewer : "");
	chart_tidy(who, sizeof(who), REPORT_PDF_MAX_TEXT);
	snprintf(s, CHART_TEXT_MAX * 4, "Run %s by %s \xc2\xb7 %zu row%s%s",
	    when, who, rows, rows == 1 ? "" : "s",
	    json_is_true(json_object_get(answer, "truncated")) ? " (more "
	    "matched than the report's limit)" : "");
	para(d, s, 8.5, false, 2);
	free(s);
	d->y += 8;
}

static void
chart(struct doc *d, json_t *answer)
{
	int m = chart_measure(answer);
	const char *kind = json_string_value(json_object_get(answer, "chart"));
	char cap[CHART_TEXT_MAX];
	double used;

	if (m < 0 || kind == NULL || strcmp(kind, "table") == 0 ||
	    json_array_size(json_object_get(answer, "rows")) == 0)
		return;
	if (strcmp(kind, "number") != 0) {
		snprintf(cap, sizeof(cap), "%s", chart_label(json_array_get(
		    d->cols, (size_t)m)));
		chart_tidy(cap, sizeof(cap), REPORT_PDF_MAX_TEXT);
		grey(d, 0.3);
		para(d, cap, 9, true, 1);
		d->y += 4;
	}
	used = chart_draw(d->cr, d->layout, answer, &d->fmt, MARGIN, d->y,
	    d->w - 2 * MARGIN, d->w > A4_W ? CHART_H - 40 : CHART_H);
	d->y += used + 14;
}

/* The width of s in the layout's font, in points. */
static double
text_width(struct doc *d, const char *s)
{
	int pw;

	pango_layout_set_width(d->layout, -1);
	pango_layout_set_ellipsize(d->layout, PANGO_ELLIPSIZE_NONE);
	pango_layout_set_text(d->layout, s, -1);
	pango_layout_get_size(d->layout, &pw, NULL);
	return (double)pw / PANGO_SCALE;
}

/*
 * Each column as wide as its widest text among the header and the first
 * MEASURE_ROWS rows (within COL_MIN..COL_MAX), then all scaled to the
 * page's width.
 */
static void
widths(struct doc *d, json_t *rows)
{
	char cell[CHART_TEXT_MAX];
	double sum = 0, avail = d->w - 2 * MARGIN;
	json_t *row;
	size_t c, i;

	for (c = 0; c < d->ncols; c++) {
		json_t *col = json_array_get(d->cols, c);

		snprintf(cell, sizeof(cell), "%s", chart_label(col));
		chart_tidy(cell, sizeof(cell), REPORT_PDF_MAX_TEXT);
		chart_font(d->layout, 8, true);
		d->colw[c] = text_width(d, cell);
		d->right[c] = chart_is_measure(col);
		chart_font(d->layout, 8, false);
		json_array_foreach(rows, i, row) {
			if (i == MEASURE_ROWS)
				break;
			chart_cell_text(col, json_array_get(row, c), &d->fmt, cell);
			d->colw[c] = fmax(d->colw[c], text_width(d, cell));
		}
		d->colw[c] = fmin(COL_MAX, fmax(COL_MIN, d->colw[c] + 8));
		sum += d->colw[c];
	}
	for (c = 0; c < d->ncols; c++)
		d->colw[c] *= avail / sum;
}

/* One row of cells (texts[c]) at d->y; shaded or bold as asked. */
static void
row_out(struct doc *d, char (*texts)[CHART_TEXT_MAX], bool bold,
    double shade)
{
	double x = MARGIN;
	size_t c;

	if (shade < 1) {
		grey(d, shade);
		cairo_rectangle(d->cr, MARGIN, d->y, d->w - 2 * MARGIN, ROW_H);
		cairo_fill(d->cr);
	}
	grey(d, 0.1);
	chart_font(d->layout, 8, bold);
	for (c = 0; c < d->ncols; c++) {
		chart_text(d->cr, d->layout, texts[c], x + 3, d->y + 1.5,
		    d->colw[c] - 6, d->right[c] ? PANGO_ALIGN_RIGHT :
		    PANGO_ALIGN_LEFT);
		x += d->colw[c];
	}
	d->y += ROW_H;
}

static void
head_row(struct doc *d, char (*texts)[CHART_TEXT_MAX])
{
	size_t c;

	for (c = 0; c < d->ncols; c++) {
		snprintf(texts[c], CHART_TEXT_MAX, "%s", chart_label(
		    json_array_get(d->cols, c)));
		chart_tidy(texts[c], CHART_TEXT_MAX, REPORT_PDF_MAX_TEXT);
	}
	row_out(d, texts, true, 0.86);
}

/* Room for one more row on this page, else a new page with the header. */
static void
room(struct doc *d, char (*texts)[CHART_TEXT_MAX])
{
	if (d->y + ROW_H <= d->h - MARGIN - FOOTER)
		return;
	next_page(d);
	head_row(d, texts);
}

static void
table(struct doc *d, json_t *answer)
{
	json_t *rows = json_object_get(answer, "rows");
	json_t *totals = json_object_get(answer, "totals"), *row;
	size_t nrows = json_array_size(rows), i, c;
	char (*texts)[CHART_TEXT_MAX];
	char note[256];
	bool any = false;

	if (d->ncols == 0)
		return;
	texts = xcalloc(d->ncols, sizeof(*texts));
	widths(d, rows);
	if (d->y + 3 * ROW_H > d->h - MARGIN - FOOTER)
		next_page(d);
	head_row(d, texts);
	json_array_foreach(rows, i, row) {
		if (i == REPORT_PDF_MAX_ROWS)
			break;
		room(d, texts);
		for (c = 0; c < d->ncols; c++)
			chart_cell_text(json_array_get(d->cols, c), json_array_get(
			    row, c), &d->fmt, texts[c]);
		row_out(d, texts, false, i % 2 == 1 ? 0.96 : 1);
	}
	/* The totals, as the web's table ends: under the group columns, none. */
	for (c = 0; c < d->ncols && json_is_array(totals); c++)
		any = any || !json_is_null(json_array_get(totals, c));
	if (any) {
		room(d, texts);
		for (c = 0; c < d->ncols; c++) {
			json_t *v = json_array_get(totals, c);

			if (!json_is_null(v))
				chart_cell_text(json_array_get(d->cols, c), v, &d->fmt,
				    texts[c]);
			else
				snprintf(texts[c], CHART_TEXT_MAX, "%s", c == 0 ?
				    TOTAL_LABEL : "");
		}
		cairo_set_line_width(d->cr, 0.8);
		grey(d, 0.5);
		cairo_move_to(d->cr, MARGIN, d->y);
		cairo_line_to(d->cr, d->w - MARGIN, d->y);
		cairo_stroke(d->cr);
		row_out(d, texts, true, 1);
	}
	note[0] = '\0';
	if (nrows == 0)
		snprintf(note, sizeof(note), "No rows.");
	else if (nrows > REPORT_PDF_MAX_ROWS)
		snprintf(note, sizeof(note), "The table is cut at %d of %zu rows: "
		    "the CSV and XLSX exports hold them all.", REPORT_PDF_MAX_ROWS,
		    nrows);
	if (note[0] != '\0') {
		room(d, texts);
		d->y += 4;
		grey(d, 0.35);
		para(d, note, 8.5, false, 2);
	}
	free(texts);
}

int
report_pdf_write(json_t *answer, const struct report_pdf_meta *m,
    struct buf *out)
{
	struct doc d = { .out = out };
	cairo_status_t st;

	d.cols = json_object_get(answer, "columns");
	d.ncols = json_array_size(d.cols);
	if (d.ncols > MAX_COLS)
		d.ncols = MAX_COLS;
	d.w = d.ncols > PORTRAIT_COLS ? A4_H : A4_W;
	d.h = d.ncols > PORTRAIT_COLS ? A4_W : A4_H;
	d.fmt.currency = m->currency;
	d.fmt.digits = m->digits;
	d.fmt.max_chars = REPORT_PDF_MAX_TEXT;
	snprintf(d.title, sizeof(d.title), "%s", m->title != NULL ? m->title :
	    "");
	chart_tidy(d.title, sizeof(d.title), REPORT_PDF_MAX_TEXT);
	d.colw = xcalloc(d.ncols + 1, sizeof(*d.colw));
	d.right = xcalloc(d.ncols + 1, sizeof(*d.right));
	d.surface = cairo_pdf_surface_create_for_stream(write_out, &d, d.w, d.h);
	cairo_pdf_surface_set_metadata(d.surface, CAIRO_PDF_METADATA_TITLE,
	    d.title);
	cairo_pdf_surface_set_metadata(d.surface, CAIRO_PDF_METADATA_CREATOR,
	    "crm");
	d.cr = cairo_create(d.surface);
	d.fonts = pango_cairo_font_map_new();
	d.pango = pango_font_map_create_context(d.fonts);
	pango_cairo_update_context(d.cr, d.pango);
	d.layout = pango_layout_new(d.pango);
	next_page(&d);
	header(&d, answer, m);
	chart(&d, answer);
	table(&d, answer);
	cairo_show_page(d.cr);
	g_object_unref(d.layout);
	g_object_unref(d.pango);
	cairo_destroy(d.cr);
	cairo_surface_finish(d.surface);
	st = cairo_surface_status(d.surface);
	cairo_surface_destroy(d.surface);
	g_object_unref(d.fonts);
	free(d.colw);
	free(d.right);
	return st == CAIRO_STATUS_SUCCESS && !d.overflow ? 0 : -1;
}
