/*
 * Working-hours calendars: when a company works, so that a deadline of
 * "8 working hours", an SLA clock and a person's capacity count working
 * time only (issues 10, 12 and 13 build on this).
 *
 * A calendar has a time zone (an IANA name, read through util/tz.h so that
 * a day of 23 or 25 hours is counted as it is), a week of working intervals
 * per weekday (Monday first) in local time, and holidays: dates that are
 * closed, or shortened to intervals of their own. Working time is real
 * elapsed time: an interval 01:00-04:00 on the night clocks go forward is
 * two hours long, on the night they go back four.
 *
 * JSON shape (the API's and the database's):
 *   "tz": "Europe/Berlin",
 *   "week": [["09:00-13:00", "14:00-18:00"], ... seven arrays, Monday to
 *            Sunday; [] is a closed day],
 *   "holidays": [{"date": "2026-12-25", "name": "Christmas",
 *                 "hours": null | ["09:00-13:00"]}]
 * An interval is "HH:MM-HH:MM", from before to, "24:00" may end it; the
 * intervals of a day must not overlap (they are stored sorted).
 *
 * Two halves: pure computation on a loaded struct workcal (no database,
 * no clock: the caller gives every instant), and loading/editing through
 * the store (workcal_load and the admin functions), which need a core_ctx.
 * The computation is bounded: no search looks further than WORKCAL_DAYS_MAX
 * days, and a calendar without any working time cannot be saved.
 */
#ifndef CORE_WORKCAL_H
#define CORE_WORKCAL_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/core.h"

#define WORKCAL_NAME_MAX 120
#define WORKCAL_SPANS_MAX 8		/* intervals in one day */
#define WORKCAL_HOLIDAYS_MAX 1000	/* holidays in one calendar */
#define WORKCAL_DAYS_MAX 3660		/* ~10 years: the furthest any search looks */
/* The most working minutes one question may ask for (10 years, all day). */
#define WORKCAL_MINUTES_MAX ((int64_t)WORKCAL_DAYS_MAX * 1440)

/* One interval of a day, minutes from local midnight: 0 <= from < to <= 1440. */
struct workcal_span {
	int	from;
	int	to;
};

struct workcal_day {
	int			n;	/* 0: closed */
	struct workcal_span	s[WORKCAL_SPANS_MAX];
};

struct workcal_holiday {
	int64_t			day;	/* local day, days since 1970-01-01 */
	struct workcal_day	hours;	/* n == 0: closed all day */
};

struct tz;

/* A loaded calendar; build it with workcal_from_json or workcal_load. */
struct workcal {
	int64_t			 id;		/* 0 when not from the database */
	struct tz		*tz;		/* owned */
	struct workcal_day	 week[7];	/* 0 = Monday .. 6 = Sunday */
	struct workcal_holiday	*holidays;	/* owned, sorted by day, unique */
	size_t			 nholidays;
};

/*
 * Checks and builds a calendar from its JSON parts (tz may be NULL: UTC;
 * holidays may be NULL: none). Every problem is added to errs with its
 * field ("week[2]", "holidays[4].date", "tz"); then -1 and *out NULL.
 * On success 0 and *out, which the caller frees with workcal_free.
 * A week without any working interval is refused: such a calendar would
 * never reach a deadline.
 */
int workcal_from_json(const char *tz, json_t *week, json_t *holidays,
    struct verrs *errs, struct workcal **out);
void workcal_free(struct workcal *cal);
/* A day's intervals as the JSON array of "HH:MM-HH:MM" (new reference). */
json_t *workcal_day_json(const struct workcal_day *d);

/*
 * The moment work_minutes of working time after start_ms are done, into
 * *due_ms. 0 minutes is the first working moment at or after start. A
 * deadline ending exactly at the close of an interval is that close
 * (09:00 + 540 minutes is 18:00 the same day, not the next morning).
 * -1 when minutes is negative or above WORKCAL_MINUTES_MAX, or the time
 * is not reached within WORKCAL_DAYS_MAX days.
 */
int workcal_add(const struct workcal *cal, int64_t start_ms,
    int64_t work_minutes, int64_t *due_ms);
/*
 * Working minutes in [a_ms, b_ms), rounded down, into *minutes (0 when
 * b <= a): how long an SLA clock or a step ran. -1 when the range is
 * longer than WORKCAL_DAYS_MAX days.
 */
int workcal_between(const struct workcal *cal, int64_t a_ms, int64_t b_ms,
    int64_t *minutes);
/* Whether t_ms falls within working time. */
bool workcal_is_open(const struct workcal *cal, int64_t t_ms);
/*
 * The first working moment at or after t_ms (t itself when open), into
 * *out. -1 when none within WORKCAL_DAYS_MAX days.
 */
int workcal_next_open(const struct workcal *cal, int64_t t_ms, int64_t *out);

/* ---- through the store ---- */

/*
 * Loads calendar calendar_id (0: the default one) into *cal (free with
 * workcal_free). CRM_ENOTFOUND when there is none. Reads only; needs no
 * rights beyond being the core's caller (deadlines are computed for
 * anyone's work).
 */
int workcal_load(struct core_ctx *cx, int64_t calendar_id,
    struct workcal **cal);
/*
 * The calendar of department dept_id: its own, else the nearest
 * ancestor's, else the default. CRM_ENOTFOUND for no such department.
 */
int workcal_for_department(struct core_ctx *cx, int64_t dept_id,
    struct workcal **cal);
/* The calendar of the user's department (the default without one). */
int workcal_for_user(struct core_ctx *cx, int64_t user_id,
    struct workcal **cal);
/*
 * The id of the calendar that applies to department dept_id (as
 * workcal_for_department), into *calendar_id; *from_dept is the
 * department it was set on, 0 when it is the default.
 */
int workcal_resolve_department(struct core_ctx *cx, int64_t dept_id,
    int64_t *calendar_id, int64_t *from_dept);

/*
 * The calendar that applies to a department (dept_id > 0) or to a user's
 * department (user_id > 0; neither: the default), for the UI and for
 * checking: {"calendar": {... with holidays}, "department_id": the
 * department asked about or null, "set_on_department_id": where the
 * calendar was set, null for the default}. CRM_ENOTFOUND for no such
 * department or user.
 */
int workcal_effective(struct core_ctx *cx, int64_t dept_id, int64_t user_id,
    json_t **out);

/* ---- administration (JSON in, JSON out; *out a new reference) ---- */

/*
 * {"data": [{id, name, tz, week, is_default, version, departments:
 * [ids using it], created_at, updated_at}]} without holidays; read by
 * anyone signed in.
 */
int workcal_list(struct core_ctx *cx, json_t **out);
/* One calendar with "holidays" (by date). */
int workcal_get(struct core_ctx *cx, int64_t id, json_t **out);
/*
 * {name, tz?, week, holidays?} (admin): checked whole with
 * workcal_from_json; audited as "setting.workcal_created".
 */
int workcal_create(struct core_ctx *cx, json_t *in, json_t **out);
/*
 * {name?, tz?, week?, holidays?} (admin): holidays, when given, are the
 * whole new list. version is the one the client saw (-1: none):
 * CRM_ECONFLICT when stale. Audited as "setting.workcal_changed".
 */
int workcal_update(struct core_ctx *cx, int64_t id, int64_t version,
    json_t *in, json_t **out);
/*
 * (admin) CRM_EINUSE for the default calendar and for one departments
 * use, naming them. Audited as "setting.workcal_deleted".
 */
int workcal_delete(struct core_ctx *cx, int64_t id);

#endif
