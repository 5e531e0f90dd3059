/*
 * What tests of one core module on a plain database share (test_currency.c,
 * test_customfields.c, test_desk_mail.c, test_webform.c): an in-memory
 * database with the schema and one administrator (admin@example.com), a
 * member who is not one, a context to act in, and a one-number query.
 * Included once by each test program, after cmocka.h.
 */
#ifndef TESTS_UNIT_MEMDB_FIXTURE_H
#define TESTS_UNIT_MEMDB_FIXTURE_H

#include <sodium.h>
#include <stdio.h>

#include "core/core.h"
#include "core/users.h"
#include "store/db.h"
#include "db_int.h"

static db_t *db;
static struct actor admin;
static struct core_ctx cx;

/* Opens the database and adds the administrator: 0, or -1 (said why). */
static int
memdb_open(void)
{
	char err[256];
	int64_t id;

	if (sodium_init() < 0)
		return -1;
	if (core_open_db(":memory:", &db, err, sizeof(err)) != CRM_OK) {
		fprintf(stderr, "core_open_db: %s\n", err);
		return -1;
	}
	core_ctx_init(&cx, db, NULL);
	if (user_add(&cx, "admin@example.com", "Admin", "correct horse battery",
	    true, &id) != CRM_OK) {
		fprintf(stderr, "user_add: %s\n", cx.detail);
		return -1;
	}
	admin.user_id = id;
	admin.is_admin = true;
	snprintf(admin.email, sizeof(admin.email), "admin@example.com");
	return 0;
}

/*
 * A second person: member@example.com, a manager who is no administrator
 * (a row, without a password to sign in with). 0, or -1.
 */
static inline int
memdb_add_member(struct actor *a)
{
	if (db_exec(db, "INSERT INTO users (email, name, password_hash, is_admin, "
	    "active, created_at, updated_at, role_id) VALUES ('member@example.com', "
	    "'Member', 'x', 0, 1, 0, 0, (SELECT id FROM roles WHERE builtin = "
	    "'manager'))") != DB_OK)
		return -1;
	a->user_id = test_db_int(db, "SELECT id FROM users WHERE email = "
	    "'member@example.com'");
	a->is_admin = false;
	snprintf(a->email, sizeof(a->email), "member@example.com");
	return 0;
}

static int
memdb_close(void **state)
{
	(void)state;
	db_close(db);
	return 0;
}

/* The first column of sql's first row (-1 for none). */
static inline int64_t
memdb_int(const char *sql)
{
	return test_db_int(db, sql);
}

#endif
