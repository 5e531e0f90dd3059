/*
 * Shared by the API's handler files only. One struct call lives for one
 * request: the borrowed request, the response being filled, the core
 * context with the actor, and what the route matched.
 */
#ifndef API_INTERNAL_H
#define API_INTERNAL_H

#include <jansson.h>

#include "api/api.h"
#include "core/core.h"
#include "core/record.h"

struct call {
	struct app		*app;
	const struct http_req	*req;
	struct http_resp	*resp;
	struct core_ctx		 cx;
	const struct entity	*entity;	/* for record routes */
	int64_t			 id;		/* the {id} segment, if any */
	int64_t			 sub;		/* the {sub} segment, if any */
	char			 session[128];	/* cookie secret, if any */
	int64_t			 session_id;	/* its row, when signed in by cookie */
	bool			 read_only;	/* a read-only API token */
	bool			 admit;		/* an upload's headers only (api_upload_admit) */
};

typedef void (*handler_fn)(struct call *c);

enum {
	R_PUBLIC = 1 << 0,	/* no sign-in needed */
	R_BODY = 1 << 1,	/* takes a JSON body */
	R_2FA_STEP = 1 << 2,	/* open to a session waiting for its 2nd step */
	R_2FA_ENROL = 1 << 3,	/* open to a session that must enrol a factor */
	R_ANYSTATE = 1 << 4,	/* works whatever the system state (api/system.c) */
	R_UPLOAD = 1 << 5,	/* takes a multipart/form-data file, spooled to disk */
	R_SECRET = 1 << 6,	/* its one path segment is a secret, not an id */
	R_CORS = 1 << 7,	/* public, called from other sites: checks Origin itself */
};

struct route {
	const char		*method;
	const char		*path;		/* "/api/v1/companies/{id}" */
	handler_fn		 fn;
	const struct entity	*entity;
	unsigned		 flags;
	const char		*summary;	/* for the OpenAPI description */
	const char		*tag;
};

extern const struct route api_routes[];
extern const size_t api_nroutes;

/* Responses. reply_json steals j. */
void reply_json(struct call *c, int status, json_t *j);
void reply_empty(struct call *c, int status);
void reply_problem(struct call *c, int status, const char *title,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/*
 * Answers one core call's outcome: the problem for rc, else out (stolen)
 * with status, or no body for 204.
 */
void reply_result(struct call *c, int rc, int status, json_t *out);
/*
 * The common handler: parses the JSON body, calls fn (with c->id for the
 * id form) and answers with reply_result; a bad body has been answered.
 */
typedef int (*body_fn)(struct core_ctx *, json_t *, json_t **);
typedef int (*id_body_fn)(struct core_ctx *, int64_t, json_t *, json_t **);
void call_with_body(struct call *c, body_fn fn, int status);
void call_with_id_body(struct call *c, id_body_fn fn);
/* Maps a CRM_E* code, cx->detail and cx->errs to a problem response. */
void reply_core(struct call *c, int rc);
/*
 * Whether the request's Origin, when a browser sent one, names this
 * server (its Host); no Origin counts as the same.
 */
bool api_same_origin(const struct call *c);
/* Parses the body as a JSON object; on failure replies 400 and returns NULL. */
json_t *body_object(struct call *c);
/*
 * The list parameters of the query string into lq (pointing into the
 * request); -1 when one was bad and has been answered.
 */
int call_list_query(struct call *c, struct list_query *lq);
/*
 * If-Match: "N" (or W/"N") names the version the client saw; "*" or no
 * header means no precondition (-1). Anything else cannot match: -2.
 */
int64_t if_match(struct call *c);
/* ETag (the record's version) and no-cache headers for a record answer. */
void etag_header(struct call *c, json_t *rec);

/* Handlers, one file per resource. */
void h_health(struct call *c);
void h_openapi(struct call *c);
void h_login(struct call *c);
void h_logout(struct call *c);
void h_me(struct call *c);
void h_rec_list(struct call *c);
void h_rec_create(struct call *c);
void h_rec_get(struct call *c);
void h_rec_update(struct call *c);
void h_rec_delete(struct call *c);
void h_rec_restore(struct call *c);
/* api/export.c */
void h_rec_export(struct call *c);
void h_search(struct call *c);
void h_cf_list(struct call *c);
void h_cf_create(struct call *c);
void h_cf_update(struct call *c);
void h_cf_delete(struct call *c);
void h_dept_list(struct call *c);
void h_dept_create(struct call *c);
void h_dept_update(struct call *c);
void h_dept_delete(struct call *c);
void h_role_list(struct call *c);
void h_role_get(struct call *c);
void h_role_create(struct call *c);
void h_role_update(struct call *c);
void h_role_delete(struct call *c);
void h_staff_list(struct call *c);
void h_staff_get(struct call *c);
void h_staff_create(struct call *c);
void h_staff_update(struct call *c);
void h_share_list(struct call *c);
void h_share_add(struct call *c);
void h_share_delete(struct call *c);
void h_transfer(struct call *c);
/* api/deals.c */
void h_deal_move(struct call *c);
void h_deal_stages(struct call *c);
void h_deal_board(struct call *c);
void h_deal_items(struct call *c);
/* api/reports.c */
void h_report_funnel(struct call *c);
void h_report_list(struct call *c);
void h_report_get(struct call *c);
void h_report_create(struct call *c);
void h_report_update(struct call *c);
void h_report_delete(struct call *c);
void h_report_validate(struct call *c);
void h_report_preview(struct call *c);
void h_report_run(struct call *c);
void h_dashboard_get(struct call *c);
void h_dashboard_put(struct call *c);
void h_report_export(struct call *c);
void h_rsub_list(struct call *c);
void h_rsub_get(struct call *c);
void h_rsub_create(struct call *c);
void h_rsub_update(struct call *c);
void h_rsub_delete(struct call *c);
void h_rsub_send_now(struct call *c);
void h_dashboard_reset(struct call *c);
void h_dashboard_role_get(struct call *c);
void h_dashboard_role_put(struct call *c);
/* api/activities.c */
void h_activity_complete(struct call *c);
void h_activity_reopen(struct call *c);
void h_activity_my_day(struct call *c);
void h_timeline(struct call *c);
/* api/tickets.c */
void h_ticket_messages(struct call *c);
void h_ticket_message_add(struct call *c);
void h_ticket_merge(struct call *c);
void h_desk_mailbox_get(struct call *c);
void h_desk_mailbox_put(struct call *c);
void h_desk_mailbox_check(struct call *c);
void h_desk_list(struct call *c);
void h_desk_get(struct call *c);
void h_desk_create(struct call *c);
void h_desk_update(struct call *c);
void h_desk_delete(struct call *c);
void h_canned_render(struct call *c);
void h_report_support(struct call *c);
/* api/webforms.c: the public form and satisfaction pages */
void h_webform_page(struct call *c);
void h_webform_submit(struct call *c);
void h_webform_preflight(struct call *c);
void h_csat_page(struct call *c);
void h_csat_answer(struct call *c);
/* api/kb.c */
void h_kb_list(struct call *c);
void h_kb_get(struct call *c);
void h_kb_quiz(struct call *c);
void h_kb_results(struct call *c);
/* api/notify.c, api/notify_stream.c */
void h_notify_list(struct call *c);
void h_notify_count(struct call *c);
void h_notify_read(struct call *c);
void h_notify_read_all(struct call *c);
void h_notify_stream(struct call *c);
void h_mail_status(struct call *c);
void h_mail_test(struct call *c);
/* api/documents.c */
struct mp_parser;
/*
 * Feeds an upload's whole body (spooled to disk, or in memory) to the
 * multipart parser and finishes it: MP_OK or the parser's error.
 */
int upload_feed(struct call *c, struct mp_parser *mp);
struct doc_blob;
/* Answers a refused doc_blob_write (blob_rc): too large (413) or not stored. */
void reply_blob_failure(struct call *c, const struct doc_blob *b, int blob_rc);
/*
 * Receives the request's one file (multipart/form-data, one part named
 * file) into a temporary blob of the documents store, for a handler that
 * reads it and lets it go: the blob, which upload_release aborts and
 * frees, or NULL when the request has been answered (refused).
 */
struct doc_blob *upload_receive(struct call *c);
void upload_release(struct doc_blob *b);
void h_doc_upload(struct call *c);
/* Before an upload's body: replies only to refuse (rights, room). */
void h_doc_admit(struct call *c);
void h_doc_list(struct call *c);
void h_doc_get(struct call *c);
void h_doc_content(struct call *c);
void h_doc_delete(struct call *c);
void h_doc_restore(struct call *c);
/* api/imports.c */
void h_import_upload(struct call *c);
/* Before an import's body: refuses when the query's entity may not be imported. */
void h_import_admit(struct call *c);
void h_import_fields(struct call *c);
void h_import_update(struct call *c);
void h_import_dry_run(struct call *c);
void h_import_run(struct call *c);
void h_import_get(struct call *c);
void h_import_list(struct call *c);
void h_import_errors(struct call *c);
void h_import_undo(struct call *c);
/* api/activity_more.c */
void h_call_post(struct call *c);
void h_comment_list(struct call *c);
void h_comment_add(struct call *c);
void h_comment_delete(struct call *c);
void h_calfeed_create(struct call *c);
void h_calfeed_status(struct call *c);
void h_calfeed_delete(struct call *c);
void h_calfeed_get(struct call *c);
/* api/pipelines.c */
void h_pipeline_list(struct call *c);
void h_pipeline_get(struct call *c);
void h_pipeline_create(struct call *c);
void h_pipeline_update(struct call *c);
void h_pipeline_delete(struct call *c);
void h_lost_reason_list(struct call *c);
void h_lost_reason_create(struct call *c);
void h_lost_reason_update(struct call *c);
void h_lost_reason_delete(struct call *c);
/* api/workcal.c */
void h_workcal_list(struct call *c);
void h_workcal_get(struct call *c);
void h_workcal_create(struct call *c);
void h_workcal_update(struct call *c);
void h_workcal_delete(struct call *c);
void h_workcal_due(struct call *c);
void h_workcal_effective(struct call *c);
/* api/plans.c */
void h_plan_grid(struct call *c);
void h_plan_put(struct call *c);
void h_plan_split(struct call *c);
void h_plan_fact(struct call *c);
void h_forecast(struct call *c);
void h_plan_import(struct call *c);
/* api/kpi.c */
void h_kpi_card_list(struct call *c);
void h_kpi_card_get(struct call *c);
void h_kpi_card_create(struct call *c);
void h_kpi_card_update(struct call *c);
void h_kpi_card_delete(struct call *c);
void h_kpi_results(struct call *c);
void h_kpi_close(struct call *c);
void h_kpi_reopen(struct call *c);

/* api/workload.c */
void h_workload(struct call *c);
void h_workload_check(struct call *c);

/* api/absences.c */
void h_absence_list(struct call *c);
void h_absence_create(struct call *c);
void h_absence_update(struct call *c);
void h_absence_delete(struct call *c);
/* api/processes.c */
void h_proc_list(struct call *c);
void h_proc_get(struct call *c);
void h_proc_create(struct call *c);
void h_proc_update(struct call *c);
void h_proc_version(struct call *c);
void h_proc_archive(struct call *c);
void h_proc_restore(struct call *c);
void h_proc_validate(struct call *c);
void h_proc_wizard(struct call *c);
void h_proc_schedule_preview(struct call *c);
/* api/process_runs.c */
void h_prun_start(struct call *c);
void h_prun_list(struct call *c);
void h_prun_get(struct call *c);
void h_prun_cancel(struct call *c);
void h_prun_step_complete(struct call *c);
void h_prun_stats(struct call *c);
/* api/catalog.c */
void h_unit_list(struct call *c);
void h_unit_create(struct call *c);
void h_unit_update(struct call *c);
void h_unit_delete(struct call *c);
void h_product_list(struct call *c);
void h_product_get(struct call *c);
void h_product_create(struct call *c);
void h_product_update(struct call *c);
void h_product_delete(struct call *c);
void h_pricelist_list(struct call *c);
void h_pricelist_get(struct call *c);
void h_pricelist_create(struct call *c);
void h_pricelist_update(struct call *c);
void h_pricelist_delete(struct call *c);
void h_line_quote(struct call *c);
/* api/audit.c */
void h_audit_list(struct call *c);
void h_audit_export(struct call *c);
void h_audit_verify(struct call *c);
void h_rec_history(struct call *c);
/* api/twofactor.c */
void h_2fa_verify(struct call *c);
void h_2fa_stepup(struct call *c);
void h_2fa_status(struct call *c);
void h_totp_begin(struct call *c);
void h_totp_confirm(struct call *c);
void h_totp_disable(struct call *c);
void h_recovery_regenerate(struct call *c);
void h_wa_register_options(struct call *c);
void h_wa_register_finish(struct call *c);
void h_wa_login_options(struct call *c);
void h_wa_credentials(struct call *c);
void h_wa_credential_rename(struct call *c);
void h_wa_credential_delete(struct call *c);
/*
 * After a password sign-in created the session secret for a: decides the
 * session's second-factor state and builds the login answer (*body, new
 * reference): {"user"}, {"mfa_required", "methods"} or
 * {"mfa_enrol_required", "methods", "user"}.
 */
int api_twofa_login(struct call *c, const char *secret, const struct actor *a,
    json_t **body);
/* Accounts: own sessions, password, tokens (api/sessions.c, api/tokens.c). */
void h_sessions_list(struct call *c);
void h_session_delete(struct call *c);
void h_sessions_revoke_others(struct call *c);
void h_password_change(struct call *c);
void h_tokens_list(struct call *c);
void h_token_create(struct call *c);
void h_token_delete(struct call *c);
/* The system state (api/system.c). */
void h_system_get(struct call *c);
void h_system_put(struct call *c);
/* Backups (api/backups.c). */
void h_backups_get(struct call *c);
void h_backups_post(struct call *c);
/* Currencies and exchange rates (api/currencies.c). */
void h_currencies_list(struct call *c);
void h_currency_base_get(struct call *c);
void h_currency_base_put(struct call *c);
void h_currency_rates_list(struct call *c);
void h_currency_rate_put(struct call *c);
void h_currency_rate_delete(struct call *c);
void h_currency_rates_import(struct call *c);
/* A user's sign-in failures forgotten (admin; api/system.c). */
void h_user_unlock(struct call *c);
/*
 * Refuses the call per the system state (api/system.c): 503 with the
 * incident message for a non-admin while locked, and for any write while
 * read-only. Returns true when it replied.
 */
bool system_refuses(struct call *c, bool write, bool exempt);

#endif
