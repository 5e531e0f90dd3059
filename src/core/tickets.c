/*
 * Tickets: the record engine's entity_tickets, its workflow, the client
 * found by email or phone, links to deals and tasks, and the hooks that
 * keep the SLA (core/sla.h) and the queue assignment (core/desk.h) in the
 * ticket's own write transaction. Messages and merging are at the end;
 * tickets.h is the contract.
 */
#include "core/tickets.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/access.h"
#include "core/activities.h"
#include "core/audit.h"
#include "core/desk.h"
#include "core/desk_mail.h"
#include "core/notify.h"
#include "core/sla.h"
#include "core/webform.h"
#include "util/log.h"
#include "util/text.h"
#include "util/timeutil.h"

/* A received_at this far ahead of the server's clock is a mistake. */
#define RECEIVED_SKEW_MS (5 * 60000)
#define EMAIL_QUERY_MAX 200	/* bytes of a list's q (core/list.c) */

static const struct field ticket_fields[] = {
	{ "subject", FK_TEXT, F_REQUIRED | F_SORT | F_SEARCH | F_EMPTY, 500, NULL },
	{ "description", FK_LONGTEXT, 0, TICKET_BODY_MAX, NULL },
	{ "channel", FK_TEXT, F_FILTER | F_FIXED, 10, NULL },
	{ "category", FK_TEXT, F_FILTER, 100, NULL },
	{ "priority", FK_TEXT, F_SORT | F_FILTER, 10, NULL },
	{ "status", FK_TEXT, F_SORT | F_FILTER, 10, NULL },
	{ "queue_id", FK_REF, F_FILTER, 0, NULL },
	{ "company_id", FK_COMPANY, F_FILTER, 0, NULL },
	{ "contact_id", FK_CONTACT, F_FILTER, 0, NULL },
	{ "email", FK_TEXT, F_SEARCH, 254, NULL },
	{ "phone", FK_TEXT, F_SEARCH, 50, NULL },
	{ "links", FK_JSON, 0, 0, NULL },
	{ "received_at", FK_TIME, F_FILTER | F_FIXED, 0, NULL },
	{ "first_response_at", FK_TIME, F_FILTER | F_READONLY, 0, NULL },
	{ "resolved_at", FK_TIME, F_FILTER | F_READONLY, 0, NULL },
	{ "closed_at", FK_TIME, F_FILTER | F_READONLY, 0, NULL },
	{ "satisfaction", FK_INT, F_FILTER, 0, NULL },
	{ "sla_policy_id", FK_INT, F_FILTER | F_READONLY, 0, NULL },
	{ "response_due_at", FK_TIME, F_SORT | F_FILTER | F_READONLY, 0, NULL },
	{ "resolution_due_at", FK_TIME, F_SORT | F_FILTER | F_READONLY, 0, NULL },
	{ "response_breached", FK_INT, F_FILTER | F_READONLY, 0, NULL },
	{ "resolution_breached", FK_INT, F_FILTER | F_READONLY, 0, NULL },
	{ "sla_started_at", FK_TIME, F_READONLY, 0, NULL },
	{ "sla_used_min", FK_INT, F_READONLY, 0, NULL },
	{ "sla_paused_at", FK_TIME, F_READONLY, 0, NULL },
	{ "merged_into_id", FK_INT, F_FILTER | F_READONLY, 0, NULL },
	{ "company_name", FK_DERIVED, 0, 0,
	    "SELECT c.name FROM companies c WHERE c.id = t.company_id" },
	{ "contact_name", FK_DERIVED, 0, 0,
	    "SELECT TRIM(COALESCE(p.first_name, '') || ' ' || "
	    "COALESCE(p.last_name, '')) FROM contacts p WHERE p.id = "
	    "t.contact_id" },
	{ "queue_name", FK_DERIVED, 0, 0,
	    "SELECT q.name FROM queues q WHERE q.id = t.queue_id" },
};

static const char *const channels[] = { "web", "email", "phone", "api",
	"form", "chat", NULL };
static const char *const priorities[] = { "low", "normal", "high", "urgent",
	NULL };
static const char *const statuses[] = { "new", "open", "waiting", "resolved",
	"closed", "reopened", NULL };

/* Each status and the ones it may move to, space separated and padded. */
static const struct {
	const char	*from;
	const char	*to;
} transitions[] = {
	{ "new", " open waiting resolved closed " },
	{ "open", " waiting resolved closed " },
	{ "reopened", " waiting resolved closed " },
	{ "waiting", " open resolved closed " },
	{ "resolved", " closed reopened " },
	{ "closed", " reopened " },
};

bool
ticket_transition_ok(const char *from, const char *to)
{
	char pad[24];

	if ((size_t)snprintf(pad, sizeof(pad), " %s ", to) >= sizeof(pad))
		return false;
	for (size_t i = 0; i < sizeof(transitions) / sizeof(*transitions); i++)
		if (strcmp(transitions[i].from, from) == 0)
			return strstr(transitions[i].to, pad) != NULL;
	return false;
}

static bool
one_of(const char *s, const char *const *list)
{
	for (; s != NULL && *list != NULL; list++)
		if (strcmp(s, *list) == 0)
			return true;
	return false;
}

static bool
set(json_t *rec, const char *key)
{
	json_t *v = json_object_get(rec, key);

	return v != NULL && !json_is_null(v) &&
	    !(json_is_string(v) && json_string_length(v) == 0);
}

static const char *
str(json_t *rec, const char *key)
{
	return json_string_value(json_object_get(rec, key));
}

static int
db_fail(struct core_ctx *cx, const char *what)
{
	log_error("database: tickets %s: %s", what, db_errmsg(cx->db));
	return core_fail(cx, CRM_EDB, "The database failed; nothing was changed");
}

/* The shape of links: [{"entity": "deals"|"activities", "id": N}]. */
static void
check_links(struct core_ctx *cx, json_t *links)
{
	json_t *l;
	size_t i;

	if (!json_is_array(links) || json_array_size(links) > TICKET_LINKS_MAX) {
		verrs_add(&cx->errs, "links", "must be an array of at most %d "
		    "{entity, id}", TICKET_LINKS_MAX);
		return;
	}
	json_array_foreach(links, i, l) {
		const char *e = str(l, "entity");
		json_t *id = json_object_get(l, "id");

		if (!json_is_object(l) || json_object_size(l) != 2 || e == NULL ||
		    (strcmp(e, "deals") != 0 && strcmp(e, "activities") != 0) ||
		    !json_is_integer(id) || json_integer_value(id) <= 0) {
			verrs_add(&cx->errs, "links", "each link is {\"entity\": "
			    "\"deals\" or \"activities\", \"id\": N}");
			return;
		}
	}
}

/* The rules across fields of the complete ticket. */
static void
ticket_check(struct core_ctx *cx, json_t *rec)
{
	const char *email = str(rec, "email"), *phone = str(rec, "phone");
	json_t *sat = json_object_get(rec, "satisfaction");

	if (set(rec, "channel") && !one_of(str(rec, "channel"), channels))
		verrs_add(&cx->errs, "channel", "must be web, email, phone, api, "
		    "form or chat");
	if (set(rec, "priority") && !one_of(str(rec, "priority"), priorities))
		verrs_add(&cx->errs, "priority", "must be low, normal, high or "
		    "urgent");
	if (set(rec, "status") && !one_of(str(rec, "status"), statuses))
		verrs_add(&cx->errs, "status", "must be new, open, waiting, "
		    "resolved, closed or reopened");
	if (email != NULL && *email != '\0' &&
	    !text_is_email(email, strlen(email)))
		verrs_add(&cx->errs, "email", "is not an email address");
	if (phone != NULL && *phone != '\0' &&
	    !text_is_phone(phone, strlen(phone)))
		verrs_add(&cx->errs, "phone", "is not a phone number (digits, "
		    "spaces, dashes, brackets, a leading +)");
	if (json_is_integer(sat) && (json_integer_value(sat) < 1 ||
	    json_integer_value(sat) > 5))
		verrs_add(&cx->errs, "satisfaction", "must be 1 to 5");
	if (json_object_get(rec, "links") != NULL &&
	    !json_is_null(json_object_get(rec, "links")))
		check_links(cx, json_object_get(rec, "links"));
}

/* The contact whose email is the ticket's, among those the actor may read. */
static int
contact_by_email(struct core_ctx *cx, const char *email, int64_t *contact_id)
{
	struct list_query lq;
	char q[EMAIL_QUERY_MAX + 1];
	json_t *res = NULL, *c, *e;
	size_t i, k, n = strlen(email);
	int rc;

	*contact_id = 0;
	/*
	 * An address may be longer than a search (254 bytes to 200): its
	 * start, cut between characters, still finds it; the exact match
	 * below decides.
	 */
	if (n > EMAIL_QUERY_MAX)
		n = EMAIL_QUERY_MAX;
	while (n > 0 && n < strlen(email) && ((unsigned char)email[n] & 0xc0) ==
	    0x80)
		n--;
	memcpy(q, email, n);
	q[n] = '\0';
	memset(&lq, 0, sizeof(lq));
	lq.q = q;
	lq.sort = "-updated_at";
	lq.limit = "50";
	rc = rec_list(cx, &entity_contacts, &lq, &res);
	if (rc != CRM_OK)
		return rc;
	json_array_foreach(json_object_get(res, "data"), i, c) {
		json_array_foreach(json_object_get(c, "emails"), k, e)
			if (json_is_string(e) && strcasecmp(json_string_value(e),
			    email) == 0)
				*contact_id = json_integer_value(json_object_get(c,
				    "id"));
		if (*contact_id != 0)
			break;
	}
	json_decref(res);
	return CRM_OK;
}

/* One-row lookups: the first column of sql (one "?": id) into *out. */
static int
lookup(struct core_ctx *cx, const char *sql, int64_t id, int64_t *out,
    bool *found)
{
	db_stmt_t *st;
	int rc;

	*found = false;
	if (db_prepare(cx->db, sql, &st) != DB_OK)
		return db_fail(cx, "lookup");
	db_bind_int(st, 1, id);
	rc = db_step(st);
	if (rc == DB_ROW) {
		*found = true;
		if (out != NULL)
			*out = db_col_null(st, 0) ? 0 : db_col_int(st, 0);
	}
	db_done(st);
	return rc == DB_ROW || rc == DB_DONE ? CRM_OK : db_fail(cx, "lookup step");
}

/* The client: the contact by email or phone, the company from the contact. */
static int
settle_client(struct core_ctx *cx, json_t *cur, json_t *in, json_t *merged)
{
	int64_t contact = 0, company = 0;
	bool found;
	int rc = CRM_OK;

	if (!set(merged, "contact_id") && json_object_get(in, "contact_id") ==
	    NULL && (cur == NULL || json_object_get(in, "email") != NULL ||
	    json_object_get(in, "phone") != NULL)) {
		if (set(merged, "email"))
			rc = contact_by_email(cx, str(merged, "email"), &contact);
		if (rc == CRM_OK && contact == 0 && set(merged, "phone"))
			rc = activity_contact_by_phone(cx, str(merged, "phone"),
			    &contact);
		if (rc != CRM_OK)
			return rc;
		if (contact > 0)
			json_object_set_new(merged, "contact_id",
			    json_integer(contact));
	}
	if (set(merged, "company_id") || !json_is_integer(json_object_get(merged,
	    "contact_id")))
		return CRM_OK;
	rc = lookup(cx, "SELECT company_id FROM contacts WHERE id = ?",
	    json_integer_value(json_object_get(merged, "contact_id")), &company,
	    &found);
	if (rc == CRM_OK && company > 0)
		json_object_set_new(merged, "company_id", json_integer(company));
	return rc;
}

/* Each link names a deal, or a task, that the actor may read. */
static int
settle_links(struct core_ctx *cx, json_t *cur, json_t *merged)
{
	json_t *links = json_object_get(merged, "links"), *l;
	size_t i;
	int rc;

	if (links == NULL || json_is_null(links)) {
		json_object_set_new(merged, "links", json_array());
		return CRM_OK;
	}
	if (cur != NULL && json_equal(links, json_object_get(cur, "links")))
		return CRM_OK;
	json_array_foreach(links, i, l) {
		const char *e = str(l, "entity");
		int64_t id = json_integer_value(json_object_get(l, "id"));
		bool task = false;

		rc = access_check(cx, strcmp(e, "deals") == 0 ? &entity_deals :
		    &entity_activities, ACC_READ, id, false);
		if (rc == CRM_ENOTFOUND) {
			verrs_add(&cx->errs, "links", "%s %lld does not exist or is "
			    "not yours to see", e, (long long)id);
			return CRM_OK;
		}
		if (rc != CRM_OK)
			return rc;
		if (strcmp(e, "activities") == 0) {
			int64_t n = 0;

			rc = lookup(cx, "SELECT COUNT(*) FROM activities WHERE id = ? "
			    "AND kind = 'task'", id, &n, &task);
			if (rc != CRM_OK)
				return rc;
			if (n == 0) {
				verrs_add(&cx->errs, "links", "activity %lld is not a "
				    "task", (long long)id);
				return CRM_OK;
			}
		}
	}
	return CRM_OK;
}

/* The status: a known move, and the times it sets. */
static void
settle_status(struct core_ctx *cx, json_t *cur, json_t *merged, int64_t now)
{
	const char *to = str(merged, "status");
	const char *from = cur != NULL ? str(cur, "status") : NULL;

	if (from == NULL) {
		if (strcmp(to, "new") != 0 && strcmp(to, "open") != 0)
			verrs_add(&cx->errs, "status", "a ticket starts new or open");
		return;
	}
	if (strcmp(from, to) == 0)
		return;
	if (!ticket_transition_ok(from, to)) {
		verrs_add(&cx->errs, "status", "a %s ticket cannot become %s", from,
		    to);
		return;
	}
	if (strcmp(to, "resolved") == 0)
		json_object_set_new(merged, "resolved_at", json_integer(now));
	if (strcmp(to, "closed") == 0)
		json_object_set_new(merged, "closed_at", json_integer(now));
	if (strcmp(to, "reopened") == 0) {
		json_object_set_new(merged, "resolved_at", json_null());
		json_object_set_new(merged, "closed_at", json_null());
	}
}

/* A ticket put in a queue without an assignee of its own gets one. */
static int
settle_queue(struct core_ctx *cx, json_t *cur, json_t *in, json_t *merged)
{
	json_t *q = json_object_get(merged, "queue_id");
	int64_t user = 0;
	bool found;
	int rc;

	if (!json_is_integer(q) || (cur != NULL &&
	    json_equal(q, json_object_get(cur, "queue_id"))))
		return CRM_OK;
	rc = lookup(cx, "SELECT id FROM queues WHERE id = ?",
	    json_integer_value(q), NULL, &found);
	if (rc != CRM_OK || !found) {
		if (rc == CRM_OK)
			verrs_add(&cx->errs, "queue_id", "is not a queue");
		return rc;
	}
	if (json_object_get(in, "owner_id") != NULL)
		return CRM_OK;
	rc = queue_pick(cx, json_integer_value(q), str(merged, "category"),
	    &user);
	if (rc == CRM_OK && user > 0)
		json_object_set_new(merged, "owner_id", json_integer(user));
	return rc;
}

/*
 * Defaults, the workflow's times, the client, the links, the queue's
 * assignee and the SLA, in this order: the SLA policy matches the
 * ticket's final priority, category and company.
 */
static int
ticket_prepare(struct core_ctx *cx, json_t *cur, json_t *in, json_t *merged)
{
	int64_t now = time_now_ms();
	bool ok;
	int rc;

	if (cur == NULL) {
		static const char *const defaults[][2] = { { "status", "new" },
			{ "priority", "normal" }, { "channel", "web" } };

		for (size_t i = 0; i < sizeof(defaults) / sizeof(*defaults); i++)
			if (!set(merged, defaults[i][0]))
				json_object_set_new(merged, defaults[i][0],
				    json_string(defaults[i][1]));
		if (!set(merged, "received_at"))
			json_object_set_new(merged, "received_at",
			    json_integer(now));
		else if (activity_time_of(json_object_get(merged, "received_at"),
		    &ok) > now + RECEIVED_SKEW_MS)
			verrs_add(&cx->errs, "received_at", "is in the future");
		json_object_set_new(merged, "response_breached", json_integer(0));
		json_object_set_new(merged, "resolution_breached", json_integer(0));
	} else if (!set(merged, "priority")) {
		json_object_set_new(merged, "priority", json_string("normal"));
	}
	if (json_is_integer(json_object_get(in, "satisfaction")) &&
	    strcmp(str(merged, "status"), "resolved") != 0 &&
	    strcmp(str(merged, "status"), "closed") != 0)
		verrs_add(&cx->errs, "satisfaction", "is asked once the ticket is "
		    "resolved or closed");
	settle_status(cx, cur, merged, now);
	rc = settle_client(cx, cur, in, merged);
	if (rc == CRM_OK)
		rc = settle_links(cx, cur, merged);
	if (rc == CRM_OK)
		rc = settle_queue(cx, cur, in, merged);
	if (rc != CRM_OK || cx->errs.n > 0)
		return rc;
	return sla_settle(cx, cur, merged, now);
}

/* The links' side table, the SLA jobs, and the new assignee's notice. */
static int
ticket_after_write(struct core_ctx *cx, int64_t id, json_t *cur,
    json_t *merged)
{
	json_t *links = json_object_get(merged, "links"), *l, *owner;
	db_stmt_t *st;
	size_t i;
	int rc = sla_schedule(cx, id, merged);

	/* Resolved just now: the client is asked how it went (webform.h). */
	if (rc == CRM_OK && cur != NULL && strcmp(str(merged, "status"),
	    "resolved") == 0 && strcmp(str(cur, "status"), "resolved") != 0)
		rc = webform_csat_offer(cx, id, merged);
	if (rc != CRM_OK)
		return rc;
	owner = json_object_get(merged, "owner_id");
	if (json_is_integer(owner) && json_integer_value(owner) !=
	    cx->actor.user_id && (cur == NULL || !json_equal(owner,
	    json_object_get(cur, "owner_id")))) {
		char title[600];

		snprintf(title, sizeof(title), "Ticket assigned to you: #%lld %s",
		    (long long)id, str(merged, "subject"));
		rc = notify_user(cx, json_integer_value(owner), "assigned", title,
		    "", &entity_tickets, id, true, NULL);
		if (rc != CRM_OK)
			return rc;
	}
	if (cur != NULL && json_equal(links, json_object_get(cur, "links")))
		return CRM_OK;
	rc = desk_exec(cx, "DELETE FROM ticket_links WHERE ticket_id = ?", id, 0,
	    NULL);
	json_array_foreach(links, i, l) {
		const char *e = str(l, "entity");

		if (rc != CRM_OK)
			break;
		if (db_prepare(cx->db, "INSERT INTO ticket_links (ticket_id, "
		    "entity, record_id) VALUES (?, ?, ?)", &st) != DB_OK)
			return db_fail(cx, "links insert");
		db_bind_int(st, 1, id);
		db_bind_text(st, 2, e, strlen(e));
		db_bind_int(st, 3, json_integer_value(json_object_get(l, "id")));
		rc = db_step(st) == DB_DONE ? CRM_OK : db_fail(cx, "links step");
		db_done(st);
	}
	return rc;
}

const struct entity entity_tickets = {
	.name = "tickets",
	.singular = "ticket",
	.fields = ticket_fields,
	.nfields = sizeof(ticket_fields) / sizeof(ticket_fields[0]),
	.check = ticket_check,
	.prepare = ticket_prepare,
	.after_write = ticket_after_write,
	.after_trash = sla_trash,
};

/* ---- messages ---- */

static json_t *
message_json(db_stmt_t *st)
{
	return json_pack("{s:I, s:I, s:s, s:o, s:o, s:o, s:s, s:o}",
	    "id", (json_int_t)db_col_int(st, 0),
	    "ticket_id", (json_int_t)db_col_int(st, 1),
	    "kind", db_col_text(st, 2, NULL),
	    "author_user_id", db_col_null(st, 3) ? json_null() :
	    json_integer(db_col_int(st, 3)),
	    "author_name", db_col_null(st, 4) ? json_null() :
	    json_string(db_col_text(st, 4, NULL)),
	    "author_contact_id", db_col_null(st, 5) ? json_null() :
	    json_integer(db_col_int(st, 5)),
	    "body", db_col_text(st, 6, NULL),
	    "created_at", activity_time_json(db_col_int(st, 7)));
}

#define MESSAGE_COLUMNS "m.id, m.ticket_id, m.kind, m.author_user_id, " \
	"u.name, m.author_contact_id, m.body, m.created_at FROM " \
	"ticket_messages m LEFT JOIN users u ON u.id = m.author_user_id"

int
ticket_message_list(struct core_ctx *cx, int64_t id, json_t **out)
{
	json_t *data;
	db_stmt_t *st;
	int rc = access_check(cx, &entity_tickets, ACC_READ, id, false);

	*out = NULL;
	if (rc != CRM_OK)
		return rc;
	if (db_prepare(cx->db, "SELECT " MESSAGE_COLUMNS " WHERE m.ticket_id = ? "
	    "ORDER BY m.id LIMIT 1000", &st) != DB_OK)
		return db_fail(cx, "messages");
	db_bind_int(st, 1, id);
	data = json_array();
	while ((rc = db_step(st)) == DB_ROW)
		json_array_append_new(data, message_json(st));
	db_done(st);
	if (rc != DB_DONE) {
		json_decref(data);
		return db_fail(cx, "messages step");
	}
	*out = json_pack("{s:o}", "data", data);
	return CRM_OK;
}

static void
check_message(struct core_ctx *cx, json_t *in)
{
	const char *key, *kind = str(in, "kind");
	json_t *v, *contact = json_object_get(in, "contact_id");

	json_object_foreach(in, key, v)
		if (strcmp(key, "kind") != 0 && strcmp(key, "body") != 0 &&
		    strcmp(key, "contact_id") != 0)
			verrs_add(&cx->errs, key, "is not a field of a message "
			    "(kind, body, contact_id)");
	if (kind == NULL || (strcmp(kind, "public") != 0 &&
	    strcmp(kind, "internal") != 0))
		verrs_add(&cx->errs, "kind", "must be public or internal");
	if (!core_text_ok(json_object_get(in, "body"), TICKET_BODY_MAX))
		verrs_add(&cx->errs, "body", "must be text of 1 to %d characters",
		    TICKET_BODY_MAX);
	if (contact != NULL && !json_is_null(contact) &&
	    (!json_is_integer(contact) || json_integer_value(contact) <= 0))
		verrs_add(&cx->errs, "contact_id", "must be a contact's id");
	else if (json_is_integer(contact) && kind != NULL &&
	    strcmp(kind, "public") != 0)
		verrs_add(&cx->errs, "contact_id", "a client writes public "
		    "messages only");
}

static int
message_insert(struct core_ctx *cx, int64_t id, const char *kind,
    const char *body, size_t blen, int64_t contact, bool client, int64_t now,
    int64_t *mid)
{
	db_stmt_t *st;
	int rc;

	if (db_prepare(cx->db, "INSERT INTO ticket_messages (ticket_id, kind, "
	    "author_user_id, author_contact_id, body, created_at) VALUES (?, ?, "
	    "?, ?, ?, ?) RETURNING id", &st) != DB_OK)
		return db_fail(cx, "message insert");
	db_bind_int(st, 1, id);
	db_bind_text(st, 2, kind, strlen(kind));
	if (client) {
		/* The client, known as a contact or only by an address. */
		db_bind_null(st, 3);
		if (contact > 0)
			db_bind_int(st, 4, contact);
		else
			db_bind_null(st, 4);
	} else {
		core_bind_actor(cx, st, 3);
		db_bind_null(st, 4);
	}
	db_bind_text(st, 5, body, blen);
	db_bind_int(st, 6, now);
	rc = db_step(st);
	if (rc == DB_ROW)
		*mid = db_col_int(st, 0);
	db_done(st);
	return rc == DB_ROW ? CRM_OK : db_fail(cx, "message insert step");
}

int
ticket_client_message_txn(struct core_ctx *cx, int64_t id, int64_t contact,
    const char *body)
{
	int64_t mid = 0;

	return message_insert(cx, id, "public", body, strlen(body), contact,
	    true, time_now_ms(), &mid);
}

/* The message's consequences for its ticket (see tickets.h). */
static int
message_effects(struct core_ctx *cx, int64_t id, json_t *t, bool client,
    bool public, int64_t now)
{
	const char *status = str(t, "status");
	json_t *patch = json_object(), *out = NULL;
	int rc = CRM_OK;

	if (!client && public && !set(t, "first_response_at")) {
		rc = desk_exec(cx, "UPDATE tickets SET first_response_at = ? "
		    "WHERE id = ? AND first_response_at IS NULL", now, id, NULL);
		if (strcmp(status, "new") == 0)
			json_object_set_new(patch, "status", json_string("open"));
	}
	if (client && strcmp(status, "waiting") == 0)
		json_object_set_new(patch, "status", json_string("open"));
	if (client && strcmp(status, "resolved") == 0)
		json_object_set_new(patch, "status", json_string("reopened"));
	/* Through the engine: the SLA settles again, the change is audited. */
	if (rc == CRM_OK && (json_object_size(patch) > 0 || (!client && public &&
	    !set(t, "first_response_at"))))
		rc = rec_update_txn(cx, &entity_tickets, id, -1, patch, &out);
	json_decref(out);
	json_decref(patch);
	return rc;
}

/*
 * The message written, its consequences, the answer mailed to the client
 * of an email ticket (core/desk_mail.h) and the audit entry, in the
 * caller's transaction; t is the ticket as it was.
 */
static int
message_write(struct core_ctx *cx, int64_t id, json_t *t, const char *kind,
    const char *body, size_t blen, int64_t contact, bool client,
    int64_t *mid)
{
	int64_t now = time_now_ms();
	bool public = strcmp(kind, "public") == 0;
	json_t *detail;
	int rc;

	rc = message_insert(cx, id, kind, body, blen, contact, client, now, mid);
	if (rc == CRM_OK)
		rc = message_effects(cx, id, t, client, public, now);
	if (rc == CRM_OK && !client && public && set(t, "email") &&
	    strcmp(str(t, "channel"), "email") == 0)
		rc = desk_mail_answer(cx, id, t, *mid, body);
	if (rc == CRM_OK) {
		detail = json_pack("{s:I, s:s}", "message_id", (json_int_t)*mid,
		    "kind", kind);
		rc = audit_append(cx, "ticket.message", "tickets", id, detail);
		json_decref(detail);
	}
	return rc;
}

int
ticket_message_add(struct core_ctx *cx, int64_t id, json_t *in, json_t **out)
{
	json_t *t = NULL, *contact = json_object_get(in, "contact_id");
	int64_t mid = 0, cid = json_integer_value(contact);
	db_stmt_t *st;
	int rc;

	*out = NULL;
	check_message(cx, in);
	if (cx->errs.n > 0)
		return core_invalid(cx);
	if (db_begin(cx->db) != DB_OK)
		return db_fail(cx, "begin");
	rc = access_check(cx, &entity_tickets, ACC_UPDATE, id, false);
	if (rc == CRM_OK)
		rc = rec_get(cx, &entity_tickets, id, false, &t);
	if (rc == CRM_OK && set(t, "merged_into_id"))
		rc = core_fail(cx, CRM_EINUSE, "This ticket was merged into ticket "
		    "%lld; write there", (long long)json_integer_value(
		    json_object_get(t, "merged_into_id")));
	if (rc == CRM_OK && cid > 0) {
		rc = access_check(cx, &entity_contacts, ACC_READ, cid, false);
		if (rc == CRM_ENOTFOUND) {
			verrs_add(&cx->errs, "contact_id", "does not exist or is not "
			    "yours to see");
			rc = core_invalid(cx);
		}
	}
	if (rc == CRM_OK)
		rc = message_write(cx, id, t, str(in, "kind"), str(in, "body"),
		    json_string_length(json_object_get(in, "body")), cid, cid > 0,
		    &mid);
	json_decref(t);
	if (rc == CRM_OK) {
		if (db_prepare(cx->db, "SELECT " MESSAGE_COLUMNS " WHERE m.id = ?",
		    &st) != DB_OK) {
			rc = db_fail(cx, "message read");
		} else {
			db_bind_int(st, 1, mid);
			if (db_step(st) == DB_ROW)
				*out = message_json(st);
			else
				rc = db_fail(cx, "message read step");
			db_done(st);
		}
	}
	return core_txn_end(cx, rc, out);
}

int
ticket_message_add_txn(struct core_ctx *cx, int64_t id, const char *kind,
    const char *body, int64_t contact_id, bool client, int64_t *mid)
{
	json_t *t = NULL;
	int rc = rec_get(cx, &entity_tickets, id, false, &t);

	if (rc == CRM_OK)
		rc = message_write(cx, id, t, kind, body, strlen(body), contact_id,
		    client, mid);
	json_decref(t);
	return rc;
}

/* ---- merging duplicates ---- */

/* The links of both, without repeats, for the ticket that stays. */
static json_t *
links_union(json_t *a, json_t *b)
{
	json_t *u = json_deep_copy(a), *l, *m;
	size_t i, k;

	if (!json_is_array(u)) {
		json_decref(u);
		u = json_array();
	}
	json_array_foreach(b, i, l) {
		bool dup = false;

		json_array_foreach(u, k, m)
			dup |= json_equal(l, m);
		if (!dup && json_array_size(u) < TICKET_LINKS_MAX)
			json_array_append(u, l);
	}
	return u;
}

int
ticket_merge(struct core_ctx *cx, int64_t id, int64_t into, json_t **out)
{
	json_t *from = NULL, *to = NULL, *patch = NULL, *res = NULL, *detail;
	int rc;

	*out = NULL;
	if (id == into) {
		verrs_add(&cx->errs, "into", "is the ticket itself");
		return core_invalid(cx);
	}
	if (db_begin(cx->db) != DB_OK)
		return db_fail(cx, "begin");
	rc = access_check(cx, &entity_tickets, ACC_UPDATE, id, false);
	if (rc == CRM_OK)
		rc = access_check(cx, &entity_tickets, ACC_UPDATE, into, false);
	if (rc == CRM_OK)
		rc = rec_get(cx, &entity_tickets, id, false, &from);
	if (rc == CRM_OK)
		rc = rec_get(cx, &entity_tickets, into, false, &to);
	if (rc == CRM_OK && (set(from, "merged_into_id") ||
	    set(to, "merged_into_id")))
		rc = core_fail(cx, CRM_EINUSE, "A merged ticket is closed for "
		    "good; merge into the ticket it went into");
	if (rc != CRM_OK)
		goto out;
	rc = desk_exec(cx, "UPDATE ticket_messages SET ticket_id = ? WHERE "
	    "ticket_id = ?", into, id, NULL);
	if (rc != CRM_OK)
		goto out;
	patch = json_pack("{s:o}", "links", links_union(json_object_get(to,
	    "links"), json_object_get(from, "links")));
	rc = rec_update_txn(cx, &entity_tickets, into, -1, patch, &res);
	json_decref(res);
	res = NULL;
	json_decref(patch);
	patch = NULL;
	if (rc != CRM_OK)
		goto out;
	rc = desk_exec(cx, "UPDATE tickets SET merged_into_id = ? WHERE id = ?",
	    into, id, NULL);
	/* Every status may become closed (tickets.h). */
	patch = strcmp(str(from, "status"), "closed") == 0 ?
	    json_pack("{s:[]}", "links") :
	    json_pack("{s:s, s:[]}", "status", "closed", "links");
	if (rc == CRM_OK)
		rc = rec_update_txn(cx, &entity_tickets, id, -1, patch, &res);
	json_decref(res);
	detail = json_pack("{s:I, s:I}", "merged", (json_int_t)id, "into",
	    (json_int_t)into);
	if (rc == CRM_OK)
		rc = audit_append(cx, "ticket.merge", "tickets", id, detail);
	if (rc == CRM_OK)
		rc = audit_append(cx, "ticket.merge", "tickets", into, detail);
	json_decref(detail);
	if (rc == CRM_OK)
		rc = rec_get(cx, &entity_tickets, into, false, out);
out:
	json_decref(from);
	json_decref(to);
	json_decref(patch);
	return core_txn_end(cx, rc, out);
}
