/*
 * Documents (core/documents.c) and the multipart parser (util/multipart.c):
 * what a file is taken for, what its name becomes, how it is stored, and
 * how a form is cut into parts whatever the chunks it arrives in.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <dirent.h>
#include <ftw.h>
#include <sodium.h>
#include <sys/mman.h>
#include <unistd.h>

#include "core/core.h"
#include "core/documents.h"
#include "core/record.h"
#include "store/db.h"
#include "util/buf.h"
#include "util/multipart.h"

static db_t *db;
static struct core_ctx cx;
static char dir[64];
static struct doc_store store;

/* ---- sniffing ---- */

/* The type doc_sniff gives n bytes at p; why set when it refuses. */
static const char *
sniff(const void *p, size_t n, const char **why)
{
	int fd = memfd_create("sniff", 0);
	const char *m;

	assert_true(fd >= 0);
	assert_int_equal(write(fd, p, n), (ssize_t)n);
	m = doc_sniff(fd, p, n < DOC_SNIFF_HEAD ? n : DOC_SNIFF_HEAD, (int64_t)n,
	    why);
	close(fd);
	return m;
}

#define SNIFF(lit, why) sniff(lit, sizeof(lit) - 1, why)

static void
images_pdf_and_text_are_told_by_their_bytes(void **state)
{
	const char *why;

	(void)state;
	assert_string_equal(SNIFF("%PDF-1.4\n...", &why), "application/pdf");
	assert_string_equal(SNIFF("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", &why), "image/png");
	assert_string_equal(SNIFF("\xff\xd8\xff\xe0\0\x10JFIF", &why), "image/jpeg");
	assert_string_equal(SNIFF("GIF89a\1\0\1\0", &why), "image/gif");
	assert_string_equal(SNIFF("RIFF\x24\0\0\0WEBPVP8 ", &why), "image/webp");
	/* Call recordings. */
	assert_string_equal(SNIFF("RIFF\x24\0\0\0WAVEfmt ", &why), "audio/wav");
	assert_string_equal(SNIFF("ID3\4\0\0\0\0\0\x17", &why), "audio/mpeg");
	assert_string_equal(SNIFF("\xff\xfb\x90\x64\0\0\0\0", &why), "audio/mpeg");
	assert_string_equal(SNIFF("OggS\0\2\0\0\0\0\0\0", &why), "audio/ogg");
	assert_string_equal(SNIFF("\0\0\0\x20" "ftypM4A \0\0\0\0", &why), "audio/mp4");
	assert_string_equal(SNIFF("name;amount\nÄpfel;12\n", &why), "text/plain");
	assert_string_equal(SNIFF("\xef\xbb\xbf" "BOM text\r\n", &why), "text/plain");
	assert_null(sniff("", 0, &why));
	assert_string_equal(why, "the file is empty");
}

static void
executables_markup_and_junk_are_refused(void **state)
{
	const char *why;

	(void)state;
	assert_null(SNIFF("MZ\x90\0\3\0\0\0", &why));
	assert_non_null(strstr(why, "executable"));
	assert_null(SNIFF("\x7f" "ELF\2\1\1", &why));
	assert_null(SNIFF("\xcf\xfa\xed\xfe\7\0\0\1", &why));
	assert_null(SNIFF("#!/bin/sh\nrm -rf /\n", &why));
	assert_null(SNIFF("  <!DOCTYPE html><script>", &why));
	assert_non_null(strstr(why, "HTML"));
	assert_null(SNIFF("\xef\xbb\xbf<svg onload=alert(1)>", &why));
	assert_null(SNIFF("text with a \0 NUL", &why));
	assert_null(SNIFF("bad \xc3\x28 utf-8", &why));
	assert_null(SNIFF("a bell \a in text", &why));
	assert_null(SNIFF("cut short \xe2\x82", &why));
}

/* A sequence cut by the 64 KiB read is joined, not refused. */
static void
text_is_checked_across_read_chunks(void **state)
{
	size_t n = 64 * 1024 * 2 + 10;
	char *t = malloc(n);
	const char *why;

	(void)state;
	memset(t, 'a', n);
	memcpy(t + 64 * 1024 - 1, "\xe2\x82\xac", 3);	/* the euro sign on the edge */
	assert_string_equal(sniff(t, n, &why), "text/plain");
	t[64 * 1024 + 5] = '\0';
	assert_null(sniff(t, n, &why));
	free(t);
}

/* A zip: a local header (first entry name), central entries, the end record. */
static size_t
zip(unsigned char *out, const char *first, const char *data,
    const char *const *names, size_t nnames)
{
	size_t at = 0, cd, fl = strlen(first), dl = data ? strlen(data) : 0;

	memset(out, 0, 4096);
	memcpy(out, "PK\3\4", 4);
	out[18] = (unsigned char)dl;	/* compressed size; method 0: stored */
	out[26] = (unsigned char)fl;
	memcpy(out + 30, first, fl);
	if (data)
		memcpy(out + 30 + fl, data, dl);
	at = 30 + fl + dl;
	cd = at;
	for (size_t i = 0; i < nnames; i++) {
		size_t nl = strlen(names[i]);

		memcpy(out + at, "PK\1\2", 4);
		out[at + 28] = (unsigned char)nl;
		memcpy(out + at + 46, names[i], nl);
		at += 46 + nl;
	}
	memcpy(out + at, "PK\5\6", 4);
	out[at + 10] = (unsigned char)nnames;
	out[at + 12] = (unsigned char)((at - cd) & 0xff);
	out[at + 13] = (unsigned char)((at - cd) >> 8);
	out[at + 16] = (unsigned char)(cd & 0xff);
	out[at + 17] = (unsigned char)(cd >> 8);
	return at + 22;
}

static void
office_files_are_zips_of_a_known_shape(void **state)
{
	static const char *const docx[] = { "[Content_Types].xml", "_rels/.rels",
		"word/document.xml" };
	static const char *const xlsx[] = { "[Content_Types].xml", "xl/workbook.xml" };
	static const char *const plain[] = { "readme.txt", "evil.exe" };
	static const char *const both[] = { "[Content_Types].xml", "word/a.xml",
		"xl/b.xml" };
	unsigned char z[4096];
	const char *why;
	size_t n;

	(void)state;
	n = zip(z, "[Content_Types].xml", NULL, docx, 3);
	assert_non_null(strstr(sniff(z, n, &why), "wordprocessingml"));
	n = zip(z, "[Content_Types].xml", NULL, xlsx, 2);
	assert_non_null(strstr(sniff(z, n, &why), "spreadsheetml"));
	n = zip(z, "mimetype", "application/vnd.oasis.opendocument.text", plain, 0);
	assert_string_equal(sniff(z, n, &why), "application/vnd.oasis.opendocument.text");
	n = zip(z, "mimetype", "application/x-evil", plain, 0);
	assert_null(sniff(z, n, &why));
	n = zip(z, "readme.txt", NULL, plain, 2);
	assert_null(sniff(z, n, &why));
	assert_non_null(strstr(why, "zip"));
	n = zip(z, "[Content_Types].xml", NULL, both, 3);
	assert_null(sniff(z, n, &why));
}

/* ---- names and claims ---- */

static void
name_is(const char *raw, const char *want)
{
	char out[DOC_NAME_MAX * 4 + 1];

	assert_int_equal(doc_name_clean(raw, out, sizeof(out)), 0);
	assert_string_equal(out, want);
}

static void
names_lose_paths_controls_and_leading_dots(void **state)
{
	char out[DOC_NAME_MAX * 4 + 1], raw[2000];

	(void)state;
	name_is("Offer 2027.pdf", "Offer 2027.pdf");
	name_is("../../etc/passwd", "passwd");
	name_is("a/b", "b");
	name_is("C:\\Users\\me\\scan.pdf", "scan.pdf");
	name_is("..", "");
	name_is("...hidden.txt", "hidden.txt");
	name_is(" .x.txt", "x.txt");
	name_is("dots at the end...", "dots at the end");
	name_is("tab\tand\x7f" "del\xc2\x85.txt", "tabanddel.txt");
	/* RIGHT-TO-LEFT OVERRIDE would show "invoiceexe.pdf". */
	name_is("invoice\xe2\x80\xae" "fdp.exe", "invoicefdp.exe");
	name_is("Договор №5.pdf", "Договор №5.pdf");
	assert_int_equal(doc_name_clean("bad \xc3\x28", out, sizeof(out)), -1);
	assert_int_equal(doc_name_clean("overlong \xc0\xaf", out, sizeof(out)), -1);
	/* Long: 200 characters, the extension kept, cut on a character. */
	raw[0] = '\0';
	for (int i = 0; i < 300; i++)
		strcat(raw, "ж");
	strcat(raw, ".docx");
	assert_int_equal(doc_name_clean(raw, out, sizeof(out)), 0);
	assert_int_equal(strlen(out), 195 * 2 + 5);
	assert_string_equal(out + 195 * 2, ".docx");
}

static void
claims_must_agree_with_the_bytes(void **state)
{
	(void)state;
	assert_null(doc_claim_check("a.pdf", "application/pdf", "application/pdf"));
	assert_null(doc_claim_check("a.PDF", NULL, "application/pdf"));
	assert_null(doc_claim_check("contract", "", "application/pdf"));
	assert_null(doc_claim_check("a.pdf", "application/octet-stream",
	    "application/pdf"));
	assert_null(doc_claim_check("prices.csv", "application/vnd.ms-excel",
	    "text/plain"));
	assert_null(doc_claim_check("p.jpeg", "image/jpg", "image/jpeg"));
	assert_non_null(doc_claim_check("cat.png", NULL, "text/plain"));
	assert_non_null(doc_claim_check("a.pdf", NULL, "image/png"));
	assert_non_null(doc_claim_check("a", "image/png", "application/pdf"));
	assert_non_null(doc_claim_check("a.txt", "text/html", "text/plain"));
	assert_non_null(doc_claim_check("setup.exe", NULL, "application/pdf"));
	assert_non_null(doc_claim_check("page.html", NULL, "text/plain"));
}

/* ---- storage ---- */

/* Regular files under path, in every folder below it. */
static int
count_files(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *de;
	int n = 0;

	assert_non_null(d);
	while ((de = readdir(d)) != NULL) {
		char sub[DOC_PATH_MAX];

		if (de->d_name[0] == '.' && (de->d_name[1] == '\0' ||
		    (de->d_name[1] == '.' && de->d_name[2] == '\0')))
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", path, de->d_name);
		if (de->d_type == DT_DIR)
			n += count_files(sub);
		else
			n++;
	}
	closedir(d);
	return n;
}

static int
files_in_store(void)
{
	return count_files(dir);
}

static int64_t
company(void)
{
	json_t *in = json_pack("{s:s}", "name", "Files Ltd"), *out = NULL;
	int64_t id;

	core_ctx_init(&cx, db, NULL);
	assert_int_equal(rec_create(&cx, &entity_companies, in, &out), CRM_OK);
	id = json_integer_value(json_object_get(out, "id"));
	json_decref(in);
	json_decref(out);
	return id;
}

/* Attaches bytes as name to company id; the core's answer. */
static int
attach(int64_t id, const char *bytes, size_t n, const char *name, json_t **out)
{
	struct doc_blob b;
	int rc;

	core_ctx_init(&cx, db, NULL);
	assert_int_equal(doc_blob_begin(&store, &b), 0);
	/* In pieces, as the parser hands them over. */
	for (size_t at = 0; at < n; at += 7) {
		rc = doc_blob_write(&b, bytes + at, n - at < 7 ? n - at : 7);
		if (rc != 0) {
			doc_blob_abort(&b);
			return rc;
		}
	}
	rc = doc_attach(&cx, &store, &entity_companies, id, &b, name, NULL, out);
	doc_blob_abort(&b);
	return rc;
}

static void
same_content_is_stored_once_and_nothing_else_is_left(void **state)
{
	static const char pdf[] = "%PDF-1.7 the same offer twice";
	char path[DOC_PATH_MAX];
	json_t *a = NULL, *b = NULL, *list = NULL;
	int64_t id = company();
	int before = files_in_store();

	(void)state;
	assert_int_equal(attach(id, pdf, sizeof(pdf) - 1, "a.pdf", &a), CRM_OK);
	assert_int_equal(attach(id, pdf, sizeof(pdf) - 1, "b.pdf", &b), CRM_OK);
	assert_string_equal(json_string_value(json_object_get(a, "sha256")),
	    json_string_value(json_object_get(b, "sha256")));
	assert_true(json_integer_value(json_object_get(a, "id")) !=
	    json_integer_value(json_object_get(b, "id")));
	assert_int_equal(files_in_store(), before + 1);
	assert_true(doc_blob_path(&store, json_string_value(json_object_get(a,
	    "sha256")), path, sizeof(path)));
	assert_int_equal(access(path, R_OK), 0);
	assert_int_equal(doc_list(&cx, &entity_companies, id, false, &list), CRM_OK);
	assert_int_equal(json_array_size(json_object_get(list, "data")), 2);
	json_decref(a);
	json_decref(b);
	json_decref(list);
}

static void
refused_files_leave_no_blob_and_no_row(void **state)
{
	static const char exe[] = "MZ this is not a pdf";
	char big[4096];
	json_t *out = NULL, *list = NULL;
	int64_t id = company();
	int before = files_in_store();

	(void)state;
	assert_int_equal(attach(id, exe, sizeof(exe) - 1, "invoice.pdf", &out),
	    CRM_EINVAL);
	assert_string_equal(cx.errs.items[0].field, "file");
	memset(big, 'x', sizeof(big));
	assert_int_equal(attach(id, big, sizeof(big), "big.txt", &out), DOC_ETOOBIG);
	assert_int_equal(attach(id, "%PDF-1", 6, "x\xff.pdf", &out), CRM_EINVAL);
	assert_string_equal(cx.errs.items[0].field, "name");
	assert_int_equal(attach(999999, "%PDF-1", 6, "x.pdf", &out), CRM_ENOTFOUND);
	assert_int_equal(files_in_store(), before);
	assert_int_equal(doc_list(&cx, &entity_companies, id, false, &list), CRM_OK);
	assert_int_equal(json_array_size(json_object_get(list, "data")), 0);
	json_decref(list);
}

static void
deleted_documents_leave_the_list_and_keep_their_bytes(void **state)
{
	json_t *d = NULL, *got = NULL;
	int64_t id = company(), did;
	int before;

	(void)state;
	assert_int_equal(attach(id, "%PDF-1 kept", 11, "k.pdf", &d), CRM_OK);
	did = json_integer_value(json_object_get(d, "id"));
	before = files_in_store();
	assert_int_equal(doc_delete(&cx, did), CRM_OK);
	assert_int_equal(doc_get(&cx, did, &got), CRM_ENOTFOUND);
	assert_int_equal(doc_delete(&cx, did), CRM_ENOTFOUND);
	assert_int_equal(files_in_store(), before);
	/* Back from the trash, once; the same bytes still there. */
	assert_int_equal(doc_restore(&cx, &store, did, &got), CRM_OK);
	assert_int_equal(json_integer_value(json_object_get(got, "id")), did);
	json_decref(got);
	got = NULL;
	assert_int_equal(doc_restore(&cx, &store, did, &got), CRM_ENOTFOUND);
	assert_null(got);
	assert_int_equal(doc_get(&cx, did, &got), CRM_OK);
	json_decref(got);
	assert_int_equal(files_in_store(), before);
	json_decref(d);
}

/* ---- the multipart parser ---- */

struct seen {
	int		 parts;
	struct mp_part	 last;
	struct buf	 data;
	int		 ends;
};

static int
s_begin(void *arg, const struct mp_part *p)
{
	struct seen *s = arg;

	s->parts++;
	s->last = *p;
	return 0;
}

static int
s_data(void *arg, const char *p, size_t n)
{
	return buf_append(&((struct seen *)arg)->data, p, n);
}

static int
s_end(void *arg)
{
	((struct seen *)arg)->ends++;
	return 0;
}

static const struct mp_callbacks scb = { s_begin, s_data, s_end };

/* Parses body fed in chunks of step bytes; the outcome, what was seen in s. */
static int
parse(const char *body, size_t n, size_t step, struct seen *s)
{
	struct mp_parser p;
	int rc = MP_OK;

	memset(s, 0, sizeof(*s));
	buf_init(&s->data, 1 << 20);
	assert_int_equal(mp_init(&p, "XyZ", &scb, s), MP_OK);
	for (size_t at = 0; rc == MP_OK && at < n; at += step)
		rc = mp_feed(&p, body + at, n - at < step ? n - at : step);
	return rc == MP_OK ? mp_finish(&p) : rc;
}

#define FORM(head, data) "--XyZ\r\nContent-Disposition: form-data; " head \
	"\r\n\r\n" data "\r\n--XyZ--\r\n"

static void
parts_are_the_same_whatever_the_chunks(void **state)
{
	static const char body[] = FORM("name=\"file\"; filename=\"a.pdf\"",
	    "%PDF\r\n--XyNot\r\n--Xy\r\r\n-- data\r");
	static const char want[] = "%PDF\r\n--XyNot\r\n--Xy\r\r\n-- data\r";
	struct seen s;

	(void)state;
	for (size_t step = 1; step <= sizeof(body); step++) {
		assert_int_equal(parse(body, sizeof(body) - 1, step, &s), MP_OK);
		assert_int_equal(s.parts, 1);
		assert_int_equal(s.ends, 1);
		assert_string_equal(s.last.name, "file");
		assert_string_equal(s.last.filename, "a.pdf");
		assert_int_equal(s.data.len, sizeof(want) - 1);
		assert_memory_equal(s.data.data, want, sizeof(want) - 1);
		assert_memory_equal(body + s.last.offset, s.data.data, s.data.len);
		buf_free(&s.data);
	}
}

static void
headers_are_strict_and_bounded(void **state)
{
	char big[2200];
	struct seen s;

	(void)state;
#define REFUSED(lit, err) do { \
	assert_int_equal(parse(lit, sizeof(lit) - 1, 5, &s), err); \
	buf_free(&s.data); } while (0)
	REFUSED("--XyZ\nContent-Disposition: form-data; name=\"f\"\n\nx\n--XyZ--\n",
	    MP_ESYNTAX);
	REFUSED("--XyZ\r\nContent-Disposition: form-data; name=\"f\"\r\n folded\r\n"
	    "\r\nx\r\n--XyZ--\r\n", MP_ESYNTAX);
	REFUSED(FORM("name=\"f\"\r\nContent-Type: multipart/mixed; boundary=q", "x"),
	    MP_EUNSUPPORTED);
	REFUSED(FORM("name=\"f\"\r\nContent-Transfer-Encoding: base64", "eA=="),
	    MP_EUNSUPPORTED);
	REFUSED(FORM("filename=\"no-name.txt\"", "x"), MP_ESYNTAX);
	REFUSED(FORM("name=\"a\"; name=\"b\"", "x"), MP_ESYNTAX);
	REFUSED(FORM("name=\"f\"; filename*=UTF-8''a%00b", "x"), MP_ESYNTAX);
	REFUSED("preamble\r\n--XyZ\r\n", MP_ESYNTAX);
	REFUSED(FORM("name=\"f\"", "never closed") "tail" "--XyZ", MP_OK);
	REFUSED("--XyZ\r\nContent-Disposition: form-data; name=\"f\"\r\n\r\nabc",
	    MP_ETRUNCATED);
	memset(big, 'a', sizeof(big));
	memcpy(big, "--XyZ\r\nX-Long: ", 15);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(parse(big, strlen(big), 100, &s), MP_ELIMIT);
	buf_free(&s.data);
	/* RFC 5987 wins over the plain name; quotes and backslashes as curl sends. */
	assert_int_equal(parse(FORM("name=\"file\"; filename=\"x.pdf\"; "
	    "filename*=UTF-8''%D0%94.pdf", "z"), sizeof(FORM("name=\"file\"; "
	    "filename=\"x.pdf\"; filename*=UTF-8''%D0%94.pdf", "z")) - 1, 3, &s),
	    MP_OK);
	assert_string_equal(s.last.filename, "\xd0\x94.pdf");
	buf_free(&s.data);
	assert_int_equal(parse(FORM("name=\"file\"; filename=\"a\\\"b\\\\c\"", "z"),
	    sizeof(FORM("name=\"file\"; filename=\"a\\\"b\\\\c\"", "z")) - 1, 64, &s),
	    MP_OK);
	assert_string_equal(s.last.filename, "a\"b\\c");
	buf_free(&s.data);
#undef REFUSED
}

static void
boundaries_come_from_the_content_type(void **state)
{
	char b[MP_BOUNDARY_MAX + 1];

	(void)state;
	assert_int_equal(mp_boundary("multipart/form-data; boundary=abc", b,
	    sizeof(b)), MP_OK);
	assert_string_equal(b, "abc");
	assert_int_equal(mp_boundary("Multipart/Form-Data; charset=x; "
	    "boundary=\"a b:c\"", b, sizeof(b)), MP_OK);
	assert_string_equal(b, "a b:c");
	assert_int_equal(mp_boundary("multipart/form-data", b, sizeof(b)),
	    MP_ESYNTAX);
	assert_int_equal(mp_boundary("multipart/form-data; boundary=", b,
	    sizeof(b)), MP_ESYNTAX);
	assert_int_equal(mp_boundary("multipart/mixed; boundary=abc", b,
	    sizeof(b)), MP_ESYNTAX);
	assert_int_equal(mp_boundary("multipart/form-data; boundary=a\rb", b,
	    sizeof(b)), MP_ESYNTAX);
	assert_int_equal(mp_boundary("multipart/form-data; boundary=\"trailing \"",
	    b, sizeof(b)), MP_ESYNTAX);
}

static int
group_setup(void **state)
{
	char err[512];

	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/crm-docs-XXXXXX");
	if (sodium_init() < 0 || mkdtemp(dir) == NULL ||
	    core_open_db(":memory:", &db, err, sizeof(err)) != CRM_OK ||
	    doc_store_open(&store, dir, 1024, 100, true, err, sizeof(err)) != 0) {
		fprintf(stderr, "setup: %s\n", err);
		return -1;
	}
	return 0;
}

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *f)
{
	(void)st;
	(void)f;
	return flag == FTW_DP ? rmdir(path) : unlink(path);
}

static int
group_teardown(void **state)
{
	(void)state;
	db_close(db);
	nftw(dir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(images_pdf_and_text_are_told_by_their_bytes),
		cmocka_unit_test(executables_markup_and_junk_are_refused),
		cmocka_unit_test(text_is_checked_across_read_chunks),
		cmocka_unit_test(office_files_are_zips_of_a_known_shape),
		cmocka_unit_test(names_lose_paths_controls_and_leading_dots),
		cmocka_unit_test(claims_must_agree_with_the_bytes),
		cmocka_unit_test(same_content_is_stored_once_and_nothing_else_is_left),
		cmocka_unit_test(refused_files_leave_no_blob_and_no_row),
		cmocka_unit_test(deleted_documents_leave_the_list_and_keep_their_bytes),
		cmocka_unit_test(parts_are_the_same_whatever_the_chunks),
		cmocka_unit_test(headers_are_strict_and_bounded),
		cmocka_unit_test(boundaries_come_from_the_content_type),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
