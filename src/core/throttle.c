/*
 * Sign-in throttling (see throttle.h). Accounts are keyed by the email
 * lower-cased and cut to 255 bytes, exactly as sign-in compares them.
 */
#include "core/throttle.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "util/log.h"
#include "util/timeutil.h"

static int
db_fail(struct core_ctx *cx, const char *what)
{
	log_error("database: throttle: %s: %s", what, db_errmsg(cx->db));
	return core_fail(cx, CRM_EDB, "The database failed");
}

static void
account_key(const char *in, char out[256])
{
	size_t i;

	for (i = 0; in[i] != '\0' && i < 255; i++)
		out[i] = (char)tolower((unsigned char)in[i]);
	out[i] = '\0';
}

int64_t
throttle_wait_ms(const int64_t *recent, int n, int max, int64_t window_ms,
    int64_t now_ms)
{
	int64_t until;

	if (max <= 0 || n < max)
		return 0;
	/* The max-th newest failure must leave the window first. */
	until = recent[max - 1] + window_ms;
	return until > now_ms ? until - now_ms : 0;
}

/* The wait for one subject: reads its newest `max` failures in the window. */
static int
subject_wait(struct core_ctx *cx, const char *kind, const char *subject,
    int max, int64_t now, int64_t *wait)
{
	int64_t recent[THROTTLE_ADDRESS_MAX];
	db_stmt_t *st;
	int rc, n = 0;

	if (max > THROTTLE_ADDRESS_MAX)
		max = THROTTLE_ADDRESS_MAX;
	if (db_prepare(cx->db, "SELECT at FROM login_failures WHERE kind = ? AND "
	    "subject = ? AND at > ? ORDER BY at DESC LIMIT ?", &st) != DB_OK)
		return db_fail(cx, "check");
	db_bind_text(st, 1, kind, strlen(kind));
	db_bind_text(st, 2, subject, strlen(subject));
	db_bind_int(st, 3, now - THROTTLE_WINDOW_MS);
	db_bind_int(st, 4, max);
	while ((rc = db_step(st)) == DB_ROW && n < max)
		recent[n++] = db_col_int(st, 0);
	db_done(st);
	if (rc != DB_DONE && rc != DB_ROW)
		return db_fail(cx, "check step");
	*wait = throttle_wait_ms(recent, n, max, THROTTLE_WINDOW_MS, now);
	return CRM_OK;
}

static int64_t
minutes_up(int64_t ms)
{
	return (ms + 59999) / 60000;
}

int
throttle_check(struct core_ctx *cx, const char *account, const char *address)
{
	char key[256];
	int64_t now = time_now_ms(), wait = 0;
	int rc;

	account_key(account, key);
	if (address[0] != '\0') {
		rc = subject_wait(cx, "address", address, THROTTLE_ADDRESS_MAX, now,
		    &wait);
		if (rc != CRM_OK)
			return rc;
		if (wait > 0) {
			cx->retry_after_s = (wait + 999) / 1000;
			return core_fail(cx, CRM_ETHROTTLED, "Too many failed sign-ins "
			    "from your network address. Try again in %lld minute%s.",
			    (long long)minutes_up(wait), minutes_up(wait) == 1 ? "" : "s");
		}
	}
	rc = subject_wait(cx, "account", key, THROTTLE_ACCOUNT_MAX, now, &wait);
	if (rc != CRM_OK)
		return rc;
	if (wait > 0) {
		cx->retry_after_s = (wait + 999) / 1000;
		return core_fail(cx, CRM_ETHROTTLED, "Too many failed sign-ins for "
		    "this account. Try again in %lld minute%s, or ask an "
		    "administrator to unlock it.", (long long)minutes_up(wait),
		    minutes_up(wait) == 1 ? "" : "s");
	}
	return CRM_OK;
}

static int
insert(struct core_ctx *cx, const char *kind, const char *subject, int64_t now)
{
	db_stmt_t *st;
	int rc;

	if (db_prepare(cx->db, "INSERT INTO login_failures (kind, subject, at) "
	    "VALUES (?, ?, ?)", &st) != DB_OK)
		return db_fail(cx, "record");
	db_bind_text(st, 1, kind, strlen(kind));
	db_bind_text(st, 2, subject, strlen(subject));
	db_bind_int(st, 3, now);
	rc = db_step(st);
	db_done(st);
	return rc == DB_DONE ? CRM_OK : db_fail(cx, "record step");
}

int
throttle_fail(struct core_ctx *cx, const char *account, const char *address)
{
	char key[256];
	int64_t now = time_now_ms();
	db_stmt_t *st;
	int rc;

	account_key(account, key);
	if (db_prepare(cx->db, "DELETE FROM login_failures WHERE at <= ?",
	    &st) != DB_OK)
		return db_fail(cx, "prune");
	db_bind_int(st, 1, now - THROTTLE_WINDOW_MS);
	rc = db_step(st);
	db_done(st);
	if (rc != DB_DONE)
		return db_fail(cx, "prune step");
	rc = insert(cx, "account", key, now);
	if (rc == CRM_OK && address[0] != '\0')
		rc = insert(cx, "address", address, now);
	return rc;
}

int
throttle_unlock(struct core_ctx *cx, const char *account)
{
	int rc = core_admin_only(cx, "unlock an account");

	return rc == CRM_OK ? throttle_clear(cx, account) : rc;
}

int
throttle_clear(struct core_ctx *cx, const char *account)
{
	char key[256];
	db_stmt_t *st;
	int rc;

	account_key(account, key);
	if (db_prepare(cx->db, "DELETE FROM login_failures WHERE kind = 'account' "
	    "AND subject = ?", &st) != DB_OK)
		return db_fail(cx, "clear");
	db_bind_text(st, 1, key, strlen(key));
	rc = db_step(st);
	db_done(st);
	return rc == DB_DONE ? CRM_OK : db_fail(cx, "clear step");
}
