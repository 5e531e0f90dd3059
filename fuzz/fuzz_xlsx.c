/*
 * The XLSX reader of imports (util/xlsx.c through util/tablepriv.h).
 *
 * Input, two forms:
 *   - starting with "PK": a zip archive as it is, read from memory
 *     (libzip's parsing, the sniffing, damaged archives);
 *   - anything else: the XML of the parts, separated by lines "#--":
 *     the first sheet, then sharedStrings.xml, styles.xml, workbook.xml
 *     and workbook.xml.rels; the parts not given are small valid ones.
 *     The harness stores them in a zip of its own (no compression, right
 *     CRCs), so the mutations reach the XML instead of dying on a CRC.
 *
 * Properties, each aborting when broken (fuzz/table_check.h): every cell
 * is NUL-terminated valid UTF-8 of its length and within the limits, of
 * the shape its kind promises (dates YYYY-MM-DD, numbers that strtod
 * reads whole, TRUE/FALSE), row numbers increase, a failure says why, and
 * a second read asked to stop after the first rows gives exactly those.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "common.h"
#include "table_check.h"
#include "util/buf.h"
#include "util/tablepriv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NS "xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" " \
	"xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\""
#define RT "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"

static const char *const names[] = {
	"xl/worksheets/sheet1.xml", "xl/sharedStrings.xml", "xl/styles.xml",
	"xl/workbook.xml", "xl/_rels/workbook.xml.rels",
};
static const char *const defaults[] = {
	"<worksheet " NS "><sheetData><row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v>"
	"</c><c r=\"B1\" s=\"1\"><v>45000</v></c></row></sheetData></worksheet>",
	"<sst " NS "><si><t>Name</t></si><si><r><t>a</t></r><r><t>b</t></r>"
	"</si></sst>",
	"<styleSheet " NS "><numFmts><numFmt numFmtId=\"164\" formatCode=\""
	"dd/mm/yyyy\\ hh:mm\"/></numFmts><cellXfs><xf numFmtId=\"0\"/>"
	"<xf numFmtId=\"14\"/><xf numFmtId=\"164\"/><xf numFmtId=\"10\"/>"
	"</cellXfs></styleSheet>",
	"<workbook " NS "><workbookPr/><sheets><sheet name=\"S\" sheetId=\"1\" "
	"r:id=\"rId1\"/></sheets></workbook>",
	"<Relationships><Relationship Id=\"rId1\" Type=\"" RT "worksheet\" "
	"Target=\"worksheets/sheet1.xml\"/><Relationship Id=\"rId2\" Type=\""
	RT "sharedStrings\" Target=\"/xl/sharedStrings.xml\"/><Relationship "
	"Id=\"rId3\" Type=\"" RT "styles\" Target=\"styles.xml\"/>"
	"</Relationships>",
};
#define NPARTS (sizeof(names) / sizeof(names[0]))
static const char sep[] = "\n#--\n";

static void
le16(struct buf *b, unsigned v)
{
	char c[2] = { (char)(v & 0xff), (char)(v >> 8 & 0xff) };

	if (buf_append(b, c, 2) != 0)
		fz_fail("zip larger than its cap");
}

static void
le32(struct buf *b, unsigned long v)
{
	le16(b, (unsigned)(v & 0xffff));
	le16(b, (unsigned)(v >> 16 & 0xffff));
}

static void
put(struct buf *b, const void *p, size_t n)
{
	if (buf_append(b, p, n) != 0)
		fz_fail("zip larger than its cap");
}

/* A zip of the parts, stored (method 0), into z. */
static void
store(struct buf *z, const char *const part[], const size_t len[])
{
	unsigned long off[NPARTS], crc[NPARTS], cd;
	size_t i;

	for (i = 0; i < NPARTS; i++) {
		size_t nl = strlen(names[i]);

		crc[i] = crc32(0, (const Bytef *)part[i], (uInt)len[i]);
		off[i] = (unsigned long)z->len;
		le32(z, 0x04034b50);
		le16(z, 20);
		le16(z, 0);
		le16(z, 0);		/* stored */
		le32(z, 0);		/* time, date */
		le32(z, crc[i]);
		le32(z, (unsigned long)len[i]);
		le32(z, (unsigned long)len[i]);
		le16(z, (unsigned)nl);
		le16(z, 0);
		put(z, names[i], nl);
		put(z, part[i], len[i]);
	}
	cd = (unsigned long)z->len;
	for (i = 0; i < NPARTS; i++) {
		size_t nl = strlen(names[i]);

		le32(z, 0x02014b50);
		le16(z, 20);
		le16(z, 20);
		le16(z, 0);
		le16(z, 0);
		le32(z, 0);
		le32(z, crc[i]);
		le32(z, (unsigned long)len[i]);
		le32(z, (unsigned long)len[i]);
		le16(z, (unsigned)nl);
		le32(z, 0);		/* extra, comment */
		le32(z, 0);		/* disk, internal attributes */
		le32(z, 0);		/* external attributes */
		le32(z, off[i]);
		put(z, names[i], nl);
	}
	le32(z, 0x06054b50);
	le32(z, 0);
	le16(z, NPARTS);
	le16(z, NPARTS);
	le32(z, (unsigned long)z->len - cd);
	le32(z, cd);
	le16(z, 0);
}

struct input {
	const char	*zip;
	size_t		 n;
};

/* One read of the input (a struct input) into seen; the reader's value. */
static int
run(void *ctx, struct rows_seen *seen, struct table_info *info, char *err,
    size_t errlen)
{
	const struct input *in = ctx;

	return table_read_mem(in->zip, in->n, NULL, info, tc_row, seen, err,
	    errlen);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *part[NPARTS];
	size_t len[NPARTS], i, n;
	struct input in;
	struct buf z;
	char *zip;

	buf_init(&z, 64u << 20);
	if (size >= 2 && memcmp(data, "PK", 2) == 0) {
		put(&z, data, size);
	} else {
		const char *s = (const char *)data, *end = s + size;

		for (i = 0; i < NPARTS; i++) {
			const char *at = s != NULL ? memmem(s, (size_t)(end - s),
			    sep, sizeof(sep) - 1) : NULL;

			if (s == NULL) {
				part[i] = defaults[i];
				len[i] = strlen(defaults[i]);
				continue;
			}
			part[i] = s;
			len[i] = (size_t)((at != NULL ? at : end) - s);
			s = at != NULL ? at + sizeof(sep) - 1 : NULL;
		}
		store(&z, part, len);
	}
	/* An exact-size copy, so AddressSanitizer sees reads past the end. */
	n = z.len;
	zip = malloc(n > 0 ? n : 1);
	if (zip == NULL)
		fz_fail("out of memory");
	memcpy(zip, z.data, n);
	buf_free(&z);

	in.zip = zip;
	in.n = n;
	tc_read_twice(run, &in);
	free(zip);
	return 0;
}
