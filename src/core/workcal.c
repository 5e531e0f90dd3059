/*
 * Working-time arithmetic on a loaded calendar (see workcal.h): no
 * database, no clock. Every question walks local days from the one its
 * start falls on; each day's intervals are turned into UTC instants with
 * tz_from_local, so a day's length is whatever the zone makes it. A walk
 * stops after WORKCAL_DAYS_MAX days, so no calendar and no question can
 * make it loop for long.
 */
#include "core/workcal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"
#include "util/timeutil.h"
#include "util/tz.h"

#define DAY_MS 86400000LL
#define MIN_MS 60000LL

/* ---- building ---- */

/* "HH:MM" at s (5 bytes) as minutes; 24:00 only when end. -1 if bad. */
static int
clock_minutes(const char *s, bool end)
{
	int h, m;

	if (s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9' ||
	    s[2] != ':' || s[3] < '0' || s[3] > '5' || s[4] < '0' || s[4] > '9')
		return -1;
	h = (s[0] - '0') * 10 + (s[1] - '0');
	m = (s[3] - '0') * 10 + (s[4] - '0');
	if (h > 24 || (h == 24 && (m != 0 || !end)))
		return -1;
	return h * 60 + m;
}

static int
span_cmp(const void *a, const void *b)
{
	const struct workcal_span *x = a, *y = b;

	return (x->from > y->from) - (x->from < y->from);
}

/*
 * One day's intervals from a JSON array of "HH:MM-HH:MM" into d, sorted;
 * problems go to errs under field. null or [] is a closed day.
 */
static void
parse_day(json_t *v, const char *field, struct verrs *errs,
    struct workcal_day *d)
{
	size_t i;
	json_t *s;

	memset(d, 0, sizeof(*d));
	if (v == NULL || json_is_null(v))
		return;
	if (!json_is_array(v) || json_array_size(v) > WORKCAL_SPANS_MAX) {
		verrs_add(errs, field, "must be a list of up to %d intervals such "
		    "as \"09:00-13:00\"", WORKCAL_SPANS_MAX);
		return;
	}
	json_array_foreach(v, i, s) {
		const char *t = json_string_value(s);
		int from, to;

		if (t == NULL || json_string_length(s) != 11 || t[5] != '-') {
			verrs_add(errs, field, "interval %zu must read HH:MM-HH:MM",
			    i + 1);
			return;
		}
		from = clock_minutes(t, false);
		to = clock_minutes(t + 6, true);
		if (from < 0 || to < 0) {
			verrs_add(errs, field, "interval %.11s: not a time of day "
			    "(00:00 to 24:00)", t);
			return;
		}
		if (to <= from) {
			verrs_add(errs, field, "interval %.11s ends before it starts "
			    "(a night shift is two intervals, one per day)", t);
			return;
		}
		d->s[d->n].from = from;
		d->s[d->n].to = to;
		d->n++;
	}
	qsort(d->s, (size_t)d->n, sizeof(*d->s), span_cmp);
	for (int k = 1; k < d->n; k++)
		if (d->s[k].from < d->s[k - 1].to) {
			verrs_add(errs, field, "intervals overlap: "
			    "%02d:%02d-%02d:%02d and %02d:%02d-%02d:%02d",
			    d->s[k - 1].from / 60, d->s[k - 1].from % 60,
			    d->s[k - 1].to / 60, d->s[k - 1].to % 60,
			    d->s[k].from / 60, d->s[k].from % 60,
			    d->s[k].to / 60, d->s[k].to % 60);
			return;
		}
}

static int
holiday_cmp(const void *a, const void *b)
{
	const struct workcal_holiday *x = a, *y = b;

	return (x->day > y->day) - (x->day < y->day);
}

static void
parse_holidays(json_t *hs, struct verrs *errs, struct workcal *cal)
{
	char f[64];
	size_t i;
	json_t *h;

	if (hs == NULL || json_is_null(hs))
		return;
	if (!json_is_array(hs) || json_array_size(hs) > WORKCAL_HOLIDAYS_MAX) {
		verrs_add(errs, "holidays", "must be a list of up to %d holidays",
		    WORKCAL_HOLIDAYS_MAX);
		return;
	}
	cal->holidays = xcalloc(json_array_size(hs) + 1, sizeof(*cal->holidays));
	json_array_foreach(hs, i, h) {
		struct workcal_holiday *w = &cal->holidays[cal->nholidays];
		json_t *date = json_object_get(h, "date");
		const char *key;
		json_t *v;

		snprintf(f, sizeof(f), "holidays[%zu]", i);
		if (!json_is_object(h)) {
			verrs_add(errs, f, "must be {date, name, hours?}");
			continue;
		}
		json_object_foreach(h, key, v)
			if (strcmp(key, "date") != 0 && strcmp(key, "name") != 0 &&
			    strcmp(key, "hours") != 0)
				verrs_add(errs, f, "%.40s is not a field of a holiday",
				    key);
		snprintf(f, sizeof(f), "holidays[%zu].date", i);
		if (!json_is_string(date) || time_parse_date(json_string_value(date),
		    json_string_length(date), &w->day) != 0) {
			verrs_add(errs, f, "must be a date, YYYY-MM-DD");
			continue;
		}
		snprintf(f, sizeof(f), "holidays[%zu].name", i);
		if (!core_text_ok(json_object_get(h, "name"), WORKCAL_NAME_MAX))
			verrs_add(errs, f, "must be 1 to %d characters",
			    WORKCAL_NAME_MAX);
		snprintf(f, sizeof(f), "holidays[%zu].hours", i);
		parse_day(json_object_get(h, "hours"), f, errs, &w->hours);
		cal->nholidays++;
	}
	qsort(cal->holidays, cal->nholidays, sizeof(*cal->holidays),
	    holiday_cmp);
	for (size_t k = 1; k < cal->nholidays; k++)
		if (cal->holidays[k].day == cal->holidays[k - 1].day) {
			int y, m, d;

			time_civil_from_days(cal->holidays[k].day, &y, &m, &d);
			verrs_add(errs, "holidays", "%04d-%02d-%02d is given twice",
			    y, m, d);
			break;
		}
}

int
workcal_from_json(const char *tz, json_t *week, json_t *holidays,
    struct verrs *errs, struct workcal **out)
{
	struct workcal *cal = xcalloc(1, sizeof(*cal));
	int errs0 = errs->n + errs->dropped, open = 0;
	char f[16];

	*out = NULL;
	if (tz_load(tz, &cal->tz) != 0)
		verrs_add(errs, "tz", "is not a known time zone (an IANA name such "
		    "as Europe/Berlin)");
	if (!json_is_array(week) || json_array_size(week) != 7) {
		verrs_add(errs, "week", "must list seven days, Monday to Sunday, "
		    "each a list of intervals such as \"09:00-18:00\"");
	} else {
		for (size_t i = 0; i < 7; i++) {
			snprintf(f, sizeof(f), "week[%zu]", i);
			parse_day(json_array_get(week, i), f, errs, &cal->week[i]);
			open += cal->week[i].n;
		}
		if (open == 0 && errs->n + errs->dropped == errs0)
			verrs_add(errs, "week", "has no working hours on any day: "
			    "no deadline could ever be reached");
	}
	parse_holidays(holidays, errs, cal);
	if (errs->n + errs->dropped != errs0) {
		workcal_free(cal);
		return -1;
	}
	*out = cal;
	return 0;
}

void
workcal_free(struct workcal *cal)
{
	if (cal == NULL)
		return;
	tz_free(cal->tz);
	free(cal->holidays);
	free(cal);
}

json_t *
workcal_day_json(const struct workcal_day *d)
{
	json_t *arr = json_array();
	char t[32];

	for (int k = 0; k < d->n; k++) {
		snprintf(t, sizeof(t), "%02d:%02d-%02d:%02d", d->s[k].from / 60,
		    d->s[k].from % 60, d->s[k].to / 60, d->s[k].to % 60);
		json_array_append_new(arr, json_string(t));
	}
	return arr;
}

/* ---- computing ---- */

/* The intervals of local day `day`: a holiday's, else its weekday's. */
static const struct workcal_day *
day_hours(const struct workcal *cal, int64_t day)
{
	size_t lo = 0, hi = cal->nholidays;
	int64_t wd;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (cal->holidays[mid].day < day)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < cal->nholidays && cal->holidays[lo].day == day)
		return &cal->holidays[lo].hours;
	/* 1970-01-01 was a Thursday (3 when Monday is 0). */
	wd = ((day % 7) + 7 + 3) % 7;
	return &cal->week[wd];
}

/* Interval k of local day `day` as UTC instants [*a, *b); false if empty. */
static bool
span_utc(const struct workcal *cal, const struct workcal_day *d, int k,
    int64_t day, int64_t *a, int64_t *b)
{
	*a = tz_from_local(cal->tz, day * DAY_MS + d->s[k].from * MIN_MS);
	*b = tz_from_local(cal->tz, day * DAY_MS + d->s[k].to * MIN_MS);
	/* An interval lost in a spring-forward gap has no length. */
	return *b > *a;
}

/*
 * The first local day whose intervals can matter for instant t: the day
 * before t's, since a zone's offset can move an interval's end past local
 * midnight in UTC terms (cheap, and never wrong).
 */
static int64_t
first_day(const struct workcal *cal, int64_t t)
{
	return tz_local_day(cal->tz, t) - 1;
}

int
workcal_add(const struct workcal *cal, int64_t start_ms, int64_t work_minutes,
    int64_t *due_ms)
{
	int64_t left, day0 = first_day(cal, start_ms);

	if (work_minutes < 0 || work_minutes > WORKCAL_MINUTES_MAX)
		return -1;
	left = work_minutes * MIN_MS;
	for (int64_t day = day0; day <= day0 + WORKCAL_DAYS_MAX; day++) {
		const struct workcal_day *d = day_hours(cal, day);

		for (int k = 0; k < d->n; k++) {
			int64_t a, b;

			if (!span_utc(cal, d, k, day, &a, &b) || b <= start_ms)
				continue;
			if (a < start_ms)
				a = start_ms;
			/* Zero minutes: the first open moment, not a close. */
			if (left < b - a || (left == b - a && left > 0)) {
				*due_ms = a + left;
				return 0;
			}
			left -= b - a;
		}
	}
	return -1;
}

int
workcal_between(const struct workcal *cal, int64_t a_ms, int64_t b_ms,
    int64_t *minutes)
{
	int64_t day0, day1, sum = 0;

	*minutes = 0;
	if (b_ms <= a_ms)
		return 0;
	if ((b_ms - a_ms) / DAY_MS > WORKCAL_DAYS_MAX)
		return -1;
	day0 = first_day(cal, a_ms);
	day1 = tz_local_day(cal->tz, b_ms);
	for (int64_t day = day0; day <= day1; day++) {
		const struct workcal_day *d = day_hours(cal, day);

		for (int k = 0; k < d->n; k++) {
			int64_t a, b;

			if (!span_utc(cal, d, k, day, &a, &b))
				continue;
			if (a < a_ms)
				a = a_ms;
			if (b > b_ms)
				b = b_ms;
			if (b > a)
				sum += b - a;
		}
	}
	*minutes = sum / MIN_MS;
	return 0;
}

bool
workcal_is_open(const struct workcal *cal, int64_t t_ms)
{
	int64_t day0 = first_day(cal, t_ms);

	for (int64_t day = day0; day <= day0 + 1; day++) {
		const struct workcal_day *d = day_hours(cal, day);

		for (int k = 0; k < d->n; k++) {
			int64_t a, b;

			if (span_utc(cal, d, k, day, &a, &b) && a <= t_ms &&
			    t_ms < b)
				return true;
		}
	}
	return false;
}

int
workcal_next_open(const struct workcal *cal, int64_t t_ms, int64_t *out)
{
	return workcal_add(cal, t_ms, 0, out);
}
