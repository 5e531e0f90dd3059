/* Pipelines and lost reasons over HTTP; the rules are in core/pipelines.c. */
#include "api/internal.h"
#include "core/pipelines.h"

void
h_pipeline_list(struct call *c)
{
	json_t *out = NULL;
	int rc = pipeline_list(&c->cx, &out);

	reply_result(c, rc, 200, out);
}

void
h_pipeline_get(struct call *c)
{
	json_t *out = NULL;
	int rc = pipeline_get(&c->cx, c->id, &out);

	reply_result(c, rc, 200, out);
}

void
h_pipeline_create(struct call *c)
{
	call_with_body(c, pipeline_create, 201);
}

void
h_pipeline_update(struct call *c)
{
	call_with_id_body(c, pipeline_update);
}

void
h_pipeline_delete(struct call *c)
{
	reply_result(c, pipeline_delete(&c->cx, c->id), 204, NULL);
}

void
h_lost_reason_list(struct call *c)
{
	json_t *out = NULL;
	int rc = lost_reason_list(&c->cx, &out);

	reply_result(c, rc, 200, out);
}

void
h_lost_reason_create(struct call *c)
{
	call_with_body(c, lost_reason_create, 201);
}

void
h_lost_reason_update(struct call *c)
{
	call_with_id_body(c, lost_reason_update);
}

void
h_lost_reason_delete(struct call *c)
{
	reply_result(c, lost_reason_delete(&c->cx, c->id), 204, NULL);
}
