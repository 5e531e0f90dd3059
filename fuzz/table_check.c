/* See table_check.h. */
#include "table_check.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "util/text.h"

static bool
digits(const char *s, size_t n)
{
	return strspn(s, "0123456789") >= n;
}

static void
check_shape(const struct table_cell *c, size_t rowno, size_t i)
{
	const char *s = c->s;
	char *end;
	double d;

	switch (c->kind) {
	case TC_EMPTY:
		if (c->len != 0)
			fz_fail("row %zu cell %zu: TC_EMPTY with %zu bytes",
			    rowno, i, c->len);
		return;
	case TC_TEXT:
	case TC_ERROR:
		if (c->len == 0)
			fz_fail("row %zu cell %zu: empty text", rowno, i);
		return;
	case TC_NUMBER:
	case TC_PERCENT:
		d = strtod(s, &end);
		if (*end != '\0' || !isfinite(d) || c->len == 0)
			fz_fail("row %zu cell %zu: \"%s\" is not a number",
			    rowno, i, s);
		return;
	case TC_DATE:
	case TC_DATETIME:
		if (c->len != (c->kind == TC_DATE ? 10u : 19u) ||
		    !digits(s, 4) || s[4] != '-' || !digits(s + 5, 2) ||
		    s[7] != '-' || !digits(s + 8, 2) ||
		    (c->kind == TC_DATETIME && (s[10] != 'T' ||
		    !digits(s + 11, 2) || s[13] != ':' || !digits(s + 14, 2) ||
		    s[16] != ':' || !digits(s + 17, 2))))
			fz_fail("row %zu cell %zu: \"%s\" is not a %s", rowno, i,
			    s, c->kind == TC_DATE ? "date" : "date-time");
		return;
	case TC_BOOL:
		if (strcmp(s, "TRUE") != 0 && strcmp(s, "FALSE") != 0)
			fz_fail("row %zu cell %zu: bool \"%s\"", rowno, i, s);
		return;
	}
	fz_fail("row %zu cell %zu: unknown kind %d", rowno, i, (int)c->kind);
}

int
tc_row(void *arg, size_t rowno, const struct table_cell *cells, size_t n)
{
	struct rows_seen *seen = arg;
	size_t i;

	if (rowno <= seen->last || rowno > TABLE_MAX_ROWS ||
	    (seen->consecutive && rowno != seen->last + 1))
		fz_fail("row %zu after row %zu", rowno, seen->last);
	if (n > TABLE_MAX_COLS)
		fz_fail("row %zu has %zu cells", rowno, n);
	if (n > 0 && cells[n - 1].len == 0)
		fz_fail("row %zu ends with an empty cell", rowno);
	if (buf_printf(&seen->text, "%zu:", rowno) != 0)
		fz_fail("rows larger than their input");
	for (i = 0; i < n; i++) {
		const struct table_cell *c = &cells[i];

		if (c->s == NULL || strlen(c->s) != c->len)
			fz_fail("row %zu cell %zu: len %zu but strlen %zu",
			    rowno, i, c->len, c->s != NULL ? strlen(c->s) : 0);
		if (c->len > TABLE_MAX_CELL)
			fz_fail("row %zu cell %zu: %zu bytes", rowno, i, c->len);
		if (!text_utf8_valid(c->s, c->len))
			fz_fail("row %zu cell %zu: not valid UTF-8", rowno, i);
		check_shape(c, rowno, i);
		if (buf_printf(&seen->text, "%d%d|", (int)c->kind,
		    (int)c->formula) != 0 ||
		    buf_append(&seen->text, c->s, c->len + 1) != 0)
			fz_fail("rows larger than their input");
	}
	seen->last = rowno;
	seen->n++;
	return seen->stop_at == seen->n ? 7 : 0;
}

void
tc_outcome(int rc, const char *err, const struct table_info *info,
    const struct rows_seen *seen)
{
	if (rc != 0 && rc != -1 && rc != 7)
		fz_fail("table_read returned %d", rc);
	if (rc == 7 && seen->n != seen->stop_at)
		fz_fail("stopped after %zu rows, asked at %zu", seen->n,
		    seen->stop_at);
	if (rc == -1 && err[0] == '\0')
		fz_fail("failed without a message");
	if (rc == -1 && strlen(err) < 8)
		fz_fail("a message too short to help: \"%s\"", err);
	if (info->rows != seen->n)
		fz_fail("info says %zu rows, %zu seen", info->rows, seen->n);
}

void
tc_read_twice(tc_reader read, void *ctx)
{
	struct rows_seen a = { 0 }, b = { 0 };
	struct table_info ia, ib;
	char ea[256], eb[256];
	int rc;

	buf_init(&a.text, 256u << 20);
	buf_init(&b.text, 256u << 20);
	memset(&ia, 0, sizeof(ia));
	memset(&ib, 0, sizeof(ib));
	ea[0] = eb[0] = '\0';
	rc = read(ctx, &a, &ia, ea, sizeof(ea));
	tc_outcome(rc, ea, &ia, &a);
	if (a.n > 0) {
		b.consecutive = a.consecutive;
		b.stop_at = a.n > 2 ? 2 : 1;
		rc = read(ctx, &b, &ib, eb, sizeof(eb));
		tc_outcome(rc, eb, &ib, &b);
		if (rc != 7 || b.text.len > a.text.len ||
		    memcmp(a.text.data, b.text.data, b.text.len) != 0)
			fz_fail("stopping after %zu rows changed them (rc %d)",
			    b.stop_at, rc);
	}
	buf_free(&a.text);
	buf_free(&b.text);
}
