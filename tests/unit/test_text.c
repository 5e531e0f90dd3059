/* util/text, util/timeutil and util/urlform: what the server accepts from outside. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "util/buf.h"
#include "util/text.h"
#include "util/timeutil.h"
#include "util/urlform.h"

#define S(x) x, strlen(x)

static void
emails_people_type_are_accepted(void **state)
{
	(void)state;
	assert_true(text_is_email(S("ivan.petrov@example.ru")));
	assert_true(text_is_email(S("a+tag@sub.example.co.jp")));
	assert_false(text_is_email(S("no-at-sign.example.com")));
	assert_false(text_is_email(S("two@@example.com")));
	assert_false(text_is_email(S("space in@example.com")));
	assert_false(text_is_email(S("dot@example.")));
	assert_false(text_is_email(S("x@nodot")));
}

static void
phones_are_accepted_as_typed(void **state)
{
	char d[32];

	(void)state;
	assert_true(text_is_phone(S("+7 (495) 123-45-67")));
	assert_true(text_is_phone(S("030 1234567 ext 12")));
	assert_false(text_is_phone(S("call me")));
	assert_false(text_is_phone(S("12")));
	assert_int_equal(text_digits(S("+7 (495) 123-45-67"), d, sizeof(d)), 11);
	assert_string_equal(d, "74951234567");
}

static void
utf8_rejects_overlong_and_nul(void **state)
{
	(void)state;
	assert_true(text_utf8_valid(S("Müller Иван 山田")));
	assert_false(text_utf8_valid("\xc0\xaf", 2));
	assert_false(text_utf8_valid("a\0b", 3));
	assert_false(text_utf8_valid("\xed\xa0\x80", 3));	/* surrogate */
	assert_int_equal(text_utf8_count(S("山田")), 2);
}

static void
decimals_are_exact_strings(void **state)
{
	(void)state;
	assert_true(text_is_decimal(S("-12.50")));
	assert_true(text_is_decimal(S("7")));
	assert_false(text_is_decimal(S("1e5")));
	assert_false(text_is_decimal(S("12.")));
	assert_false(text_is_decimal(S("")));
}

static void
dates_are_real_calendar_dates(void **state)
{
	int64_t d, ms;
	char out[TIME_RFC3339_LEN];

	(void)state;
	assert_int_equal(time_parse_date(S("2024-02-29"), &d), 0);
	assert_int_not_equal(time_parse_date(S("2023-02-29"), &d), 0);
	assert_int_not_equal(time_parse_date(S("2023-13-01"), &d), 0);
	assert_int_equal(time_parse_date(S("1970-01-02"), &d), 0);
	assert_int_equal(d, 1);
	assert_int_equal(time_parse_datetime(S("2026-11-26T17:20:00+03:00"), &ms), 0);
	time_format(ms, out, sizeof(out));
	assert_string_equal(out, "2026-11-26T14:20:00.000Z");
	assert_int_not_equal(time_parse_datetime(S("2026-11-26 17:20:00"), &ms), 0);
}

static void
buffers_refuse_to_grow_past_their_cap(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 8);
	assert_int_equal(buf_puts(&b, "12345678"), 0);
	assert_int_equal(buf_putc(&b, '9'), -1);
	assert_int_equal(b.len, 8);
	assert_string_equal(b.data, "12345678");
	buf_free(&b);
}

static void
form_components_decode_plus_and_percent(void **state)
{
	char out[32];
	size_t n = 0;

	(void)state;
	assert_int_equal(urlform_decode(S("a+b%3Cc%3e%40"), out, &n), 0);
	assert_string_equal(out, "a b<c>@");
	assert_int_equal(n, 7);
	assert_int_equal(urlform_decode(S("a%00b"), out, &n), 0);
	assert_int_equal(n, 3);	/* a NUL inside: the caller must look */
	assert_int_equal(urlform_decode(S("100%"), out, &n), -1);
	assert_int_equal(urlform_decode(S("%4"), out, &n), -1);
	assert_int_equal(urlform_decode(S("%zz"), out, &n), -1);
	assert_int_equal(urlform_decode(S(""), out, &n), 0);
	assert_int_equal(n, 0);
}

struct seen {
	char	text[128];
	int	calls;
};

static int
collect(void *arg, const char *name, size_t nlen, const char *value,
    size_t vlen)
{
	struct seen *s = arg;
	size_t len = strlen(s->text);

	snprintf(s->text + len, sizeof(s->text) - len, "[%.*s=%.*s]", (int)nlen,
	    name, (int)vlen, value);
	return ++s->calls == 3 ? 7 : 0;
}

static void
form_bodies_split_into_pairs_with_a_cap(void **state)
{
	struct seen s = { "", -100 };	/* the third call stops it: not here */
	char many[URLFORM_PAIRS_MAX * 4 + 8] = "";

	(void)state;
	assert_int_equal(urlform_each(S("a=1&&b&c=x%20y"), collect, &s), 0);
	assert_string_equal(s.text, "[a=1][b=][c=x%20y]");
	s.text[0] = '\0';
	s.calls = 0;
	assert_int_equal(urlform_each(S("a=1&b=2&c=3&d=4"), collect, &s), 7);
	assert_string_equal(s.text, "[a=1][b=2][c=3]");
	for (int i = 0; i <= URLFORM_PAIRS_MAX; i++)
		memcpy(many + i * 4, "x=1&", 4);
	s.calls = -1000;
	assert_int_equal(urlform_each(S(many), collect, &s), -1);
}

/*
 * A per-client limit counts an IPv6 client's whole /64 (one subscriber
 * takes any address in it), and an IPv4 client, mapped or not, alone.
 */
static void
client_addresses_are_counted_by_their_network(void **state)
{
	static const char *const cases[][2] = {
		{ "2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::/64" },
		{ "2001:db8:1:2::1", "2001:db8:1:2::/64" },
		{ "2001:db8:1:3::1", "2001:db8:1:3::/64" },
		{ "::ffff:192.0.2.7", "::ffff:192.0.2.7" },
		{ "192.0.2.7", "192.0.2.7" },
		{ "", "" },
		{ "not:an:address", "not:an:address" },
	};
	char b[64];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		text_addr_bucket(cases[i][0], b, sizeof(b));
		assert_string_equal(b, cases[i][1]);
	}
}

static void
like_patterns_escape_wildcards_and_fit_their_buffer(void **state)
{
	char b[16];

	(void)state;
	text_like_pattern("a_b%c\\d", b, sizeof(b));
	assert_string_equal(b, "%a\\_b\\%c\\\\d%");
	text_like_pattern("", b, sizeof(b));
	assert_string_equal(b, "%%");
	/* Cut to fit, still closed by its "%". */
	text_like_pattern("abcdefghijklmnopqrstuvwxyz", b, sizeof(b));
	assert_string_equal(b, "%abcdefghijkl%");
	text_like_pattern("abc", b, 2);
	assert_string_equal(b, "");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(emails_people_type_are_accepted),
		cmocka_unit_test(phones_are_accepted_as_typed),
		cmocka_unit_test(utf8_rejects_overlong_and_nul),
		cmocka_unit_test(decimals_are_exact_strings),
		cmocka_unit_test(dates_are_real_calendar_dates),
		cmocka_unit_test(buffers_refuse_to_grow_past_their_cap),
		cmocka_unit_test(form_components_decode_plus_and_percent),
		cmocka_unit_test(form_bodies_split_into_pairs_with_a_cap),
		cmocka_unit_test(client_addresses_are_counted_by_their_network),
		cmocka_unit_test(like_patterns_escape_wildcards_and_fit_their_buffer),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
