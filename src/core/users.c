/*
 * Accounts and credentials. Emails are stored lower-case (ASCII) so that
 * sign-in is case-insensitive without a collation the other database would
 * lack. A failed sign-in costs the same argon2id verification whether or
 * not the account exists, so timing does not tell which emails are users.
 */
#include "core/audit.h"
#include "core/users.h"

#include <ctype.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "core/password_policy.h"
#include "util/log.h"
#include "util/text.h"
#include "util/timeutil.h"

static int
db_fail(struct core_ctx *cx, const char *what)
{
	log_error("database: users: %s: %s", what, db_errmsg(cx->db));
	return core_fail(cx, CRM_EDB, "The database failed; nothing was changed");
}

static void
lower_email(const char *in, char *out, size_t outlen)
{
	size_t i;

	for (i = 0; in[i] != '\0' && i + 1 < outlen; i++)
		out[i] = (char)tolower((unsigned char)in[i]);
	out[i] = '\0';
}

static int
hash_password(struct core_ctx *cx, const char *password,
    char out[crypto_pwhash_STRBYTES])
{
	size_t len = strlen(password);

	if (len < USER_PASSWORD_MIN || len > USER_PASSWORD_MAX) {
		verrs_add(&cx->errs, "password", "must be %d to %d characters",
		    USER_PASSWORD_MIN, USER_PASSWORD_MAX);
		return core_fail(cx, CRM_EINVAL, "The password is too %s",
		    len < USER_PASSWORD_MIN ? "short" : "long");
	}
	if (crypto_pwhash_str(out, password, len,
	    crypto_pwhash_OPSLIMIT_INTERACTIVE,
	    crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
		return core_fail(cx, CRM_EDB, "Out of memory hashing the password");
	return CRM_OK;
}

/* The audit entry of a change to a user, named by email (never a secret). */
static int
audit_user(struct core_ctx *cx, const char *action, int64_t id,
    const char *email, bool is_admin)
{
	json_t *d = json_pack("{s:s}", "email", email);
	int rc;

	if (strcmp(action, "user.create") == 0)
		json_object_set_new(d, "is_admin", json_boolean(is_admin));
	rc = audit_append(cx, action, "users", id, d);
	json_decref(d);
	return rc;
}

int
user_add(struct core_ctx *cx, const char *email, const char *name,
    const char *password, bool is_admin, int64_t *id)
{
	char lower[256], hash[crypto_pwhash_STRBYTES];
	db_stmt_t *st;
	int64_t now = time_now_ms();
	int rc;

	if (!text_is_email(email, strlen(email)))
		verrs_add(&cx->errs, "email", "is not an email address");
	if (name[0] == '\0' || strlen(name) > 200 ||
	    !text_utf8_valid(name, strlen(name)))
		verrs_add(&cx->errs, "name", "must be 1 to 200 bytes of text");
	if (cx->errs.n > 0)
		return core_fail(cx, CRM_EINVAL, "%s", cx->errs.items[0].message);
	rc = password_policy_check(cx, password, email, name);
	if (rc != CRM_OK)
		return rc;
	rc = hash_password(cx, password, hash);
	if (rc != CRM_OK)
		return rc;
	lower_email(email, lower, sizeof(lower));
	/* A new user starts in the top department, as a manager or admin. */
	if (db_prepare(cx->db, "INSERT INTO users (email, name, password_hash, "
	    "is_admin, active, created_at, updated_at, department_id, role_id) "
	    "VALUES (?, ?, ?, ?, 1, ?, ?, (SELECT MIN(id) FROM departments WHERE "
	    "parent_id IS NULL), (SELECT id FROM roles WHERE builtin = CASE WHEN "
	    "? = 1 THEN 'administrator' ELSE 'manager' END)) RETURNING id",
	    &st) != DB_OK)
		return db_fail(cx, "add");
	db_bind_text(st, 1, lower, strlen(lower));
	db_bind_text(st, 2, name, strlen(name));
	db_bind_text(st, 3, hash, strlen(hash));
	db_bind_int(st, 4, is_admin);
	db_bind_int(st, 5, now);
	db_bind_int(st, 6, now);
	db_bind_int(st, 7, is_admin);
	rc = db_step(st);
	if (rc == DB_ROW)
		*id = db_col_int(st, 0);
	db_done(st);
	if (rc == DB_ECONSTRAINT)
		return core_fail(cx, CRM_EEXISTS, "A user with email %s already "
		    "exists", lower);
	if (rc != DB_ROW)
		return db_fail(cx, "add step");
	return audit_user(cx, "user.create", *id, lower, is_admin);
}

static void
actor_from_row(db_stmt_t *st, int c, struct actor *a)
{
	a->user_id = db_col_int(st, c);
	snprintf(a->email, sizeof(a->email), "%s", db_col_text(st, c + 1, NULL));
	snprintf(a->name, sizeof(a->name), "%s", db_col_text(st, c + 2, NULL));
	a->is_admin = db_col_int(st, c + 3) != 0;
}

int
user_find(struct core_ctx *cx, const char *email, struct actor *out,
    bool *active)
{
	char lower[256];
	db_stmt_t *st;
	int rc;

	lower_email(email, lower, sizeof(lower));
	if (db_prepare(cx->db, "SELECT id, email, name, is_admin, active FROM "
	    "users WHERE email = ?", &st) != DB_OK)
		return db_fail(cx, "find");
	db_bind_text(st, 1, lower, strlen(lower));
	rc = db_step(st);
	if (rc == DB_ROW) {
		actor_from_row(st, 0, out);
		*active = db_col_int(st, 4) != 0;
	}
	db_done(st);
	if (rc == DB_DONE)
		return core_fail(cx, CRM_ENOTFOUND, "No user with email %s", lower);
	return rc == DB_ROW ? CRM_OK : db_fail(cx, "find step");
}

static int
update_user(struct core_ctx *cx, const char *sql, const char *email,
    const char *text, int64_t num)
{
	char lower[256];
	db_stmt_t *st;
	int rc;

	lower_email(email, lower, sizeof(lower));
	if (db_prepare(cx->db, sql, &st) != DB_OK)
		return db_fail(cx, "update");
	if (text != NULL)
		db_bind_text(st, 1, text, strlen(text));
	else
		db_bind_int(st, 1, num);
	db_bind_int(st, 2, time_now_ms());
	db_bind_text(st, 3, lower, strlen(lower));
	rc = db_step(st);
	db_done(st);
	if (rc != DB_DONE)
		return db_fail(cx, "update step");
	if (db_changes(cx->db) != 1)
		return core_fail(cx, CRM_ENOTFOUND, "No user with email %s", lower);
	return CRM_OK;
}

int
user_set_password(struct core_ctx *cx, const char *email, const char *password)
{
	char hash[crypto_pwhash_STRBYTES];
	struct actor a;
	bool active;
	int rc = user_find(cx, email, &a, &active);

	if (rc != CRM_OK)
		return rc;
	rc = password_policy_check(cx, password, a.email, a.name);
	if (rc == CRM_OK)
		rc = hash_password(cx, password, hash);
	if (rc != CRM_OK)
		return rc;
	rc = update_user(cx, "UPDATE users SET password_hash = ?, "
	    "updated_at = ? WHERE email = ?", email, hash, 0);
	return rc == CRM_OK ? audit_user(cx, "user.password_set", 0, email,
	    false) : rc;
}

int
user_set_active(struct core_ctx *cx, const char *email, bool active)
{
	int rc = update_user(cx, "UPDATE users SET active = ?, updated_at = ? "
	    "WHERE email = ?", email, NULL, active);
	char lower[256];
	db_stmt_t *st;

	if (rc == CRM_OK)
		rc = audit_user(cx, active ? "user.enable" : "user.disable", 0, email,
		    false);
	if (rc != CRM_OK || active)
		return rc;
	/*
	 * A disabled account's sessions end and its tokens are revoked now, so
	 * enabling it again later does not bring old credentials back.
	 */
	lower_email(email, lower, sizeof(lower));
	if (db_prepare(cx->db, "DELETE FROM sessions WHERE user_id = (SELECT id "
	    "FROM users WHERE email = ?)", &st) != DB_OK)
		return db_fail(cx, "end sessions");
	db_bind_text(st, 1, lower, strlen(lower));
	rc = db_step(st);
	db_done(st);
	if (rc != DB_DONE)
		return db_fail(cx, "end sessions step");
	if (db_prepare(cx->db, "UPDATE api_tokens SET revoked_at = ? WHERE "
	    "revoked_at IS NULL AND user_id = (SELECT id FROM users WHERE "
	    "email = ?)", &st) != DB_OK)
		return db_fail(cx, "revoke tokens");
	db_bind_int(st, 1, time_now_ms());
	db_bind_text(st, 2, lower, strlen(lower));
	rc = db_step(st);
	db_done(st);
	return rc == DB_DONE ? CRM_OK : db_fail(cx, "revoke tokens step");
}

int
user_list(struct core_ctx *cx, json_t **out)
{
	db_stmt_t *st;
	json_t *arr;
	int rc;

	if (db_prepare(cx->db, "SELECT id, email, name, is_admin, active FROM "
	    "users ORDER BY id", &st) != DB_OK)
		return db_fail(cx, "list");
	arr = json_array();
	while ((rc = db_step(st)) == DB_ROW)
		json_array_append_new(arr, json_pack("{s:I, s:s, s:s, s:b, s:b}",
		    "id", (json_int_t)db_col_int(st, 0),
		    "email", db_col_text(st, 1, NULL),
		    "name", db_col_text(st, 2, NULL),
		    "is_admin", (int)db_col_int(st, 3),
		    "active", (int)db_col_int(st, 4)));
	db_done(st);
	if (rc != DB_DONE) {
		json_decref(arr);
		return db_fail(cx, "list step");
	}
	*out = json_pack("{s:o}", "data", arr);
	return CRM_OK;
}

int
user_count(struct core_ctx *cx, int64_t *n)
{
	db_stmt_t *st;
	int rc;

	if (db_prepare(cx->db, "SELECT COUNT(*) FROM users", &st) != DB_OK)
		return db_fail(cx, "count");
	rc = db_step(st);
	if (rc == DB_ROW)
		*n = db_col_int(st, 0);
	db_done(st);
	return rc == DB_ROW ? CRM_OK : db_fail(cx, "count step");
}

json_t *
user_actor_json(const struct actor *a)
{
	return json_pack("{s:I, s:s, s:s, s:b}", "id", (json_int_t)a->user_id,
	    "email", a->email, "name", a->name, "is_admin", a->is_admin);
}

int
user_load_actor(struct core_ctx *cx, int64_t user_id, struct actor *a)
{
	db_stmt_t *st;
	int rc;

	if (db_prepare(cx->db, "SELECT email, name, is_admin FROM users WHERE "
	    "id = ? AND active = 1", &st) != DB_OK)
		return db_fail(cx, "user");
	db_bind_int(st, 1, user_id);
	rc = db_step(st);
	if (rc == DB_ROW) {
		memset(a, 0, sizeof(*a));
		a->user_id = user_id;
		snprintf(a->email, sizeof(a->email), "%s", db_col_text(st, 0, NULL));
		snprintf(a->name, sizeof(a->name), "%s", db_col_text(st, 1, NULL));
		a->is_admin = db_col_int(st, 2) != 0;
	}
	db_done(st);
	if (rc == DB_DONE)
		return CRM_ENOTFOUND;
	return rc == DB_ROW ? CRM_OK : db_fail(cx, "user step");
}
