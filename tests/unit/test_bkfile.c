/*
 * core/bkfile: the backup container. A good file reads back exactly; every
 * truncation, every changed byte of the content, and each malformed part
 * (magic, format, lengths, manifest, paths, order, trailer, extra data) is
 * refused with a reason, and unsafe paths never reach the sink.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <sodium.h>
#include <zstd.h>

#include "core/bkfile.h"

struct blob {
	unsigned char	*p;
	size_t		 len;
};

/* A tmpfile holding len bytes, rewound; the caller fcloses it. */
static FILE *
file_with(const void *p, size_t len)
{
	FILE *f = tmpfile();

	assert_non_null(f);
	assert_int_equal(fwrite(p, 1, len, f), len);
	fflush(f);
	rewind(f);
	return f;
}

static void
slurp(FILE *f, struct blob *b)
{
	long n;

	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	b->p = malloc((size_t)n + 1);
	b->len = fread(b->p, 1, (size_t)n, f);
	assert_int_equal(b->len, (size_t)n);
}

/* A backup of the given entries, made by the real writer. */
static void
make(const char *const *paths, const char *const *contents, size_t n,
    struct blob *out)
{
	struct bkf_manifest m;
	struct bkf_writer *w;
	FILE *o = tmpfile();
	char err[256];

	memset(&m, 0, sizeof(m));
	m.format = BKF_FORMAT;
	strcpy(m.crm_version, "test");
	strcpy(m.created_at, "2026-01-01T00:00:00.000Z");
	strcpy(m.dialect, "sqlite");
	m.schema_version = 1;
	m.entries = calloc(n, sizeof(*m.entries));
	m.n = n;
	for (size_t i = 0; i < n; i++) {
		FILE *f = file_with(contents[i], strlen(contents[i]));

		m.entries[i].path = strdup(paths[i]);
		assert_int_equal(bkf_hash_fd(fileno(f), m.entries[i].hash,
		    &m.entries[i].size), 0);
		fclose(f);
	}
	assert_int_equal(bkf_writer_open(fileno(o), &w, err, sizeof(err)), 0);
	assert_int_equal(bkf_write_manifest(w, &m, err, sizeof(err)), 0);
	for (size_t i = 0; i < n; i++) {
		FILE *f = file_with(contents[i], strlen(contents[i]));

		assert_int_equal(bkf_write_entry(w, fileno(f), err, sizeof(err)), 0);
		fclose(f);
	}
	assert_int_equal(bkf_writer_finish(w, err, sizeof(err)), 0);
	bkf_writer_free(w);
	bkf_manifest_free(&m);
	fflush(o);
	slurp(o, out);
	fclose(o);
}

static const char *const paths[] = { "database.sqlite", "files/a.txt",
    "files/sub/b.bin" };
static const char *const contents[] = { "SQLite format 3 (pretend)",
    "hello, world\n", "" };

struct got {
	char	data[256];
	size_t	len;
	int	ends;
};

static int
g_data(void *arg, const void *p, size_t n, char *err, size_t errlen)
{
	struct got *g = arg;

	(void)err;
	(void)errlen;
	assert_true(g->len + n < sizeof(g->data));
	memcpy(g->data + g->len, p, n);
	g->len += n;
	return 0;
}

static int
g_end(void *arg, const struct bkf_entry *e, char *err, size_t errlen)
{
	struct got *g = arg;

	(void)e;
	(void)err;
	(void)errlen;
	g->ends++;
	return 0;
}

static void
a_good_backup_reads_back_exactly(void **state)
{
	struct blob b;
	struct got g;
	struct bkf_sink sink = { &g, NULL, NULL, g_data, g_end };
	struct bkf_manifest m;
	char err[256];

	(void)state;
	memset(&g, 0, sizeof(g));
	make(paths, contents, 3, &b);
	assert_int_equal(bkf_read_mem(b.p, b.len, &sink, &m, err, sizeof(err)), 0);
	assert_int_equal(m.n, 3);
	assert_string_equal(m.entries[1].path, "files/a.txt");
	assert_int_equal(m.entries[1].size, 13);
	assert_int_equal(g.ends, 3);
	assert_int_equal(g.len, strlen(contents[0]) + strlen(contents[1]));
	assert_memory_equal(g.data, "SQLite format 3 (pretend)hello, world\n", g.len);
	bkf_manifest_free(&m);
	free(b.p);
}

static void
every_truncation_is_refused(void **state)
{
	struct blob b;
	char err[256];

	(void)state;
	make(paths, contents, 3, &b);
	for (size_t n = 0; n < b.len; n++) {
		err[0] = '\0';
		assert_int_equal(bkf_read_mem(b.p, n, NULL, NULL, err, sizeof(err)), -1);
		assert_true(err[0] != '\0');
	}
	free(b.p);
}

/* The decompressed stream of a backup, and back. */
static void
raw_of(const struct blob *z, struct blob *raw)
{
	unsigned long long n = ZSTD_getFrameContentSize(z->p, z->len);

	if (n == ZSTD_CONTENTSIZE_UNKNOWN || n == ZSTD_CONTENTSIZE_ERROR)
		n = 1 << 20;
	raw->p = malloc((size_t)n);
	raw->len = ZSTD_decompress(raw->p, (size_t)n, z->p, z->len);
	assert_false(ZSTD_isError(raw->len));
}

static int
read_raw(const unsigned char *p, size_t len, char *err, size_t errlen)
{
	size_t cap = ZSTD_compressBound(len);
	unsigned char *z = malloc(cap);
	size_t zlen = ZSTD_compress(z, cap, p, len, 1);
	int rc;

	assert_false(ZSTD_isError(zlen));
	err[0] = '\0';
	rc = bkf_read_mem(z, zlen, NULL, NULL, err, errlen);
	free(z);
	return rc;
}

static void
every_changed_byte_of_the_content_is_refused(void **state)
{
	struct blob b, raw;
	char err[256];

	(void)state;
	make(paths, contents, 3, &b);
	raw_of(&b, &raw);
	assert_int_equal(read_raw(raw.p, raw.len, err, sizeof(err)), 0);
	for (size_t i = 0; i < raw.len; i++) {
		raw.p[i] ^= 0x20;
		if (read_raw(raw.p, raw.len, err, sizeof(err)) == 0)
			fail_msg("a change at byte %zu of %zu went unnoticed", i,
			    raw.len);
		assert_true(err[0] != '\0');
		raw.p[i] ^= 0x20;
	}
	free(raw.p);
	free(b.p);
}

static void
bytes_after_the_end_are_refused(void **state)
{
	struct blob b, raw;
	unsigned char *two;
	char err[256];

	(void)state;
	make(paths, contents, 3, &b);
	raw_of(&b, &raw);
	raw.p = realloc(raw.p, raw.len + 1);
	raw.p[raw.len] = 0;
	assert_int_equal(read_raw(raw.p, raw.len + 1, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "follows the end"));
	/* Two backups joined: the second frame is extra data. */
	two = malloc(2 * b.len);
	memcpy(two, b.p, b.len);
	memcpy(two + b.len, b.p, b.len);
	assert_int_equal(bkf_read_mem(two, 2 * b.len, NULL, NULL, err,
	    sizeof(err)), -1);
	free(two);
	free(raw.p);
	free(b.p);
}

/* A raw stream: header with the given format and manifest, then tail. */
static int
read_crafted(uint32_t format, uint32_t mlen, const char *manifest,
    const void *tail, size_t tlen, char *err, size_t errlen)
{
	unsigned char buf[4096];
	size_t n = 0, ml = strlen(manifest);

	memcpy(buf, "CRMBAK\r\n", 8);
	n = 8;
	for (int k = 3; k >= 0; k--)
		buf[n++] = (unsigned char)(format >> (8 * k));
	for (int k = 3; k >= 0; k--)
		buf[n++] = (unsigned char)(mlen >> (8 * k));
	memcpy(buf + n, manifest, ml);
	n += ml;
	memcpy(buf + n, tail, tlen);
	n += tlen;
	return read_raw(buf, n, err, errlen);
}

#define MAN_HEAD "{\"format\":1,\"crm_version\":\"x\",\"created_at\":\"t\"," \
    "\"dialect\":\"sqlite\",\"schema_version\":1,\"entries\":["
#define H64 "0000000000000000000000000000000000000000000000000000000000000000"
#define ENT(p) "{\"path\":\"" p "\",\"size\":0,\"blake2b\":\"" H64 "\"}"

static void
check_manifest(const char *man, const char *why)
{
	char err[512];

	assert_int_equal(read_crafted(1, (uint32_t)strlen(man), man, "", 0, err,
	    sizeof(err)), -1);
	if (strstr(err, why) == NULL)
		fail_msg("%s: expected \"%s\", got \"%s\"", man, why, err);
}

static void
malformed_headers_and_manifests_are_refused(void **state)
{
	char err[512];
	unsigned char junk[64];

	(void)state;
	memset(junk, 'x', sizeof(junk));
	assert_int_equal(read_raw(junk, sizeof(junk), err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not a crm backup"));
	assert_int_equal(read_crafted(2, 2, "{}", "", 0, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "format 2"));
	assert_int_equal(read_crafted(1, 0, "", "", 0, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "out of bounds"));
	assert_int_equal(read_crafted(1, 0xffffffffu, "{}", "", 0, err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "out of bounds"));
	/* A length longer than what follows: truncated, not a huge allocation. */
	assert_int_equal(read_crafted(1, 60000000u, "{}", "", 0, err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "truncated"));
	check_manifest("[1,2]", "not a JSON object");
	check_manifest("{\"format\":1,\"format\":1}", "not a JSON object");
	check_manifest("{\"format\":2}", "format must be 1");
	check_manifest(MAN_HEAD "]}", "entries must list");
	check_manifest(MAN_HEAD ENT("files/a") "]}", "database.sqlite first");
	check_manifest(MAN_HEAD ENT("database.sqlite") "," ENT("other/a") "]}",
	    "paths under files/");
	check_manifest(MAN_HEAD ENT("database.sqlite") "," ENT("files/../a") "]}",
	    "unsafe path");
	check_manifest(MAN_HEAD ENT("database.sqlite") "," ENT("files/b") ","
	    ENT("files/a") "]}", "out of order");
	check_manifest(MAN_HEAD ENT("database.sqlite") "," ENT("files/a") ","
	    ENT("files/a/b") "]}", "both a file and a folder");
	check_manifest(MAN_HEAD "{\"path\":\"database.sqlite\",\"size\":-1,"
	    "\"blake2b\":\"" H64 "\"}]}", "impossible size");
	check_manifest(MAN_HEAD "{\"path\":\"database.sqlite\",\"size\":0,"
	    "\"blake2b\":\"zz\"}]}", "64 hex digits");
	check_manifest(MAN_HEAD "{\"path\":\"database.sqlite\",\"size\":0,"
	    "\"blake2b\":\"" H64 "\",\"x\":1}, 5]}", "needs path, size");
}

static void
paths_must_stay_inside_their_folder(void **state)
{
	static const char *const bad[] = { "", "/etc/passwd", "..", "files/..",
	    "files/../x", "files/./x", "files//x", "files/x/", "files\\x",
	    "files/\x01", "./files" };
	static const char *const good[] = { "database.sqlite", "files/a",
	    "files/a b/ü東京.pdf", "files/.hidden", "files/..x", "files/x.." };
	char why[128];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++)
		if (bkf_path_ok(bad[i], strlen(bad[i]), why, sizeof(why)))
			fail_msg("\"%s\" was accepted", bad[i]);
	assert_false(bkf_path_ok("files/a\0b", 9, why, sizeof(why)));
	for (size_t i = 0; i < sizeof(good) / sizeof(*good); i++)
		if (!bkf_path_ok(good[i], strlen(good[i]), why, sizeof(why)))
			fail_msg("\"%s\" was refused: %s", good[i], why);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_good_backup_reads_back_exactly),
		cmocka_unit_test(every_truncation_is_refused),
		cmocka_unit_test(every_changed_byte_of_the_content_is_refused),
		cmocka_unit_test(bytes_after_the_end_are_refused),
		cmocka_unit_test(malformed_headers_and_manifests_are_refused),
		cmocka_unit_test(paths_must_stay_inside_their_folder),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
