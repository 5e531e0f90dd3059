/*
 * core/desk_mail: the intake after the fetch (desk_mail_take), the part
 * fuzz/fuzz_desk_mail.c drives: any mail is accounted for, so none can
 * block the folder, and a mail the server hands over twice (copied, or
 * listed again under a new UID) makes one ticket. The whole intake over
 * IMAP is tests/api/desk_mail.test.mjs.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "memdb_fixture.h"
#include "core/core.h"
#include "core/desk_mail.h"

#define S(x) x, strlen(x)


static void
take(int64_t uid, const char *raw, size_t len)
{
	core_ctx_init(&cx, db, &admin);
	if (desk_mail_take(&cx, NULL, uid, raw, len) != CRM_OK)
		fail_msg("UID %lld: %s", (long long)uid, cx.detail);
	assert_int_equal(memdb_int("SELECT last_uid FROM desk_mailbox"), uid);
}

static void
a_mail_taken_twice_makes_one_ticket(void **state)
{
	static const char mail[] = "From: Anna <anna@acme.example>\r\n"
	    "To: desk@example.com\r\nSubject: Printer on fire\r\n"
	    "Message-ID: <p1@acme.example>\r\n\r\nIt smokes.\r\n";
	int64_t before = memdb_int("SELECT count(*) FROM tickets");

	(void)state;
	take(1, S(mail));
	assert_int_equal(memdb_int("SELECT count(*) FROM tickets"), before + 1);
	take(2, S(mail));
	assert_int_equal(memdb_int("SELECT count(*) FROM tickets"), before + 1);
	assert_int_equal(memdb_int("SELECT count(*) FROM tickets WHERE subject = "
	    "'Printer on fire' AND channel = 'email'"), 1);
}

/*
 * Bytes that are no mail at all, and a mail without a Message-ID (known
 * by a hash of its bytes), move the folder on like any other.
 */
static void
any_bytes_are_accounted_for(void **state)
{
	static const char junk[] = "\x00\xff\r\n\r\n--\x01";
	static const char no_id[] = "From: bob@example.com\r\nSubject: Hi\r\n"
	    "\r\nHello\r\n";
	int64_t before;

	(void)state;
	take(3, junk, sizeof(junk) - 1);
	take(4, "", 0);
	before = memdb_int("SELECT count(*) FROM tickets");
	take(5, S(no_id));
	take(6, S(no_id));
	assert_int_equal(memdb_int("SELECT count(*) FROM tickets"), before + 1);
}

static int
group_setup(void **state)
{
	json_t *in, *out = NULL;

	(void)state;
	if (memdb_open() != 0)
		return -1;
	in = json_pack("{s:s,s:s,s:s}", "imap_url", "imaps://mail.example.com",
	    "username", "desk", "password", "desk-secret-42");
	core_ctx_init(&cx, db, &admin);
	if (desk_mailbox_set(&cx, in, &out) != CRM_OK)
		return -1;
	json_decref(in);
	json_decref(out);
	return db_exec(db, "UPDATE desk_mailbox SET uidvalidity = 7") == DB_OK ?
	    0 : -1;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_mail_taken_twice_makes_one_ticket),
		cmocka_unit_test(any_bytes_are_accounted_for),
	};

	return cmocka_run_group_tests(tests, group_setup, memdb_close);
}
