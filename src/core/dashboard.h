/*
 * A user's dashboard (issue 11): the reports they pinned, in order, and a
 * layout the web keeps (an object the core bounds but does not read). Each
 * user reads and writes only their own; every pinned report runs with the
 * viewer's rights like any other run, so a dashboard shares nothing.
 *
 * The answer of both calls is
 *   {"report_ids": [id, ...], "layout": {...}, "updated_at": time | null,
 *    "source": "own" | "role" | "none"}
 * with only the reports the user may see now (a report deleted or no
 * longer shared drops out on reading).
 *
 * Default dashboards per role: an administrator sets a dashboard (the same
 * report_ids and layout) as the default of a role. A user who never saved
 * a dashboard of their own, or reset it, sees their role's default
 * ("source": "role"), each report again under their own rights; the first
 * save makes it their own ("own"). The web's layout convention (the order
 * is report_ids'; {"sizes": {"<report id>": {"w": 1..3, "h": 1..2}}}) is
 * the web's: the core only bounds the object.
 */
#ifndef CORE_DASHBOARD_H
#define CORE_DASHBOARD_H

#include <jansson.h>

#include "core/core.h"

#define DASHBOARD_REPORTS_MAX	50
#define DASHBOARD_LAYOUT_MAX	4096	/* bytes of the layout's JSON */

/* The actor's dashboard (an empty one before the first save): *out is new. */
int dashboard_get(struct core_ctx *cx, json_t **out);

/*
 * Replaces the actor's dashboard with in = {report_ids, layout?}: at most
 * DASHBOARD_REPORTS_MAX distinct ids of reports the actor may see, the
 * layout an object of at most DASHBOARD_LAYOUT_MAX bytes (kept when not
 * given). CRM_EINVAL naming each bad path; CRM_EFORBIDDEN for the system
 * (dashboards belong to people). Audited as dashboard.update; *out is the
 * answer above.
 */
int dashboard_put(struct core_ctx *cx, json_t *in, json_t **out);

/* Drops the actor's own dashboard (audited dashboard.reset): *out as get. */
int dashboard_reset(struct core_ctx *cx, json_t **out);

/*
 * A role's default, for administrators (CRM_EFORBIDDEN otherwise,
 * CRM_ENOTFOUND for no such role): *out = {"role_id", "report_ids",
 * "layout", "updated_at"}, all the stored ids (an admin sees every
 * report; each member's reading filters them).
 */
int dashboard_role_get(struct core_ctx *cx, int64_t role_id, json_t **out);
/* Replaces it from {report_ids, layout?} as dashboard_put (audited). */
int dashboard_role_put(struct core_ctx *cx, int64_t role_id, json_t *in,
    json_t **out);

#endif
