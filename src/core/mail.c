/*
 * The outbox (mail_outbox) and its sender over SMTP with libcurl. See
 * core/mail.h for the guarantees: the row is written with the change, the
 * SMTP conversation happens outside every transaction, and the outcome is
 * recorded in a short one of its own.
 */
#include "core/mail.h"

#include <curl/curl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/audit.h"
#include "core/jobs.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/text.h"
#include "util/timeutil.h"

#define MAIL_MSG_MAX (MAIL_BODY_MAX * 2 + 8192)	/* headers, CRLFs, encoding */
#define BODY_LINE_MAX 900			/* bytes; SMTP allows 998 */

bool
mail_enabled(const struct mail_conf *mc)
{
	return mc != NULL && mc->url != NULL && mc->url[0] != '\0' &&
	    mc->from != NULL && mc->from[0] != '\0';
}

int64_t
mail_backoff_ms(const struct mail_conf *mc, int attempts)
{
	int64_t d = mc != NULL && mc->retry_base_ms > 0 ? mc->retry_base_ms :
	    30000;

	for (int i = 1; i < attempts && d < MAIL_BACKOFF_MAX_MS; i++)
		d *= 2;
	return d < MAIL_BACKOFF_MAX_MS ? d : MAIL_BACKOFF_MAX_MS;
}

static int
db_fail(struct core_ctx *cx, const char *what)
{
	log_error("database: mail %s: %s", what, db_errmsg(cx->db));
	return core_fail(cx, CRM_EDB, "The database failed; nothing was changed");
}

/*
 * A copy of s fit for a header: at most max characters, controls (line
 * breaks above all, which would start a header of the sender's choosing)
 * turned into spaces, an invalid UTF-8 text replaced whole.
 */
static char *
header_text(const char *s, size_t max)
{
	size_t len = strlen(s), n = 0, i;
	char *out;

	if (!text_utf8_valid(s, len))
		return xstrdup("(invalid text)");
	out = xmalloc(len + 1);
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		/* Count characters by their first byte; stop before the max+1st. */
		if ((c & 0xc0) != 0x80 && n++ == max)
			break;
		out[i] = c < 0x20 || c == 0x7f ? ' ' : (char)c;
	}
	out[i] = '\0';
	return out;
}

/*
 * Whether v (NULL: absent) is a list of at most max "<id>" separated by
 * single spaces, each id printable ASCII without spaces or brackets: what
 * may be written into a threading header as it is.
 */
static bool
thread_hdr_ok(const char *v, int max)
{
	int n = 0;

	if (v == NULL)
		return true;
	if (strlen(v) > MAIL_THREAD_HDR_MAX)
		return false;
	while (*v != '\0') {
		if (*v++ != '<' || *v == '>')
			return false;
		while (*v != '>') {
			if ((unsigned char)*v <= 0x20 || (unsigned char)*v >= 0x7f ||
			    *v == '<')
				return false;
			v++;
		}
		v++;
		if (++n > max)
			return false;
		if (*v == ' ' && v[1] != '\0')
			v++;
		else if (*v != '\0')
			return false;
	}
	return n > 0;
}

static void
bind_hdr(db_stmt_t *st, int idx, const char *v)
{
	if (v != NULL)
		db_bind_text(st, idx, v, strlen(v));
	else
		db_bind_null(st, idx);
}

/*
 * The row and its job; th (may be NULL) the threading headers of a reply,
 * each a Message-ID list as written in the header ("<a@b> <c@d>").
 */
static int
queue_row(struct core_ctx *cx, const char *to, const char *subject,
    const char *body, const struct mail_thread *th, int64_t *id)
{
	db_stmt_t *st;
	json_t *payload;
	char *subj;
	size_t blen = strlen(body);
	int64_t now = time_now_ms(), jid, oid;
	int rc;

	if (to == NULL || strlen(to) > MAIL_ADDR_MAX ||
	    !text_is_email(to, strlen(to))) {
		verrs_add(&cx->errs, "to", "is not an email address");
		return core_invalid(cx);
	}
	/* Cut at a character boundary. */
	if (blen > MAIL_BODY_MAX) {
		blen = MAIL_BODY_MAX;
		while (blen > 0 && ((unsigned char)body[blen] & 0xc0) == 0x80)
			blen--;
	}
	if (db_prepare(cx->db, "INSERT INTO mail_outbox (to_addr, subject, body, "
	    "created_at, next_attempt_at, message_id, in_reply_to, "
	    "references_hdr) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
	    &st) != DB_OK)
		return db_fail(cx, "queue");
	subj = header_text(subject, MAIL_SUBJECT_MAX);
	db_bind_text(st, 1, to, strlen(to));
	db_bind_text(st, 2, subj, strlen(subj));
	db_bind_text(st, 3, body, blen);
	db_bind_int(st, 4, now);
	db_bind_int(st, 5, now);
	bind_hdr(st, 6, th != NULL ? th->message_id : NULL);
	bind_hdr(st, 7, th != NULL ? th->in_reply_to : NULL);
	bind_hdr(st, 8, th != NULL ? th->references : NULL);
	rc = db_step(st);
	oid = rc == DB_ROW ? db_col_int(st, 0) : 0;
	db_done(st);
	free(subj);
	if (rc != DB_ROW)
		return db_fail(cx, "queue step");
	payload = json_pack("{s:I}", "outbox_id", (json_int_t)oid);
	rc = job_enqueue(cx, "mail_send", payload, now, NULL, &jid);
	json_decref(payload);
	if (rc == CRM_OK && id != NULL)
		*id = oid;
	return rc;
}

int
mail_queue(struct core_ctx *cx, const char *to, const char *subject,
    const char *body, int64_t *id)
{
	return queue_row(cx, to, subject, body, NULL, id);
}

int
mail_queue_reply(struct core_ctx *cx, const char *to, const char *subject,
    const char *body, const struct mail_thread *th, int64_t *id)
{
	if (th == NULL || !thread_hdr_ok(th->message_id, 1) ||
	    !thread_hdr_ok(th->in_reply_to, 1) ||
	    !thread_hdr_ok(th->references, MAIL_REFS_MAX))
		return core_fail(cx, CRM_EINVAL, "A reply's Message-ID, In-Reply-To "
		    "and References must be <id> lists");
	return queue_row(cx, to, subject, body, th, id);
}

/* ---- sending ---- */

struct upload {
	const char	*data;
	size_t		 len;
	size_t		 off;
};

static size_t
read_cb(char *ptr, size_t size, size_t nmemb, void *arg)
{
	struct upload *u = arg;
	size_t n = size * nmemb;

	if (n > u->len - u->off)
		n = u->len - u->off;
	memcpy(ptr, u->data + u->off, n);
	u->off += n;
	return n;
}

/*
 * The subject; when it is not plain ASCII, as RFC 2047 encoded words of
 * at most 45 bytes of text each (whole characters), on folded lines, so
 * no line comes near SMTP's limit of 998 characters.
 */
#define SUBJECT_WORD 45
static void
put_subject(struct buf *b, const char *subject)
{
	size_t len = strlen(subject), i, n;
	char enc[sodium_base64_ENCODED_LEN(SUBJECT_WORD,
	    sodium_base64_VARIANT_ORIGINAL)];

	for (i = 0; i < len && (unsigned char)subject[i] < 0x80; i++)
		;
	if (i == len) {
		buf_printf(b, "Subject: %s\r\n", subject);
		return;
	}
	buf_puts(b, "Subject:");
	for (i = 0; i < len; i += n) {
		n = len - i < SUBJECT_WORD ? len - i : SUBJECT_WORD;
		while (n > 1 && i + n < len &&
		    ((unsigned char)subject[i + n] & 0xc0) == 0x80)
			n--;
		sodium_bin2base64(enc, sizeof(enc), (const unsigned char *)subject +
		    i, n, sodium_base64_VARIANT_ORIGINAL);
		buf_printf(b, "%s=?UTF-8?B?%s?=", i == 0 ? " " : "\r\n ", enc);
	}
	buf_puts(b, "\r\n");
}

/*
 * The message: headers, then the body with every line ending made CRLF
 * (libcurl does the SMTP dot-stuffing). -1 when it would not fit.
 */
static int
build_message(const struct mail_conf *mc, int64_t id, const char *to,
    const char *subject, const char *body, const struct mail_thread *th,
    const struct mail_files *files, struct buf *b)
{
	char date[64], host[128], boundary[64];
	const char *at = strchr(mc->from, '@');
	time_t now = time(NULL);
	size_t col = 0;
	struct tm tm;

	if (gmtime_r(&now, &tm) == NULL ||
	    strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000", &tm) == 0)
		return -1;
	snprintf(host, sizeof(host), "%s", at != NULL ? at + 1 : "crm.invalid");
	buf_printf(b, "Date: %s\r\nFrom: %s\r\nTo: %s\r\n", date, mc->from, to);
	put_subject(b, subject);
	if (th->message_id != NULL)
		buf_printf(b, "Message-ID: %s\r\n", th->message_id);
	else
		buf_printf(b, "Message-ID: <crm-%lld-%lld@%s>\r\n", (long long)id,
		    (long long)time_now_ms(), host);
	if (th->in_reply_to != NULL)
		buf_printf(b, "In-Reply-To: %s\r\n", th->in_reply_to);
	/* One id a line (folded), so no line nears SMTP's limit. */
	if (th->references != NULL) {
		buf_puts(b, "References: ");
		for (const char *p = th->references; *p != '\0'; p++)
			if (*p == ' ')
				buf_puts(b, "\r\n ");
			else
				buf_putc(b, *p);
		buf_puts(b, "\r\n");
	}
	buf_puts(b, "MIME-Version: 1.0\r\n");
	/* "=_" never occurs in base64, so no file's line can end a part. */
	snprintf(boundary, sizeof(boundary), "=_crm_%lld_%u", (long long)id,
	    (unsigned)randombytes_random());
	if (files->n > 0 && mail_files_open(b, boundary) != 0)
		return -1;
	buf_puts(b, "Content-Type: text/plain; charset=UTF-8\r\n"
	    "Content-Transfer-Encoding: 8bit\r\n\r\n");
	/* Lines longer than SMTP allows are broken, between characters. */
	for (const char *p = body; *p != '\0'; p++) {
		if (*p == '\r')
			continue;
		if (*p == '\n') {
			buf_putc(b, '\r');
			col = 0;
		} else if (col >= BODY_LINE_MAX && ((unsigned char)*p & 0xc0) != 0x80) {
			buf_puts(b, "\r\n");
			col = 0;
		}
		buf_putc(b, *p);
		col++;
	}
	if (buf_puts(b, "\r\n") != 0)
		return -1;
	return files->n > 0 ? mail_files_close(b, boundary, files) : 0;
}

/* One SMTP conversation. 0, or -1 with libcurl's reason in err. */
static int
smtp_send(const struct mail_conf *mc, int64_t id, const char *to,
    const char *subject, const char *body, const struct mail_thread *th,
    const struct mail_files *files, char *err, size_t errlen)
{
	char ebuf[CURL_ERROR_SIZE] = "", from[MAIL_ADDR_MAX + 3],
	    rcpt[MAIL_ADDR_MAX + 3];
	struct curl_slist *list = NULL;
	struct upload u;
	struct buf msg;
	CURLcode cc;
	CURL *h;
	int rc = -1;

	/* Files: their base64, a CRLF per 76 characters, their parts' headers. */
	buf_init(&msg, MAIL_MSG_MAX + files->b64_len + files->b64_len / 38 +
	    files->n * 1024);
	if (build_message(mc, id, to, subject, body, th, files,
	    &msg) != 0) {
		snprintf(err, errlen, "the message is too large to send");
		buf_free(&msg);
		return -1;
	}
	snprintf(from, sizeof(from), "<%s>", mc->from);
	snprintf(rcpt, sizeof(rcpt), "<%s>", to);
	h = curl_easy_init();
	list = curl_slist_append(NULL, rcpt);
	if (h == NULL || list == NULL) {
		snprintf(err, errlen, "libcurl could not start");
		goto out;
	}
	u = (struct upload){ msg.data, msg.len, 0 };
	/* Each setopt can only fail for an unknown option or no memory. */
	curl_easy_setopt(h, CURLOPT_URL, mc->url);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	curl_easy_setopt(h, CURLOPT_MAIL_FROM, from);
	curl_easy_setopt(h, CURLOPT_MAIL_RCPT, list);
	curl_easy_setopt(h, CURLOPT_READFUNCTION, read_cb);
	curl_easy_setopt(h, CURLOPT_READDATA, &u);
	curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, ebuf);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, 10000L);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)(mc->timeout_ms > 0 ?
	    mc->timeout_ms : 60000));
	/*
	 * STARTTLS when the server offers it; with --smtp-starttls a server
	 * that does not is refused (a man in the middle can strip the offer).
	 */
	curl_easy_setopt(h, CURLOPT_USE_SSL, mc->starttls ? (long)CURLUSESSL_ALL :
	    (long)CURLUSESSL_TRY);
	if (mc->user != NULL && mc->user[0] != '\0') {
		curl_easy_setopt(h, CURLOPT_USERNAME, mc->user);
		curl_easy_setopt(h, CURLOPT_PASSWORD, mc->password != NULL ?
		    mc->password : "");
	}
	cc = curl_easy_perform(h);
	if (cc != CURLE_OK) {
		snprintf(err, errlen, "%s%s%s", curl_easy_strerror(cc),
		    ebuf[0] ? ": " : "", ebuf);
		goto out;
	}
	rc = 0;
out:
	curl_slist_free_all(list);
	if (h != NULL)
		curl_easy_cleanup(h);
	buf_free(&msg);
	return rc;
}

/* Records an attempt's outcome in a transaction of its own. */
static int
record_attempt(struct core_ctx *cx, int64_t id, int attempts, const char *error,
    int64_t next_at, bool give_up)
{
	db_stmt_t *st;
	int64_t now = time_now_ms();
	int rc;

	if (db_begin(cx->db) != DB_OK)
		return db_fail(cx, "record begin");
	if (db_prepare(cx->db, error == NULL ?
	    "UPDATE mail_outbox SET attempts = ?, sent_at = ?, last_error = NULL "
	    "WHERE id = ? AND sent_at IS NULL" : give_up ?
	    "UPDATE mail_outbox SET attempts = ?, failed_at = ?, last_error = ? "
	    "WHERE id = ? AND sent_at IS NULL" :
	    "UPDATE mail_outbox SET attempts = ?, next_attempt_at = ?, "
	    "last_error = ? WHERE id = ? AND sent_at IS NULL", &st) != DB_OK) {
		db_rollback(cx->db);
		return db_fail(cx, "record");
	}
	db_bind_int(st, 1, attempts);
	db_bind_int(st, 2, error == NULL || give_up ? now : next_at);
	if (error != NULL) {
		db_bind_text(st, 3, error, strlen(error));
		db_bind_int(st, 4, id);
	} else {
		db_bind_int(st, 3, id);
	}
	rc = db_step(st);
	db_done(st);
	if (rc != DB_DONE || db_commit(cx->db) != DB_OK) {
		db_rollback(cx->db);
		return db_fail(cx, "record step");
	}
	return CRM_OK;
}

int
mail_job_run(struct core_ctx *cx, json_t *payload, int64_t *again, char *err,
    size_t errlen)
{
	json_int_t id = json_integer_value(json_object_get(payload, "outbox_id"));
	const struct mail_conf *mc = cx->mail;
	struct mail_files files = { NULL, 0, 0 };
	char *to = NULL, *subject = NULL, *body = NULL, why[512];
	char *hdr[3] = { NULL, NULL, NULL };
	struct mail_thread th;
	int64_t next_at = 0, now = time_now_ms();
	bool done = false;
	db_stmt_t *st;
	int attempts = 0, rc;

	/* A read of its own: no transaction is open during the conversation. */
	if (db_prepare(cx->db, "SELECT to_addr, subject, body, attempts, "
	    "next_attempt_at, CASE WHEN sent_at IS NULL AND failed_at IS NULL "
	    "THEN 0 ELSE 1 END, message_id, in_reply_to, references_hdr FROM "
	    "mail_outbox WHERE id = ?", &st) != DB_OK) {
		snprintf(err, errlen, "%s", db_errmsg(cx->db));
		return CRM_EDB;
	}
	db_bind_int(st, 1, id);
	rc = db_step(st);
	if (rc == DB_ROW) {
		to = xstrdup(db_col_text(st, 0, NULL));
		subject = xstrdup(db_col_text(st, 1, NULL));
		body = xstrdup(db_col_text(st, 2, NULL));
		attempts = (int)db_col_int(st, 3);
		next_at = db_col_int(st, 4);
		done = db_col_int(st, 5) != 0;
		for (int k = 0; k < 3; k++)
			if (!db_col_null(st, 6 + k))
				hdr[k] = xstrdup(db_col_text(st, 6 + k, NULL));
	}
	db_done(st);
	if (rc != DB_ROW && rc != DB_DONE) {
		snprintf(err, errlen, "%s", db_errmsg(cx->db));
		return CRM_EDB;
	}
	rc = CRM_OK;
	th = (struct mail_thread){ hdr[0], hdr[1], hdr[2] };
	if (to == NULL || done)
		goto out;		/* gone, sent or given up: nothing to do */
	if (next_at > now) {
		*again = next_at;
		goto out;
	}
	if (!mail_enabled(mc)) {
		/*
		 * This server has no SMTP settings (another one may): wait
		 * without spending an attempt, so configuring it later sends.
		 */
		snprintf(why, sizeof(why), "SMTP is not configured on this server "
		    "(crm serve --smtp-url, --smtp-from)");
		*again = now + MAIL_UNCONFIGURED_RETRY_MS;
		rc = record_attempt(cx, id, attempts, why, *again, false);
		goto out;
	}
	rc = mail_files_load(cx, id, &files);
	if (rc != CRM_OK)
		goto out;
	attempts++;
	if (smtp_send(mc, id, to, subject, body, &th, &files, why,
	    sizeof(why)) == 0) {
		rc = record_attempt(cx, id, attempts, NULL, 0, false);
		log_info("mail %lld sent to %s", (long long)id, to);
		goto out;
	}
	if (attempts >= mc->max_attempts) {
		log_warn("mail %lld to %s failed for good after %d attempts: %s",
		    (long long)id, to, attempts, why);
		rc = record_attempt(cx, id, attempts, why, 0, true);
		goto out;
	}
	*again = now + mail_backoff_ms(mc, attempts);
	log_warn("mail %lld to %s: attempt %d failed (%s); again in %lld ms",
	    (long long)id, to, attempts, why, (long long)(*again - now));
	rc = record_attempt(cx, id, attempts, why, *again, false);
out:
	if (rc != CRM_OK)
		snprintf(err, errlen, "%s", cx->detail);
	free(to);
	free(subject);
	free(body);
	mail_files_free(&files);
	for (int k = 0; k < 3; k++)
		free(hdr[k]);
	return rc;
}

/* ---- the administrator's view ---- */

/* The URL as shown: without user:password@ should one be written there. */
static json_t *
url_shown(const char *url)
{
	const char *scheme = strstr(url, "://"), *at;
	char out[512];

	if (scheme == NULL)
		return json_string("(not a URL)");
	at = strchr(scheme + 3, '@');
	if (at == NULL || (strchr(scheme + 3, '/') != NULL &&
	    strchr(scheme + 3, '/') < at))
		at = scheme + 2;
	snprintf(out, sizeof(out), "%.*s://%s", (int)(scheme - url), url, at + 1);
	return json_string(out);
}

int
mail_status(struct core_ctx *cx, json_t **out)
{
	db_stmt_t *st;
	json_t *o, *recent;
	int rc;

	rc = core_admin_only(cx, "the mail outbox");
	if (rc != CRM_OK)
		return rc;
	o = json_object();
	json_object_set_new(o, "configured", json_boolean(mail_enabled(cx->mail)));
	json_object_set_new(o, "url", mail_enabled(cx->mail) ?
	    url_shown(cx->mail->url) : json_null());
	json_object_set_new(o, "from", mail_enabled(cx->mail) ?
	    json_string(cx->mail->from) : json_null());
	if (db_prepare(cx->db, "SELECT "
	    "COALESCE(SUM(CASE WHEN sent_at IS NULL AND failed_at IS NULL THEN 1 "
	    "ELSE 0 END), 0), "
	    "COALESCE(SUM(CASE WHEN sent_at IS NOT NULL THEN 1 ELSE 0 END), 0), "
	    "COALESCE(SUM(CASE WHEN failed_at IS NOT NULL THEN 1 ELSE 0 END), 0), "
	    "(SELECT last_error FROM mail_outbox WHERE last_error IS NOT NULL "
	    "ORDER BY id DESC LIMIT 1) FROM mail_outbox", &st) != DB_OK) {
		json_decref(o);
		return db_fail(cx, "status");
	}
	rc = db_step(st);
	if (rc == DB_ROW) {
		json_object_set_new(o, "queued", json_integer(db_col_int(st, 0)));
		json_object_set_new(o, "sent", json_integer(db_col_int(st, 1)));
		json_object_set_new(o, "failed", json_integer(db_col_int(st, 2)));
		json_object_set_new(o, "last_error", db_col_null(st, 3) ?
		    json_null() : json_string(db_col_text(st, 3, NULL)));
	}
	db_done(st);
	if (rc != DB_ROW) {
		json_decref(o);
		return db_fail(cx, "status step");
	}
	if (db_prepare(cx->db, "SELECT id, to_addr, subject, attempts, created_at, "
	    "next_attempt_at, sent_at, failed_at, last_error FROM mail_outbox "
	    "ORDER BY id DESC LIMIT ?", &st) != DB_OK) {
		json_decref(o);
		return db_fail(cx, "recent");
	}
	db_bind_int(st, 1, MAIL_RECENT);
	recent = json_array();
	while ((rc = db_step(st)) == DB_ROW) {
		json_t *m = json_object();

		json_object_set_new(m, "id", json_integer(db_col_int(st, 0)));
		json_object_set_new(m, "to", json_string(db_col_text(st, 1, NULL)));
		json_object_set_new(m, "subject", json_string(db_col_text(st, 2,
		    NULL)));
		json_object_set_new(m, "status", json_string(!db_col_null(st, 6) ?
		    "sent" : !db_col_null(st, 7) ? "failed" : "queued"));
		json_object_set_new(m, "attempts", json_integer(db_col_int(st, 3)));
		json_object_set_new(m, "created_at", core_col_time(st, 4));
		json_object_set_new(m, "next_attempt_at", db_col_null(st, 6) &&
		    db_col_null(st, 7) ? core_col_time(st, 5) : json_null());
		json_object_set_new(m, "sent_at", core_col_time(st, 6));
		json_object_set_new(m, "last_error", db_col_null(st, 8) ?
		    json_null() : json_string(db_col_text(st, 8, NULL)));
		json_array_append_new(recent, m);
	}
	db_done(st);
	json_object_set_new(o, "recent", recent);
	if (rc != DB_DONE) {
		json_decref(o);
		return db_fail(cx, "recent step");
	}
	*out = o;
	return CRM_OK;
}

int
mail_test(struct core_ctx *cx, json_t *in, json_t **out)
{
	const char *to = json_string_value(json_object_get(in, "to"));
	const char *key;
	json_t *v, *detail;
	int64_t id = 0;
	int rc;

	rc = core_admin_only(cx, "sending a test mail");
	if (rc != CRM_OK)
		return rc;
	json_object_foreach(in, key, v)
		if (strcmp(key, "to") != 0)
			verrs_add(&cx->errs, key, "is not a field of a test mail "
			    "(only to)");
	if (to == NULL || strlen(to) > MAIL_ADDR_MAX ||
	    !text_is_email(to, strlen(to)))
		verrs_add(&cx->errs, "to", "must be an email address");
	if (cx->errs.n > 0)
		return core_invalid(cx);
	if (!mail_enabled(cx->mail))
		return core_fail(cx, CRM_EUNAVAIL, "SMTP is not configured: start "
		    "crm serve with --smtp-url and --smtp-from");
	if (db_begin(cx->db) != DB_OK)
		return db_fail(cx, "test begin");
	rc = mail_queue(cx, to, "CRM test mail", "This is a test mail from the "
	    "CRM server.\n\nIf you can read it, the SMTP settings work.\n", &id);
	if (rc == CRM_OK) {
		detail = json_pack("{s:s}", "to", to);
		rc = audit_append(cx, "mail.test", "mail_outbox", id, detail);
		json_decref(detail);
	}
	*out = rc == CRM_OK ? json_pack("{s:I,s:s,s:s}", "id", (json_int_t)id,
	    "to", to, "status", "queued") : NULL;
	return core_txn_end(cx, rc, out);
}
