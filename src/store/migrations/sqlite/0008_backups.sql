-- Backups (keep in step with pg/0008_backups.sql): one row per finished
-- backup run, good or failed, made by the server's schedule ('scheduled'),
-- an administrator's "Back up now" ('manual') or crm backup ('cli').
-- removed_at: when the schedule's retention deleted the file.
CREATE TABLE backups (
	id		INTEGER PRIMARY KEY,
	kind		TEXT NOT NULL,
	started_at	BIGINT NOT NULL,
	finished_at	BIGINT NOT NULL,
	file		TEXT NOT NULL,
	size		BIGINT,
	ok		INTEGER NOT NULL,
	error		TEXT,
	removed_at	BIGINT
);
CREATE INDEX backups_finished ON backups(finished_at);
