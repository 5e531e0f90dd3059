/* What only deals have over HTTP: moves, stage history, the board. */
#include "api/internal.h"
#include "core/deals.h"

void
h_deal_move(struct call *c)
{
	int64_t version = if_match(c);
	json_t *in, *out = NULL;
	int rc;

	if (version == -2) {
		reply_problem(c, 412, NULL, "If-Match must be the ETag of the "
		    "deal, like \"3\"");
		return;
	}
	in = body_object(c);
	if (in == NULL)
		return;
	rc = deal_move(&c->cx, c->id, version, in, &out);
	json_decref(in);
	if (rc == CRM_OK)
		etag_header(c, out);
	reply_result(c, rc, 200, out);
}

void
h_deal_stages(struct call *c)
{
	json_t *out = NULL;
	int rc = deal_history(&c->cx, c->id, &out);

	reply_result(c, rc, 200, out);
}

void
h_deal_board(struct call *c)
{
	struct list_query lq;
	json_t *out = NULL;
	int rc;

	if (call_list_query(c, &lq) != 0)
		return;
	rc = deal_board(&c->cx, &lq, &out);
	reply_result(c, rc, 200, out);
}

void
h_deal_items(struct call *c)
{
	json_t *out = NULL;
	int rc = deal_items_get(&c->cx, c->id, &out);

	reply_result(c, rc, 200, out);
}
