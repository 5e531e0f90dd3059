/* The write gate (store/gate.h): a counter of waiting writers and a
 * sequence of releases under one mutex, with one condition variable. */
#include "store/gate.h"

#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "util/alloc.h"

struct db_gate {
	pthread_mutex_t	 mu;
	pthread_cond_t	 cv;
	int		 waiting;	/* in BEGIN IMMEDIATE right now */
	uint64_t	 released;	/* commits and rollbacks so far */
};

struct db_gate *
gate_new(void)
{
	struct db_gate *g = xcalloc(1, sizeof(*g));
	pthread_condattr_t ca;

	pthread_mutex_init(&g->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&g->cv, &ca);
	pthread_condattr_destroy(&ca);
	return g;
}

void
gate_free(struct db_gate *g)
{
	if (g == NULL)
		return;
	pthread_mutex_destroy(&g->mu);
	pthread_cond_destroy(&g->cv);
	free(g);
}

void
gate_want(struct db_gate *g)
{
	pthread_mutex_lock(&g->mu);
	g->waiting++;
	pthread_mutex_unlock(&g->mu);
}

void
gate_got(struct db_gate *g)
{
	pthread_mutex_lock(&g->mu);
	g->waiting--;
	pthread_cond_broadcast(&g->cv);
	pthread_mutex_unlock(&g->mu);
}

void
gate_released(struct db_gate *g)
{
	pthread_mutex_lock(&g->mu);
	g->released++;
	pthread_cond_broadcast(&g->cv);
	pthread_mutex_unlock(&g->mu);
}

/* The monotonic time ms milliseconds from now. */
static struct timespec
after_ms(int64_t ms)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	t.tv_sec += (time_t)(ms / 1000);
	t.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (t.tv_nsec >= 1000000000L) {
		t.tv_sec++;
		t.tv_nsec -= 1000000000L;
	}
	return t;
}

void
gate_wait_release(struct db_gate *g, int64_t max_ms)
{
	struct timespec until;
	uint64_t seen;

	if (max_ms > GATE_POLL_MS)
		max_ms = GATE_POLL_MS;
	if (max_ms < 1)
		max_ms = 1;
	until = after_ms(max_ms);
	pthread_mutex_lock(&g->mu);
	seen = g->released;
	while (g->released == seen &&
	    pthread_cond_timedwait(&g->cv, &g->mu, &until) == 0)
		;
	pthread_mutex_unlock(&g->mu);
}

int
gate_yield(struct db_gate *g, int64_t max_ms)
{
	struct timespec until = after_ms(max_ms);
	int was;

	pthread_mutex_lock(&g->mu);
	was = g->waiting;
	while (g->waiting > 0 &&
	    pthread_cond_timedwait(&g->cv, &g->mu, &until) == 0)
		;
	pthread_mutex_unlock(&g->mu);
	return was;
}

int
gate_waiters(struct db_gate *g)
{
	int n;

	pthread_mutex_lock(&g->mu);
	n = g->waiting;
	pthread_mutex_unlock(&g->mu);
	return n;
}
