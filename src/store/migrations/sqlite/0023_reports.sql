-- Saved reports and their shares (SQLite; keep in step with pg/0023_reports.sql).
-- A report's definition is a description in the language of docs/reports.md
-- (JSON text), checked by the core on every write and run. The library's
-- ready reports are rows with a `builtin` key (seeded here, created_at 0):
-- their definitions live in the code (core/reports.c), keyed by it, so a
-- new release improves them in place. A share names a user or a
-- department (its members and heads), never both. created_by / updated_by
-- name users without a foreign key, as work_calendars.

CREATE TABLE reports (
	id		INTEGER PRIMARY KEY,
	name		TEXT NOT NULL,
	description	TEXT NOT NULL DEFAULT '',
	definition	TEXT NOT NULL DEFAULT '{}',
	owner_id	INTEGER REFERENCES users(id),	-- NULL for the library's
	builtin		TEXT UNIQUE,
	version		INTEGER NOT NULL DEFAULT 1,
	created_at	BIGINT NOT NULL,
	created_by	INTEGER,
	updated_at	BIGINT NOT NULL,
	updated_by	INTEGER
);
CREATE INDEX reports_owner ON reports (owner_id);

CREATE TABLE report_shares (
	id		INTEGER PRIMARY KEY,
	report_id	INTEGER NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
	user_id		INTEGER REFERENCES users(id),
	department_id	INTEGER REFERENCES departments(id),
	CHECK ((user_id IS NULL) <> (department_id IS NULL))
);
CREATE INDEX report_shares_report ON report_shares (report_id);
CREATE INDEX report_shares_user ON report_shares (user_id);
CREATE INDEX report_shares_department ON report_shares (department_id);

INSERT INTO reports (name, builtin, created_at, updated_at) VALUES
	('Revenue by month', 'revenue_by_month', 0, 0),
	('Revenue by source', 'revenue_by_source', 0, 0),
	('Revenue by manager', 'revenue_by_manager', 0, 0),
	('Revenue by department', 'revenue_by_department', 0, 0),
	('Won and lost, with reasons', 'won_lost_reasons', 0, 0),
	('Average deal size and sales cycle', 'deal_size_cycle', 0, 0),
	('Pipeline by expected close month', 'pipeline_by_close_month', 0, 0),
	('Activity by manager', 'activity_by_manager', 0, 0),
	('New clients by source', 'new_clients_by_source', 0, 0),
	('Clients with no contact for N days', 'clients_no_contact', 0, 0),
	('Overdue tasks by person', 'overdue_tasks_by_person', 0, 0),
	('Data completeness by manager', 'data_completeness', 0, 0);
