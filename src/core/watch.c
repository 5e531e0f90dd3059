/*
 * Counting reads per person (see watch.h). A small table of the people
 * reading lately; when it is full the slot whose window started longest
 * ago gives way, which can only delay an alert, never raise a false one.
 */
#include "core/watch.h"

#include <pthread.h>
#include <stdlib.h>

#include "core/audit.h"
#include "core/record.h"
#include "util/alloc.h"
#include "util/timeutil.h"

#define WATCH_SLOTS 512

struct slot {
	int64_t	user_id;
	int64_t	since;		/* the window's start */
	int64_t	count;
	bool	alerted;
};

struct watch {
	pthread_mutex_t	mu;
	int64_t		threshold;
	int64_t		window_ms;
	struct slot	slots[WATCH_SLOTS];
};

struct watch *
watch_new(int64_t threshold, int64_t window_ms)
{
	struct watch *w = xcalloc(1, sizeof(*w));

	pthread_mutex_init(&w->mu, NULL);
	w->threshold = threshold;
	w->window_ms = window_ms;
	return w;
}

void
watch_free(struct watch *w)
{
	if (w == NULL)
		return;
	pthread_mutex_destroy(&w->mu);
	free(w);
}

/* The person's slot (a fresh one when absent); the caller holds the lock. */
static struct slot *
slot_of(struct watch *w, int64_t user_id, int64_t now)
{
	struct slot *oldest = &w->slots[0];

	for (int i = 0; i < WATCH_SLOTS; i++) {
		struct slot *s = &w->slots[i];

		if (s->user_id == user_id) {
			if (now - s->since >= w->window_ms) {
				s->since = now;
				s->count = 0;
				s->alerted = false;
			}
			return s;
		}
		if (s->since < oldest->since)
			oldest = s;
	}
	oldest->user_id = user_id;
	oldest->since = now;
	oldest->count = 0;
	oldest->alerted = false;
	return oldest;
}

int
watch_reads(struct core_ctx *cx, const struct entity *e, int64_t n)
{
	struct watch *w = cx->watch;
	int64_t now = time_now_ms(), count = 0;
	bool alert = false;
	json_t *d;
	int rc;

	if (w == NULL || w->threshold <= 0 || cx->actor.user_id <= 0 || n <= 0)
		return CRM_OK;
	pthread_mutex_lock(&w->mu);
	{
		struct slot *s = slot_of(w, cx->actor.user_id, now);

		s->count += n;
		count = s->count;
		if (s->count > w->threshold && !s->alerted) {
			s->alerted = true;
			alert = true;
		}
	}
	pthread_mutex_unlock(&w->mu);
	if (!alert)
		return CRM_OK;
	d = json_pack("{s:I, s:I, s:I}", "records", (json_int_t)count,
	    "threshold", (json_int_t)w->threshold, "window_minutes",
	    (json_int_t)(w->window_ms / 60000));
	rc = audit_append(cx, "alert.mass_reads", e->name, 0, d);
	json_decref(d);
	return rc;
}
