/*
 * What the libFuzzer harnesses share: a database with the schema applied,
 * an admin actor to act as, and a few records and custom fields so that
 * lists page, searches find and custom values are checked.
 *
 * A harness keeps its database in a static for the life of the process;
 * that global state is confined to fuzz/ (the server itself has none). A
 * harness that writes resets what it wrote after each input (fz_reset), so
 * an input behaves the same whatever ran before it.
 */
#ifndef FUZZ_COMMON_H
#define FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "core/core.h"

/*
 * Opens address (":memory:" or a file path) with core_open_db, adds the
 * admin user fz@example.com and fills *actor with it. Aborts on failure:
 * a harness without its database would fuzz nothing.
 */
db_t *fz_open(const char *address, struct actor *actor);
/*
 * Adds sample companies and contacts (with tags, emails, phones, CJK names)
 * and one custom field of every type on both entities.
 */
void fz_seed(db_t *db, const struct actor *actor);
/*
 * The first column of sql's first row as an integer (0 for NULL or no
 * row). Aborts when sql does not prepare.
 */
int64_t fz_int(db_t *db, const char *sql);
/* Records the ids present now; fz_reset() removes everything newer. */
void fz_mark(db_t *db);
void fz_reset(db_t *db);
/*
 * Reports a broken property and aborts, so libFuzzer keeps the input. The
 * message goes to the standard error the process started with (a copy
 * made before main, in every harness): run.sh passes
 * -close_fd_mask=2 to silence the server's access log, which would
 * otherwise swallow it.
 */
void fz_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2),
    noreturn));
/*
 * The input as a JSON body, parsed as api/reply.c body_object() parses
 * one (duplicate keys refused): *out is the object (caller decrefs), or
 * NULL; the value a harness returns then: 0 for bytes that are not JSON,
 * -1 for JSON that is not an object (refused before the core sees it, so
 * not worth keeping in the corpus).
 */
int fz_body_object(const uint8_t *data, size_t size, json_t **out);
/* A NUL-terminated copy of data (caller frees). */
char *fz_strndup(const uint8_t *data, size_t size);

#endif
