/*
 * Checks both table-reader harnesses (fuzz_csv.c, fuzz_xlsx.c) make on
 * every row the readers hand over: the promises of util/table.h.
 */
#ifndef FUZZ_TABLE_CHECK_H
#define FUZZ_TABLE_CHECK_H

#include <stdbool.h>
#include <stddef.h>

#include "util/buf.h"
#include "util/table.h"

struct rows_seen {
	size_t		 n;		/* rows seen */
	size_t		 last;		/* the last row number */
	size_t		 stop_at;	/* stop (returning 7) after this many rows, or 0 */
	bool		 consecutive;	/* CSV: row numbers go 1, 2, 3 ... */
	struct buf	 text;		/* every row, for comparing two reads */
};

/*
 * The table_row_fn of the harnesses (arg: a struct rows_seen). Aborts
 * through fz_fail() when a row breaks a promise: cells NUL-terminated
 * valid UTF-8 of len bytes, at most TABLE_MAX_CELL each and
 * TABLE_MAX_COLS in all, the last one not empty, TC_EMPTY exactly when
 * empty, values of each kind in their documented shape, row numbers
 * increasing.
 */
int tc_row(void *arg, size_t rowno, const struct table_cell *cells,
    size_t n);

/* The outcome's checks: rc and err agree, info counts the rows seen. */
void tc_outcome(int rc, const char *err, const struct table_info *info,
    const struct rows_seen *seen);

/*
 * One read of the harness's input: fills seen (through tc_row) and info,
 * returns what the reader returned, err set on failure.
 */
typedef int (*tc_reader)(void *ctx, struct rows_seen *seen,
    struct table_info *info, char *err, size_t errlen);

/*
 * Reads twice with read: once whole, once asked to stop after the first
 * rows; checks both outcomes and that the second gave exactly the first
 * one's first rows.
 */
void tc_read_twice(tc_reader read, void *ctx);

#endif
