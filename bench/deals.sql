-- Deals for the benchmark, generated in SQL (bench/run.sh runs it with the
-- sqlite3 shell on a migrated copy of the bench database, replacing
-- @DEALS@ with the number of deals). Not through the API: 300,000 deals
-- with their histories take seconds this way.
--
-- Three pipelines (the fresh database's Sales with 4 open stages, and
-- Enterprise with 5, Renewals with 2), deals created evenly over the last
-- three years, owned by the admin and the eight bench managers, from five
-- sources, in EUR (the base currency), USD and GBP (rates fixed here) and
-- JPY (no rate: amount_base NULL). Each deal walks its pipeline's open
-- stages from the first up to a random one (1 to 4 stays; a fifth of those
-- going past the second stage skip it), then is won (25 %), lost with one
-- of five reasons (35 %) or still open: 1 to 5 stays, 2.9 on average.
-- A stay lasts 1 to 14 days, shortened for young deals so every history
-- ends before now.
PRAGMA temp_store = MEMORY;
BEGIN;

INSERT INTO pipelines (name, position, archived, created_at, updated_at)
VALUES ('Enterprise', 1, 0, 0, 0), ('Renewals', 2, 0, 0, 0);
INSERT INTO pipeline_stages (pipeline_id, name, position, probability,
	time_limit_days, kind, created_at, updated_at)
SELECT p.id, s.name, s.position, s.probability, s.days, s.kind, 0, 0
FROM pipelines p JOIN (
	SELECT 'Enterprise' AS pipe, 'Lead' AS name, 0 AS position, 5 AS probability, 7 AS days, 'open' AS kind
	UNION ALL SELECT 'Enterprise', 'Discovery', 1, 15, 14, 'open'
	UNION ALL SELECT 'Enterprise', 'Demo', 2, 30, 14, 'open'
	UNION ALL SELECT 'Enterprise', 'Proposal', 3, 50, 21, 'open'
	UNION ALL SELECT 'Enterprise', 'Negotiation', 4, 75, 30, 'open'
	UNION ALL SELECT 'Enterprise', 'Won', 5, 100, NULL, 'won'
	UNION ALL SELECT 'Enterprise', 'Lost', 6, 0, NULL, 'lost'
	UNION ALL SELECT 'Renewals', 'Contacted', 0, 40, 7, 'open'
	UNION ALL SELECT 'Renewals', 'Offer', 1, 70, 14, 'open'
	UNION ALL SELECT 'Renewals', 'Won', 2, 100, NULL, 'won'
	UNION ALL SELECT 'Renewals', 'Lost', 3, 0, NULL, 'lost'
) s ON s.pipe = p.name;
INSERT INTO lost_reasons (name, active, created_at, updated_at)
VALUES ('Price', 1, 0, 0), ('Timing', 1, 0, 0), ('Competitor', 1, 0, 0),
	('No budget', 1, 0, 0), ('No answer', 1, 0, 0);

-- The open stages of each pipeline numbered 0.., and its final stages.
CREATE TEMP TABLE bst AS
SELECT pipeline_id, id, time_limit_days AS days,
	ROW_NUMBER() OVER (PARTITION BY pipeline_id ORDER BY position, id) - 1 AS k
FROM pipeline_stages WHERE kind = 'open';
CREATE TEMP TABLE bfin AS
SELECT p.id AS pipeline_id,
	(SELECT id FROM pipeline_stages WHERE pipeline_id = p.id AND kind = 'won') AS won,
	(SELECT id FROM pipeline_stages WHERE pipeline_id = p.id AND kind = 'lost') AS lost,
	(SELECT COUNT(*) FROM bst WHERE bst.pipeline_id = p.id) AS nopen
FROM pipelines p;

-- One row per deal: its pipeline, dates, money and fate.
CREATE TEMP TABLE bg AS
WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < @DEALS@),
now(ms) AS (SELECT CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)),
r AS MATERIALIZED (SELECT i, abs(random()) AS a, abs(random()) AS b, abs(random()) AS d FROM c)
SELECT i,
	(SELECT id FROM pipelines WHERE name = CASE WHEN i % 20 < 12 THEN 'Sales'
		WHEN i % 20 < 17 THEN 'Enterprise' ELSE 'Renewals' END) AS pid,
	-- evenly over 3 years (1095 days), newest last
	(SELECT ms FROM now) - (@DEALS@ - i) * 94608000000 / @DEALS@ - a % 3600000 AS created,
	(SELECT ms FROM now) AS now_ms,
	a % 100 AS fate,		-- < 25 won, < 60 lost, else open
	b % 4 AS klast,			-- the furthest open stage, before the cap
	(b / 3) % 5 = 0 AS skip,	-- skips stage 1 when going past it
	100 * (10 + d % 50000) AS amount,
	CASE WHEN (d / 50000) % 100 < 70 THEN 'EUR' WHEN (d / 50000) % 100 < 90 THEN 'USD'
		WHEN (d / 50000) % 100 < 97 THEN 'GBP' ELSE 'JPY' END AS currency,
	1 + (d / 5000000) % 5 AS reason_n,
	1 + i % 9 AS owner,
	CASE (a / 100) % 5 WHEN 0 THEN 'web' WHEN 1 THEN 'referral' WHEN 2 THEN 'fair'
		WHEN 3 THEN 'cold call' ELSE 'partner' END AS source
FROM r;

-- The stays: open stages up to klast (capped by the pipeline), then won or lost.
CREATE TEMP TABLE bpath AS
SELECT g.i, g.pid, s.id AS stage_id, s.k AS seq, s.days
FROM bg g JOIN bfin f ON f.pipeline_id = g.pid
JOIN bst s ON s.pipeline_id = g.pid AND s.k <= MIN(g.klast, f.nopen - 1)
WHERE NOT (g.skip AND s.k = 1 AND MIN(g.klast, f.nopen - 1) >= 2)
UNION ALL
SELECT g.i, g.pid, CASE WHEN g.fate < 25 THEN f.won ELSE f.lost END, 100, NULL
FROM bg g JOIN bfin f ON f.pipeline_id = g.pid WHERE g.fate < 60;

-- Times: each stay 1 to 14 days, at most a sixth of the deal's age.
CREATE TEMP TABLE bhist AS
SELECT i, pid, stage_id, seq, days, entered,
	CASE WHEN nxt IS NULL THEN NULL ELSE entered + dur END AS left_at
FROM (
	SELECT i, pid, stage_id, seq, days, dur,
		created + COALESCE(SUM(dur) OVER (PARTITION BY i ORDER BY seq
			ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS entered,
		LEAD(seq) OVER (PARTITION BY i ORDER BY seq) AS nxt
	FROM (
		SELECT p.i, p.pid, p.stage_id, p.seq, p.days, g.created,
			MIN(86400000 * (1 + (p.i * 7919 + p.seq * 104729) % 14),
			    (g.now_ms - g.created) / 6) AS dur
		FROM bpath p JOIN bg g ON g.i = p.i
	)
);
CREATE INDEX bhist_i ON bhist(i, seq);

INSERT INTO deals (id, title, pipeline_id, stage_id, status, amount, currency,
	amount_base, source, lost_reason_id, closed_at, stage_entered_at, stage_due_at,
	owner_id, search_text, created_at, created_by, updated_at, updated_by)
SELECT g.i, 'Deal ' || g.i, g.pid, h.stage_id,
	CASE WHEN h.seq < 100 THEN 'open' WHEN g.fate < 25 THEN 'won' ELSE 'lost' END,
	g.amount, g.currency,
	CASE g.currency WHEN 'EUR' THEN g.amount WHEN 'USD' THEN g.amount * 92 / 100
		WHEN 'GBP' THEN g.amount * 117 / 100 ELSE NULL END,
	g.source,
	CASE WHEN h.seq = 100 AND g.fate >= 25
		THEN (SELECT id FROM lost_reasons WHERE name = CASE g.reason_n
			WHEN 1 THEN 'Price' WHEN 2 THEN 'Timing' WHEN 3 THEN 'Competitor'
			WHEN 4 THEN 'No budget' ELSE 'No answer' END) END,
	CASE WHEN h.seq = 100 THEN h.entered END,
	h.entered,
	CASE WHEN h.seq < 100 AND h.days IS NOT NULL THEN h.entered + h.days * 86400000 END,
	g.owner, 'deal ' || g.i, g.created, 1, h.entered, 1
FROM bg g JOIN bhist h ON h.i = g.i AND h.left_at IS NULL;

INSERT INTO deal_stage_history (deal_id, pipeline_id, stage_id, entered_at,
	entered_by, left_at, deal_created_at)
SELECT h.i, h.pid, h.stage_id, h.entered, 1, h.left_at, g.created
FROM bhist h JOIN bg g ON g.i = h.i ORDER BY h.i, h.seq;

-- What core/deals.c keeps on every stage change (furthest_update there).
UPDATE deals SET furthest_stage_id = (SELECT fh.stage_id FROM
	deal_stage_history fh JOIN pipeline_stages fx ON fx.id = fh.stage_id
	WHERE fh.deal_id = deals.id AND fx.kind <> 'lost' ORDER BY CASE WHEN
	fx.kind = 'won' THEN 1 ELSE 0 END DESC, fx.position DESC, fx.id DESC
	LIMIT 1);

DROP TABLE bhist;
DROP TABLE bpath;
DROP TABLE bg;
DROP TABLE bfin;
DROP TABLE bst;
COMMIT;
