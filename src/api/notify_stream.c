/*
 * GET /api/v1/notifications/stream: the bell, live, as Server-Sent Events.
 *
 * Design. A stream is an HTTP response written over time (http_stream in
 * http/http.h): while it has nothing to send, libmicrohttpd's content
 * reader suspends the connection, so an open stream holds no worker
 * thread and no database connection, only a socket and a small buffer.
 * One hub thread per server, with a database connection of its own, goes
 * over the open streams every STREAM_POLL_MS: it sends an event "count"
 * when the user's unread count changed (which also catches notifications
 * written by other servers sharing the database, and marks made in other
 * tabs), a comment line as a heartbeat every STREAM_BEAT_MS (so proxies
 * keep the connection and a client that went away is noticed), and every
 * STREAM_AUTH_MS checks the credential the stream was opened with again,
 * without refreshing it (session_check): a sign-out, an expired or ended
 * session, a revoked token or a disabled user ends the stream with an
 * event "end". Polling costs one indexed count per stream per second;
 * the caps (STREAM_PER_USER per user, STREAM_TOTAL per server) bound it
 * and keep streams from taking the connection slots of everyone else.
 */
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/internal.h"
#include "core/notify.h"
#include "core/sessions.h"
#include "core/tokens.h"
#include "util/alloc.h"
#include "util/log.h"
#include "util/timeutil.h"

#define STREAM_POLL_MS 1000
#define STREAM_BEAT_MS 15000
#define STREAM_AUTH_MS 5000
#define STREAM_SECRET_MAX 128

struct sub {
	struct sub		*next;
	struct http_stream	*st;
	int64_t			 user_id;
	bool			 token;		/* secret is an API token, else a session */
	char			 secret[STREAM_SECRET_MAX];
	int64_t			 count;		/* the unread count last sent */
	int64_t			 wrote_ms;
	int64_t			 auth_ms;
};

struct stream_hub {
	pthread_t		 th;
	pthread_mutex_t		 mu;
	pthread_cond_t		 cv;
	bool			 stop;
	db_t			*db;
	struct session_limits	 lim;
	struct sub		*subs;
	int			 n;
};

static int64_t
mono_ms(void)
{
	return time_mono_us() / 1000;
}

static int
send_event(struct sub *s, const char *event, const char *data)
{
	char line[256];

	if ((size_t)snprintf(line, sizeof(line), "event: %s\ndata: %s\n\n", event,
	    data) >= sizeof(line))
		return -1;
	s->wrote_ms = mono_ms();
	return http_stream_write(s->st, line, strlen(line));
}

static int
send_count(struct sub *s, int64_t n)
{
	char data[64];

	snprintf(data, sizeof(data), "{\"unread\":%lld}", (long long)n);
	s->count = n;
	return send_event(s, "count", data);
}

/* Whether the stream's credential still admits its user (no refresh). */
static bool
still_signed_in(struct stream_hub *h, struct core_ctx *cx, struct sub *s)
{
	struct actor a;
	int64_t sid;
	bool ro;
	int rc;

	memset(&a, 0, sizeof(a));
	rc = s->token ? apitoken_resolve(cx, s->secret, &a, &ro) :
	    session_check(cx, s->secret, &h->lim, &a, &sid);
	if (rc == CRM_EDB)
		return true;	/* logged; the database, not the user, failed */
	return rc == CRM_OK && a.user_id == s->user_id;
}

/* One pass over the streams; false for those to drop. */
static bool
visit(struct stream_hub *h, struct core_ctx *cx, struct sub *s, int64_t now)
{
	int64_t n;

	if (http_stream_gone(s->st))
		return false;
	if (now - s->auth_ms >= STREAM_AUTH_MS) {
		s->auth_ms = now;
		if (!still_signed_in(h, cx, s)) {
			(void)send_event(s, "end", "{\"reason\":\"signed out\"}");
			http_stream_end(s->st);
			return false;
		}
	}
	cx->actor.user_id = s->user_id;
	cx->errs.n = 0;
	if (notify_unread(cx, &n) == CRM_OK && n != s->count &&
	    send_count(s, n) != 0) {
		http_stream_end(s->st);
		return false;
	}
	if (now - s->wrote_ms >= STREAM_BEAT_MS) {
		s->wrote_ms = now;
		if (http_stream_write(s->st, ": beat\n\n", 8) != 0) {
			http_stream_end(s->st);
			return false;
		}
	}
	return true;
}

static void *
hub_main(void *arg)
{
	struct stream_hub *h = arg;
	struct core_ctx *cx = xmalloc(sizeof(*cx));
	struct timespec until;

	core_ctx_init(cx, h->db, NULL);
	pthread_mutex_lock(&h->mu);
	while (!h->stop) {
		int64_t now = mono_ms();

		for (struct sub **p = &h->subs; *p != NULL;) {
			struct sub *s = *p;

			if (visit(h, cx, s, now)) {
				p = &s->next;
				continue;
			}
			*p = s->next;
			h->n--;
			http_stream_release(s->st);
			sodium_memzero(s->secret, sizeof(s->secret));
			free(s);
		}
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += (long)(STREAM_POLL_MS % 1000) * 1000000;
		until.tv_sec += STREAM_POLL_MS / 1000 + until.tv_nsec / 1000000000;
		until.tv_nsec %= 1000000000;
		pthread_cond_timedwait(&h->cv, &h->mu, &until);
	}
	pthread_mutex_unlock(&h->mu);
	free(cx);
	return NULL;
}

int
api_streams_start(struct app *app, const char *address, char *err,
    size_t errlen)
{
	struct stream_hub *h = xcalloc(1, sizeof(*h));

	if (db_open(address, &h->db, err, errlen) != DB_OK) {
		free(h);
		return -1;
	}
	h->lim.idle_ms = app->session_idle_ms;
	h->lim.max_ms = app->session_max_ms;
	pthread_mutex_init(&h->mu, NULL);
	pthread_cond_init(&h->cv, NULL);
	if (pthread_create(&h->th, NULL, hub_main, h) != 0) {
		snprintf(err, errlen, "cannot start the notification stream thread");
		pthread_mutex_destroy(&h->mu);
		pthread_cond_destroy(&h->cv);
		db_close(h->db);
		free(h);
		return -1;
	}
	app->streams = h;
	return 0;
}

void
api_streams_stop(struct app *app)
{
	struct stream_hub *h = app->streams;

	if (h == NULL)
		return;
	pthread_mutex_lock(&h->mu);
	h->stop = true;
	pthread_cond_signal(&h->cv);
	pthread_mutex_unlock(&h->mu);
	pthread_join(h->th, NULL);
	while (h->subs != NULL) {
		struct sub *s = h->subs;

		h->subs = s->next;
		http_stream_end(s->st);
		http_stream_release(s->st);
		sodium_memzero(s->secret, sizeof(s->secret));
		free(s);
	}
	pthread_mutex_destroy(&h->mu);
	pthread_cond_destroy(&h->cv);
	db_close(h->db);
	free(h);
	app->streams = NULL;
}

void
h_notify_stream(struct call *c)
{
	struct stream_hub *h = c->app->streams;
	const char *auth = http_header(c->req, "Authorization");
	struct sub *s;
	int64_t n = 0;
	int mine = 0, rc;

	if (h == NULL) {
		reply_problem(c, 503, NULL, "Live notifications are off on this "
		    "server; poll GET /api/v1/notifications/count");
		return;
	}
	rc = notify_unread(&c->cx, &n);
	if (rc != CRM_OK) {
		reply_core(c, rc);
		return;
	}
	s = xcalloc(1, sizeof(*s));
	s->user_id = c->cx.actor.user_id;
	s->token = auth != NULL;
	if ((size_t)snprintf(s->secret, sizeof(s->secret), "%s", auth != NULL ?
	    auth + 7 : c->session) >= sizeof(s->secret)) {
		free(s);
		reply_problem(c, 400, NULL, "The credential is too long for a "
		    "stream");
		return;
	}
	pthread_mutex_lock(&h->mu);
	for (struct sub *x = h->subs; x != NULL; x = x->next)
		mine += x->user_id == s->user_id;
	if (mine >= STREAM_PER_USER || h->n >= STREAM_TOTAL) {
		pthread_mutex_unlock(&h->mu);
		sodium_memzero(s->secret, sizeof(s->secret));
		free(s);
		http_resp_header(c->resp, "Retry-After", "30");
		reply_problem(c, 429, "Too many streams", mine >= STREAM_PER_USER ?
		    "You have %d live notification streams open already; close "
		    "a tab" : "The server has %d live notification streams open; "
		    "try again later", mine >= STREAM_PER_USER ? STREAM_PER_USER :
		    STREAM_TOTAL);
		return;
	}
	s->st = http_stream_new();
	s->auth_ms = mono_ms();
	/* Reconnect after 3 s; the current count at once. */
	if (http_stream_write(s->st, "retry: 3000\n\n", 13) != 0 ||
	    send_count(s, n) != 0) {
		pthread_mutex_unlock(&h->mu);
		http_stream_release(s->st);
		free(s);
		reply_problem(c, 500, NULL, "The stream could not start");
		return;
	}
	s->next = h->subs;
	h->subs = s;
	h->n++;
	c->resp->status = 200;
	c->resp->content_type = "text/event-stream";
	c->resp->stream = s->st;
	pthread_mutex_unlock(&h->mu);
	http_resp_header(c->resp, "Cache-Control", "no-cache, no-store");
	http_resp_header(c->resp, "X-Accel-Buffering", "no");
}
