/*
 * The product catalog of issue 7 (Sales): units of measure, products and
 * price lists, and the pricing of deal lines.
 *
 * - A unit is whole (counted: pcs, licence, SIM card) or decimal
 *   (measured: hour, kg, m); a whole unit refuses "256.76". Six units are
 *   seeded on a fresh database. A unit used by a product is neither
 *   deleted nor switched between whole and decimal (CRM_EINUSE).
 * - A product has a name, an optional unique SKU, a description, a unit,
 *   its own price (minor units of its currency, >= 0) and a tax rate
 *   (JSON: a percentage text such as "20"; stored in basis points). An
 *   inactive product stays readable, so lines that name it still show it.
 *   Deleting a product also removes its entries from every price list (in
 *   the same transaction); if anything else refers to it (deal lines), the
 *   delete is refused with CRM_EINUSE: make it inactive instead.
 * - A price list holds prices of products in one currency. Its currency
 *   cannot change while it holds prices unless the same change gives the
 *   items anew.
 *
 * Everyone signed in reads; every change needs an administrator
 * (core_admin_only) and is audited in its own transaction as
 * "catalog.unit_created|changed|deleted", "catalog.product_...",
 * "catalog.price_list_...", with the request body as the detail.
 *
 * JSON in, JSON out; *out is a new reference for the caller. Money is an
 * integer of minor units next to its currency code; quantities, discounts
 * and tax rates are decimal strings (core/money.h has the arithmetic).
 */
#ifndef CORE_CATALOG_H
#define CORE_CATALOG_H

#include <jansson.h>

#include "core/core.h"
#include "core/money.h"

#define UNIT_NAME_MAX 40		/* characters */
#define PRODUCT_NAME_MAX 200
#define PRODUCT_SKU_MAX 64
#define PRODUCT_DESC_MAX 4000
#define PRICE_LIST_NAME_MAX 120
#define PRICE_LIST_ITEMS_MAX 5000	/* products in one price list */
#define CATALOG_PAGE_DEFAULT 50
#define CATALOG_PAGE_MAX 200
#define CATALOG_QUERY_MAX 100		/* bytes of a search text */
#define CATALOG_LINES_MAX 200		/* lines of one quote or deal */
#define CATALOG_NAME_BYTES (PRODUCT_NAME_MAX * 4 + 1)	/* UTF-8 + NUL */

/* ---- units ---- */

/* {"data": [{id, name, whole}]}, by name. */
int catalog_unit_list(struct core_ctx *cx, json_t **out);
/* {name, whole?}: whole defaults to true. *out: the unit. */
int catalog_unit_create(struct core_ctx *cx, json_t *in, json_t **out);
/* {name?, whole?}; whole stays while products use the unit (CRM_EINUSE). */
int catalog_unit_update(struct core_ctx *cx, int64_t id, json_t *in,
    json_t **out);
/* CRM_EINUSE while a product (or a deal line) uses it. */
int catalog_unit_delete(struct core_ctx *cx, int64_t id);

/* ---- products ---- */

/* Filters of catalog_product_list; NULL/0/false: none. Borrowed. */
struct product_query {
	const char	*q;		/* part of the name or SKU, any case */
	bool		 active_only;
	int		 limit;		/* 1..CATALOG_PAGE_MAX; 0: the default */
	const char	*cursor;	/* next_cursor of the previous page */
};

/*
 * Products by name, {"data": [...], "next_cursor": text|null}; each is
 * {id, name, sku, description, unit_id, unit, whole, price, currency,
 * tax_rate, active}. CRM_EBADQUERY for a bad limit, text or cursor.
 */
int catalog_product_list(struct core_ctx *cx, const struct product_query *q,
    json_t **out);
int catalog_product_get(struct core_ctx *cx, int64_t id, json_t **out);
/*
 * {name, sku?, description?, unit_id, price, currency, tax_rate?,
 * active?}: price an integer of minor units 0..MONEY_PRICE_MAX, currency
 * an ISO 4217 code, tax_rate a percentage ("20", "12.5" or an integer).
 */
int catalog_product_create(struct core_ctx *cx, json_t *in, json_t **out);
/* Any of the fields above; a new currency needs the price given again. */
int catalog_product_update(struct core_ctx *cx, int64_t id, json_t *in,
    json_t **out);
int catalog_product_delete(struct core_ctx *cx, int64_t id);

/* ---- price lists ---- */

/* {"data": [{id, name, currency, active, item_count}]}, by name. */
int catalog_pricelist_list(struct core_ctx *cx, json_t **out);
/* One list with "items": [{product_id, name, sku, price}] by name. */
int catalog_pricelist_get(struct core_ctx *cx, int64_t id, json_t **out);
/*
 * {name, currency, active?, items?: [{product_id, price}]}: items, when
 * given, are the whole new set of prices (each product once).
 */
int catalog_pricelist_create(struct core_ctx *cx, json_t *in, json_t **out);
int catalog_pricelist_update(struct core_ctx *cx, int64_t id, json_t *in,
    json_t **out);
int catalog_pricelist_delete(struct core_ctx *cx, int64_t id);

/* ---- for deal lines ---- */

struct catalog_unit {
	int64_t	id;
	char	name[UNIT_NAME_MAX * 4 + 1];
	bool	whole;		/* quantities must be whole numbers */
};

struct catalog_product {
	int64_t			id;
	char			name[CATALOG_NAME_BYTES];
	struct catalog_unit	unit;
	int			tax_bp;		/* basis points, 0..10000 */
	int64_t			price;		/* minor units of currency */
	char			currency[4];
	bool			active;
};

/* The unit with this id into *out; CRM_ENOTFOUND when there is none. */
int catalog_unit_info(struct core_ctx *cx, int64_t id,
    struct catalog_unit *out);
/* The product with this id (inactive too); CRM_ENOTFOUND when none. */
int catalog_product_info(struct core_ctx *cx, int64_t id,
    struct catalog_product *out);

/*
 * The price of one unit of a product in currency, in its minor units:
 * - price_list_id > 0: that list's price; CRM_EINVAL when the list is
 *   inactive, in another currency or does not hold the product;
 * - price_list_id 0: the product's own price when its currency is
 *   currency, else the price in the first active list in that currency
 *   that holds the product, else CRM_EINVAL.
 * *from_list (may be NULL) is the list the price came from, 0 for the
 * product's own. CRM_ENOTFOUND for an unknown product or list. The reason
 * of any failure is in cx->detail. Reads only; no transaction of its own.
 */
int catalog_price(struct core_ctx *cx, int64_t product_id,
    int64_t price_list_id, const char *currency, int64_t *price,
    int64_t *from_list);

/*
 * Checks and prices lines: items is an array of up to CATALOG_LINES_MAX
 * {product_id?, name?, quantity, unit_id?, price?, discount?, tax?}, all
 * in currency (a known code; the caller checks it). A line naming a
 * product takes its name, unit, tax rate and (via catalog_price with
 * price_list_id) price unless the line gives them; a line without one
 * needs a name and a price. quantity, discount and tax are decimal text
 * (or integers); a quantity of a whole unit must be whole.
 * On success *lines (new reference) holds each line as {product_id, name,
 * quantity, unit_id, unit, whole, price, discount, tax, net, tax_amount,
 * total} and *sum the totals. Bad input: CRM_EINVAL with cx->errs naming
 * "<field>[i].<key>" (field is the caller's name for the array, such as
 * "items"). Reads only.
 */
int catalog_lines(struct core_ctx *cx, const char *currency,
    int64_t price_list_id, json_t *items, const char *field, json_t **lines,
    struct money_line *sum);

/*
 * {currency, price_list_id?, items}: the lines priced by catalog_lines and
 * their totals, {currency, digits, lines, net, tax_amount, total}, with
 * nothing written. Open to anyone signed in (the deal form shows totals).
 */
int catalog_quote(struct core_ctx *cx, json_t *in, json_t **out);

#endif
