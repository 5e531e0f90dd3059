/*
 * The HTTP face end to end: the real server (http_start + api_handle on a
 * pool over a temporary SQLite file) runs in this process, and each input
 * goes to it over a fresh TCP connection. A crash or sanitizer report in a
 * worker thread ends the process like one in the harness, so libFuzzer
 * keeps the input that caused it.
 *
 * The input reads as a request in a forgiving text form:
 *
 *     METHOD PATH?QUERY
 *     Header: value
 *     ...
 *     (empty line)
 *     body
 *
 * and is rebuilt into a well-formed HTTP/1.1 request (CRLF, Host, our own
 * Content-Length and Connection: close; header lines without a colon or
 * with control bytes are dropped), so that most inputs get past the
 * request line into the router, the query parser, cookies and JSON
 * bodies. "$TOKEN" and "$SESSION" in header lines become a valid API
 * token and session secret; without an Authorization or Cookie header of
 * its own the request gets the token. Such a request must be answered
 * with a status line, or the harness aborts.
 *
 * An input that starts with '!' is sent raw, byte for byte, and may get
 * any answer or none: that exercises the request parsing and limits.
 *
 * What an input writes is removed afterwards (fz_reset) through a
 * connection of the harness's own.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <ftw.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "api/api.h"
#include "common.h"
#include "core/documents.h"
#include "core/sessions.h"
#include "core/users.h"
#include "http/http.h"
#include "store/pool.h"
#include "util/buf.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define WORKERS 2
#define ANSWER_TIMEOUT_MS 10000	/* a well-formed request must be answered */
#define RAW_TIMEOUT_MS 300	/* a raw one may be left hanging */

static db_t *db;
static struct app app;
static struct http_server *srv;
static int port;
static char token[SECRET_LEN], session[SECRET_LEN];
static char dir[] = "/tmp/crm-fuzz-http.XXXXXX";
static char dbpath[sizeof(dir) + 16];
static char filesdir[sizeof(dir) + 16];
static struct doc_store docs;
static struct http_upload upload;

static void
die(const char *what, const char *why)
{
	fz_fail("fuzz_http set-up: %s: %s", what, why);
}

/* A port free a moment ago: bind to port 0, read it, let it go. */
static int
free_port(void)
{
	struct sockaddr_in a;
	socklen_t alen = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0), p;

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) != 0 ||
	    getsockname(fd, (struct sockaddr *)&a, &alen) != 0)
		die("free port", strerror(errno));
	p = ntohs(a.sin_port);
	close(fd);
	return p;
}

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *f)
{
	(void)st;
	(void)f;
	if (flag == FTW_DP)
		rmdir(path);
	else
		unlink(path);
	return 0;
}

/* The documents an input stored: gone with its rows (doc_may_attach remakes the folder). */
static void
rm_files(void)
{
	nftw(filesdir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
}

static void
cleanup(void)
{
	static const char *const sfx[] = { "", "-wal", "-shm" };
	char p[sizeof(dbpath) + 8];

	for (size_t i = 0; i < sizeof(sfx) / sizeof(*sfx); i++) {
		snprintf(p, sizeof(p), "%s%s", dbpath, sfx[i]);
		unlink(p);
	}
	rm_files();
	rmdir(dir);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct core_ctx cx;
	struct actor admin, me;
	char err[512], listen_on[64];
	int64_t id;

	(void)argc;
	(void)argv;
	signal(SIGPIPE, SIG_IGN);
	if (mkdtemp(dir) == NULL)
		die("mkdtemp", strerror(errno));
	snprintf(dbpath, sizeof(dbpath), "%s/crm.db", dir);
	atexit(cleanup);
	db = fz_open(dbpath, &admin);
	fz_seed(db, &admin);
	core_ctx_init(&cx, db, &admin);
	if (token_create(&cx, "fz@example.com", "fuzz", token, &id) != CRM_OK)
		die("token_create", cx.detail);
	core_ctx_init(&cx, db, &admin);
	if (auth_login(&cx, "fz@example.com", "quiet lantern harbour 7", "127.0.0.1",
	    "fuzz", session, &me) != CRM_OK)
		die("auth_login", cx.detail);
	fz_mark(db);
	snprintf(filesdir, sizeof(filesdir), "%s/files", dir);
	if (doc_store_open(&docs, filesdir, 64 * 1024, 20, true, err,
	    sizeof(err)) != 0)
		die("doc_store_open", err);
	app.docs = &docs;
	upload = (struct http_upload){ docs.dir, 128 * 1024, api_wants_upload,
	    api_upload_admit };
	app.version = "fuzz";
	app.session_idle_ms = SESSION_IDLE_DEFAULT_MS;
	app.session_max_ms = SESSION_MAX_DEFAULT_MS;
	api_init(&app);
	if (db_pool_open(dbpath, WORKERS, &app.pool, err, sizeof(err)) != DB_OK)
		die("db_pool_open", err);
	for (int tries = 0; srv == NULL; tries++) {
		port = free_port();
		snprintf(listen_on, sizeof(listen_on), "127.0.0.1:%d", port);
		if (http_start(listen_on, WORKERS, 0, NULL, &upload, api_handle, &app, &srv, err,
		    sizeof(err)) != 0 && tries == 20)
			die("http_start", err);
	}
	return 0;
}

static bool
has_prefix_ci(const char *s, size_t len, const char *prefix)
{
	size_t n = strlen(prefix);

	return len >= n && strncasecmp(s, prefix, n) == 0;
}

/* Appends line[0..len) with $TOKEN and $SESSION replaced. */
static void
put_subst(struct buf *b, const char *line, size_t len)
{
	for (size_t i = 0; i < len;) {
		if (len - i >= 6 && memcmp(line + i, "$TOKEN", 6) == 0) {
			buf_puts(b, token);
			i += 6;
		} else if (len - i >= 8 && memcmp(line + i, "$SESSION", 8) == 0) {
			buf_puts(b, session);
			i += 8;
		} else {
			buf_putc(b, line[i++]);
		}
	}
}

static bool
printable(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 && s[i] != '\t')
			return false;
		else if (s[i] == 0x7f)
			return false;
	return true;
}

/* Rebuilds the input as a well-formed request (see the top of the file). */
static void
rebuild(const char *in, size_t size, struct buf *req)
{
	const char *p = in, *end = in + size, *nl, *sp, *body;
	size_t len, mlen;
	bool auth = false, ctype = false;

	nl = memchr(p, '\n', size);
	len = nl ? (size_t)(nl - p) : size;
	if (len > 0 && p[len - 1] == '\r')
		len--;
	sp = memchr(p, ' ', len);
	mlen = sp ? (size_t)(sp - p) : 0;
	/* A method of letters only, else GET. */
	if (mlen == 0 || mlen > 16)
		buf_puts(req, "GET");
	for (size_t i = 0; mlen > 0 && mlen <= 16 && i < mlen; i++)
		buf_putc(req, p[i] >= 'A' && p[i] <= 'Z' ? p[i] : 'X');
	buf_putc(req, ' ');
	if (sp == NULL || (size_t)(sp - p) + 1 >= len || sp[1] != '/')
		buf_putc(req, '/');
	for (size_t i = sp ? mlen + 1 : 0; i < len; i++) {
		unsigned char c = (unsigned char)p[i];

		buf_putc(req, c <= 0x20 || c == 0x7f ? '_' : (char)c);
	}
	buf_puts(req, " HTTP/1.1\r\nHost: fuzz\r\n");
	p = nl ? nl + 1 : end;
	body = end;
	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		len = nl ? (size_t)(nl - p) : (size_t)(end - p);
		if (len > 0 && p[len - 1] == '\r')
			len--;
		if (len == 0) {		/* the empty line: the body follows */
			body = nl ? nl + 1 : end;
			break;
		}
		if (memchr(p, ':', len) != NULL && p[0] != ':' && p[0] != ' ' &&
		    printable(p, len) && !has_prefix_ci(p, len, "content-length") &&
		    !has_prefix_ci(p, len, "transfer-encoding") &&
		    !has_prefix_ci(p, len, "connection") &&
		    !has_prefix_ci(p, len, "host:") &&
		    !has_prefix_ci(p, len, "expect")) {
			auth |= has_prefix_ci(p, len, "authorization") ||
			    has_prefix_ci(p, len, "cookie");
			ctype |= has_prefix_ci(p, len, "content-type");
			put_subst(req, p, len);
			buf_puts(req, "\r\n");
		}
		p = nl ? nl + 1 : end;
	}
	if (!auth)
		buf_printf(req, "Authorization: Bearer %s\r\n", token);
	if (!ctype && body < end)
		buf_puts(req, "Content-Type: application/json\r\n");
	buf_printf(req, "Content-Length: %zu\r\nConnection: close\r\n\r\n",
	    (size_t)(end - body));
	buf_append(req, body, (size_t)(end - body));
}

/*
 * Sends req on a new connection and reads the answer until the server
 * closes or timeout_ms pass. Returns the bytes read (at most outlen - 1);
 * *err is the errno of a failed send or receive, or 0.
 */
static size_t
exchange(const char *req, size_t len, bool raw, int timeout_ms, char *out,
    size_t outlen, int *err)
{
	struct sockaddr_in a;
	struct timeval tv = { timeout_ms / 1000, (timeout_ms % 1000) * 1000 };
	struct linger lg = { 1, 0 };
	size_t got = 0, sent = 0;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	*err = 0;
	if (fd < 0)
		die("socket", strerror(errno));
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons((uint16_t)port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0)
		die("connect", strerror(errno));
	while (sent < len) {
		ssize_t n = send(fd, req + sent, len - sent, MSG_NOSIGNAL);

		if (n <= 0) {
			*err = n < 0 ? errno : 0;
			break;	/* the server may close early (413, 431) */
		}
		sent += (size_t)n;
	}
	if (raw)
		shutdown(fd, SHUT_WR);
	while (got + 1 < outlen) {
		ssize_t n = recv(fd, out + got, outlen - 1 - got, 0);

		if (n < 0)
			*err = errno;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	out[got] = '\0';
	/* Reset rather than TIME_WAIT: a long run opens many connections. */
	setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	close(fd);
	return got;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char answer[1 << 16];
	struct buf req;
	size_t got = 0;
	int err = 0;

	buf_init(&req, 4 * 1024 * 1024);
	if (size > 0 && data[0] == '!') {
		buf_append(&req, data + 1, size - 1);
		exchange(req.data ? req.data : "", req.len, true, RAW_TIMEOUT_MS,
		    answer, sizeof(answer), &err);
	} else {
		rebuild((const char *)data, size, &req);
		/*
		 * A fresh connection that gets nothing at all (reset, or closed
		 * unanswered) is tried once more before it counts, so that a
		 * hiccup of the loopback under load is not taken for a finding.
		 */
		for (int attempt = 0; attempt < 2; attempt++) {
			got = exchange(req.data, req.len, false, ANSWER_TIMEOUT_MS,
			    answer, sizeof(answer), &err);
			if (got > 0)
				break;
		}
		if (got < 12 || strncmp(answer, "HTTP/1.", 7) != 0 ||
		    answer[8] != ' ' || answer[9] < '1' || answer[9] > '5')
			fz_fail("fuzz_http: no status line for a well-formed "
			    "request (%zu bytes back, %s):\n%.*s", got,
			    err ? strerror(err) : "closed", (int)(req.len < 2048 ?
			    req.len : 2048), req.data);
	}
	buf_free(&req);
	fz_reset(db);
	rm_files();
	return 0;
}
