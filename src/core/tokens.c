/* API tokens (see tokens.h): resolving, making, listing, revoking. */
#include "core/audit.h"
#include "core/tokens.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/sessions.h"
#include "util/log.h"
#include "util/text.h"
#include "util/timeutil.h"

static int
db_fail(struct core_ctx *cx, const char *what)
{
	log_error("database: tokens: %s: %s", what, db_errmsg(cx->db));
	return core_fail(cx, CRM_EDB, "The database failed");
}

int
apitoken_resolve(struct core_ctx *cx, const char *token, struct actor *out,
    bool *read_only)
{
	char hex[65];
	db_stmt_t *st;
	int64_t now = time_now_ms();
	int rc;

	if (strlen(token) >= SECRET_LEN)
		return core_fail(cx, CRM_EUNAUTH, "The token is not valid");
	session_secret_hash(token, hex);
	if (db_prepare(cx->db, "SELECT u.id, u.email, u.name, u.is_admin, "
	    "k.read_only, k.expires_at FROM api_tokens k JOIN users u ON "
	    "u.id = k.user_id WHERE k.token_hash = ? AND k.revoked_at IS NULL "
	    "AND u.active = 1", &st) != DB_OK)
		return db_fail(cx, "resolve");
	db_bind_text(st, 1, hex, strlen(hex));
	rc = db_step(st);
	if (rc == DB_ROW) {
		if (!db_col_null(st, 5) && db_col_int(st, 5) <= now) {
			db_done(st);
			return core_fail(cx, CRM_EUNAUTH, "The token has expired; make "
			    "a new one (Account > API tokens, or crm token create)");
		}
		out->user_id = db_col_int(st, 0);
		snprintf(out->email, sizeof(out->email), "%s", db_col_text(st, 1, NULL));
		snprintf(out->name, sizeof(out->name), "%s", db_col_text(st, 2, NULL));
		out->is_admin = db_col_int(st, 3) != 0;
		*read_only = db_col_int(st, 4) != 0;
	}
	db_done(st);
	if (rc == DB_DONE)
		return core_fail(cx, CRM_EUNAUTH, "The token is not valid: unknown, "
		    "revoked, or its user is disabled");
	return rc == DB_ROW ? CRM_OK : db_fail(cx, "resolve step");
}

static void
new_token(char *out)
{
	unsigned char raw[32];

	memcpy(out, "crm_", 4);
	randombytes_buf(raw, sizeof(raw));
	sodium_bin2base64(out + 4, SECRET_LEN - 4, raw, sizeof(raw),
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

int
apitoken_create(struct core_ctx *cx, int64_t user_id, const char *name,
    bool read_only, int64_t expires_at, char *token, int64_t *id)
{
	json_t *detail;
	size_t nlen = strlen(name);
	int64_t now = time_now_ms();
	char hex[65];
	db_stmt_t *st;
	int rc;

	if (nlen == 0 || nlen > TOKEN_NAME_MAX || !text_utf8_valid(name, nlen))
		verrs_add(&cx->errs, "name", "must be 1 to %d bytes of text",
		    TOKEN_NAME_MAX);
	if (expires_at != 0 && (expires_at <= now ||
	    expires_at > now + TOKEN_MAX_DAYS * 86400000LL))
		verrs_add(&cx->errs, "expires_at", "must be in the future, within "
		    "%d days", TOKEN_MAX_DAYS);
	if (cx->errs.n > 0)
		return core_fail(cx, CRM_EINVAL, "Give the token a name, and an "
		    "expiry in the future or none");
	new_token(token);
	session_secret_hash(token, hex);
	if (db_prepare(cx->db, "INSERT INTO api_tokens (token_hash, user_id, name, "
	    "created_at, expires_at, read_only) VALUES (?, ?, ?, ?, ?, ?) "
	    "RETURNING id", &st) != DB_OK)
		return db_fail(cx, "create");
	db_bind_text(st, 1, hex, strlen(hex));
	db_bind_int(st, 2, user_id);
	db_bind_text(st, 3, name, nlen);
	db_bind_int(st, 4, now);
	if (expires_at != 0)
		db_bind_int(st, 5, expires_at);
	else
		db_bind_null(st, 5);
	db_bind_int(st, 6, read_only);
	rc = db_step(st);
	if (rc == DB_ROW)
		*id = db_col_int(st, 0);
	db_done(st);
	if (rc != DB_ROW)
		return db_fail(cx, "create step");
	detail = json_pack("{s:I, s:s, s:b}", "user_id", (json_int_t)user_id,
	    "name", name, "read_only", read_only);
	rc = audit_append(cx, "token.create", NULL, *id, detail);
	json_decref(detail);
	return rc;
}

int
apitoken_list(struct core_ctx *cx, int64_t user_id, json_t **out)
{
	char ts[TIME_RFC3339_LEN];
	int64_t now = time_now_ms();
	db_stmt_t *st;
	json_t *arr;
	int rc;

	if (db_prepare(cx->db, "SELECT k.id, u.email, k.name, k.created_at, "
	    "k.expires_at, k.read_only, k.revoked_at FROM api_tokens k JOIN users "
	    "u ON u.id = k.user_id WHERE (? = 0 OR k.user_id = ?) ORDER BY k.id",
	    &st) != DB_OK)
		return db_fail(cx, "list");
	db_bind_int(st, 1, user_id);
	db_bind_int(st, 2, user_id);
	arr = json_array();
	while ((rc = db_step(st)) == DB_ROW) {
		json_t *t;

		time_format(db_col_int(st, 3), ts, sizeof(ts));
		t = json_pack("{s:I, s:s, s:s, s:s, s:o, s:b, s:o, s:b}", "id",
		    (json_int_t)db_col_int(st, 0), "user", db_col_text(st, 1, NULL),
		    "name", db_col_text(st, 2, NULL), "created_at", ts,
		    "expires_at", core_col_time(st, 4), "read_only",
		    db_col_int(st, 5) != 0, "revoked_at", core_col_time(st, 6),
		    "expired", !db_col_null(st, 4) && db_col_int(st, 4) <= now);
		if (t != NULL)
			json_array_append_new(arr, t);
	}
	db_done(st);
	if (rc != DB_DONE) {
		json_decref(arr);
		return db_fail(cx, "list step");
	}
	*out = json_pack("{s:o}", "data", arr);
	return CRM_OK;
}

int
apitoken_revoke(struct core_ctx *cx, int64_t id, int64_t owner_id)
{
	db_stmt_t *st;
	int rc;

	if (db_prepare(cx->db, "UPDATE api_tokens SET revoked_at = ? WHERE id = ? "
	    "AND revoked_at IS NULL AND (? = 0 OR user_id = ?)", &st) != DB_OK)
		return db_fail(cx, "revoke");
	db_bind_int(st, 1, time_now_ms());
	db_bind_int(st, 2, id);
	db_bind_int(st, 3, owner_id);
	db_bind_int(st, 4, owner_id);
	rc = db_step(st);
	db_done(st);
	if (rc != DB_DONE)
		return db_fail(cx, "revoke step");
	if (db_changes(cx->db) != 1)
		return core_fail(cx, CRM_ENOTFOUND, "No active token of yours with id "
		    "%lld; list them at /api/v1/auth/tokens", (long long)id);
	return audit_append(cx, "token.revoke", NULL, id, NULL);
}

int64_t
apitoken_parse_ttl(const char *s)
{
	int64_t v = 0, unit = 86400000LL;
	size_t i;

	for (i = 0; s[i] >= '0' && s[i] <= '9' && i < 6; i++)
		v = v * 10 + (s[i] - '0');
	if (i == 0 || v <= 0)
		return -1;
	if (s[i] == 'd' || s[i] == '\0')
		unit = 86400000LL;
	else if (s[i] == 'h')
		unit = 3600000LL;
	else if (s[i] == 'm')
		unit = 60000LL;
	else if (s[i] == 's')
		unit = 1000LL;
	else
		return -1;
	if (s[i] != '\0' && s[i + 1] != '\0')
		return -1;
	if (v * unit > TOKEN_MAX_DAYS * 86400000LL)
		return -1;
	return v * unit;
}
