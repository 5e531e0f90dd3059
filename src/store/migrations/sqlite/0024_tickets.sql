-- The service desk (keep in step with pg/0024_tickets.sql): tickets, their
-- replies and internal notes, links to deals and tasks, SLA policies,
-- queues and canned responses.
--
-- A ticket is a record of the engine (common columns, rights, trash,
-- search). status moves along the transitions core/tickets.c allows.
-- The SLA clock (core/sla.h) is kept in three columns: sla_started_at (the
-- start of the running stretch), sla_used_min (working minutes used by the
-- stretches before it) and sla_paused_at (set while the ticket waits for
-- the client; the clock then stands still). response_due_at and
-- resolution_due_at follow from them and the policy; *_breached are set
-- once by the SLA jobs. received_at is when the client asked (the clock's
-- start), merged_into_id points at the ticket a duplicate went into.
CREATE TABLE queues (
	id		INTEGER PRIMARY KEY,
	name		TEXT NOT NULL UNIQUE,
	rule		TEXT NOT NULL DEFAULT 'round_robin',
	category_map	TEXT NOT NULL DEFAULT '{}',
	last_user_id	INTEGER,
	version		INTEGER NOT NULL DEFAULT 1,
	created_at	BIGINT NOT NULL,
	updated_at	BIGINT NOT NULL,
	CHECK (rule IN ('round_robin', 'least_loaded', 'by_category'))
);

CREATE TABLE queue_members (
	id		INTEGER PRIMARY KEY,
	queue_id	INTEGER NOT NULL REFERENCES queues(id),
	user_id		INTEGER NOT NULL REFERENCES users(id),
	UNIQUE (queue_id, user_id)
);
CREATE INDEX queue_members_user ON queue_members(user_id);

-- escalation: notify_owner / notify_user_ids (JSON array of ids) are told,
-- reassign_user_id or reassign_queue_id take the ticket, raise_priority
-- lifts it one step. position orders the policies: the first that matches
-- a ticket (every criterion given equal to the ticket's) is its policy.
CREATE TABLE sla_policies (
	id		INTEGER PRIMARY KEY,
	name		TEXT NOT NULL UNIQUE,
	position	INTEGER NOT NULL DEFAULT 0,
	priority	TEXT,
	category	TEXT,
	tier		TEXT,
	response_min	BIGINT NOT NULL,
	resolution_min	BIGINT NOT NULL,
	calendar_id	INTEGER REFERENCES work_calendars(id),
	warn_before_min	BIGINT NOT NULL DEFAULT 0,
	notify_owner	INTEGER NOT NULL DEFAULT 1,
	notify_user_ids	TEXT NOT NULL DEFAULT '[]',
	reassign_user_id INTEGER REFERENCES users(id),
	reassign_queue_id INTEGER REFERENCES queues(id),
	raise_priority	INTEGER NOT NULL DEFAULT 0,
	version		INTEGER NOT NULL DEFAULT 1,
	created_at	BIGINT NOT NULL,
	updated_at	BIGINT NOT NULL
);

CREATE TABLE canned_responses (
	id		INTEGER PRIMARY KEY,
	name		TEXT NOT NULL UNIQUE,
	body		TEXT NOT NULL,
	version		INTEGER NOT NULL DEFAULT 1,
	created_at	BIGINT NOT NULL,
	updated_at	BIGINT NOT NULL
);

CREATE TABLE tickets (
	id		INTEGER PRIMARY KEY,
	subject		TEXT NOT NULL DEFAULT '',
	description	TEXT,
	channel		TEXT NOT NULL DEFAULT 'web',
	category	TEXT,
	priority	TEXT NOT NULL DEFAULT 'normal',
	status		TEXT NOT NULL DEFAULT 'new',
	queue_id	INTEGER REFERENCES queues(id),
	company_id	INTEGER REFERENCES companies(id),
	contact_id	INTEGER REFERENCES contacts(id),
	email		TEXT,
	phone		TEXT,
	links		TEXT NOT NULL DEFAULT '[]',
	received_at	BIGINT,
	first_response_at BIGINT,
	resolved_at	BIGINT,
	closed_at	BIGINT,
	satisfaction	BIGINT,
	sla_policy_id	INTEGER REFERENCES sla_policies(id),
	response_due_at	BIGINT,
	resolution_due_at BIGINT,
	response_breached INTEGER NOT NULL DEFAULT 0,
	resolution_breached INTEGER NOT NULL DEFAULT 0,
	sla_started_at	BIGINT,
	sla_used_min	BIGINT NOT NULL DEFAULT 0,
	sla_paused_at	BIGINT,
	merged_into_id	BIGINT,		-- no foreign key: migrate-db copies by id, and a duplicate may point forward
	tags		TEXT NOT NULL DEFAULT '[]',
	owner_id	INTEGER REFERENCES users(id),
	custom		TEXT NOT NULL DEFAULT '{}',
	search_text	TEXT NOT NULL DEFAULT '',
	created_at	BIGINT NOT NULL,
	created_by	INTEGER REFERENCES users(id),
	updated_at	BIGINT NOT NULL,
	updated_by	INTEGER REFERENCES users(id),
	version		INTEGER NOT NULL DEFAULT 1,
	deleted_at	BIGINT,
	CHECK (status IN ('new', 'open', 'waiting', 'resolved', 'closed', 'reopened')),
	CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
	CHECK (satisfaction IS NULL OR satisfaction BETWEEN 1 AND 5)
);
CREATE INDEX tickets_status ON tickets(status, id) WHERE deleted_at IS NULL;
CREATE INDEX tickets_priority ON tickets(priority, id) WHERE deleted_at IS NULL;
CREATE INDEX tickets_owner ON tickets(owner_id, status) WHERE deleted_at IS NULL;
CREATE INDEX tickets_queue ON tickets(queue_id, status) WHERE deleted_at IS NULL;
CREATE INDEX tickets_company ON tickets(company_id, created_at, id) WHERE deleted_at IS NULL;
CREATE INDEX tickets_contact ON tickets(contact_id, created_at, id) WHERE deleted_at IS NULL;
CREATE INDEX tickets_subject ON tickets(subject, id) WHERE deleted_at IS NULL;
CREATE INDEX tickets_created ON tickets(created_at, id) WHERE deleted_at IS NULL;
CREATE INDEX tickets_updated ON tickets(updated_at, id) WHERE deleted_at IS NULL;
CREATE INDEX tickets_response_due ON tickets(response_due_at, id) WHERE deleted_at IS NULL;
CREATE INDEX tickets_resolution_due ON tickets(resolution_due_at, id) WHERE deleted_at IS NULL;
CREATE INDEX tickets_deleted ON tickets(deleted_at, id) WHERE deleted_at IS NOT NULL;

-- Public replies (seen by the client) and internal notes, oldest first.
-- The author is a user, or a contact (the client), never both.
CREATE TABLE ticket_messages (
	id		INTEGER PRIMARY KEY,
	ticket_id	INTEGER NOT NULL REFERENCES tickets(id),
	kind		TEXT NOT NULL,
	author_user_id	INTEGER REFERENCES users(id),
	author_contact_id INTEGER REFERENCES contacts(id),
	body		TEXT NOT NULL,
	created_at	BIGINT NOT NULL,
	CHECK (kind IN ('public', 'internal'))
);
CREATE INDEX ticket_messages_ticket ON ticket_messages(ticket_id, id);
CREATE INDEX ticket_messages_created ON ticket_messages(created_at, id);

-- A ticket's linked deals and tasks, mirrored from tickets.links.
CREATE TABLE ticket_links (
	id		INTEGER PRIMARY KEY,
	ticket_id	INTEGER NOT NULL REFERENCES tickets(id),
	entity		TEXT NOT NULL,
	record_id	INTEGER NOT NULL,
	CHECK (entity IN ('deals', 'activities'))
);
CREATE INDEX ticket_links_ticket ON ticket_links(ticket_id);
CREATE INDEX ticket_links_record ON ticket_links(entity, record_id);

CREATE VIRTUAL TABLE tickets_tri USING fts5(search_text, content='tickets',
	content_rowid='id', tokenize='trigram');
CREATE VIRTUAL TABLE tickets_words USING fts5(search_text, content='tickets',
	content_rowid='id', tokenize='unicode61 remove_diacritics 2', prefix='1 2');
CREATE TRIGGER tickets_search_ins AFTER INSERT ON tickets BEGIN
	INSERT INTO tickets_tri(rowid, search_text) VALUES (new.id, new.search_text);
	INSERT INTO tickets_words(rowid, search_text) VALUES (new.id, new.search_text);
END;
CREATE TRIGGER tickets_search_del AFTER DELETE ON tickets BEGIN
	INSERT INTO tickets_tri(tickets_tri, rowid, search_text) VALUES ('delete', old.id, old.search_text);
	INSERT INTO tickets_words(tickets_words, rowid, search_text) VALUES ('delete', old.id, old.search_text);
END;
CREATE TRIGGER tickets_search_upd AFTER UPDATE OF search_text ON tickets
WHEN old.search_text IS NOT new.search_text BEGIN
	INSERT INTO tickets_tri(tickets_tri, rowid, search_text) VALUES ('delete', old.id, old.search_text);
	INSERT INTO tickets_words(tickets_words, rowid, search_text) VALUES ('delete', old.id, old.search_text);
	INSERT INTO tickets_tri(rowid, search_text) VALUES (new.id, new.search_text);
	INSERT INTO tickets_words(rowid, search_text) VALUES (new.id, new.search_text);
END;
