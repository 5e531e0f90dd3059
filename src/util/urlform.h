/*
 * application/x-www-form-urlencoded bodies, as a plain HTML form posts
 * them: name=value pairs joined by "&", "+" for a space, %XX for a byte.
 */
#ifndef UTIL_URLFORM_H
#define UTIL_URLFORM_H

#include <stddef.h>

#define URLFORM_PAIRS_MAX 32

/*
 * Decodes the len bytes of one name or value at s into out, which has
 * room for len + 1 bytes (decoding never grows), NUL-terminated; *outlen
 * is the decoded length (the text may hold NUL bytes: check it). -1 for a
 * "%" not followed by two hex digits.
 */
int urlform_decode(const char *s, size_t len, char *out, size_t *outlen);

/*
 * Calls fn for each pair of the body (len bytes at s) in order, with the
 * raw, still encoded name and value; an empty pair ("a=1&&b=2") is
 * skipped, a pair without "=" has an empty value. Stops and returns what
 * fn returned when that is not 0; -1 for more than URLFORM_PAIRS_MAX
 * pairs; else 0.
 */
int urlform_each(const char *s, size_t len,
    int (*fn)(void *arg, const char *name, size_t nlen, const char *value,
    size_t vlen), void *arg);

#endif
