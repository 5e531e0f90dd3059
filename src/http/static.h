/*
 * The web UI's files, compiled into the binary (util/embed.h), served with
 * a strong ETag (304 on If-None-Match), long caching for hashed assets,
 * no-cache for index.html, and gzip when the client accepts it.
 */
#ifndef HTTP_STATIC_H
#define HTTP_STATIC_H

#include "http/http.h"

/*
 * Answers a GET/HEAD for path from the embedded files. Paths without a
 * file extension fall back to index.html (client-side routes). Returns
 * false when there is no such file, leaving resp untouched.
 */
bool http_static(const struct http_req *req, struct http_resp *resp);

#endif
