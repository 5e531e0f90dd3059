-- Sales pipelines: each an ordered list of stages with a win probability,
-- an optional time limit, and the final states won and lost; and the
-- editable list of reasons a deal is lost.

CREATE TABLE pipelines (
	id		INTEGER PRIMARY KEY,
	name		TEXT NOT NULL UNIQUE,
	position	INTEGER NOT NULL DEFAULT 0,
	archived	INTEGER NOT NULL DEFAULT 0,
	created_at	BIGINT NOT NULL,
	updated_at	BIGINT NOT NULL
);

CREATE TABLE pipeline_stages (
	id		INTEGER PRIMARY KEY,
	pipeline_id	INTEGER NOT NULL REFERENCES pipelines(id),
	name		TEXT NOT NULL,
	position	INTEGER NOT NULL,
	probability	INTEGER NOT NULL DEFAULT 0,	-- percent, 0..100
	time_limit_days	INTEGER,
	kind		TEXT NOT NULL DEFAULT 'open',	-- open, won, lost
	created_at	BIGINT NOT NULL,
	updated_at	BIGINT NOT NULL,
	UNIQUE (pipeline_id, name),
	CHECK (kind IN ('open', 'won', 'lost')),
	CHECK (probability BETWEEN 0 AND 100)
);
CREATE INDEX pipeline_stages_pipeline ON pipeline_stages(pipeline_id, position);

CREATE TABLE lost_reasons (
	id		INTEGER PRIMARY KEY,
	name		TEXT NOT NULL UNIQUE,
	active		INTEGER NOT NULL DEFAULT 1,
	created_at	BIGINT NOT NULL,
	updated_at	BIGINT NOT NULL
);
