/*
 * core/record: companies and contacts as a user of the API relies on them:
 * what goes in comes back, bad input is named field by field and writes
 * nothing, versions guard updates, the trash is reversible, and lists sort,
 * page, filter and search the way the docs promise.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <sodium.h>

#include "core/core.h"
#include "core/record.h"
#include "core/users.h"
#include "store/db.h"

static db_t *db;
static struct actor me;		/* the signed-in user, added with user_add */
static int64_t other_id;	/* a second active user (owner filters) */
static struct core_ctx cx;

#define COMPANIES (&entity_companies)
#define CONTACTS (&entity_contacts)

/* A fresh context for one core call, as a face would make per request. */
static struct core_ctx *
ctx(void)
{
	core_ctx_init(&cx, db, &me);
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

/* Creates a record that must be valid; returns it (caller decrefs). */
static json_t *
make(const struct entity *e, const char *text)
{
	json_t *in = J(text), *out = NULL;
	int rc = rec_create(ctx(), e, in, &out);

	if (rc != CRM_OK)
		fail_msg("create %s failed (%d): %s; first error %s: %s", text, rc,
		    cx.detail, cx.errs.n ? cx.errs.items[0].field : "-",
		    cx.errs.n ? cx.errs.items[0].message : "-");
	json_decref(in);
	return out;
}

static int64_t
make_id(const struct entity *e, const char *text)
{
	json_t *r = make(e, text);
	int64_t id = json_integer_value(json_object_get(r, "id"));

	json_decref(r);
	return id;
}

/* Tries a create that must fail with CRM_EINVAL; cx.errs holds the reasons. */
static void
refuse(const struct entity *e, const char *text)
{
	json_t *in = J(text), *out = NULL;
	int rc = rec_create(ctx(), e, in, &out);

	json_decref(in);
	if (rc != CRM_EINVAL) {
		json_decref(out);
		fail_msg("create %s: expected CRM_EINVAL, got %d", text, rc);
	}
	assert_null(out);
	assert_true(cx.errs.n > 0);
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

static const char *
str(json_t *rec, const char *key)
{
	return json_string_value(json_object_get(rec, key));
}

static int64_t
num(json_t *rec, const char *key)
{
	return json_integer_value(json_object_get(rec, key));
}

/* ---- lists ---- */

static void
lq_init(struct list_query *lq)
{
	memset(lq, 0, sizeof(*lq));
}

static void
lq_filter(struct list_query *lq, const char *key, const char *value)
{
	lq->filters[lq->nfilters].key = key;
	lq->filters[lq->nfilters].value = value;
	lq->nfilters++;
}

/* One page; fails the test unless the list call succeeds. */
static json_t *
page(const struct entity *e, const struct list_query *lq)
{
	json_t *out = NULL;
	int rc = rec_list(ctx(), e, lq, &out);

	if (rc != CRM_OK)
		fail_msg("rec_list failed (%d): %s", rc, cx.detail);
	assert_true(json_is_array(json_object_get(out, "data")));
	return out;
}

static size_t
count(const struct entity *e, const struct list_query *lq)
{
	struct list_query l = *lq;
	json_t *out;
	size_t n;

	l.limit = "200";
	out = page(e, &l);
	n = json_array_size(json_object_get(out, "data"));
	assert_true(json_is_null(json_object_get(out, "next_cursor")));
	json_decref(out);
	return n;
}

static size_t
count_all(const struct entity *e)
{
	struct list_query lq;

	lq_init(&lq);
	return count(e, &lq);
}

/* The ids a list answers, in order, as "1,5,7" for readable comparisons. */
static char *
ids_of(json_t *out)
{
	static char s[8192];
	size_t i, n = 0;
	json_t *r;

	s[0] = '\0';
	json_array_foreach(json_object_get(out, "data"), i, r)
		n += (size_t)snprintf(s + n, sizeof(s) - n, "%s%lld", i ? "," : "",
		    (long long)num(r, "id"));
	return s;
}

static char *
ids_where(const struct entity *e, struct list_query *lq)
{
	json_t *out = page(e, lq);
	char *s = ids_of(out);

	json_decref(out);
	return s;
}

/* Ids matching search text q, ascending. */
static char *
search(const struct entity *e, const char *q)
{
	struct list_query lq;

	lq_init(&lq);
	lq.q = q;
	return ids_where(e, &lq);
}

static char *
idstr(int64_t a)
{
	static char s[32];

	snprintf(s, sizeof(s), "%lld", (long long)a);
	return s;
}

/* ---- fixture ---- */

static int
group_setup(void **state)
{
	char err[256];
	int64_t id;

	(void)state;
	if (sodium_init() < 0)
		return -1;
	if (core_open_db(":memory:", &db, err, sizeof(err)) != CRM_OK) {
		fprintf(stderr, "core_open_db: %s\n", err);
		return -1;
	}
	core_ctx_init(&cx, db, NULL);
	if (user_add(&cx, "anna@example.com", "Anna Smirnova",
	    "correct horse battery", false, &id) != CRM_OK)
		return -1;
	/* A director: these tests are about records, not rights (test_access). */
	if (db_exec(db, "UPDATE users SET role_id = (SELECT id FROM roles WHERE "
	    "builtin = 'director')") != DB_OK)
		return -1;
	me.user_id = id;
	snprintf(me.email, sizeof(me.email), "anna@example.com");
	snprintf(me.name, sizeof(me.name), "Anna Smirnova");
	/* A colleague, inserted directly: a second argon2id hash is not needed. */
	if (db_exec(db, "INSERT INTO users (email, name, password_hash, is_admin, "
	    "active, created_at, updated_at) VALUES ('boris@example.com', "
	    "'Boris', 'x', 0, 1, 0, 0)") != DB_OK)
		return -1;
	other_id = id + 1;
	return 0;
}

static int
group_teardown(void **state)
{
	(void)state;
	db_close(db);
	return 0;
}

/* Each test starts with no records and no custom fields. */
static int
empty_tables(void **state)
{
	(void)state;
	return db_exec(db, "DELETE FROM contacts; DELETE FROM companies; "
	    "DELETE FROM record_tags; DELETE FROM custom_fields;") == DB_OK ? 0 : -1;
}

/* ---- create ---- */

static void
company_fields_come_back_as_written(void **state)
{
	json_t *r, *again = NULL;

	(void)state;
	r = make(COMPANIES, "{\"name\": \"ООО Ромашка\", \"legal_name\": "
	    "\"Общество с ограниченной ответственностью Ромашка\", "
	    "\"tax_id\": \"7701234567\", \"website\": \"https://romashka.example\", "
	    "\"emails\": [\"info@romashka.example\"], "
	    "\"phones\": [\"+7 (495) 123-45-67\"], \"address\": \"Москва\", "
	    "\"industry\": \"IT\", \"source\": \"web\", \"notes\": \"line 1\\nline 2\", "
	    "\"tags\": [\"vip\", \"b2b\", \"vip\"]}");
	assert_true(num(r, "id") > 0);
	assert_string_equal(str(r, "name"), "ООО Ромашка");
	assert_string_equal(str(r, "legal_name"),
	    "Общество с ограниченной ответственностью Ромашка");
	assert_string_equal(str(r, "tax_id"), "7701234567");
	assert_string_equal(str(r, "website"), "https://romashka.example");
	assert_string_equal(json_string_value(json_array_get(
	    json_object_get(r, "emails"), 0)),
	    "info@romashka.example");
	assert_int_equal(json_array_size(json_object_get(r, "phones")), 1);
	assert_string_equal(json_string_value(json_array_get(
	    json_object_get(r, "phones"), 0)), "+7 (495) 123-45-67");
	assert_string_equal(str(r, "address"), "Москва");
	assert_string_equal(str(r, "industry"), "IT");
	assert_string_equal(str(r, "source"), "web");
	assert_string_equal(str(r, "notes"), "line 1\nline 2");
	/* Duplicate tags are kept once, in the order given. */
	assert_int_equal(json_array_size(json_object_get(r, "tags")), 2);
	assert_string_equal(json_string_value(json_array_get(
	    json_object_get(r, "tags"), 0)), "vip");
	assert_string_equal(json_string_value(json_array_get(
	    json_object_get(r, "tags"), 1)), "b2b");
	/* The bookkeeping fields. */
	assert_int_equal(num(r, "owner_id"), me.user_id);
	assert_int_equal(num(r, "created_by"), me.user_id);
	assert_int_equal(num(r, "updated_by"), me.user_id);
	assert_int_equal(num(r, "version"), 1);
	assert_true(json_is_null(json_object_get(r, "deleted_at")));
	assert_non_null(str(r, "created_at"));
	assert_int_equal(strlen(str(r, "created_at")), 24);	/* ...T..:..:..000Z */
	assert_int_equal(str(r, "created_at")[23], 'Z');
	assert_string_equal(str(r, "created_at"), str(r, "updated_at"));
	assert_true(json_is_object(json_object_get(r, "custom")));
	/* Reading it back gives the same record. */
	assert_int_equal(rec_get(ctx(), COMPANIES, num(r, "id"), false, &again),
	    CRM_OK);
	assert_true(json_equal(r, again));
	json_decref(again);
	json_decref(r);
}

static void
optional_fields_absent_read_as_null_or_empty(void **state)
{
	json_t *r;

	(void)state;
	r = make(COMPANIES, "{\"name\": \"Bare\"}");
	assert_true(json_is_null(json_object_get(r, "industry")));
	assert_true(json_is_null(json_object_get(r, "website")));
	assert_int_equal(json_array_size(json_object_get(r, "emails")), 0);
	assert_true(json_is_array(json_object_get(r, "emails")));
	assert_true(json_is_array(json_object_get(r, "tags")));
	assert_int_equal(json_array_size(json_object_get(r, "tags")), 0);
	json_decref(r);
}

static void
contact_fields_come_back_with_company_name(void **state)
{
	int64_t co;
	char body[512];
	json_t *r;

	(void)state;
	co = make_id(COMPANIES, "{\"name\": \"ACME\"}");
	snprintf(body, sizeof(body), "{\"first_name\": \"Мария\", "
	    "\"last_name\": \"Иванова\", \"middle_name\": \"Петровна\", "
	    "\"position\": \"CFO\", \"emails\": [\"maria@acme.example\"], "
	    "\"phones\": [\"+7 495 123-45-67\"], \"company_id\": %lld, "
	    "\"birthday\": \"1990-02-28\", \"source\": \"fair\"}", (long long)co);
	r = make(CONTACTS, body);
	assert_string_equal(str(r, "first_name"), "Мария");
	assert_string_equal(str(r, "last_name"), "Иванова");
	assert_string_equal(str(r, "middle_name"), "Петровна");
	assert_string_equal(str(r, "position"), "CFO");
	assert_int_equal(num(r, "company_id"), co);
	assert_string_equal(str(r, "company_name"), "ACME");
	assert_string_equal(str(r, "birthday"), "1990-02-28");
	assert_int_equal(num(r, "owner_id"), me.user_id);
	assert_int_equal(num(r, "created_by"), me.user_id);
	assert_int_equal(num(r, "version"), 1);
	json_decref(r);
}

static void
a_contact_with_only_a_first_name_is_fine(void **state)
{
	json_t *r;

	(void)state;
	r = make(CONTACTS, "{\"first_name\": \"Cher\"}");
	assert_string_equal(str(r, "first_name"), "Cher");
	assert_true(json_is_null(json_object_get(r, "last_name")));
	json_decref(r);
}

static void
an_explicit_owner_is_kept(void **state)
{
	char body[128];
	json_t *r;

	(void)state;
	snprintf(body, sizeof(body), "{\"name\": \"Owned\", \"owner_id\": %lld}",
	    (long long)other_id);
	r = make(COMPANIES, body);
	assert_int_equal(num(r, "owner_id"), other_id);
	assert_int_equal(num(r, "created_by"), me.user_id);
	json_decref(r);
	refuse(COMPANIES, "{\"name\": \"Nobody's\", \"owner_id\": 99999}");
	assert_err("owner_id");
}

/* ---- validation ---- */

static void
an_unknown_field_is_named(void **state)
{
	(void)state;
	refuse(COMPANIES, "{\"name\": \"X\", \"colour\": \"red\"}");
	assert_int_equal(cx.errs.n, 1);
	assert_string_equal(cx.errs.items[0].field, "colour");
	refuse(CONTACTS, "{\"last_name\": \"X\", \"industry\": \"IT\"}");
	assert_err("industry");
}

static void
read_only_fields_are_refused(void **state)
{
	static const char *const ro[] = {
		"{\"name\": \"X\", \"id\": 5}",
		"{\"name\": \"X\", \"version\": 7}",
		"{\"name\": \"X\", \"created_at\": \"2020-01-01T00:00:00.000Z\"}",
		"{\"name\": \"X\", \"created_by\": 1}",
		"{\"name\": \"X\", \"updated_by\": 1}",
		"{\"name\": \"X\", \"deleted_at\": null}",
	};
	static const char *const field[] = {
		"id", "version", "created_at", "created_by", "updated_by", "deleted_at",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(ro) / sizeof(*ro); i++) {
		refuse(COMPANIES, ro[i]);
		assert_err(field[i]);
	}
	refuse(CONTACTS, "{\"last_name\": \"X\", \"company_name\": \"ACME\"}");
	assert_err("company_name");
	assert_int_equal(count_all(COMPANIES), 0);
	assert_int_equal(count_all(CONTACTS), 0);
}

static void
wrong_types_are_named(void **state)
{
	(void)state;
	refuse(COMPANIES, "{\"name\": 5}");
	assert_err("name");
	refuse(COMPANIES, "{\"name\": \"X\", \"emails\": \"a@b.example\"}");
	assert_err("emails");
	refuse(COMPANIES, "{\"name\": \"X\", \"phones\": [5]}");
	assert_err("phones[0]");
	refuse(COMPANIES, "{\"name\": \"X\", \"tags\": \"vip\"}");
	assert_err("tags");
	refuse(COMPANIES, "{\"name\": \"X\", \"tags\": [\"ok\", 3]}");
	assert_err("tags[1]");
	refuse(COMPANIES, "{\"name\": \"X\", \"custom\": [1]}");
	assert_err("custom");
	refuse(COMPANIES, "{\"name\": \"X\", \"owner_id\": \"1\"}");
	assert_err("owner_id");
	refuse(COMPANIES, "{\"name\": \"X\", \"website\": \"ftp://x.example\"}");
	assert_err("website");
	refuse(COMPANIES, "{\"name\": \"X\", \"industry\": true}");
	assert_err("industry");
	refuse(CONTACTS, "{\"last_name\": \"X\", \"company_id\": \"1\"}");
	assert_err("company_id");
	refuse(CONTACTS, "{\"last_name\": \"X\", \"birthday\": \"2023-02-29\"}");
	assert_err("birthday");
	refuse(CONTACTS, "{\"last_name\": \"X\", \"birthday\": \"01.02.1990\"}");
	assert_err("birthday");
	refuse(CONTACTS, "{\"last_name\": \"X\", \"phones\": [\"call me\"]}");
	assert_err("phones[0]");
}

static void
every_bad_field_is_reported_at_once(void **state)
{
	(void)state;
	refuse(COMPANIES, "{\"name\": 1, \"website\": \"nope\", \"colour\": 2, "
	    "\"emails\": [\"bad\"]}");
	assert_int_equal(cx.errs.n, 4);
	assert_err("name");
	assert_err("website");
	assert_err("colour");
	assert_err("emails[0]");
	assert_int_equal(strcmp(cx.detail, "4 fields are invalid"), 0);
}

static void
text_longer_than_its_limit_is_refused(void **state)
{
	char name[1024], body[1200];
	char *notes;
	size_t n = 0;
	json_t *r;

	(void)state;
	/* The limit counts characters, not bytes: 200 Cyrillic letters pass. */
	for (int i = 0; i < 200; i++) {
		memcpy(name + n, "Ж", 2);
		n += 2;
	}
	name[n] = '\0';
	snprintf(body, sizeof(body), "{\"name\": \"%s\"}", name);
	r = make(COMPANIES, body);
	assert_int_equal(strlen(str(r, "name")), 400);
	json_decref(r);
	snprintf(body, sizeof(body), "{\"name\": \"%sЖ\"}", name);
	refuse(COMPANIES, body);
	assert_err("name");
	/* Notes take up to 100,000 characters. */
	notes = malloc(100002 + 40);
	strcpy(notes, "{\"name\": \"N\", \"notes\": \"");
	n = strlen(notes);
	memset(notes + n, 'x', 100001);
	strcpy(notes + n + 100001, "\"}");
	refuse(COMPANIES, notes);
	assert_err("notes");
	strcpy(notes + n + 100000, "\"}");
	r = make(COMPANIES, notes);
	assert_int_equal(strlen(str(r, "notes")), 100000);
	json_decref(r);
	free(notes);
	refuse(COMPANIES, "{\"name\": \"X\", \"tags\": [\"\"]}");
	assert_err("tags[0]");
}

static void
a_bad_email_names_its_position(void **state)
{
	(void)state;
	refuse(CONTACTS, "{\"last_name\": \"Petrov\", \"emails\": "
	    "[\"ivan@example.com\", \"ivan at example\"]}");
	assert_int_equal(cx.errs.n, 1);
	assert_string_equal(cx.errs.items[0].field, "emails[1]");
	assert_false(has_err("emails[0]"));
	assert_false(has_err("emails"));
}

static void
too_many_emails_are_refused(void **state)
{
	char body[2048];
	size_t n;

	(void)state;
	n = (size_t)snprintf(body, sizeof(body), "{\"name\": \"X\", \"emails\": [");
	for (int i = 0; i < 21; i++)
		n += (size_t)snprintf(body + n, sizeof(body) - n, "%s\"a%d@x.example\"",
		    i ? "," : "", i);
	snprintf(body + n, sizeof(body) - n, "]}");
	refuse(COMPANIES, body);
	assert_err("emails");
}

static void
a_company_needs_a_name(void **state)
{
	(void)state;
	refuse(COMPANIES, "{\"industry\": \"IT\"}");
	assert_err("name");
	refuse(COMPANIES, "{\"name\": \"\"}");
	assert_err("name");
	refuse(COMPANIES, "{\"name\": \"   \"}");
	assert_err("name");
	refuse(COMPANIES, "{\"name\": null}");
	assert_err("name");
}

static void
a_contact_needs_a_first_or_last_name(void **state)
{
	(void)state;
	refuse(CONTACTS, "{\"position\": \"CEO\"}");
	assert_err("last_name");
	refuse(CONTACTS, "{\"first_name\": \"\", \"last_name\": \"\"}");
	assert_err("last_name");
	refuse(CONTACTS, "{\"first_name\": null, \"last_name\": null, "
	    "\"middle_name\": \"Ivanovich\"}");
	assert_err("last_name");
}

static void
a_contact_company_must_exist(void **state)
{
	int64_t co;
	char body[128];

	(void)state;
	refuse(CONTACTS, "{\"last_name\": \"X\", \"company_id\": 999999}");
	assert_err("company_id");
	refuse(CONTACTS, "{\"last_name\": \"X\", \"company_id\": 0}");
	assert_err("company_id");
	/* A company in the trash cannot take new contacts either. */
	co = make_id(COMPANIES, "{\"name\": \"Gone\"}");
	assert_int_equal(rec_delete(ctx(), COMPANIES, co), CRM_OK);
	snprintf(body, sizeof(body), "{\"last_name\": \"X\", \"company_id\": %lld}",
	    (long long)co);
	refuse(CONTACTS, body);
	assert_err("company_id");
	assert_int_equal(count_all(CONTACTS), 0);
}

static void
a_failed_create_writes_nothing(void **state)
{
	struct list_query lq;
	json_t *r;

	(void)state;
	r = make(COMPANIES, "{\"name\": \"Before\", \"tags\": [\"keep\"]}");
	json_decref(r);
	refuse(COMPANIES, "{\"name\": \"Half\", \"tags\": [\"half\"], "
	    "\"emails\": [\"ok@x.example\", \"bad\"]}");
	refuse(COMPANIES, "{\"name\": \"Half\", \"tags\": [\"half\"], "
	    "\"custom\": {\"nosuch\": 1}}");
	assert_err("custom.nosuch");
	assert_int_equal(count_all(COMPANIES), 1);
	lq_init(&lq);
	lq_filter(&lq, "tag", "half");
	assert_int_equal(count(COMPANIES, &lq), 0);
	assert_string_equal(search(COMPANIES, "Half"), "");
	lq_init(&lq);
	lq.deleted = true;
	assert_int_equal(count(COMPANIES, &lq), 0);
}

/* ---- update ---- */

static void
an_update_changes_only_the_named_fields(void **state)
{
	json_t *r, *patch, *u = NULL;
	int64_t id;

	(void)state;
	r = make(COMPANIES, "{\"name\": \"Alpha\", \"industry\": \"IT\", "
	    "\"legal_name\": \"Alpha LLC\", \"emails\": [\"a@alpha.example\"], "
	    "\"tags\": [\"x\"]}");
	id = num(r, "id");
	patch = J("{\"industry\": \"Retail\"}");
	assert_int_equal(rec_update(ctx(), COMPANIES, id, 1, patch, &u), CRM_OK);
	assert_string_equal(str(u, "industry"), "Retail");
	assert_string_equal(str(u, "name"), "Alpha");
	assert_string_equal(str(u, "legal_name"), "Alpha LLC");
	assert_true(json_equal(json_object_get(u, "emails"),
	    json_object_get(r, "emails")));
	assert_true(json_equal(json_object_get(u, "tags"),
	    json_object_get(r, "tags")));
	assert_int_equal(num(u, "version"), 2);
	assert_int_equal(num(u, "owner_id"), me.user_id);
	assert_string_equal(str(u, "created_at"), str(r, "created_at"));
	assert_int_equal(num(u, "updated_by"), me.user_id);
	json_decref(patch);
	json_decref(u);
	/* null clears an optional field; no precondition with -1. */
	patch = J("{\"legal_name\": null, \"emails\": null, \"tags\": null}");
	assert_int_equal(rec_update(ctx(), COMPANIES, id, -1, patch, &u), CRM_OK);
	assert_true(json_is_null(json_object_get(u, "legal_name")));
	assert_int_equal(json_array_size(json_object_get(u, "emails")), 0);
	assert_int_equal(json_array_size(json_object_get(u, "tags")), 0);
	assert_string_equal(str(u, "industry"), "Retail");
	assert_int_equal(num(u, "version"), 3);
	json_decref(patch);
	json_decref(u);
	/* "" clears too (docs/api.md). */
	patch = J("{\"industry\": \"\"}");
	assert_int_equal(rec_update(ctx(), COMPANIES, id, 3, patch, &u), CRM_OK);
	assert_true(json_is_null(json_object_get(u, "industry")));
	assert_string_equal(str(u, "name"), "Alpha");
	assert_int_equal(num(u, "version"), 4);
	json_decref(patch);
	json_decref(u);
	json_decref(r);
	/* The cleared tag no longer selects the record. */
	{
		struct list_query lq;

		lq_init(&lq);
		lq_filter(&lq, "tag", "x");
		assert_int_equal(count(COMPANIES, &lq), 0);
	}
}

static void
an_update_cannot_clear_a_required_field(void **state)
{
	json_t *patch, *u = NULL, *r = NULL;
	int64_t id, c;

	(void)state;
	id = make_id(COMPANIES, "{\"name\": \"Keep\"}");
	patch = J("{\"name\": null}");
	assert_int_equal(rec_update(ctx(), COMPANIES, id, 1, patch, &u), CRM_EINVAL);
	assert_err("name");
	json_decref(patch);
	c = make_id(CONTACTS, "{\"last_name\": \"Only\"}");
	patch = J("{\"last_name\": \"\"}");
	assert_int_equal(rec_update(ctx(), CONTACTS, c, -1, patch, &u), CRM_EINVAL);
	assert_err("last_name");
	json_decref(patch);
	assert_int_equal(rec_get(ctx(), COMPANIES, id, false, &r), CRM_OK);
	assert_string_equal(str(r, "name"), "Keep");
	assert_int_equal(num(r, "version"), 1);
	json_decref(r);
	assert_int_equal(rec_get(ctx(), CONTACTS, c, false, &r), CRM_OK);
	assert_string_equal(str(r, "last_name"), "Only");
	assert_int_equal(num(r, "version"), 1);
	json_decref(r);
}

static void
a_stale_version_conflicts_and_changes_nothing(void **state)
{
	json_t *patch, *u = NULL, *r = NULL;
	int64_t id;

	(void)state;
	id = make_id(COMPANIES, "{\"name\": \"Shared\", \"industry\": \"IT\"}");
	patch = J("{\"industry\": \"Banking\"}");
	assert_int_equal(rec_update(ctx(), COMPANIES, id, 1, patch, &u), CRM_OK);
	json_decref(u);
	u = NULL;
	json_decref(patch);
	/* A second editor still holds version 1. */
	patch = J("{\"industry\": \"Mining\", \"name\": \"Mine\"}");
	assert_int_equal(rec_update(ctx(), COMPANIES, id, 1, patch, &u),
	    CRM_ECONFLICT);
	assert_null(u);
	assert_int_equal(rec_update(ctx(), COMPANIES, id, 3, patch, &u),
	    CRM_ECONFLICT);
	json_decref(patch);
	assert_int_equal(rec_get(ctx(), COMPANIES, id, false, &r), CRM_OK);
	assert_string_equal(str(r, "industry"), "Banking");
	assert_string_equal(str(r, "name"), "Shared");
	assert_int_equal(num(r, "version"), 2);
	json_decref(r);
}

static void
an_invalid_update_changes_nothing(void **state)
{
	json_t *patch, *u = NULL, *r = NULL;
	int64_t id;

	(void)state;
	id = make_id(COMPANIES, "{\"name\": \"Solid\", \"industry\": \"IT\"}");
	patch = J("{\"industry\": \"Retail\", \"emails\": [\"bad\"]}");
	assert_int_equal(rec_update(ctx(), COMPANIES, id, 1, patch, &u), CRM_EINVAL);
	assert_err("emails[0]");
	json_decref(patch);
	patch = J("{\"version\": 9}");
	assert_int_equal(rec_update(ctx(), COMPANIES, id, 1, patch, &u), CRM_EINVAL);
	assert_err("version");
	json_decref(patch);
	assert_null(u);
	assert_int_equal(rec_get(ctx(), COMPANIES, id, false, &r), CRM_OK);
	assert_string_equal(str(r, "industry"), "IT");
	assert_int_equal(num(r, "version"), 1);
	json_decref(r);
	patch = J("{\"industry\": \"Retail\"}");
	assert_int_equal(rec_update(ctx(), COMPANIES, 987654, -1, patch, &u),
	    CRM_ENOTFOUND);
	json_decref(patch);
}

static void
changing_a_contacts_company_changes_its_company_name(void **state)
{
	int64_t a, b, c;
	char body[128];
	json_t *patch, *u = NULL;

	(void)state;
	a = make_id(COMPANIES, "{\"name\": \"Old Co\"}");
	b = make_id(COMPANIES, "{\"name\": \"New Co\"}");
	snprintf(body, sizeof(body), "{\"last_name\": \"Mover\", \"company_id\": %lld}",
	    (long long)a);
	c = make_id(CONTACTS, body);
	snprintf(body, sizeof(body), "{\"company_id\": %lld}", (long long)b);
	patch = J(body);
	assert_int_equal(rec_update(ctx(), CONTACTS, c, 1, patch, &u), CRM_OK);
	assert_int_equal(num(u, "company_id"), b);
	assert_string_equal(str(u, "company_name"), "New Co");
	json_decref(u);
	json_decref(patch);
	patch = J("{\"company_id\": null}");
	assert_int_equal(rec_update(ctx(), CONTACTS, c, 2, patch, &u), CRM_OK);
	assert_true(json_is_null(json_object_get(u, "company_id")));
	assert_true(json_is_null(json_object_get(u, "company_name")));
	json_decref(u);
	json_decref(patch);
}

/* ---- trash ---- */

static void
delete_moves_to_the_trash_and_restore_brings_back(void **state)
{
	json_t *r = NULL, *out, *patch, *u = NULL;
	struct list_query lq;
	int64_t id, keep;

	(void)state;
	keep = make_id(COMPANIES, "{\"name\": \"Stays\"}");
	id = make_id(COMPANIES, "{\"name\": \"Goes\", \"tags\": [\"t\"]}");
	assert_int_equal(rec_delete(ctx(), COMPANIES, id), CRM_OK);
	assert_int_equal(rec_get(ctx(), COMPANIES, id, false, &r), CRM_ENOTFOUND);
	assert_null(r);
	patch = J("{\"industry\": \"IT\"}");
	assert_int_equal(rec_update(ctx(), COMPANIES, id, -1, patch, &u),
	    CRM_ENOTFOUND);
	json_decref(patch);
	/* Live lists, filters and search no longer show it... */
	lq_init(&lq);
	assert_string_equal(ids_where(COMPANIES, &lq), idstr(keep));
	lq_filter(&lq, "tag", "t");
	assert_string_equal(ids_where(COMPANIES, &lq), "");
	assert_string_equal(search(COMPANIES, "Goes"), "");
	/* ...the trash does, with deleted_at set. */
	lq_init(&lq);
	lq.deleted = true;
	out = page(COMPANIES, &lq);
	assert_int_equal(json_array_size(json_object_get(out, "data")), 1);
	r = json_array_get(json_object_get(out, "data"), 0);
	assert_int_equal(num(r, "id"), id);
	assert_true(json_is_string(json_object_get(r, "deleted_at")));
	json_decref(out);
	assert_int_equal(rec_get(ctx(), COMPANIES, id, true, &r), CRM_OK);
	assert_string_equal(str(r, "name"), "Goes");
	json_decref(r);
	/* Restore: back in the live list and out of the trash. */
	assert_int_equal(rec_restore(ctx(), COMPANIES, id, &r), CRM_OK);
	assert_int_equal(num(r, "id"), id);
	assert_string_equal(str(r, "name"), "Goes");
	assert_true(json_is_null(json_object_get(r, "deleted_at")));
	json_decref(r);
	lq_init(&lq);
	assert_int_equal(count(COMPANIES, &lq), 2);
	lq.deleted = true;
	assert_int_equal(count(COMPANIES, &lq), 0);
	assert_int_equal(rec_get(ctx(), COMPANIES, id, false, &r), CRM_OK);
	json_decref(r);
	assert_string_equal(search(COMPANIES, "Goes"), idstr(id));
}

static void
deleting_twice_is_not_found(void **state)
{
	json_t *r = NULL;
	int64_t id;

	(void)state;
	id = make_id(CONTACTS, "{\"last_name\": \"Twice\"}");
	assert_int_equal(rec_delete(ctx(), CONTACTS, id), CRM_OK);
	assert_int_equal(rec_delete(ctx(), CONTACTS, id), CRM_ENOTFOUND);
	assert_int_equal(rec_delete(ctx(), CONTACTS, 424242), CRM_ENOTFOUND);
	assert_int_equal(rec_restore(ctx(), CONTACTS, id, &r), CRM_OK);
	json_decref(r);
	r = NULL;
	/* Restoring a live record is not found in the trash. */
	assert_int_equal(rec_restore(ctx(), CONTACTS, id, &r), CRM_ENOTFOUND);
	assert_null(r);
}

/* ---- lists: sort ---- */

static void
check_sorted(json_t *out, const char *key, bool numeric_key, bool desc)
{
	json_t *data = json_object_get(out, "data");

	for (size_t i = 1; i < json_array_size(data); i++) {
		json_t *a = json_array_get(data, i - 1), *b = json_array_get(data, i);
		int c;

		if (numeric_key)
			c = num(a, key) < num(b, key) ? -1 : num(a, key) > num(b, key);
		else	/* text, and RFC 3339 times, compare as bytes */
			c = strcmp(str(a, key) ? str(a, key) : "",
			    str(b, key) ? str(b, key) : "");
		if (c == 0)	/* ties by id, the same direction */
			c = num(a, "id") < num(b, "id") ? -1 : 1;
		if (desc ? c < 0 : c > 0)
			fail_msg("%s not %s at %zu: %s/%lld then %s/%lld", key,
			    desc ? "descending" : "ascending", i,
			    str(a, key) ? str(a, key) : "?", (long long)num(a, "id"),
			    str(b, key) ? str(b, key) : "?", (long long)num(b, "id"));
	}
}

static void
lists_sort_by_each_sortable_field_both_ways(void **state)
{
	static const char *const names[] = {
		"Delta", "alpha", "Charlie", "Bravo", "Echo", "Bravo", "Якорь",
		"Альфа",
	};
	struct list_query lq;
	json_t *out;
	char body[128];

	(void)state;
	for (size_t i = 0; i < sizeof(names) / sizeof(*names); i++) {
		snprintf(body, sizeof(body), "{\"name\": \"%s\"}", names[i]);
		json_decref(make(COMPANIES, body));
		snprintf(body, sizeof(body), "{\"last_name\": \"%s\", "
		    "\"first_name\": \"%s\"}", names[i],
		    names[sizeof(names) / sizeof(*names) - 1 - i]);
		json_decref(make(CONTACTS, body));
	}
	lq_init(&lq);
	lq.sort = "name";
	out = page(COMPANIES, &lq);
	assert_int_equal(json_array_size(json_object_get(out, "data")), 8);
	check_sorted(out, "name", false, false);
	/* Byte order: upper-case Latin, lower-case Latin, then Cyrillic. */
	assert_string_equal(str(json_array_get(json_object_get(out, "data"), 0),
	    "name"), "Bravo");
	assert_string_equal(str(json_array_get(json_object_get(out, "data"), 7),
	    "name"), "Якорь");
	json_decref(out);
	lq.sort = "-name";
	out = page(COMPANIES, &lq);
	check_sorted(out, "name", false, true);
	assert_string_equal(str(json_array_get(json_object_get(out, "data"), 0),
	    "name"), "Якорь");
	json_decref(out);
	lq.sort = "-id";
	out = page(COMPANIES, &lq);
	check_sorted(out, "id", true, true);
	json_decref(out);
	lq.sort = "id";
	out = page(COMPANIES, &lq);
	check_sorted(out, "id", true, false);
	json_decref(out);
	lq.sort = "created_at";
	out = page(COMPANIES, &lq);
	check_sorted(out, "created_at", false, false);
	json_decref(out);
	lq.sort = "-updated_at";
	out = page(COMPANIES, &lq);
	check_sorted(out, "updated_at", false, true);
	json_decref(out);
	lq.sort = "last_name";
	out = page(CONTACTS, &lq);
	assert_int_equal(json_array_size(json_object_get(out, "data")), 8);
	check_sorted(out, "last_name", false, false);
	json_decref(out);
	lq.sort = "-first_name";
	out = page(CONTACTS, &lq);
	check_sorted(out, "first_name", false, true);
	json_decref(out);
	lq.sort = "-created_at";
	out = page(CONTACTS, &lq);
	check_sorted(out, "created_at", false, true);
	json_decref(out);
	/* The default is id ascending. */
	lq.sort = NULL;
	out = page(CONTACTS, &lq);
	check_sorted(out, "id", true, false);
	json_decref(out);
}

/* ---- lists: paging ---- */

/*
 * Pages through everything with sort and limit, checking that each of the
 * expected ids is seen exactly once; returns the number of pages. Frees
 * what it holds before failing, so valgrind reports only leaks of src/.
 */
static int
walk(const struct entity *e, const char *sort, const char *limit,
    const int64_t *ids, size_t nids, bool numeric, const char *key)
{
	struct list_query lq;
	char *seen = calloc(nids, 1), *cursor = NULL, why[512] = "";
	int pages = 0;
	size_t total = 0;

	do {
		json_t *out = NULL, *r;
		size_t i;
		int rc;

		lq_init(&lq);
		lq.sort = sort;
		lq.limit = limit;
		lq.cursor = cursor;
		rc = rec_list(ctx(), e, &lq, &out);
		pages++;
		if (rc != CRM_OK) {
			snprintf(why, sizeof(why), "sort %s, page %d: rec_list %d: %s",
			    sort, pages, rc, cx.detail);
			break;
		}
		check_sorted(out, key, numeric, sort[0] == '-');
		json_array_foreach(json_object_get(out, "data"), i, r) {
			size_t k;

			for (k = 0; k < nids && ids[k] != num(r, "id"); k++)
				;
			if (k == nids)
				snprintf(why, sizeof(why), "unexpected id %lld",
				    (long long)num(r, "id"));
			else if (seen[k])
				snprintf(why, sizeof(why), "sort %s: id %lld seen twice "
				    "(page %d)", sort, (long long)ids[k], pages);
			else
				seen[k] = 1;
			total++;
		}
		free(cursor);
		cursor = json_is_string(json_object_get(out, "next_cursor")) ?
		    strdup(str(out, "next_cursor")) : NULL;
		json_decref(out);
		if (pages > 1000)
			snprintf(why, sizeof(why), "paging does not end");
	} while (cursor != NULL && why[0] == '\0');
	free(cursor);
	free(seen);
	if (why[0] != '\0')
		fail_msg("%s", why);
	assert_int_equal(total, nids);
	return pages;
}

static void
cursor_paging_visits_every_record_once(void **state)
{
	int64_t ids[120];
	char body[128];

	(void)state;
	/* Names repeat (every 7th), so the id breaks ties inside a page. */
	for (int i = 0; i < 120; i++) {
		snprintf(body, sizeof(body), "{\"name\": \"Co %02d\"}", (i * 37) % 7);
		ids[i] = make_id(COMPANIES, body);
		snprintf(body, sizeof(body), "{\"last_name\": \"L%03d\"}", (i * 53) % 120);
		(void)make_id(CONTACTS, body);
	}
	assert_int_equal(walk(COMPANIES, "id", "50", ids, 120, true, "id"), 3);
	assert_int_equal(walk(COMPANIES, "-id", "50", ids, 120, true, "id"), 3);
	assert_int_equal(walk(COMPANIES, "name", "50", ids, 120, false, "name"), 3);
	assert_int_equal(walk(COMPANIES, "-name", "50", ids, 120, false, "name"), 3);
	assert_int_equal(walk(COMPANIES, "created_at", "50", ids, 120, false,
	    "created_at"), 3);
	assert_int_equal(walk(COMPANIES, "-created_at", "7", ids, 120, false,
	    "created_at"), 18);
	/* 120 exactly divisible: the last full page says there is no more. */
	assert_int_equal(walk(COMPANIES, "name", "40", ids, 120, false, "name"), 3);
	assert_int_equal(walk(COMPANIES, "name", "200", ids, 120, false, "name"), 1);
}

static void
contact_paging_by_last_name_visits_every_record_once(void **state)
{
	int64_t ids[120];
	char body[128];

	(void)state;
	for (int i = 0; i < 120; i++) {
		snprintf(body, sizeof(body), "{\"last_name\": \"%s\", "
		    "\"first_name\": \"F%d\"}", i % 3 == 0 ? "Иванов" :
		    i % 3 == 1 ? "Smith" : "山田", i);
		ids[i] = make_id(CONTACTS, body);
	}
	assert_int_equal(walk(CONTACTS, "last_name", "50", ids, 120, false,
	    "last_name"), 3);
	assert_int_equal(walk(CONTACTS, "-last_name", "50", ids, 120, false,
	    "last_name"), 3);
	assert_int_equal(walk(CONTACTS, "first_name", "50", ids, 120, false,
	    "first_name"), 3);
}

static void
pages_are_stable_under_inserts(void **state)
{
	struct list_query lq;
	json_t *out, *r;
	char *cursor, body[64];
	char seen[512] = { 0 };
	size_t i;
	int64_t first_new = 0;

	(void)state;
	for (int i2 = 0; i2 < 10; i2++) {
		snprintf(body, sizeof(body), "{\"name\": \"M%d\"}", i2);
		json_decref(make(COMPANIES, body));
	}
	lq_init(&lq);
	lq.sort = "name";
	lq.limit = "4";
	out = page(COMPANIES, &lq);
	json_array_foreach(json_object_get(out, "data"), i, r)
		seen[num(r, "id") % 512]++;
	cursor = strdup(str(out, "next_cursor"));
	json_decref(out);
	/* Others insert before and after the cursor position meanwhile. */
	first_new = make_id(COMPANIES, "{\"name\": \"A before\"}");
	(void)make_id(COMPANIES, "{\"name\": \"Z after\"}");
	lq.limit = "100";
	lq.cursor = cursor;
	out = page(COMPANIES, &lq);
	json_array_foreach(json_object_get(out, "data"), i, r) {
		assert_int_equal(seen[num(r, "id") % 512], 0);
		seen[num(r, "id") % 512]++;
	}
	/* The 6 remaining originals and "Z after", not "A before". */
	assert_int_equal(json_array_size(json_object_get(out, "data")), 7);
	assert_int_equal(seen[first_new % 512], 0);
	assert_string_equal(str(json_array_get(json_object_get(out, "data"), 6),
	    "name"), "Z after");
	json_decref(out);
	free(cursor);
}

static void
paging_by_name_works_with_long_names_in_any_script(void **state)
{
	int64_t ids[4];
	char name[800], body[900];
	size_t n = 0;

	(void)state;
	/* 150 CJK characters: 450 bytes of UTF-8, within the 200-char limit. */
	for (int i = 0; i < 149; i++) {
		memcpy(name + n, "漢", 3);
		n += 3;
	}
	name[n] = '\0';
	for (int i = 0; i < 4; i++) {
		snprintf(body, sizeof(body), "{\"name\": \"%s%s\"}", name,
		    (const char *[]){ "一", "二", "三", "四" }[i]);
		ids[i] = make_id(COMPANIES, body);
	}
	assert_int_equal(walk(COMPANIES, "name", "1", ids, 4, false, "name"), 4);
	assert_int_equal(walk(COMPANIES, "-name", "3", ids, 4, false, "name"), 2);
}

static void
paging_by_name_never_repeats_records_with_long_names(void **state)
{
	int64_t ids[3];
	char name[800], body[900];
	size_t n = 0;

	(void)state;
	/* 110 four-byte letters (U+1D400): 440 bytes, a cursor cut at 400 bytes
	 * still decodes but no longer equals the name it came from. */
	for (int i = 0; i < 110; i++) {
		memcpy(name + n, "\xf0\x9d\x90\x80", 4);
		n += 4;
	}
	name[n] = '\0';
	for (int i = 0; i < 3; i++) {
		snprintf(body, sizeof(body), "{\"name\": \"%s%c\"}", name, 'a' + i);
		ids[i] = make_id(COMPANIES, body);
	}
	assert_int_equal(walk(COMPANIES, "name", "1", ids, 3, false, "name"), 3);
}

static void
bad_list_parameters_are_refused_by_name(void **state)
{
	static const char *const bad_limits[] = { "0", "201", "abc", "", "-1",
	    "5x", "99999" };
	static const char *const bad_cursors[] = { "zz", "abc", "", "0a",
	    "6869" /* "hi": no newline */, "2d310a41" /* "-1\nA" */ };
	struct list_query lq;
	json_t *out = NULL;

	(void)state;
	json_decref(make(COMPANIES, "{\"name\": \"One\"}"));
	lq_init(&lq);
	lq.sort = "website";
	assert_int_equal(rec_list(ctx(), COMPANIES, &lq, &out), CRM_EBADQUERY);
	assert_non_null(strstr(cx.detail, "sort"));
	lq.sort = "colour";
	assert_int_equal(rec_list(ctx(), COMPANIES, &lq, &out), CRM_EBADQUERY);
	lq.sort = "-";
	assert_int_equal(rec_list(ctx(), COMPANIES, &lq, &out), CRM_EBADQUERY);
	lq.sort = "last_name";	/* a contact field, not a company one */
	assert_int_equal(rec_list(ctx(), COMPANIES, &lq, &out), CRM_EBADQUERY);
	lq_init(&lq);
	for (size_t i = 0; i < sizeof(bad_limits) / sizeof(*bad_limits); i++) {
		lq.limit = bad_limits[i];
		if (rec_list(ctx(), COMPANIES, &lq, &out) != CRM_EBADQUERY)
			fail_msg("limit \"%s\" accepted", bad_limits[i]);
		assert_non_null(strstr(cx.detail, "limit"));
	}
	lq_init(&lq);
	for (size_t i = 0; i < sizeof(bad_cursors) / sizeof(*bad_cursors); i++) {
		lq.cursor = bad_cursors[i];
		if (rec_list(ctx(), COMPANIES, &lq, &out) != CRM_EBADQUERY)
			fail_msg("cursor \"%s\" accepted", bad_cursors[i]);
		assert_non_null(strstr(cx.detail, "cursor"));
	}
	/* An id cursor is not a created_at cursor. */
	lq.cursor = "310a4f6e65";	/* "1\nOne" */
	lq.sort = "created_at";
	assert_int_equal(rec_list(ctx(), COMPANIES, &lq, &out), CRM_EBADQUERY);
	assert_non_null(strstr(cx.detail, "cursor"));
	lq_init(&lq);
	lq_filter(&lq, "colour", "red");
	assert_int_equal(rec_list(ctx(), COMPANIES, &lq, &out), CRM_EBADQUERY);
	assert_non_null(strstr(cx.detail, "colour"));
	lq_init(&lq);
	lq_filter(&lq, "notes", "x");	/* a field, but not a filter */
	assert_int_equal(rec_list(ctx(), COMPANIES, &lq, &out), CRM_EBADQUERY);
	assert_non_null(strstr(cx.detail, "notes"));
	lq_init(&lq);
	lq_filter(&lq, "name[suffix]", "x");
	assert_int_equal(rec_list(ctx(), COMPANIES, &lq, &out), CRM_EBADQUERY);
	assert_non_null(strstr(cx.detail, "name[suffix]"));
	lq_init(&lq);
	lq_filter(&lq, "owner_id", "me");
	assert_int_equal(rec_list(ctx(), COMPANIES, &lq, &out), CRM_EBADQUERY);
	assert_non_null(strstr(cx.detail, "owner_id"));
	lq_init(&lq);
	lq_filter(&lq, "company_id", "ACME");
	assert_int_equal(rec_list(ctx(), CONTACTS, &lq, &out), CRM_EBADQUERY);
	assert_non_null(strstr(cx.detail, "company_id"));
	lq_init(&lq);
	lq_filter(&lq, "industry", "\xff\xfe");
	assert_int_equal(rec_list(ctx(), COMPANIES, &lq, &out), CRM_EBADQUERY);
	lq_init(&lq);
	lq.q = "\xc0\xaf";
	assert_int_equal(rec_list(ctx(), COMPANIES, &lq, &out), CRM_EBADQUERY);
	assert_null(out);
}

/* ---- lists: filters ---- */

static void
filters_select_exactly_the_matching_records(void **state)
{
	struct list_query lq;
	int64_t it, it2, retail, acme, c1, c2, c3;
	char body[256], expect[64], ownerbuf[32];

	(void)state;
	snprintf(body, sizeof(body), "{\"name\": \"Acme\", \"industry\": \"IT\", "
	    "\"tags\": [\"vip\", \"b2b\"], \"owner_id\": %lld}", (long long)other_id);
	it = make_id(COMPANIES, body);
	it2 = make_id(COMPANIES, "{\"name\": \"Acorn\", \"industry\": \"IT\", "
	    "\"tags\": [\"b2b\"], \"source\": \"web\"}");
	retail = make_id(COMPANIES, "{\"name\": \"Bacon\", \"industry\": "
	    "\"Retail\", \"tags\": [\"vip\"], \"source\": \"web\"}");
	(void)make_id(COMPANIES, "{\"name\": \"Ac\", \"industry\": \"it\"}");
	acme = it;

	lq_init(&lq);
	lq_filter(&lq, "industry", "IT");
	snprintf(expect, sizeof(expect), "%lld,%lld", (long long)it, (long long)it2);
	assert_string_equal(ids_where(COMPANIES, &lq), expect);

	lq_init(&lq);
	lq_filter(&lq, "tag", "vip");
	snprintf(expect, sizeof(expect), "%lld,%lld", (long long)it,
	    (long long)retail);
	assert_string_equal(ids_where(COMPANIES, &lq), expect);

	/* Filters combine with AND. */
	lq_filter(&lq, "source", "web");
	assert_string_equal(ids_where(COMPANIES, &lq), idstr(retail));

	lq_init(&lq);
	snprintf(ownerbuf, sizeof(ownerbuf), "%lld", (long long)other_id);
	lq_filter(&lq, "owner_id", ownerbuf);
	assert_string_equal(ids_where(COMPANIES, &lq), idstr(it));

	lq_init(&lq);
	lq_filter(&lq, "name[prefix]", "Aco");
	assert_string_equal(ids_where(COMPANIES, &lq), idstr(it2));
	lq_init(&lq);
	lq_filter(&lq, "name[prefix]", "Ac");
	lq.sort = "name";
	assert_int_equal(count(COMPANIES, &lq), 3);	/* Ac, Acme, Acorn */
	lq_init(&lq);
	lq_filter(&lq, "name[prefix]", "B");
	assert_string_equal(ids_where(COMPANIES, &lq), idstr(retail));
	lq_init(&lq);
	lq_filter(&lq, "name[prefix]", "acm");	/* exact: case matters */
	assert_string_equal(ids_where(COMPANIES, &lq), "");

	snprintf(body, sizeof(body), "{\"last_name\": \"One\", \"company_id\": %lld}",
	    (long long)acme);
	c1 = make_id(CONTACTS, body);
	c2 = make_id(CONTACTS, "{\"last_name\": \"Two\"}");
	snprintf(body, sizeof(body), "{\"last_name\": \"Three\", \"company_id\": %lld}",
	    (long long)acme);
	c3 = make_id(CONTACTS, body);
	lq_init(&lq);
	snprintf(ownerbuf, sizeof(ownerbuf), "%lld", (long long)acme);
	lq_filter(&lq, "company_id", ownerbuf);
	snprintf(expect, sizeof(expect), "%lld,%lld", (long long)c1, (long long)c3);
	assert_string_equal(ids_where(CONTACTS, &lq), expect);
	lq_init(&lq);
	lq_filter(&lq, "last_name[prefix]", "T");
	snprintf(expect, sizeof(expect), "%lld,%lld", (long long)c2, (long long)c3);
	assert_string_equal(ids_where(CONTACTS, &lq), expect);
	lq_init(&lq);
	lq_filter(&lq, "tag", "vip");
	assert_string_equal(ids_where(CONTACTS, &lq), "");	/* tags per entity */
}

/* ---- lists: search ---- */

static void
search_finds_cyrillic_in_any_case(void **state)
{
	int64_t ivanov, ivanova;
	char expect[64];

	(void)state;
	ivanov = make_id(CONTACTS, "{\"first_name\": \"Пётр\", "
	    "\"last_name\": \"Иванов\"}");
	ivanova = make_id(CONTACTS, "{\"first_name\": \"Мария\", "
	    "\"last_name\": \"Иванова\"}");
	(void)make_id(CONTACTS, "{\"first_name\": \"Олег\", "
	    "\"last_name\": \"Петров\"}");
	snprintf(expect, sizeof(expect), "%lld,%lld", (long long)ivanov,
	    (long long)ivanova);
	assert_string_equal(search(CONTACTS, "иван"), expect);
	assert_string_equal(search(CONTACTS, "ИВАНОВ"), expect);
	assert_string_equal(search(CONTACTS, "Иванова"), idstr(ivanova));
	/* Several words must all match. */
	assert_string_equal(search(CONTACTS, "мария иван"), idstr(ivanova));
	assert_string_equal(search(CONTACTS, "ванов"), expect);
	assert_string_equal(search(CONTACTS, "Сидоров"), "");
}

static void
search_finds_short_japanese_surnames_at_word_starts(void **state)
{
	int64_t yamada, yamamoto;
	char expect[64];

	(void)state;
	yamada = make_id(CONTACTS, "{\"first_name\": \"太郎\", "
	    "\"last_name\": \"山田\"}");
	yamamoto = make_id(CONTACTS, "{\"first_name\": \"花子\", "
	    "\"last_name\": \"山本\"}");
	(void)make_id(CONTACTS, "{\"first_name\": \"一郎\", "
	    "\"last_name\": \"小山\"}");
	assert_string_equal(search(CONTACTS, "山田"), idstr(yamada));
	snprintf(expect, sizeof(expect), "%lld,%lld", (long long)yamada,
	    (long long)yamamoto);
	/* One character matches word starts only: not 小山. */
	assert_string_equal(search(CONTACTS, "山"), expect);
	assert_string_equal(search(CONTACTS, "花子"), idstr(yamamoto));
	assert_string_equal(search(CONTACTS, "田"), "");
}

static void
search_folds_case_of_accented_latin(void **state)
{
	int64_t mueller;

	(void)state;
	mueller = make_id(CONTACTS, "{\"first_name\": \"Jörg\", "
	    "\"last_name\": \"Müller\"}");
	(void)make_id(CONTACTS, "{\"last_name\": \"Miller\"}");
	assert_string_equal(search(CONTACTS, "müller"), idstr(mueller));
	assert_string_equal(search(CONTACTS, "MÜLLER"), idstr(mueller));
	assert_string_equal(search(CONTACTS, "jörg"), idstr(mueller));
}

static void
search_finds_phones_typed_any_way(void **state)
{
	int64_t id, co, other;

	(void)state;
	id = make_id(CONTACTS, "{\"last_name\": \"Caller\", "
	    "\"phones\": [\"+7 (495) 123-45-67\"]}");
	other = make_id(CONTACTS, "{\"last_name\": \"Other\", "
	    "\"phones\": [\"+44 20 7946 0958\"]}");
	co = make_id(COMPANIES, "{\"name\": \"Phone Co\", "
	    "\"phones\": [\"8 (812) 555-01-02\"]}");
	assert_string_equal(search(CONTACTS, "4951234567"), idstr(id));
	assert_string_equal(search(CONTACTS, "495 123"), idstr(id));
	assert_string_equal(search(CONTACTS, "123-45"), idstr(id));
	assert_string_equal(search(CONTACTS, "+7 495 123 45 67"), idstr(id));
	assert_string_equal(search(CONTACTS, "(495) 123-45-67"), idstr(id));
	/* Digits match across the gaps the number was written with. */
	assert_string_equal(search(CONTACTS, "7946 0958"), idstr(other));
	assert_string_equal(search(CONTACTS, "2079460958"), idstr(other));
	assert_string_equal(search(COMPANIES, "5550102"), idstr(co));
	assert_string_equal(search(COMPANIES, "812 555"), idstr(co));
	assert_string_equal(search(CONTACTS, "555"), "");
}

static void
search_finds_email_fragments_and_tax_ids(void **state)
{
	int64_t c, co;

	(void)state;
	c = make_id(CONTACTS, "{\"last_name\": \"Mailer\", "
	    "\"emails\": [\"ivan.petrov@romashka.example\"]}");
	co = make_id(COMPANIES, "{\"name\": \"Tax Co\", \"tax_id\": \"7701234567\", "
	    "\"emails\": [\"office@taxco.example\"]}");
	(void)make_id(COMPANIES, "{\"name\": \"Other Co\", \"tax_id\": \"500100732259\"}");
	assert_string_equal(search(CONTACTS, "petrov@roma"), idstr(c));
	assert_string_equal(search(CONTACTS, "romashka"), idstr(c));
	assert_string_equal(search(CONTACTS, "ivan.petrov"), idstr(c));
	assert_string_equal(search(COMPANIES, "7701234567"), idstr(co));
	assert_string_equal(search(COMPANIES, "770123"), idstr(co));
	assert_string_equal(search(COMPANIES, "taxco"), idstr(co));
	assert_string_equal(search(COMPANIES, "@taxco.example"), idstr(co));
}

static void
search_text_follows_updates(void **state)
{
	json_t *patch, *u = NULL;
	int64_t id;

	(void)state;
	id = make_id(COMPANIES, "{\"name\": \"Oldname\"}");
	patch = J("{\"name\": \"Newname\", \"phones\": [\"+1 555 867 5309\"]}");
	assert_int_equal(rec_update(ctx(), COMPANIES, id, 1, patch, &u), CRM_OK);
	json_decref(u);
	json_decref(patch);
	assert_string_equal(search(COMPANIES, "oldname"), "");
	assert_string_equal(search(COMPANIES, "newname"), idstr(id));
	assert_string_equal(search(COMPANIES, "8675309"), idstr(id));
}

static void
search_combines_with_filters_and_quotes_are_harmless(void **state)
{
	struct list_query lq;
	char both[64];
	int64_t a, b;

	(void)state;
	a = make_id(COMPANIES, "{\"name\": \"Quote \\\"Inc\\\"\", \"industry\": \"IT\"}");
	b = make_id(COMPANIES, "{\"name\": \"Quote Ltd\", \"industry\": \"Retail\"}");
	lq_init(&lq);
	lq.q = "quote";
	lq_filter(&lq, "industry", "IT");
	assert_string_equal(ids_where(COMPANIES, &lq), idstr(a));
	assert_string_equal(search(COMPANIES, "\"Inc\""), idstr(a));
	assert_string_equal(search(COMPANIES, "\""), "");
	/* A typed '*' is punctuation, not syntax: the word start still counts. */
	snprintf(both, sizeof(both), "%lld,%lld", (long long)a, (long long)b);
	assert_string_equal(search(COMPANIES, "Quote*"), both);
	assert_string_equal(search(COMPANIES, "OR"), "");
	assert_string_equal(search(COMPANIES, "NEAR(a b)"), "");
}

static void
odd_search_text_is_searched_not_parsed(void **state)
{
	static const char *const odd[] = {
		"-", "*", "\"", "\"\"", "(", ")", "^", ":", "'", "+", ".", "..",
		"a:b", "NOT", "AND x", "x OR y", "NEAR", "{a b}", "col:abc", "a*b",
		"\\", "%", "_", "a\tb", "***", "((((", "- - -", "+-", "()",
		"\"\"\"\"\"\"", "ab\"cd", "\xe5\xb1\xb1*",
	};
	struct list_query lq;
	json_t *out;

	(void)state;
	json_decref(make(COMPANIES, "{\"name\": \"Plain\"}"));
	for (size_t i = 0; i < sizeof(odd) / sizeof(*odd); i++) {
		int rc;

		lq_init(&lq);
		lq.q = odd[i];
		out = NULL;
		rc = rec_list(ctx(), COMPANIES, &lq, &out);
		if (rc != CRM_OK)
			fail_msg("q \"%s\": %d (%s)", odd[i], rc, cx.detail);
		assert_int_equal(json_array_size(json_object_get(out, "data")), 0);
		json_decref(out);
	}
}

int
main(void)
{
#define T(f) cmocka_unit_test_setup(f, empty_tables)
	const struct CMUnitTest tests[] = {
		T(company_fields_come_back_as_written),
		T(optional_fields_absent_read_as_null_or_empty),
		T(contact_fields_come_back_with_company_name),
		T(a_contact_with_only_a_first_name_is_fine),
		T(an_explicit_owner_is_kept),
		T(an_unknown_field_is_named),
		T(read_only_fields_are_refused),
		T(wrong_types_are_named),
		T(every_bad_field_is_reported_at_once),
		T(text_longer_than_its_limit_is_refused),
		T(a_bad_email_names_its_position),
		T(too_many_emails_are_refused),
		T(a_company_needs_a_name),
		T(a_contact_needs_a_first_or_last_name),
		T(a_contact_company_must_exist),
		T(a_failed_create_writes_nothing),
		T(an_update_changes_only_the_named_fields),
		T(an_update_cannot_clear_a_required_field),
		T(a_stale_version_conflicts_and_changes_nothing),
		T(an_invalid_update_changes_nothing),
		T(changing_a_contacts_company_changes_its_company_name),
		T(delete_moves_to_the_trash_and_restore_brings_back),
		T(deleting_twice_is_not_found),
		T(lists_sort_by_each_sortable_field_both_ways),
		T(cursor_paging_visits_every_record_once),
		T(contact_paging_by_last_name_visits_every_record_once),
		T(pages_are_stable_under_inserts),
		T(paging_by_name_works_with_long_names_in_any_script),
		T(paging_by_name_never_repeats_records_with_long_names),
		T(bad_list_parameters_are_refused_by_name),
		T(filters_select_exactly_the_matching_records),
		T(search_finds_cyrillic_in_any_case),
		T(search_finds_short_japanese_surnames_at_word_starts),
		T(search_folds_case_of_accented_latin),
		T(search_finds_phones_typed_any_way),
		T(search_finds_email_fragments_and_tax_ids),
		T(search_text_follows_updates),
		T(search_combines_with_filters_and_quotes_are_harmless),
		T(odd_search_text_is_searched_not_parsed),
	};
#undef T

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
