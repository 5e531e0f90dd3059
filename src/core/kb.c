/*
 * The knowledge base (see kb.h): the two admin tables on the desk's
 * engine, the Markdown rendering that makes every article's HTML safe
 * before it is stored, the folded text search reads, and the quizzes of
 * training articles.
 */
#include "core/kb.h"

#include <cmark.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/access.h"
#include "core/audit.h"
#include "core/record.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/text.h"
#include "util/timeutil.h"

#define LIST_MAX 200		/* articles a list answers */
#define QUERY_MAX 200		/* bytes of a search */
#define SEARCH_TEXT_MAX (4 * 1024 * 1024)
#define QUIZ_QUESTIONS_MAX 50
#define QUIZ_CHOICES_MAX 10
#define QUIZ_TEXT_MAX 500

static int
db_fail(struct core_ctx *cx, const char *what)
{
	log_error("database: kb %s: %s", what, db_errmsg(cx->db));
	return core_fail(cx, CRM_EDB, "The database failed; nothing was changed");
}

/* ---- Markdown ---- */

char *
kb_render(const char *md, size_t len)
{
	/*
	 * CMARK_OPT_DEFAULT is the safe mode since cmark 0.29: raw HTML
	 * becomes a comment and dangerous URLs an empty attribute. The
	 * options never include CMARK_OPT_UNSAFE.
	 */
	/* cmark's default allocator is malloc: the caller frees with free(). */
	return cmark_markdown_to_html(md, len, CMARK_OPT_DEFAULT |
	    CMARK_OPT_VALIDATE_UTF8);
}

/* ---- search text ---- */

/* The lower case of code point c for the scripts kb.h names, else c. */
static unsigned
fold_cp(unsigned c)
{
	if (c >= 'A' && c <= 'Z')
		return c + 32;
	if (c >= 0xc0 && c <= 0xde && c != 0xd7)	/* Latin-1 capitals */
		return c + 32;
	if (c >= 0x391 && c <= 0x3ab && c != 0x3a2)	/* Greek */
		return c + 32;
	if (c >= 0x410 && c <= 0x42f)			/* Cyrillic А..Я */
		return c + 32;
	if (c >= 0x400 && c <= 0x40f)			/* Ѐ..Џ, Ё */
		return c + 80;
	return c;
}

static int
put_cp(struct buf *out, unsigned c)
{
	char b[4];
	size_t n;

	if (c < 0x80) {
		b[0] = (char)c;
		n = 1;
	} else if (c < 0x800) {
		b[0] = (char)(0xc0 | (c >> 6));
		b[1] = (char)(0x80 | (c & 0x3f));
		n = 2;
	} else if (c < 0x10000) {
		b[0] = (char)(0xe0 | (c >> 12));
		b[1] = (char)(0x80 | ((c >> 6) & 0x3f));
		b[2] = (char)(0x80 | (c & 0x3f));
		n = 3;
	} else {
		b[0] = (char)(0xf0 | (c >> 18));
		b[1] = (char)(0x80 | ((c >> 12) & 0x3f));
		b[2] = (char)(0x80 | ((c >> 6) & 0x3f));
		b[3] = (char)(0x80 | (c & 0x3f));
		n = 4;
	}
	return buf_append(out, b, n);
}

int
kb_fold(const char *s, size_t len, struct buf *out)
{
	size_t i = 0;

	while (i < len) {
		unsigned char c = (unsigned char)s[i];
		unsigned cp;
		size_t n;

		/* The input is valid UTF-8 (checked on the way in). */
		if (c < 0x80) {
			cp = c;
			n = 1;
		} else if ((c & 0xe0) == 0xc0) {
			cp = c & 0x1f;
			n = 2;
		} else if ((c & 0xf0) == 0xe0) {
			cp = c & 0x0f;
			n = 3;
		} else {
			cp = c & 0x07;
			n = 4;
		}
		if (i + n > len)
			return -1;
		for (size_t k = 1; k < n; k++)
			cp = (cp << 6) | ((unsigned char)s[i + k] & 0x3f);
		if (put_cp(out, fold_cp(cp)) != 0)
			return -1;
		i += n;
	}
	return 0;
}

/* ---- the quiz of a training article ---- */

/* The shape of a quiz: [{question, choices: [2..10 texts], answer}]. */
static void
check_quiz(struct core_ctx *cx, json_t *quiz)
{
	size_t i;
	json_t *q;

	if (quiz == NULL || json_is_null(quiz))
		return;
	if (!json_is_array(quiz) || json_array_size(quiz) == 0 ||
	    json_array_size(quiz) > QUIZ_QUESTIONS_MAX) {
		verrs_add(&cx->errs, "quiz", "must be a list of 1 to %d questions, "
		    "or null", QUIZ_QUESTIONS_MAX);
		return;
	}
	json_array_foreach(quiz, i, q) {
		json_t *choices = json_object_get(q, "choices");
		json_t *answer = json_object_get(q, "answer");
		char field[48];
		size_t k;
		json_t *c;

		snprintf(field, sizeof(field), "quiz[%zu]", i);
		if (!json_is_object(q) || json_object_size(q) != 3 ||
		    !core_text_ok(json_object_get(q, "question"), QUIZ_TEXT_MAX)) {
			verrs_add(&cx->errs, field, "must be {question (text up to "
			    "%d characters), choices, answer}", QUIZ_TEXT_MAX);
			continue;
		}
		if (!json_is_array(choices) || json_array_size(choices) < 2 ||
		    json_array_size(choices) > QUIZ_CHOICES_MAX) {
			verrs_add(&cx->errs, field, "choices must be 2 to %d texts",
			    QUIZ_CHOICES_MAX);
			continue;
		}
		json_array_foreach(choices, k, c)
			if (!core_text_ok(c, QUIZ_TEXT_MAX))
				break;
		if (k < json_array_size(choices)) {
			verrs_add(&cx->errs, field, "choice %zu must be text of 1 to "
			    "%d characters", k, QUIZ_TEXT_MAX);
			continue;
		}
		if (!json_is_integer(answer) || json_integer_value(answer) < 0 ||
		    (size_t)json_integer_value(answer) >= json_array_size(choices))
			verrs_add(&cx->errs, field, "answer must be the index of one "
			    "of its choices");
	}
}

/* ---- the admin tables ---- */

static int
category_check(struct core_ctx *cx, json_t *merged)
{
	(void)cx;
	(void)merged;
	return CRM_OK;
}

static const struct dcol category_cols[] = {
	{ "name", DC_TEXT, true, 120 },
	{ "position", DC_INT, false, 0 },
};

const struct dtable dtable_kb_categories = {
	.table = "kb_categories",
	.singular = "category",
	.cols = category_cols,
	.ncols = sizeof(category_cols) / sizeof(*category_cols),
	.check = category_check,
	.in_use_sql = "SELECT COUNT(*) FROM kb_articles WHERE category_id = ?",
	.order_by = "position, name, id",
};

/*
 * The rules of an article, and what it derives: the HTML and the search
 * text are computed here from the Markdown on every write, whatever the
 * request held under those names.
 */
static int
article_check(struct core_ctx *cx, json_t *merged)
{
	json_t *vis = json_object_get(merged, "visibility");
	json_t *body = json_object_get(merged, "body");
	json_t *title = json_object_get(merged, "title");
	json_t *cat = json_object_get(merged, "category_id");
	struct buf text;
	char *html;
	int64_t found = 0;
	int rc;

	if (vis == NULL || json_is_null(vis))
		json_object_set_new(merged, "visibility", json_string("internal"));
	else if (!json_is_string(vis) || (strcmp(json_string_value(vis),
	    "internal") != 0 && strcmp(json_string_value(vis), "public") != 0))
		verrs_add(&cx->errs, "visibility", "must be internal or public");
	check_quiz(cx, json_object_get(merged, "quiz"));
	if (json_is_integer(cat)) {
		rc = desk_exec(cx, "SELECT COUNT(*) FROM kb_categories WHERE id = ?",
		    json_integer_value(cat), 0, &found);
		if (rc != CRM_OK)
			return rc;
		if (found == 0)
			verrs_add(&cx->errs, "category_id", "is not a category");
	}
	if (cx->errs.n > 0 || !json_is_string(body) || !json_is_string(title))
		return CRM_OK;
	html = kb_render(json_string_value(body), json_string_length(body));
	if (html == NULL)
		return core_fail(cx, CRM_EDB, "The article could not be rendered");
	json_object_set_new(merged, "body_html", json_string(html));
	free(html);
	buf_init(&text, SEARCH_TEXT_MAX);
	if (kb_fold(json_string_value(title), json_string_length(title),
	    &text) != 0 || buf_putc(&text, '\n') != 0 ||
	    kb_fold(json_string_value(body), json_string_length(body),
	    &text) != 0) {
		buf_free(&text);
		verrs_add(&cx->errs, "body", "is too long to search");
		return CRM_OK;
	}
	json_object_set_new(merged, "search_text", json_stringn(text.data,
	    text.len));
	buf_free(&text);
	return CRM_OK;
}

/* The search text is the store's business, not the reader's. */
static int
article_decorate(struct core_ctx *cx, json_t *row)
{
	(void)cx;
	json_object_del(row, "search_text");
	return CRM_OK;
}

static const struct dcol article_cols[] = {
	{ "title", DC_TEXT, true, 200 },
	{ "category_id", DC_INT, false, 0 },
	{ "visibility", DC_TEXT, false, 10 },
	{ "body", DC_TEXT, true, KB_BODY_MAX },
	{ "body_html", DC_TEXT, false, 4 * KB_BODY_MAX },
	{ "search_text", DC_TEXT, false, 4 * KB_BODY_MAX },
	{ "quiz", DC_JSON, false, 0 },
};

const struct dtable dtable_kb_articles = {
	.table = "kb_articles",
	.singular = "article",
	.cols = article_cols,
	.ncols = sizeof(article_cols) / sizeof(*article_cols),
	.check = article_check,
	.decorate = article_decorate,
	.before_delete_sql = "DELETE FROM kb_quiz_results WHERE article_id = ?",
	.order_by = "title, id",
};

/* ---- reading ---- */

/* May the actor read internal articles (the desk's staff)? */
static int
is_staff(struct core_ctx *cx, bool *out)
{
	enum acc_scope scope = SCOPE_NONE;
	int rc;

	*out = cx->actor.is_admin || cx->actor.user_id == 0;
	if (*out)
		return CRM_OK;
	rc = access_scope(cx, &entity_tickets, ACC_READ, &scope);
	if (rc != CRM_OK)
		return rc;
	*out = scope != SCOPE_NONE;
	return CRM_OK;
}

/* Drops the right answers from a quiz a reader is about to take. */
static void
hide_answers(json_t *article)
{
	json_t *quiz = json_object_get(article, "quiz");
	size_t i;
	json_t *q;

	json_array_foreach(quiz, i, q)
		json_object_del(q, "answer");
}

int
kb_article_get(struct core_ctx *cx, int64_t id, json_t **out)
{
	const char *vis;
	bool staff;
	int rc;

	*out = NULL;
	rc = is_staff(cx, &staff);
	if (rc != CRM_OK)
		return rc;
	rc = dtable_read(cx, &dtable_kb_articles, id, out);
	if (rc != CRM_OK)
		return rc;
	vis = json_string_value(json_object_get(*out, "visibility"));
	if (!staff && (vis == NULL || strcmp(vis, "public") != 0)) {
		json_decref(*out);
		*out = NULL;
		return core_fail(cx, CRM_ENOTFOUND, "No such article");
	}
	if (!cx->actor.is_admin && cx->actor.user_id != 0)
		hide_answers(*out);
	return CRM_OK;
}

/* Adds " AND search_text LIKE ?" per word of q, escaped for LIKE. */
static int
add_words(struct core_ctx *cx, struct dbq *q, const char *query)
{
	struct buf folded, pat;
	const char *p, *end;
	int words = 0;

	buf_init(&folded, 4 * QUERY_MAX);
	if (kb_fold(query, strlen(query), &folded) != 0) {
		buf_free(&folded);
		return core_fail(cx, CRM_EBADQUERY, "q: too long");
	}
	p = folded.data;
	end = folded.data + folded.len;
	while (p < end && words < KB_QUERY_WORDS) {
		const char *w;

		while (p < end && (*p == ' ' || *p == '\t' || *p == '\n'))
			p++;
		w = p;
		while (p < end && *p != ' ' && *p != '\t' && *p != '\n')
			p++;
		if (p == w)
			break;
		buf_init(&pat, 4 * QUERY_MAX + 8);
		buf_putc(&pat, '%');
		for (const char *c = w; c < p; c++) {
			if (*c == '%' || *c == '_' || *c == '\\')
				buf_putc(&pat, '\\');
			buf_putc(&pat, *c);
		}
		buf_putc(&pat, '%');
		dbq_sql(q, " AND search_text LIKE ? ESCAPE '\\'");
		dbq_text(q, pat.data, pat.len);
		buf_free(&pat);
		words++;
	}
	buf_free(&folded);
	return CRM_OK;
}

int
kb_article_list(struct core_ctx *cx, const char *query, int64_t category_id,
    json_t **out)
{
	json_t *data;
	struct dbq q;
	db_stmt_t *st;
	char ts[TIME_RFC3339_LEN];
	bool staff;
	int rc;

	*out = NULL;
	if (query != NULL && (strlen(query) > QUERY_MAX ||
	    !text_utf8_valid(query, strlen(query))))
		return core_fail(cx, CRM_EBADQUERY, "q: up to %d bytes of text",
		    QUERY_MAX);
	rc = is_staff(cx, &staff);
	if (rc != CRM_OK)
		return rc;
	dbq_init(&q);
	dbq_sql(&q, "SELECT id, title, category_id, visibility, quiz IS NOT "
	    "NULL, updated_at FROM kb_articles WHERE 1 = 1");
	if (!staff)
		dbq_sql(&q, " AND visibility = 'public'");
	if (category_id > 0) {
		dbq_sql(&q, " AND category_id = ?");
		dbq_int(&q, category_id);
	}
	if (query != NULL && *query != '\0') {
		rc = add_words(cx, &q, query);
		if (rc != CRM_OK) {
			dbq_free(&q);
			return rc;
		}
	}
	dbq_sql(&q, " ORDER BY updated_at DESC, id DESC LIMIT %d", LIST_MAX);
	if (db_prepare_q(cx->db, &q, &st) != DB_OK) {
		dbq_free(&q);
		return db_fail(cx, "list");
	}
	dbq_free(&q);
	data = json_array();
	while ((rc = db_step(st)) == DB_ROW) {
		size_t tl, vl;
		const char *title = db_col_text(st, 1, &tl);
		const char *vis = db_col_text(st, 3, &vl);

		time_format(db_col_int(st, 5), ts, sizeof(ts));
		json_array_append_new(data, json_pack("{s:I, s:s%, s:o, s:s%, "
		    "s:b, s:s}", "id", (json_int_t)db_col_int(st, 0), "title",
		    title, tl, "category_id", db_col_null(st, 2) ? json_null() :
		    json_integer(db_col_int(st, 2)), "visibility", vis, vl,
		    "has_quiz", db_col_int(st, 4) != 0, "updated_at", ts));
	}
	db_done(st);
	if (rc != DB_DONE) {
		json_decref(data);
		return db_fail(cx, "list step");
	}
	*out = json_pack("{s:o}", "data", data);
	return CRM_OK;
}

/* ---- quizzes ---- */

int
kb_quiz_submit(struct core_ctx *cx, int64_t id, json_t *in, json_t **out)
{
	json_t *article = NULL, *full = NULL, *quiz, *answers, *correct = NULL;
	json_t *q, *detail;
	db_stmt_t *st = NULL;
	size_t i;
	char *text = NULL;
	int64_t score = 0;
	int rc;

	*out = NULL;
	if (cx->actor.user_id == 0)
		return core_fail(cx, CRM_EFORBIDDEN, "A quiz is taken by a person");
	rc = kb_article_get(cx, id, &article);	/* the read right */
	if (rc != CRM_OK)
		return rc;
	json_decref(article);
	rc = dtable_read(cx, &dtable_kb_articles, id, &full);	/* with answers */
	if (rc != CRM_OK)
		return rc;
	quiz = json_object_get(full, "quiz");
	if (!json_is_array(quiz)) {
		json_decref(full);
		return core_fail(cx, CRM_ENOTFOUND, "This article has no quiz");
	}
	answers = json_object_get(in, "answers");
	if (json_object_size(in) != 1 || !json_is_array(answers) ||
	    json_array_size(answers) != json_array_size(quiz)) {
		verrs_add(&cx->errs, "answers", "must be one choice index per "
		    "question (%zu)", json_array_size(quiz));
		json_decref(full);
		return core_invalid(cx);
	}
	correct = json_array();
	json_array_foreach(quiz, i, q) {
		json_t *a = json_array_get(answers, i);
		size_t n = json_array_size(json_object_get(q, "choices"));
		bool right;

		if (!json_is_integer(a) || json_integer_value(a) < 0 ||
		    (size_t)json_integer_value(a) >= n) {
			verrs_add(&cx->errs, "answers", "answer %zu must be the index "
			    "of one of its %zu choices", i, n);
			continue;
		}
		right = json_integer_value(a) ==
		    json_integer_value(json_object_get(q, "answer"));
		score += right;
		json_array_append_new(correct, json_boolean(right));
	}
	if (cx->errs.n > 0) {
		json_decref(full);
		json_decref(correct);
		return core_invalid(cx);
	}
	text = json_dumps(answers, JSON_COMPACT);
	if (text == NULL || db_begin(cx->db) != DB_OK) {
		free(text);
		json_decref(full);
		json_decref(correct);
		return db_fail(cx, "begin");
	}
	if (db_prepare(cx->db, "INSERT INTO kb_quiz_results (article_id, user_id, "
	    "answers, score, total, created_at) VALUES (?, ?, ?, ?, ?, ?)",
	    &st) != DB_OK) {
		rc = db_fail(cx, "quiz");
	} else {
		db_bind_int(st, 1, id);
		db_bind_int(st, 2, cx->actor.user_id);
		db_bind_text(st, 3, text, strlen(text));
		db_bind_int(st, 4, score);
		db_bind_int(st, 5, (int64_t)json_array_size(quiz));
		db_bind_int(st, 6, time_now_ms());
		rc = db_step(st) == DB_DONE ? CRM_OK : db_fail(cx, "quiz step");
		db_done(st);
	}
	if (rc == CRM_OK) {
		detail = json_pack("{s:I, s:I}", "score", (json_int_t)score,
		    "total", (json_int_t)json_array_size(quiz));
		rc = audit_append(cx, "kb_articles.quiz", "kb_articles", id, detail);
		json_decref(detail);
	}
	if (rc == CRM_OK)
		*out = json_pack("{s:I, s:I, s:O}", "score", (json_int_t)score,
		    "total", (json_int_t)json_array_size(quiz), "correct", correct);
	free(text);
	json_decref(full);
	json_decref(correct);
	return core_txn_end(cx, rc, out);
}

int
kb_quiz_results(struct core_ctx *cx, int64_t id, json_t **out)
{
	json_t *article = NULL, *data;
	db_stmt_t *st;
	char ts[TIME_RFC3339_LEN];
	int rc;

	*out = NULL;
	rc = kb_article_get(cx, id, &article);
	if (rc != CRM_OK)
		return rc;
	json_decref(article);
	/*
	 * One's own results; a head's, those of the people of the departments
	 * they head; an administrator's, everyone's.
	 */
	if (db_prepare(cx->db, "SELECT r.id, r.user_id, u.name, r.score, "
	    "r.total, r.answers, r.created_at FROM kb_quiz_results r JOIN users "
	    "u ON u.id = r.user_id WHERE r.article_id = ? AND (? = 1 OR "
	    "r.user_id = ? OR u.department_id IN (SELECT h.department_id FROM "
	    "department_heads h WHERE h.user_id = ?)) ORDER BY r.id LIMIT 5000",	/* a bound answer */
	    &st) != DB_OK)
		return db_fail(cx, "results");
	db_bind_int(st, 1, id);
	db_bind_int(st, 2, cx->actor.is_admin || cx->actor.user_id == 0);
	db_bind_int(st, 3, cx->actor.user_id);
	db_bind_int(st, 4, cx->actor.user_id);
	data = json_array();
	while ((rc = db_step(st)) == DB_ROW) {
		size_t nl, al;
		const char *name = db_col_text(st, 2, &nl);
		const char *answers = db_col_text(st, 5, &al);
		json_t *a = json_loadb(answers, al, 0, NULL);

		time_format(db_col_int(st, 6), ts, sizeof(ts));
		json_array_append_new(data, json_pack("{s:I, s:I, s:s%, s:I, s:I, "
		    "s:o, s:s}", "id", (json_int_t)db_col_int(st, 0), "user_id",
		    (json_int_t)db_col_int(st, 1), "name", name, nl, "score",
		    (json_int_t)db_col_int(st, 3), "total",
		    (json_int_t)db_col_int(st, 4), "answers", a != NULL ? a :
		    json_null(), "created_at", ts));
	}
	db_done(st);
	if (rc != DB_DONE) {
		json_decref(data);
		return db_fail(cx, "results step");
	}
	*out = json_pack("{s:o}", "data", data);
	return CRM_OK;
}
