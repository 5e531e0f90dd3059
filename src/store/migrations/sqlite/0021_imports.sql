-- Imports (keep in step with pg/0021_imports.sql): a CSV or XLSX file
-- brought into one entity (core/import.h). The file lives in the documents
-- folder under its SHA-256 (hash), like a document's. status moves
-- uploaded -> checking -> checked -> running -> done | failed, and done ->
-- undone. path is the blob's absolute path (the job runner has no
-- documents folder of its own); preview the header, the first rows and the
-- sheets (JSON); mapping a JSON array of {"column", "header", "field",
-- "values"}; options the parse and dedupe choices; dry_run the last dry
-- run's counts (JSON).
CREATE TABLE imports (
	id		INTEGER PRIMARY KEY,
	entity		TEXT NOT NULL,
	status		TEXT NOT NULL,
	file_name	TEXT NOT NULL,
	hash		TEXT NOT NULL,
	path		TEXT NOT NULL,
	size		BIGINT NOT NULL,
	format		TEXT NOT NULL,
	encoding	TEXT NOT NULL DEFAULT '',
	delimiter	TEXT NOT NULL DEFAULT '',
	sheet		TEXT NOT NULL DEFAULT '',
	header_row	BIGINT NOT NULL DEFAULT 1,
	preview		TEXT NOT NULL DEFAULT '{}',
	mapping		TEXT NOT NULL DEFAULT '[]',
	options		TEXT NOT NULL DEFAULT '{}',
	source_key	TEXT NOT NULL DEFAULT '',
	dry_run		TEXT,
	rows_total	BIGINT NOT NULL DEFAULT 0,
	rows_done	BIGINT NOT NULL DEFAULT 0,
	created		BIGINT NOT NULL DEFAULT 0,
	updated		BIGINT NOT NULL DEFAULT 0,
	skipped		BIGINT NOT NULL DEFAULT 0,
	failed		BIGINT NOT NULL DEFAULT 0,
	errors_total	BIGINT NOT NULL DEFAULT 0,
	created_by	INTEGER REFERENCES users(id),
	created_at	BIGINT NOT NULL,
	started_at	BIGINT,
	finished_at	BIGINT,
	undone_at	BIGINT,
	undone_by	INTEGER REFERENCES users(id),
	error		TEXT NOT NULL DEFAULT '',
	CHECK (status IN ('uploaded', 'checking', 'checked', 'running', 'done',
	    'failed', 'undone')),
	CHECK (format IN ('csv', 'xlsx')),
	CHECK (length(hash) = 64)
);
CREATE INDEX imports_user ON imports(created_by, id);

-- One row per record an import wrote: the batch that undo walks. before
-- is the record as it was (JSON) for an update or a merge, NULL for a
-- create; version the record's version right after the import wrote it,
-- so undo restores only what nobody changed since.
CREATE TABLE import_items (
	id		INTEGER PRIMARY KEY,
	import_id	INTEGER NOT NULL REFERENCES imports(id),
	row_no		BIGINT NOT NULL,
	record_id	INTEGER NOT NULL,
	action		TEXT NOT NULL,
	version		BIGINT NOT NULL,
	before		TEXT,
	CHECK (action IN ('created', 'updated', 'merged'))
);
CREATE INDEX import_items_import ON import_items(import_id, id);

-- Bad cells of the last dry run or run, at most IMPORT_ERRORS_MAX per
-- import (imports.errors_total counts them all). kind 'skipped' is a row
-- left out on purpose (a total row), not an error.
CREATE TABLE import_errors (
	id		INTEGER PRIMARY KEY,
	import_id	INTEGER NOT NULL REFERENCES imports(id),
	row_no		BIGINT NOT NULL,
	kind		TEXT NOT NULL DEFAULT 'error',
	column_name	TEXT NOT NULL,
	value		TEXT NOT NULL,
	reason		TEXT NOT NULL
);
CREATE INDEX import_errors_import ON import_errors(import_id, id);

-- The last mapping used for a source: source_key is a hash of the
-- normalised header names, so the next file of the same shape is mapped
-- as the last one was.
CREATE TABLE import_mappings (
	id		INTEGER PRIMARY KEY,
	entity		TEXT NOT NULL,
	source_key	TEXT NOT NULL,
	mapping		TEXT NOT NULL,
	updated_at	BIGINT NOT NULL,
	UNIQUE (entity, source_key)
);
