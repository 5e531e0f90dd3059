-- What the ready reports read beyond bench/deals.sql and bench/activities.sql
-- (bench/reports.sh runs it once with the sqlite3 shell on its own copy of
-- the benchmark data; never on bench/data). Generated in SQL, like them:
--
--   * each deal a company (the generated deals have none), spread so that a
--     company has 3 deals on average and about 0.75 won ones;
--   * the companies' segment, the custom field "tier": 10 % gold, 30 %
--     silver, 60 % bronze;
--   * 20 products and two line items per won deal (halves of its amount);
--   * 3 queues, an SLA policy and 100,000 tickets over three years (70 %
--     resolved, 10 % closed, 20 % open; 80 % under the policy, 10 % of
--     those breached);
--   * a process template with 30,000 instances on deals, three steps each,
--     of 1 to 100 hours, the last step of a tenth still waiting;
--   * 2,000,000 audit entries over three years by the nine users (70 %
--     record.create, 25 % record.update, 5 % auth.login). Their hashes are
--     placeholders: the chain of this copy does not verify, and the reports
--     do not read it.
PRAGMA temp_store = MEMORY;
BEGIN;

UPDATE deals SET company_id = 1 + (id * 7919) % 100000;

INSERT INTO custom_fields (entity, name, label, type, options, created_at,
	updated_at)
VALUES ('companies', 'tier', 'Tier', 'choice', '["gold","silver","bronze"]', 0, 0);
UPDATE companies SET custom = json_set(custom, '$.tier', CASE
	WHEN id % 10 = 0 THEN 'gold' WHEN id % 10 < 4 THEN 'silver' ELSE 'bronze' END);

INSERT INTO products (name, sku, unit_id, price, currency, tax_rate, active,
	created_at, updated_at)
WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 20)
SELECT 'Product ' || i, 'BENCH-' || i, 1, 10000 * i, 'EUR', 0, 1, 0, 0 FROM c;

INSERT INTO deal_items (deal_id, position, product_id, name, quantity, unit_id,
	price, discount, tax, net, tax_amount, total)
SELECT l.deal_id, l.k, p.id, p.name, 1000, 1, l.total, 0, 0, l.total, 0, l.total
FROM (SELECT d.id AS deal_id, k.k,
		CASE k.k WHEN 0 THEN d.amount / 2 ELSE d.amount - d.amount / 2 END AS total
	FROM deals d CROSS JOIN (SELECT 0 AS k UNION ALL SELECT 1) k
	WHERE d.status = 'won') l
JOIN products p ON p.sku = 'BENCH-' || (1 + (l.deal_id * (l.k + 3)) % 20);

INSERT INTO queues (name, rule, created_at, updated_at)
VALUES ('Bench first line', 'round_robin', 0, 0), ('Bench billing', 'round_robin', 0, 0),
	('Bench technical', 'round_robin', 0, 0);
INSERT INTO sla_policies (name, position, response_min, resolution_min, created_at,
	updated_at)
VALUES ('Bench SLA', 0, 240, 2880, 0, 0);

INSERT INTO tickets (subject, channel, priority, status, queue_id, company_id,
	received_at, first_response_at, resolved_at, closed_at, sla_policy_id,
	response_breached, resolution_breached, owner_id, search_text, created_at,
	created_by, updated_at, updated_by)
WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 100000),
now(ms) AS (SELECT CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)),
g AS (SELECT i, (SELECT ms FROM now) - (100000 - i) * 946080 - abs(random()) % 3600000 AS at,
	abs(random()) % 100 AS r FROM c)
SELECT 'Ticket ' || i, 'email',
	CASE i % 10 WHEN 0 THEN 'urgent' WHEN 1 THEN 'high' WHEN 2 THEN 'high' WHEN 3 THEN 'low'
		ELSE 'normal' END,
	CASE WHEN r < 70 THEN 'resolved' WHEN r < 80 THEN 'closed' ELSE 'open' END,
	(SELECT id FROM queues WHERE name = CASE i % 3 WHEN 0 THEN 'Bench first line'
		WHEN 1 THEN 'Bench billing' ELSE 'Bench technical' END),
	1 + (i * 13) % 100000, at, at + 3600000, CASE WHEN r < 80 THEN at + 86400000 END,
	CASE WHEN r >= 70 AND r < 80 THEN at + 90000000 END,
	CASE WHEN i % 5 <> 0 THEN (SELECT id FROM sla_policies WHERE name = 'Bench SLA') END,
	CASE WHEN i % 5 <> 0 AND i % 10 = 1 THEN 1 ELSE 0 END, 0,
	1 + i % 9, 'ticket ' || i, at, 1, at, 1
FROM g;

INSERT INTO process_templates (key, name, entity, created_at, updated_at)
VALUES ('bench_flow', 'Bench flow', 'deals', 0, 0);
INSERT INTO process_instances (template_id, version, entity, record_id, status,
	owner_id, started_at)
SELECT (SELECT id FROM process_templates WHERE key = 'bench_flow'), 1, 'deals', d.id,
	CASE WHEN d.id % 100 < 10 THEN 'running' ELSE 'completed' END, d.owner_id, d.created_at
FROM deals d WHERE d.id % 10 = 0;
INSERT INTO process_steps (instance_id, step_id, kind, name, status, assignee_id,
	started_at, due_at, overdue_at, done_at)
SELECT i.id, s.step_id, 'task', s.name,
	CASE WHEN s.n = 2 AND i.status = 'running' THEN 'waiting' ELSE 'done' END,
	i.owner_id, i.started_at + s.n * 360000000, i.started_at + s.n * 360000000 + 172800000,
	CASE WHEN (i.id + s.n) % 7 = 0 THEN i.started_at + s.n * 360000000 + 172800000 END,
	CASE WHEN s.n = 2 AND i.status = 'running' THEN NULL
		ELSE i.started_at + s.n * 360000000 + (1 + (i.id * (s.n + 5)) % 100) * 3600000 END
FROM process_instances i
CROSS JOIN (SELECT 0 AS n, 'qualify' AS step_id, 'Qualify' AS name
	UNION ALL SELECT 1, 'offer', 'Send the offer'
	UNION ALL SELECT 2, 'sign', 'Sign the contract') s
WHERE i.template_id = (SELECT id FROM process_templates WHERE key = 'bench_flow');

INSERT INTO audit_log (at, actor_id, actor_email, action, entity, record_id, detail,
	prev_hash, hash)
WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 2000000),
now(ms) AS (SELECT CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER))
SELECT (SELECT ms FROM now) - (2000000 - i) * 47304, 1 + i % 9, NULL,
	CASE WHEN i % 20 = 0 THEN 'auth.login' WHEN i % 20 < 6 THEN 'record.update'
		ELSE 'record.create' END,
	CASE WHEN i % 20 = 0 THEN NULL ELSE 'activities' END,
	CASE WHEN i % 20 = 0 THEN NULL ELSE i END, '{}', 'bench', 'bench'
FROM c;

COMMIT;
