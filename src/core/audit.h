/*
 * The audit log: one append-only, tamper-evident record of every action.
 *
 * Each entry is written in the same transaction as the change it records
 * (audit_append), or in a transaction of its own for events that change
 * nothing else, such as a failed sign-in (audit_event). Each entry carries
 * a BLAKE2b-256 hash over its content and the previous entry's hash, and
 * ids follow each other without gaps, so a changed, removed, inserted or
 * reordered entry breaks the chain. Recomputing the whole chain after a
 * change is what checkpoints catch: at most every AUDIT_CHECKPOINT_MS the
 * server signs the chain's head with an Ed25519 key kept in a file outside
 * the database (audit_key_load), and audit_verify checks every signature
 * against that key's public half.
 *
 * Actions are dotted names ("record.update", "auth.login_failed"); detail
 * is a JSON object (for updates {"changes": {field: [old, new]}}).
 */
#ifndef CORE_AUDIT_H
#define CORE_AUDIT_H

#include <jansson.h>
#include <sodium.h>

#include "core/core.h"

#define AUDIT_CHECKPOINT_MS (10LL * 60 * 1000)
#define AUDIT_HASH_HEX 65	/* 32 bytes as hex, NUL */
#define AUDIT_DETAIL_MAX (64 * 1024)	/* bytes of detail JSON kept */

/* The signing key: its secret half signs checkpoints, the public verifies. */
struct audit_key {
	unsigned char	sk[crypto_sign_SECRETKEYBYTES];
	unsigned char	pk[crypto_sign_PUBLICKEYBYTES];
	bool		has_secret;	/* false: a public key, for verifying only */
};

/*
 * Reads the key file at path: lines "public HEX" and, unless it is only
 * for verifying, "secret HEX". With create set and no file there, makes a
 * new key pair and writes it (mode 0600, never over an existing file).
 * -1 with a reason in err on failure.
 */
int audit_key_load(const char *path, bool create, struct audit_key *key,
    char *err, size_t errlen);

/*
 * Appends an entry for cx->actor inside the caller's open write
 * transaction (without one open, in a transaction of its own). entity/record_id may be NULL/0; detail may be NULL (an
 * empty object); it is borrowed. Signs a checkpoint too when one is due
 * and cx->audit_key holds a secret key.
 */
int audit_append(struct core_ctx *cx, const char *action, const char *entity,
    int64_t record_id, json_t *detail);

/* The same in a transaction of its own (events that change nothing else). */
int audit_event(struct core_ctx *cx, const char *action, const char *entity,
    int64_t record_id, json_t *detail);

/*
 * {"changes": {field: [old, new]}} between two versions of a record (new
 * reference), custom values as "custom.<key>"; NULL when nothing changed.
 */
json_t *audit_diff(json_t *before, json_t *after);

/* Signs a checkpoint of the chain's head now (with cx->audit_key). */
int audit_checkpoint(struct core_ctx *cx);

/*
 * Walks the whole chain and every checkpoint. *out (new reference) is
 * {"ok": bool, "entries": n, "checkpoints": n, "problems": [text...]},
 * the first problem naming the first entry that was changed, removed or
 * inserted. key may be NULL: then signatures are not checked (and the
 * result says so). For administrators (and the command line).
 */
int audit_verify(struct core_ctx *cx, const struct audit_key *key,
    json_t **out);

/*
 * Retention: moves the entries older than before_ms (up to the last one
 * signed by a checkpoint made now) out of the database. Each line goes to
 * emit (the caller writes the file: a JSON header line, then one JSON
 * entry per line; see audit_archive_check), then, only when every emit
 * succeeded, the entries are deleted and a signed anchor records where
 * the chain now starts, in one transaction. file names the archive in the
 * anchor. *moved is the number of entries archived (0: nothing to do).
 */
typedef int (*audit_emit_fn)(void *arg, const char *line, size_t len);
int audit_archive(struct core_ctx *cx, int64_t before_ms, const char *file,
    audit_emit_fn emit, void *arg, int64_t *moved);

/*
 * Checks an archive read back line by line: next(arg, &line, &len) gives
 * each line (0), the end (1) or an error (-1). *out as audit_verify's.
 */
typedef int (*audit_next_fn)(void *arg, const char **line, size_t *len);
int audit_archive_check(const struct audit_key *key, audit_next_fn next,
    void *arg, json_t **out);

/* Filters of the audit screen; NULL/0 members do not filter. */
struct audit_query {
	int64_t		 actor_id;
	const char	*action;	/* exact, or a prefix ending in '.' */
	const char	*entity;
	int64_t		 record_id;
	const char	*address;
	int64_t		 from_ms;	/* inclusive */
	int64_t		 to_ms;		/* exclusive */
	int64_t		 before_id;	/* paging: entries older than this id */
	int		 limit;		/* 1..500 */
};

/*
 * The audit screen, for administrators: entries matching q, newest first,
 * {"data": [...], "next_cursor"}.
 */
int audit_list(struct core_ctx *cx, const struct audit_query *q, json_t **out);

/*
 * One record's history, the same way, for whoever the role gives the
 * audit right on it (CRM_ENOTFOUND when it is hidden, CRM_EFORBIDDEN
 * without the right); fields the role hides are left out. q's entity and
 * record_id are ignored.
 */
struct entity;
int audit_history(struct core_ctx *cx, const struct entity *e, int64_t id,
    const struct audit_query *q, json_t **out);

/* One entry as read back; text members are borrowed for one callback. */
struct audit_row {
	int64_t		 id;
	int64_t		 at;		/* milliseconds UTC */
	int64_t		 actor_id;	/* 0: none */
	const char	*actor_email;	/* NULL: none */
	const char	*action;
	const char	*entity;	/* NULL: none */
	int64_t		 record_id;	/* 0: none */
	const char	*address;	/* NULL: none */
	const char	*agent;		/* NULL: none */
	const char	*detail;	/* a JSON object, as stored */
	size_t		 detail_len;
};

#define AUDIT_EXPORT_MAX 50000	/* rows in one export */

/* Takes one exported row; anything but CRM_OK stops the export. */
typedef int (*audit_row_fn)(void *arg, const struct audit_row *row);

/*
 * The export (administrators only): calls fn for every entry matching q's
 * filters, newest first, at most AUDIT_EXPORT_MAX (q->limit and
 * q->before_id are not used), then appends an "audit.export" entry with
 * the filters and the row count, all in one transaction, so an export is
 * never given without its trace. When fn answers an error (after setting
 * cx->detail with core_fail), the export stops, nothing is logged and that
 * code is returned. *rows is how many fn took; *truncated says more
 * entries matched than were given.
 */
int audit_export(struct core_ctx *cx, const struct audit_query *q,
    audit_row_fn fn, void *arg, int64_t *rows, bool *truncated);

#endif
