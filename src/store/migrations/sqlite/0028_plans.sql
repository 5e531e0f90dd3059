-- Plans (keep in step with pg/0028_plans.sql): a target per person,
-- department or the whole company, per period (a month "2026-11", a
-- quarter "2026-Q4" or a year "2026"), for one metric (core/plans.h).
-- scope_id is a user's or a department's id, 0 for the company. Money
-- targets are minor units of the base currency, like deals.amount_base.
CREATE TABLE plans (
	id		INTEGER PRIMARY KEY,
	period		TEXT NOT NULL,
	scope		TEXT NOT NULL,
	scope_id	INTEGER NOT NULL,
	metric		TEXT NOT NULL,
	target		BIGINT NOT NULL,
	updated_at	BIGINT NOT NULL,
	updated_by	INTEGER,
	CHECK (scope IN ('user', 'department', 'company')),
	CHECK (target >= 0),
	UNIQUE (period, scope, scope_id, metric)
);
