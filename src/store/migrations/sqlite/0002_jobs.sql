-- Background work: one table of jobs, claimed with a lease so that a job
-- whose server died is taken over by another once the lease ends, and a
-- history of every attempt (job_runs) for the administrator and for
-- proving that nothing ran twice.
CREATE TABLE jobs (
	id		INTEGER PRIMARY KEY,
	kind		TEXT NOT NULL,
	payload		TEXT NOT NULL DEFAULT '{}',
	unique_key	TEXT UNIQUE,		-- one pending job per key (recurring work)
	run_at		BIGINT NOT NULL,
	attempts	INTEGER NOT NULL DEFAULT 0,
	max_attempts	INTEGER NOT NULL DEFAULT 5,
	locked_by	TEXT,
	locked_until	BIGINT,
	done_at		BIGINT,
	last_error	TEXT,
	created_at	BIGINT NOT NULL
);
CREATE INDEX jobs_due ON jobs(run_at, id) WHERE done_at IS NULL;

CREATE TABLE job_runs (
	id		INTEGER PRIMARY KEY,
	job_id		INTEGER NOT NULL REFERENCES jobs(id),
	worker		TEXT NOT NULL,
	started_at	BIGINT NOT NULL,
	finished_at	BIGINT,
	outcome		TEXT			-- done, retry, failed; NULL: never finished
);
CREATE INDEX job_runs_job ON job_runs(job_id, id);
