/*
 * Plan targets from a CSV or XLSX file (plans.h, plan_import). The file is
 * read whole into memory first (at most PLAN_IMPORT_ROWS_MAX rows of four
 * short cells), every cell is checked and named when bad (row, column,
 * value, reason), and only a file without a single bad cell is written,
 * in one transaction through plan_write, so a file is all or nothing.
 *
 * Who a row is for: "company" (any case), a person by email (an active
 * user), else a department by its exact name (two departments of that
 * name are ambiguous: refused). The actor's planning rights are those of
 * the grid (plan_may_write): a row they may not plan is a bad "who" cell.
 * A period cell an XLSX holds as a date on the first of a month
 * (Excel turns "2026-11" into one) is that month.
 */
#include "core/plans.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/log.h"

#define CELL_MAX 200		/* bytes kept of a cell */
#define ERRORS_MAX 500		/* errors listed (all are counted) */
#define CHECKED_MAX 16		/* metrics whose check is remembered */

enum { C_WHO, C_METRIC, C_PERIOD, C_TARGET, NCOLS };
static const char *const colnames[NCOLS] = { "who", "metric", "period",
	"target" };

struct irow {
	size_t	rowno;
	char	v[NCOLS][CELL_MAX + 1];
};

struct reader {
	struct core_ctx	*cx;
	int		 col[NCOLS];	/* file column of each, -1: absent */
	bool		 header;	/* the header row was read */
	struct irow	*rows;
	size_t		 n;
	json_t		*errors;
	size_t		 nerrors;
};

static void
bad(struct reader *r, size_t rowno, const char *column, const char *value,
    const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* One bad cell: counted always, listed up to ERRORS_MAX. */
static void
bad(struct reader *r, size_t rowno, const char *column, const char *value,
    const char *fmt, ...)
{
	char why[256], field[64];
	va_list ap;

	r->nerrors++;
	if (json_array_size(r->errors) >= ERRORS_MAX)
		return;
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	snprintf(field, sizeof(field), "row %zu: %s", rowno, column);
	json_array_append_new(r->errors, json_pack("{s:I, s:s, s:s, s:s, s:s, "
	    "s:s}", "row", (json_int_t)rowno, "column", column, "value",
	    value != NULL ? value : "", "reason", why, "field", field, "message",
	    why));
}

static void
copy_cell(char *dst, const struct table_cell *c)
{
	size_t n = c->len < CELL_MAX ? c->len : CELL_MAX;

	memcpy(dst, c->s, n);
	dst[n] = '\0';
	/* A period stored as a date on the 1st of a month: that month. */
	if (c->kind == TC_DATE && n == 10 && strcmp(dst + 7, "-01") == 0)
		dst[7] = '\0';
}

static int
header_row(struct reader *r, size_t rowno, const struct table_cell *cells,
    size_t ncells)
{
	for (int k = 0; k < NCOLS; k++)
		r->col[k] = -1;
	for (size_t i = 0; i < ncells; i++) {
		int k;

		for (k = 0; k < NCOLS; k++)
			if (strcasecmp(cells[i].s, colnames[k]) == 0)
				break;
		if (cells[i].kind == TC_EMPTY)
			continue;
		if (k == NCOLS)
			bad(r, rowno, cells[i].s, cells[i].s, "is not a column of a "
			    "plan file (who, metric, period, target)");
		else if (r->col[k] >= 0)
			bad(r, rowno, colnames[k], cells[i].s, "is named twice");
		else
			r->col[k] = (int)i;
	}
	for (int k = 0; k < NCOLS; k++)
		if (r->col[k] < 0)
			bad(r, rowno, colnames[k], "", "the column is missing");
	r->header = true;
	return 0;
}

static int
on_row(void *arg, size_t rowno, const struct table_cell *cells, size_t ncells)
{
	struct reader *r = arg;
	struct irow *row;

	if (!r->header)
		return header_row(r, rowno, cells, ncells);
	if (ncells == 0)
		return 0;	/* an empty line */
	if (r->n == PLAN_IMPORT_ROWS_MAX)
		return 1;
	row = &r->rows[r->n++];
	memset(row, 0, sizeof(*row));
	row->rowno = rowno;
	for (int k = 0; k < NCOLS; k++)
		if (r->col[k] >= 0 && (size_t)r->col[k] < ncells)
			copy_cell(row->v[k], &cells[r->col[k]]);
	return 0;
}

/* The id of the one row of sql for text, 0 when none, -1 when several. */
static int
lookup(struct core_ctx *cx, const char *sql, const char *text, int64_t *id)
{
	db_stmt_t *st;
	int rc, n = 0;

	*id = 0;
	if (db_prepare(cx->db, sql, &st) != DB_OK) {
		log_error("database: plan import lookup: %s", db_errmsg(cx->db));
		return core_fail(cx, CRM_EDB, "The database failed; nothing was "
		    "changed");
	}
	db_bind_text(st, 1, text, strlen(text));
	while ((rc = db_step(st)) == DB_ROW && n < 2) {
		*id = db_col_int(st, 0);
		n++;
	}
	db_done(st);
	if (rc != DB_DONE && rc != DB_ROW) {
		log_error("database: plan import lookup: %s", db_errmsg(cx->db));
		return core_fail(cx, CRM_EDB, "The database failed; nothing was "
		    "changed");
	}
	if (n > 1)
		*id = -1;
	return CRM_OK;
}

/* Who row i is for into c; a bad cell otherwise. */
static int
check_who(struct reader *r, const struct irow *row, struct plan_cell *c,
    bool *good)
{
	const char *who = row->v[C_WHO];
	int64_t id;
	int rc;

	if (who[0] == '\0') {
		bad(r, row->rowno, "who", who, "is required: a person's email, a "
		    "department's name, or company");
		*good = false;
		return CRM_OK;
	}
	if (strcasecmp(who, "company") == 0) {
		c->scope = PLAN_COMPANY;
		c->id = 0;
		return CRM_OK;
	}
	c->scope = strchr(who, '@') != NULL ? PLAN_USER : PLAN_DEPARTMENT;
	rc = lookup(r->cx, c->scope == PLAN_USER ? "SELECT id FROM users WHERE "
	    "lower(email) = lower(?) AND active = 1" : "SELECT id FROM "
	    "departments WHERE name = ?", who, &id);
	if (rc != CRM_OK)
		return rc;
	if (id == 0)
		bad(r, row->rowno, "who", who, c->scope == PLAN_USER ? "names no "
		    "active person" : "names no department (a person is named by "
		    "email)");
	else if (id < 0)
		bad(r, row->rowno, "who", who, "more than one department has this "
		    "name");
	*good = *good && id > 0;
	c->id = id;
	return CRM_OK;
}

/* A metric's check, remembered for the rows after. */
struct checked {
	char	name[PLAN_METRIC_MAX];
	int	rc;
	char	why[160];
};

static int
check_metric(struct reader *r, const struct irow *row, struct plan_cell *c,
    struct checked *seen, int *nseen, bool *good)
{
	const char *m = row->v[C_METRIC];
	struct checked *k = NULL;

	if (strlen(m) >= PLAN_METRIC_MAX || m[0] == '\0') {
		bad(r, row->rowno, "metric", m, "must name a metric");
		*good = false;
		return CRM_OK;
	}
	for (int i = 0; i < *nseen && k == NULL; i++)
		if (strcmp(seen[i].name, m) == 0)
			k = &seen[i];
	if (k == NULL) {
		/* When the list is full the last entry makes room. */
		k = *nseen < CHECKED_MAX ? &seen[(*nseen)++] :
		    &seen[CHECKED_MAX - 1];
		memcpy(k->name, m, strlen(m) + 1);	/* checked: it fits */
		k->why[0] = '\0';
		k->rc = plan_metric_check(r->cx, m, k->why, sizeof(k->why));
		if (k->rc != CRM_OK && k->rc != CRM_EINVAL)
			return k->rc;
	}
	if (k->rc != CRM_OK) {
		bad(r, row->rowno, "metric", m, "%s", k->why);
		*good = false;
	}
	memcpy(c->metric, m, strlen(m) + 1);
	return CRM_OK;
}

static void
check_period_target(struct reader *r, const struct irow *row,
    struct plan_cell *c, bool *good)
{
	const char *p = row->v[C_PERIOD], *t = row->v[C_TARGET];
	int64_t a, b, v = 0;
	size_t n = strlen(t);

	if (plan_period_parse(p, &a, &b) != 0 || strlen(p) >= sizeof(c->period)) {
		bad(r, row->rowno, "period", p, "must be a year (2026), a quarter "
		    "(2026-Q4) or a month (2026-11)");
		*good = false;
	} else {
		memcpy(c->period, p, strlen(p) + 1);
	}
	c->target = -1;
	if (n == 0)
		return;		/* clears the target */
	for (size_t i = 0; i < n && v >= 0; i++) {
		if (t[i] < '0' || t[i] > '9' || n > 16)
			v = -1;
		else
			v = v * 10 + (t[i] - '0');
	}
	if (v < 0 || v > PLAN_TARGET_MAX) {
		bad(r, row->rowno, "target", t, "must be a whole number from 0 to "
		    "10^15 (money in minor units), or empty to clear");
		*good = false;
	} else {
		c->target = v;
	}
}

/* Rights and repeats, over the rows that are good so far. */
static int
check_rows(struct reader *r, struct plan_cell *c, bool *good)
{
	const char *const whom[] = { "the company", "this department",
		"this person" };
	bool *ok = calloc(r->n + 1, sizeof(*ok));
	int rc;

	if (ok == NULL)
		return core_fail(r->cx, CRM_EDB, "Out of memory");
	rc = plan_may_write(r->cx, c, r->n, ok);
	for (size_t i = 0; i < r->n && rc == CRM_OK; i++) {
		if (!good[i])
			continue;
		if (!ok[i]) {
			bad(r, r->rows[i].rowno, "who", r->rows[i].v[C_WHO], "you may "
			    "not plan for %s (an administrator plans for the company, "
			    "a head for their departments and people)",
			    whom[c[i].scope]);
			continue;
		}
		for (size_t j = 0; j < i; j++)
			if (good[j] && c[j].scope == c[i].scope && c[j].id == c[i].id &&
			    strcmp(c[j].metric, c[i].metric) == 0 &&
			    strcmp(c[j].period, c[i].period) == 0) {
				bad(r, r->rows[i].rowno, "target", r->rows[i].v[C_TARGET],
				    "repeats the target of row %zu", r->rows[j].rowno);
				break;
			}
	}
	free(ok);
	return rc;
}

/* By row, then in the order found (the index breaks ties: qsort is not stable). */
struct found {
	json_t	*e;
	size_t	 i;
};

static int
by_row(const void *a, const void *b)
{
	const struct found *x = a, *y = b;
	json_int_t rx = json_integer_value(json_object_get(x->e, "row"));
	json_int_t ry = json_integer_value(json_object_get(y->e, "row"));

	if (rx != ry)
		return rx < ry ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

/* The errors in row order: the rights and repeats are found after the cells. */
static json_t *
sorted(json_t *errors)
{
	size_t n = json_array_size(errors), i;
	struct found *f = calloc(n + 1, sizeof(*f));
	json_t *out, *e;

	if (f == NULL)
		return json_incref(errors);
	json_array_foreach(errors, i, e)
		f[i] = (struct found){ e, i };
	qsort(f, n, sizeof(*f), by_row);
	out = json_array();
	for (i = 0; i < n; i++)
		json_array_append(out, f[i].e);
	free(f);
	return out;
}

int
plan_import(struct core_ctx *cx, const char *path, const struct table_opts *o,
    bool dry_run, json_t **out)
{
	struct reader r;
	struct plan_cell *c = NULL;
	struct checked seen[CHECKED_MAX];
	struct table_opts none = { NULL, 0, NULL };
	char err[256];
	bool *good = NULL, header_ok;
	int nseen = 0, rc;

	*out = NULL;
	memset(&r, 0, sizeof(r));
	r.cx = cx;
	r.rows = calloc(PLAN_IMPORT_ROWS_MAX, sizeof(*r.rows));
	if (r.rows == NULL)
		return core_fail(cx, CRM_EDB, "Out of memory");
	r.errors = json_array();
	rc = table_read(path, o != NULL ? o : &none, NULL, on_row, &r, err,
	    sizeof(err));
	if (rc != 0 || !r.header) {
		if (rc == 1)
			snprintf(err, sizeof(err), "holds more than %d targets",
			    PLAN_IMPORT_ROWS_MAX);
		else if (rc == 0)
			snprintf(err, sizeof(err), "is empty: the first row names the "
			    "columns who, metric, period, target");
		verrs_add(&cx->errs, "file", "%s", err);
		rc = core_invalid(cx);
		goto out;
	}
	header_ok = r.nerrors == 0;
	c = calloc(r.n + 1, sizeof(*c));
	good = calloc(r.n + 1, sizeof(*good));
	if (c == NULL || good == NULL) {
		rc = core_fail(cx, CRM_EDB, "Out of memory");
		goto out;
	}
	/* A bad header says it all: the rows' cells are not where it says. */
	rc = CRM_OK;
	for (size_t i = 0; i < r.n && rc == CRM_OK && header_ok; i++) {
		good[i] = true;
		rc = check_who(&r, &r.rows[i], &c[i], &good[i]);
		if (rc == CRM_OK)
			rc = check_metric(&r, &r.rows[i], &c[i], seen, &nseen,
			    &good[i]);
		if (rc == CRM_OK)
			check_period_target(&r, &r.rows[i], &c[i], &good[i]);
	}
	if (rc == CRM_OK && header_ok)
		rc = check_rows(&r, c, good);
	if (rc != CRM_OK)
		goto out;
	if (r.n == 0 && header_ok)
		bad(&r, 2, "who", "", "the file holds no targets");
	if (r.nerrors == 0 && !dry_run) {
		json_t *detail = json_pack("{s:I}", "targets", (json_int_t)r.n);

		rc = plan_write(cx, c, r.n, "plan.imported", detail);
		json_decref(detail);
		if (rc != CRM_OK)
			goto out;
	}
	*out = json_pack("{s:b, s:I, s:I, s:I, s:o}", "dry_run", dry_run, "rows",
	    (json_int_t)r.n, "written", (json_int_t)(r.nerrors == 0 && !dry_run ?
	    r.n : 0), "error_count", (json_int_t)r.nerrors, "errors",
	    sorted(r.errors));
	rc = r.nerrors > 0 && !dry_run ? CRM_EINVAL : CRM_OK;
out:
	json_decref(r.errors);
	free(r.rows);
	free(c);
	free(good);
	return rc;
}
