/*
 * The SQLite driver of the store.
 *
 * One connection per db_t, opened in WAL mode so readers never wait for the
 * writer, with foreign keys on and a busy timeout so concurrent writers from
 * the worker pool queue instead of failing. Prepared statements are cached
 * per connection by their SQL text: the hot paths (auth lookup, get by id)
 * then cost one step, not one parse.
 */
#include "store/db.h"

#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"
#include "util/embed.h"
#include "util/text.h"
#include "util/timeutil.h"

#define STMT_CACHE 128

struct db_stmt {
	sqlite3_stmt	*st;
	db_t		*db;
	char		*sql;
	uint64_t	 hash;
	int		 busy;	/* handed out and not yet db_done() */
};

struct db {
	sqlite3		*h;
	struct db_stmt	 cache[STMT_CACHE];
	size_t		 ncache;
	size_t		 next_evict;
	struct db_stmt	 scratch;	/* an uncached statement when all are busy */
	char		 err[256];
};

static uint64_t
fnv1a(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return h;
}

static int
map_rc(db_t *db, int rc)
{
	snprintf(db->err, sizeof(db->err), "%s", sqlite3_errmsg(db->h));
	switch (rc & 0xff) {
	case SQLITE_CONSTRAINT:
		return DB_ECONSTRAINT;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return DB_EBUSY;
	default:
		return DB_ERR;
	}
}

int
db_open(const char *path, db_t **out, char *err, size_t errlen)
{
	db_t *db = xcalloc(1, sizeof(*db));
	int rc;

	rc = sqlite3_open_v2(path, &db->h,
	    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		snprintf(err, errlen, "cannot open database %s: %s", path,
		    db->h ? sqlite3_errmsg(db->h) : sqlite3_errstr(rc));
		sqlite3_close(db->h);
		free(db);
		return DB_EOPEN;
	}
	sqlite3_busy_timeout(db->h, 5000);
	sqlite3_extended_result_codes(db->h, 1);
	if (db_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
	    "PRAGMA foreign_keys=ON; PRAGMA cache_size=-16000;"
	    "PRAGMA temp_store=MEMORY;") != DB_OK) {
		snprintf(err, errlen, "cannot open database %s: %s", path,
		    db->err);
		db_close(db);
		return DB_EOPEN;
	}
	*out = db;
	return DB_OK;
}

void
db_close(db_t *db)
{
	if (db == NULL)
		return;
	for (size_t i = 0; i < db->ncache; i++) {
		sqlite3_finalize(db->cache[i].st);
		free(db->cache[i].sql);
	}
	sqlite3_finalize(db->scratch.st);
	/* Closing the last connection checkpoints the WAL into the main file. */
	sqlite3_close(db->h);
	free(db);
}

const char *
db_errmsg(db_t *db)
{
	return db->err;
}

int
db_exec(db_t *db, const char *sql)
{
	char *msg = NULL;
	int rc = sqlite3_exec(db->h, sql, NULL, NULL, &msg);

	if (rc != SQLITE_OK) {
		int mapped = map_rc(db, rc);

		if (msg != NULL)
			snprintf(db->err, sizeof(db->err), "%s", msg);
		sqlite3_free(msg);
		return mapped;
	}
	return DB_OK;
}

int
db_begin(db_t *db)
{
	return db_exec(db, "BEGIN IMMEDIATE");
}

int
db_commit(db_t *db)
{
	return db_exec(db, "COMMIT");
}

int
db_rollback(db_t *db)
{
	if (sqlite3_get_autocommit(db->h))
		return DB_OK;	/* nothing open: SQLite already rolled back */
	return db_exec(db, "ROLLBACK");
}

int
db_prepare(db_t *db, const char *sql, db_stmt_t **out)
{
	uint64_t h = fnv1a(sql);
	struct db_stmt *slot = NULL;
	int rc;

	for (size_t i = 0; i < db->ncache; i++) {
		struct db_stmt *c = &db->cache[i];

		if (c->hash == h && !c->busy && strcmp(c->sql, sql) == 0) {
			c->busy = 1;
			*out = c;
			return DB_OK;
		}
	}
	if (db->ncache < STMT_CACHE) {
		slot = &db->cache[db->ncache];
	} else {
		/* Evict round-robin among idle entries; else use scratch. */
		for (size_t k = 0; k < STMT_CACHE; k++) {
			struct db_stmt *c =
			    &db->cache[(db->next_evict + k) % STMT_CACHE];

			if (!c->busy) {
				slot = c;
				db->next_evict = (db->next_evict + k + 1) % STMT_CACHE;
				break;
			}
		}
		if (slot != NULL) {
			sqlite3_finalize(slot->st);
			free(slot->sql);
			memset(slot, 0, sizeof(*slot));
		} else {
			if (db->scratch.busy)
				return DB_ERR;
			sqlite3_finalize(db->scratch.st);
			db->scratch.st = NULL;
			slot = &db->scratch;
		}
	}
	rc = sqlite3_prepare_v3(db->h, sql, -1, SQLITE_PREPARE_PERSISTENT,
	    &slot->st, NULL);
	if (rc != SQLITE_OK) {
		int mapped = map_rc(db, rc);

		sqlite3_finalize(slot->st);
		slot->st = NULL;
		return mapped;
	}
	slot->db = db;
	slot->busy = 1;
	if (slot != &db->scratch) {
		slot->sql = xstrdup(sql);
		slot->hash = h;
		db->ncache += slot == &db->cache[db->ncache] ? 1 : 0;
	}
	*out = slot;
	return DB_OK;
}

int
db_bind_int(db_stmt_t *st, int idx, int64_t v)
{
	int rc = sqlite3_bind_int64(st->st, idx, v);

	return rc == SQLITE_OK ? DB_OK : map_rc(st->db, rc);
}

int
db_bind_text(db_stmt_t *st, int idx, const char *s, size_t len)
{
	int rc = sqlite3_bind_text64(st->st, idx, s, len, SQLITE_TRANSIENT,
	    SQLITE_UTF8);

	return rc == SQLITE_OK ? DB_OK : map_rc(st->db, rc);
}

int
db_bind_null(db_stmt_t *st, int idx)
{
	int rc = sqlite3_bind_null(st->st, idx);

	return rc == SQLITE_OK ? DB_OK : map_rc(st->db, rc);
}

int
db_step(db_stmt_t *st)
{
	int rc = sqlite3_step(st->st);

	if (rc == SQLITE_ROW)
		return DB_ROW;
	if (rc == SQLITE_DONE)
		return DB_DONE;
	return map_rc(st->db, rc);
}

bool
db_col_null(db_stmt_t *st, int col)
{
	return sqlite3_column_type(st->st, col) == SQLITE_NULL;
}

int64_t
db_col_int(db_stmt_t *st, int col)
{
	return sqlite3_column_int64(st->st, col);
}

const char *
db_col_text(db_stmt_t *st, int col, size_t *len)
{
	const char *s = (const char *)sqlite3_column_text(st->st, col);

	if (len != NULL)
		*len = (size_t)sqlite3_column_bytes(st->st, col);
	return s ? s : "";
}

int
db_col_count(db_stmt_t *st)
{
	return sqlite3_column_count(st->st);
}

const char *
db_col_name(db_stmt_t *st, int col)
{
	return sqlite3_column_name(st->st, col);
}

void
db_done(db_stmt_t *st)
{
	if (st == NULL)
		return;
	sqlite3_reset(st->st);
	sqlite3_clear_bindings(st->st);
	st->busy = 0;
	if (st == &st->db->scratch) {
		sqlite3_finalize(st->st);
		st->st = NULL;
	}
}

int64_t
db_changes(db_t *db)
{
	return sqlite3_changes64(db->h);
}

/* ---- query builder ---- */

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
		snprintf(db->err, sizeof(db->err), "query too large");
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

/* ---- search: FTS5 trigram and word-prefix tables ---- */

/* An FTS5 string literal: the word in double quotes, quotes doubled. */
static void
fts_quote(char *out, size_t outlen, const char *w, size_t len, bool prefix)
{
	size_t n = 0;

	out[n++] = '"';
	for (size_t i = 0; i < len && n + 4 < outlen; i++) {
		if (w[i] == '"')
			out[n++] = '"';
		out[n++] = w[i];
	}
	out[n++] = '"';
	if (prefix)
		out[n++] = '*';
	out[n] = '\0';
}

void
db_search_clause(db_t *db, struct dbq *q, const char *table,
    const char *idexpr, const char *const *words, const size_t *lens,
    size_t nwords, bool prefix_only)
{
	char lit[512];

	(void)db;
	dbq_sql(q, "(1=1");
	for (size_t i = 0; i < nwords; i++) {
		bool wordidx = prefix_only || text_utf8_count(words[i], lens[i]) < 3;
		const char *kind = wordidx ? "words" : "tri";

		fts_quote(lit, sizeof(lit), words[i], lens[i], wordidx);
		dbq_sql(q, " AND %s IN (SELECT rowid FROM %s_%s WHERE %s_%s MATCH ?)",
		    idexpr, table, kind, table, kind);
		dbq_text(q, lit, strlen(lit));
	}
	dbq_sql(q, ")");
}

/* ---- migrations ---- */

int
db_migrate(db_t *db, char *err, size_t errlen)
{
	db_stmt_t *st;
	int64_t have = 0;
	int rc;

	rc = db_exec(db, "CREATE TABLE IF NOT EXISTS schema_migrations ("
	    "version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
	    "applied_at BIGINT NOT NULL)");
	if (rc != DB_OK) {
		snprintf(err, errlen, "cannot create schema_migrations: %s",
		    db->err);
		return DB_ERR;
	}
	if (db_prepare(db, "SELECT COALESCE(MAX(version), 0) FROM "
	    "schema_migrations", &st) != DB_OK || db_step(st) != DB_ROW) {
		snprintf(err, errlen, "cannot read schema version: %s", db->err);
		return DB_ERR;
	}
	have = db_col_int(st, 0);
	db_done(st);
	for (size_t i = 0; i < migration_nfiles; i++) {
		const struct embed_file *m = &migration_files[i];
		int64_t version = strtoll(m->path, NULL, 10);
		char *sql;

		if (version <= have)
			continue;
		sql = xstrndup((const char *)m->data, m->len);
		rc = db_begin(db);
		if (rc == DB_OK)
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
