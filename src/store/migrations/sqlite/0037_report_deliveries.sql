-- The deliveries of report subscriptions (SQLite; keep in step with
-- pg/0037_report_deliveries.sql).
--
-- report_deliveries: one row per delivery that committed (core/report_
-- deliver.c). kind is "schedule" or "now"; occurrence the instant a
-- scheduled delivery was armed for (NULL for send-now), unique per
-- subscription, so that an occurrence rendered twice (a job run again
-- after a crash, two servers) is queued once; mails the mails it queued.
-- send-now is limited by counting its rows of the last hour. Rows older
-- than two days are pruned by the next delivery of the subscription.
CREATE TABLE report_deliveries (
	id		INTEGER PRIMARY KEY,
	subscription_id	INTEGER NOT NULL REFERENCES report_subscriptions(id)
			    ON DELETE CASCADE,
	kind		TEXT NOT NULL,
	occurrence	BIGINT,
	mails		INTEGER NOT NULL DEFAULT 0,
	sent_at		BIGINT NOT NULL
);
CREATE UNIQUE INDEX report_deliveries_occurrence ON
    report_deliveries(subscription_id, occurrence);
CREATE INDEX report_deliveries_sent ON report_deliveries(subscription_id,
    sent_at);
