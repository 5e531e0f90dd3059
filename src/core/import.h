/*
 * Imports: a CSV or XLSX file brought into companies, contacts, deals or
 * activities, strictly. The life of one import:
 *
 *   upload    the file is stored (in the documents folder, by its hash),
 *             sniffed, its header and first rows read, a mapping suggested
 *             (the one remembered for files of this shape, else from the
 *             header names): status "uploaded"
 *   update    the user fixes the sheet, encoding, delimiter, header row,
 *             mapping and options (each checked; a wrong one is a 422)
 *   dry run   the whole file parsed and matched, nothing written: counts
 *             of what would be created, updated, skipped, and every bad
 *             cell (status "checking", then "checked")
 *   run       mode "all": only after a dry run without errors, written in
 *             chunks of IMP_CHUNK rows, each its own transaction, and if
 *             one fails the chunks before it are undone; mode "skip": bad
 *             rows are left out and listed. Status "running" -> "done" or
 *             "failed"; rows_done/rows_total show the progress
 *   undo      created records go to the trash, updated ones get their
 *             values back unless changed since (those are listed): "undone"
 *
 * Dry runs and runs are jobs (kind "import", core/jobs.h) run as the
 * importer; imp_job_run is also what `crm import` calls in its own process.
 * Rights: the import right (ACC_IMPORT) on the entity, and every record is
 * written by the record engine under the importer's own create and update
 * rights. An import is seen by its importer and by administrators.
 */
#ifndef CORE_IMPORT_H
#define CORE_IMPORT_H

#include <jansson.h>

#include "core/core.h"

struct doc_store;
struct doc_blob;
struct entity;

#define IMP_CHUNK 500			/* rows per transaction of a run */
#define IMP_SAMPLE 20			/* rows shown after the header */
#define IMP_ERRORS_MAX 100000		/* error rows kept per import */
#define IMP_ERRORS_SHOWN 100		/* errors in imp_get's answer */

/* What the upload names besides the file (each may be NULL or 0). */
struct imp_source {
	const char	*entity;	/* "contacts" */
	const char	*encoding;	/* CSV: iconv name, or NULL to detect */
	char		 delimiter;	/* CSV: 0 to detect */
	const char	*sheet;		/* XLSX: NULL for the first */
};

/*
 * May the actor import into entity? CRM_OK, CRM_EFORBIDDEN, CRM_EINVAL
 * naming "entity" for one that cannot be imported.
 */
int imp_may_import(struct core_ctx *cx, const char *entity);

/*
 * Stores the received blob b (core/documents.h) as a new import named
 * name. CRM_EINVAL naming "file" when it is no table (a PDF named .csv:
 * the reader's message), empty, or unreadable. *out as imp_get.
 */
int imp_upload(struct core_ctx *cx, const struct doc_store *ds,
    struct doc_blob *b, const char *name, const struct imp_source *src,
    json_t **out);

/*
 * {"data": [targets]}: what entity's columns can be mapped to, each with
 * name, type, required and, for choices, the values.
 */
int imp_fields(struct core_ctx *cx, const char *entity, json_t **out);

/*
 * Changes sheet, encoding, delimiter, header_row (re-reading the header
 * and sample), mapping and options. Only before a run. *out as imp_get.
 */
int imp_update(struct core_ctx *cx, int64_t id, json_t *patch, json_t **out);

/*
 * Starts a dry run (dry) or the run: checks the mapping again, and for
 * mode "all" that a dry run found no errors (CRM_EINUSE otherwise, or when
 * the import is not waiting); with queue, as a job for the server's
 * runner, else for the caller to imp_execute now.
 */
int imp_start(struct core_ctx *cx, int64_t id, bool dry, bool queue);

/*
 * Runs the queued dry run or run of import id now, in the caller's thread
 * (the job's handler; `crm import`). progress (may be NULL) is called
 * after each chunk with the rows done and the rows the dry run counted
 * (0 during a dry run: not known yet).
 */
typedef void (*imp_progress_fn)(void *arg, int64_t done, int64_t total);
int imp_execute(struct core_ctx *cx, int64_t id, bool dry,
    imp_progress_fn progress, void *arg);

/*
 * The job's handler ("import"): payload {"id", "dry"}, run as the
 * importer (cx is the runner's, acting as the system).
 */
int imp_job_run(struct core_ctx *cx, json_t *payload, char *err,
    size_t errlen);

/*
 * One import: id, entity, status, file_name, size, format, encoding,
 * delimiter, sheet, sheets, header_row, headers, sample, mapping, options,
 * fields, counts (rows_total, rows_done, created, updated, skipped,
 * failed, errors_total), the first IMP_ERRORS_SHOWN errors, times.
 */
int imp_get(struct core_ctx *cx, int64_t id, json_t **out);

/* {"data": [imports, newest first]}: one's own, all for administrators. */
int imp_list(struct core_ctx *cx, int limit, json_t **out);

/* The errors as CSV text (row,column,value,reason) into *csv (free()). */
int imp_errors_csv(struct core_ctx *cx, int64_t id, char **csv, size_t *len);

/*
 * Undoes a finished import: {"trashed", "restored", "conflicts": [...]}.
 * CRM_ECONFLICT when it is not done (or already undone).
 */
int imp_undo(struct core_ctx *cx, int64_t id, json_t **out);

#endif
