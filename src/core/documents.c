/*
 * Documents (see documents.h): the blob store, the type and name checks,
 * and the documents table.
 */
#include "core/documents.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/access.h"
#include "core/activities.h"
#include "core/audit.h"
#include "util/alloc.h"
#include "util/fsutil.h"
#include "util/log.h"
#include "util/text.h"
#include "util/timeutil.h"

#define READ_CHUNK (64 * 1024)
#define ZIP_EOCD_MAX (65535 + 22)	/* end record plus the longest comment */
#define ZIP_CD_MAX (4 * 1024 * 1024)	/* central directory read at most */

/* ---- the store ---- */

int
doc_store_open(struct doc_store *s, const char *dir, int64_t max_bytes,
    int max_per_record, bool create, char *err, size_t errlen)
{
	memset(s, 0, sizeof(*s));
	if ((size_t)snprintf(s->dir, sizeof(s->dir), "%s", dir) >= sizeof(s->dir)) {
		snprintf(err, errlen, "%s: the path is too long", dir);
		return -1;
	}
	if (create && (!fs_mkdirs(s->dir) || access(s->dir, W_OK | X_OK) != 0)) {
		snprintf(err, errlen, "%s: cannot create or write the documents "
		    "folder: %s (create it and let the server's user write to it)",
		    s->dir, strerror(errno));
		return -1;
	}
	s->max_bytes = max_bytes;
	s->max_per_record = max_per_record;
	return 0;
}

bool
doc_blob_path(const struct doc_store *s, const char *hash, char *out,
    size_t cap)
{
	return strlen(hash) == DOC_HASH_HEX &&
	    (size_t)snprintf(out, cap, "%s/%.2s/%.2s/%s", s->dir, hash, hash + 2,
	    hash) < cap;
}

int
doc_blob_begin(const struct doc_store *s, struct doc_blob *b)
{
	memset(b, 0, sizeof(*b));
	b->store = s;
	crypto_hash_sha256_init(&b->sha);
	b->fd = open(s->dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (b->fd >= 0)
		return 0;
	/* Some file systems have no unnamed files: a named one, removed on abort. */
	if ((size_t)snprintf(b->tmp, sizeof(b->tmp), "%s/.upload-XXXXXX",
	    s->dir) >= sizeof(b->tmp)) {
		b->tmp[0] = '\0';
		b->err = ENAMETOOLONG;
		return DOC_EIO;
	}
	b->fd = mkostemp(b->tmp, O_CLOEXEC);
	if (b->fd < 0) {
		b->err = errno;
		b->tmp[0] = '\0';
		return DOC_EIO;
	}
	return 0;
}

int
doc_blob_write(struct doc_blob *b, const void *p, size_t n)
{
	const char *c = p;

	if (b->fd < 0)
		return DOC_EIO;
	if ((int64_t)n > b->store->max_bytes - b->size)
		return DOC_ETOOBIG;
	if (b->headlen < sizeof(b->head)) {
		size_t k = sizeof(b->head) - b->headlen;

		if (k > n)
			k = n;
		memcpy(b->head + b->headlen, c, k);
		b->headlen += k;
	}
	crypto_hash_sha256_update(&b->sha, p, n);
	while (n > 0) {
		ssize_t w = write(b->fd, c, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			b->err = w < 0 ? errno : EIO;
			return DOC_EIO;
		}
		c += w;
		n -= (size_t)w;
		b->size += w;
	}
	return 0;
}

void
doc_blob_abort(struct doc_blob *b)
{
	if (b->fd >= 0)
		close(b->fd);
	b->fd = -1;
	if (b->tmp[0] != '\0')
		(void)unlink(b->tmp);
	b->tmp[0] = '\0';
}

/*
 * Gives the blob its hash name: fsync, the two fan-out folders, then a
 * link that fails with EEXIST when the content is stored already (kept:
 * equal hash, equal bytes). 0, or DOC_EIO with b->err.
 */
int
doc_blob_commit(struct doc_blob *b)
{
	unsigned char sum[crypto_hash_sha256_BYTES];
	char path[DOC_PATH_MAX], dir[DOC_PATH_MAX], proc[64];
	int rc;

	crypto_hash_sha256_final(&b->sha, sum);
	sodium_bin2hex(b->hash, sizeof(b->hash), sum, sizeof(sum));
	if (!doc_blob_path(b->store, b->hash, path, sizeof(path)) ||
	    (size_t)snprintf(dir, sizeof(dir), "%s/%.2s/%.2s", b->store->dir,
	    b->hash, b->hash + 2) >= sizeof(dir)) {
		b->err = ENAMETOOLONG;
		return DOC_EIO;
	}
	if (fsync(b->fd) != 0 || !fs_mkdirs(dir)) {
		b->err = errno;
		return DOC_EIO;
	}
	if (b->tmp[0] != '\0') {
		rc = link(b->tmp, path);
	} else {
		snprintf(proc, sizeof(proc), "/proc/self/fd/%d", b->fd);
		rc = linkat(AT_FDCWD, proc, AT_FDCWD, path, AT_SYMLINK_FOLLOW);
	}
	if (rc != 0 && errno != EEXIST) {
		b->err = errno;
		return DOC_EIO;
	}
	if (fs_sync_dir(dir) != 0) {
		b->err = errno;
		return DOC_EIO;
	}
	b->committed = true;
	return 0;
}

/* ---- what the bytes are ---- */

static uint32_t
le16(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8;
}

static uint32_t
le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

/* Reads exactly n bytes at off; false on a short read or an error. */
static bool
read_at(int fd, void *buf, size_t n, int64_t off)
{
	char *p = buf;

	while (n > 0) {
		ssize_t r = pread(fd, p, n, (off_t)off);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return false;
		p += r;
		n -= (size_t)r;
		off += r;
	}
	return true;
}

static const char ODF_PREFIX[] = "application/vnd.oasis.opendocument.";

/* An OpenDocument file: its first entry is "mimetype", stored, naming the type. */
static const char *
sniff_odf(int fd, int64_t size)
{
	static const char *const types[] = {
		"application/vnd.oasis.opendocument.text",
		"application/vnd.oasis.opendocument.spreadsheet",
		"application/vnd.oasis.opendocument.presentation",
	};
	unsigned char h[30 + 8 + 64 + 64];
	uint32_t nlen, xlen, dlen;

	memset(h, 0, sizeof(h));
	if (size < 30 + 8 || !read_at(fd, h, size < (int64_t)sizeof(h) ?
	    (size_t)size : sizeof(h), 0))
		return NULL;
	nlen = le16(h + 26);
	xlen = le16(h + 28);
	dlen = le32(h + 18);	/* compressed size: stored, so the text's */
	if (nlen != 8 || memcmp(h + 30, "mimetype", 8) != 0 || le16(h + 8) != 0 ||
	    xlen > 64 || dlen > 64 || 38 + xlen + dlen > sizeof(h))
		return NULL;
	for (size_t i = 0; i < sizeof(types) / sizeof(*types); i++)
		if (strlen(types[i]) == dlen &&
		    memcmp(h + 38 + xlen, types[i], dlen) == 0)
			return types[i];
	return NULL;
}

/*
 * Office Open XML: a zip whose central directory names [Content_Types].xml
 * and the part folder of Word (word/), Excel (xl/) or PowerPoint (ppt/).
 */
static const char *
sniff_ooxml(int fd, int64_t size)
{
	unsigned char *tail = NULL, *cd = NULL;
	size_t tlen = size < ZIP_EOCD_MAX ? (size_t)size : ZIP_EOCD_MAX;
	uint32_t cdsize, cdoff, entries;
	bool types = false, word = false, xl = false, ppt = false;
	const char *mime = NULL;
	size_t i, at;

	if (size < 22)
		return NULL;
	tail = xmalloc(tlen);
	if (!read_at(fd, tail, tlen, size - (int64_t)tlen))
		goto out;
	for (i = tlen - 22 + 1; i-- > 0;)
		if (memcmp(tail + i, "PK\x05\x06", 4) == 0)
			break;
	if (i == (size_t)-1)
		goto out;
	entries = le16(tail + i + 10);
	cdsize = le32(tail + i + 12);
	cdoff = le32(tail + i + 16);
	if (cdsize == 0 || cdsize > ZIP_CD_MAX || (int64_t)cdoff + cdsize > size)
		goto out;
	cd = xmalloc(cdsize);
	if (!read_at(fd, cd, cdsize, cdoff))
		goto out;
	for (at = 0; entries-- > 0 && at + 46 <= cdsize;) {
		uint32_t nlen = le16(cd + at + 28), x = le16(cd + at + 30),
		    c = le16(cd + at + 32);
		const char *name = (const char *)cd + at + 46;

		if (memcmp(cd + at, "PK\x01\x02", 4) != 0 || at + 46 + nlen > cdsize)
			break;
		if (nlen == 19 && memcmp(name, "[Content_Types].xml", 19) == 0)
			types = true;
		else if (nlen > 5 && memcmp(name, "word/", 5) == 0)
			word = true;
		else if (nlen > 3 && memcmp(name, "xl/", 3) == 0)
			xl = true;
		else if (nlen > 4 && memcmp(name, "ppt/", 4) == 0)
			ppt = true;
		at += 46 + nlen + x + c;
	}
	if (types && word + xl + ppt == 1)
		mime = word ? "application/vnd.openxmlformats-officedocument."
		    "wordprocessingml.document" : xl ? "application/vnd."
		    "openxmlformats-officedocument.spreadsheetml.sheet" :
		    "application/vnd.openxmlformats-officedocument."
		    "presentationml.presentation";
out:
	free(tail);
	free(cd);
	return mime;
}

/* Length of the UTF-8 sequence a lead byte starts (0: not a lead byte). */
static size_t
utf8_seq_len(unsigned char c)
{
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		return 2;
	if (c >= 0xe0 && c <= 0xef)
		return 3;
	if (c >= 0xf0 && c <= 0xf4)
		return 4;
	return 0;
}

/*
 * Text: every byte valid UTF-8, no NUL and no control characters but tab,
 * line feed, form feed and carriage return. Read in chunks; a sequence cut
 * by a chunk's end is carried into the next.
 */
static bool
is_text(int fd, int64_t size)
{
	char *buf = xmalloc(READ_CHUNK + 4);
	size_t carry = 0;
	int64_t off = 0;
	bool ok = true;

	while (ok && off < size) {
		size_t want = size - off < READ_CHUNK ? (size_t)(size - off) :
		    READ_CHUNK, len, cut;

		if (!read_at(fd, buf + carry, want, off)) {
			ok = false;
			break;
		}
		off += (int64_t)want;
		len = carry + want;
		cut = len;
		/* A lead byte in the last three whose sequence runs past the end. */
		for (size_t k = 1; k <= 3 && k <= len; k++) {
			unsigned char c = (unsigned char)buf[len - k];

			if ((c & 0xc0) == 0x80)
				continue;
			if (utf8_seq_len(c) > k)
				cut = len - k;
			break;
		}
		if (off >= size)
			cut = len;	/* the end: nothing more can complete it */
		if (!text_utf8_valid(buf, cut))
			ok = false;
		for (size_t i = 0; ok && i < cut; i++) {
			unsigned char c = (unsigned char)buf[i];

			if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r' &&
			    c != '\f') || c == 0x7f)
				ok = false;
		}
		carry = len - cut;
		memmove(buf, buf + cut, carry);
	}
	free(buf);
	return ok && carry == 0;
}

const char *
doc_sniff(int fd, const unsigned char *h, size_t n, int64_t size,
    const char **why)
{
	size_t i = 0;

	*why = NULL;
	if (size == 0) {
		*why = "the file is empty";
		return NULL;
	}
	if (n >= 5 && memcmp(h, "%PDF-", 5) == 0)
		return "application/pdf";
	if (n >= 8 && memcmp(h, "\x89PNG\r\n\x1a\n", 8) == 0)
		return "image/png";
	if (n >= 3 && memcmp(h, "\xff\xd8\xff", 3) == 0)
		return "image/jpeg";
	if (n >= 6 && (memcmp(h, "GIF87a", 6) == 0 || memcmp(h, "GIF89a", 6) == 0))
		return "image/gif";
	if (n >= 12 && memcmp(h, "RIFF", 4) == 0 && memcmp(h + 8, "WEBP", 4) == 0)
		return "image/webp";
	/* Call recordings: WAV, MP3 (a tag, or a bare MPEG frame), Ogg, M4A. */
	if (n >= 12 && memcmp(h, "RIFF", 4) == 0 && memcmp(h + 8, "WAVE", 4) == 0)
		return "audio/wav";
	if ((n >= 3 && memcmp(h, "ID3", 3) == 0) ||
	    (n >= 2 && h[0] == 0xff && (h[1] & 0xe6) == 0xe2))
		return "audio/mpeg";
	if (n >= 4 && memcmp(h, "OggS", 4) == 0)
		return "audio/ogg";
	if (n >= 12 && memcmp(h + 4, "ftypM4A ", 8) == 0)
		return "audio/mp4";
	if (n >= 4 && memcmp(h, "PK\x03\x04", 4) == 0) {
		const char *m = sniff_odf(fd, size);

		if (m == NULL)
			m = sniff_ooxml(fd, size);
		if (m == NULL)
			*why = "zip archives are accepted only as Office (docx, xlsx, "
			    "pptx) or OpenDocument (odt, ods, odp) files";
		return m;
	}
	if ((n >= 2 && memcmp(h, "MZ", 2) == 0) ||
	    (n >= 4 && memcmp(h, "\x7f" "ELF", 4) == 0) ||
	    (n >= 4 && (memcmp(h, "\xfe\xed\xfa\xce", 4) == 0 ||
	    memcmp(h, "\xfe\xed\xfa\xcf", 4) == 0 ||
	    memcmp(h, "\xce\xfa\xed\xfe", 4) == 0 ||
	    memcmp(h, "\xcf\xfa\xed\xfe", 4) == 0 ||
	    memcmp(h, "\xca\xfe\xba\xbe", 4) == 0)) ||
	    (n >= 2 && memcmp(h, "#!", 2) == 0)) {
		*why = "executable programs and scripts are not accepted";
		return NULL;
	}
	if (!is_text(fd, size)) {
		*why = "the file's type is not one of those accepted (PDF, PNG, "
		    "JPEG, GIF, WebP, text, CSV, Office or OpenDocument files, "
		    "WAV, MP3, Ogg or M4A recordings)";
		return NULL;
	}
	/* Markup would be a page of this site if a browser ever rendered it. */
	if (n >= 3 && memcmp(h, "\xef\xbb\xbf", 3) == 0)
		i = 3;
	while (i < n && (h[i] == ' ' || h[i] == '\t' || h[i] == '\r' ||
	    h[i] == '\n' || h[i] == '\f'))
		i++;
	if (i < n && h[i] == '<') {
		*why = "HTML, SVG and XML files are not accepted";
		return NULL;
	}
	return "text/plain";
}

/* ---- names ---- */

/* Decodes one code point of valid UTF-8 at s; its length in *len. */
static uint32_t
utf8_decode(const unsigned char *s, size_t *len)
{
	size_t n = utf8_seq_len(s[0]);
	uint32_t cp = n == 1 ? s[0] : n == 2 ? (s[0] & 0x1fu) : n == 3 ?
	    (s[0] & 0x0fu) : (s[0] & 0x07u);

	for (size_t i = 1; i < n; i++)
		cp = cp << 6 | (s[i] & 0x3fu);
	*len = n;
	return cp;
}

/* Characters that must not reach a name: controls and bidi formatting. */
static bool
cp_dropped(uint32_t cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || cp == 0x061c ||
	    cp == 0x200e || cp == 0x200f || (cp >= 0x202a && cp <= 0x202e) ||
	    (cp >= 0x2066 && cp <= 0x2069) || cp == 0xfeff;
}

int
doc_name_clean(const char *raw, char *out, size_t cap)
{
	const char *base = raw, *ext;
	size_t n = strlen(raw), o = 0, chars = 0, extlen, keep;
	char *tmp;

	if (!text_utf8_valid(raw, n) || cap < 8)
		return -1;
	for (const char *p = raw; *p; p++)
		if (*p == '/' || *p == '\\')
			base = p + 1;
	tmp = xmalloc(n + 1);
	for (const unsigned char *p = (const unsigned char *)base; *p;) {
		size_t len;
		uint32_t cp = utf8_decode(p, &len);

		if (!cp_dropped(cp) && !(o == 0 && (cp == '.' || cp == ' '))) {
			memcpy(tmp + o, p, len);
			o += len;
		}
		p += len;
	}
	while (o > 0 && (tmp[o - 1] == '.' || tmp[o - 1] == ' '))
		o--;
	tmp[o] = '\0';
	chars = text_utf8_count(tmp, o);
	if (chars <= DOC_NAME_MAX && o < cap) {
		memcpy(out, tmp, o + 1);
		free(tmp);
		return 0;
	}
	/* Too long: cut the stem at a character boundary, keep a short extension. */
	ext = strrchr(tmp, '.');
	extlen = ext != NULL && strlen(ext) <= 16 ? strlen(ext) : 0;
	keep = 0;
	chars = 0;
	while (keep < o - extlen && chars < DOC_NAME_MAX - extlen &&
	    keep + utf8_seq_len((unsigned char)tmp[keep]) + extlen < cap) {
		keep += utf8_seq_len((unsigned char)tmp[keep]);
		chars++;
	}
	memcpy(out, tmp, keep);
	memcpy(out + keep, tmp + o - extlen, extlen);
	out[keep + extlen] = '\0';
	free(tmp);
	return 0;
}

/* The extensions and declared types each accepted type may carry. */
static const struct {
	const char	*mime;
	const char	*exts;		/* space-separated, with spaces around */
	const char	*declared;	/* likewise */
} kinds[] = {
	{ "application/pdf", " pdf ", " application/pdf " },
	{ "image/png", " png ", " image/png " },
	{ "image/jpeg", " jpg jpeg jpe jfif ", " image/jpeg image/jpg image/pjpeg " },
	{ "image/gif", " gif ", " image/gif " },
	{ "image/webp", " webp ", " image/webp " },
	{ "audio/wav", " wav ", " audio/wav audio/x-wav audio/wave "
	    "audio/vnd.wave " },
	{ "audio/mpeg", " mp3 ", " audio/mpeg audio/mp3 " },
	{ "audio/ogg", " ogg oga opus ", " audio/ogg audio/opus application/ogg " },
	{ "audio/mp4", " m4a ", " audio/mp4 audio/x-m4a audio/m4a " },
	{ "text/plain", " txt text csv tsv log md ", " text/plain text/csv "
	    "text/tab-separated-values text/markdown application/csv " },
	{ "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
	    " docx ", " application/vnd.openxmlformats-officedocument."
	    "wordprocessingml.document " },
	{ "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	    " xlsx ", " application/vnd.openxmlformats-officedocument."
	    "spreadsheetml.sheet " },
	{ "application/vnd.openxmlformats-officedocument.presentationml."
	    "presentation", " pptx ", " application/vnd.openxmlformats-"
	    "officedocument.presentationml.presentation " },
	{ "application/vnd.oasis.opendocument.text", " odt ",
	    " application/vnd.oasis.opendocument.text " },
	{ "application/vnd.oasis.opendocument.spreadsheet", " ods ",
	    " application/vnd.oasis.opendocument.spreadsheet " },
	{ "application/vnd.oasis.opendocument.presentation", " odp ",
	    " application/vnd.oasis.opendocument.presentation " },
};
#define NKINDS (sizeof(kinds) / sizeof(*kinds))

/* Whether " word " occurs in list (case-folded word of at most 100 bytes). */
static bool
in_list(const char *list, const char *word)
{
	char key[104];
	size_t n = strlen(word);

	if (n == 0 || n > 100)
		return false;
	key[0] = ' ';
	for (size_t i = 0; i < n; i++)
		key[i + 1] = (char)(word[i] >= 'A' && word[i] <= 'Z' ?
		    word[i] - 'A' + 'a' : word[i]);
	key[n + 1] = ' ';
	key[n + 2] = '\0';
	return strstr(list, key) != NULL;
}

/* Whether any accepted kind lists word in the given column. */
static bool
known(const char *word, bool ext)
{
	for (size_t i = 0; i < NKINDS; i++)
		if (in_list(ext ? kinds[i].exts : kinds[i].declared, word))
			return true;
	return false;
}

const char *
doc_claim_check(const char *name, const char *ctype, const char *mime)
{
	const char *dot = strrchr(name, '.');
	size_t k;

	for (k = 0; k < NKINDS; k++)
		if (strcmp(kinds[k].mime, mime) == 0)
			break;
	if (k == NKINDS)
		return "the file's type is not accepted";
	if (dot != NULL && dot[1] != '\0' && !in_list(kinds[k].exts, dot + 1))
		return known(dot + 1, true) ? "the file's contents do not match "
		    "its name's extension (a disguised file)" : "files with this "
		    "name's extension are not accepted";
	/* A declared type we know must be the right one; others mean nothing. */
	if (ctype != NULL && ctype[0] != '\0' && !in_list(kinds[k].declared, ctype)) {
		if (known(ctype, false) || strncasecmp(ctype, "image/", 6) == 0 ||
		    strcasecmp(ctype, "text/html") == 0)
			return "the file's contents do not match its declared "
			    "Content-Type (a disguised file)";
	}
	return NULL;
}

/* text/csv for text named .csv, so a download opens in a spreadsheet. */
static const char *
stored_mime(const char *mime, const char *name)
{
	const char *dot = strrchr(name, '.');

	if (strcmp(mime, "text/plain") == 0 && dot != NULL &&
	    strcasecmp(dot, ".csv") == 0)
		return "text/csv";
	return mime;
}

/* A name when the sender gave none (or nothing was left of it). */
static const char *
default_name(const char *mime)
{
	if (strcmp(mime, "application/pdf") == 0) return "document.pdf";
	if (strcmp(mime, "image/png") == 0) return "image.png";
	if (strcmp(mime, "image/jpeg") == 0) return "image.jpg";
	if (strcmp(mime, "image/gif") == 0) return "image.gif";
	if (strcmp(mime, "image/webp") == 0) return "image.webp";
	if (strcmp(mime, "audio/wav") == 0) return "recording.wav";
	if (strcmp(mime, "audio/mpeg") == 0) return "recording.mp3";
	if (strcmp(mime, "audio/ogg") == 0) return "recording.ogg";
	if (strcmp(mime, "audio/mp4") == 0) return "recording.m4a";
	if (strcmp(mime, "text/plain") == 0) return "document.txt";
	if (strstr(mime, "wordprocessingml") != NULL) return "document.docx";
	if (strstr(mime, "spreadsheetml") != NULL) return "document.xlsx";
	if (strstr(mime, "presentationml") != NULL) return "document.pptx";
	if (strncmp(mime, ODF_PREFIX, sizeof(ODF_PREFIX) - 1) == 0) {
		const char *k = mime + sizeof(ODF_PREFIX) - 1;

		return k[0] == 't' ? "document.odt" : k[0] == 's' ?
		    "document.ods" : "document.odp";
	}
	return "document";
}

/* ---- the table ---- */

static int
db_fail(struct core_ctx *cx, const char *what)
{
	log_error("database: documents %s: %s", what, db_errmsg(cx->db));
	return core_fail(cx, CRM_EDB, "The database failed while %s", what);
}

/* The entities documents attach to. */
static bool
attachable(const struct entity *e)
{
	return e == &entity_companies || e == &entity_contacts ||
	    e == &entity_deals || e == &entity_activities ||
	    e == &entity_tickets;
}

json_t *
doc_row_json(db_stmt_t *st)
{
	return json_pack("{s:I, s:s, s:I, s:s, s:s, s:I, s:s, s:o, s:o}",
	    "id", (json_int_t)db_col_int(st, 0),
	    "entity", db_col_text(st, 1, NULL),
	    "record_id", (json_int_t)db_col_int(st, 2),
	    "name", db_col_text(st, 3, NULL),
	    "mime", db_col_text(st, 4, NULL),
	    "size", (json_int_t)db_col_int(st, 5),
	    "sha256", db_col_text(st, 6, NULL),
	    "created_at", activity_time_json(db_col_int(st, 7)),
	    "created_by", db_col_null(st, 8) ? json_null() :
	    json_integer(db_col_int(st, 8)));
}

static int
count_live(struct core_ctx *cx, const struct entity *e, int64_t id,
    int64_t *n)
{
	db_stmt_t *st;
	int rc;

	if (db_prepare(cx->db, "SELECT COUNT(*) FROM documents WHERE entity = ? "
	    "AND record_id = ? AND deleted_at IS NULL", &st) != DB_OK)
		return db_fail(cx, "counting documents");
	db_bind_text(st, 1, e->name, strlen(e->name));
	db_bind_int(st, 2, id);
	rc = db_step(st);
	*n = rc == DB_ROW ? db_col_int(st, 0) : 0;
	db_done(st);
	return rc == DB_ROW ? CRM_OK : db_fail(cx, "counting documents");
}

int
doc_may_attach(struct core_ctx *cx, const struct doc_store *s,
    const struct entity *e, int64_t id)
{
	int64_t n = 0;
	int rc;

	if (!attachable(e))
		return core_fail(cx, CRM_ENOTFOUND, "Documents attach to companies, "
		    "contacts, deals, activities and tickets");
	rc = access_check(cx, e, ACC_UPDATE, id, false);
	if (rc == CRM_OK)
		rc = count_live(cx, e, id, &n);
	/* The folder may be a default not made at start (doc_store_open). */
	if (rc == CRM_OK && !fs_mkdirs(s->dir)) {
		log_error("documents: cannot create %s: %s", s->dir, strerror(errno));
		rc = core_fail(cx, CRM_EDB, "The documents folder cannot be "
		    "created; an administrator must check --files-dir");
	}
	if (rc == CRM_OK && n >= s->max_per_record) {
		verrs_add(&cx->errs, "file", "a record holds at most %d documents; "
		    "delete one first", s->max_per_record);
		rc = core_invalid(cx);
	}
	return rc;
}

/*
 * Reads the row of document id, live or (trashed) in the trash;
 * CRM_ENOTFOUND when there is none.
 */
static int
read_row(struct core_ctx *cx, int64_t id, bool trashed, json_t **out)
{
	db_stmt_t *st;
	int rc;

	*out = NULL;
	if (db_prepare(cx->db, trashed ? "SELECT " DOC_COLUMNS " FROM documents "
	    "d WHERE d.id = ? AND d.deleted_at IS NOT NULL" : "SELECT "
	    DOC_COLUMNS " FROM documents d WHERE d.id = ? AND d.deleted_at IS "
	    "NULL", &st) != DB_OK)
		return db_fail(cx, "reading a document");
	db_bind_int(st, 1, id);
	rc = db_step(st);
	if (rc == DB_ROW)
		*out = doc_row_json(st);
	db_done(st);
	if (rc == DB_DONE)
		return core_fail(cx, CRM_ENOTFOUND, "No such document%s",
		    trashed ? " in the trash" : "");
	return rc == DB_ROW ? CRM_OK : db_fail(cx, "reading a document");
}

/* The row of document id when the actor may do action on its record. */
static int
get_for(struct core_ctx *cx, int64_t id, bool trashed, enum acc_action action,
    json_t **out)
{
	const struct entity *e;
	int rc = read_row(cx, id, trashed, out);

	if (rc != CRM_OK)
		return rc;
	e = entity_find(json_string_value(json_object_get(*out, "entity")));
	rc = e == NULL ? CRM_ENOTFOUND : access_check(cx, e, action,
	    json_integer_value(json_object_get(*out, "record_id")), false);
	if (rc == CRM_ENOTFOUND)
		core_fail(cx, CRM_ENOTFOUND, "No such document");
	if (rc != CRM_OK) {
		json_decref(*out);
		*out = NULL;
	}
	return rc;
}

/* doc_attach's checks and writes inside the caller's transaction: *did. */
static int
attach_txn(struct core_ctx *cx, const struct doc_store *s,
    const struct entity *e, int64_t id, struct doc_blob *b, const char *name,
    const char *ctype, bool own_txn, int64_t *did)
{
	char clean[DOC_NAME_MAX * 4 + 1];
	const char *mime, *why, *final;
	db_stmt_t *st;
	int64_t now = time_now_ms();
	json_t *detail;
	int rc;

	*did = 0;
	if (doc_name_clean(name != NULL ? name : "", clean, sizeof(clean)) != 0) {
		verrs_add(&cx->errs, "name", "the file name is not valid UTF-8");
		return core_invalid(cx);
	}
	mime = doc_sniff(b->fd, b->head, b->headlen, b->size, &why);
	if (mime == NULL) {
		verrs_add(&cx->errs, "file", "%s", why);
		return core_invalid(cx);
	}
	why = doc_claim_check(clean, ctype, mime);
	if (why != NULL) {
		verrs_add(&cx->errs, "file", "%s", why);
		return core_invalid(cx);
	}
	if (clean[0] == '\0' || clean[0] == '.')
		snprintf(clean, sizeof(clean), "%s", default_name(mime));
	final = stored_mime(mime, clean);
	rc = doc_may_attach(cx, s, e, id);
	if (rc != CRM_OK)
		return rc;
	if (doc_blob_commit(b) != 0) {
		log_error("documents: cannot store a file in %s: %s", s->dir,
		    strerror(b->err));
		return core_fail(cx, CRM_EDB, "The file could not be stored: %s",
		    b->err == ENOSPC ? "the disk is full" : "the documents folder "
		    "cannot be written");
	}
	if (own_txn && db_begin(cx->db) != DB_OK)
		return db_fail(cx, "starting a transaction");
	/* Again inside the transaction: the count may have moved meanwhile. */
	rc = own_txn ? doc_may_attach(cx, s, e, id) : CRM_OK;
	if (rc == CRM_OK && db_prepare(cx->db, "INSERT INTO documents (entity, "
	    "record_id, hash, size, mime, name, created_at, created_by) VALUES "
	    "(?, ?, ?, ?, ?, ?, ?, ?) RETURNING id", &st) != DB_OK)
		rc = db_fail(cx, "storing a document");
	if (rc == CRM_OK) {
		db_bind_text(st, 1, e->name, strlen(e->name));
		db_bind_int(st, 2, id);
		db_bind_text(st, 3, b->hash, DOC_HASH_HEX);
		db_bind_int(st, 4, b->size);
		db_bind_text(st, 5, final, strlen(final));
		db_bind_text(st, 6, clean, strlen(clean));
		db_bind_int(st, 7, now);
		if (cx->actor.user_id > 0)
			db_bind_int(st, 8, cx->actor.user_id);
		else
			db_bind_null(st, 8);
		if (db_step(st) == DB_ROW)
			*did = db_col_int(st, 0);
		db_done(st);
		if (*did <= 0)
			rc = db_fail(cx, "storing a document");
	}
	if (rc == CRM_OK) {
		detail = json_pack("{s:s, s:I, s:s, s:s, s:I, s:s}", "entity",
		    e->name, "record_id", (json_int_t)id, "name", clean, "mime",
		    final, "size", (json_int_t)b->size, "sha256", b->hash);
		rc = audit_append(cx, "document.create", "documents", *did,
		    detail);
		json_decref(detail);
	}
	return rc;
}

int
doc_attach(struct core_ctx *cx, const struct doc_store *s,
    const struct entity *e, int64_t id, struct doc_blob *b, const char *name,
    const char *ctype, json_t **out)
{
	int64_t did = 0;
	int rc;

	*out = NULL;
	rc = attach_txn(cx, s, e, id, b, name, ctype, true, &did);
	if (rc != CRM_OK && !db_in_txn(cx->db))
		return rc;
	if (rc == CRM_OK)
		rc = read_row(cx, did, false, out);
	return core_txn_end(cx, rc, out);
}

int
doc_attach_txn(struct core_ctx *cx, const struct doc_store *s,
    const struct entity *e, int64_t id, struct doc_blob *b, const char *name,
    const char *ctype, int64_t *did)
{
	return attach_txn(cx, s, e, id, b, name, ctype, false, did);
}

int
doc_list(struct core_ctx *cx, const struct entity *e, int64_t id,
    bool trashed, json_t **out)
{
	db_stmt_t *st;
	json_t *data;
	int rc;

	*out = NULL;
	if (!attachable(e))
		return core_fail(cx, CRM_ENOTFOUND, "No documents here");
	rc = access_check(cx, e, ACC_READ, id, false);
	if (rc != CRM_OK)
		return rc;
	/*
	 * The live ones are bounded by the per-record limit (the LIMIT guards
	 * a lowered one); the trash is not, and shows its newest 1000.
	 */
	if (db_prepare(cx->db, trashed ? "SELECT " DOC_COLUMNS " FROM documents "
	    "d WHERE d.entity = ? AND d.record_id = ? AND d.deleted_at IS NOT "
	    "NULL ORDER BY d.deleted_at DESC, d.id DESC LIMIT 1000" : "SELECT "
	    DOC_COLUMNS " FROM documents d WHERE d.entity = ? AND d.record_id = "
	    "? AND d.deleted_at IS NULL ORDER BY d.created_at DESC, d.id DESC "
	    "LIMIT 1000", &st) != DB_OK)
		return db_fail(cx, "listing documents");
	db_bind_text(st, 1, e->name, strlen(e->name));
	db_bind_int(st, 2, id);
	data = json_array();
	while ((rc = db_step(st)) == DB_ROW)
		json_array_append_new(data, doc_row_json(st));
	db_done(st);
	if (rc != DB_DONE) {
		json_decref(data);
		return db_fail(cx, "listing documents");
	}
	*out = json_pack("{s:o}", "data", data);
	return CRM_OK;
}

int
doc_get(struct core_ctx *cx, int64_t id, json_t **out)
{
	return get_for(cx, id, false, ACC_READ, out);
}

int
doc_open(struct core_ctx *cx, const struct doc_store *s, int64_t id, int *fd,
    json_t **out)
{
	char path[DOC_PATH_MAX];
	json_t *detail;
	int rc = get_for(cx, id, false, ACC_READ, out);

	*fd = -1;
	if (rc != CRM_OK)
		return rc;
	path[0] = '\0';
	if (doc_blob_path(s, json_string_value(json_object_get(*out, "sha256")),
	    path, sizeof(path)))
		*fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (*fd < 0) {
		log_error("documents: document %lld: cannot open %s: %s",
		    (long long)id, path, strerror(errno));
		json_decref(*out);
		*out = NULL;
		return core_fail(cx, CRM_EDB, "The document's file is missing from "
		    "the documents folder; an administrator must restore it");
	}
	detail = json_pack("{s:O, s:O, s:O}", "entity", json_object_get(*out,
	    "entity"), "record_id", json_object_get(*out, "record_id"), "name",
	    json_object_get(*out, "name"));
	rc = audit_event(cx, "document.download", "documents", id, detail);
	json_decref(detail);
	if (rc != CRM_OK) {
		close(*fd);
		*fd = -1;
		json_decref(*out);
		*out = NULL;
	}
	return rc;
}

/*
 * Moves document id to the trash (trash) or back (!trash), with its audit
 * entry, in one transaction. Restoring takes the same right as deleting,
 * and room under max_per_record as an upload does (s: NULL for a delete).
 */
static int
set_trashed(struct core_ctx *cx, const struct doc_store *s, int64_t id,
    bool trash, json_t **out)
{
	const struct entity *e;
	json_t *doc = NULL, *detail;
	db_stmt_t *st;
	int64_t n = 0;
	int rc;

	if (db_begin(cx->db) != DB_OK)
		return db_fail(cx, "starting a transaction");
	rc = get_for(cx, id, !trash, ACC_UPDATE, &doc);
	e = doc != NULL ? entity_find(json_string_value(json_object_get(doc,
	    "entity"))) : NULL;
	if (rc == CRM_OK && !trash && e != NULL)
		rc = count_live(cx, e, json_integer_value(json_object_get(doc,
		    "record_id")), &n);
	if (rc == CRM_OK && !trash && n >= s->max_per_record) {
		verrs_add(&cx->errs, "id", "a record holds at most %d documents; "
		    "delete one first", s->max_per_record);
		rc = core_invalid(cx);
	}
	if (rc == CRM_OK && db_prepare(cx->db, trash ? "UPDATE documents SET "
	    "deleted_at = ? WHERE id = ? AND deleted_at IS NULL" : "UPDATE "
	    "documents SET deleted_at = NULL WHERE id = ? AND deleted_at IS NOT "
	    "NULL", &st) != DB_OK)
		rc = db_fail(cx, "moving a document");
	if (rc == CRM_OK) {
		int k = 1;

		if (trash)
			db_bind_int(st, k++, time_now_ms());
		db_bind_int(st, k, id);
		if (db_step(st) != DB_DONE)
			rc = db_fail(cx, "moving a document");
		db_done(st);
	}
	if (rc == CRM_OK) {
		detail = json_pack("{s:O, s:O, s:O}", "entity", json_object_get(doc,
		    "entity"), "record_id", json_object_get(doc, "record_id"),
		    "name", json_object_get(doc, "name"));
		rc = audit_append(cx, trash ? "document.delete" :
		    "document.restore", "documents", id, detail);
		json_decref(detail);
	}
	if (rc == CRM_OK && out != NULL) {
		*out = doc;
		doc = NULL;
	}
	json_decref(doc);
	return core_txn_end(cx, rc, out);
}

int
doc_delete(struct core_ctx *cx, int64_t id)
{
	return set_trashed(cx, NULL, id, true, NULL);
}

int
doc_restore(struct core_ctx *cx, const struct doc_store *s, int64_t id,
    json_t **out)
{
	*out = NULL;
	return set_trashed(cx, s, id, false, out);
}
