/*
 * The run parameters of saved and library reports (core/reports.h
 * struct report_params): the query string of GET /reports/{id}/run and
 * of exports and subscriptions, checked by the core (the period, days and
 * zone, and the library's filters owner, department, pipeline, source and
 * segment of core/report_filters.c).
 *
 * Input: byte 0 picks the report (one of the library's, or a designer
 * report with a filter of its own); the rest is lines "key=value", each
 * handed to report_params_set as api/reports.c does (an unknown key is
 * the first unknown one). The database is in memory with sample records.
 *
 * Properties, each aborting when broken:
 *   - the run answers CRM_OK with {columns, rows} (rows an array), or
 *     refuses with CRM_EBADQUERY naming why (cx->detail), or CRM_EUNAVAIL
 *     (too long); nothing else;
 *   - a refused run refuses again the same way (parameters are read
 *     without state);
 *   - report_params_text of parameters a run took, the line a rendered
 *     report prints, is valid UTF-8 without control characters.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "core/reports.h"
#include "util/buf.h"
#include "util/text.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define REPORTS_MAX 64

static db_t *db;
static struct actor admin;
static int64_t reports[REPORTS_MAX];
static size_t nreports;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct core_ctx cx;
	json_t *in, *out = NULL;
	db_stmt_t *st;

	(void)argc;
	(void)argv;
	db = fz_open(":memory:", &admin);
	fz_seed(db, &admin);
	in = json_loads("{\"name\": \"Companies by industry\", \"definition\": "
	    "{\"entity\": \"companies\", \"filters\": [{\"field\": \"name\", "
	    "\"op\": \"prefix\", \"value\": \"A\"}], \"group_by\": "
	    "[{\"field\": \"industry\"}], \"aggregates\": [{\"fn\": \"count\"}], "
	    "\"chart\": \"bar\"}}", 0, NULL);
	core_ctx_init(&cx, db, &admin);
	if (in == NULL || report_create(&cx, in, &out) != CRM_OK)
		fz_fail("set-up: report_create: %s", cx.errs.n > 0 ?
		    cx.errs.items[0].message : cx.detail);
	json_decref(in);
	json_decref(out);
	if (db_prepare(db, "SELECT id FROM reports ORDER BY id", &st) != DB_OK)
		fz_fail("set-up: %s", db_errmsg(db));
	while (nreports < REPORTS_MAX && db_step(st) == DB_ROW)
		reports[nreports++] = db_col_int(st, 0);
	db_done(st);
	if (nreports < 2)
		fz_fail("set-up: %zu reports", nreports);
	return 0;
}

/* One "key=value" line into p, as api/reports.c hands over a query's. */
static void
param(struct report_params *p, char *key)
{
	char *value = strchr(key, '=');

	if (value == NULL)
		return;
	*value++ = '\0';
	report_params_set(p, key, value);
}

static int
run(int64_t id, const struct report_params *p, char *detail, size_t len)
{
	struct core_ctx cx;
	json_t *out = NULL;
	int rc;

	core_ctx_init(&cx, db, &admin);
	rc = report_run_id(&cx, id, p, &out);
	if (rc == CRM_OK) {
		if (out == NULL || !json_is_array(json_object_get(out, "rows")))
			fz_fail("report %lld: CRM_OK without rows", (long long)id);
	} else if (out != NULL) {
		fz_fail("report %lld: %d with an answer", (long long)id, rc);
	} else if (rc == CRM_EBADQUERY && cx.detail[0] == '\0') {
		fz_fail("report %lld: CRM_EBADQUERY without a reason", (long long)id);
	} else if (rc != CRM_EBADQUERY && rc != CRM_EUNAVAIL) {
		fz_fail("report %lld: answered %d (%s)", (long long)id, rc,
		    cx.detail);
	}
	json_decref(out);
	snprintf(detail, len, "%s", cx.detail);
	return rc;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct report_params p;
	struct core_ctx cx;
	char d1[256], d2[256], *text, *line, *save = NULL;
	struct buf b;
	int64_t id;
	int r1, r2;

	if (size == 0)
		return -1;
	id = reports[data[0] % nreports];
	text = fz_strndup(data + 1, size - 1);
	memset(&p, 0, sizeof(p));
	for (line = strtok_r(text, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save))
		param(&p, line);
	r1 = run(id, &p, d1, sizeof(d1));
	if (r1 == CRM_EBADQUERY) {
		r2 = run(id, &p, d2, sizeof(d2));
		if (r2 != r1 || strcmp(d1, d2) != 0)
			fz_fail("report %lld refused \"%s\", then %d \"%s\"",
			    (long long)id, d1, r2, d2);
	}
	/* The line describes a run that took these parameters (the export's). */
	buf_init(&b, 4096);
	core_ctx_init(&cx, db, &admin);
	if (r1 == CRM_OK && report_params_text(&cx, id, &p, &b) == CRM_OK) {
		if (!text_utf8_valid(b.data, b.len))
			fz_fail("report %lld: the parameters' line is not UTF-8",
			    (long long)id);
		for (size_t i = 0; i < b.len; i++)
			if ((unsigned char)b.data[i] < 0x20 || b.data[i] == 0x7f)
				fz_fail("report %lld: the parameters' line holds 0x%02x",
				    (long long)id, (unsigned char)b.data[i]);
	}
	buf_free(&b);
	free(text);
	return 0;
}
