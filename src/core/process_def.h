/*
 * Business process definitions (issue 10): the JSON format of a process
 * template and its validation. docs/processes.md is the format's
 * reference; this header is the code's contract.
 *
 * A definition is data, never code: conditions are structured JSON
 * ({"all"|"any": [...]} or {field, op, value}), field names are looked up
 * in the entity's descriptor (core/record.h) and its custom fields, values
 * are typed by the field, and texts may name only the placeholders of the
 * allowed list. Nothing in a definition is ever evaluated as an
 * expression, SQL or markup; a value that looks like one is inert text.
 *
 * Validation names each problem by the path of the member at fault and a
 * sentence naming the step, in cx->errs like every other validation:
 *   {"field": "steps[3].branches", "message": "step 'approve': no branch
 *    for 'reject'"}
 * It checks the shape (kinds, props, limits), the references (users,
 * roles, pipeline stages, other templates, fields), and the graph: the
 * start step exists, ids are unique, every step is reachable from the
 * start, every step but an end has its outgoing edges, approvals and
 * conditions cover every answer, and from every step some end is
 * reachable (which catches dead ends and loops with no exit alike).
 */
#ifndef CORE_PROCESS_DEF_H
#define CORE_PROCESS_DEF_H

#include <jansson.h>
#include <stdbool.h>

#include "core/core.h"

#define PROCDEF_KEY_MAX		64	/* a template key or step id: a slug */
#define PROCDEF_NAME_MAX	200	/* characters of a name */
#define PROCDEF_DESC_MAX	2000	/* characters of a description */
#define PROCDEF_TEXT_MAX	10000	/* characters of a message or body */
#define PROCDEF_STEPS_MAX	200
#define PROCDEF_BRANCHES_MAX	20	/* outgoing edges of one step */
#define PROCDEF_URL_MAX		2000	/* bytes of a webhook URL */
#define PROCDEF_COND_DEPTH	5	/* nesting of all/any */
#define PROCDEF_COND_LEAVES	50	/* comparisons in one condition */
#define PROCDEF_RECIPIENTS_MAX	10
#define PROCDEF_POS_MAX		100000	/* |x|, |y| of a step on the canvas */

/*
 * Checks the definition def against the format and the database as it is
 * now. Problems are added to cx->errs (none added: the definition is
 * valid). Returns CRM_OK, or CRM_EDB when the database failed (then the
 * errors are incomplete). Reads only; runs inside or outside a
 * transaction.
 */
int procdef_check(struct core_ctx *cx, json_t *def);

/*
 * Checks a responsible person ("record_owner", "owner_head", {"user": id}
 * or {"role": id, "in": "record_department"}) at path; the wizard's
 * answers use it too. Returns CRM_OK or CRM_EDB, problems in cx->errs.
 */
int procdef_check_who(struct core_ctx *cx, const char *path, json_t *who);

/* Whether s is a slug: [a-z][a-z0-9_-]*, at most PROCDEF_KEY_MAX bytes. */
bool procdef_slug_ok(const char *s);

/* The four entities a process may run on, by name; NULL for another. */
const struct entity *procdef_entity(const char *name);

#endif
