/*
 * core/process_def and core/cron: the editor refuses templates that cannot
 * run and says where and why (unreachable steps, dead ends, a condition or
 * approval with no branch for some answer, a loop with no exit), names
 * unknown kinds, props, fields, people and stages, keeps hostile text
 * inert, and schedules fire when a wall clock says so, across daylight
 * saving time.
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
#include "core/cron.h"
#include "core/process_def.h"
#include "core/users.h"
#include "store/db.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/timeutil.h"
#include "util/tz.h"

static db_t *db;
static struct actor me;
static struct core_ctx cx;
static int64_t user_id, role_id, stage_id;

static int64_t
sql_int(const char *text)
{
	db_stmt_t *st;
	int64_t v = -1;

	if (db_prepare(db, text, &st) != DB_OK)
		fail_msg("SQL %s: %s", text, db_errmsg(db));
	if (db_step(st) == DB_ROW)
		v = db_col_null(st, 0) ? -1 : db_col_int(st, 0);
	db_done(st);
	return v;
}

/*
 * Checks the definition in text after replacing each "@USER", "@ROLE" and
 * "@STAGE" with the ids of the fixture; the problems stay in cx.errs.
 */
static int
check(const char *text)
{
	struct buf b;
	json_error_t e;
	json_t *def;
	int rc;

	buf_init(&b, 1 << 20);
	for (const char *p = text; *p != '\0'; p++) {
		char num[32];

		if (*p == '@' && (strncmp(p, "@USER", 5) == 0 ||
		    strncmp(p, "@ROLE", 5) == 0 || strncmp(p, "@STAGE", 6) == 0)) {
			int64_t v = p[1] == 'U' ? user_id : p[1] == 'R' ? role_id :
			    stage_id;

			snprintf(num, sizeof(num), "%lld", (long long)v);
			buf_puts(&b, num);
			p += p[1] == 'S' ? 5 : 4;
			continue;
		}
		buf_append(&b, p, 1);
	}
	buf_append(&b, "", 1);
	def = json_loads(b.data, 0, &e);
	if (def == NULL)
		fail_msg("bad JSON in test: %s: %s", b.data, e.text);
	buf_free(&b);
	core_ctx_init(&cx, db, &me);
	rc = procdef_check(&cx, def);
	json_decref(def);
	assert_int_equal(rc, CRM_OK);
	return cx.errs.n;
}

/* Whether cx.errs has a problem at field whose message holds part. */
static bool
has(const char *field, const char *part)
{
	for (int i = 0; i < cx.errs.n; i++)
		if (strcmp(cx.errs.items[i].field, field) == 0 &&
		    strstr(cx.errs.items[i].message, part) != NULL)
			return true;
	return false;
}

static void
expect(const char *field, const char *part)
{
	if (has(field, part))
		return;
	for (int i = 0; i < cx.errs.n; i++)
		print_message("  have %s: %s\n", cx.errs.items[i].field,
		    cx.errs.items[i].message);
	fail_msg("no problem at %s saying \"%s\"", field, part);
}

static void
expect_valid(const char *text)
{
	if (check(text) == 0)
		return;
	for (int i = 0; i < cx.errs.n; i++)
		print_message("  %s: %s\n", cx.errs.items[i].field,
		    cx.errs.items[i].message);
	fail_msg("a valid definition was refused");
}

/* A template around the steps given: manual, on deals, start at "a". */
#define TPL(steps) "{\"key\": \"t\", \"name\": \"T\", \"entity\": \"deals\", " \
	"\"trigger\": {\"type\": \"manual\"}, \"start\": \"a\", \"steps\": [" \
	steps "]}"
#define END(id) "{\"id\": \"" id "\", \"kind\": \"end\", \"name\": \"End\"}"
#define TASK(id, next) "{\"id\": \"" id "\", \"kind\": \"task\", \"name\": " \
	"\"Do\", \"responsible\": \"record_owner\", \"next\": \"" next "\"}"

static int
group_setup(void **state)
{
	char err[256];

	(void)state;
	if (sodium_init() < 0 || core_open_db(":memory:", &db, err,
	    sizeof(err)) != CRM_OK)
		return -1;
	core_ctx_init(&cx, db, NULL);
	if (user_add(&cx, "pia@example.com", "Pia Process", "correct horse "
	    "battery", false, &user_id) != CRM_OK)
		return -1;
	me.user_id = user_id;
	me.is_admin = true;
	role_id = sql_int("SELECT MIN(id) FROM roles");
	stage_id = sql_int("SELECT id FROM pipeline_stages WHERE name = "
	    "'Proposal'");
	if (db_exec(db, "INSERT INTO custom_fields (entity, name, label, type, "
	    "options, created_at, updated_at) VALUES ('deals', 'tier', 'Tier', "
	    "'choice', '[\"gold\", \"silver\"]', 1, 1), ('deals', 'renewal', "
	    "'Renewal', 'date', '[]', 1, 1), ('deals', 'budget', 'Budget', "
	    "'money', '[]', 1, 1), ('deals', 'share', 'Share', 'percent', '[]', "
	    "1, 1), ('deals', 'vip', 'VIP', 'boolean', '[]', 1, 1)") != DB_OK)
		return -1;
	return role_id > 0 && stage_id > 0 ? 0 : -1;
}

static int
group_teardown(void **state)
{
	(void)state;
	db_close(db);
	return 0;
}

static void
the_shipped_templates_are_valid_and_marked_builtin(void **state)
{
	db_stmt_t *st;
	int n = 0;

	(void)state;
	assert_int_equal(db_prepare(db, "SELECT t.key, v.definition FROM "
	    "process_templates t JOIN process_template_versions v ON "
	    "v.template_id = t.id AND v.version = t.current_version WHERE "
	    "t.builtin = 1 ORDER BY t.key", &st), DB_OK);
	while (db_step(st) == DB_ROW) {
		json_t *def = json_loads(db_col_text(st, 1, NULL), 0, NULL);

		assert_non_null(def);
		core_ctx_init(&cx, db, &me);
		assert_int_equal(procdef_check(&cx, def), CRM_OK);
		if (cx.errs.n != 0)
			fail_msg("%s: %s: %s", db_col_text(st, 0, NULL),
			    cx.errs.items[0].field, cx.errs.items[0].message);
		json_decref(def);
		n++;
	}
	db_done(st);
	/* Lead follow-up, offer approval, contract signing, subcontractor. */
	assert_int_equal(n, 4);
	/* A version, once written, stays as it was. */
	assert_int_not_equal(db_exec(db, "UPDATE process_template_versions SET "
	    "definition = '{}'"), DB_OK);
}

static void
every_step_kind_passes_when_well_formed(void **state)
{
	(void)state;
	expect_valid("{\"key\": \"all-kinds\", \"name\": \"All kinds\", "
	    "\"description\": \"\", \"entity\": \"deals\", \"trigger\": "
	    "{\"type\": \"field_changed\", \"field\": \"stage_id\", \"to\": "
	    "@STAGE}, \"start\": \"a\", \"steps\": ["
	    "{\"id\": \"a\", \"kind\": \"task\", \"name\": \"Call\", "
	    "\"position\": {\"x\": 10, \"y\": -20}, \"responsible\": {\"user\": "
	    "@USER}, \"text\": \"Call {{record.name}} about {{record.amount}}\", "
	    "\"deadline\": {\"amount\": 4, \"unit\": \"work_hours\", "
	    "\"on_overdue\": {\"action\": \"reassign\", \"to\": \"owner_head\"}}, "
	    "\"next\": \"b\"},"
	    "{\"id\": \"b\", \"kind\": \"approval\", \"name\": \"Approve\", "
	    "\"approver\": {\"role\": @ROLE, \"in\": \"record_department\"}, "
	    "\"deadline\": {\"amount\": 1, \"unit\": \"days\", \"on_overdue\": "
	    "{\"action\": \"branch\", \"step\": \"z\"}}, \"branches\": "
	    "{\"approve\": \"c\", \"reject\": \"z\"}},"
	    "{\"id\": \"c\", \"kind\": \"condition\", \"name\": \"Big?\", "
	    "\"cases\": [{\"condition\": {\"all\": [{\"field\": \"amount\", "
	    "\"op\": \"gte\", \"value\": 100000}, {\"any\": [{\"field\": "
	    "\"custom.tier\", \"op\": \"in\", \"value\": [\"gold\"]}, {\"field\": "
	    "\"expected_close\", \"op\": \"lt\", \"value\": \"2027-01-01\"}]}]}, "
	    "\"next\": \"d\"}, {\"condition\": {\"field\": \"company_id\", \"op\": "
	    "\"empty\"}, \"next\": \"e\"}], \"default\": \"e\"},"
	    "{\"id\": \"d\", \"kind\": \"wait\", \"name\": \"Until renewal\", "
	    "\"until_field\": \"custom.renewal\", \"next\": \"e\"},"
	    "{\"id\": \"e\", \"kind\": \"set_field\", \"name\": \"Source\", "
	    "\"field\": \"source\", \"value\": \"process {{process.name}}\", "
	    "\"next\": \"f\"},"
	    "{\"id\": \"f\", \"kind\": \"move_stage\", \"name\": \"Move\", "
	    "\"stage_id\": @STAGE, \"next\": \"g\"},"
	    "{\"id\": \"g\", \"kind\": \"notify\", \"name\": \"Tell\", \"to\": "
	    "[\"record_owner\", {\"user\": @USER}], \"text\": \"{{record.name}} "
	    "moved\", \"next\": \"h\"},"
	    "{\"id\": \"h\", \"kind\": \"email\", \"name\": \"Mail\", \"to\": "
	    "[\"owner_head\"], \"subject\": \"About {{record.name}}\", \"text\": "
	    "\"Hello {{user.name}},\\nsee {{record.url}}\", \"next\": \"i\"},"
	    "{\"id\": \"i\", \"kind\": \"create_record\", \"name\": \"Task\", "
	    "\"entity\": \"activities\", \"values\": {\"kind\": \"task\", "
	    "\"subject\": \"Follow {{record.name}}\"}, \"next\": \"j\"},"
	    "{\"id\": \"j\", \"kind\": \"webhook\", \"name\": \"ERP\", \"url\": "
	    "\"https://erp.example.com/hook\", \"method\": \"POST\", \"body\": "
	    "\"{\\\"deal\\\": {{record.id}}}\", \"timeout_s\": 5, \"next\": \"k\"},"
	    "{\"id\": \"k\", \"kind\": \"start_process\", \"name\": \"Offer\", "
	    "\"template\": \"offer_approval\", \"next\": \"w\"},"
	    "{\"id\": \"w\", \"kind\": \"wait\", \"name\": \"Pause\", "
	    "\"duration\": {\"amount\": 2, \"unit\": \"work_days\"}, \"next\": "
	    "\"y\"},"
	    "{\"id\": \"y\", \"kind\": \"wait\", \"name\": \"Stage moves\", "
	    "\"until_changed\": \"stage_id\", \"next\": \"z\"},"
	    END("z") "]}");
}

static void
an_unreachable_step_is_named(void **state)
{
	(void)state;
	check(TPL(TASK("a", "z") "," TASK("lost", "z") "," END("z")));
	assert_int_equal(cx.errs.n, 1);
	expect("steps[1]", "step 'lost' cannot be reached from the start step "
	    "'a'");
}

static void
a_dead_end_is_named(void **state)
{
	(void)state;
	/* A task that goes nowhere, and one whose next is no step. */
	check(TPL("{\"id\": \"a\", \"kind\": \"task\", \"name\": \"Do\", "
	    "\"responsible\": \"record_owner\"}," END("z")));
	/* Said once: not again as an unreachable end and a dead end. */
	assert_int_equal(cx.errs.n, 1);
	expect("steps[0].next", "step 'a': needs next");
	check(TPL(TASK("a", "nowhere") "," END("z")));
	expect("steps[0].next", "step 'a': next names 'nowhere', which is no "
	    "step");
	/* No end at all. */
	check(TPL(TASK("a", "a")));
	expect("steps", "there is no end step");
}

static void
a_condition_needs_a_branch_for_every_answer(void **state)
{
	(void)state;
	check(TPL("{\"id\": \"a\", \"kind\": \"condition\", \"name\": \"Big?\", "
	    "\"condition\": {\"field\": \"amount\", \"op\": \"gt\", \"value\": "
	    "5}, \"branches\": {\"true\": \"z\"}}," END("z")));
	assert_int_equal(cx.errs.n, 1);
	expect("steps[0].branches", "step 'a': no branch for 'false'");
	/* Cases without a default leave "none matched" unanswered. */
	check(TPL("{\"id\": \"a\", \"kind\": \"condition\", \"name\": \"Big?\", "
	    "\"cases\": [{\"condition\": {\"field\": \"amount\", \"op\": "
	    "\"gt\", \"value\": 5}, \"next\": \"z\"}]}," END("z")));
	expect("steps[0].default", "step 'a': no branch for the default");
	/* An answer that is not one. */
	check(TPL("{\"id\": \"a\", \"kind\": \"condition\", \"name\": \"Big?\", "
	    "\"condition\": {\"field\": \"amount\", \"op\": \"gt\", \"value\": "
	    "5}, \"branches\": {\"true\": \"z\", \"false\": \"z\", \"maybe\": "
	    "\"z\"}}," END("z")));
	expect("steps[0].branches", "maybe is not a property");
}

static void
an_approval_needs_approve_and_reject(void **state)
{
	(void)state;
	check(TPL("{\"id\": \"a\", \"kind\": \"approval\", \"name\": "
	    "\"Approve\", \"approver\": \"owner_head\", \"branches\": "
	    "{\"approve\": \"z\"}}," END("z")));
	assert_int_equal(cx.errs.n, 1);
	assert_string_equal(cx.errs.items[0].field, "steps[0].branches");
	assert_string_equal(cx.errs.items[0].message,
	    "step 'a': no branch for 'reject'");
	check(TPL("{\"id\": \"a\", \"kind\": \"approval\", \"name\": "
	    "\"Approve\", \"approver\": \"owner_head\", \"next\": \"z\"},"
	    END("z")));
	expect("steps[0].next", "step 'a': an approval step has no next");
	expect("steps[0].branches", "must be {\"approve\": step");
}

static void
a_loop_with_no_exit_is_refused_and_one_with_an_exit_is_not(void **state)
{
	(void)state;
	/* a -> b -> c -> b: the end is reachable from a only in name. */
	check(TPL("{\"id\": \"a\", \"kind\": \"condition\", \"name\": \"?\", "
	    "\"condition\": {\"field\": \"amount\", \"op\": \"gt\", \"value\": "
	    "5}, \"branches\": {\"true\": \"b\", \"false\": \"z\"}},"
	    TASK("b", "c") "," TASK("c", "b") "," END("z")));
	assert_int_equal(cx.errs.n, 2);
	expect("steps[1]", "step 'b' never reaches an end step: a dead end or "
	    "a loop with no exit");
	expect("steps[2]", "step 'c' never reaches an end step");
	/* A rework loop that can leave through the approval is fine. */
	expect_valid(TPL(TASK("a", "b") ",{\"id\": \"b\", \"kind\": "
	    "\"approval\", \"name\": \"OK?\", \"approver\": \"owner_head\", "
	    "\"branches\": {\"approve\": \"z\", \"reject\": \"a\"}}," END("z")));
	/* So is a wait whose only way out is its deadline's branch. */
	expect_valid(TPL("{\"id\": \"a\", \"kind\": \"wait\", \"name\": "
	    "\"Stage moves\", \"until_changed\": \"stage_id\", \"next\": \"a\", "
	    "\"deadline\": {\"amount\": 3, \"unit\": \"days\", \"on_overdue\": "
	    "{\"action\": \"branch\", \"step\": \"z\"}}}," END("z")));
}

static void
ids_are_unique_slugs_and_the_start_exists(void **state)
{
	(void)state;
	check(TPL(TASK("a", "z") "," TASK("a", "z") "," END("z")));
	expect("steps[1].id", "step 'a': the id is used by another step");
	check(TPL(TASK("a", "z") ",{\"id\": \"Bad Id\", \"kind\": \"end\", "
	    "\"name\": \"E\"}," END("z")));
	expect("steps[1].id", "id must be a slug");
	check("{\"key\": \"t\", \"name\": \"T\", \"entity\": \"deals\", "
	    "\"trigger\": {\"type\": \"manual\"}, \"start\": \"begin\", "
	    "\"steps\": [" END("z") "]}");
	expect("start", "names 'begin', which is no step");
	check("{\"key\": \"T!\", \"name\": \"\", \"entity\": \"invoices\", "
	    "\"trigger\": {\"type\": \"manual\"}, \"start\": \"z\", \"steps\": "
	    "[" END("z") "], \"script\": \"x\"}");
	expect("key", "must be a slug");
	expect("name", "must be 1 to 200 characters");
	expect("entity", "must be deals, companies, contacts or activities");
	expect("script", "is not a member of a template");
}

static void
unknown_kinds_props_people_roles_stages_and_templates_are_named(void **state)
{
	(void)state;
	check(TPL("{\"id\": \"a\", \"kind\": \"teleport\", \"name\": \"X\"},"
	    END("z")));
	expect("steps[0].kind", "kind 'teleport' is unknown");
	check(TPL("{\"id\": \"a\", \"kind\": \"task\", \"name\": \"Do\", "
	    "\"responsible\": \"record_owner\", \"colour\": \"red\", \"next\": "
	    "\"z\"}," END("z")));
	expect("steps[0].colour", "colour is not a property of a task step");
	check(TPL("{\"id\": \"a\", \"kind\": \"task\", \"name\": \"Do\", "
	    "\"responsible\": {\"user\": 99999}, \"next\": \"b\"},"
	    "{\"id\": \"b\", \"kind\": \"task\", \"name\": \"Do\", "
	    "\"responsible\": {\"role\": 99999, \"in\": \"record_department\"}, "
	    "\"next\": \"c\"},"
	    "{\"id\": \"c\", \"kind\": \"task\", \"name\": \"Do\", "
	    "\"responsible\": \"the boss\", \"next\": \"d\"},"
	    "{\"id\": \"d\", \"kind\": \"move_stage\", \"name\": \"Move\", "
	    "\"stage_id\": 99999, \"next\": \"e\"},"
	    "{\"id\": \"e\", \"kind\": \"start_process\", \"name\": \"Sub\", "
	    "\"template\": \"no_such\", \"next\": \"f\"},"
	    "{\"id\": \"f\", \"kind\": \"start_process\", \"name\": \"Me\", "
	    "\"template\": \"t\", \"next\": \"z\"}," END("z")));
	expect("steps[0].responsible", "step 'a': no active user has id 99999");
	expect("steps[1].responsible", "step 'b': no role has id 99999");
	expect("steps[2].responsible", "step 'c': must be record_owner");
	expect("steps[3].stage_id", "no stage of an active pipeline has id "
	    "99999");
	expect("steps[4].template", "no active template has key 'no_such'");
	expect("steps[5].template", "a process does not start itself");
	/* A contact has no stages. */
	check("{\"key\": \"t\", \"name\": \"T\", \"entity\": \"contacts\", "
	    "\"trigger\": {\"type\": \"created\"}, \"start\": \"a\", \"steps\": "
	    "[{\"id\": \"a\", \"kind\": \"move_stage\", \"name\": \"Move\", "
	    "\"stage_id\": @STAGE, \"next\": \"z\"}," END("z") "]}");
	expect("steps[0]", "only a deal moves through stages");
}

static void
fields_come_from_the_entity_and_values_are_typed_by_them(void **state)
{
	(void)state;
	check(TPL("{\"id\": \"a\", \"kind\": \"condition\", \"name\": \"?\", "
	    "\"cases\": ["
	    "{\"condition\": {\"field\": \"colour\", \"op\": \"eq\", \"value\": "
	    "1}, \"next\": \"z\"},"
	    "{\"condition\": {\"field\": \"amount\", \"op\": \"eq\", \"value\": "
	    "\"5\"}, \"next\": \"z\"},"
	    "{\"condition\": {\"field\": \"expected_close\", \"op\": \"gt\", "
	    "\"value\": \"2026-13-40\"}, \"next\": \"z\"},"
	    "{\"condition\": {\"field\": \"custom.tier\", \"op\": \"eq\", "
	    "\"value\": \"platinum\"}, \"next\": \"z\"},"
	    "{\"condition\": {\"field\": \"custom.nope\", \"op\": \"empty\"}, "
	    "\"next\": \"z\"},"
	    "{\"condition\": {\"field\": \"title\", \"op\": \"gt\", \"value\": "
	    "\"A\"}, \"next\": \"z\"},"
	    "{\"condition\": {\"field\": \"amount\", \"op\": \"like\", "
	    "\"value\": 1}, \"next\": \"z\"},"
	    "{\"condition\": {\"field\": \"amount\", \"op\": \"empty\", "
	    "\"value\": 1}, \"next\": \"z\"}"
	    "], \"default\": \"z\"}," END("z")));
	expect("steps[0].cases[0].condition.field", "colour is not a field of "
	    "deals");
	expect("steps[0].cases[1].condition.value", "must be a whole number");
	expect("steps[0].cases[2].condition.value", "must be a date");
	expect("steps[0].cases[3].condition.value", "one of the field's options");
	expect("steps[0].cases[4].condition.field", "custom.nope is not a field");
	expect("steps[0].cases[5].condition.value", "gt compares numbers, dates "
	    "and times only");
	expect("steps[0].cases[6].condition.op", "op must be eq");
	expect("steps[0].cases[7].condition.value", "empty takes no value");
	/* Custom money, decimals and booleans have their own shapes. */
	expect_valid(TPL("{\"id\": \"a\", \"kind\": \"condition\", \"name\": "
	    "\"?\", \"condition\": {\"all\": [{\"field\": \"custom.budget\", "
	    "\"op\": \"gte\", \"value\": {\"amount\": 100000, \"currency\": "
	    "\"EUR\"}}, {\"field\": \"custom.share\", \"op\": \"lt\", "
	    "\"value\": \"12.5\"}, {\"field\": \"custom.vip\", \"op\": \"eq\", "
	    "\"value\": true}]}, \"branches\": {\"true\": \"z\", \"false\": "
	    "\"z\"}}," END("z")));
	check(TPL("{\"id\": \"a\", \"kind\": \"condition\", \"name\": \"?\", "
	    "\"condition\": {\"all\": [{\"field\": \"custom.budget\", \"op\": "
	    "\"eq\", \"value\": 100}, {\"field\": \"custom.share\", \"op\": "
	    "\"eq\", \"value\": \"12,5\"}, {\"field\": \"custom.vip\", \"op\": "
	    "\"eq\", \"value\": \"yes\"}]}, \"branches\": {\"true\": \"z\", "
	    "\"false\": \"z\"}}," END("z")));
	expect("steps[0].condition.all[0].value", "\"amount\": minor units");
	expect("steps[0].condition.all[1].value", "a decimal number");
	expect("steps[0].condition.all[2].value", "true or false");
	/* Fields a process may not write, and typed writes. */
	check(TPL("{\"id\": \"a\", \"kind\": \"set_field\", \"name\": \"S\", "
	    "\"field\": \"amount_base\", \"value\": 1, \"next\": \"b\"},"
	    "{\"id\": \"b\", \"kind\": \"set_field\", \"name\": \"S\", "
	    "\"field\": \"owner_id\", \"value\": 99999, \"next\": \"c\"},"
	    "{\"id\": \"c\", \"kind\": \"set_field\", \"name\": \"S\", "
	    "\"field\": \"title\", \"value\": null, \"next\": \"d\"},"
	    "{\"id\": \"d\", \"kind\": \"create_record\", \"name\": \"C\", "
	    "\"entity\": \"companies\", \"values\": {\"industry\": \"x\"}, "
	    "\"next\": \"z\"}," END("z")));
	expect("steps[0].field", "amount_base cannot be set by a process");
	expect("steps[1].field", "no active user has id 99999");
	expect("steps[2].field", "title cannot be emptied");
	expect("steps[3].values", "company needs name");
	/* Triggers name fields of the entity too. */
	check("{\"key\": \"t\", \"name\": \"T\", \"entity\": \"contacts\", "
	    "\"trigger\": {\"type\": \"date_offset\", \"field\": \"first_name\", "
	    "\"days\": 9999}, \"start\": \"z\", \"steps\": [" END("z") "]}");
	expect("trigger.field", "date_offset needs a date or time field");
	expect("trigger.days", "days must be a whole number from -3650 to 3650");
	expect_valid("{\"key\": \"t\", \"name\": \"T\", \"entity\": "
	    "\"contacts\", \"trigger\": {\"type\": \"date_offset\", \"field\": "
	    "\"birthday\", \"days\": -3}, \"start\": \"z\", \"steps\": ["
	    END("z") "]}");
}

static void
limits_hold(void **state)
{
	struct buf b;
	char name[260];

	(void)state;
	/* 201 steps. */
	buf_init(&b, 1 << 20);
	buf_puts(&b, "{\"key\": \"t\", \"name\": \"T\", \"entity\": \"deals\", "
	    "\"trigger\": {\"type\": \"manual\"}, \"start\": \"s0\", \"steps\": [");
	for (int i = 0; i < 200; i++) {
		char s[160];

		snprintf(s, sizeof(s), "{\"id\": \"s%d\", \"kind\": \"task\", "
		    "\"name\": \"S\", \"responsible\": \"record_owner\", \"next\": "
		    "\"%s%d\"},", i, i == 199 ? "z" : "s", i + 1);
		buf_puts(&b, s);
	}
	buf_puts(&b, END("z") "]}");
	buf_append(&b, "", 1);
	check(b.data);
	expect("steps", "must list 1 to 200 steps");
	buf_free(&b);
	/* 20 cases and a default: 21 branches. */
	buf_init(&b, 1 << 16);
	buf_puts(&b, TPL("{\"id\": \"a\", \"kind\": \"condition\", \"name\": "
	    "\"?\", \"cases\": ["));
	b.len -= strlen("]}");	/* reopen the steps list */
	for (int i = 0; i < 20; i++)
		buf_puts(&b, i ? ", {\"condition\": {\"field\": \"amount\", \"op\": "
		    "\"eq\", \"value\": 1}, \"next\": \"z\"}" : "{\"condition\": "
		    "{\"field\": \"amount\", \"op\": \"eq\", \"value\": 1}, "
		    "\"next\": \"z\"}");
	buf_puts(&b, "], \"default\": \"z\"}," END("z") "]}");
	buf_append(&b, "", 1);
	check(b.data);
	expect("steps[0].cases", "cases must list 1 to 19");
	buf_free(&b);
	/* A name of 201 characters, a plain-HTTP and an overlong webhook. */
	memset(name, 'n', 201);
	name[201] = '\0';
	buf_init(&b, 1 << 16);
	buf_puts(&b, TPL("{\"id\": \"a\", \"kind\": \"webhook\", \"name\": \""));
	b.len -= strlen("]}");
	buf_puts(&b, name);
	buf_puts(&b, "\", \"url\": \"http://erp.example.com/\", \"next\": \"b\"}, "
	    "{\"id\": \"b\", \"kind\": \"webhook\", \"name\": \"W\", \"url\": "
	    "\"https://erp.example.com/");
	for (int i = 0; i < 2000; i++)
		buf_puts(&b, "a");
	buf_puts(&b, "\", \"timeout_s\": 600, \"method\": \"TRACE\", \"next\": "
	    "\"z\"}," END("z") "]}");
	buf_append(&b, "", 1);
	check(b.data);
	buf_free(&b);
	expect("steps[0].name", "needs a name of 1 to 200 characters");
	expect("steps[0].url", "url must be an https:// address");
	expect("steps[1].url", "url must be an https:// address of at most 2000");
	expect("steps[1].timeout_s", "1 to 30 seconds");
	expect("steps[1].method", "method must be POST");
	/* Conditions nest only so deep. */
	check(TPL("{\"id\": \"a\", \"kind\": \"condition\", \"name\": \"?\", "
	    "\"condition\": {\"all\": [{\"all\": [{\"all\": [{\"all\": [{\"all\": "
	    "[{\"all\": [{\"field\": \"amount\", \"op\": \"empty\"}]}]}]}]}]}]}, "
	    "\"branches\": {\"true\": \"z\", \"false\": \"z\"}}," END("z")));
	expect("steps[0].condition.all[0].all[0].all[0].all[0].all[0]",
	    "nest at most 5 deep");
	/* Deadlines: known units and actions only, and only where one waits. */
	check(TPL("{\"id\": \"a\", \"kind\": \"task\", \"name\": \"Do\", "
	    "\"responsible\": \"record_owner\", \"deadline\": {\"amount\": 2, "
	    "\"unit\": \"fortnights\", \"on_overdue\": {\"action\": "
	    "\"panic\"}}, \"next\": \"b\"}, {\"id\": \"b\", \"kind\": "
	    "\"notify\", \"name\": \"N\", \"to\": [\"record_owner\"], \"text\": "
	    "\"x\", \"deadline\": {\"amount\": 1, \"unit\": \"hours\"}, "
	    "\"next\": \"z\"}," END("z")));
	expect("steps[0].deadline", "unit must be minutes");
	expect("steps[0].deadline.on_overdue", "action must be remind");
	expect("steps[1].deadline", "only a task, an approval or a wait has a "
	    "deadline");
	/* A deadline's branch and reassignment name a step and a person. */
	check(TPL("{\"id\": \"a\", \"kind\": \"task\", \"name\": \"Do\", "
	    "\"responsible\": \"record_owner\", \"deadline\": {\"amount\": 2, "
	    "\"unit\": \"hours\", \"on_overdue\": {\"action\": \"branch\", "
	    "\"step\": \"nowhere\"}}, \"next\": \"b\"}, {\"id\": \"b\", "
	    "\"kind\": \"approval\", \"name\": \"OK\", \"approver\": "
	    "\"owner_head\", \"deadline\": {\"amount\": 1, \"unit\": \"days\", "
	    "\"on_overdue\": {\"action\": \"reassign\", \"step\": \"z\"}}, "
	    "\"branches\": {\"approve\": \"z\", \"reject\": \"z\"}}," END("z")));
	expect("steps[0].deadline.on_overdue.step", "on_overdue names 'nowhere', "
	    "which is no step");
	expect("steps[1].deadline.on_overdue", "step is not a property of "
	    "on_overdue reassign");
	expect("steps[1].deadline.on_overdue.to", "step 'b': must be "
	    "record_owner");
}

static void
schedules_are_cron_with_a_real_zone(void **state)
{
	(void)state;
	check("{\"key\": \"t\", \"name\": \"T\", \"entity\": \"deals\", "
	    "\"trigger\": {\"type\": \"schedule\", \"cron\": \"0 9 * *\", \"tz\": "
	    "\"Europe/Nowhere\"}, \"start\": \"z\", \"steps\": [" END("z") "]}");
	expect("trigger.cron", "needs five fields");
	expect("trigger.tz", "tz must be a time zone");
	check("{\"key\": \"t\", \"name\": \"T\", \"entity\": \"deals\", "
	    "\"trigger\": {\"type\": \"schedule\", \"cron\": \"0 0 31 2 *\", "
	    "\"tz\": \"UTC\"}, \"start\": \"z\", \"steps\": [" END("z") "]}");
	expect("trigger.cron", "never fires");
	expect_valid("{\"key\": \"t\", \"name\": \"T\", \"entity\": \"deals\", "
	    "\"trigger\": {\"type\": \"schedule\", \"cron\": \"*/15 9-17 * * "
	    "1-5\", \"tz\": \"Europe/Berlin\"}, \"start\": \"z\", \"steps\": ["
	    END("z") "]}");
}

static void
placeholders_come_from_the_allowed_list_only(void **state)
{
	(void)state;
	check(TPL("{\"id\": \"a\", \"kind\": \"notify\", \"name\": \"N\", "
	    "\"to\": [\"record_owner\"], \"text\": \"Hi {{user.password_hash}}\", "
	    "\"next\": \"b\"}, {\"id\": \"b\", \"kind\": \"email\", \"name\": "
	    "\"E\", \"to\": [\"record_owner\"], \"subject\": \"{{record.name\", "
	    "\"text\": \"{{ record.title }} {{env.HOME}}\", \"next\": \"c\"}, "
	    "{\"id\": \"c\", \"kind\": \"webhook\", \"name\": \"W\", \"url\": "
	    "\"https://erp.example.com/{{record.id}}\", \"next\": \"z\"},"
	    END("z")));
	expect("steps[0].text", "{{user.password_hash}} is not a placeholder");
	expect("steps[1].subject", "a {{ is not closed with }}");
	expect("steps[1].text", "{{env.HOME}} is not a placeholder");
	expect("steps[2].url", "url must be an https:// address");
	assert_int_equal(cx.errs.n, 4);
}

static void
hostile_text_is_refused_as_a_name_and_kept_inert_as_a_value(void **state)
{
	int64_t deals = sql_int("SELECT COUNT(*) FROM pipeline_stages");

	(void)state;
	/* A field name is looked up, never spliced into anything. */
	check(TPL("{\"id\": \"a\", \"kind\": \"condition\", \"name\": \"?\", "
	    "\"condition\": {\"field\": \"title; DROP TABLE pipeline_stages; --\","
	    " \"op\": \"eq\", \"value\": \"x\"}, \"branches\": {\"true\": \"z\", "
	    "\"false\": \"z\"}}," END("z")));
	expect("steps[0].condition.field", "is not a field of deals");
	/* An expression where a condition belongs is refused, not run. */
	check(TPL("{\"id\": \"a\", \"kind\": \"condition\", \"name\": \"?\", "
	    "\"condition\": \"amount > 5 OR 1=1\", \"branches\": {\"true\": "
	    "\"z\", \"false\": \"z\"}}," END("z")));
	expect("steps[0].condition", "a condition is {\"all\"|\"any\"");
	check(TPL("{\"id\": \"a\", \"kind\": \"condition\", \"name\": \"?\", "
	    "\"condition\": {\"field\": \"amount\", \"op\": \"eq\", \"value\": "
	    "\"1; DELETE FROM deals\"}, \"branches\": {\"true\": \"z\", "
	    "\"false\": \"z\"}}," END("z")));
	expect("steps[0].condition.value", "must be a whole number");
	/* SQL and markup in text values are data: valid, and nothing ran. */
	expect_valid(TPL("{\"id\": \"a\", \"kind\": \"condition\", \"name\": "
	    "\"<script>alert(1)</script>\", \"condition\": {\"field\": "
	    "\"title\", \"op\": \"eq\", \"value\": \"'; DROP TABLE "
	    "pipeline_stages; --\"}, \"branches\": {\"true\": \"b\", \"false\": "
	    "\"z\"}}, {\"id\": \"b\", \"kind\": \"notify\", \"name\": \"N\", "
	    "\"to\": [\"record_owner\"], \"text\": \"<img src=x "
	    "onerror=alert(1)> {{record.name}}\", \"next\": \"z\"}," END("z")));
	assert_int_equal(sql_int("SELECT COUNT(*) FROM pipeline_stages"), deals);
	/* Control characters are not text. */
	check(TPL("{\"id\": \"a\", \"kind\": \"task\", \"name\": \"A\\u0007B\", "
	    "\"responsible\": \"record_owner\", \"next\": \"z\"}," END("z")));
	expect("steps[0].name", "needs a name");
}

static void
a_responsible_person_is_one_of_four_forms(void **state)
{
	(void)state;
	core_ctx_init(&cx, db, &me);
	{
		json_t *ok[] = { json_string("record_owner"),
		    json_string("owner_head"), json_pack("{s:I}", "user",
		    (json_int_t)user_id), json_pack("{s:I, s:s}", "role",
		    (json_int_t)role_id, "in", "record_department") };
		json_t *no[] = { json_string("everyone"), json_pack("{s:I}", "role",
		    (json_int_t)role_id), json_pack("{s:I, s:s}", "role",
		    (json_int_t)role_id, "in", "company"), json_pack("{s:s}", "user",
		    "pia@example.com"), json_integer(1) };

		for (size_t i = 0; i < 4; i++) {
			assert_int_equal(procdef_check_who(&cx, "who", ok[i]), CRM_OK);
			json_decref(ok[i]);
		}
		assert_int_equal(cx.errs.n, 0);
		for (size_t i = 0; i < 5; i++) {
			int n = cx.errs.n;

			assert_int_equal(procdef_check_who(&cx, "who", no[i]), CRM_OK);
			assert_true(cx.errs.n > n);
			json_decref(no[i]);
		}
	}
}

/* ---- cron ---- */

static int64_t
at(const char *rfc3339)
{
	int64_t ms;

	assert_int_equal(time_parse_datetime(rfc3339, strlen(rfc3339), &ms), 0);
	return ms;
}

static void
next_is(const char *expr, const char *zone, const char *after,
    const char *want)
{
	struct cron c;
	struct tz *z;
	char err[160], got[TIME_RFC3339_LEN];
	int64_t next;

	if (cron_parse(expr, &c, err, sizeof(err)) != 0)
		fail_msg("%s: %s", expr, err);
	assert_int_equal(tz_load(zone, &z), 0);
	assert_int_equal(cron_next(&c, z, at(after), &next), 0);
	tz_free(z);
	time_format(next, got, sizeof(got));
	if (next != at(want))
		fail_msg("%s in %s after %s: got %s, want %s", expr, zone, after, got,
		    want);
}

static void
cron_refuses_what_is_not_five_good_fields(void **state)
{
	static const char *const bad[] = { "", "* * * *", "* * * * * *",
	    "60 * * * *", "* 24 * * *", "* * 0 * *", "* * * 13 *", "* * * * 8",
	    "*/0 * * * *", "a * * * *", "1,,2 * * * *", "1, * * * *",
	    "5-1 * * * *", "MON * * * *", "@daily", "100 * * * *" };
	struct cron c;
	char err[160];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		err[0] = '\0';
		if (cron_parse(bad[i], &c, err, sizeof(err)) == 0)
			fail_msg("'%s' was accepted", bad[i]);
		assert_true(err[0] != '\0');
	}
	assert_int_equal(cron_parse("* 24 * * *", &c, err, sizeof(err)), -1);
	assert_string_equal(err, "the hour field: 24 is out of range 0-23");
}

static void
cron_next_occurrences(void **state)
{
	(void)state;
	next_is("*/15 * * * *", "UTC", "2026-11-27T10:07:00Z",
	    "2026-11-27T10:15:00Z");
	next_is("0 9 * * 1-5", "UTC", "2026-11-27T09:00:00Z",
	    "2026-11-30T09:00:00Z");
	/* In the zone: 09:00 in Berlin is 08:00 UTC in winter. */
	next_is("0 9 * * 1-5", "Europe/Berlin", "2026-11-27T09:00:00Z",
	    "2026-11-30T08:00:00Z");
	/* Day of month or day of week, when both are given. */
	next_is("0 12 13 * 5", "UTC", "2026-11-27T13:00:00Z",
	    "2026-12-04T12:00:00Z");
	next_is("0 12 13 * 5", "UTC", "2027-01-09T00:00:00Z",
	    "2027-01-13T12:00:00Z");
	/* 7 is Sunday too; lists and ranges with steps. */
	next_is("0 0 * * 7", "UTC", "2026-11-27T00:00:00Z",
	    "2026-11-29T00:00:00Z");
	next_is("5,35 8-18/5 * * *", "UTC", "2026-11-27T13:36:00Z",
	    "2026-11-27T18:05:00Z");
	/* Leap day. */
	next_is("0 0 29 2 *", "UTC", "2026-03-01T00:00:00Z",
	    "2028-02-29T00:00:00Z");
}

static void
cron_follows_the_wall_clock_across_daylight_saving_time(void **state)
{
	struct cron c;
	struct tz *z;
	char err[160];
	int64_t next;

	(void)state;
	/* Berlin springs forward at 02:00 on 2026-03-29: 02:30 does not exist
	 * and fires at 03:30 CEST (01:30 UTC), once. */
	next_is("30 2 * * *", "Europe/Berlin", "2026-03-28T12:00:00Z",
	    "2026-03-29T01:30:00Z");
	next_is("30 2 * * *", "Europe/Berlin", "2026-03-29T01:30:00Z",
	    "2026-03-30T00:30:00Z");
	/* 09:00 is 08:00 UTC before the change and 07:00 after it. */
	next_is("0 9 * * *", "Europe/Berlin", "2026-03-28T08:00:00Z",
	    "2026-03-29T07:00:00Z");
	/* It falls back at 03:00 on 2026-10-25: 02:30 happens twice and fires
	 * at the first (00:30 UTC, CEST), not again an hour later. */
	next_is("30 2 * * *", "Europe/Berlin", "2026-10-24T12:00:00Z",
	    "2026-10-25T00:30:00Z");
	next_is("30 2 * * *", "Europe/Berlin", "2026-10-25T00:30:00Z",
	    "2026-10-26T01:30:00Z");
	/* New York: 2026-03-08 02:30 does not exist (EST -> EDT). */
	next_is("30 2 * * *", "America/New_York", "2026-03-07T12:00:00Z",
	    "2026-03-08T07:30:00Z");
	/*
	 * A time in the gap lands past it, after later times of the day: each
	 * fires in time order, none is lost (found by fuzz/fuzz_cron.c: the
	 * gap's time was answered first and the later one never fired). Troll
	 * jumps from 01:00 to 03:00 on 2026-03-29: 03:00 (01:00 UTC) comes
	 * before 02:00 moved to 04:00 (02:00 UTC).
	 */
	next_is("0 2-3 * * 0", "Antarctica/Troll", "2026-03-28T22:54:00Z",
	    "2026-03-29T01:00:00Z");
	next_is("0 2-3 * * 0", "Antarctica/Troll", "2026-03-29T01:00:00Z",
	    "2026-03-29T02:00:00Z");
	/* Lord Howe jumps half an hour, 02:00 to 02:30 on 2026-10-04: 02:40
	 * (15:40 UTC the day before) comes before 02:15 moved to 02:45. */
	next_is("15,40 2 * * *", "Australia/Lord_Howe", "2026-10-03T12:00:00Z",
	    "2026-10-03T15:40:00Z");
	next_is("15,40 2 * * *", "Australia/Lord_Howe", "2026-10-03T15:40:00Z",
	    "2026-10-03T15:45:00Z");
	/* Never: February 31st. */
	assert_int_equal(cron_parse("0 0 31 2 *", &c, err, sizeof(err)), 0);
	assert_int_equal(tz_load("UTC", &z), 0);
	assert_int_equal(cron_next(&c, z, at("2026-01-01T00:00:00Z"), &next), -1);
	tz_free(z);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(the_shipped_templates_are_valid_and_marked_builtin),
		cmocka_unit_test(every_step_kind_passes_when_well_formed),
		cmocka_unit_test(an_unreachable_step_is_named),
		cmocka_unit_test(a_dead_end_is_named),
		cmocka_unit_test(a_condition_needs_a_branch_for_every_answer),
		cmocka_unit_test(an_approval_needs_approve_and_reject),
		cmocka_unit_test(a_loop_with_no_exit_is_refused_and_one_with_an_exit_is_not),
		cmocka_unit_test(ids_are_unique_slugs_and_the_start_exists),
		cmocka_unit_test(unknown_kinds_props_people_roles_stages_and_templates_are_named),
		cmocka_unit_test(fields_come_from_the_entity_and_values_are_typed_by_them),
		cmocka_unit_test(limits_hold),
		cmocka_unit_test(schedules_are_cron_with_a_real_zone),
		cmocka_unit_test(placeholders_come_from_the_allowed_list_only),
		cmocka_unit_test(hostile_text_is_refused_as_a_name_and_kept_inert_as_a_value),
		cmocka_unit_test(a_responsible_person_is_one_of_four_forms),
		cmocka_unit_test(cron_refuses_what_is_not_five_good_fields),
		cmocka_unit_test(cron_next_occurrences),
		cmocka_unit_test(cron_follows_the_wall_clock_across_daylight_saving_time),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
