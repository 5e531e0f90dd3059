/*
 * core/users and core/auth: accounts, signing in, sessions and API tokens.
 * argon2id is slow on purpose, so the tests share a few accounts.
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
#include "core/users.h"
#include "store/db.h"

#define PASSWORD "correct horse battery"

static db_t *db;
static struct core_ctx cx;
static int64_t olga_id;		/* olga@example.com, active, PASSWORD */

static struct core_ctx *
ctx(void)
{
	core_ctx_init(&cx, db, NULL);	/* the system: CLI maintenance */
	return &cx;
}

static bool
has_err(const char *field)
{
	for (int i = 0; i < cx.errs.n; i++)
		if (strcmp(cx.errs.items[i].field, field) == 0)
			return true;
	return false;
}

static int64_t
users(void)
{
	int64_t n = -1;

	assert_int_equal(user_count(ctx(), &n), CRM_OK);
	return n;
}

static int
login(const char *email, const char *password, char *secret, struct actor *a)
{
	memset(a, 0, sizeof(*a));
	secret[0] = '\0';
	return auth_login(ctx(), email, password, "127.0.0.1", "cmocka", secret, a);
}

static int
group_setup(void **state)
{
	char err[256];

	(void)state;
	if (sodium_init() < 0)
		return -1;
	if (core_open_db(":memory:", &db, err, sizeof(err)) != CRM_OK) {
		fprintf(stderr, "core_open_db: %s\n", err);
		return -1;
	}
	if (user_add(ctx(), "Olga@Example.com", "Ольга Петрова", PASSWORD, false,
	    &olga_id) != CRM_OK)
		return -1;
	return 0;
}

static int
group_teardown(void **state)
{
	(void)state;
	db_close(db);
	return 0;
}

static void
user_add_refuses_bad_input_by_field(void **state)
{
	int64_t id = 0, before;

	(void)state;
	before = users();
	assert_int_equal(user_add(ctx(), "not-an-email", "N", PASSWORD, false, &id),
	    CRM_EINVAL);
	assert_true(has_err("email"));
	assert_int_equal(user_add(ctx(), "x@nodot", "N", PASSWORD, false, &id),
	    CRM_EINVAL);
	assert_true(has_err("email"));
	assert_int_equal(user_add(ctx(), "short@example.com", "N", "123456789",
	    false, &id), CRM_EINVAL);
	assert_true(has_err("password"));
	assert_int_equal(user_add(ctx(), "noname@example.com", "", PASSWORD, false,
	    &id), CRM_EINVAL);
	assert_true(has_err("name"));
	assert_int_equal(user_add(ctx(), "badname@example.com", "\xc0\xaf",
	    PASSWORD, false, &id), CRM_EINVAL);
	assert_true(has_err("name"));
	assert_int_equal(id, 0);
	assert_int_equal(users(), before);
}

static void
an_email_is_taken_whatever_its_case(void **state)
{
	struct actor a;
	bool active = false;
	int64_t id = 0;

	(void)state;
	assert_int_equal(user_add(ctx(), "olga@EXAMPLE.com", "Another Olga",
	    PASSWORD, false, &id), CRM_EEXISTS);
	assert_int_equal(id, 0);
	assert_int_equal(users(), 1);
	/* Stored lower-case, found in any case. */
	assert_int_equal(user_find(ctx(), "OLGA@example.COM", &a, &active), CRM_OK);
	assert_int_equal(a.user_id, olga_id);
	assert_string_equal(a.email, "olga@example.com");
	assert_string_equal(a.name, "Ольга Петрова");
	assert_false(a.is_admin);
	assert_true(active);
	assert_int_equal(user_find(ctx(), "nobody@example.com", &a, &active),
	    CRM_ENOTFOUND);
}

static void
login_needs_the_right_password_of_an_active_user(void **state)
{
	char secret[SECRET_LEN], wrong_detail[256];
	struct actor a;

	(void)state;
	assert_int_equal(login("OLGA@example.com", PASSWORD, secret, &a), CRM_OK);
	assert_int_equal(a.user_id, olga_id);
	assert_string_equal(a.email, "olga@example.com");
	assert_true(strlen(secret) >= 40);
	assert_int_equal(login("olga@example.com", PASSWORD "x", secret, &a),
	    CRM_EUNAUTH);
	assert_string_equal(secret, "");
	snprintf(wrong_detail, sizeof(wrong_detail), "%s", cx.detail);
	/* An unknown email answers exactly like a wrong password. */
	assert_int_equal(login("nobody@example.com", PASSWORD, secret, &a),
	    CRM_EUNAUTH);
	assert_string_equal(cx.detail, wrong_detail);
	assert_string_equal(secret, "");
	assert_int_equal(login("olga@example.com", "", secret, &a), CRM_EUNAUTH);
}

static void
a_session_works_until_logout(void **state)
{
	char secret[SECRET_LEN], other[SECRET_LEN];
	struct actor a, who;

	(void)state;
	assert_int_equal(login("olga@example.com", PASSWORD, secret, &a), CRM_OK);
	assert_int_equal(login("olga@example.com", PASSWORD, other, &a), CRM_OK);
	assert_string_not_equal(secret, other);
	memset(&who, 0, sizeof(who));
	assert_int_equal(auth_session(ctx(), secret, &who), CRM_OK);
	assert_int_equal(who.user_id, olga_id);
	assert_string_equal(who.email, "olga@example.com");
	assert_string_equal(who.name, "Ольга Петрова");
	/* A session secret is not an API token. */
	assert_int_equal(auth_token(ctx(), secret, &who), CRM_EUNAUTH);
	assert_int_equal(auth_logout(ctx(), secret), CRM_OK);
	assert_int_equal(auth_session(ctx(), secret, &who), CRM_EUNAUTH);
	/* Other sessions of the same user live on. */
	assert_int_equal(auth_session(ctx(), other, &who), CRM_OK);
	assert_int_equal(auth_logout(ctx(), other), CRM_OK);
	assert_int_equal(auth_session(ctx(), other, &who), CRM_EUNAUTH);
	/* Made-up and oversized secrets are simply unknown. */
	assert_int_equal(auth_session(ctx(), "", &who), CRM_EUNAUTH);
	assert_int_equal(auth_session(ctx(), "made-up-secret", &who), CRM_EUNAUTH);
	assert_int_equal(auth_session(ctx(),
	    "0123456789012345678901234567890123456789012345678901234567890123456789",
	    &who), CRM_EUNAUTH);
}

static void
an_expired_session_no_longer_works(void **state)
{
	char secret[SECRET_LEN];
	struct actor a, who;

	(void)state;
	assert_int_equal(login("olga@example.com", PASSWORD, secret, &a), CRM_OK);
	assert_int_equal(auth_session(ctx(), secret, &who), CRM_OK);
	/* Fourteen days later (SESSION_TTL_MS): moved back in time by hand. */
	assert_int_equal(db_exec(db, "UPDATE sessions SET expires_at = "
	    "expires_at - 1209600001"), DB_OK);
	assert_int_equal(auth_session(ctx(), secret, &who), CRM_EUNAUTH);
}

static void
a_token_works_until_revoked(void **state)
{
	char token[SECRET_LEN], token2[SECRET_LEN];
	struct actor who;
	int64_t id = 0, id2 = 0;
	json_t *list = NULL, *t;

	(void)state;
	assert_int_equal(token_create(ctx(), "Olga@example.com", "ci", token, &id),
	    CRM_OK);
	assert_true(id > 0);
	assert_memory_equal(token, "crm_", 4);
	assert_true(strlen(token) > 40);
	assert_int_equal(token_create(ctx(), "olga@example.com", "backup", token2,
	    &id2), CRM_OK);
	assert_string_not_equal(token, token2);
	memset(&who, 0, sizeof(who));
	assert_int_equal(auth_token(ctx(), token, &who), CRM_OK);
	assert_int_equal(who.user_id, olga_id);
	assert_string_equal(who.email, "olga@example.com");
	/* A token is not a session. */
	assert_int_equal(auth_session(ctx(), token, &who), CRM_EUNAUTH);
	assert_int_equal(token_revoke(ctx(), id), CRM_OK);
	assert_int_equal(auth_token(ctx(), token, &who), CRM_EUNAUTH);
	assert_int_equal(token_revoke(ctx(), id), CRM_ENOTFOUND);
	assert_int_equal(token_revoke(ctx(), 987654), CRM_ENOTFOUND);
	/* The other token is untouched. */
	assert_int_equal(auth_token(ctx(), token2, &who), CRM_OK);
	/* The list shows both, the revoked one with its time, never a secret. */
	assert_int_equal(token_list(ctx(), &list), CRM_OK);
	t = json_array_get(json_object_get(list, "data"), 0);
	assert_int_equal(json_integer_value(json_object_get(t, "id")), id);
	assert_string_equal(json_string_value(json_object_get(t, "user")),
	    "olga@example.com");
	assert_string_equal(json_string_value(json_object_get(t, "name")), "ci");
	assert_true(json_is_string(json_object_get(t, "revoked_at")));
	t = json_array_get(json_object_get(list, "data"), 1);
	assert_true(json_is_null(json_object_get(t, "revoked_at")));
	{
		char *dump = json_dumps(list, 0);

		assert_null(strstr(dump, token2 + 4));
		free(dump);
	}
	json_decref(list);
	assert_int_equal(token_revoke(ctx(), id2), CRM_OK);
	assert_int_equal(token_create(ctx(), "nobody@example.com", "x", token, &id),
	    CRM_ENOTFOUND);
}

static void
disabling_a_user_ends_its_sessions_and_tokens(void **state)
{
	char secret[SECRET_LEN], token[SECRET_LEN];
	struct actor a, who;
	bool active = true;
	int64_t id, tid;

	(void)state;
	assert_int_equal(user_add(ctx(), "leaver@example.com", "Leaver", PASSWORD,
	    false, &id), CRM_OK);
	assert_int_equal(login("leaver@example.com", PASSWORD, secret, &a), CRM_OK);
	assert_int_equal(token_create(ctx(), "leaver@example.com", "script", token,
	    &tid), CRM_OK);
	assert_int_equal(auth_session(ctx(), secret, &who), CRM_OK);
	assert_int_equal(auth_token(ctx(), token, &who), CRM_OK);

	assert_int_equal(user_set_active(ctx(), "Leaver@Example.com", false), CRM_OK);
	assert_int_equal(user_find(ctx(), "leaver@example.com", &who, &active),
	    CRM_OK);
	assert_false(active);
	{
		json_t *list = NULL, *u;
		size_t i;
		bool listed = false;

		assert_int_equal(user_list(ctx(), &list), CRM_OK);
		json_array_foreach(json_object_get(list, "data"), i, u)
			if (json_integer_value(json_object_get(u, "id")) == id) {
				listed = true;
				assert_true(json_is_false(json_object_get(u, "active")));
			}
		json_decref(list);
		assert_true(listed);
	}
	assert_int_equal(auth_session(ctx(), secret, &who), CRM_EUNAUTH);
	assert_int_equal(auth_token(ctx(), token, &who), CRM_EUNAUTH);
	/* The right password no longer signs in, nor does a new token appear. */
	{
		char tries[SECRET_LEN];

		assert_int_equal(login("leaver@example.com", PASSWORD, tries, &a),
		    CRM_EUNAUTH);
		assert_int_equal(token_create(ctx(), "leaver@example.com", "again",
		    tries, &tid), CRM_EFORBIDDEN);
	}
	assert_int_equal(user_set_active(ctx(), "nobody@example.com", false),
	    CRM_ENOTFOUND);
}

static void
re_enabling_a_user_does_not_revive_old_credentials(void **state)
{
	char secret[SECRET_LEN], token[SECRET_LEN], fresh[SECRET_LEN];
	struct actor a, who;
	int64_t id, tid;

	(void)state;
	assert_int_equal(user_add(ctx(), "returner@example.com", "Returner",
	    PASSWORD, false, &id), CRM_OK);
	assert_int_equal(login("returner@example.com", PASSWORD, secret, &a), CRM_OK);
	assert_int_equal(token_create(ctx(), "returner@example.com", "script",
	    token, &tid), CRM_OK);
	assert_int_equal(user_set_active(ctx(), "returner@example.com", false),
	    CRM_OK);
	assert_int_equal(user_set_active(ctx(), "returner@example.com", true),
	    CRM_OK);
	/* Signing in works again, with a new session... */
	assert_int_equal(login("returner@example.com", PASSWORD, fresh, &a), CRM_OK);
	assert_int_equal(auth_session(ctx(), fresh, &who), CRM_OK);
	/* ...but what disabling ended stays ended ("end sessions and tokens",
	 * crm user disable --help). */
	assert_int_equal(auth_session(ctx(), secret, &who), CRM_EUNAUTH);
	if (auth_token(ctx(), token, &who) == CRM_OK)
		fail_msg("a token issued before the user was disabled works again "
		    "after re-enabling: disabling paused it instead of ending it");
}

static void
a_new_password_replaces_the_old(void **state)
{
	char secret[SECRET_LEN];
	struct actor a;

	(void)state;
	assert_int_equal(user_set_password(ctx(), "olga@example.com", "short"),
	    CRM_EINVAL);
	assert_true(has_err("password"));
	assert_int_equal(user_set_password(ctx(), "OLGA@example.com",
	    "another long passphrase"), CRM_OK);
	assert_int_equal(login("olga@example.com", PASSWORD, secret, &a),
	    CRM_EUNAUTH);
	assert_int_equal(login("olga@example.com", "another long passphrase",
	    secret, &a), CRM_OK);
	assert_int_equal(user_set_password(ctx(), "olga@example.com", PASSWORD),
	    CRM_OK);
}

static void
users_are_listed_without_secrets(void **state)
{
	json_t *out = NULL, *u;
	char *dump;

	(void)state;
	assert_int_equal(user_list(ctx(), &out), CRM_OK);
	u = json_array_get(json_object_get(out, "data"), 0);
	assert_int_equal(json_integer_value(json_object_get(u, "id")), olga_id);
	assert_string_equal(json_string_value(json_object_get(u, "email")),
	    "olga@example.com");
	assert_true(json_is_true(json_object_get(u, "active")));
	assert_true(json_is_false(json_object_get(u, "is_admin")));
	assert_int_equal(json_object_size(u), 5);
	dump = json_dumps(out, 0);
	assert_null(strstr(dump, "argon2"));
	free(dump);
	json_decref(out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(user_add_refuses_bad_input_by_field),
		cmocka_unit_test(an_email_is_taken_whatever_its_case),
		cmocka_unit_test(login_needs_the_right_password_of_an_active_user),
		cmocka_unit_test(a_session_works_until_logout),
		cmocka_unit_test(an_expired_session_no_longer_works),
		cmocka_unit_test(a_token_works_until_revoked),
		cmocka_unit_test(disabling_a_user_ends_its_sessions_and_tokens),
		cmocka_unit_test(re_enabling_a_user_does_not_revive_old_credentials),
		cmocka_unit_test(a_new_password_replaces_the_old),
		cmocka_unit_test(users_are_listed_without_secrets),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
