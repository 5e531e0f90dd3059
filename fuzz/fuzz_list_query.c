/*
 * List parameters: the filter and sort syntax, search words, limits and
 * cursors, as GET /api/v1/{companies,contacts,deals} and the deal board
 * receive them after
 * libmicrohttpd has split and decoded the query string.
 *
 * The bytes read as a query string without percent-decoding: pairs split
 * on '&' (or NUL or newline), key and value on the first '='. q, sort,
 * cursor, limit and deleted fill their members of struct list_query (the
 * way api/records.c list_arg() does), every other key is a filter. Then
 * rec_list runs on every entity, follows next_cursor once when there is
 * one, the deal board takes the same filters, and search_all runs with the
 * whole input as q.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "core/deals.h"
#include "core/record.h"
#include "core/search.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static db_t *db;
static struct actor admin;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	db = fz_open(":memory:", &admin);
	fz_seed(db, &admin);
	return 0;
}

static void
parse_pairs(char *s, size_t size, struct list_query *lq)
{
	size_t i = 0;

	memset(lq, 0, sizeof(*lq));
	while (i < size) {
		char *key = s + i, *eq, *value;
		size_t n = 0;

		while (i + n < size && s[i + n] != '&' && s[i + n] != '\n' &&
		    s[i + n] != '\0')
			n++;
		s[i + n] = '\0';	/* s has a terminator at s[size] */
		i += n + 1;
		eq = strchr(key, '=');
		value = "";
		if (eq != NULL) {
			*eq = '\0';
			value = eq + 1;
		}
		if (strcmp(key, "q") == 0)
			lq->q = value;
		else if (strcmp(key, "sort") == 0)
			lq->sort = value;
		else if (strcmp(key, "cursor") == 0)
			lq->cursor = value;
		else if (strcmp(key, "limit") == 0)
			lq->limit = value;
		else if (strcmp(key, "deleted") == 0)
			lq->deleted = strcmp(value, "true") == 0;
		else if (lq->nfilters < LIST_MAX_FILTERS) {
			lq->filters[lq->nfilters].key = key;
			lq->filters[lq->nfilters].value = value;
			lq->nfilters++;
		}
	}
}

static void
list(const struct entity *e, struct list_query *lq)
{
	struct core_ctx cx;
	json_t *out = NULL, *next, *out2 = NULL;

	core_ctx_init(&cx, db, &admin);
	if (rec_list(&cx, e, lq, &out) != CRM_OK)
		return;
	next = json_object_get(out, "next_cursor");
	if (json_is_string(next)) {
		struct list_query again = *lq;

		again.cursor = json_string_value(next);
		core_ctx_init(&cx, db, &admin);
		if (rec_list(&cx, e, &again, &out2) == CRM_OK)
			json_decref(out2);
	}
	json_decref(out);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct list_query lq;
	struct core_ctx cx;
	json_t *out = NULL;
	char *whole = fz_strndup(data, size), *pairs = fz_strndup(data, size);

	parse_pairs(pairs, size, &lq);
	list(&entity_companies, &lq);
	list(&entity_contacts, &lq);
	list(&entity_deals, &lq);
	core_ctx_init(&cx, db, &admin);
	if (deal_board(&cx, &lq, &out) == CRM_OK)
		json_decref(out);
	out = NULL;
	core_ctx_init(&cx, db, &admin);
	if (search_all(&cx, whole, 1 + (int)(size % 50), &out) == CRM_OK)
		json_decref(out);
	free(pairs);
	free(whole);
	return 0;
}
