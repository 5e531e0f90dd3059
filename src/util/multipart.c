/*
 * The multipart/form-data parser (see multipart.h): a byte-at-a-time state
 * machine for the delimiters and headers, and a memchr scan for the part
 * bodies, which are nearly all of the bytes.
 *
 * Finding the delimiter "\r\n--boundary" in a stream: the parser counts how
 * many of its bytes it has matched. The boundary's characters (RFC 2046
 * bchars) never include CR, so a match can only start at a CR; when a
 * partial match fails, the bytes matched so far are part data (they equal
 * the delimiter's first bytes, so they are given from the delimiter) and
 * the byte that failed is looked at again as a possible new start. No
 * lookbehind buffer is needed, and no byte is ever given twice.
 */
#include "util/multipart.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "util/text.h"

#define PAD_MAX 64	/* spaces allowed after a delimiter (transport padding) */

static const char bchars[] =
    "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'()+_,-./:=? ";

const char *
mp_strerror(int err)
{
	switch (err) {
	case MP_OK: return "no error";
	case MP_ESYNTAX: return "the body is not well-formed multipart/form-data "
	    "(each part starts with --boundary and CRLF, then headers with "
	    "Content-Disposition: form-data, an empty line and the bytes)";
	case MP_ELIMIT: return "a part header line is longer than 1024 bytes, "
	    "or a part has more than 8 header lines, or the form more than 16 "
	    "parts";
	case MP_EUNSUPPORTED: return "nested multipart parts and transfer "
	    "encodings other than binary are not accepted";
	case MP_ECALLBACK: return "a part was refused";
	case MP_ETRUNCATED: return "the body ended before the closing "
	    "--boundary-- line";
	default: return "unknown error";
	}
}

static bool
is_bchar(char c)
{
	return c != '\0' && strchr(bchars, c) != NULL;
}

static const char *
skip_ows(const char *s, const char *end)
{
	while (s < end && (*s == ' ' || *s == '\t'))
		s++;
	return s;
}

int
mp_boundary(const char *ct, char *out, size_t outlen)
{
	static const char type[] = "multipart/form-data";
	const char *s, *end, *v;
	size_t n;

	if (ct == NULL || outlen < MP_BOUNDARY_MAX + 1)
		return MP_ESYNTAX;
	end = ct + strlen(ct);
	s = skip_ows(ct, end);
	if (strncasecmp(s, type, sizeof(type) - 1) != 0)
		return MP_ESYNTAX;
	s += sizeof(type) - 1;
	/* Parameters: ; key=value, the boundary the only one we need. */
	for (;;) {
		const char *key;
		size_t klen;

		s = skip_ows(s, end);
		if (s == end)
			return MP_ESYNTAX;	/* no boundary */
		if (*s != ';')
			return MP_ESYNTAX;
		s = skip_ows(s + 1, end);
		key = s;
		while (s < end && *s != '=' && *s != ';' && *s != ' ')
			s++;
		klen = (size_t)(s - key);
		if (s == end || *s != '=')
			return MP_ESYNTAX;
		s++;
		if (s < end && *s == '"') {
			v = ++s;
			while (s < end && *s != '"')
				s++;
			if (s == end)
				return MP_ESYNTAX;
			n = (size_t)(s - v);
			s++;
		} else {
			v = s;
			while (s < end && *s != ';' && *s != ' ' && *s != '\t')
				s++;
			n = (size_t)(s - v);
		}
		if (klen == 8 && strncasecmp(key, "boundary", 8) == 0)
			break;
	}
	if (n == 0 || n > MP_BOUNDARY_MAX || v[n - 1] == ' ')
		return MP_ESYNTAX;
	for (size_t i = 0; i < n; i++)
		if (!is_bchar(v[i]))
			return MP_ESYNTAX;
	memcpy(out, v, n);
	out[n] = '\0';
	return MP_OK;
}

int
mp_init(struct mp_parser *p, const char *boundary,
    const struct mp_callbacks *cb, void *arg)
{
	size_t n = strlen(boundary);

	memset(p, 0, sizeof(*p));
	if (n == 0 || n > MP_BOUNDARY_MAX) {
		p->state = MPS_ERROR;
		p->err = MP_ESYNTAX;
		return MP_ESYNTAX;
	}
	p->cb = cb;
	p->arg = arg;
	memcpy(p->delim, "\r\n--", 4);
	memcpy(p->delim + 4, boundary, n);
	p->dlen = n + 4;
	p->state = MPS_START;
	p->match = 2;		/* the first delimiter has no CRLF before it */
	return MP_OK;
}

static int
fail(struct mp_parser *p, int err)
{
	p->state = MPS_ERROR;
	p->err = err;
	return err;
}

static int
callback_rc(struct mp_parser *p, int rc)
{
	if (rc == 0)
		return MP_OK;
	p->cb_rc = rc;
	return fail(p, MP_ECALLBACK);
}

/* Copies [s, e) into out (cap bytes with the NUL); false when it does not fit. */
static bool
copy(char *out, size_t cap, const char *s, const char *e)
{
	size_t n = (size_t)(e - s);

	if (n >= cap)
		return false;
	memcpy(out, s, n);
	out[n] = '\0';
	return true;
}

/* filename*=UTF-8'lang'percent-encoded (RFC 5987), decoded into the part. */
static int
ext_filename(struct mp_parser *p, const char *s, const char *e)
{
	const char *q1, *q2;
	size_t n = 0;

	if (e - s < 7 || strncasecmp(s, "UTF-8'", 6) != 0)
		return MP_ESYNTAX;
	q1 = s + 5;
	q2 = memchr(q1 + 1, '\'', (size_t)(e - q1 - 1));
	if (q2 == NULL)
		return MP_ESYNTAX;
	for (s = q2 + 1; s < e; s++) {
		char c = *s;

		if (c == '%') {
			int hi, lo;

			if (e - s < 3)
				return MP_ESYNTAX;
			hi = text_hexval(s[1]);
			lo = text_hexval(s[2]);
			/* %00 would cut the name short where C reads it. */
			if (hi < 0 || lo < 0 || (hi | lo) == 0)
				return MP_ESYNTAX;
			c = (char)(hi << 4 | lo);
			s += 2;
		}
		if (n + 1 >= sizeof(p->part.filename))
			return MP_ELIMIT;
		p->part.filename[n++] = c;
	}
	p->part.filename[n] = '\0';
	p->part.has_filename = true;
	return MP_OK;
}

/*
 * Content-Disposition: form-data; name="x"; filename="y". A quoted value
 * takes \" and \\ as escapes (what curl sends); any other backslash is
 * itself (what browsers send, which percent-encode quotes instead).
 */
static int
disposition(struct mp_parser *p, const char *s, const char *e)
{
	bool have_name = false, have_fn = false, have_ext = false;

	if (p->has_disposition)
		return MP_ESYNTAX;
	p->has_disposition = true;
	if (e - s < 9 || strncasecmp(s, "form-data", 9) != 0)
		return MP_ESYNTAX;
	s += 9;
	for (;;) {
		char val[MP_FILENAME_MAX];
		const char *key;
		size_t klen, n = 0;

		s = skip_ows(s, e);
		if (s == e)
			break;
		if (*s != ';')
			return MP_ESYNTAX;
		s = skip_ows(s + 1, e);
		key = s;
		while (s < e && *s != '=' && *s != ';' && *s != ' ' && *s != '\t')
			s++;
		klen = (size_t)(s - key);
		if (klen == 0 || s == e || *s != '=')
			return MP_ESYNTAX;
		s++;
		if (s < e && *s == '"') {
			for (s++; s < e && *s != '"'; s++) {
				if (*s == '\\' && s + 1 < e &&
				    (s[1] == '"' || s[1] == '\\'))
					s++;
				if (n + 1 >= sizeof(val))
					return MP_ELIMIT;
				val[n++] = *s;
			}
			if (s == e)
				return MP_ESYNTAX;
			s++;
		} else {
			const char *v = s;

			while (s < e && *s != ';' && *s != ' ' && *s != '\t')
				s++;
			if ((size_t)(s - v) + 1 >= sizeof(val))
				return MP_ELIMIT;
			memcpy(val, v, (size_t)(s - v));
			n = (size_t)(s - v);
		}
		val[n] = '\0';
		if (klen == 4 && strncasecmp(key, "name", 4) == 0) {
			if (have_name || !copy(p->part.name, sizeof(p->part.name),
			    val, val + n))
				return MP_ESYNTAX;
			have_name = true;
		} else if (klen == 8 && strncasecmp(key, "filename", 8) == 0) {
			if (have_fn)
				return MP_ESYNTAX;
			have_fn = true;
			if (!have_ext) {
				memcpy(p->part.filename, val, n + 1);
				p->part.has_filename = true;
			}
		} else if (klen == 9 && strncasecmp(key, "filename*", 9) == 0) {
			int rc;

			if (have_ext)
				return MP_ESYNTAX;
			have_ext = true;
			rc = ext_filename(p, val, val + n);
			if (rc != MP_OK)
				return rc;
		}
	}
	return have_name ? MP_OK : MP_ESYNTAX;
}

static int
header_line(struct mp_parser *p)
{
	const char *s = p->line, *e = p->line + p->linelen, *colon;
	size_t nlen;

	if (++p->nheaders > MP_HEADERS_MAX)
		return MP_ELIMIT;
	if (s[0] == ' ' || s[0] == '\t')
		return MP_ESYNTAX;	/* obs-fold: refused, not joined */
	colon = memchr(s, ':', p->linelen);
	if (colon == NULL || colon == s)
		return MP_ESYNTAX;
	nlen = (size_t)(colon - s);
	for (size_t i = 0; i < nlen; i++)
		if (s[i] <= ' ' || s[i] >= 0x7f)
			return MP_ESYNTAX;
	s = skip_ows(colon + 1, e);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
		e--;
	if (nlen == 19 && strncasecmp(p->line, "Content-Disposition", 19) == 0)
		return disposition(p, s, e);
	if (nlen == 12 && strncasecmp(p->line, "Content-Type", 12) == 0) {
		const char *semi = memchr(s, ';', (size_t)(e - s));
		const char *te = semi != NULL ? semi : e;

		while (te > s && (te[-1] == ' ' || te[-1] == '\t'))
			te--;
		if (p->part.content_type[0] != '\0' ||
		    !copy(p->part.content_type, sizeof(p->part.content_type), s, te))
			return MP_ESYNTAX;
		for (char *c = p->part.content_type; *c; c++)
			if (*c >= 'A' && *c <= 'Z')
				*c = (char)(*c - 'A' + 'a');
		if (strncmp(p->part.content_type, "multipart/", 10) == 0)
			return MP_EUNSUPPORTED;
		return MP_OK;
	}
	if (nlen == 25 &&
	    strncasecmp(p->line, "Content-Transfer-Encoding", 25) == 0) {
		size_t n = (size_t)(e - s);

		if ((n == 4 && strncasecmp(s, "7bit", 4) == 0) ||
		    (n == 4 && strncasecmp(s, "8bit", 4) == 0) ||
		    (n == 6 && strncasecmp(s, "binary", 6) == 0))
			return MP_OK;
		return MP_EUNSUPPORTED;
	}
	return MP_OK;	/* other headers mean nothing to a form */
}

static void
part_reset(struct mp_parser *p)
{
	memset(&p->part, 0, sizeof(p->part));
	p->nheaders = 0;
	p->linelen = 0;
	p->cr = false;
	p->has_disposition = false;
}

/* Part bytes: runs without CR go out at once; a CR may start a delimiter. */
static int
body(struct mp_parser *p, const char *d, size_t len, size_t *used)
{
	size_t i = 0;
	int rc;

	while (i < len) {
		if (p->match == 0) {
			const char *cr = memchr(d + i, '\r', len - i);
			size_t run = cr != NULL ? (size_t)(cr - (d + i)) : len - i;

			if (run > 0) {
				rc = p->cb->part_data(p->arg, d + i, run);
				if (rc != 0) {
					*used = i;
					return callback_rc(p, rc);
				}
				i += run;
			}
			if (cr == NULL)
				break;
			p->match = 1;
			i++;
			continue;
		}
		if (d[i] == p->delim[p->match]) {
			i++;
			if (++p->match == p->dlen) {
				p->match = 0;
				p->state = MPS_AFTER_DELIM;
				p->dash = false;
				*used = i;
				return callback_rc(p, p->cb->part_end(p->arg));
			}
			continue;
		}
		/* Not a delimiter after all: what matched was data. */
		rc = p->cb->part_data(p->arg, p->delim, p->match);
		p->match = 0;
		if (rc != 0) {
			*used = i;
			return callback_rc(p, rc);
		}
	}
	*used = i;
	return MP_OK;
}

static int
step(struct mp_parser *p, char c)
{
	int rc;

	switch (p->state) {
	case MPS_START:
		if (c != p->delim[p->match])
			return fail(p, MP_ESYNTAX);
		if (++p->match == p->dlen) {
			p->match = 0;
			p->state = MPS_AFTER_DELIM;
			p->dash = false;
		}
		return MP_OK;
	case MPS_AFTER_DELIM:
		if (p->dash) {
			if (c != '-')
				return fail(p, MP_ESYNTAX);
			p->state = MPS_DONE;
			return MP_OK;
		}
		if (c == '-') {
			p->dash = true;
			return MP_OK;
		}
		if (p->nparts >= MP_PARTS_MAX)
			return fail(p, MP_ELIMIT);
		p->nparts++;
		part_reset(p);
		p->state = MPS_PAD;
		p->linelen = 0;
		/* FALLTHROUGH */
	case MPS_PAD:
		if (p->cr) {
			if (c != '\n')
				return fail(p, MP_ESYNTAX);
			p->cr = false;
			p->state = MPS_HEADER;
		} else if (c == '\r') {
			p->cr = true;
		} else if ((c == ' ' || c == '\t') && p->linelen < PAD_MAX) {
			p->linelen++;
		} else {
			return fail(p, c == ' ' || c == '\t' ? MP_ELIMIT : MP_ESYNTAX);
		}
		if (p->state == MPS_HEADER)
			p->linelen = 0;
		return MP_OK;
	case MPS_HEADER:
		if (p->cr) {
			if (c != '\n')
				return fail(p, MP_ESYNTAX);
			p->cr = false;
			if (p->linelen > 0) {
				p->line[p->linelen] = '\0';
				rc = header_line(p);
				p->linelen = 0;
				return rc == MP_OK ? MP_OK : fail(p, rc);
			}
			if (!p->has_disposition)
				return fail(p, MP_ESYNTAX);
			p->part.offset = p->pos + 1;
			p->state = MPS_BODY;
			p->match = 0;
			return callback_rc(p, p->cb->part_begin(p->arg, &p->part));
		}
		if (c == '\r') {
			p->cr = true;
			return MP_OK;
		}
		if (c == '\n' || c == '\0')
			return fail(p, MP_ESYNTAX);
		if (p->linelen >= MP_LINE_MAX)
			return fail(p, MP_ELIMIT);
		p->line[p->linelen++] = c;
		return MP_OK;
	case MPS_DONE:
		return MP_OK;	/* the epilogue */
	case MPS_BODY:
	case MPS_ERROR:
		break;
	}
	return fail(p, p->err != MP_OK ? p->err : MP_ESYNTAX);
}

int
mp_feed(struct mp_parser *p, const char *data, size_t len)
{
	size_t i = 0;
	int rc;

	while (i < len) {
		if (p->state == MPS_ERROR)
			return p->err;
		if (p->state == MPS_DONE) {
			p->pos += len - i;
			return MP_OK;
		}
		if (p->state == MPS_BODY) {
			size_t used = 0;

			rc = body(p, data + i, len - i, &used);
			i += used;
			p->pos += used;
			if (rc != MP_OK)
				return rc;
			continue;
		}
		rc = step(p, data[i]);
		i++;
		p->pos++;
		if (rc != MP_OK)
			return rc;
	}
	return p->state == MPS_ERROR ? p->err : MP_OK;
}

int
mp_finish(struct mp_parser *p)
{
	if (p->state == MPS_ERROR)
		return p->err;
	if (p->state != MPS_DONE)
		return fail(p, MP_ETRUNCATED);
	return MP_OK;
}
