/*
 * core/webform: a stranger's submission to a web form becomes a ticket
 * whose client is found by the address given. An address may be longer
 * than a list search takes (254 bytes against 200): it was refused with
 * "q: must be at most 200 bytes of text", naming a parameter nobody sent
 * (found by fuzz/fuzz_json_resources.c; the input is kept in its corpus).
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
#include "core/desk.h"
#include "core/record.h"
#include "core/webform.h"

static char key[WEBFORM_KEY_MAX];

/* An address of n bytes: a 64-byte local part and labels of 60. */
static void
long_address(char *out, size_t n)
{
	size_t at = 64;

	memset(out, 'a', at);
	out[at] = '@';
	for (size_t i = at + 1; i < n; i++)
		out[i] = (i - at) % 61 == 0 ? '.' : 'b';
	memcpy(out + n - 4, ".com", 4);
	out[n] = '\0';
}

static int
submit(json_t *in, int64_t *ticket)
{
	json_t *out = NULL;
	int rc;

	core_ctx_init(&cx, db, NULL);
	rc = webform_submit(&cx, key, "192.0.2.7", in, &out);
	*ticket = json_integer_value(json_object_get(out, "ticket_id"));
	json_decref(out);
	json_decref(in);
	return rc;
}

static int64_t
ticket_contact(int64_t id)
{
	char sql[96];

	snprintf(sql, sizeof(sql), "SELECT coalesce(contact_id, 0) FROM tickets "
	    "WHERE id = %lld", (long long)id);
	return memdb_int(sql);
}

static void
a_long_address_finds_its_contact(void **state)
{
	char email[WEBFORM_EMAIL_MAX + 1];
	json_t *in, *c = NULL;
	int64_t contact, ticket;

	(void)state;
	long_address(email, 230);
	in = json_pack("{s:s,s:[s]}", "last_name", "Long", "emails", email);
	core_ctx_init(&cx, db, &admin);
	assert_int_equal(rec_create(&cx, &entity_contacts, in, &c), CRM_OK);
	contact = json_integer_value(json_object_get(c, "id"));
	json_decref(in);
	json_decref(c);
	assert_int_equal(submit(json_pack("{s:s,s:s}", "email", email, "message",
	    "Hello"), &ticket), CRM_OK);
	assert_int_equal(ticket_contact(ticket), contact);
	/* The longest address a form takes, known to nobody: a ticket alone. */
	long_address(email, WEBFORM_EMAIL_MAX);
	assert_int_equal(submit(json_pack("{s:s,s:s}", "email", email, "message",
	    "Hello"), &ticket), CRM_OK);
	assert_int_equal(ticket_contact(ticket), 0);
}

/* The fuzzer's input: refused for its shape (or taken), never a query. */
static void
the_fuzzers_address_is_judged_as_an_address(void **state)
{
	json_t *in = json_load_file("fuzz/corpus/fuzz_json_resources/"
	    "submission_email_past_search.json", 0, NULL);
	int64_t ticket;
	int rc;

	(void)state;
	assert_non_null(in);
	rc = submit(in, &ticket);
	if (rc != CRM_OK) {
		assert_int_equal(rc, CRM_EINVAL);
		assert_string_equal(cx.errs.items[0].field, "email");
	}
}

static int
group_setup(void **state)
{
	json_t *in, *out = NULL;

	(void)state;
	if (memdb_open() != 0)
		return -1;
	in = json_pack("{s:s,s:i}", "name", "Intake", "address_max", 100);
	core_ctx_init(&cx, db, &admin);
	if (dtable_create(&cx, &dtable_web_forms, in, &out) != CRM_OK)
		return -1;
	snprintf(key, sizeof(key), "%s", json_string_value(json_object_get(out,
	    "public_key")));
	json_decref(in);
	json_decref(out);
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_long_address_finds_its_contact),
		cmocka_unit_test(the_fuzzers_address_is_judged_as_an_address),
	};

	return cmocka_run_group_tests(tests, group_setup, memdb_close);
}
