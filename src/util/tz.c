/*
 * TZif reader (RFC 8536) and POSIX TZ rules (the footer). Only what an
 * offset at an instant needs: the 64-bit transition times of version 2+
 * files (version 1 files: the 32-bit ones), each transition's UTC offset,
 * and a footer rule "STDoff[DST[off][,Mm.w.d[/time],Mm.w.d[/time]]]".
 * Rules of the Jn and n forms are not used by any zone in tzdata and are
 * treated as no daylight saving time.
 */
#include "util/tz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"
#include "util/timeutil.h"

#define TZ_DIR "/usr/share/zoneinfo/"
#define TZ_FILE_MAX (1 << 18)	/* the largest zone file is a few KiB */
#define DAY_S 86400

struct tz_rule_day {
	int	month;		/* 1..12 */
	int	week;		/* 1..5, 5: the last */
	int	wday;		/* 0: Sunday */
	int64_t	secs;		/* local time of day of the change */
};

struct tz {
	int64_t		*trans;		/* transition instants, UTC seconds */
	int32_t		*trans_off;	/* offset from each transition on */
	size_t		 ntrans;
	int32_t		 first_off;	/* before the first transition */
	bool		 has_rule;	/* the footer gives one */
	int32_t		 std_off;	/* east positive */
	int32_t		 dst_off;
	bool		 has_dst;
	struct tz_rule_day start, end;
};

static int64_t
be(const unsigned char *p, int n)
{
	uint64_t v = 0;

	for (int i = 0; i < n; i++)
		v = v << 8 | p[i];
	/* Sign-extend 32-bit values. */
	if (n == 4)
		return (int64_t)(int32_t)(uint32_t)v;
	return (int64_t)v;
}

static bool
valid_name(const char *name)
{
	size_t len = strlen(name);

	if (len == 0 || len > TZ_NAME_MAX || name[0] == '/' ||
	    name[len - 1] == '/')
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = name[i];

		/* No segment may start with a dot: no "..", no hidden files. */
		if (c == '.' && (i == 0 || name[i - 1] == '/'))
			return false;
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '/' || c == '_' || c == '-' ||
		    c == '+' || c == '.'))
			return false;
		if (c == '/' && name[i + 1] == '/')
			return false;
	}
	return true;
}

static unsigned char *
read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf;
	size_t n;

	if (f == NULL)
		return NULL;
	buf = xmalloc(TZ_FILE_MAX);
	n = fread(buf, 1, TZ_FILE_MAX, f);
	if (ferror(f) || n == TZ_FILE_MAX) {
		fclose(f);
		free(buf);
		return NULL;
	}
	fclose(f);
	*len = n;
	return buf;
}

/* ---- the POSIX rule of the footer ---- */

/* A zone abbreviation: letters, or anything in <...>. */
static const char *
skip_abbr(const char *s)
{
	const char *start = s;

	if (*s == '<') {
		while (*s != '\0' && *s != '>')
			s++;
		return *s == '>' ? s + 1 : NULL;
	}
	while ((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z'))
		s++;
	return s - start >= 3 ? s : NULL;
}

static const char *
num(const char *s, int max, int *out)
{
	int v = 0, n = 0;

	while (*s >= '0' && *s <= '9' && n < 4) {
		v = v * 10 + (*s++ - '0');
		n++;
	}
	if (n == 0 || v > max)
		return NULL;
	*out = v;
	return s;
}

/* [+-]hh[:mm[:ss]] in seconds. */
static const char *
hms(const char *s, int64_t *out)
{
	int sign = 1, h = 0, m = 0, sec = 0;

	if (*s == '+' || *s == '-')
		sign = *s++ == '-' ? -1 : 1;
	if ((s = num(s, 167, &h)) == NULL)
		return NULL;
	if (*s == ':' && (s = num(s + 1, 59, &m)) != NULL && *s == ':')
		s = num(s + 1, 59, &sec);
	if (s == NULL)
		return NULL;
	*out = sign * ((int64_t)h * 3600 + m * 60 + sec);
	return s;
}

/* ",Mm.w.d[/time]" */
static const char *
rule_day(const char *s, struct tz_rule_day *d)
{
	if (s == NULL || *s != ',' || s[1] != 'M')
		return NULL;
	if ((s = num(s + 2, 12, &d->month)) == NULL || *s != '.' ||
	    (s = num(s + 1, 5, &d->week)) == NULL || *s != '.' ||
	    (s = num(s + 1, 6, &d->wday)) == NULL)
		return NULL;
	if (d->month < 1 || d->week < 1)
		return NULL;
	d->secs = 7200;
	if (*s == '/')
		s = hms(s + 1, &d->secs);
	return s;
}

static void
parse_rule(struct tz *z, const char *s)
{
	int64_t off, dst;

	if ((s = skip_abbr(s)) == NULL || (s = hms(s, &off)) == NULL)
		return;
	z->std_off = (int32_t)-off;	/* POSIX counts west as positive */
	z->has_rule = true;
	if (*s == '\0' || *s == '\n')
		return;
	if ((s = skip_abbr(s)) == NULL)
		return;
	dst = -off + 3600;
	if (*s != ',' && *s != '\0' && *s != '\n') {
		int64_t o;

		if ((s = hms(s, &o)) == NULL)
			return;
		dst = -o;
	}
	s = rule_day(s, &z->start);
	s = rule_day(s, &z->end);
	if (s == NULL)
		return;	/* a rule we do not read: standard time only */
	z->dst_off = (int32_t)dst;
	z->has_dst = true;
}

/* The UTC second a rule day's change happens in year y at offset off. */
static int64_t
rule_instant(const struct tz_rule_day *d, int y, int32_t off)
{
	int64_t first = time_days_from_civil(y, d->month, 1);
	int wday1 = (int)(((first % 7) + 7 + 4) % 7);	/* 1970-01-01: Thursday */
	int day = 1 + (d->wday - wday1 + 7) % 7 + (d->week - 1) * 7;
	int dim = time_days_in_month(y, d->month);

	while (day > dim)
		day -= 7;
	return (first + day - 1) * DAY_S + d->secs - off;
}

static int32_t
rule_offset(const struct tz *z, int64_t t)
{
	int y, m, d;
	int64_t start, end;

	if (!z->has_dst)
		return z->std_off;
	time_civil_from_days((t + z->std_off) / DAY_S - ((t + z->std_off) %
	    DAY_S < 0), &y, &m, &d);
	start = rule_instant(&z->start, y, z->std_off);
	end = rule_instant(&z->end, y, z->dst_off);
	if (start < end)
		return t >= start && t < end ? z->dst_off : z->std_off;
	/* The southern hemisphere: summer spans the new year. */
	return t >= end && t < start ? z->std_off : z->dst_off;
}

/* ---- the file ---- */

/* Reads one data block; *p moves past it. wide: 64-bit times. */
static int
read_block(struct tz *z, const unsigned char *buf, size_t len, size_t *p,
    bool wide, bool keep)
{
	const unsigned char *h = buf + *p;
	int64_t isut, isstd, leap, timecnt, typecnt, charcnt;
	size_t tw = wide ? 8 : 4, need;
	const unsigned char *times, *idx, *types;

	if (*p + 44 > len || memcmp(h, "TZif", 4) != 0)
		return -1;
	isut = be(h + 20, 4);
	isstd = be(h + 24, 4);
	leap = be(h + 28, 4);
	timecnt = be(h + 32, 4);
	typecnt = be(h + 36, 4);
	charcnt = be(h + 40, 4);
	if (isut < 0 || isstd < 0 || leap < 0 || timecnt < 0 || typecnt < 1 ||
	    charcnt < 0 || timecnt > 100000 || typecnt > 256 || leap > 10000 ||
	    charcnt > 10000 || isut > 256 || isstd > 256)
		return -1;
	need = (size_t)timecnt * (tw + 1) + (size_t)typecnt * 6 +
	    (size_t)charcnt + (size_t)leap * (tw + 4) + (size_t)isstd +
	    (size_t)isut;
	if (*p + 44 + need > len)
		return -1;
	times = h + 44;
	idx = times + timecnt * tw;
	types = idx + timecnt;
	if (keep) {
		z->ntrans = (size_t)timecnt;
		z->trans = xcalloc((size_t)timecnt + 1, sizeof(*z->trans));
		z->trans_off = xcalloc((size_t)timecnt + 1, sizeof(*z->trans_off));
		for (int64_t i = 0; i < timecnt; i++) {
			if (idx[i] >= typecnt)
				return -1;
			z->trans[i] = be(times + i * tw, (int)tw);
			z->trans_off[i] = (int32_t)be(types + idx[i] * 6, 4);
		}
		/* Before the first transition: the first standard-time type. */
		z->first_off = (int32_t)be(types, 4);
		for (int64_t i = 0; i < typecnt; i++)
			if (types[i * 6 + 4] == 0) {
				z->first_off = (int32_t)be(types + i * 6, 4);
				break;
			}
	}
	*p += 44 + need;
	return 0;
}

static int
parse(struct tz *z, const unsigned char *buf, size_t len)
{
	size_t p = 0;
	bool v2 = len > 5 && buf[4] >= '2';

	if (read_block(z, buf, len, &p, false, !v2) != 0)
		return -1;
	if (!v2)
		return 0;
	if (read_block(z, buf, len, &p, true, true) != 0)
		return -1;
	/* The footer: "\n<rule>\n". */
	if (p < len && buf[p] == '\n') {
		char rule[128];
		size_t n = 0;

		p++;
		while (p < len && buf[p] != '\n' && n + 1 < sizeof(rule))
			rule[n++] = (char)buf[p++];
		rule[n] = '\0';
		if (n > 0)
			parse_rule(z, rule);
	}
	return 0;
}

int
tz_load(const char *name, struct tz **out)
{
	char path[sizeof(TZ_DIR) + TZ_NAME_MAX + 1];
	unsigned char *buf;
	size_t len = 0;
	struct tz *z = xcalloc(1, sizeof(*z));

	*out = NULL;
	if (name == NULL || strcmp(name, "UTC") == 0) {
		z->has_rule = true;
		*out = z;
		return 0;
	}
	if (!valid_name(name) || (size_t)snprintf(path, sizeof(path), "%s%s",
	    TZ_DIR, name) >= sizeof(path)) {
		free(z);
		return -1;
	}
	buf = read_file(path, &len);
	if (buf == NULL || parse(z, buf, len) != 0) {
		free(buf);
		tz_free(z);
		return -1;
	}
	free(buf);
	*out = z;
	return 0;
}

void
tz_free(struct tz *z)
{
	if (z == NULL)
		return;
	free(z->trans);
	free(z->trans_off);
	free(z);
}

int64_t
tz_offset_s(const struct tz *z, int64_t utc_ms)
{
	int64_t t = utc_ms / 1000 - (utc_ms % 1000 < 0);
	size_t lo = 0, hi = z->ntrans;

	if (z->ntrans == 0)
		return z->has_rule ? rule_offset(z, t) : z->first_off;
	if (t < z->trans[0])
		return z->first_off;
	if (t >= z->trans[z->ntrans - 1] && z->has_rule)
		return rule_offset(z, t);
	/* The last transition at or before t. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (z->trans[mid] <= t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return z->trans_off[lo - 1];
}

int64_t
tz_local_day(const struct tz *z, int64_t utc_ms)
{
	int64_t local = utc_ms + tz_offset_s(z, utc_ms) * 1000;

	return local / (DAY_S * 1000LL) - (local % (DAY_S * 1000LL) < 0);
}

int64_t
tz_from_local(const struct tz *z, int64_t local_ms)
{
	/*
	 * Real zones change offset at most once in a few days, so the offsets
	 * a day either side are the two that can apply. A candidate is right
	 * when it reads back as the same wall-clock time.
	 */
	int64_t before = tz_offset_s(z, local_ms - DAY_S * 1000LL);
	int64_t after = tz_offset_s(z, local_ms + DAY_S * 1000LL);
	int64_t ta = local_ms - before * 1000, tb = local_ms - after * 1000;
	bool a_ok = ta + tz_offset_s(z, ta) * 1000 == local_ms;
	bool b_ok = tb + tz_offset_s(z, tb) * 1000 == local_ms;

	if (a_ok && b_ok)
		return ta < tb ? ta : tb;
	if (b_ok)
		return tb;
	/* Valid, or in a gap: the offset before it carries the time past it. */
	return ta;
}

int64_t
tz_day_start(const struct tz *z, int64_t day)
{
	int64_t local = day * DAY_S * 1000LL;
	/* The offset in force at the guess settles within two steps. */
	int64_t guess = local - tz_offset_s(z, local) * 1000;

	guess = local - tz_offset_s(z, guess) * 1000;
	return guess;
}
