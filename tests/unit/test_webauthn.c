/*
 * core/webauthn's parsers on hand-made bytes: authenticator data (every
 * truncation and every extra byte refused), CBOR that would make a decoder
 * allocate or recurse without bound, attestation objects missing parts,
 * and clientDataJSON checks.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <sodium.h>

#include "core/webauthn.h"

/* {1: 2, 3: -7}: a (too small) COSE map, enough for the framing. */
static const unsigned char small_map[] = { 0xa2, 0x01, 0x02, 0x03, 0x26 };

/* authData with UP|AT, a 4-byte credential id and small_map; *n its size. */
static void
attested(unsigned char *buf, size_t *n)
{
	memset(buf, 0, 37);
	buf[32] = WA_FLAG_UP | WA_FLAG_AT;
	buf[36] = 9;
	memset(buf + 37, 0xaa, 16);
	buf[53] = 0;
	buf[54] = 4;
	memcpy(buf + 55, "\x01\x02\x03\x04", 4);
	memcpy(buf + 59, small_map, sizeof(small_map));
	*n = 59 + sizeof(small_map);
}

static void
attested_authdata_is_parsed_with_its_parts(void **state)
{
	unsigned char buf[128];
	struct wa_authdata ad;
	char err[200];
	size_t n;

	(void)state;
	attested(buf, &n);
	assert_int_equal(wa_parse_authdata(buf, n, &ad, err, sizeof(err)), 0);
	assert_int_equal(ad.flags, WA_FLAG_UP | WA_FLAG_AT);
	assert_int_equal(ad.sign_count, 9);
	assert_ptr_equal(ad.cred_id, buf + 55);
	assert_int_equal(ad.cred_id_len, 4);
	assert_ptr_equal(ad.cose_key, buf + 59);
	assert_int_equal(ad.cose_key_len, sizeof(small_map));
}

static void
every_truncation_of_authdata_is_refused(void **state)
{
	unsigned char buf[128], *cut;
	struct wa_authdata ad;
	char err[200];
	size_t n;

	(void)state;
	attested(buf, &n);
	for (size_t len = 0; len < n; len++) {
		cut = malloc(len ? len : 1);	/* exact size: ASan sees overreads */
		memcpy(cut, buf, len);
		assert_int_equal(wa_parse_authdata(cut, len, &ad, err, sizeof(err)),
		    -1);
		free(cut);
	}
}

static void
bytes_after_authdata_are_refused_without_extensions(void **state)
{
	unsigned char buf[128];
	struct wa_authdata ad;
	char err[200];
	size_t n;

	(void)state;
	attested(buf, &n);
	buf[n] = 0x00;
	assert_int_equal(wa_parse_authdata(buf, n + 1, &ad, err, sizeof(err)), -1);
	/* An assertion's authData is exactly 37 bytes. */
	buf[32] = WA_FLAG_UP;
	assert_int_equal(wa_parse_authdata(buf, 37, &ad, err, sizeof(err)), 0);
	assert_int_equal(wa_parse_authdata(buf, 38, &ad, err, sizeof(err)), -1);
}

static void
credential_id_lengths_past_the_data_are_refused(void **state)
{
	unsigned char buf[128];
	struct wa_authdata ad;
	char err[200];
	size_t n;

	(void)state;
	attested(buf, &n);
	buf[53] = 0xff;		/* 65284 bytes announced */
	assert_int_equal(wa_parse_authdata(buf, n, &ad, err, sizeof(err)), -1);
	buf[53] = 0;
	buf[54] = 0;		/* empty id */
	assert_int_equal(wa_parse_authdata(buf, n, &ad, err, sizeof(err)), -1);
	buf[54] = 10;		/* the id swallows the key */
	assert_int_equal(wa_parse_authdata(buf, n, &ad, err, sizeof(err)), -1);
}

static void
hostile_cbor_keys_are_refused(void **state)
{
	static const unsigned char huge_array[] = { 0x9b, 0x7f, 0xff, 0xff, 0xff,
	    0xff, 0xff, 0xff, 0xff };
	static const unsigned char huge_map[] = { 0xbb, 0x00, 0x00, 0x00, 0x10,
	    0x00, 0x00, 0x00, 0x00 };
	static const unsigned char indefinite[] = { 0xbf, 0x01, 0x02, 0xff };
	static const unsigned char tagged[] = { 0xc0, 0xa0 };
	static const unsigned char huge_bytes[] = { 0x5a, 0xff, 0xff, 0xff, 0xff };
	unsigned char deep[64];
	const struct {
		const unsigned char	*p;
		size_t			 n;
	} bad[] = {
		{ huge_array, sizeof(huge_array) }, { huge_map, sizeof(huge_map) },
		{ indefinite, sizeof(indefinite) }, { tagged, sizeof(tagged) },
		{ huge_bytes, sizeof(huge_bytes) }, { deep, sizeof(deep) },
	};
	unsigned char buf[160];
	struct wa_authdata ad;
	char err[200];
	int alg;
	size_t n;

	(void)state;
	memset(deep, 0x81, sizeof(deep));	/* [[[[...]]]] 64 deep */
	deep[sizeof(deep) - 1] = 0x00;
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		attested(buf, &n);
		memcpy(buf + 59, bad[i].p, bad[i].n);
		assert_int_equal(wa_parse_authdata(buf, 59 + bad[i].n, &ad, err,
		    sizeof(err)), -1);
		assert_int_equal(wa_cose_alg(bad[i].p, bad[i].n, &alg), -1);
	}
}

static void
cose_keys_need_a_supported_algorithm_and_a_point_on_the_curve(void **state)
{
	unsigned char key[80] = { 0xa5, 0x01, 0x02, 0x03, 0x26, 0x20, 0x01, 0x21,
	    0x58, 0x20 };
	int alg = 0;

	(void)state;
	/* x = 0..0, y = 0..0 is not a P-256 point. */
	key[42] = 0x22;
	key[43] = 0x58;
	key[44] = 0x20;
	assert_int_equal(wa_cose_alg(key, 77, &alg), -1);
	assert_int_equal(wa_cose_alg(small_map, sizeof(small_map), &alg), -1);
}

static void
attestation_objects_missing_parts_are_refused(void **state)
{
	/* {"fmt": "none", "attStmt": {}} without authData. */
	static const unsigned char no_ad[] = { 0xa2, 0x63, 'f', 'm', 't', 0x64,
	    'n', 'o', 'n', 'e', 0x67, 'a', 't', 't', 'S', 't', 'm', 't', 0xa0 };
	unsigned char hash[32] = { 0 }, adbuf[512], obj[256], ad_bytes[128];
	struct wa_authdata ad;
	char err[200];
	size_t n, adn, o = 0;

	(void)state;
	assert_int_equal(wa_check_attestation(no_ad, sizeof(no_ad), hash, adbuf,
	    sizeof(adbuf), &ad, err, sizeof(err)), -1);
	/* The same with a valid authData is accepted as "none"... */
	attested(ad_bytes, &adn);
	memcpy(obj, no_ad, sizeof(no_ad));
	obj[0] = 0xa3;
	o = sizeof(no_ad);
	obj[o++] = 0x68;
	memcpy(obj + o, "authData", 8);
	o += 8;
	obj[o++] = 0x58;
	obj[o++] = (unsigned char)adn;
	memcpy(obj + o, ad_bytes, adn);
	o += adn;
	assert_int_equal(wa_check_attestation(obj, o, hash, adbuf, sizeof(adbuf),
	    &ad, err, sizeof(err)), 0);
	/* ...but not with a byte more, nor cut short anywhere. */
	obj[o] = 0;
	assert_int_equal(wa_check_attestation(obj, o + 1, hash, adbuf,
	    sizeof(adbuf), &ad, err, sizeof(err)), -1);
	for (n = 0; n < o; n++)
		assert_int_equal(wa_check_attestation(obj, n, hash, adbuf,
		    sizeof(adbuf), &ad, err, sizeof(err)), -1);
	/* authData longer than the caller's buffer. */
	assert_int_equal(wa_check_attestation(obj, o, hash, adbuf, 10, &ad, err,
	    sizeof(err)), -1);
}

static void
client_data_must_match_type_challenge_and_origin(void **state)
{
	static const char good[] = "{\"type\":\"webauthn.get\",\"challenge\":"
	    "\"abc\",\"origin\":\"https://crm.example.com\"}";
	static const char dup[] = "{\"type\":\"webauthn.get\",\"type\":"
	    "\"webauthn.get\",\"challenge\":\"abc\",\"origin\":"
	    "\"https://crm.example.com\"}";
	static const char cross[] = "{\"type\":\"webauthn.get\",\"challenge\":"
	    "\"abc\",\"origin\":\"https://crm.example.com\",\"crossOrigin\":true}";
	const unsigned char *g = (const unsigned char *)good;
	char err[200];

	(void)state;
	assert_int_equal(wa_check_client_data(g, strlen(good), "webauthn.get",
	    "abc", "https://crm.example.com", err, sizeof(err)), 0);
	assert_int_equal(wa_check_client_data(g, strlen(good), "webauthn.create",
	    "abc", "https://crm.example.com", err, sizeof(err)), -1);
	assert_int_equal(wa_check_client_data(g, strlen(good), "webauthn.get",
	    "abd", "https://crm.example.com", err, sizeof(err)), -1);
	assert_int_equal(wa_check_client_data(g, strlen(good), "webauthn.get",
	    "abc", "https://crm.example.com:8443", err, sizeof(err)), -1);
	assert_int_equal(wa_check_client_data(g, strlen(good) - 1,
	    "webauthn.get", "abc", "https://crm.example.com", err, sizeof(err)),
	    -1);
	assert_int_equal(wa_check_client_data((const unsigned char *)dup,
	    strlen(dup), "webauthn.get", "abc", "https://crm.example.com", err,
	    sizeof(err)), -1);
	assert_int_equal(wa_check_client_data((const unsigned char *)cross,
	    strlen(cross), "webauthn.get", "abc", "https://crm.example.com", err,
	    sizeof(err)), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(attested_authdata_is_parsed_with_its_parts),
		cmocka_unit_test(every_truncation_of_authdata_is_refused),
		cmocka_unit_test(bytes_after_authdata_are_refused_without_extensions),
		cmocka_unit_test(credential_id_lengths_past_the_data_are_refused),
		cmocka_unit_test(hostile_cbor_keys_are_refused),
		cmocka_unit_test(cose_keys_need_a_supported_algorithm_and_a_point_on_the_curve),
		cmocka_unit_test(attestation_objects_missing_parts_are_refused),
		cmocka_unit_test(client_data_must_match_type_challenge_and_origin),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
