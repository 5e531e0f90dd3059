-- Documents (keep in step with pg/0016_documents.sql): files attached to a
-- company, contact, deal or activity. The bytes live outside the database
-- in the documents folder under their SHA-256 (hash, 64 hex digits); a row
-- names one such blob, and several rows may name the same one. name is the
-- cleaned display name (it never reaches the file system), mime the type
-- sniffed from the bytes. A deleted document goes to the trash
-- (deleted_at); its blob stays (see core/documents.h).
CREATE TABLE documents (
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
	CHECK (entity IN ('companies', 'contacts', 'deals', 'activities')),
	CHECK (size > 0),
	CHECK (length(hash) = 64)
);
CREATE INDEX documents_record ON documents(entity, record_id, created_at, id) WHERE deleted_at IS NULL;
CREATE INDEX documents_hash ON documents(hash);
