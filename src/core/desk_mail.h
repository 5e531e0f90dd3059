/*
 * The service desk by email: one IMAP mailbox read into tickets, and the
 * staff's public replies mailed back to the client in the same thread.
 *
 * Settings. One mailbox (desk_mailbox), kept by administrators and
 * audited (desk_mailbox.update): the IMAP URL (imaps://, or imap:// only
 * to a loopback address with allow_plain, for tests), the user and the
 * password (stored to log in, never shown: "password_set" says whether
 * there is one), the folder, the poll interval, the queue and category
 * new tickets get, and whether intake is enabled.
 *
 * Intake. The recurring job "desk_mail" (core/jobs.c, one per database,
 * re-armed after each run: no thread of its own) asks, through the IMAP
 * client of core/imap.h, the folder's UIDVALIDITY, lists the UIDs above
 * the last one imported with their sizes, fetches at most
 * DESK_MAIL_PER_RUN of them (a mail above MAILMSG_MAX only by its header)
 * and reads each with util/mailmsg.h. The network is never used inside a
 * transaction. Each mail is then written
 * in one transaction together with its audit entry and the new last UID:
 *   - a mail a machine sent (auto-replies, bounces, lists) or one from
 *     the desk's own sender is recorded as ignored and never answered,
 *     so no mail loop can start;
 *   - a mail whose Message-ID was seen before is skipped (a UIDVALIDITY
 *     that changed starts the folder over; this keeps that from importing
 *     twice);
 *   - a reply (In-Reply-To or References naming a mail of a ticket, sent
 *     or received, or "[#T-<id>]" in the subject from the ticket's own
 *     address) becomes the client's public message on that ticket, which
 *     opens a waiting ticket and reopens a resolved one (tickets.h);
 *   - anything else becomes a new ticket of channel email, its client
 *     found by the sender's address as tickets do.
 * Attachments become documents of the ticket through core/documents.h
 * (the same limits and type checks); those refused are listed in an
 * internal note. After the commit the mail is flagged \Seen (one that
 * could not be written is left unseen). Two servers
 * checking at once cannot import a mail twice: the transaction first
 * moves last_uid past the mail's UID, and only one of them can.
 *
 * Answers. desk_mail_answer queues the mail of a staff reply through the
 * outbox (core/mail.h) with "Re: <subject> [#T-<id>]", a Message-ID of
 * our own recorded with the thread, and In-Reply-To/References of it.
 */
#ifndef CORE_DESK_MAIL_H
#define CORE_DESK_MAIL_H

#include <jansson.h>

#include "core/core.h"

#define DESK_MAIL_PER_RUN 50		/* mails imported by one check */
#define DESK_MAIL_POLL_MIN 10		/* seconds */
#define DESK_MAIL_POLL_MAX 86400
#define DESK_MAIL_POLL_DEFAULT 60
#define DESK_MAIL_URL_MAX 500		/* IMAP_URL_MAX (core/imap.h) */
#define DESK_MAIL_FOLDER_MAX 100	/* IMAP_FOLDER_MAX */
#define DESK_MAIL_SECRET_MAX 256	/* user, password */

struct doc_store;

/*
 * The settings and the last check's outcome (administrators only):
 * {imap_url, username, password_set, folder, poll_seconds, queue_id,
 * category, enabled, allow_plain, last_check_at, last_ok_at, last_error,
 * imported, last_uid, version}.
 */
int desk_mailbox_get(struct core_ctx *cx, json_t **out);
/*
 * Changes the settings given in in (any of imap_url, username, password,
 * folder, poll_seconds, queue_id, category, enabled, allow_plain; unknown
 * keys refused) in one audited transaction; arms the intake job to run
 * now. A new URL, user or folder starts the folder over. CRM_EINVAL with
 * cx->errs on bad input. *out as desk_mailbox_get.
 */
int desk_mailbox_set(struct core_ctx *cx, json_t *in, json_t **out);
/*
 * "Check now": runs the intake at once with the attachments stored in
 * docs, and answers as desk_mailbox_get plus "fetched" (mails imported or
 * skipped by this check). Administrators only; CRM_EINUSE when no
 * mailbox is set up. Must be called outside any transaction.
 */
int desk_mailbox_check(struct core_ctx *cx, const struct doc_store *docs,
    json_t **out);

/*
 * The "desk_mail" job: one check when enabled (docs from cx->mail), then
 * *again is the next one. Outside the job's transaction (the network).
 */
int desk_mail_job_run(struct core_ctx *cx, int64_t *again, char *err,
    size_t errlen);

/*
 * Mails staff message mid (body) of email ticket t (id) to its client, in
 * the caller's transaction (see above).
 */
int desk_mail_answer(struct core_ctx *cx, int64_t id, json_t *t, int64_t mid,
    const char *body);

/*
 * Writes one mail as the intake writes a fetched one, without the mail
 * server (tests and fuzz/ use it): len bytes at raw (borrowed) as the
 * mail of uid in the folder as the settings stand, attachments into docs
 * (NULL: none kept), as the system. Imported, ignored, skipped or refused
 * by a rule, the mail is accounted for (last_uid moves to uid when it is
 * above it): CRM_OK; other codes are the database's.
 */
int desk_mail_take(struct core_ctx *cx, const struct doc_store *docs,
    int64_t uid, const char *raw, size_t len);

/* The ticket id named by the last "[#T-<id>]" token in subject, or 0. */
int64_t desk_mail_subject_ticket(const char *subject);

#endif
