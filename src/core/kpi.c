/*
 * KPI scoring (see kpi.h): the rules, the weighted total and the checking
 * of a scorecard's lines, all pure, so tests/unit/test_kpi.c drives them
 * with numbers alone. The SQL that gathers actuals is in kpi_results.c.
 *
 * Arithmetic is int64 throughout: targets are capped at 10^14 so that a
 * remainder times 10000 still fits, and a ratio is split into its whole
 * part and its remainder before scaling, so a huge actual cannot overflow.
 */
#include "core/kpi.h"

#include <stdio.h>
#include <string.h>

#include "core/plans.h"

const char *const kpi_metrics[] = { "revenue_won", "deals_won",
	"avg_deal_size", "new_clients", "calls", "meetings", "tasks_done",
	"data_completeness", "activities_logged", "tasks_on_time",
	"steps_on_time", "overdue_tasks", NULL };

static const char *const rules[] = { "linear", "threshold", "inverse", NULL };
static const char *const line_keys[] = { "metric", "target", "weight", "rule",
	"cap", "worst", "bands", NULL };

int
kpi_metric_index(const char *name)
{
	for (int i = 0; name != NULL && kpi_metrics[i] != NULL; i++)
		if (strcmp(kpi_metrics[i], name) == 0)
			return i;
	return -1;
}

bool
kpi_metric_is_share(int metric)
{
	const char *m = metric >= 0 ? kpi_metrics[metric] : "";

	return strcmp(m, "data_completeness") == 0 ||
	    strcmp(m, "tasks_on_time") == 0 || strcmp(m, "steps_on_time") == 0;
}

/* actual / target in basis points, at most limit (target > 0). */
static int64_t
ratio_bp(int64_t actual, int64_t target, int64_t limit)
{
	int64_t whole = actual / target, rest = actual % target, bp;

	if (whole >= limit / KPI_FULL_BP + 1)
		return limit;
	bp = whole * KPI_FULL_BP + rest * KPI_FULL_BP / target;
	return bp < limit ? bp : limit;
}

int64_t
kpi_line_score(const struct kpi_line *l, int64_t actual)
{
	int64_t s = 0;

	if (actual < 0)
		return -1;
	switch (l->rule) {
	case KPI_LINEAR:
		/* A zero target is met by anything; nothing to exceed it by. */
		if (l->target == 0)
			return KPI_FULL_BP;
		return ratio_bp(actual, l->target, l->cap * 100);
	case KPI_THRESHOLD:
		if (l->nbands == 0)
			return actual >= l->target ? KPI_FULL_BP : 0;
		for (int i = 0; i < l->nbands; i++)
			if (actual >= l->bands[i].min)
				s = l->bands[i].score * 100;
		return s;
	case KPI_INVERSE:
		if (actual <= l->target)
			return KPI_FULL_BP;
		if (actual >= l->worst)
			return 0;
		return (l->worst - actual) * KPI_FULL_BP / (l->worst - l->target);
	}
	return 0;
}

int64_t
kpi_total(const struct kpi_line *lines, int n, const int64_t *actual,
    int64_t *score, int64_t *contribution)
{
	int64_t weights = 0, sum = 0;

	for (int i = 0; i < n; i++) {
		score[i] = kpi_line_score(&lines[i], actual[i]);
		if (score[i] >= 0)
			weights += lines[i].weight;
	}
	for (int i = 0; i < n; i++) {
		contribution[i] = 0;
		if (score[i] < 0 || weights == 0)
			continue;
		contribution[i] = score[i] * lines[i].weight / weights;
		sum += score[i] * lines[i].weight;
	}
	/* From the exact sum: the rounded contributions may add up 1 bp short. */
	return weights > 0 ? sum / weights : -1;
}

void
kpi_only_keys(json_t *o, const char *const *names, const char *prefix,
    struct verrs *errs)
{
	const char *key;
	json_t *v;

	json_object_foreach(o, key, v) {
		bool known = false;
		char f[96];

		for (size_t i = 0; names[i] != NULL && !known; i++)
			known = strcmp(key, names[i]) == 0;
		snprintf(f, sizeof(f), "%s%s", prefix, key);
		if (!known)
			verrs_add(errs, f, "is not a field here");
	}
}

/* An integer member in [lo, hi] into *v; absent: def (or an error if < 0). */
static void
int_member(json_t *o, const char *key, int64_t lo, int64_t hi, int64_t def,
    int64_t *v, const char *field, struct verrs *errs)
{
	json_t *x = json_object_get(o, key);

	*v = def;
	if ((x == NULL || json_is_null(x)) && def >= 0)
		return;
	if (!json_is_integer(x) || json_integer_value(x) < lo ||
	    json_integer_value(x) > hi) {
		verrs_add(errs, field, "must be a whole number from %lld to %lld",
		    (long long)lo, (long long)hi);
		return;
	}
	*v = json_integer_value(x);
}

static void
parse_bands(json_t *bands, struct kpi_line *l, size_t i, struct verrs *errs)
{
	char f[64];
	json_t *b;
	size_t k;

	l->nbands = 0;
	if (bands == NULL || json_is_null(bands))
		return;
	snprintf(f, sizeof(f), "lines[%zu].bands", i);
	if (!json_is_array(bands) || json_array_size(bands) > KPI_BANDS_MAX) {
		verrs_add(errs, f, "must be a list of up to %d bands {min, score}",
		    KPI_BANDS_MAX);
		return;
	}
	json_array_foreach(bands, k, b) {
		static const char *const keys[] = { "min", "score", NULL };
		struct kpi_band *d = &l->bands[k];

		snprintf(f, sizeof(f), "lines[%zu].bands[%zu].", i, k);
		kpi_only_keys(b, keys, f, errs);

		snprintf(f, sizeof(f), "lines[%zu].bands[%zu].min", i, k);
		int_member(b, "min", 0, KPI_TARGET_MAX, -1, &d->min, f, errs);
		if (k > 0 && d->min <= l->bands[k - 1].min)
			verrs_add(errs, f, "must be above the band before");
		snprintf(f, sizeof(f), "lines[%zu].bands[%zu].score", i, k);
		int_member(b, "score", 0, KPI_BAND_SCORE_MAX, -1, &d->score, f,
		    errs);
		l->nbands++;
	}
}

/* Checks line i into *l. */
static void
parse_line(json_t *v, size_t i, struct kpi_line *l, struct verrs *errs)
{
	const char *rule = json_string_value(json_object_get(v, "rule"));
	char f[48];

	memset(l, 0, sizeof(*l));
	snprintf(f, sizeof(f), "lines[%zu]", i);
	if (!json_is_object(v)) {
		verrs_add(errs, f, "must be an object {metric, target, weight, "
		    "rule}");
		return;
	}
	snprintf(f, sizeof(f), "lines[%zu].", i);
	kpi_only_keys(v, line_keys, f, errs);
	l->metric = kpi_metric_index(json_string_value(json_object_get(v,
	    "metric")));
	snprintf(f, sizeof(f), "lines[%zu].metric", i);
	if (l->metric < 0)
		verrs_add(errs, f, "is not a KPI metric");
	snprintf(f, sizeof(f), "lines[%zu].target", i);
	int_member(v, "target", 0, KPI_TARGET_MAX, -1, &l->target, f, errs);
	snprintf(f, sizeof(f), "lines[%zu].weight", i);
	int_member(v, "weight", 1, KPI_WEIGHT_MAX, -1, &l->weight, f, errs);
	l->rule = KPI_LINEAR;
	snprintf(f, sizeof(f), "lines[%zu].rule", i);
	for (int k = 0; rule != NULL && rules[k] != NULL; k++)
		if (strcmp(rule, rules[k]) == 0)
			l->rule = (enum kpi_rule)k;
	if (rule == NULL || strcmp(rule, rules[l->rule]) != 0) {
		verrs_add(errs, f, "must be linear, threshold or inverse");
		return;
	}
	snprintf(f, sizeof(f), "lines[%zu].cap", i);
	if (l->rule == KPI_LINEAR)
		int_member(v, "cap", 100, KPI_CAP_MAX, 100, &l->cap, f, errs);
	snprintf(f, sizeof(f), "lines[%zu].worst", i);
	if (l->rule == KPI_INVERSE) {
		int_member(v, "worst", 1, KPI_TARGET_MAX, -1, &l->worst, f, errs);
		if (l->worst > 0 && l->worst <= l->target)
			verrs_add(errs, f, "must be above the target");
	}
	if (l->rule == KPI_THRESHOLD)
		parse_bands(json_object_get(v, "bands"), l, i, errs);
}

void
kpi_lines_parse(json_t *lines, struct kpi_line *l, int *n, struct verrs *errs)
{
	json_t *v;
	size_t i;

	*n = 0;
	if (!json_is_array(lines) || json_array_size(lines) == 0 ||
	    json_array_size(lines) > KPI_LINES_MAX) {
		verrs_add(errs, "lines", "must be a list of 1 to %d lines",
		    KPI_LINES_MAX);
		return;
	}
	json_array_foreach(lines, i, v)
		parse_line(v, i, &l[i], errs);
	*n = (int)json_array_size(lines);
}

json_t *
kpi_line_json(const struct kpi_line *l)
{
	json_t *j = json_pack("{s:s, s:I, s:I, s:s}", "metric",
	    kpi_metrics[l->metric], "target", (json_int_t)l->target, "weight",
	    (json_int_t)l->weight, "rule", rules[l->rule]);

	if (l->rule == KPI_LINEAR)
		json_object_set_new(j, "cap", json_integer((json_int_t)l->cap));
	if (l->rule == KPI_INVERSE)
		json_object_set_new(j, "worst", json_integer((json_int_t)l->worst));
	if (l->rule == KPI_THRESHOLD) {
		json_t *b = json_array();

		for (int i = 0; i < l->nbands; i++)
			json_array_append_new(b, json_pack("{s:I, s:I}", "min",
			    (json_int_t)l->bands[i].min, "score",
			    (json_int_t)l->bands[i].score));
		json_object_set_new(j, "bands", b);
	}
	return j;
}

bool
kpi_period_of_kind(const char *kind, const char *period, int64_t *from,
    int64_t *to)
{
	size_t n = period != NULL ? strlen(period) : 0;

	if (kind == NULL || plan_period_parse(period, from, to) != 0)
		return false;
	if (strcmp(kind, "year") == 0)
		return n == 4;
	if (strcmp(kind, "quarter") == 0)
		return n == 7 && period[5] == 'Q';
	return strcmp(kind, "month") == 0 && n == 7 && period[5] != 'Q';
}
