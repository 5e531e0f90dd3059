-- Each user's dashboard (PostgreSQL; keep in step with sqlite/0027_dashboards.sql):
-- the saved or ready reports they pinned, in order (a JSON array of report
-- ids), and how the web lays them out (a JSON object the core only bounds).
-- The ids carry no foreign key: a report deleted or no longer shared drops
-- out when the dashboard is read (core/dashboard.c), so the row never
-- blocks a report's deletion. One row per user, written on the first save.

CREATE TABLE dashboards (
	user_id		BIGINT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
	report_ids	TEXT NOT NULL DEFAULT '[]',
	layout		TEXT NOT NULL DEFAULT '{}',
	updated_at	BIGINT NOT NULL
);
