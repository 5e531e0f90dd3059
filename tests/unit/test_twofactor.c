/*
 * core/totp (RFC 6238 codes, the window, the replay rule, base32) and the
 * origin → relying party rule of core/twofactor. The WebAuthn parsers have
 * their own cases in test_webauthn.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <liboath/oath.h>
#include <sodium.h>

#include "core/totp.h"
#include "core/twofactor.h"

/* RFC 6238 appendix B, the SHA-1 column: key "12345678901234567890". */
static const unsigned char rfc_key[] = "12345678901234567890";

static void
totp_matches_the_rfc_6238_sha1_vectors(void **state)
{
	static const struct {
		int64_t		 t;
		const char	*code;
	} v[] = {
		{ 59, "94287082" },
		{ 1111111109, "07081804" },
		{ 1111111111, "14050471" },
		{ 1234567890, "89005924" },
		{ 2000000000, "69279037" },
		{ 20000000000, "65353130" },
	};
	char out[TOTP_CODE_MAX];

	(void)state;
	for (size_t i = 0; i < sizeof(v) / sizeof(*v); i++) {
		assert_int_equal(totp_code(rfc_key, 20, totp_step(v[i].t), 8, out),
		    TOTP_OK);
		assert_string_equal(out, v[i].code);
		/* Six digits are the last six of the eight. */
		assert_int_equal(totp_code(rfc_key, 20, totp_step(v[i].t), 6, out),
		    TOTP_OK);
		assert_string_equal(out, v[i].code + 2);
	}
}

static void
a_code_is_accepted_one_step_either_side_and_no_further(void **state)
{
	const int64_t now = 1234567890, s = totp_step(now);
	char code[TOTP_CODE_MAX];
	int64_t step = 0;

	(void)state;
	for (int d = -1; d <= 1; d++) {
		assert_int_equal(totp_code(rfc_key, 20, s + d, 6, code), TOTP_OK);
		assert_int_equal(totp_check(rfc_key, 20, now, code, 0, &step), TOTP_OK);
		assert_int_equal(step, s + d);
	}
	for (int d = 2; d <= 3; d++) {
		assert_int_equal(totp_code(rfc_key, 20, s + d, 6, code), TOTP_OK);
		assert_int_equal(totp_check(rfc_key, 20, now, code, 0, &step),
		    TOTP_EWRONG);
		assert_int_equal(totp_code(rfc_key, 20, s - d, 6, code), TOTP_OK);
		assert_int_equal(totp_check(rfc_key, 20, now, code, 0, &step),
		    TOTP_EWRONG);
	}
}

static void
a_used_step_cannot_be_used_again(void **state)
{
	const int64_t now = 1111111111, s = totp_step(now);
	char code[TOTP_CODE_MAX];
	int64_t step = 0;

	(void)state;
	assert_int_equal(totp_code(rfc_key, 20, s, 6, code), TOTP_OK);
	assert_int_equal(totp_check(rfc_key, 20, now, code, s, &step),
	    TOTP_EREPLAY);
	assert_int_equal(totp_check(rfc_key, 20, now, code, s + 1, &step),
	    TOTP_EREPLAY);
	assert_int_equal(totp_check(rfc_key, 20, now, code, s - 1, &step), TOTP_OK);
	assert_int_equal(step, s);
	/* An older step of the window is a replay too once a newer one was used. */
	assert_int_equal(totp_code(rfc_key, 20, s - 1, 6, code), TOTP_OK);
	assert_int_equal(totp_check(rfc_key, 20, now, code, s, &step),
	    TOTP_EREPLAY);
}

static void
malformed_codes_are_refused(void **state)
{
	static const char *const bad[] = {
		"", "12345", "1234567", "12345a", " 123456", "123456 ", "１２３４５６",
	};
	int64_t step;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++)
		assert_int_equal(totp_check(rfc_key, 20, 59, bad[i], 0, &step),
		    TOTP_EINVAL);
	assert_int_equal(totp_check(rfc_key, 0, 59, "123456", 0, &step),
	    TOTP_EINVAL);
}

static void
base32_round_trips_and_refuses_junk(void **state)
{
	unsigned char key[TOTP_KEY_MAX], back[TOTP_KEY_MAX];
	char b32[TOTP_B32_MAX], tiny[8];
	size_t n = 0;

	(void)state;
	for (size_t i = 0; i < 20; i++)
		key[i] = (unsigned char)(i * 37 + 11);
	assert_int_equal(totp_b32_encode(key, 20, b32, sizeof(b32)), 0);
	assert_int_equal(strlen(b32), 32);
	assert_int_equal(totp_b32_decode(b32, back, &n), 0);
	assert_int_equal(n, 20);
	assert_memory_equal(key, back, 20);
	assert_int_equal(totp_b32_encode(key, 20, tiny, sizeof(tiny)), -1);
	assert_int_equal(totp_b32_decode("ABC1", back, &n), -1);
	assert_int_equal(totp_b32_decode("", back, &n), -1);
	assert_int_equal(totp_b32_decode("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", back,
	    &n), 0);
	assert_memory_equal(back, rfc_key, 20);
}

static void
the_rp_id_is_the_origins_host(void **state)
{
	struct twofa_rp rp;
	char err[200];

	(void)state;
	assert_int_equal(twofa_rp_from_origin("https://crm.example.com", &rp, err,
	    sizeof(err)), 0);
	assert_string_equal(rp.id, "crm.example.com");
	assert_string_equal(rp.origin, "https://crm.example.com");
	assert_int_equal(twofa_rp_from_origin("http://localhost:8080", &rp, err,
	    sizeof(err)), 0);
	assert_string_equal(rp.id, "localhost");
	assert_int_equal(twofa_rp_from_origin("ftp://x.example", &rp, err,
	    sizeof(err)), -1);
	assert_int_equal(twofa_rp_from_origin("https://crm.example.com/app", &rp,
	    err, sizeof(err)), -1);
	assert_int_equal(twofa_rp_from_origin("https://", &rp, err, sizeof(err)),
	    -1);
	assert_int_equal(twofa_rp_from_origin("https://x.example:", &rp, err,
	    sizeof(err)), -1);
	assert_int_equal(twofa_rp_from_origin("https://X.example", &rp, err,
	    sizeof(err)), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(totp_matches_the_rfc_6238_sha1_vectors),
		cmocka_unit_test(a_code_is_accepted_one_step_either_side_and_no_further),
		cmocka_unit_test(a_used_step_cannot_be_used_again),
		cmocka_unit_test(malformed_codes_are_refused),
		cmocka_unit_test(base32_round_trips_and_refuses_junk),
		cmocka_unit_test(the_rp_id_is_the_origins_host),
	};

	if (sodium_init() < 0 || oath_init() != OATH_OK)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
