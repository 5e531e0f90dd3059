/*
 * Plans over HTTP: the grid (GET/PUT /api/v1/plans), splitting a
 * department's plan (POST /api/v1/plans/split) and plan-fact (GET
 * /api/v1/plans/fact), and the revenue forecast (GET /api/v1/forecast,
 * core/forecast.h), and targets from a file (POST /api/v1/plans/import,
 * multipart/form-data with one part named file; dry_run, encoding,
 * delimiter and sheet in the query). Who may read and write which rows is the core's
 * to decide (core/plans.h).
 */
#include <stdio.h>
#include <string.h>

#include "api/internal.h"
#include "core/documents.h"
#include "core/forecast.h"
#include "core/plans.h"
#include "util/timeutil.h"

void
h_plan_grid(struct call *c)
{
	json_t *out = NULL;
	int rc = plan_grid(&c->cx, http_query(c->req, "period"), &out);

	reply_result(c, rc, 200, out);
}

void
h_plan_put(struct call *c)
{
	json_t *in = body_object(c), *out = NULL;
	int rc;

	if (in == NULL)
		return;
	rc = plan_put(&c->cx, in, &out);
	json_decref(in);
	reply_result(c, rc, 200, out);
}

void
h_plan_split(struct call *c)
{
	json_t *in = body_object(c), *out = NULL;
	int rc;

	if (in == NULL)
		return;
	rc = plan_split(&c->cx, in, &out);
	json_decref(in);
	reply_result(c, rc, 200, out);
}

void
h_plan_fact(struct call *c)
{
	json_t *out = NULL;
	int rc = plan_fact(&c->cx, http_query(c->req, "period"),
	    http_query(c->req, "department_id"), time_now_ms(), &out);

	reply_result(c, rc, 200, out);
}

void
h_forecast(struct call *c)
{
	struct list_query lq;
	json_t *out = NULL;
	int rc;

	/* The list's parser: filters pass through, the core refuses the rest. */
	if (call_list_query(c, &lq) != 0)
		return;
	rc = forecast_report(&c->cx, &lq, time_now_ms(), &out);
	reply_result(c, rc, 200, out);
}

void
h_plan_import(struct call *c)
{
	const char *dry = http_query(c->req, "dry_run");
	const char *delim = http_query(c->req, "delimiter");
	struct table_opts o = { http_query(c->req, "encoding"), 0,
	    http_query(c->req, "sheet") };
	struct doc_blob *b;
	json_t *out = NULL;
	char path[DOC_PATH_MAX];
	int rc;

	if (dry != NULL && strcmp(dry, "true") != 0 && strcmp(dry, "false") != 0) {
		reply_problem(c, 400, NULL, "dry_run: must be true or false");
		return;
	}
	if (delim != NULL && (strlen(delim) != 1 || strchr(",;\t|", delim[0]) ==
	    NULL)) {
		reply_problem(c, 400, NULL, "delimiter: must be one of , ; | or a "
		    "tab");
		return;
	}
	o.delimiter = delim != NULL ? delim[0] : 0;
	b = upload_receive(c);
	if (b == NULL)
		return;
	/* Read where it lies: the file is never kept. */
	if (b->tmp[0] != '\0')
		snprintf(path, sizeof(path), "%s", b->tmp);
	else
		snprintf(path, sizeof(path), "/proc/self/fd/%d", b->fd);
	rc = plan_import(&c->cx, path, &o, dry != NULL && strcmp(dry, "true") ==
	    0, &out);
	upload_release(b);
	if (rc == CRM_EINVAL && out != NULL) {
		/* A problem that also lists every bad cell (row, column, value). */
		json_object_set_new(out, "type", json_string("about:blank"));
		json_object_set_new(out, "title", json_string("Invalid input"));
		json_object_set_new(out, "status", json_integer(422));
		json_object_set_new(out, "detail", json_string("Some cells are "
		    "invalid; nothing was written"));
		reply_json(c, 422, out);
		c->resp->content_type = "application/problem+json";
		return;
	}
	reply_result(c, rc, 200, out);
}
