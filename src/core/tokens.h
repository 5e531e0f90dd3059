/*
 * API tokens with an owner, an optional expiry and an optional read-only
 * flag. Like sessions, only a BLAKE2b hash of a token is stored; the
 * secret is handed out once, when it is made. A token works while it is
 * not revoked, not expired and its user is active.
 */
#ifndef CORE_TOKENS_H
#define CORE_TOKENS_H

#include <jansson.h>

#include "core/core.h"
#include "core/users.h"

#define TOKEN_NAME_MAX 200
#define TOKEN_MAX_DAYS 3650

/*
 * Resolves a token to its user; *read_only tells whether it may only read.
 * CRM_EUNAUTH when unknown, revoked, expired or the user is disabled.
 */
int apitoken_resolve(struct core_ctx *cx, const char *token,
    struct actor *out, bool *read_only);
/*
 * Makes a token for user_id named name (1..TOKEN_NAME_MAX bytes of text),
 * read-only or not, expiring at expires_at (ms; 0: never; must be in the
 * future). The secret goes to token (SECRET_LEN), the row id to *id.
 */
int apitoken_create(struct core_ctx *cx, int64_t user_id, const char *name,
    bool read_only, int64_t expires_at, char *token, int64_t *id);
/*
 * *out = {"data": [{id, user, name, created_at, expires_at, read_only,
 * revoked_at, expired}]}: user_id's tokens, or everyone's when user_id is 0.
 */
int apitoken_list(struct core_ctx *cx, int64_t user_id, json_t **out);
/*
 * Revokes token id. owner_id > 0 limits it to that user's tokens
 * (CRM_ENOTFOUND for anyone else's); 0 allows any (administrators, CLI).
 */
int apitoken_revoke(struct core_ctx *cx, int64_t id, int64_t owner_id);
/* Parses "30d", "12h" or "90" (days) into ms; -1 when malformed or too long. */
int64_t apitoken_parse_ttl(const char *s);

#endif
