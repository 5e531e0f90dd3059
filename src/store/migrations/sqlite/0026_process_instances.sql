-- Running business processes (issue 10, the engine): an instance of a
-- template version on one record, and its steps as they are entered. A
-- step that waits (a task, an approval, a wait) has status 'waiting'
-- until the one conditional UPDATE that ends it; its timers (a deadline,
-- the end of a wait) are rows of the jobs table (kind 'process_timer'),
-- so they survive restarts and are claimed once (core/jobs.h).

CREATE TABLE process_instances (
	id		INTEGER PRIMARY KEY,
	template_id	INTEGER NOT NULL REFERENCES process_templates(id),
	version		INTEGER NOT NULL,
	entity		TEXT NOT NULL,
	record_id	BIGINT NOT NULL,
	status		TEXT NOT NULL DEFAULT 'running',
	current_step	TEXT,			-- the step id it is at, NULL when finished
	started_by	BIGINT REFERENCES users(id),	-- NULL: a trigger
	owner_id	BIGINT REFERENCES users(id),	-- the process owner
	parent_id	BIGINT REFERENCES process_instances(id),
	depth		INTEGER NOT NULL DEFAULT 0,	-- started by a process: +1
	error		TEXT,
	started_at	BIGINT NOT NULL,
	finished_at	BIGINT,
	CHECK (status IN ('running', 'completed', 'cancelled', 'failed'))
);
CREATE INDEX process_instances_status ON process_instances(status, template_id);
CREATE INDEX process_instances_record ON process_instances(entity, record_id);

CREATE TABLE process_steps (
	id		INTEGER PRIMARY KEY,
	instance_id	INTEGER NOT NULL REFERENCES process_instances(id),
	step_id		TEXT NOT NULL,
	kind		TEXT NOT NULL,
	name		TEXT NOT NULL,
	status		TEXT NOT NULL DEFAULT 'waiting',
	assignee_id	BIGINT REFERENCES users(id),
	task_id		BIGINT,			-- the activity made for it
	started_at	BIGINT NOT NULL,
	due_at		BIGINT,			-- the deadline, NULL: none
	wake_at		BIGINT,			-- a wait's end, NULL: none
	overdue_at	BIGINT,			-- when the deadline passed
	done_at		BIGINT,
	outcome		TEXT,			-- approve/reject, the branch taken, an error
	comment		TEXT,
	done_by		BIGINT REFERENCES users(id),
	CHECK (status IN ('waiting', 'done', 'skipped', 'failed', 'cancelled'))
);
CREATE INDEX process_steps_instance ON process_steps(instance_id, id);
CREATE INDEX process_steps_task ON process_steps(task_id);
CREATE INDEX process_steps_waiting ON process_steps(status, assignee_id);
