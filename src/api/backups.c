/*
 * Backups over HTTP (administrators): the recent runs, the schedule and
 * whether the last good backup is too old; and "Back up now", queued as a
 * background job. The work is in core/backup.c.
 */
#include "api/internal.h"
#include "core/backup.h"

void
h_backups_get(struct call *c)
{
	json_t *out = NULL;
	int rc = backup_status(&c->cx, &out);

	if (rc != CRM_OK) {
		reply_core(c, rc);
		return;
	}
	reply_json(c, 200, out);
	http_resp_header(c->resp, "Cache-Control", "no-store");
}

void
h_backups_post(struct call *c)
{
	int64_t id = 0;
	int rc = backup_enqueue_now(&c->cx, c->app->backup_dir, &id);
	if (rc != CRM_OK) {
		reply_core(c, rc);
		return;
	}
	reply_json(c, 202, json_pack("{s:I, s:s}", "job_id", (json_int_t)id,
	    "status", "queued"));
}
