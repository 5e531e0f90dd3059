/*
 * crm migrate-db: move a CRM to another database (SQLite to PostgreSQL, as
 * a rule), copying everything and verifying the copy. The work is in
 * core/migrate_db.c; this file opens the two databases, shows progress and
 * says what happened.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/core.h"
#include "core/migrate_db.h"
#include "util/timeutil.h"

static const char about[] =
    "Copies everything in one CRM database into another, typically from the\n"
    "SQLite file a CRM starts with to PostgreSQL when one machine is no longer\n"
    "enough (the other direction works too). Users and their passwords,\n"
    "sessions, API tokens, companies, contacts, the trash, tags, custom\n"
    "fields and background jobs are copied with their ids, so links, saved\n"
    "bookmarks, passwords and tokens keep working.\n"
    "\n"
    "Steps:\n"
    "  1. Stop every crm serve that uses the source, so nothing is written\n"
    "     during the copy (on SQLite, migrate-db also locks it while it runs).\n"
    "  2. Create the target as an empty database, UTF-8, and nothing else:\n"
    "       createdb -E UTF8 -T template0 --locale=C.UTF-8 crm\n"
    "     Do not run crm init on it: migrate-db applies the schema itself, and\n"
    "     it refuses a target that holds any rows (it then changes nothing).\n"
    "  3. crm migrate-db --from data/crm.db --to postgres://crm@db.example/crm\n"
    "  4. crm serve --db postgres://crm@db.example/crm\n"
    "\n"
    "Verification: after the copy each table is read back from both databases.\n"
    "Its row counts must be equal, and so must a checksum (BLAKE2b over the\n"
    "name and value of every column of every row, in id order) computed the\n"
    "same way on each side. The command exits 0 only when every table\n"
    "matches; otherwise it names the table that differs. If it stops half-way\n"
    "the target holds a partial copy: drop it, create it again, run again.\n"
    "\n"
    "Progress goes to stderr. The source's rows are only read; like crm\n"
    "serve, migrate-db first brings both schemas to this crm's version.";

struct progress {
	bool	tty;
	bool	open_line;	/* a \r line on the terminal awaits its end */
};

/* 1234567 as "1,234,567", so large counts read at a glance. */
static void
grouped(int64_t v, char *out, size_t outlen)
{
	char digits[32];
	size_t n, o = 0;

	snprintf(digits, sizeof(digits), "%lld", (long long)(v < 0 ? 0 : v));
	n = strlen(digits);
	for (size_t i = 0; i < n && o + 2 < outlen; i++) {
		if (i > 0 && (n - i) % 3 == 0)
			out[o++] = ',';
		out[o++] = digits[i];
	}
	out[o] = '\0';
}

/*
 * On a terminal one line per table and phase, rewritten in place as the
 * rows go by; in a log, one line per table and phase when it is done.
 */
static void
on_progress(void *arg, const struct migrate_progress *p)
{
	struct progress *pr = arg;
	const char *verb = p->phase == MIGRATE_COPY ? "copying" : "verifying";
	char done[32], total[32];

	if (!pr->tty && !p->table_done)
		return;
	grouped(p->done, done, sizeof(done));
	grouped(p->total, total, sizeof(total));
	if (pr->tty) {
		fprintf(stderr, "\r\033[K%-9s %s %s/%s", verb, p->table, done,
		    total);
		pr->open_line = !p->table_done;
		if (p->table_done)
			fprintf(stderr, "%s\n", p->phase == MIGRATE_VERIFY ?
			    " ok" : "");
	} else {
		fprintf(stderr, "%-9s %s %s/%s%s\n", verb, p->table, done, total,
		    p->phase == MIGRATE_VERIFY ? " ok" : "");
	}
	fflush(stderr);
}

int
cmd_migrate_db(int argc, char **argv)
{
	struct opt opts[] = {
		{ "from", NULL, NULL, "the database to copy: a SQLite file or a "
		    "postgres:// URI", false, NULL },
		{ "to", NULL, NULL, "the empty database to copy into: a "
		    "postgres:// URI or a SQLite file", false, NULL },
	};
	size_t n = sizeof(opts) / sizeof(*opts);
	struct progress pr = { isatty(STDERR_FILENO) != 0, false };
	struct migrate_stats stats;
	const char *from, *to;
	char err[512], *store;
	db_t *src = NULL, *dst = NULL;
	int64_t start;
	bool help;
	int rc;

	if (opts_parse(argc, argv, opts, n, &help, &store) != 0)
		return 2;
	if (help) {
		opts_usage("crm migrate-db --from SOURCE --to TARGET", about, opts,
		    n);
		opts_free(store);
		return 0;
	}
	from = opt_get(opts, n, "from");
	to = opt_get(opts, n, "to");
	if (from == NULL || to == NULL) {
		fprintf(stderr, "crm migrate-db: give --from SOURCE and --to "
		    "TARGET (see crm migrate-db --help)\n");
		opts_free(store);
		return 2;
	}
	if (strcmp(from, to) == 0) {
		fprintf(stderr, "crm migrate-db: --from and --to are the same "
		    "database\n");
		opts_free(store);
		return 2;
	}
	/* Opening a SQLite path creates it: a typo must not look like a CRM. */
	if (!db_is_postgres(from) && access(from, F_OK) != 0) {
		fprintf(stderr, "crm migrate-db: no database file %s\n", from);
		opts_free(store);
		return 1;
	}
	start = time_mono_us();
	/* Both are brought to the schema of this crm before anything else. */
	if (core_open_db(from, &src, err, sizeof(err)) != CRM_OK) {
		fprintf(stderr, "crm migrate-db: source: %s\n", err);
		opts_free(store);
		return 1;
	}
	if (core_open_db(to, &dst, err, sizeof(err)) != CRM_OK) {
		fprintf(stderr, "crm migrate-db: target: %s\n", err);
		db_close(src);
		opts_free(store);
		return 1;
	}
	rc = migrate_db(src, dst, on_progress, &pr, &stats, err, sizeof(err));
	if (pr.open_line)
		fprintf(stderr, "\n");
	if (rc == CRM_OK) {
		char rows[32];

		grouped(stats.rows, rows, sizeof(rows));
		printf("migrated %d tables, %s rows in %.1f s; verified: counts "
		    "and checksums match\n", stats.tables, rows,
		    (double)(time_mono_us() - start) / 1e6);
	} else {
		fprintf(stderr, "crm migrate-db: %s\n", err);
	}
	db_close(dst);
	db_close(src);
	opts_free(store);
	return rc == CRM_OK ? 0 : 1;
}
