/*
 * The organisation: departments (a tree: company, branches, departments,
 * teams) with their heads, roles (what each may do per entity, see
 * access.h), and the administrator's side of users (department, role,
 * active). Reads are open to every signed-in user (pickers need them);
 * every change needs an administrator (CRM_EFORBIDDEN otherwise).
 *
 * JSON in, JSON out; *out is a new reference for the caller.
 */
#ifndef CORE_ORG_H
#define CORE_ORG_H

#include <jansson.h>

#include "core/core.h"

#define DEPT_NAME_MAX 120
#define DEPT_DEPTH_MAX 16	/* company > branch > ... > team */
#define ROLE_NAME_MAX 80

/*
 * {"data": [{id, name, kind, parent_id, heads: [user ids], members,
 * calendar_id}]}; calendar_id null: the parent's work calendar applies
 * (core/workcal.h).
 */
int dept_list(struct core_ctx *cx, json_t **out);
/* {name, kind?, parent_id?, calendar_id?}; the top department has no parent. */
int dept_create(struct core_ctx *cx, json_t *in, json_t **out);
/*
 * {name?, kind?, parent_id?, heads?, calendar_id?}: a parent inside its
 * own subtree is refused.
 */
int dept_update(struct core_ctx *cx, int64_t id, json_t *in, json_t **out);
/* Refused while it has members, sub-departments, or is the last top one. */
int dept_delete(struct core_ctx *cx, int64_t id);

/*
 * {"data": [{id, name, builtin, is_admin, require_2fa, perms, fields,
 * users}], "entities": [...], "actions": [...], "scopes": [...]}
 */
int role_list(struct core_ctx *cx, json_t **out);
int role_get(struct core_ctx *cx, int64_t id, json_t **out);
/* {name, perms, fields?, require_2fa?}: perms/fields checked name by name. */
int role_create(struct core_ctx *cx, json_t *in, json_t **out);
/* The administrator role's rights are fixed; others may change. */
int role_update(struct core_ctx *cx, int64_t id, json_t *in, json_t **out);
/* Built-in roles and roles in use cannot be deleted. */
int role_delete(struct core_ctx *cx, int64_t id);

/*
 * {"data": [{id, email, name, is_admin, active, department_id, role_id}]}
 * (the directory every user may read).
 */
int staff_list(struct core_ctx *cx, json_t **out);
int staff_get(struct core_ctx *cx, int64_t id, json_t **out);
/* {email, name, password, department_id?, role_id?} */
int staff_create(struct core_ctx *cx, json_t *in, json_t **out);
/* {name?, department_id?, role_id?, active?}: deactivation ends sessions. */
int staff_update(struct core_ctx *cx, int64_t id, json_t *in, json_t **out);

/*
 * The departments user ? heads and every one below them, as a CTE "sub(id)"
 * to put before a SELECT (bind the head's id first).
 */
#define ORG_HEADED_SQL "WITH RECURSIVE sub(id) AS (SELECT department_id " \
	"FROM department_heads WHERE user_id = ? UNION SELECT d.id FROM " \
	"departments d JOIN sub ON d.parent_id = sub.id) "

/*
 * Whether the actor heads user_id's department or one above it, into
 * *heads (false for no such user): who plans that person's work.
 */
int org_heads_user(struct core_ctx *cx, int64_t user_id, bool *heads);
/* Whether the actor heads department dept_id or one above it. */
int org_heads_dept(struct core_ctx *cx, int64_t dept_id, bool *heads);

/*
 * The actor's own rights for the UI: {"role": {id, name}, "department_id",
 * "rights": {entity: {action: scope}}, "fields": {entity: {field: rule}}}.
 */
int access_describe(struct core_ctx *cx, json_t **out);

#endif
