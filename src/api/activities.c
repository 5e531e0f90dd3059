/* What only activities have over HTTP: complete/reopen, my day, timelines. */
#include <stdlib.h>
#include <string.h>

#include "api/internal.h"
#include "core/activities.h"
#include "util/timeutil.h"

static void
set_status(struct call *c, const char *status)
{
	int64_t version = if_match(c);
	json_t *out = NULL;
	int rc;

	if (version == -2) {
		reply_problem(c, 412, NULL, "If-Match must be the ETag of the "
		    "activity, like \"3\"");
		return;
	}
	rc = activity_set_status(&c->cx, c->id, version, status, &out);
	if (rc == CRM_OK)
		etag_header(c, out);
	reply_result(c, rc, 200, out);
}

void
h_activity_complete(struct call *c)
{
	set_status(c, "done");
}

void
h_activity_reopen(struct call *c)
{
	set_status(c, "open");
}

/* Refuses a query parameter not in the space-padded list names. */
struct known_args {
	struct call	*c;
	const char	*names;
};

static int
known_arg(void *arg, const char *key, const char *value)
{
	struct known_args *a = arg;
	char pad[40];

	(void)value;
	if ((size_t)snprintf(pad, sizeof(pad), " %s ", key) < sizeof(pad) &&
	    strstr(a->names, pad) != NULL)
		return 0;
	reply_problem(a->c, 400, NULL, "%.64s: not a parameter of this route "
	    "(%s)", key, a->names);
	return -1;
}

static int
only_args(struct call *c, const char *names)
{
	struct known_args a = { c, names };

	return http_query_each(c->req, known_arg, &a);
}

/* An optional positive id parameter; -1 when bad (answered). */
static int
id_arg(struct call *c, const char *name, int64_t *out)
{
	const char *s = http_query(c->req, name);
	char *end;

	*out = 0;
	if (s == NULL)
		return 0;
	*out = strtoll(s, &end, 10);
	if (*s == '\0' || *end != '\0' || *out <= 0) {
		reply_problem(c, 400, NULL, "%s: must be an id", name);
		return -1;
	}
	return 0;
}

void
h_activity_my_day(struct call *c)
{
	json_t *out = NULL;
	int64_t user = 0;
	int rc;

	if (only_args(c, " tz user_id limit ") != 0 ||
	    id_arg(c, "user_id", &user) != 0)
		return;
	rc = activity_my_day(&c->cx, user, http_query(c->req, "tz"),
	    http_query(c->req, "limit"), time_now_ms(), &out);
	reply_result(c, rc, 200, out);
}

void
h_timeline(struct call *c)
{
	struct timeline_query tq;
	json_t *out = NULL;
	int rc;

	memset(&tq, 0, sizeof(tq));
	if (only_args(c, " kind type user_id cursor limit ") != 0 ||
	    id_arg(c, "user_id", &tq.user_id) != 0)
		return;
	tq.kind = http_query(c->req, "kind");
	tq.type = http_query(c->req, "type");
	tq.cursor = http_query(c->req, "cursor");
	tq.limit = http_query(c->req, "limit");
	rc = activity_timeline(&c->cx, c->entity, c->id, &tq, &out);
	reply_result(c, rc, 200, out);
}
