-- Deferred search indexing for bulk writes (keep in step with the other
-- dialect's 0030). A row in search_deferred names a table whose FTS5 rows
-- the writer adds itself, in one INSERT ... SELECT per chunk, instead of
-- one trigger run per inserted row (store/db.h, db_search_defer). The row
-- lives only inside the writer's transaction: it is inserted after BEGIN
-- and deleted before COMMIT, after the catch-up, so no other connection
-- ever sees it and a crash rolls it back with the chunk. The insert
-- triggers skip while it is there; the update and delete triggers are
-- unchanged (the writer catches up before it updates a row of its own).
-- Measured: the two FTS5 indexes were 60 % of an import's CPU, row by row.
CREATE TABLE search_deferred (
	id	INTEGER PRIMARY KEY,
	tbl	TEXT NOT NULL UNIQUE
);
DROP TRIGGER companies_search_ins;
CREATE TRIGGER companies_search_ins AFTER INSERT ON companies
WHEN NOT EXISTS (SELECT 1 FROM search_deferred WHERE tbl = 'companies') BEGIN
	INSERT INTO companies_tri(rowid, search_text) VALUES (new.id, new.search_text);
	INSERT INTO companies_words(rowid, search_text) VALUES (new.id, new.search_text);
END;
DROP TRIGGER contacts_search_ins;
CREATE TRIGGER contacts_search_ins AFTER INSERT ON contacts
WHEN NOT EXISTS (SELECT 1 FROM search_deferred WHERE tbl = 'contacts') BEGIN
	INSERT INTO contacts_tri(rowid, search_text) VALUES (new.id, new.search_text);
	INSERT INTO contacts_words(rowid, search_text) VALUES (new.id, new.search_text);
END;
DROP TRIGGER deals_search_ins;
CREATE TRIGGER deals_search_ins AFTER INSERT ON deals
WHEN NOT EXISTS (SELECT 1 FROM search_deferred WHERE tbl = 'deals') BEGIN
	INSERT INTO deals_tri(rowid, search_text) VALUES (new.id, new.search_text);
	INSERT INTO deals_words(rowid, search_text) VALUES (new.id, new.search_text);
END;
DROP TRIGGER activities_search_ins;
CREATE TRIGGER activities_search_ins AFTER INSERT ON activities
WHEN NOT EXISTS (SELECT 1 FROM search_deferred WHERE tbl = 'activities') BEGIN
	INSERT INTO activities_tri(rowid, search_text) VALUES (new.id, new.search_text);
	INSERT INTO activities_words(rowid, search_text) VALUES (new.id, new.search_text);
END;
DROP TRIGGER tickets_search_ins;
CREATE TRIGGER tickets_search_ins AFTER INSERT ON tickets
WHEN NOT EXISTS (SELECT 1 FROM search_deferred WHERE tbl = 'tickets') BEGIN
	INSERT INTO tickets_tri(rowid, search_text) VALUES (new.id, new.search_text);
	INSERT INTO tickets_words(rowid, search_text) VALUES (new.id, new.search_text);
END;
