-- Notifications and mail (keep in step with pg/0015_notify.sql).
--
-- notifications: what the bell shows, one row per recipient, written in
-- the transaction of the change that caused it. entity/record_id name the
-- record it is about (for the link and for the rights check at writing).
-- read_at NULL: unread; the (user_id, read_at) index answers the count.
CREATE TABLE notifications (
	id		INTEGER PRIMARY KEY,
	user_id		INTEGER NOT NULL REFERENCES users(id),
	kind		TEXT NOT NULL,		-- reminder, assigned, unassigned
	title		TEXT NOT NULL,
	body		TEXT NOT NULL DEFAULT '',
	entity		TEXT,
	record_id	BIGINT,
	created_at	BIGINT NOT NULL,
	read_at		BIGINT
);
CREATE INDEX notifications_user ON notifications(user_id, read_at, id);

-- mail_outbox: every mail the server sends, written in the transaction of
-- the change that caused it and sent afterwards by a "mail_send" job, so a
-- restart or a mail server outage loses nothing. to_addr ("to" is an SQL
-- keyword). A mail is queued (sent_at and failed_at NULL), sent, or failed
-- (given up after the last attempt; last_error says why).
CREATE TABLE mail_outbox (
	id		INTEGER PRIMARY KEY,
	to_addr		TEXT NOT NULL,
	subject		TEXT NOT NULL,
	body		TEXT NOT NULL,
	created_at	BIGINT NOT NULL,
	attempts	INTEGER NOT NULL DEFAULT 0,
	next_attempt_at	BIGINT NOT NULL,
	sent_at		BIGINT,
	failed_at	BIGINT,
	last_error	TEXT
);
CREATE INDEX mail_outbox_pending ON mail_outbox(next_attempt_at, id) WHERE sent_at IS NULL AND failed_at IS NULL;

-- An activity's reminders: minutes before due_at (a task) or start_at (a
-- meeting), a JSON array or NULL (none); each is a job keyed by the
-- activity and the time it fires.
ALTER TABLE activities ADD COLUMN reminders TEXT;
