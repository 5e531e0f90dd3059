/*
 * Sessions and API tokens.
 *
 * A secret is 32 random bytes in URL-safe base64; API tokens carry a
 * "crm_" prefix so they are recognisable in logs and secret scanners. The
 * database keeps only BLAKE2b-256 of a secret, so a stolen database file
 * does not hand out working credentials.
 */
#include "core/audit.h"
#include "core/users.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "util/log.h"
#include "util/timeutil.h"

#define HASH_HEX (crypto_generichash_BYTES * 2 + 1)

static int
db_fail(struct core_ctx *cx, const char *what)
{
	log_error("database: auth: %s: %s", what, db_errmsg(cx->db));
	return core_fail(cx, CRM_EDB, "The database failed");
}

static void
new_secret(const char *prefix, char *out)
{
	unsigned char raw[32];
	size_t plen = strlen(prefix);

	randombytes_buf(raw, sizeof(raw));
	memcpy(out, prefix, plen);
	sodium_bin2base64(out + plen, SECRET_LEN - plen, raw, sizeof(raw),
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

static void
secret_hash(const char *secret, char hex[HASH_HEX])
{
	unsigned char h[crypto_generichash_BYTES];

	crypto_generichash(h, sizeof(h), (const unsigned char *)secret,
	    strlen(secret), NULL, 0);
	sodium_bin2hex(hex, HASH_HEX, h, sizeof(h));
}

int
auth_login(struct core_ctx *cx, const char *email, const char *password,
    const char *address, const char *agent, char *secret, struct actor *out)
{
	char hash[crypto_pwhash_STRBYTES], lower[256], hex[HASH_HEX];
	db_stmt_t *st;
	bool found = false, active = false;
	int rc;
	int64_t now = time_now_ms();
	size_t i;

	for (i = 0; email[i] != '\0' && i + 1 < sizeof(lower); i++)
		lower[i] = (char)(email[i] >= 'A' && email[i] <= 'Z' ?
		    email[i] + 32 : email[i]);
	lower[i] = '\0';
	if (db_prepare(cx->db, "SELECT id, email, name, is_admin, active, "
	    "password_hash FROM users WHERE email = ?", &st) != DB_OK)
		return db_fail(cx, "login");
	db_bind_text(st, 1, lower, strlen(lower));
	rc = db_step(st);
	if (rc == DB_ROW) {
		found = true;
		out->user_id = db_col_int(st, 0);
		snprintf(out->email, sizeof(out->email), "%s", db_col_text(st, 1, NULL));
		snprintf(out->name, sizeof(out->name), "%s", db_col_text(st, 2, NULL));
		out->is_admin = db_col_int(st, 3) != 0;
		active = db_col_int(st, 4) != 0;
		snprintf(hash, sizeof(hash), "%s", db_col_text(st, 5, NULL));
	}
	db_done(st);
	if (rc != DB_ROW && rc != DB_DONE)
		return db_fail(cx, "login step");
	if (!found) {
		/* Spend what a verification costs, so timing does not tell. */
		if (crypto_pwhash_str(hash, password, strlen(password),
		    crypto_pwhash_OPSLIMIT_INTERACTIVE,
		    crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
			log_warn("auth: argon2id failed (out of memory?)");
		return core_fail(cx, CRM_EUNAUTH, "The email or password is wrong");
	}
	if (crypto_pwhash_str_verify(hash, password, strlen(password)) != 0 ||
	    !active)
		return core_fail(cx, CRM_EUNAUTH, "The email or password is wrong");
	new_secret("", secret);
	secret_hash(secret, hex);
	if (db_prepare(cx->db, "INSERT INTO sessions (token_hash, user_id, "
	    "created_at, expires_at, address, agent) VALUES (?, ?, ?, ?, ?, ?)",
	    &st) != DB_OK)
		return db_fail(cx, "session");
	db_bind_text(st, 1, hex, strlen(hex));
	db_bind_int(st, 2, out->user_id);
	db_bind_int(st, 3, now);
	db_bind_int(st, 4, now + SESSION_TTL_MS);
	db_bind_text(st, 5, address, strnlen(address, 100));
	db_bind_text(st, 6, agent, strnlen(agent, 500));
	rc = db_step(st);
	db_done(st);
	return rc == DB_DONE ? CRM_OK : db_fail(cx, "session step");
}

int
auth_logout(struct core_ctx *cx, const char *secret)
{
	char hex[HASH_HEX];
	db_stmt_t *st;
	int rc;

	secret_hash(secret, hex);
	if (db_prepare(cx->db, "DELETE FROM sessions WHERE token_hash = ?", &st) != DB_OK)
		return db_fail(cx, "logout");
	db_bind_text(st, 1, hex, strlen(hex));
	rc = db_step(st);
	db_done(st);
	if (rc != DB_DONE)
		return db_fail(cx, "logout step");
	/* Only a real sign-out: not a session refused right after sign-in. */
	return cx->actor.user_id > 0 && db_changes(cx->db) == 1 ?
	    audit_append(cx, "auth.logout", NULL, 0, NULL) : CRM_OK;
}

static int
resolve(struct core_ctx *cx, const char *sql, const char *secret,
    struct actor *out)
{
	char hex[HASH_HEX];
	db_stmt_t *st;
	int rc;

	if (strlen(secret) >= SECRET_LEN)
		return core_fail(cx, CRM_EUNAUTH, "Unknown credentials");
	secret_hash(secret, hex);
	if (db_prepare(cx->db, sql, &st) != DB_OK)
		return db_fail(cx, "resolve");
	db_bind_text(st, 1, hex, strlen(hex));
	db_bind_int(st, 2, time_now_ms());
	rc = db_step(st);
	if (rc == DB_ROW) {
		out->user_id = db_col_int(st, 0);
		snprintf(out->email, sizeof(out->email), "%s", db_col_text(st, 1, NULL));
		snprintf(out->name, sizeof(out->name), "%s", db_col_text(st, 2, NULL));
		out->is_admin = db_col_int(st, 3) != 0;
	}
	db_done(st);
	if (rc == DB_DONE)
		return core_fail(cx, CRM_EUNAUTH, "The session or token is not "
		    "valid; sign in again");
	return rc == DB_ROW ? CRM_OK : db_fail(cx, "resolve step");
}

int
auth_session(struct core_ctx *cx, const char *secret, struct actor *out)
{
	return resolve(cx, "SELECT u.id, u.email, u.name, u.is_admin FROM "
	    "sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ? "
	    "AND s.expires_at > ? AND u.active = 1", secret, out);
}

int
auth_token(struct core_ctx *cx, const char *token, struct actor *out)
{
	/* Same shape as sessions: the time bound is the token's creation. */
	return resolve(cx, "SELECT u.id, u.email, u.name, u.is_admin FROM "
	    "api_tokens k JOIN users u ON u.id = k.user_id WHERE k.token_hash = ? "
	    "AND k.created_at <= ? AND k.revoked_at IS NULL AND u.active = 1",
	    token, out);
}

int
token_create(struct core_ctx *cx, const char *email, const char *name,
    char *token, int64_t *id)
{
	struct actor a;
	bool active;
	char hex[HASH_HEX];
	db_stmt_t *st;
	int rc;

	rc = user_find(cx, email, &a, &active);
	if (rc != CRM_OK)
		return rc;
	if (!active)
		return core_fail(cx, CRM_EFORBIDDEN, "User %s is disabled", a.email);
	new_secret("crm_", token);
	secret_hash(token, hex);
	if (db_prepare(cx->db, "INSERT INTO api_tokens (token_hash, user_id, name, "
	    "created_at) VALUES (?, ?, ?, ?) RETURNING id", &st) != DB_OK)
		return db_fail(cx, "token");
	db_bind_text(st, 1, hex, strlen(hex));
	db_bind_int(st, 2, a.user_id);
	db_bind_text(st, 3, name, strnlen(name, 200));
	db_bind_int(st, 4, time_now_ms());
	rc = db_step(st);
	if (rc == DB_ROW)
		*id = db_col_int(st, 0);
	db_done(st);
	return rc == DB_ROW ? CRM_OK : db_fail(cx, "token step");
}

int
token_revoke(struct core_ctx *cx, int64_t id)
{
	db_stmt_t *st;
	int rc;

	if (db_prepare(cx->db, "UPDATE api_tokens SET revoked_at = ? WHERE id = ? "
	    "AND revoked_at IS NULL", &st) != DB_OK)
		return db_fail(cx, "revoke");
	db_bind_int(st, 1, time_now_ms());
	db_bind_int(st, 2, id);
	rc = db_step(st);
	db_done(st);
	if (rc != DB_DONE)
		return db_fail(cx, "revoke step");
	if (db_changes(cx->db) != 1)
		return core_fail(cx, CRM_ENOTFOUND, "No active token with id %lld",
		    (long long)id);
	return CRM_OK;
}

int
token_list(struct core_ctx *cx, json_t **out)
{
	db_stmt_t *st;
	json_t *arr;
	int rc;
	char ts[TIME_RFC3339_LEN];

	if (db_prepare(cx->db, "SELECT k.id, u.email, k.name, k.created_at, "
	    "k.revoked_at FROM api_tokens k JOIN users u ON u.id = k.user_id "
	    "ORDER BY k.id", &st) != DB_OK)
		return db_fail(cx, "tokens");
	arr = json_array();
	while ((rc = db_step(st)) == DB_ROW) {
		json_t *t;

		time_format(db_col_int(st, 3), ts, sizeof(ts));
		t = json_pack("{s:I, s:s, s:s, s:s}", "id",
		    (json_int_t)db_col_int(st, 0), "user", db_col_text(st, 1, NULL),
		    "name", db_col_text(st, 2, NULL), "created_at", ts);
		if (!db_col_null(st, 4)) {
			time_format(db_col_int(st, 4), ts, sizeof(ts));
			json_object_set_new(t, "revoked_at", json_string(ts));
		} else {
			json_object_set_new(t, "revoked_at", json_null());
		}
		json_array_append_new(arr, t);
	}
	db_done(st);
	if (rc != DB_DONE) {
		json_decref(arr);
		return db_fail(cx, "tokens step");
	}
	*out = json_pack("{s:o}", "data", arr);
	return CRM_OK;
}
