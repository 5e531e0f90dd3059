/*
 * Mail: the outbox and its sender.
 *
 * A mail is a row of mail_outbox written by mail_queue() inside the
 * transaction of the change that caused it, together with a "mail_send"
 * job naming the row. So a change that rolls back sends nothing, and a
 * committed one is sent even if the server stops a moment later: the job
 * waits in the table for the next start.
 *
 * The job (core/jobs.c, run outside its transaction) reads the row, talks
 * SMTP through libcurl without holding any database lock, then records the
 * outcome in a short transaction of its own: sent, or the error and the
 * time of the next attempt (exponential backoff from retry_base_ms, at
 * most MAIL_BACKOFF_MAX_MS apart), or failed after max_attempts. A server
 * that dies between the mail server's "250 OK" and that record sends the
 * mail again once the job's lease runs out: at least once, never lost.
 */
#ifndef CORE_MAIL_H
#define CORE_MAIL_H

#include <jansson.h>

#include "core/core.h"
#include "util/buf.h"

#define MAIL_ADDR_MAX 254
#define MAIL_SUBJECT_MAX 300		/* characters, after which it is cut */
#define MAIL_BODY_MAX (64 * 1024)	/* bytes */
#define MAIL_BACKOFF_MAX_MS (60LL * 60 * 1000)
#define MAIL_UNCONFIGURED_RETRY_MS (10LL * 60 * 1000)

struct doc_store;

/* The SMTP settings (crm serve --smtp-*), borrowed for the server's life. */
struct mail_conf {
	const char	*url;		/* smtp://host:port or smtps://; NULL: off */
	const char	*from;		/* the sender address */
	const char	*user;		/* NULL: no AUTH */
	const char	*password;
	bool		 starttls;	/* refuse a server without STARTTLS */
	int64_t		 retry_base_ms;	/* first backoff; doubles per attempt */
	int		 max_attempts;
	int64_t		 timeout_ms;	/* one SMTP conversation */
	const char	*origin;	/* this server's address for links (--origin) */
	/* Where mail intake keeps attachments (core/desk_mail.h); may be NULL. */
	const struct doc_store *docs;
	/* Where files for mail are made ($TMPDIR, read by the face); NULL: /tmp */
	const char	*tmpdir;
};

/* Whether mail can be sent at all (a URL and a sender are set). */
bool mail_enabled(const struct mail_conf *mc);

/*
 * The wait before attempt attempts + 1 after attempts failed ones:
 * retry_base_ms * 2^(attempts - 1), at most MAIL_BACKOFF_MAX_MS.
 */
int64_t mail_backoff_ms(const struct mail_conf *mc, int attempts);

/*
 * Queues a mail to one address inside the caller's open write transaction
 * (the row and its job). Subject and body are UTF-8 text; the subject is
 * cut to MAIL_SUBJECT_MAX characters and line breaks in it become spaces,
 * the body is cut to MAIL_BODY_MAX bytes. *id (may be NULL) is the row.
 * CRM_EINVAL naming "to" for a bad address.
 */
int mail_queue(struct core_ctx *cx, const char *to, const char *subject,
    const char *body, int64_t *id);

/*
 * The threading headers of a reply, each as written in the header: "<id>"
 * (message_id, in_reply_to) or "<id> <id> ..." (references, at most
 * MAIL_REFS_MAX), or NULL for none. message_id NULL: one of the outbox's.
 */
#define MAIL_REFS_MAX 20
#define MAIL_THREAD_HDR_MAX 4000	/* bytes of one of them */
struct mail_thread {
	const char	*message_id;
	const char	*in_reply_to;
	const char	*references;
};

/*
 * mail_queue() for a reply in a thread: the mail carries th's headers
 * (copied into the row). CRM_EINVAL when one is not a list of "<id>".
 */
int mail_queue_reply(struct core_ctx *cx, const char *to, const char *subject,
    const char *body, const struct mail_thread *th, int64_t *id);

/*
 * The "mail_send" job: sends outbox row payload.outbox_id with cx->mail,
 * outside any transaction. CRM_OK with *again set when the job should run
 * again (the next attempt); errors only when the database failed.
 */
int mail_job_run(struct core_ctx *cx, json_t *payload, int64_t *again,
    char *err, size_t errlen);

/*
 * The outbox for an administrator: {"configured", "url", "from",
 * "queued", "sent", "failed", "last_error", "recent": [mail...]}, the
 * URL without any password, recent the newest MAIL_RECENT rows
 * {id, to, subject, status, attempts, created_at, next_attempt_at,
 * sent_at, last_error}.
 */
#define MAIL_RECENT 20
int mail_status(struct core_ctx *cx, json_t **out);

/*
 * The test-mail button: queues a short mail to in.to in one transaction
 * with the audit entry "mail.test". Administrators only; CRM_EUNAVAIL
 * when SMTP is not configured. *out = {"id", "to", "status": "queued"}.
 */
int mail_test(struct core_ctx *cx, json_t *in, json_t **out);

/* ---- attachments (core/mail_attach.c) ---- */

/*
 * A mail may carry files: rows of mail_attachments written with the mail,
 * in the same transaction, and sent as a multipart/mixed message (the
 * text first, then each file base64-encoded). A mail's files are bounded
 * all together, so one report cannot make an outbox row of any size.
 */
#define MAIL_ATTACH_MAX (10 * 1024 * 1024)	/* bytes of one mail's files */
#define MAIL_ATTACH_COUNT_MAX 10		/* files of one mail */
#define MAIL_FILENAME_MAX 120			/* bytes of a file's name */

/*
 * Attaches data[len] (borrowed) as file name of content type ctype to
 * outbox mail id, which mail_queue() wrote in the caller's still open
 * transaction. name: 1..MAIL_FILENAME_MAX printable ASCII bytes without
 * quotes, slashes or backslashes; ctype a type/subtype token, perhaps
 * with unquoted parameters ("text/csv; charset=utf-8"). CRM_EINVAL
 * naming "attachment" for a bad name or type, or when the mail's files
 * would pass MAIL_ATTACH_COUNT_MAX or MAIL_ATTACH_MAX bytes.
 */
int mail_queue_attach(struct core_ctx *cx, int64_t id, const char *name,
    const char *ctype, const void *data, size_t len);

/* A mail's files as the sender reads them (each string owned). */
struct mail_file {
	char	*name;
	char	*ctype;
	char	*b64;		/* the content, base64 on one line */
};

struct mail_files {
	struct mail_file	*v;
	size_t			 n;
	size_t			 b64_len;	/* of all of them */
};

/* Reads the files of mail id into *out (free with mail_files_free). */
int mail_files_load(struct core_ctx *cx, int64_t id, struct mail_files *out);
void mail_files_free(struct mail_files *f);

/*
 * The message's shape around the text for a mail with files (f->n > 0):
 * mail_files_open writes the multipart Content-Type header, the blank
 * line and the text part's opening boundary; the caller then writes the
 * text part's own headers and text; mail_files_close writes each file as
 * a base64 part (lines of 76) and the closing boundary. -1 when b is full.
 */
int mail_files_open(struct buf *b, const char *boundary);
int mail_files_close(struct buf *b, const char *boundary,
    const struct mail_files *f);

#endif
