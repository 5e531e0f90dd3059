/*
 * Report charts as vectors (core/chart_draw.h).
 *
 * Each kind follows its web twin (web/src/reports/charts): vertical bars
 * labelled under the axis with their values above; a line (or an area)
 * through evenly spaced points; a pie from twelve o'clock with a legend
 * naming each slice, its value and share; a funnel of centred bars; one
 * big number; a heat map whose cells darken with their value. Scales
 * start at zero and end at a round maximum (niceMax in the web); values
 * below zero are drawn as zero, their text stays true.
 *
 * A chart shows at most CHART_MAX_POINTS points (a heat map
 * CHART_MAX_GRID rows and columns): past that it says so under itself,
 * and the table under it holds every row.
 */
#include "core/chart_draw.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"

#define CHART_FONT "DejaVu Sans, IPAGothic"
#define LABELS_MAX 32		/* label columns of a row (30 columns at most) */

struct point {
	char	label[CHART_TEXT_MAX];
	char	text[CHART_TEXT_MAX];
	double	value;
};

struct rgb {
	double r, g, b;
};

/* The web's palette (charts/series.ts), its CSS variables resolved. */
static const struct rgb palette[] = {
	{ 0.184, 0.435, 0.859 }, { 0.180, 0.616, 0.357 },
	{ 0.851, 0.541, 0.110 }, { 0.839, 0.271, 0.271 },
	{ 0.478, 0.310, 0.839 }, { 0.110, 0.608, 0.690 },
	{ 0.541, 0.580, 0.651 }, { 0.761, 0.318, 0.608 },
};
#define NPALETTE (sizeof(palette) / sizeof(palette[0]))

/* ---- reading cells ---- */

const char *
chart_label(json_t *col)
{
	const char *s = json_string_value(json_object_get(col, "label"));

	return s != NULL ? s : "";
}

bool
chart_is_measure(json_t *col)
{
	const char *t = json_string_value(json_object_get(col, "type"));

	return t != NULL && (strcmp(t, "integer") == 0 ||
	    strcmp(t, "number") == 0);
}

static bool
ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* web/src/reports/cells.ts isMoney: /(^|[:.])amount(_base)?$|weighted/. */
static bool
is_money(const char *key)
{
	static const char *const ends[] = { "amount", "amount_base" };
	size_t i, n = strlen(key);

	if (strstr(key, "weighted") != NULL)
		return true;
	for (i = 0; i < 2; i++) {
		size_t m = strlen(ends[i]);

		if (ends_with(key, ends[i]) && (n == m || key[n - m - 1] == ':' ||
		    key[n - m - 1] == '.'))
			return true;
	}
	return false;
}

/* The digits of a whole number, grouped by thousands with ",". */
static void
group_digits(unsigned long long v, char *out, size_t n)
{
	char raw[32], *p = out;
	size_t len, i;

	snprintf(raw, sizeof(raw), "%llu", v);
	len = strlen(raw);
	for (i = 0; i < len && (size_t)(p - out) + 2 < n; i++) {
		if (i > 0 && (len - i) % 3 == 0)
			*p++ = ',';
		*p++ = raw[i];
	}
	*p = '\0';
}

/* An integer of minor units as major units: -125000, 2 -> "-1,250.00". */
static void
fmt_minor(long long v, int digits, char *out, size_t n)
{
	unsigned long long a = v < 0 ? 0ULL - (unsigned long long)v :
	    (unsigned long long)v, scale = 1;
	char whole[40];
	int i;

	for (i = 0; i < digits; i++)
		scale *= 10;
	group_digits(a / scale, whole, sizeof(whole));
	/* out holds 64 bytes, more than any int64_t takes with its separators. */
	if (digits == 0 ? (size_t)snprintf(out, n, "%s%s", v < 0 ? "-" : "",
	    whole) >= n : (size_t)snprintf(out, n, "%s%s.%0*llu", v < 0 ? "-" :
	    "", whole, digits, a % scale) >= n)
		out[0] = '\0';
}

/* A real number: at most 4 decimals, trailing zeros dropped, grouped. */
static void
fmt_real(double v, char *out, size_t n)
{
	char raw[64], whole[40], *dot;

	if (!isfinite(v) || fabs(v) >= 1e18) {
		snprintf(out, n, "%g", v);
		return;
	}
	snprintf(raw, sizeof(raw), "%.4f", fabs(v));
	dot = strchr(raw, '.');
	if (dot != NULL) {
		char *end = raw + strlen(raw) - 1;

		while (end > dot && *end == '0')
			*end-- = '\0';
		if (end == dot)
			*end = '\0';
	}
	group_digits(strtoull(raw, NULL, 10), whole, sizeof(whole));
	snprintf(out, n, "%s%s%s", v < 0 && strcmp(raw, "0") != 0 ? "-" : "",
	    whole, dot != NULL ? dot : "");
}

/* A date bucket by its first day, as the period it names (cells.ts). */
static void
fmt_date(const char *key, const char *v, char *out, size_t n)
{
	static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May",
	    "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	int y, m, d;

	if (strlen(v) != 10 || sscanf(v, "%4d-%2d-%2d", &y, &m, &d) != 3 ||
	    d != 1 || m < 1 || m > 12) {
		snprintf(out, n, "%s", v);
		return;
	}
	if (ends_with(key, ":month"))
		snprintf(out, n, "%s %d", months[m - 1], y);
	else if (ends_with(key, ":quarter"))
		snprintf(out, n, "Q%d %d", (m - 1) / 3 + 1, y);
	else if (ends_with(key, ":year"))
		snprintf(out, n, "%d", y);
	else
		snprintf(out, n, "%s", v);
}

/*
 * Nothing invisible reaches the page (control characters become spaces),
 * no run of text outgrows its cell (past max characters, "…"), and no
 * sequence a byte cap cut in two reaches pango, which would drop it.
 */
void
chart_tidy(char *s, size_t cap, int max)
{
	unsigned char *p = (unsigned char *)s;
	int chars = 0;

	while (*p != '\0') {
		size_t len = *p < 0x80 ? 1 : (*p & 0xe0) == 0xc0 ? 2 :
		    (*p & 0xf0) == 0xe0 ? 3 : 4;
		size_t k;

		if (chars == max) {
			if ((size_t)((char *)p - s) + 4 <= cap)
				memcpy(p, "\xe2\x80\xa6", 4);
			else
				*p = '\0';
			return;
		}
		/* A sequence a cut (snprintf's) left incomplete ends the text. */
		for (k = 1; k < len; k++) {
			if ((p[k] & 0xc0) != 0x80) {
				*p = '\0';
				return;
			}
		}
		if (*p < 0x20 || *p == 0x7f)
			*p = ' ';
		p += len;
		chars++;
	}
}

void
chart_cell_text(json_t *col, json_t *v, const struct chart_fmt *f,
    char out[CHART_TEXT_MAX])
{
	const char *key = json_string_value(json_object_get(col, "key"));
	const char *type = json_string_value(json_object_get(col, "type"));
	char num[64];

	if (key == NULL)
		key = "";
	out[0] = '\0';
	if (v == NULL || json_is_null(v)) {
		snprintf(out, CHART_TEXT_MAX, "\xe2\x80\x94");
	} else if (json_is_array(v)) {
		size_t i, len = 0;
		json_t *e;

		json_array_foreach(v, i, e) {
			const char *s = json_is_string(e) ? json_string_value(e) : "";
			int w;

			if (json_is_integer(e)) {
				snprintf(num, sizeof(num), "%lld",
				    (long long)json_integer_value(e));
				s = num;
			}
			w = snprintf(out + len, CHART_TEXT_MAX - len, "%s%s",
			    i > 0 ? ", " : "", s);
			if (w < 0 || (size_t)w >= CHART_TEXT_MAX - len)
				break;
			len += (size_t)w;
		}
	} else if (json_is_boolean(v)) {
		snprintf(out, CHART_TEXT_MAX, "%s", json_is_true(v) ?
		    "\xe2\x9c\x93" : "");
	} else if (json_is_number(v) && f->currency != NULL &&
	    f->currency[0] != '\0' && strcmp(key, "count") != 0 &&
	    is_money(key)) {
		/* The web rounds an average to a whole minor unit first. */
		fmt_minor(json_is_integer(v) ? (long long)json_integer_value(v) :
		    llround(json_real_value(v)), f->digits, num, sizeof(num));
		snprintf(out, CHART_TEXT_MAX, "%s %s", num, f->currency);
	} else if (json_is_integer(v) && type != NULL &&
	    strcmp(type, "id") == 0) {
		snprintf(out, CHART_TEXT_MAX, "%lld",
		    (long long)json_integer_value(v));
	} else if (json_is_number(v)) {
		if (json_is_integer(v))
			fmt_minor((long long)json_integer_value(v), 0, num,
			    sizeof(num));
		else
			fmt_real(json_real_value(v), num, sizeof(num));
		snprintf(out, CHART_TEXT_MAX, "%s%s", num, ends_with(key, "_pct") ?
		    " %" : "");
	} else if (json_is_string(v) && type != NULL &&
	    strcmp(type, "date") == 0) {
		fmt_date(key, json_string_value(v), out, CHART_TEXT_MAX);
	} else if (json_is_string(v) && type != NULL &&
	    strcmp(type, "time") == 0 && json_string_length(v) >= 16 &&
	    json_string_value(v)[10] == 'T') {
		/* RFC 3339 UTC to the minute: "2026-09-01 12:30 UTC". */
		snprintf(out, CHART_TEXT_MAX, "%.10s %.5s UTC",
		    json_string_value(v), json_string_value(v) + 11);
	} else if (json_is_string(v)) {
		snprintf(out, CHART_TEXT_MAX, "%s", json_string_value(v));
	}
	chart_tidy(out, CHART_TEXT_MAX, f->max_chars > 0 ? f->max_chars : 300);
}

int
chart_measure(json_t *answer)
{
	json_t *cols = json_object_get(answer, "columns");
	int i;

	for (i = (int)json_array_size(cols) - 1; i >= 0; i--) {
		if (chart_is_measure(json_array_get(cols, (size_t)i)))
			return i;
	}
	return -1;
}

/*
 * The columns that name a row (cells.ts labelColumns): those that are no
 * measure, without ids when there is a name. Up to max into cols; their
 * number.
 */
static int
label_columns(json_t *answer, int *cols, int max)
{
	json_t *all = json_object_get(answer, "columns"), *c;
	int n = 0, named = 0;
	size_t i;

	json_array_foreach(all, i, c) {
		const char *t = json_string_value(json_object_get(c, "type"));

		if (!chart_is_measure(c) && t != NULL && strcmp(t, "id") != 0)
			named++;
	}
	json_array_foreach(all, i, c) {
		const char *t = json_string_value(json_object_get(c, "type"));

		if (chart_is_measure(c) || (named > 0 && t != NULL &&
		    strcmp(t, "id") == 0))
			continue;
		if (n < max)
			cols[n++] = (int)i;
	}
	return n;
}

static double
num_of(json_t *v)
{
	return json_is_number(v) ? json_number_value(v) : 0;
}

/* The rows of answer as points of measure m: at most CHART_MAX_POINTS. */
static size_t
points_of(json_t *answer, int m, const struct chart_fmt *f,
    struct point *pts)
{
	json_t *cols = json_object_get(answer, "columns");
	json_t *rows = json_object_get(answer, "rows"), *row;
	int lc[LABELS_MAX], nl = label_columns(answer, lc, LABELS_MAX), k;
	size_t i, n = 0;

	json_array_foreach(rows, i, row) {
		size_t len = 0;

		if (n == CHART_MAX_POINTS)
			break;
		pts[n].label[0] = '\0';
		for (k = 0; k < nl; k++) {
			char cell[CHART_TEXT_MAX];
			int w;

			chart_cell_text(json_array_get(cols, (size_t)lc[k]),
			    json_array_get(row, (size_t)lc[k]), f, cell);
			w = snprintf(pts[n].label + len, CHART_TEXT_MAX - len,
			    "%s%s", k > 0 ? " \xc2\xb7 " : "", cell);
			if (w < 0 || (size_t)w >= CHART_TEXT_MAX - len)
				break;
			len += (size_t)w;
		}
		chart_cell_text(json_array_get(cols, (size_t)m),
		    json_array_get(row, (size_t)m), f, pts[n].text);
		pts[n].value = num_of(json_array_get(row, (size_t)m));
		n++;
	}
	return n;
}

/* A round upper bound for an axis (series.ts niceMax). */
static double
nice_max(double max)
{
	static const double steps[] = { 1, 2, 2.5, 5, 10 };
	double p;
	size_t i;

	if (max <= 0)
		return 1;
	p = pow(10, floor(log10(max)));
	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		if (steps[i] * p >= max)
			return steps[i] * p;
	}
	return 10 * p;
}

/* ---- drawing ---- */

void
chart_font(PangoLayout *layout, double size, bool bold)
{
	PangoFontDescription *fd = pango_font_description_from_string(
	    CHART_FONT);

	pango_font_description_set_absolute_size(fd, size * PANGO_SCALE);
	pango_font_description_set_weight(fd, bold ? PANGO_WEIGHT_BOLD :
	    PANGO_WEIGHT_NORMAL);
	pango_layout_set_font_description(layout, fd);
	pango_font_description_free(fd);
}

void
chart_text(cairo_t *cr, PangoLayout *layout, const char *s, double x,
    double y, double w, PangoAlignment align)
{
	pango_layout_set_text(layout, s, -1);
	pango_layout_set_alignment(layout, align);
	if (w > 0) {
		pango_layout_set_width(layout, (int)(w * PANGO_SCALE));
		pango_layout_set_ellipsize(layout, PANGO_ELLIPSIZE_END);
	} else {
		pango_layout_set_width(layout, -1);
		pango_layout_set_ellipsize(layout, PANGO_ELLIPSIZE_NONE);
	}
	cairo_move_to(cr, x, y);
	pango_cairo_update_layout(cr, layout);
	pango_cairo_show_layout(cr, layout);
	/* No current point left behind for the next shape to start from. */
	cairo_new_path(cr);
}

static void
ink(cairo_t *cr, double grey)
{
	cairo_set_source_rgb(cr, grey, grey, grey);
}

static void
colour(cairo_t *cr, size_t i)
{
	const struct rgb *c = &palette[i % NPALETTE];

	cairo_set_source_rgb(cr, c->r, c->g, c->b);
}

static double
max_value(const struct point *pts, size_t n)
{
	double max = 0;
	size_t i;

	for (i = 0; i < n; i++)
		if (pts[i].value > max)
			max = pts[i].value;
	return nice_max(max);
}

static void
axis(cairo_t *cr, double x0, double x1, double y)
{
	ink(cr, 0.6);
	cairo_set_line_width(cr, 0.8);
	cairo_move_to(cr, x0, y);
	cairo_line_to(cr, x1, y);
	cairo_stroke(cr);
}

static void
draw_bars(cairo_t *cr, PangoLayout *l, const struct point *pts, size_t n,
    double x, double y, double w, double h)
{
	double max = max_value(pts, n), slot = w / (double)n;
	double bar = fmin(56, fmax(2, slot * 0.7));
	double top = y + 14, plot = h - 14 - 30;
	size_t i;

	chart_font(l, 7, false);
	for (i = 0; i < n; i++) {
		double bh = fmax(0, pts[i].value) / max * plot;
		double bx = x + (double)i * slot + (slot - bar) / 2;

		colour(cr, 0);
		cairo_rectangle(cr, bx, top + plot - fmax(bh, 1), bar, fmax(bh, 1));
		cairo_fill(cr);
		ink(cr, 0.15);
		chart_text(cr, l, pts[i].text, x + (double)i * slot, top + plot -
		    bh - 11, slot, PANGO_ALIGN_CENTER);
		chart_text(cr, l, pts[i].label, x + (double)i * slot, top + plot +
		    4, slot, PANGO_ALIGN_CENTER);
	}
	axis(cr, x, x + w, top + plot);
}

static void
draw_line(cairo_t *cr, PangoLayout *l, const struct point *pts, size_t n,
    double x, double y, double w, double h, bool area)
{
	double max = max_value(pts, n), top = y + 14, plot = h - 14 - 30;
	double pad = 24, step = n > 1 ? (w - 2 * pad) / (double)(n - 1) : 0;
	size_t i, every = 1;

	/* Labels of about 70 points each, as many as fit under the axis. */
	if (n > 1 && step < 70)
		every = (size_t)ceil(70 / step);
	for (i = 0; i < n; i++) {
		double px = x + pad + (double)i * step;
		double py = top + plot - fmax(0, pts[i].value) / max * plot;

		if (i == 0)
			cairo_move_to(cr, px, py);
		else
			cairo_line_to(cr, px, py);
	}
	if (area) {
		cairo_path_t *path = cairo_copy_path(cr);

		cairo_line_to(cr, x + pad + (double)(n - 1) * step, top + plot);
		cairo_line_to(cr, x + pad, top + plot);
		cairo_close_path(cr);
		cairo_set_source_rgba(cr, palette[0].r, palette[0].g, palette[0].b,
		    0.25);
		cairo_fill(cr);
		cairo_append_path(cr, path);
		cairo_path_destroy(path);
	}
	colour(cr, 0);
	cairo_set_line_width(cr, 2);
	cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
	cairo_stroke(cr);
	chart_font(l, 7, false);
	for (i = 0; i < n; i++) {
		double px = x + pad + (double)i * step;
		double py = top + plot - fmax(0, pts[i].value) / max * plot;

		colour(cr, 0);
		cairo_arc(cr, px, py, 2.5, 0, 2 * M_PI);
		cairo_fill(cr);
		if (i % every != 0)
			continue;
		ink(cr, 0.15);
		chart_text(cr, l, pts[i].text, px - 35, py - 13, 70,
		    PANGO_ALIGN_CENTER);
		chart_text(cr, l, pts[i].label, px - 35, top + plot + 4, 70,
		    PANGO_ALIGN_CENTER);
	}
	axis(cr, x, x + w, top + plot);
}

static void
draw_pie(cairo_t *cr, PangoLayout *l, const struct point *pts, size_t n,
    double x, double y, double w, double h)
{
	double total = 0, r = fmin(h / 2 - 6, w / 4), cx = x + r + 6;
	double cy = y + h / 2, a = -M_PI / 2, ly = y + 4;
	size_t i, lines = (size_t)((h - 8) / 12);
	char line[CHART_TEXT_MAX * 2 + 32];

	for (i = 0; i < n; i++)
		total += fmax(0, pts[i].value);
	if (total <= 0) {
		ink(cr, 0.85);
		cairo_arc(cr, cx, cy, r, 0, 2 * M_PI);
		cairo_fill(cr);
	}
	for (i = 0; i < n && total > 0; i++) {
		double da = fmax(0, pts[i].value) / total * 2 * M_PI;

		colour(cr, i);
		cairo_move_to(cr, cx, cy);
		cairo_arc(cr, cx, cy, r, a, a + da);
		cairo_close_path(cr);
		cairo_fill_preserve(cr);
		cairo_set_source_rgb(cr, 1, 1, 1);
		cairo_set_line_width(cr, 1);
		cairo_stroke(cr);
		a += da;
	}
	chart_font(l, 8, false);
	for (i = 0; i < n && i < lines; i++, ly += 12) {
		colour(cr, i);
		cairo_rectangle(cr, cx + r + 16, ly + 2, 8, 8);
		cairo_fill(cr);
		ink(cr, 0.15);
		snprintf(line, sizeof(line), "%s: %s (%.1f %%)", pts[i].label,
		    pts[i].text, total > 0 ? fmax(0, pts[i].value) / total * 100 :
		    0.0);
		chart_text(cr, l, line, cx + r + 28, ly, x + w - (cx + r + 28),
		    PANGO_ALIGN_LEFT);
	}
}

static double
draw_funnel(cairo_t *cr, PangoLayout *l, const struct point *pts, size_t n,
    double x, double y, double w, double h)
{
	double max = 0, lw = w * 0.25, vw = w * 0.2, bw = w - lw - vw - 16;
	double row = fmin(26, h / (double)n), bh = fmax(2, row - 4);
	size_t i;

	for (i = 0; i < n; i++)
		max = fmax(max, pts[i].value);
	chart_font(l, 8, false);
	for (i = 0; i < n; i++) {
		double ry = y + (double)i * row;
		double len = max > 0 ? fmax(0, pts[i].value) / max * bw : 0;

		colour(cr, i);
		cairo_rectangle(cr, x + lw + 8 + (bw - fmax(len, 1)) / 2, ry,
		    fmax(len, 1), bh);
		cairo_fill(cr);
		ink(cr, 0.15);
		chart_text(cr, l, pts[i].label, x, ry + bh / 2 - 5, lw,
		    PANGO_ALIGN_RIGHT);
		chart_text(cr, l, pts[i].text, x + w - vw, ry + bh / 2 - 5, vw,
		    PANGO_ALIGN_LEFT);
	}
	return (double)n * row;
}

static double
draw_number(cairo_t *cr, PangoLayout *l, const char *text,
    const char *caption, double x, double y, double w)
{
	ink(cr, 0.1);
	chart_font(l, 28, true);
	chart_text(cr, l, text, x, y, w, PANGO_ALIGN_LEFT);
	ink(cr, 0.4);
	chart_font(l, 9, false);
	chart_text(cr, l, caption, x, y + 38, w, PANGO_ALIGN_LEFT);
	return 56;
}

/* Index of s among names[0..*n), appended when new and room is left. */
static int
slot_of(char (*names)[CHART_TEXT_MAX], int *n, const char *s)
{
	int i;

	for (i = 0; i < *n; i++)
		if (strcmp(names[i], s) == 0)
			return i;
	if (*n == CHART_MAX_GRID)
		return -1;
	snprintf(names[*n], CHART_TEXT_MAX, "%s", s);
	return (*n)++;
}

struct grid {
	char	rows[CHART_MAX_GRID][CHART_TEXT_MAX];
	char	cols[CHART_MAX_GRID][CHART_TEXT_MAX];
	char	text[CHART_MAX_GRID][CHART_MAX_GRID][64];
	double	value[CHART_MAX_GRID][CHART_MAX_GRID];
	bool	set[CHART_MAX_GRID][CHART_MAX_GRID];
	int	nrows, ncols;
	bool	cut;
};

static double
draw_heatmap(cairo_t *cr, PangoLayout *l, json_t *answer, int m, int rc,
    int cc, const struct chart_fmt *f, double x, double y, double w,
    double h, bool *cut)
{
	json_t *cols = json_object_get(answer, "columns"), *row;
	struct grid *g = xcalloc(1, sizeof(*g));
	char a[CHART_TEXT_MAX], b[CHART_TEXT_MAX], v[CHART_TEXT_MAX];
	double max = 0, lw = w * 0.22, cw, ch, used;
	size_t i;
	int r, c;

	json_array_foreach(json_object_get(answer, "rows"), i, row) {
		chart_cell_text(json_array_get(cols, (size_t)rc),
		    json_array_get(row, (size_t)rc), f, a);
		chart_cell_text(json_array_get(cols, (size_t)cc),
		    json_array_get(row, (size_t)cc), f, b);
		r = slot_of(g->rows, &g->nrows, a);
		c = slot_of(g->cols, &g->ncols, b);
		if (r < 0 || c < 0) {
			g->cut = true;
			continue;
		}
		chart_cell_text(json_array_get(cols, (size_t)m),
		    json_array_get(row, (size_t)m), f, v);
		/* A value's text is a number: longer ones are cut, not drawn. */
		if ((size_t)snprintf(g->text[r][c], sizeof(g->text[r][c]), "%s",
		    v) >= sizeof(g->text[r][c]))
			snprintf(g->text[r][c], sizeof(g->text[r][c]), "\xe2\x80\xa6");
		g->value[r][c] = num_of(json_array_get(row, (size_t)m));
		g->set[r][c] = true;
		max = fmax(max, g->value[r][c]);
	}
	cw = (w - lw) / fmax(1, g->ncols);
	ch = fmin(22, (h - 16) / fmax(1, g->nrows));
	chart_font(l, 7, false);
	ink(cr, 0.15);
	for (c = 0; c < g->ncols; c++)
		chart_text(cr, l, g->cols[c], x + lw + c * cw, y, cw,
		    PANGO_ALIGN_CENTER);
	for (r = 0; r < g->nrows; r++) {
		double ry = y + 14 + r * ch;

		ink(cr, 0.15);
		chart_text(cr, l, g->rows[r], x, ry + ch / 2 - 5, lw - 6,
		    PANGO_ALIGN_RIGHT);
		for (c = 0; c < g->ncols; c++) {
			double t = max > 0 ? fmax(0, g->value[r][c]) / max : 0;

			/* From white to the primary colour with the value. */
			cairo_set_source_rgb(cr, 1 - t * (1 - palette[0].r), 1 - t *
			    (1 - palette[0].g), 1 - t * (1 - palette[0].b));
			cairo_rectangle(cr, x + lw + c * cw + 0.5, ry + 0.5, cw - 1,
			    ch - 1);
			cairo_fill(cr);
			if (!g->set[r][c])
				continue;
			ink(cr, t > 0.55 ? 1 : 0.15);
			chart_text(cr, l, g->text[r][c], x + lw + c * cw, ry + ch / 2 -
			    5, cw, PANGO_ALIGN_CENTER);
		}
	}
	*cut = g->cut;
	used = 14 + g->nrows * ch;
	free(g);
	return used;
}

/* Says under a chart that it shows part of the rows. */
static void
note(cairo_t *cr, PangoLayout *l, const char *s, double x, double y,
    double w)
{
	ink(cr, 0.4);
	chart_font(l, 7, false);
	chart_text(cr, l, s, x, y, w, PANGO_ALIGN_LEFT);
}

double
chart_draw(cairo_t *cr, PangoLayout *layout, json_t *answer,
    const struct chart_fmt *f, double x, double y, double w, double h)
{
	const char *kind = json_string_value(json_object_get(answer, "chart"));
	json_t *cols = json_object_get(answer, "columns");
	json_t *rows = json_object_get(answer, "rows");
	json_t *totals = json_object_get(answer, "totals");
	int m = chart_measure(answer), lc[2];
	int nl = label_columns(answer, lc, 2);
	size_t n, nrows = json_array_size(rows);
	struct point *pts;
	char text[CHART_TEXT_MAX], caption[CHART_TEXT_MAX];
	double used = h;
	bool cut = false;

	if (kind == NULL || strcmp(kind, "table") == 0 || m < 0 || nrows == 0)
		return 0;
	snprintf(caption, sizeof(caption), "%s", chart_label(json_array_get(
	    cols, (size_t)m)));
	chart_tidy(caption, sizeof(caption), f->max_chars > 0 ? f->max_chars : 300);
	/* One figure: the total when rows are many, else the one row's. */
	if (strcmp(kind, "number") == 0 || nl == 0) {
		json_t *v = json_is_array(totals) && nrows != 1 ?
		    json_array_get(totals, (size_t)m) : json_array_get(
		    json_array_get(rows, 0), (size_t)m);

		chart_cell_text(json_array_get(cols, (size_t)m), v, f, text);
		return draw_number(cr, layout, text, caption, x, y, w);
	}
	cairo_save(cr);
	if (strcmp(kind, "heatmap") == 0) {
		if (nl < 2) {
			note(cr, layout, "A heat map needs two group levels: see the "
			    "table.", x, y, w);
			cairo_restore(cr);
			return 14;
		}
		used = draw_heatmap(cr, layout, answer, m, lc[0], lc[1], f, x, y,
		    w, h - 12, &cut);
		if (cut)
			note(cr, layout, "The heat map shows the first 24 rows and "
			    "columns; the table has them all.", x, y + used + 2, w);
		cairo_restore(cr);
		return used + 12;
	}
	pts = xcalloc(CHART_MAX_POINTS, sizeof(*pts));
	n = points_of(answer, m, f, pts);
	if (strcmp(kind, "line") == 0 || strcmp(kind, "area") == 0)
		draw_line(cr, layout, pts, n, x, y, w, h - 12,
		    strcmp(kind, "area") == 0);
	else if (strcmp(kind, "pie") == 0)
		draw_pie(cr, layout, pts, n, x, y, w, h - 12);
	else if (strcmp(kind, "funnel") == 0)
		used = draw_funnel(cr, layout, pts, n, x, y, w, h - 12) + 12;
	else
		draw_bars(cr, layout, pts, n, x, y, w, h - 12);
	if (nrows > n)
		note(cr, layout, "The chart shows the first 60 rows; the table has "
		    "them all.", x, y + used - 10, w);
	free(pts);
	cairo_restore(cr);
	return used;
}
