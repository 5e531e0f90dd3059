/*
 * A deal's line items: priced by the catalog (core/catalog.c, exact
 * arithmetic in core/money.c), stored with the deal in its transaction,
 * and read back with their totals.
 */
#include "core/deals.h"

#include <stdio.h>
#include <string.h>

#include "core/access.h"
#include "core/catalog.h"
#include "core/money.h"
#include "util/log.h"

static int
db_fail(struct core_ctx *cx, const char *what)
{
	log_error("database: deal items %s: %s", what, db_errmsg(cx->db));
	return core_fail(cx, CRM_EDB, "The database failed; nothing was changed");
}

/* A price list must exist and be in the deal's currency. */
static int
check_price_list(struct core_ctx *cx, json_t *pl, const char *currency)
{
	db_stmt_t *st;
	int rc;

	if (!json_is_integer(pl))
		return CRM_OK;
	if (db_prepare(cx->db, "SELECT currency FROM price_lists WHERE id = ?",
	    &st) != DB_OK)
		return db_fail(cx, "price list");
	db_bind_int(st, 1, json_integer_value(pl));
	rc = db_step(st);
	if (rc == DB_DONE)
		verrs_add(&cx->errs, "price_list_id", "no price list with id %lld",
		    (long long)json_integer_value(pl));
	else if (rc == DB_ROW && strcmp(db_col_text(st, 0, NULL), currency) != 0)
		verrs_add(&cx->errs, "price_list_id", "the price list is in %s; "
		    "the deal is in %s", db_col_text(st, 0, NULL), currency);
	db_done(st);
	return rc == DB_ROW || rc == DB_DONE ? CRM_OK : db_fail(cx, "price list step");
}

int
deal_items_prepare(struct core_ctx *cx, json_t *cur, json_t *in, json_t *merged)
{
	json_t *items = json_object_get(in, "items"), *lines = NULL;
	json_t *pl = json_object_get(merged, "price_list_id");
	const char *currency = json_string_value(json_object_get(merged,
	    "currency"));
	int64_t stored = json_integer_value(json_object_get(cur, "items_count"));
	struct money_line sum;
	int rc = check_price_list(cx, pl, currency);

	if (rc != CRM_OK)
		return rc;
	if (items == NULL) {
		json_object_set_new(merged, "items_count", json_integer(stored));
		if (stored > 0 && json_object_get(in, "amount") != NULL)
			verrs_add(&cx->errs, "amount", "follows from the deal's line "
			    "items; change the items instead");
		/* Stored prices are minor units of the deal's currency. */
		if (stored > 0 && !json_equal(json_object_get(cur, "currency"),
		    json_object_get(merged, "currency")))
			verrs_add(&cx->errs, "currency", "the line items are priced "
			    "in %s: give them again, priced in the new currency",
			    json_string_value(json_object_get(cur, "currency")));
		return CRM_OK;
	}
	if (json_array_size(items) == 0) {
		/* No lines any more: the amount is the deal's own again. */
		json_object_set_new(merged, "items", json_array());
		json_object_set_new(merged, "items_count", json_integer(0));
		return CRM_OK;
	}
	rc = catalog_lines(cx, currency, json_is_integer(pl) ?
	    json_integer_value(pl) : 0, items, "items", &lines, &sum);
	if (rc == CRM_ENOTFOUND) {
		verrs_add(&cx->errs, "items", "%s", cx->detail);
		rc = CRM_OK;
	}
	if (rc == CRM_EINVAL)
		rc = CRM_OK;	/* the reasons are in cx->errs */
	if (rc != CRM_OK || cx->errs.n > 0) {
		json_decref(lines);
		return rc;
	}
	if (json_object_get(in, "amount") != NULL)
		verrs_add(&cx->errs, "amount", "follows from the line items: leave "
		    "it out");
	json_object_set_new(merged, "amount", json_integer(sum.total));
	json_object_set_new(merged, "items_count",
	    json_integer((json_int_t)json_array_size(lines)));
	json_object_set_new(merged, "items", lines);
	return CRM_OK;
}

/* One priced line as a row; its texts were made by the catalog. */
static int
insert_line(struct core_ctx *cx, int64_t deal, size_t pos, json_t *l)
{
	const char *q = json_string_value(json_object_get(l, "quantity"));
	const char *d = json_string_value(json_object_get(l, "discount"));
	const char *t = json_string_value(json_object_get(l, "tax"));
	char why[MONEY_WHY];
	int64_t qty;
	int disc, tax, rc;
	db_stmt_t *st;

	if (q == NULL || d == NULL || t == NULL ||
	    money_qty_parse(q, strlen(q), false, &qty, why, sizeof(why)) != 0 ||
	    money_bp_parse(d, strlen(d), &disc, why, sizeof(why)) != 0 ||
	    money_bp_parse(t, strlen(t), &tax, why, sizeof(why)) != 0)
		return core_fail(cx, CRM_EINVAL, "A priced line did not read back");
	if (db_prepare(cx->db, "INSERT INTO deal_items (deal_id, position, "
	    "product_id, name, quantity, unit_id, price, discount, tax, net, "
	    "tax_amount, total) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	    &st) != DB_OK)
		return db_fail(cx, "insert");
	db_bind_int(st, 1, deal);
	db_bind_int(st, 2, (int64_t)pos);
	if (json_is_integer(json_object_get(l, "product_id")))
		db_bind_int(st, 3, json_integer_value(json_object_get(l,
		    "product_id")));
	else
		db_bind_null(st, 3);
	db_bind_text(st, 4, json_string_value(json_object_get(l, "name")),
	    json_string_length(json_object_get(l, "name")));
	db_bind_int(st, 5, qty);
	if (json_is_integer(json_object_get(l, "unit_id")))
		db_bind_int(st, 6, json_integer_value(json_object_get(l, "unit_id")));
	else
		db_bind_null(st, 6);
	db_bind_int(st, 7, json_integer_value(json_object_get(l, "price")));
	db_bind_int(st, 8, disc);
	db_bind_int(st, 9, tax);
	db_bind_int(st, 10, json_integer_value(json_object_get(l, "net")));
	db_bind_int(st, 11, json_integer_value(json_object_get(l, "tax_amount")));
	db_bind_int(st, 12, json_integer_value(json_object_get(l, "total")));
	rc = db_step(st);
	db_done(st);
	return rc == DB_DONE ? CRM_OK : db_fail(cx, "insert step");
}

int
deal_items_write(struct core_ctx *cx, int64_t id, json_t *merged)
{
	json_t *lines = json_object_get(merged, "items"), *l;
	db_stmt_t *st;
	size_t i;
	int rc;

	if (!json_is_array(lines))
		return CRM_OK;	/* the lines were not part of this change */
	if (db_prepare(cx->db, "DELETE FROM deal_items WHERE deal_id = ?", &st) !=
	    DB_OK)
		return db_fail(cx, "delete");
	db_bind_int(st, 1, id);
	rc = db_step(st);
	db_done(st);
	if (rc != DB_DONE)
		return db_fail(cx, "delete step");
	json_array_foreach(lines, i, l) {
		rc = insert_line(cx, id, i, l);
		if (rc != CRM_OK)
			return rc;
	}
	return CRM_OK;
}

static json_t *
line_json(db_stmt_t *st)
{
	char q[MONEY_QTY_TEXT], d[MONEY_BP_TEXT], t[MONEY_BP_TEXT];

	money_qty_format(db_col_int(st, 3), q);
	money_bp_format((int)db_col_int(st, 7), d);
	money_bp_format((int)db_col_int(st, 8), t);
	return json_pack("{s:o, s:s, s:s, s:o, s:o, s:b, s:I, s:s, s:s, s:I, "
	    "s:I, s:I}", "product_id", db_col_null(st, 0) ? json_null() :
	    json_integer(db_col_int(st, 0)), "name", db_col_text(st, 1, NULL),
	    "quantity", q, "unit_id", db_col_null(st, 4) ? json_null() :
	    json_integer(db_col_int(st, 4)), "unit", db_col_null(st, 5) ?
	    json_null() : json_string(db_col_text(st, 5, NULL)), "whole",
	    !db_col_null(st, 2) && db_col_int(st, 2) != 0, "price",
	    (json_int_t)db_col_int(st, 6), "discount", d, "tax", t, "net",
	    (json_int_t)db_col_int(st, 9), "tax_amount",
	    (json_int_t)db_col_int(st, 10), "total",
	    (json_int_t)db_col_int(st, 11));
}

int
deal_items_get(struct core_ctx *cx, int64_t id, json_t **out)
{
	json_t *deal = NULL, *lines;
	int64_t net = 0, tax = 0, total = 0;
	db_stmt_t *st;
	int rc = rec_get(cx, &entity_deals, id, false, &deal);

	if (rc != CRM_OK)
		return rc;
	/* Lines show what the amount is made of: hidden with it. */
	if (json_object_get(deal, "amount") == NULL) {
		json_decref(deal);
		return core_fail(cx, CRM_EFORBIDDEN, "Your role does not show "
		    "deal amounts, nor the lines they are made of");
	}
	if (db_prepare(cx->db, "SELECT i.product_id, i.name, u.whole, "
	    "i.quantity, i.unit_id, u.name, i.price, i.discount, i.tax, i.net, "
	    "i.tax_amount, i.total FROM deal_items i LEFT JOIN units u ON u.id = "
	    "i.unit_id WHERE i.deal_id = ? ORDER BY i.position", &st) != DB_OK) {
		json_decref(deal);
		return db_fail(cx, "read");
	}
	db_bind_int(st, 1, id);
	lines = json_array();
	while ((rc = db_step(st)) == DB_ROW) {
		json_array_append_new(lines, line_json(st));
		net += db_col_int(st, 9);
		tax += db_col_int(st, 10);
		total += db_col_int(st, 11);
	}
	db_done(st);
	if (rc != DB_DONE) {
		json_decref(deal);
		json_decref(lines);
		return db_fail(cx, "read step");
	}
	*out = json_pack("{s:O, s:O, s:o, s:I, s:I, s:I}", "currency",
	    json_object_get(deal, "currency"), "price_list_id",
	    json_object_get(deal, "price_list_id") ? json_object_get(deal,
	    "price_list_id") : json_null(), "items", lines, "net", (json_int_t)net,
	    "tax_amount", (json_int_t)tax, "total", (json_int_t)total);
	json_decref(deal);
	return CRM_OK;
}
