/*
 * RFC 5545 content lines: the value escaping of TEXT (3.3.11) and line
 * folding (3.1). Lines are built whole, then folded: a line longer than
 * 75 octets is cut before the 76th octet (not inside a UTF-8 character)
 * and goes on after CRLF and one space, which counts toward the next
 * line's 75.
 */
#include "core/calfeed.h"

#include <stdio.h>
#include <string.h>

#include "util/buf.h"
#include "util/timeutil.h"

#define FOLD_AT 75
#define LINE_MAX_BYTES 300000	/* a subject or place escaped, with room */

/* Whether byte c continues a UTF-8 character (10xxxxxx). */
static int
continuation(unsigned char c)
{
	return (c & 0xC0) == 0x80;
}

static int
fold(struct buf *out, const char *line, size_t len)
{
	size_t room = FOLD_AT;

	while (len > room) {
		size_t cut = room;

		while (cut > 0 && continuation((unsigned char)line[cut]))
			cut--;
		if (buf_append(out, line, cut) != 0 ||
		    buf_puts(out, "\r\n ") != 0)
			return -1;
		line += cut;
		len -= cut;
		room = FOLD_AT - 1;	/* the leading space takes one octet */
	}
	if (buf_append(out, line, len) != 0 || buf_puts(out, "\r\n") != 0)
		return -1;
	return 0;
}

int
ical_line(struct buf *out, const char *name, const char *value)
{
	struct buf line;
	int rc;

	buf_init(&line, LINE_MAX_BYTES);
	rc = buf_printf(&line, "%s:%s", name, value);
	if (rc == 0)
		rc = fold(out, line.data, line.len);
	buf_free(&line);
	return rc;
}

int
ical_text(struct buf *out, const char *name, const char *value)
{
	struct buf line;
	int rc;

	buf_init(&line, LINE_MAX_BYTES);
	rc = buf_printf(&line, "%s:", name);
	for (const char *p = value; rc == 0 && *p != '\0'; p++) {
		switch (*p) {
		case '\\':
			rc = buf_puts(&line, "\\\\");
			break;
		case ';':
			rc = buf_puts(&line, "\\;");
			break;
		case ',':
			rc = buf_puts(&line, "\\,");
			break;
		case '\n':
			rc = buf_puts(&line, "\\n");
			break;
		case '\r':
			break;	/* CRLF in the source is one line break */
		default:
			rc = buf_putc(&line, *p);
			break;
		}
	}
	if (rc == 0)
		rc = fold(out, line.data, line.len);
	buf_free(&line);
	return rc;
}

int
ical_time(struct buf *out, const char *name, int64_t ms)
{
	int64_t days = ms / 86400000, rest;
	int y, m, d;
	char v[32];

	if (ms % 86400000 < 0)
		days--;
	rest = (ms - days * 86400000) / 1000;
	time_civil_from_days(days, &y, &m, &d);
	if ((size_t)snprintf(v, sizeof(v), "%04d%02d%02dT%02d%02d%02dZ", y, m, d,
	    (int)(rest / 3600), (int)(rest / 60 % 60), (int)(rest % 60)) >=
	    sizeof(v))
		return -1;
	return ical_line(out, name, v);
}
