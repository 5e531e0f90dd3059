/*
 * A report's chart drawn as vectors on a cairo context, for the PDF
 * (core/report_pdf.c): the kinds the web draws (web/src/reports/charts)
 * and read the same way: the measure drawn is the answer's last number
 * column (integer or number), each row is a point named by its label
 * columns (the columns that are no measure, without an id beside a name)
 * joined with " · ". bar, line, area, pie, funnel, number and heatmap
 * (the first two label columns as rows and columns of a grid); "table"
 * draws nothing. Without label columns every kind is one number, as in
 * the web.
 *
 * Pure: it reads the answer (borrowed), draws on cr (borrowed) with
 * layout (borrowed, its font set by the caller) for text, and keeps
 * nothing. Text is always set as plain text, never as pango markup, so a
 * label "<b>" is drawn as those three characters.
 *
 * The cells read as in the web (web/src/reports/cells.ts): money columns
 * (keys ending "amount" / "amount_base", or "weighted") in major units of
 * the base currency; shares ("_pct") with " %"; numbers grouped by
 * thousands; dates as months, quarters or years when bucketed so.
 */
#ifndef CORE_CHART_DRAW_H
#define CORE_CHART_DRAW_H

#include <cairo.h>
#include <jansson.h>
#include <pango/pangocairo.h>
#include <stdbool.h>
#include <stddef.h>

#define CHART_MAX_POINTS 60	/* points a chart draws; the table has all */
#define CHART_MAX_GRID 24	/* rows and columns of a heat map */
#define CHART_TEXT_MAX 1200	/* bytes of one formatted cell, NUL included */

struct chart_fmt {
	const char	*currency;	/* the base currency's code, or NULL */
	int		 digits;	/* its minor-unit digits */
	int		 max_chars;	/* characters of a cell's text kept */
};

/*
 * The text of value v (borrowed; NULL or null: "—") of column col
 * (borrowed {key, label, type}) into out (CHART_TEXT_MAX bytes): at most
 * f->max_chars characters (cut with "…"), control characters as spaces.
 */
void chart_cell_text(json_t *col, json_t *v, const struct chart_fmt *f,
    char out[CHART_TEXT_MAX]);

/*
 * Cuts s (of cap bytes, UTF-8) in place after max characters, with "…"
 * after them; control characters become spaces, and an incomplete last
 * sequence is dropped.
 */
void chart_tidy(char *s, size_t cap, int max);

/* Column col's label, "" when it has none (borrowed from col). */
const char *chart_label(json_t *col);

/* Whether column col is a measure (integer or number) or is right-aligned. */
bool chart_is_measure(json_t *col);

/* The column a chart draws (the last measure), or -1 when there is none. */
int chart_measure(json_t *answer);

/* Sets layout's font: the charts' family (DejaVu Sans, IPAGothic) at size. */
void chart_font(PangoLayout *layout, double size, bool bold);
/*
 * Draws s as plain text at (x, y), its top left, aligned in w points
 * (w <= 0: unbounded), ellipsized when wider; in cr's current colour.
 */
void chart_text(cairo_t *cr, PangoLayout *layout, const char *s, double x,
    double y, double w, PangoAlignment align);

/*
 * Draws answer's chart (its "chart" kind) in the box at (x, y) of w by h
 * points. The height it took: 0 when the kind draws nothing (table, no
 * measure, no rows).
 */
double chart_draw(cairo_t *cr, PangoLayout *layout, json_t *answer,
    const struct chart_fmt *f, double x, double y, double w, double h);

#endif
