/*
 * Set-up shared by the harnesses: see common.h. Everything here runs once
 * per process, before the first input, except fz_reset().
 */
#include "common.h"

#include <inttypes.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/customfields.h"
#include "core/record.h"
#include "core/users.h"
#include "util/alloc.h"

static int64_t mark_company, mark_contact, mark_field;
static int errfd = 2;	/* stderr as it was before libFuzzer closed it */

void
fz_fail(const char *fmt, ...)
{
	char msg[4096];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(msg, sizeof(msg) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	if ((size_t)n > sizeof(msg) - 2)
		n = (int)sizeof(msg) - 2;
	msg[n++] = '\n';
	(void)!write(errfd, msg, (size_t)n);
	abort();
}

/*
 * A copy of the standard error made before main, so before libFuzzer
 * applies -close_fd_mask: harnesses without a database (no fz_open) keep
 * their fz_fail() messages too.
 */
__attribute__((constructor)) static void
keep_stderr(void)
{
	int fd = dup(2);

	if (fd >= 0)
		errfd = fd;
}

static void
die(const char *what, const char *why)
{
	fz_fail("fuzz set-up: %s: %s", what, why);
}

db_t *
fz_open(const char *address, struct actor *actor)
{
	struct core_ctx cx;
	char err[512];
	int64_t id;
	bool active;
	db_t *db;

	if (sodium_init() < 0)
		die("sodium_init", "failed");
	if (core_open_db(address, &db, err, sizeof(err)) != CRM_OK)
		die("core_open_db", err);
	core_ctx_init(&cx, db, NULL);
	if (user_add(&cx, "fz@example.com", "Fuzz Admin", "quiet lantern harbour 7",
	    true, &id) != CRM_OK)
		die("user_add", cx.detail);
	if (user_find(&cx, "fz@example.com", actor, &active) != CRM_OK)
		die("user_find", cx.detail);
	return db;
}

static void
create(struct core_ctx *cx, const struct entity *e, const char *text)
{
	json_error_t jerr;
	json_t *in = json_loads(text, 0, &jerr), *out = NULL;

	if (in == NULL)
		die(text, jerr.text);
	if (rec_create(cx, e, in, &out) != CRM_OK)
		die(text, cx->errs.n ? cx->errs.items[0].message : cx->detail);
	json_decref(in);
	json_decref(out);
}

void
fz_seed(db_t *db, const struct actor *actor)
{
	static const char *const companies[] = {
		("{\"name\": \"Acme GmbH\", \"industry\": \"Manufacturing\", "
		    "\"tags\": [\"key\", \"eu\"], \"emails\": [\"info@acme.example\"], "
		    "\"phones\": [\"+49 30 1234567\"], \"tax_id\": \"DE123456789\"}"),
		("{\"name\": \"株式会社山田\", \"industry\": \"Retail\", "
		    "\"website\": \"https://yamada.example.jp\"}"),
		"{\"name\": \"Zeta Ltd\", \"source\": \"referral\", \"tags\": [\"uk\"]}",
		"{\"name\": \"Østfold Fisk AS\", \"legal_name\": \"Østfold Fisk\"}",
		"{\"name\": \"Beta & Sons\", \"notes\": \"long\\nnotes\"}",
	};
	static const char *const contacts[] = {
		("{\"first_name\": \"Anna\", \"last_name\": \"Müller\", "
		    "\"company_id\": 1, \"emails\": [\"anna@acme.example\"], "
		    "\"phones\": [\"(030) 555-0101 ext 12\"], \"tags\": [\"vip\"], "
		    "\"birthday\": \"1984-02-29\"}"),
		"{\"first_name\": \"太郎\", \"last_name\": \"山田\", \"company_id\": 2}",
		"{\"last_name\": \"O'Brien\", \"position\": \"CTO\", \"source\": \"web\"}",
		("{\"first_name\": \"Zoë\", \"last_name\": \"Ångström\", "
		    "\"middle_name\": \"K\"}"),
		"{\"first_name\": \"Bob\", \"last_name\": \"Smith\", \"company_id\": 3}",
	};
	static const char *const types[] = {
		"text", "long_text", "integer", "decimal", "money", "percent",
		"date", "datetime", "email", "phone", "url", "choice",
		"multichoice", "boolean",
	};
	static const char *const ents[] = { "companies", "contacts" };
	struct core_ctx cx;
	char def[256];

	core_ctx_init(&cx, db, actor);
	for (int r = 0; r < 4; r++) {
		for (size_t i = 0; i < sizeof(companies) / sizeof(*companies); i++) {
			core_ctx_init(&cx, db, actor);
			create(&cx, &entity_companies, companies[i]);
		}
		for (size_t i = 0; i < sizeof(contacts) / sizeof(*contacts); i++) {
			core_ctx_init(&cx, db, actor);
			create(&cx, &entity_contacts, contacts[i]);
		}
	}
	for (size_t e = 0; e < 2; e++) {
		for (size_t t = 0; t < sizeof(types) / sizeof(*types); t++) {
			json_error_t jerr;
			json_t *in, *out = NULL;

			snprintf(def, sizeof(def), "{\"entity\": \"%s\", \"name\": "
			    "\"f_%s\", \"label\": \"F %s\", \"type\": \"%s\"%s}",
			    ents[e], types[t], types[t], types[t],
			    strstr(types[t], "choice") ? ", \"options\": [\"a\", "
			    "\"b\", \"c\"]" : "");
			in = json_loads(def, 0, &jerr);
			if (in == NULL)
				die(def, jerr.text);
			core_ctx_init(&cx, db, actor);
			if (cf_create(&cx, in, &out) != CRM_OK)
				die(def, cx.errs.n ? cx.errs.items[0].message : cx.detail);
			json_decref(in);
			json_decref(out);
		}
	}
}

int64_t
fz_int(db_t *db, const char *sql)
{
	db_stmt_t *st;
	int64_t v = 0;

	if (db_prepare(db, sql, &st) != DB_OK)
		die(sql, db_errmsg(db));
	if (db_step(st) == DB_ROW && !db_col_null(st, 0))
		v = db_col_int(st, 0);
	db_done(st);
	return v;
}

void
fz_mark(db_t *db)
{
	mark_company = fz_int(db, "SELECT max(id) FROM companies");
	mark_contact = fz_int(db, "SELECT max(id) FROM contacts");
	mark_field = fz_int(db, "SELECT max(id) FROM custom_fields");
}

void
fz_reset(db_t *db)
{
	char sql[768];

	/* Deals first (the seed has none), then contacts: they refer to companies. */
	snprintf(sql, sizeof(sql),
	    "DELETE FROM deal_items; DELETE FROM deal_stage_history; "
	    "DELETE FROM deals; DELETE FROM record_tags WHERE entity = 'deals';"
	    "DELETE FROM documents;"
	    "DELETE FROM jobs WHERE kind = 'deal_revalue';"
	    "DELETE FROM record_tags WHERE (entity = 'contacts' AND record_id > "
	    "%" PRId64 ") OR (entity = 'companies' AND record_id > %" PRId64 ");"
	    "DELETE FROM contacts WHERE id > %" PRId64 ";"
	    "DELETE FROM companies WHERE id > %" PRId64 ";"
	    "DELETE FROM custom_fields WHERE id > %" PRId64 ";",
	    mark_contact, mark_company, mark_contact, mark_company, mark_field);
	if (db_exec(db, sql) != DB_OK)
		die("reset", db_errmsg(db));
}

int
fz_body_object(const uint8_t *data, size_t size, json_t **out)
{
	json_error_t err;
	json_t *j = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES,
	    &err);

	*out = NULL;
	if (j == NULL)
		return 0;
	if (!json_is_object(j)) {
		json_decref(j);
		return -1;
	}
	*out = j;
	return 0;
}

char *
fz_strndup(const uint8_t *data, size_t size)
{
	char *s = xmalloc(size + 1);

	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}
