/*
 * The route table and the life of a request: match the path, authenticate,
 * borrow a database connection, run the handler, give the connection back.
 * The same table drives the OpenAPI description, so it cannot drift.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api/internal.h"
#include "core/jobs.h"
#include "core/twofactor.h"
#include "core/sessions.h"
#include "core/tokens.h"
#include "core/users.h"
#include "http/static.h"
#include "util/alloc.h"
#include "util/buf.h"

#define COMPANY &entity_companies
#define CONTACT &entity_contacts
#define DEAL &entity_deals
#define ACTIVITY &entity_activities
#define TICKET &entity_tickets

const struct route api_routes[] = {
	{ "GET", "/healthz", h_health, NULL, R_PUBLIC, "Ready check", "system" },
	{ "GET", "/api/v1/openapi.json", h_openapi, NULL, R_PUBLIC,
	    "This description", "system" },
	{ "POST", "/api/v1/auth/login", h_login, NULL, R_PUBLIC | R_BODY,
	    "Sign in; sets the session cookie", "auth" },
	{ "POST", "/api/v1/auth/logout", h_logout, NULL,
	    R_ANYSTATE | R_2FA_STEP | R_2FA_ENROL,
	    "Sign out; ends the session", "auth" },
	{ "GET", "/api/v1/auth/me", h_me, NULL, 0, "The signed-in user, and the "
	    "session's CSRF token", "auth" },
	{ "POST", "/api/v1/auth/password", h_password_change, NULL, R_BODY,
	    "Change one's own password; ends one's other sessions", "auth" },
	{ "GET", "/api/v1/auth/sessions", h_sessions_list, NULL, 0,
	    "One's own sessions", "auth" },
	{ "DELETE", "/api/v1/auth/sessions/{id}", h_session_delete, NULL,
	    R_ANYSTATE, "End one of one's own sessions", "auth" },
	{ "POST", "/api/v1/auth/sessions/revoke-others", h_sessions_revoke_others,
	    NULL, R_ANYSTATE, "Sign out everywhere else", "auth" },
	{ "GET", "/api/v1/auth/tokens", h_tokens_list, NULL, 0,
	    "One's own API tokens", "auth" },
	{ "POST", "/api/v1/auth/tokens", h_token_create, NULL, R_BODY,
	    "Make an API token (the secret is answered once)", "auth" },
	{ "DELETE", "/api/v1/auth/tokens/{id}", h_token_delete, NULL, 0,
	    "Revoke an API token (one's own; an admin: anyone's)", "auth" },
	{ "GET", "/api/v1/auth/calendar-feed", h_calfeed_status, NULL, 0,
	    "Whether one has a live calendar feed address, and since when (the "
	    "address itself is shown only when made)", "activities" },
	{ "POST", "/api/v1/auth/calendar-feed", h_calfeed_create, NULL, 0,
	    "Make one's secret iCalendar feed address (answered once; replaces "
	    "the one before)", "auth" },
	{ "DELETE", "/api/v1/auth/calendar-feed", h_calfeed_delete, NULL, 0,
	    "Revoke one's iCalendar feed address", "auth" },
	{ "GET", "/ical/{secret}", h_calfeed_get, NULL, R_PUBLIC | R_SECRET,
	    "One's open tasks and meetings as text/calendar (the address from "
	    "POST /api/v1/auth/calendar-feed, ending in .ics)", "activities" },
	{ "POST", "/api/v1/auth/unlock", h_user_unlock, NULL, R_BODY,
	    "Lift an account's sign-in lockout (admin)", "auth" },
	{ "GET", "/api/v1/system/state", h_system_get, NULL, R_ANYSTATE,
	    "The system state: normal, read_only or locked", "system" },
	{ "PUT", "/api/v1/system/state", h_system_put, NULL, R_BODY | R_ANYSTATE,
	    "Set or lift the system state (admin)", "system" },
	{ "GET", "/api/v1/system/backups", h_backups_get, NULL, 0,
	    "Recent backups, the schedule, and whether the last good one is "
	    "too old (admin)", "system" },
	{ "POST", "/api/v1/system/backups", h_backups_post, NULL, 0,
	    "Start a backup now, as a background job (admin)", "system" },
	{ "GET", "/api/v1/system/mail", h_mail_status, NULL, 0,
	    "The mail outbox: queued, sent, failed, the last error (admin)",
	    "system" },
	{ "POST", "/api/v1/system/mail/test", h_mail_test, NULL, R_BODY,
	    "Queue a test mail to an address (admin; audited)", "system" },
	{ "GET", "/api/v1/notifications", h_notify_list, NULL, 0,
	    "Your notifications, unread first, newest first", "notifications" },
	{ "GET", "/api/v1/notifications/count", h_notify_count, NULL, 0,
	    "How many of your notifications are unread", "notifications" },
	{ "GET", "/api/v1/notifications/stream", h_notify_stream, NULL, 0,
	    "Your unread count, live (Server-Sent Events)", "notifications" },
	{ "POST", "/api/v1/notifications/read-all", h_notify_read_all, NULL, 0,
	    "Mark all your notifications read", "notifications" },
	{ "POST", "/api/v1/notifications/{id}/read", h_notify_read, NULL, 0,
	    "Mark one of your notifications read", "notifications" },
	{ "GET", "/api/v1/currencies", h_currencies_list, NULL, 0,
	    "The ISO 4217 currencies this server knows, with their minor-unit "
	    "digits, and the base currency", "currencies" },
	{ "GET", "/api/v1/currencies/base", h_currency_base_get, NULL, 0,
	    "The company's base currency (EUR until an admin sets it)",
	    "currencies" },
	{ "PUT", "/api/v1/currencies/base", h_currency_base_put, NULL, R_BODY,
	    "Set the base currency, {currency} (admin; refused with 409 while "
	    "exchange rates are stored)", "currencies" },
	{ "GET", "/api/v1/currencies/rates", h_currency_rates_list, NULL, 0,
	    "Exchange rates to the base currency, newest date first; filters "
	    "currency, from, to", "currencies" },
	{ "PUT", "/api/v1/currencies/rates", h_currency_rate_put, NULL, R_BODY,
	    "Set the rate of a currency on a date, {currency, date, rate} with "
	    "rate a decimal string: 1 unit = rate base units (admin)",
	    "currencies" },
	{ "POST", "/api/v1/currencies/rates/import", h_currency_rates_import,
	    NULL, 0, "Import rates from CSV lines currency,date,rate; all or "
	    "nothing, every bad line named (admin)", "currencies" },
	{ "DELETE", "/api/v1/currencies/rates/{id}", h_currency_rate_delete,
	    NULL, 0, "Delete one exchange rate (admin)", "currencies" },
	{ "POST", "/api/v1/auth/2fa/verify", h_2fa_verify, NULL,
	    R_BODY | R_2FA_STEP | R_ANYSTATE, "Second sign-in step: {code}, "
	    "{recovery_code} or {assertion}", "two-factor" },
	{ "POST", "/api/v1/auth/step-up", h_2fa_stepup, NULL, R_BODY,
	    "Prove a second factor again before sensitive work", "two-factor" },
	{ "GET", "/api/v1/auth/2fa", h_2fa_status, NULL, R_2FA_ENROL,
	    "Your second factors: app, keys, recovery codes left", "two-factor" },
	{ "POST", "/api/v1/auth/2fa/totp", h_totp_begin, NULL, R_2FA_ENROL,
	    "Start setting up an authenticator app (secret and QR code)",
	    "two-factor" },
	{ "POST", "/api/v1/auth/2fa/totp/confirm", h_totp_confirm, NULL,
	    R_BODY | R_2FA_ENROL, "Turn the authenticator app on with a code; "
	    "answers the recovery codes once", "two-factor" },
	{ "DELETE", "/api/v1/auth/2fa/totp", h_totp_disable, NULL, R_BODY,
	    "Turn the authenticator app off ({password} or {code})",
	    "two-factor" },
	{ "POST", "/api/v1/auth/2fa/recovery-codes", h_recovery_regenerate,
	    NULL, R_BODY, "New recovery codes ({code}); the old ones stop "
	    "working", "two-factor" },
	{ "POST", "/api/v1/auth/webauthn/register/options",
	    h_wa_register_options, NULL, R_2FA_ENROL, "Options for "
	    "navigator.credentials.create() to add a security key",
	    "two-factor" },
	{ "POST", "/api/v1/auth/webauthn/register/finish",
	    h_wa_register_finish, NULL, R_BODY | R_2FA_ENROL, "Check and store "
	    "a new security key ({credential, name})", "two-factor" },
	{ "POST", "/api/v1/auth/webauthn/login/options", h_wa_login_options,
	    NULL, R_2FA_STEP | R_ANYSTATE, "Options for "
	    "navigator.credentials.get() (second step or step-up)", "two-factor" },
	{ "GET", "/api/v1/auth/webauthn/credentials", h_wa_credentials, NULL, 0,
	    "Your security keys", "two-factor" },
	{ "PATCH", "/api/v1/auth/webauthn/credentials/{id}",
	    h_wa_credential_rename, NULL, R_BODY, "Rename one of your security "
	    "keys", "two-factor" },
	{ "DELETE", "/api/v1/auth/webauthn/credentials/{id}",
	    h_wa_credential_delete, NULL, 0, "Remove one of your security keys",
	    "two-factor" },
	{ "GET", "/api/v1/companies", h_rec_list, COMPANY, 0,
	    "List, filter, search and page companies", "companies" },
	{ "POST", "/api/v1/companies", h_rec_create, COMPANY, R_BODY,
	    "Create a company", "companies" },
	{ "GET", "/api/v1/companies/export", h_rec_export, COMPANY, 0,
	    "The list of companies as a CSV or XLSX file, with the list's filters, "
	    "search and sort (the export right; audited)", "companies" },
	{ "GET", "/api/v1/companies/{id}", h_rec_get, COMPANY, 0,
	    "Read a company", "companies" },
	{ "PATCH", "/api/v1/companies/{id}", h_rec_update, COMPANY, R_BODY,
	    "Change fields of a company (If-Match)", "companies" },
	{ "DELETE", "/api/v1/companies/{id}", h_rec_delete, COMPANY, 0,
	    "Move a company to the trash", "companies" },
	{ "POST", "/api/v1/companies/{id}/restore", h_rec_restore, COMPANY, 0,
	    "Restore a company from the trash", "companies" },
	{ "GET", "/api/v1/companies/{id}/shares", h_share_list, COMPANY, 0,
	    "Who a company is shared with", "sharing" },
	{ "POST", "/api/v1/companies/{id}/shares", h_share_add, COMPANY, R_BODY,
	    "Share a company with a user or department", "sharing" },
	{ "DELETE", "/api/v1/companies/{id}/shares/{sub}", h_share_delete, COMPANY, 0,
	    "Stop sharing a company", "sharing" },
	{ "GET", "/api/v1/companies/{id}/history", h_rec_history, COMPANY, 0,
	    "Who changed what in a company, and when (the audit right)", "audit" },
	{ "POST", "/api/v1/companies/transfer", h_transfer, COMPANY, R_BODY,
	    "Give companies to new owners (one, many, or all of a user's)",
	    "sharing" },
	{ "GET", "/api/v1/contacts", h_rec_list, CONTACT, 0,
	    "List, filter, search and page contacts", "contacts" },
	{ "POST", "/api/v1/contacts", h_rec_create, CONTACT, R_BODY,
	    "Create a contact", "contacts" },
	{ "GET", "/api/v1/contacts/export", h_rec_export, CONTACT, 0,
	    "The list of contacts as a CSV or XLSX file, with the list's filters, "
	    "search and sort (the export right; audited)", "contacts" },
	{ "GET", "/api/v1/contacts/{id}", h_rec_get, CONTACT, 0,
	    "Read a contact", "contacts" },
	{ "PATCH", "/api/v1/contacts/{id}", h_rec_update, CONTACT, R_BODY,
	    "Change fields of a contact (If-Match)", "contacts" },
	{ "DELETE", "/api/v1/contacts/{id}", h_rec_delete, CONTACT, 0,
	    "Move a contact to the trash", "contacts" },
	{ "POST", "/api/v1/contacts/{id}/restore", h_rec_restore, CONTACT, 0,
	    "Restore a contact from the trash", "contacts" },
	{ "GET", "/api/v1/contacts/{id}/shares", h_share_list, CONTACT, 0,
	    "Who a contact is shared with", "sharing" },
	{ "POST", "/api/v1/contacts/{id}/shares", h_share_add, CONTACT, R_BODY,
	    "Share a contact with a user or department", "sharing" },
	{ "DELETE", "/api/v1/contacts/{id}/shares/{sub}", h_share_delete, CONTACT, 0,
	    "Stop sharing a contact", "sharing" },
	{ "GET", "/api/v1/contacts/{id}/history", h_rec_history, CONTACT, 0,
	    "Who changed what in a contact, and when (the audit right)", "audit" },
	{ "POST", "/api/v1/contacts/transfer", h_transfer, CONTACT, R_BODY,
	    "Give contacts to new owners (one, many, or all of a user's)",
	    "sharing" },
	{ "GET", "/api/v1/deals", h_rec_list, DEAL, 0,
	    "List, filter, search and page deals (stuck=true: past their "
	    "stage's time limit)", "deals" },
	{ "POST", "/api/v1/deals", h_rec_create, DEAL, R_BODY,
	    "Create a deal (in the first stage of the first pipeline unless "
	    "told)", "deals" },
	{ "GET", "/api/v1/deals/board", h_deal_board, NULL, 0,
	    "The Kanban board of a pipeline: per stage, totals and the newest "
	    "cards, with the list's filters", "deals" },
	{ "GET", "/api/v1/deals/export", h_rec_export, DEAL, 0,
	    "The list of deals as a CSV or XLSX file, with the list's filters, "
	    "search and sort (the export right; audited)", "deals" },
	{ "GET", "/api/v1/deals/{id}", h_rec_get, DEAL, 0,
	    "Read a deal", "deals" },
	{ "PATCH", "/api/v1/deals/{id}", h_rec_update, DEAL, R_BODY,
	    "Change fields of a deal (If-Match)", "deals" },
	{ "DELETE", "/api/v1/deals/{id}", h_rec_delete, DEAL, 0,
	    "Move a deal to the trash", "deals" },
	{ "POST", "/api/v1/deals/{id}/restore", h_rec_restore, DEAL, 0,
	    "Restore a deal from the trash", "deals" },
	{ "POST", "/api/v1/deals/{id}/move", h_deal_move, NULL, R_BODY,
	    "Move a deal to another stage of its pipeline (lost: with a "
	    "reason); recorded in its stage history", "deals" },
	{ "GET", "/api/v1/deals/{id}/items", h_deal_items, NULL, 0,
	    "A deal's line items with their totals (they are written with the "
	    "deal: \"items\" in POST or PATCH)", "deals" },
	{ "GET", "/api/v1/deals/{id}/stages", h_deal_stages, NULL, 0,
	    "The stages a deal went through and the time spent in each",
	    "deals" },
	{ "GET", "/api/v1/deals/{id}/shares", h_share_list, DEAL, 0,
	    "Who a deal is shared with", "sharing" },
	{ "POST", "/api/v1/deals/{id}/shares", h_share_add, DEAL, R_BODY,
	    "Share a deal with a user or department", "sharing" },
	{ "DELETE", "/api/v1/deals/{id}/shares/{sub}", h_share_delete, DEAL, 0,
	    "Stop sharing a deal", "sharing" },
	{ "GET", "/api/v1/deals/{id}/history", h_rec_history, DEAL, 0,
	    "Who changed what in a deal, and when (the audit right)", "audit" },
	{ "POST", "/api/v1/deals/transfer", h_transfer, DEAL, R_BODY,
	    "Give deals to new owners (one, many, or all of a user's)",
	    "sharing" },
	{ "GET", "/api/v1/activities", h_rec_list, ACTIVITY, 0,
	    "List, filter, search and page activities (tasks, calls, meetings, "
	    "emails, notes)", "activities" },
	{ "POST", "/api/v1/activities", h_rec_create, ACTIVITY, R_BODY,
	    "Create an activity of a kind", "activities" },
	{ "GET", "/api/v1/activities/my-day", h_activity_my_day, NULL, 0,
	    "Open tasks and planned meetings of a user: overdue, today, "
	    "tomorrow, the rest of the week", "activities" },
	{ "GET", "/api/v1/activities/export", h_rec_export, ACTIVITY, 0,
	    "The list of activities as a CSV or XLSX file, with the list's filters, "
	    "search and sort (the export right; audited)", "activities" },
	{ "GET", "/api/v1/activities/{id}", h_rec_get, ACTIVITY, 0,
	    "Read an activity", "activities" },
	{ "PATCH", "/api/v1/activities/{id}", h_rec_update, ACTIVITY, R_BODY,
	    "Change fields of an activity (If-Match)", "activities" },
	{ "DELETE", "/api/v1/activities/{id}", h_rec_delete, ACTIVITY, 0,
	    "Move an activity to the trash", "activities" },
	{ "POST", "/api/v1/activities/{id}/restore", h_rec_restore, ACTIVITY, 0,
	    "Restore an activity from the trash", "activities" },
	{ "POST", "/api/v1/activities/{id}/complete", h_activity_complete, NULL,
	    0, "Mark a task done (If-Match optional)", "activities" },
	{ "POST", "/api/v1/activities/{id}/reopen", h_activity_reopen, NULL, 0,
	    "Open a done or cancelled task again (If-Match optional)",
	    "activities" },
	{ "GET", "/api/v1/activities/{id}/comments", h_comment_list, NULL, 0,
	    "The comments on an activity, oldest first", "activities" },
	{ "POST", "/api/v1/activities/{id}/comments", h_comment_add, NULL,
	    R_BODY, "Comment on an activity one may read {body}", "activities" },
	{ "DELETE", "/api/v1/activities/{id}/comments/{sub}", h_comment_delete,
	    NULL, 0, "Remove a comment (one's own; an admin: any)",
	    "activities" },
	{ "GET", "/api/v1/activities/{id}/shares", h_share_list, ACTIVITY, 0,
	    "Who an activity is shared with", "sharing" },
	{ "POST", "/api/v1/activities/{id}/shares", h_share_add, ACTIVITY, R_BODY,
	    "Share an activity with a user or department", "sharing" },
	{ "DELETE", "/api/v1/activities/{id}/shares/{sub}", h_share_delete,
	    ACTIVITY, 0, "Stop sharing an activity", "sharing" },
	{ "GET", "/api/v1/activities/{id}/history", h_rec_history, ACTIVITY, 0,
	    "Who changed what in an activity, and when (the audit right)",
	    "audit" },
	{ "POST", "/api/v1/activities/transfer", h_transfer, ACTIVITY, R_BODY,
	    "Give activities to new owners (one, many, or all of a user's)",
	    "sharing" },
	{ "GET", "/api/v1/tickets", h_rec_list, TICKET, 0,
	    "List, filter, search and page service desk tickets", "tickets" },
	{ "POST", "/api/v1/tickets", h_rec_create, TICKET, R_BODY,
	    "Open a ticket (the contact found by email or phone when not "
	    "given; assigned by its queue's rule when no owner_id)", "tickets" },
	{ "GET", "/api/v1/tickets/export", h_rec_export, TICKET, 0,
	    "The list of tickets as a CSV or XLSX file, with the list's filters, "
	    "search and sort (the export right; audited)", "tickets" },
	{ "GET", "/api/v1/tickets/{id}", h_rec_get, TICKET, 0,
	    "Read a ticket with its SLA due times", "tickets" },
	{ "PATCH", "/api/v1/tickets/{id}", h_rec_update, TICKET, R_BODY,
	    "Change fields of a ticket, its status along the workflow "
	    "(If-Match)", "tickets" },
	{ "DELETE", "/api/v1/tickets/{id}", h_rec_delete, TICKET, 0,
	    "Move a ticket to the trash", "tickets" },
	{ "POST", "/api/v1/tickets/{id}/restore", h_rec_restore, TICKET, 0,
	    "Restore a ticket from the trash", "tickets" },
	{ "GET", "/api/v1/tickets/{id}/messages", h_ticket_messages, NULL, 0,
	    "A ticket's public replies and internal notes, oldest first",
	    "tickets" },
	{ "POST", "/api/v1/tickets/{id}/messages", h_ticket_message_add, NULL,
	    R_BODY, "Reply to a ticket or note on it {kind: public|internal, "
	    "body, contact_id?} (the ticket's update right)", "tickets" },
	{ "POST", "/api/v1/tickets/{id}/merge", h_ticket_merge, NULL, R_BODY,
	    "Merge a duplicate into another ticket {into}: messages and links "
	    "move, the duplicate is closed", "tickets" },
	{ "GET", "/api/v1/desk/mailbox", h_desk_mailbox_get, NULL, 0,
	    "The service desk's IMAP mailbox: settings (never the password) "
	    "and the last check (admin)", "tickets" },
	{ "PUT", "/api/v1/desk/mailbox", h_desk_mailbox_put, NULL, R_BODY,
	    "Change the mailbox settings given (admin; audited)", "tickets" },
	{ "POST", "/api/v1/desk/mailbox/check", h_desk_mailbox_check, NULL, 0,
	    "Read the mailbox now: new mail becomes tickets, replies messages "
	    "(admin)", "tickets" },
	{ "POST", "/api/v1/tickets/{id}/documents", h_doc_upload, TICKET,
	    R_UPLOAD, "Attach a file to a ticket (multipart/form-data, one "
	    "part named file)", "documents" },
	{ "GET", "/api/v1/tickets/{id}/documents", h_doc_list, TICKET, 0,
	    "A ticket's documents, newest first (deleted=true: its trash); a "
	    "mail's attachments land here", "documents" },
	{ "GET", "/api/v1/tickets/{id}/shares", h_share_list, TICKET, 0,
	    "Who a ticket is shared with", "sharing" },
	{ "POST", "/api/v1/tickets/{id}/shares", h_share_add, TICKET, R_BODY,
	    "Share a ticket with a user or department", "sharing" },
	{ "DELETE", "/api/v1/tickets/{id}/shares/{sub}", h_share_delete, TICKET,
	    0, "Stop sharing a ticket", "sharing" },
	{ "GET", "/api/v1/tickets/{id}/history", h_rec_history, TICKET, 0,
	    "Who changed what in a ticket, and when (the audit right)", "audit" },
	{ "POST", "/api/v1/tickets/transfer", h_transfer, TICKET, R_BODY,
	    "Give tickets to new owners (one, many, or all of a user's)",
	    "sharing" },
	{ "GET", "/api/v1/sla-policies", h_desk_list, NULL, 0,
	    "SLA policies in the order they are matched", "tickets" },
	{ "POST", "/api/v1/sla-policies", h_desk_create, NULL, R_BODY,
	    "Add an SLA policy (admin)", "tickets" },
	{ "GET", "/api/v1/sla-policies/{id}", h_desk_get, NULL, 0,
	    "Read an SLA policy", "tickets" },
	{ "PATCH", "/api/v1/sla-policies/{id}", h_desk_update, NULL, R_BODY,
	    "Change an SLA policy (admin)", "tickets" },
	{ "DELETE", "/api/v1/sla-policies/{id}", h_desk_delete, NULL, 0,
	    "Delete an SLA policy no running clock uses (admin)", "tickets" },
	{ "GET", "/api/v1/queues", h_desk_list, NULL, 0,
	    "Ticket queues with their members and rule", "tickets" },
	{ "POST", "/api/v1/queues", h_desk_create, NULL, R_BODY,
	    "Add a queue {name, rule, members, category_map} (admin)",
	    "tickets" },
	{ "GET", "/api/v1/queues/{id}", h_desk_get, NULL, 0,
	    "Read a queue", "tickets" },
	{ "PATCH", "/api/v1/queues/{id}", h_desk_update, NULL, R_BODY,
	    "Change a queue (admin)", "tickets" },
	{ "DELETE", "/api/v1/queues/{id}", h_desk_delete, NULL, 0,
	    "Delete a queue no ticket or policy names (admin)", "tickets" },
	{ "GET", "/api/v1/canned-responses", h_desk_list, NULL, 0,
	    "Canned responses", "tickets" },
	{ "POST", "/api/v1/canned-responses", h_desk_create, NULL, R_BODY,
	    "Add a canned response {name, body with {{placeholders}}} (admin)",
	    "tickets" },
	{ "GET", "/api/v1/canned-responses/{id}", h_desk_get, NULL, 0,
	    "Read a canned response", "tickets" },
	{ "PATCH", "/api/v1/canned-responses/{id}", h_desk_update, NULL, R_BODY,
	    "Change a canned response (admin)", "tickets" },
	{ "DELETE", "/api/v1/canned-responses/{id}", h_desk_delete, NULL, 0,
	    "Delete a canned response (admin)", "tickets" },
	{ "POST", "/api/v1/canned-responses/{id}/render", h_canned_render, NULL,
	    R_BODY, "Fill a canned response for a ticket {ticket_id}: "
	    "{body} as plain text", "tickets" },
	{ "GET", "/api/v1/desk/forms", h_desk_list, NULL, 0,
	    "Web forms for the company's sites, with their public keys and "
	    "rate limits (admin)", "tickets" },
	{ "POST", "/api/v1/desk/forms", h_desk_create, NULL, R_BODY,
	    "Add a web form {name, origins?, fields?, queue_id?, category?, "
	    "priority?, title?, thanks?, enabled?, address_max?, "
	    "address_window_min?, form_max?, form_window_min?}; the server "
	    "makes its public_key (admin; audited)", "tickets" },
	{ "GET", "/api/v1/desk/forms/{id}", h_desk_get, NULL, 0,
	    "Read a web form (admin)", "tickets" },
	{ "PATCH", "/api/v1/desk/forms/{id}", h_desk_update, NULL, R_BODY,
	    "Change a web form (admin; audited)", "tickets" },
	{ "DELETE", "/api/v1/desk/forms/{id}", h_desk_delete, NULL, 0,
	    "Delete a web form; its tickets stay (admin; audited)", "tickets" },
	{ "GET", "/f/{key}", h_webform_page, NULL, R_PUBLIC | R_SECRET,
	    "A web form's page (text/html) to embed in an <iframe> on the sites "
	    "the form allows; errors as pages for browsers", "public" },
	{ "POST", "/api/v1/public/forms/{key}/tickets", h_webform_submit, NULL,
	    R_PUBLIC | R_SECRET | R_CORS, "Send a web form without signing in: "
	    "JSON (answers 201 {received, ticket_id}) or a form post, urlencoded "
	    "or multipart without files (answers a page, errors too); "
	    "rate-limited per address and per form (429, Retry-After)",
	    "public" },
	{ "OPTIONS", "/api/v1/public/forms/{key}/tickets", h_webform_preflight,
	    NULL, R_PUBLIC | R_SECRET | R_CORS, "CORS preflight for the sites a "
	    "web form allows", "public" },
	{ "GET", "/r/{token}", h_csat_page, NULL, R_PUBLIC | R_SECRET,
	    "The satisfaction question of a resolved ticket (text/html), from "
	    "the link in its mail", "public" },
	{ "POST", "/r/{token}", h_csat_answer, NULL, R_PUBLIC | R_SECRET,
	    "Answer the satisfaction question once: a form post rating=1..5 and "
	    "comment (answers a page) or JSON {rating, comment?}", "public" },
	{ "GET", "/api/v1/kb/categories", h_desk_list, NULL, 0,
	    "Knowledge base categories", "kb" },
	{ "POST", "/api/v1/kb/categories", h_desk_create, NULL, R_BODY,
	    "Add a category {name, position?} (admin)", "kb" },
	{ "GET", "/api/v1/kb/categories/{id}", h_desk_get, NULL, 0,
	    "Read a category", "kb" },
	{ "PATCH", "/api/v1/kb/categories/{id}", h_desk_update, NULL, R_BODY,
	    "Change a category (admin)", "kb" },
	{ "DELETE", "/api/v1/kb/categories/{id}", h_desk_delete, NULL, 0,
	    "Delete a category no article is in (admin)", "kb" },
	{ "GET", "/api/v1/kb/articles", h_kb_list, NULL, 0,
	    "The articles one may read (public: everyone; internal: the desk's "
	    "staff); q finds every word in any language, category_id", "kb" },
	{ "POST", "/api/v1/kb/articles", h_desk_create, NULL, R_BODY,
	    "Write an article {title, body (Markdown), visibility: "
	    "internal|public, category_id?, quiz?}; body_html is rendered and "
	    "sanitised on the server (admin)", "kb" },
	{ "GET", "/api/v1/kb/articles/{id}", h_kb_get, NULL, 0,
	    "Read an article: body and its sanitised body_html; a quiz without "
	    "its answers", "kb" },
	{ "PATCH", "/api/v1/kb/articles/{id}", h_desk_update, NULL, R_BODY,
	    "Change an article (admin)", "kb" },
	{ "DELETE", "/api/v1/kb/articles/{id}", h_desk_delete, NULL, 0,
	    "Delete an article and its quiz results (admin)", "kb" },
	{ "POST", "/api/v1/kb/articles/{id}/quiz", h_kb_quiz, NULL, R_BODY,
	    "Take a training article's quiz {answers: [choice index per "
	    "question]}: {score, total, correct}", "kb" },
	{ "GET", "/api/v1/kb/articles/{id}/quiz-results", h_kb_results, NULL, 0,
	    "Quiz results: one's own, a head's department's, all for an "
	    "administrator", "kb" },
	{ "GET", "/api/v1/reports/support", h_report_support, NULL, 0,
	    "The support dashboard over the tickets one may read: open by age "
	    "and status, SLA compliance, response and resolution times, "
	    "satisfaction, per agent and queue; from, to", "reports" },
	{ "POST", "/api/v1/calls", h_call_post, NULL, R_BODY,
	    "Log a call event from a PBX {direction, phone, started_at, "
	    "duration_s, result?, external_id?} as a call of the token's user, "
	    "linked to the contact whose phone matches; a known external_id "
	    "answers 200 with the call already logged", "activities" },
	{ "GET", "/api/v1/companies/{id}/timeline", h_timeline, COMPANY, 0,
	    "Everything that happened with a company, newest first",
	    "activities" },
	{ "GET", "/api/v1/contacts/{id}/timeline", h_timeline, CONTACT, 0,
	    "Everything that happened with a contact, newest first",
	    "activities" },
	{ "GET", "/api/v1/deals/{id}/timeline", h_timeline, DEAL, 0,
	    "Everything that happened with a deal, newest first", "activities" },
	{ "POST", "/api/v1/companies/{id}/documents", h_doc_upload, COMPANY,
	    R_UPLOAD, "Attach a file to a company (multipart/form-data, one "
	    "part named file)", "documents" },
	{ "GET", "/api/v1/companies/{id}/documents", h_doc_list, COMPANY, 0,
	    "A company's documents, newest first (deleted=true: its trash)",
	    "documents" },
	{ "POST", "/api/v1/contacts/{id}/documents", h_doc_upload, CONTACT,
	    R_UPLOAD, "Attach a file to a contact (multipart/form-data, one "
	    "part named file)", "documents" },
	{ "GET", "/api/v1/contacts/{id}/documents", h_doc_list, CONTACT, 0,
	    "A contact's documents, newest first (deleted=true: its trash)",
	    "documents" },
	{ "POST", "/api/v1/deals/{id}/documents", h_doc_upload, DEAL, R_UPLOAD,
	    "Attach a file to a deal (multipart/form-data, one part named "
	    "file)", "documents" },
	{ "GET", "/api/v1/deals/{id}/documents", h_doc_list, DEAL, 0,
	    "A deal's documents, newest first (deleted=true: its trash)",
	    "documents" },
	{ "POST", "/api/v1/activities/{id}/documents", h_doc_upload, ACTIVITY,
	    R_UPLOAD, "Attach a file to an activity (multipart/form-data, one "
	    "part named file)", "documents" },
	{ "GET", "/api/v1/activities/{id}/documents", h_doc_list, ACTIVITY, 0,
	    "An activity's documents, newest first (deleted=true: its "
	    "trash)", "documents" },
	{ "GET", "/api/v1/documents/{id}", h_doc_get, NULL, 0,
	    "A document's name, type, size and record", "documents" },
	{ "GET", "/api/v1/documents/{id}/content", h_doc_content, NULL, 0,
	    "Download a document (audited); inline=1 for a preview of an "
	    "image or PDF", "documents" },
	{ "DELETE", "/api/v1/documents/{id}", h_doc_delete, NULL, 0,
	    "Move a document to the trash (the record's update right)",
	    "documents" },
	{ "POST", "/api/v1/documents/{id}/restore", h_doc_restore, NULL, 0,
	    "Take a document back from the trash (the record's update right)",
	    "documents" },
	{ "POST", "/api/v1/imports", h_import_upload, NULL, R_UPLOAD,
	    "Upload a CSV or XLSX file to import (multipart/form-data: file, "
	    "entity, optional encoding, delimiter, sheet); answers the header, "
	    "the first rows, a suggested mapping and the fields", "imports" },
	{ "GET", "/api/v1/imports", h_import_list, NULL, 0,
	    "The imports, newest first: one's own, all for administrators",
	    "imports" },
	{ "GET", "/api/v1/imports/fields", h_import_fields, NULL, 0,
	    "What the columns of a file can be mapped to (entity=...), each "
	    "with its type", "imports" },
	{ "GET", "/api/v1/imports/{id}", h_import_get, NULL, 0,
	    "One import: status, progress, counts, mapping, options, the dry "
	    "run's result and the first 100 errors", "imports" },
	{ "PATCH", "/api/v1/imports/{id}", h_import_update, NULL, R_BODY,
	    "Change the sheet, encoding, delimiter, header row (the header and "
	    "sample are read again), mapping or options", "imports" },
	{ "POST", "/api/v1/imports/{id}/dry-run", h_import_dry_run, NULL, 0,
	    "Check the whole file without writing (202; the result on GET)",
	    "imports" },
	{ "POST", "/api/v1/imports/{id}/run", h_import_run, NULL, 0,
	    "Import (202; progress on GET): mode all needs a dry run without "
	    "errors", "imports" },
	{ "GET", "/api/v1/imports/{id}/errors", h_import_errors, NULL, 0,
	    "Every bad cell as CSV: row,column,value,reason", "imports" },
	{ "POST", "/api/v1/imports/{id}/undo", h_import_undo, NULL, 0,
	    "Undo a finished import: created records to the trash, updated "
	    "ones restored unless changed since", "imports" },
	{ "GET", "/api/v1/search", h_search, NULL, 0,
	    "Search companies, contacts, deals and tickets", "search" },
	{ "GET", "/api/v1/custom-fields", h_cf_list, NULL, 0,
	    "Custom field definitions of an entity", "custom fields" },
	{ "POST", "/api/v1/custom-fields", h_cf_create, NULL, R_BODY,
	    "Define a custom field (admin)", "custom fields" },
	{ "PATCH", "/api/v1/custom-fields/{id}", h_cf_update, NULL, R_BODY,
	    "Change a custom field (admin)", "custom fields" },
	{ "DELETE", "/api/v1/custom-fields/{id}", h_cf_delete, NULL, 0,
	    "Delete a custom field (admin)", "custom fields" },
	{ "GET", "/api/v1/users", h_staff_list, NULL, 0,
	    "The user directory: department, role, active", "users" },
	{ "POST", "/api/v1/users", h_staff_create, NULL, R_BODY,
	    "Add a user (admin)", "users" },
	{ "GET", "/api/v1/users/{id}", h_staff_get, NULL, 0, "Read a user",
	    "users" },
	{ "PATCH", "/api/v1/users/{id}", h_staff_update, NULL, R_BODY,
	    "Change a user's name, department, role or activity (admin)",
	    "users" },
	{ "GET", "/api/v1/users/{id}/absences", h_absence_list, NULL, 0,
	    "A person's absences (vacation, sick, other), whole days; from/to "
	    "keep those overlapping a range (admin, the person, their heads)",
	    "users" },
	{ "POST", "/api/v1/users/{id}/absences", h_absence_create, NULL, R_BODY,
	    "Record an absence {from, to, kind, note?} (admin)", "users" },
	{ "PATCH", "/api/v1/users/{id}/absences/{sub}", h_absence_update, NULL,
	    R_BODY, "Change an absence (admin)", "users" },
	{ "DELETE", "/api/v1/users/{id}/absences/{sub}", h_absence_delete, NULL,
	    0, "Delete an absence (admin)", "users" },
	{ "GET", "/api/v1/audit", h_audit_list, NULL, 0,
	    "The audit log, newest first, with filters (admin)", "audit" },
	{ "GET", "/api/v1/audit/export", h_audit_export, NULL, 0,
	    "The audit log as CSV, with the same filters; the export is "
	    "itself logged (admin)", "audit" },
	{ "GET", "/api/v1/audit/verify", h_audit_verify, NULL, 0,
	    "Check the audit chain and its signed checkpoints (admin)", "audit" },
	{ "GET", "/api/v1/pipelines", h_pipeline_list, NULL, 0,
	    "Sales pipelines with their stages", "sales" },
	{ "POST", "/api/v1/pipelines", h_pipeline_create, NULL, R_BODY,
	    "Define a pipeline and its stages (admin)", "sales" },
	{ "GET", "/api/v1/pipelines/{id}", h_pipeline_get, NULL, 0,
	    "Read a pipeline", "sales" },
	{ "PATCH", "/api/v1/pipelines/{id}", h_pipeline_update, NULL, R_BODY,
	    "Rename, archive or restage a pipeline (admin)", "sales" },
	{ "DELETE", "/api/v1/pipelines/{id}", h_pipeline_delete, NULL, 0,
	    "Delete a pipeline (admin)", "sales" },
	{ "GET", "/api/v1/lost-reasons", h_lost_reason_list, NULL, 0,
	    "Why deals are lost: the editable list", "sales" },
	{ "POST", "/api/v1/lost-reasons", h_lost_reason_create, NULL, R_BODY,
	    "Add a lost reason (admin)", "sales" },
	{ "PATCH", "/api/v1/lost-reasons/{id}", h_lost_reason_update, NULL,
	    R_BODY, "Rename or retire a lost reason (admin)", "sales" },
	{ "DELETE", "/api/v1/lost-reasons/{id}", h_lost_reason_delete, NULL, 0,
	    "Delete a lost reason (admin)", "sales" },
	{ "GET", "/api/v1/process-templates", h_proc_list, NULL, 0,
	    "Process templates, active ones (status=archived: the archived), "
	    "each with builtin, its current version and whether it is valid "
	    "today", "processes" },
	{ "POST", "/api/v1/process-templates", h_proc_create, NULL, R_BODY,
	    "Create a template from a definition (docs/processes.md); 422 names "
	    "every problem (admin)", "processes" },
	{ "POST", "/api/v1/process-templates/validate", h_proc_validate, NULL,
	    R_BODY, "Check a definition without saving it: {valid, errors}",
	    "processes" },
	{ "POST", "/api/v1/process-templates/wizard", h_proc_wizard, NULL,
	    R_BODY, "A ready, valid definition from a few answers {name, "
	    "entity, trigger?, steps: [{who, what, hours, approval?}]}; not "
	    "saved", "processes" },
	{ "POST", "/api/v1/process-templates/schedule-preview",
	    h_proc_schedule_preview, NULL, R_BODY, "The next occurrences of a "
	    "schedule trigger {cron, tz, count?}: {next: [UTC], local: [wall "
	    "clock of tz]}", "processes" },
	{ "GET", "/api/v1/process-templates/{id}", h_proc_get, NULL, 0,
	    "A template: its current definition (ETag: the version), "
	    "validation and versions", "processes" },
	{ "PUT", "/api/v1/process-templates/{id}", h_proc_update, NULL, R_BODY,
	    "Save a definition as the template's next version; If-Match on "
	    "the version (admin)", "processes" },
	{ "GET", "/api/v1/process-templates/{id}/versions/{sub}", h_proc_version,
	    NULL, 0, "One version of a template, as it was saved", "processes" },
	{ "POST", "/api/v1/process-templates/{id}/archive", h_proc_archive, NULL,
	    0, "Archive a template: it starts no new processes (admin)",
	    "processes" },
	{ "POST", "/api/v1/process-templates/{id}/restore", h_proc_restore, NULL,
	    0, "Bring an archived template back (admin)", "processes" },
	{ "GET", "/api/v1/process-templates/{id}/stats", h_prun_stats, NULL, 0,
	    "Per step of the template's instances: how many, the average and "
	    "the longest time, how many wait and are overdue", "processes" },
	{ "GET", "/api/v1/process-instances", h_prun_list, NULL, 0,
	    "The monitor: running, finished, overdue instances on records one "
	    "may read", "processes" },
	{ "POST", "/api/v1/process-instances", h_prun_start, NULL, R_BODY,
	    "Start a process by hand on a record one may read", "processes" },
	{ "GET", "/api/v1/process-instances/{id}", h_prun_get, NULL, 0,
	    "One instance: where it is, who holds it, since when, what is "
	    "overdue, and its steps", "processes" },
	{ "POST", "/api/v1/process-instances/{id}/cancel", h_prun_cancel, NULL,
	    0, "Cancel a running instance (who started it, its owner, an admin)",
	    "processes" },
	{ "POST", "/api/v1/process-steps/{id}/complete", h_prun_step_complete,
	    NULL, R_BODY, "Answer a waiting task or approval step (its assignee "
	    "or an admin)", "processes" },
	{ "GET", "/api/v1/units", h_unit_list, NULL, 0,
	    "Units of measure; whole ones take whole quantities only", "sales" },
	{ "POST", "/api/v1/units", h_unit_create, NULL, R_BODY,
	    "Add a unit, {name, whole} (admin)", "sales" },
	{ "PATCH", "/api/v1/units/{id}", h_unit_update, NULL, R_BODY,
	    "Rename a unit, or make it whole or decimal while no product uses "
	    "it (admin)", "sales" },
	{ "DELETE", "/api/v1/units/{id}", h_unit_delete, NULL, 0,
	    "Delete a unit no product uses (admin)", "sales" },
	{ "GET", "/api/v1/products", h_product_list, NULL, 0,
	    "Products by name; q searches name and SKU, active=true leaves out "
	    "retired ones; limit, cursor", "sales" },
	{ "POST", "/api/v1/products", h_product_create, NULL, R_BODY,
	    "Add a product: name, sku, unit_id, price in minor units, currency, "
	    "tax_rate as a percentage (admin)", "sales" },
	{ "GET", "/api/v1/products/{id}", h_product_get, NULL, 0,
	    "Read a product", "sales" },
	{ "PATCH", "/api/v1/products/{id}", h_product_update, NULL, R_BODY,
	    "Change or retire (active false) a product (admin)", "sales" },
	{ "DELETE", "/api/v1/products/{id}", h_product_delete, NULL, 0,
	    "Delete a product and its price list entries (admin; 409 while "
	    "deals use it)", "sales" },
	{ "GET", "/api/v1/price-lists", h_pricelist_list, NULL, 0,
	    "Price lists, each in one currency", "sales" },
	{ "POST", "/api/v1/price-lists", h_pricelist_create, NULL, R_BODY,
	    "Add a price list, {name, currency, items: [{product_id, price}]} "
	    "(admin)", "sales" },
	{ "GET", "/api/v1/price-lists/{id}", h_pricelist_get, NULL, 0,
	    "Read a price list with its prices", "sales" },
	{ "PATCH", "/api/v1/price-lists/{id}", h_pricelist_update, NULL, R_BODY,
	    "Change a price list; items, when given, replace all its prices "
	    "(admin)", "sales" },
	{ "DELETE", "/api/v1/price-lists/{id}", h_pricelist_delete, NULL, 0,
	    "Delete a price list (admin)", "sales" },
	{ "POST", "/api/v1/line-items/quote", h_line_quote, NULL, R_BODY,
	    "Price deal lines {currency, price_list_id?, items} and total "
	    "them, writing nothing", "sales" },
	{ "GET", "/api/v1/reports/funnel", h_report_funnel, NULL, 0,
	    "The sales funnel of a pipeline for the deals created in a period: "
	    "reached, moved on, conversion, time and value per stage, won and "
	    "lost with reasons", "reports" },
	{ "POST", "/api/v1/reports/validate", h_report_validate, NULL, R_BODY,
	    "Check a report description {definition}: its columns, or 422 with "
	    "each problem's path (docs/reports.md)", "reports" },
	{ "POST", "/api/v1/reports/run", h_report_preview, NULL, R_BODY,
	    "Run an unsaved report description {definition, tz?} (the "
	    "designer's preview; audited)", "reports" },
	{ "GET", "/api/v1/reports", h_report_list, NULL, 0,
	    "The library's ready reports, one's own and those shared with one "
	    "(an admin: all)", "reports" },
	{ "POST", "/api/v1/reports", h_report_create, NULL, R_BODY,
	    "Save a report {name, description?, definition, shares?}", "reports" },
	{ "GET", "/api/v1/reports/{id}", h_report_get, NULL, 0,
	    "One saved or ready report, with its definition and shares",
	    "reports" },
	{ "PUT", "/api/v1/reports/{id}", h_report_update, NULL, R_BODY,
	    "Replace a saved report's name, description, definition and shares "
	    "(its owner or an admin; If-Match)", "reports" },
	{ "DELETE", "/api/v1/reports/{id}", h_report_delete, NULL, 0,
	    "Delete a saved report (its owner or an admin)", "reports" },
	{ "GET", "/api/v1/reports/{id}/run", h_report_run, NULL, 0,
	    "Run a saved or ready report with the caller's rights; tz, and the "
	    "library's from, to, days (audited)", "reports" },
	{ "GET", "/api/v1/reports/{id}/export", h_report_export, NULL, 0,
	    "A report's run as a CSV or XLSX file (format=csv|xlsx; the export "
	    "right on its base entity; audited)", "reports" },
	{ "GET", "/api/v1/dashboard", h_dashboard_get, NULL, 0,
	    "One's own dashboard: the reports one pinned, in order, and the "
	    "web's layout", "reports" },
	{ "PUT", "/api/v1/dashboard", h_dashboard_put, NULL, R_BODY,
	    "Replace one's own dashboard {report_ids, layout?} (reports one may "
	    "see; audited)", "reports" },
	{ "POST", "/api/v1/dashboard/reset", h_dashboard_reset, NULL, 0,
	    "Drop one's own dashboard and see one's role's default again "
	    "(audited)", "reports" },
	{ "GET", "/api/v1/roles/{id}/dashboard", h_dashboard_role_get, NULL, 0,
	    "A role's default dashboard {report_ids, layout} (admin)",
	    "reports" },
	{ "PUT", "/api/v1/roles/{id}/dashboard", h_dashboard_role_put, NULL,
	    R_BODY, "Set a role's default dashboard {report_ids, layout?}: what "
	    "its members see until they save their own (admin; audited)",
	    "reports" },
	{ "GET", "/api/v1/report-subscriptions", h_rsub_list, NULL, 0,
	    "One's report subscriptions (an admin: all)", "reports" },
	{ "POST", "/api/v1/report-subscriptions", h_rsub_create, NULL, R_BODY,
	    "Mail a report on a schedule {report_id, format, schedule, "
	    "recipients, tz?, params?, active?}; each recipient gets it with "
	    "their own rights (audited)", "reports" },
	{ "GET", "/api/v1/report-subscriptions/{id}", h_rsub_get, NULL, 0,
	    "One report subscription (its owner or an admin)", "reports" },
	{ "PATCH", "/api/v1/report-subscriptions/{id}", h_rsub_update, NULL,
	    R_BODY, "Change a report subscription (its owner or an admin; "
	    "If-Match)", "reports" },
	{ "DELETE", "/api/v1/report-subscriptions/{id}", h_rsub_delete, NULL, 0,
	    "Stop and delete a report subscription (its owner or an admin)",
	    "reports" },
	{ "POST", "/api/v1/report-subscriptions/{id}/send-now", h_rsub_send_now,
	    NULL, 0, "Deliver a report subscription now, outside its schedule "
	    "(audited report.deliver; at most 5 an hour: 429, Retry-After)",
	    "reports" },
	{ "GET", "/api/v1/departments", h_dept_list, NULL, 0,
	    "The department tree, with heads and member counts", "organisation" },
	{ "POST", "/api/v1/departments", h_dept_create, NULL, R_BODY,
	    "Add a department (admin)", "organisation" },
	{ "PATCH", "/api/v1/departments/{id}", h_dept_update, NULL, R_BODY,
	    "Rename, move, set the heads or the work calendar of a department "
	    "(admin)",
	    "organisation" },
	{ "DELETE", "/api/v1/departments/{id}", h_dept_delete, NULL, 0,
	    "Delete an empty department (admin)", "organisation" },
	{ "GET", "/api/v1/work-calendars", h_workcal_list, NULL, 0,
	    "Working-hours calendars (without holidays), with the departments "
	    "that use each", "organisation" },
	{ "POST", "/api/v1/work-calendars", h_workcal_create, NULL, R_BODY,
	    "Define a working-hours calendar: time zone, week, holidays (admin)",
	    "organisation" },
	/* Before {id}: the first route that matches answers. */
	{ "GET", "/api/v1/work-calendars/effective", h_workcal_effective, NULL,
	    0, "The calendar a department or a user works by: its own, else "
	    "the nearest parent's, else the default", "organisation" },
	{ "GET", "/api/v1/work-calendars/{id}", h_workcal_get, NULL, 0,
	    "Read a working-hours calendar with its holidays (ETag: its "
	    "version)", "organisation" },
	{ "PATCH", "/api/v1/work-calendars/{id}", h_workcal_update, NULL, R_BODY,
	    "Change a calendar's name, zone, week or holidays (the whole list), "
	    "If-Match its ETag (admin)", "organisation" },
	{ "DELETE", "/api/v1/work-calendars/{id}", h_workcal_delete, NULL, 0,
	    "Delete a calendar no department uses; never the default (admin)",
	    "organisation" },
	{ "GET", "/api/v1/work-calendars/{id}/due", h_workcal_due, NULL, 0,
	    "When N working minutes after a moment are done (from, minutes), or "
	    "the working minutes between two moments (from, to)",
	    "organisation" },
	{ "GET", "/api/v1/plans", h_plan_grid, NULL, 0,
	    "The plan grid of a period: rows (company, departments, people the "
	    "caller may read) by metrics", "plans" },
	{ "PUT", "/api/v1/plans", h_plan_put, NULL, R_BODY,
	    "Set or clear targets {period, cells: [{scope, id, metric, target}]} "
	    "(admin; heads for their departments and people); audited", "plans" },
	{ "POST", "/api/v1/plans/split", h_plan_split, NULL, R_BODY,
	    "Share a department's plan among its people {department_id, metric, "
	    "period, mode: equal}; audited", "plans" },
	{ "GET", "/api/v1/plans/fact", h_plan_fact, NULL, 0,
	    "Plan vs actual of a period: percent, projection at the current "
	    "pace, pace needed, behind; rolled up the department tree",
	    "plans" },
	{ "POST", "/api/v1/plans/import", h_plan_import, NULL, R_UPLOAD,
	    "Targets from a CSV or XLSX file (multipart/form-data, one part "
	    "named file; columns who, metric, period, target): every bad cell "
	    "listed, written all or nothing; dry_run=true checks only; audited",
	    "plans" },
	{ "GET", "/api/v1/forecast", h_forecast, NULL, 0,
	    "Revenue expected per month for the next 3 to 12 months: the "
	    "weighted pipeline, the seasonal history, combined, with a range "
	    "and the history method's backtest (docs/api.md)", "plans" },
	{ "GET", "/api/v1/kpi/scorecards", h_kpi_card_list, NULL, 0,
	    "KPI scorecards: all for an admin, else those applying to someone "
	    "the caller may see", "kpi" },
	{ "POST", "/api/v1/kpi/scorecards", h_kpi_card_create, NULL, R_BODY,
	    "Define a scorecard {name, applies, user_ids | department_id | "
	    "role_id, period_kind, lines} (admin); audited", "kpi" },
	{ "GET", "/api/v1/kpi/scorecards/{id}", h_kpi_card_get, NULL, 0,
	    "One scorecard", "kpi" },
	{ "PATCH", "/api/v1/kpi/scorecards/{id}", h_kpi_card_update, NULL,
	    R_BODY, "Change a scorecard (admin, If-Match); closed periods keep "
	    "their results; audited", "kpi" },
	{ "DELETE", "/api/v1/kpi/scorecards/{id}", h_kpi_card_delete, NULL, 0,
	    "Delete a scorecard (admin); frozen results stay; audited", "kpi" },
	{ "GET", "/api/v1/kpi/results", h_kpi_results, NULL, 0,
	    "A scorecard's results of a period, per person, explained line by "
	    "line: live while open, frozen once closed (own; a head's "
	    "subtree; admin all)", "kpi" },
	{ "POST", "/api/v1/kpi/periods/close", h_kpi_close, NULL, R_BODY,
	    "Close a period {scorecard_id, period}: freeze the results (admin: "
	    "everyone; a head: their people); audited", "kpi" },
	{ "POST", "/api/v1/kpi/periods/reopen", h_kpi_reopen, NULL, R_BODY,
	    "Reopen a closed period {scorecard_id, period} (admin); audited",
	    "kpi" },
	{ "GET", "/api/v1/workload", h_workload, NULL, 0,
	    "Each person's next days (default 21): working minutes, tasks by "
	    "estimate and meetings, load in percent, the work behind each day "
	    "(the person, their heads, admin)", "workload" },
	{ "POST", "/api/v1/workload/check", h_workload_check, NULL, R_BODY,
	    "Would a task {user_id, due_at, estimate_min?, activity_id?} "
	    "overload its assignee that day?", "workload" },
	{ "GET", "/api/v1/roles", h_role_list, NULL, 0,
	    "Roles with their rights matrix (admin)", "organisation" },
	{ "POST", "/api/v1/roles", h_role_create, NULL, R_BODY,
	    "Add a role (admin)", "organisation" },
	{ "GET", "/api/v1/roles/{id}", h_role_get, NULL, 0, "Read a role (admin)",
	    "organisation" },
	{ "PATCH", "/api/v1/roles/{id}", h_role_update, NULL, R_BODY,
	    "Change a role's rights, field rules or 2FA rule (admin)",
	    "organisation" },
	{ "DELETE", "/api/v1/roles/{id}", h_role_delete, NULL, 0,
	    "Delete an unused custom role (admin)", "organisation" },
};
const size_t api_nroutes = sizeof(api_routes) / sizeof(api_routes[0]);

/*
 * Matches path against a template; "{id}" and "{sub}" take one segment
 * each. Returns 1 on a match, with the raw segments in seg[0] and seg[1]
 * (lengths in len[]), NULL where the template has none.
 */
static int
match(const char *tmpl, const char *path, const char *seg[2], size_t len[2])
{
	int k = 0;

	seg[0] = seg[1] = NULL;
	len[0] = len[1] = 0;
	while (*tmpl != '\0' && *path != '\0') {
		if (*tmpl == '{' && k < 2) {
			size_t n = strcspn(path, "/");

			seg[k] = path;
			len[k++] = n;
			tmpl = strchr(tmpl, '}') + 1;
			path += n;
			continue;
		}
		if (*tmpl != *path)
			return 0;
		tmpl++;
		path++;
	}
	return *tmpl == '\0' && *path == '\0';
}

/* A record id: 1..18 digits, greater than zero. */
static int
parse_id(const char *s, size_t n, int64_t *id)
{
	int64_t v = 0;

	if (n == 0 || n > 18)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	if (v <= 0)
		return -1;
	*id = v;
	return 0;
}

/*
 * A session that still owes its second factor (or must enrol one) reaches
 * only the routes flagged for that state. API tokens never owe one.
 */
static int
second_step_gate(struct call *c, const char *secret, unsigned flags)
{
	int state, rc = twofa_session_state(&c->cx, secret, &state);

	if (rc != CRM_OK)
		return rc;
	if (state == TWOFA_PENDING && !(flags & R_2FA_STEP))
		return core_fail(&c->cx, CRM_EUNAUTH, "Finish signing in first: "
		    "send the code of your authenticator app, a recovery code or "
		    "a security key's answer to POST /api/v1/auth/2fa/verify");
	if (state == TWOFA_ENROL && !(flags & R_2FA_ENROL))
		return core_fail(&c->cx, CRM_EUNAUTH, "Your account must use "
		    "two-factor sign-in: set up an authenticator app or a "
		    "security key first (POST /api/v1/auth/2fa/totp)");
	return CRM_OK;
}

static int
authenticate(struct call *c, unsigned flags)
{
	const char *h = http_header(c->req, "Authorization");
	const char *cookie = http_cookie(c->req, "crm_session");
	struct actor a;
	int rc;

	memset(&a, 0, sizeof(a));
	if (h != NULL) {
		if (strncmp(h, "Bearer ", 7) != 0)
			return core_fail(&c->cx, CRM_EUNAUTH, "Use Authorization: "
			    "Bearer TOKEN (make one with crm token create)");
		rc = apitoken_resolve(&c->cx, h + 7, &a, &c->read_only);
	} else if (cookie != NULL) {
		struct session_limits lim = { c->app->session_idle_ms,
		    c->app->session_max_ms };

		snprintf(c->session, sizeof(c->session), "%s", cookie);
		rc = session_resolve(&c->cx, cookie, &lim, &a, &c->session_id);
		if (rc == CRM_OK)
			rc = second_step_gate(c, cookie, flags);
	} else {
		return core_fail(&c->cx, CRM_EUNAUTH, "Sign in, or send "
		    "Authorization: Bearer TOKEN");
	}
	if (rc == CRM_OK) {
		c->cx.actor = a;
		c->cx.session = cookie != NULL && h == NULL ? c->session : NULL;
		c->resp->user_id = a.user_id;
	}
	return rc;
}

static bool
is_unsafe(const char *method)
{
	return strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0 &&
	    strcmp(method, "OPTIONS") != 0;
}

/*
 * An Origin header, when a browser sends one, must name this server: the
 * scheme's host[:port] equal to Host. "null" (sandboxed frames, some
 * redirects) never matches.
 */
bool
api_same_origin(const struct call *c)
{
	const char *origin = http_header(c->req, "Origin");
	const char *host = http_header(c->req, "Host");
	const char *rest;

	if (origin == NULL)
		return true;
	if (strncmp(origin, "https://", 8) == 0)
		rest = origin + 8;
	else if (strncmp(origin, "http://", 7) == 0)
		rest = origin + 7;
	else
		return false;
	return host != NULL && strcasecmp(rest, host) == 0;
}

/*
 * What an authenticated call must pass before its handler: for a change
 * made with the session cookie, the Origin and the session's CSRF token
 * (X-CSRF-Token); for a read-only token, no change at all; and the system
 * state. Returns true when it replied.
 */
static bool
guard(struct call *c, const struct route *r)
{
	bool unsafe = is_unsafe(c->req->method);
	const char *given;

	if (unsafe && c->session_id > 0) {
		if (!api_same_origin(c)) {
			reply_problem(c, 403, "Cross-site request refused", "The "
			    "request came from another site (its Origin is not this "
			    "server); nothing was changed");
			return true;
		}
		given = http_header(c->req, "X-CSRF-Token");
		if (given == NULL || !session_csrf_ok(c->session, given)) {
			reply_problem(c, 403, "CSRF token missing or wrong", "A change "
			    "made with the session cookie must carry the header "
			    "X-CSRF-Token with the csrf_token from sign-in or GET "
			    "/api/v1/auth/me; reload the page and try again");
			return true;
		}
	}
	if (unsafe && c->read_only) {
		reply_problem(c, 403, "Read-only token", "This API token is "
		    "read-only: it can read but not change anything. Make a token "
		    "without read_only for changes.");
		return true;
	}
	return system_refuses(c, unsafe, (r->flags & R_ANYSTATE) != 0);
}

static void
dispatch(struct call *c)
{
	const struct route *hit = NULL;
	const char *seg[2] = { NULL, NULL }, *hitseg[2] = { NULL, NULL };
	size_t len[2], hitlen[2] = { 0, 0 };
	struct buf allow;
	db_t *db;
	int rc;

	buf_init(&allow, 256);
	for (size_t i = 0; i < api_nroutes; i++) {
		const struct route *r = &api_routes[i];

		if (!match(r->path, c->req->path, seg, len))
			continue;
		if (strcmp(r->method, c->req->method) == 0 ||
		    (strcmp(r->method, "GET") == 0 &&
		    strcmp(c->req->method, "HEAD") == 0)) {
			hit = r;
			memcpy(hitseg, seg, sizeof(seg));
			memcpy(hitlen, len, sizeof(len));
			break;
		}
		buf_printf(&allow, "%s%s", allow.len ? ", " : "", r->method);
	}
	if (hit == NULL) {
		if (allow.len > 0) {
			reply_problem(c, 405, NULL, "%s is not allowed here; use %s",
			    c->req->method, allow.data);
			http_resp_header(c->resp, "Allow", allow.data);
		} else if ((strcmp(c->req->method, "GET") == 0 ||
		    strcmp(c->req->method, "HEAD") == 0) &&
		    strncmp(c->req->path, "/api/", 5) != 0 &&
		    http_static(c->req, c->resp)) {
			/* served from the embedded web UI */
		} else {
			reply_problem(c, 404, NULL, "There is nothing at %s",
			    strncmp(c->req->path, "/api/", 5) == 0 ? "this API path" :
			    "this address");
		}
		buf_free(&allow);
		return;
	}
	buf_free(&allow);
	if (hit->flags & R_SECRET) {
		/* The handler reads the secret from the path itself. */
	} else if ((hitseg[0] != NULL && parse_id(hitseg[0], hitlen[0], &c->id) != 0) ||
	    (hitseg[1] != NULL && parse_id(hitseg[1], hitlen[1], &c->sub) != 0)) {
		reply_problem(c, 400, NULL, "The id in the path must be a positive "
		    "whole number");
		return;
	}
	c->entity = hit->entity;
	db = db_pool_get(c->app->pool);
	core_ctx_init(&c->cx, db, NULL);
	c->cx.address = c->req->remote;
	c->cx.agent = http_header(c->req, "User-Agent");
	c->cx.audit_key = c->app->audit_key;
	c->cx.watch = c->app->watch;
	c->cx.mail = c->app->mail;
	rc = (hit->flags & R_PUBLIC) ? CRM_OK : authenticate(c, hit->flags);
	if (rc != CRM_OK) {
		reply_core(c, rc);
		http_resp_header(c->resp, "WWW-Authenticate", "Bearer");
	} else if ((hit->flags & R_PUBLIC) && is_unsafe(c->req->method) &&
	    !(hit->flags & R_CORS) && !api_same_origin(c)) {
		/* Login CSRF: another site signing the browser in as someone. */
		reply_problem(c, 403, "Cross-site request refused", "The request "
		    "came from another site (its Origin is not this server)");
	} else if (c->admit) {
		if (!guard(c, hit) && (hit->flags & R_UPLOAD)) {
			/* A plan file's rights are the core's, per row. */
			if (hit->fn == h_import_upload)
				h_import_admit(c);
			else if (hit->fn != h_plan_import)
				h_doc_admit(c);
		}
	} else if ((hit->flags & R_PUBLIC) || !guard(c, hit)) {
		hit->fn(c);
	}
	db_pool_put(c->app->pool, db);
	/* Its transaction is over: queued work is due for the runner now. */
	if (c->cx.jobs_queued)
		jobs_runner_poke(c->app->runner);
}

bool
api_wants_upload(const char *method, const char *path)
{
	const char *seg[2];
	size_t len[2];

	for (size_t i = 0; i < api_nroutes; i++)
		if ((api_routes[i].flags & R_UPLOAD) &&
		    strcmp(api_routes[i].method, method) == 0 &&
		    match(api_routes[i].path, path, seg, len))
			return true;
	return false;
}

/* The life of a call, up to its handler (only an upload's check when admit). */
static void
handle(void *arg, const struct http_req *req, struct http_resp *resp,
    bool admit)
{
	/* Not zeroed: the error list is large and core_ctx_init resets it. */
	struct call *c = xmalloc(sizeof(*c));

	c->admit = admit;
	c->entity = NULL;
	c->id = 0;
	c->sub = 0;
	c->session[0] = '\0';
	c->session_id = 0;
	c->read_only = false;
	core_ctx_init(&c->cx, NULL, NULL);
	c->app = arg;
	c->req = req;
	c->resp = resp;
	dispatch(c);
	free(c);
}

void
api_handle(void *arg, const struct http_req *req, struct http_resp *resp)
{
	handle(arg, req, resp, false);
}

void
api_upload_admit(void *arg, const struct http_req *req, struct http_resp *resp)
{
	handle(arg, req, resp, true);
}
