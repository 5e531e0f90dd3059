/*
 * Custom fields: typed fields an admin adds to an entity (companies,
 * contacts, ...). Definitions live in the custom_fields table; values live in
 * each record's `custom` object and are checked here on every write.
 *
 * Value shapes by type (the API contract, docs/api.md):
 *   text, long_text, email, phone, url, choice: string
 *   integer: JSON integer; decimal, percent: decimal string ("12.50")
 *   money: {"amount": minor units (integer), "currency": "EUR"}
 *   date: "YYYY-MM-DD"; datetime: RFC 3339; multichoice: array of strings;
 *   boolean: true/false
 */
#ifndef CORE_CUSTOMFIELDS_H
#define CORE_CUSTOMFIELDS_H

#include <jansson.h>

#include "core/core.h"

/* *out = {"data": [definitions]} of one entity, by position then id. */
int cf_list(struct core_ctx *cx, const char *entity, json_t **out);
/* Admin only. *out is the new definition. */
int cf_create(struct core_ctx *cx, json_t *in, json_t **out);
/* Admin only: label, required, options, position may change. */
int cf_update(struct core_ctx *cx, int64_t id, json_t *patch, json_t **out);
/*
 * Admin only. The field's values are removed from every record in the same
 * transaction, so a new field of the same name starts empty.
 */
int cf_delete(struct core_ctx *cx, int64_t id);

/*
 * Checks a record's custom values. `in` holds the values being written
 * (may be NULL), `merged` the whole custom object after the write (for
 * required fields). Errors go to cx->errs as "custom.NAME". Returns CRM_OK
 * or CRM_EDB; validation failures are only recorded in cx->errs.
 */
int cf_check_values(struct core_ctx *cx, const char *entity, json_t *in,
    json_t *merged);

#endif
