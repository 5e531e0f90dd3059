/*
 * The PostgreSQL driver of the store (libpq).
 *
 * The rest of the program writes SQL with '?' placeholders; this driver
 * rewrites them to $1..$n, prepares each distinct statement once per
 * connection (named s1, s2, ...) and sends values as text, letting the
 * server infer their types from the statement. Results are read whole (a
 * page is at most a few hundred rows).
 *
 * A lost connection is reset before the next statement. If it was lost
 * inside a transaction, every statement fails until the caller rolls back,
 * so a half-done transaction can never continue in autocommit mode: what
 * was acknowledged was committed, and nothing else was.
 */
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/driver.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/text.h"

#define STMT_CACHE 256
#define SQL_MAX (64 * 1024)

struct pg_stmt {
	struct db_stmt	 base;
	char		 name[16];
	char		*sql;		/* as given, with '?' */
	uint64_t	 hash;
	bool		 busy;
	bool		 prepared;	/* on the current server session */
	int		 nparams;
	char		**vals;		/* text values, NULL for SQL NULL */
	PGresult	*res;
	int		 row;
	int		 nrows;
};

struct pg {
	struct db	 base;
	PGconn		*conn;
	struct pg_stmt	 cache[STMT_CACHE];
	size_t		 ncache;
	int64_t		 changes;
	bool		 in_txn;
	bool		 txn_lost;	/* the connection dropped mid-transaction */
};

#define PG(db) ((struct pg *)(void *)(db))
#define PST(st) ((struct pg_stmt *)(void *)(st))

static const struct db_driver pg_driver;

/* Every statement's bound, ms; db_set_deadline(db, 0) comes back to it. */
#define PG_STATEMENT_TIMEOUT "30000"

/* Maps a failed result to a DB_E* code and keeps its message. */
static int
fail(struct pg *p, PGresult *res)
{
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	const char *msg = res ? PQresultErrorMessage(res) : PQerrorMessage(p->conn);

	db_set_err(&p->base, "%.*s", (int)strcspn(msg, "\n"), msg);
	p->base.fault = DB_FAULT_NONE;
	if (state != NULL && (strcmp(state, "53100") == 0 ||
	    strcmp(state, "53400") == 0))
		p->base.fault = DB_FAULT_FULL;
	else if (state != NULL && (strcmp(state, "25006") == 0 ||
	    strncmp(state, "58", 2) == 0))
		p->base.fault = DB_FAULT_READONLY;
	else if (state != NULL && strcmp(state, "55P03") == 0)
		p->base.fault = DB_FAULT_BUSY;
	else if (state != NULL && strcmp(state, "57014") == 0)
		p->base.fault = DB_FAULT_TIMEOUT;	/* statement_timeout */
	if (state != NULL && strncmp(state, "23", 2) == 0)
		return DB_ECONSTRAINT;
	if (state != NULL && (strcmp(state, "40001") == 0 ||
	    strcmp(state, "40P01") == 0 || strcmp(state, "55P03") == 0))
		return DB_EBUSY;
	return DB_ERR;
}

/* Session settings, after every (re)connect. */
static int
setup(struct pg *p)
{
	PGresult *res = PQexec(p->conn,
	    "SET client_encoding = 'UTF8'; SET statement_timeout = " PG_STATEMENT_TIMEOUT "; "
	    "SET lock_timeout = 10000; "
	    "SET idle_in_transaction_session_timeout = 60000; "
	    /* Many short queries at once: parallel workers only add overhead. */
	    "SET max_parallel_workers_per_gather = 0; "
	    "SET client_min_messages = warning");
	int rc = PQresultStatus(res) == PGRES_COMMAND_OK ? DB_OK : fail(p, res);

	PQclear(res);
	return rc;
}

/*
 * Before each statement: if the server went away, reconnect. Statements
 * prepared on the old session are gone; a transaction is lost.
 */
static int
ensure_conn(struct pg *p)
{
	if (p->txn_lost) {
		db_set_err(&p->base, "the connection to PostgreSQL was lost in a "
		    "transaction; it was rolled back");
		return DB_ERR;
	}
	if (PQstatus(p->conn) == CONNECTION_OK)
		return DB_OK;
	PQreset(p->conn);
	for (size_t i = 0; i < p->ncache; i++)
		p->cache[i].prepared = false;
	if (p->in_txn)
		p->txn_lost = true;
	if (PQstatus(p->conn) != CONNECTION_OK) {
		db_set_err(&p->base, "PostgreSQL is unreachable: %.*s",
		    (int)strcspn(PQerrorMessage(p->conn), "\n"),
		    PQerrorMessage(p->conn));
		return DB_ERR;
	}
	if (setup(p) != DB_OK)
		return DB_ERR;
	if (p->txn_lost) {
		db_set_err(&p->base, "the connection to PostgreSQL was lost in a "
		    "transaction; it was rolled back");
		return DB_ERR;
	}
	return DB_OK;
}

static void
pg_close(db_t *db)
{
	struct pg *p = PG(db);

	for (size_t i = 0; i < p->ncache; i++) {
		PQclear(p->cache[i].res);
		free(p->cache[i].sql);
		free(p->cache[i].vals);
	}
	PQfinish(p->conn);
	free(p);
}

int
pg_open(const char *url, db_t **out, char *err, size_t errlen)
{
	struct pg *p = xcalloc(1, sizeof(*p));

	p->base.drv = &pg_driver;
	p->conn = PQconnectdb(url);
	if (PQstatus(p->conn) != CONNECTION_OK) {
		const char *m = PQerrorMessage(p->conn);

		snprintf(err, errlen, "cannot connect to PostgreSQL: %.*s",
		    (int)strcspn(m, "\n"), m);
		pg_close(&p->base);
		return DB_EOPEN;
	}
	if (setup(p) != DB_OK) {
		snprintf(err, errlen, "PostgreSQL: %s", p->base.err);
		pg_close(&p->base);
		return DB_EOPEN;
	}
	*out = &p->base;
	return DB_OK;
}

static int
pg_exec(db_t *db, const char *sql)
{
	struct pg *p = PG(db);
	PGresult *res;
	ExecStatusType st;
	int rc;

	if (ensure_conn(p) != DB_OK)
		return DB_ERR;
	res = PQexec(p->conn, sql);
	st = PQresultStatus(res);
	rc = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK ? DB_OK : fail(p, res);
	PQclear(res);
	if (rc != DB_OK && PQstatus(p->conn) != CONNECTION_OK && p->in_txn)
		p->txn_lost = true;
	return rc;
}

static int
pg_begin(db_t *db)
{
	struct pg *p = PG(db);
	int rc = pg_exec(db, "BEGIN");

	if (rc == DB_OK)
		p->in_txn = true;
	return rc;
}

static bool
pg_in_txn(db_t *db)
{
	return PG(db)->in_txn;
}

static int
pg_commit(db_t *db)
{
	struct pg *p = PG(db);
	PGresult *res;
	int rc;

	if (p->txn_lost) {
		p->txn_lost = p->in_txn = false;
		db_set_err(db, "the connection to PostgreSQL was lost in a "
		    "transaction; it was rolled back");
		return DB_ERR;
	}
	res = PQexec(p->conn, "COMMIT");
	/* An aborted transaction "commits" as ROLLBACK without an error. */
	if (PQresultStatus(res) == PGRES_COMMAND_OK &&
	    strcmp(PQcmdStatus(res), "COMMIT") == 0) {
		rc = DB_OK;
	} else {
		rc = PQresultStatus(res) == PGRES_COMMAND_OK ? DB_ERR : fail(p, res);
		if (PQresultStatus(res) == PGRES_COMMAND_OK)
			db_set_err(db, "the transaction was rolled back");
	}
	PQclear(res);
	p->in_txn = false;
	return rc;
}

static int
pg_rollback(db_t *db)
{
	struct pg *p = PG(db);
	PGresult *res;

	p->in_txn = false;
	if (p->txn_lost || PQstatus(p->conn) != CONNECTION_OK) {
		p->txn_lost = false;
		return DB_OK;	/* the server already rolled it back */
	}
	res = PQexec(p->conn, "ROLLBACK");
	PQclear(res);
	return DB_OK;
}

/* '?' to $n outside string literals and quoted identifiers. */
static int
rewrite(const char *sql, struct buf *out, int *nparams)
{
	char quote = 0;
	int n = 0;

	for (const char *s = sql; *s; s++) {
		if (quote != 0) {
			if (*s == quote)
				quote = 0;
			buf_putc(out, *s);
		} else if (*s == '\'' || *s == '"') {
			quote = *s;
			buf_putc(out, *s);
		} else if (*s == '?') {
			buf_printf(out, "$%d", ++n);
		} else {
			buf_putc(out, *s);
		}
	}
	*nparams = n;
	return out->data != NULL && out->len < SQL_MAX ? 0 : -1;
}

static int
pg_prepare(db_t *db, const char *sql, db_stmt_t **out)
{
	struct pg *p = PG(db);
	uint64_t h = db_sql_hash(sql);
	struct pg_stmt *slot = NULL;
	struct buf text;
	PGresult *res;
	int rc;

	if (ensure_conn(p) != DB_OK)
		return DB_ERR;
	for (size_t i = 0; i < p->ncache; i++) {
		struct pg_stmt *c = &p->cache[i];

		if (c->hash == h && !c->busy && strcmp(c->sql, sql) == 0) {
			slot = c;
			break;
		}
	}
	if (slot == NULL) {
		if (p->ncache == STMT_CACHE) {
			/* Full: forget an idle statement; it is deallocated below. */
			for (size_t i = 0; i < STMT_CACHE && slot == NULL; i++)
				if (!p->cache[i].busy)
					slot = &p->cache[i];
			if (slot == NULL) {
				db_set_err(db, "too many statements open at once");
				return DB_ERR;
			}
			if (slot->prepared) {
				char dealloc[48];

				snprintf(dealloc, sizeof(dealloc), "DEALLOCATE %s",
				    slot->name);
				PQclear(PQexec(p->conn, dealloc));
			}
			free(slot->sql);
			free(slot->vals);
			slot->sql = NULL;
			slot->vals = NULL;
			slot->prepared = false;
		} else {
			slot = &p->cache[p->ncache];
			snprintf(slot->name, sizeof(slot->name), "s%zu", p->ncache);
			p->ncache++;
		}
		slot->base.db = db;
		slot->sql = xstrdup(sql);
		slot->hash = h;
	}
	if (!slot->prepared) {
		buf_init(&text, SQL_MAX);
		if (rewrite(sql, &text, &slot->nparams) != 0) {
			buf_free(&text);
			db_set_err(db, "statement too long");
			return DB_ERR;
		}
		res = PQprepare(p->conn, slot->name, text.data, 0, NULL);
		buf_free(&text);
		if (PQresultStatus(res) != PGRES_COMMAND_OK) {
			rc = fail(p, res);
			PQclear(res);
			if (PQstatus(p->conn) != CONNECTION_OK && p->in_txn)
				p->txn_lost = true;
			return rc;
		}
		PQclear(res);
		slot->prepared = true;
		free(slot->vals);
		slot->vals = xcalloc((size_t)slot->nparams + 1, sizeof(char *));
	}
	slot->busy = true;
	slot->res = NULL;
	slot->row = -1;
	slot->nrows = 0;
	*out = &slot->base;
	return DB_OK;
}

static int
set_val(db_stmt_t *st, int idx, char *v)
{
	struct pg_stmt *s = PST(st);

	if (idx < 1 || idx > s->nparams) {
		free(v);
		db_set_err(st->db, "bind index %d out of range", idx);
		return DB_ERR;
	}
	free(s->vals[idx - 1]);
	s->vals[idx - 1] = v;
	return DB_OK;
}

static int
pg_bind_int(db_stmt_t *st, int idx, int64_t v)
{
	char num[24];

	snprintf(num, sizeof(num), "%lld", (long long)v);
	return set_val(st, idx, xstrdup(num));
}

static int
pg_bind_text(db_stmt_t *st, int idx, const char *s, size_t len)
{
	return set_val(st, idx, xstrndup(s, len));
}

static int
pg_bind_null(db_stmt_t *st, int idx)
{
	return set_val(st, idx, NULL);
}

static int
pg_step(db_stmt_t *st)
{
	struct pg_stmt *s = PST(st);
	struct pg *p = PG(st->db);
	ExecStatusType status;

	if (s->res == NULL) {
		if (ensure_conn(p) != DB_OK)
			return DB_ERR;
		if (!s->prepared) {
			db_set_err(st->db, "the connection was reset; retry");
			return DB_ERR;
		}
		s->res = PQexecPrepared(p->conn, s->name, s->nparams,
		    (const char *const *)s->vals, NULL, NULL, 0);
		status = PQresultStatus(s->res);
		if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
			int rc = fail(p, s->res);

			if (PQstatus(p->conn) != CONNECTION_OK && p->in_txn)
				p->txn_lost = true;
			return rc;
		}
		p->changes = strtoll(PQcmdTuples(s->res), NULL, 10);
		s->nrows = status == PGRES_TUPLES_OK ? PQntuples(s->res) : 0;
		s->row = -1;
	}
	if (s->row + 1 < s->nrows) {
		s->row++;
		return DB_ROW;
	}
	return DB_DONE;
}

static bool
pg_col_null(db_stmt_t *st, int col)
{
	return PQgetisnull(PST(st)->res, PST(st)->row, col) != 0;
}

static int64_t
pg_col_int(db_stmt_t *st, int col)
{
	return strtoll(PQgetvalue(PST(st)->res, PST(st)->row, col), NULL, 10);
}

static const char *
pg_col_text(db_stmt_t *st, int col, size_t *len)
{
	struct pg_stmt *s = PST(st);

	if (len != NULL)
		*len = (size_t)PQgetlength(s->res, s->row, col);
	return PQgetvalue(s->res, s->row, col);
}

static int
pg_col_count(db_stmt_t *st)
{
	return PQnfields(PST(st)->res);
}

static const char *
pg_col_name(db_stmt_t *st, int col)
{
	return PQfname(PST(st)->res, col);
}

static void
pg_done(db_stmt_t *st)
{
	struct pg_stmt *s = PST(st);

	PQclear(s->res);
	s->res = NULL;
	for (int i = 0; s->vals != NULL && i < s->nparams; i++) {
		free(s->vals[i]);
		s->vals[i] = NULL;
	}
	s->busy = false;
}

static int64_t
pg_changes(db_t *db)
{
	return PG(db)->changes;
}

/* A prefix tsquery of one lexeme: 'w''s':*, quotes and backslashes doubled. */
static void
tsquery_prefix(struct buf *lit, const char *w, size_t len)
{
	buf_putc(lit, '\'');
	for (size_t k = 0; k < len; k++) {
		if (w[k] == '\'' || w[k] == '\\')
			buf_putc(lit, w[k]);
		buf_putc(lit, w[k]);
	}
	buf_puts(lit, "':*");
}

/*
 * pg_trgm and a 'simple' text search vector: a prefix tsquery over
 * unaccented words (a GIN index on the stored search_words) for word
 * starts, and ILIKE '%word%' (a trigram GIN index) for substrings. Both
 * fold case by the database's ctype, so it must be a UTF-8 locale
 * (C.UTF-8 is best).
 */
static void
pg_search_clause(db_t *db, struct dbq *q, const char *table,
    const char *alias, const char *const *words, const size_t *lens,
    size_t nwords, bool prefix_only)
{
	struct buf lit;

	(void)db;
	(void)table;
	dbq_sql(q, "(1=1");
	for (size_t i = 0; i < nwords; i++) {
		bool substring = !prefix_only && text_utf8_count(words[i], lens[i]) >= 3;

		/* Word starts, accents ignored: "mu" and "muller" find "Müller". */
		buf_init(&lit, 1024);
		tsquery_prefix(&lit, words[i], lens[i]);
		dbq_sql(q, " AND (%s.search_words @@ crm_prefix(?)", alias);
		dbq_text(q, lit.data ? lit.data : "", lit.len);
		if (substring) {
			buf_reset(&lit);
			buf_putc(&lit, '%');
			for (size_t k = 0; k < lens[i]; k++) {
				char c = words[i][k];

				if (c == '%' || c == '_' || c == '\\')
					buf_putc(&lit, '\\');
				buf_putc(&lit, c);
			}
			buf_putc(&lit, '%');
			dbq_sql(q, " OR %s.search_text ILIKE ?", alias);
			dbq_text(q, lit.data, lit.len);
		}
		dbq_sql(q, ")");
		buf_free(&lit);
	}
	dbq_sql(q, ")");
}

/*
 * Rows copied in with their ids leave the identity sequence behind; the next
 * generated id must follow the largest present (the first, on an empty
 * table). The caller checked that table is a plain name.
 */
static int
pg_reset_ids(db_t *db, const char *table)
{
	char sql[256];
	db_stmt_t *st;
	int rc;

	if ((size_t)snprintf(sql, sizeof(sql), "SELECT setval("
	    "pg_get_serial_sequence('%s', 'id'), COALESCE(MAX(id), 0) + 1, "
	    "false) FROM \"%s\"", table, table) >= sizeof(sql)) {
		db_set_err(db, "table name too long");
		return DB_ERR;
	}
	rc = pg_prepare(db, sql, &st);
	if (rc != DB_OK)
		return rc;
	rc = pg_step(st) == DB_ROW ? DB_OK : DB_ERR;
	pg_done(st);
	return rc;
}

/* PostgreSQL plans from the GIN indexes; the caller's LIMIT caps the sort. */
static void
pg_search_ids(db_t *db, struct dbq *q, const char *table,
    const char *const *words, const size_t *lens, size_t nwords,
    bool prefix_only)
{
	dbq_sql(q, "SELECT s.id FROM %s s WHERE ", table);
	pg_search_clause(db, q, table, "s", words, lens, nwords, prefix_only);
	dbq_sql(q, " ORDER BY s.id DESC");
}

static bool
pg_is_down(db_t *db)
{
	return PQstatus(PG(db)->conn) != CONNECTION_OK;
}

static const char *const pg_derived[] = { "search_words", NULL };

/* ---- reports: date buckets, JSON values, deadlines ---- */

static void
pg_bucket_expr(db_t *db, struct dbq *q, const char *expr, const char *bucket,
    bool is_date, const char *tz)
{
	(void)db;
	/* bucket is one of db_bucket_known's names: safe as a literal. */
	if (is_date) {
		dbq_sql(q, "to_char(date_trunc('%s', CAST(CAST(NULLIF(%s, '') AS "
		    "date) AS timestamp)), 'YYYY-MM-DD')", bucket, expr);
		return;
	}
	dbq_sql(q, "to_char(date_trunc('%s', to_timestamp((%s) / 1000.0) AT TIME "
	    "ZONE CAST(? AS text)), 'YYYY-MM-DD')", bucket, expr);
	dbq_text(q, tz == NULL ? "UTC" : tz, strlen(tz == NULL ? "UTC" : tz));
}

static void
pg_day_expr(db_t *db, struct dbq *q, const char *expr, const char *tz)
{
	(void)db;
	dbq_sql(q, "CAST(to_timestamp((%s) / 1000.0) AT TIME ZONE CAST(? AS "
	    "text) AS date)", expr);
	dbq_text(q, tz == NULL ? "UTC" : tz, strlen(tz == NULL ? "UTC" : tz));
}

static void
pg_day_bucket_expr(db_t *db, struct dbq *q, const char *day,
    const char *bucket)
{
	(void)db;
	/* bucket is one of db_bucket_known's names: safe as a literal. */
	dbq_sql(q, "to_char(date_trunc('%s', CAST(%s AS timestamp)), "
	    "'YYYY-MM-DD')", bucket, day);
}

static void
pg_json_expr(db_t *db, struct dbq *q, const char *col, const char *key,
    const char *sub, bool integer)
{
	struct buf path;

	(void)db;
	buf_init(&path, 256);
	/* A text[] literal; the core allows only [a-z0-9_] in keys. */
	buf_printf(&path, "{%s%s%s}", key, sub ? "," : "", sub ? sub : "");
	dbq_sql(q, integer ? "CAST(CAST(%s AS jsonb) #>> CAST(? AS text[]) AS "
	    "BIGINT)" : "(CAST(%s AS jsonb) #>> CAST(? AS text[]))", col);
	dbq_text(q, path.data ? path.data : "{}", path.data ? path.len : 2);
	buf_free(&path);
}

static int
pg_set_deadline(db_t *db, int64_t ms)
{
	char sql[64];

	if (ms == 0)
		return pg_exec(db, "SET statement_timeout = " PG_STATEMENT_TIMEOUT);
	snprintf(sql, sizeof(sql), "SET statement_timeout = %lld", (long long)ms);
	return pg_exec(db, sql);
}

static const struct db_driver pg_driver = {
	.name = "pg",
	.close = pg_close,
	.exec = pg_exec,
	.begin = pg_begin,
	.commit = pg_commit,
	.rollback = pg_rollback,
	.prepare = pg_prepare,
	.bind_int = pg_bind_int,
	.bind_text = pg_bind_text,
	.bind_null = pg_bind_null,
	.step = pg_step,
	.col_null = pg_col_null,
	.col_int = pg_col_int,
	.col_text = pg_col_text,
	.col_count = pg_col_count,
	.col_name = pg_col_name,
	.done = pg_done,
	.changes = pg_changes,
	.in_txn = pg_in_txn,
	.is_down = pg_is_down,
	.search_clause = pg_search_clause,
	.search_ids = pg_search_ids,
	.bucket_expr = pg_bucket_expr,
	.day_expr = pg_day_expr,
	.day_bucket_expr = pg_day_bucket_expr,
	.json_expr = pg_json_expr,
	.set_deadline = pg_set_deadline,
	.for_update = " FOR UPDATE",
	.skip_locked = " FOR UPDATE SKIP LOCKED",
	.tables_sql = "SELECT table_name FROM information_schema.tables "
	    "WHERE table_schema = current_schema() "
	    "AND table_type = 'BASE TABLE' AND table_name <> 'schema_migrations'",
	.reset_ids = pg_reset_ids,
	.derived_columns = pg_derived,
	.migrations = pg_migration_files,
	.nmigrations = &pg_migration_nfiles,
};
