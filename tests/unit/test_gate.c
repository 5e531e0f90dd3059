/*
 * store/gate: a bulk writer that yields between its transactions lets a
 * writer already waiting for SQLite's lock go first, on two connections
 * of one process (an import beside a request).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <pthread.h>
#include <sched.h>
#include <unistd.h>

#include "store/db.h"
#include "store/gate.h"

struct other {
	db_t	*db;
	int	 begun;		/* set once its BEGIN IMMEDIATE returned */
	int	 committed;	/* set just before its COMMIT */
	int	 rc;
};

static void *
other_writer(void *arg)
{
	struct other *o = arg;

	o->rc = db_begin(o->db);
	__atomic_store_n(&o->begun, 1, __ATOMIC_SEQ_CST);
	if (o->rc == DB_OK)
		o->rc = db_exec(o->db, "INSERT INTO t (who) VALUES ('other')");
	__atomic_store_n(&o->committed, 1, __ATOMIC_SEQ_CST);
	if (o->rc == DB_OK)
		o->rc = db_commit(o->db);
	return NULL;
}

static void
open_db(const char *path, struct db_gate *g, db_t **out)
{
	char err[256];

	assert_int_equal(db_open(path, out, err, sizeof(err)), DB_OK);
	db_set_gate(*out, g);
}

static void
a_waiting_writer_goes_before_the_bulk_writers_next_transaction(void **state)
{
	char dir[] = "/tmp/crm-gate-XXXXXX", path[64];
	struct db_gate *g = gate_new();
	struct other o = { 0 };
	pthread_t th;
	db_t *bulk;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/g.db", dir);
	open_db(path, g, &bulk);
	open_db(path, g, &o.db);
	assert_int_equal(db_exec(bulk, "CREATE TABLE t (id INTEGER PRIMARY KEY, "
	    "who TEXT NOT NULL)"), DB_OK);

	/* The bulk writer holds the lock; the other one queues behind it. */
	assert_int_equal(db_begin(bulk), DB_OK);
	assert_int_equal(db_exec(bulk, "INSERT INTO t (who) VALUES ('bulk')"),
	    DB_OK);
	assert_int_equal(pthread_create(&th, NULL, other_writer, &o), 0);
	while (gate_waiters(g) == 0)
		sched_yield();
	assert_int_equal(__atomic_load_n(&o.begun, __ATOMIC_SEQ_CST), 0);

	/*
	 * Commit, yield, begin again: the waiting writer got in between
	 * (woken by the commit it may have the lock before the yield even
	 * looks; else the yield waits for it).
	 */
	assert_int_equal(db_commit(bulk), DB_OK);
	db_yield_writers(bulk, 5000);
	assert_int_equal(db_begin(bulk), DB_OK);
	assert_int_equal(__atomic_load_n(&o.committed, __ATOMIC_SEQ_CST), 1);
	assert_int_equal(db_exec(bulk, "INSERT INTO t (who) VALUES ('bulk')"),
	    DB_OK);
	assert_int_equal(db_commit(bulk), DB_OK);
	assert_int_equal(pthread_join(th, NULL), 0);
	assert_int_equal(o.rc, DB_OK);

	/* Nobody waits now: yielding returns at once. */
	assert_int_equal(db_yield_writers(bulk, 5000), 0);
	db_close(o.db);
	db_close(bulk);
	gate_free(g);
	unlink(path);
	snprintf(path, sizeof(path), "%s/g.db-wal", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/g.db-shm", dir);
	unlink(path);
	rmdir(dir);
}

static void
without_a_gate_yielding_does_nothing(void **state)
{
	char dir[] = "/tmp/crm-gate-XXXXXX", path[64], err[256];
	db_t *db;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/n.db", dir);
	assert_int_equal(db_open(path, &db, err, sizeof(err)), DB_OK);
	assert_int_equal(db_yield_writers(db, 5000), 0);
	db_close(db);
	unlink(path);
	rmdir(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_waiting_writer_goes_before_the_bulk_writers_next_transaction),
		cmocka_unit_test(without_a_gate_yielding_does_nothing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
