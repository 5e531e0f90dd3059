/*
 * A growable byte buffer with a hard cap. Appends past the cap fail with -1
 * and leave the buffer unchanged, so a hostile input can never grow one
 * without bound. The content is always NUL-terminated for convenience; len
 * does not count the terminator. The buffer owns its memory: buf_free().
 */
#ifndef UTIL_BUF_H
#define UTIL_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct buf {
	char	*data;
	size_t	 len;
	size_t	 size;
	size_t	 cap;	/* maximum len; appends beyond it fail */
};

void buf_init(struct buf *b, size_t cap);
void buf_free(struct buf *b);
void buf_reset(struct buf *b);
int buf_append(struct buf *b, const void *p, size_t n);
int buf_puts(struct buf *b, const char *s);
int buf_putc(struct buf *b, char c);
int buf_printf(struct buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
int buf_vprintf(struct buf *b, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));
/* Hands the content to the caller (who frees it) and empties the buffer. */
char *buf_steal(struct buf *b);

#endif
