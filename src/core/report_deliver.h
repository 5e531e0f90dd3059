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
 * creation instant keeps an id SQLite hands out again apart). The job runs in
 * the job runner's transaction (core/jobs.h): the mails (core/mail.h, with
 * the file attached), the audit entry "report.deliver" (rows per
 * recipient) and the job for the following occurrence are written
 * together, and the claim makes one occurrence deliver once, across
 * restarts and servers. A server down over several occurrences delivers
 * once when it is back and then waits for the next one after now. While
 * the owner's account is disabled the occurrences pass without mail.
 */
#ifndef CORE_REPORT_DELIVER_H
#define CORE_REPORT_DELIVER_H

#include <jansson.h>

#include "core/core.h"

#define RSUB_RECIPIENTS_MAX 50
#define RSUB_PARAM_MAX 32	/* bytes of one run parameter */

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
 * Delivers subscription id now, in one transaction, outside its schedule
 * (which stays as it is): *out = {"id", "delivered": [{user_id, rows}],
 * "skipped": [{user_id, reason}]}.
 */
int rsub_send_now(struct core_ctx *cx, int64_t id, json_t **out);

/*
 * The "report_deliver" job (payload {subscription_id, at}), inside the
 * run transaction: delivers when the subscription is still active and
 * still due at "at", then queues the job of the next occurrence.
 */
int rsub_job_run(struct core_ctx *cx, json_t *payload, char *err,
    size_t errlen);

#endif
