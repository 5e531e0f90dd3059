/*
 * The HTTP face: libmicrohttpd with a worker pool, request limits, the
 * access log and graceful shutdown. It knows nothing of the API: every
 * complete request goes to one handler that fills a response.
 *
 * Limits enforced before the handler runs: body size (413), header count
 * (431) and size (MHD's per-connection memory limit), an idle timeout per
 * connection, a deadline for the headers of each request (a connection
 * that has not sent them within HTTP_HEADER_TIMEOUT_S of opening or of its
 * previous answer is closed: slowloris), and one for a whole body (408).
 */
#ifndef HTTP_HTTP_H
#define HTTP_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HTTP_MAX_BODY (1024 * 1024)
#define HTTP_MAX_DRAIN (8 * 1024 * 1024)	/* larger: refused before reading */
#define HTTP_MAX_HEADERS 100
#define HTTP_MAX_RESP_HEADERS 8
#define HTTP_IDLE_TIMEOUT_S 30			/* no bytes for this long: closed */
#define HTTP_HEADER_TIMEOUT_S 15		/* a request's headers must arrive within */
#define HTTP_MAX_REQUEST_US (60LL * 1000000)	/* a whole body must arrive within */
#define HTTP_MAX_UPLOAD_US (15LL * 60 * 1000000)	/* likewise, a spooled upload */

struct MHD_Connection;

/* A complete request. Everything is borrowed for the handler call only. */
struct http_req {
	const char		*method;
	const char		*path;		/* decoded, without the query */
	const char		*body;		/* NUL-terminated; may hold NULs */
	size_t			 body_len;
	/*
	 * An upload (struct http_upload): the body_len bytes are in this
	 * unnamed file from offset 0 (read with pread), body is "". -1 else.
	 */
	int			 body_fd;
	const char		*remote;	/* client address as text */
	struct MHD_Connection	*conn;
};

struct http_stream;

struct http_resp {
	int		 status;
	const char	*content_type;	/* static string */
	char		*body;		/* owned: freed after sending */
	size_t		 len;
	const void	*static_body;	/* alternatively: never freed */
	bool		 use_fd;	/* alternatively: len bytes of fd from 0, */
	int		 fd;		/* closed after sending (or on failure) */
	struct {
		const char	*name;	/* static string */
		char		*value;	/* owned */
	}		 headers[HTTP_MAX_RESP_HEADERS];
	int		 nheaders;
	int64_t		 user_id;	/* for the access log; 0 if anonymous */
	struct http_stream *stream;	/* or: a body written over time (below) */
};

/*
 * A response body written over time, for Server-Sent Events. The handler
 * makes one (http_stream_new, its reference), sets resp->stream, and
 * hands it to whoever writes to it later from another thread; the
 * response holds a second reference until the connection is done.
 *
 * No worker thread waits on an idle stream: when it has nothing to send,
 * MHD's content reader suspends the connection (MHD_suspend_connection)
 * and returns, so the worker serves other connections; a write resumes
 * it. A suspended connection does not time out and is not read, so a
 * client that went away is noticed at the next write: the writer sends a
 * heartbeat now and then. http_stop ends every stream first.
 */
#define HTTP_STREAM_PENDING_MAX (64 * 1024)	/* unsent bytes per stream */
struct http_stream *http_stream_new(void);
/*
 * Appends data to be sent. -1 when the client has gone, the stream has
 * ended, or more than HTTP_STREAM_PENDING_MAX would wait (a client that
 * does not read): the writer then ends it.
 */
int http_stream_write(struct http_stream *st, const char *data, size_t len);
/* Ends the response once what is pending has been sent. */
void http_stream_end(struct http_stream *st);
/* Whether the connection is gone (or the response was never sent). */
bool http_stream_gone(struct http_stream *st);
/* Drops the caller's reference. */
void http_stream_release(struct http_stream *st);

/* Header, query argument or cookie of the request; NULL when absent. */
const char *http_header(const struct http_req *r, const char *name);
const char *http_query(const struct http_req *r, const char *name);
const char *http_cookie(const struct http_req *r, const char *name);
/* Calls fn for every query argument in order; stops when fn returns non-0. */
int http_query_each(const struct http_req *r,
    int (*fn)(void *arg, const char *key, const char *value), void *arg);

/* Adds a response header (value copied). Extra headers are dropped. */
void http_resp_header(struct http_resp *resp, const char *name,
    const char *value);

typedef void (*http_handler)(void *arg, const struct http_req *req,
    struct http_resp *resp);

struct http_server;

/*
 * Large bodies, for the requests wants() names (uploads): streamed into an
 * unnamed temporary file in dir (O_TMPFILE, so nothing is left behind even
 * after a crash) instead of memory, up to max bytes (413 beyond), within
 * HTTP_MAX_UPLOAD_US. Every other request keeps the HTTP_MAX_BODY limit.
 */
struct http_upload {
	const char	*dir;
	uint64_t	 max;
	bool		(*wants)(const char *method, const char *path);
	/*
	 * Called with the handler's arg once the headers are in, before any
	 * of the body is read (req has no body): leaves resp->status 0 to let
	 * the body come, or fills a refusal, which is sent at once and ends
	 * the connection. So an unauthenticated or unauthorised upload costs
	 * no disk.
	 */
	void		(*admit)(void *arg, const struct http_req *req,
			    struct http_resp *resp);
};

/*
 * HTTPS: a PEM certificate (chain) and its private key, NUL-terminated,
 * borrowed until http_stop. libmicrohttpd serves TLS through GnuTLS.
 */
struct http_tls {
	const char	*cert_pem;
	const char	*key_pem;
};

/*
 * Binds host:port and starts `threads` workers calling handler(arg, ...),
 * over TLS when tls is not NULL. One client address may hold at most
 * per_ip connections at once (0: only the total limit); more are closed
 * on arrival, so one client cannot take every slot. Every response
 * carries the security headers (CSP, frame denial, nosniff, referrer
 * policy; HSTS over TLS). upload may be NULL (no large bodies); it and
 * its dir are borrowed until http_stop. On failure returns -1 with a message for the
 * operator in err.
 */
#define HTTP_MAX_CONNECTIONS 1000
int http_start(const char *listen, int threads, unsigned per_ip,
    const struct http_tls *tls, const struct http_upload *upload,
    http_handler handler, void *arg, struct http_server **out, char *err,
    size_t errlen);
/*
 * Stops accepting, lets requests in flight finish (up to grace_ms), then
 * stops the workers and frees the server.
 */
void http_stop(struct http_server *s, int grace_ms);

#endif
