/*
 * Cron expressions (see cron.h). Parsing fills a bit set per field; the
 * next occurrence walks local days forward from the one holding the given
 * instant and, on a matching day, the matching hours and minutes in
 * order, turning each wall time into an instant with the zone's offsets
 * around it, and takes the earliest instant of that day and the next (a
 * wall time in a gap lands past it, after later ones). Walking wall times (not UTC minutes) keeps the search at most
 * CRON_SEARCH_DAYS days of a few tests each, and makes the daylight saving
 * rules of cron.h fall out of one conversion.
 */
#include "core/cron.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "util/timeutil.h"
#include "util/tz.h"

#define DAY_S 86400LL

struct range {
	const char	*name;
	int		 lo;
	int		 hi;
};

static const struct range fields[5] = {
	{ "minute", 0, 59 }, { "hour", 0, 23 }, { "day of month", 1, 31 },
	{ "month", 1, 12 }, { "day of week", 0, 7 },
};

/* Reads a decimal number of at most 2 digits at *p; -1 when there is none. */
static int
number(const char **p)
{
	int v = 0, n = 0;

	while (**p >= '0' && **p <= '9' && n < 3) {
		v = v * 10 + (**p - '0');
		(*p)++;
		n++;
	}
	return n == 0 || n > 2 ? -1 : v;
}

/* One field of length len at s into *bits. 0, or -1 with err set. */
static int
parse_field(const char *s, size_t len, const struct range *r, uint64_t *bits,
    bool *any, char *err, size_t errlen)
{
	const char *p = s, *end = s + len;

	*bits = 0;
	*any = len == 1 && s[0] == '*';
	while (p < end) {
		int lo, hi, step = 1;

		if (*p == '*') {
			lo = r->lo;
			hi = r->hi;
			p++;
		} else {
			lo = number(&p);
			hi = lo;
			if (lo >= 0 && p < end && *p == '-') {
				p++;
				hi = number(&p);
			}
			if (lo < 0 || hi < 0) {
				snprintf(err, errlen, "the %s field: expected a number, a "
				    "range a-b or *", r->name);
				return -1;
			}
			if (lo < r->lo || hi > r->hi || lo > hi) {
				if (lo == hi)
					snprintf(err, errlen, "the %s field: %d is out of "
					    "range %d-%d", r->name, lo, r->lo, r->hi);
				else
					snprintf(err, errlen, "the %s field: %d-%d is not a "
					    "range within %d-%d", r->name, lo, hi, r->lo,
					    r->hi);
				return -1;
			}
		}
		if (p < end && *p == '/') {
			p++;
			step = number(&p);
			if (step < 1) {
				snprintf(err, errlen, "the %s field: a step is a number "
				    "from 1", r->name);
				return -1;
			}
			*any = false;
		}
		for (int v = lo; v <= hi; v += step)
			*bits |= 1ULL << v;
		if (p < end && *p != ',') {
			snprintf(err, errlen, "the %s field: unexpected '%c'",
			    r->name, *p);
			return -1;
		}
		if (p < end)
			p++;
		if (p == end && end[-1] == ',') {
			snprintf(err, errlen, "the %s field ends with a comma",
			    r->name);
			return -1;
		}
	}
	return 0;
}

int
cron_parse(const char *expr, struct cron *out, char *err, size_t errlen)
{
	const char *p = expr;
	uint64_t bits[5];
	bool any[5];
	int n = 0;

	memset(out, 0, sizeof(*out));
	if (strlen(expr) > CRON_EXPR_MAX) {
		snprintf(err, errlen, "is longer than %d characters", CRON_EXPR_MAX);
		return -1;
	}
	for (;;) {
		size_t len;

		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '\0')
			break;
		len = strcspn(p, " \t");
		if (n == 5) {
			snprintf(err, errlen, "has more than five fields (minute "
			    "hour day-of-month month day-of-week)");
			return -1;
		}
		if (parse_field(p, len, &fields[n], &bits[n], &any[n], err,
		    errlen) != 0)
			return -1;
		p += len;
		n++;
	}
	if (n != 5) {
		snprintf(err, errlen, "needs five fields (minute hour day-of-month "
		    "month day-of-week), not %d", n);
		return -1;
	}
	out->minutes = bits[0];
	out->hours = (uint32_t)bits[1];
	out->mdays = (uint32_t)bits[2];
	out->months = (uint16_t)bits[3];
	/* 7 is Sunday too. */
	out->wdays = (uint8_t)((bits[4] & 0x7f) | (bits[4] >> 7 & 1));
	out->mday_any = any[2];
	out->wday_any = any[4];
	return 0;
}

static bool
day_matches(const struct cron *c, int64_t day)
{
	int y, m, d, wd;
	bool mday, wday;

	time_civil_from_days(day, &y, &m, &d);
	/* 1970-01-01 was a Thursday. */
	wd = (int)(((day % 7) + 7 + 4) % 7);
	if (!(c->months >> m & 1))
		return false;
	mday = c->mdays >> d & 1;
	wday = c->wdays >> wd & 1;
	if (c->mday_any || c->wday_any)
		return mday && wday;
	return mday || wday;
}

/*
 * The instant of wall time `wall` (local seconds since the epoch): the
 * zone's offset a day before and a day after bracket any one change (no
 * zone changes twice within two days), so each is tried; of two that
 * both hold, the earlier; when neither holds (a gap), the wall time read
 * with the offset from before the change, which lands after the gap.
 */
static int64_t
wall_to_utc_s(const struct tz *z, int64_t wall)
{
	int64_t ob = tz_offset_s(z, (wall - DAY_S) * 1000);
	int64_t oa = tz_offset_s(z, (wall + DAY_S) * 1000);
	int64_t ub = wall - ob, ua = wall - oa;
	bool hb = tz_offset_s(z, ub * 1000) == ob;
	bool ha = tz_offset_s(z, ua * 1000) == oa;

	if (hb && ha)
		return ub < ua ? ub : ua;
	if (hb)
		return ub;
	if (ha)
		return ua;
	return ub;
}

int
cron_next(const struct cron *c, const struct tz *z, int64_t after_ms,
    int64_t *next)
{
	int64_t first = tz_local_day(z, after_ms), last = first + CRON_SEARCH_DAYS;
	int64_t best = INT64_MAX;

	/* A day early: the instant may sit in a repeated hour of the day before. */
	for (int64_t day = first - 1; day <= last; day++) {
		if (!day_matches(c, day))
			continue;
		for (int h = 0; h < 24; h++) {
			if (!(c->hours >> h & 1))
				continue;
			for (int m = 0; m < 60; m++) {
				int64_t u;

				if (!(c->minutes >> m & 1))
					continue;
				u = wall_to_utc_s(z, day * DAY_S + h * 3600 + m * 60);
				if (u * 1000 > after_ms && u * 1000 < best)
					best = u * 1000;
			}
		}
		/*
		 * Wall order is not time order on a day clocks go forward: a
		 * time in the gap lands past it, after later times of the day
		 * (Troll's 02:00 at 04:00, past 03:00; Lord Howe's 02:15 at
		 * 02:45, past 02:40) and maybe the next day's first. So the
		 * earliest of this day and the next is taken.
		 */
		if (best != INT64_MAX && last > day + 1)
			last = day + 1;
	}
	if (best == INT64_MAX)
		return -1;
	*next = best;
	return 0;
}
