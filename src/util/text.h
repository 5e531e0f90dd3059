/*
 * Checks and normalisations of text that arrives from outside. All take an
 * explicit length; none allocate. "Valid" here means what a CRM user would
 * accept, not the full letter of each RFC: the point is to refuse garbage
 * with a clear reason, not to reject unusual but real data.
 */
#ifndef UTIL_TEXT_H
#define UTIL_TEXT_H

#include <stdbool.h>
#include <stddef.h>

/* Well-formed UTF-8 (no overlongs, surrogates or NUL bytes). */
bool text_utf8_valid(const char *s, size_t len);
/*
 * No control characters other than tab, line feed and carriage return:
 * what may be typed into a text field.
 */
bool text_is_printable(const char *s, size_t len);
/* Number of code points in valid UTF-8. */
size_t text_utf8_count(const char *s, size_t len);
/* local@domain.tld, no spaces, at most 254 bytes. */
bool text_is_email(const char *s, size_t len);
/* http:// or https:// followed by a host, no spaces or controls. */
bool text_is_url(const char *s, size_t len);
/*
 * A phone number as people type it: digits with spaces, dashes, dots,
 * brackets, a leading +, optionally "ext"/"x" and more digits; 3..20 digits.
 */
bool text_is_phone(const char *s, size_t len);
/*
 * Copies the digits of s into out (size outlen, NUL-terminated) and returns
 * their count; stops when out is full.
 */
size_t text_digits(const char *s, size_t len, char *out, size_t outlen);
/* -?[0-9]{1,18}(\.[0-9]{1,18})? : a decimal that fits exact arithmetic. */
bool text_is_decimal(const char *s, size_t len);
/* [a-z][a-z0-9_]{0,maxlen-1}: a machine name. */
bool text_is_ident(const char *s, size_t len, size_t maxlen);
/* Three upper-case ASCII letters (ISO 4217 shape). */
bool text_is_currency(const char *s, size_t len);

/*
 * "%" + s + "%" with %, _ and \ escaped by a backslash, into out (size
 * outlen, NUL-terminated), for "LIKE ? ESCAPE '\'": s anywhere in a text.
 * s is cut to fit; 2 * strlen(s) + 3 bytes always hold it whole.
 */
void text_like_pattern(const char *s, char *out, size_t outlen);

/* The value of a hexadecimal digit (either case), or -1. */
int text_hexval(char c);

/*
 * What a per-client limit counts of a numeric client address, into out
 * (cut to len): an IPv6 address's /64 network ("2001:db8:1:2::/64"), as
 * one subscriber commonly holds a whole /64 and could take a new address
 * per request; an IPv4 address, an IPv4-mapped one (a dual-stack
 * listener's IPv4 client) or anything else as it is.
 */
void text_addr_bucket(const char *addr, char *out, size_t len);

#endif
