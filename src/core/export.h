/*
 * Exports: a list of records (companies, contacts, deals, activities) as
 * a CSV or XLSX file, with the list's own filters, search and sort, under
 * the export right, recorded in the audit log.
 *
 * What a file may hold is decided by the same rules as every read
 * (core/access.h): a row must be readable by the actor and inside the
 * scope the role gives for "export" (a manager who may read the whole
 * department but export only their own records exports only their own);
 * a field the role hides is no column at all, and the name of a linked
 * record the actor may not read is blank. A role without the export right
 * is refused (CRM_EFORBIDDEN).
 *
 * Columns are named as the API names fields ("name", "emails", "owner_id",
 * "custom.segment"), so the header row of a CSV is what an import maps
 * back onto fields. Values are written for people: lists joined with ", ",
 * times in RFC 3339 UTC, dates as YYYY-MM-DD, money in major units
 * ("1250.00") beside its currency column; ids stay ids, with the
 * "<x>_name" column beside them where the record has one (owner_name for
 * the owner).
 *
 * The rows come from one statement and go straight to a file (never all
 * into memory); only once the file is complete is the "<entity>.export"
 * audit entry (filters, columns, format, row count) written, in a short
 * transaction of its own, and the file is handed out only when that has
 * committed: a file is never handed out without its trace, the count in
 * the trace is what the file holds, and writers never wait for the read.
 * An export is bounded: at most EXPORT_MAX_ROWS rows and EXPORT_MAX_BYTES
 * bytes, beyond which it is refused, never cut short silently.
 */
#ifndef CORE_EXPORT_H
#define CORE_EXPORT_H

#include <jansson.h>
#include <stdint.h>

#include "core/core.h"
#include "util/buf.h"

struct entity;
struct list_query;

#define EXPORT_MAX_ROWS 1000000
#define EXPORT_MAX_BYTES (256LL * 1024 * 1024)
#define EXPORT_MAX_COLUMNS 128
#define EXPORT_COLUMNS_MAX_LEN 4096	/* bytes of the columns parameter */

/* EXPORT_PDF is a report's only (core/reports.h, report_render). */
enum export_format { EXPORT_CSV, EXPORT_XLSX, EXPORT_PDF };

/* "csv" / "xlsx" to a format; -1 for anything else (lists have no PDF). */
int export_format_parse(const char *s);

struct export_req {
	const struct entity	*e;
	/*
	 * The list parameters: q, sort, deleted and the filters, exactly as
	 * rec_list takes them; a cursor or a limit is refused (an export is
	 * the whole list).
	 */
	const struct list_query	*lq;
	/* "name,phones,custom.segment", or NULL for every visible column. */
	const char		*columns;
	enum export_format	 format;
	/* A folder for the file while it is written (borrowed). */
	const char		*dir;
};

struct export_result {
	int		fd;	/* the file, read from offset 0; the caller closes */
	uint64_t	size;	/* its bytes */
	int64_t		rows;	/* records in it (the header row not counted) */
};

/*
 * Writes the export into an unnamed file in r->dir and records it. On
 * CRM_OK out->fd is open (the caller closes it); on failure nothing is
 * left behind or logged and cx->detail says why: CRM_EFORBIDDEN without
 * the export right, CRM_EBADQUERY for a bad column (named), filter, sort,
 * q, cursor or limit, or when the export is over its limits.
 */
int export_run(struct core_ctx *cx, const struct export_req *r,
    struct export_result *out);

/*
 * One value as a cell. The text is what CSV shows (before quoting); type
 * and num are for XLSX, which keeps numbers, dates and times as such.
 */
enum export_type {
	EXPORT_EMPTY,	/* no value */
	EXPORT_TEXT,
	EXPORT_INT,	/* num is the number */
	EXPORT_DECIMAL,	/* text is a decimal ("12.50", "1234") */
	EXPORT_DATE,	/* num is days since 1970-01-01 */
	EXPORT_TIME,	/* num is milliseconds UTC */
	EXPORT_BOOL,	/* num is 0 or 1 */
};

/* How a column's values are rendered. */
enum export_kind {
	EXPORT_K_PLAIN,		/* by the JSON value's own shape */
	EXPORT_K_DATE,		/* "YYYY-MM-DD" */
	EXPORT_K_TIME,		/* RFC 3339 */
	EXPORT_K_MONEY,		/* integer minor units of a currency */
};

/*
 * Renders v (borrowed; NULL or null: empty) of a column of the given kind
 * into text (reset first) and *type / *num. digits is a money column's
 * minor-unit digits (0, 2 or 3). Arrays are joined with ", ", objects and
 * arrays of objects are compact JSON, a money object of a custom field
 * ({"amount", "currency"}) is "12.50 EUR" given its digits. -1 when text's
 * cap is reached.
 */
int export_cell(enum export_kind kind, json_t *v, int digits, struct buf *text,
    enum export_type *type, int64_t *num);

#endif
