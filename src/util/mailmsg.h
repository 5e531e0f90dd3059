/*
 * Reading one received mail (RFC 5322, MIME) into what the service desk
 * keeps of it, with GMime 3: the sender, the subject, the threading
 * headers, whether a machine sent it, its text and its attachments.
 *
 * Everything handed out is bounded and safe to store as text: valid UTF-8
 * (invalid bytes become U+FFFD), no control characters but tab and line
 * feed in the body and none at all in the headers. A text/html body (when
 * there is no text/plain one) is turned into plain text here, so no markup
 * ever leaves this module: tags are dropped, script and style contents
 * with them, and entities decoded.
 *
 * A hostile mail cannot make the parser work without bound: the input is
 * at most MAILMSG_MAX bytes, a mail declaring more than a few dozen
 * multipart or message parts is refused before GMime's recursive parser
 * sees it, parts deeper than MAILMSG_DEPTH_MAX are skipped, at most
 * MAILMSG_PARTS_MAX parts are looked at and MAILMSG_ATT_MAX attachments
 * kept (the others counted in dropped).
 */
#ifndef UTIL_MAILMSG_H
#define UTIL_MAILMSG_H

#include <stdbool.h>
#include <stddef.h>

#define MAILMSG_MAX (10 * 1024 * 1024)	/* bytes of a whole mail */
#define MAILMSG_DEPTH_MAX 16		/* nested multiparts */
#define MAILMSG_PARTS_MAX 200		/* MIME parts looked at */
#define MAILMSG_ATT_MAX 20		/* attachments kept */
#define MAILMSG_REFS_MAX 50		/* Message-IDs of References kept */
#define MAILMSG_HDR_MAX 998		/* bytes of a header value kept */
#define MAILMSG_ID_MAX 250		/* bytes of a Message-ID */

struct mailatt {
	char		*name;		/* as the mail names it, may be "" */
	char		*ctype;		/* "type/subtype", lower case */
	unsigned char	*data;		/* decoded bytes */
	size_t		 len;
};

struct mailmsg {
	char		*from_addr;	/* "" when none is readable */
	char		*from_name;
	char		*subject;
	char		*message_id;	/* without <>, "" when none */
	/* In-Reply-To first, then References newest first, without <>. */
	char		*refs[MAILMSG_REFS_MAX];
	size_t		 nrefs;
	/*
	 * Sent by a machine: Auto-Submitted other than "no", Precedence bulk,
	 * junk or list, a mailer-daemon or postmaster sender, a report or
	 * delivery status. Such a mail is never answered.
	 */
	bool		 automatic;
	char		*text;		/* the body as plain text */
	struct mailatt	 att[MAILMSG_ATT_MAX];
	size_t		 natt;
	size_t		 dropped;	/* attachments past MAILMSG_ATT_MAX */
};

/*
 * Parses the len bytes at data into *m (all fields owned by m; release
 * with mailmsg_free, also after an error). 0, or -1 with a reason for a
 * person in why: too large, nested too deep, not a mail at all.
 * Thread-safe (GMime is set up once for the process on first use).
 */
int mailmsg_parse(const char *data, size_t len, struct mailmsg *m,
    char *why, size_t whylen);
void mailmsg_free(struct mailmsg *m);

/*
 * The readable text of an HTML document (len bytes): tags dropped, the
 * contents of script, style, head and comments dropped, block ends as
 * line breaks, entities decoded, runs of blank lines folded. A new
 * string (free it), valid UTF-8 without control characters.
 */
char *mailmsg_html_text(const char *html, size_t len);

/*
 * A copy of len bytes of s fit to store as text: invalid UTF-8 replaced by
 * U+FFFD, control characters dropped (tab and line feed kept when
 * multiline, else turned into spaces), carriage returns dropped. Free it.
 */
char *mailmsg_clean(const char *s, size_t len, bool multiline);

#endif
