-- Accounts and sessions (keep in step with pg/0006_accounts.sql).
-- Sessions remember when they were last used (written at most once a
-- minute per session) for the idle timeout; tokens may expire and may be
-- read-only. Failed sign-ins are rows kept for the throttle window only,
-- per account (lower-case email, known or not) and per client address.
-- The system state is one row (id 1) every server reads; no row means normal.
ALTER TABLE sessions ADD COLUMN last_seen_at BIGINT;
ALTER TABLE api_tokens ADD COLUMN expires_at BIGINT;
ALTER TABLE api_tokens ADD COLUMN read_only INTEGER NOT NULL DEFAULT 0;

CREATE TABLE login_failures (
	id		INTEGER PRIMARY KEY,
	kind		TEXT NOT NULL,		-- 'account' or 'address'
	subject		TEXT NOT NULL,
	at		BIGINT NOT NULL
);
CREATE INDEX login_failures_subject ON login_failures(kind, subject, at);
CREATE INDEX login_failures_at ON login_failures(at);

CREATE TABLE system_state (
	id		INTEGER PRIMARY KEY CHECK (id = 1),
	state		TEXT NOT NULL DEFAULT 'normal',	-- normal, read_only, locked
	message		TEXT NOT NULL DEFAULT '',
	updated_at	BIGINT NOT NULL DEFAULT 0,
	updated_by	INTEGER
);
