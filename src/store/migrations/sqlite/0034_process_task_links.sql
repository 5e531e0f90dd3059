-- Tasks made by a process name their step (keep in step with the other
-- dialect's 0031). process_instance_id and process_step_id (a
-- process_steps row) are set by the engine when a task or approval step
-- creates its task, and never by a client. No REFERENCES: activities are
-- copied before process_instances by migrate-db (process_steps.task_id
-- names activities), and a process row is never deleted anyway.
ALTER TABLE activities ADD COLUMN process_instance_id INTEGER;
ALTER TABLE activities ADD COLUMN process_step_id INTEGER;
CREATE INDEX activities_process ON activities(process_instance_id, id)
	WHERE process_instance_id IS NOT NULL;
