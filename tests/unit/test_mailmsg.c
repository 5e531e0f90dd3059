/*
 * util/mailmsg: what the service desk keeps of a received mail, and
 * core/desk_mail's subject token. Each case is a rule the intake relies on.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/desk_mail.h"
#include "util/mailmsg.h"

static int
parse(const char *raw, struct mailmsg *m)
{
	char why[256];

	return mailmsg_parse(raw, strlen(raw), m, why, sizeof(why));
}

static void
headers_and_threading_are_read(void **state)
{
	struct mailmsg m;

	(void)state;
	assert_int_equal(parse("From: =?UTF-8?B?0JjQstCw0L0=?= <ivan@example.ru>\r\n"
	    "Subject: =?UTF-8?Q?=D0=9F=D1=80=D0=B8=D0=B2=D0=B5=D1=82?= [#T-12]\r\n"
	    "Message-ID: <m3@example.ru>\r\nIn-Reply-To: <m2@x>\r\n"
	    "References: <m1@x> <m2@x>\r\n\r\nbody\r\n", &m), 0);
	assert_string_equal(m.from_addr, "ivan@example.ru");
	assert_string_equal(m.from_name, "Иван");
	assert_string_equal(m.subject, "Привет [#T-12]");
	assert_string_equal(m.message_id, "m3@example.ru");
	/* In-Reply-To first, then References newest first. */
	assert_int_equal(m.nrefs, 3);
	assert_string_equal(m.refs[0], "m2@x");
	assert_string_equal(m.refs[1], "m2@x");
	assert_string_equal(m.refs[2], "m1@x");
	assert_false(m.automatic);
	assert_string_equal(m.text, "body");
	mailmsg_free(&m);
}

static void
machine_mail_is_recognised(void **state)
{
	static const char *const mails[] = {
		"From: a@b.c\r\nAuto-Submitted: auto-replied\r\n\r\nx",
		"From: a@b.c\r\nPrecedence: bulk\r\n\r\nx",
		"From: MAILER-DAEMON@b.c\r\n\r\nx",
		"From: a@b.c\r\nContent-Type: multipart/report; boundary=r\r\n\r\n"
		"--r\r\n\r\nx\r\n--r--\r\n",
		"Subject: no sender\r\n\r\nx",
	};
	struct mailmsg m;

	(void)state;
	for (size_t i = 0; i < sizeof(mails) / sizeof(*mails); i++) {
		assert_int_equal(parse(mails[i], &m), 0);
		if (!m.automatic)
			fail_msg("mail %zu is not seen as automatic", i);
		mailmsg_free(&m);
	}
	assert_int_equal(parse("From: a@b.c\r\nAuto-Submitted: no\r\n\r\nx", &m), 0);
	assert_false(m.automatic);
	mailmsg_free(&m);
}

static void
html_becomes_plain_text(void **state)
{
	char *s;

	(void)state;
	s = mailmsg_html_text("<p>Hello <b>you</b></p><script>alert(1)</script>"
	    "<style>p{}</style><!-- <b>x</b> -->a &lt;b&gt; &amp; &#x41;<br>end",
	    strlen("<p>Hello <b>you</b></p><script>alert(1)</script>"
	    "<style>p{}</style><!-- <b>x</b> -->a &lt;b&gt; &amp; &#x41;<br>end"));
	assert_string_equal(s, "Hello you\na <b> & A\nend");
	free(s);
	/* An unclosed script hides the rest rather than showing it. */
	s = mailmsg_html_text("ok<script>alert(1)", strlen("ok<script>alert(1)"));
	assert_string_equal(s, "ok");
	free(s);
}

static void
text_is_cleaned_to_valid_utf8(void **state)
{
	char *s;

	(void)state;
	s = mailmsg_clean("a\x01" "b\r\n\xff" "c\tz", 9, true);
	assert_string_equal(s, "ab\n\xef\xbf\xbd" "c\tz");
	free(s);
	s = mailmsg_clean("a\nb\tc", 5, false);
	assert_string_equal(s, "a b c");
	free(s);
}

static void
attachments_are_kept_with_name_and_type(void **state)
{
	struct mailmsg m;

	(void)state;
	assert_int_equal(parse("From: a@b.c\r\nContent-Type: multipart/mixed; "
	    "boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nsee file"
	    "\r\n--b\r\nContent-Type: application/pdf\r\nContent-Disposition: "
	    "attachment; filename=\"a.pdf\"\r\nContent-Transfer-Encoding: "
	    "base64\r\n\r\nJVBERi0xLjcK\r\n--b--\r\n", &m), 0);
	assert_string_equal(m.text, "see file");
	assert_int_equal(m.natt, 1);
	assert_string_equal(m.att[0].name, "a.pdf");
	assert_string_equal(m.att[0].ctype, "application/pdf");
	assert_int_equal(m.att[0].len, 9);
	assert_memory_equal(m.att[0].data, "%PDF-1.7\n", 9);
	mailmsg_free(&m);
}

static void
deep_nesting_is_refused_before_parsing(void **state)
{
	static const char head[] = "From: a@b.c\r\nContent-Type: multipart/mixed; "
	    "boundary=b\r\n\r\n", part[] = "--b\r\nContent-Type: "
	    "multipart/mixed; boundary=b\r\n\r\n";
	char raw[8192];
	size_t n = sizeof(head) - 1;
	struct mailmsg m;
	char why[256];

	(void)state;
	memcpy(raw, head, n);
	for (int i = 0; i < 100; i++, n += sizeof(part) - 1)
		memcpy(raw + n, part, sizeof(part) - 1);
	raw[n] = '\0';
	assert_int_equal(mailmsg_parse(raw, strlen(raw), &m, why, sizeof(why)),
	    -1);
	assert_non_null(strstr(why, "nests"));
	mailmsg_free(&m);
}

static void
the_subject_token_names_a_ticket(void **state)
{
	(void)state;
	assert_int_equal(desk_mail_subject_ticket("Re: Printer [#T-42]"), 42);
	assert_int_equal(desk_mail_subject_ticket("[#T-] [#T-x] [#T-7]"), 7);
	assert_int_equal(desk_mail_subject_ticket("[#T-12 no bracket"), 0);
	assert_int_equal(desk_mail_subject_ticket("#T-5"), 0);
	assert_int_equal(desk_mail_subject_ticket("[#T-0]"), 0);
	/* Ours is the last: a client's subject may quote another ticket's. */
	assert_int_equal(desk_mail_subject_ticket("Re: [#T-3] moved [#T-9]"), 9);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(headers_and_threading_are_read),
		cmocka_unit_test(machine_mail_is_recognised),
		cmocka_unit_test(html_becomes_plain_text),
		cmocka_unit_test(text_is_cleaned_to_valid_utf8),
		cmocka_unit_test(attachments_are_kept_with_name_and_type),
		cmocka_unit_test(deep_nesting_is_refused_before_parsing),
		cmocka_unit_test(the_subject_token_names_a_ticket),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
