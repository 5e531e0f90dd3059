/*
 * The service desk's mailbox: its settings, the intake over IMAP with
 * libcurl (outside every transaction), each mail written in one
 * transaction of its own, and the answers queued through the outbox. See
 * core/desk_mail.h for the rules.
 */
#include "core/desk_mail.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/audit.h"
#include "core/documents.h"
#include "core/imap.h"
#include "core/jobs.h"
#include "core/mail.h"
#include "core/record.h"
#include "core/tickets.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/mailmsg.h"
#include "util/text.h"
#include "util/timeutil.h"

#define DISABLED_RECHECK_MS (60LL * 60 * 1000)
#define SUBJECT_MAX 500			/* characters of a ticket's subject */
#define NOTE_MAX 4000			/* bytes of the refused-attachments note */

/* The settings as stored, for one check. */
struct mbox {
	char	 url[DESK_MAIL_URL_MAX + 1];
	char	 user[DESK_MAIL_SECRET_MAX + 1];
	char	 pass[DESK_MAIL_SECRET_MAX + 1];
	char	 folder[DESK_MAIL_FOLDER_MAX + 1];
	char	 category[101];
	int64_t	 poll_seconds;
	int64_t	 queue_id;
	int64_t	 uidvalidity;	/* 0: not read yet */
	int64_t	 last_uid;
	bool	 enabled;
	bool	 plain;
	bool	 found;
};

static int
db_fail(struct core_ctx *cx, const char *what)
{
	log_error("database: desk mail %s: %s", what, db_errmsg(cx->db));
	return core_fail(cx, CRM_EDB, "The database failed; nothing was changed");
}

static void
col_copy(db_stmt_t *st, int col, char *out, size_t cap)
{
	snprintf(out, cap, "%s", db_col_null(st, col) ? "" :
	    db_col_text(st, col, NULL));
}

static int
mbox_load(struct core_ctx *cx, struct mbox *m)
{
	db_stmt_t *st;
	int rc;

	memset(m, 0, sizeof(*m));
	snprintf(m->folder, sizeof(m->folder), "INBOX");
	m->poll_seconds = DESK_MAIL_POLL_DEFAULT;
	if (db_prepare(cx->db, "SELECT imap_url, username, password, folder, "
	    "poll_seconds, queue_id, category, enabled, allow_plain, "
	    "uidvalidity, last_uid FROM desk_mailbox WHERE id = 1", &st) !=
	    DB_OK)
		return db_fail(cx, "settings");
	rc = db_step(st);
	if (rc == DB_ROW) {
		m->found = true;
		col_copy(st, 0, m->url, sizeof(m->url));
		col_copy(st, 1, m->user, sizeof(m->user));
		col_copy(st, 2, m->pass, sizeof(m->pass));
		col_copy(st, 3, m->folder, sizeof(m->folder));
		m->poll_seconds = db_col_int(st, 4);
		m->queue_id = db_col_null(st, 5) ? 0 : db_col_int(st, 5);
		col_copy(st, 6, m->category, sizeof(m->category));
		m->enabled = db_col_int(st, 7) != 0;
		m->plain = db_col_int(st, 8) != 0;
		m->uidvalidity = db_col_null(st, 9) ? 0 : db_col_int(st, 9);
		m->last_uid = db_col_int(st, 10);
	}
	db_done(st);
	return rc == DB_ROW || rc == DB_DONE ? CRM_OK : db_fail(cx, "settings");
}

/* The IMAP side of the settings (borrowed from m). */
static struct imap_conf
imap_of(const struct mbox *m)
{
	return (struct imap_conf){ m->url, m->user, m->pass, m->folder,
	    m->plain };
}

/* ---- settings ---- */

static json_t *
text_or_null(db_stmt_t *st, int col)
{
	return db_col_null(st, col) ? json_null() :
	    json_string(db_col_text(st, col, NULL));
}

/* The settings as shown (never the password), without rights. */
static int
mbox_json(struct core_ctx *cx, json_t **out)
{
	db_stmt_t *st;
	json_t *o;
	int rc;

	if (db_prepare(cx->db, "SELECT imap_url, username, CASE WHEN password IS "
	    "NOT NULL AND password <> '' THEN 1 ELSE 0 END, folder, poll_seconds, queue_id, category, "
	    "enabled, allow_plain, last_check_at, last_ok_at, last_error, "
	    "imported, last_uid, version FROM desk_mailbox WHERE id = 1", &st) !=
	    DB_OK)
		return db_fail(cx, "settings read");
	rc = db_step(st);
	if (rc == DB_ROW) {
		o = json_object();
		json_object_set_new(o, "imap_url", text_or_null(st, 0));
		json_object_set_new(o, "username", text_or_null(st, 1));
		json_object_set_new(o, "password_set", json_boolean(
		    db_col_int(st, 2) != 0));
		json_object_set_new(o, "folder", text_or_null(st, 3));
		json_object_set_new(o, "poll_seconds", json_integer(
		    db_col_int(st, 4)));
		json_object_set_new(o, "queue_id", db_col_null(st, 5) ?
		    json_null() : json_integer(db_col_int(st, 5)));
		json_object_set_new(o, "category", text_or_null(st, 6));
		json_object_set_new(o, "enabled", json_boolean(db_col_int(st, 7)));
		json_object_set_new(o, "allow_plain", json_boolean(
		    db_col_int(st, 8)));
		json_object_set_new(o, "last_check_at", core_col_time(st, 9));
		json_object_set_new(o, "last_ok_at", core_col_time(st, 10));
		json_object_set_new(o, "last_error", text_or_null(st, 11));
		json_object_set_new(o, "imported", json_integer(db_col_int(st,
		    12)));
		json_object_set_new(o, "last_uid", json_integer(db_col_int(st,
		    13)));
		json_object_set_new(o, "version", json_integer(db_col_int(st,
		    14)));
	} else {
		o = json_pack("{s:n, s:n, s:b, s:s, s:i, s:n, s:n, s:b, s:b, s:n, "
		    "s:n, s:n, s:i, s:i, s:i}", "imap_url", "username",
		    "password_set", 0, "folder", "INBOX", "poll_seconds",
		    DESK_MAIL_POLL_DEFAULT, "queue_id", "category", "enabled", 0,
		    "allow_plain", 0, "last_check_at", "last_ok_at", "last_error",
		    "imported", 0, "last_uid", 0, "version", 0);
	}
	db_done(st);
	if (rc != DB_ROW && rc != DB_DONE) {
		json_decref(o);
		return db_fail(cx, "settings read step");
	}
	*out = o;
	return CRM_OK;
}

int
desk_mailbox_get(struct core_ctx *cx, json_t **out)
{
	int rc = core_admin_only(cx, "the service desk's mailbox");

	*out = NULL;
	if (rc != CRM_OK)
		return rc;
	return mbox_json(cx, out);
}

/* Whether host (of an URL, up to the port or path) is a loopback one. */
static bool
loopback_host(const char *host, size_t len)
{
	static const char *const names[] = { "127.0.0.1", "localhost",
		"[::1]", NULL };

	for (const char *const *n = names; *n != NULL; n++)
		if (strlen(*n) == len && strncasecmp(host, *n, len) == 0)
			return true;
	return false;
}

/*
 * An IMAP URL fit to use: imaps://host[:port][/] or, with plain, the same
 * as imap:// to a loopback host. No user or password in it (those are
 * fields of their own) and no path (the folder is one).
 */
static const char *
url_problem(const char *url, bool plain)
{
	const char *host, *end;

	if (strncmp(url, "imaps://", 8) == 0)
		host = url + 8;
	else if (strncmp(url, "imap://", 7) == 0)
		host = url + 7;
	else
		return "must start with imaps:// (or imap:// with allow_plain, "
		    "for a loopback server)";
	end = host + strcspn(host, ":/");
	if (end == host)
		return "names no host";
	for (const char *p = host; *p != '\0'; p++)
		if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f ||
		    *p == '@' || *p == '?' || *p == '#' || *p == ';' || *p == '\\')
			return "must be host[:port] only: user and password are "
			    "fields of their own, the folder too";
	if (strchr(host, '/') != NULL && strcmp(strchr(host, '/'), "/") != 0)
		return "must not hold a path; the folder is a field of its own";
	if (host == url + 7 && !(plain && loopback_host(host,
	    (size_t)(end - host))))
		return "imap:// sends the password in clear: use imaps://; "
		    "plain IMAP is allowed only to a loopback server with "
		    "allow_plain";
	return NULL;
}

/* A folder name that is safe in a URL and a quoted IMAP string. */
static bool
folder_ok(const char *f)
{
	size_t n = strlen(f);

	if (n == 0 || n > DESK_MAIL_FOLDER_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((f[i] >= 'a' && f[i] <= 'z') || (f[i] >= 'A' &&
		    f[i] <= 'Z') || (f[i] >= '0' && f[i] <= '9') ||
		    strchr(" ._-/", f[i]) != NULL))
			return false;
	return true;
}

static const char *const set_keys[] = { "imap_url", "username", "password",
	"folder", "poll_seconds", "queue_id", "category", "enabled",
	"allow_plain", NULL };

static void
check_set(struct core_ctx *cx, json_t *in, const struct mbox *merged)
{
	const char *key, *why;
	json_t *v;

	json_object_foreach(in, key, v) {
		bool known = false;

		for (const char *const *k = set_keys; *k != NULL; k++)
			known |= strcmp(*k, key) == 0;
		if (!known)
			verrs_add(&cx->errs, key, "is not a mailbox setting");
	}
#define STR_OR_NULL(k, max) do { \
	v = json_object_get(in, k); \
	if (v != NULL && !json_is_null(v) && !core_text_ok(v, max)) \
		verrs_add(&cx->errs, k, "must be text of 1 to %d characters " \
		    "or null", (int)(max)); \
} while (0)
	STR_OR_NULL("imap_url", DESK_MAIL_URL_MAX);
	STR_OR_NULL("username", DESK_MAIL_SECRET_MAX);
	STR_OR_NULL("password", DESK_MAIL_SECRET_MAX);
	STR_OR_NULL("category", 100);
#undef STR_OR_NULL
	v = json_object_get(in, "folder");
	if (v != NULL && (!json_is_string(v) || !folder_ok(json_string_value(v))))
		verrs_add(&cx->errs, "folder", "must be 1 to %d letters, digits, "
		    "spaces, dots, dashes, underscores or slashes",
		    DESK_MAIL_FOLDER_MAX);
	v = json_object_get(in, "poll_seconds");
	if (v != NULL && (!json_is_integer(v) || json_integer_value(v) <
	    DESK_MAIL_POLL_MIN || json_integer_value(v) > DESK_MAIL_POLL_MAX))
		verrs_add(&cx->errs, "poll_seconds", "must be %d to %d",
		    DESK_MAIL_POLL_MIN, DESK_MAIL_POLL_MAX);
	v = json_object_get(in, "queue_id");
	if (v != NULL && !json_is_null(v) && (!json_is_integer(v) ||
	    json_integer_value(v) <= 0))
		verrs_add(&cx->errs, "queue_id", "must be a queue's id or null");
	v = json_object_get(in, "enabled");
	if (v != NULL && !json_is_boolean(v))
		verrs_add(&cx->errs, "enabled", "must be true or false");
	v = json_object_get(in, "allow_plain");
	if (v != NULL && !json_is_boolean(v))
		verrs_add(&cx->errs, "allow_plain", "must be true or false");
	if (cx->errs.n > 0)
		return;
	if (merged->url[0] != '\0') {
		why = url_problem(merged->url, merged->plain);
		if (why != NULL)
			verrs_add(&cx->errs, "imap_url", "%s", why);
	}
	if (merged->enabled && (merged->url[0] == '\0' ||
	    merged->user[0] == '\0' || merged->pass[0] == '\0'))
		verrs_add(&cx->errs, "enabled", "needs imap_url, username and "
		    "password first");
}

/* in's value of key over the stored one in out (cap bytes); null clears. */
static void
merge_text(json_t *in, const char *key, char *out, size_t cap)
{
	json_t *v = json_object_get(in, key);

	if (json_is_null(v))
		out[0] = '\0';
	else if (json_is_string(v))
		snprintf(out, cap, "%s", json_string_value(v));
}

/* Arms the intake job to run now (queued once per database). */
static int
arm_job(struct core_ctx *cx)
{
	int64_t id, now = time_now_ms();
	int rc = job_enqueue(cx, "desk_mail", NULL, now, "desk_mail", &id);

	if (rc == CRM_OK)
		rc = core_exec(cx, "UPDATE jobs SET run_at = ? WHERE unique_key = "
		    "'desk_mail' AND done_at IS NULL AND locked_by IS NULL", "i",
		    now);
	cx->jobs_queued = true;
	return rc;
}

static void
bind_text_or_null(db_stmt_t *st, int idx, const char *s)
{
	if (s[0] != '\0')
		db_bind_text(st, idx, s, strlen(s));
	else
		db_bind_null(st, idx);
}

int
desk_mailbox_set(struct core_ctx *cx, json_t *in, json_t **out)
{
	struct mbox cur, m;
	json_t *detail, *v, *changed;
	db_stmt_t *st;
	bool restart, found = false;
	const char *key;
	int rc;

	*out = NULL;
	rc = core_admin_only(cx, "changing the service desk's mailbox");
	if (rc != CRM_OK)
		return rc;
	if (!json_is_object(in))
		return core_fail(cx, CRM_EINVAL, "The body must be an object");
	if (db_begin(cx->db) != DB_OK)
		return db_fail(cx, "begin");
	rc = mbox_load(cx, &cur);
	if (rc != CRM_OK)
		return core_txn_end(cx, rc, NULL);
	m = cur;
	merge_text(in, "imap_url", m.url, sizeof(m.url));
	merge_text(in, "username", m.user, sizeof(m.user));
	merge_text(in, "password", m.pass, sizeof(m.pass));
	merge_text(in, "folder", m.folder, sizeof(m.folder));
	merge_text(in, "category", m.category, sizeof(m.category));
	v = json_object_get(in, "poll_seconds");
	if (json_is_integer(v))
		m.poll_seconds = json_integer_value(v);
	v = json_object_get(in, "queue_id");
	if (json_is_integer(v) || json_is_null(v))
		m.queue_id = json_integer_value(v);
	if (json_is_boolean(json_object_get(in, "enabled")))
		m.enabled = json_is_true(json_object_get(in, "enabled"));
	if (json_is_boolean(json_object_get(in, "allow_plain")))
		m.plain = json_is_true(json_object_get(in, "allow_plain"));
	check_set(cx, in, &m);
	if (cx->errs.n == 0 && m.queue_id > 0) {
		rc = core_probe(cx, "queue", "SELECT 1 FROM queues WHERE id = ?",
		    &m.queue_id, 1, &found);
		if (rc == CRM_OK && !found)
			verrs_add(&cx->errs, "queue_id", "is not a queue");
	}
	if (rc == CRM_OK && cx->errs.n > 0)
		rc = core_invalid(cx);
	if (rc != CRM_OK)
		return core_txn_end(cx, rc, NULL);
	restart = strcmp(m.url, cur.url) != 0 || strcmp(m.user, cur.user) != 0 ||
	    strcmp(m.folder, cur.folder) != 0;
	rc = core_exec(cx, "INSERT INTO desk_mailbox (id) VALUES (1) ON CONFLICT "
	    "(id) DO NOTHING", "");
	if (rc == CRM_OK && db_prepare(cx->db, "UPDATE desk_mailbox SET "
	    "imap_url = ?, username = ?, password = ?, folder = ?, "
	    "poll_seconds = ?, queue_id = ?, category = ?, enabled = ?, "
	    "allow_plain = ?, uidvalidity = CASE WHEN ? = 1 THEN NULL ELSE "
	    "uidvalidity END, last_uid = CASE WHEN ? = 1 THEN 0 ELSE last_uid "
	    "END, version = version + 1, updated_at = ? WHERE id = 1", &st) !=
	    DB_OK)
		rc = db_fail(cx, "settings write");
	if (rc == CRM_OK) {
		bind_text_or_null(st, 1, m.url);
		bind_text_or_null(st, 2, m.user);
		bind_text_or_null(st, 3, m.pass);
		db_bind_text(st, 4, m.folder, strlen(m.folder));
		db_bind_int(st, 5, m.poll_seconds);
		if (m.queue_id > 0)
			db_bind_int(st, 6, m.queue_id);
		else
			db_bind_null(st, 6);
		bind_text_or_null(st, 7, m.category);
		db_bind_int(st, 8, m.enabled);
		db_bind_int(st, 9, m.plain);
		db_bind_int(st, 10, restart);
		db_bind_int(st, 11, restart);
		db_bind_int(st, 12, time_now_ms());
		rc = db_step(st) == DB_DONE ? CRM_OK : db_fail(cx,
		    "settings write step");
		db_done(st);
	}
	/* The audit names what changed, never the password's value. */
	changed = json_array();
	json_object_foreach(in, key, v)
		json_array_append_new(changed, json_string(key));
	detail = json_pack("{s:o, s:b}", "changed", changed, "enabled",
	    m.enabled);
	if (rc == CRM_OK)
		rc = audit_append(cx, "desk_mailbox.update", "desk_mailbox", 1,
		    detail);
	json_decref(detail);
	if (rc == CRM_OK && m.enabled)
		rc = arm_job(cx);
	if (rc == CRM_OK)
		rc = mbox_json(cx, out);
	return core_txn_end(cx, rc, out);
}

/* ---- one mail into the desk ---- */

int64_t
desk_mail_subject_ticket(const char *subject)
{
	const char *p = subject;
	int64_t id, last = 0;

	/* The last one: ours is appended after whatever the subject held. */
	while ((p = strstr(p, "[#T-")) != NULL) {
		int digits = 0;

		p += 4;
		id = 0;
		while (p[digits] >= '0' && p[digits] <= '9' && digits < 15) {
			id = id * 10 + (p[digits] - '0');
			digits++;
		}
		if (digits > 0 && p[digits] == ']' && id > 0)
			last = id;
	}
	return last;
}

/* A one-value lookup: the first column (an integer) of sql with text t. */
static int
lookup_text(struct core_ctx *cx, const char *sql, const char *t, int64_t *out)
{
	db_stmt_t *st;
	int rc;

	*out = 0;
	if (db_prepare(cx->db, sql, &st) != DB_OK)
		return db_fail(cx, "lookup");
	db_bind_text(st, 1, t, strlen(t));
	rc = db_step(st);
	if (rc == DB_ROW && !db_col_null(st, 0))
		*out = db_col_int(st, 0);
	db_done(st);
	return rc == DB_ROW || rc == DB_DONE ? CRM_OK : db_fail(cx, "lookup");
}

/*
 * The live ticket a reply belongs to (0: none): by its references, else
 * by the subject's token when the sender is the ticket's own address. A
 * merged ticket leads to the one it went into; a closed one takes no
 * more mail (the reply opens a new ticket).
 */
static int
find_ticket(struct core_ctx *cx, const struct mailmsg *mm, int64_t *tid)
{
	int64_t id = 0, merged;
	db_stmt_t *st;
	int rc = CRM_OK;
	bool closed = false;

	*tid = 0;
	for (size_t i = 0; i < mm->nrefs && id == 0 && rc == CRM_OK; i++)
		rc = lookup_text(cx, "SELECT ticket_id FROM desk_mail_messages "
		    "WHERE message_id = ?", mm->refs[i], &id);
	if (rc != CRM_OK)
		return rc;
	if (id == 0) {
		int64_t token = desk_mail_subject_ticket(mm->subject);
		bool found = false;

		if (token > 0 && mm->from_addr[0] != '\0') {
			if (db_prepare(cx->db, "SELECT 1 FROM tickets WHERE id = ? AND "
			    "deleted_at IS NULL AND LOWER(email) = LOWER(?)", &st) !=
			    DB_OK)
				return db_fail(cx, "token");
			db_bind_int(st, 1, token);
			db_bind_text(st, 2, mm->from_addr, strlen(mm->from_addr));
			rc = db_step(st);
			found = rc == DB_ROW;
			db_done(st);
			if (rc != DB_ROW && rc != DB_DONE)
				return db_fail(cx, "token step");
		}
		if (found)
			id = token;
	}
	/* Follow merges, a few at most (a merged ticket is never merged again). */
	for (int hop = 0; id > 0 && hop < 8; hop++) {
		if (db_prepare(cx->db, "SELECT merged_into_id, status, deleted_at "
		    "FROM tickets WHERE id = ?", &st) != DB_OK)
			return db_fail(cx, "ticket");
		db_bind_int(st, 1, id);
		rc = db_step(st);
		merged = 0;
		if (rc == DB_ROW) {
			merged = db_col_null(st, 0) ? 0 : db_col_int(st, 0);
			closed = strcmp(db_col_text(st, 1, NULL), "closed") == 0;
			if (!db_col_null(st, 2))
				id = 0;
		} else {
			id = 0;
		}
		db_done(st);
		if (rc != DB_ROW && rc != DB_DONE)
			return db_fail(cx, "ticket step");
		if (merged == 0)
			break;
		id = merged;
	}
	*tid = id > 0 && !closed ? id : 0;
	return CRM_OK;
}

/* An attachment received into the documents folder, before its row. */
struct held {
	struct doc_blob	 blob;
	bool		 ok;
	char		 why[200];
};

/* Up to max characters of s (whole characters), as a new string. */
static char *
cut_chars(const char *s, size_t max)
{
	size_t i = 0, n = 0;

	for (; s[i] != '\0'; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80 && n++ == max)
			break;
	return xstrndup(s, i);
}

/* Creates the ticket of a new mail into *tid. */
static int
new_ticket(struct core_ctx *cx, const struct mbox *m,
    const struct mailmsg *mm, const char *text, int64_t *tid)
{
	char *subject = cut_chars(mm->subject[0] != '\0' ? mm->subject :
	    "(no subject)", SUBJECT_MAX);
	char *desc = cut_chars(text, TICKET_BODY_MAX);
	json_t *in = json_pack("{s:s, s:s, s:s, s:s}", "subject", subject,
	    "description", desc, "channel", "email", "status", "new");
	int rc;

	if (text_is_email(mm->from_addr, strlen(mm->from_addr)) &&
	    strlen(mm->from_addr) <= MAIL_ADDR_MAX)
		json_object_set_new(in, "email", json_string(mm->from_addr));
	if (m->queue_id > 0)
		json_object_set_new(in, "queue_id", json_integer(m->queue_id));
	if (m->category[0] != '\0')
		json_object_set_new(in, "category", json_string(m->category));
	if (desc[0] == '\0')
		json_object_del(in, "description");
	rc = rec_create_id_txn(cx, &entity_tickets, in, tid);
	/*
	 * The settings' queue may have been deleted since (the engine checks
	 * before it writes): the mail still becomes a ticket, without it.
	 */
	if (rc == CRM_EINVAL && m->queue_id > 0) {
		memset(&cx->errs, 0, sizeof(cx->errs));
		json_object_del(in, "queue_id");
		rc = rec_create_id_txn(cx, &entity_tickets, in, tid);
	}
	json_decref(in);
	free(subject);
	free(desc);
	return rc;
}

/* The contact of ticket id, or 0. */
static int
ticket_contact(struct core_ctx *cx, int64_t id, int64_t *contact)
{
	db_stmt_t *st;
	int rc;

	*contact = 0;
	if (db_prepare(cx->db, "SELECT contact_id FROM tickets WHERE id = ?",
	    &st) != DB_OK)
		return db_fail(cx, "contact");
	db_bind_int(st, 1, id);
	rc = db_step(st);
	if (rc == DB_ROW && !db_col_null(st, 0))
		*contact = db_col_int(st, 0);
	db_done(st);
	return rc == DB_ROW || rc == DB_DONE ? CRM_OK : db_fail(cx, "contact");
}

/* Why cx refused an attachment, for the note; resets cx->errs. */
static void
refusal(struct core_ctx *cx, char *why, size_t cap)
{
	snprintf(why, cap, "%.*s", (int)cap - 1, cx->errs.n > 0 ?
	    cx->errs.items[0].message : cx->detail);
	memset(&cx->errs, 0, sizeof(cx->errs));
}

/*
 * Writes one mail (uid of uidvalidity) in one transaction; *skipped when
 * another server took it first. The blobs of its attachments are already
 * in the documents folder (held).
 */
static int
import_one(struct core_ctx *cx, const struct mbox *m,
    const struct doc_store *docs, int64_t uidvalidity, int64_t uid,
    const struct mailmsg *mm, const char *key, const char *text,
    struct held *held, const char *bigmsg, const char *from_self)
{
	struct buf note;
	json_t *detail;
	int64_t tid = 0, mid = 0, contact = 0, dup = 0, did = 0;
	const char *outcome;
	bool is_new = false;
	int rc;

	if (db_begin(cx->db) != DB_OK)
		return db_fail(cx, "import begin");
	rc = core_exec(cx, "UPDATE desk_mailbox SET last_uid = ? WHERE id = 1 AND "
	    "uidvalidity = ? AND last_uid < ?", "iii", uid, uidvalidity, uid);
	if (rc == CRM_OK && db_changes(cx->db) != 1) {
		db_rollback(cx->db);	/* another check took it */
		return CRM_OK;
	}
	if (rc == CRM_OK)
		rc = lookup_text(cx, "SELECT id FROM desk_mail_messages WHERE "
		    "message_id = ?", key, &dup);
	if (rc != CRM_OK)
		return core_txn_end(cx, rc, NULL);
	if (dup > 0) {
		outcome = "duplicate";
	} else if (mm->automatic || (from_self != NULL &&
	    strcasecmp(mm->from_addr, from_self) == 0)) {
		outcome = "ignored";
	} else {
		rc = find_ticket(cx, mm, &tid);
		if (rc == CRM_OK && tid > 0) {
			outcome = "reply";
			rc = ticket_contact(cx, tid, &contact);
			if (rc == CRM_OK)
				rc = ticket_message_add_txn(cx, tid, "public",
				    text[0] != '\0' ? text : "(empty mail)", contact, true,
				    &mid);
		} else if (rc == CRM_OK) {
			outcome = "ticket";
			is_new = true;
			rc = new_ticket(cx, m, mm, text, &tid);
		}
	}
	if (rc != CRM_OK || tid == 0) {
		if (rc == CRM_OK) {
			detail = json_pack("{s:I, s:s, s:s, s:s}", "uid",
			    (json_int_t)uid, "message_id", key, "from", mm->from_addr,
			    "outcome", outcome);
			rc = audit_append(cx, "desk.mail_skip", "desk_mailbox", 1,
			    detail);
			json_decref(detail);
		}
		return core_txn_end(cx, rc, NULL);
	}
	/* The attachments; what cannot be kept is said in a note. */
	buf_init(&note, NOTE_MAX);
	if (bigmsg != NULL)
		buf_printf(&note, "%s\n", bigmsg);
	for (size_t i = 0; i < mm->natt && rc == CRM_OK; i++) {
		if (held[i].ok && docs != NULL) {
			rc = doc_attach_txn(cx, docs, &entity_tickets, tid,
			    &held[i].blob, mm->att[i].name, mm->att[i].ctype, &did);
			if (rc == CRM_EINVAL) {
				refusal(cx, held[i].why, sizeof(held[i].why));
				held[i].ok = false;
				rc = CRM_OK;
			}
		} else if (docs == NULL) {
			snprintf(held[i].why, sizeof(held[i].why), "no documents "
			    "folder on this server");
		}
		if (!held[i].ok)
			buf_printf(&note, "Attachment \"%s\" (%zu bytes) was not kept: "
			    "%s\n", mm->att[i].name[0] != '\0' ? mm->att[i].name :
			    "(no name)", mm->att[i].len, held[i].why);
	}
	if (mm->dropped > 0)
		buf_printf(&note, "%zu more attachments were not kept (at most %d "
		    "a mail)\n", mm->dropped, MAILMSG_ATT_MAX);
	if (rc == CRM_OK && note.len > 0) {
		int64_t nid;

		rc = ticket_message_add_txn(cx, tid, "internal", note.data, 0, false,
		    &nid);
	}
	buf_free(&note);
	if (rc == CRM_OK)
		rc = core_exec(cx, "INSERT INTO desk_mail_messages (message_id, "
		    "ticket_id, ticket_message_id, direction, uidvalidity, uid, "
		    "created_at) VALUES (?, ?, ?, 'in', ?, ?, ?)", "siniii", key,
		    tid, mid, uidvalidity, uid, time_now_ms());
	if (rc == CRM_OK)
		rc = core_exec(cx, "UPDATE desk_mailbox SET imported = imported + 1 "
		    "WHERE id = 1", "");
	if (rc == CRM_OK) {
		detail = json_pack("{s:I, s:s, s:s, s:b}", "uid", (json_int_t)uid,
		    "message_id", key, "from", mm->from_addr, "new_ticket", is_new);
		rc = audit_append(cx, "desk.mail_import", "tickets", tid, detail);
		json_decref(detail);
	}
	return core_txn_end(cx, rc, NULL);
}

/* The key a mail is known by: its Message-ID, else a hash of its bytes. */
static void
mail_key(const struct mailmsg *mm, const char *raw, size_t len, char *out,
    size_t cap)
{
	unsigned char h[crypto_hash_sha256_BYTES];
	char hex[crypto_hash_sha256_BYTES * 2 + 1];

	if (mm->message_id[0] != '\0') {
		snprintf(out, cap, "%s", mm->message_id);
		return;
	}
	crypto_hash_sha256(h, (const unsigned char *)raw, len);
	sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
	snprintf(out, cap, "sha256-%s@crm.invalid", hex);
}

/* Receives the attachments' bytes into the documents folder. */
static void
hold_attachments(const struct doc_store *docs, const struct mailmsg *mm,
    struct held *held)
{
	for (size_t i = 0; i < mm->natt; i++) {
		memset(&held[i], 0, sizeof(held[i]));
		held[i].blob.fd = -1;
		if (docs == NULL)
			continue;
		if (mm->att[i].len == 0) {
			snprintf(held[i].why, sizeof(held[i].why), "it is empty");
			continue;
		}
		if (doc_blob_begin(docs, &held[i].blob) != 0) {
			snprintf(held[i].why, sizeof(held[i].why), "the documents "
			    "folder cannot be written");
			continue;
		}
		switch (doc_blob_write(&held[i].blob, mm->att[i].data,
		    mm->att[i].len)) {
		case 0:
			held[i].ok = true;
			break;
		case DOC_ETOOBIG:
			snprintf(held[i].why, sizeof(held[i].why), "larger than the "
			    "documents limit");
			break;
		default:
			snprintf(held[i].why, sizeof(held[i].why), "the documents "
			    "folder cannot be written");
			break;
		}
	}
}

/* Moves past a mail that cannot be imported, audited with the reason. */
static int
skip_one(struct core_ctx *cx, int64_t uidvalidity, int64_t uid,
    const char *key, const char *why)
{
	char reason[sizeof(cx->detail)];
	json_t *detail;
	int rc;

	snprintf(reason, sizeof(reason), "%s", why);
	memset(&cx->errs, 0, sizeof(cx->errs));
	if (db_begin(cx->db) != DB_OK)
		return db_fail(cx, "skip begin");
	rc = core_exec(cx, "UPDATE desk_mailbox SET last_uid = ? WHERE id = 1 AND "
	    "uidvalidity = ? AND last_uid < ?", "iii", uid, uidvalidity, uid);
	detail = json_pack("{s:I, s:s, s:s, s:s}", "uid", (json_int_t)uid,
	    "message_id", key, "outcome", "refused", "reason", reason);
	if (rc == CRM_OK && db_changes(cx->db) == 1)
		rc = audit_append(cx, "desk.mail_skip", "desk_mailbox", 1, detail);
	json_decref(detail);
	return core_txn_end(cx, rc, NULL);
}

/*
 * Reads and writes one fetched mail: raw holds its bytes (only its header
 * when header_only; u->size is the whole mail's) and is freed here, once
 * the mail's key is taken from it.
 */
static int
take_raw(struct core_ctx *cx, const struct mbox *m,
    const struct doc_store *docs, int64_t uidvalidity,
    const struct imap_mail *u, struct buf *raw, bool header_only,
    const char *from_self, char *err, size_t errlen)
{
	struct held held[MAILMSG_ATT_MAX];
	char key[MAILMSG_ID_MAX + 80], why[256], big[300];
	struct mailmsg mm;
	int rc;

	if (mailmsg_parse(raw->data != NULL ? raw->data : "", raw->len, &mm, why,
	    sizeof(why)) != 0) {
		/* Unreadable: recorded as skipped, so it does not block the rest. */
		log_warn("desk mail: UID %lld skipped: %s", (long long)u->uid, why);
		mailmsg_free(&mm);
		memset(&mm, 0, sizeof(mm));
		mm.from_addr = xstrdup("");
		mm.from_name = xstrdup("");
		mm.subject = xstrdup("");
		mm.message_id = xstrdup("");
		mm.text = xstrdup("");
		mm.automatic = true;
	}
	mail_key(&mm, raw->data != NULL ? raw->data : "", raw->len, key,
	    sizeof(key));
	buf_free(raw);
	snprintf(big, sizeof(big), "This mail of %lld bytes is larger than the "
	    "limit of %d bytes: only its header was read. Read it in the "
	    "mailbox (folder %s, UID %lld).", (long long)u->size, MAILMSG_MAX,
	    m->folder, (long long)u->uid);
	hold_attachments(docs, &mm, held);
	rc = import_one(cx, m, docs, uidvalidity, u->uid, &mm, key,
	    header_only ? big : mm.text, held, header_only ? big : NULL,
	    from_self);
	for (size_t i = 0; i < mm.natt; i++)
		doc_blob_abort(&held[i].blob);
	mailmsg_free(&mm);
	if (rc != CRM_OK && rc != CRM_EDB) {
		/* Refused by a rule: recorded and passed over, never blocking. */
		log_warn("desk mail: UID %lld refused: %s", (long long)u->uid,
		    cx->detail);
		rc = skip_one(cx, uidvalidity, u->uid, key, cx->detail);
	}
	if (rc != CRM_OK)
		snprintf(err, errlen, "UID %lld: %s", (long long)u->uid, cx->detail);
	return rc;
}

/* Fetches, reads and writes one mail. */
static int
take_one(struct core_ctx *cx, const struct mbox *m,
    const struct doc_store *docs, int64_t uidvalidity,
    const struct imap_mail *u, const char *from_self, char *err, size_t errlen)
{
	bool header_only = u->size > MAILMSG_MAX;
	struct imap_conf ic = imap_of(m);
	struct buf raw;

	buf_init(&raw, header_only ? 256 * 1024 : MAILMSG_MAX + 1);
	if (imap_fetch(&ic, u->uid, header_only, &raw, err, errlen) != 0) {
		buf_free(&raw);
		return CRM_EUNAVAIL;
	}
	return take_raw(cx, m, docs, uidvalidity, u, &raw, header_only,
	    from_self, err, errlen);
}

/* Records the check's outcome (err NULL: it went well). */
static int
record_check(struct core_ctx *cx, const char *err)
{
	int64_t now = time_now_ms();

	return err == NULL ?
	    core_exec(cx, "UPDATE desk_mailbox SET last_check_at = ?, last_ok_at "
	    "= ?, last_error = NULL WHERE id = 1", "ii", now, now) :
	    core_exec(cx, "UPDATE desk_mailbox SET last_check_at = ?, last_error "
	    "= ? WHERE id = 1", "is", now, err);
}

/*
 * One check of the mailbox as the system: *fetched mails taken, *more
 * when some wait for the next check. Errors of the mail server are
 * recorded in the settings' last_error (CRM_OK); database errors returned.
 */
static int
intake(struct core_ctx *outer, const struct mbox *m,
    const struct doc_store *docs, int *fetched, bool *more)
{
	struct core_ctx sys, *cx = &sys;
	struct actor system = { 0 };
	struct imap_conf ic = imap_of(m);
	struct imap_mail *list = NULL;
	char err[512] = "";
	const char *from_self = outer->mail != NULL ? outer->mail->from : NULL;
	int64_t uv = 0, last = m->last_uid;
	size_t n = 0;
	int rc = CRM_OK;

	*fetched = 0;
	*more = false;
	core_ctx_init(cx, outer->db, &system);
	cx->mail = outer->mail;
	cx->audit_key = outer->audit_key;
	if (imap_uidvalidity(&ic, &uv, err, sizeof(err)) != 0)
		goto record;
	if (uv != m->uidvalidity) {
		/* A new folder or a rebuilt one: from the start, deduped by id. */
		if (m->uidvalidity != 0)
			log_warn("desk mail: UIDVALIDITY of %s changed (%lld to %lld): "
			    "reading it again from the start", m->folder,
			    (long long)m->uidvalidity, (long long)uv);
		rc = core_exec(cx, "UPDATE desk_mailbox SET uidvalidity = ?, "
		    "last_uid = 0 WHERE id = 1", "i", uv);
		if (rc != CRM_OK)
			goto out;
		last = 0;
	}
	if (imap_list(&ic, last, DESK_MAIL_PER_RUN, &list, &n, more, err,
	    sizeof(err)) != 0)
		goto record;
	for (size_t i = 0; i < n; i++) {
		rc = take_one(cx, m, docs, uv, &list[i], from_self, err,
		    sizeof(err));
		if (rc == CRM_EUNAVAIL) {
			rc = CRM_OK;
			goto record;	/* the server: err says why */
		}
		if (rc != CRM_OK) {
			imap_seen(&ic, list[i].uid, false);
			goto out;
		}
		(*fetched)++;
		imap_seen(&ic, list[i].uid, true);
	}
	err[0] = '\0';
record:
	if (err[0] != '\0')
		log_warn("desk mail: %s", err);
	rc = record_check(cx, err[0] != '\0' ? err : NULL);
out:
	free(list);
	if (rc != CRM_OK)
		memcpy(outer->detail, cx->detail, sizeof(outer->detail));
	return rc;
}

int
desk_mail_take(struct core_ctx *outer, const struct doc_store *docs,
    int64_t uid, const char *raw, size_t len)
{
	struct core_ctx sys, *cx = &sys;
	struct actor system = { 0 };
	struct imap_mail u = { uid, (int64_t)len };
	char err[512] = "";
	struct mbox m;
	struct buf b;
	int rc = mbox_load(outer, &m);

	if (rc != CRM_OK)
		return rc;
	core_ctx_init(cx, outer->db, &system);
	cx->mail = outer->mail;
	cx->audit_key = outer->audit_key;
	buf_init(&b, len + 1);
	if (len > 0 && buf_append(&b, raw, len) != 0) {
		buf_free(&b);
		return core_fail(outer, CRM_EDB, "Out of memory");
	}
	rc = take_raw(cx, &m, docs, m.uidvalidity, &u, &b, false,
	    outer->mail != NULL ? outer->mail->from : NULL, err, sizeof(err));
	sodium_memzero(m.pass, sizeof(m.pass));
	if (rc != CRM_OK)
		memcpy(outer->detail, cx->detail, sizeof(outer->detail));
	return rc;
}

int
desk_mailbox_check(struct core_ctx *cx, const struct doc_store *docs,
    json_t **out)
{
	struct mbox m;
	bool more;
	int fetched = 0, rc;

	*out = NULL;
	rc = core_admin_only(cx, "checking the service desk's mailbox");
	if (rc == CRM_OK)
		rc = mbox_load(cx, &m);
	if (rc != CRM_OK)
		return rc;
	if (m.url[0] == '\0' || m.user[0] == '\0')
		return core_fail(cx, CRM_EINUSE, "No mailbox is set up: give "
		    "imap_url, username and password first");
	rc = intake(cx, &m, docs, &fetched, &more);
	if (rc == CRM_OK)
		rc = audit_event(cx, "desk_mailbox.check", "desk_mailbox", 1, NULL);
	if (rc == CRM_OK)
		rc = mbox_json(cx, out);
	if (rc == CRM_OK) {
		json_object_set_new(*out, "fetched", json_integer(fetched));
		json_object_set_new(*out, "more", json_boolean(more));
	}
	sodium_memzero(m.pass, sizeof(m.pass));
	return rc;
}

int
desk_mail_job_run(struct core_ctx *cx, int64_t *again, char *err,
    size_t errlen)
{
	int64_t now = time_now_ms();
	struct mbox m;
	bool more = false;
	int fetched = 0, rc = mbox_load(cx, &m);

	if (rc == CRM_OK && m.enabled && m.url[0] != '\0')
		rc = intake(cx, &m, cx->mail != NULL ? cx->mail->docs : NULL,
		    &fetched, &more);
	sodium_memzero(m.pass, sizeof(m.pass));
	if (rc != CRM_OK) {
		snprintf(err, errlen, "%s", cx->detail);
		return rc;
	}
	/* Disabled: settings that enable it arm the job again (arm_job). */
	*again = !m.enabled ? now + DISABLED_RECHECK_MS : more ? now + 1000 :
	    now + m.poll_seconds * 1000;
	return CRM_OK;
}

/* ---- answers ---- */

int
desk_mail_answer(struct core_ctx *cx, int64_t id, json_t *t, int64_t mid,
    const char *body)
{
	const char *subject = json_string_value(json_object_get(t, "subject"));
	const char *to = json_string_value(json_object_get(t, "email"));
	const char *from = cx->mail != NULL && cx->mail->from != NULL ?
	    cx->mail->from : "", *at = strchr(from, '@');
	char token[40], own[MAILMSG_ID_MAX], rnd[17], *subj, *cut;
	unsigned char r[8];
	struct buf refs, irt;
	struct mail_thread th;
	db_stmt_t *st;
	size_t count = 0, slen;
	int rc;

	if (subject == NULL || to == NULL)
		return CRM_OK;
	snprintf(token, sizeof(token), " [#T-%lld]", (long long)id);
	/* Cut first, so the token survives the outbox's subject limit. */
	cut = cut_chars(subject, MAIL_SUBJECT_MAX - sizeof(token) - 5);
	slen = strlen(cut) + sizeof(token) + 8;
	subj = xmalloc(slen);
	snprintf(subj, slen, "%s%s%s", strncasecmp(cut, "Re:", 3) == 0 ? "" :
	    "Re: ", cut, desk_mail_subject_ticket(cut) == id ? "" : token);
	free(cut);
	randombytes_buf(r, sizeof(r));
	sodium_bin2hex(rnd, sizeof(rnd), r, sizeof(r));
	snprintf(own, sizeof(own), "crm-t%lld-m%lld-%s@%s", (long long)id,
	    (long long)mid, rnd, at != NULL && at[1] != '\0' &&
	    strlen(at + 1) < 100 ? at + 1 : "crm.invalid");
	/* The thread: the latest received mail answered, all named. */
	buf_init(&refs, MAIL_THREAD_HDR_MAX);
	buf_init(&irt, MAILMSG_ID_MAX + 3);
	if (db_prepare(cx->db, "SELECT message_id, direction FROM "
	    "desk_mail_messages WHERE ticket_id = ? ORDER BY id DESC LIMIT ?",
	    &st) != DB_OK) {
		free(subj);
		return db_fail(cx, "thread");
	}
	db_bind_int(st, 1, id);
	db_bind_int(st, 2, MAIL_REFS_MAX - 1);
	{
		char *ids[MAIL_REFS_MAX];

		while ((rc = db_step(st)) == DB_ROW && count < MAIL_REFS_MAX - 1) {
			const char *mid_s = db_col_text(st, 0, NULL);

			if (irt.len == 0 && strcmp(db_col_text(st, 1, NULL), "in") == 0)
				buf_printf(&irt, "<%s>", mid_s);
			ids[count++] = xstrdup(mid_s);
		}
		/* Oldest first, as References are written. */
		for (size_t i = count; i > 0; i--) {
			buf_printf(&refs, "%s<%s>", refs.len > 0 ? " " : "",
			    ids[i - 1]);
			free(ids[i - 1]);
		}
	}
	db_done(st);
	if (rc != DB_ROW && rc != DB_DONE) {
		free(subj);
		buf_free(&refs);
		buf_free(&irt);
		return db_fail(cx, "thread step");
	}
	{
		char own_hdr[MAILMSG_ID_MAX + 3];

		snprintf(own_hdr, sizeof(own_hdr), "<%s>", own);
		th = (struct mail_thread){ own_hdr, irt.len > 0 ? irt.data : NULL,
		    refs.len > 0 ? refs.data : NULL };
		rc = mail_queue_reply(cx, to, subj, body, &th, NULL);
	}
	if (rc == CRM_OK)
		rc = core_exec(cx, "INSERT INTO desk_mail_messages (message_id, "
		    "ticket_id, ticket_message_id, direction, created_at) VALUES "
		    "(?, ?, ?, 'out', ?)", "siii", own, id, mid, time_now_ms());
	free(subj);
	buf_free(&refs);
	buf_free(&irt);
	return rc;
}
