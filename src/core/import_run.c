/*
 * Imports: the pass over the file (a dry run, or the run) and undo.
 *
 * The pass streams the file (util/table.h) once. Each row is parsed cell
 * by cell (import_parse.c); a bad cell is an error with its row, column,
 * value and reason. A good row is matched against the existing records on
 * the chosen keys, from an in-memory index built once at the start (one
 * read of the table instead of a query per row), and against the rows
 * before it in the same file. A dry run only counts. The run writes
 * through the record engine (rec_create_id_txn, rec_update_txn), so the
 * importer's rights, every validation rule and the per-record audit are
 * the same as for a record made by hand, in transactions of IMP_CHUNK
 * rows, so other users' writes wait at most one chunk. Each record
 * written is an import_items row: the batch that undo walks back. The
 * search index of a chunk's new records is written at the chunk's end
 * (search_catch_up), inside its transaction.
 *
 * Mode "all" stops at the first row that fails anyway (the dry run was
 * clean, so this is a rule that needs the database, or another user's
 * change meanwhile): the chunk is rolled back and the chunks before it
 * undone through the batch, so nothing is left.
 */
#include "core/import.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/access.h"
#include "core/audit.h"
#include "core/currency.h"
#include "core/import_int.h"
#include "core/jobs.h"
#include "core/users.h"
#include "util/alloc.h"
#include "util/log.h"
#include "util/text.h"
#include "util/timeutil.h"

#define ERRFLUSH 1000		/* errors buffered before they are written */
#define VALUE_MAX 200		/* bytes of a value kept in an error */
#define IMP_YIELD_MS 100	/* longest wait for waiting writers per chunk */

enum on_match { OM_CREATE, OM_UPDATE, OM_SKIP, OM_MERGE };
enum { K_EMAIL = 1, K_PHONE = 2, K_TAX = 4, K_NAME = 8, K_EXT = 16 };

static int
db_fail(struct core_ctx *cx, const char *what)
{
	log_error("database: import run: %s: %s", what, db_errmsg(cx->db));
	return core_fail(cx, CRM_EDB, "The database failed");
}

/* ---- an index of match keys: text -> record id ---- */

struct kmap {
	char	**keys;
	int64_t	 *ids;
	size_t	  cap;		/* a power of two */
	size_t	  n;
};

static uint64_t
khash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static size_t
kslot(const struct kmap *m, const char *k)
{
	size_t i = (size_t)khash(k) & (m->cap - 1);

	while (m->keys[i] != NULL && strcmp(m->keys[i], k) != 0)
		i = (i + 1) & (m->cap - 1);
	return i;
}

static void kput(struct kmap *m, const char *k, int64_t id);

static void
kgrow(struct kmap *m)
{
	struct kmap old = *m;

	m->cap = old.cap ? old.cap * 2 : 1024;
	m->keys = xcalloc(m->cap, sizeof(*m->keys));
	m->ids = xcalloc(m->cap, sizeof(*m->ids));
	m->n = 0;
	for (size_t i = 0; i < old.cap; i++) {
		if (old.keys[i] != NULL) {
			kput(m, old.keys[i], old.ids[i]);
			free(old.keys[i]);
		}
	}
	free(old.keys);
	free(old.ids);
}

/* The first record a key names stays: later ones are its duplicates. */
static void
kput(struct kmap *m, const char *k, int64_t id)
{
	size_t i;

	if ((m->n + 1) * 2 > m->cap)
		kgrow(m);
	i = kslot(m, k);
	if (m->keys[i] != NULL)
		return;
	m->keys[i] = xstrdup(k);
	m->ids[i] = id;
	m->n++;
}

static bool
kget(const struct kmap *m, const char *k, int64_t *id)
{
	size_t i;

	if (m->cap == 0)
		return false;
	i = kslot(m, k);
	if (m->keys[i] == NULL)
		return false;
	*id = m->ids[i];
	return true;
}

static void
kfree(struct kmap *m)
{
	for (size_t i = 0; i < m->cap; i++)
		free(m->keys[i]);
	free(m->keys);
	free(m->ids);
}

bool
imp_match_key_ok(const struct entity *e, const char *key)
{
	if (key == NULL)
		return false;
	if (strcmp(key, "email") == 0 || strcmp(key, "phone") == 0)
		return e == &entity_companies || e == &entity_contacts;
	if (strcmp(key, "tax_id") == 0)
		return e == &entity_companies;
	if (strcmp(key, "name") == 0)
		return e != &entity_activities;
	if (strcmp(key, "external_id") == 0)
		return e == &entity_activities;
	return false;
}

/* ---- the pass ---- */

struct col {
	const struct imp_target	*t;	/* NULL: not imported */
	json_t			*values;	/* borrowed from the mapping */
	char			 header[128];
};

/* An import_items row waiting for its chunk's end (items_flush). */
struct item {
	int64_t		 row, rec_id, version;
	const char	*action;	/* a literal */
	char		*before;	/* JSON text, owned; NULL for a creation */
};

struct pass {
	struct core_ctx		*cx;
	const struct entity	*e;
	struct imp_targets	 ts;
	int64_t			 id;
	bool			 dry;
	bool			 skip_bad;	/* mode skip */
	int64_t			 header_row;
	struct col		*cols;
	size_t			 ncols;
	struct imp_popts	 po;
	char			 currency[4];	/* the default currency */
	enum on_match		 on;
	unsigned		 keys;
	struct kmap		 index;
	json_t			*names;	/* "companies:name" -> id, or error */
	json_t			*errors;	/* buffered [row, kind, col, value, why] */
	int64_t			 total, done, created, updated, skipped, failed;
	int64_t			 expected;	/* rows the dry run counted, or 0 */
	int64_t			 resume;	/* rows up to this one are done */
	int64_t			 last_row;	/* the last row handled */
	int64_t			 until_us;	/* end the slice after (0: never) */
	bool			 more;		/* the slice ended before the file */
	int64_t			 nerrors;	/* bad rows (not skipped ones) */
	int64_t			 errors_kept;
	bool			 in_chunk;
	int			 chunk_rows;
	struct item		 items[IMP_CHUNK];	/* the chunk's undo rows */
	size_t			 nitems;
	bool			 searchable;	/* e has a search index */
	int64_t			 search_mark;	/* rows past it not yet indexed */
	int			 rc;	/* a failure that stops the pass */
	char			 fatal[512];
	imp_progress_fn		 progress;
	void			*arg;
};

static void
note(struct pass *p, int64_t row, const char *kind, const char *col,
    const char *value, size_t vlen, const char *why)
{
	char v[VALUE_MAX * 4 + 1];
	size_t n = vlen, cut = 0;

	if (p->errors_kept >= IMP_ERRORS_MAX)
		return;
	/* At most VALUE_MAX characters, cut on a character boundary. */
	for (size_t i = 0, chars = 0; i < n && chars < VALUE_MAX; chars++) {
		i++;
		while (i < n && ((unsigned char)value[i] & 0xc0) == 0x80)
			i++;
		cut = i;
	}
	snprintf(v, sizeof(v), "%.*s", (int)(cut < n ? cut : n), value);
	json_array_append_new(p->errors, json_pack("[I, s, s, s, s]",
	    (json_int_t)row, kind, col, v, why));
	p->errors_kept++;
}

static int
flush_errors(struct pass *p)
{
	db_stmt_t *st;
	json_t *e;
	size_t i;
	int rc = CRM_OK;

	json_array_foreach(p->errors, i, e) {
		/* Prepared statements are cached by their text: one parse. */
		if (db_prepare(p->cx->db, "INSERT INTO import_errors (import_id, "
		    "row_no, kind, column_name, value, reason) VALUES (?, ?, ?, ?, "
		    "?, ?)", &st) != DB_OK) {
			rc = db_fail(p->cx, "errors");
			break;
		}
		db_bind_int(st, 1, p->id);
		db_bind_int(st, 2, json_integer_value(json_array_get(e, 0)));
		for (int k = 1; k < 5; k++) {
			json_t *s = json_array_get(e, (size_t)k);

			db_bind_text(st, k + 2, json_string_value(s),
			    json_string_length(s));
		}
		rc = db_step(st) == DB_DONE ? CRM_OK : db_fail(p->cx,
		    "errors step");
		db_done(st);
		if (rc != CRM_OK)
			break;
	}
	json_array_clear(p->errors);
	return rc;
}

static int
exec1(struct core_ctx *cx, const char *sql, int64_t a, int64_t b)
{
	db_stmt_t *st;
	int rc;

	if (db_prepare(cx->db, sql, &st) != DB_OK)
		return db_fail(cx, sql);
	db_bind_int(st, 1, a);
	db_bind_int(st, 2, b);
	rc = db_step(st);
	db_done(st);
	return rc == DB_DONE ? CRM_OK : db_fail(cx, sql);
}

/*
 * The run's position and counts, in the chunk's transaction: a run that
 * stops (a slice ends, the process dies) goes on after the last committed
 * chunk, and only when resume_row is still what this runner wrote last,
 * so two runners (a job whose lease ran out, claimed again elsewhere)
 * never both write a chunk: the second one's commit finds the row moved
 * on and gives way (CRM_EINUSE).
 */
static int
save_progress(struct pass *p)
{
	db_stmt_t *st;
	int rc;

	if (p->dry)
		return exec1(p->cx, "UPDATE imports SET rows_done = ? WHERE id = ?",
		    p->done, p->id);
	if (db_prepare(p->cx->db, "UPDATE imports SET rows_done = ?, created = ?, "
	    "updated = ?, skipped = ?, failed = ?, errors_total = ?, resume_row = ? "
	    "WHERE id = ? AND resume_row = ?", &st) != DB_OK)
		return db_fail(p->cx, "progress");
	db_bind_int(st, 1, p->done);
	db_bind_int(st, 2, p->created);
	db_bind_int(st, 3, p->updated);
	db_bind_int(st, 4, p->skipped);
	db_bind_int(st, 5, p->failed);
	db_bind_int(st, 6, p->nerrors);
	db_bind_int(st, 7, p->last_row);
	db_bind_int(st, 8, p->id);
	db_bind_int(st, 9, p->resume);
	rc = db_step(st) == DB_DONE ? CRM_OK : db_fail(p->cx, "progress step");
	db_done(st);
	if (rc == CRM_OK && db_changes(p->cx->db) != 1)
		return core_fail(p->cx, CRM_EINUSE, "Import %lld is run by another "
		    "runner", (long long)p->id);
	if (rc == CRM_OK)
		p->resume = p->last_row;
	return rc;
}

/*
 * The search index of the chunk's new records: written in one statement
 * per index when the chunk ends (or before a row of it is updated), not
 * by a trigger per row, which was 60 % of a run's CPU. It is in the
 * chunk's transaction, so every commit leaves search whole.
 */
static int
search_catch_up(struct pass *p, bool resume)
{
	if (!p->searchable || !p->in_chunk)
		return CRM_OK;
	if (db_search_catch_up(p->cx->db, p->e->name, &p->search_mark,
	    resume) != DB_OK)
		return db_fail(p->cx, "search index");
	return CRM_OK;
}

static void
items_drop(struct pass *p)
{
	for (size_t i = 0; i < p->nitems; i++)
		free(p->items[i].before);
	p->nitems = 0;
}

/*
 * Writes the chunk's undo rows in their order, ITEMS_BATCH a statement
 * (then 10, then one at a time): one statement per row was 8 % of a run
 * on SQLite and a round trip per row on PostgreSQL.
 */
#define ITEMS_BATCH 50

static int
items_write(struct pass *p, size_t from, size_t n)
{
	struct dbq q;
	db_stmt_t *st;
	int rc;

	dbq_init(&q);
	dbq_sql(&q, "INSERT INTO import_items (import_id, row_no, record_id, "
	    "action, version, before) VALUES ");
	for (size_t i = 0; i < n; i++)
		dbq_sql(&q, "%s(?, ?, ?, ?, ?, ?)", i > 0 ? ", " : "");
	rc = db_prepare_q(p->cx->db, &q, &st);
	dbq_free(&q);
	if (rc != DB_OK)
		return db_fail(p->cx, "items");
	for (size_t i = 0; i < n; i++) {
		const struct item *it = &p->items[from + i];
		int k = (int)i * 6;

		db_bind_int(st, k + 1, p->id);
		db_bind_int(st, k + 2, it->row);
		db_bind_int(st, k + 3, it->rec_id);
		db_bind_text(st, k + 4, it->action, strlen(it->action));
		db_bind_int(st, k + 5, it->version);
		if (it->before != NULL)
			db_bind_text(st, k + 6, it->before, strlen(it->before));
		else
			db_bind_null(st, k + 6);
	}
	rc = db_step(st);
	db_done(st);
	return rc == DB_DONE ? CRM_OK : db_fail(p->cx, "items step");
}

static int
items_flush(struct pass *p)
{
	static const size_t sizes[] = { ITEMS_BATCH, 10, 1 };
	size_t at = 0;
	int rc = CRM_OK;

	for (size_t k = 0; k < sizeof(sizes) / sizeof(*sizes); k++)
		while (rc == CRM_OK && p->nitems - at >= sizes[k]) {
			rc = items_write(p, at, sizes[k]);
			at += sizes[k];
		}
	items_drop(p);
	return rc;
}

/* Keeps an undo row for the chunk's end (before: borrowed). */
static int
item_add(struct pass *p, int64_t row, int64_t rec_id, const char *action,
    int64_t version, json_t *before)
{
	struct item *it;

	/* A chunk writes at most one record per row: never more than fit. */
	if (p->nitems == IMP_CHUNK && items_flush(p) != CRM_OK)
		return CRM_EDB;
	it = &p->items[p->nitems++];
	it->row = row;
	it->rec_id = rec_id;
	it->action = action;
	it->version = version;
	it->before = before != NULL ? json_dumps(before, JSON_COMPACT) : NULL;
	return CRM_OK;
}

/* Ends the open chunk: search index, progress, errors, commit. */
static int
chunk_end(struct pass *p)
{
	int rc = search_catch_up(p, true);

	if (rc == CRM_OK)
		rc = items_flush(p);
	else
		items_drop(p);
	if (rc == CRM_OK)
		rc = flush_errors(p);
	if (rc == CRM_OK)
		rc = save_progress(p);
	if (p->in_chunk) {
		p->in_chunk = false;
		p->chunk_rows = 0;
		rc = core_txn_end(p->cx, rc, NULL);
	}
	if (p->progress != NULL)
		p->progress(p->arg, p->done, p->expected);
	return rc;
}

static int
chunk_begin(struct pass *p)
{
	if (p->in_chunk)
		return CRM_OK;
	/*
	 * Requests waiting for the write lock go first (store/gate.h): the
	 * import would otherwise take it back at once after every commit.
	 */
	db_yield_writers(p->cx->db, IMP_YIELD_MS);
	if (db_begin(p->cx->db) != DB_OK)
		return db_fail(p->cx, "chunk begin");
	p->in_chunk = true;
	if (p->searchable && db_search_defer(p->cx->db, p->e->name,
	    &p->search_mark) != DB_OK)
		return db_fail(p->cx, "search defer");
	return CRM_OK;
}

/* ---- match keys of a record (stored or parsed) ---- */

static void
lower_ascii(char *s)
{
	for (; *s; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s + 32);
}

/* Calls fn for every key of rec under p's chosen keys. */
static void
each_key(struct pass *p, json_t *rec, void (*fn)(struct pass *, const char *,
    void *), void *arg)
{
	char k[600], d[64];
	json_t *v;
	size_t i;

	if (p->keys & K_EMAIL) {
		json_array_foreach(json_object_get(rec, "emails"), i, v) {
			snprintf(k, sizeof(k), "e:%s", json_string_value(v));
			lower_ascii(k);
			fn(p, k, arg);
		}
	}
	if (p->keys & K_PHONE) {
		json_array_foreach(json_object_get(rec, "phones"), i, v) {
			if (text_digits(json_string_value(v), json_string_length(v), d,
			    sizeof(d)) >= 5) {
				snprintf(k, sizeof(k), "p:%s", d);
				fn(p, k, arg);
			}
		}
	}
	if ((p->keys & K_TAX) && json_string_length(json_object_get(rec,
	    "tax_id")) > 0) {
		snprintf(k, sizeof(k), "t:%s", json_string_value(json_object_get(rec,
		    "tax_id")));
		fn(p, k, arg);
	}
	if ((p->keys & K_EXT) && json_string_length(json_object_get(rec,
	    "external_id")) > 0) {
		snprintf(k, sizeof(k), "x:%s", json_string_value(json_object_get(rec,
		    "external_id")));
		fn(p, k, arg);
	}
	if (p->keys & K_NAME) {
		const char *a, *b = "";

		if (p->e == &entity_contacts) {
			a = json_string_value(json_object_get(rec, "first_name"));
			b = json_string_value(json_object_get(rec, "last_name"));
		} else {
			a = json_string_value(json_object_get(rec, p->e ==
			    &entity_deals ? "title" : "name"));
		}
		if ((a != NULL && a[0]) || (b != NULL && b[0])) {
			snprintf(k, sizeof(k), "n:%s\x1f%s\x1f%lld", a ? a : "",
			    b ? b : "", (long long)json_integer_value(json_object_get(
			    rec, "company_id")));
			lower_ascii(k);
			fn(p, k, arg);
		}
	}
}

static void
index_put(struct pass *p, const char *k, void *arg)
{
	kput(&p->index, k, *(int64_t *)arg);
}

struct found {
	int64_t	id;
	bool	hit;
};

static void
index_get(struct pass *p, const char *k, void *arg)
{
	struct found *f = arg;

	if (!f->hit)
		f->hit = kget(&p->index, k, &f->id);
}

/* The live records' keys, read once. */
static int
index_load(struct pass *p)
{
	static const char *const cols[] = { "emails", "phones", "tax_id",
	    "external_id", "first_name", "last_name", "name", "title",
	    "company_id" };
	struct dbq q;
	db_stmt_t *st;
	bool first = true;
	int rc;

	if (p->keys == 0)
		return CRM_OK;
	dbq_init(&q);
	dbq_sql(&q, "SELECT t.id");
	for (size_t i = 0; i < sizeof(cols) / sizeof(*cols); i++) {
		for (size_t f = 0; f < p->e->nfields; f++)
			if (strcmp(p->e->fields[f].name, cols[i]) == 0)
				dbq_sql(&q, ", t.%s", cols[i]);
	}
	dbq_sql(&q, " FROM %s t WHERE t.deleted_at IS NULL ORDER BY t.id",
	    p->e->name);
	rc = db_prepare_q(p->cx->db, &q, &st);
	dbq_free(&q);
	if (rc != DB_OK)
		return db_fail(p->cx, "index");
	while ((rc = db_step(st)) == DB_ROW) {
		json_t *rec = json_object();
		int64_t id = db_col_int(st, 0);

		for (int c = 1; c < db_col_count(st); c++) {
			const char *name = db_col_name(st, c);
			size_t len;
			const char *s;

			if (db_col_null(st, c))
				continue;
			if (strcmp(name, "company_id") == 0) {
				json_object_set_new(rec, name, json_integer(db_col_int(st,
				    c)));
				continue;
			}
			s = db_col_text(st, c, &len);
			json_object_set_new(rec, name, strcmp(name, "emails") == 0 ||
			    strcmp(name, "phones") == 0 ? json_loadb(s, len, 0, NULL) :
			    json_stringn(s, len));
		}
		each_key(p, rec, index_put, &id);
		json_decref(rec);
		first = false;
	}
	(void)first;
	db_done(st);
	return rc == DB_DONE ? CRM_OK : db_fail(p->cx, "index step");
}

/* ---- links by name ---- */

/*
 * The id of the record of e named (or numbered) s that the importer may
 * read; 0 with why when there is none or more than one.
 */
static int64_t
resolve(struct pass *p, const struct entity *e, const char *s, char *why,
    size_t whylen)
{
	char key[600];
	json_t *hit;
	db_stmt_t *st;
	int64_t id = 0, n = 0;
	bool digits = s[0] != '\0';
	int rc;

	snprintf(key, sizeof(key), "%s:%s", e ? e->name : "users", s);
	hit = json_object_get(p->names, key);
	if (json_is_integer(hit))
		return json_integer_value(hit);
	if (json_is_string(hit)) {
		snprintf(why, whylen, "%s", json_string_value(hit));
		return 0;
	}
	for (const char *c = s; *c; c++)
		digits &= *c >= '0' && *c <= '9';
	if (e == NULL) {
		rc = db_prepare(p->cx->db, digits ? "SELECT id FROM users WHERE "
		    "id = ? AND active = 1" : "SELECT id FROM users WHERE "
		    "lower(email) = lower(?) AND active = 1", &st);
	} else if (digits) {
		char sql[128];

		snprintf(sql, sizeof(sql), "SELECT id FROM %s WHERE id = ? AND "
		    "deleted_at IS NULL", e->name);
		rc = db_prepare(p->cx->db, sql, &st);
	} else {
		char sql[256];

		snprintf(sql, sizeof(sql), "SELECT id FROM %s WHERE %s = ? AND "
		    "deleted_at IS NULL LIMIT 20", e->name, e == &entity_contacts ?
		    "first_name || ' ' || last_name" : e == &entity_deals ? "title" :
		    "name");
		rc = db_prepare(p->cx->db, sql, &st);
	}
	if (rc != DB_OK) {
		p->rc = db_fail(p->cx, "resolve");
		return 0;
	}
	if (digits)
		db_bind_int(st, 1, strtoll(s, NULL, 10));
	else
		db_bind_text(st, 1, s, strlen(s));
	while ((rc = db_step(st)) == DB_ROW) {
		int64_t cand = db_col_int(st, 0);

		/* Only what the importer may read is found. */
		if (e != NULL && access_check(p->cx, e, ACC_READ, cand, false) !=
		    CRM_OK)
			continue;
		id = cand;
		n++;
	}
	db_done(st);
	if (rc != DB_DONE) {
		p->rc = db_fail(p->cx, "resolve step");
		return 0;
	}
	if (n == 1) {
		json_object_set_new(p->names, key, json_integer(id));
		return id;
	}
	if (n == 0)
		snprintf(why, whylen, e == NULL ? "no active user %s '%.80s'" :
		    "no %s %s '%.80s' that you may see", e ? e->singular : (digits ?
		    "with id" : "with email"), e == NULL ? s : (digits ? "with id" :
		    "named"), s);
	else
		snprintf(why, whylen, "ambiguous: %lld %s named '%.80s'", (long long)n,
		    e->name, s);
	if (e == NULL && n == 0)
		snprintf(why, whylen, "no active user with %s '%.80s'", digits ?
		    "id" : "email", s);
	json_object_set_new(p->names, key, json_string(why));
	return 0;
}

/* ---- one row ---- */

static void
put_value(json_t *in, const struct imp_target *t, json_t *v)
{
	if (strncmp(t->name, "custom.", 7) == 0) {
		json_t *c = json_object_get(in, "custom");

		if (c == NULL) {
			c = json_object();
			json_object_set_new(in, "custom", c);
		}
		json_object_set_new(c, t->name + 7, v);
	} else {
		json_object_set_new(in, t->name, v);
	}
}

/* The column whose target an engine error names ("emails[1]" -> emails). */
static const char *
column_of(struct pass *p, const char *field)
{
	for (size_t i = 0; i < p->ncols; i++) {
		size_t n;

		if (p->cols[i].t == NULL)
			continue;
		n = strlen(p->cols[i].t->name);
		if (strncmp(field, p->cols[i].t->name, n) == 0 &&
		    (field[n] == '\0' || field[n] == '['))
			return p->cols[i].header;
	}
	return field;
}

/* The engine's refusal of a row, one error per field. */
static void
note_engine(struct pass *p, int64_t row, int rc)
{
	struct verrs *ve = &p->cx->errs;

	if (rc == CRM_EINVAL && ve->n > 0) {
		for (int i = 0; i < ve->n; i++)
			note(p, row, "error", column_of(p, ve->items[i].field), "", 0,
			    ve->items[i].message);
	} else {
		note(p, row, "error", "", "", 0, p->cx->detail);
	}
}

/*
 * Merge: only the fields the record lacks, and the union of lists. The
 * patch (new reference) of in against the stored cur.
 */
static json_t *
merge_patch_of(json_t *cur, json_t *in)
{
	json_t *patch = json_object(), *v, *c;
	const char *key;

	json_object_foreach(in, key, v) {
		json_t *have = json_object_get(cur, key);

		if (json_is_array(v)) {
			json_t *u = json_is_array(have) ? json_copy(have) : json_array();
			size_t i, k;
			json_t *item, *old;
			bool grew = false;

			json_array_foreach(v, i, item) {
				bool dup = false;

				json_array_foreach(u, k, old)
					dup |= json_equal(old, item) ? true : false;
				if (!dup) {
					json_array_append(u, item);
					grew = true;
				}
			}
			if (grew)
				json_object_set_new(patch, key, u);
			else
				json_decref(u);
		} else if (strcmp(key, "custom") == 0) {
			json_t *cc = json_object_get(cur, "custom");
			json_t *cp = json_object();
			const char *ck;

			json_object_foreach(v, ck, c) {
				json_t *h = json_object_get(cc, ck);

				if (h == NULL || json_is_null(h) || (json_is_string(h) &&
				    json_string_length(h) == 0))
					json_object_set(cp, ck, c);
			}
			if (json_object_size(cp) > 0)
				json_object_set(patch, "custom", cp);
			json_decref(cp);
		} else if (have == NULL || json_is_null(have) ||
		    (json_is_string(have) && json_string_length(have) == 0)) {
			json_object_set(patch, key, v);
		}
	}
	return patch;
}

/* Writes one good row; CRM_OK, or the engine's refusal (noted). */
static int
write_row(struct pass *p, int64_t row, json_t *in, int64_t match,
    enum on_match action, int64_t *id)
{
	struct core_ctx *cx = p->cx;
	json_t *out = NULL, *cur = NULL, *patch;
	int rc;

	cx->errs.n = 0;
	cx->errs.dropped = 0;
	cx->detail[0] = '\0';
	rc = chunk_begin(p);
	if (rc != CRM_OK)
		return rc;
	if (match == 0) {
		rc = rec_create_id_txn(cx, p->e, in, id);
		if (rc == CRM_OK)
			rc = item_add(p, row, *id, "created", 1, NULL);
		return rc;
	}
	*id = match;
	/* The update's trigger unindexes the old text: index it first. */
	rc = search_catch_up(p, false);
	if (rc != CRM_OK)
		return rc;
	rc = rec_get(cx, p->e, match, false, &cur);
	if (rc != CRM_OK)
		return rc;
	patch = action == OM_MERGE ? merge_patch_of(cur, in) : json_incref(in);
	if (json_object_size(patch) == 0) {
		json_decref(patch);
		json_decref(cur);
		return CRM_OK;
	}
	rc = rec_update_txn(cx, p->e, match, -1, patch, &out);
	if (rc == CRM_OK)
		rc = item_add(p, row, match, action == OM_MERGE ? "merged" :
		    "updated", json_integer_value(json_object_get(out, "version")),
		    cur);
	json_decref(patch);
	json_decref(cur);
	json_decref(out);
	return rc;
}

/* Parses a row's cells into in (new reference); false when one was bad. */
static bool
parse_row(struct pass *p, int64_t row, const struct table_cell *cells,
    size_t n, json_t **in)
{
	char why[IMP_WHY_MAX];
	bool ok = true;
	const char *cur = p->currency;

	*in = json_object();
	/* Money after the currency: its digits depend on it. */
	for (int money = 0; money < 2; money++) {
		for (size_t i = 0; i < p->ncols && i < n; i++) {
			const struct imp_target *t = p->cols[i].t;
			json_t *v = NULL;

			if (t == NULL || (t->type == IT_MONEY) != (money == 1))
				continue;
			struct table_cell cell = cells[i];
			char code[4] = "";

			/* A custom money value may name its currency: "9.90 EUR". */
			if (money && strncmp(t->name, "custom.", 7) == 0 &&
			    cell.len > 4 && cell.s[cell.len - 4] == ' ') {
				memcpy(code, cell.s + cell.len - 3, 3);
				code[3] = '\0';
				if (currency_find(code) != NULL)
					cell.len -= 4;
				else
					code[0] = '\0';
			}
			if (money) {
				const struct currency *c = currency_find(code[0] ? code :
				    cur);

				p->po.money_digits = c != NULL ? c->digits : 2;
			}
			if (imp_parse_cell(t, &p->po, &cell, p->cols[i].values, &v,
			    why, sizeof(why)) != 0) {
				note(p, row, "error", p->cols[i].header, cells[i].s,
				    cells[i].len, why);
				ok = false;
				continue;
			}
			if (v == NULL)
				continue;
			if (t->type == IT_LINK || t->type == IT_USER) {
				int64_t id = resolve(p, t->type == IT_LINK ? t->link : NULL,
				    json_string_value(v), why, sizeof(why));

				json_decref(v);
				if (id == 0) {
					note(p, row, "error", p->cols[i].header, cells[i].s,
					    cells[i].len, why);
					ok = false;
					continue;
				}
				v = json_integer(id);
			}
			if (t->type == IT_CURRENCY)
				cur = json_string_value(v);
			if (t->type == IT_MONEY && strncmp(t->name, "custom.", 7) == 0)
				v = json_pack("{s:o, s:s}", "amount", v, "currency",
				    code[0] ? code : cur);
			put_value(*in, t, v);
		}
	}
	/* A required field left empty in this row. */
	for (size_t i = 0; i < p->ncols; i++) {
		const struct imp_target *t = p->cols[i].t;

		if (t != NULL && t->required && (i >= n || cells[i].len == 0)) {
			note(p, row, "error", p->cols[i].header, "", 0, "is required");
			ok = false;
		}
	}
	return ok;
}

static int
on_row(void *arg, size_t rowno, const struct table_cell *cells, size_t n)
{
	struct pass *p = arg;
	int64_t row = (int64_t)rowno, id = 0;
	struct found f = { 0, false };
	enum on_match action = OM_CREATE;
	json_t *in = NULL;
	int rc;

	if (row <= p->header_row || row <= p->resume || n == 0)
		return 0;
	p->last_row = row;
	p->total++;
	p->done++;
	if (imp_total_row(cells, n)) {
		p->skipped++;
		note(p, row, "skipped", "", "", 0, "a total row: not imported");
		goto next;
	}
	if (!parse_row(p, row, cells, n, &in)) {
		p->failed++;
		p->nerrors++;
		goto bad;
	}
	each_key(p, in, index_get, &f);
	if (f.hit) {
		action = p->on;
		if (action == OM_SKIP) {
			p->skipped++;
			goto next;
		}
		/* A row matching a record the importer may not change. */
		if (action != OM_CREATE && f.id > 0 && access_check(p->cx, p->e,
		    ACC_UPDATE, f.id, false) != CRM_OK) {
			note(p, row, "error", "", "", 0, "matches a record you may "
			    "not change");
			p->failed++;
			p->nerrors++;
			goto bad;
		}
	}
	if (action == OM_CREATE)
		f.id = 0;
	/*
	 * A new record must pass the entity's rule across fields (a contact
	 * needs a name) in the dry run too; the run has the engine check all.
	 */
	if (p->dry && f.id == 0 && p->e->check != NULL) {
		p->cx->errs.n = 0;
		p->cx->errs.dropped = 0;
		p->e->check(p->cx, in);
		if (p->cx->errs.n > 0) {
			note_engine(p, row, CRM_EINVAL);
			p->failed++;
			p->nerrors++;
			goto bad;
		}
	}
	if (p->dry) {
		if (f.id != 0)
			p->updated++;
		else
			p->created++;
		/* Later rows of the file match this one: as yet without an id. */
		id = f.id != 0 ? f.id : -row;
		each_key(p, in, index_put, &id);
		goto next;
	}
	if (f.id < 0) {
		/* Its first occurrence failed and was left out. */
		f.id = 0;
	}
	rc = write_row(p, row, in, f.id, action, &id);
	if (rc == CRM_EINVAL || rc == CRM_EFORBIDDEN || rc == CRM_ENOTFOUND ||
	    rc == CRM_ECONFLICT) {
		note_engine(p, row, rc);
		p->failed++;
		p->nerrors++;
		goto bad;
	}
	if (rc != CRM_OK) {
		p->rc = rc;
		snprintf(p->fatal, sizeof(p->fatal), "row %lld: %s", (long long)row,
		    p->cx->detail);
		json_decref(in);
		return 1;
	}
	if (f.id != 0)
		p->updated++;
	else
		p->created++;
	each_key(p, in, index_put, &id);
	goto next;
bad:
	if (!p->dry && !p->skip_bad) {
		p->rc = CRM_EINVAL;
		snprintf(p->fatal, sizeof(p->fatal), "row %lld was refused (see "
		    "the errors); nothing was imported", (long long)row);
		json_decref(in);
		return 1;
	}
next:
	json_decref(in);
	if (p->rc != CRM_OK)
		return 1;
	if (p->dry && json_array_size(p->errors) >= ERRFLUSH) {
		if (db_begin(p->cx->db) != DB_OK)
			return p->rc = db_fail(p->cx, "errors begin"), 1;
		rc = core_txn_end(p->cx, flush_errors(p), NULL);
		if (rc != CRM_OK)
			return p->rc = rc, 1;
	}
	if (++p->chunk_rows >= IMP_CHUNK) {
		if (p->dry) {
			p->chunk_rows = 0;
			if (p->progress != NULL)
				p->progress(p->arg, p->done, p->expected);
			if (save_progress(p) != CRM_OK)
				return p->rc = CRM_EDB, 1;
		} else {
			rc = chunk_end(p);
			if (rc != CRM_OK) {
				p->rc = rc;
				return 1;
			}
			if (p->until_us > 0 && time_mono_us() > p->until_us) {
				/* A slice: the job comes back for the rest. */
				p->more = true;
				return 2;
			}
		}
	}
	return 0;
}

/* The pass's settings from the import row. */
static int
pass_setup(struct pass *p, json_t *imp)
{
	json_t *opts = json_object_get(imp, "options");
	json_t *mapping = json_object_get(imp, "mapping");
	const char *s, *on;
	json_t *m, *k;
	size_t i;
	int rc;

	p->e = entity_find(json_string_value(json_object_get(imp, "entity")));
	rc = imp_targets_load(p->cx, p->e, &p->ts);
	if (rc != CRM_OK)
		return rc;
	for (i = 0; i < p->e->nfields; i++)
		p->searchable |= (p->e->fields[i].flags & F_SEARCH) != 0;
	p->searchable |= p->e->search_extra != NULL;
	p->header_row = json_integer_value(json_object_get(imp, "header_row"));
	p->expected = json_integer_value(json_object_get(imp, "rows_total"));
	if (!p->dry) {
		/* A run goes on where the last committed chunk left it. */
		p->resume = json_integer_value(json_object_get(imp, "resume_row"));
		p->done = p->total = json_integer_value(json_object_get(imp,
		    "rows_done"));
		p->created = json_integer_value(json_object_get(imp, "created"));
		p->updated = json_integer_value(json_object_get(imp, "updated"));
		p->skipped = json_integer_value(json_object_get(imp, "skipped"));
		p->failed = json_integer_value(json_object_get(imp, "failed"));
		p->nerrors = p->errors_kept = json_integer_value(json_object_get(imp,
		    "errors_total"));
	}
	p->ncols = json_array_size(mapping);
	p->cols = xcalloc(p->ncols + 1, sizeof(*p->cols));
	json_array_foreach(mapping, i, m) {
		const char *f = json_string_value(json_object_get(m, "field"));

		p->cols[i].t = f != NULL ? imp_target_find(&p->ts, f) : NULL;
		p->cols[i].values = json_object_get(m, "values");
		snprintf(p->cols[i].header, sizeof(p->cols[i].header), "%s",
		    json_string_value(json_object_get(m, "header")));
	}
	s = json_string_value(json_object_get(opts, "decimal"));
	p->po.decimal = s != NULL ? s[0] : '.';
	s = json_string_value(json_object_get(opts, "date_format"));
	p->po.date = s != NULL && imp_datefmt_parse(s) >= 0 ?
	    (enum imp_datefmt)imp_datefmt_parse(s) : DF_ISO;
	s = json_string_value(json_object_get(opts, "percent"));
	p->po.percent = s == NULL || strcmp(s, "sign") == 0 ? PCT_SIGN :
	    strcmp(s, "fraction") == 0 ? PCT_FRACTION : PCT_NUMBER;
	s = json_string_value(json_object_get(opts, "currency"));
	if (s != NULL)
		snprintf(p->currency, sizeof(p->currency), "%s", s);
	else {
		rc = currency_base_get(p->cx, p->currency);
		if (rc != CRM_OK)
			return rc;
	}
	s = json_string_value(json_object_get(opts, "mode"));
	p->skip_bad = s != NULL && strcmp(s, "skip") == 0;
	on = json_string_value(json_object_get(opts, "on_match"));
	p->on = on == NULL || strcmp(on, "update") == 0 ? OM_UPDATE :
	    strcmp(on, "create") == 0 ? OM_CREATE : strcmp(on, "skip") == 0 ?
	    OM_SKIP : OM_MERGE;
	json_array_foreach(json_object_get(opts, "match"), i, k) {
		s = json_string_value(k);
		p->keys |= strcmp(s, "email") == 0 ? K_EMAIL : strcmp(s, "phone") ==
		    0 ? K_PHONE : strcmp(s, "tax_id") == 0 ? K_TAX : strcmp(s,
		    "name") == 0 ? K_NAME : K_EXT;
	}
	p->names = json_object();
	p->errors = json_array();
	return CRM_OK;
}

static void
pass_free(struct pass *p)
{
	items_drop(p);
	imp_targets_free(&p->ts);
	free(p->cols);
	kfree(&p->index);
	json_decref(p->names);
	json_decref(p->errors);
}

static int undo_items(struct core_ctx *cx, const struct entity *e, int64_t id,
    int64_t *trashed, int64_t *restored, json_t *conflicts);

/* The last word on the import row: status and counts. */
static int
finish(struct pass *p, const char *status)
{
	db_stmt_t *st;
	json_t *dr = NULL;
	char *drt = NULL;
	int rc;

	if (db_begin(p->cx->db) != DB_OK)
		return db_fail(p->cx, "finish begin");
	rc = flush_errors(p);
	if (p->dry)
		dr = json_pack("{s:I, s:I, s:I, s:I, s:I}", "rows",
		    (json_int_t)p->total, "create", (json_int_t)p->created,
		    "update", (json_int_t)p->updated, "skip", (json_int_t)p->skipped,
		    "errors", (json_int_t)p->nerrors);
	if (dr != NULL)
		drt = json_dumps(dr, JSON_COMPACT);
	if (rc == CRM_OK && db_prepare(p->cx->db, "UPDATE imports SET status = ?, "
	    "rows_total = ?, rows_done = ?, created = ?, updated = ?, skipped = ?, "
	    "failed = ?, errors_total = ?, error = ?, dry_run = COALESCE(?, "
	    "dry_run), finished_at = ? WHERE id = ?", &st) == DB_OK) {
		db_bind_text(st, 1, status, strlen(status));
		db_bind_int(st, 2, p->total);
		db_bind_int(st, 3, p->done);
		db_bind_int(st, 4, p->dry ? 0 : p->created);
		db_bind_int(st, 5, p->dry ? 0 : p->updated);
		db_bind_int(st, 6, p->dry ? 0 : p->skipped);
		db_bind_int(st, 7, p->dry ? 0 : p->failed);
		db_bind_int(st, 8, p->nerrors);
		db_bind_text(st, 9, p->fatal, strlen(p->fatal));
		if (drt != NULL)
			db_bind_text(st, 10, drt, strlen(drt));
		else
			db_bind_null(st, 10);
		if (p->dry)
			db_bind_null(st, 11);
		else
			db_bind_int(st, 11, time_now_ms());
		db_bind_int(st, 12, p->id);
		rc = db_step(st) == DB_DONE ? CRM_OK : db_fail(p->cx, "finish step");
		db_done(st);
	} else if (rc == CRM_OK) {
		rc = db_fail(p->cx, "finish");
	}
	if (rc == CRM_OK && !p->dry) {
		json_t *d = json_pack("{s:s, s:I, s:I, s:I, s:I, s:I}", "status",
		    status, "rows", (json_int_t)p->total, "created",
		    (json_int_t)p->created, "updated", (json_int_t)p->updated,
		    "skipped", (json_int_t)p->skipped, "failed",
		    (json_int_t)p->failed);

		rc = audit_append(p->cx, "import.run", p->e->name, p->id, d);
		json_decref(d);
	}
	json_decref(dr);
	free(drt);
	return core_txn_end(p->cx, rc, NULL);
}

int
imp_execute(struct core_ctx *cx, int64_t id, bool dry, int64_t slice_ms,
    imp_progress_fn progress, void *arg, bool *more)
{
	struct table_opts o = { NULL, 0, NULL };
	struct pass *p = xcalloc(1, sizeof(*p));
	json_t *imp = NULL;
	char err[256];
	const char *s;
	int rc;

	if (more != NULL)
		*more = false;
	p->cx = cx;
	p->id = id;
	p->dry = dry;
	p->progress = progress;
	p->arg = arg;
	p->until_us = !dry && slice_ms > 0 ? time_mono_us() + slice_ms * 1000 : 0;
	rc = imp_load(cx, id, &imp);
	if (rc != CRM_OK)
		goto out;
	s = json_string_value(json_object_get(imp, "status"));
	if (strcmp(s, dry ? "checking" : "running") != 0)
		goto out;	/* done meanwhile (`crm import`), or never queued */
	rc = pass_setup(p, imp);
	if (rc == CRM_OK)
		rc = index_load(p);
	if (rc == CRM_OK && p->resume == 0) {
		/* A fresh pass: the last pass's errors go. */
		if (db_begin(cx->db) != DB_OK) {
			rc = db_fail(cx, "clear begin");
			goto out;
		}
		rc = core_txn_end(cx, exec1(cx, "DELETE FROM import_errors WHERE "
		    "import_id = ? AND row_no >= ?", id, 0) == CRM_OK ? CRM_OK : CRM_EDB,
		    NULL);
	}
	if (rc != CRM_OK)
		goto out;
	s = json_string_value(json_object_get(imp, "encoding"));
	o.encoding = s != NULL && s[0] ? s : NULL;
	s = json_string_value(json_object_get(imp, "delimiter"));
	o.delimiter = s != NULL ? s[0] : 0;
	s = json_string_value(json_object_get(imp, "sheet"));
	o.sheet = s != NULL && s[0] ? s : NULL;
	rc = table_read(json_string_value(json_object_get(imp, "path")), &o,
	    NULL, on_row, p, err, sizeof(err));
	if (rc < 0) {
		p->rc = CRM_EINVAL;
		snprintf(p->fatal, sizeof(p->fatal), "%s", err);
	}
	if (p->rc == CRM_OK && p->in_chunk)
		p->rc = chunk_end(p);
	if (p->rc == CRM_EINUSE) {
		/* Another runner has the import: its chunk stands, ours went. */
		if (p->in_chunk)
			db_rollback(cx->db);
		p->in_chunk = false;
		items_drop(p);
		log_warn("import %lld: run by another runner; this one stops",
		    (long long)id);
		rc = CRM_OK;
	} else if (p->rc == CRM_OK && p->more) {
		if (more != NULL)
			*more = true;
		rc = CRM_OK;
	} else if (p->rc != CRM_OK) {
		int64_t t = 0, r = 0;
		json_t *conf = json_array();

		if (p->in_chunk) {
			db_rollback(cx->db);
			p->in_chunk = false;
		}
		items_drop(p);	/* the rolled-back chunk's: nothing to undo */
		/* All or nothing: what the earlier chunks wrote goes again. */
		if (!dry && undo_items(cx, p->e, id, &t, &r, conf) != CRM_OK)
			log_error("import %lld: undoing the written chunks failed: %s",
			    (long long)id, cx->detail);
		json_decref(conf);
		if (!dry) {
			p->created = p->updated = 0;
			p->failed = p->total - p->skipped;
		}
		if (p->fatal[0] == '\0')
			snprintf(p->fatal, sizeof(p->fatal), "%s", cx->detail);
		rc = finish(p, "failed");
		if (rc == CRM_OK)
			rc = core_fail(cx, p->rc, "%s", p->fatal);
	} else {
		rc = finish(p, dry ? "checked" : "done");
	}
out:
	json_decref(imp);
	pass_free(p);
	free(p);
	return rc;
}

int
imp_job_run(struct core_ctx *cx, json_t *payload, int64_t *again, char *err,
    size_t errlen)
{
	bool more = false;
	int64_t id = json_integer_value(json_object_get(payload, "id"));
	bool dry = json_is_true(json_object_get(payload, "dry"));
	bool undo = json_is_true(json_object_get(payload, "undo"));
	json_t *res = NULL;
	struct core_ctx *as = xmalloc(sizeof(*as));
	struct actor a;
	db_stmt_t *st;
	int64_t by = 0;
	int rc;

	/* A run as its importer; an undo as the one who asked for it. */
	if (db_prepare(cx->db, undo ? "SELECT undone_by FROM imports WHERE id = ?" :
	    "SELECT created_by FROM imports WHERE id = ?", &st) != DB_OK) {
		free(as);
		snprintf(err, errlen, "%s", db_errmsg(cx->db));
		return CRM_EDB;
	}
	db_bind_int(st, 1, id);
	if (db_step(st) == DB_ROW)
		by = db_col_int(st, 0);
	db_done(st);
	/* The import runs with its importer's rights, not the system's. */
	rc = by > 0 ? user_load_actor(cx, by, &a) : CRM_ENOTFOUND;
	if (rc != CRM_OK) {
		free(as);
		snprintf(err, errlen, "import %lld: its importer is gone",
		    (long long)id);
		return CRM_OK;	/* nothing to retry */
	}
	core_ctx_init(as, cx->db, &a);
	as->audit_key = cx->audit_key;
	as->mail = cx->mail;
	if (undo) {
		rc = imp_undo_execute(as, id, &res);
		json_decref(res);
	} else {
		rc = imp_execute(as, id, dry, IMP_SLICE_MS, NULL, NULL, &more);
	}
	if (rc == CRM_OK && more)
		*again = time_now_ms();	/* the next slice, after other due jobs */
	if (rc == CRM_EINVAL)
		rc = CRM_OK;	/* the file's fault: recorded on the import */
	if (rc != CRM_OK)
		snprintf(err, errlen, "%s", as->detail);
	free(as);
	return rc;
}

/* ---- undo ---- */

/* The patch that gives cur the values of before back (new reference). */
static json_t *
restore_patch(const struct entity *e, json_t *cur, json_t *before)
{
	json_t *patch = json_object(), *cc, *bc, *v;
	const char *key;

	for (size_t i = 0; i < e->nfields; i++) {
		const struct field *f = &e->fields[i];
		json_t *b = json_object_get(before, f->name);

		if ((f->flags & (F_READONLY | F_FIXED)) || f->kind == FK_DERIVED ||
		    f->kind == FK_SIDE)
			continue;
		if (!json_equal(b ? b : json_null(), json_object_get(cur, f->name) ?
		    json_object_get(cur, f->name) : json_null()))
			json_object_set(patch, f->name, b ? b : json_null());
	}
	if (!json_equal(json_object_get(before, "tags"), json_object_get(cur,
	    "tags")))
		json_object_set(patch, "tags", json_object_get(before, "tags"));
	cc = json_object_get(cur, "custom");
	bc = json_object_get(before, "custom");
	if (!json_equal(cc, bc)) {
		json_t *cp = json_object();

		json_object_foreach(cc, key, v)
			if (json_object_get(bc, key) == NULL)
				json_object_set_new(cp, key, json_null());
		json_object_foreach(bc, key, v)
			json_object_set(cp, key, v);
		json_object_set_new(patch, "custom", cp);
	}
	return patch;
}

/*
 * Undoes one item inside the open transaction; a conflict is added to c.
 * seen maps a record ("id") this walk changed already to its version now:
 * a record the import wrote twice (a duplicate row) is compared with that,
 * not with the version the older item recorded.
 */
static int
undo_one(struct core_ctx *cx, const struct entity *e, int64_t rec,
    const char *action, int64_t version, json_t *before, int64_t row,
    int64_t *trashed, int64_t *restored, json_t *c, json_t *seen)
{
	json_t *cur = NULL, *patch, *out = NULL;
	char key[24];
	int rc;

	snprintf(key, sizeof(key), "%lld", (long long)rec);
	if (json_is_integer(json_object_get(seen, key)))
		version = json_integer_value(json_object_get(seen, key));

	cx->errs.n = 0;
	cx->errs.dropped = 0;
	rc = rec_get(cx, e, rec, false, &cur);
	if (rc == CRM_ENOTFOUND) {
		json_array_append_new(c, json_pack("{s:I, s:I, s:s}", "row",
		    (json_int_t)row, "id", (json_int_t)rec, "reason", "deleted "
		    "since the import, or no longer visible to you"));
		return CRM_OK;
	}
	if (rc != CRM_OK)
		return rc;
	if (json_integer_value(json_object_get(cur, "version")) != version) {
		json_array_append_new(c, json_pack("{s:I, s:I, s:s}", "row",
		    (json_int_t)row, "id", (json_int_t)rec, "reason", "changed "
		    "since the import: left as it is"));
		json_decref(cur);
		return CRM_OK;
	}
	if (strcmp(action, "created") == 0) {
		rc = rec_delete_txn(cx, e, rec);
		if (rc == CRM_OK)
			(*trashed)++;
	} else {
		patch = restore_patch(e, cur, before);
		rc = json_object_size(patch) > 0 ? rec_update_txn(cx, e, rec, version,
		    patch, &out) : CRM_OK;
		json_decref(patch);
		if (rc == CRM_OK) {
			(*restored)++;
			json_object_set_new(seen, key, json_integer(out != NULL ?
			    json_integer_value(json_object_get(out, "version")) :
			    version));
		}
		json_decref(out);
	}
	json_decref(cur);
	if (rc == CRM_EFORBIDDEN || rc == CRM_EINVAL || rc == CRM_ECONFLICT) {
		json_array_append_new(c, json_pack("{s:I, s:I, s:s}", "row",
		    (json_int_t)row, "id", (json_int_t)rec, "reason", cx->detail));
		rc = CRM_OK;
	}
	return rc;
}

/* Walks the batch back, newest first, in chunks of IMP_CHUNK items. */
static int
undo_items(struct core_ctx *cx, const struct entity *e, int64_t id,
    int64_t *trashed, int64_t *restored, json_t *conflicts)
{
	int64_t last = INT64_MAX;
	json_t *seen = json_object();
	int rc = CRM_OK;

	for (;;) {
		db_stmt_t *st;
		json_t *items = json_array(), *it;
		size_t i;

		if (db_begin(cx->db) != DB_OK) {
			json_decref(items);
			json_decref(seen);
			return db_fail(cx, "undo begin");
		}
		if (db_prepare(cx->db, "SELECT id, record_id, action, version, "
		    "before, row_no FROM import_items WHERE import_id = ? AND id < ? "
		    "ORDER BY id DESC LIMIT ?", &st) != DB_OK) {
			json_decref(items);
			json_decref(seen);
			return core_txn_end(cx, db_fail(cx, "undo"), NULL);
		}
		db_bind_int(st, 1, id);
		db_bind_int(st, 2, last);
		db_bind_int(st, 3, IMP_CHUNK);
		while ((rc = db_step(st)) == DB_ROW) {
			size_t blen;
			const char *b = db_col_null(st, 4) ? NULL :
			    db_col_text(st, 4, &blen);

			json_array_append_new(items, json_pack("[I, I, s, I, o, I]",
			    (json_int_t)db_col_int(st, 0),
			    (json_int_t)db_col_int(st, 1), db_col_text(st, 2, NULL),
			    (json_int_t)db_col_int(st, 3), b != NULL ? json_loadb(b,
			    blen, 0, NULL) : json_null(),
			    (json_int_t)db_col_int(st, 5)));
		}
		db_done(st);
		rc = rc == DB_DONE ? CRM_OK : db_fail(cx, "undo step");
		json_array_foreach(items, i, it) {
			if (rc != CRM_OK)
				break;
			last = json_integer_value(json_array_get(it, 0));
			rc = undo_one(cx, e, json_integer_value(json_array_get(it, 1)),
			    json_string_value(json_array_get(it, 2)),
			    json_integer_value(json_array_get(it, 3)),
			    json_array_get(it, 4),
			    json_integer_value(json_array_get(it, 5)), trashed,
			    restored, conflicts, seen);
		}
		rc = core_txn_end(cx, rc, NULL);
		i = json_array_size(items);
		json_decref(items);
		if (rc != CRM_OK || i < IMP_CHUNK) {
			json_decref(seen);
			return rc;
		}
	}
}

#define UNDO_CONFLICTS_KEPT 1000	/* conflicts listed in the result */

int
imp_undo(struct core_ctx *cx, int64_t id, bool queue, json_t **out)
{
	json_t *imp = NULL, *payload;
	const char *status;
	db_stmt_t *st;
	int64_t jid;
	int rc;

	*out = NULL;
	rc = imp_load(cx, id, &imp);
	if (rc != CRM_OK)
		return rc;
	status = json_string_value(json_object_get(imp, "status"));
	if (strcmp(status, "done") != 0) {
		rc = core_fail(cx, CRM_EINUSE, strcmp(status, "undone") == 0 ||
		    strcmp(status, "undoing") == 0 ? "The import was undone already" :
		    "Only a finished import can be undone (this one is %s)", status);
		goto out;
	}
	/* Claimed first, so two undos at once cannot both walk the batch. */
	if (db_begin(cx->db) != DB_OK) {
		rc = db_fail(cx, "undo claim");
		goto out;
	}
	if (db_prepare(cx->db, "UPDATE imports SET status = 'undoing', undone_by = "
	    "? WHERE id = ? AND status = 'done'", &st) != DB_OK) {
		rc = core_txn_end(cx, db_fail(cx, "undo claim"), NULL);
		goto out;
	}
	if (cx->actor.user_id > 0)
		db_bind_int(st, 1, cx->actor.user_id);
	else
		db_bind_null(st, 1);
	db_bind_int(st, 2, id);
	rc = db_step(st) == DB_DONE ? CRM_OK : db_fail(cx, "undo claim step");
	db_done(st);
	if (rc == CRM_OK && db_changes(cx->db) != 1)
		rc = core_fail(cx, CRM_EINUSE, "The import was undone already");
	if (rc == CRM_OK && queue) {
		payload = json_pack("{s:I, s:b}", "id", (json_int_t)id, "undo", 1);
		rc = job_enqueue(cx, "import", payload, time_now_ms(), NULL, &jid);
		json_decref(payload);
	}
	rc = core_txn_end(cx, rc, NULL);
	if (rc == CRM_OK)
		rc = queue ? imp_get(cx, id, out) : imp_undo_execute(cx, id, out);
out:
	json_decref(imp);
	return rc;
}

int
imp_undo_execute(struct core_ctx *cx, int64_t id, json_t **out)
{
	json_t *imp = NULL, *conflicts = json_array(), *res = NULL;
	const struct entity *e;
	char *text = NULL;
	db_stmt_t *st;
	int64_t trashed = 0, restored = 0;
	size_t n;
	int rc;

	*out = NULL;
	rc = imp_load(cx, id, &imp);
	if (rc != CRM_OK)
		goto out;
	if (strcmp(json_string_value(json_object_get(imp, "status")),
	    "undoing") != 0)
		goto out;	/* done meanwhile, or never asked */
	e = entity_find(json_string_value(json_object_get(imp, "entity")));
	rc = undo_items(cx, e, id, &trashed, &restored, conflicts);
	if (rc != CRM_OK)
		goto out;
	n = json_array_size(conflicts);
	while (json_array_size(conflicts) > UNDO_CONFLICTS_KEPT)
		json_array_remove(conflicts, json_array_size(conflicts) - 1);
	res = json_pack("{s:I, s:I, s:O, s:I}", "trashed", (json_int_t)trashed,
	    "restored", (json_int_t)restored, "conflicts", conflicts,
	    "conflicts_total", (json_int_t)n);
	text = json_dumps(res, JSON_COMPACT);
	if (db_begin(cx->db) != DB_OK) {
		rc = db_fail(cx, "undo end");
		goto out;
	}
	if (db_prepare(cx->db, "UPDATE imports SET status = 'undone', undone_at = "
	    "?, undo = ? WHERE id = ? AND status = 'undoing'", &st) != DB_OK) {
		rc = core_txn_end(cx, db_fail(cx, "undo end"), NULL);
		goto out;
	}
	db_bind_int(st, 1, time_now_ms());
	db_bind_text(st, 2, text, strlen(text));
	db_bind_int(st, 3, id);
	rc = db_step(st) == DB_DONE ? CRM_OK : db_fail(cx, "undo end step");
	db_done(st);
	if (rc == CRM_OK) {
		json_t *d = json_pack("{s:I, s:I, s:I}", "trashed",
		    (json_int_t)trashed, "restored", (json_int_t)restored,
		    "conflicts", (json_int_t)n);

		rc = audit_append(cx, "import.undo", e->name, id, d);
		json_decref(d);
	}
	rc = core_txn_end(cx, rc, NULL);
	if (rc == CRM_OK)
		*out = json_incref(res);
out:
	free(text);
	json_decref(res);
	json_decref(conflicts);
	json_decref(imp);
	return rc;
}
