/*
 * Custom field definitions and the checking of their values.
 *
 * Definitions are read from the database on each check: they are few, the
 * statement is cached, and an admin's change takes effect on the next
 * request of every worker without any cache to invalidate.
 */
#include "core/audit.h"
#include "core/customfields.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/record.h"
#include "util/alloc.h"
#include "util/log.h"
#include "util/text.h"
#include "util/timeutil.h"

#define CF_MAX_PER_ENTITY 200
#define CF_MAX_OPTIONS 200
#define CF_NAME_MAX 40

static const char *const cf_types[] = {
	"text", "long_text", "integer", "decimal", "money", "percent", "date",
	"datetime", "email", "phone", "url", "choice", "multichoice", "boolean",
};

static bool
known_type(const char *t)
{
	for (size_t i = 0; i < sizeof(cf_types) / sizeof(*cf_types); i++)
		if (strcmp(cf_types[i], t) == 0)
			return true;
	return false;
}

static int
db_fail(struct core_ctx *cx, const char *what)
{
	log_error("database: custom fields: %s: %s", what, db_errmsg(cx->db));
	return core_fail(cx, CRM_EDB, "The database failed; nothing was changed");
}

static json_t *
def_from_row(db_stmt_t *st)
{
	size_t olen;
	const char *opts = db_col_text(st, 6, &olen);
	json_t *options = json_loadb(opts, olen, 0, NULL);

	return json_pack("{s:I, s:s, s:s, s:s, s:s, s:b, s:o, s:I}",
	    "id", (json_int_t)db_col_int(st, 0),
	    "entity", db_col_text(st, 1, NULL),
	    "name", db_col_text(st, 2, NULL),
	    "label", db_col_text(st, 3, NULL),
	    "type", db_col_text(st, 4, NULL),
	    "required", (int)db_col_int(st, 5),
	    "options", options ? options : json_array(),
	    "position", (json_int_t)db_col_int(st, 7));
}

#define DEF_COLS "id, entity, name, label, type, required, options, position"

/*
 * All definitions of entity as a JSON array (new reference) in *out. With
 * keep, they are read once per transaction (core_memo, struct memo_list)
 * and *out may be the kept array: the caller must not change it.
 */
static int
load_defs(struct core_ctx *cx, const char *entity, bool keep, json_t **out)
{
	db_stmt_t *st;
	json_t *arr;
	int rc;

	*out = keep ? core_memo_get(cx, &core_memo(cx)->defs, entity) : NULL;
	if (*out != NULL)
		return CRM_OK;
	if (db_prepare(cx->db, "SELECT " DEF_COLS " FROM custom_fields WHERE "
	    "entity = ? ORDER BY position, id", &st) != DB_OK)
		return db_fail(cx, "list");
	db_bind_text(st, 1, entity, strlen(entity));
	arr = json_array();
	while ((rc = db_step(st)) == DB_ROW)
		json_array_append_new(arr, def_from_row(st));
	db_done(st);
	if (rc != DB_DONE) {
		json_decref(arr);
		return db_fail(cx, "list step");
	}
	if (keep)
		core_memo_put(cx, &core_memo(cx)->defs, entity, arr);
	*out = arr;
	return CRM_OK;
}

int
cf_list(struct core_ctx *cx, const char *entity, json_t **out)
{
	json_t *defs;
	int rc;

	if (entity_find(entity) == NULL)
		return core_fail(cx, CRM_EBADQUERY, "entity: must be one of "
		    "companies, contacts, deals");
	rc = load_defs(cx, entity, false, &defs);
	if (rc != CRM_OK)
		return rc;
	*out = json_pack("{s:o}", "data", defs);
	return CRM_OK;
}

static bool
in_options(json_t *options, json_t *v)
{
	size_t i;
	json_t *o;

	json_array_foreach(options, i, o)
		if (json_equal(o, v))
			return true;
	return false;
}

/* One value against its definition; errors named custom.NAME. */
static void
check_value(struct core_ctx *cx, json_t *def, json_t *v)
{
	const char *type = json_string_value(json_object_get(def, "type"));
	json_t *options = json_object_get(def, "options");
	const char *s = json_string_value(v);
	size_t len = json_string_length(v);
	char field[96];
	int64_t tmp;

	snprintf(field, sizeof(field), "custom.%s",
	    json_string_value(json_object_get(def, "name")));
	if (strcmp(type, "integer") == 0) {
		if (!json_is_integer(v))
			verrs_add(&cx->errs, field, "must be a whole number");
	} else if (strcmp(type, "boolean") == 0) {
		if (!json_is_boolean(v))
			verrs_add(&cx->errs, field, "must be true or false");
	} else if (strcmp(type, "money") == 0) {
		json_t *amount = json_object_get(v, "amount");
		json_t *cur = json_object_get(v, "currency");

		if (!json_is_object(v) || json_object_size(v) != 2 ||
		    !json_is_integer(amount) || !json_is_string(cur) ||
		    !text_is_currency(json_string_value(cur), json_string_length(cur)))
			verrs_add(&cx->errs, field, "must be {\"amount\": minor units "
			    "as a whole number, \"currency\": a 3-letter code}");
	} else if (strcmp(type, "multichoice") == 0) {
		size_t i, k;
		json_t *item, *other;
		bool ok = json_is_array(v);

		json_array_foreach(v, i, item) {
			ok &= in_options(options, item);
			json_array_foreach(v, k, other)
				ok &= k >= i || !json_equal(item, other);
		}
		if (!ok)
			verrs_add(&cx->errs, field, "must be a list of distinct "
			    "choices from the field's options");
	} else if (!json_is_string(v)) {
		verrs_add(&cx->errs, field, "must be a string");
	} else if (!text_utf8_valid(s, len)) {
		verrs_add(&cx->errs, field, "must be text without NUL bytes");
	} else if (strcmp(type, "text") == 0) {
		if (text_utf8_count(s, len) > 1000)
			verrs_add(&cx->errs, field, "must be at most 1000 characters");
	} else if (strcmp(type, "long_text") == 0) {
		if (text_utf8_count(s, len) > 100000)
			verrs_add(&cx->errs, field, "must be at most 100000 characters");
	} else if (strcmp(type, "decimal") == 0 || strcmp(type, "percent") == 0) {
		if (!text_is_decimal(s, len))
			verrs_add(&cx->errs, field, "must be a decimal number written "
			    "as a string, like \"12.50\"");
	} else if (strcmp(type, "date") == 0) {
		if (time_parse_date(s, len, &tmp) != 0)
			verrs_add(&cx->errs, field, "is not a date (YYYY-MM-DD)");
	} else if (strcmp(type, "datetime") == 0) {
		if (time_parse_datetime(s, len, &tmp) != 0)
			verrs_add(&cx->errs, field, "is not a date and time "
			    "(2026-11-26T17:20:00Z)");
	} else if (strcmp(type, "email") == 0) {
		if (!text_is_email(s, len))
			verrs_add(&cx->errs, field, "is not an email address");
	} else if (strcmp(type, "phone") == 0) {
		if (!text_is_phone(s, len))
			verrs_add(&cx->errs, field, "is not a phone number");
	} else if (strcmp(type, "url") == 0) {
		if (!text_is_url(s, len))
			verrs_add(&cx->errs, field, "is not a URL (http:// or https://)");
	} else if (strcmp(type, "choice") == 0) {
		if (!in_options(options, v))
			verrs_add(&cx->errs, field, "must be one of the field's options");
	}
}

static json_t *
def_named(json_t *defs, const char *name)
{
	size_t i;
	json_t *d;

	json_array_foreach(defs, i, d)
		if (strcmp(json_string_value(json_object_get(d, "name")), name) == 0)
			return d;
	return NULL;
}

/* Nothing, null, blank text or an empty list: not a value for "required". */
static bool
is_empty(json_t *v)
{
	if (v == NULL || json_is_null(v))
		return true;
	if (json_is_array(v))
		return json_array_size(v) == 0;
	if (json_is_string(v)) {
		for (const char *s = json_string_value(v); *s; s++)
			if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
				return false;
		return true;
	}
	return false;
}

int
cf_check_values(struct core_ctx *cx, const char *entity, json_t *in,
    json_t *merged)
{
	json_t *defs, *d, *v;
	const char *key;
	size_t i;
	char field[96];
	int rc;

	rc = load_defs(cx, entity, true, &defs);
	if (rc != CRM_OK)
		return rc;
	if (in != NULL) {
		json_object_foreach(in, key, v) {
			d = def_named(defs, key);
			snprintf(field, sizeof(field), "custom.%.80s", key);
			if (d == NULL)
				verrs_add(&cx->errs, field, "is not a custom field of %s",
				    entity);
			else if (!json_is_null(v))
				check_value(cx, d, v);
		}
	}
	json_array_foreach(defs, i, d) {
		const char *name = json_string_value(json_object_get(d, "name"));

		v = json_object_get(merged, name);
		if (json_is_true(json_object_get(d, "required")) && is_empty(v)) {
			snprintf(field, sizeof(field), "custom.%s", name);
			verrs_add(&cx->errs, field, "is required");
		}
	}
	json_decref(defs);
	return CRM_OK;
}

/* ---- definitions ---- */

static void
check_options(struct core_ctx *cx, json_t *opts)
{
	size_t i;
	json_t *o;

	if (!json_is_array(opts) || json_array_size(opts) > CF_MAX_OPTIONS) {
		verrs_add(&cx->errs, "options", "must be a list of at most %d "
		    "strings", CF_MAX_OPTIONS);
		return;
	}
	json_array_foreach(opts, i, o) {
		char f[32];
		size_t k;
		json_t *other;
		bool dup = false;

		snprintf(f, sizeof(f), "options[%zu]", i);
		json_array_foreach(opts, k, other)
			dup |= k < i && json_equal(o, other);
		if (!json_is_string(o) || json_string_length(o) == 0 ||
		    json_string_length(o) > 200 ||
		    !text_utf8_valid(json_string_value(o), json_string_length(o)) ||
		    !text_is_printable(json_string_value(o), json_string_length(o)))
			verrs_add(&cx->errs, f, "must be a string of 1 to 200 bytes");
		else if (dup)
			verrs_add(&cx->errs, f, "repeats an earlier option");
	}
}

/* Checks the keys a definition may carry; create requires the identity. */
static void
check_def(struct core_ctx *cx, json_t *in, bool create)
{
	const char *key;
	json_t *v;

	json_object_foreach(in, key, v) {
		if (strcmp(key, "label") == 0) {
			if (!json_is_string(v) || json_string_length(v) == 0 ||
			    json_string_length(v) > 200 ||
			    !text_utf8_valid(json_string_value(v), json_string_length(v)))
				verrs_add(&cx->errs, key, "must be 1 to 200 bytes of text");
		} else if (strcmp(key, "required") == 0) {
			if (!json_is_boolean(v))
				verrs_add(&cx->errs, key, "must be true or false");
		} else if (strcmp(key, "options") == 0) {
			check_options(cx, v);
		} else if (strcmp(key, "position") == 0) {
			if (!json_is_integer(v) || json_integer_value(v) < 0 ||
			    json_integer_value(v) > 100000)
				verrs_add(&cx->errs, key, "must be a whole number from 0");
		} else if (create && strcmp(key, "entity") == 0) {
			if (!json_is_string(v) || entity_find(json_string_value(v)) == NULL)
				verrs_add(&cx->errs, key, "must be companies, "
				    "contacts or deals");
		} else if (create && strcmp(key, "name") == 0) {
			if (!json_is_string(v) || !text_is_ident(json_string_value(v),
			    json_string_length(v), CF_NAME_MAX))
				verrs_add(&cx->errs, key, "must be 1 to 40 of a-z, 0-9 "
				    "and _, starting with a letter");
		} else if (create && strcmp(key, "type") == 0) {
			if (!json_is_string(v) || !known_type(json_string_value(v)))
				verrs_add(&cx->errs, key, "must be one of text, long_text, "
				    "integer, decimal, money, percent, date, datetime, "
				    "email, phone, url, choice, multichoice, boolean");
		} else if (!create && (strcmp(key, "entity") == 0 ||
		    strcmp(key, "name") == 0 || strcmp(key, "type") == 0)) {
			verrs_add(&cx->errs, key, "cannot change; delete the field and "
			    "add a new one");
		} else {
			verrs_add(&cx->errs, key, "is not a property of a custom field");
		}
	}
	if (create) {
		static const char *const need[] = { "entity", "name", "label", "type" };

		for (size_t i = 0; i < 4; i++)
			if (json_object_get(in, need[i]) == NULL)
				verrs_add(&cx->errs, need[i], "is required");
	}
}

static int
load_def(struct core_ctx *cx, int64_t id, json_t **out)
{
	db_stmt_t *st;
	int rc;

	if (db_prepare(cx->db, "SELECT " DEF_COLS " FROM custom_fields WHERE "
	    "id = ?", &st) != DB_OK)
		return db_fail(cx, "get");
	db_bind_int(st, 1, id);
	rc = db_step(st);
	if (rc == DB_ROW)
		*out = def_from_row(st);
	db_done(st);
	if (rc == DB_DONE)
		return core_fail(cx, CRM_ENOTFOUND, "No custom field with id %lld",
		    (long long)id);
	return rc == DB_ROW ? CRM_OK : db_fail(cx, "get step");
}

static bool
needs_options(const char *type)
{
	return strcmp(type, "choice") == 0 || strcmp(type, "multichoice") == 0;
}

int
cf_create(struct core_ctx *cx, json_t *in, json_t **out)
{
	db_stmt_t *st;
	json_t *opts;
	char *optstr;
	const char *type;
	int64_t now = time_now_ms(), id = 0;
	int rc;

	/* The definitions this transaction kept are about to change. */
	core_memo(cx)->defs.txn = 0;

	if (!cx->actor.is_admin)
		return core_fail(cx, CRM_EFORBIDDEN, "Only an administrator can "
		    "define custom fields");
	check_def(cx, in, true);
	if (cx->errs.n > 0)
		return core_invalid(cx);
	type = json_string_value(json_object_get(in, "type"));
	opts = json_object_get(in, "options");
	if (needs_options(type) && json_array_size(opts) == 0) {
		verrs_add(&cx->errs, "options", "a %s field needs at least one "
		    "option", type);
		return core_invalid(cx);
	}
	if (db_prepare(cx->db, "INSERT INTO custom_fields (entity, name, label, "
	    "type, required, options, position, created_at, updated_at) VALUES "
	    "(?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id", &st) != DB_OK)
		return db_fail(cx, "create");
	db_bind_text(st, 1, json_string_value(json_object_get(in, "entity")),
	    json_string_length(json_object_get(in, "entity")));
	db_bind_text(st, 2, json_string_value(json_object_get(in, "name")),
	    json_string_length(json_object_get(in, "name")));
	db_bind_text(st, 3, json_string_value(json_object_get(in, "label")),
	    json_string_length(json_object_get(in, "label")));
	db_bind_text(st, 4, type, strlen(type));
	db_bind_int(st, 5, json_is_true(json_object_get(in, "required")));
	optstr = opts != NULL ? json_dumps(opts, JSON_COMPACT) : strdup("[]");
	if (optstr == NULL) {
		db_done(st);
		return core_fail(cx, CRM_EDB, "Out of memory");
	}
	db_bind_text(st, 6, optstr, strlen(optstr));
	free(optstr);
	db_bind_int(st, 7, json_integer_value(json_object_get(in, "position")));
	db_bind_int(st, 8, now);
	db_bind_int(st, 9, now);
	rc = db_step(st);
	if (rc == DB_ROW)
		id = db_col_int(st, 0);
	db_done(st);
	if (rc == DB_ECONSTRAINT) {
		verrs_add(&cx->errs, "name", "is already used by another field "
		    "of %s", json_string_value(json_object_get(in, "entity")));
		return core_invalid(cx);
	}
	if (rc != DB_ROW)
		return db_fail(cx, "create step");
	rc = audit_append(cx, "setting.custom_field_created", "custom_fields", id,
	    in);
	return rc == CRM_OK ? load_def(cx, id, out) : rc;
}

int
cf_update(struct core_ctx *cx, int64_t id, json_t *patch, json_t **out)
{
	json_t *cur, *v;
	db_stmt_t *st;
	char *optstr;
	int rc;

	/* The definitions this transaction kept are about to change. */
	core_memo(cx)->defs.txn = 0;

	if (!cx->actor.is_admin)
		return core_fail(cx, CRM_EFORBIDDEN, "Only an administrator can "
		    "change custom fields");
	rc = load_def(cx, id, &cur);
	if (rc != CRM_OK)
		return rc;
	check_def(cx, patch, false);
	if (cx->errs.n > 0) {
		json_decref(cur);
		return core_invalid(cx);
	}
	json_object_update_existing(cur, patch);
	v = json_object_get(cur, "options");
	if (needs_options(json_string_value(json_object_get(cur, "type"))) &&
	    json_array_size(v) == 0) {
		json_decref(cur);
		verrs_add(&cx->errs, "options", "a choice field needs at least one "
		    "option");
		return core_invalid(cx);
	}
	if (db_prepare(cx->db, "UPDATE custom_fields SET label = ?, required = ?, "
	    "options = ?, position = ?, updated_at = ? WHERE id = ?", &st) != DB_OK) {
		json_decref(cur);
		return db_fail(cx, "update");
	}
	db_bind_text(st, 1, json_string_value(json_object_get(cur, "label")),
	    json_string_length(json_object_get(cur, "label")));
	db_bind_int(st, 2, json_is_true(json_object_get(cur, "required")));
	optstr = json_dumps(v, JSON_COMPACT);
	db_bind_text(st, 3, optstr, strlen(optstr));
	free(optstr);
	db_bind_int(st, 4, json_integer_value(json_object_get(cur, "position")));
	db_bind_int(st, 5, time_now_ms());
	db_bind_int(st, 6, id);
	rc = db_step(st);
	db_done(st);
	json_decref(cur);
	if (rc != DB_DONE)
		return db_fail(cx, "update step");
	rc = audit_append(cx, "setting.custom_field_changed", "custom_fields", id,
	    patch);
	return rc == CRM_OK ? load_def(cx, id, out) : rc;
}

/* Removes the field's values from every record of its entity. */
static int
drop_values(struct core_ctx *cx, const char *entity, const char *name)
{
	const struct entity *e = entity_find(entity);
	char sql[160], pattern[64];
	json_t *hits = json_array(), *h;
	db_stmt_t *st;
	size_t i, clen;
	int rc;

	if (e == NULL) {
		json_decref(hits);
		return CRM_OK;
	}
	/* LIKE narrows the scan ('_' may match more; the JSON decides). */
	snprintf(pattern, sizeof(pattern), "%%\"%s\"%%", name);
	snprintf(sql, sizeof(sql), "SELECT id, custom FROM %s WHERE custom LIKE ?",
	    e->name);
	if (db_prepare(cx->db, sql, &st) != DB_OK) {
		json_decref(hits);
		return db_fail(cx, "values");
	}
	db_bind_text(st, 1, pattern, strlen(pattern));
	while ((rc = db_step(st)) == DB_ROW) {
		const char *c = db_col_text(st, 1, &clen);
		json_t *custom = json_loadb(c, clen, 0, NULL);

		if (json_object_get(custom, name) != NULL) {
			json_object_del(custom, name);
			json_array_append_new(hits, json_pack("{s:I, s:o}", "id",
			    (json_int_t)db_col_int(st, 0), "custom", custom));
		} else {
			json_decref(custom);
		}
	}
	db_done(st);
	if (rc != DB_DONE) {
		json_decref(hits);
		return db_fail(cx, "values step");
	}
	snprintf(sql, sizeof(sql), "UPDATE %s SET custom = ? WHERE id = ?", e->name);
	json_array_foreach(hits, i, h) {
		char *text = json_dumps(json_object_get(h, "custom"), JSON_COMPACT);

		if (text == NULL || db_prepare(cx->db, sql, &st) != DB_OK) {
			free(text);
			json_decref(hits);
			return db_fail(cx, "values update");
		}
		db_bind_text(st, 1, text, strlen(text));
		db_bind_int(st, 2, json_integer_value(json_object_get(h, "id")));
		free(text);
		rc = db_step(st);
		db_done(st);
		if (rc != DB_DONE) {
			json_decref(hits);
			return db_fail(cx, "values update step");
		}
	}
	json_decref(hits);
	return CRM_OK;
}

int
cf_delete(struct core_ctx *cx, int64_t id)
{
	json_t *def;
	db_stmt_t *st;
	int rc;

	/* The definitions this transaction kept are about to change. */
	core_memo(cx)->defs.txn = 0;

	if (!cx->actor.is_admin)
		return core_fail(cx, CRM_EFORBIDDEN, "Only an administrator can "
		    "delete custom fields");
	if (db_begin(cx->db) != DB_OK)
		return db_fail(cx, "delete begin");
	rc = load_def(cx, id, &def);
	if (rc != CRM_OK) {
		db_rollback(cx->db);
		return rc;
	}
	rc = drop_values(cx, json_string_value(json_object_get(def, "entity")),
	    json_string_value(json_object_get(def, "name")));
	json_decref(def);
	if (rc == CRM_OK && db_prepare(cx->db, "DELETE FROM custom_fields WHERE "
	    "id = ?", &st) != DB_OK)
		rc = db_fail(cx, "delete");
	if (rc == CRM_OK) {
		db_bind_int(st, 1, id);
		rc = db_step(st) == DB_DONE ? CRM_OK : db_fail(cx, "delete step");
		db_done(st);
	}
	if (rc == CRM_OK)
		rc = audit_append(cx, "setting.custom_field_deleted",
		    "custom_fields", id, NULL);
	if (rc == CRM_OK && db_commit(cx->db) != DB_OK)
		rc = db_fail(cx, "delete commit");
	if (rc != CRM_OK)
		db_rollback(cx->db);
	return rc;
}
