/*
 * Sign-in throttling, kept in the database so that every server sharing it
 * counts the same failures. A failure is a row of login_failures for the
 * account (the lower-case email as typed, known or not, so a lock says
 * nothing about which emails exist) and one for the client address.
 *
 * Sliding windows: THROTTLE_ACCOUNT_MAX failures for one account within
 * THROTTLE_WINDOW_MS lock it until the oldest of them leaves the window;
 * THROTTLE_ADDRESS_MAX from one address do the same for the address. While
 * locked nothing is checked or counted, so a lock ends on its own. Rows
 * older than the window are pruned whenever a failure is recorded, so the
 * table holds at most a window's worth of failures.
 */
#ifndef CORE_THROTTLE_H
#define CORE_THROTTLE_H

#include "core/core.h"

#define THROTTLE_WINDOW_MS (15LL * 60 * 1000)
#define THROTTLE_ACCOUNT_MAX 5
#define THROTTLE_ADDRESS_MAX 20

/*
 * The wait in ms before another attempt is allowed, given the failure times
 * `recent` (newest first, n of them, all within the window), the limit and
 * the window; 0 when not locked. Pure, for unit tests.
 */
int64_t throttle_wait_ms(const int64_t *recent, int n, int max,
    int64_t window_ms, int64_t now_ms);

/*
 * CRM_OK when account (an email, any case) and address (may be "") may try
 * to sign in now; CRM_ETHROTTLED with cx->detail and cx->retry_after_s
 * otherwise.
 */
int throttle_check(struct core_ctx *cx, const char *account,
    const char *address);
/* Records one failed sign-in for account and address; prunes old rows. */
int throttle_fail(struct core_ctx *cx, const char *account,
    const char *address);
/* Forgets the account's failures (a successful sign-in). */
int throttle_clear(struct core_ctx *cx, const char *account);
/*
 * Lifts an account's lockout: throttle_clear for an administrator (or the
 * system); CRM_EFORBIDDEN for anyone else.
 */
int throttle_unlock(struct core_ctx *cx, const char *account);

#endif
