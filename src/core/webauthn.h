/*
 * WebAuthn (Web Authentication Level 2) checks for security keys and
 * passkeys: the parts of registration and assertion a relying party must
 * verify, on bytes the browser sent. The parsers are pure functions over
 * untrusted input (the fuzz harness fuzz/fuzz_webauthn.c drives them): any
 * length or type that does not fit is refused, never trusted.
 *
 * Supported: attestation formats "none" and "packed" (self attestation,
 * and x5c whose leaf certificate's key must verify the signature); COSE
 * keys ES256 (P-256) and EdDSA (Ed25519).
 */
#ifndef CORE_WEBAUTHN_H
#define CORE_WEBAUTHN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/core.h"
#include "core/twofactor.h"

#define WA_CRED_ID_MAX		1023
#define WA_COSE_MAX		1024
#define WA_CHALLENGE_BYTES	32
#define WA_CHALLENGE_TTL_MS	(5LL * 60 * 1000)

enum {
	WA_FLAG_UP = 0x01,
	WA_FLAG_UV = 0x04,
	WA_FLAG_AT = 0x40,
	WA_FLAG_ED = 0x80,
};

enum {
	COSE_ES256 = -7,
	COSE_EDDSA = -8,
};

/* Authenticator data, parsed; pointers borrow the input bytes. */
struct wa_authdata {
	const unsigned char	*rp_id_hash;	/* 32 bytes */
	uint8_t			 flags;
	uint32_t		 sign_count;
	/* With WA_FLAG_AT: the attested credential. */
	const unsigned char	*cred_id;
	size_t			 cred_id_len;
	const unsigned char	*cose_key;
	size_t			 cose_key_len;
};

/*
 * Parses authenticator data (at least 37 bytes; with AT the credential id
 * and one CBOR map, the COSE key, whose exact length is found). Returns 0,
 * or -1 with a reason in err.
 */
int wa_parse_authdata(const unsigned char *p, size_t n,
    struct wa_authdata *out, char *err, size_t errlen);

/*
 * Parses an attestation object (CBOR map fmt, attStmt, authData) and
 * checks its statement against client_hash (SHA-256 of clientDataJSON):
 * "none" has an empty statement; "packed" signs authData || client_hash
 * with the new credential's key (self attestation) or the x5c leaf
 * certificate's key (the chain is not checked against trust anchors:
 * attestation is not required by policy). authData is copied into ad_buf
 * (ad_cap bytes) and parsed into *ad, whose pointers borrow ad_buf; it
 * must carry an attested credential. Returns 0, or -1 with a reason in err.
 */
int wa_check_attestation(const unsigned char *p, size_t n,
    const unsigned char client_hash[32], unsigned char *ad_buf,
    size_t ad_cap, struct wa_authdata *ad, char *err, size_t errlen);

/*
 * Reads a COSE public key (CBOR map): its algorithm into *alg (COSE_ES256
 * or COSE_EDDSA). Returns 0 or -1.
 */
int wa_cose_alg(const unsigned char *cose, size_t n, int *alg);

/*
 * Verifies sig over msg with the COSE key (ES256: DER ECDSA; EdDSA: 64
 * bytes). Returns 0 when valid.
 */
int wa_verify(const unsigned char *cose, size_t cose_len,
    const unsigned char *msg, size_t msg_len, const unsigned char *sig,
    size_t sig_len);

/*
 * Checks clientDataJSON: JSON object with type equal to want_type,
 * challenge (base64url) equal to challenge_b64u, origin equal to origin.
 * Returns 0 or -1 with a reason in err.
 */
int wa_check_client_data(const unsigned char *cdj, size_t n,
    const char *want_type, const char *challenge_b64u, const char *origin,
    char *err, size_t errlen);

/* The challenge (base64url) named by clientDataJSON, into out. 0 or -1. */
int wa_client_challenge(const unsigned char *cdj, size_t n, char *out,
    size_t outlen);

/*
 * Checks a WebAuthn assertion {id, response: {clientDataJSON,
 * authenticatorData, signature, userHandle?}} for user_id against one of
 * their keys and a live challenge of purpose "login"; on success the key's
 * counter and last use are updated. CRM_EUNAUTH when it is not a valid
 * proof of the user's key, CRM_EBADQUERY for malformed input.
 */
int webauthn_check_assertion(struct core_ctx *cx, const struct twofa_rp *rp,
    int64_t user_id, json_t *assertion);

#endif
