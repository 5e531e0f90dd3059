/*
 * The one-number query unit tests check a database with: the first column
 * of sql's first row on d, or -1 when there is none. Included after
 * cmocka.h.
 */
#ifndef TESTS_UNIT_DB_INT_H
#define TESTS_UNIT_DB_INT_H

#include <stdint.h>

#include "store/db.h"

static int64_t
test_db_int(db_t *d, const char *sql)
{
	db_stmt_t *st;
	int64_t n = -1;

	if (db_prepare(d, sql, &st) != DB_OK)
		fail_msg("prepare %s: %s", sql, db_errmsg(d));
	if (db_step(st) == DB_ROW)
		n = db_col_int(st, 0);
	db_done(st);
	return n;
}

#endif
