/*
 * The dates of recurring tasks. Occurrence k is computed from the series'
 * first due time, never from the previous occurrence, so a monthly task
 * due on the 31st comes back on the 31st after a short month instead of
 * drifting to the 28th for good, and moving one occurrence does not move
 * the rest. All arithmetic is on UTC days: a series keeps its UTC time of
 * day (across a daylight saving change its local time moves by an hour).
 */
#include "core/activities.h"

#include <stdio.h>
#include <string.h>

#include "util/timeutil.h"

#define DAY_MS 86400000LL
#define YEAR_MAX 9999

static const char *const freq_names[] = { "daily", "weekly", "monthly",
	"yearly", NULL };

static int
bad(char *why, size_t whylen, const char *msg)
{
	snprintf(why, whylen, "%s", msg);
	return -1;
}

int
recur_parse(const json_t *v, struct recur_rule *r, char *why, size_t whylen)
{
	const char *key, *freq;
	json_t *x;
	int i;

	memset(r, 0, sizeof(*r));
	r->interval = 1;
	if (!json_is_object(v))
		return bad(why, whylen, "must be an object {freq, interval, until, "
		    "count}");
	json_object_foreach((json_t *)v, key, x)
		if (strcmp(key, "freq") != 0 && strcmp(key, "interval") != 0 &&
		    strcmp(key, "until") != 0 && strcmp(key, "count") != 0)
			return bad(why, whylen, "has an unknown key (only freq, "
			    "interval, until, count)");
	freq = json_string_value(json_object_get(v, "freq"));
	for (i = 0; freq != NULL && freq_names[i] != NULL &&
	    strcmp(freq_names[i], freq) != 0; i++)
		;
	if (freq == NULL || freq_names[i] == NULL)
		return bad(why, whylen, "freq must be daily, weekly, monthly or "
		    "yearly");
	r->freq = (enum recur_freq)i;
	x = json_object_get(v, "interval");
	if (x != NULL) {
		if (!json_is_integer(x) || json_integer_value(x) < 1 ||
		    json_integer_value(x) > RECUR_INTERVAL_MAX)
			return bad(why, whylen, "interval must be a whole number "
			    "from 1 to 365");
		r->interval = (int)json_integer_value(x);
	}
	x = json_object_get(v, "until");
	if (x != NULL && (!json_is_string(x) || time_parse_datetime(
	    json_string_value(x), json_string_length(x), &r->until) != 0))
		return bad(why, whylen, "until must be an RFC 3339 date-time");
	x = json_object_get(v, "count");
	if (x != NULL) {
		if (!json_is_integer(x) || json_integer_value(x) < 1 ||
		    json_integer_value(x) > RECUR_COUNT_MAX)
			return bad(why, whylen, "count must be a whole number from 1 "
			    "to 1000");
		r->count = (int)json_integer_value(x);
	}
	return 0;
}

/* Floor division, so times before 1970 land on the right day. */
static int64_t
floor_div(int64_t a, int64_t b)
{
	return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

int64_t
recur_at(const struct recur_rule *r, int64_t first_ms, int k)
{
	int64_t days = floor_div(first_ms, DAY_MS), tod = first_ms - days * DAY_MS;
	int64_t steps = (int64_t)k * r->interval, months, y;
	int fy, fm, fd, m, d;

	if (k < 0)
		return -1;
	switch (r->freq) {
	case RECUR_DAILY:
		days += steps;
		break;
	case RECUR_WEEKLY:
		days += steps * 7;
		break;
	case RECUR_MONTHLY:
	case RECUR_YEARLY:
		time_civil_from_days(days, &fy, &fm, &fd);
		months = (int64_t)fy * 12 + (fm - 1) + (r->freq == RECUR_YEARLY ?
		    steps * 12 : steps);
		y = floor_div(months, 12);
		m = (int)(months - y * 12) + 1;
		if (y > YEAR_MAX)
			return -1;
		/* The first's day where the month has it, else its last day. */
		d = fd <= time_days_in_month((int)y, m) ? fd :
		    time_days_in_month((int)y, m);
		days = time_days_from_civil(y, m, d);
		break;
	}
	time_civil_from_days(days, &fy, &fm, &fd);
	if (fy > YEAR_MAX)
		return -1;
	return days * DAY_MS + tod;
}

bool
recur_next(const struct recur_rule *r, int64_t first_ms, int done,
    int64_t *next_ms)
{
	int64_t at;

	if (done < 1 || (r->count > 0 && done >= r->count))
		return false;
	at = recur_at(r, first_ms, done);
	if (at < 0 || (r->until != 0 && at > r->until))
		return false;
	*next_ms = at;
	return true;
}
