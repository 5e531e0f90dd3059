/*
 * Reports (issue 11): running descriptions, saved and shared reports, the
 * library of ready reports, and their exports. docs/reports.md has the
 * language, the rights and the library; core/report_def.h the parser and
 * compiler.
 *
 * Every answer of a run has one shape:
 *   {"columns": [{key, label, type}], "rows": [[...]], "totals": [...] |
 *    null, "drill": [object | null per row], "truncated": bool,
 *    "chart": name, "row_count": n}
 * Every run and export is written to the audit log (report.run,
 * report.export) with the number of rows.
 */
#ifndef CORE_REPORTS_H
#define CORE_REPORTS_H

#include <jansson.h>

#include "core/export.h"
#include "core/report_def.h"
#include "util/buf.h"

/* A run's bound: past it the statement is interrupted (503). */
#define REPORT_TIMEOUT_MS 10000
#define REPORT_NAME_MAX 200
#define REPORT_DESC_MAX 2000
#define REPORT_SHARES_MAX 50

/* Parameters of a run, as they arrive (checked by the core). */
struct report_params {
	const char	*tz;		/* IANA zone, NULL: UTC */
	const char	*from;		/* the library's: YYYY-MM-DD, or NULL */
	const char	*to;
	const char	*days;
	const char	*unknown;	/* the first other parameter, or NULL */
	/* The library's filters (docs/reports.md "Filters"), or NULL. */
	const char	*owner_id;
	const char	*department_id;
	const char	*pipeline_id;
	const char	*source;
	const char	*segment;
};

/*
 * Sets the run parameter named key to value (both kept by reference, not
 * copied). "format" is the export's and left alone; any other name becomes
 * p->unknown unless one came before it, for the run to refuse.
 */
void report_params_set(struct report_params *p, const char *key,
    const char *value);

/* The longest source or segment a filter takes, in bytes. */
#define REPORT_FILTER_TEXT_MAX 200

/* ---- report_run.c ---- */

/*
 * Runs a parsed description under env within REPORT_TIMEOUT_MS: *out is
 * the answer above. CRM_EUNAVAIL when it ran too long, CRM_EBADQUERY for
 * an unresolvable period or an oversized statement.
 */
int report_run(struct core_ctx *cx, const struct report_def *d,
    const struct rd_env *env, json_t **out);

/*
 * Runs a statement the library's own functions built (q; its columns of
 * the types in types[ncols]) within REPORT_TIMEOUT_MS into the answer
 * shape, with no totals or drills: the caller adds them. limit rows at
 * most (one more read says "truncated").
 */
int report_run_sql(struct core_ctx *cx, const struct dbq *q,
    json_t *columns, const enum rd_type *types, int ncols, int limit,
    const char *chart, json_t **out);

/*
 * Appends " AND ..." over alias: the rows of e the actor may read, and
 * export too when env asks (the library's functions).
 */
int report_scope_where(struct core_ctx *cx, const struct entity *e,
    const struct rd_env *env, const char *alias, struct dbq *q);
/*
 * Sets the drill of each row of an answer whose first column is an owner
 * id: base (borrowed list filters) plus owner_id; null for a row without.
 */
void report_drill_owner(json_t *res, json_t *base);

/* Loads tz into env's checks: CRM_EBADQUERY naming tz when unknown. */
int report_tz_check(struct core_ctx *cx, const char *tz);

/* ---- reports.c: saved reports ---- */

/* {"data": [...]}: the library, one's own, those shared with one (admin: all). */
int report_list(struct core_ctx *cx, json_t **out);
/* One visible report (with its definition): CRM_ENOTFOUND otherwise. */
int report_get(struct core_ctx *cx, int64_t id, json_t **out);
/* Sets *visible to whether the actor may see report id (read and run it). */
int report_visible(struct core_ctx *cx, int64_t id, bool *visible);
/*
 * Saves {name, description?, definition, shares?}; the definition must
 * parse for the actor (CRM_EINVAL, paths under "definition").
 */
int report_create(struct core_ctx *cx, json_t *in, json_t **out);
/* Replaces name, description, definition, shares: the owner or an admin. */
int report_update(struct core_ctx *cx, int64_t id, int64_t if_version,
    json_t *in, json_t **out);
int report_delete(struct core_ctx *cx, int64_t id);

/* {definition}: {"valid": true, "columns": [...]}, or CRM_EINVAL. */
int report_validate(struct core_ctx *cx, json_t *in, json_t **out);
/* {definition, tz?}: runs an unsaved description (audited, report_id null). */
int report_preview(struct core_ctx *cx, json_t *in, json_t **out);
/* Runs saved or library report id with p (audited). */
int report_run_id(struct core_ctx *cx, int64_t id,
    const struct report_params *p, json_t **out);

/*
 * Runs report id for an export (the base entity's export right and
 * scope) and hands back the answer and the report's name and base entity
 * (static) for the file; the caller audits with report_export_done once
 * the file is complete.
 */
int report_export_run(struct core_ctx *cx, int64_t id,
    const struct report_params *p, json_t **out, char *name, size_t namelen,
    const struct entity **base);
int report_export_done(struct core_ctx *cx, int64_t id, const char *format,
    int64_t rows);
/*
 * Runs report id for delivery by mail (core/report_deliver.h): the
 * actor's read scope, as the report shows on screen, and no audit entry
 * (the caller writes report.deliver). name (may be NULL) gets its name.
 */
int report_deliver_run(struct core_ctx *cx, int64_t id,
    const struct report_params *p, json_t **out, char *name, size_t namelen);
/*
 * One line for a rendered report's header: the period, days and zone of p
 * as the run resolves them and the filters of report id's description
 * ("status eq won"), appended to out (truncated at its cap).
 */
int report_params_text(struct core_ctx *cx, int64_t id,
    const struct report_params *p, struct buf *out);

/* ---- report_export.c ---- */

#define REPORT_FILENAME_MAX 64		/* a rendered file's name, NUL included */
#define REPORT_RENDER_MAX (64 * 1024 * 1024)	/* bytes of a rendered file */

/* "csv", "xlsx" or "pdf" to a format; -1 for anything else. */
int report_format_parse(const char *s);
/*
 * A format's file name extension ("pdf") and media type (static), one
 * table for the export's answer and a delivery's attachment.
 */
const char *report_format_ext(enum export_format format);
const char *report_format_mime(enum export_format format);

/*
 * Report id as a file in format, written in dir (borrowed): out->fd (the
 * caller closes it), size and rows. Needs the export right on the report's
 * base entity (CRM_EFORBIDDEN); audited as report.export once complete.
 */
int report_export(struct core_ctx *cx, int64_t id,
    const struct report_params *p, enum export_format format, const char *dir,
    struct export_result *out);
/*
 * An answer res (borrowed) of report id run with p, named name, as a CSV,
 * XLSX or PDF file in dir (borrowed): *fd reads it from offset 0 (the
 * caller closes it). Neither rights nor audit: the callers' (report_export,
 * the delivery by mail).
 */
int report_write_file(struct core_ctx *cx, int64_t id,
    const struct report_params *p, json_t *res, const char *name,
    enum export_format format, const char *dir, int *fd);

/*
 * The safe name of report id's file in format made now:
 * "report-<id>-<YYYY-MM-DD>.<ext>", the day in p->tz.
 */
int report_filename(struct core_ctx *cx, const struct report_params *p,
    int64_t id, enum export_format format, char out[REPORT_FILENAME_MAX]);
/*
 * Report id rendered in format (CSV, XLSX or PDF) into out (reset first;
 * at most REPORT_RENDER_MAX bytes; the caller initialises and frees it),
 * without HTTP: for a face, or a job mailing the report. filename gets a
 * safe name, "report-<id>-<YYYY-MM-DD>.<ext>" (the day in p->tz). The
 * actor of cx is the one whose rights apply: the same export right, scope
 * and audit entry (report.export with the format and row count) as
 * report_export. dir (borrowed; NULL: "/tmp") holds an XLSX's temporary
 * file while it is written. On failure out is empty and cx->detail says
 * why: CRM_ENOTFOUND, CRM_EFORBIDDEN, CRM_EBADQUERY (a parameter, or the
 * file would be too large), CRM_EUNAVAIL (the run took too long).
 */
int report_render(struct core_ctx *cx, int64_t id,
    const struct report_params *p, enum export_format format, const char *dir,
    struct buf *out, char filename[REPORT_FILENAME_MAX]);

/* ---- report_pdf.c ---- */

/* What a PDF says about its run, beside the answer (all borrowed). */
struct report_pdf_meta {
	const char	*title;		/* the report's name */
	const char	*params;	/* the filters and period, one line, or NULL */
	const char	*viewer;	/* who ran it */
	int64_t		 run_ms;	/* when */
	const char	*tz;		/* the run's zone (IANA), NULL: UTC */
	const char	*currency;	/* the base currency's code: money columns */
	int		 digits;	/* its minor-unit digits */
};

#define REPORT_PDF_MAX_ROWS 5000	/* table rows drawn; past it, a note */
#define REPORT_PDF_MAX_TEXT 300		/* characters of one cell or label */

/*
 * An answer (the shape above; borrowed) as a PDF appended to out: a
 * title, m's line of filters, run time and viewer, the chart of
 * answer's "chart" kind drawn as vectors (core/chart_draw.h), then the
 * table across as many A4 pages as it takes, header repeated. All text
 * is plain (never markup). 0, or -1 when out's cap is reached or cairo
 * fails.
 */
int report_pdf_write(json_t *answer, const struct report_pdf_meta *m,
    struct buf *out);

/* ---- the library (reports.c and report_lib_*.c) ---- */

/* A ready report that is a core function rather than a description. */
int report_lib_deal_cycle(struct core_ctx *cx, const struct rd_env *env,
    int64_t from_ms, int64_t to_ms, json_t **out);
int report_lib_pipeline_months(struct core_ctx *cx, const struct rd_env *env,
    json_t **out);
int report_lib_activity(struct core_ctx *cx, const struct rd_env *env,
    int64_t from_ms, int64_t to_ms, json_t **out);
int report_lib_no_contact(struct core_ctx *cx, const struct rd_env *env,
    int64_t days, json_t **out);
int report_lib_completeness(struct core_ctx *cx, const struct rd_env *env,
    json_t **out);
/* report_lib_revenue.c: won deals by product, by client segment. */
int report_lib_product(struct core_ctx *cx, const struct rd_env *env,
    int64_t from_ms, int64_t to_ms, json_t **out);
int report_lib_segment(struct core_ctx *cx, const struct rd_env *env,
    int64_t from_ms, int64_t to_ms, json_t **out);
/* report_lib_clients.c: ABC, RFM, repeat purchases, first contacts. */
int report_lib_abc(struct core_ctx *cx, const struct rd_env *env,
    int64_t from_ms, int64_t to_ms, json_t **out);
int report_lib_rfm(struct core_ctx *cx, const struct rd_env *env,
    int64_t from_ms, int64_t to_ms, json_t **out);
int report_lib_repeat(struct core_ctx *cx, const struct rd_env *env,
    int64_t from_ms, int64_t to_ms, json_t **out);
int report_lib_stuck(struct core_ctx *cx, const struct rd_env *env,
    int64_t days, json_t **out);
/* report_lib_usage.c: sign-ins and records written per person. */
int report_lib_usage(struct core_ctx *cx, const struct rd_env *env,
    int64_t from_ms, int64_t to_ms, json_t **out);
/* report_lib_ops.c: tickets and SLA; process steps. */
int report_lib_tickets(struct core_ctx *cx, const struct rd_env *env,
    int64_t from_ms, int64_t to_ms, json_t **out);
int report_lib_process(struct core_ctx *cx, const struct rd_env *env,
    int64_t from_ms, int64_t to_ms, json_t **out);

/* The answer's columns [{key, label, type}] of n {key, label, type} triples. */
json_t *report_columns(const char *const (*cols)[3], int n);

/*
 * Appends the won deals (alias t) closed in from_ms..to_ms that the actor
 * may read (and export, when env asks), narrowed by env's filters: the
 * base of the revenue and client reports. Starts with " t.deleted_at".
 */
int report_won_where(struct core_ctx *cx, const struct rd_env *env,
    int64_t from_ms, int64_t to_ms, struct dbq *q);
/* {"status": "won", "closed_at[gte]", "closed_at[lte]"}: their list. */
json_t *report_won_drill(int64_t from_ms, int64_t to_ms);

/*
 * The drill of each row whose column col is the first day of a bucket
 * (a date, as db_bucket_expr answers it): base (borrowed) plus key[gte]
 * and key[lte], the bucket's instants in zone tz, kept inside
 * from_ms..to_ms. Null for a row without.
 */
void report_drill_bucket(json_t *res, json_t *base, int col, const char *key,
    const char *bucket, const char *tz, int64_t from_ms, int64_t to_ms);

/*
 * The drill of each row of an answer: base (borrowed) plus key = the row's
 * column col (an id or a text), null for a row whose value is null.
 */
void report_drill_col(json_t *res, json_t *base, const char *key, int col);

#endif
