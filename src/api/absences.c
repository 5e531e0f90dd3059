/*
 * Personal absences over HTTP, under the person they belong to:
 * /api/v1/users/{id}/absences[/{sub}]. Who may read and change them is the
 * core's to decide (core/absences.h).
 */
#include "api/internal.h"
#include "core/absences.h"

void
h_absence_list(struct call *c)
{
	json_t *out = NULL;
	int rc = absence_list(&c->cx, c->id, http_query(c->req, "from"),
	    http_query(c->req, "to"), &out);

	reply_result(c, rc, 200, out);
}

void
h_absence_create(struct call *c)
{
	json_t *in = body_object(c), *out = NULL;
	int rc;

	if (in == NULL)
		return;
	rc = absence_create(&c->cx, c->id, in, &out);
	json_decref(in);
	reply_result(c, rc, 201, out);
}

void
h_absence_update(struct call *c)
{
	json_t *in = body_object(c), *out = NULL;
	int rc;

	if (in == NULL)
		return;
	rc = absence_update(&c->cx, c->id, c->sub, in, &out);
	json_decref(in);
	reply_result(c, rc, 200, out);
}

void
h_absence_delete(struct call *c)
{
	reply_result(c, absence_delete(&c->cx, c->id, c->sub), 204, NULL);
}
