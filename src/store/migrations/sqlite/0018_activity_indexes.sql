-- Activities at volume (keep in step with the other dialect's 0018): a
-- user's planned meetings by time, for "my day" (core/activity_day.c).
-- activities_owner_start holds every call and meeting the user ever had,
-- so the overdue bucket (planned meetings before today) read all of them;
-- with the status in the key it is a range over the planned ones only,
-- as activities_day is for open tasks.
CREATE INDEX activities_owner_status_start ON activities(owner_id, status, start_at) WHERE deleted_at IS NULL;


-- The activities still to do (open tasks, planned meetings): a few per
-- cent of all. "My day" checks what a user takes part in against it, so
-- the many past meetings of a busy participant cost an index probe each
-- instead of a read of their rows (core/activity_day.c; the query repeats
-- this predicate word for word).
CREATE INDEX activities_live ON activities(id) WHERE deleted_at IS NULL AND status IN ('open', 'planned');
