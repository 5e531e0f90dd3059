/*
 * Cron schedules: the five-field expressions of process triggers
 * ("0 9 * * 1-5": minute, hour, day of month, month, day of week), read
 * in a time zone of their own.
 *
 * Syntax per field: "*", a number, a range "a-b", a step "*\/n" or
 * "a-b/n", and comma-separated lists of those. Minutes 0-59, hours 0-23,
 * days 1-31, months 1-12, weekdays 0-7 (0 and 7 are Sunday). Names (JAN,
 * MON) and the @ shorthands are not accepted: one spelling is enough.
 * As in Vixie cron, when both the day of month and the day of week are
 * restricted (neither is "*"), a day matching either one fires.
 *
 * Local time is the zone's, through util/tz.h, and daylight saving time
 * is handled as people expect of a wall clock: a time that does not exist
 * on the day clocks go forward (02:30 in a gap) fires at the same wall
 * time shifted by the gap (03:30, once); a time that happens twice on the
 * day clocks go back fires once, at its first occurrence.
 */
#ifndef CORE_CRON_H
#define CORE_CRON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CRON_EXPR_MAX 120	/* bytes of an expression */
#define CRON_SEARCH_DAYS (366 * 5)	/* how far ahead cron_next looks */

struct tz;

/* A parsed expression: one bit per allowed value of each field. */
struct cron {
	uint64_t	minutes;	/* bits 0..59 */
	uint32_t	hours;		/* bits 0..23 */
	uint32_t	mdays;		/* bits 1..31 */
	uint16_t	months;		/* bits 1..12 */
	uint8_t		wdays;		/* bits 0..6, 0: Sunday */
	bool		mday_any;	/* the field was "*" */
	bool		wday_any;
};

/*
 * Parses expr (NUL-terminated) into *out. 0, or -1 with a sentence for the
 * user in err naming the field at fault ("the hour field: 24 is out of
 * range 0-23").
 */
int cron_parse(const char *expr, struct cron *out, char *err, size_t errlen);

/*
 * The first instant strictly after after_ms (UTC milliseconds, whole
 * minutes) at which c fires in zone z: 0 and *next, or -1 when it never
 * fires within CRON_SEARCH_DAYS ("0 0 31 2 *").
 */
int cron_next(const struct cron *c, const struct tz *z, int64_t after_ms,
    int64_t *next);

#endif
