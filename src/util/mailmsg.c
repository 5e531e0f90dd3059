/*
 * One received mail read with GMime 3 (see util/mailmsg.h). GMime does the
 * MIME work (header decoding, transfer encodings, charsets); this file
 * bounds what reaches it, walks the parts itself with a depth limit, and
 * cleans every string it hands out.
 */
#include "util/mailmsg.h"

#include <gmime/gmime.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/alloc.h"
#include "util/buf.h"

/* "multipart/" and "message/" openings in the raw bytes, at most. */
#define NEST_DECL_MAX 64

static pthread_once_t gmime_once = PTHREAD_ONCE_INIT;

static void
gmime_setup(void)
{
	g_mime_init();
}

/* ---- text ---- */

static void
put_cp(struct buf *b, unsigned cp)
{
	char u[4];
	size_t n;

	if (cp < 0x80) {
		u[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		u[0] = (char)(0xc0 | (cp >> 6));
		u[1] = (char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		u[0] = (char)(0xe0 | (cp >> 12));
		u[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[2] = (char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		u[0] = (char)(0xf0 | (cp >> 18));
		u[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		u[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[3] = (char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	buf_append(b, u, n);
}

char *
mailmsg_clean(const char *s, size_t len, bool multiline)
{
	struct buf b;
	const gchar *end;
	size_t i = 0;

	/* At most 3 bytes out (U+FFFD) per byte in. */
	buf_init(&b, len * 3 + 1);
	while (i < len) {
		const char *p = s + i;
		size_t ok;

		g_utf8_validate_len(p, len - i, &end);
		ok = (size_t)(end - p);
		for (size_t k = 0; k < ok; k++) {
			unsigned char c = (unsigned char)p[k];

			if (c == '\r')
				continue;
			if (c == '\t' || c == '\n') {
				buf_putc(&b, multiline ? (char)c : ' ');
				continue;
			}
			if (c < 0x20 || c == 0x7f)
				continue;
			/* C1 controls, U+0080..U+009F, are C2 80..C2 9F. */
			if (c == 0xc2 && k + 1 < ok &&
			    (unsigned char)p[k + 1] >= 0x80 &&
			    (unsigned char)p[k + 1] <= 0x9f) {
				k++;
				continue;
			}
			buf_putc(&b, (char)c);
		}
		i += ok;
		if (i < len) {
			put_cp(&b, 0xfffd);
			i++;
		}
	}
	return buf_steal(&b);
}

/* ---- HTML to text ---- */

static bool
tag_is(const char *name, const char *const *list)
{
	for (; *list != NULL; list++)
		if (strcasecmp(name, *list) == 0)
			return true;
	return false;
}

/* Where the closing tag </name starts at or after i, else len. */
static size_t
find_close(const char *h, size_t len, size_t i, const char *name)
{
	size_t n = strlen(name);

	for (; i + 2 + n <= len; i++)
		if (h[i] == '<' && h[i + 1] == '/' &&
		    strncasecmp(h + i + 2, name, n) == 0)
			return i;
	return len;
}

/* Past the '>' that ends the tag starting at i, quotes respected. */
static size_t
skip_tag(const char *h, size_t len, size_t i)
{
	char q = 0;

	for (; i < len; i++) {
		if (q != 0) {
			if (h[i] == q)
				q = 0;
		} else if (h[i] == '"' || h[i] == '\'') {
			q = h[i];
		} else if (h[i] == '>') {
			return i + 1;
		}
	}
	return len;
}

/* An entity at h[i] == '&': its code point and length, or 0. */
static size_t
entity(const char *h, size_t len, size_t i, unsigned *cp)
{
	static const struct {
		const char	*name;
		unsigned	 cp;
	} named[] = {
		{ "amp;", '&' }, { "lt;", '<' }, { "gt;", '>' }, { "quot;", '"' },
		{ "apos;", '\'' }, { "nbsp;", ' ' }, { "copy;", 0xa9 },
		{ "mdash;", 0x2014 }, { "ndash;", 0x2013 }, { "hellip;", 0x2026 },
	};
	size_t k = i + 1;
	unsigned long v = 0;
	int digits = 0;

	if (k < len && h[k] == '#') {
		bool hex = k + 1 < len && (h[k + 1] == 'x' || h[k + 1] == 'X');

		for (k += hex ? 2 : 1; k < len && digits < 8; k++, digits++) {
			char c = h[k];

			if (c >= '0' && c <= '9')
				v = v * (hex ? 16 : 10) + (unsigned long)(c - '0');
			else if (hex && c >= 'a' && c <= 'f')
				v = v * 16 + (unsigned long)(c - 'a' + 10);
			else if (hex && c >= 'A' && c <= 'F')
				v = v * 16 + (unsigned long)(c - 'A' + 10);
			else
				break;
		}
		if (digits == 0 || k >= len || h[k] != ';' || v == 0 ||
		    v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
			return 0;
		*cp = (unsigned)v;
		return k + 1 - i;
	}
	for (size_t n = 0; n < sizeof(named) / sizeof(*named); n++) {
		size_t l = strlen(named[n].name);

		if (k + l <= len && strncasecmp(h + k, named[n].name, l) == 0) {
			*cp = named[n].cp;
			return l + 1;
		}
	}
	return 0;
}

char *
mailmsg_html_text(const char *h, size_t len)
{
	static const char *const hidden[] = { "script", "style", "head",
		"title", "template", "noscript", "object", "iframe", "svg",
		"math", NULL };
	static const char *const blocks[] = { "br", "p", "div", "li", "tr",
		"h1", "h2", "h3", "h4", "h5", "h6", "table", "blockquote", "hr",
		"ul", "ol", "pre", NULL };
	struct buf b;
	size_t i = 0, nl = 2;
	bool space = false;
	char *raw, *out;

	buf_init(&b, len * 4 + 16);
	while (i < len) {
		char c = h[i];
		unsigned cp;
		size_t n;

		if (c == '<') {
			char name[16];
			size_t k = i + 1, l = 0;

			if (i + 4 <= len && strncmp(h + i, "<!--", 4) == 0) {
				const char *e = memmem(h + i + 4, len - i - 4, "-->", 3);

				i = e != NULL ? (size_t)(e - h) + 3 : len;
				continue;
			}
			if (k < len && h[k] == '/')
				k++;
			while (k < len && l + 1 < sizeof(name) &&
			    ((h[k] >= 'a' && h[k] <= 'z') || (h[k] >= 'A' &&
			    h[k] <= 'Z') || (h[k] >= '0' && h[k] <= '9')))
				name[l++] = h[k++];
			name[l] = '\0';
			if (l > 0 && h[i + 1] != '/' && tag_is(name, hidden)) {
				i = find_close(h, len, k, name);
				i = skip_tag(h, len, i);
				continue;
			}
			i = skip_tag(h, len, i);
			if (l > 0 && tag_is(name, blocks) && nl < 2) {
				buf_putc(&b, '\n');
				nl++;
				space = false;
			}
			continue;
		}
		if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
			space = nl == 0;
			i++;
			continue;
		}
		if (space) {
			buf_putc(&b, ' ');
			space = false;
		}
		nl = 0;
		if (c == '&') {
			n = entity(h, len, i, &cp);
			if (n > 0) {
				put_cp(&b, cp);
				i += n;
				continue;
			}
		}
		buf_putc(&b, c);
		i++;
	}
	while (b.len > 0 && (b.data[b.len - 1] == '\n' ||
	    b.data[b.len - 1] == ' '))
		b.len--;
	raw = buf_steal(&b);
	out = mailmsg_clean(raw, strlen(raw), true);
	free(raw);
	return out;
}

/* ---- the mail ---- */

/* Whether s starts a word of its own ("multipart/" etc.), case aside. */
static size_t
count_ci(const char *data, size_t len, const char *word)
{
	size_t n = strlen(word), count = 0;

	for (size_t i = 0; i + n <= len; i++)
		if ((data[i] | 0x20) == word[0] &&
		    strncasecmp(data + i, word, n) == 0)
			count++;
	return count;
}

/* A Message-ID fit to keep (printable ASCII, no spaces or brackets). */
static char *
clean_id(const char *id)
{
	size_t n;

	if (id == NULL)
		return NULL;
	n = strlen(id);
	if (n == 0 || n > MAILMSG_ID_MAX)
		return NULL;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)id[i] <= 0x20 || (unsigned char)id[i] >= 0x7f ||
		    id[i] == '<' || id[i] == '>')
			return NULL;
	return xstrdup(id);
}

static char *
clean_hdr(const char *s)
{
	size_t n;

	if (s == NULL)
		return xstrdup("");
	n = strlen(s);
	if (n > MAILMSG_HDR_MAX)
		n = MAILMSG_HDR_MAX;
	return mailmsg_clean(s, n, false);
}

static void
add_refs(struct mailmsg *m, GMimeObject *obj, const char *header,
    bool newest_first)
{
	const char *v = g_mime_object_get_header(obj, header);
	GMimeReferences *refs;
	int n;

	if (v == NULL)
		return;
	refs = g_mime_references_parse(NULL, v);
	if (refs == NULL)
		return;
	n = g_mime_references_length(refs);
	for (int i = 0; i < n && m->nrefs < MAILMSG_REFS_MAX; i++) {
		char *id = clean_id(g_mime_references_get_message_id(refs,
		    newest_first ? n - 1 - i : i));

		if (id != NULL)
			m->refs[m->nrefs++] = id;
	}
	g_mime_references_free(refs);
}

static bool
header_starts(GMimeObject *obj, const char *header, const char *const *vals)
{
	const char *v = g_mime_object_get_header(obj, header);

	if (v == NULL)
		return false;
	while (*v == ' ' || *v == '\t')
		v++;
	for (; *vals != NULL; vals++)
		if (strncasecmp(v, *vals, strlen(*vals)) == 0)
			return true;
	return false;
}

static bool
is_automatic(GMimeObject *obj, GMimeObject *body, const char *from)
{
	static const char *const no[] = { "no", NULL };
	static const char *const bulk[] = { "bulk", "junk", "list", NULL };
	static const char *const daemons[] = { "mailer-daemon@",
		"postmaster@", NULL };
	const char *as = g_mime_object_get_header(obj, "Auto-Submitted");
	GMimeContentType *ct = body != NULL ?
	    g_mime_object_get_content_type(body) : NULL;

	if (as != NULL && !header_starts(obj, "Auto-Submitted", no))
		return true;
	if (header_starts(obj, "Precedence", bulk))
		return true;
	if (g_mime_object_get_header(obj, "X-Autoreply") != NULL ||
	    g_mime_object_get_header(obj, "X-Autorespond") != NULL)
		return true;
	if (ct != NULL && g_mime_content_type_is_type(ct, "multipart", "report"))
		return true;
	if (from == NULL || from[0] == '\0')
		return true;
	for (const char *const *d = daemons; *d != NULL; d++)
		if (strncasecmp(from, *d, strlen(*d)) == 0)
			return true;
	return false;
}

struct walk {
	struct mailmsg	*m;
	int		 parts;
	char		*plain;
	char		*html;
};

static char *
lower_type(GMimeObject *obj)
{
	GMimeContentType *ct = g_mime_object_get_content_type(obj);
	char *t = ct != NULL ? g_mime_content_type_get_mime_type(ct) : NULL;
	char *out = xstrdup(t != NULL ? t : "application/octet-stream");

	g_free(t);
	for (char *p = out; *p != '\0'; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p + 32);
	return out;
}

/* The decoded bytes of a leaf part (a new GByteArray), or NULL. */
static GByteArray *
part_bytes(GMimeObject *obj)
{
	GMimeDataWrapper *w;
	GMimeStream *mem;
	GByteArray *arr;

	if (GMIME_IS_MESSAGE_PART(obj)) {
		GMimeMessage *inner = g_mime_message_part_get_message(
		    GMIME_MESSAGE_PART(obj));

		if (inner == NULL)
			return NULL;
		mem = g_mime_stream_mem_new();
		g_mime_object_write_to_stream(GMIME_OBJECT(inner), NULL, mem);
	} else {
		w = g_mime_part_get_content(GMIME_PART(obj));
		if (w == NULL)
			return NULL;
		mem = g_mime_stream_mem_new();
		g_mime_data_wrapper_write_to_stream(w, mem);
	}
	arr = g_byte_array_new();
	g_byte_array_append(arr, g_mime_stream_mem_get_byte_array(
	    GMIME_STREAM_MEM(mem))->data, g_mime_stream_mem_get_byte_array(
	    GMIME_STREAM_MEM(mem))->len);
	g_object_unref(mem);
	return arr;
}

static void
keep_attachment(struct walk *w, GMimeObject *obj, const char *name)
{
	struct mailmsg *m = w->m;
	struct mailatt *a;
	GByteArray *arr;

	if (m->natt >= MAILMSG_ATT_MAX) {
		m->dropped++;
		return;
	}
	arr = part_bytes(obj);
	if (arr == NULL)
		return;
	a = &m->att[m->natt++];
	a->name = clean_hdr(name != NULL ? name : "");
	a->ctype = lower_type(obj);
	a->len = arr->len;
	a->data = xmalloc(arr->len > 0 ? arr->len : 1);
	if (arr->len > 0)
		memcpy(a->data, arr->data, arr->len);
	g_byte_array_free(arr, TRUE);
}

static void
walk_part(struct walk *w, GMimeObject *obj, int depth)
{
	const char *name = NULL;
	bool attachment;
	char *type;

	if (obj == NULL || w->parts >= MAILMSG_PARTS_MAX ||
	    depth > MAILMSG_DEPTH_MAX)
		return;
	w->parts++;
	if (GMIME_IS_MULTIPART(obj)) {
		GMimeMultipart *mp = GMIME_MULTIPART(obj);
		int n = g_mime_multipart_get_count(mp);

		for (int i = 0; i < n; i++)
			walk_part(w, g_mime_multipart_get_part(mp, i), depth + 1);
		return;
	}
	if (GMIME_IS_MESSAGE_PART(obj)) {
		keep_attachment(w, obj, "message.eml");
		return;
	}
	if (!GMIME_IS_PART(obj))
		return;
	name = g_mime_part_get_filename(GMIME_PART(obj));
	attachment = g_mime_part_is_attachment(GMIME_PART(obj)) || name != NULL;
	type = lower_type(obj);
	if (!attachment && GMIME_IS_TEXT_PART(obj) &&
	    (strcmp(type, "text/plain") == 0 || strcmp(type, "text/html") == 0)) {
		char **slot = strcmp(type, "text/plain") == 0 ? &w->plain :
		    &w->html;

		if (*slot == NULL) {
			char *t = g_mime_text_part_get_text(GMIME_TEXT_PART(obj));

			*slot = xstrdup(t != NULL ? t : "");
			g_free(t);
		}
	} else if (attachment || strncmp(type, "text/", 5) != 0) {
		keep_attachment(w, obj, name);
	}
	free(type);
}

int
mailmsg_parse(const char *data, size_t len, struct mailmsg *m, char *why,
    size_t whylen)
{
	GMimeStream *stream;
	GMimeParser *parser;
	GMimeMessage *msg;
	InternetAddressList *from;
	struct walk w;
	int rc = -1;

	memset(m, 0, sizeof(*m));
	if (len > MAILMSG_MAX) {
		snprintf(why, whylen, "the mail is larger than %d bytes",
		    MAILMSG_MAX);
		return -1;
	}
	/* GMime parses nested parts recursively: bound the nesting first. */
	if (count_ci(data, len, "multipart/") + count_ci(data, len,
	    "message/") > NEST_DECL_MAX) {
		snprintf(why, whylen, "the mail nests too many parts");
		return -1;
	}
	pthread_once(&gmime_once, gmime_setup);
	stream = g_mime_stream_mem_new_with_buffer(data, len);
	parser = g_mime_parser_new_with_stream(stream);
	g_object_unref(stream);
	msg = g_mime_parser_construct_message(parser, NULL);
	g_object_unref(parser);
	if (msg == NULL) {
		snprintf(why, whylen, "the data is not a mail");
		return -1;
	}
	from = g_mime_message_get_from(msg);
	for (int i = 0; from != NULL && i < internet_address_list_length(from);
	    i++) {
		InternetAddress *ia = internet_address_list_get_address(from, i);

		if (INTERNET_ADDRESS_IS_MAILBOX(ia)) {
			m->from_addr = clean_hdr(internet_address_mailbox_get_addr(
			    INTERNET_ADDRESS_MAILBOX(ia)));
			m->from_name = clean_hdr(internet_address_get_name(ia));
			break;
		}
	}
	if (m->from_addr == NULL) {
		m->from_addr = xstrdup("");
		m->from_name = xstrdup("");
	}
	m->subject = clean_hdr(g_mime_message_get_subject(msg));
	m->message_id = clean_id(g_mime_message_get_message_id(msg));
	if (m->message_id == NULL)
		m->message_id = xstrdup("");
	add_refs(m, GMIME_OBJECT(msg), "In-Reply-To", false);
	add_refs(m, GMIME_OBJECT(msg), "References", true);
	m->automatic = is_automatic(GMIME_OBJECT(msg),
	    g_mime_message_get_mime_part(msg), m->from_addr);
	memset(&w, 0, sizeof(w));
	w.m = m;
	walk_part(&w, g_mime_message_get_mime_part(msg), 0);
	if (w.plain != NULL)
		m->text = mailmsg_clean(w.plain, strlen(w.plain), true);
	else if (w.html != NULL)
		m->text = mailmsg_html_text(w.html, strlen(w.html));
	else
		m->text = xstrdup("");
	/* Without the blank lines and spaces a mail program leaves at the end. */
	for (size_t n = strlen(m->text); n > 0 && strchr(" \t\n",
	    m->text[n - 1]) != NULL; n--)
		m->text[n - 1] = '\0';
	free(w.plain);
	free(w.html);
	g_object_unref(msg);
	rc = 0;
	return rc;
}

void
mailmsg_free(struct mailmsg *m)
{
	free(m->from_addr);
	free(m->from_name);
	free(m->subject);
	free(m->message_id);
	for (size_t i = 0; i < m->nrefs; i++)
		free(m->refs[i]);
	free(m->text);
	for (size_t i = 0; i < m->natt; i++) {
		free(m->att[i].name);
		free(m->att[i].ctype);
		free(m->att[i].data);
	}
	memset(m, 0, sizeof(*m));
}
