/*
 * Time zones by IANA name ("Europe/Berlin"), read from the system's
 * compiled zone files (TZif, /usr/share/zoneinfo) without touching the
 * process's TZ: a loaded zone is a value of its own, so threads serving
 * users in different zones never share state.
 *
 * A zone answers the UTC offset at an instant: from its transitions, and
 * past the last one from the POSIX rule in the file's footer (slim zone
 * files keep only that rule for today's daylight saving time).
 */
#ifndef UTIL_TZ_H
#define UTIL_TZ_H

#include <stdbool.h>
#include <stdint.h>

#define TZ_NAME_MAX 64

struct tz;

/*
 * Loads zone name; NULL or "UTC" is UTC. Returns 0 and *out (free it with
 * tz_free), or -1 when the name is not a zone (bad characters, "..", no
 * such file, not a TZif file).
 */
int tz_load(const char *name, struct tz **out);
void tz_free(struct tz *z);
/* The zone's offset from UTC in seconds (east positive) at utc_ms. */
int64_t tz_offset_s(const struct tz *z, int64_t utc_ms);
/* The local day (days since 1970-01-01) of instant utc_ms. */
int64_t tz_local_day(const struct tz *z, int64_t utc_ms);
/*
 * The instant (UTC ms) of a local wall-clock time (ms since 1970-01-01
 * 00:00 local). A time skipped by a spring-forward transition maps as far
 * past the gap as it lies into it (02:30 in a 02:00-03:00 gap is 03:30);
 * a time that happens twice (fall-back) maps to its first occurrence.
 * Assumes the zone changes offset at most once within a day either side.
 */
int64_t tz_from_local(const struct tz *z, int64_t local_ms);
/* The instant (UTC ms) local day `day` begins. */
int64_t tz_day_start(const struct tz *z, int64_t day);

#endif
