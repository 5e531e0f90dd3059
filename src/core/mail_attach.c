/*
 * The files of an outbox mail (core/mail.h, "attachments"): written into
 * mail_attachments beside the mail in the caller's transaction, read back
 * by the sender, and laid out as a multipart/mixed message (RFC 2046): the
 * text part first, then each file base64-encoded in lines of 76. The
 * content is stored already base64-encoded, so the sender only cuts it
 * into lines.
 */
#include "core/mail.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"
#include "util/log.h"

#define B64_LINE 76

static int
db_fail(struct core_ctx *cx, const char *what)
{
	log_error("database: mail attachment %s: %s", what, db_errmsg(cx->db));
	return core_fail(cx, CRM_EDB, "The database failed; nothing was changed");
}

/* A file name safe inside a quoted header parameter. */
static bool
name_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > MAIL_FILENAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] < 0x20 || s[i] > 0x7e || s[i] == '"' || s[i] == '/' ||
		    s[i] == '\\')
			return false;
	return true;
}

/*
 * "type/subtype" of token characters, then optionally parameters such as
 * "; charset=utf-8" of token characters, spaces and '=' (no quotes, so
 * nothing can close the header's own name="..." parameter).
 */
static bool
ctype_ok(const char *s)
{
	const char *semi = strchr(s, ';');
	size_t n = semi != NULL ? (size_t)(semi - s) : strlen(s), slash = 0;

	if (n == 0 || strlen(s) > 100)
		return false;
	for (const char *p = semi; p != NULL && *p != '\0'; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr(".+-;= ", *p) != NULL))
			return false;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '/')
			slash++;
		else if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' &&
		    s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') ||
		    strchr(".+-", s[i]) != NULL))
			return false;
	}
	return slash == 1 && s[0] != '/' && s[n - 1] != '/';
}

int
mail_queue_attach(struct core_ctx *cx, int64_t id, const char *name,
    const char *ctype, const void *data, size_t len)
{
	int64_t count = 0, total = 0;
	size_t elen;
	db_stmt_t *st;
	char *b64;
	int rc;

	if (name == NULL || !name_ok(name) || ctype == NULL || !ctype_ok(ctype)) {
		verrs_add(&cx->errs, "attachment", "needs a plain file name and a "
		    "content type");
		return core_invalid(cx);
	}
	if (db_prepare(cx->db, "SELECT COUNT(*), COALESCE(SUM(size), 0) FROM "
	    "mail_attachments WHERE outbox_id = ?", &st) != DB_OK)
		return db_fail(cx, "count");
	db_bind_int(st, 1, id);
	rc = db_step(st);
	if (rc == DB_ROW) {
		count = db_col_int(st, 0);
		total = db_col_int(st, 1);
	}
	db_done(st);
	if (rc != DB_ROW)
		return db_fail(cx, "count step");
	if (count >= MAIL_ATTACH_COUNT_MAX || len > MAIL_ATTACH_MAX ||
	    (int64_t)len > MAIL_ATTACH_MAX - total) {
		verrs_add(&cx->errs, "attachment", "a mail carries at most %d files "
		    "of %d MB in all", MAIL_ATTACH_COUNT_MAX,
		    MAIL_ATTACH_MAX / (1024 * 1024));
		return core_invalid(cx);
	}
	elen = sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_ORIGINAL);
	b64 = xmalloc(elen);
	sodium_bin2base64(b64, elen, data, len, sodium_base64_VARIANT_ORIGINAL);
	if (db_prepare(cx->db, "INSERT INTO mail_attachments (outbox_id, "
	    "filename, content_type, size, content_b64) VALUES (?, ?, ?, ?, ?)",
	    &st) != DB_OK) {
		free(b64);
		return db_fail(cx, "insert");
	}
	db_bind_int(st, 1, id);
	db_bind_text(st, 2, name, strlen(name));
	db_bind_text(st, 3, ctype, strlen(ctype));
	db_bind_int(st, 4, (int64_t)len);
	db_bind_text(st, 5, b64, strlen(b64));
	rc = db_step(st);
	db_done(st);
	free(b64);
	return rc == DB_DONE ? CRM_OK : db_fail(cx, "insert step");
}

int
mail_files_load(struct core_ctx *cx, int64_t id, struct mail_files *out)
{
	db_stmt_t *st;
	size_t cap = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	if (db_prepare(cx->db, "SELECT filename, content_type, content_b64 FROM "
	    "mail_attachments WHERE outbox_id = ? ORDER BY id", &st) != DB_OK)
		return db_fail(cx, "load");
	db_bind_int(st, 1, id);
	while ((rc = db_step(st)) == DB_ROW && out->n < MAIL_ATTACH_COUNT_MAX) {
		struct mail_file *f;

		if (out->n == cap) {
			cap = cap ? cap * 2 : 2;
			out->v = xrealloc(out->v, cap * sizeof(*out->v));
		}
		f = &out->v[out->n++];
		f->name = xstrdup(db_col_text(st, 0, NULL));
		f->ctype = xstrdup(db_col_text(st, 1, NULL));
		f->b64 = xstrdup(db_col_text(st, 2, NULL));
		out->b64_len += strlen(f->b64);
	}
	db_done(st);
	if (rc != DB_DONE && rc != DB_ROW) {
		mail_files_free(out);
		return db_fail(cx, "load step");
	}
	return CRM_OK;
}

void
mail_files_free(struct mail_files *f)
{
	for (size_t i = 0; i < f->n; i++) {
		free(f->v[i].name);
		free(f->v[i].ctype);
		free(f->v[i].b64);
	}
	free(f->v);
	memset(f, 0, sizeof(*f));
}

int
mail_files_open(struct buf *b, const char *boundary)
{
	return buf_printf(b, "Content-Type: multipart/mixed; boundary=\"%s\"\r\n"
	    "\r\nThis is a message in several parts.\r\n--%s\r\n", boundary,
	    boundary);
}

int
mail_files_close(struct buf *b, const char *boundary,
    const struct mail_files *f)
{
	for (size_t i = 0; i < f->n; i++) {
		const char *p = f->v[i].b64;
		size_t left = strlen(p), n;

		if (buf_printf(b, "--%s\r\nContent-Type: %s; name=\"%s\"\r\n"
		    "Content-Disposition: attachment; filename=\"%s\"\r\n"
		    "Content-Transfer-Encoding: base64\r\n\r\n", boundary,
		    f->v[i].ctype, f->v[i].name, f->v[i].name) != 0)
			return -1;
		for (; left > 0; p += n, left -= n) {
			n = left < B64_LINE ? left : B64_LINE;
			if (buf_append(b, p, n) != 0 || buf_puts(b, "\r\n") != 0)
				return -1;
		}
	}
	return buf_printf(b, "--%s--\r\n", boundary);
}
