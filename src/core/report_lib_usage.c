/*
 * The library's "crm_usage" (docs/reports.md): per person, from the audit
 * log of the period, their sign-ins (auth.login), the records they created
 * (record.create) and changed (record.update, record.transfer), and their
 * last sign-in. The people are those the actor's role reaches as owners of
 * activities (access_owners_where: themselves, their department, below
 * it, or everyone), so a manager sees their own use and a director their
 * whole branch; shares reach records, not people, and do not count here.
 */
#include "core/reports.h"

#include "core/access.h"

static const struct rd_filter_cols usage_cols = { "u.id", NULL, NULL, NULL };

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
	struct dbq q;
	int rc;

	*out = NULL;
	dbq_init(&q);
	dbq_sql(&q, "SELECT u.id, u.name, "
	    "SUM(CASE WHEN l.action = 'auth.login' THEN 1 ELSE 0 END), "
	    "SUM(CASE WHEN l.action = 'record.create' THEN 1 ELSE 0 END), "
	    "SUM(CASE WHEN l.action IN ('record.update', 'record.transfer') THEN "
	    "1 ELSE 0 END), MAX(CASE WHEN l.action = 'auth.login' THEN l.at END) "
	    "FROM users u LEFT JOIN audit_log l ON l.actor_id = u.id AND l.at >= ? "
	    "AND l.at <= ? AND l.action IN ('auth.login', 'record.create', "
	    "'record.update', 'record.transfer') WHERE u.active = 1");
	dbq_int(&q, from_ms);
	dbq_int(&q, to_ms);
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
