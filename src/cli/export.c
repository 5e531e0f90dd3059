/*
 * crm export: a list of records as a CSV or XLSX file, from the command
 * line. The same core call as GET /api/v1/{entity}/export (core/export.h),
 * as the system (everything) or, with --as, as a named user with that
 * user's rights; either way the export is recorded in the audit log.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/core.h"
#include "core/export.h"
#include "core/record.h"
#include "core/users.h"

static const char about[] =
    "Writes the records of ENTITY (companies, contacts, deals, activities)\n"
    "that match the filters, one row each, with a header row of field names\n"
    "(the names an import maps back). CSV is UTF-8 with a BOM, so Excel\n"
    "opens it as is; XLSX keeps numbers, dates and times as such. The\n"
    "export is recorded in the audit log with its filters and row count.\n\n"
    "  --filter KEY=VALUE       a list filter, as the API takes it; repeat "
    "it\n"
    "                           for more (source=fair, tag=vip, owner_id=3,\n"
    "                           created_at[gte]=2026-01-01, "
    "name[prefix]=Ac)\n"
    "  -o FILE                  the same as --output FILE\n\n"
    "examples:\n"
    "  crm export contacts -o contacts.csv\n"
    "  crm export deals --format xlsx --filter status=won -o won.xlsx\n"
    "  crm export companies --columns name,phones,owner_name,custom.segment\n"
    "  crm export contacts --as ann@example.com --filter tag=vip -o vip.csv\n"
    "      (only what Ann may export, recorded as hers)";

#define MAX_ARGS 64

/* Copies the finished export to fd out. */
static int
copy_out(int in, int out)
{
	char chunk[65536];
	ssize_t n;

	while ((n = read(in, chunk, sizeof(chunk))) != 0) {
		size_t off = 0;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		while (off < (size_t)n) {
			ssize_t w = write(out, chunk + off, (size_t)n - off);

			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0)
				return -1;
			off += (size_t)w;
		}
	}
	return 0;
}

/*
 * Writes the export to path through a temporary name renamed into place
 * (never a half file under the name), or to standard output when path is
 * NULL.
 */
static int
deliver(int fd, const char *path)
{
	char tmp[4200];
	int out, rc;

	if (path == NULL)
		return copy_out(fd, STDOUT_FILENO);
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.part", path) >= sizeof(tmp)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	out = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (out < 0)
		return -1;
	rc = copy_out(fd, out);
	if (rc == 0 && fsync(out) != 0)
		rc = -1;
	if (close(out) != 0)
		rc = -1;
	if (rc == 0 && rename(tmp, path) != 0)
		rc = -1;
	if (rc != 0)
		unlink(tmp);
	return rc;
}

/*
 * Takes the repeated --filter KEY=VALUE (and -o FILE) out of argv into lq
 * and rest, which opts_parse reads. -1 with a message on a bad one.
 */
static int
split_args(int argc, char **argv, struct list_query *lq, char **rest,
    int *nrest)
{
	*nrest = 0;
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i], *f = NULL;
		char *eq;

		if (strcmp(a, "-o") == 0) {
			a = "--output";
		} else if (strcmp(a, "--filter") == 0) {
			if (i + 1 >= argc) {
				fprintf(stderr, "crm export: --filter needs KEY=VALUE\n");
				return -1;
			}
			f = argv[++i];
		} else if (strncmp(a, "--filter=", 9) == 0) {
			f = a + 9;
		}
		if (f == NULL) {
			if (*nrest == MAX_ARGS) {
				fprintf(stderr, "crm export: too many arguments\n");
				return -1;
			}
			rest[(*nrest)++] = (char *)a;
			continue;
		}
		eq = strchr(f, '=');
		if (eq == NULL || eq == f) {
			fprintf(stderr, "crm export: --filter takes KEY=VALUE, such as "
			    "source=fair or created_at[gte]=2026-01-01 (not '%s')\n", f);
			return -1;
		}
		if (lq->nfilters == LIST_MAX_FILTERS) {
			fprintf(stderr, "crm export: at most %d filters\n",
			    LIST_MAX_FILTERS);
			return -1;
		}
		/* The key ends at '=': cut it in place (argv is ours to change). */
		*eq = '\0';
		lq->filters[lq->nfilters].key = f;
		lq->filters[lq->nfilters].value = eq + 1;
		lq->nfilters++;
	}
	return 0;
}

int
cmd_export(int argc, char **argv)
{
	struct opt opts[] = {
		{ "db", "CRM_DB", "data/crm.db", "database file", false, NULL },
		{ "format", NULL, "csv", "csv or xlsx", false, NULL },
		{ "columns", NULL, NULL, "field names separated by commas "
		    "(default: every field)", false, NULL },
		{ "q", NULL, NULL, "search text, as the list's search box", false,
		    NULL },
		{ "sort", NULL, NULL, "a sort field; -field for descending "
		    "(default: id)", false, NULL },
		{ "deleted", NULL, NULL, "export the trash instead", true, NULL },
		{ "as", NULL, NULL, "export as this user (EMAIL), with their "
		    "rights (default: the system, everything)", false, NULL },
		{ "output", NULL, NULL, "write to FILE (default: standard output)",
		    false, NULL },
	};
	size_t n = sizeof(opts) / sizeof(*opts);
	const char *name = argc > 0 && argv[0][0] != '-' ? argv[0] : NULL;
	const char *out_path, *as, *dir = getenv("TMPDIR");
	char *rest[MAX_ARGS], err[512], *store = NULL;
	struct list_query lq;
	struct export_req r;
	struct export_result res;
	struct core_ctx cx;
	struct actor actor;
	bool help, active = false;
	int nrest, fmt, rc;
	db_t *db;

	memset(&lq, 0, sizeof(lq));
	if (split_args(name ? argc - 1 : argc, name ? argv + 1 : argv, &lq, rest,
	    &nrest) != 0 || opts_parse(nrest, rest, opts, n, &help, &store) != 0)
		return 2;
	if (help || name == NULL) {
		opts_usage("crm export ENTITY [--format csv|xlsx] [--columns a,b] "
		    "[--filter KEY=VALUE ...] [-o FILE]", about, opts, n);
		opts_free(store);
		return help ? 0 : 2;
	}
	r.e = entity_find(name);
	fmt = export_format_parse(opt_get(opts, n, "format"));
	out_path = opt_get(opts, n, "output");
	rc = 2;
	if (r.e == NULL)
		fprintf(stderr, "crm export: '%s' is not an entity; use companies, "
		    "contacts, deals or activities\n", name);
	else if (fmt < 0)
		fprintf(stderr, "crm export: --format is csv or xlsx\n");
	else if (fmt == EXPORT_XLSX && out_path == NULL && isatty(STDOUT_FILENO))
		fprintf(stderr, "crm export: an XLSX file is not for the terminal; "
		    "give -o FILE\n");
	else
		rc = 0;
	if (rc != 0) {
		opts_free(store);
		return rc;
	}
	if (core_open_db(opt_get(opts, n, "db"), &db, err, sizeof(err)) != CRM_OK) {
		fprintf(stderr, "crm export: %s\n", err);
		opts_free(store);
		return 1;
	}
	core_ctx_init(&cx, db, NULL);
	as = opt_get(opts, n, "as");
	if (as != NULL) {
		rc = user_find(&cx, as, &actor, &active);
		if (rc == CRM_OK && !active)
			rc = core_fail(&cx, CRM_EFORBIDDEN, "%s is disabled", as);
		if (rc == CRM_ENOTFOUND)
			core_fail(&cx, rc, "no user %s (see crm user list)", as);
		if (rc == CRM_OK)
			core_ctx_init(&cx, db, &actor);
	}
	lq.q = opt_get(opts, n, "q");
	lq.sort = opt_get(opts, n, "sort");
	lq.deleted = opt_get(opts, n, "deleted") != NULL;
	r.lq = &lq;
	r.columns = opt_get(opts, n, "columns");
	r.format = (enum export_format)fmt;
	r.dir = dir != NULL && dir[0] == '/' ? dir : "/tmp";
	if (rc == CRM_OK)
		rc = export_run(&cx, &r, &res);
	if (rc == CRM_OK) {
		if (deliver(res.fd, out_path) != 0) {
			fprintf(stderr, "crm export: cannot write %s: %s (the export "
			    "is in the audit log all the same)\n", out_path ?
			    out_path : "to standard output", strerror(errno));
			rc = CRM_EDB;
		} else if (out_path != NULL) {
			fprintf(stderr, "exported %lld %s to %s\n", (long long)res.rows,
			    r.e->name, out_path);
		}
		close(res.fd);
	} else {
		fprintf(stderr, "crm export: %s\n", cx.detail[0] ? cx.detail :
		    "failed");
	}
	db_close(db);
	opts_free(store);
	return rc == CRM_OK ? 0 : rc == CRM_EBADQUERY ? 2 : 1;
}
