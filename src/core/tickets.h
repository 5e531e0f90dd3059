/*
 * Tickets: the service desk's record (entity_tickets in core/record.h), so
 * lists, search, trash, custom fields, rights, shares, transfer and the
 * audit work as for every record. The assignee is owner_id.
 *
 * Rules (tickets.c): status moves only along ticket_transition_ok (a new
 * ticket is new or open); resolved_at and closed_at are set when the
 * ticket gets there and cleared when it is reopened; satisfaction (1..5)
 * only once it is resolved or closed; channel and received_at (when the
 * client asked: the SLA clock's start, not in the future) are fixed at
 * creation. Without a contact_id the contact is found by email, else by
 * phone, among the contacts the author may read; the company is taken
 * from the contact. links name deals and tasks the author may read. A
 * ticket put in a queue without an assignee gets one by the queue's rule
 * (core/desk.h). The SLA fields are kept by core/sla.h in the same write.
 *
 * Messages (public replies and internal notes) are a side table: posting
 * one takes the ticket's update right, the first public reply of staff
 * sets first_response_at (and opens a new ticket), a reply of the client
 * opens a waiting one again and reopens a resolved one. A public reply of
 * staff on an email ticket is mailed to the client (core/desk_mail.h). Merging moves a duplicate's messages and links
 * to another ticket and closes it.
 */
#ifndef CORE_TICKETS_H
#define CORE_TICKETS_H

#include <jansson.h>

#include "core/core.h"
#include "core/record.h"

#define TICKET_BODY_MAX 100000		/* characters of a description or message */
#define TICKET_LINKS_MAX 50
#define TICKET_MESSAGES_MAX 1000	/* messages listed at most */

/* Whether a ticket may move from status from to status to (from != to). */
bool ticket_transition_ok(const char *from, const char *to);

/*
 * The messages of ticket id, oldest first: {"data": [{id, ticket_id,
 * kind, author_user_id, author_name, author_contact_id, body,
 * created_at}]}. The ticket's read right (CRM_ENOTFOUND otherwise).
 */
int ticket_message_list(struct core_ctx *cx, int64_t id, json_t **out);
/*
 * Adds {kind: public|internal, body, contact_id?} to ticket id (its update
 * right), audited, with the ticket's consequences in the same transaction;
 * *out is the message. CRM_EINVAL with cx->errs on bad input.
 */
int ticket_message_add(struct core_ctx *cx, int64_t id, json_t *in,
    json_t **out);
/*
 * Inside the caller's write transaction, no rights asked: adds body as a
 * public message of the client (contact, or nobody when 0) to ticket id,
 * without a message's consequences. For what the client says through the
 * public pages (core/webform.h), which the caller audits.
 */
int ticket_client_message_txn(struct core_ctx *cx, int64_t id,
    int64_t contact, const char *body);
/*
 * A message on ticket id inside the caller's write transaction, for the
 * system's own writers (mail intake): no rights asked, body taken as it
 * is (the caller bounds and cleans it). client: written by the client
 * (contact_id, or 0 when known only by address), else by the actor. The
 * same consequences and audit entry as ticket_message_add; *mid is the
 * message.
 */
int ticket_message_add_txn(struct core_ctx *cx, int64_t id, const char *kind,
    const char *body, int64_t contact_id, bool client, int64_t *mid);
/*
 * Merges ticket id into ticket into (the update right on both): moves its
 * messages and links, closes it with merged_into_id, audits both. *out is
 * ticket into. CRM_EINVAL for id == into, CRM_EINUSE when either is
 * already merged.
 */
int ticket_merge(struct core_ctx *cx, int64_t id, int64_t into, json_t **out);

#endif
