-- The product catalog (keep in step with pg/0012_catalog.sql): units of
-- measure, products with their own price, and price lists per currency.
--
-- Money is an integer of minor units of `currency` (ISO 4217, checked by
-- the core against its table). tax_rate is in basis points: 2000 = 20 %.
-- A unit is whole (quantities are counted: pieces, licences) or decimal
-- (quantities are measured: hours, kilograms); the core refuses a
-- fractional quantity of a whole unit. Seeded rows have created_at = 0.
CREATE TABLE units (
	id		INTEGER PRIMARY KEY,
	name		TEXT NOT NULL UNIQUE,
	whole		INTEGER NOT NULL DEFAULT 1,
	created_at	BIGINT NOT NULL,
	updated_at	BIGINT NOT NULL,
	CHECK (whole IN (0, 1))
);
INSERT INTO units (name, whole, created_at, updated_at) VALUES
	('pcs', 1, 0, 0), ('licence', 1, 0, 0), ('SIM card', 1, 0, 0),
	('hour', 0, 0, 0), ('kg', 0, 0, 0), ('m', 0, 0, 0);

-- An inactive product stays readable (deal lines name it) but is not
-- offered for new lines. sku is optional and unique when given.
CREATE TABLE products (
	id		INTEGER PRIMARY KEY,
	name		TEXT NOT NULL,
	sku		TEXT UNIQUE,
	description	TEXT,
	unit_id		INTEGER NOT NULL REFERENCES units(id),
	price		BIGINT NOT NULL DEFAULT 0,
	currency	TEXT NOT NULL,
	tax_rate	INTEGER NOT NULL DEFAULT 0,
	active		INTEGER NOT NULL DEFAULT 1,
	created_at	BIGINT NOT NULL,
	created_by	INTEGER REFERENCES users(id),
	updated_at	BIGINT NOT NULL,
	updated_by	INTEGER REFERENCES users(id),
	CHECK (price >= 0),
	CHECK (tax_rate BETWEEN 0 AND 10000),
	CHECK (active IN (0, 1))
);
CREATE INDEX products_name ON products(name, id);
CREATE INDEX products_unit ON products(unit_id);

-- A price list holds prices of products in one currency (a dealer list,
-- a list in USD); a deal line may take its price from one.
CREATE TABLE price_lists (
	id		INTEGER PRIMARY KEY,
	name		TEXT NOT NULL UNIQUE,
	currency	TEXT NOT NULL,
	active		INTEGER NOT NULL DEFAULT 1,
	created_at	BIGINT NOT NULL,
	created_by	INTEGER REFERENCES users(id),
	updated_at	BIGINT NOT NULL,
	updated_by	INTEGER REFERENCES users(id),
	CHECK (active IN (0, 1))
);

CREATE TABLE price_list_items (
	id		INTEGER PRIMARY KEY,
	price_list_id	INTEGER NOT NULL REFERENCES price_lists(id),
	product_id	INTEGER NOT NULL REFERENCES products(id),
	price		BIGINT NOT NULL,
	UNIQUE (price_list_id, product_id),
	CHECK (price >= 0)
);
CREATE INDEX price_list_items_product ON price_list_items(product_id);
