-- A deal's line items (keep in step with pg/0013_deal_items.sql): what is
-- sold, how much, at what price. While a deal has lines its amount is the
-- sum of their totals (core/deals.c).
--
-- quantity is in thousandths of the unit (2.5 hours = 2500); price, net,
-- tax_amount and total are minor units of the deal's currency; discount
-- and tax are basis points (1250 = 12.5 %). net, tax_amount and total are
-- stored as computed when the lines were written (core/money.c), so a
-- later change of the catalog does not change a deal's history.
CREATE TABLE deal_items (
	id		INTEGER PRIMARY KEY,
	deal_id		INTEGER NOT NULL REFERENCES deals(id),
	position	INTEGER NOT NULL,
	product_id	INTEGER REFERENCES products(id),
	name		TEXT NOT NULL,
	quantity	BIGINT NOT NULL,
	unit_id		INTEGER REFERENCES units(id),
	price		BIGINT NOT NULL,
	discount	INTEGER NOT NULL DEFAULT 0,
	tax		INTEGER NOT NULL DEFAULT 0,
	net		BIGINT NOT NULL,
	tax_amount	BIGINT NOT NULL,
	total		BIGINT NOT NULL,
	CHECK (quantity > 0),
	CHECK (price >= 0),
	CHECK (discount BETWEEN 0 AND 10000),
	CHECK (tax BETWEEN 0 AND 10000)
);
CREATE INDEX deal_items_deal ON deal_items(deal_id, position);
CREATE INDEX deal_items_product ON deal_items(product_id);
CREATE INDEX deal_items_unit ON deal_items(unit_id);

-- The price list a deal's lines take their prices from (optional).
ALTER TABLE deals ADD COLUMN price_list_id INTEGER REFERENCES price_lists(id);
