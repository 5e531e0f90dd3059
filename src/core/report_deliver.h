/*
 * Report subscriptions (issue 11): a saved or ready report mailed as a
 * file to chosen people on a schedule, each recipient getting the report
 * as THAT recipient sees it.
 *
 * A subscription is
 *   {"id", "owner_id", "report_id", "report_name", "format": "xlsx"|"csv",
 *    "schedule": {...}, "tz", "recipients": [user id], "params": {...},
 *    "active", "next_at": time | null, "last_sent_at": time | null,
 *    "created_at", "updated_at", "version"}
 * with schedule one of
 *   {"kind": "weekly", "weekday": 1..7 (1 Monday), "time": "HH:MM"}
 *   {"kind": "monthly", "day": 1..28, "time": "HH:MM"}
 *   {"kind": "cron", "expr": "0 8 * * 1"}   (core/cron.h)
 * read in tz (an IANA zone; by default the owner's work calendar's), and
 * params the ready report's run parameters {from?, to?, days?}.
 *
 * Rights: the owner (the actor who created it) and administrators see and
 * change a subscription; others get CRM_ENOTFOUND. The owner must see the
 * report, and so must every recipient when it is saved (refused naming
 * "recipients[i]"). At each delivery the report runs once per recipient
 * with the recipient's own rights (core/access.h, the read scope, as on
 * screen): what one recipient may not read never reaches another's mail.
 * A recipient who has since lost the report, or whose account is disabled,
 * is skipped and named in the audit entry.
 *
 * Scheduling: each active subscription has one "report_deliver" job keyed
 * "report_deliver:<id>.<created_at>:<next_at>" for its next occurrence (the
 * creation instant keeps an id SQLite hands out again apart). A delivery
 * renders first, outside any transaction (reads only: each recipient's
 * run and file), then in ONE short write transaction checks that the
 * subscription is unchanged (its version) and still armed for the
 * occurrence, and writes the mails (core/mail.h, with the file attached),
 * the delivery's row (report_deliveries, unique per occurrence), the
 * audit entry "report.deliver" (rows per recipient) and the job for the
 * following occurrence together: an occurrence is delivered once across
 * restarts and servers, and no writer of the server waits for a render.
 * A subscription changed while it rendered is rendered again; one
 * deleted, paused or re-armed sends nothing. A server down over several
 * occurrences delivers once when it is back and then waits for the next
 * one after now. While the owner's account is disabled the occurrences
 * pass without mail.
 *
 * Limits against mail floods: a schedule fires at most once an hour (a
 * cron expression with more than one minute is refused, naming
 * "schedule"), and send-now at most RSUB_SEND_NOW_MAX times an hour per
 * subscription (counted in report_deliveries; CRM_ETHROTTLED with
 * cx->retry_after_s).
 */
#ifndef CORE_REPORT_DELIVER_H
#define CORE_REPORT_DELIVER_H

#include <jansson.h>

#include "core/core.h"

#define RSUB_RECIPIENTS_MAX 50
#define RSUB_PARAM_MAX 32	/* bytes of one run parameter */
#define RSUB_MIN_GAP_MS (60 * 60 * 1000)	/* between scheduled deliveries */
#define RSUB_SEND_NOW_MAX 5	/* send-now per subscription per window */
#define RSUB_SEND_NOW_WINDOW_MS (60 * 60 * 1000)
/* Delivery rows older than this guard nothing (a job lease is <= a day). */
#define RSUB_DELIVERIES_KEEP_MS (2 * 24 * 60 * 60 * 1000LL)

/* {"data": [subscription]}: one's own, newest first (admin: everyone's). */
int rsub_list(struct core_ctx *cx, json_t **out);
int rsub_get(struct core_ctx *cx, int64_t id, json_t **out);
/*
 * Saves {report_id, format, schedule, recipients, tz?, params?, active?}
 * for the actor and arms its job. CRM_EINVAL naming each bad field;
 * CRM_EFORBIDDEN for the system (subscriptions belong to people). Audited
 * as report_subscription.create.
 */
int rsub_create(struct core_ctx *cx, json_t *in, json_t **out);
/*
 * Changes the fields given (as create; if_version < 0: no If-Match) and
 * re-arms the job. CRM_ECONFLICT on a stale version.
 */
int rsub_update(struct core_ctx *cx, int64_t id, int64_t if_version,
    json_t *in, json_t **out);
int rsub_delete(struct core_ctx *cx, int64_t id);
/*
 * Delivers subscription id now, outside its schedule (which stays as it
 * is): renders, then one short transaction (as a scheduled delivery).
 * *out = {"id", "delivered": [{user_id, rows}], "skipped": [{user_id,
 * reason}]}. CRM_ETHROTTLED (cx->retry_after_s) past RSUB_SEND_NOW_MAX
 * send-nows that mailed anyone within the last hour; CRM_EINUSE when the
 * subscription changed while it rendered (nothing sent).
 */
int rsub_send_now(struct core_ctx *cx, int64_t id, json_t **out);

/*
 * The "report_deliver" job (payload {subscription_id, at}), run outside
 * the job runner's transaction (own_txn, core/jobs.c): renders when the
 * subscription is still active and armed for "at", then delivers and
 * queues the job of the next occurrence in a transaction of its own.
 * CRM_ECONFLICT when it changed while rendering and is still due: the
 * runner retries it.
 */
int rsub_job_run(struct core_ctx *cx, json_t *payload, char *err,
    size_t errlen);

#endif
