/*
 * Browser sessions: signing in with throttling, resolving the session
 * cookie under an idle and an absolute timeout, one's own session list,
 * ending sessions, and the CSRF token bound to a session.
 *
 * A session ends when it was not used for limits.idle_ms, or when
 * limits.max_ms have passed since sign-in, whichever comes first (and never
 * later than SESSION_TTL_MS, the expiry written at sign-in). Its last use
 * is written at most once per SESSION_TOUCH_MS (or per half the idle
 * timeout, if that is shorter), so reads do not turn into writes.
 *
 * The CSRF token is a keyed BLAKE2b of the session secret: it needs no
 * storage, it differs from what the database keeps (an unkeyed hash), and
 * a script that can read it still cannot learn the HttpOnly cookie.
 */
#ifndef CORE_SESSIONS_H
#define CORE_SESSIONS_H

#include <jansson.h>

#include "core/core.h"
#include "core/users.h"

#define SESSION_IDLE_DEFAULT_MS (8LL * 3600 * 1000)
#define SESSION_MAX_DEFAULT_MS (7LL * 24 * 3600 * 1000)
#define SESSION_TOUCH_MS (60LL * 1000)
#define SESSION_CSRF_LEN 48	/* 43 characters of base64url + NUL */

struct session_limits {
	int64_t	idle_ms;
	int64_t	max_ms;		/* at most SESSION_TTL_MS */
};

/*
 * Signs in (auth_login) behind the throttle: CRM_ETHROTTLED with
 * cx->retry_after_s while the account or address is locked out, and a
 * failure is counted; a success clears the account's count and prunes
 * the user's ended sessions. While the system is locked only
 * administrators get in (CRM_EUNAVAIL for others, no session kept).
 * secret receives SECRET_LEN bytes.
 */
int session_login(struct core_ctx *cx, const char *email, const char *password,
    const char *address, const char *agent, char *secret, struct actor *out);
/*
 * Resolves a session secret under lim to its active user and the session's
 * id; CRM_EUNAUTH when unknown, ended, timed out or the user is disabled.
 * Writes the last use when it is older than the touch interval (a failed
 * write is logged, not fatal: reading must work on a read-only disk).
 */
int session_resolve(struct core_ctx *cx, const char *secret,
    const struct session_limits *lim, struct actor *out, int64_t *session_id);
/*
 * The same without writing the last use: for a long-lived stream that
 * checks its session now and then, which must not keep it alive.
 */
int session_check(struct core_ctx *cx, const char *secret,
    const struct session_limits *lim, struct actor *out, int64_t *session_id);
/* *out = {"data": [{id, created_at, last_seen_at, address, agent, current}]} */
int session_list(struct core_ctx *cx, int64_t user_id, int64_t current_id,
    const struct session_limits *lim, json_t **out);
/* Ends session id of user_id; CRM_ENOTFOUND when it is not theirs. */
int session_end(struct core_ctx *cx, int64_t user_id, int64_t id);
/* Ends every session of user_id but keep_id (0: all); *n says how many. */
int session_end_others(struct core_ctx *cx, int64_t user_id, int64_t keep_id,
    int64_t *n);
/*
 * Changes the actor's own password: current must verify, new must pass the
 * password policy; then every other session of the actor ends.
 */
int session_change_password(struct core_ctx *cx, const char *current,
    const char *new_password, int64_t keep_session_id);
/* The CSRF token of a session secret. */
void session_csrf(const char *secret, char out[SESSION_CSRF_LEN]);
/* Whether given is the CSRF token of secret (constant time). */
bool session_csrf_ok(const char *secret, const char *given);
/* The hex BLAKE2b-256 of a secret, as sessions and tokens store it. */
void session_secret_hash(const char *secret, char hex[65]);

#endif
