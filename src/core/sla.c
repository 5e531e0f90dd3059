/*
 * SLA clocks (see sla.h): the pure clock, the ticket's SLA fields settled
 * in its write transaction, the warning and breach jobs, and the policies
 * table on the desk's admin engine (core/desk.h).
 *
 * Jobs are keyed "sla:<ticket>:<target>:<phase>:<due ms>". A change of
 * the due times removes the pending ones of the ticket (not one a worker
 * has claimed: it finds the due time changed and does nothing) and adds
 * those of the new times; a job that ran keeps its key, so saving the
 * ticket again with the same due time never warns or escalates twice.
 */
#include "core/sla.h"

#include <stdio.h>
#include <string.h>

#include "core/access.h"
#include "core/activities.h"
#include "core/audit.h"
#include "core/desk.h"
#include "core/jobs.h"
#include "core/notify.h"
#include "core/record.h"
#include "core/workcal.h"
#include "util/log.h"
#include "util/timeutil.h"

/* ---- the pure clock ---- */

void
sla_clock_start(struct sla_clock *c, int64_t start_ms)
{
	c->started_at = start_ms;
	c->used_min = 0;
	c->paused_at = 0;
}

int
sla_clock_used(const struct workcal *cal, const struct sla_clock *c,
    int64_t now, int64_t *out)
{
	int64_t run = 0;
	int64_t end = c->paused_at != 0 ? c->paused_at : now;

	*out = c->used_min;
	if (c->paused_at != 0)
		return 0;
	if (end > c->started_at &&
	    workcal_between(cal, c->started_at, end, &run) != 0)
		return -1;
	*out += run;
	return 0;
}

int
sla_clock_pause(const struct workcal *cal, struct sla_clock *c, int64_t now)
{
	int64_t used;

	if (c->paused_at != 0)
		return 0;
	if (sla_clock_used(cal, c, now, &used) != 0)
		return -1;
	c->used_min = used;
	c->paused_at = now > 0 ? now : 1;
	return 0;
}

void
sla_clock_resume(struct sla_clock *c, int64_t now)
{
	if (c->paused_at == 0)
		return;
	c->started_at = now;
	c->paused_at = 0;
}

int
sla_clock_due(const struct workcal *cal, const struct sla_clock *c,
    int64_t target_min, int64_t *due)
{
	int64_t left = target_min - c->used_min;

	if (c->paused_at != 0)
		return -1;
	return workcal_add(cal, c->started_at, left > 0 ? left : 0, due);
}

int
sla_warn_at(int64_t due, int64_t warn_before_min, int64_t now, int64_t *at)
{
	if (warn_before_min <= 0 || due <= now)
		return -1;
	*at = due - warn_before_min * 60000;
	if (*at < now)
		*at = now;
	return 0;
}

/* ---- policies ---- */

static const char *const priorities[] = { "low", "normal", "high", "urgent",
	NULL };

static bool
is_priority(const char *s)
{
	for (size_t i = 0; s != NULL && priorities[i] != NULL; i++)
		if (strcmp(s, priorities[i]) == 0)
			return true;
	return false;
}

static int
db_fail(struct core_ctx *cx, const char *what)
{
	log_error("database: sla %s: %s", what, db_errmsg(cx->db));
	return core_fail(cx, CRM_EDB, "The database failed; nothing was changed");
}

/* Whether the row of sql (one "?": id) exists. */
static int
row_exists(struct core_ctx *cx, const char *sql, int64_t id, bool *yes)
{
	db_stmt_t *st;
	int rc;

	*yes = false;
	if (db_prepare(cx->db, sql, &st) != DB_OK)
		return db_fail(cx, "exists");
	db_bind_int(st, 1, id);
	rc = db_step(st);
	*yes = rc == DB_ROW;
	db_done(st);
	return rc == DB_ROW || rc == DB_DONE ? CRM_OK : db_fail(cx, "exists step");
}

#define ACTIVE_USER_SQL "SELECT 1 FROM users WHERE id = ? AND active = 1"

static int
check_ref(struct core_ctx *cx, json_t *merged, const char *key,
    const char *sql, const char *what)
{
	json_t *v = json_object_get(merged, key);
	bool yes;
	int rc;

	if (!json_is_integer(v))
		return CRM_OK;
	rc = row_exists(cx, sql, json_integer_value(v), &yes);
	if (rc == CRM_OK && !yes)
		verrs_add(&cx->errs, key, "is not %s", what);
	return rc;
}

static void
check_target(struct core_ctx *cx, json_t *merged, const char *key, int64_t min)
{
	json_int_t v = json_integer_value(json_object_get(merged, key));

	if (json_is_integer(json_object_get(merged, key)) &&
	    (v < min || v > SLA_TARGET_MAX))
		verrs_add(&cx->errs, key, "must be %lld to %d working minutes",
		    (long long)min, SLA_TARGET_MAX);
}

static int
policy_check(struct core_ctx *cx, json_t *merged)
{
	const char *prio = json_string_value(json_object_get(merged, "priority"));
	json_t *ids = json_object_get(merged, "notify_user_ids"), *u;
	size_t i;
	int rc;

	if (prio != NULL && !is_priority(prio))
		verrs_add(&cx->errs, "priority", "must be low, normal, high or "
		    "urgent");
	check_target(cx, merged, "response_min", 1);
	check_target(cx, merged, "resolution_min", 1);
	check_target(cx, merged, "warn_before_min", 0);
	check_target(cx, merged, "position", 0);
	if (json_object_get(merged, "reassign_user_id") != NULL &&
	    json_is_integer(json_object_get(merged, "reassign_user_id")) &&
	    json_is_integer(json_object_get(merged, "reassign_queue_id")))
		verrs_add(&cx->errs, "reassign_queue_id", "reassign to a user or "
		    "through a queue, not both");
	if (ids == NULL || json_is_null(ids)) {
		json_object_set_new(merged, "notify_user_ids", json_array());
	} else if (!json_is_array(ids) || json_array_size(ids) > 20) {
		verrs_add(&cx->errs, "notify_user_ids", "must be an array of at "
		    "most 20 user ids");
	} else {
		json_array_foreach(ids, i, u) {
			bool yes = false;

			rc = json_is_integer(u) ? row_exists(cx, ACTIVE_USER_SQL,
			    json_integer_value(u), &yes) : CRM_OK;
			if (rc != CRM_OK)
				return rc;
			if (!yes) {
				verrs_add(&cx->errs, "notify_user_ids", "must name "
				    "active users");
				break;
			}
		}
	}
	if (json_object_get(merged, "notify_owner") == NULL)
		json_object_set_new(merged, "notify_owner", json_true());
	if (json_object_get(merged, "raise_priority") == NULL)
		json_object_set_new(merged, "raise_priority", json_false());
	if (json_object_get(merged, "warn_before_min") == NULL)
		json_object_set_new(merged, "warn_before_min", json_integer(0));
	if (json_object_get(merged, "position") == NULL)
		json_object_set_new(merged, "position", json_integer(0));
	rc = check_ref(cx, merged, "calendar_id", "SELECT 1 FROM work_calendars "
	    "WHERE id = ?", "a work calendar");
	if (rc == CRM_OK)
		rc = check_ref(cx, merged, "reassign_user_id", ACTIVE_USER_SQL,
		    "an active user");
	if (rc == CRM_OK)
		rc = check_ref(cx, merged, "reassign_queue_id", "SELECT 1 FROM "
		    "queues WHERE id = ?", "a queue");
	return rc;
}

static const struct dcol policy_cols[] = {
	{ "name", DC_TEXT, true, 120 },
	{ "position", DC_INT, false, 0 },
	{ "priority", DC_TEXT, false, 10 },
	{ "category", DC_TEXT, false, 100 },
	{ "tier", DC_TEXT, false, 100 },
	{ "response_min", DC_INT, true, 0 },
	{ "resolution_min", DC_INT, true, 0 },
	{ "calendar_id", DC_INT, false, 0 },
	{ "warn_before_min", DC_INT, false, 0 },
	{ "notify_owner", DC_BOOL, false, 0 },
	{ "notify_user_ids", DC_JSON, false, 0 },
	{ "reassign_user_id", DC_INT, false, 0 },
	{ "reassign_queue_id", DC_INT, false, 0 },
	{ "raise_priority", DC_BOOL, false, 0 },
};

const struct dtable dtable_sla_policies = {
	.table = "sla_policies",
	.singular = "SLA policy",
	.cols = policy_cols,
	.ncols = sizeof(policy_cols) / sizeof(*policy_cols),
	.check = policy_check,
	/* Only running clocks hold a policy; finished tickets let it go. */
	.in_use_sql = "SELECT COUNT(*) FROM tickets WHERE sla_policy_id = ? AND "
	    "status NOT IN ('resolved', 'closed')",
	.before_delete_sql = "UPDATE tickets SET sla_policy_id = NULL WHERE "
	    "sla_policy_id = ?",
	.order_by = "position, id",
};

/* ---- the ticket's SLA fields ---- */

static int64_t
ms_of(json_t *rec, const char *key)
{
	bool ok;
	int64_t v = activity_time_of(json_object_get(rec, key), &ok);

	return ok ? v : 0;
}

static void
set_ms(json_t *rec, const char *key, int64_t ms)
{
	json_object_set_new(rec, key, ms != 0 ? json_integer(ms) : json_null());
}

/* The company's tier: its custom field "tier" (see docs/api.md). */
static int
company_tier(struct core_ctx *cx, json_t *company_id, char *tier, size_t len)
{
	db_stmt_t *st;
	int rc;

	tier[0] = '\0';
	if (!json_is_integer(company_id))
		return CRM_OK;
	if (db_prepare(cx->db, "SELECT custom FROM companies WHERE id = ?",
	    &st) != DB_OK)
		return db_fail(cx, "tier");
	db_bind_int(st, 1, json_integer_value(company_id));
	rc = db_step(st);
	if (rc == DB_ROW) {
		size_t n;
		const char *s = db_col_text(st, 0, &n);
		json_t *custom = json_loadb(s, n, 0, NULL);
		const char *t = json_string_value(json_object_get(custom, "tier"));

		if (t != NULL)
			snprintf(tier, len, "%s", t);
		json_decref(custom);
	}
	db_done(st);
	return rc == DB_ROW || rc == DB_DONE ? CRM_OK : db_fail(cx, "tier step");
}

/* The first policy matching the ticket, into *id (0: none). */
static int
policy_match(struct core_ctx *cx, json_t *t, int64_t *id)
{
	const char *prio = json_string_value(json_object_get(t, "priority"));
	const char *cat = json_string_value(json_object_get(t, "category"));
	char tier[128];
	db_stmt_t *st;
	int rc = company_tier(cx, json_object_get(t, "company_id"), tier,
	    sizeof(tier));

	*id = 0;
	if (rc != CRM_OK)
		return rc;
	if (db_prepare(cx->db, "SELECT id FROM sla_policies WHERE (priority IS "
	    "NULL OR priority = ?) AND (category IS NULL OR category = ?) AND "
	    "(tier IS NULL OR tier = ?) ORDER BY position, id LIMIT 1", &st) !=
	    DB_OK)
		return db_fail(cx, "match");
	db_bind_text(st, 1, prio != NULL ? prio : "", prio != NULL ?
	    strlen(prio) : 0);
	if (cat != NULL)
		db_bind_text(st, 2, cat, strlen(cat));
	else
		db_bind_null(st, 2);
	if (tier[0] != '\0')
		db_bind_text(st, 3, tier, strlen(tier));
	else
		db_bind_null(st, 3);
	rc = db_step(st);
	if (rc == DB_ROW)
		*id = db_col_int(st, 0);
	db_done(st);
	return rc == DB_ROW || rc == DB_DONE ? CRM_OK : db_fail(cx, "match step");
}

int
sla_calendar(struct core_ctx *cx, int64_t policy_id, struct workcal **cal)
{
	json_t *p = NULL;
	int64_t cal_id = 0;
	int rc;

	if (policy_id > 0) {
		rc = dtable_read(cx, &dtable_sla_policies, policy_id, &p);
		if (rc != CRM_OK)
			return rc;
		cal_id = json_integer_value(json_object_get(p, "calendar_id"));
		json_decref(p);
	}
	return workcal_load(cx, cal_id, cal);
}

static bool
status_is(json_t *rec, const char *s)
{
	const char *v = json_string_value(json_object_get(rec, "status"));

	return v != NULL && strcmp(v, s) == 0;
}

static bool
stopped(json_t *rec)
{
	return status_is(rec, "waiting") || status_is(rec, "resolved") ||
	    status_is(rec, "closed");
}

/* One due time: computed while running, null while waiting, else kept. */
static int
settle_due(struct core_ctx *cx, const struct workcal *cal,
    const struct sla_clock *c, json_t *cur, json_t *merged, const char *key,
    int64_t target, bool frozen)
{
	int64_t due = 0;

	if (frozen || (c->paused_at != 0 && !status_is(merged, "waiting"))) {
		set_ms(merged, key, cur != NULL ? ms_of(cur, key) : 0);
		return CRM_OK;
	}
	if (c->paused_at == 0 && sla_clock_due(cal, c, target, &due) != 0)
		return core_fail(cx, CRM_EINVAL, "The SLA calendar never reaches "
		    "the ticket's due time");
	set_ms(merged, key, due);
	return CRM_OK;
}

/* Whether the moment done came after the due time (both set). */
static bool
late(json_t *rec, const char *done, const char *due)
{
	int64_t d = ms_of(rec, done), u = ms_of(rec, due);

	return d != 0 && u != 0 && d > u;
}

int
sla_settle(struct core_ctx *cx, json_t *cur, json_t *merged, int64_t now)
{
	struct sla_clock c;
	struct workcal *cal = NULL;
	json_t *pol = NULL;
	int64_t policy = cur != NULL ? json_integer_value(json_object_get(cur,
	    "sla_policy_id")) : 0;
	int rc = CRM_OK;

	if (cur == NULL) {
		sla_clock_start(&c, ms_of(merged, "received_at"));
	} else {
		c.started_at = ms_of(cur, "sla_started_at");
		c.used_min = json_integer_value(json_object_get(cur,
		    "sla_used_min"));
		c.paused_at = ms_of(cur, "sla_paused_at");
	}
	if (cur == NULL || !json_equal(json_object_get(cur, "priority"),
	    json_object_get(merged, "priority")) ||
	    !json_equal(json_object_get(cur, "category"),
	    json_object_get(merged, "category")) ||
	    !json_equal(json_object_get(cur, "company_id"),
	    json_object_get(merged, "company_id")))
		rc = policy_match(cx, merged, &policy);
	if (rc == CRM_OK)
		rc = sla_calendar(cx, policy, &cal);
	if (rc == CRM_OK && policy > 0)
		rc = dtable_read(cx, &dtable_sla_policies, policy, &pol);
	if (rc != CRM_OK)
		goto out;
	if (stopped(merged) && sla_clock_pause(cal, &c, now) != 0) {
		rc = core_fail(cx, CRM_EINVAL, "The SLA clock ran too long to "
		    "count");
		goto out;
	}
	if (!stopped(merged))
		sla_clock_resume(&c, now);
	set_ms(merged, "sla_started_at", c.started_at);
	json_object_set_new(merged, "sla_used_min", json_integer(c.used_min));
	set_ms(merged, "sla_paused_at", c.paused_at);
	json_object_set_new(merged, "sla_policy_id", policy > 0 ?
	    json_integer(policy) : json_null());
	if (pol == NULL) {
		set_ms(merged, "response_due_at", 0);
		set_ms(merged, "resolution_due_at", 0);
		goto out;
	}
	rc = settle_due(cx, cal, &c, cur, merged, "response_due_at",
	    json_integer_value(json_object_get(pol, "response_min")),
	    ms_of(merged, "first_response_at") != 0);
	if (rc == CRM_OK)
		rc = settle_due(cx, cal, &c, cur, merged, "resolution_due_at",
		    json_integer_value(json_object_get(pol, "resolution_min")),
		    false);
	/* Late is late, whether or not the breach job ran before it. */
	if (rc == CRM_OK && late(merged, "first_response_at", "response_due_at"))
		json_object_set_new(merged, "response_breached", json_integer(1));
	if (rc == CRM_OK && late(merged, "resolved_at", "resolution_due_at"))
		json_object_set_new(merged, "resolution_breached", json_integer(1));
out:
	json_decref(pol);
	workcal_free(cal);
	return rc;
}

/* ---- jobs ---- */

/* The pending jobs of a ticket, but not one a worker is running. */
static int
drop_pending(struct core_ctx *cx, int64_t id)
{
	char prefix[64];

	snprintf(prefix, sizeof(prefix), "sla:%lld:", (long long)id);
	return job_drop_keyed(cx, "sla", prefix, true);
}

static int
enqueue(struct core_ctx *cx, int64_t id, const char *target, const char *phase,
    int64_t due, int64_t at)
{
	char key[128];
	json_t *payload = json_pack("{s:I,s:s,s:s,s:I}", "ticket_id",
	    (json_int_t)id, "target", target, "phase", phase, "due_at",
	    (json_int_t)due);
	int64_t jid;
	int rc;

	snprintf(key, sizeof(key), "sla:%lld:%s:%s:%lld", (long long)id, target,
	    phase, (long long)due);
	rc = job_enqueue(cx, "sla", payload, at, key, &jid);
	json_decref(payload);
	return rc;
}

int
sla_schedule(struct core_ctx *cx, int64_t id, json_t *merged)
{
	static const char *const targets[] = { "response", "resolution" };
	int64_t policy = json_integer_value(json_object_get(merged,
	    "sla_policy_id")), now = time_now_ms(), warn = 0;
	json_t *pol = NULL;
	int rc = drop_pending(cx, id);

	if (rc != CRM_OK || policy <= 0)
		return rc;
	rc = dtable_read(cx, &dtable_sla_policies, policy, &pol);
	if (rc != CRM_OK)
		return rc;
	warn = json_integer_value(json_object_get(pol, "warn_before_min"));
	json_decref(pol);
	for (size_t i = 0; i < 2 && rc == CRM_OK; i++) {
		char key[40];
		int64_t due, at;

		snprintf(key, sizeof(key), "%s_due_at", targets[i]);
		due = ms_of(merged, key);
		snprintf(key, sizeof(key), "%s_breached", targets[i]);
		if (due == 0 || json_integer_value(json_object_get(merged, key)) ||
		    ms_of(merged, "sla_paused_at") != 0 ||
		    (i == 0 && ms_of(merged, "first_response_at") != 0))
			continue;
		if (sla_warn_at(due, warn, now, &at) == 0)
			rc = enqueue(cx, id, targets[i], "warn", due, at);
		if (rc == CRM_OK)
			rc = enqueue(cx, id, targets[i], "breach", due, due);
	}
	return rc;
}

int
sla_trash(struct core_ctx *cx, int64_t id, bool trashed)
{
	json_t *t = NULL;
	int rc;

	if (trashed)
		return drop_pending(cx, id);
	rc = rec_get(cx, &entity_tickets, id, false, &t);
	if (rc == CRM_OK)
		rc = sla_schedule(cx, id, t);
	json_decref(t);
	return rc;
}

/* What the job reads of its ticket. */
struct jticket {
	bool	live;
	char	status[16];
	char	priority[16];
	char	category[128];
	char	subject[512];
	int64_t	owner;
	int64_t	policy;
	int64_t	due;		/* of the job's target */
	bool	breached;	/* the job's target */
	bool	answered;	/* a first response was made */
	bool	paused;
};

static int
job_ticket(struct core_ctx *cx, int64_t id, bool response, struct jticket *t)
{
	db_stmt_t *st;
	int rc;

	memset(t, 0, sizeof(*t));
	if (db_prepare(cx->db, "SELECT status, priority, COALESCE(category, ''), "
	    "subject, owner_id, sla_policy_id, response_due_at, "
	    "resolution_due_at, response_breached, resolution_breached, "
	    "first_response_at, sla_paused_at, deleted_at FROM tickets WHERE "
	    "id = ?", &st) != DB_OK)
		return db_fail(cx, "job ticket");
	db_bind_int(st, 1, id);
	rc = db_step(st);
	if (rc == DB_ROW) {
		int d = response ? 6 : 7, b = response ? 8 : 9;

		t->live = db_col_null(st, 12);
		snprintf(t->status, sizeof(t->status), "%s", db_col_text(st, 0, NULL));
		snprintf(t->priority, sizeof(t->priority), "%s",
		    db_col_text(st, 1, NULL));
		snprintf(t->category, sizeof(t->category), "%s",
		    db_col_text(st, 2, NULL));
		snprintf(t->subject, sizeof(t->subject), "%s",
		    db_col_text(st, 3, NULL));
		t->owner = db_col_null(st, 4) ? 0 : db_col_int(st, 4);
		t->policy = db_col_null(st, 5) ? 0 : db_col_int(st, 5);
		t->due = db_col_null(st, d) ? 0 : db_col_int(st, d);
		t->breached = db_col_int(st, b) != 0;
		t->answered = !db_col_null(st, 10);
		t->paused = !db_col_null(st, 11);
	}
	db_done(st);
	return rc == DB_ROW || rc == DB_DONE ? CRM_OK : db_fail(cx, "job step");
}

static const char *
raised(const char *prio)
{
	for (size_t i = 0; priorities[i + 1] != NULL; i++)
		if (strcmp(prio, priorities[i]) == 0)
			return priorities[i + 1];
	return prio;
}

static int
notify_ids(struct core_ctx *cx, json_t *ids, int64_t skip, const char *kind,
    const char *title, const char *body, int64_t id)
{
	json_t *u;
	size_t i;
	int rc = CRM_OK;

	json_array_foreach(ids, i, u) {
		if (json_integer_value(u) == skip)
			continue;
		rc = notify_user(cx, json_integer_value(u), kind, title, body,
		    &entity_tickets, id, true, NULL);
		if (rc != CRM_OK)
			break;
	}
	return rc;
}

/* The breach: the flag, the escalation, the notices and the audit entry. */
static int
breach(struct core_ctx *cx, int64_t id, bool response, struct jticket *t,
    json_t *pol, const char *title, const char *body)
{
	int64_t owner = t->owner, queue = 0, nu = 0;
	const char *prio = t->priority;
	json_t *detail, *changes = json_object();
	db_stmt_t *st;
	int rc = CRM_OK;

	nu = json_integer_value(json_object_get(pol, "reassign_user_id"));
	queue = json_integer_value(json_object_get(pol, "reassign_queue_id"));
	if (nu > 0) {
		bool yes = false;

		rc = row_exists(cx, ACTIVE_USER_SQL, nu, &yes);
		if (rc == CRM_OK && yes)
			owner = nu;
	} else if (queue > 0) {
		rc = queue_pick(cx, queue, t->category, &nu);
		if (rc == CRM_OK && nu > 0)
			owner = nu;
	}
	if (rc == CRM_OK && json_is_true(json_object_get(pol, "raise_priority")))
		prio = raised(t->priority);
	if (rc != CRM_OK)
		goto out;
	if (db_prepare(cx->db, response ? "UPDATE tickets SET response_breached "
	    "= 1, owner_id = ?, priority = ?, queue_id = COALESCE(?, queue_id), "
	    "version = version + 1, updated_at = ? WHERE id = ?" :
	    "UPDATE tickets SET resolution_breached = 1, owner_id = ?, priority "
	    "= ?, queue_id = COALESCE(?, queue_id), version = version + 1, "
	    "updated_at = ? WHERE id = ?", &st) != DB_OK) {
		rc = db_fail(cx, "breach");
		goto out;
	}
	if (owner > 0)
		db_bind_int(st, 1, owner);
	else
		db_bind_null(st, 1);
	db_bind_text(st, 2, prio, strlen(prio));
	if (queue > 0)
		db_bind_int(st, 3, queue);
	else
		db_bind_null(st, 3);
	db_bind_int(st, 4, time_now_ms());
	db_bind_int(st, 5, id);
	rc = db_step(st);
	db_done(st);
	if (rc != DB_DONE) {
		rc = db_fail(cx, "breach step");
		goto out;
	}
	rc = CRM_OK;
	if (owner != t->owner)
		json_object_set_new(changes, "owner_id", json_pack("[II]",
		    (json_int_t)t->owner, (json_int_t)owner));
	if (strcmp(prio, t->priority) != 0)
		json_object_set_new(changes, "priority", json_pack("[ss]",
		    t->priority, prio));
	if (queue > 0)
		json_object_set_new(changes, "queue_id", json_integer(queue));
	if (json_is_true(json_object_get(pol, "notify_owner")) && t->owner > 0)
		rc = notify_user(cx, t->owner, "sla_breach", title, body,
		    &entity_tickets, id, true, NULL);
	if (rc == CRM_OK && owner != t->owner && owner > 0)
		rc = notify_user(cx, owner, "assigned", title, body,
		    &entity_tickets, id, true, NULL);
	if (rc == CRM_OK)
		rc = notify_ids(cx, json_object_get(pol, "notify_user_ids"),
		    json_is_true(json_object_get(pol, "notify_owner")) ? t->owner :
		    0, "sla_breach", title, body, id);
	if (rc != CRM_OK)
		goto out;
	detail = json_pack("{s:s,s:I,s:O}", "target", response ? "response" :
	    "resolution", "due_at", (json_int_t)t->due, "changes", changes);
	rc = audit_append(cx, "ticket.sla_breach", "tickets", id, detail);
	json_decref(detail);
out:
	json_decref(changes);
	return rc;
}

int
sla_job_run(struct core_ctx *cx, json_t *payload, char *err, size_t errlen)
{
	int64_t id = json_integer_value(json_object_get(payload, "ticket_id"));
	int64_t due = json_integer_value(json_object_get(payload, "due_at"));
	const char *target = json_string_value(json_object_get(payload, "target"));
	const char *phase = json_string_value(json_object_get(payload, "phase"));
	bool response = target != NULL && strcmp(target, "response") == 0;
	char title[700], body[900], ts[TIME_RFC3339_LEN];
	struct jticket t;
	json_t *pol = NULL;
	int rc;

	if (target == NULL || phase == NULL || id <= 0) {
		snprintf(err, errlen, "bad sla job payload");
		return CRM_EINVAL;
	}
	rc = job_ticket(cx, id, response, &t);
	if (rc != CRM_OK)
		goto fail;
	/* Moved on since: answered, resolved, paused, another due time. */
	if (!t.live || t.paused || t.due != due || t.breached || t.policy <= 0 ||
	    (response && t.answered) || (!response &&
	    (strcmp(t.status, "resolved") == 0 || strcmp(t.status, "closed") == 0)))
		return CRM_OK;
	rc = dtable_read(cx, &dtable_sla_policies, t.policy, &pol);
	if (rc != CRM_OK)
		goto fail;
	time_format(due, ts, sizeof(ts));
	if (strcmp(phase, "warn") == 0) {
		snprintf(title, sizeof(title), "SLA warning: ticket #%lld %s",
		    (long long)id, t.subject);
		snprintf(body, sizeof(body), "The %s of ticket #%lld \"%s\" is due "
		    "at %s.", response ? "first response" : "resolution",
		    (long long)id, t.subject, ts);
		rc = t.owner > 0 ? notify_user(cx, t.owner, "sla_warning", title,
		    body, &entity_tickets, id, true, NULL) : CRM_OK;
	} else {
		snprintf(title, sizeof(title), "SLA breached: ticket #%lld %s",
		    (long long)id, t.subject);
		snprintf(body, sizeof(body), "The %s of ticket #%lld \"%s\" was due "
		    "at %s.", response ? "first response" : "resolution",
		    (long long)id, t.subject, ts);
		rc = breach(cx, id, response, &t, pol, title, body);
	}
	json_decref(pol);
	if (rc == CRM_OK)
		return CRM_OK;
fail:
	snprintf(err, errlen, "%s", cx->detail);
	return rc;
}
