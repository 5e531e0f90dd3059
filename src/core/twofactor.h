/*
 * Two-factor authentication: TOTP, recovery codes and WebAuthn security
 * keys as second factors, and the second-factor state of sessions.
 *
 * A session starts at the password (core/auth.c). twofa_after_password()
 * then decides what the new session may do:
 *   TWOFA_FULL     the user has no second factor and needs none;
 *   TWOFA_PENDING  the user has a factor: the session lives 5 minutes and
 *                  may only call the second-step routes until
 *                  twofa_verify() upgrades it (5 wrong proofs end it);
 *   TWOFA_ENROL    the user must have 2FA (twofa_required_for) but has no
 *                  factor: the session may only enrol one; confirming it
 *                  makes the session complete.
 * The faces enforce the state on every request (twofa_session_state).
 * API tokens are not affected: a token is already a second secret.
 *
 * Sessions are named by their secret (the cookie value) as in core/auth.c.
 * Everything here acts for cx->actor, which must be a signed-in user
 * (user_id > 0), except twofa_reset() (the CLI, as the system).
 *
 * The TOTP secret is stored in the database in base32, as the
 * authenticator app holds it: the database must be protected like the
 * password hashes (see docs/administration.md). Recovery codes are stored
 * as BLAKE2b hashes only and compared in constant time.
 *
 * JSON handed out is a new reference; the caller json_decref()s it.
 */
#ifndef CORE_TWOFACTOR_H
#define CORE_TWOFACTOR_H

#include <jansson.h>

#include "core/core.h"

#define TWOFA_PENDING_TTL_MS	(5LL * 60 * 1000)
#define TWOFA_MAX_ATTEMPTS	5
#define TWOFA_RECOVERY_CODES	10
#define TWOFA_TOTP_KEY_BYTES	20
#define TWOFA_ORIGIN_MAX	256
/* How cx->detail starts when a wrong proof ended the pending session. */
#define TWOFA_ENDED_DETAIL	"Too many wrong codes"

enum twofa_state {
	TWOFA_FULL = 0,
	TWOFA_PENDING = 1,
	TWOFA_ENROL = 2,
};

/*
 * The relying party for WebAuthn, from the server's configuration: the
 * origin the browser must report ("https://crm.example.com") and the rp id
 * (its host). Plain values: the core never sees the HTTP request.
 */
struct twofa_rp {
	char	origin[TWOFA_ORIGIN_MAX];
	char	id[TWOFA_ORIGIN_MAX];
	char	name[64];
};

/*
 * Fills rp from an origin URL "scheme://host[:port]" (no path). Returns 0,
 * or -1 with a reason in err when origin is not such a URL.
 */
int twofa_rp_from_origin(const char *origin, struct twofa_rp *rp, char *err,
    size_t errlen);

/*
 * One proof of a second factor, as the user sent it; exactly one of code
 * (6 digits from the authenticator app), recovery (a recovery code) or
 * assertion (a WebAuthn assertion object, borrowed) is set.
 */
struct twofa_proof {
	const char		*code;
	const char		*recovery;
	json_t			*assertion;
	const struct twofa_rp	*rp;
};

/*
 * Called right after a password sign-in created the session `secret` for
 * user_id: records what the session may do in *state and, for
 * TWOFA_PENDING, shortens its life to TWOFA_PENDING_TTL_MS. *methods (new
 * reference) lists the user's factors: "totp", "webauthn", "recovery".
 */
int twofa_after_password(struct core_ctx *cx, const char *secret,
    int64_t user_id, int *state, json_t **methods);

/* The state of an authenticated session (TWOFA_FULL when none recorded). */
int twofa_session_state(struct core_ctx *cx, const char *secret, int *state);

/*
 * Whether user_id must have a second factor: set for the user
 * (users.require_2fa, crm user require-2fa) or for their role
 * (roles.require_2fa, the Roles screen).
 */
int twofa_required_for(struct core_ctx *cx, int64_t user_id, bool *out);
/* Sets users.require_2fa (admin tooling, tests). */
int twofa_set_required(struct core_ctx *cx, const char *email, bool on);

/*
 * The second step of a pending session: checks the proof; on success the
 * session becomes complete (14 days as any session). A wrong proof counts
 * against TWOFA_MAX_ATTEMPTS; the last one ends the session (cx->detail
 * then starts with TWOFA_ENDED_DETAIL). CRM_EUNAUTH with a detail saying
 * what to do when the proof is refused; CRM_EBADQUERY (400) for a
 * malformed or mismatching WebAuthn assertion; CRM_EEXISTS (409) when the
 * session is not waiting for a second step.
 */
int twofa_verify(struct core_ctx *cx, const char *secret,
    const struct twofa_proof *p);

/*
 * Step-up: a complete session proves a factor again; its time is recorded.
 * twofa_recent_stepup() tells whether the session `secret` did so within
 * max_age_ms. For callers without a session (API tokens) *ok is false: the
 * caller decides whether tokens may do the sensitive thing at all. The
 * lead calls this before bulk exports and mass owner changes.
 */
int twofa_stepup(struct core_ctx *cx, const char *secret,
    const struct twofa_proof *p);
int twofa_recent_stepup(struct core_ctx *cx, const char *secret,
    int64_t max_age_ms, bool *ok);

/*
 * The actor's factors: {"totp": bool, "totp_pending": bool,
 * "recovery_codes_left": n, "webauthn": [{id, name, created_at,
 * last_used_at}], "required": bool}.
 */
int twofa_status(struct core_ctx *cx, json_t **out);

/*
 * Starts (or restarts) TOTP enrolment for the actor: a new random secret,
 * pending until confirmed. *out = {"secret": base32, "uri": otpauth://...,
 * "qr_svg": "<svg ...>"}. CRM_EEXISTS (409) when TOTP is already on.
 */
int twofa_totp_begin(struct core_ctx *cx, json_t **out);
/*
 * Confirms enrolment with a current code: TOTP is on, and *out =
 * {"recovery_codes": [10 codes]} shown this once. session (may be NULL)
 * is the caller's session, made complete if it was TWOFA_ENROL.
 */
int twofa_totp_confirm(struct core_ctx *cx, const char *session,
    const char *code, json_t **out);
/* Turns TOTP off; needs the password or a current code (one non-NULL). */
int twofa_totp_disable(struct core_ctx *cx, const char *password,
    const char *code);
/* New recovery codes (the old ones stop working); needs a current code. */
int twofa_recovery_regenerate(struct core_ctx *cx, const char *code,
    json_t **out);

/*
 * Removes every second factor of the user with this email and ends their
 * sessions (crm user reset-2fa, for a user who lost them all).
 */
int twofa_reset(struct core_ctx *cx, const char *email);

/* For core/webauthn.c: after a factor was added, an enrol-only session
 * (session may be NULL) becomes complete; after one was removed, recovery
 * codes go when no factor is left. */
int twofa_enrolment_done(struct core_ctx *cx, const char *session);
int twofa_factor_removed(struct core_ctx *cx);
/* New recovery codes into *codes when the actor has none left, else NULL. */
int twofa_recovery_if_none(struct core_ctx *cx, json_t **codes);

/* WebAuthn, implemented in core/webauthn.c on the same tables. */

/* Registration options for the actor (a JSON PublicKeyCredentialCreationOptions). */
int twofa_webauthn_register_options(struct core_ctx *cx,
    const struct twofa_rp *rp, json_t **out);
/*
 * Checks a registration response {id, rawId?, type, response:
 * {clientDataJSON, attestationObject}} and stores the key under name.
 * *out = the stored credential. CRM_EBADQUERY (400) for anything malformed
 * or not matching; nothing is stored then. session as twofa_totp_confirm.
 */
int twofa_webauthn_register_finish(struct core_ctx *cx,
    const struct twofa_rp *rp, const char *session, json_t *credential,
    const char *name, json_t **out);
/* Assertion options for the actor's keys (purpose "login" or "stepup"). */
int twofa_webauthn_assert_options(struct core_ctx *cx,
    const struct twofa_rp *rp, json_t **out);
/* The actor's keys: rename (name) or delete. CRM_ENOTFOUND if not theirs. */
int twofa_webauthn_rename(struct core_ctx *cx, int64_t id, const char *name,
    json_t **out);
int twofa_webauthn_delete(struct core_ctx *cx, int64_t id);

#endif
