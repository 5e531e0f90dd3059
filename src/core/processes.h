/*
 * Process templates (issue 10, first slice): stored, versioned process
 * definitions (core/process_def.h checks them; docs/processes.md is the
 * format), the templates the product ships, and the wizard.
 *
 * A template has a key (fixed at creation), a status (active or archived:
 * templates are archived, never deleted) and numbered versions. Saving a
 * changed definition adds the next version, which becomes the current
 * one; the versions before it stay as they were (the table refuses
 * updates), so a running instance keeps the definition it started with.
 * Saving the same definition again adds nothing.
 *
 * Rights, decided here and only here (proc_may): every signed-in user
 * reads templates (a process touches everybody's work), only an
 * administrator writes them (creates, versions, archives, restores).
 * Validating a definition and the wizard write nothing and are open to
 * every signed-in user. Every write is audited in its transaction
 * (process.template_created, process.template_versioned,
 * process.template_archived, process.template_restored).
 *
 * JSON in, JSON out; *out is a new reference for the caller.
 */
#ifndef CORE_PROCESSES_H
#define CORE_PROCESSES_H

#include <jansson.h>
#include <stdbool.h>

#include "core/core.h"

#define PROC_DEF_BYTES_MAX (512 * 1024)	/* a stored definition's JSON */

/* May the actor write (true) or read (false) process templates? */
int proc_may(struct core_ctx *cx, bool write);

/*
 * The templates with status "active" (status NULL) or "archived":
 * {"data": [{id, key, name, entity, status, builtin, version, valid,
 * created_at, updated_at}], "next_cursor": null}, by name. valid says
 * whether the current definition passes procdef_check today (a user or a
 * stage it names may have gone since it was saved). CRM_EBADQUERY for
 * another status.
 */
int proc_tpl_list(struct core_ctx *cx, const char *status, json_t **out);

/*
 * One template: the list's members, created_by, updated_by, the current
 * version's definition, its validation {valid, errors: [{field,
 * message}]}, and versions: [{version, created_at, created_by}], newest
 * first. "version" is the current version (the ETag).
 */
int proc_tpl_get(struct core_ctx *cx, int64_t id, json_t **out);

/* One version: {template_id, version, definition, created_at, created_by}. */
int proc_tpl_version(struct core_ctx *cx, int64_t id, int64_t version,
    json_t **out);

/*
 * Creates a template from a definition (version 1). CRM_EINVAL with the
 * definition's problems in cx->errs; CRM_EEXISTS when the key is taken.
 * *out as proc_tpl_get.
 */
int proc_tpl_create(struct core_ctx *cx, json_t *def, json_t **out);

/*
 * Saves def as the next version of template id. if_version < 0: no
 * precondition; otherwise CRM_ECONFLICT unless it is the current version.
 * The key cannot change. An unchanged definition adds no version.
 */
int proc_tpl_update(struct core_ctx *cx, int64_t id, int64_t if_version,
    json_t *def, json_t **out);

/* Archives (archived true) or restores template id; *out as proc_tpl_get. */
int proc_tpl_set_archived(struct core_ctx *cx, int64_t id, bool archived,
    json_t **out);

/*
 * Checks def without saving it: *out is {"valid": bool, "errors":
 * [{field, message}]} (CRM_OK either way; CRM_EDB when the database
 * failed).
 */
int proc_tpl_validate(struct core_ctx *cx, json_t *def, json_t **out);

/*
 * The wizard: {name, entity, trigger, steps: [{who, what, hours,
 * approval?}]} answered with a complete, valid definition (not saved):
 * each answer becomes a task (or, with approval, an approval whose
 * rejection ends the process) for who, named what, due in hours, in
 * order, then an end. CRM_EINVAL naming the bad answers.
 */
int proc_wizard(struct core_ctx *cx, json_t *in, json_t **out);

#endif
