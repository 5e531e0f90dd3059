/*
 * The write gate: a fair hand-over of SQLite's single write lock between
 * the connections of one process.
 *
 * SQLite admits one writer; a connection that finds the lock taken sleeps
 * in its busy handler and polls (1 to 100 ms steps). A bulk writer that
 * commits and begins again at once takes the lock back before the sleeper
 * wakes, over and over: other users' single writes waited seconds behind
 * an import. With a gate the sleepers wait on a condition variable that
 * every commit and rollback of the process broadcasts, so they try again
 * the moment the lock is free; and a bulk writer calls gate_yield() between
 * its transactions to let every writer already waiting go first.
 *
 * Connections of other processes (crm import beside crm serve) do not
 * signal the gate: a waiter also wakes every GATE_POLL_MS to try again.
 *
 * The server's context owns the gate (serve.c makes one, gives it to every
 * connection it opens, frees it after closing them); no global state.
 */
#ifndef STORE_GATE_H
#define STORE_GATE_H

#include <stdint.h>

#define GATE_POLL_MS 10

struct db_gate;

/* A new gate; gate_free() releases it once no connection uses it. */
struct db_gate *gate_new(void);
void gate_free(struct db_gate *g);

/* Around BEGIN IMMEDIATE: this connection wants the lock, then has it. */
void gate_want(struct db_gate *g);
void gate_got(struct db_gate *g);

/* After COMMIT or ROLLBACK: the lock is free; wakes the waiters. */
void gate_released(struct db_gate *g);

/*
 * The busy handler's wait: until the next gate_released(), at most
 * min(max_ms, GATE_POLL_MS) milliseconds.
 */
void gate_wait_release(struct db_gate *g, int64_t max_ms);

/*
 * Between a bulk writer's transactions: waits while other connections
 * want the lock, at most max_ms. Returns how many were waiting at the
 * start (0: it did not wait).
 */
int gate_yield(struct db_gate *g, int64_t max_ms);

/* How many connections wait for the lock right now (for tests). */
int gate_waiters(struct db_gate *g);

#endif
