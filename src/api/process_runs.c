/*
 * Running processes over HTTP: starting one by hand, the monitor, one
 * instance with its steps, cancelling, answering a step, and the time
 * per step of a template. The engine, its rights and audit are in
 * core/process_run.c.
 */
#include <stdlib.h>

#include "api/internal.h"
#include "core/process_run.h"
#include "http/http.h"

void
h_prun_start(struct call *c)
{
	call_with_body(c, prun_start, 201);
}

void
h_prun_list(struct call *c)
{
	const char *tid = http_query(c->req, "template_id");
	json_t *out = NULL;
	int64_t template_id = 0;
	char *end = NULL;
	int rc;

	if (tid != NULL) {
		template_id = strtoll(tid, &end, 10);
		if (*tid == '\0' || *end != '\0' || template_id < 1) {
			reply_problem(c, 400, NULL, "template_id must be a template's "
			    "id, a whole number from 1");
			return;
		}
	}
	rc = prun_list(&c->cx, http_query(c->req, "status"), template_id,
	    http_query(c->req, "record"), &out);
	reply_result(c, rc, 200, out);
}

void
h_prun_get(struct call *c)
{
	json_t *out = NULL;
	int rc = prun_get(&c->cx, c->id, &out);

	reply_result(c, rc, 200, out);
}

void
h_prun_cancel(struct call *c)
{
	json_t *out = NULL;
	int rc = prun_cancel(&c->cx, c->id, &out);

	reply_result(c, rc, 200, out);
}

void
h_prun_step_complete(struct call *c)
{
	call_with_id_body(c, prun_step_complete);
}

void
h_prun_stats(struct call *c)
{
	json_t *out = NULL;
	int rc = prun_stats(&c->cx, c->id, &out);

	reply_result(c, rc, 200, out);
}
