/*
 * KPI scorecards over HTTP: the definitions (/api/v1/kpi/scorecards), the
 * results of a period (GET /api/v1/kpi/results) and closing or reopening
 * a period (POST /api/v1/kpi/periods/close, /reopen). Rights and the
 * scoring are the core's (core/kpi.h).
 */
#include "api/internal.h"
#include "core/kpi.h"
#include "util/timeutil.h"

void
h_kpi_card_list(struct call *c)
{
	json_t *out = NULL;
	int rc = kpi_card_list(&c->cx, &out);

	reply_result(c, rc, 200, out);
}

/* A scorecard with its version as the ETag, for If-Match on PATCH. */
static void
reply_card(struct call *c, int rc, int status, json_t *out)
{
	if (rc == CRM_OK)
		etag_header(c, out);
	reply_result(c, rc, status, out);
}

void
h_kpi_card_get(struct call *c)
{
	json_t *out = NULL;
	int rc = kpi_card_get(&c->cx, c->id, &out);

	reply_card(c, rc, 200, out);
}

void
h_kpi_card_create(struct call *c)
{
	json_t *in = body_object(c), *out = NULL;
	int rc;

	if (in == NULL)
		return;
	rc = kpi_card_create(&c->cx, in, &out);
	json_decref(in);
	reply_card(c, rc, 201, out);
}

void
h_kpi_card_update(struct call *c)
{
	int64_t version = if_match(c);
	json_t *in, *out = NULL;
	int rc;

	if (version == -2) {
		reply_problem(c, 412, NULL, "If-Match must be the ETag of the "
		    "scorecard, like \"3\"");
		return;
	}
	in = body_object(c);
	if (in == NULL)
		return;
	rc = kpi_card_update(&c->cx, c->id, version, in, &out);
	json_decref(in);
	reply_card(c, rc, 200, out);
}

void
h_kpi_card_delete(struct call *c)
{
	reply_result(c, kpi_card_delete(&c->cx, c->id), 204, NULL);
}

void
h_kpi_results(struct call *c)
{
	json_t *out = NULL;
	int rc = kpi_results(&c->cx, http_query(c->req, "scorecard_id"),
	    http_query(c->req, "period"), http_query(c->req, "user_id"),
	    time_now_ms(), &out);

	reply_result(c, rc, 200, out);
}

/* Close and reopen: {scorecard_id, period}, answered with the results. */
static void
period_call(struct call *c, int (*fn)(struct core_ctx *, json_t *, int64_t,
    json_t **))
{
	json_t *in = body_object(c), *out = NULL;
	int rc;

	if (in == NULL)
		return;
	rc = fn(&c->cx, in, time_now_ms(), &out);
	json_decref(in);
	reply_result(c, rc, 200, out);
}

void
h_kpi_close(struct call *c)
{
	period_call(c, kpi_close);
}

void
h_kpi_reopen(struct call *c)
{
	period_call(c, kpi_reopen);
}
