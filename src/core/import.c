/*
 * Imports: the life of one import up to its run (see core/import.h): the
 * upload, the preview (header and first rows), the mapping and options
 * and their checks, starting a dry run or a run, reading it back, the
 * error file. The run itself and undo are import_run.c; cells are
 * import_parse.c; targets and suggestions import_map.c.
 */
#include "core/import.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/access.h"
#include "core/audit.h"
#include "core/currency.h"
#include "core/documents.h"
#include "core/import_int.h"
#include "core/jobs.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/timeutil.h"

#define ERRCSV_MAX (64LL << 20)	/* bytes of an error file */

static int
db_fail(struct core_ctx *cx, const char *what)
{
	log_error("database: imports: %s: %s", what, db_errmsg(cx->db));
	return core_fail(cx, CRM_EDB, "The database failed; nothing was changed");
}

static const struct entity *
importable(struct core_ctx *cx, const char *name, int *rc)
{
	const struct entity *e = name != NULL ? entity_find(name) : NULL;

	*rc = CRM_OK;
	if (e == NULL) {
		verrs_add(&cx->errs, "entity", "must be one of companies, "
		    "contacts, deals, activities");
		*rc = core_invalid(cx);
	}
	return e;
}

int
imp_may_import(struct core_ctx *cx, const char *entity)
{
	enum acc_scope sc;
	int rc;
	const struct entity *e = importable(cx, entity, &rc);

	if (e == NULL)
		return rc;
	rc = access_scope(cx, e, ACC_IMPORT, &sc);
	if (rc == CRM_OK && sc == SCOPE_NONE)
		rc = core_fail(cx, CRM_EFORBIDDEN, "Your role does not allow you "
		    "to import %s; ask an administrator", e->name);
	return rc;
}

int
imp_fields(struct core_ctx *cx, const char *entity, json_t **out)
{
	struct imp_targets ts;
	int rc = imp_may_import(cx, entity);

	if (rc != CRM_OK)
		return rc;
	rc = imp_targets_load(cx, entity_find(entity), &ts);
	if (rc != CRM_OK)
		return rc;
	*out = json_pack("{s:o}", "data", imp_targets_json(&ts));
	imp_targets_free(&ts);
	return CRM_OK;
}

/* ---- the preview: the header and the first rows ---- */

struct preview {
	int64_t	 header_row;
	json_t	*headers;
	json_t	*sample;
};

static json_t *
cells_json(const struct table_cell *cells, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_stringn(cells[i].s, cells[i].len));
	return a;
}

static int
preview_row(void *arg, size_t rowno, const struct table_cell *cells,
    size_t n)
{
	struct preview *p = arg;

	if ((int64_t)rowno < p->header_row)
		return 0;
	if ((int64_t)rowno == p->header_row) {
		json_decref(p->headers);
		p->headers = cells_json(cells, n);
		return 0;
	}
	if (n > 0)
		json_array_append_new(p->sample, cells_json(cells, n));
	return json_array_size(p->sample) >= IMP_SAMPLE ? 1 : 0;
}

/*
 * Reads the header and sample of the file at path into *out ({headers,
 * sample, sheets}) and what the reader decided into info. CRM_EINVAL
 * naming "file" for a file that is no table.
 */
static int
read_preview(struct core_ctx *cx, const char *path,
    const struct table_opts *o, int64_t header_row, struct table_info *info,
    json_t **out)
{
	struct preview p = { header_row, json_array(), json_array() };
	char err[256];
	json_t *sheets = json_array();
	int rc;

	memset(info, 0, sizeof(*info));
	rc = table_read(path, o, info, preview_row, &p, err, sizeof(err));
	if (rc < 0) {
		json_decref(p.headers);
		json_decref(p.sample);
		json_decref(sheets);
		verrs_add(&cx->errs, "file", "%s", err);
		return core_invalid(cx);
	}
	if (json_array_size(p.headers) == 0) {
		json_decref(p.headers);
		json_decref(p.sample);
		json_decref(sheets);
		verrs_add(&cx->errs, "file", "has no header in row %lld: the "
		    "file is empty, or the header is in another row (header_row)",
		    (long long)header_row);
		return core_invalid(cx);
	}
	for (size_t i = 0; i < info->nsheets; i++)
		json_array_append_new(sheets, json_string(info->sheets[i]));
	*out = json_pack("{s:o, s:o, s:o}", "headers", p.headers, "sample",
	    p.sample, "sheets", sheets);
	return CRM_OK;
}

/* The remembered mapping for this shape of file, else one from headers. */
static int
suggest_mapping(struct core_ctx *cx, const struct entity *e, json_t *headers,
    const char *source_key, json_t **out)
{
	struct imp_targets ts;
	db_stmt_t *st;
	json_t *v;
	size_t i;
	int rc;

	if (db_prepare(cx->db, "SELECT mapping FROM import_mappings WHERE "
	    "entity = ? AND source_key = ?", &st) != DB_OK)
		return db_fail(cx, "mapping");
	db_bind_text(st, 1, e->name, strlen(e->name));
	db_bind_text(st, 2, source_key, strlen(source_key));
	rc = db_step(st);
	*out = NULL;
	if (rc == DB_ROW) {
		size_t len;
		const char *s = db_col_text(st, 0, &len);

		*out = json_loadb(s, len, 0, NULL);
	}
	db_done(st);
	if (rc != DB_ROW && rc != DB_DONE)
		return db_fail(cx, "mapping step");
	if (*out != NULL)
		return CRM_OK;
	rc = imp_targets_load(cx, e, &ts);
	if (rc != CRM_OK)
		return rc;
	*out = json_array();
	json_array_foreach(headers, i, v) {
		const struct imp_target *t = imp_suggest(&ts,
		    json_string_value(v), json_string_length(v));
		bool taken = false;

		/* A field is suggested once: the first column that names it. */
		for (size_t k = 0; t != NULL && k < json_array_size(*out); k++) {
			const char *f = json_string_value(json_object_get(
			    json_array_get(*out, k), "field"));

			taken |= f != NULL && strcmp(f, t->name) == 0;
		}
		json_array_append_new(*out, json_pack("{s:I, s:O, s:s?}",
		    "column", (json_int_t)i, "header", v, "field",
		    t != NULL && !taken ? t->name : NULL));
	}
	imp_targets_free(&ts);
	return CRM_OK;
}

/* ---- the row ---- */

#define IMP_COLS "id, entity, status, file_name, hash, path, size, format, " \
	"encoding, delimiter, sheet, header_row, preview, mapping, options, " \
	"source_key, dry_run, rows_total, rows_done, created, updated, " \
	"skipped, failed, errors_total, created_by, created_at, started_at, " \
	"finished_at, undone_at, undone_by, error, resume_row, undo"

static json_t *
col_json(db_stmt_t *st, int col)
{
	size_t len;
	const char *s;
	json_t *v;

	if (db_col_null(st, col))
		return json_null();
	s = db_col_text(st, col, &len);
	v = json_loadb(s, len, JSON_DECODE_ANY, NULL);
	return v != NULL ? v : json_null();
}

static json_t *
row_json(db_stmt_t *st)
{
	json_t *preview = col_json(st, 12);
	json_t *o = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:I, s:s, s:s, "
	    "s:s, s:s, s:I}",
	    "id", (json_int_t)db_col_int(st, 0),
	    "entity", db_col_text(st, 1, NULL),
	    "status", db_col_text(st, 2, NULL),
	    "file_name", db_col_text(st, 3, NULL),
	    "hash", db_col_text(st, 4, NULL),
	    "path", db_col_text(st, 5, NULL),
	    "size", (json_int_t)db_col_int(st, 6),
	    "format", db_col_text(st, 7, NULL),
	    "encoding", db_col_text(st, 8, NULL),
	    "delimiter", db_col_text(st, 9, NULL),
	    "sheet", db_col_text(st, 10, NULL),
	    "header_row", (json_int_t)db_col_int(st, 11));
	static const char *const counts[] = { "rows_total", "rows_done",
	    "created", "updated", "skipped", "failed", "errors_total" };

	json_object_set(o, "headers", json_object_get(preview, "headers"));
	json_object_set(o, "sample", json_object_get(preview, "sample"));
	json_object_set(o, "sheets", json_object_get(preview, "sheets"));
	json_decref(preview);
	json_object_set_new(o, "mapping", col_json(st, 13));
	json_object_set_new(o, "options", col_json(st, 14));
	json_object_set_new(o, "source_key", json_string(db_col_text(st, 15,
	    NULL)));
	json_object_set_new(o, "dry_run", col_json(st, 16));
	for (int i = 0; i < 7; i++)
		json_object_set_new(o, counts[i], json_integer(db_col_int(st,
		    17 + i)));
	json_object_set_new(o, "created_by", json_integer(db_col_int(st, 24)));
	json_object_set_new(o, "created_at", core_col_time(st, 25));
	json_object_set_new(o, "started_at", core_col_time(st, 26));
	json_object_set_new(o, "finished_at", core_col_time(st, 27));
	json_object_set_new(o, "undone_at", core_col_time(st, 28));
	json_object_set_new(o, "undone_by", db_col_null(st, 29) ? json_null() :
	    json_integer(db_col_int(st, 29)));
	json_object_set_new(o, "error", json_string(db_col_text(st, 30, NULL)));
	json_object_set_new(o, "resume_row", json_integer(db_col_int(st, 31)));
	json_object_set_new(o, "undo", col_json(st, 32));
	return o;
}

/*
 * The import row as JSON (with "path"), visible to its importer and to
 * administrators; CRM_ENOTFOUND for anyone else.
 */
int
imp_load(struct core_ctx *cx, int64_t id, json_t **out)
{
	db_stmt_t *st;
	int rc;

	*out = NULL;
	if (db_prepare(cx->db, "SELECT " IMP_COLS " FROM imports WHERE id = ?",
	    &st) != DB_OK)
		return db_fail(cx, "load");
	db_bind_int(st, 1, id);
	rc = db_step(st);
	if (rc == DB_ROW)
		*out = row_json(st);
	db_done(st);
	if (rc != DB_ROW && rc != DB_DONE)
		return db_fail(cx, "load step");
	if (*out != NULL && !cx->actor.is_admin && cx->actor.user_id != 0 &&
	    json_integer_value(json_object_get(*out, "created_by")) !=
	    cx->actor.user_id) {
		json_decref(*out);
		*out = NULL;
	}
	return *out != NULL ? CRM_OK : core_fail(cx, CRM_ENOTFOUND,
	    "No import with id %lld", (long long)id);
}

static int
errors_json(struct core_ctx *cx, int64_t id, int limit, json_t **out)
{
	db_stmt_t *st;
	int rc;

	if (db_prepare(cx->db, "SELECT row_no, kind, column_name, value, reason "
	    "FROM import_errors WHERE import_id = ? ORDER BY id LIMIT ?", &st) !=
	    DB_OK)
		return db_fail(cx, "errors");
	db_bind_int(st, 1, id);
	db_bind_int(st, 2, limit);
	*out = json_array();
	while ((rc = db_step(st)) == DB_ROW)
		json_array_append_new(*out, json_pack("{s:I, s:s, s:s, s:s, s:s}",
		    "row", (json_int_t)db_col_int(st, 0),
		    "kind", db_col_text(st, 1, NULL),
		    "column", db_col_text(st, 2, NULL),
		    "value", db_col_text(st, 3, NULL),
		    "reason", db_col_text(st, 4, NULL)));
	db_done(st);
	return rc == DB_DONE ? CRM_OK : db_fail(cx, "errors step");
}

int
imp_get(struct core_ctx *cx, int64_t id, json_t **out)
{
	struct imp_targets ts;
	json_t *errs = NULL;
	int rc = imp_load(cx, id, out);

	if (rc == CRM_OK)
		rc = errors_json(cx, id, IMP_ERRORS_SHOWN, &errs);
	if (rc == CRM_OK)
		rc = imp_targets_load(cx, entity_find(json_string_value(
		    json_object_get(*out, "entity"))), &ts);
	if (rc != CRM_OK) {
		json_decref(errs);
		json_decref(*out);
		*out = NULL;
		return rc;
	}
	json_object_set_new(*out, "errors", errs);
	json_object_set_new(*out, "fields", imp_targets_json(&ts));
	json_object_del(*out, "path");
	json_object_del(*out, "resume_row");
	imp_targets_free(&ts);
	return CRM_OK;
}

int
imp_list(struct core_ctx *cx, int limit, json_t **out)
{
	db_stmt_t *st;
	int rc;

	if (db_prepare(cx->db, "SELECT " IMP_COLS " FROM imports WHERE ? = 1 OR "
	    "created_by = ? ORDER BY id DESC LIMIT ?", &st) != DB_OK)
		return db_fail(cx, "list");
	db_bind_int(st, 1, cx->actor.is_admin || cx->actor.user_id == 0);
	db_bind_int(st, 2, cx->actor.user_id);
	db_bind_int(st, 3, limit > 0 && limit <= 200 ? limit : 50);
	*out = json_pack("{s:[]}", "data");
	while ((rc = db_step(st)) == DB_ROW) {
		json_t *o = row_json(st);

		/* The list is the history: no previews. */
		json_object_del(o, "path");
		json_object_del(o, "resume_row");
		json_object_del(o, "sample");
		json_object_del(o, "headers");
		json_array_append_new(json_object_get(*out, "data"), o);
	}
	db_done(st);
	if (rc != DB_DONE) {
		json_decref(*out);
		*out = NULL;
		return db_fail(cx, "list step");
	}
	return CRM_OK;
}

/* ---- the upload ---- */

int
imp_upload(struct core_ctx *cx, const struct doc_store *ds,
    struct doc_blob *b, const char *name, const struct imp_source *src,
    json_t **out)
{
	struct table_opts o = { src->encoding, src->delimiter, src->sheet };
	struct table_info info;
	const struct entity *e;
	enum table_format fmt;
	char path[DOC_PATH_MAX], err[256], key[IMP_SOURCE_KEY], clean[DOC_NAME_MAX * 4 + 1];
	char delim[2] = { 0, 0 };
	json_t *preview = NULL, *mapping = NULL;
	char *ptext = NULL, *mtext = NULL;
	db_stmt_t *st;
	int64_t id = 0;
	int rc;

	*out = NULL;
	rc = imp_may_import(cx, src->entity);
	if (rc != CRM_OK)
		return rc;
	e = entity_find(src->entity);
	if (b->size == 0) {
		verrs_add(&cx->errs, "file", "is empty");
		return core_invalid(cx);
	}
	/*
	 * Read while still the unnamed temporary file: a file that is no
	 * table is refused without leaving anything in the folder.
	 */
	if (b->tmp[0] != '\0')
		snprintf(path, sizeof(path), "%s", b->tmp);
	else
		snprintf(path, sizeof(path), "/proc/self/fd/%d", b->fd);
	if (table_sniff(path, &fmt, err, sizeof(err)) != 0) {
		verrs_add(&cx->errs, "file", "%s", err);
		return core_invalid(cx);
	}
	rc = read_preview(cx, path, &o, 1, &info, &preview);
	if (rc != CRM_OK)
		return rc;
	if (doc_blob_commit(b) != 0) {
		rc = core_fail(cx, CRM_EDB, "The file could not be stored on the "
		    "server; nothing was changed");
		goto out;
	}
	if (!doc_blob_path(ds, b->hash, path, sizeof(path))) {
		rc = core_fail(cx, CRM_EDB, "The documents folder's path is too "
		    "long");
		goto out;
	}
	imp_source_key(json_object_get(preview, "headers"), key);
	rc = suggest_mapping(cx, e, json_object_get(preview, "headers"), key,
	    &mapping);
	if (rc != CRM_OK)
		goto out;
	if (doc_name_clean(name != NULL ? name : "", clean, sizeof(clean)) != 0 ||
	    clean[0] == '\0')
		snprintf(clean, sizeof(clean), "import.%s", fmt == TABLE_XLSX ?
		    "xlsx" : "csv");
	delim[0] = fmt == TABLE_CSV ? info.delimiter : '\0';
	ptext = json_dumps(preview, JSON_COMPACT);
	mtext = json_dumps(mapping, JSON_COMPACT);
	if (db_begin(cx->db) != DB_OK) {
		rc = db_fail(cx, "begin");
		goto out;
	}
	if (db_prepare(cx->db, "INSERT INTO imports (entity, status, file_name, "
	    "hash, path, size, format, encoding, delimiter, sheet, preview, "
	    "mapping, options, source_key, created_by, created_at) VALUES (?, "
	    "'uploaded', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '{}', ?, ?, ?) RETURNING id",
	    &st) != DB_OK) {
		rc = db_fail(cx, "insert");
		goto rollback;
	}
	db_bind_text(st, 1, e->name, strlen(e->name));
	db_bind_text(st, 2, clean, strlen(clean));
	db_bind_text(st, 3, b->hash, strlen(b->hash));
	db_bind_text(st, 4, path, strlen(path));
	db_bind_int(st, 5, b->size);
	db_bind_text(st, 6, fmt == TABLE_XLSX ? "xlsx" : "csv", fmt ==
	    TABLE_XLSX ? 4 : 3);
	db_bind_text(st, 7, info.encoding, strlen(info.encoding));
	db_bind_text(st, 8, delim, strlen(delim));
	db_bind_text(st, 9, info.sheet, strlen(info.sheet));
	db_bind_text(st, 10, ptext, strlen(ptext));
	db_bind_text(st, 11, mtext, strlen(mtext));
	db_bind_text(st, 12, key, strlen(key));
	if (cx->actor.user_id > 0)
		db_bind_int(st, 13, cx->actor.user_id);
	else
		db_bind_null(st, 13);
	db_bind_int(st, 14, time_now_ms());
	rc = db_step(st);
	id = rc == DB_ROW ? db_col_int(st, 0) : 0;
	db_done(st);
	if (rc != DB_ROW) {
		rc = db_fail(cx, "insert step");
		goto rollback;
	}
	{
		json_t *d = json_pack("{s:s, s:s, s:I, s:s}", "file_name", clean,
		    "format", fmt == TABLE_XLSX ? "xlsx" : "csv", "size",
		    (json_int_t)b->size, "sha256", b->hash);

		rc = audit_append(cx, "import.upload", e->name, id, d);
		json_decref(d);
	}
rollback:
	rc = core_txn_end(cx, rc, NULL);
	if (rc == CRM_OK)
		rc = imp_get(cx, id, out);
out:
	free(ptext);
	free(mtext);
	json_decref(preview);
	json_decref(mapping);
	return rc;
}

/* ---- mapping and options ---- */

/*
 * The mapping as given (an array of {column, field, values} or an object
 * {"Header": "field"}) checked against the headers and targets, as the
 * stored array. Errors in cx->errs.
 */
static json_t *
check_mapping(struct core_ctx *cx, const struct imp_targets *ts,
    json_t *headers, json_t *in)
{
	json_t *m = json_array(), *v;
	const char *key;
	size_t i, nh = json_array_size(headers);
	const char **by = xcalloc(ts->n + 1, sizeof(*by));

	for (i = 0; i < nh; i++)
		json_array_append_new(m, json_pack("{s:I, s:O, s:n}", "column",
		    (json_int_t)i, "header", json_array_get(headers, i), "field"));
	if (json_is_object(in)) {
		json_object_foreach(in, key, v) {
			size_t k;

			for (k = 0; k < nh; k++)
				if (strcmp(json_string_value(json_array_get(headers, k)),
				    key) == 0)
					break;
			if (k == nh)
				verrs_add(&cx->errs, "mapping", "the file has no column "
				    "'%.60s'", key);
			else if (!json_is_string(v) && !json_is_null(v))
				verrs_add(&cx->errs, "mapping", "'%.60s' must name a "
				    "field or be null", key);
			else
				json_object_set(json_array_get(m, k), "field", v);
		}
	} else if (json_is_array(in)) {
		json_array_foreach(in, i, v) {
			json_t *col = json_object_get(v, "column");
			json_t *f = json_object_get(v, "field");
			json_t *vals = json_object_get(v, "values");
			int64_t c = json_integer_value(col);

			if (!json_is_integer(col) || c < 0 || (size_t)c >= nh ||
			    (!json_is_string(f) && !json_is_null(f) && f != NULL) ||
			    (vals != NULL && !json_is_object(vals))) {
				verrs_add(&cx->errs, "mapping", "entry %zu must be "
				    "{column: 0..%zu, field: name or null, values: "
				    "{file value: choice}}", i, nh ? nh - 1 : 0);
				continue;
			}
			json_object_set(json_array_get(m, (size_t)c), "field",
			    f != NULL ? f : json_null());
			if (vals != NULL)
				json_object_set(json_array_get(m, (size_t)c), "values",
				    vals);
		}
	} else {
		verrs_add(&cx->errs, "mapping", "must be an array of {column, "
		    "field} or an object {\"Header\": \"field\"}");
	}
	json_array_foreach(m, i, v) {
		const char *f = json_string_value(json_object_get(v, "field"));
		const char *h = json_string_value(json_object_get(v, "header"));
		const struct imp_target *t;

		if (f == NULL)
			continue;
		t = imp_target_find(ts, f);
		if (t == NULL) {
			verrs_add(&cx->errs, "mapping", "column '%.60s': no field "
			    "'%.60s' in %s", h, f, ts->e->name);
			continue;
		}
		if (by[t - ts->t] != NULL)
			verrs_add(&cx->errs, "mapping", "field '%s' is mapped twice "
			    "(columns '%.60s' and '%.60s')", f, by[t - ts->t], h);
		by[t - ts->t] = h;
	}
	for (i = 0; i < ts->n && by[i] == NULL; )
		i++;
	if (i == ts->n)
		verrs_add(&cx->errs, "mapping", "maps no column: map at least one "
		    "column to a field");
	for (i = 0; i < ts->n; i++)
		if (ts->t[i].required && by[i] == NULL)
			verrs_add(&cx->errs, "mapping", "the required field '%s' is "
			    "not mapped", ts->t[i].name);
	free(by);
	return m;
}

static bool
one_of(const char *s, const char *const *list)
{
	for (; s != NULL && *list != NULL; list++)
		if (strcmp(s, *list) == 0)
			return true;
	return false;
}

/* The options as given, checked; errors in cx->errs as "options.X". */
static void
check_options(struct core_ctx *cx, const struct entity *e, json_t *o)
{
	static const char *const modes[] = { "all", "skip", NULL };
	static const char *const on[] = { "create", "update", "skip", "merge",
	    NULL };
	static const char *const pct[] = { "sign", "fraction", "number", NULL };
	static const char *const known[] = { "mode", "match", "on_match",
	    "decimal", "date_format", "percent", "currency", NULL };
	const char *key, *s;
	json_t *v, *k;
	size_t i;

	if (!json_is_object(o)) {
		verrs_add(&cx->errs, "options", "must be an object");
		return;
	}
	json_object_foreach(o, key, v) {
		s = json_string_value(v);
		if (!one_of(key, known))
			verrs_add(&cx->errs, "options", "unknown option '%.40s'", key);
		else if (strcmp(key, "mode") == 0 && !one_of(s, modes))
			verrs_add(&cx->errs, "options.mode", "must be all or skip");
		else if (strcmp(key, "on_match") == 0 && !one_of(s, on))
			verrs_add(&cx->errs, "options.on_match", "must be create, "
			    "update, skip or merge");
		else if (strcmp(key, "percent") == 0 && !one_of(s, pct))
			verrs_add(&cx->errs, "options.percent", "must be sign (15%%), "
			    "fraction (0.15) or number (15)");
		else if (strcmp(key, "decimal") == 0 && (s == NULL ||
		    (strcmp(s, ".") != 0 && strcmp(s, ",") != 0)))
			verrs_add(&cx->errs, "options.decimal", "must be \".\" or "
			    "\",\"");
		else if (strcmp(key, "date_format") == 0 && (s == NULL ||
		    imp_datefmt_parse(s) < 0))
			verrs_add(&cx->errs, "options.date_format", "must be "
			    "YYYY-MM-DD, DD.MM.YYYY, MM/DD/YYYY or DD/MM/YYYY");
		else if (strcmp(key, "currency") == 0 && (s == NULL ||
		    currency_find(s) == NULL))
			verrs_add(&cx->errs, "options.currency", "must be a known "
			    "currency code");
		else if (strcmp(key, "match") == 0) {
			if (!json_is_array(v))
				verrs_add(&cx->errs, "options.match", "must be a list "
				    "of keys");
			json_array_foreach(v, i, k)
				if (!imp_match_key_ok(e, json_string_value(k)))
					verrs_add(&cx->errs, "options.match", "'%.40s' is "
					    "not a match key of %s (email, phone, tax_id, "
					    "name, external_id as the entity has them)",
					    json_string_value(k) ? json_string_value(k) :
					    "?", e->name);
		}
	}
}

static int
store_text(db_stmt_t *st, int idx, json_t *v)
{
	char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
	int rc = db_bind_text(st, idx, s, strlen(s));

	free(s);
	return rc;
}

int
imp_update(struct core_ctx *cx, int64_t id, json_t *patch, json_t **out)
{
	struct table_opts o = { NULL, 0, NULL };
	struct table_info info;
	struct imp_targets ts = { 0 };
	json_t *cur = NULL, *preview = NULL, *mapping = NULL, *options;
	const char *status, *key;
	json_t *v;
	bool reread = false;
	int64_t header_row;
	char delim[2] = { 0, 0 }, skey[IMP_SOURCE_KEY];
	db_stmt_t *st;
	int rc;

	*out = NULL;
	rc = imp_load(cx, id, &cur);
	if (rc != CRM_OK)
		return rc;
	status = json_string_value(json_object_get(cur, "status"));
	if (strcmp(status, "uploaded") != 0 && strcmp(status, "checked") != 0) {
		rc = core_fail(cx, CRM_EINUSE, "The import is %s: its mapping "
		    "and options can change only before it runs", status);
		goto out;
	}
	rc = imp_may_import(cx, json_string_value(json_object_get(cur, "entity")));
	if (rc != CRM_OK)
		goto out;
	json_object_foreach(patch, key, v) {
		if (strcmp(key, "sheet") == 0 || strcmp(key, "encoding") == 0 ||
		    strcmp(key, "delimiter") == 0 || strcmp(key, "header_row") == 0)
			reread = true;
		else if (strcmp(key, "mapping") != 0 && strcmp(key, "options") != 0)
			verrs_add(&cx->errs, key, "cannot be changed (sheet, "
			    "encoding, delimiter, header_row, mapping, options)");
	}
	o.sheet = json_string_value(json_object_get(cur, "sheet"));
	o.encoding = json_string_value(json_object_get(cur, "encoding"));
	o.delimiter = json_string_value(json_object_get(cur, "delimiter"))[0];
	header_row = json_integer_value(json_object_get(cur, "header_row"));
	v = json_object_get(patch, "sheet");
	if (v != NULL && !json_is_string(v))
		verrs_add(&cx->errs, "sheet", "must be a sheet's name");
	else if (v != NULL)
		o.sheet = json_string_value(v);
	v = json_object_get(patch, "encoding");
	if (v != NULL &&
	    (!json_is_string(v) || json_string_length(v) > 30))
		verrs_add(&cx->errs, "encoding", "must be an encoding's name "
		    "(UTF-8, WINDOWS-1251, SHIFT_JIS)");
	else if (v != NULL)
		o.encoding = json_string_value(v);
	v = json_object_get(patch, "delimiter");
	if (v != NULL &&
	    (!json_is_string(v) || json_string_length(v) != 1 ||
	    strchr(",;\t|", json_string_value(v)[0]) == NULL))
		verrs_add(&cx->errs, "delimiter", "must be one of , ; | or a tab");
	else if (v != NULL)
		o.delimiter = json_string_value(v)[0];
	v = json_object_get(patch, "header_row");
	if (v != NULL &&
	    (!json_is_integer(v) || json_integer_value(v) < 1 ||
	    json_integer_value(v) > 1000))
		verrs_add(&cx->errs, "header_row", "must be a row number from 1 "
		    "to 1000");
	else if (v != NULL)
		header_row = json_integer_value(v);
	if (cx->errs.n > 0) {
		rc = core_invalid(cx);
		goto out;
	}
	if (o.sheet != NULL && o.sheet[0] == '\0')
		o.sheet = NULL;
	if (o.encoding != NULL && o.encoding[0] == '\0')
		o.encoding = NULL;
	if (reread) {
		rc = read_preview(cx, json_string_value(json_object_get(cur, "path")),
		    &o, header_row, &info, &preview);
		if (rc != CRM_OK)
			goto out;
	} else {
		preview = json_pack("{s:O, s:O, s:O}", "headers", json_object_get(cur,
		    "headers"), "sample", json_object_get(cur, "sample"), "sheets",
		    json_object_get(cur, "sheets"));
		snprintf(info.encoding, sizeof(info.encoding), "%s", o.encoding ?
		    o.encoding : "");
		info.delimiter = o.delimiter;
		snprintf(info.sheet, sizeof(info.sheet), "%s", o.sheet ? o.sheet : "");
	}
	rc = imp_targets_load(cx, entity_find(json_string_value(
	    json_object_get(cur, "entity"))), &ts);
	if (rc != CRM_OK)
		goto out;
	imp_source_key(json_object_get(preview, "headers"), skey);
	v = json_object_get(patch, "mapping");
	if (v != NULL) {
		mapping = check_mapping(cx, &ts, json_object_get(preview, "headers"),
		    v);
	} else if (reread) {
		rc = suggest_mapping(cx, ts.e, json_object_get(preview, "headers"),
		    skey, &mapping);
		if (rc != CRM_OK)
			goto out;
	} else {
		mapping = json_incref(json_object_get(cur, "mapping"));
	}
	options = json_object_get(patch, "options");
	if (options != NULL)
		check_options(cx, ts.e, options);
	else
		options = json_object_get(cur, "options");
	if (cx->errs.n > 0) {
		rc = core_invalid(cx);
		goto out;
	}
	delim[0] = info.delimiter;
	if (db_begin(cx->db) != DB_OK) {
		rc = db_fail(cx, "begin");
		goto out;
	}
	if (db_prepare(cx->db, "UPDATE imports SET status = 'uploaded', "
	    "dry_run = NULL, encoding = ?, delimiter = ?, sheet = ?, "
	    "header_row = ?, preview = ?, mapping = ?, options = ?, source_key = ? "
	    "WHERE id = ?", &st) != DB_OK) {
		rc = core_txn_end(cx, db_fail(cx, "update"), NULL);
		goto out;
	}
	db_bind_text(st, 1, info.encoding, strlen(info.encoding));
	db_bind_text(st, 2, delim, strlen(delim));
	db_bind_text(st, 3, info.sheet, strlen(info.sheet));
	db_bind_int(st, 4, header_row);
	store_text(st, 5, preview);
	store_text(st, 6, mapping);
	store_text(st, 7, options);
	db_bind_text(st, 8, skey, strlen(skey));
	db_bind_int(st, 9, id);
	rc = db_step(st) == DB_DONE ? CRM_OK : db_fail(cx, "update step");
	db_done(st);
	/* The mapping is remembered for the next file of this shape. */
	if (rc == CRM_OK && json_object_get(patch, "mapping") != NULL) {
		if (db_prepare(cx->db, "INSERT INTO import_mappings (entity, "
		    "source_key, mapping, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT "
		    "(entity, source_key) DO UPDATE SET mapping = excluded.mapping, "
		    "updated_at = excluded.updated_at", &st) != DB_OK) {
			rc = db_fail(cx, "remember");
		} else {
			db_bind_text(st, 1, ts.e->name, strlen(ts.e->name));
			db_bind_text(st, 2, skey, strlen(skey));
			store_text(st, 3, mapping);
			db_bind_int(st, 4, time_now_ms());
			rc = db_step(st) == DB_DONE ? CRM_OK : db_fail(cx,
			    "remember step");
			db_done(st);
		}
	}
	rc = core_txn_end(cx, rc, NULL);
	if (rc == CRM_OK)
		rc = imp_get(cx, id, out);
out:
	imp_targets_free(&ts);
	json_decref(cur);
	json_decref(preview);
	json_decref(mapping);
	return rc;
}

/* ---- starting ---- */

int
imp_start(struct core_ctx *cx, int64_t id, bool dry, bool queue)
{
	json_t *cur = NULL, *dr, *payload;
	const char *status, *mode;
	db_stmt_t *st;
	int64_t jid;
	int rc = imp_load(cx, id, &cur);

	if (rc != CRM_OK)
		return rc;
	status = json_string_value(json_object_get(cur, "status"));
	mode = json_string_value(json_object_get(json_object_get(cur, "options"),
	    "mode"));
	dr = json_object_get(cur, "dry_run");
	rc = imp_may_import(cx, json_string_value(json_object_get(cur, "entity")));
	if (rc != CRM_OK)
		goto out;
	if (strcmp(status, "uploaded") != 0 && strcmp(status, "checked") != 0) {
		rc = core_fail(cx, CRM_EINUSE, "The import is %s already", status);
		goto out;
	}
	{
		/* The stored mapping is checked again: the upload only suggested it. */
		struct imp_targets ts;
		json_t *m;

		rc = imp_targets_load(cx, entity_find(json_string_value(
		    json_object_get(cur, "entity"))), &ts);
		if (rc != CRM_OK)
			goto out;
		m = check_mapping(cx, &ts, json_object_get(cur, "headers"),
		    json_object_get(cur, "mapping"));
		json_decref(m);
		imp_targets_free(&ts);
		if (cx->errs.n > 0) {
			rc = core_invalid(cx);
			goto out;
		}
	}
	if (!dry && (mode == NULL || strcmp(mode, "all") == 0)) {
		if (!json_is_object(dr)) {
			rc = core_fail(cx, CRM_EINUSE, "Make a dry run first: mode "
			    "all imports only a file whose dry run found no errors");
			goto out;
		}
		if (json_integer_value(json_object_get(dr, "errors")) > 0) {
			rc = core_fail(cx, CRM_EINUSE, "The dry run found %lld bad "
			    "rows: fix the file, or run with mode skip to leave them "
			    "out", (long long)json_integer_value(json_object_get(dr,
			    "errors")));
			goto out;
		}
	}
	if (db_begin(cx->db) != DB_OK) {
		rc = db_fail(cx, "begin");
		goto out;
	}
	/* The dry run counted the rows: the run's progress has a total. */
	if (db_prepare(cx->db, "UPDATE imports SET status = ?, rows_done = 0, "
	    "rows_total = ?, error = '', resume_row = 0, created = 0, updated = 0, "
	    "skipped = 0, failed = 0, errors_total = 0, started_at = ? WHERE "
	    "id = ? AND status = ?", &st) != DB_OK) {
		rc = core_txn_end(cx, db_fail(cx, "start"), NULL);
		goto out;
	}
	db_bind_text(st, 1, dry ? "checking" : "running", dry ? 8 : 7);
	db_bind_int(st, 2, dry ? 0 : json_integer_value(json_object_get(dr,
	    "rows")));
	if (dry)
		db_bind_null(st, 3);
	else
		db_bind_int(st, 3, time_now_ms());
	db_bind_int(st, 4, id);
	db_bind_text(st, 5, status, strlen(status));
	rc = db_step(st) == DB_DONE ? CRM_OK : db_fail(cx, "start step");
	db_done(st);
	if (rc == CRM_OK && db_changes(cx->db) != 1)
		rc = core_fail(cx, CRM_EINUSE, "The import was started meanwhile");
	if (rc == CRM_OK && queue) {
		payload = json_pack("{s:I, s:b}", "id", (json_int_t)id, "dry", dry);
		rc = job_enqueue(cx, "import", payload, time_now_ms(), NULL, &jid);
		json_decref(payload);
	}
	rc = core_txn_end(cx, rc, NULL);
out:
	json_decref(cur);
	return rc;
}

/* ---- the error file ---- */

static void
csv_field(struct buf *b, const char *s)
{
	buf_putc(b, '"');
	for (; *s; s++) {
		if (*s == '"')
			buf_putc(b, '"');
		buf_putc(b, *s);
	}
	buf_putc(b, '"');
}

int
imp_errors_csv(struct core_ctx *cx, int64_t id, char **csv, size_t *len)
{
	json_t *cur = NULL;
	struct buf b;
	db_stmt_t *st;
	int rc = imp_load(cx, id, &cur);

	json_decref(cur);
	if (rc != CRM_OK)
		return rc;
	if (db_prepare(cx->db, "SELECT row_no, kind, column_name, value, reason "
	    "FROM import_errors WHERE import_id = ? ORDER BY id", &st) != DB_OK)
		return db_fail(cx, "error file");
	db_bind_int(st, 1, id);
	buf_init(&b, (size_t)ERRCSV_MAX);
	buf_puts(&b, "row,column,value,reason\r\n");
	while ((rc = db_step(st)) == DB_ROW) {
		const char *kind = db_col_text(st, 1, NULL);
		const char *reason = db_col_text(st, 4, NULL);

		buf_printf(&b, "%lld,", (long long)db_col_int(st, 0));
		csv_field(&b, db_col_text(st, 2, NULL));
		buf_putc(&b, ',');
		csv_field(&b, db_col_text(st, 3, NULL));
		buf_putc(&b, ',');
		if (strcmp(kind, "skipped") == 0) {
			char *r = NULL;
			size_t n = strlen(reason) + 10;

			r = xmalloc(n);
			snprintf(r, n, "skipped: %s", reason);
			csv_field(&b, r);
			free(r);
		} else {
			csv_field(&b, reason);
		}
		buf_puts(&b, "\r\n");
	}
	db_done(st);
	if (rc != DB_DONE) {
		buf_free(&b);
		return db_fail(cx, "error file step");
	}
	*len = b.len;
	*csv = buf_steal(&b);
	return CRM_OK;
}
