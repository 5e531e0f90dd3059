-- Business process templates (issue 10): a template is named by a key and
-- holds its definitions as numbered versions (docs/processes.md). A
-- version is never changed once written: saving a changed definition adds
-- the next one, and running instances keep the version they started on.
-- Templates are archived, never deleted.

CREATE TABLE process_templates (
	id		INTEGER PRIMARY KEY,
	key		TEXT NOT NULL UNIQUE,
	name		TEXT NOT NULL,
	entity		TEXT NOT NULL,
	status		TEXT NOT NULL DEFAULT 'active',	-- active, archived
	builtin		INTEGER NOT NULL DEFAULT 0,	-- shipped with the product
	current_version	INTEGER NOT NULL DEFAULT 1,
	created_at	BIGINT NOT NULL,
	created_by	BIGINT REFERENCES users(id),
	updated_at	BIGINT NOT NULL,
	updated_by	BIGINT REFERENCES users(id),
	CHECK (status IN ('active', 'archived')),
	CHECK (entity IN ('deals', 'companies', 'contacts', 'activities'))
);
CREATE INDEX process_templates_status ON process_templates(status, name);

CREATE TABLE process_template_versions (
	id		INTEGER PRIMARY KEY,
	template_id	INTEGER NOT NULL REFERENCES process_templates(id),
	version		INTEGER NOT NULL,
	definition	TEXT NOT NULL,		-- JSON, docs/processes.md
	created_by	BIGINT REFERENCES users(id),
	created_at	BIGINT NOT NULL,
	UNIQUE (template_id, version)
);

CREATE TRIGGER process_template_versions_immutable
BEFORE UPDATE ON process_template_versions BEGIN
	SELECT RAISE(ABORT, 'process template versions are immutable');
END;

-- The templates the product ships: valid definitions on every new database.
INSERT INTO process_templates (key, name, entity, status, builtin,
	current_version, created_at, updated_at) VALUES
	('lead_follow_up', 'New lead follow-up', 'deals', 'active', 1, 1, 0, 0),
	('offer_approval', 'Offer approval', 'deals', 'active', 1, 1, 0, 0),
	('contract_signing', 'Contract signing', 'deals', 'active', 1, 1, 0, 0),
	('subcontractor_order', 'Order to a subcontractor', 'deals', 'active', 1, 1, 0, 0);
INSERT INTO process_template_versions (template_id, version, definition,
	created_at)
SELECT t.id, 1, d.definition, 0
FROM process_templates t JOIN (
	SELECT 'lead_follow_up' AS key, '{"key":"lead_follow_up","name":"New lead follow-up","description":"A new deal is called back within an hour and qualified within two working days.","entity":"deals","trigger":{"type":"created"},"start":"call_back","steps":[{"id":"call_back","kind":"task","name":"Call the lead back","position":{"x":0,"y":0},"responsible":"record_owner","text":"Call back about {{record.name}}","deadline":{"amount":1,"unit":"hours","on_overdue":{"action":"reassign","to":"owner_head"}},"next":"qualify"},{"id":"qualify","kind":"task","name":"Qualify the lead","position":{"x":0,"y":120},"responsible":"record_owner","deadline":{"amount":2,"unit":"work_days","on_overdue":{"action":"notify_owner"}},"next":"worth_it"},{"id":"worth_it","kind":"condition","name":"Is there an amount to offer?","position":{"x":0,"y":240},"condition":{"field":"amount","op":"gt","value":0},"branches":{"true":"tell_owner","false":"done"}},{"id":"tell_owner","kind":"notify","name":"Tell the owner","position":{"x":240,"y":360},"to":["record_owner"],"text":"{{record.name}} is qualified: prepare an offer.","next":"done"},{"id":"done","kind":"end","name":"Done","position":{"x":0,"y":480}}]}' AS definition
	UNION ALL SELECT 'offer_approval', '{"key":"offer_approval","name":"Offer approval","description":"The owner prepares an offer and the head of the department approves it; a rejected offer is revised and approved again.","entity":"deals","trigger":{"type":"manual"},"start":"prepare","steps":[{"id":"prepare","kind":"task","name":"Prepare the offer","position":{"x":0,"y":0},"responsible":"record_owner","deadline":{"amount":1,"unit":"work_days","on_overdue":{"action":"remind"}},"next":"approve"},{"id":"approve","kind":"approval","name":"Approve the offer","position":{"x":0,"y":120},"approver":"owner_head","deadline":{"amount":4,"unit":"work_hours","on_overdue":{"action":"notify_owner"}},"branches":{"approve":"send","reject":"revise"}},{"id":"revise","kind":"task","name":"Revise the offer","position":{"x":240,"y":120},"responsible":"record_owner","next":"approve"},{"id":"send","kind":"task","name":"Send the offer to the client","position":{"x":0,"y":240},"responsible":"record_owner","deadline":{"amount":1,"unit":"work_days"},"next":"done"},{"id":"done","kind":"end","name":"Offer sent","position":{"x":0,"y":360}}]}'
	UNION ALL SELECT 'contract_signing', '{"key":"contract_signing","name":"Contract signing","description":"The contract is drafted, reviewed, signed by the client and filed.","entity":"deals","trigger":{"type":"manual"},"start":"draft","steps":[{"id":"draft","kind":"task","name":"Draft the contract","position":{"x":0,"y":0},"responsible":"record_owner","deadline":{"amount":2,"unit":"work_days"},"next":"review"},{"id":"review","kind":"approval","name":"Legal review","position":{"x":0,"y":120},"approver":"owner_head","deadline":{"amount":1,"unit":"work_days","on_overdue":{"action":"notify_owner"}},"branches":{"approve":"sign","reject":"draft"}},{"id":"sign","kind":"task","name":"Get the signature of the client","position":{"x":0,"y":240},"responsible":"record_owner","deadline":{"amount":5,"unit":"work_days","on_overdue":{"action":"notify_owner"}},"next":"file"},{"id":"file","kind":"task","name":"File the signed copy","position":{"x":0,"y":360},"responsible":"record_owner","next":"done"},{"id":"done","kind":"end","name":"Signed","position":{"x":0,"y":480}}]}'
	UNION ALL SELECT 'subcontractor_order', '{"key":"subcontractor_order","name":"Order to a subcontractor","description":"The order is placed and confirmed, produced, and checked on delivery; a bad delivery goes back as a claim.","entity":"deals","trigger":{"type":"manual"},"start":"place","steps":[{"id":"place","kind":"task","name":"Place the order with the subcontractor","position":{"x":0,"y":0},"responsible":"record_owner","deadline":{"amount":1,"unit":"work_days"},"next":"confirm"},{"id":"confirm","kind":"task","name":"Get the confirmation and the delivery date","position":{"x":0,"y":120},"responsible":"record_owner","deadline":{"amount":2,"unit":"work_days","on_overdue":{"action":"notify_owner"}},"next":"production"},{"id":"production","kind":"wait","name":"Production","position":{"x":0,"y":240},"duration":{"amount":5,"unit":"work_days"},"next":"check"},{"id":"check","kind":"task","name":"Check the delivery","position":{"x":0,"y":360},"responsible":"record_owner","deadline":{"amount":1,"unit":"work_days"},"next":"accept"},{"id":"accept","kind":"approval","name":"Accept the delivery","position":{"x":0,"y":480},"approver":"owner_head","branches":{"approve":"tell_owner","reject":"claim"}},{"id":"claim","kind":"task","name":"Send a claim to the subcontractor","position":{"x":240,"y":480},"responsible":"record_owner","next":"check"},{"id":"tell_owner","kind":"notify","name":"Tell the owner","position":{"x":0,"y":600},"to":["record_owner"],"text":"The order for {{record.name}} is delivered and accepted.","next":"done"},{"id":"done","kind":"end","name":"Delivered","position":{"x":0,"y":720}}]}'
) d ON d.key = t.key
WHERE t.created_at = 0;
