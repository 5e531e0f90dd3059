/*
 * Sessions (see sessions.h). Sign-in itself (the password check in
 * constant time, creating the row) stays in auth.c; this file puts the
 * throttle and the system lock around it and owns everything a session
 * does afterwards.
 */
#include "core/audit.h"
#include "core/sessions.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "core/syslock.h"
#include "core/throttle.h"
#include "util/log.h"
#include "util/timeutil.h"

/* Domain separation for the CSRF token's keyed hash (not a secret). */
static const unsigned char csrf_key[crypto_generichash_KEYBYTES] =
    "crm csrf v1: bound to a session";

static int
db_fail(struct core_ctx *cx, const char *what)
{
	log_error("database: sessions: %s: %s", what, db_errmsg(cx->db));
	return core_fail(cx, CRM_EDB, "The database failed");
}

void
session_secret_hash(const char *secret, char hex[65])
{
	unsigned char h[crypto_generichash_BYTES];

	crypto_generichash(h, sizeof(h), (const unsigned char *)secret,
	    strlen(secret), NULL, 0);
	sodium_bin2hex(hex, 65, h, sizeof(h));
}

void
session_csrf(const char *secret, char out[SESSION_CSRF_LEN])
{
	unsigned char h[32];

	crypto_generichash(h, sizeof(h), (const unsigned char *)secret,
	    strlen(secret), csrf_key, sizeof(csrf_key));
	sodium_bin2base64(out, SESSION_CSRF_LEN, h, sizeof(h),
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

bool
session_csrf_ok(const char *secret, const char *given)
{
	char want[SESSION_CSRF_LEN];
	size_t len = strlen(given);

	session_csrf(secret, want);
	if (len != strlen(want))
		return false;
	return sodium_memcmp(want, given, len) == 0;
}

/* Deletes the user's sessions that can no longer be used (kept cheap). */
static int
prune(struct core_ctx *cx, int64_t user_id, int64_t now)
{
	db_stmt_t *st;
	int rc;

	if (db_prepare(cx->db, "DELETE FROM sessions WHERE user_id = ? AND "
	    "(expires_at <= ? OR COALESCE(last_seen_at, created_at) <= ?)",
	    &st) != DB_OK)
		return db_fail(cx, "prune");
	db_bind_int(st, 1, user_id);
	db_bind_int(st, 2, now);
	/* Idle longer than any idle timeout allowed (the TTL). */
	db_bind_int(st, 3, now - SESSION_TTL_MS);
	rc = db_step(st);
	db_done(st);
	return rc == DB_DONE ? CRM_OK : db_fail(cx, "prune step");
}

int
session_login(struct core_ctx *cx, const char *email, const char *password,
    const char *address, const char *agent, char *secret, struct actor *out)
{
	struct sysstate sys;
	int rc, rc2;

	rc = throttle_check(cx, email, address);
	if (rc != CRM_OK)
		return rc;
	rc = auth_login(cx, email, password, address, agent, secret, out);
	if (rc == CRM_EUNAUTH) {
		json_t *d = json_pack("{s:s}", "email", email);

		/* Nobody is signed in: the entry names the email that was tried. */
		rc2 = audit_append(cx, "auth.login_failed", NULL, 0, d);
		json_decref(d);
		if (rc2 != CRM_OK)
			return rc2;
		rc2 = throttle_fail(cx, email, address);
		return rc2 != CRM_OK ? rc2 : core_fail(cx, CRM_EUNAUTH,
		    "The email or password is wrong");
	}
	if (rc != CRM_OK)
		return rc;
	rc = throttle_clear(cx, email);
	if (rc == CRM_OK)
		rc = prune(cx, out->user_id, time_now_ms());
	if (rc == CRM_OK)
		rc = syslock_get(cx, &sys);
	if (rc == CRM_OK && strcmp(sys.state, "locked") == 0 && !out->is_admin) {
		rc = auth_logout(cx, secret);
		if (rc == CRM_OK)
			rc = core_fail(cx, CRM_EUNAVAIL, "The system is locked by an "
			    "administrator%s%s; only administrators can sign in until "
			    "it is lifted", sys.message[0] ? ": " : "", sys.message);
	}
	if (rc == CRM_OK) {
		struct actor before = cx->actor;

		cx->actor = *out;
		rc = audit_append(cx, "auth.login", NULL, 0, NULL);
		cx->actor = before;
	}
	if (rc != CRM_OK)
		sodium_memzero(secret, SECRET_LEN);
	return rc;
}

static int64_t
touch_interval(const struct session_limits *lim)
{
	return lim->idle_ms / 2 < SESSION_TOUCH_MS ? lim->idle_ms / 2 :
	    SESSION_TOUCH_MS;
}

/* session_resolve, and session_check when touch is false. */
static int
resolve(struct core_ctx *cx, const char *secret,
    const struct session_limits *lim, struct actor *out, int64_t *session_id,
    bool touch)
{
	char hex[65];
	db_stmt_t *st;
	int64_t now = time_now_ms(), seen = 0;
	int rc;

	if (strlen(secret) >= SECRET_LEN)
		return core_fail(cx, CRM_EUNAUTH, "The session is not valid; sign "
		    "in again");
	session_secret_hash(secret, hex);
	if (db_prepare(cx->db, "SELECT s.id, u.id, u.email, u.name, u.is_admin, "
	    "COALESCE(s.last_seen_at, s.created_at) FROM sessions s JOIN users u "
	    "ON u.id = s.user_id WHERE s.token_hash = ? AND s.expires_at > ? AND "
	    "s.created_at > ? AND COALESCE(s.last_seen_at, s.created_at) > ? AND "
	    "u.active = 1", &st) != DB_OK)
		return db_fail(cx, "resolve");
	db_bind_text(st, 1, hex, strlen(hex));
	db_bind_int(st, 2, now);
	db_bind_int(st, 3, now - lim->max_ms);
	db_bind_int(st, 4, now - lim->idle_ms);
	rc = db_step(st);
	if (rc == DB_ROW) {
		*session_id = db_col_int(st, 0);
		out->user_id = db_col_int(st, 1);
		snprintf(out->email, sizeof(out->email), "%s", db_col_text(st, 2, NULL));
		snprintf(out->name, sizeof(out->name), "%s", db_col_text(st, 3, NULL));
		out->is_admin = db_col_int(st, 4) != 0;
		seen = db_col_int(st, 5);
	}
	db_done(st);
	if (rc == DB_DONE)
		return core_fail(cx, CRM_EUNAUTH, "The session has ended or is not "
		    "valid; sign in again");
	if (rc != DB_ROW)
		return db_fail(cx, "resolve step");
	if (!touch || now - seen < touch_interval(lim))
		return CRM_OK;
	if (db_prepare(cx->db, "UPDATE sessions SET last_seen_at = ? WHERE id = ?",
	    &st) != DB_OK) {
		log_warn("sessions: cannot note a session's last use: %s",
		    db_errmsg(cx->db));
		return CRM_OK;
	}
	db_bind_int(st, 1, now);
	db_bind_int(st, 2, *session_id);
	if (db_step(st) != DB_DONE)
		log_warn("sessions: cannot note a session's last use: %s",
		    db_errmsg(cx->db));
	db_done(st);
	return CRM_OK;
}

int
session_resolve(struct core_ctx *cx, const char *secret,
    const struct session_limits *lim, struct actor *out, int64_t *session_id)
{
	return resolve(cx, secret, lim, out, session_id, true);
}

int
session_check(struct core_ctx *cx, const char *secret,
    const struct session_limits *lim, struct actor *out, int64_t *session_id)
{
	return resolve(cx, secret, lim, out, session_id, false);
}

int
session_list(struct core_ctx *cx, int64_t user_id, int64_t current_id,
    const struct session_limits *lim, json_t **out)
{
	char created[TIME_RFC3339_LEN], seen[TIME_RFC3339_LEN];
	int64_t now = time_now_ms();
	db_stmt_t *st;
	json_t *arr;
	int rc;

	if (db_prepare(cx->db, "SELECT id, created_at, COALESCE(last_seen_at, "
	    "created_at), COALESCE(address, ''), COALESCE(agent, '') FROM "
	    "sessions WHERE user_id = ? AND expires_at > ? AND created_at > ? "
	    "AND COALESCE(last_seen_at, created_at) > ? ORDER BY id DESC LIMIT 200",
	    &st) != DB_OK)
		return db_fail(cx, "list");
	db_bind_int(st, 1, user_id);
	db_bind_int(st, 2, now);
	db_bind_int(st, 3, now - lim->max_ms);
	db_bind_int(st, 4, now - lim->idle_ms);
	arr = json_array();
	while ((rc = db_step(st)) == DB_ROW) {
		int64_t id = db_col_int(st, 0);
		json_t *s;

		time_format(db_col_int(st, 1), created, sizeof(created));
		time_format(db_col_int(st, 2), seen, sizeof(seen));
		s = json_pack("{s:I, s:s, s:s, s:s, s:s, s:b}", "id", (json_int_t)id,
		    "created_at", created, "last_seen_at", seen, "address",
		    db_col_text(st, 3, NULL), "agent", db_col_text(st, 4, NULL),
		    "current", id == current_id);
		if (s == NULL)	/* an agent that is not UTF-8 */
			s = json_pack("{s:I, s:s, s:s, s:s, s:s, s:b}", "id",
			    (json_int_t)id, "created_at", created, "last_seen_at", seen,
			    "address", "", "agent", "", "current", id == current_id);
		json_array_append_new(arr, s);
	}
	db_done(st);
	if (rc != DB_DONE) {
		json_decref(arr);
		return db_fail(cx, "list step");
	}
	*out = json_pack("{s:o}", "data", arr);
	return CRM_OK;
}

int
session_end(struct core_ctx *cx, int64_t user_id, int64_t id)
{
	db_stmt_t *st;
	int rc;

	if (db_prepare(cx->db, "DELETE FROM sessions WHERE id = ? AND user_id = ?",
	    &st) != DB_OK)
		return db_fail(cx, "end");
	db_bind_int(st, 1, id);
	db_bind_int(st, 2, user_id);
	rc = db_step(st);
	db_done(st);
	if (rc != DB_DONE)
		return db_fail(cx, "end step");
	if (db_changes(cx->db) != 1)
		return core_fail(cx, CRM_ENOTFOUND, "You have no session with id "
		    "%lld; list yours at /api/v1/auth/sessions", (long long)id);
	return audit_append(cx, "auth.session_ended", NULL, id, NULL);
}

int
session_end_others(struct core_ctx *cx, int64_t user_id, int64_t keep_id,
    int64_t *n)
{
	db_stmt_t *st;
	int rc;

	if (db_prepare(cx->db, "DELETE FROM sessions WHERE user_id = ? AND id <> ?",
	    &st) != DB_OK)
		return db_fail(cx, "end others");
	db_bind_int(st, 1, user_id);
	db_bind_int(st, 2, keep_id);
	rc = db_step(st);
	db_done(st);
	if (rc != DB_DONE)
		return db_fail(cx, "end others step");
	*n = db_changes(cx->db);
	return CRM_OK;
}

int
session_change_password(struct core_ctx *cx, const char *current,
    const char *new_password, int64_t keep_session_id)
{
	char hash[crypto_pwhash_STRBYTES];
	db_stmt_t *st;
	int64_t n;
	int rc;

	if (db_prepare(cx->db, "SELECT password_hash FROM users WHERE id = ? AND "
	    "active = 1", &st) != DB_OK)
		return db_fail(cx, "password");
	db_bind_int(st, 1, cx->actor.user_id);
	rc = db_step(st);
	if (rc == DB_ROW)
		snprintf(hash, sizeof(hash), "%s", db_col_text(st, 0, NULL));
	db_done(st);
	if (rc == DB_DONE)
		return core_fail(cx, CRM_EUNAUTH, "Sign in again");
	if (rc != DB_ROW)
		return db_fail(cx, "password step");
	if (crypto_pwhash_str_verify(hash, current, strlen(current)) != 0) {
		verrs_add(&cx->errs, "current_password", "is not your current "
		    "password");
		return core_fail(cx, CRM_EINVAL, "The current password is wrong; "
		    "nothing was changed");
	}
	rc = user_set_password(cx, cx->actor.email, new_password);
	if (rc == CRM_OK)
		rc = session_end_others(cx, cx->actor.user_id, keep_session_id, &n);
	return rc;
}
