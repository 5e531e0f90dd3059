/*
 * Documents over HTTP: the upload (multipart/form-data with one part named
 * "file", read from the spool file the HTTP layer streamed the body into,
 * parsed by util/multipart.c and streamed again into the store's temporary
 * file, so no body is ever held in memory), the list, the metadata, the
 * download and the delete. Rights, types and names are the core's
 * (core/documents.c).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "api/internal.h"
#include "core/documents.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/multipart.h"

#define READ_CHUNK (64 * 1024)

/* What the parser's callbacks gather. */
struct upload {
	struct doc_blob	 blob;
	int		 nparts;
	int		 blob_rc;	/* doc_blob_write's refusal */
	char		 filename[MP_FILENAME_MAX];
	char		 ctype[MP_CTYPE_MAX];
};

enum { UP_TWO_PARTS = 1, UP_NOT_FILE = 2, UP_BLOB = 3 };

static int
up_begin(void *arg, const struct mp_part *part)
{
	struct upload *u = arg;

	if (++u->nparts > 1)
		return UP_TWO_PARTS;
	if (strcmp(part->name, "file") != 0 || !part->has_filename)
		return UP_NOT_FILE;
	memcpy(u->filename, part->filename, sizeof(u->filename));
	memcpy(u->ctype, part->content_type, sizeof(u->ctype));
	return 0;
}

static int
up_data(void *arg, const char *p, size_t n)
{
	struct upload *u = arg;

	u->blob_rc = doc_blob_write(&u->blob, p, n);
	return u->blob_rc != 0 ? UP_BLOB : 0;
}

static int
up_end(void *arg)
{
	(void)arg;
	return 0;
}

int
upload_feed(struct call *c, struct mp_parser *mp)
{
	const struct http_req *r = c->req;
	char *buf;
	uint64_t off = 0;
	int rc = MP_OK;

	if (r->body_fd < 0) {
		rc = mp_feed(mp, r->body, r->body_len);
		return rc == MP_OK ? mp_finish(mp) : rc;
	}
	buf = xmalloc(READ_CHUNK);
	while (rc == MP_OK && off < r->body_len) {
		ssize_t got = pread(r->body_fd, buf, READ_CHUNK, (off_t)off);

		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break;	/* shorter than announced: the parser says truncated */
		off += (uint64_t)got;
		rc = mp_feed(mp, buf, (size_t)got);
	}
	free(buf);
	return rc == MP_OK ? mp_finish(mp) : rc;
}

/* Answers a parse failure; the blob is aborted by the caller. */
static void
reply_parse(struct call *c, const struct upload *u, const struct mp_parser *mp,
    int rc)
{
	if (rc != MP_ECALLBACK) {
		reply_problem(c, 400, "Malformed upload", "%s", mp_strerror(rc));
		return;
	}
	switch (mp->cb_rc) {
	case UP_TWO_PARTS:
		reply_problem(c, 400, "Malformed upload", "Send one file per "
		    "request: the form may hold one part, named file");
		break;
	case UP_NOT_FILE:
		reply_problem(c, 400, "Malformed upload", "The form's part must "
		    "be named file and carry a filename (Content-Disposition: "
		    "form-data; name=\"file\"; filename=\"...\")");
		break;
	default:
		reply_blob_failure(c, &u->blob, u->blob_rc);
		break;
	}
}

void
reply_blob_failure(struct call *c, const struct doc_blob *b, int blob_rc)
{
	if (blob_rc == DOC_ETOOBIG)
		reply_problem(c, 413, "File too large", "A file may be at most "
		    "%lld bytes (%lld MiB)", (long long)c->app->docs->max_bytes,
		    (long long)(c->app->docs->max_bytes / (1024 * 1024)));
	else
		reply_problem(c, b->err == ENOSPC ? 507 : 500, NULL, "The file "
		    "could not be stored on the server (%s); nothing was changed",
		    strerror(b->err));
}

void
h_doc_upload(struct call *c)
{
	struct doc_blob *b;
	const struct upload *u;
	json_t *out = NULL;
	/* Rights and room first: a refused upload costs no disk. */
	int rc = doc_may_attach(&c->cx, c->app->docs, c->entity, c->id);

	if (rc != CRM_OK) {
		reply_core(c, rc);
		return;
	}
	b = upload_receive(c);
	if (b == NULL)
		return;
	u = (const struct upload *)(const void *)b;
	rc = doc_attach(&c->cx, c->app->docs, c->entity, c->id, b, u->filename,
	    u->ctype, &out);
	reply_result(c, rc, 201, out);
	upload_release(b);
}

struct doc_blob *
upload_receive(struct call *c)
{
	static const struct mp_callbacks cb = { up_begin, up_data, up_end };
	const char *ct = http_header(c->req, "Content-Type");
	char boundary[MP_BOUNDARY_MAX + 1];
	struct mp_parser mp;
	struct upload *u;
	int rc;

	if (ct == NULL || strncasecmp(ct, "multipart/form-data", 19) != 0) {
		reply_problem(c, 415, NULL, "Send the file as multipart/form-data "
		    "with one part named file");
		return NULL;
	}
	if (mp_boundary(ct, boundary, sizeof(boundary)) != MP_OK) {
		reply_problem(c, 400, "Malformed upload", "The Content-Type must "
		    "name the boundary: multipart/form-data; boundary=... (1 to 70 "
		    "letters, digits or '()+_,-./:=?)");
		return NULL;
	}
	u = xcalloc(1, sizeof(*u));
	if (doc_blob_begin(c->app->docs, &u->blob) != 0) {
		reply_problem(c, u->blob.err == ENOSPC ? 507 : 500, NULL, "The "
		    "files folder cannot be written (%s); nothing was changed",
		    strerror(u->blob.err));
		free(u);
		return NULL;
	}
	mp_init(&mp, boundary, &cb, u);
	rc = upload_feed(c, &mp);
	if (rc != MP_OK || u->nparts == 0) {
		if (rc != MP_OK)
			reply_parse(c, u, &mp, rc);
		else
			reply_problem(c, 400, "Malformed upload", "The form holds no "
			    "file");
		upload_release(&u->blob);
		return NULL;
	}
	/* The blob is the first member: upload_release finds the whole. */
	return &u->blob;
}

void
upload_release(struct doc_blob *b)
{
	if (b == NULL)
		return;
	doc_blob_abort(b);
	free((struct upload *)(void *)b);
}

void
h_doc_admit(struct call *c)
{
	int rc = doc_may_attach(&c->cx, c->app->docs, c->entity, c->id);

	if (rc != CRM_OK)
		reply_core(c, rc);
}

void
h_doc_list(struct call *c)
{
	const char *deleted = http_query(c->req, "deleted");
	json_t *out = NULL;
	int rc;

	/* As on the records' collections: deleted=true lists the trash. */
	if (deleted != NULL && strcmp(deleted, "true") != 0 &&
	    strcmp(deleted, "false") != 0) {
		reply_problem(c, 400, NULL, "deleted: must be true or false");
		return;
	}
	rc = doc_list(&c->cx, c->entity, c->id, deleted != NULL &&
	    strcmp(deleted, "true") == 0, &out);
	reply_result(c, rc, 200, out);
}

void
h_doc_get(struct call *c)
{
	json_t *out = NULL;
	int rc = doc_get(&c->cx, c->id, &out);

	reply_result(c, rc, 200, out);
}

void
h_doc_delete(struct call *c)
{
	reply_result(c, doc_delete(&c->cx, c->id), 204, NULL);
}

void
h_doc_restore(struct call *c)
{
	json_t *out = NULL;
	int rc = doc_restore(&c->cx, c->app->docs, c->id, &out);

	reply_result(c, rc, 200, out);
}

static bool
attr_char(unsigned char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	    (ch >= '0' && ch <= '9') || strchr("!#$&+-.^_`|~", ch) != NULL;
}

/*
 * Content-Disposition with the name twice (RFC 6266): filename= an ASCII
 * stand-in (other characters, quotes, backslashes and percent signs as _),
 * filename*= the UTF-8 name percent-encoded (RFC 5987), which browsers use.
 */
static void
disposition(const char *kind, const char *name, char *out, size_t cap)
{
	struct buf b;

	buf_init(&b, cap - 1);
	buf_printf(&b, "%s; filename=\"", kind);
	for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
		if ((*p & 0xc0) == 0x80)
			continue;	/* one _ per character, not per byte */
		buf_putc(&b, *p >= 0x20 && *p < 0x7f && *p != '"' && *p != '\\' &&
		    *p != '%' ? (char)*p : '_');
	}
	buf_puts(&b, "\"; filename*=UTF-8''");
	for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
		if (attr_char(*p))
			buf_putc(&b, (char)*p);
		else
			buf_printf(&b, "%%%02X", *p);
	}
	snprintf(out, cap, "%s", b.data != NULL ? b.data : kind);
	buf_free(&b);
}

void
h_doc_content(struct call *c)
{
	const char *inl = http_query(c->req, "inline");
	bool want_inline = inl != NULL && (strcmp(inl, "1") == 0 ||
	    strcmp(inl, "true") == 0);
	char cd[4096], ctype[160], etag[DOC_HASH_HEX + 3];
	const char *mime;
	json_t *doc = NULL;
	int fd = -1, rc;

	if (inl != NULL && !want_inline && strcmp(inl, "0") != 0 &&
	    strcmp(inl, "false") != 0) {
		reply_problem(c, 400, NULL, "inline: 1 or 0");
		return;
	}
	rc = doc_open(&c->cx, c->app->docs, c->id, &fd, &doc);
	if (rc != CRM_OK) {
		reply_core(c, rc);
		return;
	}
	mime = json_string_value(json_object_get(doc, "mime"));
	if (want_inline && strncmp(mime, "image/", 6) != 0 &&
	    strcmp(mime, "application/pdf") != 0) {
		close(fd);
		json_decref(doc);
		reply_problem(c, 400, NULL, "inline: previews are for images and "
		    "PDF files; download this one as an attachment");
		return;
	}
	snprintf(ctype, sizeof(ctype), "%s%s", mime, strncmp(mime, "text/", 5) ==
	    0 ? "; charset=utf-8" : "");
	disposition(want_inline ? "inline" : "attachment",
	    json_string_value(json_object_get(doc, "name")), cd, sizeof(cd));
	snprintf(etag, sizeof(etag), "\"%s\"",
	    json_string_value(json_object_get(doc, "sha256")));
	c->resp->status = 200;
	c->resp->content_type = NULL;	/* ours is not a static string */
	c->resp->use_fd = true;
	c->resp->fd = fd;
	c->resp->len = (size_t)json_integer_value(json_object_get(doc, "size"));
	http_resp_header(c->resp, "Content-Type", ctype);
	http_resp_header(c->resp, "Content-Disposition", cd);
	http_resp_header(c->resp, "ETag", etag);
	http_resp_header(c->resp, "Cache-Control", "private, no-cache");
	json_decref(doc);
}
