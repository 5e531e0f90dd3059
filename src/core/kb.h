/*
 * The knowledge base: categories and articles an administrator writes and
 * the staff read. An article is written in Markdown and kept with its HTML,
 * rendered on every write by cmark in its safe mode (raw HTML dropped,
 * javascript:, vbscript:, file: and most data: links emptied), so a reader
 * is only ever handed sanitised HTML. Visibility: "public" articles are read
 * by everyone signed in, "internal" ones by the service desk's staff (an
 * administrator, or a role that may read tickets); to anyone else an
 * internal article does not exist (CRM_ENOTFOUND).
 *
 * Search is a first cut: each article keeps a normalised text (title and
 * body, letters folded to lower case for Latin, Greek and Cyrillic; other
 * scripts as written), and every word of the query must occur in it
 * (LIKE, portable to both stores). It finds any language, inside words
 * too, without an index; the record engine's FTS is the next step when the
 * base grows past thousands of articles.
 *
 * A training article carries a quiz: questions with choices and the index
 * of the right one. Readers get the questions without the answers; what a
 * person answered and their score are kept (kb_quiz_results), and read by
 * the person, by the heads of the person's department and by
 * administrators.
 *
 * Categories and the writes of articles run on the desk's admin engine
 * (core/desk.h): administrators only, checked, audited ("kb_articles.create",
 * ...).
 */
#ifndef CORE_KB_H
#define CORE_KB_H

#include <jansson.h>

#include "core/core.h"
#include "core/desk.h"

struct buf;

#define KB_BODY_MAX 200000	/* characters of an article's Markdown */
#define KB_QUERY_WORDS 8	/* words of a search that count */

extern const struct dtable dtable_kb_categories;
extern const struct dtable dtable_kb_articles;

/*
 * Markdown md (len bytes, valid UTF-8) as sanitised HTML in a new string
 * (free it), or NULL when out of memory.
 */
char *kb_render(const char *md, size_t len);

/*
 * Appends s (len bytes of valid UTF-8) to out folded for search: lower
 * case for Latin (ASCII and Latin-1), Greek and Cyrillic letters. -1 when
 * out's cap is reached.
 */
int kb_fold(const char *s, size_t len, struct buf *out);

/*
 * {"data": [{id, title, category_id, visibility, has_quiz, updated_at}]}:
 * the articles the actor may read, newest change first, at most 200;
 * q (may be NULL or empty) keeps those holding every word of it;
 * category_id > 0 keeps one category. CRM_EBADQUERY for a q too long.
 */
int kb_article_list(struct core_ctx *cx, const char *q, int64_t category_id,
    json_t **out);
/* One article the actor may read (the quiz without answers unless admin). */
int kb_article_get(struct core_ctx *cx, int64_t id, json_t **out);

/*
 * Records the actor's answers to article id's quiz ({"answers": [choice
 * index per question]}) and answers {score, total, correct: [bool]}.
 * CRM_EINVAL when the answers do not fit the quiz; CRM_ENOTFOUND for an
 * article without a quiz or one the actor may not read. Audited.
 */
int kb_quiz_submit(struct core_ctx *cx, int64_t id, json_t *in, json_t **out);
/*
 * {"data": [{id, user_id, name, score, total, answers, created_at}]}: the
 * results of article id the actor may see (their own, their departments'
 * as a head, all as an administrator), oldest first.
 */
int kb_quiz_results(struct core_ctx *cx, int64_t id, json_t **out);

#endif
