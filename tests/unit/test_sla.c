/*
 * core/sla: a ticket's SLA clock in working time, driven by fixed instants
 * (the clock is the test's): due times across nights, weekends, holidays
 * and a shortened day; pauses while the ticket waits for the client, one
 * or several, begun and ended in working or closed hours; a target used
 * up before the pause; when to warn. Beside it the pure pieces of the
 * desk: the ticket workflow, canned response placeholders and the median
 * of the dashboard. Every expected instant is worked out in the comment.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/desk.h"
#include "core/sla.h"
#include "core/tickets.h"
#include "core/workcal.h"
#include "util/timeutil.h"

/* Monday to Friday 09:00-18:00 UTC; 24 Dec 09:00-12:00; 25 Dec closed. */
#define OFFICE "[[\"09:00-18:00\"],[\"09:00-18:00\"],[\"09:00-18:00\"]," \
	"[\"09:00-18:00\"],[\"09:00-18:00\"],[],[]]"
#define XMAS "[{\"date\":\"2026-12-24\",\"name\":\"Eve\",\"hours\":" \
	"[\"09:00-12:00\"]},{\"date\":\"2026-12-25\",\"name\":\"Christmas\"}]"

static struct workcal *
office(void)
{
	json_t *w = json_loads(OFFICE, 0, NULL), *h = json_loads(XMAS, 0, NULL);
	struct verrs errs;
	struct workcal *cal = NULL;

	memset(&errs, 0, sizeof(errs));
	if (workcal_from_json("UTC", w, h, &errs, &cal) != 0)
		fail_msg("calendar refused: %s: %s", errs.items[0].field,
		    errs.items[0].message);
	json_decref(w);
	json_decref(h);
	return cal;
}

static int64_t
at(const char *rfc3339)
{
	int64_t ms;

	if (time_parse_datetime(rfc3339, strlen(rfc3339), &ms) != 0)
		fail_msg("bad time in the test: %s", rfc3339);
	return ms;
}

/* Asserts that the running clock c reaches target minutes at want. */
static void
due_is(const struct workcal *cal, const struct sla_clock *c, int64_t target,
    const char *want)
{
	char got[TIME_RFC3339_LEN];
	int64_t due = 0;

	assert_int_equal(sla_clock_due(cal, c, target, &due), 0);
	time_format(due, got, sizeof(got));
	if (due != at(want))
		fail_msg("target %lld: due %s, expected %s", (long long)target, got,
		    want);
}

static void
due_counts_working_time_across_nights_and_weekends(void **state)
{
	struct workcal *cal = office();
	struct sla_clock c;

	(void)state;
	/* Mon 17:00: one hour that evening, one the next morning. */
	sla_clock_start(&c, at("2026-11-23T17:00:00Z"));
	due_is(cal, &c, 120, "2026-11-24T10:00:00Z");
	/* Fri 16:00 + 3 h: two on Friday, Saturday and Sunday closed. */
	sla_clock_start(&c, at("2026-11-27T16:00:00Z"));
	due_is(cal, &c, 180, "2026-11-30T10:00:00Z");
	/* Before opening: the clock starts at 09:00. */
	sla_clock_start(&c, at("2026-11-23T07:00:00Z"));
	due_is(cal, &c, 30, "2026-11-23T09:30:00Z");
	/* Asked on Saturday: the first working minute is Monday's. */
	sla_clock_start(&c, at("2026-11-28T11:00:00Z"));
	due_is(cal, &c, 60, "2026-11-30T10:00:00Z");
	workcal_free(cal);
}

static void
due_skips_holidays_and_counts_a_short_day(void **state)
{
	struct workcal *cal = office();
	struct sla_clock c;

	(void)state;
	/* Wed 23 Dec 17:00: 60 that evening, 180 on the short Eve. */
	sla_clock_start(&c, at("2026-12-23T17:00:00Z"));
	due_is(cal, &c, 240, "2026-12-24T12:00:00Z");
	/* One more hour: Christmas, Saturday and Sunday closed, Mon 28th. */
	due_is(cal, &c, 300, "2026-12-28T10:00:00Z");
	workcal_free(cal);
}

static void
a_pause_stops_the_clock_and_resuming_recomputes(void **state)
{
	struct workcal *cal = office();
	struct sla_clock c;
	int64_t used = -1, due = 0;

	(void)state;
	/* Mon 09:00, waiting for the client from 11:00 (120 used). */
	sla_clock_start(&c, at("2026-11-23T09:00:00Z"));
	assert_int_equal(sla_clock_pause(cal, &c, at("2026-11-23T11:00:00Z")), 0);
	assert_int_equal(c.used_min, 120);
	/* Stopped: no due time, and the minutes do not grow. */
	assert_int_equal(sla_clock_due(cal, &c, 480, &due), -1);
	assert_int_equal(sla_clock_used(cal, &c, at("2026-11-25T15:00:00Z"),
	    &used), 0);
	assert_int_equal(used, 120);
	/* The client answers Wed 15:00: 360 left, 180 on Wed, 180 on Thu. */
	sla_clock_resume(&c, at("2026-11-25T15:00:00Z"));
	due_is(cal, &c, 480, "2026-11-26T12:00:00Z");
	workcal_free(cal);
}

static void
pauses_in_closed_hours_and_several_pauses_add_up(void **state)
{
	struct workcal *cal = office();
	struct sla_clock c;
	int64_t used = -1;

	(void)state;
	/* Fri 16:00, paused 17:00 (60), resumed on Sunday: Monday counts. */
	sla_clock_start(&c, at("2026-11-27T16:00:00Z"));
	assert_int_equal(sla_clock_pause(cal, &c, at("2026-11-27T17:00:00Z")), 0);
	sla_clock_resume(&c, at("2026-11-29T12:00:00Z"));
	due_is(cal, &c, 120, "2026-11-30T10:00:00Z");
	/* Paused on Saturday: Friday's two hours and nothing of the weekend. */
	sla_clock_start(&c, at("2026-11-27T16:00:00Z"));
	assert_int_equal(sla_clock_pause(cal, &c, at("2026-11-28T10:00:00Z")), 0);
	assert_int_equal(c.used_min, 120);
	/* Mon 09:00-10:00 (60), 14:00-15:30 (90), then Tue: 50 of 200 left. */
	sla_clock_start(&c, at("2026-11-23T09:00:00Z"));
	assert_int_equal(sla_clock_pause(cal, &c, at("2026-11-23T10:00:00Z")), 0);
	sla_clock_resume(&c, at("2026-11-23T14:00:00Z"));
	assert_int_equal(sla_clock_used(cal, &c, at("2026-11-23T15:30:00Z"),
	    &used), 0);
	assert_int_equal(used, 150);
	assert_int_equal(sla_clock_pause(cal, &c, at("2026-11-23T15:30:00Z")), 0);
	assert_int_equal(c.used_min, 150);
	sla_clock_resume(&c, at("2026-11-24T09:00:00Z"));
	due_is(cal, &c, 200, "2026-11-24T09:50:00Z");
	workcal_free(cal);
}

static void
pausing_twice_or_resuming_a_running_clock_changes_nothing(void **state)
{
	struct workcal *cal = office();
	struct sla_clock c;

	(void)state;
	sla_clock_start(&c, at("2026-11-23T09:00:00Z"));
	sla_clock_resume(&c, at("2026-11-23T12:00:00Z"));
	assert_int_equal(c.started_at, at("2026-11-23T09:00:00Z"));
	assert_int_equal(sla_clock_pause(cal, &c, at("2026-11-23T10:00:00Z")), 0);
	assert_int_equal(sla_clock_pause(cal, &c, at("2026-11-23T17:00:00Z")), 0);
	assert_int_equal(c.used_min, 60);
	assert_int_equal(c.paused_at, at("2026-11-23T10:00:00Z"));
	workcal_free(cal);
}

static void
a_target_used_up_is_due_at_once(void **state)
{
	struct workcal *cal = office();
	struct sla_clock c;

	(void)state;
	/* 300 used of a 240 target, resumed at 15:00: due then, not later. */
	sla_clock_start(&c, at("2026-11-23T09:00:00Z"));
	assert_int_equal(sla_clock_pause(cal, &c, at("2026-11-23T14:00:00Z")), 0);
	sla_clock_resume(&c, at("2026-11-23T15:00:00Z"));
	due_is(cal, &c, 240, "2026-11-23T15:00:00Z");
	/* Resumed at night: the first working moment. */
	sla_clock_pause(cal, &c, at("2026-11-23T15:00:00Z"));
	sla_clock_resume(&c, at("2026-11-23T22:00:00Z"));
	due_is(cal, &c, 240, "2026-11-24T09:00:00Z");
	workcal_free(cal);
}

static void
the_warning_comes_before_the_due_time_and_never_after_it(void **state)
{
	int64_t due = at("2026-11-23T12:00:00Z"), w = 0;

	(void)state;
	assert_int_equal(sla_warn_at(due, 30, at("2026-11-23T09:00:00Z"), &w), 0);
	assert_int_equal(w, at("2026-11-23T11:30:00Z"));
	/* Inside the warning window already: warn now. */
	assert_int_equal(sla_warn_at(due, 30, at("2026-11-23T11:45:00Z"), &w), 0);
	assert_int_equal(w, at("2026-11-23T11:45:00Z"));
	/* Past due: the breach speaks, not a warning. */
	assert_int_equal(sla_warn_at(due, 30, at("2026-11-23T12:00:00Z"), &w), -1);
	assert_int_equal(sla_warn_at(due, 0, at("2026-11-23T09:00:00Z"), &w), -1);
}

static void
a_ticket_moves_only_along_the_workflow(void **state)
{
	(void)state;
	assert_true(ticket_transition_ok("new", "open"));
	assert_true(ticket_transition_ok("new", "closed"));
	assert_true(ticket_transition_ok("open", "waiting"));
	assert_true(ticket_transition_ok("waiting", "open"));
	assert_true(ticket_transition_ok("resolved", "reopened"));
	assert_true(ticket_transition_ok("closed", "reopened"));
	assert_true(ticket_transition_ok("reopened", "resolved"));
	assert_false(ticket_transition_ok("open", "new"));
	assert_false(ticket_transition_ok("closed", "open"));
	assert_false(ticket_transition_ok("resolved", "waiting"));
	assert_false(ticket_transition_ok("new", "reopened"));
	assert_false(ticket_transition_ok("open", "bogus"));
	assert_false(ticket_transition_ok("bogus", "open"));
}

static void
canned_placeholders_are_the_known_four(void **state)
{
	json_t *vals = json_pack("{s:s, s:s, s:s, s:s}", "client_name", "Ivan",
	    "ticket_subject", "<b>Login</b>", "ticket_number", "42",
	    "agent_name", "Ada");
	char bad[64], *out;

	(void)state;
	assert_true(canned_placeholders_ok("Hi {{client_name}}, {{agent_name}}",
	    bad, sizeof(bad)));
	assert_true(canned_placeholders_ok("single braces { } }} {", bad,
	    sizeof(bad)));
	assert_false(canned_placeholders_ok("{{password}}", bad, sizeof(bad)));
	assert_string_equal(bad, "password");
	assert_false(canned_placeholders_ok("{{ client_name }}", bad, sizeof(bad)));
	assert_false(canned_placeholders_ok("unclosed {{client_name", bad,
	    sizeof(bad)));
	out = canned_fill("#{{ticket_number}} {{ticket_subject}} for "
	    "{{client_name}} by {{agent_name}}.", vals);
	/* Text in, text out: nothing is escaped or interpreted. */
	assert_string_equal(out, "#42 <b>Login</b> for Ivan by Ada.");
	free(out);
	assert_null(canned_fill("{{secret}}", vals));
	json_decref(vals);
}

static void
the_median_is_the_middle_or_the_lower_middle(void **state)
{
	int64_t odd[] = { 5, 10, 400 }, even[] = { 5, 10, 20, 400 }, one[] = { 7 };

	(void)state;
	assert_int_equal(desk_median(odd, 3), 10);
	assert_int_equal(desk_median(even, 4), 10);
	assert_int_equal(desk_median(one, 1), 7);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(due_counts_working_time_across_nights_and_weekends),
		cmocka_unit_test(due_skips_holidays_and_counts_a_short_day),
		cmocka_unit_test(a_pause_stops_the_clock_and_resuming_recomputes),
		cmocka_unit_test(pauses_in_closed_hours_and_several_pauses_add_up),
		cmocka_unit_test(pausing_twice_or_resuming_a_running_clock_changes_nothing),
		cmocka_unit_test(a_target_used_up_is_due_at_once),
		cmocka_unit_test(the_warning_comes_before_the_due_time_and_never_after_it),
		cmocka_unit_test(a_ticket_moves_only_along_the_workflow),
		cmocka_unit_test(canned_placeholders_are_the_known_four),
		cmocka_unit_test(the_median_is_the_middle_or_the_lower_middle),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
