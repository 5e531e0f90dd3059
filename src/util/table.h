/*
 * Tables from outside: the rows of a CSV file or of one sheet of an XLSX
 * workbook, handed over one at a time as UTF-8 text cells, for imports.
 *
 * Every byte of the file is hostile. The readers never trust a declared
 * size (a zip entry's, a sheet's dimension, a shared string count): they
 * count what they actually read against the limits below and stop with a
 * message that names where the file went wrong ("row 12: ...", "xlsx:
 * xl/worksheets/sheet1.xml line 3: ..."). Nothing here allocates what
 * outlives a call.
 *
 * The readers stream: a million-row file costs memory for one row (and,
 * for XLSX, the shared strings), not for the file. Rows already handed
 * over stay handed over when a later one fails: a caller that wants all
 * or nothing collects first and writes after table_read returns 0.
 *
 * CSV: the encoding is a BOM, else the caller's, else UTF-8 when the first
 * 64 KiB are valid UTF-8, else the likelier of WINDOWS-1251 and SHIFT_JIS;
 * the BOM never reaches a cell. Spaces around an unquoted cell are
 * trimmed, quoted cells kept as they are; a quote inside an unquoted
 * cell, text after a closing quote and a quote left open are errors.
 *
 * XLSX: a cell's kind comes from its type and its style's number format.
 * A merged range repeats its top-left value (and kind) in every cell it
 * covers, so a header merged over two columns names both; a formula cell
 * gives its cached result (the workbook is never recalculated). Text has
 * OOXML's _xHHHH_ escapes decoded ("_x000D_" is a carriage return).
 */
#ifndef UTIL_TABLE_H
#define UTIL_TABLE_H

#include <stdbool.h>
#include <stddef.h>

/* Limits; a file past one of them is refused, not cut. */
#define TABLE_MAX_COLS		1024		/* cells in one row */
#define TABLE_MAX_CELL		32767		/* bytes of one cell (Excel's own limit) */
#define TABLE_MAX_ROWS		5000000		/* rows in one file or sheet */
#define TABLE_MAX_SHEETS	64
#define TABLE_MAX_NAME		128		/* bytes of a sheet name */
#define TABLE_MAX_UNZIPPED	(1024LL << 20)	/* bytes of all XLSX parts read */
#define TABLE_MAX_RATIO		200		/* unzipped/zipped, for parts over 1 MiB */

enum table_format {
	TABLE_CSV,
	TABLE_XLSX,
};

/* What a cell held in the file; CSV cells are all TC_TEXT or TC_EMPTY. */
enum table_cell_kind {
	TC_EMPTY,	/* no value: s is "" */
	TC_TEXT,	/* a string (shared, inline, or a formula's text result) */
	/*
	 * A number, s the shortest decimal that reads back as the same
	 * double: integers below 1e17 in full ("79161234567", whatever
	 * the cell showed, "7.92E+10"), others the first of %.15g, %.16g,
	 * %.17g to round-trip ("0.15", "0.30000000000000004", "1.5e+20").
	 */
	TC_NUMBER,
	TC_PERCENT,	/* a number formatted as a percentage: s is the fraction, "0.15" */
	/*
	 * A date serial with a date format: s is "YYYY-MM-DD". The 1900
	 * system (serial 1 is 1900-01-01; Excel's phantom 1900-02-29, serial
	 * 60, reads as 1900-02-28) or 1904, as the workbook says; a serial
	 * before the epoch or past 9999-12-31 stays TC_NUMBER. Cells of type
	 * "d" (ISO text) are dates too.
	 */
	TC_DATE,
	/*
	 * ... whose format shows a time: s is "YYYY-MM-DDTHH:MM:SS", rounded
	 * to the second; a time-only format (h:mm) gives a time below one day
	 * on 1899-12-31 (1904-01-01 in the 1904 system).
	 */
	TC_DATETIME,
	TC_BOOL,	/* s is "TRUE" or "FALSE" */
	TC_ERROR,	/* a formula error: s is its text, "#DIV/0!" */
};

struct table_cell {
	const char		*s;	/* NUL-terminated UTF-8, valid */
	size_t			 len;	/* bytes, without the NUL */
	enum table_cell_kind	 kind;
	bool			 formula; /* the value is a formula's cached result */
};

/*
 * Called for every row, in file order. rowno is the row as a spreadsheet
 * shows it: the CSV record number from 1 (a quoted line break does not
 * start a new one), or the XLSX row number (gaps are skipped rows, which
 * are not reported). cells are valid only during the call; trailing empty
 * cells are dropped, so ncells may be 0 for an empty row. Return 0 to go
 * on, anything else to stop reading (table_read then returns that value).
 */
typedef int (*table_row_fn)(void *arg, size_t rowno,
    const struct table_cell *cells, size_t ncells);

struct table_opts {
	/*
	 * CSV: the file's encoding as iconv names it ("UTF-8",
	 * "WINDOWS-1251", "SHIFT_JIS", "UTF-16LE"...), or NULL to detect:
	 * a BOM, else valid UTF-8, else the likelier of WINDOWS-1251 and
	 * SHIFT_JIS.
	 */
	const char	*encoding;
	char		 delimiter;	/* CSV: ',' ';' '\t' '|', or 0 to detect */
	const char	*sheet;		/* XLSX: sheet name, or NULL for the first */
};

/* What the reader found (and, for detection, decided). */
struct table_info {
	enum table_format	format;
	char			encoding[32];	/* CSV: as used */
	char			delimiter;	/* CSV: as used */
	size_t			nsheets;	/* XLSX: every sheet, in workbook order */
	char			sheets[TABLE_MAX_SHEETS][TABLE_MAX_NAME];
	char			sheet[TABLE_MAX_NAME];	/* XLSX: the one read */
	size_t			rows;		/* rows reported */
};

/*
 * Which reader a file needs, by its content (never its name): TABLE_XLSX
 * for a zip holding xl/workbook.xml, TABLE_CSV for text. -1 with err for
 * anything else (a PDF, an image, an old binary .xls, a zip that is not a
 * workbook), the message saying what the file looks like.
 */
int table_sniff(const char *path, enum table_format *out, char *err,
    size_t errlen);

/*
 * Reads the file at path (sniffed as above), calling fn for every row.
 * 0 when every row was read; fn's nonzero value when it stopped; -1 with
 * err (NUL-terminated, errlen bytes at most) for a file it cannot read or
 * that breaks a limit. info (may be NULL) is filled as far as the reader
 * got, also on failure.
 */
int table_read(const char *path, const struct table_opts *o,
    struct table_info *info, table_row_fn fn, void *arg, char *err,
    size_t errlen);

#endif
