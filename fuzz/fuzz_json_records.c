/*
 * JSON bodies of the record and custom-field routes: the bytes are parsed
 * as api/reply.c body_object() parses a body (duplicate keys rejected, an
 * object required), then written the way the handlers write them:
 *
 *   - cf_create with the object as a definition (as an admin), so a field
 *     the input defines takes part in the writes that follow;
 *   - rec_create of a company, a contact and a deal from the object;
 *   - rec_update of a freshly created company, contact and deal with the
 *     object as the patch (no precondition, then with a stale version);
 *   - deal_move of the fresh deal with the object as the move (stage,
 *     lost reason), and the deal's lines read back.
 *
 * The database is in memory with sample records and a custom field of
 * every type on both entities, so "custom" values reach every checker.
 * Whatever the input wrote is removed afterwards (fz_reset).
 */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>

#include "common.h"
#include "core/customfields.h"
#include "core/deals.h"
#include "core/record.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static db_t *db;
static struct actor admin;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	db = fz_open(":memory:", &admin);
	fz_seed(db, &admin);
	/* A product and a lost reason, so "items" and moves to lost get far. */
	if (db_exec(db, "INSERT INTO products (name, unit_id, price, currency, "
	    "tax_rate, created_at, updated_at) VALUES ('Licence', 2, 10000, "
	    "'EUR', 2000, 0, 0); INSERT INTO lost_reasons (name, created_at, "
	    "updated_at) VALUES ('Price', 0, 0)") != DB_OK)
		fz_fail("seeding the catalog: %s", db_errmsg(db));
	fz_mark(db);
	return 0;
}

/* Creates a valid record to patch; returns its id or 0. */
static int64_t
base(const struct entity *e, const char *text)
{
	struct core_ctx cx;
	json_t *in = json_loads(text, 0, NULL), *out = NULL;
	int64_t id = 0;

	core_ctx_init(&cx, db, &admin);
	if (rec_create(&cx, e, in, &out) == CRM_OK)
		id = json_integer_value(json_object_get(out, "id"));
	json_decref(in);
	json_decref(out);
	return id;
}

static void
write_records(const struct entity *e, json_t *obj, int64_t base_id)
{
	struct core_ctx cx;
	json_t *out = NULL;

	core_ctx_init(&cx, db, &admin);
	if (rec_create(&cx, e, obj, &out) == CRM_OK)
		json_decref(out);
	if (base_id == 0)
		return;
	out = NULL;
	core_ctx_init(&cx, db, &admin);
	if (rec_update(&cx, e, base_id, -1, obj, &out) == CRM_OK)
		json_decref(out);
	out = NULL;
	core_ctx_init(&cx, db, &admin);
	if (rec_update(&cx, e, base_id, 1, obj, &out) == CRM_OK)
		json_decref(out);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct core_ctx cx;
	json_t *j, *out = NULL;
	int64_t company, contact, deal;
	int rc;

	rc = fz_body_object(data, size, &j);
	if (j == NULL)
		return rc;
	company = base(&entity_companies, "{\"name\": \"Base Co\"}");
	contact = base(&entity_contacts, "{\"last_name\": \"Base\", "
	    "\"company_id\": 1}");
	core_ctx_init(&cx, db, &admin);
	if (cf_create(&cx, j, &out) == CRM_OK)
		json_decref(out);
	write_records(&entity_companies, j, company);
	write_records(&entity_contacts, j, contact);
	deal = base(&entity_deals, "{\"title\": \"Base deal\", \"items\": "
	    "[{\"product_id\": 1, \"quantity\": \"2\"}]}");
	write_records(&entity_deals, j, deal);
	core_ctx_init(&cx, db, &admin);
	out = NULL;
	if (deal > 0 && deal_move(&cx, deal, -1, j, &out) == CRM_OK)
		json_decref(out);
	core_ctx_init(&cx, db, &admin);
	out = NULL;
	if (deal > 0 && deal_items_get(&cx, deal, &out) == CRM_OK) {
		/* Stored lines add up to the deal's amount, whatever was written. */
		json_t *d = NULL;

		core_ctx_init(&cx, db, &admin);
		if (rec_get(&cx, &entity_deals, deal, false, &d) == CRM_OK &&
		    json_integer_value(json_object_get(d, "items_count")) > 0 &&
		    !json_equal(json_object_get(d, "amount"),
		    json_object_get(out, "total")))
			fz_fail("deal %lld: amount %lld, lines total %lld",
			    (long long)deal, (long long)json_integer_value(
			    json_object_get(d, "amount")), (long long)
			    json_integer_value(json_object_get(out, "total")));
		json_decref(d);
		json_decref(out);
	}
	json_decref(j);
	fz_reset(db);
	return 0;
}
