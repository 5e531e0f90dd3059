/*
 * The service desk around tickets (core/tickets.h): the small tables an
 * administrator keeps (SLA policies, queues, canned responses), assigning
 * a ticket through its queue, rendering a canned response, and the
 * support dashboard.
 *
 * The three admin tables share one engine (desk_admin.c): a table is a
 * list of typed columns; its rows are read by everyone signed in and
 * written by administrators only, each write checked column by column
 * (unknown keys refused), then by the table's own rule, and audited in the
 * same transaction ("<table>.create", ".update", ".delete").
 */
#ifndef CORE_DESK_H
#define CORE_DESK_H

#include <jansson.h>

#include "core/core.h"

enum dcol_type {
	DC_INT,		/* integer or null */
	DC_TEXT,	/* text of 1..maxlen printable characters, or null */
	DC_BOOL,	/* stored 0/1 */
	DC_JSON,	/* array or object, stored as JSON text */
	DC_SIDE,	/* an array kept by the table's after_write and
			 * decorate in a table of its own, not a column */
};

struct dcol {
	const char	*name;
	enum dcol_type	 type;
	bool		 required;	/* on create; never null */
	size_t		 maxlen;	/* DC_TEXT */
};

struct dtable {
	const char		*table;		/* and the audit's entity */
	const char		*singular;	/* "queue", for messages */
	const struct dcol	*cols;		/* besides id, version, times */
	size_t			 ncols;
	/* Rules on the complete row (merged), with the database; adds to cx->errs. */
	int			(*check)(struct core_ctx *cx, json_t *merged);
	/* Or NULL: side rows after the row is written (in its transaction). */
	int			(*after_write)(struct core_ctx *cx, int64_t id,
				    json_t *merged);
	/* Or NULL: adds side values to a row read back. */
	int			(*decorate)(struct core_ctx *cx, json_t *row);
	/* Or NULL: SQL counting what still uses row ? (delete answers 409). */
	const char		*in_use_sql;
	/* Or NULL: SQL run with the row's id before it is deleted. */
	const char		*before_delete_sql;
	const char		*order_by;	/* "position, id" */
	bool			 admin_read;	/* rows read by administrators only */
	/* Or NULL: the column the table's check sets, never the input. */
	const char		*readonly;
};

extern const struct dtable dtable_sla_policies;
extern const struct dtable dtable_queues;
extern const struct dtable dtable_canned;

/* {"data": [rows]} in the table's order; any signed-in user (admin_read: administrators). */
int dtable_list(struct core_ctx *cx, const struct dtable *t, json_t **out);
int dtable_get(struct core_ctx *cx, const struct dtable *t, int64_t id,
    json_t **out);
/* Administrators only; CRM_EINVAL with cx->errs, CRM_EEXISTS for a taken name. */
int dtable_create(struct core_ctx *cx, const struct dtable *t, json_t *in,
    json_t **out);
int dtable_update(struct core_ctx *cx, const struct dtable *t, int64_t id,
    json_t *in, json_t **out);
/* CRM_EINUSE while in_use_sql counts anything. */
int dtable_delete(struct core_ctx *cx, const struct dtable *t, int64_t id);
/* Reads one row into *out inside the caller's transaction, no rights asked. */
int dtable_read(struct core_ctx *cx, const struct dtable *t, int64_t id,
    json_t **out);

/*
 * Runs sql with the ids a (and b when > 0) bound in order, inside the
 * caller's transaction; *first (when not NULL) is the first column of the
 * first row, if any. The one-statement writes of the desk's files.
 */
int desk_exec(struct core_ctx *cx, const char *sql, int64_t a, int64_t b,
    int64_t *first);

/*
 * The member of queue queue_id who takes a ticket of category (may be
 * NULL), by the queue's rule, into *user_id (0: the queue has no active
 * member); remembers the choice for round robin. In the caller's write
 * transaction. CRM_EINVAL with an error on "queue_id" for no such queue.
 */
int queue_pick(struct core_ctx *cx, int64_t queue_id, const char *category,
    int64_t *user_id);

/*
 * The placeholders a canned response may hold, and whether body uses only
 * those (else the first unknown one, without braces, into bad).
 */
bool canned_placeholders_ok(const char *body, char *bad, size_t badlen);
/*
 * Fills body's placeholders from vals (keys without braces: client_name,
 * ticket_subject, ticket_number, agent_name) into a new string (free it).
 * NULL when body holds an unknown placeholder.
 */
char *canned_fill(const char *body, json_t *vals);
/* Renders canned response id for ticket ticket_id (read right): {"body"}. */
int canned_render(struct core_ctx *cx, int64_t id, int64_t ticket_id,
    json_t **out);

/*
 * The support dashboard over the tickets the actor may read, created from
 * from_day to to_day (YYYY-MM-DD, either NULL). See docs/api.md.
 */
int desk_report(struct core_ctx *cx, const char *from_day, const char *to_day,
    json_t **out);
/* The median of n sorted values (the lower middle for an even n); n > 0. */
int64_t desk_median(const int64_t *sorted, size_t n);

#endif
