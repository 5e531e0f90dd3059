/*
 * Files compiled into the binary by tools/embed (web UI assets, schema
 * migrations). Arrays are sorted by path. gz is a gzip copy or NULL.
 */
#ifndef UTIL_EMBED_H
#define UTIL_EMBED_H

#include <stddef.h>

struct embed_file {
	const char		*path;	/* relative, "/"-separated, no leading "/" */
	const unsigned char	*data;
	size_t			 len;
	const unsigned char	*gz;
	size_t			 gzlen;
	const char		*etag;	/* quoted strong ETag of data */
};

extern const struct embed_file web_files[];
extern const size_t web_nfiles;
extern const struct embed_file sqlite_migration_files[];
extern const size_t sqlite_migration_nfiles;
extern const struct embed_file pg_migration_files[];
extern const size_t pg_migration_nfiles;

#endif
