/*
 * Workload over HTTP: /api/v1/workload (each person's next days) and
 * /api/v1/workload/check (would one more task overload someone?). Whose
 * workload one may see is the core's to decide (core/workload.h).
 */
#include "api/internal.h"
#include "core/workload.h"
#include "util/timeutil.h"

void
h_workload(struct call *c)
{
	struct workload_query wq;
	json_t *out = NULL;
	int rc;

	wq = (struct workload_query){
		.department_id = http_query(c->req, "department_id"),
		.user_id = http_query(c->req, "user_id"),
		.from = http_query(c->req, "from"),
		.days = http_query(c->req, "days"),
		.now_ms = time_now_ms(),
	};
	rc = workload_get(&c->cx, &wq, &out);
	reply_result(c, rc, 200, out);
}

void
h_workload_check(struct call *c)
{
	json_t *in = body_object(c), *out = NULL;
	int rc;

	if (in == NULL)
		return;
	rc = workload_check(&c->cx, in, &out);
	json_decref(in);
	reply_result(c, rc, 200, out);
}
