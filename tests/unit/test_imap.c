/*
 * core/imap: reading the mail server's answers (the parts of the IMAP
 * client that need no network; tests/api/desk_mail.test.mjs runs the
 * whole client against dovecot). The answers are dovecot's, as libcurl
 * hands them over (fuzz/corpus/fuzz_imap holds the same transcripts).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/imap.h"

#define S(x) x, strlen(x)

static const char fetch_all[] =
    "* 1 FETCH (UID 1 RFC822.SIZE 130)\r\n"
    "* 2 FETCH (UID 2 RFC822.SIZE 67)\r\n"
    "* 3 FETCH (UID 3 RFC822.SIZE 3041)\r\n";

static void
uidvalidity_is_read_from_the_status_answer(void **state)
{
	(void)state;
	assert_int_equal(imap_parse_uidvalidity(S("* STATUS INBOX "
	    "(UIDVALIDITY 1795765311)\r\n")), 1795765311);
	assert_int_equal(imap_parse_uidvalidity(S("* status inbox "
	    "(uidvalidity 7)\r\n")), 7);
	assert_int_equal(imap_parse_uidvalidity(S("* STATUS INBOX ()\r\n")), -1);
	assert_int_equal(imap_parse_uidvalidity(S("* STATUS INBOX "
	    "(UIDVALIDITY 0)\r\n")), -1);
	assert_int_equal(imap_parse_uidvalidity("", 0), -1);
	/* Only the bytes given are read: the number is cut where len ends. */
	assert_int_equal(imap_parse_uidvalidity("UIDVALIDITY 123", 13), 1);
}

static void
the_list_holds_the_mails_above_the_last_uid_oldest_first(void **state)
{
	struct imap_mail *v;
	size_t n;
	bool more;

	(void)state;
	imap_parse_list(S(fetch_all), 0, 50, &v, &n, &more);
	assert_int_equal(n, 3);
	assert_false(more);
	assert_int_equal(v[0].uid, 1);
	assert_int_equal(v[0].size, 130);
	assert_int_equal(v[2].uid, 3);
	assert_int_equal(v[2].size, 3041);
	free(v);
	/* "n:*" answers the last mail even when n is past it. */
	imap_parse_list(S("* 3 FETCH (UID 3 RFC822.SIZE 3041)\r\n"), 8, 50, &v,
	    &n, &more);
	assert_int_equal(n, 0);
	assert_false(more);
	free(v);
	imap_parse_list(S(fetch_all), 0, 2, &v, &n, &more);
	assert_int_equal(n, 2);
	assert_true(more);
	assert_int_equal(v[1].uid, 2);
	free(v);
}

/*
 * A server's answer in another order, with a mail answered twice and a
 * line without a size: each mail once, in UID order, the odd line left.
 */
static void
a_mail_answered_twice_is_listed_once(void **state)
{
	static const char a[] =
	    "* 2 FETCH (RFC822.SIZE 67 UID 2)\r\n"
	    "* 1 FETCH (UID 1 RFC822.SIZE 130)\r\n"
	    "* 2 FETCH (UID 2 RFC822.SIZE 67)\r\n"
	    "* 4 FETCH (UID 4)\r\n";
	struct imap_mail *v;
	size_t n;
	bool more;

	(void)state;
	imap_parse_list(S(a), 0, 2, &v, &n, &more);
	assert_int_equal(n, 2);
	assert_false(more);
	assert_int_equal(v[0].uid, 1);
	assert_int_equal(v[1].uid, 2);
	free(v);
}

/*
 * UIDs and sizes are 32-bit numbers (RFC 3501): a longer one is no UID
 * (it was cut to its first 12 digits, and a wrong last UID stopped the
 * desk reading the mailbox).
 */
static void
numbers_past_32_bits_are_not_read(void **state)
{
	static const char a[] =
	    "* 1 FETCH (UID 99999999999999 RFC822.SIZE 130)\r\n"
	    "* 2 FETCH (UID 4294967296 RFC822.SIZE 10)\r\n"
	    "* 3 FETCH (UID 5 RFC822.SIZE 4294967296)\r\n"
	    "* 4 FETCH (UID 4294967295 RFC822.SIZE 4294967295)\r\n";
	struct imap_mail *v;
	size_t n;
	bool more;

	(void)state;
	imap_parse_list(S(a), 0, 50, &v, &n, &more);
	assert_int_equal(n, 1);
	assert_int_equal(v[0].uid, 4294967295LL);
	assert_int_equal(v[0].size, 4294967295LL);
	free(v);
	assert_int_equal(imap_parse_uidvalidity(S("* STATUS INBOX "
	    "(UIDVALIDITY 17957653110)\r\n")), -1);
}

/* An answer with NUL bytes and no line end is read to its length. */
static void
odd_bytes_do_not_end_the_answer(void **state)
{
	static const char a[] = "* 1 FETCH (UID 1 RFC822.SIZE 9)\r\n\0\0"
	    "* 2 FETCH (UID 2 RFC822.SIZE 8)";
	struct imap_mail *v;
	size_t n;
	bool more;

	(void)state;
	imap_parse_list(a, sizeof(a) - 1, 0, 50, &v, &n, &more);
	assert_int_equal(n, 2);
	assert_int_equal(v[1].uid, 2);
	assert_int_equal(v[1].size, 8);
	free(v);
	imap_parse_list("", 0, 0, 50, &v, &n, &more);
	assert_int_equal(n, 0);
	assert_null(v);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(uidvalidity_is_read_from_the_status_answer),
		cmocka_unit_test(the_list_holds_the_mails_above_the_last_uid_oldest_first),
		cmocka_unit_test(a_mail_answered_twice_is_listed_once),
		cmocka_unit_test(numbers_past_32_bits_are_not_read),
		cmocka_unit_test(odd_bytes_do_not_end_the_answer),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
