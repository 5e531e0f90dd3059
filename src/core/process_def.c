/*
 * Process definitions: the checks of process_def.h.
 *
 * One pass over the JSON checks each member where it stands (shape,
 * limits, references to users, roles, stages, templates and fields), and
 * collects the edges of the step graph: next, the branches of approvals
 * and conditions, and deadline branches. A second pass walks the graph
 * from the start (what is reachable) and backwards from the end steps
 * (what can finish). Each problem is reported once, at the member at
 * fault, naming the step by its id.
 *
 * Database failures do not stop the walk (the errors gathered so far stay
 * useful); the first one is remembered in struct chk and returned.
 */
#include "core/process_def.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/cron.h"
#include "core/record.h"
#include "util/alloc.h"
#include "util/log.h"
#include "util/text.h"
#include "util/timeutil.h"
#include "util/tz.h"

#define PATH_MAX_LEN 96		/* struct verr's field */
#define EDGES_MAX PROCDEF_BRANCHES_MAX	/* kept per step; more is an error */

/* How a field's values are typed (from its descriptor or custom type). */
enum vtype {
	V_TEXT, V_INT, V_ID, V_USER, V_DATE, V_TIME, V_BOOL, V_DECIMAL,
	V_MONEY, V_CHOICE, V_LIST, V_OPAQUE,
};

struct pf {
	enum vtype	 t;
	bool		 writable;	/* by a step, on a record that exists */
	bool		 fixed;		/* written only when a record is made */
	bool		 required;
	size_t		 maxlen;
	json_t		*options;	/* V_CHOICE, V_LIST of a multichoice: borrowed */
};

/* One walk over a definition. */
struct chk {
	struct core_ctx		*cx;
	const struct entity	*e;	/* the template's entity, or NULL */
	json_t			*cfs;	/* its custom fields {name: {type, options}} */
	const char		*key;	/* the template's own key, or NULL */
	int			 rc;	/* CRM_EDB once the database failed */
	int			 leaves;
	/*
	 * Edges reported missing or wrong: the graph is then not the one
	 * meant, so what is unreachable or cannot finish is not reported
	 * until they are fixed (it would only repeat them).
	 */
	int			 broken;
	/* The graph: step ids and edges by index. */
	size_t			 n;
	const char		**ids;		/* NULL where the id is bad */
	bool			*end;
	bool			*known;		/* the kind is known */
	int			(*edges)[EDGES_MAX];	/* step indexes */
	int			*nedges;
};

static const char *const entity_names[] = { "deals", "companies",
    "contacts", "activities" };
static const char *const units[] = { "minutes", "hours", "days",
    "work_hours", "work_days" };
static const char *const ops[] = { "eq", "ne", "gt", "gte", "lt", "lte",
    "in", "empty", "not_empty", "changed" };
static const char *const methods[] = { "POST", "PUT", "PATCH", "GET",
    "DELETE" };
/* Placeholders any text may use, beside record.<field>. */
static const char *const fixed_placeholders[] = { "process.name",
    "step.name", "step.deadline", "record.id", "record.name", "record.url",
    "record.owner", "user.name" };

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static bool
one_of(const char *s, const char *const *list, size_t n)
{
	for (size_t i = 0; s != NULL && i < n; i++)
		if (strcmp(s, list[i]) == 0)
			return true;
	return false;
}

static void
bad(struct chk *ck, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
bad(struct chk *ck, const char *path, const char *fmt, ...)
{
	char msg[sizeof(((struct verr *)0)->message)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	verrs_add(&ck->cx->errs, path, "%s", msg);
}

/* path = prefix + suffix (printf); a path cut short still names the place. */
static void
join(char *out, const char *prefix, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
join(char *out, const char *prefix, const char *fmt, ...)
{
	size_t n = (size_t)snprintf(out, PATH_MAX_LEN, "%s", prefix);
	va_list ap;

	if (n >= PATH_MAX_LEN)
		return;
	va_start(ap, fmt);
	vsnprintf(out + n, PATH_MAX_LEN - n, fmt, ap);
	va_end(ap);
}

static void
db_failed(struct chk *ck, const char *what)
{
	log_error("database: process definitions %s: %s", what,
	    db_errmsg(ck->cx->db));
	if (ck->rc == CRM_OK)
		ck->rc = core_fail(ck->cx, CRM_EDB, "The database failed");
}

/* Whether the query sql with one bound value (id or text) finds a row. */
static bool
exists(struct chk *ck, const char *sql, int64_t id, const char *text)
{
	db_stmt_t *st;
	int rc;

	if (db_prepare(ck->cx->db, sql, &st) != DB_OK) {
		db_failed(ck, "lookup");
		return true;	/* not the user's fault: no error of theirs */
	}
	if (text != NULL)
		db_bind_text(st, 1, text, strlen(text));
	else
		db_bind_int(st, 1, id);
	rc = db_step(st);
	db_done(st);
	if (rc != DB_ROW && rc != DB_DONE) {
		db_failed(ck, "lookup step");
		return true;
	}
	return rc == DB_ROW;
}

bool
procdef_slug_ok(const char *s)
{
	size_t n;

	if (s == NULL || !(s[0] >= 'a' && s[0] <= 'z'))
		return false;
	for (n = 0; s[n] != '\0'; n++)
		if (!((s[n] >= 'a' && s[n] <= 'z') || (s[n] >= '0' &&
		    s[n] <= '9') || s[n] == '_' || s[n] == '-'))
			return false;
	return n <= PROCDEF_KEY_MAX;
}

const struct entity *
procdef_entity(const char *name)
{
	return one_of(name, entity_names, NELEM(entity_names)) ?
	    entity_find(name) : NULL;
}

/* The custom fields of entity: {name: {type, options}} (new reference). */
static json_t *
load_cfs(struct chk *ck, const char *entity)
{
	json_t *out = json_object();
	db_stmt_t *st;
	int rc;

	if (db_prepare(ck->cx->db, "SELECT name, type, options FROM "
	    "custom_fields WHERE entity = ?", &st) != DB_OK) {
		db_failed(ck, "custom fields");
		return out;
	}
	db_bind_text(st, 1, entity, strlen(entity));
	while ((rc = db_step(st)) == DB_ROW) {
		json_t *opts = json_loads(db_col_text(st, 2, NULL), 0, NULL);

		json_object_set_new(out, db_col_text(st, 0, NULL), json_pack(
		    "{s:s, s:o}", "type", db_col_text(st, 1, NULL), "options",
		    json_is_array(opts) ? opts : json_array()));
		if (!json_is_array(opts))
			json_decref(opts);
	}
	db_done(st);
	if (rc != DB_DONE)
		db_failed(ck, "custom fields step");
	return out;
}

/* ---- fields and values ---- */

static bool
from_kind(const struct field *f, struct pf *out)
{
	memset(out, 0, sizeof(*out));
	out->maxlen = f->maxlen ? f->maxlen : 1000;
	out->required = f->flags & F_REQUIRED;
	out->writable = !(f->flags & F_READONLY);
	out->fixed = f->flags & F_FIXED;
	switch (f->kind) {
	case FK_TEXT: case FK_LONGTEXT: case FK_URL: case FK_CURRENCY:
		out->t = V_TEXT;
		break;
	case FK_EMAILS: case FK_PHONES: case FK_CONTACTS: case FK_USERS:
		out->t = V_LIST;
		out->writable = false;	/* lists are not set by a step (yet) */
		break;
	case FK_DATE:
		out->t = V_DATE;
		break;
	case FK_TIME:
		out->t = V_TIME;
		break;
	case FK_INT:
		out->t = V_INT;
		break;
	case FK_USER:
		out->t = V_USER;
		break;
	case FK_COMPANY: case FK_REF: case FK_CONTACT: case FK_DEAL:
		out->t = V_ID;
		break;
	case FK_DERIVED:
		out->t = V_OPAQUE;
		out->writable = false;
		break;
	case FK_SIDE: case FK_JSON:
		return false;	/* side tables and checklists: not fields here */
	}
	return true;
}

static const struct {
	const char	*type;
	enum vtype	 t;
} cf_types[] = {
	{ "text", V_TEXT }, { "long_text", V_TEXT }, { "email", V_TEXT },
	{ "phone", V_TEXT }, { "url", V_TEXT }, { "choice", V_CHOICE },
	{ "multichoice", V_LIST }, { "integer", V_INT }, { "decimal", V_DECIMAL },
	{ "percent", V_DECIMAL }, { "money", V_MONEY }, { "date", V_DATE },
	{ "datetime", V_TIME }, { "boolean", V_BOOL },
};

/*
 * Finds field name of e (cfs: its custom fields): the descriptor's
 * fields, the common ones, and custom.<key>. false when there is none.
 */
static bool
resolve(const struct entity *e, json_t *cfs, const char *name, struct pf *out)
{
	memset(out, 0, sizeof(*out));
	if (e == NULL || name == NULL)
		return false;
	if (strncmp(name, "custom.", 7) == 0) {
		json_t *cf = json_object_get(cfs, name + 7);
		const char *type = json_string_value(json_object_get(cf, "type"));

		for (size_t i = 0; type != NULL && i < NELEM(cf_types); i++)
			if (strcmp(type, cf_types[i].type) == 0) {
				out->t = cf_types[i].t;
				out->writable = out->t != V_LIST;
				out->maxlen = out->t == V_TEXT ? 10000 : 0;
				out->options = json_object_get(cf, "options");
				return true;
			}
		return false;
	}
	for (size_t i = 0; i < e->nfields; i++)
		if (strcmp(e->fields[i].name, name) == 0)
			return from_kind(&e->fields[i], out);
	if (strcmp(name, "owner_id") == 0) {
		out->t = V_USER;
		out->writable = true;
		return true;
	}
	if (strcmp(name, "id") == 0 || strcmp(name, "created_by") == 0 ||
	    strcmp(name, "updated_by") == 0) {
		out->t = strcmp(name, "id") == 0 ? V_ID : V_USER;
		return true;
	}
	if (strcmp(name, "created_at") == 0 || strcmp(name, "updated_at") == 0) {
		out->t = V_TIME;
		return true;
	}
	if (strcmp(name, "tags") == 0) {
		out->t = V_LIST;
		return true;
	}
	return false;
}

/* A decimal "-12.50": up to 15 digits, up to 6 after the point. */
static bool
decimal_ok(const char *s, size_t len)
{
	size_t i = s[0] == '-', digits = 0, frac = 0;
	bool point = false;

	for (; i < len; i++) {
		if (s[i] == '.' && !point && digits > 0) {
			point = true;
		} else if (s[i] >= '0' && s[i] <= '9') {
			digits += !point;
			frac += point;
		} else {
			return false;
		}
	}
	return digits >= 1 && digits <= 15 && frac <= 6 && (!point || frac > 0);
}

static int check_text(struct chk *ck, const char *path, const char *label,
    json_t *v, size_t max, bool required);

/*
 * Checks value v for field f at path. Text may hold placeholders when
 * tpl is set (a value a step writes); otherwise it is a literal.
 */
static void
check_value(struct chk *ck, const char *path, const char *label,
    const struct pf *f, json_t *v, bool tpl)
{
	const char *s = json_string_value(v);
	size_t len = json_string_length(v);
	int64_t n;

	switch (f->t) {
	case V_TEXT:
		if (tpl) {
			check_text(ck, path, label, v, f->maxlen, false);
		} else if (!json_is_string(v) || !text_utf8_valid(s, len) ||
		    !text_is_printable(s, len) || text_utf8_count(s, len) >
		    f->maxlen)
			bad(ck, path, "%s: must be text of at most %zu characters",
			    label, f->maxlen);
		return;
	case V_INT:
		if (!json_is_integer(v) || json_integer_value(v) < -FIELD_INT_MAX ||
		    json_integer_value(v) > FIELD_INT_MAX)
			bad(ck, path, "%s: must be a whole number", label);
		return;
	case V_ID:
	case V_USER:
		if (!json_is_integer(v) || json_integer_value(v) < 1) {
			bad(ck, path, "%s: must be an id (a whole number from 1)",
			    label);
			return;
		}
		if (f->t == V_USER && !exists(ck, "SELECT 1 FROM users WHERE id = ? "
		    "AND active = 1", json_integer_value(v), NULL))
			bad(ck, path, "%s: no active user has id %lld", label,
			    (long long)json_integer_value(v));
		return;
	case V_DATE:
		if (!json_is_string(v) || time_parse_date(s, len, &n) != 0)
			bad(ck, path, "%s: must be a date YYYY-MM-DD", label);
		return;
	case V_TIME:
		if (!json_is_string(v) || time_parse_datetime(s, len, &n) != 0)
			bad(ck, path, "%s: must be a time in RFC 3339 "
			    "(2026-11-27T09:00:00Z)", label);
		return;
	case V_BOOL:
		if (!json_is_boolean(v))
			bad(ck, path, "%s: must be true or false", label);
		return;
	case V_DECIMAL:
		if (!json_is_string(v) || !decimal_ok(s, len))
			bad(ck, path, "%s: must be a decimal number as a string "
			    "(\"12.50\")", label);
		return;
	case V_MONEY:
		s = json_string_value(json_object_get(v, "currency"));
		if (!json_is_object(v) || json_object_size(v) != 2 ||
		    !json_is_integer(json_object_get(v, "amount")) || s == NULL ||
		    !text_is_currency(s, strlen(s)))
			bad(ck, path, "%s: must be {\"amount\": minor units, "
			    "\"currency\": \"EUR\"}", label);
		return;
	case V_CHOICE:
	case V_LIST: {
		size_t i;
		json_t *o;
		bool found = false;

		if (f->options == NULL) {
			bad(ck, path, "%s: a list field is compared only with empty, "
			    "not_empty or changed", label);
			return;
		}
		json_array_foreach(f->options, i, o)
			found |= json_equal(o, v);
		if (!found)
			bad(ck, path, "%s: must be one of the field's options", label);
		return;
	}
	case V_OPAQUE:
		if (!(json_is_string(v) && len <= 1000 && text_utf8_valid(s, len)) &&
		    !json_is_integer(v))
			bad(ck, path, "%s: must be text or a whole number", label);
		return;
	}
}

/* Checks that field name (at path) is one of the template's entity. */
static bool
field_of(struct chk *ck, const char *path, const char *label, json_t *name,
    struct pf *out)
{
	const char *s = json_string_value(name);

	if (ck->e == NULL)
		return false;	/* the entity is already reported */
	if (!json_is_string(name) || json_string_length(name) == 0) {
		bad(ck, path, "%s: must name a field", label);
		return false;
	}
	if (!resolve(ck->e, ck->cfs, s, out)) {
		bad(ck, path, "%s: %.60s is not a field of %s", label, s,
		    ck->e->name);
		return false;
	}
	return true;
}

/* ---- members ---- */

/* Reports every key of o not in allowed. */
static void
only_keys(struct chk *ck, const char *path, const char *label, json_t *o,
    const char *const *allowed, size_t n, const char *what)
{
	const char *key;
	json_t *v;

	json_object_foreach(o, key, v)
		if (!one_of(key, allowed, n))
			bad(ck, path, "%s: %.40s is not a property of %s", label, key,
			    what);
}

static bool
placeholder_ok(struct chk *ck, const char *name, size_t len)
{
	char buf[PROCDEF_KEY_MAX + 16];
	struct pf f;

	if (len >= sizeof(buf))
		return false;
	memcpy(buf, name, len);
	buf[len] = '\0';
	if (one_of(buf, fixed_placeholders, NELEM(fixed_placeholders)))
		return true;
	return strncmp(buf, "record.", 7) == 0 && resolve(ck->e, ck->cfs,
	    buf + 7, &f);
}

/*
 * A text of 1..max characters (0..max when not required) whose
 * {{placeholders}} are all on the allowed list. The text is stored as
 * given: the engine substitutes names, it never evaluates anything.
 */
static int
check_text(struct chk *ck, const char *path, const char *label, json_t *v,
    size_t max, bool required)
{
	const char *s = json_string_value(v), *p;
	size_t len = json_string_length(v);

	if (!json_is_string(v) || !text_utf8_valid(s, len) ||
	    !text_is_printable(s, len) || text_utf8_count(s, len) > max ||
	    (required && len == 0)) {
		bad(ck, path, "%s: must be text of %s%zu characters", label,
		    required ? "1 to " : "at most ", max);
		return -1;
	}
	for (p = strstr(s, "{{"); p != NULL; p = strstr(p, "{{")) {
		const char *name = p + 2, *close = strstr(name, "}}");
		size_t n;

		if (close == NULL) {
			bad(ck, path, "%s: a {{ is not closed with }}", label);
			return -1;
		}
		while (*name == ' ')
			name++;
		n = (size_t)(close - name);
		while (n > 0 && name[n - 1] == ' ')
			n--;
		if (!placeholder_ok(ck, name, n)) {
			bad(ck, path, "%s: {{%.*s}} is not a placeholder (see "
			    "docs/processes.md for the list)", label,
			    (int)(n > 40 ? 40 : n), name);
			return -1;
		}
		p = close + 2;
	}
	return 0;
}

int
procdef_check_who(struct core_ctx *cx, const char *path, json_t *who)
{
	static const char *const user_keys[] = { "user" };
	static const char *const role_keys[] = { "role", "in" };
	struct chk ck = { .cx = cx };
	const char *s = json_string_value(who);
	json_t *id;

	if (json_is_string(who)) {
		if (strcmp(s, "record_owner") != 0 && strcmp(s, "owner_head") != 0)
			bad(&ck, path, "must be record_owner, owner_head, {\"user\": "
			    "id} or {\"role\": id, \"in\": \"record_department\"}");
		return ck.rc;
	}
	if (!json_is_object(who)) {
		bad(&ck, path, "must be record_owner, owner_head, {\"user\": id} "
		    "or {\"role\": id, \"in\": \"record_department\"}");
		return ck.rc;
	}
	if (json_object_get(who, "user") != NULL) {
		id = json_object_get(who, "user");
		only_keys(&ck, path, "a user", who, user_keys, 1, "a person");
		if (!json_is_integer(id) || json_integer_value(id) < 1)
			bad(&ck, path, "user must be a user id");
		else if (!exists(&ck, "SELECT 1 FROM users WHERE id = ? AND "
		    "active = 1", json_integer_value(id), NULL))
			bad(&ck, path, "no active user has id %lld",
			    (long long)json_integer_value(id));
		return ck.rc;
	}
	id = json_object_get(who, "role");
	only_keys(&ck, path, "a role", who, role_keys, 2, "a person");
	if (!json_is_integer(id) || json_integer_value(id) < 1)
		bad(&ck, path, "needs user or role, an id");
	else if (!exists(&ck, "SELECT 1 FROM roles WHERE id = ?",
	    json_integer_value(id), NULL))
		bad(&ck, path, "no role has id %lld",
		    (long long)json_integer_value(id));
	s = json_string_value(json_object_get(who, "in"));
	if (s == NULL || strcmp(s, "record_department") != 0)
		bad(&ck, path, "a role is looked up \"in\": "
		    "\"record_department\"");
	return ck.rc;
}

static void
who(struct chk *ck, const char *path, const char *label, json_t *v)
{
	int errs = ck->cx->errs.n;
	int rc = procdef_check_who(ck->cx, path, v);

	if (rc != CRM_OK && ck->rc == CRM_OK)
		ck->rc = rc;
	/* Name the step in what the shared check said. */
	for (int i = errs; i < ck->cx->errs.n; i++) {
		struct verr *e = &ck->cx->errs.items[i];
		char msg[sizeof(e->message)];

		snprintf(msg, sizeof(msg), "%s: %s", label, e->message);
		memcpy(e->message, msg, sizeof(msg));
	}
}

/* An integer member in [lo, hi]. */
static bool
int_in(json_t *v, int64_t lo, int64_t hi)
{
	return json_is_integer(v) && json_integer_value(v) >= lo &&
	    json_integer_value(v) <= hi;
}

static void
duration(struct chk *ck, const char *path, const char *label, json_t *d,
    bool deadline)
{
	static const char *const keys[] = { "amount", "unit", "on_overdue" };

	if (!json_is_object(d)) {
		bad(ck, path, "%s: must be {\"amount\", \"unit\"}", label);
		return;
	}
	only_keys(ck, path, label, d, keys, deadline ? 3 : 2, deadline ?
	    "a deadline" : "a duration");
	if (!int_in(json_object_get(d, "amount"), 1, 100000))
		bad(ck, path, "%s: amount must be a whole number from 1 to 100000",
		    label);
	if (!one_of(json_string_value(json_object_get(d, "unit")), units,
	    NELEM(units)))
		bad(ck, path, "%s: unit must be minutes, hours, days, work_hours "
		    "or work_days", label);
}

/* Looks up step id s; -1 when no step has it. */
static int
step_index(struct chk *ck, const char *s)
{
	for (size_t i = 0; s != NULL && i < ck->n; i++)
		if (ck->ids[i] != NULL && strcmp(ck->ids[i], s) == 0)
			return (int)i;
	return -1;
}

/* An edge from step i to the step named by v (at path, as what). */
static void
edge(struct chk *ck, size_t i, const char *path, const char *label,
    const char *what, json_t *v)
{
	int to = step_index(ck, json_string_value(v));

	if (to < 0) {
		ck->broken++;
		if (json_is_string(v))
			bad(ck, path, "%s: %s names '%.40s', which is no step",
			    label, what, json_string_value(v));
		else
			bad(ck, path, "%s: %s must be a step id", label, what);
		return;
	}
	if (ck->nedges[i] >= EDGES_MAX) {
		if (ck->nedges[i] == EDGES_MAX) {
			bad(ck, path, "%s: has more than %d branches", label,
			    PROCDEF_BRANCHES_MAX);
			ck->broken++;
		}
		ck->nedges[i]++;
		return;
	}
	ck->edges[i][ck->nedges[i]++] = to;
}

static void
deadline(struct chk *ck, size_t i, const char *path, const char *label,
    json_t *d)
{
	static const char *const keys[] = { "action", "to", "step" };
	json_t *o = json_object_get(d, "on_overdue");
	const char *a = json_string_value(json_object_get(o, "action"));
	char p[PATH_MAX_LEN];

	duration(ck, path, label, d, true);
	if (o == NULL)
		return;		/* remind is the default */
	join(p, path, ".on_overdue");
	if (!json_is_object(o) || a == NULL) {
		bad(ck, p, "%s: on_overdue must be {\"action\": remind, "
		    "notify_owner, reassign or branch}", label);
		return;
	}
	{
		const char *key;
		json_t *v;

		/* action, and "to" for a reassign or "step" for a branch. */
		json_object_foreach(o, key, v)
			if (!one_of(key, keys, 1) && !(strcmp(key, "to") == 0 &&
			    strcmp(a, "reassign") == 0) && !(strcmp(key, "step") == 0 &&
			    strcmp(a, "branch") == 0))
				bad(ck, p, "%s: %.40s is not a property of on_overdue %s",
				    label, key, a);
	}
	if (strcmp(a, "reassign") == 0) {
		join(p, path, ".on_overdue.to");
		who(ck, p, label, json_object_get(o, "to"));
	} else if (strcmp(a, "branch") == 0) {
		join(p, path, ".on_overdue.step");
		edge(ck, i, p, label, "on_overdue", json_object_get(o, "step"));
	} else if (strcmp(a, "remind") != 0 && strcmp(a, "notify_owner") != 0) {
		bad(ck, p, "%s: on_overdue action must be remind, notify_owner, "
		    "reassign or branch", label);
	}
}

/* ---- conditions ---- */

static void
condition(struct chk *ck, const char *path, const char *label, json_t *c,
    int depth)
{
	static const char *const keys[] = { "field", "op", "value" };
	json_t *list = json_object_get(c, "all"), *v;
	const char *op, *kw = "all";
	char p[PATH_MAX_LEN];
	struct pf f;
	size_t i;

	if (!json_is_object(c)) {
		bad(ck, path, "%s: a condition is {\"all\"|\"any\": [...]} or "
		    "{\"field\", \"op\", \"value\"}", label);
		return;
	}
	if (list == NULL) {
		list = json_object_get(c, "any");
		kw = "any";
	}
	if (list != NULL) {
		if (json_object_size(c) != 1) {
			bad(ck, path, "%s: all or any stands alone in its object",
			    label);
			return;
		}
		if (depth >= PROCDEF_COND_DEPTH) {
			bad(ck, path, "%s: conditions nest at most %d deep", label,
			    PROCDEF_COND_DEPTH);
			return;
		}
		if (!json_is_array(list) || json_array_size(list) == 0) {
			bad(ck, path, "%s: %s must list at least one condition", label,
			    kw);
			return;
		}
		json_array_foreach(list, i, v) {
			join(p, path, ".%s[%zu]", kw, i);
			condition(ck, p, label, v, depth + 1);
		}
		return;
	}
	if (++ck->leaves == PROCDEF_COND_LEAVES + 1)
		bad(ck, path, "%s: a condition compares at most %d fields", label,
		    PROCDEF_COND_LEAVES);
	only_keys(ck, path, label, c, keys, 3, "a condition");
	join(p, path, ".field");
	if (!field_of(ck, p, label, json_object_get(c, "field"), &f))
		return;
	op = json_string_value(json_object_get(c, "op"));
	v = json_object_get(c, "value");
	join(p, path, ".op");
	if (!one_of(op, ops, NELEM(ops))) {
		bad(ck, p, "%s: op must be eq, ne, gt, gte, lt, lte, in, empty, "
		    "not_empty or changed", label);
		return;
	}
	join(p, path, ".value");
	if (strcmp(op, "empty") == 0 || strcmp(op, "not_empty") == 0 ||
	    strcmp(op, "changed") == 0) {
		if (v != NULL)
			bad(ck, p, "%s: %s takes no value", label, op);
		return;
	}
	if (f.t == V_LIST && f.options == NULL) {
		bad(ck, p, "%s: a list field is compared only with empty, "
		    "not_empty or changed", label);
		return;
	}
	if (op[0] == 'g' || op[0] == 'l') {
		if (f.t != V_INT && f.t != V_DATE && f.t != V_TIME &&
		    f.t != V_DECIMAL && f.t != V_MONEY && f.t != V_OPAQUE) {
			bad(ck, p, "%s: %s compares numbers, dates and times only",
			    label, op);
			return;
		}
	}
	if (strcmp(op, "in") == 0) {
		json_t *x;

		if (!json_is_array(v) || json_array_size(v) == 0 ||
		    json_array_size(v) > 50) {
			bad(ck, p, "%s: in takes a list of 1 to 50 values", label);
			return;
		}
		json_array_foreach(v, i, x) {
			join(p, path, ".value[%zu]", i);
			check_value(ck, p, label, &f, x, false);
		}
		return;
	}
	if (v == NULL) {
		bad(ck, p, "%s: %s needs a value", label, op);
		return;
	}
	check_value(ck, p, label, &f, v, false);
}

/* ---- steps ---- */

struct kind {
	const char	*name;
	const char	*props[5];	/* beside the common ones */
	bool		 next;		/* continues at "next" */
	bool		 deadline;	/* may have a deadline */
	void		(*check)(struct chk *, size_t, const char *,
			    const char *, json_t *);
};

static void
k_task(struct chk *ck, size_t i, const char *path, const char *label,
    json_t *s)
{
	char p[PATH_MAX_LEN];

	(void)i;
	join(p, path, ".responsible");
	who(ck, p, label, json_object_get(s, "responsible"));
	if (json_object_get(s, "text") != NULL) {
		join(p, path, ".text");
		check_text(ck, p, label, json_object_get(s, "text"),
		    PROCDEF_TEXT_MAX, false);
	}
}

/* Branches of a step: exactly the answers named, each to a step. */
static void
branches(struct chk *ck, size_t i, const char *path, const char *label,
    json_t *b, const char *a1, const char *a2)
{
	const char *const answers[] = { a1, a2 };
	char p[PATH_MAX_LEN];

	join(p, path, ".branches");
	if (!json_is_object(b)) {
		ck->broken++;
		bad(ck, p, "%s: branches must be {\"%s\": step, \"%s\": step}",
		    label, a1, a2);
		return;
	}
	only_keys(ck, p, label, b, answers, 2, "these branches");
	for (size_t k = 0; k < 2; k++) {
		if (json_object_get(b, answers[k]) == NULL) {
			bad(ck, p, "%s: no branch for '%s'", label, answers[k]);
			ck->broken++;
		} else
			edge(ck, i, p, label, answers[k], json_object_get(b,
			    answers[k]));
	}
}

static void
k_approval(struct chk *ck, size_t i, const char *path, const char *label,
    json_t *s)
{
	char p[PATH_MAX_LEN];

	join(p, path, ".approver");
	who(ck, p, label, json_object_get(s, "approver"));
	branches(ck, i, path, label, json_object_get(s, "branches"), "approve",
	    "reject");
}

static void
k_condition(struct chk *ck, size_t i, const char *path, const char *label,
    json_t *s)
{
	static const char *const case_keys[] = { "condition", "next" };
	json_t *cases = json_object_get(s, "cases"), *c;
	char p[PATH_MAX_LEN];
	size_t k;

	if (cases == NULL) {
		join(p, path, ".condition");
		condition(ck, p, label, json_object_get(s, "condition"), 0);
		branches(ck, i, path, label, json_object_get(s, "branches"),
		    "true", "false");
		if (json_object_get(s, "default") != NULL) {
			join(p, path, ".default");
			bad(ck, p, "%s: default goes with cases", label);
		}
		return;
	}
	join(p, path, ".cases");
	if (json_object_get(s, "condition") != NULL ||
	    json_object_get(s, "branches") != NULL)
		bad(ck, p, "%s: either condition and branches, or cases and "
		    "default", label);
	if (!json_is_array(cases) || json_array_size(cases) == 0 ||
	    json_array_size(cases) >= PROCDEF_BRANCHES_MAX) {
		bad(ck, p, "%s: cases must list 1 to %d {condition, next}", label,
		    PROCDEF_BRANCHES_MAX - 1);
		ck->broken++;
		return;
	}
	json_array_foreach(cases, k, c) {
		join(p, path, ".cases[%zu]", k);
		if (!json_is_object(c)) {
			bad(ck, p, "%s: a case is {condition, next}", label);
			continue;
		}
		only_keys(ck, p, label, c, case_keys, 2, "a case");
		join(p, path, ".cases[%zu].condition", k);
		condition(ck, p, label, json_object_get(c, "condition"), 0);
		join(p, path, ".cases[%zu].next", k);
		edge(ck, i, p, label, "next", json_object_get(c, "next"));
	}
	join(p, path, ".default");
	if (json_object_get(s, "default") == NULL) {
		bad(ck, p, "%s: no branch for the default (no case matches)",
		    label);
		ck->broken++;
	} else
		edge(ck, i, p, label, "default", json_object_get(s, "default"));
}

static void
k_wait(struct chk *ck, size_t i, const char *path, const char *label,
    json_t *s)
{
	json_t *d = json_object_get(s, "duration"),
	    *uf = json_object_get(s, "until_field"),
	    *uc = json_object_get(s, "until_changed");
	char p[PATH_MAX_LEN];
	struct pf f;

	(void)i;
	if ((d != NULL) + (uf != NULL) + (uc != NULL) != 1) {
		bad(ck, path, "%s: a wait has one of duration, until_field or "
		    "until_changed", label);
		return;
	}
	if (d != NULL) {
		join(p, path, ".duration");
		duration(ck, p, label, d, false);
	} else if (uf != NULL) {
		join(p, path, ".until_field");
		if (field_of(ck, p, label, uf, &f) && f.t != V_DATE &&
		    f.t != V_TIME)
			bad(ck, p, "%s: until_field must be a date or time field",
			    label);
	} else {
		join(p, path, ".until_changed");
		field_of(ck, p, label, uc, &f);
	}
}

/*
 * A value a step writes into field name of e (cfs: its custom fields),
 * into a record it creates (create) or one that exists.
 */
static void
write_value(struct chk *ck, const char *path, const char *label,
    const struct entity *e, json_t *cfs, const char *name, json_t *v,
    bool create)
{
	struct pf f;

	if (!resolve(e, cfs, name, &f)) {
		bad(ck, path, "%s: %.60s is not a field of %s", label, name,
		    e->name);
		return;
	}
	if (!f.writable || (f.fixed && !create)) {
		bad(ck, path, "%s: %.60s cannot be set by a process%s", label, name,
		    f.fixed && f.writable ? " once the record exists" : "");
		return;
	}
	if (json_is_null(v)) {
		if (f.required)
			bad(ck, path, "%s: %.60s cannot be emptied", label, name);
		return;
	}
	check_value(ck, path, label, &f, v, true);
}

static void
k_set_field(struct chk *ck, size_t i, const char *path, const char *label,
    json_t *s)
{
	const char *name = json_string_value(json_object_get(s, "field"));
	char p[PATH_MAX_LEN];

	(void)i;
	join(p, path, ".field");
	if (ck->e == NULL)
		return;
	if (name == NULL) {
		bad(ck, p, "%s: must name a field", label);
		return;
	}
	if (json_object_get(s, "value") == NULL) {
		join(p, path, ".value");
		bad(ck, p, "%s: needs a value (null empties the field)", label);
		return;
	}
	if (strcmp(name, "stage_id") == 0 && ck->e == &entity_deals) {
		bad(ck, p, "%s: a deal changes stage with a move_stage step",
		    label);
		return;
	}
	write_value(ck, p, label, ck->e, ck->cfs, name, json_object_get(s,
	    "value"), false);
}

static void
k_move_stage(struct chk *ck, size_t i, const char *path, const char *label,
    json_t *s)
{
	json_t *id = json_object_get(s, "stage_id");
	char p[PATH_MAX_LEN];

	(void)i;
	join(p, path, ".stage_id");
	if (ck->e != NULL && ck->e != &entity_deals)
		bad(ck, path, "%s: only a deal moves through stages", label);
	else if (!json_is_integer(id) || json_integer_value(id) < 1)
		bad(ck, p, "%s: stage_id must be a stage id", label);
	else if (!exists(ck, "SELECT 1 FROM pipeline_stages s JOIN pipelines p "
	    "ON p.id = s.pipeline_id WHERE s.id = ? AND p.archived = 0",
	    json_integer_value(id), NULL))
		bad(ck, p, "%s: no stage of an active pipeline has id %lld", label,
		    (long long)json_integer_value(id));
}

static void
recipients(struct chk *ck, const char *path, const char *label, json_t *to)
{
	char p[PATH_MAX_LEN];
	size_t k;
	json_t *w;

	join(p, path, ".to");
	if (!json_is_array(to) || json_array_size(to) == 0 ||
	    json_array_size(to) > PROCDEF_RECIPIENTS_MAX) {
		bad(ck, p, "%s: to must list 1 to %d people", label,
		    PROCDEF_RECIPIENTS_MAX);
		return;
	}
	json_array_foreach(to, k, w) {
		join(p, path, ".to[%zu]", k);
		who(ck, p, label, w);
	}
}

static void
k_notify(struct chk *ck, size_t i, const char *path, const char *label,
    json_t *s)
{
	char p[PATH_MAX_LEN];

	(void)i;
	recipients(ck, path, label, json_object_get(s, "to"));
	join(p, path, ".text");
	check_text(ck, p, label, json_object_get(s, "text"), PROCDEF_TEXT_MAX,
	    true);
}

static void
k_email(struct chk *ck, size_t i, const char *path, const char *label,
    json_t *s)
{
	char p[PATH_MAX_LEN];

	k_notify(ck, i, path, label, s);
	join(p, path, ".subject");
	check_text(ck, p, label, json_object_get(s, "subject"),
	    PROCDEF_NAME_MAX, true);
}

static void
k_create_record(struct chk *ck, size_t i, const char *path,
    const char *label, json_t *s)
{
	const char *name = json_string_value(json_object_get(s, "entity"));
	const struct entity *e = procdef_entity(name);
	json_t *values = json_object_get(s, "values"), *v, *cfs;
	char p[PATH_MAX_LEN];
	const char *key;

	(void)i;
	join(p, path, ".entity");
	if (e == NULL) {
		bad(ck, p, "%s: entity must be deals, companies, contacts or "
		    "activities", label);
		return;
	}
	join(p, path, ".values");
	if (!json_is_object(values)) {
		bad(ck, p, "%s: values must be an object of field values", label);
		return;
	}
	cfs = load_cfs(ck, e->name);
	json_object_foreach(values, key, v) {
		join(p, path, ".values.%s", key);
		write_value(ck, p, label, e, cfs, key, v, true);
	}
	join(p, path, ".values");
	for (size_t k = 0; k < e->nfields; k++)
		if ((e->fields[k].flags & F_REQUIRED) &&
		    json_object_get(values, e->fields[k].name) == NULL)
			bad(ck, p, "%s: %s needs %s", label, e->singular,
			    e->fields[k].name);
	json_decref(cfs);
}

static void
k_webhook(struct chk *ck, size_t i, const char *path, const char *label,
    json_t *s)
{
	json_t *url = json_object_get(s, "url"), *m = json_object_get(s,
	    "method"), *t = json_object_get(s, "timeout_s");
	const char *u = json_string_value(url);
	size_t len = json_string_length(url);
	char p[PATH_MAX_LEN];

	(void)i;
	join(p, path, ".url");
	if (u == NULL || len > PROCDEF_URL_MAX || strncmp(u, "https://", 8) != 0 ||
	    len < 9 || !text_is_url(u, len) || strchr(u, '{') != NULL)
		bad(ck, p, "%s: url must be an https:// address of at most %d "
		    "characters", label, PROCDEF_URL_MAX);
	join(p, path, ".method");
	if (m != NULL && !one_of(json_string_value(m), methods, NELEM(methods)))
		bad(ck, p, "%s: method must be POST, PUT, PATCH, GET or DELETE",
		    label);
	join(p, path, ".timeout_s");
	if (t != NULL && !int_in(t, 1, 30))
		bad(ck, p, "%s: timeout_s must be 1 to 30 seconds", label);
	if (json_object_get(s, "body") != NULL) {
		join(p, path, ".body");
		check_text(ck, p, label, json_object_get(s, "body"),
		    PROCDEF_TEXT_MAX, false);
	}
}

static void
k_start_process(struct chk *ck, size_t i, const char *path,
    const char *label, json_t *s)
{
	const char *key = json_string_value(json_object_get(s, "template"));
	char p[PATH_MAX_LEN];

	(void)i;
	join(p, path, ".template");
	if (!procdef_slug_ok(key))
		bad(ck, p, "%s: template must be a template key", label);
	else if (ck->key != NULL && strcmp(key, ck->key) == 0)
		bad(ck, p, "%s: a process does not start itself", label);
	else if (!exists(ck, "SELECT 1 FROM process_templates WHERE key = ? "
	    "AND status = 'active'", 0, key))
		bad(ck, p, "%s: no active template has key '%s'", label, key);
}

static const struct kind kinds[] = {
	{ "task", { "responsible", "text" }, true, true, k_task },
	{ "approval", { "approver", "branches" }, false, true, k_approval },
	{ "condition", { "condition", "branches", "cases", "default" }, false,
	    false, k_condition },
	{ "wait", { "duration", "until_field", "until_changed" }, true, true,
	    k_wait },
	{ "set_field", { "field", "value" }, true, false, k_set_field },
	{ "move_stage", { "stage_id" }, true, false, k_move_stage },
	{ "notify", { "to", "text" }, true, false, k_notify },
	{ "email", { "to", "subject", "text" }, true, false, k_email },
	{ "create_record", { "entity", "values" }, true, false,
	    k_create_record },
	{ "webhook", { "url", "method", "body", "timeout_s" }, true, false,
	    k_webhook },
	{ "start_process", { "template" }, true, false, k_start_process },
	{ "end", { NULL }, false, false, NULL },
};

static const struct kind *
kind_find(const char *name)
{
	for (size_t i = 0; name != NULL && i < NELEM(kinds); i++)
		if (strcmp(kinds[i].name, name) == 0)
			return &kinds[i];
	return NULL;
}

static void
step_common(struct chk *ck, const char *path, const char *label, json_t *s,
    const struct kind *k)
{
	static const char *const common[] = { "id", "kind", "name",
	    "description", "position", "next", "deadline" };
	json_t *pos = json_object_get(s, "position"), *d;
	char p[PATH_MAX_LEN];
	const char *key;
	json_t *v;

	json_object_foreach(s, key, v) {
		bool own = false;

		for (size_t i = 0; i < NELEM(k->props) && k->props[i]; i++)
			own |= strcmp(key, k->props[i]) == 0;
		if (own || one_of(key, common, NELEM(common)))
			continue;
		join(p, path, ".%.40s", key);
		bad(ck, p, "%s: %.40s is not a property of a %s step", label, key,
		    k->name);
	}
	join(p, path, ".name");
	if (!core_text_ok(json_object_get(s, "name"), PROCDEF_NAME_MAX))
		bad(ck, p, "%s: needs a name of 1 to %d characters", label,
		    PROCDEF_NAME_MAX);
	d = json_object_get(s, "description");
	join(p, path, ".description");
	if (d != NULL && !(json_is_string(d) && (json_string_length(d) == 0 ||
	    core_text_ok(d, PROCDEF_DESC_MAX))))
		bad(ck, p, "%s: description must be text of at most %d characters",
		    label, PROCDEF_DESC_MAX);
	join(p, path, ".position");
	if (pos != NULL && (!json_is_object(pos) || json_object_size(pos) != 2 ||
	    !int_in(json_object_get(pos, "x"), -PROCDEF_POS_MAX,
	    PROCDEF_POS_MAX) || !int_in(json_object_get(pos, "y"),
	    -PROCDEF_POS_MAX, PROCDEF_POS_MAX)))
		bad(ck, p, "%s: position must be {\"x\", \"y\"}, whole numbers "
		    "within %d", label, PROCDEF_POS_MAX);
	join(p, path, ".next");
	if (!k->next && json_object_get(s, "next") != NULL)
		bad(ck, p, "%s: a%s %s step has no next%s", label,
		    k->name[0] == 'a' || k->name[0] == 'e' ? "n" : "", k->name,
		    strcmp(k->name, "end") == 0 ? "" : ": it continues by its "
		    "branches");
	join(p, path, ".deadline");
	if (!k->deadline && json_object_get(s, "deadline") != NULL)
		bad(ck, p, "%s: only a task, an approval or a wait has a deadline",
		    label);
}

/* First pass over one step: its id only, so edges can name any step. */
static void
step_id(struct chk *ck, size_t i, json_t *s)
{
	const char *id = json_string_value(json_object_get(s, "id"));
	char p[PATH_MAX_LEN];

	join(p, "", "steps[%zu].id", i);
	if (!procdef_slug_ok(id)) {
		bad(ck, p, "step %zu: id must be a slug: a-z first, then a-z, 0-9, "
		    "_ or -, at most %d", i, PROCDEF_KEY_MAX);
		return;
	}
	if (step_index(ck, id) >= 0) {
		bad(ck, p, "step '%s': the id is used by another step", id);
		return;
	}
	ck->ids[i] = id;
}

static void
step(struct chk *ck, size_t i, json_t *s)
{
	const char *kname = json_string_value(json_object_get(s, "kind"));
	const struct kind *k = kind_find(kname);
	char path[PATH_MAX_LEN], label[PROCDEF_KEY_MAX + 16], p[PATH_MAX_LEN];

	join(path, "", "steps[%zu]", i);
	if (ck->ids[i] != NULL)
		snprintf(label, sizeof(label), "step '%s'", ck->ids[i]);
	else
		snprintf(label, sizeof(label), "step %zu", i);
	if (k == NULL) {
		join(p, path, ".kind");
		bad(ck, p, "%s: kind %s%.40s%s is unknown (task, approval, "
		    "condition, wait, set_field, move_stage, notify, email, "
		    "create_record, webhook, start_process, end)", label,
		    kname ? "'" : "", kname ? kname : "(none)", kname ? "'" : "");
		ck->broken++;
		return;
	}
	ck->known[i] = true;
	ck->end[i] = k->check == NULL;
	step_common(ck, path, label, s, k);
	if (k->check != NULL)
		k->check(ck, i, path, label, s);
	if (k->next) {
		join(p, path, ".next");
		if (json_object_get(s, "next") == NULL) {
			bad(ck, p, "%s: needs next, the step that follows", label);
			ck->broken++;
		} else
			edge(ck, i, p, label, "next", json_object_get(s, "next"));
	}
	if (k->deadline && json_object_get(s, "deadline") != NULL) {
		join(p, path, ".deadline");
		deadline(ck, i, p, label, json_object_get(s, "deadline"));
	}
}

/* ---- the whole ---- */

/* Whether condition c compares with "changed" anywhere (bounded depth). */
static bool
uses_changed(json_t *c, int depth)
{
	json_t *list = json_object_get(c, "all"), *x;
	const char *op = json_string_value(json_object_get(c, "op"));
	size_t i;

	if (depth > PROCDEF_COND_DEPTH + 1)
		return false;
	if (list == NULL)
		list = json_object_get(c, "any");
	json_array_foreach(list, i, x)
		if (uses_changed(x, depth + 1))
			return true;
	return op != NULL && strcmp(op, "changed") == 0;
}

static void
trigger(struct chk *ck, json_t *t)
{
	static const char *const k_plain[] = { "type" };
	static const char *const k_changed[] = { "type", "field", "to" };
	static const char *const k_sched[] = { "type", "cron", "tz", "filter" };
	static const char *const k_offset[] = { "type", "field", "days" };
	const char *type = json_string_value(json_object_get(t, "type"));
	const char *label = "trigger";
	struct pf f;

	if (!json_is_object(t) || type == NULL) {
		bad(ck, "trigger", "must be {\"type\": manual, created, "
		    "field_changed, schedule or date_offset}");
		return;
	}
	if (strcmp(type, "manual") == 0 || strcmp(type, "created") == 0) {
		only_keys(ck, "trigger", label, t, k_plain, 1, "this trigger");
	} else if (strcmp(type, "field_changed") == 0) {
		only_keys(ck, "trigger", label, t, k_changed, 3, "this trigger");
		if (field_of(ck, "trigger.field", label, json_object_get(t, "field"),
		    &f) && json_object_get(t, "to") != NULL) {
			if (f.t == V_LIST && f.options == NULL)
				bad(ck, "trigger.to", "trigger: a list field has no to");
			else
				check_value(ck, "trigger.to", label, &f,
				    json_object_get(t, "to"), false);
		}
	} else if (strcmp(type, "schedule") == 0) {
		const char *expr = json_string_value(json_object_get(t, "cron"));
		const char *zone = json_string_value(json_object_get(t, "tz"));
		struct cron c;
		struct tz *z = NULL;
		char err[160];
		int64_t next;

		only_keys(ck, "trigger", label, t, k_sched, 4, "this trigger");
		if (json_object_get(t, "filter") != NULL) {
			condition(ck, "trigger.filter", label,
			    json_object_get(t, "filter"), 0);
			if (uses_changed(json_object_get(t, "filter"), 0))
				bad(ck, "trigger.filter", "trigger: a schedule's filter "
				    "cannot use changed (no write is looked at)");
		}
		if (zone == NULL || tz_load(zone, &z) != 0) {
			bad(ck, "trigger.tz", "trigger: tz must be a time zone "
			    "(Europe/Berlin, UTC)");
			z = NULL;
		}
		if (expr == NULL)
			bad(ck, "trigger.cron", "trigger: cron must be five fields "
			    "(minute hour day-of-month month day-of-week)");
		else if (cron_parse(expr, &c, err, sizeof(err)) != 0)
			bad(ck, "trigger.cron", "trigger: cron %s", err);
		else if (z != NULL && cron_next(&c, z, time_now_ms(), &next) != 0)
			bad(ck, "trigger.cron", "trigger: cron never fires");
		tz_free(z);
	} else if (strcmp(type, "date_offset") == 0) {
		only_keys(ck, "trigger", label, t, k_offset, 3, "this trigger");
		if (field_of(ck, "trigger.field", label, json_object_get(t, "field"),
		    &f) && f.t != V_DATE && f.t != V_TIME)
			bad(ck, "trigger.field", "trigger: date_offset needs a date "
			    "or time field");
		if (!int_in(json_object_get(t, "days"), -3650, 3650))
			bad(ck, "trigger.days", "trigger: days must be a whole number "
			    "from -3650 to 3650 (negative: before the date)");
	} else {
		bad(ck, "trigger.type", "trigger: type must be manual, created, "
		    "field_changed, schedule or date_offset");
	}
}

/* Marks in seen what walking edges (or, with back, edges reversed) reaches. */
static void
walk(struct chk *ck, int from, bool back, bool *seen)
{
	int *queue = xcalloc(ck->n, sizeof(*queue));
	size_t head = 0, tail = 0;

	seen[from] = true;
	queue[tail++] = from;
	while (head < tail) {
		int at = queue[head++];

		for (size_t j = 0; j < ck->n; j++) {
			bool linked = false;

			if (seen[j])
				continue;
			if (back) {
				for (int k = 0; k < ck->nedges[j] && k < EDGES_MAX; k++)
					linked |= ck->edges[j][k] == at;
			} else {
				for (int k = 0; k < ck->nedges[at] && k < EDGES_MAX; k++)
					linked |= ck->edges[at][k] == (int)j;
			}
			if (linked) {
				seen[j] = true;
				queue[tail++] = (int)j;
			}
		}
	}
	free(queue);
}

static void
graph(struct chk *ck, const char *start)
{
	bool *reached = xcalloc(ck->n, sizeof(bool));
	bool *finishes = xcalloc(ck->n, sizeof(bool));
	int s = step_index(ck, start), ends = 0;
	char p[PATH_MAX_LEN];

	if (s < 0) {
		if (start == NULL)
			bad(ck, "start", "must name the first step");
		else
			bad(ck, "start", "names '%.40s', which is no step", start);
	} else {
		walk(ck, s, false, reached);
	}
	for (size_t i = 0; i < ck->n; i++)
		if (ck->end[i]) {
			ends++;
			if (!finishes[i])
				walk(ck, (int)i, true, finishes);
		}
	if (ends == 0)
		bad(ck, "steps", "there is no end step: every process needs one");
	for (size_t i = 0; s >= 0 && ck->broken == 0 && i < ck->n; i++) {
		if (ck->ids[i] == NULL || !ck->known[i])
			continue;
		join(p, "", "steps[%zu]", i);
		if (!reached[i])
			bad(ck, p, "step '%s' cannot be reached from the start step "
			    "'%s'", ck->ids[i], start);
		else if (ends > 0 && !finishes[i])
			bad(ck, p, "step '%s' never reaches an end step: a dead end "
			    "or a loop with no exit", ck->ids[i]);
	}
	free(reached);
	free(finishes);
}

int
procdef_check(struct core_ctx *cx, json_t *def)
{
	static const char *const keys[] = { "key", "name", "description",
	    "entity", "trigger", "start", "steps" };
	struct chk ck = { .cx = cx };
	json_t *steps = json_object_get(def, "steps"), *s, *d;
	const char *entity = json_string_value(json_object_get(def, "entity"));
	size_t i;

	if (!json_is_object(def)) {
		bad(&ck, "definition", "must be a JSON object");
		return CRM_OK;
	}
	{
		const char *key;
		json_t *v;

		json_object_foreach(def, key, v)
			if (!one_of(key, keys, NELEM(keys)))
				bad(&ck, key, "is not a member of a template");
	}
	ck.key = json_string_value(json_object_get(def, "key"));
	if (!procdef_slug_ok(ck.key)) {
		bad(&ck, "key", "must be a slug: a-z first, then a-z, 0-9, _ or -, "
		    "at most %d", PROCDEF_KEY_MAX);
		ck.key = NULL;
	}
	if (!core_text_ok(json_object_get(def, "name"), PROCDEF_NAME_MAX))
		bad(&ck, "name", "must be 1 to %d characters", PROCDEF_NAME_MAX);
	d = json_object_get(def, "description");
	if (d != NULL && !(json_is_string(d) && (json_string_length(d) == 0 ||
	    core_text_ok(d, PROCDEF_DESC_MAX))))
		bad(&ck, "description", "must be text of at most %d characters",
		    PROCDEF_DESC_MAX);
	ck.e = procdef_entity(entity);
	if (ck.e == NULL)
		bad(&ck, "entity", "must be deals, companies, contacts or "
		    "activities");
	else
		ck.cfs = load_cfs(&ck, ck.e->name);
	trigger(&ck, json_object_get(def, "trigger"));
	if (!json_is_array(steps) || json_array_size(steps) == 0 ||
	    json_array_size(steps) > PROCDEF_STEPS_MAX) {
		bad(&ck, "steps", "must list 1 to %d steps", PROCDEF_STEPS_MAX);
		json_decref(ck.cfs);
		return ck.rc;
	}
	ck.n = json_array_size(steps);
	ck.ids = xcalloc(ck.n, sizeof(*ck.ids));
	ck.end = xcalloc(ck.n, sizeof(*ck.end));
	ck.known = xcalloc(ck.n, sizeof(*ck.known));
	ck.edges = xcalloc(ck.n, sizeof(*ck.edges));
	ck.nedges = xcalloc(ck.n, sizeof(*ck.nedges));
	json_array_foreach(steps, i, s) {
		char p[PATH_MAX_LEN];

		if (json_is_object(s)) {
			step_id(&ck, i, s);
			continue;
		}
		join(p, "", "steps[%zu]", i);
		bad(&ck, p, "step %zu: must be an object", i);
		ck.broken++;
	}
	json_array_foreach(steps, i, s)
		if (json_is_object(s))
			step(&ck, i, s);
	graph(&ck, json_string_value(json_object_get(def, "start")));
	free(ck.ids);
	free(ck.end);
	free(ck.known);
	free(ck.edges);
	free(ck.nedges);
	json_decref(ck.cfs);
	return ck.rc;
}
