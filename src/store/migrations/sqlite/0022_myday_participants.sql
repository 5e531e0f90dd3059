-- "My day" at volume, part 3 (keep in step with the other dialect's 0020).
--
-- What a user takes part in: each participation carries its activity's
-- status (NULL while the activity is in the trash) and day_at, the time
-- that places it in a day (a task's due_at, a meeting's start_at, NULL
-- for the other kinds), kept in step by core/activities.c's after_write
-- and after_trash hooks. 'open' is a status of tasks only and 'planned'
-- of meetings only, so (user_id, status, day_at) makes "the open tasks
-- and planned meetings user U takes part in, in [a, b)" two ranges of one
-- index. It was a probe of activities_live per participation: 37,000 for
-- a busy manager at 3,000,000 activities, 15 to 25 ms of each my day.
ALTER TABLE activity_participants ADD COLUMN status TEXT;
ALTER TABLE activity_participants ADD COLUMN day_at INTEGER;
UPDATE activity_participants SET
	status = (SELECT a.status FROM activities a WHERE a.id =
	    activity_participants.activity_id AND a.deleted_at IS NULL),
	day_at = (SELECT CASE a.kind WHEN 'task' THEN a.due_at WHEN 'meeting'
	    THEN a.start_at END FROM activities a WHERE a.id =
	    activity_participants.activity_id);
CREATE INDEX activity_participants_day ON activity_participants(user_id, status, day_at, activity_id);

-- A user's planned meetings with all that my day reads of them, as
-- activities_open_tasks (0019) is for open tasks: a busy manager's 1,000
-- planned meetings were 1,000 reads of their rows (10 to 25 ms).
CREATE INDEX activities_planned_meetings ON activities(owner_id, status, start_at, kind, deleted_at) WHERE deleted_at IS NULL;

-- Every task of a recurring series carries series_id, its first included
-- (core/activity_series.c); before, the first had none.
UPDATE activities SET series_id = id WHERE series_id IS NULL AND kind = 'task'
	AND (id IN (SELECT s.series_id FROM activities s WHERE s.series_id IS NOT NULL)
	OR (recurrence IS NOT NULL AND recurrence <> 'null'));
