-- Report delivery by mail and default dashboards per role (SQLite; keep in
-- step with pg/0031_report_delivery.sql).
--
-- mail_attachments: the files of an outbox mail, written with it in the
-- same transaction (core/mail.h, mail_queue_attach), in order of id. The
-- content is kept base64-encoded (the store has no byte columns, and base64
-- is how the mail carries it anyway); size is the decoded bytes.
CREATE TABLE mail_attachments (
	id		INTEGER PRIMARY KEY,
	outbox_id	INTEGER NOT NULL REFERENCES mail_outbox(id) ON DELETE CASCADE,
	filename	TEXT NOT NULL,
	content_type	TEXT NOT NULL,
	size		BIGINT NOT NULL,
	content_b64	TEXT NOT NULL
);
CREATE INDEX mail_attachments_outbox ON mail_attachments(outbox_id, id);

-- report_subscriptions: a saved or ready report mailed on a schedule
-- (core/report_deliver.h). schedule is the JSON the owner gave, cron the
-- five-field expression it stands for, read in tz; recipients a JSON array
-- of user ids, params a JSON object of the run's parameters (from, to,
-- days). Each active row has one "report_deliver" job keyed
-- "report_deliver:<id>" that wakes at next_at.
CREATE TABLE report_subscriptions (
	id		INTEGER PRIMARY KEY,
	owner_id	INTEGER NOT NULL REFERENCES users(id),
	report_id	INTEGER NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
	format		TEXT NOT NULL,
	schedule	TEXT NOT NULL,
	cron		TEXT NOT NULL,
	tz		TEXT NOT NULL,
	recipients	TEXT NOT NULL DEFAULT '[]',
	params		TEXT NOT NULL DEFAULT '{}',
	active		INTEGER NOT NULL DEFAULT 1,
	next_at		BIGINT,
	last_sent_at	BIGINT,
	created_at	BIGINT NOT NULL,
	updated_at	BIGINT NOT NULL,
	version		INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX report_subscriptions_owner ON report_subscriptions(owner_id, id);

-- role_dashboards: the dashboard a role's members see until they save one
-- of their own (a row in dashboards); same shape as dashboards.
CREATE TABLE role_dashboards (
	role_id		INTEGER PRIMARY KEY REFERENCES roles(id) ON DELETE CASCADE,
	report_ids	TEXT NOT NULL DEFAULT '[]',
	layout		TEXT NOT NULL DEFAULT '{}',
	updated_at	BIGINT NOT NULL
);
