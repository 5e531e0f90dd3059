/*
 * One search box over companies, contacts and deals: the top bar of the UI.
 * Word starts rank before matches inside words; within each, newest first.
 */
#ifndef CORE_SEARCH_H
#define CORE_SEARCH_H

#include <jansson.h>

#include "core/core.h"

/*
 * *out = {"data": [{"type": "company"|"contact", "id", "title",
 * "subtitle"}]}, at most limit (1..50) entries. CRM_EBADQUERY on a bad q.
 */
int search_all(struct core_ctx *cx, const char *q, int limit, json_t **out);

#endif
