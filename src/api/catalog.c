/*
 * The product catalog over HTTP: units, products, price lists and the
 * quote of deal lines. The rules are in core/catalog.c; reading is open to
 * anyone signed in, changes are the core's to refuse to non-admins.
 */
#include <string.h>

#include "api/internal.h"
#include "core/catalog.h"

/* The read handlers without parameters share one shape. */
static void
reply_read(struct call *c, int (*fn)(struct core_ctx *, json_t **))
{
	json_t *out = NULL;
	int rc = fn(&c->cx, &out);

	reply_result(c, rc, 200, out);
}

static void
reply_get(struct call *c, int (*fn)(struct core_ctx *, int64_t, json_t **))
{
	json_t *out = NULL;
	int rc = fn(&c->cx, c->id, &out);

	reply_result(c, rc, 200, out);
}

void
h_unit_list(struct call *c)
{
	reply_read(c, catalog_unit_list);
}

void
h_unit_create(struct call *c)
{
	call_with_body(c, catalog_unit_create, 201);
}

void
h_unit_update(struct call *c)
{
	call_with_id_body(c, catalog_unit_update);
}

void
h_unit_delete(struct call *c)
{
	reply_result(c, catalog_unit_delete(&c->cx, c->id), 204, NULL);
}

void
h_product_list(struct call *c)
{
	struct product_query q;
	const char *limit = http_query(c->req, "limit");
	const char *active = http_query(c->req, "active");
	json_t *out = NULL;
	int rc;

	memset(&q, 0, sizeof(q));
	q.q = http_query(c->req, "q");
	q.cursor = http_query(c->req, "cursor");
	if (limit != NULL) {
		int v = 0;

		for (const char *p = limit; *p != '\0' && v <= CATALOG_PAGE_MAX; p++)
			v = *p >= '0' && *p <= '9' ? v * 10 + (*p - '0') :
			    CATALOG_PAGE_MAX + 1;
		/* 0 and overlong values fall outside 1..max: the core says so. */
		q.limit = v == 0 ? -1 : v;
	}
	if (active != NULL && strcmp(active, "true") != 0 &&
	    strcmp(active, "false") != 0) {
		reply_problem(c, 400, NULL, "active: true or false");
		return;
	}
	q.active_only = active != NULL && strcmp(active, "true") == 0;
	rc = catalog_product_list(&c->cx, &q, &out);
	reply_result(c, rc, 200, out);
}

void
h_product_get(struct call *c)
{
	reply_get(c, catalog_product_get);
}

void
h_product_create(struct call *c)
{
	call_with_body(c, catalog_product_create, 201);
}

void
h_product_update(struct call *c)
{
	call_with_id_body(c, catalog_product_update);
}

void
h_product_delete(struct call *c)
{
	reply_result(c, catalog_product_delete(&c->cx, c->id), 204, NULL);
}

void
h_pricelist_list(struct call *c)
{
	reply_read(c, catalog_pricelist_list);
}

void
h_pricelist_get(struct call *c)
{
	reply_get(c, catalog_pricelist_get);
}

void
h_pricelist_create(struct call *c)
{
	call_with_body(c, catalog_pricelist_create, 201);
}

void
h_pricelist_update(struct call *c)
{
	call_with_id_body(c, catalog_pricelist_update);
}

void
h_pricelist_delete(struct call *c)
{
	reply_result(c, catalog_pricelist_delete(&c->cx, c->id), 204, NULL);
}

void
h_line_quote(struct call *c)
{
	call_with_body(c, catalog_quote, 200);
}
