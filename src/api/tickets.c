/*
 * What the service desk adds over HTTP to the record routes of tickets:
 * messages, merge, the admin tables (SLA policies, queues, canned
 * responses, and the knowledge base's categories and article writes) on
 * one set of handlers, rendering a canned response, and the
 * support dashboard. Status changes are PATCH {"status"} (docs/api.md).
 */
#include <stdlib.h>
#include <string.h>

#include "api/internal.h"
#include "core/desk.h"
#include "core/kb.h"
#include "core/tickets.h"
#include "core/webform.h"

void
h_ticket_messages(struct call *c)
{
	json_t *out = NULL;
	int rc = ticket_message_list(&c->cx, c->id, &out);

	reply_result(c, rc, 200, out);
}

void
h_ticket_message_add(struct call *c)
{
	json_t *in = body_object(c), *out = NULL;
	int rc;

	if (in == NULL)
		return;
	rc = ticket_message_add(&c->cx, c->id, in, &out);
	json_decref(in);
	reply_result(c, rc, 201, out);
}

void
h_ticket_merge(struct call *c)
{
	json_t *in = body_object(c), *out = NULL, *into;
	int rc;

	if (in == NULL)
		return;
	into = json_object_get(in, "into");
	if (!json_is_integer(into) || json_integer_value(into) <= 0 ||
	    json_object_size(in) != 1) {
		json_decref(in);
		reply_problem(c, 400, NULL, "The body is {\"into\": the id of the "
		    "ticket to merge into}");
		return;
	}
	rc = ticket_merge(&c->cx, c->id, json_integer_value(into), &out);
	json_decref(in);
	reply_result(c, rc, 200, out);
}

/* The admin table a route names, by its path. */
static const struct dtable *
table_of(struct call *c)
{
	const char *p = c->req->path;

	if (strstr(p, "/sla-policies") != NULL)
		return &dtable_sla_policies;
	if (strstr(p, "/queues") != NULL)
		return &dtable_queues;
	if (strstr(p, "/kb/categories") != NULL)
		return &dtable_kb_categories;
	if (strstr(p, "/kb/articles") != NULL)
		return &dtable_kb_articles;
	if (strstr(p, "/desk/forms") != NULL)
		return &dtable_web_forms;
	return &dtable_canned;
}

void
h_desk_list(struct call *c)
{
	json_t *out = NULL;
	int rc = dtable_list(&c->cx, table_of(c), &out);

	reply_result(c, rc, 200, out);
}

void
h_desk_get(struct call *c)
{
	json_t *out = NULL;
	int rc = dtable_get(&c->cx, table_of(c), c->id, &out);

	reply_result(c, rc, 200, out);
}

void
h_desk_create(struct call *c)
{
	json_t *in = body_object(c), *out = NULL;
	int rc;

	if (in == NULL)
		return;
	rc = dtable_create(&c->cx, table_of(c), in, &out);
	json_decref(in);
	reply_result(c, rc, 201, out);
}

void
h_desk_update(struct call *c)
{
	json_t *in = body_object(c), *out = NULL;
	int rc;

	if (in == NULL)
		return;
	rc = dtable_update(&c->cx, table_of(c), c->id, in, &out);
	json_decref(in);
	reply_result(c, rc, 200, out);
}

void
h_desk_delete(struct call *c)
{
	reply_result(c, dtable_delete(&c->cx, table_of(c), c->id), 204, NULL);
}

void
h_canned_render(struct call *c)
{
	json_t *in = body_object(c), *out = NULL, *t;
	int rc;

	if (in == NULL)
		return;
	t = json_object_get(in, "ticket_id");
	if (!json_is_integer(t) || json_integer_value(t) <= 0 ||
	    json_object_size(in) != 1) {
		json_decref(in);
		reply_problem(c, 400, NULL, "The body is {\"ticket_id\": the id of "
		    "a ticket}");
		return;
	}
	rc = canned_render(&c->cx, c->id, json_integer_value(t), &out);
	json_decref(in);
	reply_result(c, rc, 200, out);
}

static int
only_from_to(void *arg, const char *key, const char *value)
{
	struct call *c = arg;

	(void)value;
	if (strcmp(key, "from") == 0 || strcmp(key, "to") == 0)
		return 0;
	reply_problem(c, 400, NULL, "%.64s: not a parameter of this report "
	    "(from, to)", key);
	return -1;
}

void
h_report_support(struct call *c)
{
	json_t *out = NULL;
	int rc;

	if (http_query_each(c->req, only_from_to, c) != 0)
		return;
	rc = desk_report(&c->cx, http_query(c->req, "from"),
	    http_query(c->req, "to"), &out);
	reply_result(c, rc, 200, out);
}
