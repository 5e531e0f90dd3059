/*
 * TOTP codes and their check. liboath computes the HMAC and the dynamic
 * truncation; this file walks the window itself so that it learns which
 * step matched (for the replay rule) and compares in constant time.
 */
#include "core/totp.h"

#include <liboath/oath.h>
#include <stdbool.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

int64_t
totp_step(int64_t t)
{
	return t / TOTP_STEP_S;
}

int
totp_code(const unsigned char *key, size_t keylen, int64_t step, int digits,
    char *out)
{
	int rc;

	if (keylen == 0 || keylen > TOTP_KEY_MAX || digits < 6 || digits > 8 ||
	    step < 0)
		return TOTP_EINVAL;
	rc = oath_totp_generate2((const char *)key, keylen,
	    (time_t)(step * TOTP_STEP_S), TOTP_STEP_S, 0, (unsigned)digits,
	    0 /* HMAC-SHA1 */, out);
	return rc == OATH_OK ? TOTP_OK : TOTP_EINVAL;
}

int
totp_check(const unsigned char *key, size_t keylen, int64_t now,
    const char *code, int64_t last_step, int64_t *step)
{
	char want[TOTP_CODE_MAX];
	int64_t now_step = totp_step(now);
	bool replayed = false;

	if (strlen(code) != TOTP_DIGITS ||
	    strspn(code, "0123456789") != TOTP_DIGITS)
		return TOTP_EINVAL;
	/* Newest first: a code valid for two steps counts as the later one. */
	for (int64_t d = TOTP_WINDOW; d >= -TOTP_WINDOW; d--) {
		int64_t s = now_step + d;

		if (totp_code(key, keylen, s, TOTP_DIGITS, want) != TOTP_OK)
			return TOTP_EINVAL;
		if (sodium_memcmp(want, code, TOTP_DIGITS) != 0)
			continue;
		if (s <= last_step) {
			replayed = true;
			continue;
		}
		*step = s;
		return TOTP_OK;
	}
	return replayed ? TOTP_EREPLAY : TOTP_EWRONG;
}

int
totp_b32_encode(const unsigned char *key, size_t keylen, char *out,
    size_t outlen)
{
	static const char alpha[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
	size_t o = 0;
	unsigned bits = 0, acc = 0;

	for (size_t i = 0; i < keylen; i++) {
		acc = (acc << 8) | key[i];
		bits += 8;
		while (bits >= 5) {
			if (o + 1 >= outlen)
				return -1;
			out[o++] = alpha[(acc >> (bits - 5)) & 31];
			bits -= 5;
		}
	}
	if (bits > 0) {
		if (o + 1 >= outlen)
			return -1;
		out[o++] = alpha[(acc << (5 - bits)) & 31];
	}
	if (o >= outlen)
		return -1;
	out[o] = '\0';
	return 0;
}

int
totp_b32_decode(const char *b32, unsigned char *key, size_t *keylen)
{
	size_t n = 0;
	unsigned bits = 0, acc = 0;

	for (const char *p = b32; *p != '\0' && *p != '='; p++) {
		unsigned v;

		if (*p >= 'A' && *p <= 'Z')
			v = (unsigned)(*p - 'A');
		else if (*p >= 'a' && *p <= 'z')
			v = (unsigned)(*p - 'a');
		else if (*p >= '2' && *p <= '7')
			v = (unsigned)(*p - '2' + 26);
		else
			return -1;
		acc = ((acc << 5) | v) & 0xffff;
		bits += 5;
		if (bits >= 8) {
			if (n >= TOTP_KEY_MAX)
				return -1;
			key[n++] = (unsigned char)(acc >> (bits - 8));
			bits -= 8;
		}
	}
	if (n == 0)
		return -1;
	*keylen = n;
	return 0;
}
