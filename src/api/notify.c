/*
 * Notifications and mail over HTTP: the bell's list, count and marks
 * (the actor's own only), and the administrator's outbox view and test
 * mail. The live stream is in api/notify_stream.c.
 */
#include <stdio.h>
#include <string.h>

#include "api/internal.h"
#include "core/mail.h"
#include "core/notify.h"

/* Refuses a query parameter not in the space-padded list names. */
static int
only_args(void *arg, const char *key, const char *value)
{
	struct call *c = arg;
	char pad[40];

	(void)value;
	if ((size_t)snprintf(pad, sizeof(pad), " %s ", key) < sizeof(pad) &&
	    strstr(" unread cursor limit ", pad) != NULL)
		return 0;
	reply_problem(c, 400, NULL, "%.64s: not a parameter of this route "
	    "(unread, cursor, limit)", key);
	return -1;
}

void
h_notify_list(struct call *c)
{
	const char *unread = http_query(c->req, "unread");
	json_t *out = NULL;
	int rc;

	if (http_query_each(c->req, only_args, c) != 0)
		return;
	if (unread != NULL && strcmp(unread, "true") != 0 &&
	    strcmp(unread, "false") != 0) {
		reply_problem(c, 400, NULL, "unread: true or false");
		return;
	}
	rc = notify_list(&c->cx, unread != NULL && strcmp(unread, "true") == 0,
	    http_query(c->req, "cursor"), http_query(c->req, "limit"), &out);
	reply_result(c, rc, 200, out);
}

void
h_notify_count(struct call *c)
{
	int64_t n = 0;
	int rc = notify_unread(&c->cx, &n);

	reply_result(c, rc, 200, rc == CRM_OK ? json_pack("{s:I}", "unread",
	    (json_int_t)n) : NULL);
}

void
h_notify_read(struct call *c)
{
	json_t *out = NULL;
	int rc = notify_mark_read(&c->cx, c->id, &out);

	reply_result(c, rc, 200, out);
}

void
h_notify_read_all(struct call *c)
{
	json_t *out = NULL;
	int rc = notify_mark_read(&c->cx, 0, &out);

	reply_result(c, rc, 200, out);
}

void
h_mail_status(struct call *c)
{
	json_t *out = NULL;
	int rc = mail_status(&c->cx, &out);

	reply_result(c, rc, 200, out);
}

void
h_mail_test(struct call *c)
{
	call_with_body(c, mail_test, 202);
}
