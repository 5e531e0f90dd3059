/*
 * The system state an administrator sets during an incident:
 *   normal     everything works;
 *   read_only  every write by anyone is refused, reads work;
 *   locked     only administrators may sign in or use the system.
 * It is one row in the database, so every server sharing it agrees. No row
 * means normal. The faces may cache it briefly (the API does, for a second).
 */
#ifndef CORE_SYSLOCK_H
#define CORE_SYSLOCK_H

#include <jansson.h>

#include "core/core.h"

#define SYSLOCK_MSG_MAX 500
#define SYSLOCK_STATE_LEN 16

struct sysstate {
	char	state[SYSLOCK_STATE_LEN];	/* "normal", "read_only", "locked" */
	char	message[SYSLOCK_MSG_MAX + 1];
	int64_t	updated_at;			/* ms; 0 if never set */
};

/* Reads the state into *out. */
int syslock_get(struct core_ctx *cx, struct sysstate *out);
/*
 * Sets the state (one of the three names; CRM_EINVAL otherwise, or for a
 * message over SYSLOCK_MSG_MAX bytes or not UTF-8). message may be "" and
 * is kept as given. cx->actor is recorded as who set it (0: the CLI).
 * Only an administrator or the system may: CRM_EFORBIDDEN otherwise.
 */
int syslock_set(struct core_ctx *cx, const char *state, const char *message);
/* The state as {state, message, updated_at}. New reference. */
json_t *syslock_json(const struct sysstate *s);

#endif
