/*
 * The multipart/form-data parser (util/multipart.h) behind document
 * uploads.
 *
 * Input: a first line (up to '\n') is the Content-Type value, whose
 * boundary mp_boundary() reads ("XyZ" when it has none, so the body is
 * fuzzed either way); its first byte also picks the chunk size of the
 * second parse. The rest is the body, in an exact-size buffer so
 * AddressSanitizer sees any read past its end.
 *
 * Properties, each aborting when broken:
 *   - a part's bytes are exactly a slice of the body: what the callbacks
 *     gave equals body[offset, offset + len), and every pointer they gave
 *     lies inside the chunk being fed or the parser's own delimiter;
 *   - a part ends where the body holds CRLF "--" boundary, and no part's
 *     bytes hold that delimiter;
 *   - the outcome (status, parts, names, bytes) is the same whether the
 *     body arrives whole or in chunks of 1 to 64 bytes.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/multipart.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct got {
	int		 nparts;
	int		 nends;
	struct {
		uint64_t	 offset;
		char		 name[MP_NAME_MAX];
		char		 filename[MP_FILENAME_MAX];
		struct buf	 bytes;
	}		 part[MP_PARTS_MAX];
	const struct mp_parser *p;
	const char	*chunk;		/* the chunk being fed */
	size_t		 chunk_len;
};

static int
g_begin(void *arg, const struct mp_part *part)
{
	struct got *g = arg;

	if (g->nparts >= MP_PARTS_MAX)
		fz_fail("more parts than MP_PARTS_MAX");
	g->part[g->nparts].offset = part->offset;
	memcpy(g->part[g->nparts].name, part->name, sizeof(part->name));
	memcpy(g->part[g->nparts].filename, part->filename,
	    sizeof(part->filename));
	buf_init(&g->part[g->nparts].bytes, 1 << 24);
	g->nparts++;
	return 0;
}

static int
g_data(void *arg, const char *p, size_t n)
{
	struct got *g = arg;
	const char *d = g->p->delim;

	if (g->nparts == 0 || g->nends >= g->nparts)
		fz_fail("data outside a part");
	if (!(p >= g->chunk && p + n <= g->chunk + g->chunk_len) &&
	    !(p >= d && p + n <= d + g->p->dlen))
		fz_fail("data pointer outside the input and the delimiter");
	if (buf_append(&g->part[g->nparts - 1].bytes, p, n) != 0)
		fz_fail("a part larger than its input");
	return 0;
}

static int
g_end(void *arg)
{
	struct got *g = arg;

	g->nends++;
	if (g->nends != g->nparts)
		fz_fail("end without a part");
	return 0;
}

static const struct mp_callbacks cb = { g_begin, g_data, g_end };

/* Parses body in chunks of step bytes into g; the status. */
static int
run(const char *boundary, const char *body, size_t n, size_t step,
    struct got *g)
{
	struct mp_parser *p = xmalloc(sizeof(*p));
	int rc;

	memset(g, 0, sizeof(*g));
	g->p = p;
	rc = mp_init(p, boundary, &cb, g);
	for (size_t at = 0; rc == MP_OK && at < n; at += step) {
		g->chunk = body + at;
		g->chunk_len = n - at < step ? n - at : step;
		rc = mp_feed(p, g->chunk, g->chunk_len);
	}
	if (rc == MP_OK)
		rc = mp_finish(p);
	free(p);
	return rc;
}

static void
check_slices(const char *boundary, const char *body, size_t n,
    const struct got *g)
{
	char delim[MP_BOUNDARY_MAX + 5];
	size_t dlen = (size_t)snprintf(delim, sizeof(delim), "\r\n--%s", boundary);

	for (int i = 0; i < g->nparts; i++) {
		uint64_t off = g->part[i].offset;
		size_t len = g->part[i].bytes.len;

		if (off > n || len > n - off)
			fz_fail("part %d: offset %llu + %zu past the body (%zu)", i,
			    (unsigned long long)off, len, n);
		if (len > 0 && memcmp(body + off, g->part[i].bytes.data, len) != 0)
			fz_fail("part %d: bytes are not the body's slice", i);
		if (len >= dlen && memmem(g->part[i].bytes.data, len, delim, dlen))
			fz_fail("part %d holds the delimiter", i);
		if (i < g->nends && (n - off - len < dlen ||
		    memcmp(body + off + len, delim, dlen) != 0))
			fz_fail("part %d does not end at a delimiter", i);
	}
}

static void
got_free(struct got *g)
{
	for (int i = 0; i < g->nparts; i++)
		buf_free(&g->part[i].bytes);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nl = memchr(data, '\n', size < 200 ? size : 200);
	char boundary[MP_BOUNDARY_MAX + 1] = "XyZ", *ct;
	size_t hlen = nl != NULL ? (size_t)(nl - data) : 0, n, step;
	struct got *a, *b;
	char *body;
	int ra, rb;

	ct = fz_strndup(data, hlen);
	if (mp_boundary(ct, boundary, sizeof(boundary)) != MP_OK)
		snprintf(boundary, sizeof(boundary), "XyZ");
	step = hlen > 0 ? (size_t)(data[0] % 64) + 1 : 7;
	free(ct);
	n = nl != NULL ? size - hlen - 1 : size;
	body = xmalloc(n > 0 ? n : 1);
	memcpy(body, nl != NULL ? (const char *)nl + 1 : (const char *)data, n);
	a = xcalloc(1, sizeof(*a));
	b = xcalloc(1, sizeof(*b));
	ra = run(boundary, body, n, n > 0 ? n : 1, a);
	rb = run(boundary, body, n, step, b);
	check_slices(boundary, body, n, a);
	check_slices(boundary, body, n, b);
	if (ra != rb || a->nparts != b->nparts || a->nends != b->nends)
		fz_fail("whole: %d with %d parts; in chunks of %zu: %d with %d",
		    ra, a->nparts, step, rb, b->nparts);
	for (int i = 0; i < a->nparts; i++)
		if (a->part[i].offset != b->part[i].offset ||
		    strcmp(a->part[i].name, b->part[i].name) != 0 ||
		    strcmp(a->part[i].filename, b->part[i].filename) != 0 ||
		    a->part[i].bytes.len != b->part[i].bytes.len ||
		    (a->part[i].bytes.len > 0 && memcmp(a->part[i].bytes.data,
		    b->part[i].bytes.data, a->part[i].bytes.len) != 0))
			fz_fail("part %d differs between whole and chunked", i);
	got_free(a);
	got_free(b);
	free(a);
	free(b);
	free(body);
	return 0;
}
