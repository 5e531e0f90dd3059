/*
 * A small, strict, streaming parser of multipart/form-data bodies (RFC 7578
 * over RFC 2046): the body arrives in chunks of any size and the parts'
 * bytes leave through a callback as they are found, so a large upload is
 * never held in memory. The parser holds one header line (MP_LINE_MAX) and
 * the delimiter; nothing else of the input.
 *
 * What it accepts, and nothing more:
 *   - the body starts with "--" boundary (no preamble);
 *   - every line of the delimiters and the part headers ends in CRLF (a bare
 *     LF is an error: a reader that took it for a line end would see other
 *     parts than we do);
 *   - at most MP_HEADERS_MAX header lines per part, each at most
 *     MP_LINE_MAX bytes, no folded (obs-fold) continuation lines;
 *   - Content-Disposition: form-data with name and optionally filename (or
 *     filename*=UTF-8''percent-encoded, RFC 5987, which wins);
 *   - Content-Type of a part: anything but a multipart type (no nesting);
 *   - Content-Transfer-Encoding, if sent at all: 7bit, 8bit or binary;
 *   - at most MP_PARTS_MAX parts; the close delimiter "--boundary--" ends
 *     the body and whatever follows it (the epilogue) is ignored.
 *
 * A part's bytes are exactly the bytes between its header block's empty
 * line and the CRLF before the next delimiter; data callbacks point into
 * the chunk being fed, except that bytes which looked like the start of a
 * delimiter across a chunk edge are given from the parser's own copy.
 */
#ifndef UTIL_MULTIPART_H
#define UTIL_MULTIPART_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MP_BOUNDARY_MAX 70	/* RFC 2046 */
#define MP_LINE_MAX 1024	/* one header line, CRLF excluded */
#define MP_HEADERS_MAX 8	/* header lines of one part */
#define MP_PARTS_MAX 16
#define MP_NAME_MAX 128		/* the form field's name */
#define MP_FILENAME_MAX 1024	/* the raw file name as sent (bytes) */
#define MP_CTYPE_MAX 128

enum {
	MP_OK = 0,
	MP_ESYNTAX = -1,	/* not multipart/form-data as above */
	MP_ELIMIT = -2,		/* a header line, header count or part count too large */
	MP_EUNSUPPORTED = -3,	/* nested multipart, an unknown transfer encoding */
	MP_ECALLBACK = -4,	/* a callback refused; its code is in cb_rc */
	MP_ETRUNCATED = -5,	/* the body ended before the close delimiter */
};

/* What a part's headers said. */
struct mp_part {
	char		 name[MP_NAME_MAX];
	char		 filename[MP_FILENAME_MAX];	/* NUL-terminated; may hold any bytes but NUL */
	bool		 has_filename;
	char		 content_type[MP_CTYPE_MAX];	/* "" when not sent */
	uint64_t	 offset;	/* of the part's first byte in the whole body */
};

struct mp_callbacks {
	/* Non-zero refuses: the parser stops with MP_ECALLBACK. */
	int	(*part_begin)(void *arg, const struct mp_part *part);
	int	(*part_data)(void *arg, const char *p, size_t n);
	int	(*part_end)(void *arg);
};

enum mp_state {
	MPS_START, MPS_AFTER_DELIM, MPS_PAD, MPS_HEADER, MPS_BODY, MPS_DONE,
	MPS_ERROR,
};

/* Parser state: plain data, no allocation; lives on the caller's stack. */
struct mp_parser {
	enum mp_state		 state;
	int			 err;
	int			 cb_rc;		/* what a refusing callback returned */
	const struct mp_callbacks *cb;
	void			*arg;
	char			 delim[MP_BOUNDARY_MAX + 4];	/* "\r\n--" boundary */
	size_t			 dlen;
	size_t			 match;		/* delimiter bytes matched so far */
	uint64_t		 pos;		/* bytes consumed */
	char			 line[MP_LINE_MAX + 1];
	size_t			 linelen;
	bool			 cr;		/* a CR ended the line so far */
	int			 nheaders;
	int			 nparts;
	bool			 dash;		/* MPS_AFTER_DELIM: one '-' seen */
	bool			 has_disposition;
	struct mp_part		 part;
};

/*
 * The boundary parameter of a Content-Type value
 * "multipart/form-data; boundary=..." (quoted or not) into out (at least
 * MP_BOUNDARY_MAX + 1 bytes). MP_ESYNTAX when the type is not
 * multipart/form-data or the boundary is missing or not 1..70 of RFC
 * 2046's characters.
 */
int mp_boundary(const char *content_type, char *out, size_t outlen);

/* Prepares p for one body; boundary as mp_boundary gave it. */
int mp_init(struct mp_parser *p, const char *boundary,
    const struct mp_callbacks *cb, void *arg);
/* Feeds the next len bytes. MP_OK, or the error (sticky). */
int mp_feed(struct mp_parser *p, const char *data, size_t len);
/* The body ended: MP_OK after the close delimiter, else the error. */
int mp_finish(struct mp_parser *p);
/* A sentence for the client about an error code. */
const char *mp_strerror(int err);

#endif
