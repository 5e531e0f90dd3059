/*
 * Imports, inside: the pieces core/import.c, import_run.c, import_parse.c
 * and import_map.c share, and that tests/unit/test_import.c checks one by
 * one. Not for api/ or cli/: they use core/import.h.
 *
 * A target is one thing a column can be mapped to: a writable field of the
 * entity ("emails"), the owner ("owner_id"), the tags, or a custom field
 * ("custom.segment"). Each declares its type, and a cell is parsed by that
 * type with the explicit rules of import_parse.c: nothing is guessed.
 */
#ifndef CORE_IMPORT_INT_H
#define CORE_IMPORT_INT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/core.h"
#include "core/record.h"
#include "util/table.h"

#define IMP_NAME_MAX 80		/* bytes of a target's name */
#define IMP_WHY_MAX 256		/* bytes of a reason */

enum imp_type {
	IT_TEXT,	/* trimmed, at most maxlen characters */
	IT_INTEGER,	/* a whole number */
	IT_DECIMAL,	/* a decimal number, as a string "1234.56" */
	IT_MONEY,	/* major units in the file, minor units stored */
	IT_PERCENT,	/* "15%", or "0.15" / "15" as options.percent says */
	IT_DATE,	/* in options.date_format; stored YYYY-MM-DD */
	IT_DATETIME,	/* date format + " HH:MM[:SS]", or RFC 3339 */
	IT_EMAILS,	/* several, split on , ; and space: an array */
	IT_EMAIL,	/* exactly one */
	IT_PHONES,	/* several, split on , and ;: an array */
	IT_PHONE,	/* exactly one */
	IT_URL,
	IT_CHOICE,	/* one of the choices (or mapped onto one) */
	IT_MULTICHOICE,	/* several choices, split on , and ; */
	IT_BOOL,	/* yes/no true/false 1/0 да/нет はい/いいえ */
	IT_LINK,	/* a company/contact/deal by id or by name */
	IT_USER,	/* a user by id or email */
	IT_CURRENCY,	/* an ISO 4217 code */
	IT_TAGS,	/* split on , and ; */
	IT_ID,		/* a positive whole number naming a row (FK_REF) */
};

struct imp_target {
	char			 name[IMP_NAME_MAX];	/* "emails", "custom.segment" */
	const char		*label;		/* custom field's label, or NULL */
	enum imp_type		 type;
	bool			 required;
	size_t			 maxlen;	/* IT_TEXT: characters; 0 none */
	json_t			*choices;	/* IT_CHOICE/MULTICHOICE: borrowed */
	const struct entity	*link;		/* IT_LINK */
	bool			 key;		/* a dedupe key may use it */
};

/* The targets of one entity; imp_targets_free releases them. */
struct imp_targets {
	const struct entity	*e;
	struct imp_target	*t;
	size_t			 n;
	json_t			*defs;	/* the custom field definitions */
};

/* Builds the targets of e (reads the custom field definitions). */
int imp_targets_load(struct core_ctx *cx, const struct entity *e,
    struct imp_targets *out);
void imp_targets_free(struct imp_targets *ts);
const struct imp_target *imp_target_find(const struct imp_targets *ts,
    const char *name);
/* The name of t's type as the API shows it ("decimal", "link"...). */
const char *imp_type_name(enum imp_type t);
/* The targets as the API's "fields": [{name, type, required, choices...}]. */
json_t *imp_targets_json(const struct imp_targets *ts);

/* How cells are read: options the user states, never guessed. */
enum imp_datefmt { DF_ISO, DF_DMY_DOT, DF_MDY_SLASH, DF_DMY_SLASH };
enum imp_pct { PCT_SIGN, PCT_FRACTION, PCT_NUMBER };

struct imp_popts {
	char		 decimal;	/* '.' or ',' */
	enum imp_datefmt date;
	enum imp_pct	 percent;
	int		 money_digits;	/* of the row's currency: 0, 2 or 3 */
};

/* The spelling of a date format ("DD.MM.YYYY"); -1 parse for an unknown one. */
const char *imp_datefmt_name(enum imp_datefmt f);
int imp_datefmt_parse(const char *s);

/*
 * Parses one cell for target t. 0: *out is the value (new reference), or
 * NULL when the cell is empty. -1: why holds the reason for the user,
 * naming the rule ("'1,5' uses ',' but the decimal separator is '.'").
 * IT_LINK and IT_USER give the text or the id as read; the run resolves
 * them. values (borrowed, may be NULL) maps a file's value onto a choice.
 */
int imp_parse_cell(const struct imp_target *t, const struct imp_popts *o,
    const struct table_cell *c, json_t *values, json_t **out, char *why,
    size_t whylen);

/*
 * A decimal number in the file's notation (sign, digits, thousands
 * separators space, no-break space, apostrophe, and the other of '.' ','
 * in groups of three, one decimal separator dec) as "-1234.56" in out.
 * -1 with why otherwise.
 */
int imp_decimal(const char *s, size_t len, char dec, char *out, size_t cap,
    char *why, size_t whylen);

/* Whether a row is a total row (the words, or formulas only in numbers). */
bool imp_total_row(const struct table_cell *cells, size_t n);

/*
 * The target a header suggests: the field's own name ("name",
 * "custom.segment"), a custom field's label, or a known word for the field
 * in English, Russian, Japanese, German, French or Spanish ("E-mail",
 * "Почта", "メール"). NULL when nothing fits.
 */
const struct imp_target *imp_suggest(const struct imp_targets *ts,
    const char *header, size_t len);
/* A key for a file's shape: a hash of its normalised header names (hex). */
#define IMP_SOURCE_KEY 33
void imp_source_key(json_t *headers, char out[IMP_SOURCE_KEY]);

/* The import row (with its "path"), for its importer and administrators. */
int imp_load(struct core_ctx *cx, int64_t id, json_t **out);
/* Whether key ("email", "phone", "tax_id", "name", "external_id") fits e. */
bool imp_match_key_ok(const struct entity *e, const char *key);

#endif
