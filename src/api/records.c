/*
 * The record routes, for every entity at once: the route table says which
 * entity a path is about, the core does the rest.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/internal.h"

void
etag_header(struct call *c, json_t *rec)
{
	char etag[32];

	snprintf(etag, sizeof(etag), "\"%lld\"",
	    (long long)json_integer_value(json_object_get(rec, "version")));
	http_resp_header(c->resp, "ETag", etag);
	http_resp_header(c->resp, "Cache-Control", "no-cache");
}

struct list_args {
	struct list_query	*lq;
	struct call		*c;
	int			 rc;
};

static int
list_arg(void *arg, const char *key, const char *value)
{
	struct list_args *a = arg;
	struct list_query *lq = a->lq;

	if (strcmp(key, "q") == 0) {
		lq->q = value;
	} else if (strcmp(key, "sort") == 0) {
		lq->sort = value;
	} else if (strcmp(key, "cursor") == 0) {
		lq->cursor = value;
	} else if (strcmp(key, "limit") == 0) {
		lq->limit = value;
	} else if (strcmp(key, "deleted") == 0) {
		if (strcmp(value, "true") != 0 && strcmp(value, "false") != 0) {
			reply_problem(a->c, 400, NULL, "deleted: must be true or false");
			return a->rc = -1;
		}
		lq->deleted = strcmp(value, "true") == 0;
	} else if (lq->nfilters < LIST_MAX_FILTERS) {
		lq->filters[lq->nfilters].key = key;
		lq->filters[lq->nfilters].value = value;
		lq->nfilters++;
	} else {
		reply_problem(a->c, 400, NULL, "At most %d filters at once",
		    LIST_MAX_FILTERS);
		return a->rc = -1;
	}
	return 0;
}

int
call_list_query(struct call *c, struct list_query *lq)
{
	struct list_args a = { lq, c, 0 };

	memset(lq, 0, sizeof(*lq));
	return http_query_each(c->req, list_arg, &a) != 0 ? -1 : 0;
}

void
h_rec_list(struct call *c)
{
	struct list_query lq;
	json_t *out;
	int rc;

	if (call_list_query(c, &lq) != 0)
		return;
	rc = rec_list(&c->cx, c->entity, &lq, &out);
	if (rc != CRM_OK) {
		reply_core(c, rc);
		return;
	}
	reply_json(c, 200, out);
	http_resp_header(c->resp, "Cache-Control", "no-cache");
}

void
h_rec_create(struct call *c)
{
	json_t *in = body_object(c), *out;
	char loc[96];
	int rc;

	if (in == NULL)
		return;
	rc = rec_create(&c->cx, c->entity, in, &out);
	json_decref(in);
	if (rc != CRM_OK) {
		reply_core(c, rc);
		return;
	}
	snprintf(loc, sizeof(loc), "/api/v1/%s/%lld", c->entity->name,
	    (long long)json_integer_value(json_object_get(out, "id")));
	etag_header(c, out);
	http_resp_header(c->resp, "Location", loc);
	reply_json(c, 201, out);
}

void
h_rec_get(struct call *c)
{
	json_t *out;
	int rc = rec_get(&c->cx, c->entity, c->id, false, &out);

	if (rc != CRM_OK) {
		reply_core(c, rc);
		return;
	}
	etag_header(c, out);
	reply_json(c, 200, out);
}

int64_t
if_match(struct call *c)
{
	const char *h = http_header(c->req, "If-Match");
	int64_t v = 0;
	size_t n;

	if (h == NULL || strcmp(h, "*") == 0)
		return -1;
	if (strncmp(h, "W/", 2) == 0)
		h += 2;
	n = strlen(h);
	if (n < 3 || n > 20 || h[0] != '"' || h[n - 1] != '"')
		return -2;
	for (size_t i = 1; i + 1 < n; i++) {
		if (h[i] < '0' || h[i] > '9')
			return -2;
		v = v * 10 + (h[i] - '0');
	}
	return v;
}

void
h_rec_update(struct call *c)
{
	int64_t version = if_match(c);
	json_t *in, *out;
	int rc;

	if (version == -2) {
		reply_problem(c, 412, NULL, "If-Match must be the ETag of the "
		    "record, like \"3\"");
		return;
	}
	in = body_object(c);
	if (in == NULL)
		return;
	rc = rec_update(&c->cx, c->entity, c->id, version, in, &out);
	json_decref(in);
	if (rc != CRM_OK) {
		reply_core(c, rc);
		return;
	}
	etag_header(c, out);
	reply_json(c, 200, out);
}

void
h_rec_delete(struct call *c)
{
	int rc = rec_delete(&c->cx, c->entity, c->id);

	if (rc != CRM_OK)
		reply_core(c, rc);
	else
		reply_empty(c, 204);
}

void
h_rec_restore(struct call *c)
{
	json_t *out;
	int rc = rec_restore(&c->cx, c->entity, c->id, &out);

	if (rc != CRM_OK) {
		reply_core(c, rc);
		return;
	}
	etag_header(c, out);
	reply_json(c, 200, out);
}
