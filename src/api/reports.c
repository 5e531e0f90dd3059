/* Reports over HTTP; the counting is in the core (core/funnel.c). */
#include "api/internal.h"
#include "core/funnel.h"

void
h_report_funnel(struct call *c)
{
	struct list_query lq;
	json_t *out = NULL;
	int rc;

	/* The list's parser: filters pass through, the core refuses the rest. */
	if (call_list_query(c, &lq) != 0)
		return;
	rc = funnel_report(&c->cx, &lq, &out);
	reply_result(c, rc, 200, out);
}
