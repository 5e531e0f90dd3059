/*
 * The process engine: instances and their steps (core/process_run.h is
 * the contract, docs/processes.md the format it runs).
 *
 * The invariant everything here keeps: an instance moves only inside a
 * write transaction that first flips the step it leaves from 'waiting' to
 * its end state with a conditional UPDATE and checks that exactly one row
 * changed. Whoever loses that race (a second server's timer, a user
 * answering a step a deadline just branched away from) changes nothing.
 * The step's action (a task, a field written, a notice, a mail in the
 * outbox) is written in the same transaction, so it happens exactly once.
 */
#include "core/process_run.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/access.h"
#include "core/audit.h"
#include "core/jobs.h"
#include "core/mail.h"
#include "core/notify.h"
#include "core/process_def.h"
#include "core/record.h"
#include "core/webhook.h"
#include "core/workcal.h"
#include "core/workload.h"
#include "core/processes.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/timeutil.h"

/* One instance being moved on, inside the caller's transaction. */
struct run {
	struct core_ctx		*cx;	/* the caller (a user, or a job) */
	struct core_ctx		*sys;	/* the system, acting for the process */
	int64_t			 id;
	int64_t			 owner_id;
	int			 depth;
	const struct entity	*e;
	int64_t			 record_id;
	json_t			*def;	/* the version's definition */
	json_t			*rec;	/* the record as the system reads it */
};

static int
db_fail(struct core_ctx *cx, const char *what)
{
	log_error("database: processes: %s: %s", what, db_errmsg(cx->db));
	return core_fail(cx, CRM_EDB, "The database failed");
}

/* A context of the system for the process's own actions (free with free). */
static struct core_ctx *
sys_ctx(struct core_ctx *cx)
{
	struct core_ctx *sys = xcalloc(1, sizeof(*sys));

	core_ctx_init(sys, cx->db, NULL);
	/* One level deeper than the call it acts within (the loop guard). */
	sys->proc_depth = cx->proc_depth + 1;
	sys->mail = cx->mail;
	sys->audit_key = cx->audit_key;
	return sys;
}

/* audit_append with a detail made for it (released here). */
static int
audit_detail(struct core_ctx *cx, const char *action, const char *entity,
    int64_t id, json_t *detail)
{
	int rc = audit_append(cx, action, entity, id, detail);

	json_decref(detail);
	return rc;
}

static json_t *
time_json(int64_t ms, bool null)
{
	char ts[TIME_RFC3339_LEN];

	if (null)
		return json_null();
	time_format(ms, ts, sizeof(ts));
	return json_string(ts);
}

static json_t *
step_def(json_t *def, const char *step_id)
{
	json_t *s;
	size_t i;

	json_array_foreach(json_object_get(def, "steps"), i, s)
		if (strcmp(json_string_value(json_object_get(s, "id")) ?
		    json_string_value(json_object_get(s, "id")) : "", step_id) == 0)
			return s;
	return NULL;
}

/* The definition of template_id at version (new reference) into *out. */
static int
load_def(struct core_ctx *cx, int64_t template_id, int64_t version,
    json_t **out)
{
	db_stmt_t *st;
	const char *text;
	size_t len;
	int rc;

	if (db_prepare(cx->db, "SELECT definition FROM process_template_versions "
	    "WHERE template_id = ? AND version = ?", &st) != DB_OK)
		return db_fail(cx, "definition");
	db_bind_int(st, 1, template_id);
	db_bind_int(st, 2, version);
	rc = db_step(st);
	*out = NULL;
	if (rc == DB_ROW) {
		text = db_col_text(st, 0, &len);
		*out = json_loadb(text, len, 0, NULL);
	}
	db_done(st);
	if (rc != DB_ROW && rc != DB_DONE)
		return db_fail(cx, "definition step");
	if (*out == NULL)
		return core_fail(cx, CRM_ENOTFOUND, "No such template version");
	return CRM_OK;
}

/* ---- people ---- */

/* The owner's department's first head, else 0. */
static int
owner_head(struct core_ctx *cx, int64_t owner, int64_t *out)
{
	db_stmt_t *st;
	int rc;

	*out = 0;
	if (db_prepare(cx->db, "SELECT h.user_id FROM users u JOIN "
	    "department_heads h ON h.department_id = u.department_id JOIN users "
	    "v ON v.id = h.user_id AND v.active = 1 WHERE u.id = ? AND "
	    "h.user_id <> u.id ORDER BY h.id LIMIT 1", &st) != DB_OK)
		return db_fail(cx, "head");
	db_bind_int(st, 1, owner);
	rc = db_step(st);
	if (rc == DB_ROW)
		*out = db_col_int(st, 0);
	db_done(st);
	return rc == DB_ROW || rc == DB_DONE ? CRM_OK : db_fail(cx, "head step");
}

/*
 * The people of a definition's person form into ids (at most max), *n
 * of them: the record's owner, the owner's head, a user, or the active
 * users with a role in the owner's department.
 */
static int
resolve(struct run *r, json_t *who, int64_t *ids, int max, int *n)
{
	int64_t owner = json_integer_value(json_object_get(r->rec, "owner_id"));
	const char *s = json_string_value(who);
	db_stmt_t *st;
	int rc;

	*n = 0;
	if (s != NULL && strcmp(s, "record_owner") == 0) {
		if (owner > 0)
			ids[(*n)++] = owner;
		return CRM_OK;
	}
	if (s != NULL && strcmp(s, "owner_head") == 0) {
		int64_t head;

		rc = owner_head(r->cx, owner, &head);
		if (rc == CRM_OK && head > 0)
			ids[(*n)++] = head;
		return rc;
	}
	if (json_is_integer(json_object_get(who, "user"))) {
		ids[(*n)++] = json_integer_value(json_object_get(who, "user"));
		return CRM_OK;
	}
	if (!json_is_integer(json_object_get(who, "role")))
		return CRM_OK;
	if (db_prepare(r->cx->db, "SELECT v.id FROM users u JOIN users v ON "
	    "v.department_id = u.department_id WHERE u.id = ? AND v.role_id = ? "
	    "AND v.active = 1 ORDER BY v.id", &st) != DB_OK)
		return db_fail(r->cx, "role");
	db_bind_int(st, 1, owner);
	db_bind_int(st, 2, json_integer_value(json_object_get(who, "role")));
	while ((rc = db_step(st)) == DB_ROW && *n < max)
		ids[(*n)++] = db_col_int(st, 0);
	db_done(st);
	return rc == DB_ROW || rc == DB_DONE ? CRM_OK : db_fail(r->cx, "role step");
}

/* One responsible person: the first the form names, else the owner. */
static int
resolve_one(struct run *r, json_t *who, int64_t *id)
{
	int64_t ids[PROCDEF_RECIPIENTS_MAX];
	int n, rc = resolve(r, who, ids, PROCDEF_RECIPIENTS_MAX, &n);

	/* Nobody there (no head, no one with the role): the process owner. */
	if (n > 0)
		*id = ids[0];
	else if (r->owner_id > 0)
		*id = r->owner_id;
	else
		*id = json_integer_value(json_object_get(r->rec, "owner_id"));
	return rc;
}

/* ---- texts ---- */

static const char *
record_name(struct run *r)
{
	static const char *const keys[] = { "title", "name", "subject" };

	for (size_t i = 0; i < sizeof(keys) / sizeof(*keys); i++)
		if (json_is_string(json_object_get(r->rec, keys[i])))
			return json_string_value(json_object_get(r->rec, keys[i]));
	return "";
}

static void
append_value(struct buf *b, json_t *v)
{
	char num[32];

	if (json_is_string(v)) {
		buf_append(b, json_string_value(v), json_string_length(v));
	} else if (json_is_integer(v)) {
		snprintf(num, sizeof(num), "%lld", (long long)json_integer_value(v));
		buf_puts(b, num);
	} else if (json_is_true(v) || json_is_false(v)) {
		buf_puts(b, json_is_true(v) ? "true" : "false");
	}
}

/*
 * The text with its placeholders replaced (docs/processes.md): plain
 * substitution, nothing evaluated; a name not known becomes empty.
 */
static char *
expand(struct run *r, json_t *step, const char *text)
{
	struct buf b;
	const char *p = text != NULL ? text : "", *open, *close;
	char name[160], num[32];

	buf_init(&b, PROCDEF_TEXT_MAX * 4 + 4096);
	while ((open = strstr(p, "{{")) != NULL) {
		size_t nlen;
		const char *s;

		buf_append(&b, p, (size_t)(open - p));
		close = strstr(open + 2, "}}");
		if (close == NULL)
			break;
		s = open + 2;
		while (s < close && *s == ' ')
			s++;
		nlen = (size_t)(close - s);
		while (nlen > 0 && s[nlen - 1] == ' ')
			nlen--;
		if (nlen < sizeof(name)) {
			memcpy(name, s, nlen);
			name[nlen] = '\0';
			if (strcmp(name, "process.name") == 0) {
				append_value(&b, json_object_get(r->def, "name"));
			} else if (strcmp(name, "step.name") == 0) {
				append_value(&b, json_object_get(step, "name"));
			} else if (strcmp(name, "record.id") == 0) {
				snprintf(num, sizeof(num), "%lld", (long long)r->record_id);
				buf_puts(&b, num);
			} else if (strcmp(name, "record.name") == 0) {
				buf_puts(&b, record_name(r));
			} else if (strncmp(name, "record.custom.", 14) == 0) {
				append_value(&b, json_object_get(json_object_get(r->rec,
				    "custom"), name + 14));
			} else if (strncmp(name, "record.", 7) == 0) {
				append_value(&b, json_object_get(r->rec, name + 7));
			}
		}
		p = close + 2;
	}
	buf_puts(&b, p);
	return buf_steal(&b);
}

/* ---- conditions ---- */

static json_t *
field_value(json_t *rec, const char *field)
{
	if (strncmp(field, "custom.", 7) == 0)
		return json_object_get(json_object_get(rec, "custom"), field + 7);
	return json_object_get(rec, field);
}

static bool
is_empty(json_t *v)
{
	return v == NULL || json_is_null(v) || (json_is_string(v) &&
	    json_string_length(v) == 0) || (json_is_array(v) &&
	    json_array_size(v) == 0);
}

/*
 * Orders a and b: integers as numbers, RFC 3339 times by their instant,
 * other strings (dates, decimals of the same scale) as text. *ok false
 * when they do not compare.
 */
static int
order(json_t *a, json_t *b, bool *ok)
{
	int64_t x, y;

	*ok = true;
	if (json_is_integer(a) && json_is_integer(b)) {
		x = json_integer_value(a);
		y = json_integer_value(b);
		return x < y ? -1 : x > y;
	}
	if (json_is_object(a) && json_is_object(b))	/* money: same currency */
		return json_equal(json_object_get(a, "currency"),
		    json_object_get(b, "currency")) ? order(json_object_get(a,
		    "amount"), json_object_get(b, "amount"), ok) : (*ok = false, 0);
	if (json_is_string(a) && json_is_string(b)) {
		if (time_parse_datetime(json_string_value(a), json_string_length(a),
		    &x) == 0 && time_parse_datetime(json_string_value(b),
		    json_string_length(b), &y) == 0)
			return x < y ? -1 : x > y;
		return strcmp(json_string_value(a), json_string_value(b));
	}
	*ok = false;
	return 0;
}

static bool
same(json_t *a, json_t *b)
{
	bool ok;

	if (a == NULL || b == NULL)
		return false;
	if (json_equal(a, b))
		return true;
	if (json_is_array(a)) {		/* a multichoice holds the value */
		json_t *x;
		size_t i;

		json_array_foreach(a, i, x)
			if (json_equal(x, b))
				return true;
		return false;
	}
	return order(a, b, &ok) == 0 && ok;
}

static bool cond_eval(json_t *c, json_t *rec, int depth);

bool
prun_cond_holds(json_t *cond, json_t *rec)
{
	return cond_eval(cond, rec, 0);
}

static bool
cond_eval(json_t *c, json_t *rec, int depth)
{
	json_t *list, *x, *v, *want;
	const char *op;
	size_t i;
	int cmp;
	bool ok;

	if (depth > PROCDEF_COND_DEPTH + 1)
		return false;
	if ((list = json_object_get(c, "all")) != NULL) {
		json_array_foreach(list, i, x)
			if (!cond_eval(x, rec, depth + 1))
				return false;
		return true;
	}
	if ((list = json_object_get(c, "any")) != NULL) {
		json_array_foreach(list, i, x)
			if (cond_eval(x, rec, depth + 1))
				return true;
		return false;
	}
	op = json_string_value(json_object_get(c, "op"));
	v = field_value(rec, json_string_value(json_object_get(c, "field")) ?
	    json_string_value(json_object_get(c, "field")) : "");
	want = json_object_get(c, "value");
	if (op == NULL)
		return false;
	if (strcmp(op, "empty") == 0)
		return is_empty(v);
	if (strcmp(op, "not_empty") == 0)
		return !is_empty(v);
	if (strcmp(op, "changed") == 0)
		return false;	/* no write is looked at when a step runs */
	if (strcmp(op, "eq") == 0)
		return same(v, want);
	if (strcmp(op, "ne") == 0)
		return !same(v, want);
	if (strcmp(op, "in") == 0) {
		json_array_foreach(want, i, x)
			if (same(v, x))
				return true;
		return false;
	}
	if (is_empty(v))
		return false;
	cmp = order(v, want, &ok);
	if (!ok)
		return false;
	if (strcmp(op, "gt") == 0)
		return cmp > 0;
	if (strcmp(op, "gte") == 0)
		return cmp >= 0;
	if (strcmp(op, "lt") == 0)
		return cmp < 0;
	if (strcmp(op, "lte") == 0)
		return cmp <= 0;
	return false;
}

/* ---- time ---- */

/*
 * The moment {amount, unit} after from: calendar units plainly, working
 * units on the calendar of user_id's department (a work day is
 * PRUN_WORK_DAY_MIN working minutes).
 */
static int
add_span(struct core_ctx *cx, json_t *span, int64_t user_id, int64_t from,
    int64_t *out)
{
	int64_t amount = json_integer_value(json_object_get(span, "amount"));
	const char *unit = json_string_value(json_object_get(span, "unit"));
	struct workcal *cal = NULL;
	int64_t minutes;
	int rc;

	if (unit == NULL)
		unit = "hours";
	if (strcmp(unit, "minutes") == 0) {
		*out = from + amount * 60000;
		return CRM_OK;
	}
	if (strcmp(unit, "hours") == 0) {
		*out = from + amount * 3600000;
		return CRM_OK;
	}
	if (strcmp(unit, "days") == 0) {
		*out = from + amount * 86400000;
		return CRM_OK;
	}
	minutes = strcmp(unit, "work_days") == 0 ? amount * PRUN_WORK_DAY_MIN :
	    amount * 60;
	rc = workcal_for_user(cx, user_id, &cal);
	if (rc != CRM_OK)
		return rc;
	if (workcal_add(cal, from, minutes, out) != 0)
		rc = core_fail(cx, CRM_EINVAL, "The deadline is not reached on the "
		    "working calendar");
	workcal_free(cal);
	return rc;
}

static int
enqueue_timer(struct core_ctx *cx, int64_t step_row, const char *what,
    int64_t at)
{
	json_t *p = json_pack("{s:I,s:s}", "step", (json_int_t)step_row, "what",
	    what);
	int64_t job;
	int rc = job_enqueue(cx, "process_timer", p, at, NULL, &job);

	json_decref(p);
	return rc;
}

/* ---- moving on ---- */

static int enter(struct run *r, const char *step_id);

/* Marks the instance failed with why; the caller's transaction commits it. */
static int
fail_instance(struct run *r, const char *step_id, const char *why)
{
	log_warn("process instance %lld failed at %s: %s", (long long)r->id,
	    step_id, why);
	return core_exec(r->cx, "UPDATE process_instances SET status = 'failed', "
	    "error = ?, finished_at = ? WHERE id = ? AND status = 'running'",
	    "sii", why, time_now_ms(), r->id);
}

/* Ends step row with status and outcome, only while it waits. */
static int
finish_step(struct core_ctx *cx, int64_t row, const char *status,
    const char *outcome, const char *comment, int64_t by, bool *won)
{
	int rc = core_exec(cx, "UPDATE process_steps SET status = ?, outcome = ?, "
	    "comment = ?, done_at = ?, done_by = ? WHERE id = ? AND status = "
	    "'waiting'", "sssini", status, outcome, comment, time_now_ms(), by,
	    row);

	*won = rc == CRM_OK && db_changes(cx->db) == 1;
	return rc;
}

static int
new_step(struct run *r, json_t *s, int64_t *row)
{
	db_stmt_t *st;
	const char *id = json_string_value(json_object_get(s, "id"));
	const char *kind = json_string_value(json_object_get(s, "kind"));
	const char *name = json_string_value(json_object_get(s, "name"));
	int rc;

	if (db_prepare(r->cx->db, "INSERT INTO process_steps (instance_id, "
	    "step_id, kind, name, status, started_at) VALUES (?, ?, ?, ?, "
	    "'waiting', ?) RETURNING id", &st) != DB_OK)
		return db_fail(r->cx, "step");
	db_bind_int(st, 1, r->id);
	db_bind_text(st, 2, id, strlen(id));
	db_bind_text(st, 3, kind, strlen(kind));
	db_bind_text(st, 4, name ? name : "", name ? strlen(name) : 0);
	db_bind_int(st, 5, time_now_ms());
	rc = db_step(st);
	*row = rc == DB_ROW ? db_col_int(st, 0) : 0;
	db_done(st);
	if (rc != DB_ROW)
		return db_fail(r->cx, "step insert");
	return core_exec(r->cx, "UPDATE process_instances SET current_step = ? WHERE "
	    "id = ?", "si", id, r->id);
}

/* The link member of a task about a record of e. */
static const char *
link_field(const struct entity *e)
{
	if (e == &entity_deals)
		return "deal_id";
	if (e == &entity_companies)
		return "company_id";
	if (e == &entity_contacts)
		return "contact_id";
	return NULL;
}

/*
 * A step's task would overload its assignee on its due day (workload.h):
 * the assignee and the process owner are told, as the task form warns a
 * person who plans by hand. A check that cannot run warns nobody.
 */
static int
warn_overload(struct run *r, json_t *s, int64_t assignee, int64_t task_id,
    int64_t due)
{
	json_t *in, *out = NULL;
	const char *day;
	char body[200];
	int64_t owner = r->owner_id > 0 ? r->owner_id :
	    json_integer_value(json_object_get(r->rec, "owner_id"));
	int rc;

	in = json_pack("{s:I, s:o, s:I}", "user_id", (json_int_t)assignee,
	    "due_at", time_json(due, false), "activity_id", (json_int_t)task_id);
	rc = workload_check(r->sys, in, &out);
	json_decref(in);
	if (rc != CRM_OK || !json_is_true(json_object_get(out, "overloaded"))) {
		json_decref(out);
		return CRM_OK;
	}
	day = json_string_value(json_object_get(out, "day"));
	if (json_is_integer(json_object_get(out, "load_after")))
		snprintf(body, sizeof(body), "This step's task overloads its "
		    "assignee on %s (%lld %% of their working time).",
		    day != NULL ? day : "its due day", (long long)
		    json_integer_value(json_object_get(out, "load_after")));
	else
		snprintf(body, sizeof(body), "This step's task is due on %s, "
		    "a day its assignee does not work.", day != NULL ? day :
		    "a day");
	json_decref(out);
	rc = notify_user(r->sys, assignee, "process_overload", json_string_value(
	    json_object_get(s, "name")), body, r->e, r->record_id, false, NULL);
	if (rc == CRM_OK && owner > 0 && owner != assignee)
		rc = notify_user(r->sys, owner, "process_overload",
		    json_string_value(json_object_get(s, "name")), body, r->e,
		    r->record_id, false, NULL);
	return rc;
}

/* A task or an approval: the activity task, its deadline timer. */
static int
enter_task(struct run *r, json_t *s, int64_t row)
{
	json_t *who = json_object_get(s, json_object_get(s, "approver") ?
	    "approver" : "responsible"), *task, *made = NULL;
	json_t *deadline = json_object_get(s, "deadline");
	const char *text = json_string_value(json_object_get(s, "text"));
	const char *lf = link_field(r->e);
	int64_t assignee, due = 0, task_id;
	char *body = NULL;
	int rc = resolve_one(r, who, &assignee);

	if (rc == CRM_OK && deadline != NULL)
		rc = add_span(r->cx, deadline, assignee, time_now_ms(), &due);
	if (rc != CRM_OK)
		return rc;
	task = json_pack("{s:s,s:O,s:I}", "kind", "task", "subject",
	    json_object_get(s, "name"), "owner_id", (json_int_t)assignee);
	if (lf != NULL)
		json_object_set_new(task, lf, json_integer(r->record_id));
	if (text != NULL) {
		body = expand(r, s, text);
		json_object_set_new(task, "body", json_string(body));
		free(body);
	}
	if (due > 0)
		json_object_set_new(task, "due_at", time_json(due, false));
	rc = rec_create_txn(r->sys, &entity_activities, task, &made);
	json_decref(task);
	if (rc != CRM_OK) {
		snprintf(r->cx->detail, sizeof(r->cx->detail), "%s", r->sys->detail);
		json_decref(made);
		return rc;
	}
	task_id = json_integer_value(json_object_get(made, "id"));
	json_decref(made);
	rc = core_exec(r->cx, "UPDATE process_steps SET assignee_id = ?, task_id = ?, "
	    "due_at = ? WHERE id = ?", "iini", assignee, task_id, due, row);
	/* The task names its step; read-only fields the engine sets itself. */
	if (rc == CRM_OK)
		rc = core_exec(r->cx, "UPDATE activities SET process_instance_id = ?, "
		    "process_step_id = ? WHERE id = ?", "iii", r->id, row, task_id);
	if (rc == CRM_OK && due > 0)
		rc = enqueue_timer(r->cx, row, "deadline", due);
	if (rc == CRM_OK && due > 0)
		rc = warn_overload(r, s, assignee, task_id, due);
	return rc;
}

static int
enter_wait(struct run *r, json_t *s, int64_t row, bool *later)
{
	json_t *f = json_object_get(s, "until_field");
	json_t *deadline = json_object_get(s, "deadline");
	int64_t at = 0, due = 0;
	bool ok = true;
	int rc = CRM_OK;

	*later = true;
	if (json_object_get(s, "duration") != NULL) {
		rc = add_span(r->cx, json_object_get(s, "duration"), r->owner_id,
		    time_now_ms(), &at);
	} else if (f != NULL) {
		json_t *v = field_value(r->rec, json_string_value(f));
		int64_t days;

		if (json_is_string(v) && time_parse_datetime(json_string_value(v),
		    json_string_length(v), &at) == 0)
			;
		else if (json_is_string(v) && time_parse_date(json_string_value(v),
		    json_string_length(v), &days) == 0)
			at = days * 86400000;
		else
			ok = false;
	}
	/* until_changed: no timer; the record's next write that changes the
	 * field ends it (prun_on_write). */
	if (rc != CRM_OK)
		return rc;
	if (f != NULL && (!ok || at <= time_now_ms())) {
		/* No date, or a date gone by: nothing to wait for. */
		*later = false;
		return CRM_OK;
	}
	if (deadline != NULL)
		rc = add_span(r->cx, deadline, r->owner_id, time_now_ms(), &due);
	if (rc == CRM_OK)
		rc = core_exec(r->cx, "UPDATE process_steps SET wake_at = ?, due_at "
		    "= ? WHERE id = ?", "nni", at, due, row);
	if (rc == CRM_OK && at > 0)
		rc = enqueue_timer(r->cx, row, "wake", at);
	if (rc == CRM_OK && due > 0)
		rc = enqueue_timer(r->cx, row, "deadline", due);
	return rc;
}

static int
enter_notify(struct run *r, json_t *s, bool mail)
{
	int64_t ids[PROCDEF_RECIPIENTS_MAX];
	json_t *who;
	size_t i;
	int rc = CRM_OK;
	char *title = expand(r, s, mail ? json_string_value(json_object_get(s,
	    "subject")) : json_string_value(json_object_get(s, "name")));
	char *text = expand(r, s, json_string_value(json_object_get(s, "text")));

	json_array_foreach(json_object_get(s, "to"), i, who) {
		int n;

		rc = resolve(r, who, ids, PROCDEF_RECIPIENTS_MAX, &n);
		for (int k = 0; k < n && rc == CRM_OK; k++) {
			if (!mail) {
				rc = notify_user(r->sys, ids[k], "process", title, text,
				    r->e, r->record_id, false, NULL);
				continue;
			}
			db_stmt_t *st;
			char email[256] = "";

			if (db_prepare(r->cx->db, "SELECT email FROM users WHERE id = ? "
			    "AND active = 1", &st) != DB_OK) {
				rc = db_fail(r->cx, "email");
				break;
			}
			db_bind_int(st, 1, ids[k]);
			if (db_step(st) == DB_ROW)
				snprintf(email, sizeof(email), "%s", db_col_text(st, 0,
				    NULL));
			db_done(st);
			if (email[0] != '\0')
				rc = mail_queue(r->sys, email, title, text, NULL);
		}
		if (rc != CRM_OK)
			break;
	}
	free(title);
	free(text);
	return rc;
}

/* A record the process writes: the engine's rules, as the system. */
static int
write_field(struct run *r, json_t *patch)
{
	json_t *out = NULL;
	int rc = rec_update_txn(r->sys, r->e, r->record_id, -1, patch, &out);

	if (rc == CRM_OK) {
		json_decref(r->rec);
		r->rec = out;
	} else if (r->sys->errs.n > 0) {
		snprintf(r->cx->detail, sizeof(r->cx->detail), "%.90s: %.160s",
		    r->sys->errs.items[0].field, r->sys->errs.items[0].message);
	} else {
		snprintf(r->cx->detail, sizeof(r->cx->detail), "%s", r->sys->detail);
	}
	return rc;
}

static int start_instance(struct core_ctx *cx, struct core_ctx *sys,
    int64_t template_id, const struct entity *e, int64_t record_id,
    int64_t owner, int64_t parent, int depth, bool by_hand, int64_t *id);

/*
 * Runs an automatic step; *next is the id of the step that follows (NULL:
 * none, the process ended or failed), *outcome what was done.
 */
static int
run_auto(struct run *r, json_t *s, const char *kind, const char **next,
    const char **outcome, bool *soft_fail)
{
	json_t *patch, *v;
	int rc = CRM_OK;

	*next = json_string_value(json_object_get(s, "next"));
	*outcome = NULL;
	*soft_fail = false;
	if (strcmp(kind, "condition") == 0) {
		json_t *cases = json_object_get(s, "cases"), *c;
		size_t i;

		if (cases == NULL) {
			bool t = cond_eval(json_object_get(s, "condition"), r->rec, 0);

			*outcome = t ? "true" : "false";
			*next = json_string_value(json_object_get(json_object_get(s,
			    "branches"), *outcome));
			return CRM_OK;
		}
		*outcome = "default";
		*next = json_string_value(json_object_get(s, "default"));
		json_array_foreach(cases, i, c)
			if (cond_eval(json_object_get(c, "condition"), r->rec, 0)) {
				*outcome = "case";
				*next = json_string_value(json_object_get(c, "next"));
				break;
			}
		return CRM_OK;
	}
	if (strcmp(kind, "set_field") == 0 || strcmp(kind, "move_stage") == 0) {
		const char *f = json_string_value(json_object_get(s, "field"));

		v = json_object_get(s, kind[0] == 's' ? "value" : "stage_id");
		if (kind[0] == 'm')
			patch = json_pack("{s:O}", "stage_id", v);
		else if (strncmp(f, "custom.", 7) == 0)
			patch = json_pack("{s:{s:O}}", "custom", f + 7, v);
		else if (json_is_string(v)) {
			char *t = expand(r, s, json_string_value(v));

			patch = json_pack("{s:s}", f, t);
			free(t);
		} else
			patch = json_pack("{s:O}", f, v);
		rc = write_field(r, patch);
		json_decref(patch);
		if (rc == CRM_EINVAL || rc == CRM_ENOTFOUND || rc == CRM_ECONFLICT)
			*soft_fail = true;
		*outcome = "written";
		return rc;
	}
	if (strcmp(kind, "notify") == 0 || strcmp(kind, "email") == 0) {
		*outcome = "sent";
		return enter_notify(r, s, kind[0] == 'e');
	}
	if (strcmp(kind, "create_record") == 0) {
		const struct entity *ce = procdef_entity(json_string_value(
		    json_object_get(s, "entity")));
		json_t *made = NULL;

		if (ce == NULL) {
			*soft_fail = true;
			return core_fail(r->cx, CRM_EINVAL, "no such entity");
		}
		rc = rec_create_txn(r->sys, ce, json_object_get(s, "values"), &made);
		json_decref(made);
		if (rc != CRM_OK) {
			snprintf(r->cx->detail, sizeof(r->cx->detail), "%s",
			    r->sys->errs.n > 0 ? r->sys->errs.items[0].message :
			    r->sys->detail);
			*soft_fail = rc == CRM_EINVAL;
		}
		*outcome = "created";
		return rc;
	}
	if (strcmp(kind, "start_process") == 0) {
		db_stmt_t *st;
		const char *key = json_string_value(json_object_get(s, "template"));
		int64_t tid = 0, child;
		char ent[32] = "";

		if (r->depth + 1 > PRUN_DEPTH_MAX) {
			*soft_fail = true;
			return core_fail(r->cx, CRM_EINVAL, "processes started by "
			    "processes nest more than %d deep", PRUN_DEPTH_MAX);
		}
		if (db_prepare(r->cx->db, "SELECT id, entity FROM process_templates "
		    "WHERE key = ? AND status = 'active'", &st) != DB_OK)
			return db_fail(r->cx, "child");
		db_bind_text(st, 1, key ? key : "", key ? strlen(key) : 0);
		if (db_step(st) == DB_ROW) {
			tid = db_col_int(st, 0);
			snprintf(ent, sizeof(ent), "%s", db_col_text(st, 1, NULL));
		}
		db_done(st);
		if (tid == 0 || strcmp(ent, r->e->name) != 0) {
			*soft_fail = true;
			return core_fail(r->cx, CRM_EINVAL, "template '%.64s' is not "
			    "an active template on %s", key ? key : "", r->e->name);
		}
		*outcome = "started";
		return start_instance(r->cx, r->sys, tid, r->e, r->record_id,
		    r->owner_id, r->id, r->depth + 1, false, &child);
	}
	*soft_fail = true;
	return core_fail(r->cx, CRM_EINVAL, "unknown step kind");
}

/*
 * A step that could not do its work (a field the record refuses, a
 * person who cannot hold a task): the step and the instance fail,
 * recorded with why, and the write that moved the instance on goes
 * through rather than being refused for the process's sake.
 */
static int
step_failed(struct run *r, int64_t row, const char *step_id)
{
	char why[256];
	bool won;
	int rc;

	snprintf(why, sizeof(why), "%s", r->cx->detail[0] ? r->cx->detail :
	    r->sys->detail);
	r->cx->errs.n = 0;
	r->cx->errs.dropped = 0;
	r->cx->detail[0] = '\0';
	rc = finish_step(r->cx, row, "failed", why, NULL, 0, &won);
	return rc == CRM_OK ? fail_instance(r, step_id, why) : rc;
}

/*
 * Enters step_id and runs on through automatic steps until a step waits
 * or the process ends. A step that cannot do its work (a field the
 * record refuses) fails the instance, recorded, rather than the caller's
 * write.
 */
static int
enter(struct run *r, const char *step_id)
{
	char cur[PROCDEF_KEY_MAX + 1];
	int rc = CRM_OK;

	if (step_id == NULL)
		return fail_instance(r, "?", "a step has no next step");
	snprintf(cur, sizeof(cur), "%s", step_id);
	for (int guard = 0; guard < PRUN_AUTO_STEPS_MAX; guard++) {
		json_t *s = step_def(r->def, cur);
		const char *kind, *next, *outcome;
		int64_t row = 0;
		bool won, soft, later;

		if (s == NULL)
			return fail_instance(r, cur, "the step does not exist");
		kind = json_string_value(json_object_get(s, "kind"));
		rc = new_step(r, s, &row);
		if (rc != CRM_OK)
			return rc;
		if (strcmp(kind, "task") == 0 || strcmp(kind, "approval") == 0) {
			rc = enter_task(r, s, row);
			return rc == CRM_OK || rc == CRM_EDB ? rc : step_failed(r,
			    row, cur);
		}
		if (strcmp(kind, "webhook") == 0) {
			/* Called by a job, outside the transaction (prun_webhook_run). */
			json_t *p = json_pack("{s:I}", "step", (json_int_t)row);
			int64_t job;

			rc = job_enqueue(r->cx, "process_webhook", p, time_now_ms(),
			    NULL, &job);
			json_decref(p);
			return rc;
		}
		if (strcmp(kind, "wait") == 0) {
			rc = enter_wait(r, s, row, &later);
			if (rc != CRM_OK && rc != CRM_EDB)
				return step_failed(r, row, cur);
			if (rc != CRM_OK || later)
				return rc;
			next = json_string_value(json_object_get(s, "next"));
			outcome = "nothing to wait for";
		} else if (strcmp(kind, "end") == 0) {
			rc = finish_step(r->cx, row, "done", "ended", NULL, 0, &won);
			if (rc == CRM_OK)
				rc = core_exec(r->cx, "UPDATE process_instances SET status = "
				    "'completed', current_step = NULL, finished_at = ? "
				    "WHERE id = ? AND status = 'running'", "ii",
				    time_now_ms(), r->id);
			return rc;
		} else {
			rc = run_auto(r, s, kind, &next, &outcome, &soft);
			if (rc != CRM_OK && (soft || rc != CRM_EDB))
				return step_failed(r, row, cur);
			if (rc != CRM_OK)
				return rc;
		}
		rc = finish_step(r->cx, row, "done", outcome, NULL, 0, &won);
		if (rc != CRM_OK)
			return rc;
		if (next == NULL)
			return fail_instance(r, cur, "the step has no next step");
		snprintf(cur, sizeof(cur), "%s", next);
	}
	return fail_instance(r, cur, "more than 200 automatic steps in a row: "
	    "a loop without a waiting step");
}

/* Loads instance id (running) into r, with its definition and record. */
static int
run_load(struct core_ctx *cx, struct core_ctx *sys, int64_t id, struct run *r,
    bool *running)
{
	db_stmt_t *st;
	int64_t tid = 0, version = 0;
	char ent[32] = "", status[16] = "";
	int rc;

	memset(r, 0, sizeof(*r));
	r->cx = cx;
	r->sys = sys;
	r->id = id;
	if (db_prepare(cx->db, "SELECT template_id, version, entity, record_id, "
	    "COALESCE(owner_id, 0), depth, status FROM process_instances WHERE "
	    "id = ?", &st) != DB_OK)
		return db_fail(cx, "instance");
	db_bind_int(st, 1, id);
	rc = db_step(st);
	if (rc == DB_ROW) {
		tid = db_col_int(st, 0);
		version = db_col_int(st, 1);
		snprintf(ent, sizeof(ent), "%s", db_col_text(st, 2, NULL));
		r->record_id = db_col_int(st, 3);
		r->owner_id = db_col_int(st, 4);
		r->depth = (int)db_col_int(st, 5);
		snprintf(status, sizeof(status), "%s", db_col_text(st, 6, NULL));
	}
	db_done(st);
	if (rc == DB_DONE)
		return core_fail(cx, CRM_ENOTFOUND, "No such process instance");
	if (rc != DB_ROW)
		return db_fail(cx, "instance step");
	*running = strcmp(status, "running") == 0;
	if (sys->proc_depth < r->depth + 1)
		sys->proc_depth = r->depth + 1;
	r->e = procdef_entity(ent);
	if (r->e == NULL)
		return core_fail(cx, CRM_ENOTFOUND, "No such process instance");
	rc = load_def(cx, tid, version, &r->def);
	if (rc == CRM_OK)
		rc = rec_get(sys, r->e, r->record_id, false, &r->rec);
	if (rc == CRM_ENOTFOUND) {
		/* The record went to the trash: the process has nothing to run on. */
		r->rec = json_object();
		return CRM_OK;
	}
	return rc;
}

static void
run_free(struct run *r)
{
	json_decref(r->def);
	json_decref(r->rec);
}

static int
start_instance(struct core_ctx *cx, struct core_ctx *sys, int64_t template_id,
    const struct entity *e, int64_t record_id, int64_t owner, int64_t parent,
    int depth, bool by_hand, int64_t *id)
{
	struct run r;
	db_stmt_t *st;
	int64_t version = 0;
	bool running;
	int rc;

	if (db_prepare(cx->db, "SELECT current_version FROM process_templates "
	    "WHERE id = ?", &st) != DB_OK)
		return db_fail(cx, "template");
	db_bind_int(st, 1, template_id);
	if (db_step(st) == DB_ROW)
		version = db_col_int(st, 0);
	db_done(st);
	if (db_prepare(cx->db, "INSERT INTO process_instances (template_id, "
	    "version, entity, record_id, status, started_by, owner_id, parent_id, "
	    "depth, started_at) VALUES (?, ?, ?, ?, 'running', ?, ?, ?, ?, ?) "
	    "RETURNING id", &st) != DB_OK)
		return db_fail(cx, "start");
	db_bind_int(st, 1, template_id);
	db_bind_int(st, 2, version);
	db_bind_text(st, 3, e->name, strlen(e->name));
	db_bind_int(st, 4, record_id);
	if (by_hand)
		core_bind_actor(cx, st, 5);
	else
		db_bind_null(st, 5);
	if (owner > 0)
		db_bind_int(st, 6, owner);
	else
		db_bind_null(st, 6);
	if (parent > 0)
		db_bind_int(st, 7, parent);
	else
		db_bind_null(st, 7);
	db_bind_int(st, 8, depth);
	db_bind_int(st, 9, time_now_ms());
	rc = db_step(st);
	*id = rc == DB_ROW ? db_col_int(st, 0) : 0;
	db_done(st);
	if (rc != DB_ROW)
		return db_fail(cx, "start insert");
	rc = run_load(cx, sys, *id, &r, &running);
	if (rc == CRM_OK)
		rc = enter(&r, json_string_value(json_object_get(r.def, "start")));
	run_free(&r);
	return rc;
}

/* Leaves waiting step row along outcome's edge, if it still waits. */
static int
leave_step(struct core_ctx *cx, struct core_ctx *sys, int64_t row,
    const char *status, const char *outcome, const char *comment, int64_t by,
    const char *forced_next, bool *won)
{
	struct run r;
	db_stmt_t *st;
	int64_t inst = 0;
	char step_id[PROCDEF_KEY_MAX + 1] = "", kind[32] = "";
	const char *next;
	json_t *s;
	bool running;
	int rc;

	*won = false;
	if (db_prepare(cx->db, "SELECT instance_id, step_id, kind FROM "
	    "process_steps WHERE id = ?", &st) != DB_OK)
		return db_fail(cx, "leave");
	db_bind_int(st, 1, row);
	if (db_step(st) == DB_ROW) {
		inst = db_col_int(st, 0);
		snprintf(step_id, sizeof(step_id), "%s", db_col_text(st, 1, NULL));
		snprintf(kind, sizeof(kind), "%s", db_col_text(st, 2, NULL));
	}
	db_done(st);
	if (inst == 0)
		return core_fail(cx, CRM_ENOTFOUND, "No such process step");
	rc = finish_step(cx, row, status, outcome, comment, by, won);
	if (rc != CRM_OK || !*won)
		return rc;
	rc = run_load(cx, sys, inst, &r, &running);
	if (rc == CRM_OK && running) {
		s = step_def(r.def, step_id);
		if (forced_next != NULL)
			next = forced_next;
		else if (strcmp(kind, "approval") == 0)
			next = json_string_value(json_object_get(json_object_get(s,
			    "branches"), outcome));
		else
			next = json_string_value(json_object_get(s, "next"));
		rc = enter(&r, next);
	}
	run_free(&r);
	return rc;
}

/* ---- the calls ---- */

int
prun_start(struct core_ctx *cx, json_t *in, json_t **out)
{
	const char *ename = json_string_value(json_object_get(in, "entity"));
	json_t *tv = json_object_get(in, "template_id");
	json_t *rv = json_object_get(in, "record_id");
	const struct entity *e = ename ? procdef_entity(ename) : NULL;
	struct core_ctx *sys;
	db_stmt_t *st;
	char tent[32] = "", tstatus[16] = "";
	int64_t id = 0;
	int rc;

	*out = NULL;
	if (!json_is_integer(tv) || json_integer_value(tv) < 1)
		verrs_add(&cx->errs, "template_id", "is required: the id of a "
		    "process template");
	if (e == NULL)
		verrs_add(&cx->errs, "entity", "must be deals, companies, contacts "
		    "or activities");
	if (!json_is_integer(rv) || json_integer_value(rv) < 1)
		verrs_add(&cx->errs, "record_id", "is required: the id of the "
		    "record to run the process on");
	if (cx->errs.n > 0)
		return core_invalid(cx);
	if (db_begin(cx->db) != DB_OK)
		return db_fail(cx, "begin");
	rc = access_check(cx, e, ACC_READ, json_integer_value(rv), false);
	if (rc != CRM_OK)
		return core_txn_end(cx, rc, NULL);
	if (db_prepare(cx->db, "SELECT entity, status FROM process_templates "
	    "WHERE id = ?", &st) != DB_OK)
		return core_txn_end(cx, db_fail(cx, "template"), NULL);
	db_bind_int(st, 1, json_integer_value(tv));
	rc = db_step(st);
	if (rc == DB_ROW) {
		snprintf(tent, sizeof(tent), "%s", db_col_text(st, 0, NULL));
		snprintf(tstatus, sizeof(tstatus), "%s", db_col_text(st, 1, NULL));
	}
	db_done(st);
	if (rc != DB_ROW)
		verrs_add(&cx->errs, "template_id", "names no process template");
	else if (strcmp(tstatus, "active") != 0)
		verrs_add(&cx->errs, "template_id", "names an archived template");
	else if (strcmp(tent, e->name) != 0)
		verrs_add(&cx->errs, "entity", "the template runs on %s, not %s",
		    tent, e->name);
	if (cx->errs.n > 0)
		return core_txn_end(cx, core_invalid(cx), NULL);
	sys = sys_ctx(cx);
	rc = start_instance(cx, sys, json_integer_value(tv), e,
	    json_integer_value(rv), cx->actor.user_id, 0, cx->proc_depth, true,
	    &id);
	if (rc == CRM_OK)
		rc = audit_detail(cx, "process.started", e->name,
		    json_integer_value(rv), json_pack("{s:I,s:I}", "instance_id",
		    (json_int_t)id, "template_id", (json_int_t)json_integer_value(tv)));
	free(sys);
	rc = core_txn_end(cx, rc, NULL);
	if (rc != CRM_OK)
		return rc;
	return prun_get(cx, id, out);
}

/* The display name of the instance's record, as its own page titles it. */
#define RECORD_NAME "CASE i.entity " \
	"WHEN 'deals' THEN (SELECT r.title FROM deals r WHERE r.id = i.record_id) " \
	"WHEN 'companies' THEN (SELECT r.name FROM companies r WHERE r.id = " \
	"i.record_id) WHEN 'contacts' THEN (SELECT TRIM(COALESCE(r.first_name, " \
	"'') || ' ' || COALESCE(r.last_name, '')) FROM contacts r WHERE r.id = " \
	"i.record_id) WHEN 'activities' THEN (SELECT r.subject FROM activities " \
	"r WHERE r.id = i.record_id) END"
/* The instance's row as JSON (without steps) from a row of INST_COLS. */
#define INST_COLS "i.id, i.template_id, t.name, i.version, i.entity, " \
	"i.record_id, i.status, i.current_step, s.name, s.assignee_id, " \
	"s.started_at, s.due_at, s.overdue_at, i.started_at, i.finished_at, " \
	"i.started_by, i.owner_id, i.error, s.id, " RECORD_NAME
#define INST_FROM " FROM process_instances i JOIN process_templates t ON " \
	"t.id = i.template_id LEFT JOIN process_steps s ON s.instance_id = " \
	"i.id AND s.status = 'waiting' AND s.id = (SELECT MAX(x.id) FROM " \
	"process_steps x WHERE x.instance_id = i.id AND x.status = 'waiting')"

static json_t *
col_int_or_null(db_stmt_t *st, int i)
{
	return db_col_null(st, i) ? json_null() : json_integer(db_col_int(st, i));
}

static json_t *
col_text_or_null(db_stmt_t *st, int i)
{
	return db_col_null(st, i) ? json_null() : json_string(db_col_text(st, i,
	    NULL));
}

static json_t *
inst_json(db_stmt_t *st)
{
	json_t *o = json_object();

	json_object_set_new(o, "id", json_integer(db_col_int(st, 0)));
	json_object_set_new(o, "template_id", json_integer(db_col_int(st, 1)));
	json_object_set_new(o, "template_name", col_text_or_null(st, 2));
	json_object_set_new(o, "version", json_integer(db_col_int(st, 3)));
	json_object_set_new(o, "entity", col_text_or_null(st, 4));
	json_object_set_new(o, "record_id", json_integer(db_col_int(st, 5)));
	json_object_set_new(o, "record_name", col_text_or_null(st, 19));
	json_object_set_new(o, "status", col_text_or_null(st, 6));
	json_object_set_new(o, "current_step", col_text_or_null(st, 7));
	json_object_set_new(o, "current_step_name", col_text_or_null(st, 8));
	json_object_set_new(o, "waiting_step", col_int_or_null(st, 18));
	json_object_set_new(o, "assignee_id", col_int_or_null(st, 9));
	json_object_set_new(o, "waiting_since", time_json(db_col_int(st, 10),
	    db_col_null(st, 10)));
	json_object_set_new(o, "due_at", time_json(db_col_int(st, 11),
	    db_col_null(st, 11)));
	json_object_set_new(o, "overdue", json_boolean(!db_col_null(st, 12)));
	json_object_set_new(o, "started_at", time_json(db_col_int(st, 13), false));
	json_object_set_new(o, "finished_at", time_json(db_col_int(st, 14),
	    db_col_null(st, 14)));
	json_object_set_new(o, "started_by", col_int_or_null(st, 15));
	json_object_set_new(o, "owner_id", col_int_or_null(st, 16));
	json_object_set_new(o, "error", col_text_or_null(st, 17));
	return o;
}

/* May the actor see the instance on (e, record_id)? */
static int
may_see(struct core_ctx *cx, const char *entity, int64_t record_id)
{
	const struct entity *e = procdef_entity(entity);

	if (e == NULL)
		return CRM_ENOTFOUND;
	return access_check(cx, e, ACC_READ, record_id, false);
}

int
prun_list(struct core_ctx *cx, const char *status, int64_t template_id,
    const char *record, json_t **out)
{
	struct dbq q;
	db_stmt_t *st;
	json_t *arr;
	char ent[32] = "";
	int64_t rid = 0;
	int rc;

	*out = NULL;
	if (status != NULL && strcmp(status, "running") != 0 &&
	    strcmp(status, "completed") != 0 && strcmp(status, "cancelled") != 0 &&
	    strcmp(status, "failed") != 0 && strcmp(status, "overdue") != 0)
		return core_fail(cx, CRM_EBADQUERY, "status must be running, "
		    "completed, cancelled, failed or overdue");
	if (record != NULL) {
		const char *colon = strchr(record, ':');
		char *end;

		if (colon == NULL || (size_t)(colon - record) >= sizeof(ent))
			return core_fail(cx, CRM_EBADQUERY, "record must be "
			    "entity:id, like deals:12");
		memcpy(ent, record, (size_t)(colon - record));
		ent[colon - record] = '\0';
		rid = strtoll(colon + 1, &end, 10);
		if (procdef_entity(ent) == NULL || *end != '\0' || rid < 1)
			return core_fail(cx, CRM_EBADQUERY, "record must be "
			    "entity:id, like deals:12");
	}
	dbq_init(&q);
	dbq_sql(&q, "SELECT " INST_COLS INST_FROM " WHERE 1 = 1");
	if (status != NULL && strcmp(status, "overdue") == 0) {
		dbq_sql(&q, " AND i.status = 'running' AND s.overdue_at IS NOT NULL");
	} else if (status != NULL) {
		dbq_sql(&q, " AND i.status = ?");
		dbq_text(&q, status, strlen(status));
	}
	if (template_id > 0) {
		dbq_sql(&q, " AND i.template_id = ?");
		dbq_int(&q, template_id);
	}
	if (record != NULL) {
		dbq_sql(&q, " AND i.entity = ? AND i.record_id = ?");
		dbq_text(&q, ent, strlen(ent));
		dbq_int(&q, rid);
	}
	dbq_sql(&q, " ORDER BY i.id DESC LIMIT 1000");
	rc = db_prepare_q(cx->db, &q, &st);
	dbq_free(&q);
	if (rc != DB_OK)
		return db_fail(cx, "list");
	arr = json_array();
	while (json_array_size(arr) < PRUN_LIST_MAX &&
	    (rc = db_step(st)) == DB_ROW) {
		json_t *o = inst_json(st);

		if (may_see(cx, json_string_value(json_object_get(o, "entity")),
		    json_integer_value(json_object_get(o, "record_id"))) == CRM_OK)
			json_array_append_new(arr, o);
		else
			json_decref(o);
		cx->detail[0] = '\0';
	}
	db_done(st);
	if (rc != DB_DONE && rc != DB_ROW) {
		json_decref(arr);
		return db_fail(cx, "list step");
	}
	*out = json_pack("{s:o,s:n}", "data", arr, "next_cursor");
	return CRM_OK;
}

int
prun_get(struct core_ctx *cx, int64_t id, json_t **out)
{
	db_stmt_t *st;
	json_t *o = NULL, *steps;
	int rc;

	*out = NULL;
	if (db_prepare(cx->db, "SELECT " INST_COLS INST_FROM " WHERE i.id = ?",
	    &st) != DB_OK)
		return db_fail(cx, "get");
	db_bind_int(st, 1, id);
	rc = db_step(st);
	if (rc == DB_ROW)
		o = inst_json(st);
	db_done(st);
	if (rc == DB_DONE)
		return core_fail(cx, CRM_ENOTFOUND, "No such process instance");
	if (rc != DB_ROW)
		return db_fail(cx, "get step");
	rc = may_see(cx, json_string_value(json_object_get(o, "entity")),
	    json_integer_value(json_object_get(o, "record_id")));
	if (rc != CRM_OK) {
		json_decref(o);
		return rc == CRM_ENOTFOUND ? core_fail(cx, CRM_ENOTFOUND,
		    "No such process instance") : rc;
	}
	if (db_prepare(cx->db, "SELECT s.id, s.step_id, s.kind, s.name, "
	    "s.status, s.assignee_id, u.name, s.task_id, s.started_at, s.due_at, "
	    "s.wake_at, s.overdue_at, s.done_at, s.outcome, s.comment, s.done_by "
	    "FROM process_steps s LEFT JOIN users u ON u.id = s.assignee_id "
	    "WHERE s.instance_id = ? ORDER BY s.id", &st) != DB_OK) {
		json_decref(o);
		return db_fail(cx, "steps");
	}
	db_bind_int(st, 1, id);
	steps = json_array();
	while ((rc = db_step(st)) == DB_ROW) {
		json_t *s = json_object();

		json_object_set_new(s, "id", json_integer(db_col_int(st, 0)));
		json_object_set_new(s, "step_id", col_text_or_null(st, 1));
		json_object_set_new(s, "kind", col_text_or_null(st, 2));
		json_object_set_new(s, "name", col_text_or_null(st, 3));
		json_object_set_new(s, "status", col_text_or_null(st, 4));
		json_object_set_new(s, "assignee_id", col_int_or_null(st, 5));
		json_object_set_new(s, "assignee_name", col_text_or_null(st, 6));
		json_object_set_new(s, "task_id", col_int_or_null(st, 7));
		json_object_set_new(s, "started_at", time_json(db_col_int(st, 8),
		    false));
		json_object_set_new(s, "due_at", time_json(db_col_int(st, 9),
		    db_col_null(st, 9)));
		json_object_set_new(s, "wake_at", time_json(db_col_int(st, 10),
		    db_col_null(st, 10)));
		json_object_set_new(s, "overdue_at", time_json(db_col_int(st, 11),
		    db_col_null(st, 11)));
		json_object_set_new(s, "done_at", time_json(db_col_int(st, 12),
		    db_col_null(st, 12)));
		json_object_set_new(s, "outcome", col_text_or_null(st, 13));
		json_object_set_new(s, "comment", col_text_or_null(st, 14));
		json_object_set_new(s, "done_by", col_int_or_null(st, 15));
		json_array_append_new(steps, s);
	}
	db_done(st);
	if (rc != DB_DONE) {
		json_decref(o);
		json_decref(steps);
		return db_fail(cx, "steps step");
	}
	json_object_set_new(o, "steps", steps);
	*out = o;
	return CRM_OK;
}

/* Sets the open task of a step that ended by other means to status. */
static int
close_task(struct core_ctx *sys, int64_t task_id, const char *status)
{
	json_t *patch, *out = NULL, *cur = NULL;
	int rc;

	if (task_id <= 0)
		return CRM_OK;
	rc = rec_get(sys, &entity_activities, task_id, false, &cur);
	if (rc == CRM_ENOTFOUND)
		return CRM_OK;	/* trashed: nothing to close */
	if (rc != CRM_OK)
		return rc;
	if (strcmp(json_string_value(json_object_get(cur, "status")) ?
	    json_string_value(json_object_get(cur, "status")) : "", "open") != 0) {
		json_decref(cur);
		return CRM_OK;
	}
	json_decref(cur);
	patch = json_pack("{s:s}", "status", status);
	rc = rec_update_txn(sys, &entity_activities, task_id, -1, patch, &out);
	json_decref(patch);
	json_decref(out);
	return rc;
}

int
prun_cancel(struct core_ctx *cx, int64_t id, json_t **out)
{
	struct core_ctx *sys;
	db_stmt_t *st;
	char ent[32] = "";
	int64_t rid = 0, started_by = 0, owner = 0;
	int rc;

	*out = NULL;
	if (db_begin(cx->db) != DB_OK)
		return db_fail(cx, "begin");
	if (db_prepare(cx->db, "SELECT entity, record_id, COALESCE(started_by, 0), "
	    "COALESCE(owner_id, 0) FROM process_instances WHERE id = ?", &st) !=
	    DB_OK)
		return core_txn_end(cx, db_fail(cx, "cancel"), NULL);
	db_bind_int(st, 1, id);
	if (db_step(st) == DB_ROW) {
		snprintf(ent, sizeof(ent), "%s", db_col_text(st, 0, NULL));
		rid = db_col_int(st, 1);
		started_by = db_col_int(st, 2);
		owner = db_col_int(st, 3);
	}
	db_done(st);
	rc = rid > 0 ? may_see(cx, ent, rid) : CRM_ENOTFOUND;
	if (rc == CRM_ENOTFOUND)
		rc = core_fail(cx, CRM_ENOTFOUND, "No such process instance");
	else if (rc == CRM_OK && !cx->actor.is_admin && (cx->actor.user_id == 0 ||
	    (cx->actor.user_id != started_by && cx->actor.user_id != owner)))
		rc = core_fail(cx, CRM_EFORBIDDEN, "Only whoever started the "
		    "process, its owner or an administrator may cancel it");
	if (rc == CRM_OK) {
		rc = core_exec(cx, "UPDATE process_instances SET status = 'cancelled', "
		    "current_step = NULL, finished_at = ? WHERE id = ? AND status = "
		    "'running'", "ii", time_now_ms(), id);
		if (rc == CRM_OK && db_changes(cx->db) != 1)
			rc = core_fail(cx, CRM_EINUSE, "The process is not running");
	}
	if (rc == CRM_OK) {
		int64_t tasks[64];
		int n = 0;

		if (db_prepare(cx->db, "SELECT task_id FROM process_steps WHERE "
		    "instance_id = ? AND status = 'waiting' AND task_id IS NOT NULL",
		    &st) != DB_OK)
			return core_txn_end(cx, db_fail(cx, "cancel tasks"), NULL);
		db_bind_int(st, 1, id);
		while (n < 64 && db_step(st) == DB_ROW)
			tasks[n++] = db_col_int(st, 0);
		db_done(st);
		rc = core_exec(cx, "UPDATE process_steps SET status = 'cancelled', "
		    "done_at = ?, done_by = ? WHERE instance_id = ? AND status = "
		    "'waiting'", "ini", time_now_ms(), cx->actor.user_id, id);
		sys = sys_ctx(cx);
		for (int k = 0; k < n && rc == CRM_OK; k++)
			rc = close_task(sys, tasks[k], "cancelled");
		free(sys);
	}
	if (rc == CRM_OK)
		rc = audit_detail(cx, "process.cancelled", ent, rid,
		    json_pack("{s:I}", "instance_id", (json_int_t)id));
	rc = core_txn_end(cx, rc, NULL);
	return rc == CRM_OK ? prun_get(cx, id, out) : rc;
}

int
prun_step_complete(struct core_ctx *cx, int64_t id, json_t *in, json_t **out)
{
	json_t *ov = json_object_get(in, "outcome"), *cv = json_object_get(in,
	    "comment");
	const char *outcome = json_string_value(ov), *key;
	const char *comment = json_string_value(cv);
	struct core_ctx *sys;
	db_stmt_t *st;
	json_t *v;
	char kind[32] = "", status[16] = "";
	int64_t inst = 0, assignee = 0, task = 0;
	bool won;
	int rc;

	*out = NULL;
	json_object_foreach(in, key, v)
		if (strcmp(key, "outcome") != 0 && strcmp(key, "comment") != 0)
			verrs_add(&cx->errs, key, "is not part of an answer (outcome, "
			    "comment)");
	if (cv != NULL && !json_is_null(cv) && !core_text_ok(cv,
	    PRUN_COMMENT_MAX))
		verrs_add(&cx->errs, "comment", "must be text of 1 to %d "
		    "characters", PRUN_COMMENT_MAX);
	if (ov != NULL && !json_is_null(ov) && outcome == NULL)
		verrs_add(&cx->errs, "outcome", "must be approve or reject");
	if (cx->errs.n > 0)
		return core_invalid(cx);
	if (db_begin(cx->db) != DB_OK)
		return db_fail(cx, "begin");
	if (db_prepare(cx->db, "SELECT s.instance_id, s.kind, s.status, "
	    "COALESCE(s.assignee_id, 0), COALESCE(s.task_id, 0), i.entity, "
	    "i.record_id FROM process_steps s JOIN process_instances i ON i.id = "
	    "s.instance_id WHERE s.id = ?", &st) != DB_OK)
		return core_txn_end(cx, db_fail(cx, "complete"), NULL);
	db_bind_int(st, 1, id);
	rc = CRM_ENOTFOUND;
	if (db_step(st) == DB_ROW) {
		inst = db_col_int(st, 0);
		snprintf(kind, sizeof(kind), "%s", db_col_text(st, 1, NULL));
		snprintf(status, sizeof(status), "%s", db_col_text(st, 2, NULL));
		assignee = db_col_int(st, 3);
		task = db_col_int(st, 4);
		rc = may_see(cx, db_col_text(st, 5, NULL), db_col_int(st, 6));
	}
	db_done(st);
	if (rc == CRM_ENOTFOUND)
		return core_txn_end(cx, core_fail(cx, CRM_ENOTFOUND, "No such "
		    "process step"), NULL);
	if (rc == CRM_OK && strcmp(kind, "task") != 0 &&
	    strcmp(kind, "approval") != 0)
		rc = core_fail(cx, CRM_EINUSE, "A %s step is not answered", kind);
	else if (rc == CRM_OK && strcmp(status, "waiting") != 0)
		rc = core_fail(cx, CRM_EINUSE, "The step is %s, no longer "
		    "waiting", status);
	else if (rc == CRM_OK && !cx->actor.is_admin &&
	    cx->actor.user_id != assignee)
		rc = core_fail(cx, CRM_EFORBIDDEN, "Only the person the step waits "
		    "for, or an administrator, may answer it");
	if (rc == CRM_OK && strcmp(kind, "approval") == 0) {
		if (outcome == NULL || (strcmp(outcome, "approve") != 0 &&
		    strcmp(outcome, "reject") != 0))
			verrs_add(&cx->errs, "outcome", "must be approve or reject");
		else if (strcmp(outcome, "reject") == 0 && comment == NULL)
			verrs_add(&cx->errs, "comment", "is required when rejecting: "
			    "say why");
	} else if (rc == CRM_OK && outcome != NULL && strcmp(outcome, "done") != 0) {
		verrs_add(&cx->errs, "outcome", "must be done (or left out) for a "
		    "task");
	}
	if (rc == CRM_OK && cx->errs.n > 0)
		rc = core_invalid(cx);
	if (rc != CRM_OK)
		return core_txn_end(cx, rc, NULL);
	sys = sys_ctx(cx);
	rc = leave_step(cx, sys, id, "done", strcmp(kind, "approval") == 0 ?
	    outcome : "done", comment, cx->actor.user_id, NULL, &won);
	if (rc == CRM_OK && !won)
		rc = core_fail(cx, CRM_EINUSE, "The step is no longer waiting");
	if (rc == CRM_OK)
		rc = close_task(sys, task, "done");
	free(sys);
	if (rc == CRM_OK)
		rc = audit_detail(cx, "process.step_completed", "process_instances",
		    inst, json_pack("{s:I,s:s,s:s*}", "step", (json_int_t)id,
		    "outcome", strcmp(kind, "approval") == 0 ? outcome : "done",
		    "comment", comment));
	rc = core_txn_end(cx, rc, NULL);
	return rc == CRM_OK ? prun_get(cx, inst, out) : rc;
}

int
prun_task_done(struct core_ctx *cx, int64_t task_id)
{
	struct core_ctx *sys;
	db_stmt_t *st;
	int64_t row = 0;
	char kind[32] = "";
	bool won;
	int rc;

	if (db_prepare(cx->db, "SELECT id, kind FROM process_steps WHERE "
	    "task_id = ? AND status = 'waiting'", &st) != DB_OK)
		return db_fail(cx, "task done");
	db_bind_int(st, 1, task_id);
	if (db_step(st) == DB_ROW) {
		row = db_col_int(st, 0);
		snprintf(kind, sizeof(kind), "%s", db_col_text(st, 1, NULL));
	}
	db_done(st);
	if (row == 0)
		return CRM_OK;
	sys = sys_ctx(cx);
	/* A task closed by hand: done; an approval's task closed: approved. */
	rc = leave_step(cx, sys, row, "done", strcmp(kind, "approval") == 0 ?
	    "approve" : "done", NULL, cx->actor.user_id, NULL, &won);
	if (sys->detail[0] != '\0' && cx->detail[0] == '\0')
		snprintf(cx->detail, sizeof(cx->detail), "%s", sys->detail);
	free(sys);
	return rc;
}

/* A deadline passed: on_overdue (docs/processes.md, Deadlines). */
static int
overdue(struct core_ctx *cx, int64_t row, char *err, size_t errlen)
{
	struct core_ctx *sys = NULL;
	struct run r;
	db_stmt_t *st;
	json_t *s, *act;
	const char *action;
	char step_id[PROCDEF_KEY_MAX + 1] = "", name[256] = "";
	int64_t inst = 0, assignee = 0, task = 0, to;
	bool running = false, won;
	int rc;

	memset(&r, 0, sizeof(r));
	rc = core_exec(cx, "UPDATE process_steps SET overdue_at = ? WHERE id = ? AND "
	    "status = 'waiting' AND overdue_at IS NULL", "ii", time_now_ms(), row);
	if (rc != CRM_OK || db_changes(cx->db) != 1)
		return rc;	/* answered in time, or already handled */
	if (db_prepare(cx->db, "SELECT instance_id, step_id, name, "
	    "COALESCE(assignee_id, 0), COALESCE(task_id, 0) FROM process_steps "
	    "WHERE id = ?", &st) != DB_OK)
		return db_fail(cx, "overdue");
	db_bind_int(st, 1, row);
	if (db_step(st) == DB_ROW) {
		inst = db_col_int(st, 0);
		snprintf(step_id, sizeof(step_id), "%s", db_col_text(st, 1, NULL));
		snprintf(name, sizeof(name), "%s", db_col_text(st, 2, NULL));
		assignee = db_col_int(st, 3);
		task = db_col_int(st, 4);
	}
	db_done(st);
	sys = sys_ctx(cx);
	rc = run_load(cx, sys, inst, &r, &running);
	if (rc != CRM_OK || !running)
		goto out;
	s = step_def(r.def, step_id);
	act = json_object_get(json_object_get(s, "deadline"), "on_overdue");
	action = json_string_value(json_object_get(act, "action"));
	if (action == NULL || strcmp(action, "remind") == 0) {
		rc = notify_user(sys, assignee, "process_overdue", name,
		    "This step of a process is overdue.", r.e, r.record_id, false,
		    NULL);
	} else if (strcmp(action, "notify_owner") == 0) {
		to = r.owner_id > 0 ? r.owner_id :
		    json_integer_value(json_object_get(r.rec, "owner_id"));
		rc = notify_user(sys, to, "process_overdue", name,
		    "A step of your process is overdue.", r.e, r.record_id, false,
		    NULL);
	} else if (strcmp(action, "reassign") == 0) {
		json_t *patch, *made = NULL;

		rc = resolve_one(&r, json_object_get(act, "to"), &to);
		if (rc == CRM_OK)
			rc = core_exec(cx, "UPDATE process_steps SET assignee_id = ? WHERE "
			    "id = ?", "ii", to, row);
		if (rc == CRM_OK && task > 0) {
			patch = json_pack("{s:I}", "owner_id", (json_int_t)to);
			rc = rec_update_txn(sys, &entity_activities, task, -1, patch,
			    &made);
			json_decref(patch);
			json_decref(made);
			if (rc == CRM_ENOTFOUND)
				rc = CRM_OK;	/* the task was trashed */
		}
		if (rc == CRM_OK)
			rc = notify_user(sys, to, "process_assigned", name,
			    "An overdue step of a process was handed to you.", r.e,
			    r.record_id, false, NULL);
	} else if (strcmp(action, "branch") == 0) {
		char to_step[PROCDEF_KEY_MAX + 1];

		/* The definition is read again by leave_step: keep the id. */
		snprintf(to_step, sizeof(to_step), "%s", json_string_value(
		    json_object_get(act, "step")) ? json_string_value(
		    json_object_get(act, "step")) : "");
		run_free(&r);
		r.def = NULL;
		r.rec = NULL;
		rc = leave_step(cx, sys, row, "skipped", "overdue", NULL, 0,
		    to_step, &won);
		if (rc == CRM_OK)
			rc = close_task(sys, task, "cancelled");
	}
out:
	run_free(&r);
	if (rc != CRM_OK)
		snprintf(err, errlen, "%s", cx->detail[0] ? cx->detail : sys->detail);
	free(sys);
	return rc;
}

int
prun_timer_run(struct core_ctx *cx, json_t *payload, char *err, size_t errlen)
{
	const char *what = json_string_value(json_object_get(payload, "what"));
	int64_t row = json_integer_value(json_object_get(payload, "step"));
	struct core_ctx *sys;
	bool won;
	int rc;

	if (what != NULL && strcmp(what, "deadline") == 0)
		return overdue(cx, row, err, errlen);
	sys = sys_ctx(cx);
	rc = leave_step(cx, sys, row, "done", "waited", NULL, 0, NULL, &won);
	if (rc == CRM_ENOTFOUND)
		rc = CRM_OK;	/* nothing left to wake */
	if (rc != CRM_OK)
		snprintf(err, errlen, "%s", cx->detail);
	free(sys);
	return rc;
}

int
prun_stats(struct core_ctx *cx, int64_t id, json_t **out)
{
	db_stmt_t *st;
	json_t *arr;
	int rc;

	*out = NULL;
	rc = proc_may(cx, false);
	if (rc != CRM_OK)
		return rc;
	if (db_prepare(cx->db, "SELECT 1 FROM process_templates WHERE id = ?",
	    &st) != DB_OK)
		return db_fail(cx, "stats template");
	db_bind_int(st, 1, id);
	rc = db_step(st);
	db_done(st);
	if (rc == DB_DONE)
		return core_fail(cx, CRM_ENOTFOUND, "No such process template");
	if (rc != DB_ROW)
		return db_fail(cx, "stats template step");
	if (db_prepare(cx->db, "SELECT s.step_id, MAX(s.name), "
	    "SUM(CASE WHEN s.done_at IS NOT NULL THEN 1 ELSE 0 END), "
	    "CAST(COALESCE(AVG(s.done_at - s.started_at), 0) AS BIGINT), "
	    "COALESCE(MAX(s.done_at - s.started_at), 0), "
	    "SUM(CASE WHEN s.status = 'waiting' THEN 1 ELSE 0 END), "
	    "SUM(CASE WHEN s.overdue_at IS NOT NULL THEN 1 ELSE 0 END) "
	    "FROM process_steps s JOIN process_instances i ON i.id = "
	    "s.instance_id WHERE i.template_id = ? GROUP BY s.step_id "
	    "ORDER BY 4 DESC, 1", &st) != DB_OK)
		return db_fail(cx, "stats");
	db_bind_int(st, 1, id);
	arr = json_array();
	while ((rc = db_step(st)) == DB_ROW)
		json_array_append_new(arr, json_pack("{s:s,s:s,s:I,s:I,s:I,s:I,s:I}",
		    "step_id", db_col_text(st, 0, NULL), "name", db_col_text(st, 1,
		    NULL), "count", (json_int_t)db_col_int(st, 2), "avg_ms",
		    (json_int_t)db_col_int(st, 3), "max_ms", (json_int_t)db_col_int(st,
		    4), "waiting", (json_int_t)db_col_int(st, 5), "overdue",
		    (json_int_t)db_col_int(st, 6)));
	db_done(st);
	if (rc != DB_DONE) {
		json_decref(arr);
		return db_fail(cx, "stats step");
	}
	*out = json_pack("{s:I,s:o}", "template_id", (json_int_t)id, "data", arr);
	return CRM_OK;
}

int
prun_waiting_for(struct core_ctx *cx, int64_t user_id, json_t **out)
{
	db_stmt_t *st;
	json_t *arr;
	int rc;

	*out = NULL;
	if (db_prepare(cx->db, "SELECT s.id, s.instance_id, s.step_id, s.kind, "
	    "s.name, s.task_id, i.entity, i.record_id, s.started_at, s.due_at, "
	    "s.overdue_at, " RECORD_NAME " FROM process_steps s JOIN "
	    "process_instances i ON i.id = "
	    "s.instance_id WHERE s.assignee_id = ? AND s.status = 'waiting' AND "
	    "i.status = 'running' ORDER BY COALESCE(s.due_at, s.started_at), s.id "
	    "LIMIT ?", &st) != DB_OK)
		return db_fail(cx, "waiting");
	db_bind_int(st, 1, user_id);
	db_bind_int(st, 2, PRUN_LIST_MAX);
	arr = json_array();
	while ((rc = db_step(st)) == DB_ROW) {
		json_t *o;

		/* Someone else's day shows only what the actor may read. */
		if (may_see(cx, db_col_text(st, 6, NULL), db_col_int(st, 7)) !=
		    CRM_OK) {
			cx->detail[0] = '\0';
			continue;
		}
		o = json_object();
		json_object_set_new(o, "id", json_integer(db_col_int(st, 0)));
		json_object_set_new(o, "instance_id", json_integer(db_col_int(st, 1)));
		json_object_set_new(o, "step_id", col_text_or_null(st, 2));
		json_object_set_new(o, "kind", col_text_or_null(st, 3));
		json_object_set_new(o, "name", col_text_or_null(st, 4));
		json_object_set_new(o, "task_id", col_int_or_null(st, 5));
		json_object_set_new(o, "entity", col_text_or_null(st, 6));
		json_object_set_new(o, "record_id", json_integer(db_col_int(st, 7)));
		json_object_set_new(o, "record_name", col_text_or_null(st, 11));
		json_object_set_new(o, "started_at", time_json(db_col_int(st, 8),
		    false));
		json_object_set_new(o, "due_at", time_json(db_col_int(st, 9),
		    db_col_null(st, 9)));
		json_object_set_new(o, "overdue", json_boolean(!db_col_null(st, 10)));
		json_array_append_new(arr, o);
	}
	db_done(st);
	if (rc != DB_DONE) {
		json_decref(arr);
		return db_fail(cx, "waiting step");
	}
	*out = arr;
	return CRM_OK;
}

/* Whether a template's trigger fires for this write of a record. */
static bool
triggered(json_t *trigger, json_t *cur, json_t *merged)
{
	const char *type = json_string_value(json_object_get(trigger, "type"));
	const char *field = json_string_value(json_object_get(trigger, "field"));
	json_t *to = json_object_get(trigger, "to"), *was, *now;

	if (type == NULL)
		return false;
	if (strcmp(type, "created") == 0)
		return cur == NULL;
	if (strcmp(type, "field_changed") != 0 || cur == NULL || field == NULL)
		return false;
	was = field_value(cur, field);
	now = field_value(merged, field);
	if (is_empty(was) && is_empty(now))
		return false;
	if (was != NULL && now != NULL && json_equal(was, now))
		return false;
	return to == NULL || same(now, to);
}

/*
 * The waits of running instances on the record that wait until a field
 * changes, and this write changed it: they end, and their instances move
 * on, in this write's transaction.
 */
static int
end_changed_waits(struct core_ctx *cx, const struct entity *e, int64_t id,
    json_t *cur, json_t *merged)
{
	int64_t rows[PRUN_TRIGGERED_MAX], insts[PRUN_TRIGGERED_MAX];
	char steps[PRUN_TRIGGERED_MAX][PROCDEF_KEY_MAX + 1];
	struct core_ctx *sys;
	db_stmt_t *st;
	int n = 0, rc;

	if (cx->proc_depth >= PRUN_DEPTH_MAX)
		return CRM_OK;	/* the loop guard, as for triggers */
	if (db_prepare(cx->db, "SELECT s.id, s.instance_id, s.step_id FROM "
	    "process_steps s JOIN process_instances i ON i.id = s.instance_id "
	    "WHERE i.entity = ? AND i.record_id = ? AND i.status = 'running' AND "
	    "s.status = 'waiting' AND s.kind = 'wait' AND s.wake_at IS NULL",
	    &st) != DB_OK)
		return db_fail(cx, "waits");
	db_bind_text(st, 1, e->name, strlen(e->name));
	db_bind_int(st, 2, id);
	while ((rc = db_step(st)) == DB_ROW && n < PRUN_TRIGGERED_MAX) {
		rows[n] = db_col_int(st, 0);
		insts[n] = db_col_int(st, 1);
		snprintf(steps[n], sizeof(steps[n]), "%s", db_col_text(st, 2, NULL));
		n++;
	}
	db_done(st);
	if (rc != DB_DONE && rc != DB_ROW)
		return db_fail(cx, "waits step");
	if (n == 0)
		return CRM_OK;
	sys = sys_ctx(cx);
	rc = CRM_OK;
	for (int k = 0; k < n && rc == CRM_OK; k++) {
		struct run r;
		const char *field;
		bool running, changed = false, won;

		rc = run_load(cx, sys, insts[k], &r, &running);
		if (rc == CRM_OK && running) {
			field = json_string_value(json_object_get(step_def(r.def,
			    steps[k]), "until_changed"));
			changed = field != NULL && !json_equal(field_value(cur, field) ?
			    field_value(cur, field) : json_null(), field_value(merged,
			    field) ? field_value(merged, field) : json_null());
		}
		run_free(&r);
		if (rc == CRM_OK && changed)
			rc = leave_step(cx, sys, rows[k], "done", "changed", NULL, 0,
			    NULL, &won);
	}
	free(sys);
	return rc;
}

/*
 * The active templates of e that a write may start, as [[id, definition],
 * ...] in id order (new reference, not to be changed): read once per
 * transaction (core_memo, struct memo_list).
 */
static int
write_starts(struct core_ctx *cx, const struct entity *e, json_t **out)
{
	db_stmt_t *st;
	json_t *arr;
	int rc;

	*out = core_memo_get(cx, &core_memo(cx)->starts, e->name);
	if (*out != NULL)
		return CRM_OK;
	/*
	 * A shipped template is an example until an administrator saves a
	 * version of it: a new install does not start processes on every
	 * deal by itself.
	 */
	if (db_prepare(cx->db, "SELECT t.id, v.definition FROM process_templates "
	    "t JOIN process_template_versions v ON v.template_id = t.id AND "
	    "v.version = t.current_version WHERE t.status = 'active' AND "
	    "t.entity = ? AND (t.builtin = 0 OR t.current_version > 1) "
	    "ORDER BY t.id", &st) != DB_OK)
		return db_fail(cx, "triggers");
	db_bind_text(st, 1, e->name, strlen(e->name));
	arr = json_array();
	while ((rc = db_step(st)) == DB_ROW) {
		size_t len;
		const char *text = db_col_text(st, 1, &len);
		json_t *def = json_loadb(text, len, 0, NULL);

		if (def != NULL)
			json_array_append_new(arr, json_pack("[I,o]",
			    (json_int_t)db_col_int(st, 0), def));
	}
	db_done(st);
	if (rc != DB_DONE) {
		json_decref(arr);
		return db_fail(cx, "triggers step");
	}
	core_memo_put(cx, &core_memo(cx)->starts, e->name, arr);
	*out = arr;
	return CRM_OK;
}

int
prun_on_write(struct core_ctx *cx, const struct entity *e, int64_t id,
    json_t *cur, json_t *merged)
{
	int64_t ids[PRUN_TRIGGERED_MAX];
	struct core_ctx *sys;
	json_t *starts, *pair;
	size_t i;
	int n = 0, rc;

	if (procdef_entity(e->name) != e)
		return CRM_OK;
	if (cur != NULL) {
		rc = end_changed_waits(cx, e, id, cur, merged);
		if (rc != CRM_OK)
			return rc;
	}
	rc = write_starts(cx, e, &starts);
	if (rc != CRM_OK)
		return rc;
	json_array_foreach(starts, i, pair) {
		if (n == PRUN_TRIGGERED_MAX)
			break;
		if (triggered(json_object_get(json_array_get(pair, 1), "trigger"),
		    cur, merged))
			ids[n++] = json_integer_value(json_array_get(pair, 0));
	}
	json_decref(starts);
	if (n == 0)
		return CRM_OK;
	if (cx->proc_depth >= PRUN_DEPTH_MAX) {
		/* A process's own write started this one: the loop guard. */
		log_warn("processes: %s %lld: %d processes not started, %d deep",
		    e->name, (long long)id, n, cx->proc_depth);
		return CRM_OK;
	}
	sys = sys_ctx(cx);
	rc = CRM_OK;
	for (int k = 0; k < n && rc == CRM_OK; k++) {
		int64_t inst;

		rc = start_instance(cx, sys, ids[k], e, id, 0, 0, cx->proc_depth,
		    false, &inst);
		if (rc == CRM_OK)
			rc = audit_detail(cx, "process.started", e->name, id,
			    json_pack("{s:I,s:I,s:s}", "instance_id", (json_int_t)inst,
			    "template_id", (json_int_t)ids[k], "by", "trigger"));
	}
	free(sys);
	return rc;
}

int
prun_webhook_run(struct core_ctx *cx, json_t *payload, bool last, char *err,
    size_t errlen)
{
	int64_t row = json_integer_value(json_object_get(payload, "step"));
	struct core_ctx *sys = sys_ctx(cx);
	struct run r;
	db_stmt_t *st;
	json_t *s;
	const char *url, *method;
	char step_id[PROCDEF_KEY_MAX + 1] = "", why[256] = "", outcome[64];
	char *body = NULL, *link = NULL;
	int64_t inst = 0, timeout;
	long status = 0;
	bool running = false, won, ok;
	int rc;

	if (db_prepare(cx->db, "SELECT instance_id, step_id FROM process_steps "
	    "WHERE id = ? AND status = 'waiting'", &st) != DB_OK) {
		free(sys);
		snprintf(err, errlen, "%s", db_errmsg(cx->db));
		return CRM_EDB;
	}
	db_bind_int(st, 1, row);
	if (db_step(st) == DB_ROW) {
		inst = db_col_int(st, 0);
		snprintf(step_id, sizeof(step_id), "%s", db_col_text(st, 1, NULL));
	}
	db_done(st);
	if (inst == 0) {
		free(sys);
		return CRM_OK;	/* cancelled, or called already */
	}
	rc = run_load(cx, sys, inst, &r, &running);
	if (rc != CRM_OK || !running) {
		if (rc == CRM_OK)
			run_free(&r);
		free(sys);
		snprintf(err, errlen, "%s", cx->detail);
		return rc;
	}
	s = step_def(r.def, step_id);
	url = json_string_value(json_object_get(s, "url"));
	method = json_string_value(json_object_get(s, "method"));
	timeout = json_integer_value(json_object_get(s, "timeout_s"));
	link = xstrdup(url != NULL ? url : "");
	if (json_is_string(json_object_get(s, "body")))
		body = expand(&r, s, json_string_value(json_object_get(s, "body")));
	run_free(&r);
	/* No transaction is open while the other side answers, or does not. */
	ok = webhook_call(link, method != NULL ? method : "POST", body,
	    timeout > 0 ? (long)timeout : 10, cx->webhook_loopback, &status, why,
	    sizeof(why)) == 0;
	free(body);
	free(link);
	if (!ok && !last) {
		free(sys);
		snprintf(err, errlen, "%s", why);
		return CRM_EINVAL;	/* the job runner tries again later */
	}
	snprintf(outcome, sizeof(outcome), "HTTP %ld", status);
	if (db_begin(cx->db) != DB_OK) {
		free(sys);
		snprintf(err, errlen, "%s", db_errmsg(cx->db));
		return CRM_EDB;
	}
	if (ok) {
		rc = leave_step(cx, sys, row, "done", outcome, NULL, 0, NULL, &won);
	} else {
		rc = run_load(cx, sys, inst, &r, &running);
		if (rc == CRM_OK) {
			rc = finish_step(cx, row, "failed", why, NULL, 0, &won);
			if (rc == CRM_OK && won)
				rc = fail_instance(&r, step_id, why);
			run_free(&r);
		}
	}
	free(sys);
	if (rc != CRM_OK)
		snprintf(err, errlen, "%s", cx->detail);
	return core_txn_end(cx, rc, NULL);
}

int
prun_start_by(struct core_ctx *cx, int64_t template_id, const struct entity *e,
    int64_t record_id, const char *by, int64_t *id)
{
	struct core_ctx *sys = sys_ctx(cx);
	int rc = start_instance(cx, sys, template_id, e, record_id, 0, 0, 0,
	    false, id);

	free(sys);
	if (rc == CRM_OK)
		rc = audit_detail(cx, "process.started", e->name, record_id,
		    json_pack("{s:I,s:I,s:s}", "instance_id", (json_int_t)*id,
		    "template_id", (json_int_t)template_id, "by", by));
	return rc;
}

/* The records of e whose date field is on day (YYYY-MM-DD), at most max. */
static int
records_on(struct core_ctx *cx, const struct entity *e, const char *field,
    const char *day, int64_t day_ms, int64_t *ids, int max, int *n)
{
	const struct field *f = NULL;
	bool custom = strncmp(field, "custom.", 7) == 0;
	char like[32];
	struct dbq q;
	db_stmt_t *st;
	int rc;

	*n = 0;
	if (!custom) {
		f = entity_field(e, field);
		if (f == NULL || (f->kind != FK_DATE && f->kind != FK_TIME))
			return CRM_OK;	/* the check refuses these; be safe */
	}
	dbq_init(&q);
	/* The names come from the entity's descriptor, never from the input. */
	if (custom) {
		/* A text prefilter; the value itself is compared below. */
		snprintf(like, sizeof(like), "%%%s%%", day);
		dbq_sql(&q, "SELECT id, custom FROM %s WHERE deleted_at IS NULL AND "
		    "custom LIKE ?", e->name);
		dbq_text(&q, like, strlen(like));
	} else if (f->kind == FK_DATE) {
		dbq_sql(&q, "SELECT id, NULL FROM %s WHERE deleted_at IS NULL AND "
		    "%s = ?", e->name, f->name);
		dbq_text(&q, day, strlen(day));
	} else {
		dbq_sql(&q, "SELECT id, NULL FROM %s WHERE deleted_at IS NULL AND "
		    "%s >= ? AND %s < ?", e->name, f->name, f->name);
		dbq_int(&q, day_ms);
		dbq_int(&q, day_ms + 86400000);
	}
	dbq_sql(&q, " ORDER BY id LIMIT 10000");
	rc = db_prepare_q(cx->db, &q, &st);
	dbq_free(&q);
	if (rc != DB_OK)
		return db_fail(cx, "date offset");
	while ((rc = db_step(st)) == DB_ROW && *n < max) {
		if (custom) {
			size_t len;
			const char *text = db_col_text(st, 1, &len);
			json_t *c = json_loadb(text, len, 0, NULL);
			const char *v = json_string_value(json_object_get(c, field + 7));
			bool hit = v != NULL && strncmp(v, day, 10) == 0;

			json_decref(c);
			if (!hit)
				continue;
		}
		ids[(*n)++] = db_col_int(st, 0);
	}
	db_done(st);
	return rc == DB_DONE || rc == DB_ROW ? CRM_OK : db_fail(cx, "date step");
}

/* Whether template tid started on the record within the last day. */
static int
started_lately(struct core_ctx *cx, int64_t tid, const struct entity *e,
    int64_t id, bool *yes)
{
	db_stmt_t *st;
	int rc;

	if (db_prepare(cx->db, "SELECT 1 FROM process_instances WHERE "
	    "template_id = ? AND entity = ? AND record_id = ? AND started_at > ?",
	    &st) != DB_OK)
		return db_fail(cx, "lately");
	db_bind_int(st, 1, tid);
	db_bind_text(st, 2, e->name, strlen(e->name));
	db_bind_int(st, 3, id);
	db_bind_int(st, 4, time_now_ms() - PRUN_DATE_OFFSET_GAP_MS);
	rc = db_step(st);
	*yes = rc == DB_ROW;
	db_done(st);
	return rc == DB_ROW || rc == DB_DONE ? CRM_OK : db_fail(cx, "lately step");
}

int
prun_date_offset_run(struct core_ctx *cx, int64_t *again, char *err,
    size_t errlen)
{
	struct {
		int64_t			 tid;
		const struct entity	*e;
		char			 field[80];
		int64_t			 days;
	} t[PRUN_TRIGGERED_MAX];
	int64_t now = time_now_ms(), today = now / 86400000, *ids;
	struct core_ctx *sys;
	db_stmt_t *st;
	int nt = 0, rc;

	*again = (today + 1) * 86400000 + PRUN_DATE_OFFSET_AT_MS;
	if (db_prepare(cx->db, "SELECT t.id, t.entity, v.definition FROM "
	    "process_templates t JOIN process_template_versions v ON "
	    "v.template_id = t.id AND v.version = t.current_version WHERE "
	    "t.status = 'active' AND (t.builtin = 0 OR t.current_version > 1) "
	    "ORDER BY t.id", &st) != DB_OK) {
		snprintf(err, errlen, "%s", db_errmsg(cx->db));
		return CRM_EDB;
	}
	while ((rc = db_step(st)) == DB_ROW && nt < PRUN_TRIGGERED_MAX) {
		size_t len;
		const char *text = db_col_text(st, 2, &len);
		json_t *def = json_loadb(text, len, 0, NULL);
		json_t *tr = json_object_get(def, "trigger");
		const char *type = json_string_value(json_object_get(tr, "type"));
		const char *field = json_string_value(json_object_get(tr, "field"));

		if (type != NULL && strcmp(type, "date_offset") == 0 &&
		    field != NULL && strlen(field) < sizeof(t[0].field)) {
			t[nt].tid = db_col_int(st, 0);
			t[nt].e = procdef_entity(db_col_text(st, 1, NULL));
			snprintf(t[nt].field, sizeof(t[nt].field), "%s", field);
			t[nt].days = json_integer_value(json_object_get(tr, "days"));
			if (t[nt].e != NULL)
				nt++;
		}
		json_decref(def);
	}
	db_done(st);
	if (rc != DB_DONE && rc != DB_ROW) {
		snprintf(err, errlen, "%s", db_errmsg(cx->db));
		return CRM_EDB;
	}
	ids = xcalloc(PRUN_DATE_OFFSET_MAX, sizeof(*ids));
	sys = sys_ctx(cx);
	rc = CRM_OK;
	for (int k = 0; k < nt && rc == CRM_OK; k++) {
		/* days after the date is today: the date is today - days. */
		int64_t day = today - t[k].days;
		char ymd[16];
		int y, m, d, n = 0;

		time_civil_from_days(day, &y, &m, &d);
		snprintf(ymd, sizeof(ymd), "%04d-%02d-%02d", y, m, d);
		rc = records_on(cx, t[k].e, t[k].field, ymd, day * 86400000, ids,
		    PRUN_DATE_OFFSET_MAX, &n);
		for (int i = 0; i < n && rc == CRM_OK; i++) {
			int64_t inst;
			bool yes = false;

			rc = started_lately(cx, t[k].tid, t[k].e, ids[i], &yes);
			if (rc != CRM_OK || yes)
				continue;
			rc = start_instance(cx, sys, t[k].tid, t[k].e, ids[i], 0, 0, 0,
			    false, &inst);
			if (rc == CRM_OK)
				rc = audit_detail(cx, "process.started", t[k].e->name,
				    ids[i], json_pack("{s:I,s:I,s:s}", "instance_id",
				    (json_int_t)inst, "template_id", (json_int_t)t[k].tid,
				    "by", "date_offset"));
		}
	}
	free(ids);
	free(sys);
	if (rc != CRM_OK)
		snprintf(err, errlen, "%s", cx->detail);
	return rc;
}
