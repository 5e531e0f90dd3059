/*
 * Mass reading: the sign of a client base being carried away. When one
 * person reads more client records than a threshold within a window, an
 * "alert.mass_reads" entry goes into the audit log, where administrators
 * see it (the audit screen's "alert." family). Reads are counted in memory
 * by a struct watch the server owns (cx->watch), so reading never writes;
 * only crossing the threshold does, once per person and window. Several
 * servers count apart: each alerts on its own share of the reads.
 */
#ifndef CORE_WATCH_H
#define CORE_WATCH_H

#include "core/core.h"

struct entity;
struct watch;

/* A new watch; threshold 0 turns it off. The caller frees it with watch_free. */
struct watch *watch_new(int64_t threshold, int64_t window_ms);
void watch_free(struct watch *w);

/* Counts n records of e read by cx->actor; appends the alert when crossed. */
int watch_reads(struct core_ctx *cx, const struct entity *e, int64_t n);

#endif
