/* The system state (see syslock.h): one row, id 1, upserted. */
#include "core/audit.h"
#include "core/syslock.h"

#include <stdio.h>
#include <string.h>

#include "util/log.h"
#include "util/text.h"
#include "util/timeutil.h"

static int
db_fail(struct core_ctx *cx, const char *what)
{
	log_error("database: system state: %s: %s", what, db_errmsg(cx->db));
	return core_fail(cx, CRM_EDB, "The database failed");
}

int
syslock_get(struct core_ctx *cx, struct sysstate *out)
{
	db_stmt_t *st;
	int rc;

	snprintf(out->state, sizeof(out->state), "normal");
	out->message[0] = '\0';
	out->updated_at = 0;
	if (db_prepare(cx->db, "SELECT state, message, updated_at FROM "
	    "system_state WHERE id = 1", &st) != DB_OK)
		return db_fail(cx, "get");
	rc = db_step(st);
	if (rc == DB_ROW) {
		snprintf(out->state, sizeof(out->state), "%s",
		    db_col_text(st, 0, NULL));
		snprintf(out->message, sizeof(out->message), "%s",
		    db_col_text(st, 1, NULL));
		out->updated_at = db_col_int(st, 2);
	}
	db_done(st);
	return rc == DB_ROW || rc == DB_DONE ? CRM_OK : db_fail(cx, "get step");
}

int
syslock_set(struct core_ctx *cx, const char *state, const char *message)
{
	json_t *detail;
	db_stmt_t *st;
	size_t mlen = strlen(message);
	int rc = core_admin_only(cx, "change the system state");

	if (rc != CRM_OK)
		return rc;
	if (strcmp(state, "normal") != 0 && strcmp(state, "read_only") != 0 &&
	    strcmp(state, "locked") != 0)
		verrs_add(&cx->errs, "state", "must be normal, read_only or locked");
	if (mlen > SYSLOCK_MSG_MAX || !text_utf8_valid(message, mlen))
		verrs_add(&cx->errs, "message", "must be at most %d bytes of text",
		    SYSLOCK_MSG_MAX);
	if (cx->errs.n > 0)
		return core_fail(cx, CRM_EINVAL, "The state must be normal, "
		    "read_only or locked, with a message of at most %d bytes",
		    SYSLOCK_MSG_MAX);
	if (db_prepare(cx->db, "INSERT INTO system_state (id, state, message, "
	    "updated_at, updated_by) VALUES (1, ?, ?, ?, ?) ON CONFLICT (id) DO "
	    "UPDATE SET state = excluded.state, message = excluded.message, "
	    "updated_at = excluded.updated_at, updated_by = excluded.updated_by",
	    &st) != DB_OK)
		return db_fail(cx, "set");
	db_bind_text(st, 1, state, strlen(state));
	db_bind_text(st, 2, message, mlen);
	db_bind_int(st, 3, time_now_ms());
	if (cx->actor.user_id > 0)
		db_bind_int(st, 4, cx->actor.user_id);
	else
		db_bind_null(st, 4);
	rc = db_step(st);
	db_done(st);
	if (rc != DB_DONE)
		return db_fail(cx, "set step");
	log_info("system state set to %s by %s%s%s", state,
	    cx->actor.user_id > 0 ? cx->actor.email : "the command line",
	    mlen ? ": " : "", message);
	detail = json_pack("{s:s, s:s}", "state", state, "message", message);
	rc = audit_append(cx, "system.state", NULL, 0, detail);
	json_decref(detail);
	return rc;
}

json_t *
syslock_json(const struct sysstate *s)
{
	char ts[TIME_RFC3339_LEN];
	json_t *j = json_pack("{s:s, s:s}", "state", s->state, "message",
	    s->message);

	if (j == NULL)
		j = json_pack("{s:s, s:s}", "state", s->state, "message", "");
	if (s->updated_at > 0) {
		time_format(s->updated_at, ts, sizeof(ts));
		json_object_set_new(j, "updated_at", json_string(ts));
	} else {
		json_object_set_new(j, "updated_at", json_null());
	}
	return j;
}
