/*
 * The store's public functions: dispatch to the driver chosen by the
 * database address (a file path for SQLite, postgres:// or postgresql://
 * for PostgreSQL), the query builder, and the migration runner that both
 * dialects share.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/driver.h"
#include "store/gate.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/timeutil.h"

void
db_set_err(db_t *db, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(db->err, sizeof(db->err), fmt, ap);
	va_end(ap);
}

uint64_t
db_sql_hash(const char *sql)
{
	uint64_t h = 1469598103934665603ULL;	/* FNV-1a */

	for (; *sql; sql++) {
		h ^= (unsigned char)*sql;
		h *= 1099511628211ULL;
	}
	return h;
}

bool
db_is_postgres(const char *address)
{
	return strncmp(address, "postgres://", 11) == 0 ||
	    strncmp(address, "postgresql://", 13) == 0;
}

void
db_display(const char *address, char *out, size_t outlen)
{
	const char *user = strstr(address, "://"), *at, *colon, *q, *s;
	struct buf b;

	buf_init(&b, 4096);
	if (!db_is_postgres(address) || user == NULL) {
		buf_puts(&b, address);
		goto done;
	}
	user += 3;
	at = strchr(user, '@');
	if (at != NULL && at > user + strcspn(user, "/?"))
		at = NULL;	/* an '@' in the path or options, not userinfo */
	colon = at != NULL ? memchr(user, ':', (size_t)(at - user)) : NULL;
	if (colon != NULL) {
		buf_append(&b, address, (size_t)(colon + 1 - address));
		buf_puts(&b, "***");
		s = at;
	} else {
		s = address;
	}
	/* password=... among the URI's options */
	while ((q = strstr(s, "password=")) != NULL) {
		buf_append(&b, s, (size_t)(q + 9 - s));
		buf_puts(&b, "***");
		s = q + 9 + strcspn(q + 9, "&");
	}
	buf_puts(&b, s);
done:
	snprintf(out, outlen, "%s", b.data ? b.data : "");
	buf_free(&b);
}

int
db_library_init(void)
{
	return sqlite_library_init();
}

int
db_open(const char *address, db_t **out, char *err, size_t errlen)
{
	if (db_is_postgres(address))
		return pg_open(address, out, err, errlen);
	return sqlite_open(address, out, err, errlen);
}

const char *db_dialect(db_t *db) { return db->drv->name; }
const char *db_sql_skip_locked(db_t *db) { return db->drv->skip_locked; }
const char *db_sql_for_update(db_t *db) { return db->drv->for_update; }
bool db_in_txn(db_t *db) { return db->drv->in_txn(db); }

uint64_t
db_txn(db_t *db)
{
	return db->drv->in_txn(db) ? db->txn : 0;
}

void *db_memo(db_t *db) { return db->memo; }

void
db_set_memo(db_t *db, void *memo, void (*free_fn)(void *))
{
	if (db->memo != NULL && db->memo_free != NULL && db->memo != memo)
		db->memo_free(db->memo);
	db->memo = memo;
	db->memo_free = free_fn;
}

/* Whether this transaction already holds the named lock. */
static bool
lock_held(db_t *db, uint64_t txn, const char *name)
{
	if (txn == 0 || db->locks_txn != txn)
		return false;
	for (size_t i = 0; i < db->nlocks; i++)
		if (strcmp(db->locks[i], name) == 0)
			return true;
	return false;
}

static void
lock_keep(db_t *db, uint64_t txn, const char *name)
{
	if (txn == 0 || strlen(name) >= DB_LOCK_NAME_MAX)
		return;
	if (db->locks_txn != txn) {
		db->locks_txn = txn;
		db->nlocks = 0;
	}
	if (db->nlocks < DB_LOCKS_KEPT)
		snprintf(db->locks[db->nlocks++], DB_LOCK_NAME_MAX, "%s", name);
}

bool
db_lock_held(db_t *db, const char *name)
{
	uint64_t txn = db_txn(db);

	if (strcmp(db->drv->name, "pg") != 0)
		return txn != 0;
	return lock_held(db, txn, name);
}

int
db_lock_named(db_t *db, const char *name)
{
	uint64_t txn;
	db_stmt_t *st;
	int rc;

	if (strcmp(db->drv->name, "pg") != 0)
		return DB_OK;
	txn = db_txn(db);
	if (lock_held(db, txn, name))
		return DB_OK;
	rc = db_prepare(db, "SELECT pg_advisory_xact_lock(hashtext(?))", &st);
	if (rc != DB_OK)
		return rc;
	db_bind_text(st, 1, name, strlen(name));
	rc = db_step(st);
	db_done(st);
	if (rc != DB_ROW)
		return DB_ERR;
	lock_keep(db, txn, name);
	return DB_OK;
}

int
db_checkpoint(db_t *db)
{
	db_stmt_t *st;
	int rc;

	if (strcmp(db->drv->name, "sqlite") != 0)
		return DB_OK;
	rc = db_prepare(db, "PRAGMA wal_checkpoint(TRUNCATE)", &st);
	if (rc != DB_OK)
		return rc;
	rc = db_step(st);
	/* One row: busy (1 when it could not finish), log pages, moved pages. */
	if (rc == DB_ROW)
		rc = db_col_int(st, 0) == 0 ? DB_OK : DB_EBUSY;
	else
		rc = DB_ERR;
	db_done(st);
	return rc;
}

int
db_analyze(db_t *db)
{
	/*
	 * An index is sampled from its start, where a low-cardinality key such
	 * as an owner repeats: too small a limit makes every owner look like
	 * it has a thousand records. 100k rows per index stays well under a
	 * second at a million rows and keeps the per-owner figure honest.
	 */
	if (strcmp(db->drv->name, "sqlite") == 0 &&
	    db_exec(db, "PRAGMA analysis_limit = 100000") != DB_OK)
		return DB_ERR;
	return db_exec(db, "ANALYZE");
}
void
db_close(db_t *db)
{
	if (db == NULL)
		return;
	db_set_memo(db, NULL, NULL);
	db->drv->close(db);
}
const char *db_errmsg(db_t *db) { return db->err; }
int db_exec(db_t *db, const char *sql) { return db->drv->exec(db, sql); }
int
db_begin(db_t *db)
{
	db->txn++;	/* before: what was learned before this one is stale */
	return db->drv->begin(db);
}
int db_commit(db_t *db) { return db->drv->commit(db); }
int db_rollback(db_t *db) { return db->drv->rollback(db); }

void
db_set_gate(db_t *db, struct db_gate *g)
{
	if (db->drv->set_gate != NULL)
		db->drv->set_gate(db, g);
	db->gate = g;
}

int
db_yield_writers(db_t *db, int64_t max_ms)
{
	if (db->drv->set_gate == NULL || db->gate == NULL)
		return 0;
	return gate_yield(db->gate, max_ms);
}
int64_t db_changes(db_t *db) { return db->drv->changes(db); }
bool db_is_down(db_t *db) { return db->drv->is_down(db); }
enum db_fault db_fault(db_t *db) { return db->fault; }

bool
db_is_derived_column(db_t *db, const char *column)
{
	for (const char *const *c = db->drv->derived_columns; c && *c; c++)
		if (strcmp(*c, column) == 0)
			return true;
	return false;
}
int db_step(db_stmt_t *st) { return st->db->drv->step(st); }
bool db_col_null(db_stmt_t *st, int col) { return st->db->drv->col_null(st, col); }
int64_t db_col_int(db_stmt_t *st, int col) { return st->db->drv->col_int(st, col); }
int db_col_count(db_stmt_t *st) { return st->db->drv->col_count(st); }
const char *db_col_name(db_stmt_t *st, int col) { return st->db->drv->col_name(st, col); }

int
db_prepare(db_t *db, const char *sql, db_stmt_t **out)
{
	return db->drv->prepare(db, sql, out);
}

int
db_bind_int(db_stmt_t *st, int idx, int64_t v)
{
	return st->db->drv->bind_int(st, idx, v);
}

int
db_bind_text(db_stmt_t *st, int idx, const char *s, size_t len)
{
	return st->db->drv->bind_text(st, idx, s, len);
}

int
db_bind_null(db_stmt_t *st, int idx)
{
	return st->db->drv->bind_null(st, idx);
}

const char *
db_col_text(db_stmt_t *st, int col, size_t *len)
{
	return st->db->drv->col_text(st, col, len);
}

void
db_done(db_stmt_t *st)
{
	if (st != NULL)
		st->db->drv->done(st);
}

void
db_search_ids(db_t *db, struct dbq *q, const char *table,
    const char *const *words, const size_t *lens, size_t nwords,
    bool prefix_only)
{
	db->drv->search_ids(db, q, table, words, lens, nwords, prefix_only);
}

void
db_search_clause(db_t *db, struct dbq *q, const char *table,
    const char *alias, const char *const *words, const size_t *lens,
    size_t nwords, bool prefix_only)
{
	db->drv->search_clause(db, q, table, alias, words, lens, nwords,
	    prefix_only);
}

int
db_search_defer(db_t *db, const char *table, int64_t *mark)
{
	*mark = 0;
	if (db->drv->search_defer == NULL)
		return DB_OK;
	return db->drv->search_defer(db, table, mark);
}

int
db_search_catch_up(db_t *db, const char *table, int64_t *mark, bool resume)
{
	if (db->drv->search_catch_up == NULL)
		return DB_OK;
	return db->drv->search_catch_up(db, table, mark, resume);
}

bool
db_bucket_known(const char *b)
{
	static const char *const names[] = { "day", "week", "month", "quarter",
	    "year" };

	for (size_t i = 0; b != NULL && i < sizeof(names) / sizeof(*names); i++)
		if (strcmp(b, names[i]) == 0)
			return true;
	return false;
}

void
db_bucket_expr(db_t *db, struct dbq *q, const char *expr, const char *bucket,
    bool is_date, const char *tz)
{
	if (!db_bucket_known(bucket)) {
		dbq_sql(q, "NULL");
		return;
	}
	db->drv->bucket_expr(db, q, expr, bucket, is_date, tz);
}

void
db_day_expr(db_t *db, struct dbq *q, const char *expr, const char *tz)
{
	db->drv->day_expr(db, q, expr, tz);
}

void
db_day_bucket_expr(db_t *db, struct dbq *q, const char *day,
    const char *bucket)
{
	if (!db_bucket_known(bucket)) {
		dbq_sql(q, "NULL");
		return;
	}
	db->drv->day_bucket_expr(db, q, day, bucket);
}

void
db_json_expr(db_t *db, struct dbq *q, const char *col, const char *key,
    const char *sub, bool integer)
{
	db->drv->json_expr(db, q, col, key, sub, integer);
}

int
db_set_deadline(db_t *db, int64_t ms)
{
	return db->drv->set_deadline(db, ms < 0 ? 0 : ms);
}

/* ---- the query builder ---- */

void
dbq_init(struct dbq *q)
{
	q->sql[0] = '\0';
	q->len = 0;
	q->nparams = 0;
	q->broken = false;
}

void
dbq_free(struct dbq *q)
{
	for (int i = 0; i < q->nparams; i++)
		free(q->params[i].s);
	q->nparams = 0;
}

void
dbq_sql(struct dbq *q, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (q->broken)
		return;
	va_start(ap, fmt);
	n = vsnprintf(q->sql + q->len, sizeof(q->sql) - q->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(q->sql) - q->len) {
		q->broken = true;
		return;
	}
	q->len += (size_t)n;
}

void
dbq_text(struct dbq *q, const char *s, size_t len)
{
	struct dbq_param *p;

	if (q->nparams >= DBQ_MAX_PARAMS) {
		q->broken = true;
		return;
	}
	p = &q->params[q->nparams++];
	p->is_text = true;
	p->s = xstrndup(s, len);
	p->len = len;
}

void
dbq_int(struct dbq *q, int64_t v)
{
	struct dbq_param *p;

	if (q->nparams >= DBQ_MAX_PARAMS) {
		q->broken = true;
		return;
	}
	p = &q->params[q->nparams++];
	p->is_text = false;
	p->s = NULL;
	p->i = v;
}

int
db_prepare_q(db_t *db, const struct dbq *q, db_stmt_t **out)
{
	db_stmt_t *st;
	int rc;

	if (q->broken) {
		db_set_err(db, "query too large");
		return DB_ERR;
	}
	rc = db_prepare(db, q->sql, &st);
	if (rc != DB_OK)
		return rc;
	for (int i = 0; i < q->nparams; i++) {
		const struct dbq_param *p = &q->params[i];

		rc = p->is_text ? db_bind_text(st, i + 1, p->s, p->len) :
		    db_bind_int(st, i + 1, p->i);
		if (rc != DB_OK) {
			db_done(st);
			return rc;
		}
	}
	*out = st;
	return DB_OK;
}

/* ---- the catalogue, for maintenance commands ---- */

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
db_tables(db_t *db, char ***names, size_t *n)
{
	db_stmt_t *st;
	char **v = NULL;
	size_t len = 0, cap = 0;
	int rc;

	*names = NULL;
	*n = 0;
	rc = db_prepare(db, db->drv->tables_sql, &st);
	if (rc != DB_OK)
		return rc;
	while ((rc = db_step(st)) == DB_ROW) {
		if (len == cap) {
			cap = cap ? cap * 2 : 16;
			v = xrealloc(v, cap * sizeof(*v));
		}
		v[len++] = xstrdup(db_col_text(st, 0, NULL));
	}
	db_done(st);
	if (rc != DB_DONE) {
		db_names_free(v, len);
		return DB_ERR;
	}
	/* Sorted here, not by ORDER BY, so both dialects agree byte for byte. */
	if (len > 0)
		qsort(v, len, sizeof(*v), name_cmp);
	*names = v;
	*n = len;
	return DB_OK;
}

void
db_names_free(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

int
db_reset_ids(db_t *db, const char *table)
{
	/* The name is pasted into SQL by the driver: only plain names pass. */
	if (table[0] == '\0' || strspn(table, "abcdefghijklmnopqrstuvwxyz"
	    "0123456789_") != strlen(table) || strlen(table) > 63) {
		db_set_err(db, "bad table name");
		return DB_ERR;
	}
	return db->drv->reset_ids(db, table);
}

/* ---- migrations ---- */

/* The highest migration applied, or -1 on error. */
static int64_t
schema_version(db_t *db)
{
	db_stmt_t *st;
	int64_t v = -1;

	if (db_prepare(db, "SELECT COALESCE(MAX(version), 0) FROM "
	    "schema_migrations", &st) != DB_OK)
		return -1;
	if (db_step(st) == DB_ROW)
		v = db_col_int(st, 0);
	db_done(st);
	return v;
}

/*
 * Each pending migration runs in its own transaction. Several servers may
 * start at once against one PostgreSQL: a session advisory lock makes them
 * take turns (even creating schema_migrations), and each re-reads the
 * version inside its transaction, so every migration runs exactly once.
 * (On SQLite, BEGIN IMMEDIATE already serialises.)
 */
static int migrate_locked(db_t *db, char *err, size_t errlen);

#define MIGRATION_LOCK "4242001"	/* any constant; ours among advisory locks */

int
db_migrate(db_t *db, char *err, size_t errlen)
{
	bool pg = strcmp(db->drv->name, "pg") == 0;
	int rc;

	if (pg && db_exec(db, "SELECT pg_advisory_lock(" MIGRATION_LOCK ")") != DB_OK) {
		snprintf(err, errlen, "cannot take the migration lock: %s", db->err);
		return DB_ERR;
	}
	rc = migrate_locked(db, err, errlen);
	if (pg)
		db_exec(db, "SELECT pg_advisory_unlock(" MIGRATION_LOCK ")");
	return rc;
}

static int
migrate_locked(db_t *db, char *err, size_t errlen)
{
	db_stmt_t *st;
	int rc;

	rc = db_exec(db, "CREATE TABLE IF NOT EXISTS schema_migrations ("
	    "version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
	    "applied_at BIGINT NOT NULL)");
	if (rc != DB_OK) {
		snprintf(err, errlen, "cannot create schema_migrations: %s",
		    db->err);
		return DB_ERR;
	}
	for (size_t i = 0; i < *db->drv->nmigrations; i++) {
		const struct embed_file *m = &db->drv->migrations[i];
		int64_t version = strtoll(m->path, NULL, 10), have;
		char *sql;

		rc = db_begin(db);
		/* A migration may rewrite a big table: no statement timeout. */
		if (rc == DB_OK && strcmp(db->drv->name, "pg") == 0)
			rc = db_exec(db, "SET LOCAL statement_timeout = 0");
		have = rc == DB_OK ? schema_version(db) : -1;
		if (have < 0) {
			snprintf(err, errlen, "cannot read the schema version: %s",
			    db->err);
			db_rollback(db);
			return DB_ERR;
		}
		if (version <= have) {
			db_rollback(db);
			continue;
		}
		sql = xstrndup((const char *)m->data, m->len);
		rc = db_exec(db, sql);
		free(sql);
		if (rc == DB_OK)
			rc = db_prepare(db, "INSERT INTO schema_migrations "
			    "(version, name, applied_at) VALUES (?, ?, ?)", &st);
		if (rc == DB_OK) {
			db_bind_int(st, 1, version);
			db_bind_text(st, 2, m->path, strlen(m->path));
			db_bind_int(st, 3, time_now_ms());
			rc = db_step(st) == DB_DONE ? DB_OK : DB_ERR;
			db_done(st);
		}
		if (rc == DB_OK)
			rc = db_commit(db);
		if (rc != DB_OK) {
			snprintf(err, errlen, "migration %s failed: %s", m->path,
			    db->err);
			db_rollback(db);
			return DB_ERR;
		}
	}
	return DB_OK;
}

/* ---- SQLite files: backup and restore ---- */

const char *
db_file(db_t *db)
{
	return strcmp(db->drv->name, "sqlite") == 0 ? sqlite_file(db) : NULL;
}

int
db_snapshot(db_t *db, const char *dest, char *err, size_t errlen)
{
	if (strcmp(db->drv->name, "sqlite") != 0) {
		snprintf(err, errlen, "a snapshot copies SQLite databases only; "
		    "back up PostgreSQL with pg_dump");
		return DB_ERR;
	}
	return sqlite_snapshot(db, dest, err, errlen);
}

int64_t
db_migrations_latest(const char *dialect)
{
	const struct embed_file *f = strcmp(dialect, "pg") == 0 ?
	    pg_migration_files : sqlite_migration_files;
	size_t n = strcmp(dialect, "pg") == 0 ? pg_migration_nfiles :
	    sqlite_migration_nfiles;

	return n == 0 ? 0 : strtoll(f[n - 1].path, NULL, 10);
}

int
db_schema_version(db_t *db, int64_t *version)
{
	int64_t v = schema_version(db);

	if (v < 0)
		return DB_ERR;
	*version = v;
	return DB_OK;
}
