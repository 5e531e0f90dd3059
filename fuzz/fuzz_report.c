/*
 * The report designer's description (core/report_def.c): the bytes are
 * parsed as api/reply.c body_object() parses a body (duplicate keys
 * rejected), then checked by report_def_parse for two actors, the
 * administrator and a manager whose role hides fields of deals and
 * companies; every description accepted is compiled (the rows' statement
 * and, for an aggregation, the totals') and prepared by SQLite, but not
 * run. A description that parses must compile to a statement SQLite
 * accepts: a refusal there is a bug of the compiler, reported as a crash.
 *
 * The database is in memory with sample records and a custom field of
 * every type on companies and contacts, so custom.<key> names resolve.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>

#include "common.h"
#include "core/report_def.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static db_t *db;
static struct actor admin;
static struct actor manager;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	db_stmt_t *st;

	(void)argc;
	(void)argv;
	db = fz_open(":memory:", &admin);
	fz_seed(db, &admin);
	if (db_exec(db, "INSERT INTO roles (name, perms, fields, created_at, "
	    "updated_at) VALUES ('Fuzz manager', '{\"*\":{\"read\":\"own\"}}', "
	    "'{\"deals\":{\"amount_base\":\"hidden\",\"source\":\"hidden\"},"
	    "\"companies\":{\"custom.f_integer\":\"hidden\"}}', 0, 0); INSERT "
	    "INTO users (email, name, password_hash, is_admin, active, "
	    "created_at, updated_at, role_id) VALUES ('fm@example.com', 'FM', "
	    "'x', 0, 1, 0, 0, (SELECT id FROM roles WHERE name = 'Fuzz "
	    "manager'))") != DB_OK)
		fz_fail("seeding the manager: %s", db_errmsg(db));
	if (db_prepare(db, "SELECT id FROM users WHERE email = 'fm@example.com'",
	    &st) != DB_OK || db_step(st) != DB_ROW)
		fz_fail("the manager: %s", db_errmsg(db));
	manager.user_id = db_col_int(st, 0);
	db_done(st);
	return 0;
}

static void
compile(struct core_ctx *cx, const struct report_def *d, bool totals)
{
	struct rd_env env = { .tz = "Europe/Berlin", .now_ms = 1771113600000LL };
	struct dbq q;
	db_stmt_t *st;
	int rc;

	rc = report_def_compile(cx, d, &env, totals, &q);
	if (rc == CRM_OK) {
		if (db_prepare_q(db, &q, &st) != DB_OK)
			fz_fail("a parsed description compiled to SQL SQLite "
			    "refuses: %s\n%s", db_errmsg(db), q.sql);
		db_done(st);
	} else if (rc != CRM_EBADQUERY) {
		fz_fail("compile answered %d: %s", rc, cx->detail);
	}
	dbq_free(&q);
}

static void
one(const struct actor *a, json_t *desc)
{
	struct core_ctx cx;
	struct report_def *d = NULL;
	json_t *cols;

	core_ctx_init(&cx, db, a);
	if (report_def_parse(&cx, desc, "definition", &d) != CRM_OK) {
		if (cx.errs.n == 0)
			fz_fail("a refused description names no path");
		return;
	}
	cols = report_def_columns(d);
	if (json_array_size(cols) != (size_t)report_def_ncols(d))
		fz_fail("columns: %zu described, %d compiled",
		    json_array_size(cols), report_def_ncols(d));
	json_decref(cols);
	compile(&cx, d, false);
	if (report_def_is_agg(d))
		compile(&cx, d, true);
	report_def_free(d);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_error_t jerr;
	json_t *desc;

	if (size > RD_MAX_JSON * 2)
		return 0;
	desc = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES |
	    JSON_DECODE_ANY, &jerr);
	if (desc == NULL)
		return 0;
	one(&admin, desc);
	one(&manager, desc);
	json_decref(desc);
	return 0;
}
