/*
 * Reports over HTTP: the funnel (core/funnel.c), and saved reports, the
 * designer's preview and check, the library's runs and exports
 * (core/reports.h), and each user's dashboard of pinned reports
 * (core/dashboard.h). Rights, rules and the audit are the core's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api/internal.h"
#include "core/dashboard.h"
#include "core/funnel.h"
#include "core/reports.h"
#include "util/timeutil.h"

void
h_report_funnel(struct call *c)
{
	struct list_query lq;
	json_t *out = NULL;
	int rc;

	/* The list's parser: filters pass through, the core refuses the rest. */
	if (call_list_query(c, &lq) != 0)
		return;
	rc = funnel_report(&c->cx, &lq, &out);
	reply_result(c, rc, 200, out);
}

void
h_report_list(struct call *c)
{
	json_t *out = NULL;
	int rc = report_list(&c->cx, &out);

	reply_result(c, rc, 200, out);
}

/* A saved report with its version as the ETag. */
static void
reply_report(struct call *c, int rc, int status, json_t *out)
{
	if (rc == CRM_OK)
		etag_header(c, out);
	reply_result(c, rc, status, out);
}

void
h_report_get(struct call *c)
{
	json_t *out = NULL;
	int rc = report_get(&c->cx, c->id, &out);

	reply_report(c, rc, 200, out);
}

void
h_report_create(struct call *c)
{
	json_t *in = body_object(c), *out = NULL;
	int rc;

	if (in == NULL)
		return;
	rc = report_create(&c->cx, in, &out);
	json_decref(in);
	reply_report(c, rc, 201, out);
}

void
h_report_update(struct call *c)
{
	int64_t version = if_match(c);
	json_t *in = body_object(c), *out = NULL;
	int rc;

	if (in == NULL)
		return;
	rc = report_update(&c->cx, c->id, version, in, &out);
	json_decref(in);
	reply_report(c, rc, 200, out);
}

void
h_report_delete(struct call *c)
{
	reply_result(c, report_delete(&c->cx, c->id), 204, NULL);
}

void
h_report_validate(struct call *c)
{
	call_with_body(c, report_validate, 200);
}

void
h_report_preview(struct call *c)
{
	call_with_body(c, report_preview, 200);
}

/* The run's parameters (report_params_set); the core refuses an unknown one. */
static int
param(void *arg, const char *key, const char *value)
{
	report_params_set(arg, key, value);
	return 0;
}

void
h_report_run(struct call *c)
{
	struct report_params p = { 0 };
	json_t *out = NULL;
	int rc;

	(void)http_query_each(c->req, param, &p);
	rc = report_run_id(&c->cx, c->id, &p, &out);
	reply_result(c, rc, 200, out);
}

void
h_report_export(struct call *c)
{
	const char *format = http_query(c->req, "format");
	const char *dir = getenv("TMPDIR");
	struct report_params p = { 0 };
	struct export_result res;
	char name[REPORT_FILENAME_MAX], disp[128], rows[24];
	int fmt = format == NULL ? EXPORT_CSV : report_format_parse(format);
	int rc;

	if (fmt < 0) {
		reply_problem(c, 400, NULL, "format: csv, xlsx or pdf");
		return;
	}
	(void)http_query_each(c->req, param, &p);
	rc = report_export(&c->cx, c->id, &p, (enum export_format)fmt,
	    dir != NULL && dir[0] == '/' ? dir : "/tmp", &res);
	if (rc != CRM_OK) {
		reply_core(c, rc);
		return;
	}
	/* The name is ours (digits and a date), never the report's text. */
	if (report_filename(&c->cx, &p, c->id, (enum export_format)fmt,
	    name) != CRM_OK || (size_t)snprintf(disp, sizeof(disp),
	    "attachment; filename=\"%s\"", name) >= sizeof(disp)) {
		close(res.fd);
		reply_problem(c, 500, NULL, "The export could not be named");
		return;
	}
	snprintf(rows, sizeof(rows), "%lld", (long long)res.rows);
	c->resp->status = 200;
	c->resp->content_type = report_format_mime((enum export_format)fmt);
	c->resp->use_fd = true;
	c->resp->fd = res.fd;
	c->resp->len = (size_t)res.size;
	http_resp_header(c->resp, "Content-Disposition", disp);
	http_resp_header(c->resp, "Cache-Control", "no-store");
	http_resp_header(c->resp, "X-Export-Rows", rows);
}

void
h_dashboard_get(struct call *c)
{
	json_t *out = NULL;
	int rc = dashboard_get(&c->cx, &out);

	reply_result(c, rc, 200, out);
}

void
h_dashboard_put(struct call *c)
{
	call_with_body(c, dashboard_put, 200);
}
