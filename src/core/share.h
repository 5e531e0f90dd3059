/*
 * Sharing one record with named users or departments, and transferring
 * records to new owners (one by one, a list, or everything a leaving
 * manager owned). Both go through access.h: a record the actor may not
 * read is CRM_ENOTFOUND, one they may not manage CRM_EFORBIDDEN.
 *
 * JSON in and out; *out is a new reference for the caller.
 */
#ifndef CORE_SHARE_H
#define CORE_SHARE_H

#include <jansson.h>

#include "core/core.h"

struct entity;

#define SHARES_MAX 200		/* per record */
#define TRANSFER_MAX 10000	/* records per transfer */

/* {"data": [{id, user_id, department_id, access, created_at, created_by}]} */
int share_list(struct core_ctx *cx, const struct entity *e, int64_t id,
    json_t **out);
/*
 * {user_id | department_id, access: "read"|"write"}. Sharing again with
 * the same user or department changes the access of the existing share.
 */
int share_add(struct core_ctx *cx, const struct entity *e, int64_t id,
    json_t *in, json_t **out);
int share_delete(struct core_ctx *cx, const struct entity *e, int64_t id,
    int64_t share_id);

/*
 * {ids: [...] | from_user_id, to_user_id | to_user_ids: [...]}: gives the
 * records to the new owner, or round-robin to several. All or nothing:
 * one record the actor may not assign refuses the whole transfer. With
 * from_user_id, the records of that owner the actor may assign move.
 * *out = {"moved": n, "owners": {user id: count}}.
 */
int transfer_records(struct core_ctx *cx, const struct entity *e, json_t *in,
    json_t **out);

#endif
