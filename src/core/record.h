/*
 * Records: the generic engine behind every client entity (companies,
 * contacts, and those later issues add).
 *
 * An entity is a table of field descriptions. From it the engine validates
 * input, writes rows, reads them back as JSON, lists them with filters,
 * search, sort and cursor paging, and moves them to and from the trash.
 * Adding an entity means writing its descriptor (see companies.c) and a
 * migration; docs/architecture.md walks through it.
 *
 * Every record has: id, created_at/by, updated_at/by, version (bumped by
 * each update; the API's ETag), deleted_at (set while in the trash), and
 * owner_id, tags and custom (typed custom field values).
 */
#ifndef CORE_RECORD_H
#define CORE_RECORD_H

#include <jansson.h>

#include "core/core.h"

struct buf;

enum field_kind {
	FK_TEXT,	/* one line, up to maxlen characters */
	FK_LONGTEXT,	/* notes: up to maxlen characters */
	FK_EMAILS,	/* array of email addresses */
	FK_PHONES,	/* array of phone numbers */
	FK_URL,
	FK_DATE,	/* YYYY-MM-DD */
	FK_COMPANY,	/* id of a live company */
	FK_USER,	/* id of an active user */
	FK_DERIVED,	/* read-only, computed by sql_expr */
	FK_INT,		/* whole number from 0 to 10^15 (money in minor units) */
	FK_CURRENCY,	/* ISO 4217 code, "EUR" */
	FK_REF,		/* id of a row the entity's prepare hook checks */
	FK_CONTACTS,	/* array of ids of contacts the actor may read */
	FK_TIME,	/* ms, read as RFC 3339; written as RFC 3339 unless
			 * F_READONLY (then set by the entity's hooks) */
	FK_SIDE,	/* an array the entity's hooks keep in a table of its
			 * own: written with the record, not a column, not read
			 * back with it (a deal's line items) */
	FK_CONTACT,	/* id of a contact the actor may read */
	FK_DEAL,	/* id of a deal the actor may read */
	FK_USERS,	/* array of ids of active users (participants) */
	FK_JSON,	/* a JSON array the entity's check hook looks into (a
			 * checklist), stored as JSON text */
};

enum {
	F_REQUIRED = 1 << 0,	/* must be present and non-empty */
	F_SORT = 1 << 1,	/* may be a sort key (has an index) */
	F_FILTER = 1 << 2,	/* may be a list filter */
	F_SEARCH = 1 << 3,	/* part of the search text */
	F_EMPTY = 1 << 4,	/* column is NOT NULL DEFAULT '': absent is '' */
	F_READONLY = 1 << 5,	/* stored, but set only by the entity's hooks */
	F_FIXED = 1 << 6,	/* given at creation, never changed after */
};

/* The largest FK_INT: money up to 10^13 units of a 2-digit currency. */
#define FIELD_INT_MAX 1000000000000000LL

struct field {
	const char	*name;		/* JSON key and column name */
	enum field_kind	 kind;
	unsigned	 flags;
	size_t		 maxlen;	/* characters, for text kinds */
	const char	*sql_expr;	/* FK_DERIVED: expression over table t */
};

struct entity {
	const char		*name;		/* "companies": table, URL, custom-field entity */
	const char		*singular;	/* "company", for messages */
	const struct field	*fields;
	size_t			 nfields;
	/* Rules across fields on the complete record; adds to cx->errs. */
	void			(*check)(struct core_ctx *cx, json_t *rec);
	/* More text for the search indexes than the F_SEARCH fields, or NULL. */
	void			(*search_extra)(json_t *rec, struct buf *out);
	/*
	 * Or NULL. Called in the write's transaction once every field is well
	 * typed: checks what needs the database (an FK_REF, rules across
	 * tables) and sets the F_READONLY fields in merged. cur is the stored
	 * record on an update, NULL on a create; in is the body as given. Adds
	 * to cx->errs; returns CRM_OK or a failure that ends the write.
	 */
	int			(*prepare)(struct core_ctx *cx, json_t *cur,
				    json_t *in, json_t *merged);
	/*
	 * Or NULL. Called after the row is written (id), in the same
	 * transaction: the entity's own side tables. cur is NULL on a create.
	 */
	int			(*after_write)(struct core_ctx *cx, int64_t id,
				    json_t *cur, json_t *merged);
	/*
	 * Or NULL. Called in the transaction that moves record id to the
	 * trash (trashed true) or back: work keyed by the record (reminders).
	 */
	int			(*after_trash)(struct core_ctx *cx, int64_t id,
				    bool trashed);
	/* Or NULL. Adds what is computed on reading (now-dependent flags). */
	void			(*decorate)(json_t *rec);
	/*
	 * Or NULL. A list filter of the entity's own (key without operator):
	 * appends " AND ..." to q and returns CRM_OK, CRM_EBADQUERY for a bad
	 * value, or CRM_ENOTFOUND when the key is not one of its own.
	 */
	int			(*filter)(struct core_ctx *cx, struct dbq *q,
				    const char *key, const char *value);
	/*
	 * Or NULL. SQL of the ids of records the user bound to its one "?"
	 * may read because they are named on them (a meeting's
	 * participants), whatever the role's scope: access.c adds it to the
	 * read predicate, beside shares.
	 */
	const char		*named_sql;
};

extern const struct entity entity_companies;
extern const struct entity entity_contacts;
extern const struct entity entity_deals;
extern const struct entity entity_activities;
extern const struct entity entity_tickets;

/*
 * The entity a link field names (FK_COMPANY, FK_CONTACT, FK_DEAL), else
 * NULL. Its "<x>_id" has a derived "<x>_name" that access_redact blanks
 * when the linked record is hidden.
 */
const struct entity *field_link(const struct field *f);
/* The field of e called name (a descriptor entry); NULL if there is none. */
const struct field *entity_field(const struct entity *e, const char *name);
/* Finds an entity by name ("companies"); NULL if there is none. */
const struct entity *entity_find(const char *name);
/* Every entity, by index 0..entity_count()-1; entity_index is -1 for none. */
size_t entity_count(void);
const struct entity *entity_at(size_t i);
int entity_index(const struct entity *e);

/*
 * Whether every search word occurs in the text the actor may see of rec
 * (already redacted): the search indexes cover hidden fields too, so a
 * role with hidden searchable fields has each match checked here. Case is
 * folded for ASCII only, so it errs towards not matching.
 */
bool rec_matches_visible(const struct entity *e, json_t *rec,
    const char *const *words, const size_t *lens, size_t n);
/* Whether the actor's role hides a searchable field of e. */
bool rec_search_hidden(struct core_ctx *cx, const struct entity *e);

/*
 * The users of department ? or of one below it, as a subquery of one
 * parameter, the department's id (the lists' department_id, activities'
 * involves_department). The CAST types the parameter for PostgreSQL, which
 * otherwise reads it as text and refuses to compare it with an id.
 */
#define DEPT_USERS_SQL "(SELECT fu.id FROM users fu WHERE fu.department_id " \
	"IN (WITH RECURSIVE fsub(id) AS (SELECT CAST(? AS BIGINT) UNION SELECT " \
	"fd.id FROM departments fd JOIN fsub ON fd.parent_id = fsub.id) SELECT " \
	"id FROM fsub))"

/* List parameters as they arrive; the core checks every one. */
#define LIST_MAX_FILTERS 16
struct list_query {
	const char	*q;
	const char	*sort;
	const char	*cursor;
	const char	*limit;
	bool		 deleted;	/* list the trash */
	struct {
		const char	*key;	/* "industry" or "name[prefix]" */
		const char	*value;
	} filters[LIST_MAX_FILTERS];
	int		 nfilters;
};

/*
 * Creates a record from the JSON object in. On success *out is the stored
 * record (new reference). CRM_EINVAL with cx->errs on bad input.
 */
int rec_create(struct core_ctx *cx, const struct entity *e, json_t *in,
    json_t **out);
/*
 * The same inside the caller's open write transaction, which it neither
 * commits nor rolls back (a record made as a consequence of another
 * write: the next occurrence of a recurring task).
 */
int rec_create_txn(struct core_ctx *cx, const struct entity *e, json_t *in,
    json_t **out);
/*
 * rec_create_txn() without reading the record back: the same rights,
 * checks, hooks and audit entry; *id is the new record's id (its version
 * is 1). For bulk writers (an import), where the read-back was 13 % of
 * the work and nothing looks at the stored record.
 */
int rec_create_id_txn(struct core_ctx *cx, const struct entity *e,
    json_t *in, int64_t *id);
/* Reads one live record (or one in the trash when deleted is set). */
int rec_get(struct core_ctx *cx, const struct entity *e, int64_t id,
    bool deleted, json_t **out);
/*
 * Applies the fields named in patch (null clears). if_version < 0 means no
 * precondition; otherwise CRM_ECONFLICT unless it equals the version.
 */
int rec_update(struct core_ctx *cx, const struct entity *e, int64_t id,
    int64_t if_version, json_t *patch, json_t **out);
/*
 * The same inside the caller's open write transaction, which it neither
 * commits nor rolls back (an import's chunk; a ticket answered by a new
 * message, a merge; a process step setting a field).
 */
int rec_update_txn(struct core_ctx *cx, const struct entity *e, int64_t id,
    int64_t if_version, json_t *patch, json_t **out);
/* Moves a live record to the trash. */
int rec_delete(struct core_ctx *cx, const struct entity *e, int64_t id);
/* The same inside the caller's open write transaction (an import's undo). */
int rec_delete_txn(struct core_ctx *cx, const struct entity *e, int64_t id);
/* Brings a record back from the trash; *out is the restored record. */
int rec_restore(struct core_ctx *cx, const struct entity *e, int64_t id,
    json_t **out);
/*
 * Lists records: *out is {"data": [...], "next_cursor": string|null}.
 * CRM_EBADQUERY with cx->detail naming the bad parameter.
 */
int rec_list(struct core_ctx *cx, const struct entity *e,
    const struct list_query *lq, json_t **out);

/*
 * Appends " AND ..." to q over alias t: what the actor may read, and the
 * filters of lq (not q, sort, cursor or limit). CRM_EBADQUERY with
 * cx->detail for a bad filter.
 */
int rec_where(struct core_ctx *cx, const struct entity *e,
    const struct list_query *lq, struct dbq *q);

/*
 * For the engine's own files (record.c, list.c, search.c): the SELECT list
 * of an entity's columns over alias t, and the JSON of a row read with it.
 */
void rec_select_list(const struct entity *e, struct dbq *q);
json_t *rec_row_to_json(const struct entity *e, db_stmt_t *st);

/*
 * What a list and an export share (list.c): the statement of the records
 * of lq in its sort order, without paging. rec_scan_sql checks lq's sort,
 * filters and search and writes into q "SELECT <rec_select_list>, t.<sort
 * column>[, extra] FROM <entity> t WHERE ..." with the read rights, the
 * filters and the search; the caller may append " AND ..." (the export
 * right, a cursor), then rec_scan_order. extra (borrowed SQL over t, or
 * NULL) adds columns after the sort column. Each row read back with
 * rec_row_to_json goes through rec_scan_keep, which redacts it for the
 * actor and says whether it is a match at all (a search that matched only
 * a hidden field is not). CRM_EBADQUERY with cx->detail for a bad sort,
 * filter or q.
 */
#define REC_SCAN_WORDS 8
struct rec_scan {
	const char	*sort_col;	/* column name from the descriptor */
	bool		 sort_desc;
	bool		 sort_numeric;	/* id and times compare as integers */
	const char	*words[REC_SCAN_WORDS];	/* the search words (into lq->q) */
	size_t		 lens[REC_SCAN_WORDS];
	size_t		 nwords;
	char		 digits[64];	/* a phone-like q, as digits */
	bool		 recheck;	/* the role hides a searched field */
};
int rec_scan_sql(struct core_ctx *cx, const struct entity *e,
    const struct list_query *lq, const char *extra, struct rec_scan *s,
    struct dbq *q);
void rec_scan_order(const struct rec_scan *s, struct dbq *q);
int rec_scan_keep(struct core_ctx *cx, const struct entity *e,
    const struct rec_scan *s, json_t *rec, bool *keep);

/*
 * Splits a search query into at most max words (pointers into q), turning
 * a query that looks like a phone number into its digits (written to
 * digits, size dlen). Returns the number of words.
 */
size_t search_words(const char *q, char *digits, size_t dlen,
    const char **words, size_t *lens, size_t max);

#endif
