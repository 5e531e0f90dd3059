/*
 * Routes around activities that are not records of their own: calls a
 * PBX posts, comments on an activity, and the iCalendar feed. Each parses,
 * calls the core (core/activities.h) and renders.
 */
#include <string.h>

#include "api/internal.h"
#include "core/activities.h"

void
h_call_post(struct call *c)
{
	json_t *in = body_object(c), *out = NULL;
	bool created = false;
	int rc;

	if (in == NULL)
		return;
	rc = activity_call_log(&c->cx, in, &out, &created);
	json_decref(in);
	if (rc == CRM_OK)
		etag_header(c, out);
	/* 200 for a retried post: the PBX learns the call was already logged. */
	reply_result(c, rc, created ? 201 : 200, out);
}

void
h_comment_list(struct call *c)
{
	json_t *out = NULL;
	int rc = activity_comment_list(&c->cx, c->id, &out);

	reply_result(c, rc, 200, out);
}

void
h_comment_add(struct call *c)
{
	json_t *in = body_object(c), *out = NULL;
	int rc;

	if (in == NULL)
		return;
	rc = activity_comment_add(&c->cx, c->id, in, &out);
	json_decref(in);
	reply_result(c, rc, 201, out);
}

void
h_comment_delete(struct call *c)
{
	reply_result(c, activity_comment_delete(&c->cx, c->id, c->sub), 204,
	    NULL);
}
