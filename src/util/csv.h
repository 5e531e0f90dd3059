/*
 * Writing CSV that spreadsheets open safely: RFC 4180 cells, and no cell
 * that a spreadsheet would run as a formula. Reading CSV (imports) is
 * libcsv's.
 */
#ifndef UTIL_CSV_H
#define UTIL_CSV_H

#include "util/buf.h"

/*
 * Appends the NUL-terminated text s to b as one cell: quoted when it holds
 * a comma, a double quote or a line break, with quotes doubled. A text
 * starting with = + - @, a tab or a carriage return (which a spreadsheet
 * would take for a formula) gets a leading apostrophe, so it shows as
 * text. NULL appends nothing (an empty cell). Separators (',' and "\r\n")
 * are the caller's. 0, or -1 when b's cap is reached (b then holds a
 * partial cell: discard it).
 */
int csv_cell(struct buf *b, const char *s);

#endif
