-- The knowledge base (docs/api.md "Knowledge base"): categories, articles
-- written in Markdown and kept with their sanitised HTML and a normalised
-- text for search, and the answers people gave to a training article's quiz.

CREATE TABLE kb_categories (
	id		INTEGER PRIMARY KEY,
	name		TEXT NOT NULL UNIQUE,
	position	INTEGER,
	version		INTEGER NOT NULL DEFAULT 1,
	created_at	BIGINT NOT NULL,
	updated_at	BIGINT NOT NULL
);

CREATE TABLE kb_articles (
	id		INTEGER PRIMARY KEY,
	title		TEXT NOT NULL UNIQUE,
	category_id	BIGINT REFERENCES kb_categories(id),
	visibility	TEXT NOT NULL,
	body		TEXT NOT NULL,
	body_html	TEXT NOT NULL,
	search_text	TEXT NOT NULL,
	quiz		TEXT,
	version		INTEGER NOT NULL DEFAULT 1,
	created_at	BIGINT NOT NULL,
	updated_at	BIGINT NOT NULL
);
CREATE INDEX kb_articles_category ON kb_articles(category_id, id);

CREATE TABLE kb_quiz_results (
	id		INTEGER PRIMARY KEY,
	article_id	BIGINT NOT NULL REFERENCES kb_articles(id),
	user_id		BIGINT NOT NULL REFERENCES users(id),
	answers		TEXT NOT NULL,
	score		INTEGER NOT NULL,
	total		INTEGER NOT NULL,
	created_at	BIGINT NOT NULL
);
CREATE INDEX kb_quiz_results_article ON kb_quiz_results(article_id, user_id, id);
