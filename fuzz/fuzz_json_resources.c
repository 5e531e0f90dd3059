/*
 * JSON bodies of the resources added after fuzz_json_records: KPI
 * scorecards, web forms (the admin's definition and a stranger's
 * submission), the desk's mailbox settings, report subscriptions, role
 * and personal dashboards, plans and their split, KPI close and reopen,
 * and the schedule preview of process templates. The bytes are parsed as
 * api/reply.c body_object() parses a body (duplicate keys rejected, an
 * object required); then every writer of the table below takes the object
 * as the handler would hand it over, as an administrator (a web form's
 * submission as the public, from one address).
 *
 * Writers that change a record get a fresh one made from a good body
 * first, so a patch meets a real row. Properties, each aborting when
 * broken:
 *   - every answer is one of the core's codes, with *out set when it is
 *     CRM_OK, and a refusal for bad input names why (cx->errs or
 *     cx->detail);
 *   - nothing is left half-written: a failed write leaves the count of its
 *     table's rows as it was.
 * Whatever the input wrote is removed afterwards, so each input starts
 * from the same database.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "core/dashboard.h"
#include "core/desk.h"
#include "core/desk_mail.h"
#include "core/kpi.h"
#include "core/plans.h"
#include "core/process_sched.h"
#include "core/report_deliver.h"
#include "core/webform.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NOW_MS 1795765311000LL	/* 2026-11-27, inside the plans' periods */

static db_t *db;
static struct actor admin;
static char form_key[WEBFORM_KEY_MAX];
static int64_t report_id;

/* Good bodies: the records the patches change, made afresh per input. */
static const char kpi_body[] = "{\"name\": \"Team month\", \"applies\": "
    "\"department\", \"department_id\": 1, \"period_kind\": \"month\", "
    "\"lines\": [{\"metric\": \"revenue_won\", \"target\": 10000, "
    "\"weight\": 40, \"rule\": \"linear\", \"cap\": 120}, {\"metric\": "
    "\"overdue_tasks\", \"target\": 0, \"weight\": 60, \"rule\": "
    "\"inverse\", \"worst\": 4}]}";
static const char form_body[] = "{\"name\": \"Footer form\", \"origins\": "
    "[\"https://shop.example\"], \"address_max\": 1000, \"form_max\": "
    "100000, \"fields\": [\"name\", \"email\", \"phone\", \"subject\", "
    "\"message\"]}";
/* The form a patch changes (names are unique). */
static const char form_base_body[] = "{\"name\": \"Patched form\"}";

static void
setup_fail(const char *what, const struct core_ctx *cx)
{
	fz_fail("set-up: %s: %s", what, cx->errs.n > 0 ?
	    cx->errs.items[0].message : cx->detail);
}

/* Makes a record from text with fn; its id (aborts on failure). */
static int64_t
make(int (*fn)(struct core_ctx *, json_t *, json_t **), const char *what,
    const char *text)
{
	struct core_ctx cx;
	json_t *in = json_loads(text, 0, NULL), *out = NULL;
	int64_t id;

	if (in == NULL)
		fz_fail("set-up: %s: bad JSON", what);
	core_ctx_init(&cx, db, &admin);
	if (fn(&cx, in, &out) != CRM_OK)
		setup_fail(what, &cx);
	id = json_integer_value(json_object_get(out, "id"));
	json_decref(in);
	json_decref(out);
	return id;
}

static int
form_create(struct core_ctx *cx, json_t *in, json_t **out)
{
	return dtable_create(cx, &dtable_web_forms, in, out);
}

/* A subscription of in, to the seeded report unless in names one. */
static int
rsub_make(struct core_ctx *cx, json_t *in, json_t **out)
{
	json_t *v = json_deep_copy(in);
	int rc;

	if (json_object_get(v, "report_id") == NULL)
		json_object_set_new(v, "report_id", json_integer(report_id));
	rc = rsub_create(cx, v, out);
	json_decref(v);
	return rc;
}

static const char rsub_body[] = "{\"format\": \"csv\", \"schedule\": "
    "{\"kind\": \"weekly\", \"weekday\": 1, \"time\": \"08:00\"}, \"tz\": "
    "\"Europe/Berlin\", \"recipients\": [1]}";

/* ---- the writers: (cx, the fresh record's id or 0, the object) ---- */

static int
w_kpi_create(struct core_ctx *cx, int64_t id, json_t *in, json_t **out)
{
	(void)id;
	return kpi_card_create(cx, in, out);
}

static int
w_kpi_update(struct core_ctx *cx, int64_t id, json_t *in, json_t **out)
{
	return kpi_card_update(cx, id, -1, in, out);	/* no If-Match */
}

static int
w_kpi_close(struct core_ctx *cx, int64_t id, json_t *in, json_t **out)
{
	(void)id;
	return kpi_close(cx, in, NOW_MS, out);
}

static int
w_kpi_reopen(struct core_ctx *cx, int64_t id, json_t *in, json_t **out)
{
	(void)id;
	return kpi_reopen(cx, in, NOW_MS, out);
}

static int
w_form_create(struct core_ctx *cx, int64_t id, json_t *in, json_t **out)
{
	(void)id;
	return form_create(cx, in, out);
}

static int
w_form_update(struct core_ctx *cx, int64_t id, json_t *in, json_t **out)
{
	return dtable_update(cx, &dtable_web_forms, id, in, out);
}

static int
w_form_submit(struct core_ctx *cx, int64_t id, json_t *in, json_t **out)
{
	(void)id;
	cx->address = "192.0.2.7";
	return webform_submit(cx, form_key, "192.0.2.7", in, out);
}

static int
w_mailbox(struct core_ctx *cx, int64_t id, json_t *in, json_t **out)
{
	(void)id;
	return desk_mailbox_set(cx, in, out);
}

static int
w_rsub_create(struct core_ctx *cx, int64_t id, json_t *in, json_t **out)
{
	(void)id;
	return rsub_make(cx, in, out);
}

static int
w_rsub_update(struct core_ctx *cx, int64_t id, json_t *in, json_t **out)
{
	return rsub_update(cx, id, -1, in, out);
}

static int
w_dashboard(struct core_ctx *cx, int64_t id, json_t *in, json_t **out)
{
	(void)id;
	return dashboard_put(cx, in, out);
}

static int
w_role_dashboard(struct core_ctx *cx, int64_t id, json_t *in, json_t **out)
{
	(void)id;
	return dashboard_role_put(cx, 2, in, out);
}

static int
w_plan_put(struct core_ctx *cx, int64_t id, json_t *in, json_t **out)
{
	(void)id;
	return plan_put(cx, in, out);
}

static int
w_plan_split(struct core_ctx *cx, int64_t id, json_t *in, json_t **out)
{
	(void)id;
	return plan_split(cx, in, out);
}

static int
w_schedule_preview(struct core_ctx *cx, int64_t id, json_t *in, json_t **out)
{
	(void)id;
	return psched_preview(cx, in, out);
}

static const struct writer {
	const char	*name;
	int		(*fn)(struct core_ctx *, int64_t, json_t *, json_t **);
	/* The table it writes, counted around a failed write. */
	const char	*count_sql;
	/* The record it changes, made first (NULL: none). */
	int		(*make)(struct core_ctx *, json_t *, json_t **);
	const char	*body;
} writers[] = {
	{ "kpi_card_create", w_kpi_create,
	    "SELECT count(*) FROM kpi_scorecards", NULL, NULL },
	{ "kpi_card_update", w_kpi_update,
	    "SELECT count(*) FROM kpi_scorecards", kpi_card_create, kpi_body },
	{ "kpi_close", w_kpi_close, "SELECT count(*) FROM kpi_results", NULL,
	    NULL },
	{ "kpi_reopen", w_kpi_reopen, "SELECT count(*) FROM kpi_results", NULL,
	    NULL },
	{ "web form create", w_form_create, "SELECT count(*) FROM web_forms",
	    NULL, NULL },
	{ "web form update", w_form_update, "SELECT count(*) FROM web_forms",
	    form_create, form_base_body },
	{ "webform_submit", w_form_submit, "SELECT count(*) FROM tickets", NULL,
	    NULL },
	{ "desk_mailbox_set", w_mailbox, "SELECT count(*) FROM desk_mailbox",
	    NULL, NULL },
	{ "rsub_create", w_rsub_create,
	    "SELECT count(*) FROM report_subscriptions", NULL, NULL },
	{ "rsub_update", w_rsub_update,
	    "SELECT count(*) FROM report_subscriptions", rsub_make, rsub_body },
	{ "dashboard_put", w_dashboard, "SELECT count(*) FROM dashboards", NULL,
	    NULL },
	{ "dashboard_role_put", w_role_dashboard,
	    "SELECT count(*) FROM role_dashboards", NULL, NULL },
	{ "plan_put", w_plan_put, "SELECT count(*) FROM plans", NULL, NULL },
	{ "plan_split", w_plan_split, "SELECT count(*) FROM plans", NULL, NULL },
	{ "psched_preview", w_schedule_preview, "SELECT count(*) FROM jobs", NULL,
	    NULL },
};

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct core_ctx cx;
	json_t *in, *out = NULL;

	(void)argc;
	(void)argv;
	db = fz_open(":memory:", &admin);
	fz_seed(db, &admin);
	/* A report to subscribe to, and a plan for the split to share. */
	report_id = fz_int(db, "SELECT min(id) FROM reports");
	if (report_id <= 0)
		fz_fail("set-up: no report");
	in = json_pack("{s:s,s:[{s:s,s:I,s:s,s:i}]}", "period", "2026-11",
	    "cells", "scope", "department", "id", (json_int_t)1, "metric",
	    "revenue_won", "target", 30000);
	core_ctx_init(&cx, db, &admin);
	if (plan_put(&cx, in, &out) != CRM_OK)
		setup_fail("plan_put", &cx);
	json_decref(in);
	json_decref(out);
	/* The form strangers submit to: its key. */
	in = json_loads(form_body, 0, NULL);
	out = NULL;
	core_ctx_init(&cx, db, &admin);
	if (dtable_create(&cx, &dtable_web_forms, in, &out) != CRM_OK)
		setup_fail("web form", &cx);
	snprintf(form_key, sizeof(form_key), "%s",
	    json_string_value(json_object_get(out, "public_key")));
	json_decref(in);
	json_decref(out);
	if (form_key[0] == '\0')
		fz_fail("set-up: the web form has no public_key");
	fz_mark(db);
	if (db_exec(db, "CREATE TEMP TABLE fz_mark_more AS SELECT "
	    "(SELECT coalesce(max(id), 0) FROM web_forms) AS forms, "
	    "(SELECT coalesce(max(id), 0) FROM plans) AS plans") != DB_OK)
		fz_fail("set-up: %s", db_errmsg(db));
	return 0;
}

/* Removes what an input wrote (beyond fz_reset's records). */
static void
reset(void)
{
	if (db_exec(db, "DELETE FROM kpi_results; DELETE FROM kpi_scorecards;"
	    "DELETE FROM web_form_hits; DELETE FROM satisfaction_requests;"
	    "DELETE FROM web_forms WHERE id > (SELECT forms FROM fz_mark_more);"
	    "DELETE FROM plans WHERE id > (SELECT plans FROM fz_mark_more);"
	    "DELETE FROM report_deliveries; DELETE FROM report_subscriptions;"
	    "DELETE FROM dashboards; DELETE FROM role_dashboards;"
	    "DELETE FROM desk_mailbox; DELETE FROM ticket_messages;"
	    "DELETE FROM tickets; DELETE FROM job_runs; DELETE FROM jobs;"
	    "DELETE FROM mail_outbox;") != DB_OK)
		fz_fail("reset: %s", db_errmsg(db));
	fz_reset(db);
}

static void
run(const struct writer *w, json_t *j)
{
	struct core_ctx cx;
	json_t *out = NULL;
	int64_t id = 0, before;
	int rc;

	if (w->make != NULL)
		id = make(w->make, w->name, w->body);
	before = fz_int(db, w->count_sql);
	core_ctx_init(&cx, db, &admin);
	rc = w->fn(&cx, id, j, &out);
	switch (rc) {
	case CRM_OK:
		if (out == NULL)
			fz_fail("%s: CRM_OK without an answer", w->name);
		json_decref(out);
		return;
	case CRM_EINVAL:
		if (cx.errs.n == 0 && cx.detail[0] == '\0')
			fz_fail("%s: CRM_EINVAL without a reason", w->name);
		break;
	case CRM_ENOTFOUND: case CRM_ECONFLICT: case CRM_EFORBIDDEN:
	case CRM_EEXISTS: case CRM_EINUSE: case CRM_ETHROTTLED:
		break;
	default:
		fz_fail("%s: answered %d (%s)", w->name, rc, cx.detail);
	}
	/* A refusal may carry a body (plan_put's errors): never a leak. */
	json_decref(out);
	if (fz_int(db, w->count_sql) != before)
		fz_fail("%s: refused (%d) but its table changed", w->name, rc);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *j;
	int rc;

	rc = fz_body_object(data, size, &j);
	if (j == NULL)
		return rc;
	for (size_t i = 0; i < sizeof(writers) / sizeof(*writers); i++)
		run(&writers[i], j);
	json_decref(j);
	reset();
	return 0;
}
