-- The rest of the library of ready reports (keep in step with the other
-- dialect's 0031_ready_reports.sql): their rows, whose definitions live in
-- core/reports.c keyed by builtin (docs/reports.md "The library").
INSERT INTO reports (name, builtin, created_at, updated_at) VALUES
	('Revenue by product', 'revenue_by_product', 0, 0),
	('Revenue by client segment', 'revenue_by_segment', 0, 0),
	('ABC analysis of clients', 'abc_clients', 0, 0),
	('RFM segmentation', 'rfm_segments', 0, 0),
	('Repeat purchase rate', 'repeat_purchase_rate', 0, 0),
	('Clients stuck at the first contact', 'clients_stuck_first_contact', 0, 0),
	('CRM usage by person', 'crm_usage', 0, 0),
	('Ticket volume and SLA compliance', 'tickets_sla', 0, 0),
	('Process bottlenecks', 'process_bottlenecks', 0, 0);

-- clients_no_contact: a company's latest moment (a call's or meeting's
-- start, else the creation) newest first, one probe per company.
CREATE INDEX activities_company_moment ON activities (company_id,
	(COALESCE(start_at, created_at))) WHERE deleted_at IS NULL;

-- Covering indexes of the ready reports (bench/RESULTS.md "Ready reports"):
-- the won and lost deals of a period by their closing, with what the
-- revenue, ABC, RFM and repeat reports group, filter and sum; the open deals
-- by expected close; the activities of a period by their creation; a
-- person's audit entries of a period.
CREATE INDEX deals_closed_cover ON deals (status, closed_at, owner_id,
	pipeline_id, company_id, source, amount_base, amount, lost_reason_id,
	created_at) WHERE deleted_at IS NULL;
CREATE INDEX deals_open_cover ON deals (status, expected_close, stage_id,
	amount_base, owner_id, pipeline_id, source, company_id)
	WHERE deleted_at IS NULL;
CREATE INDEX activities_created_cover ON activities (created_at, owner_id,
	kind, status, due_at, company_id) WHERE deleted_at IS NULL;
CREATE INDEX audit_log_actor_at ON audit_log (actor_id, at, action);
