/*
 * The store: SQL behind one small interface.
 *
 * Everything above this layer speaks portable SQL with '?' placeholders and
 * these calls; nothing above includes <sqlite3.h>. A PostgreSQL driver will
 * implement the same functions (rewriting '?' to $n). The few places where
 * dialects differ (full-text search) are named functions here, not SQL
 * written by callers.
 *
 * A db_t is one connection and is used by one thread at a time. Statements
 * are cached per connection: db_prepare() with the same SQL text returns the
 * cached statement, and db_done() resets it for reuse. Never keep a
 * statement across a db_done().
 *
 * Errors are negative DB_E* codes; db_errmsg() says what happened.
 */
#ifndef STORE_DB_H
#define STORE_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct db db_t;
typedef struct db_stmt db_stmt_t;

enum {
	DB_OK = 0,
	DB_ROW = 1,		/* db_step(): a row is ready */
	DB_DONE = 2,		/* db_step(): no more rows */
	DB_ERR = -1,		/* any other failure; see db_errmsg() */
	DB_ECONSTRAINT = -2,	/* unique, foreign key or check violated */
	DB_EBUSY = -3,		/* locked longer than the busy timeout */
	DB_EOPEN = -4,		/* cannot open or create the database */
};

/*
 * Sets the database libraries' process-wide options. Called once by main
 * before any database is opened or any thread started; 0, or -1 when a
 * library refused (the program still works, only slower).
 */
int db_library_init(void);

/*
 * Opens the database at address: a file path for SQLite (created if
 * needed), or a postgres:// or postgresql:// connection URI for PostgreSQL.
 * A message for the operator is written to err on failure. *out is owned
 * by the caller and closed with db_close().
 */
int db_open(const char *address, db_t **out, char *err, size_t errlen);
bool db_is_postgres(const char *address);
/*
 * The address as it may be shown in logs and messages: a password in a
 * postgres:// URI (user:PASSWORD@ or password=) becomes "***".
 */
void db_display(const char *address, char *out, size_t outlen);
/* "sqlite" or "pg". */
const char *db_dialect(db_t *db);
void db_close(db_t *db);
const char *db_errmsg(db_t *db);

/* Runs one or more statements without parameters (DDL, PRAGMAs). */
int db_exec(db_t *db, const char *sql);

int db_begin(db_t *db);		/* immediate: takes the write lock now */
int db_commit(db_t *db);
int db_rollback(db_t *db);

/* The statement belongs to db; release it with db_done(). */
int db_prepare(db_t *db, const char *sql, db_stmt_t **out);
int db_bind_int(db_stmt_t *st, int idx, int64_t v);	/* idx from 1 */
int db_bind_text(db_stmt_t *st, int idx, const char *s, size_t len);
int db_bind_null(db_stmt_t *st, int idx);
int db_step(db_stmt_t *st);
/* Column accessors for the current row; col from 0. */
bool db_col_null(db_stmt_t *st, int col);
int64_t db_col_int(db_stmt_t *st, int col);
/* Text stays valid until the next step or db_done(); *len may be NULL. */
const char *db_col_text(db_stmt_t *st, int col, size_t *len);
int db_col_count(db_stmt_t *st);
const char *db_col_name(db_stmt_t *st, int col);
void db_done(db_stmt_t *st);

/*
 * True when the database server cannot be reached on this connection (it
 * is retried before the next statement); always false for SQLite.
 */
bool db_is_down(db_t *db);

/*
 * What kind of trouble the last failed call on this connection met, so
 * that the faces can tell users and administrators what to do.
 */
enum db_fault {
	DB_FAULT_NONE = 0,	/* a bug or an unexpected error: see db_errmsg() */
	DB_FAULT_FULL,		/* the disk (or quota) is full */
	DB_FAULT_READONLY,	/* the database cannot be written: read-only or failing disk */
	DB_FAULT_BUSY,		/* locked by someone else longer than we wait */
	DB_FAULT_TIMEOUT,	/* the statement ran past db_set_deadline() */
};
enum db_fault db_fault(db_t *db);

/*
 * Whether a column is computed by the database itself (PostgreSQL's stored
 * search vector): not data, so copies and checksums leave it out.
 */
bool db_is_derived_column(db_t *db, const char *column);

/*
 * The write gate (store/gate.h): db_set_gate() makes this connection wait
 * for the write lock on g, woken by the other connections' commits, in
 * place of polling; g must outlive the connection. No-op on PostgreSQL,
 * whose row locks queue fairly already. db_yield_writers() is for bulk
 * writers between transactions: waits (at most max_ms) while connections
 * of the same gate wait for the lock; returns how many were waiting.
 */
struct db_gate;
void db_set_gate(db_t *db, struct db_gate *g);
int db_yield_writers(db_t *db, int64_t max_ms);

/* Whether a transaction is open on this connection (db_begin .. end). */
bool db_in_txn(db_t *db);

/* Rows changed by the last INSERT/UPDATE/DELETE on this connection. */
int64_t db_changes(db_t *db);

/*
 * A query under construction: SQL text and the values of its placeholders,
 * for statements whose shape depends on input (filters, sorts, search).
 * Values are copied; dbq_free() releases them. Appending past the caps
 * fails and marks the query broken, so db_prepare_q() refuses it.
 */
#define DBQ_MAX_PARAMS 64
#define DBQ_MAX_SQL 8192

struct dbq_param {
	bool	 is_text;
	int64_t	 i;
	char	*s;
	size_t	 len;
};

struct dbq {
	char			 sql[DBQ_MAX_SQL];
	size_t			 len;
	struct dbq_param	 params[DBQ_MAX_PARAMS];
	int			 nparams;
	bool			 broken;
};

void dbq_init(struct dbq *q);
void dbq_free(struct dbq *q);
void dbq_sql(struct dbq *q, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void dbq_text(struct dbq *q, const char *s, size_t len);	/* adds a value */
void dbq_int(struct dbq *q, int64_t v);
/* Prepares q->sql and binds its values; release with db_done(). */
int db_prepare_q(db_t *db, const struct dbq *q, db_stmt_t **out);

/*
 * Full-text search, the one dialect-specific query shape. Appends to q a
 * boolean SQL expression, true when the row of `table` under the alias
 * `alias` matches every one of the search words: each as a substring, or
 * as the start of a word when it is shorter than three characters or when
 * prefix_only is set (to rank word starts first). Case, diacritics of
 * word starts, and scripts are handled alike by both dialects. Tables that
 * take part have a `search_text` column kept up to date by the core and
 * the indexes the migrations create for it.
 */
void db_search_clause(db_t *db, struct dbq *q, const char *table,
    const char *alias, const char *const *words, const size_t *lens,
    size_t nwords, bool prefix_only);

/*
 * The same search as a query of its own: appends to q a SELECT whose one
 * column `id` lists the ids of matching rows of table, newest first, and
 * that the caller may LIMIT (for example "(... LIMIT 200) s JOIN t"). The
 * index drives it, so a limit bounds the work even when a fragment occurs
 * in hundreds of thousands of rows.
 */
void db_search_ids(db_t *db, struct dbq *q, const char *table,
    const char *const *words, const size_t *lens, size_t nwords,
    bool prefix_only);

/*
 * Deferred search indexing, for a bulk write inside one transaction (an
 * import's chunk). db_search_defer() stops the per-row index upkeep of
 * rows inserted into table from now on in this transaction and sets *mark
 * to the highest id before them. db_search_catch_up() indexes the rows
 * inserted after *mark in one statement per index and moves *mark past
 * them; with resume set it also ends the deferral. The caller catches up
 * before it updates or deletes a row it inserted meanwhile, and with
 * resume before it commits, so every commit leaves the index whole; a
 * rollback undoes the deferral with the rows. table is a constant from an
 * entity (never input). PostgreSQL's indexes keep up by themselves: both
 * are no-ops there (*mark 0).
 */
int db_search_defer(db_t *db, const char *table, int64_t *mark);
int db_search_catch_up(db_t *db, const char *table, int64_t *mark,
    bool resume);

/*
 * Date buckets, the second dialect-specific shape (reports). Appends to q
 * an SQL expression whose value is the first day ("YYYY-MM-DD") of the
 * bucket holding expr: bucket is "day", "week" (ISO, from Monday),
 * "month", "quarter" or "year" (anything else appends NULL). With is_date
 * expr is a "YYYY-MM-DD" text column ('' and NULL give NULL); otherwise it
 * is a time in milliseconds UTC, cut at the local midnights of the IANA
 * zone tz (bound as a parameter; the caller has checked it with tz_load).
 * SQLite computes it with the function crm_bucket the driver registers on
 * each connection (util/tz.c); PostgreSQL with date_trunc in that zone.
 */
void db_bucket_expr(db_t *db, struct dbq *q, const char *expr,
    const char *bucket, bool is_date, const char *tz);

/*
 * The same in two steps, for grouping a day first and the days into
 * buckets after (far fewer values to cut): db_day_expr appends the local
 * day in zone tz (bound; checked by the caller) of a time in milliseconds
 * UTC, a value that groups and orders as the days do (an integer on
 * SQLite, a date on PostgreSQL; NULL for NULL); db_day_bucket_expr appends
 * the first day ("YYYY-MM-DD") of the bucket holding such a day value,
 * exactly db_bucket_expr's answer for the time it came from (NULL when the
 * bucket is not one of db_bucket_known's).
 */
void db_day_expr(db_t *db, struct dbq *q, const char *expr, const char *tz);
void db_day_bucket_expr(db_t *db, struct dbq *q, const char *day,
    const char *bucket);

/*
 * A value inside a JSON text column (custom field values): appends to q an
 * expression of the value at col -> key [-> sub] (sub may be NULL), as
 * text, or as a whole number when integer is set. The path is a bound
 * parameter, never SQL text.
 */
void db_json_expr(db_t *db, struct dbq *q, const char *col, const char *key,
    const char *sub, bool integer);

/*
 * Bounds the time of the statements this connection runs from now on:
 * each fails past ms milliseconds (db_fault: DB_FAULT_TIMEOUT); 0 restores
 * the connection's usual bound (none on SQLite, the session's
 * statement_timeout on PostgreSQL). SQLite checks a deadline in a progress
 * handler; PostgreSQL sets statement_timeout.
 */
int db_set_deadline(db_t *db, int64_t ms);

/*
 * The clause to append to a SELECT inside a transaction that claims rows
 * for this connection, skipping rows other connections hold (PostgreSQL's
 * FOR UPDATE SKIP LOCKED; empty on SQLite, where the write lock of
 * db_begin() already admits one claimer at a time).
 */
const char *db_sql_skip_locked(db_t *db);
/*
 * The clause that locks the rows a SELECT reads until the transaction
 * ends, so a read-then-write sees no concurrent change (FOR UPDATE on
 * PostgreSQL; empty on SQLite, whose db_begin() takes the write lock).
 */
const char *db_sql_for_update(db_t *db);

/*
 * Refreshes the planner's statistics. The rights predicates make plans
 * depend on how many records each owner has: without statistics SQLite
 * guesses that an owner has few and sorts all of theirs for every page.
 * SQLite samples (analysis_limit) so this stays under a second on a
 * million rows; PostgreSQL's ANALYZE samples by itself.
 */
int db_analyze(db_t *db);

/*
 * Moves the write-ahead log into the database and empties it (SQLite's
 * TRUNCATE checkpoint; nothing on PostgreSQL). Outside any transaction.
 * Automatic checkpoints cannot finish while readers keep old snapshots,
 * so under steady reading the log only grows; this waits for them (the
 * busy timeout) and resets it. DB_EBUSY when readers stayed.
 */
int db_checkpoint(db_t *db);

/*
 * Inside a write transaction: waits until no other transaction holds the
 * named lock, until this one ends. PostgreSQL needs it where the next row
 * depends on the last (the audit chain); SQLite's write lock, taken by
 * db_begin(), already serialises writers, so there it does nothing. A lock
 * this transaction already took is not asked for again.
 */
int db_lock_named(db_t *db, const char *name);
/*
 * Whether this transaction holds the named lock: taken by db_lock_named()
 * on PostgreSQL; on SQLite any write transaction (db_begin() took the
 * write lock, which covers every name). False outside a transaction.
 */
bool db_lock_held(db_t *db, const char *name);

/*
 * Which transaction this connection is in: a number that changes at every
 * db_begin(), and 0 outside a transaction (also after one ended by itself:
 * a failed COMMIT, an interrupted statement). A value read inside a write
 * transaction that no other writer can change meanwhile (under the write
 * lock or a named lock) stays true while this number stays the same.
 */
uint64_t db_txn(db_t *db);

/*
 * One value the layer above keeps with this connection, for what it
 * learned in a transaction (see db_txn). The connection owns it from
 * db_set_memo() on, and frees it with free_fn when it is replaced or the
 * connection is closed. NULL until set.
 */
void *db_memo(db_t *db);
void db_set_memo(db_t *db, void *memo, void (*free_fn)(void *));

/*
 * The application's tables in this database, for maintenance that must
 * handle every one of them (crm migrate-db): base tables only, without the
 * migrations' bookkeeping (schema_migrations) and without the tables a
 * search index keeps for itself (SQLite's FTS5 virtual and shadow tables).
 * *names is an array of *n strings sorted by name; free it with
 * db_names_free().
 */
int db_tables(db_t *db, char ***names, size_t *n);
void db_names_free(char **names, size_t n);

/*
 * After rows were inserted with explicit ids (a copy from another
 * database), makes the ids generated for new rows of table follow the
 * largest id present. Nothing to do on SQLite, where an INTEGER PRIMARY KEY
 * always takes the largest plus one; PostgreSQL moves the identity
 * sequence of the table's id column. table is a plain lower-case name.
 */
int db_reset_ids(db_t *db, const char *table);

/*
 * Applies the schema migrations not yet applied, in order, each in its own
 * transaction. Returns 0, or DB_ERR with a message naming the migration.
 */
int db_migrate(db_t *db, char *err, size_t errlen);

/*
 * ---- SQLite files: backup and restore (crm backup, crm restore) ----
 *
 * db_file() is the file of a SQLite connection (NULL for PostgreSQL).
 *
 * db_snapshot() copies the database open on db into the new file dest with
 * SQLite's online backup API, in one step under one read transaction: the
 * copy is the database as of one moment, and in WAL mode the server's
 * writers go on meanwhile. The copy is left in rollback-journal mode (one
 * self-contained file) and flushed to disk. dest must not exist. SQLite
 * only: DB_ERR with a message on PostgreSQL.
 *
 * db_file_check() opens the SQLite file at path read-only and runs PRAGMA
 * integrity_check: DB_OK when it answers "ok", else DB_ERR with the first
 * problem (or why it could not open) in msg.
 *
 * db_file_in_use() tells whether another process has the SQLite database
 * at path open: any connection in WAL mode (every crm serve) holds a shared
 * lock on the dead-man-switch byte of path-shm as long as it is open, which
 * this probes with fcntl(F_GETLK); and a transaction in progress in any mode
 * makes BEGIN IMMEDIATE fail. *in_use is false for a missing file.
 *
 * db_migrations_latest() is the highest schema migration this program knows
 * for dialect ("sqlite" or "pg"); db_schema_version() the highest applied
 * to db (0 for an empty database).
 */
const char *db_file(db_t *db);
int db_snapshot(db_t *db, const char *dest, char *err, size_t errlen);
int db_file_check(const char *path, char *msg, size_t msglen);
int db_file_in_use(const char *path, bool *in_use, char *why, size_t whylen);
int64_t db_migrations_latest(const char *dialect);
int db_schema_version(db_t *db, int64_t *version);

#endif
