-- Kept tallies for the ready reports data_completeness and
-- activity_by_manager (keep in step with
-- the other dialect's 0038_report_tallies.sql; docs/reports.md "Kept
-- tallies"). Counting a million contacts or activities on every run takes
-- seconds; the counts per owner and source or day, kept by triggers in the
-- writing transaction, are a few thousand rows.
--
-- contact_tally: of the contacts not in the trash, per owner (0: none) and
-- source ('' for none or empty: a source filter is never empty), how many,
-- and how many have no phone and no email (the list column NULL, empty or
-- "[]", as the report tests). A row left at zero stays; the report skips it.
CREATE TABLE contact_tally (
	id		INTEGER PRIMARY KEY,
	owner_id	INTEGER NOT NULL,
	source		TEXT NOT NULL,
	contacts	INTEGER NOT NULL,
	no_phone	INTEGER NOT NULL,
	no_email	INTEGER NOT NULL,
	UNIQUE (owner_id, source)
);

INSERT INTO contact_tally (owner_id, source, contacts, no_phone, no_email)
SELECT COALESCE(owner_id, 0), COALESCE(source, ''), COUNT(*),
	SUM(CASE WHEN phones IS NULL OR phones IN ('', '[]') THEN 1 ELSE 0 END),
	SUM(CASE WHEN emails IS NULL OR emails IN ('', '[]') THEN 1 ELSE 0 END)
FROM contacts WHERE deleted_at IS NULL
GROUP BY COALESCE(owner_id, 0), COALESCE(source, '');

CREATE TRIGGER contacts_tally_ins AFTER INSERT ON contacts
WHEN new.deleted_at IS NULL BEGIN
	INSERT INTO contact_tally (owner_id, source, contacts, no_phone,
		no_email)
	VALUES (COALESCE(new.owner_id, 0), COALESCE(new.source, ''), 1,
		CASE WHEN new.phones IS NULL OR new.phones IN ('', '[]') THEN 1
		ELSE 0 END,
		CASE WHEN new.emails IS NULL OR new.emails IN ('', '[]') THEN 1
		ELSE 0 END)
	ON CONFLICT (owner_id, source) DO UPDATE SET
		contacts = contacts + 1,
		no_phone = no_phone + excluded.no_phone,
		no_email = no_email + excluded.no_email;
END;

CREATE TRIGGER contacts_tally_del AFTER DELETE ON contacts
WHEN old.deleted_at IS NULL BEGIN
	UPDATE contact_tally SET contacts = contacts - 1,
		no_phone = no_phone - CASE WHEN old.phones IS NULL OR
		old.phones IN ('', '[]') THEN 1 ELSE 0 END,
		no_email = no_email - CASE WHEN old.emails IS NULL OR
		old.emails IN ('', '[]') THEN 1 ELSE 0 END
	WHERE owner_id = COALESCE(old.owner_id, 0) AND
		source = COALESCE(old.source, '');
END;

-- Only when a counted column or the trash state changes: most updates
-- (a name, a note) leave the tally alone.
CREATE TRIGGER contacts_tally_upd AFTER UPDATE ON contacts
WHEN old.owner_id IS NOT new.owner_id OR old.source IS NOT new.source OR
	old.phones IS NOT new.phones OR old.emails IS NOT new.emails OR
	(old.deleted_at IS NULL) <> (new.deleted_at IS NULL) BEGIN
	UPDATE contact_tally SET contacts = contacts - 1,
		no_phone = no_phone - CASE WHEN old.phones IS NULL OR
		old.phones IN ('', '[]') THEN 1 ELSE 0 END,
		no_email = no_email - CASE WHEN old.emails IS NULL OR
		old.emails IN ('', '[]') THEN 1 ELSE 0 END
	WHERE old.deleted_at IS NULL AND owner_id = COALESCE(old.owner_id, 0)
		AND source = COALESCE(old.source, '');
	INSERT INTO contact_tally (owner_id, source, contacts, no_phone,
		no_email)
	SELECT COALESCE(new.owner_id, 0), COALESCE(new.source, ''), 1,
		CASE WHEN new.phones IS NULL OR new.phones IN ('', '[]') THEN 1
		ELSE 0 END,
		CASE WHEN new.emails IS NULL OR new.emails IN ('', '[]') THEN 1
		ELSE 0 END
	WHERE new.deleted_at IS NULL
	ON CONFLICT (owner_id, source) DO UPDATE SET
		contacts = contacts + 1,
		no_phone = no_phone + excluded.no_phone,
		no_email = no_email + excluded.no_email;
END;

-- activity_tally: of the activities not in the trash, per owner (0: none)
-- and UTC day of created_at (created_at / 86400000), how many, and how
-- many are calls, meetings and done tasks. The report reads whole days
-- from here and the rows of the partial days at its period's ends, so a
-- period in any zone is counted exactly.
CREATE TABLE activity_tally (
	id		INTEGER PRIMARY KEY,
	owner_id	INTEGER NOT NULL,
	day		INTEGER NOT NULL,
	activities	INTEGER NOT NULL,
	calls		INTEGER NOT NULL,
	meetings	INTEGER NOT NULL,
	tasks_done	INTEGER NOT NULL,
	UNIQUE (owner_id, day)
);

INSERT INTO activity_tally (owner_id, day, activities, calls, meetings,
	tasks_done)
SELECT COALESCE(owner_id, 0), created_at / 86400000, COUNT(*),
	SUM(CASE WHEN kind = 'call' THEN 1 ELSE 0 END),
	SUM(CASE WHEN kind = 'meeting' THEN 1 ELSE 0 END),
	SUM(CASE WHEN kind = 'task' AND status = 'done' THEN 1 ELSE 0 END)
FROM activities WHERE deleted_at IS NULL
GROUP BY COALESCE(owner_id, 0), created_at / 86400000;

CREATE TRIGGER activities_tally_ins AFTER INSERT ON activities
WHEN new.deleted_at IS NULL BEGIN
	INSERT INTO activity_tally (owner_id, day, activities, calls, meetings,
		tasks_done)
	VALUES (COALESCE(new.owner_id, 0), new.created_at / 86400000, 1,
		CASE WHEN new.kind = 'call' THEN 1 ELSE 0 END,
		CASE WHEN new.kind = 'meeting' THEN 1 ELSE 0 END,
		CASE WHEN new.kind = 'task' AND new.status = 'done' THEN 1 ELSE 0
		END)
	ON CONFLICT (owner_id, day) DO UPDATE SET
		activities = activities + 1,
		calls = calls + excluded.calls,
		meetings = meetings + excluded.meetings,
		tasks_done = tasks_done + excluded.tasks_done;
END;

CREATE TRIGGER activities_tally_del AFTER DELETE ON activities
WHEN old.deleted_at IS NULL BEGIN
	UPDATE activity_tally SET activities = activities - 1,
		calls = calls - CASE WHEN old.kind = 'call' THEN 1 ELSE 0 END,
		meetings = meetings - CASE WHEN old.kind = 'meeting' THEN 1 ELSE 0
		END,
		tasks_done = tasks_done - CASE WHEN old.kind = 'task' AND
		old.status = 'done' THEN 1 ELSE 0 END
	WHERE owner_id = COALESCE(old.owner_id, 0) AND
		day = old.created_at / 86400000;
END;

CREATE TRIGGER activities_tally_upd AFTER UPDATE ON activities
WHEN old.owner_id IS NOT new.owner_id OR old.kind IS NOT new.kind OR
	old.status IS NOT new.status OR old.created_at IS NOT new.created_at OR
	(old.deleted_at IS NULL) <> (new.deleted_at IS NULL) BEGIN
	UPDATE activity_tally SET activities = activities - 1,
		calls = calls - CASE WHEN old.kind = 'call' THEN 1 ELSE 0 END,
		meetings = meetings - CASE WHEN old.kind = 'meeting' THEN 1 ELSE 0
		END,
		tasks_done = tasks_done - CASE WHEN old.kind = 'task' AND
		old.status = 'done' THEN 1 ELSE 0 END
	WHERE old.deleted_at IS NULL AND owner_id = COALESCE(old.owner_id, 0)
		AND day = old.created_at / 86400000;
	INSERT INTO activity_tally (owner_id, day, activities, calls, meetings,
		tasks_done)
	SELECT COALESCE(new.owner_id, 0), new.created_at / 86400000, 1,
		CASE WHEN new.kind = 'call' THEN 1 ELSE 0 END,
		CASE WHEN new.kind = 'meeting' THEN 1 ELSE 0 END,
		CASE WHEN new.kind = 'task' AND new.status = 'done' THEN 1 ELSE 0
		END
	WHERE new.deleted_at IS NULL
	ON CONFLICT (owner_id, day) DO UPDATE SET
		activities = activities + 1,
		calls = calls + excluded.calls,
		meetings = meetings + excluded.meetings,
		tasks_done = tasks_done + excluded.tasks_done;
END;

-- The open tasks past due, which activity_by_manager counts row by row
-- (overdue depends on now, so no tally holds it): a range of due_at over
-- the open tasks alone, with what the reports test beside it (kind and
-- status too: overdue_tasks_by_person binds them, and reads them back).
CREATE INDEX activities_open_due ON activities(due_at, created_at, owner_id,
	kind, status)
WHERE deleted_at IS NULL AND kind = 'task' AND status = 'open';
