/*
 * core/import_parse.c and import_map.c: every type rule of an import,
 * good and bad, the total row, and the header suggestions in several
 * languages. A cell is parsed by its target's declared type with the
 * options the user stated; what does not follow the rule is refused with
 * a reason, never guessed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/import_int.h"

static const struct imp_popts dot = { '.', DF_ISO, PCT_SIGN, 2 };

/* Parses text s for a target of type t with options o: the value as JSON. */
static char *
parse_kind(enum imp_type t, const struct imp_popts *o, enum table_cell_kind k,
    const char *s, char *why)
{
	struct imp_target tg;
	struct table_cell c = { s, strlen(s), k, false };
	json_t *v = NULL;
	char *out;

	memset(&tg, 0, sizeof(tg));
	tg.type = t;
	tg.maxlen = 10;
	why[0] = '\0';
	if (imp_parse_cell(&tg, o, &c, NULL, &v, why, 256) != 0)
		return NULL;
	if (v == NULL)
		return strdup("(empty)");
	out = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
	json_decref(v);
	return out;
}

static void
ok(enum imp_type t, const struct imp_popts *o, enum table_cell_kind k,
    const char *in, const char *want)
{
	char why[256];
	char *got = parse_kind(t, o, k, in, why);

	if (got == NULL)
		fail_msg("'%s' refused: %s", in, why);
	if (strcmp(got, want) != 0)
		fail_msg("'%s' gave %s, not %s", in, got, want);
	free(got);
}

static void
bad(enum imp_type t, const struct imp_popts *o, enum table_cell_kind k,
    const char *in, const char *reason_part)
{
	char why[256];
	char *got = parse_kind(t, o, k, in, why);

	if (got != NULL)
		fail_msg("'%s' accepted as %s", in, got);
	if (strstr(why, reason_part) == NULL)
		fail_msg("'%s': reason '%s' lacks '%s'", in, why, reason_part);
}

static void
text_is_trimmed_and_capped(void **state)
{
	(void)state;
	ok(IT_TEXT, &dot, TC_TEXT, "  Anna \t", "\"Anna\"");
	ok(IT_TEXT, &dot, TC_TEXT, "   ", "(empty)");
	ok(IT_TEXT, &dot, TC_TEXT, "Иванова", "\"Иванова\"");
	bad(IT_TEXT, &dot, TC_TEXT, "eleven char", "longer than 10");
	bad(IT_TEXT, &dot, TC_ERROR, "#DIV/0!", "error here (#DIV/0!)");
}

static void
integers_are_whole(void **state)
{
	(void)state;
	ok(IT_INTEGER, &dot, TC_TEXT, "1 234", "1234");
	ok(IT_INTEGER, &dot, TC_TEXT, "-15", "-15");
	ok(IT_INTEGER, &dot, TC_NUMBER, "42", "42");
	ok(IT_INTEGER, &dot, TC_TEXT, "12.00", "12");
	bad(IT_INTEGER, &dot, TC_TEXT, "12.5", "not a whole number");
	bad(IT_INTEGER, &dot, TC_TEXT, "twelve", "not a number");
	bad(IT_INTEGER, &dot, TC_TEXT, "99999999999999999999", "too large");
}

static void
decimals_follow_the_stated_separator(void **state)
{
	struct imp_popts comma = dot;

	(void)state;
	comma.decimal = ',';
	ok(IT_DECIMAL, &comma, TC_TEXT, "1 234,56", "\"1234.56\"");
	ok(IT_DECIMAL, &comma, TC_TEXT, "1\xc2\xa0" "234,5", "\"1234.5\"");
	ok(IT_DECIMAL, &comma, TC_TEXT, "1.234.567,89", "\"1234567.89\"");
	ok(IT_DECIMAL, &dot, TC_TEXT, "1,234,567.89", "\"1234567.89\"");
	ok(IT_DECIMAL, &dot, TC_TEXT, "1'234.5", "\"1234.5\"");
	ok(IT_DECIMAL, &dot, TC_TEXT, "-0.50", "\"-0.5\"");
	/* An XLSX number is written with '.' whatever the user's separator. */
	ok(IT_DECIMAL, &comma, TC_NUMBER, "1234.5", "\"1234.5\"");
	/* "1,5" is not fifteen when the separator is '.'. */
	bad(IT_DECIMAL, &dot, TC_TEXT, "1,5", "neither the decimal separator");
	bad(IT_DECIMAL, &comma, TC_TEXT, "1.5", "neither the decimal separator");
	bad(IT_DECIMAL, &dot, TC_TEXT, "12,34,567", "separator");
	bad(IT_DECIMAL, &dot, TC_TEXT, "1.2.3", "not a number");
	bad(IT_DECIMAL, &dot, TC_TEXT, "1.5E+3", "scientific notation");
	bad(IT_DECIMAL, &dot, TC_DATE, "2026-01-02", "a date, not a number");
}

static void
money_becomes_minor_units_of_its_currency(void **state)
{
	struct imp_popts yen = dot, comma = dot;

	(void)state;
	yen.money_digits = 0;
	comma.decimal = ',';
	ok(IT_MONEY, &dot, TC_TEXT, "1 234.56", "123456");
	ok(IT_MONEY, &dot, TC_TEXT, "10", "1000");
	ok(IT_MONEY, &dot, TC_TEXT, "10.5", "1050");
	ok(IT_MONEY, &comma, TC_TEXT, "99,90", "9990");
	ok(IT_MONEY, &yen, TC_TEXT, "1500", "1500");
	bad(IT_MONEY, &dot, TC_TEXT, "10.555", "more decimals than the currency");
	bad(IT_MONEY, &yen, TC_TEXT, "15.5", "the currency has none");
}

static void
percentages_need_the_users_word(void **state)
{
	struct imp_popts frac = dot, num = dot;

	(void)state;
	frac.percent = PCT_FRACTION;
	num.percent = PCT_NUMBER;
	ok(IT_PERCENT, &dot, TC_TEXT, "15%", "\"15\"");
	ok(IT_PERCENT, &dot, TC_TEXT, "12.5 %", "\"12.5\"");
	ok(IT_PERCENT, &frac, TC_TEXT, "0.15", "\"15\"");
	ok(IT_PERCENT, &frac, TC_TEXT, "0.125", "\"12.5\"");
	ok(IT_PERCENT, &num, TC_TEXT, "15", "\"15\"");
	/* An XLSX percentage cell holds the fraction. */
	ok(IT_PERCENT, &dot, TC_PERCENT, "0.15", "\"15\"");
	ok(IT_PERCENT, &num, TC_PERCENT, "1.5", "\"150\"");
	bad(IT_PERCENT, &dot, TC_TEXT, "0.15", "has no % sign");
}

static void
dates_in_the_stated_format(void **state)
{
	struct imp_popts dmy = dot, mdy = dot, dmys = dot;

	(void)state;
	dmy.date = DF_DMY_DOT;
	mdy.date = DF_MDY_SLASH;
	dmys.date = DF_DMY_SLASH;
	ok(IT_DATE, &dot, TC_TEXT, "2026-03-04", "\"2026-03-04\"");
	ok(IT_DATE, &dmy, TC_TEXT, "04.03.2026", "\"2026-03-04\"");
	ok(IT_DATE, &mdy, TC_TEXT, "03/04/2026", "\"2026-03-04\"");
	ok(IT_DATE, &dmys, TC_TEXT, "04/03/2026", "\"2026-03-04\"");
	ok(IT_DATE, &dot, TC_DATE, "2026-03-04", "\"2026-03-04\"");
	ok(IT_DATE, &dot, TC_DATETIME, "2026-03-04T00:00:00", "\"2026-03-04\"");
	bad(IT_DATE, &dot, TC_TEXT, "04.03.2026", "format YYYY-MM-DD");
	bad(IT_DATE, &dmy, TC_TEXT, "2026-03-04", "format DD.MM.YYYY");
	bad(IT_DATE, &dot, TC_TEXT, "2026-02-30", "not a day of the calendar");
	bad(IT_DATE, &dot, TC_NUMBER, "46085", "a number, not a date");
	bad(IT_DATE, &dot, TC_DATETIME, "2026-03-04T10:30:00", "time of day");
	ok(IT_DATETIME, &dmy, TC_TEXT, "04.03.2026 10:30", "\"2026-03-04T10:30:00Z\"");
	ok(IT_DATETIME, &dot, TC_TEXT, "2026-03-04T10:30:00+03:00",
	    "\"2026-03-04T10:30:00+03:00\"");
	ok(IT_DATETIME, &dot, TC_DATETIME, "2026-03-04T10:30:00",
	    "\"2026-03-04T10:30:00Z\"");
	bad(IT_DATETIME, &dot, TC_TEXT, "yesterday", "not a date and time");
}

static void
emails_and_phones_split_and_checked(void **state)
{
	(void)state;
	ok(IT_EMAILS, &dot, TC_TEXT, "a@x.com; b@y.org, c@z.net d@w.io",
	    "[\"a@x.com\",\"b@y.org\",\"c@z.net\",\"d@w.io\"]");
	bad(IT_EMAILS, &dot, TC_TEXT, "a@x.com, bob@", "'bob@' is not an email");
	ok(IT_EMAIL, &dot, TC_TEXT, "a@x.com", "\"a@x.com\"");
	bad(IT_EMAIL, &dot, TC_TEXT, "a@x.com b@x.com", "more than one");
	ok(IT_PHONES, &dot, TC_TEXT, "+7 916 123-45-67; (495) 123 45 67",
	    "[\"+7 916 123-45-67\",\"(495) 123 45 67\"]");
	ok(IT_PHONES, &dot, TC_NUMBER, "79161234567", "[\"79161234567\"]");
	bad(IT_PHONES, &dot, TC_TEXT, "7.9161E+10", "lost digits in scientific "
	    "notation: format the column as text");
	bad(IT_PHONES, &dot, TC_NUMBER, "7.9161234567E10", "scientific notation");
	bad(IT_PHONES, &dot, TC_TEXT, "call me", "is not a phone number");
}

static void
urls_currencies_tags(void **state)
{
	(void)state;
	ok(IT_URL, &dot, TC_TEXT, "https://example.com/a", "\"https://example.com/a\"");
	bad(IT_URL, &dot, TC_TEXT, "example.com", "not a URL");
	ok(IT_CURRENCY, &dot, TC_TEXT, "eur", "\"EUR\"");
	bad(IT_CURRENCY, &dot, TC_TEXT, "EURO", "not a currency code");
	bad(IT_CURRENCY, &dot, TC_TEXT, "XYZ", "not a known currency");
	ok(IT_TAGS, &dot, TC_TEXT, "vip; retail,  b2b ", "[\"vip\",\"retail\",\"b2b\"]");
	ok(IT_ID, &dot, TC_TEXT, "17", "17");
	bad(IT_ID, &dot, TC_TEXT, "0", "not an id");
}

static void
yes_and_no_in_several_languages(void **state)
{
	static const char *const yes[] = { "yes", "Yes", "TRUE", "1", "да", "Да",
	    "はい" };
	static const char *const no[] = { "no", "FALSE", "0", "нет", "НЕТ",
	    "いいえ" };

	(void)state;
	for (size_t i = 0; i < sizeof(yes) / sizeof(*yes); i++)
		ok(IT_BOOL, &dot, TC_TEXT, yes[i], "true");
	for (size_t i = 0; i < sizeof(no) / sizeof(*no); i++)
		ok(IT_BOOL, &dot, TC_TEXT, no[i], "false");
	ok(IT_BOOL, &dot, TC_BOOL, "TRUE", "true");
	bad(IT_BOOL, &dot, TC_TEXT, "maybe", "not yes or no");
}

static void
choices_are_exact_or_mapped(void **state)
{
	struct imp_target t;
	struct table_cell c = { "Gold", 4, TC_TEXT, false };
	json_t *values = json_pack("{s:s}", "Gold", "vip"), *v = NULL;
	char why[256];

	(void)state;
	memset(&t, 0, sizeof(t));
	t.type = IT_CHOICE;
	t.choices = json_pack("[s, s]", "vip", "regular");
	assert_int_equal(imp_parse_cell(&t, &dot, &c, NULL, &v, why, sizeof(why)),
	    -1);
	assert_non_null(strstr(why, "is not one of 'vip', 'regular'"));
	assert_int_equal(imp_parse_cell(&t, &dot, &c, values, &v, why,
	    sizeof(why)), 0);
	assert_string_equal(json_string_value(v), "vip");
	json_decref(v);
	t.type = IT_MULTICHOICE;
	c.s = "vip; Gold";
	c.len = strlen(c.s);
	assert_int_equal(imp_parse_cell(&t, &dot, &c, values, &v, why,
	    sizeof(why)), 0);
	assert_int_equal(json_array_size(v), 2);
	json_decref(v);
	json_decref(values);
	json_decref(t.choices);
}

static void
total_rows_are_recognised(void **state)
{
	struct table_cell words[] = {
		{ "", 0, TC_EMPTY, false }, { "Итого:", 11, TC_TEXT, false },
		{ "1500", 4, TC_NUMBER, true },
	};
	struct table_cell formulas[] = {
		{ "", 0, TC_EMPTY, false }, { "1500", 4, TC_NUMBER, true },
		{ "0.3", 3, TC_PERCENT, true },
	};
	struct table_cell person[] = {
		{ "Anna", 4, TC_TEXT, false }, { "1500", 4, TC_NUMBER, true },
	};
	static const char *const ws[] = { "Total", "TOTAL", "合計", "Summe",
	    "Всего", "Итого" };

	(void)state;
	assert_true(imp_total_row(words, 3));
	assert_true(imp_total_row(formulas, 3));
	assert_false(imp_total_row(person, 2));
	assert_false(imp_total_row(words, 1));
	for (size_t i = 0; i < sizeof(ws) / sizeof(*ws); i++) {
		struct table_cell c = { ws[i], strlen(ws[i]), TC_TEXT, false };

		assert_true(imp_total_row(&c, 1));
	}
}

/* Targets as contacts and companies have them, without a database. */
static struct imp_targets *
targets(const char *const *names, size_t n, const struct entity *e)
{
	struct imp_targets *ts = calloc(1, sizeof(*ts));

	ts->e = e;
	ts->t = calloc(n, sizeof(*ts->t));
	ts->n = n;
	for (size_t i = 0; i < n; i++)
		snprintf(ts->t[i].name, sizeof(ts->t[i].name), "%s", names[i]);
	return ts;
}

static const char *
suggest(const struct imp_targets *ts, const char *h)
{
	const struct imp_target *t = imp_suggest(ts, h, strlen(h));

	return t ? t->name : "-";
}

static void
headers_suggest_fields_in_several_languages(void **state)
{
	static const char *const contact[] = { "first_name", "last_name",
	    "emails", "phones", "company_id", "birthday", "owner_id",
	    "custom.segment" };
	static const char *const company[] = { "name", "tax_id", "emails",
	    "phones", "website" };
	struct imp_targets *c = targets(contact, 8, &entity_contacts);
	struct imp_targets *co = targets(company, 5, &entity_companies);

	(void)state;
	c->t[7].label = "Customer segment";
	assert_string_equal(suggest(c, "E-mail"), "emails");
	assert_string_equal(suggest(c, "Почта"), "emails");
	assert_string_equal(suggest(c, "メール"), "emails");
	assert_string_equal(suggest(c, "Courriel"), "emails");
	assert_string_equal(suggest(c, "Телефон"), "phones");
	assert_string_equal(suggest(c, "電話番号"), "phones");
	assert_string_equal(suggest(c, "Teléfono"), "phones");
	assert_string_equal(suggest(c, "Компания"), "company_id");
	assert_string_equal(suggest(c, "会社名"), "company_id");
	assert_string_equal(suggest(c, "Имя"), "first_name");
	assert_string_equal(suggest(c, "ФАМИЛИЯ"), "last_name");
	assert_string_equal(suggest(c, "First name"), "first_name");
	assert_string_equal(suggest(c, "Nachname"), "last_name");
	assert_string_equal(suggest(c, "Name"), "first_name");
	assert_string_equal(suggest(c, "custom.segment"), "custom.segment");
	assert_string_equal(suggest(c, "Customer segment"), "custom.segment");
	assert_string_equal(suggest(c, "first_name"), "first_name");
	assert_string_equal(suggest(c, "Shoe size"), "-");
	assert_string_equal(suggest(co, "name"), "name");
	assert_string_equal(suggest(co, "Компания"), "name");
	assert_string_equal(suggest(co, "ИНН"), "tax_id");
	assert_string_equal(suggest(co, "Website"), "website");
	free(c->t);
	free(c);
	free(co->t);
	free(co);
}

static void
the_source_key_ignores_case_and_punctuation(void **state)
{
	json_t *a = json_pack("[s, s]", "E-mail", "Name");
	json_t *b = json_pack("[s, s]", "email", "NAME");
	json_t *c = json_pack("[s, s]", "Name", "E-mail");
	char ka[IMP_SOURCE_KEY], kb[IMP_SOURCE_KEY], kc[IMP_SOURCE_KEY];

	(void)state;
	imp_source_key(a, ka);
	imp_source_key(b, kb);
	imp_source_key(c, kc);
	assert_string_equal(ka, kb);
	assert_string_not_equal(ka, kc);
	json_decref(a);
	json_decref(b);
	json_decref(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(text_is_trimmed_and_capped),
		cmocka_unit_test(integers_are_whole),
		cmocka_unit_test(decimals_follow_the_stated_separator),
		cmocka_unit_test(money_becomes_minor_units_of_its_currency),
		cmocka_unit_test(percentages_need_the_users_word),
		cmocka_unit_test(dates_in_the_stated_format),
		cmocka_unit_test(emails_and_phones_split_and_checked),
		cmocka_unit_test(urls_currencies_tags),
		cmocka_unit_test(yes_and_no_in_several_languages),
		cmocka_unit_test(choices_are_exact_or_mapped),
		cmocka_unit_test(total_rows_are_recognised),
		cmocka_unit_test(headers_suggest_fields_in_several_languages),
		cmocka_unit_test(the_source_key_ignores_case_and_punctuation),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
