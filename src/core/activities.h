/*
 * Activities: tasks, calls, meetings, emails, notes and chat messages, one
 * record kind
 * on the record engine (entity_activities), so lists, search, trash,
 * custom fields, rights, shares, transfer and the audit work as for
 * every record. On top: completing a task, "my day", and the timeline of
 * a company, contact or deal.
 *
 * Rules (activities.c): kind is fixed at creation; the fields of other
 * kinds are refused by name; a task is open|done|cancelled (priority
 * low|normal|high|urgent, default normal), a meeting planned|held|
 * cancelled and needs start_at, a call (direction in|out), an email and a
 * note are done (logged once they happened). done_at is set when an
 * activity becomes done (a meeting: held) and cleared when it is
 * reopened. end_at and due_at may not come before start_at. Times are RFC
 * 3339 date-times (the client turns an all-day deadline into the end of
 * the user's day: a date alone would have no time zone). Links
 * (company_id, contact_id, deal_id) name records the author may read; the
 * company is filled from the deal or else the contact when not given, so
 * a company's timeline holds what was done with its people and deals.
 *
 * Rights: by ownership, as every record; owner_id is the person
 * responsible (a task's assignee, a meeting's organiser), so giving one to
 * someone else is the assign right, as a transfer is. Participants (active
 * users) may read the activity whatever their role's scope (access.c's
 * named_sql), but not change it.
 *
 * Later slices attach here: reminders as jobs keyed by activity id
 * enqueued in after_write when due_at/start_at change (and an outbox row
 * for mail in the same transaction); documents as a side table keyed by
 * (entity, record_id), shown on the timeline as a further source.
 *
 * Attached so far: a PBX call is rec_create of kind call with the contact
 * found by the phone's digits through the contacts list (activity_calls.c);
 * comments are a side table shown on the activity's own record, not on
 * the timeline (activity_comments.c); recurrence is a rule column, and
 * completing a task creates the next occurrence in the same transaction
 * rather than in a job, so none is ever lost or doubled
 * (activity_series.c, the dates in recurrence.c); the iCalendar feed is
 * calfeed.h, a my-day-like query over a wider range.
 *
 * JSON in, JSON out; *out is a new reference for the caller.
 */
#ifndef CORE_ACTIVITIES_H
#define CORE_ACTIVITIES_H

#include <jansson.h>

#include "core/record.h"

#define ACTIVITY_CHECKLIST_MAX 100	/* items of a task's checklist */
#define ACTIVITY_CHECKLIST_TEXT 500	/* characters of one item */
#define MYDAY_BUCKET_DEFAULT 20	/* entries listed per bucket: the web's */
#define MYDAY_BUCKET_MAX 200		/* the most a caller may ask for */
#define TIMELINE_DEFAULT 50
#define TIMELINE_MAX 200

/*
 * Sets a task's status ("done": complete, "open": reopen) as an update,
 * with its rights, If-Match (if_version as rec_update) and audit.
 * CRM_EINVAL naming kind when the activity is not a task.
 */
int activity_set_status(struct core_ctx *cx, int64_t id, int64_t if_version,
    const char *status, json_t **out);

/*
 * "My day" of user_id (0: the actor) in time zone tz (an IANA name such
 * as "Europe/Berlin"; NULL: UTC) at the instant now_ms: the open tasks
 * (by due_at) and planned meetings (by start_at) the user owns or takes
 * part in, that the actor may read, in buckets of the user's local days:
 *   overdue:   tasks due before now; meetings that started before today
 *   today:     the rest of today
 *   tomorrow
 *   this_week: after tomorrow up to the end of Sunday (empty on Sat/Sun
 *              when tomorrow already ends the week)
 * {"user_id", "tz", "now", "date": "YYYY-MM-DD" (the user's today),
 *  "overdue": {"data": [activity...], "count", "more"}, "today": ...,
 *  "tomorrow", "this_week"}: each list in time order, at most limit
 * entries (a whole number 1..MYDAY_BUCKET_MAX as text; NULL:
 * MYDAY_BUCKET_DEFAULT), count all of them, more the rest.
 * CRM_EBADQUERY naming tz for an unknown zone or limit, CRM_ENOTFOUND for
 * no such active user.
 */
int activity_my_day(struct core_ctx *cx, int64_t user_id, const char *tz,
    const char *limit, int64_t now_ms, json_t **out);

/* What the timeline is asked for; NULL/0 members do not filter. */
struct timeline_query {
	const char	*kind;		/* an activity kind: activities only */
	const char	*type;		/* activity | change | stage | document */
	int64_t		 user_id;	/* owner / author / who moved it */
	const char	*cursor;	/* next_cursor of the previous page */
	const char	*limit;		/* 1..TIMELINE_MAX, default 50 */
};

/*
 * Everything that happened to record id of e (companies, contacts or
 * deals), newest first: {"data": [entry...], "next_cursor"}. Entries:
 *   {"type": "activity", "at", "user_id", "id", "activity": {...}}
 *       its activities (for a company also those linked to it through a
 *       deal or contact, see above), at their creation, each only when
 *       the actor may read it;
 *   {"type": "change", "at", "user_id", "id", "action", "changes"|"values"}
 *       the record's own audit entries (create, update, transfer, delete,
 *       restore) when the actor has the audit right on it, without the
 *       fields the role hides or the system computes;
 *   {"type": "stage", "at", "user_id", "id", "stage_id", "stage_name"}
 *       a deal's stage moves;
 *   {"type": "document", "at", "user_id", "id", "document": {...}}
 *       the record's own documents (core/documents.h), at their upload.
 * The cursor holds (at, type, id) of the last entry, so pages never skip
 * or repeat across the merged sources. CRM_ENOTFOUND when the record is
 * not readable, CRM_EBADQUERY for a bad parameter.
 */
int activity_timeline(struct core_ctx *cx, const struct entity *e, int64_t id,
    const struct timeline_query *tq, json_t **out);

/* For activity_day.c and timeline.c: ms as an RFC 3339 JSON string. */
json_t *activity_time_json(int64_t ms);
/* ms from a stored integer or an RFC 3339 string; *ok false for neither. */
int64_t activity_time_of(json_t *v, bool *ok);

/* ---- calls posted by a PBX (activity_calls.c) ---- */

#define CALL_EXTERNAL_ID_MAX 200	/* bytes of a PBX's call id */
#define CALL_PHONE_DIGITS 10		/* digits compared from the end */

/*
 * Whether two phone numbers name the same line, by their digits only
 * (spaces, dashes, brackets and a leading + do not count): the last
 * CALL_PHONE_DIGITS digits when both have at least that many (so
 * "+49 30 1234 5678" is "030 12345678"), else all digits exactly (short
 * internal extensions match only themselves). No digits never matches.
 */
bool activity_phone_same(const char *a, const char *b);

/*
 * Logs a call a PBX posted for the actor: in is {direction: in|out, phone,
 * started_at (RFC 3339), duration_s (0..a week), result?, external_id?}.
 * It becomes an activity of kind call owned by the actor, linked to the
 * most recently updated contact the actor may read whose phone is the
 * same (activity_phone_same; no such contact: no link), with the
 * contact's company. A known external_id answers the activity already
 * made for it (*created false) instead of a second one; one the actor
 * may not read is CRM_EEXISTS. CRM_EINVAL with cx->errs on bad input.
 */
int activity_call_log(struct core_ctx *cx, json_t *in, json_t **out,
    bool *created);

/* ---- comments on an activity (activity_comments.c) ---- */

#define COMMENT_BODY_MAX 10000	/* characters of one comment */
#define COMMENTS_MAX 1000	/* live comments on one activity */

/*
 * The live comments on activity id, oldest first: {"data": [{id,
 * activity_id, user_id, user_name, body, created_at}]}. Needs read on the
 * activity (CRM_ENOTFOUND otherwise, as for the activity itself).
 */
int activity_comment_list(struct core_ctx *cx, int64_t id, json_t **out);
/*
 * Adds {body: 1..COMMENT_BODY_MAX characters} by the actor to activity
 * id, audited; *out is the comment. Whoever may read the activity may
 * comment (a participant too). CRM_EINVAL with cx->errs on bad input,
 * CRM_EINUSE past COMMENTS_MAX.
 */
int activity_comment_add(struct core_ctx *cx, int64_t id, json_t *in,
    json_t **out);
/*
 * Removes comment comment_id of activity id, audited: one's own, or any
 * as an administrator (CRM_EFORBIDDEN otherwise); CRM_ENOTFOUND when the
 * activity is not readable or has no such live comment.
 */
int activity_comment_delete(struct core_ctx *cx, int64_t id,
    int64_t comment_id);

/* ---- recurring tasks (recurrence.c) ---- */

#define RECUR_INTERVAL_MAX 365
#define RECUR_COUNT_MAX 1000

enum recur_freq { RECUR_DAILY, RECUR_WEEKLY, RECUR_MONTHLY, RECUR_YEARLY };

/* A task's recurrence: {freq, interval?, until?, count?} parsed. */
struct recur_rule {
	enum recur_freq	 freq;
	int		 interval;	/* 1..RECUR_INTERVAL_MAX, default 1 */
	int64_t		 until;		/* ms; 0: no end date */
	int		 count;		/* occurrences in all; 0: no limit */
};

/*
 * Parses v ({freq: daily|weekly|monthly|yearly, interval?: 1..365,
 * until?: RFC 3339 date-time, count?: 1..1000}, no other key) into *r.
 * -1 with the reason in why (a message for the field) when it is not one.
 */
int recur_parse(const json_t *v, struct recur_rule *r, char *why,
    size_t whylen);
/*
 * The due time of occurrence k (0: the first) of a series whose first is
 * due at first_ms, in UTC: k * interval days, weeks, months or years on.
 * Months and years keep the first's day of the month where the month has
 * it and take the month's last day where it has not (Jan 31 monthly: Feb
 * 28 or 29, Mar 31, Apr 30; Feb 29 yearly: Feb 28, then Feb 29 in the
 * next leap year); the time of day is kept. -1 past year 9999.
 */
int64_t recur_at(const struct recur_rule *r, int64_t first_ms, int k);
/*
 * After done occurrences (1: only the first), the due time of the next
 * one in *next_ms; false when the series is over: count reached, or the
 * next would fall after until.
 */
bool recur_next(const struct recur_rule *r, int64_t first_ms, int done,
    int64_t *next_ms);

/*
 * For activities.c's after_write: a task written with a recurrence rule
 * and no series yet becomes the first of its series (series_id = its own
 * id), so every task of a series carries series_id.
 */
int activity_series_mark(struct core_ctx *cx, int64_t id, json_t *merged);

/*
 * For activities.c's after_write: when the write completed a recurring
 * task that is the latest of its series, creates the next occurrence in
 * the same transaction, as the actor (same subject, body, priority,
 * owner, links, participants, estimate, tags, custom values and rule; the
 * checklist unticked; due_at, and start_at by the same shift, moved to
 * the next date) and links it with series_id = the first task's id.
 * Nothing when the series is over.
 */
int activity_recur_after(struct core_ctx *cx, int64_t id, json_t *cur,
    json_t *merged);

#endif
