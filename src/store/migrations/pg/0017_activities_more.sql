-- Activities, more (keep in step with the other dialect's 0017): calls
-- posted by a PBX, comments on activities, recurring tasks and the
-- iCalendar feed.

-- external_id: the PBX's id of a call, so a retried post finds the call
-- it already made instead of logging it twice (unique over all calls: a
-- PBX's call ids are its own, whichever user it acts as).
ALTER TABLE activities ADD COLUMN external_id TEXT;
CREATE UNIQUE INDEX activities_external ON activities(external_id) WHERE external_id IS NOT NULL;
