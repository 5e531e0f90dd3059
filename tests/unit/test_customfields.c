/*
 * core/customfields: typed fields an admin adds to companies and contacts,
 * and the checking of their values on every record write.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>


#include "core/core.h"
#include "core/customfields.h"
#include "core/record.h"
#include "core/users.h"
#include "store/db.h"
#include "memdb_fixture.h"

static struct actor member;

#define COMPANIES (&entity_companies)
#define CONTACTS (&entity_contacts)

static struct core_ctx *
as(const struct actor *a)
{
	core_ctx_init(&cx, db, a);
	return &cx;
}

static json_t *
J(const char *text)
{
	json_error_t e;
	json_t *v = json_loads(text, JSON_DECODE_ANY, &e);

	if (v == NULL)
		fail_msg("bad JSON in test: %s: %s", text, e.text);
	return v;
}

static bool
has_err(const char *field)
{
	for (int i = 0; i < cx.errs.n; i++)
		if (strcmp(cx.errs.items[i].field, field) == 0)
			return true;
	return false;
}

static void
assert_err(const char *field)
{
	if (!has_err(field)) {
		for (int i = 0; i < cx.errs.n; i++)
			print_message("  error %s: %s\n", cx.errs.items[i].field,
			    cx.errs.items[i].message);
		fail_msg("no error named \"%s\"", field);
	}
}

/* Defines a field as the admin; returns its id. */
static int64_t
define(const char *text)
{
	json_t *in = J(text), *out = NULL;
	int64_t id;

	if (cf_create(as(&admin), in, &out) != CRM_OK)
		fail_msg("cf_create %s: %s; first error %s: %s", text, cx.detail,
		    cx.errs.n ? cx.errs.items[0].field : "-",
		    cx.errs.n ? cx.errs.items[0].message : "-");
	json_decref(in);
	id = json_integer_value(json_object_get(out, "id"));
	assert_true(id > 0);
	json_decref(out);
	return id;
}

/* A definition the admin sends that must be refused; cx.errs says why. */
static void
refuse_def(const char *text)
{
	json_t *in = J(text), *out = NULL;
	int rc = cf_create(as(&admin), in, &out);

	json_decref(in);
	if (rc != CRM_EINVAL) {
		json_decref(out);
		fail_msg("cf_create %s: expected CRM_EINVAL, got %d", text, rc);
	}
}

/* Creates a record; returns the CRM_* code and the record in *out (or NULL). */
static int
try_create(const struct entity *e, const char *text, json_t **out)
{
	json_t *in = J(text);
	int rc;

	*out = NULL;
	rc = rec_create(as(&member), e, in, out);
	json_decref(in);
	return rc;
}

static int
try_update(const struct entity *e, int64_t id, const char *text, json_t **out)
{
	json_t *in = J(text);
	int rc;

	*out = NULL;
	rc = rec_update(as(&member), e, id, -1, in, out);
	json_decref(in);
	return rc;
}

static size_t
n_defs(const char *entity)
{
	json_t *out = NULL;
	size_t n;

	assert_int_equal(cf_list(as(&member), entity, &out), CRM_OK);
	n = json_array_size(json_object_get(out, "data"));
	json_decref(out);
	return n;
}

static size_t
n_records(const struct entity *e)
{
	struct list_query lq;
	json_t *out = NULL;
	size_t n;

	memset(&lq, 0, sizeof(lq));
	lq.limit = "200";
	assert_int_equal(rec_list(as(&member), e, &lq, &out), CRM_OK);
	n = json_array_size(json_object_get(out, "data"));
	json_decref(out);
	return n;
}

/* ---- fixture ---- */

static int
group_setup(void **state)
{
	(void)state;
	return memdb_open() == 0 && memdb_add_member(&member) == 0 ? 0 : -1;
}

static int
empty_tables(void **state)
{
	(void)state;
	return db_exec(db, "DELETE FROM contacts; DELETE FROM companies; "
	    "DELETE FROM record_tags; DELETE FROM custom_fields;") == DB_OK ? 0 : -1;
}

/* ---- definitions ---- */

static void
only_an_admin_defines_custom_fields(void **state)
{
	json_t *in, *out = NULL;
	int64_t id;

	(void)state;
	in = J("{\"entity\": \"companies\", \"name\": \"segment\", "
	    "\"label\": \"Segment\", \"type\": \"text\"}");
	assert_int_equal(cf_create(as(&member), in, &out), CRM_EFORBIDDEN);
	assert_null(out);
	assert_int_equal(n_defs("companies"), 0);
	json_decref(in);
	id = define("{\"entity\": \"companies\", \"name\": \"segment\", "
	    "\"label\": \"Segment\", \"type\": \"text\"}");
	in = J("{\"label\": \"Hacked\"}");
	assert_int_equal(cf_update(as(&member), id, in, &out), CRM_EFORBIDDEN);
	assert_null(out);
	json_decref(in);
	assert_int_equal(cf_delete(as(&member), id), CRM_EFORBIDDEN);
	/* Still there, unchanged; and any user may read the definitions. */
	assert_int_equal(cf_list(as(&member), "companies", &out), CRM_OK);
	assert_int_equal(json_array_size(json_object_get(out, "data")), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(
	    json_object_get(out, "data"), 0), "label")), "Segment");
	json_decref(out);
}

static void
a_definition_comes_back_as_written(void **state)
{
	json_t *in, *out = NULL, *list = NULL, *d;

	(void)state;
	in = J("{\"entity\": \"contacts\", \"name\": \"tier\", \"label\": "
	    "\"Уровень\", \"type\": \"choice\", \"required\": true, "
	    "\"options\": [\"Gold\", \"Silver\"], \"position\": 3}");
	assert_int_equal(cf_create(as(&admin), in, &out), CRM_OK);
	json_decref(in);
	assert_true(json_integer_value(json_object_get(out, "id")) > 0);
	assert_string_equal(json_string_value(json_object_get(out, "entity")),
	    "contacts");
	assert_string_equal(json_string_value(json_object_get(out, "name")), "tier");
	assert_string_equal(json_string_value(json_object_get(out, "label")),
	    "Уровень");
	assert_string_equal(json_string_value(json_object_get(out, "type")),
	    "choice");
	assert_true(json_is_true(json_object_get(out, "required")));
	assert_int_equal(json_array_size(json_object_get(out, "options")), 2);
	assert_string_equal(json_string_value(json_array_get(
	    json_object_get(out, "options"), 1)), "Silver");
	assert_int_equal(json_integer_value(json_object_get(out, "position")), 3);
	/* Listed for its entity only. */
	assert_int_equal(cf_list(as(&member), "contacts", &list), CRM_OK);
	d = json_array_get(json_object_get(list, "data"), 0);
	assert_true(json_equal(d, out));
	json_decref(list);
	assert_int_equal(n_defs("companies"), 0);
	assert_int_equal(cf_list(as(&member), "invoices", &list), CRM_EBADQUERY);
	json_decref(out);
	/* Defaults: not required, no options, position 0. */
	in = J("{\"entity\": \"contacts\", \"name\": \"note2\", \"label\": \"N\", "
	    "\"type\": \"text\"}");
	assert_int_equal(cf_create(as(&admin), in, &out), CRM_OK);
	assert_true(json_is_false(json_object_get(out, "required")));
	assert_int_equal(json_array_size(json_object_get(out, "options")), 0);
	assert_int_equal(json_integer_value(json_object_get(out, "position")), 0);
	json_decref(out);
	json_decref(in);
}

static void
bad_definitions_are_refused_by_name(void **state)
{
	(void)state;
	refuse_def("{\"entity\": \"companies\", \"name\": \"Segment\", "
	    "\"label\": \"S\", \"type\": \"text\"}");
	assert_err("name");
	refuse_def("{\"entity\": \"companies\", \"name\": \"1st\", "
	    "\"label\": \"S\", \"type\": \"text\"}");
	assert_err("name");
	refuse_def("{\"entity\": \"companies\", \"name\": "
	    "\"a2345678901234567890123456789012345678901\", "	/* 41 */
	    "\"label\": \"S\", \"type\": \"text\"}");
	assert_err("name");
	refuse_def("{\"entity\": \"companies\", \"name\": \"s\", "
	    "\"label\": \"S\", \"type\": \"colour\"}");
	assert_err("type");
	refuse_def("{\"entity\": \"invoices\", \"name\": \"s\", "
	    "\"label\": \"S\", \"type\": \"text\"}");
	assert_err("entity");
	refuse_def("{\"entity\": \"companies\", \"name\": \"s\", \"type\": \"text\"}");
	assert_err("label");
	refuse_def("{\"entity\": \"companies\", \"name\": \"s\", \"label\": \"\", "
	    "\"type\": \"text\"}");
	assert_err("label");
	refuse_def("{\"entity\": \"companies\", \"name\": \"s\", \"label\": \"S\", "
	    "\"type\": \"text\", \"colour\": 1}");
	assert_err("colour");
	refuse_def("{\"entity\": \"companies\", \"name\": \"s\", \"label\": \"S\", "
	    "\"type\": \"text\", \"position\": -1}");
	assert_err("position");
	refuse_def("{\"entity\": \"companies\", \"name\": \"s\", \"label\": \"S\", "
	    "\"type\": \"text\", \"required\": \"yes\"}");
	assert_err("required");
	refuse_def("{}");
	assert_err("entity");
	assert_err("name");
	assert_err("label");
	assert_err("type");
	/* The longest allowed name is 40 characters. */
	(void)define("{\"entity\": \"companies\", \"name\": "
	    "\"a234567890123456789012345678901234567890\", "
	    "\"label\": \"S\", \"type\": \"text\"}");
	assert_int_equal(n_defs("companies"), 1);
}

static void
choice_fields_need_string_options(void **state)
{
	(void)state;
	refuse_def("{\"entity\": \"companies\", \"name\": \"c\", \"label\": \"C\", "
	    "\"type\": \"choice\"}");
	assert_err("options");
	refuse_def("{\"entity\": \"companies\", \"name\": \"c\", \"label\": \"C\", "
	    "\"type\": \"multichoice\", \"options\": []}");
	assert_err("options");
	refuse_def("{\"entity\": \"companies\", \"name\": \"c\", \"label\": \"C\", "
	    "\"type\": \"choice\", \"options\": [\"A\", 2]}");
	assert_err("options[1]");
	refuse_def("{\"entity\": \"companies\", \"name\": \"c\", \"label\": \"C\", "
	    "\"type\": \"choice\", \"options\": \"A,B\"}");
	assert_err("options");
	refuse_def("{\"entity\": \"companies\", \"name\": \"c\", \"label\": \"C\", "
	    "\"type\": \"choice\", \"options\": [\"\"]}");
	assert_err("options[0]");
	assert_int_equal(n_defs("companies"), 0);
}

static void
a_duplicate_name_is_refused_per_entity(void **state)
{
	(void)state;
	(void)define("{\"entity\": \"companies\", \"name\": \"segment\", "
	    "\"label\": \"Segment\", \"type\": \"text\"}");
	refuse_def("{\"entity\": \"companies\", \"name\": \"segment\", "
	    "\"label\": \"Other\", \"type\": \"integer\"}");
	assert_err("name");
	assert_int_equal(n_defs("companies"), 1);
	/* The same name on another entity is a different field. */
	(void)define("{\"entity\": \"contacts\", \"name\": \"segment\", "
	    "\"label\": \"Segment\", \"type\": \"integer\"}");
	assert_int_equal(n_defs("contacts"), 1);
}

static void
an_update_changes_label_required_options_position_only(void **state)
{
	json_t *in, *out = NULL, *list = NULL;
	int64_t id, second;

	(void)state;
	id = define("{\"entity\": \"companies\", \"name\": \"segment\", "
	    "\"label\": \"Segment\", \"type\": \"choice\", \"options\": [\"A\"]}");
	second = define("{\"entity\": \"companies\", \"name\": \"size\", "
	    "\"label\": \"Size\", \"type\": \"integer\", \"position\": 1}");
	static const char *const frozen[] = {
		"{\"type\": \"text\"}", "{\"name\": \"segment2\"}",
		"{\"entity\": \"contacts\"}",
	};
	static const char *const frozen_key[] = { "type", "name", "entity" };

	for (size_t i = 0; i < 3; i++) {
		in = J(frozen[i]);
		assert_int_equal(cf_update(as(&admin), id, in, &out), CRM_EINVAL);
		assert_err(frozen_key[i]);
		assert_null(out);
		json_decref(in);
	}
	in = J("{\"label\": \"Сегмент\", \"required\": true, "
	    "\"options\": [\"A\", \"B\"], \"position\": 5}");
	assert_int_equal(cf_update(as(&admin), id, in, &out), CRM_OK);
	json_decref(in);
	assert_string_equal(json_string_value(json_object_get(out, "label")),
	    "Сегмент");
	assert_string_equal(json_string_value(json_object_get(out, "type")),
	    "choice");
	assert_string_equal(json_string_value(json_object_get(out, "name")),
	    "segment");
	assert_true(json_is_true(json_object_get(out, "required")));
	assert_int_equal(json_array_size(json_object_get(out, "options")), 2);
	assert_int_equal(json_integer_value(json_object_get(out, "position")), 5);
	json_decref(out);
	/* Listed by position: size (1) now comes before segment (5). */
	assert_int_equal(cf_list(as(&member), "companies", &list), CRM_OK);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(
	    json_object_get(list, "data"), 0), "id")), second);
	json_decref(list);
	/* A choice field cannot lose all its options. */
	in = J("{\"options\": []}");
	assert_int_equal(cf_update(as(&admin), id, in, &out), CRM_EINVAL);
	assert_err("options");
	json_decref(in);
	in = J("{\"label\": \"x\"}");
	assert_int_equal(cf_update(as(&admin), 999999, in, &out), CRM_ENOTFOUND);
	json_decref(in);
}

static void
a_new_option_is_accepted_after_an_update(void **state)
{
	json_t *in, *out = NULL, *r;
	int64_t id;

	(void)state;
	id = define("{\"entity\": \"companies\", \"name\": \"segment\", "
	    "\"label\": \"Segment\", \"type\": \"choice\", \"options\": [\"A\"]}");
	assert_int_equal(try_create(COMPANIES, "{\"name\": \"X\", \"custom\": "
	    "{\"segment\": \"B\"}}", &r), CRM_EINVAL);
	assert_err("custom.segment");
	in = J("{\"options\": [\"A\", \"B\"]}");
	assert_int_equal(cf_update(as(&admin), id, in, &out), CRM_OK);
	json_decref(in);
	json_decref(out);
	assert_int_equal(try_create(COMPANIES, "{\"name\": \"X\", \"custom\": "
	    "{\"segment\": \"B\"}}", &r), CRM_OK);
	assert_string_equal(json_string_value(json_object_get(
	    json_object_get(r, "custom"), "segment")), "B");
	json_decref(r);
}

/* ---- values ---- */

struct type_case {
	const char	*type;
	const char	*options;	/* JSON array or NULL */
	const char	*valid[3];	/* JSON values that must be accepted */
	const char	*invalid[5];	/* JSON values that must be refused */
};

static const struct type_case type_cases[] = {
	{ "text", NULL, { "\"Hello, мир\"", "\"\"" },
	    { "5", "true", "[\"a\"]", "{\"a\": 1}" } },
	{ "long_text", NULL, { "\"line 1\\nline 2\"" },
	    { "12", "false", "[]" } },
	{ "integer", NULL, { "42", "-7", "0" },
	    { "\"42\"", "4.5", "true", "[1]" } },
	{ "decimal", NULL, { "\"-12.345\"", "\"7\"", "\"0.5\"" },
	    { "12.5", "\"1e5\"", "\"12,5\"", "\"12.\"", "\"abc\"" } },
	{ "money", NULL, { "{\"amount\": 12345, \"currency\": \"EUR\"}",
	    "{\"amount\": -100, \"currency\": \"RUB\"}" },
	    { "{\"amount\": 12.5, \"currency\": \"EUR\"}",
	      "{\"amount\": 100, \"currency\": \"eur\"}",
	      "{\"amount\": 100}", "12345",
	      "{\"amount\": 1, \"currency\": \"EUR\", \"extra\": 1}" } },
	{ "percent", NULL, { "\"15.5\"", "\"100\"" },
	    { "15.5", "\"15.5%\"", "\"fifteen\"" } },
	{ "date", NULL, { "\"2026-11-26\"", "\"2024-02-29\"" },
	    { "\"2026-02-30\"", "\"26.11.2026\"", "\"2026-11-26T10:00:00Z\"",
	      "20261126" } },
	{ "datetime", NULL, { "\"2026-11-26T17:20:00Z\"",
	    "\"2026-11-26T17:20:00.123+03:00\"" },
	    { "\"2026-11-26 17:20:00\"", "\"2026-11-26\"", "1764177600000" } },
	{ "email", NULL, { "\"ivan@example.com\"" },
	    { "\"ivan at example\"", "\"@example.com\"", "[\"a@b.example\"]" } },
	{ "phone", NULL, { "\"+7 (495) 123-45-67\"", "\"030 1234567 ext 12\"" },
	    { "\"call me\"", "\"12\"", "74951234567" } },
	{ "url", NULL, { "\"https://example.com/path?q=1\"" },
	    { "\"example.com\"", "\"ftp://example.com\"", "\"javascript:alert(1)\"" } },
	{ "choice", "[\"A\", \"B\"]", { "\"A\"", "\"B\"" },
	    { "\"C\"", "\"a\"", "[\"A\"]", "1" } },
	{ "multichoice", "[\"A\", \"B\", \"C\"]",
	    { "[\"A\", \"C\"]", "[]", "[\"B\"]" },
	    { "[\"A\", \"A\"]", "[\"D\"]", "\"A\"", "[\"A\", 1]" } },
	{ "boolean", NULL, { "true", "false" },
	    { "\"true\"", "1", "0", "\"yes\"" } },
};

static void
each_type_accepts_its_values_and_refuses_others(void **state)
{
	char def[512], body[512], field[64];

	(void)state;
	assert_int_equal(sizeof(type_cases) / sizeof(*type_cases), 14);
	for (size_t i = 0; i < sizeof(type_cases) / sizeof(*type_cases); i++) {
		const struct type_case *t = &type_cases[i];

		snprintf(def, sizeof(def), "{\"entity\": \"companies\", \"name\": "
		    "\"f_%s\", \"label\": \"%s\", \"type\": \"%s\"%s%s}", t->type,
		    t->type, t->type, t->options ? ", \"options\": " : "",
		    t->options ? t->options : "");
		(void)define(def);
	}
	for (size_t i = 0; i < sizeof(type_cases) / sizeof(*type_cases); i++) {
		const struct type_case *t = &type_cases[i];

		snprintf(field, sizeof(field), "custom.f_%s", t->type);
		for (size_t k = 0; k < 3 && t->valid[k] != NULL; k++) {
			json_t *r, *want = J(t->valid[k]), *again = NULL;

			snprintf(body, sizeof(body), "{\"name\": \"ok %s %zu\", "
			    "\"custom\": {\"f_%s\": %s}}", t->type, k, t->type,
			    t->valid[k]);
			if (try_create(COMPANIES, body, &r) != CRM_OK)
				fail_msg("%s: %s refused: %s", t->type, t->valid[k],
				    cx.errs.n ? cx.errs.items[0].message : cx.detail);
			/* The value comes back as written. */
			assert_int_equal(rec_get(as(&member), COMPANIES,
			    json_integer_value(json_object_get(r, "id")), false,
			    &again), CRM_OK);
			if (!json_equal(json_object_get(json_object_get(again,
			    "custom"), field + 7), want))
				fail_msg("%s: %s did not come back", t->type,
				    t->valid[k]);
			json_decref(again);
			json_decref(want);
			json_decref(r);
		}
		for (size_t k = 0; k < 5 && t->invalid[k] != NULL; k++) {
			json_t *r;

			snprintf(body, sizeof(body), "{\"name\": \"bad %s %zu\", "
			    "\"custom\": {\"f_%s\": %s}}", t->type, k, t->type,
			    t->invalid[k]);
			if (try_create(COMPANIES, body, &r) != CRM_EINVAL) {
				json_decref(r);
				fail_msg("%s: %s accepted", t->type, t->invalid[k]);
			}
			if (cx.errs.n != 1 || strcmp(cx.errs.items[0].field, field) != 0)
				fail_msg("%s: %s: expected one error on %s, got %d (%s)",
				    t->type, t->invalid[k], field, cx.errs.n,
				    cx.errs.n ? cx.errs.items[0].field : "-");
		}
	}
	/* Only the valid ones were written. */
	assert_int_equal(n_records(COMPANIES), 28);
}

static void
text_values_are_limited_in_characters(void **state)
{
	char *body;
	size_t n;
	json_t *r;

	(void)state;
	(void)define("{\"entity\": \"contacts\", \"name\": \"bio\", \"label\": "
	    "\"Bio\", \"type\": \"text\"}");
	(void)define("{\"entity\": \"contacts\", \"name\": \"story\", \"label\": "
	    "\"Story\", \"type\": \"long_text\"}");
	body = malloc(2 * 100001 + 200);
	/* 1000 Cyrillic letters (2000 bytes) fit a text field; 1001 do not. */
	n = (size_t)sprintf(body, "{\"last_name\": \"X\", \"custom\": {\"bio\": \"");
	for (int i = 0; i < 1000; i++, n += 2)
		memcpy(body + n, "ё", 2);
	strcpy(body + n, "\"}}");
	assert_int_equal(try_create(CONTACTS, body, &r), CRM_OK);
	json_decref(r);
	strcpy(body + n, "ё\"}}");
	assert_int_equal(try_create(CONTACTS, body, &r), CRM_EINVAL);
	assert_err("custom.bio");
	/* 100,000 characters fit a long text; 100,001 do not. */
	n = (size_t)sprintf(body, "{\"last_name\": \"X\", \"custom\": {\"story\": \"");
	memset(body + n, 'x', 100000);
	strcpy(body + n + 100000, "\"}}");
	assert_int_equal(try_create(CONTACTS, body, &r), CRM_OK);
	json_decref(r);
	strcpy(body + n + 100000, "x\"}}");
	assert_int_equal(try_create(CONTACTS, body, &r), CRM_EINVAL);
	assert_err("custom.story");
	free(body);
}

static void
a_required_custom_field_is_enforced_on_create_and_update(void **state)
{
	json_t *r, *u, *again = NULL;
	int64_t id;

	(void)state;
	(void)define("{\"entity\": \"companies\", \"name\": \"segment\", "
	    "\"label\": \"Segment\", \"type\": \"text\", \"required\": true}");
	(void)define("{\"entity\": \"companies\", \"name\": \"note\", "
	    "\"label\": \"Note\", \"type\": \"text\"}");
	assert_int_equal(try_create(COMPANIES, "{\"name\": \"A\"}", &r), CRM_EINVAL);
	assert_err("custom.segment");
	assert_false(has_err("custom.note"));
	assert_int_equal(try_create(COMPANIES, "{\"name\": \"A\", \"custom\": "
	    "{\"note\": \"n\"}}", &r), CRM_EINVAL);
	assert_err("custom.segment");
	assert_int_equal(try_create(COMPANIES, "{\"name\": \"A\", \"custom\": "
	    "{\"segment\": \"\"}}", &r), CRM_EINVAL);
	assert_err("custom.segment");
	assert_int_equal(try_create(COMPANIES, "{\"name\": \"A\", \"custom\": "
	    "{\"segment\": null}}", &r), CRM_EINVAL);
	assert_err("custom.segment");
	assert_int_equal(n_records(COMPANIES), 0);
	/* Contacts are not affected by a companies field. */
	assert_int_equal(try_create(CONTACTS, "{\"last_name\": \"Free\"}", &r),
	    CRM_OK);
	json_decref(r);

	assert_int_equal(try_create(COMPANIES, "{\"name\": \"A\", \"custom\": "
	    "{\"segment\": \"SMB\", \"note\": \"n\"}}", &r), CRM_OK);
	id = json_integer_value(json_object_get(r, "id"));
	json_decref(r);
	/* Updating other fields keeps the value, and needs no resending. */
	assert_int_equal(try_update(COMPANIES, id, "{\"industry\": \"IT\"}", &u),
	    CRM_OK);
	json_decref(u);
	/* A custom patch merges: setting one value keeps the others. */
	assert_int_equal(try_update(COMPANIES, id, "{\"custom\": {\"note\": \"m\"}}",
	    &u), CRM_OK);
	assert_string_equal(json_string_value(json_object_get(json_object_get(u,
	    "custom"), "segment")), "SMB");
	assert_string_equal(json_string_value(json_object_get(json_object_get(u,
	    "custom"), "note")), "m");
	json_decref(u);
	/* Clearing the required value is refused, in every way of clearing it. */
	assert_int_equal(try_update(COMPANIES, id, "{\"custom\": "
	    "{\"segment\": null}}", &u), CRM_EINVAL);
	assert_err("custom.segment");
	assert_int_equal(try_update(COMPANIES, id, "{\"custom\": "
	    "{\"segment\": \"\"}}", &u), CRM_EINVAL);
	assert_err("custom.segment");
	assert_int_equal(try_update(COMPANIES, id, "{\"custom\": null}", &u),
	    CRM_EINVAL);
	assert_err("custom.segment");
	assert_null(u);
	assert_int_equal(rec_get(as(&member), COMPANIES, id, false, &again), CRM_OK);
	assert_string_equal(json_string_value(json_object_get(json_object_get(
	    again, "custom"), "segment")), "SMB");
	assert_int_equal(json_integer_value(json_object_get(again, "version")), 3);
	json_decref(again);
	/* Clearing an optional value is fine. */
	assert_int_equal(try_update(COMPANIES, id, "{\"custom\": {\"note\": null}}",
	    &u), CRM_OK);
	assert_null(json_object_get(json_object_get(u, "custom"), "note"));
	json_decref(u);
}

static void
a_required_field_is_not_satisfied_by_an_empty_value(void **state)
{
	json_t *r;

	(void)state;
	(void)define("{\"entity\": \"contacts\", \"name\": \"langs\", "
	    "\"label\": \"Languages\", \"type\": \"multichoice\", "
	    "\"options\": [\"en\", \"ru\"], \"required\": true}");
	(void)define("{\"entity\": \"contacts\", \"name\": \"agreed\", "
	    "\"label\": \"Agreed\", \"type\": \"boolean\", \"required\": true}");
	/* false is an answer to a required yes/no question... */
	assert_int_equal(try_create(CONTACTS, "{\"last_name\": \"A\", \"custom\": "
	    "{\"langs\": [\"ru\"], \"agreed\": false}}", &r), CRM_OK);
	json_decref(r);
	/* ...but no choice at all is not, like "" for a text field. */
	if (try_create(CONTACTS, "{\"last_name\": \"B\", \"custom\": "
	    "{\"langs\": [], \"agreed\": true}}", &r) == CRM_OK) {
		json_decref(r);
		fail_msg("a required multichoice accepted [] (nothing chosen)");
	}
	assert_err("custom.langs");
}

static void
a_required_text_field_is_not_satisfied_by_spaces(void **state)
{
	json_t *r;

	(void)state;
	(void)define("{\"entity\": \"companies\", \"name\": \"segment\", "
	    "\"label\": \"Segment\", \"type\": \"text\", \"required\": true}");
	/* The record's own required fields treat blanks as missing
	 * ({"name": "   "} is refused); a required custom text should too. */
	if (try_create(COMPANIES, "{\"name\": \"A\", \"custom\": "
	    "{\"segment\": \"   \"}}", &r) == CRM_OK) {
		json_decref(r);
		fail_msg("a required custom text accepted \"   \"");
	}
	assert_err("custom.segment");
}

static void
an_unknown_custom_key_is_refused(void **state)
{
	json_t *r;

	(void)state;
	(void)define("{\"entity\": \"contacts\", \"name\": \"segment\", "
	    "\"label\": \"Segment\", \"type\": \"text\"}");
	assert_int_equal(try_create(COMPANIES, "{\"name\": \"A\", \"custom\": "
	    "{\"colour\": \"red\"}}", &r), CRM_EINVAL);
	assert_err("custom.colour");
	/* A contacts field is unknown on a company. */
	assert_int_equal(try_create(COMPANIES, "{\"name\": \"A\", \"custom\": "
	    "{\"segment\": \"SMB\"}}", &r), CRM_EINVAL);
	assert_err("custom.segment");
	assert_int_equal(try_create(CONTACTS, "{\"last_name\": \"A\", \"custom\": "
	    "{\"segment\": \"SMB\", \"colour\": 1}}", &r), CRM_EINVAL);
	assert_int_equal(cx.errs.n, 1);
	assert_err("custom.colour");
	assert_int_equal(n_records(COMPANIES), 0);
	assert_int_equal(n_records(CONTACTS), 0);
}

static void
a_deleted_field_no_longer_takes_or_shows_values(void **state)
{
	json_t *r, *again = NULL;
	int64_t fid, id;

	(void)state;
	fid = define("{\"entity\": \"companies\", \"name\": \"segment\", "
	    "\"label\": \"Segment\", \"type\": \"text\", \"required\": true}");
	assert_int_equal(try_create(COMPANIES, "{\"name\": \"A\", \"custom\": "
	    "{\"segment\": \"SMB\"}}", &r), CRM_OK);
	id = json_integer_value(json_object_get(r, "id"));
	json_decref(r);
	assert_int_equal(cf_delete(as(&admin), fid), CRM_OK);
	assert_int_equal(n_defs("companies"), 0);
	assert_int_equal(cf_delete(as(&admin), fid), CRM_ENOTFOUND);
	/* No longer required, no longer accepted. */
	assert_int_equal(try_create(COMPANIES, "{\"name\": \"B\"}", &r), CRM_OK);
	json_decref(r);
	assert_int_equal(try_create(COMPANIES, "{\"name\": \"C\", \"custom\": "
	    "{\"segment\": \"SMB\"}}", &r), CRM_EINVAL);
	assert_err("custom.segment");
	/* The stored value stays in the row but is not shown (customfields.h). */
	assert_int_equal(rec_get(as(&member), COMPANIES, id, false, &again), CRM_OK);
	{
		bool shown = json_object_get(json_object_get(again, "custom"),
		    "segment") != NULL;

		json_decref(again);
		if (shown)
			fail_msg("a deleted custom field's value is still shown: "
			    "rec_get gives custom.segment = \"SMB\"");
	}
}

int
main(void)
{
#define T(f) cmocka_unit_test_setup(f, empty_tables)
	const struct CMUnitTest tests[] = {
		T(only_an_admin_defines_custom_fields),
		T(a_definition_comes_back_as_written),
		T(bad_definitions_are_refused_by_name),
		T(choice_fields_need_string_options),
		T(a_duplicate_name_is_refused_per_entity),
		T(an_update_changes_label_required_options_position_only),
		T(a_new_option_is_accepted_after_an_update),
		T(each_type_accepts_its_values_and_refuses_others),
		T(text_values_are_limited_in_characters),
		T(a_required_custom_field_is_enforced_on_create_and_update),
		T(a_required_field_is_not_satisfied_by_an_empty_value),
		T(a_required_text_field_is_not_satisfied_by_spaces),
		T(an_unknown_custom_key_is_refused),
		T(a_deleted_field_no_longer_takes_or_shows_values),
	};
#undef T

	return cmocka_run_group_tests(tests, group_setup, memdb_close);
}
