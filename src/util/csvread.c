/*
 * The CSV reader (see table.h): bytes -> UTF-8 through iconv -> cells
 * through libcsv -> rows to the caller, one 64 KiB chunk at a time.
 *
 * Encoding. A BOM decides (UTF-8, UTF-16LE, UTF-16BE), else the caller's
 * choice, else the first 64 KiB: UTF-16 when every other byte is NUL,
 * UTF-8 when they are valid UTF-8, else whichever of WINDOWS-1251 and
 * SHIFT_JIS reads more like text (score_1251, score_sjis). Everything,
 * UTF-8 included, goes through iconv, which is also the validator: an
 * invalid sequence stops the read with the row it is in, after the rows
 * before it were handed over. A sequence cut by the end of a chunk is
 * carried to the next one. The BOM never reaches a cell.
 *
 * Delimiter. Among , ; TAB and |, the one that occurs (outside quotes) in
 * the header line and the same number of times in most of the following
 * lines of the first 64 KiB; ',' when none occurs.
 *
 * Rows. libcsv with CSV_REPALL_NL reports every line ending, so an empty
 * line is a row of no cells; the LF of a CRLF pair is then an empty "row"
 * of its own and is skipped here. Spaces around an unquoted cell are
 * trimmed (libcsv's default); quoted cells are kept as they are. Quotes
 * are strict (CSV_STRICT): a quote inside an unquoted cell, text after a
 * closing quote and a quote left open at the end of the file are errors
 * naming the row, since each means the file was cut or badly written and
 * its columns can no longer be trusted.
 *
 * Limits. libcsv grows one buffer for the cell it is reading; its realloc
 * hook refuses past TABLE_MAX_CELL, so a hostile 1 GiB cell costs 32 KiB,
 * not 1 GiB. Cells per row and rows per file are counted here.
 */
#include "util/tablepriv.h"

#include <csv.h>
#include <errno.h>
#include <iconv.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"
#include "util/buf.h"

#define CHUNK		TABLE_HEAD
#define OUT_SIZE	(4 * CHUNK + 64)	/* UTF-8 of a chunk: at most 3 bytes a byte */
#define CARRY_MAX	8			/* bytes of a character cut by a chunk */
#define DETECT_LINES	20

struct csvr {
	table_row_fn		 fn;
	void			*arg;
	struct table_info	*info;
	char			*err;
	size_t			 errlen;
	struct csv_parser	 p;
	struct buf		 row;	/* this row's cells, each NUL-terminated */
	size_t			*offs;	/* [TABLE_MAX_COLS] where each cell starts in row */
	size_t			*lens;
	struct table_cell	*cells;
	size_t			 ncells;
	size_t			 rowno;	/* records completed */
	int			 prevterm; /* what ended the last record */
	bool			 failed; /* err is set */
	bool			 toolong; /* the realloc hook refused a cell */
	int			 stop;	/* fn's nonzero value */
};

static void
fail(struct csvr *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
fail(struct csvr *r, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	if (r->failed)
		return;
	r->failed = true;
	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	table_err(r->err, r->errlen, "row %zu: %s", r->rowno + 1, msg);
}

static bool
busy(const struct csvr *r)
{
	return !r->failed && r->stop == 0;
}

static void
on_cell(void *s, size_t len, void *data)
{
	struct csvr *r = data;

	if (!busy(r))
		return;
	if (r->ncells == TABLE_MAX_COLS) {
		fail(r, "more than %d cells", TABLE_MAX_COLS);
		return;
	}
	if (len > TABLE_MAX_CELL) {
		fail(r, "cell %zu is longer than %d bytes", r->ncells + 1,
		    TABLE_MAX_CELL);
		return;
	}
	if (len > 0 && memchr(s, '\0', len) != NULL) {
		fail(r, "cell %zu holds a NUL byte", r->ncells + 1);
		return;
	}
	r->offs[r->ncells] = r->row.len;
	r->lens[r->ncells] = len;
	/* The cap holds TABLE_MAX_COLS cells of TABLE_MAX_CELL bytes. */
	if (buf_append(&r->row, s, len) != 0 || buf_putc(&r->row, '\0') != 0) {
		fail(r, "the row is too long");
		return;
	}
	r->ncells++;
}

static void
on_row(int c, void *data)
{
	struct csvr *r = data;
	size_t i, n;
	int prev = r->prevterm;

	if (!busy(r))
		return;
	r->prevterm = c;
	if (r->ncells == 0 && c == '\n' && prev == '\r')
		return;		/* the LF of a CRLF */
	if (r->rowno == TABLE_MAX_ROWS) {
		fail(r, "more than %d rows", TABLE_MAX_ROWS);
		return;
	}
	r->rowno++;
	n = r->ncells;
	while (n > 0 && r->lens[n - 1] == 0)
		n--;
	for (i = 0; i < n; i++) {
		r->cells[i].s = r->row.data + r->offs[i];
		r->cells[i].len = r->lens[i];
		r->cells[i].kind = r->lens[i] == 0 ? TC_EMPTY : TC_TEXT;
		r->cells[i].formula = false;
	}
	r->info->rows++;
	r->stop = r->fn(r->arg, r->rowno, r->cells, n);
	r->ncells = 0;
	buf_reset(&r->row);
}

/* libcsv's buffer for one cell, capped (see the top of the file). */
static void *
cell_realloc(void *p, size_t n)
{
	if (n > TABLE_MAX_CELL + 2)
		return NULL;
	return realloc(p, n);
}

static void
parse(struct csvr *r, const char *s, size_t n)
{
	size_t done;

	if (!busy(r) || n == 0)
		return;
	done = csv_parse(&r->p, s, n, on_cell, on_row, r);
	if (done < n && busy(r)) {
		if (csv_error(&r->p) == CSV_ENOMEM)
			fail(r, "cell %zu is longer than %d bytes (a quote "
			    "left open?)", r->ncells + 1, TABLE_MAX_CELL);
		else
			fail(r, "cell %zu has a quote inside it without being "
			    "quoted, or text after its closing quote",
			    r->ncells + 1);
	}
}

/* ---- encoding detection ---- */

static bool
utf8_ok(const unsigned char *s, size_t n, bool complete)
{
	size_t i = 0;

	while (i < n) {
		unsigned char c = s[i];
		size_t len, k;
		uint32_t cp;

		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			len = 2;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			len = 3;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			len = 4;
			cp = c & 0x07;
		} else {
			return false;
		}
		if (i + len > n)
			return !complete;	/* cut by the end of the head */
		for (k = 1; k < len; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | (s[i + k] & 0x3f);
		}
		if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
		    (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
			return false;
		i += len;
	}
	return true;
}

/*
 * How much n bytes look like Russian (or other Cyrillic) text in
 * WINDOWS-1251: letters (0xC0-0xFF, 0xA8, 0xB8) count for, the rarely
 * used symbols of 0x80-0xBF against. Japanese in Shift_JIS is mostly lead
 * bytes 0x81-0x9F, which are such symbols here.
 */
static long
score_1251(const unsigned char *s, size_t n)
{
	static const unsigned char common[] = {
		0xa0, 0xa8, 0xab, 0xb8, 0xb9, 0xbb, 0x96, 0x97, 0x85, 0x93,
		0x94, 0xab,
	};
	long score = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] < 0x80)
			continue;
		if (s[i] >= 0xc0)
			score += 1;
		else if (memchr(common, s[i], sizeof(common)) == NULL)
			score -= 2;
	}
	return score;
}

/*
 * The same for Japanese in SHIFT_JIS: kana and kanji pairs count for,
 * half-width katakana (0xA1-0xDF, which Cyrillic capitals look like)
 * against. LONG_MIN when the bytes are not Shift_JIS at all.
 */
static long
score_sjis(const unsigned char *s, size_t n, bool complete)
{
	long score = 0;
	size_t i = 0;

	while (i < n) {
		unsigned char c = s[i], t;

		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xa1 && c <= 0xdf) {
			score -= 1;
			i++;
			continue;
		}
		if (!((c >= 0x81 && c <= 0x9f) || (c >= 0xe0 && c <= 0xfc)))
			return LONG_MIN;
		if (i + 1 == n)
			return complete ? LONG_MIN : score;
		t = s[i + 1];
		if (t < 0x40 || t == 0x7f || t > 0xfc)
			return LONG_MIN;
		if (c == 0x82 || c == 0x83 || (c >= 0x88 && c <= 0x9f))
			score += 2;	/* kana, kanji */
		else
			score += 1;
		i += 2;
	}
	return score;
}

static const char *
bom_encoding(const unsigned char *h, size_t n)
{
	if (n >= 3 && memcmp(h, "\xef\xbb\xbf", 3) == 0)
		return "UTF-8";
	if (n >= 2 && memcmp(h, "\xff\xfe", 2) == 0)
		return "UTF-16LE";
	if (n >= 2 && memcmp(h, "\xfe\xff", 2) == 0)
		return "UTF-16BE";
	return NULL;
}

static const char *
detect_encoding(const unsigned char *h, size_t n, bool complete)
{
	const char *utf16 = table_utf16(h, n);
	long s1251, ssjis;

	if (utf16 != NULL)
		return utf16;
	if (utf8_ok(h, n, complete))
		return "UTF-8";
	s1251 = score_1251(h, n);
	ssjis = score_sjis(h, n, complete);
	return ssjis != LONG_MIN && ssjis > s1251 ? "SHIFT_JIS" : "WINDOWS-1251";
}

/* ---- delimiter detection ---- */

static char
detect_delimiter(const char *s, size_t n, bool complete)
{
	static const char cand[] = ",;\t|";
	enum { NC = sizeof(cand) - 1 };
	size_t counts[DETECT_LINES][NC], cur[NC], nlines = 0, i, k;
	size_t best = NC, bestmatch = 0, bestcount = 0;
	bool inq = false, seen = false;

	memset(cur, 0, sizeof(cur));
	for (i = 0; i <= n && nlines < DETECT_LINES; i++) {
		char c = i < n ? s[i] : '\n';

		if (i == n && !complete)
			break;		/* the last line may be cut */
		if (c == '"') {
			inq = !inq;
			seen = true;
		} else if (!inq && (c == '\n' || c == '\r')) {
			if (seen)
				memcpy(counts[nlines++], cur, sizeof(cur));
			memset(cur, 0, sizeof(cur));
			seen = false;
		} else {
			seen = true;
			for (k = 0; k < NC && !inq; k++)
				cur[k] += c == cand[k];
		}
	}
	if (nlines == 0 && seen)
		memcpy(counts[nlines++], cur, sizeof(cur));	/* one long line */
	for (k = 0; k < NC && nlines > 0; k++) {
		size_t head = counts[0][k], match = 0, j;

		if (head == 0)
			continue;
		for (j = 0; j < nlines; j++)
			match += counts[j][k] == head;
		if (match > bestmatch || (match == bestmatch && head > bestcount)) {
			best = k;
			bestmatch = match;
			bestcount = head;
		}
	}
	return best < NC ? cand[best] : ',';
}

/* ---- the read ---- */

/*
 * Converts in[0..*n) to UTF-8 into out, appending to *outn. Leaves in the
 * bytes of a character cut at the end (moved to the front, *n their
 * count). 0, or -1 at an invalid sequence (out then holds what came
 * before it).
 */
static int
convert(iconv_t cd, char *in, size_t *n, char *out, size_t *outn)
{
	char *ip = in, *op = out + *outn;
	size_t il = *n, ol = OUT_SIZE - *outn;
	int rc = 0;

	if (iconv(cd, &ip, &il, &op, &ol) == (size_t)-1) {
		if (errno == EINVAL && il <= CARRY_MAX)
			memmove(in, ip, il);	/* cut: carried */
		else
			rc = -1;	/* EILSEQ; E2BIG cannot happen (OUT_SIZE) */
	} else {
		il = 0;
	}
	*n = rc == 0 ? il : 0;
	*outn = (size_t)(op - out);
	return rc;
}

static int
open_iconv(const char *enc, iconv_t *cd, char *err, size_t errlen)
{
	*cd = iconv_open("UTF-8", enc);
	if (*cd == (iconv_t)-1) {
		table_err(err, errlen, "unknown encoding \"%s\"", enc);
		return -1;
	}
	return 0;
}

int
tcsv_read(FILE *fp, const struct table_opts *o, struct table_info *info,
    table_row_fn fn, void *arg, char *err, size_t errlen)
{
	struct csvr r;
	char *in, *out;
	size_t n, outn = 0, skip = 0;
	const char *enc;
	iconv_t cd;
	bool eof, first = true, bad = false;
	int rc;

	memset(&r, 0, sizeof(r));
	r.fn = fn;
	r.arg = arg;
	r.info = info;
	r.err = err;
	r.errlen = errlen;
	info->format = TABLE_CSV;
	in = xmalloc(CHUNK + CARRY_MAX);
	n = fread(in, 1, CHUNK, fp);
	eof = n < CHUNK;
	if (ferror(fp)) {
		table_err(err, errlen, "cannot read the file: %s",
		    strerror(errno));
		free(in);
		return -1;
	}
	/* A BOM is surer than anyone's guess, the caller's included. */
	enc = bom_encoding((unsigned char *)in, n);
	if (enc == NULL && o->encoding != NULL && o->encoding[0] != '\0')
		enc = o->encoding;
	if (enc == NULL)
		enc = detect_encoding((unsigned char *)in, n, eof);
	snprintf(info->encoding, sizeof(info->encoding), "%s", enc);
	if (open_iconv(enc, &cd, err, errlen) != 0) {
		free(in);
		return -1;
	}
	out = xmalloc(OUT_SIZE);
	buf_init(&r.row, (size_t)TABLE_MAX_COLS * (TABLE_MAX_CELL + 1));
	r.offs = xcalloc(TABLE_MAX_COLS, sizeof(*r.offs));
	r.lens = xcalloc(TABLE_MAX_COLS, sizeof(*r.lens));
	r.cells = xcalloc(TABLE_MAX_COLS, sizeof(*r.cells));
	csv_init(&r.p, CSV_STRICT | CSV_STRICT_FINI | CSV_REPALL_NL | CSV_APPEND_NULL);
	csv_set_realloc_func(&r.p, cell_realloc);
	for (;;) {
		size_t carried;

		outn = 0;
		bad = convert(cd, in, &n, out, &outn) != 0;
		carried = n;
		if (first) {
			first = false;
			if (outn >= 3 && memcmp(out, "\xef\xbb\xbf", 3) == 0)
				skip = 3;
			info->delimiter = o->delimiter != 0 ? o->delimiter :
			    detect_delimiter(out + skip, outn - skip, eof && !bad);
			csv_set_delim(&r.p, (unsigned char)info->delimiter);
		}
		parse(&r, out + skip, outn - skip);
		skip = 0;
		if (bad) {
			fail(&r, "bytes that are not valid %s text", enc);
			break;
		}
		if (!busy(&r) || eof)
			break;
		n = fread(in + carried, 1, CHUNK, fp);
		if (ferror(fp)) {
			fail(&r, "cannot read the file: %s", strerror(errno));
			break;
		}
		eof = n < CHUNK;
		n += carried;
	}
	if (busy(&r) && eof) {
		if (n > 0)
			fail(&r, "the file ends inside a character (not valid "
			    "%s text)", enc);
		outn = 0;
		/* Stateful encodings (ISO-2022-JP) may owe a last shift back. */
		{
			char *op = out;
			size_t ol = OUT_SIZE;

			if (busy(&r) && iconv(cd, NULL, NULL, &op, &ol) !=
			    (size_t)-1)
				parse(&r, out, (size_t)(op - out));
		}
		if (busy(&r) && csv_fini(&r.p, on_cell, on_row, &r) != 0 &&
		    busy(&r))
			fail(&r, "a quoted cell is not closed before the end "
			    "of the file");
	}
	rc = r.failed ? -1 : r.stop;
	csv_free(&r.p);
	iconv_close(cd);
	buf_free(&r.row);
	free(r.offs);
	free(r.lens);
	free(r.cells);
	free(out);
	free(in);
	return rc;
}
