/*
 * core/reminders.c and core/mail.c: which reminder jobs exist after an
 * activity is created, changed, completed, trashed and restored; that a
 * reminder notifies the owner and participants once and only while the
 * activity is as it was; that reassigning tells both people; that mail
 * backs off exponentially up to its cap; and that a notification is only
 * ever written for someone who may read its record.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <sodium.h>

#include "core/activities.h"
#include "core/core.h"
#include "core/jobs.h"
#include "core/mail.h"
#include "core/notify.h"
#include "core/users.h"
#include "store/db.h"
#include "util/buf.h"
#include "util/timeutil.h"

#define MIN 60000LL

static db_t *db;
static struct actor ann;	/* a director: sees everything */
static struct actor max;	/* a manager: own records only */
static struct actor zoe;	/* another manager */
static struct core_ctx cx;
static const struct mail_conf mail = { .url = "smtp://127.0.0.1:9",
	.from = "crm@example.com", .retry_base_ms = 1000, .max_attempts = 5,
	.timeout_ms = 1000 };

static struct core_ctx *
as(struct actor *a)
{
	core_ctx_init(&cx, db, a);
	cx.mail = &mail;
	return &cx;
}

static json_t *
J(const char *fmt, ...)
{
	char text[1024];
	json_error_t e;
	va_list ap;
	json_t *v;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	v = json_loads(text, JSON_DECODE_ANY, &e);
	if (v == NULL)
		fail_msg("bad JSON in test: %s: %s", text, e.text);
	return v;
}

static void
iso(int64_t ms, char *out)
{
	time_format(ms, out, TIME_RFC3339_LEN);
}

/* The pending reminders of id as "minutes@offset-from-at-in-minutes ...". */
static void
pending(int64_t id, char *out, size_t len)
{
	json_t *p = NULL, *x;
	size_t i;

	assert_int_equal(reminder_pending(as(&ann), id, &p), CRM_OK);
	out[0] = '\0';
	json_array_foreach(json_object_get(p, "data"), i, x) {
		char one[32];

		snprintf(one, sizeof(one), "%s%lld", i ? " " : "",
		    (long long)json_integer_value(json_object_get(x, "minutes")));
		strncat(out, one, len - strlen(out) - 1);
	}
	json_decref(p);
}

static int64_t
create_ok(struct actor *a, json_t *in)
{
	json_t *out = NULL;
	int64_t id;

	if (rec_create(as(a), &entity_activities, in, &out) != CRM_OK)
		fail_msg("create: %s; %s: %s", cx.detail,
		    cx.errs.n ? cx.errs.items[0].field : "-",
		    cx.errs.n ? cx.errs.items[0].message : "-");
	json_decref(in);
	id = json_integer_value(json_object_get(out, "id"));
	json_decref(out);
	return id;
}

static void
update_ok(struct actor *a, int64_t id, json_t *patch)
{
	json_t *out = NULL;

	if (rec_update(as(a), &entity_activities, id, -1, patch, &out) != CRM_OK)
		fail_msg("update: %s; %s: %s", cx.detail,
		    cx.errs.n ? cx.errs.items[0].field : "-",
		    cx.errs.n ? cx.errs.items[0].message : "-");
	json_decref(patch);
	json_decref(out);
}

static int64_t
count_sql(const char *sql, int64_t arg)
{
	db_stmt_t *st;
	int64_t n = -1;

	assert_int_equal(db_prepare(db, sql, &st), DB_OK);
	db_bind_int(st, 1, arg);
	if (db_step(st) == DB_ROW)
		n = db_col_int(st, 0);
	db_done(st);
	return n;
}

static int64_t
notes_of(struct actor *a, const char *kind)
{
	db_stmt_t *st;
	int64_t n = -1;

	assert_int_equal(db_prepare(db, "SELECT COUNT(*) FROM notifications "
	    "WHERE user_id = ? AND kind = ?", &st), DB_OK);
	db_bind_int(st, 1, a->user_id);
	db_bind_text(st, 2, kind, strlen(kind));
	if (db_step(st) == DB_ROW)
		n = db_col_int(st, 0);
	db_done(st);
	return n;
}

/* Runs due jobs as the runner does, except mail (no SMTP server here). */
static void
run_reminders(void)
{
	int ran = 0;

	assert_int_equal(db_exec(db, "UPDATE jobs SET done_at = 1 WHERE kind = "
	    "'mail_send' AND done_at IS NULL"), DB_OK);
	core_ctx_init(&cx, db, NULL);
	cx.mail = &mail;
	assert_int_equal(job_run_due(&cx, "test", 60000, 100, &ran), CRM_OK);
}

static int
group_setup(void **state)
{
	char err[256];
	int64_t id;

	(void)state;
	if (sodium_init() < 0 || core_open_db(":memory:", &db, err,
	    sizeof(err)) != CRM_OK)
		return -1;
	core_ctx_init(&cx, db, NULL);
	if (user_add(&cx, "ann@example.com", "Ann Plan", "correct horse battery",
	    false, &id) != CRM_OK)
		return -1;
	ann.user_id = id;
	if (user_add(&cx, "max@example.com", "Max Own", "correct horse battery",
	    false, &id) != CRM_OK)
		return -1;
	max.user_id = id;
	if (user_add(&cx, "zoe@example.com", "Zoe Own", "correct horse battery",
	    false, &id) != CRM_OK)
		return -1;
	zoe.user_id = id;
	if (db_exec(db, "UPDATE users SET role_id = (SELECT id FROM roles WHERE "
	    "builtin = CASE WHEN email = 'ann@example.com' THEN 'director' ELSE "
	    "'manager' END)") != DB_OK)
		return -1;
	return 0;
}

static int
group_teardown(void **state)
{
	(void)state;
	db_close(db);
	return 0;
}

static void
reminders_follow_the_due_time_and_the_status(void **state)
{
	char due[TIME_RFC3339_LEN], later[TIME_RFC3339_LEN], got[128];
	int64_t now = time_now_ms(), id;

	(void)state;
	iso(now + 3 * 24 * 60 * MIN, due);
	iso(now + 4 * 24 * 60 * MIN, later);
	id = create_ok(&max, J("{\"kind\": \"task\", \"subject\": \"Offer\", "
	    "\"due_at\": \"%s\", \"reminders\": [15, 1440]}", due));
	pending(id, got, sizeof(got));
	assert_string_equal(got, "1440 15");	/* earliest first */
	/* Job for 15 minutes before: run_at is due - 15 min. */
	assert_int_equal(count_sql("SELECT COUNT(*) FROM jobs WHERE kind = "
	    "'reminder' AND done_at IS NULL AND run_at = ?", now + 3 * 24 * 60 * MIN
	    - 15 * MIN), 1);
	/* A new due time replaces them; a new list too. */
	update_ok(&max, id, J("{\"due_at\": \"%s\"}", later));
	pending(id, got, sizeof(got));
	assert_string_equal(got, "1440 15");
	assert_int_equal(count_sql("SELECT COUNT(*) FROM jobs WHERE kind = "
	    "'reminder' AND done_at IS NULL AND run_at = ?", now + 3 * 24 * 60 * MIN
	    - 15 * MIN), 0);
	update_ok(&max, id, J("{\"reminders\": [60]}"));
	pending(id, got, sizeof(got));
	assert_string_equal(got, "60");
	/* A change of something else leaves them. */
	update_ok(&max, id, J("{\"subject\": \"Offer v2\"}"));
	pending(id, got, sizeof(got));
	assert_string_equal(got, "60");
	/* Done: none; reopened: back. */
	update_ok(&max, id, J("{\"status\": \"done\"}"));
	pending(id, got, sizeof(got));
	assert_string_equal(got, "");
	update_ok(&max, id, J("{\"status\": \"open\"}"));
	pending(id, got, sizeof(got));
	assert_string_equal(got, "60");
	/* Trash: none; restored: back. */
	assert_int_equal(rec_delete(as(&max), &entity_activities, id), CRM_OK);
	pending(id, got, sizeof(got));
	assert_string_equal(got, "");
	{
		json_t *out = NULL;

		assert_int_equal(rec_restore(as(&max), &entity_activities, id,
		    &out), CRM_OK);
		json_decref(out);
	}
	pending(id, got, sizeof(got));
	assert_string_equal(got, "60");
	/* Cleared: none. Without a due time: none. */
	update_ok(&max, id, J("{\"reminders\": null}"));
	pending(id, got, sizeof(got));
	assert_string_equal(got, "");
	id = create_ok(&max, J("{\"kind\": \"task\", \"subject\": \"No date\", "
	    "\"reminders\": [15]}"));
	pending(id, got, sizeof(got));
	assert_string_equal(got, "");
	/* A meeting counts back from its start; cancelled, none. */
	id = create_ok(&max, J("{\"kind\": \"meeting\", \"subject\": \"Visit\", "
	    "\"start_at\": \"%s\", \"reminders\": [30]}", due));
	pending(id, got, sizeof(got));
	assert_string_equal(got, "30");
	update_ok(&max, id, J("{\"status\": \"cancelled\"}"));
	pending(id, got, sizeof(got));
	assert_string_equal(got, "");
}

static void
past_times_run_at_once_and_past_events_not_at_all(void **state)
{
	char soon[TIME_RFC3339_LEN], past[TIME_RFC3339_LEN], got[64];
	int64_t now = time_now_ms(), id;

	(void)state;
	iso(now + 10 * MIN, soon);
	iso(now - 10 * MIN, past);
	id = create_ok(&max, J("{\"kind\": \"task\", \"subject\": \"Soon\", "
	    "\"due_at\": \"%s\", \"reminders\": [60]}", soon));
	pending(id, got, sizeof(got));
	assert_string_equal(got, "60");
	{
		json_t *p = NULL;

		assert_int_equal(reminder_pending(as(&ann), id, &p), CRM_OK);
		assert_true(json_integer_value(json_object_get(json_array_get(
		    json_object_get(p, "data"), 0), "run_at")) <= time_now_ms());
		json_decref(p);
	}
	id = create_ok(&max, J("{\"kind\": \"task\", \"subject\": \"Late\", "
	    "\"due_at\": \"%s\", \"reminders\": [60]}", past));
	pending(id, got, sizeof(got));
	assert_string_equal(got, "");
}

static void
a_reminder_notifies_owner_and_participants_once(void **state)
{
	char soon[TIME_RFC3339_LEN], got[64];
	int64_t id, before_max = notes_of(&max, "reminder");
	int64_t before_zoe = notes_of(&zoe, "reminder");
	int64_t mails;

	(void)state;
	iso(time_now_ms() + 5 * MIN, soon);
	run_reminders();	/* earlier tests' due reminders out of the way */
	before_max = notes_of(&max, "reminder");
	before_zoe = notes_of(&zoe, "reminder");
	mails = count_sql("SELECT COUNT(*) FROM mail_outbox WHERE id > ?", 0);
	id = create_ok(&max, J("{\"kind\": \"meeting\", \"subject\": \"Call\", "
	    "\"start_at\": \"%s\", \"participants\": [%lld], \"reminders\": [10]}",
	    soon, (long long)zoe.user_id));
	run_reminders();
	assert_int_equal(notes_of(&max, "reminder"), before_max + 1);
	assert_int_equal(notes_of(&zoe, "reminder"), before_zoe + 1);
	assert_int_equal(count_sql("SELECT COUNT(*) FROM mail_outbox WHERE id > ?",
	    0), mails + 2);
	pending(id, got, sizeof(got));
	assert_string_equal(got, "");
	/* Saving it again with the same time does not fire it twice. */
	update_ok(&max, id, J("{\"reminders\": [10]}"));
	update_ok(&max, id, J("{\"place\": \"Room 2\"}"));
	run_reminders();
	assert_int_equal(notes_of(&max, "reminder"), before_max + 1);
}

static void
reassigning_tells_both_people(void **state)
{
	int64_t id, a0 = notes_of(&max, "assigned"), u0 = notes_of(&max,
	    "unassigned"), z0 = notes_of(&zoe, "assigned");
	db_stmt_t *st;

	(void)state;
	id = create_ok(&ann, J("{\"kind\": \"task\", \"subject\": \"Report\", "
	    "\"owner_id\": %lld}", (long long)max.user_id));
	assert_int_equal(notes_of(&max, "assigned"), a0 + 1);
	update_ok(&ann, id, J("{\"owner_id\": %lld}", (long long)zoe.user_id));
	assert_int_equal(notes_of(&zoe, "assigned"), z0 + 1);
	assert_int_equal(notes_of(&max, "unassigned"), u0 + 1);
	/* Max may no longer read it: his notice names nothing of it. */
	assert_int_equal(db_prepare(db, "SELECT entity IS NULL, title, body FROM "
	    "notifications WHERE user_id = ? AND kind = 'unassigned' ORDER BY id "
	    "DESC LIMIT 1", &st), DB_OK);
	db_bind_int(st, 1, max.user_id);
	assert_int_equal(db_step(st), DB_ROW);
	assert_int_equal(db_col_int(st, 0), 1);
	assert_null(strstr(db_col_text(st, 1, NULL), "Report"));
	assert_null(strstr(db_col_text(st, 2, NULL), "Report"));
	db_done(st);
	/* One's own change tells nobody but the other person. */
	a0 = notes_of(&zoe, "unassigned");
	update_ok(&zoe, id, J("{\"subject\": \"Report 2\"}"));
	assert_int_equal(notes_of(&zoe, "unassigned"), a0);
}

static void
a_notification_needs_the_right_to_read(void **state)
{
	bool sent = true;
	int64_t id, n0 = notes_of(&zoe, "test");

	(void)state;
	id = create_ok(&max, J("{\"kind\": \"note\", \"body\": \"Private\"}"));
	assert_int_equal(db_begin(db), DB_OK);
	assert_int_equal(notify_user(as(&ann), zoe.user_id, "test", "t", "b",
	    &entity_activities, id, false, &sent), CRM_OK);
	assert_false(sent);
	assert_int_equal(notify_user(as(&ann), max.user_id, "test", "t", "b",
	    &entity_activities, id, false, &sent), CRM_OK);
	assert_true(sent);
	assert_int_equal(db_commit(db), DB_OK);
	assert_int_equal(notes_of(&zoe, "test"), n0);
}

static void
mail_backs_off_exponentially_up_to_a_cap(void **state)
{
	struct mail_conf mc = mail;

	(void)state;
	mc.retry_base_ms = 30000;
	assert_int_equal(mail_backoff_ms(&mc, 1), 30000);
	assert_int_equal(mail_backoff_ms(&mc, 2), 60000);
	assert_int_equal(mail_backoff_ms(&mc, 3), 120000);
	assert_int_equal(mail_backoff_ms(&mc, 7), 1920000);
	assert_int_equal(mail_backoff_ms(&mc, 8), MAIL_BACKOFF_MAX_MS);
	assert_int_equal(mail_backoff_ms(&mc, 1000), MAIL_BACKOFF_MAX_MS);
	assert_false(mail_enabled(NULL));
	mc.url = NULL;
	assert_false(mail_enabled(&mc));
}

/*
 * A mail's files: plain names and types only, at most
 * MAIL_ATTACH_COUNT_MAX files and MAIL_ATTACH_MAX bytes all together, read
 * back in order and laid out as base64 lines of 76 between boundaries.
 */
static void
mail_attachments_are_bounded_and_encoded(void **state)
{
	static const char *const names[] = { "", "a/b.csv", "a\\b", "q\"x",
	    "tab\there" };
	char *big = calloc(1, MAIL_ATTACH_MAX);
	struct mail_files f;
	struct buf b;
	int64_t id = 0;
	char *line, *end;

	(void)state;
	assert_non_null(big);
	assert_int_equal(db_begin(db), DB_OK);
	assert_int_equal(mail_queue(as(&ann), "ann@example.com", "Files", "See "
	    "the files.", &id), CRM_OK);
	for (size_t i = 0; i < sizeof(names) / sizeof(*names); i++)
		assert_int_equal(mail_queue_attach(as(&ann), id, names[i],
		    "text/csv", "x", 1), CRM_EINVAL);
	assert_int_equal(mail_queue_attach(as(&ann), id, "ok.csv", "text csv",
	    "x", 1), CRM_EINVAL);
	/* Parameters, but nothing that could end the header or its name="". */
	assert_int_equal(mail_queue_attach(as(&ann), id, "ok.csv", "text/csv; "
	    "charset=\"x\"", "x", 1), CRM_EINVAL);
	assert_int_equal(mail_queue_attach(as(&ann), id, "ok.csv", "text/csv;\r\n"
	    "Bcc: x@example.com", "x", 1), CRM_EINVAL);
	assert_int_equal(mail_queue_attach(as(&ann), id, "ok.csv", "; x=y",
	    "x", 1), CRM_EINVAL);
	assert_int_equal(mail_queue_attach(as(&ann), id, "big.bin",
	    "application/octet-stream", big, MAIL_ATTACH_MAX - 10), CRM_OK);
	/* Eleven bytes more would pass the bound; ten do not. */
	assert_int_equal(mail_queue_attach(as(&ann), id, "one.bin",
	    "application/octet-stream", big, 11), CRM_EINVAL);
	assert_string_equal(cx.errs.items[0].field, "attachment");
	assert_int_equal(mail_queue_attach(as(&ann), id, "two.csv", "text/csv; "
	    "charset=utf-8", "a,b\r\n", 5), CRM_OK);
	for (int i = 2; i < MAIL_ATTACH_COUNT_MAX; i++)
		assert_int_equal(mail_queue_attach(as(&ann), id, "e.txt",
		    "text/plain", "", 0), CRM_OK);
	assert_int_equal(mail_queue_attach(as(&ann), id, "e.txt", "text/plain",
	    "", 0), CRM_EINVAL);
	assert_int_equal(db_commit(db), DB_OK);
	free(big);

	assert_int_equal(mail_files_load(as(&ann), id, &f), CRM_OK);
	assert_int_equal(f.n, MAIL_ATTACH_COUNT_MAX);
	assert_string_equal(f.v[1].name, "two.csv");
	assert_string_equal(f.v[1].b64, "YSxiDQo=");
	buf_init(&b, MAIL_ATTACH_MAX * 2);
	assert_int_equal(mail_files_open(&b, "=_b"), 0);
	assert_int_equal(mail_files_close(&b, "=_b", &f), 0);
	assert_non_null(strstr(b.data, "Content-Disposition: attachment; "
	    "filename=\"two.csv\"\r\nContent-Transfer-Encoding: base64\r\n\r\n"
	    "YSxiDQo=\r\n--=_b\r\n"));
	assert_int_equal(strcmp(b.data + b.len - 9, "--=_b--\r\n"), 0);
	/* No line longer than 76 characters and its CRLF. */
	for (line = b.data; (end = strchr(line, '\n')) != NULL; line = end + 1)
		assert_true(end - line <= 77);
	buf_free(&b);
	mail_files_free(&f);
}

static void
bad_reminders_are_refused(void **state)
{
	static const char *const bad[] = { "15", "\"15\"", "[-1]", "[40321]",
		"[1.5]", "[5, 5]", "[1, 2, 3, 4, 5, 6]", "[null]", "{}" };
	char due[TIME_RFC3339_LEN];
	json_t *out = NULL;

	(void)state;
	iso(time_now_ms() + 60 * MIN, due);
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		json_t *in = J("{\"kind\": \"task\", \"subject\": \"x\", \"due_at\": "
		    "\"%s\", \"reminders\": %s}", due, bad[i]);

		assert_int_equal(rec_create(as(&max), &entity_activities, in, &out),
		    CRM_EINVAL);
		json_decref(in);
		assert_int_equal(cx.errs.n, 1);
		assert_string_equal(cx.errs.items[0].field, "reminders");
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(reminders_follow_the_due_time_and_the_status),
		cmocka_unit_test(past_times_run_at_once_and_past_events_not_at_all),
		cmocka_unit_test(a_reminder_notifies_owner_and_participants_once),
		cmocka_unit_test(reassigning_tells_both_people),
		cmocka_unit_test(a_notification_needs_the_right_to_read),
		cmocka_unit_test(mail_backs_off_exponentially_up_to_a_cap),
		cmocka_unit_test(bad_reminders_are_refused),
		cmocka_unit_test(mail_attachments_are_bounded_and_encoded),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
