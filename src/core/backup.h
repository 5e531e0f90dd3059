/*
 * Backups of a SQLite CRM: its database and its documents folder (files/
 * next to the database file) in one compressed, checksummed file (the
 * format is core/bkfile.h), made while the server runs; checked; restored
 * into an empty folder; and made on a schedule by the server's job runner.
 *
 * Making one: SQLite's online backup API copies the database as of one
 * moment into a work folder next to the target (store/db.h db_snapshot:
 * one read transaction, writers go on), every regular file under files/ is
 * hashed (symbolic links and special files are refused), the manifest is
 * written, then each entry is streamed into FILE.tmp while being hashed
 * again (a file that changed in between fails the backup), and FILE.tmp
 * is flushed and renamed to FILE. A crash leaves at most FILE.tmp and the
 * work folder .crm-backup-XXXXXX, never a partial FILE; the next backup
 * into that folder removes them (backups there hold a shared lock on
 * .crm-backup.lock, and leftovers are cleared only by one that gets it
 * alone, so a backup running beside it is never touched).
 *
 * Restoring: everything is extracted into a staging folder
 * (.crm-restore-XXXXXX) next to the target database and checked (every
 * checksum, the trailer, PRAGMA integrity_check); only then are files/ and
 * the database renamed into place. An existing database is refused unless
 * force is set; then it (and its -wal, -shm, files/) is kept under the name
 * PATH.before-restore-TIMESTAMP. A database another process has open
 * (store/db.h db_file_in_use) is always refused.
 *
 * PostgreSQL deployments back up with pg_dump or base backups; these
 * functions refuse them with a message saying so.
 *
 * The functions that take err write a message for the operator there that
 * names the file and the reason; they return CRM_OK or a CRM_E* code.
 */
#ifndef CORE_BACKUP_H
#define CORE_BACKUP_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/bkfile.h"
#include "core/core.h"

#define BACKUP_PATH_MAX 4096
#define BACKUP_KEEP_MAX 1000
/* The scheduler's files: crm-backup-YYYYMMDD-HHMMSS-mmm-auto.crmbak. */
#define BACKUP_PREFIX "crm-backup-"
#define BACKUP_AUTO_SUFFIX "-auto.crmbak"
#define BACKUP_NOW_SUFFIX "-now.crmbak"

struct backup_result {
	char	 file[BACKUP_PATH_MAX];
	int64_t	 size;		/* bytes of the backup file */
	size_t	 files;		/* documents included (besides the database) */
	int64_t	 started_ms;
	int64_t	 finished_ms;
};

/* The documents folder of the SQLite database at db_path: its dir + files. */
int backup_files_dir(const char *db_path, char *out, size_t outlen);

/*
 * Backs up the SQLite database open on db (and its files/) into the new
 * file to, which must not exist. Fills *res.
 */
int backup_make(db_t *db, const char *to, struct backup_result *res,
    char *err, size_t errlen);

/*
 * Checks the backup at path completely: decompression, every checksum,
 * the manifest, and PRAGMA integrity_check of the database it holds
 * (extracted into a new folder under tmpdir, borrowed, and removed again;
 * NULL or "": /tmp). Fills *m (bkf_manifest_free() it) on success.
 * CRM_EUNAVAIL when no folder can be made in tmpdir: the backup was not
 * looked at; any other error is the backup's.
 */
int backup_verify(const char *path, const char *tmpdir,
    struct bkf_manifest *m, char *err, size_t errlen);

/*
 * Restores the backup at from as the database db_path and its files/.
 * kept receives the name the replaced database was kept under ("" when
 * there was none).
 */
int backup_restore(const char *from, const char *db_path, bool force,
    char *kept, size_t keptlen, char *err, size_t errlen);

/* Records one finished run in the backups table (its own transaction). */
int backup_record(struct core_ctx *cx, const char *kind,
    const struct backup_result *res, bool ok, const char *error);

/*
 * The server's schedule, a recurring job of kind "backup" with the key
 * "backup": every every_ms into dir, keeping the keep newest of its own
 * files. backup_schedule() sets or changes it (the next run comes one
 * interval after the last good scheduled backup, or now);
 * backup_unschedule() ends it.
 */
int backup_schedule(struct core_ctx *cx, const char *dir, int64_t every_ms,
    int keep);
int backup_unschedule(struct core_ctx *cx);

/*
 * Queues one backup now (an administrator's "Back up now") into dir, or
 * into the schedule's folder when dir is NULL or empty: CRM_EINUSE when
 * there is neither. *job_id is the job queued. Administrators only.
 */
int backup_enqueue_now(struct core_ctx *cx, const char *dir, int64_t *job_id);

/*
 * The job: makes the backup the payload describes, records it, and for the
 * schedule deletes its own files beyond the newest keep and sets *again.
 * A failed backup is recorded, not retried: the schedule comes round again.
 * Runs outside any transaction (core/jobs.c).
 */
int backup_job_run(struct core_ctx *cx, json_t *payload, int64_t *again,
    char *err, size_t errlen);

/*
 * For the administrators' screen: {"schedule": {dir, every_s, keep,
 * next_at} | null, "running": bool, "queued": n, "last_ok_at": time|null,
 * "stale": bool, "data": [recent runs, newest first]}. Stale: a schedule
 * is set and the last good backup is older than two intervals, or there is
 * none. Administrators only.
 */
int backup_status(struct core_ctx *cx, json_t **out);

#endif
