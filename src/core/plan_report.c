/*
 * Plans on designer reports (plans.h, "report:<id>"): which saved reports
 * may be a plan's metric, and the actual of one for a period and a row.
 *
 * The actual is the report run with its own description narrowed, never
 * with SQL of ours: the description is copied and given two or three more
 * filters, then parsed and compiled like any other, so the actor's field
 * rules and read rights apply exactly as in the designer:
 *   - the period: the first filter of the description on a date or time
 *     field of the base entity itself is replaced by the period's days
 *     ([first day, day after the last), whole UTC days); without one, the
 *     period applies to the base entity's created_at;
 *   - the people: owner_id equal to the person; for a department the
 *     owner's department (join "owner", added when the report lacks it)
 *     in the department and those below it; nothing for the company.
 */
#include "core/plans.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/reports.h"
#include "util/timeutil.h"

int
plan_report_id(const char *metric, int64_t *id)
{
	const char *p;
	char *end;
	long long v;

	*id = 0;
	if (metric == NULL || strncmp(metric, "report:", 7) != 0)
		return -1;
	p = metric + 7;
	if (*p < '1' || *p > '9')
		return -1;
	v = strtoll(p, &end, 10);
	if (*end != '\0' || v < 1 || end - p > 15)
		return -1;
	*id = v;
	return 0;
}

/*
 * The parsed report id for the actor into *d, with *why saying what makes
 * it unfit as a metric (then CRM_EINVAL). Errors the parser adds for the
 * stored description are taken back: they belong to the report, not to
 * the caller's input.
 */
static int
load_def(struct core_ctx *cx, int64_t id, json_t **rep, struct report_def **d,
    char *why, size_t whylen)
{
	int nerr = cx->errs.n, rc;
	json_t *def;

	*d = NULL;
	*rep = NULL;
	rc = report_get(cx, id, rep);
	if (rc == CRM_ENOTFOUND) {
		snprintf(why, whylen, "names no report you may read");
		return CRM_EINVAL;
	}
	if (rc != CRM_OK)
		return rc;
	def = json_object_get(*rep, "definition");
	if (!json_is_object(def)) {
		snprintf(why, whylen, "report %lld is a ready report, not a "
		    "designer report", (long long)id);
		return CRM_EINVAL;
	}
	rc = report_def_parse(cx, def, "", d);
	cx->errs.n = nerr;
	if (rc != CRM_OK) {
		snprintf(why, whylen, "report %lld does not run for you",
		    (long long)id);
		return CRM_EINVAL;
	}
	if ((*d)->ngroups != 0 || (*d)->naggs != 1 ||
	    ((*d)->aggs[0].fn != FN_COUNT && (*d)->aggs[0].fn != FN_COUNT_DISTINCT &&
	    (*d)->aggs[0].fn != FN_SUM)) {
		snprintf(why, whylen, "report %lld is not a single number (one "
		    "count, count_distinct or sum, no group_by)", (long long)id);
		return CRM_EINVAL;
	}
	return CRM_OK;
}

int
plan_report_check(struct core_ctx *cx, int64_t id, char *why, size_t whylen)
{
	struct report_def *d;
	json_t *rep;
	int rc = load_def(cx, id, &rep, &d, why, whylen);

	report_def_free(d);
	json_decref(rep);
	return rc;
}

static json_t *
day_text(int64_t day)
{
	char s[16];
	int y, m, dd;

	time_civil_from_days(day, &y, &m, &dd);
	snprintf(s, sizeof(s), "%04d-%02d-%02d", y, m, dd);
	return json_string(s);
}

/* The description of d narrowed to the period and the row's people. */
static json_t *
narrowed(const struct report_def *d, const struct plan_people *who,
    int64_t from_day, int64_t to_day)
{
	json_t *desc = json_deep_copy(d->desc), *filters, *joins, *ids;
	const char *field = "created_at";
	int skip = -1;
	bool joined = false;
	size_t i;
	json_t *v;

	if (desc == NULL)
		return NULL;
	for (int k = 0; k < d->nfilters && skip < 0; k++)
		if (d->filters[k].f.join < 0 && !d->filters[k].f.custom &&
		    (d->filters[k].f.type == RT_DATE ||
		    d->filters[k].f.type == RT_TIME)) {
			skip = k;
			field = d->filters[k].f.name;
		}
	filters = json_array();
	json_array_foreach(json_object_get(desc, "filters"), i, v)
		if ((int)i != skip)
			json_array_append(filters, v);
	json_array_append_new(filters, json_pack("{s:s, s:s, s:o}", "field",
	    field, "op", "gte", "value", day_text(from_day)));
	json_array_append_new(filters, json_pack("{s:s, s:s, s:o}", "field",
	    field, "op", "lt", "value", day_text(to_day)));
	if (who->user_id > 0) {
		json_array_append_new(filters, json_pack("{s:s, s:s, s:I}", "field",
		    "owner_id", "op", "eq", "value", (json_int_t)who->user_id));
	} else if (who->ndepts > 0) {
		ids = json_array();
		for (int k = 0; k < who->ndepts; k++)
			json_array_append_new(ids, json_integer(who->depts[k]));
		json_array_append_new(filters, json_pack("{s:s, s:s, s:o}", "field",
		    "owner.department_id", "op", "in", "value", ids));
		joins = json_object_get(desc, "joins");
		json_array_foreach(joins, i, v)
			joined = joined || (json_is_string(v) &&
			    strcmp(json_string_value(v), "owner") == 0);
		if (!json_is_array(joins)) {
			joins = json_array();
			json_object_set_new(desc, "joins", joins);
		}
		if (!joined)
			json_array_append_new(joins, json_string("owner"));
	}
	json_object_set_new(desc, "filters", filters);
	return desc;
}

int
plan_report_actual(struct core_ctx *cx, int64_t id,
    const struct plan_people *who, int64_t from_day, int64_t to_day,
    int64_t now_ms, int64_t *actual)
{
	struct report_def *d = NULL, *nd = NULL;
	struct rd_env env = { NULL, now_ms, false, NULL };
	json_t *rep = NULL, *desc = NULL, *res = NULL, *v;
	char why[160];
	int nerr = cx->errs.n;
	int rc = load_def(cx, id, &rep, &d, why, sizeof(why));

	*actual = -1;
	if (rc == CRM_EINVAL)
		rc = CRM_OK;	/* unfit since it was planned: no actual */
	if (rc != CRM_OK || d == NULL)
		goto out;
	if (who->user_id == 0 && who->ndepts > RD_MAX_IN)
		goto out;	/* more departments than a filter holds */
	desc = narrowed(d, who, from_day, to_day);
	if (desc == NULL || report_def_parse(cx, desc, "", &nd) != CRM_OK) {
		cx->errs.n = nerr;
		goto out;	/* the narrowed report is too large to run */
	}
	rc = report_run(cx, nd, &env, &res);
	if (rc == CRM_EBADQUERY)
		rc = CRM_OK;	/* too large once narrowed: no actual */
	if (rc != CRM_OK || res == NULL)
		goto out;
	v = json_array_get(json_array_get(json_object_get(res, "rows"), 0), 0);
	*actual = json_is_integer(v) ? json_integer_value(v) : 0;
out:
	json_decref(res);
	report_def_free(nd);
	json_decref(desc);
	report_def_free(d);
	json_decref(rep);
	return rc;
}
