/*
 * Cron schedules (core/cron.h) of process triggers and report
 * subscriptions: an expression and a time zone name anyone who designs a
 * process or subscribes to a report types, and the next-occurrence search
 * the job runner trusts to move forward.
 *
 * Input: byte 0 picks one of the zones below (their daylight saving rules
 * differ: an hour, half an hour, two hours, negative, a skipped day);
 * bytes 1-8 an instant between 1900 and 2300; the rest up to a '\n' is the
 * expression, and what follows it a zone name for tz_load, used instead
 * when it loads.
 *
 * Properties, each aborting when broken:
 *   - a refused expression comes with a reason; an accepted one has every
 *     field non-empty and within its range, and printed back as lists
 *     parses to the same schedule;
 *   - a zone name loads only when it is a plain relative name (no "..",
 *     no leading '/', at most TZ_NAME_MAX bytes);
 *   - cron_next ends (a bounded search) and its answer is a whole minute
 *     of wall time strictly after the start, whose wall time matches the schedule,
 *     unless a clock change just before it moved a time out of a gap;
 *     the answer after it is later again;
 *   - nothing in between fires: when the answer is within two days, no
 *     minute between the start and it has a matching wall time (but for
 *     the second pass of a repeated hour, which fires once).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "core/cron.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/timeutil.h"
#include "util/tz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MIN_MS 60000LL
#define DAY_MS 86400000LL

static const char *const zone_names[] = {
	"UTC", "Europe/Berlin", "America/New_York", "Australia/Lord_Howe",
	"Pacific/Apia", "Africa/Casablanca", "Antarctica/Troll",
	"Asia/Kathmandu", "Pacific/Chatham", "America/Santiago",
	"Europe/Dublin", "Pacific/Kiritimati", "America/St_Johns",
};
#define NZONES (sizeof(zone_names) / sizeof(*zone_names))
static struct tz *zones[NZONES];

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	for (size_t i = 0; i < NZONES; i++)
		if (tz_load(zone_names[i], &zones[i]) != 0)
			fz_fail("zone %s does not load", zone_names[i]);
	return 0;
}

/* Whether the wall time (local ms) matches c, as cron.h defines it. */
static bool
wall_matches(const struct cron *c, int64_t local_ms)
{
	int64_t day = local_ms / DAY_MS - (local_ms % DAY_MS < 0);
	int64_t sec = (local_ms - day * DAY_MS) / 1000;
	int y, m, d, wd = (int)(((day % 7) + 7 + 4) % 7);
	bool md, w;

	time_civil_from_days(day, &y, &m, &d);
	if (!(c->minutes >> (sec / 60 % 60) & 1) || !(c->hours >> (sec / 3600) & 1)
	    || !(c->months >> m & 1))
		return false;
	md = c->mdays >> d & 1;
	w = c->wdays >> wd & 1;
	return c->mday_any || c->wday_any ? md && w : md || w;
}

static int64_t
local_of(const struct tz *z, int64_t t)
{
	return t + tz_offset_s(z, t) * 1000;
}

/* Whether t's wall time was already shown earlier (a repeated hour). */
static bool
repeated(const struct tz *z, int64_t t)
{
	for (int64_t back = 15 * MIN_MS; back <= 3 * 3600 * 1000LL;
	    back += 15 * MIN_MS)
		if (local_of(z, t - back) == local_of(z, t))
			return true;
	return false;
}

/* Appends field bits lo..hi as a list "a,b,c". */
static void
print_field(struct buf *b, uint64_t bits, int lo, int hi)
{
	bool first = true;

	for (int v = lo; v <= hi; v++)
		if (bits >> v & 1) {
			buf_printf(b, "%s%d", first ? "" : ",", v);
			first = false;
		}
	if (first)
		fz_fail("an accepted schedule with an empty field");
}

static void
check_parse(const char *expr, const struct cron *c)
{
	struct cron again;
	struct buf b;
	char err[160] = "";

	if (c->minutes >> 60 || c->hours >> 24 || c->mdays & 1 ||
	    c->months & 1 || c->months >> 13 || c->wdays >> 7)
		fz_fail("\"%s\": bits out of range", expr);
	/* Printed back without "*": the day fields keep their "*" meaning. */
	buf_init(&b, 4096);
	print_field(&b, c->minutes, 0, 59);
	buf_puts(&b, " ");
	print_field(&b, c->hours, 0, 23);
	buf_puts(&b, " ");
	if (c->mday_any)
		buf_puts(&b, "*");
	else
		print_field(&b, c->mdays, 1, 31);
	buf_puts(&b, " ");
	print_field(&b, c->months, 1, 12);
	buf_puts(&b, " ");
	if (c->wday_any)
		buf_puts(&b, "*");
	else
		print_field(&b, c->wdays, 0, 6);
	/* Long lists pass CRON_EXPR_MAX: only short ones are parsed again. */
	if (b.len <= CRON_EXPR_MAX) {
		if (cron_parse(b.data, &again, err, sizeof(err)) != 0)
			fz_fail("\"%s\" printed as \"%s\" is refused: %s", expr, b.data,
			    err);
		if (memcmp(&again, c, sizeof(*c)) != 0)
			fz_fail("\"%s\" printed as \"%s\" reads differently", expr,
			    b.data);
	}
	buf_free(&b);
}

/* name is a C string (a NUL inside the input ends it, as in a caller's). */
static void
check_zone_name(const char *name)
{
	struct tz *z = NULL;

	if (tz_load(name, &z) != 0)
		return;
	if (strlen(name) > TZ_NAME_MAX || name[0] == '/' ||
	    strstr(name, "..") != NULL)
		fz_fail("zone name \"%s\" loaded", name);
	tz_free(z);
}

static void
check_next(const struct cron *c, const struct tz *z, int64_t after)
{
	int64_t next, next2;

	if (cron_next(c, z, after, &next) != 0)
		return;
	/* A whole minute of wall time (old zones' offsets have seconds). */
	if (next <= after || local_of(z, next) % MIN_MS != 0)
		fz_fail("next %lld after %lld", (long long)next, (long long)after);
	if (!wall_matches(c, local_of(z, next)) &&
	    tz_offset_s(z, next - DAY_MS) == tz_offset_s(z, next))
		fz_fail("next %lld: its wall time does not match", (long long)next);
	if (next - after <= 2 * DAY_MS)
		for (int64_t t = after - after % MIN_MS + MIN_MS; t < next;
		    t += MIN_MS)
			if (t > after && wall_matches(c, local_of(z, t)) &&
			    !repeated(z, t))
				fz_fail("%lld fires between %lld and next %lld",
				    (long long)t, (long long)after, (long long)next);
	if (cron_next(c, z, next, &next2) == 0 && next2 <= next)
		fz_fail("next after %lld is %lld", (long long)next,
		    (long long)next2);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* 1900-01-01 to 2300-01-01 in ms. */
	const int64_t lo = -2208988800000LL, span = 10413792000000LL;
	const uint8_t *nl;
	const struct tz *z;
	struct tz *own = NULL;
	struct cron c;
	char err[160] = "", *expr;
	uint64_t raw = 0;
	int64_t after;
	size_t elen;

	if (size < 9)
		return -1;
	z = zones[data[0] % NZONES];
	for (int i = 1; i <= 8; i++)
		raw = raw << 8 | data[i];
	after = lo + (int64_t)(raw % (uint64_t)span);
	data += 9;
	size -= 9;
	nl = memchr(data, '\n', size);
	elen = nl != NULL ? (size_t)(nl - data) : size;
	expr = fz_strndup(data, elen);
	if (nl != NULL) {
		char *name = fz_strndup(nl + 1, size - elen - 1);

		check_zone_name(name);
		if (tz_load(name, &own) == 0)
			z = own;
		free(name);
	}
	if (cron_parse(expr, &c, err, sizeof(err)) != 0) {
		if (err[0] == '\0')
			fz_fail("\"%s\" refused without a reason", expr);
	} else {
		check_parse(expr, &c);
		check_next(&c, z, after);
		/* The schedule's own start: a whole minute, as callers round. */
		check_next(&c, z, after - after % MIN_MS);
	}
	tz_free(own);
	free(expr);
	return 0;
}
