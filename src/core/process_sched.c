/*
 * The schedule trigger (core/process_sched.h is the contract): a job per
 * template version that wakes at each occurrence of the cron schedule and
 * starts the template on the records its filter matches.
 *
 * Once per occurrence comes from the job table: the run and its re-arming
 * (run_at moved to the next occurrence) commit together, only while the
 * runner holds the job's lease, so a second server either finds the job
 * not yet due or loses the claim. The next occurrence is computed from the
 * moment of the run, not from the occurrence it was due at, which is what
 * collapses the occurrences missed while no server ran into one run.
 *
 * The filter is the structured condition of a condition step, evaluated
 * on each record as the engine reads it (prun_cond_holds), so a schedule
 * and a condition step mean the same thing by the same words. Records are
 * read in id order, in pages, until PSCHED_STARTS_MAX have started; the
 * pages hold only the records the filter's prefilter lets through (the
 * parts of it plain columns decide, in SQL), so a filter on an amount, a
 * link or a time does not read every record of the entity in the job's
 * transaction.
 */
#include "core/process_sched.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/audit.h"
#include "core/cron.h"
#include "core/jobs.h"
#include "core/process_def.h"
#include "core/process_run.h"
#include "core/record.h"
#include "util/alloc.h"
#include "util/log.h"
#include "util/timeutil.h"
#include "util/tz.h"

#define PAGE 200	/* record ids read at a time */
#define KEY_LEN 64	/* "process_schedule:<id>:<version>" */

static int
db_fail(struct core_ctx *cx, const char *what)
{
	log_error("database: process schedule: %s: %s", what,
	    db_errmsg(cx->db));
	return core_fail(cx, CRM_EDB, "The database failed");
}

/* The occurrence of trigger's schedule strictly after after_ms, in *next. */
static int
next_of(json_t *trigger, int64_t after_ms, int64_t *next)
{
	const char *expr = json_string_value(json_object_get(trigger, "cron"));
	const char *zone = json_string_value(json_object_get(trigger, "tz"));
	struct cron c;
	struct tz *z = NULL;
	char err[160];
	int rc = -1;

	if (expr != NULL && zone != NULL && cron_parse(expr, &c, err,
	    sizeof(err)) == 0 && tz_load(zone, &z) == 0) {
		rc = cron_next(&c, z, after_ms, next);
		tz_free(z);
	}
	return rc;
}

/* The unique key of a version's job, into key (KEY_LEN bytes). */
static void
job_key(int64_t id, int64_t version, char *key)
{
	snprintf(key, KEY_LEN, "process_schedule:%lld:%lld", (long long)id,
	    (long long)version);
}

static bool
is_schedule(json_t *def)
{
	const char *type = json_string_value(json_object_get(json_object_get(def,
	    "trigger"), "type"));

	return type != NULL && strcmp(type, "schedule") == 0;
}

int
psched_arm(struct core_ctx *cx, int64_t id, int64_t version, json_t *def)
{
	char key[KEY_LEN];
	json_t *payload;
	int64_t next, job;
	int rc;

	if (!is_schedule(def))
		return CRM_OK;
	/* The check refused a schedule that never fires; be safe anyway. */
	if (next_of(json_object_get(def, "trigger"), time_now_ms(), &next) != 0)
		return CRM_OK;
	job_key(id, version, key);
	payload = json_pack("{s:I,s:I}", "template_id", (json_int_t)id,
	    "version", (json_int_t)version);
	rc = job_enqueue(cx, "process_schedule", payload, next, key, &job);
	json_decref(payload);
	return rc;
}

int
psched_arm_all(struct core_ctx *cx)
{
	json_t *defs = json_array(), *d;
	int64_t *ids = xcalloc(PSCHED_ARM_ALL_MAX, sizeof(*ids));
	int64_t *versions = xcalloc(PSCHED_ARM_ALL_MAX, sizeof(*versions));
	db_stmt_t *st;
	size_t i;
	int rc;

	/* A text prefilter; psched_arm reads the trigger itself. */
	if (db_prepare(cx->db, "SELECT t.id, t.current_version, v.definition FROM "
	    "process_templates t JOIN process_template_versions v ON "
	    "v.template_id = t.id AND v.version = t.current_version WHERE "
	    "v.definition LIKE '%\"schedule\"%' ORDER BY t.id", &st) != DB_OK) {
		rc = db_fail(cx, "arm all");
		goto out;
	}
	while ((rc = db_step(st)) == DB_ROW &&
	    json_array_size(defs) < PSCHED_ARM_ALL_MAX) {
		size_t len;
		const char *text = db_col_text(st, 2, &len);
		json_t *def = json_loadb(text, len, 0, NULL);

		ids[json_array_size(defs)] = db_col_int(st, 0);
		versions[json_array_size(defs)] = db_col_int(st, 1);
		json_array_append_new(defs, def != NULL ? def : json_null());
	}
	db_done(st);
	if (rc != DB_DONE && rc != DB_ROW) {
		rc = db_fail(cx, "arm all step");
		goto out;
	}
	rc = CRM_OK;
	json_array_foreach(defs, i, d)
		if (rc == CRM_OK)
			rc = psched_arm(cx, ids[i], versions[i], d);
out:
	json_decref(defs);
	free(ids);
	free(versions);
	return rc;
}

/* The template's row and the definition of version (new reference). */
static int
load(struct core_ctx *cx, int64_t id, int64_t version, bool *current,
    bool *active, json_t **def)
{
	db_stmt_t *st;
	int rc;

	*def = NULL;
	*current = *active = false;
	if (db_prepare(cx->db, "SELECT t.current_version, t.status, t.builtin, "
	    "v.definition FROM process_templates t JOIN "
	    "process_template_versions v ON v.template_id = t.id AND v.version = "
	    "? WHERE t.id = ?", &st) != DB_OK)
		return db_fail(cx, "template");
	db_bind_int(st, 1, version);
	db_bind_int(st, 2, id);
	rc = db_step(st);
	if (rc == DB_ROW) {
		size_t len;
		const char *text = db_col_text(st, 3, &len);

		*current = db_col_int(st, 0) == version;
		/* A shipped template is an example until an admin saved it. */
		*active = strcmp(db_col_text(st, 1, NULL), "active") == 0 &&
		    (db_col_int(st, 2) == 0 || version > 1);
		*def = json_loadb(text, len, 0, NULL);
	}
	db_done(st);
	if (rc != DB_ROW && rc != DB_DONE)
		return db_fail(cx, "template step");
	return CRM_OK;
}

/*
 * The prefilter (process_sched.h: psched_prefilter): what plain columns
 * decide of a filter, said in SQL, so that the records it rules out are
 * never read; it narrows the reads, never the matches, and
 * prun_cond_holds still judges each record read. Only what the engine
 * compares exactly as SQL does: integers, and times by their instant
 * (the engine reads a time column as RFC 3339 to the millisecond and
 * parses both sides; SQL compares the stored milliseconds).
 */
enum col_kind { COL_NONE, COL_INT, COL_TIME };

/* What the column of a condition's field holds; *col its name (static). */
static enum col_kind
col_kind(const struct entity *e, const char *name, const char **col)
{
	static const char *const ints[] = { "id", "owner_id", "created_by",
		"updated_by" }, *const times[] = { "created_at", "updated_at" };
	const struct field *f;

	*col = NULL;
	if (name == NULL)
		return COL_NONE;
	for (size_t i = 0; i < sizeof(ints) / sizeof(*ints); i++)
		if (strcmp(ints[i], name) == 0) {
			*col = ints[i];
			return COL_INT;
		}
	for (size_t i = 0; i < sizeof(times) / sizeof(*times); i++)
		if (strcmp(times[i], name) == 0) {
			*col = times[i];
			return COL_TIME;
		}
	f = entity_field(e, name);
	if (f == NULL)
		return COL_NONE;
	*col = f->name;
	switch (f->kind) {
	case FK_INT:
	case FK_REF:
	case FK_COMPANY:
	case FK_CONTACT:
	case FK_DEAL:
	case FK_USER:
		return COL_INT;
	case FK_TIME:
		return COL_TIME;
	default:
		return COL_NONE;
	}
}

/* A condition's value as its column stores it: the integer, a time's ms. */
static bool
col_value(enum col_kind k, json_t *v, int64_t *out)
{
	if (k == COL_INT && json_is_integer(v)) {
		*out = json_integer_value(v);
		return true;
	}
	return k == COL_TIME && json_is_string(v) && time_parse_datetime(
	    json_string_value(v), json_string_length(v), out) == 0;
}

static const char *
sql_op(const char *op)
{
	static const char *const ops[][2] = { { "eq", "=" }, { "gt", ">" },
		{ "gte", ">=" }, { "lt", "<" }, { "lte", "<=" } };

	for (size_t i = 0; op != NULL && i < sizeof(ops) / sizeof(*ops); i++)
		if (strcmp(ops[i][0], op) == 0)
			return ops[i][1];
	return NULL;
}

/* The values c's SQL binds; -1 when it says nothing in SQL. */
static int
prefilter_cost(const struct entity *e, json_t *c, int depth)
{
	json_t *list, *x, *want = json_object_get(c, "value");
	const char *op = json_string_value(json_object_get(c, "op")), *col;
	enum col_kind k;
	int64_t v;
	int sum = 0, one;
	size_t i;
	bool any, said = false;

	if (depth > PROCDEF_COND_DEPTH + 1)
		return -1;
	list = json_object_get(c, "all");
	any = list == NULL;
	if (any)
		list = json_object_get(c, "any");
	if (list != NULL) {
		json_array_foreach(list, i, x) {
			one = prefilter_cost(e, x, depth + 1);
			if (one < 0 && any)
				return -1;	/* one unsaid part: the "any" says nothing */
			if (one >= 0) {
				said = true;
				sum += one;
			}
		}
		return said ? sum : -1;
	}
	k = col_kind(e, json_string_value(json_object_get(c, "field")), &col);
	if (k == COL_NONE || op == NULL)
		return -1;
	if (strcmp(op, "not_empty") == 0)
		return 0;
	if (strcmp(op, "in") == 0) {
		if (json_array_size(want) == 0)
			return -1;
		json_array_foreach(want, i, x)
			if (!col_value(k, x, &v))
				return -1;
		return (int)json_array_size(want);
	}
	return sql_op(op) != NULL && col_value(k, want, &v) ? 1 : -1;
}

/* Appends the SQL of c (prefilter_cost(c) >= 0) to q. */
static void
prefilter_sql(const struct entity *e, json_t *c, int depth, struct dbq *q)
{
	json_t *list = json_object_get(c, "all"), *x;
	json_t *want = json_object_get(c, "value");
	const char *op = json_string_value(json_object_get(c, "op")), *col;
	const char *glue = " AND ";
	enum col_kind k;
	bool first = true;
	int64_t v = 0;
	size_t i;

	if (list == NULL) {
		list = json_object_get(c, "any");
		glue = " OR ";
	}
	if (list != NULL) {
		dbq_sql(q, "(");
		json_array_foreach(list, i, x) {
			if (prefilter_cost(e, x, depth + 1) < 0)
				continue;	/* an "all" part said by no SQL */
			dbq_sql(q, "%s", first ? "" : glue);
			first = false;
			prefilter_sql(e, x, depth + 1, q);
		}
		dbq_sql(q, ")");
		return;
	}
	k = col_kind(e, json_string_value(json_object_get(c, "field")), &col);
	if (strcmp(op, "not_empty") == 0) {
		dbq_sql(q, "%s IS NOT NULL", col);
	} else if (strcmp(op, "in") == 0) {
		dbq_sql(q, "%s IN (", col);
		json_array_foreach(want, i, x) {
			(void)col_value(k, x, &v);
			dbq_sql(q, "%s?", i > 0 ? ", " : "");
			dbq_int(q, v);
		}
		dbq_sql(q, ")");
	} else {
		(void)col_value(k, want, &v);
		dbq_sql(q, "%s %s ?", col, sql_op(op));
		dbq_int(q, v);
	}
}

void
psched_prefilter(const struct entity *e, json_t *filter, struct dbq *q)
{
	json_t *x;
	int left = PSCHED_PREFILTER_PARAMS, one;
	size_t i;

	one = filter != NULL ? prefilter_cost(e, filter, 0) : -1;
	if (one >= 0 && one <= left) {
		dbq_sql(q, " AND ");
		prefilter_sql(e, filter, 0, q);
		return;
	}
	if (one < 0)
		return;
	json_array_foreach(json_object_get(filter, "all"), i, x) {
		one = prefilter_cost(e, x, 1);
		if (one < 0 || one > left)
			continue;
		left -= one;
		dbq_sql(q, " AND ");
		prefilter_sql(e, x, 1, q);
	}
}

/*
 * Up to PAGE ids of e's live records after after that filter's prefilter
 * lets through, in ids; *n of them.
 */
static int
page_of(struct core_ctx *cx, const struct entity *e, json_t *filter,
    int64_t after, int64_t *ids, int *n)
{
	struct dbq q;
	db_stmt_t *st;
	int rc;

	*n = 0;
	dbq_init(&q);
	/* The table's and columns' names come from the entity's descriptor. */
	dbq_sql(&q, "SELECT id FROM %s WHERE deleted_at IS NULL AND id > ?",
	    e->name);
	dbq_int(&q, after);
	psched_prefilter(e, filter, &q);
	dbq_sql(&q, " ORDER BY id LIMIT %d", PAGE);
	rc = db_prepare_q(cx->db, &q, &st);
	dbq_free(&q);
	if (rc != DB_OK)
		return db_fail(cx, "records");
	while ((rc = db_step(st)) == DB_ROW && *n < PAGE)
		ids[(*n)++] = db_col_int(st, 0);
	db_done(st);
	return rc == DB_DONE || rc == DB_ROW ? CRM_OK : db_fail(cx, "records step");
}

/* Starts the template on each matching record, at most PSCHED_STARTS_MAX. */
static int
start_matching(struct core_ctx *cx, int64_t id, json_t *def, int *started,
    bool *capped)
{
	const struct entity *e = procdef_entity(json_string_value(
	    json_object_get(def, "entity")));
	json_t *filter = json_object_get(json_object_get(def, "trigger"),
	    "filter");
	int64_t ids[PAGE], after = 0, inst;
	struct core_ctx sys;
	int n, rc;

	*started = 0;
	*capped = false;
	if (e == NULL)
		return CRM_OK;	/* the check refuses another entity */
	/* Records are read as the system: the filter decides, not a user's rights. */
	core_ctx_init(&sys, cx->db, NULL);
	sys.mail = cx->mail;
	sys.audit_key = cx->audit_key;
	do {
		rc = page_of(cx, e, filter, after, ids, &n);
		for (int i = 0; i < n && rc == CRM_OK; i++) {
			json_t *rec = NULL;
			bool hit = true;

			after = ids[i];
			if (filter != NULL) {
				rc = rec_get(&sys, e, ids[i], false, &rec);
				if (rc == CRM_ENOTFOUND) {
					rc = CRM_OK;	/* gone since the page was read */
					continue;
				}
				hit = rc == CRM_OK && prun_cond_holds(filter, rec);
				json_decref(rec);
			}
			if (rc != CRM_OK || !hit)
				continue;
			if (*started >= PSCHED_STARTS_MAX) {
				*capped = true;
				break;
			}
			rc = prun_start_by(cx, id, e, ids[i], "schedule", &inst);
			if (rc == CRM_OK)
				(*started)++;
		}
	} while (rc == CRM_OK && n == PAGE && !*capped);
	if (rc != CRM_OK && cx->detail[0] == '\0')
		snprintf(cx->detail, sizeof(cx->detail), "%s", sys.detail);
	return rc;
}

int
psched_run(struct core_ctx *cx, json_t *payload, int64_t *again, char *err,
    size_t errlen)
{
	int64_t id = json_integer_value(json_object_get(payload, "template_id"));
	int64_t version = json_integer_value(json_object_get(payload, "version"));
	int64_t now = time_now_ms();
	int started = 0, rc;
	bool current, active, capped = false;
	json_t *def = NULL;

	*again = 0;
	rc = load(cx, id, version, &current, &active, &def);
	if (rc == CRM_OK && (!current || !is_schedule(def))) {
		/* A newer version has its own job: this one ends. */
		json_decref(def);
		return CRM_OK;
	}
	if (rc == CRM_OK && next_of(json_object_get(def, "trigger"), now,
	    again) != 0)
		*again = 0;	/* never fires again (the check refuses these) */
	if (rc == CRM_OK && active)
		rc = start_matching(cx, id, def, &started, &capped);
	if (rc == CRM_OK && active) {
		json_t *d = json_pack("{s:I,s:i,s:b}", "version",
		    (json_int_t)version, "started", started, "capped", capped);

		rc = audit_append(cx, "process.schedule_run", "process_templates",
		    id, d);
		json_decref(d);
	}
	if (capped)
		log_warn("processes: template %lld: schedule started %d instances, "
		    "the cap; more records match", (long long)id, started);
	json_decref(def);
	if (rc != CRM_OK)
		snprintf(err, errlen, "%s", cx->detail);
	return rc;
}

int
psched_next_run(struct core_ctx *cx, int64_t id, int64_t version, json_t *tpl)
{
	char key[KEY_LEN], ts[TIME_RFC3339_LEN];
	db_stmt_t *st;
	int rc;

	job_key(id, version, key);
	if (db_prepare(cx->db, "SELECT run_at FROM jobs WHERE unique_key = ? AND "
	    "done_at IS NULL", &st) != DB_OK)
		return db_fail(cx, "next run");
	db_bind_text(st, 1, key, strlen(key));
	rc = db_step(st);
	if (rc == DB_ROW) {
		time_format(db_col_int(st, 0), ts, sizeof(ts));
		json_object_set_new(tpl, "next_run_at", json_string(ts));
	} else {
		json_object_set_new(tpl, "next_run_at", json_null());
	}
	db_done(st);
	return rc == DB_ROW || rc == DB_DONE ? CRM_OK : db_fail(cx, "next run step");
}

int
psched_preview(struct core_ctx *cx, json_t *in, json_t **out)
{
	const char *expr = json_string_value(json_object_get(in, "cron"));
	const char *zone = json_string_value(json_object_get(in, "tz"));
	json_t *cv = json_object_get(in, "count"), *next, *local;
	json_int_t count = 3;
	struct cron c;
	struct tz *z = NULL;
	char msg[160];
	int64_t at;

	*out = NULL;
	if (cv != NULL) {
		count = json_is_integer(cv) ? json_integer_value(cv) : 0;
		if (count < 1 || count > PSCHED_PREVIEW_MAX)
			verrs_add(&cx->errs, "count", "must be a whole number from 1 "
			    "to %d", PSCHED_PREVIEW_MAX);
	}
	if (zone == NULL || tz_load(zone, &z) != 0) {
		verrs_add(&cx->errs, "tz", "must be a time zone (Europe/Berlin, "
		    "UTC)");
		z = NULL;
	}
	if (expr == NULL || strlen(expr) > CRON_EXPR_MAX)
		verrs_add(&cx->errs, "cron", "must be five fields (minute hour "
		    "day-of-month month day-of-week)");
	else if (cron_parse(expr, &c, msg, sizeof(msg)) != 0)
		verrs_add(&cx->errs, "cron", "%s", msg);
	if (cx->errs.n > 0) {
		tz_free(z);
		return core_invalid(cx);
	}
	next = json_array();
	local = json_array();
	at = time_now_ms();
	for (json_int_t k = 0; k < count; k++) {
		char ts[TIME_RFC3339_LEN], lt[TIME_RFC3339_LEN];

		if (cron_next(&c, z, at, &at) != 0)
			break;
		time_format(at, ts, sizeof(ts));
		time_format(at + tz_offset_s(z, at) * 1000, lt, sizeof(lt));
		/* "YYYY-MM-DDTHH:MM..." read as the zone's wall clock. */
		lt[10] = ' ';
		lt[16] = '\0';
		json_array_append_new(next, json_string(ts));
		json_array_append_new(local, json_string(lt));
	}
	tz_free(z);
	if (json_array_size(next) == 0) {
		json_decref(next);
		json_decref(local);
		verrs_add(&cx->errs, "cron", "never fires");
		return core_invalid(cx);
	}
	*out = json_pack("{s:o,s:o}", "next", next, "local", local);
	return CRM_OK;
}
