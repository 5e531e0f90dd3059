-- Activities for the benchmark, generated in SQL (bench/run.sh runs it with
-- the sqlite3 shell on the migrated copy that already holds the deals,
-- replacing @ACTIVITIES@ with the number of activities and @TMP@ with a
-- scratch file for the shell). Not through the API: 3,000,000 activities
-- take minutes this way, days through core/activities.c.
--
-- The mix: tasks 40 %, calls 25 %, meetings 15 %, emails 10 %, notes 10 %,
-- created evenly over the last three years (newest last, so ids grow with
-- created_at as they do through the API), owned by the admin and the
-- eight bench managers evenly. Tasks fall due 1 to 60 days after they were
-- made (so the last two months' are still ahead), meetings start 0 to 29
-- days after, in office hours. Past tasks: done (92 %), cancelled (4 %) or
-- open, so overdue (4 %); future ones open (90 %) or done early. Past
-- meetings held (85 %) or cancelled, future ones planned (95 %).
--
-- The busy manager, manager1@bench.example (the manager the bench holds a
-- token for; user 2): besides a ninth of everything, one in 500 tasks and
-- meetings are his, open or planned, between two days ago and a week
-- ahead: about 3,300 in his week.
--
-- Links: 1 % go to the busy client, the busy manager's first company, so
-- he can read it (company 1 in the bench data; tens of thousands
-- at 3M; half of them also to one of its contacts), 40 % to a random
-- contact, 35 % to a random deal and a random contact, 15 % to a random
-- company alone, 9 % to nothing (internal tasks, notes). company_id is
-- filled from the contact when not given, as core/activities.c does
-- (settle_company; the bench deals name no company). Half the meetings
-- have one or two participants (never the owner), in the participants
-- column and in activity_participants, as activity_after_write keeps them.
-- search_text is what core/record.c writes for an activity: subject,
-- phone, email_from, email_to, place, then the phone's digits
-- (activity_search_extra). Left out: reminders (and their jobs),
-- recurrence, comments, tags, the audit log of the creations.
--
-- Fast: the indexes and the insert trigger of both tables are dropped
-- (their SQL kept from sqlite_master, so whatever the migrations define is
-- rebuilt as it was) and made again after the bulk insert, the two
-- full-text indexes rebuilt from the table in one pass each, then ANALYZE.
.bail on
PRAGMA temp_store = MEMORY;
PRAGMA cache_size = -1048576;
BEGIN;

-- The schema objects rebuilt after the insert: every index with SQL (not
-- the automatic ones) of the two tables, and the triggers on activities.
CREATE TEMP TABLE bsaved AS
SELECT type, name, sql FROM sqlite_master
WHERE tbl_name IN ('activities', 'activity_participants')
	AND type IN ('index', 'trigger') AND sql IS NOT NULL;
.headers off
.mode list
.output @TMP@
SELECT 'DROP ' || upper(type) || ' ' || name || ';' FROM temp.bsaved;
.output stdout
.read @TMP@

-- One row per activity: the random draws and what follows from them.
CREATE TEMP TABLE bctx AS
SELECT CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) AS now_ms,
	(SELECT id FROM users WHERE email = 'manager1@bench.example') AS mgr,
	-- his first company: a client he can see (managers read their own)
	(SELECT MIN(id) FROM companies WHERE deleted_at IS NULL AND owner_id =
		(SELECT id FROM users WHERE email = 'manager1@bench.example')) AS busy,
	(SELECT MAX(id) FROM contacts) AS ncontacts,
	(SELECT COALESCE(MAX(id), 0) FROM deals) AS ndeals,
	(SELECT MAX(id) FROM companies) AS ncompanies;
-- The busy client's contacts, numbered 0..
CREATE TEMP TABLE bbusy AS
SELECT ROW_NUMBER() OVER (ORDER BY id) - 1 AS n, id FROM contacts
WHERE company_id = (SELECT busy FROM bctx) AND deleted_at IS NULL;
CREATE INDEX bbusy_n ON bbusy(n);

CREATE TEMP TABLE ba AS
WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < @ACTIVITIES@),
r AS MATERIALIZED (SELECT i, abs(random()) AS a, abs(random()) AS b, abs(random()) AS d FROM c)
SELECT i, a, b, d,
	CASE WHEN i % 20 < 8 THEN 'task' WHEN i % 20 < 13 THEN 'call'
		WHEN i % 20 < 16 THEN 'meeting' WHEN i % 20 < 18 THEN 'email'
		ELSE 'note' END AS kind,
	-- evenly over 3 years (1095 days), newest last
	x.now_ms - (@ACTIVITIES@ - i) * 94608000000 / @ACTIVITIES@ - a % 3600000 AS created,
	x.now_ms AS now_ms,
	-- the busy manager's week (tasks and meetings only)
	(i % 20 < 8 OR (i % 20 >= 13 AND i % 20 < 16)) AND b % 500 = 0 AS week,
	(d / 7) % 1000 AS link,
	x.mgr, x.busy, x.ncontacts, x.ndeals, x.ncompanies
FROM r, bctx x;

-- Times and owner.
CREATE TEMP TABLE bt AS
SELECT i, a, b, d, kind, created, now_ms, week, link, busy, ncontacts, ndeals,
	ncompanies,
	CASE WHEN week THEN mgr ELSE 1 + (b / 500) % 9 END AS owner,
	CASE WHEN kind = 'task' THEN
		CASE WHEN week THEN now_ms - 172800000 + (a / 7) % 777600000
		ELSE created + 86400000 * (1 + (a / 7) % 60) END END AS due,
	CASE WHEN kind = 'meeting' THEN
		-- on the quarter hour, between 08:00 and 17:45 UTC
		CASE WHEN week THEN now_ms - 172800000 + (a / 7) % 777600000
		ELSE created + 86400000 * ((a / 7) % 30) END / 86400000 * 86400000
		+ 28800000 + 900000 * ((a / 11) % 40)
	WHEN kind = 'call' THEN created END AS start
FROM ba;

CREATE TEMP TABLE bs AS
SELECT t.*,
	CASE kind
	WHEN 'task' THEN CASE WHEN week THEN 'open'
		WHEN due < now_ms THEN CASE WHEN (d / 3) % 100 < 92 THEN 'done'
			WHEN (d / 3) % 100 < 96 THEN 'cancelled' ELSE 'open' END
		WHEN (d / 3) % 100 < 90 THEN 'open' ELSE 'done' END
	WHEN 'meeting' THEN CASE WHEN week THEN 'planned'
		WHEN start < now_ms THEN CASE WHEN (d / 3) % 100 < 85 THEN 'held'
			ELSE 'cancelled' END
		WHEN (d / 3) % 100 < 95 THEN 'planned' ELSE 'cancelled' END
	ELSE 'done' END AS status,
	CASE WHEN kind = 'meeting' THEN start + 1800000 * (1 + (b / 7) % 4) END AS end_at,
	-- participants of half the meetings: one or two users, not the owner
	CASE WHEN kind = 'meeting' AND (a / 13) % 2 = 0
		THEN 1 + (owner + (a / 26) % 8) % 9 END AS p1,
	CASE WHEN kind = 'meeting' AND (a / 13) % 4 = 0
		THEN 1 + (owner + ((a / 26) % 8 + 1 + (a / 208) % 7) % 8) % 9 END AS p2
FROM bt t;

INSERT INTO activities (id, kind, subject, body, status, priority, due_at,
	start_at, end_at, done_at, company_id, contact_id, deal_id, participants,
	direction, phone, duration_s, result, email_from, email_to, place,
	estimate_min, spent_min, tags, owner_id, custom, search_text,
	created_at, created_by, updated_at, updated_by)
SELECT i, kind, subject, body, status, priority, due, start, end_at, done_at,
	COALESCE(company, (SELECT company_id FROM contacts WHERE id = contact)),
	contact, deal, participants, direction, phone, duration_s, result,
	email_from, email_to, place, estimate_min, spent_min, '[]', owner, '{}',
	subject || COALESCE(' ' || phone, '') || COALESCE(' ' || email_from, '')
		|| CASE WHEN kind = 'email' THEN ' ' || json_extract(email_to, '$[0]') ELSE '' END
		|| COALESCE(' ' || place, '')
		|| COALESCE(' ' || replace(replace(phone, '+', ''), ' ', ''), ''),
	created, owner, COALESCE(done_at, created), owner
FROM (
	SELECT s.*,
		CASE kind
		WHEN 'task' THEN CASE (a / 17) % 8 WHEN 0 THEN 'Follow up on the offer'
			WHEN 1 THEN 'Send the contract' WHEN 2 THEN 'Prepare the quote'
			WHEN 3 THEN 'Check the invoice' WHEN 4 THEN 'Call back about the delivery'
			WHEN 5 THEN 'Update the proposal' WHEN 6 THEN 'Book the site visit'
			ELSE 'Ask for the reference' END
		WHEN 'call' THEN CASE (a / 17) % 4 WHEN 0 THEN 'Intro call'
			WHEN 1 THEN 'Price question' WHEN 2 THEN 'Support request'
			ELSE 'Follow-up call' END
		WHEN 'meeting' THEN CASE (a / 17) % 4 WHEN 0 THEN 'Kick-off'
			WHEN 1 THEN 'Demo' WHEN 2 THEN 'Quarterly review'
			ELSE 'Contract negotiation' END
		WHEN 'email' THEN CASE (a / 17) % 3 WHEN 0 THEN 'Re: your offer'
			WHEN 1 THEN 'Documents attached' ELSE 'Meeting notes' END
		ELSE CASE (a / 17) % 3 WHEN 0 THEN 'Budget confirmed for next year'
			WHEN 1 THEN 'Prefers contact by email' ELSE 'New decision maker' END
		END || ' ' || i AS subject,
		CASE WHEN kind IN ('note', 'email') THEN 'Bench activity ' || i
			|| ': talked through the open points, next steps agreed.' END AS body,
		CASE WHEN kind = 'task' THEN CASE (b / 11) % 20 WHEN 0 THEN 'urgent'
			WHEN 1 THEN 'low' WHEN 2 THEN 'low' WHEN 3 THEN 'low'
			WHEN 4 THEN 'high' WHEN 5 THEN 'high' WHEN 6 THEN 'high'
			WHEN 7 THEN 'high' ELSE 'normal' END END AS priority,
		CASE WHEN status IN ('done', 'held') THEN
			CASE kind WHEN 'task' THEN MIN(due, now_ms) - (b / 13) % 86400000
			WHEN 'meeting' THEN end_at ELSE created END END AS done_at,
		-- the links
		CASE WHEN link < 10 THEN busy
			WHEN link >= 750 AND link < 900 THEN 1 + (d / 7000) % ncompanies END AS company,
		CASE WHEN link < 5 THEN (SELECT id FROM bbusy WHERE n = (d / 7000) %
				MAX(1, (SELECT COUNT(*) FROM bbusy)))
			WHEN link >= 10 AND link < 750 THEN 1 + (d / 7000) % ncontacts END AS contact,
		CASE WHEN link >= 400 AND link < 750 AND ndeals > 0
			THEN 1 + (d / 7) % ndeals END AS deal,
		CASE WHEN p2 IS NOT NULL AND p2 <> p1 THEN json_array(p1, p2)
			WHEN p1 IS NOT NULL THEN json_array(p1) ELSE '[]' END AS participants,
		CASE WHEN kind = 'call' THEN CASE WHEN b % 2 = 0 THEN 'in' ELSE 'out' END END AS direction,
		CASE WHEN kind = 'call' THEN '+49 30 ' || (1000000 + (d / 3) % 9000000) END AS phone,
		CASE WHEN kind = 'call' THEN 30 + (b / 3) % 1800 END AS duration_s,
		CASE WHEN kind = 'call' THEN CASE (b / 5) % 3 WHEN 0 THEN 'reached'
			WHEN 1 THEN 'voicemail' ELSE 'callback agreed' END END AS result,
		CASE WHEN kind = 'email' THEN CASE WHEN owner = 1 THEN 'admin' ELSE 'manager' || (owner - 1) END || '@bench.example' END AS email_from,
		CASE WHEN kind = 'email' THEN json_array('client' || (d % 100000) || '@example.com')
			ELSE '[]' END AS email_to,
		CASE WHEN kind = 'meeting' AND b % 3 > 0 THEN CASE (b / 3) % 3
			WHEN 0 THEN 'Client office' WHEN 1 THEN 'Video call' ELSE 'Our office' END END AS place,
		CASE WHEN kind = 'task' AND b % 4 = 0 THEN 15 * (1 + (b / 4) % 16) END AS estimate_min,
		CASE WHEN kind = 'task' AND status = 'done' AND b % 4 = 0 THEN 15 * (1 + (b / 64) % 16) END AS spent_min
	FROM bs s
) ORDER BY i;

-- With the activity's status and day time, as activity_after_write keeps
-- them (migration 0020).
INSERT INTO activity_participants (activity_id, user_id, status, day_at)
SELECT p.i, p.u, CASE WHEN a.deleted_at IS NULL THEN a.status END,
	CASE a.kind WHEN 'task' THEN a.due_at WHEN 'meeting' THEN a.start_at END
FROM (SELECT i, p1 AS u FROM bs WHERE p1 IS NOT NULL
	UNION ALL
	SELECT i, p2 FROM bs WHERE p2 IS NOT NULL AND p2 <> p1) p
JOIN activities a ON a.id = p.i
ORDER BY 1, 2;

DROP TABLE bs;
DROP TABLE bt;
DROP TABLE ba;
DROP TABLE bbusy;
DROP TABLE bctx;

-- The indexes and triggers as the migrations made them, then the two
-- full-text indexes from the table (what the insert trigger would have
-- written, in one pass each).
.output @TMP@
SELECT sql || ';' FROM temp.bsaved ORDER BY type = 'trigger', name;
.output stdout
.read @TMP@
DROP TABLE temp.bsaved;
INSERT INTO activities_tri(activities_tri) VALUES ('rebuild');
INSERT INTO activities_words(activities_words) VALUES ('rebuild');
-- The kept tally (migration 0038) as its insert trigger would have kept it:
-- without it, activity_by_manager would count nothing and look fast.
DELETE FROM activity_tally;
INSERT INTO activity_tally (owner_id, day, activities, calls, meetings,
	tasks_done)
SELECT COALESCE(owner_id, 0), created_at / 86400000, COUNT(*),
	SUM(CASE WHEN kind = 'call' THEN 1 ELSE 0 END),
	SUM(CASE WHEN kind = 'meeting' THEN 1 ELSE 0 END),
	SUM(CASE WHEN kind = 'task' AND status = 'done' THEN 1 ELSE 0 END)
FROM activities WHERE deleted_at IS NULL
GROUP BY COALESCE(owner_id, 0), created_at / 86400000;
COMMIT;
ANALYZE activities;
ANALYZE activity_participants;
