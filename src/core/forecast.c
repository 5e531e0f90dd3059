/*
 * The revenue forecast (core/forecast.h has the method it keeps).
 *
 * Two grouped queries read the database, both over the deals the actor may
 * read and the filters (rec_where, so the forecast can never count what
 * the deal list would not show):
 *   1. won revenue per month (closed_at, UTC) over the FORECAST_HISTORY
 *      months before the current one and the current one so far;
 *   2. open deals per expected close month: the probability-weighted sum,
 *      the count, and the count without amount_base.
 * Everything else is the pure arithmetic of the fc_ functions on those few
 * rows, in months numbered year * 12 + month - 1.
 */
#include "core/forecast.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/access.h"
#include "core/currency.h"
#include "core/money.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/timeutil.h"

#define DAY_MS 86400000LL
#define BP 10000

/* ---- the method ---- */

int
fc_data_start(const int64_t *a, int n)
{
	for (int i = 0; i < n; i++)
		if (a[i] > 0)
			return i;
	return n;
}

/* a / b rounded; 0 when it does not fit (never with the sums here). */
static int64_t
div_round(__int128 a, __int128 b)
{
	int64_t v = 0;

	if (b == 0 || money_div_round(a, b, &v) != 0)
		return 0;
	return v;
}

int64_t
fc_trend_bp(const struct fc_series *s, int o, bool *from_data)
{
	__int128 recent = 0, before = 0;
	int64_t r;

	*from_data = false;
	if (o > s->n || o - 24 < s->start || o - 24 < 0)
		return BP;
	for (int i = o - 12; i < o; i++)
		recent += s->a[i];
	for (int i = o - 24; i < o - 12; i++)
		before += s->a[i];
	if (before <= 0)
		return BP;
	*from_data = true;
	r = div_round(recent * BP, before);
	if (r < FORECAST_TREND_MIN_BP)
		r = FORECAST_TREND_MIN_BP;
	if (r > FORECAST_TREND_MAX_BP)
		r = FORECAST_TREND_MAX_BP;
	return r;
}

int
fc_history(const struct fc_series *s, int o, int t, int64_t *value,
    int64_t *low, int64_t *high, int *years)
{
	bool data;
	int64_t r = fc_trend_bp(s, o, &data);
	__int128 sum = 0;

	*value = *low = *high = 0;
	*years = 0;
	for (int k = 1; k <= FORECAST_YEARS; k++) {
		int m = t - 12 * k;
		int64_t term;

		if (m < s->start || m < 0 || m >= o || m >= s->n)
			continue;
		/* Year k scaled forward k times by the trend, rounding each step. */
		term = s->a[m];
		for (int j = 0; j < k; j++)
			term = div_round((__int128)term * r, BP);
		sum += term;
		if (*years == 0 || term < *low)
			*low = term;
		if (*years == 0 || term > *high)
			*high = term;
		(*years)++;
	}
	if (*years == 0) {
		*low = *high = 0;
		return -1;
	}
	*value = div_round(sum, *years);
	return 0;
}

int64_t
fc_backtest(const struct fc_series *s, int from, int64_t *forecast,
    int64_t *error_bp)
{
	__int128 sum = 0;
	int n = 0;

	for (int p = from; p < s->n; p++) {
		int64_t v, lo, hi;
		int years;

		forecast[p - from] = -1;
		error_bp[p - from] = -1;
		if (p < 0 || fc_history(s, p, p, &v, &lo, &hi, &years) != 0)
			continue;
		forecast[p - from] = v;
		if (s->a[p] <= 0)
			continue;
		error_bp[p - from] = div_round((__int128)(v > s->a[p] ? v - s->a[p] :
		    s->a[p] - v) * BP, s->a[p]);
		sum += error_bp[p - from];
		n++;
	}
	return n > 0 ? div_round(sum, n) : -1;
}

void
fc_range(int64_t value, int64_t mape_bp, int64_t *low, int64_t *high)
{
	int64_t d = mape_bp > 0 ? div_round((__int128)value * mape_bp, BP) : 0;

	if (value - d < *low)
		*low = value - d;
	if (value + d > *high)
		*high = value + d;
	if (*low < 0)
		*low = 0;
}

/* ---- parameters ---- */

struct fparams {
	int			 months;
	struct list_query	 fq;	/* pipeline_id, department_id, owner_id */
};

static int
db_fail(struct core_ctx *cx, const char *what)
{
	log_error("database: forecast %s: %s", what, db_errmsg(cx->db));
	return core_fail(cx, CRM_EDB, "The database failed to build the forecast");
}

static int
parse_params(struct core_ctx *cx, const struct list_query *lq,
    struct fparams *p)
{
	static const char *const list_only[] = { "q", "sort", "cursor", "limit",
	    "deleted" };
	const char *given[] = { lq->q, lq->sort, lq->cursor, lq->limit,
	    lq->deleted ? "true" : NULL };
	const char *months = NULL;

	memset(p, 0, sizeof(*p));
	p->months = FORECAST_MONTHS_DEFAULT;
	for (size_t i = 0; i < sizeof(list_only) / sizeof(*list_only); i++)
		if (given[i] != NULL)
			return core_fail(cx, CRM_EBADQUERY, "unknown parameter: %s "
			    "(the forecast takes months, pipeline_id, department_id, "
			    "owner_id)", list_only[i]);
	for (int i = 0; i < lq->nfilters; i++) {
		const char *k = lq->filters[i].key, *v = lq->filters[i].value;
		bool once = true;

		for (int j = 0; j < i; j++)
			once = once && strcmp(lq->filters[j].key, k) != 0;
		if (!once)
			return core_fail(cx, CRM_EBADQUERY, "%.40s: given twice", k);
		if (strcmp(k, "months") == 0) {
			months = v;
		} else if (strcmp(k, "pipeline_id") == 0 ||
		    strcmp(k, "department_id") == 0 || strcmp(k, "owner_id") == 0) {
			char *end;
			long long id = strtoll(v, &end, 10);

			if (*v == '\0' || *end != '\0' || id < 1)
				return core_fail(cx, CRM_EBADQUERY, "%s: must be an id",
				    k);
			p->fq.filters[p->fq.nfilters].key = k;
			p->fq.filters[p->fq.nfilters].value = v;
			p->fq.nfilters++;
		} else {
			return core_fail(cx, CRM_EBADQUERY, "unknown parameter: %.40s "
			    "(the forecast takes months, pipeline_id, department_id, "
			    "owner_id)", k);
		}
	}
	if (months != NULL) {
		char *end;
		long m = strtol(months, &end, 10);

		if (*months == '\0' || *end != '\0' || m < FORECAST_MONTHS_MIN ||
		    m > FORECAST_MONTHS_MAX)
			return core_fail(cx, CRM_EBADQUERY, "months: must be a whole "
			    "number from %d to %d", FORECAST_MONTHS_MIN,
			    FORECAST_MONTHS_MAX);
		p->months = (int)m;
	}
	return CRM_OK;
}

/* ---- the queries ---- */

/* Month number (year * 12 + month - 1) of a "YYYY-MM..." text; -1: none. */
static int
month_of_text(const char *s)
{
	int m;

	if (s == NULL || strlen(s) < 7 || s[4] != '-')
		return -1;
	for (int i = 0; i < 7; i++)
		if (i != 4 && (s[i] < '0' || s[i] > '9'))
			return -1;
	m = (s[5] - '0') * 10 + (s[6] - '0');
	if (m < 1 || m > 12)
		return -1;
	return ((s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 +
	    (s[3] - '0')) * 12 + m - 1;
}

static int64_t
month_first_day(int month)
{
	return time_days_from_civil(month / 12, month % 12 + 1, 1);
}

/*
 * Won revenue per month into a[month - first] for months [first, last]
 * (the current month last).
 */
static int
won_by_month(struct core_ctx *cx, const struct fparams *p, int first,
    int last, int64_t *a)
{
	struct dbq q;
	db_stmt_t *st;
	int rc;

	dbq_init(&q);
	dbq_sql(&q, "SELECT ");
	db_bucket_expr(cx->db, &q, "t.closed_at", "month", false, "UTC");
	dbq_sql(&q, ", SUM(t.amount_base) FROM deals t WHERE t.deleted_at IS NULL "
	    "AND t.status = 'won' AND t.amount_base IS NOT NULL AND "
	    "t.closed_at >= ? AND t.closed_at < ?");
	dbq_int(&q, month_first_day(first) * DAY_MS);
	dbq_int(&q, month_first_day(last + 1) * DAY_MS);
	rc = rec_where(cx, &entity_deals, &p->fq, &q);
	dbq_sql(&q, " GROUP BY 1");
	if (rc == CRM_OK && db_prepare_q(cx->db, &q, &st) != DB_OK)
		rc = db_fail(cx, "won");
	dbq_free(&q);
	if (rc != CRM_OK)
		return rc;
	while ((rc = db_step(st)) == DB_ROW) {
		int m = month_of_text(db_col_text(st, 0, NULL));

		if (m >= first && m <= last && !db_col_null(st, 1))
			a[m - first] += db_col_int(st, 1);
	}
	db_done(st);
	return rc == DB_DONE ? CRM_OK : db_fail(cx, "won step");
}

/* The open pipeline, placed by month (see forecast.h). */
struct pipe {
	int64_t	*weighted;	/* per forecast month, x100 until the end */
	int64_t	*count;
	int64_t	 undated, undated_w, beyond, beyond_w, unconverted;
};

static int
open_by_month(struct core_ctx *cx, const struct fparams *p, int cur,
    struct pipe *pp)
{
	struct dbq q;
	db_stmt_t *st;
	int rc;

	dbq_init(&q);
	dbq_sql(&q, "SELECT substr(t.expected_close, 1, 7), SUM(t.amount_base * "
	    "ps.probability), COUNT(t.amount_base), COUNT(*) - "
	    "COUNT(t.amount_base) FROM deals t JOIN pipeline_stages ps ON ps.id = "
	    "t.stage_id WHERE t.deleted_at IS NULL AND t.status = 'open'");
	rc = rec_where(cx, &entity_deals, &p->fq, &q);
	dbq_sql(&q, " GROUP BY substr(t.expected_close, 1, 7)");
	if (rc == CRM_OK && db_prepare_q(cx->db, &q, &st) != DB_OK)
		rc = db_fail(cx, "pipeline");
	dbq_free(&q);
	if (rc != CRM_OK)
		return rc;
	while ((rc = db_step(st)) == DB_ROW) {
		int m = month_of_text(db_col_text(st, 0, NULL));
		int64_t w = db_col_null(st, 1) ? 0 : db_col_int(st, 1);
		int64_t n = db_col_int(st, 2);

		pp->unconverted += db_col_int(st, 3);
		if (m < 0) {
			pp->undated += n;
			pp->undated_w += w;
		} else if (m >= cur + p->months) {
			pp->beyond += n;
			pp->beyond_w += w;
		} else {
			/* Overdue: still open, so expected now. */
			int i = m < cur ? 0 : m - cur;

			pp->weighted[i] += w;
			pp->count[i] += n;
		}
	}
	db_done(st);
	return rc == DB_DONE ? CRM_OK : db_fail(cx, "pipeline step");
}

/* ---- the answer ---- */

static json_t *
month_name(int month)
{
	char s[16];

	snprintf(s, sizeof(s), "%04d-%02d", month / 12, month % 12 + 1);
	return json_string(s);
}

static json_t *
num_or_null(int64_t v)
{
	return v < 0 ? json_null() : json_integer((json_int_t)v);
}

static json_t *
future_months(const struct fc_series *s, const struct fparams *p, int cur,
    const struct pipe *pp, int64_t won_now, int64_t mape)
{
	json_t *arr = json_array();

	for (int i = 0; i < p->months; i++) {
		int64_t pipe = div_round(pp->weighted[i], 100), h, lo, hi;
		int years;
		bool has;

		if (i == 0)
			pipe += won_now;
		has = fc_history(s, s->n, s->n + i, &h, &lo, &hi, &years) == 0;
		if (has)
			fc_range(h, mape, &lo, &hi);
		json_array_append_new(arr, json_pack("{s:o, s:I, s:I, s:I, s:o, "
		    "s:i, s:o, s:o, s:I, s:I, s:I}", "month", month_name(cur + i),
		    "pipeline", (json_int_t)pipe, "pipeline_deals",
		    (json_int_t)pp->count[i], "won_to_date",
		    (json_int_t)(i == 0 ? won_now : 0), "history",
		    has ? json_integer(h) : json_null(), "history_years", years,
		    "low", has ? json_integer(lo) : json_null(), "high",
		    has ? json_integer(hi) : json_null(), "combined",
		    (json_int_t)(has && h > pipe ? h : pipe), "combined_low",
		    (json_int_t)(has && lo > pipe ? lo : pipe), "combined_high",
		    (json_int_t)(has && hi > pipe ? hi : pipe)));
	}
	return arr;
}

static json_t *
backtest_json(const struct fc_series *s, int first, int64_t *mape)
{
	int64_t f[FORECAST_BACKTEST], e[FORECAST_BACKTEST];
	int from = s->n - FORECAST_BACKTEST;
	json_t *months = json_array();

	*mape = fc_backtest(s, from, f, e);
	for (int i = 0; i < FORECAST_BACKTEST; i++)
		json_array_append_new(months, json_pack("{s:o, s:I, s:o, s:o}",
		    "month", month_name(first + from + i), "actual",
		    (json_int_t)s->a[from + i], "forecast", num_or_null(f[i]),
		    "error_bp", num_or_null(e[i])));
	return json_pack("{s:o, s:o}", "mape_bp", num_or_null(*mape), "months",
	    months);
}

int
forecast_report(struct core_ctx *cx, const struct list_query *lq,
    int64_t now_ms, json_t **out)
{
	struct fparams p;
	struct pipe pp;
	int64_t a[FORECAST_HISTORY + 1], w[FORECAST_MONTHS_MAX];
	int64_t c[FORECAST_MONTHS_MAX], mape, trend;
	struct fc_series s;
	int y, m, d, cur, first, rc;
	bool data;
	char base[4], asof[16];
	json_t *bt;

	*out = NULL;
	rc = parse_params(cx, lq, &p);
	if (rc != CRM_OK)
		return rc;
	if (access_field(cx, &entity_deals, "amount_base") == FIELD_HIDDEN ||
	    access_field(cx, &entity_deals, "amount") == FIELD_HIDDEN)
		return core_fail(cx, CRM_EFORBIDDEN, "Your role hides deal "
		    "amounts, which the forecast adds up");
	time_civil_from_days(now_ms / DAY_MS, &y, &m, &d);
	snprintf(asof, sizeof(asof), "%04d-%02d-%02d", y, m, d);
	cur = y * 12 + m - 1;
	first = cur - FORECAST_HISTORY;
	memset(a, 0, sizeof(a));
	memset(w, 0, sizeof(w));
	memset(c, 0, sizeof(c));
	memset(&pp, 0, sizeof(pp));
	pp.weighted = w;
	pp.count = c;
	rc = currency_base_get(cx, base);
	if (rc == CRM_OK)
		rc = won_by_month(cx, &p, first, cur, a);
	if (rc == CRM_OK)
		rc = open_by_month(cx, &p, cur, &pp);
	if (rc != CRM_OK)
		return rc;
	/* The series is the complete months; the current one is won_to_date. */
	s.a = a;
	s.n = FORECAST_HISTORY;
	s.start = fc_data_start(a, FORECAST_HISTORY);
	bt = backtest_json(&s, first, &mape);
	trend = fc_trend_bp(&s, s.n, &data);
	*out = json_pack("{s:i, s:s, s:s, s:o, s:o, s:{s:I, s:I}, s:{s:I, s:I}, "
	    "s:I, s:o}", "months", p.months, "as_of", asof, "base_currency", base,
	    "trend_bp", data ? json_integer(trend) : json_null(), "forecast",
	    future_months(&s, &p, cur, &pp, a[FORECAST_HISTORY], mape), "undated",
	    "count", (json_int_t)pp.undated, "weighted",
	    (json_int_t)div_round(pp.undated_w, 100), "beyond", "count",
	    (json_int_t)pp.beyond, "weighted", (json_int_t)div_round(pp.beyond_w,
	    100), "unconverted", (json_int_t)pp.unconverted, "backtest", bt);
	return *out != NULL ? CRM_OK : core_fail(cx, CRM_EDB, "Out of memory");
}
