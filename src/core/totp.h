/*
 * TOTP (RFC 6238) over liboath: 30-second steps, SHA-1, 6 digits for the
 * codes users type. Pure functions: no database, no clock of their own (the
 * caller passes the time), so the unit tests can use the RFC's vectors.
 *
 * oath_init() must have been called once before any of these (the
 * program's main does it, next to sodium_init()).
 */
#ifndef CORE_TOTP_H
#define CORE_TOTP_H

#include <stddef.h>
#include <stdint.h>

#define TOTP_STEP_S	30
#define TOTP_DIGITS	6
#define TOTP_WINDOW	1	/* steps accepted either side of now */
#define TOTP_KEY_MAX	64
#define TOTP_CODE_MAX	9	/* 8 digits + NUL */
#define TOTP_B32_MAX	(TOTP_KEY_MAX * 8 / 5 + 8)

enum {
	TOTP_OK = 0,
	TOTP_EWRONG = -1,	/* no step of the window gives this code */
	TOTP_EREPLAY = -2,	/* right code, but its step was already used */
	TOTP_EINVAL = -3,	/* not 6 digits, or a bad key */
};

/* The step that unix time t falls in. */
int64_t totp_step(int64_t t);

/*
 * Writes the code of step `step` (digits 6..8) for key into out
 * (TOTP_CODE_MAX bytes). TOTP_OK or TOTP_EINVAL.
 */
int totp_code(const unsigned char *key, size_t keylen, int64_t step,
    int digits, char *out);

/*
 * Checks a 6-digit code at unix time now within ±TOTP_WINDOW steps. A step
 * not newer than last_step (the newest one this user already used) is a
 * replay. On TOTP_OK *step is the step the code belongs to, which the
 * caller stores as the new last_step. Comparisons are constant-time.
 */
int totp_check(const unsigned char *key, size_t keylen, int64_t now,
    const char *code, int64_t last_step, int64_t *step);

/*
 * Base32 (RFC 4648, no padding) of key into out (outlen bytes, at least
 * TOTP_B32_MAX); returns 0, or -1 when it does not fit.
 */
int totp_b32_encode(const unsigned char *key, size_t keylen, char *out,
    size_t outlen);
/* Decodes base32 into key (TOTP_KEY_MAX bytes); -1 when malformed. */
int totp_b32_decode(const char *b32, unsigned char *key, size_t *keylen);

#endif
