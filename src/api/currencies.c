/*
 * Currencies over HTTP: the built-in list, the base currency and the
 * exchange rates by date (core/currency.h says what they mean). Reading is
 * open to anyone signed in; every change is the core's to refuse to a
 * non-administrator and to audit. The CSV import takes the body as text
 * (text/csv), not JSON.
 */
#include <stdio.h>
#include <string.h>

#include "api/internal.h"
#include "core/currency.h"

#define QUERY_TEXT_MAX 100	/* bytes of one query parameter */

void
h_currencies_list(struct call *c)
{
	const struct currency *all;
	json_t *data = json_array();
	char base[4];
	size_t n;
	int rc;

	rc = currency_base_get(&c->cx, base);
	if (rc != CRM_OK) {
		json_decref(data);
		reply_core(c, rc);
		return;
	}
	all = currency_all(&n);
	for (size_t i = 0; i < n; i++)
		json_array_append_new(data, json_pack("{s:s, s:i, s:s, s:b}",
		    "code", all[i].code, "digits", all[i].digits, "name",
		    all[i].name, "base", strcmp(all[i].code, base) == 0));
	reply_json(c, 200, json_pack("{s:o, s:s}", "data", data, "base", base));
}

void
h_currency_base_get(struct call *c)
{
	json_t *out = NULL;
	int rc = currency_base_json(&c->cx, &out);

	if (rc != CRM_OK)
		reply_core(c, rc);
	else
		reply_json(c, 200, out);
}

void
h_currency_base_put(struct call *c)
{
	json_t *in, *code, *out = NULL;
	int rc;

	rc = core_admin_only(&c->cx, "change the base currency");
	if (rc != CRM_OK) {
		reply_core(c, rc);
		return;
	}
	in = body_object(c);
	if (in == NULL)
		return;
	code = json_object_get(in, "currency");
	if (!json_is_string(code)) {
		json_decref(in);
		verrs_add(&c->cx.errs, "currency", "is required: an ISO 4217 code "
		    "such as EUR");
		reply_core(c, core_invalid(&c->cx));
		return;
	}
	rc = currency_base_set(&c->cx, json_string_value(code));
	json_decref(in);
	if (rc == CRM_OK)
		rc = currency_base_json(&c->cx, &out);
	if (rc != CRM_OK)
		reply_core(c, rc);
	else
		reply_json(c, 200, out);
}

/* A query parameter, NULL when absent; false when empty or too long. */
static bool
query_text(struct call *c, const char *name, const char **out)
{
	*out = http_query(c->req, name);
	return *out == NULL || (**out != '\0' && strlen(*out) <= QUERY_TEXT_MAX);
}

void
h_currency_rates_list(struct call *c)
{
	struct rate_query q;
	const char *limit;
	json_t *out = NULL;
	int rc;

	memset(&q, 0, sizeof(q));
	if (!query_text(c, "currency", &q.currency) ||
	    !query_text(c, "from", &q.from) || !query_text(c, "to", &q.to) ||
	    !query_text(c, "cursor", &q.cursor) ||
	    !query_text(c, "limit", &limit)) {
		reply_problem(c, 400, NULL, "currency, from, to, cursor and limit: "
		    "1 to %d characters each when given", QUERY_TEXT_MAX);
		return;
	}
	if (limit != NULL) {
		int64_t v = 0;

		for (const char *p = limit; *p && v <= CURRENCY_LIST_MAX; p++)
			v = *p >= '0' && *p <= '9' ? v * 10 + (*p - '0') :
			    CURRENCY_LIST_MAX + 1;
		if (v < 1 || v > CURRENCY_LIST_MAX) {
			reply_problem(c, 400, NULL, "limit: a whole number from 1 to "
			    "%d", CURRENCY_LIST_MAX);
			return;
		}
		q.limit = (int)v;
	}
	rc = currency_rates_list(&c->cx, &q, &out);
	if (rc != CRM_OK)
		reply_core(c, rc);
	else
		reply_json(c, 200, out);
}

void
h_currency_rate_put(struct call *c)
{
	static const char *const names[] = { "currency", "date", "rate" };
	const char *v[3];
	json_t *in, *out = NULL;
	const char *key;
	json_t *val;
	int rc;

	rc = core_admin_only(&c->cx, "set exchange rates");
	if (rc != CRM_OK) {
		reply_core(c, rc);
		return;
	}
	in = body_object(c);
	if (in == NULL)
		return;
	for (int i = 0; i < 3; i++) {
		json_t *j = json_object_get(in, names[i]);

		v[i] = json_string_value(j);
		if (v[i] == NULL)
			verrs_add(&c->cx.errs, names[i], i == 2 ? "is required, as a "
			    "decimal string such as \"92.4512\" (not a JSON number, "
			    "which may be inexact)" : "is required, as text");
	}
	json_object_foreach(in, key, val) {
		if (strcmp(key, "currency") != 0 && strcmp(key, "date") != 0 &&
		    strcmp(key, "rate") != 0)
			verrs_add(&c->cx.errs, key, "is not a field of a rate");
	}
	if (c->cx.errs.n > 0) {
		json_decref(in);
		reply_core(c, core_invalid(&c->cx));
		return;
	}
	rc = currency_rate_set(&c->cx, v[0], v[1], v[2], &out);
	json_decref(in);
	if (rc != CRM_OK)
		reply_core(c, rc);
	else
		reply_json(c, 200, out);
}

void
h_currency_rate_delete(struct call *c)
{
	int rc = currency_rate_delete(&c->cx, c->id);

	if (rc != CRM_OK)
		reply_core(c, rc);
	else
		reply_empty(c, 204);
}

void
h_currency_rates_import(struct call *c)
{
	const char *ct = http_header(c->req, "Content-Type");
	json_t *out = NULL;
	int rc;

	rc = core_admin_only(&c->cx, "import exchange rates");
	if (rc != CRM_OK) {
		reply_core(c, rc);
		return;
	}
	if (ct == NULL || (strncmp(ct, "text/csv", 8) != 0 &&
	    strncmp(ct, "text/plain", 10) != 0)) {
		reply_problem(c, 415, NULL, "Send the rates as CSV text with "
		    "Content-Type: text/csv, one line currency,date,rate each");
		return;
	}
	rc = currency_rates_import(&c->cx, c->req->body, c->req->body_len, &out);
	if (rc != CRM_OK)
		reply_core(c, rc);
	else
		reply_json(c, 200, out);
}
