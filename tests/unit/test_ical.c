/*
 * The iCalendar feed, read back by a real parser (libical): what a
 * calendar app gets is RFC 5545 it can read, with every line at most 75
 * octets and CRLF-terminated, text that comes back exactly as typed
 * (commas, semicolons, backslashes, line breaks, accents cut across a
 * fold), open tasks as VTODO with DUE and meetings as VEVENT with their
 * place, within 30 days back and 365 ahead, and only the feed user's own.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <libical/ical.h>
#include <sodium.h>

#include "core/activities.h"
#include "core/calfeed.h"
#include "core/core.h"
#include "core/users.h"
#include "store/db.h"
#include "util/buf.h"
#include "util/timeutil.h"

#define DAY 86400000LL

static db_t *db;
static struct actor ann;
static struct actor max;
static struct core_ctx cx;

static struct core_ctx *
as(struct actor *a)
{
	core_ctx_init(&cx, db, a);
	return &cx;
}

/* Every line ends in CRLF and holds at most 75 octets before it. */
static void
assert_folded(const char *text)
{
	const char *p = text, *nl;

	while (*p != '\0') {
		nl = strstr(p, "\r\n");
		assert_non_null(nl);
		if ((size_t)(nl - p) > 75)
			fail_msg("a line of %zu octets: %.80s", (size_t)(nl - p), p);
		for (const char *q = p; q < nl; q++)
			assert_true(*q != '\n' && *q != '\r');
		p = nl + 2;
	}
}

static void
text_comes_back_exactly_as_typed(void **state)
{
	const char *typed = "Call Müller, Meier; check C:\\offers\\2026 "
	    "and the list:\nfirst, then second; «ÄÖÜ» ünïcödé ünïcödé ünïcödé "
	    "ünïcödé ünïcödé ünïcödé ünïcödé ünïcödé — 日本語のテキスト";
	struct buf out;
	icalcomponent *c;

	(void)state;
	buf_init(&out, 1 << 16);
	assert_int_equal(ical_line(&out, "BEGIN", "VCALENDAR"), 0);
	assert_int_equal(ical_line(&out, "VERSION", "2.0"), 0);
	assert_int_equal(ical_line(&out, "PRODID", "-//test//EN"), 0);
	assert_int_equal(ical_line(&out, "BEGIN", "VTODO"), 0);
	assert_int_equal(ical_line(&out, "UID", "t1@test"), 0);
	assert_int_equal(ical_time(&out, "DTSTAMP", 0), 0);
	assert_int_equal(ical_text(&out, "SUMMARY", typed), 0);
	assert_int_equal(ical_line(&out, "END", "VTODO"), 0);
	assert_int_equal(ical_line(&out, "END", "VCALENDAR"), 0);
	assert_folded(out.data);
	assert_non_null(strstr(out.data, "DTSTAMP:19700101T000000Z\r\n"));
	c = icalparser_parse_string(out.data);
	assert_non_null(c);
	{
		icalcomponent *todo = icalcomponent_get_first_component(c,
		    ICAL_VTODO_COMPONENT);

		assert_non_null(todo);
		assert_string_equal(icalcomponent_get_summary(todo), typed);
	}
	icalcomponent_free(c);
	buf_free(&out);
}

static int64_t
make(struct actor *a, const char *fmt, ...)
{
	char text[1024];
	va_list ap;
	json_t *in, *out = NULL;
	int64_t id;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	in = json_loads(text, 0, NULL);
	assert_non_null(in);
	if (rec_create(as(a), &entity_activities, in, &out) != CRM_OK)
		fail_msg("create %s: %s", text, cx.detail);
	id = json_integer_value(json_object_get(out, "id"));
	json_decref(in);
	json_decref(out);
	return id;
}

static const char *
iso(int64_t ms, char *buf)
{
	time_format(ms, buf, TIME_RFC3339_LEN);
	return buf;
}

static void
the_feed_parses_and_holds_the_users_tasks_and_meetings(void **state)
{
	int64_t now = time_now_ms(), task, meet, part;
	char secret[SECRET_LEN], t1[TIME_RFC3339_LEN], t2[TIME_RFC3339_LEN];
	struct buf out;
	icalcomponent *cal, *c;
	int todos = 0, events = 0;

	(void)state;
	task = make(&max, "{\"kind\": \"task\", \"subject\": \"Send, the; offer\", "
	    "\"due_at\": \"%s\"}", iso(now + 2 * DAY, t1));
	meet = make(&max, "{\"kind\": \"meeting\", \"subject\": \"Kick-off\", "
	    "\"start_at\": \"%s\", \"end_at\": \"%s\", \"place\": \"Room 4, "
	    "floor 2\"}", iso(now + DAY, t1), iso(now + DAY + 3600000, t2));
	part = make(&ann, "{\"kind\": \"meeting\", \"subject\": \"Ann's, with "
	    "Max\", \"start_at\": \"%s\", \"participants\": [%lld]}",
	    iso(now - 3 * DAY, t1), (long long)max.user_id);
	make(&max, "{\"kind\": \"task\", \"subject\": \"Too old\", \"due_at\": "
	    "\"%s\"}", iso(now - 31 * DAY, t1));
	make(&max, "{\"kind\": \"task\", \"subject\": \"Too far\", \"due_at\": "
	    "\"%s\"}", iso(now + 366 * DAY, t1));
	make(&max, "{\"kind\": \"task\", \"subject\": \"No deadline\"}");
	make(&max, "{\"kind\": \"task\", \"subject\": \"Done\", \"status\": "
	    "\"done\", \"due_at\": \"%s\"}", iso(now + DAY, t1));
	make(&ann, "{\"kind\": \"task\", \"subject\": \"Ann's own\", \"due_at\": "
	    "\"%s\"}", iso(now + DAY, t1));
	assert_int_equal(calfeed_create(as(&max), secret), CRM_OK);
	buf_init(&out, CALFEED_BYTES_MAX);
	assert_int_equal(calfeed_render(as(NULL), secret, now, &out), CRM_OK);
	assert_true(cx.actor.user_id == max.user_id);
	assert_folded(out.data);
	cal = icalparser_parse_string(out.data);
	assert_non_null(cal);
	assert_int_equal(icalcomponent_isa(cal), ICAL_VCALENDAR_COMPONENT);
	for (c = icalcomponent_get_first_component(cal, ICAL_ANY_COMPONENT);
	    c != NULL; c = icalcomponent_get_next_component(cal,
	    ICAL_ANY_COMPONENT)) {
		char uid[64];
		const char *summary = icalcomponent_get_summary(c);

		if (icalcomponent_isa(c) == ICAL_VTODO_COMPONENT) {
			icalproperty *due = icalcomponent_get_first_property(c,
			    ICAL_DUE_PROPERTY);

			todos++;
			assert_string_equal(summary, "Send, the; offer");
			snprintf(uid, sizeof(uid), "activity-%lld@crm",
			    (long long)task);
			assert_string_equal(icalcomponent_get_uid(c), uid);
			assert_non_null(due);
			assert_true(icaltime_as_timet(icalproperty_get_due(due)) ==
			    (now + 2 * DAY) / 1000);
			assert_int_equal(icalcomponent_get_status(c),
			    ICAL_STATUS_NEEDSACTION);
			assert_non_null(icalcomponent_get_first_property(c,
			    ICAL_DTSTAMP_PROPERTY));
		} else if (icalcomponent_isa(c) == ICAL_VEVENT_COMPONENT) {
			events++;
			if (strcmp(summary, "Kick-off") == 0) {
				snprintf(uid, sizeof(uid), "activity-%lld@crm",
				    (long long)meet);
				assert_string_equal(icalcomponent_get_uid(c), uid);
				assert_string_equal(icalcomponent_get_location(c),
				    "Room 4, floor 2");
				assert_true(icaltime_as_timet(
				    icalcomponent_get_dtstart(c)) ==
				    (now + DAY) / 1000);
				assert_true(icaltime_as_timet(
				    icalcomponent_get_dtend(c)) ==
				    (now + DAY + 3600000) / 1000);
			} else {
				snprintf(uid, sizeof(uid), "activity-%lld@crm",
				    (long long)part);
				assert_string_equal(summary, "Ann's, with Max");
				assert_string_equal(icalcomponent_get_uid(c), uid);
			}
		}
	}
	assert_int_equal(todos, 1);
	assert_int_equal(events, 2);
	icalcomponent_free(cal);
	buf_free(&out);
	/* A wrong or revoked secret finds nothing. */
	buf_init(&out, CALFEED_BYTES_MAX);
	assert_int_equal(calfeed_render(as(NULL), "not-the-secret", now, &out),
	    CRM_ENOTFOUND);
	assert_int_equal(calfeed_revoke(as(&max)), CRM_OK);
	assert_int_equal(calfeed_render(as(NULL), secret, now, &out),
	    CRM_ENOTFOUND);
	assert_int_equal(calfeed_revoke(as(&max)), CRM_ENOTFOUND);
	buf_free(&out);
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
	if (user_add(&cx, "ann@example.com", "Ann Feed", "correct horse battery",
	    false, &id) != CRM_OK)
		return -1;
	ann.user_id = id;
	if (user_add(&cx, "max@example.com", "Max Feed", "correct horse battery",
	    false, &id) != CRM_OK)
		return -1;
	max.user_id = id;
	if (db_exec(db, "UPDATE users SET role_id = (SELECT id FROM roles WHERE "
	    "builtin = 'manager')") != DB_OK)
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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(text_comes_back_exactly_as_typed),
		cmocka_unit_test(the_feed_parses_and_holds_the_users_tasks_and_meetings),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
