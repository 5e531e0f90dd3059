/*
 * Second factors and the second-factor state of sessions (see
 * core/twofactor.h for the contract).
 *
 * A session's state lives in session_mfa next to sessions (one row per
 * session that went through the password step), so core/auth.c stays as
 * it is: the faces ask twofa_session_state() after resolving a cookie.
 * Counters that guard against guessing (attempts, a TOTP's last step, a
 * recovery code's use) are changed with conditional UPDATEs whose row
 * count tells who won, so two requests racing cannot both pass.
 */
#include "core/audit.h"
#include "core/twofactor.h"

#include <qrencode.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "core/totp.h"
#include "core/users.h"
#include "core/webauthn.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/timeutil.h"

#define HASH_HEX	(crypto_generichash_BYTES * 2 + 1)
#define RC_LEN		10	/* characters of a recovery code, without the dash */
#define QR_SVG_CAP	(256 * 1024)

static int
db_fail(struct core_ctx *cx, const char *what)
{
	log_error("database: twofactor: %s: %s", what, db_errmsg(cx->db));
	return core_fail(cx, CRM_EDB, "The database failed");
}

/* BLAKE2b-256 hex of s, as core/auth.c hashes session secrets. */
static void
hash_hex(const char *s, size_t len, char hex[HASH_HEX])
{
	unsigned char h[crypto_generichash_BYTES];

	crypto_generichash(h, sizeof(h), (const unsigned char *)s, len, NULL, 0);
	sodium_bin2hex(hex, HASH_HEX, h, sizeof(h));
}

/* One statement with up to three integer parameters and no result. */
static int
exec3(struct core_ctx *cx, const char *sql, int n, int64_t a, int64_t b,
    int64_t c)
{
	db_stmt_t *st;
	int rc;

	if (db_prepare(cx->db, sql, &st) != DB_OK)
		return db_fail(cx, sql);
	if (n > 0)
		db_bind_int(st, 1, a);
	if (n > 1)
		db_bind_int(st, 2, b);
	if (n > 2)
		db_bind_int(st, 3, c);
	rc = db_step(st);
	db_done(st);
	return rc == DB_DONE ? CRM_OK : db_fail(cx, sql);
}

/* One integer from a query with up to two integer parameters; *found. */
static int
query_int(struct core_ctx *cx, const char *sql, int n, int64_t a, int64_t b,
    int64_t *v, bool *found)
{
	db_stmt_t *st;
	int rc;

	if (db_prepare(cx->db, sql, &st) != DB_OK)
		return db_fail(cx, sql);
	if (n > 0)
		db_bind_int(st, 1, a);
	if (n > 1)
		db_bind_int(st, 2, b);
	rc = db_step(st);
	*found = rc == DB_ROW;
	if (rc == DB_ROW)
		*v = db_col_null(st, 0) ? 0 : db_col_int(st, 0);
	db_done(st);
	return rc == DB_ROW || rc == DB_DONE ? CRM_OK : db_fail(cx, sql);
}

int
twofa_rp_from_origin(const char *origin, struct twofa_rp *rp, char *err,
    size_t errlen)
{
	const char *host, *end;
	size_t hlen;

	memset(rp, 0, sizeof(*rp));
	if (strncmp(origin, "https://", 8) == 0)
		host = origin + 8;
	else if (strncmp(origin, "http://", 7) == 0)
		host = origin + 7;
	else {
		snprintf(err, errlen, "the origin must start with https:// or "
		    "http:// (for example https://crm.example.com)");
		return -1;
	}
	if (*host == '[') {
		snprintf(err, errlen, "the origin must name a host, not an IPv6 "
		    "address (WebAuthn needs a domain name)");
		return -1;
	}
	end = host + strcspn(host, ":/?#");
	hlen = (size_t)(end - host);
	if (hlen == 0 || hlen >= sizeof(rp->id) ||
	    strspn(host, "abcdefghijklmnopqrstuvwxyz0123456789.-") < hlen) {
		snprintf(err, errlen, "the origin's host must be a lower-case "
		    "domain name such as crm.example.com");
		return -1;
	}
	if (*end == ':' && (end[1] == '\0' ||
	    strspn(end + 1, "0123456789") != strlen(end + 1))) {
		snprintf(err, errlen, "the origin ends with a port number or "
		    "nothing: no path (https://crm.example.com:8443)");
		return -1;
	}
	if (*end != '\0' && *end != ':') {
		snprintf(err, errlen, "the origin has no path: give scheme, host "
		    "and port only (https://crm.example.com)");
		return -1;
	}
	if (strlen(origin) >= sizeof(rp->origin)) {
		snprintf(err, errlen, "the origin is too long");
		return -1;
	}
	snprintf(rp->origin, sizeof(rp->origin), "%s", origin);
	memcpy(rp->id, host, hlen);
	rp->id[hlen] = '\0';
	snprintf(rp->name, sizeof(rp->name), "CRM");
	return 0;
}

/* ---- sessions ---- */

/* The id of the session with this secret; *found false when there is none. */
static int
session_of(struct core_ctx *cx, const char *secret, int64_t *sid, int *state,
    int64_t *attempts, bool *found)
{
	char hex[HASH_HEX];
	db_stmt_t *st;
	int rc;

	*found = false;
	if (secret == NULL || secret[0] == '\0')
		return CRM_OK;
	hash_hex(secret, strlen(secret), hex);
	if (db_prepare(cx->db, "SELECT s.id, m.state, m.attempts FROM sessions s "
	    "LEFT JOIN session_mfa m ON m.session_id = s.id WHERE "
	    "s.token_hash = ? AND s.expires_at > ?", &st) != DB_OK)
		return db_fail(cx, "session");
	db_bind_text(st, 1, hex, strlen(hex));
	db_bind_int(st, 2, time_now_ms());
	rc = db_step(st);
	if (rc == DB_ROW) {
		*found = true;
		*sid = db_col_int(st, 0);
		*state = db_col_null(st, 1) ? TWOFA_FULL : (int)db_col_int(st, 1);
		*attempts = db_col_null(st, 2) ? 0 : db_col_int(st, 2);
	}
	db_done(st);
	return rc == DB_ROW || rc == DB_DONE ? CRM_OK : db_fail(cx, "session step");
}

static int
set_state(struct core_ctx *cx, int64_t sid, int state, bool stepped_up)
{
	db_stmt_t *st;
	int rc;

	if (db_prepare(cx->db, "INSERT INTO session_mfa (session_id, state, "
	    "attempts, stepup_at) VALUES (?, ?, 0, ?) ON CONFLICT (session_id) "
	    "DO UPDATE SET state = excluded.state, attempts = CASE WHEN "
	    "excluded.stepup_at IS NULL THEN session_mfa.attempts ELSE 0 END, "
	    "stepup_at = COALESCE(excluded.stepup_at, session_mfa.stepup_at)", &st) != DB_OK)
		return db_fail(cx, "session state");
	db_bind_int(st, 1, sid);
	db_bind_int(st, 2, state);
	if (stepped_up)
		db_bind_int(st, 3, time_now_ms());
	else
		db_bind_null(st, 3);
	rc = db_step(st);
	db_done(st);
	if (rc != DB_DONE)
		return db_fail(cx, "session state step");
	if (state == TWOFA_FULL)
		return exec3(cx, "UPDATE sessions SET expires_at = created_at + ? "
		    "WHERE id = ?", 2, SESSION_TTL_MS, sid, 0);
	return CRM_OK;
}

struct factors {
	bool	totp;
	int64_t	keys;
	int64_t	recovery;
};

static int
factors_of(struct core_ctx *cx, int64_t uid, struct factors *f)
{
	int64_t v = 0;
	bool found;
	int rc;

	memset(f, 0, sizeof(*f));
	rc = query_int(cx, "SELECT id FROM twofa_totp WHERE user_id = ? AND "
	    "confirmed_at IS NOT NULL", 1, uid, 0, &v, &found);
	f->totp = found;
	if (rc == CRM_OK)
		rc = query_int(cx, "SELECT COUNT(*) FROM webauthn_credentials "
		    "WHERE user_id = ?", 1, uid, 0, &f->keys, &found);
	if (rc == CRM_OK)
		rc = query_int(cx, "SELECT COUNT(*) FROM twofa_recovery WHERE "
		    "user_id = ? AND used_at IS NULL", 1, uid, 0, &f->recovery,
		    &found);
	return rc;
}

static json_t *
methods_json(const struct factors *f)
{
	json_t *m = json_array();

	if (f->totp)
		json_array_append_new(m, json_string("totp"));
	if (f->keys > 0)
		json_array_append_new(m, json_string("webauthn"));
	if (f->recovery > 0)
		json_array_append_new(m, json_string("recovery"));
	return m;
}

int
twofa_required_for(struct core_ctx *cx, int64_t user_id, bool *out)
{
	int64_t v = 0;
	bool found;
	int rc;

	/* Required for this user by name, or by their role. */
	rc = query_int(cx, "SELECT u.require_2fa + COALESCE((SELECT r.require_2fa "
	    "FROM roles r WHERE r.id = u.role_id), 0) FROM users u WHERE u.id = ?",
	    1, user_id, 0, &v, &found);
	*out = rc == CRM_OK && found && v != 0;
	return rc;
}

int
twofa_set_required(struct core_ctx *cx, const char *email, bool on)
{
	struct actor a;
	bool active;
	int rc;

	rc = user_find(cx, email, &a, &active);
	if (rc != CRM_OK)
		return rc;
	return exec3(cx, "UPDATE users SET require_2fa = ? WHERE id = ?", 2,
	    on ? 1 : 0, a.user_id, 0);
}

int
twofa_after_password(struct core_ctx *cx, const char *secret,
    int64_t user_id, int *state, json_t **methods)
{
	struct factors f;
	int64_t sid = 0, attempts;
	int old, rc;
	bool found, required = false;

	*methods = NULL;
	rc = session_of(cx, secret, &sid, &old, &attempts, &found);
	if (rc == CRM_OK && !found)
		rc = core_fail(cx, CRM_EUNAUTH, "The new session vanished; sign "
		    "in again");
	if (rc == CRM_OK)
		rc = factors_of(cx, user_id, &f);
	if (rc == CRM_OK && !f.totp && f.keys == 0)
		rc = twofa_required_for(cx, user_id, &required);
	if (rc != CRM_OK)
		return rc;
	if (f.totp || f.keys > 0)
		*state = TWOFA_PENDING;
	else
		*state = required ? TWOFA_ENROL : TWOFA_FULL;
	if (*state == TWOFA_FULL)
		return CRM_OK;
	rc = set_state(cx, sid, *state, false);
	if (rc == CRM_OK && *state == TWOFA_PENDING)
		rc = exec3(cx, "UPDATE sessions SET expires_at = ? WHERE id = ?",
		    2, time_now_ms() + TWOFA_PENDING_TTL_MS, sid, 0);
	if (rc == CRM_OK)
		*methods = methods_json(&f);
	return rc;
}

int
twofa_session_state(struct core_ctx *cx, const char *secret, int *state)
{
	int64_t sid, attempts;
	bool found;
	int rc;

	*state = TWOFA_FULL;
	rc = session_of(cx, secret, &sid, state, &attempts, &found);
	if (rc == CRM_OK && !found)
		*state = TWOFA_FULL;
	return rc;
}

/* ---- proofs ---- */

/* The user's TOTP key; *found false when none (or only a pending one). */
static int
load_totp(struct core_ctx *cx, int64_t uid, bool confirmed,
    unsigned char *key, size_t *keylen, int64_t *last_step, bool *found)
{
	db_stmt_t *st;
	int rc, bad = 0;

	*found = false;
	if (db_prepare(cx->db, confirmed ? "SELECT secret, last_step FROM "
	    "twofa_totp WHERE user_id = ? AND confirmed_at IS NOT NULL" :
	    "SELECT secret, last_step FROM twofa_totp WHERE user_id = ? AND "
	    "confirmed_at IS NULL", &st) != DB_OK)
		return db_fail(cx, "totp");
	db_bind_int(st, 1, uid);
	rc = db_step(st);
	if (rc == DB_ROW) {
		*found = true;
		*last_step = db_col_int(st, 1);
		bad = totp_b32_decode(db_col_text(st, 0, NULL), key, keylen);
	}
	db_done(st);
	if (rc != DB_ROW && rc != DB_DONE)
		return db_fail(cx, "totp step");
	if (bad != 0) {
		log_error("twofactor: user %lld has a malformed TOTP secret",
		    (long long)uid);
		return core_fail(cx, CRM_EDB, "The stored TOTP secret is damaged; "
		    "an administrator can reset it with crm user reset-2fa");
	}
	return CRM_OK;
}

/* Checks a TOTP code of the user's confirmed key, spending its step. */
static int
check_code(struct core_ctx *cx, int64_t uid, const char *code)
{
	unsigned char key[TOTP_KEY_MAX];
	size_t keylen = 0;
	int64_t last = 0, step = 0;
	bool found;
	int rc;

	rc = load_totp(cx, uid, true, key, &keylen, &last, &found);
	if (rc != CRM_OK)
		return rc;
	if (!found)
		return core_fail(cx, CRM_EUNAUTH, "This account has no "
		    "authenticator app; use a security key or a recovery code");
	rc = totp_check(key, keylen, time_now_ms() / 1000, code, last, &step);
	sodium_memzero(key, sizeof(key));
	if (rc == TOTP_EREPLAY)
		return core_fail(cx, CRM_EUNAUTH, "This code was already used; "
		    "wait for the next code of your authenticator app");
	if (rc != TOTP_OK)
		return core_fail(cx, CRM_EUNAUTH, "The code is wrong; enter the "
		    "6 digits your authenticator app shows now (check the "
		    "device's clock if it keeps failing)");
	rc = exec3(cx, "UPDATE twofa_totp SET last_step = ? WHERE user_id = ? "
	    "AND last_step < ?", 3, step, uid, step);
	if (rc == CRM_OK && db_changes(cx->db) != 1)
		return core_fail(cx, CRM_EUNAUTH, "This code was already used; "
		    "wait for the next code of your authenticator app");
	return rc;
}

/* Lower-case letters and digits of a typed recovery code; -1 if not RC_LEN. */
static int
normalize_recovery(const char *in, char out[RC_LEN + 1])
{
	size_t n = 0;

	for (const char *p = in; *p != '\0'; p++) {
		char ch = *p;

		if (ch == '-' || ch == ' ')
			continue;
		if (ch >= 'A' && ch <= 'Z')
			ch = (char)(ch + 32);
		if (n >= RC_LEN)
			return -1;
		out[n++] = ch;
	}
	out[n] = '\0';
	return n == RC_LEN ? 0 : -1;
}

static int
check_recovery(struct core_ctx *cx, int64_t uid, const char *typed)
{
	char norm[RC_LEN + 1], want[HASH_HEX];
	db_stmt_t *st;
	int64_t hit = 0;
	int rc;

	if (normalize_recovery(typed, norm) != 0)
		return core_fail(cx, CRM_EUNAUTH, "A recovery code has 10 letters "
		    "and digits, like abcde-23456");
	hash_hex(norm, RC_LEN, want);
	if (db_prepare(cx->db, "SELECT id, code_hash FROM twofa_recovery WHERE "
	    "user_id = ? AND used_at IS NULL", &st) != DB_OK)
		return db_fail(cx, "recovery");
	db_bind_int(st, 1, uid);
	/* Every unused code is compared, in constant time, whatever matches. */
	while ((rc = db_step(st)) == DB_ROW) {
		size_t len = 0;
		const char *h = db_col_text(st, 1, &len);

		if (len == HASH_HEX - 1 && sodium_memcmp(h, want, len) == 0)
			hit = db_col_int(st, 0);
	}
	db_done(st);
	if (rc != DB_DONE)
		return db_fail(cx, "recovery step");
	if (hit == 0)
		return core_fail(cx, CRM_EUNAUTH, "This recovery code is wrong or "
		    "was already used");
	rc = exec3(cx, "UPDATE twofa_recovery SET used_at = ? WHERE id = ? AND "
	    "used_at IS NULL", 2, time_now_ms(), hit, 0);
	if (rc == CRM_OK && db_changes(cx->db) != 1)
		return core_fail(cx, CRM_EUNAUTH, "This recovery code was already "
		    "used");
	return rc;
}

static int
check_proof(struct core_ctx *cx, int64_t uid, const struct twofa_proof *p)
{
	int given = (p->code != NULL) + (p->recovery != NULL) +
	    (p->assertion != NULL);

	if (given != 1)
		return core_fail(cx, CRM_EBADQUERY, "Send exactly one of code (the "
		    "6 digits of your authenticator app), recovery_code, or "
		    "assertion (a security key's answer)");
	if (p->code != NULL)
		return check_code(cx, uid, p->code);
	if (p->recovery != NULL)
		return check_recovery(cx, uid, p->recovery);
	return webauthn_check_assertion(cx, p->rp, uid, p->assertion);
}

/*
 * A proof for the session sid: a refused one is counted, and the last
 * allowed refusal ends the session.
 */
static int
session_proof(struct core_ctx *cx, int64_t sid, int64_t attempts,
    const struct twofa_proof *p)
{
	char detail[sizeof(cx->detail)];
	int rc, rc2;

	if (attempts >= TWOFA_MAX_ATTEMPTS) {
		(void)exec3(cx, "DELETE FROM sessions WHERE id = ?", 1, sid, 0, 0);
		return core_fail(cx, CRM_EUNAUTH, TWOFA_ENDED_DETAIL ": this "
		    "sign-in was ended. Sign in again with your password");
	}
	rc = check_proof(cx, cx->actor.user_id, p);
	if (rc != CRM_EUNAUTH && rc != CRM_EBADQUERY)
		return rc;
	memcpy(detail, cx->detail, sizeof(detail));
	rc2 = exec3(cx, "UPDATE session_mfa SET attempts = attempts + 1 WHERE "
	    "session_id = ?", 1, sid, 0, 0);
	if (rc2 != CRM_OK)
		return rc2;
	if (attempts + 1 >= TWOFA_MAX_ATTEMPTS) {
		rc2 = exec3(cx, "DELETE FROM sessions WHERE id = ?", 1, sid, 0, 0);
		if (rc2 != CRM_OK)
			return rc2;
		return core_fail(cx, CRM_EUNAUTH, TWOFA_ENDED_DETAIL ": this "
		    "sign-in was ended. Sign in again with your password");
	}
	memcpy(cx->detail, detail, sizeof(detail));
	return rc;
}

int
twofa_verify(struct core_ctx *cx, const char *secret,
    const struct twofa_proof *p)
{
	int64_t sid = 0, attempts = 0;
	int state = TWOFA_FULL, rc;
	bool found;

	rc = session_of(cx, secret, &sid, &state, &attempts, &found);
	if (rc != CRM_OK)
		return rc;
	if (!found || state != TWOFA_PENDING)
		return core_fail(cx, CRM_EEXISTS, "This session is not waiting "
		    "for a second step; sign in with your password first");
	rc = session_proof(cx, sid, attempts, p);
	if (rc != CRM_OK)
		return rc;
	return set_state(cx, sid, TWOFA_FULL, true);
}

int
twofa_stepup(struct core_ctx *cx, const char *secret,
    const struct twofa_proof *p)
{
	int64_t sid = 0, attempts = 0;
	int state = TWOFA_FULL, rc;
	bool found;

	rc = session_of(cx, secret, &sid, &state, &attempts, &found);
	if (rc != CRM_OK)
		return rc;
	if (!found || state != TWOFA_FULL)
		return core_fail(cx, CRM_EFORBIDDEN, "Step-up needs a signed-in "
		    "browser session; API tokens cannot step up");
	rc = set_state(cx, sid, TWOFA_FULL, false);	/* a row to count in */
	if (rc == CRM_OK)
		rc = session_proof(cx, sid, attempts, p);
	if (rc != CRM_OK)
		return rc;
	return set_state(cx, sid, TWOFA_FULL, true);
}

int
twofa_recent_stepup(struct core_ctx *cx, const char *secret,
    int64_t max_age_ms, bool *ok)
{
	char hex[HASH_HEX];
	db_stmt_t *st;
	int rc;

	*ok = false;
	if (secret == NULL || secret[0] == '\0')
		return CRM_OK;
	hash_hex(secret, strlen(secret), hex);
	if (db_prepare(cx->db, "SELECT m.stepup_at FROM session_mfa m JOIN "
	    "sessions s ON s.id = m.session_id WHERE s.token_hash = ? AND "
	    "s.expires_at > ? AND m.state = 0 AND m.stepup_at >= ?", &st) != DB_OK)
		return db_fail(cx, "stepup");
	db_bind_text(st, 1, hex, strlen(hex));
	db_bind_int(st, 2, time_now_ms());
	db_bind_int(st, 3, time_now_ms() - max_age_ms);
	rc = db_step(st);
	*ok = rc == DB_ROW;
	db_done(st);
	return rc == DB_ROW || rc == DB_DONE ? CRM_OK : db_fail(cx, "stepup step");
}

/* ---- enrolment ---- */

int
twofa_status(struct core_ctx *cx, json_t **out)
{
	struct factors f;
	db_stmt_t *st;
	json_t *keys;
	int64_t v = 0;
	bool pending = false, required = false;
	char ts[TIME_RFC3339_LEN];
	int rc;

	rc = factors_of(cx, cx->actor.user_id, &f);
	if (rc == CRM_OK)
		rc = query_int(cx, "SELECT id FROM twofa_totp WHERE user_id = ? AND "
		    "confirmed_at IS NULL", 1, cx->actor.user_id, 0, &v, &pending);
	if (rc == CRM_OK)
		rc = twofa_required_for(cx, cx->actor.user_id, &required);
	if (rc != CRM_OK)
		return rc;
	if (db_prepare(cx->db, "SELECT id, name, created_at, last_used_at, "
	    "sign_count FROM webauthn_credentials WHERE user_id = ? ORDER BY id",
	    &st) != DB_OK)
		return db_fail(cx, "keys");
	db_bind_int(st, 1, cx->actor.user_id);
	keys = json_array();
	while ((rc = db_step(st)) == DB_ROW) {
		json_t *k;

		time_format(db_col_int(st, 2), ts, sizeof(ts));
		k = json_pack("{s:I, s:s, s:s}", "id", (json_int_t)db_col_int(st, 0),
		    "name", db_col_text(st, 1, NULL), "created_at", ts);
		if (db_col_null(st, 3)) {
			json_object_set_new(k, "last_used_at", json_null());
		} else {
			time_format(db_col_int(st, 3), ts, sizeof(ts));
			json_object_set_new(k, "last_used_at", json_string(ts));
		}
		json_array_append_new(keys, k);
	}
	db_done(st);
	if (rc != DB_DONE) {
		json_decref(keys);
		return db_fail(cx, "keys step");
	}
	*out = json_pack("{s:b, s:b, s:I, s:o, s:b, s:o}", "totp", f.totp,
	    "totp_pending", pending, "recovery_codes_left",
	    (json_int_t)f.recovery, "webauthn", keys, "required", required,
	    "methods", methods_json(&f));
	return CRM_OK;
}

/* Percent-encodes s for a URI's path or query into b. */
static void
uri_escape(struct buf *b, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("-._~@", *p) != NULL)
			buf_putc(b, (char)*p);
		else
			buf_printf(b, "%%%02X", *p);
	}
}

/*
 * The QR code of text as an SVG document: one path of dark modules (runs
 * of a row merged) on a white square with the 4-module quiet zone. No
 * script, no external reference: safe to show inline.
 */
static char *
qr_svg(const char *text)
{
	QRcode *qr = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
	struct buf b;
	int w, size;

	if (qr == NULL)
		return NULL;
	w = qr->width;
	size = w + 8;
	buf_init(&b, QR_SVG_CAP);
	buf_printf(&b, "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 "
	    "%d %d\" width=\"%d\" height=\"%d\" shape-rendering=\"crispEdges\" "
	    "role=\"img\" aria-label=\"QR code\"><rect width=\"%d\" height=\"%d\" "
	    "fill=\"#fff\"/><path fill=\"#000\" d=\"", size, size, size * 4,
	    size * 4, size, size);
	for (int y = 0; y < w; y++) {
		for (int x = 0; x < w; x++) {
			int run = 0;

			while (x + run < w && (qr->data[y * w + x + run] & 1))
				run++;
			if (run > 0) {
				buf_printf(&b, "M%d %dh%dv1h-%dz", x + 4, y + 4, run, run);
				x += run - 1;
			}
		}
	}
	buf_puts(&b, "\"/></svg>");
	QRcode_free(qr);
	if (b.len + 1 >= QR_SVG_CAP) {	/* cut short: never hand out half */
		buf_free(&b);
		return NULL;
	}
	return buf_steal(&b);
}

int
twofa_totp_begin(struct core_ctx *cx, json_t **out)
{
	unsigned char key[TWOFA_TOTP_KEY_BYTES];
	char b32[TOTP_B32_MAX], *svg;
	struct buf uri;
	int64_t v = 0, now = time_now_ms();
	bool on;
	db_stmt_t *st;
	int rc;

	rc = query_int(cx, "SELECT id FROM twofa_totp WHERE user_id = ? AND "
	    "confirmed_at IS NOT NULL", 1, cx->actor.user_id, 0, &v, &on);
	if (rc != CRM_OK)
		return rc;
	if (on)
		return core_fail(cx, CRM_EEXISTS, "An authenticator app is "
		    "already set up; turn it off first to set up another one");
	randombytes_buf(key, sizeof(key));
	if (totp_b32_encode(key, sizeof(key), b32, sizeof(b32)) != 0)
		return core_fail(cx, CRM_EDB, "Cannot encode the secret");
	sodium_memzero(key, sizeof(key));
	/*
	 * One statement, so that two enrolments racing cannot collide on the
	 * user's row: a pending secret is replaced, a confirmed one is kept.
	 */
	if (db_prepare(cx->db, "INSERT INTO twofa_totp (user_id, secret, "
	    "last_step, created_at) VALUES (?, ?, 0, ?) ON CONFLICT (user_id) "
	    "DO UPDATE SET secret = excluded.secret, last_step = 0, created_at = "
	    "excluded.created_at WHERE twofa_totp.confirmed_at IS NULL",
	    &st) != DB_OK)
		return db_fail(cx, "totp begin");
	db_bind_int(st, 1, cx->actor.user_id);
	db_bind_text(st, 2, b32, strlen(b32));
	db_bind_int(st, 3, now);
	rc = db_step(st);
	db_done(st);
	if (rc != DB_DONE)
		return db_fail(cx, "totp begin step");
	if (db_changes(cx->db) != 1)
		return core_fail(cx, CRM_EEXISTS, "An authenticator app is "
		    "already set up; turn it off first to set up another one");
	buf_init(&uri, 2048);
	buf_puts(&uri, "otpauth://totp/CRM:");
	uri_escape(&uri, cx->actor.email);
	buf_printf(&uri, "?secret=%s&issuer=CRM&algorithm=SHA1&digits=%d&"
	    "period=%d", b32, TOTP_DIGITS, TOTP_STEP_S);
	svg = qr_svg(uri.data);
	*out = json_pack("{s:s, s:s, s:s?}", "secret", b32, "uri", uri.data,
	    "qr_svg", svg);
	free(svg);
	buf_free(&uri);
	return *out != NULL ? CRM_OK : core_fail(cx, CRM_EDB, "Cannot build the "
	    "enrolment answer");
}

/* Replaces the user's recovery codes with new ones; *out gets them. */
static int
new_recovery_codes(struct core_ctx *cx, int64_t uid, json_t **out)
{
	static const char alpha[] = "abcdefghjkmnpqrstuvwxyz23456789";
	int64_t now = time_now_ms();
	json_t *codes;
	int rc;

	rc = exec3(cx, "DELETE FROM twofa_recovery WHERE user_id = ?", 1, uid, 0,
	    0);
	if (rc != CRM_OK)
		return rc;
	codes = json_array();
	for (int i = 0; i < TWOFA_RECOVERY_CODES && rc == CRM_OK; i++) {
		char raw[RC_LEN + 1], shown[RC_LEN + 2], hex[HASH_HEX];
		db_stmt_t *st;

		for (int j = 0; j < RC_LEN; j++)
			raw[j] = alpha[randombytes_uniform(sizeof(alpha) - 1)];
		raw[RC_LEN] = '\0';
		snprintf(shown, sizeof(shown), "%.5s-%.5s", raw, raw + 5);
		hash_hex(raw, RC_LEN, hex);
		if (db_prepare(cx->db, "INSERT INTO twofa_recovery (user_id, "
		    "code_hash, created_at) VALUES (?, ?, ?)", &st) != DB_OK) {
			rc = db_fail(cx, "recovery insert");
			break;
		}
		db_bind_int(st, 1, uid);
		db_bind_text(st, 2, hex, strlen(hex));
		db_bind_int(st, 3, now);
		if (db_step(st) != DB_DONE)
			rc = db_fail(cx, "recovery insert step");
		db_done(st);
		json_array_append_new(codes, json_string(shown));
		sodium_memzero(raw, sizeof(raw));
	}
	if (rc != CRM_OK) {
		json_decref(codes);
		return rc;
	}
	*out = codes;
	return CRM_OK;
}

int
twofa_enrolment_done(struct core_ctx *cx, const char *session)
{
	int64_t sid = 0, attempts;
	int state = TWOFA_FULL, rc;
	bool found;

	rc = session_of(cx, session, &sid, &state, &attempts, &found);
	if (rc != CRM_OK || !found || state != TWOFA_ENROL)
		return rc;
	return set_state(cx, sid, TWOFA_FULL, true);
}

int
twofa_totp_confirm(struct core_ctx *cx, const char *session,
    const char *code, json_t **out)
{
	unsigned char key[TOTP_KEY_MAX];
	size_t keylen = 0;
	int64_t last = 0, step = 0, uid = cx->actor.user_id;
	json_t *codes = NULL;
	bool found;
	int rc;

	rc = load_totp(cx, uid, false, key, &keylen, &last, &found);
	if (rc != CRM_OK)
		return rc;
	if (!found)
		return core_fail(cx, CRM_EEXISTS, "There is no enrolment to "
		    "confirm; start one with POST /api/v1/auth/2fa/totp");
	rc = totp_check(key, keylen, time_now_ms() / 1000, code, last, &step);
	sodium_memzero(key, sizeof(key));
	if (rc != TOTP_OK)
		return core_fail(cx, CRM_EUNAUTH, "The code is wrong; scan the QR "
		    "code again and enter the 6 digits the app shows now");
	if (db_begin(cx->db) != DB_OK)
		return db_fail(cx, "confirm begin");
	rc = exec3(cx, "UPDATE twofa_totp SET confirmed_at = ?, last_step = ? "
	    "WHERE user_id = ? AND confirmed_at IS NULL", 3, time_now_ms(), step,
	    uid);
	if (rc == CRM_OK && db_changes(cx->db) != 1)
		rc = core_fail(cx, CRM_EEXISTS, "The enrolment was confirmed or "
		    "replaced meanwhile; reload and try again");
	if (rc == CRM_OK)
		rc = new_recovery_codes(cx, uid, &codes);
	if (rc == CRM_OK)
		rc = twofa_enrolment_done(cx, session);
	if (rc == CRM_OK)
		rc = audit_append(cx, "2fa.totp_enabled", NULL, 0, NULL);
	if (rc == CRM_OK && db_commit(cx->db) != DB_OK)
		rc = db_fail(cx, "confirm commit");
	if (rc != CRM_OK) {
		db_rollback(cx->db);
		json_decref(codes);
		return rc;
	}
	*out = json_pack("{s:b, s:o}", "totp", 1, "recovery_codes", codes);
	return CRM_OK;
}

static int
check_password(struct core_ctx *cx, const char *password)
{
	char hash[crypto_pwhash_STRBYTES];
	db_stmt_t *st;
	int rc;

	hash[0] = '\0';
	if (db_prepare(cx->db, "SELECT password_hash FROM users WHERE id = ?",
	    &st) != DB_OK)
		return db_fail(cx, "password");
	db_bind_int(st, 1, cx->actor.user_id);
	rc = db_step(st);
	if (rc == DB_ROW)
		snprintf(hash, sizeof(hash), "%s", db_col_text(st, 0, NULL));
	db_done(st);
	if (rc != DB_ROW)
		return db_fail(cx, "password step");
	if (crypto_pwhash_str_verify(hash, password, strlen(password)) != 0)
		return core_fail(cx, CRM_EUNAUTH, "The password is wrong");
	return CRM_OK;
}

static int
drop_orphan_recovery(struct core_ctx *cx, int64_t uid)
{
	struct factors f;
	int rc = factors_of(cx, uid, &f);

	if (rc != CRM_OK || f.totp || f.keys > 0)
		return rc;
	return exec3(cx, "DELETE FROM twofa_recovery WHERE user_id = ?", 1, uid,
	    0, 0);
}

int
twofa_recovery_if_none(struct core_ctx *cx, json_t **codes)
{
	struct factors f;
	int rc = factors_of(cx, cx->actor.user_id, &f);

	*codes = NULL;
	if (rc != CRM_OK || f.recovery > 0)
		return rc;
	return new_recovery_codes(cx, cx->actor.user_id, codes);
}

int
twofa_factor_removed(struct core_ctx *cx)
{
	return drop_orphan_recovery(cx, cx->actor.user_id);
}

int
twofa_totp_disable(struct core_ctx *cx, const char *password,
    const char *code)
{
	int64_t v = 0;
	bool on;
	int rc;

	if ((password == NULL) == (code == NULL))
		return core_fail(cx, CRM_EBADQUERY, "Send your password or a "
		    "current code to turn the authenticator app off");
	rc = query_int(cx, "SELECT id FROM twofa_totp WHERE user_id = ? AND "
	    "confirmed_at IS NOT NULL", 1, cx->actor.user_id, 0, &v, &on);
	if (rc == CRM_OK && !on)
		rc = core_fail(cx, CRM_ENOTFOUND, "No authenticator app is set up");
	if (rc == CRM_OK)
		rc = password ? check_password(cx, password) :
		    check_code(cx, cx->actor.user_id, code);
	if (rc == CRM_OK)
		rc = exec3(cx, "DELETE FROM twofa_totp WHERE user_id = ?", 1,
		    cx->actor.user_id, 0, 0);
	if (rc == CRM_OK)
		rc = drop_orphan_recovery(cx, cx->actor.user_id);
	if (rc == CRM_OK)
		rc = audit_append(cx, "2fa.totp_disabled", NULL, 0, NULL);
	return rc;
}

int
twofa_recovery_regenerate(struct core_ctx *cx, const char *code,
    json_t **out)
{
	json_t *codes = NULL;
	int rc;

	rc = check_code(cx, cx->actor.user_id, code);
	if (rc != CRM_OK)
		return rc;
	if (db_begin(cx->db) != DB_OK)
		return db_fail(cx, "regenerate begin");
	rc = new_recovery_codes(cx, cx->actor.user_id, &codes);
	if (rc == CRM_OK)
		rc = audit_append(cx, "2fa.recovery_regenerated", NULL, 0, NULL);
	if (rc == CRM_OK && db_commit(cx->db) != DB_OK)
		rc = db_fail(cx, "regenerate commit");
	if (rc != CRM_OK) {
		db_rollback(cx->db);
		return rc;
	}
	*out = json_pack("{s:o}", "recovery_codes", codes);
	return CRM_OK;
}

int
twofa_reset(struct core_ctx *cx, const char *email)
{
	static const char *const sql[] = {
		"DELETE FROM twofa_totp WHERE user_id = ?",
		"DELETE FROM twofa_recovery WHERE user_id = ?",
		"DELETE FROM webauthn_credentials WHERE user_id = ?",
		"DELETE FROM webauthn_challenges WHERE user_id = ?",
		"DELETE FROM sessions WHERE user_id = ?",
	};
	struct actor a;
	bool active;
	int rc;

	rc = user_find(cx, email, &a, &active);
	if (rc != CRM_OK)
		return rc;
	if (db_begin(cx->db) != DB_OK)
		return db_fail(cx, "reset begin");
	for (size_t i = 0; i < sizeof(sql) / sizeof(*sql) && rc == CRM_OK; i++)
		rc = exec3(cx, sql[i], 1, a.user_id, 0, 0);
	if (rc == CRM_OK) {
		json_t *d = json_pack("{s:s}", "email", a.email);

		rc = audit_append(cx, "2fa.reset", "users", a.user_id, d);
		json_decref(d);
	}
	if (rc == CRM_OK && db_commit(cx->db) != DB_OK)
		rc = db_fail(cx, "reset commit");
	if (rc != CRM_OK)
		db_rollback(cx->db);
	return rc;
}
