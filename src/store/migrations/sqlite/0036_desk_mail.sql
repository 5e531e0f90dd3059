-- The service desk's mailbox (keep in step with pg/0031_desk_mail.sql).

-- desk_mailbox: the one IMAP mailbox the desk reads (id is always 1).
-- password is kept to log in and never shown. uidvalidity and last_uid
-- say how far the intake has read the folder: a UIDVALIDITY that changes
-- starts it over, and desk_mail_messages keeps that from importing a mail
-- twice. last_check_at, last_error: the outcome of the latest check.
CREATE TABLE desk_mailbox (
	id		INTEGER PRIMARY KEY,
	imap_url	TEXT,
	username	TEXT,
	password	TEXT,
	folder		TEXT NOT NULL DEFAULT 'INBOX',
	poll_seconds	INTEGER NOT NULL DEFAULT 60,
	queue_id	INTEGER,
	category	TEXT,
	enabled		INTEGER NOT NULL DEFAULT 0,
	allow_plain	INTEGER NOT NULL DEFAULT 0,
	uidvalidity	BIGINT,
	last_uid	BIGINT NOT NULL DEFAULT 0,
	last_check_at	BIGINT,
	last_ok_at	BIGINT,
	last_error	TEXT,
	imported	INTEGER NOT NULL DEFAULT 0,
	version		INTEGER NOT NULL DEFAULT 1,
	updated_at	BIGINT NOT NULL DEFAULT 0,
	CHECK (id = 1)
);

-- desk_mail_messages: every mail of a ticket's thread by its Message-ID,
-- received (direction 'in') or sent by us ('out'): replies find their
-- ticket through In-Reply-To and References here, and a mail seen once
-- is never imported again.
CREATE TABLE desk_mail_messages (
	id		INTEGER PRIMARY KEY,
	message_id	TEXT NOT NULL UNIQUE,
	ticket_id	INTEGER NOT NULL REFERENCES tickets(id),
	ticket_message_id INTEGER REFERENCES ticket_messages(id),
	direction	TEXT NOT NULL,
	uidvalidity	BIGINT,
	uid		BIGINT,
	created_at	BIGINT NOT NULL,
	CHECK (direction IN ('in', 'out'))
);
CREATE INDEX desk_mail_messages_ticket ON desk_mail_messages(ticket_id, id);

-- The threading headers of a mail the outbox sends (NULL: a plain mail).
ALTER TABLE mail_outbox ADD COLUMN message_id TEXT;
ALTER TABLE mail_outbox ADD COLUMN in_reply_to TEXT;
ALTER TABLE mail_outbox ADD COLUMN references_hdr TEXT;

-- A mail's attachments become documents of its ticket: the entity check
-- admits tickets (SQLite changes a CHECK only by rebuilding the table).
CREATE TABLE documents_new (
	id		INTEGER PRIMARY KEY,
	entity		TEXT NOT NULL,
	record_id	INTEGER NOT NULL,
	hash		TEXT NOT NULL,
	size		BIGINT NOT NULL,
	mime		TEXT NOT NULL,
	name		TEXT NOT NULL,
	created_at	BIGINT NOT NULL,
	created_by	INTEGER REFERENCES users(id),
	deleted_at	BIGINT,
	CHECK (entity IN ('companies', 'contacts', 'deals', 'activities',
	    'tickets')),
	CHECK (size > 0),
	CHECK (length(hash) = 64)
);
INSERT INTO documents_new SELECT id, entity, record_id, hash, size, mime,
	name, created_at, created_by, deleted_at FROM documents;
DROP TABLE documents;
ALTER TABLE documents_new RENAME TO documents;
CREATE INDEX documents_record ON documents(entity, record_id, created_at, id) WHERE deleted_at IS NULL;
CREATE INDEX documents_hash ON documents(hash);
