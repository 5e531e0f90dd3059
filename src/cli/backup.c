/*
 * crm backup and crm restore: a backup of a SQLite CRM (database and
 * documents) made while the server runs, checked, and restored into an
 * empty folder. The work is in core/backup.c; this file reads the flags
 * and says what happened.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/audit.h"
#include "core/backup.h"
#include "core/core.h"

static const char backup_about[] =
    "Makes a backup of a SQLite CRM while its server runs: the database as of\n"
    "one moment (SQLite's online backup API; writers are not held up) and\n"
    "every file of its documents folder (files/ next to the database), in\n"
    "one zstd-compressed file with a manifest of BLAKE2b-256 checksums. It\n"
    "is written as FILE.tmp and renamed to FILE once complete and on disk,\n"
    "so FILE is always a whole backup; FILE must not exist yet.\n"
    "\n"
    "  crm backup --db data/crm.db --to /backups/crm-2026-11-26.crmbak\n"
    "  crm backup --verify /backups/crm-2026-11-26.crmbak\n"
    "\n"
    "--verify reads a backup completely: decompresses it, checks every\n"
    "checksum and the manifest, and runs SQLite's integrity check on the\n"
    "database inside (in a folder under $TMPDIR, removed afterwards). It\n"
    "prints OK or names the first problem and exits 1.\n"
    "\n"
    "PostgreSQL databases are backed up with pg_dump or base backups (see\n"
    "docs/administration.md); crm backup refuses them.";

static const char restore_about[] =
    "Restores a backup made by crm backup: the database to --db PATH and the\n"
    "documents to files/ next to it. The backup is checked completely first\n"
    "(as crm backup --verify does), unpacked into a staging folder next to\n"
    "PATH, and only then moved into place; a damaged backup changes nothing.\n"
    "\n"
    "  crm restore --from /backups/crm-2026-11-26.crmbak --db data/crm.db\n"
    "\n"
    "It refuses a folder that already holds a database or documents unless\n"
    "--force is given; the old database (with its -wal and -shm) and files/\n"
    "are then kept as PATH.before-restore-TIME and files.before-restore-TIME.\n"
    "It always refuses a database another process has open: stop crm serve\n"
    "first.";

int
cmd_backup(int argc, char **argv)
{
	struct opt opts[] = {
		{ "db", "CRM_DB", "data/crm.db", "the SQLite database to back up",
		    false, NULL },
		{ "to", NULL, NULL, "the backup file to write (must not exist)",
		    false, NULL },
		{ "verify", NULL, NULL, "check this backup file instead", false,
		    NULL },
	};
	size_t n = sizeof(opts) / sizeof(*opts);
	const char *dbp, *to, *verify;
	struct backup_result res;
	struct bkf_manifest m;
	struct core_ctx cx;
	char err[1024], *store;
	bool help;
	db_t *db;
	int rc;

	if (opts_parse(argc, argv, opts, n, &help, &store) != 0)
		return 2;
	if (help) {
		opts_usage("crm backup [--db PATH] --to FILE | --verify FILE",
		    backup_about, opts, n);
		opts_free(store);
		return 0;
	}
	dbp = opt_get(opts, n, "db");
	to = opt_get(opts, n, "to");
	verify = opt_get(opts, n, "verify");
	if ((to == NULL) == (verify == NULL)) {
		fprintf(stderr, "crm backup: give --to FILE to make a backup, or "
		    "--verify FILE to check one (see crm backup --help)\n");
		opts_free(store);
		return 2;
	}
	if (verify != NULL) {
		size_t files = 0;
		unsigned long long bytes = 0;

		err[0] = '\0';
		/* The core reads no environment: the work folder comes from here. */
		rc = backup_verify(verify, getenv("TMPDIR"), &m, err, sizeof(err));
		if (rc == CRM_EUNAVAIL)
			fprintf(stderr, "crm backup: %s was not checked: %s\n",
			    verify, err);
		else if (rc != CRM_OK)
			fprintf(stderr, "crm backup: %s: NOT OK: %s. Do not restore "
			    "it: use another backup (or a fresh copy of this one)\n",
			    verify, err);
		if (rc != CRM_OK) {
			opts_free(store);
			return 1;
		}
		for (size_t i = 1; i < m.n; i++) {
			files++;
			bytes += m.entries[i].size;
		}
		printf("%s: OK (made %s by crm %s, schema %lld; database %llu "
		    "bytes, %zu documents of %llu bytes; every checksum matches and "
		    "the database passes its integrity check)\n", verify,
		    m.created_at, m.crm_version, (long long)m.schema_version,
		    (unsigned long long)m.entries[0].size, files, bytes);
		bkf_manifest_free(&m);
		opts_free(store);
		return 0;
	}
	if (db_is_postgres(dbp)) {
		fprintf(stderr, "crm backup: --db is a PostgreSQL database; crm "
		    "backup copies SQLite databases only. Back PostgreSQL up with "
		    "pg_dump (pg_dump -Fc -f crm.dump URI) or base backups "
		    "(pg_basebackup); see docs/administration.md\n");
		opts_free(store);
		return 2;
	}
	if (access(dbp, F_OK) != 0) {
		fprintf(stderr, "crm backup: no database at %s; give the file the "
		    "server uses with --db PATH\n", dbp);
		opts_free(store);
		return 1;
	}
	if (db_open(dbp, &db, err, sizeof(err)) != DB_OK) {
		fprintf(stderr, "crm backup: %s\n", err);
		opts_free(store);
		return 1;
	}
	err[0] = '\0';
	rc = backup_make(db, to, &res, err, sizeof(err));
	if (rc != CRM_OK) {
		fprintf(stderr, "crm backup: %s: %s\n", to, err);
		db_close(db);
		opts_free(store);
		return 1;
	}
	/* Counted for the "last good backup" of the admin screen when possible. */
	core_ctx_init(&cx, db, NULL);
	if (backup_record(&cx, "cli", &res, true, NULL) != CRM_OK)
		fprintf(stderr, "crm backup: note: the run was not recorded in the "
		    "database (%s); the backup itself is fine\n", cx.detail);
	printf("%s: written, %lld bytes (the database and %zu documents), in "
	    "%lld ms\n", to, (long long)res.size, res.files,
	    (long long)(res.finished_ms - res.started_ms));
	db_close(db);
	opts_free(store);
	return 0;
}

int
cmd_restore(int argc, char **argv)
{
	struct core_ctx cx;
	db_t *db;
	struct opt opts[] = {
		{ "from", NULL, NULL, "the backup file to restore", false, NULL },
		{ "db", "CRM_DB", "data/crm.db", "where the database goes (files/ "
		    "goes next to it)", false, NULL },
		{ "force", NULL, NULL, "replace an existing database and files/ "
		    "(kept as *.before-restore-TIME)", true, NULL },
	};
	size_t n = sizeof(opts) / sizeof(*opts);
	const char *from, *dbp;
	char err[1536], kept[4200], *store;
	bool help;
	int rc;

	if (opts_parse(argc, argv, opts, n, &help, &store) != 0)
		return 2;
	if (help) {
		opts_usage("crm restore --from FILE [--db PATH] [--force]",
		    restore_about, opts, n);
		opts_free(store);
		return 0;
	}
	from = opt_get(opts, n, "from");
	dbp = opt_get(opts, n, "db");
	if (from == NULL) {
		fprintf(stderr, "crm restore: give the backup with --from FILE (see "
		    "crm restore --help)\n");
		opts_free(store);
		return 2;
	}
	err[0] = '\0';
	rc = backup_restore(from, dbp, opt_get(opts, n, "force") != NULL, kept,
	    sizeof(kept), err, sizeof(err));
	if (rc != CRM_OK) {
		fprintf(stderr, "crm restore: %s\n", err);
		opts_free(store);
		return 1;
	}
	printf("restored %s into %s%s%s\n", from, dbp, kept[0] ?
	    "; the previous database is kept as " : "", kept);
	/* The restored database's own log tells that it was restored. */
	if (core_open_db(dbp, &db, err, sizeof(err)) == CRM_OK) {
		json_t *d = json_pack("{s:s, s:s}", "from", from, "kept", kept);

		core_ctx_init(&cx, db, NULL);
		if (audit_event(&cx, "backup.restore", NULL, 0, d) != CRM_OK)
			fprintf(stderr, "crm restore: note: the restore was not "
			    "recorded in the audit log (%s)\n", cx.detail);
		json_decref(d);
		db_close(db);
	} else {
		fprintf(stderr, "crm restore: note: %s\n", err);
	}
	opts_free(store);
	return 0;
}
