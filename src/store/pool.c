/* Connection pool: a stack of idle connections under a mutex and condvar. */
#include "store/pool.h"

#include <pthread.h>
#include <stdlib.h>

#include "util/alloc.h"

struct db_pool {
	pthread_mutex_t	 mu;
	pthread_cond_t	 cv;
	db_t		**idle;
	int		 nidle;
	int		 n;
};

int
db_pool_open(const char *path, int n, struct db_pool **out, char *err,
    size_t errlen)
{
	struct db_pool *p = xcalloc(1, sizeof(*p));

	p->idle = xcalloc((size_t)n, sizeof(*p->idle));
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->cv, NULL);
	for (int i = 0; i < n; i++) {
		if (db_open(path, &p->idle[i], err, errlen) != DB_OK) {
			p->nidle = i;
			p->n = i;
			db_pool_close(p);
			return DB_EOPEN;
		}
	}
	p->n = p->nidle = n;
	*out = p;
	return DB_OK;
}

void
db_pool_close(struct db_pool *p)
{
	if (p == NULL)
		return;
	for (int i = 0; i < p->nidle; i++)
		db_close(p->idle[i]);
	pthread_mutex_destroy(&p->mu);
	pthread_cond_destroy(&p->cv);
	free(p->idle);
	free(p);
}

void
db_pool_set_gate(struct db_pool *p, struct db_gate *g)
{
	pthread_mutex_lock(&p->mu);
	for (int i = 0; i < p->nidle; i++)
		db_set_gate(p->idle[i], g);
	pthread_mutex_unlock(&p->mu);
}

db_t *
db_pool_get(struct db_pool *p)
{
	db_t *db;

	pthread_mutex_lock(&p->mu);
	while (p->nidle == 0)
		pthread_cond_wait(&p->cv, &p->mu);
	db = p->idle[--p->nidle];
	pthread_mutex_unlock(&p->mu);
	return db;
}

void
db_pool_put(struct db_pool *p, db_t *db)
{
	pthread_mutex_lock(&p->mu);
	p->idle[p->nidle++] = db;
	pthread_cond_signal(&p->cv);
	pthread_mutex_unlock(&p->mu);
}
