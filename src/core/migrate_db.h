/*
 * Moving a CRM from one database to another (crm migrate-db): typically
 * from the SQLite file a company started with to PostgreSQL, but any pair
 * of store addresses works, in either direction.
 *
 * Both databases must be at the same schema version (open both with
 * core_open_db(), which applies the migrations), and the target must hold
 * no rows in any application table. Every table is copied with its ids, in
 * foreign-key order, in batches of a transaction each; identity sequences
 * are then moved past the copied ids. Finally each table is verified: the
 * row counts of both sides must be equal, and so must a BLAKE2b checksum
 * over every column of every row in key order, computed by the same code
 * reading each side through the store.
 */
#ifndef CORE_MIGRATE_DB_H
#define CORE_MIGRATE_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/db.h"

enum migrate_phase {
	MIGRATE_COPY,		/* rows copied into the target */
	MIGRATE_VERIFY,		/* target rows read back and checksummed */
};

struct migrate_progress {
	const char		*table;
	enum migrate_phase	 phase;
	int64_t			 done;		/* rows of table so far */
	int64_t			 total;		/* rows of table in the source */
	bool			 table_done;	/* the last call for this table and phase */
};

/* Called after every batch; must not call back into the databases. */
typedef void migrate_progress_fn(void *arg, const struct migrate_progress *p);

struct migrate_stats {
	int	tables;		/* tables copied (present in the schema) */
	int64_t	rows;		/* rows copied, all tables together */
};

/*
 * Copies everything in from into to, then verifies it. from is read inside
 * one transaction (on SQLite that also keeps writers out until the end).
 * progress may be NULL; stats may be NULL.
 *
 * Returns CRM_OK when every table was copied and verified. CRM_EINVAL when
 * it refused before writing anything: schema versions differ, the schemas
 * differ in tables or columns, a table is unknown to the copy (a bug: see
 * the table list in migrate_db.c), or the target is not empty. CRM_EDB when
 * a database failed or the verification found a difference; the target may
 * then hold a partial copy. err says which, naming the table.
 */
int migrate_db(db_t *from, db_t *to, migrate_progress_fn *progress, void *arg,
    struct migrate_stats *stats, char *err, size_t errlen);

#endif
