-- Activities (keep in step with pg/0014_activities.sql): tasks, calls,
-- meetings, emails and notes in one table, so a client's timeline and a
-- user's day each read one index.
--
-- kind is fixed at creation. owner_id is the person responsible (the
-- assignee of a task, the organiser of a meeting); participants is the
-- JSON array of the other users taking part, mirrored one row per user in
-- activity_participants so "what involves user U" is an index seek. Times
-- are ms UTC: due_at (a task's deadline), start_at/end_at (a meeting; the
-- start of a call), done_at (set when a task is done or a meeting held).
-- company_id is filled from the contact or deal when not given, so a
-- company's timeline is one seek on (company_id, created_at). checklist
-- is a JSON array of {text, done}.
CREATE TABLE activities (
	id		INTEGER PRIMARY KEY,
	kind		TEXT NOT NULL,
	subject		TEXT NOT NULL DEFAULT '',
	body		TEXT,
	status		TEXT NOT NULL,
	priority	TEXT,
	due_at		BIGINT,
	start_at	BIGINT,
	end_at		BIGINT,
	done_at		BIGINT,
	company_id	INTEGER REFERENCES companies(id),
	contact_id	INTEGER REFERENCES contacts(id),
	deal_id		INTEGER REFERENCES deals(id),
	participants	TEXT NOT NULL DEFAULT '[]',
	direction	TEXT,
	phone		TEXT,
	duration_s	BIGINT,
	result		TEXT,
	email_from	TEXT,
	email_to	TEXT NOT NULL DEFAULT '[]',
	place		TEXT,
	estimate_min	BIGINT,
	spent_min	BIGINT,
	checklist	TEXT,
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
	CHECK (kind IN ('task', 'call', 'meeting', 'email', 'note', 'chat')),
	CHECK (end_at IS NULL OR start_at IS NULL OR end_at >= start_at)
);
CREATE INDEX activities_day ON activities(owner_id, status, due_at) WHERE deleted_at IS NULL;
CREATE INDEX activities_owner_start ON activities(owner_id, start_at) WHERE deleted_at IS NULL;
CREATE INDEX activities_company ON activities(company_id, created_at, id) WHERE deleted_at IS NULL;
CREATE INDEX activities_contact ON activities(contact_id, created_at, id) WHERE deleted_at IS NULL;
CREATE INDEX activities_deal ON activities(deal_id, created_at, id) WHERE deleted_at IS NULL;
CREATE INDEX activities_start ON activities(start_at, id) WHERE deleted_at IS NULL;
CREATE INDEX activities_due ON activities(due_at, id) WHERE deleted_at IS NULL;
CREATE INDEX activities_subject ON activities(subject, id) WHERE deleted_at IS NULL;
CREATE INDEX activities_created ON activities(created_at, id) WHERE deleted_at IS NULL;
CREATE INDEX activities_updated ON activities(updated_at, id) WHERE deleted_at IS NULL;
CREATE INDEX activities_done ON activities(done_at, id) WHERE deleted_at IS NULL;
CREATE INDEX activities_deleted ON activities(deleted_at, id) WHERE deleted_at IS NOT NULL;

-- One row per participant, rewritten with the activity.
CREATE TABLE activity_participants (
	id		INTEGER PRIMARY KEY,
	activity_id	INTEGER NOT NULL REFERENCES activities(id),
	user_id		INTEGER NOT NULL REFERENCES users(id)
);
CREATE INDEX activity_participants_user ON activity_participants(user_id, activity_id);
CREATE INDEX activity_participants_activity ON activity_participants(activity_id);

CREATE VIRTUAL TABLE activities_tri USING fts5(search_text, content='activities',
	content_rowid='id', tokenize='trigram');
CREATE VIRTUAL TABLE activities_words USING fts5(search_text, content='activities',
	content_rowid='id', tokenize='unicode61 remove_diacritics 2', prefix='1 2');
CREATE TRIGGER activities_search_ins AFTER INSERT ON activities BEGIN
	INSERT INTO activities_tri(rowid, search_text) VALUES (new.id, new.search_text);
	INSERT INTO activities_words(rowid, search_text) VALUES (new.id, new.search_text);
END;
CREATE TRIGGER activities_search_del AFTER DELETE ON activities BEGIN
	INSERT INTO activities_tri(activities_tri, rowid, search_text) VALUES ('delete', old.id, old.search_text);
	INSERT INTO activities_words(activities_words, rowid, search_text) VALUES ('delete', old.id, old.search_text);
END;
CREATE TRIGGER activities_search_upd AFTER UPDATE OF search_text ON activities
WHEN old.search_text IS NOT new.search_text BEGIN
	INSERT INTO activities_tri(activities_tri, rowid, search_text) VALUES ('delete', old.id, old.search_text);
	INSERT INTO activities_words(activities_words, rowid, search_text) VALUES ('delete', old.id, old.search_text);
	INSERT INTO activities_tri(rowid, search_text) VALUES (new.id, new.search_text);
	INSERT INTO activities_words(rowid, search_text) VALUES (new.id, new.search_text);
END;
