-- The service desk's public side (keep in step with pg/0031_web_forms.sql):
-- web forms a company embeds on its site, the submissions each form
-- counted for its rate limits, and the one-use links that ask a client
-- how satisfied they were once their ticket is resolved.
--
-- A form is found by its public_key (random, in the page's address).
-- origins is a JSON array of "scheme://host[:port]" allowed to frame the
-- form page and to post to it from a script; fields the JSON array of
-- inputs shown. last_submit_at is written first by every submission, so
-- on PostgreSQL the row's lock makes the count-then-insert of the rate
-- limits one at a time per form, whichever server takes the request.
CREATE TABLE web_forms (
	id		INTEGER PRIMARY KEY,
	name		TEXT NOT NULL UNIQUE,
	public_key	TEXT NOT NULL UNIQUE,
	enabled		INTEGER NOT NULL DEFAULT 1,
	origins		TEXT NOT NULL DEFAULT '[]',
	fields		TEXT NOT NULL DEFAULT '["name","email","subject","message"]',
	queue_id	INTEGER REFERENCES queues(id),
	category	TEXT,
	priority	TEXT,
	title		TEXT,
	thanks		TEXT,
	address_max	INTEGER NOT NULL DEFAULT 5,
	address_window_min INTEGER NOT NULL DEFAULT 10,
	form_max	INTEGER NOT NULL DEFAULT 200,
	form_window_min	INTEGER NOT NULL DEFAULT 60,
	last_submit_at	BIGINT,
	version		INTEGER NOT NULL DEFAULT 1,
	created_at	BIGINT NOT NULL,
	updated_at	BIGINT NOT NULL
);

-- One row per submission a form took (a ticket, or a honeypot's catch),
-- within its longest window; older rows are pruned as new ones come.
CREATE TABLE web_form_hits (
	id		INTEGER PRIMARY KEY,
	form_id		INTEGER NOT NULL REFERENCES web_forms(id),
	address		TEXT NOT NULL,
	at		BIGINT NOT NULL
);
CREATE INDEX web_form_hits_form ON web_form_hits(form_id, at);
CREATE INDEX web_form_hits_address ON web_form_hits(form_id, address, at);

-- The link in the satisfaction mail: only a BLAKE2b hash of its secret is
-- kept; used_at is set by the one answer it takes.
CREATE TABLE satisfaction_requests (
	id		INTEGER PRIMARY KEY,
	ticket_id	INTEGER NOT NULL REFERENCES tickets(id),
	token_hash	TEXT NOT NULL UNIQUE,
	email		TEXT NOT NULL,
	created_at	BIGINT NOT NULL,
	expires_at	BIGINT NOT NULL,
	used_at		BIGINT
);
CREATE INDEX satisfaction_requests_ticket ON satisfaction_requests(ticket_id);
