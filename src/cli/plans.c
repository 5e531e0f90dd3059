/*
 * crm plans import: plan targets from a CSV or XLSX file, the same checks
 * and all-or-nothing write as POST /api/v1/plans/import (core/plans.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/plans.h"
#include "core/users.h"
#include "util/alloc.h"

static const char about[] =
    "Reads targets from a CSV or XLSX file whose first row names the\n"
    "columns who (a person's email, a department's name, or company),\n"
    "metric, period (2026, 2026-Q4, 2026-11) and target (a whole number;\n"
    "empty clears). Every bad cell is printed as row, column, value and\n"
    "reason; nothing is written unless the whole file is good, then every\n"
    "target at once, audited as plan.imported.";

/* Prints the answer: the bad cells on stderr, the count on stdout. */
static void
report(const json_t *out, bool dry)
{
	size_t i, shown = json_array_size(json_object_get(out, "errors"));
	json_int_t nerr = json_integer_value(json_object_get(out, "error_count"));
	json_t *e;

	json_array_foreach(json_object_get(out, "errors"), i, e)
		fprintf(stderr, "row %lld, %s \"%s\": %s\n",
		    (long long)json_integer_value(json_object_get(e, "row")),
		    json_string_value(json_object_get(e, "column")),
		    json_string_value(json_object_get(e, "value")),
		    json_string_value(json_object_get(e, "reason")));
	if ((json_int_t)shown < nerr)
		fprintf(stderr, "... and %lld more\n", (long long)(nerr -
		    (json_int_t)shown));
	if (nerr > 0)
		fprintf(stderr, "%lld bad cell%s; nothing was written\n",
		    (long long)nerr, nerr == 1 ? "" : "s");
	else
		printf("%lld target%s %s\n", (long long)json_integer_value(
		    json_object_get(out, "rows")), json_integer_value(
		    json_object_get(out, "rows")) == 1 ? "" : "s", dry ?
		    "checked, none written (dry run)" : "written");
}

int
cmd_plans(int argc, char **argv)
{
	struct opt opts[] = {
		{ "db", "CRM_DB", "data/crm.db", "database file or postgres:// URI",
		    false, NULL },
		{ "dry-run", NULL, NULL, "check only, write nothing", true, NULL },
		{ "as", NULL, NULL, "import as this user (email): their planning "
		    "rights (default: the system, which plans for everyone)", false,
		    NULL },
		{ "encoding", NULL, NULL, "CSV: an iconv name (default detected)",
		    false, NULL },
		{ "delimiter", NULL, NULL, "CSV: , ; | or tab (default detected)",
		    false, NULL },
		{ "sheet", NULL, NULL, "XLSX: the sheet (default the first)", false,
		    NULL },
	};
	size_t n = sizeof(opts) / sizeof(*opts);
	const char *sub = argc > 0 ? argv[0] : "", *file = NULL, *d;
	struct table_opts to = { NULL, 0, NULL };
	struct core_ctx *cx = NULL;
	char err[512], *store = NULL;
	json_t *out = NULL;
	db_t *db = NULL;
	bool help = false, dry;
	int rc = 2;

	if (argc > 1 && argv[1][0] != '-')
		file = argv[1];
	if (opts_parse(argc > 1 ? argc - (file ? 2 : 1) : 0, argv + (file ? 2 : 1),
	    opts, n, &help, &store) != 0)
		return 2;
	if (help || strcmp(sub, "import") != 0 || file == NULL) {
		opts_usage("crm plans import FILE [--dry-run] [flags]", about, opts,
		    n);
		opts_free(store);
		return help || strcmp(sub, "--help") == 0 ? 0 : 2;
	}
	d = opt_get(opts, n, "delimiter");
	if (d != NULL && strcmp(d, "tab") == 0)
		d = "\t";
	if (d != NULL && (strlen(d) != 1 || strchr(",;\t|", d[0]) == NULL)) {
		fprintf(stderr, "crm plans: --delimiter must be , ; | or tab\n");
		goto out;
	}
	to.delimiter = d != NULL ? d[0] : 0;
	to.encoding = opt_get(opts, n, "encoding");
	to.sheet = opt_get(opts, n, "sheet");
	dry = opt_get(opts, n, "dry-run") != NULL;
	if (core_open_db(opt_get(opts, n, "db"), &db, err, sizeof(err)) !=
	    CRM_OK) {
		fprintf(stderr, "crm plans: %s\n", err);
		rc = 1;
		goto out;
	}
	cx = xmalloc(sizeof(*cx));
	core_ctx_init(cx, db, NULL);
	rc = 1;
	if (opt_get(opts, n, "as") != NULL) {
		struct actor a;
		bool active = false;

		if (user_find(cx, opt_get(opts, n, "as"), &a, &active) != CRM_OK ||
		    !active) {
			fprintf(stderr, "crm plans: --as: no active user %s\n",
			    opt_get(opts, n, "as"));
			goto out;
		}
		core_ctx_init(cx, db, &a);
	}
	switch (plan_import(cx, file, &to, dry, &out)) {
	case CRM_OK:
		report(out, dry);
		rc = json_integer_value(json_object_get(out, "error_count")) > 0;
		break;
	case CRM_EINVAL:
		if (out != NULL)
			report(out, dry);
		else
			fprintf(stderr, "crm plans: %s: %s\n", file, cx->errs.n > 0 ?
			    cx->errs.items[0].message : "cannot be read");
		break;
	default:
		fprintf(stderr, "crm plans: %s\n", cx->detail);
		break;
	}
out:
	json_decref(out);
	free(cx);
	if (db != NULL)
		db_close(db);
	opts_free(store);
	return rc;
}
