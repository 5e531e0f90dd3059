/*
 * The audit chain's head kept for the rest of a transaction (core_memo):
 * entries appended through several contexts in one transaction, after a
 * rollback, and after another connection appended, still chain, with ids
 * one after the other.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <jansson.h>
#include <sodium.h>

#include "core/audit.h"
#include "core/core.h"
#include "store/db.h"
#include "db_int.h"

struct two {
	char	dir[64];
	char	path[96];
	db_t	*a, *b;
};

static int
setup(void **state)
{
	struct two *t = calloc(1, sizeof(*t));
	char err[256];

	if (t == NULL || sodium_init() < 0)
		return -1;
	snprintf(t->dir, sizeof(t->dir), "/tmp/crm-audit-memo-XXXXXX");
	if (mkdtemp(t->dir) == NULL)
		return -1;
	snprintf(t->path, sizeof(t->path), "%s/crm.db", t->dir);
	if (core_open_db(t->path, &t->a, err, sizeof(err)) != CRM_OK ||
	    core_open_db(t->path, &t->b, err, sizeof(err)) != CRM_OK) {
		fprintf(stderr, "core_open_db: %s\n", err);
		return -1;
	}
	*state = t;
	return 0;
}

static int
teardown(void **state)
{
	struct two *t = *state;
	char wal[128], shm[128];

	db_close(t->a);
	db_close(t->b);
	snprintf(wal, sizeof(wal), "%s-wal", t->path);
	snprintf(shm, sizeof(shm), "%s-shm", t->path);
	unlink(t->path);
	unlink(wal);
	unlink(shm);
	rmdir(t->dir);
	free(t);
	return 0;
}

/* The chain verifies, and its ids run without a gap. */
static void
chain_whole(db_t *db)
{
	struct core_ctx cx;
	json_t *out = NULL;

	core_ctx_init(&cx, db, NULL);
	assert_int_equal(audit_verify(&cx, NULL, &out), CRM_OK);
	if (!json_is_true(json_object_get(out, "ok"))) {
		char *s = json_dumps(out, JSON_COMPACT);

		fail_msg("audit_verify: %s", s);
	}
	json_decref(out);
	assert_int_equal(test_db_int(db, "SELECT MAX(id) - MIN(id) + 1 FROM audit_log"),
	    test_db_int(db, "SELECT COUNT(*) FROM audit_log"));
}

static void
append_ok(struct core_ctx *cx, const char *action)
{
	if (audit_append(cx, action, NULL, 0, NULL) != CRM_OK)
		fail_msg("audit_append %s: %s", action, cx->detail);
}

static void
contexts_of_one_transaction_share_the_head(void **state)
{
	struct two *t = *state;
	struct core_ctx c1, c2;
	struct actor someone = { .user_id = 0 };
	int64_t before = test_db_int(t->a, "SELECT COALESCE(MAX(id), 0) FROM audit_log");

	core_ctx_init(&c1, t->a, NULL);
	core_ctx_init(&c2, t->a, &someone);
	assert_int_equal(db_begin(t->a), DB_OK);
	append_ok(&c1, "test.first");
	append_ok(&c2, "test.second");	/* a system context, as processes use */
	append_ok(&c1, "test.third");
	assert_int_equal(db_commit(t->a), DB_OK);
	assert_int_equal(test_db_int(t->a, "SELECT MAX(id) FROM audit_log"),
	    before + 3);
	chain_whole(t->a);
}

static void
a_rolled_back_entry_is_forgotten(void **state)
{
	struct two *t = *state;
	struct core_ctx cx;
	int64_t before;

	core_ctx_init(&cx, t->a, NULL);
	append_ok(&cx, "test.kept");
	before = test_db_int(t->a, "SELECT MAX(id) FROM audit_log");
	assert_int_equal(db_begin(t->a), DB_OK);
	append_ok(&cx, "test.undone");
	assert_int_equal(db_rollback(t->a), DB_OK);
	assert_int_equal(db_begin(t->a), DB_OK);
	append_ok(&cx, "test.after");
	assert_int_equal(db_commit(t->a), DB_OK);
	assert_int_equal(test_db_int(t->a, "SELECT MAX(id) FROM audit_log"),
	    before + 1);
	chain_whole(t->a);
}

static void
another_connections_entries_are_seen(void **state)
{
	struct two *t = *state;
	struct core_ctx ca, cb;
	int64_t before;

	core_ctx_init(&ca, t->a, NULL);
	core_ctx_init(&cb, t->b, NULL);
	assert_int_equal(db_begin(t->a), DB_OK);
	append_ok(&ca, "test.a1");
	assert_int_equal(db_commit(t->a), DB_OK);
	before = test_db_int(t->a, "SELECT MAX(id) FROM audit_log");
	assert_int_equal(db_begin(t->b), DB_OK);
	append_ok(&cb, "test.b1");
	append_ok(&cb, "test.b2");
	assert_int_equal(db_commit(t->b), DB_OK);
	assert_int_equal(db_begin(t->a), DB_OK);
	append_ok(&ca, "test.a2");
	assert_int_equal(db_commit(t->a), DB_OK);
	assert_int_equal(test_db_int(t->a, "SELECT MAX(id) FROM audit_log"),
	    before + 3);
	chain_whole(t->a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(contexts_of_one_transaction_share_the_head),
		cmocka_unit_test(a_rolled_back_entry_is_forgotten),
		cmocka_unit_test(another_connections_entries_are_seen),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
