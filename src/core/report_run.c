/*
 * Running reports (core/reports.h): the compiled statement under a
 * deadline, its rows as JSON by the columns' types, the totals, and per
 * row the list filters that open the records behind it.
 *
 * The deadline is the store's (db_set_deadline): a progress handler on
 * SQLite, statement_timeout on PostgreSQL; it is lifted on every way out,
 * since the connection goes back to the pool for other requests.
 */
#include "core/reports.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/access.h"
#include "util/alloc.h"
#include "util/log.h"
#include "util/timeutil.h"
#include "util/tz.h"

#define DAY_MS 86400000LL

static int
run_fail(struct core_ctx *cx, const char *what)
{
	if (db_fault(cx->db) == DB_FAULT_TIMEOUT)
		return core_fail(cx, CRM_EUNAVAIL, "the report took too long "
		    "(over %d seconds): narrow its filters or period",
		    REPORT_TIMEOUT_MS / 1000);
	log_error("database: report %s: %s", what, db_errmsg(cx->db));
	return core_fail(cx, CRM_EDB, "The database failed to run the report");
}

int
report_tz_check(struct core_ctx *cx, const char *tz)
{
	struct tz *z = NULL;

	if ((tz != NULL && strlen(tz) > TZ_NAME_MAX) || tz_load(tz, &z) != 0)
		return core_fail(cx, CRM_EBADQUERY, "tz: not a known time zone "
		    "(an IANA name such as Europe/Berlin)");
	tz_free(z);
	return CRM_OK;
}

/* Column c of the current row as JSON, by its type. */
static json_t *
cell(db_stmt_t *st, int c, enum rd_type t)
{
	char ts[TIME_RFC3339_LEN];
	const char *s;
	size_t len;
	json_t *j;

	if (db_col_null(st, c))
		return json_null();
	switch (t) {
	case RT_INT:
	case RT_ID:
		return json_integer(db_col_int(st, c));
	case RT_NUMBER:
		s = db_col_text(st, c, NULL);
		return json_real(strtod(s, NULL));
	case RT_TIME:
		time_format(db_col_int(st, c), ts, sizeof(ts));
		return json_string(ts);
	case RT_LIST:
		s = db_col_text(st, c, &len);
		j = json_loadb(s, len, JSON_REJECT_DUPLICATES, NULL);
		return j != NULL ? j : json_stringn(s, len);
	default:
		s = db_col_text(st, c, &len);
		j = json_stringn(s, len);
		return j != NULL ? j : json_null();
	}
}

/* Reads every row of q (at most limit; *truncated if there were more). */
static int
read_rows(struct core_ctx *cx, const struct dbq *q, const enum rd_type *types,
    int ncols, int limit, json_t *rows, bool *truncated)
{
	db_stmt_t *st;
	int rc, n = 0;

	*truncated = false;
	if (q->broken)
		return core_fail(cx, CRM_EBADQUERY, "the report is too large: "
		    "fewer filters, values or columns");
	if (db_prepare_q(cx->db, q, &st) != DB_OK)
		return run_fail(cx, "prepare");
	while ((rc = db_step(st)) == DB_ROW) {
		json_t *row;

		if (n == limit) {
			*truncated = true;
			rc = DB_DONE;
			break;
		}
		row = json_array();
		for (int c = 0; c < ncols; c++)
			json_array_append_new(row, cell(st, c, types[c]));
		json_array_append_new(rows, row);
		n++;
	}
	db_done(st);
	return rc == DB_DONE ? CRM_OK : run_fail(cx, "step");
}

static json_t *
answer(json_t *columns, json_t *rows, json_t *totals, json_t *drill,
    bool truncated, const char *chart)
{
	size_t n = json_array_size(rows);

	return json_pack("{s:o, s:o, s:o, s:o, s:b, s:s, s:I}", "columns",
	    columns, "rows", rows, "totals", totals ? totals : json_null(),
	    "drill", drill, "truncated", truncated, "chart", chart, "row_count",
	    (json_int_t)n);
}

int
report_run_sql(struct core_ctx *cx, const struct dbq *q, json_t *columns,
    const enum rd_type *types, int ncols, int limit, const char *chart,
    json_t **out)
{
	json_t *rows = json_array(), *drill;
	bool truncated = false;
	int rc;

	if (db_set_deadline(cx->db, REPORT_TIMEOUT_MS) != DB_OK) {
		json_decref(rows);
		json_decref(columns);
		return run_fail(cx, "deadline");
	}
	rc = read_rows(cx, q, types, ncols, limit, rows, &truncated);
	(void)db_set_deadline(cx->db, 0);
	if (rc != CRM_OK) {
		json_decref(rows);
		json_decref(columns);
		return rc;
	}
	drill = json_array();
	for (size_t i = 0; i < json_array_size(rows); i++)
		json_array_append_new(drill, json_null());
	*out = answer(columns, rows, NULL, drill, truncated, chart);
	return CRM_OK;
}

int
report_scope_where(struct core_ctx *cx, const struct entity *e,
    const struct rd_env *env, const char *alias, struct dbq *q)
{
	int rc = access_where(cx, e, ACC_READ, alias, q);

	if (rc == CRM_OK && env->export_scope)
		rc = access_where(cx, e, ACC_EXPORT, alias, q);
	return rc;
}

void
report_drill_col(json_t *res, json_t *base, const char *key, int col)
{
	json_t *drill = json_array(), *row;
	size_t i;

	json_array_foreach(json_object_get(res, "rows"), i, row) {
		json_t *v = json_array_get(row, (size_t)col), *o;
		char text[32];

		if (!json_is_integer(v) && !json_is_string(v)) {
			json_array_append_new(drill, json_null());
			continue;
		}
		o = base != NULL ? json_deep_copy(base) : json_object();
		if (json_is_integer(v)) {
			snprintf(text, sizeof(text), "%lld",
			    (long long)json_integer_value(v));
			json_object_set_new(o, key, json_string(text));
		} else {
			json_object_set(o, key, v);
		}
		json_array_append_new(drill, o);
	}
	json_object_set_new(res, "drill", drill);
}

void
report_drill_owner(json_t *res, json_t *base)
{
	report_drill_col(res, base, "owner_id", 0);
}

json_t *
report_columns(const char *const (*cols)[3], int n)
{
	json_t *a = json_array();

	for (int i = 0; i < n; i++)
		json_array_append_new(a, json_pack("{s:s, s:s, s:s}", "key",
		    cols[i][0], "label", cols[i][1], "type", cols[i][2]));
	return a;
}

int
report_won_where(struct core_ctx *cx, const struct rd_env *env,
    int64_t from_ms, int64_t to_ms, struct dbq *q)
{
	dbq_sql(q, " t.deleted_at IS NULL AND t.status = 'won' AND t.closed_at "
	    ">= ? AND t.closed_at <= ?");
	dbq_int(q, from_ms);
	dbq_int(q, to_ms);
	rd_filters_sql(cx, env->lib, rd_filter_cols_of(&entity_deals), q);
	return report_scope_where(cx, &entity_deals, env, "t", q);
}

json_t *
report_won_drill(int64_t from_ms, int64_t to_ms)
{
	char from[TIME_RFC3339_LEN], to[TIME_RFC3339_LEN];

	time_format(from_ms, from, sizeof(from));
	time_format(to_ms, to, sizeof(to));
	return json_pack("{s:s, s:s, s:s}", "status", "won", "closed_at[gte]",
	    from, "closed_at[lte]", to);
}

static int64_t bucket_last(int64_t first, const char *bucket);

void
report_drill_bucket(json_t *res, json_t *base, int col, const char *key,
    const char *bucket, const char *tz, int64_t from_ms, int64_t to_ms)
{
	json_t *drill = json_array(), *row;
	struct tz *z = NULL;
	char k[96], v[TIME_RFC3339_LEN];
	size_t i;

	(void)tz_load(tz, &z);
	json_array_foreach(json_object_get(res, "rows"), i, row) {
		const char *s = json_string_value(json_array_get(row,
		    (size_t)col));
		int64_t day, first, last;
		json_t *o;

		if (s == NULL || time_parse_date(s, strlen(s), &day) != 0) {
			json_array_append_new(drill, json_null());
			continue;
		}
		first = tz_day_start(z, day);
		last = tz_day_start(z, bucket_last(day, bucket) + 1) - 1;
		o = base != NULL ? json_deep_copy(base) : json_object();
		snprintf(k, sizeof(k), "%s[gte]", key);
		time_format(first > from_ms ? first : from_ms, v, sizeof(v));
		json_object_set_new(o, k, json_string(v));
		snprintf(k, sizeof(k), "%s[lte]", key);
		time_format(last < to_ms ? last : to_ms, v, sizeof(v));
		json_object_set_new(o, k, json_string(v));
		json_array_append_new(drill, o);
	}
	tz_free(z);
	json_object_set_new(res, "drill", drill);
}

/* ---- drill-downs ---- */

/* Sets key to v in o, narrowing a bound already there (gte: the later). */
static bool
drill_set(json_t *o, const char *key, const char *v)
{
	json_t *old = json_object_get(o, key);
	size_t klen = strlen(key);
	bool gte = klen > 5 && strcmp(key + klen - 5, "[gte]") == 0;
	bool lte = klen > 5 && strcmp(key + klen - 5, "[lte]") == 0;
	const char *ov = json_string_value(old);

	if (old != NULL) {
		/* Same-format times or dates compare as text. */
		if (!gte && !lte)
			return strcmp(ov, v) == 0;
		if ((gte && strcmp(v, ov) <= 0) || (lte && strcmp(v, ov) >= 0))
			return true;
	}
	json_object_set_new(o, key, json_string(v));
	return true;
}

static void
time_text(int64_t ms, char *out, size_t outlen)
{
	time_format(ms, out, outlen);
}

static void
day_text(int64_t day, char *out, size_t outlen)
{
	int y, m, d;

	time_civil_from_days(day, &y, &m, &d);
	snprintf(out, outlen, "%04d-%02d-%02d", y, m, d);
}

/* key[gte] and key[lte] for local days first..last of a date or time field. */
static bool
drill_days(json_t *o, const char *key, enum rd_type t, const struct tz *z,
    int64_t first, int64_t last)
{
	char k[96], v[TIME_RFC3339_LEN];
	bool ok;

	snprintf(k, sizeof(k), "%s[gte]", key);
	if (t == RT_TIME)
		time_text(tz_day_start(z, first), v, sizeof(v));
	else
		day_text(first, v, sizeof(v));
	ok = drill_set(o, k, v);
	snprintf(k, sizeof(k), "%s[lte]", key);
	if (t == RT_TIME)
		time_text(tz_day_start(z, last + 1) - 1, v, sizeof(v));
	else
		day_text(last, v, sizeof(v));
	return ok && drill_set(o, k, v);
}

/* The list filters of the report's own filters; NULL if one has none. */
static json_t *
drill_base(const struct report_def *d, const struct tz *z, int64_t now_ms)
{
	json_t *o = json_object();
	char k[96], v[TIME_RFC3339_LEN + 8];
	int64_t first, last;
	bool ok = true;

	for (int i = 0; i < d->nfilters && ok; i++) {
		const struct rd_filter *f = &d->filters[i];
		const char *key = f->f.list_key;

		if (key == NULL || f->f.join >= 0 || f->f.custom) {
			ok = false;
			break;
		}
		switch (f->op) {
		case ROP_EQ:
			if (f->f.type == RT_TIME) {
				ok = false;
			} else if (json_is_integer(f->value)) {
				snprintf(v, sizeof(v), "%lld",
				    (long long)json_integer_value(f->value));
				ok = drill_set(o, key, v);
			} else {
				ok = drill_set(o, key, json_string_value(f->value));
			}
			break;
		case ROP_GTE:
		case ROP_LTE:
			snprintf(k, sizeof(k), "%s[%s]", key, f->op == ROP_GTE ?
			    "gte" : "lte");
			if (json_is_integer(f->value)) {
				snprintf(v, sizeof(v), "%lld",
				    (long long)json_integer_value(f->value));
			} else if (f->f.type == RT_TIME) {
				const char *s = json_string_value(f->value);
				int64_t ms, day;

				if (time_parse_date(s, strlen(s), &day) == 0)
					ms = f->op == ROP_GTE ? tz_day_start(z, day) :
					    tz_day_start(z, day + 1) - 1;
				else if (time_parse_datetime(s, strlen(s), &ms) != 0)
					ms = 0;
				time_text(ms, v, sizeof(v));
			} else {
				snprintf(v, sizeof(v), "%s",
				    json_string_value(f->value));
			}
			ok = drill_set(o, k, v);
			break;
		case ROP_PREFIX:
			snprintf(k, sizeof(k), "%s[prefix]", key);
			ok = drill_set(o, k, json_string_value(f->value));
			break;
		case ROP_PERIOD:
			ok = rd_period_days(f->value, tz_local_day(z, now_ms),
			    &first, &last) && drill_days(o, key, f->f.type, z,
			    first, last);
			break;
		default:
			ok = false;
			break;
		}
	}
	if (!ok) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* The last day of the bucket that starts on day first. */
static int64_t
bucket_last(int64_t first, const char *bucket)
{
	int y, m, d;

	if (strcmp(bucket, "day") == 0)
		return first;
	if (strcmp(bucket, "week") == 0)
		return first + 6;
	time_civil_from_days(first, &y, &m, &d);
	if (strcmp(bucket, "month") == 0)
		return first + time_days_in_month(y, m) - 1;
	if (strcmp(bucket, "quarter") == 0)
		return time_days_from_civil(m >= 10 ? y + 1 : y, m >= 10 ? 1 :
		    m + 3, 1) - 1;
	return time_days_from_civil(y + 1, 1, 1) - 1;
}

/* The drill of one aggregated row: base plus each group's value. */
static json_t *
drill_row(const struct report_def *d, json_t *base, json_t *row,
    const struct tz *z)
{
	json_t *o;
	bool ok = true;

	if (base == NULL)
		return json_null();
	o = json_deep_copy(base);
	for (int g = 0; g < d->ngroups && ok; g++) {
		const struct rd_group *gr = &d->groups[g];
		json_t *v = json_array_get(row, (size_t)g);
		const char *key = gr->f.list_key;
		char text[32];
		int64_t day;

		if (key == NULL || gr->f.join >= 0 || gr->f.custom ||
		    json_is_null(v)) {
			ok = false;
		} else if (gr->bucket != NULL) {
			const char *s = json_string_value(v);

			ok = s != NULL && time_parse_date(s, strlen(s), &day) == 0 &&
			    drill_days(o, key, gr->f.type, z, day,
			    bucket_last(day, gr->bucket));
		} else if (json_is_integer(v)) {
			snprintf(text, sizeof(text), "%lld",
			    (long long)json_integer_value(v));
			ok = drill_set(o, key, text);
		} else {
			ok = json_is_string(v) && drill_set(o, key,
			    json_string_value(v));
		}
	}
	if (!ok) {
		json_decref(o);
		return json_null();
	}
	return o;
}

/*
 * The totals row from the groups' rows, when all of them were read and
 * each aggregate combines exactly: counts and sums of whole numbers add
 * up, the least and greatest of whole numbers compare. Saves reading every
 * record a second time. false (nothing made): the totals need their query.
 */
static bool
totals_from_rows(const struct report_def *d, json_t *rows, json_t **out)
{
	int64_t acc[RD_MAX_AGGS];
	bool seen[RD_MAX_AGGS];
	json_t *row;
	size_t r;

	for (int i = 0; i < d->naggs; i++) {
		const struct rd_agg *a = &d->aggs[i];

		if (a->fn != FN_COUNT && (a->fn == FN_COUNT_DISTINCT ||
		    a->fn == FN_AVG || !a->has_field || a->f.type != RT_INT))
			return false;
		acc[i] = 0;
		seen[i] = false;
	}
	json_array_foreach(rows, r, row) {
		for (int i = 0; i < d->naggs; i++) {
			json_t *v = json_array_get(row, (size_t)(d->ngroups + i));
			enum rd_fn fn = d->aggs[i].fn;
			int64_t x;

			if (json_is_null(v))
				continue;
			if (!json_is_integer(v))
				return false;
			x = json_integer_value(v);
			if (fn == FN_COUNT || fn == FN_SUM) {
				if (__builtin_add_overflow(acc[i], x, &acc[i]))
					return false;
			} else if (!seen[i] || (fn == FN_MIN ? x < acc[i] :
			    x > acc[i])) {
				acc[i] = x;
			}
			seen[i] = true;
		}
	}
	*out = json_array();
	for (int g = 0; g < d->ngroups; g++)
		json_array_append_new(*out, json_null());
	/* Of no rows: a count is 0, the others are NULL, as in SQL. */
	for (int i = 0; i < d->naggs; i++)
		json_array_append_new(*out, d->aggs[i].fn == FN_COUNT || seen[i] ?
		    json_integer(acc[i]) : json_null());
	return true;
}

int
report_run(struct core_ctx *cx, const struct report_def *d,
    const struct rd_env *env, json_t **out)
{
	enum rd_type types[RD_MAX_COLUMNS + RD_MAX_AGGS];
	int ncols = report_def_ncols(d), rc;
	json_t *rows = json_array(), *totals = NULL, *drill, *base, *row;
	struct tz *z = NULL;
	struct dbq q;
	bool truncated = false, agg = report_def_is_agg(d);
	size_t i;

	*out = NULL;
	rc = report_tz_check(cx, env->tz);
	for (int c = 0; c < ncols; c++)
		types[c] = report_def_col_type(d, c);
	if (rc == CRM_OK && db_set_deadline(cx->db, REPORT_TIMEOUT_MS) != DB_OK)
		rc = run_fail(cx, "deadline");
	if (rc != CRM_OK) {
		json_decref(rows);
		return rc;
	}
	rc = report_def_compile(cx, d, env, false, &q);
	if (rc == CRM_OK)
		rc = read_rows(cx, &q, types, ncols, d->limit, rows, &truncated);
	dbq_free(&q);
	if (rc == CRM_OK && agg && d->ngroups == 0) {
		/* One row for the whole: it is its own total. */
		totals = json_deep_copy(json_array_get(rows, 0));
	} else if (rc == CRM_OK && agg && (truncated ||
	    !totals_from_rows(d, rows, &totals))) {
		json_t *t = json_array();
		bool more;

		rc = report_def_compile(cx, d, env, true, &q);
		if (rc == CRM_OK)
			rc = read_rows(cx, &q, types + d->ngroups, d->naggs, 1, t,
			    &more);
		dbq_free(&q);
		totals = json_array();
		for (int g = 0; g < d->ngroups; g++)
			json_array_append_new(totals, json_null());
		json_array_extend(totals, json_array_get(t, 0) ?
		    json_array_get(t, 0) : json_array());
		json_decref(t);
	}
	(void)db_set_deadline(cx->db, 0);
	if (rc != CRM_OK) {
		json_decref(rows);
		json_decref(totals);
		return rc;
	}
	drill = json_array();
	(void)tz_load(env->tz, &z);
	base = agg ? drill_base(d, z, env->now_ms) : NULL;
	json_array_foreach(rows, i, row)
		json_array_append_new(drill, agg ? drill_row(d, base, row, z) :
		    json_null());
	json_decref(base);
	tz_free(z);
	*out = answer(report_def_columns(d), rows, totals, drill, truncated,
	    d->chart);
	return *out != NULL ? CRM_OK : core_fail(cx, CRM_EDB, "Could not build "
	    "the report");
}
