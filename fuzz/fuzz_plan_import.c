/*
 * The plan import (core/plans.h plan_import): a CSV of targets a user
 * uploads ("who, metric, period, target"), each cell checked against the
 * people, departments, metrics and periods of the database. The CSV
 * reader underneath has its own harness (fuzz_csv); this one is about the
 * cells.
 *
 * Input: the file's bytes, written to a temporary file (plan_import reads
 * a path, as the upload route hands it over). The database has the
 * people and departments the seeds name, and the actor is an admin.
 *
 * Properties, each aborting when broken:
 *   - a dry run answers CRM_OK (or CRM_EINVAL naming "file" for a file it
 *     cannot read) and writes nothing;
 *   - the real run finds exactly the errors of the dry run (same rows,
 *     columns, values and reasons, same count), and then either writes
 *     every row (CRM_OK, written = rows, no errors) or nothing at all
 *     (CRM_EINVAL, written 0): a file is all or nothing;
 *   - errors are listed in row order, each naming a row of the file (the
 *     header is row 1), one of the four columns (or "file"; in the
 *     header, an unknown one), the value and a reason; at most all of them are listed (error_count).
 */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"
#include "core/org.h"
#include "core/plans.h"
#include "core/users.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static db_t *db;
static struct actor admin;
static char path[64];

static void
remove_file(void)
{
	unlink(path);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const char *const depts[] = {
		"{\"name\": \"Import team\", \"parent_id\": 1}",
		"{\"name\": \"Import other\", \"parent_id\": 1}",
		"{\"name\": \"Twin\", \"parent_id\": 1}",
	};
	struct core_ctx cx;
	int64_t id;
	int fd;

	(void)argc;
	(void)argv;
	db = fz_open(":memory:", &admin);
	for (size_t i = 0; i < sizeof(depts) / sizeof(*depts); i++) {
		json_t *in = json_loads(depts[i], 0, NULL), *out = NULL;

		core_ctx_init(&cx, db, &admin);
		if (dept_create(&cx, in, &out) != CRM_OK)
			fz_fail("set-up: %s: %s", depts[i], cx.detail);
		json_decref(in);
		json_decref(out);
	}
	core_ctx_init(&cx, db, NULL);
	if (user_add(&cx, "pi.anna@example.com", "Anna Planner",
	    "quiet lantern harbour 8", false, &id) != CRM_OK)
		fz_fail("set-up: user_add: %s", cx.detail);
	snprintf(path, sizeof(path), "%s/crm-fuzz-plans.XXXXXX",
	    getenv("TMPDIR") != NULL && strlen(getenv("TMPDIR")) < 40 ?
	    getenv("TMPDIR") : "/tmp");
	fd = mkstemp(path);
	if (fd < 0)
		fz_fail("set-up: mkstemp %s", path);
	close(fd);
	atexit(remove_file);
	return 0;
}

/* The errors' promises; returns the list. */
static json_t *
check_errors(json_t *out, const char *run)
{
	static const char *const cols[] = { "who", "metric", "period",
	    "target", "file" };
	json_t *errors = json_object_get(out, "errors"), *e;
	json_int_t count = json_integer_value(json_object_get(out,
	    "error_count"));
	json_int_t last = 0;
	size_t i;

	if (!json_is_array(errors) || (json_int_t)json_array_size(errors) > count)
		fz_fail("%s: %zu errors listed, %lld counted", run,
		    json_array_size(errors), (long long)count);
	json_array_foreach(errors, i, e) {
		json_int_t row = json_integer_value(json_object_get(e, "row"));
		const char *col = json_string_value(json_object_get(e, "column"));
		const char *why = json_string_value(json_object_get(e, "reason"));
		bool known = false;

		for (size_t k = 0; col != NULL && k < sizeof(cols) / sizeof(*cols);
		    k++)
			known = known || strcmp(col, cols[k]) == 0;
		if (row < 1 || row < last)
			fz_fail("%s: error %zu at row %lld (after %lld)", run, i,
			    (long long)row, (long long)last);
		/* A header's unknown column is named by itself. */
		if (!(known || (row == 1 && col != NULL)) || why == NULL || why[0] == '\0' ||
		    !json_is_string(json_object_get(e, "value")))
			fz_fail("%s: error %zu: column %s, reason %s", run, i,
			    col != NULL ? col : "(none)", why != NULL ? why : "(none)");
		last = row;
	}
	return errors;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct core_ctx cx;
	json_t *dry = NULL, *real = NULL;
	int64_t before;
	int rd, rr;
	FILE *f = fopen(path, "wb");

	if (f == NULL || fwrite(data, 1, size, f) != size || fclose(f) != 0)
		fz_fail("writing %s", path);
	before = fz_int(db, "SELECT count(*) FROM plans");
	core_ctx_init(&cx, db, &admin);
	rd = plan_import(&cx, path, NULL, true, &dry);
	if (fz_int(db, "SELECT count(*) FROM plans") != before)
		fz_fail("a dry run wrote");
	if (rd != CRM_OK) {
		if (rd != CRM_EINVAL || cx.errs.n != 1 ||
		    strcmp(cx.errs.items[0].field, "file") != 0 || dry != NULL)
			fz_fail("dry run: %d (%s)", rd, cx.detail);
		return 0;
	}
	if (dry == NULL || json_integer_value(json_object_get(dry, "written")))
		fz_fail("dry run: no answer, or one that wrote");
	check_errors(dry, "dry run");

	core_ctx_init(&cx, db, &admin);
	rr = plan_import(&cx, path, NULL, false, &real);
	if (real == NULL)
		fz_fail("run: %d without an answer (%s)", rr, cx.detail);
	if (!json_equal(check_errors(real, "run"), json_object_get(dry,
	    "errors")) || !json_equal(json_object_get(real, "error_count"),
	    json_object_get(dry, "error_count")) || !json_equal(
	    json_object_get(real, "rows"), json_object_get(dry, "rows")))
		fz_fail("the run's errors differ from the dry run's");
	if (json_integer_value(json_object_get(dry, "error_count")) > 0) {
		if (rr != CRM_EINVAL || fz_int(db, "SELECT count(*) FROM plans") != before ||
		    json_integer_value(json_object_get(real, "written")) != 0)
			fz_fail("a file with errors: %d, written %lld", rr,
			    (long long)json_integer_value(json_object_get(real,
			    "written")));
	} else if (rr != CRM_OK || json_integer_value(json_object_get(real,
	    "written")) != json_integer_value(json_object_get(real, "rows"))) {
		fz_fail("a good file: %d, written %lld of %lld", rr,
		    (long long)json_integer_value(json_object_get(real, "written")),
		    (long long)json_integer_value(json_object_get(real, "rows")));
	}
	json_decref(dry);
	json_decref(real);
	if (db_exec(db, "DELETE FROM plans") != DB_OK)
		fz_fail("reset: %s", db_errmsg(db));
	return 0;
}
