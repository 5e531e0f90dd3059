-- KPI scorecards (keep in step with pg/0031_kpi.sql; core/kpi.h).
-- A scorecard applies to listed people (user_ids, a JSON array), a
-- department and everything below it, or a role; its lines (metric,
-- target, weight, rule and the rule's cap, worst value or bands) are one
-- JSON array, checked by the core on every write. Deleting one sets
-- deleted_at: the results frozen under it stay.
CREATE TABLE kpi_scorecards (
	id		INTEGER PRIMARY KEY,
	name		TEXT NOT NULL,
	applies		TEXT NOT NULL,
	user_ids	TEXT NOT NULL DEFAULT '[]',
	department_id	INTEGER REFERENCES departments(id),
	role_id		INTEGER REFERENCES roles(id),
	period_kind	TEXT NOT NULL,
	lines		TEXT NOT NULL DEFAULT '[]',
	created_at	BIGINT NOT NULL,
	created_by	INTEGER REFERENCES users(id),
	updated_at	BIGINT NOT NULL,
	updated_by	INTEGER REFERENCES users(id),
	version		INTEGER NOT NULL DEFAULT 1,
	deleted_at	BIGINT,
	CHECK (applies IN ('users', 'department', 'role')),
	CHECK (period_kind IN ('month', 'quarter', 'year'))
);
-- A person's results of a closed period, frozen: the total and the lines
-- as they were explained at closing (JSON). A row here is what "closed"
-- means for that person and period; reopening deletes the rows.
CREATE TABLE kpi_results (
	id		INTEGER PRIMARY KEY,
	scorecard_id	INTEGER NOT NULL REFERENCES kpi_scorecards(id),
	period		TEXT NOT NULL,
	user_id		INTEGER NOT NULL REFERENCES users(id),
	total_bp	BIGINT,
	lines		TEXT NOT NULL,
	closed_at	BIGINT NOT NULL,
	closed_by	INTEGER REFERENCES users(id),
	UNIQUE (scorecard_id, period, user_id)
);
