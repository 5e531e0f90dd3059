/*
 * The iCalendar feed (calfeed.h): its secret addresses and the feed text.
 * The entries are read with the rights of the feed's user, through the
 * same predicate as every list (access_where) and with the fields their
 * role hides blanked (access_redact), so the feed never shows more than
 * the activity list would.
 */
#include "core/calfeed.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "core/access.h"
#include "core/activities.h"
#include "core/audit.h"
#include "core/sessions.h"
#include "core/users.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/timeutil.h"

#define DAY_MS 86400000LL

static int
db_fail(struct core_ctx *cx, const char *what)
{
	log_error("database: calendar feed: %s: %s", what, db_errmsg(cx->db));
	return core_fail(cx, CRM_EDB, "The database failed");
}

/* Revokes the actor's live feeds; *n how many there were. */
static int
revoke_all(struct core_ctx *cx, int64_t *n)
{
	db_stmt_t *st;
	int rc;

	if (db_prepare(cx->db, "UPDATE calendar_feeds SET revoked_at = ? WHERE "
	    "user_id = ? AND revoked_at IS NULL", &st) != DB_OK)
		return db_fail(cx, "revoke");
	db_bind_int(st, 1, time_now_ms());
	db_bind_int(st, 2, cx->actor.user_id);
	rc = db_step(st);
	db_done(st);
	if (rc != DB_DONE)
		return db_fail(cx, "revoke step");
	*n = db_changes(cx->db);
	return CRM_OK;
}

int
calfeed_create(struct core_ctx *cx, char *secret)
{
	unsigned char raw[32];
	char hex[65];
	db_stmt_t *st;
	int64_t n = 0;
	int rc;

	if (cx->actor.user_id <= 0)
		return core_fail(cx, CRM_EFORBIDDEN, "A calendar feed belongs to a "
		    "user; sign in as one");
	randombytes_buf(raw, sizeof(raw));
	sodium_bin2base64(secret, SECRET_LEN, raw, sizeof(raw),
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	session_secret_hash(secret, hex);
	if (db_begin(cx->db) != DB_OK)
		return db_fail(cx, "begin");
	rc = revoke_all(cx, &n);
	if (rc != CRM_OK)
		return core_txn_end(cx, rc, NULL);
	if (db_prepare(cx->db, "INSERT INTO calendar_feeds (user_id, secret_hash, "
	    "created_at) VALUES (?, ?, ?)", &st) != DB_OK)
		return core_txn_end(cx, db_fail(cx, "insert"), NULL);
	db_bind_int(st, 1, cx->actor.user_id);
	db_bind_text(st, 2, hex, strlen(hex));
	db_bind_int(st, 3, time_now_ms());
	rc = db_step(st);
	db_done(st);
	if (rc != DB_DONE)
		return core_txn_end(cx, db_fail(cx, "insert step"), NULL);
	rc = audit_append(cx, "calendar_feed.create", NULL, 0, NULL);
	return core_txn_end(cx, rc, NULL);
}

int
calfeed_revoke(struct core_ctx *cx)
{
	int64_t n = 0;
	int rc;

	if (db_begin(cx->db) != DB_OK)
		return db_fail(cx, "begin");
	rc = revoke_all(cx, &n);
	if (rc == CRM_OK && n == 0)
		rc = core_fail(cx, CRM_ENOTFOUND, "You have no calendar feed");
	if (rc == CRM_OK)
		rc = audit_append(cx, "calendar_feed.revoke", NULL, 0, NULL);
	return core_txn_end(cx, rc, NULL);
}

int
calfeed_status(struct core_ctx *cx, json_t **out)
{
	char ts[TIME_RFC3339_LEN];
	db_stmt_t *st;
	int rc;

	if (db_prepare(cx->db, "SELECT MAX(created_at) FROM calendar_feeds WHERE "
	    "user_id = ? AND revoked_at IS NULL", &st) != DB_OK)
		return db_fail(cx, "status");
	db_bind_int(st, 1, cx->actor.user_id);
	rc = db_step(st);
	if (rc == DB_ROW && !db_col_null(st, 0)) {
		time_format(db_col_int(st, 0), ts, sizeof(ts));
		*out = json_pack("{s:b, s:s}", "active", 1, "created_at", ts);
	} else if (rc == DB_ROW) {
		*out = json_pack("{s:b, s:n}", "active", 0, "created_at");
	}
	db_done(st);
	return rc == DB_ROW ? CRM_OK : db_fail(cx, "status step");
}

/* The live feed's user, made the actor. */
static int
resolve(struct core_ctx *cx, const char *secret)
{
	char hex[65];
	db_stmt_t *st;
	int rc;

	if (secret[0] == '\0' || strlen(secret) >= SECRET_LEN)
		return core_fail(cx, CRM_ENOTFOUND, "No such calendar feed");
	/* Looked up by its hash: the time taken tells nothing of the secret. */
	session_secret_hash(secret, hex);
	if (db_prepare(cx->db, "SELECT u.id, u.email, u.name, u.is_admin FROM "
	    "calendar_feeds f JOIN users u ON u.id = f.user_id WHERE "
	    "f.secret_hash = ? AND f.revoked_at IS NULL AND u.active = 1",
	    &st) != DB_OK)
		return db_fail(cx, "resolve");
	db_bind_text(st, 1, hex, strlen(hex));
	rc = db_step(st);
	if (rc == DB_ROW) {
		memset(&cx->actor, 0, sizeof(cx->actor));
		cx->actor.user_id = db_col_int(st, 0);
		snprintf(cx->actor.email, sizeof(cx->actor.email), "%s",
		    db_col_text(st, 1, NULL));
		snprintf(cx->actor.name, sizeof(cx->actor.name), "%s",
		    db_col_text(st, 2, NULL));
		cx->actor.is_admin = db_col_int(st, 3) != 0;
		cx->rights.loaded = false;
		cx->rights.nseen = 0;
	}
	db_done(st);
	if (rc == DB_DONE)
		return core_fail(cx, CRM_ENOTFOUND, "No such calendar feed");
	return rc == DB_ROW ? CRM_OK : db_fail(cx, "resolve step");
}

static int64_t
ms(json_t *rec, const char *key)
{
	bool ok;
	int64_t v = activity_time_of(json_object_get(rec, key), &ok);

	return ok ? v : -1;
}

static const char *
str(json_t *rec, const char *key)
{
	const char *s = json_string_value(json_object_get(rec, key));

	return s != NULL ? s : "";
}

/* One VTODO or VEVENT; -1 when out is full. */
static int
component(struct buf *out, json_t *rec, int64_t now_ms)
{
	bool task = strcmp(str(rec, "kind"), "task") == 0;
	char uid[64];
	int rc = 0;

	/* Its time hidden from the user by a field rule: nothing to place. */
	if (ms(rec, task ? "due_at" : "start_at") < 0)
		return 0;
	snprintf(uid, sizeof(uid), "activity-%lld@crm",
	    (long long)json_integer_value(json_object_get(rec, "id")));
	rc |= ical_line(out, "BEGIN", task ? "VTODO" : "VEVENT");
	rc |= ical_line(out, "UID", uid);
	rc |= ical_time(out, "DTSTAMP", now_ms);
	if (ms(rec, "updated_at") >= 0)
		rc |= ical_time(out, "LAST-MODIFIED", ms(rec, "updated_at"));
	rc |= ical_text(out, "SUMMARY", str(rec, "subject"));
	if (task) {
		rc |= ical_time(out, "DUE", ms(rec, "due_at"));
		if (ms(rec, "start_at") >= 0)
			rc |= ical_time(out, "DTSTART", ms(rec, "start_at"));
		rc |= ical_line(out, "STATUS", "NEEDS-ACTION");
	} else {
		rc |= ical_time(out, "DTSTART", ms(rec, "start_at"));
		if (ms(rec, "end_at") >= 0)
			rc |= ical_time(out, "DTEND", ms(rec, "end_at"));
		if (str(rec, "place")[0] != '\0')
			rc |= ical_text(out, "LOCATION", str(rec, "place"));
		rc |= ical_line(out, "STATUS", "CONFIRMED");
	}
	rc |= ical_line(out, "END", task ? "VTODO" : "VEVENT");
	return rc != 0 ? -1 : 0;
}

int
calfeed_render(struct core_ctx *cx, const char *secret, int64_t now_ms,
    struct buf *out)
{
	int64_t lo = now_ms - CALFEED_PAST_DAYS * DAY_MS;
	int64_t hi = now_ms + CALFEED_AHEAD_DAYS * DAY_MS;
	struct dbq q;
	db_stmt_t *st;
	int rc = resolve(cx, secret), arc = CRM_OK, full = 0;
	char name[300];

	if (rc != CRM_OK)
		return rc;
	dbq_init(&q);
	dbq_sql(&q, "SELECT ");
	rec_select_list(&entity_activities, &q);
	dbq_sql(&q, " FROM activities t WHERE t.deleted_at IS NULL AND "
	    "(t.owner_id = ? OR t.id IN (SELECT ap.activity_id FROM "
	    "activity_participants ap WHERE ap.user_id = ?)) AND ((t.kind = "
	    "'task' AND t.status = 'open' AND t.due_at >= ? AND t.due_at < ?) "
	    "OR (t.kind = 'meeting' AND t.status <> 'cancelled' AND t.start_at "
	    ">= ? AND t.start_at < ?))");
	dbq_int(&q, cx->actor.user_id);
	dbq_int(&q, cx->actor.user_id);
	dbq_int(&q, lo);
	dbq_int(&q, hi);
	dbq_int(&q, lo);
	dbq_int(&q, hi);
	rc = access_where(cx, &entity_activities, ACC_READ, "t", &q);
	dbq_sql(&q, " ORDER BY t.id LIMIT ?");
	dbq_int(&q, CALFEED_ITEMS_MAX);
	if (rc == CRM_OK && db_prepare_q(cx->db, &q, &st) != DB_OK)
		rc = db_fail(cx, "list");
	dbq_free(&q);
	if (rc != CRM_OK)
		return rc;
	snprintf(name, sizeof(name), "crm: %s", cx->actor.name);
	full |= ical_line(out, "BEGIN", "VCALENDAR");
	full |= ical_line(out, "VERSION", "2.0");
	full |= ical_line(out, "PRODID", "-//crm//activities//EN");
	full |= ical_line(out, "CALSCALE", "GREGORIAN");
	full |= ical_text(out, "X-WR-CALNAME", name);
	while (arc == CRM_OK && full == 0 && (rc = db_step(st)) == DB_ROW) {
		json_t *rec = rec_row_to_json(&entity_activities, st);

		arc = access_redact(cx, &entity_activities, rec);
		if (arc == CRM_OK)
			full |= component(out, rec, now_ms);
		json_decref(rec);
	}
	db_done(st);
	if (arc != CRM_OK)
		return arc;
	if (rc != DB_DONE && rc != DB_ROW)
		return db_fail(cx, "list step");
	full |= ical_line(out, "END", "VCALENDAR");
	if (full != 0)
		return core_fail(cx, CRM_EINUSE, "The calendar is too large to "
		    "send");
	return CRM_OK;
}
