/*
 * The iCalendar feed: a secret address per user that calendar apps poll
 * for the user's open tasks with a deadline (VTODO) and meetings (VEVENT),
 * from 30 days back to 365 days ahead. The secret stands in for a sign-in,
 * so only a BLAKE2b hash of it is stored, the lookup compares hashes (how
 * long it takes says nothing about how close a guess was), and the feed
 * shows only what the user may read at the time it is fetched.
 *
 * The text is RFC 5545: CRLF line ends, lines folded at 75 octets (never
 * inside a UTF-8 character), TEXT values escaped.
 */
#ifndef CORE_CALFEED_H
#define CORE_CALFEED_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "core/core.h"

struct buf;

#define CALFEED_PAST_DAYS 30
#define CALFEED_AHEAD_DAYS 365
#define CALFEED_ITEMS_MAX 5000		/* entries in one feed */
#define CALFEED_BYTES_MAX (16 << 20)	/* the feed's text */

/*
 * Makes a new feed secret for the actor, revoking the one before (one
 * live address per user), audited. secret receives SECRET_LEN bytes.
 */
int calfeed_create(struct core_ctx *cx, char *secret);
/*
 * Whether the actor has a live feed: {"active": bool, "created_at": time
 * or null} (new reference in *out). The address itself is never shown
 * again: only its hash is kept.
 */
int calfeed_status(struct core_ctx *cx, json_t **out);
/* Revokes the actor's feed, audited; CRM_ENOTFOUND when there is none. */
int calfeed_revoke(struct core_ctx *cx);
/*
 * The feed of the user whose live secret this is, at now_ms, appended to
 * out. Sets cx->actor to that user (the rights applied are theirs).
 * CRM_ENOTFOUND for an unknown, revoked or malformed secret or an
 * inactive user.
 */
int calfeed_render(struct core_ctx *cx, const char *secret, int64_t now_ms,
    struct buf *out);

/* ---- RFC 5545 text (ical.c) ---- */

/*
 * Appends the content line "name:value" (value already in its final
 * form) folded at 75 octets, with CRLF. -1 when out is full.
 */
int ical_line(struct buf *out, const char *name, const char *value);
/* The same with value escaped as TEXT (\\ \; \, \n; CR dropped). */
int ical_text(struct buf *out, const char *name, const char *value);
/* "name:YYYYMMDDTHHMMSSZ" for ms, UTC. */
int ical_time(struct buf *out, const char *name, int64_t ms);

#endif
