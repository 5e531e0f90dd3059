/*
 * The organisation over HTTP: departments, roles, users (the admin side),
 * sharing a record and transferring records. Each handler parses, calls
 * one core function and answers; the rules live in core/org.c, staff.c,
 * share.c and access.c.
 */
#include "api/internal.h"
#include "core/org.h"
#include "core/share.h"

void
h_dept_list(struct call *c)
{
	json_t *out = NULL;
	int rc = dept_list(&c->cx, &out);

	reply_result(c, rc, 200, out);
}

void
h_dept_create(struct call *c)
{
	call_with_body(c, dept_create, 201);
}

void
h_dept_update(struct call *c)
{
	call_with_id_body(c, dept_update);
}

void
h_dept_delete(struct call *c)
{
	reply_result(c, dept_delete(&c->cx, c->id), 204, NULL);
}

void
h_role_list(struct call *c)
{
	json_t *out = NULL;
	int rc = role_list(&c->cx, &out);

	reply_result(c, rc, 200, out);
}

void
h_role_get(struct call *c)
{
	json_t *out = NULL;
	int rc = role_get(&c->cx, c->id, &out);

	reply_result(c, rc, 200, out);
}

void
h_role_create(struct call *c)
{
	call_with_body(c, role_create, 201);
}

void
h_role_update(struct call *c)
{
	call_with_id_body(c, role_update);
}

void
h_role_delete(struct call *c)
{
	reply_result(c, role_delete(&c->cx, c->id), 204, NULL);
}

void
h_staff_list(struct call *c)
{
	json_t *out = NULL;
	int rc = staff_list(&c->cx, &out);

	reply_result(c, rc, 200, out);
}

void
h_staff_get(struct call *c)
{
	json_t *out = NULL;
	int rc = staff_get(&c->cx, c->id, &out);

	reply_result(c, rc, 200, out);
}

void
h_staff_create(struct call *c)
{
	call_with_body(c, staff_create, 201);
}

void
h_staff_update(struct call *c)
{
	call_with_id_body(c, staff_update);
}

void
h_share_list(struct call *c)
{
	json_t *out = NULL;
	int rc = share_list(&c->cx, c->entity, c->id, &out);

	reply_result(c, rc, 200, out);
}

void
h_share_add(struct call *c)
{
	json_t *in = body_object(c), *out = NULL;
	int rc;

	if (in == NULL)
		return;
	rc = share_add(&c->cx, c->entity, c->id, in, &out);
	json_decref(in);
	reply_result(c, rc, 201, out);
}

void
h_share_delete(struct call *c)
{
	reply_result(c, share_delete(&c->cx, c->entity, c->id, c->sub), 204, NULL);
}

void
h_transfer(struct call *c)
{
	json_t *in = body_object(c), *out = NULL;
	int rc;

	if (in == NULL)
		return;
	rc = transfer_records(&c->cx, c->entity, in, &out);
	json_decref(in);
	reply_result(c, rc, 200, out);
}
