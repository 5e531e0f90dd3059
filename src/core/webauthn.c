/*
 * WebAuthn: registration and assertion checks (see core/webauthn.h).
 *
 * The browser's bytes are untrusted all the way down: clientDataJSON is
 * parsed by jansson, CBOR by libcbor (definite lengths only, every type
 * checked before use), authenticator data by hand with every length
 * checked against what is left. Signatures are verified with OpenSSL's
 * EVP interface. Challenges are single use: the row is deleted before
 * anything else is checked, so a second try with the same challenge fails
 * whatever the first one did. Every refusal is CRM_EBADQUERY (400) with a
 * detail saying what did not match; nothing is stored then.
 */
#include "core/audit.h"
#include "core/webauthn.h"

#include <cbor.h>
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <openssl/x509.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/log.h"
#include "util/timeutil.h"

#define CDJ_MAX		4096
#define ATT_MAX		16384
#define AD_MAX		4096
#define SIG_MAX		512
#define B64_MAX(n)	((n) * 4 / 3 + 4)
#define CRED_B64_MAX	B64_MAX(WA_CRED_ID_MAX)
#define COSE_B64_MAX	B64_MAX(WA_COSE_MAX)
#define CHAL_B64_LEN	64

static int
db_fail(struct core_ctx *cx, const char *what)
{
	log_error("database: webauthn: %s: %s", what, db_errmsg(cx->db));
	return core_fail(cx, CRM_EDB, "The database failed");
}

static int
fail(char *err, size_t errlen, const char *msg)
{
	snprintf(err, errlen, "%s", msg);
	return -1;
}

/* ---- pure parsers ---- */

static int
cbor_int(const cbor_item_t *it, int64_t *v)
{
	uint64_t u;

	if (!cbor_isa_uint(it) && !cbor_isa_negint(it))
		return -1;
	u = cbor_get_int(it);
	if (u > INT64_MAX)
		return -1;
	*v = cbor_isa_uint(it) ? (int64_t)u : -1 - (int64_t)u;
	return 0;
}

static bool
cbor_is_text(const cbor_item_t *it, const char *s)
{
	size_t n = strlen(s);

	return cbor_isa_string(it) && cbor_string_is_definite(it) &&
	    cbor_string_length(it) == n &&
	    memcmp(cbor_string_handle(it), s, n) == 0;
}

static bool
cbor_is_bytes(const cbor_item_t *it)
{
	return cbor_isa_bytestring(it) && cbor_bytestring_is_definite(it);
}

/* The member of a map whose key is the integer k, or NULL. */
static cbor_item_t *
map_int(const cbor_item_t *map, int64_t k)
{
	struct cbor_pair *p = cbor_map_handle(map);
	size_t n = cbor_map_size(map);
	int64_t v;

	for (size_t i = 0; i < n; i++)
		if (cbor_int(p[i].key, &v) == 0 && v == k)
			return p[i].value;
	return NULL;
}

static cbor_item_t *
map_text(const cbor_item_t *map, const char *k)
{
	struct cbor_pair *p = cbor_map_handle(map);
	size_t n = cbor_map_size(map);

	for (size_t i = 0; i < n; i++)
		if (cbor_is_text(p[i].key, k))
			return p[i].value;
	return NULL;
}

#define CBOR_DEPTH_MAX 8

/*
 * Walks one CBOR item of p before libcbor sees it: definite lengths only,
 * no tags, nesting at most CBOR_DEPTH_MAX, and every count or length no
 * larger than the bytes left, so that a few hostile bytes cannot make the
 * decoder allocate gigabytes for an array it announces. *len is the item's
 * size. Returns 0 or -1.
 */
static int
cbor_walk(const unsigned char *p, size_t n, int depth, size_t *len)
{
	unsigned major, ai;
	uint64_t v = 0;
	size_t off = 1, k;

	if (n == 0 || depth > CBOR_DEPTH_MAX)
		return -1;
	major = p[0] >> 5;
	ai = p[0] & 31;
	if (ai < 24) {
		v = ai;
	} else if (ai <= 27) {
		k = (size_t)1 << (ai - 24);
		if (n - 1 < k)
			return -1;
		for (size_t i = 0; i < k; i++)
			v = v << 8 | p[1 + i];
		off += k;
	} else {
		return -1;	/* reserved, or indefinite length */
	}
	switch (major) {
	case 0: case 1:
		break;
	case 2: case 3:
		if (v > n - off)
			return -1;
		off += (size_t)v;
		break;
	case 4: case 5:
		if (v > n - off || (major == 5 && v > (n - off) / 2))
			return -1;
		for (uint64_t i = 0; i < (major == 5 ? v * 2 : v); i++) {
			size_t sub;

			if (cbor_walk(p + off, n - off, depth + 1, &sub) != 0)
				return -1;
			off += sub;
		}
		break;
	case 7:
		if (ai < 20 || ai == 24)
			return -1;	/* unassigned simple values */
		break;
	default:
		return -1;	/* tags: WebAuthn uses none */
	}
	*len = off;
	return 0;
}

/* One CBOR item from p; *used is its length. NULL when malformed. */
static cbor_item_t *
cbor_one(const unsigned char *p, size_t n, size_t *used)
{
	struct cbor_load_result r;
	cbor_item_t *it;
	size_t len = 0;

	if (cbor_walk(p, n, 0, &len) != 0)
		return NULL;
	it = cbor_load(p, len, &r);
	if (it == NULL || r.error.code != CBOR_ERR_NONE) {
		if (it != NULL)
			cbor_decref(&it);
		return NULL;
	}
	*used = r.read;
	return it;
}

/* The public key of a COSE map as an EVP_PKEY (caller frees), and its alg. */
static EVP_PKEY *
cose_pkey(const cbor_item_t *map, int *alg)
{
	static const unsigned char p256_spki[] = {
		0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d,
		0x02, 0x01, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01,
		0x07, 0x03, 0x42, 0x00, 0x04,
	};
	cbor_item_t *kty, *a, *crv, *x, *y;
	int64_t vkty, valg, vcrv;

	if (!cbor_isa_map(map))
		return NULL;
	kty = map_int(map, 1);
	a = map_int(map, 3);
	crv = map_int(map, -1);
	x = map_int(map, -2);
	y = map_int(map, -3);
	if (kty == NULL || a == NULL || crv == NULL || x == NULL ||
	    cbor_int(kty, &vkty) != 0 || cbor_int(a, &valg) != 0 ||
	    cbor_int(crv, &vcrv) != 0 || !cbor_is_bytes(x))
		return NULL;
	if (valg == COSE_ES256 && vkty == 2 && vcrv == 1 && y != NULL &&
	    cbor_is_bytes(y) && cbor_bytestring_length(x) == 32 &&
	    cbor_bytestring_length(y) == 32) {
		unsigned char der[sizeof(p256_spki) + 64];
		const unsigned char *q = der;
		EVP_PKEY *k;

		memcpy(der, p256_spki, sizeof(p256_spki));
		memcpy(der + sizeof(p256_spki), cbor_bytestring_handle(x), 32);
		memcpy(der + sizeof(p256_spki) + 32, cbor_bytestring_handle(y), 32);
		/* Decoding checks that the point is on the curve. */
		k = d2i_PUBKEY(NULL, &q, (long)sizeof(der));
		*alg = COSE_ES256;
		return k;
	}
	if (valg == COSE_EDDSA && vkty == 1 && vcrv == 6 &&
	    cbor_bytestring_length(x) == 32) {
		*alg = COSE_EDDSA;
		return EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL,
		    cbor_bytestring_handle(x), 32);
	}
	return NULL;
}

int
wa_cose_alg(const unsigned char *cose, size_t n, int *alg)
{
	size_t used = 0;
	cbor_item_t *it = cbor_one(cose, n, &used);
	EVP_PKEY *k;

	if (it == NULL)
		return -1;
	k = cose_pkey(it, alg);
	cbor_decref(&it);
	if (k == NULL || used != n) {
		EVP_PKEY_free(k);
		return -1;
	}
	EVP_PKEY_free(k);
	return 0;
}

static int
pkey_verify(EVP_PKEY *k, bool sha256, const unsigned char *msg, size_t msg_len,
    const unsigned char *sig, size_t sig_len)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	int ok = 0;

	if (md == NULL)
		return -1;
	if (EVP_DigestVerifyInit(md, NULL, sha256 ? EVP_sha256() : NULL, NULL,
	    k) == 1)
		ok = EVP_DigestVerify(md, sig, sig_len, msg, msg_len) == 1;
	EVP_MD_CTX_free(md);
	return ok ? 0 : -1;
}

int
wa_verify(const unsigned char *cose, size_t cose_len,
    const unsigned char *msg, size_t msg_len, const unsigned char *sig,
    size_t sig_len)
{
	size_t used = 0;
	cbor_item_t *it = cbor_one(cose, cose_len, &used);
	EVP_PKEY *k;
	int alg = 0, rc;

	if (it == NULL)
		return -1;
	k = cose_pkey(it, &alg);
	cbor_decref(&it);
	if (k == NULL)
		return -1;
	rc = pkey_verify(k, alg == COSE_ES256, msg, msg_len, sig, sig_len);
	EVP_PKEY_free(k);
	return rc;
}

int
wa_parse_authdata(const unsigned char *p, size_t n, struct wa_authdata *out,
    char *err, size_t errlen)
{
	size_t off = 37, used = 0;
	cbor_item_t *key;

	memset(out, 0, sizeof(out[0]));
	if (n < 37)
		return fail(err, errlen, "authenticatorData is shorter than 37 "
		    "bytes");
	out->rp_id_hash = p;
	out->flags = p[32];
	out->sign_count = (uint32_t)p[33] << 24 | (uint32_t)p[34] << 16 |
	    (uint32_t)p[35] << 8 | (uint32_t)p[36];
	if (!(out->flags & WA_FLAG_AT)) {
		if (!(out->flags & WA_FLAG_ED) && n != 37)
			return fail(err, errlen, "authenticatorData has bytes after "
			    "its end");
		return 0;
	}
	if (n - off < 18)
		return fail(err, errlen, "authenticatorData is cut short in the "
		    "attested credential");
	off += 16;	/* AAGUID */
	out->cred_id_len = (size_t)p[off] << 8 | p[off + 1];
	off += 2;
	if (out->cred_id_len == 0 || out->cred_id_len > WA_CRED_ID_MAX ||
	    out->cred_id_len > n - off)
		return fail(err, errlen, "authenticatorData has a bad credential "
		    "id length");
	out->cred_id = p + off;
	off += out->cred_id_len;
	if (n - off > WA_COSE_MAX * 4)
		return fail(err, errlen, "authenticatorData is too long");
	key = cbor_one(p + off, n - off, &used);
	if (key == NULL)
		return fail(err, errlen, "authenticatorData's public key is not "
		    "valid CBOR");
	if (!cbor_isa_map(key) || used > WA_COSE_MAX) {
		cbor_decref(&key);
		return fail(err, errlen, "authenticatorData's public key is not a "
		    "COSE key");
	}
	cbor_decref(&key);
	out->cose_key = p + off;
	out->cose_key_len = used;
	off += used;
	if (off != n && !(out->flags & WA_FLAG_ED))
		return fail(err, errlen, "authenticatorData has bytes after its "
		    "end");
	return 0;
}

int
wa_check_attestation(const unsigned char *p, size_t n,
    const unsigned char client_hash[32], unsigned char *ad_buf,
    size_t ad_cap, struct wa_authdata *ad, char *err, size_t errlen)
{
	cbor_item_t *root, *fmt, *st, *adi, *alg_it, *sig, *x5c;
	unsigned char *msg = NULL;
	size_t used = 0, adlen, siglen;
	int64_t alg = 0;
	int rc = -1, calg = 0;

	root = cbor_one(p, n, &used);
	if (root == NULL)
		return fail(err, errlen, "attestationObject is not valid CBOR");
	if (used != n || !cbor_isa_map(root)) {
		fail(err, errlen, "attestationObject must be one CBOR map");
		goto out;
	}
	fmt = map_text(root, "fmt");
	st = map_text(root, "attStmt");
	adi = map_text(root, "authData");
	if (fmt == NULL || st == NULL || adi == NULL || !cbor_isa_map(st) ||
	    !cbor_is_bytes(adi) || !cbor_isa_string(fmt)) {
		fail(err, errlen, "attestationObject lacks fmt, attStmt or "
		    "authData");
		goto out;
	}
	adlen = cbor_bytestring_length(adi);
	if (adlen > ad_cap) {
		fail(err, errlen, "authData is too long");
		goto out;
	}
	memcpy(ad_buf, cbor_bytestring_handle(adi), adlen);
	if (wa_parse_authdata(ad_buf, adlen, ad, err, errlen) != 0)
		goto out;
	if (!(ad->flags & WA_FLAG_AT)) {
		fail(err, errlen, "authData carries no credential (AT flag unset)");
		goto out;
	}
	if (cbor_is_text(fmt, "none")) {
		if (cbor_map_size(st) != 0)
			fail(err, errlen, "attestation \"none\" must have an empty "
			    "attStmt");
		else
			rc = 0;
		goto out;
	}
	if (!cbor_is_text(fmt, "packed")) {
		fail(err, errlen, "unsupported attestation format (use none or "
		    "packed)");
		goto out;
	}
	alg_it = map_text(st, "alg");
	sig = map_text(st, "sig");
	x5c = map_text(st, "x5c");
	if (alg_it == NULL || sig == NULL || cbor_int(alg_it, &alg) != 0 ||
	    !cbor_is_bytes(sig) || cbor_bytestring_length(sig) > SIG_MAX) {
		fail(err, errlen, "packed attestation needs alg and sig");
		goto out;
	}
	siglen = cbor_bytestring_length(sig);
	msg = malloc(adlen + 32);
	if (msg == NULL) {
		fail(err, errlen, "out of memory");
		goto out;
	}
	memcpy(msg, ad_buf, adlen);
	memcpy(msg + adlen, client_hash, 32);
	if (x5c == NULL) {
		if (wa_cose_alg(ad->cose_key, ad->cose_key_len, &calg) != 0 ||
		    calg != alg) {
			fail(err, errlen, "self attestation: alg differs from the "
			    "credential's key");
			goto out;
		}
		if (wa_verify(ad->cose_key, ad->cose_key_len, msg, adlen + 32,
		    cbor_bytestring_handle(sig), siglen) != 0) {
			fail(err, errlen, "self attestation: the signature is wrong");
			goto out;
		}
		rc = 0;
	} else {
		cbor_item_t **certs;
		const unsigned char *q;
		X509 *leaf;
		EVP_PKEY *k;

		if (!cbor_isa_array(x5c) || cbor_array_size(x5c) == 0 ||
		    alg != COSE_ES256) {
			fail(err, errlen, "packed attestation: x5c must be a list of "
			    "certificates, with alg ES256");
			goto out;
		}
		certs = cbor_array_handle(x5c);
		if (!cbor_is_bytes(certs[0]) ||
		    cbor_bytestring_length(certs[0]) > ATT_MAX) {
			fail(err, errlen, "packed attestation: x5c[0] is not a "
			    "certificate");
			goto out;
		}
		q = cbor_bytestring_handle(certs[0]);
		leaf = d2i_X509(NULL, &q, (long)cbor_bytestring_length(certs[0]));
		k = leaf ? X509_get0_pubkey(leaf) : NULL;
		if (k == NULL || EVP_PKEY_get_base_id(k) != EVP_PKEY_EC) {
			X509_free(leaf);
			fail(err, errlen, "packed attestation: x5c[0] is not an EC "
			    "certificate");
			goto out;
		}
		if (pkey_verify(k, true, msg, adlen + 32,
		    cbor_bytestring_handle(sig), siglen) != 0) {
			X509_free(leaf);
			fail(err, errlen, "packed attestation: the signature does not "
			    "match the certificate");
			goto out;
		}
		X509_free(leaf);
		rc = 0;
	}
out:
	free(msg);
	cbor_decref(&root);
	return rc;
}

/* A string member of a JSON object, or NULL. */
static const char *
jstr(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

int
wa_client_challenge(const unsigned char *cdj, size_t n, char *out,
    size_t outlen)
{
	json_t *j = json_loadb((const char *)cdj, n, JSON_REJECT_DUPLICATES, NULL);
	const char *c = json_is_object(j) ? jstr(j, "challenge") : NULL;
	int rc = -1;

	if (c != NULL && strlen(c) < outlen) {
		snprintf(out, outlen, "%s", c);
		rc = 0;
	}
	json_decref(j);
	return rc;
}

int
wa_check_client_data(const unsigned char *cdj, size_t n,
    const char *want_type, const char *challenge_b64u, const char *origin,
    char *err, size_t errlen)
{
	json_t *j;
	const char *t, *c, *o;
	int rc = -1;

	if (n > CDJ_MAX)
		return fail(err, errlen, "clientDataJSON is too long");
	j = json_loadb((const char *)cdj, n, JSON_REJECT_DUPLICATES, NULL);
	if (!json_is_object(j)) {
		json_decref(j);
		return fail(err, errlen, "clientDataJSON is not a JSON object");
	}
	t = jstr(j, "type");
	c = jstr(j, "challenge");
	o = jstr(j, "origin");
	if (t == NULL || strcmp(t, want_type) != 0)
		snprintf(err, errlen, "clientDataJSON.type must be %s", want_type);
	else if (c == NULL || strcmp(c, challenge_b64u) != 0)
		snprintf(err, errlen, "clientDataJSON.challenge is not the one "
		    "issued");
	else if (o == NULL || strcmp(o, origin) != 0)
		snprintf(err, errlen, "clientDataJSON.origin is not %s (the "
		    "server's --origin)", origin);
	else if (json_is_true(json_object_get(j, "crossOrigin")))
		snprintf(err, errlen, "cross-origin requests are not accepted");
	else
		rc = 0;
	json_decref(j);
	return rc;
}

/* ---- base64url ---- */

static int
b64u_decode(const char *s, unsigned char *out, size_t cap, size_t *n)
{
	size_t len;

	if (s == NULL)
		return -1;
	len = strlen(s);
	while (len > 0 && s[len - 1] == '=')
		len--;
	if (len == 0)
		return -1;
	return sodium_base642bin(out, cap, s, len, NULL, n, NULL,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING) == 0 ? 0 : -1;
}

static void
b64u_encode(const unsigned char *p, size_t n, char *out, size_t cap)
{
	sodium_bin2base64(out, cap, p, n, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

/* ---- challenges ---- */

static int
new_challenge(struct core_ctx *cx, const char *purpose, char *b64)
{
	unsigned char raw[WA_CHALLENGE_BYTES];
	int64_t now = time_now_ms();
	db_stmt_t *st;
	int rc;

	if (db_prepare(cx->db, "DELETE FROM webauthn_challenges WHERE user_id = ? "
	    "AND (expires_at <= ? OR purpose = ?)", &st) != DB_OK)
		return db_fail(cx, "challenge sweep");
	db_bind_int(st, 1, cx->actor.user_id);
	db_bind_int(st, 2, now);
	db_bind_text(st, 3, purpose, strlen(purpose));
	rc = db_step(st);
	db_done(st);
	if (rc != DB_DONE)
		return db_fail(cx, "challenge sweep step");
	randombytes_buf(raw, sizeof(raw));
	b64u_encode(raw, sizeof(raw), b64, CHAL_B64_LEN);
	if (db_prepare(cx->db, "INSERT INTO webauthn_challenges (user_id, purpose, "
	    "challenge, expires_at) VALUES (?, ?, ?, ?)", &st) != DB_OK)
		return db_fail(cx, "challenge");
	db_bind_int(st, 1, cx->actor.user_id);
	db_bind_text(st, 2, purpose, strlen(purpose));
	db_bind_text(st, 3, b64, strlen(b64));
	db_bind_int(st, 4, now + WA_CHALLENGE_TTL_MS);
	rc = db_step(st);
	db_done(st);
	return rc == DB_DONE ? CRM_OK : db_fail(cx, "challenge step");
}

/* Consumes the challenge named in cdj; CRM_EBADQUERY if not live. */
static int
take_challenge(struct core_ctx *cx, const unsigned char *cdj, size_t n,
    const char *purpose, char *b64)
{
	db_stmt_t *st;
	int rc;

	if (wa_client_challenge(cdj, n, b64, CHAL_B64_LEN) != 0)
		return core_fail(cx, CRM_EBADQUERY, "clientDataJSON names no "
		    "challenge");
	if (db_prepare(cx->db, "DELETE FROM webauthn_challenges WHERE challenge = "
	    "? AND user_id = ? AND purpose = ? AND expires_at > ?", &st) != DB_OK)
		return db_fail(cx, "take challenge");
	db_bind_text(st, 1, b64, strlen(b64));
	db_bind_int(st, 2, cx->actor.user_id);
	db_bind_text(st, 3, purpose, strlen(purpose));
	db_bind_int(st, 4, time_now_ms());
	rc = db_step(st);
	db_done(st);
	if (rc != DB_DONE)
		return db_fail(cx, "take challenge step");
	if (db_changes(cx->db) != 1)
		return core_fail(cx, CRM_EBADQUERY, "The challenge is unknown, "
		    "expired or already used; ask for new options and try again");
	return CRM_OK;
}

/* The user's credential ids as [{type, id}] (allow/excludeCredentials). */
static int
cred_list(struct core_ctx *cx, json_t **out)
{
	db_stmt_t *st;
	json_t *a;
	int rc;

	if (db_prepare(cx->db, "SELECT cred_id FROM webauthn_credentials WHERE "
	    "user_id = ? ORDER BY id", &st) != DB_OK)
		return db_fail(cx, "creds");
	db_bind_int(st, 1, cx->actor.user_id);
	a = json_array();
	while ((rc = db_step(st)) == DB_ROW)
		json_array_append_new(a, json_pack("{s:s, s:s}", "type",
		    "public-key", "id", db_col_text(st, 0, NULL)));
	db_done(st);
	if (rc != DB_DONE) {
		json_decref(a);
		return db_fail(cx, "creds step");
	}
	*out = a;
	return CRM_OK;
}

int
twofa_webauthn_register_options(struct core_ctx *cx,
    const struct twofa_rp *rp, json_t **out)
{
	char chal[CHAL_B64_LEN], handle[24];
	unsigned char uid[8];
	json_t *exclude = NULL;
	int rc;

	rc = cred_list(cx, &exclude);
	if (rc == CRM_OK)
		rc = new_challenge(cx, "register", chal);
	if (rc != CRM_OK) {
		json_decref(exclude);
		return rc;
	}
	for (int i = 0; i < 8; i++)
		uid[i] = (unsigned char)((uint64_t)cx->actor.user_id >> (56 - 8 * i));
	b64u_encode(uid, sizeof(uid), handle, sizeof(handle));
	*out = json_pack("{s:s, s:{s:s, s:s}, s:{s:s, s:s, s:s}, s:[{s:s, s:i}, "
	    "{s:s, s:i}], s:I, s:s, s:o, s:{s:s, s:s}}",
	    "challenge", chal,
	    "rp", "id", rp->id, "name", rp->name,
	    "user", "id", handle, "name", cx->actor.email, "displayName",
	    cx->actor.name[0] ? cx->actor.name : cx->actor.email,
	    "pubKeyCredParams", "type", "public-key", "alg", COSE_ES256,
	    "type", "public-key", "alg", COSE_EDDSA,
	    "timeout", (json_int_t)WA_CHALLENGE_TTL_MS,
	    "attestation", "none",
	    "excludeCredentials", exclude,
	    "authenticatorSelection", "residentKey", "preferred",
	    "userVerification", "preferred");
	return *out ? CRM_OK : core_fail(cx, CRM_EDB, "Cannot build the options");
}

/* The bytes of a base64url member of resp, or a 400. */
static int
member_bytes(struct core_ctx *cx, json_t *resp, const char *k,
    unsigned char *buf, size_t cap, size_t *n)
{
	if (b64u_decode(jstr(resp, k), buf, cap, n) != 0)
		return core_fail(cx, CRM_EBADQUERY, "response.%s must be base64url "
		    "of at most %zu bytes", k, cap);
	return CRM_OK;
}

static int
rp_matches(struct core_ctx *cx, const struct twofa_rp *rp,
    const struct wa_authdata *ad)
{
	unsigned char h[32];

	SHA256((const unsigned char *)rp->id, strlen(rp->id), h);
	if (sodium_memcmp(h, ad->rp_id_hash, 32) != 0)
		return core_fail(cx, CRM_EBADQUERY, "The key answered for another "
		    "site (rpIdHash is not SHA-256 of %s)", rp->id);
	if (!(ad->flags & WA_FLAG_UP))
		return core_fail(cx, CRM_EBADQUERY, "The key did not confirm that a "
		    "person was present (UP flag unset); touch the key");
	return CRM_OK;
}

/* Buffers for one ceremony's decoded bytes: heap, not the worker's stack. */
struct wa_bufs {
	unsigned char	cdj[CDJ_MAX];
	unsigned char	att[ATT_MAX];
	unsigned char	ad[AD_MAX];
	unsigned char	sig[SIG_MAX];
	unsigned char	cred[WA_CRED_ID_MAX + 1];
	char		cred_b64[CRED_B64_MAX];
	char		cose_b64[COSE_B64_MAX];
};

static int
store_credential(struct core_ctx *cx, const struct wa_authdata *ad, int alg,
    const char *name, struct wa_bufs *b, json_t **out)
{
	char ts[TIME_RFC3339_LEN];
	int64_t now = time_now_ms(), id = 0;
	db_stmt_t *st;
	int rc;

	b64u_encode(ad->cred_id, ad->cred_id_len, b->cred_b64,
	    sizeof(b->cred_b64));
	b64u_encode(ad->cose_key, ad->cose_key_len, b->cose_b64,
	    sizeof(b->cose_b64));
	if (db_prepare(cx->db, "INSERT INTO webauthn_credentials (user_id, "
	    "cred_id, public_key, alg, sign_count, name, created_at) VALUES "
	    "(?, ?, ?, ?, ?, ?, ?) RETURNING id", &st) != DB_OK)
		return db_fail(cx, "store key");
	db_bind_int(st, 1, cx->actor.user_id);
	db_bind_text(st, 2, b->cred_b64, strlen(b->cred_b64));
	db_bind_text(st, 3, b->cose_b64, strlen(b->cose_b64));
	db_bind_int(st, 4, alg);
	db_bind_int(st, 5, ad->sign_count);
	db_bind_text(st, 6, name, strlen(name));
	db_bind_int(st, 7, now);
	rc = db_step(st);
	if (rc == DB_ROW)
		id = db_col_int(st, 0);
	db_done(st);
	if (rc == DB_ECONSTRAINT)
		return core_fail(cx, CRM_EEXISTS, "This security key is already "
		    "registered");
	if (rc != DB_ROW)
		return db_fail(cx, "store key step");
	time_format(now, ts, sizeof(ts));
	*out = json_pack("{s:I, s:s, s:s, s:n}", "id", (json_int_t)id, "name",
	    name, "created_at", ts, "last_used_at");
	return CRM_OK;
}

/* Checks a registration; on CRM_OK *ad (borrowing b) and *alg are the key. */
static int
register_check(struct core_ctx *cx, const struct twofa_rp *rp,
    json_t *credential, const char *name, struct wa_bufs *b,
    struct wa_authdata *adp, int *algp)
{
	json_t *resp = json_object_get(credential, "response");
	char chal[CHAL_B64_LEN], err[200];
	unsigned char hash[32];
	struct wa_authdata ad;
	size_t cdj_len = 0, att_len = 0, raw_len = 0;
	int alg = 0, rc;

	if (!json_is_object(resp))
		return core_fail(cx, CRM_EBADQUERY, "credential.response is "
		    "missing: send what navigator.credentials.create() answered");
	if (name[0] == '\0')
		return core_fail(cx, CRM_EBADQUERY, "Give the key a name");
	rc = member_bytes(cx, resp, "clientDataJSON", b->cdj, sizeof(b->cdj),
	    &cdj_len);
	if (rc == CRM_OK)
		rc = member_bytes(cx, resp, "attestationObject", b->att,
		    sizeof(b->att), &att_len);
	if (rc == CRM_OK)
		rc = take_challenge(cx, b->cdj, cdj_len, "register", chal);
	if (rc != CRM_OK)
		return rc;
	if (wa_check_client_data(b->cdj, cdj_len, "webauthn.create", chal,
	    rp->origin, err, sizeof(err)) != 0)
		return core_fail(cx, CRM_EBADQUERY, "The key's answer does not "
		    "match: %s", err);
	SHA256(b->cdj, cdj_len, hash);
	if (wa_check_attestation(b->att, att_len, hash, b->ad, sizeof(b->ad),
	    &ad, err, sizeof(err)) != 0)
		return core_fail(cx, CRM_EBADQUERY, "The key's answer is not "
		    "valid: %s", err);
	rc = rp_matches(cx, rp, &ad);
	if (rc != CRM_OK)
		return rc;
	if (wa_cose_alg(ad.cose_key, ad.cose_key_len, &alg) != 0)
		return core_fail(cx, CRM_EBADQUERY, "The key's public key is not "
		    "ES256 (P-256) or EdDSA (Ed25519)");
	/* rawId/id, when sent, must name the attested credential. */
	if (jstr(credential, "id") != NULL &&
	    (b64u_decode(jstr(credential, "id"), b->cred, sizeof(b->cred),
	    &raw_len) != 0 || raw_len != ad.cred_id_len ||
	    memcmp(b->cred, ad.cred_id, raw_len) != 0))
		return core_fail(cx, CRM_EBADQUERY, "credential.id is not the id "
		    "of the attested credential");
	*adp = ad;
	*algp = alg;
	return CRM_OK;
}

int
twofa_webauthn_register_finish(struct core_ctx *cx,
    const struct twofa_rp *rp, const char *session, json_t *credential,
    const char *name, json_t **out)
{
	struct wa_bufs *b = malloc(sizeof(*b));
	struct wa_authdata ad;
	json_t *codes = NULL;
	int alg = 0, rc;

	*out = NULL;
	memset(&ad, 0, sizeof(ad));
	if (b == NULL)
		return core_fail(cx, CRM_EDB, "Out of memory");
	/* The challenge is spent here, outside the transaction below. */
	rc = register_check(cx, rp, credential, name, b, &ad, &alg);
	if (rc == CRM_OK && db_begin(cx->db) != DB_OK)
		rc = db_fail(cx, "register begin");
	else if (rc == CRM_OK) {
		rc = store_credential(cx, &ad, alg, name, b, out);
		if (rc == CRM_OK)
			rc = twofa_enrolment_done(cx, session);
		if (rc == CRM_OK)
			rc = twofa_recovery_if_none(cx, &codes);
		if (rc == CRM_OK)
			rc = audit_append(cx, "2fa.key_added", NULL, 0, NULL);
		if (rc == CRM_OK && db_commit(cx->db) != DB_OK)
			rc = db_fail(cx, "register commit");
		if (rc != CRM_OK)
			db_rollback(cx->db);
	}
	free(b);
	if (rc != CRM_OK) {
		json_decref(codes);
		json_decref(*out);
		*out = NULL;
		return rc;
	}
	if (codes != NULL)
		json_object_set_new(*out, "recovery_codes", codes);
	return CRM_OK;
}

int
twofa_webauthn_assert_options(struct core_ctx *cx,
    const struct twofa_rp *rp, json_t **out)
{
	char chal[CHAL_B64_LEN];
	json_t *allow = NULL;
	int rc;

	rc = cred_list(cx, &allow);
	if (rc == CRM_OK && json_array_size(allow) == 0)
		rc = core_fail(cx, CRM_ENOTFOUND, "You have no security key; sign "
		    "in with your authenticator app or a recovery code");
	if (rc == CRM_OK)
		rc = new_challenge(cx, "login", chal);
	if (rc != CRM_OK) {
		json_decref(allow);
		return rc;
	}
	*out = json_pack("{s:s, s:s, s:I, s:o, s:s}", "challenge", chal, "rpId",
	    rp->id, "timeout", (json_int_t)WA_CHALLENGE_TTL_MS,
	    "allowCredentials", allow, "userVerification", "preferred");
	return *out ? CRM_OK : core_fail(cx, CRM_EDB, "Cannot build the options");
}

static int
check_assertion(struct core_ctx *cx, const struct twofa_rp *rp,
    int64_t user_id, json_t *assertion, struct wa_bufs *b)
{
	json_t *resp = json_object_get(assertion, "response");
	const char *cred = jstr(assertion, "id");
	char chal[CHAL_B64_LEN], err[200];
	unsigned char *msg;
	size_t cdj_len = 0, ad_len = 0, sig_len = 0, cose_len = 0;
	struct wa_authdata ad;
	int64_t key_id = 0, count = 0;
	bool found = false;
	db_stmt_t *st;
	int rc, v = 0;

	if (!json_is_object(resp) || cred == NULL || strlen(cred) >= CRED_B64_MAX)
		return core_fail(cx, CRM_EBADQUERY, "assertion needs id and "
		    "response: send what navigator.credentials.get() answered");
	rc = member_bytes(cx, resp, "clientDataJSON", b->cdj, sizeof(b->cdj),
	    &cdj_len);
	if (rc == CRM_OK)
		rc = member_bytes(cx, resp, "authenticatorData", b->ad,
		    sizeof(b->ad), &ad_len);
	if (rc == CRM_OK)
		rc = member_bytes(cx, resp, "signature", b->sig, sizeof(b->sig),
		    &sig_len);
	if (rc == CRM_OK)
		rc = take_challenge(cx, b->cdj, cdj_len, "login", chal);
	if (rc != CRM_OK)
		return rc;
	if (db_prepare(cx->db, "SELECT id, public_key, sign_count FROM "
	    "webauthn_credentials WHERE cred_id = ? AND user_id = ?", &st) != DB_OK)
		return db_fail(cx, "key");
	db_bind_text(st, 1, cred, strlen(cred));
	db_bind_int(st, 2, user_id);
	rc = db_step(st);
	if (rc == DB_ROW) {
		found = true;
		key_id = db_col_int(st, 0);
		count = db_col_int(st, 2);
		v = b64u_decode(db_col_text(st, 1, NULL), b->att, sizeof(b->att),
		    &cose_len);
		if (v != 0)
			found = false;
	}
	db_done(st);
	if (rc != DB_ROW && rc != DB_DONE)
		return db_fail(cx, "key step");
	if (!found)
		return core_fail(cx, CRM_EBADQUERY, "This security key is not "
		    "registered to your account");
	if (wa_check_client_data(b->cdj, cdj_len, "webauthn.get", chal,
	    rp->origin, err, sizeof(err)) != 0)
		return core_fail(cx, CRM_EBADQUERY, "The key's answer does not "
		    "match: %s", err);
	if (wa_parse_authdata(b->ad, ad_len, &ad, err, sizeof(err)) != 0)
		return core_fail(cx, CRM_EBADQUERY, "The key's answer is not "
		    "valid: %s", err);
	rc = rp_matches(cx, rp, &ad);
	if (rc != CRM_OK)
		return rc;
	msg = malloc(ad_len + 32);
	if (msg == NULL)
		return core_fail(cx, CRM_EDB, "Out of memory");
	memcpy(msg, b->ad, ad_len);
	SHA256(b->cdj, cdj_len, msg + ad_len);
	v = wa_verify(b->att, cose_len, msg, ad_len + 32, b->sig, sig_len);
	free(msg);
	if (v != 0)
		return core_fail(cx, CRM_EBADQUERY, "The security key's signature "
		    "is wrong");
	if ((count != 0 || ad.sign_count != 0) && (int64_t)ad.sign_count <= count)
		return core_fail(cx, CRM_EBADQUERY, "The key's signature counter "
		    "went backwards: it may be a cloned key. Remove it and "
		    "register it again if you trust it");
	if (db_prepare(cx->db, "UPDATE webauthn_credentials SET sign_count = ?, "
	    "last_used_at = ? WHERE id = ? AND sign_count = ?", &st) != DB_OK)
		return db_fail(cx, "key use");
	db_bind_int(st, 1, ad.sign_count);
	db_bind_int(st, 2, time_now_ms());
	db_bind_int(st, 3, key_id);
	db_bind_int(st, 4, count);
	rc = db_step(st);
	db_done(st);
	if (rc != DB_DONE)
		return db_fail(cx, "key use step");
	if (db_changes(cx->db) != 1)
		return core_fail(cx, CRM_EBADQUERY, "The key was used twice at the "
		    "same time; try again");
	return CRM_OK;
}

int
webauthn_check_assertion(struct core_ctx *cx, const struct twofa_rp *rp,
    int64_t user_id, json_t *assertion)
{
	struct wa_bufs *b = malloc(sizeof(*b));
	int rc;

	if (b == NULL)
		return core_fail(cx, CRM_EDB, "Out of memory");
	rc = check_assertion(cx, rp, user_id, assertion, b);
	free(b);
	return rc;
}

int
twofa_webauthn_rename(struct core_ctx *cx, int64_t id, const char *name,
    json_t **out)
{
	db_stmt_t *st;
	int rc;

	if (name[0] == '\0')
		return core_fail(cx, CRM_EBADQUERY, "Give the key a name");
	if (db_prepare(cx->db, "UPDATE webauthn_credentials SET name = ? WHERE "
	    "id = ? AND user_id = ?", &st) != DB_OK)
		return db_fail(cx, "rename");
	db_bind_text(st, 1, name, strlen(name));
	db_bind_int(st, 2, id);
	db_bind_int(st, 3, cx->actor.user_id);
	rc = db_step(st);
	db_done(st);
	if (rc != DB_DONE)
		return db_fail(cx, "rename step");
	if (db_changes(cx->db) != 1)
		return core_fail(cx, CRM_ENOTFOUND, "You have no security key with "
		    "id %lld", (long long)id);
	*out = json_pack("{s:I, s:s}", "id", (json_int_t)id, "name", name);
	return CRM_OK;
}

int
twofa_webauthn_delete(struct core_ctx *cx, int64_t id)
{
	db_stmt_t *st;
	int rc;

	if (db_prepare(cx->db, "DELETE FROM webauthn_credentials WHERE id = ? AND "
	    "user_id = ?", &st) != DB_OK)
		return db_fail(cx, "delete key");
	db_bind_int(st, 1, id);
	db_bind_int(st, 2, cx->actor.user_id);
	rc = db_step(st);
	db_done(st);
	if (rc != DB_DONE)
		return db_fail(cx, "delete key step");
	if (db_changes(cx->db) != 1)
		return core_fail(cx, CRM_ENOTFOUND, "You have no security key with "
		    "id %lld", (long long)id);
	rc = audit_append(cx, "2fa.key_removed", NULL, id, NULL);
	return rc == CRM_OK ? twofa_factor_removed(cx) : rc;
}
