/* Pipelines and lost reasons over HTTP; the rules are in core/pipelines.c. */
#include "api/internal.h"
#include "core/pipelines.h"

static void
answer(struct call *c, int rc, int status, json_t *out)
{
	if (rc != CRM_OK)
		reply_core(c, rc);
	else if (status == 204)
		reply_empty(c, 204);
	else
		reply_json(c, status, out);
}

void
h_pipeline_list(struct call *c)
{
	json_t *out = NULL;
	int rc = pipeline_list(&c->cx, &out);

	answer(c, rc, 200, out);
}

void
h_pipeline_get(struct call *c)
{
	json_t *out = NULL;
	int rc = pipeline_get(&c->cx, c->id, &out);

	answer(c, rc, 200, out);
}

void
h_pipeline_create(struct call *c)
{
	json_t *in = body_object(c), *out = NULL;
	int rc;

	if (in == NULL)
		return;
	rc = pipeline_create(&c->cx, in, &out);
	json_decref(in);
	answer(c, rc, 201, out);
}

void
h_pipeline_update(struct call *c)
{
	json_t *in = body_object(c), *out = NULL;
	int rc;

	if (in == NULL)
		return;
	rc = pipeline_update(&c->cx, c->id, in, &out);
	json_decref(in);
	answer(c, rc, 200, out);
}

void
h_pipeline_delete(struct call *c)
{
	answer(c, pipeline_delete(&c->cx, c->id), 204, NULL);
}

void
h_lost_reason_list(struct call *c)
{
	json_t *out = NULL;
	int rc = lost_reason_list(&c->cx, &out);

	answer(c, rc, 200, out);
}

void
h_lost_reason_create(struct call *c)
{
	json_t *in = body_object(c), *out = NULL;
	int rc;

	if (in == NULL)
		return;
	rc = lost_reason_create(&c->cx, in, &out);
	json_decref(in);
	answer(c, rc, 201, out);
}

void
h_lost_reason_update(struct call *c)
{
	json_t *in = body_object(c), *out = NULL;
	int rc;

	if (in == NULL)
		return;
	rc = lost_reason_update(&c->cx, c->id, in, &out);
	json_decref(in);
	answer(c, rc, 200, out);
}

void
h_lost_reason_delete(struct call *c)
{
	answer(c, lost_reason_delete(&c->cx, c->id), 204, NULL);
}
