-- Currencies (keep in step with pg/0010_currencies.sql). The list of
-- currencies itself is ISO 4217, built into the program (core/currency.c).
--
-- currency_settings: one row, id 1, holding the company's base currency;
-- absent until an administrator first sets it (the program's default,
-- EUR, applies until then).
CREATE TABLE currency_settings (
	id		INTEGER PRIMARY KEY CHECK (id = 1),
	base		TEXT NOT NULL,
	updated_at	BIGINT NOT NULL DEFAULT 0,
	updated_by	INTEGER
);

-- exchange_rates: 1 unit of `currency` = rate / 10^10 units of the base
-- currency on `day` (days since 1970-01-01, UTC) and until the next row.
-- The rate is an exact decimal kept as an integer scaled by 10^10.
CREATE TABLE exchange_rates (
	id		INTEGER PRIMARY KEY,
	currency	TEXT NOT NULL,
	day		BIGINT NOT NULL,
	rate		BIGINT NOT NULL CHECK (rate > 0),
	created_at	BIGINT NOT NULL,
	created_by	INTEGER,
	updated_at	BIGINT NOT NULL,
	updated_by	INTEGER
);
CREATE UNIQUE INDEX exchange_rates_currency_day ON exchange_rates(currency, day);
CREATE INDEX exchange_rates_day ON exchange_rates(day, id);
