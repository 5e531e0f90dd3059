/*
 * The audit log over HTTP: the administrator's screen with filters, its
 * CSV export and a record's history. Who may read what is decided in
 * core/audit.c, which also records every export; the CSV is rendered here.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/internal.h"
#include "core/audit.h"
#include "util/buf.h"
#include "util/csv.h"
#include "util/timeutil.h"

#define CSV_MAX_BYTES (64 * 1024 * 1024)	/* one export's body */

/* A positive id parameter, 0 when absent; -1 when malformed. */
static int64_t
id_param(struct call *c, const char *name)
{
	const char *s = http_query(c->req, name);
	int64_t v = 0;

	if (s == NULL)
		return 0;
	if (*s == '\0' || strlen(s) > 18)
		return -1;
	for (const char *p = s; *p; p++) {
		if (*p < '0' || *p > '9')
			return -1;
		v = v * 10 + (*p - '0');
	}
	return v > 0 ? v : -1;
}

/* A date (its midnight, UTC) or an RFC 3339 time; 0 when absent, -1 bad. */
static int64_t
time_param(struct call *c, const char *name)
{
	const char *s = http_query(c->req, name);
	int64_t v;

	if (s == NULL)
		return 0;
	if (time_parse_date(s, strlen(s), &v) == 0)
		return v * 86400000LL;
	if (time_parse_datetime(s, strlen(s), &v) == 0)
		return v;
	return -1;
}

static bool
text_param(struct call *c, const char *name, const char **out)
{
	*out = http_query(c->req, name);
	return *out == NULL || (strlen(*out) > 0 && strlen(*out) <= 100);
}

/* Fills q from the query string; replies 400 and returns false when bad. */
static bool
parse_query(struct call *c, struct audit_query *q)
{
	const char *limit = http_query(c->req, "limit");
	const char *bad = NULL;

	memset(q, 0, sizeof(*q));
	q->limit = 50;
	if (limit != NULL) {
		int64_t v = 0;

		for (const char *p = limit; *p && v <= 500; p++)
			v = *p >= '0' && *p <= '9' ? v * 10 + (*p - '0') : 1000;
		q->limit = *limit && v >= 1 && v <= 500 ? (int)v : 0;
		if (q->limit == 0)
			bad = "limit: a whole number from 1 to 500";
	}
	if ((q->actor_id = id_param(c, "actor_id")) < 0)
		bad = "actor_id: a user id";
	if ((q->before_id = id_param(c, "cursor")) < 0)
		bad = "cursor: not one this server gave out";
	if ((q->from_ms = time_param(c, "from")) < 0)
		bad = "from: a date (2026-11-26) or a time (2026-11-26T09:00:00Z)";
	if ((q->to_ms = time_param(c, "to")) < 0)
		bad = "to: a date (2026-11-26) or a time (2026-11-26T09:00:00Z)";
	if (!text_param(c, "action", &q->action) ||
	    !text_param(c, "entity", &q->entity) ||
	    !text_param(c, "address", &q->address))
		bad = "action, entity and address: 1 to 100 characters";
	if (bad != NULL) {
		reply_problem(c, 400, NULL, "%s", bad);
		return false;
	}
	return true;
}

void
h_audit_list(struct call *c)
{
	struct audit_query q;
	json_t *out = NULL;
	int rc;

	if (!parse_query(c, &q))
		return;
	if ((q.record_id = id_param(c, "record_id")) < 0) {
		reply_problem(c, 400, NULL, "record_id: a record id");
		return;
	}
	rc = audit_list(&c->cx, &q, &out);
	if (rc != CRM_OK)
		reply_core(c, rc);
	else
		reply_json(c, 200, out);
}

void
h_rec_history(struct call *c)
{
	struct audit_query q;
	json_t *out = NULL;
	int rc;

	if (!parse_query(c, &q))
		return;
	rc = audit_history(&c->cx, c->entity, c->id, &q, &out);
	if (rc != CRM_OK)
		reply_core(c, rc);
	else
		reply_json(c, 200, out);
}

void
h_audit_verify(struct call *c)
{
	json_t *out = NULL;
	int rc = audit_verify(&c->cx, c->app->audit_key, &out);
	if (rc != CRM_OK)
		reply_core(c, rc);
	else
		reply_json(c, 200, out);
}

/* ---- the CSV export ---- */

/* A text cell after a separator. */
static int
csv_text(struct buf *b, const char *s)
{
	return buf_putc(b, ',') != 0 || csv_cell(b, s) != 0 ? -1 : 0;
}

static int
csv_int(struct buf *b, int64_t v)
{
	return v != 0 ? buf_printf(b, ",%lld", (long long)v) : buf_putc(b, ',');
}

struct export {
	struct call	*c;
	struct buf	 out;
};

static int
export_row(void *arg, const struct audit_row *r)
{
	struct export *x = arg;
	char ts[TIME_RFC3339_LEN];
	int rc;

	time_format(r->at, ts, sizeof(ts));
	rc = buf_printf(&x->out, "%lld", (long long)r->id);
	rc |= csv_text(&x->out, ts);
	rc |= csv_text(&x->out, r->actor_email);
	rc |= csv_text(&x->out, r->action);
	rc |= csv_text(&x->out, r->entity);
	rc |= csv_int(&x->out, r->record_id);
	rc |= csv_text(&x->out, r->address);
	rc |= csv_text(&x->out, r->agent);
	rc |= csv_text(&x->out, r->detail);
	rc |= buf_puts(&x->out, "\r\n");
	if (rc != 0)
		return core_fail(&x->c->cx, CRM_EBADQUERY, "The export would be "
		    "larger than %d MiB: narrow it to a shorter period, one "
		    "person or one action", CSV_MAX_BYTES / (1024 * 1024));
	return CRM_OK;
}

void
h_audit_export(struct call *c)
{
	struct audit_query q;
	struct export x;
	char ts[TIME_RFC3339_LEN], name[64], disp[96];
	int64_t rows = 0;
	bool truncated = false;
	size_t k = 0;
	int rc;

	if (!parse_query(c, &q))
		return;
	if ((q.record_id = id_param(c, "record_id")) < 0) {
		reply_problem(c, 400, NULL, "record_id: a record id");
		return;
	}
	x.c = c;
	buf_init(&x.out, CSV_MAX_BYTES);
	if (buf_puts(&x.out, "id,at,actor_email,action,entity,record_id,address,"
	    "agent,detail\r\n") != 0) {
		buf_free(&x.out);
		reply_problem(c, 500, NULL, "The export could not be started");
		return;
	}
	rc = audit_export(&c->cx, &q, export_row, &x, &rows, &truncated);
	if (rc != CRM_OK) {
		buf_free(&x.out);
		reply_core(c, rc);
		return;
	}
	/* crm-audit-20261126T204925Z.csv, from the time of the export. */
	time_format(time_now_ms(), ts, sizeof(ts));
	for (const char *p = ts; *p != '\0' && *p != '.' && k + 1 < sizeof(name);
	    p++)
		if (*p != '-' && *p != ':')
			name[k++] = *p;
	name[k] = '\0';
	if ((size_t)snprintf(disp, sizeof(disp), "attachment; filename=\""
	    "crm-audit-%sZ.csv\"", name) >= sizeof(disp)) {
		buf_free(&x.out);
		reply_problem(c, 500, NULL, "The export could not be named");
		return;
	}
	c->resp->status = 200;
	c->resp->content_type = "text/csv; charset=utf-8";
	c->resp->len = x.out.len;
	c->resp->body = buf_steal(&x.out);
	http_resp_header(c->resp, "Content-Disposition", disp);
	http_resp_header(c->resp, "Cache-Control", "no-store");
	snprintf(name, sizeof(name), "%lld", (long long)rows);
	http_resp_header(c->resp, "X-Export-Rows", name);
	if (truncated)
		http_resp_header(c->resp, "X-Export-Truncated", "true");
}
