/*
 * Plans over HTTP: the grid (GET/PUT /api/v1/plans), splitting a
 * department's plan (POST /api/v1/plans/split) and plan-fact (GET
 * /api/v1/plans/fact), and the revenue forecast (GET /api/v1/forecast,
 * core/forecast.h). Who may read and write which rows is the core's
 * to decide (core/plans.h).
 */
#include "api/internal.h"
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
