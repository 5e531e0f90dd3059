/* Custom field definitions over HTTP. */
#include "api/internal.h"
#include "core/customfields.h"

void
h_cf_list(struct call *c)
{
	const char *entity = http_query(c->req, "entity");
	json_t *out;
	int rc;

	if (entity == NULL) {
		reply_problem(c, 400, NULL, "entity: give ?entity=companies, "
		    "?entity=contacts or ?entity=deals");
		return;
	}
	rc = cf_list(&c->cx, entity, &out);
	if (rc != CRM_OK)
		reply_core(c, rc);
	else
		reply_json(c, 200, out);
}

void
h_cf_create(struct call *c)
{
	json_t *in = body_object(c), *out;
	int rc;

	if (in == NULL)
		return;
	rc = cf_create(&c->cx, in, &out);
	json_decref(in);
	if (rc != CRM_OK)
		reply_core(c, rc);
	else
		reply_json(c, 201, out);
}

void
h_cf_update(struct call *c)
{
	json_t *in = body_object(c), *out;
	int rc;

	if (in == NULL)
		return;
	rc = cf_update(&c->cx, c->id, in, &out);
	json_decref(in);
	if (rc != CRM_OK)
		reply_core(c, rc);
	else
		reply_json(c, 200, out);
}

void
h_cf_delete(struct call *c)
{
	int rc = cf_delete(&c->cx, c->id);

	if (rc != CRM_OK)
		reply_core(c, rc);
	else
		reply_empty(c, 204);
}
