/*
 * The SQLite driver of the store.
 *
 * One connection per db_t, opened in WAL mode so readers never wait for the
 * writer, with foreign keys on and a busy timeout so concurrent writers from
 * the worker pool queue instead of failing. Prepared statements are cached
 * per connection by their SQL text: the hot paths (auth lookup, get by id)
 * then cost one step, not one parse.
 */
#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "store/driver.h"
#include "store/gate.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/text.h"
#include "util/timeutil.h"
#include "util/tz.h"

#define STMT_CACHE 128
/* How long a writer waits for the lock before SQLITE_BUSY, gated or not. */
#define LITE_BUSY_MS 5000

struct lite_stmt {
	struct db_stmt	 base;
	sqlite3_stmt	*st;
	char		*sql;
	uint64_t	 hash;
	int		 busy;	/* handed out and not yet db_done() */
};

struct lite {
	struct db	 base;
	sqlite3		*h;
	struct lite_stmt cache[STMT_CACHE];
	size_t		 ncache;
	size_t		 next_evict;
	struct lite_stmt scratch;	/* an uncached statement when all are busy */
	int64_t		 deadline_us;	/* db_set_deadline: time_mono_us(), or 0 */
	int64_t		 busy_since_us;	/* the gated busy handler's first call */
	uint64_t	 gate_seen;	/* gate_seq() before the last attempt */
	/* crm_bucket's last zone, kept so a report loads it once. */
	struct tz	*bucket_tz;
	char		 bucket_tzname[TZ_NAME_MAX + 1];
};

#define LITE(db) ((struct lite *)(void *)(db))
#define LST(st) ((struct lite_stmt *)(void *)(st))

static const struct db_driver sqlite_driver;

static int
map_rc(struct lite *l, int rc)
{
	db_set_err(&l->base, "%s", sqlite3_errmsg(l->h));
	switch (rc & 0xff) {
	case SQLITE_FULL:
		l->base.fault = DB_FAULT_FULL;
		break;
	case SQLITE_READONLY:
	case SQLITE_IOERR:
	case SQLITE_CANTOPEN:
		l->base.fault = DB_FAULT_READONLY;
		break;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		l->base.fault = DB_FAULT_BUSY;
		break;
	case SQLITE_INTERRUPT:
		/* Only our progress handler interrupts: the deadline passed. */
		l->base.fault = DB_FAULT_TIMEOUT;
		break;
	default:
		l->base.fault = DB_FAULT_NONE;
		break;
	}
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

static void
lite_close(db_t *db)
{
	struct lite *l = LITE(db);

	for (size_t i = 0; i < l->ncache; i++) {
		sqlite3_finalize(l->cache[i].st);
		free(l->cache[i].sql);
	}
	sqlite3_finalize(l->scratch.st);
	tz_free(l->bucket_tz);
	/* Closing the last connection checkpoints the WAL into the main file. */
	sqlite3_close(l->h);
	free(l);
}

static int
lite_exec(db_t *db, const char *sql)
{
	struct lite *l = LITE(db);
	char *msg = NULL;
	int rc = sqlite3_exec(l->h, sql, NULL, NULL, &msg);

	if (rc != SQLITE_OK) {
		int mapped = map_rc(l, rc);

		if (msg != NULL)
			db_set_err(db, "%s", msg);
		sqlite3_free(msg);
		return mapped;
	}
	return DB_OK;
}

/* ---- reports: date buckets, JSON values, deadlines ---- */

/*
 * The first day of the bucket holding local day `day` into out
 * ("YYYY-MM-DD"); false outside the years 1..9999.
 */
static bool
bucket_start(int64_t day, const char *bucket, char *out, size_t outlen)
{
	int y, m, d;

	if (strcmp(bucket, "week") == 0) {
		/* 1970-01-01 was a Thursday: (day + 3) mod 7 is 0 on Mondays. */
		int64_t wd = ((day + 3) % 7 + 7) % 7;

		day -= wd;
	}
	time_civil_from_days(day, &y, &m, &d);
	if (strcmp(bucket, "month") == 0) {
		d = 1;
	} else if (strcmp(bucket, "quarter") == 0) {
		m = (m - 1) / 3 * 3 + 1;
		d = 1;
	} else if (strcmp(bucket, "year") == 0) {
		m = 1;
		d = 1;
	}
	if (y < 1 || y > 9999)
		return false;
	snprintf(out, outlen, "%04d-%02d-%02d", y, m, d);
	return true;
}

/*
 * The zone named tzname (NULL: UTC), loaded once and kept on the
 * connection while reports ask for the same one; NULL and an error set on
 * ctx when it is not a known zone (the core checks zones first).
 */
static const struct tz *
lite_zone(sqlite3_context *ctx, struct lite *l, const char *tzname)
{
	struct tz *z = NULL;

	if (tzname == NULL)
		tzname = "UTC";
	if (l->bucket_tz != NULL && strcmp(tzname, l->bucket_tzname) == 0)
		return l->bucket_tz;
	if (strlen(tzname) > TZ_NAME_MAX || tz_load(tzname, &z) != 0) {
		sqlite3_result_error(ctx, "crm_bucket: unknown time zone", -1);
		return NULL;
	}
	tz_free(l->bucket_tz);
	l->bucket_tz = z;
	snprintf(l->bucket_tzname, sizeof(l->bucket_tzname), "%s", tzname);
	return z;
}

/* The bucket's first day of local day `day` as the result, or NULL. */
static void
result_bucket(sqlite3_context *ctx, int64_t day, const char *bucket)
{
	char out[16];

	if (!bucket_start(day, bucket, out, sizeof(out))) {
		sqlite3_result_null(ctx);
		return;
	}
	sqlite3_result_text(ctx, out, -1, SQLITE_TRANSIENT);
}

/*
 * crm_bucket(value, bucket, tz): value is a "YYYY-MM-DD" text or a time in
 * ms (cut at tz's local midnights); answers the bucket's first day, or
 * NULL for NULL, '' and values out of range. A bad zone is an error.
 */
static void
lite_bucket_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	struct lite *l = sqlite3_user_data(ctx);
	const char *bucket = (const char *)sqlite3_value_text(argv[1]);
	const struct tz *z;
	int64_t day;

	(void)argc;
	if (bucket == NULL || sqlite3_value_type(argv[0]) == SQLITE_NULL) {
		sqlite3_result_null(ctx);
		return;
	}
	if (sqlite3_value_type(argv[0]) == SQLITE_TEXT) {
		const char *s = (const char *)sqlite3_value_text(argv[0]);

		if (s == NULL || time_parse_date(s, strlen(s), &day) != 0) {
			sqlite3_result_null(ctx);
			return;
		}
	} else {
		z = lite_zone(ctx, l, (const char *)sqlite3_value_text(argv[2]));
		if (z == NULL)
			return;
		day = tz_local_day(z, sqlite3_value_int64(argv[0]));
	}
	result_bucket(ctx, day, bucket);
}

/* crm_day(ms, tz): the local day (days since 1970-01-01) of a time. */
static void
lite_day_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	struct lite *l = sqlite3_user_data(ctx);
	const struct tz *z;

	(void)argc;
	if (sqlite3_value_type(argv[0]) == SQLITE_NULL) {
		sqlite3_result_null(ctx);
		return;
	}
	z = lite_zone(ctx, l, (const char *)sqlite3_value_text(argv[1]));
	if (z != NULL)
		sqlite3_result_int64(ctx, tz_local_day(z,
		    sqlite3_value_int64(argv[0])));
}

/* crm_day_bucket(day, bucket): crm_bucket of a crm_day value. */
static void
lite_day_bucket_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const char *bucket = (const char *)sqlite3_value_text(argv[1]);

	(void)argc;
	if (bucket == NULL || sqlite3_value_type(argv[0]) == SQLITE_NULL) {
		sqlite3_result_null(ctx);
		return;
	}
	result_bucket(ctx, sqlite3_value_int64(argv[0]), bucket);
}

static void
lite_bucket_expr(db_t *db, struct dbq *q, const char *expr,
    const char *bucket, bool is_date, const char *tz)
{
	(void)db;
	/* bucket is one of db_bucket_known's names: safe as a literal. */
	dbq_sql(q, "crm_bucket(%s, '%s', ?)", expr, bucket);
	dbq_text(q, is_date || tz == NULL ? "UTC" : tz, strlen(is_date ||
	    tz == NULL ? "UTC" : tz));
}

static void
lite_day_expr(db_t *db, struct dbq *q, const char *expr, const char *tz)
{
	(void)db;
	dbq_sql(q, "crm_day(%s, ?)", expr);
	dbq_text(q, tz == NULL ? "UTC" : tz, strlen(tz == NULL ? "UTC" : tz));
}

static void
lite_day_bucket_expr(db_t *db, struct dbq *q, const char *day,
    const char *bucket)
{
	(void)db;
	/* bucket is one of db_bucket_known's names: safe as a literal. */
	dbq_sql(q, "crm_day_bucket(%s, '%s')", day, bucket);
}

static void
lite_json_expr(db_t *db, struct dbq *q, const char *col, const char *key,
    const char *sub, bool integer)
{
	struct buf path;

	(void)db;
	buf_init(&path, 256);
	buf_printf(&path, "$.\"%s\"", key);
	if (sub != NULL)
		buf_printf(&path, ".\"%s\"", sub);
	dbq_sql(q, integer ? "CAST(json_extract(%s, ?) AS INTEGER)" :
	    "json_extract(%s, ?)", col);
	dbq_text(q, path.data ? path.data : "$", path.data ? path.len : 1);
	buf_free(&path);
}

/* Called every few thousand VM steps while a deadline is set. */
static int
lite_progress(void *arg)
{
	struct lite *l = arg;

	return l->deadline_us != 0 && time_mono_us() > l->deadline_us;
}

static int
lite_set_deadline(db_t *db, int64_t ms)
{
	struct lite *l = LITE(db);

	if (ms == 0) {
		l->deadline_us = 0;
		sqlite3_progress_handler(l->h, 0, NULL, NULL);
		return DB_OK;
	}
	l->deadline_us = time_mono_us() + ms * 1000;
	sqlite3_progress_handler(l->h, 4096, lite_progress, l);
	return DB_OK;
}

/*
 * SQLite counts every allocation under one process-wide mutex for
 * sqlite3_memory_used(), which crm never reads: a row written by an
 * import allocates about 190 times, and the count cost 7 % of it.
 */
int
sqlite_library_init(void)
{
	return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0) == SQLITE_OK ? 0 : -1;
}

int
sqlite_open(const char *path, db_t **out, char *err, size_t errlen)
{
	struct lite *l = xcalloc(1, sizeof(*l));
	int rc;

	l->base.drv = &sqlite_driver;
	rc = sqlite3_open_v2(path, &l->h,
	    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		snprintf(err, errlen, "cannot open database %s: %s", path,
		    l->h ? sqlite3_errmsg(l->h) : sqlite3_errstr(rc));
		sqlite3_close(l->h);
		free(l);
		return DB_EOPEN;
	}
	sqlite3_busy_timeout(l->h, LITE_BUSY_MS);
	sqlite3_extended_result_codes(l->h, 1);
	/*
	 * synchronous=FULL: a commit is on disk before the client hears 201,
	 * even if the machine loses power (NORMAL would only survive a crash
	 * of the process).
	 */
	if (lite_exec(&l->base, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
	    "PRAGMA journal_size_limit=67108864;"
	    "PRAGMA foreign_keys=ON; PRAGMA cache_size=-16000;"
	    "PRAGMA temp_store=MEMORY;") != DB_OK) {
		snprintf(err, errlen, "cannot open database %s: %s", path,
		    l->base.err);
		lite_close(&l->base);
		return DB_EOPEN;
	}
	/* Date buckets of reports (db_bucket_expr, db_day_expr). */
	rc = sqlite3_create_function_v2(l->h, "crm_bucket", 3, SQLITE_UTF8 |
	    SQLITE_DETERMINISTIC, l, lite_bucket_fn, NULL, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_create_function_v2(l->h, "crm_day", 2, SQLITE_UTF8 |
		    SQLITE_DETERMINISTIC, l, lite_day_fn, NULL, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_create_function_v2(l->h, "crm_day_bucket", 2,
		    SQLITE_UTF8 | SQLITE_DETERMINISTIC, l, lite_day_bucket_fn,
		    NULL, NULL, NULL);
	if (rc != SQLITE_OK) {
		snprintf(err, errlen, "cannot open database %s: %s", path,
		    sqlite3_errmsg(l->h));
		lite_close(&l->base);
		return DB_EOPEN;
	}
	*out = &l->base;
	return DB_OK;
}

static int
lite_begin(db_t *db)
{
	struct db_gate *g = db->gate;
	int rc;

	if (g == NULL)
		return lite_exec(db, "BEGIN IMMEDIATE");
	gate_want(g);
	LITE(db)->gate_seen = gate_seq(g);
	rc = lite_exec(db, "BEGIN IMMEDIATE");
	gate_got(g);
	return rc;
}

static int
lite_commit(db_t *db)
{
	int rc = lite_exec(db, "COMMIT");

	if (db->gate != NULL && sqlite3_get_autocommit(LITE(db)->h))
		gate_released(db->gate);
	return rc;
}

static int
lite_rollback(db_t *db)
{
	int rc;

	/*
	 * Nothing open: SQLite already rolled back (an interrupted statement,
	 * a failed COMMIT), which freed the lock too; the waiters hear it.
	 */
	rc = sqlite3_get_autocommit(LITE(db)->h) ? DB_OK :
	    lite_exec(db, "ROLLBACK");
	if (db->gate != NULL)
		gate_released(db->gate);
	return rc;
}

/*
 * The busy handler of a gated connection: wait for the next commit or
 * rollback of the process (or GATE_POLL_MS, for writers elsewhere), until
 * LITE_BUSY_MS have passed since the first call for this lock. "Next"
 * counts from before the attempt that failed (gate_seen), so a commit
 * between that attempt and this call sends it straight back to try.
 */
static int
lite_busy(void *arg, int count)
{
	struct lite *l = arg;
	int64_t now = time_mono_us(), left_ms;

	if (count == 0)
		l->busy_since_us = now;
	left_ms = LITE_BUSY_MS - (now - l->busy_since_us) / 1000;
	if (left_ms <= 0)
		return 0;
	gate_wait_release(l->base.gate, &l->gate_seen, left_ms);
	return 1;
}

static void
lite_set_gate(db_t *db, struct db_gate *g)
{
	struct lite *l = LITE(db);

	if (g != NULL)
		sqlite3_busy_handler(l->h, lite_busy, l);
	else
		sqlite3_busy_timeout(l->h, LITE_BUSY_MS);
}

static bool
lite_in_txn(db_t *db)
{
	return !sqlite3_get_autocommit(LITE(db)->h);
}

static int
lite_prepare(db_t *db, const char *sql, db_stmt_t **out)
{
	struct lite *l = LITE(db);
	uint64_t h = db_sql_hash(sql);
	struct lite_stmt *slot = NULL;
	int rc;

	for (size_t i = 0; i < l->ncache; i++) {
		struct lite_stmt *c = &l->cache[i];

		if (c->hash == h && !c->busy && strcmp(c->sql, sql) == 0) {
			c->busy = 1;
			*out = &c->base;
			return DB_OK;
		}
	}
	if (l->ncache < STMT_CACHE) {
		slot = &l->cache[l->ncache];
	} else {
		/* Evict round-robin among idle entries; else use scratch. */
		for (size_t k = 0; k < STMT_CACHE; k++) {
			struct lite_stmt *c =
			    &l->cache[(l->next_evict + k) % STMT_CACHE];

			if (!c->busy) {
				slot = c;
				l->next_evict = (l->next_evict + k + 1) % STMT_CACHE;
				break;
			}
		}
		if (slot != NULL) {
			sqlite3_finalize(slot->st);
			free(slot->sql);
			memset(slot, 0, sizeof(*slot));
		} else {
			if (l->scratch.busy) {
				db_set_err(db, "too many statements open at once");
				return DB_ERR;
			}
			sqlite3_finalize(l->scratch.st);
			l->scratch.st = NULL;
			slot = &l->scratch;
		}
	}
	rc = sqlite3_prepare_v3(l->h, sql, -1, SQLITE_PREPARE_PERSISTENT,
	    &slot->st, NULL);
	if (rc != SQLITE_OK) {
		int mapped = map_rc(l, rc);

		sqlite3_finalize(slot->st);
		slot->st = NULL;
		return mapped;
	}
	slot->base.db = db;
	slot->busy = 1;
	if (slot != &l->scratch) {
		slot->sql = xstrdup(sql);
		slot->hash = h;
		if (slot == &l->cache[l->ncache])
			l->ncache++;
	}
	*out = &slot->base;
	return DB_OK;
}

static int
lite_bind_int(db_stmt_t *st, int idx, int64_t v)
{
	int rc = sqlite3_bind_int64(LST(st)->st, idx, v);

	return rc == SQLITE_OK ? DB_OK : map_rc(LITE(st->db), rc);
}

static int
lite_bind_text(db_stmt_t *st, int idx, const char *s, size_t len)
{
	int rc = sqlite3_bind_text64(LST(st)->st, idx, s, len, SQLITE_TRANSIENT,
	    SQLITE_UTF8);

	return rc == SQLITE_OK ? DB_OK : map_rc(LITE(st->db), rc);
}

static int
lite_bind_null(db_stmt_t *st, int idx)
{
	int rc = sqlite3_bind_null(LST(st)->st, idx);

	return rc == SQLITE_OK ? DB_OK : map_rc(LITE(st->db), rc);
}

static int
lite_step(db_stmt_t *st)
{
	int rc = sqlite3_step(LST(st)->st);

	if (rc == SQLITE_ROW)
		return DB_ROW;
	if (rc == SQLITE_DONE)
		return DB_DONE;
	return map_rc(LITE(st->db), rc);
}

static bool
lite_col_null(db_stmt_t *st, int col)
{
	return sqlite3_column_type(LST(st)->st, col) == SQLITE_NULL;
}

static int64_t
lite_col_int(db_stmt_t *st, int col)
{
	return sqlite3_column_int64(LST(st)->st, col);
}

static const char *
lite_col_text(db_stmt_t *st, int col, size_t *len)
{
	const char *s = (const char *)sqlite3_column_text(LST(st)->st, col);

	if (len != NULL)
		*len = (size_t)sqlite3_column_bytes(LST(st)->st, col);
	return s ? s : "";
}

static int
lite_col_count(db_stmt_t *st)
{
	return sqlite3_column_count(LST(st)->st);
}

static const char *
lite_col_name(db_stmt_t *st, int col)
{
	return sqlite3_column_name(LST(st)->st, col);
}

static void
lite_done(db_stmt_t *st)
{
	struct lite_stmt *ls = LST(st);
	struct lite *l = LITE(st->db);

	sqlite3_reset(ls->st);
	sqlite3_clear_bindings(ls->st);
	ls->busy = 0;
	if (ls == &l->scratch) {
		sqlite3_finalize(ls->st);
		ls->st = NULL;
	}
}

static int64_t
lite_changes(db_t *db)
{
	return sqlite3_changes64(LITE(db)->h);
}

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

/*
 * FTS5: a trigram index for substrings, a unicode61 word index with
 * one- and two-character prefix tables for word starts.
 */
static void
lite_search_clause(db_t *db, struct dbq *q, const char *table,
    const char *alias, const char *const *words, const size_t *lens,
    size_t nwords, bool prefix_only)
{
	char lit[512];

	(void)db;
	dbq_sql(q, "(1=1");
	for (size_t i = 0; i < nwords; i++) {
		bool wordidx = prefix_only || text_utf8_count(words[i], lens[i]) < 3;
		const char *kind = wordidx ? "words" : "tri";

		fts_quote(lit, sizeof(lit), words[i], lens[i], wordidx);
		dbq_sql(q, " AND (%s.id IN (SELECT rowid FROM %s_%s WHERE %s_%s "
		    "MATCH ?)", alias, table, kind, table, kind);
		dbq_text(q, lit, strlen(lit));
		if (!wordidx) {
			/* also word starts without accents: "muller" finds "Müller" */
			fts_quote(lit, sizeof(lit), words[i], lens[i], true);
			dbq_sql(q, " OR %s.id IN (SELECT rowid FROM %s_words WHERE "
			    "%s_words MATCH ?)", alias, table, table);
			dbq_text(q, lit, strlen(lit));
		}
		dbq_sql(q, ")");
	}
	dbq_sql(q, ")");
}

/*
 * Deferred indexing: a row of search_deferred (migration 0026) makes the
 * insert trigger of table skip; the catch-up feeds both FTS5 indexes the
 * rows past the mark in one INSERT ... SELECT each, which FTS5 merges far
 * faster than a trigger run per row. An INTEGER PRIMARY KEY gives every
 * row inserted in this transaction an id above the largest before it.
 */
static int
lite_max_id(db_t *db, const char *table, int64_t *id)
{
	char sql[160];
	db_stmt_t *st;
	int rc;

	if ((size_t)snprintf(sql, sizeof(sql), "SELECT COALESCE(MAX(id), 0) "
	    "FROM %s", table) >= sizeof(sql))
		return DB_ERR;
	if (lite_prepare(db, sql, &st) != DB_OK)
		return DB_ERR;
	rc = lite_step(st);
	if (rc == DB_ROW)
		*id = lite_col_int(st, 0);
	lite_done(st);
	return rc == DB_ROW ? DB_OK : DB_ERR;
}

static int
lite_exec_text(db_t *db, const char *sql, const char *v)
{
	db_stmt_t *st;
	int rc;

	if (lite_prepare(db, sql, &st) != DB_OK)
		return DB_ERR;
	rc = lite_bind_text(st, 1, v, strlen(v));
	if (rc == DB_OK)
		rc = lite_step(st) == DB_DONE ? DB_OK : DB_ERR;
	lite_done(st);
	return rc;
}

static int
lite_search_defer(db_t *db, const char *table, int64_t *mark)
{
	if (lite_exec_text(db, "INSERT OR IGNORE INTO search_deferred (tbl) "
	    "VALUES (?)", table) != DB_OK)
		return DB_ERR;
	return lite_max_id(db, table, mark);
}

static int
lite_search_catch_up(db_t *db, const char *table, int64_t *mark,
    bool resume)
{
	static const char *const kinds[] = { "tri", "words" };
	char sql[256];
	db_stmt_t *st;
	int rc;

	for (size_t i = 0; i < sizeof(kinds) / sizeof(*kinds); i++) {
		if ((size_t)snprintf(sql, sizeof(sql), "INSERT INTO %s_%s (rowid, "
		    "search_text) SELECT id, search_text FROM %s WHERE id > ?",
		    table, kinds[i], table) >= sizeof(sql))
			return DB_ERR;
		if (lite_prepare(db, sql, &st) != DB_OK)
			return DB_ERR;
		rc = lite_bind_int(st, 1, *mark);
		if (rc == DB_OK)
			rc = lite_step(st) == DB_DONE ? DB_OK : DB_ERR;
		lite_done(st);
		if (rc != DB_OK)
			return rc;
	}
	if (lite_max_id(db, table, mark) != DB_OK)
		return DB_ERR;
	if (resume)
		return lite_exec_text(db, "DELETE FROM search_deferred WHERE "
		    "tbl = ?", table);
	return DB_OK;
}

/* An INTEGER PRIMARY KEY always takes the largest id plus one. */
static int
lite_reset_ids(db_t *db, const char *table)
{
	(void)db;
	(void)table;
	return DB_OK;
}

static bool
lite_is_down(db_t *db)
{
	(void)db;
	return false;	/* a file: there is no server to lose */
}

/*
 * One FTS5 query drives: all words in one MATCH of the word index (word
 * starts), or of the trigram index (substrings) with any short words
 * checked against the word index. FTS5 yields rowids in order and stops
 * at the caller's LIMIT.
 */
static void
lite_search_ids(db_t *db, struct dbq *q, const char *table,
    const char *const *words, const size_t *lens, size_t nwords,
    bool prefix_only)
{
	struct buf tri, wrd;
	char lit[512];

	(void)db;
	buf_init(&tri, 4096);
	buf_init(&wrd, 4096);
	for (size_t i = 0; i < nwords; i++) {
		bool wordidx = prefix_only || text_utf8_count(words[i], lens[i]) < 3;
		struct buf *b = wordidx ? &wrd : &tri;

		fts_quote(lit, sizeof(lit), words[i], lens[i], wordidx);
		buf_printf(b, "%s%s", b->len ? " AND " : "", lit);
	}
	if (tri.len > 0) {
		dbq_sql(q, "SELECT rowid AS id FROM %s_tri WHERE %s_tri MATCH ?",
		    table, table);
		dbq_text(q, tri.data, tri.len);
		if (wrd.len > 0) {
			/*
			 * Short words checked row by row: a seek in the prefix
			 * index, not a list of every row with a word in "д".
			 */
			dbq_sql(q, " AND EXISTS (SELECT 1 FROM %s_words w WHERE "
			    "%s_words MATCH ? AND w.rowid = %s_tri.rowid)", table,
			    table, table);
			dbq_text(q, wrd.data, wrd.len);
		}
	} else {
		dbq_sql(q, "SELECT rowid AS id FROM %s_words WHERE %s_words MATCH ?",
		    table, table);
		dbq_text(q, wrd.data ? wrd.data : "\"\"", wrd.data ? wrd.len : 2);
	}
	dbq_sql(q, " ORDER BY rowid DESC");
	buf_free(&tri);
	buf_free(&wrd);
}

/* ---- files: backup and restore (see store/db.h) ---- */

const char *
sqlite_file(db_t *db)
{
	const char *f = sqlite3_db_filename(LITE(db)->h, "main");

	return f != NULL && f[0] != '\0' ? f : NULL;
}

static void
nap_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* Flushes path's data to disk. */
static int
fsync_path(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int rc;

	if (fd < 0)
		return -1;
	rc = fsync(fd);
	if (close(fd) != 0)
		rc = -1;
	return rc;
}

int
sqlite_snapshot(db_t *db, const char *dest, char *err, size_t errlen)
{
	struct lite *l = LITE(db);
	sqlite3 *d = NULL;
	sqlite3_backup *b;
	char *msg = NULL;
	int rc, tries;

	if (access(dest, F_OK) == 0) {
		snprintf(err, errlen, "%s already exists", dest);
		return DB_ERR;
	}
	rc = sqlite3_open_v2(dest, &d, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		snprintf(err, errlen, "cannot create %s: %s", dest,
		    d ? sqlite3_errmsg(d) : sqlite3_errstr(rc));
		sqlite3_close(d);
		return DB_ERR;
	}
	b = sqlite3_backup_init(d, "main", l->h, "main");
	if (b == NULL) {
		snprintf(err, errlen, "cannot start the copy: %s", sqlite3_errmsg(d));
		sqlite3_close(d);
		return DB_ERR;
	}
	/*
	 * All pages in one step: one read transaction, so the copy is one
	 * moment of the database even while others write (WAL). Busy only
	 * while another connection recovers the WAL: wait a little.
	 */
	for (tries = 0; tries < 100; tries++) {
		rc = sqlite3_backup_step(b, -1);
		if (rc != SQLITE_BUSY && rc != SQLITE_LOCKED)
			break;
		nap_ms(50);
	}
	if (rc != SQLITE_DONE) {
		snprintf(err, errlen, "copying the database failed: %s",
		    sqlite3_errstr(rc));
		sqlite3_backup_finish(b);
		sqlite3_close(d);
		unlink(dest);
		return DB_ERR;
	}
	rc = sqlite3_backup_finish(b);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(d, "PRAGMA journal_mode=DELETE", NULL, NULL, &msg);
	if (rc != SQLITE_OK) {
		snprintf(err, errlen, "finishing the copy failed: %s",
		    msg ? msg : sqlite3_errmsg(d));
		sqlite3_free(msg);
		sqlite3_close(d);
		unlink(dest);
		return DB_ERR;
	}
	if (sqlite3_close(d) != SQLITE_OK || fsync_path(dest) != 0) {
		snprintf(err, errlen, "cannot write %s to disk: %s", dest,
		    strerror(errno));
		unlink(dest);
		return DB_ERR;
	}
	return DB_OK;
}

static int
check_row(void *arg, int ncol, char **vals, char **names)
{
	char **first = arg;

	(void)names;
	if (*first == NULL && ncol > 0 && vals[0] != NULL)
		*first = sqlite3_mprintf("%s", vals[0]);
	return 0;
}

int
db_file_check(const char *path, char *msg, size_t msglen)
{
	sqlite3 *h = NULL;
	char *first = NULL, *emsg = NULL;
	int rc;

	rc = sqlite3_open_v2(path, &h, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX,
	    NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(h, "PRAGMA integrity_check(1)", check_row, &first,
		    &emsg);
	if (rc != SQLITE_OK) {
		snprintf(msg, msglen, "not a readable SQLite database: %s",
		    emsg ? emsg : h ? sqlite3_errmsg(h) : sqlite3_errstr(rc));
		sqlite3_free(emsg);
		sqlite3_free(first);
		sqlite3_close(h);
		return DB_ERR;
	}
	sqlite3_close(h);
	if (first == NULL || strcmp(first, "ok") != 0) {
		snprintf(msg, msglen, "integrity_check: %s", first ? first : "no answer");
		sqlite3_free(first);
		return DB_ERR;
	}
	sqlite3_free(first);
	snprintf(msg, msglen, "ok");
	return DB_OK;
}

/*
 * The byte of the -shm file that every WAL connection holds a shared lock
 * on while it is open (the "DMS" byte of SQLite's unix VFS: 120 + 8).
 */
#define SHM_DMS_BYTE 128

int
db_file_in_use(const char *path, bool *in_use, char *why, size_t whylen)
{
	char shm[4096];
	sqlite3 *h = NULL;
	struct flock lk;
	int fd, rc;

	*in_use = false;
	why[0] = '\0';
	if (access(path, F_OK) != 0)
		return DB_OK;
	if ((size_t)snprintf(shm, sizeof(shm), "%s-shm", path) >= sizeof(shm)) {
		snprintf(why, whylen, "the path is too long");
		return DB_ERR;
	}
	fd = open(shm, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd >= 0) {
		memset(&lk, 0, sizeof(lk));
		lk.l_type = F_WRLCK;
		lk.l_whence = SEEK_SET;
		lk.l_start = SHM_DMS_BYTE;
		lk.l_len = 1;
		rc = fcntl(fd, F_GETLK, &lk);
		close(fd);
		if (rc == 0 && lk.l_type != F_UNLCK) {
			*in_use = true;
			snprintf(why, whylen, "process %ld has it open",
			    (long)lk.l_pid);
			return DB_OK;
		}
	}
	rc = sqlite3_open_v2(path, &h, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX,
	    NULL);
	if (rc == SQLITE_OK) {
		sqlite3_busy_timeout(h, 200);
		rc = sqlite3_exec(h, "BEGIN IMMEDIATE", NULL, NULL, NULL);
		if ((rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED) {
			*in_use = true;
			snprintf(why, whylen, "another process is writing to it");
		} else if (rc == SQLITE_OK) {
			sqlite3_exec(h, "ROLLBACK", NULL, NULL, NULL);
		}
	}
	sqlite3_close(h);
	return DB_OK;
}

static const struct db_driver sqlite_driver = {
	.name = "sqlite",
	.close = lite_close,
	.exec = lite_exec,
	.begin = lite_begin,
	.commit = lite_commit,
	.rollback = lite_rollback,
	.set_gate = lite_set_gate,
	.prepare = lite_prepare,
	.bind_int = lite_bind_int,
	.bind_text = lite_bind_text,
	.bind_null = lite_bind_null,
	.step = lite_step,
	.col_null = lite_col_null,
	.col_int = lite_col_int,
	.col_text = lite_col_text,
	.col_count = lite_col_count,
	.col_name = lite_col_name,
	.done = lite_done,
	.changes = lite_changes,
	.in_txn = lite_in_txn,
	.is_down = lite_is_down,
	.search_clause = lite_search_clause,
	.search_ids = lite_search_ids,
	.search_defer = lite_search_defer,
	.search_catch_up = lite_search_catch_up,
	.bucket_expr = lite_bucket_expr,
	.day_expr = lite_day_expr,
	.day_bucket_expr = lite_day_bucket_expr,
	.json_expr = lite_json_expr,
	.set_deadline = lite_set_deadline,
	.for_update = "",
	.skip_locked = "",	/* BEGIN IMMEDIATE already admits one writer */
	/*
	 * pragma_table_list types FTS5 indexes 'virtual' and their storage
	 * 'shadow', so only the application's own tables are 'table'.
	 */
	.tables_sql = "SELECT name FROM pragma_table_list "
	    "WHERE schema = 'main' AND type = 'table' "
	    "AND name NOT LIKE 'sqlite!_%' ESCAPE '!' "
	    "AND name <> 'schema_migrations'",
	.reset_ids = lite_reset_ids,
	.derived_columns = NULL,
	.migrations = sqlite_migration_files,
	.nmigrations = &sqlite_migration_nfiles,
};
