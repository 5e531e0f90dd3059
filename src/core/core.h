/*
 * The domain core: what every face (HTTP API, CLI) calls.
 *
 * A call works on behalf of an actor (the signed-in user) through a
 * struct core_ctx that the face fills per request: the database connection
 * it holds, the actor, and room for the outcome's explanation. The core
 * never sees HTTP or argv; it answers with a CRM_E* code, a human detail in
 * cx->detail and, for bad input, one entry per bad field in cx->errs.
 *
 * Records are jansson objects (json_t) in and out: the API's JSON shape is
 * the domain's shape, so no second model needs keeping in step. Functions
 * that hand out a json_t give the caller a new reference (json_decref it).
 */
#ifndef CORE_CORE_H
#define CORE_CORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/db.h"

enum {
	CRM_OK = 0,
	CRM_ENOTFOUND = -1,	/* no such record, or not visible */
	CRM_EINVAL = -2,	/* bad field values: see cx->errs */
	CRM_ECONFLICT = -3,	/* stale version (If-Match) */
	CRM_EFORBIDDEN = -4,	/* the actor may not do this */
	CRM_EDB = -5,		/* the database failed; logged */
	CRM_EUNAUTH = -6,	/* bad credentials */
	CRM_EEXISTS = -7,	/* unique value already taken */
	CRM_EBADQUERY = -8,	/* bad list parameter: see cx->detail */
	CRM_EINUSE = -9,	/* refused while other things depend on it */
	CRM_ESTEPUP = -10,	/* confirm the second factor again first */
	CRM_ETHROTTLED = -20,	/* too many attempts: see cx->retry_after_s */
	CRM_EUNAVAIL = -21,	/* the system is read-only or locked */
};

#define VERR_MAX 64

struct verr {
	char	field[96];
	char	message[160];
};

/* Field errors of one request; entries past VERR_MAX are counted, not kept. */
struct verrs {
	struct verr	items[VERR_MAX];
	int		n;
	int		dropped;
};

void verrs_add(struct verrs *e, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

struct actor {
	int64_t	user_id;	/* 0 for the system (CLI maintenance) */
	bool	is_admin;
	char	email[256];
	char	name[256];
};

/*
 * The actor's rights, read by core/access.c on first use in a call and
 * private to it: other files ask access.h, never read this.
 */
#define RIGHTS_ENTITIES 24
#define RIGHTS_ACTIONS 8
#define RIGHTS_RULES 64
#define RIGHTS_SEEN 64

struct rights {
	bool		 loaded;
	bool		 all;		/* an administrator, or the system */
	unsigned char	 scope[RIGHTS_ENTITIES][RIGHTS_ACTIONS];
	struct {
		unsigned char	entity;
		unsigned char	rule;
		char		field[64];
	}		 rules[RIGHTS_RULES];
	int		 nrules;
	struct {			/* read visibility of linked records */
		unsigned char	entity;
		bool		visible;
		int64_t		id;
	}		 seen[RIGHTS_SEEN];
	int		 nseen;
};

struct audit_key;
struct watch;
struct mail_conf;

struct core_ctx {
	db_t		*db;
	struct actor	 actor;
	const char	*session;	/* the browser session's secret (borrowed), or NULL */
	/* Where the call came from, for the audit log (borrowed, or NULL). */
	const char	*address;
	const char	*agent;
	/* Signs audit checkpoints (borrowed; NULL: none are signed). */
	const struct audit_key *audit_key;
	/* Counts reads for the mass-reading alert (borrowed; NULL: off). */
	struct watch	*watch;
	/* SMTP settings (borrowed; NULL or no URL: no mail is queued). */
	const struct mail_conf *mail;
	struct verrs	 errs;
	char		 detail[256];
	struct rights	 rights;
	int64_t		 retry_after_s;	/* > 0: when to try again (throttle) */
	/*
	 * Set by job_enqueue: the call queued background work, so the face
	 * wakes its job runner once the call's transaction is over
	 * (jobs_runner_poke) instead of leaving it asleep until its next
	 * known due time.
	 */
	bool		 jobs_queued;
	/*
	 * How many processes deep this call writes: 0 for a user, n + 1 for
	 * the system acting for a process started at depth n. Processes a
	 * write triggers start no deeper than PRUN_DEPTH_MAX
	 * (core/process_run.h), so a process cannot trigger itself forever.
	 */
	int		 proc_depth;
	/* Tests only: process webhooks may call loopback (core/webhook.h). */
	bool		 webhook_loopback;
};

/* Prepares cx for one call on db as actor (copied). */
void core_ctx_init(struct core_ctx *cx, db_t *db, const struct actor *actor);
/* Sets cx->detail (printf-style) and returns code, for one-line error exits. */
int core_fail(struct core_ctx *cx, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* CRM_EINVAL with "N fields are invalid" in cx->detail (errors in cx->errs). */
int core_invalid(struct core_ctx *cx);
/* CRM_OK for an administrator or the system, else CRM_EFORBIDDEN naming what. */
int core_admin_only(struct core_ctx *cx, const char *what);
/*
 * Binds the actor's user id as parameter idx of st, NULL for the system
 * (user id 0): the created_by / updated_by of a row.
 */
void core_bind_actor(struct core_ctx *cx, db_stmt_t *st, int idx);

struct json_t;
/*
 * True when v is a string of 1..max characters (code points) of valid
 * UTF-8 that may be typed into a field (util/text.h: text_is_printable):
 * the check of every name and label the core stores.
 */
bool core_text_ok(const struct json_t *v, size_t max);

struct json_t;
/*
 * Ends the transaction a write began: commits when rc is CRM_OK, rolls
 * back otherwise. A failed commit becomes CRM_EDB, and *out (when out is
 * not NULL) is released and set to NULL, so the caller returns nothing.
 */
int core_txn_end(struct core_ctx *cx, int rc, struct json_t **out);

/*
 * Runs one statement of bound values: fmt has a letter per "?": 'i' an
 * int64_t, 'n' an int64_t bound as NULL when 0, 's' a string (NULL: SQL
 * NULL). CRM_OK, or CRM_EDB logged with the SQL. db_changes() tells the
 * rows an UPDATE changed.
 */
int core_exec(struct core_ctx *cx, const char *sql, const char *fmt, ...);

/*
 * Column col of st, a time in milliseconds, as RFC 3339 UTC text, or JSON
 * null when the column is NULL: a new reference for the caller.
 */
struct json_t *core_col_time(db_stmt_t *st, int col);

/*
 * Runs sql binding the ids in v (n of them) as parameters 1..n and steps
 * once: *found says whether a row came. CRM_EDB (logged with what) when
 * the database fails. For existence and rights questions of one row.
 */
int core_probe(struct core_ctx *cx, const char *what, const char *sql,
    const int64_t *v, int n, bool *found);

/* CRM_OK when the database answers a trivial query (readiness checks). */
int core_ping(struct core_ctx *cx);

/*
 * One entity's list, as one transaction read it: kept only while that
 * transaction holds the audit chain's lock. Every writer of such a list
 * appends to the chain, so takes that lock, before it commits: from then
 * on no change to the list can commit before this transaction does (on
 * PostgreSQL a read before the lock may be overtaken). Writers also set
 * txn to 0, for their own transaction.
 */
struct memo_list {
	uint64_t	txn;		/* db_txn() when kept; 0: nothing kept */
	char		entity[32];
	struct json_t	*v;
};

/*
 * What the core keeps with a database connection between calls, each part
 * true only while db_txn() still gives the number it was read under.
 */
struct core_memo {
	/* The audit chain's head, as this transaction last wrote or read it. */
	uint64_t	head_txn;	/* 0: not known */
	int64_t		head_id;
	char		head_hash[65];
	/* An import checks thousands of records of one entity per transaction. */
	struct memo_list defs;	/* custom field definitions (customfields.c) */
	struct memo_list starts; /* templates its writes start (process_run.c) */
};

/* cx's connection's memo, made on first use; the connection owns it. */
struct core_memo *core_memo(struct core_ctx *cx);
/*
 * Entity's list kept in l by this transaction (a new reference, not to be
 * changed), or NULL: none kept, or the audit lock is not held.
 */
struct json_t *core_memo_get(struct core_ctx *cx, struct memo_list *l,
    const char *entity);
/* Keeps v (borrowed) as entity's list in l, if the audit lock is held. */
void core_memo_put(struct core_ctx *cx, struct memo_list *l,
    const char *entity, struct json_t *v);

/*
 * The libraries' process-wide options (db_library_init): once, from main,
 * before any database or thread. 0, or -1 when refused (only slower).
 */
int core_library_init(void);
/* Opens the database and applies pending migrations; messages go to err. */
int core_open_db(const char *path, db_t **out, char *err, size_t errlen);

#endif
