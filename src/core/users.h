/*
 * Users and their credentials: accounts, passwords (argon2id), sessions
 * and API tokens. Secrets are never stored: sessions and tokens keep only
 * a BLAKE2b hash, passwords only libsodium's argon2id string.
 *
 * sodium_init() must have been called (the program's main does it).
 */
#ifndef CORE_USERS_H
#define CORE_USERS_H

#include <jansson.h>

#include "core/core.h"

#define USER_PASSWORD_MIN 10
#define USER_PASSWORD_MAX 1024
#define SECRET_LEN 64		/* room for a token or session secret + NUL */
#define SESSION_TTL_MS (14LL * 24 * 3600 * 1000)

/* Adds a user. CRM_EEXISTS if the email is taken, CRM_EINVAL on bad input. */
int user_add(struct core_ctx *cx, const char *email, const char *name,
    const char *password, bool is_admin, int64_t *id);
/* Finds an active or disabled user by email (case-insensitive). */
int user_find(struct core_ctx *cx, const char *email, struct actor *out,
    bool *active);
int user_set_password(struct core_ctx *cx, const char *email,
    const char *password);
int user_set_active(struct core_ctx *cx, const char *email, bool active);
/* *out = {"data": [{id, email, name, is_admin, active}]} */
int user_list(struct core_ctx *cx, json_t **out);
/* Number of users in the database (to know whether init is needed). */
int user_count(struct core_ctx *cx, int64_t *n);
/*
 * Loads user_id as an actor when active (work done later on a user's
 * behalf: notifications, imports). CRM_ENOTFOUND otherwise.
 */
int user_load_actor(struct core_ctx *cx, int64_t user_id, struct actor *a);
/* The public view of the actor (auth/me). New reference. */
json_t *user_actor_json(const struct actor *a);

/*
 * Signs in: checks the password in constant time whatever the email, and
 * starts a session whose secret is written to secret (SECRET_LEN).
 * CRM_EUNAUTH when the email is unknown, disabled or the password wrong.
 */
int auth_login(struct core_ctx *cx, const char *email, const char *password,
    const char *address, const char *agent, char *secret, struct actor *out);
int auth_logout(struct core_ctx *cx, const char *secret);
/*
 * Resolves a session secret or an API token to its active user, without
 * the timeouts, expiry and read-only flag: the API uses session_resolve()
 * (core/sessions.h) and apitoken_resolve() (core/tokens.h) instead.
 */
int auth_session(struct core_ctx *cx, const char *secret, struct actor *out);
int auth_token(struct core_ctx *cx, const char *token, struct actor *out);
/* Creates an API token for the user with this email; prints nothing. */
int token_create(struct core_ctx *cx, const char *email, const char *name,
    char *token, int64_t *id);
int token_revoke(struct core_ctx *cx, int64_t id);
/* *out = {"data": [{id, user, name, created_at, revoked_at}]} */
int token_list(struct core_ctx *cx, json_t **out);

#endif
