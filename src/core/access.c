/*
 * The access rule (see access.h). Scopes become SQL predicates over the
 * record's owner, so lists, counts and search filter in the database and
 * a page is never short of rows the actor could have seen; single checks
 * run the same predicate on one id, so the two can never disagree.
 */
#include "core/access.h"

#include <stdio.h>
#include <string.h>

#include "core/record.h"
#include "util/log.h"

static const char *const action_names[] = {
	"create", "read", "update", "delete", "export", "import", "assign",
	"audit",
};

static const char *const scope_names[] = {
	"none", "own", "dept", "subtree", "all",
};

static const char *const rule_names[] = { "visible", "readonly", "hidden" };

/* The actor's departments: the one they are in and those they head. */
#define HOME_SQL "SELECT department_id FROM users WHERE id = ? UNION " \
	"SELECT department_id FROM department_heads WHERE user_id = ?"

_Static_assert(sizeof(action_names) / sizeof(*action_names) == RIGHTS_ACTIONS,
    "an action per rights column");

const char *
acc_action_name(int action)
{
	return action >= 0 && action < RIGHTS_ACTIONS ? action_names[action] : NULL;
}

const char *
acc_scope_name(int scope)
{
	return scope >= SCOPE_NONE && scope <= SCOPE_ALL ? scope_names[scope] : NULL;
}

int
acc_action_parse(const char *name)
{
	for (int i = 0; i < RIGHTS_ACTIONS; i++)
		if (strcmp(name, action_names[i]) == 0)
			return i;
	return -1;
}

int
acc_scope_parse(const char *name)
{
	for (int i = SCOPE_NONE; i <= SCOPE_ALL; i++)
		if (strcmp(name, scope_names[i]) == 0)
			return i;
	return -1;
}

static int
db_fail(struct core_ctx *cx, const char *what)
{
	log_error("database: access %s: %s", what, db_errmsg(cx->db));
	return core_fail(cx, CRM_EDB, "The database failed while checking rights");
}

/* Fills the scopes of one entity from a role's perms object. */
static void
load_scopes(struct rights *r, int ent, json_t *perms, const char *name)
{
	json_t *p = json_object_get(perms, name);

	if (!json_is_object(p))
		p = json_object_get(perms, "*");
	for (int a = 0; a < RIGHTS_ACTIONS; a++) {
		const char *s = json_string_value(json_object_get(p, action_names[a]));
		int sc = s != NULL ? acc_scope_parse(s) : -1;

		r->scope[ent][a] = (unsigned char)(sc < 0 ? SCOPE_NONE : sc);
	}
}

static void
load_rules(struct rights *r, int ent, json_t *fields, const char *name)
{
	json_t *p = json_object_get(fields, name), *v;
	const char *key;

	json_object_foreach(p, key, v) {
		const char *s = json_string_value(v);
		int rule = -1;

		for (int i = 0; s != NULL && i < 3; i++)
			if (strcmp(s, rule_names[i]) == 0)
				rule = i;
		if (rule <= FIELD_VISIBLE || r->nrules >= RIGHTS_RULES ||
		    strlen(key) >= sizeof(r->rules[0].field))
			continue;
		r->rules[r->nrules].entity = (unsigned char)ent;
		r->rules[r->nrules].rule = (unsigned char)rule;
		snprintf(r->rules[r->nrules].field, sizeof(r->rules[0].field),
		    "%s", key);
		r->nrules++;
	}
}

static int
load(struct core_ctx *cx)
{
	struct rights *r = &cx->rights;
	db_stmt_t *st;
	json_t *perms = NULL, *fields = NULL;
	size_t len;
	const char *s;
	int rc;

	if (r->loaded)
		return CRM_OK;
	memset(r->scope, 0, sizeof(r->scope));
	r->nrules = 0;
	r->nseen = 0;
	r->all = cx->actor.user_id == 0 || cx->actor.is_admin;
	if (r->all) {
		r->loaded = true;
		return CRM_OK;
	}
	if (db_prepare(cx->db, "SELECT r.perms, r.fields, r.is_admin FROM users u "
	    "JOIN roles r ON r.id = u.role_id WHERE u.id = ? AND u.active = 1",
	    &st) != DB_OK)
		return db_fail(cx, "load");
	db_bind_int(st, 1, cx->actor.user_id);
	rc = db_step(st);
	if (rc == DB_ROW) {
		s = db_col_text(st, 0, &len);
		perms = json_loadb(s, len, 0, NULL);
		s = db_col_text(st, 1, &len);
		fields = json_loadb(s, len, 0, NULL);
		r->all = db_col_int(st, 2) != 0;
	}
	db_done(st);
	if (rc != DB_ROW && rc != DB_DONE)
		return db_fail(cx, "load step");
	/* No role (or a broken one) leaves every scope at none. */
	for (size_t i = 0; i < entity_count() && i < RIGHTS_ENTITIES; i++) {
		load_scopes(r, (int)i, perms, entity_at(i)->name);
		load_rules(r, (int)i, fields, entity_at(i)->name);
	}
	json_decref(perms);
	json_decref(fields);
	r->loaded = true;
	return CRM_OK;
}

void
access_reset(struct core_ctx *cx)
{
	cx->rights.loaded = false;
	cx->rights.nseen = 0;
}

int
access_scope(struct core_ctx *cx, const struct entity *e,
    enum acc_action action, enum acc_scope *out)
{
	int ent = entity_index(e), rc = load(cx);

	if (rc != CRM_OK)
		return rc;
	if (cx->rights.all)
		*out = SCOPE_ALL;
	else if (ent < 0 || ent >= RIGHTS_ENTITIES || (int)action < 0 ||
	    (int)action >= RIGHTS_ACTIONS)
		*out = SCOPE_NONE;
	else
		*out = (enum acc_scope)cx->rights.scope[ent][action];
	return CRM_OK;
}

/* The owners a scope covers, as "<col> IN (...)" or "<col> = ?". */
static void
owners_sql(struct core_ctx *cx, enum acc_scope sc, const char *col,
    struct dbq *q)
{
	int64_t me = cx->actor.user_id;

	if (sc == SCOPE_OWN) {
		dbq_sql(q, "%s = ?", col);
		dbq_int(q, me);
	} else if (sc == SCOPE_DEPT) {
		dbq_sql(q, "%s IN (SELECT au.id FROM users au WHERE au.department_id "
		    "IN (" HOME_SQL "))", col);
		dbq_int(q, me);
		dbq_int(q, me);
	} else {
		dbq_sql(q, "%s IN (SELECT au.id FROM users au WHERE au.department_id "
		    "IN (WITH RECURSIVE sub(id) AS (" HOME_SQL " UNION SELECT ad.id "
		    "FROM departments ad JOIN sub ON ad.parent_id = sub.id) "
		    "SELECT id FROM sub))", col);
		dbq_int(q, me);
		dbq_int(q, me);
	}
}

int
access_owners_where(struct core_ctx *cx, const struct entity *e,
    enum acc_action action, const char *col, struct dbq *q)
{
	enum acc_scope sc;
	int rc = access_scope(cx, e, action, &sc);

	if (rc != CRM_OK || sc == SCOPE_ALL)
		return rc;
	if (sc == SCOPE_NONE) {
		dbq_sql(q, " AND 1 = 0");
		return CRM_OK;
	}
	dbq_sql(q, " AND ");
	owners_sql(cx, sc, col, q);
	return CRM_OK;
}

/* Records of e shared with the actor (write shares only when write). */
static void
shared_sql(struct core_ctx *cx, const struct entity *e, bool write,
    struct dbq *q)
{
	int64_t me = cx->actor.user_id;

	dbq_sql(q, "SELECT sh.record_id FROM record_shares sh WHERE sh.entity = ? "
	    "AND (sh.user_id = ? OR sh.department_id IN (" HOME_SQL "))%s",
	    write ? " AND sh.access = 'write'" : "");
	dbq_text(q, e->name, strlen(e->name));
	dbq_int(q, me);
	dbq_int(q, me);
	dbq_int(q, me);
}

static int
where(struct core_ctx *cx, const struct entity *e, enum acc_action action,
    const char *alias, bool shares, struct dbq *q)
{
	enum acc_scope sc;
	int rc = access_scope(cx, e, action, &sc);
	char col[80];

	if (rc != CRM_OK)
		return rc;
	if (sc == SCOPE_ALL)
		return CRM_OK;
	if (sc == SCOPE_NONE && !shares) {
		dbq_sql(q, " AND 1 = 0");
		return CRM_OK;
	}
	/*
	 * A test of the row's own owner_id (a lookup in the few covered
	 * users), not "id IN (all owned ids)": that set can hold a hundred
	 * thousand ids, built again for every query. Shares are few: their
	 * ids are gathered once per query.
	 */
	dbq_sql(q, " AND (");
	if (sc != SCOPE_NONE) {
		snprintf(col, sizeof(col), "%s.owner_id", alias);
		owners_sql(cx, sc, col, q);
		if (shares)
			dbq_sql(q, " OR ");
	}
	if (shares) {
		dbq_sql(q, "%s.id IN (", alias);
		shared_sql(cx, e, action == ACC_UPDATE, q);
		dbq_sql(q, ")");
	}
	/* Being named on a record (a participant) lets one read it. */
	if (shares && action == ACC_READ && e->named_sql != NULL) {
		dbq_sql(q, " OR %s.id IN (%s)", alias, e->named_sql);
		dbq_int(q, cx->actor.user_id);
	}
	dbq_sql(q, ")");
	return CRM_OK;
}

int
access_where(struct core_ctx *cx, const struct entity *e,
    enum acc_action action, const char *alias, struct dbq *q)
{
	return where(cx, e, action, alias,
	    action == ACC_READ || action == ACC_UPDATE, q);
}

/* Whether the predicate for action holds on one row. */
static int
holds(struct core_ctx *cx, const struct entity *e, enum acc_action action,
    int64_t id, bool deleted, bool shares, bool *yes)
{
	struct dbq q;
	db_stmt_t *st;
	int rc;

	dbq_init(&q);
	dbq_sql(&q, "SELECT 1 FROM %s t WHERE t.id = ? AND t.deleted_at IS %s",
	    e->name, deleted ? "NOT NULL" : "NULL");
	dbq_int(&q, id);
	rc = where(cx, e, action, "t", shares &&
	    (action == ACC_READ || action == ACC_UPDATE), &q);
	if (rc == CRM_OK && db_prepare_q(cx->db, &q, &st) != DB_OK)
		rc = db_fail(cx, "check");
	dbq_free(&q);
	if (rc != CRM_OK)
		return rc;
	rc = db_step(st);
	db_done(st);
	if (rc != DB_ROW && rc != DB_DONE)
		return db_fail(cx, "check step");
	*yes = rc == DB_ROW;
	return CRM_OK;
}

static int
check(struct core_ctx *cx, const struct entity *e, enum acc_action action,
    int64_t id, bool deleted, bool shares)
{
	bool yes = false;
	int rc = holds(cx, e, ACC_READ, id, deleted, true, &yes);

	if (rc != CRM_OK)
		return rc;
	if (!yes)
		return core_fail(cx, CRM_ENOTFOUND, "No %s with id %lld%s",
		    e->singular, (long long)id, deleted ? " in the trash" : "");
	if (action == ACC_READ && shares)
		return CRM_OK;
	rc = holds(cx, e, action, id, deleted, shares, &yes);
	if (rc != CRM_OK)
		return rc;
	if (!yes)
		return core_fail(cx, CRM_EFORBIDDEN, "Your role does not allow you "
		    "to %s this %s; ask its owner, your head of department or an "
		    "administrator", shares ? acc_action_name(action) : "share",
		    e->singular);
	return CRM_OK;
}

int
access_check(struct core_ctx *cx, const struct entity *e,
    enum acc_action action, int64_t id, bool deleted)
{
	return check(cx, e, action, id, deleted, true);
}

int
access_check_owned(struct core_ctx *cx, const struct entity *e, int64_t id)
{
	return check(cx, e, ACC_UPDATE, id, false, false);
}

int
access_owner_ok(struct core_ctx *cx, const struct entity *e,
    enum acc_action action, int64_t owner_id, bool *ok)
{
	enum acc_scope sc;
	struct dbq q;
	db_stmt_t *st;
	int rc;

	*ok = false;
	rc = access_scope(cx, e, action, &sc);
	if (rc != CRM_OK)
		return rc;
	if (sc == SCOPE_NONE)
		return CRM_OK;
	if (owner_id == cx->actor.user_id && action == ACC_CREATE) {
		*ok = true;
		return CRM_OK;
	}
	/* Giving a record to someone else is assigning it. */
	if (action == ACC_CREATE) {
		rc = access_scope(cx, e, ACC_ASSIGN, &sc);
		if (rc != CRM_OK || sc == SCOPE_NONE)
			return rc;
	}
	if (sc == SCOPE_ALL) {
		*ok = true;
		return CRM_OK;
	}
	/* The new owner must be one of the users the scope covers. */
	dbq_init(&q);
	dbq_sql(&q, "SELECT 1 FROM users cu WHERE cu.id = ? AND cu.active = 1 AND ");
	dbq_int(&q, owner_id);
	owners_sql(cx, sc, "cu.id", &q);
	rc = db_prepare_q(cx->db, &q, &st) == DB_OK ? CRM_OK :
	    db_fail(cx, "owner");
	dbq_free(&q);
	if (rc != CRM_OK)
		return rc;
	rc = db_step(st);
	db_done(st);
	if (rc != DB_ROW && rc != DB_DONE)
		return db_fail(cx, "owner step");
	*ok = rc == DB_ROW;
	return CRM_OK;
}

enum field_rule
access_field(struct core_ctx *cx, const struct entity *e, const char *field)
{
	int ent = entity_index(e);
	const struct rights *r = &cx->rights;

	if (load(cx) != CRM_OK || r->all)
		return FIELD_VISIBLE;
	for (int i = 0; i < r->nrules; i++)
		if (r->rules[i].entity == ent &&
		    strcmp(r->rules[i].field, field) == 0)
			return (enum field_rule)r->rules[i].rule;
	return FIELD_VISIBLE;
}

/* Read visibility of a linked record, remembered for the rest of the call. */
static int
visible(struct core_ctx *cx, const struct entity *e, int64_t id, bool *yes)
{
	struct rights *r = &cx->rights;
	int ent = entity_index(e), rc;

	for (int i = 0; i < r->nseen; i++)
		if (r->seen[i].entity == ent && r->seen[i].id == id) {
			*yes = r->seen[i].visible;
			return CRM_OK;
		}
	rc = holds(cx, e, ACC_READ, id, false, true, yes);
	if (rc == CRM_OK && r->nseen < RIGHTS_SEEN) {
		r->seen[r->nseen].entity = (unsigned char)ent;
		r->seen[r->nseen].id = id;
		r->seen[r->nseen].visible = *yes;
		r->nseen++;
	}
	return rc;
}

int
access_redact(struct core_ctx *cx, const struct entity *e, json_t *rec)
{
	const struct rights *r = &cx->rights;
	int ent = entity_index(e), rc = load(cx);

	if (rc != CRM_OK)
		return rc;
	if (r->all)
		return CRM_OK;
	for (int i = 0; i < r->nrules; i++) {
		const char *f = r->rules[i].field;

		if (r->rules[i].entity != ent || r->rules[i].rule != FIELD_HIDDEN)
			continue;
		if (strncmp(f, "custom.", 7) == 0)
			json_object_del(json_object_get(rec, "custom"), f + 7);
		else if (strcmp(f, "id") != 0)
			json_object_del(rec, f);
	}
	for (size_t i = 0; i < e->nfields; i++) {
		const struct field *f = &e->fields[i];
		json_t *link = json_object_get(rec, f->name);
		char name[96];
		size_t n = strlen(f->name);
		bool yes = true;

		if (field_link(f) == NULL || !json_is_integer(link) || n < 3)
			continue;
		rc = visible(cx, field_link(f), json_integer_value(link), &yes);
		if (rc != CRM_OK)
			return rc;
		snprintf(name, sizeof(name), "%.*s_name", (int)(n - 3), f->name);
		if (!yes && json_object_get(rec, name) != NULL)
			json_object_set_new(rec, name, json_null());
	}
	return CRM_OK;
}

void
access_check_write(struct core_ctx *cx, const struct entity *e, json_t *in)
{
	const char *key, *ck;
	json_t *v, *cv;
	char name[96];

	json_object_foreach(in, key, v) {
		enum field_rule fr = access_field(cx, e, key);

		if (fr != FIELD_VISIBLE)
			verrs_add(&cx->errs, key, "your role does not allow you to "
			    "change this field");
		if (strcmp(key, "custom") != 0 || !json_is_object(v))
			continue;
		json_object_foreach(v, ck, cv) {
			snprintf(name, sizeof(name), "custom.%.80s", ck);
			if (access_field(cx, e, name) != FIELD_VISIBLE)
				verrs_add(&cx->errs, name, "your role does not allow "
				    "you to change this field");
		}
	}
}
