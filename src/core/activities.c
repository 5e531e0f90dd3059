/*
 * Activities: the record engine's entity_activities (one table for tasks,
 * calls, meetings, emails, notes and chat messages), its rules across fields, and
 * completing and reopening a task. The day plan is in activity_day.c, the
 * client timeline in timeline.c; activities.h is the contract.
 */
#include "core/activities.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/access.h"
#include "core/notify.h"
#include "core/process_run.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/text.h"
#include "util/timeutil.h"

#define MINUTES_MAX 1000000	/* estimate and spent time: about two years */
#define DURATION_MAX 604800	/* a call of up to a week, in seconds */

static const struct field activity_fields[] = {
	{ "kind", FK_TEXT, F_FILTER | F_FIXED, 10, NULL },
	{ "subject", FK_TEXT, F_SORT | F_SEARCH | F_EMPTY, 500, NULL },
	{ "body", FK_LONGTEXT, 0, 100000, NULL },
	{ "status", FK_TEXT, F_FILTER, 10, NULL },
	{ "priority", FK_TEXT, F_FILTER, 10, NULL },
	{ "due_at", FK_TIME, F_SORT | F_FILTER, 0, NULL },
	{ "start_at", FK_TIME, F_SORT | F_FILTER, 0, NULL },
	{ "end_at", FK_TIME, F_FILTER, 0, NULL },
	{ "done_at", FK_TIME, F_SORT | F_FILTER | F_READONLY, 0, NULL },
	{ "company_id", FK_COMPANY, F_FILTER, 0, NULL },
	{ "contact_id", FK_CONTACT, F_FILTER, 0, NULL },
	{ "deal_id", FK_DEAL, F_FILTER, 0, NULL },
	{ "participants", FK_USERS, 0, 0, NULL },
	{ "direction", FK_TEXT, F_FILTER, 3, NULL },
	{ "phone", FK_TEXT, F_SEARCH, 50, NULL },
	{ "duration_s", FK_INT, 0, 0, NULL },
	{ "result", FK_TEXT, 0, 1000, NULL },
	{ "external_id", FK_TEXT, F_FILTER | F_FIXED, CALL_EXTERNAL_ID_MAX, NULL },
	{ "email_from", FK_TEXT, F_SEARCH, 254, NULL },
	{ "email_to", FK_EMAILS, F_SEARCH, 0, NULL },
	{ "place", FK_TEXT, F_SEARCH, 500, NULL },
	{ "estimate_min", FK_INT, 0, 0, NULL },
	{ "spent_min", FK_INT, 0, 0, NULL },
	{ "checklist", FK_JSON, 0, 0, NULL },
	{ "reminders", FK_JSON, 0, 0, NULL },
	{ "recurrence", FK_JSON, 0, 0, NULL },
	{ "series_id", FK_INT, F_FILTER | F_READONLY, 0, NULL },
	/* Set by the process engine on the task of a step (process_run.c). */
	{ "process_instance_id", FK_INT, F_FILTER | F_READONLY, 0, NULL },
	{ "process_step_id", FK_INT, F_READONLY, 0, NULL },
	{ "company_name", FK_DERIVED, 0, 0,
	    "SELECT c.name FROM companies c WHERE c.id = t.company_id" },
	{ "contact_name", FK_DERIVED, 0, 0,
	    "SELECT TRIM(COALESCE(p.first_name, '') || ' ' || "
	    "COALESCE(p.last_name, '')) FROM contacts p WHERE p.id = "
	    "t.contact_id" },
	{ "deal_name", FK_DERIVED, 0, 0,
	    "SELECT d.title FROM deals d WHERE d.id = t.deal_id" },
	{ "process_step_name", FK_DERIVED, 0, 0,
	    "SELECT s.name FROM process_steps s WHERE s.id = t.process_step_id" },
	{ "process_name", FK_DERIVED, 0, 0,
	    "SELECT p.name FROM process_instances i JOIN process_templates p ON "
	    "p.id = i.template_id WHERE i.id = t.process_instance_id" },
};

/*
 * What each kind may carry besides the fields every activity has (kind,
 * subject, body, status, links, participants), its statuses (the first is
 * the default) and the statuses that count as finished (done_at is set).
 */
struct kind_rule {
	const char		*kind;
	const char *const	*statuses;
	const char		*finished;
	const char		*fields;	/* space separated, padded */
};

static const char *const task_statuses[] = { "open", "done", "cancelled", NULL };
static const char *const meeting_statuses[] = { "planned", "held", "cancelled",
	NULL };
static const char *const done_statuses[] = { "done", NULL };

static const struct kind_rule kind_rules[] = {
	{ "task", task_statuses, "done",
	    " priority due_at start_at estimate_min spent_min checklist "
	    "reminders recurrence " },
	{ "call", done_statuses, "done",
	    " direction phone duration_s result start_at external_id " },
	{ "meeting", meeting_statuses, "held",
	    " start_at end_at place reminders " },
	{ "email", done_statuses, "done", " email_from email_to " },
	{ "note", done_statuses, "done", " " },
	{ "chat", done_statuses, "done", " direction " },
};

static const char *const priorities[] = { "low", "normal", "high", "urgent",
	NULL };

static const struct kind_rule *
kind_rule(const char *kind)
{
	for (size_t i = 0; kind != NULL && i < sizeof(kind_rules) /
	    sizeof(*kind_rules); i++)
		if (strcmp(kind_rules[i].kind, kind) == 0)
			return &kind_rules[i];
	return NULL;
}

static bool
one_of(const char *s, const char *const *list)
{
	for (; s != NULL && *list != NULL; list++)
		if (strcmp(s, *list) == 0)
			return true;
	return false;
}

/* Whether name is one of the kind's own fields. */
static bool
kind_has(const struct kind_rule *k, const char *name)
{
	char pad[40];

	if ((size_t)snprintf(pad, sizeof(pad), " %s ", name) >= sizeof(pad))
		return false;
	return strstr(k->fields, pad) != NULL;
}

/* Whether name belongs to some kinds only (not to every activity). */
static bool
kind_field(const char *name)
{
	for (size_t i = 0; i < sizeof(kind_rules) / sizeof(*kind_rules); i++)
		if (kind_has(&kind_rules[i], name))
			return true;
	return false;
}

static bool
set(json_t *rec, const char *key)
{
	json_t *v = json_object_get(rec, key);

	return v != NULL && !json_is_null(v) &&
	    !(json_is_string(v) && json_string_length(v) == 0) &&
	    !(json_is_array(v) && json_array_size(v) == 0);
}

int64_t
activity_time_of(json_t *v, bool *ok)
{
	int64_t ms = 0;

	*ok = true;
	if (json_is_integer(v))
		return json_integer_value(v);
	if (json_is_string(v) && time_parse_datetime(json_string_value(v),
	    json_string_length(v), &ms) == 0)
		return ms;
	*ok = false;
	return 0;
}

/* Whether field already has an error: one message per field is enough. */
static bool
flagged(struct core_ctx *cx, const char *field)
{
	for (int i = 0; i < cx->errs.n; i++)
		if (strcmp(cx->errs.items[i].field, field) == 0)
			return true;
	return false;
}

/* A later time must not come before an earlier one ("due before start"). */
static void
check_order(struct core_ctx *cx, json_t *rec, const char *first,
    const char *second)
{
	bool a, b;
	int64_t t1 = activity_time_of(json_object_get(rec, first), &a);
	int64_t t2 = activity_time_of(json_object_get(rec, second), &b);

	if (a && b && t2 < t1 && !flagged(cx, second) && !flagged(cx, first))
		verrs_add(&cx->errs, second, "is before %s", first);
}

static void
check_checklist(struct core_ctx *cx, json_t *v)
{
	char sub[64];
	const char *key;
	json_t *item, *x;
	size_t i;

	if (!json_is_array(v) || json_array_size(v) > ACTIVITY_CHECKLIST_MAX) {
		verrs_add(&cx->errs, "checklist", "must be an array of at most %d "
		    "items {text, done}", ACTIVITY_CHECKLIST_MAX);
		return;
	}
	json_array_foreach(v, i, item) {
		json_t *text = json_object_get(item, "text");
		size_t len = json_string_length(text);
		const char *s = json_string_value(text);

		snprintf(sub, sizeof(sub), "checklist[%zu]", i);
		if (!json_is_object(item)) {
			verrs_add(&cx->errs, sub, "must be an object {text, done}");
			continue;
		}
		json_object_foreach(item, key, x)
			if (strcmp(key, "text") != 0 && strcmp(key, "done") != 0)
				verrs_add(&cx->errs, sub, "has an unknown key "
				    "(only text and done)");
		snprintf(sub, sizeof(sub), "checklist[%zu].text", i);
		if (!json_is_string(text) || len == 0 ||
		    !text_utf8_valid(s, len) || !text_is_printable(s, len) ||
		    text_utf8_count(s, len) > ACTIVITY_CHECKLIST_TEXT)
			verrs_add(&cx->errs, sub, "must be text of 1 to %d "
			    "characters", ACTIVITY_CHECKLIST_TEXT);
		snprintf(sub, sizeof(sub), "checklist[%zu].done", i);
		if (json_object_get(item, "done") != NULL &&
		    !json_is_boolean(json_object_get(item, "done")))
			verrs_add(&cx->errs, sub, "must be true or false");
	}
}

static void
check_int_max(struct core_ctx *cx, json_t *rec, const char *key, int64_t max)
{
	json_t *v = json_object_get(rec, key);

	if (json_is_integer(v) && json_integer_value(v) > max)
		verrs_add(&cx->errs, key, "must be at most %lld", (long long)max);
}

/* A rule that recur_parse reads, on a task with a deadline to repeat. */
static void
check_recurrence(struct core_ctx *cx, json_t *rec)
{
	struct recur_rule r;
	char why[128];

	if (recur_parse(json_object_get(rec, "recurrence"), &r, why,
	    sizeof(why)) != 0)
		verrs_add(&cx->errs, "recurrence", "%s", why);
	else if (!set(rec, "due_at"))
		verrs_add(&cx->errs, "recurrence", "a recurring task needs a "
		    "due_at");
}

/*
 * The rules across fields on the complete record: the kind, what belongs
 * to it, its status, the order of its times and the shape of its values.
 */
static void
activity_check(struct core_ctx *cx, json_t *rec)
{
	const char *kind = json_string_value(json_object_get(rec, "kind"));
	const char *status = json_string_value(json_object_get(rec, "status"));
	const char *prio = json_string_value(json_object_get(rec, "priority"));
	const char *from = json_string_value(json_object_get(rec, "email_from"));
	const char *phone = json_string_value(json_object_get(rec, "phone"));
	const char *dir = json_string_value(json_object_get(rec, "direction"));
	const struct kind_rule *k = kind_rule(kind);

	if (k == NULL) {
		verrs_add(&cx->errs, "kind", kind == NULL || *kind == '\0' ?
		    "is required: task, call, meeting, email, note or chat" :
		    "must be task, call, meeting, email, note or chat");
		return;
	}
	/* A field of another kind is a mistake, not something to keep. */
	for (size_t i = 0; i < sizeof(activity_fields) / sizeof(*activity_fields);
	    i++) {
		const char *name = activity_fields[i].name;

		if (kind_field(name) && set(rec, name) && !kind_has(k, name))
			verrs_add(&cx->errs, name, "is not a field of a %s", kind);
	}
	if (strcmp(kind, "chat") == 0) {
		/* A chat message is its text; a subject is optional. */
		if (!set(rec, "body"))
			verrs_add(&cx->errs, "body", "a chat message needs a text");
	} else if (strcmp(kind, "note") == 0) {
		if (!set(rec, "subject") && !set(rec, "body"))
			verrs_add(&cx->errs, "body", "a note needs a text");
	} else if (!set(rec, "subject")) {
		verrs_add(&cx->errs, "subject", "is required");
	}
	if (status != NULL && *status != '\0' && !one_of(status, k->statuses))
		verrs_add(&cx->errs, "status", "a %s is %s", kind,
		    strcmp(kind, "task") == 0 ? "open, done or cancelled" :
		    strcmp(kind, "meeting") == 0 ? "planned, held or cancelled" :
		    "done (it is logged once it happened)");
	if (prio != NULL && *prio != '\0' && !one_of(prio, priorities) &&
	    !flagged(cx, "priority"))
		verrs_add(&cx->errs, "priority", "must be low, normal, high or "
		    "urgent");
	if (strcmp(kind, "meeting") == 0 && !set(rec, "start_at"))
		verrs_add(&cx->errs, "start_at", "a meeting needs a start");
	if (strcmp(kind, "call") == 0 && (dir == NULL ||
	    (strcmp(dir, "in") != 0 && strcmp(dir, "out") != 0)))
		verrs_add(&cx->errs, "direction", "a call is in or out");
	/* A chat message may say whose it was: the client's (in) or ours. */
	if (strcmp(kind, "chat") == 0 && dir != NULL && *dir != '\0' &&
	    strcmp(dir, "in") != 0 && strcmp(dir, "out") != 0)
		verrs_add(&cx->errs, "direction", "a chat message is in or out");
	if (phone != NULL && *phone != '\0' && !flagged(cx, "phone") &&
	    !text_is_phone(phone, strlen(phone)))
		verrs_add(&cx->errs, "phone", "is not a phone number (digits, "
		    "spaces, dashes, brackets, a leading +)");
	if (from != NULL && *from != '\0' && !flagged(cx, "email_from") &&
	    !text_is_email(from, strlen(from)))
		verrs_add(&cx->errs, "email_from", "is not an email address");
	check_order(cx, rec, "start_at", "end_at");
	check_order(cx, rec, "start_at", "due_at");
	check_int_max(cx, rec, "estimate_min", MINUTES_MAX);
	check_int_max(cx, rec, "spent_min", MINUTES_MAX);
	check_int_max(cx, rec, "duration_s", DURATION_MAX);
	if (set(rec, "checklist") && !flagged(cx, "checklist"))
		check_checklist(cx, json_object_get(rec, "checklist"));
	if (!flagged(cx, "reminders"))
		reminder_check(cx, json_object_get(rec, "reminders"));
	/* [] or {} is a bad rule, not an absent one. */
	if (json_object_get(rec, "recurrence") != NULL &&
	    !json_is_null(json_object_get(rec, "recurrence")) &&
	    !flagged(cx, "recurrence"))
		check_recurrence(cx, rec);
}

/* The phone also as bare digits, so "+49 30 1234" finds "0301234". */
static void
activity_search_extra(json_t *rec, struct buf *out)
{
	json_t *p = json_object_get(rec, "phone");
	char digits[64];
	size_t n;

	if (!json_is_string(p))
		return;
	n = text_digits(json_string_value(p), json_string_length(p), digits,
	    sizeof(digits));
	if (n > 0)
		buf_printf(out, " %.*s", (int)n, digits);
}

static int
db_fail(struct core_ctx *cx, const char *what)
{
	log_error("database: activities %s: %s", what, db_errmsg(cx->db));
	return core_fail(cx, CRM_EDB, "The database failed; nothing was changed");
}

/* The company of the linked contact or deal, when the activity names none. */
static int
settle_company(struct core_ctx *cx, json_t *merged)
{
	static const struct {
		const char	*key;
		const char	*sql;
	} via[] = {
		{ "deal_id", "SELECT company_id FROM deals WHERE id = ?" },
		{ "contact_id", "SELECT company_id FROM contacts WHERE id = ?" },
	};
	db_stmt_t *st;
	int rc;

	if (set(merged, "company_id"))
		return CRM_OK;
	for (size_t i = 0; i < sizeof(via) / sizeof(*via); i++) {
		json_t *link = json_object_get(merged, via[i].key);

		if (!json_is_integer(link))
			continue;
		if (db_prepare(cx->db, via[i].sql, &st) != DB_OK)
			return db_fail(cx, "company");
		db_bind_int(st, 1, json_integer_value(link));
		rc = db_step(st);
		if (rc == DB_ROW && !db_col_null(st, 0))
			json_object_set_new(merged, "company_id",
			    json_integer(db_col_int(st, 0)));
		db_done(st);
		if (rc != DB_ROW && rc != DB_DONE)
			return db_fail(cx, "company step");
		if (set(merged, "company_id"))
			return CRM_OK;
	}
	return CRM_OK;
}

/*
 * Defaults and the computed fields: the kind's first status, a task's
 * normal priority, done_at when the activity becomes finished (kept while
 * it stays so, cleared when it is reopened), and the company.
 */
static int
activity_prepare(struct core_ctx *cx, json_t *cur, json_t *in, json_t *merged)
{
	const char *kind = json_string_value(json_object_get(merged, "kind"));
	const struct kind_rule *k = kind_rule(kind);
	const char *status, *before;
	bool finished, was;

	(void)in;
	if (k == NULL)
		return CRM_OK;	/* activity_check said so */
	if (!set(merged, "status"))
		json_object_set_new(merged, "status", json_string(k->statuses[0]));
	if (strcmp(kind, "task") == 0 && !set(merged, "priority"))
		json_object_set_new(merged, "priority", json_string("normal"));
	status = json_string_value(json_object_get(merged, "status"));
	before = cur != NULL ? json_string_value(json_object_get(cur, "status")) :
	    NULL;
	finished = strcmp(status, k->finished) == 0;
	was = before != NULL && strcmp(before, k->finished) == 0;
	if (!finished)
		json_object_set_new(merged, "done_at", json_null());
	else if (!was)
		json_object_set_new(merged, "done_at", json_integer(time_now_ms()));
	return settle_company(cx, merged);
}

static bool
is_status(json_t *rec, const char *status)
{
	const char *s = json_string_value(json_object_get(rec, "status"));

	return s != NULL && strcmp(s, status) == 0;
}

/*
 * What the participations of activity id carry of it for "my day"
 * (migration 0020), brought up to date from its row: its status (NULL in
 * the trash) and the time that places it in a day.
 */
static int
participants_day(struct core_ctx *cx, int64_t id)
{
	db_stmt_t *st;
	int rc;

	if (db_prepare(cx->db, "UPDATE activity_participants SET status = "
	    "(SELECT CASE WHEN a.deleted_at IS NULL THEN a.status END FROM "
	    "activities a WHERE a.id = activity_participants.activity_id), "
	    "day_at = (SELECT CASE a.kind WHEN 'task' THEN a.due_at WHEN "
	    "'meeting' THEN a.start_at END FROM activities a WHERE a.id = "
	    "activity_participants.activity_id) WHERE activity_id = ?", &st) !=
	    DB_OK)
		return db_fail(cx, "participants day");
	db_bind_int(st, 1, id);
	rc = db_step(st);
	db_done(st);
	return rc == DB_DONE ? CRM_OK : db_fail(cx, "participants day step");
}

/*
 * The participants' side table, rewritten when the list changed, what it
 * carries of the activity kept in step; the reminders' jobs and the
 * notices of a new owner (core/notify.h).
 */
static int
activity_after_write(struct core_ctx *cx, int64_t id, json_t *cur,
    json_t *merged)
{
	json_t *users = json_object_get(merged, "participants"), *u;
	db_stmt_t *st;
	size_t i;
	int rc = reminder_sync(cx, id, cur, merged);

	/* A series' first task is in it; its next occurrence, in this transaction. */
	if (rc == CRM_OK)
		rc = activity_series_mark(cx, id, merged);
	if (rc == CRM_OK)
		rc = activity_recur_after(cx, id, cur, merged);
	/* A process waiting on this task moves on, in this transaction. */
	if (rc == CRM_OK && cur != NULL && is_status(merged, "done") &&
	    !is_status(cur, "done"))
		rc = prun_task_done(cx, id);
	if (rc != CRM_OK)
		return rc;
	/* The same list: only what it carries of the activity. */
	if (cur != NULL && json_equal(users, json_object_get(cur, "participants")))
		return json_array_size(users) > 0 ? participants_day(cx, id) :
		    CRM_OK;
	if (db_prepare(cx->db, "DELETE FROM activity_participants WHERE "
	    "activity_id = ?", &st) != DB_OK)
		return db_fail(cx, "participants");
	db_bind_int(st, 1, id);
	rc = db_step(st);
	db_done(st);
	if (rc != DB_DONE)
		return db_fail(cx, "participants delete");
	json_array_foreach(users, i, u) {
		if (db_prepare(cx->db, "INSERT INTO activity_participants "
		    "(activity_id, user_id) VALUES (?, ?)", &st) != DB_OK)
			return db_fail(cx, "participants insert");
		db_bind_int(st, 1, id);
		db_bind_int(st, 2, json_integer_value(u));
		rc = db_step(st);
		db_done(st);
		if (rc != DB_DONE)
			return db_fail(cx, "participants insert step");
	}
	return json_array_size(users) > 0 ? participants_day(cx, id) : CRM_OK;
}

/*
 * The trash: the reminders go or come back, and the participations show
 * no status while the activity is in the trash, so my day passes them by.
 */
static int
activity_after_trash(struct core_ctx *cx, int64_t id, bool trashed)
{
	int rc = reminder_trash(cx, id, trashed);

	return rc == CRM_OK ? participants_day(cx, id) : rc;
}

/* Overdue: an open task past its deadline (computed on reading). */
static void
activity_decorate(json_t *rec)
{
	const char *status = json_string_value(json_object_get(rec, "status"));
	bool ok;
	int64_t due = activity_time_of(json_object_get(rec, "due_at"), &ok);

	json_object_set_new(rec, "overdue", json_boolean(ok && status != NULL &&
	    strcmp(status, "open") == 0 && due < time_now_ms()));
}

/*
 * participant_id=U: the activities user U takes part in. overdue=true:
 * open tasks past their deadline (false: the rest), the rule my-day uses.
 */
static int
activity_filter(struct core_ctx *cx, struct dbq *q, const char *key,
    const char *value)
{
	char *end;
	long long id;

	if (strcmp(key, "overdue") == 0) {
		if (strcmp(value, "true") == 0)
			dbq_sql(q, " AND t.kind = 'task' AND t.status = 'open' AND "
			    "t.due_at < ?");
		else if (strcmp(value, "false") == 0)
			dbq_sql(q, " AND NOT (t.kind = 'task' AND t.status = 'open' "
			    "AND t.due_at IS NOT NULL AND t.due_at < ?)");
		else
			return core_fail(cx, CRM_EBADQUERY, "overdue: must be true "
			    "or false");
		dbq_int(q, time_now_ms());
		return CRM_OK;
	}
	if (strcmp(key, "participant_id") != 0 && strcmp(key, "involves") != 0 &&
	    strcmp(key, "involves_department") != 0)
		return CRM_ENOTFOUND;
	id = strtoll(value, &end, 10);
	if (*value == '\0' || *end != '\0' || id <= 0)
		return core_fail(cx, CRM_EBADQUERY, "%s: must be an id", key);
	if (strcmp(key, "participant_id") == 0) {
		dbq_sql(q, " AND t.id IN (SELECT ap.activity_id FROM "
		    "activity_participants ap WHERE ap.user_id = ?)");
		dbq_int(q, id);
	} else if (strcmp(key, "involves") == 0) {
		/* A person's calendar: what they own and what they take part in. */
		dbq_sql(q, " AND (t.owner_id = ? OR t.id IN (SELECT ap.activity_id "
		    "FROM activity_participants ap WHERE ap.user_id = ?))");
		dbq_int(q, id);
		dbq_int(q, id);
	} else {
		/* A team's: the same for everyone of a department or one below. */
		dbq_sql(q, " AND (t.owner_id IN " DEPT_USERS_SQL " OR t.id IN "
		    "(SELECT ap.activity_id FROM activity_participants ap WHERE "
		    "ap.user_id IN " DEPT_USERS_SQL "))");
		dbq_int(q, id);
		dbq_int(q, id);
	}
	return CRM_OK;
}

const struct entity entity_activities = {
	.name = "activities",
	.singular = "activity",
	.fields = activity_fields,
	.nfields = sizeof(activity_fields) / sizeof(activity_fields[0]),
	.check = activity_check,
	.search_extra = activity_search_extra,
	.prepare = activity_prepare,
	.after_write = activity_after_write,
	.after_trash = activity_after_trash,
	.decorate = activity_decorate,
	.filter = activity_filter,
	.named_sql = "SELECT ap.activity_id FROM activity_participants ap "
	    "WHERE ap.user_id = ?",
};

json_t *
activity_time_json(int64_t ms)
{
	char ts[TIME_RFC3339_LEN];

	time_format(ms, ts, sizeof(ts));
	return json_string(ts);
}

/* ---- completing and reopening a task ---- */

int
activity_set_status(struct core_ctx *cx, int64_t id, int64_t if_version,
    const char *status, json_t **out)
{
	json_t *cur = NULL, *patch;
	const char *kind;
	int rc = rec_get(cx, &entity_activities, id, false, &cur);

	if (rc != CRM_OK)
		return rc;
	kind = json_string_value(json_object_get(cur, "kind"));
	if (kind == NULL || strcmp(kind, "task") != 0) {
		verrs_add(&cx->errs, "kind", "only a task is completed or "
		    "reopened; change a %s's status with PATCH",
		    kind != NULL ? kind : "record");
		json_decref(cur);
		return core_invalid(cx);
	}
	json_decref(cur);
	patch = json_pack("{s:s}", "status", status);
	rc = rec_update(cx, &entity_activities, id, if_version, patch, out);
	json_decref(patch);
	return rc;
}
