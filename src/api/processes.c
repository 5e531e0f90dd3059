/*
 * Process templates over HTTP; the rules, rights and audit are in
 * core/processes.c, the format's checks in core/process_def.c.
 */
#include "api/internal.h"
#include "core/process_sched.h"
#include "core/processes.h"
#include "http/http.h"

void
h_proc_list(struct call *c)
{
	json_t *out = NULL;
	int rc = proc_tpl_list(&c->cx, http_query(c->req, "status"), &out);

	reply_result(c, rc, 200, out);
}

/* A template answered with its ETag: the current version. */
static void
reply_tpl(struct call *c, int rc, int status, json_t *out)
{
	if (rc == CRM_OK)
		etag_header(c, out);
	reply_result(c, rc, status, out);
}

void
h_proc_get(struct call *c)
{
	json_t *out = NULL;
	int rc = proc_tpl_get(&c->cx, c->id, &out);

	reply_tpl(c, rc, 200, out);
}

void
h_proc_create(struct call *c)
{
	json_t *in = body_object(c), *out = NULL;
	int rc;

	if (in == NULL)
		return;
	rc = proc_tpl_create(&c->cx, in, &out);
	json_decref(in);
	reply_tpl(c, rc, 201, out);
}

void
h_proc_update(struct call *c)
{
	int64_t version = if_match(c);
	json_t *in, *out = NULL;
	int rc;

	if (version == -2) {
		reply_problem(c, 412, NULL, "If-Match must be the ETag of the "
		    "template, like \"3\"");
		return;
	}
	in = body_object(c);
	if (in == NULL)
		return;
	rc = proc_tpl_update(&c->cx, c->id, version, in, &out);
	json_decref(in);
	reply_tpl(c, rc, 200, out);
}

void
h_proc_version(struct call *c)
{
	json_t *out = NULL;
	int rc = proc_tpl_version(&c->cx, c->id, c->sub, &out);

	reply_result(c, rc, 200, out);
}

void
h_proc_archive(struct call *c)
{
	json_t *out = NULL;
	int rc = proc_tpl_set_archived(&c->cx, c->id, true, &out);

	reply_tpl(c, rc, 200, out);
}

void
h_proc_restore(struct call *c)
{
	json_t *out = NULL;
	int rc = proc_tpl_set_archived(&c->cx, c->id, false, &out);

	reply_tpl(c, rc, 200, out);
}

void
h_proc_validate(struct call *c)
{
	call_with_body(c, proc_tpl_validate, 200);
}

void
h_proc_wizard(struct call *c)
{
	call_with_body(c, proc_wizard, 200);
}

void
h_proc_schedule_preview(struct call *c)
{
	call_with_body(c, psched_preview, 200);
}
