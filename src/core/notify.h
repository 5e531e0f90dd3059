/*
 * Notifications (the bell) and reminders.
 *
 * A notification is a row for one user, written inside the transaction of
 * the change that caused it, and, when SMTP is configured (cx->mail), a
 * mail to the user's address queued in the same transaction (core/mail.h).
 * It is about one record (entity, record_id) and is written only when its
 * user may read that record: a notification never tells anyone more than
 * the record itself would. A user reads and marks only their own.
 *
 * Reminders: a task (due_at) or a meeting (start_at) carries "reminders",
 * minutes before that time (at most REMINDERS_MAX, each 0 to
 * REMINDER_MINUTES_MAX, no repeats). Each is a job of kind "reminder"
 * keyed "reminder:<activity>:<fire time>", written by reminder_sync() in
 * the activity's write transaction: when the time, the list or the status
 * change, the pending jobs of the activity are replaced; a task done or
 * cancelled, a meeting held or cancelled, or an activity in the trash
 * keeps none. A reminder whose time has passed while the event itself is
 * still ahead runs at once; one whose event has passed is not made. A
 * fired reminder keeps its key, so saving the activity again does not
 * fire it twice. When it runs, the job notifies the owner and the
 * participants (as they are then) in the app and by mail.
 *
 * Reassigning an activity (a new owner_id) notifies the new owner
 * ("assigned") and the previous one ("unassigned"), except the person who
 * made the change. A previous owner who may no longer read the record is
 * told only its number and kind, without a link or its subject.
 */
#ifndef CORE_NOTIFY_H
#define CORE_NOTIFY_H

#include <jansson.h>

#include "core/core.h"
#include "core/record.h"

#define NOTIFY_TITLE_MAX 300		/* characters */
#define NOTIFY_BODY_MAX 2000		/* characters */
#define NOTIFY_PAGE_DEFAULT 50
#define NOTIFY_PAGE_MAX 200
#define REMINDERS_MAX 5
#define REMINDER_MINUTES_MAX (60 * 24 * 28)	/* four weeks */

/*
 * Notifies user_id inside the caller's open write transaction: kind
 * ("reminder", "assigned", ...), title and body (cut to their maxima), the
 * record (e, record_id; e NULL: none). Nothing is written, and *sent (may
 * be NULL) is false, when the user is not active or may not read the
 * record. With mail and SMTP configured, a mail goes to the user too.
 */
int notify_user(struct core_ctx *cx, int64_t user_id, const char *kind,
    const char *title, const char *body, const struct entity *e,
    int64_t record_id, bool mail, bool *sent);

/*
 * The actor's notifications, unread first, newest first within each:
 * {"data": [{id, kind, title, body, entity, record_id, created_at,
 * read_at, read}], "next_cursor"}. unread_only lists the unread only;
 * limit 1..NOTIFY_PAGE_MAX (NULL: 50). CRM_EBADQUERY for a bad cursor or
 * limit.
 */
int notify_list(struct core_ctx *cx, bool unread_only, const char *cursor,
    const char *limit, json_t **out);

/* *count = the actor's unread notifications. */
int notify_unread(struct core_ctx *cx, int64_t *count);

/*
 * Marks one of the actor's notifications read (id), or all of them (id
 * 0). *out = {"unread": n} after it. CRM_ENOTFOUND for an id that is not
 * the actor's.
 */
int notify_mark_read(struct core_ctx *cx, int64_t id, json_t **out);

/*
 * For core/activities.c's after_write: checks nothing (activity_check
 * did), replaces the reminder jobs when what they depend on changed, and
 * notifies a change of owner. cur is NULL on a create.
 */
int reminder_sync(struct core_ctx *cx, int64_t id, json_t *cur, json_t *merged);
/*
 * For a transfer (core/share.c), which changes owners without the record
 * engine: the notices reminder_sync gives on a change of owner of activity
 * id from before to after (0: none), inside the caller's transaction.
 */
int notify_owner_moved(struct core_ctx *cx, int64_t id, int64_t before,
    int64_t after);
/* For the trash: removes (trashed) or restores an activity's reminders. */
int reminder_trash(struct core_ctx *cx, int64_t id, bool trashed);
/* Checks a "reminders" value, adding to cx->errs. */
void reminder_check(struct core_ctx *cx, json_t *v);

/* The "reminder" job: notifies when its activity is still as it was. */
int reminder_job_run(struct core_ctx *cx, json_t *payload, char *err,
    size_t errlen);

/*
 * The reminder jobs pending for activity id, earliest first:
 * {"data": [{"run_at": ms, "minutes": n}]}. For tests and support.
 */
int reminder_pending(struct core_ctx *cx, int64_t id, json_t **out);

#endif
