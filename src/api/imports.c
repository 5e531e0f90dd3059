/*
 * Imports over HTTP (core/import.h): the upload (multipart/form-data: one
 * part named file, and the small fields entity, encoding, delimiter and
 * sheet, which may also come as query parameters), the fields a column can
 * be mapped to, the mapping and options, the dry run and the run (202: a
 * job; GET shows the progress), the history, the error file and undo.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "api/internal.h"
#include "core/documents.h"
#include "core/import.h"
#include "util/alloc.h"
#include "util/multipart.h"

#define FIELD_MAX 64		/* bytes of a small form field */

enum { IP_NOFIELD, IP_ENTITY, IP_ENCODING, IP_DELIMITER, IP_SHEET, IP_FILE };

struct upload {
	struct doc_blob	 blob;
	int		 part;		/* IP_* of the part being read */
	int		 nfiles;
	int		 blob_rc;
	bool		 toolong;
	char		 filename[MP_FILENAME_MAX];
	char		 fields[IP_FILE][FIELD_MAX + 1];
	size_t		 flen[IP_FILE];
};

enum { UP_TWO_FILES = 1, UP_UNKNOWN = 2, UP_BLOB = 3, UP_LONG = 4 };

static int
up_begin(void *arg, const struct mp_part *part)
{
	static const char *const names[] = { "", "entity", "encoding",
	    "delimiter", "sheet" };
	struct upload *u = arg;

	if (strcmp(part->name, "file") == 0 && part->has_filename) {
		if (++u->nfiles > 1)
			return UP_TWO_FILES;
		memcpy(u->filename, part->filename, sizeof(u->filename));
		u->part = IP_FILE;
		return 0;
	}
	for (int i = IP_ENTITY; i < IP_FILE; i++) {
		if (strcmp(part->name, names[i]) == 0) {
			u->part = i;
			u->flen[i] = 0;
			return 0;
		}
	}
	return UP_UNKNOWN;
}

static int
up_data(void *arg, const char *p, size_t n)
{
	struct upload *u = arg;

	if (u->part == IP_FILE) {
		u->blob_rc = doc_blob_write(&u->blob, p, n);
		return u->blob_rc != 0 ? UP_BLOB : 0;
	}
	if (u->flen[u->part] + n > FIELD_MAX)
		return UP_LONG;
	memcpy(u->fields[u->part] + u->flen[u->part], p, n);
	u->flen[u->part] += n;
	u->fields[u->part][u->flen[u->part]] = '\0';
	return 0;
}

static int
up_end(void *arg)
{
	((struct upload *)arg)->part = IP_NOFIELD;
	return 0;
}

static void
reply_parse(struct call *c, const struct upload *u, const struct mp_parser *mp,
    int rc)
{
	if (rc != MP_ECALLBACK) {
		reply_problem(c, 400, "Malformed upload", "%s", mp_strerror(rc));
		return;
	}
	switch (mp->cb_rc) {
	case UP_TWO_FILES:
		reply_problem(c, 400, "Malformed upload", "Send one file per import");
		break;
	case UP_UNKNOWN:
		reply_problem(c, 400, "Malformed upload", "The form may hold a part "
		    "named file (with a filename) and the fields entity, encoding, "
		    "delimiter and sheet");
		break;
	case UP_LONG:
		reply_problem(c, 400, "Malformed upload", "A form field may be at "
		    "most %d bytes", FIELD_MAX);
		break;
	default:
		reply_blob_failure(c, &u->blob, u->blob_rc);
		break;
	}
}

/* A form field, else the query parameter of the same name, else NULL. */
static const char *
field(struct call *c, const struct upload *u, int which, const char *name)
{
	if (u->fields[which][0] != '\0')
		return u->fields[which];
	return http_query(c->req, name);
}

void
h_import_upload(struct call *c)
{
	static const struct mp_callbacks cb = { up_begin, up_data, up_end };
	const char *ct = http_header(c->req, "Content-Type");
	char boundary[MP_BOUNDARY_MAX + 1];
	struct imp_source src;
	struct mp_parser mp;
	struct upload *u;
	const char *d;
	json_t *out = NULL;
	int rc;

	if (ct == NULL || strncasecmp(ct, "multipart/form-data", 19) != 0) {
		reply_problem(c, 415, NULL, "Send the file as multipart/form-data "
		    "with one part named file");
		return;
	}
	if (mp_boundary(ct, boundary, sizeof(boundary)) != MP_OK) {
		reply_problem(c, 400, "Malformed upload", "The Content-Type must "
		    "name the boundary: multipart/form-data; boundary=...");
		return;
	}
	u = xcalloc(1, sizeof(*u));
	if (doc_blob_begin(c->app->docs, &u->blob) != 0) {
		reply_problem(c, u->blob.err == ENOSPC ? 507 : 500, NULL, "The "
		    "files folder cannot be written (%s); nothing was changed",
		    strerror(u->blob.err));
		free(u);
		return;
	}
	mp_init(&mp, boundary, &cb, u);
	rc = upload_feed(c, &mp);
	memset(&src, 0, sizeof(src));
	src.entity = field(c, u, IP_ENTITY, "entity");
	src.encoding = field(c, u, IP_ENCODING, "encoding");
	src.sheet = field(c, u, IP_SHEET, "sheet");
	d = field(c, u, IP_DELIMITER, "delimiter");
	if (rc != MP_OK) {
		reply_parse(c, u, &mp, rc);
	} else if (u->nfiles == 0) {
		reply_problem(c, 400, "Malformed upload", "The form holds no file "
		    "(a part named file with a filename)");
	} else if (d != NULL && (strlen(d) != 1 || strchr(",;\t|", d[0]) ==
	    NULL)) {
		reply_problem(c, 422, NULL, "delimiter must be one of , ; | or a "
		    "tab");
	} else {
		src.delimiter = d != NULL ? d[0] : 0;
		rc = imp_upload(&c->cx, c->app->docs, &u->blob, u->filename, &src,
		    &out);
		reply_result(c, rc, 201, out);
	}
	doc_blob_abort(&u->blob);
	free(u);
}

void
h_import_admit(struct call *c)
{
	const char *entity = http_query(c->req, "entity");
	int rc;

	/* With the entity named in the query, a refused import costs no disk. */
	if (entity == NULL)
		return;
	rc = imp_may_import(&c->cx, entity);
	if (rc != CRM_OK)
		reply_core(c, rc);
}

void
h_import_fields(struct call *c)
{
	json_t *out = NULL;
	int rc = imp_fields(&c->cx, http_query(c->req, "entity"), &out);

	reply_result(c, rc, 200, out);
}

void
h_import_update(struct call *c)
{
	call_with_id_body(c, imp_update);
}

/* A dry run or a run: started here, done by the job runner; 202 at once. */
static void
start(struct call *c, bool dry)
{
	json_t *out = NULL;
	int rc = imp_start(&c->cx, c->id, dry, true);

	if (rc == CRM_OK)
		rc = imp_get(&c->cx, c->id, &out);
	if (rc == CRM_OK) {
		char loc[64];

		snprintf(loc, sizeof(loc), "/api/v1/imports/%lld", (long long)c->id);
		http_resp_header(c->resp, "Location", loc);
	}
	reply_result(c, rc, 202, out);
}

void
h_import_dry_run(struct call *c)
{
	start(c, true);
}

void
h_import_run(struct call *c)
{
	start(c, false);
}

void
h_import_get(struct call *c)
{
	json_t *out = NULL;
	int rc = imp_get(&c->cx, c->id, &out);

	http_resp_header(c->resp, "Cache-Control", "no-store");
	reply_result(c, rc, 200, out);
}

void
h_import_list(struct call *c)
{
	const char *l = http_query(c->req, "limit");
	json_t *out = NULL;
	int rc = imp_list(&c->cx, l != NULL ? (int)strtol(l, NULL, 10) : 50,
	    &out);

	reply_result(c, rc, 200, out);
}

void
h_import_errors(struct call *c)
{
	char disp[96];
	char *csv = NULL;
	size_t len = 0;
	int rc = imp_errors_csv(&c->cx, c->id, &csv, &len);

	if (rc != CRM_OK) {
		reply_core(c, rc);
		return;
	}
	snprintf(disp, sizeof(disp), "attachment; filename=\"import-%lld-"
	    "errors.csv\"", (long long)c->id);
	c->resp->status = 200;
	c->resp->content_type = "text/csv; charset=utf-8";
	c->resp->len = len;
	c->resp->body = csv;
	http_resp_header(c->resp, "Content-Disposition", disp);
	http_resp_header(c->resp, "Cache-Control", "no-store");
}

void
h_import_undo(struct call *c)
{
	json_t *out = NULL;
	int rc = imp_undo(&c->cx, c->id, &out);

	reply_result(c, rc, 200, out);
}
