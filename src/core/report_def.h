/*
 * Report descriptions (issue 11; the language is in docs/reports.md): a
 * JSON object saying what to count, checked here and compiled to SQL.
 *
 * report_def_parse checks every part of a description against the entity
 * descriptors (core/record.h), the custom field definitions and a fixed
 * table of joins, and against the actor's field rules: a field their role
 * hides does not exist for them. Each problem is one entry of cx->errs,
 * named by its path ("group_by[1].bucket").
 *
 * report_def_compile writes the statement. Every identifier in it comes
 * from a descriptor or the join table; every value (a filter's, a custom
 * field's key, a time zone) is a bound parameter, so no text of the
 * description ever reaches the SQL text. The rights are inside it: the
 * base rows through access_where (read, and export when asked), and each
 * joined company, contact or deal through access_where in its join
 * condition, so one the actor may not read contributes nothing but the
 * id the base row holds.
 */
#ifndef CORE_REPORT_DEF_H
#define CORE_REPORT_DEF_H

#include <jansson.h>

#include "core/record.h"

#define RD_MAX_JSON 16384	/* bytes of a description's JSON */
#define RD_MAX_DEPTH 6		/* nesting of a description */
#define RD_MAX_JOINS 5
#define RD_MAX_COLUMNS 30
#define RD_MAX_FILTERS 20
#define RD_MAX_GROUPS 3
#define RD_MAX_AGGS 10
#define RD_MAX_SORT 3
#define RD_MAX_IN 50		/* values of one "in" filter */
#define RD_MAX_TEXT 200		/* characters of a filter's text value */
#define RD_MAX_LIMIT 10000
#define RD_DEFAULT_LIMIT 1000
#define RD_MAX_EXPLAIN 500
#define RD_NAME_MAX 65		/* a field name, NUL included */
#define RD_KEY_MAX 96		/* an output column's key, NUL included */

enum rd_type {
	RT_TEXT, RT_INT, RT_NUMBER, RT_DATE, RT_TIME, RT_ID, RT_LIST,
};

/* Where a field's value comes from (resolved by the parser). */
struct rd_field {
	char			 name[RD_NAME_MAX];	/* as given: "owner.name" */
	int			 join;		/* -1: the base entity; else a join */
	const char		*col;		/* column name (static), or NULL */
	const char		*expr;		/* or an expression over "%s" (the
						 * join's alias), static */
	bool			 custom;	/* t.custom -> cf_key [-> "amount"] */
	char			 cf_key[RD_NAME_MAX];
	bool			 cf_money;
	enum rd_type		 type;
	/* The list filter naming this field, for drill-downs; NULL if none. */
	const char		*list_key;
};

enum rd_op {
	ROP_EQ, ROP_NE, ROP_LT, ROP_LTE, ROP_GT, ROP_GTE, ROP_IN, ROP_PREFIX, ROP_EMPTY,
	ROP_PERIOD,
};

struct rd_filter {
	struct rd_field	 f;
	enum rd_op	 op;
	json_t		*value;		/* borrowed from the description */
};

struct rd_group {
	struct rd_field	 f;
	const char	*bucket;	/* static "month", or NULL */
	char		 key[RD_KEY_MAX];
};

enum rd_fn { FN_COUNT, FN_COUNT_DISTINCT, FN_SUM, FN_AVG, FN_MIN, FN_MAX };

struct rd_agg {
	enum rd_fn	 fn;
	bool		 has_field;
	struct rd_field	 f;
	char		 key[RD_KEY_MAX];
};

struct rd_sort {
	int	 col;		/* output column, 0-based */
	bool	 desc;
};

struct report_def {
	json_t			*desc;		/* the description (a reference) */
	const struct entity	*e;
	int			 joins[RD_MAX_JOINS];	/* into the join table */
	int			 njoins;
	struct rd_field		 columns[RD_MAX_COLUMNS];
	int			 ncolumns;
	struct rd_filter	 filters[RD_MAX_FILTERS];
	int			 nfilters;
	struct rd_group		 groups[RD_MAX_GROUPS];
	int			 ngroups;
	struct rd_agg		 aggs[RD_MAX_AGGS];
	int			 naggs;
	struct rd_sort		 sort[RD_MAX_SORT];
	int			 nsort;
	int			 limit;
	const char		*chart;		/* static */
};

/*
 * The library's filters of one run (docs/reports.md "Filters"), checked by
 * the core: 0 or NULL when not given. Each narrows the rows inside the
 * statement, as bound values, never by dropping rows afterwards.
 */
struct rd_filters {
	int64_t		 owner_id;
	int64_t		 department_id;	/* owners in it or below it */
	int64_t		 pipeline_id;
	const char	*source;
	const char	*segment;	/* the company's custom "tier" */
};

/*
 * Where those filters apply in a statement: static column expressions
 * over its aliases ("t.owner_id"); NULL where a filter does not apply.
 * company is the company whose tier is the segment ("t.company_id", or
 * "t.id" for companies).
 */
struct rd_filter_cols {
	const char	*owner;
	const char	*pipeline;
	const char	*source;
	const char	*company;
};

/* When and where a report runs: relative periods and buckets use them. */
struct rd_env {
	const char	*tz;		/* IANA zone name, checked; NULL: UTC */
	int64_t		 now_ms;
	bool		 export_scope;	/* narrow to the export right too */
	const struct rd_filters *lib;	/* the library's, or NULL */
};

/*
 * Appends " AND ..." for each filter of f that is given, over the columns
 * of c (report_filters.c). Every value is bound.
 */
void rd_filters_sql(struct core_ctx *cx, const struct rd_filters *f,
    const struct rd_filter_cols *c, struct dbq *q);
/* The columns of the filters on a record entity's own table, alias t. */
const struct rd_filter_cols *rd_filter_cols_of(const struct entity *e);
/*
 * Adds the given filters of f to every drill object of an answer (the list
 * names them alike: owner_id, department_id, pipeline_id, source,
 * segment), those c says apply.
 */
void rd_filters_drill(json_t *res, const struct rd_filters *f,
    const struct rd_filter_cols *c);

/*
 * Checks desc (borrowed; a reference is kept in *out) for the actor.
 * prefix ("definition", or "") starts each error's path. CRM_EINVAL with
 * cx->errs; on success *out is the parsed report (report_def_free).
 */
int report_def_parse(struct core_ctx *cx, json_t *desc, const char *prefix,
    struct report_def **out);
void report_def_free(struct report_def *d);

/* True for an aggregation (groups or aggregates), false for a list. */
bool report_def_is_agg(const struct report_def *d);

/*
 * The statement of d into q (initialised here; dbq_free it): the rows, in
 * order, at most d->limit + 1 of them (one more says "truncated"). With
 * totals set, instead the one-row statement of the aggregates over every
 * matching row (only for an aggregation). CRM_EBADQUERY when a period
 * cannot be resolved or the statement outgrows the query's caps.
 */
int report_def_compile(struct core_ctx *cx, const struct report_def *d,
    const struct rd_env *env, bool totals, struct dbq *q);

/* The number of output columns, and the type of column c (0-based). */
int report_def_ncols(const struct report_def *d);
enum rd_type report_def_col_type(const struct report_def *d, int c);

/* The output columns [{key, label, type}] (a new reference). */
json_t *report_def_columns(const struct report_def *d);

/* "text", "integer", ... */
const char *rd_type_name(enum rd_type t);

/*
 * The first and last local day (days since 1970-01-01) of a relative
 * period (docs/reports.md) for "today" = today. false when v is not one.
 */
bool rd_period_days(json_t *v, int64_t today, int64_t *first, int64_t *last);

#endif
