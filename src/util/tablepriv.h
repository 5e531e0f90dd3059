/*
 * Inside the table readers (util/table.h): what table.c, csvread.c and
 * xlsx.c share, and the in-memory entry the fuzz harnesses use. Not for
 * the rest of the program, which reads files through table_read().
 */
#ifndef UTIL_TABLEPRIV_H
#define UTIL_TABLEPRIV_H

#include <stdio.h>
#include <zip.h>

#include "util/table.h"

/* Bytes looked at to sniff a file and to detect a CSV's encoding and delimiter. */
#define TABLE_HEAD	65536

/* Writes the message into err (errlen bytes, NUL-terminated, cut if need be). */
void table_err(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/*
 * What the first n bytes of a file say it is: TABLE_XLSX for a zip (the
 * caller then checks it holds xl/workbook.xml), TABLE_CSV for text, -1
 * with err for anything else.
 */
int table_sniff_head(const unsigned char *h, size_t n, enum table_format *out,
    char *err, size_t errlen);

/*
 * "UTF-16LE" or "UTF-16BE" when n bytes without a BOM look like UTF-16
 * text (NULs in one half of the bytes, nearly none in the other), or NULL.
 */
const char *table_utf16(const unsigned char *h, size_t n);

/*
 * The readers proper. tcsv_read reads fp from its current position to
 * the end; txlsx_read reads the open archive z, whose file is size bytes
 * (the bound on what its parts may claim to be compressed to). Both as
 * table_read(), which opens the file and calls one of them; neither
 * closes what it was given.
 */
int tcsv_read(FILE *fp, const struct table_opts *o, struct table_info *info,
    table_row_fn fn, void *arg, char *err, size_t errlen);
int txlsx_read(zip_t *z, unsigned long long size, const struct table_opts *o,
    struct table_info *info, table_row_fn fn, void *arg, char *err,
    size_t errlen);

/* table_read() over len bytes in memory (the fuzz harnesses). */
int table_read_mem(const void *data, size_t len, const struct table_opts *o,
    struct table_info *info, table_row_fn fn, void *arg, char *err,
    size_t errlen);

#endif
