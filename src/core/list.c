/*
 * Listing records: filters, search, sort and keyset paging.
 *
 * Every parameter is checked against the entity's description before any
 * SQL is built; column names in the SQL come only from the descriptor, and
 * every value is a bound parameter. The cursor is the hex form of
 * "<id>\n<sort value>" of the last row shown: opaque to clients, cheap to
 * check, and enough to continue the scan with an index seek.
 */
#include "core/record.h"

#include "core/access.h"
#include "core/watch.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/text.h"
#include "util/timeutil.h"

#define LIST_DEFAULT 50
#define LIST_MAX 200
#define MAX_CURSOR 4096	/* hex chars: id and a sort value of up to 200 characters */

static const struct field *
field_find(const struct entity *e, const char *name, size_t len)
{
	for (size_t i = 0; i < e->nfields; i++)
		if (strlen(e->fields[i].name) == len &&
		    strncmp(e->fields[i].name, name, len) == 0)
			return &e->fields[i];
	return NULL;
}

static int
parse_sort(struct core_ctx *cx, const struct entity *e, const char *s,
    struct rec_scan *k)
{
	static const char *const numeric[] = { "id", "created_at", "updated_at" };
	const struct field *f;

	k->sort_col = "id";
	k->sort_desc = false;
	k->sort_numeric = true;
	if (s == NULL || *s == '\0')
		return CRM_OK;
	if (*s == '-') {
		k->sort_desc = true;
		s++;
	}
	for (size_t i = 0; i < sizeof(numeric) / sizeof(*numeric); i++) {
		if (strcmp(s, numeric[i]) == 0) {
			k->sort_col = numeric[i];
			return CRM_OK;
		}
	}
	f = field_find(e, s, strlen(s));
	/* A hidden field is not there for the actor: no sorting by it. */
	if (f == NULL || !(f->flags & F_SORT) ||
	    access_field(cx, e, f->name) == FIELD_HIDDEN)
		return core_fail(cx, CRM_EBADQUERY, "sort: cannot sort %s by '%.64s'",
		    e->name, s);
	k->sort_col = f->name;
	k->sort_numeric = f->kind == FK_INT || f->kind == FK_REF ||
	    f->kind == FK_TIME;
	return CRM_OK;
}

static int
parse_limit(struct core_ctx *cx, const char *s, int *limit)
{
	long v = 0;

	*limit = LIST_DEFAULT;
	if (s == NULL)
		return CRM_OK;
	if (*s == '\0' || strlen(s) > 4)
		goto bad;
	for (const char *p = s; *p; p++) {
		if (*p < '0' || *p > '9')
			goto bad;
		v = v * 10 + (*p - '0');
	}
	if (v < 1 || v > LIST_MAX)
		goto bad;
	*limit = (int)v;
	return CRM_OK;
bad:
	return core_fail(cx, CRM_EBADQUERY, "limit: must be a whole number from "
	    "1 to %d", LIST_MAX);
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

static bool
parse_int64(const char *s, size_t len, int64_t *out)
{
	int64_t v = 0;
	bool neg = false;
	size_t i = 0;

	if (len > 0 && s[0] == '-') {
		neg = true;
		i = 1;
	}
	if (i == len || len - i > 18)
		return false;
	for (; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*out = neg ? -v : v;
	return true;
}

/*
 * Decodes a cursor into the last id and sort value (a copy in *val, caller
 * frees). Returns false when it is not one of ours.
 */
static bool
cursor_decode(const char *c, int64_t *id, char **val, size_t *vlen)
{
	size_t len = strlen(c), n = len / 2;
	char *raw, *nl;

	if (len == 0 || len % 2 != 0 || len > MAX_CURSOR)
		return false;
	raw = xmalloc(n + 1);
	for (size_t i = 0; i < n; i++) {
		int hi = hexval(c[2 * i]), lo = hexval(c[2 * i + 1]);

		if (hi < 0 || lo < 0) {
			free(raw);
			return false;
		}
		raw[i] = (char)(hi << 4 | lo);
	}
	raw[n] = '\0';
	nl = memchr(raw, '\n', n);
	if (nl == NULL || !parse_int64(raw, (size_t)(nl - raw), id) || *id < 0 ||
	    !text_utf8_valid(nl + 1, n - (size_t)(nl - raw) - 1)) {
		free(raw);
		return false;
	}
	*vlen = n - (size_t)(nl - raw) - 1;
	*val = xstrndup(nl + 1, *vlen);
	free(raw);
	return true;
}

static json_t *
cursor_encode(int64_t id, const char *val, size_t vlen)
{
	static const char hex[] = "0123456789abcdef";
	struct buf raw, out;
	json_t *j;

	buf_init(&raw, MAX_CURSOR / 2);
	buf_init(&out, MAX_CURSOR);
	buf_printf(&raw, "%lld\n", (long long)id);
	/* The whole value: a cut one would repeat or skip rows. */
	buf_append(&raw, val, vlen);
	for (size_t i = 0; i < raw.len; i++) {
		buf_putc(&out, hex[(unsigned char)raw.data[i] >> 4]);
		buf_putc(&out, hex[(unsigned char)raw.data[i] & 15]);
	}
	j = json_string(out.data ? out.data : "");
	buf_free(&raw);
	buf_free(&out);
	return j;
}

enum filter_op { OP_EQ, OP_PREFIX, OP_GTE, OP_LTE };

static int
parse_op(struct core_ctx *cx, const char *key, const char *br,
    enum filter_op *op)
{
	static const struct {
		const char	*text;
		enum filter_op	 op;
	} ops[] = {
		{ "[prefix]", OP_PREFIX }, { "[gte]", OP_GTE }, { "[lte]", OP_LTE },
	};

	*op = OP_EQ;
	if (br == NULL)
		return CRM_OK;
	for (size_t i = 0; i < sizeof(ops) / sizeof(*ops); i++)
		if (strcmp(br, ops[i].text) == 0) {
			*op = ops[i].op;
			return CRM_OK;
		}
	return core_fail(cx, CRM_EBADQUERY, "%.64s: unknown filter operator "
	    "(use field=value, field[prefix]=value, field[gte]=value or "
	    "field[lte]=value)", key);
}

/*
 * A time bound: a date ("2026-11-01", the whole day: from its first
 * millisecond for gte, to its last for lte) or an RFC 3339 date-time.
 */
static bool
parse_time_bound(const char *v, enum filter_op op, int64_t *ms)
{
	int64_t days;

	if (time_parse_date(v, strlen(v), &days) == 0) {
		*ms = days * 86400000LL + (op == OP_LTE ? 86399999LL : 0);
		return true;
	}
	return time_parse_datetime(v, strlen(v), ms) == 0;
}

/* "t.col >= ?" and the like for a numeric or time column. */
static int
add_range(struct core_ctx *cx, struct dbq *q, const char *col, bool time,
    enum filter_op op, const char *value)
{
	int64_t v;

	if (op == OP_PREFIX)
		return core_fail(cx, CRM_EBADQUERY, "%s: [prefix] is for text",
		    col);
	if (time ? !parse_time_bound(value, op, &v) :
	    !parse_int64(value, strlen(value), &v))
		return core_fail(cx, CRM_EBADQUERY, "%s: must be %s", col, time ?
		    "a date (YYYY-MM-DD) or a date-time (RFC 3339)" :
		    "a whole number");
	/* An exact time matches its whole day, as people mean it. */
	if (time && op == OP_EQ) {
		int64_t hi;

		parse_time_bound(value, OP_LTE, &hi);
		dbq_sql(q, " AND t.%s >= ? AND t.%s <= ?", col, col);
		dbq_int(q, v);
		dbq_int(q, hi);
		return CRM_OK;
	}
	dbq_sql(q, " AND t.%s %s ?", col, op == OP_GTE ? ">=" : op == OP_LTE ?
	    "<=" : "=");
	dbq_int(q, v);
	return CRM_OK;
}

/* Records owned by people of a department or of one below it. */
static int
add_department(struct core_ctx *cx, struct dbq *q, const char *value)
{
	int64_t id;

	if (!parse_int64(value, strlen(value), &id) || id <= 0)
		return core_fail(cx, CRM_EBADQUERY, "department_id: must be an id");
	dbq_sql(q, " AND t.owner_id IN " DEPT_USERS_SQL);
	dbq_int(q, id);
	return CRM_OK;
}

/*
 * Records of a company whose custom field "tier" is value (the segment of
 * the ready reports, docs/reports.md): the company itself, or the one the
 * record links. Refused where the role hides the tier.
 */
static int
add_segment(struct core_ctx *cx, const struct entity *e, struct dbq *q,
    const char *value)
{
	bool self = e == &entity_companies;

	if ((!self && field_find(e, "company_id", 10) == NULL) ||
	    access_field(cx, &entity_companies, "custom.tier") == FIELD_HIDDEN)
		return core_fail(cx, CRM_EBADQUERY, "segment: %s cannot be "
		    "filtered by this", e->name);
	dbq_sql(q, " AND t.%s IN (SELECT sg.id FROM companies sg WHERE "
	    "sg.deleted_at IS NULL AND ", self ? "id" : "company_id");
	db_json_expr(cx->db, q, "sg.custom", "tier", NULL, false);
	dbq_sql(q, " = ?)");
	dbq_text(q, value, strlen(value));
	return CRM_OK;
}

/* Adds "AND ..." for one filter; unknown or malformed ones are refused. */
static int
add_filter(struct core_ctx *cx, const struct entity *e, struct dbq *q,
    const char *key, const char *value)
{
	const char *br = strchr(key, '[');
	size_t klen = br ? (size_t)(br - key) : strlen(key);
	enum filter_op op;
	const struct field *f;
	int64_t id;
	int rc;

	if (parse_op(cx, key, br, &op) != CRM_OK)
		return CRM_EBADQUERY;
	if (!text_utf8_valid(value, strlen(value)))
		return core_fail(cx, CRM_EBADQUERY, "%.64s: not valid UTF-8", key);
	if (op == OP_EQ && klen == 3 && strncmp(key, "tag", 3) == 0) {
		dbq_sql(q, " AND t.id IN (SELECT record_id FROM record_tags WHERE "
		    "entity = ? AND tag = ?)");
		dbq_text(q, e->name, strlen(e->name));
		dbq_text(q, value, strlen(value));
		return CRM_OK;
	}
	if (op == OP_EQ && klen == 8 && strncmp(key, "owner_id", 8) == 0) {
		if (!parse_int64(value, strlen(value), &id))
			return core_fail(cx, CRM_EBADQUERY, "owner_id: must be an id");
		dbq_sql(q, " AND t.owner_id = ?");
		dbq_int(q, id);
		return CRM_OK;
	}
	if (op == OP_EQ && klen == 13 && strncmp(key, "department_id", 13) == 0)
		return add_department(cx, q, value);
	if (op == OP_EQ && klen == 7 && strncmp(key, "segment", 7) == 0)
		return add_segment(cx, e, q, value);
	if (klen == 10 && strncmp(key, "created_at", 10) == 0)
		return add_range(cx, q, "created_at", true, op, value);
	if (klen == 10 && strncmp(key, "updated_at", 10) == 0)
		return add_range(cx, q, "updated_at", true, op, value);
	if (op == OP_EQ && e->filter != NULL) {
		rc = e->filter(cx, q, key, value);
		if (rc != CRM_ENOTFOUND)
			return rc;
	}
	f = field_find(e, key, klen);
	if (f == NULL || !(f->flags & F_FILTER) ||
	    access_field(cx, e, f->name) == FIELD_HIDDEN)
		return core_fail(cx, CRM_EBADQUERY, "%.64s: %s cannot be filtered "
		    "by this", key, e->name);
	if (field_link(f) != NULL || f->kind == FK_USER ||
	    ((f->kind == FK_INT || f->kind == FK_REF) && op == OP_EQ)) {
		if (op != OP_EQ || !parse_int64(value, strlen(value), &id))
			return core_fail(cx, CRM_EBADQUERY, "%s: must be an id",
			    f->name);
		dbq_sql(q, " AND t.%s = ?", f->name);
		dbq_int(q, id);
	} else if (f->kind == FK_INT || f->kind == FK_REF || f->kind == FK_TIME) {
		return add_range(cx, q, f->name, f->kind == FK_TIME, op, value);
	} else if (op == OP_PREFIX) {
		/* A range, not LIKE: uses the index and is exact in every script. */
		char *hi = xmalloc(strlen(value) + 5);

		memcpy(hi, value, strlen(value));
		memcpy(hi + strlen(value), "\xf4\x8f\xbf\xbf", 5);
		dbq_sql(q, " AND t.%s >= ? AND t.%s < ?", f->name, f->name);
		dbq_text(q, value, strlen(value));
		dbq_text(q, hi, strlen(hi));
		free(hi);
	} else if (op != OP_EQ) {
		/* Dates (YYYY-MM-DD) compare as text; other text has no range. */
		if (f->kind != FK_DATE)
			return core_fail(cx, CRM_EBADQUERY, "%s: [gte] and [lte] "
			    "are for numbers, dates and times", f->name);
		if (time_parse_date(value, strlen(value), &id) != 0)
			return core_fail(cx, CRM_EBADQUERY, "%s: must be a date "
			    "(YYYY-MM-DD)", f->name);
		dbq_sql(q, " AND t.%s %s ?", f->name, op == OP_GTE ? ">=" : "<=");
		dbq_text(q, value, strlen(value));
	} else {
		dbq_sql(q, " AND t.%s = ?", f->name);
		dbq_text(q, value, strlen(value));
	}
	return CRM_OK;
}

int
rec_where(struct core_ctx *cx, const struct entity *e,
    const struct list_query *lq, struct dbq *q)
{
	int rc = access_where(cx, e, ACC_READ, "t", q);

	for (int i = 0; i < lq->nfilters && rc == CRM_OK; i++)
		rc = add_filter(cx, e, q, lq->filters[i].key, lq->filters[i].value);
	return rc;
}

size_t
search_words(const char *q, char *digits, size_t dlen, const char **words,
    size_t *lens, size_t max)
{
	size_t len = strlen(q), n = 0, nd = 0;
	bool phone = true;

	for (size_t i = 0; i < len; i++) {
		char c = q[i];

		if (c >= '0' && c <= '9')
			nd++;
		else if (!(c == ' ' || c == '-' || c == '(' || c == ')' ||
		    c == '+' || c == '.'))
			phone = false;
	}
	if (phone && nd >= 3) {
		nd = text_digits(q, len, digits, dlen);
		words[0] = digits;
		lens[0] = nd;
		return 1;
	}
	for (size_t i = 0; i < len && n < max;) {
		size_t start;

		while (i < len && (q[i] == ' ' || q[i] == '\t'))
			i++;
		start = i;
		while (i < len && q[i] != ' ' && q[i] != '\t')
			i++;
		if (i > start) {
			words[n] = q + start;
			lens[n] = i - start;
			n++;
		}
	}
	return n;
}

int
rec_scan_sql(struct core_ctx *cx, const struct entity *e,
    const struct list_query *lq, const char *extra, struct rec_scan *s,
    struct dbq *q)
{
	int rc;

	memset(s, 0, sizeof(*s));
	if (parse_sort(cx, e, lq->sort, s) != CRM_OK)
		return CRM_EBADQUERY;
	dbq_sql(q, "SELECT ");
	rec_select_list(e, q);
	dbq_sql(q, ", t.%s%s%s FROM %s t WHERE t.deleted_at IS %s", s->sort_col,
	    extra != NULL ? ", " : "", extra != NULL ? extra : "", e->name,
	    lq->deleted ? "NOT NULL" : "NULL");
	rc = rec_where(cx, e, lq, q);
	if (rc != CRM_OK || lq->q == NULL || lq->q[0] == '\0')
		return rc;
	if (strlen(lq->q) > 200 || !text_utf8_valid(lq->q, strlen(lq->q)))
		return core_fail(cx, CRM_EBADQUERY, "q: must be at most 200 bytes "
		    "of text");
	s->nwords = search_words(lq->q, s->digits, sizeof(s->digits), s->words,
	    s->lens, REC_SCAN_WORDS);
	if (s->nwords > 0) {
		dbq_sql(q, " AND ");
		db_search_clause(cx->db, q, e->name, "t", s->words, s->lens,
		    s->nwords, false);
		s->recheck = rec_search_hidden(cx, e);
	}
	return CRM_OK;
}

void
rec_scan_order(const struct rec_scan *s, struct dbq *q)
{
	if (strcmp(s->sort_col, "id") == 0)
		dbq_sql(q, " ORDER BY t.id%s", s->sort_desc ? " DESC" : "");
	else
		dbq_sql(q, " ORDER BY t.%s%s, t.id%s", s->sort_col,
		    s->sort_desc ? " DESC" : "", s->sort_desc ? " DESC" : "");
}

int
rec_scan_keep(struct core_ctx *cx, const struct entity *e,
    const struct rec_scan *s, json_t *rec, bool *keep)
{
	int rc = access_redact(cx, e, rec);

	/* Matched only through a hidden field: not a match for the actor. */
	*keep = rc == CRM_OK && (!s->recheck ||
	    rec_matches_visible(e, rec, s->words, s->lens, s->nwords));
	return rc;
}

int
rec_list(struct core_ctx *cx, const struct entity *e,
    const struct list_query *lq, json_t **out)
{
	struct rec_scan s;
	struct dbq q;
	db_stmt_t *st;
	json_t *data, *next = json_null();
	int limit, rc, rows = 0;
	int arc = CRM_OK;
	char *cval = NULL;
	size_t cvlen = 0;
	int64_t cid = 0;

	if (parse_limit(cx, lq->limit, &limit) != CRM_OK)
		return CRM_EBADQUERY;
	if (lq->cursor != NULL && !cursor_decode(lq->cursor, &cid, &cval, &cvlen))
		return core_fail(cx, CRM_EBADQUERY, "cursor: not a cursor this "
		    "server gave out; start again without it");
	dbq_init(&q);
	rc = rec_scan_sql(cx, e, lq, NULL, &s, &q);
	if (rc != CRM_OK)
		goto out;
	if (cval != NULL) {
		const char *op = s.sort_desc ? "<" : ">";

		if (strcmp(s.sort_col, "id") == 0) {
			dbq_sql(&q, " AND t.id %s ?", op);
			dbq_int(&q, cid);
		} else {
			int64_t iv = 0;

			if (s.sort_numeric && !parse_int64(cval, cvlen, &iv)) {
				rc = core_fail(cx, CRM_EBADQUERY, "cursor: does not "
				    "belong to this sort order");
				goto out;
			}
			/* A row value, so the index seeks straight to the cursor. */
			dbq_sql(&q, " AND (t.%s, t.id) %s (?, ?)", s.sort_col, op);
			if (s.sort_numeric)
				dbq_int(&q, iv);
			else
				dbq_text(&q, cval, cvlen);
			dbq_int(&q, cid);
		}
	}
	rec_scan_order(&s, &q);
	dbq_sql(&q, " LIMIT ?");
	dbq_int(&q, limit + 1);
	if (db_prepare_q(cx->db, &q, &st) != DB_OK) {
		log_error("database: list: %s", db_errmsg(cx->db));
		rc = core_fail(cx, CRM_EDB, "The database failed to list %s", e->name);
		goto out;
	}
	data = json_array();
	while ((rc = db_step(st)) == DB_ROW) {
		json_t *rec;
		int sortcol = db_col_count(st) - 1;
		size_t vlen;
		const char *v;
		bool keep;

		if (++rows > limit)
			break;
		rec = rec_row_to_json(e, st);
		json_decref(next);
		v = db_col_text(st, sortcol, &vlen);
		next = cursor_encode(json_integer_value(json_object_get(rec, "id")),
		    v, vlen);
		if ((arc = rec_scan_keep(cx, e, &s, rec, &keep)) != CRM_OK) {
			json_decref(rec);
			break;
		}
		if (keep)
			json_array_append_new(data, rec);
		else
			json_decref(rec);
	}
	db_done(st);
	if (arc != CRM_OK) {
		json_decref(data);
		json_decref(next);
		rc = arc;
		goto out;
	}
	if (rc != DB_ROW && rc != DB_DONE) {
		log_error("database: list step: %s", db_errmsg(cx->db));
		json_decref(data);
		json_decref(next);
		rc = core_fail(cx, CRM_EDB, "The database failed to list %s", e->name);
		goto out;
	}
	if (rows <= limit) {
		json_decref(next);
		next = json_null();
	}
	rc = watch_reads(cx, e, (int64_t)json_array_size(data));
	if (rc != CRM_OK) {
		json_decref(data);
		json_decref(next);
		goto out;
	}
	*out = json_pack("{s:o, s:o}", "data", data, "next_cursor", next);
out:
	dbq_free(&q);
	free(cval);
	return rc;
}
