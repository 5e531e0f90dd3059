/*
 * The timeline of a company, contact or deal (see activity_timeline in
 * activities.h): three sources merged newest first.
 *
 * Each source is read in its own index order, (at, id) descending, at most
 * one page and one more; the entries are merged by (at, type rank, id). A
 * page never shows an entry older than the last one read of a source that
 * has more, so nothing is skipped, and the cursor (at, rank, id of the last
 * entry shown) tells each source exactly where to go on: rows at the same
 * instant are split by rank and id, so nothing repeats either.
 *
 * A fourth source, the record's documents (core/documents.c), joins the
 * same way: its own index order, its rank in the cursor. So do the
 * tickets of a company or contact (core/tickets.h) and their messages,
 * both under the tickets' read predicate.
 *
 * Rights: the record must be readable; activities are read under the
 * activities' read predicate (so a hidden one never appears); field
 * changes come from audit_history, which takes the audit right and leaves
 * out hidden fields; stage moves are what GET /deals/{id}/stages shows to
 * any reader of the deal.
 */
#include "core/activities.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/access.h"
#include "core/audit.h"
#include "core/documents.h"
#include "core/watch.h"
#include "util/alloc.h"
#include "util/log.h"
#include "util/timeutil.h"

enum { RANK_ACTIVITY, RANK_CHANGE, RANK_STAGE, RANK_DOCUMENT, RANK_TICKET,
	RANK_MESSAGE, NRANKS };

static const char *const type_names[NRANKS] = { "activity", "change", "stage",
	"document", "ticket", "ticket_message" };

struct tkey {
	int64_t	at;
	int	rank;
	int64_t	id;
};

struct tentry {
	struct tkey	 k;
	json_t		*json;
};

/* What was read: the entries, and per source whether it has more. */
struct tpage {
	struct tentry	*e;
	size_t		 n, cap;
	bool		 more[NRANKS];
	struct tkey	 last[NRANKS];	/* the oldest row read of each source */
};

struct tctx {
	const struct entity	*e;
	int64_t			 id;
	const struct timeline_query *tq;
	int			 limit;
	bool			 has_cursor;
	struct tkey		 cursor;
	bool			 want[NRANKS];
};

static int
db_fail(struct core_ctx *cx, const char *what)
{
	log_error("database: timeline %s: %s", what, db_errmsg(cx->db));
	return core_fail(cx, CRM_EDB, "The database failed while reading the "
	    "timeline");
}

static void
page_add(struct tpage *p, struct tkey k, json_t *json)
{
	if (p->n == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 64;
		p->e = xrealloc(p->e, p->cap * sizeof(*p->e));
	}
	p->e[p->n].k = k;
	p->e[p->n++].json = json;
}

/* Newest first: a before b when a is newer. */
static int
key_cmp(const struct tkey *a, const struct tkey *b)
{
	if (a->at != b->at)
		return a->at > b->at ? -1 : 1;
	if (a->rank != b->rank)
		return a->rank > b->rank ? -1 : 1;
	if (a->id != b->id)
		return a->id > b->id ? -1 : 1;
	return 0;
}

static int
entry_cmp(const void *a, const void *b)
{
	return key_cmp(&((const struct tentry *)a)->k,
	    &((const struct tentry *)b)->k);
}

/* " AND (at, id) after the cursor" for a source of rank r. */
static void
after_cursor(const struct tctx *t, int r, const char *at, const char *id,
    struct dbq *q)
{
	if (!t->has_cursor)
		return;
	if (r < t->cursor.rank) {
		dbq_sql(q, " AND %s <= ?", at);
		dbq_int(q, t->cursor.at);
	} else if (r > t->cursor.rank) {
		dbq_sql(q, " AND %s < ?", at);
		dbq_int(q, t->cursor.at);
	} else {
		dbq_sql(q, " AND (%s < ? OR (%s = ? AND %s < ?))", at, at, id);
		dbq_int(q, t->cursor.at);
		dbq_int(q, t->cursor.at);
		dbq_int(q, t->cursor.id);
	}
}

static const char *
link_column(const struct entity *e)
{
	return e == &entity_companies ? "company_id" : e == &entity_contacts ?
	    "contact_id" : "deal_id";
}

/* ---- the sources ---- */

/*
 * The records of entity e linked to the timeline's record (activities,
 * tickets), at their creation, under e's read predicate: entries of
 * type/rank with the record under key.
 */
static int
read_records(struct core_ctx *cx, const struct tctx *t, struct tpage *p,
    const struct entity *e, int rank, const char *key)
{
	struct dbq q;
	db_stmt_t *st;
	int rc, arc = CRM_OK, n = 0;

	dbq_init(&q);
	dbq_sql(&q, "SELECT ");
	rec_select_list(e, &q);
	dbq_sql(&q, " FROM %s t WHERE t.deleted_at IS NULL AND t.%s = ?",
	    e->name, link_column(t->e));
	dbq_int(&q, t->id);
	if (t->tq->kind != NULL && e == &entity_activities) {
		dbq_sql(&q, " AND t.kind = ?");
		dbq_text(&q, t->tq->kind, strlen(t->tq->kind));
	}
	if (t->tq->user_id > 0) {
		dbq_sql(&q, " AND t.owner_id = ?");
		dbq_int(&q, t->tq->user_id);
	}
	after_cursor(t, rank, "t.created_at", "t.id", &q);
	rc = access_where(cx, e, ACC_READ, "t", &q);
	dbq_sql(&q, " ORDER BY t.created_at DESC, t.id DESC LIMIT ?");
	dbq_int(&q, t->limit + 1);
	if (rc == CRM_OK && db_prepare_q(cx->db, &q, &st) != DB_OK)
		rc = db_fail(cx, e->name);
	dbq_free(&q);
	if (rc != CRM_OK)
		return rc;
	while (arc == CRM_OK && (rc = db_step(st)) == DB_ROW) {
		json_t *rec = rec_row_to_json(e, st);
		struct tkey k = { 0, rank, 0 };
		json_t *at = json_object_get(rec, "created_at");

		k.id = json_integer_value(json_object_get(rec, "id"));
		if (time_parse_datetime(json_string_value(at),
		    json_string_length(at), &k.at) != 0)
			k.at = 0;
		if (++n > t->limit) {
			p->more[rank] = true;
			json_decref(rec);
			break;
		}
		p->last[rank] = k;
		arc = access_redact(cx, e, rec);
		page_add(p, k, json_pack("{s:s, s:O, s:O, s:I, s:o}", "type",
		    type_names[rank], "at", at, "user_id", json_object_get(rec,
		    "owner_id"), "id", (json_int_t)k.id, key, rec));
	}
	db_done(st);
	if (arc != CRM_OK)
		return arc;
	return rc == DB_DONE || rc == DB_ROW ? CRM_OK :
	    db_fail(cx, "records step");
}

/* What a person set: not the fields the system computes. */
static bool
computed(const struct entity *e, const char *name)
{
	if (e == &entity_deals && strcmp(name, "stage_id") == 0)
		return true;	/* a stage entry of its own */
	for (size_t i = 0; i < e->nfields; i++)
		if (strcmp(e->fields[i].name, name) == 0)
			return (e->fields[i].flags & F_READONLY) != 0;
	return false;
}

static void
strip_computed(const struct entity *e, json_t *obj)
{
	const char *k;
	json_t *v;
	void *tmp;

	json_object_foreach_safe(obj, tmp, k, v)
		if (computed(e, k))
			json_object_del(obj, k);
}

static int
read_changes(struct core_ctx *cx, const struct tctx *t, struct tpage *p)
{
	struct audit_query q;
	json_t *res = NULL, *entry;
	size_t i;
	int rc = access_check(cx, t->e, ACC_AUDIT, t->id, false);

	/* Without the audit right the timeline shows the rest. */
	if (rc == CRM_EFORBIDDEN) {
		cx->detail[0] = '\0';
		return CRM_OK;
	}
	if (rc != CRM_OK)
		return rc;
	memset(&q, 0, sizeof(q));
	q.action = "record.";
	q.actor_id = t->tq->user_id;
	q.limit = t->limit + 1;
	if (t->has_cursor) {
		/* Audit ids grow with time: id order is (at, id) order. */
		q.to_ms = t->cursor.at + (RANK_CHANGE < t->cursor.rank ? 1 : 0);
		if (RANK_CHANGE == t->cursor.rank) {
			q.to_ms = t->cursor.at + 1;
			q.before_id = t->cursor.id;
		}
	}
	rc = audit_history(cx, t->e, t->id, &q, &res);
	if (rc != CRM_OK)
		return rc;
	json_array_foreach(json_object_get(res, "data"), i, entry) {
		const char *action = json_string_value(json_object_get(entry,
		    "action"));
		json_t *detail = json_object_get(entry, "detail");
		json_t *changes = json_object_get(detail, "changes");
		json_t *at = json_object_get(entry, "at");
		struct tkey k = { 0, RANK_CHANGE, 0 };
		json_t *out;

		if ((int)i >= t->limit) {
			p->more[RANK_CHANGE] = true;
			break;
		}
		k.id = json_integer_value(json_object_get(entry, "id"));
		if (time_parse_datetime(json_string_value(at),
		    json_string_length(at), &k.at) != 0)
			k.at = 0;
		p->last[RANK_CHANGE] = k;
		out = json_pack("{s:s, s:O, s:O, s:I, s:s}", "type", "change",
		    "at", at, "user_id", json_object_get(entry, "actor_id"), "id",
		    (json_int_t)k.id, "action", action != NULL ? action : "");
		if (json_is_object(changes)) {
			strip_computed(t->e, changes);
			if (json_object_size(changes) == 0) {
				json_decref(out);
				continue;	/* only what the system computed */
			}
			json_object_set(out, "changes", changes);
		} else if (action != NULL && strcmp(action, "record.create") == 0 &&
		    json_is_object(detail)) {
			strip_computed(t->e, detail);
			json_object_set(out, "values", detail);
		} else if (json_is_object(detail) && json_object_size(detail) > 0) {
			json_object_set(out, "detail", detail);
		}
		page_add(p, k, out);
	}
	json_decref(res);
	return CRM_OK;
}

static int
read_stages(struct core_ctx *cx, const struct tctx *t, struct tpage *p)
{
	struct dbq q;
	db_stmt_t *st;
	int rc, n = 0;

	dbq_init(&q);
	/* The stay before, so an entry says where the deal came from. */
	dbq_sql(&q, "SELECT h.id, h.entered_at, h.entered_by, h.stage_id, s.name, "
	    "p.stage_id, ps.name FROM deal_stage_history h LEFT JOIN "
	    "pipeline_stages s ON s.id = h.stage_id LEFT JOIN deal_stage_history "
	    "p ON p.id = (SELECT p2.id FROM deal_stage_history p2 WHERE "
	    "p2.deal_id = h.deal_id AND (p2.entered_at < h.entered_at OR "
	    "(p2.entered_at = h.entered_at AND p2.id < h.id)) ORDER BY "
	    "p2.entered_at DESC, p2.id DESC LIMIT 1) LEFT JOIN pipeline_stages "
	    "ps ON ps.id = p.stage_id WHERE h.deal_id = ?");
	dbq_int(&q, t->id);
	if (t->tq->user_id > 0) {
		dbq_sql(&q, " AND h.entered_by = ?");
		dbq_int(&q, t->tq->user_id);
	}
	after_cursor(t, RANK_STAGE, "h.entered_at", "h.id", &q);
	dbq_sql(&q, " ORDER BY h.entered_at DESC, h.id DESC LIMIT ?");
	dbq_int(&q, t->limit + 1);
	rc = db_prepare_q(cx->db, &q, &st);
	dbq_free(&q);
	if (rc != DB_OK)
		return db_fail(cx, "stages");
	while ((rc = db_step(st)) == DB_ROW) {
		struct tkey k = { db_col_int(st, 1), RANK_STAGE, db_col_int(st, 0) };

		if (++n > t->limit) {
			p->more[RANK_STAGE] = true;
			break;
		}
		p->last[RANK_STAGE] = k;
		page_add(p, k, json_pack("{s:s, s:o, s:o, s:I, s:I, s:o, s:o, s:o}",
		    "type", "stage", "at", activity_time_json(k.at), "user_id",
		    db_col_null(st, 2) ? json_null() :
		    json_integer(db_col_int(st, 2)), "id", (json_int_t)k.id,
		    "stage_id", (json_int_t)db_col_int(st, 3), "stage_name",
		    db_col_null(st, 4) ? json_null() :
		    json_string(db_col_text(st, 4, NULL)), "from_stage_id",
		    db_col_null(st, 5) ? json_null() :
		    json_integer(db_col_int(st, 5)), "from_stage_name",
		    db_col_null(st, 6) ? json_null() :
		    json_string(db_col_text(st, 6, NULL))));
	}
	db_done(st);
	return rc == DB_DONE || rc == DB_ROW ? CRM_OK : db_fail(cx, "stages step");
}

/* The record's own live documents (core/documents.c), at their upload. */
static int
read_documents(struct core_ctx *cx, const struct tctx *t, struct tpage *p)
{
	struct dbq q;
	db_stmt_t *st;
	int rc, n = 0;

	dbq_init(&q);
	dbq_sql(&q, "SELECT " DOC_COLUMNS " FROM documents d WHERE d.entity = ? "
	    "AND d.record_id = ? AND d.deleted_at IS NULL");
	dbq_text(&q, t->e->name, strlen(t->e->name));
	dbq_int(&q, t->id);
	if (t->tq->user_id > 0) {
		dbq_sql(&q, " AND d.created_by = ?");
		dbq_int(&q, t->tq->user_id);
	}
	after_cursor(t, RANK_DOCUMENT, "d.created_at", "d.id", &q);
	dbq_sql(&q, " ORDER BY d.created_at DESC, d.id DESC LIMIT ?");
	dbq_int(&q, t->limit + 1);
	rc = db_prepare_q(cx->db, &q, &st);
	dbq_free(&q);
	if (rc != DB_OK)
		return db_fail(cx, "documents");
	while ((rc = db_step(st)) == DB_ROW) {
		struct tkey k = { db_col_int(st, 7), RANK_DOCUMENT, db_col_int(st, 0) };
		json_t *doc;

		if (++n > t->limit) {
			p->more[RANK_DOCUMENT] = true;
			break;
		}
		p->last[RANK_DOCUMENT] = k;
		doc = doc_row_json(st);
		page_add(p, k, json_pack("{s:s, s:O, s:O, s:I, s:o}", "type",
		    "document", "at", json_object_get(doc, "created_at"), "user_id",
		    json_object_get(doc, "created_by"), "id", (json_int_t)k.id,
		    "document", doc));
	}
	db_done(st);
	return rc == DB_DONE || rc == DB_ROW ? CRM_OK :
	    db_fail(cx, "documents step");
}

/* The replies and internal notes of those tickets, at their writing. */
static int
read_messages(struct core_ctx *cx, const struct tctx *t, struct tpage *p)
{
	struct dbq q;
	db_stmt_t *st;
	int rc, n = 0;

	dbq_init(&q);
	dbq_sql(&q, "SELECT m.id, m.created_at, m.ticket_id, m.kind, "
	    "m.author_user_id, m.author_contact_id, m.body, t.subject FROM "
	    "ticket_messages m JOIN tickets t ON t.id = m.ticket_id WHERE "
	    "t.deleted_at IS NULL AND t.%s = ?", link_column(t->e));
	dbq_int(&q, t->id);
	if (t->tq->user_id > 0) {
		dbq_sql(&q, " AND m.author_user_id = ?");
		dbq_int(&q, t->tq->user_id);
	}
	after_cursor(t, RANK_MESSAGE, "m.created_at", "m.id", &q);
	rc = access_where(cx, &entity_tickets, ACC_READ, "t", &q);
	dbq_sql(&q, " ORDER BY m.created_at DESC, m.id DESC LIMIT ?");
	dbq_int(&q, t->limit + 1);
	if (rc == CRM_OK && db_prepare_q(cx->db, &q, &st) != DB_OK)
		rc = db_fail(cx, "ticket messages");
	dbq_free(&q);
	if (rc != CRM_OK)
		return rc;
	while ((rc = db_step(st)) == DB_ROW) {
		struct tkey k = { db_col_int(st, 1), RANK_MESSAGE, db_col_int(st, 0) };

		if (++n > t->limit) {
			p->more[RANK_MESSAGE] = true;
			break;
		}
		p->last[RANK_MESSAGE] = k;
		page_add(p, k, json_pack("{s:s, s:o, s:o, s:I, s:I, s:s, s:o, s:s, "
		    "s:s}", "type", "ticket_message", "at", activity_time_json(k.at),
		    "user_id", db_col_null(st, 4) ? json_null() :
		    json_integer(db_col_int(st, 4)), "id", (json_int_t)k.id,
		    "ticket_id", (json_int_t)db_col_int(st, 2), "kind",
		    db_col_text(st, 3, NULL), "contact_id", db_col_null(st, 5) ?
		    json_null() : json_integer(db_col_int(st, 5)), "body",
		    db_col_text(st, 6, NULL), "subject", db_col_text(st, 7, NULL)));
	}
	db_done(st);
	return rc == DB_DONE || rc == DB_ROW ? CRM_OK :
	    db_fail(cx, "ticket messages step");
}

/* ---- parameters ---- */

static bool
parse_i64(const char *s, size_t len, int64_t *out)
{
	int64_t v = 0;

	if (len == 0 || len > 18)
		return false;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return true;
}

/* "<at>.<rank>.<id>", all decimal. */
static bool
parse_cursor(const char *s, struct tkey *k)
{
	const char *d1 = strchr(s, '.'), *d2 = d1 ? strchr(d1 + 1, '.') : NULL;
	int64_t rank;

	return d1 != NULL && d2 != NULL && parse_i64(s, (size_t)(d1 - s), &k->at) &&
	    parse_i64(d1 + 1, (size_t)(d2 - d1 - 1), &rank) && rank < NRANKS &&
	    parse_i64(d2 + 1, strlen(d2 + 1), &k->id) && k->id > 0 &&
	    (k->rank = (int)rank) >= 0;
}

static int
parse_params(struct core_ctx *cx, struct tctx *t)
{
	static const char *const kinds[] = { "task", "call", "meeting", "email",
		"note", "chat" };
	const struct timeline_query *tq = t->tq;
	bool kind_ok = tq->kind == NULL, any = false;
	int64_t v;

	t->limit = TIMELINE_DEFAULT;
	if (tq->limit != NULL) {
		if (!parse_i64(tq->limit, strlen(tq->limit), &v) || v < 1 ||
		    v > TIMELINE_MAX)
			return core_fail(cx, CRM_EBADQUERY, "limit: must be a whole "
			    "number from 1 to %d", TIMELINE_MAX);
		t->limit = (int)v;
	}
	for (size_t i = 0; !kind_ok && i < sizeof(kinds) / sizeof(*kinds); i++)
		kind_ok = strcmp(tq->kind, kinds[i]) == 0;
	if (!kind_ok)
		return core_fail(cx, CRM_EBADQUERY, "kind: must be task, call, "
		    "meeting, email or note");
	for (int r = 0; r < NRANKS; r++)
		t->want[r] = tq->type == NULL || strcmp(tq->type, type_names[r]) == 0;
	for (int r = 0; r < NRANKS; r++)
		any |= t->want[r];
	if (!any)
		return core_fail(cx, CRM_EBADQUERY, "type: must be activity, change, "
		    "stage, document, ticket or ticket_message");
	/* A kind is a kind of activity: the other entries have none. */
	if (tq->kind != NULL)
		for (int r = 0; r < NRANKS; r++)
			t->want[r] = t->want[r] && r == RANK_ACTIVITY;
	if (t->e != &entity_deals)
		t->want[RANK_STAGE] = false;
	/* A deal's tickets are linked, not owned: shown on the ticket. */
	if (t->e == &entity_deals)
		t->want[RANK_TICKET] = t->want[RANK_MESSAGE] = false;
	if (tq->cursor != NULL) {
		if (strlen(tq->cursor) > 64 || !parse_cursor(tq->cursor, &t->cursor))
			return core_fail(cx, CRM_EBADQUERY, "cursor: not a cursor "
			    "of this timeline");
		t->has_cursor = true;
	}
	return CRM_OK;
}

/* ---- the merge ---- */

int
activity_timeline(struct core_ctx *cx, const struct entity *e, int64_t id,
    const struct timeline_query *tq, json_t **out)
{
	struct tctx t = { e, id, tq, 0, false, { 0, 0, 0 }, { false } };
	struct tpage p;
	struct tkey bound = { INT64_MIN, 0, 0 };
	const struct tkey *last = NULL;
	bool bounded = false, more;
	char cur[80];
	json_t *data;
	size_t i, shown = 0, acts = 0;
	int rc;

	if (e != &entity_companies && e != &entity_contacts && e != &entity_deals)
		return core_fail(cx, CRM_ENOTFOUND, "No timeline for %s", e->name);
	memset(&p, 0, sizeof(p));
	rc = parse_params(cx, &t);
	if (rc == CRM_OK)
		rc = access_check(cx, e, ACC_READ, id, false);
	if (rc == CRM_OK && t.want[RANK_ACTIVITY])
		rc = read_records(cx, &t, &p, &entity_activities,
		    RANK_ACTIVITY, "activity");
	if (rc == CRM_OK && t.want[RANK_CHANGE])
		rc = read_changes(cx, &t, &p);
	if (rc == CRM_OK && t.want[RANK_STAGE])
		rc = read_stages(cx, &t, &p);
	if (rc == CRM_OK && t.want[RANK_DOCUMENT])
		rc = read_documents(cx, &t, &p);
	if (rc == CRM_OK && t.want[RANK_TICKET])
		rc = read_records(cx, &t, &p, &entity_tickets, RANK_TICKET,
		    "ticket");
	if (rc == CRM_OK && t.want[RANK_MESSAGE])
		rc = read_messages(cx, &t, &p);
	if (rc != CRM_OK) {
		for (i = 0; i < p.n; i++)
			json_decref(p.e[i].json);
		free(p.e);
		return rc;
	}
	/* Nothing older than the last row read of a source with more rows. */
	for (int r = 0; r < NRANKS; r++)
		if (p.more[r] && (!bounded || key_cmp(&p.last[r], &bound) < 0)) {
			bound = p.last[r];
			bounded = true;
		}
	if (p.n > 0)
		qsort(p.e, p.n, sizeof(*p.e), entry_cmp);
	data = json_array();
	for (i = 0; i < p.n; i++) {
		if (shown == (size_t)t.limit ||
		    (bounded && key_cmp(&p.e[i].k, &bound) > 0))
			break;
		if (p.e[i].k.rank == RANK_ACTIVITY)
			acts++;
		json_array_append(data, p.e[i].json);
		last = &p.e[i].k;
		shown++;
	}
	more = bounded || i < p.n;
	/* Every row read was left out (hidden changes only): go on from there. */
	if (more && last == NULL)
		last = &bound;
	if (more)
		snprintf(cur, sizeof(cur), "%lld.%d.%lld", (long long)last->at,
		    last->rank, (long long)last->id);
	*out = json_pack("{s:o, s:o}", "data", data, "next_cursor", more ?
	    json_string(cur) : json_null());
	for (i = 0; i < p.n; i++)
		json_decref(p.e[i].json);
	free(p.e);
	return watch_reads(cx, &entity_activities, (int64_t)acts);
}
