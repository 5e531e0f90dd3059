/*
 * Documents: files (contracts, offers, scans) attached to a company,
 * contact, deal, activity or ticket.
 *
 * Storage. The bytes live in a folder of their own (struct doc_store; by
 * default files/ next to the SQLite database, which is the folder backups
 * carry), named by their SHA-256: ab/cd/abcd...(64 hex). A file arrives
 * into an unnamed temporary file in that folder (O_TMPFILE: invisible to
 * readers and to backups, gone by itself after a crash; where the file
 * system lacks it, a named .upload-XXXXXX removed on every exit path), is
 * hashed while written, fsync'd, then linked under its hash name, which is
 * atomic and never replaces anything: the same content is stored once, and
 * a name under the folder is always a complete file.
 *
 * Order of a write: the blob is stored first, then the row inserted in a
 * transaction with its audit entry. A crash between the two leaves an
 * unreferenced blob, never a row without its blob. Blobs are never removed
 * by the server: a document deleted goes to the trash (deleted_at) and its
 * bytes stay, so a restore of the row, an old backup of the database or
 * another row with the same content always finds them. (Reclaiming space is
 * a purge of blobs no row names, left to a later maintenance command.)
 *
 * What is accepted. The type comes from the bytes (doc_sniff): PDF, PNG,
 * JPEG, GIF, WebP, UTF-8 text (plain or CSV; not markup), Office Open XML
 * (a zip holding [Content_Types].xml and word/, xl/ or ppt/) and
 * OpenDocument (a zip whose first entry is the mimetype). Executables,
 * scripts, HTML and SVG, other zips and everything else are refused. The
 * claim must agree with the bytes: a name's extension must be one of the
 * type's own, and a declared Content-Type of a known kind must name it
 * ("disguised" files are refused). The name is display text only
 * (doc_name_clean): it never reaches the file system.
 *
 * Rights: attaching and deleting take the update right on the record,
 * listing and reading its read right (core/access.c); a download is
 * audited as document.download.
 */
#ifndef CORE_DOCUMENTS_H
#define CORE_DOCUMENTS_H

#include <jansson.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/core.h"
#include "core/record.h"

#define DOC_PATH_MAX 4096
#define DOC_NAME_MAX 200		/* characters of a display name */
#define DOC_MAX_BYTES_DEFAULT (25LL * 1024 * 1024)
#define DOC_PER_RECORD_DEFAULT 100
#define DOC_SNIFF_HEAD 64		/* bytes kept for doc_sniff */
#define DOC_HASH_HEX 64			/* SHA-256 in hex */

/* Where the blobs live and the limits; filled once at start, then read-only. */
struct doc_store {
	char	 dir[DOC_PATH_MAX];
	int64_t	 max_bytes;		/* of one file */
	int	 max_per_record;	/* live documents of one record */
};

/*
 * Prepares s. With create, makes dir (mode 0700, parents too) when missing
 * and checks that it is a writable folder; without, the folder is made on
 * the first upload (a default the operator did not ask for is not created
 * by merely starting). -1 with a message for the operator in err.
 */
int doc_store_open(struct doc_store *s, const char *dir, int64_t max_bytes,
    int max_per_record, bool create, char *err, size_t errlen);

/* ---- receiving a file ---- */

enum { DOC_ETOOBIG = 1, DOC_EIO = 2 };

/* A file being received; on the caller's stack, released by doc_blob_abort. */
struct doc_blob {
	const struct doc_store	*store;
	int			 fd;		/* -1 when closed */
	char			 tmp[DOC_PATH_MAX];	/* named fallback, or "" */
	int64_t			 size;
	crypto_hash_sha256_state sha;
	unsigned char		 head[DOC_SNIFF_HEAD];
	size_t			 headlen;
	int			 err;		/* errno of a DOC_EIO */
	bool			 committed;
	char			 hash[DOC_HASH_HEX + 1];	/* after commit */
};

/* Opens the temporary file. 0, or DOC_EIO (errno in b->err). */
int doc_blob_begin(const struct doc_store *s, struct doc_blob *b);
/* Appends n bytes: 0, DOC_ETOOBIG past store->max_bytes, or DOC_EIO. */
int doc_blob_write(struct doc_blob *b, const void *p, size_t n);
/*
 * Links the received blob into place under its hash (b->hash): 0, or
 * DOC_EIO. The same content already there is kept as it is.
 */
int doc_blob_commit(struct doc_blob *b);
/* Closes and forgets an uncommitted blob (the temporary file goes). Idempotent. */
void doc_blob_abort(struct doc_blob *b);

/* ---- checks, exposed for their unit tests ---- */

/*
 * The type of the size bytes readable at fd (head: the first of them) as
 * a MIME type (a static string), or NULL with why set to a sentence for
 * the user (executables, markup, unknown binary, a zip that is no office
 * document...).
 */
const char *doc_sniff(int fd, const unsigned char *head, size_t headlen,
    int64_t size, const char **why);

/*
 * The display name of a file name as sent: its last path segment (after /
 * or \), without control and bidirectional formatting characters, leading
 * dots and spaces, trailing dots and spaces; at most DOC_NAME_MAX
 * characters (a long stem is cut, the extension kept). "" when nothing is
 * left. -1 when raw is not valid UTF-8 or out (cap bytes) is too small.
 */
int doc_name_clean(const char *raw, char *out, size_t cap);

/*
 * Whether a file named name (cleaned), declared as ctype ("" or NULL: not
 * declared) may hold bytes of type mime: NULL when it may, else why not.
 * An extension must be one of mime's; no extension claims nothing.
 */
const char *doc_claim_check(const char *name, const char *ctype,
    const char *mime);

/* The blob path of hash under s into out. false when it does not fit. */
bool doc_blob_path(const struct doc_store *s, const char *hash, char *out,
    size_t cap);

/* ---- the records ---- */

/*
 * May the actor attach a document to record id of e (the update right, and
 * room under max_per_record)? Asked before a file is received, so a
 * refused upload costs no disk; doc_attach asks again.
 */
int doc_may_attach(struct core_ctx *cx, const struct doc_store *s,
    const struct entity *e, int64_t id);

/*
 * Stores the received blob and attaches it to record id of e as name
 * (raw, cleaned here) declared as ctype: the type sniffed and checked
 * against the claim (CRM_EINVAL naming "file" or "name"), the blob linked
 * into place, the row and its audit entry (document.create) written in one
 * transaction. *out: the document (see doc_get).
 */
int doc_attach(struct core_ctx *cx, const struct doc_store *s,
    const struct entity *e, int64_t id, struct doc_blob *b, const char *name,
    const char *ctype, json_t **out);
/*
 * doc_attach inside the caller's open write transaction (the caller
 * commits or rolls back): the same checks, the blob linked, the row and
 * its audit entry; *did is the new document. For work that attaches files
 * together with other writes (a mail's attachments with its ticket).
 */
int doc_attach_txn(struct core_ctx *cx, const struct doc_store *s,
    const struct entity *e, int64_t id, struct doc_blob *b, const char *name,
    const char *ctype, int64_t *did);

/*
 * The live documents of record id of e, newest first, or (trashed) those
 * in its trash, the latest deleted first: {"data": [...]}. CRM_ENOTFOUND
 * when the record is not readable.
 */
int doc_list(struct core_ctx *cx, const struct entity *e, int64_t id,
    bool trashed, json_t **out);

/*
 * One document: {"id", "entity", "record_id", "name", "mime", "size",
 * "sha256", "created_at", "created_by"}. CRM_ENOTFOUND when there is no
 * such live document or its record is not readable.
 */
int doc_get(struct core_ctx *cx, int64_t id, json_t **out);

/*
 * Opens document id for download: *fd (the caller closes it) and *out as
 * doc_get, after writing the audit entry document.download; no entry, no
 * bytes.
 */
int doc_open(struct core_ctx *cx, const struct doc_store *s, int64_t id,
    int *fd, json_t **out);

/*
 * Moves document id to the trash (the update right on its record), audited
 * as document.delete.
 */
int doc_delete(struct core_ctx *cx, int64_t id);

/*
 * Takes document id out of the trash, audited as document.restore: the
 * same right as doc_delete, and room on its record (CRM_EINVAL naming
 * "id" when it already holds max_per_record live documents). *out: the
 * document (see doc_get). CRM_ENOTFOUND when it is not in the trash or
 * its record is not readable (a trashed record first needs restoring).
 */
int doc_restore(struct core_ctx *cx, const struct doc_store *s, int64_t id,
    json_t **out);

/* For the timeline: the columns doc_row_json reads, then its JSON. */
#define DOC_COLUMNS "d.id, d.entity, d.record_id, d.name, d.mime, d.size, " \
	"d.hash, d.created_at, d.created_by"
json_t *doc_row_json(db_stmt_t *st);

#endif
