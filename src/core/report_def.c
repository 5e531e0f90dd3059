/*
 * Report descriptions: parsing, checking, compiling (core/report_def.h).
 *
 * The parser resolves every name of a description into a struct rd_field
 * that points at static strings only: a descriptor's column name, a column
 * or expression of the join table below. The compiler then writes SQL from
 * those and binds every value, so whatever text a description carries ends
 * up as a parameter or nowhere. Output columns are addressed by position
 * (GROUP BY 1, 2; ORDER BY 3), which both dialects accept and which keeps
 * expressions with bound values (a custom field's path, a time zone) from
 * having to be repeated.
 */
#include "core/report_def.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/access.h"
#include "core/customfields.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/text.h"
#include "util/timeutil.h"
#include "util/tz.h"

#define DAY_MS 86400000LL
#define PERIOD_MAX_N 3660

/* ---- the fixed tables: common fields and joins ---- */

/* Fields every record has beside its descriptor's. */
static const struct {
	const char	*name;
	enum rd_type	 type;
	const char	*list_key;
} common_fields[] = {
	{ "id", RT_ID, NULL },
	{ "owner_id", RT_ID, "owner_id" },
	{ "created_at", RT_TIME, "created_at" },
	{ "updated_at", RT_TIME, "updated_at" },
	{ "created_by", RT_ID, NULL },
	{ "updated_by", RT_ID, NULL },
};

/* A column of a join that is not a record entity. */
struct jcol {
	const char	*name;
	const char	*col;	/* column of the joined table, or NULL */
	const char	*expr;	/* or an expression over the alias (%s) */
	enum rd_type	 type;
};

static const struct jcol owner_cols[] = {
	{ "name", "name", NULL, RT_TEXT },
	{ "department_id", "department_id", NULL, RT_ID },
	{ "department", NULL, "(SELECT jd.name FROM departments jd WHERE "
	    "jd.id = %s.department_id)", RT_TEXT },
};
static const struct jcol stage_cols[] = {
	{ "name", "name", NULL, RT_TEXT },
	{ "position", "position", NULL, RT_INT },
	{ "probability", "probability", NULL, RT_INT },
	{ "kind", "kind", NULL, RT_TEXT },
};
static const struct jcol name_cols[] = {
	{ "name", "name", NULL, RT_TEXT },
};

struct join_def {
	const char		*name;	/* "company": as descriptions name it */
	const char		*base;	/* the base entity it joins from */
	const char		*link;	/* the base column holding its id */
	const struct entity	*e;	/* a record entity (rights apply), or NULL */
	const char		*table;	/* otherwise its table and columns */
	const struct jcol	*cols;
	size_t			 ncols;
};

#define JCOLS(a) a, sizeof(a) / sizeof(*(a))

static const struct join_def joins[] = {
	{ "owner", "companies", "owner_id", NULL, "users", JCOLS(owner_cols) },
	{ "company", "contacts", "company_id", &entity_companies, NULL, NULL, 0 },
	{ "owner", "contacts", "owner_id", NULL, "users", JCOLS(owner_cols) },
	{ "company", "deals", "company_id", &entity_companies, NULL, NULL, 0 },
	{ "owner", "deals", "owner_id", NULL, "users", JCOLS(owner_cols) },
	{ "stage", "deals", "stage_id", NULL, "pipeline_stages",
	    JCOLS(stage_cols) },
	{ "pipeline", "deals", "pipeline_id", NULL, "pipelines",
	    JCOLS(name_cols) },
	{ "lost_reason", "deals", "lost_reason_id", NULL, "lost_reasons",
	    JCOLS(name_cols) },
	{ "company", "activities", "company_id", &entity_companies, NULL, NULL,
	    0 },
	{ "contact", "activities", "contact_id", &entity_contacts, NULL, NULL,
	    0 },
	{ "deal", "activities", "deal_id", &entity_deals, NULL, NULL, 0 },
	{ "owner", "activities", "owner_id", NULL, "users", JCOLS(owner_cols) },
};

static const char *const buckets[] = { "day", "week", "month", "quarter",
    "year" };
static const char *const charts[] = { "bar", "line", "area", "pie", "funnel",
    "table", "number", "heatmap" };
static const char *const fn_names[] = { "count", "count_distinct", "sum",
    "avg", "min", "max" };
static const char *const op_names[] = { "eq", "ne", "lt", "lte", "gt", "gte",
    "in", "prefix", "empty", "period" };

const char *
rd_type_name(enum rd_type t)
{
	static const char *const names[] = { "text", "integer", "number",
	    "date", "time", "id", "list" };

	return (size_t)t < sizeof(names) / sizeof(*names) ? names[t] : "text";
}

static int
name_index(const char *const *names, size_t n, const char *s)
{
	for (size_t i = 0; s != NULL && i < n; i++)
		if (strcmp(s, names[i]) == 0)
			return (int)i;
	return -1;
}

#define NAME_INDEX(a, s) name_index(a, sizeof(a) / sizeof(*(a)), s)

/* ---- parsing ---- */

struct parser {
	struct core_ctx		*cx;
	struct report_def	*d;
	const char		*prefix;
	json_t			*cf_defs;	/* custom fields of the entity, lazily */
	bool			 cf_loaded;
};

/* Adds an error at prefix + path (printf-style path, then the message). */
static void
perr(struct parser *p, const char *path, const char *msg)
{
	char full[96];

	if (p->prefix[0] != '\0')
		snprintf(full, sizeof(full), "%s%s%s", p->prefix,
		    path[0] == '[' ? "" : ".", path);
	else
		snprintf(full, sizeof(full), "%s", path);
	verrs_add(&p->cx->errs, full, "%s", msg);
}

static void perrf(struct parser *p, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
perrf(struct parser *p, const char *path, const char *fmt, ...)
{
	char msg[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	perr(p, path, msg);
}

/* A field name: 1..64 of [a-z0-9_.]; anything else is nobody's field. */
static bool
name_ok(const char *s)
{
	size_t n = s != NULL ? strlen(s) : 0;

	if (n == 0 || n >= RD_NAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' &&
		    s[i] <= '9') || s[i] == '_' || s[i] == '.'))
			return false;
	return true;
}

static enum rd_type
kind_type(enum field_kind k, bool *ok)
{
	*ok = true;
	switch (k) {
	case FK_TEXT:
	case FK_URL:
	case FK_CURRENCY:
		return RT_TEXT;
	case FK_DATE:
		return RT_DATE;
	case FK_INT:
		return RT_INT;
	case FK_TIME:
		return RT_TIME;
	case FK_COMPANY:
	case FK_USER:
	case FK_REF:
	case FK_CONTACT:
	case FK_DEAL:
		return RT_ID;
	case FK_EMAILS:
	case FK_PHONES:
		return RT_LIST;
	default:
		*ok = false;
		return RT_TEXT;
	}
}

/*
 * Resolves a field of record entity e (name without the join's prefix)
 * into f; false when e has no such field the actor may see.
 */
static bool
entity_resolve(struct parser *p, const struct entity *e, const char *name,
    struct rd_field *f)
{
	const struct field *fd;
	bool ok;

	for (size_t i = 0; i < sizeof(common_fields) / sizeof(*common_fields);
	    i++)
		if (strcmp(name, common_fields[i].name) == 0) {
			f->col = common_fields[i].name;
			f->type = common_fields[i].type;
			f->list_key = common_fields[i].list_key;
			return true;
		}
	fd = entity_field(e, name);
	if (fd == NULL || access_field(p->cx, e, fd->name) == FIELD_HIDDEN)
		return false;
	f->type = kind_type(fd->kind, &ok);
	if (!ok)
		return false;
	f->col = fd->name;
	/* The list filters by it as it is (ids, text equality, ranges). */
	f->list_key = (fd->flags & F_FILTER) ? fd->name : NULL;
	return true;
}

/* A custom field of the base entity: "custom.<key>". */
static bool
custom_resolve(struct parser *p, const char *key, struct rd_field *f)
{
	size_t i;
	json_t *def;
	char rule[RD_NAME_MAX + 8];

	if (!p->cf_loaded) {
		json_t *all = NULL;

		p->cf_loaded = true;
		if (cf_list(p->cx, p->d->e->name, &all) == CRM_OK)
			p->cf_defs = json_incref(json_object_get(all, "data"));
		json_decref(all);
	}
	snprintf(rule, sizeof(rule), "custom.%s", key);
	if (access_field(p->cx, p->d->e, rule) == FIELD_HIDDEN)
		return false;
	json_array_foreach(p->cf_defs, i, def) {
		const char *name = json_string_value(json_object_get(def, "name"));
		const char *type = json_string_value(json_object_get(def, "type"));

		if (name == NULL || type == NULL || strcmp(name, key) != 0)
			continue;
		if (strcmp(type, "integer") == 0) {
			f->type = RT_INT;
		} else if (strcmp(type, "money") == 0) {
			f->type = RT_INT;
			f->cf_money = true;
		} else if (strcmp(type, "date") == 0) {
			f->type = RT_DATE;
		} else if (strcmp(type, "text") == 0 || strcmp(type, "choice") == 0 ||
		    strcmp(type, "email") == 0 || strcmp(type, "phone") == 0 ||
		    strcmp(type, "url") == 0 || strcmp(type, "decimal") == 0 ||
		    strcmp(type, "percent") == 0 || strcmp(type, "datetime") == 0) {
			f->type = RT_TEXT;
		} else {
			return false;	/* long text, lists, booleans: not yet */
		}
		f->custom = true;
		snprintf(f->cf_key, sizeof(f->cf_key), "%s", key);
		return true;
	}
	return false;
}

/* The join of the description called name, or -1. */
static int
join_slot(const struct report_def *d, const char *name, size_t len)
{
	for (int i = 0; i < d->njoins; i++)
		if (strlen(joins[d->joins[i]].name) == len &&
		    strncmp(joins[d->joins[i]].name, name, len) == 0)
			return i;
	return -1;
}

/*
 * Resolves the field named by v (a JSON string) at path into f; false
 * with an error at path when there is none the actor may see.
 */
static bool
field_resolve(struct parser *p, const char *path, json_t *v,
    struct rd_field *f)
{
	const char *name = json_string_value(v), *dot;
	char msg[160];
	bool ok = false;

	memset(f, 0, sizeof(*f));
	f->join = -1;
	if (!name_ok(name)) {
		perr(p, path, "must be a field name (letters a-z, digits, _ "
		    "and .)");
		return false;
	}
	snprintf(f->name, sizeof(f->name), "%s", name);
	dot = strchr(name, '.');
	if (dot == NULL) {
		ok = entity_resolve(p, p->d->e, name, f);
	} else if (dot - name == 6 && strncmp(name, "custom", 6) == 0) {
		ok = strchr(dot + 1, '.') == NULL && custom_resolve(p, dot + 1, f);
	} else {
		int slot = join_slot(p->d, name, (size_t)(dot - name));
		const struct join_def *j;

		if (slot < 0) {
			snprintf(msg, sizeof(msg), "'%.*s' is not one of the "
			    "report's joins", (int)(dot - name), name);
			perr(p, path, msg);
			return false;
		}
		j = &joins[p->d->joins[slot]];
		f->join = slot;
		if (strcmp(dot + 1, "id") == 0) {
			/* The base row's link: kept when the record is hidden. */
			f->join = -1;
			f->col = j->link;
			f->type = RT_ID;
			f->list_key = NULL;
			ok = true;
		} else if (j->e != NULL) {
			ok = entity_resolve(p, j->e, dot + 1, f) &&
			    f->type != RT_LIST;
			f->list_key = NULL;
		} else {
			for (size_t i = 0; i < j->ncols; i++)
				if (strcmp(dot + 1, j->cols[i].name) == 0) {
					f->col = j->cols[i].col;
					f->expr = j->cols[i].expr;
					f->type = j->cols[i].type;
					ok = true;
				}
		}
	}
	if (!ok) {
		snprintf(msg, sizeof(msg), "%s have no field '%.64s' you may use "
		    "in a report", p->d->e->name, name);
		perr(p, path, msg);
	}
	return ok;
}

static void
parse_joins(struct parser *p, json_t *v)
{
	size_t i;
	json_t *item;
	char path[32];

	if (v == NULL)
		return;
	if (!json_is_array(v) || json_array_size(v) > RD_MAX_JOINS) {
		perr(p, "joins", "must be a list of at most 5 join names");
		return;
	}
	json_array_foreach(v, i, item) {
		const char *name = json_string_value(item);
		int found = -1;

		snprintf(path, sizeof(path), "joins[%zu]", i);
		for (size_t k = 0; name != NULL && k < sizeof(joins) /
		    sizeof(*joins); k++)
			if (strcmp(joins[k].base, p->d->e->name) == 0 &&
			    strcmp(joins[k].name, name) == 0)
				found = (int)k;
		if (found < 0) {
			perrf(p, path, "is not a join of %s (see docs/reports.md)",
			    p->d->e->name);
			continue;
		}
		if (join_slot(p->d, name, strlen(name)) >= 0) {
			perr(p, path, "is named twice");
			continue;
		}
		p->d->joins[p->d->njoins++] = found;
	}
}

static void
parse_columns(struct parser *p, json_t *v)
{
	size_t i;
	json_t *item;
	char path[32];

	if (!json_is_array(v) || json_array_size(v) == 0 ||
	    json_array_size(v) > RD_MAX_COLUMNS) {
		perr(p, "columns", "must be a list of 1 to 30 field names");
		return;
	}
	json_array_foreach(v, i, item) {
		struct rd_field *f = &p->d->columns[p->d->ncolumns];

		snprintf(path, sizeof(path), "columns[%zu]", i);
		if (!field_resolve(p, path, item, f))
			continue;
		for (int k = 0; k < p->d->ncolumns; k++)
			if (strcmp(p->d->columns[k].name, f->name) == 0) {
				perr(p, path, "is named twice");
				goto next;
			}
		p->d->ncolumns++;
next:		;
	}
}

/* Whether v is a value of type t (one, not a list). */
static bool
value_ok(enum rd_type t, json_t *v)
{
	const char *s = json_string_value(v);
	int64_t x;

	switch (t) {
	case RT_INT:
	case RT_ID:
		return json_is_integer(v);
	case RT_DATE:
		return s != NULL && time_parse_date(s, strlen(s), &x) == 0;
	case RT_TIME:
		return s != NULL && (time_parse_date(s, strlen(s), &x) == 0 ||
		    time_parse_datetime(s, strlen(s), &x) == 0);
	case RT_TEXT:
		return s != NULL && text_utf8_valid(s, json_string_length(v)) &&
		    text_utf8_count(s, json_string_length(v)) <= RD_MAX_TEXT;
	default:
		return false;
	}
}

bool
rd_period_days(json_t *v, int64_t today, int64_t *first, int64_t *last)
{
	static const char *const named[] = { "today", "yesterday", "this_week",
	    "last_week", "this_month", "last_month", "this_quarter",
	    "last_quarter", "this_year", "last_year", "last_n_days",
	    "next_n_days" };
	const char *name = json_string_value(json_object_get(v, "period"));
	json_t *n = json_object_get(v, "n");
	int which = NAME_INDEX(named, name), y, m, d, qm;
	int64_t mon = today - ((today + 3) % 7 + 7) % 7;
	size_t keys = json_is_object(v) ? json_object_size(v) : 0;

	if (which < 0)
		return false;
	if (which >= 10) {
		if (keys != 2 || !json_is_integer(n) || json_integer_value(n) < 1 ||
		    json_integer_value(n) > PERIOD_MAX_N)
			return false;
	} else if (keys != 1) {
		return false;
	}
	time_civil_from_days(today, &y, &m, &d);
	qm = (m - 1) / 3 * 3 + 1;
	switch (which) {
	case 0: *first = *last = today; break;
	case 1: *first = *last = today - 1; break;
	case 2: *first = mon; *last = mon + 6; break;
	case 3: *first = mon - 7; *last = mon - 1; break;
	case 4:
		*first = time_days_from_civil(y, m, 1);
		*last = *first + time_days_in_month(y, m) - 1;
		break;
	case 5:
		if (--m == 0) {
			m = 12;
			y--;
		}
		*first = time_days_from_civil(y, m, 1);
		*last = *first + time_days_in_month(y, m) - 1;
		break;
	case 6:
		*first = time_days_from_civil(y, qm, 1);
		*last = time_days_from_civil(qm == 10 ? y + 1 : y,
		    qm == 10 ? 1 : qm + 3, 1) - 1;
		break;
	case 7:
		*last = time_days_from_civil(y, qm, 1) - 1;
		*first = time_days_from_civil(qm == 1 ? y - 1 : y,
		    qm == 1 ? 10 : qm - 3, 1);
		break;
	case 8:
		*first = time_days_from_civil(y, 1, 1);
		*last = time_days_from_civil(y + 1, 1, 1) - 1;
		break;
	case 9:
		*first = time_days_from_civil(y - 1, 1, 1);
		*last = time_days_from_civil(y, 1, 1) - 1;
		break;
	case 10:
		*first = today - json_integer_value(n) + 1;
		*last = today;
		break;
	default:
		*first = today;
		*last = today + json_integer_value(n) - 1;
		break;
	}
	return true;
}

static void
parse_filter(struct parser *p, size_t i, json_t *item)
{
	struct rd_filter *f = &p->d->filters[p->d->nfilters];
	char path[48], vpath[48];
	json_t *v = json_object_get(item, "value"), *x;
	const char *k;
	size_t n;
	int op;
	int64_t a, b;

	snprintf(path, sizeof(path), "filters[%zu]", i);
	if (!json_is_object(item)) {
		perr(p, path, "must be {field, op, value}");
		return;
	}
	json_object_foreach(item, k, x) {
		if (strcmp(k, "field") != 0 && strcmp(k, "op") != 0 &&
		    strcmp(k, "value") != 0) {
			perr(p, path, "takes only field, op and value");
			return;
		}
	}
	snprintf(vpath, sizeof(vpath), "filters[%zu].field", i);
	if (!field_resolve(p, vpath, json_object_get(item, "field"), &f->f))
		return;
	snprintf(vpath, sizeof(vpath), "filters[%zu].op", i);
	op = NAME_INDEX(op_names, json_string_value(json_object_get(item, "op")));
	if (op < 0) {
		perr(p, vpath, "must be eq, ne, lt, lte, gt, gte, in, prefix, "
		    "empty or period");
		return;
	}
	f->op = (enum rd_op)op;
	f->value = v;
	snprintf(vpath, sizeof(vpath), "filters[%zu].value", i);
	if (f->f.type == RT_LIST && f->op != ROP_EMPTY) {
		perr(p, vpath, "a list field takes only the empty filter");
		return;
	}
	switch (f->op) {
	case ROP_EQ:
	case ROP_NE:
		if (!value_ok(f->f.type, v)) {
			perrf(p, vpath, "must be a value of the field's type (%s)",
			    rd_type_name(f->f.type));
			return;
		}
		break;
	case ROP_LT:
	case ROP_LTE:
	case ROP_GT:
	case ROP_GTE:
		if (f->f.type != RT_INT && f->f.type != RT_DATE &&
		    f->f.type != RT_TIME) {
			perr(p, vpath, "lt, lte, gt and gte are for numbers, dates "
			    "and times");
			return;
		}
		if (!value_ok(f->f.type, v)) {
			perrf(p, vpath, "must be a value of the field's type (%s)",
			    rd_type_name(f->f.type));
			return;
		}
		break;
	case ROP_IN:
		n = json_is_array(v) ? json_array_size(v) : 0;
		if (n == 0 || n > RD_MAX_IN || f->f.type == RT_TIME) {
			perr(p, vpath, "must be a list of 1 to 50 values (not for "
			    "times)");
			return;
		}
		json_array_foreach(v, n, x) {
			if (!value_ok(f->f.type, x)) {
				perrf(p, vpath, "every value must be of the field's "
				    "type (%s)", rd_type_name(f->f.type));
				return;
			}
		}
		break;
	case ROP_PREFIX:
		if (f->f.type != RT_TEXT || !value_ok(RT_TEXT, v) ||
		    json_string_length(v) == 0) {
			perr(p, vpath, "prefix takes a non-empty text, on a text "
			    "field");
			return;
		}
		break;
	case ROP_EMPTY:
		if (!json_is_boolean(v)) {
			perr(p, vpath, "must be true or false");
			return;
		}
		break;
	case ROP_PERIOD:
		if (f->f.type != RT_DATE && f->f.type != RT_TIME) {
			perr(p, vpath, "a period is for dates and times");
			return;
		}
		if (!rd_period_days(v, 0, &a, &b)) {
			/* Within a message's 160 bytes; docs/reports.md lists all. */
			perr(p, vpath, "must be {\"period\": today, yesterday, "
			    "this_ or last_ week, month, quarter, year} or "
			    "{\"period\": last_n_days or next_n_days, \"n\": 1..3660}");
			return;
		}
		break;
	}
	p->d->nfilters++;
}

static void
parse_filters(struct parser *p, json_t *v)
{
	size_t i;
	json_t *item;

	if (v == NULL)
		return;
	if (!json_is_array(v) || json_array_size(v) > RD_MAX_FILTERS) {
		perr(p, "filters", "must be a list of at most 20 filters");
		return;
	}
	json_array_foreach(v, i, item)
		parse_filter(p, i, item);
}

static bool
key_taken(const struct report_def *d, const char *key)
{
	for (int i = 0; i < d->ngroups; i++)
		if (strcmp(d->groups[i].key, key) == 0)
			return true;
	for (int i = 0; i < d->naggs; i++)
		if (strcmp(d->aggs[i].key, key) == 0)
			return true;
	return false;
}

static void
parse_groups(struct parser *p, json_t *v)
{
	size_t i;
	json_t *item, *x;
	char path[48];
	const char *k;

	if (v == NULL)
		return;
	if (!json_is_array(v) || json_array_size(v) > RD_MAX_GROUPS) {
		perr(p, "group_by", "must be a list of at most 3 groups");
		return;
	}
	json_array_foreach(v, i, item) {
		struct rd_group *g = &p->d->groups[p->d->ngroups];
		json_t *b = json_object_get(item, "bucket");
		int bi;

		snprintf(path, sizeof(path), "group_by[%zu]", i);
		if (!json_is_object(item)) {
			perr(p, path, "must be {field} or {field, bucket}");
			continue;
		}
		json_object_foreach(item, k, x) {
			if (strcmp(k, "field") != 0 && strcmp(k, "bucket") != 0) {
				perr(p, path, "takes only field and bucket");
				goto next;
			}
		}
		snprintf(path, sizeof(path), "group_by[%zu].field", i);
		if (!field_resolve(p, path, json_object_get(item, "field"), &g->f))
			continue;
		snprintf(path, sizeof(path), "group_by[%zu].bucket", i);
		g->bucket = NULL;
		if (b != NULL) {
			bi = NAME_INDEX(buckets, json_string_value(b));
			if (bi < 0) {
				perr(p, path, "must be day, week, month, quarter or "
				    "year");
				continue;
			}
			if ((g->f.type != RT_DATE && g->f.type != RT_TIME) ||
			    g->f.custom) {
				perr(p, path, "a bucket is for the dates and times "
				    "of the entity and its joins");
				continue;
			}
			g->bucket = buckets[bi];
		} else if (g->f.type == RT_TIME || g->f.type == RT_LIST) {
			perr(p, path, g->f.type == RT_TIME ? "a time is grouped by "
			    "a bucket: day, week, month, quarter or year" :
			    "a list field cannot be a group");
			continue;
		}
		{
			char key[RD_KEY_MAX];

			snprintf(key, sizeof(key), "%s%s%s", g->f.name, g->bucket ?
			    ":" : "", g->bucket ? g->bucket : "");
			memcpy(g->key, key, sizeof(key));
		}
		if (key_taken(p->d, g->key)) {
			snprintf(path, sizeof(path), "group_by[%zu]", i);
			perr(p, path, "the same group is given twice");
			continue;
		}
		p->d->ngroups++;
next:		;
	}
}

static void
parse_aggs(struct parser *p, json_t *v)
{
	size_t i;
	json_t *item, *x;
	char path[48];
	const char *k;

	if (v == NULL)
		return;
	if (!json_is_array(v) || json_array_size(v) == 0 ||
	    json_array_size(v) > RD_MAX_AGGS) {
		perr(p, "aggregates", "must be a list of 1 to 10 aggregates");
		return;
	}
	json_array_foreach(v, i, item) {
		struct rd_agg *a = &p->d->aggs[p->d->naggs];
		json_t *fv = json_object_get(item, "field");
		int fn;

		snprintf(path, sizeof(path), "aggregates[%zu]", i);
		if (!json_is_object(item)) {
			perr(p, path, "must be {fn} or {fn, field}");
			continue;
		}
		json_object_foreach(item, k, x) {
			if (strcmp(k, "fn") != 0 && strcmp(k, "field") != 0) {
				perr(p, path, "takes only fn and field");
				goto next;
			}
		}
		snprintf(path, sizeof(path), "aggregates[%zu].fn", i);
		fn = NAME_INDEX(fn_names, json_string_value(json_object_get(item,
		    "fn")));
		if (fn < 0) {
			perr(p, path, "must be count, count_distinct, sum, avg, min "
			    "or max");
			continue;
		}
		memset(a, 0, sizeof(*a));
		a->fn = (enum rd_fn)fn;
		snprintf(path, sizeof(path), "aggregates[%zu].field", i);
		if (fv == NULL) {
			if (a->fn != FN_COUNT) {
				perr(p, path, "is required for this fn");
				continue;
			}
		} else {
			if (!field_resolve(p, path, fv, &a->f))
				continue;
			a->has_field = true;
			if ((a->fn == FN_SUM || a->fn == FN_AVG) &&
			    a->f.type != RT_INT) {
				perr(p, path, "sum and avg take a number field");
				continue;
			}
			if ((a->fn == FN_MIN || a->fn == FN_MAX) &&
			    a->f.type != RT_INT && a->f.type != RT_DATE &&
			    a->f.type != RT_TIME) {
				perr(p, path, "min and max take a number, date or "
				    "time field");
				continue;
			}
			if (a->f.type == RT_LIST && a->fn != FN_COUNT) {
				perr(p, path, "a list field can only be counted");
				continue;
			}
		}
		{
			char key[RD_KEY_MAX];

			snprintf(key, sizeof(key), "%s%s%s", fn_names[fn],
			    a->has_field ? ":" : "", a->has_field ? a->f.name : "");
			memcpy(a->key, key, sizeof(key));
		}
		if (key_taken(p->d, a->key)) {
			snprintf(path, sizeof(path), "aggregates[%zu]", i);
			perr(p, path, "the same aggregate is given twice");
			continue;
		}
		p->d->naggs++;
next:		;
	}
}

static const char *
out_key(const struct report_def *d, int col)
{
	if (!report_def_is_agg(d))
		return d->columns[col].name;
	if (col < d->ngroups)
		return d->groups[col].key;
	return d->aggs[col - d->ngroups].key;
}

static int
out_count(const struct report_def *d)
{
	return report_def_is_agg(d) ? d->ngroups + d->naggs : d->ncolumns;
}

static void
parse_sort(struct parser *p, json_t *v)
{
	size_t i;
	json_t *item;
	char path[48];

	if (v == NULL)
		return;
	if (!json_is_array(v) || json_array_size(v) > RD_MAX_SORT) {
		perr(p, "sort", "must be a list of at most 3 {key, dir}");
		return;
	}
	json_array_foreach(v, i, item) {
		const char *key = json_string_value(json_object_get(item, "key"));
		const char *dir = json_string_value(json_object_get(item, "dir"));
		int col = -1;

		snprintf(path, sizeof(path), "sort[%zu]", i);
		if (!json_is_object(item) || json_object_size(item) >
		    (json_object_get(item, "dir") ? 2u : 1u)) {
			perr(p, path, "must be {key, dir}");
			continue;
		}
		for (int c = 0; key != NULL && c < out_count(p->d); c++)
			if (strcmp(out_key(p->d, c), key) == 0)
				col = c;
		snprintf(path, sizeof(path), "sort[%zu].key", i);
		if (col < 0) {
			perr(p, path, "must be the key of one of the report's "
			    "columns (a field, field:bucket, or fn:field)");
			continue;
		}
		snprintf(path, sizeof(path), "sort[%zu].dir", i);
		if (json_object_get(item, "dir") != NULL && (dir == NULL ||
		    (strcmp(dir, "asc") != 0 && strcmp(dir, "desc") != 0))) {
			perr(p, path, "must be asc or desc");
			continue;
		}
		p->d->sort[p->d->nsort].col = col;
		p->d->sort[p->d->nsort].desc = dir != NULL &&
		    strcmp(dir, "desc") == 0;
		p->d->nsort++;
	}
}

static size_t
json_depth(json_t *v)
{
	size_t deepest = 0, i, d;
	const char *k;
	json_t *x;

	if (json_is_object(v)) {
		json_object_foreach(v, k, x) {
			d = json_depth(x);
			if (d > deepest)
				deepest = d;
			if (deepest > RD_MAX_DEPTH)
				break;
		}
		return deepest + 1;
	}
	if (json_is_array(v)) {
		json_array_foreach(v, i, x) {
			d = json_depth(x);
			if (d > deepest)
				deepest = d;
			if (deepest > RD_MAX_DEPTH)
				break;
		}
		return deepest + 1;
	}
	return 0;
}

int
report_def_parse(struct core_ctx *cx, json_t *desc, const char *prefix,
    struct report_def **out)
{
	static const char *const keys[] = { "entity", "joins", "columns",
	    "filters", "group_by", "aggregates", "sort", "limit", "chart",
	    "explanation" };
	struct parser p = { .cx = cx, .prefix = prefix ? prefix : "" };
	struct report_def *d;
	const char *k, *ename;
	json_t *v, *lim;
	char *text;
	size_t tlen;
	int chart;

	*out = NULL;
	if (!json_is_object(desc)) {
		perr(&p, p.prefix[0] ? "" : "definition", "must be a JSON object");
		return core_invalid(cx);
	}
	if (json_depth(desc) > RD_MAX_DEPTH) {
		perr(&p, p.prefix[0] ? "" : "definition", "is nested too deep");
		return core_invalid(cx);
	}
	text = json_dumps(desc, JSON_COMPACT);
	tlen = text != NULL ? strlen(text) : RD_MAX_JSON + 1;
	free(text);
	if (tlen > RD_MAX_JSON) {
		perr(&p, p.prefix[0] ? "" : "definition", "is longer than 16 KiB");
		return core_invalid(cx);
	}
	json_object_foreach(desc, k, v) {
		if (NAME_INDEX(keys, k) < 0) {
			char path[80];

			snprintf(path, sizeof(path), "%.64s", k);
			perr(&p, path, "is not a key of a report description");
		}
	}
	ename = json_string_value(json_object_get(desc, "entity"));
	d = xcalloc(1, sizeof(*d));
	p.d = d;
	d->e = ename != NULL ? entity_find(ename) : NULL;
	if (d->e != NULL && d->e != &entity_companies && d->e != &entity_contacts &&
	    d->e != &entity_deals && d->e != &entity_activities)
		d->e = NULL;
	if (d->e == NULL) {
		perr(&p, "entity", "must be companies, contacts, deals or "
		    "activities");
		goto fail;
	}
	parse_joins(&p, json_object_get(desc, "joins"));
	if (json_object_get(desc, "columns") != NULL)
		parse_columns(&p, json_object_get(desc, "columns"));
	parse_filters(&p, json_object_get(desc, "filters"));
	parse_groups(&p, json_object_get(desc, "group_by"));
	parse_aggs(&p, json_object_get(desc, "aggregates"));
	if (json_object_get(desc, "columns") != NULL &&
	    (json_object_get(desc, "group_by") != NULL ||
	    json_object_get(desc, "aggregates") != NULL))
		perr(&p, "columns", "a report lists columns or aggregates "
		    "groups, not both");
	else if (json_object_get(desc, "columns") == NULL &&
	    json_object_get(desc, "aggregates") == NULL)
		perr(&p, "aggregates", "a report needs columns (a list) or "
		    "aggregates");
	if (cx->errs.n == 0)
		parse_sort(&p, json_object_get(desc, "sort"));
	lim = json_object_get(desc, "limit");
	d->limit = RD_DEFAULT_LIMIT;
	if (lim != NULL) {
		if (!json_is_integer(lim) || json_integer_value(lim) < 1 ||
		    json_integer_value(lim) > RD_MAX_LIMIT)
			perr(&p, "limit", "must be a whole number from 1 to 10000");
		else
			d->limit = (int)json_integer_value(lim);
	}
	v = json_object_get(desc, "chart");
	chart = v == NULL ? NAME_INDEX(charts, "table") :
	    NAME_INDEX(charts, json_string_value(v));
	if (chart < 0)
		perr(&p, "chart", "must be bar, line, area, pie, funnel, table, "
		    "number or heatmap");
	else
		d->chart = charts[chart];
	v = json_object_get(desc, "explanation");
	if (v != NULL && !core_text_ok(v, RD_MAX_EXPLAIN))
		perr(&p, "explanation", "must be a text of 1 to 500 characters");
	if (cx->errs.n > 0)
		goto fail;
	d->desc = json_incref(desc);
	json_decref(p.cf_defs);
	*out = d;
	return CRM_OK;
fail:
	json_decref(p.cf_defs);
	free(d);
	return core_invalid(cx);
}

void
report_def_free(struct report_def *d)
{
	if (d == NULL)
		return;
	json_decref(d->desc);
	free(d);
}

bool
report_def_is_agg(const struct report_def *d)
{
	return d->naggs > 0 || d->ngroups > 0;
}

/* ---- compiling ---- */

/* The value of f as an SQL expression. */
static void
field_sql(struct core_ctx *cx, struct dbq *q, const struct rd_field *f)
{
	char alias[16];

	if (f->custom) {
		db_json_expr(cx->db, q, "t.custom", f->cf_key, f->cf_money ?
		    "amount" : NULL, f->type == RT_INT);
		return;
	}
	if (f->join < 0) {
		dbq_sql(q, "t.%s", f->col);
		return;
	}
	snprintf(alias, sizeof(alias), "j%d", f->join);
	if (f->expr != NULL) {
		/* A static template from the join table, over the alias. */
		char sql[256];
		const char *pct = strstr(f->expr, "%s");

		if (pct == NULL || (size_t)snprintf(sql, sizeof(sql), "%.*s%s%s",
		    (int)(pct - f->expr), f->expr, alias, pct + 2) >= sizeof(sql)) {
			q->broken = true;
			return;
		}
		dbq_sql(q, "%s", sql);
		return;
	}
	dbq_sql(q, "%s.%s", alias, f->col);
}

/* Binds one JSON value of type t (checked by the parser). */
static void
bind_value(struct dbq *q, enum rd_type t, json_t *v)
{
	if (t == RT_INT || t == RT_ID)
		dbq_int(q, json_integer_value(v));
	else
		dbq_text(q, json_string_value(v), json_string_length(v));
}

/*
 * A time bound: a date is the local day's first instant (last with
 * last_ms), an RFC 3339 time itself.
 */
static int64_t
time_bound(const struct tz *z, json_t *v, bool last_ms)
{
	const char *s = json_string_value(v);
	int64_t x;

	if (time_parse_date(s, strlen(s), &x) == 0)
		return last_ms ? tz_day_start(z, x + 1) - 1 : tz_day_start(z, x);
	(void)time_parse_datetime(s, strlen(s), &x);
	return x;
}

static void
day_text(int64_t day, char *out, size_t outlen)
{
	int y, m, d;

	time_civil_from_days(day, &y, &m, &d);
	snprintf(out, outlen, "%04d-%02d-%02d", y, m, d);
}

static int
filter_sql(struct core_ctx *cx, struct dbq *q, const struct rd_filter *f,
    const struct tz *z, int64_t now_ms)
{
	static const char *const cmp[] = { "=", "<>", "<", "<=", ">", ">=" };
	bool is_text = f->f.type == RT_TEXT || f->f.type == RT_DATE ||
	    f->f.type == RT_LIST;
	int64_t first, last;
	size_t i;
	json_t *x;

	dbq_sql(q, " AND ");
	switch (f->op) {
	case ROP_EQ:
	case ROP_LT:
	case ROP_LTE:
	case ROP_GT:
	case ROP_GTE:
		field_sql(cx, q, &f->f);
		dbq_sql(q, " %s ?", cmp[f->op]);
		if (f->f.type == RT_TIME)
			dbq_int(q, time_bound(z, f->value, f->op == ROP_LTE));
		else
			bind_value(q, f->f.type, f->value);
		break;
	case ROP_NE:
		/* Not equal: records without a value are not equal either. */
		dbq_sql(q, "(");
		field_sql(cx, q, &f->f);
		dbq_sql(q, " IS NULL OR ");
		field_sql(cx, q, &f->f);
		dbq_sql(q, " <> ?)");
		if (f->f.type == RT_TIME)
			dbq_int(q, time_bound(z, f->value, false));
		else
			bind_value(q, f->f.type, f->value);
		break;
	case ROP_IN:
		field_sql(cx, q, &f->f);
		dbq_sql(q, " IN (");
		json_array_foreach(f->value, i, x) {
			dbq_sql(q, i > 0 ? ", ?" : "?");
			bind_value(q, f->f.type, x);
		}
		dbq_sql(q, ")");
		break;
	case ROP_PREFIX: {
		/* A range, not LIKE: exact in every script, as the list does. */
		size_t n = json_string_length(f->value);
		char *hi = xmalloc(n + 5);

		memcpy(hi, json_string_value(f->value), n);
		memcpy(hi + n, "\xf4\x8f\xbf\xbf", 5);
		dbq_sql(q, "(");
		field_sql(cx, q, &f->f);
		dbq_sql(q, " >= ? AND ");
		dbq_text(q, json_string_value(f->value), n);
		field_sql(cx, q, &f->f);
		dbq_sql(q, " < ?)");
		dbq_text(q, hi, n + 4);
		free(hi);
		break;
	}
	case ROP_EMPTY:
		dbq_sql(q, json_is_true(f->value) ? "(" : "NOT (");
		field_sql(cx, q, &f->f);
		dbq_sql(q, " IS NULL");
		if (is_text) {
			dbq_sql(q, " OR ");
			field_sql(cx, q, &f->f);
			dbq_sql(q, f->f.type == RT_LIST ? " IN ('', '[]')" :
			    " = ''");
		}
		dbq_sql(q, ")");
		break;
	case ROP_PERIOD:
		if (!rd_period_days(f->value, tz_local_day(z, now_ms), &first,
		    &last))
			return core_fail(cx, CRM_EBADQUERY, "a period could not be "
			    "resolved");
		dbq_sql(q, "(");
		field_sql(cx, q, &f->f);
		dbq_sql(q, " >= ? AND ");
		if (f->f.type == RT_TIME) {
			dbq_int(q, tz_day_start(z, first));
			field_sql(cx, q, &f->f);
			dbq_sql(q, " <= ?)");
			dbq_int(q, tz_day_start(z, last + 1) - 1);
		} else {
			char day[16];

			day_text(first, day, sizeof(day));
			dbq_text(q, day, strlen(day));
			field_sql(cx, q, &f->f);
			dbq_sql(q, " <= ?)");
			day_text(last, day, sizeof(day));
			dbq_text(q, day, strlen(day));
		}
		break;
	}
	return CRM_OK;
}

static void
agg_sql(struct core_ctx *cx, struct dbq *q, const struct rd_agg *a)
{
	static const char *const fns[] = { "COUNT(", "COUNT(DISTINCT ", "SUM(",
	    "ROUND(AVG(", "MIN(", "MAX(" };

	if (!a->has_field) {
		dbq_sql(q, "COUNT(*)");
		return;
	}
	dbq_sql(q, "%s", fns[a->fn]);
	field_sql(cx, q, &a->f);
	dbq_sql(q, a->fn == FN_AVG ? "), 4)" : ")");
}

/* The field's own expression into buf (initialised here; no values). */
static void
field_text(struct core_ctx *cx, const struct rd_field *f, struct dbq *buf,
    struct dbq *q)
{
	/* Bucketed fields have no bound values (custom dates take no bucket). */
	dbq_init(buf);
	field_sql(cx, buf, f);
	if (buf->nparams > 0 || buf->broken)
		q->broken = true;
}

/* " FROM ... WHERE ...": the rows a run reads, under the actor's rights. */
static int
from_where(struct core_ctx *cx, const struct report_def *d,
    const struct rd_env *env, const struct tz *z, struct dbq *q)
{
	int rc = CRM_OK;

	dbq_sql(q, " FROM %s t", d->e->name);
	for (int i = 0; i < d->njoins && rc == CRM_OK; i++) {
		const struct join_def *j = &joins[d->joins[i]];
		char alias[16];

		snprintf(alias, sizeof(alias), "j%d", i);
		dbq_sql(q, " LEFT JOIN %s %s ON %s.id = t.%s", j->e != NULL ?
		    j->e->name : j->table, alias, alias, j->link);
		/* A record the actor may not read joins as nothing. */
		if (j->e != NULL)
			rc = access_where(cx, j->e, ACC_READ, alias, q);
	}
	dbq_sql(q, " WHERE t.deleted_at IS NULL");
	if (rc == CRM_OK)
		rc = access_where(cx, d->e, ACC_READ, "t", q);
	if (rc == CRM_OK && env->export_scope)
		rc = access_where(cx, d->e, ACC_EXPORT, "t", q);
	if (rc == CRM_OK)
		rd_filters_sql(cx, env->lib, rd_filter_cols_of(d->e), q);
	for (int i = 0; i < d->nfilters && rc == CRM_OK; i++)
		rc = filter_sql(cx, q, &d->filters[i], z, env->now_ms);
	return rc;
}

/* " GROUP BY 1, ..., n" over the groups. */
static void
group_by(const struct report_def *d, struct dbq *q)
{
	dbq_sql(q, " GROUP BY ");
	for (int i = 0; i < d->ngroups; i++)
		dbq_sql(q, i > 0 ? ", %d" : "%d", i + 1);
}

/* The asked order, then the groups (or ids): stable pages; the cap. */
static void
order_limit(const struct report_def *d, bool agg, struct dbq *q)
{
	dbq_sql(q, " ORDER BY ");
	for (int i = 0; i < d->nsort; i++)
		dbq_sql(q, "%d %s NULLS LAST, ", d->sort[i].col + 1,
		    d->sort[i].desc ? "DESC" : "ASC");
	if (agg) {
		for (int i = 0; i < d->ngroups; i++)
			dbq_sql(q, i > 0 ? ", %d ASC NULLS LAST" :
			    "%d ASC NULLS LAST", i + 1);
	} else {
		dbq_sql(q, "t.id");
	}
	dbq_sql(q, " LIMIT ?");
	dbq_int(q, d->limit + 1);
}

/*
 * Whether the rows can be grouped by day first and the days into their
 * buckets after (compile_by_day): a time or date bucket among the groups,
 * and only aggregates whose per-day results combine exactly (count; sum of
 * whole numbers, since the order of adding fractions shows in their last
 * digits; min; max).
 */
static bool
by_day_first(const struct report_def *d)
{
	bool bucket = false;

	for (int i = 0; i < d->ngroups; i++)
		if (d->groups[i].bucket != NULL)
			bucket = true;
	for (int i = 0; i < d->naggs; i++) {
		const struct rd_agg *a = &d->aggs[i];

		if (a->fn == FN_COUNT_DISTINCT || a->fn == FN_AVG ||
		    (a->fn == FN_SUM && a->f.type != RT_INT))
			return false;
	}
	return bucket;
}

/*
 * A grouped report with date buckets in two steps: the rows grouped by
 * the local day (and the other groups) inside, then those days into their
 * buckets outside. The bucket is cut once per day rather than once per
 * row, and the outer grouping reads a few thousand rows; the answer is the
 * same (bench/RESULTS.md "Ready reports: the second round").
 */
static int
compile_by_day(struct core_ctx *cx, const struct report_def *d,
    const struct rd_env *env, const struct tz *z, struct dbq *q)
{
	int rc;

	dbq_sql(q, "SELECT ");
	for (int i = 0; i < d->ngroups; i++) {
		const struct rd_group *g = &d->groups[i];
		char col[16];

		snprintf(col, sizeof(col), "s.g%d", i);
		dbq_sql(q, i > 0 ? ", " : "");
		if (g->bucket == NULL)
			dbq_sql(q, "%s", col);
		else if (g->f.type == RT_DATE)
			db_bucket_expr(cx->db, q, col, g->bucket, true, env->tz);
		else
			db_day_bucket_expr(cx->db, q, col, g->bucket);
	}
	for (int i = 0; i < d->naggs; i++) {
		enum rd_fn fn = d->aggs[i].fn;

		/* A count is the sum of the days' counts (as an integer). */
		dbq_sql(q, fn == FN_COUNT ? ", CAST(SUM(s.a%d) AS BIGINT)" :
		    fn == FN_MIN ? ", MIN(s.a%d)" : fn == FN_MAX ? ", MAX(s.a%d)" :
		    ", SUM(s.a%d)", i);
	}
	dbq_sql(q, " FROM (SELECT ");
	for (int i = 0; i < d->ngroups; i++) {
		const struct rd_group *g = &d->groups[i];
		struct dbq inner;

		dbq_sql(q, i > 0 ? ", " : "");
		if (g->bucket != NULL && g->f.type != RT_DATE) {
			field_text(cx, &g->f, &inner, q);
			db_day_expr(cx->db, q, inner.sql, env->tz);
			dbq_free(&inner);
		} else {
			field_sql(cx, q, &g->f);
		}
		dbq_sql(q, " AS g%d", i);
	}
	for (int i = 0; i < d->naggs; i++) {
		dbq_sql(q, ", ");
		agg_sql(cx, q, &d->aggs[i]);
		dbq_sql(q, " AS a%d", i);
	}
	rc = from_where(cx, d, env, z, q);
	group_by(d, q);
	dbq_sql(q, ") s");
	group_by(d, q);
	order_limit(d, true, q);
	return rc;
}

int
report_def_compile(struct core_ctx *cx, const struct report_def *d,
    const struct rd_env *env, bool totals, struct dbq *q)
{
	struct tz *z = NULL;
	bool agg = report_def_is_agg(d);
	int rc = CRM_OK, n = 0;

	dbq_init(q);
	if (tz_load(env->tz, &z) != 0)
		return core_fail(cx, CRM_EBADQUERY, "tz: not a known time zone");
	if (agg && d->ngroups > 0 && !totals && by_day_first(d)) {
		rc = compile_by_day(cx, d, env, z, q);
		goto out;
	}
	dbq_sql(q, "SELECT ");
	if (!agg) {
		for (int i = 0; i < d->ncolumns; i++) {
			dbq_sql(q, i > 0 ? ", " : "");
			field_sql(cx, q, &d->columns[i]);
		}
	} else {
		for (int i = 0; i < d->ngroups && !totals; i++, n++) {
			const struct rd_group *g = &d->groups[i];

			dbq_sql(q, n > 0 ? ", " : "");
			if (g->bucket != NULL) {
				struct dbq inner;

				/* The bucket wraps the field's own expression. */
				field_text(cx, &g->f, &inner, q);
				db_bucket_expr(cx->db, q, inner.sql, g->bucket,
				    g->f.type == RT_DATE, env->tz);
				dbq_free(&inner);
			} else {
				field_sql(cx, q, &g->f);
			}
		}
		for (int i = 0; i < d->naggs; i++, n++) {
			dbq_sql(q, n > 0 ? ", " : "");
			agg_sql(cx, q, &d->aggs[i]);
		}
	}
	rc = from_where(cx, d, env, z, q);
	if (agg && d->ngroups > 0 && !totals)
		group_by(d, q);
	if (!totals && (!agg || d->ngroups > 0))
		order_limit(d, agg, q);
out:
	tz_free(z);
	if (rc != CRM_OK)
		return rc;
	if (q->broken)
		return core_fail(cx, CRM_EBADQUERY, "the report is too large: "
		    "fewer filters, values or columns");
	return CRM_OK;
}

/* "amount_base" -> "Amount base", "owner.name" -> "Owner name". */
static void
humanize(struct buf *b, const char *name)
{
	for (size_t i = 0; name[i] != '\0'; i++) {
		char c = name[i] == '_' || name[i] == '.' ? ' ' : name[i];

		if (b->len == 0 && c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		buf_putc(b, c);
	}
}

int
report_def_ncols(const struct report_def *d)
{
	return out_count(d);
}

enum rd_type
report_def_col_type(const struct report_def *d, int c)
{
	const struct rd_agg *a;

	if (!report_def_is_agg(d))
		return d->columns[c].type;
	if (c < d->ngroups)
		return d->groups[c].bucket != NULL ? RT_DATE : d->groups[c].f.type;
	a = &d->aggs[c - d->ngroups];
	if (!a->has_field || a->fn == FN_COUNT || a->fn == FN_COUNT_DISTINCT)
		return RT_INT;
	return a->fn == FN_AVG ? RT_NUMBER : a->f.type;
}

json_t *
report_def_columns(const struct report_def *d)
{
	static const char *const fn_labels[] = { "Count of ", "Distinct ",
	    "Sum of ", "Average of ", "Least ", "Greatest " };
	json_t *cols = json_array();
	struct buf b;

	buf_init(&b, 256);
	for (int c = 0; c < out_count(d); c++) {
		buf_reset(&b);
		if (!report_def_is_agg(d)) {
			humanize(&b, d->columns[c].name);
		} else if (c < d->ngroups) {
			const struct rd_group *g = &d->groups[c];

			humanize(&b, g->f.name);
			if (g->bucket != NULL)
				buf_printf(&b, " (%s)", g->bucket);
		} else {
			const struct rd_agg *a = &d->aggs[c - d->ngroups];

			if (!a->has_field) {
				buf_printf(&b, "Count");
			} else {
				buf_printf(&b, "%s", fn_labels[a->fn]);
				humanize(&b, a->f.name);
			}
		}
		json_array_append_new(cols, json_pack("{s:s, s:s%, s:s}", "key",
		    out_key(d, c), "label", b.data ? b.data : "", b.len, "type",
		    rd_type_name(report_def_col_type(d, c))));
	}
	buf_free(&b);
	return cols;
}
