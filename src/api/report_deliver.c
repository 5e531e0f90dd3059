/*
 * Report subscriptions (core/report_deliver.h) and the default dashboards
 * of roles (core/dashboard.h) over HTTP. Rights, checks and the audit are
 * the core's.
 */
#include "api/internal.h"
#include "core/dashboard.h"
#include "core/report_deliver.h"

void
h_rsub_list(struct call *c)
{
	json_t *out = NULL;
	int rc = rsub_list(&c->cx, &out);

	reply_result(c, rc, 200, out);
}

/* A subscription with its version as the ETag. */
static void
reply_sub(struct call *c, int rc, int status, json_t *out)
{
	if (rc == CRM_OK)
		etag_header(c, out);
	reply_result(c, rc, status, out);
}

void
h_rsub_get(struct call *c)
{
	json_t *out = NULL;
	int rc = rsub_get(&c->cx, c->id, &out);

	reply_sub(c, rc, 200, out);
}

void
h_rsub_create(struct call *c)
{
	json_t *in = body_object(c), *out = NULL;
	int rc;

	if (in == NULL)
		return;
	rc = rsub_create(&c->cx, in, &out);
	json_decref(in);
	reply_sub(c, rc, 201, out);
}

void
h_rsub_update(struct call *c)
{
	int64_t version = if_match(c);
	json_t *in = body_object(c), *out = NULL;
	int rc;

	if (in == NULL)
		return;
	rc = rsub_update(&c->cx, c->id, version, in, &out);
	json_decref(in);
	reply_sub(c, rc, 200, out);
}

void
h_rsub_delete(struct call *c)
{
	reply_result(c, rsub_delete(&c->cx, c->id), 204, NULL);
}

void
h_rsub_send_now(struct call *c)
{
	json_t *out = NULL;
	int rc = rsub_send_now(&c->cx, c->id, &out);

	reply_result(c, rc, 200, out);
}

void
h_dashboard_reset(struct call *c)
{
	json_t *out = NULL;
	int rc = dashboard_reset(&c->cx, &out);

	reply_result(c, rc, 200, out);
}

void
h_dashboard_role_get(struct call *c)
{
	json_t *out = NULL;
	int rc = dashboard_role_get(&c->cx, c->id, &out);

	reply_result(c, rc, 200, out);
}

void
h_dashboard_role_put(struct call *c)
{
	call_with_id_body(c, dashboard_role_put);
}
