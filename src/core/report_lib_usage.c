/*
 * The library's "crm_usage" (docs/reports.md): per person, from the audit
 * log of the period, their sign-ins (auth.login), the records they created
 * (record.create) and changed (record.update, record.transfer), and their
 * last sign-in. The people are those the actor's role reaches as owners of
 * activities (access_owners_where: themselves, their department, below
 * it, or everyone), so a manager sees their own use and a director their
 * whole branch; shares reach records, not people, and do not count here.
 *
 * The whole UTC days inside the period come from audit_tally (migration
 * 0039, docs/reports.md "Kept tallies"), the partial days at either end
 * from the entries themselves, as activity_by_manager does.
 */
#include "core/reports.h"

#include "core/access.h"

#define DAY_MS		86400000LL
#define ACTIONS_SQL	"('auth.login', 'record.create', 'record.update', " \
	"'record.transfer')"

static const struct rd_filter_cols usage_cols = { "u.id", NULL, NULL, NULL };

/* Entries of [lo, hi] counted one by one, as (person, logins, ...). */
static void
entries_part(int64_t lo, int64_t hi, struct dbq *q)
{
	dbq_sql(q, " UNION ALL SELECT l.actor_id, CASE WHEN l.action = "
	    "'auth.login' THEN 1 ELSE 0 END, CASE WHEN l.action = "
	    "'record.create' THEN 1 ELSE 0 END, CASE WHEN l.action IN "
	    "('record.update', 'record.transfer') THEN 1 ELSE 0 END FROM "
	    "audit_log l WHERE l.at >= ? AND l.at <= ? AND l.action IN "
	    ACTIONS_SQL);
	dbq_int(q, lo);
	dbq_int(q, hi);
}

int
report_lib_usage(struct core_ctx *cx, const struct rd_env *env,
    int64_t from_ms, int64_t to_ms, json_t **out)
{
	static const enum rd_type types[] = { RT_ID, RT_TEXT, RT_INT, RT_INT,
	    RT_INT, RT_TIME };
	static const char *const cols[][3] = {
		{ "user_id", "Person id", "id" },
		{ "user.name", "Person", "text" },
		{ "sign_ins", "Sign-ins", "integer" },
		{ "created", "Records created", "integer" },
		{ "updated", "Records changed", "integer" },
		{ "last_sign_in", "Last sign-in", "time" },
	};
	/* Whole UTC days [d0, d1) from audit_tally; negative times: none. */
	int64_t d0 = from_ms < 0 ? 0 : (from_ms + DAY_MS - 1) / DAY_MS;
	int64_t d1 = from_ms < 0 ? 0 : (to_ms + 1) / DAY_MS;
	struct dbq q;
	int rc;

	*out = NULL;
	if (d1 < d0)
		d1 = d0;
	dbq_init(&q);
	dbq_sql(&q, "SELECT u.id, u.name, CAST(COALESCE(SUM(x.logins), 0) AS "
	    "BIGINT), CAST(COALESCE(SUM(x.created), 0) AS BIGINT), "
	    "CAST(COALESCE(SUM(x.updated), 0) AS BIGINT), (SELECT MAX(m.at) "
	    "FROM audit_log m WHERE m.actor_id = u.id AND m.action = "
	    "'auth.login' AND m.at >= ? AND m.at <= ?) FROM users u LEFT JOIN "
	    "(SELECT k.actor_id AS aid, k.logins, k.created, k.updated FROM "
	    "audit_tally k WHERE k.day >= ? AND k.day < ?");
	dbq_int(&q, from_ms);
	dbq_int(&q, to_ms);
	dbq_int(&q, d0);
	dbq_int(&q, d1);
	/* The partial days at the ends (when d0 == d1: all of it). */
	if (d0 == d1) {
		entries_part(from_ms, to_ms, &q);
	} else {
		entries_part(from_ms, d0 * DAY_MS - 1, &q);
		entries_part(d1 * DAY_MS, to_ms, &q);
	}
	dbq_sql(&q, ") x ON x.aid = u.id WHERE u.active = 1");
	rc = access_owners_where(cx, &entity_activities, ACC_READ, "u.id", &q);
	rd_filters_sql(cx, env->lib, &usage_cols, &q);
	dbq_sql(&q, " GROUP BY u.id, u.name ORDER BY 2 ASC, 1 ASC");
	if (rc != CRM_OK) {
		dbq_free(&q);
		return rc;
	}
	rc = report_run_sql(cx, &q, report_columns(cols, 6), types, 6,
	    RD_MAX_LIMIT, "bar", out);
	dbq_free(&q);
	return rc;
}
