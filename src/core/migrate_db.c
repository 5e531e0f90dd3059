/*
 * crm migrate-db: copy every table of one database into another and prove
 * the copy is faithful.
 *
 * The copy is generic: columns are taken by name from the source, values
 * travel as text (or NULL) and the target's column types take them in
 * (SQLite by affinity, PostgreSQL by inferring each parameter's type from
 * its column). Ids are copied, so every reference, bookmark, session and
 * API token stays valid.
 *
 * Rows are read in batches by ranges of their integer key, never as one
 * result: the PostgreSQL driver reads a result whole, and a table may hold
 * millions of rows. Each batch is written in one transaction on the target.
 *
 * Verification reads each side again through the store and checksums it
 * with the same code. The order of the rows hashed must then be the same
 * on both sides, and text order is not: SQLite compares bytes, PostgreSQL
 * follows the database's collation. So rows are ordered by an integer key
 * only (the id), and a table without an id (record_tags) is split by a
 * text column whose values are sorted here, in C, and its rows with equal
 * keys are sorted here too, by their bytes. Both sides thereby hash the
 * same rows in the same order whatever their collations.
 */
#include "core/migrate_db.h"

#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "util/alloc.h"
#include "util/buf.h"

/*
 * Keys per batch, read together and written in one target transaction: ids
 * are dense, so about this many rows (a few times more for record_tags).
 */
#define KEY_SPAN		1000
#define INSERT_MAX_PARAMS	2000	/* values per INSERT (SQLite allows 32766) */
#define INSERT_MAX_ROWS		100	/* rows per INSERT */
#define SQL_CAP			(64 * 1024)
#define SUM_LEN			32	/* BLAKE2b-256 */

struct mtable {
	const char	*name;
	const char	*part;	/* a text column splitting a table without ids */
	const char	*key;	/* the integer column rows are read in order of */
	bool		 ids;	/* key is an identity: moved on after the copy */
	const char	*seed;	/* the rows a fresh database holds (replaced), or NULL */
};

/*
 * Every application table, parents before children so that foreign keys
 * hold as rows arrive. EVERY NEW TABLE MUST BE ADDED HERE. A table in the
 * schema that is missing from this list makes migrate-db refuse to run
 * (see check_tables()): a copy that silently leaves a table behind would
 * lose a company's data on the day it moves.
 */
static const struct mtable mtables[] = {
	/* Before departments, which name their calendar. */
	{ "work_calendars", NULL, "id", true, "created_at = 0" },
	{ "work_holidays", NULL, "id", true, NULL },
	{ "departments", NULL, "id", true, "created_at = 0" },
	{ "roles", NULL, "id", true, "created_at = 0 AND builtin IS NOT NULL" },
	{ "users", NULL, "id", true, NULL },
	{ "user_absences", NULL, "id", true, NULL },
	{ "department_heads", NULL, "id", true, NULL },
	{ "sessions", NULL, "id", true, NULL },
	{ "api_tokens", NULL, "id", true, NULL },
	{ "companies", NULL, "id", true, NULL },
	{ "contacts", NULL, "id", true, NULL },
	/* Kept by triggers on contacts: see derived(). */
	{ "contact_tally", NULL, "id", true, NULL },
	{ "record_tags", "entity", "record_id", false, NULL },
	{ "custom_fields", NULL, "id", true, NULL },
	{ "jobs", NULL, "id", true, NULL },
	{ "job_runs", NULL, "id", true, NULL },
	{ "record_shares", NULL, "id", true, NULL },
	{ "audit_log", NULL, "id", false, NULL },
	{ "audit_checkpoints", NULL, "id", true, NULL },
	{ "audit_archives", NULL, "id", true, NULL },
	{ "audit_tally", NULL, "id", true, NULL },
	{ "pipelines", NULL, "id", true, "created_at = 0" },
	{ "pipeline_stages", NULL, "id", true, "created_at = 0" },
	{ "lost_reasons", NULL, "id", true, NULL },
	{ "twofa_totp", NULL, "id", true, NULL },
	{ "twofa_recovery", NULL, "id", true, NULL },
	{ "webauthn_credentials", NULL, "id", true, NULL },
	{ "webauthn_challenges", NULL, "id", true, NULL },
	{ "session_mfa", NULL, "id", true, NULL },
	{ "login_failures", NULL, "id", true, NULL },
	{ "system_state", NULL, "id", false, NULL },
	{ "backups", NULL, "id", true, NULL },
	{ "currency_settings", NULL, "id", false, NULL },
	{ "exchange_rates", NULL, "id", true, NULL },
	{ "units", NULL, "id", true, "created_at = 0" },
	{ "products", NULL, "id", true, NULL },
	{ "price_lists", NULL, "id", true, NULL },
	{ "price_list_items", NULL, "id", true, NULL },
	{ "deals", NULL, "id", true, NULL },
	{ "deal_stage_history", NULL, "id", true, NULL },
	{ "deal_items", NULL, "id", true, NULL },
	{ "activities", NULL, "id", true, NULL },
	/* Kept by triggers on activities: see derived(). */
	{ "activity_tally", NULL, "id", true, NULL },
	{ "activity_participants", NULL, "id", true, NULL },
	{ "notifications", NULL, "id", true, NULL },
	{ "mail_outbox", NULL, "id", true, NULL },
	{ "mail_attachments", NULL, "id", true, NULL },
	{ "documents", NULL, "id", true, NULL },
	{ "activity_comments", NULL, "id", true, NULL },
	{ "calendar_feeds", NULL, "id", true, NULL },
	{ "process_templates", NULL, "id", true, "created_at = 0" },
	{ "process_template_versions", NULL, "id", true, "created_at = 0" },
	{ "reports", NULL, "id", true, "created_at = 0 AND builtin IS NOT NULL" },
	{ "report_shares", NULL, "id", true, NULL },
	{ "dashboards", NULL, "user_id", false, NULL },
	{ "role_dashboards", NULL, "role_id", false, NULL },
	{ "report_subscriptions", NULL, "id", true, NULL },
	{ "report_deliveries", NULL, "id", true, NULL },
	{ "queues", NULL, "id", true, NULL },
	{ "queue_members", NULL, "id", true, NULL },
	{ "sla_policies", NULL, "id", true, NULL },
	{ "canned_responses", NULL, "id", true, NULL },
	{ "tickets", NULL, "id", true, NULL },
	{ "ticket_messages", NULL, "id", true, NULL },
	{ "ticket_links", NULL, "id", true, NULL },
	{ "desk_mailbox", NULL, "id", false, NULL },
	{ "desk_mail_messages", NULL, "id", true, NULL },
	{ "imports", NULL, "id", true, NULL },
	{ "import_items", NULL, "id", true, NULL },
	{ "import_errors", NULL, "id", true, NULL },
	{ "import_mappings", NULL, "id", true, NULL },
	{ "process_instances", NULL, "id", true, NULL },
	{ "process_steps", NULL, "id", true, NULL },
	{ "plans", NULL, "id", true, NULL },
	{ "kb_categories", NULL, "id", true, NULL },
	{ "kb_articles", NULL, "id", true, NULL },
	{ "kb_quiz_results", NULL, "id", true, NULL },
	{ "search_deferred", NULL, "id", true, NULL },
	{ "web_forms", NULL, "id", true, NULL },
	{ "web_form_hits", NULL, "id", true, NULL },
	{ "satisfaction_requests", NULL, "id", true, NULL },
	{ "kpi_scorecards", NULL, "id", true, NULL },
	{ "kpi_results", NULL, "id", true, NULL },
};
#define NTABLES (sizeof(mtables) / sizeof(*mtables))

/* One value as text; s is NULL for SQL NULL. */
struct mval {
	char	*s;
	size_t	 len;
};

struct mrow {
	int64_t		 key;
	int		 ncols;
	struct mval	*v;
};

struct batch {
	struct mrow	*rows;
	size_t		 n;
	size_t		 cap;
};

/* What is known of one table across the run. */
struct tstate {
	const struct mtable	*t;
	bool			 present;	/* in this schema (both sides) */
	char			**cols;		/* the source's columns, its order */
	size_t			 ncols;
	int			 keycol;
	int64_t			 total;		/* source rows */
	int64_t			 done;
	unsigned char		 sum[SUM_LEN];	/* the source's checksum */
};

/* The run: both databases, the reporting, and one SQL buffer reused. */
struct run {
	db_t			*from;
	db_t			*to;
	migrate_progress_fn	*progress;
	void			*arg;
	char			*err;
	size_t			 errlen;
	struct buf		 sql;
	bool			 sql_bad;
};

typedef int batch_fn(struct run *r, struct tstate *ts, struct batch *b,
    crypto_generichash_state *h);

static int
fail(struct run *r, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
fail(struct run *r, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->err, r->errlen, fmt, ap);
	va_end(ap);
	return code;
}

/* Names pasted into SQL must be plain: lower-case letters, digits, '_'. */
static bool
plain_name(const char *s)
{
	size_t n = strlen(s);

	return n > 0 && n <= 63 && strspn(s, "abcdefghijklmnopqrstuvwxyz"
	    "0123456789_") == n && !(s[0] >= '0' && s[0] <= '9');
}

/* Appends to the run's SQL buffer; a failure is noticed at sql_done(). */
static void
sql_add(struct run *r, const char *s)
{
	if (buf_puts(&r->sql, s) != 0)
		r->sql_bad = true;
}

static void
sql_ident(struct run *r, const char *name)
{
	sql_add(r, "\"");
	sql_add(r, name);
	sql_add(r, "\"");
}

static void
sql_start(struct run *r)
{
	buf_reset(&r->sql);
	r->sql_bad = false;
}

/* The finished statement text, or NULL when it outgrew SQL_CAP. */
static const char *
sql_done(struct run *r)
{
	return r->sql_bad || r->sql.data == NULL ? NULL : r->sql.data;
}

/* What went wrong with the last statement, for a message. */
static const char *
why(const struct run *r, db_t *db)
{
	return r->sql_bad ? "a statement outgrew its size limit" :
	    db_errmsg(db);
}

static void
names_free(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

static bool
has_name(char *const *names, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(names[i], name) == 0)
			return true;
	return false;
}

static int
one_int(db_t *db, const char *sql, int64_t *out)
{
	db_stmt_t *st;
	int rc;

	rc = db_prepare(db, sql, &st);
	if (rc != DB_OK)
		return rc;
	rc = db_step(st);
	if (rc == DB_ROW)
		*out = db_col_int(st, 0);
	db_done(st);
	return rc == DB_ROW ? DB_OK : DB_ERR;
}

/* Rows of table, or only those where cond holds (SQL of our own) if given. */
static int
count_where(struct run *r, db_t *db, const char *table, const char *cond,
    int64_t *out)
{
	const char *sql;

	sql_start(r);
	sql_add(r, "SELECT COUNT(*) FROM ");
	sql_ident(r, table);
	if (cond != NULL) {
		sql_add(r, " WHERE ");
		sql_add(r, cond);
	}
	sql = sql_done(r);
	if (sql == NULL)
		return DB_ERR;
	return one_int(db, sql, out);
}

static int
count_rows(struct run *r, db_t *db, const char *table, int64_t *out)
{
	return count_where(r, db, table, NULL, out);
}

/* The column names of table, in this database's order. */
static int
table_columns(struct run *r, db_t *db, const char *table, char ***out,
    size_t *n)
{
	db_stmt_t *st;
	const char *sql;
	char **cols;
	int rc, ncols;

	sql_start(r);
	sql_add(r, "SELECT * FROM ");
	sql_ident(r, table);
	sql_add(r, " LIMIT 1");
	sql = sql_done(r);
	if (sql == NULL)
		return DB_ERR;
	rc = db_prepare(db, sql, &st);
	if (rc != DB_OK)
		return rc;
	/* Stepped first: a PostgreSQL result describes its columns once run. */
	rc = db_step(st);
	if (rc != DB_ROW && rc != DB_DONE) {
		db_done(st);
		return DB_ERR;
	}
	ncols = db_col_count(st);
	cols = xcalloc((size_t)(ncols > 0 ? ncols : 1), sizeof(*cols));
	*n = 0;
	for (int i = 0; i < ncols; i++)
		if (!db_is_derived_column(db, db_col_name(st, i)))
			cols[(*n)++] = xstrdup(db_col_name(st, i));
	db_done(st);
	*out = cols;
	return DB_OK;
}

/* ---- reading in batches ---- */

static void
batch_clear(struct batch *b)
{
	for (size_t i = 0; i < b->n; i++) {
		for (int c = 0; c < b->rows[i].ncols; c++)
			free(b->rows[i].v[c].s);
		free(b->rows[i].v);
	}
	b->n = 0;
}

static void
batch_free(struct batch *b)
{
	batch_clear(b);
	free(b->rows);
	b->rows = NULL;
	b->cap = 0;
}

/* Key order, then the values' bytes (NULL first): the same on any side. */
static int
row_cmp(const void *pa, const void *pb)
{
	const struct mrow *a = pa, *b = pb;

	if (a->key != b->key)
		return a->key < b->key ? -1 : 1;
	for (int i = 0; i < a->ncols && i < b->ncols; i++) {
		const struct mval *x = &a->v[i], *y = &b->v[i];
		size_t n;
		int c;

		if (x->s == NULL || y->s == NULL) {
			if (x->s != y->s)
				return x->s == NULL ? -1 : 1;
			continue;
		}
		n = x->len < y->len ? x->len : y->len;
		c = n > 0 ? memcmp(x->s, y->s, n) : 0;
		if (c != 0)
			return c;
		if (x->len != y->len)
			return x->len < y->len ? -1 : 1;
	}
	return 0;
}

/* " WHERE [part = ? AND] key OP ?": one step of the keyset. */
static void
sql_where(struct run *r, const struct mtable *t, bool part, const char *op)
{
	sql_add(r, " WHERE ");
	if (part) {
		sql_ident(r, t->part);
		sql_add(r, " = ? AND ");
	}
	sql_ident(r, t->key);
	sql_add(r, op);
}

/* Binds [part,] then the keys, in the order sql_where() wrote them. */
static int
bind_keys(db_stmt_t *st, const char *part, int64_t a, bool two, int64_t b)
{
	int i = 1, rc = DB_OK;

	if (part != NULL)
		rc = db_bind_text(st, i++, part, strlen(part));
	if (rc == DB_OK)
		rc = db_bind_int(st, i++, a);
	if (rc == DB_OK && two)
		rc = db_bind_int(st, i, b);
	return rc;
}

/*
 * Reads the next batch of ts's table from db: the rows whose key lies in
 * [k, k + KEY_SPAN), where k is the smallest key above after. Both
 * statements are a range on an indexed key, cheap whatever the planner
 * knows; a freshly filled PostgreSQL table has no statistics yet, and an
 * "ORDER BY key LIMIT n OFFSET m" would then sort the rest of the table at
 * every batch. All rows of one key come in the same batch. *more is false
 * after the last batch; *last is the highest key the batch covered.
 */
static int
read_batch(struct run *r, db_t *db, struct tstate *ts, const char *part,
    int64_t after, struct batch *b, bool *more, int64_t *last)
{
	const struct mtable *t = ts->t;
	const char *sql;
	db_stmt_t *st;
	int64_t lo = 0, hi;
	bool none;
	int rc;

	batch_clear(b);
	*more = false;
	*last = after;
	sql_start(r);
	sql_add(r, "SELECT MIN(");
	sql_ident(r, t->key);
	sql_add(r, ") FROM ");
	sql_ident(r, t->name);
	sql_where(r, t, part != NULL, " > ?");
	sql = sql_done(r);
	if (sql == NULL)
		return DB_ERR;
	rc = db_prepare(db, sql, &st);
	if (rc != DB_OK)
		return rc;
	rc = bind_keys(st, part, after, false, 0);
	if (rc == DB_OK)
		rc = db_step(st);
	none = rc != DB_ROW || db_col_null(st, 0);
	if (rc == DB_ROW && !none)
		lo = db_col_int(st, 0);
	db_done(st);
	if (rc != DB_ROW)
		return DB_ERR;
	if (none)
		return DB_OK;	/* no keys above after: done */
	hi = lo > INT64_MAX - (KEY_SPAN - 1) ? INT64_MAX : lo + (KEY_SPAN - 1);

	sql_start(r);
	sql_add(r, "SELECT ");
	for (size_t i = 0; i < ts->ncols; i++) {
		if (i > 0)
			sql_add(r, ", ");
		sql_ident(r, ts->cols[i]);
	}
	sql_add(r, " FROM ");
	sql_ident(r, t->name);
	sql_where(r, t, part != NULL, " >= ? AND ");
	sql_ident(r, t->key);
	sql_add(r, " <= ? ORDER BY ");
	sql_ident(r, t->key);
	sql = sql_done(r);
	if (sql == NULL)
		return DB_ERR;
	rc = db_prepare(db, sql, &st);
	if (rc != DB_OK)
		return rc;
	rc = bind_keys(st, part, lo, true, hi);
	while (rc == DB_OK && (rc = db_step(st)) == DB_ROW) {
		struct mrow *row;

		if (b->n == b->cap) {
			b->cap = b->cap ? b->cap * 2 : KEY_SPAN;
			b->rows = xrealloc(b->rows, b->cap * sizeof(*b->rows));
		}
		row = &b->rows[b->n++];
		row->key = db_col_int(st, ts->keycol);
		row->ncols = (int)ts->ncols;
		row->v = xcalloc(ts->ncols, sizeof(*row->v));
		for (size_t i = 0; i < ts->ncols; i++) {
			const char *s;
			size_t len = 0;

			if (db_col_null(st, (int)i))
				continue;
			s = db_col_text(st, (int)i, &len);
			row->v[i].s = xmalloc(len + 1);
			memcpy(row->v[i].s, s, len);
			row->v[i].s[len] = '\0';
			row->v[i].len = len;
		}
		rc = DB_OK;
	}
	db_done(st);
	if (rc != DB_DONE)
		return DB_ERR;
	if (b->n > 1)
		qsort(b->rows, b->n, sizeof(*b->rows), row_cmp);
	*last = hi;
	*more = hi != INT64_MAX;
	return DB_OK;
}

static int
str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The distinct values of the table's split column, in byte order. */
static int
read_parts(struct run *r, db_t *db, const struct mtable *t, char ***out,
    size_t *n)
{
	const char *sql;
	db_stmt_t *st;
	char **v = NULL;
	size_t len = 0, cap = 0;
	int rc;

	sql_start(r);
	sql_add(r, "SELECT DISTINCT ");
	sql_ident(r, t->part);
	sql_add(r, " FROM ");
	sql_ident(r, t->name);
	sql = sql_done(r);
	if (sql == NULL)
		return DB_ERR;
	rc = db_prepare(db, sql, &st);
	if (rc != DB_OK)
		return rc;
	while ((rc = db_step(st)) == DB_ROW) {
		if (len == cap) {
			cap = cap ? cap * 2 : 8;
			v = xrealloc(v, cap * sizeof(*v));
		}
		v[len++] = xstrdup(db_col_null(st, 0) ? "" :
		    db_col_text(st, 0, NULL));
	}
	db_done(st);
	if (rc != DB_DONE) {
		names_free(v, len);
		return DB_ERR;
	}
	if (len > 1)
		qsort(v, len, sizeof(*v), str_cmp);
	*out = v;
	*n = len;
	return DB_OK;
}

/*
 * Reads ts's whole table from db batch by batch and hands each batch to fn
 * with the table's checksum state: the one reading loop that both the copy
 * and the verification use, so both sides are hashed alike.
 */
static int
scan(struct run *r, db_t *db, struct tstate *ts, batch_fn *fn,
    crypto_generichash_state *h)
{
	struct batch b = { NULL, 0, 0 };
	char **parts = NULL;
	size_t nparts = 1;
	int rc = DB_OK;

	if (ts->t->part != NULL) {
		rc = read_parts(r, db, ts->t, &parts, &nparts);
		if (rc != DB_OK)
			return rc;
	}
	for (size_t p = 0; p < nparts && rc == DB_OK; p++) {
		int64_t after = INT64_MIN, last = INT64_MIN;
		bool more = true;

		while (more && rc == DB_OK) {
			rc = read_batch(r, db, ts, parts ? parts[p] : NULL, after,
			    &b, &more, &last);
			if (rc == DB_OK && b.n > 0)
				rc = fn(r, ts, &b, h);
			after = last;
		}
	}
	batch_free(&b);
	if (parts != NULL)
		names_free(parts, nparts);
	return rc;
}

/* ---- the checksum ---- */

static void
hash_u64(crypto_generichash_state *h, uint64_t v)
{
	unsigned char le[8];

	for (int i = 0; i < 8; i++)
		le[i] = (unsigned char)(v >> (8 * i));
	crypto_generichash_update(h, le, sizeof(le));
}

/*
 * One row in a canonical form: the column count, then per column its name
 * and either a NULL marker or the value's text, each with its length in
 * front so that no two different rows can hash the same bytes.
 */
static void
hash_row(crypto_generichash_state *h, const struct tstate *ts,
    const struct mrow *row)
{
	static const unsigned char null_mark = 0, value_mark = 1;

	hash_u64(h, (uint64_t)ts->ncols);
	for (size_t i = 0; i < ts->ncols; i++) {
		hash_u64(h, strlen(ts->cols[i]));
		crypto_generichash_update(h, (const unsigned char *)ts->cols[i],
		    strlen(ts->cols[i]));
		if (row->v[i].s == NULL) {
			crypto_generichash_update(h, &null_mark, 1);
			continue;
		}
		crypto_generichash_update(h, &value_mark, 1);
		hash_u64(h, row->v[i].len);
		crypto_generichash_update(h, (const unsigned char *)row->v[i].s,
		    row->v[i].len);
	}
}

static void
report(struct run *r, const struct tstate *ts, enum migrate_phase phase,
    bool table_done)
{
	struct migrate_progress p = { ts->t->name, phase, ts->done, ts->total,
	    table_done };

	if (r->progress != NULL)
		r->progress(r->arg, &p);
}

/* ---- copying ---- */

/* One INSERT of n rows: "INSERT INTO t (a, b) VALUES (?, ?), (?, ?)". */
static int
insert_rows(struct run *r, const struct tstate *ts, const struct mrow *rows,
    size_t n)
{
	const char *sql;
	db_stmt_t *st;
	int rc, idx = 1;

	sql_start(r);
	sql_add(r, "INSERT INTO ");
	sql_ident(r, ts->t->name);
	sql_add(r, " (");
	for (size_t i = 0; i < ts->ncols; i++) {
		if (i > 0)
			sql_add(r, ", ");
		sql_ident(r, ts->cols[i]);
	}
	sql_add(r, ") VALUES ");
	for (size_t k = 0; k < n; k++) {
		sql_add(r, k > 0 ? ", (" : "(");
		for (size_t i = 0; i < ts->ncols; i++)
			sql_add(r, i > 0 ? ", ?" : "?");
		sql_add(r, ")");
	}
	sql = sql_done(r);
	if (sql == NULL)
		return DB_ERR;
	rc = db_prepare(r->to, sql, &st);
	if (rc != DB_OK)
		return rc;
	for (size_t k = 0; k < n && rc == DB_OK; k++)
		for (size_t i = 0; i < ts->ncols && rc == DB_OK; i++, idx++) {
			const struct mval *v = &rows[k].v[i];

			rc = v->s == NULL ? db_bind_null(st, idx) :
			    db_bind_text(st, idx, v->s, v->len);
		}
	if (rc == DB_OK)
		rc = db_step(st) == DB_DONE ? DB_OK : DB_ERR;
	db_done(st);
	return rc;
}

/* A batch read from the source: hashed, then written in one transaction. */
static int
copy_batch(struct run *r, struct tstate *ts, struct batch *b,
    crypto_generichash_state *h)
{
	size_t per = INSERT_MAX_PARAMS / (ts->ncols > 0 ? ts->ncols : 1);
	int rc;

	if (per < 1)
		per = 1;
	if (per > INSERT_MAX_ROWS)
		per = INSERT_MAX_ROWS;
	for (size_t i = 0; i < b->n; i++)
		hash_row(h, ts, &b->rows[i]);
	rc = db_begin(r->to);
	for (size_t i = 0; i < b->n && rc == DB_OK; i += per)
		rc = insert_rows(r, ts, &b->rows[i], b->n - i < per ? b->n - i : per);
	if (rc == DB_OK)
		rc = db_commit(r->to);
	if (rc != DB_OK) {
		/* The message is kept before ROLLBACK could overwrite it. */
		fail(r, CRM_EDB, "copying %s: %s", ts->t->name,
		    why(r, r->to));
		db_rollback(r->to);
		return rc;
	}
	ts->done += (int64_t)b->n;
	report(r, ts, MIGRATE_COPY, false);
	return DB_OK;
}

static int
verify_batch(struct run *r, struct tstate *ts, struct batch *b,
    crypto_generichash_state *h)
{
	for (size_t i = 0; i < b->n; i++)
		hash_row(h, ts, &b->rows[i]);
	ts->done += (int64_t)b->n;
	report(r, ts, MIGRATE_VERIFY, false);
	return DB_OK;
}

static int
copy_table(struct run *r, struct tstate *ts)
{
	crypto_generichash_state h;
	int rc;

	ts->done = 0;
	report(r, ts, MIGRATE_COPY, false);
	crypto_generichash_init(&h, NULL, 0, SUM_LEN);
	r->err[0] = '\0';
	rc = scan(r, r->from, ts, copy_batch, &h);
	if (rc != DB_OK)
		return r->err[0] != '\0' ? CRM_EDB : fail(r, CRM_EDB,
		    "reading %s from the source: %s", ts->t->name,
		    why(r, r->from));
	crypto_generichash_final(&h, ts->sum, sizeof(ts->sum));
	if (ts->done != ts->total)
		return fail(r, CRM_EDB, "copying %s: the source had %lld rows "
		    "but %lld were read; was it written to meanwhile?",
		    ts->t->name, (long long)ts->total, (long long)ts->done);
	if (ts->t->ids && db_reset_ids(r->to, ts->t->name) != DB_OK)
		return fail(r, CRM_EDB, "copying %s: cannot move its id "
		    "sequence on: %s", ts->t->name, why(r, r->to));
	report(r, ts, MIGRATE_COPY, true);
	return CRM_OK;
}

static int
verify_table(struct run *r, struct tstate *ts)
{
	crypto_generichash_state h;
	unsigned char sum[SUM_LEN];
	int64_t n;

	if (count_rows(r, r->to, ts->t->name, &n) != DB_OK)
		return fail(r, CRM_EDB, "verifying %s: %s", ts->t->name,
		    why(r, r->to));
	if (n != ts->total)
		return fail(r, CRM_EDB, "verifying %s: row counts differ: %lld "
		    "in the source, %lld in the target", ts->t->name,
		    (long long)ts->total, (long long)n);
	ts->done = 0;
	report(r, ts, MIGRATE_VERIFY, false);
	crypto_generichash_init(&h, NULL, 0, SUM_LEN);
	if (scan(r, r->to, ts, verify_batch, &h) != DB_OK)
		return fail(r, CRM_EDB, "verifying %s: %s", ts->t->name,
		    why(r, r->to));
	crypto_generichash_final(&h, sum, sizeof(sum));
	if (ts->done != ts->total)
		return fail(r, CRM_EDB, "verifying %s: row counts differ: %lld "
		    "in the source, %lld read back from the target",
		    ts->t->name, (long long)ts->total, (long long)ts->done);
	if (sodium_memcmp(sum, ts->sum, sizeof(sum)) != 0)
		return fail(r, CRM_EDB, "verifying %s: checksums differ: a value "
		    "in the target is not the one in the source", ts->t->name);
	report(r, ts, MIGRATE_VERIFY, true);
	return CRM_OK;
}

/* ---- what must hold before anything is written ---- */

static const struct mtable *
known_table(const char *name)
{
	for (size_t i = 0; i < NTABLES; i++)
		if (strcmp(mtables[i].name, name) == 0)
			return &mtables[i];
	return NULL;
}

static int
check_versions(struct run *r)
{
	static const char sql[] = "SELECT COALESCE(MAX(version), 0) FROM "
	    "schema_migrations";
	int64_t a, b;

	if (one_int(r->from, sql, &a) != DB_OK)
		return fail(r, CRM_EDB, "reading the source's schema version: %s",
		    why(r, r->from));
	if (one_int(r->to, sql, &b) != DB_OK)
		return fail(r, CRM_EDB, "reading the target's schema version: %s",
		    why(r, r->to));
	if (a != b)
		return fail(r, CRM_EINVAL, "the schema versions differ (source "
		    "%lld, target %lld): run the same crm version on both",
		    (long long)a, (long long)b);
	return CRM_OK;
}

/*
 * Every table of either schema must be in mtables[], and the two schemas
 * must have the same tables with the same columns.
 */
static int
check_tables(struct run *r, struct tstate *ts)
{
	char **from = NULL, **to = NULL;
	size_t nfrom = 0, nto = 0;
	int rc = CRM_OK;

	if (db_tables(r->from, &from, &nfrom) != DB_OK)
		return fail(r, CRM_EDB, "listing the source's tables: %s",
		    why(r, r->from));
	if (db_tables(r->to, &to, &nto) != DB_OK) {
		db_names_free(from, nfrom);
		return fail(r, CRM_EDB, "listing the target's tables: %s",
		    why(r, r->to));
	}
	for (size_t i = 0; i < nfrom && rc == CRM_OK; i++)
		if (known_table(from[i]) == NULL)
			rc = fail(r, CRM_EINVAL, "the source has a table \"%s\" "
			    "that crm migrate-db does not know how to copy; "
			    "nothing was copied (a bug: add the table to "
			    "mtables[] in src/core/migrate_db.c)", from[i]);
	for (size_t i = 0; i < nto && rc == CRM_OK; i++)
		if (known_table(to[i]) == NULL)
			rc = fail(r, CRM_EINVAL, "the target has a table \"%s\" "
			    "that crm migrate-db does not know how to copy; "
			    "nothing was copied (a bug: add the table to "
			    "mtables[] in src/core/migrate_db.c)", to[i]);
	/* A listed table in neither schema belongs to a later migration. */
	for (size_t i = 0; i < NTABLES && rc == CRM_OK; i++) {
		bool a = has_name(from, nfrom, mtables[i].name);
		bool b = has_name(to, nto, mtables[i].name);

		ts[i].t = &mtables[i];
		ts[i].present = a && b;
		if (a != b)
			rc = fail(r, CRM_EINVAL, "the schemas differ: table %s is "
			    "only in the %s", mtables[i].name, a ? "source" :
			    "target");
	}
	db_names_free(from, nfrom);
	db_names_free(to, nto);
	return rc;
}

static int
check_columns(struct run *r, struct tstate *ts)
{
	const struct mtable *t = ts->t;
	char **other;
	size_t nother;
	int rc = CRM_OK;

	if (table_columns(r, r->from, t->name, &ts->cols, &ts->ncols) != DB_OK)
		return fail(r, CRM_EDB, "reading the columns of %s in the "
		    "source: %s", t->name, why(r, r->from));
	if (table_columns(r, r->to, t->name, &other, &nother) != DB_OK)
		return fail(r, CRM_EDB, "reading the columns of %s in the "
		    "target: %s", t->name, why(r, r->to));
	ts->keycol = -1;
	for (size_t i = 0; i < ts->ncols && rc == CRM_OK; i++) {
		if (!plain_name(ts->cols[i]))
			rc = fail(r, CRM_EINVAL, "table %s has a column named "
			    "\"%s\", which crm migrate-db does not expect",
			    t->name, ts->cols[i]);
		else if (!has_name(other, nother, ts->cols[i]))
			rc = fail(r, CRM_EINVAL, "the schemas differ: column "
			    "%s.%s is only in the source", t->name, ts->cols[i]);
		else if (strcmp(ts->cols[i], t->key) == 0)
			ts->keycol = (int)i;
	}
	for (size_t i = 0; i < nother && rc == CRM_OK; i++)
		if (!has_name(ts->cols, ts->ncols, other[i]))
			rc = fail(r, CRM_EINVAL, "the schemas differ: column "
			    "%s.%s is only in the target", t->name, other[i]);
	if (rc == CRM_OK && (ts->keycol < 0 || (t->part != NULL &&
	    !has_name(ts->cols, ts->ncols, t->part))))
		rc = fail(r, CRM_EINVAL, "table %s lacks the columns crm "
		    "migrate-db reads it by (%s%s%s)", t->name, t->key,
		    t->part ? ", " : "", t->part ? t->part : "");
	names_free(other, nother);
	return rc;
}

/*
 * Empty, but for the rows its own migrations put into a fresh database
 * (the top department, the built-in roles): those give way to the
 * source's own.
 */
static int
check_empty(struct run *r, const struct tstate *ts)
{
	int64_t n, seeds = 0;

	if (ts->t->seed != NULL) {
		if (count_where(r, r->to, ts->t->name, ts->t->seed, &seeds) != DB_OK)
			return fail(r, CRM_EDB, "counting %s in the target: %s",
			    ts->t->name, why(r, r->to));
	}
	if (count_rows(r, r->to, ts->t->name, &n) != DB_OK)
		return fail(r, CRM_EDB, "counting %s in the target: %s",
		    ts->t->name, why(r, r->to));
	n -= seeds;
	if (n > 0)
		return fail(r, CRM_EINVAL, "the target is not empty: table %s "
		    "has %lld row%s; crm migrate-db copies only into a freshly "
		    "created, empty database (nothing was changed)", ts->t->name,
		    (long long)n, n == 1 ? "" : "s");
	return CRM_OK;
}

/*
 * Whether t is kept by triggers on a table copied before it (a report's
 * tally): the copy of that table fills it in the target, so it is emptied
 * right before its own copy, which must then match the source's rows.
 */
static bool
derived(const struct mtable *t)
{
	return strcmp(t->name, "contact_tally") == 0 ||
	    strcmp(t->name, "activity_tally") == 0 ||
	    strcmp(t->name, "audit_tally") == 0;
}

static int
clear_derived(struct run *r, const struct mtable *t)
{
	char sql[128];

	snprintf(sql, sizeof(sql), "DELETE FROM %s", t->name);
	if (db_exec(r->to, sql) != DB_OK)
		return fail(r, CRM_EDB, "clearing %s in the target: %s", t->name,
		    why(r, r->to));
	return CRM_OK;
}

static int
drop_seeds(struct run *r, const struct mtable *t)
{
	char sql[192];

	snprintf(sql, sizeof(sql), "DELETE FROM %s WHERE %s", t->name, t->seed);
	if (db_exec(r->to, sql) != DB_OK)
		return fail(r, CRM_EDB, "clearing %s in the target: %s", t->name,
		    why(r, r->to));
	return CRM_OK;
}

int
migrate_db(db_t *from, db_t *to, migrate_progress_fn *progress, void *arg,
    struct migrate_stats *stats, char *err, size_t errlen)
{
	struct run r = { from, to, progress, arg, err, errlen, { 0 }, false };
	struct tstate ts[NTABLES];
	size_t i;
	int rc;

	memset(ts, 0, sizeof(ts));
	buf_init(&r.sql, SQL_CAP);
	if (stats != NULL) {
		stats->tables = 0;
		stats->rows = 0;
	}
	/*
	 * One read transaction on the source for the whole run: every table is
	 * read as of the same moment, and on SQLite, whose BEGIN takes the
	 * write lock, a server still running on it cannot write meanwhile.
	 */
	if (db_begin(from) != DB_OK) {
		rc = fail(&r, CRM_EDB, "cannot lock the source (is a crm serve "
		    "still running on it? stop it first): %s", why(&r, from));
		buf_free(&r.sql);
		return rc;
	}
	rc = check_versions(&r);
	if (rc == CRM_OK)
		rc = check_tables(&r, ts);
	for (i = 0; i < NTABLES && rc == CRM_OK; i++)
		if (ts[i].present)
			rc = check_columns(&r, &ts[i]);
	for (i = 0; i < NTABLES && rc == CRM_OK; i++)
		if (ts[i].present)
			rc = check_empty(&r, &ts[i]);
	for (i = 0; i < NTABLES && rc == CRM_OK; i++)
		if (ts[i].present && count_rows(&r, from, ts[i].t->name,
		    &ts[i].total) != DB_OK)
			rc = fail(&r, CRM_EDB, "counting %s in the source: %s",
			    ts[i].t->name, why(&r, from));

	/* Last table first: seeded stages go before their pipelines. */
	for (i = NTABLES; i-- > 0 && rc == CRM_OK;)
		if (ts[i].present && ts[i].t->seed != NULL)
			rc = drop_seeds(&r, ts[i].t);
	for (i = 0; i < NTABLES && rc == CRM_OK; i++) {
		if (!ts[i].present)
			continue;
		if (derived(ts[i].t))
			rc = clear_derived(&r, ts[i].t);
		if (rc == CRM_OK)
			rc = copy_table(&r, &ts[i]);
	}
	/*
	 * Fresh statistics, or the planner of a freshly filled PostgreSQL
	 * guesses (and verification's range reads suffer first). ANALYZE is
	 * the same word in both dialects.
	 */
	if (rc == CRM_OK && db_exec(to, "ANALYZE") != DB_OK)
		rc = fail(&r, CRM_EDB, "ANALYZE on the target: %s", why(&r, to));
	for (i = 0; i < NTABLES && rc == CRM_OK; i++)
		if (ts[i].present)
			rc = verify_table(&r, &ts[i]);

	if (rc == CRM_OK && stats != NULL)
		for (i = 0; i < NTABLES; i++)
			if (ts[i].present) {
				stats->tables++;
				stats->rows += ts[i].total;
			}
	db_rollback(from);	/* it only read */
	for (i = 0; i < NTABLES; i++)
		if (ts[i].cols != NULL)
			names_free(ts[i].cols, ts[i].ncols);
	buf_free(&r.sql);
	return rc;
}
