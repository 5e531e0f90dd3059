/*
 * The IMAP client of the desk's mailbox (core/imap.h) over libcurl: a
 * request per URL, the untagged answer or the fetched bytes into a capped
 * buffer, every failure worded for the administrator.
 */
#include "core/imap.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/alloc.h"
#include "util/log.h"

#define RESPONSE_MAX (4 * 1024 * 1024)	/* a STATUS or FETCH list answer */
#define UIDS_MAX 100000			/* UIDs of one list looked at */
#define IMAP_TIMEOUT_MS 60000L

struct sink {
	struct buf	b;
	bool		over;
};

static size_t
write_cb(char *ptr, size_t size, size_t nmemb, void *arg)
{
	struct sink *s = arg;
	size_t n = size * nmemb;

	if (buf_append(&s->b, ptr, n) != 0) {
		s->over = true;
		return 0;	/* libcurl stops with CURLE_WRITE_ERROR */
	}
	return n;
}

/*
 * One IMAP request: path (after the host: "", or the folder with ";UID=n"
 * and such) and custom (a command, or NULL for a fetch by URL). The
 * response (the untagged lines of a command, the bytes of a fetch) into
 * s, at most its cap. 0, or -1 with the reason for the administrator.
 */
static int
imap_do(const struct imap_conf *c, const char *path, const char *custom,
    struct sink *s, char *err, size_t errlen)
{
	char ebuf[CURL_ERROR_SIZE] = "", url[IMAP_URL_MAX + 512];
	size_t ulen = strlen(c->url);
	CURLcode cc;
	CURL *h;

	while (ulen > 0 && c->url[ulen - 1] == '/')
		ulen--;
	if ((size_t)snprintf(url, sizeof(url), "%.*s/%s", (int)ulen, c->url,
	    path) >= sizeof(url)) {
		snprintf(err, errlen, "the mailbox URL is too long");
		return -1;
	}
	h = curl_easy_init();
	if (h == NULL) {
		snprintf(err, errlen, "libcurl could not start");
		return -1;
	}
	curl_easy_setopt(h, CURLOPT_URL, url);
	/* Plain IMAP only where the settings allowed it (loopback, tests). */
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, c->plain ? "imap,imaps" :
	    "imaps");
	curl_easy_setopt(h, CURLOPT_USERNAME, c->user);
	curl_easy_setopt(h, CURLOPT_PASSWORD, c->password);
	if (custom != NULL)
		curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, custom);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, write_cb);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, s);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, ebuf);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, 10000L);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, IMAP_TIMEOUT_MS);
	cc = curl_easy_perform(h);
	curl_easy_cleanup(h);
	if (cc != CURLE_OK) {
		if (s->over)
			snprintf(err, errlen, "the server's answer is larger than "
			    "%zu bytes", s->b.cap);
		else
			snprintf(err, errlen, "IMAP: %s%s%s", curl_easy_strerror(cc),
			    ebuf[0] ? ": " : "", ebuf);
		return -1;
	}
	return 0;
}

/* The folder escaped for the URL into out. false when it does not fit. */
static bool
folder_path(const struct imap_conf *c, char *out, size_t cap)
{
	char *esc = curl_easy_escape(NULL, c->folder, 0);
	bool ok;

	if (esc == NULL)
		return false;
	ok = (size_t)snprintf(out, cap, "%s", esc) < cap;
	curl_free(esc);
	return ok;
}

/*
 * The number after word (and any spaces) in the len bytes at s, e.g.
 * "UIDVALIDITY 42", the word matched without regard to case; -1 when
 * there is none or it is not a 32-bit number (RFC 3501's UIDs, UIDVALIDITY
 * and sizes all are): a longer one is not cut to a wrong value.
 */
static int64_t
number_after(const char *s, size_t len, const char *word)
{
	size_t wl = strlen(word), i = 0;
	int64_t v = 0;
	int digits = 0;

	for (; i + wl <= len; i++)
		if (strncasecmp(s + i, word, wl) == 0)
			break;
	if (i + wl > len)
		return -1;
	for (i += wl; i < len && s[i] == ' '; i++)
		;
	for (; i < len && s[i] >= '0' && s[i] <= '9'; i++) {
		if (++digits > 10)
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return digits > 0 && v <= UINT32_MAX ? v : -1;
}

static int
uid_cmp(const void *a, const void *b)
{
	const struct imap_mail *x = a, *y = b;

	return x->uid < y->uid ? -1 : x->uid > y->uid;
}

int64_t
imap_parse_uidvalidity(const char *data, size_t len)
{
	int64_t uv = number_after(data, len, "UIDVALIDITY");

	return uv > 0 ? uv : -1;
}

void
imap_parse_list(const char *data, size_t len, int64_t last_uid, size_t max,
    struct imap_mail **out, size_t *n, bool *more)
{
	const char *p = data, *end = data + len;
	struct imap_mail *v = NULL;
	size_t count = 0, cap = 0, kept = 0;

	while (p < end && count < UIDS_MAX) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t ll = nl != NULL ? (size_t)(nl - p) : (size_t)(end - p);
		int64_t uid = number_after(p, ll, "UID "),
		    size = number_after(p, ll, "RFC822.SIZE ");

		p = nl != NULL ? nl + 1 : end;
		/* "n:*" answers the last mail even when n is past it. */
		if (uid <= last_uid || size < 0)
			continue;
		if (count == cap) {
			cap = cap == 0 ? 64 : cap * 2;
			v = xrealloc(v, cap * sizeof(*v));
		}
		v[count++] = (struct imap_mail){ uid, size };
	}
	if (count > 1)
		qsort(v, count, sizeof(*v), uid_cmp);
	/* A UID the server answered twice is one mail, taken once. */
	for (size_t i = 0; i < count; i++)
		if (kept == 0 || v[i].uid != v[kept - 1].uid)
			v[kept++] = v[i];
	*more = kept > max;
	*n = kept > max ? max : kept;
	*out = v;
}

int
imap_list(const struct imap_conf *c, int64_t last_uid, size_t max,
    struct imap_mail **out, size_t *n, bool *more, char *err, size_t errlen)
{
	char path[IMAP_FOLDER_MAX * 3 + 1], cmd[96];
	struct sink s;

	*out = NULL;
	*n = 0;
	*more = false;
	if (!folder_path(c, path, sizeof(path))) {
		snprintf(err, errlen, "the folder name is too long");
		return -1;
	}
	snprintf(cmd, sizeof(cmd), "UID FETCH %lld:* (UID RFC822.SIZE)",
	    (long long)last_uid + 1);
	buf_init(&s.b, RESPONSE_MAX);
	s.over = false;
	if (imap_do(c, path, cmd, &s, err, errlen) != 0) {
		buf_free(&s.b);
		return -1;
	}
	imap_parse_list(s.b.data != NULL ? s.b.data : "", s.b.len, last_uid, max,
	    out, n, more);
	buf_free(&s.b);
	return 0;
}

int
imap_uidvalidity(const struct imap_conf *c, int64_t *uv, char *err, size_t errlen)
{
	char cmd[IMAP_FOLDER_MAX + 64];
	struct sink s;

	snprintf(cmd, sizeof(cmd), "STATUS \"%s\" (UIDVALIDITY)", c->folder);
	buf_init(&s.b, 64 * 1024);
	s.over = false;
	if (imap_do(c, "", cmd, &s, err, errlen) != 0) {
		buf_free(&s.b);
		return -1;
	}
	*uv = imap_parse_uidvalidity(s.b.data != NULL ? s.b.data : "", s.b.len);
	buf_free(&s.b);
	if (*uv <= 0) {
		snprintf(err, errlen, "the server did not tell the folder's "
		    "UIDVALIDITY (does the folder \"%s\" exist?)", c->folder);
		return -1;
	}
	return 0;
}

int
imap_fetch(const struct imap_conf *c, int64_t uid, bool header_only,
    struct buf *out, char *err, size_t errlen)
{
	char path[IMAP_FOLDER_MAX * 3 + 64], folder[IMAP_FOLDER_MAX * 3
	    + 1];
	struct sink s;
	int rc;

	if (!folder_path(c, folder, sizeof(folder))) {
		snprintf(err, errlen, "the folder name is too long");
		return -1;
	}
	snprintf(path, sizeof(path), "%s;UID=%lld%s", folder, (long long)uid,
	    header_only ? "/;SECTION=HEADER" : "");
	s.b = *out;
	s.over = false;
	rc = imap_do(c, path, NULL, &s, err, errlen);
	*out = s.b;
	return rc;
}

/*
 * Sets or clears \Seen on mail uid. libcurl fetches with BODY[] (it has no
 * BODY.PEEK), which sets \Seen already: so the flag is set again after the
 * commit, and cleared when the mail could not be written, to say in the
 * mailbox what the desk took.
 */
void
imap_seen(const struct imap_conf *c, int64_t uid, bool seen)
{
	char path[IMAP_FOLDER_MAX * 3 + 1], cmd[96], err[256];
	struct sink s;

	if (!folder_path(c, path, sizeof(path)))
		return;
	snprintf(cmd, sizeof(cmd), "UID STORE %lld %cFLAGS (\\Seen)",
	    (long long)uid, seen ? '+' : '-');
	buf_init(&s.b, 64 * 1024);
	s.over = false;
	if (imap_do(c, path, cmd, &s, err, sizeof(err)) != 0)
		log_warn("desk mail: flagging UID %lld: %s", (long long)uid, err);
	buf_free(&s.b);
}
