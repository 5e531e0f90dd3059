-- Deals (keep in step with pg/0011_deals.sql): a sale in progress, always
-- in one stage of one pipeline, and the history of every stage it was in.
--
-- Money is an integer of minor units of `currency` (ISO 4217). amount_base
-- is the same amount in the base currency at the deal's rate day (the day
-- it closed, or the day of the write while it is open), kept with the row
-- so boards and reports sum it without converting; NULL when no exchange
-- rate applies. status mirrors the stage's kind (open, won, lost) so lists
-- filter on it without a join. stage_entered_at is when the deal entered
-- its current stage and stage_due_at when it must leave it (the stage's
-- time limit; kept in step when an administrator changes the limit): an
-- open deal past it is stuck. items_count > 0 means the amount is the sum
-- of the deal's line items.
CREATE TABLE deals (
	id		INTEGER PRIMARY KEY,
	title		TEXT NOT NULL DEFAULT '',
	pipeline_id	INTEGER NOT NULL REFERENCES pipelines(id),
	stage_id	INTEGER NOT NULL REFERENCES pipeline_stages(id),
	status		TEXT NOT NULL DEFAULT 'open',
	amount		BIGINT NOT NULL DEFAULT 0,
	currency	TEXT NOT NULL,
	amount_base	BIGINT,
	company_id	INTEGER REFERENCES companies(id),
	contact_ids	TEXT NOT NULL DEFAULT '[]',
	expected_close	TEXT NOT NULL DEFAULT '',	-- YYYY-MM-DD or '' (sortable)
	source		TEXT,
	lost_reason_id	INTEGER REFERENCES lost_reasons(id),
	lost_comment	TEXT,
	closed_at	BIGINT,
	stage_entered_at BIGINT NOT NULL,
	stage_due_at	BIGINT,			-- entered + the stage's time limit
	items_count	INTEGER NOT NULL DEFAULT 0,
	furthest_stage_id INTEGER,		-- the furthest funnel step reached (see below)
	notes		TEXT,
	tags		TEXT NOT NULL DEFAULT '[]',
	owner_id	INTEGER REFERENCES users(id),
	custom		TEXT NOT NULL DEFAULT '{}',
	search_text	TEXT NOT NULL DEFAULT '',
	created_at	BIGINT NOT NULL,
	created_by	INTEGER REFERENCES users(id),
	updated_at	BIGINT NOT NULL,
	updated_by	INTEGER REFERENCES users(id),
	version		INTEGER NOT NULL DEFAULT 1,
	deleted_at	BIGINT,
	CHECK (status IN ('open', 'won', 'lost')),
	CHECK (amount >= 0)
);
-- The board: the newest cards of a column in id order, and each column's
-- totals (count, amount_base, stuck) from the index alone. deleted_at is
-- there only so SQLite sees the index as covering.
CREATE INDEX deals_board ON deals(pipeline_id, stage_id, id, status, stage_due_at,
	amount_base, owner_id, deleted_at) WHERE deleted_at IS NULL;
CREATE INDEX deals_stage ON deals(stage_id, id) WHERE deleted_at IS NULL;
CREATE INDEX deals_title ON deals(title, id) WHERE deleted_at IS NULL;
CREATE INDEX deals_amount ON deals(amount, id) WHERE deleted_at IS NULL;
CREATE INDEX deals_expected_close ON deals(expected_close, id) WHERE deleted_at IS NULL;
CREATE INDEX deals_created ON deals(created_at, id) WHERE deleted_at IS NULL;
CREATE INDEX deals_updated ON deals(updated_at, id) WHERE deleted_at IS NULL;
CREATE INDEX deals_company ON deals(company_id, id);
CREATE INDEX deals_due ON deals(stage_due_at, id) WHERE deleted_at IS NULL AND status = 'open';
CREATE INDEX deals_owner ON deals(owner_id, id);
CREATE INDEX deals_deleted ON deals(deleted_at, id) WHERE deleted_at IS NOT NULL;
-- The funnel report (core/funnel.c) reads a pipeline's deals created in a
-- period from this index alone (with its filters: owner, department by
-- owner, source), already in the order it groups them by (a scan of the
-- pipeline's entries costs less than sorting a year of them).
-- furthest_stage_id is the stage of the deal's history furthest along the
-- funnel (open stages by position, then id, then won; lost is no step),
-- NULL if none: kept by core/deals.c on every stage change and when a
-- pipeline is restaged, so the report counts "reached" without reading
-- every deal's history.
CREATE INDEX deals_funnel ON deals(pipeline_id, furthest_stage_id, stage_id, status,
	lost_reason_id, created_at, amount_base, owner_id, source, deleted_at)
	WHERE deleted_at IS NULL;

-- One row per stay of a deal in a stage: entered_at, and left_at once it
-- moved on (NULL for the current stage). A deal created in a stage has a
-- first row at its creation; every stage change closes the open row and
-- adds one, in the transaction of the change.
CREATE TABLE deal_stage_history (
	id		INTEGER PRIMARY KEY,
	deal_id		INTEGER NOT NULL REFERENCES deals(id),
	pipeline_id	INTEGER NOT NULL REFERENCES pipelines(id),
	stage_id	INTEGER NOT NULL,	-- no reference: history outlives a removed stage
	entered_at	BIGINT NOT NULL,
	entered_by	INTEGER REFERENCES users(id),
	left_at		BIGINT,
	deal_created_at	BIGINT NOT NULL	-- the deal's created_at, which never changes
);
CREATE INDEX deal_stage_history_deal ON deal_stage_history(deal_id, entered_at);
CREATE INDEX deal_stage_history_pipeline ON deal_stage_history(pipeline_id, entered_at);
-- The funnel's time per stage: the completed stays of a pipeline's deals
-- created in a period, per stage, in one index range each.
CREATE INDEX deal_stage_history_cohort ON deal_stage_history(pipeline_id, stage_id,
	deal_created_at, left_at, entered_at, deal_id) WHERE left_at IS NOT NULL;

CREATE VIRTUAL TABLE deals_tri USING fts5(search_text, content='deals',
	content_rowid='id', tokenize='trigram');
CREATE VIRTUAL TABLE deals_words USING fts5(search_text, content='deals',
	content_rowid='id', tokenize='unicode61 remove_diacritics 2', prefix='1 2');
CREATE TRIGGER deals_search_ins AFTER INSERT ON deals BEGIN
	INSERT INTO deals_tri(rowid, search_text) VALUES (new.id, new.search_text);
	INSERT INTO deals_words(rowid, search_text) VALUES (new.id, new.search_text);
END;
CREATE TRIGGER deals_search_del AFTER DELETE ON deals BEGIN
	INSERT INTO deals_tri(deals_tri, rowid, search_text) VALUES ('delete', old.id, old.search_text);
	INSERT INTO deals_words(deals_words, rowid, search_text) VALUES ('delete', old.id, old.search_text);
END;
CREATE TRIGGER deals_search_upd AFTER UPDATE OF search_text ON deals
WHEN old.search_text IS NOT new.search_text BEGIN
	INSERT INTO deals_tri(deals_tri, rowid, search_text) VALUES ('delete', old.id, old.search_text);
	INSERT INTO deals_words(deals_words, rowid, search_text) VALUES ('delete', old.id, old.search_text);
	INSERT INTO deals_tri(rowid, search_text) VALUES (new.id, new.search_text);
	INSERT INTO deals_words(rowid, search_text) VALUES (new.id, new.search_text);
END;

-- A fresh database has one pipeline, so the first deal needs no setup.
INSERT INTO pipelines (name, position, archived, created_at, updated_at)
VALUES ('Sales', 0, 0, 0, 0);
INSERT INTO pipeline_stages (pipeline_id, name, position, probability,
	time_limit_days, kind, created_at, updated_at)
SELECT p.id, s.name, s.position, s.probability, s.days, s.kind, 0, 0
FROM pipelines p, (
	SELECT 'New' AS name, 0 AS position, 10 AS probability, 3 AS days, 'open' AS kind
	UNION ALL SELECT 'Qualified', 1, 25, 7, 'open'
	UNION ALL SELECT 'Proposal', 2, 50, 14, 'open'
	UNION ALL SELECT 'Negotiation', 3, 75, 14, 'open'
	UNION ALL SELECT 'Won', 4, 100, NULL, 'won'
	UNION ALL SELECT 'Lost', 5, 0, NULL, 'lost'
) s
WHERE p.name = 'Sales' AND p.created_at = 0;
