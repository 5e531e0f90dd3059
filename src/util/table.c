/*
 * Which reader a table file needs (see table.h), decided by its first
 * bytes and never by its name: users rename files, and a PDF saved as
 * "clients.csv" must be refused with a message that says it is a PDF, not
 * read as a CSV of garbage. A zip is a workbook only when it holds
 * xl/workbook.xml (a .docx or an .ods is a zip too).
 */
#include "util/tablepriv.h"

#include "util/alloc.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
table_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	/* A cut message is still a message: truncation is accepted here. */
	(void)vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

struct magic {
	const char	*bytes;
	size_t		 len;
	const char	*what;
};

static const struct magic magics[] = {
	{ "%PDF", 4, "a PDF document" },
	{ "\x89PNG", 4, "a PNG image" },
	{ "\xff\xd8\xff", 3, "a JPEG image" },
	{ "GIF87a", 6, "a GIF image" },
	{ "GIF89a", 6, "a GIF image" },
	{ "\x7f" "ELF", 4, "a program (ELF executable)" },
	{ "\x1f\x8b", 2, "a gzip-compressed file" },
};

/*
 * UTF-16 text without a BOM has a NUL in nearly every other byte (the high
 * byte of ASCII characters) and almost none in the other half.
 */
const char *
table_utf16(const unsigned char *h, size_t n)
{
	size_t even = 0, odd = 0, i;

	for (i = 0; i + 1 < n; i += 2) {
		even += h[i] == 0;
		odd += h[i + 1] == 0;
	}
	if (odd * 10 >= n / 2 * 3 && odd > 0 && even * 20 <= odd)
		return "UTF-16LE";
	if (even * 10 >= n / 2 * 3 && even > 0 && odd * 20 <= even)
		return "UTF-16BE";
	return NULL;
}

int
table_sniff_head(const unsigned char *h, size_t n, enum table_format *out,
    char *err, size_t errlen)
{
	size_t i;

	if (n >= 4 && memcmp(h, "PK\3\4", 4) == 0) {
		*out = TABLE_XLSX;
		return 0;
	}
	if (n >= 4 && (memcmp(h, "PK\5\6", 4) == 0 ||
	    memcmp(h, "PK\7\x08", 4) == 0)) {
		table_err(err, errlen, "the file is a zip archive, not an XLSX "
		    "workbook");
		return -1;
	}
	if (n >= 4 && memcmp(h, "\xd0\xcf\x11\xe0", 4) == 0) {
		table_err(err, errlen, "the file is an old Excel .xls file (or a "
		    "password-protected workbook): save it as .xlsx or CSV");
		return -1;
	}
	for (i = 0; i < sizeof(magics) / sizeof(magics[0]); i++) {
		if (n >= magics[i].len &&
		    memcmp(h, magics[i].bytes, magics[i].len) == 0) {
			table_err(err, errlen, "the file is %s, not a CSV or "
			    "XLSX table", magics[i].what);
			return -1;
		}
	}
	/* A byte-order mark says text whatever follows. */
	if (n >= 2 && (memcmp(h, "\xff\xfe", 2) == 0 ||
	    memcmp(h, "\xfe\xff", 2) == 0)) {
		*out = TABLE_CSV;
		return 0;
	}
	if (memchr(h, 0, n) != NULL && table_utf16(h, n) == NULL) {
		table_err(err, errlen, "the file is binary (it holds NUL bytes), "
		    "not a CSV or XLSX table");
		return -1;
	}
	*out = TABLE_CSV;
	return 0;
}

static int
zip_check(zip_t *z, char *err, size_t errlen)
{
	if (zip_name_locate(z, "xl/workbook.xml", 0) < 0) {
		table_err(err, errlen, "the file is a zip archive, not an XLSX "
		    "workbook (it has no xl/workbook.xml)");
		return -1;
	}
	return 0;
}

static zip_t *
zip_from_path(const char *path, char *err, size_t errlen)
{
	zip_t *z;
	int ze = 0;

	z = zip_open(path, ZIP_RDONLY, &ze);
	if (z == NULL) {
		zip_error_t e;

		zip_error_init_with_code(&e, ze);
		table_err(err, errlen, "the file is a damaged zip archive (%s)",
		    zip_error_strerror(&e));
		zip_error_fini(&e);
	}
	return z;
}

static int
read_head(FILE *fp, unsigned char *h, size_t *n, char *err, size_t errlen)
{
	*n = fread(h, 1, TABLE_HEAD, fp);
	if (ferror(fp)) {
		table_err(err, errlen, "cannot read the file: %s",
		    strerror(errno));
		return -1;
	}
	return 0;
}

static int
sniff_fp(FILE *fp, const char *path, enum table_format *out, char *err,
    size_t errlen)
{
	unsigned char *h;
	size_t n;
	int rc;

	h = xmalloc(TABLE_HEAD);
	rc = read_head(fp, h, &n, err, errlen);
	if (rc == 0)
		rc = table_sniff_head(h, n, out, err, errlen);
	free(h);
	if (rc == 0 && *out == TABLE_XLSX && path != NULL) {
		zip_t *z = zip_from_path(path, err, errlen);

		if (z == NULL)
			return -1;
		rc = zip_check(z, err, errlen);
		zip_discard(z);
	}
	return rc;
}

int
table_sniff(const char *path, enum table_format *out, char *err,
    size_t errlen)
{
	FILE *fp;
	int rc;

	fp = fopen(path, "rb");
	if (fp == NULL) {
		table_err(err, errlen, "cannot open the file: %s",
		    strerror(errno));
		return -1;
	}
	rc = sniff_fp(fp, path, out, err, errlen);
	fclose(fp);
	return rc;
}

/* NULL options mean the defaults, a NULL info a scratch one. */
static void
start(const struct table_opts **o, struct table_info **info,
    struct table_info *scratch)
{
	static const struct table_opts none;

	if (*o == NULL)
		*o = &none;
	if (*info == NULL)
		*info = scratch;
	memset(*info, 0, sizeof(**info));
	(*info)->format = TABLE_CSV;
}

static int
read_zip(zip_t *z, unsigned long long size, const struct table_opts *o,
    struct table_info *info, table_row_fn fn, void *arg, char *err,
    size_t errlen)
{
	if (zip_check(z, err, errlen) != 0)
		return -1;
	return txlsx_read(z, size, o, info, fn, arg, err, errlen);
}

int
table_read(const char *path, const struct table_opts *o,
    struct table_info *info, table_row_fn fn, void *arg, char *err,
    size_t errlen)
{
	struct table_info scratch;
	enum table_format f;
	FILE *fp;
	int rc;

	start(&o, &info, &scratch);
	fp = fopen(path, "rb");
	if (fp == NULL) {
		table_err(err, errlen, "cannot open the file: %s",
		    strerror(errno));
		return -1;
	}
	rc = sniff_fp(fp, NULL, &f, err, errlen);
	if (rc == 0 && f == TABLE_CSV) {
		rewind(fp);
		rc = tcsv_read(fp, o, info, fn, arg, err, errlen);
	} else if (rc == 0) {
		zip_t *z;
		long size;

		info->format = TABLE_XLSX;
		rc = fseek(fp, 0, SEEK_END) == 0 ? 0 : -1;
		size = ftell(fp);
		z = rc == 0 && size >= 0 ? zip_from_path(path, err, errlen) :
		    NULL;
		if (z == NULL) {
			if (rc != 0 || size < 0)
				table_err(err, errlen, "cannot read the file: %s",
				    strerror(errno));
			rc = -1;
		} else {
			rc = read_zip(z, (unsigned long long)size, o, info, fn,
			    arg, err, errlen);
			zip_discard(z);
		}
	}
	fclose(fp);
	return rc;
}

int
table_read_mem(const void *data, size_t len, const struct table_opts *o,
    struct table_info *info, table_row_fn fn, void *arg, char *err,
    size_t errlen)
{
	struct table_info scratch;
	enum table_format f;
	zip_source_t *src;
	zip_error_t ze;
	zip_t *z;
	FILE *fp;
	int rc;

	start(&o, &info, &scratch);
	if (table_sniff_head(data, len < TABLE_HEAD ? len : TABLE_HEAD, &f, err,
	    errlen) != 0)
		return -1;
	if (f == TABLE_CSV) {
		if (len == 0)
			return 0;
		fp = fmemopen((void *)(uintptr_t)data, len, "rb");
		if (fp == NULL) {
			table_err(err, errlen, "cannot read the data: %s",
			    strerror(errno));
			return -1;
		}
		rc = tcsv_read(fp, o, info, fn, arg, err, errlen);
		fclose(fp);
		return rc;
	}
	info->format = TABLE_XLSX;
	zip_error_init(&ze);
	src = zip_source_buffer_create(data, len, 0, &ze);
	z = src != NULL ? zip_open_from_source(src, ZIP_RDONLY, &ze) : NULL;
	if (z == NULL) {
		table_err(err, errlen, "the file is a damaged zip archive (%s)",
		    zip_error_strerror(&ze));
		if (src != NULL)
			zip_source_free(src);
		zip_error_fini(&ze);
		return -1;
	}
	zip_error_fini(&ze);
	rc = read_zip(z, len, o, info, fn, arg, err, errlen);
	zip_discard(z);
	return rc;
}
