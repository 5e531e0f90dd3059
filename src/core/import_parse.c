/*
 * Imports: one cell to one typed value, by the target's declared type and
 * the options the user stated. Spreadsheets are dirty and a value read
 * wrong poisons every report after it, so each rule is explicit and a
 * cell that does not follow it is refused with the reason, never guessed
 * at: "1,5" is not 15 when the decimal separator is '.', a phone number
 * that went through scientific notation lost its digits, 0.15 is not a
 * percentage until the user says whether it means 15 %.
 *
 * Cells from XLSX carry their kind (util/table.h): a number is written
 * with '.' whatever the user's decimal separator, a date is already ISO,
 * a percentage is a fraction.
 */
#include "core/import_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/currency.h"
#include "util/text.h"
#include "util/timeutil.h"

#define LIST_MAX 20	/* emails, phones, tags in one cell */
#define NUM_MAX 64	/* bytes of a normalised number */

static int
fail(char *why, size_t whylen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
fail(char *why, size_t whylen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, whylen, fmt, ap);
	va_end(ap);
	return -1;
}

/* Spaces, tabs and no-break spaces at both ends go. */
static void
trim(const char **s, size_t *len)
{
	const unsigned char *p = (const unsigned char *)*s;
	size_t n = *len;

	for (;;) {
		if (n > 0 && (p[0] == ' ' || p[0] == '\t' || p[0] == '\r' ||
		    p[0] == '\n')) {
			p++;
			n--;
		} else if (n > 1 && p[0] == 0xc2 && p[1] == 0xa0) {
			p += 2;
			n -= 2;
		} else {
			break;
		}
	}
	for (;;) {
		if (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t' ||
		    p[n - 1] == '\r' || p[n - 1] == '\n'))
			n--;
		else if (n > 1 && p[n - 2] == 0xc2 && p[n - 1] == 0xa0)
			n -= 2;
		else
			break;
	}
	*s = (const char *)p;
	*len = n;
}

const char *
imp_datefmt_name(enum imp_datefmt f)
{
	static const char *const names[] = {
		"YYYY-MM-DD", "DD.MM.YYYY", "MM/DD/YYYY", "DD/MM/YYYY",
	};

	return names[f];
}

int
imp_datefmt_parse(const char *s)
{
	for (int f = DF_ISO; f <= DF_DMY_SLASH; f++)
		if (strcmp(imp_datefmt_name((enum imp_datefmt)f), s) == 0)
			return f;
	return -1;
}

/* ---- numbers ---- */

/* A number written as 7.9161E+10 (a phone so written lost its digits). */
static bool
scientific(const char *s, size_t len)
{
	bool e = false, digit = false;

	for (size_t i = 0; i < len; i++) {
		if (s[i] == 'e' || s[i] == 'E')
			e = true;
		else if (s[i] >= '0' && s[i] <= '9')
			digit = true;
		else if (s[i] != '.' && s[i] != ',' && s[i] != '+' && s[i] != '-')
			return false;
	}
	return e && digit;
}


/* A thousands separator at p (its length), or 0. */
static size_t
thousands_at(const unsigned char *p, size_t n, char dec)
{
	if (p[0] == ' ' || p[0] == '\'')
		return 1;
	if ((p[0] == ',' && dec == '.') || (p[0] == '.' && dec == ','))
		return 1;
	if (n > 1 && p[0] == 0xc2 && p[1] == 0xa0)
		return 2;
	if (n > 2 && p[0] == 0xe2 && p[1] == 0x80 && p[2] == 0xaf)
		return 3;	/* narrow no-break space */
	return 0;
}

int
imp_decimal(const char *s, size_t len, char dec, char *out, size_t cap,
    char *why, size_t whylen)
{
	const unsigned char *p;
	size_t i = 0, o = 0, group = 0, sep;
	char lastsep = ' ';
	bool neg = false, grouped = false, frac = false, digits = false;

	trim(&s, &len);
	p = (const unsigned char *)s;
	if (len == 0)
		return fail(why, whylen, "is empty");
	if (scientific(s, len))
		return fail(why, whylen, "is in scientific notation: format the "
		    "column as a number in the spreadsheet");
	if (p[0] == '-' || p[0] == '+') {
		neg = p[0] == '-';
		i++;
	}
	if (neg && o < cap)
		out[o++] = '-';
	for (; i < len; i++) {
		if (p[i] >= '0' && p[i] <= '9') {
			if (o + 2 >= cap)
				return fail(why, whylen, "has too many digits");
			out[o++] = (char)p[i];
			digits = true;
			group++;
			continue;
		}
		if (frac)
			return fail(why, whylen, "is not a number: '%c' after the "
			    "decimal separator", p[i]);
		if (p[i] == (unsigned char)dec) {
			if (!digits || (grouped && group != 3))
				return fail(why, whylen, "is not a number in the "
				    "format you chose (decimal separator '%c')", dec);
			out[o++] = '.';
			frac = true;
			continue;
		}
		sep = thousands_at(p + i, len - i, dec);
		if (sep == 0)
			return fail(why, whylen, "is not a number (decimal "
			    "separator '%c')", dec);
		/* Groups of three after the first: "1,5" is not fifteen. */
		if (!digits || group > 3 || (grouped && group != 3)) {
			if (p[i] == ',' || p[i] == '.')
				return fail(why, whylen, "uses '%c' but the decimal "
				    "separator is '%c'", p[i], dec);
			return fail(why, whylen, "is not a number (decimal "
			    "separator '%c')", dec);
		}
		grouped = true;
		group = 0;
		lastsep = (char)p[i];
		i += sep - 1;
	}
	if (!digits || out[o - 1] == '.')
		return fail(why, whylen, "is not a number");
	if (grouped && !frac && group != 3) {
		return fail(why, whylen, "uses '%c', which is neither the "
		    "decimal separator '%c' nor a thousands separator before "
		    "three digits", lastsep, dec);
	}
	out[o] = '\0';
	return 0;
}

/*
 * The decimal string s ("-12.345") times 10^shift as a whole number,
 * refusing digits that would be lost. -1 with why.
 */
static int
scaled(const char *s, int shift, int64_t *out, char *why, size_t whylen,
    const char *toomany)
{
	const char *dot = strchr(s, '.');
	bool neg = s[0] == '-';
	int64_t v = 0;
	int fracn = 0;

	for (const char *p = s + (neg ? 1 : 0); *p; p++) {
		if (*p == '.')
			continue;
		if (dot != NULL && p > dot) {
			if (fracn == shift) {
				if (*p != '0')
					return fail(why, whylen, "%s", toomany);
				continue;
			}
			fracn++;
		}
		if (v > (INT64_MAX - 9) / 10)
			return fail(why, whylen, "is too large");
		v = v * 10 + (*p - '0');
	}
	for (; fracn < shift; fracn++) {
		if (v > INT64_MAX / 10)
			return fail(why, whylen, "is too large");
		v *= 10;
	}
	*out = neg ? -v : v;
	return 0;
}

/* The decimal string s times 100 (a fraction to a percentage), in place. */
static void
times100(char *s, size_t cap)
{
	char *dot = strchr(s, '.');
	char tmp[NUM_MAX + 4];
	size_t o = 0;
	int moved = 0;
	bool neg = s[0] == '-';
	const char *p = s + (neg ? 1 : 0);

	if (neg)
		tmp[o++] = '-';
	for (; *p && p != dot; p++)
		tmp[o++] = *p;
	if (dot != NULL)
		for (p = dot + 1; *p && moved < 2; p++, moved++)
			tmp[o++] = *p;
	for (; moved < 2; moved++)
		tmp[o++] = '0';
	if (dot != NULL && *p) {
		tmp[o++] = '.';
		for (; *p; p++)
			tmp[o++] = *p;
	}
	tmp[o] = '\0';
	/* Leading zeros of the whole part go ("015" -> "15"). */
	p = tmp + (neg ? 1 : 0);
	while (p[0] == '0' && p[1] != '\0' && p[1] != '.')
		p++;
	o = 0;
	if (neg)
		s[o++] = '-';
	for (; *p && o + 1 < cap; p++)
		s[o++] = *p;
	s[o] = '\0';
}

/* Trailing fraction zeros and a bare point go: "15.50" -> "15.5". */
static void
tidy(char *s)
{
	char *dot = strchr(s, '.');
	size_t n;

	if (dot == NULL)
		return;
	n = strlen(s);
	while (n > 0 && s[n - 1] == '0')
		s[--n] = '\0';
	if (s[n - 1] == '.')
		s[n - 1] = '\0';
	if (strcmp(s, "-0") == 0)
		memmove(s, s + 1, 2);	/* "0" and its NUL */
}

/* The number of a cell: XLSX numbers are written with '.'. */
static int
cell_number(const struct table_cell *c, const struct imp_popts *o, char *out,
    char *why, size_t whylen)
{
	char dec = c->kind == TC_TEXT ? o->decimal : '.';

	if (c->kind == TC_DATE || c->kind == TC_DATETIME)
		return fail(why, whylen, "is a date, not a number");
	if (c->kind == TC_BOOL)
		return fail(why, whylen, "is TRUE or FALSE, not a number");
	return imp_decimal(c->s, c->len, dec, out, NUM_MAX, why, whylen);
}

static int
parse_percent(const struct table_cell *c, const struct imp_popts *o,
    char *num, char *why, size_t whylen)
{
	const char *s = c->s;
	size_t len = c->len;

	if (c->kind == TC_PERCENT) {
		if (imp_decimal(s, len, '.', num, NUM_MAX, why, whylen) != 0)
			return -1;
		times100(num, NUM_MAX);
		return 0;
	}
	trim(&s, &len);
	if (len > 0 && s[len - 1] == '%') {
		struct table_cell t = *c;

		t.s = s;
		t.len = len - 1;
		return cell_number(&t, o, num, why, whylen);
	}
	if (o->percent == PCT_SIGN)
		return fail(why, whylen, "has no %% sign: say in the options "
		    "whether 0.15 or 15 means 15 %% (percent: fraction or number)");
	if (cell_number(c, o, num, why, whylen) != 0)
		return -1;
	if (o->percent == PCT_FRACTION)
		times100(num, NUM_MAX);
	return 0;
}

/* ---- dates ---- */

static bool
digits_at(const char *s, size_t n, int *v)
{
	*v = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		*v = *v * 10 + (s[i] - '0');
	}
	return true;
}

/* "YYYY-MM-DD" of a date in format f (exactly 10 characters). */
static int
parse_date(const char *s, size_t len, enum imp_datefmt f, char out[11],
    char *why, size_t whylen)
{
	int y, m, d;
	bool ok;
	int64_t days;

	if (len != 10)
		return fail(why, whylen, "is not a date in the format %s",
		    imp_datefmt_name(f));
	switch (f) {
	case DF_ISO:
		ok = s[4] == '-' && s[7] == '-' && digits_at(s, 4, &y) &&
		    digits_at(s + 5, 2, &m) && digits_at(s + 8, 2, &d);
		break;
	case DF_DMY_DOT:
	case DF_DMY_SLASH:
		ok = s[2] == (f == DF_DMY_DOT ? '.' : '/') && s[5] == s[2] &&
		    digits_at(s, 2, &d) && digits_at(s + 3, 2, &m) &&
		    digits_at(s + 6, 4, &y);
		break;
	default:
		ok = s[2] == '/' && s[5] == '/' && digits_at(s, 2, &m) &&
		    digits_at(s + 3, 2, &d) && digits_at(s + 6, 4, &y);
		break;
	}
	if (!ok)
		return fail(why, whylen, "is not a date in the format %s",
		    imp_datefmt_name(f));
	/* Each part was read from exactly 4 (2) digits. */
	for (int i = 3; i >= 0; i--, y /= 10)
		out[i] = (char)('0' + y % 10);
	out[4] = out[7] = '-';
	out[5] = (char)('0' + m / 10);
	out[6] = (char)('0' + m % 10);
	out[8] = (char)('0' + d / 10);
	out[9] = (char)('0' + d % 10);
	out[10] = '\0';
	if (time_parse_date(out, 10, &days) != 0)
		return fail(why, whylen, "is not a day of the calendar");
	return 0;
}

static int
parse_datetime(const struct table_cell *c, const struct imp_popts *o,
    json_t **out, char *why, size_t whylen)
{
	const char *s = c->s;
	size_t len = c->len;
	char date[11], iso[96];
	int64_t ms;
	int h, mi, sec = 0;

	trim(&s, &len);
	if (c->kind == TC_DATETIME || c->kind == TC_DATE) {
		snprintf(iso, sizeof(iso), "%.*s%sZ", (int)len, s,
		    c->kind == TC_DATE ? "T00:00:00" : "");
	} else if (time_parse_datetime(s, len, &ms) == 0) {
		*out = json_stringn(s, len);
		return 0;
	} else {
		if (len < 16 || parse_date(s, 10, o->date, date, why, whylen) != 0 ||
		    s[10] != ' ' || !digits_at(s + 11, 2, &h) || s[13] != ':' ||
		    !digits_at(s + 14, 2, &mi) || (len != 16 && (len != 19 ||
		    s[16] != ':' || !digits_at(s + 17, 2, &sec))))
			return fail(why, whylen, "is not a date and time in the "
			    "format %s HH:MM[:SS] or 2026-11-26T17:20:00Z",
			    imp_datefmt_name(o->date));
		snprintf(iso, sizeof(iso), "%sT%02d:%02d:%02dZ", date, h, mi, sec);
	}
	if (time_parse_datetime(iso, strlen(iso), &ms) != 0)
		return fail(why, whylen, "is not a valid date and time");
	*out = json_string(iso);
	return 0;
}

/* ---- lists and words ---- */

static bool
is_sep(char ch, bool space)
{
	return ch == ',' || ch == ';' || (space && (ch == ' ' || ch == '\t' ||
	    ch == '\n' || ch == '\r'));
}

/* Splits on , ; (and white space): an array of the trimmed pieces. */
static json_t *
split(const char *s, size_t len, bool space)
{
	json_t *a = json_array();
	size_t i = 0;

	while (i < len) {
		size_t start, n;
		const char *piece;

		while (i < len && is_sep(s[i], space))
			i++;
		start = i;
		while (i < len && !is_sep(s[i], space))
			i++;
		piece = s + start;
		n = i - start;
		trim(&piece, &n);
		if (n > 0)
			json_array_append_new(a, json_stringn(piece, n));
	}
	return a;
}

static int
parse_list(const struct imp_target *t, const char *s, size_t len,
    json_t **out, char *why, size_t whylen)
{
	bool phones = t->type == IT_PHONES || t->type == IT_PHONE;
	bool one = t->type == IT_PHONE || t->type == IT_EMAIL;
	json_t *a, *item;
	size_t i;

	if (phones && scientific(s, len))
		return fail(why, whylen, "the phone lost digits in scientific "
		    "notation: format the column as text in the spreadsheet");
	a = split(s, len, !phones);
	if (json_array_size(a) > (one ? 1 : LIST_MAX)) {
		json_decref(a);
		return one ? fail(why, whylen, "holds more than one %s",
		    phones ? "phone number" : "email address") :
		    fail(why, whylen, "holds more than %d entries", LIST_MAX);
	}
	json_array_foreach(a, i, item) {
		const char *v = json_string_value(item);
		size_t n = json_string_length(item);

		if (phones ? !text_is_phone(v, n) : !text_is_email(v, n)) {
			fail(why, whylen, phones ? "'%.60s' is not a phone number "
			    "(digits, spaces, dashes, brackets, a leading +)" :
			    "'%.60s' is not an email address", v);
			json_decref(a);
			return -1;
		}
	}
	if (one) {
		*out = json_incref(json_array_get(a, 0));
		json_decref(a);
	} else {
		*out = a;
	}
	return 0;
}

static int
parse_bool(const char *s, size_t len, bool *v)
{
	static const char *const yes[] = { "yes", "true", "1", "y", "да", "Да",
	    "ДА", "はい" };
	static const char *const no[] = { "no", "false", "0", "n", "нет", "Нет",
	    "НЕТ", "いいえ" };

	for (size_t i = 0; i < sizeof(yes) / sizeof(*yes); i++) {
		if (strlen(yes[i]) == len && strncasecmp(yes[i], s, len) == 0) {
			*v = true;
			return 0;
		}
		if (strlen(no[i]) == len && strncasecmp(no[i], s, len) == 0) {
			*v = false;
			return 0;
		}
	}
	return -1;
}

/* One choice: the mapped value, else exactly one of the choices. */
static int
choose(const struct imp_target *t, json_t *values, const char *s, size_t len,
    json_t **out, char *why, size_t whylen)
{
	char key[512];
	json_t *mapped, *c;
	size_t i, o = 0;

	snprintf(key, sizeof(key), "%.*s", (int)len, s);
	mapped = json_object_get(values, key);
	if (json_is_string(mapped)) {
		s = json_string_value(mapped);
		len = json_string_length(mapped);
	}
	json_array_foreach(t->choices, i, c) {
		if (json_string_length(c) == len &&
		    memcmp(json_string_value(c), s, len) == 0) {
			*out = json_incref(c);
			return 0;
		}
	}
	o = (size_t)snprintf(why, whylen, "is not one of ");
	json_array_foreach(t->choices, i, c) {
		if (o >= whylen)
			break;
		o += (size_t)snprintf(why + o, whylen - o, "%s'%s'", i ? ", " : "",
		    json_string_value(c));
	}
	if (o < whylen)
		snprintf(why + o, whylen - o, "%s", json_array_size(t->choices) ?
		    " (map the value onto one)" : "(the field has no choices)");
	return -1;
}

static int
parse_text(const struct imp_target *t, const char *s, size_t len,
    json_t **out, char *why, size_t whylen)
{
	if (!text_utf8_valid(s, len))
		return fail(why, whylen, "is not valid text");
	if (t->maxlen > 0 && text_utf8_count(s, len) > t->maxlen)
		return fail(why, whylen, "is longer than %zu characters",
		    t->maxlen);
	*out = json_stringn(s, len);
	return 0;
}

int
imp_parse_cell(const struct imp_target *t, const struct imp_popts *o,
    const struct table_cell *c, json_t *values, json_t **out, char *why,
    size_t whylen)
{
	const char *s = c->s;
	size_t len = c->len;
	struct table_cell trimmed;
	char num[NUM_MAX], date[11];
	int64_t v;
	bool b;

	*out = NULL;
	trim(&s, &len);
	/*
	 * A text cell "'+1 555..." is how crm's export (and spreadsheets)
	 * keep a value starting with = + - @ from running as a formula: the
	 * apostrophe is the guard, not the value.
	 */
	if (c->kind == TC_TEXT && len > 1 && s[0] == '\'' &&
	    strchr("=+-@\t\r", s[1]) != NULL) {
		s++;
		len--;
	}
	if (c->kind == TC_EMPTY || len == 0)
		return 0;
	/* Every rule below reads the trimmed value. */
	trimmed = *c;
	trimmed.s = s;
	trimmed.len = len;
	c = &trimmed;
	if (c->kind == TC_ERROR)
		return fail(why, whylen, "the spreadsheet shows an error here "
		    "(%.40s)", s);
	switch (t->type) {
	case IT_TEXT:
		return parse_text(t, s, len, out, why, whylen);
	case IT_INTEGER:
	case IT_ID:
		if (cell_number(c, o, num, why, whylen) != 0)
			return -1;
		if (strchr(num, '.') != NULL)
			tidy(num);
		if (strchr(num, '.') != NULL)
			return fail(why, whylen, "is not a whole number");
		if (scaled(num, 0, &v, why, whylen, "") != 0)
			return -1;
		if (t->type == IT_ID && v <= 0)
			return fail(why, whylen, "is not an id (a positive whole "
			    "number)");
		*out = json_integer(v);
		return 0;
	case IT_DECIMAL:
		if (cell_number(c, o, num, why, whylen) != 0)
			return -1;
		tidy(num);
		*out = json_string(num);
		return 0;
	case IT_MONEY:
		if (cell_number(c, o, num, why, whylen) != 0)
			return -1;
		if (scaled(num, o->money_digits, &v, why, whylen, o->money_digits ?
		    "has more decimals than the currency has" :
		    "has decimals but the currency has none") != 0)
			return -1;
		*out = json_integer(v);
		return 0;
	case IT_PERCENT:
		if (parse_percent(c, o, num, why, whylen) != 0)
			return -1;
		tidy(num);
		*out = json_string(num);
		return 0;
	case IT_DATE:
		if (c->kind == TC_DATE || c->kind == TC_DATETIME) {
			if (c->kind == TC_DATETIME && (len < 19 ||
			    strncmp(s + 10, "T00:00:00", 9) != 0))
				return fail(why, whylen, "has a time of day; the "
				    "field takes a date only");
			*out = json_stringn(s, 10);
			return 0;
		}
		if (c->kind == TC_NUMBER)
			return fail(why, whylen, "is a number, not a date: format "
			    "the column as a date in the spreadsheet");
		if (parse_date(s, len, o->date, date, why, whylen) != 0)
			return -1;
		*out = json_string(date);
		return 0;
	case IT_DATETIME:
		return parse_datetime(c, o, out, why, whylen);
	case IT_EMAILS:
	case IT_EMAIL:
	case IT_PHONES:
	case IT_PHONE:
		return parse_list(t, s, len, out, why, whylen);
	case IT_URL:
		if (!text_is_url(s, len))
			return fail(why, whylen, "is not a URL (http:// or https://)");
		*out = json_stringn(s, len);
		return 0;
	case IT_CHOICE:
		return choose(t, values, s, len, out, why, whylen);
	case IT_MULTICHOICE: {
		json_t *a = split(s, len, false), *item, *one;
		size_t i;

		json_array_foreach(a, i, item) {
			if (choose(t, values, json_string_value(item),
			    json_string_length(item), &one, why, whylen) != 0) {
				json_decref(a);
				return -1;
			}
			json_array_set_new(a, i, one);
		}
		*out = a;
		return 0;
	}
	case IT_BOOL:
		if (parse_bool(s, len, &b) != 0)
			return fail(why, whylen, "is not yes or no (yes/no, "
			    "true/false, 1/0, да/нет, はい/いいえ)");
		*out = json_boolean(b);
		return 0;
	case IT_LINK:
	case IT_USER:
		*out = json_stringn(s, len);
		return 0;
	case IT_CURRENCY: {
		char code[4];

		if (len != 3)
			return fail(why, whylen, "is not a currency code (EUR)");
		for (int i = 0; i < 3; i++)
			code[i] = (char)(s[i] >= 'a' && s[i] <= 'z' ? s[i] - 32 : s[i]);
		code[3] = '\0';
		if (currency_find(code) == NULL)
			return fail(why, whylen, "is not a known currency code");
		*out = json_string(code);
		return 0;
	}
	case IT_TAGS:
		*out = split(s, len, false);
		return 0;
	}
	return fail(why, whylen, "cannot be imported");
}

/* ---- total rows ---- */

static bool
total_word(const char *s, size_t len)
{
	static const char *const words[] = { "total", "totals", "grand total",
	    "итого", "итог", "всего", "合計", "総計", "summe", "gesamt",
	    "total général", "totale", "suma total" };
	char low[64];

	trim(&s, &len);
	while (len > 0 && (s[len - 1] == ':' || s[len - 1] == '.'))
		len--;
	if (len == 0 || len >= sizeof(low))
		return false;
	for (size_t i = 0; i < len; i++)
		low[i] = (char)(s[i] >= 'A' && s[i] <= 'Z' ? s[i] + 32 : s[i]);
	low[len] = '\0';
	for (size_t i = 0; i < sizeof(words) / sizeof(*words); i++) {
		if (strcmp(low, words[i]) == 0)
			return true;
	}
	/* Cyrillic capitals: ИТОГО, ВСЕГО, Итого, Всего. */
	return strcmp(low, "ИТОГО") == 0 || strcmp(low, "ВСЕГО") == 0 ||
	    strcmp(low, "Итого") == 0 || strcmp(low, "Всего") == 0 ||
	    strcmp(low, "Итог") == 0;
}

bool
imp_total_row(const struct table_cell *cells, size_t n)
{
	size_t values = 0, formulas = 0;

	for (size_t i = 0; i < n; i++) {
		if (cells[i].kind == TC_EMPTY || cells[i].len == 0)
			continue;
		values++;
		if (cells[i].kind == TC_TEXT && total_word(cells[i].s, cells[i].len))
			return true;
		if (cells[i].formula && (cells[i].kind == TC_NUMBER ||
		    cells[i].kind == TC_PERCENT))
			formulas++;
	}
	return values > 0 && values == formulas;
}
