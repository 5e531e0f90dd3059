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

#include <sodium.h>

#include "core/core.h"
#include "core/desk_mail.h"
#include "core/users.h"
#include "store/db.h"

#define S(x) x, strlen(x)

static db_t *db;
static struct actor admin;
static struct core_ctx cx;

static int64_t
count(const char *sql)
{
	db_stmt_t *st;
	int64_t n = -1;

	if (db_prepare(db, sql, &st) != DB_OK)
		fail_msg("prepare %s: %s", sql, db_errmsg(db));
	if (db_step(st) == DB_ROW)
		n = db_col_int(st, 0);
	db_done(st);
	return n;
}

static void
take(int64_t uid, const char *raw, size_t len)
{
	core_ctx_init(&cx, db, &admin);
	if (desk_mail_take(&cx, NULL, uid, raw, len) != CRM_OK)
		fail_msg("UID %lld: %s", (long long)uid, cx.detail);
	assert_int_equal(count("SELECT last_uid FROM desk_mailbox"), uid);
}

static void
a_mail_taken_twice_makes_one_ticket(void **state)
{
	static const char mail[] = "From: Anna <anna@acme.example>\r\n"
	    "To: desk@example.com\r\nSubject: Printer on fire\r\n"
	    "Message-ID: <p1@acme.example>\r\n\r\nIt smokes.\r\n";
	int64_t before = count("SELECT count(*) FROM tickets");

	(void)state;
	take(1, S(mail));
	assert_int_equal(count("SELECT count(*) FROM tickets"), before + 1);
	take(2, S(mail));
	assert_int_equal(count("SELECT count(*) FROM tickets"), before + 1);
	assert_int_equal(count("SELECT count(*) FROM tickets WHERE subject = "
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
	before = count("SELECT count(*) FROM tickets");
	take(5, S(no_id));
	take(6, S(no_id));
	assert_int_equal(count("SELECT count(*) FROM tickets"), before + 1);
}

static int
group_setup(void **state)
{
	char err[256];
	json_t *in, *out = NULL;
	int64_t id;

	(void)state;
	if (sodium_init() < 0)
		return -1;
	if (core_open_db(":memory:", &db, err, sizeof(err)) != CRM_OK) {
		fprintf(stderr, "core_open_db: %s\n", err);
		return -1;
	}
	core_ctx_init(&cx, db, NULL);
	if (user_add(&cx, "admin@example.com", "Admin", "correct horse battery",
	    true, &id) != CRM_OK)
		return -1;
	admin.user_id = id;
	admin.is_admin = true;
	snprintf(admin.email, sizeof(admin.email), "admin@example.com");
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

static int
group_teardown(void **state)
{
	(void)state;
	db_close(db);
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_mail_taken_twice_makes_one_ticket),
		cmocka_unit_test(any_bytes_are_accounted_for),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
