/*
 * Queues with their assignment rules, and canned responses with their
 * placeholders (see desk.h). Both tables run on the admin engine of
 * desk_admin.c; what is theirs is here: a queue's members (a side table),
 * the rule that picks one, and the server-side rendering of a response.
 */
#include "core/desk.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/access.h"
#include "core/record.h"
#include "util/buf.h"
#include "util/log.h"

#define QUEUE_MEMBERS_MAX 200
#define CANNED_BODY_MAX 20000
#define RENDER_MAX (1024 * 1024)	/* bytes of a rendered response */

static int
db_fail(struct core_ctx *cx, const char *what)
{
	log_error("database: desk %s: %s", what, db_errmsg(cx->db));
	return core_fail(cx, CRM_EDB, "The database failed; nothing was changed");
}

/* ---- queues ---- */

static bool
active_user(struct core_ctx *cx, int64_t id, int *rc)
{
	db_stmt_t *st;
	int step;

	if (db_prepare(cx->db, "SELECT 1 FROM users WHERE id = ? AND active = 1",
	    &st) != DB_OK) {
		*rc = db_fail(cx, "user");
		return false;
	}
	db_bind_int(st, 1, id);
	step = db_step(st);
	db_done(st);
	if (step != DB_ROW && step != DB_DONE)
		*rc = db_fail(cx, "user step");
	return step == DB_ROW;
}

static int
queue_check(struct core_ctx *cx, json_t *merged)
{
	const char *rule = json_string_value(json_object_get(merged, "rule"));
	json_t *members = json_object_get(merged, "members");
	json_t *map = json_object_get(merged, "category_map"), *v;
	const char *key;
	size_t i;
	int rc = CRM_OK;

	if (rule == NULL)
		json_object_set_new(merged, "rule", json_string("round_robin"));
	else if (strcmp(rule, "round_robin") != 0 &&
	    strcmp(rule, "least_loaded") != 0 && strcmp(rule, "by_category") != 0)
		verrs_add(&cx->errs, "rule", "must be round_robin, least_loaded or "
		    "by_category");
	if (members == NULL || json_is_null(members))
		json_object_set_new(merged, "members", json_array());
	else if (json_array_size(members) > QUEUE_MEMBERS_MAX)
		verrs_add(&cx->errs, "members", "holds at most %d users",
		    QUEUE_MEMBERS_MAX);
	json_array_foreach(json_object_get(merged, "members"), i, v) {
		json_t *w;
		size_t k;

		json_array_foreach(json_object_get(merged, "members"), k, w)
			if (k < i && json_equal(v, w)) {
				verrs_add(&cx->errs, "members", "names a user twice");
				return CRM_OK;
			}
		if (!json_is_integer(v) || !active_user(cx, json_integer_value(v),
		    &rc)) {
			if (rc == CRM_OK)
				verrs_add(&cx->errs, "members", "must be ids of "
				    "active users");
			return rc;
		}
	}
	if (map == NULL || json_is_null(map)) {
		json_object_set_new(merged, "category_map", json_object());
		return CRM_OK;
	}
	if (!json_is_object(map)) {
		verrs_add(&cx->errs, "category_map", "must be an object "
		    "{category: user id}");
		return CRM_OK;
	}
	json_object_foreach(map, key, v) {
		if (!json_is_integer(v) || !active_user(cx, json_integer_value(v),
		    &rc)) {
			if (rc == CRM_OK)
				verrs_add(&cx->errs, "category_map", "maps a "
				    "category to an active user's id");
			return rc;
		}
	}
	return CRM_OK;
}

static int
queue_after_write(struct core_ctx *cx, int64_t id, json_t *merged)
{
	json_t *u;
	size_t i;
	int rc = desk_exec(cx, "DELETE FROM queue_members WHERE queue_id = ?", id, 0,
	    NULL);

	json_array_foreach(json_object_get(merged, "members"), i, u) {
		if (rc != CRM_OK)
			break;
		rc = desk_exec(cx, "INSERT INTO queue_members (queue_id, user_id) "
		    "VALUES (?, ?)", id, json_integer_value(u), NULL);
	}
	return rc;
}

/* Fills a query's ids into arr: the first column of each row. */
static int
ids_into(struct core_ctx *cx, db_stmt_t *st, json_t *arr)
{
	int rc;

	while ((rc = db_step(st)) == DB_ROW)
		json_array_append_new(arr, json_integer(db_col_int(st, 0)));
	db_done(st);
	return rc == DB_DONE ? CRM_OK : db_fail(cx, "ids step");
}

static int
queue_decorate(struct core_ctx *cx, json_t *row)
{
	json_t *members = json_array();
	db_stmt_t *st;

	if (db_prepare(cx->db, "SELECT user_id FROM queue_members WHERE "
	    "queue_id = ? ORDER BY user_id", &st) != DB_OK) {
		json_decref(members);
		return db_fail(cx, "members");
	}
	db_bind_int(st, 1, json_integer_value(json_object_get(row, "id")));
	json_object_set_new(row, "members", members);
	return ids_into(cx, st, members);
}

static const struct dcol queue_cols[] = {
	{ "name", DC_TEXT, true, 120 },
	{ "rule", DC_TEXT, false, 20 },
	{ "category_map", DC_JSON, false, 0 },
	{ "members", DC_SIDE, false, 0 },
};

const struct dtable dtable_queues = {
	.table = "queues",
	.singular = "queue",
	.cols = queue_cols,
	.ncols = sizeof(queue_cols) / sizeof(*queue_cols),
	.check = queue_check,
	.after_write = queue_after_write,
	.decorate = queue_decorate,
	/* Trashed tickets too: they come back into their queue. */
	.in_use_sql = "SELECT COUNT(*) FROM queues q WHERE q.id = ? AND (EXISTS "
	    "(SELECT 1 FROM tickets t WHERE t.queue_id = q.id) OR EXISTS (SELECT "
	    "1 FROM sla_policies p WHERE p.reassign_queue_id = q.id) OR EXISTS "
	    "(SELECT 1 FROM web_forms f WHERE f.queue_id = q.id))",
	.before_delete_sql = "DELETE FROM queue_members WHERE queue_id = ?",
	.order_by = "name, id",
};

/* The first active member after the last one given a ticket, by id. */
static int
round_robin(struct core_ctx *cx, int64_t queue_id, int64_t *user)
{
	db_stmt_t *st;
	int64_t last = 0;
	int rc = desk_exec(cx, "SELECT last_user_id FROM queues WHERE id = ?",
	    queue_id, 0, &last);

	if (rc != CRM_OK)
		return rc;

	if (db_prepare(cx->db, "SELECT qm.user_id FROM queue_members qm JOIN "
	    "users u ON u.id = qm.user_id AND u.active = 1 WHERE qm.queue_id = ? "
	    "ORDER BY CASE WHEN qm.user_id > ? THEN 0 ELSE 1 END, qm.user_id "
	    "LIMIT 1", &st) != DB_OK)
		return db_fail(cx, "round robin");
	db_bind_int(st, 1, queue_id);
	db_bind_int(st, 2, last);
	rc = db_step(st);
	if (rc == DB_ROW)
		*user = db_col_int(st, 0);
	db_done(st);
	return rc == DB_ROW || rc == DB_DONE ? CRM_OK : db_fail(cx, "rr step");
}

/* The active member with the fewest tickets not resolved or closed. */
static int
least_loaded(struct core_ctx *cx, int64_t queue_id, int64_t *user)
{
	db_stmt_t *st;
	int rc;

	if (db_prepare(cx->db, "SELECT qm.user_id, (SELECT COUNT(*) FROM tickets "
	    "t WHERE t.owner_id = qm.user_id AND t.deleted_at IS NULL AND "
	    "t.status NOT IN ('resolved', 'closed')) AS n FROM queue_members qm "
	    "JOIN users u ON u.id = qm.user_id AND u.active = 1 WHERE "
	    "qm.queue_id = ? ORDER BY n, qm.user_id LIMIT 1", &st) != DB_OK)
		return db_fail(cx, "least loaded");
	db_bind_int(st, 1, queue_id);
	rc = db_step(st);
	if (rc == DB_ROW)
		*user = db_col_int(st, 0);
	db_done(st);
	return rc == DB_ROW || rc == DB_DONE ? CRM_OK : db_fail(cx, "ll step");
}

int
queue_pick(struct core_ctx *cx, int64_t queue_id, const char *category,
    int64_t *user_id)
{
	json_t *q = NULL;
	const char *rule;
	int rc = dtable_read(cx, &dtable_queues, queue_id, &q);

	*user_id = 0;
	if (rc == CRM_ENOTFOUND) {
		verrs_add(&cx->errs, "queue_id", "is not a queue");
		return core_invalid(cx);
	}
	if (rc != CRM_OK)
		return rc;
	rule = json_string_value(json_object_get(q, "rule"));
	if (strcmp(rule, "by_category") == 0 && category != NULL) {
		json_t *u = json_object_get(json_object_get(q, "category_map"),
		    category);

		if (json_is_integer(u) && active_user(cx, json_integer_value(u),
		    &rc))
			*user_id = json_integer_value(u);
	}
	if (rc == CRM_OK && *user_id == 0) {
		if (strcmp(rule, "least_loaded") == 0)
			rc = least_loaded(cx, queue_id, user_id);
		else
			rc = round_robin(cx, queue_id, user_id);
	}
	if (rc == CRM_OK && *user_id > 0)
		rc = desk_exec(cx, "UPDATE queues SET last_user_id = ? WHERE id = ?",
		    *user_id, queue_id, NULL);
	json_decref(q);
	return rc;
}

/* ---- canned responses ---- */

static const char *const placeholders[] = { "client_name", "ticket_subject",
	"ticket_number", "agent_name", NULL };

/*
 * Walks the {{name}} placeholders of body: each known one calls fn (when
 * not NULL) and the text between them goes to out (when not NULL). The
 * first unknown name goes to bad; then false.
 */
static bool
walk(const char *body, json_t *vals, struct buf *out, char *bad, size_t badlen)
{
	const char *p = body;

	for (;;) {
		const char *open = strstr(p, "{{"), *close;
		size_t n;
		bool known = false;

		if (open == NULL) {
			if (out != NULL)
				buf_puts(out, p);
			return true;
		}
		close = strstr(open + 2, "}}");
		if (out != NULL)
			buf_append(out, p, (size_t)(open - p));
		if (close == NULL) {
			snprintf(bad, badlen, "%.40s", open + 2);
			return false;
		}
		n = (size_t)(close - open - 2);
		for (size_t i = 0; placeholders[i] != NULL; i++)
			known |= strlen(placeholders[i]) == n &&
			    memcmp(placeholders[i], open + 2, n) == 0;
		if (!known) {
			snprintf(bad, badlen, "%.*s", (int)(n < 40 ? n : 40), open + 2);
			return false;
		}
		if (out != NULL) {
			char key[32];
			const char *v;

			snprintf(key, sizeof(key), "%.*s", (int)n, open + 2);
			v = json_string_value(json_object_get(vals, key));
			buf_puts(out, v != NULL ? v : "");
		}
		p = close + 2;
	}
}

bool
canned_placeholders_ok(const char *body, char *bad, size_t badlen)
{
	return walk(body, NULL, NULL, bad, badlen);
}

char *
canned_fill(const char *body, json_t *vals)
{
	struct buf out;
	char bad[64];

	buf_init(&out, RENDER_MAX);
	if (!walk(body, vals, &out, bad, sizeof(bad))) {
		buf_free(&out);
		return NULL;
	}
	return buf_steal(&out);
}

static int
canned_check(struct core_ctx *cx, json_t *merged)
{
	const char *body = json_string_value(json_object_get(merged, "body"));
	char bad[64];

	if (body != NULL && !canned_placeholders_ok(body, bad, sizeof(bad)))
		verrs_add(&cx->errs, "body", "{{%s}} is not a placeholder (%s)",
		    bad, "client_name, ticket_subject, ticket_number, agent_name");
	return CRM_OK;
}

static const struct dcol canned_cols[] = {
	{ "name", DC_TEXT, true, 120 },
	{ "body", DC_TEXT, true, CANNED_BODY_MAX },
};

const struct dtable dtable_canned = {
	.table = "canned_responses",
	.singular = "canned response",
	.cols = canned_cols,
	.ncols = sizeof(canned_cols) / sizeof(*canned_cols),
	.check = canned_check,
	.order_by = "name, id",
};

int
canned_render(struct core_ctx *cx, int64_t id, int64_t ticket_id,
    json_t **out)
{
	json_t *c = NULL, *t = NULL, *vals;
	const char *client;
	char number[32], *body;
	int rc;

	*out = NULL;
	rc = dtable_read(cx, &dtable_canned, id, &c);
	if (rc == CRM_OK)
		rc = rec_get(cx, &entity_tickets, ticket_id, false, &t);
	if (rc == CRM_ENOTFOUND && c != NULL) {
		verrs_add(&cx->errs, "ticket_id", "does not exist or is not yours "
		    "to see");
		rc = core_invalid(cx);
	}
	if (rc != CRM_OK) {
		json_decref(c);
		return rc;
	}
	/* Names the actor may not see were blanked by the read's redaction. */
	client = json_string_value(json_object_get(t, "contact_name"));
	if (client == NULL || *client == '\0')
		client = json_string_value(json_object_get(t, "company_name"));
	snprintf(number, sizeof(number), "%lld", (long long)ticket_id);
	vals = json_pack("{s:s, s:s, s:s, s:s}", "client_name",
	    client != NULL ? client : "", "ticket_subject",
	    json_string_value(json_object_get(t, "subject")) ?
	    json_string_value(json_object_get(t, "subject")) : "",
	    "ticket_number", number, "agent_name", cx->actor.name);
	body = canned_fill(json_string_value(json_object_get(c, "body")), vals);
	if (body == NULL) {
		rc = core_fail(cx, CRM_EINVAL, "The canned response holds an "
		    "unknown placeholder");
	} else {
		*out = json_pack("{s:s}", "body", body);
		free(body);
	}
	json_decref(vals);
	json_decref(c);
	json_decref(t);
	return rc;
}
