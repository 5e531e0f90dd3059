/* Embedded web UI files. */
#include "http/static.h"

#include <stdlib.h>
#include <string.h>

#include "util/embed.h"

static const struct embed_file *
find(const char *path)
{
	size_t lo = 0, hi = web_nfiles;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(web_files[mid].path, path);

		if (c == 0)
			return &web_files[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static const char *
mime(const char *path)
{
	static const struct { const char *ext, *type; } types[] = {
		{ ".html", "text/html; charset=utf-8" },
		{ ".js", "text/javascript; charset=utf-8" },
		{ ".css", "text/css; charset=utf-8" },
		{ ".svg", "image/svg+xml" },
		{ ".png", "image/png" },
		{ ".ico", "image/x-icon" },
		{ ".json", "application/json" },
		{ ".woff2", "font/woff2" },
		{ ".txt", "text/plain; charset=utf-8" },
	};
	const char *dot = strrchr(path, '.');

	for (size_t i = 0; dot && i < sizeof(types) / sizeof(*types); i++)
		if (strcmp(dot, types[i].ext) == 0)
			return types[i].type;
	return "application/octet-stream";
}

static bool
accepts_gzip(const struct http_req *req)
{
	const char *ae = http_header(req, "Accept-Encoding");

	return ae != NULL && strstr(ae, "gzip") != NULL;
}

bool
http_static(const struct http_req *req, struct http_resp *resp)
{
	const char *path = req->path;
	const struct embed_file *f;
	const char *inm;
	const char *last;

	while (*path == '/')
		path++;
	if (*path == '\0')
		path = "index.html";
	f = find(path);
	last = strrchr(path, '/');
	if (f == NULL && strchr(last ? last : path, '.') == NULL)
		f = find("index.html");
	if (f == NULL)
		return false;
	resp->content_type = mime(f->path);
	http_resp_header(resp, "ETag", f->etag);
	http_resp_header(resp, "Vary", "Accept-Encoding");
	if (strncmp(f->path, "assets/", 7) == 0)
		http_resp_header(resp, "Cache-Control",
		    "public, max-age=31536000, immutable");
	else
		http_resp_header(resp, "Cache-Control", "no-cache");
	/* The security headers (CSP and the rest) come from http/server.c. */
	inm = http_header(req, "If-None-Match");
	if (inm != NULL && strcmp(inm, f->etag) == 0) {
		resp->status = 304;
		return true;
	}
	resp->status = 200;
	if (f->gz != NULL && accepts_gzip(req)) {
		http_resp_header(resp, "Content-Encoding", "gzip");
		resp->static_body = f->gz;
		resp->len = f->gzlen;
	} else {
		resp->static_body = f->data;
		resp->len = f->len;
	}
	return true;
}
