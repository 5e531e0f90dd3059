-- The first schema: users and their credentials, companies and contacts,
-- custom field definitions, tags, and the search indexes.
-- Times are BIGINT milliseconds since the epoch, UTC. Lists (emails, phones,
-- tags) and custom values are JSON text, validated by the core on write.

CREATE TABLE users (
	id		INTEGER PRIMARY KEY,
	email		TEXT NOT NULL UNIQUE,	-- stored lower-case
	name		TEXT NOT NULL,
	password_hash	TEXT NOT NULL,		-- argon2id, libsodium's encoded form
	is_admin	INTEGER NOT NULL DEFAULT 0,
	active		INTEGER NOT NULL DEFAULT 1,
	created_at	BIGINT NOT NULL,
	updated_at	BIGINT NOT NULL
);

-- Sessions and API tokens keep only a BLAKE2b hash of the secret.
CREATE TABLE sessions (
	id		INTEGER PRIMARY KEY,
	token_hash	TEXT NOT NULL UNIQUE,
	user_id		INTEGER NOT NULL REFERENCES users(id),
	created_at	BIGINT NOT NULL,
	expires_at	BIGINT NOT NULL,
	address		TEXT,
	agent		TEXT
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE api_tokens (
	id		INTEGER PRIMARY KEY,
	token_hash	TEXT NOT NULL UNIQUE,
	user_id		INTEGER NOT NULL REFERENCES users(id),
	name		TEXT NOT NULL,
	created_at	BIGINT NOT NULL,
	revoked_at	BIGINT
);
CREATE INDEX api_tokens_user ON api_tokens(user_id);

CREATE TABLE companies (
	id		INTEGER PRIMARY KEY,
	name		TEXT NOT NULL,
	legal_name	TEXT,
	tax_id		TEXT,
	website		TEXT,
	emails		TEXT NOT NULL DEFAULT '[]',
	phones		TEXT NOT NULL DEFAULT '[]',
	address		TEXT,
	industry	TEXT,
	source		TEXT,
	notes		TEXT,
	tags		TEXT NOT NULL DEFAULT '[]',
	owner_id	INTEGER REFERENCES users(id),
	custom		TEXT NOT NULL DEFAULT '{}',
	search_text	TEXT NOT NULL DEFAULT '',
	created_at	BIGINT NOT NULL,
	created_by	INTEGER REFERENCES users(id),
	updated_at	BIGINT NOT NULL,
	updated_by	INTEGER REFERENCES users(id),
	version		INTEGER NOT NULL DEFAULT 1,
	deleted_at	BIGINT
);
CREATE INDEX companies_name ON companies(name, id) WHERE deleted_at IS NULL;
CREATE INDEX companies_created ON companies(created_at, id) WHERE deleted_at IS NULL;
CREATE INDEX companies_updated ON companies(updated_at, id) WHERE deleted_at IS NULL;
CREATE INDEX companies_owner ON companies(owner_id, id);
CREATE INDEX companies_tax_id ON companies(tax_id);
CREATE INDEX companies_deleted ON companies(deleted_at, id) WHERE deleted_at IS NOT NULL;

CREATE TABLE contacts (
	id		INTEGER PRIMARY KEY,
	first_name	TEXT NOT NULL DEFAULT '',
	last_name	TEXT NOT NULL DEFAULT '',
	middle_name	TEXT,
	position	TEXT,
	emails		TEXT NOT NULL DEFAULT '[]',
	phones		TEXT NOT NULL DEFAULT '[]',
	company_id	INTEGER REFERENCES companies(id),
	address		TEXT,
	birthday	TEXT,			-- YYYY-MM-DD
	source		TEXT,
	notes		TEXT,
	tags		TEXT NOT NULL DEFAULT '[]',
	owner_id	INTEGER REFERENCES users(id),
	custom		TEXT NOT NULL DEFAULT '{}',
	search_text	TEXT NOT NULL DEFAULT '',
	created_at	BIGINT NOT NULL,
	created_by	INTEGER REFERENCES users(id),
	updated_at	BIGINT NOT NULL,
	updated_by	INTEGER REFERENCES users(id),
	version		INTEGER NOT NULL DEFAULT 1,
	deleted_at	BIGINT
);
CREATE INDEX contacts_last_name ON contacts(last_name, id) WHERE deleted_at IS NULL;
CREATE INDEX contacts_first_name ON contacts(first_name, id) WHERE deleted_at IS NULL;
CREATE INDEX contacts_created ON contacts(created_at, id) WHERE deleted_at IS NULL;
CREATE INDEX contacts_updated ON contacts(updated_at, id) WHERE deleted_at IS NULL;
CREATE INDEX contacts_company ON contacts(company_id, id);
CREATE INDEX contacts_owner ON contacts(owner_id, id);
CREATE INDEX contacts_deleted ON contacts(deleted_at, id) WHERE deleted_at IS NOT NULL;

-- One row per tag on a record, for filtering; the record's tags column is
-- the same list for reading.
CREATE TABLE record_tags (
	entity		TEXT NOT NULL,
	record_id	INTEGER NOT NULL,
	tag		TEXT NOT NULL,
	PRIMARY KEY (entity, tag, record_id)
);
CREATE INDEX record_tags_record ON record_tags(entity, record_id);

CREATE TABLE custom_fields (
	id		INTEGER PRIMARY KEY,
	entity		TEXT NOT NULL,
	name		TEXT NOT NULL,
	label		TEXT NOT NULL,
	type		TEXT NOT NULL,
	required	INTEGER NOT NULL DEFAULT 0,
	options		TEXT NOT NULL DEFAULT '[]',
	position	INTEGER NOT NULL DEFAULT 0,
	created_at	BIGINT NOT NULL,
	updated_at	BIGINT NOT NULL,
	UNIQUE (entity, name)
);

-- Search: a trigram index finds any substring of three or more characters;
-- a word index with prefix tables finds one- and two-character word starts
-- (Japanese surnames are often two characters). Both index search_text.
CREATE VIRTUAL TABLE companies_tri USING fts5(search_text, content='companies',
	content_rowid='id', tokenize='trigram');
CREATE VIRTUAL TABLE companies_words USING fts5(search_text, content='companies',
	content_rowid='id', tokenize='unicode61 remove_diacritics 2', prefix='1 2');
CREATE VIRTUAL TABLE contacts_tri USING fts5(search_text, content='contacts',
	content_rowid='id', tokenize='trigram');
CREATE VIRTUAL TABLE contacts_words USING fts5(search_text, content='contacts',
	content_rowid='id', tokenize='unicode61 remove_diacritics 2', prefix='1 2');

CREATE TRIGGER companies_search_ins AFTER INSERT ON companies BEGIN
	INSERT INTO companies_tri(rowid, search_text) VALUES (new.id, new.search_text);
	INSERT INTO companies_words(rowid, search_text) VALUES (new.id, new.search_text);
END;
CREATE TRIGGER companies_search_del AFTER DELETE ON companies BEGIN
	INSERT INTO companies_tri(companies_tri, rowid, search_text) VALUES ('delete', old.id, old.search_text);
	INSERT INTO companies_words(companies_words, rowid, search_text) VALUES ('delete', old.id, old.search_text);
END;
CREATE TRIGGER companies_search_upd AFTER UPDATE OF search_text ON companies
WHEN old.search_text IS NOT new.search_text BEGIN
	INSERT INTO companies_tri(companies_tri, rowid, search_text) VALUES ('delete', old.id, old.search_text);
	INSERT INTO companies_words(companies_words, rowid, search_text) VALUES ('delete', old.id, old.search_text);
	INSERT INTO companies_tri(rowid, search_text) VALUES (new.id, new.search_text);
	INSERT INTO companies_words(rowid, search_text) VALUES (new.id, new.search_text);
END;
CREATE TRIGGER contacts_search_ins AFTER INSERT ON contacts BEGIN
	INSERT INTO contacts_tri(rowid, search_text) VALUES (new.id, new.search_text);
	INSERT INTO contacts_words(rowid, search_text) VALUES (new.id, new.search_text);
END;
CREATE TRIGGER contacts_search_del AFTER DELETE ON contacts BEGIN
	INSERT INTO contacts_tri(contacts_tri, rowid, search_text) VALUES ('delete', old.id, old.search_text);
	INSERT INTO contacts_words(contacts_words, rowid, search_text) VALUES ('delete', old.id, old.search_text);
END;
CREATE TRIGGER contacts_search_upd AFTER UPDATE OF search_text ON contacts
WHEN old.search_text IS NOT new.search_text BEGIN
	INSERT INTO contacts_tri(contacts_tri, rowid, search_text) VALUES ('delete', old.id, old.search_text);
	INSERT INTO contacts_words(contacts_words, rowid, search_text) VALUES ('delete', old.id, old.search_text);
	INSERT INTO contacts_tri(rowid, search_text) VALUES (new.id, new.search_text);
	INSERT INTO contacts_words(rowid, search_text) VALUES (new.id, new.search_text);
END;
