/*
 * Personal absences (see absences.h). Days are kept as "YYYY-MM-DD" text:
 * with four-digit years their text order is their date order, so overlap
 * and range tests are plain comparisons in SQL on both databases.
 */
#include "core/absences.h"

#include <stdio.h>
#include <string.h>

#include "core/audit.h"
#include "core/org.h"
#include "util/log.h"
#include "util/timeutil.h"

static const char *const kinds[] = { "vacation", "sick", "other" };

static int
db_fail(struct core_ctx *cx, const char *what)
{
	log_error("database: absences %s: %s", what, db_errmsg(cx->db));
	return core_fail(cx, CRM_EDB, "The database failed; nothing was changed");
}

/* A date "YYYY-MM-DD" that is a real day, into *days when not NULL. */
static bool
good_day(json_t *v, int64_t *days)
{
	int64_t d;

	if (!json_is_string(v) || json_string_length(v) != 10 ||
	    time_parse_date(json_string_value(v), 10, &d) != 0)
		return false;
	if (days != NULL)
		*days = d;
	return true;
}

/*
 * May the actor see user_id's absences? An administrator, the person, or
 * a head of their department or one above it; anyone else is told there
 * is no such user, as for a missing one.
 */
static int
may_read(struct core_ctx *cx, int64_t user_id)
{
	bool found = false;
	int rc = core_probe(cx, "absences: user", "SELECT 1 FROM users WHERE "
	    "id = ?", &user_id, 1, &found);

	if (rc == CRM_OK && found && !cx->actor.is_admin &&
	    cx->actor.user_id != 0 && cx->actor.user_id != user_id)
		rc = org_heads_user(cx, user_id, &found);
	if (rc == CRM_OK && !found)
		rc = core_fail(cx, CRM_ENOTFOUND, "No user with id %lld",
		    (long long)user_id);
	return rc;
}

static json_t *
time_json(int64_t ms)
{
	char t[TIME_RFC3339_LEN];

	time_format(ms, t, sizeof(t));
	return json_string(t);
}

/*
 * Absences of user_id: one (id > 0) as the object, or all overlapping
 * [from, to] (either NULL: open) as {"data": [...]}.
 */
static int
query(struct core_ctx *cx, int64_t user_id, int64_t id, const char *from,
    const char *to, json_t **out)
{
	struct dbq q;
	db_stmt_t *st;
	json_t *arr = json_array();
	int rc;

	*out = NULL;
	dbq_init(&q);
	dbq_sql(&q, "SELECT id, user_id, from_day, to_day, kind, note, "
	    "created_at, updated_at FROM user_absences WHERE user_id = ?");
	dbq_int(&q, user_id);
	if (id > 0) {
		dbq_sql(&q, " AND id = ?");
		dbq_int(&q, id);
	}
	if (from != NULL) {
		dbq_sql(&q, " AND to_day >= ?");
		dbq_text(&q, from, strlen(from));
	}
	if (to != NULL) {
		dbq_sql(&q, " AND from_day <= ?");
		dbq_text(&q, to, strlen(to));
	}
	dbq_sql(&q, " ORDER BY from_day, id LIMIT %d", ABSENCE_LIST_MAX);
	rc = db_prepare_q(cx->db, &q, &st);
	dbq_free(&q);
	if (rc != DB_OK) {
		json_decref(arr);
		return db_fail(cx, "list");
	}
	while ((rc = db_step(st)) == DB_ROW)
		json_array_append_new(arr, json_pack("{s:I, s:I, s:s, s:s, s:s, "
		    "s:o, s:o, s:o}",
		    "id", (json_int_t)db_col_int(st, 0),
		    "user_id", (json_int_t)db_col_int(st, 1),
		    "from", db_col_text(st, 2, NULL),
		    "to", db_col_text(st, 3, NULL),
		    "kind", db_col_text(st, 4, NULL),
		    "note", db_col_null(st, 5) ? json_null() :
		    json_string(db_col_text(st, 5, NULL)),
		    "created_at", time_json(db_col_int(st, 6)),
		    "updated_at", time_json(db_col_int(st, 7))));
	db_done(st);
	rc = rc == DB_DONE ? CRM_OK : db_fail(cx, "list step");
	if (rc == CRM_OK && id > 0 && json_array_size(arr) == 0)
		rc = core_fail(cx, CRM_ENOTFOUND, "No absence with id %lld for this "
		    "user", (long long)id);
	if (rc != CRM_OK) {
		json_decref(arr);
		return rc;
	}
	*out = id > 0 ? json_incref(json_array_get(arr, 0)) :
	    json_pack("{s:O}", "data", arr);
	json_decref(arr);
	return CRM_OK;
}

int
absence_list(struct core_ctx *cx, int64_t user_id, const char *from,
    const char *to, json_t **out)
{
	json_t *f = from ? json_string(from) : NULL, *t = to ? json_string(to) : NULL;
	int rc;

	*out = NULL;
	if (f != NULL && !good_day(f, NULL))
		verrs_add(&cx->errs, "from", "must be a date, YYYY-MM-DD");
	if (t != NULL && !good_day(t, NULL))
		verrs_add(&cx->errs, "to", "must be a date, YYYY-MM-DD");
	json_decref(f);
	json_decref(t);
	if (cx->errs.n > 0)
		return core_invalid(cx);
	rc = may_read(cx, user_id);
	return rc == CRM_OK ? query(cx, user_id, 0, from, to, out) : rc;
}

/*
 * Checks a body against cur (NULL on create) and fills the merged row into
 * m: from, to, kind and note (JSON borrowed from in or cur).
 */
struct merged {
	json_t	*from;
	json_t	*to;
	json_t	*kind;
	json_t	*note;
};

static void
check(struct core_ctx *cx, json_t *in, json_t *cur, struct merged *m)
{
	static const char *const names[] = { "from", "to", "kind", "note" };
	json_t **slot[] = { &m->from, &m->to, &m->kind, &m->note };
	int64_t a = 0, b = 0;
	const char *key;
	json_t *v;

	json_object_foreach(in, key, v) {
		bool known = false;

		for (size_t i = 0; i < 4; i++)
			known |= strcmp(key, names[i]) == 0;
		if (!known)
			verrs_add(&cx->errs, key, "is not a field of an absence");
	}
	for (size_t i = 0; i < 4; i++) {
		*slot[i] = json_object_get(in, names[i]);
		if (*slot[i] == NULL)
			*slot[i] = json_object_get(cur, names[i]);
	}
	if (!good_day(m->from, &a))
		verrs_add(&cx->errs, "from", "must be a date, YYYY-MM-DD");
	if (!good_day(m->to, &b))
		verrs_add(&cx->errs, "to", "must be a date, YYYY-MM-DD");
	else if (good_day(m->from, NULL) && b < a)
		verrs_add(&cx->errs, "to", "is before from");
	else if (good_day(m->from, NULL) && b - a >= ABSENCE_DAYS_MAX)
		verrs_add(&cx->errs, "to", "an absence is at most %d days; enter a "
		    "longer one as several", ABSENCE_DAYS_MAX);
	if (!json_is_string(m->kind) || (strcmp(json_string_value(m->kind),
	    kinds[0]) != 0 && strcmp(json_string_value(m->kind), kinds[1]) != 0 &&
	    strcmp(json_string_value(m->kind), kinds[2]) != 0))
		verrs_add(&cx->errs, "kind", "must be vacation, sick or other");
	if (m->note != NULL && !json_is_null(m->note) &&
	    !core_text_ok(m->note, ABSENCE_NOTE_MAX))
		verrs_add(&cx->errs, "note", "must be 1 to %d characters, or null",
		    ABSENCE_NOTE_MAX);
}

/* Adds an error when [from, to] overlaps another absence of user_id. */
static int
check_overlap(struct core_ctx *cx, int64_t user_id, int64_t id,
    const struct merged *m)
{
	db_stmt_t *st;
	int rc;

	if (db_prepare(cx->db, "SELECT from_day, to_day FROM user_absences WHERE "
	    "user_id = ? AND id <> ? AND from_day <= ? AND to_day >= ? ORDER BY "
	    "from_day LIMIT 1", &st) != DB_OK)
		return db_fail(cx, "overlap");
	db_bind_int(st, 1, user_id);
	db_bind_int(st, 2, id);
	db_bind_text(st, 3, json_string_value(m->to), json_string_length(m->to));
	db_bind_text(st, 4, json_string_value(m->from),
	    json_string_length(m->from));
	rc = db_step(st);
	if (rc == DB_ROW)
		verrs_add(&cx->errs, "from", "overlaps the absence from %.10s to "
		    "%.10s", db_col_text(st, 0, NULL), db_col_text(st, 1, NULL));
	db_done(st);
	return rc == DB_ROW || rc == DB_DONE ? CRM_OK : db_fail(cx, "overlap step");
}

/* Inserts (*id 0) or rewrites absence *id of user_id as m says. */
static int
write_row(struct core_ctx *cx, int64_t user_id, int64_t *id,
    const struct merged *m)
{
	int64_t now = time_now_ms();
	db_stmt_t *st;
	int rc;

	if (db_prepare(cx->db, *id == 0 ? "INSERT INTO user_absences (from_day, "
	    "to_day, kind, note, updated_at, updated_by, user_id, created_at, "
	    "created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id" :
	    "UPDATE user_absences SET from_day = ?, to_day = ?, kind = ?, note = "
	    "?, updated_at = ?, updated_by = ? WHERE user_id = ? AND id = ?",
	    &st) != DB_OK)
		return db_fail(cx, "write");
	db_bind_text(st, 1, json_string_value(m->from), json_string_length(m->from));
	db_bind_text(st, 2, json_string_value(m->to), json_string_length(m->to));
	db_bind_text(st, 3, json_string_value(m->kind), json_string_length(m->kind));
	if (json_is_string(m->note))
		db_bind_text(st, 4, json_string_value(m->note),
		    json_string_length(m->note));
	else
		db_bind_null(st, 4);
	db_bind_int(st, 5, now);
	core_bind_actor(cx, st, 6);
	db_bind_int(st, 7, user_id);
	if (*id == 0) {
		db_bind_int(st, 8, now);
		core_bind_actor(cx, st, 9);
	} else {
		db_bind_int(st, 8, *id);
	}
	rc = db_step(st);
	if (*id == 0 && rc == DB_ROW)
		*id = db_col_int(st, 0);
	db_done(st);
	return rc == DB_ROW || rc == DB_DONE ? CRM_OK : db_fail(cx, "write step");
}

/*
 * The start of a change: an administrator, a transaction, the user (and
 * with id > 0 the absence, as stored, in *cur). On failure nothing is open.
 */
static int
begin_change(struct core_ctx *cx, int64_t user_id, int64_t id, json_t **cur)
{
	int rc = core_admin_only(cx, "record absences");

	*cur = NULL;
	if (rc != CRM_OK)
		return rc;
	if (db_begin(cx->db) != DB_OK)
		return db_fail(cx, "begin");
	rc = may_read(cx, user_id);
	if (rc == CRM_OK && id > 0)
		rc = query(cx, user_id, id, NULL, NULL, cur);
	return rc == CRM_OK ? rc : core_txn_end(cx, rc, NULL);
}

/* Checks, writes and audits one absence (create: id 0); ends the transaction. */
static int
save(struct core_ctx *cx, int64_t user_id, int64_t id, json_t *in,
    json_t *cur, json_t **out)
{
	struct merged m;
	int rc;

	check(cx, in, cur, &m);
	rc = cx->errs.n == 0 ? check_overlap(cx, user_id, id, &m) : CRM_OK;
	if (rc == CRM_OK && (cx->errs.n > 0 || cx->errs.dropped > 0))
		rc = core_invalid(cx);
	if (rc == CRM_OK)
		rc = write_row(cx, user_id, &id, &m);
	if (rc == CRM_OK)
		rc = audit_append(cx, cur ? "user.absence_changed" :
		    "user.absence_created", "users", user_id, in);
	if (rc == CRM_OK)
		rc = query(cx, user_id, id, NULL, NULL, out);
	return core_txn_end(cx, rc, out);
}

int
absence_create(struct core_ctx *cx, int64_t user_id, json_t *in, json_t **out)
{
	json_t *cur = NULL;
	int rc = begin_change(cx, user_id, 0, &cur);

	*out = NULL;
	return rc == CRM_OK ? save(cx, user_id, 0, in, NULL, out) : rc;
}

int
absence_update(struct core_ctx *cx, int64_t user_id, int64_t id, json_t *in,
    json_t **out)
{
	json_t *cur = NULL;
	int rc = begin_change(cx, user_id, id, &cur);

	*out = NULL;
	if (rc != CRM_OK)
		return rc;
	rc = save(cx, user_id, id, in, cur, out);
	json_decref(cur);
	return rc;
}

int
absence_delete(struct core_ctx *cx, int64_t user_id, int64_t id)
{
	json_t *cur = NULL;
	int64_t v[2] = { user_id, id };
	bool found;
	int rc = begin_change(cx, user_id, id, &cur);

	if (rc != CRM_OK)
		return rc;
	rc = core_probe(cx, "absences: delete", "DELETE FROM user_absences "
	    "WHERE user_id = ? AND id = ?", v, 2, &found);
	if (rc == CRM_OK)
		rc = audit_append(cx, "user.absence_deleted", "users", user_id, cur);
	json_decref(cur);
	return core_txn_end(cx, rc, NULL);
}
