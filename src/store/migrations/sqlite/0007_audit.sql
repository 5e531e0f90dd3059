-- The audit log: append-only, each entry hashed together with the one
-- before it (core/audit.c), ids without gaps; and the signed checkpoints
-- of the chain's head. Nothing in the application updates or deletes here.

CREATE TABLE audit_log (
	id		INTEGER PRIMARY KEY,	-- the previous entry's id + 1
	at		BIGINT NOT NULL,
	actor_id	INTEGER,		-- NULL: the system, or nobody signed in
	actor_email	TEXT,			-- as it was then
	action		TEXT NOT NULL,		-- "record.update", "auth.login_failed"
	entity		TEXT,
	record_id	INTEGER,
	address		TEXT,
	agent		TEXT,
	detail		TEXT NOT NULL DEFAULT '{}',
	prev_hash	TEXT NOT NULL,
	hash		TEXT NOT NULL
);
CREATE INDEX audit_log_at ON audit_log(at, id);
CREATE INDEX audit_log_record ON audit_log(entity, record_id, id);
CREATE INDEX audit_log_actor ON audit_log(actor_id, id);
CREATE INDEX audit_log_action ON audit_log(action, id);

CREATE TABLE audit_checkpoints (
	id		INTEGER PRIMARY KEY,
	at		BIGINT NOT NULL,
	last_id		INTEGER NOT NULL,
	last_hash	TEXT NOT NULL,
	signature	TEXT NOT NULL		-- Ed25519, hex
);

-- Entries moved to an archive file and removed here: the chain continues
-- at last_id + 1, whose prev_hash is last_hash; signed like a checkpoint.
CREATE TABLE audit_archives (
	id		INTEGER PRIMARY KEY,
	at		BIGINT NOT NULL,
	first_id	INTEGER NOT NULL,
	last_id		INTEGER NOT NULL,
	last_hash	TEXT NOT NULL,
	file		TEXT NOT NULL,
	signature	TEXT NOT NULL
);
