/*
 * The knowledge base over HTTP: reading articles (as the actor may) and
 * their quizzes. Categories and the writes of articles are the desk's admin
 * handlers (api/tickets.c).
 */
#include <stdlib.h>
#include <string.h>

#include "api/internal.h"
#include "core/kb.h"

static int
list_arg(void *arg, const char *key, const char *value)
{
	struct call *c = arg;

	(void)value;
	if (strcmp(key, "q") == 0 || strcmp(key, "category_id") == 0)
		return 0;
	reply_problem(c, 400, NULL, "%.64s: not a parameter of this list "
	    "(q, category_id)", key);
	return -1;
}

void
h_kb_list(struct call *c)
{
	const char *cat = http_query(c->req, "category_id");
	json_t *out = NULL;
	int64_t category = 0;
	char *end = NULL;
	int rc;

	if (http_query_each(c->req, list_arg, c) != 0)
		return;
	if (cat != NULL) {
		category = strtoll(cat, &end, 10);
		if (*cat == '\0' || *end != '\0' || category <= 0) {
			reply_problem(c, 400, NULL, "category_id: must be an id");
			return;
		}
	}
	rc = kb_article_list(&c->cx, http_query(c->req, "q"), category, &out);
	reply_result(c, rc, 200, out);
}

void
h_kb_get(struct call *c)
{
	json_t *out = NULL;
	int rc = kb_article_get(&c->cx, c->id, &out);

	reply_result(c, rc, 200, out);
}

void
h_kb_quiz(struct call *c)
{
	json_t *in = body_object(c), *out = NULL;
	int rc;

	if (in == NULL)
		return;
	rc = kb_quiz_submit(&c->cx, c->id, in, &out);
	json_decref(in);
	reply_result(c, rc, 201, out);
}

void
h_kb_results(struct call *c)
{
	json_t *out = NULL;
	int rc = kb_quiz_results(&c->cx, c->id, &out);

	reply_result(c, rc, 200, out);
}
