/*
 * core/activities, more: which phone numbers name the same line when a
 * PBX posts a call, and (later) the dates a recurring task comes back on.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/activities.h"

static void
phones_compare_their_last_ten_digits(void **state)
{
	(void)state;
	assert_true(activity_phone_same("+49 30 1234 5678", "030 12345678"));
	assert_true(activity_phone_same("+1 (212) 555-0199", "212 555 0199"));
	assert_true(activity_phone_same("0049 30 12345678", "+49-30-1234-5678"));
	assert_false(activity_phone_same("+49 30 1234 5678", "+49 30 1234 5679"));
	/* A country code against a trunk 0: the last ten differ, no match. */
	assert_false(activity_phone_same("+33 1 23 45 67 89", "01 23 45 67 89"));
}

static void
short_numbers_match_only_exactly(void **state)
{
	(void)state;
	assert_true(activity_phone_same("2231", "22-31"));
	assert_false(activity_phone_same("2231", "+1 555 000 2231"));
	assert_false(activity_phone_same("123456789", "0123456789"));
	assert_true(activity_phone_same("0123456789", "(012) 345-6789"));
}

static void
no_digits_never_match(void **state)
{
	(void)state;
	assert_false(activity_phone_same("", ""));
	assert_false(activity_phone_same("+", "()"));
	assert_false(activity_phone_same(NULL, "123"));
	assert_false(activity_phone_same("123", NULL));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(phones_compare_their_last_ten_digits),
		cmocka_unit_test(short_numbers_match_only_exactly),
		cmocka_unit_test(no_digits_never_match),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
