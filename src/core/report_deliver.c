/*
 * Report subscriptions (core/report_deliver.h): rows of
 * report_subscriptions, a "report_deliver" job per occurrence, and the
 * delivery itself: per recipient, the report run with the recipient's
 * rights, rendered to a file, queued as a mail with the file attached.
 *
 * A schedule is kept twice: as the owner gave it (schedule, for the form)
 * and as the cron expression it stands for (cron, for core/cron.h), so a
 * weekly or monthly schedule and a written expression are computed alike.
 * The job of an occurrence carries the instant it was armed for ("at");
 * a job whose subscription has since been changed, paused or re-armed
 * finds next_at different and ends without mailing anyone.
 */
#include "core/report_deliver.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/audit.h"
#include "core/cron.h"
#include "core/jobs.h"
#include "core/mail.h"
#include "core/reports.h"
#include "core/users.h"
#include "core/workcal.h"
#include "util/alloc.h"
#include "util/log.h"
#include "util/timeutil.h"
#include "util/tz.h"

#define KEY_LEN 96
#define NAME_BYTES (REPORT_NAME_MAX * 4 + 1)	/* a report's name in UTF-8 */

static int
db_fail(struct core_ctx *cx, const char *what)
{
	log_error("database: report subscriptions %s: %s", what,
	    db_errmsg(cx->db));
	return core_fail(cx, CRM_EDB, "The database failed; nothing was changed");
}

static bool
is_admin(struct core_ctx *cx)
{
	return cx->actor.user_id == 0 || cx->actor.is_admin;
}

/* ---- reading ---- */

#define SUB_COLS "s.id, s.owner_id, s.report_id, r.name, s.format, " \
	"s.schedule, s.tz, s.recipients, s.params, s.active, s.next_at, " \
	"s.last_sent_at, s.created_at, s.updated_at, s.version, s.cron"

static json_t *
row_json(db_stmt_t *st)
{
	json_t *sched = json_loads(db_col_text(st, 5, NULL), 0, NULL);
	json_t *rcpt = json_loads(db_col_text(st, 7, NULL), 0, NULL);
	json_t *params = json_loads(db_col_text(st, 8, NULL), 0, NULL);

	/* A row the core did not write reads with empty parts. */
	if (!json_is_object(sched)) {
		json_decref(sched);
		sched = json_object();
	}
	if (!json_is_array(rcpt)) {
		json_decref(rcpt);
		rcpt = json_array();
	}
	if (!json_is_object(params)) {
		json_decref(params);
		params = json_object();
	}

	return json_pack("{s:I, s:I, s:I, s:s, s:s, s:o, s:s, s:o, s:o, s:b, "
	    "s:o, s:o, s:o, s:o, s:I, s:s}", "id", (json_int_t)db_col_int(st, 0),
	    "owner_id", (json_int_t)db_col_int(st, 1), "report_id",
	    (json_int_t)db_col_int(st, 2), "report_name", db_col_text(st, 3,
	    NULL), "format", db_col_text(st, 4, NULL), "schedule", sched,
	    "tz", db_col_text(st, 6, NULL), "recipients", rcpt, "params", params,
	    "active", db_col_int(st, 9) != 0, "next_at",
	    core_col_time(st, 10), "last_sent_at", core_col_time(st, 11),
	    "created_at", core_col_time(st, 12), "updated_at", core_col_time(st,
	    13), "version", (json_int_t)db_col_int(st, 14), "cron",
	    db_col_text(st, 15, NULL));
}

/*
 * Subscription id when the actor may see it (its owner, an admin):
 * *out new. CRM_ENOTFOUND otherwise.
 */
static int
load(struct core_ctx *cx, int64_t id, json_t **out)
{
	db_stmt_t *st;
	int rc;

	*out = NULL;
	if (db_prepare(cx->db, "SELECT " SUB_COLS " FROM report_subscriptions s "
	    "JOIN reports r ON r.id = s.report_id WHERE s.id = ? AND (? = 1 OR "
	    "s.owner_id = ?)", &st) != DB_OK)
		return db_fail(cx, "read");
	db_bind_int(st, 1, id);
	db_bind_int(st, 2, is_admin(cx) ? 1 : 0);
	db_bind_int(st, 3, cx->actor.user_id);
	rc = db_step(st);
	if (rc == DB_ROW)
		*out = row_json(st);
	db_done(st);
	if (rc == DB_DONE)
		return core_fail(cx, CRM_ENOTFOUND, "No such subscription");
	if (rc != DB_ROW || *out == NULL)
		return db_fail(cx, "read step");
	return CRM_OK;
}

int
rsub_list(struct core_ctx *cx, json_t **out)
{
	json_t *arr = json_array();
	db_stmt_t *st;
	int rc;

	if (db_prepare(cx->db, "SELECT " SUB_COLS " FROM report_subscriptions s "
	    "JOIN reports r ON r.id = s.report_id WHERE ? = 1 OR s.owner_id = ? "
	    "ORDER BY s.id DESC", &st) != DB_OK) {
		json_decref(arr);
		return db_fail(cx, "list");
	}
	db_bind_int(st, 1, is_admin(cx) ? 1 : 0);
	db_bind_int(st, 2, cx->actor.user_id);
	while ((rc = db_step(st)) == DB_ROW)
		json_array_append_new(arr, row_json(st));
	db_done(st);
	if (rc != DB_DONE) {
		json_decref(arr);
		return db_fail(cx, "list step");
	}
	*out = json_pack("{s:o}", "data", arr);
	return CRM_OK;
}

int
rsub_get(struct core_ctx *cx, int64_t id, json_t **out)
{
	return load(cx, id, out);
}

/* ---- checking ---- */

/* "HH:MM" into *h and *m. */
static bool
parse_hhmm(const char *s, int *h, int *m)
{
	if (s == NULL || strlen(s) != 5 || s[2] != ':')
		return false;
	for (int i = 0; i < 5; i++)
		if (i != 2 && (s[i] < '0' || s[i] > '9'))
			return false;
	*h = (s[0] - '0') * 10 + (s[1] - '0');
	*m = (s[3] - '0') * 10 + (s[4] - '0');
	return *h < 24 && *m < 60;
}

/*
 * The schedule as a cron expression into expr (CRON_EXPR_MAX + 1), each
 * problem added at its path. true when it is good.
 */
static bool
schedule_cron(struct core_ctx *cx, json_t *s, char *expr, size_t len)
{
	const char *kind = json_string_value(json_object_get(s, "kind"));
	const char *k, *allowed;
	json_t *v;
	char err[160];
	struct cron c;
	int h = 0, m = 0;
	json_int_t n;

	if (!json_is_object(s) || kind == NULL) {
		verrs_add(&cx->errs, "schedule", "must be {kind: weekly|monthly|"
		    "cron, ...}");
		return false;
	}
	allowed = strcmp(kind, "weekly") == 0 ? "kind weekday time" :
	    strcmp(kind, "monthly") == 0 ? "kind day time" :
	    strcmp(kind, "cron") == 0 ? "kind expr" : NULL;
	if (allowed == NULL) {
		verrs_add(&cx->errs, "schedule.kind", "must be weekly, monthly or "
		    "cron");
		return false;
	}
	json_object_foreach(s, k, v) {
		const char *at = strstr(allowed, k);
		size_t kl = strlen(k);

		if (at == NULL || (at != allowed && at[-1] != ' ') ||
		    (at[kl] != ' ' && at[kl] != '\0'))
			verrs_add(&cx->errs, "schedule", "%.40s: not a field of a %s "
			    "schedule (%s)", k, kind, allowed);
	}
	if (strcmp(kind, "cron") == 0) {
		const char *e = json_string_value(json_object_get(s, "expr"));

		if (e == NULL || strlen(e) > CRON_EXPR_MAX) {
			verrs_add(&cx->errs, "schedule.expr", "must be a cron "
			    "expression of at most %d characters", CRON_EXPR_MAX);
			return false;
		}
		if (cron_parse(e, &c, err, sizeof(err)) != 0) {
			verrs_add(&cx->errs, "schedule.expr", "%s", err);
			return false;
		}
		/* One minute of the hour: at most hourly, against mail floods. */
		if (__builtin_popcountll(c.minutes) != 1) {
			verrs_add(&cx->errs, "schedule", "fires more often than once "
			    "an hour; a report is mailed at most hourly (give one "
			    "minute, e.g. \"0 * * * *\")");
			return false;
		}
		snprintf(expr, len, "%s", e);
		return cx->errs.n == 0;
	}
	if (!parse_hhmm(json_string_value(json_object_get(s, "time")), &h, &m)) {
		verrs_add(&cx->errs, "schedule.time", "must be HH:MM (00:00 to "
		    "23:59)");
		return false;
	}
	if (strcmp(kind, "weekly") == 0) {
		v = json_object_get(s, "weekday");
		n = json_integer_value(v);
		if (!json_is_integer(v) || n < 1 || n > 7) {
			verrs_add(&cx->errs, "schedule.weekday", "must be 1 (Monday) "
			    "to 7 (Sunday)");
			return false;
		}
		snprintf(expr, len, "%d %d * * %d", m, h, (int)n);
	} else {
		v = json_object_get(s, "day");
		n = json_integer_value(v);
		if (!json_is_integer(v) || n < 1 || n > 28) {
			verrs_add(&cx->errs, "schedule.day", "must be a day from 1 to "
			    "28 (every month has it)");
			return false;
		}
		snprintf(expr, len, "%d %d %d * *", m, h, (int)n);
	}
	return cx->errs.n == 0;
}

/* The next occurrence after after_ms: 0 and *next, or -1. */
static int
next_occurrence(const char *expr, const char *tzname, int64_t after_ms,
    int64_t *next)
{
	struct cron c;
	struct tz *z = NULL;
	char err[160];
	int rc;

	if (cron_parse(expr, &c, err, sizeof(err)) != 0 ||
	    tz_load(tzname, &z) != 0)
		return -1;
	rc = cron_next(&c, z, after_ms - after_ms % 60000, next);
	tz_free(z);
	return rc;
}

/* The zone of user_id's work calendar into out (TZ_NAME_MAX + 1). */
static int
owner_zone(struct core_ctx *cx, int64_t user_id, char *out, size_t len)
{
	struct workcal *cal = NULL;
	db_stmt_t *st;
	int rc;

	snprintf(out, len, "UTC");
	rc = workcal_for_user(cx, user_id, &cal);
	if (rc == CRM_ENOTFOUND)
		return CRM_OK;
	if (rc != CRM_OK)
		return rc;
	if (db_prepare(cx->db, "SELECT tz FROM work_calendars WHERE id = ?",
	    &st) != DB_OK) {
		workcal_free(cal);
		return db_fail(cx, "zone");
	}
	db_bind_int(st, 1, cal->id);
	rc = db_step(st);
	if (rc == DB_ROW)
		snprintf(out, len, "%s", db_col_text(st, 0, NULL));
	db_done(st);
	workcal_free(cal);
	return rc == DB_ROW || rc == DB_DONE ? CRM_OK : db_fail(cx, "zone step");
}

/* Whether user a (active) may see report id: sets *ok. */
static int
recipient_sees(struct core_ctx *cx, int64_t uid, int64_t report_id,
    bool *ok, struct actor *a)
{
	struct core_ctx rcx;
	int rc;

	*ok = false;
	rc = user_load_actor(cx, uid, a);
	if (rc == CRM_ENOTFOUND)
		return CRM_OK;
	if (rc != CRM_OK)
		return rc;
	core_ctx_init(&rcx, cx->db, a);
	rc = report_visible(&rcx, report_id, ok);
	if (rc != CRM_OK)
		return core_fail(cx, rc, "%s", rcx.detail);
	return CRM_OK;
}

static void
check_recipients(struct core_ctx *cx, json_t *r, int64_t report_id,
    int *rc)
{
	char path[40];
	struct actor a;
	json_t *v;
	size_t i;

	if (!json_is_array(r) || json_array_size(r) == 0 ||
	    json_array_size(r) > RSUB_RECIPIENTS_MAX) {
		verrs_add(&cx->errs, "recipients", "must be a list of 1 to %d user "
		    "ids", RSUB_RECIPIENTS_MAX);
		return;
	}
	json_array_foreach(r, i, v) {
		bool ok = false, twice = false;

		snprintf(path, sizeof(path), "recipients[%zu]", i);
		if (!json_is_integer(v) || json_integer_value(v) <= 0) {
			verrs_add(&cx->errs, path, "must be a user id");
			continue;
		}
		for (size_t j = 0; j < i; j++)
			twice = twice || json_integer_value(json_array_get(r, j)) ==
			    json_integer_value(v);
		if (twice) {
			verrs_add(&cx->errs, path, "is named twice");
			continue;
		}
		if (report_id <= 0)
			continue;
		*rc = recipient_sees(cx, json_integer_value(v), report_id, &ok, &a);
		if (*rc != CRM_OK)
			return;
		if (!ok)
			verrs_add(&cx->errs, path, "is no active user who may read "
			    "this report");
	}
}

/*
 * The form of a run parameter: from and to dates, days a positive whole
 * number. Whether the report takes it, and the library's own bounds, are
 * the run's to say (a recipient's delivery is then skipped, audited).
 */
static bool
param_ok(const char *k, const char *v)
{
	int64_t day;
	char *end;

	if (strcmp(k, "days") != 0)
		return time_parse_date(v, strlen(v), &day) == 0;
	errno = 0;
	day = strtoll(v, &end, 10);
	return *v != '\0' && *end == '\0' && errno == 0 && day > 0;
}

static void
check_params(struct core_ctx *cx, json_t *p)
{
	const char *k;
	json_t *v;

	if (!json_is_object(p)) {
		verrs_add(&cx->errs, "params", "must be an object {from?, to?, "
		    "days?}");
		return;
	}
	json_object_foreach(p, k, v) {
		if (strcmp(k, "from") != 0 && strcmp(k, "to") != 0 &&
		    strcmp(k, "days") != 0)
			verrs_add(&cx->errs, "params", "%.40s: not a run parameter "
			    "(from, to, days)", k);
		else if (!json_is_string(v) || json_string_length(v) == 0 ||
		    json_string_length(v) > RSUB_PARAM_MAX)
			verrs_add(&cx->errs, "params", "%s: must be a text of at most "
			    "%d characters", k, RSUB_PARAM_MAX);
		else if (!param_ok(k, json_string_value(v)))
			verrs_add(&cx->errs, "params", "%s: must be %s", k,
			    strcmp(k, "days") == 0 ? "a whole number of days" :
			    "a date (YYYY-MM-DD)");
	}
}

/*
 * Checks a whole subscription s (the stored one with the changes over it)
 * for owner; *cron gets its expression. CRM_EINVAL naming each problem.
 */
static int
check(struct core_ctx *cx, json_t *s, char *cron, size_t cronlen)
{
	json_t *rid = json_object_get(s, "report_id");
	const char *tzname = json_string_value(json_object_get(s, "tz"));
	int64_t report_id = json_integer_value(rid);
	struct tz *z = NULL;
	bool seen = false;
	int rc = CRM_OK;

	if (!json_is_integer(rid) || report_id <= 0) {
		verrs_add(&cx->errs, "report_id", "must be a report id");
		report_id = 0;
	} else {
		rc = report_visible(cx, report_id, &seen);
		if (rc != CRM_OK)
			return rc;
		if (!seen) {
			verrs_add(&cx->errs, "report_id", "no such report");
			report_id = 0;
		}
	}
	if (report_format_parse(json_string_value(json_object_get(s,
	    "format"))) < 0)
		verrs_add(&cx->errs, "format", "must be xlsx, csv or pdf");
	(void)schedule_cron(cx, json_object_get(s, "schedule"), cron, cronlen);
	if (tzname == NULL || strlen(tzname) > TZ_NAME_MAX ||
	    tz_load(tzname, &z) != 0)
		verrs_add(&cx->errs, "tz", "must be a known time zone (an IANA "
		    "name such as Europe/Berlin)");
	tz_free(z);
	check_params(cx, json_object_get(s, "params"));
	if (!json_is_boolean(json_object_get(s, "active")))
		verrs_add(&cx->errs, "active", "must be true or false");
	check_recipients(cx, json_object_get(s, "recipients"), report_id, &rc);
	if (rc != CRM_OK)
		return rc;
	return cx->errs.n > 0 ? core_invalid(cx) : CRM_OK;
}

static void
check_keys(struct core_ctx *cx, json_t *in)
{
	static const char *const known[] = { "report_id", "format", "schedule",
	    "tz", "recipients", "params", "active" };
	const char *k;
	json_t *v;

	json_object_foreach(in, k, v) {
		bool ok = false;

		for (size_t i = 0; i < sizeof(known) / sizeof(*known); i++)
			ok = ok || strcmp(k, known[i]) == 0;
		if (!ok)
			verrs_add(&cx->errs, k, "is not a field of a subscription");
	}
}

/* ---- writing ---- */

/* "report_deliver:<id>.": the prefix of every job of subscription id. */
static void
key_prefix(int64_t id, char *key, size_t len)
{
	snprintf(key, len, "report_deliver:%lld.", (long long)id);
}

/*
 * Arms the job of subscription id's next occurrence after now (or none
 * when inactive) and records it in next_at, dropping any job still armed
 * for an earlier setting. The key is "report_deliver:<id>.<created_at>:
 * <at>": an id SQLite hands out again after a delete never meets the done
 * jobs of the subscription that had it (a unique key is never reused).
 */
static int
arm(struct core_ctx *cx, int64_t id, const char *cron, const char *tzname,
    bool active, int64_t after_ms)
{
	char key[KEY_LEN];
	int64_t next = 0, jid, created = 0;
	json_t *payload;
	db_stmt_t *st;
	int rc;

	if (db_prepare(cx->db, "SELECT created_at FROM report_subscriptions "
	    "WHERE id = ?", &st) != DB_OK)
		return db_fail(cx, "created");
	db_bind_int(st, 1, id);
	rc = db_step(st);
	if (rc == DB_ROW)
		created = db_col_int(st, 0);
	db_done(st);
	if (rc != DB_ROW)
		return db_fail(cx, "created step");
	key_prefix(id, key, sizeof(key));
	rc = job_drop_keyed(cx, "report_deliver", key, true);
	if (rc != CRM_OK)
		return rc;
	if (active && next_occurrence(cron, tzname, after_ms, &next) != 0)
		next = 0;	/* never fires: stays unarmed ("0 0 30 2 *") */
	rc = core_exec(cx, "UPDATE report_subscriptions SET next_at = ? WHERE "
	    "id = ?", "ni", next, id);
	if (rc != CRM_OK || next == 0)
		return rc;
	snprintf(key, sizeof(key), "report_deliver:%lld.%lld:%lld", (long long)id,
	    (long long)created, (long long)next);
	payload = json_pack("{s:I, s:I}", "subscription_id", (json_int_t)id,
	    "at", (json_int_t)next);
	rc = job_enqueue(cx, "report_deliver", payload, next, key, &jid);
	json_decref(payload);
	return rc;
}

static int
write_row(struct core_ctx *cx, int64_t id, json_t *s, const char *cron,
    int64_t *newid)
{
	char *sched = json_dumps(json_object_get(s, "schedule"), JSON_COMPACT |
	    JSON_SORT_KEYS);
	char *rcpt = json_dumps(json_object_get(s, "recipients"), JSON_COMPACT);
	char *params = json_dumps(json_object_get(s, "params"), JSON_COMPACT |
	    JSON_SORT_KEYS);
	int64_t now = time_now_ms();
	db_stmt_t *st;
	int rc;

	if (sched == NULL || rcpt == NULL || params == NULL) {
		rc = core_fail(cx, CRM_EDB, "out of memory");
		goto out;
	}
	if (id == 0) {
		if (db_prepare(cx->db, "INSERT INTO report_subscriptions (owner_id, "
		    "report_id, format, schedule, cron, tz, recipients, params, "
		    "active, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, "
		    "?, ?, ?) RETURNING id", &st) != DB_OK) {
			rc = db_fail(cx, "insert");
			goto out;
		}
		db_bind_int(st, 1, cx->actor.user_id);
		db_bind_int(st, 2, json_integer_value(json_object_get(s,
		    "report_id")));
	} else {
		if (db_prepare(cx->db, "UPDATE report_subscriptions SET report_id "
		    "= ?, format = ?, schedule = ?, cron = ?, tz = ?, recipients = "
		    "?, params = ?, active = ?, updated_at = ?, version = version + "
		    "1 WHERE id = ? AND ? > 0 RETURNING id", &st) != DB_OK) {
			rc = db_fail(cx, "update");
			goto out;
		}
		db_bind_int(st, 1, json_integer_value(json_object_get(s,
		    "report_id")));
	}
	{
		int o = id == 0 ? 3 : 2;
		const char *fmt = json_string_value(json_object_get(s, "format"));
		const char *tzname = json_string_value(json_object_get(s, "tz"));

		db_bind_text(st, o, fmt, strlen(fmt));
		db_bind_text(st, o + 1, sched, strlen(sched));
		db_bind_text(st, o + 2, cron, strlen(cron));
		db_bind_text(st, o + 3, tzname, strlen(tzname));
		db_bind_text(st, o + 4, rcpt, strlen(rcpt));
		db_bind_text(st, o + 5, params, strlen(params));
		db_bind_int(st, o + 6, json_is_true(json_object_get(s, "active")));
		db_bind_int(st, o + 7, now);
		if (id == 0) {
			db_bind_int(st, o + 8, now);
		} else {
			db_bind_int(st, o + 8, id);
			db_bind_int(st, o + 9, id);
		}
	}
	rc = db_step(st);
	*newid = rc == DB_ROW ? db_col_int(st, 0) : 0;
	db_done(st);
	rc = rc == DB_ROW ? CRM_OK : db_fail(cx, "write step");
out:
	free(sched);
	free(rcpt);
	free(params);
	return rc;
}

/* Checks s, writes it (id 0: a new one), arms its job, audits action. */
static int
save(struct core_ctx *cx, int64_t id, json_t *s, const char *action,
    int64_t *newid)
{
	char cron[CRON_EXPR_MAX + 1] = "";
	json_t *detail;
	int rc;

	rc = check(cx, s, cron, sizeof(cron));
	if (rc == CRM_OK)
		rc = write_row(cx, id, s, cron, newid);
	if (rc == CRM_OK)
		rc = arm(cx, *newid, cron, json_string_value(json_object_get(s,
		    "tz")), json_is_true(json_object_get(s, "active")),
		    time_now_ms());
	if (rc == CRM_OK) {
		detail = json_pack("{s:O, s:O, s:O, s:O}", "report_id",
		    json_object_get(s, "report_id"), "format", json_object_get(s,
		    "format"), "schedule", json_object_get(s, "schedule"),
		    "recipients", json_object_get(s, "recipients"));
		rc = audit_append(cx, action, "report_subscriptions", *newid,
		    detail);
		json_decref(detail);
	}
	return rc;
}

int
rsub_create(struct core_ctx *cx, json_t *in, json_t **out)
{
	char zone[TZ_NAME_MAX + 1];
	json_t *s;
	int64_t id = 0;
	int rc;

	*out = NULL;
	if (cx->actor.user_id == 0)
		return core_fail(cx, CRM_EFORBIDDEN, "subscriptions belong to "
		    "people");
	check_keys(cx, in);
	if (cx->errs.n > 0)
		return core_invalid(cx);
	if (db_begin(cx->db) != DB_OK)
		return db_fail(cx, "begin");
	s = json_deep_copy(in);
	rc = CRM_OK;
	if (json_object_get(s, "tz") == NULL) {
		rc = owner_zone(cx, cx->actor.user_id, zone, sizeof(zone));
		json_object_set_new(s, "tz", json_string(zone));
	}
	if (json_object_get(s, "params") == NULL)
		json_object_set_new(s, "params", json_object());
	if (json_object_get(s, "active") == NULL)
		json_object_set_new(s, "active", json_true());
	if (rc == CRM_OK)
		rc = save(cx, 0, s, "report_subscription.create", &id);
	json_decref(s);
	rc = core_txn_end(cx, rc, NULL);
	return rc == CRM_OK ? load(cx, id, out) : rc;
}

int
rsub_update(struct core_ctx *cx, int64_t id, int64_t if_version, json_t *in,
    json_t **out)
{
	json_t *s = NULL;
	int64_t newid = 0;
	int rc;

	*out = NULL;
	check_keys(cx, in);
	if (cx->errs.n > 0)
		return core_invalid(cx);
	if (db_begin(cx->db) != DB_OK)
		return db_fail(cx, "begin");
	rc = load(cx, id, &s);
	if (rc == CRM_OK && if_version >= 0 && json_integer_value(
	    json_object_get(s, "version")) != if_version)
		rc = core_fail(cx, CRM_ECONFLICT, "the subscription was changed "
		    "meanwhile (version %lld)", (long long)json_integer_value(
		    json_object_get(s, "version")));
	if (rc == CRM_OK) {
		json_object_update(s, in);
		rc = save(cx, id, s, "report_subscription.update", &newid);
	}
	json_decref(s);
	rc = core_txn_end(cx, rc, NULL);
	return rc == CRM_OK ? load(cx, id, out) : rc;
}

int
rsub_delete(struct core_ctx *cx, int64_t id)
{
	char key[KEY_LEN];
	json_t *s = NULL, *detail;
	int rc;

	if (db_begin(cx->db) != DB_OK)
		return db_fail(cx, "begin");
	rc = load(cx, id, &s);
	key_prefix(id, key, sizeof(key));
	if (rc == CRM_OK)
		rc = job_drop_keyed(cx, "report_deliver", key, true);
	if (rc == CRM_OK)
		rc = core_exec(cx, "DELETE FROM report_subscriptions WHERE id = ?",
		    "i", id);
	if (rc == CRM_OK) {
		detail = json_pack("{s:O}", "report_id", json_object_get(s,
		    "report_id"));
		rc = audit_append(cx, "report_subscription.delete",
		    "report_subscriptions", id, detail);
		json_decref(detail);
	}
	json_decref(s);
	return core_txn_end(cx, rc, NULL);
}

/* ---- delivering ---- */

/*
 * A delivery is two phases. First each recipient's report is run and
 * rendered with reads only, outside any transaction: a run may take its
 * 10 s deadline and a PDF longer, and on SQLite a write transaction held
 * meanwhile would make every other writer of the server wait. The files
 * wait as unlinked temporary files (one open descriptor each), so memory
 * holds one file at a time, not fifty. Then one short write transaction
 * checks the subscription is as it was rendered (version, and for a
 * scheduled occurrence still armed for it), queues the mails with their
 * files, records the delivery and audits it; otherwise it drops the files.
 */

/* One recipient's file, rendered and waiting for the write transaction. */
struct rendered {
	int64_t		uid;
	int64_t		rows;
	int		fd;		/* the file from offset 0; owned */
	struct actor	a;		/* the recipient (name, address) */
	char		report[NAME_BYTES];	/* the report's name, UTF-8 */
};

struct delivery {
	struct rendered	 items[RSUB_RECIPIENTS_MAX];
	size_t		 n;
	json_t		*skipped;	/* [{user_id, reason}] */
};

static struct delivery *
delivery_new(void)
{
	struct delivery *d = xcalloc(1, sizeof(*d));

	d->skipped = json_array();
	return d;
}

static void
delivery_free(struct delivery *d)
{
	if (d == NULL)
		return;
	for (size_t i = 0; i < d->n; i++)
		close(d->items[i].fd);
	json_decref(d->skipped);
	free(d);
}

/* The whole file at fd (from offset 0) into *data, at most max bytes. */
static int
slurp(int fd, size_t max, char **data, size_t *len)
{
	size_t cap = 65536, n = 0;
	char *p;

	if (lseek(fd, 0, SEEK_SET) != 0)
		return -1;
	p = xmalloc(cap);
	for (;;) {
		ssize_t r;

		if (n == cap) {
			if (cap > max) {
				free(p);
				return -2;
			}
			cap *= 2;
			p = xrealloc(p, cap);
		}
		r = read(fd, p + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			free(p);
			return -1;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	if (n > max) {
		free(p);
		return -2;
	}
	*data = p;
	*len = n;
	return 0;
}

/*
 * The report answer res rendered in format f as a file: *fd (the caller
 * closes it), checked against the size a mail may carry. The one place a
 * delivery renders a file: PDF goes here.
 */
static int
render_file(struct core_ctx *cx, int64_t id, const struct report_params *p,
    json_t *res, const char *name, enum export_format f, int *fd)
{
	const char *dir = cx->mail != NULL ? cx->mail->tmpdir : NULL;
	struct stat sb;
	int rc;

	rc = report_write_file(cx, id, p, res, name, f, dir != NULL &&
	    dir[0] == '/' ? dir : "/tmp", fd);
	if (rc != CRM_OK)
		return rc;
	if (fstat(*fd, &sb) != 0)
		rc = core_fail(cx, CRM_EDB, "the file could not be read");
	else if (sb.st_size > MAIL_ATTACH_MAX)
		rc = core_fail(cx, CRM_EBADQUERY, "the file is larger than a "
		    "mail may carry (%d MB)", MAIL_ATTACH_MAX / (1024 * 1024));
	if (rc != CRM_OK) {
		close(*fd);
		*fd = -1;
	}
	return rc;
}

/* "Name-2026-11-30.xlsx": the report's name in ASCII file characters. */
static void
file_name(const char *name, const char *ext, char *out, size_t len)
{
	char ts[TIME_RFC3339_LEN], base[64];
	size_t n = 0;

	for (const char *p = name; *p != '\0' && n < sizeof(base) - 1; p++) {
		unsigned char c = (unsigned char)*p;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_')
			base[n++] = (char)c;
		else if (n > 0 && base[n - 1] != '-' && (c < 0x80 ||
		    (c & 0xc0) == 0xc0))
			base[n++] = '-';
	}
	while (n > 0 && base[n - 1] == '-')
		n--;
	base[n] = '\0';
	time_format(time_now_ms(), ts, sizeof(ts));
	snprintf(out, len, "%s-%.10s.%s", n > 0 ? base : "report", ts, ext);
}

/*
 * Reads only: one recipient's file, the report as uid sees it, added to
 * d. A recipient who cannot have it is added to d->skipped with the
 * reason; only the database failing is an error.
 */
static int
render_one(struct core_ctx *cx, json_t *s, int64_t uid, struct delivery *d)
{
	int f = report_format_parse(json_string_value(json_object_get(s,
	    "format")));
	json_t *params = json_object_get(s, "params"), *res = NULL;
	struct rendered *r = &d->items[d->n];
	struct report_params p = { 0 };
	struct core_ctx rcx;
	int64_t rid;
	int rc;

	memset(r, 0, sizeof(*r));
	r->fd = -1;
	rc = user_load_actor(cx, uid, &r->a);
	if (rc == CRM_ENOTFOUND) {
		json_array_append_new(d->skipped, json_pack("{s:I, s:s}",
		    "user_id", (json_int_t)uid, "reason", "no active user"));
		return CRM_OK;
	}
	if (rc != CRM_OK)
		return rc;
	core_ctx_init(&rcx, cx->db, &r->a);
	rcx.mail = cx->mail;
	p.tz = json_string_value(json_object_get(s, "tz"));
	p.from = json_string_value(json_object_get(params, "from"));
	p.to = json_string_value(json_object_get(params, "to"));
	p.days = json_string_value(json_object_get(params, "days"));
	rid = json_integer_value(json_object_get(s, "report_id"));
	rc = report_deliver_run(&rcx, rid, &p, &res, r->report,
	    sizeof(r->report));
	if (rc == CRM_OK)
		rc = render_file(&rcx, rid, &p, res, r->report,
		    (enum export_format)f, &r->fd);
	if (rc == CRM_EDB) {
		json_decref(res);
		return core_fail(cx, rc, "%s", rcx.detail);
	}
	if (rc != CRM_OK) {
		json_array_append_new(d->skipped, json_pack("{s:I, s:s}",
		    "user_id", (json_int_t)uid, "reason", rcx.detail));
		json_decref(res);
		return CRM_OK;
	}
	r->uid = uid;
	r->rows = (int64_t)json_array_size(json_object_get(res, "rows"));
	json_decref(res);
	d->n++;
	return CRM_OK;
}

/* Reads only: every recipient's file of s into d (delivery_new()). */
static int
render_all(struct core_ctx *cx, json_t *s, struct delivery *d)
{
	json_t *v;
	size_t i;
	int rc = CRM_OK;

	json_array_foreach(json_object_get(s, "recipients"), i, v) {
		if (d->n >= RSUB_RECIPIENTS_MAX)
			break;
		rc = render_one(cx, s, json_integer_value(v), d);
		if (rc != CRM_OK)
			break;
	}
	return rc;
}

/* In the write transaction: recipient r's mail with its file. */
static int
queue_one(struct core_ctx *cx, json_t *s, const struct rendered *r)
{
	int f = report_format_parse(json_string_value(json_object_get(s,
	    "format")));
	/* Whole: mail_queue cuts the subject at a character boundary. */
	char fname[MAIL_FILENAME_MAX], subject[NAME_BYTES + 16],
	    body[NAME_BYTES * 2 + 512], *data = NULL;
	int64_t oid = 0;
	size_t len = 0;
	int rc, got;

	got = slurp(r->fd, MAIL_ATTACH_MAX, &data, &len);
	if (got != 0)
		return core_fail(cx, CRM_EDB, "the rendered file of user %lld "
		    "could not be read back", (long long)r->uid);
	snprintf(subject, sizeof(subject), "Report: %s", r->report);
	file_name(r->report, report_format_ext((enum export_format)f), fname,
	    sizeof(fname));
	snprintf(body, sizeof(body), "Hello %s,\n\nattached is the report "
	    "\"%s\" (%lld rows), as you see it in the CRM with your own "
	    "rights.\n\n"
	    "It comes by subscription %lld; its owner or an administrator can "
	    "change or stop it under Reports.\n", r->a.name, r->report,
	    (long long)r->rows, (long long)json_integer_value(json_object_get(s,
	    "id")));
	rc = mail_queue(cx, r->a.email, subject, body, &oid);
	if (rc == CRM_OK)
		rc = mail_queue_attach(cx, oid, fname, report_format_mime(
		    (enum export_format)f), data, len);
	free(data);
	return rc;
}

/*
 * The wait (ms, 0: none) before subscription id may send now again: the
 * RSUB_SEND_NOW_MAX-th newest send-now that mailed anyone within the
 * window must leave it.
 */
static int
send_now_wait(struct core_ctx *cx, int64_t id, int64_t now, int64_t *wait)
{
	db_stmt_t *st;
	int rc;

	*wait = 0;
	if (db_prepare(cx->db, "SELECT sent_at FROM report_deliveries WHERE "
	    "subscription_id = ? AND kind = 'now' AND mails > 0 AND sent_at > ? "
	    "ORDER BY sent_at DESC LIMIT 1 OFFSET ?", &st) != DB_OK)
		return db_fail(cx, "send-now count");
	db_bind_int(st, 1, id);
	db_bind_int(st, 2, now - RSUB_SEND_NOW_WINDOW_MS);
	db_bind_int(st, 3, RSUB_SEND_NOW_MAX - 1);
	rc = db_step(st);
	if (rc == DB_ROW)
		*wait = db_col_int(st, 0) + RSUB_SEND_NOW_WINDOW_MS - now;
	db_done(st);
	if (rc != DB_ROW && rc != DB_DONE)
		return db_fail(cx, "send-now count step");
	if (rc == DB_ROW && *wait < 1)
		*wait = 1;
	return CRM_OK;
}

/* CRM_ETHROTTLED with Retry-After when id has sent now too often. */
static int
send_now_limit(struct core_ctx *cx, int64_t id)
{
	int64_t wait = 0, min;
	int rc = send_now_wait(cx, id, time_now_ms(), &wait);

	if (rc != CRM_OK || wait == 0)
		return rc;
	min = (wait + 59999) / 60000;
	cx->retry_after_s = (wait + 999) / 1000;
	return core_fail(cx, CRM_ETHROTTLED, "A subscription may be sent now "
	    "at most %d times an hour; again in %lld minute%s", RSUB_SEND_NOW_MAX,
	    (long long)min, min == 1 ? "" : "s");
}

/*
 * In the write transaction, after the guard: the mails of d, the
 * delivery's row (occurrence 0: send-now), last_sent_at and the audit
 * entry report.deliver; *out (may be NULL) the outcome. *dup is set when
 * the occurrence was delivered already: nothing is then written.
 */
static int
deliver_commit(struct core_ctx *cx, json_t *s, struct delivery *d,
    const char *trigger, int64_t occurrence, json_t **out, bool *dup)
{
	json_t *done = json_array(), *detail;
	int64_t id = json_integer_value(json_object_get(s, "id"));
	int64_t now = time_now_ms(), did = 0;
	db_stmt_t *st;
	int rc;

	*dup = false;
	if (db_prepare(cx->db, "INSERT INTO report_deliveries (subscription_id, "
	    "kind, occurrence, mails, sent_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT "
	    "(subscription_id, occurrence) DO NOTHING RETURNING id", &st) !=
	    DB_OK) {
		json_decref(done);
		return db_fail(cx, "record");
	}
	db_bind_int(st, 1, id);
	db_bind_text(st, 2, trigger, strlen(trigger));
	if (occurrence > 0)
		db_bind_int(st, 3, occurrence);
	else
		db_bind_null(st, 3);
	db_bind_int(st, 4, (int64_t)d->n);
	db_bind_int(st, 5, now);
	rc = db_step(st);
	if (rc == DB_ROW)
		did = db_col_int(st, 0);
	db_done(st);
	if (rc != DB_ROW && rc != DB_DONE) {
		json_decref(done);
		return db_fail(cx, "record step");
	}
	if (did == 0) {
		*dup = true;
		json_decref(done);
		return CRM_OK;
	}
	rc = CRM_OK;
	for (size_t i = 0; i < d->n && rc == CRM_OK; i++) {
		rc = queue_one(cx, s, &d->items[i]);
		if (rc == CRM_OK)
			json_array_append_new(done, json_pack("{s:I, s:I}", "user_id",
			    (json_int_t)d->items[i].uid, "rows",
			    (json_int_t)d->items[i].rows));
	}
	/* Older rows no longer guard a job (leases end within a day). */
	if (rc == CRM_OK)
		rc = core_exec(cx, "DELETE FROM report_deliveries WHERE "
		    "subscription_id = ? AND sent_at < ?", "ii", id, now -
		    RSUB_DELIVERIES_KEEP_MS);
	if (rc == CRM_OK)
		rc = core_exec(cx, "UPDATE report_subscriptions SET last_sent_at = "
		    "? WHERE id = ?", "ii", now, id);
	if (rc == CRM_OK) {
		detail = json_pack("{s:O, s:O, s:s, s:O, s:O}", "report_id",
		    json_object_get(s, "report_id"), "format", json_object_get(s,
		    "format"), "trigger", trigger, "delivered", done, "skipped",
		    d->skipped);
		rc = audit_append(cx, "report.deliver", "report_subscriptions", id,
		    detail);
		json_decref(detail);
	}
	if (rc == CRM_OK && out != NULL)
		*out = json_pack("{s:I, s:O, s:O}", "id", (json_int_t)id,
		    "delivered", done, "skipped", d->skipped);
	json_decref(done);
	return rc;
}

/*
 * In the write transaction: takes subscription id's row (PostgreSQL locks
 * it: a second server's same statement waits here, then finds it changed)
 * when it is still at version and, with at > 0, still active and armed
 * for at. *held says whether it was.
 */
static int
hold(struct core_ctx *cx, int64_t id, int64_t version, int64_t at,
    bool *held)
{
	int rc;

	*held = false;
	if (at > 0)
		rc = core_exec(cx, "UPDATE report_subscriptions SET version = "
		    "version WHERE id = ? AND version = ? AND active = 1 AND "
		    "next_at = ?", "iii", id, version, at);
	else
		rc = core_exec(cx, "UPDATE report_subscriptions SET version = "
		    "version WHERE id = ? AND version = ?", "ii", id, version);
	if (rc == CRM_OK)
		*held = db_changes(cx->db) == 1;
	return rc;
}

int
rsub_send_now(struct core_ctx *cx, int64_t id, json_t **out)
{
	struct delivery *d = NULL;
	json_t *s = NULL;
	int64_t version;
	bool held = false, dup = false;
	int rc;

	*out = NULL;
	rc = load(cx, id, &s);
	/* Refused before the work when it would be refused after it. */
	if (rc == CRM_OK)
		rc = send_now_limit(cx, id);
	if (rc != CRM_OK) {
		json_decref(s);
		return rc;
	}
	version = json_integer_value(json_object_get(s, "version"));
	d = delivery_new();
	rc = render_all(cx, s, d);
	if (rc == CRM_OK && db_begin(cx->db) != DB_OK)
		rc = db_fail(cx, "begin");
	else if (rc == CRM_OK) {
		rc = hold(cx, id, version, 0, &held);
		if (rc == CRM_OK && !held)
			rc = core_fail(cx, CRM_EINUSE, "the subscription was "
			    "changed or deleted meanwhile; nothing was sent");
		/* Again with the row held: two at once count each other. */
		if (rc == CRM_OK)
			rc = send_now_limit(cx, id);
		if (rc == CRM_OK)
			rc = deliver_commit(cx, s, d, "now", 0, out, &dup);
		rc = core_txn_end(cx, rc, out);
	}
	delivery_free(d);
	json_decref(s);
	return rc;
}

/*
 * Subscription id when it is active and armed for at (else *s NULL), as
 * the system sees it, with its cron expression in *cron (the caller
 * frees both).
 */
static int
due(struct core_ctx *cx, int64_t id, int64_t at, json_t **s, char **cron)
{
	db_stmt_t *st;
	int rc;

	*s = NULL;
	*cron = NULL;
	if (db_prepare(cx->db, "SELECT cron FROM report_subscriptions WHERE id "
	    "= ? AND active = 1 AND next_at = ?", &st) != DB_OK)
		return db_fail(cx, "due");
	db_bind_int(st, 1, id);
	db_bind_int(st, 2, at);
	rc = db_step(st);
	if (rc == DB_ROW)
		*cron = xstrdup(db_col_text(st, 0, NULL));
	db_done(st);
	if (rc != DB_ROW && rc != DB_DONE)
		return db_fail(cx, "due step");
	if (rc == DB_DONE)
		return CRM_OK;	/* deleted, paused or re-armed since */
	rc = load(cx, id, s);
	if (rc == CRM_ENOTFOUND)
		rc = CRM_OK;	/* deleted in between */
	return rc;
}

int
rsub_job_run(struct core_ctx *cx, json_t *payload, char *err, size_t errlen)
{
	int64_t id = json_integer_value(json_object_get(payload,
	    "subscription_id"));
	int64_t at = json_integer_value(json_object_get(payload, "at"));
	int64_t now, after;
	struct delivery *d = NULL;
	struct actor owner;
	json_t *s = NULL;
	char *cron = NULL;
	bool held = false, dup = false;
	int rc;

	/* The job runs as the system: load() sees every subscription. */
	rc = due(cx, id, at, &s, &cron);
	if (rc != CRM_OK || s == NULL)
		goto out;
	/*
	 * A disabled owner's subscriptions wait (re-armed, nothing sent): the
	 * owner's word keeps them going, and it resumes with the account.
	 */
	rc = user_load_actor(cx, json_integer_value(json_object_get(s,
	    "owner_id")), &owner);
	if (rc == CRM_OK) {
		d = delivery_new();
		rc = render_all(cx, s, d);
	} else if (rc == CRM_ENOTFOUND)
		rc = CRM_OK;
	if (rc != CRM_OK)
		goto out;
	if (db_begin(cx->db) != DB_OK) {
		rc = db_fail(cx, "begin");
		goto out;
	}
	rc = hold(cx, id, json_integer_value(json_object_get(s, "version")), at,
	    &held);
	if (rc == CRM_OK && held && d != NULL)
		rc = deliver_commit(cx, s, d, "schedule", at, NULL, &dup);
	/*
	 * The next occurrence after now (missed ones are not made up) and at
	 * least an hour after this one (a schedule saved before the limit).
	 */
	now = time_now_ms();
	after = at + RSUB_MIN_GAP_MS - 60000;
	if (rc == CRM_OK && held)
		rc = arm(cx, id, cron, json_string_value(json_object_get(s, "tz")),
		    true, now > after ? now : after);
	if (rc == CRM_OK && !held) {
		db_rollback(cx->db);
		/*
		 * Changed while rendering but still armed for this occurrence:
		 * render again with what it says now (the job is retried).
		 * Anything else (deleted, paused, re-armed) ends here.
		 */
		json_decref(s);
		free(cron);
		rc = due(cx, id, at, &s, &cron);
		if (rc == CRM_OK && s != NULL)
			rc = core_fail(cx, CRM_ECONFLICT, "subscription %lld changed "
			    "while it was rendered; rendered again", (long long)id);
		goto out;
	}
	if (dup)
		log_warn("report subscription %lld: the occurrence at %lld was "
		    "delivered already; re-armed only", (long long)id,
		    (long long)at);
	rc = core_txn_end(cx, rc, NULL);
out:
	if (rc != CRM_OK)
		snprintf(err, errlen, "%s", cx->detail);
	delivery_free(d);
	json_decref(s);
	free(cron);
	return rc;
}
