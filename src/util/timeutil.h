/*
 * Time as the program stores it: int64 milliseconds since the Unix epoch,
 * UTC. Rendered as RFC 3339 with milliseconds ("2026-11-26T17:20:00.000Z").
 */
#ifndef UTIL_TIMEUTIL_H
#define UTIL_TIMEUTIL_H

#include <stddef.h>
#include <stdint.h>

#define TIME_RFC3339_LEN 32	/* buffer size enough for time_format() */

int64_t time_now_ms(void);
/* Monotonic clock in microseconds, for durations. */
int64_t time_mono_us(void);
/* Writes ms as RFC 3339 UTC into out (at least TIME_RFC3339_LEN bytes). */
void time_format(int64_t ms, char *out, size_t outlen);
/*
 * Parses "YYYY-MM-DD" strictly (a real calendar date, years 1..9999).
 * Returns 0 and the date's days since the epoch in *days, or -1.
 */
int time_parse_date(const char *s, size_t len, int64_t *days);
/*
 * Parses RFC 3339 date-time strictly: "YYYY-MM-DDTHH:MM:SS[.fff](Z|+HH:MM)".
 * Returns 0 and UTC epoch milliseconds in *ms, or -1.
 */
int time_parse_datetime(const char *s, size_t len, int64_t *ms);

/* Days since 1970-01-01 of a proleptic Gregorian date, and back. */
int64_t time_days_from_civil(int64_t y, int m, int d);
void time_civil_from_days(int64_t days, int *y, int *m, int *d);
int time_days_in_month(int y, int m);

#endif
