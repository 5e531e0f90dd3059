/*
 * GET /api/v1/{entity}/export: a list as a CSV or XLSX download. The
 * query string is the list's (q, sort, filters) plus format and columns;
 * who may export what, and the audit entry, are core/export.c's. The file
 * is written to a temporary file first and sent from there, so a large
 * export never sits in memory.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api/internal.h"
#include "core/export.h"
#include "util/timeutil.h"

static const char csv_type[] = "text/csv; charset=utf-8";
static const char xlsx_type[] =
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/* Takes format and columns out of the filters call_list_query gathered. */
static void
drop_params(struct list_query *lq)
{
	int n = 0;

	for (int i = 0; i < lq->nfilters; i++) {
		if (strcmp(lq->filters[i].key, "format") == 0 ||
		    strcmp(lq->filters[i].key, "columns") == 0)
			continue;
		lq->filters[n++] = lq->filters[i];
	}
	lq->nfilters = n;
}

void
h_rec_export(struct call *c)
{
	const char *format = http_query(c->req, "format");
	const char *dir = getenv("TMPDIR");
	struct list_query lq;
	struct export_req r;
	struct export_result res;
	char ts[TIME_RFC3339_LEN], disp[128], rows[24];
	int fmt = format == NULL ? EXPORT_CSV : export_format_parse(format);
	int rc;

	if (fmt < 0) {
		reply_problem(c, 400, NULL, "format: csv or xlsx");
		return;
	}
	if (call_list_query(c, &lq) != 0)
		return;
	drop_params(&lq);
	r.e = c->entity;
	r.lq = &lq;
	r.columns = http_query(c->req, "columns");
	r.format = (enum export_format)fmt;
	r.dir = dir != NULL && dir[0] == '/' ? dir : "/tmp";
	rc = export_run(&c->cx, &r, &res);
	if (rc != CRM_OK) {
		reply_core(c, rc);
		return;
	}
	/* contacts-2026-11-27.csv: the entity and the day (UTC) of the export. */
	time_format(time_now_ms(), ts, sizeof(ts));
	if ((size_t)snprintf(disp, sizeof(disp), "attachment; filename=\"%s-%.10s"
	    ".%s\"", c->entity->name, ts, fmt == EXPORT_XLSX ? "xlsx" : "csv") >=
	    sizeof(disp)) {
		close(res.fd);
		reply_problem(c, 500, NULL, "The export could not be named");
		return;
	}
	snprintf(rows, sizeof(rows), "%lld", (long long)res.rows);
	c->resp->status = 200;
	c->resp->content_type = fmt == EXPORT_XLSX ? xlsx_type : csv_type;
	c->resp->use_fd = true;
	c->resp->fd = res.fd;
	c->resp->len = (size_t)res.size;
	http_resp_header(c->resp, "Content-Disposition", disp);
	http_resp_header(c->resp, "Cache-Control", "no-store");
	http_resp_header(c->resp, "X-Export-Rows", rows);
}
