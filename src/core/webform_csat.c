/*
 * The satisfaction question mailed to a client once their ticket is
 * resolved (see webform.h): the one-use link, its mail, and the answer
 * recorded on the ticket. The link stands in for the client's identity,
 * so only a hash of its token is kept and looked up.
 */
#include "core/webform.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/audit.h"
#include "core/mail.h"
#include "core/record.h"
#include "core/sessions.h"
#include "core/tickets.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/text.h"
#include "util/timeutil.h"

static int
db_fail(struct core_ctx *cx, const char *what)
{
	log_error("database: satisfaction %s: %s", what, db_errmsg(cx->db));
	return core_fail(cx, CRM_EDB, "The database failed; nothing was changed");
}

static const char *
str(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* e among a contact's emails (their JSON text), in any case. */
static bool
emails_have(const char *json, size_t n, const char *e, char *first,
    size_t flen)
{
	json_t *emails = json_loadb(json, n, 0, NULL), *v;
	const char *s;
	bool found = false;
	size_t i;

	json_array_foreach(emails, i, v) {
		s = json_string_value(v);
		if (s == NULL)
			continue;
		if (first != NULL && first[0] == '\0' && strlen(s) < flen)
			snprintf(first, flen, "%s", s);
		if (e != NULL && strcasecmp(s, e) == 0)
			found = true;
	}
	json_decref(emails);
	return found;
}

/*
 * Where the mail goes: only to an address kept on a contact in the
 * database, never to one that is only what someone typed on the public
 * form or wrote from in an unknown mail (a spammer's ticket that an agent
 * resolves must not mail whoever the spammer named). The ticket's address
 * when its contact, or any contact, has it; else the first address of the
 * ticket's contact. *to is "" when there is none.
 */
static int
client_address(struct core_ctx *cx, json_t *ticket, char *to, size_t len)
{
	json_t *contact = json_object_get(ticket, "contact_id");
	const char *e = str(ticket, "email"), *s;
	char first[MAIL_ADDR_MAX + 1] = "", pat[2 * MAIL_ADDR_MAX + 3];
	bool known = false;
	db_stmt_t *st;
	size_t n;
	int rc = DB_DONE;

	to[0] = '\0';
	if (e != NULL && (*e == '\0' || strlen(e) > MAIL_ADDR_MAX))
		e = NULL;
	if (json_is_integer(contact)) {
		if (db_prepare(cx->db, "SELECT emails FROM contacts WHERE id = ? "
		    "AND deleted_at IS NULL", &st) != DB_OK)
			return db_fail(cx, "contact");
		db_bind_int(st, 1, json_integer_value(contact));
		rc = db_step(st);
		if (rc == DB_ROW) {
			s = db_col_text(st, 0, &n);
			known = emails_have(s, n, e, first, sizeof(first));
		}
		db_done(st);
	}
	/* Another contact's: LIKE finds candidates, the JSON decides. */
	if ((rc == DB_ROW || rc == DB_DONE) && !known && e != NULL) {
		text_like_pattern(e, pat, sizeof(pat));
		if (db_prepare(cx->db, "SELECT emails FROM contacts WHERE "
		    "deleted_at IS NULL AND lower(emails) LIKE lower(?) ESCAPE "
		    "'\\' LIMIT 50", &st) != DB_OK)
			return db_fail(cx, "contacts");
		db_bind_text(st, 1, pat, strlen(pat));
		while (!known && (rc = db_step(st)) == DB_ROW) {
			s = db_col_text(st, 0, &n);
			known = emails_have(s, n, e, NULL, 0);
		}
		db_done(st);
	}
	if (!known && rc != DB_ROW && rc != DB_DONE)
		return db_fail(cx, "contact step");
	if (known && strlen(e) < len)
		snprintf(to, len, "%s", e);
	else if (first[0] != '\0' && strlen(first) < len)
		snprintf(to, len, "%s", first);
	return CRM_OK;
}

int
webform_csat_offer(struct core_ctx *cx, int64_t ticket_id, json_t *ticket)
{
	json_t *sat = json_object_get(ticket, "satisfaction");
	const char *subject = str(ticket, "subject");
	unsigned char raw[32];
	char token[WEBFORM_TOKEN_MAX], hex[65], to[MAIL_ADDR_MAX + 1];
	int64_t now = time_now_ms();
	struct buf subj, body;
	int rc;

	if (json_is_integer(sat) || !mail_enabled(cx->mail))
		return CRM_OK;
	rc = client_address(cx, ticket, to, sizeof(to));
	if (rc != CRM_OK || to[0] == '\0')
		return rc;
	randombytes_buf(raw, sizeof(raw));
	sodium_bin2base64(token, sizeof(token), raw, sizeof(raw),
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	session_secret_hash(token, hex);
	/* One live question per ticket: an earlier link ends now. */
	rc = core_exec(cx, "UPDATE satisfaction_requests SET expires_at = ? "
	    "WHERE ticket_id = ? AND used_at IS NULL AND expires_at > ?", "iii",
	    now, ticket_id, now);
	if (rc == CRM_OK)
		rc = core_exec(cx, "INSERT INTO satisfaction_requests (ticket_id, "
		    "token_hash, email, created_at, expires_at) VALUES (?, ?, ?, ?, "
		    "?)", "issii", ticket_id, hex, to, now,
		    now + WEBFORM_CSAT_TTL_MS);
	if (rc != CRM_OK)
		return rc;
	if (subject == NULL)
		subject = "";
	/* Whole subjects (at most 500 characters): mail_queue cuts its own. */
	buf_init(&subj, 4096);
	buf_printf(&subj, "How did we do? Request #%lld: %s", (long long)ticket_id,
	    subject);
	buf_init(&body, 8192);
	buf_printf(&body, "Hello,\n\nyour request #%lld \"%s\" has been "
	    "resolved. How satisfied are you with our help? Choose from 1 (not "
	    "at all) to 5 (very) on this page, and tell us more if you like:\n\n"
	    "%s/r/%s\n\nThe link works once, for %d days.\n\nThank you.\n",
	    (long long)ticket_id, subject,
	    cx->mail->origin != NULL ? cx->mail->origin : "", token,
	    (int)(WEBFORM_CSAT_TTL_MS / 86400000));
	rc = subj.data == NULL || body.data == NULL ? core_fail(cx, CRM_EDB,
	    "The satisfaction mail could not be made") : mail_queue(cx, to,
	    subj.data, body.data, NULL);
	buf_free(&subj);
	buf_free(&body);
	sodium_memzero(token, sizeof(token));
	return rc;
}

struct csat_row {
	int64_t	id;
	int64_t	ticket_id;
	int64_t	expires_at;
	int64_t	used_at;	/* 0: not yet */
};

static int
find(struct core_ctx *cx, const char *token, struct csat_row *r)
{
	char hex[65];
	db_stmt_t *st;
	int rc;

	memset(r, 0, sizeof(*r));
	if (!webform_secret_ok(token, WEBFORM_TOKEN_MAX))
		return core_fail(cx, CRM_ENOTFOUND, "This link is not known");
	session_secret_hash(token, hex);
	if (db_prepare(cx->db, "SELECT id, ticket_id, expires_at, used_at FROM "
	    "satisfaction_requests WHERE token_hash = ?", &st) != DB_OK)
		return db_fail(cx, "find");
	db_bind_text(st, 1, hex, strlen(hex));
	rc = db_step(st);
	if (rc == DB_ROW) {
		r->id = db_col_int(st, 0);
		r->ticket_id = db_col_int(st, 1);
		r->expires_at = db_col_int(st, 2);
		r->used_at = db_col_null(st, 3) ? 0 : db_col_int(st, 3);
	}
	db_done(st);
	if (rc != DB_ROW && rc != DB_DONE)
		return db_fail(cx, "find step");
	if (r->id == 0)
		return core_fail(cx, CRM_ENOTFOUND, "This link is not known");
	return CRM_OK;
}

int
webform_csat_get(struct core_ctx *cx, const char *token, json_t **out)
{
	struct csat_row r;
	json_t *t = NULL;
	int rc;

	*out = NULL;
	memset(&cx->actor, 0, sizeof(cx->actor));	/* the system */
	rc = find(cx, token, &r);
	if (rc == CRM_OK)
		rc = rec_get(cx, &entity_tickets, r.ticket_id, false, &t);
	if (rc != CRM_OK)
		return rc == CRM_ENOTFOUND ? core_fail(cx, rc, "This link is not "
		    "known") : rc;
	*out = json_pack("{s:s, s:I, s:O, s:O}", "state", r.used_at > 0 ?
	    "answered" : r.expires_at <= time_now_ms() ? "expired" : "open",
	    "ticket_id", (json_int_t)r.ticket_id, "subject",
	    json_object_get(t, "subject"), "rating",
	    r.used_at > 0 ? json_object_get(t, "satisfaction") : json_null());
	json_decref(t);
	return CRM_OK;
}

static void
check_answer(struct core_ctx *cx, json_t *in)
{
	json_t *rating = json_object_get(in, "rating"), *comment, *v;
	const char *key;

	json_object_foreach(in, key, v)
		if (strcmp(key, "rating") != 0 && strcmp(key, "comment") != 0)
			verrs_add(&cx->errs, key, "is not part of the answer (rating, "
			    "comment)");
	if (!json_is_integer(rating) || json_integer_value(rating) < 1 ||
	    json_integer_value(rating) > 5)
		verrs_add(&cx->errs, "rating", "choose from 1 to 5");
	comment = json_object_get(in, "comment");
	if (comment != NULL && !json_is_null(comment) &&
	    !(json_is_string(comment) && json_string_length(comment) == 0) &&
	    !core_text_ok(comment, WEBFORM_CSAT_COMMENT_MAX))
		verrs_add(&cx->errs, "comment", "must be text of at most %d "
		    "characters", WEBFORM_CSAT_COMMENT_MAX);
}

int
webform_csat_answer(struct core_ctx *cx, const char *token, json_t *in,
    json_t **out)
{
	json_t *t = NULL, *res = NULL, *patch, *detail;
	const char *comment = str(in, "comment"), *status;
	int64_t rating = json_integer_value(json_object_get(in, "rating"));
	int64_t now = time_now_ms();
	struct csat_row r;
	struct buf msg;
	int rc;

	*out = NULL;
	memset(&cx->actor, 0, sizeof(cx->actor));	/* the system */
	check_answer(cx, in);
	if (cx->errs.n > 0)
		return core_invalid(cx);
	if (db_begin(cx->db) != DB_OK)
		return db_fail(cx, "begin");
	rc = find(cx, token, &r);
	if (rc == CRM_OK && r.used_at > 0)
		rc = core_fail(cx, CRM_EINUSE, "This question was answered already. "
		    "Thank you!");
	else if (rc == CRM_OK && r.expires_at <= now)
		rc = core_fail(cx, CRM_EINUSE, "This link has expired. If something "
		    "is still wrong, just write to us again.");
	if (rc == CRM_OK)
		rc = rec_get(cx, &entity_tickets, r.ticket_id, false, &t);
	status = str(t, "status");
	if (rc == CRM_OK && strcmp(status, "resolved") != 0 &&
	    strcmp(status, "closed") != 0)
		rc = core_fail(cx, CRM_EINUSE, "Your request was opened again, so we "
		    "will ask once it is resolved.");
	/*
	 * Used once: a second answer racing this one changes no row, nor does
	 * one racing a newer link of the ticket (which ends this one) on
	 * PostgreSQL, where find() read before that commit.
	 */
	if (rc == CRM_OK)
		rc = core_exec(cx, "UPDATE satisfaction_requests SET used_at = ? "
		    "WHERE id = ? AND used_at IS NULL AND expires_at > ?", "iii",
		    now, r.id, now);
	if (rc == CRM_OK && db_changes(cx->db) != 1)
		rc = core_fail(cx, CRM_EINUSE, "This question was answered already. "
		    "Thank you!");
	if (rc == CRM_OK) {
		patch = json_pack("{s:I}", "satisfaction", (json_int_t)rating);
		rc = rec_update_txn(cx, &entity_tickets, r.ticket_id, -1, patch,
		    &res);
		json_decref(patch);
	}
	if (rc == CRM_OK && comment != NULL && *comment != '\0') {
		buf_init(&msg, WEBFORM_CSAT_COMMENT_MAX * 4 + 64);
		buf_printf(&msg, "Satisfaction %lld of 5: %s", (long long)rating,
		    comment);
		rc = ticket_client_message_txn(cx, r.ticket_id,
		    json_integer_value(json_object_get(t, "contact_id")),
		    msg.data != NULL ? msg.data : "");
		buf_free(&msg);
	}
	if (rc == CRM_OK) {
		detail = json_pack("{s:I, s:b}", "rating", (json_int_t)rating,
		    "comment", comment != NULL && *comment != '\0');
		rc = audit_append(cx, "ticket.satisfaction", "tickets", r.ticket_id,
		    detail);
		json_decref(detail);
	}
	if (rc == CRM_OK)
		*out = json_pack("{s:s, s:I, s:I}", "state", "answered", "ticket_id",
		    (json_int_t)r.ticket_id, "rating", (json_int_t)rating);
	json_decref(t);
	json_decref(res);
	return core_txn_end(cx, rc, out);
}
