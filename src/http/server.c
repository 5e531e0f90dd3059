/*
 * libmicrohttpd glue.
 *
 * MHD calls the access handler several times per request: once with the
 * headers (we check limits and allocate per-request state), then with body
 * chunks (appended to a capped buffer), then a last time with nothing
 * (we run the handler and queue the response). The completion callback
 * writes the access log line and frees the state.
 *
 * We bind the listening socket ourselves so a taken port or a bad address
 * gets a message that says what to do, not MHD's generic failure.
 * Shutdown: quiesce (no new connections), wait for requests in flight,
 * then stop the daemon, which joins the workers.
 */
#include "http/http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "util/alloc.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/text.h"
#include "util/timeutil.h"

/*
 * An open connection, for the header deadline: libmicrohttpd's timeout
 * counts only silence, so a client trickling a byte of header every few
 * seconds (slowloris) would hold its connection forever. A reaper thread
 * shuts down connections that have not completed a request's headers
 * within HTTP_HEADER_TIMEOUT_S of opening or of their previous answer.
 * MHD reports a connection closed before it closes the socket, and the
 * entry leaves the list then, under the same lock, so a reaped descriptor
 * is always still this connection's.
 */
struct track {
	struct track	*next;
	struct track	*prev;
	int		 fd;
	int64_t		 since_us;	/* opened, or the last answer sent */
	bool		 busy;		/* headers complete, request in progress */
};

/* A body written over time; see http.h. Linked in the server's list once sent. */
struct http_stream {
	pthread_mutex_t		 mu;
	int			 refs;
	struct MHD_Connection	*conn;		/* NULL once gone */
	int			 fd;		/* its socket, for the reaper */
	struct http_server	*srv;
	struct http_stream	*next;
	struct http_stream	*prev;
	bool			 attached;	/* a response reads it */
	bool			 suspended;
	bool			 ended;
	bool			 gone;
	struct buf		 pending;
};

struct http_server {
	struct MHD_Daemon	*d;
	http_handler		 handler;
	void			*arg;
	const struct http_upload *upload;	/* or NULL */
	int			 fd;
	bool			 tls;
	atomic_int		 inflight;
	pthread_mutex_t		 tmu;
	pthread_cond_t		 tcv;
	struct track		 tracks;	/* list head */
	struct http_stream	 streams;	/* list head, under tmu */
	bool			 stopping;
	pthread_t		 reaper;
};

/* Per-request state, from the first call to the completion callback. */
struct reqstate {
	struct buf	 body;
	bool		 too_big;
	bool		 spool;		/* an upload: the body goes to spool_fd */
	bool		 spool_failed;	/* the spool file could not be written */
	int		 spool_fd;	/* -1 until the first byte */
	uint64_t	 spooled;
	int64_t		 start_us;
	int		 status;
	size_t		 bytes;
	int64_t		 user_id;
	struct track	*track;
	char		 method[16];
	char		 path[256];
	char		 remote[64];
};

const char *
http_header(const struct http_req *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

const char *
http_query(const struct http_req *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
}

const char *
http_cookie(const struct http_req *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, name);
}

struct each_ctx {
	int	(*fn)(void *, const char *, const char *);
	void	*arg;
	int	 rc;
};

static enum MHD_Result
each_arg(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	struct each_ctx *c = cls;

	(void)kind;
	c->rc = c->fn(c->arg, key, value ? value : "");
	return c->rc == 0 ? MHD_YES : MHD_NO;
}

int
http_query_each(const struct http_req *r,
    int (*fn)(void *arg, const char *key, const char *value), void *arg)
{
	struct each_ctx c = { fn, arg, 0 };

	MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, each_arg, &c);
	return c.rc;
}

void
http_resp_header(struct http_resp *resp, const char *name, const char *value)
{
	if (resp->nheaders >= HTTP_MAX_RESP_HEADERS)
		return;
	resp->headers[resp->nheaders].name = name;
	resp->headers[resp->nheaders].value = xstrdup(value);
	resp->nheaders++;
}

static void
resp_free(struct http_resp *resp)
{
	free(resp->body);
	for (int i = 0; i < resp->nheaders; i++)
		free(resp->headers[i].value);
}

/*
 * Security headers on every response, API, error or file alike. The
 * policy allows no inline script; inline styles stay allowed for React's
 * style attributes. A response that brings its own policy (the public
 * form pages, which other sites may frame) keeps it, and then its
 * frame-ancestors stand instead of X-Frame-Options.
 */
#define CSP "default-src 'self'; script-src 'self'; img-src 'self' data:; " \
	"style-src 'self' 'unsafe-inline'; object-src 'none'; base-uri 'none'; " \
	"form-action 'self'; frame-ancestors 'none'"

static void
security_headers(struct MHD_Response *r, bool tls, bool own_csp)
{
	if (!own_csp) {
		MHD_add_response_header(r, "Content-Security-Policy", CSP);
		MHD_add_response_header(r, "X-Frame-Options", "DENY");
	}
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(r, "Referrer-Policy", "same-origin");
	if (tls)
		MHD_add_response_header(r, "Strict-Transport-Security",
		    "max-age=31536000");
}

/* ---- streams ---- */

struct http_stream *
http_stream_new(void)
{
	struct http_stream *st = xcalloc(1, sizeof(*st));

	pthread_mutex_init(&st->mu, NULL);
	st->refs = 1;
	buf_init(&st->pending, HTTP_STREAM_PENDING_MAX);
	return st;
}

void
http_stream_release(struct http_stream *st)
{
	int left;

	if (st == NULL)
		return;
	pthread_mutex_lock(&st->mu);
	left = --st->refs;
	pthread_mutex_unlock(&st->mu);
	if (left > 0)
		return;
	buf_free(&st->pending);
	pthread_mutex_destroy(&st->mu);
	free(st);
}

/* Under st->mu: lets MHD call the reader again. */
static void
stream_wake(struct http_stream *st)
{
	if (st->suspended && st->conn != NULL) {
		st->suspended = false;
		MHD_resume_connection(st->conn);
	}
}

int
http_stream_write(struct http_stream *st, const char *data, size_t len)
{
	int rc = -1;

	pthread_mutex_lock(&st->mu);
	if (!st->gone && !st->ended && buf_append(&st->pending, data, len) == 0) {
		stream_wake(st);
		rc = 0;
	}
	pthread_mutex_unlock(&st->mu);
	return rc;
}

void
http_stream_end(struct http_stream *st)
{
	pthread_mutex_lock(&st->mu);
	st->ended = true;
	stream_wake(st);
	pthread_mutex_unlock(&st->mu);
}

bool
http_stream_gone(struct http_stream *st)
{
	bool gone;

	pthread_mutex_lock(&st->mu);
	gone = st->gone;
	pthread_mutex_unlock(&st->mu);
	return gone;
}

/*
 * MHD asks for more body. Nothing pending: suspend the connection and
 * return 0 (the documented way to say "not yet" without a busy loop); the
 * worker goes on with other connections until a write resumes this one.
 */
static ssize_t
stream_read(void *cls, uint64_t pos, char *out, size_t max)
{
	struct http_stream *st = cls;
	ssize_t n;

	(void)pos;
	pthread_mutex_lock(&st->mu);
	if (st->pending.len > 0) {
		size_t k = st->pending.len < max ? st->pending.len : max;

		memcpy(out, st->pending.data, k);
		memmove(st->pending.data, st->pending.data + k, st->pending.len - k);
		st->pending.len -= k;
		n = (ssize_t)k;
	} else if (st->ended) {
		n = MHD_CONTENT_READER_END_OF_STREAM;
	} else {
		st->suspended = true;
		MHD_suspend_connection(st->conn);
		n = 0;
	}
	pthread_mutex_unlock(&st->mu);
	return n;
}

/* The response is done with the stream: the connection ended. */
static void
stream_free(void *cls)
{
	struct http_stream *st = cls;
	struct http_server *srv = st->srv;

	pthread_mutex_lock(&srv->tmu);
	st->prev->next = st->next;
	st->next->prev = st->prev;
	pthread_mutex_unlock(&srv->tmu);
	pthread_mutex_lock(&st->mu);
	st->gone = true;
	st->conn = NULL;
	st->suspended = false;
	pthread_mutex_unlock(&st->mu);
	http_stream_release(st);
}

static struct MHD_Response *
stream_response(struct http_server *s, struct MHD_Connection *conn,
    struct http_stream *st)
{
	struct MHD_Response *r;

	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);

	pthread_mutex_lock(&st->mu);
	st->conn = conn;
	st->fd = ci != NULL ? ci->connect_fd : -1;
	st->srv = s;
	st->refs++;
	pthread_mutex_unlock(&st->mu);
	r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 4096, stream_read,
	    st, stream_free);
	if (r == NULL) {
		pthread_mutex_lock(&st->mu);
		st->gone = true;
		st->conn = NULL;
		pthread_mutex_unlock(&st->mu);
		http_stream_release(st);
		return NULL;
	}
	pthread_mutex_lock(&s->tmu);
	st->next = s->streams.next;
	st->prev = &s->streams;
	s->streams.next->prev = st;
	s->streams.next = st;
	pthread_mutex_unlock(&s->tmu);
	return r;
}

static enum MHD_Result
send_resp(struct http_server *s, struct MHD_Connection *conn,
    struct reqstate *rs, struct http_resp *resp)
{
	struct MHD_Response *r;
	enum MHD_Result ret;
	bool own_csp;

	if (resp->stream != NULL) {
		r = stream_response(s, conn, resp->stream);
		resp->stream = NULL;
	} else if (resp->use_fd) {
		/* MHD owns the descriptor from here, and closes it. */
		r = MHD_create_response_from_fd64(resp->len, resp->fd);
		if (r == NULL)
			close(resp->fd);
		resp->use_fd = false;
	} else if (resp->static_body != NULL)
		r = MHD_create_response_from_buffer(resp->len,
		    (void *)(uintptr_t)resp->static_body, MHD_RESPMEM_PERSISTENT);
	else {
		r = MHD_create_response_from_buffer(resp->len,
		    resp->body ? resp->body : (char *)"", resp->body ?
		    MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
		resp->body = NULL;	/* MHD frees it now */
	}
	if (r == NULL) {
		resp_free(resp);
		return MHD_NO;
	}
	if (resp->content_type != NULL)
		MHD_add_response_header(r, "Content-Type", resp->content_type);
	own_csp = false;
	for (int i = 0; i < resp->nheaders; i++)
		own_csp |= strcasecmp(resp->headers[i].name,
		    "Content-Security-Policy") == 0;
	security_headers(r, s->tls, own_csp);
	for (int i = 0; i < resp->nheaders; i++)
		MHD_add_response_header(r, resp->headers[i].name,
		    resp->headers[i].value);
	rs->status = resp->status;
	rs->bytes = resp->len;
	rs->user_id = resp->user_id;
	ret = MHD_queue_response(conn, (unsigned)resp->status, r);
	MHD_destroy_response(r);
	resp_free(resp);
	return ret;
}

/* A problem+json answer; with close, the connection ends after it. */
static enum MHD_Result
send_problem_ex(struct http_server *s, struct MHD_Connection *conn,
    struct reqstate *rs, int status, const char *title, const char *detail,
    bool close)
{
	struct http_resp resp;
	struct buf b;

	memset(&resp, 0, sizeof(resp));
	buf_init(&b, 1024);
	buf_printf(&b, "{\"type\":\"about:blank\",\"title\":\"%s\",\"status\":%d,"
	    "\"detail\":\"%s\"}", title, status, detail);
	resp.status = status;
	resp.content_type = "application/problem+json";
	resp.len = b.len;
	resp.body = buf_steal(&b);
	if (close)
		http_resp_header(&resp, "Connection", "close");
	return send_resp(s, conn, rs, &resp);
}

static enum MHD_Result
send_problem(struct http_server *s, struct MHD_Connection *conn,
    struct reqstate *rs, int status, const char *title, const char *detail)
{
	return send_problem_ex(s, conn, rs, status, title, detail, false);
}

static enum MHD_Result
count_header(void *cls, enum MHD_ValueKind kind, const char *key,
    const char *value)
{
	(void)kind;
	(void)key;
	(void)value;
	(*(int *)cls)++;
	return MHD_YES;
}

/*
 * Counts the request headers named framing->name, keeping the last value.
 * A name that only starts with it is counted as garbled: libmicrohttpd
 * 0.9.75 joins an obs-fold continuation line to the header's name
 * ("Content-Length: 5\r\n 7" arrives as "Content-Length7: 5").
 */
struct framing {
	const char	*name;
	const char	*value;
	int		 n;
	int		 garbled;
};

static enum MHD_Result
count_named(void *cls, enum MHD_ValueKind kind, const char *key,
    const char *value)
{
	struct framing *f = cls;

	(void)kind;
	if (key != NULL && strcasecmp(key, f->name) == 0) {
		f->n++;
		f->value = value ? value : "";
	} else if (key != NULL && strncasecmp(key, f->name, strlen(f->name)) == 0)
		f->garbled++;
	return MHD_YES;
}

/*
 * Whether the body's framing could be read two ways (RFC 9112 6.1, 6.3):
 * Content-Length together with Transfer-Encoding, either one repeated, a
 * transfer coding other than plain "chunked", a length that is not just
 * digits, or a folded (garbled) framing header. libmicrohttpd picks one
 * reading and keeps the connection, so a proxy that picked the other would
 * see a second request hidden in the body: refused, and the connection closed.
 */
static bool
ambiguous_framing(struct MHD_Connection *conn)
{
	struct framing cl = { "Content-Length", NULL, 0, 0 };
	struct framing te = { "Transfer-Encoding", NULL, 0, 0 };

	MHD_get_connection_values(conn, MHD_HEADER_KIND, count_named, &cl);
	MHD_get_connection_values(conn, MHD_HEADER_KIND, count_named, &te);
	if (cl.n > 1 || te.n > 1 || (cl.n > 0 && te.n > 0) ||
	    cl.garbled > 0 || te.garbled > 0)
		return true;
	if (te.n == 1 && strcasecmp(te.value, "chunked") != 0)
		return true;
	if (cl.n == 1 && (cl.value[0] == '\0' ||
	    strspn(cl.value, "0123456789") != strlen(cl.value)))
		return true;
	return false;
}

/*
 * Appends an upload's chunk to its unnamed spool file, made on the first
 * byte (where the file system has no O_TMPFILE: a named file unlinked at
 * once). Past the limit or on a write error, the rest is read and dropped
 * and the end of the body is answered with 413 or 507.
 */
static void
spool_append(struct http_server *s, struct reqstate *rs, const char *p,
    size_t n)
{
	char tmp[4096];

	if (rs->too_big || rs->spool_failed)
		return;
	if (n > s->upload->max - rs->spooled) {
		rs->too_big = true;
		goto drop;
	}
	if (rs->spool_fd < 0) {
		rs->spool_fd = open(s->upload->dir, O_TMPFILE | O_RDWR | O_CLOEXEC,
		    0600);
		if (rs->spool_fd < 0 && (size_t)snprintf(tmp, sizeof(tmp),
		    "%s/.spool-XXXXXX", s->upload->dir) < sizeof(tmp)) {
			rs->spool_fd = mkostemp(tmp, O_CLOEXEC);
			if (rs->spool_fd >= 0)
				(void)unlink(tmp);
		}
		if (rs->spool_fd < 0) {
			log_error("http: cannot make a spool file in %s: %s",
			    s->upload->dir, strerror(errno));
			rs->spool_failed = true;
			return;
		}
	}
	while (n > 0) {
		ssize_t w = write(rs->spool_fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			log_error("http: cannot write a spool file in %s: %s",
			    s->upload->dir, strerror(w < 0 ? errno : EIO));
			rs->spool_failed = true;
			goto drop;
		}
		p += w;
		n -= (size_t)w;
		rs->spooled += (uint64_t)w;
	}
	return;
drop:
	if (rs->spool_fd >= 0)
		close(rs->spool_fd);
	rs->spool_fd = -1;
}

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *conn, const char *url,
    const char *method, const char *version, const char *upload_data,
    size_t *upload_data_size, void **con_cls)
{
	struct http_server *s = cls;
	struct reqstate *rs = *con_cls;
	struct http_req req;
	struct http_resp resp;
	const union MHD_ConnectionInfo *ci;
	const char *clen;
	int nheaders = 0;

	(void)version;
	if (rs == NULL) {
		rs = xcalloc(1, sizeof(*rs));
		buf_init(&rs->body, HTTP_MAX_BODY);
		rs->spool_fd = -1;
		rs->spool = s->upload != NULL && s->upload->wants(method, url);
		rs->start_us = time_mono_us();
		snprintf(rs->method, sizeof(rs->method), "%s", method);
		snprintf(rs->path, sizeof(rs->path), "%s", url);
		ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
		if (ci != NULL && ci->client_addr != NULL)
			getnameinfo(ci->client_addr, sizeof(struct sockaddr_in6),
			    rs->remote, sizeof(rs->remote), NULL, 0, NI_NUMERICHOST);
		*con_cls = rs;
		atomic_fetch_add(&s->inflight, 1);
		ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
		rs->track = ci != NULL ? ci->socket_context : NULL;
		if (rs->track != NULL) {
			pthread_mutex_lock(&s->tmu);
			rs->track->busy = true;
			pthread_mutex_unlock(&s->tmu);
		}
		MHD_get_connection_values(conn, MHD_HEADER_KIND, count_header,
		    &nheaders);
		if (nheaders > HTTP_MAX_HEADERS)
			return send_problem(s, conn, rs, 431, "Too many headers",
			    "A request may carry at most 100 headers");
		if (ambiguous_framing(conn))
			return send_problem_ex(s, conn, rs, 400, "Bad framing",
			    "Send one Content-Length or Transfer-Encoding: "
			    "chunked, not both, each once", true);
		clen = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
		    "Content-Length");
		/*
		 * A body a little over the limit is read and dropped, so the
		 * client is surely reading when the 413 comes (closing on unread
		 * data can reset the connection and lose the answer); a huge one
		 * is refused at once.
		 */
		if (rs->spool && clen != NULL &&
		    strtoull(clen, NULL, 10) > s->upload->max)
			return send_problem_ex(s, conn, rs, 413, "Body too large",
			    "The upload is larger than this server accepts", true);
		if (rs->spool && s->upload->admit != NULL) {
			memset(&req, 0, sizeof(req));
			req.method = method;
			req.path = url;
			req.body = "";
			req.body_fd = -1;
			req.remote = rs->remote;
			req.conn = conn;
			memset(&resp, 0, sizeof(resp));
			s->upload->admit(s->arg, &req, &resp);
			if (resp.status != 0) {
				http_resp_header(&resp, "Connection", "close");
				return send_resp(s, conn, rs, &resp);
			}
		}
		if (!rs->spool && clen != NULL &&
		    strtoull(clen, NULL, 10) > HTTP_MAX_DRAIN)
			return send_problem(s, conn, rs, 413, "Body too large",
			    "A request body may be at most 1 MiB");
		return MHD_YES;
	}
	if (*upload_data_size > 0) {
		/* The idle timeout alone lets a client trickle a body forever. */
		if (time_mono_us() - rs->start_us > (rs->spool ?
		    HTTP_MAX_UPLOAD_US : HTTP_MAX_REQUEST_US))
			return send_problem(s, conn, rs, 408, "Request timeout",
			    "The request body took too long to arrive");
		if (rs->spool)
			spool_append(s, rs, upload_data, *upload_data_size);
		else if (!rs->too_big &&
		    buf_append(&rs->body, upload_data, *upload_data_size) != 0) {
			rs->too_big = true;
			buf_free(&rs->body);
		}
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (rs->too_big)
		return send_problem(s, conn, rs, 413, "Body too large",
		    rs->spool ? "The upload is larger than this server accepts" :
		    "A request body may be at most 1 MiB");
	if (rs->spool_failed)
		return send_problem(s, conn, rs, 507, "Insufficient storage",
		    "The upload could not be stored on the server; nothing was "
		    "changed");
	memset(&req, 0, sizeof(req));
	req.method = method;
	req.path = url;
	req.body = rs->body.data ? rs->body.data : "";
	req.body_len = rs->spool ? (size_t)rs->spooled : rs->body.len;
	req.body_fd = rs->spool_fd;
	req.remote = rs->remote;
	req.conn = conn;
	memset(&resp, 0, sizeof(resp));
	resp.status = 500;
	s->handler(s->arg, &req, &resp);
	if (rs->spool_fd >= 0)
		close(rs->spool_fd);
	rs->spool_fd = -1;
	return send_resp(s, conn, rs, &resp);
}

/* JSON string content: quotes, backslashes and controls escaped. */
static void
json_escape(struct buf *b, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			buf_printf(b, "\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			buf_printf(b, "\\u%04x", c);
		else
			buf_putc(b, (char)c);
	}
}

static void
on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
    enum MHD_RequestTerminationCode toe)
{
	struct http_server *s = cls;
	struct reqstate *rs = *con_cls;
	const union MHD_ConnectionInfo *ci;
	char ts[TIME_RFC3339_LEN];
	struct buf line;

	if (rs == NULL)
		return;
	ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	if (ci != NULL && ci->socket_context != NULL) {
		struct track *t = ci->socket_context;

		pthread_mutex_lock(&s->tmu);
		t->busy = false;
		t->since_us = time_mono_us();
		pthread_mutex_unlock(&s->tmu);
	}
	time_format(time_now_ms(), ts, sizeof(ts));
	buf_init(&line, 2048);
	buf_printf(&line, "{\"ts\":\"%s\",\"remote\":\"", ts);
	json_escape(&line, rs->remote);
	buf_puts(&line, "\",\"method\":\"");
	json_escape(&line, rs->method);
	buf_puts(&line, "\",\"path\":\"");
	/* A calendar feed's path holds its secret, the credential: kept out. */
	if (strncmp(rs->path, "/ical/", 6) == 0)
		buf_puts(&line, "/ical/(secret).ics");
	else if (strncmp(rs->path, "/r/", 3) == 0)	/* a satisfaction link */
		buf_puts(&line, "/r/(secret)");
	else
		json_escape(&line, rs->path);
	buf_printf(&line, "\",\"status\":%d,\"bytes\":%zu,\"us\":%lld,"
	    "\"user\":%lld%s}", rs->status, rs->bytes,
	    (long long)(time_mono_us() - rs->start_us), (long long)rs->user_id,
	    toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : ",\"aborted\":true");
	if (line.data != NULL)
		log_line(line.data);
	buf_free(&line);
	buf_free(&rs->body);
	if (rs->spool_fd >= 0)
		close(rs->spool_fd);
	free(rs);
	*con_cls = NULL;
	atomic_fetch_sub(&s->inflight, 1);
}

static void
on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
    enum MHD_ConnectionNotificationCode toe)
{
	struct http_server *s = cls;
	struct track *t = *socket_context;
	const union MHD_ConnectionInfo *ci;

	if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
		ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
		if (ci == NULL)
			return;
		t = xcalloc(1, sizeof(*t));
		t->fd = ci->connect_fd;
		t->since_us = time_mono_us();
		pthread_mutex_lock(&s->tmu);
		t->next = s->tracks.next;
		t->prev = &s->tracks;
		s->tracks.next->prev = t;
		s->tracks.next = t;
		pthread_mutex_unlock(&s->tmu);
		*socket_context = t;
	} else if (t != NULL) {
		pthread_mutex_lock(&s->tmu);
		t->prev->next = t->next;
		t->next->prev = t->prev;
		pthread_mutex_unlock(&s->tmu);
		*socket_context = NULL;
		free(t);
	}
}

static void *
reaper_main(void *arg)
{
	struct http_server *s = arg;
	struct timespec until;

	pthread_mutex_lock(&s->tmu);
	while (!s->stopping) {
		int64_t now = time_mono_us();

		for (struct track *t = s->tracks.next; t != &s->tracks; t = t->next) {
			if (!t->busy && now - t->since_us > HTTP_HEADER_TIMEOUT_S * 1000000LL) {
				shutdown(t->fd, SHUT_RDWR);	/* MHD sees the end and closes */
				t->since_us = now;
			}
		}
		/*
		 * MHD does not watch a suspended connection: a client that
		 * closed its stream is found here within a second, instead of
		 * at the next heartbeat, so its slot is free again soon.
		 */
		for (struct http_stream *st = s->streams.next; st != &s->streams;
		    st = st->next) {
			struct pollfd pfd;

			pthread_mutex_lock(&st->mu);
			pfd = (struct pollfd){ st->fd, POLLRDHUP, 0 };
			if (st->suspended && st->fd >= 0 && poll(&pfd, 1, 0) > 0 &&
			    (pfd.revents & (POLLRDHUP | POLLHUP | POLLERR)) != 0) {
				st->ended = true;
				stream_wake(st);
			}
			pthread_mutex_unlock(&st->mu);
		}
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += 1;
		pthread_cond_timedwait(&s->tcv, &s->tmu, &until);
	}
	pthread_mutex_unlock(&s->tmu);
	return NULL;
}

/* Parses "host:port" or "[v6]:port" and binds a listening socket. */
static int
bind_listen(const char *listen_on, char *err, size_t errlen)
{
	char host[256];
	const char *colon = strrchr(listen_on, ':');
	const char *port;
	struct addrinfo hints, *ai = NULL;
	size_t hlen;
	int fd, one = 1, rc;

	if (colon == NULL || colon[1] == '\0') {
		snprintf(err, errlen, "--listen %s: expected HOST:PORT, for example "
		    "127.0.0.1:8080", listen_on);
		return -1;
	}
	hlen = (size_t)(colon - listen_on);
	if (hlen >= 2 && listen_on[0] == '[' && listen_on[hlen - 1] == ']') {
		listen_on++;
		hlen -= 2;
	}
	if (hlen == 0 || hlen >= sizeof(host)) {
		snprintf(err, errlen, "--listen: bad host in %s", listen_on);
		return -1;
	}
	memcpy(host, listen_on, hlen);
	host[hlen] = '\0';
	port = colon + 1;
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	rc = getaddrinfo(host, port, &hints, &ai);
	if (rc != 0) {
		snprintf(err, errlen, "--listen %s:%s: %s", host, port,
		    gai_strerror(rc));
		return -1;
	}
	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		freeaddrinfo(ai);
		return -1;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
		int e = errno;

		snprintf(err, errlen, "cannot listen on %s:%s: %s%s", host, port,
		    strerror(e), e == EADDRINUSE ? " (another program, perhaps "
		    "another crm serve, uses this port; stop it or choose another "
		    "with --listen)" : "");
		close(fd);
		freeaddrinfo(ai);
		return -1;
	}
	freeaddrinfo(ai);
	if (listen(fd, 1024) != 0) {
		snprintf(err, errlen, "listen: %s", strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * Percent-decoding of paths and query values, except that %00 stays as
 * written: a decoded NUL would cut the C string short and make
 * "/contacts/1%00x" look like "/contacts/1".
 */
static size_t
unescape(void *cls, struct MHD_Connection *conn, char *s)
{
	char *in = s, *out = s;

	(void)cls;
	(void)conn;
	while (*in != '\0') {
		int hi, lo;

		if (in[0] == '%' && (hi = text_hexval(in[1])) >= 0 &&
		    (lo = text_hexval(in[2])) >= 0 && (hi | lo) != 0) {
			*out++ = (char)(hi << 4 | lo);
			in += 3;
		} else {
			*out++ = *in++;
		}
	}
	*out = '\0';
	return (size_t)(out - s);
}

static void
mhd_log(void *cls, const char *fmt, va_list ap)
{
	char msg[512];

	(void)cls;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	msg[strcspn(msg, "\n")] = '\0';
	log_warn("http: %s", msg);
}

int
http_start(const char *listen_on, int threads, unsigned per_ip,
    const struct http_tls *tls, const struct http_upload *upload,
    http_handler handler, void *arg, struct http_server **out, char *err,
    size_t errlen)
{
	struct http_server *s;
	/* The TLS options, or none: MHD_OPTION_END where they would be. */
	struct MHD_OptionItem tlsopts[3] = {
		{ MHD_OPTION_END, 0, NULL }, { MHD_OPTION_END, 0, NULL },
		{ MHD_OPTION_END, 0, NULL },
	};
	int fd = bind_listen(listen_on, err, errlen);

	if (fd < 0)
		return -1;
	s = xcalloc(1, sizeof(*s));
	s->handler = handler;
	s->arg = arg;
	s->upload = upload;
	s->fd = fd;
	s->tls = tls != NULL;
	if (tls != NULL) {
		tlsopts[0] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_CERT, 0,
		    (void *)(uintptr_t)tls->cert_pem };
		tlsopts[1] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_KEY, 0,
		    (void *)(uintptr_t)tls->key_pem };
	}
	atomic_init(&s->inflight, 0);
	pthread_mutex_init(&s->tmu, NULL);
	pthread_cond_init(&s->tcv, NULL);
	s->tracks.next = s->tracks.prev = &s->tracks;
	s->streams.next = s->streams.prev = &s->streams;
	s->d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL |
	    MHD_USE_ITC | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG |
	    (tls != NULL ? MHD_USE_TLS : 0), 0,
	    NULL, NULL, on_request, s,
	    MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
	    MHD_OPTION_LISTEN_SOCKET, fd,
	    MHD_OPTION_THREAD_POOL_SIZE, (unsigned)threads,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)HTTP_IDLE_TIMEOUT_S,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)64 * 1024,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned)HTTP_MAX_CONNECTIONS,
	    MHD_OPTION_PER_IP_CONNECTION_LIMIT, per_ip,
	    MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
	    MHD_OPTION_NOTIFY_CONNECTION, on_connection, s,
	    MHD_OPTION_UNESCAPE_CALLBACK, unescape, NULL,
	    MHD_OPTION_ARRAY, tlsopts,
	    MHD_OPTION_END);
	if (s->d == NULL || pthread_create(&s->reaper, NULL, reaper_main, s) != 0) {
		snprintf(err, errlen, "cannot start the HTTP%s server on %s%s",
		    tls != NULL ? "S" : "", listen_on, tls != NULL ? " (is the "
		    "key the certificate's, both PEM, the key unencrypted?)" : "");
		if (s->d != NULL)
			MHD_stop_daemon(s->d);
		else
			close(fd);
		pthread_mutex_destroy(&s->tmu);
		pthread_cond_destroy(&s->tcv);
		free(s);
		return -1;
	}
	*out = s;
	return 0;
}

void
http_stop(struct http_server *s, int grace_ms)
{
	int64_t deadline = time_mono_us() + (int64_t)grace_ms * 1000;
	MHD_socket fd = MHD_quiesce_daemon(s->d);

	if (fd != MHD_INVALID_SOCKET)
		close(fd);
	/*
	 * End every stream, which resumes the suspended ones: MHD must not be
	 * stopped while a connection is suspended.
	 */
	pthread_mutex_lock(&s->tmu);
	for (struct http_stream *st = s->streams.next; st != &s->streams;
	    st = st->next)
		http_stream_end(st);
	pthread_mutex_unlock(&s->tmu);
	while (atomic_load(&s->inflight) > 0 && time_mono_us() < deadline)
		usleep(5000);
	pthread_mutex_lock(&s->tmu);
	s->stopping = true;
	pthread_cond_signal(&s->tcv);
	pthread_mutex_unlock(&s->tmu);
	pthread_join(s->reaper, NULL);
	MHD_stop_daemon(s->d);	/* reports every connection closed first */
	pthread_mutex_destroy(&s->tmu);
	pthread_cond_destroy(&s->tcv);
	free(s);
}
