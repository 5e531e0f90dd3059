/*
 * crm import: a CSV or XLSX file into companies, contacts, deals or
 * activities, in this process, through the same core as the web's import
 * (core/import.h): stored, mapped (suggested, then --map), checked by a
 * dry run, then run; listed (--list) and undone (--undo ID).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/core.h"
#include "core/documents.h"
#include "core/import.h"
#include "core/users.h"
#include "util/alloc.h"

#define MAP_MAX 256	/* --map flags */
#define SHOW_ERRORS 50	/* error lines printed; all go to --errors FILE */

static const char about[] =
    "Imports FILE (CSV in any encoding and delimiter, or XLSX) strictly: every\n"
    "column is parsed by the type of the field it is mapped to, and every bad\n"
    "cell is reported with its row, column, value and reason. A dry run comes\n"
    "first; with --mode all (the default) nothing is written unless it is\n"
    "clean, with --mode skip the bad rows are left out. Each import can be\n"
    "undone in one step.\n\n"
    "Columns are mapped by their header names (in English, Russian, Japanese,\n"
    "German, French or Spanish, or the field names themselves); --map fixes\n"
    "or adds a mapping, --map \"Header=\" leaves a column out. The mapping used\n"
    "is remembered for the next file with the same headers.\n\n"
    "examples:\n"
    "  crm import people.csv --entity contacts --dry-run\n"
    "  crm import people.csv --entity contacts --map \"Mail=emails\" \\\n"
    "      --map \"Notes=\" --match email --on-match update --as me@example.com\n"
    "  crm import sales.xlsx --entity deals --sheet 2026 --decimal , \\\n"
    "      --date-format DD.MM.YYYY --mode skip --errors bad-rows.csv\n"
    "  crm import --list\n"
    "  crm import --undo 12\n\n"
    "exit status: 0 done (or a clean dry run), 1 bad rows or refused, 2 bad "
    "flags";

struct progress {
	bool	tty;
	int	last;	/* the last tenth printed (plain lines) */
	bool	dry;
};

static void
on_progress(void *arg, int64_t done, int64_t total)
{
	struct progress *p = arg;
	int pct = total > 0 ? (int)(done * 100 / total) : -1;

	if (p->tty) {
		char bar[31];
		int fill = pct >= 0 ? pct * 30 / 100 : 0;

		for (int i = 0; i < 30; i++)
			bar[i] = i < fill ? '#' : '.';
		bar[30] = '\0';
		if (pct >= 0)
			fprintf(stderr, "\r%s [%s] %3d%% %lld/%lld rows", p->dry ?
			    "checking" : "importing", bar, pct, (long long)done,
			    (long long)total);
		else
			fprintf(stderr, "\r%s %lld rows", p->dry ? "checking" :
			    "importing", (long long)done);
		return;
	}
	/* Not a terminal: a line per tenth, not per chunk. */
	if (pct >= 0 && pct / 10 > p->last) {
		p->last = pct / 10;
		fprintf(stderr, "%s: %lld of %lld rows (%d%%)\n", p->dry ?
		    "checking" : "importing", (long long)done, (long long)total, pct);
	}
}

static void
progress_end(struct progress *p)
{
	if (p->tty)
		fputc('\n', stderr);
}

/* Reads the file into a new blob of the store. */
static int
store_file(const struct doc_store *ds, const char *path, struct doc_blob *b)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	size_t got;
	int rc = 0;

	if (f == NULL) {
		perror(path);
		return -1;
	}
	if (doc_blob_begin(ds, b) != 0) {
		fprintf(stderr, "crm import: the files folder %s cannot be written\n",
		    ds->dir);
		fclose(f);
		return -1;
	}
	buf = xmalloc(64 * 1024);
	while (rc == 0 && (got = fread(buf, 1, 64 * 1024, f)) > 0)
		rc = doc_blob_write(b, buf, got);
	if (rc == 0 && ferror(f))
		rc = -1;
	free(buf);
	fclose(f);
	if (rc != 0)
		fprintf(stderr, "crm import: %s: %s\n", path, rc == DOC_ETOOBIG ?
		    "larger than --max-upload" : "could not be read or stored");
	return rc == 0 ? 0 : -1;
}

static void
print_failure(struct core_ctx *cx)
{
	fprintf(stderr, "crm import: %s\n", cx->detail);
	for (int i = 0; i < cx->errs.n; i++)
		fprintf(stderr, "  %s: %s\n", cx->errs.items[i].field,
		    cx->errs.items[i].message);
}

/* The first errors on stderr; all of them into errfile. */
static void
report_errors(struct core_ctx *cx, json_t *imp, const char *errfile)
{
	json_t *e;
	size_t i;
	int64_t total = json_integer_value(json_object_get(imp, "errors_total"));

	json_array_foreach(json_object_get(imp, "errors"), i, e) {
		if (i >= SHOW_ERRORS)
			break;
		fprintf(stderr, "row %lld, column '%s', value '%s': %s%s\n",
		    (long long)json_integer_value(json_object_get(e, "row")),
		    json_string_value(json_object_get(e, "column")),
		    json_string_value(json_object_get(e, "value")),
		    strcmp(json_string_value(json_object_get(e, "kind")),
		    "skipped") == 0 ? "skipped: " : "",
		    json_string_value(json_object_get(e, "reason")));
	}
	if (errfile != NULL) {
		char *csv = NULL;
		size_t len = 0;
		FILE *f;

		if (imp_errors_csv(cx, json_integer_value(json_object_get(imp,
		    "id")), &csv, &len) != CRM_OK) {
			print_failure(cx);
			return;
		}
		f = fopen(errfile, "wb");
		if (f == NULL || fwrite(csv, 1, len, f) != len || fclose(f) != 0)
			perror(errfile);
		else
			fprintf(stderr, "all errors: %s\n", errfile);
		free(csv);
	} else if (json_array_size(json_object_get(imp, "errors")) <
	    (size_t)total || total > SHOW_ERRORS) {
		fprintf(stderr, "(more in the error file: --errors FILE)\n");
	}
}

/* The suggested mapping with the --map changes ("Header=field"). */
static int
apply_maps(json_t *mapping, char **maps, int nmaps)
{
	for (int k = 0; k < nmaps; k++) {
		char *eq = strchr(maps[k], '=');
		json_t *m;
		size_t i;
		bool found = false;

		if (eq == NULL) {
			fprintf(stderr, "crm import: --map takes \"Header=field\" (or "
			    "\"Header=\" to leave a column out), not '%s'\n", maps[k]);
			return -1;
		}
		json_array_foreach(mapping, i, m) {
			const char *h = json_string_value(json_object_get(m, "header"));

			if (h == NULL || strlen(h) != (size_t)(eq - maps[k]) ||
			    strncmp(h, maps[k], (size_t)(eq - maps[k])) != 0)
				continue;
			json_object_set_new(m, "field", eq[1] ? json_string(eq + 1) :
			    json_null());
			found = true;
			break;
		}
		if (!found) {
			fprintf(stderr, "crm import: --map: the file has no column "
			    "'%.*s'\n", (int)(eq - maps[k]), maps[k]);
			return -1;
		}
	}
	return 0;
}

static json_t *
options_of(const struct opt *opts, size_t n)
{
	json_t *o = json_object();
	static const char *const flags[][2] = {
		{ "mode", "mode" }, { "on-match", "on_match" },
		{ "decimal", "decimal" }, { "date-format", "date_format" },
		{ "percent", "percent" }, { "currency", "currency" },
	};
	const char *match = opt_get(opts, n, "match");

	for (size_t i = 0; i < sizeof(flags) / sizeof(*flags); i++)
		if (opt_get(opts, n, flags[i][0]) != NULL)
			json_object_set_new(o, flags[i][1], json_string(opt_get(opts,
			    n, flags[i][0])));
	if (match != NULL) {
		json_t *a = json_array();
		const char *p = match;

		while (*p) {
			size_t len = strcspn(p, ",");

			if (len > 0)
				json_array_append_new(a, json_stringn(p, len));
			p += len + (p[len] == ',');
		}
		json_object_set_new(o, "match", a);
	}
	return o;
}

static void
summary(json_t *imp, bool dry)
{
	json_t *dr = json_object_get(imp, "dry_run");

	if (dry)
		printf("dry run of import %lld: %lld rows: %lld to create, %lld to "
		    "update, %lld to skip, %lld bad\n",
		    (long long)json_integer_value(json_object_get(imp, "id")),
		    (long long)json_integer_value(json_object_get(dr, "rows")),
		    (long long)json_integer_value(json_object_get(dr, "create")),
		    (long long)json_integer_value(json_object_get(dr, "update")),
		    (long long)json_integer_value(json_object_get(dr, "skip")),
		    (long long)json_integer_value(json_object_get(dr, "errors")));
	else
		printf("import %lld %s: %lld rows: %lld created, %lld updated, %lld "
		    "skipped, %lld failed (undo: crm import --undo %lld)\n",
		    (long long)json_integer_value(json_object_get(imp, "id")),
		    json_string_value(json_object_get(imp, "status")),
		    (long long)json_integer_value(json_object_get(imp, "rows_total")),
		    (long long)json_integer_value(json_object_get(imp, "created")),
		    (long long)json_integer_value(json_object_get(imp, "updated")),
		    (long long)json_integer_value(json_object_get(imp, "skipped")),
		    (long long)json_integer_value(json_object_get(imp, "failed")),
		    (long long)json_integer_value(json_object_get(imp, "id")));
}

/* A dry run or the run now, with progress; *imp is the import after it. */
static int
pass(struct core_ctx *cx, int64_t id, bool dry, json_t **imp)
{
	struct progress pr = { isatty(STDERR_FILENO) != 0, 0, dry };
	int rc = imp_start(cx, id, dry, false);

	*imp = NULL;
	if (rc == CRM_OK) {
		rc = imp_execute(cx, id, dry, on_progress, &pr);
		progress_end(&pr);
	}
	if (rc != CRM_OK && rc != CRM_EINVAL)
		return rc;
	return imp_get(cx, id, imp) == CRM_OK ? rc : CRM_EDB;
}

static int
do_import(struct core_ctx *cx, const struct doc_store *ds, const char *file,
    const struct opt *opts, size_t n, char **maps, int nmaps)
{
	struct imp_source src = { 0 };
	struct doc_blob b;
	json_t *imp = NULL, *patch, *mapping;
	const char *slash = strrchr(file, '/');
	const char *errfile = opt_get(opts, n, "errors");
	int64_t id;
	int rc;

	src.entity = opt_get(opts, n, "entity");
	src.encoding = opt_get(opts, n, "encoding");
	src.sheet = opt_get(opts, n, "sheet");
	src.delimiter = opt_get(opts, n, "delimiter") ? opt_get(opts, n,
	    "delimiter")[0] : 0;
	if (store_file(ds, file, &b) != 0)
		return 1;
	rc = imp_upload(cx, ds, &b, slash ? slash + 1 : file, &src, &imp);
	doc_blob_abort(&b);
	if (rc != CRM_OK) {
		print_failure(cx);
		return 1;
	}
	id = json_integer_value(json_object_get(imp, "id"));
	mapping = json_deep_copy(json_object_get(imp, "mapping"));
	json_decref(imp);
	if (apply_maps(mapping, maps, nmaps) != 0) {
		json_decref(mapping);
		return 2;
	}
	patch = json_pack("{s:o, s:o}", "mapping", mapping, "options",
	    options_of(opts, n));
	rc = imp_update(cx, id, patch, &imp);
	json_decref(patch);
	json_decref(imp);
	if (rc != CRM_OK) {
		print_failure(cx);
		return 1;
	}
	rc = pass(cx, id, true, &imp);
	if (rc != CRM_OK) {
		print_failure(cx);
		json_decref(imp);
		return 1;
	}
	summary(imp, true);
	report_errors(cx, imp, errfile);
	if (opt_get(opts, n, "dry-run") != NULL) {
		rc = json_integer_value(json_object_get(imp, "errors_total")) > 0;
		json_decref(imp);
		return rc;
	}
	json_decref(imp);
	rc = pass(cx, id, false, &imp);
	if (imp != NULL) {
		summary(imp, false);
		if (rc != CRM_OK)
			report_errors(cx, imp, errfile);
	}
	if (rc != CRM_OK)
		print_failure(cx);
	rc = rc == CRM_OK && strcmp(json_string_value(json_object_get(imp,
	    "status")), "done") == 0 ? 0 : 1;
	json_decref(imp);
	return rc;
}

static int
list(struct core_ctx *cx)
{
	json_t *out = NULL, *i;
	size_t k;
	int rc = imp_list(cx, 50, &out);

	if (rc != CRM_OK)
		return rc;
	printf("%-6s %-8s %-10s %-24s %8s %8s %8s %8s  %s\n", "ID", "STATUS",
	    "ENTITY", "CREATED", "ROWS", "NEW", "UPDATED", "FAILED", "FILE");
	json_array_foreach(json_object_get(out, "data"), k, i)
		printf("%-6lld %-8s %-10s %-24s %8lld %8lld %8lld %8lld  %s\n",
		    (long long)json_integer_value(json_object_get(i, "id")),
		    json_string_value(json_object_get(i, "status")),
		    json_string_value(json_object_get(i, "entity")),
		    json_string_value(json_object_get(i, "created_at")),
		    (long long)json_integer_value(json_object_get(i, "rows_total")),
		    (long long)json_integer_value(json_object_get(i, "created")),
		    (long long)json_integer_value(json_object_get(i, "updated")),
		    (long long)json_integer_value(json_object_get(i, "failed")),
		    json_string_value(json_object_get(i, "file_name")));
	json_decref(out);
	return CRM_OK;
}

static int
undo(struct core_ctx *cx, const char *arg)
{
	char *end;
	long long id = strtoll(arg, &end, 10);
	json_t *out = NULL, *c;
	size_t i;
	int rc;

	if (*end != '\0' || id <= 0) {
		fprintf(stderr, "crm import: --undo takes an import's id (see crm "
		    "import --list)\n");
		return CRM_EINVAL;
	}
	rc = imp_undo(cx, id, &out);
	if (rc != CRM_OK)
		return rc;
	printf("import %lld undone: %lld records to the trash, %lld restored, "
	    "%zu left as they are\n", id,
	    (long long)json_integer_value(json_object_get(out, "trashed")),
	    (long long)json_integer_value(json_object_get(out, "restored")),
	    json_array_size(json_object_get(out, "conflicts")));
	json_array_foreach(json_object_get(out, "conflicts"), i, c)
		printf("  row %lld, record %lld: %s\n",
		    (long long)json_integer_value(json_object_get(c, "row")),
		    (long long)json_integer_value(json_object_get(c, "id")),
		    json_string_value(json_object_get(c, "reason")));
	json_decref(out);
	return CRM_OK;
}

int
cmd_import(int argc, char **argv)
{
	struct opt opts[] = {
		{ "db", "CRM_DB", "data/crm.db", "database file or PostgreSQL URI",
		    false, NULL },
		{ "files-dir", "CRM_FILES_DIR", NULL, "where the file is kept (the "
		    "server's documents folder; default files/ next to the "
		    "database)", false, NULL },
		{ "max-upload", "CRM_MAX_UPLOAD", "25M", "the largest file", false,
		    NULL },
		{ "entity", NULL, NULL, "companies, contacts, deals or activities",
		    false, NULL },
		{ "map", NULL, NULL, "\"Header=field\", repeated: a column's field "
		    "(\"Header=\" leaves it out)", false, NULL },
		{ "sheet", NULL, NULL, "XLSX: the sheet (default the first)", false,
		    NULL },
		{ "encoding", NULL, NULL, "CSV: UTF-8, WINDOWS-1251, SHIFT_JIS... "
		    "(default: detected)", false, NULL },
		{ "delimiter", NULL, NULL, "CSV: , ; | or a tab (default: detected)",
		    false, NULL },
		{ "match", NULL, NULL, "dedupe keys, comma-separated: email, phone, "
		    "tax_id, name, external_id", false, NULL },
		{ "on-match", NULL, NULL, "a row matching a record: update "
		    "(default), merge, skip or create", false, NULL },
		{ "mode", NULL, NULL, "all (default: nothing unless the file is "
		    "clean) or skip (bad rows left out)", false, NULL },
		{ "decimal", NULL, NULL, "the decimal separator: . (default) or ,",
		    false, NULL },
		{ "date-format", NULL, NULL, "YYYY-MM-DD (default), DD.MM.YYYY, "
		    "MM/DD/YYYY or DD/MM/YYYY", false, NULL },
		{ "percent", NULL, NULL, "what a number without % means: fraction "
		    "(0.15) or number (15); default: only 15% is read", false, NULL },
		{ "currency", NULL, NULL, "money's currency when no column says "
		    "(default: the base currency)", false, NULL },
		{ "dry-run", NULL, NULL, "check only, write nothing", true, NULL },
		{ "errors", NULL, NULL, "write every bad cell to this CSV file",
		    false, NULL },
		{ "as", NULL, NULL, "import as this user (email): their rights, "
		    "their records", false, NULL },
		{ "list", NULL, NULL, "list the imports", true, NULL },
		{ "undo", NULL, NULL, "undo import ID", false, NULL },
	};
	size_t n = sizeof(opts) / sizeof(*opts);
	char **rest = xcalloc((size_t)argc + 1, sizeof(*rest));
	char *maps[MAP_MAX], err[512], *store = NULL;
	const char *file = NULL;
	struct doc_store ds;
	struct core_ctx *cx = NULL;
	int nrest = 0, nmaps = 0, rc = 2;
	bool help = false;
	db_t *db = NULL;

	/* FILE (first) and every --map are taken out before the flags. */
	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--map") == 0 && i + 1 < argc && nmaps < MAP_MAX)
			maps[nmaps++] = argv[++i];
		else if (strncmp(argv[i], "--map=", 6) == 0 && nmaps < MAP_MAX)
			maps[nmaps++] = argv[i] + 6;
		else if (i == 0 && argv[i][0] != '-')
			file = argv[i];
		else
			rest[nrest++] = argv[i];
	}
	if (opts_parse(nrest, rest, opts, n, &help, &store) != 0)
		goto out;
	if (help || (file == NULL && opt_get(opts, n, "list") == NULL &&
	    opt_get(opts, n, "undo") == NULL)) {
		opts_usage("crm import FILE --entity ENTITY [flags] | --list | "
		    "--undo ID", about, opts, n);
		rc = help ? 0 : 2;
		goto out;
	}
	if (file != NULL && opt_get(opts, n, "entity") == NULL) {
		fprintf(stderr, "crm import: say what the rows are: --entity "
		    "companies, contacts, deals or activities\n");
		goto out;
	}
	if (core_open_db(opt_get(opts, n, "db"), &db, err, sizeof(err)) !=
	    CRM_OK) {
		fprintf(stderr, "crm import: %s\n", err);
		rc = 1;
		goto out;
	}
	cx = xmalloc(sizeof(*cx));
	core_ctx_init(cx, db, NULL);
	if (opt_get(opts, n, "as") != NULL) {
		struct actor a;
		bool active = false;

		if (user_find(cx, opt_get(opts, n, "as"), &a, &active) != CRM_OK ||
		    !active) {
			fprintf(stderr, "crm import: --as: no active user %s\n",
			    opt_get(opts, n, "as"));
			rc = 1;
			goto out;
		}
		core_ctx_init(cx, db, &a);
	}
	if (opt_get(opts, n, "list") != NULL) {
		rc = list(cx) == CRM_OK ? 0 : 1;
	} else if (opt_get(opts, n, "undo") != NULL) {
		rc = undo(cx, opt_get(opts, n, "undo"));
		if (rc != CRM_OK && rc != CRM_EINVAL)
			print_failure(cx);
		rc = rc == CRM_OK ? 0 : 1;
	} else {
		rc = cli_docs_open("import", opt_get(opts, n, "files-dir"),
		    opt_get(opts, n, "db"), opt_get(opts, n, "max-upload"), "100",
		    &ds);
		if (rc == 0)
			rc = do_import(cx, &ds, file, opts, n, maps, nmaps);
	}
out:
	free(cx);
	if (db != NULL)
		db_close(db);
	opts_free(store);
	free(rest);
	return rc;
}
