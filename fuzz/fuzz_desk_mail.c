/*
 * The desk's mail intake (core/desk_mail.h) after the fetch: the bytes of
 * a mail anyone can send to the desk's address, read (util/mailmsg.h,
 * fuzzed alone by fuzz_mail) and written as a ticket, a reply on one, or
 * a mail ignored or refused, through desk_mail_take.
 *
 * Input: the mail's bytes. The database has the mailbox set up, a client
 * contact (anna@acme.example) and a ticket of hers (#1) with a mail of the
 * desk's in its thread (<t1@desk.example>), so replies by subject and by
 * References find it.
 *
 * Properties, each aborting when broken:
 *   - whatever the mail, the intake accounts for it (CRM_OK, last_uid
 *     moved to its UID): no mail can block the folder;
 *   - the same bytes taken again (the next UID, as a server that copied
 *     the mail) add no ticket, no message and no attachment: a mail is
 *     imported once;
 *   - what the mail wrote (tickets, messages) is valid UTF-8 text.
 * Whatever an input wrote is removed afterwards.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "core/desk_mail.h"
#include "core/record.h"
#include "util/text.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static db_t *db;
static struct actor admin;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct core_ctx cx;
	json_t *in, *out = NULL;

	(void)argc;
	(void)argv;
	db = fz_open(":memory:", &admin);
	fz_seed(db, &admin);
	in = json_pack("{s:s,s:s,s:s}", "imap_url", "imaps://mail.example.com",
	    "username", "desk", "password", "desk-secret-42");
	core_ctx_init(&cx, db, &admin);
	if (desk_mailbox_set(&cx, in, &out) != CRM_OK)
		fz_fail("set-up: desk_mailbox_set: %s", cx.detail);
	json_decref(in);
	json_decref(out);
	/* Ticket 1 of Anna's, with a mail of the desk in its thread. */
	in = json_pack("{s:s,s:s,s:I,s:s}", "subject", "Printer on fire",
	    "description", "It smokes.", "contact_id", (json_int_t)1, "channel",
	    "email");
	out = NULL;
	core_ctx_init(&cx, db, &admin);
	if (rec_create(&cx, &entity_tickets, in, &out) != CRM_OK)
		fz_fail("set-up: the ticket: %s", cx.errs.n > 0 ?
		    cx.errs.items[0].message : cx.detail);
	json_decref(in);
	json_decref(out);
	if (db_exec(db, "UPDATE desk_mailbox SET uidvalidity = 7, last_uid = 0; "
	    "INSERT INTO desk_mail_messages (message_id, ticket_id, direction, "
	    "created_at) VALUES ('t1@desk.example', 1, 'out', 0)") != DB_OK)
		fz_fail("set-up: %s", db_errmsg(db));
	if (db_exec(db, "CREATE TEMP TABLE fz_marks AS SELECT "
	    "(SELECT max(id) FROM tickets) AS tickets, "
	    "(SELECT status FROM tickets WHERE id = 1) AS status, "
	    "(SELECT coalesce(max(id), 0) FROM ticket_messages) AS messages, "
	    "(SELECT max(id) FROM desk_mail_messages) AS mails") != DB_OK)
		fz_fail("set-up: %s", db_errmsg(db));
	fz_mark(db);
	return 0;
}

static void
take(const char *raw, size_t len, int64_t uid)
{
	struct core_ctx cx;
	int rc;

	core_ctx_init(&cx, db, &admin);
	rc = desk_mail_take(&cx, NULL, uid, raw, len);
	if (rc != CRM_OK)
		fz_fail("UID %lld: %d (%s)", (long long)uid, rc, cx.detail);
	if (fz_int(db, "SELECT last_uid FROM desk_mailbox WHERE id = 1") != uid)
		fz_fail("UID %lld: the mailbox's last UID did not move",
		    (long long)uid);
}

/* The text columns an intake writes hold valid UTF-8. */
static void
check_text(const char *sql)
{
	db_stmt_t *st;

	if (db_prepare(db, sql, &st) != DB_OK)
		fz_fail("%s: %s", sql, db_errmsg(db));
	while (db_step(st) == DB_ROW) {
		size_t n = 0;
		const char *s = db_col_text(st, 0, &n);

		if (s != NULL && !text_utf8_valid(s, n))
			fz_fail("%s: not UTF-8", sql);
	}
	db_done(st);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *raw = malloc(size > 0 ? size : 1);
	int64_t t, m, a;

	if (raw == NULL)
		fz_fail("out of memory");
	memcpy(raw, data, size);
	take(raw, size, 1);
	t = fz_int(db, "SELECT count(*) FROM tickets");
	m = fz_int(db, "SELECT count(*) FROM ticket_messages");
	a = fz_int(db, "SELECT count(*) FROM documents");
	take(raw, size, 2);
	if (fz_int(db, "SELECT count(*) FROM tickets") != t ||
	    fz_int(db, "SELECT count(*) FROM ticket_messages") != m ||
	    fz_int(db, "SELECT count(*) FROM documents") != a)
		fz_fail("the same mail taken twice wrote twice");
	check_text("SELECT subject FROM tickets");
	check_text("SELECT description FROM tickets");
	check_text("SELECT body FROM ticket_messages");
	free(raw);
	/* Threads first: they name the messages, which name the tickets. */
	if (db_exec(db, "DELETE FROM desk_mail_messages WHERE id > (SELECT mails "
	    "FROM fz_marks); DELETE FROM ticket_messages WHERE id > (SELECT "
	    "messages FROM fz_marks); DELETE FROM ticket_links WHERE ticket_id > "
	    "(SELECT tickets FROM fz_marks); DELETE FROM tickets WHERE id > "
	    "(SELECT tickets FROM fz_marks); DELETE FROM jobs; DELETE FROM "
	    "mail_outbox; UPDATE tickets SET status = (SELECT status FROM "
	    "fz_marks) WHERE id = 1; UPDATE desk_mailbox SET last_uid = 0") !=
	    DB_OK)
		fz_fail("reset: %s", db_errmsg(db));
	fz_reset(db);
	return 0;
}
