/*
 * core/search: the one search box over companies and contacts. Word starts
 * rank before matches inside words, shorter (closer) titles first, then
 * newer records (docs/api.md); the trash is not searched.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <sodium.h>

#include "core/core.h"
#include "core/record.h"
#include "core/search.h"
#include "core/users.h"
#include "store/db.h"

static db_t *db;
static struct actor me;
static struct core_ctx cx;

#define COMPANIES (&entity_companies)
#define CONTACTS (&entity_contacts)

static struct core_ctx *
ctx(void)
{
	core_ctx_init(&cx, db, &me);
	return &cx;
}

static int64_t
make(const struct entity *e, const char *text)
{
	json_error_t err;
	json_t *in = json_loads(text, 0, &err), *out = NULL;
	int64_t id;

	if (in == NULL)
		fail_msg("bad JSON in test: %s", text);
	if (rec_create(ctx(), e, in, &out) != CRM_OK)
		fail_msg("create %s: %s", text, cx.detail);
	id = json_integer_value(json_object_get(out, "id"));
	json_decref(in);
	json_decref(out);
	return id;
}

/* Runs a search that must succeed; the caller decrefs. */
static json_t *
find(const char *q, int limit)
{
	json_t *out = NULL;
	int rc = search_all(ctx(), q, limit, &out);

	if (rc != CRM_OK)
		fail_msg("search \"%s\": %d %s", q, rc, cx.detail);
	assert_true(json_is_array(json_object_get(out, "data")));
	return out;
}

/* Hits as "company:3,contact:5" in rank order. */
static const char *
hits(const char *q, int limit)
{
	static char s[4096];
	json_t *out = find(q, limit), *h;
	size_t i, n = 0;

	s[0] = '\0';
	json_array_foreach(json_object_get(out, "data"), i, h)
		n += (size_t)snprintf(s + n, sizeof(s) - n, "%s%s:%lld", i ? "," : "",
		    json_string_value(json_object_get(h, "type")),
		    (long long)json_integer_value(json_object_get(h, "id")));
	json_decref(out);
	return s;
}

static const char *
hit(const char *type, int64_t id)
{
	static char s[8][64];
	static int k;

	k = (k + 1) % 8;
	snprintf(s[k], sizeof(s[k]), "%s:%lld", type, (long long)id);
	return s[k];
}

/* Whether the hit list (as from hits()) has exactly this entry. */
static bool
contains(const char *list, const char *entry)
{
	char a[4200], b[80];

	snprintf(a, sizeof(a), ",%s,", list);
	snprintf(b, sizeof(b), ",%s,", entry);
	return strstr(a, b) != NULL;
}

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
	if (user_add(&cx, "sam@example.com", "Sam", "correct horse battery", false,
	    &id) != CRM_OK)
		return -1;
	/* A director: these tests are about records, not rights (test_access). */
	if (db_exec(db, "UPDATE users SET role_id = (SELECT id FROM roles WHERE "
	    "builtin = 'director')") != DB_OK)
		return -1;
	me.user_id = id;
	return 0;
}

static int
group_teardown(void **state)
{
	(void)state;
	db_close(db);
	return 0;
}

static int
empty_tables(void **state)
{
	(void)state;
	return db_exec(db, "DELETE FROM contacts; DELETE FROM companies; "
	    "DELETE FROM record_tags; DELETE FROM custom_fields;") == DB_OK ? 0 : -1;
}

static void
word_starts_rank_before_matches_inside_words(void **state)
{
	int64_t acme, acme_group, bigacme, zetacme, contact;
	char want[256];

	(void)state;
	/* Created so that newest-first alone would put inside matches first. */
	acme_group = make(COMPANIES, "{\"name\": \"The ACME Group\"}");
	acme = make(COMPANIES, "{\"name\": \"Acme Ltd\"}");
	contact = make(CONTACTS, "{\"last_name\": \"Smith\", "
	    "\"emails\": [\"smith@acme.example\"]}");
	bigacme = make(COMPANIES, "{\"name\": \"Bigacme\"}");
	zetacme = make(COMPANIES, "{\"name\": \"Zetacme\"}");
	(void)make(COMPANIES, "{\"name\": \"Unrelated\"}");
	/* Word starts, shortest title first ("Smith" matched by its email),
	 * then inside words; equal lengths newest first. */
	snprintf(want, sizeof(want), "%s,%s,%s,%s,%s",
	    hit("contact", contact), hit("company", acme),
	    hit("company", acme_group), hit("company", zetacme),
	    hit("company", bigacme));
	assert_string_equal(hits("acme", 20), want);
	/* Inside words only: shortest first, equal lengths newest first. */
	snprintf(want, sizeof(want), "%s,%s,%s,%s,%s",
	    hit("contact", contact), hit("company", zetacme),
	    hit("company", bigacme), hit("company", acme),
	    hit("company", acme_group));
	assert_string_equal(hits("cme", 20), want);
}

static void
an_exact_name_ranks_first(void **state)
{
	int64_t exact, longer, village;
	char want[256];

	(void)state;
	exact = make(COMPANIES, "{\"name\": \"Acme\"}");
	longer = make(COMPANIES, "{\"name\": \"Acme Holdings\"}");
	village = make(COMPANIES, "{\"name\": \"Acmeville\"}");
	snprintf(want, sizeof(want), "%s,%s,%s", hit("company", exact),
	    hit("company", village), hit("company", longer));
	assert_string_equal(hits("acme", 20), want);
	assert_string_equal(hits("acme", 1), hit("company", exact));
}

static void
an_exact_name_ranks_first_among_many_similar_newer_ones(void **state)
{
	char body[128];
	int64_t exact;

	(void)state;
	/* A company's branches are added after it, all starting with its name. */
	exact = make(COMPANIES, "{\"name\": \"Acme\"}");
	for (int i = 0; i < 60; i++) {
		snprintf(body, sizeof(body), "{\"name\": \"Acme Branch %02d\"}", i);
		(void)make(COMPANIES, body);
	}
	if (!contains(hits("acme", 50), hit("company", exact)))
		fail_msg("the company named exactly \"Acme\" is not among the 50 "
		    "hits for \"acme\" (60 newer \"Acme Branch NN\" exist)");
	assert_string_equal(hits("acme", 1), hit("company", exact));
}

static void
each_record_is_listed_once_with_title_and_subtitle(void **state)
{
	int64_t co, c;
	json_t *out = NULL, *h;
	char body[256];

	(void)state;
	co = make(COMPANIES, "{\"name\": \"ACME\", \"industry\": \"IT\", "
	    "\"emails\": [\"office@acme.example\"]}");
	snprintf(body, sizeof(body), "{\"first_name\": \"Мария\", \"last_name\": "
	    "\"Иванова\", \"company_id\": %lld, \"emails\": "
	    "[\"maria@acme.example\", \"m2@acme.example\"]}", (long long)co);
	c = make(CONTACTS, body);
	assert_int_equal(search_all(ctx(), "acme", 10, &out), CRM_OK);
	assert_int_equal(json_array_size(json_object_get(out, "data")), 2);
	/* Both start a word with "acme"; the shorter title comes first. */
	h = json_array_get(json_object_get(out, "data"), 0);
	assert_string_equal(json_string_value(json_object_get(h, "type")), "company");
	assert_int_equal(json_integer_value(json_object_get(h, "id")), co);
	assert_string_equal(json_string_value(json_object_get(h, "title")), "ACME");
	assert_string_equal(json_string_value(json_object_get(h, "subtitle")),
	    "IT \u00b7 office@acme.example");
	h = json_array_get(json_object_get(out, "data"), 1);
	assert_string_equal(json_string_value(json_object_get(h, "type")), "contact");
	assert_int_equal(json_integer_value(json_object_get(h, "id")), c);
	assert_string_equal(json_string_value(json_object_get(h, "title")),
	    "Мария Иванова");
	assert_string_equal(json_string_value(json_object_get(h, "subtitle")),
	    "ACME \u00b7 maria@acme.example");
	json_decref(out);
}

static void
records_in_the_trash_are_not_found(void **state)
{
	int64_t gone, stays, c;
	json_t *r = NULL;

	(void)state;
	gone = make(COMPANIES, "{\"name\": \"Vanishing Co\"}");
	stays = make(COMPANIES, "{\"name\": \"Vanilla Co\"}");
	c = make(CONTACTS, "{\"last_name\": \"Vanderbilt\"}");
	assert_int_equal(rec_delete(ctx(), COMPANIES, gone), CRM_OK);
	assert_int_equal(rec_delete(ctx(), CONTACTS, c), CRM_OK);
	assert_string_equal(hits("van", 20), hit("company", stays));
	assert_string_equal(hits("Vanishing", 20), "");
	assert_string_equal(hits("nish", 20), "");
	assert_int_equal(rec_restore(ctx(), COMPANIES, gone, &r), CRM_OK);
	json_decref(r);
	assert_string_equal(hits("Vanishing", 20), hit("company", gone));
}

static void
the_limit_is_respected(void **state)
{
	char body[128];
	json_t *out = NULL;

	(void)state;
	for (int i = 0; i < 8; i++) {
		snprintf(body, sizeof(body), "{\"name\": \"Limitless %d\"}", i);
		(void)make(COMPANIES, body);
		snprintf(body, sizeof(body), "{\"last_name\": \"Limitov\", "
		    "\"first_name\": \"N%d\"}", i);
		(void)make(CONTACTS, body);
		snprintf(body, sizeof(body), "{\"name\": \"Unlimited %d\"}", i);
		(void)make(COMPANIES, body);
	}
	static const int limits[] = { 1, 5, 8, 9, 16, 20, 24, 50 };
	static const size_t want[] = { 1, 5, 8, 9, 16, 20, 24, 24 };

	for (size_t i = 0; i < sizeof(limits) / sizeof(*limits); i++) {
		assert_int_equal(search_all(ctx(), "limit", limits[i], &out), CRM_OK);
		if (json_array_size(json_object_get(out, "data")) != want[i])
			fail_msg("limit %d: %zu hits, want %zu", limits[i],
			    json_array_size(json_object_get(out, "data")), want[i]);
		json_decref(out);
	}
	/* With a small limit the word starts win the places. */
	assert_int_equal(search_all(ctx(), "limit", 16, &out), CRM_OK);
	for (size_t i = 0; i < 16; i++) {
		json_t *h = json_array_get(json_object_get(out, "data"), i);

		assert_null(strstr(json_string_value(json_object_get(h, "title")),
		    "Unlimited"));
	}
	json_decref(out);
}

static void
short_queries_and_phones_find_what_people_type(void **state)
{
	int64_t yamada, caller;

	(void)state;
	yamada = make(CONTACTS, "{\"first_name\": \"太郎\", \"last_name\": \"山田\"}");
	(void)make(CONTACTS, "{\"first_name\": \"一郎\", \"last_name\": \"小山\"}");
	caller = make(CONTACTS, "{\"last_name\": \"Caller\", "
	    "\"phones\": [\"+7 (495) 123-45-67\"]}");
	assert_string_equal(hits("山田", 20), hit("contact", yamada));
	assert_string_equal(hits("山", 20), hit("contact", yamada));
	assert_string_equal(hits("495 123", 20), hit("contact", caller));
	assert_string_equal(hits("4951234567", 20), hit("contact", caller));
	assert_string_equal(hits("иван", 20), "");
}

static void
bad_queries_are_refused_and_empty_ones_find_nothing(void **state)
{
	char long_q[256];
	json_t *out = NULL;

	(void)state;
	(void)make(COMPANIES, "{\"name\": \"Anything\"}");
	assert_int_equal(search_all(ctx(), "\xc0\xaf", 20, &out), CRM_EBADQUERY);
	assert_null(out);
	assert_int_equal(search_all(ctx(), "ok \xff", 20, &out), CRM_EBADQUERY);
	assert_int_equal(search_all(ctx(), "\xed\xa0\x80", 20, &out), CRM_EBADQUERY);
	assert_non_null(strstr(cx.detail, "q"));
	memset(long_q, 'a', 201);
	long_q[201] = '\0';
	assert_int_equal(search_all(ctx(), long_q, 20, &out), CRM_EBADQUERY);
	assert_null(out);
	long_q[200] = '\0';
	assert_int_equal(search_all(ctx(), long_q, 20, &out), CRM_OK);
	assert_int_equal(json_array_size(json_object_get(out, "data")), 0);
	json_decref(out);
	assert_string_equal(hits("", 20), "");
	assert_string_equal(hits("   ", 20), "");
	assert_string_equal(hits("\"", 20), "");
	assert_string_equal(hits("*", 20), "");
	assert_string_equal(hits("any OR thing", 20), "");
}

int
main(void)
{
#define T(f) cmocka_unit_test_setup(f, empty_tables)
	const struct CMUnitTest tests[] = {
		T(word_starts_rank_before_matches_inside_words),
		T(an_exact_name_ranks_first),
		T(an_exact_name_ranks_first_among_many_similar_newer_ones),
		T(each_record_is_listed_once_with_title_and_subtitle),
		T(records_in_the_trash_are_not_found),
		T(the_limit_is_respected),
		T(short_queries_and_phones_find_what_people_type),
		T(bad_queries_are_refused_and_empty_ones_find_nothing),
	};
#undef T

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
