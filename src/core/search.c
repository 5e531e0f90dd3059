/*
 * Cross-entity search. Two passes per entity: first rows where every word
 * is the start of a word (exact and prefix matches, what people mean when
 * they type a name), then rows where the words occur anywhere. Each pass
 * looks at a bounded number of matches (SCAN), never sorting the whole
 * match set, so a common fragment among a million contacts still answers
 * in milliseconds; the shortest titles among them are ranked here.
 */
#include "core/search.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/access.h"
#include "core/record.h"
#include "core/watch.h"
#include "util/alloc.h"
#include "util/log.h"
#include "util/text.h"

#define MAX_WORDS 8
#define SCAN 200	/* matches per pass and entity looked at for ranking */
#define CANDIDATES 50	/* the best of them kept for the final ranking */

struct hit_src {
	const struct entity	*entity;
	const char		*type;
	const char		*cols;		/* over t: id, title, ref */
	bool			 ref_company;	/* ref is a company id, not text */
	bool			 has_emails;	/* an emails column for the subtitle */
};

static const struct hit_src sources[] = {
	{ &entity_contacts, "contact",
	    "t.id AS id, TRIM(t.first_name || ' ' || t.last_name) AS title, "
	    "t.company_id AS ref", true, true },
	{ &entity_companies, "company",
	    "t.id AS id, t.name AS title, t.industry AS ref", false, true },
	{ &entity_deals, "deal",
	    "t.id AS id, t.title AS title, t.company_id AS ref", true, false },
	{ &entity_tickets, "ticket",
	    "t.id AS id, t.subject AS title, t.company_id AS ref", true, false },
};

static bool
seen(json_t *data, const char *type, int64_t id)
{
	size_t i;
	json_t *h;

	json_array_foreach(data, i, h)
		if (json_integer_value(json_object_get(h, "id")) == id &&
		    strcmp(json_string_value(json_object_get(h, "type")), type) == 0)
			return true;
	return false;
}

/* "ACME · ivan@acme.example": the context and the first email, if any. */
static json_t *
subtitle(db_stmt_t *st)
{
	char out[600];
	size_t elen;
	const char *ctx = db_col_text(st, 2, NULL);
	const char *emails = db_col_text(st, 3, &elen);
	json_t *arr = json_loadb(emails, elen, 0, NULL);
	const char *first = json_string_value(json_array_get(arr, 0));

	snprintf(out, sizeof(out), "%.250s%s%.250s", ctx,
	    ctx[0] != '\0' && first != NULL ? " \u00b7 " : "", first ? first : "");
	json_decref(arr);
	return json_string(out);
}

/*
 * One pass over one entity: up to CANDIDATES matching rows, newest first,
 * appended to data with a rank (pass, then title length: among names that
 * start with the query the shortest is the closest, an exact match
 * shortest of all).
 */
/*
 * Under a role that hides a searchable field, a row may match only through
 * it: such hits are read back as the actor sees them and checked again.
 */
static int
visible_match(struct core_ctx *cx, const struct hit_src *src, int64_t id,
    const char *const *words, const size_t *lens, size_t n, bool *yes)
{
	json_t *rec = NULL;
	int rc = rec_get(cx, src->entity, id, false, &rec);

	*yes = false;
	if (rc == CRM_ENOTFOUND)
		return CRM_OK;
	if (rc != CRM_OK)
		return rc;
	*yes = rec_matches_visible(src->entity, rec, words, lens, n);
	json_decref(rec);
	return CRM_OK;
}

/*
 * One pass over one entity: up to CANDIDATES matching rows, newest first,
 * appended to data with a rank (pass, then title length: among names that
 * start with the query the shortest is the closest, an exact match
 * shortest of all). Only rows the actor may read take part.
 */
static int
pass(struct core_ctx *cx, const struct hit_src *src, const char *const *words,
    const size_t *lens, size_t n, bool prefix, json_t *data)
{
	const struct entity *e = src->entity;
	enum acc_scope sc;
	struct dbq q;
	db_stmt_t *st;
	bool recheck = rec_search_hidden(cx, e);
	int rc = access_scope(cx, e, ACC_READ, &sc);

	if (rc != CRM_OK)
		return rc;
	dbq_init(&q);
	/*
	 * Inside out: the index yields the newest SCAN matches; the shortest
	 * titles among them are kept (an exact name wins even when many newer
	 * records merely start with it); only those few get their context.
	 */
	dbq_sql(&q, "SELECT y.id, y.title, ");
	if (src->ref_company) {
		dbq_sql(&q, "(SELECT c.name FROM companies c WHERE c.id = y.ref");
		rc = access_where(cx, &entity_companies, ACC_READ, "c", &q);
		dbq_sql(&q, ")");
	} else {
		dbq_sql(&q, "y.ref");
	}
	dbq_sql(&q, ", y.emails FROM (SELECT x.* FROM (SELECT %s, %s AS emails "
	    "FROM (", src->cols, !src->has_emails || access_field(cx, e,
	    "emails") == FIELD_HIDDEN ? "'[]'" : "t.emails");
	db_search_ids(cx->db, &q, e->name, words, lens, n, prefix);
	if (sc == SCOPE_ALL) {
		dbq_sql(&q, " LIMIT ?) s JOIN %s t ON t.id = s.id WHERE "
		    "t.deleted_at IS NULL", e->name);
		dbq_int(&q, SCAN);
	} else {
		/*
		 * A restricted actor's matches may all be older than the newest
		 * SCAN: the rule filters before the limit.
		 */
		dbq_sql(&q, ") s JOIN %s t ON t.id = s.id WHERE t.deleted_at IS "
		    "NULL", e->name);
		if (rc == CRM_OK)
			rc = access_where(cx, e, ACC_READ, "t", &q);
		dbq_sql(&q, " LIMIT ?");
		dbq_int(&q, SCAN);
	}
	dbq_sql(&q, ") x ORDER BY length(x.title), x.id DESC LIMIT ?) y");
	dbq_int(&q, CANDIDATES);
	if (rc == CRM_OK && db_prepare_q(cx->db, &q, &st) != DB_OK) {
		log_error("database: search: %s", db_errmsg(cx->db));
		rc = core_fail(cx, CRM_EDB, "The search failed");
	}
	dbq_free(&q);
	if (rc != CRM_OK)
		return rc;
	while ((rc = db_step(st)) == DB_ROW) {
		int64_t id = db_col_int(st, 0);
		size_t tlen;
		const char *title = db_col_text(st, 1, &tlen);
		json_t *hit;
		bool yes = true;

		if (seen(data, src->type, id))
			continue;
		if (recheck && (visible_match(cx, src, id, words, lens, n,
		    &yes) != CRM_OK || !yes))
			continue;
		hit = json_pack("{s:s, s:I, s:s%, s:o, s:i, s:I}", "type", src->type,
		    "id", (json_int_t)id, "title", title, tlen, "subtitle",
		    subtitle(st), "_pass", prefix ? 0 : 1, "_len",
		    (json_int_t)text_utf8_count(title, tlen));
		if (hit != NULL)
			json_array_append_new(data, hit);
	}
	db_done(st);
	if (rc != DB_ROW && rc != DB_DONE) {
		log_error("database: search step: %s", db_errmsg(cx->db));
		return core_fail(cx, CRM_EDB, "The search failed");
	}
	return CRM_OK;
}

static int64_t
rank_of(json_t *h, const char *key)
{
	return json_integer_value(json_object_get(h, key));
}

/* Word starts first, then shorter titles, then newer records. */
static int
by_rank(const void *a, const void *b)
{
	json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
	int64_t d = rank_of(x, "_pass") - rank_of(y, "_pass");

	if (d == 0)
		d = rank_of(x, "_len") - rank_of(y, "_len");
	if (d == 0)
		d = rank_of(y, "id") - rank_of(x, "id");
	return d < 0 ? -1 : d > 0;
}

static bool
all_short(const char *const *words, const size_t *lens, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (text_utf8_count(words[i], lens[i]) >= 3)
			return false;
	return true;
}

int
search_all(struct core_ctx *cx, const char *q, int limit, json_t **out)
{
	const char *words[MAX_WORDS];
	size_t lens[MAX_WORDS], n;
	char digits[64];
	json_t *data, **hits;
	size_t nhits;
	int rc = CRM_OK;

	if (strlen(q) > 200 || !text_utf8_valid(q, strlen(q)))
		return core_fail(cx, CRM_EBADQUERY, "q: must be at most 200 bytes "
		    "of text");
	data = json_array();
	n = search_words(q, digits, sizeof(digits), words, lens, MAX_WORDS);
	for (int prefix = 1; prefix >= 0 && n > 0 && rc == CRM_OK; prefix--) {
		/*
		 * Matches inside words rank after every word start: when word
		 * starts fill the page, or when every word is short (the two
		 * passes would be the same), the second pass cannot add a hit.
		 */
		if (!prefix && ((int)json_array_size(data) >= limit ||
		    all_short(words, lens, n)))
			break;
		for (size_t s = 0; s < sizeof(sources) / sizeof(*sources) &&
		    rc == CRM_OK; s++)
			rc = pass(cx, &sources[s], words, lens, n, prefix, data);
	}
	if (rc != CRM_OK) {
		json_decref(data);
		return rc;
	}
	nhits = json_array_size(data);
	hits = xcalloc(nhits, sizeof(*hits));
	for (size_t i = 0; i < nhits; i++)
		hits[i] = json_incref(json_array_get(data, i));
	qsort(hits, nhits, sizeof(*hits), by_rank);
	json_array_clear(data);
	for (size_t i = 0; i < nhits; i++) {
		if ((int)i < limit) {
			json_object_del(hits[i], "_pass");
			json_object_del(hits[i], "_len");
			json_array_append(data, hits[i]);
		}
		json_decref(hits[i]);
	}
	free(hits);
	/* Titles and subtitles are reads too. */
	for (size_t s = 0; s < sizeof(sources) / sizeof(*sources) && rc == CRM_OK;
	    s++) {
		int64_t reads = 0;
		size_t i;
		json_t *h;

		json_array_foreach(data, i, h)
			reads += strcmp(json_string_value(json_object_get(h, "type")),
			    sources[s].type) == 0;
		rc = watch_reads(cx, sources[s].entity, reads);
	}
	if (rc != CRM_OK) {
		json_decref(data);
		return rc;
	}
	*out = json_pack("{s:o}", "data", data);
	return CRM_OK;
}
