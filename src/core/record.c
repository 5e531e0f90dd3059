/*
 * The record engine. Entities are tables of field descriptions; this file
 * turns them into validation, SQL and JSON.
 *
 * Writes validate first and touch the database only inside one
 * transaction, so a bad request never half-writes. Updates re-read the row
 * inside that transaction and apply the patch to it, so the version check
 * and the write see the same state. Lists page by keyset (the last row's
 * sort value and id, in an opaque cursor), which stays fast at a million
 * rows and never skips or repeats a row when others are inserted between
 * pages.
 */
#include "core/record.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/access.h"
#include "core/audit.h"
#include "core/process_run.h"
#include "core/currency.h"
#include "core/customfields.h"
#include "core/watch.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/text.h"
#include "util/timeutil.h"

#define MAX_LIST_ITEMS 20	/* emails, phones per record */
#define MAX_TAGS 50
#define MAX_TAG_LEN 50

static const char *const readonly_keys[] = {
	"id", "created_at", "created_by", "updated_at", "updated_by",
	"version", "deleted_at",
};

static const struct entity *const entities[] = {
	&entity_companies,
	&entity_contacts,
	&entity_deals,
	&entity_activities,
	&entity_tickets,
};

#define NENTITIES (sizeof(entities) / sizeof(entities[0]))

size_t
entity_count(void)
{
	return NENTITIES;
}

const struct entity *
entity_at(size_t i)
{
	return i < NENTITIES ? entities[i] : NULL;
}

int
entity_index(const struct entity *e)
{
	for (size_t i = 0; i < NENTITIES; i++)
		if (entities[i] == e)
			return (int)i;
	return -1;
}

const struct entity *
entity_find(const char *name)
{
	for (size_t i = 0; i < sizeof(entities) / sizeof(entities[0]); i++)
		if (strcmp(entities[i]->name, name) == 0)
			return entities[i];
	return NULL;
}

const struct entity *
field_link(const struct field *f)
{
	return f->kind == FK_COMPANY ? &entity_companies :
	    f->kind == FK_CONTACT ? &entity_contacts :
	    f->kind == FK_DEAL ? &entity_deals : NULL;
}

const struct field *
entity_field(const struct entity *e, const char *name)
{
	for (size_t i = 0; i < e->nfields; i++)
		if (strcmp(e->fields[i].name, name) == 0)
			return &e->fields[i];
	return NULL;
}

static int
db_fail(struct core_ctx *cx, const char *what)
{
	log_error("database: %s: %s", what, db_errmsg(cx->db));
	return core_fail(cx, CRM_EDB, "The database failed; the change was not made");
}

/* ---- reading rows ---- */

/* The SELECT list: entity fields in order, then the common columns. */
void
rec_select_list(const struct entity *e, struct dbq *q)
{
	for (size_t i = 0; i < e->nfields; i++) {
		const struct field *f = &e->fields[i];

		if (f->kind == FK_DERIVED)
			dbq_sql(q, "(%s) AS %s, ", f->sql_expr, f->name);
		else if (f->kind != FK_SIDE)
			dbq_sql(q, "t.%s, ", f->name);
	}
	dbq_sql(q, "t.id, t.created_at, t.created_by, t.updated_at, "
	    "t.updated_by, t.version, t.deleted_at, t.owner_id, t.tags, t.custom");
}

static json_t *
col_json_text(db_stmt_t *st, int col)
{
	size_t len;
	const char *s = db_col_text(st, col, &len);
	json_t *v = json_loadb(s, len, JSON_DECODE_ANY, NULL);

	return v ? v : json_null();
}

static json_t *
col_intornull(db_stmt_t *st, int col)
{
	return db_col_null(st, col) ? json_null() :
	    json_integer(db_col_int(st, col));
}

json_t *
rec_row_to_json(const struct entity *e, db_stmt_t *st)
{
	json_t *o = json_object();
	int c = 0;

	for (size_t i = 0; i < e->nfields; i++, c++) {
		const struct field *f = &e->fields[i];
		json_t *v;
		size_t len;
		const char *s;

		if (f->kind == FK_SIDE) {
			c--;	/* not a column */
			continue;
		}
		if (db_col_null(st, c)) {
			json_object_set_new(o, f->name, json_null());
			continue;
		}
		switch (f->kind) {
		case FK_EMAILS:
		case FK_PHONES:
		case FK_CONTACTS:
		case FK_USERS:
		case FK_JSON:
			v = col_json_text(st, c);
			break;
		case FK_COMPANY:
		case FK_CONTACT:
		case FK_DEAL:
		case FK_USER:
		case FK_INT:
		case FK_REF:
			v = json_integer(db_col_int(st, c));
			break;
		case FK_TIME:
			v = core_col_time(st, c);
			break;
		default:
			s = db_col_text(st, c, &len);
			v = len == 0 && (f->flags & F_EMPTY) ? json_null() :
			    json_stringn(s, len);
			break;
		}
		json_object_set_new(o, f->name, v ? v : json_null());
	}
	json_object_set_new(o, "id", json_integer(db_col_int(st, c++)));
	json_object_set_new(o, "created_at", core_col_time(st, c++));
	json_object_set_new(o, "created_by", col_intornull(st, c++));
	json_object_set_new(o, "updated_at", core_col_time(st, c++));
	json_object_set_new(o, "updated_by", col_intornull(st, c++));
	json_object_set_new(o, "version", json_integer(db_col_int(st, c++)));
	json_object_set_new(o, "deleted_at", core_col_time(st, c++));
	json_object_set_new(o, "owner_id", col_intornull(st, c++));
	json_object_set_new(o, "tags", col_json_text(st, c++));
	json_object_set_new(o, "custom", col_json_text(st, c++));
	if (e->decorate != NULL)
		e->decorate(o);
	return o;
}

/*
 * Reads one row by id; deleted selects the trash instead of live rows.
 * With lock (inside a transaction), the row stays locked until it ends.
 */
static int
load_row(struct core_ctx *cx, const struct entity *e, int64_t id, bool deleted,
    bool lock, json_t **out)
{
	struct dbq q;
	db_stmt_t *st;
	int rc;

	dbq_init(&q);
	dbq_sql(&q, "SELECT ");
	rec_select_list(e, &q);
	dbq_sql(&q, " FROM %s t WHERE t.id = ? AND t.deleted_at IS %s", e->name,
	    deleted ? "NOT NULL" : "NULL");
	dbq_int(&q, id);
	/* What the actor may not read is not there for them. */
	rc = access_where(cx, e, ACC_READ, "t", &q);
	if (rc != CRM_OK) {
		dbq_free(&q);
		return rc;
	}
	dbq_sql(&q, "%s", lock ? db_sql_for_update(cx->db) : "");
	rc = db_prepare_q(cx->db, &q, &st);
	dbq_free(&q);
	if (rc != DB_OK)
		return db_fail(cx, "load");
	rc = db_step(st);
	if (rc == DB_ROW)
		*out = rec_row_to_json(e, st);
	db_done(st);
	if (rc == DB_DONE)
		return core_fail(cx, CRM_ENOTFOUND, "No %s with id %lld%s",
		    e->singular, (long long)id, deleted ? " in the trash" : "");
	if (rc != DB_ROW)
		return db_fail(cx, "load step");
	return CRM_OK;
}

/* Reads a record for the actor's eyes: readable, and with hidden fields gone. */
static int
load(struct core_ctx *cx, const struct entity *e, int64_t id, bool deleted,
    json_t **out)
{
	int rc = load_row(cx, e, id, deleted, false, out);

	if (rc == CRM_OK && (rc = access_redact(cx, e, *out)) != CRM_OK)
		json_decref(*out);
	return rc;
}

int
rec_get(struct core_ctx *cx, const struct entity *e, int64_t id, bool deleted,
    json_t **out)
{
	int rc = load(cx, e, id, deleted, out);

	if (rc == CRM_OK && (rc = watch_reads(cx, e, 1)) != CRM_OK)
		json_decref(*out);
	return rc;
}

/* ---- validating input ---- */

static bool
exists(struct core_ctx *cx, const char *sql, int64_t id, int *rc)
{
	db_stmt_t *st;
	int r;

	if (db_prepare(cx->db, sql, &st) != DB_OK) {
		*rc = db_fail(cx, "exists");
		return false;
	}
	db_bind_int(st, 1, id);
	r = db_step(st);
	db_done(st);
	if (r != DB_ROW && r != DB_DONE)
		*rc = db_fail(cx, "exists step");
	return r == DB_ROW;
}

/* Adds at most one error for the field; returns whether it was fine. */
static bool
check_text(struct core_ctx *cx, const char *key, json_t *v, size_t maxlen)
{
	size_t len = json_string_length(v);
	const char *s = json_string_value(v);

	if (!text_utf8_valid(s, len) || !text_is_printable(s, len)) {
		verrs_add(&cx->errs, key, "must be text without control characters");
		return false;
	}
	if (text_utf8_count(s, len) > maxlen) {
		verrs_add(&cx->errs, key, "must be at most %zu characters", maxlen);
		return false;
	}
	return true;
}

static void
check_list(struct core_ctx *cx, const char *key, json_t *v, bool phones)
{
	char sub[96];
	size_t i;
	json_t *item;

	if (!json_is_array(v)) {
		verrs_add(&cx->errs, key, "must be an array of %s",
		    phones ? "phone numbers" : "email addresses");
		return;
	}
	if (json_array_size(v) > MAX_LIST_ITEMS) {
		verrs_add(&cx->errs, key, "must have at most %d entries",
		    MAX_LIST_ITEMS);
		return;
	}
	json_array_foreach(v, i, item) {
		const char *s = json_string_value(item);
		size_t len = json_string_length(item);

		snprintf(sub, sizeof(sub), "%s[%zu]", key, i);
		if (!json_is_string(item))
			verrs_add(&cx->errs, sub, "must be a string");
		else if (phones && !text_is_phone(s, len))
			verrs_add(&cx->errs, sub, "is not a phone number "
			    "(digits, spaces, dashes, brackets, a leading +)");
		else if (!phones && !text_is_email(s, len))
			verrs_add(&cx->errs, sub, "is not an email address");
	}
}

static void
check_tags(struct core_ctx *cx, json_t *v)
{
	char sub[96];
	size_t i;
	json_t *item;

	if (!json_is_array(v)) {
		verrs_add(&cx->errs, "tags", "must be an array of strings");
		return;
	}
	if (json_array_size(v) > MAX_TAGS) {
		verrs_add(&cx->errs, "tags", "must have at most %d tags", MAX_TAGS);
		return;
	}
	json_array_foreach(v, i, item) {
		size_t len = json_string_length(item);
		const char *s = json_string_value(item);

		snprintf(sub, sizeof(sub), "tags[%zu]", i);
		if (!json_is_string(item))
			verrs_add(&cx->errs, sub, "must be a string");
		else if (len == 0 || !text_utf8_valid(s, len) ||
		    text_utf8_count(s, len) > MAX_TAG_LEN)
			verrs_add(&cx->errs, sub, "must be 1 to %d characters",
			    MAX_TAG_LEN);
	}
}

static void
check_ref(struct core_ctx *cx, const char *key, json_t *v,
    const struct entity *linked, int *rc)
{
	json_int_t id;

	if (!json_is_integer(v) || json_integer_value(v) <= 0) {
		verrs_add(&cx->errs, key, "must be a positive integer id");
		return;
	}
	id = json_integer_value(v);
	if (linked != NULL) {
		/* One the actor may read: a hidden record is not there to link. */
		int r = access_check(cx, linked, ACC_READ, id, false);

		if (r == CRM_ENOTFOUND)
			verrs_add(&cx->errs, key, "no %s with id %lld",
			    linked->singular, (long long)id);
		else if (r != CRM_OK)
			*rc = r;
	} else if (!exists(cx, "SELECT 1 FROM users WHERE id = ? AND "
	    "active = 1", id, rc))
		verrs_add(&cx->errs, key, "no active user with id %lld",
		    (long long)id);
}

#define MAX_ID_LINKS 50	/* contacts of a deal, participants of a meeting */

/*
 * An array of distinct ids: of records of linked the actor may read
 * (contacts), or with linked NULL of active users (participants).
 */
static void
check_ids(struct core_ctx *cx, const char *key, json_t *v,
    const struct entity *linked, int *rc)
{
	const char *what = linked != NULL ? linked->singular : "user";
	char sub[96];
	size_t i, k;
	json_t *item;

	if (!json_is_array(v) || json_array_size(v) > MAX_ID_LINKS) {
		verrs_add(&cx->errs, key, "must be an array of at most %d %s "
		    "ids", MAX_ID_LINKS, what);
		return;
	}
	json_array_foreach(v, i, item) {
		snprintf(sub, sizeof(sub), "%s[%zu]", key, i);
		for (k = 0; k < i; k++)
			if (json_equal(item, json_array_get(v, k)))
				break;
		if (k < i)
			verrs_add(&cx->errs, sub, "names the same %s twice", what);
		else
			check_ref(cx, sub, item, linked, rc);
		if (*rc != CRM_OK)
			return;
	}
}

/* Type checks of one written value; null is allowed and means "clear". */
static void
check_field(struct core_ctx *cx, const struct field *f, json_t *v, int *rc)
{
	const char *s = json_string_value(v);
	size_t len = json_string_length(v);
	int64_t days;

	if (json_is_null(v))
		return;
	switch (f->kind) {
	case FK_TEXT:
	case FK_LONGTEXT:
	case FK_URL:
	case FK_DATE:
		if (!json_is_string(v)) {
			verrs_add(&cx->errs, f->name, "must be a string");
			return;
		}
		if (f->kind == FK_DATE) {
			if (len > 0 && time_parse_date(s, len, &days) != 0)
				verrs_add(&cx->errs, f->name, "is not a date (YYYY-MM-DD)");
		} else if (check_text(cx, f->name, v, f->maxlen) && f->kind == FK_URL &&
		    len > 0 && !text_is_url(s, len)) {
			verrs_add(&cx->errs, f->name, "is not a URL (http:// or https://)");
		}
		break;
	case FK_EMAILS:
	case FK_PHONES:
		check_list(cx, f->name, v, f->kind == FK_PHONES);
		break;
	case FK_COMPANY:
	case FK_USER:
		check_ref(cx, f->name, v, f->kind == FK_COMPANY ?
		    &entity_companies : NULL, rc);
		break;
	case FK_CONTACT:
	case FK_DEAL:
		check_ref(cx, f->name, v, field_link(f), rc);
		break;
	case FK_CONTACTS:
	case FK_USERS:
		check_ids(cx, f->name, v, f->kind == FK_CONTACTS ?
		    &entity_contacts : NULL, rc);
		break;
	case FK_JSON:
		/* The entity's check hook looks inside (a list or a rule). */
		if (!json_is_array(v) && !json_is_object(v))
			verrs_add(&cx->errs, f->name, "must be an array or an object");
		break;
	case FK_INT:
		if (!json_is_integer(v) || json_integer_value(v) < 0 ||
		    json_integer_value(v) > FIELD_INT_MAX)
			verrs_add(&cx->errs, f->name, "must be a whole number from 0 "
			    "to %lld (money in minor units: cents)", FIELD_INT_MAX);
		break;
	case FK_REF:
		if (!json_is_integer(v) || json_integer_value(v) <= 0)
			verrs_add(&cx->errs, f->name, "must be a positive integer id");
		break;
	case FK_CURRENCY:
		if (!json_is_string(v) || currency_find(s) == NULL)
			verrs_add(&cx->errs, f->name, "must be an ISO 4217 currency "
			    "code such as EUR or USD");
		break;
	case FK_TIME:
		/* Writable times (F_READONLY ones never get here). */
		if (!json_is_string(v) || time_parse_datetime(s, len, &days) != 0)
			verrs_add(&cx->errs, f->name, "must be a date-time (RFC 3339, "
			    "such as 2026-11-26T17:20:00Z)");
		break;
	case FK_DERIVED:
		verrs_add(&cx->errs, f->name, "is read-only");
		break;
	case FK_SIDE:
		/* The entity's prepare hook checks the content. */
		if (!json_is_array(v))
			verrs_add(&cx->errs, f->name, "must be an array");
		break;
	}
}

/* Checks every key of a create or patch body. */
static int
check_input(struct core_ctx *cx, const struct entity *e, json_t *in,
    bool create)
{
	const char *key;
	json_t *v;
	int rc = CRM_OK;

	json_object_foreach(in, key, v) {
		const struct field *f = entity_field(e, key);
		bool ro = false;

		for (size_t i = 0; i < sizeof(readonly_keys) / sizeof(*readonly_keys); i++)
			ro |= strcmp(key, readonly_keys[i]) == 0;
		if (ro || (f != NULL && (f->flags & F_READONLY))) {
			verrs_add(&cx->errs, key, "is read-only");
		} else if (f != NULL && (f->flags & F_FIXED) && !create) {
			verrs_add(&cx->errs, key, "cannot be changed once the %s "
			    "exists", e->singular);
		} else if (f != NULL) {
			check_field(cx, f, v, &rc);
		} else if (strcmp(key, "owner_id") == 0) {
			if (!json_is_null(v))
				check_ref(cx, key, v, NULL, &rc);
		} else if (strcmp(key, "tags") == 0) {
			if (!json_is_null(v))
				check_tags(cx, v);
		} else if (strcmp(key, "custom") == 0) {
			if (!json_is_object(v) && !json_is_null(v))
				verrs_add(&cx->errs, key, "must be an object");
		} else {
			verrs_add(&cx->errs, key, "is not a known field of a %s",
			    e->singular);
		}
		if (rc != CRM_OK)
			return rc;
	}
	return CRM_OK;
}

static bool
blank(json_t *v)
{
	const char *s;

	if (v == NULL || json_is_null(v))
		return true;
	if (!json_is_string(v))
		return false;
	for (s = json_string_value(v); *s; s++)
		if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
			return false;
	return true;
}

static bool
has_error(struct core_ctx *cx, const char *field)
{
	for (int i = 0; i < cx->errs.n; i++)
		if (strcmp(cx->errs.items[i].field, field) == 0)
			return true;
	return false;
}

/* Rules on the complete record after the write: required fields and more. */
static int
check_complete(struct core_ctx *cx, const struct entity *e, json_t *in,
    json_t *merged)
{
	json_t *custom_in = json_object_get(in, "custom");

	int typed = cx->errs.n;

	for (size_t i = 0; i < e->nfields; i++) {
		const struct field *f = &e->fields[i];

		if ((f->flags & F_REQUIRED) && !has_error(cx, f->name) &&
		    blank(json_object_get(merged, f->name)))
			verrs_add(&cx->errs, f->name, "is required");
	}
	/* Rules across fields only make sense once each field is well typed. */
	if (e->check != NULL && typed == 0)
		e->check(cx, merged);
	return cf_check_values(cx, e->name,
	    json_is_object(custom_in) ? custom_in : NULL,
	    json_object_get(merged, "custom"));
}

/* ---- writing rows ---- */

/* Whether the field is a column the engine writes. */
static bool
is_column(const struct field *f)
{
	return f->kind != FK_DERIVED && f->kind != FK_SIDE;
}

static void
search_append(struct buf *b, const char *s, size_t len)
{
	if (len == 0)
		return;
	if (b->len > 0)
		buf_putc(b, ' ');
	buf_append(b, s, len);
}

/* The text the search indexes see: names, emails, phones (also as digits). */
static char *
search_text(const struct entity *e, json_t *rec)
{
	struct buf b;
	char digits[64];

	buf_init(&b, 16384);
	for (size_t i = 0; i < e->nfields; i++) {
		const struct field *f = &e->fields[i];
		json_t *v = json_object_get(rec, f->name), *item;
		size_t k;

		if (!(f->flags & F_SEARCH) || v == NULL)
			continue;
		if (json_is_string(v)) {
			search_append(&b, json_string_value(v), json_string_length(v));
			continue;
		}
		json_array_foreach(v, k, item) {
			search_append(&b, json_string_value(item) ? json_string_value(item) : "",
			    json_string_length(item));
			if (f->kind == FK_PHONES) {
				size_t n = text_digits(json_string_value(item),
				    json_string_length(item), digits, sizeof(digits));

				search_append(&b, digits, n);
			}
		}
	}
	if (e->search_extra != NULL)
		e->search_extra(rec, &b);
	return buf_steal(&b);
}

static void
bind_field(db_stmt_t *st, int idx, const struct field *f, json_t *v)
{
	char *s;
	int64_t ms;

	if (v == NULL || json_is_null(v)) {
		if (f->kind == FK_EMAILS || f->kind == FK_PHONES ||
		    f->kind == FK_CONTACTS || f->kind == FK_USERS)
			db_bind_text(st, idx, "[]", 2);
		else if (f->flags & F_EMPTY)
			db_bind_text(st, idx, "", 0);
		else
			db_bind_null(st, idx);
		return;
	}
	switch (f->kind) {
	case FK_EMAILS:
	case FK_PHONES:
	case FK_CONTACTS:
	case FK_USERS:
	case FK_JSON:
		s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
		db_bind_text(st, idx, s, strlen(s));
		free(s);
		break;
	case FK_COMPANY:
	case FK_CONTACT:
	case FK_DEAL:
	case FK_USER:
	case FK_INT:
	case FK_REF:
		db_bind_int(st, idx, json_integer_value(v));
		break;
	case FK_TIME:
		/* The hooks set integers; a time read back is RFC 3339 text. */
		if (json_is_integer(v))
			db_bind_int(st, idx, json_integer_value(v));
		else if (time_parse_datetime(json_string_value(v),
		    json_string_length(v), &ms) == 0)
			db_bind_int(st, idx, ms);
		else
			db_bind_null(st, idx);
		break;
	default:
		if (json_string_length(v) == 0 && !(f->flags & F_EMPTY))
			db_bind_null(st, idx);
		else
			db_bind_text(st, idx, json_string_value(v),
			    json_string_length(v));
		break;
	}
}

static void
bind_json(db_stmt_t *st, int idx, json_t *v, const char *empty)
{
	char *s;

	if (v == NULL || json_is_null(v)) {
		db_bind_text(st, idx, empty, strlen(empty));
		return;
	}
	s = json_dumps(v, JSON_COMPACT);
	db_bind_text(st, idx, s, strlen(s));
	free(s);
}

/* Tags without duplicates, in the order given. */
static json_t *
unique_tags(json_t *tags)
{
	json_t *out = json_array(), *t, *u;
	size_t i, k;

	json_array_foreach(tags, i, t) {
		bool dup = false;

		json_array_foreach(out, k, u)
			dup |= json_equal(t, u);
		if (!dup)
			json_array_append(out, t);
	}
	return out;
}

static int
write_tags(struct core_ctx *cx, const struct entity *e, int64_t id, json_t *tags)
{
	db_stmt_t *st;
	json_t *t;
	size_t i;

	if (db_prepare(cx->db, "DELETE FROM record_tags WHERE entity = ? AND "
	    "record_id = ?", &st) != DB_OK)
		return db_fail(cx, "tags");
	db_bind_text(st, 1, e->name, strlen(e->name));
	db_bind_int(st, 2, id);
	if (db_step(st) != DB_DONE) {
		db_done(st);
		return db_fail(cx, "tags delete");
	}
	db_done(st);
	json_array_foreach(tags, i, t) {
		if (db_prepare(cx->db, "INSERT INTO record_tags (entity, record_id, "
		    "tag) VALUES (?, ?, ?)", &st) != DB_OK)
			return db_fail(cx, "tags insert");
		db_bind_text(st, 1, e->name, strlen(e->name));
		db_bind_int(st, 2, id);
		db_bind_text(st, 3, json_string_value(t), json_string_length(t));
		if (db_step(st) != DB_DONE) {
			db_done(st);
			return db_fail(cx, "tags insert step");
		}
		db_done(st);
	}
	return CRM_OK;
}

/*
 * Writes merged (a complete, valid record) as a new row (id == 0) or over
 * row id at version `version`. Returns the id in *id_out.
 */
static int
write_row(struct core_ctx *cx, const struct entity *e, json_t *merged,
    int64_t id, int64_t version, int64_t *id_out)
{
	struct dbq q;
	db_stmt_t *st;
	char *stext;
	json_t *tags;
	int64_t now = time_now_ms();
	int idx = 1, rc;

	dbq_init(&q);
	if (id == 0) {
		dbq_sql(&q, "INSERT INTO %s (", e->name);
		for (size_t i = 0; i < e->nfields; i++)
			if (is_column(&e->fields[i]))
				dbq_sql(&q, "%s, ", e->fields[i].name);
		dbq_sql(&q, "owner_id, tags, custom, search_text, updated_at, "
		    "updated_by, created_at, created_by, version) VALUES (");
		for (size_t i = 0; i < e->nfields; i++)
			if (is_column(&e->fields[i]))
				dbq_sql(&q, "?, ");
		dbq_sql(&q, "?, ?, ?, ?, ?, ?, ?, ?, 1) RETURNING id");
	} else {
		dbq_sql(&q, "UPDATE %s SET ", e->name);
		for (size_t i = 0; i < e->nfields; i++)
			if (is_column(&e->fields[i]))
				dbq_sql(&q, "%s = ?, ", e->fields[i].name);
		dbq_sql(&q, "owner_id = ?, tags = ?, custom = ?, search_text = ?, "
		    "updated_at = ?, updated_by = ?, version = version + 1 "
		    "WHERE id = ? AND version = ? AND deleted_at IS NULL");
	}
	rc = db_prepare_q(cx->db, &q, &st);
	dbq_free(&q);
	if (rc != DB_OK)
		return db_fail(cx, "write prepare");
	for (size_t i = 0; i < e->nfields; i++)
		if (is_column(&e->fields[i]))
			bind_field(st, idx++, &e->fields[i],
			    json_object_get(merged, e->fields[i].name));
	if (json_is_integer(json_object_get(merged, "owner_id")))
		db_bind_int(st, idx++,
		    json_integer_value(json_object_get(merged, "owner_id")));
	else
		db_bind_null(st, idx++);
	tags = unique_tags(json_object_get(merged, "tags"));
	bind_json(st, idx++, tags, "[]");
	bind_json(st, idx++, json_object_get(merged, "custom"), "{}");
	stext = search_text(e, merged);
	db_bind_text(st, idx++, stext, strlen(stext));
	free(stext);
	db_bind_int(st, idx++, now);
	if (cx->actor.user_id > 0)
		db_bind_int(st, idx++, cx->actor.user_id);
	else
		db_bind_null(st, idx++);
	if (id == 0) {
		db_bind_int(st, idx++, now);
		if (cx->actor.user_id > 0)
			db_bind_int(st, idx++, cx->actor.user_id);
		else
			db_bind_null(st, idx++);
	} else {
		db_bind_int(st, idx++, id);
		db_bind_int(st, idx++, version);
	}
	rc = db_step(st);
	if (id == 0 && rc == DB_ROW)
		*id_out = db_col_int(st, 0);
	else if (id != 0 && rc == DB_DONE)
		*id_out = id;
	db_done(st);
	if ((id == 0 && rc != DB_ROW) || (id != 0 && rc != DB_DONE)) {
		json_decref(tags);
		return db_fail(cx, "write");
	}
	if (id != 0 && db_changes(cx->db) != 1) {
		json_decref(tags);
		return core_fail(cx, CRM_ECONFLICT, "The %s was changed meanwhile",
		    e->singular);
	}
	rc = write_tags(cx, e, *id_out, tags);
	json_decref(tags);
	return rc;
}

/*
 * The rights side of a write: the actor's field rules on the body, and an
 * owner the actor may give records to (action ACC_CREATE for a new
 * record, ACC_ASSIGN when a change moves it to someone else).
 */
static int
check_rights(struct core_ctx *cx, const struct entity *e, json_t *in,
    json_t *merged, enum acc_action action)
{
	json_t *owner = json_object_get(merged, "owner_id");
	enum acc_scope sc;
	bool ok = false;
	int rc;

	access_check_write(cx, e, in);
	if (action == ACC_ASSIGN && json_object_get(in, "owner_id") == NULL)
		return CRM_OK;
	if (!json_is_integer(owner)) {
		rc = access_scope(cx, e, action, &sc);
		if (rc == CRM_OK && sc != SCOPE_ALL)
			verrs_add(&cx->errs, "owner_id", "must be set: your role "
			    "cannot see records without an owner");
		return rc;
	}
	rc = access_owner_ok(cx, e, action, json_integer_value(owner), &ok);
	if (rc == CRM_OK && !ok)
		verrs_add(&cx->errs, "owner_id", "your role does not allow you to "
		    "give a %s to this user", e->singular);
	return rc;
}

int
rec_create(struct core_ctx *cx, const struct entity *e, json_t *in,
    json_t **out)
{
	*out = NULL;
	if (db_begin(cx->db) != DB_OK)
		return db_fail(cx, "begin");
	return core_txn_end(cx, rec_create_txn(cx, e, in, out), out);
}

int
rec_create_txn(struct core_ctx *cx, const struct entity *e, json_t *in,
    json_t **out)
{
	int64_t id = 0;
	int rc = rec_create_id_txn(cx, e, in, &id);

	if (rc != CRM_OK)
		return rc;
	return load(cx, e, id, false, out);
}

int
rec_create_id_txn(struct core_ctx *cx, const struct entity *e, json_t *in,
    int64_t *id_out)
{
	json_t *merged = NULL;
	int64_t id = 0;
	enum acc_scope sc;
	int rc;

	rc = access_scope(cx, e, ACC_CREATE, &sc);
	if (rc == CRM_OK && sc == SCOPE_NONE)
		rc = core_fail(cx, CRM_EFORBIDDEN, "Your role does not allow you "
		    "to create %s; ask an administrator", e->name);
	if (rc != CRM_OK)
		goto fail;
	rc = check_input(cx, e, in, true);
	if (rc != CRM_OK)
		goto fail;
	merged = json_deep_copy(in);
	if (json_object_get(merged, "owner_id") == NULL && cx->actor.user_id > 0)
		json_object_set_new(merged, "owner_id",
		    json_integer(cx->actor.user_id));
	rc = check_rights(cx, e, in, merged, ACC_CREATE);
	if (rc != CRM_OK)
		goto fail;
	rc = check_complete(cx, e, in, merged);
	if (rc == CRM_OK && e->prepare != NULL && cx->errs.n == 0)
		rc = e->prepare(cx, NULL, in, merged);
	if (rc != CRM_OK)
		goto fail;
	if (cx->errs.n > 0 || cx->errs.dropped > 0) {
		rc = core_invalid(cx);
		goto fail;
	}
	rc = write_row(cx, e, merged, 0, 0, &id);
	if (rc == CRM_OK && e->after_write != NULL)
		rc = e->after_write(cx, id, NULL, merged);
	if (rc == CRM_OK)
		rc = audit_append(cx, "record.create", e->name, id, merged);
	/* Processes that start when such a record is created. */
	if (rc == CRM_OK)
		rc = prun_on_write(cx, e, id, NULL, merged);
	if (rc == CRM_OK)
		*id_out = id;
fail:
	json_decref(merged);
	return rc;
}

/* RFC 7396 merge of patch into target (objects only; null removes). */
static void
merge_patch(json_t *target, json_t *patch)
{
	const char *key;
	json_t *v;

	json_object_foreach(patch, key, v) {
		if (json_is_null(v))
			json_object_del(target, key);
		else
			json_object_set(target, key, v);
	}
}

int
rec_update(struct core_ctx *cx, const struct entity *e, int64_t id,
    int64_t if_version, json_t *patch, json_t **out)
{
	*out = NULL;
	if (db_begin(cx->db) != DB_OK)
		return db_fail(cx, "begin");
	return core_txn_end(cx, rec_update_txn(cx, e, id, if_version, patch,
	    out), out);
}

int
rec_update_txn(struct core_ctx *cx, const struct entity *e, int64_t id,
    int64_t if_version, json_t *patch, json_t **out)
{
	json_t *cur = NULL, *merged = NULL;
	const char *key;
	json_t *v;
	int64_t version;
	int rc;

	*out = NULL;
	rc = access_check(cx, e, ACC_UPDATE, id, false);
	if (rc != CRM_OK)
		goto fail;
	/* Locked: a concurrent writer waits, so "no If-Match" never fails. */
	rc = load_row(cx, e, id, false, true, &cur);
	if (rc != CRM_OK)
		goto fail;
	version = json_integer_value(json_object_get(cur, "version"));
	if (if_version >= 0 && if_version != version) {
		rc = core_fail(cx, CRM_ECONFLICT, "The %s was changed by someone "
		    "else (now version %lld); reload it and apply your change "
		    "again", e->singular, (long long)version);
		goto fail;
	}
	rc = check_input(cx, e, patch, false);
	if (rc != CRM_OK)
		goto fail;
	merged = json_deep_copy(cur);
	json_object_foreach(patch, key, v) {
		if (strcmp(key, "custom") == 0 && json_is_object(v))
			merge_patch(json_object_get(merged, "custom"), v);
		else if (strcmp(key, "custom") == 0)
			json_object_set_new(merged, "custom", json_object());
		else
			json_object_set(merged, key, v);
	}
	if (json_object_get(patch, "owner_id") != NULL &&
	    !json_equal(json_object_get(patch, "owner_id"),
	    json_object_get(cur, "owner_id"))) {
		/* A new owner is a transfer: its own right. */
		rc = access_check(cx, e, ACC_ASSIGN, id, false);
		if (rc != CRM_OK)
			goto fail;
		rc = check_rights(cx, e, patch, merged, ACC_ASSIGN);
	} else {
		access_check_write(cx, e, patch);
	}
	if (rc != CRM_OK)
		goto fail;
	rc = check_complete(cx, e, patch, merged);
	if (rc == CRM_OK && e->prepare != NULL && cx->errs.n == 0)
		rc = e->prepare(cx, cur, patch, merged);
	if (rc != CRM_OK)
		goto fail;
	if (cx->errs.n > 0 || cx->errs.dropped > 0) {
		rc = core_invalid(cx);
		goto fail;
	}
	rc = write_row(cx, e, merged, id, version, &id);
	if (rc == CRM_OK && e->after_write != NULL)
		rc = e->after_write(cx, id, cur, merged);
	if (rc == CRM_OK) {
		json_t *diff = audit_diff(cur, merged);

		/* An owner change is a transfer: its own action in the log. */
		rc = audit_append(cx, json_object_get(diff ? json_object_get(diff,
		    "changes") : NULL, "owner_id") ? "record.transfer" :
		    "record.update", e->name, id, diff);
		json_decref(diff);
	}
	/* Processes that start when one of its fields changes. */
	if (rc == CRM_OK)
		rc = prun_on_write(cx, e, id, cur, merged);
	if (rc != CRM_OK)
		goto fail;
	rc = load(cx, e, id, false, out);
fail:
	json_decref(cur);
	json_decref(merged);
	return rc;
}

/* Sets or clears deleted_at on a row in the other state. */
static int
trash_move(struct core_ctx *cx, const struct entity *e, int64_t id, bool to_trash)
{
	struct dbq q;
	db_stmt_t *st;
	int rc;

	dbq_init(&q);
	if (to_trash) {
		dbq_sql(&q, "UPDATE %s SET deleted_at = ?, updated_at = ?, "
		    "updated_by = ?, version = version + 1 WHERE id = ? AND "
		    "deleted_at IS NULL", e->name);
		dbq_int(&q, time_now_ms());
	} else {
		dbq_sql(&q, "UPDATE %s SET deleted_at = NULL, updated_at = ?, "
		    "updated_by = ?, version = version + 1 WHERE id = ? AND "
		    "deleted_at IS NOT NULL", e->name);
	}
	dbq_int(&q, time_now_ms());
	dbq_int(&q, cx->actor.user_id);
	dbq_int(&q, id);
	rc = db_prepare_q(cx->db, &q, &st);
	dbq_free(&q);
	if (rc != DB_OK)
		return db_fail(cx, "trash");
	if (cx->actor.user_id == 0)
		db_bind_null(st, to_trash ? 3 : 2);
	rc = db_step(st);
	db_done(st);
	if (rc != DB_DONE)
		return db_fail(cx, "trash step");
	if (db_changes(cx->db) != 1)
		return core_fail(cx, CRM_ENOTFOUND, "No %s with id %lld%s",
		    e->singular, (long long)id, to_trash ? "" : " in the trash");
	return e->after_trash != NULL ? e->after_trash(cx, id, to_trash) : CRM_OK;
}

int
rec_delete(struct core_ctx *cx, const struct entity *e, int64_t id)
{
	if (db_begin(cx->db) != DB_OK)
		return db_fail(cx, "begin");
	return core_txn_end(cx, rec_delete_txn(cx, e, id), NULL);
}

int
rec_delete_txn(struct core_ctx *cx, const struct entity *e, int64_t id)
{
	int rc = access_check(cx, e, ACC_DELETE, id, false);

	if (rc == CRM_OK)
		rc = trash_move(cx, e, id, true);
	if (rc == CRM_OK)
		rc = audit_append(cx, "record.delete", e->name, id, NULL);
	return rc;
}

int
rec_restore(struct core_ctx *cx, const struct entity *e, int64_t id,
    json_t **out)
{
	int rc;

	if (db_begin(cx->db) != DB_OK)
		return db_fail(cx, "begin");
	rc = access_check(cx, e, ACC_DELETE, id, true);
	if (rc == CRM_OK)
		rc = trash_move(cx, e, id, false);
	if (rc == CRM_OK)
		rc = audit_append(cx, "record.restore", e->name, id, NULL);
	if (rc == CRM_OK)
		rc = load(cx, e, id, false, out);
	if (rc == CRM_OK && db_commit(cx->db) != DB_OK) {
		json_decref(*out);
		rc = db_fail(cx, "commit");
	}
	if (rc != CRM_OK)
		db_rollback(cx->db);
	return rc;
}

/* ---- search under field rules ---- */

bool
rec_search_hidden(struct core_ctx *cx, const struct entity *e)
{
	for (size_t i = 0; i < e->nfields; i++)
		if ((e->fields[i].flags & F_SEARCH) &&
		    access_field(cx, e, e->fields[i].name) == FIELD_HIDDEN)
			return true;
	return false;
}

static char
ascii_lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static bool
contains_folded(const char *hay, size_t hlen, const char *needle, size_t nlen)
{
	for (size_t i = 0; nlen <= hlen && i <= hlen - nlen; i++) {
		size_t k = 0;

		while (k < nlen && ascii_lower(hay[i + k]) ==
		    ascii_lower(needle[k]))
			k++;
		if (k == nlen)
			return true;
	}
	return false;
}

bool
rec_matches_visible(const struct entity *e, json_t *rec,
    const char *const *words, const size_t *lens, size_t n)
{
	char *text = search_text(e, rec);
	size_t tlen = strlen(text);
	bool all = true;

	for (size_t i = 0; i < n && all; i++)
		all = contains_folded(text, tlen, words[i], lens[i]);
	free(text);
	return all;
}
