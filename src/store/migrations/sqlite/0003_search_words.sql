-- Keeps the versions of both dialects in step: PostgreSQL's 0003 adds a
-- stored search column; SQLite's FTS5 tables already play that part.
SELECT 1;
