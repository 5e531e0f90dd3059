/*
 * The service desk's public side: web forms a company embeds on its own
 * site, and the satisfaction question mailed to a client once their ticket
 * is resolved. Both are reached without signing in, so everything that
 * arrives is bounded, checked and stored as plain text, and only secrets
 * nobody can guess lead anywhere.
 *
 * A web form (dtable_web_forms, on the admin engine of core/desk.h, read
 * and written by administrators only) has a public key made by the server
 * (24 random bytes, base64url), the origins allowed to frame its page and
 * to post to it from a script, the inputs it shows, the queue, category
 * and priority its tickets get, and its rate limits. A submission becomes
 * a ticket of channel "form", created by the system in one transaction
 * with the audit entry "web_form.submit" naming the form and the client's
 * address; the contact is found by email or phone as for every ticket.
 *
 * Rate limits are sliding windows over web_form_hits, in the database so
 * every server sharing it counts the same submissions: at most
 * address_max from one client address (for IPv6 its /64 network, all one
 * subscriber's) within address_window_min minutes,
 * and form_max in all within form_window_min. Each submission first
 * writes its form's row, so on PostgreSQL the row lock makes the count and
 * the insert one at a time per form. A refused submission counts nothing.
 *
 * The satisfaction link (satisfaction_requests): when a ticket becomes
 * resolved without a rating and its client has an email address kept on
 * a contact (never one only typed on the form or read from an unknown
 * sender's mail), a mail with the link /r/TOKEN is queued in the same
 * transaction (only when the server can send mail). The token is 32 random bytes; only its BLAKE2b
 * hash is stored; it expires after WEBFORM_CSAT_TTL_MS and takes one
 * answer. An earlier link of the same ticket stops working when a new one
 * is made (a reopened ticket resolved again).
 */
#ifndef CORE_WEBFORM_H
#define CORE_WEBFORM_H

#include <jansson.h>

#include "core/core.h"
#include "core/desk.h"

#define WEBFORM_KEY_MAX 64		/* bytes of a public key, NUL included */
#define WEBFORM_ORIGINS_MAX 20
#define WEBFORM_ORIGIN_MAX 200		/* characters of one origin */
/* Characters of each input; longer is refused with a field error. */
#define WEBFORM_NAME_MAX 200
#define WEBFORM_EMAIL_MAX 254
#define WEBFORM_PHONE_MAX 50
#define WEBFORM_SUBJECT_MAX 300
#define WEBFORM_MESSAGE_MAX 10000
#define WEBFORM_HONEYPOT "website"	/* the hidden input only robots fill */
#define WEBFORM_ADDRESS_LIMIT_MAX 1000
#define WEBFORM_FORM_LIMIT_MAX 100000
#define WEBFORM_WINDOW_MIN_MAX (7 * 24 * 60)

#define WEBFORM_CSAT_TTL_MS (14LL * 24 * 60 * 60 * 1000)
#define WEBFORM_CSAT_COMMENT_MAX 2000
#define WEBFORM_TOKEN_MAX 64		/* bytes of a link's token, NUL included */

extern const struct dtable dtable_web_forms;

/*
 * Whether s has the shape of a secret the server makes (a form's key, a
 * link's token): 1..max-1 base64url characters. Checked before any lookup.
 */
bool webform_secret_ok(const char *s, size_t max);

/*
 * The public face of the enabled form with this key (new reference):
 * {id, name, title, thanks, fields, origins}. CRM_ENOTFOUND for an
 * unknown or disabled form. No rights: the key is the address.
 */
int webform_public(struct core_ctx *cx, const char *key, json_t **out);

/*
 * Whether origin ("scheme://host[:port]", as a browser's Origin header)
 * is one of form's origins (form as webform_public answers it).
 */
bool webform_origin_allowed(json_t *form, const char *origin);

/*
 * Takes one submission to the enabled form with this key from address:
 * in is an object of strings, the form's inputs and WEBFORM_HONEYPOT.
 * Makes the ticket as the system (cx->actor is reset to it), audited;
 * *out = {"received": true, "ticket_id": N}, without ticket_id when the
 * honeypot was filled (nothing is made then, but it counts against the
 * limits). CRM_ENOTFOUND (unknown or disabled form), CRM_EINVAL with
 * cx->errs (unknown inputs, too long, a bad email or phone, the message
 * missing), CRM_ETHROTTLED with cx->detail and cx->retry_after_s.
 */
int webform_submit(struct core_ctx *cx, const char *key, const char *address,
    json_t *in, json_t **out);

/*
 * Inside the caller's write transaction, for a ticket that has just
 * become resolved (called by core/tickets.c): makes a satisfaction link
 * and queues its mail to the client, unless the ticket is rated already,
 * has no client address, or mail is off. ticket is the record as written.
 */
int webform_csat_offer(struct core_ctx *cx, int64_t ticket_id,
    json_t *ticket);

/*
 * What the link with this token asks (new reference): {state: "open" |
 * "answered" | "expired", ticket_id, subject, rating (when answered)}.
 * CRM_ENOTFOUND for an unknown or malformed token.
 */
int webform_csat_get(struct core_ctx *cx, const char *token, json_t **out);

/*
 * Records the answer {rating: 1..5, comment?} to the link with this token
 * as the system: the ticket's satisfaction, the comment as a public
 * message of its client, the link used; audited ("ticket.satisfaction").
 * CRM_ENOTFOUND (unknown), CRM_EINUSE with cx->detail (answered already,
 * expired, or the ticket is no longer resolved), CRM_EINVAL with cx->errs.
 */
int webform_csat_answer(struct core_ctx *cx, const char *token, json_t *in,
    json_t **out);

#endif
