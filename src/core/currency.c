/*
 * Currencies (see currency.h): the ISO 4217 table, the base currency, the
 * exchange rates by day and the exact conversion between minor units.
 *
 * The arithmetic: a rate r is stored as R = r * 10^10. An amount a in
 * minor units of a currency with f digits is a / 10^f units, worth
 * a * R / 10^(10 + f) base units, i.e. a * R / 10^(10 + f - b) base
 * minor units when the base has b digits. Digits are at most 4, so the
 * exponent 10 + f - b is at least 6: the computation only ever divides.
 * Both |a| and R are below 2^63, so |a| * R is below 2^126 and fits an
 * unsigned __int128 exactly. The quotient is rounded half to even on the
 * magnitude (so rounding is symmetric around zero) and refused when it
 * does not fit an int64_t.
 */
#include "core/currency.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/audit.h"
#include "core/deals.h"
#include "util/alloc.h"
#include "util/log.h"
#include "util/timeutil.h"

/* ISO 4217, by code; digits are the standard's minor units. */
static const struct currency currencies[] = {
	{ "AED", 2, "UAE dirham" },
	{ "AMD", 2, "Armenian dram" },
	{ "ARS", 2, "Argentine peso" },
	{ "AUD", 2, "Australian dollar" },
	{ "AZN", 2, "Azerbaijani manat" },
	{ "BGN", 2, "Bulgarian lev" },
	{ "BHD", 3, "Bahraini dinar" },
	{ "BRL", 2, "Brazilian real" },
	{ "BYN", 2, "Belarusian ruble" },
	{ "CAD", 2, "Canadian dollar" },
	{ "CHF", 2, "Swiss franc" },
	{ "CLP", 0, "Chilean peso" },
	{ "CNY", 2, "Chinese yuan" },
	{ "COP", 2, "Colombian peso" },
	{ "CZK", 2, "Czech koruna" },
	{ "DKK", 2, "Danish krone" },
	{ "EGP", 2, "Egyptian pound" },
	{ "EUR", 2, "Euro" },
	{ "GBP", 2, "Pound sterling" },
	{ "GEL", 2, "Georgian lari" },
	{ "HKD", 2, "Hong Kong dollar" },
	{ "HUF", 2, "Hungarian forint" },
	{ "IDR", 2, "Indonesian rupiah" },
	{ "ILS", 2, "Israeli new shekel" },
	{ "INR", 2, "Indian rupee" },
	{ "IQD", 3, "Iraqi dinar" },
	{ "ISK", 0, "Icelandic krona" },
	{ "JOD", 3, "Jordanian dinar" },
	{ "JPY", 0, "Japanese yen" },
	{ "KGS", 2, "Kyrgyzstani som" },
	{ "KRW", 0, "South Korean won" },
	{ "KWD", 3, "Kuwaiti dinar" },
	{ "KZT", 2, "Kazakhstani tenge" },
	{ "LYD", 3, "Libyan dinar" },
	{ "MDL", 2, "Moldovan leu" },
	{ "MXN", 2, "Mexican peso" },
	{ "MYR", 2, "Malaysian ringgit" },
	{ "NOK", 2, "Norwegian krone" },
	{ "NZD", 2, "New Zealand dollar" },
	{ "OMR", 3, "Omani rial" },
	{ "PHP", 2, "Philippine peso" },
	{ "PLN", 2, "Polish zloty" },
	{ "QAR", 2, "Qatari riyal" },
	{ "RON", 2, "Romanian leu" },
	{ "RSD", 2, "Serbian dinar" },
	{ "RUB", 2, "Russian ruble" },
	{ "SAR", 2, "Saudi riyal" },
	{ "SEK", 2, "Swedish krona" },
	{ "SGD", 2, "Singapore dollar" },
	{ "THB", 2, "Thai baht" },
	{ "TJS", 2, "Tajikistani somoni" },
	{ "TND", 3, "Tunisian dinar" },
	{ "TRY", 2, "Turkish lira" },
	{ "TWD", 2, "New Taiwan dollar" },
	{ "UAH", 2, "Ukrainian hryvnia" },
	{ "USD", 2, "US dollar" },
	{ "UZS", 2, "Uzbekistani sum" },
	{ "VND", 0, "Vietnamese dong" },
	{ "XAF", 0, "Central African CFA franc" },
	{ "XOF", 0, "West African CFA franc" },
	{ "ZAR", 2, "South African rand" },
};
#define NCURRENCIES (sizeof(currencies) / sizeof(currencies[0]))

static const int64_t pow10s[] = {
	1LL, 10LL, 100LL, 1000LL, 10000LL, 100000LL, 1000000LL, 10000000LL,
	100000000LL, 1000000000LL, 10000000000LL, 100000000000LL,
	1000000000000LL, 10000000000000LL, 100000000000000LL,
};

const struct currency *
currency_find(const char *code)
{
	size_t lo = 0, hi = NCURRENCIES;

	if (code == NULL || strlen(code) != 3)
		return NULL;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(code, currencies[mid].code);

		if (c == 0)
			return &currencies[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

const struct currency *
currency_all(size_t *n)
{
	*n = NCURRENCIES;
	return currencies;
}

int
currency_rate_parse(const char *s, size_t len, int64_t *out, char *why,
    size_t whylen)
{
	int64_t units = 0, frac = 0;
	size_t i = 0, nint = 0, nfrac = 0;

	while (i < len && s[i] >= '0' && s[i] <= '9') {
		if (units <= CURRENCY_RATE_MAX_UNITS)
			units = units * 10 + (s[i] - '0');
		i++;
		nint++;
	}
	if (i < len && s[i] == '.') {
		i++;
		while (i < len && s[i] >= '0' && s[i] <= '9') {
			if (nfrac < CURRENCY_RATE_FRAC)
				frac = frac * 10 + (s[i] - '0');
			i++;
			nfrac++;
		}
		if (nfrac == 0) {
			snprintf(why, whylen, "must have digits after the point");
			return -1;
		}
	}
	if (nint == 0 || i != len) {
		snprintf(why, whylen, "must be a decimal number such as "
		    "\"92.4512\" (digits and one point; no sign or exponent)");
		return -1;
	}
	if (nfrac > CURRENCY_RATE_FRAC) {
		snprintf(why, whylen, "has more than %d digits after the point",
		    CURRENCY_RATE_FRAC);
		return -1;
	}
	frac *= pow10s[CURRENCY_RATE_FRAC - nfrac];
	if (units > CURRENCY_RATE_MAX_UNITS ||
	    (units == CURRENCY_RATE_MAX_UNITS && frac > 0)) {
		snprintf(why, whylen, "must be at most %lld",
		    (long long)CURRENCY_RATE_MAX_UNITS);
		return -1;
	}
	if (units == 0 && frac == 0) {
		snprintf(why, whylen, "must be greater than 0");
		return -1;
	}
	*out = units * CURRENCY_RATE_SCALE + frac;
	return 0;
}

void
currency_rate_format(int64_t rate, char out[CURRENCY_RATE_TEXT])
{
	int64_t frac = rate % CURRENCY_RATE_SCALE;
	int n;

	n = snprintf(out, CURRENCY_RATE_TEXT, "%lld.%010lld",
	    (long long)(rate / CURRENCY_RATE_SCALE), (long long)frac);
	if (n < 0 || n >= CURRENCY_RATE_TEXT) {
		snprintf(out, CURRENCY_RATE_TEXT, "0");
		return;
	}
	while (n > 0 && out[n - 1] == '0')
		out[--n] = '\0';
	if (n > 0 && out[n - 1] == '.')
		out[--n] = '\0';
}

int
currency_scale(int64_t amount, int from_digits, int64_t rate, int to_digits,
    int64_t *out)
{
	unsigned __int128 mag, num, den, q, r, half;
	int e;

	if (rate <= 0 || from_digits < 0 || from_digits > 4 || to_digits < 0 ||
	    to_digits > 4)
		return -1;
	/* |INT64_MIN| computed without overflowing int64_t. */
	mag = amount < 0 ? (unsigned __int128)(-(amount + 1)) + 1 :
	    (unsigned __int128)amount;
	num = mag * (unsigned __int128)rate;		/* < 2^126 */
	e = CURRENCY_RATE_FRAC + from_digits - to_digits;	/* 6..14 */
	if (e < 0)
		return -1;
	den = (unsigned __int128)pow10s[e];
	q = num / den;
	r = num % den;
	half = den / 2;		/* den is even: 10^e with e >= 1 */
	if (r > half || (r == half && (q & 1) != 0))
		q++;
	if (q > (unsigned __int128)INT64_MAX)
		return -1;
	*out = amount < 0 ? -(int64_t)q : (int64_t)q;
	return 0;
}

static int
db_fail(struct core_ctx *cx, const char *what)
{
	log_error("database: currencies: %s: %s", what, db_errmsg(cx->db));
	return core_fail(cx, CRM_EDB, "The database failed");
}

#define DAY_TEXT 64	/* room for any int64 year, so never truncated */

/* Days since the epoch as "YYYY-MM-DD" (proleptic Gregorian). */
static void
day_format(int64_t days, char out[DAY_TEXT])
{
	int64_t z = days + 719468, era, doe, yoe, y, doy, mp, d, m;

	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	d = doy - (153 * mp + 2) / 5 + 1;
	m = mp < 10 ? mp + 3 : mp - 9;
	if (m <= 2)
		y++;
	snprintf(out, DAY_TEXT, "%04lld-%02lld-%02lld", (long long)y, (long long)m,
	    (long long)d);
}

static int
parse_day(const char *s, int64_t *days)
{
	return s == NULL ? -1 : time_parse_date(s, strlen(s), days);
}

/* The base code into out; EUR when no administrator has set one. */
static int
base_read(struct core_ctx *cx, char out[4], int64_t *updated_at)
{
	db_stmt_t *st;
	int rc;

	snprintf(out, 4, "%s", CURRENCY_DEFAULT_BASE);
	if (updated_at != NULL)
		*updated_at = 0;
	if (db_prepare(cx->db, "SELECT base, updated_at FROM currency_settings "
	    "WHERE id = 1", &st) != DB_OK)
		return db_fail(cx, "base");
	rc = db_step(st);
	if (rc == DB_ROW) {
		const char *b = db_col_text(st, 0, NULL);

		if (b != NULL && currency_find(b) != NULL)
			snprintf(out, 4, "%s", b);
		if (updated_at != NULL)
			*updated_at = db_col_int(st, 1);
	}
	db_done(st);
	return rc == DB_ROW || rc == DB_DONE ? CRM_OK : db_fail(cx, "base step");
}

int
currency_base_get(struct core_ctx *cx, char out[4])
{
	return base_read(cx, out, NULL);
}

int
currency_base_json(struct core_ctx *cx, json_t **out)
{
	char base[4], ts[TIME_RFC3339_LEN];
	const struct currency *c;
	int64_t at;
	int rc;

	*out = NULL;
	rc = base_read(cx, base, &at);
	if (rc != CRM_OK)
		return rc;
	c = currency_find(base);
	*out = json_pack("{s:s, s:i, s:s}", "currency", c->code, "digits",
	    c->digits, "name", c->name);
	if (at > 0) {
		time_format(at, ts, sizeof(ts));
		json_object_set_new(*out, "updated_at", json_string(ts));
	} else {
		json_object_set_new(*out, "updated_at", json_null());
	}
	return CRM_OK;
}

static void
bind_actor(db_stmt_t *st, int idx, struct core_ctx *cx)
{
	if (cx->actor.user_id > 0)
		db_bind_int(st, idx, cx->actor.user_id);
	else
		db_bind_null(st, idx);
}

/* Whether any rate is stored: *n is 0 or 1. */
static int
rates_exist(struct core_ctx *cx, int64_t *n)
{
	db_stmt_t *st;
	int rc;

	*n = 0;
	if (db_prepare(cx->db, "SELECT 1 FROM exchange_rates LIMIT 1", &st) !=
	    DB_OK)
		return db_fail(cx, "count");
	rc = db_step(st);
	if (rc == DB_ROW)
		*n = 1;
	db_done(st);
	return rc == DB_ROW || rc == DB_DONE ? CRM_OK : db_fail(cx, "count step");
}

int
currency_base_set(struct core_ctx *cx, const char *code)
{
	char old[4];
	json_t *detail;
	db_stmt_t *st;
	int64_t n;
	int rc;

	rc = core_admin_only(cx, "change the base currency");
	if (rc != CRM_OK)
		return rc;
	if (currency_find(code) == NULL) {
		verrs_add(&cx->errs, "currency", "is not a known ISO 4217 code "
		    "(three capital letters, such as EUR)");
		return core_invalid(cx);
	}
	if (db_begin(cx->db) != DB_OK)
		return db_fail(cx, "begin");
	rc = base_read(cx, old, NULL);
	if (rc == CRM_OK && strcmp(old, code) != 0) {
		rc = rates_exist(cx, &n);
		if (rc == CRM_OK && n > 0)
			rc = core_fail(cx, CRM_EINUSE, "The base currency cannot "
			    "change while exchange rates are stored: every rate is "
			    "relative to %s. Delete the rates first, then set the "
			    "base and enter rates against %s.", old, code);
	}
	if (rc == CRM_OK) {
		if (db_prepare(cx->db, "INSERT INTO currency_settings (id, base, "
		    "updated_at, updated_by) VALUES (1, ?, ?, ?) ON CONFLICT (id) "
		    "DO UPDATE SET base = excluded.base, updated_at = "
		    "excluded.updated_at, updated_by = excluded.updated_by",
		    &st) != DB_OK) {
			rc = db_fail(cx, "base set");
		} else {
			db_bind_text(st, 1, code, strlen(code));
			db_bind_int(st, 2, time_now_ms());
			bind_actor(st, 3, cx);
			if (db_step(st) != DB_DONE)
				rc = db_fail(cx, "base set step");
			db_done(st);
		}
	}
	if (rc == CRM_OK) {
		detail = json_pack("{s:s, s:s}", "from", old, "to", code);
		rc = audit_append(cx, "setting.base_currency", NULL, 0, detail);
		json_decref(detail);
	}
	if (rc == CRM_OK)
		rc = deal_revalue_enqueue(cx, NULL);
	return core_txn_end(cx, rc, NULL);
}

/* The rate of code that applies on day (that day or the latest before). */
static int
rate_at(struct core_ctx *cx, const char *code, int64_t day, int64_t *rate,
    int64_t *rate_day, bool *found)
{
	db_stmt_t *st;
	int rc;

	*found = false;
	if (db_prepare(cx->db, "SELECT rate, day FROM exchange_rates WHERE "
	    "currency = ? AND day <= ? ORDER BY day DESC LIMIT 1", &st) != DB_OK)
		return db_fail(cx, "rate");
	db_bind_text(st, 1, code, strlen(code));
	db_bind_int(st, 2, day);
	rc = db_step(st);
	if (rc == DB_ROW) {
		*rate = db_col_int(st, 0);
		*rate_day = db_col_int(st, 1);
		*found = true;
	}
	db_done(st);
	return rc == DB_ROW || rc == DB_DONE ? CRM_OK : db_fail(cx, "rate step");
}

int
currency_convert(struct core_ctx *cx, int64_t amount_minor, const char *from,
    const char *day, int64_t *out_base_minor)
{
	const struct currency *c, *b;
	char base[4];
	int64_t d, rate = 0, rday = 0;
	bool found;
	int rc;

	c = currency_find(from);
	if (c == NULL)
		return core_fail(cx, CRM_EINVAL, "Unknown currency \"%.8s\": not an "
		    "ISO 4217 code this server knows", from != NULL ? from : "");
	if (parse_day(day, &d) != 0)
		return core_fail(cx, CRM_EINVAL, "The date must be YYYY-MM-DD, a "
		    "real calendar date");
	rc = currency_base_get(cx, base);
	if (rc != CRM_OK)
		return rc;
	if (strcmp(base, c->code) == 0) {
		*out_base_minor = amount_minor;
		return CRM_OK;
	}
	b = currency_find(base);
	rc = rate_at(cx, c->code, d, &rate, &rday, &found);
	if (rc != CRM_OK)
		return rc;
	if (!found)
		return core_fail(cx, CRM_ENOTFOUND, "No exchange rate of %s to %s "
		    "on or before %.10s: enter one", c->code, base, day);
	if (currency_scale(amount_minor, c->digits, rate, b->digits,
	    out_base_minor) != 0)
		return core_fail(cx, CRM_EINVAL, "%lld %s minor units at the rate "
		    "of %.10s are too large an amount in %s", (long long)amount_minor,
		    c->code, day, base);
	return CRM_OK;
}

static json_t *
rate_json(db_stmt_t *st)
{
	char date[DAY_TEXT], rate[CURRENCY_RATE_TEXT], ts[TIME_RFC3339_LEN];
	const char *code = db_col_text(st, 1, NULL);

	day_format(db_col_int(st, 2), date);
	currency_rate_format(db_col_int(st, 3), rate);
	time_format(db_col_int(st, 4), ts, sizeof(ts));
	return json_pack("{s:I, s:s, s:s, s:s, s:s}", "id",
	    (json_int_t)db_col_int(st, 0), "currency", code != NULL ? code : "",
	    "date", date, "rate", rate, "updated_at", ts);
}

#define RATE_COLUMNS "id, currency, day, rate, updated_at"

int
currency_rates_list(struct core_ctx *cx, const struct rate_query *q,
    json_t **out)
{
	struct dbq dq;
	db_stmt_t *st;
	json_t *data;
	int64_t from = 0, to = 0, cday = 0, cid = 0, last_day = 0, last_id = 0;
	int limit = q->limit > 0 ? q->limit : 100, n = 0, rc;
	char cursor[64];

	*out = NULL;
	if (q->currency != NULL && currency_find(q->currency) == NULL)
		return core_fail(cx, CRM_EBADQUERY, "currency: not a known ISO 4217 "
		    "code (three capital letters, such as USD)");
	if (q->from != NULL && parse_day(q->from, &from) != 0)
		return core_fail(cx, CRM_EBADQUERY, "from: must be a date "
		    "YYYY-MM-DD");
	if (q->to != NULL && parse_day(q->to, &to) != 0)
		return core_fail(cx, CRM_EBADQUERY, "to: must be a date YYYY-MM-DD");
	if (q->from != NULL && q->to != NULL && from > to)
		return core_fail(cx, CRM_EBADQUERY, "from: must not be after to");
	if (limit > CURRENCY_LIST_MAX)
		return core_fail(cx, CRM_EBADQUERY, "limit: must be 1 to %d",
		    CURRENCY_LIST_MAX);
	if (q->cursor != NULL) {
		long long a, b;
		char extra;

		if (sscanf(q->cursor, "%lld.%lld%c", &a, &b, &extra) != 2 || b <= 0)
			return core_fail(cx, CRM_EBADQUERY, "cursor: not one this "
			    "server gave");
		cday = a;
		cid = b;
	}
	dbq_init(&dq);
	dbq_sql(&dq, "SELECT " RATE_COLUMNS " FROM exchange_rates WHERE 1 = 1");
	if (q->currency != NULL) {
		dbq_sql(&dq, " AND currency = ?");
		dbq_text(&dq, q->currency, strlen(q->currency));
	}
	if (q->from != NULL) {
		dbq_sql(&dq, " AND day >= ?");
		dbq_int(&dq, from);
	}
	if (q->to != NULL) {
		dbq_sql(&dq, " AND day <= ?");
		dbq_int(&dq, to);
	}
	if (q->cursor != NULL) {
		dbq_sql(&dq, " AND (day < ? OR (day = ? AND id < ?))");
		dbq_int(&dq, cday);
		dbq_int(&dq, cday);
		dbq_int(&dq, cid);
	}
	dbq_sql(&dq, " ORDER BY day DESC, id DESC LIMIT ?");
	dbq_int(&dq, limit + 1);
	if (db_prepare_q(cx->db, &dq, &st) != DB_OK) {
		dbq_free(&dq);
		return db_fail(cx, "list");
	}
	dbq_free(&dq);
	data = json_array();
	while ((rc = db_step(st)) == DB_ROW) {
		if (n == limit)
			break;
		json_array_append_new(data, rate_json(st));
		last_id = db_col_int(st, 0);
		last_day = db_col_int(st, 2);
		n++;
	}
	db_done(st);
	if (rc != DB_ROW && rc != DB_DONE) {
		json_decref(data);
		return db_fail(cx, "list step");
	}
	*out = json_pack("{s:o}", "data", data);
	if (rc == DB_ROW) {
		snprintf(cursor, sizeof(cursor), "%lld.%lld", (long long)last_day,
		    (long long)last_id);
		json_object_set_new(*out, "next_cursor", json_string(cursor));
	} else {
		json_object_set_new(*out, "next_cursor", json_null());
	}
	return CRM_OK;
}

/*
 * Checks one rate's three values; errors go to cx->errs under the given
 * field names (prefix "line N: " for imports). The base is refused: its
 * rate is 1 by definition.
 */
static bool
rate_check(struct core_ctx *cx, const char *base, const char *field_prefix,
    const char *code, size_t clen, const char *day, size_t dlen,
    const char *rate, size_t rlen, int64_t *dout, int64_t *rout)
{
	char f[96], why[128], cbuf[4];
	int before = cx->errs.n + cx->errs.dropped;

	if (clen != 3) {
		cbuf[0] = '\0';
	} else {
		memcpy(cbuf, code, 3);
		cbuf[3] = '\0';
	}
	snprintf(f, sizeof(f), "%scurrency", field_prefix);
	if (currency_find(cbuf) == NULL)
		verrs_add(&cx->errs, f, "\"%.*s\" is not a known ISO 4217 code "
		    "(three capital letters, such as USD)", clen > 16 ? 16 :
		    (int)clen, code);
	else if (strcmp(cbuf, base) == 0)
		verrs_add(&cx->errs, f, "%s is the base currency: its rate is "
		    "always 1", base);
	snprintf(f, sizeof(f), "%sdate", field_prefix);
	if (time_parse_date(day, dlen, dout) != 0)
		verrs_add(&cx->errs, f, "must be a date YYYY-MM-DD (a real "
		    "calendar date)");
	snprintf(f, sizeof(f), "%srate", field_prefix);
	if (currency_rate_parse(rate, rlen, rout, why, sizeof(why)) != 0)
		verrs_add(&cx->errs, f, "%s", why);
	return cx->errs.n + cx->errs.dropped == before;
}

/*
 * Upserts one checked rate inside the caller's transaction; *created and
 * *old (0 when created) say what was there. *id is the row.
 */
static int
rate_store(struct core_ctx *cx, const char *code, int64_t day, int64_t rate,
    int64_t now, bool *created, int64_t *old, int64_t *id)
{
	db_stmt_t *st;
	int rc;

	*created = true;
	*old = 0;
	*id = 0;
	if (db_prepare(cx->db, "SELECT id, rate FROM exchange_rates WHERE "
	    "currency = ? AND day = ?", &st) != DB_OK)
		return db_fail(cx, "rate find");
	db_bind_text(st, 1, code, 3);
	db_bind_int(st, 2, day);
	rc = db_step(st);
	if (rc == DB_ROW) {
		*created = false;
		*id = db_col_int(st, 0);
		*old = db_col_int(st, 1);
	}
	db_done(st);
	if (rc != DB_ROW && rc != DB_DONE)
		return db_fail(cx, "rate find step");
	if (*created) {
		if (db_prepare(cx->db, "INSERT INTO exchange_rates (currency, day, "
		    "rate, created_at, created_by, updated_at, updated_by) VALUES "
		    "(?, ?, ?, ?, ?, ?, ?) RETURNING id", &st) != DB_OK)
			return db_fail(cx, "rate insert");
		db_bind_text(st, 1, code, 3);
		db_bind_int(st, 2, day);
		db_bind_int(st, 3, rate);
		db_bind_int(st, 4, now);
		bind_actor(st, 5, cx);
		db_bind_int(st, 6, now);
		bind_actor(st, 7, cx);
		rc = db_step(st);
		if (rc == DB_ROW)
			*id = db_col_int(st, 0);
		db_done(st);
		return rc == DB_ROW ? CRM_OK : db_fail(cx, "rate insert step");
	}
	if (db_prepare(cx->db, "UPDATE exchange_rates SET rate = ?, updated_at = "
	    "?, updated_by = ? WHERE id = ?", &st) != DB_OK)
		return db_fail(cx, "rate update");
	db_bind_int(st, 1, rate);
	db_bind_int(st, 2, now);
	bind_actor(st, 3, cx);
	db_bind_int(st, 4, *id);
	rc = db_step(st);
	db_done(st);
	return rc == DB_DONE ? CRM_OK : db_fail(cx, "rate update step");
}

static int
rate_get(struct core_ctx *cx, int64_t id, json_t **out)
{
	db_stmt_t *st;
	int rc;

	*out = NULL;
	if (db_prepare(cx->db, "SELECT " RATE_COLUMNS " FROM exchange_rates "
	    "WHERE id = ?", &st) != DB_OK)
		return db_fail(cx, "rate get");
	db_bind_int(st, 1, id);
	rc = db_step(st);
	if (rc == DB_ROW)
		*out = rate_json(st);
	db_done(st);
	if (rc == DB_DONE)
		return core_fail(cx, CRM_ENOTFOUND, "There is no exchange rate %lld",
		    (long long)id);
	return rc == DB_ROW ? CRM_OK : db_fail(cx, "rate get step");
}

int
currency_rate_set(struct core_ctx *cx, const char *currency, const char *day,
    const char *rate, json_t **out)
{
	char base[4], oldtext[CURRENCY_RATE_TEXT];
	int64_t d = 0, r = 0, old, id;
	json_t *detail;
	bool created;
	int rc;

	*out = NULL;
	rc = core_admin_only(cx, "set exchange rates");
	if (rc != CRM_OK)
		return rc;
	if (db_begin(cx->db) != DB_OK)
		return db_fail(cx, "begin");
	rc = currency_base_get(cx, base);
	if (rc == CRM_OK && !rate_check(cx, base, "", currency, strlen(currency),
	    day, strlen(day), rate, strlen(rate), &d, &r))
		rc = core_invalid(cx);
	if (rc == CRM_OK)
		rc = rate_store(cx, currency, d, r, time_now_ms(), &created, &old,
		    &id);
	if (rc == CRM_OK)
		rc = rate_get(cx, id, out);
	if (rc == CRM_OK) {
		detail = json_pack("{s:s, s:s, s:O, s:s}", "currency", currency,
		    "date", json_string_value(json_object_get(*out, "date")),
		    "rate", json_object_get(*out, "rate"), "base", base);
		if (!created) {
			currency_rate_format(old, oldtext);
			json_object_set_new(detail, "previous", json_string(oldtext));
		}
		rc = audit_append(cx, "setting.rate_set", "exchange_rates", id,
		    detail);
		json_decref(detail);
		json_object_set_new(*out, "created", json_boolean(created));
	}
	if (rc == CRM_OK)
		rc = deal_revalue_enqueue(cx, currency);
	return core_txn_end(cx, rc, out);
}

int
currency_rate_delete(struct core_ctx *cx, int64_t id)
{
	json_t *row = NULL, *detail;
	db_stmt_t *st;
	int rc;

	rc = core_admin_only(cx, "delete exchange rates");
	if (rc != CRM_OK)
		return rc;
	if (db_begin(cx->db) != DB_OK)
		return db_fail(cx, "begin");
	rc = rate_get(cx, id, &row);
	if (rc == CRM_OK) {
		if (db_prepare(cx->db, "DELETE FROM exchange_rates WHERE id = ?",
		    &st) != DB_OK) {
			rc = db_fail(cx, "rate delete");
		} else {
			db_bind_int(st, 1, id);
			if (db_step(st) != DB_DONE)
				rc = db_fail(cx, "rate delete step");
			db_done(st);
		}
	}
	if (rc == CRM_OK) {
		detail = json_pack("{s:O, s:O, s:O}", "currency",
		    json_object_get(row, "currency"), "date",
		    json_object_get(row, "date"), "rate",
		    json_object_get(row, "rate"));
		rc = audit_append(cx, "setting.rate_delete", "exchange_rates", id,
		    detail);
		json_decref(detail);
	}
	if (rc == CRM_OK)
		rc = deal_revalue_enqueue(cx, json_string_value(json_object_get(row,
		    "currency")));
	json_decref(row);
	return core_txn_end(cx, rc, NULL);
}

/* One CSV cell: spaces around it trimmed, one pair of quotes removed. */
static void
cell_trim(const char **s, size_t *len)
{
	while (*len > 0 && (**s == ' ' || **s == '\t')) {
		(*s)++;
		(*len)--;
	}
	while (*len > 0 && ((*s)[*len - 1] == ' ' || (*s)[*len - 1] == '\t'))
		(*len)--;
	if (*len >= 2 && (*s)[0] == '"' && (*s)[*len - 1] == '"') {
		(*s)++;
		*len -= 2;
	}
}

struct csv_row {
	int64_t	line;
	char	code[4];
	int64_t	day;
	int64_t	rate;
	int64_t	dup_of;		/* the earlier line with this currency and day */
};

static int
by_code_day_line(const void *a, const void *b)
{
	const struct csv_row *x = a, *y = b;
	int c = strcmp(x->code, y->code);

	if (c != 0)
		return c;
	if (x->day != y->day)
		return x->day < y->day ? -1 : 1;
	return x->line < y->line ? -1 : x->line > y->line;
}

static int
by_line(const void *a, const void *b)
{
	const struct csv_row *x = a, *y = b;

	return x->line < y->line ? -1 : x->line > y->line;
}

/*
 * Names every line that repeats the currency and day of an earlier one
 * (a mistake in the file: which rate is meant?). Sorting keeps it
 * O(n log n) at the row cap; the rows end in line order again.
 */
static void
find_repeats(struct core_ctx *cx, struct csv_row *rows, size_t n)
{
	char f[40];

	if (n < 2)
		return;
	qsort(rows, n, sizeof(*rows), by_code_day_line);
	for (size_t i = 1; i < n; i++)
		if (rows[i].day == rows[i - 1].day &&
		    strcmp(rows[i].code, rows[i - 1].code) == 0)
			rows[i].dup_of = rows[i - 1].dup_of > 0 ?
			    rows[i - 1].dup_of : rows[i - 1].line;
	qsort(rows, n, sizeof(*rows), by_line);
	for (size_t i = 0; i < n; i++) {
		if (rows[i].dup_of == 0)
			continue;
		snprintf(f, sizeof(f), "line %lld", (long long)rows[i].line);
		verrs_add(&cx->errs, f, "repeats the currency and date of line "
		    "%lld", (long long)rows[i].dup_of);
	}
}

/*
 * Splits one line into its three cells; -1 (with an error for the line)
 * when it does not have exactly three.
 */
static int
split3(struct core_ctx *cx, int64_t lineno, const char *s, size_t len,
    const char *cell[3], size_t clen[3])
{
	char f[32];
	size_t start = 0;
	int n = 0;

	for (size_t i = 0; i <= len; i++) {
		if (i < len && s[i] != ',')
			continue;
		if (n < 3) {
			cell[n] = s + start;
			clen[n] = i - start;
			cell_trim(&cell[n], &clen[n]);
		}
		n++;
		start = i + 1;
	}
	if (n != 3) {
		snprintf(f, sizeof(f), "line %lld", (long long)lineno);
		verrs_add(&cx->errs, f, "has %d cells; each line is "
		    "currency,date,rate", n);
		return -1;
	}
	return 0;
}

static bool
is_header(const char *cell[3], const size_t clen[3])
{
	static const char *const names[3] = { "currency", "date", "rate" };

	for (int i = 0; i < 3; i++)
		if (clen[i] != strlen(names[i]) ||
		    strncasecmp(cell[i], names[i], clen[i]) != 0)
			return false;
	return true;
}

int
currency_rates_import(struct core_ctx *cx, const char *text, size_t len,
    json_t **out)
{
	struct csv_row *rows = NULL;
	size_t nrows = 0, pos = 0;
	int64_t lineno = 0, created = 0, updated = 0, now, old, id;
	char base[4], prefix[40], f[40];
	json_t *detail, *codes;
	bool fresh, seen_line = false;
	int rc;

	*out = NULL;
	rc = core_admin_only(cx, "import exchange rates");
	if (rc != CRM_OK)
		return rc;
	if (db_begin(cx->db) != DB_OK)
		return db_fail(cx, "begin");
	rc = currency_base_get(cx, base);
	if (rc != CRM_OK)
		return core_txn_end(cx, rc, NULL);
	rows = xcalloc(CURRENCY_IMPORT_MAX_ROWS, sizeof(*rows));
	while (pos < len) {
		const char *line = text + pos, *cell[3];
		size_t llen = 0, clen[3];
		int64_t d, r;

		while (pos + llen < len && text[pos + llen] != '\n')
			llen++;
		pos += llen + 1;
		lineno++;
		if (llen > 0 && line[llen - 1] == '\r')
			llen--;
		if (memchr(line, '\0', llen) != NULL) {
			snprintf(f, sizeof(f), "line %lld", (long long)lineno);
			verrs_add(&cx->errs, f, "holds a NUL byte");
			continue;
		}
		{
			size_t k = 0;

			while (k < llen && (line[k] == ' ' || line[k] == '\t'))
				k++;
			if (k == llen)
				continue;	/* a blank line */
		}
		if (split3(cx, lineno, line, llen, cell, clen) != 0) {
			seen_line = true;
			continue;
		}
		if (!seen_line && is_header(cell, clen)) {
			seen_line = true;
			continue;	/* the optional header */
		}
		seen_line = true;
		if (nrows == CURRENCY_IMPORT_MAX_ROWS) {
			snprintf(f, sizeof(f), "line %lld", (long long)lineno);
			verrs_add(&cx->errs, f, "is past the limit of %d rows of "
			    "one import: split the file", CURRENCY_IMPORT_MAX_ROWS);
			break;
		}
		snprintf(prefix, sizeof(prefix), "line %lld: ", (long long)lineno);
		if (!rate_check(cx, base, prefix, cell[0], clen[0], cell[1],
		    clen[1], cell[2], clen[2], &d, &r))
			continue;
		rows[nrows].line = lineno;
		memcpy(rows[nrows].code, cell[0], 3);
		rows[nrows].code[3] = '\0';
		rows[nrows].day = d;
		rows[nrows].rate = r;
		rows[nrows].dup_of = 0;
		nrows++;
	}
	if (cx->errs.n + cx->errs.dropped == 0)
		find_repeats(cx, rows, nrows);
	if (cx->errs.n + cx->errs.dropped > 0) {
		rc = core_fail(cx, CRM_EINVAL, "%d problems in the file (each "
		    "named by its line); nothing was imported",
		    cx->errs.n + cx->errs.dropped);
	} else if (nrows == 0) {
		verrs_add(&cx->errs, "body", "holds no rates: send lines "
		    "currency,date,rate");
		rc = core_fail(cx, CRM_EINVAL, "The file holds no rates");
	}
	now = time_now_ms();
	codes = json_array();
	for (size_t i = 0; rc == CRM_OK && i < nrows; i++) {
		rc = rate_store(cx, rows[i].code, rows[i].day, rows[i].rate, now,
		    &fresh, &old, &id);
		if (fresh)
			created++;
		else
			updated++;
		{
			bool seen = false;

			for (size_t k = 0; k < json_array_size(codes); k++)
				if (strcmp(json_string_value(json_array_get(codes,
				    k)), rows[i].code) == 0)
					seen = true;
			if (!seen)
				json_array_append_new(codes,
				    json_string(rows[i].code));
		}
	}
	free(rows);
	if (rc == CRM_OK) {
		detail = json_pack("{s:I, s:I, s:I, s:O, s:s}", "rows",
		    (json_int_t)nrows, "created", (json_int_t)created, "updated",
		    (json_int_t)updated, "currencies", codes, "base", base);
		rc = audit_append(cx, "setting.rate_import", "exchange_rates", 0,
		    detail);
		json_decref(detail);
	}
	for (size_t i = 0; rc == CRM_OK && i < json_array_size(codes); i++)
		rc = deal_revalue_enqueue(cx, json_string_value(json_array_get(codes,
		    i)));
	json_decref(codes);
	if (rc == CRM_OK)
		*out = json_pack("{s:I, s:I, s:I}", "rows", (json_int_t)nrows,
		    "created", (json_int_t)created, "updated", (json_int_t)updated);
	return core_txn_end(cx, rc, out);
}
