/*
 * A small IMAP client for the service desk's mailbox (core/desk_mail.h),
 * over libcurl: one connection per request, no state kept between them,
 * never called inside a database transaction.
 *
 * Plain imap:// is used only when the caller allows it (plain; the
 * settings allow it for loopback test servers only); otherwise libcurl is
 * told to speak imaps alone. Answers are read into capped buffers: a
 * server that sends more fails the request instead of growing memory.
 * libcurl fetches with BODY[], which sets \Seen on the server already.
 */
#ifndef CORE_IMAP_H
#define CORE_IMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"

#define IMAP_URL_MAX 500		/* bytes of a URL; longer ones fail */
#define IMAP_FOLDER_MAX 100		/* bytes of a folder name */

/* Where and as whom; borrowed for the call. */
struct imap_conf {
	const char	*url;		/* imaps://host[:port] (or imap://) */
	const char	*user;
	const char	*password;
	const char	*folder;	/* letters, digits, " ._-/" only */
	bool		 plain;		/* imap:// may be used */
};

/* A mail of the folder: its UID and size in bytes (RFC822.SIZE). */
struct imap_mail {
	int64_t	uid;
	int64_t	size;
};

/* The folder's UIDVALIDITY into *uv. 0, or -1 with the reason in err. */
int imap_uidvalidity(const struct imap_conf *c, int64_t *uv, char *err,
    size_t errlen);
/*
 * The mails above last_uid, oldest first, at most max: *out (free it), *n
 * of them, *more when others wait. 0, or -1 with the reason in err.
 */
int imap_list(const struct imap_conf *c, int64_t last_uid, size_t max,
    struct imap_mail **out, size_t *n, bool *more, char *err, size_t errlen);
/*
 * Mail uid, whole or (header_only) its header, appended to out (initialised
 * by the caller, whose cap bounds it). 0, or -1 with the reason in err.
 */
int imap_fetch(const struct imap_conf *c, int64_t uid, bool header_only,
    struct buf *out, char *err, size_t errlen);
/* Sets or clears \Seen on mail uid; a failure is only logged. */
void imap_seen(const struct imap_conf *c, int64_t uid, bool seen);

/*
 * Reading the server's answers, apart from the network (the functions
 * above call these; tests and fuzz/fuzz_imap.c call them alone). data is
 * the len bytes the server sent, borrowed: not NUL-terminated, may hold
 * any byte. Numbers are RFC 3501's 32-bit ones: a longer one is no number.
 */
/* The UIDVALIDITY of a STATUS answer (from 1), or -1 when it names none. */
int64_t imap_parse_uidvalidity(const char *data, size_t len);
/*
 * The mails of a "UID FETCH n:* (UID RFC822.SIZE)" answer above last_uid:
 * one per line naming both, UIDs strictly increasing (a UID answered twice
 * counts once), at most max in *out (free it; NULL when there are none),
 * *n of them, *more when others wait.
 */
void imap_parse_list(const char *data, size_t len, int64_t last_uid,
    size_t max, struct imap_mail **out, size_t *n, bool *more);

#endif
