-- The ready reports that probe a company's activities and deals one
-- company at a time (clients_no_contact, clients_stuck_first_contact) as a
-- manager: the rights test reads the row's owner, and with the owner in
-- the index the probe no longer reads each activity's or deal's row (keep
-- in step with the other dialect's 0039_report_indexes.sql; figures in
-- bench/RESULTS.md "Ready reports: the second round"). The trailing
-- deleted_at of the partial indexes is always NULL there; it is kept so
-- that the planner counts the index as covering.
DROP INDEX activities_company_moment;
CREATE INDEX activities_company_moment ON activities (company_id,
	(COALESCE(start_at, created_at)), owner_id, deleted_at)
	WHERE deleted_at IS NULL;

DROP INDEX activities_company;
CREATE INDEX activities_company ON activities (company_id, created_at, id,
	owner_id, deleted_at) WHERE deleted_at IS NULL;

DROP INDEX deals_company;
CREATE INDEX deals_company ON deals (company_id, id, deleted_at, owner_id);

-- crm_usage: sign-ins, records created and records changed per person
-- and UTC day (at / 86400000), kept from the audit log by triggers as the
-- tallies of 0038 are (docs/reports.md "Kept tallies"): the report reads
-- whole days here and the entries of the partial days at its period's
-- ends, where it read every entry of the period (two million in a year
-- of the benchmark). Archiving removes entries; the tally follows.
CREATE TABLE audit_tally (
	id		INTEGER PRIMARY KEY,
	actor_id	INTEGER NOT NULL,
	day		INTEGER NOT NULL,
	logins		INTEGER NOT NULL,
	created		INTEGER NOT NULL,
	updated		INTEGER NOT NULL,
	UNIQUE (actor_id, day)
);

INSERT INTO audit_tally (actor_id, day, logins, created, updated)
SELECT actor_id, at / 86400000,
	SUM(CASE WHEN action = 'auth.login' THEN 1 ELSE 0 END),
	SUM(CASE WHEN action = 'record.create' THEN 1 ELSE 0 END),
	SUM(CASE WHEN action IN ('record.update', 'record.transfer') THEN 1
	ELSE 0 END)
FROM audit_log WHERE actor_id IS NOT NULL AND action IN ('auth.login',
	'record.create', 'record.update', 'record.transfer')
GROUP BY actor_id, at / 86400000;

CREATE TRIGGER audit_tally_ins AFTER INSERT ON audit_log
WHEN new.actor_id IS NOT NULL AND new.action IN ('auth.login',
	'record.create', 'record.update', 'record.transfer') BEGIN
	INSERT INTO audit_tally (actor_id, day, logins, created, updated)
	VALUES (new.actor_id, new.at / 86400000,
		CASE WHEN new.action = 'auth.login' THEN 1 ELSE 0 END,
		CASE WHEN new.action = 'record.create' THEN 1 ELSE 0 END,
		CASE WHEN new.action IN ('record.update', 'record.transfer')
		THEN 1 ELSE 0 END)
	ON CONFLICT (actor_id, day) DO UPDATE SET
		logins = logins + excluded.logins,
		created = created + excluded.created,
		updated = updated + excluded.updated;
END;

CREATE TRIGGER audit_tally_del AFTER DELETE ON audit_log
WHEN old.actor_id IS NOT NULL AND old.action IN ('auth.login',
	'record.create', 'record.update', 'record.transfer') BEGIN
	UPDATE audit_tally SET
		logins = logins - CASE WHEN old.action = 'auth.login' THEN 1
		ELSE 0 END,
		created = created - CASE WHEN old.action = 'record.create' THEN 1
		ELSE 0 END,
		updated = updated - CASE WHEN old.action IN ('record.update',
		'record.transfer') THEN 1 ELSE 0 END
	WHERE actor_id = old.actor_id AND day = old.at / 86400000;
END;

-- The entries of those partial days and a person's last sign-in of the
-- period (one probe): by person and action, then time.
DROP INDEX audit_log_actor_at;
CREATE INDEX audit_log_actor_at ON audit_log (actor_id, action, at);
