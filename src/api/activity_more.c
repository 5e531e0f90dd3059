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
