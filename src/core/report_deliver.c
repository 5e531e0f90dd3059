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

/*
 * The formats a subscription may ask for; render_file below writes each
 * through report_write_file (core/report_export.c).
 */
static const struct format {
	const char		*name;
	const char		*ctype;
	enum export_format	 export;
} formats[] = {
	{ "xlsx", "application/vnd.openxmlformats-officedocument."
	    "spreadsheetml.sheet", EXPORT_XLSX },
	{ "csv", "text/csv", EXPORT_CSV },
	{ "pdf", "application/pdf", EXPORT_PDF },
};

static const struct format *
format_find(const char *name)
{
	for (size_t i = 0; name != NULL && i < sizeof(formats) /
	    sizeof(*formats); i++)
		if (strcmp(formats[i].name, name) == 0)
			return &formats[i];
	return NULL;
}

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

static json_t *
time_or_null(db_stmt_t *st, int col)
{
	char ts[TIME_RFC3339_LEN];

	if (db_col_null(st, col))
		return json_null();
	time_format(db_col_int(st, col), ts, sizeof(ts));
	return json_string(ts);
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
	    time_or_null(st, 10), "last_sent_at", time_or_null(st, 11),
	    "created_at", time_or_null(st, 12), "updated_at", time_or_null(st,
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
	if (format_find(json_string_value(json_object_get(s, "format"))) ==
	    NULL)
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

/* The whole file at fd (from offset 0) into *data, at most max bytes. */
static int
slurp(int fd, size_t max, char **data, size_t *len)
{
	size_t cap = 65536, n = 0;
	char *p = xmalloc(cap);

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
 * The report answer res rendered in format f into *data (the caller
 * frees). The one place a delivery renders a file: PDF goes here.
 */
static int
render_file(struct core_ctx *cx, int64_t id, const struct report_params *p,
    json_t *res, const char *name, const struct format *f, char **data,
    size_t *len)
{
	const char *dir = getenv("TMPDIR");
	int fd = -1, rc, s;

	rc = report_write_file(cx, id, p, res, name, f->export, dir != NULL &&
	    dir[0] == '/' ? dir : "/tmp", &fd);
	if (rc != CRM_OK)
		return rc;
	s = slurp(fd, MAIL_ATTACH_MAX, data, len);
	close(fd);
	if (s == -2)
		return core_fail(cx, CRM_EBADQUERY, "the file is larger than a "
		    "mail may carry (%d MB)", MAIL_ATTACH_MAX / (1024 * 1024));
	return s == 0 ? CRM_OK : core_fail(cx, CRM_EDB, "the file could not "
	    "be read");
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
 * One recipient's mail: the report as uid sees it. A recipient who cannot
 * have it is added to skipped with the reason; only the database failing
 * is an error.
 */
static int
deliver_one(struct core_ctx *cx, json_t *s, int64_t uid, json_t *done,
    json_t *skipped)
{
	const struct format *f = format_find(json_string_value(json_object_get(s,
	    "format")));
	json_t *params = json_object_get(s, "params"), *res = NULL;
	struct report_params p = { 0 };
	/* Whole: mail_queue cuts the subject at a character boundary. */
	char name[NAME_BYTES] = "", fname[MAIL_FILENAME_MAX],
	    subject[NAME_BYTES + 16], body[NAME_BYTES * 2 + 512], *data = NULL;
	struct core_ctx rcx;
	struct actor a;
	int64_t oid = 0, rows, rid;
	size_t len = 0;
	int rc;

	rc = user_load_actor(cx, uid, &a);
	if (rc == CRM_ENOTFOUND) {
		json_array_append_new(skipped, json_pack("{s:I, s:s}", "user_id",
		    (json_int_t)uid, "reason", "no active user"));
		return CRM_OK;
	}
	if (rc != CRM_OK)
		return rc;
	core_ctx_init(&rcx, cx->db, &a);
	rcx.mail = cx->mail;
	p.tz = json_string_value(json_object_get(s, "tz"));
	p.from = json_string_value(json_object_get(params, "from"));
	p.to = json_string_value(json_object_get(params, "to"));
	p.days = json_string_value(json_object_get(params, "days"));
	rid = json_integer_value(json_object_get(s, "report_id"));
	rc = report_deliver_run(&rcx, rid, &p, &res, name, sizeof(name));
	if (rc == CRM_OK)
		rc = render_file(&rcx, rid, &p, res, name, f, &data, &len);
	if (rc == CRM_EDB)
		return core_fail(cx, rc, "%s", rcx.detail);
	if (rc != CRM_OK) {
		json_array_append_new(skipped, json_pack("{s:I, s:s}", "user_id",
		    (json_int_t)uid, "reason", rcx.detail));
		json_decref(res);
		return CRM_OK;
	}
	rows = (int64_t)json_array_size(json_object_get(res, "rows"));
	json_decref(res);
	snprintf(subject, sizeof(subject), "Report: %s", name);
	file_name(name, f->name, fname, sizeof(fname));
	snprintf(body, sizeof(body), "Hello %s,\n\nattached is the report "
	    "\"%s\" (%lld rows), as you see it in the CRM with your own "
	    "rights.\n\n"
	    "It comes by subscription %lld; its owner or an administrator can "
	    "change or stop it under Reports.\n", a.name, name, (long long)rows,
	    (long long)json_integer_value(json_object_get(s, "id")));
	rc = mail_queue(cx, a.email, subject, body, &oid);
	if (rc == CRM_OK)
		rc = mail_queue_attach(cx, oid, fname, f->ctype, data, len);
	if (rc == CRM_OK)
		json_array_append_new(done, json_pack("{s:I, s:I}", "user_id",
		    (json_int_t)uid, "rows", (json_int_t)rows));
	free(data);
	return rc;
}

/*
 * Delivers s to each recipient inside the caller's transaction and audits
 * report.deliver; *out (may be NULL) the outcome.
 */
static int
deliver(struct core_ctx *cx, json_t *s, const char *trigger, json_t **out)
{
	json_t *done = json_array(), *skipped = json_array(), *v, *detail;
	int64_t id = json_integer_value(json_object_get(s, "id"));
	size_t i;
	int rc = CRM_OK;

	json_array_foreach(json_object_get(s, "recipients"), i, v) {
		rc = deliver_one(cx, s, json_integer_value(v), done, skipped);
		if (rc != CRM_OK)
			break;
	}
	if (rc == CRM_OK)
		rc = core_exec(cx, "UPDATE report_subscriptions SET last_sent_at = "
		    "? WHERE id = ?", "ii", time_now_ms(), id);
	if (rc == CRM_OK) {
		detail = json_pack("{s:O, s:O, s:s, s:O, s:O}", "report_id",
		    json_object_get(s, "report_id"), "format", json_object_get(s,
		    "format"), "trigger", trigger, "delivered", done, "skipped",
		    skipped);
		rc = audit_append(cx, "report.deliver", "report_subscriptions", id,
		    detail);
		json_decref(detail);
	}
	if (rc == CRM_OK && out != NULL)
		*out = json_pack("{s:I, s:O, s:O}", "id", (json_int_t)id,
		    "delivered", done, "skipped", skipped);
	json_decref(done);
	json_decref(skipped);
	return rc;
}

int
rsub_send_now(struct core_ctx *cx, int64_t id, json_t **out)
{
	json_t *s = NULL;
	int rc;

	*out = NULL;
	if (db_begin(cx->db) != DB_OK)
		return db_fail(cx, "begin");
	rc = load(cx, id, &s);
	if (rc == CRM_OK)
		rc = deliver(cx, s, "now", out);
	json_decref(s);
	return core_txn_end(cx, rc, out);
}

int
rsub_job_run(struct core_ctx *cx, json_t *payload, char *err, size_t errlen)
{
	int64_t id = json_integer_value(json_object_get(payload,
	    "subscription_id"));
	int64_t at = json_integer_value(json_object_get(payload, "at"));
	json_t *s = NULL;
	struct actor owner;
	db_stmt_t *st;
	bool due = false;
	char *cron = NULL;
	int rc;

	/* The job runs as the system: load() sees every subscription. */
	if (db_prepare(cx->db, "SELECT cron FROM report_subscriptions WHERE id "
	    "= ? AND active = 1 AND next_at = ?", &st) != DB_OK) {
		snprintf(err, errlen, "%s", db_errmsg(cx->db));
		return CRM_EDB;
	}
	db_bind_int(st, 1, id);
	db_bind_int(st, 2, at);
	rc = db_step(st);
	if (rc == DB_ROW) {
		due = true;
		cron = xstrdup(db_col_text(st, 0, NULL));
	}
	db_done(st);
	if (rc != DB_ROW && rc != DB_DONE) {
		snprintf(err, errlen, "%s", db_errmsg(cx->db));
		return CRM_EDB;
	}
	if (!due)
		return CRM_OK;	/* deleted, paused or re-armed since */
	rc = load(cx, id, &s);
	/*
	 * A disabled owner's subscriptions wait (re-armed, nothing sent): the
	 * owner's word keeps them going, and it resumes with the account.
	 */
	if (rc == CRM_OK)
		rc = user_load_actor(cx, json_integer_value(json_object_get(s,
		    "owner_id")), &owner);
	if (rc == CRM_OK)
		rc = deliver(cx, s, "schedule", NULL);
	else if (rc == CRM_ENOTFOUND && s != NULL)
		rc = CRM_OK;
	/* The next occurrence after now: missed ones are not made up. */
	if (rc == CRM_OK)
		rc = arm(cx, id, cron, json_string_value(json_object_get(s, "tz")),
		    true, time_now_ms() > at ? time_now_ms() : at);
	if (rc != CRM_OK)
		snprintf(err, errlen, "%s", cx->detail);
	json_decref(s);
	free(cron);
	return rc;
}
