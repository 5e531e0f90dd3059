/* The search box. */
#include <string.h>

#include "api/internal.h"
#include "core/search.h"

void
h_search(struct call *c)
{
	const char *q = http_query(c->req, "q");
	const char *l = http_query(c->req, "limit");
	int limit = 20;
	json_t *out;
	int rc;

	if (l != NULL) {
		limit = 0;
		for (const char *p = l; *p; p++) {
			if (*p < '0' || *p > '9' || limit > 50) {
				limit = 0;
				break;
			}
			limit = limit * 10 + (*p - '0');
		}
		if (limit < 1 || limit > 50) {
			reply_problem(c, 400, NULL, "limit: must be 1 to 50");
			return;
		}
	}
	rc = search_all(&c->cx, q ? q : "", limit, &out);
	if (rc != CRM_OK)
		reply_core(c, rc);
	else
		reply_json(c, 200, out);
}
