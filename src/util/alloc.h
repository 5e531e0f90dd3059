/*
 * Allocation that cannot fail. Out of memory aborts in one place instead of
 * being half-handled at every call site; everything else in the program may
 * therefore assume these return valid memory. Callers own what they get and
 * free it with free().
 */
#ifndef UTIL_ALLOC_H
#define UTIL_ALLOC_H

#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
/* Copies at most n bytes of s and terminates the copy. */
char *xstrndup(const char *s, size_t n);

#endif
