/*
 * Units, products, price lists and line pricing (see catalog.h).
 *
 * The three managed resources share one write path (save) and one delete
 * path (remove), driven by a small descriptor (struct kind): admin check,
 * field checks, then in one transaction the current row, the merged
 * record written whole, the audit entry and the stored row read back. So
 * a PATCH is checked as the complete record it produces, and nothing is
 * half-written.
 */
#include "core/catalog.h"

#include <stdio.h>
#include <string.h>

#include "core/audit.h"
#include "core/currency.h"
#include "util/alloc.h"
#include "util/log.h"
#include "util/text.h"
#include "util/timeutil.h"

static int
db_fail(struct core_ctx *cx, const char *what)
{
	log_error("database: catalog %s: %s", what, db_errmsg(cx->db));
	return core_fail(cx, CRM_EDB, "The database failed; nothing was changed");
}


static bool
good_id(json_t *v)
{
	return json_is_integer(v) && json_integer_value(v) > 0;
}

static bool
good_price(json_t *v)
{
	return json_is_integer(v) && json_integer_value(v) >= 0 &&
	    json_integer_value(v) <= MONEY_PRICE_MAX;
}

static bool
good_currency(json_t *v)
{
	return json_is_string(v) && currency_find(json_string_value(v)) != NULL;
}

/*
 * The decimal text of v: a string as it is, an integer written out into
 * buf; NULL for anything else (a JSON real is refused: 0.1 is not exact).
 */
static const char *
decimal_text(json_t *v, char *buf, size_t buflen, size_t *len)
{
	if (json_is_string(v)) {
		*len = json_string_length(v);
		return json_string_value(v);
	}
	if (json_is_integer(v) && json_integer_value(v) >= 0) {
		int n = snprintf(buf, buflen, "%lld",
		    (long long)json_integer_value(v));

		if (n > 0 && (size_t)n < buflen) {
			*len = (size_t)n;
			return buf;
		}
	}
	return NULL;
}

/*
 * A percentage member (absent or null: dflt) into *bp; false with an
 * entry in cx->errs under field when it is bad.
 */
static bool
percent(struct core_ctx *cx, json_t *v, int dflt, const char *field, int *bp)
{
	char buf[32], why[MONEY_WHY];
	const char *s;
	size_t len = 0;

	*bp = dflt;
	if (v == NULL || json_is_null(v))
		return true;
	s = decimal_text(v, buf, sizeof(buf), &len);
	if (s == NULL) {
		verrs_add(&cx->errs, field, "must be a percentage as text, such "
		    "as \"20\" or \"12.5\"");
		return false;
	}
	if (money_bp_parse(s, len, bp, why, sizeof(why)) != 0) {
		verrs_add(&cx->errs, field, "%s", why);
		return false;
	}
	return true;
}

static void
bind_opt_text(db_stmt_t *st, int idx, json_t *v)
{
	if (json_is_string(v))
		db_bind_text(st, idx, json_string_value(v), json_string_length(v));
	else
		db_bind_null(st, idx);
}

static void
bind_actor(struct core_ctx *cx, db_stmt_t *st, int idx)
{
	if (cx->actor.user_id > 0)
		db_bind_int(st, idx, cx->actor.user_id);
	else
		db_bind_null(st, idx);
}

/*
 * Binds the tail of an INSERT (created_at, created_by, updated_at,
 * updated_by) or of an UPDATE (updated_at, updated_by, id) from idx on.
 */
static void
bind_stamp(struct core_ctx *cx, db_stmt_t *st, int idx, int64_t id)
{
	int64_t now = time_now_ms();

	db_bind_int(st, idx, now);
	bind_actor(cx, st, idx + 1);
	if (id == 0) {
		db_bind_int(st, idx + 2, now);
		bind_actor(cx, st, idx + 3);
	} else {
		db_bind_int(st, idx + 2, id);
	}
}

/*
 * Steps a write; *id takes the RETURNING id of an insert. A constraint
 * failure becomes taken (CRM_EEXISTS) or, with a NULL taken, inuse
 * (CRM_EINUSE).
 */
static int
step_write(struct core_ctx *cx, db_stmt_t *st, int64_t *id, const char *taken,
    const char *inuse)
{
	int rc = db_step(st);

	if (rc == DB_ROW && id != NULL && *id == 0)
		*id = db_col_int(st, 0);
	db_done(st);
	if (rc == DB_ECONSTRAINT)
		return taken != NULL ? core_fail(cx, CRM_EEXISTS, "%s", taken) :
		    core_fail(cx, CRM_EINUSE, "%s", inuse);
	return rc == DB_DONE || rc == DB_ROW ? CRM_OK : db_fail(cx, "write");
}

/* Runs "sql" with one id bound and steps it (deletes). */
static int
exec_id(struct core_ctx *cx, const char *sql, int64_t id, const char *inuse)
{
	db_stmt_t *st;

	if (db_prepare(cx->db, sql, &st) != DB_OK)
		return db_fail(cx, "prepare");
	db_bind_int(st, 1, id);
	return step_write(cx, st, NULL, NULL, inuse);
}

/* A count from "sql" with one id bound into *n. */
static int
count_id(struct core_ctx *cx, const char *sql, int64_t id, int64_t *n)
{
	db_stmt_t *st;
	int rc;

	*n = 0;
	if (db_prepare(cx->db, sql, &st) != DB_OK)
		return db_fail(cx, "count");
	db_bind_int(st, 1, id);
	rc = db_step(st);
	if (rc == DB_ROW)
		*n = db_col_int(st, 0);
	db_done(st);
	return rc == DB_ROW ? CRM_OK : db_fail(cx, "count step");
}

/* ---- reading ---- */

typedef json_t *(*row_fn)(db_stmt_t *st);

/* Runs q and collects row(st) of every row into *arr (new array). */
static int
collect(struct core_ctx *cx, const struct dbq *q, row_fn row, json_t **arr)
{
	db_stmt_t *st;
	int rc;

	*arr = NULL;
	if (db_prepare_q(cx->db, q, &st) != DB_OK)
		return db_fail(cx, "read");
	*arr = json_array();
	while ((rc = db_step(st)) == DB_ROW)
		json_array_append_new(*arr, row(st));
	db_done(st);
	if (rc != DB_DONE) {
		json_decref(*arr);
		*arr = NULL;
		return db_fail(cx, "read step");
	}
	return CRM_OK;
}

static json_t *
unit_row(db_stmt_t *st)
{
	return json_pack("{s:I, s:s, s:b}", "id", (json_int_t)db_col_int(st, 0),
	    "name", db_col_text(st, 1, NULL), "whole", (int)db_col_int(st, 2));
}

static json_t *
product_row(db_stmt_t *st)
{
	char tax[MONEY_BP_TEXT];

	money_bp_format((int)db_col_int(st, 9), tax);
	return json_pack("{s:I, s:s, s:o, s:o, s:I, s:s, s:b, s:I, s:s, s:s, "
	    "s:b}", "id", (json_int_t)db_col_int(st, 0),
	    "name", db_col_text(st, 1, NULL),
	    "sku", db_col_null(st, 2) ? json_null() :
	    json_string(db_col_text(st, 2, NULL)),
	    "description", db_col_null(st, 3) ? json_null() :
	    json_string(db_col_text(st, 3, NULL)),
	    "unit_id", (json_int_t)db_col_int(st, 4),
	    "unit", db_col_text(st, 5, NULL), "whole", (int)db_col_int(st, 6),
	    "price", (json_int_t)db_col_int(st, 7),
	    "currency", db_col_text(st, 8, NULL), "tax_rate", tax,
	    "active", (int)db_col_int(st, 10));
}

static json_t *
pricelist_row(db_stmt_t *st)
{
	return json_pack("{s:I, s:s, s:s, s:b, s:I}",
	    "id", (json_int_t)db_col_int(st, 0), "name", db_col_text(st, 1, NULL),
	    "currency", db_col_text(st, 2, NULL), "active",
	    (int)db_col_int(st, 3), "item_count", (json_int_t)db_col_int(st, 4));
}

static json_t *
item_row(db_stmt_t *st)
{
	return json_pack("{s:I, s:s, s:o, s:I}",
	    "product_id", (json_int_t)db_col_int(st, 0),
	    "name", db_col_text(st, 1, NULL),
	    "sku", db_col_null(st, 2) ? json_null() :
	    json_string(db_col_text(st, 2, NULL)),
	    "price", (json_int_t)db_col_int(st, 3));
}

#define UNIT_SELECT "SELECT t.id, t.name, t.whole FROM units t"
#define PRODUCT_SELECT "SELECT t.id, t.name, t.sku, t.description, " \
	"t.unit_id, u.name, u.whole, t.price, t.currency, t.tax_rate, " \
	"t.active FROM products t JOIN units u ON u.id = t.unit_id"
#define PRICELIST_SELECT "SELECT t.id, t.name, t.currency, t.active, " \
	"(SELECT COUNT(*) FROM price_list_items i WHERE i.price_list_id = " \
	"t.id) FROM price_lists t"

/* Every row of select (ordered by name) as {"data": [...]}. */
static int
list_all(struct core_ctx *cx, const char *select, row_fn row, json_t **out)
{
	struct dbq q;
	json_t *arr;
	int rc;

	*out = NULL;
	dbq_init(&q);
	dbq_sql(&q, "%s ORDER BY t.name, t.id", select);
	rc = collect(cx, &q, row, &arr);
	dbq_free(&q);
	if (rc == CRM_OK)
		*out = json_pack("{s:o}", "data", arr);
	return rc;
}

/* The price list's items, added to list as "items". */
static int
add_items(struct core_ctx *cx, json_t *list)
{
	struct dbq q;
	json_t *arr;
	int rc;

	dbq_init(&q);
	dbq_sql(&q, "SELECT i.product_id, p.name, p.sku, i.price FROM "
	    "price_list_items i JOIN products p ON p.id = i.product_id WHERE "
	    "i.price_list_id = ? ORDER BY p.name, p.id");
	dbq_int(&q, json_integer_value(json_object_get(list, "id")));
	rc = collect(cx, &q, item_row, &arr);
	dbq_free(&q);
	if (rc == CRM_OK)
		json_object_set_new(list, "items", arr);
	return rc;
}

/* ---- the descriptor behind save and remove ---- */

struct kind {
	const char	*what;		/* "unit", for messages */
	const char	*table;		/* for the audit entry */
	const char	*select;	/* aliases its table t */
	row_fn		 row;
	const char	*created, *changed, *deleted;	/* audit actions */
	/* Field checks of a request body into cx->errs. */
	void		(*check)(struct core_ctx *cx, json_t *in, bool create);
	/*
	 * Writes the merged record (cur: the stored one, NULL on create;
	 * in: the request), setting *id on create. Checks that need the
	 * database add to cx->errs and return core_invalid.
	 */
	int		(*write)(struct core_ctx *cx, int64_t *id, json_t *rec,
			    json_t *cur, json_t *in);
	int		(*remove)(struct core_ctx *cx, int64_t id);
	/* Completes a row read for a single answer (price list items). */
	int		(*finish)(struct core_ctx *cx, json_t *obj);
};

/* One row of kind k by id into *out (new reference), finished. */
static int
read_one(struct core_ctx *cx, const struct kind *k, int64_t id, json_t **out)
{
	struct dbq q;
	json_t *arr;
	int rc;

	*out = NULL;
	dbq_init(&q);
	dbq_sql(&q, "%s WHERE t.id = ?", k->select);
	dbq_int(&q, id);
	rc = collect(cx, &q, k->row, &arr);
	dbq_free(&q);
	if (rc != CRM_OK)
		return rc;
	if (json_array_size(arr) == 0)
		rc = core_fail(cx, CRM_ENOTFOUND, "No %s with id %lld", k->what,
		    (long long)id);
	else
		*out = json_incref(json_array_get(arr, 0));
	json_decref(arr);
	if (rc == CRM_OK && k->finish != NULL)
		rc = k->finish(cx, *out);
	if (rc != CRM_OK) {
		json_decref(*out);
		*out = NULL;
	}
	return rc;
}

static bool
has_errors(struct core_ctx *cx)
{
	return cx->errs.n > 0 || cx->errs.dropped > 0;
}

/* Creates (id 0) or changes a record of kind k; see the file comment. */
static int
save(struct core_ctx *cx, const struct kind *k, int64_t id, json_t *in,
    json_t **out)
{
	json_t *cur = NULL, *rec;
	bool create = id == 0;
	int rc = core_admin_only(cx, "edit the product catalog");

	*out = NULL;
	if (rc != CRM_OK)
		return rc;
	k->check(cx, in, id == 0);
	if (has_errors(cx))
		return core_invalid(cx);
	if (db_begin(cx->db) != DB_OK)
		return db_fail(cx, "begin");
	if (id > 0)
		rc = read_one(cx, k, id, &cur);
	if (rc != CRM_OK)
		return core_txn_end(cx, rc, NULL);
	rec = cur != NULL ? json_deep_copy(cur) : json_object();
	json_object_update(rec, in);
	rc = k->write(cx, &id, rec, cur, in);
	json_decref(rec);
	json_decref(cur);
	if (rc == CRM_OK)
		rc = audit_append(cx, create ? k->created : k->changed,
		    k->table, id, in);
	if (rc == CRM_OK)
		rc = read_one(cx, k, id, out);
	return core_txn_end(cx, rc, out);
}

static int
remove_one(struct core_ctx *cx, const struct kind *k, int64_t id)
{
	json_t *cur = NULL;
	int rc = core_admin_only(cx, "edit the product catalog");

	if (rc != CRM_OK)
		return rc;
	if (db_begin(cx->db) != DB_OK)
		return db_fail(cx, "begin");
	rc = read_one(cx, k, id, &cur);
	json_decref(cur);
	if (rc == CRM_OK)
		rc = k->remove(cx, id);
	if (rc == CRM_OK)
		rc = audit_append(cx, k->deleted, k->table, id, NULL);
	return core_txn_end(cx, rc, NULL);
}

/* Refuses keys of in that are not in names (NULL-terminated). */
static void
only_fields(struct core_ctx *cx, json_t *in, const char *const *names,
    const char *what)
{
	const char *key;
	json_t *v;

	json_object_foreach(in, key, v) {
		bool known = false;

		for (size_t i = 0; names[i] != NULL && !known; i++)
			known = strcmp(key, names[i]) == 0;
		if (!known)
			verrs_add(&cx->errs, key, "is not a field of a %s", what);
	}
}

/* Adds "is required" for each of names (NULL-terminated) missing in in. */
static void
required(struct core_ctx *cx, json_t *in, const char *const *names)
{
	for (size_t i = 0; names[i] != NULL; i++)
		if (json_object_get(in, names[i]) == NULL)
			verrs_add(&cx->errs, names[i], "is required");
}

static void
check_bool(struct core_ctx *cx, json_t *in, const char *key)
{
	json_t *v = json_object_get(in, key);

	if (v != NULL && !json_is_boolean(v))
		verrs_add(&cx->errs, key, "must be true or false");
}

static void
check_name(struct core_ctx *cx, json_t *in, size_t max)
{
	json_t *v = json_object_get(in, "name");

	if (v != NULL && !core_text_ok(v, max))
		verrs_add(&cx->errs, "name", "must be 1 to %zu characters", max);
}

static void
check_currency(struct core_ctx *cx, json_t *in)
{
	json_t *v = json_object_get(in, "currency");

	if (v != NULL && !good_currency(v))
		verrs_add(&cx->errs, "currency", "must be an ISO 4217 code this "
		    "server knows, such as EUR (see /api/v1/currencies)");
}

/* ---- units ---- */

static void
unit_check(struct core_ctx *cx, json_t *in, bool create)
{
	static const char *const fields[] = { "name", "whole", NULL };
	static const char *const req[] = { "name", NULL };

	only_fields(cx, in, fields, "unit");
	check_name(cx, in, UNIT_NAME_MAX);
	check_bool(cx, in, "whole");
	if (create)
		required(cx, in, req);
}

static int
unit_write(struct core_ctx *cx, int64_t *id, json_t *rec, json_t *cur,
    json_t *in)
{
	json_t *whole = json_object_get(rec, "whole");
	db_stmt_t *st;
	int64_t used = 0;
	int rc;

	(void)in;
	/* Stored quantities were checked against the old kind of unit. */
	if (cur != NULL && !json_equal(whole, json_object_get(cur, "whole"))) {
		rc = count_id(cx, "SELECT COUNT(*) FROM (SELECT unit_id FROM "
		    "products UNION ALL SELECT unit_id FROM deal_items) u WHERE "
		    "u.unit_id = ?", *id, &used);
		if (rc != CRM_OK)
			return rc;
		if (used > 0)
			return core_fail(cx, CRM_EINUSE, "%lld products or deal lines "
			    "use this unit; it stays %s", (long long)used,
			    json_is_true(json_object_get(cur, "whole")) ? "whole" :
			    "decimal");
	}
	if (db_prepare(cx->db, *id == 0 ? "INSERT INTO units (name, whole, "
	    "created_at, updated_at) VALUES (?, ?, ?, ?) RETURNING id" :
	    "UPDATE units SET name = ?, whole = ?, updated_at = ? WHERE id = ?",
	    &st) != DB_OK)
		return db_fail(cx, "unit write");
	bind_opt_text(st, 1, json_object_get(rec, "name"));
	db_bind_int(st, 2, whole == NULL || json_is_true(whole));
	db_bind_int(st, 3, time_now_ms());
	db_bind_int(st, 4, *id == 0 ? time_now_ms() : *id);
	return step_write(cx, st, id, "A unit with this name exists", NULL);
}

static int
unit_remove(struct core_ctx *cx, int64_t id)
{
	int64_t used = 0;
	int rc = count_id(cx, "SELECT COUNT(*) FROM products WHERE unit_id = ?",
	    id, &used);

	if (rc == CRM_OK && used > 0)
		rc = core_fail(cx, CRM_EINUSE, "%lld products use this unit; "
		    "give them another unit first", (long long)used);
	if (rc == CRM_OK)
		rc = exec_id(cx, "DELETE FROM units WHERE id = ?", id,
		    "Deal lines use this unit; it cannot be deleted");
	return rc;
}

static const struct kind units = {
	"unit", "units", UNIT_SELECT, unit_row, "catalog.unit_created",
	"catalog.unit_changed", "catalog.unit_deleted", unit_check, unit_write,
	unit_remove, NULL,
};

int
catalog_unit_list(struct core_ctx *cx, json_t **out)
{
	return list_all(cx, UNIT_SELECT, unit_row, out);
}

int
catalog_unit_create(struct core_ctx *cx, json_t *in, json_t **out)
{
	return save(cx, &units, 0, in, out);
}

int
catalog_unit_update(struct core_ctx *cx, int64_t id, json_t *in, json_t **out)
{
	return save(cx, &units, id, in, out);
}

int
catalog_unit_delete(struct core_ctx *cx, int64_t id)
{
	return remove_one(cx, &units, id);
}

/* ---- products ---- */

static void
product_check(struct core_ctx *cx, json_t *in, bool create)
{
	static const char *const fields[] = { "name", "sku", "description",
	    "unit_id", "price", "currency", "tax_rate", "active", NULL };
	static const char *const req[] = { "name", "unit_id", "price",
	    "currency", NULL };
	json_t *v;
	int bp;

	only_fields(cx, in, fields, "product");
	check_name(cx, in, PRODUCT_NAME_MAX);
	v = json_object_get(in, "sku");
	if (v != NULL && !json_is_null(v) &&
	    !core_text_ok(v, PRODUCT_SKU_MAX))
		verrs_add(&cx->errs, "sku", "must be 1 to %d characters or null",
		    PRODUCT_SKU_MAX);
	v = json_object_get(in, "description");
	if (v != NULL && !json_is_null(v) &&
	    !core_text_ok(v, PRODUCT_DESC_MAX))
		verrs_add(&cx->errs, "description", "must be 1 to %d characters "
		    "or null", PRODUCT_DESC_MAX);
	v = json_object_get(in, "unit_id");
	if (v != NULL && !good_id(v))
		verrs_add(&cx->errs, "unit_id", "must be the id of a unit");
	v = json_object_get(in, "price");
	if (v != NULL && !good_price(v))
		verrs_add(&cx->errs, "price", "must be a whole number of minor "
		    "units (cents) from 0 to %lld", MONEY_PRICE_MAX);
	check_currency(cx, in);
	(void)percent(cx, json_object_get(in, "tax_rate"), 0, "tax_rate", &bp);
	check_bool(cx, in, "active");
	if (create)
		required(cx, in, req);
}

static int
product_write(struct core_ctx *cx, int64_t *id, json_t *rec, json_t *cur,
    json_t *in)
{
	struct catalog_unit u;
	db_stmt_t *st;
	json_t *active = json_object_get(rec, "active");
	int bp = 0, rc;

	/*
	 * A price is a number of minor units of its currency: a new currency
	 * with the old number would silently change the price (and its scale).
	 */
	if (cur != NULL && json_object_get(in, "price") == NULL &&
	    !json_equal(json_object_get(cur, "currency"),
	    json_object_get(rec, "currency")))
		verrs_add(&cx->errs, "price", "must be given again when the "
		    "currency changes");
	rc = catalog_unit_info(cx, json_integer_value(json_object_get(rec,
	    "unit_id")), &u);
	if (rc == CRM_ENOTFOUND)
		verrs_add(&cx->errs, "unit_id", "no unit with id %lld",
		    (long long)json_integer_value(json_object_get(rec, "unit_id")));
	else if (rc != CRM_OK)
		return rc;
	(void)percent(cx, json_object_get(rec, "tax_rate"), 0, "tax_rate", &bp);
	if (has_errors(cx))
		return core_invalid(cx);
	if (db_prepare(cx->db, *id == 0 ? "INSERT INTO products (name, sku, "
	    "description, unit_id, price, currency, tax_rate, active, "
	    "created_at, created_by, updated_at, updated_by) VALUES (?, ?, ?, "
	    "?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id" : "UPDATE products SET "
	    "name = ?, sku = ?, description = ?, unit_id = ?, price = ?, "
	    "currency = ?, tax_rate = ?, active = ?, updated_at = ?, "
	    "updated_by = ? WHERE id = ?", &st) != DB_OK)
		return db_fail(cx, "product write");
	bind_opt_text(st, 1, json_object_get(rec, "name"));
	bind_opt_text(st, 2, json_object_get(rec, "sku"));
	bind_opt_text(st, 3, json_object_get(rec, "description"));
	db_bind_int(st, 4, u.id);
	db_bind_int(st, 5, json_integer_value(json_object_get(rec, "price")));
	bind_opt_text(st, 6, json_object_get(rec, "currency"));
	db_bind_int(st, 7, bp);
	db_bind_int(st, 8, active == NULL || json_is_true(active));
	bind_stamp(cx, st, 9, *id);
	return step_write(cx, st, id, "A product with this SKU exists", NULL);
}

/*
 * Price list entries go with their product: they mean nothing without it.
 * Anything else that names it (deal lines) makes the delete fail on its
 * foreign key, and the product should be retired (active false) instead.
 */
static int
product_remove(struct core_ctx *cx, int64_t id)
{
	int rc = exec_id(cx, "DELETE FROM price_list_items WHERE product_id = ?",
	    id, "The product's prices could not be removed");

	if (rc == CRM_OK)
		rc = exec_id(cx, "DELETE FROM products WHERE id = ?", id,
		    "Deals use this product; make it inactive instead");
	return rc;
}

static const struct kind products = {
	"product", "products", PRODUCT_SELECT, product_row,
	"catalog.product_created", "catalog.product_changed",
	"catalog.product_deleted", product_check, product_write, product_remove,
	NULL,
};

int
catalog_product_list(struct core_ctx *cx, const struct product_query *pq,
    json_t **out)
{
	char pat[CATALOG_QUERY_MAX * 2 + 3];
	int64_t after = 0;
	int limit = pq->limit == 0 ? CATALOG_PAGE_DEFAULT : pq->limit;
	struct dbq q;
	json_t *arr;
	int rc;

	*out = NULL;
	if (limit < 1 || limit > CATALOG_PAGE_MAX)
		return core_fail(cx, CRM_EBADQUERY, "limit must be 1 to %d",
		    CATALOG_PAGE_MAX);
	if (pq->q != NULL && (strlen(pq->q) > CATALOG_QUERY_MAX ||
	    !text_utf8_valid(pq->q, strlen(pq->q))))
		return core_fail(cx, CRM_EBADQUERY, "q must be text of at most %d "
		    "bytes", CATALOG_QUERY_MAX);
	if (pq->cursor != NULL) {
		for (const char *p = pq->cursor; *p != '\0' && after >= 0; p++)
			after = *p >= '0' && *p <= '9' && after < INT64_MAX / 10 - 9 ?
			    after * 10 + (*p - '0') : -1;
		if (after <= 0)
			return core_fail(cx, CRM_EBADQUERY, "cursor must be the "
			    "next_cursor of the previous page");
	}
	dbq_init(&q);
	dbq_sql(&q, "%s WHERE 1 = 1", PRODUCT_SELECT);
	if (pq->active_only)
		dbq_sql(&q, " AND t.active = 1");
	if (pq->q != NULL && pq->q[0] != '\0') {
		/* lower() on both sides, so each dialect folds case alike. */
		text_like_pattern(pq->q, pat, sizeof(pat));
		dbq_sql(&q, " AND (lower(t.name) LIKE lower(?) ESCAPE '\\' OR "
		    "lower(t.sku) LIKE lower(?) ESCAPE '\\')");
		dbq_text(&q, pat, strlen(pat));
		dbq_text(&q, pat, strlen(pat));
	}
	/* Keyset: after the cursor's row in (name, id) order. */
	if (after > 0) {
		dbq_sql(&q, " AND (t.name > (SELECT name FROM products WHERE id = "
		    "?) OR (t.name = (SELECT name FROM products WHERE id = ?) AND "
		    "t.id > ?))");
		dbq_int(&q, after);
		dbq_int(&q, after);
		dbq_int(&q, after);
	}
	dbq_sql(&q, " ORDER BY t.name, t.id LIMIT ?");
	dbq_int(&q, limit + 1);
	rc = collect(cx, &q, product_row, &arr);
	dbq_free(&q);
	if (rc != CRM_OK)
		return rc;
	if (json_array_size(arr) > (size_t)limit) {
		char next[24];

		json_array_remove(arr, (size_t)limit);
		snprintf(next, sizeof(next), "%lld", (long long)json_integer_value(
		    json_object_get(json_array_get(arr, (size_t)limit - 1), "id")));
		*out = json_pack("{s:o, s:s}", "data", arr, "next_cursor", next);
	} else {
		*out = json_pack("{s:o, s:n}", "data", arr, "next_cursor");
	}
	return CRM_OK;
}

int
catalog_product_get(struct core_ctx *cx, int64_t id, json_t **out)
{
	return read_one(cx, &products, id, out);
}

int
catalog_product_create(struct core_ctx *cx, json_t *in, json_t **out)
{
	return save(cx, &products, 0, in, out);
}

int
catalog_product_update(struct core_ctx *cx, int64_t id, json_t *in,
    json_t **out)
{
	return save(cx, &products, id, in, out);
}

int
catalog_product_delete(struct core_ctx *cx, int64_t id)
{
	return remove_one(cx, &products, id);
}

/* ---- price lists ---- */

static void
pricelist_check(struct core_ctx *cx, json_t *in, bool create)
{
	static const char *const fields[] = { "name", "currency", "active",
	    "items", NULL };
	static const char *const req[] = { "name", "currency", NULL };
	json_t *items = json_object_get(in, "items"), *it;
	char f[48];
	size_t i;

	only_fields(cx, in, fields, "price list");
	check_name(cx, in, PRICE_LIST_NAME_MAX);
	check_currency(cx, in);
	check_bool(cx, in, "active");
	if (create)
		required(cx, in, req);
	if (items == NULL)
		return;
	if (!json_is_array(items) || json_array_size(items) >
	    PRICE_LIST_ITEMS_MAX) {
		verrs_add(&cx->errs, "items", "must be a list of at most %d "
		    "{product_id, price}", PRICE_LIST_ITEMS_MAX);
		return;
	}
	json_array_foreach(items, i, it) {
		snprintf(f, sizeof(f), "items[%zu]", i);
		if (!json_is_object(it) || json_object_size(it) != 2 ||
		    !good_id(json_object_get(it, "product_id")) ||
		    !good_price(json_object_get(it, "price"))) {
			verrs_add(&cx->errs, f, "must be {product_id, price} with a "
			    "price of 0 to %lld minor units", MONEY_PRICE_MAX);
			continue;
		}
		for (size_t k = 0; k < i; k++)
			if (json_equal(json_object_get(it, "product_id"),
			    json_object_get(json_array_get(items, k), "product_id")))
				verrs_add(&cx->errs, f, "repeats the product of "
				    "items[%zu]", k);
	}
}

static int
write_items(struct core_ctx *cx, int64_t id, json_t *items)
{
	db_stmt_t *st;
	json_t *it;
	size_t i;
	int rc = exec_id(cx, "DELETE FROM price_list_items WHERE price_list_id "
	    "= ?", id, "The old prices could not be removed");

	json_array_foreach(items, i, it) {
		if (rc != CRM_OK)
			break;
		if (db_prepare(cx->db, "INSERT INTO price_list_items (price_list_id, "
		    "product_id, price) VALUES (?, ?, ?)", &st) != DB_OK)
			return db_fail(cx, "item write");
		db_bind_int(st, 1, id);
		db_bind_int(st, 2, json_integer_value(json_object_get(it,
		    "product_id")));
		db_bind_int(st, 3, json_integer_value(json_object_get(it, "price")));
		rc = step_write(cx, st, NULL, NULL, "A product of the list is gone");
	}
	return rc;
}

static int
pricelist_write(struct core_ctx *cx, int64_t *id, json_t *rec, json_t *cur,
    json_t *in)
{
	json_t *items = json_object_get(in, "items"), *it;
	json_t *active = json_object_get(rec, "active");
	struct catalog_product p;
	db_stmt_t *st;
	size_t i;
	int rc;

	/* Stored prices are minor units of the old currency. */
	if (cur != NULL && items == NULL &&
	    json_integer_value(json_object_get(cur, "item_count")) > 0 &&
	    !json_equal(json_object_get(cur, "currency"),
	    json_object_get(rec, "currency")))
		verrs_add(&cx->errs, "currency", "cannot change while the list "
		    "holds prices, unless items gives them anew");
	json_array_foreach(items, i, it) {
		int64_t pid = json_integer_value(json_object_get(it,
		    "product_id"));
		char f[48];

		rc = catalog_product_info(cx, pid, &p);
		if (rc == CRM_ENOTFOUND) {
			snprintf(f, sizeof(f), "items[%zu]", i);
			verrs_add(&cx->errs, f, "no product with id %lld",
			    (long long)pid);
		} else if (rc != CRM_OK) {
			return rc;
		}
	}
	if (has_errors(cx))
		return core_invalid(cx);
	if (db_prepare(cx->db, *id == 0 ? "INSERT INTO price_lists (name, "
	    "currency, active, created_at, created_by, updated_at, updated_by) "
	    "VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id" : "UPDATE price_lists "
	    "SET name = ?, currency = ?, active = ?, updated_at = ?, "
	    "updated_by = ? WHERE id = ?", &st) != DB_OK)
		return db_fail(cx, "price list write");
	bind_opt_text(st, 1, json_object_get(rec, "name"));
	bind_opt_text(st, 2, json_object_get(rec, "currency"));
	db_bind_int(st, 3, active == NULL || json_is_true(active));
	bind_stamp(cx, st, 4, *id);
	rc = step_write(cx, st, id, "A price list with this name exists", NULL);
	if (rc == CRM_OK && items != NULL)
		rc = write_items(cx, *id, items);
	return rc;
}

static int
pricelist_remove(struct core_ctx *cx, int64_t id)
{
	int rc = exec_id(cx, "DELETE FROM price_list_items WHERE price_list_id "
	    "= ?", id, "The list's prices could not be removed");

	if (rc == CRM_OK)
		rc = exec_id(cx, "DELETE FROM price_lists WHERE id = ?", id,
		    "Deals use this price list; make it inactive instead");
	return rc;
}

static const struct kind pricelists = {
	"price list", "price_lists", PRICELIST_SELECT, pricelist_row,
	"catalog.price_list_created", "catalog.price_list_changed",
	"catalog.price_list_deleted", pricelist_check, pricelist_write,
	pricelist_remove, add_items,
};

int
catalog_pricelist_list(struct core_ctx *cx, json_t **out)
{
	return list_all(cx, PRICELIST_SELECT, pricelist_row, out);
}

int
catalog_pricelist_get(struct core_ctx *cx, int64_t id, json_t **out)
{
	return read_one(cx, &pricelists, id, out);
}

int
catalog_pricelist_create(struct core_ctx *cx, json_t *in, json_t **out)
{
	return save(cx, &pricelists, 0, in, out);
}

int
catalog_pricelist_update(struct core_ctx *cx, int64_t id, json_t *in,
    json_t **out)
{
	return save(cx, &pricelists, id, in, out);
}

int
catalog_pricelist_delete(struct core_ctx *cx, int64_t id)
{
	return remove_one(cx, &pricelists, id);
}

/* ---- lookups for deal lines ---- */

/* Copies column col's text into out (size outlen), truncating safely. */
static void
col_copy(db_stmt_t *st, int col, char *out, size_t outlen)
{
	snprintf(out, outlen, "%s", db_col_null(st, col) ? "" :
	    db_col_text(st, col, NULL));
}

int
catalog_unit_info(struct core_ctx *cx, int64_t id, struct catalog_unit *out)
{
	db_stmt_t *st;
	int rc;

	memset(out, 0, sizeof(*out));
	if (db_prepare(cx->db, "SELECT id, name, whole FROM units WHERE id = ?",
	    &st) != DB_OK)
		return db_fail(cx, "unit info");
	db_bind_int(st, 1, id);
	rc = db_step(st);
	if (rc == DB_ROW) {
		out->id = db_col_int(st, 0);
		col_copy(st, 1, out->name, sizeof(out->name));
		out->whole = db_col_int(st, 2) != 0;
	}
	db_done(st);
	if (rc == DB_DONE)
		return core_fail(cx, CRM_ENOTFOUND, "No unit with id %lld",
		    (long long)id);
	return rc == DB_ROW ? CRM_OK : db_fail(cx, "unit info step");
}

int
catalog_product_info(struct core_ctx *cx, int64_t id,
    struct catalog_product *out)
{
	db_stmt_t *st;
	int rc;

	memset(out, 0, sizeof(*out));
	if (db_prepare(cx->db, "SELECT t.id, t.name, t.unit_id, u.name, "
	    "u.whole, t.tax_rate, t.price, t.currency, t.active FROM products t "
	    "JOIN units u ON u.id = t.unit_id WHERE t.id = ?", &st) != DB_OK)
		return db_fail(cx, "product info");
	db_bind_int(st, 1, id);
	rc = db_step(st);
	if (rc == DB_ROW) {
		out->id = db_col_int(st, 0);
		col_copy(st, 1, out->name, sizeof(out->name));
		out->unit.id = db_col_int(st, 2);
		col_copy(st, 3, out->unit.name, sizeof(out->unit.name));
		out->unit.whole = db_col_int(st, 4) != 0;
		out->tax_bp = (int)db_col_int(st, 5);
		out->price = db_col_int(st, 6);
		col_copy(st, 7, out->currency, sizeof(out->currency));
		out->active = db_col_int(st, 8) != 0;
	}
	db_done(st);
	if (rc == DB_DONE)
		return core_fail(cx, CRM_ENOTFOUND, "No product with id %lld",
		    (long long)id);
	return rc == DB_ROW ? CRM_OK : db_fail(cx, "product info step");
}

/*
 * The price of product in a list: list_id > 0 that list, else the first
 * active list in currency holding it. *found false when there is none.
 */
static int
list_price(struct core_ctx *cx, int64_t product_id, int64_t list_id,
    const char *currency, int64_t *price, int64_t *from, bool *found)
{
	db_stmt_t *st;
	int rc;

	*found = false;
	if (db_prepare(cx->db, "SELECT i.price, l.id FROM price_list_items i "
	    "JOIN price_lists l ON l.id = i.price_list_id WHERE i.product_id = ? "
	    "AND l.currency = ? AND l.active = 1 AND (l.id = ? OR ? = 0) "
	    "ORDER BY l.id LIMIT 1", &st) != DB_OK)
		return db_fail(cx, "price");
	db_bind_int(st, 1, product_id);
	db_bind_text(st, 2, currency, strlen(currency));
	db_bind_int(st, 3, list_id);
	db_bind_int(st, 4, list_id);
	rc = db_step(st);
	if (rc == DB_ROW) {
		*found = true;
		*price = db_col_int(st, 0);
		*from = db_col_int(st, 1);
	}
	db_done(st);
	return rc == DB_ROW || rc == DB_DONE ? CRM_OK : db_fail(cx, "price step");
}

int
catalog_price(struct core_ctx *cx, int64_t product_id, int64_t price_list_id,
    const char *currency, int64_t *price, int64_t *from_list)
{
	struct catalog_product p;
	json_t *list = NULL;
	int64_t from = 0;
	bool found = false;
	int rc;

	*price = 0;
	if (from_list != NULL)
		*from_list = 0;
	rc = catalog_product_info(cx, product_id, &p);
	if (rc != CRM_OK)
		return rc;
	if (price_list_id > 0) {
		rc = read_one(cx, &pricelists, price_list_id, &list);
		if (rc != CRM_OK)
			return rc;
		if (strcmp(json_string_value(json_object_get(list, "currency")),
		    currency) != 0 || !json_is_true(json_object_get(list, "active")))
			rc = core_fail(cx, CRM_EINVAL, "The price list %s is %s",
			    json_string_value(json_object_get(list, "name")),
			    json_is_true(json_object_get(list, "active")) ?
			    "in another currency" : "inactive");
		json_decref(list);
		if (rc != CRM_OK)
			return rc;
	} else if (strcmp(p.currency, currency) == 0) {
		*price = p.price;
		return CRM_OK;
	}
	rc = list_price(cx, product_id, price_list_id, currency, price, &from,
	    &found);
	if (rc != CRM_OK)
		return rc;
	if (!found)
		return core_fail(cx, CRM_EINVAL, "%s has no price in %s%s: give "
		    "the price", p.name, currency, price_list_id > 0 ?
		    " in this price list" : "");
	if (from_list != NULL)
		*from_list = from;
	return CRM_OK;
}

/* ---- pricing lines ---- */

/* One line of catalog_lines; f is "items[i]". Errors go to cx->errs. */
static json_t *
price_line(struct core_ctx *cx, const char *currency, int64_t list_id,
    json_t *item, const char *f, struct money_line *ml)
{
	static const char *const fields[] = { "product_id", "name", "quantity",
	    "unit_id", "price", "discount", "tax", NULL };
	struct catalog_product p;
	struct catalog_unit u;
	json_t *name, *v;
	char key[128], buf[32], why[MONEY_WHY], qtext[MONEY_QTY_TEXT];
	char dtext[MONEY_BP_TEXT], ttext[MONEY_BP_TEXT];
	const char *s;
	int64_t qty = 0, price = 0;
	size_t len = 0;
	int errs = cx->errs.n, disc = 0, tax = 0, rc;
	bool have_p = false, have_u = false, names_p;

	memset(&u, 0, sizeof(u));
	if (!json_is_object(item)) {
		verrs_add(&cx->errs, f, "must be an object");
		return NULL;
	}
	/* Unknown keys, named like "items[0].colour". */
	{
		const char *k;

		json_object_foreach(item, k, v) {
			bool known = false;

			for (size_t i = 0; fields[i] != NULL && !known; i++)
				known = strcmp(k, fields[i]) == 0;
			snprintf(key, sizeof(key), "%s.%.40s", f, k);
			if (!known)
				verrs_add(&cx->errs, key, "is not a field of a line");
		}
	}
	v = json_object_get(item, "product_id");
	names_p = v != NULL && !json_is_null(v);
	snprintf(key, sizeof(key), "%s.product_id", f);
	if (names_p) {
		rc = good_id(v) ? catalog_product_info(cx, json_integer_value(v),
		    &p) : CRM_ENOTFOUND;
		if (rc == CRM_ENOTFOUND)
			verrs_add(&cx->errs, key, "must be the id of a product");
		else if (rc != CRM_OK)
			return NULL;
		have_p = rc == CRM_OK;
	}
	name = json_object_get(item, "name");
	snprintf(key, sizeof(key), "%s.name", f);
	if (name != NULL && !json_is_null(name) && !core_text_ok(name,
	    PRODUCT_NAME_MAX))
		verrs_add(&cx->errs, key, "must be 1 to %d characters",
		    PRODUCT_NAME_MAX);
	else if ((name == NULL || json_is_null(name)) && !names_p)
		verrs_add(&cx->errs, key, "is required for a line without a "
		    "product");
	v = json_object_get(item, "unit_id");
	snprintf(key, sizeof(key), "%s.unit_id", f);
	if (v != NULL && !json_is_null(v)) {
		rc = good_id(v) ? catalog_unit_info(cx, json_integer_value(v), &u) :
		    CRM_ENOTFOUND;
		if (rc == CRM_ENOTFOUND)
			verrs_add(&cx->errs, key, "must be the id of a unit");
		else if (rc != CRM_OK)
			return NULL;
		have_u = rc == CRM_OK;
	} else if (have_p) {
		u = p.unit;
		have_u = true;
	}
	/* Parsed as decimal first, so a whole unit's refusal names the unit. */
	snprintf(key, sizeof(key), "%s.quantity", f);
	s = decimal_text(json_object_get(item, "quantity"), buf, sizeof(buf),
	    &len);
	if (s == NULL)
		verrs_add(&cx->errs, key, "is required: a number as text, such "
		    "as \"2\" or \"0.5\"");
	else if (money_qty_parse(s, len, false, &qty, why, sizeof(why)) != 0)
		verrs_add(&cx->errs, key, "%s", why);
	else if (have_u && u.whole && qty % MONEY_QTY_SCALE != 0)
		verrs_add(&cx->errs, key, "must be a whole number of %s: %.*s is "
		    "not", u.name, (int)(len > 24 ? 24 : len), s);
	v = json_object_get(item, "price");
	snprintf(key, sizeof(key), "%s.price", f);
	if (v != NULL && !json_is_null(v)) {
		if (!good_price(v))
			verrs_add(&cx->errs, key, "must be a whole number of minor "
			    "units from 0 to %lld", MONEY_PRICE_MAX);
		price = json_integer_value(v);
	} else if (have_p) {
		rc = catalog_price(cx, p.id, list_id, currency, &price, NULL);
		if (rc == CRM_EINVAL || rc == CRM_ENOTFOUND)
			verrs_add(&cx->errs, key, "%s", cx->detail);
		else if (rc != CRM_OK)
			return NULL;
	} else if (!names_p) {
		verrs_add(&cx->errs, key, "is required for a line without a "
		    "product");
	}
	snprintf(key, sizeof(key), "%s.discount", f);
	(void)percent(cx, json_object_get(item, "discount"), 0, key, &disc);
	snprintf(key, sizeof(key), "%s.tax", f);
	(void)percent(cx, json_object_get(item, "tax"), have_p ? p.tax_bp : 0,
	    key, &tax);
	if (cx->errs.n != errs)
		return NULL;
	if (money_line(qty, price, disc, tax, ml) != 0) {
		verrs_add(&cx->errs, f, "the amount is too large");
		return NULL;
	}
	money_qty_format(qty, qtext);
	money_bp_format(disc, dtext);
	money_bp_format(tax, ttext);
	return json_pack("{s:o, s:s, s:s, s:o, s:o, s:b, s:I, s:s, s:s, s:I, "
	    "s:I, s:I}",
	    "product_id", have_p ? json_integer(p.id) : json_null(),
	    "name", name != NULL && json_is_string(name) ?
	    json_string_value(name) : p.name,
	    "quantity", qtext,
	    "unit_id", have_u ? json_integer(u.id) : json_null(),
	    "unit", have_u ? json_string(u.name) : json_null(),
	    "whole", have_u && u.whole,
	    "price", (json_int_t)price, "discount", dtext, "tax", ttext,
	    "net", (json_int_t)ml->net, "tax_amount", (json_int_t)ml->tax,
	    "total", (json_int_t)ml->total);
}

int
catalog_lines(struct core_ctx *cx, const char *currency, int64_t price_list_id,
    json_t *items, const char *field, json_t **lines, struct money_line *sum)
{
	struct money_line *ml;
	json_t *it, *line;
	char f[64];
	size_t i, n = json_array_size(items);
	int errs = cx->errs.n;

	*lines = NULL;
	memset(sum, 0, sizeof(*sum));
	if (!json_is_array(items) || n > CATALOG_LINES_MAX) {
		verrs_add(&cx->errs, field, "must be a list of at most %d lines",
		    CATALOG_LINES_MAX);
		return core_invalid(cx);
	}
	ml = xcalloc(n + 1, sizeof(*ml));
	*lines = json_array();
	json_array_foreach(items, i, it) {
		snprintf(f, sizeof(f), "%.40s[%zu]", field, i);
		line = price_line(cx, currency, price_list_id, it, f, &ml[i]);
		if (line != NULL)
			json_array_append_new(*lines, line);
		else if (cx->errs.n == errs)	/* the database failed */
			break;
	}
	if (cx->errs.n == errs && json_array_size(*lines) == n &&
	    money_sum(ml, n, sum) != 0)
		verrs_add(&cx->errs, field, "the total is too large");
	free(ml);
	if (cx->errs.n != errs || json_array_size(*lines) != n) {
		json_decref(*lines);
		*lines = NULL;
		return cx->errs.n != errs ? core_invalid(cx) : CRM_EDB;
	}
	return CRM_OK;
}

int
catalog_quote(struct core_ctx *cx, json_t *in, json_t **out)
{
	static const char *const fields[] = { "currency", "price_list_id",
	    "items", NULL };
	static const char *const req[] = { "currency", "items", NULL };
	json_t *lines = NULL, *pl = json_object_get(in, "price_list_id");
	const struct currency *c;
	struct money_line sum;
	int64_t list_id = 0;
	int rc;

	*out = NULL;
	only_fields(cx, in, fields, "quote");
	required(cx, in, req);
	check_currency(cx, in);
	if (pl != NULL && !json_is_null(pl) && !good_id(pl))
		verrs_add(&cx->errs, "price_list_id", "must be the id of a price "
		    "list");
	else if (good_id(pl))
		list_id = json_integer_value(pl);
	if (has_errors(cx))
		return core_invalid(cx);
	/* A bad list is one error here, not one per line. */
	if (list_id > 0) {
		json_t *list = NULL;

		rc = read_one(cx, &pricelists, list_id, &list);
		if (rc == CRM_ENOTFOUND)
			verrs_add(&cx->errs, "price_list_id", "no price list with id "
			    "%lld", (long long)list_id);
		else if (rc == CRM_OK && !json_equal(json_object_get(list,
		    "currency"), json_object_get(in, "currency")))
			verrs_add(&cx->errs, "price_list_id", "the price list is in "
			    "%s", json_string_value(json_object_get(list,
			    "currency")));
		json_decref(list);
		if (rc != CRM_OK && rc != CRM_ENOTFOUND)
			return rc;
		if (has_errors(cx))
			return core_invalid(cx);
	}
	c = currency_find(json_string_value(json_object_get(in, "currency")));
	rc = catalog_lines(cx, c->code, list_id, json_object_get(in, "items"),
	    "items", &lines, &sum);
	if (rc != CRM_OK)
		return rc;
	*out = json_pack("{s:s, s:i, s:o, s:I, s:I, s:I}", "currency", c->code,
	    "digits", c->digits, "lines", lines, "net", (json_int_t)sum.net,
	    "tax_amount", (json_int_t)sum.tax, "total", (json_int_t)sum.total);
	return CRM_OK;
}
