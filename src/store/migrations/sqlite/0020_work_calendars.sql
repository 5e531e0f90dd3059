-- Working-hours calendars and personal absences (keep in step with pg/0020_work_calendars.sql):
-- when a company works, so that deadlines, SLA clocks and workload count
-- working time (core/workcal.h). A calendar has an IANA time zone and a
-- week: `week` is JSON text, an array of seven arrays (Monday first) of
-- intervals "HH:MM-HH:MM" in the calendar's local time, sorted and not
-- overlapping ("24:00" may end a day); an empty array is a closed day. The
-- core checks it on every write. A holiday closes a day, or with `hours`
-- (the same JSON as one day of the week) shortens it; absent, null or [] is closed. A department uses
-- its own calendar, else its parent's, up to the default calendar.
-- The default ("Standard", Mon-Fri 09:00-18:00 UTC) cannot be deleted.
-- created_by / updated_by name users but carry no foreign key, so the
-- table can sit before departments and users in migrate-db's order.

CREATE TABLE work_calendars (
	id		INTEGER PRIMARY KEY,
	name		TEXT NOT NULL UNIQUE,
	tz		TEXT NOT NULL DEFAULT 'UTC',
	week		TEXT NOT NULL,
	is_default	INTEGER NOT NULL DEFAULT 0,
	version		INTEGER NOT NULL DEFAULT 1,
	created_at	BIGINT NOT NULL,
	created_by	INTEGER,
	updated_at	BIGINT NOT NULL,
	updated_by	INTEGER
);

CREATE TABLE work_holidays (
	id		INTEGER PRIMARY KEY,
	calendar_id	INTEGER NOT NULL REFERENCES work_calendars(id),
	day		TEXT NOT NULL,		-- YYYY-MM-DD, local to the calendar
	name		TEXT NOT NULL,
	hours		TEXT,			-- NULL: closed; else JSON intervals
	UNIQUE (calendar_id, day)
);

ALTER TABLE departments ADD COLUMN calendar_id INTEGER REFERENCES work_calendars(id);
CREATE INDEX departments_calendar ON departments(calendar_id);

-- Personal absences (vacation, sickness, other), whole local days from
-- from_day to to_day inclusive: the hours a person is not there, for the
-- workload against their calendar. One person's absences do not overlap.
CREATE TABLE user_absences (
	id		INTEGER PRIMARY KEY,
	user_id		INTEGER NOT NULL REFERENCES users(id),
	from_day	TEXT NOT NULL,		-- YYYY-MM-DD
	to_day		TEXT NOT NULL,		-- YYYY-MM-DD, inclusive
	kind		TEXT NOT NULL,
	note		TEXT,
	created_at	BIGINT NOT NULL,
	created_by	INTEGER,
	updated_at	BIGINT NOT NULL,
	updated_by	INTEGER,
	CHECK (kind IN ('vacation', 'sick', 'other')),
	CHECK (from_day <= to_day)
);
CREATE INDEX user_absences_user ON user_absences(user_id, from_day);

INSERT INTO work_calendars (name, tz, week, is_default, created_at, updated_at)
VALUES ('Standard', 'UTC', '[["09:00-18:00"],["09:00-18:00"],["09:00-18:00"],["09:00-18:00"],["09:00-18:00"],[],[]]', 1, 0, 0);
