/*
 * Personal absences: the days a person is away (vacation, sick, other), so
 * that their workload is measured against the hours they are actually
 * there (their department's working-hours calendar, core/workcal.h, less
 * these days). An absence covers whole days, from and to inclusive, in the
 * person's calendar; one person's absences never overlap.
 *
 * Reading is for an administrator, the person themself, and the heads of
 * the person's department or of any department above it (who plan their
 * people's work); to anyone else the person's absences answer
 * CRM_ENOTFOUND, as if there were no such person. Changes need an
 * administrator and are audited ("user.absence_created",
 * "user.absence_changed", "user.absence_deleted").
 *
 * JSON in, JSON out; *out is a new reference for the caller. An absence is
 * {id, user_id, from, to, kind, note, created_at, updated_at}.
 */
#ifndef CORE_ABSENCES_H
#define CORE_ABSENCES_H

#include <jansson.h>

#include "core/core.h"

#define ABSENCE_NOTE_MAX 500
#define ABSENCE_DAYS_MAX 366	/* the longest single absence */
#define ABSENCE_LIST_MAX 1000	/* absences in one answer */

/*
 * {"data": [absence]} of user_id by from day; with from/to ("YYYY-MM-DD",
 * NULL: open) only those overlapping [from, to]. At most ABSENCE_LIST_MAX.
 * CRM_EINVAL naming "from" or "to" for a bad date.
 */
int absence_list(struct core_ctx *cx, int64_t user_id, const char *from,
    const char *to, json_t **out);
/* {from, to, kind, note?} (admin). */
int absence_create(struct core_ctx *cx, int64_t user_id, json_t *in,
    json_t **out);
/* {from?, to?, kind?, note?} (admin). */
int absence_update(struct core_ctx *cx, int64_t user_id, int64_t id,
    json_t *in, json_t **out);
/* (admin) */
int absence_delete(struct core_ctx *cx, int64_t user_id, int64_t id);

#endif
