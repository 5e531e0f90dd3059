/*
 * The XLSX reader (see table.h): libzip for the archive, expat for the
 * XML, one streaming pass over each part in this order:
 *
 *   xl/workbook.xml             sheet names, their order and r:id; date1904
 *   xl/_rels/workbook.xml.rels  where each part is (a Target is relative to
 *                               xl/ or absolute, "/xl/...")
 *   xl/sharedStrings.xml        the strings cells refer to by number (rich
 *                               text runs joined; phonetic <rPh> skipped)
 *   xl/styles.xml               cellXfs -> numFmtId -> is it a date, a
 *                               date-time, a percentage?
 *   the sheet, twice            first only its <mergeCell> ranges (they
 *                               come after <sheetData>), then its rows
 *
 * Only the shared strings are kept whole (cells point into them); a row
 * is held until its </row>, a merged range's value until its last row.
 *
 * Hostile archives. Every byte inflated is counted, per part and in all
 * (TABLE_MAX_UNZIPPED), and a part past 1 MiB that inflates more than
 * TABLE_MAX_RATIO times its compressed size is a zip bomb; the sizes the
 * archive declares are not trusted. A DOCTYPE stops the parser at once
 * (no entity is ever declared, so none is ever expanded: the billion
 * laughs fail on their first line). Errors say the part and line.
 *
 * Values. Numbers are printed as the shortest decimal that reads back to
 * the same double (integers below 1e17 without a fraction or exponent); a
 * number whose cell style has a date format becomes a date (1900 system
 * with Excel's phantom 1900-02-29, or 1904 when the workbook says so); a
 * percent format makes it TC_PERCENT with the fraction as its value.
 * Merged ranges repeat their top-left value in every cell they cover, so
 * a header merged over two columns names both.
 */
#include "util/tablepriv.h"

#include <ctype.h>
#include <errno.h>
#include <expat.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/alloc.h"
#include "util/buf.h"
#include "util/timeutil.h"

#define XML_CHUNK	65536
#define BIG_PART	(1LL << 20)	/* parts above this are held to TABLE_MAX_RATIO */
#define MAX_XF		65536		/* cell formats (Excel's own limit is 64000) */
#define MAX_NUMFMT	4096		/* custom number formats */
#define MAX_MERGES	65536
#define MAX_MERGED	(64u << 20)	/* bytes of merged values held at once */
#define MAX_PATH	256
#define MAX_RID		64

/* How a cell format shows a number. */
enum shows {
	SHOWS_NUMBER,
	SHOWS_DATE,
	SHOWS_DATETIME,
	SHOWS_PERCENT,
};

struct numfmt {
	unsigned	id;
	enum shows	shows;
};

struct merge {
	unsigned long	 r1, r2;
	unsigned	 c1, c2;
	char		*s;	/* the top-left value once read, else NULL */
	size_t		 len;
	enum table_cell_kind kind;
	bool		 formula;
};

struct xr;
typedef void (*start_fn)(struct xr *, const char *, const char **);
typedef void (*end_fn)(struct xr *, const char *);

struct xr {
	zip_t			*z;
	unsigned long long	 size;	/* of the archive */
	unsigned long long	 total;	/* bytes inflated so far */
	const struct table_opts	*o;
	struct table_info	*info;
	table_row_fn		 fn;
	void			*arg;
	char			*err;
	size_t			 errlen;
	bool			 failed;
	int			 stop;

	/* The part being parsed. */
	XML_Parser		 p;
	const char		*part;
	start_fn		 on_start;
	end_fn			 on_end;
	bool			 collect; /* character data goes to text */
	struct buf		 text;
	unsigned		 skip;	/* depth inside an element skipped whole */

	/* workbook.xml and its relationships */
	bool			 date1904;
	char			 rids[TABLE_MAX_SHEETS][MAX_RID];
	size_t			 chosen;
	char			 sheet_path[MAX_PATH];
	char			 sst_path[MAX_PATH];
	char			 styles_path[MAX_PATH];

	/* sharedStrings.xml: every string NUL-terminated in sst */
	struct buf		 sst;
	size_t			*sst_off;
	size_t			 nsst, sst_alloc;
	bool			 in_si;

	/* styles.xml */
	struct numfmt		*fmts;
	size_t			 nfmts;
	unsigned char		*xf;	/* enum shows by cellXfs index */
	size_t			 nxf;
	bool			 in_xfs;

	/* the sheet's merged ranges, sorted by first row; active ones listed */
	struct merge		*m;
	size_t			 nm, m_alloc, m_next;
	size_t			*active;
	size_t			 nactive;
	size_t			 merged_bytes;

	/* the row being read, by column (0-based) */
	bool			 in_row;
	unsigned long		 rowno, lastrow;
	unsigned		 ncols;	/* columns set or filled: 1 + the highest */
	unsigned		 nextcol;
	struct buf		 row;
	size_t			*off, *len;
	unsigned char		*kind;
	bool			*formula;
	bool			*set;
	struct table_cell	*cells;

	/* the cell being read */
	bool			 in_c, in_v, in_is;
	unsigned		 col;
	char			 type[12];
	unsigned		 style;
	bool			 has_f;
	struct buf		 v;	/* <v>, or the text of <is> */
};

static const char empty[] = "";

static void
xfail(struct xr *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Stops the read with "xlsx: PART line N: message". */
static void
xfail(struct xr *x, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	if (x->failed)
		return;
	x->failed = true;
	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (x->p != NULL) {
		table_err(x->err, x->errlen, "xlsx: %s line %lu: %s", x->part,
		    (unsigned long)XML_GetCurrentLineNumber(x->p), msg);
		XML_StopParser(x->p, XML_FALSE);
	} else {
		table_err(x->err, x->errlen, "xlsx: %s", msg);
	}
}

static bool
busy(const struct xr *x)
{
	return !x->failed && x->stop == 0;
}

/* The name without its namespace prefix: "x:c" -> "c", "r:id" -> "id". */
static const char *
local(const char *name)
{
	const char *c = strrchr(name, ':');

	return c != NULL ? c + 1 : name;
}

static const char *
attr(const char **a, const char *name)
{
	for (; a[0] != NULL; a += 2)
		if (strcmp(local(a[0]), name) == 0)
			return a[1];
	return NULL;
}

/* A decimal without sign or spaces that fits unsigned long; false if not. */
static bool
parse_uint(const char *s, unsigned long max, unsigned long *out)
{
	unsigned long v = 0;

	if (s == NULL || *s == '\0')
		return false;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return false;
		if (v > (max - (unsigned long)(*s - '0')) / 10)
			return false;
		v = v * 10 + (unsigned long)(*s - '0');
	}
	*out = v;
	return true;
}

/*
 * "B7" -> column 1 (0-based) and row 7. Columns past TABLE_MAX_COLS and
 * rows past TABLE_MAX_ROWS are refused here (false, *why set).
 */
static bool
parse_ref(const char *s, unsigned *col, unsigned long *row, const char **why)
{
	unsigned long c = 0;
	size_t letters = 0;

	*why = "is not a cell reference like B7";
	while (isupper((unsigned char)*s) || islower((unsigned char)*s)) {
		c = c * 26 + (unsigned long)(toupper((unsigned char)*s) - 'A' + 1);
		s++;
		if (++letters > 3)
			return false;
	}
	if (letters == 0 || !parse_uint(s, 100000000, row) || *row == 0)
		return false;
	if (c > TABLE_MAX_COLS) {
		*why = "is beyond the last column read (1024)";
		return false;
	}
	if (*row > TABLE_MAX_ROWS) {
		*why = "is beyond the last row read (5000000)";
		return false;
	}
	*col = (unsigned)c - 1;
	return true;
}

/* Column 0 -> "A", 27 -> "AB". */
static void
col_name(unsigned col, char out[4])
{
	char tmp[4];
	size_t n = 0, i;

	col++;
	while (col > 0 && n < 3) {
		tmp[n++] = (char)('A' + (col - 1) % 26);
		col = (col - 1) / 26;
	}
	for (i = 0; i < n; i++)
		out[i] = tmp[n - 1 - i];
	out[n] = '\0';
}

/* ---- the XML plumbing ---- */

static void XMLCALL
x_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
	struct xr *x = ud;

	if (!busy(x))
		return;
	if (x->skip > 0) {
		x->skip++;
		return;
	}
	x->on_start(x, local(name), atts);
}

static void XMLCALL
x_end(void *ud, const XML_Char *name)
{
	struct xr *x = ud;

	if (!busy(x))
		return;
	if (x->skip > 0) {
		x->skip--;
		return;
	}
	x->on_end(x, local(name));
}

static void XMLCALL
x_text(void *ud, const XML_Char *s, int len)
{
	struct xr *x = ud;

	if (!busy(x) || !x->collect || x->skip > 0)
		return;
	if (buf_append(&x->text, s, (size_t)len) != 0)
		xfail(x, "a value is longer than %d bytes", TABLE_MAX_CELL);
}

static void XMLCALL
x_doctype(void *ud, const XML_Char *name, const XML_Char *sysid,
    const XML_Char *pubid, int has_internal_subset)
{
	(void)name;
	(void)sysid;
	(void)pubid;
	(void)has_internal_subset;
	xfail(ud, "a DOCTYPE (document type declarations and entities are "
	    "not allowed in a workbook)");
}

static void XMLCALL
x_entity(void *ud, const XML_Char *name, int is_param,
    const XML_Char *value, int value_len, const XML_Char *base,
    const XML_Char *sysid, const XML_Char *pubid, const XML_Char *notation)
{
	(void)name;
	(void)is_param;
	(void)value;
	(void)value_len;
	(void)base;
	(void)sysid;
	(void)pubid;
	(void)notation;
	xfail(ud, "an entity declaration (not allowed in a workbook)");
}

static void
collect(struct xr *x)
{
	buf_reset(&x->text);
	x->collect = true;
}

/*
 * Inflates the part at index idx and parses it with s and e. Counts every
 * byte against the limits (see the top of the file).
 */
static int
parse_part(struct xr *x, const char *name, start_fn s, end_fn e)
{
	zip_int64_t idx;
	zip_stat_t st;
	zip_file_t *f;
	unsigned long long comp, got = 0;
	char *chunk;
	bool last = false;

	idx = zip_name_locate(x->z, name, ZIP_FL_NOCASE);
	if (idx < 0) {
		xfail(x, "the workbook has no %s", name);
		return -1;
	}
	zip_stat_init(&st);
	if (zip_stat_index(x->z, (zip_uint64_t)idx, 0, &st) != 0 ||
	    (st.valid & ZIP_STAT_COMP_SIZE) == 0) {
		xfail(x, "%s: %s", name, zip_strerror(x->z));
		return -1;
	}
	comp = st.comp_size < x->size ? st.comp_size : x->size;
	f = zip_fopen_index(x->z, (zip_uint64_t)idx, 0);
	if (f == NULL) {
		xfail(x, "%s: %s", name, zip_strerror(x->z));
		return -1;
	}
	x->p = XML_ParserCreate(NULL);
	if (x->p == NULL)
		abort();	/* out of memory, as xmalloc */
	x->part = name;
	x->on_start = s;
	x->on_end = e;
	x->collect = false;
	x->skip = 0;
	XML_SetUserData(x->p, x);
	XML_SetElementHandler(x->p, x_start, x_end);
	XML_SetCharacterDataHandler(x->p, x_text);
	XML_SetStartDoctypeDeclHandler(x->p, x_doctype);
	XML_SetEntityDeclHandler(x->p, x_entity);
	chunk = xmalloc(XML_CHUNK);
	while (busy(x) && !last) {
		zip_int64_t n = zip_fread(f, chunk, XML_CHUNK);

		if (n < 0) {
			table_err(x->err, x->errlen, "xlsx: %s: %s", name,
			    zip_file_strerror(f));
			x->failed = true;
			break;
		}
		got += (unsigned long long)n;
		x->total += (unsigned long long)n;
		if (x->total > (unsigned long long)TABLE_MAX_UNZIPPED ||
		    (got > (unsigned long long)BIG_PART &&
		    got / TABLE_MAX_RATIO > comp)) {
			table_err(x->err, x->errlen, "xlsx: %s inflates to more "
			    "than %llu bytes from %llu: the file looks like a zip "
			    "bomb", name, got, comp);
			x->failed = true;
			break;
		}
		last = n == 0;
		if (XML_Parse(x->p, chunk, (int)n, last) == XML_STATUS_ERROR &&
		    busy(x)) {
			table_err(x->err, x->errlen, "xlsx: %s line %lu: %s",
			    name, (unsigned long)XML_GetCurrentLineNumber(x->p),
			    XML_ErrorString(XML_GetErrorCode(x->p)));
			x->failed = true;
		}
	}
	free(chunk);
	zip_fclose(f);
	XML_ParserFree(x->p);
	x->p = NULL;
	return busy(x) ? 0 : -1;
}

static bool
has_part(struct xr *x, const char *name)
{
	return name[0] != '\0' && zip_name_locate(x->z, name, ZIP_FL_NOCASE) >= 0;
}

/* ---- workbook.xml ---- */

static void
wb_start(struct xr *x, const char *name, const char **a)
{
	struct table_info *info = x->info;
	const char *v;

	if (strcmp(name, "workbookPr") == 0) {
		v = attr(a, "date1904");
		x->date1904 = v != NULL && (strcmp(v, "1") == 0 ||
		    strcmp(v, "true") == 0);
	} else if (strcmp(name, "sheet") == 0) {
		const char *sname = attr(a, "name"), *rid = attr(a, "id");

		if (sname == NULL || rid == NULL) {
			xfail(x, "a sheet without a name or r:id");
			return;
		}
		if (info->nsheets == TABLE_MAX_SHEETS) {
			xfail(x, "more than %d sheets", TABLE_MAX_SHEETS);
			return;
		}
		if (strlen(sname) >= TABLE_MAX_NAME || strlen(rid) >= MAX_RID) {
			xfail(x, "a sheet name longer than %d bytes",
			    TABLE_MAX_NAME - 1);
			return;
		}
		memcpy(info->sheets[info->nsheets], sname, strlen(sname) + 1);
		memcpy(x->rids[info->nsheets], rid, strlen(rid) + 1);
		info->nsheets++;
	}
}

static void
no_end(struct xr *x, const char *name)
{
	(void)x;
	(void)name;
}

/* Which sheet to read: the caller's by name (exactly, else ignoring case), or the first. */
static int
choose_sheet(struct xr *x)
{
	struct table_info *info = x->info;
	const char *want = x->o->sheet;
	size_t i;

	if (info->nsheets == 0) {
		xfail(x, "the workbook has no sheets");
		return -1;
	}
	x->chosen = info->nsheets;
	if (want == NULL || want[0] == '\0')
		x->chosen = 0;
	for (i = 0; i < info->nsheets && x->chosen == info->nsheets; i++)
		if (strcmp(info->sheets[i], want) == 0)
			x->chosen = i;
	for (i = 0; i < info->nsheets && x->chosen == info->nsheets; i++)
		if (strcasecmp(info->sheets[i], want) == 0)
			x->chosen = i;
	if (x->chosen == info->nsheets) {
		xfail(x, "the workbook has no sheet named \"%s\"", want);
		return -1;
	}
	memcpy(info->sheet, info->sheets[x->chosen], sizeof(info->sheet));
	return 0;
}

/* ---- workbook.xml.rels ---- */

/* A Target relative to xl/, or absolute from the archive's root. */
static bool
resolve(const char *target, char out[MAX_PATH])
{
	int n;

	if (target[0] == '/')
		n = snprintf(out, MAX_PATH, "%s", target + 1);
	else
		n = snprintf(out, MAX_PATH, "xl/%s", target);
	return n > 0 && n < MAX_PATH;
}

static bool
ends_with(const char *s, const char *tail)
{
	size_t n = strlen(s), t = strlen(tail);

	return n >= t && strcmp(s + n - t, tail) == 0;
}

static void
rels_start(struct xr *x, const char *name, const char **a)
{
	const char *id, *target, *type, *mode;
	char *out = NULL;

	if (strcmp(name, "Relationship") != 0)
		return;
	id = attr(a, "Id");
	target = attr(a, "Target");
	type = attr(a, "Type");
	mode = attr(a, "TargetMode");
	if (id == NULL || target == NULL || type == NULL ||
	    (mode != NULL && strcmp(mode, "External") == 0))
		return;
	if (strcmp(id, x->rids[x->chosen]) == 0)
		out = x->sheet_path;
	else if (ends_with(type, "/sharedStrings"))
		out = x->sst_path;
	else if (ends_with(type, "/styles"))
		out = x->styles_path;
	if (out != NULL && !resolve(target, out))
		xfail(x, "a part name longer than %d bytes", MAX_PATH - 1);
}

/* ---- sharedStrings.xml ---- */

static void
sst_start(struct xr *x, const char *name, const char **a)
{
	(void)a;
	if (strcmp(name, "si") == 0) {
		x->in_si = true;
		buf_reset(&x->text);
	} else if (strcmp(name, "rPh") == 0) {
		x->skip = 1;	/* phonetic reading: not the cell's text */
	} else if (strcmp(name, "t") == 0 && x->in_si) {
		x->collect = true;
	}
}

static void
sst_end(struct xr *x, const char *name)
{
	if (strcmp(name, "t") == 0) {
		x->collect = false;
	} else if (strcmp(name, "si") == 0 && x->in_si) {
		x->in_si = false;
		if (x->nsst == x->sst_alloc) {
			x->sst_alloc = x->sst_alloc == 0 ? 1024 : 2 * x->sst_alloc;
			x->sst_off = xrealloc(x->sst_off,
			    x->sst_alloc * sizeof(*x->sst_off));
		}
		x->sst_off[x->nsst++] = x->sst.len;
		if (buf_append(&x->sst, x->text.data, x->text.len) != 0 ||
		    buf_putc(&x->sst, '\0') != 0)
			xfail(x, "the shared strings are longer than %lld bytes",
			    TABLE_MAX_UNZIPPED);
	}
}

/* ---- styles.xml ---- */

/*
 * What a number format code shows, read as Excel reads it: d, m, y, h and
 * s outside "quoted text", [brackets] (colours, locales, conditions; but
 * [h] [m] [s] are elapsed time) and escapes (\x, _x, *x) make it a date or
 * a time; m alone (with no h or s) is a month; % outside them a percentage.
 */
static enum shows
classify(const char *code)
{
	bool date = false, time = false, month = false, pct = false;
	const char *s;

	for (s = code; *s != '\0'; s++) {
		char c = (char)tolower((unsigned char)*s);

		if (c == '"') {
			s = strchr(s + 1, '"');
			if (s == NULL)
				break;
		} else if (c == '[') {
			const char *e = strchr(s, ']');
			char b = (char)tolower((unsigned char)s[1]);

			if (e == NULL)
				break;
			if (b == 'h' || b == 'm' || b == 's')
				time = true;
			s = e;
		} else if ((c == '\\' || c == '_' || c == '*') && s[1] != '\0') {
			s++;
		} else if (c == 'd' || c == 'y') {
			date = true;
		} else if (c == 'h' || c == 's') {
			time = true;
		} else if (c == 'm') {
			month = true;
		} else if (c == '%') {
			pct = true;
		}
	}
	if (month && !time)
		date = true;
	if (date && time)
		return SHOWS_DATETIME;
	if (date)
		return SHOWS_DATE;
	if (time)
		return SHOWS_DATETIME;
	return pct ? SHOWS_PERCENT : SHOWS_NUMBER;
}

static enum shows
builtin(unsigned long id)
{
	if (id >= 14 && id <= 17)
		return SHOWS_DATE;
	if ((id >= 18 && id <= 22) || (id >= 45 && id <= 47))
		return SHOWS_DATETIME;
	if (id == 9 || id == 10)
		return SHOWS_PERCENT;
	return SHOWS_NUMBER;
}

static void
styles_start(struct xr *x, const char *name, const char **a)
{
	unsigned long id;
	const char *code;
	enum shows shows;
	size_t i;

	if (strcmp(name, "cellXfs") == 0) {
		x->in_xfs = true;
	} else if (strcmp(name, "numFmt") == 0) {
		code = attr(a, "formatCode");
		if (!parse_uint(attr(a, "numFmtId"), UINT32_MAX, &id) ||
		    code == NULL) {
			xfail(x, "a number format without numFmtId or "
			    "formatCode");
			return;
		}
		if (x->nfmts == MAX_NUMFMT) {
			xfail(x, "more than %d number formats", MAX_NUMFMT);
			return;
		}
		x->fmts[x->nfmts].id = (unsigned)id;
		x->fmts[x->nfmts].shows = classify(code);
		x->nfmts++;
	} else if (strcmp(name, "xf") == 0 && x->in_xfs) {
		if (x->nxf == MAX_XF) {
			xfail(x, "more than %d cell formats", MAX_XF);
			return;
		}
		id = 0;
		if (attr(a, "numFmtId") != NULL &&
		    !parse_uint(attr(a, "numFmtId"), UINT32_MAX, &id)) {
			xfail(x, "a cell format with a bad numFmtId");
			return;
		}
		shows = builtin(id);
		for (i = 0; i < x->nfmts; i++)
			if (x->fmts[i].id == id)
				shows = x->fmts[i].shows;
		x->xf[x->nxf++] = (unsigned char)shows;
	}
}

static void
styles_end(struct xr *x, const char *name)
{
	if (strcmp(name, "cellXfs") == 0)
		x->in_xfs = false;
}

/* ---- the sheet's merged ranges ---- */

static void
merge_start(struct xr *x, const char *name, const char **a)
{
	const char *ref, *colon, *why;
	char first[16];
	struct merge *m;
	size_t n;

	if (strcmp(name, "sheetData") == 0) {
		x->skip = 1;	/* rows are for the second pass */
		return;
	}
	if (strcmp(name, "mergeCell") != 0)
		return;
	ref = attr(a, "ref");
	colon = ref != NULL ? strchr(ref, ':') : NULL;
	n = colon != NULL ? (size_t)(colon - ref) : 0;
	if (colon == NULL || n >= sizeof(first)) {
		xfail(x, "a merged range without a ref like A1:B2");
		return;
	}
	if (x->nm == MAX_MERGES) {
		xfail(x, "more than %d merged ranges", MAX_MERGES);
		return;
	}
	if (x->nm == x->m_alloc) {
		x->m_alloc = x->m_alloc == 0 ? 64 : 2 * x->m_alloc;
		x->m = xrealloc(x->m, x->m_alloc * sizeof(*x->m));
	}
	m = &x->m[x->nm];
	memset(m, 0, sizeof(*m));
	memcpy(first, ref, n);
	first[n] = '\0';
	if (!parse_ref(first, &m->c1, &m->r1, &why) ||
	    !parse_ref(colon + 1, &m->c2, &m->r2, &why)) {
		xfail(x, "merged range %s %s", ref, why);
		return;
	}
	if (m->r2 < m->r1 || m->c2 < m->c1) {
		xfail(x, "merged range %s ends before it starts", ref);
		return;
	}
	x->nm++;
}

static int
by_first_row(const void *a, const void *b)
{
	const struct merge *ma = a, *mb = b;

	return (ma->r1 > mb->r1) - (ma->r1 < mb->r1);
}

/* ---- the sheet's rows ---- */

/*
 * A date serial as the workbook means it. 1900 system: serial 1 is
 * 1900-01-01 and Excel counts a 1900-02-29 that never was (serial 60,
 * read here as 1900-02-28), so from serial 61 on the epoch is 1899-12-30.
 * 1904 system: serial 0 is 1904-01-01. The time is rounded to the second.
 * false for what no calendar shows (negative, past 9999-12-31).
 */
static bool
serial_date(double v, bool date1904, bool with_time, char *out, size_t outlen)
{
	long long secs, days;
	int y, m, d, n;

	if (!(v >= 0 && v < 2958466))
		return false;
	secs = (long long)(v * 86400.0 + 0.5);	/* v >= 0 */
	days = secs / 86400;
	secs %= 86400;
	if (date1904)
		days += -24107;		/* 1904-01-01 - 1970-01-01 */
	else if (days >= 61)
		days += -25569;		/* 1899-12-30 */
	else if (days == 60)
		days = -25509;		/* the phantom 1900-02-29 -> 1900-02-28 */
	else
		days += -25568;		/* 1899-12-31 */
	time_civil_from_days(days, &y, &m, &d);
	if (with_time)
		n = snprintf(out, outlen, "%04d-%02d-%02dT%02lld:%02lld:%02lld",
		    y, m, d, secs / 3600, secs / 60 % 60, secs % 60);
	else
		n = snprintf(out, outlen, "%04d-%02d-%02d", y, m, d);
	return n > 0 && (size_t)n < outlen;
}

/*
 * The shortest decimal that reads back as v: integers below 1e17 in
 * full, else %.15g, %.16g or %.17g, whichever is first to round-trip.
 */
static void
number_text(double v, char *out, size_t outlen)
{
	int prec;

	if (v == 0) {
		snprintf(out, outlen, "0");
		return;
	}
	if (v > -1e17 && v < 1e17 && v == (double)(long long)v) {
		snprintf(out, outlen, "%.0f", v);
		return;
	}
	for (prec = 15; prec <= 17; prec++) {
		snprintf(out, outlen, "%.*g", prec, v);
		if (strtod(out, NULL) == v)
			return;
	}
}

/* A number as XML writes it: [-+]digits[.digits][e[-+]digits], finite. */
static bool
parse_number(const char *s, double *out)
{
	char *end;

	if (s[0] == '\0' || strspn(s, "0123456789+-.eE") != strlen(s))
		return false;
	errno = 0;
	*out = strtod(s, &end);
	return *end == '\0' && isfinite(*out) && errno != ERANGE;
}

/* "2024-03-05", "2024-03-05T13:45:00[.000][Z]" -> out; false if not such. */
static bool
iso_date(const char *s, bool with_time, char *out, size_t outlen,
    bool *has_time)
{
	unsigned y, mo, d, h = 0, mi = 0, sec = 0;
	int n = 0;

	if (sscanf(s, "%4u-%2u-%2u%n", &y, &mo, &d, &n) != 3 || n != 10 ||
	    mo < 1 || mo > 12 || d < 1 || d > 31)
		return false;
	if (s[10] == 'T' && sscanf(s + 11, "%2u:%2u:%2u", &h, &mi, &sec) < 2)
		return false;
	if (h > 23 || mi > 59 || sec > 60)
		return false;
	*has_time = h != 0 || mi != 0 || sec != 0;
	if (with_time || *has_time)
		snprintf(out, outlen, "%04u-%02u-%02uT%02u:%02u:%02u", y, mo, d, h,
		    mi, sec);
	else
		snprintf(out, outlen, "%04u-%02u-%02u", y, mo, d);
	*has_time = with_time || *has_time;
	return true;
}

static void
put_cell(struct xr *x, unsigned col, const char *s, size_t len,
    enum table_cell_kind kind, bool formula)
{
	if (len == 0)
		kind = TC_EMPTY;
	x->off[col] = x->row.len;
	x->len[col] = len;
	x->kind[col] = (unsigned char)kind;
	x->formula[col] = formula;
	x->set[col] = true;
	/* The row's cap holds every column at TABLE_MAX_CELL. */
	if (buf_append(&x->row, s, len) != 0 || buf_putc(&x->row, '\0') != 0)
		xfail(x, "row %lu is too long", x->rowno);
	if (col + 1 > x->ncols)
		x->ncols = col + 1;
}

/* The value of the cell just closed, by its type and style. */
static void
end_cell(struct xr *x)
{
	const char *v = x->v.data != NULL ? x->v.data : empty;
	const char *t = x->type;
	char ref[4], num[64];
	enum shows shows;
	unsigned long i;
	double d;
	bool has_time;

	col_name(x->col, ref);
	if (strcmp(t, "inlineStr") == 0 || strcmp(t, "str") == 0) {
		put_cell(x, x->col, v, x->v.len, TC_TEXT, x->has_f);
	} else if (x->v.len == 0) {
		/* A styled blank (or a formula not yet computed). */
		put_cell(x, x->col, empty, 0, TC_EMPTY, x->has_f);
	} else if (strcmp(t, "s") == 0) {
		if (!parse_uint(v, ULONG_MAX, &i) || i >= x->nsst) {
			xfail(x, "cell %s%lu refers to shared string \"%s\"; the "
			    "workbook has %zu", ref, x->rowno, v, x->nsst);
			return;
		}
		v = x->sst.data + x->sst_off[i];
		put_cell(x, x->col, v, strlen(v), TC_TEXT, x->has_f);
	} else if (strcmp(t, "b") == 0) {
		if (strcmp(v, "1") != 0 && strcmp(v, "0") != 0) {
			xfail(x, "cell %s%lu: \"%s\" is not a boolean", ref,
			    x->rowno, v);
			return;
		}
		v = v[0] == '1' ? "TRUE" : "FALSE";
		put_cell(x, x->col, v, strlen(v), TC_BOOL, x->has_f);
	} else if (strcmp(t, "e") == 0) {
		put_cell(x, x->col, v, x->v.len, TC_ERROR, x->has_f);
	} else if (strcmp(t, "d") == 0) {
		shows = x->style < x->nxf ? x->xf[x->style] : SHOWS_NUMBER;
		if (!iso_date(v, shows == SHOWS_DATETIME, num, sizeof(num),
		    &has_time)) {
			xfail(x, "cell %s%lu: \"%s\" is not an ISO date", ref,
			    x->rowno, v);
			return;
		}
		put_cell(x, x->col, num, strlen(num),
		    has_time ? TC_DATETIME : TC_DATE, x->has_f);
	} else if (strcmp(t, "n") == 0 || t[0] == '\0') {
		enum table_cell_kind kind = TC_NUMBER;

		if (!parse_number(v, &d)) {
			xfail(x, "cell %s%lu: \"%s\" is not a number", ref,
			    x->rowno, v);
			return;
		}
		shows = x->style < x->nxf ? x->xf[x->style] : SHOWS_NUMBER;
		if ((shows == SHOWS_DATE || shows == SHOWS_DATETIME) &&
		    serial_date(d, x->date1904, shows == SHOWS_DATETIME, num,
		    sizeof(num))) {
			kind = shows == SHOWS_DATE ? TC_DATE : TC_DATETIME;
		} else {
			number_text(d, num, sizeof(num));
			if (shows == SHOWS_PERCENT)
				kind = TC_PERCENT;
		}
		put_cell(x, x->col, num, strlen(num), kind, x->has_f);
	} else {
		xfail(x, "cell %s%lu has an unknown type \"%s\"", ref, x->rowno,
		    t);
	}
}

static void
start_cell(struct xr *x, const char **a)
{
	const char *r = attr(a, "r"), *t = attr(a, "t"), *s = attr(a, "s");
	const char *why;
	unsigned long row, style = 0;
	unsigned col;

	if (r != NULL) {
		if (!parse_ref(r, &col, &row, &why)) {
			xfail(x, "cell \"%s\" %s", r, why);
			return;
		}
	} else {
		col = x->nextcol;
		if (col >= TABLE_MAX_COLS) {
			xfail(x, "row %lu has more than %d cells", x->rowno,
			    TABLE_MAX_COLS);
			return;
		}
	}
	if (s != NULL && !parse_uint(s, UINT32_MAX, &style)) {
		xfail(x, "cell %s has a bad style \"%s\"", r != NULL ? r : "", s);
		return;
	}
	if (t != NULL && strlen(t) >= sizeof(x->type)) {
		xfail(x, "cell %s has an unknown type", r != NULL ? r : "");
		return;
	}
	snprintf(x->type, sizeof(x->type), "%s", t != NULL ? t : "");
	x->col = col;
	x->nextcol = col + 1;
	x->style = (unsigned)style;
	x->has_f = false;
	x->in_c = true;
	buf_reset(&x->v);
}

static void
start_row(struct xr *x, const char **a)
{
	const char *r = attr(a, "r");
	unsigned long n;

	if (r == NULL) {
		n = x->lastrow + 1;
	} else if (!parse_uint(r, ULONG_MAX, &n) || n == 0) {
		xfail(x, "a row numbered \"%s\"", r);
		return;
	}
	if (n > TABLE_MAX_ROWS) {
		xfail(x, "row %lu is beyond the last row read (%d)", n,
		    TABLE_MAX_ROWS);
		return;
	}
	if (n <= x->lastrow) {
		xfail(x, "row %lu comes after row %lu", n, x->lastrow);
		return;
	}
	x->rowno = n;
	x->in_row = true;
	x->nextcol = 0;
	x->ncols = 0;
	buf_reset(&x->row);
}

/* Merged ranges that start by this row join the active list; those that ended leave it. */
static void
merges_advance(struct xr *x)
{
	size_t i, k = 0;

	for (i = 0; i < x->nactive; i++) {
		struct merge *m = &x->m[x->active[i]];

		if (m->r2 >= x->rowno) {
			x->active[k++] = x->active[i];
		} else {
			x->merged_bytes -= m->len;
			free(m->s);
			m->s = NULL;
		}
	}
	x->nactive = k;
	while (x->m_next < x->nm && x->m[x->m_next].r1 <= x->rowno) {
		if (x->m[x->m_next].r2 >= x->rowno)
			x->active[x->nactive++] = x->m_next;
		x->m_next++;
	}
}

/* Every cell of an active range takes its top-left value. */
static void
merges_fill(struct xr *x)
{
	size_t i;
	unsigned c;

	for (i = 0; i < x->nactive && busy(x); i++) {
		struct merge *m = &x->m[x->active[i]];

		if (m->r1 == x->rowno && m->s == NULL && m->c1 < x->ncols &&
		    x->set[m->c1]) {
			m->len = x->len[m->c1];
			m->kind = x->kind[m->c1];
			m->formula = x->formula[m->c1];
			m->s = xstrndup(x->row.data + x->off[m->c1], m->len);
			x->merged_bytes += m->len;
			if (x->merged_bytes > MAX_MERGED) {
				xfail(x, "merged ranges hold more than %u bytes",
				    MAX_MERGED);
				return;
			}
		}
		if (m->s == NULL || m->len == 0)
			continue;
		for (c = m->c1; c <= m->c2 && busy(x); c++)
			if (x->rowno != m->r1 || c != m->c1)
				put_cell(x, c, m->s, m->len, m->kind, m->formula);
	}
}

static void
end_row(struct xr *x)
{
	unsigned c, n;

	x->in_row = false;
	x->lastrow = x->rowno;
	merges_advance(x);
	merges_fill(x);
	if (!busy(x))
		return;
	n = x->ncols;
	while (n > 0 && (!x->set[n - 1] || x->len[n - 1] == 0))
		n--;
	for (c = 0; c < n; c++) {
		struct table_cell *cell = &x->cells[c];

		if (x->set[c]) {
			cell->s = x->row.data + x->off[c];
			cell->len = x->len[c];
			cell->kind = (enum table_cell_kind)x->kind[c];
			cell->formula = x->formula[c];
		} else {
			cell->s = empty;
			cell->len = 0;
			cell->kind = TC_EMPTY;
			cell->formula = false;
		}
	}
	for (c = 0; c < x->ncols; c++)
		x->set[c] = false;
	x->info->rows++;
	x->stop = x->fn(x->arg, x->rowno, x->cells, n);
	if (x->stop != 0)
		XML_StopParser(x->p, XML_FALSE);
}

static void
sheet_start(struct xr *x, const char *name, const char **a)
{
	if (strcmp(name, "row") == 0) {
		start_row(x, a);
	} else if (strcmp(name, "c") == 0 && x->in_row) {
		start_cell(x, a);
	} else if (!x->in_c) {
		return;
	} else if (strcmp(name, "v") == 0) {
		x->in_v = true;
		collect(x);
	} else if (strcmp(name, "f") == 0) {
		x->has_f = true;
	} else if (strcmp(name, "is") == 0) {
		x->in_is = true;
	} else if (strcmp(name, "rPh") == 0) {
		x->skip = 1;
	} else if (strcmp(name, "t") == 0 && x->in_is) {
		collect(x);
	}
}

static void
sheet_end(struct xr *x, const char *name)
{
	if (strcmp(name, "row") == 0 && x->in_row) {
		end_row(x);
	} else if (strcmp(name, "c") == 0 && x->in_c) {
		x->in_c = false;
		x->in_is = false;
		end_cell(x);
	} else if (strcmp(name, "v") == 0 && x->in_v) {
		x->in_v = false;
		x->collect = false;
		if (buf_append(&x->v, x->text.data, x->text.len) != 0)
			xfail(x, "a value is longer than %d bytes",
			    TABLE_MAX_CELL);
	} else if (strcmp(name, "t") == 0 && x->in_is) {
		x->collect = false;
		if (buf_append(&x->v, x->text.data, x->text.len) != 0)
			xfail(x, "a value is longer than %d bytes",
			    TABLE_MAX_CELL);
	}
}

/* ---- the read ---- */

static int
read_sheet(struct xr *x)
{
	char part[MAX_PATH];

	if (x->sheet_path[0] == '\0') {
		xfail(x, "xl/_rels/workbook.xml.rels has no part for sheet "
		    "\"%s\"", x->info->sheet);
		return -1;
	}
	/* x->part points at it while parsing; xfail may print it after. */
	memcpy(part, x->sheet_path, sizeof(part));
	if (parse_part(x, part, merge_start, no_end) != 0)
		return -1;
	if (x->nm > 0)
		qsort(x->m, x->nm, sizeof(*x->m), by_first_row);
	x->active = xcalloc(x->nm + 1, sizeof(*x->active));
	return parse_part(x, part, sheet_start, sheet_end);
}

static void
xr_free(struct xr *x)
{
	size_t i;

	for (i = 0; i < x->nm; i++)
		free(x->m[i].s);
	free(x->m);
	free(x->active);
	free(x->sst_off);
	free(x->fmts);
	free(x->xf);
	free(x->off);
	free(x->len);
	free(x->kind);
	free(x->formula);
	free(x->set);
	free(x->cells);
	buf_free(&x->sst);
	buf_free(&x->text);
	buf_free(&x->v);
	buf_free(&x->row);
}

int
txlsx_read(zip_t *z, unsigned long long size, const struct table_opts *o,
    struct table_info *info, table_row_fn fn, void *arg, char *err,
    size_t errlen)
{
	struct xr x;
	int rc;

	memset(&x, 0, sizeof(x));
	x.z = z;
	x.size = size;
	x.o = o;
	x.info = info;
	x.fn = fn;
	x.arg = arg;
	x.err = err;
	x.errlen = errlen;
	info->format = TABLE_XLSX;
	buf_init(&x.text, TABLE_MAX_CELL);
	buf_init(&x.v, TABLE_MAX_CELL);
	buf_init(&x.sst, (size_t)TABLE_MAX_UNZIPPED);
	buf_init(&x.row, (size_t)TABLE_MAX_COLS * (TABLE_MAX_CELL + 1));
	x.fmts = xcalloc(MAX_NUMFMT, sizeof(*x.fmts));
	x.xf = xcalloc(MAX_XF, 1);
	x.off = xcalloc(TABLE_MAX_COLS, sizeof(*x.off));
	x.len = xcalloc(TABLE_MAX_COLS, sizeof(*x.len));
	x.kind = xcalloc(TABLE_MAX_COLS, 1);
	x.formula = xcalloc(TABLE_MAX_COLS, sizeof(*x.formula));
	x.set = xcalloc(TABLE_MAX_COLS + 1, sizeof(*x.set));
	x.cells = xcalloc(TABLE_MAX_COLS, sizeof(*x.cells));
	rc = parse_part(&x, "xl/workbook.xml", wb_start, no_end);
	if (rc == 0)
		rc = choose_sheet(&x);
	if (rc == 0)
		rc = parse_part(&x, "xl/_rels/workbook.xml.rels", rels_start,
		    no_end);
	if (rc == 0 && x.sst_path[0] == '\0')
		snprintf(x.sst_path, sizeof(x.sst_path), "xl/sharedStrings.xml");
	if (rc == 0 && x.styles_path[0] == '\0')
		snprintf(x.styles_path, sizeof(x.styles_path), "xl/styles.xml");
	if (rc == 0 && has_part(&x, x.sst_path))
		rc = parse_part(&x, x.sst_path, sst_start, sst_end);
	if (rc == 0 && has_part(&x, x.styles_path))
		rc = parse_part(&x, x.styles_path, styles_start, styles_end);
	if (rc == 0)
		rc = read_sheet(&x);
	rc = x.failed ? -1 : x.stop;
	xr_free(&x);
	return rc;
}
