-- "My day" at volume (keep in step with the other dialect's 0019): a
-- user's open tasks with all that my day reads of them (core/activity_day.c),
-- so the thousands a busy manager has are read from this index alone, not
-- from their rows: owner, status and due_at to find them, kind to check
-- them, deleted_at because SQLite counts a column only named in the partial
-- index's WHERE as one it must read from the row. At 3,000,000 activities
-- a busy manager's 6,700 open tasks of the day's range take 3 ms so, where
-- reading their rows made about 30.
CREATE INDEX activities_open_tasks ON activities(owner_id, status, due_at, kind, deleted_at) WHERE deleted_at IS NULL;
