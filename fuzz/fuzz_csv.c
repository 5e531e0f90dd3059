/*
 * The CSV reader of imports (util/csvread.c through util/tablepriv.h).
 *
 * Input: the first byte picks the options (its low 3 bits the encoding:
 * detect, UTF-8, WINDOWS-1251, SHIFT_JIS, UTF-16LE, UTF-16BE, KOI8-R,
 * detect; the next 3 the delimiter: detect , ; TAB | detect); the rest is
 * the file, read from memory (fmemopen) in an exact-size buffer.
 *
 * Properties, each aborting when broken (fuzz/table_check.h): every cell
 * is NUL-terminated valid UTF-8 of its length and within the limits, row
 * numbers go 1, 2, 3..., a failure says why, and a second read asked to
 * stop after the first rows gives exactly those rows of the first read.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "table_check.h"
#include "util/tablepriv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const encodings[] = {
	NULL, "UTF-8", "WINDOWS-1251", "SHIFT_JIS", "UTF-16LE", "UTF-16BE",
	"KOI8-R", NULL,
};
static const char delimiters[] = { 0, ',', ';', '\t', '|', 0, 0, 0 };

struct input {
	const char		*body;
	size_t			 n;
	struct table_opts	 o;
};

/* One read of the input (a struct input) into seen; the reader's value. */
static int
run(void *ctx, struct rows_seen *seen, struct table_info *info, char *err,
    size_t errlen)
{
	const struct input *in = ctx;
	FILE *fp;
	int rc;

	seen->consecutive = true;
	if (in->n == 0)
		return 0;	/* fmemopen refuses an empty buffer */
	fp = fmemopen((void *)(uintptr_t)in->body, in->n, "rb");
	if (fp == NULL)
		fz_fail("fmemopen: out of memory");
	rc = tcsv_read(fp, &in->o, info, tc_row, seen, err, errlen);
	fclose(fp);
	return rc;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input in;
	char *body;

	if (size == 0)
		return 0;
	memset(&in, 0, sizeof(in));
	in.o.encoding = encodings[data[0] & 7];
	in.o.delimiter = delimiters[(data[0] >> 3) & 7];
	in.n = size - 1;
	/* An exact-size copy, so AddressSanitizer sees reads past the end. */
	body = malloc(in.n > 0 ? in.n : 1);
	if (body == NULL)
		fz_fail("out of memory");
	memcpy(body, data + 1, in.n);
	in.body = body;
	tc_read_twice(run, &in);
	free(body);
	return 0;
}
