/*
 * The backup reader (core/bkfile.h): what crm backup --verify and crm
 * restore read from a file that may have been damaged or crafted.
 *
 * The first byte chooses the layer: odd, the rest is a backup file as it
 * is stored (zstd-compressed); even, the rest is the decompressed stream,
 * compressed here first, so mutations reach the header, manifest, entry
 * and trailer checks behind the zstd layer instead of dying in it.
 *
 * Properties checked: the reader never reads or writes out of bounds
 * (ASan), a successful read hands the sink exactly the bytes of every
 * entry the manifest lists, in order, each one's end only after its data,
 * and a failed read always says why.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zstd.h>

#include "common.h"
#include "core/bkfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct seen {
	size_t		entries;
	size_t		ends;
	uint64_t	bytes;	/* of the entry being read */
	uint64_t	want;
};

static int
on_begin(void *arg, const struct bkf_entry *e, size_t index, char *err,
    size_t errlen)
{
	struct seen *s = arg;

	(void)err;
	(void)errlen;
	if (index != s->entries || s->ends != s->entries)
		fz_fail("entry %zu began out of order", index);
	if (!bkf_path_ok(e->path, strlen(e->path), err, errlen))
		fz_fail("an unsafe path reached the sink: %s", e->path);
	s->entries++;
	s->bytes = 0;
	s->want = e->size;
	return 0;
}

static int
on_data(void *arg, const void *p, size_t n, char *err, size_t errlen)
{
	struct seen *s = arg;

	(void)p;
	(void)err;
	(void)errlen;
	s->bytes += n;
	if (s->bytes > s->want)
		fz_fail("more data than the entry's size");
	return 0;
}

static int
on_end(void *arg, const struct bkf_entry *e, char *err, size_t errlen)
{
	struct seen *s = arg;

	(void)err;
	(void)errlen;
	if (s->bytes != e->size)
		fz_fail("entry %s ended after %llu of %llu bytes", e->path,
		    (unsigned long long)s->bytes, (unsigned long long)e->size);
	s->ends++;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct seen s = { 0, 0, 0, 0 };
	struct bkf_sink sink = { &s, NULL, on_begin, on_data, on_end };
	struct bkf_manifest m;
	char err[512];
	void *z = NULL;
	size_t zlen;
	int rc;

	if (size < 1 || size > (1u << 20))
		return 0;
	if (data[0] & 1) {
		rc = bkf_read_mem(data + 1, size - 1, &sink, &m, err, sizeof(err));
	} else {
		z = malloc(ZSTD_compressBound(size - 1));
		if (z == NULL)
			return 0;
		zlen = ZSTD_compress(z, ZSTD_compressBound(size - 1), data + 1,
		    size - 1, 1);
		if (ZSTD_isError(zlen)) {
			free(z);
			return 0;
		}
		rc = bkf_read_mem(z, zlen, &sink, &m, err, sizeof(err));
	}
	free(z);
	if (rc == 0) {
		if (s.entries != m.n || s.ends != m.n || m.n == 0)
			fz_fail("a good read listed %zu entries, the sink saw %zu",
			    m.n, s.ends);
		bkf_manifest_free(&m);
	} else if (err[0] == '\0') {
		fz_fail("a refused backup without a reason");
	}
	return 0;
}
