/*
 * The backup file format (crm backup, crm restore): one zstd stream that
 * decompresses to
 *
 *     "CRMBAK\r\n"                 8 bytes of magic
 *     u32 format                   BKF_FORMAT (1)
 *     u32 manifest length          1 .. BKF_MANIFEST_MAX
 *     manifest                     JSON (below)
 *     per manifest entry, in its order:
 *         'F'                      1 byte
 *         u16 path length, path    the entry's path again
 *         u64 size                 the entry's size again
 *         size bytes of content
 *     'Z'                          1 byte: the end
 *     BLAKE2b-256                  32 bytes over every byte above
 *
 * Integers are big-endian. Nothing may follow the trailer, neither in the
 * decompressed stream nor after the zstd frame. The manifest:
 *
 *     {"format": 1, "crm_version": "0.1.0", "created_at": RFC 3339,
 *      "dialect": "sqlite", "schema_version": 8,
 *      "entries": [{"path": "database.sqlite", "size": N,
 *                   "blake2b": 64 hex digits}, {"path": "files/...", ...}]}
 *
 * The first entry is the database, "database.sqlite"; every other path
 * starts with "files/" and the paths after the first are in strictly
 * increasing byte order (so none repeats). A path is relative, at most
 * BKF_PATH_MAX bytes, made of non-empty components separated by one '/',
 * none "." or "..", without NUL, backslash or control characters; no path
 * is also a folder of another ("files/a" and "files/a/b").
 *
 * The reader trusts nothing: every length is checked against its cap and
 * against the manifest before anything is read into memory, content is
 * hashed as it streams, and the first problem stops it with a message that
 * names it. A sink receives the manifest once it is valid and each entry's
 * bytes; an entry's end is reported only after its checksum matched, and
 * bkf_read() succeeds only after the trailer matched, so a sink that stages
 * what it receives must discard it all when bkf_read() fails.
 */
#ifndef CORE_BKFILE_H
#define CORE_BKFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define BKF_FORMAT		1
#define BKF_HASH_LEN		32
#define BKF_PATH_MAX		1024
#define BKF_MANIFEST_MAX	(64u * 1024 * 1024)
#define BKF_ENTRIES_MAX		1000000
#define BKF_SIZE_MAX		(1ULL << 50)	/* one entry: 1 PiB */
#define BKF_DB_ENTRY		"database.sqlite"

struct bkf_entry {
	char		*path;
	uint64_t	 size;
	unsigned char	 hash[BKF_HASH_LEN];
};

struct bkf_manifest {
	int			 format;
	char			 crm_version[32];
	char			 created_at[40];
	char			 dialect[16];
	int64_t			 schema_version;
	struct bkf_entry	*entries;
	size_t			 n;
};

void bkf_manifest_free(struct bkf_manifest *m);
/*
 * The manifest as JSON text (a new string, free() it), for the writer. The
 * entries' hashes must be filled in.
 */
char *bkf_manifest_json(const struct bkf_manifest *m);
/* Whether path is a safe entry path (see above); why says what is wrong. */
bool bkf_path_ok(const char *path, size_t len, char *why, size_t whylen);

/* ---- writing ---- */

struct bkf_writer;
/* Writes a compressed backup to fd (borrowed; the caller closes it). */
int bkf_writer_open(int fd, struct bkf_writer **out, char *err, size_t errlen);
/* The header and the manifest (entries to come in the same order). */
int bkf_write_manifest(struct bkf_writer *w, const struct bkf_manifest *m,
    char *err, size_t errlen);
/*
 * The next entry of the manifest, read from fd until its size: fails when
 * the content read differs in size or checksum from the manifest (the file
 * changed since it was hashed).
 */
int bkf_write_entry(struct bkf_writer *w, int fd, char *err, size_t errlen);
/* The end marker and trailer; flushes the compressor. */
int bkf_writer_finish(struct bkf_writer *w, char *err, size_t errlen);
void bkf_writer_free(struct bkf_writer *w);

/* BLAKE2b-256 of the file open on fd, read to its end; *size its length. */
int bkf_hash_fd(int fd, unsigned char hash[BKF_HASH_LEN], uint64_t *size);

/* ---- reading ---- */

/* Where compressed bytes come from: returns bytes read, 0 at the end, -1. */
struct bkf_source {
	ssize_t	(*read)(void *arg, void *buf, size_t cap);
	void	*arg;
};

/* Each callback may be NULL; a non-zero return stops the read with err. */
struct bkf_sink {
	void	*arg;
	int	(*manifest)(void *arg, const struct bkf_manifest *m, char *err,
		    size_t errlen);
	int	(*entry_begin)(void *arg, const struct bkf_entry *e, size_t index,
		    char *err, size_t errlen);
	int	(*entry_data)(void *arg, const void *p, size_t n, char *err,
		    size_t errlen);
	int	(*entry_end)(void *arg, const struct bkf_entry *e, char *err,
		    size_t errlen);
};

/*
 * Reads and checks a whole backup. Returns 0 with the manifest in *m
 * (bkf_manifest_free() it; m may be NULL), or -1 with the first problem in
 * err.
 */
int bkf_read(const struct bkf_source *src, const struct bkf_sink *sink,
    struct bkf_manifest *m, char *err, size_t errlen);
/* The same over bytes in memory (tests, fuzzing). */
int bkf_read_mem(const void *data, size_t len, const struct bkf_sink *sink,
    struct bkf_manifest *m, char *err, size_t errlen);

#endif
