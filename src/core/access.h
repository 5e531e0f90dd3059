/*
 * Access: the one rule that decides which client records an actor may see
 * and what they may do with them. Every read and write path of the record
 * engine (single reads, lists, search, linked names, shares, transfers,
 * exports, and later reports and the timeline) asks here; nothing else
 * decides.
 *
 * The rule: a role gives, per entity and action, a scope (none, own, own
 * department, own department and below, all). A record belongs to its
 * owner and thereby to the owner's department. An actor's departments are
 * the one they belong to and those they head; "below" adds every
 * department under those. A share grants a named user, or the members and
 * heads of a named department, read or read-write access to one record.
 * Administrators (and the system itself, user id 0) may do everything.
 *
 * A record the actor may not read answers CRM_ENOTFOUND, exactly as a
 * missing one, so its existence does not leak. A readable record the
 * actor may not change answers CRM_EFORBIDDEN.
 *
 * Field rules: a role can hide fields (never shown, not filterable, not
 * sortable, not writable, not searched) or make them read-only.
 *
 * The actor's rights are read from the database on first use and kept in
 * cx->rights for the rest of the call.
 */
#ifndef CORE_ACCESS_H
#define CORE_ACCESS_H

#include <jansson.h>

#include "core/core.h"

struct entity;

enum acc_action {
	ACC_CREATE, ACC_READ, ACC_UPDATE, ACC_DELETE, ACC_EXPORT, ACC_IMPORT,
	ACC_ASSIGN, ACC_AUDIT,
};

enum acc_scope {
	SCOPE_NONE, SCOPE_OWN, SCOPE_DEPT, SCOPE_SUBTREE, SCOPE_ALL,
};

enum field_rule {
	FIELD_VISIBLE, FIELD_READONLY, FIELD_HIDDEN,
};

/* Names as the API and the roles' JSON spell them; NULL when out of range. */
const char *acc_action_name(int action);
const char *acc_scope_name(int scope);
/* -1 when the name is not an action / scope. */
int acc_action_parse(const char *name);
int acc_scope_parse(const char *name);

/* The scope the actor's role gives for action on e. */
int access_scope(struct core_ctx *cx, const struct entity *e,
    enum acc_action action, enum acc_scope *out);

/*
 * Appends " AND (...)" to q: true for the rows of e, under alias, on which
 * the actor may perform action (shares count for read and update). Nothing
 * is appended when the scope is "all".
 */
int access_where(struct core_ctx *cx, const struct entity *e,
    enum acc_action action, const char *alias, struct dbq *q);

/*
 * Appends " AND (...)" to q: true when the user id in col is an owner the
 * actor's scope for action on e reaches (everyone for "all", nobody for
 * "none"; shares and named-on records do not count: this is about people,
 * not records). The library's per-person reports use it.
 */
int access_owners_where(struct core_ctx *cx, const struct entity *e,
    enum acc_action action, const char *col, struct dbq *q);

/*
 * Decides action on record id (live, or in the trash when deleted is set):
 * CRM_OK, CRM_ENOTFOUND when the actor may not even read it (or there is
 * no such record), CRM_EFORBIDDEN when it is readable but the action is not
 * allowed (cx->detail says so).
 */
int access_check(struct core_ctx *cx, const struct entity *e,
    enum acc_action action, int64_t id, bool deleted);

/*
 * May the actor manage who else sees record id (share it)? That takes the
 * update right through the role's scope; a share does not pass it on.
 * Same answers as access_check.
 */
int access_check_owned(struct core_ctx *cx, const struct entity *e, int64_t id);

/*
 * May the actor make owner_id the owner of a record of e (on create, or by
 * transfer)? Yourself whenever you may create; someone else needs the
 * assign right, and the new owner must lie inside its scope.
 */
int access_owner_ok(struct core_ctx *cx, const struct entity *e,
    enum acc_action action, int64_t owner_id, bool *ok);

/* The rule for one field ("phones", or "custom.<key>" for a custom field). */
enum field_rule access_field(struct core_ctx *cx, const struct entity *e,
    const char *field);

/*
 * Prepares a record for the actor's eyes: drops hidden fields and custom
 * values, and blanks the name of a linked record the actor may not read
 * (by convention the derived field "X_name" of a link "X_id"; links to
 * companies, contacts and deals: see field_link).
 */
int access_redact(struct core_ctx *cx, const struct entity *e, json_t *rec);

/*
 * Checks the keys of a create or patch body against the field rules,
 * adding an error to cx->errs for each hidden or read-only one.
 */
void access_check_write(struct core_ctx *cx, const struct entity *e,
    json_t *in);

/* Forgets the loaded rights (after the actor's role or department changed). */
void access_reset(struct core_ctx *cx);

#endif
