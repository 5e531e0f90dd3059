/*
 * What a database driver provides to store/db.c. Only the store's own
 * files include this. A driver's connection struct begins with a
 * struct db, and its statement struct with a struct db_stmt, so the
 * public handles are the driver's objects seen through their first member.
 */
#ifndef STORE_DRIVER_H
#define STORE_DRIVER_H

#include "store/db.h"
#include "util/embed.h"

struct db_driver {
	const char	*name;
	void		(*close)(db_t *db);
	int		(*exec)(db_t *db, const char *sql);
	int		(*begin)(db_t *db);
	int		(*commit)(db_t *db);
	int		(*rollback)(db_t *db);
	/* Optional (NULL: the dialect needs no gate). */
	void		(*set_gate)(db_t *db, struct db_gate *g);
	int		(*prepare)(db_t *db, const char *sql, db_stmt_t **out);
	int		(*bind_int)(db_stmt_t *st, int idx, int64_t v);
	int		(*bind_text)(db_stmt_t *st, int idx, const char *s, size_t len);
	int		(*bind_null)(db_stmt_t *st, int idx);
	int		(*step)(db_stmt_t *st);
	bool		(*col_null)(db_stmt_t *st, int col);
	int64_t		(*col_int)(db_stmt_t *st, int col);
	const char	*(*col_text)(db_stmt_t *st, int col, size_t *len);
	int		(*col_count)(db_stmt_t *st);
	const char	*(*col_name)(db_stmt_t *st, int col);
	void		(*done)(db_stmt_t *st);
	int64_t		(*changes)(db_t *db);
	bool		(*in_txn)(db_t *db);
	bool		(*is_down)(db_t *db);
	void		(*search_clause)(db_t *db, struct dbq *q, const char *table,
			    const char *alias, const char *const *words,
			    const size_t *lens, size_t nwords, bool prefix_only);
	void		(*search_ids)(db_t *db, struct dbq *q, const char *table,
			    const char *const *words, const size_t *lens,
			    size_t nwords, bool prefix_only);
	/* Deferred search indexing (db.h); NULL: the indexes keep up. */
	int		(*search_defer)(db_t *db, const char *table, int64_t *mark);
	int		(*search_catch_up)(db_t *db, const char *table,
			    int64_t *mark, bool resume);
	void		(*bucket_expr)(db_t *db, struct dbq *q, const char *expr,
			    const char *bucket, bool is_date, const char *tz);
	void		(*day_expr)(db_t *db, struct dbq *q, const char *expr,
			    const char *tz);
	void		(*day_bucket_expr)(db_t *db, struct dbq *q,
			    const char *day, const char *bucket);
	void		(*json_expr)(db_t *db, struct dbq *q, const char *col,
			    const char *key, const char *sub, bool integer);
	int		(*set_deadline)(db_t *db, int64_t ms);
	/* Appended to a SELECT that claims rows: skip rows others hold. */
	const char	*skip_locked;
	/* Appended to a SELECT of rows about to be updated: lock them. */
	const char	*for_update;
	/* A SELECT of one column: the names db_tables() answers. */
	const char	*tables_sql;
	/* Columns the database computes itself (NULL-terminated), not data. */
	const char *const *derived_columns;
	int		(*reset_ids)(db_t *db, const char *table);
	/* This dialect's schema migrations, sorted by file name. */
	const struct embed_file	*migrations;
	const size_t		*nmigrations;
};

/* Named locks db_lock_named() remembers holding in one transaction. */
#define DB_LOCKS_KEPT	4
#define DB_LOCK_NAME_MAX 32

struct db {
	const struct db_driver	*drv;
	char			 err[256];
	enum db_fault		 fault;	/* of the last failure; set by the driver */
	struct db_gate		*gate;	/* db_set_gate(), or NULL */
	uint64_t		 txn;	/* db_begin() calls so far: db_txn() */
	uint64_t		 locks_txn;	/* the transaction locks[] are of */
	size_t			 nlocks;
	char			 locks[DB_LOCKS_KEPT][DB_LOCK_NAME_MAX];
	void			*memo;	/* db_set_memo() */
	void			(*memo_free)(void *);
};

struct db_stmt {
	db_t	*db;
};

/* Drivers' constructors: 0 and *out, or DB_EOPEN with a message in err. */
int sqlite_library_init(void);
int sqlite_open(const char *path, db_t **out, char *err, size_t errlen);
int pg_open(const char *url, db_t **out, char *err, size_t errlen);

/* SQLite's side of db_file(), db_snapshot() (store/sqlite.c). */
const char *sqlite_file(db_t *db);
int sqlite_snapshot(db_t *db, const char *dest, char *err, size_t errlen);

/* Whether b is one of the buckets of db_bucket_expr. */
bool db_bucket_known(const char *b);

/* A quick hash of SQL text, for the drivers' statement caches. */
uint64_t db_sql_hash(const char *sql);

/* Writes a message into db->err (printf-style). */
void db_set_err(db_t *db, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
