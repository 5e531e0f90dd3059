/*
 * A fixed set of database connections shared by the server's workers.
 * A worker takes one for the length of a request and gives it back; when
 * all are out, db_pool_get() waits. Size it to the worker count and no
 * request ever waits.
 */
#ifndef STORE_POOL_H
#define STORE_POOL_H

#include "store/db.h"

struct db_pool;

/* Opens n connections to path; err gets the reason on failure. */
int db_pool_open(const char *path, int n, struct db_pool **out, char *err,
    size_t errlen);
/* Closes every connection; all must have been returned. */
void db_pool_close(struct db_pool *p);
/* Puts every connection behind the write gate g (db_set_gate); before
 * the first db_pool_get(). */
void db_pool_set_gate(struct db_pool *p, struct db_gate *g);
db_t *db_pool_get(struct db_pool *p);
void db_pool_put(struct db_pool *p, db_t *db);

#endif
