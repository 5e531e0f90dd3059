/*
 * The mail reader behind the service desk's intake (util/mailmsg.h): what
 * a stranger's mail server hands us, read with GMime and cleaned.
 *
 * Input: the bytes of one mail, in an exact-size buffer so that
 * AddressSanitizer sees any read past its end. The same bytes are also
 * read as an HTML body (mailmsg_html_text) and as text (mailmsg_clean).
 *
 * Properties, each aborting when broken:
 *   - every string handed out is valid UTF-8 without control characters
 *     (tab and line feed allowed in the body only), so it can be stored
 *     and shown as text;
 *   - Message-IDs and references hold no spaces or angle brackets, at
 *     most MAILMSG_ID_MAX bytes, and their count is bounded;
 *   - attachments are bounded in number, and the body of a mail read as
 *     HTML never keeps a tag: no '<' followed by a letter survives unless
 *     the input wrote it as an entity;
 *   - cleaning is idempotent: mailmsg_clean of a cleaned text is itself;
 *   - the ticket a subject names (desk_mail_subject_ticket, read from the
 *     subject and from the raw bytes as text) is 0 or a number the text
 *     writes as "[#T-<digits>]".
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "core/desk_mail.h"
#include "util/alloc.h"
#include "util/mailmsg.h"
#include "util/text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_text(const char *what, const char *s, bool multiline)
{
	size_t n;

	if (s == NULL)
		fz_fail("%s is NULL", what);
	n = strlen(s);
	if (!text_utf8_valid(s, n))
		fz_fail("%s is not valid UTF-8", what);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if ((c < 0x20 && !(multiline && (c == '\n' || c == '\t'))) ||
		    c == 0x7f)
			fz_fail("%s holds control character 0x%02x", what, c);
	}
}

static void
check_id(const char *what, const char *id, bool may_be_empty)
{
	size_t n = strlen(id);

	if ((n == 0 && !may_be_empty) || n > MAILMSG_ID_MAX)
		fz_fail("%s has length %zu", what, n);
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)id[i] <= 0x20 || (unsigned char)id[i] >= 0x7f ||
		    id[i] == '<' || id[i] == '>')
			fz_fail("%s holds byte 0x%02x", what, (unsigned char)id[i]);
}

static void
check_clean(const char *in, size_t len, bool multiline)
{
	char *a = mailmsg_clean(in, len, multiline);
	char *b = mailmsg_clean(a, strlen(a), multiline);

	check_text("mailmsg_clean", a, multiline);
	if (strcmp(a, b) != 0)
		fz_fail("mailmsg_clean is not idempotent");
	free(a);
	free(b);
}

static void
check_subject_ticket(const char *subject)
{
	int64_t id = desk_mail_subject_ticket(subject);
	char tail[32];

	if (id == 0)
		return;
	snprintf(tail, sizeof(tail), "%lld]", (long long)id);
	if (id < 0 || strstr(subject, "[#T-") == NULL ||
	    strstr(subject, tail) == NULL)
		fz_fail("subject names ticket %lld", (long long)id);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = xmalloc(size > 0 ? size : 1), *html, *raw, why[256];
	struct mailmsg m;

	memcpy(buf, data, size);
	if (mailmsg_parse(buf, size, &m, why, sizeof(why)) == 0) {
		check_text("from_addr", m.from_addr, false);
		check_text("from_name", m.from_name, false);
		check_text("subject", m.subject, false);
		check_subject_ticket(m.subject);
		check_text("text", m.text, true);
		check_id("message_id", m.message_id, true);
		if (m.nrefs > MAILMSG_REFS_MAX)
			fz_fail("%zu references", m.nrefs);
		for (size_t i = 0; i < m.nrefs; i++)
			check_id("reference", m.refs[i], false);
		if (m.natt > MAILMSG_ATT_MAX)
			fz_fail("%zu attachments", m.natt);
		for (size_t i = 0; i < m.natt; i++) {
			check_text("attachment name", m.att[i].name, false);
			check_text("attachment type", m.att[i].ctype, false);
			if (m.att[i].data == NULL)
				fz_fail("attachment %zu without data", i);
		}
	} else if (why[0] == '\0') {
		fz_fail("a refused mail without a reason");
	}
	mailmsg_free(&m);
	html = mailmsg_html_text(buf, size);
	check_text("html text", html, true);
	/* A tag survives only as an entity the input wrote ("&lt;b"). */
	if (memchr(buf, '&', size) == NULL)
		for (const char *p = strchr(html, '<'); p != NULL;
		    p = strchr(p + 1, '<'))
			if ((p[1] | 0x20) >= 'a' && (p[1] | 0x20) <= 'z')
				fz_fail("a tag survived in the HTML text");
	free(html);
	raw = fz_strndup(data, size);
	check_subject_ticket(raw);
	free(raw);
	check_clean(buf, size, true);
	check_clean(buf, size, false);
	free(buf);
	return 0;
}
