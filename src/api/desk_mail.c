/*
 * The service desk's mailbox over HTTP (core/desk_mail.h): its settings
 * and "check now". Administrators only, decided in the core.
 */
#include "api/internal.h"
#include "core/desk_mail.h"

void
h_desk_mailbox_get(struct call *c)
{
	json_t *out = NULL;
	int rc = desk_mailbox_get(&c->cx, &out);

	reply_result(c, rc, 200, out);
}

void
h_desk_mailbox_put(struct call *c)
{
	json_t *in = body_object(c), *out = NULL;
	int rc;

	if (in == NULL)
		return;
	rc = desk_mailbox_set(&c->cx, in, &out);
	json_decref(in);
	reply_result(c, rc, 200, out);
}

void
h_desk_mailbox_check(struct call *c)
{
	json_t *out = NULL;
	int rc = desk_mailbox_check(&c->cx, c->app->docs, &out);

	reply_result(c, rc, 200, out);
}
