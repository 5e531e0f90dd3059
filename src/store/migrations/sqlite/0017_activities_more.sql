-- Activities, more (keep in step with the other dialect's 0017): calls
-- posted by a PBX, comments on activities, recurring tasks and the
-- iCalendar feed.

-- external_id: the PBX's id of a call, so a retried post finds the call
-- it already made instead of logging it twice (unique over all calls: a
-- PBX's call ids are its own, whichever user it acts as).
ALTER TABLE activities ADD COLUMN external_id TEXT;
CREATE UNIQUE INDEX activities_external ON activities(external_id) WHERE external_id IS NOT NULL;

-- Comments on an activity, oldest first on its record. Deleting one sets
-- deleted_at (the audit log keeps who removed what).
CREATE TABLE activity_comments (
	id		INTEGER PRIMARY KEY,
	activity_id	INTEGER NOT NULL REFERENCES activities(id),
	user_id		INTEGER REFERENCES users(id),
	body		TEXT NOT NULL,
	created_at	BIGINT NOT NULL,
	deleted_at	BIGINT
);
CREATE INDEX activity_comments_activity ON activity_comments(activity_id, id) WHERE deleted_at IS NULL;

-- Recurring tasks: recurrence is the rule as JSON {freq, interval, until,
-- count}; series_id names the first task of the series on the tasks made
-- from it when one was completed (NULL on the first).
ALTER TABLE activities ADD COLUMN recurrence TEXT;
ALTER TABLE activities ADD COLUMN series_id INTEGER REFERENCES activities(id);
CREATE INDEX activities_series ON activities(series_id, id) WHERE series_id IS NOT NULL;

-- Secret iCalendar feed addresses, one live per user: only a BLAKE2b hash
-- of the secret is kept (as for API tokens), so the table does not hand
-- out anyone's calendar. Revoking sets revoked_at.
CREATE TABLE calendar_feeds (
	id		INTEGER PRIMARY KEY,
	user_id		INTEGER NOT NULL REFERENCES users(id),
	secret_hash	TEXT NOT NULL UNIQUE,
	created_at	BIGINT NOT NULL,
	revoked_at	BIGINT
);
CREATE INDEX calendar_feeds_user ON calendar_feeds(user_id) WHERE revoked_at IS NULL;
