/*
 * The backup container: a writer that streams a manifest and files into
 * one zstd stream, and a strict reader. The format and the reader's
 * guarantees are in core/bkfile.h.
 *
 * The reader decompresses into a fixed buffer and hands out bytes through
 * rd_get(), which also feeds the trailer's hash; lengths from the file are
 * compared with their caps and with the manifest before anything depends on
 * them, so a hostile file costs at most BKF_MANIFEST_MAX bytes of memory.
 */
#include "core/bkfile.h"

#include <errno.h>
#include <jansson.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zstd.h>

#include "util/alloc.h"

#define BKF_MAGIC	"CRMBAK\r\n"
#define CHUNK		(256u * 1024)
#define ZLEVEL		3

void
bkf_manifest_free(struct bkf_manifest *m)
{
	if (m == NULL)
		return;
	for (size_t i = 0; i < m->n; i++)
		free(m->entries[i].path);
	free(m->entries);
	m->entries = NULL;
	m->n = 0;
}

bool
bkf_path_ok(const char *path, size_t len, char *why, size_t whylen)
{
	size_t start = 0;

	if (len == 0 || len > BKF_PATH_MAX) {
		snprintf(why, whylen, "an empty or over-long path");
		return false;
	}
	if (path[0] == '/') {
		snprintf(why, whylen, "an absolute path");
		return false;
	}
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)path[i];

		if (ch == '\0' || ch < 0x20 || ch == 0x7f || ch == '\\') {
			snprintf(why, whylen, "a NUL, control character or backslash "
			    "in the path");
			return false;
		}
	}
	for (size_t i = 0; i <= len; i++) {
		if (i < len && path[i] != '/')
			continue;
		if (i == start || (i - start == 1 && path[start] == '.') ||
		    (i - start == 2 && path[start] == '.' && path[start + 1] == '.')) {
			snprintf(why, whylen, "an empty, \".\" or \"..\" component "
			    "(a path leaving its folder)");
			return false;
		}
		start = i + 1;
	}
	return true;
}

static void
hex_of(const unsigned char *h, char out[2 * BKF_HASH_LEN + 1])
{
	sodium_bin2hex(out, 2 * BKF_HASH_LEN + 1, h, BKF_HASH_LEN);
}

char *
bkf_manifest_json(const struct bkf_manifest *m)
{
	json_t *root, *arr = json_array();
	char hex[2 * BKF_HASH_LEN + 1];
	char *text;

	for (size_t i = 0; i < m->n; i++) {
		hex_of(m->entries[i].hash, hex);
		json_array_append_new(arr, json_pack("{s:s, s:I, s:s}", "path",
		    m->entries[i].path, "size", (json_int_t)m->entries[i].size,
		    "blake2b", hex));
	}
	root = json_pack("{s:i, s:s, s:s, s:s, s:I, s:o}", "format", m->format,
	    "crm_version", m->crm_version, "created_at", m->created_at,
	    "dialect", m->dialect, "schema_version",
	    (json_int_t)m->schema_version, "entries", arr);
	text = json_dumps(root, JSON_INDENT(1));
	json_decref(root);
	if (text == NULL)
		abort();	/* only on out-of-memory */
	return text;
}

/* ---- writing ---- */

struct bkf_writer {
	int				 fd;
	ZSTD_CCtx			*cc;
	unsigned char			*out;
	size_t				 outcap;
	crypto_generichash_state	 h;
	const struct bkf_manifest	*m;
	size_t				 next;
	unsigned char			*chunk;
};

static int
write_all(int fd, const unsigned char *p, size_t n, char *err, size_t errlen)
{
	while (n > 0) {
		ssize_t k = write(fd, p, n);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			snprintf(err, errlen, "writing the backup failed: %s",
			    k < 0 ? strerror(errno) : "nothing written");
			return -1;
		}
		p += k;
		n -= (size_t)k;
	}
	return 0;
}

/* Feeds bytes to the hash and the compressor; mode ZSTD_e_end finishes. */
static int
w_put(struct bkf_writer *w, const void *p, size_t n, ZSTD_EndDirective mode,
    char *err, size_t errlen)
{
	ZSTD_inBuffer in = { p, n, 0 };
	size_t rem;

	if (n > 0)
		crypto_generichash_update(&w->h, p, n);
	do {
		ZSTD_outBuffer out = { w->out, w->outcap, 0 };

		rem = ZSTD_compressStream2(w->cc, &out, &in, mode);
		if (ZSTD_isError(rem)) {
			snprintf(err, errlen, "compression failed: %s",
			    ZSTD_getErrorName(rem));
			return -1;
		}
		if (write_all(w->fd, w->out, out.pos, err, errlen) != 0)
			return -1;
	} while (mode == ZSTD_e_end ? rem != 0 : in.pos < in.size);
	return 0;
}

static void
be32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

static void
be64(unsigned char *p, uint64_t v)
{
	be32(p, (uint32_t)(v >> 32));
	be32(p + 4, (uint32_t)v);
}

int
bkf_writer_open(int fd, struct bkf_writer **out, char *err, size_t errlen)
{
	struct bkf_writer *w = xcalloc(1, sizeof(*w));

	w->fd = fd;
	w->cc = ZSTD_createCCtx();
	if (w->cc == NULL || ZSTD_isError(ZSTD_CCtx_setParameter(w->cc,
	    ZSTD_c_compressionLevel, ZLEVEL)) || ZSTD_isError(
	    ZSTD_CCtx_setParameter(w->cc, ZSTD_c_checksumFlag, 1))) {
		snprintf(err, errlen, "cannot start the compressor");
		bkf_writer_free(w);
		return -1;
	}
	w->outcap = ZSTD_CStreamOutSize();
	w->out = xmalloc(w->outcap);
	w->chunk = xmalloc(CHUNK);
	crypto_generichash_init(&w->h, NULL, 0, BKF_HASH_LEN);
	*out = w;
	return 0;
}

int
bkf_write_manifest(struct bkf_writer *w, const struct bkf_manifest *m,
    char *err, size_t errlen)
{
	char *text = bkf_manifest_json(m);
	size_t len = strlen(text);
	unsigned char head[16];
	int rc;

	if (len > BKF_MANIFEST_MAX) {
		snprintf(err, errlen, "the manifest is over %u bytes: too many "
		    "files", BKF_MANIFEST_MAX);
		free(text);
		return -1;
	}
	memcpy(head, BKF_MAGIC, 8);
	be32(head + 8, BKF_FORMAT);
	be32(head + 12, (uint32_t)len);
	rc = w_put(w, head, sizeof(head), ZSTD_e_continue, err, errlen);
	if (rc == 0)
		rc = w_put(w, text, len, ZSTD_e_continue, err, errlen);
	free(text);
	w->m = m;
	w->next = 0;
	return rc;
}

int
bkf_write_entry(struct bkf_writer *w, int fd, char *err, size_t errlen)
{
	const struct bkf_entry *e;
	crypto_generichash_state h;
	unsigned char head[1 + 2 + BKF_PATH_MAX + 8], sum[BKF_HASH_LEN];
	size_t plen, hlen;
	uint64_t done = 0;

	if (w->m == NULL || w->next >= w->m->n) {
		snprintf(err, errlen, "more entries than the manifest lists");
		return -1;
	}
	e = &w->m->entries[w->next++];
	plen = strlen(e->path);
	head[0] = 'F';
	head[1] = (unsigned char)(plen >> 8);
	head[2] = (unsigned char)plen;
	memcpy(head + 3, e->path, plen);
	be64(head + 3 + plen, e->size);
	hlen = 3 + plen + 8;
	if (w_put(w, head, hlen, ZSTD_e_continue, err, errlen) != 0)
		return -1;
	crypto_generichash_init(&h, NULL, 0, BKF_HASH_LEN);
	for (;;) {
		ssize_t k = read(fd, w->chunk, CHUNK);

		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			snprintf(err, errlen, "%s: read failed: %s", e->path,
			    strerror(errno));
			return -1;
		}
		if (k == 0)
			break;
		if (done + (uint64_t)k > e->size) {
			snprintf(err, errlen, "%s grew while it was being backed up; "
			    "run the backup again", e->path);
			return -1;
		}
		crypto_generichash_update(&h, w->chunk, (size_t)k);
		if (w_put(w, w->chunk, (size_t)k, ZSTD_e_continue, err, errlen) != 0)
			return -1;
		done += (uint64_t)k;
	}
	crypto_generichash_final(&h, sum, sizeof(sum));
	if (done != e->size || sodium_memcmp(sum, e->hash, sizeof(sum)) != 0) {
		snprintf(err, errlen, "%s changed while it was being backed up; "
		    "run the backup again", e->path);
		return -1;
	}
	return 0;
}

int
bkf_writer_finish(struct bkf_writer *w, char *err, size_t errlen)
{
	unsigned char end = 'Z', sum[BKF_HASH_LEN];

	if (w->m == NULL || w->next != w->m->n) {
		snprintf(err, errlen, "fewer entries than the manifest lists");
		return -1;
	}
	if (w_put(w, &end, 1, ZSTD_e_continue, err, errlen) != 0)
		return -1;
	crypto_generichash_final(&w->h, sum, sizeof(sum));
	/* The trailer is not part of what it hashes: fed to zstd only. */
	{
		ZSTD_inBuffer in = { sum, sizeof(sum), 0 };
		size_t rem;

		do {
			ZSTD_outBuffer out = { w->out, w->outcap, 0 };

			rem = ZSTD_compressStream2(w->cc, &out, &in, ZSTD_e_end);
			if (ZSTD_isError(rem)) {
				snprintf(err, errlen, "compression failed: %s",
				    ZSTD_getErrorName(rem));
				return -1;
			}
			if (write_all(w->fd, w->out, out.pos, err, errlen) != 0)
				return -1;
		} while (rem != 0);
	}
	return 0;
}

void
bkf_writer_free(struct bkf_writer *w)
{
	if (w == NULL)
		return;
	ZSTD_freeCCtx(w->cc);
	free(w->out);
	free(w->chunk);
	free(w);
}

int
bkf_hash_fd(int fd, unsigned char hash[BKF_HASH_LEN], uint64_t *size)
{
	crypto_generichash_state h;
	unsigned char *buf = xmalloc(CHUNK);
	uint64_t n = 0;

	crypto_generichash_init(&h, NULL, 0, BKF_HASH_LEN);
	for (;;) {
		ssize_t k = read(fd, buf, CHUNK);

		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			free(buf);
			return -1;
		}
		if (k == 0)
			break;
		crypto_generichash_update(&h, buf, (size_t)k);
		n += (uint64_t)k;
	}
	free(buf);
	crypto_generichash_final(&h, hash, BKF_HASH_LEN);
	*size = n;
	return 0;
}

/* ---- reading ---- */

struct rd {
	const struct bkf_source		*src;
	ZSTD_DCtx			*dc;
	unsigned char			*in;
	size_t				 incap;
	ZSTD_inBuffer			 ib;
	bool				 src_end;
	size_t				 frame;	/* last zstd return: 0 = a frame ended */
	unsigned char			*out;
	size_t				 outcap, outpos, outlen;
	crypto_generichash_state	 h;
	uint64_t			 offset;	/* decompressed bytes taken */
	char				*err;
	size_t				 errlen;
};

/* More decompressed bytes: 1 when some are ready, 0 at the end, -1 error. */
static int
rd_fill(struct rd *r)
{
	r->outpos = r->outlen = 0;
	for (;;) {
		ZSTD_outBuffer ob = { r->out, r->outcap, 0 };

		if (r->ib.pos == r->ib.size && !r->src_end) {
			ssize_t k = r->src->read(r->src->arg, r->in, r->incap);

			if (k < 0) {
				snprintf(r->err, r->errlen, "reading the backup failed: "
				    "%s", strerror(errno));
				return -1;
			}
			if (k == 0)
				r->src_end = true;
			r->ib.src = r->in;
			r->ib.size = (size_t)k;
			r->ib.pos = 0;
		}
		if (r->ib.pos == r->ib.size && r->src_end) {
			/*
			 * A finished frame (0) holds nothing more; an unfinished one
			 * may still hold decompressed bytes: ask once more.
			 */
			if (r->frame == 0 && r->offset > 0)
				return 0;
			r->frame = ZSTD_decompressStream(r->dc, &ob, &r->ib);
			if (ZSTD_isError(r->frame)) {
				snprintf(r->err, r->errlen, "the compressed data is "
				    "damaged (zstd: %s)", ZSTD_getErrorName(r->frame));
				return -1;
			}
			r->outlen = ob.pos;
			return ob.pos > 0 ? 1 : 0;
		}
		r->frame = ZSTD_decompressStream(r->dc, &ob, &r->ib);
		if (ZSTD_isError(r->frame)) {
			snprintf(r->err, r->errlen, "the compressed data is damaged "
			    "(zstd: %s)", ZSTD_getErrorName(r->frame));
			return -1;
		}
		if (ob.pos > 0) {
			r->outlen = ob.pos;
			return 1;
		}
	}
}

/* Takes exactly n bytes into dst (or only hashes them when dst is NULL). */
static int
rd_get(struct rd *r, void *dst, size_t n, bool hash, const char *what)
{
	unsigned char *d = dst;

	while (n > 0) {
		size_t k;

		if (r->outpos == r->outlen) {
			int rc = rd_fill(r);

			if (rc < 0)
				return -1;
			if (rc == 0) {
				snprintf(r->err, r->errlen, "the backup ends early, in "
				    "%s after %llu bytes of content: it is truncated "
				    "(an incomplete copy or download)", what,
				    (unsigned long long)r->offset);
				return -1;
			}
		}
		k = r->outlen - r->outpos;
		if (k > n)
			k = n;
		if (hash)
			crypto_generichash_update(&r->h, r->out + r->outpos, k);
		if (d != NULL) {
			memcpy(d, r->out + r->outpos, k);
			d += k;
		}
		r->outpos += k;
		r->offset += k;
		n -= k;
	}
	return 0;
}

static uint32_t
rd32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
	    p[3];
}

static int bad_manifest(struct rd *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int
bad_manifest(struct rd *r, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(r->err, r->errlen, "the manifest is not valid: %s", msg);
	return -1;
}

static int
parse_entry(struct rd *r, json_t *o, size_t i, struct bkf_entry *e)
{
	json_t *path = json_object_get(o, "path");
	json_t *size = json_object_get(o, "size");
	json_t *sum = json_object_get(o, "blake2b");
	char why[128], where[64];
	size_t plen, hlen;

	snprintf(where, sizeof(where), "entry %zu", i + 1);
	if (!json_is_object(o) || !json_is_string(path) || !json_is_integer(size) ||
	    !json_is_string(sum))
		return bad_manifest(r, "%s needs path, size and blake2b", where);
	plen = json_string_length(path);
	if (!bkf_path_ok(json_string_value(path), plen, why, sizeof(why)) ||
	    strlen(json_string_value(path)) != plen) {
		snprintf(r->err, r->errlen, "the manifest names an unsafe path "
		    "(%s): \"%.200s\"; refused", why, json_string_value(path));
		return -1;
	}
	if (i == 0 ? strcmp(json_string_value(path), BKF_DB_ENTRY) != 0 :
	    strncmp(json_string_value(path), "files/", 6) != 0)
		return bad_manifest(r, "%s must be database.sqlite first, then "
		    "paths under files/", where);
	if (json_integer_value(size) < 0 ||
	    (uint64_t)json_integer_value(size) > BKF_SIZE_MAX)
		return bad_manifest(r, "%s has an impossible size", where);
	hlen = json_string_length(sum);
	if (hlen != 2 * BKF_HASH_LEN || strspn(json_string_value(sum),
	    "0123456789abcdef") != hlen || sodium_hex2bin(e->hash, BKF_HASH_LEN,
	    json_string_value(sum), hlen, NULL, NULL, NULL) != 0)
		return bad_manifest(r, "%s: blake2b must be 64 hex digits", where);
	e->path = xstrndup(json_string_value(path), plen);
	e->size = (uint64_t)json_integer_value(size);
	return 0;
}

/* The manifest JSON into m, with every rule of core/bkfile.h checked. */
static int
parse_manifest(struct rd *r, const char *text, size_t len,
    struct bkf_manifest *m)
{
	json_error_t jerr;
	json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	json_t *fmt, *ver, *at, *dia, *sv, *ents;
	const char **paths = NULL;
	int rc = -1;

	memset(m, 0, sizeof(*m));
	if (root == NULL || !json_is_object(root)) {
		json_decref(root);
		return bad_manifest(r, "not a JSON object (%s)", jerr.text);
	}
	fmt = json_object_get(root, "format");
	ver = json_object_get(root, "crm_version");
	at = json_object_get(root, "created_at");
	dia = json_object_get(root, "dialect");
	sv = json_object_get(root, "schema_version");
	ents = json_object_get(root, "entries");
	if (!json_is_integer(fmt) || json_integer_value(fmt) != BKF_FORMAT) {
		bad_manifest(r, "%s", "format must be 1");
		goto out;
	}
	if (!json_is_string(ver) || json_string_length(ver) >= sizeof(m->crm_version) ||
	    !json_is_string(at) || json_string_length(at) >= sizeof(m->created_at) ||
	    !json_is_string(dia) || strcmp(json_string_value(dia), "sqlite") != 0 ||
	    !json_is_integer(sv) || json_integer_value(sv) < 0) {
		bad_manifest(r, "%s", "crm_version, created_at, dialect (sqlite) "
		    "or schema_version missing or wrong");
		goto out;
	}
	if (!json_is_array(ents) || json_array_size(ents) == 0 ||
	    json_array_size(ents) > BKF_ENTRIES_MAX) {
		bad_manifest(r, "%s", "entries must list 1 to 1000000 files");
		goto out;
	}
	m->format = BKF_FORMAT;
	snprintf(m->crm_version, sizeof(m->crm_version), "%s",
	    json_string_value(ver));
	snprintf(m->created_at, sizeof(m->created_at), "%s", json_string_value(at));
	snprintf(m->dialect, sizeof(m->dialect), "sqlite");
	m->schema_version = json_integer_value(sv);
	m->entries = xcalloc(json_array_size(ents), sizeof(*m->entries));
	for (size_t i = 0; i < json_array_size(ents); i++) {
		if (parse_entry(r, json_array_get(ents, i), i, &m->entries[i]) != 0)
			goto out;
		m->n++;
		if (i >= 2 && strcmp(m->entries[i - 1].path, m->entries[i].path) >= 0) {
			bad_manifest(r, "\"%.200s\" repeats or is out of order",
			    m->entries[i].path);
			goto out;
		}
	}
	/* No entry may also be a folder of another: "files/a", "files/a/b". */
	paths = xcalloc(m->n, sizeof(*paths));
	for (size_t i = 0; i < m->n; i++)
		paths[i] = m->entries[i].path;
	for (size_t i = 1; i < m->n; i++) {
		size_t plen = strlen(paths[i]), lo = 1, hi = m->n;
		char *dir = xmalloc(plen + 2);

		memcpy(dir, paths[i], plen);
		dir[plen] = '/';
		dir[plen + 1] = '\0';
		while (lo < hi) {	/* the first path >= dir */
			size_t mid = lo + (hi - lo) / 2;

			if (strcmp(paths[mid], dir) < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo < m->n && strncmp(paths[lo], dir, plen + 1) == 0) {
			free(dir);
			bad_manifest(r, "\"%.200s\" is both a file and a folder",
			    paths[i]);
			goto out;
		}
		free(dir);
	}
	rc = 0;
out:
	free(paths);
	json_decref(root);
	if (rc != 0)
		bkf_manifest_free(m);
	return rc;
}

static int
read_entry(struct rd *r, const struct bkf_entry *e, size_t index,
    const struct bkf_sink *sink, unsigned char *buf)
{
	crypto_generichash_state h;
	unsigned char head[3], sz[8], sum[BKF_HASH_LEN];
	char path[BKF_PATH_MAX + 1];
	size_t plen, want = strlen(e->path);
	uint64_t size, left;

	if (rd_get(r, head, 3, true, "an entry header") != 0)
		return -1;
	plen = (size_t)head[1] << 8 | head[2];
	if (head[0] != 'F' || plen != want) {
		snprintf(r->err, r->errlen, "entry %zu does not start where the "
		    "manifest says (%s expected): the content is out of step",
		    index + 1, e->path);
		return -1;
	}
	if (rd_get(r, path, plen, true, "an entry header") != 0 ||
	    rd_get(r, sz, 8, true, "an entry header") != 0)
		return -1;
	size = (uint64_t)rd32(sz) << 32 | rd32(sz + 4);
	if (memcmp(path, e->path, plen) != 0 || size != e->size) {
		snprintf(r->err, r->errlen, "entry %zu is not %s of %llu bytes as "
		    "the manifest says", index + 1, e->path,
		    (unsigned long long)e->size);
		return -1;
	}
	if (sink->entry_begin != NULL &&
	    sink->entry_begin(sink->arg, e, index, r->err, r->errlen) != 0)
		return -1;
	crypto_generichash_init(&h, NULL, 0, BKF_HASH_LEN);
	for (left = size; left > 0;) {
		size_t k = left > CHUNK ? CHUNK : (size_t)left;

		if (rd_get(r, buf, k, true, e->path) != 0)
			return -1;
		crypto_generichash_update(&h, buf, k);
		if (sink->entry_data != NULL &&
		    sink->entry_data(sink->arg, buf, k, r->err, r->errlen) != 0)
			return -1;
		left -= k;
	}
	crypto_generichash_final(&h, sum, sizeof(sum));
	if (sodium_memcmp(sum, e->hash, sizeof(sum)) != 0) {
		snprintf(r->err, r->errlen, "%s does not match its checksum in the "
		    "manifest: the backup was altered or damaged", e->path);
		return -1;
	}
	if (sink->entry_end != NULL &&
	    sink->entry_end(sink->arg, e, r->err, r->errlen) != 0)
		return -1;
	return 0;
}

int
bkf_read(const struct bkf_source *src, const struct bkf_sink *sink,
    struct bkf_manifest *mout, char *err, size_t errlen)
{
	static const struct bkf_sink none = { NULL, NULL, NULL, NULL, NULL };
	struct rd r;
	struct bkf_manifest m;
	unsigned char head[16], end, sum[BKF_HASH_LEN], want[BKF_HASH_LEN];
	unsigned char *buf = NULL;
	char *text = NULL;
	size_t mlen, have = 0, cap;
	int rc = -1;

	memset(&r, 0, sizeof(r));
	memset(&m, 0, sizeof(m));
	if (sink == NULL)
		sink = &none;
	r.src = src;
	r.err = err;
	r.errlen = errlen;
	r.dc = ZSTD_createDCtx();
	if (r.dc == NULL) {
		snprintf(err, errlen, "cannot start the decompressor");
		return -1;
	}
	/* A window over 128 MiB is not one this writer makes: refuse it. */
	ZSTD_DCtx_setParameter(r.dc, ZSTD_d_windowLogMax, 27);
	r.incap = ZSTD_DStreamInSize();
	r.in = xmalloc(r.incap);
	r.outcap = ZSTD_DStreamOutSize();
	r.out = xmalloc(r.outcap);
	crypto_generichash_init(&r.h, NULL, 0, BKF_HASH_LEN);
	if (rd_get(&r, head, sizeof(head), true, "the header") != 0)
		goto out;
	if (memcmp(head, BKF_MAGIC, 8) != 0) {
		snprintf(err, errlen, "not a crm backup (its header is not "
		    "CRMBAK)");
		goto out;
	}
	if (rd32(head + 8) != BKF_FORMAT) {
		snprintf(err, errlen, "backup format %u is not known to this crm "
		    "(it reads format %d): use the crm that made it",
		    rd32(head + 8), BKF_FORMAT);
		goto out;
	}
	mlen = rd32(head + 12);
	if (mlen == 0 || mlen > BKF_MANIFEST_MAX) {
		snprintf(err, errlen, "the manifest length %zu is out of bounds",
		    mlen);
		goto out;
	}
	/* Grown as bytes arrive: a huge length in a short file costs nothing. */
	cap = mlen < 65536 ? mlen : 65536;
	text = xmalloc(cap);
	while (have < mlen) {
		size_t k = mlen - have < 65536 ? mlen - have : 65536;

		if (have + k > cap) {
			cap = cap * 2 < mlen ? cap * 2 : mlen;
			if (cap < have + k)
				cap = have + k;
			text = xrealloc(text, cap);
		}
		if (rd_get(&r, text + have, k, true, "the manifest") != 0)
			goto out;
		have += k;
	}
	if (parse_manifest(&r, text, mlen, &m) != 0)
		goto out;
	if (sink->manifest != NULL && sink->manifest(sink->arg, &m, err, errlen) != 0)
		goto out;
	buf = xmalloc(CHUNK);
	for (size_t i = 0; i < m.n; i++)
		if (read_entry(&r, &m.entries[i], i, sink, buf) != 0)
			goto out;
	if (rd_get(&r, &end, 1, true, "the end marker") != 0)
		goto out;
	if (end != 'Z') {
		snprintf(err, errlen, "more content follows the last entry of the "
		    "manifest: the backup was altered");
		goto out;
	}
	crypto_generichash_final(&r.h, want, sizeof(want));
	if (rd_get(&r, sum, sizeof(sum), false, "the trailer") != 0)
		goto out;
	if (sodium_memcmp(sum, want, sizeof(sum)) != 0) {
		snprintf(err, errlen, "the trailer checksum does not match the "
		    "content: the backup was altered or damaged");
		goto out;
	}
	if (r.outpos == r.outlen) {
		int more = rd_fill(&r);

		if (more < 0)
			goto out;
		r.outpos = 0;
		r.outlen = more > 0 ? r.outlen : 0;
	}
	if (r.outpos < r.outlen) {
		snprintf(err, errlen, "data follows the end of the backup: it was "
		    "altered or joined with something else");
		goto out;
	}
	if (r.frame != 0 || r.ib.pos < r.ib.size) {
		snprintf(err, errlen, "the compressed stream is incomplete or "
		    "followed by other bytes: the backup is damaged");
		goto out;
	}
	rc = 0;
out:
	ZSTD_freeDCtx(r.dc);
	free(r.in);
	free(r.out);
	free(text);
	free(buf);
	if (rc == 0 && mout != NULL)
		*mout = m;
	else
		bkf_manifest_free(&m);
	return rc;
}

struct memsrc {
	const unsigned char	*p;
	size_t			 len;
	size_t			 pos;
};

static ssize_t
mem_read(void *arg, void *buf, size_t cap)
{
	struct memsrc *s = arg;
	size_t k = s->len - s->pos;

	if (k > cap)
		k = cap;
	memcpy(buf, s->p + s->pos, k);
	s->pos += k;
	return (ssize_t)k;
}

int
bkf_read_mem(const void *data, size_t len, const struct bkf_sink *sink,
    struct bkf_manifest *m, char *err, size_t errlen)
{
	struct memsrc s = { data, len, 0 };
	struct bkf_source src = { mem_read, &s };

	err[0] = '\0';
	return bkf_read(&src, sink, m, err, errlen);
}
